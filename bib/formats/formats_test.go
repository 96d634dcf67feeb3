package formats

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/csl"
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

// TestNewReader reads a file of each format with NewReader and NewReaderString: each gives the
// format, items and problems of Parse.
func TestNewReader(t *testing.T) {
	files := map[string]Format{
		filepath.Join("..", "medline", "testdata", "zotero-8-case-report.nbib"): MEDLINE,
		filepath.Join("..", "ris", "testdata", "zotero-all-types.ris"):          RIS,
		filepath.Join("..", "..", "assets", "sample-library.bib"):               BibTeX,
	}
	endnoteFiles, _ := filepath.Glob(filepath.Join("..", "endnote", "testdata", "*.xml"))
	for _, f := range endnoteFiles {
		files[f] = EndNoteXML
	}
	srcs := map[string][]byte{}
	for path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		srcs[path] = src
	}
	var cslSrc bytes.Buffer
	if err := csl.Write(&cslSrc, bib.Parse("s.bib", srcs[filepath.Join("..", "..", "assets", "sample-library.bib")]).Entries()); err != nil {
		t.Fatal(err)
	}
	srcs["sample.json"], files["sample.json"] = cslSrc.Bytes(), CSLJSON
	for path, src := range srcs {
		want, wantFormat := Parse(path, src)
		if wantFormat != files[path] {
			t.Fatalf("%s: Parse reads it as %v, not %v", path, wantFormat, files[path])
		}
		r1, f1 := NewReader(path, src)
		r2, f2 := NewReaderString(path, string(src))
		for _, r := range []bib.ItemReader{r1, r2} {
			if f1 != wantFormat || f2 != wantFormat {
				t.Errorf("%s: NewReader reads it as %v, NewReaderString as %v, not %v", path, f1, f2, wantFormat)
			}
			if r.Name() != path {
				t.Errorf("%s: the reader's name is %q", path, r.Name())
			}
			if r.Estimate() != len(want.Entries()) && wantFormat != BibTeX {
				t.Errorf("%s: Estimate %d, %d entries", path, r.Estimate(), len(want.Entries()))
			}
			var items []bib.Item
			for it, ok := r.Next(); ok; it, ok = r.Next() {
				items = append(items, it)
			}
			if !reflect.DeepEqual(items, want.Items) || !reflect.DeepEqual(r.Problems(), want.Problems) {
				t.Errorf("%s: the reader gives %d items and %d problems, Parse %d and %d, or other ones",
					path, len(items), len(r.Problems()), len(want.Items), len(want.Problems))
			}
		}
	}
}
