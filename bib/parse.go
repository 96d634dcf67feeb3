package bib

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// months are BibTeX's built-in month macros.
var months = map[string]string{
	"jan": "January", "feb": "February", "mar": "March", "apr": "April",
	"may": "May", "jun": "June", "jul": "July", "aug": "August",
	"sep": "September", "oct": "October", "nov": "November", "dec": "December",
}

// Parse reads a .bib file. name is used in problems only. It never fails: what it cannot parse is
// kept as a KindBad item and reported in File.Problems, and parsing goes on at the next line that
// starts with @.
func Parse(name string, src []byte) *File {
	text, problems := decode(name, src)
	return parse(name, text, problems)
}

// ParseString is Parse of a file already read as a string, as ReadFile reads it. A file that is
// valid UTF-8 is parsed in place: the entries' text refers to s instead of a copy of it, which
// for a large file saves its size in memory.
func ParseString(name, s string) *File {
	text, problems := decodeString(name, s)
	return parse(name, text, problems)
}

// ReadFile reads a file into a string without the copy that string(os.ReadFile(...)) makes.
func ReadFile(path string) (string, error) {
	return readString(path)
}

// ParseBiber is Parse with a rule of biber's where it reads an entry otherwise than bibtex: inside
// an item, a % starts a comment that runs to the end of the line, where bibtex finds an error
// and ends the entry.
func ParseBiber(name string, src []byte) *File {
	text, problems := decode(name, src)
	p := newParser(name, text, problems)
	p.biber = true
	return p.run()
}

func parse(name, text string, problems []Problem) *File {
	return newParser(name, text, problems).run()
}

func (p *parser) run() *File {
	text := p.src
	// About one item per @, and the text between them; but not more than a file of tiny items
	// would need (a run of @ is one item).
	p.file.Items = make([]Item, 0, min(2*strings.Count(text, "@"), len(text)/16)+1)
	for !p.done {
		p.step()
	}
	return p.file
}

func newParser(name, text string, problems []Problem) *parser {
	return &parser{
		name:   name,
		src:    text,
		macros: map[string]string{},
		file:   &File{Name: name, Problems: problems},
		line:   1,
		loneCR: hasLoneCR(text),
	}
}

// hasLoneCR reports whether a \r in s ends a line by itself, as in old Mac files: one that a \n
// does not follow. Only then do lines need counting at both; a \r\n ends at its \n.
func hasLoneCR(s string) bool {
	for i := strings.IndexByte(s, '\r'); i >= 0; {
		if i+1 == len(s) || s[i+1] != '\n' {
			return true
		}
		j := strings.IndexByte(s[i+2:], '\r')
		if j < 0 {
			return false
		}
		i += 2 + j
	}
	return false
}

// ItemReader gives the items of a file one at a time, as it reads them, so that a large file's
// items need not all be in memory at once: Reader for BibTeX, and the readers of the other
// formats. An ItemReader is not safe for use by several goroutines at once.
type ItemReader interface {
	// Next returns the next item, or false at the end of the file.
	Next() (Item, bool)
	// Problems returns the problems found so far; once Next has reported the end, all of them.
	Problems() Problems
	// Estimate returns about how many items the file has, cheaply, for a progress bar.
	Estimate() int
	// Name returns the file name the reader was given.
	Name() string
}

// ReadAll reads every item of r into a File, with its problems: a format's Parse is ReadAll of
// its Reader.
func ReadAll(r ItemReader) *File {
	f := &File{Name: r.Name()}
	for it, ok := r.Next(); ok; it, ok = r.Next() {
		f.Items = append(f.Items, it)
	}
	f.Problems = r.Problems()
	return f
}

var _ ItemReader = (*Reader)(nil)

// Reader parses a .bib file one item at a time, for files too large to hold parsed whole: the
// items and problems it gives are those of Parse, in the same order, and an item does not keep
// the ones before it in memory. It is not safe for use by several goroutines at once.
type Reader struct {
	p *parser
	i int // the next item of p.file.Items to give
}

// NewReader returns a Reader of a file read as a string, as ReadFile reads it. Like ParseString,
// it parses a valid UTF-8 text in place.
func NewReader(name, s string) *Reader {
	text, problems := decodeString(name, s)
	return &Reader{p: newParser(name, text, problems)}
}

