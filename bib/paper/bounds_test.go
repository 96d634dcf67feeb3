package paper

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hostile inputs: each is read in well under a second; before the bounds, each took from
// seconds to minutes, or all the memory there is.

// unclosedCites is n bytes of \cite{ that never close.
func unclosedCites(n int) []byte {
	return []byte(strings.Repeat(`\cite{`, n/6))
}

// longAux is n bytes of \citation{a,a,...}, each group just under maxArg.
func longAux(n int) []byte {
	line := `\citation{` + strings.Repeat("a,", maxArg/2-16) + "a}\n"
	return []byte(strings.Repeat(line, n/len(line)+1))
}

// manyBibNames is n bytes of \bibliography{b0,b1,...}, each group just under maxArg.
func manyBibNames(n int) []byte {
	var b strings.Builder
	for i := 0; b.Len() < n; {
		b.WriteString(`\bibliography{`)
		for start := b.Len(); b.Len()-start < maxArg-32; i++ {
			b.WriteString("b" + strconv.Itoa(i) + ",")
		}
		b.WriteString("x}\n")
	}
	return []byte(b.String())
}

// manyCites is n bytes of \cite{a,a,...}.
func manyCites(n int) []byte {
	line := `\cite{` + strings.Repeat("a,", maxArg/2-16) + "a}\n"
	return []byte(strings.Repeat(line, n/len(line)+1))
}

// within fails t when f takes longer than d: on a shared machine d is generous, far under what
// the input took before it was bounded.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	start := time.Now()
	f()
	if took := time.Since(start); took > d {
		t.Errorf("took %v, more than %v", took, d)
	}
}

func problemsWith(ps []Problem, s string) int {
	n := 0
	for _, p := range ps {
		if strings.Contains(p.Msg, s) {
			n++
		}
	}
	return n
}

// TestUnclosedCitesLinear: a file of 4 MB of \cite{ is read in linear time (it took 11 s a
// megabyte); the first maxRunaways arguments that do not close are told, one Problem says
// there are more, and one where the arguments stopped being read.
func TestUnclosedCitesLinear(t *testing.T) {
	src := unclosedCites(4 << 20)
	var s *Source
	within(t, 3*time.Second, func() { s = ScanTeX("f.tex", src) })
	if n := problemsWith(s.Problems, "not close"); n != maxRunaways+2 || len(s.Problems) != n {
		t.Errorf("%d problems of arguments that do not close, want %d: %v", n, maxRunaways+2, s.Problems)
	}
	// A file with a few runaway arguments is read as before: the citations after them count,
	// and the runaway arguments are told (they were not: their keys were lost without a word).
	few := strings.Repeat("\\cite{oops "+strings.Repeat("x", 100)+"\n\n", 20) + `\cite{after}`
	s = ScanTeX("f.tex", []byte(few))
	if len(s.Problems) != maxRunaways+1 || len(s.Citations) != 1 || s.Citations[0].Key != "after" {
		t.Errorf("citations %v, problems %v; want after alone", s.Citations, s.Problems)
	}
	want := `f.tex:3:6: \cite: the argument does not close before a blank line or 16 KB (a runaway argument): its keys are not read`
	if got := s.Problems[1].Error(); got != want {
		t.Errorf("problem %q, want %q", got, want)
	}
}

