package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bibshelf/bibshelf/storage/pgtest"
	"github.com/bibshelf/bibshelf/storage/shared"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestShare copies a library to a shared library with the share verb, and reads it back through
// --library URL: the replica, made the first time in the user data folder, exports what the
// library does; verbs that change a library are refused one.
func TestShare(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib); st != 0 {
		t.Fatal(errOut)
	}
	url := pgtest.New(t)
	st, out, errOut := bibshelf(t, "", "share", "--library", lib, url)
	if st != 0 || !strings.HasPrefix(out, "copied 56 entries to the shared library ") || errOut != "" {
		t.Fatalf("share: %d %q %q", st, out, errOut)
	}
	if st, _, errOut := bibshelf(t, "", "share", "--library", lib, url); st != exitRejected || !strings.Contains(errOut, shared.ErrNotEmpty.Error()) {
		t.Errorf("share to a database with a shared library: %d %q", st, errOut)
	}

	_, want, _ := bibshelf(t, "", "export", "--library", lib)
	st, got, errOut := bibshelf(t, "", "export", "--library", url)
	if st != 0 || got != want || errOut != "" {
		t.Errorf("export --library URL: %d, %d bytes, %q; want the %d bytes of the library's", st, len(got), errOut, len(want))
	}
	srv, err := shared.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	replica, err := shared.ReplicaPath(srv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(replica); err != nil || !strings.HasPrefix(replica, os.Getenv("XDG_DATA_HOME")) {
		t.Errorf("no replica at %s: %v", replica, err)
	}
	st, out, _ = bibshelf(t, "", "search", "--library", url, "pointer", "networks")
	if want := "vinyals2015pointer\t2015\tVinyals\tPointer Networks\n"; st != 0 || out != want {
		t.Errorf("search --library URL: %d %q, want %q", st, out, want)
	}
	// An import into the shared library goes to the server: another computer's replica, made
	// afterwards, has it.
	more := filepath.Join(t.TempDir(), "more.bib")
	if err := os.WriteFile(more, []byte("@misc{shared1, title = {Shared One}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, out, errOut := bibshelf(t, "", "import", "--library", url, more); st != 0 || errOut != "" {
		t.Errorf("import into a shared library: %d %q %q", st, out, errOut)
	}
	// An import of many entries says it sends them, which takes a while.
	var many strings.Builder
	for i := range shared.ManyChanges {
		fmt.Fprintf(&many, "@misc{many%04d, title = {Many %d}}\n", i, i)
	}
	if err := os.WriteFile(more, []byte(many.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, _, errOut := bibshelf(t, "", "import", "--library", url, more); st != 0 ||
		!regexp.MustCompile(`^bibshelf import: sending 10\d\d changes to postgres://\S+…\n$`).MatchString(errOut) {
		t.Errorf("import of many entries into a shared library: %d %q", st, errOut)
	}
	home := os.Getenv("XDG_DATA_HOME")
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	if st, out, errOut := bibshelf(t, "", "search", "--library", url, "shared", "one"); st != 0 || !strings.HasPrefix(out, "shared1\t") || errOut != "" {
		t.Errorf("search of another computer's replica: %d %q %q", st, out, errOut)
	}
	t.Setenv("XDG_DATA_HOME", home)

	// A change made on the server is in the replica the next time a verb reads it.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE bibshelf.entries SET deleted = true WHERE key = 'vinyals2015pointer'`); err != nil {
		t.Fatal(err)
	}
	if st, out, errOut := bibshelf(t, "", "search", "--library", url, "pointer", "networks"); st != 0 || out != "" || errOut != "" {
		t.Errorf("search of an entry deleted on the server: %d %q %q", st, out, errOut)
	}
	// With the server out of reach, the replica is read as it is: here, the replica copied to
	// where that of a server at another port would be.
	offline := strings.Replace(url, "port=", "port=1", 1)
	osrv, err := shared.ParseURL(offline)
	if err != nil {
		t.Fatal(err)
	}
	opath, err := shared.ReplicaPath(osrv)
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(replica); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(opath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if st, out, errOut := bibshelf(t, "", "search", "--library", offline, "representation"); st != 0 || out == "" ||
		!strings.Contains(errOut, "cannot be reached") {
		t.Errorf("search of a shared library out of reach: %d %q %q", st, out, errOut)
	}
}

// TestShareReadOnly: a member who may only read imports into the shared library: the entry
// stays in their replica, the server refuses it, and the verb says so, naming the role and the
// entry, with exit status exitRejected. The verbs after it, which change nothing, do their work
// and warn (online or not); sync fails for it, and sync --discard-refused lets it go, which an
// editor's is refused.
func TestShareReadOnly(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib); st != 0 {
		t.Fatal(errOut)
	}
	owner := pgtest.New(t)
	st, out, errOut := bibshelf(t, "", "share", "--library", lib, owner)
	if st != 0 || !strings.Contains(out, "_read TO ROLE") {
		t.Fatalf("share: %d %q %q", st, out, errOut)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var db string
	if err := conn.QueryRow(ctx, `SELECT current_database()`).Scan(&db); err != nil {
		t.Fatal(err)
	}
	role := db + "_reader"
	if _, err := conn.Exec(ctx, `CREATE ROLE `+pgx.Identifier{role}.Sanitize()+` LOGIN IN ROLE `+pgx.Identifier{db + "_read"}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	reader := strings.Replace(owner, "user="+pgtest.Superuser, "user="+role, 1)
	if st, out, errOut := bibshelf(t, "", "search", "--library", reader, "pointer", "networks"); st != 0 || !strings.HasPrefix(out, "vinyals2015pointer\t") || errOut != "" {
		t.Errorf("a reader's search: %d %q %q", st, out, errOut)
	}
	more := filepath.Join(t.TempDir(), "more.bib")
	if err := os.WriteFile(more, []byte("@misc{readerone, title = {The Reader's Own}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, _, errOut = bibshelf(t, "", "import", "--library", reader, more)
	if want := "you may only read this shared library (role " + role + "): not sent: "; st != exitRejected ||
		!strings.Contains(errOut, want) || !strings.Contains(errOut, `the entry "readerone"`) {
		t.Errorf("a reader's import: %d %q; want exit status %d, %q and the entry", st, errOut, exitRejected, want)
	}
	// The entry (and the import, its source) stays in the reader's replica, and is not on the
	// server. A verb that changes nothing does its work, and warns of it once, saying how to
	// discard it.
	st, out, errOut = bibshelf(t, "", "search", "--library", reader, "reader's", "own")
	if st != exitOK || !strings.HasPrefix(out, "readerone\t") || strings.Count(errOut, "warning: not sent, refused by the server: 2 changes made before") != 1 ||
		!strings.Contains(errOut, "role "+role) || !strings.Contains(errOut, "bibshelf sync --discard-refused --library '") {
		t.Errorf("the reader's entry in their replica: %d %q %q", st, out, errOut)
	}
	if st, out, errOut := bibshelf(t, "", "export", "--library", reader, "--keys", "readerone"); st != exitOK || !strings.Contains(out, "readerone") ||
		!strings.Contains(errOut, "warning:") {
		t.Errorf("a reader's export with a change refused before: %d %q %q", st, out, errOut)
	}
	// Nor with the server out of reach (the replica copied to where that of a server at another
	// port would be), the changes waiting older than the verb.
	offline := strings.Replace(reader, "port=", "port=1", 1)
	osrv, err := shared.ParseURL(offline)
	if err != nil {
		t.Fatal(err)
	}
	rsrv, err := shared.ParseURL(reader)
	if err != nil {
		t.Fatal(err)
	}
	opath, err := shared.ReplicaPath(osrv)
	if err != nil {
		t.Fatal(err)
	}
	rpath, err := shared.ReplicaPath(rsrv)
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(rpath); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(opath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if st, out, errOut := bibshelf(t, "", "search", "--library", offline, "reader's", "own"); st != exitOK || !strings.HasPrefix(out, "readerone\t") ||
		!strings.Contains(errOut, "cannot be reached") {
		t.Errorf("a reader's search out of reach, with a change refused before: %d %q %q", st, out, errOut)
	}
	// sync, whose work is to send, fails for it; --discard-refused lets it go.
	if st, _, errOut := bibshelf(t, "", "sync", "--library", reader); st != exitRejected || !strings.Contains(errOut, "you may only read this shared library (role "+role+")") {
		t.Errorf("a reader's sync: %d %q", st, errOut)
	}
	if st, out, errOut := bibshelf(t, "", "sync", "--discard-refused", "--library", reader); st != exitOK || !strings.Contains(out, "discarded 2 changes not sent") || errOut != "" {
		t.Errorf("a reader's sync --discard-refused: %d %q %q", st, out, errOut)
	}
	if st, out, errOut := bibshelf(t, "", "search", "--library", reader, "reader's", "own"); st != exitOK || out != "" || errOut != "" {
		t.Errorf("the reader's entry after the discard: %d %q %q", st, out, errOut)
	}
	// The owner may edit: nothing is refused, nothing discarded.
	if st, _, errOut := bibshelf(t, "", "sync", "--discard-refused", "--library", owner); st != exitRejected || !strings.Contains(errOut, "you may edit this shared library") {
		t.Errorf("the owner's sync --discard-refused: %d %q", st, errOut)
	}
	if st, _, _ := bibshelf(t, "", "sync", "--library", lib); st != exitUsage {
		t.Errorf("sync of a library file: %d, want %d", st, exitUsage)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM bibshelf.entries WHERE key = 'readerone'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the server has %d of the reader's entry (%v)", n, err)
	}
}

// TestShareSameKey: two computers import an entry of one key, one of them while the server is
// out of reach; the second to reach the server has its entry renamed to the next free key, says
// so, and the server has both.
func TestShareSameKey(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib); st != 0 {
		t.Fatal(errOut)
	}
	url := pgtest.New(t)
	if st, out, errOut := bibshelf(t, "", "share", "--library", lib, url); st != 0 {
		t.Fatalf("share: %d %q %q", st, out, errOut)
	}
	mine, theirs := filepath.Join(t.TempDir(), "mine.bib"), filepath.Join(t.TempDir(), "theirs.bib")
	if err := os.WriteFile(mine, []byte("@misc{clash, title = {Mine}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(theirs, []byte("@misc{clash, title = {Theirs}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, _, errOut := bibshelf(t, "", "search", "--library", url, "pointer"); st != 0 {
		t.Fatal(errOut) // this computer's replica
	}
	db := pgtest.RenameDatabase(t, url, "")
	if st, _, errOut := bibshelf(t, "", "import", "--library", url, mine); st != exitRejected || !strings.Contains(errOut, "sent at the next sync") {
		t.Errorf("an import with the server out of reach: %d %q", st, errOut)
	}
	pgtest.RenameDatabase(t, url, db)
	home := os.Getenv("XDG_DATA_HOME")
	t.Setenv("XDG_DATA_HOME", t.TempDir()) // another computer
	if st, _, errOut := bibshelf(t, "", "import", "--library", url, theirs); st != 0 || errOut != "" {
		t.Fatalf("the other computer's import: %d %q", st, errOut)
	}
	t.Setenv("XDG_DATA_HOME", home)
	st, out, errOut := bibshelf(t, "", "search", "--library", url, "title:mine")
	want := `bibshelf search: the entry "clash" is now "clasha" (another member's entry has that key); it was sent under that name, and both are kept`
	if st != 0 || !strings.HasPrefix(out, "clasha\t") || !strings.Contains(errOut, want) {
		t.Errorf("the sync after: %d %q %q; want clasha and %q", st, out, errOut, want)
	}
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	if st, out, _ := bibshelf(t, "", "export", "--library", url, "--keys", "clash,clasha"); st != 0 ||
		!strings.Contains(out, "@misc{clash, title = {Theirs}}") || !strings.Contains(out, "@misc{clasha, title = {Mine}}") {
		t.Errorf("the server's entries: %d\n%s", st, out)
	}
}
