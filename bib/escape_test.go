package bib

import (
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
