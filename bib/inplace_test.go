package bib_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
)

var editAll = flag.Bool("editall", false, "TestEditCorpus: edit every entry of the corpus, not the first 10 of each file")

// aligned is an entry as a reference manager or a careful author writes it: the = of its fields
// in one column, a name in mixed case, a quoted value and a # join.
const aligned = `@Article{smith2020,
  author        = {Smith, John and Doe, Jane},
  title         = "A Study of {BibTeX} Files",
  journal       = jacm # " (online)",
  year          = 2020,
  eprint        = {2001.00001},
  archivePrefix = {arXiv},
  primaryClass  = {cs.DL},
}`

// edit is one edit of an entry, as the window makes them.
type edit struct {
	op          string // set, delete or setraw
	name, value string
}

func (ed edit) apply(t testing.TB, e *bib.Entry) {
	t.Helper()
	if err := ed.do(e); err != nil {
		t.Fatal(err)
	}
}

func (ed edit) do(e *bib.Entry) error {
	switch ed.op {
	case "set":
		return e.Set(ed.name, ed.value)
	case "delete":
		if !e.Delete(ed.name) {
			return fmt.Errorf("Delete(%q) = false", ed.name)
		}
	case "setraw":
		return e.SetRaw(ed.name, ed.value)
	}
	return nil
}

