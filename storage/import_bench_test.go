package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/bibshelf/bibshelf/bib/csl"
	"github.com/bibshelf/bibshelf/bib/ris"
)

// benchImport imports a file holding n entries into a new library per iteration, read as it is
// imported (ImportReader of what read makes of src), as the command line and the window import
// files. With IndexLater (the window's way) the time is until the import returns; the metric
// searchable-s/op is until IndexPending has indexed its entries too, outside the timer. Where
// the peak resident memory can be reset (Linux), peak-MB is the largest of the imports': the
// process's, src included, from the start of the import to its return.
//
// The import's own goroutine is the one that waits for nothing but SQLite: items-s/op is until
// it has inserted the last item (StageIndexes), commit-s/op its commit (StageCommit to the
// return). Where a thread's CPU time can be read (Linux), the import runs on a thread of its own
// and import-cpu-s/op is that thread's CPU time: the part of the import the other goroutines
// (the reader's, the one preparing rows) cannot take, which a busy machine inflates less than
// the wall clock. process-cpu-s/op is the CPU time of every thread of the process during the
// import: beside the wall clock, it says how much of the two cores the import kept busy.
//
// With IndexLater the import leaves the list's sort indexes to IndexPending too (laterIndexes):
// later-indexes-s/op is the time IndexPending's first steps take to make them, after the import
// returns and outside the timer, as searchable-s/op is. The import's time (ns/op) with that
// added is when the list is as fast to sort as after an import that made them itself.
func benchImport(b *testing.B, src []byte, n int, opts ImportOptions, read func(src []byte) bib.ItemReader) {
	ctx := context.Background()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var searchable, sortIndexes, items, commit, threadCPU, processCPU time.Duration
	peak := 0.0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		l, err := Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("lib%d.sqlite", i)))
		if err != nil {
			b.Fatal(err)
		}
		debug.FreeOSMemory() // what the last iteration and making src left
		readPeak := bibtest.ResetPeakRSS()
		var itemsDone, committing time.Time
		opts.Stage = func(stage string) {
			switch stage {
			case StageIndexes:
				itemsDone = time.Now()
			case StageCommit:
				committing = time.Now()
			}
		}
		runtime.LockOSThread()
		cpu0, all0 := threadTime(), processTime()
		b.StartTimer()
		start := time.Now()
		restore := importGC()
		rep, err := l.ImportReader(ctx, read(src), opts)
		end := time.Now()
		restore()
		threadCPU += threadTime() - cpu0
		processCPU += processTime() - all0
		runtime.UnlockOSThread()
		if !itemsDone.IsZero() { // StageIndexes: a new library's import makes its indexes again
			items += itemsDone.Sub(start)
		}
		commit += end.Sub(committing)
		if err != nil || rep.Imported+rep.Duplicates != n {
			b.Fatal(rep.Imported, rep.Duplicates, err)
		}
		b.StopTimer()
		if readPeak != nil {
			peak = max(peak, readPeak())
		}
		if opts.IndexLater {
			later := time.Now()
			for {
				made, err := l.makePendingIndex(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if !made {
					break
				}
			}
			sortIndexes += time.Since(later)
			if err := l.IndexPending(ctx); err != nil {
				b.Fatal(err)
			}
		}
		searchable += time.Since(start)
		l.Close()
		b.StartTimer()
	}
	if opts.IndexLater {
		b.ReportMetric(searchable.Seconds()/float64(b.N), "searchable-s/op")
		b.ReportMetric(sortIndexes.Seconds()/float64(b.N), "later-indexes-s/op")
	}
	if peak > 0 {
		b.ReportMetric(peak, "peak-MB")
	}
	b.ReportMetric(items.Seconds()/float64(b.N), "items-s/op")
	b.ReportMetric(commit.Seconds()/float64(b.N), "commit-s/op")
	if threadCPU > 0 {
		b.ReportMetric(threadCPU.Seconds()/float64(b.N), "import-cpu-s/op")
	}
	if processCPU > 0 {
		b.ReportMetric(processCPU.Seconds()/float64(b.N), "process-cpu-s/op")
	}
}

// readBibTeX is how the command line and the window read a .bib file.
func readBibTeX(src []byte) bib.ItemReader { return bib.NewReader("bench.bib", string(src)) }

// importGCPercent is the GOGC that the command line and the window import with (see
// cmd/bibshelf/gc.go): the storage package leaves the garbage collector alone, and the benchmarks
// import as the program does, so that their memory is what users see.
const importGCPercent = 25

// importGC sets GOGC to importGCPercent and returns what puts it back.
func importGC() (restore func()) {
	was := debug.SetGCPercent(importGCPercent)
	return func() { debug.SetGCPercent(was) }
}

func benchImportSynthetic(b *testing.B, n int, opts ImportOptions) {
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, n, 1); err != nil {
		b.Fatal(err)
	}
	benchImport(b, src.Bytes(), n, opts, readBibTeX)
}

