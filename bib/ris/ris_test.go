package ris

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// formatFile is what a golden file holds: each entry in the canonical BibTeX form with its
// line, then each problem.
func formatFile(f *bib.File) string {
	var b strings.Builder
	for _, it := range f.Items {
		b.WriteString("% line " + strconv.Itoa(it.Line) + "\n")
		b.WriteString(bib.Format(it.Entry))
		b.WriteString("\n")
	}
	for _, p := range f.Problems {
		b.WriteString(p.Error() + "\n")
	}
	return b.String()
}

// TestGolden parses the real records of testdata (see testdata/README.md) and compares the
// entries and problems with the .golden file beside each. Run with -update to accept a change,
// then read the diff.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.ris")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := formatFile(Parse(filepath.Base(path), src))
			golden := strings.TrimSuffix(path, ".ris") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update ./bib/ris)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}

// fields returns an entry's fields as name -> value.
func fields(e *bib.Entry) map[string]string {
	m := map[string]string{}
	for _, f := range e.Fields {
		m[f.Name] = f.Value
	}
	return m
}

func TestParseRecords(t *testing.T) {
	tests := []struct {
		name, src string
		typ, key  string
		want      map[string]string
	}{
		{
			name: "no space before the dash, CRLF, no ER",
			src:  "TY- JOUR\r\nTI- A title\r\nAU- Doe, Jane\r\nPY- 2020\r\n",
			typ:  "article",
			want: map[string]string{"title": "A title", "author": "Doe, Jane", "year": "2020"},
		},
		{
			name: "continuation lines, a BOM and a record type in lower case",
			src:  "\ufeffTY  - book\nTI  - A title that goes\n   on and on\nKW  - one\ntwo\nER  - \n",
			typ:  "book",
			want: map[string]string{"title": "A title that goes on and on", "keywords": "one, two"},
		},
		{
			name: "DA wins over Y1 and PY, month as macro",
			src:  "TY  - JOUR\nY1  - 1900/01/01\nPY  - 1950\nDA  - 1950/06/01/\nER  - \n",
			typ:  "article",
			want: map[string]string{"year": "1950", "month": "June"},
		},
		{
			name: "DA with a month and no year takes PY's year",
			src:  "TY  - JOUR\nDA  - June\nPY  - 2009\nER  - \n",
			typ:  "article",
			want: map[string]string{"year": "2009", "month": "June"},
		},
		{
			name: "SP and EP, SN by shape, DOI cleaned, ID as key",
			src:  "TY  - CHAP\nSP  - 1\nEP  - 22\nSN  - 978-1-4822-5326-9\nDO  - doi:10.1201/b19107-2\nID  - Barata2015\nER  - \n",
			typ:  "incollection", key: "Barata2015",
			want: map[string]string{"pages": "1--22", "isbn": "978-1-4822-5326-9", "doi": "10.1201/b19107-2"},
		},
		{
			name: "an ISSN in a book record, a key BibTeX cannot take",
			src:  "TY  - BOOK\nSN  - 0896-6273\nID  - 12 34\nER  - \n",
			typ:  "book",
			want: map[string]string{"issn": "0896-6273", "ris-id": "12 34"},
		},
		{
			name: "corporate author braced, suffix before the first name, and braced",
			src:  "TY  - RPRT\nAU  - World Health Organization\nAU  - King, Martin Luther, Jr.\nAU  - Procter and Gamble, Team\nPB  - WHO\nER  - \n",
			typ:  "techreport",
			want: map[string]string{"author": "{World Health Organization} and King, Jr., Martin Luther and Procter {and} Gamble, Team", "institution": "WHO"},
		},
		{
			name: "unknown and repeated tags are kept",
			src:  "TY  - JOUR\nUR  - http://a.example\nUR  - http://b.example\nJP  - CRISPR\nJP  - Direct Current\nAD  - Somewhere\nER  - \n",
			typ:  "article",
			want: map[string]string{"url": "http://a.example", "ris-ur": "http://b.example", "ris-jp": "CRISPR; Direct Current", "ris-ad": "Somewhere"},
		},
		{
			name: "special characters escaped, a URL as it is",
			src:  "TY  - ELEC\nTI  - 50% of {x} & y_1 ~ z\nUR  - http://x.example/a_b%20c?d=1&e={f\nER  - \n",
			typ:  "misc",
			want: map[string]string{"title": `50\% of \{x\} \& y\_1 {\textasciitilde} z`, "url": "http://x.example/a_b%20c?d=1&e=%7Bf"},
		},
		{
			name: "a master's thesis, EDBOOK authors are editors, M2 fields",
			src:  "TY  - THES\nM3  - Master's thesis\nPB  - MIT\nM2  - eprint: 2106.09685\nM2  - Cited by 3\nER  - \nTY  - EDBOOK\nAU  - Doe, Jane\nER  - \n",
			typ:  "mastersthesis",
			want: map[string]string{"school": "MIT", "eprint": "2106.09685", "note": "Cited by 3"},
		},
		{
			name: "a conference paper's T2 is its booktitle, a PDF link its file",
			src:  "TY  - CONF\nT2  - Proc. of X\nL1  - internal-pdf://paper.pdf\nER  - \n",
			typ:  "inproceedings",
			want: map[string]string{"booktitle": "Proc. of X", "file": `paper:PDF/paper.pdf:application/pdf`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse("t.ris", []byte(tt.src))
			es := f.Entries()
			if len(es) == 0 {
				t.Fatalf("no entry; problems: %v", f.Problems)
			}
			e := es[0]
			if e.Type != tt.typ || e.Key != tt.key {
				t.Errorf("type, key = %q, %q; want %q, %q", e.Type, e.Key, tt.typ, tt.key)
			}
			got := fields(e)
			for name, want := range tt.want {
				if got[name] != want {
					t.Errorf("%s = %q, want %q (entry:\n%s)", name, got[name], want, bib.Format(e))
				}
			}
			for _, p := range f.Problems {
				if p.Severity == bib.Error {
					t.Errorf("problem: %v", p)
				}
			}
		})
	}
}

