package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndAppearance chooses Light in Preferences › Appearance with the real pointer and
// keyboard, and confirms the dialog with Enter: the window turns light at once. Escape, with a
// choice focused, closes the dialog and saves nothing.
func TestEndToEndAppearance(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, map[string]any{"view.appearance": "dark"})
	st := w.steady("the window", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 })
	if !st.Dark {
		t.Fatal("the window is light with the preference dark")
	}
	w.click("search")
	w.key("ctrl+comma")
	w.steady("the preferences", func(s app.ProbeState) bool {
		_, ok := s.Widgets["select:Appearance"]
		return s.Dialog && ok
	})
	w.click("select:Appearance")
	w.screenshot("prefs-appearance-open.png")
	w.key("Up", "Up", "Return")
	w.screenshot("prefs-appearance-chosen.png")
	w.key("Return")
	w.waitFor("a light window", func(s app.ProbeState) bool { return !s.Dialog && !s.Dark })
	w.screenshot("main-window-light.png")

	// Escape with a choice focused closes the dialog, and saves nothing.
	w.key("ctrl+comma")
	w.steady("the preferences again", func(s app.ProbeState) bool {
		_, ok := s.Widgets["select:Appearance"]
		return s.Dialog && ok
	})
	w.click("select:Appearance")
	w.key("Down", "Return") // Dark, the choice focused again
	w.waitFor("the choice focused", func(s app.ProbeState) bool { return s.Dialog && strings.Contains(s.Focused, "Select") })
	w.key("Escape")
	w.waitFor("the dialog closed by Escape", func(s app.ProbeState) bool { return !s.Dialog })
	if st := w.state(); st.Dark {
		t.Error("Escape saved the choice of Dark")
	}
}
