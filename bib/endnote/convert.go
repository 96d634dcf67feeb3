package endnote

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/bibshelf/bibshelf/bib"
)

// byName maps ref-type names to entry types: Zotero's processItemType, its item types written as
// the BibTeX types of Zotero's BibTeX export (journal, magazine and newspaper articles are
// articles; a manuscript is unpublished; a patent, program and dictionary or encyclopedia entry
// take biblatex's patent, software and inreference; what neither has a type for is misc).
var byName = map[string]string{
	"Artwork": "misc", "Audiovisual Material": "misc", "Bill": "misc", "Book Section": "incollection",
	"Book": "book", "Case": "misc", "Catalog": "book", "Computer Program": "software",
	"Conference Proceedings": "inproceedings", "Web Page": "misc", "Generic": "misc", "Hearing": "misc",
	"Journal Article": "article", "Magazine Article": "article", "Map": "misc", "Film or Broadcast": "misc",
	"Newspaper Article": "article", "Pamphlet": "unpublished", "Patent": "patent",
	"Personal Communication": "misc", "Report": "techreport", "Edited Book": "book", "Statute": "misc",
	"Thesis": "phdthesis", "Unpublished Work": "unpublished", "Manuscript": "unpublished",
	"Figure": "misc", "Chart or Table": "misc", "Equation": "misc", "Electronic Article": "article",
	"Electronic Book": "book", "Online Database": "misc", "Government Document": "misc",
	"Conference Paper": "inproceedings", "Online Multimedia": "misc", "Classical Work": "book",
	"Legal Rule or Regulation": "techreport", "Ancient Text": "book", "Dictionary": "inreference",
	"Encyclopedia": "inreference", "Grant": "techreport", "Aggregated Database": "misc", "Blog": "misc",
	"Serial": "book", "Standard": "techreport", "Dataset": "techreport",
	"Electronic Book Section": "incollection", "Music": "misc",
}

// byNumber maps ref-type numbers to entry types, after Zotero's processNumberType.
var byNumber = map[string]string{
	"2": "misc", "3": "misc", "4": "misc", "5": "incollection", "6": "book", "7": "misc", "8": "book",
	"9": "software", "10": "inproceedings", "12": "misc", "13": "misc", "14": "misc", "17": "article",
	"19": "article", "20": "misc", "21": "misc", "23": "article", "24": "unpublished", "25": "patent",
	"26": "misc", "27": "techreport", "28": "book", "31": "misc", "32": "phdthesis", "34": "unpublished",
	"36": "unpublished", "37": "misc", "38": "misc", "39": "misc", "43": "article", "44": "book",
	"45": "misc", "46": "misc", "47": "inproceedings", "48": "misc", "49": "book", "50": "techreport",
	"51": "book", "52": "inreference", "53": "inreference", "54": "techreport", "55": "misc",
	"56": "misc", "57": "book", "58": "techreport", "59": "techreport", "60": "incollection", "61": "misc",
}

var (
	pmcRE    = regexp.MustCompile(`(?i)PMC\d+`)
	issnRE   = regexp.MustCompile(`\b\d{4}-?\d{3}[\dXx]\b`)
	doiStrip = regexp.MustCompile(`(?i)^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)`)
	yearRE   = regexp.MustCompile(`\b(1[5-9]\d\d|2\d\d\d)\b`)
	monthRE  = regexp.MustCompile(`(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b`)
	numMonth = regexp.MustCompile(`^\d{4}[-/](\d{1,2})\b`)
	pageRE   = regexp.MustCompile(`(\d+)\s*[-\x{2013}]\s*(\d+)`)
)

var monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// entry gathers the fields of one record.
type entry struct {
	e     *bib.Entry
	file  string
	probs []bib.Problem
}

func (x *entry) set(name, v string) {
	if v == "" || x.e.Field(name) != nil {
		return
	}
	if err := x.e.Set(name, v); err != nil {
		x.probs = append(x.probs, bib.Problem{File: x.file, Line: x.e.Line, Col: 1, Key: x.e.Key,
			Severity: bib.Error, Msg: "cannot keep " + name + ": " + err.Error()})
	}
}

