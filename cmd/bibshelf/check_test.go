package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/storage"
	"github.com/google/go-cmp/cmp"
)

// copyDir copies a testdata folder into a new temporary folder and returns the copy's path.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestCheckPaper(t *testing.T) {
	dir := copyDir(t, "testdata/paper")
	t.Chdir(dir)
	st, out, errOut := bibshelf(t, "", "check", "--no-library", "natbib/paper.tex")
	want := `refs.bib:18:1: "dijkstra68" (@inproceedings) has no booktitle
natbib/section.tex:2:3: "missing2020" is undefined: in no .bib file the paper names
refs.bib:32:1: "unused99" is never cited
natbib/paper.tex: 4 keys cited, 1 undefined, 3 problems
`
	if st != exitRejected || errOut != "" || out != want {
		t.Errorf("check natbib/paper.tex: %d %q\n%s\nwant\n%s", st, errOut, out, want)
	}

	st, out, _ = bibshelf(t, "", "check", "--no-library", "--json", "biblatex")
	var rep checkReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || st != exitRejected {
		t.Fatalf("check --json: %d %v\n%s", st, err, out)
	}
	var got []string
	for _, p := range rep.Problems {
		got = append(got, strings.Join([]string{filepath.Base(p.File), itoa(p.Line), itoa(p.Col), p.Kind, p.Key, p.Severity}, ":"))
	}
	wantProblems := []string{
		"paper.tex:6:28:case:Knuth84:error",
		"paper.tex:7:11:undefined:missing2020:error",
		"refs.bib:32:1:unused:unused99:warning",
	}
	if diff := cmp.Diff(wantProblems, got); diff != "" || !rep.BibLaTeX || rep.Cited != 5 || rep.Undefined != 2 {
		t.Errorf("biblatex %v, cited %d, undefined %d; problems (-want +got):\n%s", rep.BibLaTeX, rep.Cited, rep.Undefined, diff)
	}

	// With a library that has the missing key: a warning, exit 0, and the paper remembered.
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	if st, _, errOut := bibshelf(t, "@book{missing2020, author = {A}, title = {B}, year = 2020}\n", "import", "--library", lib, "-"); st != 0 {
		t.Fatal(errOut)
	}
	st, out, _ = bibshelf(t, "", "check", "--library", lib, "natbib/paper.tex")
	if st != exitOK || !strings.Contains(out, `natbib/section.tex:2:3: "missing2020" is in the library but in no .bib file the paper names`) ||
		!strings.Contains(out, `natbib/section.tex:2:3: "missing2020" (@book) has no publisher`) {
		t.Errorf("check with a library: %d\n%s", st, out)
	}
	l, err := storage.OpenExisting(context.Background(), lib)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if papers, err := l.Papers(context.Background()); err != nil || len(papers) != 1 || papers[0].Path != filepath.Join(dir, "natbib", "paper.tex") {
		t.Errorf("papers remembered: %+v, %v", papers, err)
	}
	if st, _, _ := bibshelf(t, "", "check", "--library", lib, "--no-remember", "biblatex/paper.tex"); st != exitRejected {
		t.Errorf("check biblatex: %d", st)
	}
	if papers, _ := l.Papers(context.Background()); len(papers) != 1 {
		t.Errorf("--no-remember remembered: %+v", papers)
	}
	// A paper checked by its folder is remembered by its root file, as the window records it:
	// once.
	if st, _, errOut := bibshelf(t, "", "check", "--library", lib, "natbib"); st != exitOK {
		t.Errorf("check natbib/: %d %s", st, errOut)
	}
	if papers, _ := l.Papers(context.Background()); len(papers) != 1 {
		t.Errorf("the paper checked by its folder remembered again: %+v", papers)
	}
	if st, _, errOut := bibshelf(t, "", "check", "--no-library", "nowhere.tex"); st != exitRejected || !strings.Contains(errOut, "nowhere.tex") {
		t.Errorf("check of a missing file: %d %q", st, errOut)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestRenameKeyCLI(t *testing.T) {
	dir := copyDir(t, "testdata/paper")
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, filepath.Join(dir, "refs.bib")); st != 0 {
		t.Fatal(errOut)
	}
	if st, _, errOut := bibshelf(t, "", "check", "--library", lib, filepath.Join(dir, "natbib")); st != exitRejected {
		t.Fatalf("check: %d %s", st, errOut)
	}
	section := filepath.Join(dir, "natbib", "section.tex")
	before, _ := os.ReadFile(section)
	st, out, errOut := bibshelf(t, "", "rename-key", "--library", lib, "--dry-run", "--in", filepath.Join(dir, "biblatex"), "dijkstra68", "dijkstra1968")
	want := "--- " + section + "\n+++ " + section + "\n@@ -1,2 +1,2 @@\n-Processes \\citep[see][p.~50]{dijkstra68,\n+Processes \\citep[see][p.~50]{dijkstra1968,\n   missing2020}.\n"
	if st != exitOK || !strings.Contains(out, want) || !strings.Contains(out, "+and \\cites[43]{dijkstra1968}{Knuth84}.\n") || !strings.Contains(errOut, "would rename dijkstra68 to dijkstra1968 in the library and 2 citations in 2 .tex files") {
		t.Errorf("--dry-run: %d %q\n%s", st, errOut, out)
	}
	// The paper's own .bib file still defines the old key: said, as it is not written by bibshelf.
	if note := "bibshelf rename-key: note: " + filepath.Join(dir, "refs.bib") + `:`; !strings.Contains(errOut, note) || !strings.Contains(errOut, `still defines "dijkstra68": rename it there too`) {
		t.Errorf("--dry-run says nothing of refs.bib: %q", errOut)
	}
	// A key the paper cites that nothing defines: the rename gives the citation its entry.
	if st, _, errOut := bibshelf(t, "", "rename-key", "--library", lib, "--dry-run", "dijkstra68", "missing2020"); st != exitOK || !strings.Contains(errOut, `cites "missing2020" already: that citation is this entry's from now on`) {
		t.Errorf("a key the paper cites: %d %q", st, errOut)
	}
	if after, _ := os.ReadFile(section); string(after) != string(before) {
		t.Error("--dry-run changed the file")
	}
	if st, _, errOut := bibshelf(t, "", "rename-key", "--library", lib, "dijkstra68", "LAMPORT94"); st != exitRejected || !strings.Contains(errOut, `the key "LAMPORT94" is taken by the entry "lamport94"`) {
		t.Errorf("a taken key: %d %q", st, errOut)
	}
	st, _, errOut = bibshelf(t, "", "rename-key", "--library", lib, "dijkstra68", "dijkstra1968")
	if after, _ := os.ReadFile(section); st != exitOK || !strings.Contains(string(after), "{dijkstra1968,\n") {
		t.Errorf("rename-key: %d %q\n%s", st, errOut, after)
	}
	if st, out, _ := bibshelf(t, "", "export", "--library", lib, "--keys", "dijkstra1968"); st != 0 || !strings.HasPrefix(out, "@inproceedings{dijkstra1968,\n  author   = {Edsger W. Dijkstra},") {
		t.Errorf("the renamed entry: %d\n%s", st, out)
	}
}