// Next returns the next item, or false at the end of the file.
func (r *Reader) Next() (Item, bool) {
	p := r.p
	for r.i >= len(p.file.Items) {
		if p.done {
			return Item{}, false
		}
		clear(p.file.Items)
		p.file.Items, r.i = p.file.Items[:0], 0
		p.step()
	}
	it := p.file.Items[r.i]
	r.i++
	return it, true
}

// Problems returns the problems found so far; once Next has reported the end, all of them.
func (r *Reader) Problems() Problems { return r.p.file.Problems }

// Name returns the file name the Reader was given.
func (r *Reader) Name() string { return r.p.name }

// Estimate returns about how many items the file has: the @ signs that start a line (after
// blanks), which in most files are exactly its entries, @string, @preamble and @comment items.
// A line ends at \n or \r (old Mac files end lines with \r alone).
func (r *Reader) Estimate() int {
	s, n := r.p.src, 0
	for i := 0; ; i++ {
		j := strings.IndexByte(s[i:], '@')
		if j < 0 {
			return n
		}
		i += j
		k := i
		for k > 0 && (s[k-1] == ' ' || s[k-1] == '\t') {
			k--
		}
		if k == 0 || s[k-1] == '\n' || s[k-1] == '\r' {
			n++
		}
	}
}

type parser struct {
	name string
	src  string
	pos  int
	// The line lineCol last found: its number, the offset of its first byte, and how far after
	// that the text is known to have no newline. Offsets asked for mostly grow, so each newline
	// is looked at about once, and no table of the lines is kept.
	line, lineStart, scanned int
	macroUsed                bool              // a value of the entry being read named a macro
	textStart                int               // where the text after the last item starts
	done                     bool              // the whole input is parsed
	macros                   map[string]string // lower-case name -> expanded value, from earlier @string items
	file                     *File
	fields                   []Field            // the entry being read; reused from entry to entry
	onMacro                  func(lname string) // when set, told of each macro name a value uses
	// onField, when set, is told of each field read, with where its name starts and where its
	// raw value starts and ends.
	onField func(name string, nameStart, start, end int)
	// fieldNames holds the names in fields once they are more than a scan should look through
	// (see repeated); nil until then.
	fieldNames map[string]struct{}

	loneCR   bool     // some line ends with a \r alone (see lineEnd)
	biber    bool     // % starts a comment inside an item too (see ParseBiber)
	parts    []string // the parts of the value being read; reused from value to value
	defining string   // the macro whose @string is being read
	grown    int      // the bytes values have expanded to beyond their own text (see fits)
	// far is the end of the input once a value was looked for to the end of it; braces, once
	// parsing has gone back to text it had read, pairs its braces and counts its lines.
	far      int
	braces   *braceTable
	valueEnd int  // the end of the last value read
	items    bool // an item other than text was read
}

// syntaxError aborts the current item; parse recovers from it. resume is where BibTeX would
// look for the next @ (where the error is), or -1 when the error ran to the end of the input.
type syntaxError struct {
	Problem
	resume int
}

func (p *parser) lineCol(off int) (int, int) {
	if t := p.braces; t != nil && off >= t.from {
		return t.lineCol(off)
	}
	if p.loneCR {
		return p.lineColCR(off)
	}
	if off < p.lineStart {
		start := strings.LastIndexByte(p.src[:off], '\n') + 1
		p.line -= strings.Count(p.src[start:p.lineStart], "\n")
		p.lineStart, p.scanned = start, off
	} else if off > p.scanned {
		seg := p.src[p.scanned:off]
		if n := strings.Count(seg, "\n"); n > 0 {
			p.line += n
			p.lineStart = p.scanned + strings.LastIndexByte(seg, '\n') + 1
		}
		p.scanned = off
	}
	return p.line, off - p.lineStart + 1
}

// lineEnd reports whether the byte at i ends a line: a \n, or a \r that no \n follows.
func (p *parser) lineEnd(i int) bool {
	c := p.src[i]
	return c == '\n' || c == '\r' && (i+1 == len(p.src) || p.src[i+1] != '\n')
}

// lineColCR is lineCol for a text in which some lines end with \r alone.
func (p *parser) lineColCR(off int) (int, int) {
	if off < p.lineStart {
		start := off
		for start > 0 && !p.lineEnd(start-1) {
			start--
		}
		for i := start; i < p.lineStart; i++ {
			if p.lineEnd(i) {
				p.line--
			}
		}
		p.lineStart, p.scanned = start, off
	} else if off > p.scanned {
		for i := p.scanned; i < off; i++ {
			if p.lineEnd(i) {
				p.line++
				p.lineStart = i + 1
			}
		}
		p.scanned = off
	}
	return p.line, off - p.lineStart + 1
}

