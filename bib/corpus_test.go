package bib

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
)

// corpusDir holds real .bib files from other projects; the tests read them in place.
const corpusDir = "../../shared/corpus"

// TestCorpusRoundTrip parses every .bib file of the corpus and writes it back in both modes
// (untouched entries as written, and every entry reformatted), then has the real bibtex program
// dump every field of every entry of the original and of each output: the dumps must be
// identical, and every entry bibtex reads from the original must be in the parsed file. Any
// difference not listed in testdata/KNOWN_DIFFERENCES.md fails the test, and so does a listed
// difference that no longer happens.
func TestCorpusRoundTrip(t *testing.T) {
	files := corpusFiles(t)
	if _, err := exec.LookPath("bibtex"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("bibtex is not installed: run ./dev deps --test")
		}
		t.Skip("bibtex is not installed: run ./dev deps --test")
	}
	known := readKnownDifferences(t)

	type result struct {
		file   string
		kind   string // "default", "reformat" or "import"
		detail string
	}
	var (
		mu       sync.Mutex
		found    []result
		nEntries int
	)
	report := func(file, kind, detail string) {
		mu.Lock()
		found = append(found, result{file, kind, detail})
		mu.Unlock()
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, rel := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			src, err := os.ReadFile(filepath.Join(corpusDir, rel))
			if err != nil {
				report(rel, "read", err.Error())
				return
			}
			f := Parse(rel, src)
			orig := src
			if !isUTF8Text(src) {
				// bibtex reads bytes; compare it on the text the parser decoded.
				orig = []byte(textOf(f))
			}
			outs := map[string][]byte{}
			for _, mode := range []string{"default", "reformat"} {
				var buf bytes.Buffer
				if err := WriteFile(&buf, f, WriteOptions{Reformat: mode == "reformat"}); err != nil {
					report(rel, mode, err.Error())
					return
				}
				outs[mode] = buf.Bytes()
			}
			bst := dumpStyle(append([][]byte{orig}, outs["default"], outs["reformat"]), f)
			want, err := runDump(orig, bst)
			if err != nil {
				report(rel, "bibtex", err.Error())
				return
			}
			mu.Lock()
			nEntries += len(dumpKeys(want))
			mu.Unlock()
			if missing := missingKeys(dumpKeys(want), f); len(missing) > 0 {
				report(rel, "import", fmt.Sprintf("%d entries bibtex reads are not parsed: %s", len(missing), strings.Join(first(missing, 5), ", ")))
			}
			for _, mode := range []string{"default", "reformat"} {
				got, err := runDump(outs[mode], bst)
				if err != nil {
					report(rel, mode, err.Error())
					continue
				}
				if d := dumpDiff(want, got); d != "" {
					report(rel, mode, d)
				}
			}
		}()
	}
	wg.Wait()

	sort.Slice(found, func(i, j int) bool {
		if found[i].file != found[j].file {
			return found[i].file < found[j].file
		}
		return found[i].kind < found[j].kind
	})
	seen := map[[2]string]bool{}
	for _, r := range found {
		seen[[2]string{r.file, r.kind}] = true
		if _, ok := known[[2]string{r.file, r.kind}]; !ok {
			t.Errorf("%s (%s): %s", r.file, r.kind, r.detail)
		}
	}
	for k := range known {
		if !seen[k] {
			t.Errorf("%s (%s) is listed in testdata/KNOWN_DIFFERENCES.md but no longer differs: remove it", k[0], k[1])
		}
	}
	t.Logf("%d files, %d entries read by bibtex, %d known differences", len(files), nEntries, len(known))
}

func corpusFiles(t *testing.T) []string {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("corpus missing: %v", err)
		}
		t.Skipf("corpus missing: %v", err)
	}
	var files []string
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".bib", ".bibtex", ".biblatex":
			rel, _ := filepath.Rel(corpusDir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 500 {
		t.Fatalf("only %d .bib files in the corpus", len(files))
	}
	sort.Strings(files)
	return files
}

// readKnownDifferences reads the table rows "| file | kind | reason |" of KNOWN_DIFFERENCES.md.
func readKnownDifferences(t *testing.T) map[[2]string]string {
	t.Helper()
	data, err := os.ReadFile("testdata/KNOWN_DIFFERENCES.md")
	if err != nil {
		t.Fatal(err)
	}
	known := map[[2]string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
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

func isUTF8Text(b []byte) bool {
	return !bytes.HasPrefix(b, []byte{0xff, 0xfe}) && !bytes.HasPrefix(b, []byte{0xfe, 0xff}) &&
		!bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}) && utf8.Valid(b)
}

func textOf(f *File) string {
	var b strings.Builder
	for _, it := range f.Items {
		b.WriteString(it.Raw)
	}
	return b.String()
}

var (
	typeRE  = regexp.MustCompile(`(?m)^[ \t]*@[ \t]*([A-Za-z]+)`)
	fieldRE = regexp.MustCompile(`(?m)^[ \t]*([A-Za-z][A-Za-z0-9_.:+-]*)[ \t]*=`)
	idRE    = regexp.MustCompile(`^[a-z][a-z0-9_.:+-]*$`)
)

// dumpStyle returns a BibTeX style that writes every field of every entry as bibtex sees it
// (macros expanded, # joined, braces kept), sorted by key: the field and type names come from
// the texts and from the parsed file.
func dumpStyle(texts [][]byte, f *File) string {
	types, fields := map[string]bool{}, map[string]bool{}
	for _, text := range texts {
		for _, m := range typeRE.FindAllSubmatch(text, -1) {
			types[strings.ToLower(string(m[1]))] = true
		}
		for _, m := range fieldRE.FindAllSubmatch(text, -1) {
			fields[strings.ToLower(string(m[1]))] = true
		}
	}
	for _, e := range f.Entries() {
		types[e.Type] = true
		for _, fl := range e.Fields {
			fields[fl.Name] = true
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
	for i, m := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		fmt.Fprintf(&b, "MACRO {%s} {\"%s\"}\n", m, []string{"January", "February", "March", "April", "May", "June",
			"July", "August", "September", "October", "November", "December"}[i])
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

// runDump runs bibtex with the dump style on a .bib text and returns the .bbl.
func runDump(bibText []byte, bst string) (string, error) {
	dir, err := os.MkdirTemp("", "bibdump")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	aux := "\\citation{*}\n\\bibstyle{dumpall}\n\\bibdata{refs}\n"
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

func dumpKeys(bbl string) []string {
	var keys []string
	for _, m := range dumpKeyRE.FindAllStringSubmatch(bbl, -1) {
		keys = append(keys, m[1])
	}
	return keys
}

func missingKeys(keys []string, f *File) []string {
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

// dumpDiff describes how two dumps differ: the first entries whose dump differs.
func dumpDiff(want, got string) string {
	if want == got {
		return ""
	}
	split := func(s string) map[string]string {
		m := map[string]string{}
		for _, block := range strings.Split(s, "\n}\n") {
			if k := dumpKeys(block + "\n"); len(k) == 1 {
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
	return fmt.Sprintf("%d entries differ: %s%s", len(keys), strings.Join(first(keys, 5), ", "), detail)
}

func clip(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

func first(s []string, n int) []string {
	return slices.Clone(s[:min(n, len(s))])
}
