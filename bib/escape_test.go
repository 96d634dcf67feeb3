package bib

import (
	"encoding/binary"
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Deep Learning", "Deep Learning"},
		{"R&D at 50% off: $5 #1 a_b", `R\&D at 50\% off: \$5 \#1 a\_b`},
		{"{braces} and \\back", `\{braces\} and {\textbackslash}back`},
		{"a} lone {brace", `a{\textbraceright} lone {\textbraceleft}brace`},
		{"x~y^2", `x{\textasciitilde}y{\textasciicircum}2`},
		{"  Gödel,\n\tEscher  ", "Gödel, Escher"},
	} {
		got := Escape(tt.in)
		if got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !Balanced(got) {
			t.Errorf("Escape(%q) = %q: unbalanced", tt.in, got)
		}
		if back, want := Plain(got), strings.Join(strings.Fields(tt.in), " "); back != want {
			t.Errorf("Plain(Escape(%q)) = %q, want %q", tt.in, back, want)
		}
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"a&b", `\{}`, "~^_", "Gödel"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Escape(s)
		if !Balanced(got) {
			t.Fatalf("Escape(%q) = %q: unbalanced", s, got)
		}
		// As written first: the braces alone decide which replacer escapes the words.
		w := strings.Join(strings.Fields(s), " ")
		want := loneBraces.Replace(w)
		if Balanced(strings.Map(func(r rune) rune {
			if r == '{' || r == '}' {
				return r
			}
			return -1
		}, w)) {
			want = escapes.Replace(w)
		}
		if got != want {
			t.Fatalf("Escape(%q) = %q, want %q", s, got, want)
		}
	})
}

func FuzzWords(f *testing.F) {
	for _, s := range []string{"", " ", "a b", "a  b", " a", "a ", "a\tb", "é b", "a\u00a0b", "a\u0085", "\xff b", "x\xc3 y",
		"Deep learning for graphs", "Deep learning  for graphs", "Deep learning for graphs ", "Deeplearning\nforgraphs",
		"abcdefgh ijklmnop", "abcdefgh  ijklmnop", "abcdefghijklmnop\u3000", "abcdefg\x7f ijklmno"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Words(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Fatalf("Words(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestSingleSpaces checks the word-at-a-time test of Words and messySpace against the bytes one
// by one: every byte value at every place of a word, beside a space or not, after a space or
// not, with bytes over 0x7f allowed or not.
func TestSingleSpaces(t *testing.T) {
	check := func(b [8]byte, after, nonASCII bool) {
		wantOK, last := true, after
		for _, c := range b {
			if c < 0x20 || c >= 0x80 && !nonASCII || c == ' ' && last {
				wantOK = false
			}
			last = c == ' '
		}
		x := binary.LittleEndian.Uint64(b[:])
		gotLast, ok := singleSpaces(x, after, nonASCII)
		if ok != wantOK || ok && gotLast != (b[7] == ' ') {
			t.Errorf("singleSpaces(%q, %v, %v) = %v, %v", b[:], after, nonASCII, gotLast, ok)
		}
	}
	for at := range 8 {
		for c := range 256 {
			for _, other := range []byte{'a', ' ', 0xc3} {
				for at2 := range 8 {
					b := [8]byte{'w', 'o', 'r', 'd', 's', '!', '{', '~'}
					b[at2] = other
					b[at] = byte(c)
					for _, after := range []bool{false, true} {
						check(b, after, false)
						check(b, after, true)
					}
				}
			}
		}
	}
}

// FuzzBalanced checks Balanced, which passes over eight bytes at a time, against the count byte
// by byte.
func FuzzBalanced(f *testing.F) {
	for _, s := range []string{"{a}", "no braces at all here", "}{", "0123456{}abcdefg{", "{{{{{{{{}}}}}}}}x", "\xfb\xfd{z}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		depth, want := 0, true
		for i := 0; i < len(s) && want; i++ {
			switch s[i] {
			case '{':
				depth++
			case '}':
				depth--
				want = depth >= 0
			}
		}
		want = want && depth == 0
		if got := Balanced(s); got != want {
			t.Fatalf("Balanced(%q) = %v, want %v", s, got, want)
		}
	})
}
