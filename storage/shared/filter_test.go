package shared

import (
	"context"
	"slices"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// TestSavedSearchFollowsCollection: a saved search filtered by a collection means that
// collection on every replica, by the server's id of it. The collection "Reading" a replica
// made is adopted as the one another member made at once: its saved search, sent in the same
// push, names the server's, and selects both members' entries everywhere. A saved search pulled
// while the replica held its collection back (the replica's own "Later", not sent yet, had the
// name) selects nothing until the push adopts the replica's "Later" as that one, and then names
// it, with nothing more to send; renamed meanwhile, it is sent naming the collection it waits for. Once the collection is deleted, the search selects nothing, as in a
// library of one's own.
func TestSavedSearchFollowsCollection(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(smallShared(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a := cloneTo(t, srv, dir, "a.sqlite")
	b := cloneTo(t, srv, dir, "b.sqlite")
	collect := func(l *storage.Library, name, key string) storage.Collection {
		t.Helper()
		c, err := l.CreateCollection(ctx, nil, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.AddToCollection(ctx, c.ID, key); err != nil {
			t.Fatal(err)
		}
		return c
	}
	save := func(l *storage.Library, name string, c storage.Collection) {
		t.Helper()
		if err := l.SaveSearch(ctx, storage.SavedSearch{Name: name, Filter: storage.Filter{Collection: c.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	// selects returns the keys the saved search name selects in l, and the name of the
	// collection its filter names there ("" for none).
	selects := func(l *storage.Library, name string) ([]string, string) {
		t.Helper()
		searches, err := l.SavedSearches(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(searches, func(s storage.SavedSearch) bool { return s.Name == name })
		if i < 0 {
			t.Fatalf("no saved search %q", name)
		}
		var keys []string
		if err := l.EachEntry(ctx, searches[i].Filter, searches[i].Query, func(e *bib.Entry) error {
			keys = append(keys, e.Key)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		slices.Sort(keys)
		colls, err := l.Collections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range colls {
			if c.ID == searches[i].Filter.Collection {
				return keys, c.Name
			}
		}
		return keys, ""
	}
	check := func(name string, want []string, coll string) {
		t.Helper()
		for l, lib := range map[string]*storage.Library{"a": a, "b": b} {
			if keys, c := selects(lib, name); !slices.Equal(keys, want) || c != coll {
				t.Errorf("%s's %q selects %v in the collection %q, want %v in %q", l, name, keys, c, want, coll)
			}
			checkSame(t, srv, lib)
		}
	}

	collect(b, "Reading", "beta")
	save(a, "To read", collect(a, "Reading", "alpha"))
	syncQuiet(t, srv, b)
	syncQuiet(t, srv, a)
	syncQuiet(t, srv, b)
	check("To read", []string{"alpha", "beta"}, "Reading")

	bLater := collect(b, "Later", "beta")
	save(a, "Not yet", collect(a, "Later", "gamma"))
	syncQuiet(t, srv, a)
	if p, err := Pull(ctx, srv, b); err != nil || p.Held == 0 {
		t.Fatalf("b's pull: %+v, %v; want a's Later held", p, err)
	}
	if keys, c := selects(b, "Not yet"); keys != nil || c != "" {
		t.Errorf("b's %q, its collection held, selects %v in %q, want nothing", "Not yet", keys, c)
	}
	// Renamed meanwhile, it is sent naming the collection it waits for.
	if err := b.RenameSavedSearch(ctx, "Not yet", "Later on"); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, b)
	syncQuiet(t, srv, a)
	check("Later on", []string{"beta", "gamma"}, "Later")

	if err := b.DeleteCollection(ctx, bLater.ID); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, b)
	syncQuiet(t, srv, a)
	check("Later on", nil, "")
}
