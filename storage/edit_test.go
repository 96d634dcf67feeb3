package storage

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bibshelf/bibshelf/bib"
)

const editLib = `@article{knuth1984,
  author = {Donald E. Knuth},
  title  = {Literate Programming},
  journal = {The Computer Journal},
  year = 1984,
  doi = {10.1093/comjnl/27.2.97}
}

@book{lamport1994,
  author = {Leslie Lamport},
  title = {{\LaTeX}: A Document Preparation System},
  publisher = {Addison-Wesley},
  year = 1994
}
`

func TestUpdateEntry(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, editLib)
	if _, err := l.AddTags(ctx, []string{"knuth1984"}, "tex"); err != nil {
		t.Fatal(err)
	}
	if err := l.SetNote(ctx, "knuth1984", "WEB and tangle"); err != nil {
		t.Fatal(err)
	}
	e, err := l.Entry(ctx, "knuth1984")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Set("title", "Literate Programming Revisited"); err != nil {
		t.Fatal(err)
	}
	e.Key, e.Type = "Knuth:LP", "inproceedings"
	if err := l.UpdateEntry(ctx, "KNUTH1984", e); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Knuth:LP"}, searchKeys(t, l, "revisited")); diff != "" {
		t.Errorf("the new title is not searchable (-want +got):\n%s", diff)
	}
	if got := searchKeys(t, l, "key:knuth1984"); len(got) != 0 {
		t.Errorf("the old key still finds %v", got)
	}
	for _, q := range []string{"tag:tex", "tangle", "type:inproceedings"} {
		if diff := cmp.Diff([]string{"Knuth:LP"}, searchKeys(t, l, q)); diff != "" {
			t.Errorf("%s after the rename (-want +got):\n%s", q, diff)
		}
	}
	if got := exported(t, l, "Knuth:LP"); !strings.HasPrefix(got, "@inproceedings{Knuth:LP,\n  author = {Donald E. Knuth},\n  title = {Literate Programming Revisited},") {
		t.Errorf("an edited entry is written in the canonical form; got\n%s", got)
	}

	// An edit in BibTeX form is exported as typed.
	typed := "@book{lamport1994,\n  title = {{\\LaTeX}},   author={Leslie Lamport}, year = 1994, publisher = {AW}}"
	e2 := bib.Parse("edit", []byte(typed)).Entries()[0]
	if err := l.UpdateEntry(ctx, "lamport1994", e2); err != nil {
		t.Fatal(err)
	}
	if got := exported(t, l, "lamport1994"); got != typed {
		t.Errorf("BibTeX-form edit exported as\n%s\nwant\n%s", got, typed)
	}

	// Refused: a taken key, a missing entry, a key BibTeX cannot read, unbalanced braces.
	e2.Key = "knuth:lp"
	if err := l.UpdateEntry(ctx, "lamport1994", e2); !errors.Is(err, fs.ErrExist) {
		t.Errorf("rename onto a taken key: %v, want fs.ErrExist", err)
	}
	e2.Key = "lamport1994"
	if err := l.UpdateEntry(ctx, "nosuch", e2); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of a missing entry: %v, want ErrNotFound", err)
	}
	for _, bad := range []func(*bib.Entry){
		func(e *bib.Entry) { e.Key = "a b" },
		func(e *bib.Entry) { e.Type = "" },
		func(e *bib.Entry) { e.Fields = append(e.Fields, bib.Field{Name: "note", Raw: "{a{b}"}) },
	} {
		c := e2.Clone()
		bad(c)
		if err := l.UpdateEntry(ctx, "lamport1994", c); err == nil {
			t.Errorf("UpdateEntry took %+v", c)
		}
	}
	if got := exported(t, l, "lamport1994"); got != typed {
		t.Errorf("a refused update changed the entry:\n%s", got)
	}
}

// An edit that gives an entry another's DOI makes the two duplicates: the identity is
// recomputed on every change.
func TestUpdateEntryIdentity(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, editLib)
	e, err := l.Entry(ctx, "lamport1994")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Set("doi", "https://doi.org/10.1093/COMJNL/27.2.97"); err != nil {
		t.Fatal(err)
	}
	if err := l.UpdateEntry(ctx, "lamport1994", e); err != nil {
		t.Fatal(err)
	}
	groups, err := l.FindDuplicates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || !cmp.Equal(groups[0].Keys, []string{"knuth1984", "lamport1994"}) {
		t.Errorf("FindDuplicates after the edit = %+v", groups)
	}
}

