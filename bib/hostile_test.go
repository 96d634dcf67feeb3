package bib

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Inputs made to break the parser: each must parse in time and memory in proportion to its size,
// keep every byte of the file in its items, and say what was wrong with it.

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// parseBounded parses src with ParseString and fails the test when it allocates more than perByte
// bytes per byte of src (plus 256 KiB) or takes longer than limit, or when the items do not add
// up to the text.
func parseBounded(t *testing.T, src string, perByte uint64, limit time.Duration) *File {
	t.Helper()
	return parseWithin(t, src, perByte*uint64(len(src))+256<<10, limit)
}

// parseWithin is parseBounded with the bytes it may allocate given.
func parseWithin(t *testing.T, src string, max uint64, limit time.Duration) *File {
	t.Helper()
	var f *File
	start := time.Now()
	alloc := allocated(func() { f = ParseString("hostile.bib", src) })
	took := time.Since(start)
	if alloc > max {
		t.Fatalf("%d bytes of input: parsing allocated %d bytes, more than %d", len(src), alloc, max)
	}
	if took > limit {
		t.Fatalf("%d bytes of input: parsing took %v, more than %v", len(src), took, limit)
	}
	var b strings.Builder
	for _, it := range f.Items {
		b.WriteString(it.Raw)
	}
	if b.String() != src {
		t.Fatalf("the items do not add up to the input (%d bytes of %d)", b.Len(), len(src))
	}
	return f
}

// TestAtSignRun: each @ of a run of them was taken for the start of an item whose type is the
// rest of the run, so that 5 MB of @ took quadratic time and 6 GB.
func TestAtSignRun(t *testing.T) {
	for _, n := range []int{16 << 10, 5 << 20} {
		src := strings.Repeat("@", n)
		f := parseBounded(t, src, 16, 10*time.Second)
		// One short warning, and the error of a file without entries.
		if len(f.Problems) != 2 || len(f.Problems[0].Msg) > 200 || len(f.Errors()) != 1 {
			t.Errorf("%d @: %d problems, %.200q; want a short warning and an error", n, len(f.Problems), problemStrings(f.Problems))
		}
	}
	// A run followed by an item: the item is read.
	f := parseBounded(t, strings.Repeat("@", 1<<20)+"\n@misc{k, note = {n}}\n", 16, 10*time.Second)
	if es := f.Entries(); len(es) != 1 || es[0].Key != "k" {
		t.Errorf("entries after a run of @: %+v", es)
	}
}

// TestMacroInItsOwnDefinition: in @string{x = x # x}, bibtex reads x as empty (with a warning),
// which the parser took for the earlier value of x: each such line doubled it, and 847 bytes of
// them reached 5 GB.
func TestMacroInItsOwnDefinition(t *testing.T) {
	src := "@string{x = {ab}}\n" + strings.Repeat("@string{x = x # x}\n", 24) + "@misc{k, title = x # {c}, note = {n}}\n"
	f := parseBounded(t, src, 16, 10*time.Second)
	es := f.Entries()
	if len(es) != 1 || es[0].Get("title") != "c" || es[0].Get("note") != "n" {
		t.Fatalf("entries = %+v", es)
	}
	// Each line: x twice in its own definition, and x redefined.
	if len(f.Problems) != 72 || f.Problems[0].Line != 2 || f.Problems[0].Severity != Warning ||
		f.Problems[0].Msg != `macro "x" is used in its own definition: bibtex reads it as empty here` {
		t.Errorf("problems = %d, the first %v; want 72 warnings", len(f.Problems), f.Problems[0])
	}
}

// TestMacroExpansionCap: macros that double each other without naming themselves make values
// of any size; one longer than maxValue is an error, and kept as written.
func TestMacroExpansionCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("@string{a0 = {" + strings.Repeat("ab", 1<<18) + "}}\n") // 512 KiB
	b.WriteString(doubling(1, 2))
	b.WriteString("@misc{big, title = a2, note = {after}}\n@misc{fits, title = a1}\n@misc{last, title = {T}}\n")
	f := parseBounded(t, b.String(), 8, 10*time.Second)
	es := f.Entries()
	if len(es) != 3 || es[0].Get("note") != "after" || es[0].Get("title") != "a1 # a1" ||
		len(es[1].Get("title")) != maxValue || es[2].Get("title") != "T" {
		t.Fatalf("%d entries", len(es))
	}
	// a2 is too long, and kept as written.
	want := []string{`hostile.bib:3:14: macro "a2" expands to 2097152 bytes, more than the 1048576 a value may have: kept as written`}
	if diff := cmp.Diff(want, problemStrings(f.Errors())); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// TestExpansionRoom: values of up to maxValue each, many times over, would still make a small
