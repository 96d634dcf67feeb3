// Package lookup fetches the metadata of a paper from the registries' public APIs, given an
// identifier the caller has already recognised (a DOI, an arXiv id, an ISBN, a PMID or a
// PMCID), and makes of it the bib.Entry a careful user would write: the entry type the
// registry's type maps to, names split as BibTeX reads them, pages with "--", the month as
// its macro, text escaped for BibTeX and kept as UTF-8. It sets no key: the library's key
// pattern makes one.
//
// Every request goes over HTTPS with the standard library's client, names Bibshelf, its
// version and the user's contact address in its User-Agent, waits as each service asks
// (arXiv: one request per 3 seconds; Crossref: its x-rate-limit headers and Retry-After), and
// stops with the context. A failure is an *Error that says which of ErrNotFound,
// ErrRateLimited, ErrServer, ErrOffline, ErrTimeout, ErrCanceled or ErrMalformed it is.
//
// DownloadPDF fetches the full text a Result points at, when Result.OpenAccess says it may be
// kept (arXiv's PDFs, and PDFs under a Creative Commons licence), streaming it to the caller.
//
// The package imports bib only: no storage, no UI. docs/DEVELOPMENT.md lists what is sent to
// which service.
package lookup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/ident"
)

// The services' addresses, the defaults of the Client's base fields.
const (
	DefaultDOIBase         = "https://doi.org"
	DefaultCrossrefBase    = "https://api.crossref.org"
	DefaultDataCiteBase    = "https://api.datacite.org"
	DefaultArXivBase       = "https://export.arxiv.org/api"
	DefaultOpenLibraryBase = "https://openlibrary.org"
	DefaultGoogleBooksBase = "https://www.googleapis.com/books/v1"
	DefaultEUtilsBase      = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
	DefaultIDConvBase      = "https://www.ncbi.nlm.nih.gov/pmc/utils/idconv/v1.0"
	DefaultArXivPDFBase    = "https://arxiv.org"
)

// MaxBody is the most of a response body the client reads; a longer body is ErrMalformed.
const MaxBody = 8 << 20

// Result is what a lookup found.
type Result struct {
	Entry *bib.Entry
	// Source names the service the metadata came from: "Crossref", "DataCite", "doi.org",
	// "arXiv", "Open Library", "Google Books", "PubMed".
	Source string
	// PDF is the address of a PDF of the full text, when the registry gives one: arXiv's
	// PDF, or the first link Crossref lists with content type application/pdf (License says
	// whether it may be downloaded and kept).
	PDF string
	// License is the address of the licence the registry gives for the work, if any: whether
	// PDF may be downloaded and kept is what it says.
	License string
	// Version is the arXiv version whose metadata the entry holds ("v2"), arXiv only.
	Version string
	// ORCID holds the authors' ORCID iDs (0000-0002-1825-0097), in the order of the entry's
	// authors, "" where the registry gives none; nil when it gives none at all.
	ORCID []string
}

// The kinds of failure. Every error a lookup returns is an *Error, and errors.Is tells which
// of these it is (and, for a cancelled or expired context, context.Canceled or
// context.DeadlineExceeded as well).
var (
	// ErrNotFound: the service does not know the identifier (HTTP 404, or an empty answer).
	ErrNotFound = errors.New("not found")
	// ErrRateLimited: the service still answered 429 after the retries the client allows, or
	// asked for a wait longer than Client.MaxRetryWait.
	ErrRateLimited = errors.New("rate limited")
	// ErrServer: the service failed (HTTP 5xx) or refused the request (another 4xx).
	ErrServer = errors.New("server error")
	// ErrOffline: no connection could be made (no network, no name resolution, refused).
	ErrOffline = errors.New("offline")
	// ErrTimeout: the service did not answer in time (the client's timeout, or the
	// context's deadline); for DownloadPDF, the server sent nothing for PDFIdleTimeout.
	ErrTimeout = errors.New("timed out")
	// ErrCanceled: the context was cancelled.
	ErrCanceled = errors.New("cancelled")
	// ErrMalformed: the answer could not be read (not the expected JSON or XML, too large);
	// for DownloadPDF, not a PDF or over MaxPDF.
	ErrMalformed = errors.New("malformed response")
)