func TestEditInPlace(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		edits     []edit
		want      string // the entry's text after the edits; "" for the canonical form
	}{
		{"a value in an aligned entry", aligned, []edit{{"set", "title", "A Study of {BibTeX}"}},
			strings.Replace(aligned, `"A Study of {BibTeX} Files"`, `{A Study of {BibTeX}}`, 1)},
		{"a name's case stays", aligned, []edit{{"set", "archiveprefix", "arXiv.org"}},
			strings.Replace(aligned, "archivePrefix = {arXiv}", "archivePrefix = {arXiv.org}", 1)},
		{"a field removed with its line", aligned, []edit{{"delete", "YEAR", ""}},
			strings.Replace(aligned, "  year          = 2020,\n", "", 1)},
		{"a field added in the = column", aligned, []edit{{"set", "doi", "10.1145/1"}},
			strings.Replace(aligned, "  eprint", "  doi           = {10.1145/1},\n  eprint", 1)},
		{"a month added as the macro", aligned, []edit{{"set", "month", "Sep"}},
			strings.Replace(aligned, "  eprint", "  month         = sep,\n  eprint", 1)},
		{"a field added last, with the trailing comma", aligned, []edit{{"set", "keywords", "tools"}},
			strings.Replace(aligned, "cs.DL},\n", "cs.DL},\n  keywords      = {tools},\n", 1)},
		{"a name that fits the column", aligned, []edit{{"set", "howpublished", "online"}},
			strings.Replace(aligned, "  eprint", "  howpublished  = {online},\n  eprint", 1)},
		{"a name longer than the column", aligned, []edit{{"set", "x-a-longer-name", "v"}},
			strings.Replace(aligned, "cs.DL},\n", "cs.DL},\n  x-a-longer-name = {v},\n", 1)},
		{"three edits, three lines", aligned, []edit{{"set", "year", "2021"}, {"delete", "primaryclass", ""}, {"set", "doi", "10.1/x"}},
			"@Article{smith2020,\n  author        = {Smith, John and Doe, Jane},\n  title         = \"A Study of {BibTeX} Files\",\n" +
				"  journal       = jacm # \" (online)\",\n  year          = {2021},\n  doi           = {10.1/x},\n  eprint        = {2001.00001},\n" +
				"  archivePrefix = {arXiv},\n}"},
		{"no trailing comma: the last field gains one", "@book{k,\n  title = {T},\n  year = {2001}\n}", []edit{{"set", "note", "n"}},
			"@book{k,\n  title = {T},\n  year = {2001},\n  note = {n}\n}"},
		{"no trailing comma: the last field goes", "@book{k,\n  title = {T},\n  year = {2001}\n}", []edit{{"delete", "year", ""}},
			"@book{k,\n  title = {T},\n}"},
		{"the brace on the last field's line", "@book{k,\n  title = {T},\n  year = 2001}", []edit{{"set", "note", "n"}},
			"@book{k,\n  title = {T},\n  year = 2001,\n  note = {n}}"},
		{"the brace on the last field's line, removed", "@book{k,\n  title = {T},\n  year = 2001}", []edit{{"delete", "year", ""}},
			"@book{k,\n  title = {T}}"},
		{"tabs and no spaces around =", "@misc{k,\n\ttitle={T},\n\tyear={2001},\n}", []edit{{"set", "author", "A"}},
			"@misc{k,\n\tauthor={A},\n\ttitle={T},\n\tyear={2001},\n}"},
		{"CRLF lines", "@misc{k,\r\n  title = {T},\r\n}", []edit{{"set", "year", "2001"}},
			"@misc{k,\r\n  title = {T},\r\n  year = {2001},\r\n}"},
		{"parentheses", "@misc(k,\n  title = {T},\n  year = 2001\n)", []edit{{"set", "title", "U"}, {"set", "author", "A"}},
			"@misc(k,\n  author = {A},\n  title = {U},\n  year = 2001\n)"},
		{"a value of several lines", "@misc{k,\n  title = {T},\n  abstract = {One\n    two\n    three},\n  year = 2001,\n}", []edit{{"delete", "abstract", ""}},
			"@misc{k,\n  title = {T},\n  year = 2001,\n}"},
		{"one line: a value", "@misc{k, title = {T}, year = 2001}", []edit{{"set", "title", "U"}}, "@misc{k, title = {U}, year = 2001}"},
		{"one line: the first field goes", "@misc{k, title = {T}, year = 2001}", []edit{{"delete", "title", ""}}, "@misc{k, year = 2001}"},
		{"one line: the last field goes", "@misc{k, title = {T}, year = 2001}", []edit{{"delete", "year", ""}}, "@misc{k, title = {T}}"},
		{"one line: a field added is canonical", "@misc{k, title = {T}, year = 2001}", []edit{{"set", "note", "n"}}, ""},
		{"fields that share a line", "@misc{k,\n  title = {T}, year = 2001,\n  note = {n},\n}", []edit{{"delete", "title", ""}},
			"@misc{k,\n  year = 2001,\n  note = {n},\n}"},
		{"comma first", "@misc{k,\n  title = {T}\n  , year = 2001\n  , note = {n}\n}", []edit{{"delete", "title", ""}},
			"@misc{k,\n  year = 2001\n  , note = {n}\n}"},
		{"a repeated field: its first value", "@misc{k,\n  note = {1},\n  note = {2},\n}", []edit{{"set", "note", "3"}},
			"@misc{k,\n  note = {3},\n  note = {2},\n}"},
		{"a repeated field removed is canonical", "@misc{k,\n  note = {1},\n  title = {T},\n  note = {2},\n}", []edit{{"delete", "note", ""}}, ""},
		// bibtex stops reading the entry at the %: it is broken, and an edit writes what it read.
		{"a % comment between fields is canonical", "@misc{k,\n  title = {T},\n  % checked\n  year = 2001,\n}", []edit{{"set", "title", "U"}}, ""},
		{"SetRaw keeps quotes", aligned, []edit{{"setraw", "eprint", `"2001.00002"`}},
			strings.Replace(aligned, "{2001.00001}", `"2001.00002"`, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := parseOne(t, tc.src)
			canon := e.Clone()
			canon.Source = ""
			for _, ed := range tc.edits {
				ed.apply(t, e)
				ed.apply(t, canon)
			}
			want := tc.want
			if want == "" {
				want = bib.Format(canon)
			}
			if got := bib.Format(e); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			checkEdited(t, e, canon)
		})
	}
}

