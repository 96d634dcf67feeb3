package shared

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
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
	_, srv, size := shared100k(b)
	dir := b.TempDir()
	b.SetBytes(int64(size))
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

// shared100k imports 100,000 generated entries (bibtest.Synthetic, as storage's benchmarks build
// theirs, every tenth entry tagged ml/graphs) into a new library, copies it to a new shared
// library, and returns both and the size of the BibTeX imported; it logs the time of the import
// and of the copy.
func shared100k(b *testing.B) (*storage.Library, *Server, int) {
	ctx := context.Background()
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 100_000, 1); err != nil {
		b.Fatal(err)
	}
	local, err := storage.Open(ctx, filepath.Join(b.TempDir(), "local.sqlite"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { local.Close() })
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
	return local, srv, src.Len()
}

// BenchmarkReplicaSearch100k runs the list's searches on a replica of a shared library of
// 100,000 entries and on the library it was copied from, in turn: a replica is a library file
// as any other (its rows carry a global id and a server revision more, and triggers list its
// changes), so its searches should take what the library's take. Then the whole library
// exported in library order from each: the replica's is the server's, read through its index
// (entries_order), the library's that of its ids, read in the table's order.
func BenchmarkReplicaSearch100k(b *testing.B) {
	ctx := context.Background()
	local, srv, _ := shared100k(b)
	replica, err := Clone(ctx, srv, filepath.Join(b.TempDir(), "replica.sqlite"))
	if err != nil {
		b.Fatal(err)
	}
	defer replica.Close()
	if err := replica.IndexPending(ctx); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		opts storage.SearchOptions
	}{
		{"all", storage.SearchOptions{}},
		{"one-word", storage.SearchOptions{Query: "network"}},
		{"two-words", storage.SearchOptions{Query: "graph learning"}},
		{"prefix-as-typed", storage.SearchOptions{Query: "netw"}},
		{"tag", storage.SearchOptions{Query: "tag:ml"}},
		{"year-range", storage.SearchOptions{Query: "year:2019..2021"}},
		{"sort-title", storage.SearchOptions{Sort: "title"}},
		{"sort-year-with-word", storage.SearchOptions{Query: "network", Sort: "year", Desc: true}},
		{"sort-year", storage.SearchOptions{Sort: "year"}},
		{"sort-year-deep", storage.SearchOptions{Sort: "year", Desc: true, Offset: 50_000}},
	} {
		for _, lib := range []struct {
			name string
			l    *storage.Library
		}{{"library", local}, {"replica", replica}} {
			b.Run(bc.name+"/"+lib.name, func(b *testing.B) {
				bc.opts.Limit = 100
				b.ReportAllocs()
				for b.Loop() {
					rows, err := lib.l.SearchWith(ctx, bc.opts)
					if err != nil {
						b.Fatal(err)
					}
					if len(rows) == 0 {
						b.Fatalf("%+v: no rows", bc.opts)
					}
				}
			})
		}
	}
	for _, lib := range []struct {
		name string
		l    *storage.Library
	}{{"library", local}, {"replica", replica}} {
		b.Run("export/"+lib.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if n, err := lib.l.Export(ctx, io.Discard, storage.ExportOptions{}); err != nil || n != 100_000 {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// BenchmarkDiscard100k lets go of one refused edit of a reader's replica of a shared library of
// 100,000 entries (shared100k): Discard reads every row of the server, as a first sync does,
// and writes only those that differ. The edit, before each run, is outside the timer.
func BenchmarkDiscard100k(b *testing.B) {
	ctx := context.Background()
	_, srv, _ := shared100k(b)
	reader := newMember(b, srv.String(), "reader", "read")
	r, err := Clone(ctx, reader, filepath.Join(b.TempDir(), "reader.sqlite"))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	rows, err := r.SearchWith(ctx, storage.SearchOptions{Limit: 1})
	if err != nil || len(rows) == 0 {
		b.Fatalf("an entry to edit: %v", err)
	}
	key := rows[0].Key
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		e, err := r.Entry(ctx, key)
		if err == nil {
			err = e.Set("title", fmt.Sprintf("The reader's title %d", i))
		}
		if err == nil {
			err = r.UpdateEntry(ctx, key, e)
		}
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		d, err := Discard(ctx, reader, r)
		if err != nil || d.Changes != 1 {
			b.Fatalf("discard: %+v, %v", d, err)
		}
	}
}

// BenchmarkPush100k sends a large import: a member imports 100,000 generated entries
// (bibtest.Synthetic, as storage's benchmarks build theirs) into a replica of a small shared
// library (smallLibrary) and pushes them. Each run makes a new shared library, its replica and
// the import outside the timer; time/op is Push's, until the server committed the entries and
// the replica recorded them. peak-MB is the largest peak resident memory of the process during
// a push (Linux), as storage's import benchmarks report theirs, and start-MB its resident
// memory as the push starts: the benchmark lets go of the generated file before, so that the
// difference is the push's own.
func BenchmarkPush100k(b *testing.B) {
	benchPush(b, 100_000)
}

// benchPush is BenchmarkPush100k with n entries.
func benchPush(b *testing.B, n int) {
	ctx := context.Background()
	synthetic := func() []byte {
		var src bytes.Buffer
		if err := bibtest.Synthetic(&src, n, 1); err != nil {
			b.Fatal(err)
		}
		return src.Bytes()
	}
	src := synthetic()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	dir := b.TempDir()
	peak, start := 0.0, 0.0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		srv, err := ParseURL(pgtest.New(b))
		if err != nil {
			b.Fatal(err)
		}
		small, err := storage.Open(ctx, filepath.Join(dir, fmt.Sprintf("small%d.sqlite", i)))
		if err == nil {
			_, err = small.Import(ctx, bib.Parse("small.bib", []byte(smallLibrary)))
		}
		if err == nil {
			_, err = Copy(ctx, small, srv)
		}
		if err == nil {
			err = small.Close()
		}
		if err != nil {
			b.Fatal(err)
		}
		replica, err := Clone(ctx, srv, filepath.Join(dir, fmt.Sprintf("replica%d.sqlite", i)))
		if err != nil {
			b.Fatal(err)
		}
		if src == nil {
			src = synthetic()
		}
		if rep, err := replica.Import(ctx, bib.Parse("synthetic.bib", src)); err != nil || rep.Imported+rep.Duplicates != n {
			b.Fatalf("import into the replica: %d imported, %d duplicates (%v)", rep.Imported, rep.Duplicates, err)
		}
		src = nil
		debug.FreeOSMemory()
		readPeak := bibtest.ResetPeakRSS()
		start = max(start, bibtest.RSS())
		b.StartTimer()
		pushed, err := Push(ctx, srv, replica)
		b.StopTimer()
		if err != nil || len(pushed.Conflicts) > 0 || len(pushed.Renamed) > 0 {
			b.Fatalf("push: %d sent, %d conflicts, %d renamed (%v)", pushed.Sent, len(pushed.Conflicts), len(pushed.Renamed), err)
		}
		if readPeak != nil {
			peak = max(peak, readPeak())
		}
		if left, err := replica.Unsent(ctx); err != nil || left != 0 {
			b.Fatalf("%d changes left to send after the push (%v)", left, err)
		}
		if i == 0 {
			b.Logf("the push sent %d changes", pushed.Sent)
		}
		if err := replica.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	if peak > 0 {
		b.ReportMetric(peak, "peak-MB")
		b.ReportMetric(start, "start-MB")
	}
}

// BenchmarkPush10k is BenchmarkPush100k with 10,000 entries, for a quicker look.
func BenchmarkPush10k(b *testing.B) {
	benchPush(b, 10_000)
}
