package storage

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
)

// TestBiberCorpus asks the real biber, the back end of biblatex, what it reads from each .bib
// file of the corpus and from the library that holds them all: the export of the file's entries,
// as written, reformatted and in the BibLaTeX format. biber reads .bib files with rules of its
// own (a % before an @ makes the line a comment, where bibtex reads the entry), so it is a
// second oracle beside bibtex's. Every entry biber reads from a file must read the same from
// each export, after biber's normalisation, under the key the library gave it; and biber's data
// model check (--validate-datamodel, on every run here) must find nothing wrong with an entry of
// the BibLaTeX export that it did not find in the file. Exceptions are listed, with reasons, in
// testdata/KNOWN_DIFFERENCES_BIBER.md.
//
// The library's export of all the files at once is not given to biber: biber 2.18 crashes
// (SIGSEGV in libbtparse) on it, on a mix of entries from several files, none of which crashes
// it alone, nor its own file. bibtex reads that export in TestWholeCorpusLibrary.
func TestBiberCorpus(t *testing.T) {
	w := wholeCorpus(t)
	bibtest.NeedBiber(t)
	known := bibtest.KnownDifferences(t, "testdata/KNOWN_DIFFERENCES_BIBER.md")
	start := time.Now()
	modes := []string{"as written", "reformatted", "biblatex"}
	// The data model check on every text: it changes what biber reads (it drops a month it
	// cannot read, say), so the readings compared are all made with it.
	var texts []bibtest.BiberText
	for _, s := range w.srcs {
		texts = append(texts, bibtest.BiberText{Data: s.orig, Validate: true})
		for _, mode := range modes {
			texts = append(texts, bibtest.BiberText{Data: s.exports[mode], Validate: true})
		}
	}
	readings, err := bibtest.Biber(texts)
	if err != nil {
		t.Fatal(err)
	}
	// A file whose readings differ is read again with each text alone: joined runs are for
	// speed, and a difference counts only as biber reads the texts on their own.
	var again []bibtest.BiberText
	var which []int
	for i, s := range w.srcs {
		if compareBiber(s, readings[4*i:4*i+4], modes) != nil {
			for k := range 4 {
				again = append(again, bibtest.BiberText{Data: texts[4*i+k].Data, Validate: true, Alone: true})
			}
			which = append(which, i)
		}
	}
	alone, err := bibtest.Biber(again)
	if err != nil {
		t.Fatal(err)
	}
	for n, i := range which {
		copy(readings[4*i:4*i+4], alone[4*n:4*n+4])
	}
	var diffs bibtest.Differences
	entries, failed := 0, 0
	for i, s := range w.srcs {
		if readings[4*i].Failed {
			failed++ // biber reports errors in it
		}
		entries += len(readings[4*i].Entries)
		for _, d := range compareBiber(s, readings[4*i:4*i+4], modes) {
			diffs.Add(s.rel, d[0], d[1])
		}
	}
	wholeEntries, left := compareWholeBiber(t, w, readings, &diffs)
	n := diffs.Check(t, known, "storage/testdata/KNOWN_DIFFERENCES_BIBER.md")
	t.Logf("%d files: biber read %d entries of them (%d files with errors), the same from the library's exports as written, reformatted and as BibLaTeX; %d entries from the export of the whole library (%d files left out); %d known differences; %d files read again text by text; biber took %s",
		len(w.srcs), entries, failed, wholeEntries, left, n, len(which), time.Since(start).Round(time.Second))
}

// wholeModes are the exports of the whole library given to biber: each takes it minutes, and
// the BibLaTeX export's data model is checked file by file.
var wholeModes = map[string]bib.WriteOptions{"whole library as written": {}, "whole library reformatted": {Reformat: true}}