// Error is a failed lookup, or download: which identifier (or URL), at which service, and why.
type Error struct {
	Kind    ident.Kind
	ID      string
	URL     string // the PDF DownloadPDF was asked for; "" for a lookup
	Service string
	Status  int   // the HTTP status, 0 when there was no response
	Reason  error // one of the Err variables above
	Err     error // the underlying error, if any
	body    []byte
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.URL != "" {
		fmt.Fprintf(&b, "download PDF %s: %v", e.URL, e.Reason)
	} else {
		fmt.Fprintf(&b, "look up %s %s at %s: %v", e.Kind, e.ID, e.Service, e.Reason)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap gives errors.Is and errors.As both the reason and the underlying error.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Reason}
	}
	return []error{e.Reason, e.Err}
}

// Client looks identifiers up. Set its fields before its first use and do not change them
// after; its methods may then be called from several goroutines at once. The zero Client
// works, with the defaults each field names.
type Client struct {
	// HTTP sends the requests; nil means a client with a 30-second timeout.
	HTTP *http.Client
	// Version is Bibshelf's version and Email the user's contact address, both sent in the
	// User-Agent ("Bibshelf/1.2 (https://github.com/bibshelf/bibshelf; mailto:a@b.org)").
	// Crossref serves requests that give an address from its "polite" pool, and asks for
	// one; the address is also sent to Crossref as its mailto parameter, and to NCBI as
	// its email parameter.
	Version, Email string

	// The services' base addresses (Default...Base when empty), so that tests, and the
	// window's end-to-end test, can point the client at a local server.
	DOIBase, CrossrefBase, DataCiteBase, ArXivBase           string
	OpenLibraryBase, GoogleBooksBase, EUtilsBase, IDConvBase string
	// ArXivPDFBase is where DownloadPDF sends a request for a PDF on arxiv.org
	// (DefaultArXivPDFBase when empty): the PDF's path is kept, its host replaced.
	ArXivPDFBase string

	// ArXivInterval is the least time between two requests to arXiv (3 seconds when zero),
	// as arXiv's API terms ask.
	ArXivInterval time.Duration
	// MaxRetries is how many times a request answered 429 or 503 is sent again (2 when
	// zero, none when negative); MaxRetryWait is the longest Retry-After the client waits
	// for (20 seconds when zero). A longer wait asked for is ErrRateLimited at once.
	MaxRetries   int
	MaxRetryWait time.Duration
	// PDFIdleTimeout is the longest DownloadPDF waits for the next bytes of a PDF (60
	// seconds when zero); it waits for the answer's headers 30 seconds, or PDFIdleTimeout
	// when that is shorter. A download has no overall timeout: a large PDF on a slow line
	// takes what it takes.
	PDFIdleTimeout time.Duration
	// maxPDF is the largest PDF DownloadPDF accepts (MaxPDF when zero); tests lower it.
	maxPDF int64

	// now and sleep are the clock; tests replace them.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	spaces map[string]*spacer
}

// spacer keeps requests to one service apart by at least interval.
type spacer struct {
	interval time.Duration
	last     time.Time // when the last request was let go
}

func (c *Client) clockNow() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (c *Client) wait(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		return c.sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// turn waits until the service may be sent another request, and books the next slot.
func (c *Client) turn(ctx context.Context, service string, least time.Duration) error {
	c.mu.Lock()
	if c.spaces == nil {
		c.spaces = map[string]*spacer{}
	}
	s := c.spaces[service]
	if s == nil {
		s = &spacer{}
		c.spaces[service] = s
	}
	now := c.clockNow()
	at := now
	if !s.last.IsZero() {
		if next := s.last.Add(max(s.interval, least)); next.After(now) {
			at = next
		}
	}
	s.last = at
	c.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		return c.wait(ctx, d)
	}
	return nil
}