func (p *parser) problem(off int, sev Severity, key, format string, args ...any) Problem {
	line, col := p.lineCol(off)
	return Problem{File: p.name, Line: line, Col: col, Key: key, Severity: sev, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) warn(off int, key, format string, args ...any) {
	p.file.Problems = append(p.file.Problems, p.problem(off, Warning, key, format, args...))
}

func (p *parser) fail(off int, key, format string, args ...any) {
	panic(syntaxError{p.problem(off, Error, key, format, args...), off})
}

// failOpen is fail for a brace or quote opened at off and never closed: the error ran to the end
// of the input.
func (p *parser) failOpen(off int, key, format string, args ...any) {
	panic(syntaxError{p.problem(off, Error, key, format, args...), -1})
}

// add appends the item whose source starts at off.
func (p *parser) add(off int, it Item) {
	if it.Raw == "" {
		return
	}
	p.items = p.items || it.Kind != KindText
	it.Line, _ = p.lineCol(off)
	if it.Kind != KindText {
		it.Prefix = commentPrefix(p.src, p.textStart, off)
		if it.Entry != nil {
			it.Entry.Prefix = it.Prefix
		}
	}
	p.file.Items = append(p.file.Items, it)
}

// commentPrefix returns the text before the @ at off on its line, after the item before it
// (which ended at from), when it holds a %: biber (and btparse) read the line as a comment,
// bibtex reads the item.
func commentPrefix(src string, from, off int) string {
	if off == 0 || src[off-1] == '\n' {
		return ""
	}
	start := from + strings.LastIndexAny(src[from:off], "\n\r") + 1
	if !strings.Contains(src[start:off], "%") {
		return ""
	}
	return src[start:off]
}

// step parses the input up to and including the next item, appending the items it finds to
// p.file.Items (the text before an item, then the item); at the end of the input it appends the
// text after the last item and sets done.
func (p *parser) step() {
	for p.pos < len(p.src) {
		i := strings.IndexByte(p.src[p.pos:], '@')
		if i < 0 {
			break
		}
		at := p.pos + i
		if !isIDChar(p.peekAfterSpace(at + 1)) {
			// An @ in free text (an e-mail address in a comment, say): BibTeX skips it too.
			p.pos = at + 1
			continue
		}
		n := len(p.file.Items)
		if ok, partial, resume := p.item(at); !ok {
			// The item ends where the next one starts: at the next line that starts with @, or,
			// as BibTeX goes on, at the next @ after the error when that comes first (an entry
			// commented out with % on the next line, which BibTeX still reads). Not in a value
			// read whole, though: that text is the value's, as bibtex reads it. The blank lines,
			// and what precedes that @ on its line, are text.
			next := p.nextItemLine(max(at+1, p.valueEnd))
			if resume = max(resume, at+1, p.valueEnd); resume < next {
				if j := strings.IndexByte(p.src[resume:next], '@'); j >= 0 {
					next = resume + j
					if ls := strings.LastIndexAny(p.src[at:next], "\n\r"); ls >= 0 {
						next = at + ls + 1
					}
				}
			}
			if p.braces == nil && max(p.pos, p.far) > next {
				// Parsing goes back to text the item was read through.
				p.braces = p.newBraceTable(next)
			}
			p.pos = at + len(strings.TrimRightFunc(p.src[at:next], unicode.IsSpace))
			if partial != nil {
				// BibTeX keeps an entry whose key it has read, with the fields before the error.
				partial.Source, partial.Broken = p.src[at:p.pos], true
				p.add(at, Item{Kind: KindEntry, Raw: partial.Source, Entry: partial})
			} else {
				p.add(at, Item{Kind: KindBad, Raw: p.src[at:p.pos]})
			}
		}
		if len(p.file.Items) == n {
			continue // the @ was text
		}
		if text := p.src[p.textStart:at]; text != "" {
			line, _ := p.lineCol(p.textStart)
			p.file.Items = slices.Insert(p.file.Items, n, Item{Kind: KindText, Raw: text, Line: line})
		}
		p.textStart = p.pos
		return
	}
	p.add(p.textStart, Item{Kind: KindText, Raw: p.src[p.textStart:]})
	p.done = true
	if !p.items && strings.TrimSpace(p.src) != "" {
		p.file.Problems = append(p.file.Problems, p.problem(0, Error, "", "no BibTeX entries: %s", noEntries(p.src)))
	}
}

// noEntries says what a text with no item in it looks like.
func noEntries(s string) string {
	s = strings.TrimLeft(s, " \t\r\n")
	switch {
	case strings.HasPrefix(s, "TY  -") || strings.Contains(s, "\nTY  -") || strings.Contains(s, "\rTY  -"):
		return "the file looks like RIS (TY  - lines), which is imported as RIS when its name does not end in .bib"
	case strings.IndexByte(s, 0) >= 0:
		return "the file has NUL bytes, so it may not be text, or be in an encoding other than UTF-8, UTF-16 or Windows-1252"
	}
	return "no @ in it starts an entry, @string, @preamble or @comment"
}

// item parses the item that starts with the @ at offset at. It reports false, with the problem
// recorded, when the item is malformed; partial is then the entry as far as it was read, when its
// key was read.
func (p *parser) item(at int) (ok bool, partial *Entry, resume int) {
	var e *Entry
	defer func() {
		if r := recover(); r != nil {
			se, isSyntax := r.(syntaxError)
			if !isSyntax {
				panic(r)
			}
			if e != nil {
				se.Key = e.Key
				se.Msg += fmt.Sprintf("; the entry is kept with the %d fields before the error", len(e.Fields))
			}
			p.file.Problems = append(p.file.Problems, se.Problem)
			ok, partial, resume = false, e, se.resume
		}
	}()
	p.pos = at + 1
	p.skipSpace()
	typ := strings.ToLower(p.ident())
	p.skipSpace()
	if typ == "comment" {
		// BibTeX skips the word @comment and nothing else: what follows is text between items,
		// and an entry inside @comment{...} is still read, so it is read here too.
		p.pos = at + 1
		p.skipSpace()
		p.ident()
		p.add(at, Item{Kind: KindComment, Raw: p.src[at:p.pos]})
		return true, nil, 0
	}
	open := p.peek()
	if open != '{' && open != '(' {
		// Not an item: an @ in free text such as an e-mail address. BibTeX skips it with a
		// complaint, and looks for the next @ after the word; it is kept as text. (Looking again
		// from at+1 would read the rest of a run of @ once per @.)
		p.warn(at, "", "@%s is not followed by { or (: kept as text", clip(typ))
		return true, nil, 0
	}
	closer := byte('}')
	if open == '(' {
		closer = ')'
	}
	p.pos++
	p.skipSpace()
	switch typ {
	case "string":
		nameOff := p.pos
		name := p.ident()
		if name == "" {
			p.fail(p.pos, "", "expected macro name in @string")
		}
		p.skipSpace()
		p.expect('=', "", "after macro name %q", name)
		raw, value := p.macroValue(name)
		p.skipSpace()
		p.expect(closer, "", "to close @string %q", name)
		lname := strings.ToLower(name)
		if _, dup := p.macros[lname]; dup {
			p.warn(nameOff, "", "macro %q redefined", name)
		}
		p.macros[lname] = value
		p.add(at, Item{Kind: KindString, Raw: p.src[at:p.pos], Name: name, Value: raw, Expansion: value})
	case "preamble":
		raw, value := p.value("")
		p.skipSpace()
		p.expect(closer, "", "to close @preamble")
		p.add(at, Item{Kind: KindPreamble, Raw: p.src[at:p.pos], Value: raw, Expansion: value})
	default:
		if typ == "" {
			p.fail(at, "", "expected entry type after @")
		}
		keyOff := p.pos
		key := p.key(closer)
		e = &Entry{Type: typ, Key: key}
		e.Line, _ = p.lineCol(at)
		if key == "" && p.pos == keyOff {
			p.warn(keyOff, "", "@%s has no citation key", typ)
		}
		p.skipSpace()
		p.macroUsed = false
		if p.peek() != closer {
			p.expect(',', key, "after citation key")
			p.readFields(e, closer)
		}
		p.pos++ // closer
		e.Source = p.src[at:p.pos]
		e.Standalone = !p.macroUsed
		p.add(at, Item{Kind: KindEntry, Raw: e.Source, Entry: e})
	}
	return true, nil, 0
}

func (p *parser) readFields(e *Entry, closer byte) {
	// Fields gather in a buffer reused from entry to entry; the entry gets a copy of exactly
	// their number, also when a syntax error ends it early, or the buffer itself when it holds
	// so many that a copy would cost more than the room left over.
	p.fields, p.fieldNames = p.fields[:0], nil
	repeats, more := 0, -1 // repeated fields, and the index of the problem that counts those past maxRepeats
	defer func() {
		if len(p.fields) > 1024 {
			e.Fields, p.fields = p.fields, nil
		} else {
			e.Fields = slices.Clone(p.fields)
		}
		if more >= 0 {
			p.file.Problems[more].Msg = fmt.Sprintf("%d more repeated fields: BibTeX uses the first value of each; the others are kept", repeats-maxRepeats)
		}
	}()
	for {
		p.skipSpace()
		if p.peek() == closer {
			return
		}
		off := p.pos
		name := strings.ToLower(p.ident())
		if name == "" {
			if p.pos >= len(p.src) {
				p.fail(off, e.Key, "entry not closed: missing %q", closer)
			}
			p.fail(off, e.Key, "expected field name, found %q", p.src[p.pos])
		}
		p.skipSpace()
		p.expect('=', e.Key, "after field name %q", name)
		raw, value := p.value(e.Key)
		if p.onField != nil {
			p.onField(name, off, p.pos-len(raw), p.pos)
		}
		line, _ := p.lineCol(off)
		f := Field{Name: name, Raw: raw, Value: value, Line: line}
		if p.repeated(name) {
			f.Duplicate = true
			switch repeats++; {
			case repeats <= maxRepeats:
				p.warn(off, e.Key, "repeated field %q: BibTeX uses the first value; the others are kept", name)
			case repeats == maxRepeats+1:
				more = len(p.file.Problems)
				p.warn(off, e.Key, "") // its message, with the count, is written when the entry ends
			}
		} else if p.fieldNames != nil {
			p.fieldNames[name] = struct{}{}
		}
		p.fields = append(p.fields, f)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case closer:
			return
		default:
			if p.pos >= len(p.src) {
				p.fail(p.pos, e.Key, "entry not closed: missing %q", closer)
			}
			p.fail(p.pos, e.Key, "expected , or %q after the value of %q", closer, name)
		}
	}
}

