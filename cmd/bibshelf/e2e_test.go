package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/assets"
	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// TestEndToEnd runs the real binary under X and uses it as a user does, with real mouse and
// keyboard events (xdotool): it clicks each kind of sidebar row, searches, edits a field of an
// entry and presses Enter, presses Ctrl+Z in a field, moves the focus with Tab, adds a tag,
// makes a new entry and exports through the File menu and the save dialog. Each result is
// checked in the library file. The window tells where its widgets are and what it shows
// through its probe (BIBSHELF_PROBE, app.ServeProbe); the input never goes through it.
func TestEndToEnd(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	start := time.Now()
	dir := t.TempDir()
	lib, col := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	exports := filepath.Join(dir, "exports")
	if err := os.Mkdir(exports, 0o755); err != nil {
		t.Fatal(err)
	}
	w := openWindow(t, dir, bin, lib.path, map[string]any{"export.folder": exports})
	w.t = t
	st := w.waitFor("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 57 && s.Window != 0 })
	size, pane := st.Size, st.Widgets["pane"]

	outer := t
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		ok := t.Run(name, func(t *testing.T) {
			w.t = t
			defer func() { w.t = outer }()
			f(t)
		})
		if !ok {
			t.FailNow() // what follows builds on this step
		}
	}

	step("sidebar", func(t *testing.T) {
		w.click("side:" + "starred")
		w.showsKeys("the starred entries", "starred", "zhang2023noisy")
		w.click("side:tag:attention")
		w.showsKeys("the tag's entries", "tag:attention", lib.keys(t, "tag:attention")...)
		w.screenshot("sidebar-tag.png")
		// The Tags title folds the tags, which brings the collections into view; the list
		// stays as it was.
		w.click("side:head:tags")
		w.waitFor("the tags folded", func(s app.ProbeState) bool {
			_, shown := s.Widgets["side:tag:attention"]
			return s.Settled && !shown && s.Sidebar == "tag:attention"
		})
		w.click("side:" + col)
		w.showsKeys("the collection's entries", col, "biondi2024stationary", "vinyals2015pointer")
		w.click("side:head:tags")
		w.waitFor("the tags back", func(s app.ProbeState) bool { _, ok := s.Widgets["side:tag:attention"]; return s.Settled && ok })
		w.click("side:library")
		w.waitFor("the whole library", func(s app.ProbeState) bool { return s.Settled && s.Sidebar == "library" && s.Rows == 57 })
	})

	step("search and edit", func(t *testing.T) {
		w.click("search")
		w.typeText("texbook")
		st := w.waitFor("the search's one row", func(s app.ProbeState) bool {
			return s.Settled && s.Query == "texbook" && s.Rows == 1 && s.Cells["knuth86"] != nil
		})
		if got := st.Cells["knuth86"]["year"]; got != "1986" {
			t.Errorf("the Year column shows %q for {\\noopsort{1986c}}1986, want 1986", got)
		}
		w.click("row:knuth86")
		st = w.waitFor("the entry in the pane", func(s app.ProbeState) bool {
			_, ok := s.Widgets["field:publisher"]
			return s.Settled && s.Entry == "knuth86" && ok
		})
		before := st.Widgets

		// Emptying a required field says so below the fields: no editor moves.
		w.click("field:publisher")
		w.key("ctrl+a", "BackSpace", "Return")
		lib.waitField(t, "knuth86", "publisher", "")
		st = w.steady("the pane after the edit", func(s app.ProbeState) bool {
			return s.Settled && s.Fields["publisher"] == "" && strings.Contains(s.Missing, "publisher")
		})
		for name, r := range before {
			if strings.HasPrefix(name, "field:") && st.Widgets[name] != r {
				t.Errorf("emptying publisher moved %s from %v to %v", name, r, st.Widgets[name])
			}
		}
		w.typeText("Addison-Wesley")
		w.key("Return")
		lib.waitField(t, "knuth86", "publisher", "Addison-Wesley")
	})

	step("undo in a field", func(t *testing.T) {
		// Typed over the whole value and stored with Enter; the field keeps the focus. Undo
		// there has nothing typed to undo: it leaves the field alone (Fyne's own undo went back
		// to the empty text that typing over a selection passes through), and leaving the
		// field stores nothing.
		w.key("ctrl+a")
		w.typeText("AW")
		w.key("Return")
		lib.waitField(t, "knuth86", "publisher", "AW")
		// The list shown again after the save says its count in the status line: Undo's
		// message comes after it, not under it.
		w.waitFor("the save shown", func(s app.ProbeState) bool { return s.Settled })
		w.key("ctrl+z")
		st := w.waitFor("the Undo handled", func(s app.ProbeState) bool {
			return s.Focused == "field:publisher" && (strings.HasPrefix(s.Status, "Nothing typed") || s.Fields["publisher"] != "AW")
		})
		w.click("row:knuth86")
		w.waitFor("the focus in the list", func(s app.ProbeState) bool { return s.Settled && s.Focused == "list" })
		lib.waitField(t, "knuth86", "publisher", "AW")
		if !strings.HasPrefix(st.Status, "Nothing typed in publisher to undo") {
			t.Errorf("after Undo in the field the status line says %q", st.Status)
		}
		// Typing not stored yet is undone.
		w.click("field:publisher")
		w.key("End")
		w.typeText("Inc")
		w.waitFor("the typing", func(s app.ProbeState) bool { return s.Fields["publisher"] == "AWInc" })
		w.key("ctrl+z")
		w.waitFor("the typing undone", func(s app.ProbeState) bool { return s.Fields["publisher"] == "AW" })
		// Undo in the list takes back the library's last change, and the field shows it.
		w.click("row:knuth86")
		w.waitFor("the focus in the list", func(s app.ProbeState) bool { return s.Settled && s.Focused == "list" })
		lib.waitField(t, "knuth86", "publisher", "AW")
		w.key("ctrl+z")
		lib.waitField(t, "knuth86", "publisher", "Addison-Wesley")
		w.waitFor("the field undone", func(s app.ProbeState) bool { return s.Settled && s.Fields["publisher"] == "Addison-Wesley" })
	})

	step("focus", func(t *testing.T) {
		w.click("search")
		w.key("Tab")
		w.waitFor("Tab from the search field to the list", func(s app.ProbeState) bool { return s.Focused == "list" })
		// The arrows on the Type selector do not change the type.
		w.click("key")
		w.key("shift+Tab")
		w.waitFor("the Type selector focused", func(s app.ProbeState) bool { return s.Focused == "type" })
		w.key("Right", "Right", "Left", "Tab") // Tab: the arrows have been handled once the focus moves
		st := w.waitFor("the arrows handled", func(s app.ProbeState) bool { return s.Settled && s.Focused == "key" })
		if st.Type != "book" || lib.entry(t, "knuth86").Type != "book" {
			t.Errorf("arrows on the Type selector: it shows %q, the library has @%s", st.Type, lib.entry(t, "knuth86").Type)
		}
	})

	step("tag", func(t *testing.T) {
		before := w.waitFor("the pane", func(s app.ProbeState) bool { return s.Settled }).Widgets
		w.click("tag-input")
		w.typeText("le") // many of the library's tags match
		st := w.steady("the suggestions", func(s app.ProbeState) bool {
			_, shown := s.Widgets["suggestion:learning theory"]
			return s.TagText == "le" && shown
		})
		if st.Size != size || st.Widgets["pane"] != pane {
			t.Errorf("typing a tag made the window %v (was %v) and the pane %v (was %v)", st.Size, size, st.Widgets["pane"], pane)
		}
		for name, r := range before {
			if strings.HasPrefix(name, "field:") && st.Widgets[name] != r {
				t.Errorf("the tag suggestions moved %s from %v to %v", name, r, st.Widgets[name])
			}
		}
		w.key("ctrl+a")
		w.typeText("e2e-tag")
		w.key("Return")
		w.waitFor("the tag added", func(s app.ProbeState) bool {
			return s.Settled && slices.Contains(lib.tags(t, "knuth86"), "e2e-tag")
		})
	})

	step("new entry", func(t *testing.T) {
		w.key("ctrl+n")
		w.waitFor("the New Entry dialog", func(s app.ProbeState) bool { return s.Dialog && s.Focused == "*app.dialogEntry" })
		w.typeText("Lamport, Leslie")
		w.key("Tab")
		w.typeText("LaTeX: A Document Preparation System")
		w.key("Tab")
		w.typeText("1994")
		w.key("Return")
		w.waitFor("the new entry", func(s app.ProbeState) bool { return s.Settled && !s.Dialog && s.Entry == "Lamport1994" })
		if e := lib.entry(t, "Lamport1994"); e.Get("title") != "LaTeX: A Document Preparation System" || e.Get("year") != "1994" {
			t.Errorf("the new entry has title %q, year %q", e.Get("title"), e.Get("year"))
		}
	})

	step("export", func(t *testing.T) {
		st := w.waitFor("the whole library", func(s app.ProbeState) bool { return s.Settled && s.Rows == 58 })
		// Through the menu: Alt opens File, the arrows go down to Export List…, Enter.
		down := slices.Index(st.Menu["File"], "Export List…") + 1
		if down == 0 {
			t.Fatalf("no Export List… in the File menu %v", st.Menu["File"])
		}
		w.click("search") // the window has the pointer and the keyboard
		w.key("alt")
		w.waitFor("the File menu", func(s app.ProbeState) bool { return strings.Contains(s.Focused, "menuBarItem") })
		for range down {
			w.key("Down")
		}
		w.key("Return")
		// The save dialog starts in the folder the preferences remember, with the file name
		// field focused.
		w.waitFor("the save dialog", func(s app.ProbeState) bool { return s.Dialog && s.Focused == "*widget.Entry" })
		w.key("ctrl+a")
		w.typeText("e2e.bib")
		w.key("Return")
		out := filepath.Join(exports, "e2e.bib")
		w.waitFor("the export", func(s app.ProbeState) bool {
			return !s.Dialog && strings.HasPrefix(s.Status, "Exported 58 entries to ") && strings.HasSuffix(s.Status, out)
		})
		src, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		f := bib.Parse(out, src)
		var knuth, lamport *bib.Entry
		for _, e := range f.Entries() {
			switch e.Key {
			case "knuth86":
				knuth = e
			case "Lamport1994":
				lamport = e
			}
		}
		if len(f.Entries()) != 58 || knuth == nil || lamport == nil {
			t.Fatalf("the export has %d entries, knuth86 %v, Lamport1994 %v", len(f.Entries()), knuth != nil, lamport != nil)
		}
		if knuth.Get("publisher") != "Addison-Wesley" || !strings.Contains(knuth.Get("keywords"), "e2e-tag") {
			t.Errorf("knuth86 exported with publisher %q, keywords %q", knuth.Get("publisher"), knuth.Get("keywords"))
		}
	})
	t.Logf("end-to-end run: %s", time.Since(start).Round(100*time.Millisecond))
}

