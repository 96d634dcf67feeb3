package bib

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Attention Is All You Need", "Attention Is All You Need"},
		{"Gödel", "Godel"},
		{"Go\u0308del", "Godel"}, // the accent as a combining mark
		{Plain(`G{\"o}del`), "Godel"},
		{"Erdős", "Erdos"},
		{"Dvořák", "Dvorak"},
		{"Nguyễn", "Nguyen"},
		{"İstanbul", "Istanbul"},
		{"Ørsted", "Orsted"},
		{"Łukasiewicz", "Lukasiewicz"},
		{"Straße STRAẞE", "Strasse STRASSE"},
		{"Encyclopædia Ærø", "Encyclopaedia AEro"},
		{"Œuvres", "OEuvres"},
		{"Đorđević", "Dordevic"},
		{"Þórsson", "THorsson"},
		{"Ħal Far", "Hal Far"},
		{"Ɓ ɓ", "B b"},
		{"ﬁnite eﬀects", "finite effects"},
		{"x² H₂O", "x2 H2O"},
		{"Ａ ℝ", "A R"},
		{"µm", "μm"}, // the micro sign is the Greek letter
		{"ά Ω", "α Ω"},
		{"Привет 日本語", "Привет 日本語"},
		{"en–dash—em −1", "en-dash-em -1"},
		{"no\u00a0break\tthin\u2009space", "no break thin space"},
		{"a\x00b", "a b"},
		{"Intel® Xeon™ …", "Intel® Xeon™ …"}, // signs are not letters
		{"1½", "11⁄2"},                       // but ½ is a number
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFoldLetters(t *testing.T) {
	for r, s := range foldLetters {
		if d := norm.NFKD.String(string(r)); d != string(r) {
			t.Errorf("%U (%c) decomposes to %q: it needs no spelling", r, r, d)
		}
		if !isASCII(s) || s == "" {
			t.Errorf("%U (%c) is spelt %q, not in ASCII letters", r, r, s)
		}
		// A letter and its other case fold alike, so that duplicate detection, which compares
		// in lower case, finds them equal.
		for _, o := range []rune{unicode.ToLower(r), unicode.ToUpper(r)} {
			if o != r && foldLetters[o] != "" && !strings.EqualFold(foldLetters[o], s) {
				t.Errorf("%c is spelt %q, %c %q", r, s, o, foldLetters[o])
			}
			if o != r && o >= 0x80 && foldLetters[o] == "" && norm.NFKD.String(string(o)) == string(o) {
				t.Errorf("%c is spelt %q, its other case %c is not spelt", r, s, o)
			}
		}
	}
}

func TestFoldKeepsPlainASCII(t *testing.T) {
	s := "Attention Is All You Need: 50% of {it}"
	if n := testing.AllocsPerRun(10, func() { _ = Fold(s) }); n != 0 {
		t.Errorf("Fold of ASCII text allocates %v times", n)
	}
}
