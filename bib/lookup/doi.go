package lookup

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bibshelf/bibshelf/bib/ident"
)

// DOI looks a DOI up (10.1000/xyz, without "doi:" or a resolver's address). It asks doi.org
// which registration agency holds it, then asks that agency: Crossref's REST API, DataCite's
// REST API, or, for the others (mEDRA, JaLC, KISTI, ...), doi.org's content negotiation for
// CSL-JSON.
func (c *Client) DOI(ctx context.Context, doi string) (*Result, error) {
	doi = strings.TrimSpace(doi)
	ra, err := c.agency(ctx, doi)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(ra) {
	case "crossref":
		return c.crossref(ctx, doi)
	case "datacite":
		return c.datacite(ctx, doi)
	}
	return c.csl(ctx, doi, ra)
}

// agency asks doi.org for the DOI's registration agency. doi.org answers a DOI it does not
// know with 200 and {"status": "DOI does not exist"} in place of "RA".
func (c *Client) agency(ctx context.Context, doi string) (string, error) {
	body, _, err := c.get(ctx, request{
		kind: ident.DOI, id: doi, service: "doi.org",
		url:    orDefault(c.DOIBase, DefaultDOIBase) + "/ra/" + pathEscape(doi),
		accept: "application/json",
	})
	if err != nil {
		return "", err
	}
	var answer []struct {
		DOI    string `json:"DOI"`
		RA     string `json:"RA"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || len(answer) == 0 {
		return "", &Error{Kind: ident.DOI, ID: doi, Service: "doi.org", Status: 200, Reason: ErrMalformed, Err: err}
	}
	if answer[0].RA == "" {
		e := &Error{Kind: ident.DOI, ID: doi, Service: "doi.org", Status: 200, Reason: ErrNotFound}
		if answer[0].Status != "" {
			e.Err = fmt.Errorf("doi.org: %s", answer[0].Status)
		}
		return "", e
	}
	return answer[0].RA, nil
}
