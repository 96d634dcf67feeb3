package storage

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bibshelf/bibshelf/bib"
)

// filterKeys returns the keys a search, its count and an export with a filter each give, after
// checking that the three agree.
func filterKeys(t *testing.T, l *Library, f Filter, query string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := l.SearchWith(ctx, SearchOptions{Filter: f, Query: query})
	if err != nil {
		t.Fatalf("SearchWith(%+v, %q): %v", f, query, err)
	}
	var keys []string
	for _, r := range rows {
		keys = append(keys, r.Key)
	}
	n, err := l.CountMatches(ctx, f, query)
	if err != nil || n != len(keys) {
		t.Errorf("CountMatches(%+v, %q) = %d, %v; the search gave %d", f, query, n, err, len(keys))
	}
	var out bytes.Buffer
	written, err := l.Export(ctx, &out, ExportOptions{Filter: f, Query: query})
	if err != nil || written != len(keys) {
		t.Errorf("Export(%+v, %q) = %d, %v; the search gave %d", f, query, written, err, len(keys))
	}
	slices.Sort(keys)
	return keys
}

// TestFilterByIdentity: the window selects a collection by its id and a tag by its name, never
// through the query language, so two collections of one name keep apart and any character may
// be in a name.
func TestFilterByIdentity(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, fourEntries)
	mk := func(parent []string, name string) Collection {
		t.Helper()
		c, err := l.CreateCollection(ctx, parent, name)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	mk(nil, "Thesis")
	mk(nil, "Grant")
	thesisDrafts := mk([]string{"Thesis"}, "Drafts")
	grantDrafts := mk([]string{"Grant"}, "Drafts")
	quoted := mk(nil, `The "good" ones`)
	sub := mk([]string{"Thesis", "Drafts"}, "Chapter 1")
	for id, keys := range map[int64][]string{thesisDrafts.ID: {"alpha"}, grantDrafts.ID: {"beta"}, quoted.ID: {"gamma"}, sub.ID: {"delta"}} {
		if _, err := l.AddToCollection(ctx, id, keys...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.AddTags(ctx, []string{"alpha", "gamma"}, `say "hi"`); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddTags(ctx, []string{"gamma"}, "ml/contrastive learning"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		f     Filter
		query string
		want  []string
	}{
		{Filter{Collection: thesisDrafts.ID}, "", []string{"alpha", "delta"}}, // with its sub-collection
		{Filter{Collection: grantDrafts.ID}, "", []string{"beta"}},
		{Filter{Collection: quoted.ID}, "", []string{"gamma"}},
		{Filter{Collection: sub.ID}, "", []string{"delta"}},
		{Filter{Collection: 999}, "", nil},
		{Filter{Tags: []string{`say "hi"`}}, "", []string{"alpha", "gamma"}},
		{Filter{Tags: []string{"ml"}}, "", []string{"gamma"}},
		{Filter{Tags: []string{"ml", `say "hi"`}}, "", []string{"gamma"}},
		{Filter{Tags: []string{`say "hi"`}}, "engines", []string{"alpha"}},
		{Filter{Collection: thesisDrafts.ID}, "noether", []string{"delta"}},
		{Filter{Unfiled: true}, "", nil},
		{Filter{}, "", []string{"alpha", "beta", "delta", "gamma"}},
	} {
		if got := filterKeys(t, l, tt.f, tt.query); !cmp.Equal(got, tt.want) {
			t.Errorf("%+v %q: got %v, want %v", tt.f, tt.query, got, tt.want)
		}
	}
	// Typed text still names a collection by its name, anywhere in the tree.
	if got := filterKeys(t, l, Filter{}, `in:drafts`); strings.Join(got, " ") != "alpha beta delta" {
		t.Errorf(`in:drafts = %v, want every collection named Drafts`, got)
	}
}

// An import lists the entries it added, and puts them into the collection it is given, in its
// transaction: what the window shows after a paste or a drop into a collection.
func TestImportAddsToCollection(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, fourEntries)
	c, err := l.CreateCollection(ctx, nil, "Drafts")
	if err != nil {
		t.Fatal(err)
	}
	src := `@article{alpha, author = {Ada Lovelace}, title = {Analytical Engines}, year = 1843}
@article{epsilon, title = {New}, year = 2001}
@article{beta, title = {Another paper under beta's key}, year = 1999}
`
	rep, err := l.ImportWith(ctx, bib.Parse("new.bib", []byte(src)), ImportOptions{Collection: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	// alpha is the same entry: skipped; beta is another paper: lettered.
	if want := []string{"epsilon", "betaa"}; !cmp.Equal(rep.Added, want) {
		t.Errorf("Added = %v, want %v", rep.Added, want)
	}
	if got := filterKeys(t, l, Filter{Collection: c.ID}, ""); !cmp.Equal(got, []string{"betaa", "epsilon"}) {
		t.Errorf("the collection holds %v", got)
	}
	if _, err := l.ImportWith(ctx, bib.Parse("x.bib", []byte(`@misc{zeta, title = {Z}}`)), ImportOptions{Collection: 999}); err == nil {
		t.Error("an import into a collection that does not exist succeeded")
	}
	if n, _ := l.Count(ctx); n != 6 {
		t.Errorf("%d entries: the refused import added some", n)
	}
}

// Counts reads what the sidebar shows in one transaction; each number is what selecting the
// view shows.
func TestCounts(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, fourEntries)
	mk := func(parent []string, name string, keys ...string) Collection {
		t.Helper()
		c, err := l.CreateCollection(ctx, parent, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.AddToCollection(ctx, c.ID, keys...); err != nil {
			t.Fatal(err)
		}
		return c
	}
	top := mk(nil, "Thesis", "alpha")
	sub := mk([]string{"Thesis"}, "Drafts", "alpha", "beta")
	subsub := mk([]string{"Thesis", "Drafts"}, "Old", "gamma")
	if _, err := l.AddTags(ctx, []string{"alpha", "beta"}, "ml/vision"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.SetStarred(ctx, true, "delta"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Trash(ctx, "beta"); err != nil {
		t.Fatal(err)
	}
	if err := l.SaveSearch(ctx, SavedSearch{Name: "In thesis", Filter: Filter{Collection: top.ID}, Query: "incompleteness"}); err != nil {
		t.Fatal(err)
	}
	c, err := l.Counts(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	got := []int{c.Total, c.Unread, c.Starred, c.Unfiled, c.Recent, c.Trash}
	if want := []int{3, 3, 1, 1, 3, 1}; !cmp.Equal(got, want) {
		t.Errorf("total, unread, starred, unfiled, recent, trash = %v, want %v", got, want)
	}
	for id, f := range map[int64]Filter{top.ID: {Collection: top.ID}, sub.ID: {Collection: sub.ID}, subsub.ID: {Collection: subsub.ID}} {
		if want := len(filterKeys(t, l, f, "")); c.InCollections[id] != want {
			t.Errorf("collection %d counts %d, selecting it shows %d", id, c.InCollections[id], want)
		}
	}
	if c.InCollections[top.ID] != 2 || c.TagParents["ml"] != 1 || len(c.Tags) != 1 || c.Tags[0].Count != 1 {
		t.Errorf("Counts = %+v", c)
	}
	if len(c.SavedCounts) != 1 || c.SavedCounts[0] != 1 {
		t.Errorf("saved search counts %v, want [1]", c.SavedCounts)
	}
}

// TestSearchOptionsEqual: two searches are equal when every option is, the filter's tags
// compared name by name, in order.
func TestSearchOptionsEqual(t *testing.T) {
	a := SearchOptions{Filter: Filter{Collection: 3, Tags: []string{"ml"}}, Query: "graph", Sort: "year", Desc: true, Limit: 200}
	b := a
	b.Filter.Tags = []string{"ml"}
	if !a.Equal(b) {
		t.Errorf("%+v and %+v differ", a, b)
	}
	for _, change := range []func(*SearchOptions){
		func(o *SearchOptions) { o.Query = "tree" },
		func(o *SearchOptions) { o.Sort = "title" },
		func(o *SearchOptions) { o.Desc = false },
		func(o *SearchOptions) { o.Offset = 200 },
		func(o *SearchOptions) { o.Limit = 50 },
		func(o *SearchOptions) { o.Filter.Collection = 4 },
		func(o *SearchOptions) { o.Filter.Tags = []string{"vision"} },
	} {
		c := a
		c.Filter.Tags = slices.Clone(a.Filter.Tags)
		change(&c)
		if a.Equal(c) {
			t.Errorf("%+v equals %+v", a, c)
		}
	}
}

// TestFilterKeys: a paper's citations select the entries of those keys, case-insensitively;
// an empty list selects none, where no list selects all.
func TestFilterKeys(t *testing.T) {
	l := mustOpenWith(t, fourEntries)
	all := filterKeys(t, l, Filter{}, "")
	if len(all) != 4 {
		t.Fatalf("the library has %v", all)
	}
	if got := filterKeys(t, l, Filter{Keys: []string{strings.ToUpper(all[2]), all[0], "nowhere"}}, ""); !slices.Equal(got, []string{all[0], all[2]}) {
		t.Errorf("Keys selects %v, want %v", got, []string{all[0], all[2]})
	}
	if got := filterKeys(t, l, Filter{Keys: []string{}}, ""); len(got) != 0 {
		t.Errorf("an empty Keys selects %v, want none", got)
	}
	if (Filter{Keys: []string{}}).IsZero() || (Filter{Keys: []string{}}).Equal(Filter{}) {
		t.Error("an empty Keys is taken for no Keys")
	}
}
