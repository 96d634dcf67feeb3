package paper

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writeFiles writes name→text files under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// keysAt lists a paper's citations as key@base:line:col.
func keysAt(p *Paper) []string {
	var out []string
	for _, c := range p.Citations {
		out = append(out, c.Key+"@"+filepath.ToSlash(filepath.Base(c.Pos.File))+":"+strings.Join(strings.Split(c.Pos.String(), ":")[1:], ":"))
	}
	return out
}

func TestReadTeXIncludes(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		// JabRef's nested.tex and nested2.tex (jablib/src/test/resources/org/jabref/logic/texparser), with citations.
		"main.tex": "\\documentclass{article}\n\\begin{document}\n\\cite{first}\n\\include{nested2}\n\\cite{last}\n" +
			"\\import{sec/}{one}\n\\subfile{parts/two}\n\\input{main}\n\\input{missing}\n\\bibliographystyle{plain}\n\\bibliography{origin}\n\\end{document}\n",
		"nested2.tex":    "\\cite{Darwin1888}\n\\input{nested2}\n",
		"sec/one.tex":    "\\cite{inimport}\n\\input{deeper}\n",
		"sec/deeper.tex": "\\cite{deeper}\n",
		"parts/two.tex":  "\\citep{insubfile}\n",
	})
	p, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"first@main.tex:3:7", "Darwin1888@nested2.tex:1:7", "last@main.tex:5:7", "inimport@one.tex:1:7", "deeper@deeper.tex:1:7", "insubfile@two.tex:1:8"}
	if diff := cmp.Diff(want, keysAt(p)); diff != "" {
		t.Errorf("citations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{filepath.Join(dir, "origin.bib")}, p.BibFiles); diff != "" {
		t.Errorf("bib files (-want +got):\n%s", diff)
	}
	var probs []string
	for _, pr := range p.Problems {
		probs = append(probs, filepath.Base(pr.Pos.File)+":"+itoa(pr.Pos.Line)+": "+strings.ReplaceAll(pr.Msg, dir+string(filepath.Separator), ""))
	}
	wantProbs := []string{"nested2.tex:2: nested2.tex is included again: read once", "main.tex:8: main.tex is included again: read once", "main.tex:9: missing.tex: no such file"}
	if diff := cmp.Diff(wantProbs, probs); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestReadAux(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		// What pdflatex writes with natbib and \include (a chapter's .aux by \@input).
		"paper.aux": "\\relax \n\\citation{knuth84}\n\\citation{lamport94,missing1}\n\\@input{ch1.aux}\n\\bibstyle{plainnat}\n\\bibdata{refs,more}\n\\gdef \\@abspage@last{1}\n",
		"ch1.aux":   "\\relax \n\\citation{inchapter}\n\\@input{paper.aux}\n",
		// What biblatex 3.18 writes for biber: the refsection before the key.
		"bl.aux": "\\relax \n\\abx@aux@refcontext{nty/global//global/global}\n\\abx@aux@cite{0}{knuth84}\n\\abx@aux@segm{0}{0}{knuth84}\n\\abx@aux@cite{0}{lamport94}\n\\abx@aux@nociteall\n",
		// Older biblatex: the key alone.
		"old.aux": "\\abx@aux@cite{knuth84}\n\\citation{*}\n",
		// biblatex names the .bib files in the .bcf beside the .aux.
		"bl.bcf": `<bcf:controlfile xmlns:bcf="https://sourceforge.net/projects/biblatex"><bcf:datasource type="file">refs.bib</bcf:datasource><bcf:citekey>x</bcf:citekey></bcf:controlfile>`,
	})
	p, err := Open(filepath.Join(dir, "paper.aux"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"knuth84@paper.aux:2:11", "lamport94@paper.aux:3:11", "missing1@paper.aux:3:21", "inchapter@ch1.aux:2:11"}, keysAt(p)); diff != "" {
		t.Errorf("citations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{filepath.Join(dir, "refs.bib"), filepath.Join(dir, "more.bib")}, p.BibFiles); diff != "" {
		t.Errorf("bib files (-want +got):\n%s", diff)
	}
	if p.BibLaTeX || p.NociteAll {
		t.Errorf("BibLaTeX %v NociteAll %v", p.BibLaTeX, p.NociteAll)
	}
	p, _ = Open(filepath.Join(dir, "bl.aux"))
	if diff := cmp.Diff([]string{"knuth84@bl.aux:3:18", "lamport94@bl.aux:5:18"}, keysAt(p)); diff != "" || !p.BibLaTeX || !p.NociteAll {
		t.Errorf("biblatex .aux: %v %v (-want +got):\n%s", p.BibLaTeX, p.NociteAll, diff)
	}
	if diff := cmp.Diff([]string{filepath.Join(dir, "refs.bib")}, p.BibFiles); diff != "" {
		t.Errorf("biblatex .aux's bib files (-want +got):\n%s", diff)
	}
	p, _ = Open(filepath.Join(dir, "old.aux"))
	if diff := cmp.Diff([]string{"knuth84@old.aux:1:15"}, keysAt(p)); diff != "" || !p.NociteAll {
		t.Errorf("old biblatex .aux: %v (-want +got):\n%s", p.NociteAll, diff)
	}
}