// syntheticAs writes bibtest.Synthetic's library of n entries through write (ris.Write,
// csl.Write), a thousand entries at a time so that they are never all in memory, and returns
// the pieces it wrote.
func syntheticAs(b *testing.B, n int, write func(w io.Writer, entries []*bib.Entry) error) [][]byte {
	var lib bytes.Buffer
	if err := bibtest.Synthetic(&lib, n, 1); err != nil {
		b.Fatal(err)
	}
	r := bib.NewReader("synth.bib", lib.String())
	var pieces [][]byte
	var batch []*bib.Entry
	flush := func() {
		var out bytes.Buffer
		if err := write(&out, batch); err != nil {
			b.Fatal(err)
		}
		pieces, batch = append(pieces, out.Bytes()), batch[:0]
	}
	for it, ok := r.Next(); ok; it, ok = r.Next() {
		if it.Kind == bib.KindEntry {
			if batch = append(batch, it.Entry); len(batch) == 1000 {
				flush()
			}
		}
	}
	if len(batch) > 0 {
		flush()
	}
	return pieces
}

// The import of a RIS file and of a CSL-JSON file of 100,000 entries, from the synthetic BibTeX
// library, as the window imports them.
func BenchmarkImportRIS100k(b *testing.B) {
	benchImport(b, risSynthetic(b, 100000), 100000, ImportOptions{IndexLater: true}, readRIS)
}
func BenchmarkImportCSL100k(b *testing.B) {
	benchImport(b, cslSynthetic(b, 100000), 100000, ImportOptions{IndexLater: true}, readCSL)
}

// risSynthetic and cslSynthetic are the synthetic BibTeX library of n entries as a RIS file and
// as a CSL-JSON file (one array of all the items).
func risSynthetic(b *testing.B, n int) []byte { return bytes.Join(syntheticAs(b, n, ris.Write), nil) }
func cslSynthetic(b *testing.B, n int) []byte {
	pieces := syntheticAs(b, n, csl.Write)
	for i, p := range pieces {
		pieces[i] = bytes.TrimSuffix(bytes.TrimPrefix(p, []byte("[")), []byte("]\n"))
	}
	return append(append([]byte("["), bytes.Join(pieces, []byte(","))...), "]\n"...)
}

func readRIS(src []byte) bib.ItemReader { return ris.NewReader("bench.ris", src) }
func readCSL(src []byte) bib.ItemReader { return csl.NewReader("bench.json", src) }

// benchRead reads a file to its end with the reader an import of it uses, and nothing else: the
// part of an import of RIS or CSL-JSON that runs beside the importing goroutine (see
// benchImport). read-cpu-s/op is the reading thread's CPU time, where it can be read (Linux),
// with the import's GOGC.
func benchRead(b *testing.B, src []byte, n int, read func(src []byte) bib.ItemReader) {
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var threadCPU time.Duration
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	restore := importGC()
	defer restore()
	for b.Loop() {
		cpu0 := threadTime()
		r, entries := read(src), 0
		for it, ok := r.Next(); ok; it, ok = r.Next() {
			if it.Kind == bib.KindEntry {
				entries++
			}
		}
		threadCPU += threadTime() - cpu0
		if entries != n {
			b.Fatalf("%d entries, want %d", entries, n)
		}
	}
	if threadCPU > 0 {
		b.ReportMetric(threadCPU.Seconds()/float64(b.N), "read-cpu-s/op")
	}
}

func BenchmarkReadRIS100k(b *testing.B) {
	benchRead(b, risSynthetic(b, 100000), 100000, readRIS)
}
func BenchmarkReadCSL100k(b *testing.B) {
	benchRead(b, cslSynthetic(b, 100000), 100000, readCSL)
}

// The window imports with IndexLater, the command line without.
func BenchmarkImport20k(b *testing.B) {
	benchImportSynthetic(b, 20000, ImportOptions{IndexLater: true})
}
func BenchmarkImport100k(b *testing.B) {
	benchImportSynthetic(b, 100000, ImportOptions{IndexLater: true})
}
func BenchmarkImport100kIndexed(b *testing.B) {
	benchImportSynthetic(b, 100000, ImportOptions{})
}

