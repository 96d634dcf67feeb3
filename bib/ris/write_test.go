package ris

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/google/go-cmp/cmp"
)

// reading is what a reader of an entry sees of a field: plain text, names in reading order,
// keywords one by one, dashes as one hyphen, a month as its number.
func reading(e *bib.Entry) map[string]string {
	m := map[string]string{"@type": e.Type, "@key": e.Key}
	for _, f := range e.Fields {
		if f.Duplicate {
			continue
		}
		v := f.Value
		switch f.Name {
		case "author", "editor", "translator", "collaborator":
			var names []string
			for _, n := range bib.SplitNames(v) {
				names = append(names, bib.DisplayName(n))
			}
			v = strings.Join(names, " | ")
		case "keywords":
			v = strings.Join(bib.SplitKeywords(bib.Plain(v), ""), " | ")
		case "month":
			v = strconv.Itoa(monthOf(bib.Plain(v)))
		case "file": // the title of a file is its name after a round trip
			var files []string
			for _, f := range splitEscaped(v, ';') {
				_, rest, _ := strings.Cut(f, ":")
				files = append(files, rest)
			}
			v = strings.Join(files, ";")
		case "url", "doi", "eprint", "isbn", "issn":
		default:
			v = dashes.ReplaceAllString(bib.Plain(v), "-")
			v = strings.ReplaceAll(v, "–", "-")
		}
		m[f.Name] = v
	}
	return m
}

// TestRoundTripSample writes the sample library as RIS and parses it back: every entry keeps
// its type, key and the reading of every field.
func TestRoundTripSample(t *testing.T) {
	src, err := os.ReadFile("../../assets/sample-library.bib")
	if err != nil {
		t.Fatal(err)
	}
	lib := bib.Parse("sample-library.bib", src)
	entries := lib.Entries()
	if len(entries) < 50 {
		t.Fatalf("%d entries in the sample library", len(entries))
	}
	var out bytes.Buffer
	if err := Write(&out, entries); err != nil {
		t.Fatal(err)
	}
	back := Parse("sample.ris", out.Bytes())
	if len(back.Problems) > 0 {
		t.Errorf("problems reading the export back: %v", back.Problems)
	}
	got := back.Entries()
	if len(got) != len(entries) {
		t.Fatalf("%d entries back, want %d", len(got), len(entries))
	}
	for i, e := range entries {
		if diff := cmp.Diff(reading(e), reading(got[i])); diff != "" {
			t.Errorf("%s (-bibtex +ris):\n%s", e.Key, diff)
		}
	}
}

// TestRoundTripFields writes entries with the fields RIS has tags for, and those it has not,
// and parses them back.
func TestRoundTripFields(t *testing.T) {
	src := `@book{knuth84, author = {Donald E. Knuth and {The TeX Users Group}}, editor = {Fontaine, Jr., Jean de la},
  title = {The {\TeX}book}, publisher = {Addison-Wesley}, address = {Reading, MA}, year = 1984, month = sep,
  isbn = {0-201-13447-0}, series = {Computers \& Typesetting}, volume = {A}, edition = {2nd},
  note = {see: page 3}, howpublished = {print}, crossref = {x}, pagetotal = {483}, language = {english},
  file = {:/home/a/knuth.pdf:application/pdf}, ris-ad = {Stanford}}
@article{a1, author = {G{\"o}del, Kurt}, title = {{\"U}ber formal unentscheidbare S{\"a}tze}, journal = {Monatshefte},
  volume = 38, number = 1, pages = {173--198}, year = 1931, issn = {0026-9255}, doi = {10.1007/BF01700692},
  url = {https://doi.org/10.1007/BF01700692}, eprint = {2106.09685}, archiveprefix = {arXiv}, keywords = {logic; incompleteness},
  abstract = {50\% of $\alpha$}, annote = {read twice}, urldate = {2024-01-31}}
@mastersthesis{m, author = {Doe, Jane}, title = {T}, school = {MIT}, year = {2020a}}
@inproceedings{p, author = {Roe, R.}, title = {P}, booktitle = {Proc. X}, series = {LNCS}, pages = {1--10}, editor = {Ed, E.}, year = 2001, month = {June}}
@misc{w, title = {W}, howpublished = {\url{http://x}}, date = {2019-09}}
`
	f := bib.Parse("t.bib", []byte(src))
	if err := f.Problems.Err(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Write(&out, f.Entries()); err != nil {
		t.Fatal(err)
	}
	back := Parse("t.ris", out.Bytes())
	if len(back.Problems) > 0 {
		t.Errorf("problems: %v", back.Problems)
	}
	for i, e := range f.Entries() {
		want := reading(e)
		if e.Key == "w" { // a BibLaTeX date without a year comes back as year and month
			delete(want, "date")
			want["year"], want["month"] = "2019", "9"
		}
		if diff := cmp.Diff(want, reading(back.Entries()[i])); diff != "" {
			t.Errorf("%s (-bibtex +ris):\n%s\nRIS:\n%s", e.Key, diff, out.String())
		}
	}
	for _, line := range []string{"TY  - BOOK\r\n", "AU  - Knuth, Donald E.\r\n", "AU  - The TeX Users Group\r\n",
		"A3  - Fontaine, Jean de la, Jr.\r\n", "TI  - The TeXbook\r\n", "AU  - Gödel, Kurt\r\n",
		"SP  - 173\r\nEP  - 198\r\n", "KW  - logic\r\nKW  - incompleteness\r\n", "M2  - eprint: 2106.09685\r\n",
		"M2  - note: see: page 3\r\n", "L1  - /home/a/knuth.pdf\r\n", "Y2  - 2024/01/31/\r\n", "AD  - Stanford\r\n", "DA  - 1984/09//\r\n",
		"M3  - Master's thesis\r\n", "M2  - year: 2020a\r\n", "ER  - \r\n\r\n"} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("the RIS lacks %q:\n%s", line, out.String())
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	e := &bib.Entry{Type: "misc", Key: "k"}
	_ = e.Set("title", "x")
	err := Write(failWriter{}, slices.Repeat([]*bib.Entry{e}, 1000))
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err = %v", err)
	}
}
