package shared

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// BenchmarkClone100k is the first sync of a computer: a new replica of a shared library of
// 100,000 generated entries (bibtest.Synthetic, as storage's benchmarks build theirs, with every
// tenth entry tagged): the time until Clone returns with the replica listed and exported as
// the server has it, and searchable-s/op until its search index is made too (IndexPending,
// outside the timer), as the import benchmarks of storage report theirs. The import and the
// copy to the server are reported once, before the runs.
func BenchmarkClone100k(b *testing.B) {
	ctx := context.Background()
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 100_000, 1); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	local, err := storage.Open(ctx, filepath.Join(dir, "local.sqlite"))
	if err != nil {
		b.Fatal(err)
	}
	defer local.Close()
	start := time.Now()
	if _, err := local.Import(ctx, bib.Parse("synthetic.bib", src.Bytes())); err != nil {
		b.Fatal(err)
	}
	rows, err := local.SearchWith(ctx, storage.SearchOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var tagged []string
	for i := 0; i < len(rows); i += 10 {
		tagged = append(tagged, rows[i].Key)
	}
	if _, err := local.AddTags(ctx, tagged, "ml/graphs"); err != nil {
		b.Fatal(err)
	}
	imported := time.Now()
	srv, err := ParseURL(pgtest.New(b))
	if err != nil {
		b.Fatal(err)
	}
	copied, err := Copy(ctx, local, srv)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("import %v, copy of %d entries to the server %v", imported.Sub(start).Round(time.Millisecond),
		copied.Entries, time.Since(imported).Round(time.Millisecond))
	b.SetBytes(int64(src.Len()))
	b.ReportAllocs()
	var searchable time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		replica, err := Clone(ctx, srv, filepath.Join(dir, fmt.Sprintf("replica%d.sqlite", i)))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := replica.IndexPending(ctx); err != nil {
			b.Fatal(err)
		}
		searchable += time.Since(start)
		if n, err := replica.Count(ctx); err != nil || n != 100_000 {
			b.Fatalf("the replica has %d entries (%v)", n, err)
		}
		if err := replica.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(searchable.Seconds()/float64(b.N), "searchable-s/op")
}
