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
