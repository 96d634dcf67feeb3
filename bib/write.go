package bib

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Format returns an entry as BibTeX. An entry that still has its Source (as parsed, or edited
// in place: see Set) comes back byte for byte; any other entry gets the canonical form:
//
//	@type{key,
//	  name = {value},
//	}
//
// with fields in their order and two spaces of indent. A value that is one quoted string or a
// number is written in braces, which BibTeX reads the same; a bare macro name (month = sep,
// journal = jacm) stays bare and a # concatenation stays as written.
func Format(e *Entry) string {
	if e.Source != "" {
		return e.Source
	}
	// A key read from @type(...) may hold a }, which would end a braced entry.
	open, closer := "{", "}"
	if strings.Contains(e.Key, "}") {
		open, closer = "(", ")"
	}
	var b strings.Builder
	b.WriteString("@")
	b.WriteString(e.Type)
	b.WriteString(open)
	b.WriteString(e.Key)
	b.WriteString(",\n")
	for _, f := range e.Fields {
		raw := canonicalRaw(f)
		b.WriteString("  ")
		b.WriteString(f.Name)
		b.WriteString(" = ")
		b.WriteString(raw)
		b.WriteString(",\n")
	}
	b.WriteString(closer)
	return b.String()
}

// canonicalRaw returns a field's value in the canonical form.
func canonicalRaw(f Field) string {
	raw := f.Raw
	if raw == "" {
		return "{" + f.Value + "}"
	}
	switch {
	case isNumber(raw):
		return "{" + raw + "}"
	case raw[0] == '"' && quotedEnd(raw) == len(raw)-1:
		return "{" + raw[1:len(raw)-1] + "}"
	}
	return raw
}

func isNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// quotedEnd returns the offset of the quote that closes the quoted string starting at s[0], or -1.
func quotedEnd(s string) int {
	depth := 0
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		case '"':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// fieldOrder is the order in which Set places a field the entry did not have: before the first
// existing field that comes later in this list, or at the end when the field is not listed.
var fieldOrder = []string{
	"author", "editor", "title", "subtitle", "booktitle", "journal", "journaltitle", "series",
	"edition", "volume", "number", "pages", "chapter", "year", "month", "date", "publisher",
	"organization", "institution", "school", "address", "location", "howpublished", "type",
	"isbn", "issn", "doi", "eprint", "archiveprefix", "primaryclass", "url", "urldate", "note",
	"annote", "abstract", "keywords", "file",
}

// FieldOrder returns the fields in the order Set places them in, a new slice each call.
func FieldOrder() []string { return slices.Clone(fieldOrder) }

// FieldRank is a field's place in FieldOrder; a field not listed comes after all that are, as
// Set puts it at the end.
func FieldRank(name string) int {
	if i := slices.Index(fieldOrder, name); i >= 0 {
		return i
	}
	return len(fieldOrder)
}

// ErrUnbalanced is returned for a value whose braces do not balance: BibTeX cannot read it.
var ErrUnbalanced = errors.New("unbalanced braces")

// Set gives the entry's field name (case-insensitive) the value value, which is BibTeX text such
// as {G}{\"o}del without outer delimiters, written in braces. A field the entry has keeps its
// place; a new one goes where FieldOrder puts it. A month that names a month (sep, Sep) is
// written as the bare macro. The entry's Source changes only in that field's text where it can
// (see inplace.go); otherwise the entry loses it and is written in the canonical form.
func (e *Entry) Set(name, value string) error {
	name = strings.ToLower(strings.TrimSpace(name))
	if !Balanced(value) {
		return fmt.Errorf("set %s of %q: %w", name, e.Key, ErrUnbalanced)
	}
	raw := "{" + value + "}"
	shown := collapseSpace(value)
	if name == "month" {
		if m := strings.ToLower(value); months[m] != "" {
			raw, shown = m, months[m]
		}
	}
	nf := Field{Name: name, Raw: raw, Value: shown}
	if i := e.fieldIndex(name); i >= 0 {
		nf = e.Fields[i]
		nf.Raw, nf.Value = raw, shown
	}
	e.put(nf)
	return nil
}

// SetField gives the entry the field f as it is, raw text and all: in place of the field of that
// name it has, or where FieldOrder puts a new one. The Source changes as with Set.
func (e *Entry) SetField(f Field) {
	f.Name, f.Duplicate = strings.ToLower(f.Name), false
	e.put(f)
}

// put gives the entry the field f, whose name is in lower case: in place of the first field of
// that name, or where FieldOrder puts a new one; the Source changes only there when it can.
func (e *Entry) put(f Field) {
	l, ok := e.layout(false)
	src := ""
	if i := e.fieldIndex(f.Name); i >= 0 {
		e.Fields[i] = f
		if ok {
			src = l.replace(i, f.Raw)
		}
		e.keepSource(src, false)
		return
	}
	i := len(e.Fields)
	rank := FieldRank(f.Name)
	for j, o := range e.Fields {
		if FieldRank(o.Name) > rank {
			i = j
			break
		}
	}
	e.Fields = slices.Insert(e.Fields, i, f)
	if ok {
		src, _ = l.insert(i, f.Name, f.Raw)
	}
	e.keepSource(src, false)
}

// fieldIndex returns the index of the field Field returns, or -1.
func (e *Entry) fieldIndex(name string) int {
	return slices.IndexFunc(e.Fields, func(f Field) bool { return !f.Duplicate && strings.EqualFold(f.Name, name) })
}

// SetRaw gives the entry's field name (case-insensitive) the raw value raw, BibTeX text with its
// delimiters such as {X} or "X" that names no macro, as SetField does. Where the entry's Source
// has that field, only the value changes in it, also in an entry read with a syntax error (the
// field then comes before the error). A field the entry lacks is added as SetField adds it.
func (e *Entry) SetRaw(name, raw string) error {
	name = strings.ToLower(strings.TrimSpace(name))
	value, err := literalValue(raw)
	if err != nil {
		return fmt.Errorf("set %s of %q: %w", name, e.Key, err)
	}
	i := e.fieldIndex(name)
	l, ok := e.layout(true)
	if i < 0 || !ok {
		e.SetField(Field{Name: name, Raw: raw, Value: value})
		return nil
	}
	e.Fields[i].Raw, e.Fields[i].Value = raw, value
	e.keepSource(l.replace(i, raw), l.broken)
	return nil
}

// literalValue returns what BibTeX makes of a raw value that names no macro.
func literalValue(raw string) (string, error) {
	if !Balanced(raw) {
		return "", ErrUnbalanced
	}
	p := newParser("", raw, nil)
	var value string
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				se, ok := r.(syntaxError)
				if !ok {
					panic(r)
				}
				err = errors.New(se.Msg)
			}
		}()
		p.onMacro = func(lname string) { panic(syntaxError{Problem: Problem{Msg: "names the macro " + lname}}) }
		_, value = p.value("")
		if p.pos != len(raw) {
			return fmt.Errorf("%q is not one value", raw)
		}
		return nil
	}()
	return value, err
}

