package lookup

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib/ident"
)

func TestOpenAccess(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    *Result
		want bool
	}{
		{"arXiv", &Result{Source: "arXiv", PDF: "https://arxiv.org/pdf/1605.08386v1"}, true},
		{"arXiv without a PDF", &Result{Source: "arXiv"}, false},
		{"arXiv naming another host", &Result{Source: "arXiv", PDF: "https://example.org/x.pdf"}, false},
		{"Creative Commons", &Result{Source: "Crossref", PDF: "https://cdn.example.org/a.pdf", License: "http://creativecommons.org/licenses/by/4.0/"}, true},
		{"Creative Commons, www", &Result{Source: "Crossref", PDF: "https://cdn.example.org/a.pdf", License: "https://www.creativecommons.org/licenses/by/4.0/"}, true},
		{"a publisher's licence", &Result{Source: "Crossref", PDF: "https://link.example.org/a.pdf", License: "https://www.springernature.com/gp/researchers/text-and-data-mining"}, false},
		{"a look-alike host", &Result{Source: "Crossref", PDF: "https://cdn.example.org/a.pdf", License: "https://notcreativecommons.org/licenses/by/4.0/"}, false},
		{"no licence", &Result{Source: "Crossref", PDF: "https://cdn.example.org/a.pdf"}, false},
		{"a licence and no PDF", &Result{Source: "Crossref", License: "http://creativecommons.org/licenses/by/4.0/"}, false},
		{"nil", nil, false},
	} {
		if got := tc.r.OpenAccess(); got != tc.want {
			t.Errorf("%s: OpenAccess() = %v, want %v", tc.name, got, tc.want)
		}
	}

	// The recorded answers: eLife's PDF is CC BY; arXiv's is arXiv's.
	f := newFakeServer(t)
	crossrefRoutes(f)
	f.on(arxivRoute("1605.08386"), reply{file: "arxiv-1605.08386.xml"})
	c, _ := newTestClient(f)
	r, err := c.DOI(context.Background(), "10.7554/elife.01567")
	if err != nil || !r.OpenAccess() || r.PDF != "https://cdn.elifesciences.org/articles/01567/elife-01567-v1.pdf" {
		t.Errorf("eLife: %+v %v", r, err)
	}
	r, err = c.ArXiv(context.Background(), "1605.08386")
	if err != nil || !r.OpenAccess() {
		t.Errorf("arXiv: %+v %v", r, err)
	}
}

// testPDF is testdata/paper.pdf, a one-page PDF made with pdflatex (see testdata/README.md).
func testPDF(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "paper.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDownloadPDF: arXiv's PDF is asked of ArXivPDFBase in its turn after the look-up, with the
// client's User-Agent, written whole, with progress; a publisher's PDF is asked where it is.
func TestDownloadPDF(t *testing.T) {
	pdf := testPDF(t)
	f := newFakeServer(t)
	f.on(arxivRoute("1605.08386"), reply{file: "arxiv-1605.08386.xml"})
	f.on("/arxiv/pdf/1605.08386v1", reply{file: "paper.pdf",
		header: map[string]string{"Content-Type": "application/pdf", "Content-Length": strconv.Itoa(len(pdf))}})
	f.on("/publisher/a.pdf", reply{file: "paper.pdf", header: map[string]string{"Content-Type": "application/pdf"}})
	c, clock := newTestClient(f)
	r, err := c.ArXiv(context.Background(), "1605.08386")
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	var calls [][2]int64
	progress := func(done, total int64) { calls = append(calls, [2]int64{done, total}) }
	if err := c.DownloadPDF(context.Background(), r.PDF, &got, progress); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), pdf) {
		t.Errorf("got %d bytes, want the %d of the PDF", got.Len(), len(pdf))
	}
	reqs := f.requests()
	last := reqs[len(reqs)-1]
	if last.path != "/arxiv/pdf/1605.08386v1" || last.userAgent != "Bibshelf/1.2.3 (https://github.com/bibshelf/bibshelf; mailto:shelf@example.org)" ||
		last.accept != "application/pdf" {
		t.Errorf("the request: %+v", last)
	}
	if s := clock.sleeps(); len(s) != 1 || s[0] != 3*time.Second {
		t.Errorf("waited %v before asking arXiv again, want 3s", s)
	}
	checkProgress(t, calls, int64(len(pdf)), int64(len(pdf)))

	// A publisher's, of no stated length: not paced, total -1.
	got.Reset()
	calls = nil
	if err := c.DownloadPDF(context.Background(), f.srv.URL+"/publisher/a.pdf", &got, progress); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), pdf) {
		t.Errorf("got %d bytes, want the %d of the PDF", got.Len(), len(pdf))
	}
	if s := clock.sleeps(); len(s) != 1 {
		t.Errorf("a publisher's PDF waited: %v", s)
	}
	checkProgress(t, calls, int64(len(pdf)), -1)
}

// checkProgress: the calls start at 0, grow, and end at size, each with total.
func checkProgress(t *testing.T, calls [][2]int64, size, total int64) {
	t.Helper()
	if len(calls) < 2 || calls[0] != [2]int64{0, total} || calls[len(calls)-1] != [2]int64{size, total} {
		t.Errorf("progress: %v", calls)
		return
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] || calls[i][1] != total {
			t.Errorf("progress goes back: %v", calls)
		}
	}
}

