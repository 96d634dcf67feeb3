package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/storage"
)

// testPaper is a PDF made with pdfLaTeX (bib/pdfread/testdata/papers, whose README says how).
func testPaper(t *testing.T, name, as string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "bib", "pdfread", "testdata", "papers", name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), as)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAddPDF: bibshelf add reads each PDF with PDFium: the one whose first page names a DOI is
// added from the registry's record and gets the PDF copied in; the one that names nothing
// becomes an entry of what it says, tagged for review; a file named .pdf that is none is
// refused (exit 1). Added again, the paper is the one the library has.
func TestAddPDF(t *testing.T) {
	t.Setenv("BIBSHELF_LOOKUP_SERVER", registries(t))
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib); st != 0 {
		t.Fatal(errOut)
	}
	elife := testPaper(t, "p10-elife-doi.pdf", "Sankar et al 2014.pdf")
	untitled := testPaper(t, "p7-no-metadata.pdf", "scan0042.pdf")
	notPDF := filepath.Join(t.TempDir(), "notes.pdf")
	os.WriteFile(notPDF, []byte("not a PDF\n"), 0o644)
	// A damaged PDF's line said "tagged needs-review: : read ...", for the identifier it has not.
	damaged := filepath.Join(t.TempDir(), "damaged.pdf")
	os.WriteFile(damaged, []byte("%PDF-1.4\n"+strings.Repeat("x", 1000)), 0o644)

	st, out, errOut := bibshelf(t, "", "add", "--library", lib, "--tag", "inbox", elife, untitled, notPDF, damaged)
	if st != exitRejected {
		t.Errorf("exit %d, want %d (stderr %s)", st, exitRejected, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[2], "damaged.pdf (made from the PDF, tagged needs-review: read damaged.pdf: damaged: ") {
		t.Fatalf("stdout:\n%s", out)
	}
	lines = lines[:2]
	if !strings.HasPrefix(lines[0], "added Sankar2014") || !strings.HasSuffix(lines[0], "Sankar et al 2014.pdf (10.7554/eLife.01567)") ||
		!strings.HasPrefix(lines[1], "added ") || !strings.Contains(lines[1], "scan0042.pdf (made from the PDF, tagged needs-review: it names no DOI") {
		t.Fatalf("stdout:\n%s", out)
	}
	if !strings.Contains(errOut, "notes.pdf: read notes.pdf: not a PDF") {
		t.Errorf("stderr:\n%s", errOut)
	}
	key, made := strings.Fields(lines[0])[1], strings.Fields(lines[1])[1]

	l, err := storage.Open(context.Background(), lib)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	e, err := l.Entry(ctx, key)
	if err != nil || e.Get("journal") != "eLife" || !strings.EqualFold(e.Get("doi"), "10.7554/eLife.01567") {
		t.Fatalf("the registry entry: %v\n%+v", err, e)
	}
	atts, err := l.Attachments(ctx, key)
	if err != nil || len(atts) != 1 || filepath.Base(atts[0].Path) != key+".pdf" || filepath.Dir(atts[0].Path) != filepath.Join(filepath.Dir(lib), "attachments") {
		t.Fatalf("attachments of %s: %+v, %v", key, atts, err)
	}
	if got, _ := os.ReadFile(atts[0].Path); len(got) == 0 || !slices.Equal(got, mustReadFile(t, elife)) {
		t.Errorf("the copy differs from the PDF")
	}
	m, err := l.Entry(ctx, made)
	if err != nil || m.Type != "misc" || m.Get("title") != "A Study of Untitled Files" {
		t.Fatalf("made from the PDF: %v\n%s", err, m.Source)
	}
	tags, _ := l.EntryTags(ctx, made)
	if !slices.Contains(tags, storage.ReviewTag) || !slices.Contains(tags, "inbox") {
		t.Errorf("tags of %s: %q", made, tags)
	}
	l.Close()

	st, out, errOut = bibshelf(t, "", "add", "--library", lib, "--link", elife)
	if st != exitOK || out != "have "+key+"\t"+elife+" (10.7554/eLife.01567)\n" {
		t.Errorf("again: %d %q %q", st, out, errOut)
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