// TestAuxLinear: 4 MB of \citation{a,a,...} is read in linear time (a copy of the rest of the
// group for each key made 2 MB take 7.6 s).
func TestAuxLinear(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.aux")
	if err := os.WriteFile(path, longAux(4<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	var p *Paper
	within(t, 3*time.Second, func() {
		var err error
		if p, err = ReadAux(path); err != nil {
			t.Fatal(err)
		}
	})
	if len(p.Citations) != MaxCitations || problemsWith(p.Problems, "citations") != 1 {
		t.Errorf("%d citations, problems %v; want %d and one", len(p.Citations), p.Problems, MaxCitations)
	}
}

// TestDeepBCF: XML's decoder keeps each open element, so that a .bcf file of 14 MB of them took
// 430 MB; the reading stops past maxNesting, with a Problem, and keeps the citations before.
func TestDeepBCF(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.bcf")
	src := `<?xml version="1.0"?>` + "\n" + `<bcf:controlfile xmlns:bcf="https://sourceforge.net/projects/biblatex">` +
		"<bcf:citekey>a</bcf:citekey>" + strings.Repeat("<x>", 1<<20) + "<bcf:citekey>b</bcf:citekey>"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	p, err := ReadBCF(path)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Citations) != 1 || p.Citations[0].Key != "a" || len(p.Problems) != 1 ||
		p.Problems[0].Msg != "read the control file: elements nested more than 256 deep: read no further" {
		t.Errorf("citations %v, problems %v", p.Citations, p.Problems)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4*uint64(len(src)) {
		t.Errorf("%d bytes allocated for %d of .bcf", alloc, len(src))
	}
}

// TestManyBibNamesLinear: 2 MB of \bibliography{b0,b1,...} names at most MaxBibFiles, with a
// Problem, in linear time (1 MB took 20.5 s).
func TestManyBibNamesLinear(t *testing.T) {
	path := filepath.Join(t.TempDir(), "main.tex")
	if err := os.WriteFile(path, manyBibNames(2<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	var p *Paper
	within(t, 3*time.Second, func() {
		var err error
		if p, err = ReadTeX(path); err != nil {
			t.Fatal(err)
		}
	})
	if len(p.BibFiles) != MaxBibFiles || len(p.BibPos) != MaxBibFiles {
		t.Errorf("%d .bib files at %d places, want %d", len(p.BibFiles), len(p.BibPos), MaxBibFiles)
	}
	if n := problemsWith(p.Problems, ".bib files named"); n != 1 {
		t.Errorf("%d problems of too many .bib files, want 1: %v", n, p.Problems)
	}
}

// TestCitationsBounded: a paper holds at most MaxCitations citations, with one Problem; a file
// of 3 MB of \cite{a,a,...} is 1.5 million (16 MB were 8.4 million, 3.7 GB allocated).
func TestCitationsBounded(t *testing.T) {
	dir := t.TempDir()
	cites := manyCites(3 << 20)
	writeFiles(t, dir, map[string]string{"main.tex": `\input{a}\input{b}`, "a.tex": string(cites[:len(cites)/2]), "b.tex": string(cites)})
	var p *Paper
	within(t, 5*time.Second, func() {
		var err error
		if p, err = ReadTeX(filepath.Join(dir, "main.tex")); err != nil {
			t.Fatal(err)
		}
	})
	if len(p.Citations) != MaxCitations {
		t.Errorf("%d citations, want %d", len(p.Citations), MaxCitations)
	}
	if n := problemsWith(p.Problems, "citations: those from here on left out"); n != 1 {
		t.Errorf("%d problems of too many citations, want 1: %v", n, p.Problems)
	}
	if s := ScanTeX("b.tex", cites); len(s.Citations) != MaxCitations || problemsWith(s.Problems, "citations") != 1 {
		t.Errorf("ScanTeX: %d citations, problems %v; want %d and one", len(s.Citations), s.Problems, MaxCitations)
	}
}

// TestSourcesBounded: a paper's files are read up to MaxPaperSize bytes in all; the file that
// would pass it is refused with a Problem naming it.
func TestSourcesBounded(t *testing.T) {
	dir := t.TempDir()
	var main strings.Builder
	for i := range 6 {
		name := "f" + strconv.Itoa(i) + ".tex"
		main.WriteString(`\input{` + name + "}\n")
		// Sparse files: 15 MB each, of no disk.
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(filepath.Join(dir, name), 15<<20); err != nil {
			t.Fatal(err)
		}
	}
	writeFiles(t, dir, map[string]string{"main.tex": main.String()})
	p, err := ReadTeX(filepath.Join(dir, "main.tex"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 5 { // main.tex and four of 15 MB: 60 MB
		t.Errorf("read %d files, want 5: %v", len(p.Files), p.Files)
	}
	if problemsWith(p.Problems, "f4.tex: more than the 3 MB left of the 64 MB") != 1 || problemsWith(p.Problems, "f5.tex: more than the 3 MB left") != 1 {
		t.Errorf("problems %v, want f4.tex and f5.tex refused", p.Problems)
	}
}

// TestBibFilesBounded: the .bib files Check reads are regular files of at most MaxBibSize bytes
// (a device, a FIFO, a larger file are refused at once, where the paper names them), and at
// most MaxBibSize bytes of them in all.
func TestBibFilesBounded(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.bib")
	half := "@misc{h, title = {" + strings.Repeat("x", 600) + "}}\n"
	writeFiles(t, dir, map[string]string{"big.bib": "", "half.bib": half, "half2.bib": half, "ok.bib": "@misc{k, title = {T}}\n",
		"main.tex": "\\cite{k}\n\\addbibresource{/dev/zero}\n  \\bibliography{big,ok,half,half2}\n\\addbibresource{fifo.bib}\n"})
	if err := os.Truncate(big, MaxBibSize+1); err != nil { // sparse: no disk
		t.Fatal(err)
	}
	defer func(n int64) { maxBibTotal = n }(maxBibTotal)
	maxBibTotal = 1000
	if err := mkfifo(filepath.Join(dir, "fifo.bib")); err != nil {
		t.Log("no FIFO:", err)
	}
	p, err := ReadTeX(filepath.Join(dir, "main.tex"))
	if err != nil {
		t.Fatal(err)
	}
	var rep *Report
	within(t, 10*time.Second, func() {
		if rep, err = Check(context.Background(), p, nil); err != nil {
			t.Fatal(err)
		}
	})
	var got []string
	for _, f := range rep.Problems {
		if f.Kind == "bib-file" {
			got = append(got, strconv.Itoa(f.Line)+":"+strconv.Itoa(f.Col)+" "+strings.ReplaceAll(f.Message, dir+string(filepath.Separator), ""))
		}
	}
	want := []string{
		"2:17 the paper names /dev/zero: not a regular file",
		"3:17 the paper names big.bib: more than the 1000 bytes left of the 1000 bytes of .bib files read for a paper",
		"3:17 the paper names half2.bib: more than the 357 bytes left of the 1000 bytes of .bib files read for a paper",
	}
	if _, err := os.Stat(filepath.Join(dir, "fifo.bib")); err == nil {
		want = append(want, "4:17 the paper names fifo.bib: not a regular file")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("bib-file problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := ReadBib(big); !errors.Is(err, ErrBibTooLarge) || !strings.Contains(err.Error(), "big.bib: larger than 256 MB") {
		t.Errorf("ReadBib of a file over MaxBibSize: %v", err)
	}
	if rep.Undefined != 0 {
		t.Errorf("%d undefined, want k defined by ok.bib", rep.Undefined)
	}
}

// BenchmarkHostile reads each of the hostile inputs of 4 MB.
func BenchmarkHostile(b *testing.B) {
	for _, c := range []struct {
		name string
		src  []byte
	}{
		{"unclosed-cites", unclosedCites(4 << 20)},
		{"long-aux", longAux(4 << 20)},
		{"many-bib-names", manyBibNames(4 << 20)},
		{"many-cites", manyCites(4 << 20)},
	} {
		b.Run(c.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "f.tex")
			if c.name == "long-aux" {
				path = filepath.Join(b.TempDir(), "f.aux")
			}
			if err := os.WriteFile(path, c.src, 0o644); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(c.src)))
			for b.Loop() {
				if _, err := Open(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
