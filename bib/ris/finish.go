package ris

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
)

// finish makes the entry from what the record's tags gave, as RIS.js's completeItem and then
// BibTeX.js's export do.
func (m *mapper) finish() *bib.Entry {
	e := &bib.Entry{Type: bibtexType(m.zt), Line: m.rec.line}
	pt := pubTitle(m.zt)
	if m.backup != "" { // T2 or BT that names no field of the type: the publication's title
		if !m.fields.has(pt) {
			m.set(pt, m.backup, tagValue{tag: "T2"})
		}
	}
	if !m.fields.has(pt) && pt == "journal" && m.fields.get("shortjournal") != "" {
		m.set("journal", m.fields.get("shortjournal"), tagValue{}) // RIS.js: Nature gives JA only
	}
	if !m.fields.has("title") && m.fields.get("shorttitle") != "" {
		m.set("title", m.fields.get("shorttitle"), tagValue{}) // RIS.js: EndNote without a title
	}
	if m.zt == "thesis" && mastersThesis(m.fields.get("type")) {
		e.Type = "mastersthesis"
		m.fields.del("type")
	}
	m.setPages()
	m.setExtras()
	if m.accessed != "" {
		m.set("urldate", accessDate(m.accessed), tagValue{tag: "Y2"})
	}
	year, month := m.date()
	if year != "" {
		m.fields.put("year", year)
	}
	if month > 0 {
		m.fields.put("month", monthMacros[month-1])
	}
	for i, role := range roles {
		if names := m.names[i]; len(names) > 0 {
			m.fields.put(strings.TrimPrefix(role, "@"), strings.Join(names, " and "))
		}
	}
	if len(m.keywords) == 1 { // RIS.js: a single keyword is split at commas
		m.keywords = splitOn(m.keywords[0], ",")
	}
	if len(m.keywords) > 0 {
		m.fields.put("keywords", strings.Join(m.keywords, ", "))
	}
	if len(m.annotes) > 0 {
		m.fields.put("annote", strings.Join(m.annotes, "; "))
	}
	if len(m.files) > 0 {
		m.fields.put("file", strings.Join(m.files, ";"))
	}
	switch {
	case m.key == "":
	case bib.CheckKey(m.key) == nil:
		e.Key = strings.Clone(m.key) // not a part of the file's text, which it would keep alive
	default:
		m.fields.put(keptField("ID"), m.key)
	}
	e.Fields = m.fields.bibtex()
	return e
}

var monthMacros = [12]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

var monthNames = [12]string{"january", "february", "march", "april", "may", "june", "july", "august",
	"september", "october", "november", "december"}

// setPages joins SP and EP as RIS.js does (SP-EP unless SP is a range already), with the dash
// BibTeX.js writes: a run of hyphens and dashes becomes "--".
func (m *mapper) setPages() {
	pages := m.sp
	switch {
	case m.ep == "":
	case pages == "":
		pages = m.ep
	case !strings.ContainsAny(pages, "-\u2012\u2013\u2014\u2015\u2053"):
		pages += "-" + m.ep
	default:
		m.keep("EP", m.ep)
	}
	if pages != "" {
		m.set("pages", dashes.ReplaceAllString(pages, "--"), tagValue{tag: "SP"})
	}
}

var dashes = regexp.MustCompile(`[-\x{2012}-\x{2015}\x{2053}]+`)

// extraIDs are the "Key: value" lines of Zotero's extra that BibTeX.js writes as fields.
var extraIDs = map[string]string{"DOI": "doi", "LCCN": "lccn", "MR": "mrnumber", "Zbl": "zmnumber",
	"PMID": "pmid", "PMCID": "pmcid"}

// setExtras reads Zotero's extra (M2, and M1 of most types): a line "name: value" whose name is
// a BibTeX field name in lower case (what Write writes for a field RIS has no tag for) or one
// of BibTeX.js's identifiers gives that field, when the entry lacks it; the rest is the note,
// as BibTeX.js writes extra.
func (m *mapper) setExtras() {
	var note []string
	for _, x := range m.extras {
		name, value, ok := strings.Cut(x, ": ")
		if f, isID := extraIDs[name]; isID {
			name = f
		}
		if ok && name != "note" && fieldName(name) && strings.TrimSpace(value) != "" {
			if !m.fields.has(name) {
				m.set(name, strings.TrimSpace(value), tagValue{tag: "M2"})
				continue
			}
		}
		if ok && name == "note" {
			x = value
		}
		note = append(note, x)
	}
	if len(note) > 0 {
		m.set("note", strings.Join(note, "; "), tagValue{tag: "M2"})
	}
}

