package csl

import (
	"encoding/json"
	"testing"
)

// FuzzScanner: the scanner takes a value as valid exactly when encoding/json does, so that the
// reader reads every file as encoding/json's Decoder read it.
func FuzzScanner(f *testing.F) {
	for _, c := range edgeCases() {
		if len(c) < 64<<10 {
			f.Add([]byte(c))
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s := scanner{b: src}
		_, ok := s.value()
		if ok && !json.Valid(src[:s.i]) {
			t.Fatalf("the scanner takes %q, encoding/json does not", src[:s.i])
		}
		if !ok && json.Valid(src) {
			t.Fatalf("the scanner does not take %q", src)
		}
	})
}
