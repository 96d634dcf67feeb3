package storage

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
)

// BenchmarkSearch100k runs the list's queries on a library of 100,000 generated entries (10% of
// them tagged) and reports the median and 95th percentile of one query, first page of 100.
func BenchmarkSearch100k(b *testing.B) {
	ctx := context.Background()
	l := openBench100k(b)
	first, err := l.SearchWith(ctx, SearchOptions{Limit: 1})
	if err != nil || len(first) == 0 {
		b.Fatal(err)
	}
	words := strings.Fields(first[0].Title)
	phrase := `"` + strings.Join(words[:min(2, len(words))], " ") + `"`
	for _, bc := range []struct {
		name string
		opts SearchOptions
	}{
		{"one-word", SearchOptions{Query: "network"}},
		{"two-words", SearchOptions{Query: "graph learning"}},
		{"prefix-as-typed", SearchOptions{Query: "netw"}},
		{"phrase", SearchOptions{Query: phrase}},
		{"tag", SearchOptions{Query: "tag:ml"}},
		{"tag-and-word", SearchOptions{Query: "tag:ml network"}},
		{"year-range", SearchOptions{Query: "year:2019..2021"}},
		{"sort-title", SearchOptions{Sort: "title"}},
		{"sort-authors-desc", SearchOptions{Sort: "authors", Desc: true}},
		{"sort-year-with-word", SearchOptions{Query: "network", Sort: "year", Desc: true}},
		// The words of a sorted search are a set the list index is walked against: a word
		// matching a few entries walks all of it.
		{"sort-title-with-rare-word", SearchOptions{Query: first[0].Key, Sort: "title"}},
		{"sort-year-with-tag-and-word", SearchOptions{Query: "tag:ml network", Sort: "year"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bc.opts.Limit = 100
			var took []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				start := time.Now()
				rows, err := l.SearchWith(ctx, bc.opts)
				if err != nil {
					b.Fatal(err)
				}
				if len(rows) == 0 {
					b.Fatalf("%+v: no rows", bc.opts)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}

// BenchmarkExport100k exports the 100,000-entry library as written, and reformatted.
func BenchmarkExport100k(b *testing.B) {
	ctx := context.Background()
	l := openBench100k(b)
	for _, bc := range []struct {
		name string
		opts ExportOptions
	}{
		// 10% of the library has tags its keywords do not name, so those are written anew.
		{"as-written", ExportOptions{}},
		{"as-written-no-keyword-tags", ExportOptions{NoKeywordTags: true}},
		{"reformat", ExportOptions{WriteOptions: bib.WriteOptions{Reformat: true}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n, err := l.Export(ctx, io.Discard, bc.opts)
				if err != nil || n != 100_000 {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// openBench100k opens the library of 100,000 generated entries that the benchmarks share.
func openBench100k(b *testing.B) *Library {
	if testing.Short() {
		b.Skip("builds a library of 100,000 entries")
	}
	l, err := Open(context.Background(), benchLibrary100k(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	return l
}

// BenchmarkOpen100k opens (and closes) the 100,000-entry library: migrations checked, identity
// backfill looked for.
func BenchmarkOpen100k(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a library of 100,000 entries")
	}
	path := benchLibrary100k(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		l, err := Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		if n, err := l.Count(ctx); err != nil || n != 100_000 {
			b.Fatal(n, err)
		}
		l.Close()
	}
}

func BenchmarkOpenSample(b *testing.B) {
	ctx := context.Background()
	path := mustOpen(b).Path()
	if _, err := Open(ctx, path); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		l, err := Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		l.Close()
	}
}

// BenchmarkTrash100k moves every entry of the 100,000-entry library to the trash and back, as
// Select All then Move to Trash and Undo do in the window (the shared library is left as found).
func BenchmarkTrash100k(b *testing.B) {
	l := openBench100k(b)
	ctx := context.Background()
	rows, err := l.SearchWith(ctx, SearchOptions{})
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.Key
	}
	var trash, restore time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if _, err := l.Trash(ctx, keys...); err != nil {
			b.Fatal(err)
		}
		trash += time.Since(start)
		start = time.Now()
		if _, err := l.Restore(ctx, keys...); err != nil {
			b.Fatal(err)
		}
		restore += time.Since(start)
	}
	b.ReportMetric(trash.Seconds()/float64(b.N), "trash-s/op")
	b.ReportMetric(restore.Seconds()/float64(b.N), "restore-s/op")
}
