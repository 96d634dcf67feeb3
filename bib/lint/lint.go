// Package lint checks BibTeX entries and files for what makes a bibliography wrong or unsafe
// while BibTeX or biber still read it: required fields missing, malformed identifiers, years,
// dates and page ranges, unbalanced braces, capitals a style will lowercase, keys that differ
// only in case, "et al." written out, a url that repeats the DOI, non-ASCII text for an old
// toolchain, and TeX that has no business in a bibliography (\write18, \input, \def...).
//
// Each check says what it found as a Finding with a stable Check id, and, when the mend is
// certain (a page range's - made --, "et al." made "and others", a DOI link made the bare DOI),
// a Fix: the field's new raw value, which Fix and FixFile apply without touching anything else
// of the entry's text.
//
// It is pure Go over bib's types: no files, no library, no package state; every function may be
// called from several goroutines at once, and none panics on any entry a parse gave.
package lint

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
)

// Severity says whether a finding is an error (the bibliography is wrong or unsafe: a command
// that runs, braces that swallow entries, keys BibTeX takes for one) or a warning.
type Severity int

const (
	Warning Severity = iota
	Error
)

// String returns "warning" or "error".
func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// MarshalText writes the severity as String does, for JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Check is the stable id of a check: scripts, editors and the window key on it.
type Check string

// The checks.
const (
	MissingField    Check = "missing-field"    // a field the entry type requires (BibTeX's or biblatex's)
	DOI             Check = "doi"              // a DOI that is none, or written as a link or with doi:
	ISBN            Check = "isbn"             // an ISBN whose checksum fails
	ISSN            Check = "issn"             // an ISSN whose checksum fails
	Year            Check = "year"             // a year that is not four digits
	Date            Check = "date"             // a date biblatex cannot read (EDTF levels 0 and 1)
	Pages           Check = "pages"            // a page range with a single -
	Unbalanced      Check = "unbalanced"       // braces that do not balance, as BibTeX counts them
	UnprotectedCaps Check = "unprotected-caps" // a title word with inner capitals not in braces
	KeyCase         Check = "key-case"         // keys that differ only in case
	DuplicateKey    Check = "duplicate-key"    // a key written twice
	EtAl            Check = "et-al"            // "et al." in a name list
	URLIsDOI        Check = "url-is-doi"       // a url that only repeats the DOI
	NonASCII        Check = "non-ascii"        // non-ASCII text, for a BibTeX without UTF-8
	DangerousTeX    Check = "dangerous-tex"    // TeX that writes, reads, runs or redefines
	Syntax          Check = "syntax"           // what the parser reported
)

// Checks lists every check, in the order of the list above.
var Checks = []Check{MissingField, DOI, ISBN, ISSN, Year, Date, Pages, Unbalanced, UnprotectedCaps,
	KeyCase, DuplicateKey, EtAl, URLIsDOI, NonASCII, DangerousTeX, Syntax}

// Finding is one thing a check found.
type Finding struct {
	Check    Check    `json:"check"`
	Severity Severity `json:"severity"`
	// File, Line and Col say where: the file's name as parsed, and the line and column (in
	// characters, from 1) of the value or the text found. Col is 0 when the entry has no
	// source text to count in (an entry edited in the library), Line too when it was never read
	// from a file.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
	Key  string `json:"key,omitempty"`
	// Field is the field's name (lower case); "@preamble" or "@string" for TeX found in those.
	Field string `json:"field,omitempty"`
	Msg   string `json:"message"`
	// Fix, when set, is the field's new raw value (BibTeX text with its delimiters) that mends
	// what Msg says and changes nothing else BibTeX reads: only certain fixes are given.
	Fix string `json:"fix,omitempty"`
}