func TestReadBCF(t *testing.T) {
	dir := t.TempDir()
	// The end of biber's t/tdata/crossrefs.bcf, and the nocite form biblatex 3.18 writes.
	writeFiles(t, dir, map[string]string{"x.bcf": `<?xml version="1.0" encoding="UTF-8"?>
<bcf:controlfile version="3.10" bltxversion="3.18b" xmlns:bcf="https://sourceforge.net/projects/biblatex">
  <!-- SECTION 0 -->
  <bcf:bibdata section="0">
    <bcf:datasource type="file" datatype="bibtex" glob="false">crossrefs.bib</bcf:datasource>
    <bcf:datasource type="file" datatype="bibtex">http://example.org/remote.bib</bcf:datasource>
  </bcf:bibdata>
  <bcf:section number="0">
    <bcf:citekey order="1">cr1</bcf:citekey>
    <bcf:citekey order="2" intorder="1">cr2</bcf:citekey>
    <bcf:citekey order="3" intorder="1" nocite="1">*</bcf:citekey>
  </bcf:section>
  <bcf:bibdata section="1">
    <bcf:datasource type="file" datatype="bibtex">crossrefs.bib</bcf:datasource>
  </bcf:bibdata>
  <bcf:section number="1">
    <bcf:citekey order="1">cr5</bcf:citekey>
  </bcf:section>
</bcf:controlfile>
`})
	p, err := Open(filepath.Join(dir, "x.bcf"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"cr1@x.bcf:9:28", "cr2@x.bcf:10:41", "cr5@x.bcf:17:28"}, keysAt(p)); diff != "" {
		t.Errorf("citations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{filepath.Join(dir, "crossrefs.bib")}, p.BibFiles); diff != "" {
		t.Errorf("bib files (-want +got):\n%s", diff)
	}
	if !p.BibLaTeX || !p.NociteAll || len(p.Problems) != 0 {
		t.Errorf("BibLaTeX %v NociteAll %v problems %v", p.BibLaTeX, p.NociteAll, p.Problems)
	}
	writeFiles(t, dir, map[string]string{"bad.bcf": "<bcf:controlfile xmlns:bcf=\"https://sourceforge.net/projects/biblatex\">\n<bcf:citekey>a</bcf:citekey>\n<oops>"})
	p, err = Open(filepath.Join(dir, "bad.bcf"))
	if err != nil || len(p.Citations) != 1 || len(p.Problems) != 1 || p.Problems[0].Pos.Line != 3 {
		t.Errorf("bad .bcf: %v %+v", err, p)
	}
}

func TestFindRoot(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"chapter.tex": "\\section{A}\\cite{a}",
		"paper.tex":   "% \\documentclass{x}\n\\documentclass[11pt]{article}\n",
		"other.tex":   "\\documentclass{standalone}",
		"paper.aux":   "",
	})
	if got, err := FindRoot(dir); err != nil || got != filepath.Join(dir, "paper.tex") {
		t.Errorf("FindRoot = %q, %v", got, err)
	}
	if err := os.Remove(filepath.Join(dir, "paper.aux")); err != nil {
		t.Fatal(err)
	}
	if _, err := FindRoot(dir); err == nil || !strings.Contains(err.Error(), "other.tex, paper.tex") {
		t.Errorf("FindRoot of two roots: %v", err)
	}
	empty := t.TempDir()
	writeFiles(t, empty, map[string]string{"x.bcf": ""})
	if got, err := FindRoot(empty); err != nil || filepath.Base(got) != "x.bcf" {
		t.Errorf("FindRoot = %q, %v", got, err)
	}
}

func TestTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.tex")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: 100 MB that take no room on the disk.
	if err := f.Truncate(100 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Open(path)
	if err == nil || !strings.Contains(err.Error(), "larger than 16 MB") {
		t.Errorf("Open of 100 MB: %v", err)
	}
}
