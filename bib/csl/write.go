package csl

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// cslType is the CSL type of each BibTeX and biblatex entry type, from Pandoc's BibTeX reader
// (getTypeAndGenre); misc, and a type Pandoc does not know, are "document" (Pandoc writes "",
// which is not a CSL type; citation-js writes "document").
var cslType = map[string]string{
	"article": "article-journal", "book": "book", "booklet": "pamphlet", "bookinbook": "chapter",
	"collection": "book", "dataset": "dataset", "electronic": "webpage", "inbook": "chapter",
	"incollection": "chapter", "inreference": "entry-encyclopedia", "inproceedings": "paper-conference",
	"conference": "paper-conference",
	"manual":     "book", "mastersthesis": "thesis", "mvbook": "book", "mvcollection": "book",
	"mvproceedings": "book", "mvreference": "book", "online": "webpage", "patent": "patent",
	"periodical": "article-journal", "phdthesis": "thesis", "proceedings": "book", "reference": "book",
	"report": "report", "software": "book", "suppbook": "chapter", "suppcollection": "chapter",
	"suppperiodical": "article-journal", "techreport": "report", "thesis": "thesis", "www": "webpage",
	"artwork": "graphic", "audio": "song", "commentary": "book", "image": "graphic",
	"jurisdiction": "legal_case", "legislation": "legislation", "legal": "treaty",
	"letter": "personal_communication", "movie": "motion_picture", "music": "song",
	"performance": "speech", "review": "review", "standard": "legislation", "video": "motion_picture",
	"data": "dataset", "letters": "personal_communication", "newsarticle": "article-newspaper",
}

var chapterLike = map[string]bool{"inbook": true, "incollection": true, "inproceedings": true, "inreference": true, "bookinbook": true, "conference": true}
var articleLike = map[string]bool{"article": true, "periodical": true, "suppperiodical": true, "review": true}
var bookLike = map[string]bool{"book": true, "collection": true, "proceedings": true, "reference": true,
	"mvbook": true, "mvcollection": true, "mvproceedings": true, "mvreference": true, "bookinbook": true,
	"inbook": true, "incollection": true, "inproceedings": true, "inreference": true, "suppbook": true,
	"suppcollection": true, "conference": true}

// ietf gives the language tags Pandoc's toIETF gives babel's language names.
var ietf = map[string]string{
	"english": "en-US", "american": "en-US", "british": "en-GB", "australian": "en-AU",
	"newzealand": "en-NZ", "canadian": "en-CA", "german": "de-DE", "ngerman": "de-DE",
	"austrian": "de-AT", "naustrian": "de-AT", "swissgerman": "de-CH", "french": "fr-FR",
	"spanish": "es-ES", "italian": "it-IT", "dutch": "nl-NL", "portuguese": "pt-PT",
	"brazil": "pt-BR", "brazilian": "pt-BR", "russian": "ru-RU", "polish": "pl-PL",
	"czech": "cs-CZ", "swedish": "sv-SE", "danish": "da-DK", "norsk": "nb-NO", "finnish": "fi-FI",
	"greek": "el-GR", "hungarian": "hu-HU", "japanese": "ja-JP", "chinese": "zh-CN", "latin": "la",
}