func TestEDBOOK(t *testing.T) {
	f := Parse("t.ris", []byte("TY  - EDBOOK\nAU  - Doe, Jane\nTI  - Edited\nER  - \n"))
	e := f.Entries()[0]
	if e.Type != "book" || e.Get("editor") != "Doe, Jane" || e.Get("author") != "" {
		t.Errorf("got\n%s", bib.Format(e))
	}
}

// TestLatin1 reads a file in Windows-1252 (Latin-1): its accented letters are read right, with
// a warning that names the encoding and the first line concerned.
func TestLatin1(t *testing.T) {
	src := []byte("TY  - JOUR\nTI  - Caf\xe9 na\xefve \x93quoted\x94\nAU  - M\xfcller, J\xfcrgen\nER  - \n")
	f := Parse("latin1.ris", src)
	e := f.Entries()[0]
	if got, want := e.Get("title"), "Café naïve “quoted”"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if got, want := e.Get("author"), "Müller, Jürgen"; got != want {
		t.Errorf("author = %q, want %q", got, want)
	}
	if len(f.Problems) != 1 || f.Problems[0].Line != 2 || !strings.Contains(f.Problems[0].Msg, "Windows-1252") {
		t.Errorf("problems = %v", f.Problems)
	}
}

func TestUTF16(t *testing.T) {
	text := "TY  - JOUR\r\nTI  - Ünïcode\r\nER  - \r\n"
	src := []byte{0xff, 0xfe}
	for _, r := range text {
		src = append(src, byte(r), byte(r>>8))
	}
	if !Detect(src) {
		t.Error("Detect: false for UTF-16 RIS")
	}
	f := Parse("u16.ris", src)
	if es := f.Entries(); len(es) != 1 || es[0].Get("title") != "Ünïcode" {
		t.Errorf("entries = %v, problems %v", es, f.Problems)
	}
}

