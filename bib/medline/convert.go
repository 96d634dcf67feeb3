package medline

import (
	"regexp"
	"slices"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// types maps publication types (PT) to entry types, after Zotero's inputTypeMap. Types that
// Zotero maps to item types BibTeX has no type for (videoRecording, case, statute, preprint)
// are misc, as Zotero's BibTeX export writes them.
var types = map[string]string{
	"Book":              "book",
	"Books":             "book", // ERIC
	"Book Chapter":      "incollection",
	"Case Reports":      "article",
	"Case Report":       "article",
	"Journal Article":   "article",
	"Newspaper Article": "article",
	"Video-Audio Media": "misc",
	"Technical Report":  "techreport",
	"Legal Case":        "misc",
	"Preprint":          "misc",
	"Legislation":       "misc",
}

// record is what convert gathers from a record's fields before it writes the entry.
type record struct {
	typ, backupType                 string
	full, short                     []person // FAU/CN and AU/CN
	fullEd, shortEd                 []person
	sets                            map[string]string // BibTeX field -> plain text (or as-is value)
	issn, isbn, keywords            []string
	pagesBackup, source, dp, pmcid  string
	doi, url, jt, bti, title, pmid  string
	hasFullAuthor, hasFullEditorTag bool
	ericJournal                     bool // OID is an ERIC journal article number (EJ...)
}

// person is one name of an author list: a personal name in BibTeX form, or a collective one.
type person struct {
	name      string // BibTeX text, escaped
	corporate bool
}

var (
	doiURL     = regexp.MustCompile(`(?i)^https?://(?:dx\.)?doi\.org/(10\.\S+)$`)
	articleNo  = regexp.MustCompile(`^[A-Za-z]?\d+$`)
	university = regexp.MustCompile(`,\s*([^,]+ University)`)
	// ericJournal is ERIC's number of a journal article: its "Reports - ..." type does not make
	// it a report (Zotero's rule).
	ericJournal = regexp.MustCompile(`^EJ\d+`)
)

// convert makes the entry of one record.
func convert(file string, fields []field) (*bib.Entry, []bib.Problem) {
	e := &bib.Entry{Line: fields[0].line}
	r := &record{sets: map[string]string{}}
	for _, f := range fields {
		r.take(f)
	}
	e.Type = r.entryType()
	var probs []bib.Problem
	set := func(name, value string) {
		if value == "" {
			return
		}
		if err := e.Set(name, value); err != nil {
			probs = append(probs, bib.Problem{File: file, Line: e.Line, Col: 1, Severity: bib.Error,
				Msg: "cannot keep " + name + ": " + err.Error()})
		}
	}
	authors, editors := r.full, r.fullEd
	if !r.hasFullAuthor {
		authors = r.short
	}
	if !r.hasFullEditorTag {
		editors = r.shortEd
	}
	set("author", joinNames(authors))
	set("editor", joinNames(editors))

	title, container := r.title, r.jt
	switch e.Type {
	case "book":
		if r.bti != "" {
			title = r.bti
		}
		if r.sets["publisher"] == "" {
			r.sets["publisher"] = r.jt
		}
		container = ""
	case "incollection":
		set("booktitle", bib.Escape(r.bti))
	case "phdthesis":
		if m := university.FindStringSubmatch(r.source); m != nil {
			set("school", bib.Escape(m[1]))
		}
		container = ""
	case "techreport":
		set("institution", bib.Escape(r.jt))
		container = ""
	}
	set("title", bib.Escape(title))
	if container == "" && e.Type == "article" {
		container = r.sets["shortjournal"]
	}
	set("journal", bib.Escape(container))
	if e.Type == "article" {
		// PL is where a journal is published and PB is seldom given for one: Zotero's journal
		// article has no place or publisher to take them.
		delete(r.sets, "address")
		delete(r.sets, "publisher")
	}
	for _, name := range []string{"shortjournal", "volume", "number", "edition", "publisher", "address",
		"language", "copyright", "abstract"} {
		set(name, bib.Escape(r.sets[name]))
	}
	pages := r.sets["pages"]
	if pages == "" && articleNo.MatchString(r.pagesBackup) {
		pages = r.pagesBackup
	}
	set("pages", bib.Escape(fullPages(pages)))
	year, month := date(r.dp)
	set("year", year)
	set("month", month)
	set("isbn", asIs(strings.Join(r.isbn, " ")))
	set("issn", asIs(strings.Join(r.issn, " ")))
	set("doi", asIs(r.doi))
	set("url", asIs(r.url))
	set("pmid", bib.Escape(r.pmid))
	set("pmcid", bib.Escape(r.pmcid))
	set("keywords", bib.Escape(strings.Join(r.keywords, "; ")))
	if r.title == "" && r.bti == "" {
		probs = append(probs, bib.Problem{File: file, Line: e.Line, Col: 1, Severity: bib.Warning,
			Msg: "record has no title (TI)"})
	}
	return e, probs
}

// take reads one tag of a record.
func (r *record) take(f field) {
	v := strings.TrimSpace(f.value)
	if v == "" {
		return
	}
	simple := map[string]string{"VI": "volume", "IP": "number", "PL": "address", "PB": "publisher",
		"TA": "shortjournal", "PG": "pages", "CI": "copyright", "LA": "language", "EN": "edition",
		"AB": "abstract"}
	switch f.tag {
	case "TI":
		r.title = first(r.title, v)
	case "BTI":
		r.bti = first(r.bti, v)
	case "JT":
		r.jt = first(r.jt, v)
	case "PT":
		if t, ok := types[v]; ok {
			r.typ = t
		} else if strings.Contains(v, "Dissertation") {
			r.typ = "phdthesis"
		} else if strings.Contains(v, "Report") {
			r.backupType = "techreport"
		}
	case "FAU":
		r.full, r.hasFullAuthor = append(r.full, fullName(v)), true
	case "FED":
		r.fullEd, r.hasFullEditorTag = append(r.fullEd, fullName(v)), true
	case "AU":
		if v != "et al." && v != "et al" {
			r.short = append(r.short, shortName(v))
		}
	case "ED":
		r.shortEd = append(r.shortEd, shortName(v))
	case "CN":
		corp := person{name: "{" + bib.Escape(v) + "}"}
		r.full, r.short = append(r.full, corp), append(r.short, corp)
	case "PMID":
		r.pmid = first(r.pmid, v)
	case "PMC":
		r.pmcid = first(r.pmcid, v)
	case "IS", "ISSN", "ISBN":
		r.standardNumber(f.tag, v)
	case "AID", "LID":
		r.articleID(f.tag, v)
	case "DP":
		r.dp = first(r.dp, v)
	case "OID":
		r.ericJournal = r.ericJournal || ericJournal.MatchString(v)
	case "SO":
		r.source = first(r.source, v)
	case "MH", "OT", "KW":
		if !slices.Contains(r.keywords, v) {
			r.keywords = append(r.keywords, v)
		}
	default:
		if name, ok := simple[f.tag]; ok && r.sets[name] == "" {
			r.sets[name] = v
		}
	}
}

func first(old, v string) string {
	if old != "" {
		return old
	}
	return v
}

var (
	issnRE = regexp.MustCompile(`^(?:E?ISSN-)?(\d{4}-?\d{3}[\dXx])\b`)
	isbnRE = regexp.MustCompile(`^(?:ISBN-)?([\d-]{9,16}[\dXx])\b`)
)

// standardNumber reads an IS (or ERIC's ISSN, ISBN) value such as "0027-8424 (Print)".
func (r *record) standardNumber(tag, v string) {
	if m := issnRE.FindStringSubmatch(v); m != nil && tag != "ISBN" {
		n := strings.ToUpper(m[1])
		if !strings.Contains(n, "-") {
			n = n[:4] + "-" + n[4:]
		}
		if !slices.Contains(r.issn, n) {
			r.issn = append(r.issn, n)
		}
		return
	}
	if m := isbnRE.FindStringSubmatch(v); m != nil {
		n := strings.ToUpper(strings.ReplaceAll(m[1], "-", ""))
		if (len(n) == 10 || len(n) == 13) && !slices.Contains(r.isbn, n) {
			r.isbn = append(r.isbn, n)
		}
	}
}

// articleID reads an AID or LID value: "10.1016/j.x.2015.01.018 [doi]", "S0033-3506(15)00037-2
// [pii]", or (ERIC) a link.
func (r *record) articleID(tag, v string) {
	switch {
	case strings.HasSuffix(v, "[doi]"):
		if r.doi == "" {
			r.doi = strings.TrimSpace(strings.TrimSuffix(v, "[doi]"))
		}
	case strings.HasSuffix(v, "[pii]"):
		if tag == "LID" && r.pagesBackup == "" {
			r.pagesBackup = strings.TrimSpace(strings.TrimSuffix(v, "[pii]"))
		}
	default:
		if m := doiURL.FindStringSubmatch(v); m != nil && tag == "AID" && r.doi == "" {
			r.doi = m[1]
		} else if tag == "LID" && strings.HasPrefix(v, "http") && r.url == "" {
			r.url = v
		}
	}
}

// entryType is the type PT gave, the report fallback, or article.
func (r *record) entryType() string {
	switch {
	case r.typ != "":
		return r.typ
	case r.backupType != "" && !r.ericJournal:
		return r.backupType
	}
	return "article"
}

// asIs makes a value that is not LaTeX text safe for Entry.Set: braces that do not balance are
// percent-encoded, as in a URL.
func asIs(v string) string {
	if bib.Balanced(v) {
		return v
	}
	return strings.NewReplacer("{", "%7B", "}", "%7D").Replace(v)
}

var pageRange = regexp.MustCompile(`(\d+)\s*[-\x{2013}]\s*(\d+)`)

// fullPages writes each range of pages in full with "--": 6913-7 is 6913--6917, as Zotero's
// translator (and PubMed's own) expands PubMed's abbreviated ranges.
func fullPages(s string) string {
	return pageRange.ReplaceAllStringFunc(s, func(m string) string {
		g := pageRange.FindStringSubmatch(m)
		from, to := g[1], g[2]
		if d := len(from) - len(to); d > 0 {
			to = from[:d] + to
		}
		return from + "--" + to
	})
}

var (
	yearRE  = regexp.MustCompile(`\b(1[5-9]\d\d|2\d\d\d)\b`)
	monthRE = regexp.MustCompile(`\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b`)
)

// date reads DP, "1996 Jul 9", "2019 Mar-Apr", "2019 Spring", "2021", ERIC's "Article 10 2019",
// into a year and the lower-case month macro of its first month.
func date(dp string) (year, month string) {
	y := yearRE.FindStringIndex(dp)
	if y == nil {
		return "", ""
	}
	if m := monthRE.FindStringSubmatch(dp[y[1]:]); m != nil {
		month = strings.ToLower(m[1])
	}
	return dp[y[0]:y[1]], month
}
