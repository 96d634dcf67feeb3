package shared

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/libtest"
	"github.com/bibshelf/bibshelf/storage/pgtest"
)

func TestServerText(t *testing.T) {
	for _, tc := range []struct{ in, server string }{
		{"", ""},
		{"plain", "plain"},
		{"a\x00b", "a\x01\x02b"},
		{"a\x01b", "a\x01\x01b"},
		{"\x01\x02", "\x01\x01\x02"},
		{"\x00\x00\x01", "\x01\x02\x01\x02\x01\x01"},
		{"é\x00ü", "é\x01\x02ü"},
	} {
		if got := toServer(tc.in); got != tc.server {
			t.Errorf("toServer(%q) = %q, want %q", tc.in, got, tc.server)
		}
		if got := fromServer(tc.server); got != tc.in {
			t.Errorf("fromServer(%q) = %q, want %q", tc.server, got, tc.in)
		}
	}
	// What no release writes reads as it is.
	for _, s := range []string{"\x01", "a\x01", "\x01x"} {
		if got := fromServer(s); got != s {
			t.Errorf("fromServer(%q) = %q", s, got)
		}
	}
	args := []any{"a\x00", 3, []string{"x", "\x01"}}
	got := serverArgs(args)
	if got[0] != "a\x01\x02" || !slices.Equal(got[2].([]string), []string{"x", "\x01\x01"}) {
		t.Errorf("serverArgs: %q", got)
	}
	if args[0] != "a\x00" || args[2].([]string)[1] != "\x01" {
		t.Errorf("serverArgs changed its argument: %q", args)
	}
}

func FuzzServerText(f *testing.F) {
	for _, s := range []string{"", "a\x00b", "\x01\x01\x02", "\x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		server := toServer(s)
		if strings.IndexByte(server, 0) >= 0 {
			t.Fatalf("toServer(%q) = %q holds a NUL", s, server)
		}
		if back := fromServer(server); back != s {
			t.Fatalf("fromServer(toServer(%q)) = %q", s, back)
		}
	})
}

// TestNULShared shares a library whose entries, @string, notes and saved search hold NUL and
// 0x01 bytes, and an attachment's path 0x01, which PostgreSQL's text cannot hold as they are:
// the copy, a clone, a push and a pull keep them byte for byte, and a release's migration keeps
// the 0x01 bytes one before it wrote.
func TestNULShared(t *testing.T) {
	ctx := context.Background()
	url := pgtest.New(t)
	srv, err := ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	local := newLibrary(t, "local.sqlite")
	src := "@string{nul = \"a\x00b\"}\n" +
		"@misc{one, title = {x\x00y \x01 z}, note = nul # {!}}\n" +
		"@misc{two, title = {Two \x01}, keywords = {plain}}\n"
	if _, err := local.Import(ctx, bib.Parse("nul.bib", []byte(src))); err != nil {
		t.Fatal(err)
	}
	if err := local.SetNote(ctx, "one", "a note\x00 with \x01 both"); err != nil {
		t.Fatal(err)
	}
	if err := local.SaveSearch(ctx, storage.SavedSearch{Name: "nul", Query: "title:\"x\x00y \x01\""}); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(t.TempDir(), "a\x01b.pdf") // a file's name holds no NUL
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := local.AddAttachment(ctx, "two", pdf); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(ctx, local, srv); err != nil {
		t.Fatal(err)
	}
	a, err := Clone(ctx, srv, filepath.Join(t.TempDir(), "a.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	diffs, err := libtest.Diff(ctx, local, a)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Error(d)
	}

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var title string
	if err := conn.QueryRow(ctx, `SELECT title FROM bibshelf.entries WHERE key = 'one'`).Scan(&title); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "x\x01\x02y \x01\x01 z") {
		t.Errorf("the server's title: %q", title)
	}

	// A push and a pull.
	b, err := Clone(ctx, srv, filepath.Join(t.TempDir(), "b.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.Import(ctx, bib.Parse("more.bib", []byte("@misc{three, title = {T\x00\x01}}\n"))); err != nil {
		t.Fatal(err)
	}
	if err := a.SetNote(ctx, "two", "\x00"); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, srv, a)
	syncOnce(t, srv, b)
	if e, err := b.Entry(ctx, "three"); err != nil || e.Get("title") != "T\x00\x01" {
		t.Errorf("three in b: %v %v", e, err)
	}
	if note, _ := b.Note(ctx, "two"); note != "\x00" {
		t.Errorf("two's note in b: %q", note)
	}
	diffs, err = libtest.Diff(ctx, a, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Error(d)
	}

	// A release before schema version 4 wrote 0x01 as it is: the migration keeps its meaning.
	// (Made again here, it escapes the escaped rows a second time: only two's note is read.)
	if _, err := conn.Exec(ctx, `UPDATE bibshelf.notes SET body = 'old' || chr(1) || chr(2)
			WHERE entry_id = (SELECT id FROM bibshelf.entries WHERE key = 'two');
		DELETE FROM bibshelf.schema_migrations WHERE version = 4`); err != nil {
		t.Fatal(err)
	}
	if _, err := Pull(ctx, srv, b); err != nil {
		t.Fatal(err)
	}
	if note, err := b.Note(ctx, "two"); note != "old\x01\x02" {
		t.Errorf("two's note written before version 4: %q %v", note, err)
	}
}

