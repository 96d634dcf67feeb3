package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndImportShown drops a .bib file on the window while the list shows a tag and a
// search that the file's entry matches neither: the list goes to the whole library without the
// search, and shows the imported entry, selected. It selected the entry out of view, and the
// list looked as if the import had brought nothing.
func TestEndToEndImportShown(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	drop := dragSource(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	file := filepath.Join(dir, "new.bib")
	if err := os.WriteFile(file, []byte("@article{lovelace1843, author = {Ada Lovelace}, title = {Notes on the Analytical Engine}, journal = {Scientific Memoirs}, year = 1843}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := openWindow(t, dir, bin, lib.path, nil)
	w.steady("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 57 && s.Window != 0 })
	w.click("side:tag:attention")
	w.click("search")
	w.typeText("pointer")
	w.steady("the tag's entries that the search finds", func(s app.ProbeState) bool {
		return s.Settled && s.Sidebar == "tag:attention" && s.Query == "pointer" && s.Rows > 0 && s.Rows < 57
	})

	w.drop(drop, "list", file)
	w.waitFor("the import's report", func(s app.ProbeState) bool { return s.Dialog && s.Settled })
	w.key("Escape")
	w.steady("the imported entry shown and selected", func(s app.ProbeState) bool {
		_, shown := s.Cells["lovelace1843"]
		return s.Settled && !s.Dialog && s.Sidebar == "library" && s.Query == "" && s.SearchText == "" &&
			s.Rows == 58 && shown && slices.Equal(s.Selected, []string{"lovelace1843"})
	})
}
