package ris

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// Write writes entries as RIS records, the way Zotero's RIS export (RIS.js's doExport) writes
// the items its BibTeX import (BibTeX.js) makes of them: TY from the entry type, then one line
// per value ("AU  - Last, First"), CRLF line ends as the RIS specification has them, and ER.
// Text fields are written as plain Unicode (bib.Plain: accents and LaTeX commands become the
// characters they stand for, protecting braces go); URLs, DOIs, ISBNs, ISSNs, eprints and file
// paths as they are.
//
// Every field is written so that Parse reads it back: each tag is chosen only when Parse maps
// it to the same field for that type. A field RIS has no tag for (eprint, howpublished,
// crossref, ...) is written as an M2 line "name: value": Zotero reads M2 as its extra field,
// whose "Key: value" lines are how Zotero keeps such data, and Parse reads the line back as
// that field. A ris-xx field, which Parse makes of a tag it has no field for, is written as
// that tag again.
func Write(w io.Writer, entries []*bib.Entry) error {
	bw := bufio.NewWriter(w)
	for _, e := range entries {
		writeEntry(bw, e)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write ris: %w", err)
	}
	return nil
}

// candidates are the tags a field may be written as, in the order tried; the first that Parse
// maps back to the field for the record's type is used. The order follows RIS.js's export.
var candidates = map[string][]string{
	"title": {"TI"}, "author": {"AU"}, "editor": {"A2", "A3", "ED"}, "translator": {"A4"},
	"collaborator": {"A3", "A2", "A4", "C1", "C2", "C4"},
	"journal":      {"T2", "JF"}, "booktitle": {"T2", "BT", "C3", "JF"}, "series": {"T3", "T2"},
	"eventtitle": {"JO"}, "shortjournal": {"J2"}, "abstract": {"AB"}, "address": {"CY"},
	"edition": {"ET"}, "version": {"ET", "IS"}, "volume": {"VL"}, "number": {"IS", "M1", "SN"},
	"volumes": {"NV", "IS", "M1"}, "pages": {"SP"}, "pagetotal": {"SP"}, "language": {"LA"},
	"type": {"M3"}, "publisher": {"PB"}, "school": {"PB"}, "institution": {"PB"}, "assignee": {"PB"},
	"chapter": {"SE"}, "isbn": {"SN"}, "issn": {"SN"}, "shorttitle": {"ST"}, "url": {"UR"},
	"doi": {"DO"}, "urldate": {"Y2"}, "copyright": {"CR"}, "nationality": {"C3"},
	"annote": {"N1"}, "keywords": {"KW"},
}

// recordWriter writes one record.
type recordWriter struct {
	w     *bufio.Writer
	zt    string
	extra []string // M2 lines
}

func (r *recordWriter) line(tag, value string) {
	if value == "" {
		return
	}
	r.w.WriteString(tag)
	r.w.WriteString("  - ")
	r.w.WriteString(value)
	r.w.WriteString("\r\n")
}

func writeEntry(w *bufio.Writer, e *bib.Entry) {
	ty := risType(e.Type)
	r := &recordWriter{w: w, zt: zoteroTypes[ty]}
	r.line("TY", ty)
	var kept []bib.Field
	wroteDate := false
	for _, f := range e.Fields {
		if f.Duplicate {
			continue
		}
		name := strings.ToLower(f.Name)
		switch {
		case strings.HasPrefix(name, "ris-"):
			kept = append(kept, f)
		case name == "year" || name == "month" || name == "date":
			if !wroteDate {
				wroteDate = true
				r.date(e)
			}
		default:
			r.field(name, f.Value, e)
		}
	}
	if e.Type == "mastersthesis" && e.Field("type") == nil {
		r.line("M3", "Master's thesis") // BibTeX.js reads it back as @mastersthesis
	}
	if e.Key != "" {
		r.line("ID", e.Key)
	}
	for _, x := range r.extra {
		r.line("M2", x)
	}
	for _, f := range kept {
		tag := strings.ToUpper(strings.TrimPrefix(f.Name, "ris-"))
		v := text(f.Name, f.Value)
		if _, _, ok := tagLine(tag + "  - x"); ok && tag != "TY" && tag != "ER" {
			r.line(tag, v)
		} else {
			r.extraField(f.Name, v)
		}
	}
	w.WriteString("ER  - \r\n\r\n")
}

