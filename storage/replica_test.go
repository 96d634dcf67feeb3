package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/libtest"
)

// TestReplicate makes a replica of an organised library through the rows a shared library
// keeps, without a server: every export and everything organised must be the same, and the new
// replica has nothing to send.
func TestReplicate(t *testing.T) {
	ctx := context.Background()
	src, err := os.ReadFile("../assets/sample-library.bib")
	if err != nil {
		t.Fatal(err)
	}
	from := open(t, "from.sqlite")
	for _, f := range []*bib.File{bib.Parse("sample-library.bib", src), bib.Parse("macros.bib", []byte(libtest.Macros))} {
		if _, err := from.Import(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := libtest.Organise(ctx, from); err != nil {
		t.Fatal(err)
	}
	if n, err := from.Unsent(ctx); n != 0 || err != nil {
		t.Errorf("a library of one's own has %d changes to send (%v)", n, err)
	}
	to := open(t, "to.sqlite")
	want := storage.Replica{Library: storage.NewGlobalID(), Server: "postgres://someone@example.org/refs", Member: "someone", Pulled: 42}
	if err := libtest.Replicate(ctx, from, to, want); err != nil {
		t.Fatal(err)
	}
	diffs, err := libtest.Diff(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Error(d)
	}
	got, ok, err := to.Replica(ctx)
	if err != nil || !ok || got != want {
		t.Errorf("Replica() = %+v, %v, %v; want %+v", got, ok, err, want)
	}
	if _, ok, err := from.Replica(ctx); ok || err != nil {
		t.Errorf("the library copied from says it is a replica (%v)", err)
	}
	if n, err := to.Unsent(ctx); n != 0 || err != nil {
		t.Errorf("a new replica has %d changes to send (%v)", n, err)
	}
	// Once more from the replica, whose rows have their global ids now.
	again := open(t, "again.sqlite")
	if err := libtest.Replicate(ctx, to, again, want); err != nil {
		t.Fatal(err)
	}
	if diffs, err := libtest.Diff(ctx, from, again); err != nil || len(diffs) > 0 {
		t.Errorf("a replica of the replica differs: %v %v", diffs, err)
	}
	// A replica is made only from a new library.
	if err := libtest.Replicate(ctx, from, to, want); err == nil {
		t.Error("a replica was loaded into a library that has rows")
	}
}

func open(t *testing.T, name string) *storage.Library {
	t.Helper()
	l, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}
