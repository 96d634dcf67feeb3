package lookup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bibshelf/bibshelf/bib/pdfmeta"
)

// MaxPDF is the largest PDF DownloadPDF accepts: a paper, even one with many figures, is far
// smaller; an answer this large is something else.
const MaxPDF = 256 << 20

// OpenAccess reports whether the PDF the registry gave may be downloaded and kept: arXiv's
// (arXiv lets anyone download its papers and keep them), and a Crossref link whose licence is
// a Creative Commons one. The links Crossref lists under a publisher's own licence are for
// text mining by subscribers, not for anyone to keep, and are not offered.
func (r *Result) OpenAccess() bool {
	if r == nil || r.PDF == "" {
		return false
	}
	if r.Source == "arXiv" {
		return isArXivHost(r.PDF)
	}
	u, err := url.Parse(strings.TrimSpace(r.License))
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	return host == "creativecommons.org" || strings.HasSuffix(host, ".creativecommons.org")
}

// isArXivHost reports whether link is an address on arxiv.org.
func isArXivHost(link string) bool {
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	return host == "arxiv.org" || strings.HasSuffix(host, ".arxiv.org")
}

// errIdle is why a download's context is cancelled when the server stops sending.
var errIdle = errors.New("the server stopped sending")

// DownloadPDF writes the PDF at link to w as it arrives (never the whole file in memory), and
// tells progress, when set, how many bytes it has written of how many (total is -1 when the
// server does not say). A PDF on arxiv.org is asked of ArXivPDFBase, and waits its turn with
// the client's other requests to arXiv (one per ArXivInterval).
//
// There is no overall timeout; the wait for the answer and for each next bytes is bounded
// (PDFIdleTimeout). What is not a PDF (a publisher's landing page, a login form: the body does
// start as a PDF does, pdfmeta.LooksLikePDF) is refused, and so is a PDF over MaxPDF. Every error is an *Error
// whose message starts "download PDF <link>", except an error of w's, which is returned
// wrapped as it is. What was written to w before an error is not a whole PDF: the caller
// throws it away.
func (c *Client) DownloadPDF(ctx context.Context, link string, w io.Writer, progress func(done, total int64)) error {
	service := "arXiv"
	if !isArXivHost(link) {
		service = "the publisher"
		if u, err := url.Parse(link); err == nil && u.Host != "" {
			service = u.Hostname()
		}
	}
	fail := func(status int, reason, err error) error {
		return &Error{URL: link, Service: service, Status: status, Reason: reason, Err: err}
	}
	target, err := c.pdfTarget(link)
	if err != nil {
		return fail(0, ErrMalformed, err)
	}
	if service == "arXiv" {
		interval := c.ArXivInterval
		if interval == 0 {
			interval = 3 * time.Second
		}
		if err := c.turn(ctx, "arXiv", interval); err != nil {
			return fail(0, transportReason(err), err)
		}
	}
	idle := c.PDFIdleTimeout
	if idle <= 0 {
		idle = 60 * time.Second
	}
	// One timer bounds the wait for the headers, then each wait for more of the body: it
	// cancels the request's context, which stops both.
	dctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := time.AfterFunc(min(idle, 30*time.Second), func() { cancel(errIdle) })
	defer timer.Stop()
	// failIO is the error of a failed request or read: the caller's cancel, the timer's, or
	// the connection's.
	failIO := func(status int, err error) error {
		switch {
		case ctx.Err() != nil:
			return fail(status, transportReason(ctx.Err()), ctx.Err())
		case errors.Is(context.Cause(dctx), errIdle):
			return fail(status, ErrTimeout, errIdle)
		}
		return fail(status, transportReason(err), err)
	}

	req, err := http.NewRequestWithContext(dctx, http.MethodGet, target, nil)
	if err != nil {
		return fail(0, ErrMalformed, err)
	}
	req.Header.Set("User-Agent", c.UserAgent())
	req.Header.Set("Accept", "application/pdf")
	hc := http.Client{}
	if c.HTTP != nil {
		hc = *c.HTTP
		hc.Timeout = 0 // the timer bounds each wait instead
	}
	resp, err := hc.Do(req)
	if err != nil {
		return failIO(0, err)
	}
	defer resp.Body.Close()
	timer.Reset(idle)
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
	case code == http.StatusNotFound || code == http.StatusGone:
		return fail(code, ErrNotFound, nil)
	case code == http.StatusTooManyRequests:
		return fail(code, ErrRateLimited, nil)
	case code >= 500:
		return fail(code, ErrServer, nil)
	default:
		return fail(code, ErrServer, errors.New("the server refused the download"))
	}
	limit := c.maxPDF
	if limit <= 0 {
		limit = MaxPDF
	}
	tooLarge := fmt.Errorf("the file is over %d MB", limit>>20)
	if limit < 1<<20 {
		tooLarge = fmt.Errorf("the file is over %d bytes", limit)
	}
	if resp.ContentLength > limit {
		return fail(resp.StatusCode, ErrMalformed, tooLarge)
	}

	body := &idleReader{r: resp.Body, timer: timer, idle: idle}
	// The head is read until it looks like a PDF, not to the header window's end: a slow
	// server's first bytes are written, and progress told, as they come.
	head := make([]byte, 0, pdfmeta.HeaderWindow)
	for len(head) < pdfmeta.HeaderWindow && !pdfmeta.LooksLikePDF(head) {
		n, err := body.Read(head[len(head):cap(head)])
		head = head[:len(head)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return failIO(resp.StatusCode, err)
		}
	}
	if !pdfmeta.LooksLikePDF(head) {
		return fail(resp.StatusCode, ErrMalformed, notPDF(resp.Header.Get("Content-Type")))
	}
	total := resp.ContentLength
	if total < 0 {
		total = -1
	}
	out := &countingWriter{w: w, total: total, progress: progress}
	if progress != nil {
		progress(0, total)
	}
	if _, err := out.Write(head); err != nil {
		return fmt.Errorf("download PDF %s: %w", link, err)
	}
	buf := make([]byte, 64<<10)
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if out.done+int64(n) > limit {
				return fail(resp.StatusCode, ErrMalformed, tooLarge)
			}
			if _, err := out.Write(buf[:n]); err != nil {
				return fmt.Errorf("download PDF %s: %w", link, err)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return failIO(resp.StatusCode, rerr)
		}
	}
	if total >= 0 && out.done != total {
		return fail(resp.StatusCode, ErrServer, fmt.Errorf("the server sent %d of %d bytes", out.done, total))
	}
	return nil
}