// text is a field's value as RIS text: plain Unicode for LaTeX text, the value as it is (its
// white space collapsed) for the fields that are not LaTeX text.
func text(name, value string) string {
	if rawFields[name] {
		return strings.Join(strings.Fields(value), " ")
	}
	return bib.Plain(value)
}

// tagFor is the first candidate tag of a field that Parse maps back to it for the record's
// type, or "".
func (r *recordWriter) tagFor(name, value string) string {
	tags := candidates[name]
	if name == "editor" && r.zt == "book" {
		tags = []string{"A3", "ED"} // RIS.js: A2 is a book's series editor, A3 its editor
	}
	for _, tag := range tags {
		switch t := target(r.zt, tag); {
		case t == name:
			return tag
		case t == toSerial && serialField(r.zt, value) == name:
			return tag
		case t == toDOI && name == "doi" && cleanDOI(value) == value:
			return tag
		case t == toURL && name == "url" && !strings.HasPrefix(value, "PM:"):
			return tag
		case t == toStartPage && name == "pages",
			t == toKeywords && name == "keywords",
			t == toAnnote && name == "annote",
			t == "@"+name:
			return tag
		case t == toAccessed && name == "urldate":
			if _, ok := risDate(value); ok {
				return tag
			}
			return tag
		}
	}
	return ""
}

// field writes one field.
func (r *recordWriter) field(name, value string, e *bib.Entry) {
	v := text(name, value)
	if v == "" {
		return
	}
	tag := r.tagFor(name, v)
	switch {
	case tag == "":
		if name == "file" && r.files(v) {
			return
		}
		r.extraField(name, v)
	case name == "author" || name == "editor" || name == "translator" || name == "collaborator":
		for _, n := range bib.SplitNames(value) {
			r.line(tag, risName(n))
		}
	case name == "urldate":
		d, _ := risDate(v)
		r.line(tag, d)
	case name == "keywords":
		for _, k := range bib.SplitKeywords(v, "") {
			r.line(tag, k)
		}
	case name == "pages":
		first, last, ok := strings.Cut(strings.ReplaceAll(v, "–", "-"), "-")
		if !ok {
			r.line("SP", v)
			return
		}
		r.line("SP", strings.TrimSpace(first))
		r.line("EP", strings.TrimSpace(strings.TrimLeft(last, "-")))
	default:
		r.line(tag, v)
	}
}

// extraField writes a field RIS has no tag for as an M2 line "name: value". A note is written
// as it is, unless it starts as such a line itself.
func (r *recordWriter) extraField(name, v string) {
	if name == "note" {
		if n, _, ok := strings.Cut(v, ": "); !ok || !fieldName(n) && extraIDs[n] == "" {
			r.extra = append(r.extra, v)
			return
		}
	}
	r.extra = append(r.extra, name+": "+v)
}

// files writes a file field (title:path:type;...) as L1 (PDF), L2 (HTML) and L4 (a file of
// no stated type) lines, and reports whether it did. Parse gives each file back with the same
// path and type, and the title Zotero gives a link: the file's name. A field with a file of
// another type is written whole as an M2 line instead, so that its type is not lost.
func (r *recordWriter) files(v string) bool {
	type link struct{ tag, path string }
	var links []link
	for _, entry := range splitEscaped(v, ';') {
		parts := splitEscaped(entry, ':')
		if len(parts) != 3 {
			return false
		}
		path, mime := unescapeFilePart(parts[1]), strings.ToLower(unescapeFilePart(parts[2]))
		tag := "L4"
		switch {
		case mime == "application/pdf" || mime == "pdf" || mime == "" && strings.HasSuffix(strings.ToLower(path), ".pdf"):
			tag = "L1"
		case mime == "text/html" || mime == "html":
			tag = "L2"
		case mime != "":
			return false // L4 does not say the type, so it would be lost
		}
		if path == "" || strings.Contains(path, "\n") {
			return false
		}
		links = append(links, link{tag, path})
	}
	for _, l := range links {
		r.line(l.tag, l.path)
	}
	return len(links) > 0
}