// TestEndToEndKeyClash imports, in the real window, a file whose entry has the key of another
// paper of the library: the report says so, and its button, clicked with the real mouse, shows
// the two side by side, where Not Duplicates keeps both for good.
func TestEndToEndKeyClash(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	clash := filepath.Join(dir, "clash.bib")
	src := "@article{vinyals2015pointer, title = {Pointer Sentinel Mixture Models}, author = {Merity, Stephen}, year = 2017}\n"
	if err := os.WriteFile(clash, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	w := openWindow(t, dir, bin, lib.path, nil, clash)
	w.waitFor("the import's report", func(s app.ProbeState) bool {
		return s.Dialog && strings.Contains(s.DialogText, `1 entry was imported under another key`)
	})
	w.click("button:Compare Each With the Library's Entry…")
	w.waitFor("the two entries side by side", func(s app.ProbeState) bool {
		return s.Dialog && strings.Contains(s.DialogText, "Two papers, one key") &&
			strings.Contains(s.DialogText, `now in the library as "vinyals2015pointera"`)
	})
	w.screenshot("key-clash.png")
	w.click("button:Not Duplicates")
	w.waitFor("the dialog closed", func(s app.ProbeState) bool { return !s.Dialog })
	if e := lib.entry(t, "vinyals2015pointera"); e.Get("title") != "Pointer Sentinel Mixture Models" {
		t.Errorf("vinyals2015pointera has the title %q", e.Get("title"))
	}
	if e := lib.entry(t, "vinyals2015pointer"); e.Get("title") != "Pointer Networks" {
		t.Errorf("vinyals2015pointer has the title %q: the library's entry must stay as it was", e.Get("title"))
	}
	for deadline := time.Now().Add(e2eWait); ; time.Sleep(e2ePoll) {
		if not, err := lib.lib.NotDuplicate(context.Background(), "vinyals2015pointer", "vinyals2015pointera"); err == nil && not {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Not Duplicates did not mark the two entries")
		}
	}
}

// TestEndToEndSearchField: the window's title names the library; from the search field, Down
// and Enter reach the results with the real keyboard; Escape in a field puts its value back; a
// search that finds nothing in a sidebar selection says where it looked; Help › Search Syntax.
func TestEndToEndSearchField(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, nil)
	st := w.waitFor("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 57 && s.Window != 0 })
	out, err := exec.Command("xdotool", "getwindowname", strconv.FormatUint(st.Window, 10)).Output()
	if title := strings.TrimSpace(string(out)); err != nil || !strings.HasPrefix(title, "library.sqlite (") || !strings.Contains(title, dir) {
		t.Errorf("the window's title is %q, %v; want the library's file and folder", title, err)
	}

	w.click("search")
	w.typeText("pointer")
	want := lib.keys(t, "pointer")
	w.waitFor("the search's rows", func(s app.ProbeState) bool { return s.Settled && s.Query == "pointer" && s.Rows == len(want) })
	w.key("Down")
	st = w.waitFor("Down: the first result, focused", func(s app.ProbeState) bool {
		return s.Settled && s.Focused == "list" && len(s.Selected) == 1 && s.Entry == s.Selected[0]
	})
	if !slices.Contains(want, st.Selected[0]) {
		t.Errorf("Down selected %v, not a result of the search %v", st.Selected, want)
	}
	w.click("search")
	w.key("ctrl+a")
	w.typeText("texbook")
	w.waitFor("the new search's row", func(s app.ProbeState) bool { return s.Settled && s.Query == "texbook" && s.Rows == 1 })
	w.key("Return")
	w.waitFor("Enter: the result, focused", func(s app.ProbeState) bool {
		return s.Settled && s.Focused == "list" && slices.Equal(s.Selected, []string{"knuth86"})
	})

	// Escape in a field puts back the value it had: nothing typed reaches the library.
	w.waitFor("the entry's fields", func(s app.ProbeState) bool { _, ok := s.Widgets["field:publisher"]; return s.Settled && ok })
	w.click("field:publisher")
	w.key("End")
	w.typeText(" XYZ")
	w.waitFor("the typing", func(s app.ProbeState) bool { return s.Fields["publisher"] == "Addison-Wesley XYZ" })
	w.key("Escape")
	w.waitFor("the value put back", func(s app.ProbeState) bool {
		return s.Fields["publisher"] == "Addison-Wesley" && s.Focused == "field:publisher"
	})
	w.click("row:knuth86")
	w.waitFor("the focus in the list", func(s app.ProbeState) bool { return s.Settled && s.Focused == "list" })
	lib.waitField(t, "knuth86", "publisher", "Addison-Wesley")

	// Nothing starred matches: the pane says the search looked in Starred only.
	w.click("side:starred")
	w.click("search")
	w.key("ctrl+a")
	w.typeText("texbook")
	st = w.waitFor("nothing found", func(s app.ProbeState) bool { return s.Settled && s.Query == "texbook" && s.Rows == 0 })
	if !strings.Contains(st.Message, `Nothing in Starred matches "texbook"`) {
		t.Errorf("the pane says %q", st.Message)
	}
	w.screenshot("search-nothing-in-starred.png")

	// Help › Search Syntax, through the menu bar with the keyboard.
	menus := []string{"File", "Library", "Edit", "Entry", "View", "Help"}
	if !slices.Equal(st.MenuBar, menus) || !slices.Contains(st.Menu["Help"], "Search Syntax") {
		t.Fatalf("the main menu is %v: %v", st.MenuBar, st.Menu)
	}
	w.menu("Help", "Search Syntax")
	w.waitFor("the search syntax", func(s app.ProbeState) bool { return s.Dialog })
	w.screenshot("help-search-syntax.png")
	w.key("Escape")
	w.waitFor("the dialog closed by Escape", func(s app.ProbeState) bool { return !s.Dialog })

	// Escape in a dialog's field closes the dialog: New Entry makes nothing.
	w.click("side:library")
	w.waitFor("the library", func(s app.ProbeState) bool { return s.Settled && s.Sidebar == "library" })
	w.key("ctrl+n")
	w.waitFor("the New Entry dialog", func(s app.ProbeState) bool { return s.Dialog && s.Focused != "" })
	w.typeText("Nobody, Ann")
	w.key("Escape")
	w.waitFor("the dialog closed by Escape", func(s app.ProbeState) bool { return !s.Dialog })
	if n, err := lib.lib.Count(context.Background()); err != nil || n != 57 {
		t.Errorf("after Escape in New Entry the library has %d entries, %v; want 57", n, err)
	}
}

// TestEndToEndKeywordTags opens the window with a file whose keywords would make many new tags:
// the window asks first, with their count, and the real click on Keep Them as Keywords Only
// imports the entries without tags.
func TestEndToEndKeywordTags(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	var src strings.Builder
	for i := range 40 {
		fmt.Fprintf(&src, "@misc{kw%d, title = {Keyworded %d}, keywords = {word%d; theme %d}}\n", i, i, i, i)
	}
	file := filepath.Join(dir, "keywords.bib")
	if err := os.WriteFile(file, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	w := openWindow(t, dir, bin, lib.path, nil, file)
	w.waitFor("the question", func(s app.ProbeState) bool {
		return s.Dialog && s.Window != 0 && strings.Contains(s.DialogText, "hold 80 words that are not tags yet")
	})
	w.screenshot("keywords-to-tags.png")
	w.click("button:Keep Them as Keywords Only")
	w.waitFor("the import's report", func(s app.ProbeState) bool {
		return s.Dialog && s.Settled && s.Rows == 97
	})
	if tags := lib.tags(t, "kw1"); len(tags) != 0 {
		t.Errorf("kw1 has the tags %v, want none", tags)
	}
	if e := lib.entry(t, "kw1"); e.Get("keywords") != "word1; theme 1" {
		t.Errorf("kw1's keywords are %q", e.Get("keywords"))
	}
}

// needXdotool skips the test when xdotool is missing, or fails it on CI.
func needXdotool(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("xdotool"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xdotool is missing: ./dev deps --test installs it")
		}
		t.Skip("xdotool is missing (./dev deps --test installs it)")
	}
}

// e2eTestLibrary is the library file of the end-to-end test, read while the window writes to it.
type e2eTestLibrary struct {
	path string
	lib  *storage.Library
}

// e2eLibrary makes the end-to-end test's library: the sample, a book whose year holds a sort key,
// a starred entry and a collection of two entries. It returns the collection's sidebar row id.
func e2eLibrary(t *testing.T, path string) (*e2eTestLibrary, string) {
	t.Helper()
	ctx := context.Background()
	lib, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	book := `@book{knuth86, author = {Donald E. Knuth}, title = {The {\TeX}book}, year = {{\noopsort{1986c}}1986}, publisher = {Addison-Wesley}}`
	if _, err := lib.Import(ctx, bib.Parse("sample-library.bib", assets.SampleLibrary)); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Import(ctx, bib.ParseString("book.bib", book)); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.SetStarred(ctx, true, "zhang2023noisy"); err != nil {
		t.Fatal(err)
	}
	c, err := lib.CreateCollection(ctx, nil, "Reading group")
	if err == nil {
		_, err = lib.AddToCollection(ctx, c.ID, "vinyals2015pointer", "biondi2024stationary")
	}
	if err != nil {
		t.Fatal(err)
	}
	return &e2eTestLibrary{path: path, lib: lib}, "col:" + strconv.FormatInt(c.ID, 10)
}

func (l *e2eTestLibrary) keys(t *testing.T, query string) []string {
	t.Helper()
	rows, err := l.lib.Search(context.Background(), query, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range rows {
		keys = append(keys, r.Key)
	}
	return keys
}

func (l *e2eTestLibrary) entry(t *testing.T, key string) *bib.Entry {
	t.Helper()
	e, err := l.lib.Entry(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (l *e2eTestLibrary) tags(t *testing.T, key string) []string {
	t.Helper()
	tags, err := l.lib.EntryTags(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return tags
}

// waitField waits until the library's entry key has that value in a field ("" for none).
func (l *e2eTestLibrary) waitField(t *testing.T, key, field, value string) {
	t.Helper()
	var got string
	for deadline := time.Now().Add(e2eWait); time.Now().Before(deadline); time.Sleep(e2ePoll) {
		if got = l.entry(t, key).Get(field); got == value {
			return
		}
	}
	t.Fatalf("%s's %s in the library is %q, want %q", key, field, got, value)
}

// How long the end-to-end test waits for the window to show something, and how often it looks.
const (
	e2eWait = 20 * time.Second
	e2ePoll = 25 * time.Millisecond
)

// e2eWindow is the real window of the end-to-end test.
type e2eWindow struct {
	t     *testing.T
	probe *bufio.ReadWriter
	last  app.ProbeState

	lastClick time.Time
	// stop ends the window's process, as the end of the test does.
	stop func()
}

// openWindow starts the window on a library, with preferences, a new user folder in dir and its
// probe, and connects to the probe. The window is stopped at the end of the test, which then
// fails if a widget was changed off the UI goroutine.
func openWindow(t *testing.T, dir, bin, library string, prefs map[string]any, files ...string) *e2eWindow {
	t.Helper()
	writePrefs(t, dir, prefs)
	return startWindow(t, dir, bin, append([]string{"--library", library, "--size", "1280x800"}, files...)...)
}

// writePrefs writes the preferences the window in dir starts with.
func writePrefs(t *testing.T, dir string, prefs map[string]any) {
	t.Helper()
	prefsDir := filepath.Join(dir, "config", "fyne", appID)
	if err := os.MkdirAll(prefsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(prefs)
	if err == nil {
		err = os.WriteFile(filepath.Join(prefsDir, "preferences.json"), b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// startWindow starts the window with the arguments, the user folders in dir as openWindow
// leaves them (the preferences as they are), and its probe, and connects to the probe.
func startWindow(t *testing.T, dir, bin string, args ...string) *e2eWindow {
	t.Helper()
	return launchWindow(t, dir, bin, args...).probe(t)
}

// startedWindow is the window's process, started, before its probe answers.
type startedWindow struct {
	sock   string
	exited chan struct{}
	log    *lockedBuffer
	cmd    *exec.Cmd
	stop   func()
}

// launchWindow starts the window as startWindow does, without waiting for its probe: what it
// shows before a library's window (a password asked for) is driven by X input alone.
func launchWindow(t *testing.T, dir, bin string, args ...string) *startedWindow {
	t.Helper()
	config := filepath.Join(dir, "config")
	sock := filepath.Join(dir, "probe")
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_CONFIG_HOME="+config,
		"BIBSHELF_LIBRARY=", "FYNE_SCALE=1", "LANG=en_US.UTF-8", "BIBSHELF_PROBE="+sock)
	log := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cmd.Process.Kill()
			<-exited
			out := log.String()
			if t.Failed() {
				t.Logf("the window's output:\n%s", out)
			}
			if strings.Contains(out, "Error in Fyne call thread") {
				t.Errorf("a widget was changed off the UI goroutine:\n%s", out)
			}
		})
	}
	t.Cleanup(stop)
	return &startedWindow{sock: sock, exited: exited, log: log, cmd: cmd, stop: stop}
}

// probe connects to the window's probe, once it answers.
func (s *startedWindow) probe(t *testing.T) *e2eWindow {
	t.Helper()
	sock, exited, log := s.sock, s.exited, s.log
	var conn net.Conn
	for deadline := time.Now().Add(e2eWait); conn == nil; time.Sleep(e2ePoll) {
		select {
		case <-exited:
			t.Fatalf("the window exited:\n%s", log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the window's probe never answered:\n%s", log.String())
		}
		conn, _ = net.Dial("unix", sock)
	}
	t.Cleanup(func() { conn.Close() })
	return &e2eWindow{t: t, probe: bufio.NewReadWriter(bufio.NewReader(conn), bufio.NewWriter(conn)), stop: s.stop}
}

// lockedBuffer collects the window's output from the goroutines of exec.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// state asks the window's probe what it shows.
func (w *e2eWindow) state() app.ProbeState {
	w.t.Helper()
	if _, err := w.probe.WriteString("state\n"); err != nil {
		w.t.Fatal(err)
	}
	if err := w.probe.Flush(); err != nil {
		w.t.Fatal(err)
	}
	line, err := w.probe.ReadBytes('\n')
	if err != nil {
		w.t.Fatalf("probe: %v", err)
	}
	var st app.ProbeState
	if err := json.Unmarshal(line, &st); err != nil {
		w.t.Fatalf("probe: %v: %s", err, line)
	}
	w.last = st
	return st
}

// waitFor asks the probe until cond holds, and returns that state; it fails the test, with what
// the window showed last, when that takes longer than e2eWait.
func (w *e2eWindow) waitFor(what string, cond func(app.ProbeState) bool) app.ProbeState {
	w.t.Helper()
	for deadline := time.Now().Add(e2eWait); ; time.Sleep(e2ePoll) {
		if st := w.state(); cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			st := w.last
			st.Widgets, st.Cells, st.Menu = nil, nil, nil
			b, _ := json.Marshal(st)
			w.t.Fatalf("timed out waiting for %s; the window shows %s", what, b)
		}
	}
}

// steady waits until cond holds, then until the window's widgets stay in their places for three
// answers of the probe in a row: the window is laid out again in the frame after a change.
func (w *e2eWindow) steady(what string, cond func(app.ProbeState) bool) app.ProbeState {
	w.t.Helper()
	st := w.waitFor(what, cond)
	for same, deadline := 0, time.Now().Add(e2eWait); same < 3; time.Sleep(e2ePoll) {
		next := w.state()
		if maps.Equal(next.Widgets, st.Widgets) && next.Size == st.Size {
			same++
		} else {
			same = 0
		}
		st = next
		if time.Now().After(deadline) {
			w.t.Fatalf("the window never held still after %s", what)
		}
	}
	return st
}

// showsKeys waits until the sidebar row id is selected and the list shows exactly the keys.
func (w *e2eWindow) showsKeys(what, id string, keys ...string) {
	w.t.Helper()
	slices.Sort(keys)
	w.waitFor(what, func(s app.ProbeState) bool {
		if !s.Settled || s.Sidebar != id || s.Rows != len(keys) {
			return false
		}
		shown := make([]string, 0, len(s.Cells))
		for k := range s.Cells {
			shown = append(shown, k)
		}
		slices.Sort(shown)
		return slices.Equal(shown, keys)
	})
}

// xdo runs xdotool.
func (w *e2eWindow) xdo(args ...string) {
	w.t.Helper()
	if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
		w.t.Fatalf("xdotool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// click moves the pointer to the middle of the widget of that name and clicks the left button.
func (w *e2eWindow) click(name string) {
	w.t.Helper()
	st := w.waitFor(name+" in view", func(s app.ProbeState) bool { _, ok := s.Widgets[name]; return ok })
	// A widget just shown may still move: a dialog opened with the window is laid out again
	// when the window reaches its size. Click where it stayed for two answers in a row.
	for deadline := time.Now().Add(e2eWait); ; time.Sleep(e2ePoll) {
		next := w.state()
		at, ok := next.Widgets[name]
		if ok && at == st.Widgets[name] && next.Size == st.Size && next.Window == st.Window {
			break
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("%s never held still", name)
		}
		if !ok {
			st = w.waitFor(name+" in view", func(s app.ProbeState) bool { _, ok := s.Widgets[name]; return ok })
			continue
		}
		st = next
	}
	x, y := st.Widgets[name].Center()
	// Fyne's driver waits the double-click delay (300 ms) after a click on a widget that takes
	// double clicks; a second click within it, on any widget, counts as that double click's second
	// and does nothing else. A user's clicks on two widgets are slower than that.
	time.Sleep(time.Until(w.lastClick.Add(400 * time.Millisecond)))
	// The pointer moves there from a pixel away: a pointer already on the spot (left by an earlier
	// window) would send no motion, and the click would land where the window last saw it.
	win := strconv.FormatUint(st.Window, 10)
	w.xdo("mousemove", "--window", win, strconv.Itoa(x+1), strconv.Itoa(y), "mousemove", "--window", win, strconv.Itoa(x), strconv.Itoa(y), "click", "1")
	w.lastClick = time.Now()
}

// key presses keys, as xdotool names them ("ctrl+z", "Return").
func (w *e2eWindow) key(keys ...string) {
	w.t.Helper()
	w.xdo(append([]string{"key", "--delay", "30"}, keys...)...)
}

// typeText types text.
func (w *e2eWindow) typeText(text string) {
	w.t.Helper()
	w.xdo("type", "--delay", "20", text)
}

// screenshot writes the window to a PNG in $BIBSHELF_E2E_SHOTS, when it is set (see
// docs/DEVELOPMENT.md), once two captures in a row agree.
func (w *e2eWindow) screenshot(name string) {
	w.t.Helper()
	dir := os.Getenv("BIBSHELF_E2E_SHOTS")
	if dir == "" {
		return
	}
	if w.last.Window == 0 {
		// import -window 0 would wait for a click choosing the window.
		w.t.Fatalf("screenshot %s: the window's X id is not known yet", name)
	}
	path := filepath.Join(dir, name)
	var last []byte
	for deadline := time.Now().Add(e2eWait); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		out, err := exec.Command("import", "-window", fmt.Sprint(w.last.Window), "png:-").Output()
		if err != nil {
			w.t.Fatalf("import: %v", err)
		}
		if bytes.Equal(out, last) {
			if err := os.WriteFile(path, out, 0o644); err != nil {
				w.t.Fatal(err)
			}
			w.t.Logf("wrote %s", path)
			return
		}
		last = out
	}
	w.t.Errorf("the window never held still for %s", name)
}