func TestDownloadPDFFailures(t *testing.T) {
	pdf := testPDF(t)
	for _, tc := range []struct {
		name   string
		reply  reply
		max    int64
		reason error
		msg    string
	}{
		{"a landing page", reply{body: "<!DOCTYPE html><html><head><title>Article</title>", header: map[string]string{"Content-Type": "text/html; charset=utf-8"}},
			0, ErrMalformed, "not a PDF: the server sent a web page"},
		{"an image", reply{body: "\x89PNG\r\n", header: map[string]string{"Content-Type": "image/png"}}, 0, ErrMalformed, "not a PDF: the server sent image/png"},
		{"empty", reply{}, 0, ErrMalformed, "not a PDF"},
		{"404", reply{status: 404, body: "<html>Not found</html>"}, 0, ErrNotFound, "not found (HTTP 404)"},
		{"403", reply{status: 403, body: "<html>Sign in</html>"}, 0, ErrServer, "server error (HTTP 403): the server refused the download"},
		{"429", reply{status: 429}, 0, ErrRateLimited, "rate limited (HTTP 429)"},
		{"500", reply{status: 500}, 0, ErrServer, "server error (HTTP 500)"},
		{"too large, said", reply{file: "paper.pdf", header: map[string]string{"Content-Length": strconv.Itoa(len(pdf))}}, 4 << 10, ErrMalformed, "the file is over 4096 bytes"},
		{"too large, sent", reply{file: "paper.pdf"}, 4 << 10, ErrMalformed, "the file is over 4096 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeServer(t)
			f.on("/publisher/a.pdf", tc.reply)
			c, _ := newTestClient(f)
			c.maxPDF = tc.max
			link := f.srv.URL + "/publisher/a.pdf"
			var got bytes.Buffer
			err := c.DownloadPDF(context.Background(), link, &got, nil)
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, tc.reason) {
				t.Fatalf("got %v, want an *Error of %v", err, tc.reason)
			}
			if want := "download PDF " + link + ": "; !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("the message %q: want it to start %q and hold %q", err, want, tc.msg)
			}
			if tc.max > 0 && int64(got.Len()) > tc.max {
				t.Errorf("wrote %d bytes, more than the %d allowed", got.Len(), tc.max)
			}
		})
	}
}

// stallingServer sends the start of a PDF and then nothing, until the client goes away; or,
// when before is set, sends nothing at all.
func stallingServer(t *testing.T, before bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !before {
			w.Header().Set("Content-Length", "100000")
			w.Write([]byte("%PDF-1.5\n" + strings.Repeat("x", 1000)))
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDownloadPDFCancel(t *testing.T) {
	srv := stallingServer(t, false)
	c := &Client{HTTP: srv.Client()}
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	err := c.DownloadPDF(ctx, srv.URL+"/a.pdf", &bytes.Buffer{}, func(done, total int64) {
		if done > 0 {
			cancel()
		}
	})
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want ErrCanceled and context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the cancelled download took %v", d)
	}
}

func TestDownloadPDFIdle(t *testing.T) {
	for _, before := range []bool{false, true} {
		srv := stallingServer(t, before)
		c := &Client{HTTP: srv.Client(), PDFIdleTimeout: 200 * time.Millisecond}
		start := time.Now()
		err := c.DownloadPDF(context.Background(), srv.URL+"/a.pdf", &bytes.Buffer{}, nil)
		if !errors.Is(err, ErrTimeout) || errors.Is(err, ErrCanceled) {
			t.Fatalf("stalled before the headers %v: got %v, want ErrTimeout", before, err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("the stalled download took %v", d)
		}
	}
}

func TestDownloadPDFOffline(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	c := &Client{}
	err := c.DownloadPDF(context.Background(), srv.URL+"/a.pdf", &bytes.Buffer{}, nil)
	if !errors.Is(err, ErrOffline) {
		t.Fatalf("got %v, want ErrOffline", err)
	}
	err = c.DownloadPDF(context.Background(), "ftp://example.org/a.pdf", &bytes.Buffer{}, nil)
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("ftp: got %v, want ErrMalformed", err)
	}
}

// failingWriter fails every write, as a full disk does.
type failingWriter struct{}

var errDiskFull = errors.New("no space left on device")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestDownloadPDFWriteError(t *testing.T) {
	f := newFakeServer(t)
	f.on("/publisher/a.pdf", reply{file: "paper.pdf"})
	c, _ := newTestClient(f)
	err := c.DownloadPDF(context.Background(), f.srv.URL+"/publisher/a.pdf", failingWriter{}, nil)
	if !errors.Is(err, errDiskFull) || !strings.HasPrefix(err.Error(), "download PDF ") {
		t.Fatalf("got %v, want the writer's error", err)
	}
}

// TestRecorder: the Recorder gives the entry a lookup finds, and keeps the Result.
func TestRecorder(t *testing.T) {
	f := newFakeServer(t)
	f.on(arxivRoute("1605.08386"), reply{file: "arxiv-1605.08386.xml"})
	c, _ := newTestClient(f)
	rec := &Recorder{Client: c}
	id := ident.ID{Kind: ident.ArXiv, Value: "1605.08386"}
	e, err := rec.Fetch(context.Background(), id)
	if err != nil || e.Get("eprint") != "1605.08386" {
		t.Fatalf("Fetch: %v %v", e, err)
	}
	if r := rec.Result(id); r == nil || r.Entry != e || r.PDF != "https://arxiv.org/pdf/1605.08386v1" {
		t.Errorf("Result: %+v", r)
	}
	missing := ident.ID{Kind: ident.ArXiv, Value: "0000.0000"}
	if _, err := rec.Fetch(context.Background(), missing); err == nil || rec.Result(missing) != nil {
		t.Errorf("an identifier not found: %v, %v", err, rec.Result(missing))
	}
}
