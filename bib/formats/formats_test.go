package formats

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDetect: the format is the content's, whatever the name says, except that a .bib file is
// always BibTeX.
func TestDetect(t *testing.T) {
	medlineSrc, err := os.ReadFile(filepath.Join("..", "medline", "testdata", "zotero-8-case-report.nbib"))
	if err != nil {
		t.Fatal(err)
	}
	endnoteFiles, _ := filepath.Glob(filepath.Join("..", "endnote", "testdata", "*.xml"))
	if len(endnoteFiles) == 0 {
		t.Fatal("no EndNote XML test file")
	}
	endnoteSrc, err := os.ReadFile(endnoteFiles[0])
	if err != nil {
		t.Fatal(err)
	}
	bibtex := []byte("@article{a, title = {T}}\n")
	cslSrc := []byte(`[{"id": "a", "type": "article-journal", "title": "T", "issued": {"date-parts": [[2020]]}}]`)
	risSrc := []byte("TY  - JOUR\r\nTI  - A title\r\nAU  - Gödel, Kurt\r\nER  - \r\n")
	for _, tt := range []struct {
		name string
		src  []byte
		want Format
	}{
		{"refs.bib", bibtex, BibTeX},
		{"refs.txt", bibtex, BibTeX},
		{"<stdin>", bibtex, BibTeX},
		{"pubmed.nbib", medlineSrc, MEDLINE},
		{"download.txt", medlineSrc, MEDLINE},
		{"<stdin>", medlineSrc, MEDLINE},
		{"library.xml", endnoteSrc, EndNoteXML},
		{"library", endnoteSrc, EndNoteXML},
		{"odd.bib", medlineSrc, BibTeX},
		{"citation.ris", risSrc, RIS},
		{"refs.json", cslSrc, CSLJSON},
		{"<stdin>", cslSrc, CSLJSON},
		{"export.txt", risSrc, RIS},
		{"empty", nil, BibTeX},
	} {
		if got := Detect(tt.name, tt.src); got != tt.want {
			t.Errorf("Detect(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
	f, format := Parse("download.txt", medlineSrc)
	if format != MEDLINE || len(f.Entries()) == 0 {
		t.Errorf("Parse of MEDLINE text: %v, %d entries", format, len(f.Entries()))
	}
}