// compareWholeBiber gives biber the library's export of every file at once, as written and
// reformatted, and adds to diffs how what it reads of each file's entries differs from what it
// reads of the file (readings[4*i] for the file w.srcs[i]). The entries of a file biber reads
// nothing of on its own are left out: one name, "{, foo}" in citation-js's label.bib, kills
// biber 2.18 (SIGSEGV in btparse) wherever it stands, and a library holding it cannot be read
// by biber at all, as its file cannot. It returns the number of entries biber read from the
// export as written, and the number of files left out.
func compareWholeBiber(t *testing.T, w *corpusLibrary, readings []bibtest.BiberReading, diffs *bibtest.Differences) (entries, left int) {
	t.Helper()
	ctx := context.Background()
	out := map[string]bool{} // library keys left out, in lower case
	for i, s := range w.srcs {
		if readings[4*i].WroteNothing {
			left++
			for _, k := range s.libraryKeys() {
				out[strings.ToLower(k)] = true
			}
		}
	}
	rows, err := w.lib.SearchWith(ctx, SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range rows {
		if !out[strings.ToLower(r.Key)] {
			keys = append(keys, r.Key)
		}
	}
	modes := slices.Sorted(maps.Keys(wholeModes))
	var texts []bibtest.BiberText
	for _, mode := range modes {
		var buf bytes.Buffer
		if _, err := w.lib.Export(ctx, &buf, ExportOptions{Keys: keys, WriteOptions: wholeModes[mode]}); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, bibtest.BiberText{Data: buf.Bytes(), Validate: true, Alone: true})
	}
	got, err := bibtest.Biber(texts)
	if err != nil {
		t.Fatal(err)
	}
	for m, mode := range modes {
		if got[m].WroteNothing {
			t.Errorf("%s: biber read nothing of it: %v", mode, got[m].Warnings)
		}
		named, values := biberMacros(texts[m].Data)
		for i, s := range w.srcs {
			orig := readings[4*i]
			if orig.WroteNothing {
				continue
			}
			want, have := sameMacros(orig, readingUnder(got[m], orig, s.renamed), got[m].Macros, s.renamed, named, values)
			if d := biberDiff(want, have, s.renamed); d != "" {
				diffs.Add(s.rel, mode, d)
			}
		}
	}
	return len(got[0].Entries), left
}

// biberMacros returns what biber makes of a text's @string items when it writes what it read
// (Biber::Output::bibtex): the macro it writes in place of each value (the last one defined
// with that value), and each macro's values, a macro defined twice with two values having only
// its last in biber's output. A value that is the name of a macro, as the title "Title" is when
// the text defines @string{title = ...}, biber writes bare as well (title = Title), which then
// reads as the macro.
func biberMacros(text []byte) (named map[string]string, values map[string]map[string]bool) {
	named, values = map[string]string{}, map[string]map[string]bool{}
	for _, m := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		values[m] = map[string]bool{}
	}
	for _, it := range bib.Parse("export.bib", text).Items {
		if it.Kind != bib.KindString {
			continue
		}
		name := strings.ToLower(it.Name)
		named[it.Expansion] = name
		if values[name] == nil {
			values[name] = map[string]bool{}
		}
		values[name][it.Expansion] = true
	}
	return named, values
}

// sameMacros returns the readings want (of a file) and have (of the whole library's export,
// by the file's keys) with each field that biber wrote in have as a bare macro (macros, by
// library key) given as that macro in both, when biber would write want's value so: biber's
// output cannot say which of a macro's values it read, nor tell a value that is a macro's name
// from the macro. A value biber would not write as that macro stays, and differs.
func sameMacros(want, have bibtest.BiberReading, macros map[string]map[string]string, renamed map[string]string,
	named map[string]string, values map[string]map[string]bool) (bibtest.BiberReading, bibtest.BiberReading) {
	w := bibtest.BiberReading{Entries: maps.Clone(want.Entries)}
	h := bibtest.BiberReading{Entries: maps.Clone(have.Entries)}
	for k := range have.Entries {
		for field, m := range macros[libraryKey(k, renamed)] {
			v, ok := fieldOf(w.Entries[k], field)
			if !ok {
				continue
			}
			_, isMacro := values[strings.ToLower(v)]
			if named[v] == m || isMacro && strings.EqualFold(v, m) {
				h.Entries[k] = withField(h.Entries[k], field, "@"+m)
				w.Entries[k] = withField(w.Entries[k], field, "@"+m)
			}
		}
	}
	return w, h
}

