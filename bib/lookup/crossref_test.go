package lookup

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib/ident"
	"github.com/google/go-cmp/cmp"
)

// crossrefRoutes serves the recorded doi.org and Crossref answers.
func crossrefRoutes(f *fakeServer) {
	for _, p := range []string{"10.1007", "10.1109", "10.14264", "10.1371", "10.7554", "10.5061", "10.5281", "10.48550"} {
		f.on("/doi/ra/"+p, reply{file: "ra-" + p + ".json"})
	}
	for _, doi := range []string{
		"10.7554/elife.01567", "10.1371/journal.ppat.1008184", "10.1007/978-3-662-46370-3_13",
		"10.1109/iccv.2007.4408927", "10.14264/uql.2020.791", "10.1017/9781108348843",
	} {
		f.on("/crossref/works/"+doi, reply{file: "crossref-" + strings.ReplaceAll(doi, "/", "-") + ".json",
			header: map[string]string{"Content-Type": "application/json", "X-Rate-Limit-Limit": "50", "X-Rate-Limit-Interval": "1s"}})
	}
}

func TestCrossref(t *testing.T) {
	f := newFakeServer(t)
	crossrefRoutes(f)
	c, _ := newTestClient(f)
	for _, tc := range []struct {
		doi, golden, typ string
		pdf              string
		orcid            []string
	}{
		{doi: "10.7554/elife.01567", golden: "crossref-elife", typ: "article",
			pdf: "https://cdn.elifesciences.org/articles/01567/elife-01567-v1.pdf"},
		{doi: "10.1371/journal.ppat.1008184", golden: "crossref-ppat", typ: "article",
			orcid: []string{"", "", "", "0000-0001-8177-3280", "0000-0002-8552-5310"}},
		{doi: "10.1007/978-3-662-46370-3_13", golden: "crossref-chapter", typ: "incollection"},
		{doi: "10.1109/iccv.2007.4408927", golden: "crossref-proceedings", typ: "inproceedings"},
		{doi: "10.14264/uql.2020.791", golden: "crossref-thesis", typ: "phdthesis",
			orcid: []string{"0000-0003-3086-4443"}},
	} {
		t.Run(tc.doi, func(t *testing.T) {
			r, err := c.DOI(context.Background(), tc.doi)
			if err != nil {
				t.Fatal(err)
			}
			if r.Source != "Crossref" || r.Entry.Type != tc.typ || r.PDF != tc.pdf {
				t.Errorf("got source %q type %q PDF %q, want Crossref %q %q", r.Source, r.Entry.Type, r.PDF, tc.typ, tc.pdf)
			}
			if diff := cmp.Diff(tc.orcid, r.ORCID); diff != "" {
				t.Errorf("ORCID (-want +got):\n%s", diff)
			}
			if r.Entry.Key != "" {
				t.Errorf("key %q, want none", r.Entry.Key)
			}
			checkGolden(t, tc.golden, r.Entry)
		})
	}
	// A book: no doi.org answer was recorded for its prefix, so Crossref is asked directly.
	r, err := c.crossref(context.Background(), "10.1017/9781108348843")
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "crossref-book", r.Entry)
}

