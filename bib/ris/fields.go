package ris

import (
	"slices"
	"strings"
	"unicode"

	"github.com/bibshelf/bibshelf/bib"
)

// kv is a field of the entry being made, its value in plain text (or, for names and raw
// fields, as it will be set).
type kv struct{ name, value string }

// fieldList is the fields of the entry being made, in the order they were set. A record has a
// few dozen at most, so a list is quicker than a map.
type fieldList []kv

func (l fieldList) index(name string) int {
	for i := range l {
		if l[i].name == name {
			return i
		}
	}
	return -1
}

func (l fieldList) lookup(name string) (string, bool) {
	if i := l.index(name); i >= 0 {
		return l[i].value, true
	}
	return "", false
}

func (l fieldList) get(name string) string { v, _ := l.lookup(name); return v }

func (l fieldList) has(name string) bool { return l.index(name) >= 0 }

// put sets a field's value, in place of the one it has.
func (l *fieldList) put(name, value string) {
	if i := l.index(name); i >= 0 {
		(*l)[i].value = value
		return
	}
	*l = append(*l, kv{name, value})
}

func (l *fieldList) del(name string) {
	if i := l.index(name); i >= 0 {
		*l = slices.Delete(*l, i, i+1)
	}
}

// nameFields hold BibTeX name lists, already BibTeX text.
var nameFields = map[string]bool{"author": true, "editor": true, "translator": true, "collaborator": true}

// monthNamesTitle is what BibTeX makes of the month macros, the Value bib's Set gives them.
var monthNamesTitle = [12]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// ranks is bib.FieldRank as a map.
var ranks = func() map[string]int {
	m := map[string]int{}
	for i, n := range bib.FieldOrder() {
		m[n] = i
	}
	return m
}()

func rank(name string) int {
	if r, ok := ranks[name]; ok {
		return r
	}
	return len(ranks)
}

// bibtex returns the fields as bib.Entry.Set would make them one by one (text fields through
// bib.Escape, raw fields as they are, a month as its bare macro, each new field placed by
// bib.FieldRank), but with the raw values of the entry in one string, and each value a part of
// its raw value: an entry costs a few allocations instead of several per field, and half the
// memory.
func (l fieldList) bibtex() []bib.Field {
	vals := make([]string, len(l))
	total := 0
	for i, f := range l {
		switch {
		case f.value == "" || f.name == "month":
		case rawFields[f.name]:
			vals[i] = rawValue(f.value)
		case nameFields[f.name]:
			vals[i] = f.value
		default:
			vals[i] = escape(f.value)
		}
		total += len(vals[i]) + 2
	}
	var b strings.Builder
	b.Grow(total)
	for _, v := range vals {
		if v != "" {
			b.WriteByte('{')
			b.WriteString(v)
			b.WriteByte('}')
		}
	}
	all := b.String()
	out := make([]bib.Field, 0, len(l))
	off := 0
	for i, f := range l {
		switch {
		case f.name == "month" && f.value != "":
			m := slices.Index(monthMacros[:], f.value)
			out = append(out, bib.Field{Name: "month", Raw: f.value, Value: monthNamesTitle[m]})
		case vals[i] != "":
			n := len(vals[i]) + 2
			out = append(out, bib.Field{Name: f.name, Raw: all[off : off+n], Value: all[off+1 : off+n-1]})
			off += n
		}
	}
	if len(out) == 0 {
		return nil // as an entry that Set was never called on
	}
	sortByRank(out)
	return out
}

// sortByRank sorts fields stably by bib.FieldRank, each field's rank looked up once: an insertion
// sort, as slices.SortStableFunc does for so few, without a look-up at each comparison.
func sortByRank(fields []bib.Field) {
	var buf [32]int
	rs := buf[:0]
	if len(fields) > len(buf) {
		rs = make([]int, 0, len(fields))
	}
	for _, f := range fields {
		rs = append(rs, rank(f.Name))
	}
	for i := 1; i < len(fields); i++ {
		for j := i; j > 0 && rs[j] < rs[j-1]; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
			fields[j], fields[j-1] = fields[j-1], fields[j]
		}
	}
}

// escape is bib.Escape, without its allocations for the common text that needs nothing done,
// and with braces that do not pair up written as {\textbraceleft} and {\textbraceright}:
// BibTeX counts \{ and \} as braces, so bib.Escape's output for such text could not be set.
func escape(s string) string {
	out := quickEscape(s)
	if bib.Balanced(out) {
		return out
	}
	return loneBraces.Replace(out)
}

var loneBraces = strings.NewReplacer(`\{`, `{\textbraceleft}`, `\}`, `{\textbraceright}`)

func quickEscape(s string) string {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return bib.Escape(s)
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		switch escapeClass[s[i]] {
		case nonASCII:
			ascii = false
		case special:
			return bib.Escape(s)
		case space:
			if s[i+1] == ' ' {
				return bib.Escape(s)
			}
		}
	}
	if !ascii && strings.ContainsFunc(s, unicode.IsSpace) {
		return bib.Escape(s) // a space strings.Fields splits at
	}
	return s
}

// The classes of bytes quickEscape tells apart, by a table rather than a switch.
const (
	plainByte byte = iota
	special        // a character bib.Escape escapes, or white space other than a space
	space
	nonASCII
)

var escapeClass = func() (t [256]byte) {
	for _, c := range []byte("\\{}&%$#_~^\t\n\r\v\f") {
		t[c] = special
	}
	t[' '] = space
	for c := 0x80; c < 0x100; c++ {
		t[c] = nonASCII
	}
	return t
}()
