package pdfread

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib/pdfmeta"
)

// shared is one Reader for the package's tests: starting one compiles PDFium.
var shared struct {
	once sync.Once
	r    *Reader
	err  error
}

func reader(t testing.TB) *Reader {
	t.Helper()
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "pdfread-cache")
		if err != nil {
			shared.err = err
			return
		}
		shared.r, shared.err = New(Options{CacheDir: dir})
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.r
}

// TestPapers reads the papers made with pdfLaTeX in testdata/papers (README.md there says how
// each was made and what it holds) and finds each one's identifier and title where it is.
func TestPapers(t *testing.T) {
	r := reader(t)
	tests := []struct {
		file   string
		id     string // ident.ID.String(), "" for none
		source pdfmeta.Source
		title  string
		author string // the first author, from the metadata
		text   string // words the first page's text must hold, in this order
	}{
		{"p1-hyperref-meta", "", 0, "Indexing Scientific Documents at Scale", "Ada Lovelace", "efficient fine-grained indexing"},
		{"p2-pdfinfo-doi", "10.5555/pdfinfo.2024.001", pdfmeta.FromInfo, "Metadata Keys in Practice", "Grace Hopper", ""},
		{"p3-doi-text", "10.1016/j.jcss.2023.04.007", pdfmeta.FromText, "Identifiers on the First Page", "", "office experiments"},
		{"p4-arxiv-stamp", "arXiv:2106.09685v2", pdfmeta.FromText, "Low-Rank Adaptation of Large Models", "", ""},
		{"p5-isbn-book", "ISBN 9783161484100", pdfmeta.FromText, "The Art of Reference Management", "", ""},
		{"p6-hyperxmp-doi", "10.1145/3368089.3409741", pdfmeta.FromXMP, "Extensible Metadata for Papers", "Barbara Liskov", ""},
		{"p7-no-metadata", "", 0, "A Study of Untitled Files", "", ""},
		{"p8-twocolumn-footnote", "10.1109/TSE.2022.3150402", pdfmeta.FromText, "Two Columns and a Footnote", "", ""},
		{"p9-utf8-title", "", 0, "Über die Größe von Ähnlichkeitsmaßen: études", "Jürgen Müller", "Größe"},
		{"p10-elife-doi", "10.7554/eLife.01567", pdfmeta.FromText, "Automated quantitative histology reveals vascular morphodynamics during Arabidopsis hypocotyl secondary growth", "", "model organisms"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "papers", tc.file+".pdf")
			d, err := r.Read(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			p := pdfmeta.Identify(d)
			got := ""
			if p.ID.Kind != 0 {
				got = p.ID.String()
			}
			if got != tc.id || tc.id != "" && p.Source != tc.source {
				t.Errorf("identifier %q from %v, want %q from %v", got, p.Source, tc.id, tc.source)
			}
			if p.Title != tc.title {
				t.Errorf("title %q, want %q", p.Title, tc.title)
			}
			if tc.author != "" && (len(p.Authors) == 0 || p.Authors[0] != tc.author) {
				t.Errorf("authors %q, want %q first", p.Authors, tc.author)
			}
			if len(d.Pages) == 0 || d.PageCount < len(d.Pages) {
				t.Fatalf("%d pages read of %d", len(d.Pages), d.PageCount)
			}
			if tc.text != "" && !strings.Contains(strings.Join(strings.Fields(d.Pages[0].Text), " "), tc.text) {
				t.Errorf("page 1 does not hold %q (ligatures undone, words in order):\n%s", tc.text, d.Pages[0].Text)
			}
		})
	}
}

// TestNotPDF: a file that is not a PDF is said to be none, before PDFium sees it.
func TestNotPDF(t *testing.T) {
	r := reader(t)
	dir := t.TempDir()
	for name, content := range map[string]string{"empty.pdf": "", "notes.pdf": "Just some notes.\n", "page.pdf": "<html><body>Sign in to read</body></html>"} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(content), 0o644)
		if _, err := r.Read(context.Background(), path); !errors.Is(err, ErrNotPDF) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want ErrNotPDF naming the file", name, err)
		}
	}
	if _, err := r.Read(context.Background(), filepath.Join(dir, "missing.pdf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

// TestCancel: a cancelled read returns the context's error at once, and the reader reads the next
// PDF as before (the instance that was killed is replaced).
func TestCancel(t *testing.T) {
	r := reader(t)
	bomb := writeHostile(t, "zip-bomb.pdf", zipBomb())
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := r.Read(ctx, bomb)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the cancelled read returned after %s", d)
	}
	if p, err := r.ReadPDF(context.Background(), filepath.Join("testdata", "papers", "p3-doi-text.pdf")); err != nil || p.ID.Value != "10.1016/j.jcss.2023.04.007" {
		t.Errorf("after a cancel: %+v, %v", p, err)
	}
}

// TestTimeout: a PDF that takes longer than the reader's Timeout is an ErrTimeout.
func TestTimeout(t *testing.T) {
	r, err := New(Options{Timeout: 300 * time.Millisecond, CacheDir: reader(t).opts.CacheDir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Read(context.Background(), writeHostile(t, "zip-bomb.pdf", zipBomb())); !errors.Is(err, ErrTimeout) {
		t.Errorf("zip bomb in 300 ms: %v, want ErrTimeout", err)
	}
}

func writeHostile(t testing.TB, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// FuzzScanXMP: the scan for the XMP packet never fails on bytes that are not a PDF, never
// returns more than a packet may hold, and returns bytes of the file.
func FuzzScanXMP(f *testing.F) {
	f.Add([]byte(`%PDF-1.7 <x:xmpmeta><rdf:RDF/></x:xmpmeta> <x:xmpmeta>application/pdf</x:xmpmeta>`))
	f.Add([]byte("<x:xmpmeta"))
	f.Add([]byte(strings.Repeat("<x:xmpmeta", 100)))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := scanXMP(context.Background(), bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		if len(p) > maxPacket || p != nil && !bytes.Contains(b, p) {
			t.Errorf("packet of %d bytes not in the file", len(p))
		}
	})
}

// TestScanXMPChunks: a packet that starts just before a chunk's end, or that is cut by one, is
// found whole; of two packets the one that describes a PDF is taken, and of two such the last.
func TestScanXMPChunks(t *testing.T) {
	image := `<x:xmpmeta><dc:title>A figure</dc:title></x:xmpmeta>`
	doc := `<x:xmpmeta>application/pdf <prism:doi>10.1000/x</prism:doi></x:xmpmeta>`
	later := `<x:xmpmeta>application/pdf <prism:doi>10.1000/y</prism:doi></x:xmpmeta>`
	for _, at := range []int{0, 1<<20 - 5, 1<<20 - len(packetStart), 1<<20 - len(packetStart) + 1, 1 << 20, 3<<20 - 3} {
		b := bytes.Repeat([]byte{' '}, at)
		b = append(b, doc...)
		b = append(b, image...)
		p, err := scanXMP(context.Background(), bytes.NewReader(b), int64(len(b)))
		if err != nil || string(p) != doc {
			t.Errorf("packet at %d: %q, %v", at, p, err)
		}
		b = append(b, later...)
		if p, _ := scanXMP(context.Background(), bytes.NewReader(b), int64(len(b))); string(p) != later {
			t.Errorf("two packets, the first at %d: %q", at, p)
		}
	}
}
