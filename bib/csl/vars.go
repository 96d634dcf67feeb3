package csl

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// textField is the BibTeX field of each CSL text variable that maps one to one (Pandoc's BibTeX
// writer, and its reader read backwards for the biblatex fields the writer leaves out).
var textField = map[string]string{
	"title": "title", "collection-title": "series", "edition": "edition", "publisher-place": "address",
	"note": "note", "abstract": "abstract", "keyword": "keywords", "annote": "annote",
	"volume": "volume", "number-of-volumes": "volumes", "number-of-pages": "pagetotal",
	"chapter-number": "chapter", "version": "version", "event": "eventtitle", "event-title": "eventtitle",
	"event-place": "venue", "original-title": "origtitle", "original-publisher": "origpublisher",
	"original-publisher-place": "origlocation", "container-title-short": "shortjournal",
	"status": "pubstate", "language": "langid",
}

// rawField is the field of each variable that is not LaTeX text.
var rawField = map[string]string{
	"DOI": "doi", "URL": "url", "ISBN": "isbn", "ISSN": "issn", "PMID": "pmid", "PMCID": "pmcid",
	"call-number": "library", "other-ids": "ids",
}

var nameField = map[string]string{
	"author": "author", "editor": "editor", "translator": "translator", "container-author": "bookauthor",
	"director": "director",
}

var dateField = map[string]string{"accessed": "urldate", "event-date": "eventdate", "original-date": "origdate"}

// ignored are the variables that say nothing a BibTeX field could hold: the item's identity, and
// the "shortTitle"-like duplicates a citeproc derives again.
var ignored = map[string]bool{"id": true, "type": true, "citation-key": true, "title-short": true, "shortTitle": true,
	"journalAbbreviation": true, "page-first": true, "number": true, "issue": true, "collection-number": true,
	"container-title": true, "page": true, "issued": true, "publisher": true, "genre": true}

// variable sets the fields of one CSL variable k of the item m, and reports whether it knows k.
// The variables that several fields share (container-title, number and issue, page,
// publisher and genre, issued) are set here when k is their first.
func (p *parser) variable(e *bib.Entry, k string, m item, set func(field, value string)) bool {
	v := m.get(k)
	if f, ok := textField[k]; ok {
		set(f, richToLaTeX(textOf(v)))
		return true
	}
	if f, ok := rawField[k]; ok {
		set(f, rawValue(textOf(v)))
		return true
	}
	if f, ok := nameField[k]; ok {
		set(f, p.bibtexNames(v))
		return true
	}
	if f, ok := dateField[k]; ok {
		if d, ok := readDate(v); ok {
			if d.literal != "" {
				set(f, bib.Escape(d.literal))
			} else {
				set(f, d.edtfString())
			}
		}
		return true
	}
	switch k {
	case "issued":
		issued(v, set)
	case "container-title":
		ct := richToLaTeX(textOf(v))
		switch e.Type {
		case "inbook", "incollection", "inproceedings", "inreference":
			set("booktitle", ct)
		default:
			set("journal", ct)
		}
	case "page", "page-first":
		if k == "page-first" && m.present("page") {
			return true
		}
		set("pages", pages(textOf(v)))
	case "number", "issue", "collection-number":
		numbers(m, set, k)
	case "publisher":
		f := "publisher"
		switch e.Type {
		case "phdthesis", "mastersthesis":
			f = "school"
		case "techreport":
			f = "institution"
		}
		set(f, richToLaTeX(textOf(v)))
	case "genre":
		g := textOf(v)
		switch {
		case e.Type == "phdthesis" && g == "PhD thesis", e.Type == "mastersthesis" && (g == "Master’s thesis" || g == "Master's thesis"), g == "mathesis", g == "phdthesis":
		case e.Type == "misc" || e.Type == "article":
			return false
		default:
			set("type", richToLaTeX(g))
		}
	case "title-short", "shortTitle":
		t := m.get("title").str()
		if s := textOf(v); s != "" && !strings.HasPrefix(t, s+":") && s != t {
			set("shorttitle", richToLaTeX(s))
		}
	case "journalAbbreviation":
		if !m.present("container-title-short") {
			set("shortjournal", richToLaTeX(textOf(v)))
		}
	default:
		return ignored[k]
	}
	return true
}

// numbers sets number from the first of number, collection-number and issue, as Pandoc's writer
// does; an issue beside a number goes to biblatex's issue field.
func numbers(m item, set func(field, value string), k string) {
	first := ""
	for _, n := range []string{"number", "collection-number", "issue"} {
		if textOf(m.get(n)) != "" {
			first = n
			break
		}
	}
	switch {
	case k == first:
		set("number", richToLaTeX(textOf(m.get(k))))
	case k == "issue":
		set("issue", richToLaTeX(textOf(m.get(k))))
	}
}

// issued sets year and month (a range's first date, as BibTeX styles need one year), and
// biblatex's date field when the date says more than year and month can: a range, a day, a
// season or an approximate date. A literal date is the year as written.
func issued(v value, set func(field, value string)) {
	d, ok := readDate(v)
	if !ok {
		return
	}
	if d.literal != "" {
		set("year", bib.Escape(d.literal))
		return
	}
	p := d.parts[0]
	set("year", strconv.Itoa(p[0]))
	if p[1] > 0 {
		set("month", monthMacro[p[1]])
	}
	if len(d.parts) > 1 || p[2] > 0 || d.season > 0 || d.circa {
		set("date", d.edtfString())
	}
}

// pages writes a CSL page range with BibTeX's en dash: 97-111 and 97–111 become 97--111.
func pages(s string) string {
	// Replace makes a copy even when there is nothing to replace: most ranges have no dash but
	// the hyphen. Room for the range is made at once, with its dash written twice.
	if s = strings.TrimSpace(s); strings.ContainsAny(s, "–—") {
		s = dashes.Replace(s)
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	for i := 0; i < len(s); i++ {
		if s[i] == '-' && i > 0 && s[i-1] != '-' && (i+1 >= len(s) || s[i+1] != '-') {
			b.WriteString("--")
			continue
		}
		b.WriteByte(s[i])
	}
	return richToLaTeX(b.String())
}

var dashes = strings.NewReplacer("–", "-", "—", "-")

// rawValue keeps a URL, DOI or the like as it is, its braces percent-encoded when they do not
// balance (BibTeX could not read the value otherwise).
func rawValue(s string) string {
	s = strings.TrimSpace(s)
	if bib.Balanced(s) {
		return s
	}
	return strings.NewReplacer("{", url.PathEscape("{"), "}", url.PathEscape("}")).Replace(s)
}

// bibtexNames writes a CSL name list as a BibTeX one.
func (p *parser) bibtexNames(v value) string {
	if v.kind != array {
		if s := v.str(); strings.TrimSpace(s) != "" {
			return "{" + bib.Escape(s) + "}"
		}
		return ""
	}
	out := p.names[:0]
	elements(v, func(x value) {
		if x.kind != object {
			return
		}
		var n Name
		members(x, func(key []byte, esc bool, m value) {
			switch keyOf(key, esc) {
			case "family":
				n.Family = textOf(m)
			case "given":
				n.Given = textOf(m)
			case "literal":
				n.Literal = textOf(m)
			case "dropping-particle":
				n.DroppingParticle = textOf(m)
			case "non-dropping-particle":
				n.NonDroppingParticle = textOf(m)
			case "suffix":
				n.Suffix = textOf(m)
			}
		})
		if s := bibtexName(n); s != "" {
			out = append(out, s)
		}
	})
	p.names = out
	return strings.Join(out, " and ")
}