// pace sets the least interval between requests to a service, from its rate-limit headers.
func (c *Client) pace(service string, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.spaces == nil {
		c.spaces = map[string]*spacer{}
	}
	s := c.spaces[service]
	if s == nil {
		s = &spacer{}
		c.spaces[service] = s
	}
	s.interval = d
}

// UserAgent is the User-Agent header the client sends.
func (c *Client) UserAgent() string {
	v := c.Version
	if v == "" {
		v = "dev"
	}
	ua := "Bibshelf/" + v + " (https://github.com/bibshelf/bibshelf"
	if c.Email != "" {
		ua += "; mailto:" + c.Email
	}
	return ua + ")"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return strings.TrimRight(s, "/")
}

// request is one call to a service.
type request struct {
	kind    ident.Kind
	id      string
	service string
	url     string
	accept  string
	least   time.Duration // the least interval between requests to this service
	// notFound, when set, says a 2xx answer means the identifier is unknown.
	notFound func(body []byte) bool
}

// get sends the request, with the service's pacing and the retries 429 and 503 allow, and
// returns the body of a 2xx answer. Every error is an *Error.
func (c *Client) get(ctx context.Context, r request) ([]byte, http.Header, error) {
	fail := func(status int, reason, err error) error {
		return &Error{Kind: r.kind, ID: r.id, Service: r.service, Status: status, Reason: reason, Err: err}
	}
	retries := c.MaxRetries
	if retries == 0 {
		retries = 2
	}
	maxWait := c.MaxRetryWait
	if maxWait == 0 {
		maxWait = 20 * time.Second
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	for attempt := 0; ; attempt++ {
		if err := c.turn(ctx, r.service, r.least); err != nil {
			return nil, nil, fail(0, transportReason(err), err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
		if err != nil {
			return nil, nil, fail(0, ErrMalformed, err)
		}
		req.Header.Set("User-Agent", c.UserAgent())
		if r.accept != "" {
			req.Header.Set("Accept", r.accept)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, nil, fail(0, transportReason(err), err)
		}
		body, err := readBody(resp.Body)
		fail := func(status int, reason, err error) error {
			return &Error{Kind: r.kind, ID: r.id, Service: r.service, Status: status, Reason: reason, Err: err, body: body}
		}
		resp.Body.Close()
		if d, ok := rateInterval(resp.Header); ok {
			c.pace(r.service, d)
		}
		switch code := resp.StatusCode; {
		case code >= 200 && code < 300:
			if err != nil {
				return nil, nil, fail(code, bodyReason(err), err)
			}
			if r.notFound != nil && r.notFound(body) {
				return nil, nil, fail(code, ErrNotFound, nil)
			}
			return body, resp.Header, nil
		case code == http.StatusNotFound || code == http.StatusGone:
			return nil, nil, fail(code, ErrNotFound, nil)
		case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
			reason := ErrRateLimited
			if code == http.StatusServiceUnavailable {
				reason = ErrServer
			}
			d, ok := retryAfter(resp.Header, c.clockNow())
			if code == http.StatusTooManyRequests && !ok {
				d, ok = time.Second<<attempt, true
			}
			if !ok || attempt >= retries || retries < 0 || d > maxWait {
				return nil, nil, fail(code, reason, nil)
			}
			if err := c.wait(ctx, d); err != nil {
				return nil, nil, fail(code, transportReason(err), err)
			}
		case code >= 500:
			return nil, nil, fail(code, ErrServer, nil)
		default:
			return nil, nil, fail(code, ErrServer, fmt.Errorf("request refused: %s", strings.TrimSpace(snippet(body))))
		}
	}
}

// snippet is the start of a body, for an error message.
func snippet(b []byte) string {
	if len(b) > 200 {
		b = b[:200]
	}
	return strings.ToValidUTF8(string(b), "")
}

var errTooLarge = fmt.Errorf("response over %d MB", MaxBody>>20)

func readBody(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxBody+1))
	if err != nil {
		return b, fmt.Errorf("read response: %w", err)
	}
	if len(b) > MaxBody {
		return nil, errTooLarge
	}
	return b, nil
}

// bodyReason classifies an error met while reading a body.
func bodyReason(err error) error {
	if errors.Is(err, errTooLarge) {
		return ErrMalformed
	}
	return transportReason(err)
}

// transportReason classifies an error of http.Client.Do.
func transportReason(err error) error {
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.Is(err, context.Canceled):
		return ErrCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return ErrTimeout
	case errors.As(err, &dns):
		if dns.IsTimeout {
			return ErrTimeout
		}
		return ErrOffline
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EHOSTUNREACH):
		return ErrOffline
	case errors.As(err, &op) && op.Op == "dial":
		if op.Timeout() {
			return ErrTimeout
		}
		return ErrOffline
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrTimeout
	}
	return ErrServer
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// rateInterval reads Crossref's x-rate-limit-limit (requests) and x-rate-limit-interval
// ("1s") into the least time between two requests.
func rateInterval(h http.Header) (time.Duration, bool) {
	limit, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Rate-Limit-Limit")))
	if err != nil || limit <= 0 {
		return 0, false
	}
	interval, err := time.ParseDuration(strings.TrimSpace(h.Get("X-Rate-Limit-Interval")))
	if err != nil || interval <= 0 {
		return 0, false
	}
	return interval / time.Duration(limit), true
}

