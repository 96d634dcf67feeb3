package storage

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
)

// TestLibraryRoundTrip imports every .bib file of the corpus into a new library and exports it
// again, then has the real bibtex program dump every field of every entry of the original and of
// the export: the dumps must be identical, and every entry bibtex reads must be in the library.
// Exceptions are listed, with reasons, in testdata/KNOWN_DIFFERENCES.md.
func TestLibraryRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the whole corpus")
	}
	dir := bibtest.CorpusDir(t)
	files := bibtest.CorpusFiles(t, dir)
	bibtest.NeedBibtex(t)
	known := bibtest.KnownDifferences(t, "testdata/KNOWN_DIFFERENCES.md")
	ctx := context.Background()
	tmp := t.TempDir()
	var diffs bibtest.Differences
	var imported atomic.Int64
	var n atomic.Int64
	bibtest.Parallel(files, func(rel string) {
		src, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			diffs.Add(rel, "read", err.Error())
			return
		}
		f := bib.Parse(rel, src)
		path := filepath.Join(tmp, fmt.Sprintf("%d.sqlite", n.Add(1)))
		lib, err := Open(ctx, path)
		if err != nil {
			diffs.Add(rel, "open", err.Error())
			return
		}
		defer os.Remove(path)
		defer lib.Close()
		rep, err := lib.Import(ctx, f)
		if err != nil {
			diffs.Add(rel, "import", err.Error())
			return
		}
		imported.Add(int64(rep.Imported))
		// Every entry reads back with the fields it was parsed with (most are kept in the short
		// form of the fields column, and parsed again from their source).
		seen := map[string]bool{}
		for _, e := range f.Entries() {
			if e.Key == "" || seen[strings.ToLower(e.Key)] {
				continue
			}
			seen[strings.ToLower(e.Key)] = true
			got, err := lib.Entry(ctx, e.Key)
			if err != nil {
				diffs.Add(rel, "fields", fmt.Sprintf("%s: %v", e.Key, err))
				return
			}
			if d := fieldsDiff(e.Fields, got.Fields); d != "" {
				diffs.Add(rel, "fields", fmt.Sprintf("%s: %s", e.Key, d))
				return
			}
		}
		var out bytes.Buffer
		if _, err := lib.Export(ctx, &out, ExportOptions{}); err != nil {
			diffs.Add(rel, "export", err.Error())
			return
		}
		orig := bibtest.Original(src, f)
		bst := bibtest.DumpStyle([][]byte{orig, out.Bytes()}, f)
		want, err := bibtest.Dump(orig, bst)
		if err != nil {
			diffs.Add(rel, "bibtex", err.Error())
			return
		}
		// An entry without a key is given one on import: compare it under the key it had.
		given := map[string]string{}
		for _, k := range rep.KeysGiven {
			given[k] = ""
		}
		if missing := missingFromLibrary(ctx, lib, bibtest.DumpKeys(want), len(given)); len(missing) > 0 {
			diffs.Add(rel, "import", fmt.Sprintf("%d entries bibtex reads are not in the library: %s",
				len(missing), strings.Join(bibtest.First(missing, 5), ", ")))
		}
		got, err := bibtest.Dump(out.Bytes(), bst)
		if err != nil {
			diffs.Add(rel, "export", err.Error())
			return
		}
		// A later entry of the file with the key of an earlier one, which bibtex does not read,
		// is kept in the library under a key of its own.
		var repeats []string
		for _, r := range rep.Renamed {
			if r.InFile {
				repeats = append(repeats, r.New)
			}
		}
		got = bibtest.DropKeys(got, repeats)
		if d := bibtest.Diff(want, bibtest.RenameKeys(got, given)); d != "" {
			diffs.Add(rel, "export", d)
		}
	})
	found := diffs.Check(t, known, "storage/testdata/KNOWN_DIFFERENCES.md")
	t.Logf("%d files, %d entries imported and exported; %d known differences", len(files), imported.Load(), found)
}

// missingFromLibrary returns the keys the library does not have. An empty key counts as found
// when entries were given keys.
func missingFromLibrary(ctx context.Context, lib *Library, keys []string, given int) []string {
	var missing []string
	for _, k := range keys {
		if k == "" && given > 0 {
			continue
		}
		if _, err := lib.Entry(ctx, k); err != nil {
			missing = append(missing, k)
		}
	}
	return missing
}

// fieldsDiff describes the first difference between two lists of fields, line numbers aside.
func fieldsDiff(want, got []bib.Field) string {
	if len(want) != len(got) {
		return fmt.Sprintf("%d fields, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		w.Line, g.Line = 0, 0
		if w != g {
			return fmt.Sprintf("field %d is %+v, want %+v", i, g, w)
		}
	}
	return ""
}