// file take any amount of memory: together, a file's values may grow only 4 times the file's
// size and 64 KiB beyond their text.
func TestExpansionRoom(t *testing.T) {
	for name, tt := range map[string]struct {
		src  string
		errs int
	}{
		// Doubling from a small value.
		"doubling": {"@string{a0 = {ab}}\n" + doubling(1, 40) + "@misc{k, title = a40}\n", 0},
		// Values that fit under maxValue, many times: a1 fits, the others do not.
		"wide": {"@string{a0 = {" + strings.Repeat("ab", 1<<17) + "}}\n@string{a1 = a0 # a0}\n" + // 256 KiB, 512 KiB
			strings.Repeat("@misc{w, title = a1 # a1}\n", 100), 100},
	} {
		t.Run(name, func(t *testing.T) {
			f := parseBounded(t, tt.src, 16, 10*time.Second)
			errs := f.Errors()
			if len(errs) == 0 || tt.errs > 0 && len(errs) != tt.errs {
				t.Fatalf("%d errors, want %d: %v", len(errs), tt.errs, errs)
			}
			if es := f.Entries(); len(es[len(es)-1].Get("title")) > 64<<10 {
				t.Errorf("the last entry's title is %d bytes", len(es[len(es)-1].Get("title")))
			}
			for _, p := range errs {
				if !strings.HasPrefix(p.Msg, "the file's values expand to more than ") {
					t.Errorf("error %v", p)
				}
			}
		})
	}
}

// doubling returns @string lines that define macro aI as twice a(I-1), for I from first to last.
func doubling(first, last int) string {
	var b strings.Builder
	for i := first; i <= last; i++ {
		fmt.Fprintf(&b, "@string{a%d = a%d # a%d}\n", i, i-1, i-1)
	}
	return b.String()
}

// TestRecoveryLinear: after a broken entry, parsing resumes at the next line that starts with @,
// which can be text that a value of the broken entry was already scanned through, to its end or
// to the end of the file. Each of these files made every line scan the rest of the file again.
func TestRecoveryLinear(t *testing.T) {
	const n = 1 << 20
	for name, src := range map[string]string{
		// Braces never closed: each line's value runs to the end of the file.
		"unclosed brace": strings.Repeat("@a{k,t={{}\n", n/11),
		// Quoted values whose braces never close.
		"unclosed quote": strings.Repeat("@a{k,t=\"{\n", n/10),
		// Values that close near the end of the file, each followed by an error.
		"late close": strings.Repeat("@a{k,t={\n", n/18) + strings.Repeat("}x", n/9),
		// The same with quoted values around the braces.
		"late close quoted": strings.Repeat("@a{k,t=\"{\n", n/20) + strings.Repeat("}\"x", n/20),
	} {
		t.Run(name, func(t *testing.T) {
			f := parseBounded(t, src, 256, 5*time.Second)
			if len(f.Entries()) == 0 || len(f.Errors()) == 0 {
				t.Errorf("%d entries, %d errors", len(f.Entries()), len(f.Errors()))
			}
		})
	}
}

// TestManyFields: each field of an entry was compared with every field before it, so that an
// entry of 100,000 fields of different names (1.2 MB) took 18 s; and each repeated field made a
// warning, so that 20 MB of title={x}, made two million problems and 1 GB of them.
func TestManyFields(t *testing.T) {
	var b strings.Builder
	b.WriteString("@misc{k,\n")
	for i := range 100_000 {
		fmt.Fprintf(&b, "f%d={x},", i)
	}
	b.WriteString("f7={again}}\n")
	f := parseBounded(t, b.String(), 64, 5*time.Second)
	es := f.Entries()
	if len(es) != 1 || len(es[0].Fields) != 100_001 || !es[0].Fields[100_000].Duplicate || es[0].Get("f7") != "x" {
		t.Fatalf("entries: %d, want one of 100,001 fields, the last a repeated f7", len(es))
	}
	if diff := cmp.Diff([]string{`hostile.bib:2:1088891: warning: repeated field "f7": BibTeX uses the first value; the others are kept (entry "k")`},
		problemStrings(f.Problems)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}

	src := "@misc{k,\n" + strings.Repeat("title={x},\n", 100_000) + "note = {n}}\n"
	f = parseBounded(t, src, 64, 5*time.Second)
	if es := f.Entries(); len(es) != 1 || len(es[0].Fields) != 100_001 || es[0].Get("note") != "n" {
		t.Fatalf("entries: %d, want one of 100,001 fields", len(es))
	}
	ps := problemStrings(f.Problems)
	if len(ps) != maxRepeats+1 {
		t.Fatalf("%d problems, want %d", len(ps), maxRepeats+1)
	}
	want := []string{
		`hostile.bib:3:1: warning: repeated field "title": BibTeX uses the first value; the others are kept (entry "k")`,
		`hostile.bib:13:1: warning: 99989 more repeated fields: BibTeX uses the first value of each; the others are kept (entry "k")`,
	}
	if diff := cmp.Diff(want, []string{ps[0], ps[maxRepeats]}); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	r := NewReader("hostile.bib", src)
	for _, ok := r.Next(); ok; _, ok = r.Next() {
	}
	if diff := cmp.Diff(f.Problems, r.Problems()); diff != "" {
		t.Errorf("a Reader's problems differ (-Parse +Reader):\n%s", diff)
	}
}