// maxRepeats is how many repeated fields of one entry are each told with a warning; one more
// warning counts the rest, so that an entry of a million fields of one name does not make a
// million problems.
const maxRepeats = 10

// fieldScan is how many fields repeated looks through one by one before it keeps their names in
// a map: few entries have more, and an entry of 100,000 fields would take 10^10 comparisons.
const fieldScan = 32

// repeated reports whether the entry being read has a field named name (in lower case) already.
func (p *parser) repeated(name string) bool {
	if p.fieldNames == nil {
		if len(p.fields) < fieldScan {
			return slices.ContainsFunc(p.fields, func(g Field) bool { return g.Name == name })
		}
		p.fieldNames = make(map[string]struct{}, 2*len(p.fields))
		for _, g := range p.fields {
			p.fieldNames[g.Name] = struct{}{}
		}
	}
	_, ok := p.fieldNames[name]
	return ok
}

// maxValue is the most bytes a value may expand to through macros and #. The bibtex of TeX Live
// grows its buffers as it needs (buf_size = 200,000 in texmf.cnf is where it starts; it read a
// 33 MB value), so the limit is not bibtex's: it is 20 times the longest value of the corpus
// (52 KB), and keeps a file of @string{a = b # b} lines from doubling a value to any size.
const maxValue = 1 << 20

