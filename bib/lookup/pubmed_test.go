package lookup

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib/ident"
	"github.com/google/go-cmp/cmp"
)

func efetchRoute(pmid string) string {
	return "/eutils/efetch.fcgi?" + url.Values{"db": {"pubmed"}, "id": {pmid}, "retmode": {"xml"},
		"tool": {"bibshelf"}, "email": {"shelf@example.org"}}.Encode()
}

func idconvRoute(pmcid string) string {
	return "/idconv/?" + url.Values{"ids": {pmcid}, "format": {"json"}, "tool": {"bibshelf"},
		"email": {"shelf@example.org"}}.Encode()
}

func TestPubMed(t *testing.T) {
	f := newFakeServer(t)
	f.on(efetchRoute("29963580"), reply{file: "efetch-pubmed7.xml"})
	f.on(efetchRoute("30108519"), reply{file: "efetch-pubmed6.xml"})
	// A set of two articles: the one asked for is taken.
	f.on(efetchRoute("11700088"), reply{file: "efetch-pubmed2.xml"})
	c, clock := newTestClient(f)
	for _, tc := range []struct {
		pmid, golden string
		orcid        []string
	}{
		{"29963580", "pubmed-mathml", []string{"", "0000-0002-4590-7461", "", "", "", "", "", "", "", "", "", ""}},
		{"30108519", "pubmed-markup", nil},
		{"11700088", "pubmed-second", nil},
	} {
		t.Run(tc.pmid, func(t *testing.T) {
			r, err := c.Lookup(context.Background(), ident.ID{Kind: ident.PMID, Value: tc.pmid})
			if err != nil {
				t.Fatal(err)
			}
			if r.Source != "PubMed" || r.Entry.Get("pmid") != tc.pmid {
				t.Errorf("source %q pmid %q", r.Source, r.Entry.Get("pmid"))
			}
			if tc.orcid != nil && len(r.ORCID) > 1 && r.ORCID[1] != tc.orcid[1] {
				t.Errorf("ORCID %q", r.ORCID)
			}
			checkGolden(t, tc.golden, r.Entry)
		})
	}
	// NCBI asks for at most three requests a second.
	if diff := cmp.Diff([]time.Duration{ncbiInterval, ncbiInterval}, clock.sleeps()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	f.on(efetchRoute("99999999"), reply{body: "<?xml version=\"1.0\" ?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet></PubmedArticleSet>\n"})
	if _, err := c.PubMed(context.Background(), "99999999"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown PMID: got %v, want ErrNotFound", err)
	}
}

func TestPMC(t *testing.T) {
	f := newFakeServer(t)
	crossrefRoutes(f)
	// The ID converter's answers, in the shape NCBI documents.
	// The ids are those of the efetch record; the DOI-only record is made up for the test.
	f.on(idconvRoute("PMC6022861"), reply{body: `{"status": "ok", "responseDate": "2026-01-01 00:00:00", "request": "ids=PMC6022861;format=json",
 "records": [{"pmcid": "PMC6022861", "pmid": "29963580", "doi": "10.1117/1.JMI.5.2.026002"}]}`})
	f.on(idconvRoute("PMC1000000"), reply{body: `{"status": "ok", "records": [{"pmcid": "PMC1000000", "doi": "10.7554/elife.01567"}]}`})
	f.on(idconvRoute("PMC0"), reply{body: `{"status": "ok", "records": [{"pmcid": "PMC0", "status": "error", "errmsg": "invalid article id"}]}`})
	f.on(efetchRoute("29963580"), reply{file: "efetch-pubmed7.xml"})
	c, _ := newTestClient(f)
	r, err := c.Lookup(context.Background(), ident.ID{Kind: ident.PMCID, Value: "pmc6022861"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Source != "PubMed" || r.Entry.Get("pmid") != "29963580" || r.Entry.Get("pmcid") != "PMC6022861" {
		t.Errorf("got %q pmid %q pmcid %q", r.Source, r.Entry.Get("pmid"), r.Entry.Get("pmcid"))
	}
	// No PMID: the DOI is looked up.
	r, err = c.PMC(context.Background(), "PMC1000000")
	if err != nil {
		t.Fatal(err)
	}
	if r.Source != "Crossref" || r.Entry.Get("pmcid") != "PMC1000000" {
		t.Errorf("got %q pmcid %q", r.Source, r.Entry.Get("pmcid"))
	}
	_, err = c.PMC(context.Background(), "PMC0")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown PMCID: got %v, want ErrNotFound", err)
	}
}

func TestExpandPages(t *testing.T) {
	for in, want := range map[string]string{
		"123-9": "123-129", "1234-45": "1234-1245", "e12-5": "e12-e15", "S1-9": "S1-S9",
		"026002": "026002", "100-200": "100-200", "12-3, 15": "12-3, 15",
	} {
		if got := expandPages(in); got != want {
			t.Errorf("expandPages(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPubmedDate(t *testing.T) {
	for _, tc := range []struct {
		year, month, medline string
		y, m                 int
	}{
		{"2018", "Apr", "", 2018, 4}, {"2001", "11", "", 2001, 11}, {"", "", "1998 Dec-1999 Jan", 1998, 12},
		{"", "", "2000 Spring", 2000, 0}, {"2000", "", "", 2000, 0},
	} {
		if y, m := pubmedDate(tc.year, tc.month, tc.medline); y != tc.y || m != tc.m {
			t.Errorf("pubmedDate(%q, %q, %q) = %d, %d, want %d, %d", tc.year, tc.month, tc.medline, y, m, tc.y, tc.m)
		}
	}
}