// TestEditSource checks what an edit keeps of a Source that is not the entry's text: a Source
// that does not read as the entry's fields is dropped.
func TestEditSource(t *testing.T) {
	e := parseOne(t, "@misc{k,\n  title = {T},\n}")
	e.Fields[0].Raw, e.Fields[0].Value = "{Other}", "Other"
	if err := e.Set("year", "2001"); err != nil {
		t.Fatal(err)
	}
	if e.Source != "" || e.Standalone {
		t.Errorf("Source = %q, Standalone = %v: want the canonical form", e.Source, e.Standalone)
	}
	e = parseOne(t, "@misc{k,\n  title = {T},\n  journal = jacm,\n}")
	if err := e.Set("title", "U"); err != nil {
		t.Fatal(err)
	}
	if e.Source == "" || e.Standalone {
		t.Errorf("a macro left: Source = %q, Standalone = %v; want it kept, and not standalone", e.Source, e.Standalone)
	}
	if !e.Delete("journal") || !e.Standalone {
		t.Errorf("no macro left: Standalone = false")
	}
	if err := e.Set("month", "feb"); err != nil || e.Standalone {
		t.Errorf("month = feb: Standalone = %v, want false (a month is a macro)", e.Standalone)
	}
}

func parseOne(t testing.TB, src string) *bib.Entry {
	t.Helper()
	es := bib.ParseString("t.bib", src).Entries()
	if len(es) != 1 {
		t.Fatalf("%d entries in %q", len(es), src)
	}
	return es[0]
}

// checkEdited checks an entry edited in place against the same edits of it in the canonical
// form: it reads alone as the canonical text does, with its fields in the same order, and it is
// Standalone only when its Source alone gives exactly its fields.
func checkEdited(t testing.TB, e, canon *bib.Entry) {
	t.Helper()
	if msg := editedProblem(e, canon); msg != "" {
		t.Error(msg)
	}
}

func editedProblem(e, canon *bib.Entry) string {
	got := bib.ParseString("", bib.Format(e)).Entries()
	want := bib.ParseString("", bib.Format(canon)).Entries()
	if len(got) != 1 || len(want) != 1 {
		return fmt.Sprintf("%d entries in the edited text, %d in the canonical one", len(got), len(want))
	}
	if !bib.SameReading(got[0], want[0]) || !slices.Equal(fieldNames(got[0]), fieldNames(want[0])) {
		return fmt.Sprintf("edited text reads otherwise than the canonical edit:\n%s\nwant as\n%s", bib.Format(e), bib.Format(canon))
	}
	if e.Standalone {
		g := got[0].Fields
		if !slices.EqualFunc(g, e.Fields, func(a, b bib.Field) bool {
			return a.Name == b.Name && a.Raw == b.Raw && a.Value == b.Value && a.Duplicate == b.Duplicate
		}) {
			return fmt.Sprintf("Standalone, but the Source alone gives %v, not %v", g, e.Fields)
		}
	}
	return ""
}

func fieldNames(e *bib.Entry) []string {
	var ns []string
	for _, f := range e.Fields {
		ns = append(ns, f.Name)
	}
	return ns
}

// lineBlocks returns the lines of a that b does not have and those of b that a does not have,
// as the half-open ranges of line indexes between their common first and last lines.
func lineBlocks(a, b string) (aFrom, aTo, bFrom, bTo int) {
	la, lb := strings.SplitAfter(a, "\n"), strings.SplitAfter(b, "\n")
	p := 0
	for p < len(la) && p < len(lb) && la[p] == lb[p] {
		p++
	}
	s := 0
	for s < len(la)-p && s < len(lb)-p && la[len(la)-1-s] == lb[len(lb)-1-s] {
		s++
	}
	return p, len(la) - s, p, len(lb) - s
}

// fieldLines returns the lines of src (0-based) that field f of the entry stands on, from its
// name's line to the end of its raw value, and whether it stands on them alone: its name first
// on its line, and nothing but a comma (comma) or nothing after its value on its last line.
func fieldLines(src string, entryLine int, f bib.Field) (from, to int, alone, comma, ok bool) {
	from = f.Line - entryLine
	off := 0
	for i := 0; i < from; i++ {
		j := strings.IndexByte(src[off:], '\n')
		if j < 0 {
			return 0, 0, false, false, false
		}
		off += j + 1
	}
	k := strings.Index(src[off:], f.Raw)
	if k < 0 {
		return 0, 0, false, false, false
	}
	end := off + k + len(f.Raw)
	rest, _, _ := strings.Cut(src[end:], "\n")
	first := strings.ToLower(strings.TrimLeft(src[off:], " \t"))
	alone = strings.HasPrefix(first, f.Name) && strings.Trim(rest, " \t\r,") == "" && strings.Count(rest, ",") <= 1 &&
		strings.Contains(src[end:], "\n")
	return from, from + strings.Count(src[off:end], "\n") + 1, alone, strings.Contains(rest, ","), true
}

