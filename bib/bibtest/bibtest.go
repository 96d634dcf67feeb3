// Package bibtest helps tests compare what the real bibtex program makes of two .bib files, and
// find the shared corpus of real .bib files. It is for tests only.
package bibtest

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
)

// CorpusDir returns the shared corpus of real .bib files, ../shared/corpus beside the module's
// root. When it is missing the test is skipped, or fails when CI is set.
func CorpusDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the test's folder")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus")
	if _, err := os.Stat(corpus); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("corpus missing: %v", err)
		}
		tb.Skipf("corpus missing: %v", err)
	}
	return corpus
}

// CorpusFiles returns the corpus's .bib, .bibtex and .biblatex files, relative to dir, sorted.
func CorpusFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".bib", ".bibtex", ".biblatex":
			rel, _ := filepath.Rel(dir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) < 500 {
		tb.Fatalf("only %d .bib files in the corpus", len(files))
	}
	sort.Strings(files)
	return files
}

// NeedBibtex skips the test when the bibtex program is missing, or fails it when CI is set.
func NeedBibtex(tb testing.TB) {
	tb.Helper()
	needProgram(tb, "bibtex")
}

// needProgram skips the test when a program ./dev deps --test installs is missing, or fails it
// when CI is set.
func needProgram(tb testing.TB, name string) {
	tb.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal(name + " is not installed: run ./dev deps --test")
		}
		tb.Skip(name + " is not installed: run ./dev deps --test")
	}
}

// KnownDifferences reads the table rows "| `file` | kind, kind | reason |" of a Markdown file.
func KnownDifferences(tb testing.TB, path string) map[[2]string]string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	known := map[[2]string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) < 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		file := strings.Trim(strings.TrimSpace(cells[1]), "`")
		for _, kind := range strings.Split(strings.TrimSpace(cells[2]), ",") {
			known[[2]string{file, strings.TrimSpace(kind)}] = strings.TrimSpace(cells[3])
		}
	}
	return known
}

// Original returns the text bibtex should be given for a file's bytes: the bytes themselves when
// they are plain UTF-8, else the text the parser decoded (bibtex reads bytes, and the exports are
// UTF-8). A NUL byte in the first 4 KiB may be UTF-16 without a byte-order mark; when it is not,
// the text decoded is the bytes.
func Original(src []byte, f *bib.File) []byte {
	if !bytes.HasPrefix(src, []byte{0xff, 0xfe}) && !bytes.HasPrefix(src, []byte{0xfe, 0xff}) &&
		!bytes.HasPrefix(src, []byte{0xef, 0xbb, 0xbf}) && utf8.Valid(src) &&
		bytes.IndexByte(src[:min(len(src), 4096)], 0) < 0 {
		return src
	}
	var b strings.Builder
	for _, it := range f.Items {
		b.WriteString(it.Raw)
	}
	return []byte(b.String())
}

var (
	typeRE  = regexp.MustCompile(`(?m)^[ \t]*@[ \t]*([A-Za-z]+)`)
	fieldRE = regexp.MustCompile(`(?m)^[ \t]*([A-Za-z][A-Za-z0-9_.:+-]*)[ \t]*=`)
	idRE    = regexp.MustCompile(`^[a-z][a-z0-9_.:+-]*$`)
)

// DumpStyle returns a BibTeX style that writes every field of every entry as bibtex sees it
// (macros expanded, # joined, braces kept), sorted by key. The field and type names come from
// the texts and from the parsed file.
func DumpStyle(texts [][]byte, f *bib.File) string {
	return DumpStyleOf(texts, []*bib.File{f})
}