// TestBulkImportReportsAsRowByRow imports a generated file with near-duplicates in one bulk
// import, and again in pieces too small for the bulk path, whose duplicate look-ups run before
// each insert: the reports must be the same, warning for warning and in the same order.
func TestBulkImportReportsAsRowByRow(t *testing.T) {
	ctx := context.Background()
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 4*bulkThreshold, 11); err != nil {
		t.Fatal(err)
	}
	f := bib.Parse("dups.bib", src.Bytes())
	// The library already has a paper of the file, one in the trash, and a key of the file.
	entries := f.Entries()
	before := fmt.Sprintf("@article{before1, title = {%s}, author = {%s}, year = {%s}}\n"+
		"@article{trashed1, title = {%s}, author = {%s}, year = {%s}}\n@misc{%s, title = {Taken}}\n",
		entries[7].Get("title"), entries[7].Get("author"), entries[7].Get("year"),
		entries[9].Get("title"), entries[9].Get("author"), entries[9].Get("year"), entries[11].Key)
	setUp := func() *Library {
		l := mustOpen(t)
		if _, err := l.Import(ctx, bib.Parse("before.bib", []byte(before))); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Trash(ctx, "trashed1"); err != nil {
			t.Fatal(err)
		}
		return l
	}

	bulk, err := setUp().Import(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	var pieces Report
	l := setUp()
	for i := 0; i < len(f.Items); i += bulkThreshold - 1 {
		piece := &bib.File{Name: f.Name, Items: f.Items[i:min(i+bulkThreshold-1, len(f.Items))]}
		rep, err := l.Import(ctx, piece)
		if err != nil {
			t.Fatal(err)
		}
		pieces.Add(rep)
	}
	// An entry whose key an earlier entry of the file has is said to clash with that entry of
	// the file; imported in pieces, that entry may be in an earlier piece, in the library.
	inFile := regexp.MustCompile(`the entry ("[^"]*") of line \d+, which bibtex reads under this key,`)
	for i := range bulk.Problems {
		bulk.Problems[i].Msg = inFile.ReplaceAllString(bulk.Problems[i].Msg, "the library's $1")
	}
	for i := range pieces.Problems {
		pieces.Problems[i].Msg = inFile.ReplaceAllString(pieces.Problems[i].Msg, "the library's $1")
	}
	dups := 0
	for _, p := range bulk.Problems {
		if bytes.Contains([]byte(p.Msg), []byte("may have this paper")) {
			dups++
		}
	}
	if dups < 10 {
		t.Fatalf("only %d possible duplicates reported: the test needs more", dups)
	}
	if len(bulk.Possible) != dups || !slices.Equal(bulk.Possible, pieces.Possible) {
		t.Errorf("bulk import: %d possible duplicates listed for %d reported; row by row: %d", len(bulk.Possible), dups, len(pieces.Possible))
	}
	if bulk.Imported != pieces.Imported || bulk.Duplicates != pieces.Duplicates || !slices.Equal(bulk.Problems, pieces.Problems) {
		t.Errorf("bulk import: %d imported, %d duplicates, %d problems; row by row: %d, %d, %d",
			bulk.Imported, bulk.Duplicates, len(bulk.Problems), pieces.Imported, pieces.Duplicates, len(pieces.Problems))
		for i := range min(len(bulk.Problems), len(pieces.Problems)) {
			if bulk.Problems[i] != pieces.Problems[i] {
				t.Fatalf("first difference, problem %d:\n bulk:       %v\n row by row: %v", i, bulk.Problems[i], pieces.Problems[i])
			}
		}
	}
}

// TestFieldsJSON checks the hand-written encoder of the fields column against encoding/json.
func TestFieldsJSON(t *testing.T) {
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 2000, 5); err != nil {
		t.Fatal(err)
	}
	var lists [][]bib.Field
	for _, e := range append(bib.Parse("s.bib", src.Bytes()).Entries(), sample(t).Entries()...) {
		lists = append(lists, e.Fields)
	}
	for _, s := range []string{"", "a\xffb", "\xe2\x80", "<&>\u2028\u2029 \x01\x1f\x7f\"\\ \t\b\f\r\n", "G{\\\"o}del Gödel 日本"} {
		lists = append(lists, []bib.Field{{Name: s, Raw: s, Value: s, Duplicate: true}, {Name: "n", Raw: s},
			{Name: "braced", Raw: "{" + s + "}", Value: s}, {Name: "braced twice", Raw: "{{" + s + "}}", Value: "{" + s + "}"},
			{Name: "not braced", Raw: "{" + s + "}", Value: s + " "}})
	}
	lists = append(lists, nil)
	for _, fields := range lists {
		stored := make([]storedField, len(fields))
		for i, f := range fields {
			stored[i] = storedField{Name: f.Name, Raw: &f.Raw, Value: f.Value, Duplicate: f.Duplicate}
			if bracedValue(&f) {
				stored[i].Raw = nil
			}
		}
		want, err := json.Marshal(stored)
		if err != nil {
			t.Fatal(err)
		}
		got := appendFieldsJSON(nil, fields)
		if !bytes.Equal(got, want) {
			t.Fatalf("fields JSON:\n got %s\nwant %s", got, want)
		}
		// Read back, the fields are what was written, raw text and all (but invalid UTF-8, which
		// JSON holds as U+FFFD).
		if !utf8.Valid(got) || bytes.Contains(got, []byte(`\ufffd`)) {
			continue
		}
		var e bib.Entry
		if err := decodeFields(&e, string(got)); err != nil {
			t.Fatal(err)
		}
		for i := range fields {
			fields[i].Line = 0
		}
		if !slices.Equal(e.Fields, fields) && len(fields) > 0 {
			t.Fatalf("fields read back from %s:\n got %+v\nwant %+v", got, e.Fields, fields)
		}
	}
}
