package bibtest

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
	"golang.org/x/text/unicode/norm"
)

// NeedBiber skips the test when the biber program is missing, or fails it when CI is set.
func NeedBiber(tb testing.TB) {
	tb.Helper()
	needProgram(tb, "biber")
}

// BiberReading is what biber makes of a .bib text in its tool mode (biber --tool
// --output-format=bibtex): each entry it reads, as it writes it back (fields mapped to biblatex's
// data model, names and dates normalised), with macros expanded, by lower-case key; and the
// messages it gave.
type BiberReading struct {
	Entries map[string]string
	// Failed says biber reported an error. It goes on (--nodieonerror) and writes what it read,
	// which may be less than the text has.
	Failed bool
	// WroteNothing says biber stopped, on an error or by crashing (biber 2.18's btparse dies of
	// SIGSEGV on a name such as "{, foo}"), before it wrote anything: Entries is empty.
	WroteNothing bool
	// errorLines are the lines biber's errors name; unplacedErrors counts the errors that name
	// none, and a run that wrote nothing.
	errorLines     []int
	unplacedErrors int
	// errorEntries are the entries biber's errors about one entry (not its syntax) name.
	errorEntries []string
	// Macros gives, for an entry (by key, as in Entries), the fields biber wrote as a bare
	// macro (publisher = pub-ADOBE), or as the name of a macro whose last definition is empty,
	// braced ({CUP}), and the macro, in lower case. biber writes any value that
	// equals a macro's as that macro, and each macro's definition once, its last: a text that
	// defines a macro twice, with two values, leaves the value of such a field ambiguous.
	Macros map[string]map[string]string
	// Warnings are biber's WARN lines about entries (with --validate-datamodel, the fields and
	// types the data model does not allow), each naming its entry.
	Warnings []string
}

// BiberText is a text for Biber.
type BiberText struct {
	Data []byte
	// Validate runs biber's data model check on it (--validate-datamodel, which takes a
	// quarter longer): its warnings are in the reading. The check also changes what biber reads
	// (it drops a month it cannot read), so readings to compare are made with the same setting.
	Validate bool
	// Alone runs biber on it alone, never joined with another text.
	Alone bool
}

