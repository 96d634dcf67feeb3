package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/bib"
)

// TestEndToEndUntitledRow searches for an entry without a title, author or year (a @misc with a
// note), and finds its row naming it by its key: the row was blank, and a user could not tell
// what it was without selecting it.
func TestEndToEndUntitledRow(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	src := "@misc{misc-minimal, key = {Missilany}, note = {This is a minimal MISC entry}}\n"
	if _, err := lib.lib.Import(context.Background(), bib.Parse("misc.bib", []byte(src))); err != nil {
		t.Fatal(err)
	}
	w := openWindow(t, dir, bin, lib.path, nil)
	w.steady("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 58 && s.Window != 0 })
	w.click("search")
	w.typeText("minimal")
	st := w.steady("the untitled entry found", func(s app.ProbeState) bool {
		return s.Settled && s.Query == "minimal" && s.Cells["misc-minimal"] != nil
	})
	if got := st.Cells["misc-minimal"]["title"]; got != "misc-minimal (no title)" {
		t.Errorf("the Title column shows %q for an entry without a title", got)
	}
	w.screenshot("untitled-row.png")
}
