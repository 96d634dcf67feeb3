package bib_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
)

// TestCorpusRoundTrip parses every .bib file of the corpus and writes it back in both modes
// (untouched entries as written, and every entry reformatted), then has the real bibtex program
// dump every field of every entry of the original and of each output: the dumps must be
// identical, and every entry bibtex reads from the original must be in the parsed file. Any
// difference not listed in testdata/KNOWN_DIFFERENCES.md fails the test, and so does a listed
// difference that no longer happens.
func TestCorpusRoundTrip(t *testing.T) {
	dir := bibtest.CorpusDir(t)
	files := bibtest.CorpusFiles(t, dir)
	bibtest.NeedBibtex(t)
	known := bibtest.KnownDifferences(t, "testdata/KNOWN_DIFFERENCES.md")
	var diffs bibtest.Differences
	var entries atomic.Int64
	bibtest.Parallel(files, func(rel string) {
		src, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			diffs.Add(rel, "read", err.Error())
			return
		}
		f := bib.Parse(rel, src)
		orig := bibtest.Original(src, f)
		outs := map[string][]byte{}
		for _, mode := range []string{"default", "reformat"} {
			var buf bytes.Buffer
			if err := bib.WriteFile(&buf, f, bib.WriteOptions{Reformat: mode == "reformat"}); err != nil {
				diffs.Add(rel, mode, err.Error())
				return
			}
			outs[mode] = buf.Bytes()
		}
		bst := bibtest.DumpStyle([][]byte{orig, outs["default"], outs["reformat"]}, f)
		want, err := bibtest.Dump(orig, bst)
		if err != nil {
			diffs.Add(rel, "bibtex", err.Error())
			return
		}
		keys := bibtest.DumpKeys(want)
		entries.Add(int64(len(keys)))
		if missing := missingKeys(keys, f); len(missing) > 0 {
			diffs.Add(rel, "import", fmt.Sprintf("%d entries bibtex reads are not parsed: %s",
				len(missing), strings.Join(bibtest.First(missing, 5), ", ")))
		}
		for _, mode := range []string{"default", "reformat"} {
			got, err := bibtest.Dump(outs[mode], bst)
			if err != nil {
				diffs.Add(rel, mode, err.Error())
				continue
			}
			if d := bibtest.Diff(want, got); d != "" {
				diffs.Add(rel, mode, d)
			}
		}
	})
	n := diffs.Check(t, known, "testdata/KNOWN_DIFFERENCES.md")
	t.Logf("%d files, %d entries read by bibtex, all parsed and written back; %d known differences", len(files), entries.Load(), n)
}

func missingKeys(keys []string, f *bib.File) []string {
	have := map[string]bool{}
	for _, e := range f.Entries() {
		have[strings.ToLower(e.Key)] = true
	}
	var missing []string
	for _, k := range keys {
		if !have[strings.ToLower(k)] {
			missing = append(missing, k)
		}
	}
	return missing
}

// TestMacroValuesAsBibtex compares the values macros give with the real bibtex's: a macro named
// in its own definition reads as empty there.
func TestMacroValuesAsBibtex(t *testing.T) {
	bibtest.NeedBibtex(t)
	src := []byte("@string{x = {ab}}\n@string{x = x # {c} # x}\n@string{y = y}\n" +
		"@misc{k, title = x, note = y # {d}, year = x # x # {e}}\n")
	f := bib.Parse("m.bib", src)
	dump, err := bibtest.Dump(src, bibtest.DumpStyle([][]byte{src}, f))
	if err != nil {
		t.Fatal(err)
	}
	e := f.Entries()[0]
	for _, name := range []string{"note", "title", "year"} {
		if line := fmt.Sprintf("\n  %s = {%s}\n", name, e.Get(name)); !strings.Contains(dump, line) {
			t.Errorf("ours: %q; bibtex's dump:\n%s", line, dump)
		}
	}
}