// Biber runs biber on each text and returns its readings, in the texts' order. biber takes
// about a second to start and a few milliseconds an entry, so texts go into one biber run,
// joined, where they cannot change how biber reads each other: no key in two texts, no reference
// to a key of another text, no macro another text defines otherwise or has as a value; a text
// whose reading depends on what comes before it (it uses a macro it does not define) goes
// first, a text that can change how what follows it reads (it has an error, or redefines a
// month) goes last. Several runs go at once, one per processor. A joined run that fails where
// no text was expected to is run again: the texts biber's errors name alone, the others
// joined. Identical texts are read once. (It is long because the joining, the parallel runs and
// the reruns share the texts' bookkeeping; each step is commented where it happens.)
func Biber(texts []BiberText) ([]BiberReading, error) {
	out := make([]BiberReading, len(texts))
	infos := make([]joinInfo, len(texts)) // each text as readJoin reads it, read once
	first := map[string]int{}             // the first text with each content
	var groups [][]int
	var open [2][]*joinGroup // first fit: each text goes into the first group it fits in
	var dups [][2]int
	for i, text := range texts {
		id := fmt.Sprint(text.Validate, text.Alone, string(text.Data))
		if j, ok := first[id]; ok {
			dups = append(dups, [2]int{i, j})
			continue
		}
		first[id] = i
		t := readJoin(text.Data)
		infos[i] = t
		if t.first && t.last || text.Alone {
			groups = append(groups, []int{i})
			continue
		}
		v := 0 // texts run with the data model check and without do not join
		if text.Validate {
			v = 1
		}
		placed := false
		for _, g := range open[v] {
			if placed = g.add(i, t, len(text.Data)); placed {
				break
			}
		}
		if !placed {
			g := &joinGroup{}
			g.add(i, t, len(text.Data))
			open[v] = append(open[v], g)
		}
	}
	for _, gs := range open {
		for _, g := range gs {
			groups = append(groups, g.texts())
		}
	}
	debugf("%d texts in %d runs", len(texts), len(groups))

	var mu sync.Mutex
	var firstErr error
	var run func(group []int)
	run = func(group []int) {
		var joined bytes.Buffer
		starts := make([]int, len(group)) // the line each text starts on, from 1
		line := 1
		for n, i := range group {
			starts[n] = line
			joined.Write(texts[i].Data)
			joined.WriteString("\n\n")
			line += bytes.Count(texts[i].Data, []byte("\n")) + 2
		}
		r, err := runBiber(joined.Bytes(), texts[group[0]].Validate)
		if err != nil {
			mu.Lock()
			if firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
			return
		}
		if len(group) == 1 {
			mu.Lock()
			out[group[0]] = r
			mu.Unlock()
			return
		}
		// Each entry and warning goes back to the text that has its key. The join is trusted
		// when biber read no entry that no text was known to have, and found errors only in the
		// last text, where they cannot change how the others read.
		owner := map[string]int{}
		readings := map[int]*BiberReading{}
		for _, i := range group {
			readings[i] = &BiberReading{Entries: map[string]string{}}
			for k := range infos[i].keys {
				owner[norm.NFC.String(k)] = i
			}
		}
		trusted := r.unplacedErrors == 0
		for k, e := range r.Entries {
			i, ok := owner[norm.NFC.String(k)]
			if !ok {
				trusted = false
				break
			}
			readings[i].Entries[k] = e
		}
		bad := map[int]bool{} // the texts biber found errors in, by place in group
		place := map[int]int{}
		for n, i := range group {
			place[i] = n
		}
		for _, k := range r.errorEntries {
			if i, ok := owner[norm.NFC.String(strings.ToLower(k))]; ok {
				bad[place[i]] = true
			} else {
				trusted = false
			}
		}
		for _, l := range r.errorLines {
			n, ok := slices.BinarySearch(starts, l)
			if !ok {
				n--
			}
			bad[max(n, 0)] = true
		}
		last := len(group) - 1
		if len(bad) > 1 || len(bad) == 1 && !bad[last] {
			trusted = false
		}
		debugf("a join of %d texts: trusted %v, errors in %v, %d errors in no text", len(group), trusted, bad, r.unplacedErrors)
		if !trusted {
			// The texts biber found errors in are read alone, the others joined again; when
			// biber's errors name no text, the group is halved.
			if len(bad) == 0 || r.unplacedErrors > 0 {
				run(group[:len(group)/2])
				run(group[len(group)/2:])
				return
			}
			var rest []int
			for n, i := range group {
				if bad[n] {
					run([]int{i})
				} else {
					rest = append(rest, i)
				}
			}
			if len(rest) > 0 {
				run(rest)
			}
			return
		}
		readings[group[last]].Failed = bad[last]
		for _, w := range r.Warnings {
			if m := warnEntryRE.FindStringSubmatch(w); m != nil {
				if i, ok := owner[strings.ToLower(m[1])]; ok {
					readings[i].Warnings = append(readings[i].Warnings, w)
				}
			}
		}
		mu.Lock()
		for i, rd := range readings {
			out[i] = *rd
		}
		mu.Unlock()
	}
	// The largest first: a large text alone takes longest, and should not start last.
	sizeOf := func(g []int) int {
		n := 0
		for _, i := range g {
			n += len(texts[i].Data)
		}
		return n
	}
	slices.SortStableFunc(groups, func(a, b []int) int { return sizeOf(b) - sizeOf(a) })
	Parallel(groups, run)
	for _, d := range dups {
		out[d[0]] = out[d[1]]
	}
	return out, firstErr
}

// debugf tells of biber's runs on standard error when BIBER_DEBUG is set.
func debugf(format string, args ...any) {
	if os.Getenv("BIBER_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "biber: "+format+"\n", args...)
	}
}

// errorLineRE finds the line of the input that a biber error names.
var errorLineRE = regexp.MustCompile(`, line ([0-9]+)[,:]`)

// warnEntryRE finds the entry a biber warning is about.
var warnEntryRE = regexp.MustCompile(`(?:entry|Entry) '([^']*)'`)

