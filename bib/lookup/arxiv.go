package lookup

import (
	"context"
	"encoding/xml"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/ident"
)

// arxivFeed is the Atom feed arXiv's export API answers with.
type arxivFeed struct {
	Total   int          `xml:"http://a9.com/-/spec/opensearch/1.1/ totalResults"`
	Entries []arxivEntry `xml:"http://www.w3.org/2005/Atom entry"`
}

type arxivEntry struct {
	ID        string `xml:"http://www.w3.org/2005/Atom id"`
	Title     string `xml:"http://www.w3.org/2005/Atom title"`
	Summary   string `xml:"http://www.w3.org/2005/Atom summary"`
	Published string `xml:"http://www.w3.org/2005/Atom published"`
	Updated   string `xml:"http://www.w3.org/2005/Atom updated"`
	Authors   []struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	} `xml:"http://www.w3.org/2005/Atom author"`
	Links []struct {
		Href  string `xml:"href,attr"`
		Title string `xml:"title,attr"`
		Type  string `xml:"type,attr"`
	} `xml:"http://www.w3.org/2005/Atom link"`
	DOI        string `xml:"http://arxiv.org/schemas/atom doi"`
	JournalRef string `xml:"http://arxiv.org/schemas/atom journal_ref"`
	Comment    string `xml:"http://arxiv.org/schemas/atom comment"`
	Primary    struct {
		Term string `xml:"term,attr"`
	} `xml:"http://arxiv.org/schemas/atom primary_category"`
}

// arxivVersion matches the version at the end of an arXiv id.
var arxivVersion = regexp.MustCompile(`v(\d+)$`)

// ArXiv looks an arXiv id up in arXiv's export API: a new-style id (2106.09685) or an
// old-style one (hep-th/9901001), with or without a version (2106.09685v2). Without a
// version arXiv answers with the latest version's metadata, and the entry's eprint is the id
// without a version; with one, the entry holds that version's metadata and its eprint keeps
// the version. Result.Version says which version it was. Requests to arXiv are at least
// Client.ArXivInterval apart (3 seconds), as arXiv asks.
//
// A paper arXiv knows as published (a journal DOI or a journal reference) is an @article with
// the journal, volume, pages and year read from the journal reference where it can be read
// (else the reference as a note), its journal DOI, and its eprint, archiveprefix and
// primaryclass. Otherwise it is a preprint as biblatex and natbib styles expect it: @misc with
// eprint, archiveprefix = {arXiv}, primaryclass, the 10.48550/arXiv.ID DOI arXiv registers
// with DataCite, the abstract page as url, and the year and month of the first version.
func (c *Client) ArXiv(ctx context.Context, id string) (*Result, error) {
	id = strings.TrimSpace(id)
	interval := c.ArXivInterval
	if interval == 0 {
		interval = 3 * time.Second
	}
	q := url.Values{"id_list": {id}, "max_results": {"1"}}
	body, _, err := c.get(ctx, request{
		kind: ident.ArXiv, id: id, service: "arXiv", least: interval,
		url: orDefault(c.ArXivBase, DefaultArXivBase) + "/query?" + q.Encode(),
	})
	var e *Error
	if errors.As(err, &e) && e.Status == 400 {
		// arXiv answers an id it cannot read with 400 and a feed whose one entry names the
		// error.
		e.Reason = ErrNotFound
		var feed arxivFeed
		if xml.Unmarshal(e.body, &feed) == nil && len(feed.Entries) > 0 {
			e.Err = errors.New("arXiv: " + clean(feed.Entries[0].Summary))
		}
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	var feed arxivFeed
	if err := xml.Unmarshal(body, &feed); err != nil {
		return nil, &Error{Kind: ident.ArXiv, ID: id, Service: "arXiv", Status: 200, Reason: ErrMalformed, Err: err}
	}
	if len(feed.Entries) == 0 || strings.Contains(feed.Entries[0].ID, "/api/errors") {
		return nil, &Error{Kind: ident.ArXiv, ID: id, Service: "arXiv", Status: 200, Reason: ErrNotFound}
	}
	return arxivResult(&feed.Entries[0], id), nil
}

func arxivResult(a *arxivEntry, asked string) *Result {
	full := a.ID
	if i := strings.Index(full, "/abs/"); i >= 0 {
		full = full[i+len("/abs/"):]
	}
	version := arxivVersion.FindString(full)
	bare := strings.TrimSuffix(full, version)
	eprint := bare
	if arxivVersion.MatchString(asked) {
		eprint = full
	}
	ref := parseJournalRef(a.JournalRef)
	published := a.DOI != "" || ref != nil
	typ := "misc"
	if published {
		typ = "article"
	}
	b := newBuilder(typ)
	var authors []string
	for _, au := range a.Authors {
		authors = append(authors, fullName(au.Name))
	}
	b.names("author", authors)
	b.e.Set("title", arxivTitle(a.Title))
	year, month := arxivDate(a.Published)
	if ref != nil {
		b.text("journal", ref.journal)
		b.text("volume", ref.volume)
		b.text("number", ref.number)
		b.pages(ref.pages)
		if ref.year != 0 {
			year, month = ref.year, 0
		}
	}
	b.date(year, month)
	if ref == nil {
		b.text("note", a.JournalRef)
	}
	b.raw("eprint", eprint)
	b.raw("archiveprefix", "arXiv")
	b.raw("primaryclass", a.Primary.Term)
	if published {
		b.raw("doi", a.DOI)
	} else {
		b.raw("doi", "10.48550/arXiv."+bare)
		b.raw("url", "https://arxiv.org/abs/"+eprint)
	}
	b.e.Set("abstract", arxivText(a.Summary))
	r := &Result{Entry: b.e, Source: "arXiv", Version: version}
	for _, l := range a.Links {
		if l.Title == "pdf" || l.Type == "application/pdf" {
			r.PDF = strings.Replace(l.Href, "http://", "https://", 1)
		}
	}
	return r
}

func arxivDate(s string) (year, month int) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return 0, 0
	}
	return t.Year(), int(t.Month())
}

