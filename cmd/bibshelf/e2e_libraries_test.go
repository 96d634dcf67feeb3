package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// TestEndToEndLibraries switches libraries with the real pointer and keyboard: File › Open
// Library File… refuses a file that is not a library (the window stays) and shows library B;
// File › Libraries… lists A and B, B marked, and a click on A shows A again; File › New Library
// File… makes C and shows it. The list is in the preferences file, and a start without
// --library shows C, the library shown last. B's file deleted, choosing it says so and takes it
// out of the list, which `bibshelf libraries` prints. C made into a file that is not a library,
// a start without --library shows the default library, says why C did not open, and takes C
// out of the list when asked.
func TestEndToEndLibraries(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	a, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	others := filepath.Join(dir, "others")
	if err := os.Mkdir(others, 0o755); err != nil {
		t.Fatal(err)
	}
	// Listed first in the Open dialog: a file that only has a library's name.
	if err := os.WriteFile(filepath.Join(others, "a-notes.sqlite"), []byte("not a database\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(others, "b.sqlite")
	libB, err := storage.Open(context.Background(), b)
	if err == nil {
		_, err = libB.Import(context.Background(), bib.ParseString("b.bib", "@misc{onlyb, title = {Only in Library B}}\n"))
	}
	if err == nil {
		err = libB.Close()
	}
	if err != nil {
		t.Fatal(err)
	}

	w := openWindow(t, dir, bin, a.path, map[string]any{"library.folder": others})
	showsA := func(s app.ProbeState) bool { return s.Settled && !s.Dialog && s.Window != 0 && s.Rows == 57 }
	w.waitFor("library A", showsA)

	// openFile chooses the nth file of the Open Library File dialog with the keyboard.
	openFile := func(nth int) {
		w.click("search") // the keyboard goes to the window under the pointer
		w.menu("Library", "Open Library File…")
		w.waitFor("the Open dialog", func(s app.ProbeState) bool { _, ok := s.Widgets["button:Open"]; return s.Dialog && ok })
		for i := 0; w.state().Focused != "*widget.GridWrap"; i++ {
			if i == 10 {
				t.Fatalf("Tab never reached the dialog's files; the focus is on %s", w.last.Focused)
			}
			w.key("Tab")
			time.Sleep(50 * time.Millisecond)
		}
		for range nth {
			w.key("Right")
		}
		w.key("space")
		w.click("button:Open")
	}

	openFile(1)
	st := w.waitFor("the file refused", func(s app.ProbeState) bool {
		return s.Dialog && strings.Contains(s.DialogText, "not a Bibshelf library")
	})
	if !strings.Contains(st.DialogText, "a-notes.sqlite") || st.Rows != 57 {
		t.Errorf("the refusal says %q, and the list has %d rows", st.DialogText, st.Rows)
	}
	w.screenshot("library-refused.png")
	w.click("button:OK")
	w.waitFor("library A still", showsA)

	openFile(2)
	showsB := func(s app.ProbeState) bool {
		return s.Settled && !s.Dialog && s.Window != 0 && s.Rows == 1 && s.Cells["onlyb"] != nil
	}
	w.waitFor("library B", showsB)

	w.click("search")
	w.menu("Library", "Libraries…")
	st = w.steady("the list of libraries", func(s app.ProbeState) bool {
		_, ok := s.Widgets["library:"+a.path]
		_, shown := s.Widgets["library:"+b]
		return s.Dialog && ok && shown
	})
	if _, ok := st.Widgets["library:"+filepath.Join(others, "a-notes.sqlite")]; ok {
		t.Error("the file that is not a library is in the list")
	}
	w.screenshot("libraries.png")
	w.click("library:" + a.path)
	w.waitFor("library A again", showsA)
	waitLibraries(t, dir, a.path, b)

	// A new library, named without its extension, in the folder of the last file chosen.
	w.click("search")
	w.menu("Library", "New Library File…")
	w.waitFor("the save dialog", func(s app.ProbeState) bool { return s.Dialog && s.Focused == "*widget.Entry" })
	w.key("ctrl+a")
	w.typeText("c")
	w.key("Return")
	c := filepath.Join(others, "c.sqlite")
	showsC := func(s app.ProbeState) bool {
		return s.Settled && !s.Dialog && s.Window != 0 && s.Rows == 0 && windowTitle(t, s) == "c.sqlite ("+others+") — Bibshelf"
	}
	w.waitFor("the new library C", showsC)
	waitLibraries(t, dir, c, a.path, b)

	// A start without --library shows the library shown last.
	w.stop()
	w = startWindow(t, dir, bin, "--size", "1280x800")
	w.waitFor("library C at the start", showsC)

	// B deleted: choosing it says so, and offers to take it out of the list.
	for _, f := range []string{b, b + "-wal", b + "-shm"} {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	w.click("search")
	w.menu("Library", "Libraries…")
	w.click("library:" + b)
	w.waitFor("the library not found", func(s app.ProbeState) bool {
		_, ok := s.Widgets["button:Remove from List"]
		return s.Dialog && ok && strings.Contains(s.DialogText, "is not there any more")
	})
	w.click("button:Remove from List")
	waitLibraries(t, dir, c, a.path)
	if got, want := runOther(t, bin, filepath.Join(dir, "config"), "libraries"), c+"\n"+a.path+"\n"; got != want {
		t.Errorf("bibshelf libraries prints %q, want %q", got, want)
	}

	// C broken (no longer a library): a start without --library shows the default library,
	// and says why C did not open, with the offer to take it out of the list.
	w.stop()
	for _, f := range []string{c + "-wal", c + "-shm"} {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(c, []byte("not a library any more\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w = startWindow(t, dir, bin, "--size", "1280x800")
	w.waitFor("the default library, and why C did not open", func(s app.ProbeState) bool {
		_, ok := s.Widgets["button:Remove from List"]
		return s.Dialog && ok && s.Rows == 56 && strings.Contains(s.DialogText, "The library shown last, "+c+", did not open")
	})
	w.click("button:Remove from List")
	waitLibraries(t, dir, filepath.Join(dir, "data", "bibshelf", "library.sqlite"), a.path)
}

// windowTitle is the title of the window the probe answered for.
func windowTitle(t *testing.T, s app.ProbeState) string {
	t.Helper()
	out, err := exec.Command("xdotool", "getwindowname", strconv.FormatUint(s.Window, 10)).Output()
	if err != nil {
		t.Fatalf("xdotool getwindowname: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// waitLibraries waits until the preferences file in dir lists the libraries named, in order.
func waitLibraries(t *testing.T, dir string, want ...string) {
	t.Helper()
	path := filepath.Join(dir, "config", "fyne", appID, "preferences.json")
	var got []string
	for deadline := time.Now().Add(e2eWait); time.Now().Before(deadline); time.Sleep(e2ePoll) {
		var prefs struct {
			Libraries []string `json:"libraries.recent"`
		}
		if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &prefs) == nil {
			if got = prefs.Libraries; slices.Equal(got, want) {
				return
			}
		}
	}
	t.Fatalf("the preferences list the libraries %q, want %q", got, want)
}