// fieldOf returns a field's value in an entry as bibtest.BiberReading writes it.
func fieldOf(entry, field string) (string, bool) {
	start := strings.Index(entry, "\n  "+field+" = {")
	if start < 0 {
		return "", false
	}
	rest := entry[start+len("\n  "+field+" = {"):]
	end := strings.Index(rest, "},\n  ")
	if end < 0 {
		end = strings.LastIndex(rest, "},")
	}
	if end < 0 {
		return "", false
	}
	return rest[:end], true
}

// withField returns an entry with a field's value, as bibtest.BiberReading writes it, replaced
// by text.
func withField(entry, field, text string) string {
	v, ok := fieldOf(entry, field)
	if !ok {
		return entry
	}
	return strings.Replace(entry, "\n  "+field+" = {"+v+"},", "\n  "+field+" = {"+text+"},", 1)
}

// compareBiber compares biber's readings of a file and of its exports (in the order of modes),
// and returns the differences: their kind (a mode, or datamodel) and description.
func compareBiber(s *corpusSource, r []bibtest.BiberReading, modes []string) [][2]string {
	var out [][2]string
	orig := r[0]
	for m, mode := range modes {
		// Only the entries biber reads from the file: the library may hold more (entries
		// biber drops after an error, which bibtex reads).
		got := readingUnder(r[1+m], orig, s.renamed)
		if d := biberDiff(orig, got, s.renamed); d != "" {
			out = append(out, [2]string{mode, d})
		}
	}
	if d := newWarnings(orig, r[1+slices.Index(modes, "biblatex")], s.renamed); d != "" {
		out = append(out, [2]string{"datamodel", d})
	}
	return out
}

