package lookup

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// reply is what the test server answers to one path.
type reply struct {
	status int
	file   string // a file of testdata/ as the body
	body   string // or this body
	header map[string]string
	delay  time.Duration
}

// seen is one request the test server received.
type seen struct {
	path, query, userAgent, accept string
	at                             time.Time
}

// fakeServer serves recorded responses. Each service has its own path prefix, so that one
// server stands for all of them. A route is a path, or a path and its query.
type fakeServer struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	routes map[string][]reply // path -> replies, in turn; the last one repeats
	seen   []seen
}

func newFakeServer(t *testing.T) *fakeServer {
	t.Helper()
	f := &fakeServer{t: t, routes: map[string][]reply{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) on(path string, r ...reply) { f.mu.Lock(); f.routes[path] = r; f.mu.Unlock() }

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, seen{r.URL.EscapedPath(), r.URL.RawQuery, r.UserAgent(), r.Header.Get("Accept"), time.Now()})
	path := r.URL.Path
	rs, ok := f.routes[path]
	if q := path + "?" + r.URL.RawQuery; !ok && r.URL.RawQuery != "" {
		rs, ok = f.routes[q]
		path = q
	}
	if !ok {
		// The doi.org answers recorded are for a DOI prefix (/ra/10.1371): serve that
		// answer for any DOI of the prefix.
		if rest, ok2 := strings.CutPrefix(path, "/doi/ra/"); ok2 {
			prefix, _, _ := strings.Cut(rest, "/")
			rs, ok = f.routes["/doi/ra/"+prefix]
		}
	}
	var rep reply
	if ok {
		rep = rs[0]
		if len(rs) > 1 {
			f.routes[path] = rs[1:]
		}
	}
	f.mu.Unlock()
	if !ok {
		http.Error(w, "no fixture for "+path, http.StatusNotFound)
		return
	}
	if rep.delay > 0 {
		select {
		case <-time.After(rep.delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	body := []byte(rep.body)
	if rep.file != "" {
		b, err := os.ReadFile(filepath.Join("testdata", rep.file))
		if err != nil {
			f.t.Errorf("read fixture: %v", err)
		}
		body = b
	}
	if rep.status == 0 {
		rep.status = http.StatusOK
	}
	w.WriteHeader(rep.status)
	w.Write(body)
}

func (f *fakeServer) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.seen...)
}

// fakeClock is the client's clock in tests: sleeping advances it at once and is recorded.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	slept  []time.Duration
	cancel func() // called on the first sleep when set
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return ctx.Err()
}

func (c *fakeClock) sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// newTestClient is a client of the fake server with a fake clock.
func newTestClient(f *fakeServer) (*Client, *fakeClock) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	u := f.srv.URL
	c := &Client{
		HTTP:    f.srv.Client(),
		Version: "1.2.3", Email: "shelf@example.org",
		DOIBase: u + "/doi", CrossrefBase: u + "/crossref", DataCiteBase: u + "/datacite",
		ArXivBase: u + "/arxiv", ArXivPDFBase: u + "/arxiv", OpenLibraryBase: u + "/openlibrary", GoogleBooksBase: u + "/books",
		EUtilsBase: u + "/eutils", IDConvBase: u + "/idconv",
		now: clock.Now, sleep: clock.Sleep,
	}
	return c, clock
}

// checkGolden compares the entry, written as BibTeX, with testdata/golden/name.bib.
func checkGolden(t *testing.T, name string, e *bib.Entry) {
	t.Helper()
	if e.Key == "" {
		e = e.Clone()
		e.Key = "KEY"
	}
	got := bib.Format(e) + "\n"
	path := filepath.Join("testdata", "golden", name+".bib")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to write it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
	f := bib.Parse(path, []byte(got))
	if errs := f.Errors(); len(errs) > 0 {
		t.Errorf("the entry does not parse back: %v", errs)
	}
}

func replaceSlash(s string) string { return strings.ReplaceAll(s, "/", "-") }
