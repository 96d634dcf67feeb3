package bib

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// escapes are the characters that BibTeX or LaTeX give a meaning, written so that they read as
// themselves; braces are written \{ and \}, which BibTeX counts as braces, in text whose braces
// pair (escapes), and {\textbraceleft} and {\textbraceright} otherwise (loneBraces), where a
// lone \{ would leave the value unbalanced.
var (
	escapes = strings.NewReplacer(
		`\`, `{\textbackslash}`,
		`{`, `\{`,
		`}`, `\}`,
		`&`, `\&`,
		`%`, `\%`,
		`$`, `\$`,
		`#`, `\#`,
		`_`, `\_`,
		`~`, `{\textasciitilde}`,
		`^`, `{\textasciicircum}`,
	)
	loneBraces = strings.NewReplacer(
		`\`, `{\textbackslash}`,
		`{`, `{\textbraceleft}`,
		`}`, `{\textbraceright}`,
		`&`, `\&`,
		`%`, `\%`,
		`$`, `\$`,
		`#`, `\#`,
		`_`, `\_`,
		`~`, `{\textasciitilde}`,
		`^`, `{\textasciicircum}`,
	)
)

// Escape turns plain text (a title from a registry, a field of a RIS file) into BibTeX text,
// for Entry.Set, that reads back as the same text: the characters that BibTeX and LaTeX give a
// meaning (\ { } & % $ # _ ~ ^) are escaped, runs of white space (line breaks included) become
// one space, and non-ASCII letters stay as they are (the export writes them as LaTeX when the
// user asks for ASCII). Plain(Escape(s)) is s with its white space collapsed, and the result is
// always Balanced.
//
// It is for text fields. Fields that are not LaTeX text (url, doi, eprint, file) take their
// value as it is: there a backslash or a brace is part of the value.
func Escape(s string) string {
	s = Words(s)
	if Balanced(s) {
		return escapes.Replace(s)
	}
	return loneBraces.Replace(s)
}

// word8 is the first eight bytes of s (at least eight) as one word, the first in its low byte,
// for the tests of eight bytes at a time.
func word8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// singleSpaces reports whether the eight bytes of x (the first in its low byte) are free of
// control characters (and, unless nonASCII, of bytes over 0x7f), with no two spaces together and
// no space first when after (a space before them), and whether the last is a space. The tests
// are a word at a time, as in "Bit Twiddling Hacks": a byte b < n sets its high bit in
// (x - n·0x01…) &^ x, which may also set the bits of the bytes above it (enough to say some
// byte is below n), and ^(((y&0x7f…)+0x7f…)|y|0x7f…) sets exactly the high bits of y's zero
// bytes.
func singleSpaces(x uint64, after, nonASCII bool) (last, ok bool) {
	const ones, highs, lows = 0x0101010101010101, 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
	bad := (x - 0x20*ones) &^ x // a control character
	if !nonASCII {
		bad |= x
	}
	if bad&highs != 0 {
		return false, false
	}
	y := x ^ 0x20*ones
	sp := ^((y&lows + lows) | y | lows) // the high bit of each space
	if sp&(sp<<8) != 0 || after && sp&0x80 != 0 {
		return false, false
	}
	return sp>>63 != 0, true
}

// Words returns strings.Join(strings.Fields(s), " "): s with each run of white space (Unicode's)
// made one space, and none at either end. It is s itself, not a copy, when s has no white space
// but single spaces between words, as most values have.
func Words(s string) string {
	space := true // the last character was a space, or s begins
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			// Skip eight bytes at a time while each is printable ASCII or a space, no two
			// spaces together.
			x := word8(s[i:])
			if sp, ok := singleSpaces(x, space, false); ok {
				space = sp
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '\t', '\n', '\v', '\f', '\r':
				return strings.Join(strings.Fields(s), " ")
			case ' ':
				if space {
					return strings.Join(strings.Fields(s), " ")
				}
				space = true
			default:
				space = false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			return strings.Join(strings.Fields(s), " ")
		}
		space = false
		i += n
	}
	if space && s != "" {
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}