// joinInfo is what decides where a text may go in a joined biber run.
type joinInfo struct {
	keys map[string]bool // the keys and aliases (ids) of its entries, lower case
	refs map[string]bool // the keys its entries refer to that it does not have
	// macros are the macros it defines, by lower-case name, with their values. biber writes
	// one definition of each macro it read, and entries that use it, so a macro two texts
	// define otherwise would be read with the wrong value for one of them.
	macros map[string]string
	// values are its fields' values that could be a macro's name, lower case: biber writes a
	// value that is the name of a macro it knows as that macro, so the macros of another text
	// would change how it reads.
	values map[string]bool
	// first: its reading depends on what comes before it (it uses a macro it does not define).
	first bool
	// last: it can change how what follows it reads (the parser finds an error, or it defines
	// a month's macro).
	last bool
}

// readJoin reads a text for Biber.
func readJoin(text []byte) joinInfo {
	f := bib.Parse("", text)
	t := joinInfo{keys: map[string]bool{}, refs: map[string]bool{}, macros: map[string]string{}, values: map[string]bool{}}
	t.last = len(f.Errors()) > 0
	if !utf8.Valid(text) {
		// biber reads the joined text as UTF-8, and cannot.
		t.first, t.last = true, true
	}
	for _, p := range f.Problems {
		if strings.Contains(p.Msg, "undefined macro") {
			t.first = true
		}
	}
	for _, it := range f.Items {
		if it.Kind != bib.KindString {
			continue
		}
		name := strings.ToLower(it.Name)
		if bib.IsMonth(name) {
			t.last = true
		}
		if v, ok := t.macros[name]; ok && v != it.Expansion {
			t.macros[name] = "\x00redefined" // matches no other text's
		} else {
			t.macros[name] = it.Expansion
		}
	}
	for _, e := range f.Entries() {
		for _, fl := range e.Fields {
			if v := strings.ToLower(strings.TrimSpace(fl.Value)); v != "" && len(v) < 100 && !strings.ContainsAny(v, " \t\n{}\"#,=") {
				t.values[v] = true
			}
		}
		t.keys[strings.ToLower(e.Key)] = true
		for _, k := range strings.Split(e.Get("ids"), ",") {
			if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
				t.keys[k] = true
			}
		}
	}
	for _, e := range f.Entries() {
		for _, name := range []string{"crossref", "xref", "xdata", "related", "entryset"} {
			for _, k := range strings.Split(e.Get(name), ",") {
				if k = strings.ToLower(strings.TrimSpace(k)); k != "" && !t.keys[k] {
					t.refs[k] = true
				}
			}
		}
	}
	return t
}

// joinGroup collects the texts of one joined biber run.
type joinGroup struct {
	head, tail         int // the text that goes first, and last, plus one; 0 for none
	middle             []int
	size               int
	keys, refs, values map[string]bool
	macros             map[string]string
}

// maxJoin is the most bytes of text in one joined run: biber 2.18 crashes on some joins of
// several megabytes, and a failed run is read again.
const maxJoin = 1 << 20

// add puts text i into the group, or says it does not fit.
func (g *joinGroup) add(i int, t joinInfo, size int) bool {
	if g.keys == nil {
		g.keys, g.refs, g.values, g.macros = map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]string{}
	} else if g.size+size > maxJoin || t.first && g.head != 0 || t.last && g.tail != 0 {
		return false
	}
	for k := range t.keys {
		if g.keys[k] || g.refs[k] {
			return false
		}
	}
	for k := range t.refs {
		if g.keys[k] {
			return false
		}
	}
	for m, v := range t.macros {
		if w, ok := g.macros[m]; ok && w != v || g.values[m] {
			return false
		}
	}
	for v := range t.values {
		if _, ok := g.macros[v]; ok {
			return false
		}
	}
	switch {
	case t.first:
		g.head = i + 1
	case t.last:
		g.tail = i + 1
	default:
		g.middle = append(g.middle, i)
	}
	g.size += size
	maps.Copy(g.keys, t.keys)
	maps.Copy(g.refs, t.refs)
	maps.Copy(g.macros, t.macros)
	maps.Copy(g.values, t.values)
	return true
}

