package main

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/storage/pgtest"
	"github.com/bibshelf/bibshelf/storage/shared"
)

// TestEndToEndSharedFirstPassword opens the window on a shared library's URL the first time, on
// a computer without its password (no password file) and without a keyring, for a member whose
// password the server asks for: a window asks for it before this computer's replica is made; a
// wrong one typed is refused and asked for again, the right one opens the library, and the window
// says that the keyring could not keep it. Escape in that window, on another computer, leaves
// the library unopened: the process ends with status 1 and says why, and no replica is made.
func TestEndToEndSharedFirstPassword(t *testing.T) {
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
	for _, sql := range []string{`CREATE ROLE erin LOGIN PASSWORD 'open sesame' IN ROLE ` + pgtest.PasswordGroup,
		`GRANT ` + editors + ` TO erin`} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	q := u.Query()
	q.Set("user", "erin")
	u.RawQuery = q.Encode()
	t.Setenv("PGPASSFILE", filepath.Join(dir, "no-pgpass"))
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(dir, "no-bus"))

	writePrefs(t, dir, nil)
	started := launchWindow(t, dir, bin, "--library", u.String(), "--size", "1280x800")
	x := &e2eWindow{t: t}
	x.passwordWindow(started, "Password — Bibshelf")
	x.screenshot("shared-first-password.png")
	x.typeText("not it")
	x.key("Return")
	x.passwordWindow(started, "Password Not Taken — Bibshelf") // asked again, saying so
	x.screenshot("shared-first-password-again.png")
	x.typeText("open sesame")
	x.key("Return")
	w := started.probe(t)
	st := w.steady("the shared library, connected", func(s app.ProbeState) bool {
		return s.Settled && s.Window != 0 && s.Rows > 0 && s.Dialog && strings.HasPrefix(s.Shared, "Shared: connected")
	})
	if !strings.Contains(st.DialogText, "keyring could not keep it") {
		t.Errorf("the window's word on the keyring: %q", st.DialogText)
	}
	w.screenshot("shared-first-password-opened.png")
	srv, err := shared.ParseURL(u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	if path, err := shared.ReplicaPath(srv); err != nil {
		t.Fatal(err)
	} else if _, err := os.Stat(path); err != nil {
		t.Errorf("no replica made: %v", err)
	}

	// Another computer, which does not give the password.
	other := filepath.Join(dir, "other")
	writePrefs(t, other, nil)
	started = launchWindow(t, other, bin, "--library", u.String(), "--size", "1280x800")
	x = &e2eWindow{t: t}
	x.passwordWindow(started, "Password — Bibshelf")
	x.key("Escape")
	select {
	case <-started.exited:
	case <-time.After(e2eWait):
		t.Fatal("the window did not end after Escape")
	}
	if code := started.cmd.ProcessState.ExitCode(); code != exitRejected ||
		!strings.Contains(started.log.String(), "the shared library was not opened: its server asks for a password, and none was given") {
		t.Errorf("after Escape: exit status %d, output:\n%s", code, started.log.String())
	}
	t.Setenv("XDG_DATA_HOME", filepath.Join(other, "data"))
	if path, err := shared.ReplicaPath(srv); err != nil {
		t.Fatal(err)
	} else if _, err := os.Stat(path); err == nil {
		t.Errorf("a replica was made without the password: %s", path)
	}
}

// passwordWindow waits for the window of the process p that asks for a shared library's password
// (or its client key's passphrase) before its replica is made, with that title, and puts the pointer on it, so that the keyboard
// goes to its field. The first window of a process started on a busy machine may take longer
// than e2eWait to show.
func (w *e2eWindow) passwordWindow(p *startedWindow, title string) {
	w.t.Helper()
	for deadline := time.Now().Add(2 * e2eWait); time.Now().Before(deadline); time.Sleep(e2ePoll) {
		select {
		case <-p.exited:
			w.t.Fatalf("the window exited before asking for the password:\n%s", p.log.String())
		default:
		}
		// By name in Go: xdotool's pattern does not match the title's dash. "Pass" finds the
		// windows that ask for a password and for a client key's passphrase.
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", "Pass").Output()
		for _, id := range strings.Fields(string(out)) {
			if name, _ := exec.Command("xdotool", "getwindowname", id).Output(); strings.TrimSpace(string(name)) != title {
				continue
			}
			n, err := strconv.ParseUint(id, 10, 64)
			if err != nil {
				w.t.Fatal(err)
			}
			w.last.Window = n
			w.xdo("mousemove", "--window", id, "40", "40")
			time.Sleep(300 * time.Millisecond) // its frame drawn, with the field focused
			return
		}
	}
	out, _ := exec.Command("sh", "-c", "for id in $(xdotool search --onlyvisible --name .); do xdotool getwindowname $id; done").CombinedOutput()
	w.t.Fatalf("no window %q asked for the password; the windows shown: %s", title, out)
}
