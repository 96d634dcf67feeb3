package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkAutoExport100k runs an export target of the whole 100,000-entry library: first with
// nothing cached (a new runner, the file written from nothing), then after one edit, which is
// what a runner does while the user works: the edited entry rendered, the others' texts
// concatenated, the file written. render-ms is the part before the write (read, plan, render,
// hash); the rest is WriteFile's (the temporary file written, synced and renamed).
func BenchmarkAutoExport100k(b *testing.B) {
	ctx := context.Background()
	l := openBench100k(b)
	path := filepath.Join(b.TempDir(), "library.bib")
	t, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.RemoveExportTarget(ctx, t.ID) })
	run := func(b *testing.B, a *AutoExporter) {
		sts, err := a.RunTargets(ctx, RunOptions{Overwrite: true}, t.ID)
		if err != nil || len(sts) != 1 || sts[0].Err != nil || sts[0].Entries != 100_000 {
			b.Fatal(sts, err)
		}
	}
	renderTime := func(b *testing.B, a *AutoExporter) time.Duration {
		start := time.Now()
		if _, err := a.render(ctx, &t); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	b.Run("first", func(b *testing.B) {
		var render time.Duration
		for b.Loop() {
			b.StopTimer()
			os.Remove(path)
			render += renderTime(b, NewAutoExporter(l, nil))
			b.StartTimer()
			run(b, NewAutoExporter(l, nil))
		}
		b.ReportMetric(float64(render.Milliseconds())/float64(b.N), "render-ms")
	})
	b.Run("after-one-edit", func(b *testing.B) {
		a := NewAutoExporter(l, nil)
		run(b, a)
		rows, err := l.SearchWith(ctx, SearchOptions{Limit: 1})
		if err != nil || len(rows) == 0 {
			b.Fatal(rows, err)
		}
		key := rows[0].Key
		var render time.Duration
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			e, err := l.Entry(ctx, key)
			if err != nil {
				b.Fatal(err)
			}
			e.Set("note", fmt.Sprintf("edit %d", i))
			if err := l.UpdateEntry(ctx, key, e); err != nil {
				b.Fatal(err)
			}
			// The render alone, on a copy of the cache: the timed run renders the entry anew.
			render += renderTime(b, &AutoExporter{l: l, cache: cloneCache(a.cache), wrote: a.wrote, orders: a.orders})
			b.StartTimer()
			run(b, a)
		}
		b.ReportMetric(float64(render.Milliseconds())/float64(b.N), "render-ms")
		if fi, err := os.Stat(path); err == nil {
			b.ReportMetric(float64(fi.Size())/1e6, "file-MB")
		}
	})
}

func cloneCache(c map[renderKey]map[int64]cachedText) map[renderKey]map[int64]cachedText {
	out := map[renderKey]map[int64]cachedText{}
	for k, m := range c {
		n := make(map[int64]cachedText, len(m))
		for id, t := range m {
			n[id] = t
		}
		out[k] = n
	}
	return out
}
