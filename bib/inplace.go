package bib

import (
	"slices"
	"strings"
)

// An edit of one field changes only that field's text in the entry's Source: a value replaced
// where it stands, a field removed with its line, a new field added as a line of its own in the
// style of its neighbour. The other fields, their order, the case of their names, the alignment
// of their = and whatever else the entry's text holds stay byte for byte, so that a .bib kept
// under version control shows the edit as the one line it is. An edit that cannot be made so
// (the Source does not read alone as the entry's fields, the entry is broken, a repeated field is
// removed, a one-line entry gains a field) leaves the entry without its Source, and it is
// written in the canonical form (see Format).

// sourceLayout is where an entry's fields stand in its Source, as the Source reads on its own.
type sourceLayout struct {
	src    string
	spans  []fieldSpan // one per field of the entry, in its order
	broken bool        // the Source was read with a syntax error (Entry.Broken)
}

// fieldSpan is where one field stands in a Source: the offset of its name, and the start and
// end of its raw value.
type fieldSpan struct{ name, start, end int }

// layout parses e's Source on its own and returns where its fields stand in it. ok is false when
// e has no Source, or when the Source alone does not give e's type, key and fields (names, raw
// values and repeats; the values may differ, by the macros of e's file). A broken entry's Source
// gives the fields read before its error: it is refused unless broken is true.
func (e *Entry) layout(broken bool) (sourceLayout, bool) {
	if e.Source == "" {
		return sourceLayout{}, false
	}
	// l is declared only here: the closure below keeps it, which puts it on the heap, and an
	// entry without a Source (every entry a RIS or CSL-JSON import makes) should not pay for it.
	var l sourceLayout
	p := newParser("", e.Source, nil)
	p.onField = func(_ string, name, start, end int) {
		l.spans = append(l.spans, fieldSpan{name: name, start: start, end: end})
	}
	es := p.run().Entries()
	if len(es) != 1 {
		return l, false
	}
	a := es[0]
	if a.Type != e.Type || a.Key != e.Key || a.Broken && !broken || !a.Broken && a.Source != e.Source ||
		len(l.spans) != len(a.Fields) || !sameFields(a.Fields, e.Fields, false) {
		return l, false
	}
	l.src, l.broken = e.Source, a.Broken
	return l, true
}

// sameFields reports whether a and b are the same fields in the same order: names, raw values
// and repeats, and the values too when values is true.
func sameFields(a, b []Field, values bool) bool {
	return slices.EqualFunc(a, b, func(f, g Field) bool {
		return f.Name == g.Name && f.Raw == g.Raw && f.Duplicate == g.Duplicate && (!values || f.Value == g.Value)
	})
}

// keepSource makes src the entry's Source when it is exact: parsed on its own it gives the
// entry's type, key and fields (names, raw values, repeats), and is broken only when broken is
// true. Otherwise, or when src is empty, the entry loses its Source and is written in the
// canonical form. Standalone is set as the parser would set it.
func (e *Entry) keepSource(src string, broken bool) {
	e.Source, e.Standalone = "", false
	if src == "" {
		return
	}
	es := newParser("", src, nil).run().Entries()
	if len(es) != 1 {
		return
	}
	a := es[0]
	if a.Type != e.Type || a.Key != e.Key || a.Broken != broken || !a.Broken && a.Source != src ||
		!sameFields(a.Fields, e.Fields, false) {
		return
	}
	e.Source = src
	e.Standalone = a.Standalone && sameFields(a.Fields, e.Fields, true)
}

// replace returns the source with the raw value of field i replaced by raw.
func (l sourceLayout) replace(i int, raw string) string {
	sp := l.spans[i]
	return l.src[:sp.start] + raw + l.src[sp.end:]
}

// remove returns the source without field i. A field on lines of its own (nothing but its
// comma after it on its last line, or nothing at all when it is the last field) goes with those
// lines; any other goes with the comma after it (and the white space before it, or, when it
// starts its line, after the comma), or, the last field, with the comma before it.
func (l sourceLayout) remove(i int) string {
	s, sp := l.src, l.spans[i]
	end, comma := l.after(i)
	if ls := lineStartAt(s, sp.name); ls >= 0 && (comma || i == len(l.spans)-1) {
		if le := lineEndAt(s, end); le >= 0 {
			return s[:ls] + s[le:]
		}
	}
	start, lead := sp.name, lineStartAt(s, sp.name) >= 0
	for !lead && start > 0 && isSpaceTab(s[start-1]) {
		start--
	}
	j := sp.end
	for j < len(s) && isSpaceByte(s[j]) {
		j++
	}
	switch {
	case j < len(s) && s[j] == ',':
		j++
		for lead && j < len(s) && isSpaceTab(s[j]) {
			j++
		}
		return s[:start] + s[j:]
	case i > 0:
		return s[:l.spans[i-1].end] + s[sp.end:]
	}
	return s[:start] + s[sp.end:]
}

