package bib

import (
	"os"
	"testing"
)

func BenchmarkParseSample(b *testing.B) {
	src, err := os.ReadFile("../assets/sample-library.bib")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if f := Parse("sample-library.bib", src); len(f.Items) == 0 {
			b.Fatal("nothing parsed")
		}
	}
}
