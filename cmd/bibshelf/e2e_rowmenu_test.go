package main

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndRowMenu uses the menu of the list's rows with the right button, as a Zotero user
// does: on a row not selected it selects that row alone and acts on it; on a row of a selection
// of two it acts on both; in the Trash it restores.
func TestEndToEndRowMenu(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, col := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, map[string]any{"view.appearance": "light", "sidebar.folded": []string{"head:tags"}}) // the collection in view
	st := w.steady("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 && len(s.Cells) > 4 })
	rows := rowsInView(st)
	a, b, c := rows[1], rows[2], rows[3]

	// A row not selected: selected alone, and starred.
	w.click("row:" + a)
	w.waitFor(a+" selected", func(s app.ProbeState) bool { return s.Entry == a })
	w.rightClick("row:" + b)
	w.waitFor("the menu of "+b, func(s app.ProbeState) bool {
		_, ok := s.Widgets["row-menu:Star or Unstar"]
		return ok && s.Entry == b && slices.Equal(s.Selected, []string{b})
	})
	w.click("row-menu:Star or Unstar")
	w.click("side:starred")
	w.showsKeys("b starred", "starred", "zhang2023noisy", b)

	// Add to Collection: the collections, in a menu of their own.
	w.click("side:library")
	w.waitFor("the library", func(s app.ProbeState) bool { return s.Settled && s.Sidebar == "library" })
	w.rightClick("row:" + b)
	w.waitFor("the menu of "+b, func(s app.ProbeState) bool {
		_, ok := s.Widgets["row-menu:Add to Collection"]
		return ok && s.Entry == b
	})
	w.waitFor("the menu focused", func(s app.ProbeState) bool { return strings.Contains(s.Focused, "PopUpMenu") })
	w.hover("row-menu:Add to Collection")
	w.screenshot("row-menu.png") // docs/screenshots/row-menu.png
	w.key("Down", "Return")      // the hover opened its menu: Down takes its first item
	w.click("side:" + col)
	w.showsKeys("b in the collection", col, "vinyals2015pointer", "biondi2024stationary", b)

	// Two rows selected (Shift+Down): the menu acts on both.
	w.click("side:library")
	w.waitFor("the library", func(s app.ProbeState) bool { return s.Settled && s.Sidebar == "library" })
	w.click("row:" + b)
	w.waitFor(b+" selected", func(s app.ProbeState) bool { return slices.Equal(s.Selected, []string{b}) && s.Focused == "list" })
	w.key("shift+Down")
	w.waitFor("b and c selected", func(s app.ProbeState) bool { return len(s.Selected) == 2 })
	w.rightClick("row:" + c)
	w.waitFor("the menu of both", func(s app.ProbeState) bool {
		_, ok := s.Widgets["row-menu:Move to Trash"]
		return ok && len(s.Selected) == 2
	})
	w.click("row-menu:Move to Trash")
	w.click("side:trash")
	w.showsKeys("b and c in the trash", "trash", b, c)

	// In the Trash: Restore.
	w.rightClick("row:" + c)
	w.waitFor("the Trash's menu", func(s app.ProbeState) bool {
		_, restore := s.Widgets["row-menu:Restore from Trash"]
		_, trash := s.Widgets["row-menu:Move to Trash"]
		return restore && !trash && slices.Equal(s.Selected, []string{c})
	})
	w.click("row-menu:Restore from Trash")
	w.showsKeys("b left in the trash", "trash", b)
	if keys := lib.keys(t, ""); !slices.Contains(keys, c) || slices.Contains(keys, b) {
		t.Errorf("the library out of the trash holds c %v and b %v; want c only", slices.Contains(keys, c), slices.Contains(keys, b))
	}
}

// hover moves the pointer to the middle of the widget of that name.
func (w *e2eWindow) hover(name string) {
	w.t.Helper()
	st := w.waitFor(name+" in view", func(s app.ProbeState) bool { _, ok := s.Widgets[name]; return ok })
	x, y := st.Widgets[name].Center()
	win := strconv.FormatUint(st.Window, 10)
	w.xdo("mousemove", "--window", win, strconv.Itoa(x+1), strconv.Itoa(y), "mousemove", "--window", win, strconv.Itoa(x), strconv.Itoa(y))
}

// rowsInView returns the keys of the list's rows in view, top to bottom.
func rowsInView(s app.ProbeState) []string {
	var keys []string
	for name := range s.Widgets {
		if k, ok := strings.CutPrefix(name, "row:"); ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(x, y string) int { return s.Widgets["row:"+x][1] - s.Widgets["row:"+y][1] })
	return keys
}
