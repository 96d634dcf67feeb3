package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/storage"
)

// TestEndToEndUndoNothingFocused: Ctrl+Z and Ctrl+Y with no widget focused (after a click on the
// status line) take back the last change and do it again, as Edit › Undo and Redo do. Fyne
// types its own Undo shortcut to a window where nothing has the focus, which the menu's Ctrl+Z
// never matched.
func TestEndToEndUndoNothingFocused(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, nil)
	w.waitFor("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 57 && s.Window != 0 })

	starred := func(want bool) {
		t.Helper()
		for deadline := time.Now().Add(e2eWait); ; time.Sleep(e2ePoll) {
			f, err := lib.lib.EntryFlags(context.Background(), "knuth86")
			if err == nil && f.Starred == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("knuth86 starred: %v, %v; want %v", f.Starred, err, want)
			}
		}
	}
	w.click("search")
	w.typeText("texbook")
	w.waitFor("the search's row", func(s app.ProbeState) bool { return s.Settled && s.Query == "texbook" && s.Rows == 1 })
	w.key("Return")
	w.waitFor("the result, focused", func(s app.ProbeState) bool {
		return s.Settled && s.Focused == "list" && slices.Equal(s.Selected, []string{"knuth86"})
	})
	w.key("ctrl+shift+s")
	starred(true)

	w.click("status")
	w.waitFor("nothing focused", func(s app.ProbeState) bool { return s.Settled && s.Focused == "" })
	w.key("ctrl+z")
	starred(false)
	w.waitFor("still nothing focused", func(s app.ProbeState) bool { return s.Settled && s.Focused == "" })
	w.key("ctrl+y")
	starred(true)
}

// TestEndToEndEnterSubmits: Enter in the text field of a dialog that asks for one line (New
// Collection, from the Collections title's menu with a real right click) does what its button
// does.
func TestEndToEndEnterSubmits(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, nil)
	w.waitFor("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 57 && s.Window != 0 })
	w.click("side:head:tags") // folded, the tags leave the collections in view
	w.rightClick("side:head:collections")
	w.key("Down", "Return")
	w.waitFor("the New Collection dialog", func(s app.ProbeState) bool { return s.Dialog })
	w.typeText("Submitted by Enter")
	w.key("Return")
	w.waitFor("the dialog closed", func(s app.ProbeState) bool { return s.Settled && !s.Dialog })
	for deadline := time.Now().Add(e2eWait); ; time.Sleep(e2ePoll) {
		cs, err := lib.lib.Collections(context.Background())
		if err == nil && slices.ContainsFunc(cs, func(c storage.Collection) bool { return c.Name == "Submitted by Enter" }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no collection made by Enter: %v, %v", cs, err)
		}
	}
}
