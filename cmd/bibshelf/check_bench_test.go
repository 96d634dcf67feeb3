package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/bibshelf/bibshelf/storage"
)

// BenchmarkCheck500Citations100k times bibshelf check, as a user runs it (the paper remembered
// too), of a paper of 500 citations (of 250 keys, 240 in the paper's .bib, 10 in the library
// only) against a library of 100,000 entries (bibtest.Synthetic), built once: the time from the
// verb's start to its report.
func BenchmarkCheck500Citations100k(b *testing.B) {
	ctx := context.Background()
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 100000, 1); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	lib := filepath.Join(dir, "lib.sqlite")
	l, err := storage.Open(ctx, lib)
	if err != nil {
		b.Fatal(err)
	}
	f := bib.Parse("synthetic.bib", src.Bytes())
	if rep, err := l.ImportReader(ctx, bib.NewReader("synthetic.bib", src.String()), storage.ImportOptions{}); err != nil || rep.Imported == 0 {
		b.Fatal(rep, err)
	}
	l.Close()
	entries := f.Entries()
	var refs bytes.Buffer
	var tex bytes.Buffer
	tex.WriteString("\\documentclass{article}\n\\usepackage{natbib}\n\\begin{document}\n")
	for i := range 250 {
		e := entries[i*len(entries)/250]
		if i >= 10 {
			refs.WriteString(e.Source + "\n\n")
		}
		fmt.Fprintf(&tex, "As \\citet{%s} show, and \\citep[p.~%d]{%s}.\n", e.Key, i, e.Key)
	}
	tex.WriteString("\\bibliographystyle{plainnat}\n\\bibliography{refs}\n\\end{document}\n")
	if err := os.WriteFile(filepath.Join(dir, "refs.bib"), refs.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	paperPath := filepath.Join(dir, "paper.tex")
	if err := os.WriteFile(paperPath, tex.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if st := run([]string{"check", "--library", lib, paperPath}, nil, io.Discard, io.Discard); st != exitOK {
			b.Fatalf("check: exit %d", st)
		}
	}
}