// Write writes entries as a CSL-JSON array, the input Pandoc, Quarto and Zotero read, with the
// variables Pandoc's BibTeX reader (jgm/pandoc, Text.Pandoc.Citeproc.BibTeX, itemToReference,
// bibtex variant) gives each field, so that `pandoc --citeproc` cites from it as it cites from
// the .bib file: a crossref's fields fill those its entry lacks, names are split as Pandoc
// splits them, LaTeX becomes Unicode text with CSL's markup (see latexToRich). The
// deliberate differences from Pandoc are in testdata/KNOWN_DIFFERENCES.md. Keys are written in
// order, and each item's variables in alphabetical order, as Pandoc writes them.
func Write(w io.Writer, entries []*bib.Entry) error {
	byKey := make(map[string]*bib.Entry, len(entries))
	for _, e := range entries {
		if _, ok := byKey[e.Key]; !ok && e.Key != "" {
			byKey[e.Key] = e
		}
	}
	items := make([]map[string]any, 0, len(entries))
	for _, e := range entries {
		items = append(items, Item(resolveCrossref(e, byKey)))
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(items); err != nil {
		return fmt.Errorf("write csl-json: %w", err)
	}
	return nil
}

// resolveCrossref returns e with the fields it lacks taken from the entry its crossref names
// (and that entry's crossref, to a depth of 8), as Pandoc does for BibTeX.
func resolveCrossref(e *bib.Entry, byKey map[string]*bib.Entry) *bib.Entry {
	if e.Get("crossref") == "" {
		return e
	}
	out := &bib.Entry{Type: e.Type, Key: e.Key, Fields: append([]bib.Field(nil), e.Fields...)}
	seen := map[string]bool{e.Key: true}
	parent := e
	for depth := 0; depth < 8; depth++ {
		key := strings.TrimSpace(parent.Get("crossref"))
		p := byKey[key]
		if key == "" || p == nil || seen[key] {
			break
		}
		seen[key] = true
		for _, f := range p.Fields {
			if !f.Duplicate && f.Name != "crossref" && out.Field(f.Name) == nil {
				out.Fields = append(out.Fields, f)
			}
		}
		parent = p
	}
	return out
}

// Item returns the CSL-JSON object of one entry (see Write), without resolving its crossref.
// It runs past 100 lines because it is Pandoc's itemToReference read in order, variable by
// variable: kept whole, it can be checked against that function line by line.
func Item(e *bib.Entry) map[string]any {
	typ := strings.ToLower(e.Type)
	m := map[string]any{"id": e.Key}
	get := func(name string) (string, bool) {
		f := e.Field(name)
		if f == nil {
			return "", false
		}
		return f.Value, true
	}
	text := func(v, name string) {
		if s, ok := get(name); ok {
			if r := latexToRich(s, false); r != "" {
				m[v] = r
			}
		}
	}
	raw := func(v, name string) {
		if s, ok := get(name); ok && strings.TrimSpace(s) != "" {
			m[v] = strings.TrimSpace(s)
		}
	}
	ctype := cslType[typ]
	if typ == "unpublished" {
		ctype = "manuscript"
		if _, ok := get("eventdate"); ok || e.Field("eventtitle") != nil || e.Field("venue") != nil {
			ctype = "speech"
		}
	}
	sub := strings.ToLower(e.Get("entrysubtype"))
	if ctype == "article-journal" && (sub == "magazine" || sub == "newspaper") {
		ctype = "article-" + sub
	}
	if ctype == "" {
		ctype = "document"
	}
	m["type"] = ctype
	switch genre, ok := get("type"); {
	case ok && strings.TrimSpace(genre) != "":
		m["genre"] = latexToRich(genre, false)
	case typ == "phdthesis":
		m["genre"] = "PhD thesis"
	case typ == "mastersthesis":
		m["genre"] = "Master’s thesis"
	}
	if l, ok := get("langid"); ok {
		m["language"] = languageTag(l)
	} else if l, ok := get("hyphenation"); ok {
		m["language"] = languageTag(l)
	}
	for v, prefix := range map[string]string{"accessed": "url", "event-date": "event", "issued": "", "original-date": "orig"} {
		if d, ok := entryDate(e, prefix); ok {
			m[v] = d.json()
		}
	}
	for v, name := range map[string]string{"author": "author", "translator": "translator", "container-author": "bookauthor", "director": "director"} {
		if s, ok := get(name); ok {
			if ns := cslNames(s); len(ns) > 0 {
				m[v] = ns
			}
		}
	}
	if s, ok := get("editor"); ok {
		if ns := cslNames(s); len(ns) > 0 {
			if strings.EqualFold(e.Get("editortype"), "director") {
				m["director"] = ns
			} else {
				m["editor"] = ns
			}
		}
	}
	if s, ok := get("pages"); ok {
		if p := strings.ReplaceAll(latexToRich(s, false), "–", "-"); p != "" {
			m["page"] = p
		}
	}
	text("number-of-pages", "pagetotal")
	text("volume", "volume")
	if p, ok := get("part"); ok {
		if v, ok := m["volume"].(string); ok {
			m["volume"] = v + "." + latexToRich(p, false)
		} else {
			m["volume"] = latexToRich(p, false)
		}
	}
	text("number-of-volumes", "volumes")
	text("chapter-number", "chapter")
	text("edition", "edition")
	text("version", "version")
	if n, ok := get("number"); ok {
		n := latexToRich(n, false)
		switch {
		case bookLike[typ]:
			m["collection-number"] = n
		case articleLike[typ]:
			if is, ok := get("issue"); ok {
				n = concatWith(",", n, latexToRich(is, false))
			}
			m["issue"] = n
		default:
			m["number"] = n
		}
	}
	titles(e, typ, m)
	var pubs []string
	for _, f := range []string{"school", "institution", "organization", "howpublished", "publisher"} {
		if s, ok := get(f); ok {
			pubs = append(pubs, latexToRich(s, false))
		}
	}
	if len(pubs) > 0 {
		m["publisher"] = concatWith(";", pubs...)
	}
	text("original-publisher", "origpublisher")
	text("event-place", "venue")
	text("publisher-place", "address")
	text("original-publisher-place", "origlocation")
	raw("URL", "url")
	if _, ok := m["URL"]; !ok {
		if base := eprintBase[strings.ToLower(e.Get("eprinttype")+e.Get("archiveprefix"))]; base != "" && e.Get("eprint") != "" {
			m["URL"] = base + e.Get("eprint")
		}
	}
	raw("DOI", "doi")
	raw("ISBN", "isbn")
	raw("ISSN", "issn")
	raw("PMCID", "pmcid")
	raw("PMID", "pmid")
	raw("call-number", "library")
	raw("other-ids", "ids")
	if typ != "periodical" {
		text("note", "note")
	}
	text("annote", "annote")
	text("annote", "annotation")
	text("abstract", "abstract")
	text("keyword", "keywords")
	text("status", "pubstate")
	for k, v := range m {
		if s, ok := v.(string); ok && s == "" {
			delete(m, k)
		}
	}
	return m
}

var eprintBase = map[string]string{
	"arxiv": "https://arxiv.org/abs/", "jstor": "https://www.jstor.org/stable/",
	"pubmed": "https://www.ncbi.nlm.nih.gov/pubmed/", "googlebooks": "https://books.google.com?id=",
}

func languageTag(l string) string {
	l = strings.ToLower(strings.TrimSpace(bib.Plain(l)))
	if t, ok := ietf[l]; ok {
		return t
	}
	return l
}

// titles sets the title variables as Pandoc's reader does: title with its subtitle and
// titleaddon; a maintitle as the title of a book and the container of a chapter; the container
// from booktitle for a chapter and from journaltitle or journal otherwise; title-short from
// shorttitle or the title up to its colon.
func titles(e *bib.Entry, typ string, m map[string]any) {
	title := func(name string) string { return latexToRich(e.Get(name), true) }
	has := func(name string) bool { return e.Field(name) != nil }
	chapter := chapterLike[typ]
	main := has("maintitle")
	var t, sub, addon string
	switch {
	case typ == "periodical" && has("issuetitle"):
		t, sub = title("issuetitle"), title("issuesubtitle")
	case main && !chapter:
		t, sub, addon = title("maintitle"), title("mainsubtitle"), title("maintitleaddon")
		m["volume-title"] = concatWith(".", concatWith(":", title("title"), title("subtitle")), title("titleaddon"))
	default:
		t, sub, addon = title("title"), title("subtitle"), title("titleaddon")
	}
	if has("title") || main && !chapter || typ == "periodical" && has("issuetitle") {
		m["title"] = concatWith(".", concatWith(":", t, sub), addon)
	}
	if main && chapter {
		m["volume-title"] = concatWith(".", concatWith(":", title("booktitle"), title("booksubtitle")), title("booktitleaddon"))
	}
	ct := ""
	switch {
	case typ == "periodical" && has("title"):
		ct = concatWith(".", concatWith(":", latexToRich(e.Get("title"), false), latexToRich(e.Get("subtitle"), false)), latexToRich(e.Get("titleaddon"), false))
	case chapter && main:
		ct = concatWith(".", concatWith(":", title("maintitle"), title("mainsubtitle")), title("maintitleaddon"))
	case chapter && has("booktitle"):
		ct = concatWith(".", concatWith(":", title("booktitle"), title("booksubtitle")), title("booktitleaddon"))
	case has("journaltitle"):
		ct = concatWith(".", concatWith(":", latexToRich(e.Get("journaltitle"), false), latexToRich(e.Get("journalsubtitle"), false)))
	case has("journal"):
		ct = concatWith(".", concatWith(":", latexToRich(e.Get("journal"), false), latexToRich(e.Get("journalsubtitle"), false)))
	}
	if ct != "" {
		m["container-title"] = ct
	}
	if typ == "periodical" && !main && has("shorttitle") {
		m["container-title-short"] = latexToRich(e.Get("shorttitle"), false)
	} else if has("shortjournal") {
		m["container-title-short"] = latexToRich(e.Get("shortjournal"), false)
	}
	if s := latexToRich(e.Get("series"), true); s != "" {
		m["collection-title"] = s
	}
	if has("eventtitle") {
		m["event"] = title("eventtitle")
	}
	if has("origtitle") {
		m["original-title"] = title("origtitle")
	}
	switch {
	case has("shorttitle") && (!main || chapter):
		m["title-short"] = title("shorttitle")
	case has("title") || main:
		tt, _ := m["title"].(string)
		if i := strings.Index(tt, ":"); i >= 0 && !strings.Contains(tt[:i], "<") {
			m["title-short"] = strings.TrimSpace(tt[:i])
		} else if (sub != "" || addon != "") && !main {
			m["title-short"] = t
		}
	}
}

// concatWith joins the non-empty parts as Pandoc's concatWith does: with sep and a space, or
// only a space after a part that ends in punctuation.
func concatWith(sep string, parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			s := b.String()
			if strings.ContainsAny(s[len(s)-1:], "!?.,:;") {
				b.WriteByte(' ')
			} else {
				b.WriteString(sep + " ")
			}
		}
		b.WriteString(p)
	}
	return b.String()
}