// DumpStyleOf is DumpStyle with the field and type names of several parsed files.
func DumpStyleOf(texts [][]byte, files []*bib.File) string {
	types, fields := map[string]bool{}, map[string]bool{}
	for _, text := range texts {
		for _, m := range typeRE.FindAllSubmatch(text, -1) {
			types[strings.ToLower(string(m[1]))] = true
		}
		for _, m := range fieldRE.FindAllSubmatch(text, -1) {
			fields[strings.ToLower(string(m[1]))] = true
		}
	}
	for _, f := range files {
		for _, e := range f.Entries() {
			types[e.Type] = true
			for _, fl := range e.Fields {
				fields[fl.Name] = true
			}
		}
	}
	for _, skip := range []string{"string", "preamble", "comment"} {
		delete(types, skip)
	}
	delete(fields, "crossref")
	var ts, fs []string
	for k := range fields {
		if idRE.MatchString(k) {
			fs = append(fs, k)
		}
	}
	for k := range types {
		// A type named like a field would clash with it; such entries use default.type.
		if idRE.MatchString(k) && !fields[k] {
			ts = append(ts, k)
		}
	}
	sort.Strings(ts)
	sort.Strings(fs)
	var b strings.Builder
	fmt.Fprintf(&b, "ENTRY {\n  %s\n} {} { }\n\n", strings.Join(fs, " "))
	names := []string{"January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December"}
	for _, name := range names {
		fmt.Fprintf(&b, "MACRO {%s} {%q}\n", strings.ToLower(name[:3]), name)
	}
	b.WriteString(`
FUNCTION {zz.fld}
{ duplicate$ empty$
    { pop$ pop$ }
    { swap$ "  " swap$ * " = {" * swap$ * "}" * write$ newline$ }
  if$
}

FUNCTION {zz.dump}
{ "@" type$ * "{" * cite$ * "," * write$ newline$
`)
	for _, fl := range append(fs, "crossref") {
		fmt.Fprintf(&b, "  %q %s zz.fld\n", fl, fl)
	}
	b.WriteString("  \"}\" write$ newline$\n}\n\n")
	for _, ty := range ts {
		fmt.Fprintf(&b, "FUNCTION {%s} { zz.dump }\n", ty)
	}
	b.WriteString(`FUNCTION {default.type} { zz.dump }

FUNCTION {zz.presort} { cite$ "l" change.case$ 'sort.key$ := }

FUNCTION {zz.preamble} { "@preamble{" preamble$ * "}" * write$ newline$ }

READ
EXECUTE {zz.preamble}
ITERATE {zz.presort}
SORT
ITERATE {call.type$}
`)
	return b.String()
}

// Dump runs bibtex with a DumpStyle style on a .bib text and returns the .bbl it made.
func Dump(bibText []byte, bst string) (string, error) {
	return DumpCiting(bibText, bst, "*")
}