// texts returns the group's texts in the order they are joined.
func (g *joinGroup) texts() []int {
	var out []int
	if g.head != 0 {
		out = append(out, g.head-1)
	}
	out = append(out, g.middle...)
	if g.tail != 0 {
		out = append(out, g.tail-1)
	}
	return out
}

// bareMacro matches a field's raw text that is one macro name, as biber writes it.
var bareMacro = regexp.MustCompile(`^[a-z_][^\s"#%'(),={}]*$`)

// runBiber runs biber once on a text.
func runBiber(text []byte, validate bool) (BiberReading, error) {
	dir, err := os.MkdirTemp("", "biber")
	if err != nil {
		return BiberReading{}, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in.bib")
	if err := os.WriteFile(in, text, 0o644); err != nil {
		return BiberReading{}, err
	}
	// --nodieonerror: biber goes on after an entry it cannot read, as far as it can, instead of
	// writing nothing at all; what it read can then be compared.
	args := []string{"--tool", "--output-format=bibtex", "--nolog", "--nodieonerror", "--output-file", "out.bib"}
	if validate {
		args = append(args, "--validate-datamodel")
	}
	cmd := exec.Command("biber", append(args, "in.bib")...)
	cmd.Dir = dir
	// biber's Perl needs a locale that is installed: C.UTF-8 always is.
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "LANG=C.UTF-8", "LANGUAGE=")
	start := time.Now()
	log, runErr := cmd.CombinedOutput()
	debugf("%d bytes in %s, exit %v", len(text), time.Since(start).Round(time.Millisecond), runErr)
	r := BiberReading{Entries: map[string]string{}}
	for _, line := range strings.Split(string(log), "\n") {
		switch {
		case strings.HasPrefix(line, "ERROR - "):
			r.Failed = true
			if m := errorLineRE.FindStringSubmatch(line); m != nil {
				n, _ := strconv.Atoi(m[1])
				r.errorLines = append(r.errorLines, n)
			} else if m := warnEntryRE.FindStringSubmatch(line); m != nil {
				r.errorEntries = append(r.errorEntries, m[1])
			} else {
				r.unplacedErrors++
			}
		case strings.HasPrefix(line, "WARN - ") && warnEntryRE.MatchString(line):
			r.Warnings = append(r.Warnings, strings.TrimPrefix(line, "WARN - "))
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "out.bib"))
	if err != nil {
		// biber stops with an error (or, on some input, crashes) and writes nothing.
		r.Failed, r.WroteNothing = true, true
		r.unplacedErrors++
		if !strings.Contains(string(log), "ERROR - ") {
			r.Warnings = append(r.Warnings, fmt.Sprintf("biber wrote nothing: %v", runErr))
		}
		return r, nil
	}
	out := bib.Parse("out.bib", data)
	// A macro whose last definition is empty: biber writes a value it replaces with such a
	// macro in braces (it braces a macro whose text is empty), {CUP} for publisher = cup.
	empty := map[string]bool{}
	for _, it := range out.Items {
		if it.Kind == bib.KindString && it.Expansion == "" {
			empty[strings.ToLower(it.Name)] = true
		}
	}
	for _, e := range out.Entries() {
		// The type, and the fields biber wrote, one a line, in its order. biber writes a value
		// that equals a macro's as that macro (one of them: which, depends on what else the
		// text defines), so each value is read with the macros biber wrote.
		k := norm.NFC.String(strings.ToLower(e.Key)) // biber may write a key decomposed
		if _, ok := r.Entries[k]; !ok {
			var b strings.Builder
			b.WriteString(strings.ToLower(e.Type))
			for _, f := range e.Fields {
				fmt.Fprintf(&b, "\n  %s = {%s},", f.Name, f.Value)
				m := strings.ToLower(strings.TrimSpace(f.Raw))
				if braced := strings.ToLower(f.Value); strings.HasPrefix(m, "{") && empty[braced] {
					m = braced
				}
				if bareMacro.MatchString(m) {
					if r.Macros == nil {
						r.Macros = map[string]map[string]string{}
					}
					if r.Macros[k] == nil {
						r.Macros[k] = map[string]string{}
					}
					r.Macros[k][f.Name] = m
				}
			}
			r.Entries[k] = b.String()
		}
	}
	return r, nil
}
