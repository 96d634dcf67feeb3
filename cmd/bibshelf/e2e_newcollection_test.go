package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndNewCollectionInView makes a collection through Library › New Collection… in a
// library whose tags fill the sidebar, and drags a row onto it. The new collection shows in
// view: it was made below the tags, out of sight, and a user could not find it to drag onto.
// After the drop the status line says what the drop did, where it kept saying where to drop.
func TestEndToEndNewCollectionInView(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, other := e2eLibrary(t, filepath.Join(dir, "library.sqlite")) // other: a collection it has
	w := openWindow(t, dir, bin, lib.path, nil)
	w.steady("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 57 && s.Window != 0 })

	w.menu("Library", "New Collection…")
	w.waitFor("the name asked", func(s app.ProbeState) bool { return s.Dialog && strings.Contains(s.Focused, "dialogEntry") })
	w.typeText("Chapter 2")
	w.key("Return")
	// The row of the collection, in view.
	var col string
	st := w.steady("the new collection in view", func(s app.ProbeState) bool {
		col = ""
		for name := range s.Widgets {
			if strings.HasPrefix(name, "side:col:") && name != "side:"+other && !s.Dialog {
				col = name
			}
		}
		return s.Settled && col != "" && s.Sidebar == "library"
	})
	sidebar := st.Widgets["sidebar"]
	if r := st.Widgets[col]; r[1] < sidebar[1] || r[1]+r[3] > sidebar[1]+sidebar[3] {
		t.Fatalf("the collection's row %v is outside the sidebar %v", r, sidebar)
	}

	// Drag the first row in view onto it.
	var key string
	for k := range st.Cells {
		if _, ok := st.Widgets["row:"+k]; ok && (key == "" || st.Widgets["row:"+k][1] < st.Widgets["row:"+key][1]) {
			key = k
		}
	}
	win := strconv.FormatUint(st.Window, 10)
	x, y := st.Widgets["row:"+key].Center()
	tx, ty := st.Widgets[col].Center()
	time.Sleep(400 * time.Millisecond)
	w.xdo("mousemove", "--window", win, strconv.Itoa(x+1), strconv.Itoa(y), "mousemove", "--window", win, strconv.Itoa(x), strconv.Itoa(y), "mousedown", "1")
	for i := 1; i <= 8; i++ {
		w.xdo("mousemove", "--window", win, strconv.Itoa(x+(tx-x)*i/8), strconv.Itoa(y+(ty-y)*i/8))
		time.Sleep(30 * time.Millisecond)
	}
	w.xdo("mouseup", "1")
	w.steady("the row added, and said so", func(s app.ProbeState) bool {
		return s.Settled && s.Status == "1 entry added to Chapter 2"
	})
	if got := lib.keys(t, "in:\"Chapter 2\""); len(got) != 1 || got[0] != key {
		t.Errorf("the collection holds %v, want [%s]", got, key)
	}
}
