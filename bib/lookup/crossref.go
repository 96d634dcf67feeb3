package lookup

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/bibshelf/bibshelf/bib/ident"
)

// crossrefWork is the part of a Crossref /works/{doi} message the entry is made of.
type crossrefWork struct {
	DOI                 string           `json:"DOI"`
	Type                string           `json:"type"`
	Subtype             string           `json:"subtype"`
	Title               []string         `json:"title"`
	Subtitle            []string         `json:"subtitle"`
	ContainerTitle      []string         `json:"container-title"`
	ShortContainerTitle []string         `json:"short-container-title"`
	Author              []crossrefPerson `json:"author"`
	Editor              []crossrefPerson `json:"editor"`
	Issued              crossrefDate     `json:"issued"`
	PublishedPrint      crossrefDate     `json:"published-print"`
	PublishedOnline     crossrefDate     `json:"published-online"`
	Approved            crossrefDate     `json:"approved"`
	Volume              string           `json:"volume"`
	Issue               string           `json:"issue"`
	Page                string           `json:"page"`
	ArticleNumber       string           `json:"article-number"`
	Publisher           string           `json:"publisher"`
	PublisherLocation   string           `json:"publisher-location"`
	ISSN                []string         `json:"ISSN"`
	ISBN                []string         `json:"ISBN"`
	Abstract            string           `json:"abstract"`
	EditionNumber       string           `json:"edition-number"`
	Degree              []string         `json:"degree"`
	GroupTitle          string           `json:"group-title"`
	Institution         []struct {
		Name  string   `json:"name"`
		Place []string `json:"place"`
	} `json:"institution"`
	Event *struct {
		Name     string `json:"name"`
		Location string `json:"location"`
	} `json:"event"`
	Link []struct {
		URL         string `json:"URL"`
		ContentType string `json:"content-type"`
	} `json:"link"`
	License []struct {
		URL string `json:"URL"`
	} `json:"license"`
}

type crossrefPerson struct {
	Given    string `json:"given"`
	Family   string `json:"family"`
	Suffix   string `json:"suffix"`
	Name     string `json:"name"`
	ORCID    string `json:"ORCID"`
	Sequence string `json:"sequence"`
}

// crossrefDate is Crossref's {"date-parts": [[2014, 2, 11]]}; a part may be null.
type crossrefDate struct {
	DateParts [][]*int `json:"date-parts"`
}

func (d crossrefDate) parts() (year, month int) {
	if len(d.DateParts) == 0 || len(d.DateParts[0]) == 0 || d.DateParts[0][0] == nil {
		return 0, 0
	}
	year = *d.DateParts[0][0]
	if len(d.DateParts[0]) > 1 && d.DateParts[0][1] != nil {
		month = *d.DateParts[0][1]
	}
	return year, month
}

// crossrefTypes maps Crossref's work types to BibTeX entry types, as Zotero's "Crossref
// REST" translator maps them to Zotero item types and Zotero's BibTeX export maps those:
// journal-article -> journalArticle -> article, book-chapter -> bookSection -> incollection,
// proceedings-article -> conferencePaper -> inproceedings, dissertation -> thesis ->
// phdthesis, report -> report -> techreport. What has no BibTeX type is misc.
var crossrefTypes = map[string]string{
	"journal-article":     "article",
	"book":                "book",
	"monograph":           "book",
	"edited-book":         "book",
	"reference-book":      "book",
	"book-set":            "book",
	"book-chapter":        "incollection",
	"book-section":        "incollection",
	"book-part":           "incollection",
	"reference-entry":     "incollection",
	"proceedings-article": "inproceedings",
	"proceedings":         "proceedings",
	"dissertation":        "phdthesis",
	"report":              "techreport",
	"report-component":    "techreport",
}

