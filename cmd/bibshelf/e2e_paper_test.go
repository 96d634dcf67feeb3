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

// TestEndToEndPaper opens a LaTeX paper through File › Open Paper… (its file chosen in Fyne's
// file dialog with the keyboard, and Open clicked), clicks it in the sidebar with the real
// pointer and sees the entries it cites and its undefined key; clicks Import and finds the
// entry only its .bib file had (with its crossref parent) in the library; edits the .tex file
// on disk and sees the list follow within seconds; and exports what it cites through the
// paper's context menu, opened with a real right click.
func TestEndToEndPaper(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	draft := filepath.Join(dir, "draft")
	if err := os.MkdirAll(draft, 0o755); err != nil {
		t.Fatal(err)
	}
	tex := filepath.Join(draft, "main.tex")
	src := `\documentclass{article}
\begin{document}
Relative representations \cite{moschella2023relative} and OBoW \citep{gidaris2021obow}.
% \cite{commented}
Our earlier work \cite{ours2024} and a typo \cite{nowhere2020}.
\bibliographystyle{plain}
\bibliography{refs}
\end{document}
`
	refs := `@string{neurips = "Advances in Neural Information Processing Systems"}
@inproceedings{ours2024, author = {Doe, Jane}, title = {Our Earlier Work}, crossref = {proc2024}, year = 2024}
@proceedings{proc2024, title = neurips, booktitle = neurips, year = 2024}
@article{other, author = {Roe, R.}, title = {Not Cited}, journal = {J}, year = 2020}
`
	if err := os.WriteFile(tex, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(draft, "refs.bib"), []byte(refs), 0o644); err != nil {
		t.Fatal(err)
	}
	// The Open dialog starts in the paper's folder; the tags are folded, so that the Papers
	// section is in view.
	w := openWindow(t, dir, bin, lib.path, map[string]any{"paper.folder": draft, "sidebar.folded": []string{"head:tags"}})
	st := w.waitFor("the library", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 && s.Rows == 57 })

	// File › Open Paper…, through the keyboard.
	down := slices.Index(st.Menu["File"], "Open Paper…") + 1
	if down == 0 {
		t.Fatalf("no Open Paper… in the File menu %v", st.Menu["File"])
	}
	w.click("search")
	w.key("alt")
	w.waitFor("the File menu", func(s app.ProbeState) bool { return strings.Contains(s.Focused, "menuBarItem") })
	for range down {
		w.key("Down")
	}
	w.key("Return")
	w.waitFor("the Open dialog", func(s app.ProbeState) bool { _, ok := s.Widgets["button:Open"]; return s.Dialog && ok })
	// Tab to the dialog's files, then Right from (Parent) to main.tex, the one file it lists
	// (refs.bib is not a paper), and Space chooses it.
	for i := 0; w.state().Focused != "*widget.GridWrap"; i++ {
		if i == 10 {
			t.Fatalf("Tab never reached the dialog's files; the focus is on %s", w.last.Focused)
		}
		w.key("Tab")
		time.Sleep(50 * time.Millisecond)
	}
	w.key("Right", "space")
	w.screenshot("paper-open-dialog.png")
	w.click("button:Open")
	id := "paper:" + tex
	w.waitFor("the paper opened and selected", func(s app.ProbeState) bool {
		return !s.Dialog && s.Settled && s.Sidebar == id
	})

	// Library, then the paper, clicked.
	w.click("side:library")
	w.waitFor("the library", func(s app.ProbeState) bool {
		return s.Settled && s.Sidebar == "library" && s.Rows == 57 && s.Paper == ""
	})
	w.click("side:" + id)
	w.showsKeys("the entries the paper cites", id, "moschella2023relative", "gidaris2021obow")
	st = w.steady("its undefined key and the one only its .bib has", func(s app.ProbeState) bool {
		_, ok := s.Widgets["paper-import"]
		return ok && strings.Contains(s.Paper, `main.tex:5: "nowhere2020" is undefined`) &&
			strings.Contains(s.Paper, `main.tex:5: "ours2024" is in the paper's .bib files but not in the library`)
	})
	if !strings.HasPrefix(st.Paper, "main.tex cites 4 keys: 2 in the library, 1 only in its .bib files, 1 undefined") {
		t.Errorf("the paper's bar says %q", st.Paper)
	}
	w.screenshot("paper-missing-keys.png")

	// Import brings in ours2024 and its parent, not the entry the paper does not cite.
	w.click("paper-import")
	w.waitFor("the import's report", func(s app.ProbeState) bool {
		return s.Dialog && strings.Contains(s.DialogText, "Imported 2 entries")
	})
	w.key("Escape")
	w.waitFor("the report closed, the entry listed", func(s app.ProbeState) bool {
		_, ok := s.Widgets["paper-import"]
		return !s.Dialog && s.Settled && s.Rows == 3 && s.Cells["ours2024"] != nil && !ok
	})
	if e := lib.entry(t, "ours2024"); e.Get("crossref") != "proc2024" {
		t.Errorf("ours2024 came in as %+v", e)
	}
	if e := lib.entry(t, "proc2024"); e.Get("title") != "Advances in Neural Information Processing Systems" {
		t.Errorf("proc2024 came in with the title %q", e.Get("title"))
	}
	if e, err := lib.lib.Entry(t.Context(), "other"); err == nil {
		t.Errorf("the entry the paper does not cite came in too: %+v", e)
	}

	// The paper cites one more entry: the list follows the file on disk.
	edited := strings.Replace(src, "Our earlier work", `Noisy labels \cite{zhang2023noisy}. Our earlier work`, 1)
	if err := os.WriteFile(tex, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	written := time.Now()
	w.showsKeys("the list after the edit", id, "moschella2023relative", "gidaris2021obow", "ours2024", "zhang2023noisy")
	if took := time.Since(written); took > 5*time.Second {
		t.Errorf("the list followed the edit after %v", took)
	}

	// A right click on the paper: its menu, Export Only What This Paper Cites…, the save dialog
	// (in the paper's folder), a name, Enter.
	st = w.waitFor("the paper's row", func(s app.ProbeState) bool { _, ok := s.Widgets["side:"+id]; return ok })
	x, y := st.Widgets["side:"+id].Center()
	time.Sleep(400 * time.Millisecond)
	w.xdo("mousemove", "--window", strconv.FormatUint(st.Window, 10), strconv.Itoa(x), strconv.Itoa(y), "click", "3")
	w.waitFor("the paper's menu", func(s app.ProbeState) bool { return s.Focused == "*widget.PopUpMenu" })
	w.screenshot("paper-menu.png")
	w.key("Down", "Down", "Return") // Show Missing Keys, Export Only What This Paper Cites…
	w.waitFor("the save dialog", func(s app.ProbeState) bool { return s.Dialog && s.Focused == "*widget.Entry" })
	w.key("ctrl+a")
	w.typeText("cited.bib")
	w.key("Return")
	out := filepath.Join(draft, "cited.bib")
	w.waitFor("the export", func(s app.ProbeState) bool {
		return !s.Dialog && s.Status == "Exported 5 entries to "+out
	})
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	f := bib.Parse(out, data)
	var keys []string
	for _, e := range f.Entries() {
		keys = append(keys, e.Key)
	}
	slices.Sort(keys)
	if want := []string{"gidaris2021obow", "moschella2023relative", "ours2024", "proc2024", "zhang2023noisy"}; !slices.Equal(keys, want) {
		t.Errorf("exported %v, want %v", keys, want)
	}
	if len(f.Errors()) > 0 || !strings.Contains(string(data), `@string{neurips = "Advances in Neural Information Processing Systems"}`) {
		t.Errorf("the export lacks the @string its parent needs (%v):\n%s", f.Errors(), data)
	}
}
