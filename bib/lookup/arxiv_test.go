package lookup

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func arxivRoute(id string) string {
	return "/arxiv/query?" + url.Values{"id_list": {id}, "max_results": {"1"}}.Encode()
}

func TestArXiv(t *testing.T) {
	f := newFakeServer(t)
	for id, file := range map[string]string{
		"1111.2011v2":        "arxiv-1111.2011v2.xml",
		"1605.08386":         "arxiv-1605.08386.xml",
		"astro-ph/0601001":   "arxiv-astro-ph-0601001.xml",
		"quant-ph/0201082v1": "arxiv-quant-ph-0201082v1.xml",
	} {
		f.on(arxivRoute(id), reply{file: file})
	}
	c, _ := newTestClient(f)
	for _, tc := range []struct {
		id, golden, typ, version, pdf string
	}{
		// Published, with a journal DOI and a reference that reads.
		{"1111.2011v2", "arxiv-published", "article", "v2", "https://arxiv.org/pdf/1111.2011v2"},
		// A preprint, asked for without a version.
		{"1605.08386", "arxiv-preprint", "misc", "v1", "https://arxiv.org/pdf/1605.08386v1"},
		// Published, a journal reference and no DOI.
		{"astro-ph/0601001", "arxiv-old-published", "article", "v1", "https://arxiv.org/pdf/astro-ph/0601001v1"},
		// An old-style id with its version.
		{"quant-ph/0201082v1", "arxiv-old-preprint", "misc", "v1", "https://arxiv.org/pdf/quant-ph/0201082v1"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			r, err := c.ArXiv(context.Background(), tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if r.Source != "arXiv" || r.Entry.Type != tc.typ || r.Version != tc.version || r.PDF != tc.pdf {
				t.Errorf("got %q %q %q %q, want arXiv %q %q %q", r.Source, r.Entry.Type, r.Version, r.PDF, tc.typ, tc.version, tc.pdf)
			}
			checkGolden(t, tc.golden, r.Entry)
		})
	}
}

func TestArXivNotFound(t *testing.T) {
	f := newFakeServer(t)
	f.on(arxivRoute("0000.0000"), reply{file: "arxiv-0000.0000.xml"})
	f.on(arxivRoute("abc"), reply{status: 400, file: "arxiv-abc.xml"})
	f.on(arxivRoute("1605.08386"), reply{body: "<html>not a feed"})
	c, _ := newTestClient(f)
	if _, err := c.ArXiv(context.Background(), "0000.0000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an empty feed: got %v, want ErrNotFound", err)
	}
	_, err := c.ArXiv(context.Background(), "abc")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "incorrect id format for abc") {
		t.Errorf("a bad id: got %v, want ErrNotFound with arXiv's message", err)
	}
	if _, err := c.ArXiv(context.Background(), "1605.08386"); !errors.Is(err, ErrMalformed) {
		t.Errorf("not a feed: got %v, want ErrMalformed", err)
	}
}

// TestArXivSpacing checks that requests to arXiv go at least ArXivInterval apart, measured
// on the client's clock, and, with a short real interval, where the requests leave the
// client.
func TestArXivSpacing(t *testing.T) {
	f := newFakeServer(t)
	f.on(arxivRoute("1605.08386"), reply{file: "arxiv-1605.08386.xml"})
	c, clock := newTestClient(f)
	for range 3 {
		if _, err := c.ArXiv(context.Background(), "1605.08386"); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]time.Duration{3 * time.Second, 3 * time.Second}, clock.sleeps()); diff != "" {
		t.Errorf("waits on the default interval (-want +got):\n%s", diff)
	}

	f = newFakeServer(t)
	f.on(arxivRoute("1605.08386"), reply{file: "arxiv-1605.08386.xml"})
	c, _ = newTestClient(f)
	sent := &sendTimes{next: c.HTTP.Transport}
	c.HTTP = &http.Client{Transport: sent}
	c.now, c.sleep = nil, nil
	c.ArXivInterval = 200 * time.Millisecond
	done := make(chan error, 3)
	for range 3 {
		go func() { _, err := c.ArXiv(context.Background(), "1605.08386"); done <- err }()
	}
	for range 3 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	sent.mu.Lock()
	defer sent.mu.Unlock()
	if len(sent.at) != 3 {
		t.Fatalf("%d requests, want 3", len(sent.at))
	}
	for i := 1; i < len(sent.at); i++ {
		// A request is timed a little after its turn came, on a busy machine a few
		// milliseconds late, so the next one may seem early by as much; the fake clock
		// above checks the exact waits.
		if d := sent.at[i].Sub(sent.at[i-1]); d < 160*time.Millisecond {
			t.Errorf("request %d left %v after the one before, want about 200ms", i, d)
		}
	}
}

// sendTimes records when each request leaves the client.
type sendTimes struct {
	next http.RoundTripper
	mu   sync.Mutex
	at   []time.Time
}

func (s *sendTimes) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.at = append(s.at, time.Now())
	s.mu.Unlock()
	return s.next.RoundTrip(r)
}

func TestJournalRef(t *testing.T) {
	for _, tc := range []struct {
		ref  string
		want *journalRef
	}{
		{"Phys. Rev. B 85, 115117 (2012)", &journalRef{"Phys. Rev. B", "85", "", "115117", 2012}},
		{"ActaAstron.56:1-50,2006", &journalRef{"ActaAstron.", "56", "", "1-50", 2006}},
		{"Nature 521 (7553), 436-444 (2015)", &journalRef{"Nature", "521", "7553", "436-444", 2015}},
		{"JHEP 0901:001,2009", &journalRef{"JHEP", "0901", "", "001", 2009}},
		{"J. Math. Phys. 41 (2000) 1234-1240", nil},
		{"Proceedings of the 2019 conference", nil},
		{"", nil},
	} {
		got := parseJournalRef(tc.ref)
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(journalRef{})); diff != "" {
			t.Errorf("parseJournalRef(%q) (-want +got):\n%s", tc.ref, diff)
		}
	}
}

func TestArXivText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"The $\\mathbb{Z}_2$ index of 50% of graphs", "The $\\mathbb{Z}_2$ index of 50\\% of graphs"},
		// Read as TeX reads it: math from the first $ to the second.
		{"cost $5 and $6", "cost $5 and $6"},
		{"a  line\n  break", "a line break"},
		{"unbalanced ${x$ & y", "unbalanced \\${\\textbraceleft}x\\$ \\& y"},
	} {
		if got := arxivText(tc.in); got != tc.want {
			t.Errorf("arxivText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
