package ris

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
)

// TestReaderAsParse reads every test file and every .ris file of the corpus with a Reader, asking
// for its problems on the way: it must give Parse's entries and problems, and estimate as many
// records as the file has TY lines.
func TestReaderAsParse(t *testing.T) {
	var files []string
	for _, dir := range []string{"testdata", bibtest.CorpusDir(t)} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.EqualFold(filepath.Ext(path), ".ris") || strings.Contains(path, "fuzz")) {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 40 {
		t.Fatalf("only %d files", len(files))
	}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := Parse(path, src)
		r := NewReader(path, src)
		var items []bib.Item
		for it, ok := r.Next(); ok; it, ok = r.Next() {
			items = append(items, it)
			_ = r.Problems()
		}
		if !reflect.DeepEqual(items, want.Items) {
			t.Errorf("%s: the Reader gives %d items, Parse %d, or other ones", path, len(items), len(want.Items))
		}
		if got := r.Problems(); !reflect.DeepEqual(got, want.Problems) {
			t.Errorf("%s: the Reader's problems:\n%v\nParse's:\n%v", path, got, want.Problems)
		}
		if _, ok := r.Next(); ok {
			t.Errorf("%s: Next gives an item after the end", path)
		}
		text, _ := decode(path, src)
		ty := 0
		for _, line := range strings.FieldsFunc(text, func(c rune) bool { return c == '\n' || c == '\r' }) {
			if m := corpusTag.FindStringSubmatch(strings.TrimLeft(line, " \t\ufeff")); m != nil && m[1] == "TY" {
				ty++
			}
		}
		if est := r.Estimate(); est != ty {
			t.Errorf("%s: Estimate %d, %d TY lines", path, est, ty)
		}
	}
}
