package lint

import (
	"testing"

	"github.com/bibshelf/bibshelf/bib"
)

// FuzzLint lints whatever a parse makes of any text, with each option, and applies the fixes:
// no panic, a fix only where a finding gave one, and a fixed file that still parses to as
// many entries.
func FuzzLint(f *testing.F) {
	for _, s := range []string{
		"@article{a, author = {Y. Alavi et al.}, pages = \"12-34\", doi = {https://doi.org/10.1000/x}, title = {The DNA}}",
		"@misc{x, note = {\\immediate\\write18{ls}}, title = {^^5cdef}, isbn = {0-8186-8461-9}, issn = {8264-5521}}",
		"@book{b, date = {1996-10-35/..}, year = {19xx}, url = {http://dx.doi.org/10.2307/25564177}, doi = {10.2307/25564177}}",
		"@preamble{\"\\input bibnames.sty\"} @string{s = \"\\csname\"} @misc{A} @misc{a}",
		"@inproceedings{v,\n  title = {Pointer {N}etworks,\n  year = {2015}\n}\n",
		"@misc{k, author = {Zånny et~al.}, title = \"{\\\"O}\", pages = {e1-e9}}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		file := bib.Parse("f.bib", []byte(s))
		var all []Finding
		for _, opts := range []Options{{}, {BibLaTeX: true, ASCII: true}} {
			fs := File(file, opts)
			for _, e := range file.Entries() {
				Entry(e, opts)
			}
			all = append(all, fs...)
		}
		text, applied, err := FixFile(file, []byte(s), all)
		if err != nil {
			return
		}
		for _, a := range applied {
			if a.Fix == "" {
				t.Fatalf("applied a finding without a fix: %v", a)
			}
		}
		if got, want := len(bib.Parse("f.bib", text).Entries()), len(file.Entries()); got != want {
			t.Fatalf("the fixed file has %d entries, the file %d:\n%q\n%q", got, want, s, text)
		}
	})
}
