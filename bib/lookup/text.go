package lookup

import (
	"html"
	"regexp"

	"github.com/bibshelf/bibshelf/bib"
)

var tag = regexp.MustCompile(`<[^>]*>`)

// markupText turns text with markup into BibTeX text: the tags dropped, entities decoded.
func markupText(s string) string {
	return bib.Escape(html.UnescapeString(tag.ReplaceAllString(s, "")))
}

// titleText is markupText for a title.
func titleText(s string) string { return markupText(s) }

// escapeText escapes plain text for BibTeX, keeping its edges' spaces, which bib.Escape
// drops, so that pieces joined read as the whole.
func escapeText(s string) string {
	e := bib.Escape(s)
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
