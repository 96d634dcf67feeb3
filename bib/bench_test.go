package bib_test

import (
	"bytes"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/nickng/bibtex"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
)

func BenchmarkParseSample(b *testing.B) {
	src, err := os.ReadFile("../assets/sample-library.bib")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if f := bib.Parse("sample-library.bib", src); len(f.Items) == 0 {
			b.Fatal("nothing parsed")
		}
	}
}

var (
	syntheticMu    sync.Mutex
	syntheticCache = map[int][]byte{}
)

// syntheticBib returns a generated library of n entries, made once per size.
func syntheticBib(b *testing.B, n int) []byte {
	syntheticMu.Lock()
	defer syntheticMu.Unlock()
	if src, ok := syntheticCache[n]; ok {
		return src
	}
	var buf bytes.Buffer
	if err := bibtest.Synthetic(&buf, n, 1); err != nil {
		b.Fatal(err)
	}
	syntheticCache[n] = buf.Bytes()
	return buf.Bytes()
}

// BenchmarkParse10k and BenchmarkNickng10k parse the same generated file of 10,000 entries
// (braced values only, which both parsers read completely), for a comparison in one run.
func BenchmarkParse10k(b *testing.B) {
	src := syntheticBib(b, 10000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if f := bib.Parse("synthetic.bib", src); len(f.Entries()) != 10000 {
			b.Fatalf("%d entries", len(f.Entries()))
		}
	}
}

// BenchmarkParse10kCRLF is BenchmarkParse10k with the lines ending in \r\n, as files written
// on Windows have them: the parser looks at each \r once to know that none ends a line alone.
func BenchmarkParse10kCRLF(b *testing.B) {
	src := bytes.ReplaceAll(syntheticBib(b, 10000), []byte("\n"), []byte("\r\n"))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if f := bib.Parse("synthetic.bib", src); len(f.Entries()) != 10000 {
			b.Fatalf("%d entries", len(f.Entries()))
		}
	}
}

func BenchmarkNickng10k(b *testing.B) {
	src := syntheticBib(b, 10000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		bt, err := bibtex.Parse(bytes.NewReader(src))
		if err != nil || len(bt.Entries) != 10000 {
			b.Fatalf("%v, %d entries", err, len(bt.Entries))
		}
	}
}

// BenchmarkWrite100k writes 100,000 entries in the canonical form (the slow path: an untouched
// entry is one copy of its source).
func BenchmarkWrite100k(b *testing.B) {
	f := bib.Parse("synthetic.bib", syntheticBib(b, 100000))
	entries := f.Entries()
	for _, e := range entries {
		e.Source = ""
	}
	var size int64
	for _, e := range entries {
		size += int64(len(bib.Format(e))) + 2
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		w := bib.NewWriter(io.Discard)
		for _, e := range entries {
			w.Entry(e)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
