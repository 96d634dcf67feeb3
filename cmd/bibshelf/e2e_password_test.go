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
)

// TestEndToEndSharedPassword connects the window to a shared library as a member whose password
// the server asks for, with the real pointer and keyboard: the Connect dialog asks for it, and
// the library opens with it. The password is then changed on the server and the connection
// lost: the state line says the server asks for the password, a dialog asks for the new one,
// and the window connects again with it. (No keyring here, which TestPasswords tries: the
// password typed is used while the window runs, and the window says it was not kept.)
func TestEndToEndSharedPassword(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	s := newSharedE2E(t, dir)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, s.url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	u, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	editors := pgx.Identifier{strings.TrimPrefix(u.Path, "/") + "_edit"}.Sanitize()
	for _, sql := range []string{`CREATE ROLE dora LOGIN PASSWORD 'first secret' IN ROLE ` + pgtest.PasswordGroup,
		`GRANT ` + editors + ` TO dora`} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	q := u.Query()
	q.Set("user", "dora")
	u.RawQuery = q.Encode()
	// No password file, and no keyring to keep the password in.
	t.Setenv("PGPASSFILE", filepath.Join(dir, "no-pgpass"))
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(dir, "no-bus"))

	w := openWindow(t, dir, bin, filepath.Join(dir, "own.sqlite"), nil)
	w.steady("the library file", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 && s.Shared == "" })
	w.click("search")
	w.menu("Library", "Connect to Shared Library…")
	w.waitFor("the dialog", func(s app.ProbeState) bool { _, ok := s.Widgets["shared-url"]; return s.Dialog && ok })
	w.click("shared-url")
	w.typeText(u.String())
	w.key("Return")
	w.steady("the password asked for", func(s app.ProbeState) bool { _, ok := s.Widgets["shared-password"]; return s.Dialog && ok })
	w.screenshot("shared-password-connect.png")
	w.click("shared-password")
	w.typeText("first secret")
	w.key("Return")
	// The keyring could not keep the password typed, which the window says, as at a start.
	st := w.steady("the shared library, connected", func(s app.ProbeState) bool {
		return s.Settled && s.Window != 0 && s.Dialog && strings.HasPrefix(s.Shared, "Shared: connected")
	})
	if !strings.Contains(st.DialogText, "keyring could not keep it") {
		t.Errorf("the window's word on the keyring: %q", st.DialogText)
	}
	w.click("button:OK")
	w.waitFor("the word on the keyring closed", func(s app.ProbeState) bool { return !s.Dialog })

	// The password changes on the server, and the window's connection is lost.
	for _, sql := range []string{`ALTER ROLE dora PASSWORD 'second secret'`,
		`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'dora'`} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	w.steady("the new password asked for", func(s app.ProbeState) bool {
		_, ok := s.Widgets["shared-password"]
		return s.Dialog && ok && strings.HasPrefix(s.Shared, "Shared: the server asks for your password")
	})
	w.screenshot("shared-password-asked.png")
	w.click("shared-password")
	w.typeText("second secret")
	w.key("Return")
	w.waitFor("connected again", func(s app.ProbeState) bool {
		return !s.Dialog && strings.HasPrefix(s.Shared, "Shared: connected")
	})
}