// fieldName reports whether s is a lower-case BibTeX field name: a letter, then letters,
// digits, - and _.
func fieldName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' || len(s) > 40 {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// date chooses the year and month from DA, Y1 and PY, in that order (RIS.js reads DA, then the
// deprecated Y1, and PY only where neither gave a date, or gave one without a year). A date
// that gave neither, or another year than the one chosen, is kept under its tag.
func (m *mapper) date() (year string, month int) {
	type parsed struct {
		tv   tagValue
		d    date
		used bool
	}
	var ds []*parsed
	for _, tag := range []string{"DA", "Y1", "PY"} {
		if tv, ok := m.date1(tag); ok {
			d, _ := parseDate(tv.value)
			ds = append(ds, &parsed{tv: tv, d: d})
		}
	}
	for _, p := range ds {
		if p.d.year != "" {
			year, month, p.used = p.d.year, p.d.month, true
			break
		}
	}
	for _, p := range ds {
		if month == 0 && p.d.month != 0 && (p.d.year == "" || p.d.year == year) {
			month, p.used = p.d.month, true
		}
	}
	for _, p := range ds {
		if !p.used && (p.d.year == "" && p.d.month == 0 || p.d.year != year) {
			m.keep(p.tv.tag, p.tv.value)
		}
	}
	return year, month
}

// date is a RIS date: a year (digits, at least four) and a month 1-12, either may be missing.
type date struct {
	year  string
	month int
	day   int
}

// parseDate reads a RIS date as RIS.js's dateRIStoZotero does: YYYY/MM/DD/other with all but
// the year optional, a part of 0 or nothing ending it (2014//, 2001/00/00/); otherwise a
// four-digit year and an English month name anywhere in the text (June 2009, Spring 2009).
func parseDate(s string) (date, bool) {
	s = strings.TrimSpace(s)
	var d date
	if y, rest, ok := digits(s, 1, 10); ok {
		var mo, day string
		good := true
		if rest != "" {
			if rest[0] != '/' {
				good = false
			} else {
				mo, rest, _ = digits(rest[1:], 0, 2)
				if rest != "" {
					if rest[0] != '/' {
						good = false
					} else {
						day, rest, _ = digits(rest[1:], 0, 2)
						if rest != "" && rest[0] != '/' && rest[0] != ' ' && rest[0] != '\t' || strings.Contains(rest[min(1, len(rest)):], "/") {
							good = false
						}
					}
				}
			}
		}
		if good {
			if y = strings.TrimLeft(y, "0"); y == "" {
				return d, false
			}
			d.year = pad4(y)
			if n, _ := strconv.Atoi(mo); n >= 1 && n <= 12 {
				d.month = n
				if n, _ := strconv.Atoi(day); n >= 1 && n <= 31 {
					d.day = n
				}
			}
			return d, true
		}
	}
	for _, w := range wordsAndNumbers(s) {
		switch {
		case d.year == "" && len(w) == 4 && w[0] >= '0' && w[0] <= '9':
			if strings.TrimLeft(w, "0") != "" {
				d.year = w
			}
		case d.month == 0 && len(w) >= 3 && (w[0] < '0' || w[0] > '9'):
			lw := strings.ToLower(w)
			for i, name := range monthNames {
				if strings.HasPrefix(name, lw) {
					d.month = i + 1
					break
				}
			}
		}
	}
	return d, d.year != "" || d.month != 0
}

func pad4(y string) string {
	for len(y) < 4 {
		y = "0" + y
	}
	return y
}

// digits splits off a run of lo to hi ASCII digits at the start of s.
func digits(s string, lo, hi int) (run, rest string, ok bool) {
	i := 0
	for i < len(s) && i < hi && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i < lo || i < len(s) && s[i] >= '0' && s[i] <= '9' {
		return "", s, false
	}
	return s[:i], s[i:], true
}

// wordsAndNumbers splits s into its runs of ASCII letters and of digits.
func wordsAndNumbers(s string) []string {
	var out []string
	start := -1
	kind := 0
	for i := 0; i <= len(s); i++ {
		k := 0
		if i < len(s) {
			switch c := s[i]; {
			case c >= '0' && c <= '9':
				k = 1
			case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
				k = 2
			}
		}
		if k != kind {
			if kind != 0 {
				out = append(out, s[start:i])
			}
			start, kind = i, k
		}
	}
	return out
}

// accessDate writes an access date (Y2) as YYYY-MM-DD, or as much of it as it has, as RIS.js
// does for Zotero's accessDate; a date it cannot read stays as written.
func accessDate(s string) string {
	d, ok := parseDate(s)
	if !ok || d.year == "" {
		return s
	}
	out := d.year
	if d.month > 0 {
		out += "-" + two(d.month)
		if d.day > 0 {
			out += "-" + two(d.day)
		}
	}
	return out
}

