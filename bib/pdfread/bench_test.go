package pdfread

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib/pdfmeta"
)

// BenchmarkIdentify reads PDFs and finds their papers (Read and pdfmeta.Identify: information
// dictionary, XMP, the first pages' text), one after the other, and reports the median and 95th
// percentile per PDF and the share of PDFs with an identifier and with a title. The PDFs are the
// test papers, or the files listed one a line in the file $PDFREAD_CORPUS (the PDFs of Debian's
// texlive doc packages, say: docs/PERFORMANCE.md).
func BenchmarkIdentify(b *testing.B) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "papers", "*.pdf"))
	if list := os.Getenv("PDFREAD_CORPUS"); list != "" {
		f, err := os.Open(list)
		if err != nil {
			b.Fatal(err)
		}
		paths = nil
		for sc := bufio.NewScanner(f); sc.Scan(); {
			if p := strings.TrimSpace(sc.Text()); p != "" {
				paths = append(paths, p)
			}
		}
		f.Close()
	}
	r := reader(b)
	ctx := context.Background()
	var took []time.Duration
	ids, titles, failed := 0, 0, 0
	b.ResetTimer()
	for range b.N {
		ids, titles, failed = 0, 0, 0
		for _, p := range paths {
			start := time.Now()
			d, err := r.Read(ctx, p)
			paper := pdfmeta.Identify(d)
			took = append(took, time.Since(start))
			switch {
			case err != nil:
				failed++
			case paper.ID.Kind != 0:
				ids++
			}
			if paper.Title != "" {
				titles++
			}
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "ms-p95")
	b.ReportMetric(float64(len(paths)), "PDFs")
	b.ReportMetric(100*float64(ids)/float64(len(paths)), "%-with-id")
	b.ReportMetric(100*float64(titles)/float64(len(paths)), "%-with-title")
	b.ReportMetric(float64(failed), "unread")
}
