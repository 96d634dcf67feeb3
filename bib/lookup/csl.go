package lookup

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/bibshelf/bibshelf/bib/ident"
)

// cslItem is the part of a CSL-JSON item the entry is made of.
type cslItem struct {
	Type           string          `json:"type"`
	Title          flexString      `json:"title"`
	Subtitle       json.RawMessage `json:"subtitle"`
	ContainerTitle flexString      `json:"container-title"`
	Author         []cslName       `json:"author"`
	Editor         []cslName       `json:"editor"`
	Issued         crossrefDate    `json:"issued"`
	PublishedPrint crossrefDate    `json:"published-print"`
	Volume         flexString      `json:"volume"`
	Issue          flexString      `json:"issue"`
	Page           flexString      `json:"page"`
	Publisher      flexString      `json:"publisher"`
	PublisherPlace flexString      `json:"publisher-place"`
	ISSN           json.RawMessage `json:"ISSN"`
	ISBN           json.RawMessage `json:"ISBN"`
	Abstract       string          `json:"abstract"`
	DOI            string          `json:"DOI"`
}

type cslName struct {
	Family              string `json:"family"`
	Given               string `json:"given"`
	Suffix              string `json:"suffix"`
	NonDroppingParticle string `json:"non-dropping-particle"`
	DroppingParticle    string `json:"dropping-particle"`
	Literal             string `json:"literal"`
	ORCID               string `json:"ORCID"`
}

// cslTypes maps CSL types to BibTeX entry types as citation-js's BibTeX output does
// (plugin-bibtex): article-journal -> article, chapter -> incollection, paper-conference ->
// inproceedings, thesis -> phdthesis, report -> techreport. Crossref's CSL gives its own type
// names (journal-article), which map as crossrefTypes does.
var cslTypes = map[string]string{
	"article-journal":  "article",
	"book":             "book",
	"chapter":          "incollection",
	"paper-conference": "inproceedings",
	"thesis":           "phdthesis",
	"report":           "techreport",
}

// csl asks doi.org for the DOI's metadata as CSL-JSON (content negotiation), for the
// registration agencies whose own APIs the client does not read (mEDRA, JaLC, KISTI, ...).
func (c *Client) csl(ctx context.Context, doi, agency string) (*Result, error) {
	body, _, err := c.get(ctx, request{
		kind: ident.DOI, id: doi, service: "doi.org", accept: "application/vnd.citationstyles.csl+json",
		url: orDefault(c.DOIBase, DefaultDOIBase) + "/" + pathEscape(doi),
	})
	if err != nil {
		return nil, err
	}
	var item cslItem
	if err := json.Unmarshal(body, &item); err != nil {
		return nil, &Error{Kind: ident.DOI, ID: doi, Service: "doi.org", Status: 200, Reason: ErrMalformed, Err: err}
	}
	r := cslResult(&item, doi)
	r.Source = "doi.org (" + agency + ")"
	return r, nil
}

func cslResult(it *cslItem, doi string) *Result {
	typ := cslTypes[it.Type]
	if typ == "" {
		typ = crossrefTypes[it.Type]
	}
	if typ == "" {
		typ = "misc"
	}
	b := newBuilder(typ)
	names := func(ns []cslName) []string {
		var out []string
		for _, n := range ns {
			if n.Literal != "" || (n.Family == "" && n.Given == "") {
				out = append(out, corporateName(n.Literal))
				continue
			}
			family := strings.TrimSpace(n.NonDroppingParticle + " " + n.Family)
			family = strings.TrimSpace(n.DroppingParticle + " " + family)
			out = append(out, personName(n.Given, family, n.Suffix))
		}
		return out
	}
	b.names("author", names(it.Author))
	b.names("editor", names(it.Editor))
	b.title("title", joinSubtitle(string(it.Title), firstOf(it.Subtitle)))
	switch typ {
	case "article":
		b.markup("journal", string(it.ContainerTitle))
	case "incollection", "inproceedings":
		b.markup("booktitle", string(it.ContainerTitle))
	}
	year, month := it.PublishedPrint.parts()
	if year == 0 {
		year, month = it.Issued.parts()
	}
	b.date(year, month)
	b.text("volume", string(it.Volume))
	b.text("number", string(it.Issue))
	b.pages(string(it.Page))
	switch typ {
	case "article":
	case "phdthesis":
		b.text("school", string(it.Publisher))
	case "techreport":
		b.text("institution", string(it.Publisher))
	default:
		b.text("publisher", string(it.Publisher))
		b.text("address", string(it.PublisherPlace))
	}
	if typ == "article" {
		b.raw("issn", firstOf(it.ISSN))
	} else {
		b.raw("isbn", firstOf(it.ISBN))
	}
	b.raw("doi", orDefault(it.DOI, doi))
	b.markup("abstract", it.Abstract)
	return &Result{Entry: b.e}
}

// firstOf reads a CSL value that is a string or a list of strings, and gives the first.
func firstOf(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var l []string
	if json.Unmarshal(raw, &l) == nil && len(l) > 0 {
		return l[0]
	}
	return ""
}