// String formats the finding as FILE:LINE:COL: severity: KEY: message (check), leaving out the
// parts it lacks.
func (f Finding) String() string {
	var b strings.Builder
	if f.File != "" {
		b.WriteString(f.File)
		b.WriteByte(':')
	}
	if f.Line > 0 {
		fmt.Fprintf(&b, "%d:", f.Line)
		if f.Col > 0 {
			fmt.Fprintf(&b, "%d:", f.Col)
		}
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(f.Severity.String())
	b.WriteString(": ")
	if f.Key != "" {
		b.WriteString(f.Key)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s (%s)", f.Msg, f.Check)
	return b.String()
}

// Options says what the bibliography is for.
type Options struct {
	// BibLaTeX checks required fields against biblatex's data model instead of BibTeX's
	// standard styles.
	BibLaTeX bool
	// ASCII reports non-ASCII text (but in url, doi and the other fields that are addresses):
	// the file is for a BibTeX that does not read UTF-8.
	ASCII bool
}

// Entry checks one entry alone. Fields a parent (bib.Parents) may give are not asked for, since
// the parent is not known here; File knows the file's parents.
func Entry(e *bib.Entry, opts Options) []Finding {
	c := checker{opts: opts}
	c.entry(e)
	return c.out
}

// File checks every entry of a parsed file, its @preamble and @string items, its keys against
// each other, and reports the problems the parser found (syntax, unbalanced braces) as
// findings. The findings are in the order of the file.
func File(f *bib.File, opts Options) []Finding {
	c := checker{opts: opts, file: f.Name, parents: map[string]*bib.Entry{}, unbalanced: map[string]bool{}}
	for _, p := range f.Problems {
		if strings.HasPrefix(p.Msg, "unbalanced braces") && p.Key != "" {
			c.unbalanced[p.Key] = true
		}
	}
	entries := f.Entries()
	for _, e := range entries {
		if k := bib.FoldKey(e.Key); c.parents[k] == nil {
			c.parents[k] = e
		}
	}
	for i := range f.Items {
		it := &f.Items[i]
		switch it.Kind {
		case bib.KindEntry:
			c.entry(it.Entry)
		case bib.KindPreamble:
			c.texItem(it, "@preamble")
		case bib.KindString:
			c.texItem(it, "@string")
		}
	}
	c.keys(entries)
	for _, p := range f.Problems {
		check := Syntax
		if strings.HasPrefix(p.Msg, "unbalanced braces") {
			check = Unbalanced
		}
		sev := Warning
		if p.Severity == bib.Error {
			sev = Error
		}
		c.out = append(c.out, Finding{Check: check, Severity: sev, File: f.Name, Line: p.Line, Col: p.Col, Key: p.Key, Msg: p.Msg})
	}
	slices.SortStableFunc(c.out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	return c.out
}

// checker gathers the findings of one Entry or File.
type checker struct {
	opts Options
	file string
	// parents holds the file's entries by folded key (bib.FoldKey) (the first of a key), for crossref;
	// nil when the file is not known.
	parents map[string]*bib.Entry
	// unbalanced holds the keys of the entries the parser reported unbalanced braces in.
	unbalanced map[string]bool
	out        []Finding
	// lines holds the offsets of the line starts of linesOf's source, for position.
	linesOf *bib.Entry
	lines   []int
}

// add records a finding about field f of e (nil for the entry), at the offset off of f's raw
// text (-1: at the value).
func (c *checker) add(check Check, sev Severity, e *bib.Entry, f *bib.Field, off int, fix, format string, args ...any) {
	fd := Finding{Check: check, Severity: sev, File: c.file, Key: e.Key, Line: e.Line, Msg: fmt.Sprintf(format, args...), Fix: fix}
	if f != nil {
		fd.Field = f.Name
		fd.Line, fd.Col = c.position(e, f, max(off, 0))
	} else if e.Source != "" {
		fd.Col = 1 + utf8.RuneCountInString(e.Prefix)
	}
	c.out = append(c.out, fd)
}

// entry runs the checks of one entry. The fields of an entry read with a syntax error are those
// before the error: what it lacks is not reported.
func (c *checker) entry(e *bib.Entry) {
	if !e.Broken {
		c.missing(e)
	}
	var doi *bib.Field
	for i := range e.Fields {
		f := &e.Fields[i]
		c.tex(e, f)
		if !bib.Balanced(f.Raw) {
			c.add(Unbalanced, Error, e, f, -1, "", "%s: braces do not balance (BibTeX counts \\{ and \\} too)", f.Name)
			continue
		}
		if f.Duplicate {
			continue // BibTeX reads the first only
		}
		switch f.Name {
		case "doi":
			doi = f
			c.doi(e, f)
		case "isbn":
			c.isbn(e, f)
		case "issn":
			c.issn(e, f)
		case "year":
			c.year(e, f)
		case "date", "urldate", "origdate", "eventdate":
			c.date(e, f)
		case "pages":
			c.pages(e, f)
		case "title":
			c.caps(e, f)
		case "author", "editor":
			c.etAl(e, f)
		}
		if c.opts.ASCII {
			c.nonASCII(e, f)
		}
	}
	if doi != nil {
		if u := e.Field("url"); u != nil {
			c.urlIsDOI(e, u, doi)
		}
	}
	if c.opts.ASCII && !isASCII(e.Key) {
		c.add(NonASCII, Warning, e, nil, -1, "", "the key \"%s\" has non-ASCII characters, which a BibTeX without UTF-8 cannot cite", e.Key)
	}
	if e.Broken && !c.unbalanced[e.Key] && !bib.Balanced(e.Source) {
		c.add(Unbalanced, Error, e, nil, -1, "", "the entry's braces do not balance: a value runs on past where it was meant to end")
	}
}

// missing reports the required fields the entry lacks, those its parents give aside (bib.Parents,
// read as bib.Inherit says, looked up as BibTeX does without regard to ASCII case). Nothing is
// reported when a parent that may give them is not known here: Entry alone, or a parent the file
// does not hold.
func (c *checker) missing(e *bib.Entry) {
	need := bib.Missing
	d := bib.BibTeX
	if c.opts.BibLaTeX {
		need, d = bib.MissingBibLaTeX, bib.BibLaTeX
	}
	missing := need(e)
	if len(missing) == 0 {
		return
	}
	full := e
	for _, k := range bib.Parents(e) {
		parent := c.parents[bib.FoldKey(k)]
		if parent == nil {
			if d == bib.BibTeX && !bib.SameKey(k, strings.TrimSpace(e.Get("crossref"))) {
				continue // an xdata parent, which BibTeX does not read
			}
			return
		}
		full = bib.Inherit(full, parent, d)
	}
	if full != e {
		missing = need(full)
	}
	style := "BibTeX's standard styles"
	if c.opts.BibLaTeX {
		style = "biblatex"
	}
	for _, m := range missing {
		c.add(MissingField, Warning, e, nil, -1, "", "@%s has no %s, which %s require", e.Type, m, style)
	}
}

// keys reports keys written twice, or differing only in case: BibTeX takes them for one entry
// (its "Repeated entry" error) while \cite tells them apart.
func (c *checker) keys(entries []*bib.Entry) {
	first := make(map[string]*bib.Entry, len(entries))
	for _, e := range entries {
		k := bib.FoldKey(e.Key)
		p, ok := first[k]
		if !ok {
			first[k] = e
			continue
		}
		if p.Key == e.Key {
			c.add(DuplicateKey, Error, e, nil, -1, "", "the key is used before, on line %d: BibTeX reads the first entry only", p.Line)
		} else {
			c.add(KeyCase, Error, e, nil, -1, "", "the key differs only in case from \"%s\" on line %d: BibTeX takes them for one entry and reads the first only", p.Key, p.Line)
		}
	}
}

// position returns the line and column (in characters, from 1) of the offset off of field f's
// raw text in the entry's source: the field is looked for from its line on, its name then its
// raw text. It returns the field's line and column 0 when the source does not hold it. The
// entry's @ is taken to be at the start of its line, after its Prefix. The entry's line starts
// are counted once (lineStarts) and kept in c for the entry's other findings, so that an entry
// of many lines with a finding on each costs time in proportion to its length, not its square.
func (c *checker) position(e *bib.Entry, f *bib.Field, off int) (line, col int) {
	s := e.Source
	if s == "" || f.Line < e.Line {
		return f.Line, 0
	}
	if c.linesOf != e {
		c.linesOf, c.lines = e, lineStarts(s, c.lines[:0])
	}
	if f.Line-e.Line >= len(c.lines) {
		return f.Line, 0
	}
	i := c.lines[f.Line-e.Line]
	if n := nameAt(s, i, f.Name); n >= 0 {
		i = n
	}
	k := strings.Index(s[i:], f.Raw)
	if k < 0 || off > len(f.Raw) {
		return f.Line, 0
	}
	pos := i + k + off
	// The line holding pos: the last line start at or before it.
	n, found := slices.BinarySearch(c.lines, pos)
	if !found {
		n--
	}
	ls := c.lines[n]
	line = e.Line + n
	col = utf8.RuneCountInString(s[ls:pos]) + 1
	if ls == 0 {
		col += utf8.RuneCountInString(e.Prefix)
	}
	return line, col
}

// lineStarts appends to out the offset of each line's start in s, 0 first.
func lineStarts(s string, out []int) []int {
	out = append(out, 0)
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		out = append(out, i)
	}
	return out
}

// nameAt returns the offset after the first field name name (case-insensitive, lower-case
// name) in s from i on that is followed by =, or -1.
func nameAt(s string, i int, name string) int {
	for i < len(s) {
		j := indexFold(s[i:], name)
		if j < 0 {
			return -1
		}
		start, end := i+j, i+j+len(name)
		k := end
		for k < len(s) && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r') {
			k++
		}
		if (start == 0 || !isNameByte(s[start-1])) && k < len(s) && s[k] == '=' {
			return end
		}
		i = end
	}
	return -1
}

// indexFold is strings.Index of a lower-case ASCII name in s, ignoring ASCII case.
func indexFold(s, name string) int {
	if name == "" {
		return -1
	}
	for i := 0; i+len(name) <= len(s); i++ {
		if lower(s[i]) != name[0] {
			continue
		}
		j := 1
		for j < len(name) && lower(s[i+j]) == name[j] {
			j++
		}
		if j == len(name) {
			return i
		}
	}
	return -1
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == ':' || c == '.'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// literal splits a raw value that is one braced or quoted part ({text} or "text", no macro, no
// #) into its delimiters and its text; ok is false for any other raw value.
func literal(raw string) (open, body, close string, ok bool) {
	n := len(raw)
	if n < 2 {
		return "", "", "", false
	}
	switch {
	case raw[0] == '{' && raw[n-1] == '}':
		depth := 0
		for i := 0; i < n; i++ {
			switch raw[i] {
			case '{':
				depth++
			case '}':
				depth--
				if depth == 0 && i != n-1 {
					return "", "", "", false
				}
			}
		}
		return "{", raw[1 : n-1], "}", depth == 0
	case raw[0] == '"' && raw[n-1] == '"':
		depth := 0
		for i := 1; i < n-1; i++ {
			switch raw[i] {
			case '{':
				depth++
			case '}':
				depth--
				if depth < 0 {
					return "", "", "", false
				}
			case '"':
				if depth == 0 {
					return "", "", "", false
				}
			}
		}
		return `"`, raw[1 : n-1], `"`, depth == 0
	}
	return "", "", "", false
}

// rawOffset returns the offset in f's raw text of the offset off of its value, when the raw text
// is the value in delimiters, or else of the first place the value's text text is in the raw
// text; -1 when neither.
func rawOffset(f *bib.Field, off int, text string) int {
	if _, body, _, ok := literal(f.Raw); ok && body == f.Value {
		return 1 + off
	}
	if f.Raw == f.Value {
		return off
	}
	return strings.Index(f.Raw, text)
}
