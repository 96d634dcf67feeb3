package storage

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestKeyRename(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, "@article{knuth84,\n  author = {Donald Knuth},\n  Title  = {Literate Programming},\n}\n@misc{Other, title = {O}}\n")
	paperDir, extra := t.TempDir(), t.TempDir()
	main := filepath.Join(paperDir, "main.tex")
	files := map[string]string{
		main:                                  "\\documentclass{article}\n\\input{intro}\n\\cite{knuth84,other} % \\cite{knuth84}\n",
		filepath.Join(paperDir, "intro.tex"):  "See \\citet[p.~3]{knuth84a, knuth84}.\n",
		filepath.Join(extra, "sub", "x.tex"):  "\\verb|\\cite{knuth84}| \\parencite{knuth84}\n",
		filepath.Join(extra, ".git", "y.tex"): "\\cite{knuth84}\n",
		filepath.Join(extra, "none.tex"):      "knuth84\n",
	}
	for path, text := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.AddPaper(ctx, main); err != nil {
		t.Fatal(err)
	}
	if _, err := l.PlanKeyRename(ctx, "knuth84", "OTHER", nil); !errors.Is(err, fs.ErrExist) {
		t.Errorf("a taken key: %v", err)
	}
	if _, err := l.PlanKeyRename(ctx, "knuth84", "a b", nil); err == nil {
		t.Error("a key with a space was taken")
	}
	if _, err := l.PlanKeyRename(ctx, "nowhere", "x", nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("a key the library lacks: %v", err)
	}
	plan, err := l.PlanKeyRename(ctx, "knuth84", "knuth1984", []string{extra})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Edits) != 3 || plan.Renamed.Key != "knuth1984" || !strings.Contains(plan.Renamed.Source, "  Title  = {Literate Programming},") {
		t.Fatalf("plan: %d edits, entry %+v", len(plan.Edits), plan.Renamed)
	}
	want := "--- " + main + "\n+++ " + main + "\n@@ -1,3 +1,3 @@\n \\documentclass{article}\n \\input{intro}\n-\\cite{knuth84,other} % \\cite{knuth84}\n+\\cite{knuth1984,other} % \\cite{knuth84}\n"
	if plan.Edits[0].Path != main || plan.Edits[0].Diff != want {
		t.Errorf("diff of %s:\n%s\nwant\n%s", plan.Edits[0].Path, plan.Edits[0].Diff, want)
	}
	if err := l.RenameKey(ctx, plan); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(extra, "sub", "x.tex"))
	if string(got) != "\\verb|\\cite{knuth84}| \\parencite{knuth1984}\n" {
		t.Errorf("x.tex: %q", got)
	}
	if _, err := l.Entry(ctx, "knuth84"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the old key is still there: %v", err)
	}
	if e, err := l.Entry(ctx, "knuth1984"); err != nil || !strings.HasPrefix(e.Source, "@article{knuth1984,\n  author") {
		t.Errorf("renamed entry: %+v, %v", e, err)
	}
	// Undo: the files back as they were.
	var undo []FileEdit
	for _, e := range plan.Edits {
		undo = append(undo, e.Reverse())
	}
	if err := ApplyFileEdits(ctx, undo); err != nil {
		t.Fatal(err)
	}
	for path, text := range files {
		if got, _ := os.ReadFile(path); string(got) != text {
			t.Errorf("after undo %s: %q", path, got)
		}
	}
	// A file changed since the plan is refused, and nothing is written.
	if err := os.WriteFile(main, []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = ApplyFileEdits(ctx, plan.Edits)
	if !errors.Is(err, ErrFileChanged) {
		t.Errorf("a changed file: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(paperDir, "intro.tex")); string(got) != files[filepath.Join(paperDir, "intro.tex")] {
		t.Errorf("written after the refusal: %q", got)
	}
}

// TestKeyRenamePapersKeys: a new key a paper cites already, or that a paper's own .bib file
// defines, is refused (two works would share it), naming the file; a paper's .bib file that
// defines the old key and that no export target keeps is named in the plan's notes, a kept one
// is not.
func TestKeyRenamePapersKeys(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, "@article{smith2021, title = {Library's}}\n@misc{jones, title = {J}}\n")
	dir := t.TempDir()
	write := func(name, text string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	main := write("main.tex", "\\documentclass{article}\n\\cite{smith2021}\n\\cite{Smith21}\n\\bibliography{refs,kept}\n")
	write("refs.bib", "@misc{smith21, title = {The paper's own}}\n\n@misc{smith2021, title = {Library's}}\n")
	kept := write("kept.bib", "@misc{smith2021, title = {Library's}}\n")
	if _, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: kept}); err != nil {
		t.Fatal(err)
	}
	if err := l.AddPaper(ctx, main); err != nil {
		t.Fatal(err)
	}
	// A key the paper cites and its .bib defines is another work's.
	_, err := l.PlanKeyRename(ctx, "smith2021", "smith21", nil)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), `"smith21" is defined in the .bib file of the paper`) {
		t.Errorf("a key the paper cites and defines: %v", err)
	}
	// A key the paper cites that nothing defines is why one renames: said, not refused.
	write("main.tex", "\\documentclass{article}\n\\cite{smith2021}\n\\cite{Cited22}\n\\bibliography{refs,kept}\n")
	plan, err := l.PlanKeyRename(ctx, "smith2021", "cited22", nil)
	if err != nil || !slices.ContainsFunc(plan.Notes, func(n string) bool {
		return strings.Contains(n, main+`:3:7: the paper `+main+` cites "Cited22" already`)
	}) {
		t.Errorf("a key the paper cites, defined nowhere: %v, notes %q", err, planNotes(plan))
	}
	write("main.tex", "\\documentclass{article}\n\\cite{smith2021}\n\\bibliography{refs,kept}\n")
	_, err = l.PlanKeyRename(ctx, "smith2021", "SMITH21", nil)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), filepath.Join(dir, "refs.bib")+`:1: "smith21" is defined in the .bib file of the paper`) {
		t.Errorf("a key the paper's .bib defines: %v", err)
	}
	// The entry itself in another case is no other work.
	plan, err = l.PlanKeyRename(ctx, "smith2021", "Smith2021", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "refs.bib") + `:3 still defines "smith2021": rename it there too, or the citations renamed to "Smith2021" are undefined`}
	if strings.Join(plan.Notes, "\n") != strings.Join(want, "\n") || len(plan.Edits) != 1 {
		t.Errorf("notes %q, %d edits; want %q and one", plan.Notes, len(plan.Edits), want)
	}
	if plan, err = l.PlanKeyRename(ctx, "jones", "jones2", nil); err != nil {
		t.Fatal(err)
	} else if len(plan.Notes) != 0 {
		t.Errorf("a key no paper has: notes %q", plan.Notes)
	}
}

// planNotes returns a plan's notes, none for no plan.
func planNotes(p *KeyRename) []string {
	if p == nil {
		return nil
	}
	return p.Notes
}
