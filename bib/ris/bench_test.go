package ris

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
)

// syntheticRIS makes a RIS file of n records: bibtest's synthetic BibTeX library (realistic
// types, 1-12 authors, abstracts on 60% of entries) written through Write.
func syntheticRIS(b *testing.B, n int) []byte {
	var lib bytes.Buffer
	if err := bibtest.Synthetic(&lib, n, 1); err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	if err := Write(&out, bib.Parse("synth.bib", lib.Bytes()).Entries()); err != nil {
		b.Fatal(err)
	}
	return out.Bytes()
}

// BenchmarkParse100k parses a 100,000-record RIS file. live-MB is the heap the result holds
// with the file; cpu-s/op the CPU time of all threads, the garbage collector's included, which
// a machine busy with other work does not inflate as it does the wall clock.
func BenchmarkParse100k(b *testing.B) {
	src := syntheticRIS(b, 100000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var f *bib.File
	cpu := cpuTime()
	for b.Loop() {
		if f = Parse("synth.ris", src); len(f.Items) != 100000 {
			b.Fatalf("%d entries", len(f.Items))
		}
	}
	b.StopTimer()
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/1e6, "live-MB")
	runtime.KeepAlive(f)
	runtime.KeepAlive(src)
}

// BenchmarkWrite100k writes 100,000 entries as RIS.
func BenchmarkWrite100k(b *testing.B) {
	var lib bytes.Buffer
	if err := bibtest.Synthetic(&lib, 100000, 1); err != nil {
		b.Fatal(err)
	}
	entries := bib.Parse("synth.bib", lib.Bytes()).Entries()
	b.ReportAllocs()
	for b.Loop() {
		var out bytes.Buffer
		if err := Write(&out, entries); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(out.Len()))
	}
}