// convert makes the entry of one record's values.
func convert(file string, line int, values []value) (*bib.Entry, []bib.Problem) {
	x := &entry{e: &bib.Entry{Line: line}, file: file}
	x.e.Type = entryType(values)
	typ := x.e.Type
	get := func(path string) []value {
		var out []value
		for _, v := range values {
			if v.path == path && v.plain != "" {
				out = append(out, v)
			}
		}
		return out
	}
	one := func(path string) string {
		if vs := get(path); len(vs) > 0 {
			return vs[0].plain
		}
		return ""
	}
	latex := func(path string) string {
		if vs := get(path); len(vs) > 0 {
			return vs[0].latex
		}
		return ""
	}
	if label := one("label"); label != "" && bib.CheckKey(label) == nil {
		x.e.Key = label
	}

	x.set("author", names(get("contributors/authors/author")))
	switch typ {
	case "article", "incollection", "inproceedings", "inreference", "misc":
		x.set("editor", names(get("contributors/secondary-authors/author")))
	case "book":
		x.set("editor", names(get("contributors/tertiary-authors/author")))
	}
	x.set("translator", names(get("contributors/subsidiary-authors/author")))

	x.set("title", latex("titles/title"))
	secondary := latex("titles/secondary-title")
	journal := latex("periodical/full-title")
	if journal == "" {
		journal = latex("alt-periodical/full-title")
	}
	switch typ {
	case "article":
		if journal == "" {
			journal = secondary
		}
		x.set("journal", journal)
	case "incollection", "inproceedings", "inreference":
		x.set("booktitle", secondary)
		x.set("series", latex("titles/tertiary-title"))
	case "book", "techreport", "software":
		x.set("series", secondary)
	}
	x.set("shorttitle", latex("titles/short-title"))
	x.set("shortjournal", bib.Escape(one("periodical/abbr-1")))

	x.set("volume", bib.Escape(one("volume")))
	x.set("number", bib.Escape(one("number")))
	x.set("number", bib.Escape(one("issue")))
	x.set("pages", bib.Escape(fullPages(one("pages"))))
	x.set("edition", bib.Escape(one("edition")))
	x.set("volumes", bib.Escape(one("num-vols")))
	x.set("section", bib.Escape(one("section")))
	x.dates(one("dates/year"), one("dates/pub-dates/date"))

	publisher := bib.Escape(one("publisher"))
	switch typ {
	case "techreport":
		x.set("institution", publisher)
	case "phdthesis":
		x.set("school", publisher)
	default:
		x.set("publisher", publisher)
	}
	if typ != "article" { // a journal article has no place in Zotero
		x.set("address", bib.Escape(one("pub-location")))
	}
	x.set("type", bib.Escape(one("work-type")))
	x.standardNumbers(one("isbn"))
	if doi := doiStrip.ReplaceAllString(one("electronic-resource-num"), ""); doi != "" {
		x.set("doi", asIs(doi))
	}
	for _, p := range []string{"urls/related-urls/url", "urls/web-urls/url", "urls/text-urls/url"} {
		x.set("url", asIs(one(p)))
	}
	for _, p := range []string{"custom2", "custom3", "custom7"} {
		if m := pmcRE.FindString(one(p)); m != "" && slices.Contains([]string{"article", "book", "incollection"}, typ) {
			x.set("pmcid", strings.ToUpper(m))
		}
	}
	x.set("language", bib.Escape(one("language")))
	x.set("urldate", bib.Escape(one("access-date")))
	x.set("abstract", bib.Escape(one("abstract")))
	var notes []string
	for _, v := range append(get("notes"), get("research-notes")...) {
		notes = append(notes, v.plain)
	}
	x.set("annote", bib.Escape(strings.Join(notes, " ")))
	var kws []string
	for _, v := range get("keywords/keyword") {
		if !slices.Contains(kws, v.plain) {
			kws = append(kws, v.plain)
		}
	}
	x.set("keywords", bib.Escape(strings.Join(kws, "; ")))
	if x.e.Field("title") == nil {
		x.probs = append(x.probs, bib.Problem{File: file, Line: line, Col: 1, Key: x.e.Key,
			Severity: bib.Warning, Msg: "record has no title"})
	}
	return x.e, x.probs
}

// entryType is the type of ref-type's name, else of its number, else article (Zotero's
// fallback of journalArticle).
func entryType(values []value) string {
	for _, v := range values {
		if v.path != "ref-type" {
			continue
		}
		if t, ok := byName[strings.TrimSpace(v.attr)]; ok {
			return t
		}
		if t, ok := byNumber[v.plain]; ok {
			return t
		}
	}
	return "article"
}

