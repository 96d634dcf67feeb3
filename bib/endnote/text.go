package endnote

import (
	"strings"
	"unicode"

	"github.com/bibshelf/bibshelf/bib"
)

// segment is a run of text and the faces of the <style> elements around it.
type segment struct {
	text  string
	faces []string
}

// plainOf is the text of the segments, white space collapsed.
func plainOf(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.text)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// commands are the LaTeX commands for EndNote's faces, as Zotero's translator reads them into
// <i>, <b>, <sup> and <sub>. Other faces (normal, plain, and underline, which Zotero drops)
// add nothing.
var commands = map[string]string{
	"italic":      `\textit`,
	"bold":        `\textbf`,
	"superscript": `\textsuperscript`,
	"subscript":   `\textsubscript`,
}

// latexOf is the segments as BibTeX text: each escaped, wrapped in the commands of its faces,
// white space collapsed and kept outside the commands.
func latexOf(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		text := bib.Escape(s.text)
		if text == "" { // white space only
			if s.text != "" {
				b.WriteByte(' ')
			}
			continue
		}
		if s.text != "" && unicode.IsSpace(rune(s.text[0])) {
			b.WriteByte(' ')
		}
		var open, closing string
		for _, f := range s.faces {
			if c, ok := commands[strings.ToLower(f)]; ok && !strings.Contains(open, c+"{") {
				open += c + "{"
				closing += "}"
			}
		}
		b.WriteString(open + text + closing)
		if last := s.text[len(s.text)-1]; unicode.IsSpace(rune(last)) {
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
