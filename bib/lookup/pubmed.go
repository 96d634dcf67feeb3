package lookup

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bibshelf/bibshelf/bib/ident"
)

// ncbiInterval is the least time between two requests to NCBI's E-utilities: NCBI asks for
// no more than three a second from a client without an API key.
const ncbiInterval = 340 * time.Millisecond

// pubmedArticle is the part of an efetch PubmedArticle the entry is made of. Titles and
// abstract texts are read as their inner XML, which may hold <i>, <sup> or MathML.
type pubmedArticle struct {
	PMID    string `xml:"MedlineCitation>PMID"`
	Article struct {
		Journal struct {
			ISSN         string `xml:"ISSN"`
			Title        string `xml:"Title"`
			ISOAbbrev    string `xml:"ISOAbbreviation"`
			JournalIssue struct {
				Volume  string `xml:"Volume"`
				Issue   string `xml:"Issue"`
				PubDate struct {
					Year        string `xml:"Year"`
					Month       string `xml:"Month"`
					MedlineDate string `xml:"MedlineDate"`
				} `xml:"PubDate"`
			} `xml:"JournalIssue"`
		} `xml:"Journal"`
		Title      innerXML `xml:"ArticleTitle"`
		VernTitle  innerXML `xml:"VernacularTitle"`
		Pagination string   `xml:"Pagination>MedlinePgn"`
		ELocation  []struct {
			Type  string `xml:"EIdType,attr"`
			Value string `xml:",chardata"`
		} `xml:"ELocationID"`
		Abstract []struct {
			Label string `xml:"Label,attr"`
			Text  string `xml:",innerxml"`
		} `xml:"Abstract>AbstractText"`
		Authors []struct {
			LastName   string `xml:"LastName"`
			ForeName   string `xml:"ForeName"`
			Initials   string `xml:"Initials"`
			Suffix     string `xml:"Suffix"`
			Collective string `xml:"CollectiveName"`
			Identifier []struct {
				Source string `xml:"Source,attr"`
				Value  string `xml:",chardata"`
			} `xml:"Identifier"`
		} `xml:"AuthorList>Author"`
	} `xml:"MedlineCitation>Article"`
	IDs []struct {
		Type  string `xml:"IdType,attr"`
		Value string `xml:",chardata"`
	} `xml:"PubmedData>ArticleIdList>ArticleId"`
}

type innerXML struct {
	Text string `xml:",innerxml"`
}

// PubMed looks a PMID up with NCBI's E-utilities (efetch, PubMed XML). The entry is the
// @article Zotero's "PubMed XML" translator makes, in BibTeX: the title without the period
// PubMed ends it with (and without the brackets of a translated title), the journal's full
// name, volume, number, pages (PubMed's abbreviated ranges written whole: 123-9 is
// 123--129), year and month, the DOI, the ISSN, the abstract (a structured abstract's
// labels kept: "Methods: ..."), and the PMID and PMCID in the pmid and pmcid fields.
// Requests to NCBI are at least 340 ms apart, as NCBI asks of clients without an API key.
func (c *Client) PubMed(ctx context.Context, pmid string) (*Result, error) {
	pmid = strings.TrimSpace(pmid)
	q := url.Values{"db": {"pubmed"}, "id": {pmid}, "retmode": {"xml"}, "tool": {"bibshelf"}}
	if c.Email != "" {
		q.Set("email", c.Email)
	}
	body, _, err := c.get(ctx, request{
		kind: ident.PMID, id: pmid, service: "PubMed", least: ncbiInterval,
		url: orDefault(c.EUtilsBase, DefaultEUtilsBase) + "/efetch.fcgi?" + q.Encode(),
	})
	if err != nil {
		return nil, err
	}
	var set struct {
		XMLName  xml.Name        `xml:"PubmedArticleSet"`
		Articles []pubmedArticle `xml:"PubmedArticle"`
	}
	d := xml.NewDecoder(strings.NewReader(string(body)))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	if err := d.Decode(&set); err != nil {
		return nil, &Error{Kind: ident.PMID, ID: pmid, Service: "PubMed", Status: 200, Reason: ErrMalformed, Err: err}
	}
	for i := range set.Articles {
		if strings.TrimSpace(set.Articles[i].PMID) == pmid {
			return pubmedResult(&set.Articles[i]), nil
		}
	}
	// efetch answers a PMID it does not know with an empty set (or an error message).
	return nil, &Error{Kind: ident.PMID, ID: pmid, Service: "PubMed", Status: 200, Reason: ErrNotFound}
}

func pubmedResult(a *pubmedArticle) *Result {
	art := &a.Article
	b := newBuilder("article")
	var authors, ids []string
	found := false
	for _, au := range art.Authors {
		id := ""
		for _, i := range au.Identifier {
			if i.Source == "ORCID" {
				id = orcidID(i.Value)
			}
		}
		switch {
		case au.Collective != "":
			authors = append(authors, corporateName(au.Collective))
		case au.ForeName != "":
			authors = append(authors, personName(au.ForeName, au.LastName, au.Suffix))
		default:
			authors = append(authors, personName(au.Initials, au.LastName, au.Suffix))
		}
		ids = append(ids, id)
		found = found || id != ""
	}
	b.names("author", authors)
	title := pubmedTitle(art.Title.Text)
	if title == "" {
		title = pubmedTitle(art.VernTitle.Text)
	}
	b.title("title", title)
	j := &art.Journal
	b.text("journal", j.Title)
	b.text("volume", j.JournalIssue.Volume)
	b.text("number", j.JournalIssue.Issue)
	b.pages(expandPages(art.Pagination))
	b.date(pubmedDate(j.JournalIssue.PubDate.Year, j.JournalIssue.PubDate.Month, j.JournalIssue.PubDate.MedlineDate))
	b.raw("issn", j.ISSN)
	doi, pmc := "", ""
	for _, id := range a.IDs {
		switch id.Type {
		case "doi":
			doi = strings.TrimSpace(id.Value)
		case "pmc":
			pmc = strings.TrimSpace(id.Value)
		}
	}
	for _, e := range art.ELocation {
		if e.Type == "doi" && doi == "" {
			doi = strings.TrimSpace(e.Value)
		}
	}
	b.raw("doi", doi)
	var abstract []string
	for _, p := range art.Abstract {
		text := p.Text
		if p.Label != "" && !strings.EqualFold(p.Label, "unlabelled") {
			text = p.Label + ": " + text
		}
		abstract = append(abstract, text)
	}
	b.markup("abstract", strings.Join(abstract, "<p/>"))
	b.raw("pmid", strings.TrimSpace(a.PMID))
	b.raw("pmcid", pmc)
	r := &Result{Entry: b.e, Source: "PubMed"}
	if found {
		r.ORCID = ids
	}
	return r
}

