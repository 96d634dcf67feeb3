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

// Words returns strings.Join(strings.Fields(s), " "): s with each run of white space (Unicode's)
// made one space, and none at either end. It is s itself, not a copy, when s has no white space
// but single spaces between words, as most values have.
func Words(s string) string {
	space := true // the last character was a space, or s begins
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			// Skip eight bytes at a time while each is printable ASCII other than a space.
			x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			if (x-0x2121212121212121)&^x&0x8080808080808080 == 0 && x&0x8080808080808080 == 0 {
				space = false
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