func TestAddEntry(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, editLib)
	e := &bib.Entry{Type: "article"}
	for name, v := range map[string]string{"author": "Grace Hopper", "title": "The Education of a Computer", "year": "1952"} {
		if err := e.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	key, err := l.AddEntry(ctx, e, "")
	if err != nil || key != "Hopper1952" {
		t.Fatalf("AddEntry = %q, %v; want Hopper1952", key, err)
	}
	if _, err := l.AddEntry(ctx, e, ""); err != nil {
		t.Errorf("a second entry without a key: %v", err)
	}
	if diff := cmp.Diff([]string{"Hopper1952", "Hopper1952a"}, searchKeys(t, l, "education")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	e.Key = "KNUTH1984"
	if _, err := l.AddEntry(ctx, e, ""); !errors.Is(err, fs.ErrExist) {
		t.Errorf("AddEntry with a taken key: %v, want fs.ErrExist", err)
	}
	if n, _ := l.Count(ctx); n != 4 {
		t.Errorf("Count = %d, want 4", n)
	}
}

func TestEachEntry(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, editLib)
	var keys []string
	err := l.EachEntry(ctx, Filter{}, "", func(e *bib.Entry) error {
		if e.Get("title") == "" || e.Source == "" {
			t.Errorf("%s read without its fields or source: %+v", e.Key, e)
		}
		keys = append(keys, e.Key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"knuth1984", "lamport1994"}, keys); diff != "" {
		t.Errorf("all (-want +got):\n%s", diff)
	}
	keys = nil
	if err := l.EachEntry(ctx, Filter{}, "lamport", func(e *bib.Entry) error { keys = append(keys, e.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"lamport1994"}, keys); diff != "" {
		t.Errorf("query (-want +got):\n%s", diff)
	}
	stop := errors.New("stop")
	n := 0
	if err := l.EachEntry(ctx, Filter{}, "", func(*bib.Entry) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("EachEntry after fn's error = %v after %d entries, want stop after 1", err, n)
	}
	if _, err := l.Trash(ctx, "knuth1984"); err != nil {
		t.Fatal(err)
	}
	keys = nil
	if err := l.EachEntry(ctx, Filter{}, "", func(e *bib.Entry) error { keys = append(keys, e.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"lamport1994"}, keys); diff != "" {
		t.Errorf("with one in the trash (-want +got):\n%s", diff)
	}
}

// TestEditExportsOneLine: an entry edited in one field is exported as it was imported but for
// that field's line: its other fields, their alignment, the case of archivePrefix and the
// quoted and joined values stay as written.
func TestEditExportsOneLine(t *testing.T) {
	ctx := context.Background()
	entry := `@Article{smith2020,
  author        = {Smith, John and Doe, Jane},
  title         = "A Study of {BibTeX} Files",
  journal       = cj # " (online)",
  year          = 2020,
  eprint        = {2001.00001},
  archivePrefix = {arXiv},
}`
	l := mustOpenWith(t, "@string{cj = \"The Computer Journal\"}\n\n"+entry+"\n\n"+editLib)
	export := func() string {
		var b strings.Builder
		if _, err := l.Export(ctx, &b, ExportOptions{}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	before := export()
	if !strings.Contains(before, entry) {
		t.Fatalf("the entry is not exported as imported:\n%s", before)
	}
	for _, tc := range []struct {
		what          string
		edit          func(e *bib.Entry) error
		removed, adds string // the line the edit takes out of the export, and the one it puts in
	}{
		{"a value", func(e *bib.Entry) error { return e.Set("title", "A Study of {BibTeX}") },
			`  title         = "A Study of {BibTeX} Files",`, `  title         = {A Study of {BibTeX}},`},
		{"a name in mixed case", func(e *bib.Entry) error { return e.Set("archiveprefix", "arXiv.org") },
			`  archivePrefix = {arXiv},`, `  archivePrefix = {arXiv.org},`},
		{"a field removed", func(e *bib.Entry) error { e.Delete("year"); return nil },
			`  year          = 2020,`, ""},
		{"a field added", func(e *bib.Entry) error { return e.Set("doi", "10.1/x") },
			"", `  doi           = {10.1/x},`},
	} {
		e, err := l.Entry(ctx, "smith2020")
		if err != nil {
			t.Fatal(err)
		}
		if err := tc.edit(e); err != nil {
			t.Fatal(err)
		}
		if err := l.UpdateEntry(ctx, "smith2020", e); err != nil {
			t.Fatal(err)
		}
		if got, err := l.Entry(ctx, "smith2020"); err != nil || got.Source != e.Source || e.Source == "" {
			t.Fatalf("%s: the library keeps the source %q, want %q (%v)", tc.what, got.Source, e.Source, err)
		}
		after := export()
		was, is := changedLines(before, after)
		if want := nonEmpty(tc.removed); !cmp.Equal(was, want) || !cmp.Equal(is, nonEmpty(tc.adds)) {
			t.Errorf("%s: the export changed\n%q\nto\n%q\nwant\n%q\nto\n%q", tc.what, was, is, want, nonEmpty(tc.adds))
		}
		before = after
	}
}

// changedLines returns the lines of a and of b between the lines they begin and end with alike.
func changedLines(a, b string) (was, is []string) {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	p := 0
	for p < len(la) && p < len(lb) && la[p] == lb[p] {
		p++
	}
	s := 0
	for s < len(la)-p && s < len(lb)-p && la[len(la)-1-s] == lb[len(lb)-1-s] {
		s++
	}
	return la[p : len(la)-s], lb[p : len(lb)-s]
}

func nonEmpty(line string) []string {
	if line == "" {
		return []string{}
	}
	return []string{line}
}