// pubmedTitle drops the period PubMed ends a title with, and the brackets around a title
// translated into English, as Zotero's PubMed translator does.
func pubmedTitle(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") && (strings.HasSuffix(s, "].") || strings.HasSuffix(s, "]")) {
		s = strings.TrimSuffix(strings.TrimSuffix(s, "."), "]")[1:]
	}
	if strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "..") {
		s = s[:len(s)-1]
	}
	return s
}

var abbreviatedRange = regexp.MustCompile(`^(\D*)(\d+)-(\D*)(\d+)$`)

// expandPages writes an abbreviated MEDLINE range whole: 123-9 -> 123-129, e12-5 -> e12-e15,
// S1-9 -> S1-S9.
func expandPages(s string) string {
	s = strings.TrimSpace(s)
	m := abbreviatedRange.FindStringSubmatch(s)
	switch {
	case m == nil:
		return s
	case len(m[4]) >= len(m[2]) && m[3] == "" && m[1] != "":
		return m[1] + m[2] + "-" + m[1] + m[4]
	case len(m[4]) >= len(m[2]):
		return s
	}
	prefix := m[3]
	if prefix == "" {
		prefix = m[1]
	}
	return m[1] + m[2] + "-" + prefix + m[2][:len(m[2])-len(m[4])] + m[4]
}

// pubmedDate reads a PubDate: its Year and Month (Apr or 04), or a MedlineDate ("1998
// Dec-1999 Jan", "2000 Spring").
func pubmedDate(year, month, medline string) (int, int) {
	if year == "" && medline != "" {
		m := yearPattern.FindStringSubmatch(medline)
		if m == nil {
			return 0, 0
		}
		year = m[1]
		if f := strings.Fields(medline); len(f) > 1 {
			month = strings.SplitN(f[1], "-", 2)[0]
		}
	}
	y, _ := strconv.Atoi(strings.TrimSpace(year))
	return y, monthNumber(month)
}

// monthNumber reads a month: 4, 04, Apr, April; 0 for anything else.
func monthNumber(s string) int {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= 12 {
		return n
	}
	if len(s) >= 3 {
		for i, m := range monthMacros {
			if strings.HasPrefix(s, m) {
				return i + 1
			}
		}
	}
	return 0
}

// PMC looks a PMCID (PMC3531190) up: NCBI's PMC ID converter gives its PMID, which PubMed
// is asked for; an article PMC holds that PubMed does not index is looked up by its DOI.
func (c *Client) PMC(ctx context.Context, pmcid string) (*Result, error) {
	pmcid = strings.ToUpper(strings.TrimSpace(pmcid))
	if !strings.HasPrefix(pmcid, "PMC") {
		pmcid = "PMC" + pmcid
	}
	q := url.Values{"ids": {pmcid}, "format": {"json"}, "tool": {"bibshelf"}}
	if c.Email != "" {
		q.Set("email", c.Email)
	}
	body, _, err := c.get(ctx, request{
		kind: ident.PMCID, id: pmcid, service: "PMC", least: ncbiInterval,
		url: orDefault(c.IDConvBase, DefaultIDConvBase) + "/?" + q.Encode(),
	})
	if err != nil {
		return nil, err
	}
	var answer struct {
		Status  string `json:"status"`
		Records []struct {
			PMCID  string     `json:"pmcid"`
			PMID   flexString `json:"pmid"`
			DOI    string     `json:"doi"`
			Status string     `json:"status"`
			ErrMsg string     `json:"errmsg"`
		} `json:"records"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return nil, &Error{Kind: ident.PMCID, ID: pmcid, Service: "PMC", Status: 200, Reason: ErrMalformed, Err: err}
	}
	if len(answer.Records) == 0 || answer.Records[0].Status == "error" {
		e := &Error{Kind: ident.PMCID, ID: pmcid, Service: "PMC", Status: 200, Reason: ErrNotFound}
		if len(answer.Records) > 0 && answer.Records[0].ErrMsg != "" {
			e.Err = errors.New("PMC: " + answer.Records[0].ErrMsg)
		}
		return nil, e
	}
	rec := answer.Records[0]
	var r *Result
	switch {
	case rec.PMID != "":
		r, err = c.PubMed(ctx, string(rec.PMID))
	case rec.DOI != "":
		r, err = c.DOI(ctx, rec.DOI)
	default:
		return nil, &Error{Kind: ident.PMCID, ID: pmcid, Service: "PMC", Status: 200, Reason: ErrNotFound,
			Err: errors.New("PMC gives neither a PMID nor a DOI")}
	}
	if err != nil {
		return nil, err
	}
	r.Entry.Set("pmcid", pmcid)
	return r, nil
}
