package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndRenameKeyEverywhere renames, in the real window, the key of an entry that a paper
// the library knows cites: a click selects the entry, a click and typing change its key, Enter
// commits it; the dialog shows the change to the .tex file, and Enter again (its highlighted
// button) renames in the library and the file. Ctrl+Z in the list puts both back.
func TestEndToEndRenameKeyEverywhere(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	paper := `\documentclass{article}
\begin{document}
Pointer networks \cite{vinyals2015pointer} point.
% vinyals2015pointer is the one to read first
Noise \citep[p.~2]{zhang2023noisy,vinyals2015pointer}.
\bibliography{refs}
\end{document}
`
	tex := filepath.Join(dir, "thesis", "intro.tex")
	if err := os.MkdirAll(filepath.Dir(tex), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tex, []byte(paper), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := lib.lib.AddPaper(context.Background(), tex); err != nil {
		t.Fatal(err)
	}
	w := openWindow(t, dir, bin, lib.path, nil)
	w.waitFor("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 57 && s.Window != 0 })

	w.click("search")
	w.typeText("pointer networks")
	w.waitFor("the entry listed", func(s app.ProbeState) bool {
		return s.Settled && s.Query == "pointer networks" && s.Cells["vinyals2015pointer"] != nil
	})
	w.click("row:vinyals2015pointer")
	w.waitFor("the entry in the pane", func(s app.ProbeState) bool {
		_, ok := s.Widgets["key"]
		return s.Settled && s.Entry == "vinyals2015pointer" && ok
	})
	w.click("key")
	w.waitFor("the key field focused", func(s app.ProbeState) bool { return s.Focused == "key" })
	w.key("ctrl+a")
	w.typeText("Vinyals2015")
	w.key("Return")
	st := w.steady("the rename dialog", func(s app.ProbeState) bool {
		_, ok := s.Widgets["button:Rename in Library and .tex Files"]
		return s.Dialog && ok
	})
	if want := "vinyals2015pointer is cited twice in 1 .tex file of the papers the library knows"; !strings.Contains(st.DialogText, want) {
		t.Errorf("the dialog says %q, want %q", st.DialogText, want)
	}
	if _, ok := st.Widgets["diff"]; !ok {
		t.Error("the dialog shows no diff")
	}
	w.screenshot("rename-key-everywhere.png")
	if got := readFile(t, tex); got != paper {
		t.Fatalf("the .tex file changed before the answer:\n%s", got)
	}
	// Enter is the highlighted button's, Rename in Library and .tex Files: the key field behind
	// the dialog no longer has the keyboard.
	w.waitFor("nothing focused behind the dialog", func(s app.ProbeState) bool { return s.Focused == "" })
	w.key("Return")
	w.waitFor("the entry renamed", func(s app.ProbeState) bool { return s.Settled && !s.Dialog && s.Entry == "Vinyals2015" })
	renamed := strings.NewReplacer(`{vinyals2015pointer}`, `{Vinyals2015}`, `,vinyals2015pointer}`, `,Vinyals2015}`).Replace(paper)
	if got := readFile(t, tex); got != renamed {
		t.Errorf("the .tex file after the rename:\n%s", got)
	}
	if e := lib.entry(t, "Vinyals2015"); e.Key != "Vinyals2015" || e.Get("title") != "Pointer Networks" {
		t.Errorf("the library has %s with the title %q", e.Key, e.Get("title"))
	}

	// Ctrl+Z with the focus in the list: the library's key and the .tex file are back.
	w.click("row:Vinyals2015")
	w.waitFor("the focus in the list", func(s app.ProbeState) bool { return s.Settled && s.Focused == "list" })
	w.key("ctrl+z")
	w.waitFor("the rename undone", func(s app.ProbeState) bool { return s.Settled && s.Entry == "vinyals2015pointer" })
	if got := readFile(t, tex); got != paper {
		t.Errorf("the .tex file after Undo:\n%s", got)
	}
	if e := lib.entry(t, "vinyals2015pointer"); e.Key != "vinyals2015pointer" {
		t.Errorf("after Undo the library has the key %s", e.Key)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
