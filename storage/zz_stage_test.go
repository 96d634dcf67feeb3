package storage

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
)

func TestZZStages(t *testing.T) {
	var src bytes.Buffer
	bib.Synthetic(&src, 100000, 1)
	ctx := context.Background()
	l, _ := Open(ctx, filepath.Join(t.TempDir(), "x.sqlite"))
	defer l.Close()
	start := time.Now()
	last := start
	stage := func(name string) {
		now := time.Now()
		t.Logf("%-10s +%v (at %v)", name, now.Sub(last).Round(time.Millisecond), now.Sub(start).Round(time.Millisecond))
		last = now
	}
	done := false
	_, err := l.ImportReader(ctx, bib.NewReader("b.bib", src.String()), ImportOptions{
		Progress: func(d, n int) { if d == n && !done { done = true; stage("read") } },
		Stage: func(s string) { stage(s) }, IndexLater: os.Getenv("LATER") != "",
	})
	stage("end")
	if err != nil { t.Fatal(err) }
	n, _ := l.PendingSearch(ctx)
	t.Logf("pending %d", n)
	if err := l.IndexPending(ctx); err != nil { t.Fatal(err) }
	stage("indexed")
	if _, err := l.db.Exec(`INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 1)`); err != nil { t.Fatal(err) }
}

func TestZZCLI(t *testing.T) {
	start := time.Now()
	src, _ := os.ReadFile("/tmp/100k.bib")
	ctx := context.Background()
	l, err := Open(ctx, filepath.Join(t.TempDir(), "x.sqlite"))
	if err != nil { t.Fatal(err) }
	t.Logf("open %v", time.Since(start))
	_, err = l.ImportReader(ctx, bib.NewReader("b.bib", string(src)), ImportOptions{Stage: func(s string) { t.Logf("%s %v", s, time.Since(start)) }})
	t.Logf("import %v", time.Since(start))
	l.Close()
	t.Logf("close %v", time.Since(start))
	if err != nil { t.Fatal(err) }
}
