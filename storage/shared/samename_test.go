package shared

import (
	"context"
	"slices"
	"testing"

	"github.com/bibshelf/bibshelf/storage"
)

// TestSameNewName: two replicas that make a tag of one name at once, each giving it to an
// entry, make one tag: the second to send takes the server's, and both entries keep it. The
// second's tagging was dropped by the server, and it held the first's, as a conflict that
// nothing resolved. Collections of one name in one parent likewise, a child of one too.
func TestSameNewName(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(smallShared(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a := cloneTo(t, srv, dir, "a.sqlite")
	b := cloneTo(t, srv, dir, "b.sqlite")
	if _, err := a.AddTags(ctx, []string{"alpha"}, "ml"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddTags(ctx, []string{"beta"}, "ML"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		l   *storage.Library
		key string
	}{{a, "alpha"}, {b, "beta"}} {
		c, err := s.l.CreateCollection(ctx, nil, "Reading")
		if err != nil {
			t.Fatal(err)
		}
		child, err := s.l.CreateCollection(ctx, []string{"Reading"}, "Now")
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{c.ID, child.ID} {
			if _, err := s.l.AddToCollection(ctx, id, s.key); err != nil {
				t.Fatal(err)
			}
		}
	}
	syncQuiet(t, srv, a)
	syncQuiet(t, srv, b)
	syncQuiet(t, srv, a)
	for name, l := range map[string]*storage.Library{"a": a, "b": b} {
		tags, err := l.Tags(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(tags) != 1 || tags[0].Name != "ML" {
			t.Errorf("%s's tags: %+v, want the one, as the last to send spelt it", name, tags)
		}
		for _, key := range []string{"alpha", "beta"} {
			if got, _ := l.EntryTags(ctx, key); !slices.Equal(got, []string{"ML"}) {
				t.Errorf("%s's tags of %s: %v, want ML", name, key, got)
			}
		}
		colls, err := l.Collections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(colls) != 2 || colls[0].Count != 2 || colls[1].Count != 2 {
			t.Errorf("%s's collections: %+v, want Reading and Reading/Now, each with both entries", name, colls)
		}
		checkSame(t, srv, l)
	}
}
