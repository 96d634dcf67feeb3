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

// TestEndToEndUpdateFromRegistry selects an entry with an old title and no journal with a real
// click, opens Entry › Update from Registry… with its shortcut, ticks the registry's title in
// the merge dialog with a real click and clicks Update Entry: the title is the registry's, the
// journal the registry's too (the library had none), every other field as it was. Ctrl+Z
// brings the old title back.
func TestEndToEndUpdateFromRegistry(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	t.Setenv("BIBSHELF_LOOKUP_SERVER", registries(t))
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	const stale = "@article{sankar2014,\n" +
		"  author   = {Sankar, Martial and Nieminen, Kaisa and Ragni, Laura and Xenarios, Ioannis and Hardtke, Christian S},\n" +
		"  title    =   {Quantitative histology of hypocotyls},\n" +
		"  year     = 2014,\n" +
		"  doi      = {10.7554/eLife.01567},\n" +
		"}"
	if rep, err := lib.lib.Import(context.Background(), bib.ParseString("stale.bib", stale)); err != nil || len(rep.Added) != 1 {
		t.Fatal(rep, err)
	}
	before := lib.entry(t, "sankar2014")
	w := openWindow(t, dir, bin, lib.path, nil)
	st := w.steady("the window", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 })
	if !slices.Contains(st.Menu["Entry"], "Update from Registry…") {
		t.Errorf("the Entry menu: %v", st.Menu["Entry"])
	}
	w.click("search")
	w.typeText("hypocotyls")
	w.waitFor("the entry listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 1 && s.Cells["sankar2014"] != nil })
	w.click("row:sankar2014")
	w.waitFor("the entry in the pane", func(s app.ProbeState) bool { return s.Settled && s.Entry == "sankar2014" })
	w.key("ctrl+shift+l")
	w.steady("the registry's record beside the entry", func(s app.ProbeState) bool {
		_, ok := s.Widgets["check:title:1"]
		_, update := s.Widgets["button:Update Entry"]
		return s.Dialog && ok && update && strings.Contains(s.DialogText, "Update sankar2014 from Crossref (DOI 10.7554/eLife.01567)")
	})
	w.screenshot("update-from-registry.png")
	w.click("check:title:1")
	w.screenshot("update-from-registry-ticked.png")
	w.click("button:Update Entry")
	lib.waitField(t, "sankar2014", "title", "Automated quantitative histology reveals vascular morphodynamics during {Arabidopsis} hypocotyl secondary growth")
	w.waitFor("the entry updated", func(s app.ProbeState) bool {
		return s.Settled && !s.Dialog && s.Entry == "sankar2014" && strings.HasPrefix(s.Fields["title"], "Automated")
	})
	after := lib.entry(t, "sankar2014")
	for _, name := range []string{"author", "year", "doi"} {
		if after.Get(name) != before.Get(name) {
			t.Errorf("%s changed from %q to %q", name, before.Get(name), after.Get(name))
		}
	}
	if after.Key != "sankar2014" || after.Type != "article" || after.Get("journal") != "eLife" {
		t.Errorf("after the update: @%s{%s, journal %q", after.Type, after.Key, after.Get("journal"))
	}
	w.screenshot("update-from-registry-done.png")

	w.key("ctrl+z")
	lib.waitField(t, "sankar2014", "title", "Quantitative histology of hypocotyls")
	if e := lib.entry(t, "sankar2014"); e.Source != before.Source {
		t.Errorf("undone, the entry reads\n%s\nwant\n%s", e.Source, before.Source)
	}
}