func TestPoliteness(t *testing.T) {
	f := newFakeServer(t)
	crossrefRoutes(f)
	c, clock := newTestClient(f)
	for range 3 {
		if _, err := c.DOI(context.Background(), "10.7554/elife.01567"); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range f.requests() {
		if s.userAgent != "Bibshelf/1.2.3 (https://github.com/bibshelf/bibshelf; mailto:shelf@example.org)" {
			t.Errorf("User-Agent %q", s.userAgent)
		}
		if strings.HasPrefix(s.path, "/crossref/") && s.query != "mailto=shelf%40example.org" {
			t.Errorf("Crossref query %q, want the mailto parameter", s.query)
		}
	}
	// Crossref's x-rate-limit headers (50 per 1s) space its later requests 20 ms apart; the
	// first goes at once.
	want := []time.Duration{20 * time.Millisecond, 20 * time.Millisecond}
	if diff := cmp.Diff(want, clock.sleeps()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestFailures(t *testing.T) {
	const doi = "10.1371/journal.pone.0033693"
	for _, tc := range []struct {
		name    string
		replies []reply
		want    error
		status  int
		waits   []time.Duration
		timeout time.Duration
	}{
		{name: "not found", replies: []reply{{status: 404, file: "crossref-404.txt", header: map[string]string{"Content-Type": "text/plain"}}},
			want: ErrNotFound, status: 404},
		{name: "429 then found", replies: []reply{
			{status: 429, header: map[string]string{"Retry-After": "2"}},
			{status: 200, file: "crossref-10.1371-journal.ppat.1008184.json"}},
			waits: []time.Duration{2 * time.Second}},
		{name: "429 throughout", replies: []reply{{status: 429, header: map[string]string{"Retry-After": "1"}}},
			want: ErrRateLimited, status: 429, waits: []time.Duration{time.Second, time.Second}},
		{name: "429 with a long wait", replies: []reply{{status: 429, header: map[string]string{"Retry-After": "3600"}}},
			want: ErrRateLimited, status: 429},
		{name: "429 with a date", replies: []reply{
			{status: 429, header: map[string]string{"Retry-After": "Thu, 01 Jan 2026 00:00:05 GMT"}},
			{status: 200, file: "crossref-10.1371-journal.ppat.1008184.json"}},
			waits: []time.Duration{5 * time.Second}},
		{name: "500", replies: []reply{{status: 500, body: "Internal Server Error"}}, want: ErrServer, status: 500},
		{name: "503", replies: []reply{{status: 503}}, want: ErrServer, status: 503},
		{name: "400", replies: []reply{{status: 400, body: "bad DOI"}}, want: ErrServer, status: 400},
		{name: "html", replies: []reply{{body: "<html><body>maintenance</body></html>"}}, want: ErrMalformed, status: 200},
		{name: "truncated json", replies: []reply{{body: `{"status":"ok","message":{"title":["A`}}, want: ErrMalformed, status: 200},
		{name: "too large", replies: []reply{{body: strings.Repeat(" ", MaxBody+1)}}, want: ErrMalformed, status: 200},
		{name: "slow", replies: []reply{{delay: time.Second, file: "crossref-10.1371-journal.ppat.1008184.json"}},
			want: ErrTimeout, timeout: 50 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeServer(t)
			f.on("/doi/ra/10.1371", reply{file: "ra-10.1371.json"})
			f.on("/crossref/works/"+doi, tc.replies...)
			c, clock := newTestClient(f)
			if tc.timeout > 0 {
				c.HTTP = &http.Client{Timeout: tc.timeout}
			}
			r, err := c.DOI(context.Background(), doi)
			if tc.want == nil {
				if err != nil || r.Entry == nil {
					t.Fatalf("got %v, want an entry", err)
				}
			} else {
				var e *Error
				if !errors.Is(err, tc.want) || !errors.As(err, &e) || e.Status != tc.status || e.ID != doi || e.Kind != ident.DOI {
					t.Fatalf("got %#v (%v), want %v with status %d", err, err, tc.want, tc.status)
				}
			}
			if diff := cmp.Diff(tc.waits, clock.sleeps()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnknownDOI(t *testing.T) {
	f := newFakeServer(t)
	// The answer doi.org gives a DOI no agency holds.
	f.on("/doi/ra/10.9999/none", reply{body: `[{"DOI": "10.9999/none", "status": "DOI does not exist"}]`})
	c, _ := newTestClient(f)
	_, err := c.DOI(context.Background(), "10.9999/none")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "DOI does not exist") {
		t.Errorf("error %q does not say why", err)
	}
}

func TestOffline(t *testing.T) {
	f := newFakeServer(t)
	c, _ := newTestClient(f)
	c.HTTP = &http.Client{}
	f.srv.Close()
	_, err := c.DOI(context.Background(), "10.7554/elife.01567")
	if !errors.Is(err, ErrOffline) {
		t.Fatalf("got %v, want ErrOffline", err)
	}
}

func TestCancel(t *testing.T) {
	f := newFakeServer(t)
	f.on("/doi/ra/10.1371", reply{delay: 5 * time.Second, file: "ra-10.1371.json"})
	c, _ := newTestClient(f)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.DOI(ctx, "10.1371/journal.ppat.1008184")
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want ErrCanceled and context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the cancelled lookup took %v", d)
	}
	// A cancel while waiting for a Retry-After stops the wait.
	f.on("/doi/ra/10.1371", reply{file: "ra-10.1371.json"})
	f.on("/crossref/works/10.1371/journal.ppat.1008184", reply{status: 429, header: map[string]string{"Retry-After": "10"}})
	ctx, cancel = context.WithCancel(context.Background())
	c, clock := newTestClient(f)
	clock.cancel = cancel
	_, err = c.DOI(ctx, "10.1371/journal.ppat.1008184")
	if !errors.Is(err, ErrCanceled) {
		t.Fatalf("got %v, want ErrCanceled", err)
	}
}
