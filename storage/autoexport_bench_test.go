package storage

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// BenchmarkAutoExport100k runs an export target of the whole 100,000-entry library: first with
// nothing cached (a new runner, the file written from nothing), then after one edit, which is
// what a runner does while the user works: the selection's ids and the entries changed read,
// the edited entry rendered, the others' texts concatenated, the file written.
//
// time/op is the whole run. sync-ms is the part of it the disk takes to sync the file and its
// folder (WriteFile's fsync calls); own-ms is the rest, the run's own work. cpu-ms is the
// processor time the process used during the runs (user and system, all threads, the garbage
// collector's too): on a machine shared with other work, own-ms grows with the load, cpu-ms much
// less. render-ms, measured apart from the timed run, is the part before the write (read, plan,
// render). Each run starts after a garbage collection.
func BenchmarkAutoExport100k(b *testing.B) {
	ctx := context.Background()
	l := openBench100k(b)
	path := filepath.Join(b.TempDir(), "library.bib")
	t, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.RemoveExportTarget(ctx, t.ID) })
	var synced time.Duration
	timeSyncs(b, &synced)
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
	var cpu time.Duration
	timed := func(b *testing.B, a *AutoExporter) {
		// The garbage of what is not timed (the copy render-ms renders with) is collected
		// before, not during, the run.
		runtime.GC()
		synced = 0
		start := processCPU()
		b.StartTimer()
		run(b, a)
		b.StopTimer()
		cpu += processCPU() - start
	}
	report := func(b *testing.B, render, sync time.Duration) {
		n := float64(b.N)
		b.ReportMetric(float64(render.Milliseconds())/n, "render-ms")
		b.ReportMetric(float64(sync.Milliseconds())/n, "sync-ms")
		b.ReportMetric(float64((b.Elapsed()-sync).Milliseconds())/n, "own-ms")
		b.ReportMetric(float64(cpu.Milliseconds())/n, "cpu-ms")
		cpu = 0
	}
	b.Run("first", func(b *testing.B) {
		var render, sync time.Duration
		for b.Loop() {
			b.StopTimer()
			os.Remove(path)
			render += renderTime(b, NewAutoExporter(l, nil))
			timed(b, NewAutoExporter(l, nil))
			sync += synced
			b.StartTimer()
		}
		report(b, render, sync)
	})
	b.Run("after-one-edit", func(b *testing.B) {
		a := NewAutoExporter(l, nil)
		run(b, a)
		rows, err := l.SearchWith(ctx, SearchOptions{Limit: 1})
		if err != nil || len(rows) == 0 {
			b.Fatal(rows, err)
		}
		key := rows[0].Key
		var render, sync time.Duration
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
			// The render alone, on a copy of the runner: the timed run renders the entry anew.
			render += renderTime(b, copyRunner(a))
			timed(b, a)
			sync += synced
			b.StartTimer()
		}
		report(b, render, sync)
		if fi, err := os.Stat(path); err == nil {
			b.ReportMetric(float64(fi.Size())/1e6, "file-MB")
		}
	})
}

// timeSyncs adds the time WriteFile's syncs take to *d, until the benchmark ends.
func timeSyncs(b *testing.B, d *time.Duration) {
	b.Cleanup(func() { fsync = (*os.File).Sync })
	fsync = func(f *os.File) error {
		start := time.Now()
		err := f.Sync()
		*d += time.Since(start)
		return err
	}
}

// copyRunner returns a runner with a's cached texts and selections, for a render that leaves a
// as it is.
func copyRunner(a *AutoExporter) *AutoExporter {
	c := &AutoExporter{l: a.l, cache: map[renderKey]map[int64]cachedText{}, wrote: a.wrote, last: a.last,
		selections: maps.Clone(a.selections)}
	for k, m := range a.cache {
		c.cache[k] = maps.Clone(m)
	}
	return c
}