// TestLimits: a value over the size limit is cut, with an Error at its line, and the record
// still becomes an entry.
func TestLimits(t *testing.T) {
	long := strings.Repeat("x", maxValue+10)
	src := "TY  - JOUR\nTI  - short\nAB  - " + long + "\nmore\nER  - \n"
	f := Parse("big.ris", []byte(src))
	if len(f.Entries()) != 1 {
		t.Fatalf("entries = %d", len(f.Entries()))
	}
	if got := len(f.Entries()[0].Get("abstract")); got != maxValue {
		t.Errorf("abstract is %d bytes, want %d", got, maxValue)
	}
	errs := f.Errors()
	if len(errs) != 1 || errs[0].Line != 3 {
		t.Errorf("errors = %v", errs)
	}
	var b strings.Builder
	b.WriteString("TY  - JOUR\n")
	for range maxTags + 5 {
		b.WriteString("KW  - k\n")
	}
	f = Parse("many.ris", []byte(b.String()))
	if len(f.Entries()) != 1 || len(f.Errors()) != 1 {
		t.Errorf("entries %d, errors %v", len(f.Entries()), f.Errors())
	}
}

func TestProblemsHaveLines(t *testing.T) {
	src := "Record #1 of 2\nProvider: X\n\nTY  - NONSUCH\nTI  - a\nTY  - JOUR\nTI  - b\n"
	f := Parse("p.ris", []byte(src))
	if len(f.Entries()) != 2 {
		t.Fatalf("entries = %d", len(f.Entries()))
	}
	want := []int{1, 4, 4}
	var got []int
	for _, p := range f.Problems {
		got = append(got, p.Line)
		if p.File != "p.ris" {
			t.Errorf("problem without its file: %v", p)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problem lines (-want +got):\n%s\n%v", diff, f.Problems)
	}
}

func TestNoRecords(t *testing.T) {
	f := Parse("wos.txt", []byte("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n"))
	if len(f.Items) != 0 || len(f.Problems) == 0 {
		t.Errorf("items %d, problems %v", len(f.Items), f.Problems)
	}
}

func TestDetect(t *testing.T) {
	for src, want := range map[string]bool{
		"TY  - JOUR\nER  - \n": true,
		"\ufeffTY  - JOUR\n":   true,
		"\n\n  TY - BOOK\n":    true,
		"TY- BOOK\n":           true,
		"1.\nRecord #1 of 2\nProvider: X\nTY  - JOUR\n": true,
		"a\nb\nc\nd\ne\nTY  - JOUR\n":                   false,
		"@article{x, title={TY  - JOUR}}\n":             false,
		"FN Clarivate Analytics Web of Science\n":       false,
		"TYPE - JOUR\n":                                 false,
		"":                                              false,
	} {
		if got := Detect([]byte(src)); got != want {
			t.Errorf("Detect(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]date{
		"2014/06/01":       {year: "2014", month: 6, day: 1},
		"2001/09/01/":      {year: "2001", month: 9, day: 1},
		"2001/00/00/":      {year: "2001"},
		"1948/07//":        {year: "1948", month: 7},
		"2014//":           {year: "2014"},
		"2013/02/15/recvd": {year: "2013", month: 2, day: 15},
		"0000":             {},
		"June 2009":        {year: "2009", month: 6},
		"Sept. 12, 1999":   {year: "1999", month: 9},
		"Spring":           {},
		"YEAR/MONTH/DAY/":  {},
	} {
		got, _ := parseDate(in)
		if got != want {
			t.Errorf("parseDate(%q) = %+v, want %+v", in, got, want)
		}
	}
}

func TestRisName(t *testing.T) {
	for in, want := range map[string]string{
		"Claude E. Shannon":           "Shannon, Claude E.",
		"Shannon, Claude E.":          "Shannon, Claude E.",
		"Ludwig van Beethoven":        "van Beethoven, Ludwig",
		"Fontaine, Jr., Jean de la":   "Fontaine, Jean de la, Jr.",
		"{World Health Organization}": "World Health Organization",
		"G{\\\"o}del, Kurt":           "Gödel, Kurt",
		"Aristotle":                   "Aristotle",
		"{Barnes and Noble}, {Inc.}":  "Barnes and Noble, Inc.",
	} {
		if got := risName(in); got != want {
			t.Errorf("risName(%q) = %q, want %q", in, got, want)
		}
	}
}
