package bib

import "strings"

// escapes are the characters that BibTeX or LaTeX give a meaning, written so that they read as
// themselves.
var escapes = strings.NewReplacer(
	`\`, `{\textbackslash}`,
	`{`, `{\textbraceleft}`, // not \{: BibTeX counts an escaped brace, and one alone unbalances
	`}`, `{\textbraceright}`,
	`&`, `\&`,
	`%`, `\%`,
	`$`, `\$`,
	`#`, `\#`,
	`_`, `\_`,
	`~`, `{\textasciitilde}`,
	`^`, `{\textasciicircum}`,
)

// Escape turns plain text (a title from a registry, a field of a RIS file) into BibTeX text,
// for Entry.Set, that reads back as the same text: the characters that BibTeX and LaTeX give a
// meaning (\ { } & % $ # _ ~ ^) are escaped, runs of white space (line breaks included) become
// one space, and non-ASCII letters stay as they are (the export writes them as LaTeX when the
// user asks for ASCII). Plain(Escape(s)) is s with its white space collapsed.
//
// It is for text fields. Fields that are not LaTeX text (url, doi, eprint, file) take their
// value as it is: there a backslash or a brace is part of the value.
func Escape(s string) string {
	return escapes.Replace(strings.Join(strings.Fields(s), " "))
}
