package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndWindowSizeKept resizes the window, quits with Ctrl+Q, and starts it again
// without --size: it opens at the size it had, as JabRef's and Zotero's do. It opened at
// 1280x800 each time.
func TestEndToEndWindowSizeKept(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, nil)
	st := w.steady("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 57 && s.Window != 0 })
	w.xdo("windowsize", strconv.FormatUint(st.Window, 10), "1100", "700")
	w.steady("the window resized", func(s app.ProbeState) bool { return s.Size == [2]int{1100, 700} })
	w.click("search")
	w.key("ctrl+q")
	path := filepath.Join(dir, "config", "fyne", appID, "preferences.json")
	for deadline := time.Now().Add(e2eWait); ; time.Sleep(e2ePoll) {
		var prefs struct {
			Width  float64 `json:"window.width"`
			Height float64 `json:"window.height"`
		}
		if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &prefs) == nil && prefs.Width == 1100 && prefs.Height == 700 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the preferences never kept the window's size 1100x700")
		}
	}
	w.stop()

	w = startWindow(t, dir, bin, "--library", lib.path)
	w.steady("the window at the size it had", func(s app.ProbeState) bool {
		return s.Settled && s.Rows == 57 && s.Size == [2]int{1100, 700}
	})
}
