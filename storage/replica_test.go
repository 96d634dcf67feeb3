package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
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
	want := storage.Replica{Library: storage.NewGlobalID(), Server: "postgres://someone@example.org/refs", Member: "someone", Pulled: 42, Ordered: true}
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
	// Its attachments folder is its own, beside it by default, and a member's to set: nothing
	// to send.
	folder, err := to.AttachmentsFolder(ctx)
	if want := filepath.Join(filepath.Dir(to.Path()), "to-attachments"); err != nil || folder != (storage.AttachmentsFolder{Path: want, Default: true}) {
		t.Errorf("the replica's attachments folder is %+v (%v), want %s", folder, err, want)
	}
	if err := to.SetAttachmentsFolder(ctx, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if n, err := to.Unsent(ctx); n != 0 || err != nil {
		t.Errorf("setting the attachments folder left %d changes to send (%v)", n, err)
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

	// Detached, the replica is a library of its own with the same rows, its change not sent
	// yet too, and records no change to send.
	if _, err := again.AddTags(ctx, []string{"zhang2023noisy"}, "kept"); err != nil {
		t.Fatal(err)
	}
	if err := again.Detach(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := again.Replica(ctx); ok || err != nil {
		t.Errorf("the detached replica says it is one (%v)", err)
	}
	if _, err := from.AddTags(ctx, []string{"zhang2023noisy"}, "kept"); err != nil {
		t.Fatal(err)
	}
	if diffs, err := libtest.Diff(ctx, from, again); err != nil || len(diffs) > 0 {
		t.Errorf("the detached replica differs: %v %v", diffs, err)
	}
	if _, err := again.Trash(ctx, "zhang2023noisy"); err != nil {
		t.Fatal(err)
	}
	if n, err := again.Unsent(ctx); n != 0 || err != nil {
		t.Errorf("the detached replica lists %d changes to send (%v)", n, err)
	}
	db, err := sql.Open("sqlite3", "file:"+again.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var gids int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM entries WHERE gid IS NOT NULL OR srev <> 0) +
		(SELECT count(*) FROM tags WHERE gid IS NOT NULL) + (SELECT count(*) FROM sqlite_schema WHERE name LIKE '%replica_a_')`).Scan(&gids); err != nil || gids != 0 {
		t.Errorf("the detached replica keeps %d global ids or triggers (%v)", gids, err)
	}
	if err := again.Detach(ctx); !errors.Is(err, storage.ErrNotReplica) {
		t.Errorf("detach a library of its own: %v, want ErrNotReplica", err)
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

// TestPull brings a replica up to date with a copy of it changed in every way users change a
// library, through the rows a pull writes, without a server: the two are then the same. A row
// the replica changed itself is held back, and read again by the next pull.
func TestPull(t *testing.T) {
	ctx := context.Background()
	src, err := os.ReadFile("../assets/sample-library.bib")
	if err != nil {
		t.Fatal(err)
	}
	local := open(t, "local.sqlite")
	for _, f := range []*bib.File{bib.Parse("sample-library.bib", src), bib.Parse("macros.bib", []byte(libtest.Macros))} {
		if _, err := local.Import(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := libtest.Organise(ctx, local); err != nil {
		t.Fatal(err)
	}
	info := storage.Replica{Library: storage.NewGlobalID(), Server: "postgres:///refs", Member: "me"}
	replica, other := open(t, "replica.sqlite"), open(t, "other.sqlite")
	if err := libtest.Replicate(ctx, local, replica, info); err != nil {
		t.Fatal(err)
	}
	if err := libtest.Replicate(ctx, replica, other, info); err != nil {
		t.Fatal(err)
	}
	if err := libtest.Change(ctx, other); err != nil {
		t.Fatal(err)
	}
	// other's new rows get their global ids in a replica of it.
	server := open(t, "server.sqlite")
	if err := libtest.Replicate(ctx, other, server, info); err != nil {
		t.Fatal(err)
	}
	pulled, err := libtest.Pull(ctx, server, replica, 100)
	if err != nil {
		t.Fatal(err)
	}
	if pulled.Held != 0 || pulled.Rows == 0 {
		t.Errorf("pulled %+v", pulled)
	}
	diffs, err := libtest.Diff(ctx, server, replica)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Error(d)
	}
	if n, err := replica.Unsent(ctx); n != 0 || err != nil {
		t.Errorf("a pull left %d changes to send (%v)", n, err)
	}
	if r, _, err := replica.Replica(ctx); r.Pulled != 100 || err != nil {
		t.Errorf("pulled up to %d (%v), want 100", r.Pulled, err)
	}

	// The replica edits an entry's note the server changes too: its own stays, until sent.
	if err := replica.SetNote(ctx, "macro1", "the replica's"); err != nil {
		t.Fatal(err)
	}
	if err := server.SetNote(ctx, "macro1", "the server's"); err != nil {
		t.Fatal(err)
	}
	if _, err := server.SetStarred(ctx, true, "macro2"); err != nil {
		t.Fatal(err)
	}
	pulled, err = libtest.Pull(ctx, server, replica, 200)
	if err != nil {
		t.Fatal(err)
	}
	if pulled.Held != 1 {
		t.Errorf("pulled %+v, want one row held", pulled)
	}
	if note, err := replica.Note(ctx, "macro1"); note != "the replica's" || err != nil {
		t.Errorf("the replica's note was overwritten: %q (%v)", note, err)
	}
	if f, err := replica.EntryFlags(ctx, "macro2"); !f.Starred || err != nil {
		t.Errorf("the rest of the pull was not written: %+v (%v)", f, err)
	}
	if r, _, err := replica.Replica(ctx); r.Pulled != 199 || err != nil {
		t.Errorf("pulled up to %d (%v), want 199: the held row is read again", r.Pulled, err)
	}
}

// TestRenamesKept: the renames to keep both a replica notes stay until forgotten, oldest first;
// a row renamed again before the member read the first is one rename, from its first name to its
// last, with both notes, told again (a new Seq).
func TestRenamesKept(t *testing.T) {
	ctx := context.Background()
	l, err := storage.Open(ctx, filepath.Join(t.TempDir(), "renames.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	x, y := storage.NewGlobalID(), storage.NewGlobalID()
	first := []storage.SharedRename{{Kind: "collection", ID: x, Old: "a", New: "a (2)", Notes: []string{"one"}},
		{Kind: "entry", ID: y, Old: "k", New: "ka"}}
	if err := l.NoteRenames(ctx, first); err != nil {
		t.Fatal(err)
	}
	again := []storage.SharedRename{{Kind: "collection", ID: x, Old: "a (2)", New: "a (3)", Notes: []string{"two"}}}
	if err := l.NoteRenames(ctx, again); err != nil {
		t.Fatal(err)
	}
	if again[0].Seq <= first[1].Seq {
		t.Errorf("the rename again has Seq %d, not past %d", again[0].Seq, first[1].Seq)
	}
	want := []storage.SharedRename{first[1], {Seq: again[0].Seq, Kind: "collection", ID: x, Old: "a", New: "a (3)", Notes: []string{"one", "two"}}}
	got, err := l.Renames(ctx)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("kept %+v (%v), want %+v", got, err, want)
	}
	if err := l.ForgetRenames(ctx, got[:1]); err != nil {
		t.Fatal(err)
	}
	if got, err := l.Renames(ctx); err != nil || !reflect.DeepEqual(got, want[1:]) {
		t.Errorf("kept %+v after one read (%v), want %+v", got, err, want[1:])
	}
}

// TestRenameSeqNotReused: a rename's Seq is past every Seq given before, also that of a rename
// forgotten, and that of the last rename kept when its row is renamed again: the window tells a
// rename whose Seq is past the last it told (app's sharedView.tellRenamed), and one given a Seq
// again was never told.
func TestRenameSeqNotReused(t *testing.T) {
	ctx := context.Background()
	l, err := storage.Open(ctx, filepath.Join(t.TempDir(), "renames.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	x := storage.NewGlobalID()
	first := []storage.SharedRename{{Kind: "saved_search", ID: x, Old: "a", New: "a (2)"}}
	if err := l.NoteRenames(ctx, first); err != nil {
		t.Fatal(err)
	}
	// Renamed again before it was read: one rename, told again.
	again := []storage.SharedRename{{Kind: "saved_search", ID: x, Old: "a (2)", New: "a (3)"}}
	if err := l.NoteRenames(ctx, again); err != nil {
		t.Fatal(err)
	}
	if again[0].Seq <= first[0].Seq {
		t.Errorf("the rename again has Seq %d, not past %d: the window does not tell it", again[0].Seq, first[0].Seq)
	}
	// Read, and forgotten; the next rename is new.
	if err := l.ForgetRenames(ctx, again); err != nil {
		t.Fatal(err)
	}
	next := []storage.SharedRename{{Kind: "entry", ID: storage.NewGlobalID(), Old: "k", New: "ka"}}
	if err := l.NoteRenames(ctx, next); err != nil {
		t.Fatal(err)
	}
	if next[0].Seq <= again[0].Seq {
		t.Errorf("a rename after those read has Seq %d, not past %d: the window does not tell it", next[0].Seq, again[0].Seq)
	}
}

// TestResavedFilterKeepsWaiting: a saved search pulled before its collection (the replica held
// the collection) waits for it; saved again over itself (the member selects it, adds to its
// query and saves it under its name, as Library › Save Search… does), it still names that
// collection once the replica has it, and is sent naming it, not a GlobalID no collection has.
func TestResavedFilterKeepsWaiting(t *testing.T) {
	ctx := context.Background()
	l, err := storage.Open(ctx, filepath.Join(t.TempDir(), "waiting.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	coll := storage.NewGlobalID()
	if err := l.LoadReplica(ctx, storage.Replica{Library: storage.NewGlobalID(), Server: "postgres:///refs", Member: "me", Pulled: 1},
		func(ld *storage.ReplicaLoad) error {
			return ld.AddSavedSearch(storage.SharedSavedSearch{ID: storage.NewGlobalID(), Rev: 1, Name: "Reading list",
				Filter: `{"collection":"` + coll.String() + `"}`})
		}); err != nil {
		t.Fatal(err)
	}
	ss, err := l.SavedSearches(ctx)
	if err != nil || len(ss) != 1 {
		t.Fatalf("saved searches %+v, %v", ss, err)
	}
	ss[0].Query = "year:2020.."
	if err := l.SaveSearch(ctx, ss[0]); err != nil {
		t.Fatal(err)
	}
	// The collection comes.
	if _, err := l.Pull(ctx, 2, func(p *storage.ReplicaPull) error {
		return p.PutCollections([]storage.PulledCollection{{SharedCollection: storage.SharedCollection{ID: coll, Rev: 2, Name: "Reading"}}})
	}); err != nil {
		t.Fatal(err)
	}
	cs, err := l.Collections(ctx)
	if err != nil || len(cs) != 1 {
		t.Fatalf("collections %+v, %v", cs, err)
	}
	if ss, err = l.SavedSearches(ctx); err != nil || len(ss) != 1 {
		t.Fatalf("saved searches %+v, %v", ss, err)
	}
	if ss[0].Filter.Collection != cs[0].ID {
		t.Errorf("the saved search saved again names the collection %d, want %d (Reading, which it named on the server)",
			ss[0].Filter.Collection, cs[0].ID)
	}
	ch, err := l.Changes(ctx, nil)
	if err != nil || len(ch.SavedSearches) != 1 {
		t.Fatalf("changes %+v, %v", ch, err)
	}
	if want := `"collection":"` + coll.String() + `"`; !strings.Contains(ch.SavedSearches[0].Row.Filter, want) {
		t.Errorf("sent with the filter %s, want it to name the collection %s", ch.SavedSearches[0].Row.Filter, coll)
	}
}