// Delete removes the entry's field name (case-insensitive), repeats included, and reports
// whether it had one. The Source loses that field's text (its lines, when it stands on lines of
// its own) where it can; otherwise the entry loses it, as with Set.
func (e *Entry) Delete(name string) bool {
	i := slices.IndexFunc(e.Fields, func(f Field) bool { return strings.EqualFold(f.Name, name) })
	if i < 0 {
		return false
	}
	l, ok := e.layout(false)
	n := len(e.Fields)
	e.Fields = slices.DeleteFunc(e.Fields, func(f Field) bool { return strings.EqualFold(f.Name, name) })
	src := ""
	if ok && len(e.Fields) == n-1 {
		src = l.remove(i)
	}
	e.keepSource(src, false)
	return true
}

// Rename gives the entry another type and key. Its Source keeps the rest of the text as written
// when the head of the entry can be found in it (@type{key, with any spacing); otherwise the
// entry loses its Source and is written in the canonical form.
func (e *Entry) Rename(typ, key string) {
	typ = strings.ToLower(typ)
	if typ == e.Type && key == e.Key {
		return
	}
	src := e.Source
	e.Type, e.Key, e.Source, e.Standalone = typ, key, "", false
	if src == "" || src[0] != '@' || strings.Contains(key, "}") {
		return
	}
	i := 1
	for i < len(src) && isTypeByte(src[i]) {
		i++
	}
	j := i
	for j < len(src) && isSpaceByte(src[j]) {
		j++
	}
	if j == len(src) || (src[j] != '{' && src[j] != '(') {
		return
	}
	k := j + 1
	for k < len(src) && isSpaceByte(src[k]) {
		k++
	}
	m := k
	for m < len(src) && src[m] != ',' && !isSpaceByte(src[m]) && src[m] != '}' && src[m] != ')' {
		m++
	}
	e.Source = "@" + typ + src[i:k] + key + src[m:]
}

func isTypeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == ':' || c == '.'
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// Clone returns a copy of the entry that shares nothing with it.
func (e *Entry) Clone() *Entry {
	c := *e
	c.Fields = slices.Clone(e.Fields)
	return &c
}

