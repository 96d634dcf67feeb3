package csl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
)

// needPandoc skips the test when pandoc is missing, or fails it when CI is set.
func needPandoc(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pandoc"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pandoc is not installed: run ./dev deps --test")
		}
		t.Skip("pandoc is not installed: run ./dev deps --test")
	}
}

// pandocCSL returns pandoc's CSL-JSON of a .bib file, or nil when pandoc cannot read it (its
// BibTeX reader stops at syntax biber accepts, such as a key with parentheses) or takes over 20
// seconds (it takes minutes on some crossref chains).
func pandocCSL(t *testing.T, path string) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "pandoc", "-f", "bibtex", "-t", "csljson", path).Output()
	if err != nil {
		t.Logf("pandoc %s: %v: file left out", path, err)
		return nil
	}
	return decodeItems(t, out)
}

func decodeItems(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var items []map[string]any
	if err := json.Unmarshal(b, &items); err != nil {
		t.Fatalf("decode csl-json: %v", err)
	}
	return items
}

// corpusSample is the corpus files of the differential test: every file of the corpus, sorted,
// in UTF-8, of at most 64 KB (pandoc takes minutes on some larger ones) and 2 to 200 entries, taken at an even
// stride so that each source of the corpus (beebe's TeX bibliographies, biber's and JabRef's test
// files, bibtex-tidy, citation-js...) is represented; 40 files.
func corpusSample(t *testing.T) (dir string, files []string) {
	dir = bibtest.CorpusDir(t)
	all := bibtest.CorpusFiles(t, dir)
	stride := len(all) / 60
	for i := 0; i < len(all) && len(files) < 40; i += stride {
		for j := i; j < min(i+stride, len(all)); j++ {
			src, err := os.ReadFile(filepath.Join(dir, all[j]))
			if err != nil || !utf8Text(src) || len(src) > 64<<10 {
				continue
			}
			if n := len(bib.Parse(all[j], src).Entries()); n >= 2 && n <= 200 {
				files = append(files, all[j])
				break
			}
		}
	}
	return dir, files
}

func utf8Text(b []byte) bool {
	return bytes.IndexByte(b, 0) < 0 && strings.ToValidUTF8(string(b), "") == string(b)
}

var tags = regexp.MustCompile(`</?(i|b|sup|sub|span)[^>]*>`)

// normalise is the comparison's view of a value, applying the rules of the table "Rules" in
// testdata/KNOWN_DIFFERENCES.md: markup and case (rule case), typographic variants of dashes,
// quotes and spaces (rule typography), white space.
func normalise(v any) string {
	b, _ := json.Marshal(v)
	if s, ok := v.(string); ok {
		b = []byte(s)
	}
	s := tags.ReplaceAllString(string(b), "")
	s = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "–", "-", "—", "-", "“", `"`, "”", `"`, "‘", "'", "’", "'", "\u00a0", " ", `\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		return unicode.ToLower(r)
	}, norm.NFC.String(s))
	return strings.Join(strings.Fields(s), " ")
}

// compare returns the variables whose values differ between pandoc's item and Write's, with the
// two values, after normalise and the rules.
func compare(want, got map[string]any) map[string]string {
	diffs := map[string]string{}
	vars := map[string]bool{}
	for k := range want {
		vars[k] = true
	}
	for k := range got {
		vars[k] = true
	}
	for k := range vars {
		w, g := want[k], got[k]
		// Rule empty: pandoc writes "" (or []) for a field it reads as empty, Write nothing.
		if g == nil && (normalise(w) == "" || normalise(w) == "[]") {
			continue
		}
		// Rule type: Pandoc writes "" for misc and types it does not know, Write "document".
		if k == "type" && w == "" && g == "document" {
			continue
		}
		// Rule year: pandoc 2.17 writes an empty date for a year it cannot read as a number.
		if d, ok := w.(map[string]any); ok && len(d) == 1 {
			if ps, ok := d["date-parts"].([]any); ok && len(ps) == 0 {
				if gd, ok := g.(map[string]any); ok && gd["literal"] != nil {
					continue
				}
			}
		}
		// Rule title-short: pandoc derives a short title from the title up to its colon; the
		// derivation runs on its sentence-cased title.
		if k == "title-short" && w != nil && g != nil {
			if strings.HasPrefix(normalise(got["title"]), normalise(w)) {
				continue
			}
		}
		if normalise(w) != normalise(g) {
			diffs[k] = fmt.Sprintf("pandoc %.200s, csl %.200s", normalise(w), normalise(g))
		}
	}
	return diffs
}

func writeCSL(t *testing.T, entries []*bib.Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, entries); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// differ adds to d, per variable, the items of a file whose Write output differs from pandoc's.
func differ(t *testing.T, d *bibtest.Differences, file string, want, got []map[string]any) {
	t.Helper()
	byID := map[string]map[string]any{}
	for _, it := range got {
		byID[fmt.Sprint(it["id"])] = it
	}
	per := map[string][]string{}
	for _, w := range want {
		id := fmt.Sprint(w["id"])
		g, ok := byID[id]
		if !ok {
			d.Add(file, "entries", fmt.Sprintf("pandoc has %s, Write has not", id))
			continue
		}
		for k, why := range compare(w, g) {
			per[k] = append(per[k], id+": "+why)
		}
	}
	for k, v := range per {
		sort.Strings(v)
		d.Add(file, k, fmt.Sprintf("%d items, first %s", len(v), v[0]))
	}
}

// TestPandocOracle compares Write with `pandoc -f bibtex -t csljson` on the sample library and 40
// files of the corpus, variable by variable after normalising (testdata/KNOWN_DIFFERENCES.md);
// it fails on a difference not listed there, and on a listed one that no longer happens.
func TestPandocOracle(t *testing.T) {
	needPandoc(t)
	known := bibtest.KnownDifferences(t, "testdata/KNOWN_DIFFERENCES.md")
	var d bibtest.Differences
	sample := filepath.Join("..", "..", "assets", "sample-library.bib")
	src, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name, path string, src []byte) {
		f := bib.Parse(name, src)
		differ(t, &d, name, pandocCSL(t, path), decodeItems(t, writeCSL(t, f.Entries())))
	}
	check("assets/sample-library.bib", sample, src)
	dir, files := corpusSample(t)
	t.Logf("%d corpus files: %s", len(files), strings.Join(files, " "))
	bibtest.Parallel(files, func(file string) {
		src, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Error(err)
			return
		}
		check(file, filepath.Join(dir, file), src)
	})
	n := d.Check(t, known, "testdata/KNOWN_DIFFERENCES.md")
	t.Logf("%d known differences", n)
}
