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
	"github.com/bibshelf/bibshelf/bib"
)

// rightClick moves the pointer to the middle of the widget of that name and clicks the right
// button.
func (w *e2eWindow) rightClick(name string) {
	w.t.Helper()
	st := w.waitFor(name+" in view", func(s app.ProbeState) bool { _, ok := s.Widgets[name]; return ok })
	x, y := st.Widgets[name].Center()
	time.Sleep(time.Until(w.lastClick.Add(400 * time.Millisecond)))
	w.xdo("mousemove", "--window", strconv.FormatUint(st.Window, 10), strconv.Itoa(x), strconv.Itoa(y), "click", "3")
	w.lastClick = time.Now()
}

// fileMenu opens the File menu with the keyboard and chooses its item of that label.
func (w *e2eWindow) fileMenu(label string) {
	w.t.Helper()
	w.menu("File", label)
}

// menu opens the menu of that name with the keyboard (Alt, then Right to it) and chooses its
// item of that label.
func (w *e2eWindow) menu(name, label string) {
	w.t.Helper()
	right := slices.Index(w.last.MenuBar, name)
	down := slices.Index(w.last.Menu[name], label) + 1
	if right < 0 || down == 0 {
		w.t.Fatalf("no %s in the %s menu %v (menus %v)", label, name, w.last.Menu[name], w.last.MenuBar)
	}
	w.key("alt")
	w.waitFor("the menu bar", func(s app.ProbeState) bool { return strings.Contains(s.Focused, "menuBarItem") })
	for range right {
		w.key("Right")
	}
	for range down {
		w.key("Down")
	}
	w.key("Return")
}

// changedLines returns the lines of b that are not in a, and of a that are not in b.
func changedLines(a, b string) (gone, added []string) {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for _, l := range al {
		if !slices.Contains(bl, l) {
			gone = append(gone, l)
		}
	}
	for _, l := range bl {
		if !slices.Contains(al, l) {
			added = append(added, l)
		}
	}
	return gone, added
}

// waitFile waits until the file at path holds text, and returns its content.
func waitFile(t *testing.T, path, text string) string {
	t.Helper()
	var got []byte
	for deadline := time.Now().Add(e2eWait); time.Now().Before(deadline); time.Sleep(e2ePoll) {
		if got, _ = os.ReadFile(path); strings.Contains(string(got), text) {
			return string(got)
		}
	}
	t.Fatalf("%s never held %q; it holds:\n%s", path, text, got)
	return ""
}

