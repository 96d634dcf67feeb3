package main

import (
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndModifierClicks clicks a row, then another with Shift held and a third with Ctrl
// held, letting each key go right after the click as a user does: the first selects the range,
// the second adds its row. The list's click comes a double-click's time after the button, and
// read the keys then, when they were up: each click selected its one row.
func TestEndToEndModifierClicks(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, nil)
	st := w.steady("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 57 && s.Window != 0 })

	// The rows in view, top to bottom.
	var rows []string
	for k := range st.Cells {
		if _, ok := st.Widgets["row:"+k]; ok {
			rows = append(rows, k)
		}
	}
	slices.SortFunc(rows, func(a, b string) int { return st.Widgets["row:"+a][1] - st.Widgets["row:"+b][1] })
	if len(rows) < 6 {
		t.Fatalf("only %d rows in view", len(rows))
	}
	// modClick clicks the row of key with the modifier key held down for the click only.
	win := strconv.FormatUint(st.Window, 10)
	modClick := func(key, mod string) {
		t.Helper()
		time.Sleep(400 * time.Millisecond) // not the second click of a double-click
		x, y := st.Widgets["row:"+key].Center()
		w.xdo("mousemove", "--window", win, strconv.Itoa(x+1), strconv.Itoa(y), "mousemove", "--window", win, strconv.Itoa(x), strconv.Itoa(y),
			"keydown", mod, "click", "1", "keyup", mod)
	}
	selects := func(what string, keys ...string) {
		t.Helper()
		slices.Sort(keys)
		w.steady(what, func(s app.ProbeState) bool {
			got := slices.Clone(s.Selected)
			slices.Sort(got)
			return s.Settled && slices.Equal(got, keys)
		})
	}

	w.click("row:" + rows[1])
	selects("the row clicked", rows[1])
	modClick(rows[3], "shift")
	selects("the range Shift-clicked", rows[1], rows[2], rows[3])
	modClick(rows[5], "ctrl")
	selects("a row Ctrl-clicked into the selection", rows[1], rows[2], rows[3], rows[5])
	modClick(rows[2], "ctrl")
	selects("a row Ctrl-clicked out of it", rows[1], rows[3], rows[5])
}