// splitEscaped splits s at sep where it is not escaped with a backslash.
func splitEscaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func unescapeFilePart(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// date writes the year as PY and, with a month, the date as DA (YYYY/MM//), as RIS.js does. A
// year or month Parse would not read back as it is goes to M2; so does a BibLaTeX date when the
// entry also has a year, and is written as PY and DA otherwise.
func (r *recordWriter) date(e *bib.Entry) {
	year := strings.TrimSpace(bib.Plain(e.Get("year")))
	month := 0
	if f := e.Field("month"); f != nil {
		month = monthOf(bib.Plain(f.Value))
		if month == 0 && strings.TrimSpace(f.Value) != "" {
			r.extraField("month", bib.Plain(f.Value))
		}
	}
	if d := strings.TrimSpace(e.Get("date")); d != "" {
		if y, m, ok := isoDate(d); ok && e.Field("year") == nil {
			year, month = y, m
		} else {
			r.extraField("date", bib.Plain(d))
		}
	}
	if year == "" {
		return
	}
	if d, _ := parseDate(year); d.year != year || len(year) != 4 || d.month != 0 {
		r.extraField("year", year)
		if month > 0 {
			r.extraField("month", monthMacros[month-1])
		}
		return
	}
	if month > 0 {
		r.line("DA", year+"/"+two(month)+"//")
	}
	r.line("PY", year)
}

// risDate writes a date YYYY-MM-DD (or YYYY-MM, YYYY) as RIS's YYYY/MM/DD/, when Parse reads
// it back as it was.
func risDate(s string) (string, bool) {
	parts := strings.Split(s, "-")
	if len(parts) > 3 {
		return "", false
	}
	d := strings.Join(parts, "/")
	if len(parts) < 3 {
		d += strings.Repeat("/", 3-len(parts))
	}
	d += "/"
	return d, accessDate(d) == s
}

// monthOf reads a month field's value: a number 1-12 or an English month name or its start.
func monthOf(s string) int {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		if n >= 1 && n <= 12 {
			return n
		}
		return 0
	}
	if len(s) < 3 {
		return 0
	}
	ls := strings.ToLower(s)
	for i, name := range monthNames {
		if strings.HasPrefix(name, ls) {
			return i + 1
		}
	}
	return 0
}

// isoDate reads a BibLaTeX date YYYY or YYYY-MM (a day is dropped: RIS's DA could hold it, but
// BibTeX's year and month, which Parse makes of it, cannot).
func isoDate(s string) (year string, month int, ok bool) {
	y, rest, _ := strings.Cut(s, "-")
	if len(y) != 4 || strings.Trim(y, "0123456789") != "" {
		return "", 0, false
	}
	if rest == "" {
		return y, 0, true
	}
	m, _, _ := strings.Cut(rest, "-")
	n, err := strconv.Atoi(m)
	if err != nil || n < 1 || n > 12 {
		return "", 0, false
	}
	return y, n, true
}

// risName writes one BibTeX name as RIS's "Last, First" (or "Last, First, Suffix"), in plain
// text, as RIS.js writes a creator. A name braced whole ({World Health Organization}) is a
// corporate name: it is written without a comma, which Parse reads back braced.
func risName(name string) string {
	name = strings.TrimSpace(name)
	if len(name) > 1 && name[0] == '{' && matchingBrace(name) == len(name)-1 {
		return bib.Plain(name)
	}
	parts := splitTop(name, func(c byte) bool { return c == ',' })
	for i := range parts {
		parts[i] = bib.Plain(strings.TrimSpace(parts[i]))
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		words := splitTop(name, func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '~' })
		if len(words) < 2 {
			return parts[0]
		}
		i := len(words) - 1
		for j, w := range words[:len(words)-1] {
			if w != "" && w[0] >= 'a' && w[0] <= 'z' {
				i = j
				break
			}
		}
		return bib.Plain(strings.Join(words[i:], " ")) + ", " + bib.Plain(strings.Join(words[:i], " "))
	case 2:
		return parts[0] + ", " + parts[1]
	}
	return parts[0] + ", " + strings.Join(parts[2:], ", ") + ", " + parts[1]
}

// matchingBrace is the index of the brace that closes the one at s[0], or -1.
func matchingBrace(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitTop splits s at the bytes sep accepts outside braces, dropping empty parts.
func splitTop(s string, sep func(byte) bool) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			switch c := s[i]; {
			case c == '{':
				depth++
				continue
			case c == '}':
				depth--
				continue
			case depth != 0 || !sep(c):
				continue
			}
		}
		if p := strings.TrimSpace(s[start:i]); p != "" {
			out = append(out, p)
		}
		start = i + 1
	}
	return out
}
