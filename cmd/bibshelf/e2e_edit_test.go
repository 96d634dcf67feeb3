package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// TestEndToEndEditOneLine imports an entry whose = are aligned, with a name in mixed case and a
// comment above it, and edits its pages in the Info tab with real clicks and typing: the
// library's export of the entry differs from the text imported in that one line.
func TestEndToEndEditOneLine(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	const entry = "@Article{okoro2021,\n" +
		"  author        = {Okoro, Ada and Lindqvist, Per},\n" +
		"  title         = {Aligned Fields in Shared Bibliographies},\n" +
		"  journal       = \"Journal of Reproducible Writing\",\n" +
		"  year          = 2021,\n" +
		"  volume        = {7},\n" +
		"  pages         = {101--118},\n" +
		"  eprint        = {2103.01234},\n" +
		"  archivePrefix = {arXiv},\n" +
		"}"
	src := "% Checked against the publisher's page.\n" + entry + "\n"
	if rep, err := lib.lib.Import(context.Background(), bib.ParseString("aligned.bib", src)); err != nil || len(rep.Added) != 1 {
		t.Fatal(rep, err)
	}
	w := openWindow(t, dir, bin, lib.path, nil)
	w.steady("the window", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 })
	w.click("search")
	w.typeText("okoro")
	w.waitFor("the entry listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 1 && s.Cells["okoro2021"] != nil })
	w.click("row:okoro2021")
	w.steady("the entry in the pane", func(s app.ProbeState) bool {
		_, ok := s.Widgets["field:pages"]
		return s.Settled && s.Entry == "okoro2021" && ok && s.Fields["pages"] == "101--118"
	})
	w.click("field:pages")
	w.key("ctrl+a")
	w.typeText("101--119")
	w.key("Return")
	lib.waitField(t, "okoro2021", "pages", "101--119")
	w.steady("the edit in the pane", func(s app.ProbeState) bool { return s.Settled && s.Fields["pages"] == "101--119" })
	w.screenshot("edit-one-field.png")

	var b strings.Builder
	if _, err := lib.lib.Export(context.Background(), &b, storage.ExportOptions{Keys: []string{"okoro2021"}}); err != nil {
		t.Fatal(err)
	}
	got := strings.TrimSuffix(b.String(), "\n")
	want := strings.Replace(entry, "  pages         = {101--118},", "  pages         = {101--119},", 1)
	if got != want {
		t.Errorf("the export of the edited entry:\n%s\nwant, the text imported with one line changed:\n%s", got, want)
	}
}

// TestEndToEndEditTitleTab types a new title into the Info tab's title, a field of several
// lines, and presses Tab: the library has the title as typed, without a tab character, and the
// focus is on the next field, as after Tab in a field of one line.
func TestEndToEndEditTitleTab(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, nil)
	w.steady("the window", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 })
	w.click("row:zhang2023noisy")
	w.steady("the entry in the pane", func(s app.ProbeState) bool {
		_, ok := s.Widgets["field:title"]
		return s.Settled && s.Entry == "zhang2023noisy" && ok
	})
	w.click("field:title")
	w.key("ctrl+a")
	w.typeText("When Noisy Labels Meet Long Tails")
	w.key("Tab")
	lib.waitField(t, "zhang2023noisy", "title", "When Noisy Labels Meet Long Tails")
	st := w.steady("the title stored", func(s app.ProbeState) bool {
		return s.Settled && s.Fields["title"] == "When Noisy Labels Meet Long Tails"
	})
	if st.Focused == "field:title" || !strings.HasPrefix(st.Focused, "field:") {
		t.Errorf("after Tab in the title the focus is on %q, want the next field", st.Focused)
	}
}
