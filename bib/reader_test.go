package bib_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// readAll gathers a Reader's items as Parse gathers them.
func readAll(name, src string) ([]bib.Item, bib.Problems) {
	r := bib.NewReader(name, src)
	var items []bib.Item
	for {
		it, ok := r.Next()
		if !ok {
			return items, r.Problems()
		}
		items = append(items, it)
	}
}

// checkReader checks that a Reader gives what Parse gives, and that the line of every item and
// field is the one counted from the start of the text.
func checkReader(t *testing.T, name, src string) {
	t.Helper()
	f := bib.ParseString(name, src)
	items, problems := readAll(name, src)
	if d := cmp.Diff(f.Items, items, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("%s: Reader's items differ from Parse's (-Parse +Reader):\n%s", name, d)
	}
	if d := cmp.Diff(f.Problems, problems, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("%s: Reader's problems differ from Parse's (-Parse +Reader):\n%s", name, d)
	}
	checkStandalone(t, name, items)
	base := uintptr(unsafe.Pointer(unsafe.StringData(src)))
	for _, it := range items {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(it.Raw))); it.Raw != "" && (p < base || p >= base+uintptr(len(src))) {
			return // parsed from a decoded copy: offsets in src mean nothing
		}
	}
	lineOf := func(s string) int {
		off := int(uintptr(unsafe.Pointer(unsafe.StringData(s))) - base)
		// A line ends at \n, or at a \r that no \n follows.
		return 1 + strings.Count(src[:off], "\n") + strings.Count(src[:off], "\r") - strings.Count(src[:min(off+1, len(src))], "\r\n")
	}
	for _, it := range items {
		if it.Raw == "" {
			continue
		}
		if want := lineOf(it.Raw); it.Line != want {
			t.Errorf("%s: %s item %.30q on line %d, counted %d", name, it.Kind, it.Raw, it.Line, want)
		}
	}
}

func TestReader(t *testing.T) {
	for _, src := range []string{
		"",
		"just text\n",
		"@article{a, title = {T}}",
		"\n\n@article{a,\n title = {T},\n year = 2001}\n\ntext between\n\n@misc{b, note = \"x\" # jan}\nend",
		"@string{x = {y}}\n@preamble{\"\\foo\"}\n@comment{z}\n@misc{a, title = x}\n",
		"@book{k, title = {unclosed\n@misc{b, title={B}}\n",
		"@book{k, title = {a}, title = {b}}\n@misc{k2 title}\n  @misc{k3, note={x}}\n",
		"mail me@example.org\n@ misc{x, y = z}\n@misc{last,\n\n\n note = {n}\n}\n\n\n",
		"@article{a, abstract = {one\n@ not an item, inside braces\n}}\n@misc{b}\n",
		"@article{a,\r title = {T} x}\r\r@misc{b,\r\n note = {n}}\n\r@misc{c}\r",
	} {
		checkReader(t, "test.bib", src)
	}
	// A file of many entries, read one by one.
	var b strings.Builder
	if err := bibtest.Synthetic(&b, 500, 3); err != nil {
		t.Fatal(err)
	}
	checkReader(t, "synth.bib", b.String())
}

// TestReaderCorpus reads every .bib file of the corpus with a Reader and with Parse.
func TestReaderCorpus(t *testing.T) {
	dir := bibtest.CorpusDir(t)
	for _, rel := range bibtest.CorpusFiles(t, dir) {
		src, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		checkReader(t, rel, string(src))
	}
}

func TestReaderEstimate(t *testing.T) {
	r := bib.NewReader("e.bib", "@string{a = {b}}\n  @article{x, title = {T}}\ntext @ here\n\t@misc{y}\n@comment{c}")
	if n := r.Estimate(); n != 4 {
		t.Errorf("Estimate = %d, want 4", n)
	}
	r = bib.NewReader("mac.bib", "@article{x, title = {T}}\r@misc{y}\r  @misc{z, note = {a@b}}\r")
	if n := r.Estimate(); n != 3 {
		t.Errorf("Estimate with \\r line ends = %d, want 3", n)
	}
}

// checkStandalone checks that every entry marked Standalone parses on its own, from its source,
// to the same fields.
func checkStandalone(t *testing.T, name string, items []bib.Item) {
	t.Helper()
	for _, it := range items {
		e := it.Entry
		if it.Kind != bib.KindEntry || !e.Standalone {
			continue
		}
		es := bib.ParseString("", e.Source).Entries()
		if len(es) != 1 || !es[0].Standalone || !sameFields(e.Fields, es[0].Fields) {
			t.Errorf("%s: entry %q is marked standalone, but its source alone parses to %+v, not %+v", name, e.Key, es, e.Fields)
		}
	}
}

// sameFields compares fields, line numbers aside.
func sameFields(a, b []bib.Field) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		x.Line, y.Line = 0, 0
		if x != y {
			return false
		}
	}
	return true
}

func TestStandalone(t *testing.T) {
	f := bib.ParseString("s.bib", "@string{j = {J}}\n"+
		"@article{plain, title = {T}, note = \"n\" # {m}, year = 2001, title = {again}}\n"+
		"@article{macro, journal = j}\n@article{month, month = jan}\n@misc{undefined, howpublished = nowhere}\n"+
		"@article{broken, title = {unclosed\n@misc{empty}\n")
	want := map[string]bool{"plain": true, "macro": false, "month": false, "undefined": false, "broken": false, "empty": true}
	for _, e := range f.Entries() {
		if e.Standalone != want[e.Key] {
			t.Errorf("%s: Standalone = %v, want %v", e.Key, e.Standalone, want[e.Key])
		}
	}
	checkStandalone(t, "s.bib", f.Items)
	e := f.Entries()[0].Clone()
	e.Rename("book", "renamed")
	if e.Standalone {
		t.Error("a renamed entry is still marked standalone")
	}
}
