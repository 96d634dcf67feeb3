package storage

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
)

// TestWholeCorpusLibrary imports every .bib file of the corpus into ONE library, as a user who
// pours in many files does, exports it once as written and once reformatted, and has the real
// bibtex dump every field of every entry: every entry bibtex reads from any file must read the
// same from the export, under its own key or the one the import gave it because another paper
// had its key (Report.Renamed). Exceptions are listed, with reasons, in
// testdata/KNOWN_DIFFERENCES_LIBRARY.md.
func TestWholeCorpusLibrary(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the whole corpus")
	}
	dir := bibtest.CorpusDir(t)
	files := bibtest.CorpusFiles(t, dir)
	bibtest.NeedBibtex(t)
	known := bibtest.KnownDifferences(t, "testdata/KNOWN_DIFFERENCES_LIBRARY.md")
	ctx := context.Background()
	type source struct {
		rel    string
		orig   []byte
		f      *bib.File
		blocks map[string]string
		// renamed maps a key bibtex reads from the file (lower case) to its key in the library.
		renamed map[string]string
	}
	srcs := make([]*source, len(files))
	var texts [][]byte
	var parsed []*bib.File
	for i, rel := range files {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		f := bib.Parse(rel, data)
		srcs[i] = &source{rel: rel, orig: bibtest.Original(data, f), f: f, renamed: map[string]string{}}
		texts, parsed = append(texts, srcs[i].orig), append(parsed, f)
	}
	lib, err := Open(ctx, filepath.Join(t.TempDir(), "all.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	var total Report
	for _, s := range srcs {
		rep, err := lib.Import(ctx, s.f)
		if err != nil {
			t.Fatalf("import %s: %v", s.rel, err)
		}
		for _, r := range rep.Renamed {
			if !r.InFile {
				s.renamed[strings.ToLower(r.Old)] = r.New
			}
		}
		total.Add(rep)
	}
	outs := map[string][]byte{}
	for _, mode := range []string{"as written", "reformatted"} {
		var buf bytes.Buffer
		if _, err := lib.Export(ctx, &buf, ExportOptions{WriteOptions: bib.WriteOptions{Reformat: mode == "reformatted"}}); err != nil {
			t.Fatal(err)
		}
		outs[mode] = buf.Bytes()
	}
	bst := bibtest.DumpStyleOf(append(texts, outs["as written"], outs["reformatted"]), parsed)
	bibtest.Parallel(files, func(rel string) {
		i := sort.SearchStrings(files, rel)
		dump, err := bibtest.Dump(srcs[i].orig, bst)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return
		}
		srcs[i].blocks = bibtest.Blocks(dump)
	})
	var diffs bibtest.Differences
	read := 0
	for _, mode := range []string{"as written", "reformatted"} {
		dump, err := bibtest.Dump(outs[mode], bst)
		if err != nil {
			t.Fatal(err)
		}
		got := bibtest.Blocks(dump)
		read = 0
		for _, s := range srcs {
			back := map[string]string{}
			for old, to := range s.renamed {
				back[strings.ToLower(to)] = old
			}
			var bad []string
			for k, want := range s.blocks {
				if k == "" {
					continue // bibtex reads entries without a key under the empty one
				}
				read++
				libKey := k
				if to := s.renamed[k]; to != "" {
					libKey = strings.ToLower(to)
				}
				if reading(got[libKey], back) != reading(want, nil) {
					bad = append(bad, k)
				}
			}
			if len(bad) > 0 {
				sort.Strings(bad)
				detail := fmt.Sprintf("%d of %d entries read otherwise: %s", len(bad), len(s.blocks), strings.Join(bibtest.First(bad, 5), ", "))
				if os.Getenv("WHOLE_DEBUG") != "" {
					k := bad[0]
					if s.renamed[k] != "" {
						k = strings.ToLower(s.renamed[k])
					}
					detail += fmt.Sprintf("\nwant %q\ngot  %q", s.blocks[bad[0]], got[k])
				}
				diffs.Add(s.rel, mode, detail)
			}
		}
	}
	n := diffs.Check(t, known, "storage/testdata/KNOWN_DIFFERENCES_LIBRARY.md")
	t.Logf("%d files in one library: %d entries read by bibtex, %d imported, %d skipped as the same entry, %d under another key; %d known differences",
		len(files), read, total.Imported, total.Duplicates, len(total.Renamed), n)
}

var (
	dumpHead = regexp.MustCompile(`^@([^{\n]*)\{[^\n]*,(\n|$)`)
	dumpRefs = regexp.MustCompile(`(?m)^  (crossref|xref|xdata|related|entryset) = \{(.*)\}$`)
)

// reading returns an entry's dump as the file's own keys would give it: without the entry's key
// (the library may have given it another), and with the keys its crossref and other reference
// fields name in lower case, an entry that the import renamed named by the key its file gave it
// (back maps a new key, in lower case, to the old).
func reading(block string, back map[string]string) string {
	if block == "" {
		return ""
	}
	block = dumpHead.ReplaceAllString(block, "@$1{$2")
	return dumpRefs.ReplaceAllStringFunc(block, func(line string) string {
		m := dumpRefs.FindStringSubmatch(line)
		keys := strings.Split(strings.ToLower(m[2]), ",")
		for i, k := range keys {
			if old, ok := back[strings.TrimSpace(k)]; ok {
				keys[i] = strings.Replace(k, strings.TrimSpace(k), old, 1)
			}
		}
		return "  " + m[1] + " = {" + strings.Join(keys, ",") + "}"
	})
}
