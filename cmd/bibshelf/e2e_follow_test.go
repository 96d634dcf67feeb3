package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndFollowsOtherPrograms: with the window open, `bibshelf import` on the command line
// adds an entry, and another program changes the title of the entry the pane shows while a
// field of it is being typed in: the window shows both without a click, and the field keeps
// what was typed, which Enter then stores beside the other program's title.
func TestEndToEndFollowsOtherPrograms(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, nil)
	all := w.steady("the library", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 && s.Rows > 0 }).Rows

	more := filepath.Join(dir, "more.bib")
	if err := os.WriteFile(more, []byte("@article{okoro2021,\n  author = {Okoro, Ada},\n  title = {Followed from the Command Line},\n"+
		"  journal = {Journal of Reproducible Writing},\n  year = 2021,\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "import", "--library", lib.path, more).CombinedOutput(); err != nil {
		t.Fatalf("bibshelf import: %v\n%s", err, out)
	}
	w.waitFor("the imported entry in the list", func(s app.ProbeState) bool { return s.Settled && s.Rows == all+1 })

	w.click("search")
	w.typeText("pointer")
	w.waitFor("the entry listed", func(s app.ProbeState) bool { return s.Settled && s.Cells["vinyals2015pointer"] != nil })
	w.click("row:vinyals2015pointer")
	w.steady("the entry in the pane", func(s app.ProbeState) bool {
		_, ok := s.Widgets["field:pages"]
		return s.Settled && s.Entry == "vinyals2015pointer" && ok
	})
	w.click("field:pages")
	w.key("ctrl+a")
	w.typeText("1--9")
	w.waitFor("the typing in the field", func(s app.ProbeState) bool { return s.Fields["pages"] == "1--9" })

	e := lib.entry(t, "vinyals2015pointer")
	e.Set("title", "Pointer Networks, Changed Elsewhere")
	if err := lib.lib.UpdateEntry(context.Background(), "vinyals2015pointer", e); err != nil {
		t.Fatal(err)
	}
	w.waitFor("the other program's title in the pane, the typing kept", func(s app.ProbeState) bool {
		return s.Settled && s.Fields["title"] == "Pointer Networks, Changed Elsewhere" && s.Fields["pages"] == "1--9" &&
			s.Focused == "field:pages"
	})
	w.screenshot("follows-other-programs.png")
	w.key("Return")
	lib.waitField(t, "vinyals2015pointer", "pages", "1--9")
	if got := lib.entry(t, "vinyals2015pointer").Get("title"); got != "Pointer Networks, Changed Elsewhere" {
		t.Errorf("the title after the field was stored: %q", got)
	}
}
