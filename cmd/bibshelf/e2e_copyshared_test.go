package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/storage/pgtest"
	"github.com/bibshelf/bibshelf/storage/shared"
)

// copyToShared chooses Library › Copy to Shared Library… in the window and types url, with the
// real pointer and keyboard.
func (w *e2eWindow) copyToShared(url, shot string) {
	w.t.Helper()
	w.click("search") // the keyboard goes to the window under the pointer
	w.menu("Library", "Copy to Shared Library…")
	w.waitFor("the dialog", func(s app.ProbeState) bool {
		_, ok := s.Widgets["shared-url"]
		return s.Dialog && ok && strings.Contains(s.DialogText, "empty database")
	})
	w.click("shared-url")
	w.typeText(url)
	w.screenshot(shot)
	w.key("Return")
}

// TestEndToEndCopyShared copies the window's library to a new shared library through Library ›
// Copy to Shared Library…: the server then has every entry, the dialog says how the members open
// it, and its Open Shared Library shows this computer's replica, connected, whose Library menu
// has no Copy to Shared Library… The window's library stays a library of its own.
func TestEndToEndCopyShared(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	ctx := context.Background()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	want, err := lib.lib.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	url := pgtest.New(t)
	srv, err := shared.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	w := openWindow(t, dir, bin, lib.path, nil)
	w.steady("the library file", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 && s.Shared == "" && s.Rows > 0 })
	w.copyToShared(url, "copy-shared-dialog.png")
	st := w.waitFor("the copy's report", func(s app.ProbeState) bool {
		_, ok := s.Widgets["button:Open Shared Library"]
		return s.Dialog && ok
	})
	w.screenshot("copy-shared-done.png")
	for _, text := range []string{fmt.Sprintf("Copied %d entries to the shared library", want), "bibshelf --library '" + srv.MemberURL(shared.AnyMember) + "'"} {
		if !strings.Contains(st.DialogText, text) {
			t.Errorf("the dialog does not say %q:\n%s", text, st.DialogText)
		}
	}

	// The server has every entry: another computer's replica of it.
	other, err := shared.Clone(ctx, srv, filepath.Join(dir, "other.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if got, err := other.Count(ctx); err != nil || got != want {
		t.Errorf("the shared library has %d entries (%v), want %d", got, err, want)
	}
	if e, err := other.Entry(ctx, "vinyals2015pointer"); err != nil || !strings.Contains(e.Get("title"), "Pointer") {
		t.Errorf("the shared library's vinyals2015pointer: %v %v", e, err)
	}

	w.click("button:Open Shared Library")
	st = w.steady("the shared library, connected", func(s app.ProbeState) bool {
		return s.Settled && !s.Dialog && s.Window != 0 && s.Rows > 0 && strings.HasPrefix(s.Shared, "Shared: connected · all changes sent")
	})
	w.screenshot("copy-shared-opened.png")
	for _, label := range st.Menu["Library"] {
		if label == "Copy to Shared Library…" {
			t.Errorf("the replica's Library menu has Copy to Shared Library…: %v", st.Menu["Library"])
		}
	}
	if r, ok, err := lib.lib.Replica(ctx); err != nil || ok {
		t.Errorf("the library copied became a replica: %+v %v %v", r, ok, err)
	}
}

// TestEndToEndCopySharedNotEmpty: a database that holds a shared library already is said in an
// error dialog, and the shared library there is left as it was.
func TestEndToEndCopySharedNotEmpty(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	ctx := context.Background()
	s := newSharedE2E(t, dir)
	before, err := s.other.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lib, _ := e2eLibrary(t, filepath.Join(dir, "own.sqlite"))
	w := openWindow(t, dir, bin, lib.path, nil)
	w.steady("the library file", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 && s.Shared == "" && s.Rows > 0 })
	w.copyToShared(s.url, "copy-shared-not-empty-dialog.png")
	st := w.waitFor("the error", func(s app.ProbeState) bool {
		return s.Dialog && strings.Contains(s.DialogText, "holds a shared library already")
	})
	w.screenshot("copy-shared-not-empty.png")
	if !strings.Contains(st.DialogText, "Nothing was copied") {
		t.Errorf("the error does not say nothing was copied:\n%s", st.DialogText)
	}
	w.key("Escape")
	w.steady("the library file still", func(s app.ProbeState) bool { return s.Settled && !s.Dialog && s.Shared == "" })
	if _, err := shared.Pull(ctx, s.srv, s.other); err != nil {
		t.Fatal(err)
	}
	if after, err := s.other.Count(ctx); err != nil || after != before {
		t.Errorf("the shared library has %d entries (%v), had %d", after, err, before)
	}
}
