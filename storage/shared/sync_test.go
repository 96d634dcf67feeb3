package shared

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bibshelf/bibshelf/bib/ris"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/libtest"
	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// twoReplicas copies an organised library to a new shared library and makes two replicas of it.
func twoReplicas(t *testing.T) (srv *Server, a, b *storage.Library) {
	t.Helper()
	ctx := context.Background()
	srv, err := ParseURL(pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(ctx, organised(t), srv); err != nil {
		t.Fatal(err)
	}
	for _, l := range []**storage.Library{&a, &b} {
		if *l, err = Clone(ctx, srv, filepath.Join(t.TempDir(), "replica.sqlite")); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { (*l).Close() })
	}
	return srv, a, b
}

// syncOnce sends a replica's changes and brings the server's, and fails the test on a conflict.
func syncOnce(t *testing.T, srv *Server, l *storage.Library) {
	t.Helper()
	ctx := context.Background()
	pushed, err := Push(ctx, srv, l)
	if err != nil {
		t.Fatal(err)
	}
	if len(pushed.Conflicts) > 0 || len(pushed.Dropped) > 0 {
		t.Fatalf("push: %+v", pushed)
	}
	pulled, err := Pull(ctx, srv, l)
	if err != nil {
		t.Fatal(err)
	}
	if pulled.Held > 0 {
		t.Fatalf("pull: %+v", pulled)
	}
	if n, err := l.Unsent(ctx); n != 0 || err != nil {
		t.Fatalf("%d changes left to send (%v)", n, err)
	}
}

// TestTwoReplicas: what one replica changes, in every way users change a library, the other
// has after a sync, and a third made afterwards too.
func TestTwoReplicas(t *testing.T) {
	ctx := context.Background()
	srv, a, b := twoReplicas(t)
	if err := libtest.Change(ctx, a); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, srv, a)
	syncOnce(t, srv, b)
	diffs, err := libtest.Diff(ctx, a, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Error(d)
	}
	c, err := Clone(ctx, srv, filepath.Join(t.TempDir(), "third.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if diffs, err := libtest.Diff(ctx, a, c); err != nil || len(diffs) > 0 {
		t.Errorf("a new replica differs: %v %v", diffs, err)
	}
	// Nothing to do is done at once.
	if pushed, err := Push(ctx, srv, a); err != nil || pushed.Sent != 0 {
		t.Errorf("a second push sent %+v (%v)", pushed, err)
	}
	if pulled, err := Pull(ctx, srv, a); err != nil || pulled.Rows != 0 {
		t.Errorf("a pull after its own push wrote %+v (%v)", pulled, err)
	}
}

// TestConflict: two replicas change one note; the second to send is refused, keeps its own, and
// is told. Two replicas that tag one entry at once both keep their tag.
func TestConflict(t *testing.T) {
	ctx := context.Background()
	srv, a, b := twoReplicas(t)
	key := "macro1"
	for _, s := range []struct {
		l    *storage.Library
		note string
		tag  string
	}{{a, "a's note", "from a"}, {b, "b's note", "from b"}} {
		if err := s.l.SetNote(ctx, key, s.note); err != nil {
			t.Fatal(err)
		}
		if _, err := s.l.AddTags(ctx, []string{key}, s.tag); err != nil {
			t.Fatal(err)
		}
	}
	syncOnce(t, srv, a)
	pushed, err := Push(ctx, srv, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(pushed.Conflicts) != 1 || pushed.Conflicts[0].Kind != "note" {
		t.Fatalf("the second push: %+v, want a conflict on the note", pushed)
	}
	pulled, err := Pull(ctx, srv, b)
	if err != nil || pulled.Held != 1 {
		t.Fatalf("pull after a conflict: %+v, %v; want one row held", pulled, err)
	}
	if note, _ := b.Note(ctx, key); note != "b's note" {
		t.Errorf("b's note was overwritten: %q", note)
	}
	if n, _ := b.Unsent(ctx); n != 1 {
		t.Errorf("b has %d changes to send, want its note", n)
	}
	syncOnce(t, srv, a)
	if note, _ := a.Note(ctx, key); note != "a's note" {
		t.Errorf("a's note was overwritten: %q", note)
	}
	for _, l := range []*storage.Library{a, b} {
		tags, err := l.EntryTags(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(tags, "from a") || !slices.Contains(tags, "from b") {
			t.Errorf("tags of %s: %v, want both replicas'", key, tags)
		}
	}
}

// TestServerEntry reads the server's version of an entry, as the merge dialog shows it beside
// this computer's: one read from RIS has no source, and its fields come from the fields column.
func TestServerEntry(t *testing.T) {
	ctx := context.Background()
	srv, a, b := twoReplicas(t)
	src := "TY  - JOUR\nTI  - Read from RIS\nAU  - Okoro, Ada\nPY  - 2021\nJO  - Journal of Tests\nER  - \n"
	rep, err := a.ImportReader(ctx, ris.NewReader("one.ris", []byte(src)), storage.ImportOptions{})
	if err != nil || len(rep.Added) != 1 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	syncOnce(t, srv, a)
	syncOnce(t, srv, b)
	key := rep.Added[0]
	mine, err := b.Entry(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	var id storage.GlobalID
	if err := b.ReadShared(ctx, func(s *storage.SharedSnapshot) error {
		for r, err := range s.Entries() {
			if err != nil {
				return err
			}
			if r.Key == key {
				id = r.ID
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	theirs, ok, err := ServerEntry(ctx, srv, id)
	if err != nil || !ok {
		t.Fatalf("ServerEntry: %v, %v", ok, err)
	}
	if theirs.Source != "" || theirs.Key != key || theirs.Get("title") != "Read from RIS" || !slices.Equal(theirs.Fields, mine.Fields) {
		t.Errorf("the server's entry: %+v, want %+v", theirs, mine)
	}
}
