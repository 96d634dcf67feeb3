package paper

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzScanTeX(f *testing.F) {
	for _, s := range []string{`\cite[pre][post]{a,b}`, `\cites(x)(y)[1]{a}[2]{b}`, "\\begin{verbatim}\\cite{x}", `\verb`, `\input{`, `\cite{a`, "%\\cite{x}\n\\citep*{\n a\n}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s := ScanTeX("f.tex", src)
		for _, c := range s.Citations {
			if c.Start < 0 || c.End > len(src) || c.Start >= c.End || string(src[c.Start:c.End]) != c.Key {
				t.Fatalf("citation %+v does not name its key in the source", c)
			}
		}
		out, changed := RenameKey("f.tex", src, "a", "bb")
		if len(out) != len(src)+len(changed) {
			t.Fatalf("rename changed %d keys but the length by %d", len(changed), len(out)-len(src))
		}
	})
}

func FuzzReadAux(f *testing.F) {
	for _, s := range []string{"\\citation{a,b}\n\\bibdata{x}", "\\abx@aux@cite{0}{k}", "\\@input{f.aux}", "\\citation{"} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte) {
		path := filepath.Join(dir, "f.aux")
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := ReadAux(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Citations {
			if c.Key == "" || c.Pos.Line < 1 || c.Pos.Col < 1 {
				t.Fatalf("bad citation %+v", c)
			}
		}
	})
}

func FuzzReadBCF(f *testing.F) {
	f.Add([]byte(`<bcf:controlfile xmlns:bcf="https://sourceforge.net/projects/biblatex"><bcf:datasource type="file">a.bib</bcf:datasource><bcf:citekey order="1">k</bcf:citekey></bcf:controlfile>`))
	f.Add([]byte(`<bcf:citekey>`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte) {
		path := filepath.Join(dir, "f.bcf")
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadBCF(path); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzDiff(f *testing.F) {
	f.Add([]byte("a\nb\n"), []byte("a\nc\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		got, err := applyDiff(a, Diff("a", "b", a, b))
		if err != nil || string(got) != string(b) {
			t.Fatalf("the diff does not turn a into b: %q", got)
		}
	})
}