// macroValue is value for the @string definition of a macro: its name inside its own definition
// reads as empty, as bibtex reads it.
func (p *parser) macroValue(name string) (raw, value string) {
	p.defining = name
	defer func() { p.defining = "" }()
	return p.value("")
}

// value parses part { # part } and returns the raw text and BibTeX's expansion of it. A value
// that would expand to more than maxValue bytes, or past what the file may grow to
// (roomToGrow), is kept as written, with an error.
func (p *parser) value(key string) (raw, value string) {
	p.skipSpace()
	start := p.pos
	parts, size := p.parts[:0], 0
	for {
		part, messy := p.part(key)
		end := p.pos
		p.skipSpace()
		if p.peek() != '#' {
			p.pos, p.valueEnd = end, end
			raw = p.src[start:end]
			if len(parts) == 0 {
				// Most values are one part with clean spacing: no need to copy it.
				if messy {
					part = collapseSpace(part)
				}
				if len(part) > len(raw) && !p.fits(start, key, len(part), len(raw)) {
					return raw, raw
				}
				return raw, part
			}
			parts = append(parts, part)
			size += len(part)
			p.parts = parts
			if !p.fits(start, key, size, len(raw)) {
				return raw, raw
			}
			var b strings.Builder
			b.Grow(size)
			for _, s := range parts {
				b.WriteString(s)
			}
			clear(parts)
			return raw, collapseSpace(b.String())
		}
		parts = append(parts, part)
		size += len(part)
		p.pos++
		p.skipSpace()
	}
}

