package bib

import "strings"

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
	s = strings.Join(strings.Fields(s), " ")
	if Balanced(strings.Map(func(r rune) rune {
		if r == '{' || r == '}' {
			return r
		}
		return -1
	}, s)) {
		return escapes.Replace(s)
	}
	return loneBraces.Replace(s)
}
