package storage

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Downloader writes the file at a web address to w, telling progress how much it has written
// of how much (bib/lookup's client in the program, whose DownloadPDF refuses what is not a
// PDF). What it wrote before an error is thrown away.
type Downloader interface {
	DownloadPDF(ctx context.Context, url string, w io.Writer, progress func(done, total int64)) error
}

// DownloadPDF downloads the PDF at url and attaches it to the entry key, copied into the
// attachments folder as AttachPDF copies one. The download goes to a temporary file, which is
// removed once the PDF is copied in: the folder never holds half a download, and a failed one
// leaves nothing behind. progress may be nil.
func (l *Library) DownloadPDF(ctx context.Context, key, url string, d Downloader, progress func(done, total int64)) (Attachment, error) {
	// An entry that is not there is found out before the download, not after.
	if _, err := l.Attachments(ctx, key); err != nil {
		return Attachment{}, fmt.Errorf("download the PDF of %s: %w", key, err)
	}
	tmp, err := os.CreateTemp("", "bibshelf-download-*.pdf")
	if err != nil {
		return Attachment{}, fmt.Errorf("download the PDF of %s: %w", key, err)
	}
	defer os.Remove(tmp.Name())
	err = d.DownloadPDF(ctx, url, tmp, progress)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("download PDF %s: %w", url, cerr)
	}
	if err != nil {
		return Attachment{}, err
	}
	return l.AttachPDF(ctx, key, tmp.Name(), false)
}

// HasPDF reports whether a PDF is attached to the entry key (a file whose name ends in .pdf,
// found or not).
func (l *Library) HasPDF(ctx context.Context, key string) (bool, error) {
	atts, err := l.Attachments(ctx, key)
	if err != nil {
		return false, err
	}
	for _, a := range atts {
		if strings.EqualFold(filepath.Ext(a.Path), ".pdf") {
			return true, nil
		}
	}
	return false, nil
}