// DumpCiting is Dump of a document that cites keys ("*" every entry). With \cite{*} bibtex knows
// every entry as cited before it reads the file, and finds an entry's crossref wherever it is;
// an entry cited only through the crossref of another, as in most documents, it finds only when
// the entry comes after those that cross-reference it.
func DumpCiting(bibText []byte, bst string, keys ...string) (string, error) {
	dir, err := os.MkdirTemp("", "bibdump")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	var aux string
	for _, k := range keys {
		aux += "\\citation{" + k + "}\n"
	}
	aux += "\\bibstyle{dumpall}\n\\bibdata{refs}\n"
	for name, data := range map[string][]byte{"refs.bib": bibText, "dumpall.bst": []byte(bst), "doc.aux": []byte(aux)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	cmd := exec.Command("bibtex", "-terse", "doc")
	cmd.Dir = dir
	out, runErr := cmd.CombinedOutput()
	bbl, err := os.ReadFile(filepath.Join(dir, "doc.bbl"))
	if err != nil {
		return "", fmt.Errorf("bibtex made no .bbl: %v\n%s", runErr, out)
	}
	return string(bbl), nil
}

var dumpKeyRE = regexp.MustCompile(`(?m)^@[^{\n]*\{(.*),$`)

// DumpKeys returns the keys of the entries in a dump, in its order.
func DumpKeys(bbl string) []string {
	var keys []string
	for _, m := range dumpKeyRE.FindAllStringSubmatch(bbl, -1) {
		keys = append(keys, m[1])
	}
	return keys
}

// RenameKeys renames the entries of a dump: old key to new key.
func RenameKeys(dump string, rename map[string]string) string {
	if len(rename) == 0 {
		return dump
	}
	lines := strings.SplitAfter(dump, "\n")
	for i, line := range lines {
		m := dumpKeyRE.FindStringSubmatchIndex(line)
		if m == nil {
			continue
		}
		if to, ok := rename[line[m[2]:m[3]]]; ok {
			lines[i] = line[:m[2]] + to + line[m[3]:]
		}
	}
	return strings.Join(lines, "")
}

// Blocks splits a dump into its entries' dumps, by lower-case key. The first of two entries
// whose keys differ only in case keeps the key.
func Blocks(dump string) map[string]string {
	m := map[string]string{}
	for _, block := range strings.Split(dump, "\n}\n") {
		if k := DumpKeys(block + "\n"); len(k) == 1 {
			key := strings.ToLower(k[0])
			if _, ok := m[key]; !ok {
				m[key] = block[dumpKeyRE.FindStringIndex(block + "\n")[0]:]
			}
		}
	}
	return m
}

// DropKeys returns a dump without the entries of the given keys (case-insensitive).
func DropKeys(dump string, keys []string) string {
	if len(keys) == 0 {
		return dump
	}
	drop := map[string]bool{}
	for _, k := range keys {
		drop[strings.ToLower(k)] = true
	}
	blocks := strings.SplitAfter(dump, "\n}\n")
	out := blocks[:0]
	for _, block := range blocks {
		if m := dumpKeyRE.FindStringSubmatchIndex(block); m != nil && drop[strings.ToLower(block[m[2]:m[3]])] {
			// The block may start with the text before its entry (the preamble): keep that.
			out = append(out, block[:m[0]])
			continue
		}
		out = append(out, block)
	}
	return strings.Join(out, "")
}

// Diff describes how two dumps differ: how many entries, the first few keys, and the first
// entry's two dumps. It is empty when they are the same.
func Diff(want, got string) string {
	if want == got {
		return ""
	}
	split := func(s string) map[string]string {
		m := map[string]string{}
		for _, block := range strings.Split(s, "\n}\n") {
			if k := DumpKeys(block + "\n"); len(k) == 1 {
				m[k[0]] += block
			}
		}
		return m
	}
	w, g := split(want), split(got)
	var keys []string
	for k := range w {
		if g[k] != w[k] {
			keys = append(keys, k)
		}
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return "the dumps differ outside entries (preamble or order)"
	}
	detail := ""
	if k := keys[0]; w[k] != "" && g[k] != "" {
		detail = fmt.Sprintf("; first: %q\nwant %q\ngot  %q", k, clip(w[k]), clip(g[k]))
	}
	return fmt.Sprintf("%d entries differ: %s%s", len(keys), strings.Join(First(keys, 5), ", "), detail)
}

func clip(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

// First returns up to n elements of s.
func First(s []string, n int) []string {
	return slices.Clone(s[:min(n, len(s))])
}

// Differences collects the differences a corpus test finds, safely from several goroutines.
type Differences struct {
	mu    sync.Mutex
	found map[[2]string]string
}

// Add records that file differs in a kind of check.
func (d *Differences) Add(file, kind, detail string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.found == nil {
		d.found = map[[2]string]string{}
	}
	d.found[[2]string{file, kind}] = detail
}

// Check fails the test for each difference that known does not list, and for each listed one
// that no longer happens. It returns the number of differences found.
func (d *Differences) Check(tb testing.TB, known map[[2]string]string, listedIn string) int {
	tb.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	var keys [][2]string
	for k := range d.found {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		if _, ok := known[k]; !ok {
			tb.Errorf("%s (%s): %s", k[0], k[1], d.found[k])
		}
	}
	for k := range known {
		if _, ok := d.found[k]; !ok {
			tb.Errorf("%s (%s) is listed in %s but no longer differs: remove it", k[0], k[1], listedIn)
		}
	}
	return len(d.found)
}

// Parallel calls fn for each item, as many at once as GOMAXPROCS allows, and waits for all.
func Parallel[T any](items []T, fn func(T)) {
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(it)
		}()
	}
	wg.Wait()
}