// TestEndToEndKeepBibInSync keeps a collection's .bib in sync from the collection's context
// menu (a real right click, the Save dialog typed into), edits a field of one of its entries in
// the entry pane and sees the file change in that one line, then changes the file on disk as
// someone else would: the next edit does not overwrite it, File › Kept .bib Files… shows the
// conflict, and its Overwrite button writes the library's entries over it.
func TestEndToEndKeepBibInSync(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, col := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	paper := filepath.Join(dir, "paper")
	if err := os.Mkdir(paper, 0o755); err != nil {
		t.Fatal(err)
	}
	w := openWindow(t, dir, bin, lib.path, map[string]any{"export.folder": paper, "view.appearance": "light",
		"sidebar.folded": []string{"head:tags"}}) // the tags folded: the collection in view
	w.waitFor("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 })

	// The collection's menu, with the right button; its fifth item, with the keyboard.
	w.rightClick("side:" + col)
	w.waitFor("the collection's menu", func(s app.ProbeState) bool { return strings.Contains(s.Focused, "PopUpMenu") })
	w.key("Down", "Down", "Down", "Down", "Return")
	w.waitFor("the save dialog", func(s app.ProbeState) bool { return s.Dialog && s.Focused == "*widget.Entry" })
	w.key("ctrl+a")
	w.typeText("refs.bib")
	w.key("Return")
	refs := filepath.Join(paper, "refs.bib")
	w.steady("the settings", func(s app.ProbeState) bool {
		return s.Dialog && strings.Contains(s.DialogText, "Collection Reading group") && strings.Contains(s.DialogText, refs)
	})
	w.screenshot("keep-bib-in-sync.png")
	w.key("Return") // Keep in Sync
	text := waitFile(t, refs, "@")
	keys := func(text string) []string {
		var ks []string
		for _, e := range bib.ParseString(refs, text).Entries() {
			ks = append(ks, e.Key)
		}
		return ks
	}
	if got := keys(text); !slices.Equal(got, []string{"biondi2024stationary", "vinyals2015pointer"}) {
		t.Fatalf("refs.bib holds %v", got)
	}
	w.waitFor("the write said", func(s app.ProbeState) bool {
		return !s.Dialog && strings.HasPrefix(s.Status, "Wrote refs.bib (2 entries)")
	})

	// An edit in the entry pane: one line of the file changes.
	w.click("side:" + col)
	w.showsKeys("the collection's entries", col, "biondi2024stationary", "vinyals2015pointer")
	w.click("row:vinyals2015pointer")
	w.steady("the entry in the pane", func(s app.ProbeState) bool {
		_, ok := s.Widgets["field:pages"]
		return s.Settled && s.Entry == "vinyals2015pointer" && ok
	})
	w.click("field:pages")
	w.key("ctrl+a")
	w.typeText("2692--2701")
	w.key("Return")
	edited := time.Now()
	after := waitFile(t, refs, "2692--2701")
	t.Logf("refs.bib rewritten %v after Return", time.Since(edited).Round(10*time.Millisecond))
	if time.Since(edited) > 5*time.Second {
		t.Errorf("refs.bib was rewritten %v after the edit", time.Since(edited))
	}
	gone, added := changedLines(text, after)
	if len(gone) != 1 || len(added) != 1 || !strings.Contains(gone[0], "2692--2700") {
		t.Errorf("the edit changed the lines %q into %q", gone, added)
	}

	// Someone else changes the file; the next edit leaves it alone and says so.
	theirs := after + "\n@misc{theirs2024, title = {Added by Hand}}\n"
	if err := os.WriteFile(refs, []byte(theirs), 0o644); err != nil {
		t.Fatal(err)
	}
	w.key("ctrl+a")
	w.typeText("2692--2702")
	w.key("Return")
	lib.waitField(t, "vinyals2015pointer", "pages", "2692--2702")
	w.waitFor("the warning beside the status line", func(s app.ProbeState) bool {
		_, ok := s.Widgets["kept-warning"]
		return ok && s.KeptWarning == "refs.bib not written"
	})
	if got, _ := os.ReadFile(refs); string(got) != theirs {
		t.Fatalf("their change was written over:\n%s", got)
	}
	w.click("search") // the window has the keyboard, outside the fields
	w.fileMenu("Kept .bib Files…")
	st := w.steady("the conflict in Kept .bib Files", func(s app.ProbeState) bool {
		_, ok := s.Widgets["kept:1:overwrite"]
		return s.Dialog && ok && strings.Contains(s.DialogText, "Changed by someone else since: not overwritten.")
	})
	for _, b := range []string{"kept:1:diff", "kept:1:import", "kept:1:edit", "kept:1:remove", "kept:1:write"} {
		if _, ok := st.Widgets[b]; !ok {
			t.Errorf("no %s button", b)
		}
	}
	w.screenshot("kept-bib-files.png")
	w.click("kept:1:overwrite")
	w.waitFor("the question", func(s app.ProbeState) bool {
		_, listed := s.Widgets["kept:1:overwrite"]
		return s.Dialog && !listed
	})
	w.key("Return")
	final := waitFile(t, refs, "2692--2702")
	if strings.Contains(final, "theirs2024") {
		t.Errorf("Overwrite left their entry:\n%s", final)
	}
	if got := keys(final); !slices.Equal(got, []string{"biondi2024stationary", "vinyals2015pointer"}) {
		t.Errorf("refs.bib holds %v after Overwrite", got)
	}
	w.waitFor("the conflict resolved", func(s app.ProbeState) bool {
		_, warned := s.Widgets["kept-warning"]
		_, conflict := s.Widgets["kept:1:overwrite"]
		return s.Dialog && !warned && !conflict && strings.Contains(s.DialogText, "Written just now, 2 entries")
	})
}