// pdfTarget is where a request for link is sent: to ArXivPDFBase for arxiv.org, as it is
// otherwise. Only http and https are fetched.
func (c *Client) pdfTarget(link string) (string, error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", err
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("not a web address")
	}
	if !isArXivHost(link) {
		return link, nil
	}
	target := orDefault(c.ArXivPDFBase, DefaultArXivPDFBase) + u.EscapedPath()
	if u.RawQuery != "" {
		target += "?" + u.RawQuery
	}
	return target, nil
}

// notPDF says what a server sent instead of a PDF.
func notPDF(contentType string) error {
	if strings.Contains(strings.ToLower(contentType), "html") {
		return errors.New("not a PDF: the server sent a web page (a publisher's landing or login page, perhaps), which Bibshelf does not attach")
	}
	if contentType == "" {
		return errors.New("not a PDF")
	}
	return fmt.Errorf("not a PDF: the server sent %s", contentType)
}

// idleReader restarts the idle timer each time bytes arrive.
type idleReader struct {
	r     io.Reader
	timer *time.Timer
	idle  time.Duration
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.timer.Reset(r.idle)
	}
	return n, err
}

// countingWriter counts what it writes and tells progress.
type countingWriter struct {
	w        io.Writer
	done     int64
	total    int64
	progress func(done, total int64)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.done += int64(n)
	if n > 0 && c.progress != nil {
		c.progress(c.done, c.total)
	}
	return n, err
}
