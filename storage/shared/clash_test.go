package shared

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// TestSameNewKey: two replicas that add an entry of one key (in another case) at once, each a
// paper of its own, keep both: the second to send has its entry's key renamed, as an import's
// clashing key is (delta -> Deltaa, the entry already there keeping its key), is told, and sends
// it under that key with its tag and note; its child (crossref) follows, and the first's child
// keeps naming the first's. Two saved searches of one name that search otherwise
// are both kept, the second as "Recent (2)"; two that search alike are one, and so is one file
// attached by both to one entry.
func TestSameNewKey(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(smallShared(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "alpha.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := cloneTo(t, srv, dir, "a.sqlite")
	b := cloneTo(t, srv, dir, "b.sqlite")
	for _, s := range []struct {
		l                 *storage.Library
		src, child, query string
	}{
		{a, `@article{delta, title = {Delta from A}, author = {Di Author}, year = 2004, journal = {J}}`,
			`@inbook{achild, crossref = {delta}, chapter = 1}`, "year:2001"},
		{b, `@book{Delta, title = {Delta from B}, author = {Do Builder}, year = 2005, publisher = {P}}`,
			`@inbook{bchild, crossref = {Delta}, chapter = 2}`, "year:2002"},
	} {
		e := bib.ParseString("new.bib", s.src).Entries()[0]
		key, err := s.l.AddEntry(ctx, e, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.l.AddEntry(ctx, bib.ParseString("child.bib", s.child).Entries()[0], ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.l.AddTags(ctx, []string{key}, "new "+key); err != nil {
			t.Fatal(err)
		}
		if err := s.l.SetNote(ctx, key, "a note of "+e.Get("title")); err != nil {
			t.Fatal(err)
		}
		if err := s.l.SaveSearch(ctx, storage.SavedSearch{Name: "Recent", Query: s.query}); err != nil {
			t.Fatal(err)
		}
		if err := s.l.SaveSearch(ctx, storage.SavedSearch{Name: "Same", Query: "gamma"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.l.AddAttachment(ctx, "alpha", pdf); err != nil {
			t.Fatal(err)
		}
	}
	syncQuiet(t, srv, a)
	s := syncQuiet(t, srv, b)
	want := []string{`the saved search "Recent" is now "Recent (2)" (another member's has that name)`,
		`the entry "Delta" is now "Deltaa" (another member's entry has that key)`, `the entry "bchild" names it by "Deltaa" now`}
	var got []string
	for _, r := range s.Pushed.Renamed {
		got = append(got, r.String())
		got = append(got, r.Notes...)
	}
	if !slices.Equal(got, want) {
		t.Errorf("b's push renamed %+v, want %+v", s.Pushed.Renamed, want)
	}
	// b keeps them until its member has read them, with their notes; a has none.
	for name, l := range map[string]*storage.Library{"a": a, "b": b} {
		kept, err := l.Renames(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string][]Renamed{"a": nil, "b": s.Pushed.Renamed}[name]; !reflect.DeepEqual(kept, want) {
			t.Errorf("%s keeps the renames %+v, want %+v", name, kept, want)
		}
	}
	if err := b.ForgetRenames(ctx, s.Pushed.Renamed[:1]); err != nil {
		t.Fatal(err)
	}
	if kept, err := b.Renames(ctx); err != nil || !reflect.DeepEqual(kept, s.Pushed.Renamed[1:]) {
		t.Errorf("b keeps the renames %+v after one is read, want %+v (%v)", kept, s.Pushed.Renamed[1:], err)
	}
	syncQuiet(t, srv, a)
	for name, l := range map[string]*storage.Library{"a": a, "b": b} {
		for key, title := range map[string]string{"delta": "Delta from A", "Deltaa": "Delta from B"} {
			e, err := l.Entry(ctx, key)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if e.Key != key || e.Get("title") != title {
				t.Errorf("%s's %s: %s titled %q, want %q", name, key, e.Key, e.Get("title"), title)
			}
			if note, _ := l.Note(ctx, key); note != "a note of "+title {
				t.Errorf("%s's note of %s: %q", name, key, note)
			}
		}
		// Each child names its own parent: b's followed the rename, a's kept the key.
		for child, parent := range map[string]string{"achild": "delta", "bchild": "Deltaa"} {
			if e, err := l.Entry(ctx, child); err != nil || e.Get("crossref") != parent {
				t.Errorf("%s's %s: crossref %q (%v), want %q", name, child, e.Get("crossref"), err, parent)
			}
		}
		if tags, _ := l.EntryTags(ctx, "Deltaa"); !slices.Equal(tags, []string{"new Delta"}) {
			t.Errorf("%s's tags of Deltaa: %v, want b's", name, tags)
		}
		searches, err := l.SavedSearches(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, ss := range searches {
			names = append(names, ss.Name+": "+ss.Query)
		}
		if want := []string{"Recent: year:2001", "Recent (2): year:2002", "Same: gamma"}; !slices.Equal(names, want) {
			t.Errorf("%s's saved searches: %q, want %q", name, names, want)
		}
		if atts, err := l.Attachments(ctx, "alpha"); err != nil || len(atts) != 1 {
			t.Errorf("%s's attachments of alpha: %+v (%v), want the one both attached", name, atts, err)
		}
		checkSame(t, srv, l)
	}
}

// TestRenamedToTakenTag: a tag renamed on one replica to the name another member gave a new tag
// at the same time is merged into it, as the library merges a tag renamed to another's name:
// one tag, with the entries of both, spelt as the last to send spelt it.
func TestRenamedToTakenTag(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(smallShared(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a := cloneTo(t, srv, dir, "a.sqlite")
	b := cloneTo(t, srv, dir, "b.sqlite")
	if _, err := a.AddTags(ctx, []string{"alpha"}, "x"); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, a)
	syncQuiet(t, srv, b)
	if _, err := b.AddTags(ctx, []string{"beta"}, "ML"); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, b)
	if err := a.RenameTag(ctx, "x", "ml"); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, a)
	syncQuiet(t, srv, b)
	for name, l := range map[string]*storage.Library{"a": a, "b": b} {
		tags, err := l.Tags(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(tags) != 1 || tags[0].Name != "ml" || tags[0].Count != 2 {
			t.Errorf("%s's tags: %+v, want ml on both entries", name, tags)
		}
		checkSame(t, srv, l)
	}
}

// TestRenamedToTakenCollection: a collection renamed on one replica to the name another member
// gave a new collection in the same parent at the same time is kept apart, with its entries, as
// "Reading (2)": two collections with entries of their own are not made one.
func TestRenamedToTakenCollection(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(smallShared(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a := cloneTo(t, srv, dir, "a.sqlite")
	b := cloneTo(t, srv, dir, "b.sqlite")
	c, err := a.CreateCollection(ctx, nil, "Later")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddToCollection(ctx, c.ID, "alpha"); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, a)
	syncQuiet(t, srv, b)
	r, err := b.CreateCollection(ctx, nil, "Reading")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddToCollection(ctx, r.ID, "beta"); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, b)
	if err := a.RenameCollection(ctx, c.ID, "reading"); err != nil {
		t.Fatal(err)
	}
	s := syncQuiet(t, srv, a)
	if len(s.Pushed.Renamed) != 1 || s.Pushed.Renamed[0].String() != `the collection "reading" is now "reading (2)" (another member's has that name)` {
		t.Errorf("a's push renamed %v", s.Pushed.Renamed)
	}
	syncQuiet(t, srv, b)
	for name, l := range map[string]*storage.Library{"a": a, "b": b} {
		colls, err := l.Collections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range colls {
			got = append(got, fmt.Sprintf("%s: %d", c.Name, c.Count))
		}
		slices.Sort(got)
		if want := []string{"Reading: 1", "reading (2): 1"}; !slices.Equal(got, want) {
			t.Errorf("%s's collections: %q, want %q", name, got, want)
		}
		checkSame(t, srv, l)
	}
}

// TestAdoptRenamedOnServer: a new tag of the name another member just renamed a tag to, which
// this replica has under its old name, is that tag: the replica makes its two one (the renamed
// tag's entries and the new one's) as it records the push, instead of failing on the id it has
// already. A saved search likewise.
func TestAdoptRenamedOnServer(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(smallShared(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a := cloneTo(t, srv, dir, "a.sqlite")
	b := cloneTo(t, srv, dir, "b.sqlite")
	if _, err := a.AddTags(ctx, []string{"alpha"}, "Machine learning"); err != nil {
		t.Fatal(err)
	}
	if err := a.SaveSearch(ctx, storage.SavedSearch{Name: "Old name", Query: "gamma"}); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, a)
	syncQuiet(t, srv, b)
	if err := b.RenameTag(ctx, "Machine learning", "ML"); err != nil {
		t.Fatal(err)
	}
	if err := b.RenameSavedSearch(ctx, "Old name", "Gamma"); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, b)
	if _, err := a.AddTags(ctx, []string{"beta"}, "ml"); err != nil {
		t.Fatal(err)
	}
	if err := a.SaveSearch(ctx, storage.SavedSearch{Name: "gamma", Query: "gamma"}); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, a)
	syncQuiet(t, srv, b)
	for name, l := range map[string]*storage.Library{"a": a, "b": b} {
		tags, err := l.Tags(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(tags) != 1 || tags[0].Name != "ml" || tags[0].Count != 2 {
			t.Errorf("%s's tags: %+v, want ml on both entries", name, tags)
		}
		if ss, err := l.SavedSearches(ctx); err != nil || len(ss) != 1 || ss[0].Name != "gamma" {
			t.Errorf("%s's saved searches: %+v (%v), want gamma", name, ss, err)
		}
		checkSame(t, srv, l)
	}
}

// TestNewNameRenamedOnServer: a new collection, with a child and an entry, of the name another
// member just gave a collection this replica has under its old name, is not that collection (the
// replica has it, and keeps its rows apart): it is sent as "Reading (2)", its child and entry
// with it.
func TestNewNameRenamedOnServer(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(smallShared(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a := cloneTo(t, srv, dir, "a.sqlite")
	b := cloneTo(t, srv, dir, "b.sqlite")
	old, err := a.CreateCollection(ctx, nil, "Old")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddToCollection(ctx, old.ID, "gamma"); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, a)
	syncQuiet(t, srv, b)
	colls, err := b.Collections(ctx)
	if err != nil || len(colls) != 1 {
		t.Fatalf("b's collections: %+v %v", colls, err)
	}
	if err := b.RenameCollection(ctx, colls[0].ID, "Reading"); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, b)
	r, err := a.CreateCollection(ctx, nil, "Reading")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateCollection(ctx, []string{"Reading"}, "Now"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddToCollection(ctx, r.ID, "alpha"); err != nil {
		t.Fatal(err)
	}
	s := syncQuiet(t, srv, a)
	if len(s.Pushed.Renamed) != 1 || s.Pushed.Renamed[0].New != "Reading (2)" {
		t.Errorf("a's push renamed %+v", s.Pushed.Renamed)
	}
	syncQuiet(t, srv, b)
	for name, l := range map[string]*storage.Library{"a": a, "b": b} {
		colls, err := l.Collections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range colls {
			got = append(got, fmt.Sprintf("%s: %d", strings.Join(c.Path, "/"), c.Count))
		}
		slices.Sort(got)
		if want := []string{"Reading (2)/Now: 0", "Reading (2): 1", "Reading: 1"}; !slices.Equal(got, want) {
			t.Errorf("%s's collections: %q, want %q", name, got, want)
		}
		checkSame(t, srv, l)
	}
}

// TestRenamedOntoSiblingName: two replicas rename two sibling collections onto the name a third
// member just gave a new sibling. The first to send is "Reading (2)"; the second, which has
// pulled neither, takes "Reading (3)", told once, rather than "Reading (2)", refused again and
// numbered again ("Reading (2) (2)"). Then it settles: the next syncs rename nothing, and both
// replicas are the server's.
func TestRenamedOntoSiblingName(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(smallShared(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a := cloneTo(t, srv, dir, "a.sqlite")
	b := cloneTo(t, srv, dir, "b.sqlite")
	c := cloneTo(t, srv, dir, "c.sqlite")
	for _, name := range []string{"X", "Y"} {
		if _, err := a.CreateCollection(ctx, nil, name); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []*storage.Library{a, b, c} {
		syncQuiet(t, srv, l)
	}
	if _, err := c.CreateCollection(ctx, nil, "Reading"); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, c)
	rename := func(l *storage.Library, from, to string) {
		t.Helper()
		colls, err := l.Collections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range colls {
			if c.Name == from {
				if err := l.RenameCollection(ctx, c.ID, to); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		t.Fatalf("no collection %q", from)
	}
	rename(b, "Y", "Reading")
	rename(a, "X", "reading")
	for _, s := range []struct {
		l    *storage.Library
		want string
	}{{b, `the collection "Reading" is now "Reading (2)" (another member's has that name)`},
		{a, `the collection "reading" is now "reading (3)" (another member's has that name)`}} {
		got := syncQuiet(t, srv, s.l).Pushed.Renamed
		if len(got) != 1 || got[0].String() != s.want {
			t.Errorf("the push renamed %v, want %s", got, s.want)
		}
	}
	for range 2 {
		for _, l := range []*storage.Library{a, b} {
			if s := syncQuiet(t, srv, l); len(s.Pushed.Renamed) > 0 || s.Pushed.Sent > 0 {
				t.Errorf("a sync after sent %d and renamed %v", s.Pushed.Sent, s.Pushed.Renamed)
			}
		}
	}
	for name, l := range map[string]*storage.Library{"a": a, "b": b} {
		colls, err := l.Collections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range colls {
			got = append(got, c.Name)
		}
		slices.Sort(got)
		if want := []string{"Reading", "Reading (2)", "reading (3)"}; !slices.Equal(got, want) {
			t.Errorf("%s's collections: %q, want %q", name, got, want)
		}
		checkSame(t, srv, l)
	}
}

// TestRenamedBothOntoSiblingName: one collection renamed on two replicas onto the name a third
// member just gave a new sibling. The first to send is renamed "Reading (2)", once; the
// second's rename is a conflict over the collection's name (the server's is "Reading (2)" now),
// sent again at each sync but renamed at none, until the member chooses: Keep Mine renames it
// once, to the first name no other sibling has on the server, which is the collection's own
// there ("Reading (2)"), and it settles; both replicas are the server's.
func TestRenamedBothOntoSiblingName(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(smallShared(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a := cloneTo(t, srv, dir, "a.sqlite")
	b := cloneTo(t, srv, dir, "b.sqlite")
	c := cloneTo(t, srv, dir, "c.sqlite")
	if _, err := a.CreateCollection(ctx, nil, "Later"); err != nil {
		t.Fatal(err)
	}
	for _, l := range []*storage.Library{a, b, c} {
		syncQuiet(t, srv, l)
	}
	if _, err := c.CreateCollection(ctx, nil, "Reading"); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, c)
	for _, l := range []*storage.Library{b, a} {
		colls, err := l.Collections(ctx)
		if err != nil || len(colls) != 1 {
			t.Fatalf("collections: %+v, %v", colls, err)
		}
		if err := l.RenameCollection(ctx, colls[0].ID, "Reading"); err != nil {
			t.Fatal(err)
		}
	}
	if s := syncQuiet(t, srv, b); len(s.Pushed.Renamed) != 1 || s.Pushed.Renamed[0].New != "Reading (2)" {
		t.Errorf("b's push renamed %v, want Reading (2)", s.Pushed.Renamed)
	}
	var conflicts []Conflict
	for range 3 {
		s, err := Sync(ctx, srv, a)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Pushed.Renamed) > 0 || len(s.Pushed.Conflicts) != 1 || s.Pushed.Conflicts[0].Theirs != "Reading (2)" {
			t.Fatalf("a's sync: %+v; want the one conflict over the name, nothing renamed", s)
		}
		conflicts = s.Pushed.Conflicts
	}
	if err := (&Live{srv: srv, lib: a}).resolve(ctx, settlement{conflicts: conflicts, mine: true}); err != nil {
		t.Fatal(err)
	}
	if s := syncQuiet(t, srv, a); len(s.Pushed.Renamed) != 1 || s.Pushed.Renamed[0].New != "Reading (2)" {
		t.Errorf("a's push after Keep Mine renamed %v, want Reading (2)", s.Pushed.Renamed)
	}
	for range 2 {
		for _, l := range []*storage.Library{a, b} {
			if s := syncQuiet(t, srv, l); len(s.Pushed.Renamed) > 0 || s.Pushed.Sent > 0 {
				t.Errorf("a sync after sent %d and renamed %v", s.Pushed.Sent, s.Pushed.Renamed)
			}
		}
	}
	for name, l := range map[string]*storage.Library{"a": a, "b": b} {
		colls, err := l.Collections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range colls {
			got = append(got, c.Name)
		}
		slices.Sort(got)
		if want := []string{"Reading", "Reading (2)"}; !slices.Equal(got, want) {
			t.Errorf("%s's collections: %q, want %q", name, got, want)
		}
		checkSame(t, srv, l)
	}
}

// TestPullSwappedKeys: another member swaps the keys of two entries, and the names of two tags
// and two saved searches, one push at a time (alpha's key to a third, beta's to alpha, the
// third to beta). A replica that had none of the changes pulls each row under a key or name the
// other row still has there: it moves that row aside until its own version comes, later in the
// same pull, and ends as the server is, with nothing held. Before, both rows were held at every
// pull, for good.
func TestPullSwappedKeys(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(smallShared(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	e := cloneTo(t, srv, dir, "editor.sqlite")
	for _, tag := range []string{"one", "two"} {
		if _, err := e.AddTags(ctx, []string{"alpha"}, tag); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"First", "Second"} {
		if err := e.SaveSearch(ctx, storage.SavedSearch{Name: name, Query: "year:" + name}); err != nil {
			t.Fatal(err)
		}
	}
	syncQuiet(t, srv, e)
	r := cloneTo(t, srv, dir, "reader.sqlite")
	for _, k := range [][2]string{{"alpha", "swap"}, {"beta", "alpha"}, {"swap", "beta"}} {
		entry, err := e.Entry(ctx, k[0])
		if err != nil {
			t.Fatal(err)
		}
		entry.Key = k[1]
		if err := e.UpdateEntry(ctx, k[0], entry); err != nil {
			t.Fatal(err)
		}
		syncQuiet(t, srv, e)
	}
	for _, n := range [][2]string{{"one", "swap"}, {"two", "one"}, {"swap", "two"}} {
		if err := e.RenameTag(ctx, n[0], n[1]); err != nil {
			t.Fatal(err)
		}
		syncQuiet(t, srv, e)
	}
	for _, n := range [][2]string{{"First", "swap"}, {"Second", "First"}, {"swap", "Second"}} {
		if err := e.RenameSavedSearch(ctx, n[0], n[1]); err != nil {
			t.Fatal(err)
		}
		syncQuiet(t, srv, e)
	}
	pulled, err := Pull(ctx, srv, r)
	if err != nil || pulled.Held != 0 {
		t.Fatalf("the pull of the swaps: %+v, %v; want nothing held", pulled, err)
	}
	checkSame(t, srv, r)
	for _, k := range [][2]string{{"alpha", "Beta"}, {"beta", "Alpha"}} {
		if got, err := r.Entry(ctx, k[0]); err != nil || !strings.HasPrefix(got.Get("title"), k[1]) {
			t.Errorf("the entry %s after the pull: %v (%v), want %s's", k[0], got, err, k[1])
		}
	}
	if pulled, err := Pull(ctx, srv, r); err != nil || pulled.Rows != 0 || pulled.Held != 0 {
		t.Errorf("a pull after: %+v, %v; want nothing to do", pulled, err)
	}
}

// TestTakenKeyInBatch: a replica imports more entries than a batch holds (batchRows), and
// another member sends an entry of one of their keys first, in case other than the import's. The
// batch inserts the others; the one whose key is taken is sent on its own, renamed as any new
// entry of a taken key is, with its tag; the same push sends every other entry once.
func TestTakenKeyInBatch(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(smallShared(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a := cloneTo(t, srv, dir, "a.sqlite")
	b := cloneTo(t, srv, dir, "b.sqlite")
	const n, taken = batchRows + 200, "Big01100"
	if _, err := b.Import(ctx, manyEntries("big", n)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddTags(ctx, []string{"big01100", "big00007"}, "imported"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddEntry(ctx, bib.ParseString("a.bib", `@misc{`+taken+`, title = {A's}}`).Entries()[0], ""); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, a)
	s, err := Sync(ctx, srv, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Pushed.Renamed) != 1 || s.Pushed.Renamed[0].Old != "big01100" || len(s.Pushed.Conflicts) != 0 {
		t.Fatalf("b's push renamed %+v, conflicts %+v; want big01100 renamed, no conflict", s.Pushed.Renamed, s.Pushed.Conflicts)
	}
	if left, err := b.Unsent(ctx); err != nil || left != 0 {
		t.Errorf("%d changes left to send (%v)", left, err)
	}
	if got := serverEntries(t, srv); got != 3+1+n {
		t.Errorf("the server has %d entries, want %d", got, 3+1+n)
	}
	renamed := s.Pushed.Renamed[0].New
	if tags, err := b.EntryTags(ctx, renamed); err != nil || len(tags) != 1 {
		t.Errorf("the renamed entry %s has the tags %v (%v), want its one", renamed, tags, err)
	}
	syncQuiet(t, srv, a)
	if e, err := a.Entry(ctx, renamed); err != nil || e.Get("title") != "Entry 1100 of big" {
		t.Errorf("the other replica does not have the renamed entry %s: %v", renamed, err)
	}
	if tags, err := a.EntryTags(ctx, renamed); err != nil || len(tags) != 1 {
		t.Errorf("the other replica has the tags %v (%v) of the renamed entry %s, want its one", tags, err, renamed)
	}
	if got, err := a.Count(ctx); err != nil || got != 3+1+n {
		t.Errorf("the other replica has %d entries (%v), want %d", got, err, 3+1+n)
	}
}
