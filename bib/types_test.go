package bib

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMissing(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want []string
	}{
		{`@article{a, author = {X}, title = {T}, journal = {J}, year = 2020}`, nil},
		{`@article{a, author = {X}, title = {T}, year = 2020}`, []string{"journal"}},
		{`@book{a, editor = {E}, title = {T}, year = 2020}`, []string{"publisher"}},
		{`@Book{a, title = {T}}`, []string{"author or editor", "publisher", "year"}},
		{`@online{a, author = {X}, title = {T}, date = {2020-01-02}, url = {http://x}}`, nil},
		{`@misc{a}`, nil},
		{`@whatever{a}`, nil},
		{`@article{a, author = {}, title = { }, journal = {J}, year = 2020}`, []string{"author", "title"}},
	} {
		f := Parse("t.bib", []byte(tt.src))
		got := Missing(f.Entries()[0])
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.src, diff)
		}
	}
	if !IsRequired("Book", "editor") || IsRequired("book", "volume") || IsRequired("nosuch", "title") {
		t.Error("IsRequired is wrong")
	}
}

func TestMissingBibLaTeX(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want []string
	}{
		{`@article{a, author = {X}, title = {T}, journaltitle = {J}, date = {2020-05}}`, nil},
		{`@article{a, author = {X}, title = {T}, journal = {J}, year = 2020}`, nil},
		{`@article{a, author = {X}, title = {T}}`, []string{"journaltitle or journal", "year or date"}},
		{`@book{a, editor = {E}, title = {T}, year = 2020}`, []string{"author"}},
		{`@misc{a}`, []string{"author or editor", "title", "year or date"}},
		{`@online{a, editor = {E}, title = {T}, date = {2020}}`, []string{"doi or eprint or url"}},
		{`@phdthesis{a, author = {X}, title = {T}, school = {S}, year = 2020}`, nil},
		{`@thesis{a, author = {X}, title = {T}, institution = {S}, year = 2020}`, []string{"type"}},
		{`@xdata{a}`, nil},
	} {
		f := Parse("t.bib", []byte(tt.src))
		got := MissingBibLaTeX(f.Entries()[0])
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.src, diff)
		}
	}
}

func TestCheckKey(t *testing.T) {
	for key, ok := range map[string]bool{
		"knuth1984": true, "Knuth:TeX-1984.a+b": true, "müller2020": true, "": false, "a b": false,
		"a,b": false, "a{b": false, "a}": false, `a\b`: false, "a%b": false, "a#b": false, "a\tb": false,
	} {
		if err := CheckKey(key); (err == nil) != ok {
			t.Errorf("CheckKey(%q) = %v", key, err)
		}
	}
	for typ, ok := range map[string]bool{"article": true, "Online": true, "": false, "art icle": false, "a{": false} {
		if err := CheckType(typ); (err == nil) != ok {
			t.Errorf("CheckType(%q) = %v", typ, err)
		}
	}
}

func TestDeleteClone(t *testing.T) {
	e := Parse("t.bib", []byte("@article{a, title = {T}, note = {x}, Note = {y}, year = 2020}")).Entries()[0]
	c := e.Clone()
	if !c.Delete("NOTE") || c.Delete("note") || c.Source != "" {
		t.Fatalf("Delete: %+v", c)
	}
	if got := Format(c); got != "@article{a,\n  title = {T},\n  year = {2020},\n}" {
		t.Errorf("after Delete:\n%s", got)
	}
	if len(e.Fields) != 4 || e.Source == "" {
		t.Errorf("the original changed: %+v", e)
	}
}

func TestRename(t *testing.T) {
	for _, tt := range []struct{ src, typ, key, want string }{
		{"@article{knuth84,\n  title = {T}}", "book", "Knuth:1984", "@book{Knuth:1984,\n  title = {T}}"},
		{"@Article ( knuth84 , title = {T})", "article", "k2", "@article ( k2 , title = {T})"},
		{"@misc{a}", "misc", "b", "@misc{b}"},
		{"@misc{a, title = {T}}", "misc", "a}b", ""}, // a key with } needs parentheses: canonical
	} {
		e := Parse("t.bib", []byte(tt.src)).Entries()[0]
		e.Rename(tt.typ, tt.key)
		if e.Source != tt.want || e.Key != tt.key {
			t.Errorf("Rename(%q, %q) of %q: source %q, want %q", tt.typ, tt.key, tt.src, e.Source, tt.want)
		}
		if tt.want != "" {
			again := Parse("t.bib", []byte(e.Source)).Entries()
			if len(again) != 1 || again[0].Key != tt.key || again[0].Type != strings.ToLower(tt.typ) || len(again[0].Fields) != len(e.Fields) {
				t.Errorf("the renamed source does not read back: %q", e.Source)
			}
		}
	}
}

func TestSetField(t *testing.T) {
	e := Parse("t.bib", []byte("@article{a, author = {X}, year = 2020}")).Entries()[0]
	e.SetField(Field{Name: "Title", Raw: `"Quoted " # jan`, Value: "Quoted January"})
	e.SetField(Field{Name: "year", Raw: "{2021}", Value: "2021"})
	if got, want := Format(e), "@article{a,\n  author = {X},\n  title = \"Quoted \" # jan,\n  year = {2021},\n}"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// ParseString reads what Parse reads, encodings included.
func TestParseStringMatchesParse(t *testing.T) {
	for _, src := range []string{
		"@article{a, title = {Gödel}}\n",
		"\ufeff@article{a, title = {BOM}}\n",
		"@article{a, title = {caf\xe9}}\n",                       // Windows-1252
		"\xff\xfe@\x00m\x00i\x00s\x00c\x00{\x00b\x00}\x00\n\x00", // UTF-16 LE
	} {
		want := Parse("t.bib", []byte(src))
		got := ParseString("t.bib", src)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q (-Parse +ParseString):\n%s", src, diff)
		}
	}
	path := filepath.Join(t.TempDir(), "r.bib")
	if err := os.WriteFile(path, []byte("@misc{x}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err := ReadFile(path); err != nil || s != "@misc{x}" {
		t.Errorf("ReadFile = %q, %v", s, err)
	}
}

func TestMissingBibLaTeXNames(t *testing.T) {
	e := &Entry{Type: "article", Fields: []Field{{Name: "author", Value: "A"}, {Name: "title", Value: "T"},
		{Name: "journaltitle", Value: "J"}, {Name: "date", Value: "2020-01"}}}
	if got := Missing(e); !slices.Equal(got, []string{"journal", "year"}) {
		t.Errorf("Missing = %q", got)
	}
	if got := MissingBibLaTeX(e); len(got) != 0 {
		t.Errorf("MissingBibLaTeX = %q", got)
	}
	e.Type = "phdthesis"
	if got := MissingBibLaTeX(e); !slices.Equal(got, []string{"institution or school"}) {
		t.Errorf("MissingBibLaTeX of a thesis without school = %q", got)
	}
}