// TestBiberSample checks the BibLaTeX export of the sample library with biber's data model: it
// must find nothing wrong that it does not find in the sample (nothing).
func TestBiberSample(t *testing.T) {
	bibtest.NeedBiber(t)
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := l.Export(ctx, &buf, ExportOptions{WriteOptions: bib.WriteOptions{Dialect: bib.BibLaTeX}}); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile("../assets/sample-library.bib")
	if err != nil {
		t.Fatal(err)
	}
	r, err := bibtest.Biber([]bibtest.BiberText{{Data: orig, Validate: true}, {Data: buf.Bytes(), Validate: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r[0].Entries) != 56 {
		t.Fatalf("biber reads %d entries of the sample", len(r[0].Entries))
	}
	if d := newWarnings(r[0], r[1], nil); d != "" {
		t.Errorf("the sample's BibLaTeX export: %s", d)
	}
	if d := biberDiff(r[0], r[1], nil); d != "" {
		t.Errorf("biber reads the sample's BibLaTeX export otherwise: %s", d)
	}
}

// readingUnder returns the entries of lib that are those of orig, under the keys the library
// gave them (renamed), by the keys of orig.
func readingUnder(lib, orig bibtest.BiberReading, renamed map[string]string) bibtest.BiberReading {
	got := bibtest.BiberReading{Entries: map[string]string{}}
	for k := range orig.Entries {
		if e, ok := lib.Entries[libraryKey(k, renamed)]; ok {
			got.Entries[k] = e
		}
	}
	return got
}

func libraryKey(k string, renamed map[string]string) string {
	if to, ok := renamed[k]; ok {
		return strings.ToLower(to)
	}
	return k
}

// biberRefs finds the fields that name other entries in biber's output.
var biberRefs = regexp.MustCompile(`(?m)^  (crossref|xref|xdata|related|entryset) = \{(.*)\},$`)

// biberOptions finds an entry's options in biber's output.
var biberOptions = regexp.MustCompile(`(?m)^  options = \{(.*)\},$`)

// biberDiff describes how two readings differ: entries one has and the other not, and the first
// entry read otherwise. A reference to an entry the library renamed is read under the key the
// file gave it.
func biberDiff(want, got bibtest.BiberReading, renamed map[string]string) string {
	back := map[string]string{}
	for old, to := range renamed {
		back[strings.ToLower(to)] = old
	}
	norm := func(e string) string {
		// biber writes an entry's options in an order of its own, not the same each run.
		e = biberOptions.ReplaceAllStringFunc(e, func(line string) string {
			m := biberOptions.FindStringSubmatch(line)
			opts := strings.Split(m[1], ",")
			slices.Sort(opts)
			return "  options = {" + strings.Join(opts, ",") + "},"
		})
		return biberRefs.ReplaceAllStringFunc(e, func(line string) string {
			m := biberRefs.FindStringSubmatch(line)
			return "  " + m[1] + " = {" + oldKeys(m[2], back) + "},"
		})
	}
	var missing, extra, differ []string
	for k, e := range want.Entries {
		g, ok := got.Entries[k]
		switch {
		case !ok:
			missing = append(missing, k)
		case norm(g) != norm(strings.ToLower(e)) && norm(g) != norm(e):
			differ = append(differ, k)
		}
	}
	for k := range got.Entries {
		if _, ok := want.Entries[k]; !ok {
			extra = append(extra, k)
		}
	}
	if len(missing)+len(extra)+len(differ) == 0 {
		return ""
	}
	sort.Strings(missing)
	sort.Strings(extra)
	sort.Strings(differ)
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("%d entries missing: %s", len(missing), strings.Join(bibtest.First(missing, 5), ", ")))
	}
	if len(extra) > 0 {
		parts = append(parts, fmt.Sprintf("%d entries more: %s", len(extra), strings.Join(bibtest.First(extra, 5), ", ")))
	}
	if len(differ) > 0 {
		parts = append(parts, fmt.Sprintf("%d entries read otherwise: %s", len(differ), strings.Join(bibtest.First(differ, 5), ", ")))
		if os.Getenv("BIBER_DEBUG") != "" {
			k := differ[0]
			parts = append(parts, fmt.Sprintf("\nwant %q\ngot  %q", want.Entries[k], got.Entries[k]))
		}
	}
	return strings.Join(parts, "; ")
}

// datamodelWarn is a warning of biber's data model check: the entry, and what is wrong.
var datamodelWarn = regexp.MustCompile(`^Datamodel: Entry '([^']*)' \([^)]*\): (.*)$`)

// newWarnings describes the data model warnings that lib has for the entries of orig (under
// the keys the library gave them) and orig has not.
func newWarnings(orig, lib bibtest.BiberReading, renamed map[string]string) string {
	had := map[string]bool{}
	for _, w := range orig.Warnings {
		if m := datamodelWarn.FindStringSubmatch(w); m != nil {
			had[strings.ToLower(m[1])+"\x00"+m[2]] = true
		}
	}
	mine := map[string]string{} // library key -> key in the file
	for k := range orig.Entries {
		mine[libraryKey(k, renamed)] = k
	}
	var added []string
	for _, w := range lib.Warnings {
		m := datamodelWarn.FindStringSubmatch(w)
		if m == nil {
			continue
		}
		k, ok := mine[strings.ToLower(m[1])]
		if !ok || had[k+"\x00"+m[2]] {
			continue
		}
		added = append(added, k+": "+m[2])
	}
	if len(added) == 0 {
		return ""
	}
	slices.Sort(added)
	return fmt.Sprintf("%d warnings of biber's data model check that the file does not get: %s", len(added), strings.Join(bibtest.First(added, 3), "; "))
}
