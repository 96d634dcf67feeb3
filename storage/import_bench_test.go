package storage

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
)

// benchImport imports a .bib file holding n entries into a new library per iteration.
func benchImport(b *testing.B, src []byte, n int) {
	ctx := context.Background()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		l, err := Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("lib%d.sqlite", i)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := l.Import(ctx, bib.Parse("bench.bib", src))
		if err != nil || rep.Imported+rep.Duplicates != n {
			b.Fatal(rep.Imported, rep.Duplicates, err)
		}
		b.StopTimer()
		l.Close()
		b.StartTimer()
	}
}

func benchImportSynthetic(b *testing.B, n int) {
	var src bytes.Buffer
	if err := bib.Synthetic(&src, n, 1); err != nil {
		b.Fatal(err)
	}
	benchImport(b, src.Bytes(), n)
}

func BenchmarkImport20k(b *testing.B)  { benchImportSynthetic(b, 20000) }
func BenchmarkImport100k(b *testing.B) { benchImportSynthetic(b, 100000) }
