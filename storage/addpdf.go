package storage

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/ident"
	"github.com/bibshelf/bibshelf/bib/pdfmeta"
)

// Adding papers from their PDFs: each PDF's identifier (read by a PDFReader) is added as
// AddIdentifiers adds one, and the PDF is attached to the entry, copied into the library's
// attachments folder or linked where it is. A PDF that names no identifier, or whose identifier
// the registries do not know, still becomes an entry: one made of what the PDF says (title,
// authors, the identifier if any), tagged ReviewTag, so that nothing the user dropped is lost.

// ReviewTag is the tag of entries made from what a PDF says rather than from a registry: their
// fields are a guess the user should check.
const ReviewTag = "needs-review"

// PDFReader says which paper a PDF holds (bib/pdfmeta's Reader in the program). Its errors say
// why the file cannot be read: not a PDF, encrypted, damaged, too large.
type PDFReader interface {
	ReadPDF(ctx context.Context, path string) (pdfmeta.Paper, error)
}

// PDFAddition is what became of one PDF.
type PDFAddition struct {
	Path string
	// Paper is what the PDF says about itself.
	Paper pdfmeta.Paper
	// Addition is what became of the PDF's entry: Added (looked up, or made from the PDF when
	// Review), Existing (the library has the paper: the PDF is attached to it), or Failed (the
	// file could not be opened as a PDF: Err; nothing was added). Err with Added or Existing
	// says that the PDF could not be attached to the entry.
	Addition
	// Review says the entry was made from what the PDF says and tagged ReviewTag; LookupErr is
	// why the registry's entry was not taken: the look-up's error, or the PDF's when it could
	// not be read (encrypted, damaged: the entry is then named after the file); nil when the
	// PDF names no identifier.
	Review    bool
	LookupErr error
	// Attachment is the PDF as attached to the entry.
	Attachment Attachment
}

// PDFOptions says how PDFs are added.
type PDFOptions struct {
	AddOptions
	// Link attaches each PDF where it is; otherwise it is copied into the attachments folder
	// (the default: the library then holds what it needs, as Zotero's stored files do).
	Link bool
}

// AddPDFs adds the paper of each PDF and attaches the PDF to it. Each PDF is added in
// transactions of its own: a cancelled batch keeps what it added, and the context's error is
// returned with the additions made.
func (l *Library) AddPDFs(ctx context.Context, paths []string, read PDFReader, fetch Fetcher, opts PDFOptions) ([]PDFAddition, error) {
	return each(ctx, paths, opts.Progress, func(path string) (PDFAddition, error) { return l.addPDF(ctx, path, read, fetch, opts) })
}

func (l *Library) addPDF(ctx context.Context, path string, read PDFReader, fetch Fetcher, opts PDFOptions) (PDFAddition, error) {
	a := PDFAddition{Path: path}
	paper, readErr := read.ReadPDF(ctx, path)
	if readErr != nil {
		if ctx.Err() != nil {
			return a, ctx.Err()
		}
		if !errors.Is(readErr, pdfmeta.ErrUnreadable) {
			// Not a PDF, or not opened at all (gone, not allowed, no reader): nothing to add.
			a.Status, a.Err = Failed, readErr
			return a, nil
		}
		// A PDF that cannot be read (encrypted, damaged) is still the paper the user has:
		// it becomes an entry named after the file, and the error is reported with it.
		paper = pdfmeta.Paper{}
	}
	a.Paper, a.ID = paper, paper.ID
	if paper.ID.Kind != 0 {
		add, err := l.addIdentifier(ctx, paper.ID, fetch, opts.AddOptions)
		if err != nil {
			return a, err
		}
		a.Addition = add
	}
	if a.Status == Failed || paper.ID.Kind == 0 {
		a.LookupErr = a.Err
		if readErr != nil {
			a.LookupErr = readErr
		}
		key, failure, err := l.addEntry(ctx, filepath.Base(path), pdfEntry(paper, path), opts.AddOptions)
		if err != nil {
			return a, err
		}
		if failure != nil {
			a.Status, a.Err = Failed, failure
			return a, nil
		}
		a.Status, a.Key, a.Err, a.Review = Added, key, nil, true
		// The entry is in: it gets its tag, as the import's own steps, even if ctx is done now.
		if err := l.tagAdded(context.WithoutCancel(ctx), key, []string{ReviewTag}); err != nil {
			return a, err
		}
	}
	att, err := l.AttachPDF(ctx, a.Key, path, opts.Link)
	if err != nil {
		// The entry stays (the one added, or the library's): the error says that the PDF is
		// not attached to it.
		a.Err = err
		return a, nil
	}
	a.Attachment = att
	return a, nil
}

