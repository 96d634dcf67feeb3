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
	"sync"
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
	w := wholeCorpus(t)
	bibtest.NeedBibtex(t)
	known := bibtest.KnownDifferences(t, "testdata/KNOWN_DIFFERENCES_LIBRARY.md")
	files, srcs, outs, total := w.files, w.srcs, w.outs, w.total
	var texts [][]byte
	var parsed []*bib.File
	for _, s := range srcs {
		texts, parsed = append(texts, s.orig), append(parsed, s.f)
	}
	blocks := make([]map[string]string, len(srcs))
	bst := bibtest.DumpStyleOf(append(texts, outs["as written"], outs["reformatted"]), parsed)
	bibtest.Parallel(files, func(rel string) {
		i := sort.SearchStrings(files, rel)
		dump, err := bibtest.Dump(srcs[i].orig, bst)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return
		}
		blocks[i] = bibtest.Blocks(dump)
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
		for i, s := range srcs {
			back := map[string]string{}
			for old, to := range s.renamed {
				back[strings.ToLower(to)] = old
			}
			var bad []string
			for k, want := range blocks[i] {
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
				detail := fmt.Sprintf("%d of %d entries read otherwise: %s", len(bad), len(blocks[i]), strings.Join(bibtest.First(bad, 5), ", "))
				if os.Getenv("WHOLE_DEBUG") != "" {
					k := bad[0]
					if s.renamed[k] != "" {
						k = strings.ToLower(s.renamed[k])
					}
					detail += fmt.Sprintf("\nwant %q\ngot  %q", blocks[i][bad[0]], got[k])
				}
				diffs.Add(s.rel, mode, detail)
			}
		}
	}
	n := diffs.Check(t, known, "storage/testdata/KNOWN_DIFFERENCES_LIBRARY.md")
	t.Logf("%d files in one library: %d entries read by bibtex, %d imported, %d skipped as the same entry, %d under another key; %d known differences",
		len(files), read, total.Imported, total.Duplicates, len(total.Renamed), n)
}

// corpusSource is a file of the corpus, imported into the whole-corpus library.
type corpusSource struct {
	rel  string
	orig []byte // the text bibtex and biber are given (see bibtest.Original)
	f    *bib.File
	// renamed maps a key the file gives an entry (lower case) to its key in the library, when
	// the import gave it another.
	renamed map[string]string
	// exports are the library's exports of the file's entries alone, as in outs.
	exports map[string][]byte
}

// corpusLibrary is every .bib file of the corpus imported into one library, and its exports.
type corpusLibrary struct {
	files []string
	srcs  []*corpusSource
	outs  map[string][]byte // "as written", "reformatted", "biblatex"
	total Report
	// lib stays open for exports of parts of the library; TestMain closes it and removes dir.
	lib *Library
	dir string
}

var whole struct {
	once sync.Once
	lib  *corpusLibrary
	err  error
}

// wholeCorpus imports every .bib file of the corpus, in order, into one new library (once for
// all the tests that need it) and exports it as written and reformatted.
func wholeCorpus(t *testing.T) *corpusLibrary {
	t.Helper()
	if testing.Short() {
		t.Skip("imports the whole corpus")
	}
	dir := bibtest.CorpusDir(t)
	files := bibtest.CorpusFiles(t, dir)
	whole.once.Do(func() { whole.lib, whole.err = importCorpus(dir, files) })
	if whole.err != nil {
		t.Fatal(whole.err)
	}
	return whole.lib
}

func importCorpus(dir string, files []string) (*corpusLibrary, error) {
	ctx := context.Background()
	w := &corpusLibrary{files: files, outs: map[string][]byte{}}
	tmp, err := os.MkdirTemp("", "wholecorpus")
	if err != nil {
		return nil, err
	}
	w.dir = tmp
	lib, err := Open(ctx, filepath.Join(tmp, "all.sqlite"))
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	w.lib = lib
	for _, rel := range files {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			return nil, err
		}
		f := bib.Parse(rel, data)
		s := &corpusSource{rel: rel, orig: bibtest.Original(data, f), f: f, renamed: map[string]string{}}
		rep, err := lib.Import(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("import %s: %w", rel, err)
		}
		for _, r := range rep.Renamed {
			if !r.InFile {
				s.renamed[strings.ToLower(r.Old)] = r.New
			}
		}
		w.total.Add(rep)
		w.srcs = append(w.srcs, s)
	}
	for mode, opts := range map[string]bib.WriteOptions{"as written": {}, "reformatted": {Reformat: true}, "biblatex": {Dialect: bib.BibLaTeX}} {
		var buf bytes.Buffer
		if _, err := lib.Export(ctx, &buf, ExportOptions{WriteOptions: opts}); err != nil {
			return nil, err
		}
		w.outs[mode] = buf.Bytes()
	}
	// Each file's entries alone, exported from the library (TestBiberCorpus).
	for _, s := range w.srcs {
		keys := s.libraryKeys()
		s.exports = map[string][]byte{}
		if len(keys) == 0 {
			continue
		}
		for mode, opts := range map[string]bib.WriteOptions{"as written": {}, "reformatted": {Reformat: true}, "biblatex": {Dialect: bib.BibLaTeX}} {
			var buf bytes.Buffer
			if _, err := lib.Export(ctx, &buf, ExportOptions{Keys: keys, WriteOptions: opts}); err != nil {
				return nil, err
			}
			s.exports[mode] = buf.Bytes()
		}
	}
	return w, nil
}

// libraryKeys returns the keys the library gave the file's entries, as it has them: SQLite
// matches keys regardless of case in ASCII only.
func (s *corpusSource) libraryKeys() []string {
	var keys []string
	for _, e := range s.f.Entries() {
		if to, ok := s.renamed[strings.ToLower(e.Key)]; ok {
			keys = append(keys, to)
		} else if e.Key != "" {
			keys = append(keys, e.Key)
		}
	}
	return keys
}

// closeWholeCorpus closes the library of wholeCorpus, if a test made it, and removes it.
func closeWholeCorpus() {
	if whole.lib != nil {
		whole.lib.lib.Close()
		os.RemoveAll(whole.lib.dir)
	}
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
		return "  " + m[1] + " = {" + oldKeys(m[2], back) + "}"
	})
}

// oldKeys returns a comma-separated list of keys in lower case, each key that the import
// renamed given as its file gave it (back maps a new key, in lower case, to the old).
func oldKeys(list string, back map[string]string) string {
	keys := strings.Split(strings.ToLower(list), ",")
	for i, k := range keys {
		if old, ok := back[strings.TrimSpace(k)]; ok {
			keys[i] = strings.Replace(k, strings.TrimSpace(k), old, 1)
		}
	}
	return strings.Join(keys, ",")
}
