package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

func BenchmarkImportSample(b *testing.B) {
	ctx := context.Background()
	f := sample(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		l, err := Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("lib%d.sqlite", i)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if rep, err := l.Import(ctx, f); err != nil || rep.Imported != 56 {
			b.Fatal(rep, err)
		}
		b.StopTimer()
		l.Close()
		b.StartTimer()
	}
}

func BenchmarkSearchSample(b *testing.B) {
	ctx := context.Background()
	l := mustOpen(b)
	if _, err := l.Import(ctx, sample(b)); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{"", "representation", "contrastive learning"} {
		b.Run(fmt.Sprintf("%q", q), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.Search(ctx, q, 0, 100); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
