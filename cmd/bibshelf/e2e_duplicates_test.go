package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/bib"
)

// TestEndToEndFindDuplicates finds a paper imported twice with Library › Find Duplicates…,
// opened with the keyboard, and merges the two with real clicks: the entry kept takes the
// pages chosen from the other, which goes to the Trash, and the values not kept, its own pages
// and the other's booktitle, are written into the kept entry's note.
func TestEndToEndFindDuplicates(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	ctx := context.Background()
	again := `@inproceedings{vinyals2015ptr, title = {Pointer Networks}, author = {Vinyals, Oriol and Fortunato, Meire and Jaitly, Navdeep},
  booktitle = {NeurIPS}, year = {2015}, pages = {2692--2701}}`
	if _, err := lib.lib.Import(ctx, bib.ParseString("again.bib", again)); err != nil {
		t.Fatal(err)
	}
	groups, err := lib.lib.FindDuplicates(ctx)
	if err != nil || len(groups) != 1 {
		t.Fatalf("the library has %d groups of duplicates (%v), want the one made here", len(groups), err)
	}
	w := openWindow(t, dir, bin, lib.path, map[string]any{"view.appearance": "light"})
	w.waitFor("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 })
	w.menu("Library", "Find Duplicates…")
	w.steady("the merge dialog", func(s app.ProbeState) bool {
		_, pages := s.Widgets["check:pages:1"]
		_, merge := s.Widgets["button:Merge"]
		return s.Dialog && pages && merge && strings.Contains(s.DialogText, "Possible duplicates (1 of 1)")
	})
	w.screenshot("merge.png") // docs/screenshots/merge.png
	w.click("check:pages:1")
	w.waitFor("the other's pages chosen", func(s app.ProbeState) bool {
		return slices.Contains(s.Ticked, "check:pages:1") && !slices.Contains(s.Ticked, "check:pages:0")
	})
	w.click("button:Merge")
	w.waitFor("the merge done", func(s app.ProbeState) bool { return !s.Dialog && s.Settled && s.Rows == 57 })
	kept := lib.keys(t, "pointer networks")
	if len(kept) != 1 {
		t.Fatalf("left in the library: %v, want one of the two", kept)
	}
	e := lib.entry(t, kept[0])
	if e.Get("pages") != "2692--2701" {
		t.Errorf("the kept entry's pages are %q, want the other's", e.Get("pages"))
	}
	note, err := lib.lib.Note(ctx, kept[0])
	if err != nil || !strings.Contains(note, "Replaced in vinyals2015pointer: pages = {2692--2700}") || !strings.Contains(note, "Merged from vinyals2015ptr: booktitle = {NeurIPS}") {
		t.Errorf("the kept entry's note %q (%v) does not hold the pages not kept", note, err)
	}
	trashed, err := lib.lib.Trashed(ctx, 0, 10)
	if err != nil || len(trashed) != 1 || !slices.Contains([]string{"vinyals2015pointer", "vinyals2015ptr"}, trashed[0].Key) || trashed[0].Key == kept[0] {
		t.Errorf("the Trash holds %v (%v), want the other of the two", trashed, err)
	}
}
