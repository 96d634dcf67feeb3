package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
)

// holdWriteLock begins a write transaction on a connection of its own, as another process's
// import would, and returns what ends it.
func holdWriteLock(tb testing.TB, path string) (release func()) {
	tb.Helper()
	writer := rawDB(tb, path, "?_txlock=immediate&_busy_timeout=10000")
	tx, err := writer.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE entries SET title = 'changing' WHERE key = 'vinyals2015pointer'`); err != nil {
		tb.Fatal(err)
	}
	done := false
	release = func() {
		if !done {
			done = true
			tx.Rollback()
		}
	}
	tb.Cleanup(release)
	return release
}

// TestOpenTakesNoWriteLock opens an up-to-date library while another connection holds the write
// lock (a long import): opening, searching, exporting and IndexPending with nothing to index
// must not wait for it.
func TestOpenTakesNoWriteLock(t *testing.T) {
	ctx := context.Background()
	made := mustOpen(t)
	// An entry with nothing to compare it by keeps empty identity columns, which the backfill
	// at Open looks at.
	f := bib.Parse("t.bib", append(bytes.Clone(sampleBytes(t)), "\n@misc{noIdentity, note = {nothing to compare}}\n"...))
	if _, err := made.Import(ctx, f); err != nil {
		t.Fatal(err)
	}
	path := made.Path()
	made.Close()

	holdWriteLock(t, path)

	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	l, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open while another connection writes: %v (after %s)", err, time.Since(start).Round(time.Millisecond))
	}
	defer l.Close()
	if err := l.IndexPending(ctx); err != nil {
		t.Fatalf("IndexPending: %v", err)
	}
	rows, err := l.Search(ctx, "pointer networks", 0, 10)
	if err != nil || len(rows) != 1 || rows[0].Title != "Pointer Networks" {
		t.Errorf("Search = %v, %v", rows, err)
	}
	if n, err := l.Export(ctx, new(bytes.Buffer), ExportOptions{}); n != 57 || err != nil {
		t.Errorf("Export = %d, %v", n, err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("opening, searching and exporting took %s: they waited for the writer", took)
	}
}

func sampleBytes(tb testing.TB) []byte {
	tb.Helper()
	src, err := os.ReadFile("../assets/sample-library.bib")
	if err != nil {
		tb.Fatal(err)
	}
	return src
}

// TestImportWaitsForWriter imports while another connection holds the write lock: with
// ImportOptions.Waiting the import says it waits, waits as long as the lock is held, and imports
// once it is released; cancelling its context ends the wait.
func TestImportWaitsForWriter(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	release := holdWriteLock(t, l.Path())

	var told atomic.Int32
	var took time.Duration
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := l.ImportWith(ctx, bib.Parse("w.bib", []byte("@misc{waited, title = {Waited}}")), ImportOptions{Waiting: func() { told.Add(1) }})
		took = time.Since(start)
		done <- err
	}()
	// Longer than the first, silent, step and a few more.
	time.Sleep(waitQuietly + 4*waitStep)
	if n := told.Load(); n != 1 {
		t.Errorf("Waiting was called %d times, want once", n)
	}
	select {
	case err := <-done:
		t.Fatalf("the import ended while another connection held the lock: %v", err)
	default:
	}
	release()
	if err := <-done; err != nil {
		t.Fatalf("import after the lock was released: %v (after %s)", err, took)
	}
	if _, err := l.Entry(ctx, "waited"); err != nil {
		t.Errorf("the entry is not in the library: %v", err)
	}
	if n := told.Load(); n != 1 {
		t.Errorf("Waiting was called %d times, want once", n)
	}

	// Cancelled while it waits.
	holdWriteLock(t, l.Path())
	cctx, cancel := context.WithCancel(ctx)
	waiting := make(chan struct{})
	go func() {
		_, err := l.ImportWith(cctx, bib.Parse("c.bib", []byte("@misc{cancelled, title = {C}}")), ImportOptions{Waiting: func() { close(waiting) }})
		done <- err
	}()
	select {
	case <-waiting:
	case <-time.After(5 * time.Second):
		t.Fatal("Waiting was not called")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled import: %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("cancelling did not end the wait")
	}
}