// TestResumeAfterValue: text inside a value read whole is the value's, as bibtex reads it, also
// when the entry breaks after it; parsing resumes after the value.
func TestResumeAfterValue(t *testing.T) {
	src := "@article{a, abstract = {one\n@misc{inner, title = {I}}\n} x}\n@misc{b}\n"
	f := parseBounded(t, src, 64, time.Second)
	var keys []string
	for _, e := range f.Entries() {
		keys = append(keys, e.Key)
	}
	if diff := cmp.Diff([]string{"a", "b"}, keys); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if errs := f.Errors(); len(errs) != 1 || errs[0].Line != 3 || errs[0].Col != 3 {
		t.Errorf("errors: %v", errs)
	}
}

// TestKeyControlCharacters: a key with a character that can be neither typed nor cited (a
// control character, or an invisible one such as a direction override) is not kept: the entry is
// read as having no key, as if it had come without one, and the problem quotes the key.
func TestKeyControlCharacters(t *testing.T) {
	src := "@misc{a\x00b, title = {A}}\n@misc{esc\x1b[31m, title = {B}}\n@misc{rtl\u202egnp, title = {C}}\n" +
		"@misc{c1\u0085, title = {D}}\n@misc{café:O'Brien-2001, title = {E}}\n"
	f := parseBounded(t, src, 64, time.Second)
	var got []string
	for _, e := range f.Entries() {
		got = append(got, e.Key+"="+e.Get("title"))
	}
	if diff := cmp.Diff([]string{"=A", "=B", "=C", "=D", "café:O'Brien-2001=E"}, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	want := []string{
		`hostile.bib:1:7: warning: citation key "a\x00b" has a character that can be neither typed nor cited: the entry is read as having no key`,
		`hostile.bib:2:7: warning: citation key "esc\x1b[31m" has a character that can be neither typed nor cited: the entry is read as having no key`,
		`hostile.bib:3:7: warning: citation key "rtl\u202egnp" has a character that can be neither typed nor cited: the entry is read as having no key`,
		`hostile.bib:4:7: warning: citation key "c1\u0085" has a character that can be neither typed nor cited: the entry is read as having no key`,
	}
	if diff := cmp.Diff(want, problemStrings(f.Problems)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	for _, key := range []string{"a\x00b", "rtl\u202egnp", "c1\u0085", "zw\u200bsp"} {
		if CheckKey(key) == nil {
			t.Errorf("CheckKey(%q) accepts a key the parser does not", key)
		}
	}
}

// TestNoEntries: a file with text but no item at all (a RIS file, a text file) gave nothing and
// said nothing; it is an error now, which says what the file looks like.
func TestNoEntries(t *testing.T) {
	for _, tt := range []struct{ name, src, msg string }{
		{"ris", "\ufeffTY  - JOUR\r\nTI  - A title\r\nER  - \r\n", "no BibTeX entries: the file looks like RIS (TY  - lines), which is imported as RIS when its name does not end in .bib"},
		{"ris later", "\nProvider: x\nTY  - BOOK\nER  -\n", "no BibTeX entries: the file looks like RIS (TY  - lines), which is imported as RIS when its name does not end in .bib"},
		{"text", "Just some notes.\nmail me@example.org\n", "no BibTeX entries: no @ in it starts an entry, @string, @preamble or @comment"},
		{"nul", "\x00\x00\x00@\x00\x00\x00a", "no BibTeX entries: the file has NUL bytes, so it may not be text, or be in an encoding other than UTF-8, UTF-16 or Windows-1252"},
		{"blank", " \n\t\n", ""},
		{"empty", "", ""},
		{"strings only", "@string{a = {b}}\n", ""},
		{"comment only", "@comment{nothing yet}\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := ParseString(tt.name+".bib", tt.src)
			var want []string
			if tt.msg != "" {
				want = []string{tt.name + ".bib:1:1: " + tt.msg}
			}
			if diff := cmp.Diff(want, problemStrings(f.Errors())); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			r := NewReader(tt.name+".bib", tt.src)
			for _, ok := r.Next(); ok; _, ok = r.Next() {
			}
			if diff := cmp.Diff(f.Problems, r.Problems()); diff != "" {
				t.Errorf("a Reader's problems differ (-Parse +Reader):\n%s", diff)
			}
		})
	}
}