// roomToGrow is how far a file's values may expand, together, beyond their own text: a
// small file's values cannot take a great deal of memory either.
func roomToGrow(text string) int { return 4*len(text) + 64<<10 }

// fits says whether a value written in rawLen bytes at off may expand to size bytes, and counts
// them; if not, it says why in an error.
func (p *parser) fits(off int, key string, size, rawLen int) bool {
	what := "value"
	if p.defining != "" {
		what = fmt.Sprintf("macro %q", p.defining)
	}
	switch grow := size - rawLen; {
	case grow <= 0:
		return true
	case size > maxValue:
		p.file.Problems = append(p.file.Problems, p.problem(off, Error, key,
			"%s expands to %d bytes, more than the %d a value may have: kept as written", what, size, maxValue))
		return false
	case p.grown+grow > roomToGrow(p.src):
		p.file.Problems = append(p.file.Problems, p.problem(off, Error, key,
			"the file's values expand to more than %d bytes beyond their own text (4 times the file's size and 64 KiB): this %s is kept as written", roomToGrow(p.src), what))
		return false
	default:
		p.grown += grow
		return true
	}
}

// part parses one part of a value: {braced}, "quoted", a number or a macro name, and returns
// its expansion, and whether its white space needs collapsing.
func (p *parser) part(key string) (string, bool) {
	off := p.pos
	switch c := p.peek(); {
	case c == '{':
		end := p.balanced(off, key)
		v := p.src[off+1 : end-1]
		return v, messySpace(v)
	case c == '"':
		v := p.quoted(off, key)
		return v, messySpace(v)
	case c >= '0' && c <= '9':
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		return p.src[off:p.pos], false
	case isIDChar(c):
		p.macroUsed = true
		name := p.ident()
		if p.defining != "" && strings.EqualFold(name, p.defining) {
			p.warn(off, key, "macro %q is used in its own definition: bibtex reads it as empty here", name)
			return "", false
		}
		lname := strings.ToLower(name)
		if p.onMacro != nil {
			p.onMacro(lname)
		}
		if v, ok := p.macros[lname]; ok {
			return v, false
		}
		if v, ok := months[lname]; ok {
			return v, false
		}
		p.warn(off, key, "undefined macro %q: kept as its name", name)
		return name, false
	case p.pos >= len(p.src):
		p.fail(off, key, "unexpected end of file: expected a value")
	default:
		p.fail(off, key, "expected a value, found %q", c)
	}
	return "", false
}

// MacroNames returns the macro names a raw field value (as Field.Raw holds it) uses, in lower
// case, each once, in the order they first appear: month abbreviations and names of @string
// macros, defined or not. A value that does not parse uses none.
func MacroNames(raw string) []string {
	if raw == "" || (raw[0] == '{' || raw[0] == '"' || raw[0] >= '0' && raw[0] <= '9') && !strings.Contains(raw, "#") {
		return nil // one part, and not a name
	}
	return parsedMacroNames(raw)
}

// parsedMacroNames is MacroNames for a value that must be parsed. It is a function of its own
// because its result, which the closures keep, is put on the heap when the function starts: the
// values that need no parse (nearly all) should not pay for it.
func parsedMacroNames(raw string) (names []string) {
	p := newParser("", raw, nil)
	p.onMacro = func(lname string) {
		if !slices.Contains(names, lname) {
			names = append(names, lname)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(syntaxError); !ok {
				panic(r)
			}
			names = nil
		}
	}()
	p.value("")
	return names
}