// insert returns the source with a new field name = raw as field i: a line of its own before
// the field that is now i, with that field's indent and spacing around =, or after the last
// field, in its style and keeping whether the last field has a comma after it. ok is false when
// the neighbouring field does not start its line (a one-line entry), or there is none.
func (l sourceLayout) insert(i int, name, raw string) (string, bool) {
	s := l.src
	if len(l.spans) == 0 {
		return "", false
	}
	if i < len(l.spans) {
		sp := l.spans[i]
		ls := lineStartAt(s, sp.name)
		if ls < 0 {
			return "", false
		}
		line := s[ls:sp.name] + name + l.equals(i, name) + raw + "," + lineBreakBefore(s, ls)
		return s[:ls] + line + s[ls:], true
	}
	k := len(l.spans) - 1
	sp := l.spans[k]
	ls := lineStartAt(s, sp.name)
	if ls < 0 {
		return "", false
	}
	text, nl := s[ls:sp.name]+name+l.equals(k, name)+raw, lineBreakBefore(s, ls)
	end, comma := l.after(k)
	if le := lineEndAt(s, end); le >= 0 {
		if comma {
			return s[:le] + text + "," + nl + s[le:], true
		}
		return s[:sp.end] + "," + s[sp.end:le] + text + nl + s[le:], true
	}
	if comma {
		return "", false // a comma, and the closing brace on the same line
	}
	return s[:sp.end] + "," + nl + text + s[sp.end:], true
}

// after returns where field i's separator ends on its line: past the spaces and tabs after its
// value, and the comma when one comes there (comma).
func (l sourceLayout) after(i int) (end int, comma bool) {
	s, j := l.src, l.spans[i].end
	for j < len(s) && isSpaceTab(s[j]) {
		j++
	}
	if j < len(s) && s[j] == ',' {
		return j + 1, true
	}
	return j, false
}

// equals returns the text between a new field's name and its value, as field i has it: the
// white space around its =, or, when the entry aligns the = of its fields in one column, the
// spaces that put the new field's = in that column.
func (l sourceLayout) equals(i int, name string) string {
	s, sp := l.src, l.spans[i]
	n := sp.name
	for n < len(s) && isIDChar(s[n]) {
		n++
	}
	eq := n + strings.IndexByte(s[n:sp.start], '=')
	before, after := s[n:eq], s[eq+1:sp.start]
	if strings.ContainsAny(before, "\r\n") {
		before = " "
	}
	if strings.ContainsAny(after, "\r\n") {
		after = " "
	}
	if col := l.equalsColumn(); col >= 0 {
		indent := sp.name - lineStartAt(s, sp.name)
		before = strings.Repeat(" ", max(col-indent-len(name), 1))
	}
	return before + "=" + after
}

// equalsColumn returns the column (in bytes from the start of the line) of the = of every field
// that starts its line, when there are two or more such fields, the = of each is in that column,
// and some field's name is followed by more than one space (so the column is an alignment, not
// names of one length). It returns -1 otherwise, and when a tab comes between a name and its =.
func (l sourceLayout) equalsColumn() int {
	s, col, lines, padded := l.src, -1, 0, false
	for _, sp := range l.spans {
		ls := lineStartAt(s, sp.name)
		if ls < 0 {
			continue
		}
		n := sp.name
		for n < len(s) && isIDChar(s[n]) {
			n++
		}
		eq := n + strings.IndexByte(s[n:sp.start], '=')
		gap := s[n:eq]
		if strings.Trim(gap, " ") != "" {
			return -1
		}
		if col >= 0 && eq-ls != col {
			return -1
		}
		col, lines, padded = eq-ls, lines+1, padded || len(gap) > 1
	}
	if lines < 2 || !padded {
		return -1
	}
	return col
}

// lineStartAt returns the start of the line off is on when only spaces and tabs come before off
// on it, or -1.
func lineStartAt(s string, off int) int {
	i := off
	for i > 0 && isSpaceTab(s[i-1]) {
		i--
	}
	if i > 0 && (s[i-1] == '\n' || s[i-1] == '\r') {
		return i
	}
	return -1
}

// lineEndAt returns the offset after the line break that ends the line off is on when only
// spaces and tabs come before it from off, or -1.
func lineEndAt(s string, off int) int {
	i := off
	for i < len(s) && isSpaceTab(s[i]) {
		i++
	}
	switch {
	case strings.HasPrefix(s[i:], "\r\n"):
		return i + 2
	case i < len(s) && (s[i] == '\n' || s[i] == '\r'):
		return i + 1
	}
	return -1
}

// lineBreakBefore returns the line break that ends the line before the one starting at ls.
func lineBreakBefore(s string, ls int) string {
	switch {
	case ls >= 2 && s[ls-2:ls] == "\r\n":
		return "\r\n"
	case s[ls-1] == '\r':
		return "\r"
	}
	return "\n"
}

// isSpaceTab reports whether c is a space or a tab: white space that does not end a line.
func isSpaceTab(c byte) bool { return c == ' ' || c == '\t' }