func two(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// bibtexName turns a RIS name ("Last, First" or "Last, First, Suffix") into a BibTeX name, as
// RIS.js reads a creator and BibTeX.js writes it: the text before the first comma is the last
// name, the rest the first name, a suffix moved before it ("Last, Suffix, First"); a name
// without a comma is one field (a corporate name in Zotero) and is braced whole. " and " inside
// a name is braced so that BibTeX does not split there.
func bibtexName(s string) string {
	last, first, _ := strings.Cut(s, ",")
	last, first = strings.TrimSpace(last), strings.TrimSpace(first)
	if last == "" && first == "" {
		return ""
	}
	if first == "" {
		return "{" + escape(last) + "}"
	}
	if last == "" {
		return "{" + escape(first) + "}"
	}
	parts := []string{protectAnd(escape(last))}
	firsts := splitOn(first, ",")
	if len(firsts) > 1 {
		firsts = append(firsts[1:], firsts[0])
	}
	for _, f := range firsts {
		parts = append(parts, protectAnd(escape(f)))
	}
	return strings.Join(parts, ", ")
}

var andWord = regexp.MustCompile(`(?i) (and) `)

func protectAnd(s string) string {
	if !strings.Contains(strings.ToLower(s), " and ") {
		return s
	}
	return andWord.ReplaceAllString(s, " {$1} ")
}

// splitOn splits s at sep and trims the parts, dropping empty ones. It and splitKeywords walk
// the parts with strings.SplitSeq: Split made a slice of them for each value, seven per record
// of a typical file.
func splitOn(s, sep string) []string {
	var out []string
	for p := range strings.SplitSeq(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitKeywords splits one KW value at line ends and semicolons, as RIS.js does (dropping the
// "%K " that Reference Manager leaves at the start of continued lines).
func splitKeywords(s string) []string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimSpace(line)
		line = strings.TrimPrefix(line, "%K ")
		out = append(out, splitOn(line, ";")...)
	}
	return out
}

// serialField says whether an SN value is an ISSN or an ISBN by its shape: the digits (and a
// final X) of its first number, 8 for an ISSN, 10 or 13 for an ISBN. A value of neither shape
// goes where RIS.js puts SN for the type: ISSN for journal, magazine and newspaper articles,
// the report number for reports, ISBN otherwise.
func serialField(zt, s string) string {
	n := 0
scan:
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			n++
		case (c == 'X' || c == 'x') && n > 0:
			n++
			break scan
		case c == '-' && n > 0:
		case n > 0:
			break scan
		}
	}
	switch {
	case n == 8:
		return "issn"
	case n == 10 || n == 13:
		return "isbn"
	case in(zt, "journalArticle", "magazineArticle", "newspaperArticle"):
		return "issn"
	case zt == "report":
		return "number"
	}
	return "isbn"
}

var doiPattern = regexp.MustCompile(`10(?:\.[0-9]{4,})?/[^\s]*[^\s.,]`)

// cleanDOI finds the DOI in a value (doi:10..., https://doi.org/10...), as Zotero's cleanDOI
// does, or returns "".
func cleanDOI(s string) string {
	if !strings.Contains(s, "10.") {
		return ""
	}
	return doiPattern.FindString(s)
}

// fileEntries turns the paths or links of an L1, L2 or L4 value (one a line) into entries of
// a file field, title:path:type, as BibTeX.js writes attachments: EndNote's internal-pdf://
// becomes PDF/, as RIS.js reads it, the title is the file name without its extension (Full
// Text (HTML) for L2), and \ : ; $ in a part are escaped with a backslash.
func fileEntries(value, mime string) []string {
	var out []string
	for _, p := range strings.Split(value, "\n") {
		p = strings.TrimSpace(p)
		if rest, ok := cutPrefixFold(p, "internal-pdf://"); ok {
			p = "PDF/" + rest
		}
		if p == "" {
			continue
		}
		title := "Attachment"
		if mime == "text/html" {
			title = "Full Text (HTML)"
		} else if base := p[strings.LastIndexAny(p, `/\`)+1:]; strings.Contains(base, ".") {
			base = base[:strings.LastIndex(base, ".")]
			if u, err := url.PathUnescape(base); err == nil && utf8.ValidString(u) {
				base = u
			}
			if base != "" {
				title = base
			}
		}
		out = append(out, escapeFilePart(title)+":"+escapeFilePart(p)+":"+escapeFilePart(mime))
	}
	return out
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

var filePartEscapes = strings.NewReplacer(`\`, `\\`, `:`, `\:`, `;`, `\;`, `$`, `\$`)

func escapeFilePart(s string) string { return filePartEscapes.Replace(s) }

// rawValue is a value set as it is (a URL, a DOI, a file path): white space collapsed, and
// braces percent-encoded when they do not balance, since BibTeX could not read the value.
func rawValue(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if !bib.Balanced(s) {
		s = strings.NewReplacer("{", "%7B", "}", "%7D").Replace(s)
	}
	return s
}
