package shared

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/libtest"
	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// TestDiscardRefused: a reader edits an entry, deletes one, makes one and notes, tags and files
// them; the server refuses it all but their flags; Discard lets it go, and the replica is the
// server's, with an editor's change made meanwhile and the reader's star. An editor's changes
// are never discarded.
func TestDiscardRefused(t *testing.T) {
	ctx := context.Background()
	u := smallShared(t)
	reader := newMember(t, u, "reader", "read")
	editor := newMember(t, u, "editor", "edit")
	dir := t.TempDir()
	r := cloneTo(t, reader, dir, "reader.sqlite")
	e := cloneTo(t, editor, dir, "editor.sqlite")

	entry, err := r.Entry(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	if err := entry.Set("title", "Alpha, as the reader would have it"); err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateEntry(ctx, "alpha", entry); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Trash(ctx, "beta"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.EmptyTrash(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Import(ctx, bib.Parse("new.bib", []byte("@string{j = {Journal}}\n@article{delta, title = {Delta}, journal = j, year = 2004}\n"))); err != nil {
		t.Fatal(err)
	}
	// An import that merges a duplicate into gamma.
	if _, err := r.ImportWith(ctx, bib.Parse("dup.bib", []byte("@book{gamma2, title = {Gamma}, author = {Cy Coder}, year = 2003, publisher = {P}, edition = {2}}\n")),
		storage.ImportOptions{Duplicates: storage.MergeDuplicates}); err != nil {
		t.Fatal(err)
	}
	if got, err := r.Entry(ctx, "gamma"); err != nil || got.Get("edition") != "2" {
		t.Fatalf("gamma after the merging import: %v (%v)", got, err)
	}
	if _, err := r.AddTags(ctx, []string{"gamma", "delta"}, "reader's tag"); err != nil {
		t.Fatal(err)
	}
	if err := r.SetNote(ctx, "gamma", "the reader's note"); err != nil {
		t.Fatal(err)
	}
	c, err := r.CreateCollection(ctx, nil, "Reader's")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.AddToCollection(ctx, c.ID, "gamma"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.SetStarred(ctx, true, "gamma"); err != nil {
		t.Fatal(err)
	}
	synced, err := Sync(ctx, reader, r)
	if err != nil || len(synced.Pushed.Refused) == 0 {
		t.Fatalf("a reader's sync: %+v, %v; want their edits refused", synced, err)
	}
	waiting, err := r.Unsent(ctx)
	if err != nil || waiting == 0 {
		t.Fatalf("%d changes wait after the refusal (%v)", waiting, err)
	}
	// An editor changes gamma meanwhile: the reader gets it with the rest.
	g, err := e.Entry(ctx, "gamma")
	if err == nil {
		err = g.Set("year", "2013")
	}
	if err == nil {
		err = e.UpdateEntry(ctx, "gamma", g)
	}
	if err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, editor, e)

	// An editor has nothing to discard, and keeps a change waiting.
	if err := e.SetNote(ctx, "alpha", "the editor's note, not sent yet"); err != nil {
		t.Fatal(err)
	}
	if _, err := Discard(ctx, editor, e); !errors.Is(err, ErrMayEdit) {
		t.Errorf("an editor's discard: %v, want ErrMayEdit", err)
	}
	if n, _ := e.Unsent(ctx); n != 1 {
		t.Errorf("an editor's discard left %d changes to send, want 1", n)
	}

	d, err := Discard(ctx, reader, r)
	if err != nil {
		t.Fatalf("discard: %v", err)
	}
	t.Logf("%+v", d)
	if d.Changes != waiting {
		t.Errorf("discard dropped %d changes, want the %d waiting", d.Changes, waiting)
	}
	if n, err := r.Unsent(ctx); n != 0 || err != nil {
		t.Errorf("%d changes wait after the discard (%v)", n, err)
	}
	if got, _ := r.Entry(ctx, "alpha"); got == nil || got.Get("title") != "Alpha" {
		t.Errorf("alpha after the discard: %v", got)
	}
	if got, _ := r.Entry(ctx, "beta"); got == nil {
		t.Errorf("beta, deleted by the reader, is not back")
	}
	if got, _ := r.Entry(ctx, "delta"); got != nil {
		t.Errorf("delta, the reader's new entry, is still there")
	}
	if got, _ := r.Entry(ctx, "gamma"); got == nil || got.Get("year") != "2013" || got.Get("edition") != "" {
		t.Errorf("gamma lacks the editor's year: %v", got)
	}
	if f, _ := r.EntryFlags(ctx, "gamma"); !f.Starred {
		t.Errorf("the reader's star was discarded")
	}
	checkSame(t, reader, r)
	// Nothing is refused any more, and a second discard has nothing to drop.
	if synced := syncQuiet(t, reader, r); len(synced.Pushed.Refused) > 0 {
		t.Errorf("a sync after the discard: %+v", synced)
	}
	if d, err := Discard(ctx, reader, r); err != nil || d.Changes != 0 {
		t.Errorf("a second discard: %+v, %v", d, err)
	}
	checkSame(t, reader, r)
}

// TestDiscardEveryChange: a reader's replica of an organised library, changed in every way users
// change one (libtest.Change), is the server's again after Discard.
func TestDiscardEveryChange(t *testing.T) {
	ctx := context.Background()
	l := organised(t)
	u := pgtest.New(t)
	srv, err := ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(ctx, l, srv); err != nil {
		t.Fatal(err)
	}
	reader := newMember(t, u, "reader", "read")
	dir := t.TempDir()
	r := cloneTo(t, reader, dir, "reader.sqlite")
	if err := libtest.Change(ctx, r); err != nil {
		t.Fatal(err)
	}
	pushed, err := Push(ctx, reader, r)
	if err != nil || len(pushed.Refused) == 0 {
		t.Fatalf("a reader's push: %+v, %v", pushed, err)
	}
	// The test compares what it should: the replica is not the server's before.
	if diffs, err := libtest.DiffByKey(ctx, cloneTo(t, reader, dir, "before.sqlite"), r); err != nil || len(diffs) == 0 {
		t.Fatalf("the changed replica is the server's before the discard (%v)", err)
	}
	d, err := Discard(ctx, reader, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", d)
	if n, err := r.Unsent(ctx); n != 0 || err != nil {
		t.Errorf("%d changes wait after the discard (%v)", n, err)
	}
	checkSame(t, reader, r)
}

// TestLiveDiscard: Live reports a reader's edits refused, and, asked to, lets them go on its
// goroutine: the state that follows has none refused and nothing waiting, and the replica is
// the server's, the reader's flag sent.
func TestLiveDiscard(t *testing.T) {
	ctx := context.Background()
	u := smallShared(t)
	reader := newMember(t, u, "reader", "read")
	r := cloneTo(t, reader, t.TempDir(), "reader.sqlite")
	w := startWatched(t, reader, r)
	_, n := w.waitFor(t, "connected", 0, 5*time.Second, connected)
	// Edited at once, as a sync ends: the change is pushed all the same.
	entry, err := r.Entry(ctx, "alpha")
	if err == nil {
		err = entry.Set("title", "Alpha, as the reader would have it")
	}
	if err == nil {
		err = r.UpdateEntry(ctx, "alpha", entry)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Trash(ctx, "beta"); err != nil {
		t.Fatal(err)
	}
	st, n := w.waitFor(t, "the edits refused", n, 5*time.Second, func(s LiveState) bool { return len(s.Refused) == 2 })
	if st.Unsent != 2 || st.Member != database(t, u)+"_reader" {
		t.Errorf("the state with the edits refused: %+v", st)
	}
	if _, err := r.SetStarred(ctx, true, "gamma"); err != nil {
		t.Fatal(err)
	}
	w.Discard(st.Mark)
	st, _ = w.waitFor(t, "the refused edits let go", n, 5*time.Second, func(s LiveState) bool { return s.Discarded > 0 })
	if len(st.Refused) != 0 || st.Discarded != 2 || st.Err != nil {
		t.Errorf("the state after the discard: %+v", st)
	}
	_, n = w.waitFor(t, "the flag sent", n, 5*time.Second, func(s LiveState) bool { return s.Unsent == 0 && len(s.Refused) == 0 })
	if got, _ := r.Entry(ctx, "alpha"); got.Get("title") != "Alpha" {
		t.Errorf("alpha after the discard: %q", got.Get("title"))
	}
	checkSame(t, reader, r)
	// Asked again, with none left to let go: the state that follows says the discard ended, so
	// that the window does not say "Discarding…" for ever.
	w.Discard(st.Mark)
	st, _ = w.waitFor(t, "the second discard ended", n, 5*time.Second, func(s LiveState) bool { return s.DiscardEnded })
	if st.Discarded != 0 || st.DiscardErr != nil || len(st.Refused) != 0 {
		t.Errorf("the state after a discard of nothing: %+v", st)
	}
}

// TestDiscardSwappedKeys: a reader swaps the keys of two entries (alpha becomes beta's key and
// beta alpha's), and discards the change. The pull that writes the server's versions over them
// writes each key while the other entry had it: the rows give up their keys first, so that
// the replica is the server's, with nothing to send.
func TestDiscardSwappedKeys(t *testing.T) {
	ctx := context.Background()
	u := smallShared(t)
	reader := newMember(t, u, "reader", "read")
	r := cloneTo(t, reader, t.TempDir(), "reader.sqlite")
	rekey := func(from, to string) {
		t.Helper()
		e, err := r.Entry(ctx, from)
		if err != nil {
			t.Fatal(err)
		}
		e.Key = to
		if err := r.UpdateEntry(ctx, from, e); err != nil {
			t.Fatal(err)
		}
	}
	rekey("alpha", "swap")
	rekey("beta", "alpha")
	rekey("swap", "beta")
	d, err := Discard(ctx, reader, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", d)
	if _, err := Pull(ctx, reader, r); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Unsent(ctx); n != 0 || err != nil {
		t.Errorf("%d changes wait after the discard (%v)", n, err)
	}
	checkSame(t, reader, r)
}

// TestLiveDiscardNotKeptOffline: the member asks Live to discard the one change refused (the
// window's "Discard 1 change"), but the server cannot be reached just then: nothing is
// discarded, the state says so, and the wish is not kept for the next connection, when it would
// take an edit made offline that the member never chose to let go. A discard asked for with the
// mark of the state before that edit drops nothing either (storage.ErrChangedSince); with the
// mark of the state that names both changes, both go.
func TestLiveDiscardNotKeptOffline(t *testing.T) {
	ctx := context.Background()
	u := smallShared(t)
	reader := newMember(t, u, "reader", "read")
	owner, err := ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	r := cloneTo(t, reader, t.TempDir(), "reader.sqlite")
	w := startWatched(t, reader, r)
	_, n := w.waitFor(t, "connected", 0, 5*time.Second, connected)
	retitle := func(key, title string) {
		t.Helper()
		entry, err := r.Entry(ctx, key)
		if err == nil {
			err = entry.Set("title", title)
		}
		if err == nil {
			err = r.UpdateEntry(ctx, key, entry)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	retitle("alpha", "Alpha, refused and discarded")
	first, n := w.waitFor(t, "the edit refused", n, 5*time.Second, func(s LiveState) bool { return len(s.Refused) == 1 })

	// The server cannot be reached (here: the reader may not log in for a moment) as the
	// member confirms the discard of that one change.
	role := pgx.Identifier{database(t, u) + "_reader"}.Sanitize()
	execAs(t, owner, `ALTER ROLE `+role+` NOLOGIN`)
	w.Discard(first.Mark)
	st, n := w.waitFor(t, "the discard not reached", n, 5*time.Second, func(s LiveState) bool { return s.DiscardErr != nil })
	if !errors.Is(st.DiscardErr, ErrUnreachable) || st.Discarded != 0 || st.Connected {
		t.Errorf("the state after a discard asked for offline: %+v", st)
	}
	// Offline, the member goes on: an edit they have not been told is refused yet.
	retitle("beta", "Beta, typed after the discard was asked for")
	execAs(t, owner, `ALTER ROLE `+role+` LOGIN`)
	both, n := w.waitFor(t, "both edits refused", n, 20*time.Second, func(s LiveState) bool { return s.Connected && len(s.Refused) == 2 })
	if got, _ := r.Entry(ctx, "alpha"); got.Get("title") != "Alpha, refused and discarded" {
		t.Errorf("alpha's title after the discard not reached: %q", got.Get("title"))
	}

	// The first confirmation, once more (a click that came late): beta's edit is not its to drop.
	w.Discard(first.Mark)
	st, n = w.waitFor(t, "the late discard refused", n, 5*time.Second, func(s LiveState) bool { return s.DiscardErr != nil || s.Discarded > 0 })
	if !errors.Is(st.DiscardErr, storage.ErrChangedSince) {
		t.Errorf("a discard of the first change, with another made since: %+v", st)
	}
	if got, _ := r.Entry(ctx, "beta"); got.Get("title") != "Beta, typed after the discard was asked for" {
		t.Errorf("beta's title: %q: the edit made after the discard was asked for is gone", got.Get("title"))
	}
	w.Discard(both.Mark)
	st, _ = w.waitFor(t, "both discarded", n, 5*time.Second, func(s LiveState) bool { return s.DiscardErr != nil || s.Discarded > 0 })
	if st.Discarded != 2 || st.DiscardErr != nil {
		t.Errorf("the discard of both changes: %+v", st)
	}
}

// TestDiscardNothing: a reader's replica whose only change to send is a flag (which a discard
// keeps) has nothing to discard: Discard leaves it as it is and reads no row of the server's.
func TestDiscardNothing(t *testing.T) {
	ctx := context.Background()
	reader := newMember(t, smallShared(t), "reader", "read")
	r := cloneTo(t, reader, t.TempDir(), "reader.sqlite")
	if _, err := r.SetRead(ctx, true, "alpha"); err != nil {
		t.Fatal(err)
	}
	if d, err := Discard(ctx, reader, r); err != nil || d.Changes != 0 || d.Pulled.Rows != 0 {
		t.Errorf("a discard with nothing to discard: %+v, %v; want nothing done, and nothing read", d, err)
	}
	if n, err := r.Unsent(ctx); n != 1 || err != nil {
		t.Errorf("%d changes wait after it (%v), want the flag's", n, err)
	}
}

// TestDiscardHeldRollsBack: a discard whose pull cannot write the server's version over a row
// whose change it dropped rolls back whole (storage.ErrDiscardHeld), and the replica is exactly
// as it was, every table row for row, its changes still to send. The row held: the reader edited
// alpha, and an editor meanwhile swapped the keys of alpha and beta, one push at a time; the
// pull writes alpha's entry, now beta's key, while the reader's beta still has it. A pull moves
// a row of the server's aside for another's key until its own version comes (TestPullSwappedKeys):
// here the reader's beta is not the server's any more (its global id is one the server does not
// know, as in a replica broken by hand), so its own version never comes, and alpha is held.
func TestDiscardHeldRollsBack(t *testing.T) {
	ctx := context.Background()
	u := smallShared(t)
	reader := newMember(t, u, "reader", "read")
	editor := newMember(t, u, "editor", "edit")
	dir := t.TempDir()
	r := cloneTo(t, reader, dir, "reader.sqlite")
	e := cloneTo(t, editor, dir, "editor.sqlite")

	alpha, err := r.Entry(ctx, "alpha")
	if err == nil {
		err = alpha.Set("title", "Alpha, as the reader would have it")
	}
	if err == nil {
		err = r.UpdateEntry(ctx, "alpha", alpha)
	}
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Sync(ctx, reader, r); err != nil || len(s.Pushed.Refused) != 1 {
		t.Fatalf("the reader's sync: %+v, %v; want the edit refused", s, err)
	}
	for _, k := range [][2]string{{"alpha", "swap"}, {"beta", "alpha"}, {"swap", "beta"}} {
		entry, err := e.Entry(ctx, k[0])
		if err != nil {
			t.Fatal(err)
		}
		entry.Key = k[1]
		if err := e.UpdateEntry(ctx, k[0], entry); err != nil {
			t.Fatal(err)
		}
		syncQuiet(t, editor, e)
	}

	path := filepath.Join(dir, "reader.sqlite")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err == nil {
		_, err = db.Exec(`UPDATE entries SET gid = randomblob(16) WHERE key = 'beta'`)
		err = errors.Join(err, db.Close())
	}
	if err != nil {
		t.Fatal(err)
	}
	before := dumpLibrary(t, path)
	if len(before["entries"]) == 0 || len(before["replica_changes"]) == 0 {
		t.Fatalf("the dump of the replica has no entries or no changes: %v", before)
	}
	waiting, err := r.Unsent(ctx)
	if err != nil || waiting == 0 {
		t.Fatalf("%d changes wait before the discard (%v)", waiting, err)
	}
	d, err := Discard(ctx, reader, r)
	if !errors.Is(err, storage.ErrDiscardHeld) {
		t.Fatalf("discard: %+v, %v; want ErrDiscardHeld", d, err)
	}
	t.Log(err)
	after := dumpLibrary(t, path)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("the replica after the discard rolled back differs (-before +after):\n%s", diff)
	}
	if n, err := r.Unsent(ctx); n != waiting || err != nil {
		t.Errorf("%d changes wait after the discard rolled back (%v), want %d", n, err, waiting)
	}
	if got, err := r.Entry(ctx, "alpha"); err != nil || got.Get("title") != "Alpha, as the reader would have it" {
		t.Errorf("alpha after the discard rolled back: %v (%v), want the reader's edit", got, err)
	}
}

// dumpLibrary reads every row of every table of the library file at path (the search index's
// tables too), each table's rows sorted: what says that two states of a library are the same.
func dumpLibrary(t *testing.T, path string) map[string][]string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], fmt.Sprintf("%q", vals))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		slices.Sort(out[table])
	}
	return out
}