// TestEditCorpus edits every field of the corpus's entries, one edit at a time: a new value, the
// field deleted, and a field added. Each edit must read alone as the canonical edit does, with
// the fields in the same order, and change only the lines of the field edited (and, for a field
// deleted last, of the field before it, whose comma may go; for a field added last, of the field
// before it, which may gain one). A field on lines of its own, with its comma or the last, must go
// with them and nothing else.
// The first 10 entries of each file are edited, all with -editall (half a minute; ./dev test
// runs the tests with -race).
func TestEditCorpus(t *testing.T) {
	dir := bibtest.CorpusDir(t)
	files := bibtest.CorpusFiles(t, dir)
	perFile := 10
	if *editAll {
		perFile = -1
	}
	start := time.Now()
	var mu sync.Mutex
	var entries, edits, kept int
	var fails []string
	bibtest.Parallel(files, func(rel string) {
		src, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Error(err)
			return
		}
		es := bib.Parse(rel, src).Entries()
		if perFile >= 0 {
			es = es[:min(len(es), perFile)]
		}
		n, k, msgs := editEntries(es)
		mu.Lock()
		defer mu.Unlock()
		entries, edits, kept = entries+len(es), edits+n, kept+k
		for _, m := range msgs {
			if len(fails) < 20 {
				fails = append(fails, rel+": "+m)
			}
		}
	})
	for _, f := range fails {
		t.Error(f)
	}
	// Only a broken entry, a repeated field removed or a field added to a one-line entry lose
	// their source: a few in a thousand.
	if kept < edits*98/100 {
		t.Errorf("%d of %d edits kept the source, want 98%% or more", kept, edits)
	}
	t.Logf("%d entries of %d files, %d edits, %d kept the source, in %v", entries, len(files), edits, kept, time.Since(start).Round(time.Millisecond))
}

// editEntries makes TestEditCorpus's edits of es and returns how many it made, how many kept
// the source, and what was wrong.
func editEntries(es []*bib.Entry) (edits, kept int, fails []string) {
	for _, e := range es {
		try := func(what string, lines func(before, after string) string, ed edit) {
			c, canon := e.Clone(), e.Clone()
			canon.Source = ""
			if err, cerr := ed.do(c), ed.do(canon); err != nil || cerr != nil {
				fails = append(fails, fmt.Sprintf("%s: %s: %v, %v", e.Key, what, err, cerr))
				return
			}
			edits++
			if msg := editedProblem(c, canon); msg != "" {
				fails = append(fails, e.Key+": "+what+": "+msg)
				return
			}
			if c.Source == "" || e.Source == "" {
				return
			}
			kept++
			if msg := lines(e.Source, c.Source); msg != "" {
				fails = append(fails, e.Key+": "+what+": "+msg+"\nbefore:\n"+e.Source+"\nafter:\n"+c.Source)
			}
		}
		for i, f := range e.Fields {
			if f.Duplicate {
				continue
			}
			own, ownTo, alone, comma, ok := fieldLines(e.Source, e.Line, f)
			if !ok {
				continue
			}
			from := own
			if i > 0 {
				if pf, _, _, _, pok := fieldLines(e.Source, e.Line, e.Fields[i-1]); pok {
					from = min(from, pf)
				}
			}
			try("set "+f.Name, func(before, after string) string {
				// A value replaced changes its own lines only.
				if af, at, _, _ := lineBlocks(before, after); af < own || at > ownTo {
					return fmt.Sprintf("lines %d-%d changed, not only %d-%d", af, at, own, ownTo)
				}
				return ""
			}, edit{"set", f.Name, "{N}ew value"})
			last := i == len(e.Fields)-1
			try("delete "+f.Name, func(before, after string) string {
				af, at, bf, bt := lineBlocks(before, after)
				if af < from || at > ownTo {
					return fmt.Sprintf("lines %d-%d changed, not only %d-%d", af, at, from, ownTo)
				}
				// A field on lines of its own goes with them, and nothing else changes.
				if alone && (comma || last) && (af != own || at != ownTo || bf != bt) {
					return fmt.Sprintf("lines %d-%d became %d-%d, want lines %d-%d removed", af, at, bf, bt, own, ownTo)
				}
				return ""
			}, edit{"delete", f.Name, ""})
		}
		for _, name := range []string{"author", "doi", "zz-added"} {
			if e.Field(name) != nil {
				continue
			}
			try("add "+name, func(before, after string) string {
				af, at, bf, bt := lineBlocks(before, after)
				// One new line, and at most the line before it (a comma added at the end).
				if bt-bf > at-af+1 || at-af > 1 {
					return fmt.Sprintf("lines %d-%d became %d-%d", af, at, bf, bt)
				}
				return ""
			}, edit{"set", name, "added"})
		}
	}
	return edits, kept, fails
}

