package lookup

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDataCite(t *testing.T) {
	f := newFakeServer(t)
	crossrefRoutes(f)
	f.on("/doi/ra/10.7910", reply{file: "ra-10.7910.json"})
	for _, doi := range []string{"10.5281/zenodo.48440", "10.5061/dryad.8515", "10.7910/dvn/nj7xso", "10.48550/arxiv.1902.02534"} {
		f.on("/datacite/dois/"+doi, reply{file: "datacite-" + replaceSlash(doi) + ".json"})
	}
	c, _ := newTestClient(f)
	for _, tc := range []struct {
		doi, golden, license string
	}{
		// Software on Zenodo.
		{"10.5281/zenodo.48440", "datacite-software", "https://creativecommons.org/licenses/by-nc-sa/4.0/legalcode"},
		// A dataset on Dryad.
		{"10.5061/dryad.8515", "datacite-dataset", "https://creativecommons.org/publicdomain/zero/1.0/legalcode"},
		// A dataset by a consortium: an organisation's name, braced whole.
		{"10.7910/dvn/nj7xso", "datacite-organization", "https://creativecommons.org/publicdomain/zero/1.0/legalcode"},
		// An arXiv preprint's DataCite DOI.
		{"10.48550/arxiv.1902.02534", "datacite-preprint", "https://creativecommons.org/licenses/by/4.0/legalcode"},
	} {
		t.Run(tc.doi, func(t *testing.T) {
			r, err := c.DOI(context.Background(), tc.doi)
			if err != nil {
				t.Fatal(err)
			}
			if r.Source != "DataCite" || r.License != tc.license {
				t.Errorf("got source %q license %q, want DataCite %q", r.Source, r.License, tc.license)
			}
			checkGolden(t, tc.golden, r.Entry)
		})
	}
	if _, err := c.DOI(context.Background(), "10.5281/zenodo.0"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown DataCite DOI: got %v, want ErrNotFound", err)
	}
}

func TestContentNegotiation(t *testing.T) {
	const doi = "10.1126/science.169.3946.635"
	f := newFakeServer(t)
	// doi.org's answer for a DOI of another agency, in the shape of the recorded answers.
	f.on("/doi/ra/10.1126", reply{body: `[{"DOI": "10.1126", "RA": "mEDRA"}]`})
	f.on("/doi/"+doi, reply{file: "csl-10.1126-science.169.3946.635.json", header: map[string]string{"Content-Type": "application/vnd.citationstyles.csl+json"}})
	f.on("/doi/10.1126/foo", reply{status: 404, file: "doiorg-404.html"})
	c, _ := newTestClient(f)
	r, err := c.DOI(context.Background(), doi)
	if err != nil {
		t.Fatal(err)
	}
	if r.Source != "doi.org (mEDRA)" {
		t.Errorf("source %q", r.Source)
	}
	checkGolden(t, "csl-article", r.Entry)
	var accept []string
	for _, s := range f.requests() {
		if s.path == "/doi/"+doi {
			accept = append(accept, s.accept)
		}
	}
	if diff := cmp.Diff([]string{"application/vnd.citationstyles.csl+json"}, accept); diff != "" {
		t.Errorf("Accept (-want +got):\n%s", diff)
	}
	if _, err := c.DOI(context.Background(), "10.1126/foo"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown DOI: got %v, want ErrNotFound", err)
	}
}

func TestCSLNames(t *testing.T) {
	it := &cslItem{Type: "chapter", Author: []cslName{
		{Family: "Waals", Given: "Johannes Diderik", NonDroppingParticle: "van der"},
		{Family: "King", Given: "Martin Luther", Suffix: "Jr."},
		{Literal: "World Health Organization"},
	}}
	got := cslResult(it, "10.1/x").Entry.Get("author")
	want := "van der Waals, Johannes Diderik and King, Jr., Martin Luther and {World Health Organization}"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
