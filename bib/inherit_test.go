package bib

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestParents(t *testing.T) {
	e := ParseString("t.bib", "@inbook{c, crossref = { b }, xdata = {x1, b,, x2 }, xref = {r}, related = {s}}").Entries()[0]
	if got, want := Parents(e), []string{"b", "x1", "x2"}; !slices.Equal(got, want) {
		t.Errorf("Parents = %q, want %q", got, want)
	}
	if got := Parents(&Entry{Type: "misc", Key: "m"}); len(got) != 0 {
		t.Errorf("Parents of an entry without parents = %q", got)
	}
}

// TestInherit checks what a child reads of its parent in BibTeX and in biblatex, the latter
// against the biblatex manual's appendix B.
func TestInherit(t *testing.T) {
	parse := func(src string) *Entry { return ParseString("t.bib", src).Entries()[0] }
	child := parse("@inproceedings{c, author = {A}, title = {T}, crossref = {p}}")
	parent := parse("@proceedings{p, title = {Proc}, subtitle = {Sub}, shorttitle = {P}, year = {1986}, editor = {E}, shorthand = {PR}, crossref = {q}}")

	got := Inherit(child, parent, BibTeX)
	for name, want := range map[string]string{"author": "A", "title": "T", "year": "1986", "editor": "E", "subtitle": "Sub",
		"shorttitle": "P", "shorthand": "PR", "crossref": "p", "booktitle": ""} {
		if v := got.Get(name); v != want {
			t.Errorf("BibTeX: %s = %q, want %q", name, v, want)
		}
	}
	if got.Source != "" || len(child.Fields) != 3 {
		t.Errorf("Inherit kept the source %q or changed the child (%d fields)", got.Source, len(child.Fields))
	}

	got = Inherit(child, parent, BibLaTeX)
	for name, want := range map[string]string{"author": "A", "title": "T", "booktitle": "Proc", "booksubtitle": "Sub",
		"year": "1986", "editor": "E", "subtitle": "", "shorttitle": "", "shorthand": "", "crossref": "p"} {
		if v := got.Get(name); v != want {
			t.Errorf("biblatex: %s = %q, want %q", name, v, want)
		}
	}

	// An alias reads as its type; a @book gives an @inbook its author as bookauthor too; an
	// @mvbook its title as a @book's maintitle; a @periodical as an @article's journaltitle.
	for _, tc := range []struct{ child, parent, field, want string }{
		{"@conference{c, title = {T}}", "@proceedings{p, title = {Proc}}", "booktitle", "Proc"},
		{"@inbook{c, title = {T}}", "@book{p, title = {B}, author = {W}}", "bookauthor", "W"},
		{"@inbook{c, title = {T}}", "@book{p, title = {B}, author = {W}}", "author", "W"},
		{"@book{c, title = {T}}", "@mvbook{p, title = {Works}}", "maintitle", "Works"},
		{"@book{c, title = {T}}", "@mvbook{p, title = {Works}}", "booktitle", ""},
		{"@article{c, title = {T}}", "@periodical{p, title = {J}}", "journaltitle", "J"},
		{"@misc{c, title = {T}}", "@proceedings{p, title = {Proc}, note = {N}}", "note", "N"},
		{"@misc{c, title = {T}}", "@proceedings{p, title = {Proc}}", "booktitle", ""},
	} {
		if v := Inherit(parse(tc.child), parse(tc.parent), BibLaTeX).Get(tc.field); v != tc.want {
			t.Errorf("%s from %s: %s = %q, want %q", tc.child, tc.parent, tc.field, v, tc.want)
		}
	}

	// An @xdata parent gives every field to biblatex, nothing to BibTeX.
	x := parse("@xdata{x, title = {Proc}, publisher = {P}}")
	if got := Inherit(parse("@inproceedings{c, xdata = {x}}"), x, BibLaTeX); got.Get("title") != "Proc" || got.Get("publisher") != "P" || got.Get("booktitle") != "" {
		t.Errorf("biblatex from @xdata: %v", got.Fields)
	}
	if got := Inherit(parse("@inproceedings{c, xdata = {x}}"), x, BibTeX); len(got.Fields) != 1 {
		t.Errorf("BibTeX from @xdata: %v", got.Fields)
	}
}

// TestInheritManyFields: each field of the parent was looked for among the child's, one by one,
// so that a parent of 40,000 fields took seconds to lint; 100,000 take milliseconds.
func TestInheritManyFields(t *testing.T) {
	parent := &Entry{Type: "proceedings", Key: "p"}
	for i := range 100_000 {
		parent.Fields = append(parent.Fields, Field{Name: fmt.Sprintf("f%d", i), Value: "x"})
	}
	child := &Entry{Type: "inproceedings", Key: "c", Fields: []Field{{Name: "F7", Value: "own"}, {Name: "crossref", Value: "p"}}}
	for _, d := range []Dialect{BibTeX, BibLaTeX} {
		start := time.Now()
		out := Inherit(child, parent, d)
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%v: took %v", d, took)
		}
		if len(out.Fields) != 100_001 || out.Get("f7") != "own" || out.Get("f99999") != "x" {
			t.Errorf("%v: %d fields, f7 %q", d, len(out.Fields), out.Get("f7"))
		}
	}
}
