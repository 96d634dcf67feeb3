package lookup

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/bibshelf/bibshelf/bib/ident"
)

// flexString is a JSON value that registries give as a string or a number ("2016", 2016), or
// as an object with a name ({"name": "Zenodo"}, as DataCite gives a publisher on request).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case b[0] == '{':
		var o struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		*f = flexString(o.Name)
	default:
		*f = flexString(b)
	}
	return nil
}

// dataciteWork is the part of DataCite's /dois/{doi} attributes the entry is made of.
type dataciteWork struct {
	DOI      string `json:"doi"`
	Creators []struct {
		Name            string `json:"name"`
		NameType        string `json:"nameType"`
		GivenName       string `json:"givenName"`
		FamilyName      string `json:"familyName"`
		NameIdentifiers []struct {
			NameIdentifier       string `json:"nameIdentifier"`
			NameIdentifierScheme string `json:"nameIdentifierScheme"`
		} `json:"nameIdentifiers"`
	} `json:"creators"`
	Titles []struct {
		Title     string `json:"title"`
		TitleType string `json:"titleType"`
	} `json:"titles"`
	Publisher       flexString `json:"publisher"`
	PublicationYear flexString `json:"publicationYear"`
	Version         flexString `json:"version"`
	Types           struct {
		ResourceTypeGeneral string `json:"resourceTypeGeneral"`
	} `json:"types"`
	Dates []struct {
		Date     string `json:"date"`
		DateType string `json:"dateType"`
	} `json:"dates"`
	Descriptions []struct {
		Description     string `json:"description"`
		DescriptionType string `json:"descriptionType"`
	} `json:"descriptions"`
	Container struct {
		Title     string     `json:"title"`
		Volume    flexString `json:"volume"`
		Issue     flexString `json:"issue"`
		FirstPage flexString `json:"firstPage"`
		LastPage  flexString `json:"lastPage"`
	} `json:"container"`
	RightsList []struct {
		RightsURI string `json:"rightsUri"`
	} `json:"rightsList"`
}

// dataciteTypes maps DataCite's resourceTypeGeneral to BibTeX entry types as Zotero's
// "DataCite JSON" translator maps it to Zotero item types and Zotero's BibTeX export maps
// those (JournalArticle -> journalArticle -> article, ConferencePaper -> conferencePaper ->
// inproceedings, BookChapter -> bookSection -> incollection, Dissertation -> thesis ->
// phdthesis). Datasets, software, preprints and the rest have no BibTeX type: misc, with
// the publisher (Zenodo, Dryad) as howpublished and the version kept.
var dataciteTypes = map[string]string{
	"JournalArticle":       "article",
	"Book":                 "book",
	"BookChapter":          "incollection",
	"ConferencePaper":      "inproceedings",
	"ConferenceProceeding": "proceedings",
	"Dissertation":         "phdthesis",
	"Report":               "techreport",
}

// datacite looks a DataCite DOI up in DataCite's REST API.
func (c *Client) datacite(ctx context.Context, doi string) (*Result, error) {
	body, _, err := c.get(ctx, request{
		kind: ident.DOI, id: doi, service: "DataCite", accept: "application/vnd.api+json",
		url: orDefault(c.DataCiteBase, DefaultDataCiteBase) + "/dois/" + pathEscape(doi),
	})
	if err != nil {
		return nil, err
	}
	var answer struct {
		Data *struct {
			Attributes *dataciteWork `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.Data == nil || answer.Data.Attributes == nil {
		return nil, &Error{Kind: ident.DOI, ID: doi, Service: "DataCite", Status: 200, Reason: ErrMalformed, Err: err}
	}
	return dataciteResult(answer.Data.Attributes, doi), nil
}

func dataciteResult(w *dataciteWork, doi string) *Result {
	typ := dataciteTypes[w.Types.ResourceTypeGeneral]
	if typ == "" {
		typ = "misc"
	}
	b := newBuilder(typ)
	var authors, ids []string
	found := false
	for _, p := range w.Creators {
		switch {
		case p.NameType == "Organizational":
			authors = append(authors, corporateName(p.Name))
		case p.FamilyName != "" || p.GivenName != "":
			authors = append(authors, personName(p.GivenName, p.FamilyName, ""))
		default:
			authors = append(authors, fullName(p.Name))
		}
		id := ""
		for _, n := range p.NameIdentifiers {
			if strings.EqualFold(n.NameIdentifierScheme, "ORCID") {
				id = orcidID(n.NameIdentifier)
			}
		}
		ids = append(ids, id)
		found = found || id != ""
	}
	b.names("author", authors)
	var title, subtitle string
	for _, t := range w.Titles {
		switch {
		case t.TitleType == "" && title == "":
			title = t.Title
		case t.TitleType == "Subtitle" && subtitle == "":
			subtitle = t.Title
		}
	}
	b.title("title", joinSubtitle(title, subtitle))
	switch typ {
	case "article":
		b.markup("journal", w.Container.Title)
	case "incollection", "inproceedings":
		b.markup("booktitle", w.Container.Title)
	}
	year, _ := strconv.Atoi(strings.TrimSpace(string(w.PublicationYear)))
	month := 0
	for _, d := range w.Dates {
		if d.DateType == "Issued" {
			if y, m := isoDate(d.Date); y == year {
				month = m
			}
		}
	}
	b.date(year, month)
	b.text("volume", string(w.Container.Volume))
	b.text("number", string(w.Container.Issue))
	if w.Container.FirstPage != "" && w.Container.LastPage != "" {
		b.pages(string(w.Container.FirstPage) + "-" + string(w.Container.LastPage))
	} else {
		b.text("pages", string(w.Container.FirstPage))
	}
	switch typ {
	case "misc":
		b.text("howpublished", string(w.Publisher))
	case "phdthesis":
		b.text("school", string(w.Publisher))
	case "techreport":
		b.text("institution", string(w.Publisher))
	case "article":
	default:
		b.text("publisher", string(w.Publisher))
	}
	b.text("version", string(w.Version))
	b.raw("doi", orDefault(w.DOI, doi))
	for _, d := range w.Descriptions {
		if d.DescriptionType == "Abstract" || d.DescriptionType == "" {
			b.markup("abstract", d.Description)
			break
		}
	}
	r := &Result{Entry: b.e, Source: "DataCite"}
	if found {
		r.ORCID = ids
	}
	for _, l := range w.RightsList {
		// Some rights are not licences: info:eu-repo/semantics/openAccess.
		if strings.HasPrefix(l.RightsURI, "http") {
			r.License = l.RightsURI
			break
		}
	}
	return r
}

// isoDate reads the year and month of an ISO 8601 date: 2016-03-27, 2019-02, 2017.
func isoDate(s string) (year, month int) {
	s = strings.TrimSpace(s)
	if len(s) < 4 {
		return 0, 0
	}
	year, err := strconv.Atoi(s[:4])
	if err != nil {
		return 0, 0
	}
	if len(s) >= 7 && s[4] == '-' {
		month, _ = strconv.Atoi(s[5:7])
	}
	return year, month
}
