package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndSortKept sorts the list by year, newest first, with two clicks on the Year
// column's title, and opens the window again: the list is sorted so still, as JabRef and Zotero
// keep it. It came back in the library's order each time.
func TestEndToEndSortKept(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, nil)
	st := w.steady("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 57 && s.Window != 0 })
	unsorted := topRow(st)

	w.click("column:year")
	w.steady("sorted by year", func(s app.ProbeState) bool {
		return s.Settled && topRow(s) != unsorted && s.Cells[topRow(s)]["year"] != ""
	})
	w.click("column:year")
	st = w.steady("sorted by year, newest first", func(s app.ProbeState) bool {
		if !s.Settled || topRow(s) == "" {
			return false
		}
		for _, c := range s.Cells {
			if c["year"] > s.Cells[topRow(s)]["year"] {
				return false
			}
		}
		return true
	})
	newest := topRow(st)
	// The preference is on disk before the window goes.
	path := filepath.Join(dir, "config", "fyne", appID, "preferences.json")
	for deadline := time.Now().Add(e2eWait); ; time.Sleep(e2ePoll) {
		var prefs struct {
			Sort string `json:"list.sort"`
		}
		if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &prefs) == nil && prefs.Sort == "-year" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the preferences never said list.sort -year")
		}
	}

	w.stop()
	w = startWindow(t, dir, bin, "--library", lib.path, "--size", "1280x800")
	w.steady("the list sorted by year, newest first, again", func(s app.ProbeState) bool {
		return s.Settled && s.Rows == 57 && topRow(s) == newest
	})
}