// Balanced reports whether s's braces balance, counted as BibTeX counts them: \{ counts too.
func Balanced(s string) bool {
	const ones, highs, lows = 0x0101010101010101, 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
	// zero sets exactly the high bits of y's zero bytes ("Bit Twiddling Hacks").
	zero := func(y uint64) uint64 { return ^((y&lows + lows) | y | lows) }
	depth := 0
	for i := 0; i < len(s); i++ {
		if i+8 <= len(s) {
			// Skip eight bytes at a time while none is a brace.
			x := word8(s[i:])
			if zero(x^'{'*ones)|zero(x^'}'*ones) == 0 {
				i += 7
				continue
			}
		}
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// Writer writes items to a .bib file, one blank line between them.
type Writer struct {
	w   io.Writer
	n   int
	err error
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Raw writes an item's source text (an @string, @preamble or @comment) as it is.
func (w *Writer) Raw(s string) error { return w.write("", s) }

// RawAfter writes an item's source text after the prefix its line had (see Item.Prefix).
func (w *Writer) RawAfter(prefix, s string) error { return w.write(prefix, s) }

// Entry writes an entry with Format, after its Prefix.
func (w *Writer) Entry(e *Entry) error { return w.write(e.Prefix, Format(e)) }

func (w *Writer) write(prefix, s string) error {
	if w.err != nil {
		return w.err
	}
	if w.n > 0 {
		if _, w.err = io.WriteString(w.w, "\n\n"); w.err != nil {
			return w.err
		}
	}
	w.n++
	if prefix != "" {
		if _, w.err = io.WriteString(w.w, prefix); w.err != nil {
			return w.err
		}
	}
	_, w.err = io.WriteString(w.w, s)
	return w.err
}

// Close ends the file with a newline.
func (w *Writer) Close() error {
	if w.err == nil && w.n > 0 {
		_, w.err = io.WriteString(w.w, "\n")
	}
	return w.err
}

// Dialect says which flavour of BibTeX an export speaks.
type Dialect int

const (
	// AsWritten keeps each entry's fields and type as they are.
	AsWritten Dialect = iota
	// BibTeX maps BibLaTeX-only fields and types to BibTeX's (toBibTeX says how).
	BibTeX
	// BibLaTeX maps BibTeX fields and types to BibLaTeX's (toBibLaTeX says how).
	BibLaTeX
)

// dialectNames are the dialects' names, as the command line, the window's preferences and the
// library's kept .bib files write them.
var dialectNames = [...]string{AsWritten: "as-written", BibTeX: "bibtex", BibLaTeX: "biblatex"}

// String returns the dialect's name: as-written, bibtex or biblatex; Dialect(N) for a number that
// is no dialect.
func (d Dialect) String() string {
	if d < 0 || int(d) >= len(dialectNames) {
		return fmt.Sprintf("Dialect(%d)", int(d))
	}
	return dialectNames[d]
}

// ParseDialect returns the dialect of a name String returns (as-written, bibtex or biblatex), in
// any case.
func ParseDialect(name string) (Dialect, error) {
	for d, n := range dialectNames {
		if strings.EqualFold(n, name) {
			return Dialect(d), nil
		}
	}
	return 0, fmt.Errorf("dialect %q: want as-written, bibtex or biblatex", name)
}

// WriteOptions says how entries are written.
type WriteOptions struct {
	// Reformat writes every entry afresh from the parsed model, in the canonical form, instead of
	// copying the source of entries that were not edited.
	Reformat bool
	Dialect  Dialect
	// ASCII writes non-ASCII characters as LaTeX (é as {\'e}) for toolchains that cannot read
	// UTF-8, except in fields that hold addresses rather than text (see verbatim).
	ASCII bool
}

// verbatim lists the fields whose values are addresses or identifiers, not text: they are never
// escaped or converted.
var verbatim = map[string]bool{"url": true, "doi": true, "eprint": true, "file": true, "pdf": true, "urlraw": true}

// IsVerbatim reports whether a field (case-insensitive) holds an address or an identifier rather
// than text (url, doi, eprint, file...): ASCII output leaves it as it is.
func IsVerbatim(name string) bool { return verbatim[strings.ToLower(name)] }

// Prepare returns the entry as opts asks it to be written: mapped to a dialect, with non-ASCII
// text as LaTeX, and without its source when it must be reformatted. It returns e itself when
// nothing changes, so an untouched entry still comes back byte for byte. left lists the
// characters that ASCII mode could not express in LaTeX (they are written as they are).
func Prepare(e *Entry, opts WriteOptions) (out *Entry, left []rune) {
	out = e
	switch opts.Dialect {
	case BibTeX:
		out = toBibTeX(out)
	case BibLaTeX:
		out = toBibLaTeX(out)
	}
	if opts.ASCII && (out.Source == "" || !isASCII(out.Source)) {
		var changed bool
		fields := make([]Field, len(out.Fields))
		for i, f := range out.Fields {
			if !verbatim[f.Name] && !isASCII(f.Raw) {
				var l []rune
				f.Raw, l = ToLaTeXReport(f.Raw)
				left = append(left, l...)
				changed = true
			}
			fields[i] = f
		}
		if changed {
			c := *out
			c.Fields, c.Source, c.Standalone = fields, "", false
			out = &c
		}
	}
	if opts.Reformat && out.Source != "" {
		c := *out
		c.Source, c.Standalone = "", false
		out = &c
	}
	return out, left
}

// WriteFile writes a parsed file's items in their order: entries, @string, @preamble and
// @comment items, and the text of items that could not be parsed (so that nothing is lost).
// Free text between items, which BibTeX ignores, is left out, but for a % before an item on
// its line, which makes biber read the line as a comment (Item.Prefix).
func WriteFile(w io.Writer, f *File, opts WriteOptions) error {
	bw := NewWriter(w)
	for _, it := range f.Items {
		switch it.Kind {
		case KindText:
		case KindEntry:
			e, _ := Prepare(it.Entry, opts)
			bw.Entry(e)
		default:
			bw.RawAfter(it.Prefix, it.Raw)
		}
	}
	return bw.Close()
}