// pdfEntry is the entry made of what a PDF says: a @misc (what it is is unknown) with its
// title (the file's name when it gives none), authors, and the identifier it named.
func pdfEntry(p pdfmeta.Paper, path string) *bib.Entry {
	e := &bib.Entry{Type: "misc"}
	title := p.Title
	if title == "" {
		title = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	e.Set("title", bib.Escape(title))
	if len(p.Authors) > 0 {
		names := make([]string, len(p.Authors))
		for i, n := range p.Authors {
			names[i] = bib.Escape(n)
		}
		e.Set("author", strings.Join(names, " and "))
	}
	switch p.ID.Kind {
	case ident.DOI:
		e.Set("doi", p.ID.Value)
	case ident.ArXiv:
		e.Set("eprint", p.ID.Value)
		e.Set("archiveprefix", "arXiv")
	case ident.ISBN:
		e.Set("isbn", p.ID.Value)
	}
	return e
}

// AttachPDF attaches the PDF at path to the entry key: linked where it is, or copied into the
// attachments folder as KEY.pdf (KEY-2.pdf... when that name holds another file; the file itself
// when it holds the same bytes). Once the copy is made it is attached even if ctx is done by
// then, so that the folder holds no copy the library does not know; a copy that cannot be
// attached is removed.
func (l *Library) AttachPDF(ctx context.Context, key, path string, link bool) (Attachment, error) {
	if link {
		return l.AddAttachment(ctx, key, path)
	}
	dest, created, err := l.copyIn(ctx, key, path, ".pdf")
	if err != nil {
		return Attachment{}, err
	}
	att, err := l.AddAttachment(context.WithoutCancel(ctx), key, dest)
	if err != nil && created {
		os.Remove(dest)
	}
	return att, err
}

// copyIn copies a file into the attachments folder under a name made from key, and returns
// where it is and whether this call made it. It never writes over a file there: a name is taken
// by creating it exclusively, so that two copies at once, in this process or another, get names
// of their own, and the bytes then go in through WriteFile (a temporary file renamed onto the
// name taken), so that the name never holds half a file. A file there with the same bytes is the
// copy.
func (l *Library) copyIn(ctx context.Context, key, path, ext string) (dest string, created bool, err error) {
	fail := func(err error) (string, bool, error) {
		return "", false, fmt.Errorf("copy %s into the library: %w", path, err)
	}
	dir, err := l.attachmentsDir(ctx)
	if err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	sum, err := fileSum(path)
	if err != nil {
		return fail(err)
	}
	base := fileNameOf(key)
	for n := 1; n <= maxCopies; n++ {
		name := base + ext
		if n > 1 {
			name = base + "-" + strconv.Itoa(n) + ext
		}
		dest := filepath.Join(dir, name)
		if have, err := fileSum(dest); err == nil {
			if have == sum {
				return dest, false, nil
			}
			continue
		} else if !errors.Is(err, os.ErrNotExist) {
			return fail(err)
		}
		f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue // taken since it was looked at
		}
		if err != nil {
			return fail(err)
		}
		f.Close()
		if err := WriteFile(ctx, dest, func(w io.Writer) error { return copyFrom(w, path) }); err != nil {
			os.Remove(dest)
			return fail(err)
		}
		return dest, true, nil
	}
	return fail(fmt.Errorf("%s%s to %s-%d%s are all taken", base, ext, base, maxCopies, ext))
}

// maxCopies is how many names of one entry's files (KEY.pdf, KEY-2.pdf...) copyIn tries.
const maxCopies = 1000

// fileNameOf makes a file name of a citation key: letters, digits, '-', '_' and '.' stay, any
// other character (':' and '/' are common in keys, and not allowed in names on Windows) is '_'.
func fileNameOf(key string) string {
	b := []byte(key)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	name := strings.Trim(string(b), ".")
	if name == "" {
		name = "attachment"
	}
	return name
}

func fileSum(path string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	f, err := os.Open(path)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

// copyFrom writes the file at path to w.
func copyFrom(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
