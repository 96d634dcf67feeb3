package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndAddByIdentifier opens File › Add by Identifier… with its shortcut, types a DOI and
// a line that holds none with the real keyboard, clicks Add, and finds the paper added from the
// registries' recorded responses (served as the registries would), selected and shown.
func TestEndToEndAddByIdentifier(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	t.Setenv("BIBSHELF_LOOKUP_SERVER", registries(t))
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, nil)
	w.steady("the window", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 })
	w.click("search")
	w.key("ctrl+shift+i")
	w.steady("the field for identifiers", func(s app.ProbeState) bool {
		_, ok := s.Widgets["button:Add"]
		return s.Dialog && ok
	})
	w.typeText("https://doi.org/10.7554/eLife.01567")
	w.key("Return")
	w.typeText("hello")
	w.waitFor("what the field holds", func(s app.ProbeState) bool {
		return strings.Contains(s.DialogText, "Found 1 DOI.") && strings.Contains(s.DialogText, `"hello": `)
	})
	w.screenshot("add-by-identifier.png")
	w.click("button:Add")
	st := w.waitFor("the paper added", func(s app.ProbeState) bool {
		return s.Settled && s.Dialog && strings.Contains(s.DialogText, "Added 1, already in the library 0, failed 0.") &&
			len(s.Selected) == 1 && s.Entry == s.Selected[0]
	})
	w.screenshot("add-by-identifier-report.png")
	e := lib.entry(t, st.Entry)
	if !strings.EqualFold(e.Get("doi"), "10.7554/eLife.01567") || e.Type != "article" {
		t.Errorf("the entry added: %s %s %q", e.Type, e.Key, e.Get("doi"))
	}
	w.key("Escape")
	w.waitFor("the report closed", func(s app.ProbeState) bool { return !s.Dialog })
}
