package ris

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/google/go-cmp/cmp"
)

func addFixtures(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.ris")
	for _, path := range files {
		if src, err := os.ReadFile(path); err == nil && len(src) < 4096 {
			f.Add(src)
		}
	}
	f.Add([]byte("TY- JOUR\r\nAU- Doe, Jane\r\nKW- a\nb;c\nPY- 2020/13/40/x\nSP- 5\nEP- 1\nER-"))
	f.Add([]byte("\xff\xfeT\x00Y\x00 \x00-\x00 \x00B\x00O\x00O\x00K\x00"))
	f.Add([]byte("TY  - THES\nM3  - MSc\nL1  - internal-pdf://a{b}.pdf\nM2  - file: x\nID  - a,b\n"))
	f.Add([]byte("  TY  - JOUR\nTI  - \xe9t\xe9 {\\}\nDO  - 10.1/}\n"))
}

// FuzzParse checks that Parse never panics, that every problem has its file and line, and
// that every entry is one BibTeX reads back as it is and Write writes as a record that Parse
// reads again.
func FuzzParse(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		file := Parse("fuzz.ris", src)
		for _, p := range file.Problems {
			if p.File != "fuzz.ris" || p.Line < 1 || p.Col < 1 {
				t.Fatalf("problem without its place: %#v", p)
			}
		}
		entries := file.Entries()
		for _, e := range entries {
			if err := bib.CheckType(e.Type); err != nil {
				t.Fatal(err)
			}
			if e.Key != "" && bib.CheckKey(e.Key) != nil {
				t.Fatalf("key %q", e.Key)
			}
			// The fields are what Set would have made of them.
			viaSet := &bib.Entry{Type: e.Type, Key: e.Key, Line: e.Line}
			for _, fl := range e.Fields {
				v := fl.Raw
				if len(v) >= 2 && v[0] == '{' {
					v = v[1 : len(v)-1]
				}
				if err := viaSet.Set(fl.Name, v); err != nil {
					t.Fatal(err)
				}
			}
			if d := cmp.Diff(viaSet.Fields, e.Fields); d != "" {
				t.Fatalf("fields differ from Set's (-set +parse):\n%s", d)
			}
			back := bib.Parse("entry.bib", []byte(bib.Format(e)))
			if len(back.Entries()) != 1 || back.Errors() != nil || !bib.SameReading(e, back.Entries()[0]) {
				t.Fatalf("the entry does not read back:\n%s\n%v", bib.Format(e), back.Problems)
			}
		}
		var out bytes.Buffer
		if err := Write(&out, entries); err != nil {
			t.Fatal(err)
		}
		if again := Parse("again.ris", out.Bytes()); len(again.Entries()) != len(entries) {
			t.Fatalf("%d entries written, %d read back:\n%s", len(entries), len(again.Entries()), out.String())
		}
	})
}

// FuzzDetect checks that Detect never panics and that a text it takes for RIS gives Parse at
// least one record.
func FuzzDetect(f *testing.F) {
	addFixtures(f)
	f.Add([]byte("@article{x, title={TY  - JOUR}}"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if Detect(src) && len(Parse("fuzz.ris", src).Entries()) == 0 {
			t.Fatalf("Detect took %q for RIS, Parse found no record", src)
		}
	})
}

// FuzzQuickEscape checks that quickEscape, the shortcut for text that needs nothing done, always
// gives what bib.Escape gives.
func FuzzQuickEscape(f *testing.F) {
	for _, s := range []string{"plain words", "a  b", " a", "a\tb", "50% & more", "Gödel\u00a0x", "x{y}", "\u2003"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := quickEscape(s), bib.Escape(s); got != want {
			t.Fatalf("quickEscape(%q) = %q, bib.Escape %q", s, got, want)
		}
	})
}

// TestSortByRank: sortByRank orders fields as a stable sort by bib.FieldRank does, for lists
// shorter and longer than its buffer.
func TestSortByRank(t *testing.T) {
	names := append(bib.FieldOrder(), "zzunknown", "another", "title", "author")
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 70 {
		fields := make([]bib.Field, n)
		for i := range fields {
			fields[i] = bib.Field{Name: names[rng.IntN(len(names))], Line: i}
		}
		want := slices.Clone(fields)
		slices.SortStableFunc(want, func(a, b bib.Field) int { return rank(a.Name) - rank(b.Name) })
		sortByRank(fields)
		if !slices.Equal(fields, want) {
			t.Fatalf("%d fields: %v, want %v", n, fields, want)
		}
	}
}
