package shared

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/libtest"
	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// The tests of this file end a sync half way: the server crashed, or the client's process
// killed. None may run in parallel with another test of the binary (pgtest.Crash takes the
// cluster down for all of them).

// manyEntries is a file of n new entries, named by prefix.
func manyEntries(prefix string, n int) *bib.File {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "@misc{%s%05d, title = {Entry %d of %s}, author = {Some One}, year = 2024}\n", prefix, i, i, prefix)
	}
	return bib.Parse(prefix+".bib", []byte(b.String()))
}

// cloneTo makes a replica of the shared library at srv in a file of dir.
func cloneTo(t *testing.T, srv *Server, dir, name string) *storage.Library {
	t.Helper()
	l, err := Clone(context.Background(), srv, filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// A transaction of a client on the server, as pg_stat_activity shows it: one that has written
// (a push), or one that reads the rows written since a revision (a pull).
const (
	writingTransaction = `backend_xid IS NOT NULL`
	pullingTransaction = `query LIKE '%WHERE rev > $1%'`
)

// waitForTransaction waits until a connection of Bibshelf's other than the watcher's has a
// transaction open on the server that is as which says (writingTransaction,
// pullingTransaction), and returns how long that took; or, when ended is closed first (the
// process it waits for has ended), returns false.
func waitForTransaction(t *testing.T, srv *Server, which string, ended <-chan struct{}) (time.Duration, bool) {
	t.Helper()
	ctx := context.Background()
	conn, err := srv.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	start := time.Now()
	for time.Since(start) < 30*time.Second {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'bibshelf'
			AND pid <> pg_backend_pid() AND datname = current_database() AND xact_start IS NOT NULL
			AND `+which).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return time.Since(start), true
		}
		select {
		case <-ended:
			return time.Since(start), false
		case <-time.After(2 * time.Millisecond):
		}
	}
	t.Fatal("no transaction of a client in 30 s")
	return 0, false
}

// checkSame fails the test when the replica differs from a new replica of the server's.
func checkSame(t *testing.T, srv *Server, l *storage.Library) {
	t.Helper()
	ctx := context.Background()
	want := cloneTo(t, srv, t.TempDir(), "server.sqlite")
	diffs, err := libtest.Diff(ctx, want, l)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("the replica differs from the server's: %s", d)
	}
}

// syncQuiet syncs a replica and fails the test unless all of it was sent, without a conflict.
func syncQuiet(t *testing.T, srv *Server, l *storage.Library) Synced {
	t.Helper()
	ctx := context.Background()
	s, err := Sync(ctx, srv, l)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Pushed.Conflicts) > 0 || len(s.Pushed.Dropped) > 0 || s.Pulled.Held > 0 {
		t.Fatalf("sync: %+v", s)
	}
	if n, err := l.Unsent(ctx); n != 0 || err != nil {
		t.Fatalf("%d changes left to send after a sync (%v)", n, err)
	}
	return s
}

// TestServerCrash: the server crashes while a replica sends 500 new entries and an edit. The
// push fails as the server being out of reach; the replica keeps every change to send. Edits
// made while the server is down wait too, and the sync after the restart sends them all, each
// entry once.
func TestServerCrash(t *testing.T) {
	ctx := context.Background()
	const start, added = 30, 500
	u := startLibrary(t, start)
	srv, err := ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a := cloneTo(t, srv, dir, "a.sqlite")
	b := cloneTo(t, srv, dir, "b.sqlite")
	if _, err := a.Import(ctx, manyEntries("crash", added)); err != nil {
		t.Fatal(err)
	}
	if err := a.SetNote(ctx, entryKey(0), "written before the crash"); err != nil {
		t.Fatal(err)
	}
	unsent, err := a.Unsent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var pushErr error
	pushed := make(chan struct{})
	go func() {
		_, pushErr = Push(ctx, srv, a)
		close(pushed)
	}()
	took, seen := waitForTransaction(t, srv, writingTransaction, pushed)
	if !seen {
		t.Fatalf("the push of %d entries ended (%v) before the test saw it write", added, pushErr)
	}
	pgtest.Crash(t)
	<-pushed
	err = pushErr
	t.Logf("the push's transaction began after %v; the push cut short by the crash: %v", took.Round(time.Millisecond), err)
	if !errors.Is(err, ErrUnreachable) {
		t.Errorf("a push cut short by the server's crash: %v, want ErrUnreachable", err)
	}
	if n, err := a.Unsent(ctx); err != nil || n != unsent {
		t.Errorf("after the crash %d changes wait (%v), want all %d", n, err, unsent)
	}

	// Offline: both replicas edit; their syncs fail, as out of reach, and lose nothing.
	if err := a.SetNote(ctx, entryKey(1), "written while the server was down"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddTags(ctx, []string{entryKey(2)}, "offline"); err != nil {
		t.Fatal(err)
	}
	for _, l := range []*storage.Library{a, b} {
		if _, err := Sync(ctx, srv, l); !errors.Is(err, ErrUnreachable) {
			t.Errorf("a sync with the server down: %v, want ErrUnreachable", err)
		}
	}

	pgtest.Restart(t)
	syncQuiet(t, srv, a)
	syncQuiet(t, srv, b)
	syncQuiet(t, srv, a)
	if n := serverEntries(t, srv); n != start+added {
		t.Errorf("the server has %d entries, want %d", n, start+added)
	}
	for _, l := range []*storage.Library{a, b} {
		checkSame(t, srv, l)
	}
	if note, _ := b.Note(ctx, entryKey(1)); note != "written while the server was down" {
		t.Errorf("the offline note did not reach the other replica: %q", note)
	}
	if tags, _ := a.EntryTags(ctx, entryKey(2)); len(tags) != 1 {
		t.Errorf("the offline tag did not reach the other replica: %v", tags)
	}
}

// runSyncProcess runs a client process that syncs the replica at path once, and kills it with
// SIGKILL once it has a transaction open on the server as which says (waitForTransaction) and
// then delay has passed. It reports whether the process was killed before it was done (one
// that ended before it was seen in its transaction is not).
func runSyncProcess(t *testing.T, u, path string, which string, delay time.Duration) bool {
	t.Helper()
	cmd, out := clientCmd(t, clientConfig{URL: u, Replica: path, SyncOnly: true})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	srv, err := ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	go func() {
		err = cmd.Wait()
		close(ended)
	}()
	if _, seen := waitForTransaction(t, srv, which, ended); seen {
		time.Sleep(delay)
		cmd.Process.Kill() // fails only when it has ended, which Wait says
	}
	<-ended
	killed := !cmd.ProcessState.Exited()
	if !killed && err != nil {
		t.Fatalf("the client failed: %v\n%s", err, out)
	}
	return killed
}

// TestClientKilled: a client process is killed with SIGKILL while it sends 500 new entries,
// and while another brings them, in rounds killed at once and later. Each replica opens as it
// was before the sync or after it (each side's transaction is all or nothing), and the client
// run again sends and brings all of it, each entry once.
func TestClientKilled(t *testing.T) {
	ctx := context.Background()
	const start, added = 30, 500
	u := startLibrary(t, start)
	srv, err := ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	want := start
	for round, delay := range []time.Duration{0, 100 * time.Millisecond} {
		// A replica that the push below leaves behind, to be killed in its pull.
		behind := filepath.Join(dir, fmt.Sprintf("behind%d.sqlite", round))
		if err := cloneTo(t, srv, dir, filepath.Base(behind)).Close(); err != nil {
			t.Fatal(err)
		}

		// Mid-push: the replica's new entries, and an edit.
		path := filepath.Join(dir, fmt.Sprintf("push%d.sqlite", round))
		l := cloneTo(t, srv, dir, filepath.Base(path))
		if _, err := l.Import(ctx, manyEntries(fmt.Sprintf("push%d-", round), added)); err != nil {
			t.Fatal(err)
		}
		if err := l.SetNote(ctx, entryKey(round), fmt.Sprintf("round %d", round)); err != nil {
			t.Fatal(err)
		}
		unsent, _ := l.Unsent(ctx)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		killed := runSyncProcess(t, u, path, writingTransaction, delay)
		l = openReplica(t, srv, path)
		n, err := l.Unsent(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d, killed %v into the push: killed %v, %d of %d changes left to send", round, delay, killed, n, unsent)
		if n != unsent && n != 0 {
			t.Errorf("round %d: %d of %d changes left to send: a push is all or nothing", round, n, unsent)
		}
		// The client, run again, sends what it had not.
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		runClientAgain(t, u, path)
		l = openReplica(t, srv, path)
		syncQuiet(t, srv, l)
		want += added
		if n := serverEntries(t, srv); n != int64(want) {
			t.Errorf("round %d: the server has %d entries, want %d", round, n, want)
		}
		checkSame(t, srv, l)

		// Mid-pull.
		killed = runSyncProcess(t, u, behind, pullingTransaction, delay)
		b := openReplica(t, srv, behind)
		r, _, err := b.Replica(ctx)
		if err != nil {
			t.Fatal(err)
		}
		count, err := b.Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d, killed %v into the pull: killed %v, %d entries, pulled up to %d", round, delay, killed, count, r.Pulled)
		if count != want-added && count != want {
			t.Errorf("round %d: a replica killed in its pull has %d entries, want %d or %d: a pull is all or nothing", round, count, want-added, want)
		}
		if n, err := b.Unsent(ctx); n != 0 || err != nil {
			t.Errorf("round %d: a replica killed in its pull has %d changes to send (%v)", round, n, err)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		runClientAgain(t, u, behind)
		b = openReplica(t, srv, behind)
		if s := syncQuiet(t, srv, b); s.Pulled.Rows != 0 {
			t.Errorf("round %d: the client run again after it was killed in its pull left %d rows to bring", round, s.Pulled.Rows)
		}
		checkSame(t, srv, b)
	}
}

// TestLargePushKilled: a client process is killed with SIGKILL while it pushes a large import
// (1,200 generated entries and their keywords as tags: more than a batch of each, batchRows),
// once its entries are on the server and its links to tags are being sent. The push is all or
// nothing: the server has none of the entries, the replica every change to send; the client
// run again sends them all, each once.
func TestLargePushKilled(t *testing.T) {
	ctx := context.Background()
	const start, added = 30, 1200
	u := startLibrary(t, start)
	srv, err := ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "large.sqlite")
	l := cloneTo(t, srv, dir, filepath.Base(path))
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, added, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Import(ctx, bib.Parse("large.bib", src.Bytes())); err != nil {
		t.Fatal(err)
	}
	unsent, _ := l.Unsent(ctx)
	count, err := l.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	killed := runSyncProcess(t, u, path, writingTransaction+` AND query LIKE 'INSERT INTO entry_tags%'`, 0)
	l = openReplica(t, srv, path)
	n, err := l.Unsent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("killed while sending links: %v; %d of %d changes left to send", killed, n, unsent)
	if !killed {
		t.Error("the client ended before it was killed in its push's links")
	}
	if onServer := serverEntries(t, srv); killed && (n != unsent || onServer != start) {
		t.Errorf("a push killed half way: %d of %d changes left to send, the server has %d entries, want all and %d: a push is all or nothing",
			n, unsent, onServer, start)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	runClientAgain(t, u, path)
	l = openReplica(t, srv, path)
	syncQuiet(t, srv, l)
	if n := serverEntries(t, srv); n != int64(count) {
		t.Errorf("the server has %d entries, want the replica's %d", n, count)
	}
	// The links to tags, counted (checkSame, which compares every export, would take many
	// times the rest of the test).
	tags, err := l.Tags(ctx)
	if err != nil {
		t.Fatal(err)
	}
	links := 0
	for _, tag := range tags {
		links += tag.Count
	}
	conn, err := srv.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var onServer int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM bibshelf.entry_tags WHERE NOT deleted`).Scan(&onServer); err != nil {
		t.Fatal(err)
	}
	if onServer != links || links == 0 {
		t.Errorf("the server has %d links of entries to tags, the replica %d", onServer, links)
	}
}

// runClientAgain runs a client process that syncs the replica at path once, to its end.
func runClientAgain(t *testing.T, u, path string) {
	t.Helper()
	cmd, out := clientCmd(t, clientConfig{URL: u, Replica: path, SyncOnly: true})
	if err := cmd.Run(); err != nil {
		t.Fatalf("the client run again: %v\n%s", err, out)
	}
}

// openReplica opens the replica at path, which must be there.
func openReplica(t *testing.T, srv *Server, path string) *storage.Library {
	t.Helper()
	l, err := storage.OpenExisting(context.Background(), path)
	if err != nil {
		t.Fatalf("the replica of a client killed: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// TestPushCommittedNotRecorded: a client killed after the server committed its push and
// before its replica recorded it (a moment too short to kill a process in on purpose: here, a
// copy of the replica made before the push) sends the same changes again. The server takes
// them as what it has, without a conflict or a second entry.
func TestPushCommittedNotRecorded(t *testing.T) {
	ctx := context.Background()
	const start = 30
	u := startLibrary(t, start)
	srv, err := ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "replica.sqlite")
	l := cloneTo(t, srv, dir, "replica.sqlite")
	// A note and a tag the server has, so that they are changed below rather than made, and
	// an entry in the trash, to be deleted below.
	if err := l.SetNote(ctx, entryKey(1), "first"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Trash(ctx, entryKey(4)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddTags(ctx, []string{entryKey(1)}, "old"); err != nil {
		t.Fatal(err)
	}
	syncQuiet(t, srv, l)
	// Every kind of change: a new entry, an edited one, a note changed, a tag given and one
	// renamed, entries put in the trash and deleted, a collection.
	if _, err := l.Import(ctx, manyEntries("new", 3)); err != nil {
		t.Fatal(err)
	}
	e, err := l.Entry(ctx, entryKey(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Set("title", "Edited"); err != nil {
		t.Fatal(err)
	}
	if err := l.UpdateEntry(ctx, entryKey(0), e); err != nil {
		t.Fatal(err)
	}
	if err := l.SetNote(ctx, entryKey(1), "second"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddTags(ctx, []string{entryKey(2)}, "given"); err != nil {
		t.Fatal(err)
	}
	if err := l.RenameTag(ctx, "old", "renamed"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Trash(ctx, entryKey(3)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Restore(ctx, entryKey(4)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Trash(ctx, entryKey(4)); err != nil {
		t.Fatal(err)
	}
	if n, err := l.EmptyTrash(ctx); err != nil || n != 2 {
		t.Fatalf("emptied %d entries from the trash (%v), want 2", n, err)
	}
	if _, err := l.CreateCollection(ctx, nil, "Reading"); err != nil {
		t.Fatal(err)
	}
	// Changes gives the new rows their global ids, as a push does before it sends anything.
	if _, err := l.Changes(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	before := filepath.Join(dir, "before.sqlite")
	copyFile(t, path, before)

	l = openReplica(t, srv, path)
	syncQuiet(t, srv, l)
	again := openReplica(t, srv, before)
	s := syncQuiet(t, srv, again)
	t.Logf("sent again: %+v", s.Pushed)
	if n := serverEntries(t, srv); n != start+3-2 {
		t.Errorf("the server has %d entries, want %d", n, start+3-2)
	}
	checkSame(t, srv, again)
	checkSame(t, srv, l)
}

// copyFile copies the file from to the new file to.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
