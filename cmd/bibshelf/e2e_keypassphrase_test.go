//go:build linux

package main

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/storage/pgtest"
	"github.com/bibshelf/bibshelf/storage/shared"
)

// TestEndToEndSharedKeyPassphrase opens the window on a shared library over TLS as a member the
// server takes by their client certificate, whose key is encrypted and whose URL gives no
// sslpassword, on a computer without a keyring, with the real pointer and keyboard: the first
// time, the window that says the replica is being made asks for the key's passphrase, again
// after a wrong one, and the library opens with the right one and is kept in the list of
// libraries. The next start, on a library file, Library › Libraries… opens that shared library
// from the list (which keeps no sslpassword): the Connect dialog asks for the passphrase, and
// the window connects with it.
func TestEndToEndSharedKeyPassphrase(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	ctx := context.Background()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	db := pgtest.NewTLS(t)
	verify := url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}}
	owner, err := shared.ParseURL(db.URL(pgtest.Superuser, verify))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shared.Copy(ctx, lib.lib, owner); err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, db.URL(pgtest.Superuser, verify))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	role := "e2e_" + db.Database
	if _, err := admin.Exec(ctx, `CREATE ROLE `+pgx.Identifier{role}.Sanitize()+` LOGIN IN ROLE `+pgtest.CertGroup+`, `+
		pgx.Identifier{db.Database + "_edit"}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropRole(t, db, role) })
	cert, key := db.ClientCert(t, role, "open sesame")
	member := db.URL(role, url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}, "sslcert": {cert}, "sslkey": {key}})
	// No keyring to keep the passphrase in, nor one in the environment.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(dir, "no-bus"))
	t.Setenv("PGSSLPASSWORD", "")

	writePrefs(t, dir, nil)
	started := launchWindow(t, dir, bin, "--library", member, "--size", "1280x800")
	x := &e2eWindow{t: t}
	x.passwordWindow(started, "Key Passphrase — Bibshelf")
	x.screenshot("shared-first-passphrase.png")
	x.typeText("not it")
	x.key("Return")
	x.passwordWindow(started, "Key Passphrase Not Taken — Bibshelf")
	x.typeText("open sesame")
	x.key("Return")
	w := started.probe(t)
	st := w.steady("the shared library, connected", func(s app.ProbeState) bool {
		return s.Settled && s.Window != 0 && s.Rows > 0 && s.Dialog && strings.HasPrefix(s.Shared, "Shared: connected")
	})
	if !strings.Contains(st.DialogText, "keyring could not keep it") {
		t.Errorf("the window's word on the keyring: %q", st.DialogText)
	}
	kept, err := app.LibraryName(member)
	if err != nil {
		t.Fatal(err)
	}
	waitLibraries(t, dir, kept)
	started.stop()

	// The next start, on a library file: the shared library opened from the list.
	own := filepath.Join(dir, "own.sqlite")
	w = openWindow(t, dir, bin, own, map[string]any{"libraries.recent": []string{kept}})
	w.steady("the library file", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 && s.Shared == "" })
	w.click("search")
	w.menu("Library", "Libraries…")
	st = w.steady("the list of libraries", func(s app.ProbeState) bool { _, ok := s.Widgets["library:"+kept]; return s.Dialog && ok })
	if r := st.Widgets["library-remove:"+kept]; r[0]+r[2] > st.Size[0] {
		t.Errorf("the bin of the shared library's row is out of the window: %v, the window %v", r, st.Size)
	}
	w.screenshot("libraries-tls.png")
	w.click("library:" + kept)
	st = w.steady("the passphrase asked for", func(s app.ProbeState) bool {
		_, ok := s.Widgets["shared-password"]
		return s.Dialog && ok && strings.Contains(s.DialogText, key)
	})
	w.screenshot("shared-passphrase-connect.png")
	w.click("shared-password")
	w.typeText("open sesame")
	w.key("Return")
	w.steady("the shared library from the list, connected", func(s app.ProbeState) bool {
		return s.Settled && s.Window != 0 && s.Rows > 0 && strings.HasPrefix(s.Shared, "Shared: connected")
	})
}