// MacroNames returns the macro names the entry's fields use (see the function MacroNames).
func (e *Entry) MacroNames() []string {
	var names []string
	for _, f := range e.Fields {
		for _, n := range MacroNames(f.Raw) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// IsMonth reports whether a lower-case macro name is one of BibTeX's month abbreviations, which
// the bibliography style defines (jan is "January" in plain.bst) unless a file redefines it.
func IsMonth(lname string) bool { return months[lname] != "" }

// balanced consumes a {...} group starting at off, with nested braces, and returns the offset
// just past it.
func (p *parser) balanced(off int, key string) int {
	if t := p.braces; t != nil && off >= t.from {
		if end := t.closer(off); end >= 0 {
			p.pos = end + 1
			return p.pos
		}
		p.failOpen(off, key, "unbalanced braces: '{' opened here is never closed")
	}
	// Between one } and the next there are only {s, so the depth can only reach 0 at a }.
	depth := 1
	for i := off + 1; ; {
		j := strings.IndexByte(p.src[i:], '}')
		if j < 0 {
			break
		}
		depth += strings.Count(p.src[i:i+j], "{") - 1
		i += j + 1
		if depth == 0 {
			p.pos = i
			return i
		}
	}
	p.far = len(p.src)
	p.failOpen(off, key, "unbalanced braces: '{' opened here is never closed")
	return 0
}

// quoted consumes "..." starting at off; a quote inside braces does not end it.
func (p *parser) quoted(off int, key string) string {
	if t := p.braces; t != nil && off >= t.from {
		// Brace groups are stepped over whole.
		for i := off + 1; i < len(p.src); i++ {
			switch p.src[i] {
			case '{':
				if i = t.closer(i); i < 0 {
					p.failOpen(off, key, "unterminated quoted value")
				}
			case '}':
				p.fail(i, key, "unbalanced braces: } without { in quoted value")
			case '"':
				p.pos = i + 1
				return p.src[off+1 : i]
			}
		}
		p.failOpen(off, key, "unterminated quoted value")
	}
	depth := 0
	for i := off + 1; i < len(p.src); i++ {
		switch p.src[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth < 0 {
				p.fail(i, key, "unbalanced braces: } without { in quoted value")
			}
		case '"':
			if depth == 0 {
				p.pos = i + 1
				return p.src[off+1 : i]
			}
		}
	}
	p.far = len(p.src)
	p.failOpen(off, key, "unterminated quoted value")
	return ""
}

// braceTable pairs each { of a text, from an offset on, with its }, and lists where its lines
// start. Parsing resumes after a broken item at the next line that starts with @, which can be
// text that a value of the item was read through, to its end or to the end of the file; with
// such an item on every line, each would read the rest of the file again. The table is made
// once, in one pass, when that first happens, and then finds the end of a value or the line of
// an offset in log time. (It holds offsets as int32: a text of 2 GiB or more does without it.)
type braceTable struct {
	from   int
	opens  []int32 // the offset of each {, in order
	closes []int32 // the offset of the } that closes it, or -1
	// lines holds the offset of each line start after from; line and start are the line of
	// from and the offset where that line starts.
	lines       []int32
	line, start int
}

// newBraceTable makes the table of src from the offset from on, which is a line start. It
// returns nil for a text too long for it.
func (p *parser) newBraceTable(from int) *braceTable {
	src := p.src
	if len(src) > math.MaxInt32 {
		return nil
	}
	t := &braceTable{from: from}
	// from may be inside a line (a broken value's text is read again from an @ in it): the
	// columns of that line count from its start.
	line, col := p.lineCol(from)
	t.line, t.start = line, from-col+1
	var open []int32 // indexes of the {s not yet closed
	for i := from; i < len(src); i++ {
		switch src[i] {
		case '{':
			open = append(open, int32(len(t.opens)))
			t.opens = append(t.opens, int32(i))
			t.closes = append(t.closes, -1)
		case '}':
			if k := len(open) - 1; k >= 0 {
				t.closes[open[k]] = int32(i)
				open = open[:k]
			}
		case '\n', '\r':
			if p.lineEnd(i) {
				t.lines = append(t.lines, int32(i+1))
			}
		}
	}
	return t
}

// closer returns the offset of the } that closes the { at off, or -1.
func (t *braceTable) closer(off int) int {
	k, _ := slices.BinarySearch(t.opens, int32(off))
	return int(t.closes[k])
}

func (t *braceTable) lineCol(off int) (int, int) {
	// The number of line starts at or before off.
	k, found := slices.BinarySearch(t.lines, int32(off))
	if found {
		k++
	}
	start := t.start
	if k > 0 {
		start = int(t.lines[k-1])
	}
	return t.line + k, off - start + 1
}

// key reads a citation key. A key with a character that can be neither typed nor cited
// (unseen), or with a brace, is reported and read as none, so that the entry gets a key as one
// without does.
func (p *parser) key(closer byte) string {
	start := p.pos
	ascii := true
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == ',' || c == closer || isSpace(c) {
			break
		}
		ascii = ascii && c >= ' ' && c < 0x7f
		p.pos++
	}
	key := p.src[start:p.pos]
	if !ascii && strings.IndexFunc(key, unseen) >= 0 {
		p.warn(start, "", "citation key %q has a character that can be neither typed nor cited: the entry is read as having no key", clip(key))
		return ""
	}
	if strings.ContainsAny(key, "{}") {
		// bibtex reads it, but \cite cannot take it, and biber stops reading the file there.
		p.warn(start, "", "citation key %q has a brace, which \\cite cannot take and biber cannot read: the entry is read as having no key", clip(key))
		return ""
	}
	return key
}

func (p *parser) expect(c byte, key, format string, args ...any) {
	if p.peek() != c {
		what := "end of file"
		if p.pos < len(p.src) {
			what = fmt.Sprintf("%q", p.src[p.pos])
		}
		p.fail(p.pos, key, "expected %q %s, found %s", c, fmt.Sprintf(format, args...), what)
	}
	p.pos++
}

func (p *parser) ident() string {
	start := p.pos
	for p.pos < len(p.src) && isIDChar(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *parser) peekAfterSpace(off int) byte {
	for off < len(p.src) && isSpace(p.src[off]) {
		off++
	}
	if off < len(p.src) {
		return p.src[off]
	}
	return 0
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case isSpace(c):
			p.pos++
		case c == '%' && p.biber:
			if nl := strings.IndexAny(p.src[p.pos:], "\n\r"); nl >= 0 {
				p.pos += nl
			} else {
				p.pos = len(p.src)
			}
		default:
			return
		}
	}
}