// TestNULConflict: a conflict over an entry that holds NUL and 0x01 bytes and names an @string
// macro, and over its note: the merge dialog reads the server's side (ServerEntry), its context
// naming the macro's item by its global id, as the server keeps it; a note kept both ways keeps
// both texts; and both replicas end as the server has them.
func TestNULConflict(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	local := newLibrary(t, "local.sqlite")
	src := "@string{nul = \"a\x00b\x01\"}\n@misc{one, title = {x\x00y \x01 z}, note = nul # {!}}\n"
	if _, err := local.Import(ctx, bib.Parse("nul.bib", []byte(src))); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(ctx, local, srv); err != nil {
		t.Fatal(err)
	}
	var libs [2]*storage.Library
	titles, notes := []string{"A\x00\x01", "B\x01\x02\x00"}, []string{"na\x00", "nb\x01"}
	for i := range libs {
		if libs[i], err = Clone(ctx, srv, filepath.Join(t.TempDir(), "replica.sqlite")); err != nil {
			t.Fatal(err)
		}
		defer libs[i].Close()
		e, err := libs[i].Entry(ctx, "one")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Set("title", titles[i]); err != nil {
			t.Fatal(err)
		}
		if err := libs[i].UpdateEntry(ctx, "one", e); err != nil {
			t.Fatal(err)
		}
		if err := libs[i].SetNote(ctx, "one", notes[i]); err != nil {
			t.Fatal(err)
		}
	}
	syncOnce(t, srv, libs[0])
	pushed, err := Push(ctx, srv, libs[1])
	if err != nil || len(pushed.Conflicts) != 2 || pushed.Conflicts[0].Kind != "entry" || pushed.Conflicts[1].Kind != "note" {
		t.Fatalf("the second push: %+v, %v; want a conflict over the entry and one over its note", pushed, err)
	}
	theirs, ok, err := ServerEntry(ctx, srv, pushed.Conflicts[0].ID)
	if err != nil || !ok {
		t.Fatalf("ServerEntry: %v, %v", ok, err)
	}
	if theirs.Get("title") != titles[0] || theirs.Get("note") != "a\x00b\x01!" {
		t.Errorf("the server's entry: title %q, note %q", theirs.Get("title"), theirs.Get("note"))
	}
	l := &Live{srv: srv, lib: libs[1]}
	if err := l.resolve(ctx, settlement{conflicts: pushed.Conflicts[:1], mine: true}); err != nil {
		t.Fatal(err)
	}
	if err := l.resolve(ctx, settlement{conflicts: pushed.Conflicts[1:], mine: true, both: true}); err != nil {
		t.Fatal(err)
	}
	if note, err := libs[1].Note(ctx, "one"); err != nil || !strings.HasPrefix(note, notes[1]+"\n") || !strings.HasSuffix(note, "\n"+notes[0]) {
		t.Errorf("the note kept both ways: %q, %v", note, err)
	}
	syncOnce(t, srv, libs[1])
	syncOnce(t, srv, libs[0])
	diffs, err := libtest.Diff(ctx, libs[0], libs[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Error(d)
	}
	if e, err := libs[0].Entry(ctx, "one"); err != nil || e.Get("title") != titles[1] {
		t.Errorf("the entry kept as the second replica had it: %v, %v", e, err)
	}
}

// TestTextMigration brings a shared library that a release before schema version 4 wrote, its
// 0x01 bytes as they are in every table's text, up to date: every text reads as it was sent, the
// rows keep their revisions (the text is the same), so that a replica's changes made meanwhile
// are sent without a conflict, and a member's role (marks.member) and the schema's versions are
// left as they are.
func TestTextMigration(t *testing.T) {
	ctx := context.Background()
	url := pgtest.New(t)
	srv, err := ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	local := newLibrary(t, "local.sqlite")
	dir := t.TempDir()
	src := "@preamble{\"P\x01\"}\n@string{one = \"a\x01b\"}\n" +
		"@misc{one, title = {x\x01y}, note = one # {!}}\n@misc{two, title = {Two \x01\x01\x02}}\n"
	if _, err := local.Import(ctx, bib.Parse(filepath.Join(dir, "one\x01.bib"), []byte(src))); err != nil {
		t.Fatal(err)
	}
	if err := local.SetNote(ctx, "one", "a note \x01"); err != nil {
		t.Fatal(err)
	}
	if err := local.SaveSearch(ctx, storage.SavedSearch{Name: "s", Query: "q\x01"}); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(dir, "p\x01.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := local.AddAttachment(ctx, "two", pdf); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(ctx, local, srv); err != nil {
		t.Fatal(err)
	}
	a, err := Clone(ctx, srv, filepath.Join(t.TempDir(), "a.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	// The member changes an entry and a note that hold 0x01 bytes, not sent yet.
	e, err := a.Entry(ctx, "one")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Set("year", "2024"); err != nil {
		t.Fatal(err)
	}
	if err := a.UpdateEntry(ctx, "one", e); err != nil {
		t.Fatal(err)
	}
	if err := a.SetNote(ctx, "one", "a note \x01, longer"); err != nil {
		t.Fatal(err)
	}

	// The server as a release before version 4 left it: each 0x01 once, at the same revisions.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SET search_path = bibshelf`); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `SELECT table_name::text, string_agg(format('%1$I = replace(%1$I, chr(1) || chr(1), chr(1))', column_name), ', ')
		FROM information_schema.columns WHERE table_schema = 'bibshelf' AND data_type = 'text'
			AND table_name <> 'schema_migrations' AND NOT (table_name = 'marks' AND column_name = 'member')
		GROUP BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ Table, Set string }])
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		id := pgx.Identifier{tb.Table}.Sanitize()
		stamp := pgx.Identifier{tb.Table + "_stamp"}.Sanitize()
		if _, err := conn.Exec(ctx, `ALTER TABLE `+id+` DISABLE TRIGGER `+stamp+`; UPDATE `+id+` SET `+tb.Set+`;
			ALTER TABLE `+id+` ENABLE TRIGGER `+stamp); err != nil {
			t.Fatal(err)
		}
	}
	const member, migration = "x\x01\x01y", "0000_old\x01\x01"
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO marks (entry_id, member, starred) SELECT id, $1, true FROM entries WHERE key = 'two'`, []any{member}},
		{`INSERT INTO schema_migrations (version, name) VALUES (0, $1)`, []any{migration}},
		{`DELETE FROM schema_migrations WHERE version = 4`, nil},
	} {
		if _, err := conn.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	var title string
	if err := conn.QueryRow(ctx, `SELECT title FROM entries WHERE key = 'two'`).Scan(&title); err != nil || title != "Two \x01\x01\x02" {
		t.Fatalf("the title as a release before wrote it: %q, %v", title, err)
	}
	revisions := `SELECT string_agg(rev::text, ',' ORDER BY rev) FROM (SELECT rev FROM sources UNION ALL SELECT rev FROM items
		UNION ALL SELECT rev FROM entries UNION ALL SELECT rev FROM notes UNION ALL SELECT rev FROM saved_searches
		UNION ALL SELECT rev FROM attachments) r`
	var before, after string
	if err := conn.QueryRow(ctx, revisions).Scan(&before); err != nil {
		t.Fatal(err)
	}

	// A member's role may not bring it up to date, and is told who does.
	for role, group := range map[string]string{"reader": "read", "editor": "edit"} {
		_, err := Pull(ctx, newMember(t, url, role, group), a)
		t.Log(err)
		if err == nil || !strings.Contains(err.Error(), "up to date, from version 3 to 4: ") ||
			!strings.Contains(err.Error(), "its owner does, by opening it with this release; until then, a release that knows version 3 opens it") {
			t.Errorf("a member's pull from an old schema: %v", err)
		}
	}

	// The member's push brings the schema up to date, and sends their two changes.
	pushed, err := Push(ctx, srv, a)
	if err != nil {
		t.Fatal(err)
	}
	if pushed.Sent != 2 || len(pushed.Conflicts) > 0 || len(pushed.Dropped) > 0 {
		t.Errorf("the push after the migration: %+v; want the entry and the note sent", pushed)
	}
	if v, err := schemaVersion(ctx, conn); err != nil || v != 4 {
		t.Errorf("the schema's version: %d, %v", v, err)
	}
	if err := conn.QueryRow(ctx, revisions).Scan(&after); err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, rev := range strings.Split(before, ",") {
		if slices.Contains(strings.Split(after, ","), rev) {
			kept++
		}
	}
	if n := strings.Count(before, ",") + 1; kept != n-2 {
		t.Errorf("the revisions after: %s; want those before (%s) but the entry's and the note's", after, before)
	}
	syncOnce(t, srv, a)
	b, err := Clone(ctx, srv, filepath.Join(t.TempDir(), "b.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	diffs, err := libtest.Diff(ctx, a, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Error(d)
	}
	if e, err := b.Entry(ctx, "two"); err != nil || e.Get("title") != "Two \x01\x01\x02" {
		t.Errorf("two's title: %v %v", e, err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM marks WHERE member = $1) + (SELECT count(*) FROM schema_migrations WHERE name = $2)`,
		member, migration).Scan(&n); err != nil || n != 2 {
		t.Errorf("a member's role or a migration's name changed: %d of 2 as they were (%v)", n, err)
	}
}

// TestServerTxBatchAndValues: a batch sent through a serverTx, and a row read with Values, see
// the text as the library has it.
func TestServerTxBatchAndValues(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := beginTx(ctx, conn, pgx.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE t (s text)`); err != nil {
		t.Fatal(err)
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO t VALUES ($1)`, "a\x00b")
	b.Queue(`SELECT s FROM t`)
	br := tx.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		t.Fatal(err)
	}
	var s string
	if err := br.QueryRow().Scan(&s); err != nil || s != "a\x00b" {
		t.Errorf("the batch read %q (%v)", s, err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(ctx, `SELECT s FROM t`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		if v, err := rows.Values(); err != nil || len(v) != 1 || v[0] != "a\x00b" {
			t.Errorf("Values: %q (%v)", v, err)
		}
	}
}
