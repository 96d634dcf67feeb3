package ris

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
)

// corpusTag is a RIS tag line as the corpus test counts records, written apart from the
// parser's own scanner: a capital letter and a capital or digit, spaces, a dash, then a space
// or the end of the line.
var corpusTag = regexp.MustCompile(`^([A-Z][A-Z0-9])[ \t]*-(?:[ \t]|$)`)

// countRecords counts a RIS text's records as Zotero's RISReader finds them: each TY starts
// one; tags before a TY that follow an ER (or start the file) make a record without TY.
func countRecords(text string) (records int, titled map[int]bool) {
	titled = map[int]bool{}
	inRecord, pending := false, false
	cur := 0 // the index of the record the tags belong to
	text = strings.TrimPrefix(text, "\ufeff")
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		m := corpusTag.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		switch m[1] {
		case "TY":
			if pending {
				records++
			}
			cur = records
			records++
			inRecord, pending = true, false
		case "ER":
			if pending {
				records++
			}
			inRecord, pending = false, false
		default:
			if !inRecord && !pending {
				pending, cur = true, records
			}
			if v := strings.TrimSpace(line[len(m[0]):]); v != "" && (m[1] == "TI" || m[1] == "T1") {
				titled[cur] = true
			}
		}
	}
	if pending {
		records++
	}
	return records, titled
}

// TestCorpus parses every .ris file of the shared corpus in place: no record may be lost (as
// many entries as records, counted apart from the parser), no entry may lack a title whose
// record has one, no problem may be an error, and every problem must name its file and line.
func TestCorpus(t *testing.T) {
	dir := bibtest.CorpusDir(t)
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.EqualFold(filepath.Ext(path), ".ris") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("only %d .ris files in the corpus at %s", len(files), dir)
	}
	total := 0
	for _, path := range files {
		rel, _ := filepath.Rel(dir, path)
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f := Parse(rel, src)
		text, _ := decode(rel, src)
		records, titled := countRecords(text)
		entries := f.Entries()
		total += len(entries)
		if len(entries) != records {
			t.Errorf("%s: %d entries from %d records", rel, len(entries), records)
			continue
		}
		for i, e := range entries {
			if titled[i] && e.Get("title") == "" {
				t.Errorf("%s:%d: the record has a title, the entry none:\n%s", rel, e.Line, bib.Format(e))
			}
			if err := bib.CheckType(e.Type); err != nil {
				t.Errorf("%s:%d: %v", rel, e.Line, err)
			}
		}
		for _, p := range f.Problems {
			if p.File != rel || p.Line < 1 {
				t.Errorf("problem without its place: %#v", p)
			}
			if p.Severity == bib.Error {
				t.Errorf("%v", p)
			}
		}
	}
	t.Logf("%d .ris files, %d entries", len(files), total)
}