// crossref looks a Crossref DOI up in Crossref's REST API.
func (c *Client) crossref(ctx context.Context, doi string) (*Result, error) {
	u := orDefault(c.CrossrefBase, DefaultCrossrefBase) + "/works/" + pathEscape(doi)
	if c.Email != "" {
		u += "?mailto=" + url.QueryEscape(c.Email)
	}
	body, _, err := c.get(ctx, request{kind: ident.DOI, id: doi, service: "Crossref", url: u, accept: "application/json"})
	if err != nil {
		return nil, err
	}
	var answer struct {
		Status  string        `json:"status"`
		Message *crossrefWork `json:"message"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.Message == nil {
		return nil, &Error{Kind: ident.DOI, ID: doi, Service: "Crossref", Status: 200, Reason: ErrMalformed, Err: err}
	}
	return crossrefResult(answer.Message, doi), nil
}

// crossrefResult makes the entry of a Crossref work. The fields follow Zotero's "Crossref
// REST" translator: the title joined to its subtitle with ": " (unless the title holds it
// already), the print date before the issue date, the container title as journal, book title
// or series by type, the article number as pages when there are none.
func crossrefResult(w *crossrefWork, doi string) *Result {
	typ := crossrefTypes[w.Type]
	if typ == "" {
		typ = "misc"
	}
	if typ == "phdthesis" && len(w.Degree) > 0 && strings.Contains(strings.ToLower(w.Degree[0]), "master") {
		typ = "mastersthesis"
	}
	b := newBuilder(typ)
	var authors, editors []string
	for _, p := range w.Author {
		authors = append(authors, crossrefName(p))
	}
	for _, p := range w.Editor {
		editors = append(editors, crossrefName(p))
	}
	b.names("author", authors)
	b.names("editor", editors)
	b.title("title", joinSubtitle(first(w.Title), first(w.Subtitle)))
	container := first(w.ContainerTitle)
	switch typ {
	case "article":
		b.markup("journal", container)
		if short := first(w.ShortContainerTitle); short != "" && short != container {
			b.markup("shortjournal", short)
		}
	case "incollection", "inproceedings":
		b.markup("booktitle", container)
	case "book":
		b.markup("series", container)
	}
	year, month := w.PublishedPrint.parts()
	if year == 0 {
		year, month = w.Issued.parts()
	}
	if year == 0 {
		year, month = w.PublishedOnline.parts()
	}
	if year == 0 {
		// A thesis's date is the day it was approved, as in Zotero's translator.
		year, month = w.Approved.parts()
	}
	b.date(year, month)
	b.text("volume", w.Volume)
	b.text("number", w.Issue)
	if w.Page != "" {
		b.pages(w.Page)
	} else {
		b.text("pages", w.ArticleNumber)
	}
	switch typ {
	case "phdthesis", "mastersthesis":
		if len(w.Institution) > 0 {
			b.text("school", w.Institution[0].Name)
			b.text("address", strings.Join(w.Institution[0].Place, ", "))
		} else {
			b.text("school", w.Publisher)
		}
	case "techreport":
		b.text("institution", w.Publisher)
	case "article":
	default:
		b.text("publisher", w.Publisher)
		if w.Event != nil && w.Event.Location != "" {
			b.text("address", w.Event.Location)
		} else {
			b.text("address", w.PublisherLocation)
		}
	}
	if typ == "book" {
		b.text("edition", w.EditionNumber)
	}
	if typ == "misc" && w.Type == "posted-content" && w.Subtype == "preprint" {
		b.text("howpublished", w.GroupTitle)
	}
	if typ == "article" {
		b.raw("issn", first(w.ISSN))
	} else {
		b.raw("isbn", first(w.ISBN))
	}
	b.raw("doi", orDefault(w.DOI, doi))
	b.markup("abstract", w.Abstract)
	r := &Result{Entry: b.e, Source: "Crossref"}
	if len(w.License) > 0 {
		r.License = w.License[0].URL
	}
	for _, l := range w.Link {
		if l.ContentType == "application/pdf" {
			r.PDF = l.URL
			break
		}
	}
	r.ORCID = orcids(w.Author)
	return r
}

func crossrefName(p crossrefPerson) string {
	if p.Family == "" && p.Given == "" {
		return corporateName(p.Name)
	}
	return personName(p.Given, p.Family, p.Suffix)
}

// orcids are the authors' ORCID iDs, nil when none has one.
func orcids(authors []crossrefPerson) []string {
	var ids []string
	found := false
	for _, p := range authors {
		id := orcidID(p.ORCID)
		ids = append(ids, id)
		found = found || id != ""
	}
	if !found {
		return nil
	}
	return ids
}

// orcidID is the bare ORCID iD of an ORCID address.
func orcidID(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "/"); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// joinSubtitle joins a title and its subtitle with ": ", as Zotero does, unless the title
// holds the subtitle already.
func joinSubtitle(title, subtitle string) string {
	title, subtitle = strings.TrimSpace(title), strings.TrimSpace(subtitle)
	if subtitle == "" || strings.Contains(strings.ToLower(title), strings.ToLower(subtitle)) {
		return title
	}
	if strings.HasSuffix(title, ":") {
		return title + " " + subtitle
	}
	return title + ": " + subtitle
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
