package ident

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// referenceList returns about size bytes of a reference list in the form of
// testdata/references.txt, each reference with identifiers of its own: a DOI, and in turn an
// arXiv id, an ISBN-13, a PMID and PMCID, or an old-scheme arXiv id.
func referenceList(size int) string {
	var b strings.Builder
	for n := 1; b.Len() < size; n++ {
		fmt.Fprintf(&b, "[%d] Ada Lovelace, Charles Babbage, and Grace M. Hopper. %d. A study of analytical engines, number %d:\n", n, 1990+n%35, n)
		fmt.Fprintf(&b, "methods and results. Journal of Computation %d, %d (%d), %d–%d. https://doi.org/10.%d/jc.%d.%d\n",
			n%80, n%12+1, 1990+n%35, n%900, n%900+12, 1000+n%9000, 2000+n%25, n)
		switch n % 4 {
		case 0:
			fmt.Fprintf(&b, "arXiv:%02d%02d.%05dv%d [cs.LG]\n", 15+n%10, n%12+1, n%100000, n%3+1)
		case 1:
			d12 := fmt.Sprintf("978%09d", n)
			fmt.Fprintf(&b, "ISBN %s.\n", d12+string(isbn13Check(d12)))
		case 2:
			fmt.Fprintf(&b, "PMID: %d; PMCID: PMC%d.\n", 10000000+n, 1000000+n)
		case 3:
			fmt.Fprintf(&b, "arXiv:hep-th/%02d%02d%03d\n", 91+n%9, n%12+1, n%1000)
		}
	}
	return b.String()
}

// BenchmarkFind is identifier detection over 1 MB of pasted text: a generated reference list
// with 9,716 distinct identifiers, and the sample library's BibTeX (numbers, dates, pages,
// URLs, 56 arXiv ids and 2 DOIs) repeated to 1 MB.
func BenchmarkFind(b *testing.B) {
	sample, err := os.ReadFile("../../assets/sample-library.bib")
	if err != nil {
		b.Fatal(err)
	}
	texts := []struct{ name, text string }{
		{"references", referenceList(1 << 20)},
		{"bibtex", strings.Repeat(string(sample), (1<<20)/len(sample)+1)[:1<<20]},
	}
	for _, tt := range texts {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tt.text)))
			n := 0
			for b.Loop() {
				n = len(Find(tt.text))
			}
			b.ReportMetric(float64(n), "ids")
		})
	}
}

// TestReferenceListFound checks the benchmark's text: every identifier it was given is found.
func TestReferenceListFound(t *testing.T) {
	text := referenceList(64 << 10)
	refs := strings.Count(text, "\n[") + 1
	want := refs + refs/4*2 + refs/4*3 // a DOI each; an arXiv id or ISBN, two for PubMed
	if got := len(Find(text)); got < want-4 || got > want+4 {
		t.Errorf("Find found %d identifiers in %d references, want about %d", got, refs, want)
	}
}
