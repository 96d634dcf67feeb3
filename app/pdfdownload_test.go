package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib/ident"
	"github.com/bibshelf/bibshelf/bib/lookup"
	"github.com/bibshelf/bibshelf/storage"
)

// shelfPDFs stands for the library's DownloadPDF: each key's PDF is attached, fails, or waits
// for the download to be cancelled.
type shelfPDFs struct {
	lib     *storage.Library // attaches file to the entries it has
	file    string
	fail    map[string]error
	wait    string        // the key whose download waits for its context
	waiting chan struct{} // closed when it waits
	mu      sync.Mutex
	asked   []string
}

func (s *shelfPDFs) DownloadPDF(ctx context.Context, key, url string, d storage.Downloader, progress func(done, total int64)) (storage.Attachment, error) {
	s.mu.Lock()
	s.asked = append(s.asked, key)
	s.mu.Unlock()
	progress(0, 100)
	if err := s.fail[key]; err != nil {
		return storage.Attachment{}, err
	}
	if key == s.wait {
		close(s.waiting)
		<-ctx.Done()
		return storage.Attachment{}, &lookup.Error{URL: url, Reason: lookup.ErrCanceled, Err: ctx.Err()}
	}
	progress(100, 100)
	if s.lib != nil && s.file != "" {
		if _, err := s.lib.Entry(ctx, key); err == nil {
			return s.lib.AddAttachment(ctx, key, s.file)
		}
	}
	return storage.Attachment{Path: filepath.Join("attachments", key+".pdf")}, nil
}

func (s *shelfPDFs) keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.asked...)
}

// TestDownloadPDFs: Download PDFs downloads each PDF in turn, reports what was attached and
// what failed, and lists the files of the entry shown again.
func TestDownloadPDFs(t *testing.T) {
	u, lib := newTestUI(t)
	settle(t, u)
	fyneDoAndWait(func() { u.list.selectKeys("vinyals2015pointer") })
	eventually(t, "the entry shown", func() bool { return u.detail.files.key == "vinyals2015pointer" && u.settled() })
	notFound := &lookup.Error{URL: "https://example.org/b.pdf", Reason: lookup.ErrNotFound, Status: 404}
	file := filepath.Join(t.TempDir(), "vinyals2015pointer.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.5"), 0o644); err != nil {
		t.Fatal(err)
	}
	fake := &shelfPDFs{fail: map[string]error{"b": notFound}, lib: lib, file: file}
	u.adds.pdfs = fake
	var attached []string
	u.adds.attached = func(keys []string) { attached = keys; u.pdfsAttached(keys) }
	offer := pdfOffer{client: &lookup.Client{}, keys: []string{"vinyals2015pointer", "b", "c"},
		urls: []string{"https://arxiv.org/pdf/1506.03134v2", "https://example.org/b.pdf", "https://example.org/c.pdf"}}
	fyneDoAndWait(func() { u.adds.downloadPDFs(offer) })
	eventually(t, "the report", func() bool {
		return u.adds.running == 0 && strings.Contains(dialogText(u), "PDFs attached 2, failed 1.")
	})
	text := dialogText(u)
	for _, want := range []string{"vinyals2015pointer  (vinyals2015pointer.pdf)", "c  (c.pdf)",
		"b: download PDF https://example.org/b.pdf: not found (HTTP 404)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report does not say %q:\n%s", want, text)
		}
	}
	if got := fake.keys(); strings.Join(got, " ") != "vinyals2015pointer b c" {
		t.Errorf("downloaded %v", got)
	}
	if strings.Join(attached, " ") != "vinyals2015pointer c" || u.status.Text != "PDFs attached 2, failed 1." {
		t.Errorf("attached %v, status %q", attached, u.status.Text)
	}
	eventually(t, "the PDF listed", func() bool {
		return len(u.detail.files.rows) == 1 && u.detail.files.rows[0].att.Path == file
	})
	fyneDoAndWait(func() { u.dialogs.open[len(u.dialogs.open)-1].Hide() })
}

// TestDownloadPDFsCancel: Cancel stops the download running and the ones after it.
func TestDownloadPDFsCancel(t *testing.T) {
	u, _ := newTestUI(t)
	settle(t, u)
	fake := &shelfPDFs{wait: "b", waiting: make(chan struct{})}
	u.adds.pdfs = fake
	offer := pdfOffer{client: &lookup.Client{}, keys: []string{"a", "b", "c"}, urls: []string{"u1", "u2", "u3"}}
	fyneDoAndWait(func() { u.adds.downloadPDFs(offer) })
	<-fake.waiting
	eventually(t, "the progress", func() bool { return strings.Contains(dialogText(u), "1 of 3 downloaded…") })
	fyneDoAndWait(func() { u.dialogs.open[len(u.dialogs.open)-1].Hide() }) // Cancel
	eventually(t, "the report", func() bool {
		return u.adds.running == 0 && strings.Contains(dialogText(u), "PDFs attached 1, failed 0. Cancelled: 2 not downloaded.")
	})
	if got := fake.keys(); strings.Join(got, " ") != "a b" {
		t.Errorf("downloaded %v", got)
	}
	fyneDoAndWait(func() { u.dialogs.open[len(u.dialogs.open)-1].Hide() })
}

// TestOpenAccessPDFs: the papers added whose PDF may be kept are offered; those the library had,
// and those whose look-up failed, are not.
func TestOpenAccessPDFs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/arxiv/query" && r.URL.Query().Get("id_list") == "1605.08386" {
			http.ServeFile(w, r, filepath.Join("..", "bib", "lookup", "testdata", "arxiv-1605.08386.xml"))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	c := &lookup.Client{ArXivInterval: time.Millisecond}
	c.UseServer(srv.URL)
	rec := &lookup.Recorder{Client: c}
	found := ident.ID{Kind: ident.ArXiv, Value: "1605.08386"}
	missing := ident.ID{Kind: ident.ArXiv, Value: "0000.0000"}
	for _, id := range []ident.ID{found, missing} {
		rec.Fetch(context.Background(), id)
	}
	o := openAccessPDFs([]storage.Addition{
		{ID: found, Status: storage.Added, Key: "Stanley2016"},
		{ID: found, Status: storage.Existing, Key: "had"},
		{ID: missing, Status: storage.Failed},
	}, rec)
	if o.client != c || strings.Join(o.keys, " ") != "Stanley2016" || strings.Join(o.urls, " ") != "https://arxiv.org/pdf/1605.08386v1" {
		t.Errorf("offered %+v", o)
	}
}