// dates sets year and month from dates/year and dates/pub-dates/date ("Mar 3", "2015-03-03",
// "March 2015").
func (x *entry) dates(year, date string) {
	if m := yearRE.FindString(year); m != "" {
		x.set("year", m)
	} else if m := yearRE.FindString(date); m != "" {
		x.set("year", m)
	} else if year != "" {
		x.set("year", bib.Escape(year))
	}
	if m := monthRE.FindStringSubmatch(date); m != nil {
		x.set("month", strings.ToLower(m[1]))
	} else if m := numMonth.FindStringSubmatch(date); m != nil {
		n := 0
		for _, c := range m[1] {
			n = n*10 + int(c-'0')
		}
		if n >= 1 && n <= 12 {
			x.set("month", monthNames[n-1])
		}
	}
}

// standardNumbers reads the isbn element: ISSNs for articles (Zotero's rule), ISBNs otherwise,
// each number once, their notes such as "(Electronic)" dropped.
func (x *entry) standardNumbers(v string) {
	if v == "" {
		return
	}
	switch x.e.Type {
	case "patent", "techreport": // Zotero's patent and report numbers
		x.set("number", bib.Escape(v))
		return
	case "article":
		var issns []string
		for _, m := range issnRE.FindAllString(v, -1) {
			m = strings.ToUpper(m)
			if !strings.Contains(m, "-") {
				m = m[:4] + "-" + m[4:]
			}
			if !slices.Contains(issns, m) {
				issns = append(issns, m)
			}
		}
		if len(issns) == 0 {
			x.set("issn", asIs(v))
			return
		}
		x.set("issn", strings.Join(issns, " "))
		return
	}
	x.set("isbn", asIs(v))
}

// names joins the names of author elements in BibTeX form. A name ending in a comma is
// EndNote's corporate author and is braced whole; "Last, First Jr." becomes "Last, Jr., First".
func names(vs []value) string {
	var out []string
	for _, v := range vs {
		n := strings.TrimSpace(v.plain)
		switch {
		case strings.HasSuffix(n, ","):
			out = append(out, "{"+bib.Escape(strings.TrimSuffix(n, ","))+"}")
		case strings.Contains(n, ","):
			last, first, _ := strings.Cut(n, ",")
			words := strings.Fields(first)
			var jr string
			if k := len(words); k > 1 && (words[k-1] == "Jr." || words[k-1] == "Jr" || words[k-1] == "Sr." ||
				words[k-1] == "II" || words[k-1] == "III" || words[k-1] == "IV") {
				jr, words = words[k-1], words[:k-1]
			}
			for i, w := range words {
				if r := []rune(w); len(r) == 1 && unicode.IsUpper(r[0]) {
					words[i] = w + "." // as Zotero's cleanAuthor writes an initial
				}
			}
			name := protect(bib.Escape(last))
			if jr != "" {
				name += ", " + bib.Escape(jr)
			}
			if len(words) > 0 || jr != "" {
				name += ", " + protect(bib.Escape(strings.Join(words, " ")))
			}
			out = append(out, name)
		default:
			out = append(out, protect(bib.Escape(n)))
		}
	}
	return strings.Join(out, " and ")
}

// protect braces the word "and" inside a name, which BibTeX would read as the separator of two
// names.
func protect(s string) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		if strings.EqualFold(w, "and") {
			words[i] = "{" + w + "}"
		}
	}
	return strings.Join(words, " ")
}

// fullPages writes each range of pages in full with "--": 943-7 is 943--947.
func fullPages(s string) string {
	return pageRE.ReplaceAllStringFunc(s, func(m string) string {
		g := pageRE.FindStringSubmatch(m)
		from, to := g[1], g[2]
		if d := len(from) - len(to); d > 0 {
			to = from[:d] + to
		}
		return from + "--" + to
	})
}

// asIs makes a value that is not LaTeX text safe for Entry.Set: braces that do not balance are
// percent-encoded, as in a URL.
func asIs(v string) string {
	if bib.Balanced(v) {
		return v
	}
	return strings.NewReplacer("{", "%7B", "}", "%7D").Replace(v)
}
