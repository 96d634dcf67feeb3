package storage

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
)

// servedPDFs is a Downloader of files given by address, standing for bib/lookup's client (whose
// DownloadPDF is tested against a server in its own package, and with this code in
// cmd/bibshelf's TestAddPDF).
type servedPDFs map[string]string

var errGone = errors.New("not found")

func (s servedPDFs) DownloadPDF(ctx context.Context, url string, w io.Writer, progress func(done, total int64)) error {
	body, ok := s[url]
	if !ok {
		// Half a file, then the error: what a broken download leaves behind.
		w.Write([]byte("%PDF-1.5 half"))
		return errGone
	}
	if _, err := io.WriteString(w, body); err != nil {
		return err
	}
	if progress != nil {
		progress(int64(len(body)), int64(len(body)))
	}
	return nil
}

// TestDownloadPDF: a downloaded PDF is copied in as KEY.pdf and attached; a failed download
// attaches nothing and leaves no file, in the attachments folder or the temporary one.
func TestDownloadPDF(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	l := mustOpen(t)
	if _, err := l.Import(ctx, bib.Parse("have.bib", []byte(
		"@article{doe2019, title = {Known}, author = {Doe, Jane}, year = 2019}\n@misc{roe2020, title = {Other}}\n"))); err != nil {
		t.Fatal(err)
	}
	if has, err := l.HasPDF(ctx, "doe2019"); err != nil || has {
		t.Fatalf("HasPDF before: %v %v", has, err)
	}
	served := servedPDFs{"https://example.org/a.pdf": "%PDF-1.5 the paper"}
	var done int64
	att, err := l.DownloadPDF(ctx, "doe2019", "https://example.org/a.pdf", served, func(d, total int64) { done = d })
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(attachmentsDir(t, l), "doe2019.pdf")
	if b, err := os.ReadFile(att.Path); att.Path != want || err != nil || string(b) != "%PDF-1.5 the paper" {
		t.Errorf("attached %q (%q, %v), want %q", att.Path, b, err, want)
	}
	if done != int64(len("%PDF-1.5 the paper")) {
		t.Errorf("progress said %d bytes", done)
	}
	if has, err := l.HasPDF(ctx, "doe2019"); err != nil || !has {
		t.Errorf("HasPDF after: %v %v", has, err)
	}

	_, err = l.DownloadPDF(ctx, "roe2020", "https://example.org/gone.pdf", served, func(int64, int64) {})
	if !errors.Is(err, errGone) {
		t.Errorf("got %v, want the download's error", err)
	}
	if atts, err := l.Attachments(ctx, "roe2020"); err != nil || len(atts) != 0 {
		t.Errorf("a failed download attached %v (%v)", atts, err)
	}
	names, _ := os.ReadDir(attachmentsDir(t, l))
	if len(names) != 1 {
		t.Errorf("the attachments folder holds %v", names)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the temporary folder holds %v", left)
	}
	if _, err := l.DownloadPDF(ctx, "nobody", "https://example.org/a.pdf", served, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("an entry the library does not have: %v", err)
	}
	if names, _ := os.ReadDir(attachmentsDir(t, l)); len(names) != 1 {
		t.Errorf("the attachments folder holds %v", names)
	}
}