// TestEditBibtex has the real bibtex read a file of entries edited in place and the same edits
// in the canonical form: it must read them alike.
func TestEditBibtex(t *testing.T) {
	bibtest.NeedBibtex(t)
	dir := bibtest.CorpusDir(t)
	srcs := [][]byte{[]byte("@string{jacm = \"Journal of the ACM\"}\n\n" + aligned + "\n\n" +
		"@book{k,\n  title = {T},\n  year = 2001}\n\n@misc(p,\n\ttitle={T},\n\tyear={2001},\n)\n\n" +
		"@misc{q, title = {T}, year = 2001}\n\n@misc{r,\r\n  title = {T},\r\n  note = {1}\r\n}\n")}
	for _, rel := range []string{"beebe-tex-bibs/texbook1.bib", "pybtex-tests/examples/xampl.bib", "jschaf-bibtex-vldb/parser/testdata/vldb.bib"} {
		src, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	var inPlace, canonical bytes.Buffer
	var edited, kept int
	var files []*bib.File
	for n, src := range srcs {
		f := bib.Parse(fmt.Sprint(n), src)
		files = append(files, f)
		for i, it := range f.Items {
			if it.Kind != bib.KindEntry {
				if it.Kind != bib.KindText {
					inPlace.WriteString(it.Raw + "\n\n")
					canonical.WriteString(it.Raw + "\n\n")
				}
				continue
			}
			e := it.Entry
			if e.Broken || len(e.Fields) < 2 {
				continue
			}
			c := e.Clone()
			c.Source = ""
			set, del := e.Fields[i%len(e.Fields)], e.Fields[(i+1)%len(e.Fields)]
			for _, x := range []*bib.Entry{e, c} {
				for _, ed := range []edit{{"set", set.Name, "{E}dited " + set.Name}, {"delete", del.Name, ""}, {"set", "doi", "10.1/" + e.Key}} {
					if ed.op != "delete" || x.Field(ed.name) != nil {
						ed.apply(t, x)
					}
				}
			}
			if e.Source != "" {
				kept++
			}
			edited++
			inPlace.WriteString(bib.Format(e) + "\n\n")
			canonical.WriteString(bib.Format(c) + "\n\n")
		}
	}
	bst := bibtest.DumpStyleOf([][]byte{inPlace.Bytes(), canonical.Bytes()}, files)
	want, err := bibtest.Dump(canonical.Bytes(), bst)
	if err != nil {
		t.Fatal(err)
	}
	got, err := bibtest.Dump(inPlace.Bytes(), bst)
	if err != nil {
		t.Fatal(err)
	}
	if d := bibtest.Diff(want, got); d != "" {
		t.Errorf("bibtex reads the entries edited in place otherwise than the canonical edits:\n%s", d)
	}
	if n := len(bibtest.DumpKeys(want)); n < 100 || kept < edited*9/10 {
		t.Errorf("bibtex read %d entries, want 100 or more; %d of %d edited kept their source, want 90%% or more", n, kept, edited)
	}
	t.Logf("%d entries edited, %d in their source", edited, kept)
}