// pathEscape escapes an identifier for a URL path, keeping its slashes as registries expect
// them in /works/10.1000/xyz.
func pathEscape(id string) string {
	parts := strings.Split(id, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// UseServer points every service at one server, each under a path of its own (base/doi,
// base/crossref, base/datacite, base/arxiv, base/openlibrary, base/books, base/eutils,
// base/idconv; arXiv's PDFs at base/arxiv/pdf/ID): for tests, and the window's end-to-end
// test, which serve recorded responses.
func (c *Client) UseServer(base string) {
	base = strings.TrimSuffix(base, "/")
	c.DOIBase, c.CrossrefBase, c.DataCiteBase, c.ArXivBase = base+"/doi", base+"/crossref", base+"/datacite", base+"/arxiv"
	c.ArXivPDFBase = base + "/arxiv"
	c.OpenLibraryBase, c.GoogleBooksBase, c.EUtilsBase, c.IDConvBase = base+"/openlibrary", base+"/books", base+"/eutils", base+"/idconv"
}

// Lookup looks an identifier up by its kind (an arXiv id without its version: the newest).
func (c *Client) Lookup(ctx context.Context, id ident.ID) (*Result, error) {
	switch id.Kind {
	case ident.DOI:
		return c.DOI(ctx, id.Value)
	case ident.ArXiv:
		return c.ArXiv(ctx, id.Value)
	case ident.ISBN:
		return c.ISBN(ctx, id.Value)
	case ident.PMID:
		return c.PubMed(ctx, id.Value)
	case ident.PMCID:
		return c.PMC(ctx, id.Value)
	}
	return nil, fmt.Errorf("look up %s: unknown kind", id.Kind)
}

// Fetch returns the entry Lookup finds: the client is a storage.Fetcher.
func (c *Client) Fetch(ctx context.Context, id ident.ID) (*bib.Entry, error) {
	r, err := c.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	return r.Entry, nil
}

// Recorder is a storage.Fetcher that keeps the Result of each identifier it fetched, so that
// what an entry does not hold (the address of the paper's PDF, its licence) can be asked for
// after the papers are added. Its methods may be called from several goroutines at once.
type Recorder struct {
	Client *Client

	mu      sync.Mutex
	results map[ident.ID]*Result
}

// Fetch looks the identifier up with the Client, and keeps what it found.
func (r *Recorder) Fetch(ctx context.Context, id ident.ID) (*bib.Entry, error) {
	res, err := r.Client.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.results == nil {
		r.results = map[ident.ID]*Result{}
	}
	r.results[id] = res
	return res.Entry, nil
}

// Result returns what Fetch found for the identifier; nil when it was not fetched, or not
// found.
func (r *Recorder) Result(id ident.ID) *Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.results[id]
}