// entryDate reads an entry's date as Pandoc does: the biblatex field prefix+"date" when it reads
// as EDTF, else the fields prefix+year, month, day, endyear, endmonth, endday; a year that is
// not a number is a literal date.
func entryDate(e *bib.Entry, prefix string) (date, bool) {
	if f := e.Field(prefix + "date"); f != nil {
		if d, ok := edtf(strings.ReplaceAll(strings.TrimSpace(f.Value), "\u00a0", "~")); ok {
			return d, true
		}
	}
	yf := e.Field(prefix + "year")
	if yf == nil {
		return date{}, false
	}
	year, ok := yearNumber(yf.Value)
	if !ok {
		return date{literal: latexToRich(yf.Value, false)}, strings.TrimSpace(yf.Value) != ""
	}
	d := date{parts: [][3]int{{year, monthOf(e.Field(prefix + "month")), dayOf(e.Get(prefix + "day"))}}}
	if d.parts[0][1] == 0 {
		d.parts[0][2] = 0
	}
	if ey, ok := yearNumber(e.Get(prefix + "endyear")); ok {
		d.parts = append(d.parts, [3]int{ey, monthOf(e.Field(prefix + "endmonth")), dayOf(e.Get(prefix + "endday"))})
	}
	return d, true
}

func yearNumber(s string) (int, bool) {
	s = strings.TrimSpace(bib.Plain(s))
	if strings.HasPrefix(s, "–") || strings.HasPrefix(s, "—") {
		s = "-" + strings.TrimLeft(s, "–—")
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// monthOf reads a month field: a month macro (jan, as Pandoc reads it), its name, or a number.
func monthOf(f *bib.Field) int {
	if f == nil {
		return 0
	}
	for _, s := range []string{f.Raw, f.Value} {
		s = strings.ToLower(strings.Trim(strings.TrimSpace(s), `{}"`))
		for i := 1; i <= 12; i++ {
			if s == monthMacro[i] || len(s) > 3 && strings.HasPrefix(monthName[i], s) && strings.HasPrefix(s, monthMacro[i]) {
				return i
			}
		}
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= 12 {
			return n
		}
	}
	return 0
}

var monthName = []string{"", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

func dayOf(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 31 {
		return 0
	}
	return n
}