// nextItemLine returns the offset of the next line, at or after off, whose first non-blank
// character is @; or the end of the input.
func (p *parser) nextItemLine(off int) int {
	for {
		var nl int
		if p.loneCR {
			nl = strings.IndexAny(p.src[off:], "\r\n")
		} else {
			nl = strings.IndexByte(p.src[off:], '\n')
		}
		if nl < 0 {
			return len(p.src)
		}
		off += nl + 1
		i := off
		for i < len(p.src) && (p.src[i] == ' ' || p.src[i] == '\t') {
			i++
		}
		if i < len(p.src) && p.src[i] == '@' {
			return off
		}
	}
}

func isSpace(c byte) bool { return spaces[c] }

// clip shortens text from the file that a message quotes to its first 40 bytes (on a character
// boundary) and an ellipsis.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	i := 40
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// isIDChar reports whether c may appear in a BibTeX identifier (entry type, field or macro name).
// BibTeX allows any printable character but these; bytes of multi-byte UTF-8 runes are allowed.
func isIDChar(c byte) bool {
	if c <= ' ' || c == 0x7f {
		return false
	}
	return !strings.ContainsRune("\"#%'(),={}", rune(c))
}

// messySpace reports whether collapseSpace would change s: white space at an end, two spaces in
// a row, or white space other than a space.
func messySpace(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return true
	}
	space := false // the last byte was a space
	for i := 0; i < len(s); i++ {
		if i+8 <= len(s) {
			// Skip eight bytes at a time while none is white space other than single spaces.
			x := word8(s[i:])
			if last, ok := singleSpaces(x, space, true); ok {
				space = last
				i += 7
				continue
			}
		}
		switch c := s[i]; {
		case c == ' ':
			if space {
				return true
			}
			space = true
		case spaces[c]:
			return true
		default:
			space = false
		}
	}
	return false
}

var spaces = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '\f': true, '\v': true}

// collapseSpace turns each run of white space into one space and trims the ends, as BibTeX does
// with field values. It allocates only when it changes something.
func collapseSpace(s string) string {
	if !messySpace(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			space = len(b) > 0
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, s[i])
	}
	return string(b)
}
