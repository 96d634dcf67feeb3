package main

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndReportProblems imports a file with a broken entry, clicks its problem in the
// import report with the real pointer, and finds the entry selected and shown; File › Show Last
// Import Report, through the keyboard, brings the report back.
func TestEndToEndReportProblems(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	src := "@article{good2020, title = {Good}, year = {2020}}\n\n" +
		"@article{broken2020, title = {Broken} year = {2020}}\n"
	file := filepath.Join(dir, "broken.bib")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	w := openWindow(t, dir, bin, lib.path, nil, file)
	st := w.steady("the import's report with its problem", func(s app.ProbeState) bool {
		_, ok := s.Widgets["problems"]
		return s.Dialog && s.Settled && s.Window != 0 && ok
	})
	w.screenshot("import-report-problems.png")
	// The first problem's row is at the top of the list.
	r := st.Widgets["problems"]
	time.Sleep(400 * time.Millisecond)
	w.xdo("mousemove", "--window", strconv.FormatUint(st.Window, 10), strconv.Itoa(r[0]+r[2]/2), strconv.Itoa(r[1]+12), "click", "1")
	w.waitFor("the broken entry shown", func(s app.ProbeState) bool {
		return !s.Dialog && s.Entry == "broken2020" && slices.Equal(s.Selected, []string{"broken2020"}) &&
			strings.Contains(s.Status, "broken.bib:3")
	})
	if e := lib.entry(t, "broken2020"); e.Get("title") != "Broken" {
		t.Errorf("broken2020 has the title %q", e.Get("title"))
	}

	st = w.state()
	down := slices.Index(st.Menu["File"], "Show Last Import Report") + 1
	if down == 0 {
		t.Fatalf("no Show Last Import Report in the File menu %v", st.Menu["File"])
	}
	w.click("search")
	w.key("alt")
	w.waitFor("the File menu", func(s app.ProbeState) bool { return strings.Contains(s.Focused, "menuBarItem") })
	for range down {
		w.key("Down")
	}
	w.key("Return")
	w.waitFor("the report again", func(s app.ProbeState) bool {
		_, ok := s.Widgets["problems"]
		return s.Dialog && ok && strings.Contains(s.DialogText, "Imported 2 entries")
	})
	w.key("Escape")
	w.waitFor("the report closed", func(s app.ProbeState) bool { return !s.Dialog })
}
