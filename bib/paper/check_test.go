package paper

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bibshelf/bibshelf/bib"
)

// mapLibrary is a Library of a few entries, by key.
type mapLibrary map[string]*bib.Entry

func (m mapLibrary) EntriesByKey(_ context.Context, keys []string) (map[string]*bib.Entry, error) {
	out := map[string]*bib.Entry{}
	for _, k := range keys {
		if e, ok := m[k]; ok {
			out[k] = e
		}
	}
	return out, nil
}

// TestCheckFromBib: Check says which cited keys the library has (with their parents) and which
// only the .bib files define; FromBib cuts those out with their parents, in whichever file, and
// the @strings they use, through other @strings too, in each file's order.
func TestCheckFromBib(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"main.tex": `\bibliography{a,b}\cite{inlib,child,nowhere}`,
		"a.bib": `@string{org = "Acme"}
@string{pub = org # " Press"}
@string{other = "Other"}
@inproceedings{child, title = {Child}, crossref = {parent}, publisher = pub}
@misc{unused, title = other}
`,
		"b.bib": `@proceedings{parent, title = {Parent}, year = 2020}
`,
	})
	p, err := Open(filepath.Join(dir, "main.tex"))
	if err != nil {
		t.Fatal(err)
	}
	lib := mapLibrary{
		"inlib":     {Type: "misc", Key: "inlib", Fields: []bib.Field{{Name: "crossref", Value: "libparent"}}},
		"libparent": {Type: "proceedings", Key: "libparent"},
	}
	rep, err := Check(context.Background(), p, lib)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"inlib"}, rep.InLibrary); diff != "" {
		t.Errorf("InLibrary (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"libparent"}, rep.Parents); diff != "" {
		t.Errorf("Parents (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"child"}, rep.BibOnly); diff != "" {
		t.Errorf("BibOnly (-want +got):\n%s", diff)
	}
	var got [][]string
	for _, f := range rep.FromBib(rep.BibOnly) {
		var items []string
		for _, it := range f.Items {
			if it.Kind == bib.KindEntry {
				items = append(items, it.Entry.Key)
			} else {
				items = append(items, "@"+it.Name)
			}
		}
		got = append(got, append([]string{filepath.Base(f.Name)}, items...))
	}
	want := [][]string{{"a.bib", "@org", "@pub", "child"}, {"b.bib", "parent"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FromBib (-want +got):\n%s", diff)
	}
}

// TestCheckInheritance: a crossref parent's title is its child's booktitle for biblatex, not
// for BibTeX, whose standard styles give a child the parent's fields of the same name only.
func TestCheckInheritance(t *testing.T) {
	for _, tc := range []struct {
		name, tex string
		want      []string
	}{
		{"bibtex", `\bibliography{a}\cite{child}`, []string{`"child" (@inproceedings) has no booktitle`}},
		{"biblatex", `\usepackage{biblatex}\addbibresource{a.bib}\cite{child}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{
				"main.tex": tc.tex,
				"a.bib":    "@inproceedings{child, author = {A}, title = {Child}, crossref = {parent}}\n@proceedings{parent, title = {Parent}, year = 2020}\n",
			})
			p, err := Open(filepath.Join(dir, "main.tex"))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Check(context.Background(), p, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Problems {
				if f.Kind == "missing-fields" {
					got = append(got, f.Message)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("missing fields (-want +got):\n%s", diff)
			}
		})
	}
}
