package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/bibshelf/bibshelf/storage"
)

var bench100k struct {
	once sync.Once
	path string
	err  error
}

// library100k returns the path of a library of 100,000 generated entries (bibtest.Synthetic, seed 1),
// made once per test binary in a temporary folder.
func library100k(b *testing.B) string {
	if testing.Short() {
		b.Skip("builds a library of 100,000 entries")
	}
	bench100k.once.Do(func() {
		dir, err := os.MkdirTemp("", "bibshelf-app-bench-")
		if err != nil {
			bench100k.err = err
			return
		}
		var src bytes.Buffer
		if err := bibtest.Synthetic(&src, 100_000, 1); err != nil {
			bench100k.err = err
			return
		}
		path := filepath.Join(dir, "100k.sqlite")
		l, err := storage.Open(context.Background(), path)
		if err != nil {
			bench100k.err = err
			return
		}
		defer l.Close()
		if _, err := l.Import(context.Background(), bib.Parse("synthetic.bib", src.Bytes())); err != nil {
			bench100k.err = err
			return
		}
		bench100k.path = path
	})
	if bench100k.err != nil {
		b.Fatal(bench100k.err)
	}
	return bench100k.path
}

// removeBenchLibrary deletes the 100k library's folder, if a benchmark made one; TestMain calls
// it once every test and benchmark has run.
func removeBenchLibrary() {
	if bench100k.path != "" {
		os.RemoveAll(filepath.Dir(bench100k.path))
	}
}

// typed is what BenchmarkKeystroke100k types, a keystroke at a time; each prefix is one search.
var typed = []string{"neural networks", "graph learning", "author:smith year:2019..2023", "-survey inference"}

// BenchmarkKeystroke100k measures, on a library of 100,000 entries, the time from a change of
// the search field's text to the list showing the first page of that search's result, through
// the real window with Fyne's test driver; the count of a larger result follows, and is waited
// for (untimed) before the next key. It reports the median and the 95th percentile.
func BenchmarkKeystroke100k(b *testing.B) {
	path := library100k(b)
	lib, err := storage.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer lib.Close()
	a := test.NewTempApp(b)
	u := newUI(b, a, lib)
	u.Window().Resize(fyne.NewSize(1280, 800))
	u.Window().Show()
	waitFor := func(cond func() bool) {
		for {
			var ok bool
			fyneDoAndWait(func() { ok = cond() })
			if ok {
				return
			}
			time.Sleep(100 * time.Microsecond)
		}
	}
	wait := func() { waitFor(u.settled) }
	wait()
	var keys []string
	for _, s := range typed {
		for i := 1; i <= len(s); i++ {
			keys = append(keys, s[:i])
		}
	}
	var took []time.Duration
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		text := keys[i%len(keys)]
		start := time.Now()
		fyneDoAndWait(func() { u.search.SetText(text) })
		waitFor(u.results.shows) // the table shows the first page of the result
		took = append(took, time.Since(start))
		b.StopTimer()
		wait() // and its count, before the next key
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "ms-p95")
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapInuse)/(1<<20), "MB-heap")
}
