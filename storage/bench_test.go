package storage

import (
	"context"
	"fmt"
	"os"
	"testing"
)

func BenchmarkImportSample(b *testing.B) {
	src, err := os.ReadFile("../assets/sample-library.bib")
	if err != nil {
		b.Fatal(err)
	}
	benchImport(b, src, 56, ImportOptions{}, readBibTeX)
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
