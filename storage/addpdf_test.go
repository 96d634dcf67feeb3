package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/ident"
	"github.com/bibshelf/bibshelf/bib/pdfmeta"
)

// pdfShelf is a PDFReader of papers given by file name, standing for bib/pdfmeta's Reader (which
// is tested on real PDFs in its own package, and with this code in cmd/bibshelf's TestAddPDF).
type pdfShelf map[string]pdfmeta.Paper

var errDamaged = fmt.Errorf("damaged: %w", pdfmeta.ErrUnreadable)

func (s pdfShelf) ReadPDF(ctx context.Context, path string) (pdfmeta.Paper, error) {
	if filepath.Ext(path) != ".pdf" {
		return pdfmeta.Paper{}, fmt.Errorf("read %s: %w", filepath.Base(path), pdfmeta.ErrNotPDF)
	}
	p, ok := s[filepath.Base(path)]
	if !ok {
		return pdfmeta.Paper{}, errDamaged
	}
	return p, nil
}

// TestAddPDFs: a PDF naming a DOI the registry knows becomes the registry's entry with the PDF
// copied in as KEY.pdf; a PDF of a paper the library has is attached to it; a PDF naming nothing,
// or a DOI no registry knows, becomes an entry of what it says, tagged for review; a damaged PDF
// becomes an entry named after the file, and says why; a file that is no PDF adds nothing.
func TestAddPDFs(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, bib.Parse("have.bib", []byte(
		"@article{known2019, title = {Known}, author = {Doe, Jane}, year = 2019, doi = {10.1000/KNOWN}}\n"))); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	doi := func(s string) ident.ID { return mustID(t, s) }
	shelf := pdfShelf{
		"new.pdf":     {ID: doi("10.1000/new"), Source: pdfmeta.FromText, Page: 1, Title: "ignored: the registry's title wins"},
		"known.pdf":   {ID: doi("10.1000/known"), Source: pdfmeta.FromXMP},
		"nothing.pdf": {Title: "A Paper Nobody Registered", Authors: []string{"Jane Doe", "Ömer Çelik"}},
		"lost.pdf":    {ID: doi("10.1000/missing"), Source: pdfmeta.FromInfo},
		"bare.pdf":    {},
	}
	paths := []string{write("new.pdf", "%PDF-new"), write("known.pdf", "%PDF-known"), write("nothing.pdf", "%PDF-nothing"),
		write("lost.pdf", "%PDF-lost"), write("bare.pdf", "%PDF-bare"), write("damaged.pdf", "%PDF-"), write("notes.txt", "notes")}
	reg := &registry{entries: map[string]string{
		"DOI 10.1000/new": "@article{, title = {A New Paper}, author = {Lovelace, Ada}, year = 2024, journal = {Notes}, doi = {10.1000/new}}",
	}}
	adds, err := l.AddPDFs(ctx, paths, shelf, reg, PDFOptions{AddOptions: AddOptions{Tags: []string{"inbox"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(adds) != len(paths) {
		t.Fatalf("%d additions for %d PDFs", len(adds), len(paths))
	}
	want := []struct {
		status AddStatus
		key    string
		review bool
	}{{Added, "Lovelace2024", false}, {Existing, "known2019", false}, {Added, "Doe", true},
		{Added, "Lost", true}, {Added, "Bare", true}, {Added, "Damaged", true}, {Failed, "", false}}
	for i, w := range want {
		a := adds[i]
		if a.Status != w.status || !strings.HasPrefix(a.Key, w.key) || a.Review != w.review {
			t.Errorf("%s: status %v key %q review %v (err %v), want %v %q… review %v", filepath.Base(a.Path), a.Status, a.Key, a.Review, a.Err, w.status, w.key, w.review)
		}
	}
	if adds[5].Err != nil || !errors.Is(adds[5].LookupErr, errDamaged) || !errors.Is(adds[6].Err, pdfmeta.ErrNotPDF) ||
		!errors.Is(adds[3].LookupErr, errNoSuchPaper) || adds[3].Err != nil {
		t.Errorf("damaged: %v; not a PDF: %v; lost's look-up: %v, %v", adds[5].Err, adds[6].Err, adds[3].LookupErr, adds[3].Err)
	}

	// The PDFs are copied in as KEY.pdf, byte for byte; the known paper's copy too.
	for _, a := range adds[:6] {
		got, err := os.ReadFile(a.Attachment.Path)
		if err != nil {
			t.Fatalf("%s: %v", a.Path, err)
		}
		orig, _ := os.ReadFile(a.Path)
		if !bytes.Equal(got, orig) || filepath.Base(a.Attachment.Path) != fileNameOf(a.Key)+".pdf" ||
			filepath.Dir(a.Attachment.Path) != attachmentsDir(t, l) {
			t.Errorf("%s attached as %s (%q)", a.Path, a.Attachment.Path, got)
		}
		atts, err := l.Attachments(ctx, a.Key)
		if err != nil || len(atts) != 1 || atts[0].Path != a.Attachment.Path {
			t.Errorf("%s: attachments %+v, %v", a.Key, atts, err)
		}
	}

	// The entries made from PDFs say what the PDF said, and are tagged for review.
	e, err := l.Entry(ctx, adds[2].Key)
	if err != nil {
		t.Fatal(err)
	}
	if e.Type != "misc" || e.Get("title") != "A Paper Nobody Registered" || e.Get("author") != "Jane Doe and Ömer Çelik" {
		t.Errorf("made from the PDF: %s", e.Source)
	}
	if e, _ := l.Entry(ctx, adds[3].Key); e == nil || e.Get("doi") != "10.1000/missing" || e.Get("title") != "lost" {
		t.Errorf("a DOI nobody knows: %+v", e)
	}
	for _, a := range adds {
		tags, _ := l.EntryTags(ctx, a.Key)
		if a.Key != "" && (slices.Contains(tags, ReviewTag) != a.Review || !slices.Contains(tags, "inbox")) {
			t.Errorf("%s: tags %q", a.Key, tags)
		}
	}

	// The same PDF added again is the same paper, and the same file: no second copy.
	again, err := l.AddPDFs(ctx, paths[:1], shelf, reg, PDFOptions{})
	if err != nil || again[0].Status != Existing || again[0].Attachment.Path != adds[0].Attachment.Path {
		t.Fatalf("again: %+v, %v", again, err)
	}
	// Another PDF of the same paper is kept beside the first.
	other := write("new-v2.pdf", "%PDF-new, second version")
	shelf["new-v2.pdf"] = shelf["new.pdf"]
	v2, err := l.AddPDFs(ctx, []string{other}, shelf, reg, PDFOptions{})
	if err != nil || v2[0].Attachment.Path != filepath.Join(attachmentsDir(t, l), fileNameOf(adds[0].Key)+"-2.pdf") {
		t.Fatalf("second version: %+v, %v", v2, err)
	}
	// Linked, a PDF stays where it is.
	linked := write("linked.pdf", "%PDF-linked")
	shelf["linked.pdf"] = pdfmeta.Paper{Title: "Linked Where It Lies"}
	ln, err := l.AddPDFs(ctx, []string{linked}, shelf, reg, PDFOptions{Link: true})
	if err != nil || ln[0].Attachment.Path != linked {
		t.Fatalf("linked: %+v, %v", ln, err)
	}
}

func TestFileNameOf(t *testing.T) {
	for key, want := range map[string]string{"Doe2020": "Doe2020", "doe:2020/x": "doe_2020_x", "..": "attachment", "a.b": "a.b", "Çelik": "__elik"} {
		if got := fileNameOf(key); got != want {
			t.Errorf("fileNameOf(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestAttachPDFAtOnce: PDFs attached to one entry at the same time each get a file of their
// own, with their own bytes; none is written over.
func TestAttachPDFAtOnce(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, bib.Parse("k.bib", []byte("@misc{K, title = {K}}\n"))); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	const n = 8
	paths := make([]string, n)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("v%d.pdf", i))
		os.WriteFile(paths[i], []byte(fmt.Sprintf("%%PDF- version %d", i)), 0o644)
	}
	atts := make([]Attachment, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range paths {
		wg.Go(func() { atts[i], errs[i] = l.AttachPDF(ctx, "K", paths[i], false) })
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, a := range atts {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		got, _ := os.ReadFile(a.Path)
		if want, _ := os.ReadFile(paths[i]); !bytes.Equal(got, want) || seen[a.Path] {
			t.Errorf("v%d.pdf attached as %s, which holds %q", i, a.Path, got)
		}
		seen[a.Path] = true
	}
	entries, _ := os.ReadDir(attachmentsDir(t, l))
	if len(entries) != n {
		t.Errorf("%d files in the attachments folder, want %d", len(entries), n)
	}

	// A copy cancelled before it is made leaves nothing behind.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	other := filepath.Join(dir, "other.pdf")
	os.WriteFile(other, []byte("%PDF- other"), 0o644)
	if _, err := l.AttachPDF(cancelled, "K", other, false); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if entries, _ := os.ReadDir(attachmentsDir(t, l)); len(entries) != n {
		t.Errorf("%d files after a cancelled copy, want %d", len(entries), n)
	}
}