// journalRef is a journal reference read: "Phys. Rev. B 85, 115117 (2012)".
type journalRef struct {
	journal, volume, number, pages string
	year                           int
}

// journalRefPattern reads the common shape of arXiv's journal references: the journal's
// name, its volume, an optional issue in parentheses, the pages or article number after a
// comma or colon, and the year in parentheses or after a comma: "Phys. Rev. B 85, 115117
// (2012)", "ActaAstron.56:1-50,2006", "J. Math. Phys. 41 (2000) 1234-1240" is not read (its
// year comes before its pages) and stays a note.
var journalRefPattern = regexp.MustCompile(`^\s*([A-Za-z][^0-9]*?[A-Za-z.)])\s*(\d+)\s*(?:\(([^)]*)\))?\s*[,:]\s*(?:pp?\.\s*)?([A-Za-z]?\d+(?:\s*[-–]+\s*[A-Za-z]?\d+)?)\s*(?:\(\s*((?:19|20)\d\d)\s*\)|,\s*((?:19|20)\d\d))?\s*\.?\s*$`)

func parseJournalRef(s string) *journalRef {
	m := journalRefPattern.FindStringSubmatch(clean(s))
	if m == nil {
		return nil
	}
	r := &journalRef{journal: strings.TrimSpace(m[1]), volume: m[2], number: m[3], pages: m[4]}
	if y := m[5] + m[6]; y != "" {
		r.year, _ = strconv.Atoi(y)
	}
	return r
}

// arxivMath matches TeX math in arXiv's text: $...$ with no $ inside.
var arxivMath = regexp.MustCompile(`\$[^$]+\$`)

// arxivText turns arXiv's text, which is what the authors typed and may hold TeX math, into
// BibTeX text: the math ($...$, when its braces balance) is kept as written, everything else
// is escaped as plain text.
func arxivText(s string) string {
	s = clean(s)
	var out strings.Builder
	last := 0
	for _, m := range arxivMath.FindAllStringIndex(s, -1) {
		math := s[m[0]:m[1]]
		if !balanced(math) {
			continue
		}
		out.WriteString(escapeText(s[last:m[0]]))
		out.WriteString(math)
		last = m[1]
	}
	out.WriteString(escapeText(s[last:]))
	return out.String()
}

// arxivTitle is arxivText for a title, its proper nouns and acronyms braced.
func arxivTitle(s string) string { return bib.ProtectCase(arxivText(s)) }
