package bib

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// Inputs made to break the parser: each must parse in time and memory in proportion to its size,
// keep every byte of the file in its items, and say what was wrong with it.

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// parseBounded parses src with ParseString and fails the test when it allocates more than perByte
// bytes per byte of src (plus 64 KB) or takes longer than limit, or when the items do not add up
// to the text.
func parseBounded(t *testing.T, src string, perByte uint64, limit time.Duration) *File {
	t.Helper()
	var f *File
	start := time.Now()
	alloc := allocated(func() { f = ParseString("hostile.bib", src) })
	took := time.Since(start)
	if max := perByte*uint64(len(src)) + 64<<10; alloc > max {
		t.Fatalf("%d bytes of input: parsing allocated %d bytes, more than %d", len(src), alloc, max)
	}
	if took > limit {
		t.Fatalf("%d bytes of input: parsing took %v, more than %v", len(src), took, limit)
	}
	var b strings.Builder
	for _, it := range f.Items {
		b.WriteString(it.Raw)
	}
	if b.String() != src {
		t.Fatalf("the items do not add up to the input (%d bytes of %d)", b.Len(), len(src))
	}
	return f
}

// TestAtSignRun: each @ of a run of them was taken for the start of an item whose type is the
// rest of the run, so that 5 MB of @ took quadratic time and 6 GB.
func TestAtSignRun(t *testing.T) {
	for _, n := range []int{16 << 10, 5 << 20} {
		src := strings.Repeat("@", n)
		f := parseBounded(t, src, 16, 10*time.Second)
		if len(f.Problems) != 1 || len(f.Problems[0].Msg) > 200 {
			t.Errorf("%d @: %d problems, the first %.200q; want one short warning", n, len(f.Problems), f.Problems)
		}
	}
	// A run followed by an item: the item is read.
	f := parseBounded(t, strings.Repeat("@", 1<<20)+"\n@misc{k, note = {n}}\n", 16, 10*time.Second)
	if es := f.Entries(); len(es) != 1 || es[0].Key != "k" {
		t.Errorf("entries after a run of @: %+v", es)
	}
}
