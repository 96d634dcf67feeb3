package csl

import (
	"encoding/binary"
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

// TestPlain8 checks the word-at-a-time test against the bytes one by one: every byte value at
// every place of a word of plain bytes, and words of two bytes that are not.
func TestPlain8(t *testing.T) {
	plain := func(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }
	word := func(b [8]byte) uint64 { return binary.LittleEndian.Uint64(b[:]) }
	for at := range 8 {
		for c := range 256 {
			b := [8]byte{'a', 'b', ' ', '~', 'z', '!', '#', '['}
			b[at] = byte(c)
			if got := plain8(word(b)); got != plain(byte(c)) {
				t.Errorf("plain8(%q) = %v", b[:], got)
			}
			for at2 := at + 1; at2 < 8; at2++ {
				for _, c2 := range []byte{0, 0x1f, '"', '\\', 0x80, 0xff, 0x21, 0x7f} {
					b2 := b
					b2[at2] = c2
					if got, want := plain8(word(b2)), plain(byte(c)) && plain(c2); got != want {
						t.Errorf("plain8(%q) = %v", b2[:], got)
					}
				}
			}
		}
	}
}
