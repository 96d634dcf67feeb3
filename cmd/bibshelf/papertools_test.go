package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// needTeX skips the test when pdflatex, bibtex, biber or the LaTeX packages the test papers use
// are missing (./dev deps --test installs them), or fails it when CI is set.
func needTeX(t *testing.T) {
	t.Helper()
	missing := ""
	for _, p := range []string{"pdflatex", "bibtex", "biber", "kpsewhich"} {
		if _, err := exec.LookPath(p); err != nil {
			missing = p
			break
		}
	}
	if missing == "" {
		for _, sty := range []string{"natbib.sty", "biblatex.sty"} {
			if out, err := exec.Command("kpsewhich", sty).Output(); err != nil || len(out) == 0 {
				missing = sty
				break
			}
		}
	}
	if missing == "" {
		return
	}
	msg := missing + " is not installed: run ./dev deps --test"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// tool runs a TeX program in dir and returns its output; it fails the test when it fails.
func tool(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	// bibtex exits 1 after warnings, 2 after errors.
	if ee, ok := err.(*exec.ExitError); err != nil && !(ok && name == "bibtex" && ee.ExitCode() == 1) {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// build compiles a paper with pdflatex and bibtex or biber, and returns the bibliography
// program's output and the .bbl it wrote.
func build(t *testing.T, dir, backend string) (string, string) {
	t.Helper()
	tool(t, dir, "pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex")
	out := tool(t, dir, backend, "paper")
	bbl, err := os.ReadFile(filepath.Join(dir, "paper.bbl"))
	if err != nil {
		t.Fatal(err)
	}
	return out, string(bbl)
}

// checkJSON runs check --json on a paper and returns its report.
func checkJSON(t *testing.T, args ...string) checkReport {
	t.Helper()
	_, out, errOut := bibshelf(t, "", append([]string{"check", "--json"}, args...)...)
	var rep checkReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("check --json %v: %v\n%s%s", args, err, out, errOut)
	}
	return rep
}

// undefined returns the keys a report says BibTeX or biber will not find.
func undefined(rep checkReport) []string {
	var keys []string
	for _, p := range rep.Problems {
		if p.Severity == "error" && (p.Kind == "undefined" || p.Kind == "case") && !slices.Contains(keys, p.Key) {
			keys = append(keys, p.Key)
		}
	}
	slices.Sort(keys)
	return keys
}

// warned returns the keys of the matches of re (its first group) in a tool's output.
func warned(re, out string) []string {
	var keys []string
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(out, -1) {
		keys = append(keys, m[1])
	}
	slices.Sort(keys)
	return keys
}

// TestPaperWithRealTools compiles the test papers with pdflatex and bibtex (natbib) and with
// pdflatex and biber (biblatex): check on their .aux, .bcf and .tex finds the undefined keys
// the tools warn about; with the papers' .bib kept in sync with the library (autoexport), a key
// renamed in the library and the .tex files gives the same bibliography but for the key.
func TestPaperWithRealTools(t *testing.T) {
	needTeX(t)
	dir := copyDir(t, "testdata/paper")
	natbib, biblatex := filepath.Join(dir, "natbib"), filepath.Join(dir, "biblatex")

	bibtexOut, bibtexBBL := build(t, natbib, "bibtex")
	wantBibtex := warned(`I didn't find a database entry for "([^"]+)"`, bibtexOut)
	if len(wantBibtex) == 0 {
		t.Fatalf("bibtex warned of no undefined key:\n%s", bibtexOut)
	}
	for _, paper := range []string{"paper.aux", "paper.tex"} {
		rep := checkJSON(t, "--no-library", filepath.Join(natbib, paper))
		if got := undefined(rep); !slices.Equal(got, wantBibtex) {
			t.Errorf("check %s: undefined %q; bibtex warned of %q", paper, got, wantBibtex)
		}
		// bibtex's "empty booktitle in dijkstra68" is check's missing field.
		for _, key := range warned(`Warning--empty \w+ in (\S+)`, bibtexOut) {
			if !slices.ContainsFunc(rep.Problems, func(p checkProblem) bool { return p.Kind == "missing-fields" && p.Key == key }) {
				t.Errorf("check %s: bibtex says %s lacks a field, check does not", paper, key)
			}
		}
	}

	biberOut, biberBBL := build(t, biblatex, "biber")
	wantBiber := warned(`I didn't find a database entry for '([^']+)'`, biberOut)
	if len(wantBiber) == 0 {
		t.Fatalf("biber warned of no undefined key:\n%s", biberOut)
	}
	for _, paper := range []string{"paper.bcf", "paper.aux", "paper.tex"} {
		if got := undefined(checkJSON(t, "--no-library", filepath.Join(biblatex, paper))); !slices.Equal(got, wantBiber) {
			t.Errorf("check %s: undefined %q; biber warned of %q", paper, got, wantBiber)
		}
	}

	// The library holds the papers' .bib; a key renamed there and in the .tex files.
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	refs := filepath.Join(dir, "refs.bib")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, refs); st != 0 {
		t.Fatal(errOut)
	}
	bibshelf(t, "", "check", "--library", lib, natbib)
	// The papers' .bib is kept in sync with the library: written over once, the file being
	// the user's own until then, and from then on by every change.
	if st, _, errOut := bibshelf(t, "", "autoexport", "add", "--library", lib, refs); st != 1 || !strings.Contains(errOut, "was not written by Bibshelf") {
		t.Fatalf("autoexport add over the user's file: status %d, %s", st, errOut)
	}
	if st, _, errOut := bibshelf(t, "", "autoexport", "run", "--library", lib, "--overwrite", "1"); st != 0 {
		t.Fatalf("autoexport run --overwrite: %s", errOut)
	}
	for _, b := range []struct{ dir, backend, before string }{{natbib, "bibtex", bibtexBBL}, {biblatex, "biber", biberBBL}} {
		if _, again := build(t, b.dir, b.backend); again != b.before {
			t.Errorf("%s: the bibliography from the kept .bib:\n%s\nwant\n%s", b.backend, again, b.before)
		}
	}
	if st, _, errOut := bibshelf(t, "", "rename-key", "--library", lib, "--in", biblatex, "dijkstra68", "dijkstra1968"); st != 0 {
		t.Fatalf("rename-key: %s", errOut)
	}
	for _, b := range []struct{ dir, backend, before string }{{natbib, "bibtex", bibtexBBL}, {biblatex, "biber", biberBBL}} {
		_, after := build(t, b.dir, b.backend)
		if want := strings.ReplaceAll(b.before, "dijkstra68", "dijkstra1968"); after != want || after == b.before {
			t.Errorf("%s: the bibliography after the rename:\n%s\nwant\n%s", b.backend, after, want)
		}
	}
}
