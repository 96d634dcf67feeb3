package lookup

import (
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// markupText turns a registry's text with JATS, HTML or MathML markup into BibTeX text.
func markupText(s string) string { return bib.FromMarkup(s) }

// titleText is markupText for a title, its proper nouns and acronyms braced.
func titleText(s string) string { return bib.ProtectCase(bib.FromMarkup(s)) }

var (
	bracesOut = strings.NewReplacer("{", "\x00L", "}", "\x00R")
	bracesIn  = strings.NewReplacer("\x00L", `{\textbraceleft}`, "\x00R", `{\textbraceright}`)
)

// escapePlain escapes plain text as bib.Escape does, but writes its braces as
// {\textbraceleft} and {\textbraceright}: BibTeX counts \{ as a brace, and a registry's text
// may hold a brace that does not balance, which Entry.Set would refuse.
func escapePlain(s string) string {
	return bracesIn.Replace(bib.Escape(bracesOut.Replace(s)))
}

// escapeText is escapePlain keeping the spaces at the text's ends, which bib.Escape drops,
// so that pieces joined read as the whole.
func escapeText(s string) string {
	e := escapePlain(s)
	if e == "" {
		if s != "" {
			return " "
		}
		return ""
	}
	if s[0] == ' ' {
		e = " " + e
	}
	if s[len(s)-1] == ' ' {
		e += " "
	}
	return e
}

func balanced(s string) bool { return bib.Balanced(s) }
