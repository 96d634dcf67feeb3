package main

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndSortScrolled scrolls the list to its last row with the mouse wheel and taps the
// Title column's title: the list shows the new order from its first row, and the wheel scrolls
// it again. Fyne's Table.ScrollToTop moved the rows' offset but not the scroller's, so the rows
// were drawn out of view and the list stayed blank, the wheel unable to scroll it up.
func TestEndToEndSortScrolled(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, map[string]any{"list.columns": "title,authors,year"})
	st := w.steady("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 57 && s.Window != 0 })
	win := strconv.FormatUint(st.Window, 10)

	// wheel turns the mouse wheel over the list, down (button 5) or up (4), n notches.
	wheel := func(button string, n int) {
		t.Helper()
		x, y := st.Widgets["list"].Center()
		w.xdo("mousemove", "--window", win, strconv.Itoa(x), strconv.Itoa(y))
		for range n {
			w.xdo("click", button)
		}
	}
	// top returns the key of the row highest in view, "" for none.
	top := func(s app.ProbeState) string {
		key, y := "", 0
		for k := range s.Cells {
			if r, ok := s.Widgets["row:"+k]; ok && (key == "" || r[1] < y) {
				key, y = k, r[1]
			}
		}
		return key
	}

	first := top(st)
	wheel("5", 40)
	w.waitFor("the list scrolled down a screen and more", func(s app.ProbeState) bool {
		_, ok := s.Cells[first]
		return s.Settled && top(s) != "" && !ok
	})
	w.click("column:title")
	w.steady("the list sorted by title from its first row", func(s app.ProbeState) bool {
		return s.Settled && top(s) == "yang2023theory" && len(s.Cells) > 10
	})
	wheel("5", 3)
	w.waitFor("the sorted list scrolled down", func(s app.ProbeState) bool {
		return s.Settled && top(s) != "" && top(s) != "yang2023theory"
	})
	wheel("4", 3)
	w.waitFor("the sorted list scrolled back up", func(s app.ProbeState) bool { return top(s) == "yang2023theory" })
	// Sorted by year, the column's title shows beside its arrow at the column's first width.
	w.click("column:year")
	w.steady("the list sorted by year", func(s app.ProbeState) bool { return s.Settled && top(s) != "" && top(s) != "yang2023theory" })
	w.screenshot("sorted-year.png")
}
