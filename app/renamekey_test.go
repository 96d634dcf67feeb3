package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// paperText is a paper that cites vinyals2015pointer twice, once among other keys, and names it
// in a comment, which a rename leaves alone.
const paperText = `\documentclass{article}
\begin{document}
Pointer networks \cite{vinyals2015pointer} point.
% vinyals2015pointer is the one to read first
Noise \citep[p.~2]{zhang2023noisy,vinyals2015pointer}.
\bibliography{refs}
\end{document}
`

// paperLibrary is the sample library knowing one paper, intro.tex, which cites
// vinyals2015pointer; it returns the paper's path.
func paperLibrary(t *testing.T) (*storage.Library, string) {
	t.Helper()
	lib := sampleLibrary(t)
	tex := filepath.Join(t.TempDir(), "intro.tex")
	if err := os.WriteFile(tex, []byte(paperText), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := lib.AddPaper(context.Background(), tex); err != nil {
		t.Fatal(err)
	}
	return lib, tex
}

// typeKey types a key into the Info tab's key field and hands it over, as Enter does.
func typeKey(u *UI, key string) {
	fyneDoAndWait(func() {
		u.detail.info.key.SetText(key)
		u.detail.info.key.handOver()
	})
}

// renameAsked waits for the rename dialog and returns its text.
func renameAsked(t *testing.T, u *UI) string {
	t.Helper()
	var text string
	eventually(t, "the rename dialog", func() bool {
		if !u.dialogOpen() || u.inDialog["button:"+renameEverywhere] == nil {
			return false
		}
		text = allText(u.win.Canvas().Overlays().Top())
		return true
	})
	return text
}

func fileText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// hasKey reports whether the library has an entry of exactly that key.
func hasKey(lib *storage.Library, key string) bool {
	e, err := lib.Entry(context.Background(), key)
	return err == nil && e.Key == key
}

// TestRenameKeyInThePapers renames a key cited by a paper the library knows: the dialog shows
// the change, and renaming everywhere changes the library and the .tex file in one change that
// Undo and Redo take back and make again, whole.
func TestRenameKeyInThePapers(t *testing.T) {
	lib, tex := paperLibrary(t)
	u := shownUI(t, lib)
	selectKey(t, u, "vinyals2015pointer")
	typeKey(u, "Vinyals2015")
	text := renameAsked(t, u)
	for _, want := range []string{
		"vinyals2015pointer is cited twice in 1 .tex file",
		tex + " (2 citations)",
		`-Pointer networks \cite{vinyals2015pointer} point.`,
		`+Pointer networks \cite{Vinyals2015} point.`,
		`+Noise \citep[p.~2]{zhang2023noisy,Vinyals2015}.`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the dialog does not say %q:\n%s", want, text)
		}
	}
	if hasKey(lib, "Vinyals2015") || fileText(t, tex) != paperText {
		t.Fatal("something changed before the question was answered")
	}
	tapInDialog(t, u, renameEverywhere)
	eventually(t, "the rename", func() bool { return u.settled() && !u.dialogOpen() && u.detail.entry.Key == "Vinyals2015" })
	renamed := strings.ReplaceAll(paperText, `{vinyals2015pointer}`, `{Vinyals2015}`)
	renamed = strings.ReplaceAll(renamed, `,vinyals2015pointer}`, `,Vinyals2015}`)
	if got := fileText(t, tex); got != renamed {
		t.Errorf("the .tex file after the rename:\n%s", got)
	}
	if !strings.Contains(fileText(t, tex), "% vinyals2015pointer is the one") {
		t.Error("the comment was renamed")
	}
	if !hasKey(lib, "Vinyals2015") || hasKey(lib, "vinyals2015pointer") {
		t.Error("the library's entry was not renamed")
	}

	fyneDoAndWait(u.onUndo)
	eventually(t, "the undo", func() bool { return u.settled() && u.detail.entry.Key == "vinyals2015pointer" })
	if got := fileText(t, tex); got != paperText {
		t.Errorf("the .tex file after Undo:\n%s", got)
	}
	if !hasKey(lib, "vinyals2015pointer") {
		t.Error("Undo did not give the entry its key back")
	}
	fyneDoAndWait(u.onRedo)
	eventually(t, "the redo", func() bool { return u.settled() && u.detail.entry.Key == "Vinyals2015" })
	if got := fileText(t, tex); got != renamed || !hasKey(lib, "Vinyals2015") {
		t.Errorf("after Redo the library has Vinyals2015: %v; the .tex file:\n%s", hasKey(lib, "Vinyals2015"), got)
	}

	// The paper edited since: Undo gives the library its key back, leaves the file as the user
	// made it, and says which file it left.
	edited := renamed + "% one more line\n"
	if err := os.WriteFile(tex, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	fyneDoAndWait(u.onUndo)
	eventually(t, "the undo in part", func() bool {
		return u.settled() && u.detail.entry.Key == "vinyals2015pointer" && u.dialogOpen()
	})
	var note string
	fyneDoAndWait(func() { note = allText(u.win.Canvas().Overlays().Top()) })
	if !strings.Contains(note, "The library has the key vinyals2015pointer again") || !strings.Contains(note, tex+" (changed since the rename)") {
		t.Errorf("the note says %q", note)
	}
	if got := fileText(t, tex); got != edited {
		t.Errorf("Undo wrote over the edited file:\n%s", got)
	}
	if !hasKey(lib, "vinyals2015pointer") {
		t.Error("Undo did not give the entry its key back")
	}
	// Redo renames in the library, and leaves the file Undo left.
	fyneDoAndWait(func() { u.dialogs.typedKey(escape) })
	fyneDoAndWait(u.onRedo)
	eventually(t, "the redo", func() bool { return u.settled() && u.detail.entry.Key == "Vinyals2015" })
	if got := fileText(t, tex); got != edited {
		t.Errorf("Redo changed the file Undo left:\n%s", got)
	}
}

// TestRenameKeyInTheLibraryOnly: the dialog's other answers. Library only renames the entry and
// leaves the paper; Cancel and Escape change nothing and put the key back in the field.
func TestRenameKeyInTheLibraryOnly(t *testing.T) {
	lib, tex := paperLibrary(t)
	u := shownUI(t, lib)
	selectKey(t, u, "vinyals2015pointer")

	typeKey(u, "Vinyals2015")
	renameAsked(t, u)
	tapInDialog(t, u, "Cancel")
	eventually(t, "the field put back", func() bool {
		return u.settled() && !u.dialogOpen() && u.detail.info.key.Text == "vinyals2015pointer"
	})
	typeKey(u, "Vinyals2015")
	renameAsked(t, u)
	fyneDoAndWait(func() { u.dialogs.typedKey(escape) })
	eventually(t, "the field put back", func() bool {
		return u.settled() && !u.dialogOpen() && u.detail.info.key.Text == "vinyals2015pointer"
	})
	if hasKey(lib, "Vinyals2015") || fileText(t, tex) != paperText {
		t.Fatal("Cancel changed something")
	}

	typeKey(u, "Vinyals2015")
	renameAsked(t, u)
	tapInDialog(t, u, renameLibraryOnly)
	eventually(t, "the rename", func() bool { return u.settled() && u.detail.entry.Key == "Vinyals2015" })
	if fileText(t, tex) != paperText {
		t.Error("Library Only changed the .tex file")
	}
	fyneDoAndWait(u.onUndo)
	eventually(t, "the undo", func() bool { return u.settled() && u.detail.entry.Key == "vinyals2015pointer" })
}

// TestRenameKeyNoPaperCitesIt: a key no paper cites is renamed as before, without a question;
// a key another entry has is refused, saying which entry has it.
func TestRenameKeyNoPaperCitesIt(t *testing.T) {
	lib, tex := paperLibrary(t)
	u := shownUI(t, lib)
	selectKey(t, u, "garrido2023selfsupervised")
	typeKey(u, "Garrido2023")
	eventually(t, "the rename", func() bool { return u.settled() && u.detail.entry.Key == "Garrido2023" })
	if u.dialogOpen() {
		t.Error("a dialog for a key no paper cites")
	}
	if fileText(t, tex) != paperText {
		t.Error("the .tex file changed")
	}

	typeKey(u, "ZHANG2023noisy")
	want := `the key "ZHANG2023noisy" is taken by the entry "zhang2023noisy"`
	eventually(t, "the refusal", func() bool {
		return u.settled() && u.detail.info.problem.Visible() && u.detail.info.key.Text == "Garrido2023"
	})
	var problem, status, shown string
	fyneDoAndWait(func() {
		problem, status = u.detail.info.problem.Text, u.status.Text
		if u.dialogOpen() {
			shown = allText(u.win.Canvas().Overlays().Top())
		}
	})
	if problem != want || status != want {
		t.Errorf("the refusal says %q below the fields and %q in the status line; want %q", problem, status, want)
	}
	if !strings.Contains(shown, "Change key failed: "+want) {
		t.Errorf("the error dialog says %q", shown)
	}
	if !hasKey(lib, "Garrido2023") {
		t.Error("the refused rename changed the entry")
	}
}

// TestRenameKeyFromTheBibTeXTab: a key changed in the BibTeX tab asks too.
func TestRenameKeyFromTheBibTeXTab(t *testing.T) {
	lib, tex := paperLibrary(t)
	u := shownUI(t, lib)
	selectKey(t, u, "vinyals2015pointer")
	fyneDoAndWait(func() {
		src := u.detail.source.text.Text
		u.detail.source.text.SetText(strings.Replace(src, "{vinyals2015pointer,", "{Vinyals2015,", 1))
		u.detail.source.onSave()
	})
	renameAsked(t, u)
	tapInDialog(t, u, renameEverywhere)
	eventually(t, "the rename", func() bool { return u.settled() && u.detail.entry.Key == "Vinyals2015" })
	if !strings.Contains(fileText(t, tex), `\cite{Vinyals2015}`) || !hasKey(lib, "Vinyals2015") {
		t.Errorf("after the BibTeX tab's rename the library has Vinyals2015: %v; the .tex file:\n%s", hasKey(lib, "Vinyals2015"), fileText(t, tex))
	}
}

// TestRenameKeyFileChangedBeforeTheAnswer: a paper edited while the dialog is up is not written
// over: the rename fails whole, saying so.
func TestRenameKeyFileChangedBeforeTheAnswer(t *testing.T) {
	lib, tex := paperLibrary(t)
	u := shownUI(t, lib)
	selectKey(t, u, "vinyals2015pointer")
	typeKey(u, "Vinyals2015")
	renameAsked(t, u)
	edited := paperText + "% typed meanwhile\n"
	if err := os.WriteFile(tex, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	tapInDialog(t, u, renameEverywhere)
	var shown string
	eventually(t, "the failure", func() bool {
		if !u.settled() || !u.dialogOpen() {
			return false
		}
		shown = allText(u.win.Canvas().Overlays().Top())
		return strings.Contains(shown, "Change key failed: ")
	})
	if !strings.Contains(shown, storage.ErrFileChanged.Error()) || !strings.Contains(shown, "nothing was changed") {
		t.Errorf("the error says %q", shown)
	}
	if fileText(t, tex) != edited || hasKey(lib, "Vinyals2015") {
		t.Error("the failed rename changed something")
	}
	eventually(t, "the library's key shown", func() bool {
		return u.settled() && u.detail.entry.Key == "vinyals2015pointer" && u.detail.info.key.Text == "vinyals2015pointer"
	})
}

// TestKeyRenameChangeRestoresWhatItCan: Undo restores the files it can, file by file, and the
// library's key whatever the files.
func TestKeyRenameChangeRestoresWhatItCan(t *testing.T) {
	lib := sampleLibrary(t)
	ctx := context.Background()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.tex"), filepath.Join(dir, "b.tex")
	for _, p := range []string{a, b} {
		if err := os.WriteFile(p, []byte(`\cite{zhang2023noisy}`+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plan, err := lib.PlanKeyRename(ctx, "zhang2023noisy", "zhang23", []string{dir})
	if err != nil || len(plan.Edits) != 2 {
		t.Fatalf("plan: %v, %+v", err, plan)
	}
	r := &keyRenameChange{lib: lib, before: plan.Entry, after: plan.Renamed, todo: plan.Edits}
	if err := r.do(ctx); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte(`\cite{zhang23} and more`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.undo(ctx); err != nil {
		t.Fatal(err)
	}
	if got := fileText(t, a); got != `\cite{zhang2023noisy}`+"\n" {
		t.Errorf("a.tex after Undo: %q", got)
	}
	if got := fileText(t, b); got != `\cite{zhang23} and more`+"\n" {
		t.Errorf("b.tex after Undo: %q", got)
	}
	if note := r.note(); !strings.Contains(note, b+" (changed since the rename)") || strings.Contains(note, a) {
		t.Errorf("the note: %q", note)
	}
	if !hasKey(lib, "zhang2023noisy") {
		t.Error("Undo did not give the entry its key back")
	}
	// Redo renames a.tex again, and leaves b.tex.
	if err := r.do(ctx); err != nil {
		t.Fatal(err)
	}
	if got := fileText(t, a); got != `\cite{zhang23}`+"\n" || !hasKey(lib, "zhang23") {
		t.Errorf("a.tex after Redo: %q", got)
	}
	// A library that refuses the rename leaves the files as they were.
	r2 := &keyRenameChange{lib: refusing{}, before: plan.Entry, after: plan.Renamed, todo: []storage.FileEdit{{Path: a, Old: []byte(`\cite{zhang23}` + "\n"), New: []byte("x\n")}}}
	if err := r2.do(ctx); err == nil {
		t.Error("a refused rename worked")
	}
	if got := fileText(t, a); got != `\cite{zhang23}`+"\n" {
		t.Errorf("a.tex after a refused rename: %q", got)
	}
}

type refusing struct{ *storage.Library }

func (refusing) UpdateEntry(context.Context, string, *bib.Entry) error {
	return errors.New("refused")
}

// escape is the Escape key, for the dialogs.
var escape = &fyne.KeyEvent{Name: fyne.KeyEscape}

// TestRenameKeyNotesThePapersBib: the rename dialog says that the paper's own .bib file still
// defines the old key, and a new key that file defines is refused.
func TestRenameKeyNotesThePapersBib(t *testing.T) {
	lib, tex := paperLibrary(t)
	refs := filepath.Join(filepath.Dir(tex), "refs.bib")
	if err := os.WriteFile(refs, []byte("@misc{own2020, title = {O}}\n@misc{vinyals2015pointer, title = {P}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	u := shownUI(t, lib)
	selectKey(t, u, "vinyals2015pointer")
	typeKey(u, "Vinyals2015")
	text := renameAsked(t, u)
	if want := "Note: " + refs + `:2 still defines "vinyals2015pointer"`; !strings.Contains(text, want) {
		t.Errorf("the dialog does not say %q:\n%s", want, text)
	}
	tapInDialog(t, u, "Cancel")
	eventually(t, "the cancel", func() bool { return u.settled() && !u.dialogOpen() })

	typeKey(u, "own2020")
	eventually(t, "the refusal", func() bool { return u.settled() && u.detail.info.problem.Visible() })
	var problem string
	fyneDoAndWait(func() { problem = u.detail.info.problem.Text })
	if want := refs + `:1: "own2020" is defined in the .bib file of the paper`; !strings.Contains(problem, want) || !hasKey(lib, "vinyals2015pointer") {
		t.Errorf("the refusal says %q; want %q", problem, want)
	}
}
