package shared

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// smallLibrary is a few entries, enough to edit, tag and note.
const smallLibrary = `@article{alpha, title = {Alpha}, author = {Ann Author}, year = 2001, journal = {J}}
@article{beta, title = {Beta}, author = {Bo Builder}, year = 2002, journal = {J}}
@book{gamma, title = {Gamma}, author = {Cy Coder}, year = 2003, publisher = {P}}
`

// smallShared copies smallLibrary to a new shared library, as the cluster's superuser, the
// library's owner, and returns its URL.
func smallShared(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	u := pgtest.New(t)
	srv, err := ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	l := newLibrary(t, "local.sqlite")
	if _, err := l.Import(ctx, bib.Parse("small.bib", []byte(smallLibrary))); err != nil {
		t.Fatal(err)
	}
	copied, err := Copy(ctx, l, srv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(copied.Members, "_read TO ROLE") {
		t.Errorf("Copy's word on the member roles: %q", copied.Members)
	}
	return u
}

// asRole returns the URL u with the role user instead of its own: the test cluster trusts
// every role on its socket.
func asRole(t testing.TB, u, user string) *Server {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	q.Set("user", user)
	p.RawQuery = q.Encode()
	srv, err := ParseURL(p.String())
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// database returns the name of the database of the URL u.
func database(t testing.TB, u string) string {
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(p.Path, "/")
}

// execAs runs statements on the server as srv's role.
func execAs(t testing.TB, srv *Server, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := srv.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// newMember makes a login role named after the database and what, a member of group (none:
// of no group), and returns the library's server as that role.
func newMember(t testing.TB, u, what, group string) *Server {
	t.Helper()
	db := database(t, u)
	role := db + "_" + what
	sql := `CREATE ROLE ` + pgx.Identifier{role}.Sanitize() + ` LOGIN`
	if group != "" {
		sql += ` IN ROLE ` + pgx.Identifier{db + "_" + group}.Sanitize()
	}
	owner, err := ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	execAs(t, owner, sql)
	return asRole(t, u, role)
}

// TestRoles: a reader reads and pulls, keeps their own flags, and is refused every other write
// by the server, with a message that names their role and what was not sent, which stays in
// their replica; an editor writes; a role that was granted nothing reads nothing.
func TestRoles(t *testing.T) {
	ctx := context.Background()
	u := smallShared(t)
	reader := newMember(t, u, "reader", "read")
	editor := newMember(t, u, "editor", "edit")
	stranger := newMember(t, u, "stranger", "")
	dir := t.TempDir()

	r, err := Clone(ctx, reader, filepath.Join(dir, "reader.sqlite"))
	if err != nil {
		t.Fatalf("a reader's clone: %v", err)
	}
	defer r.Close()
	e, err := Clone(ctx, editor, filepath.Join(dir, "editor.sqlite"))
	if err != nil {
		t.Fatalf("an editor's clone: %v", err)
	}
	defer e.Close()

	// The reader edits an entry, tags one, writes a note, trashes one, and stars one.
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
	if _, err := r.AddTags(ctx, []string{"beta"}, "reader's tag"); err != nil {
		t.Fatal(err)
	}
	if err := r.SetNote(ctx, "beta", "the reader's note"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Trash(ctx, "gamma"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.SetStarred(ctx, true, "beta"); err != nil {
		t.Fatal(err)
	}
	before, err := r.Unsent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	synced, err := Sync(ctx, reader, r)
	if err != nil {
		t.Fatalf("a reader's sync: %v", err)
	}
	refusal := synced.Pushed.Refusal()
	t.Log(refusal)
	if !errors.Is(refusal, ErrReadOnly) {
		t.Fatalf("a reader's push: %+v; want its edits refused", synced.Pushed)
	}
	role := database(t, u) + "_reader"
	for _, want := range []string{"you may only read this shared library (role " + role + ")", `the entry "alpha"`, `the entry "gamma"`,
		`the tag "reader's tag"`, `the note "beta"`, `the tags of the entry "beta"`, "stay in this replica"} {
		if !strings.Contains(refusal.Error(), want) {
			t.Errorf("the refusal %q does not say %q", refusal, want)
		}
	}
	if synced.Pushed.Sent != 1 || len(synced.Pushed.Conflicts) != 0 {
		t.Errorf("a reader's push sent %d changes and had %d conflicts; want their flags sent", synced.Pushed.Sent, len(synced.Pushed.Conflicts))
	}
	// What was refused stays to be sent, and the reader's replica keeps it.
	if n, err := r.Unsent(ctx); err != nil || n != before-1 {
		t.Errorf("after the refusal %d changes wait (%v), want %d: all but the flags", n, err, before-1)
	}
	if got, _ := r.Entry(ctx, "alpha"); got == nil || got.Get("title") != "Alpha, as the reader would have it" {
		t.Errorf("the reader's edit is gone from their replica: %v", got)
	}
	if note, _ := r.Note(ctx, "beta"); note != "the reader's note" {
		t.Errorf("the reader's note is gone from their replica: %q", note)
	}
	// A second try is refused the same way and loses nothing.
	if pushed, err := Push(ctx, reader, r); err != nil || len(pushed.Refused) != len(synced.Pushed.Refused) || pushed.Sent != 0 {
		t.Errorf("a second push: %+v, %v", pushed, err)
	}

	// The editor's edit goes through, and the reader pulls it; the server has none of the
	// reader's edits, but their flags, which the editor does not see.
	if _, err := e.AddTags(ctx, []string{"gamma"}, "editor's tag"); err != nil {
		t.Fatal(err)
	}
	if err := e.SetNote(ctx, "gamma", "the editor's note"); err != nil {
		t.Fatal(err)
	}
	synced, err = Sync(ctx, editor, e)
	if err != nil || synced.Pushed.Refusal() != nil || len(synced.Pushed.Conflicts) > 0 || synced.Pushed.Sent == 0 {
		t.Fatalf("an editor's sync: %+v, %v", synced, err)
	}
	if got, _ := e.Entry(ctx, "alpha"); got.Get("title") != "Alpha" {
		t.Errorf("the reader's edit reached the editor: %q", got.Get("title"))
	}
	if tags, _ := e.EntryTags(ctx, "beta"); len(tags) != 0 {
		t.Errorf("the reader's tag reached the editor: %v", tags)
	}
	if f, _ := e.EntryFlags(ctx, "beta"); f.Starred {
		t.Errorf("the reader's star reached the editor")
	}
	if _, err := Pull(ctx, reader, r); err != nil {
		t.Fatalf("a reader's pull: %v", err)
	}
	if note, _ := r.Note(ctx, "gamma"); note != "the editor's note" {
		t.Errorf("the reader did not pull the editor's note: %q", note)
	}
	if tags, _ := r.EntryTags(ctx, "gamma"); len(tags) != 1 || tags[0] != "editor's tag" {
		t.Errorf("the reader did not pull the editor's tag: %v", tags)
	}
	// The reader's flags are theirs on the server: a new replica of theirs has them.
	r2, err := Clone(ctx, reader, filepath.Join(dir, "reader2.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if f, _ := r2.EntryFlags(ctx, "beta"); !f.Starred {
		t.Errorf("the reader's star is not on the server")
	}
	// Nor may an editor write another member's flags by hand.
	execAs(t, editor, `UPDATE marks SET starred = false`)
	if f, _ := (func() (storage.Flags, error) {
		r3, err := Clone(ctx, reader, filepath.Join(dir, "reader3.sqlite"))
		if err != nil {
			return storage.Flags{}, err
		}
		defer r3.Close()
		return r3.EntryFlags(ctx, "beta")
	})(); !f.Starred {
		t.Errorf("an editor changed the reader's flags")
	}

	// A role granted nothing reads nothing, and is told so.
	_, err = Clone(ctx, stranger, filepath.Join(dir, "stranger.sqlite"))
	if err == nil {
		t.Fatal("a role granted nothing cloned the library")
	}
	t.Log(err)
	if !errors.Is(err, ErrNoAccess) || !strings.Contains(err.Error(), database(t, u)+"_read") {
		t.Errorf("a role granted nothing: %v; want ErrNoAccess naming the role to be granted", err)
	}
	if _, err := Pull(ctx, stranger, r); !errors.Is(err, ErrNoAccess) {
		t.Errorf("a pull of a role granted nothing: %v, want ErrNoAccess", err)
	}
}

// TestRolesMadeByHand: an owner who may not make roles is told how the admin makes them; once
// made, the owner's grant_members() grants them, and a reader reads.
func TestRolesMadeByHand(t *testing.T) {
	ctx := context.Background()
	u := pgtest.New(t)
	db := database(t, u)
	super, err := ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	owner := db + "_owner"
	execAs(t, super, `CREATE ROLE `+pgx.Identifier{owner}.Sanitize()+` LOGIN`)
	execAs(t, super, `ALTER DATABASE `+pgx.Identifier{db}.Sanitize()+` OWNER TO `+pgx.Identifier{owner}.Sanitize())
	asOwner := asRole(t, u, owner)
	l := newLibrary(t, "local.sqlite")
	if _, err := l.Import(ctx, bib.Parse("small.bib", []byte(smallLibrary))); err != nil {
		t.Fatal(err)
	}
	copied, err := Copy(ctx, l, asOwner)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(copied.Members, "may not make them") || !strings.Contains(copied.Members, "bibshelf.grant_members()") {
		t.Errorf("Copy by an owner who may not make roles: %q", copied.Members)
	}
	execAs(t, super, `CREATE ROLE `+pgx.Identifier{db + "_read"}.Sanitize()+` NOLOGIN; CREATE ROLE `+
		pgx.Identifier{db + "_edit"}.Sanitize()+` NOLOGIN IN ROLE `+pgx.Identifier{db + "_read"}.Sanitize())
	execAs(t, asOwner, `SELECT bibshelf.grant_members()`)
	reader := newMember(t, u, "reader", "read")
	r, err := Clone(ctx, reader, filepath.Join(t.TempDir(), "reader.sqlite"))
	if err != nil {
		t.Fatalf("a reader's clone: %v", err)
	}
	defer r.Close()
	if n, err := r.Count(ctx); err != nil || n != 3 {
		t.Errorf("the reader's replica has %d entries (%v), want 3", n, err)
	}
	editor := newMember(t, u, "editor", "edit")
	e, err := Clone(ctx, editor, filepath.Join(t.TempDir(), "editor.sqlite"))
	if err != nil {
		t.Fatalf("an editor's clone: %v", err)
	}
	defer e.Close()
	if err := e.SetNote(ctx, "alpha", "an editor's note"); err != nil {
		t.Fatal(err)
	}
	if s, err := Sync(ctx, editor, e); err != nil || s.Pushed.Sent != 1 || s.Pushed.Refusal() != nil {
		t.Errorf("an editor's sync: %+v, %v", s, err)
	}
}
