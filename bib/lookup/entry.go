package lookup

import (
	"regexp"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// builder fills an entry, skipping empty values.
type builder struct{ e *bib.Entry }

func newBuilder(typ string) *builder { return &builder{e: &bib.Entry{Type: typ}} }

// text sets a text field from plain text, escaped for BibTeX.
func (b *builder) text(name, s string) {
	if s = clean(s); s != "" {
		b.e.Set(name, escapePlain(s))
	}
}

// markup sets a text field from text with JATS, HTML or MathML markup.
func (b *builder) markup(name, s string) {
	if s = strings.TrimSpace(s); s != "" {
		if v := markupText(s); v != "" {
			b.e.Set(name, v)
		}
	}
}

// title sets the title from marked-up text, its case protected for BibTeX styles.
func (b *builder) title(name, s string) {
	if s = strings.TrimSpace(s); s != "" {
		if v := titleText(s); v != "" {
			b.e.Set(name, v)
		}
	}
}

// raw sets a field that is not LaTeX text (doi, url, eprint, isbn, issn) as it is; braces
// that do not balance are percent-encoded, as BibTeX could not read them.
func (b *builder) raw(name, s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	if !bib.Balanced(s) {
		s = strings.NewReplacer("{", "%7B", "}", "%7D").Replace(s)
	}
	b.e.Set(name, s)
}

// names sets a name list already written as BibTeX names.
func (b *builder) names(name string, names []string) {
	if v := joinNames(names); v != "" {
		b.e.Set(name, v)
	}
}

// pageRange matches a range of pages or article numbers: 155-158, e12–e19, S1 - S9.
var pageRange = regexp.MustCompile(`^\s*([A-Za-z]*\d+[A-Za-z]*)\s*(?:-+|–|—|‐|‑)\s*([A-Za-z]*\d+[A-Za-z]*)\s*$`)

// pages sets the pages with the range written "--", as BibTeX styles expect.
func (b *builder) pages(s string) {
	if m := pageRange.FindStringSubmatch(s); m != nil {
		b.e.Set("pages", escapePlain(m[1])+"--"+escapePlain(m[2]))
		return
	}
	b.text("pages", s)
}

var monthMacros = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// date sets year and month (1-12; 0 for none); the month as its macro.
func (b *builder) date(year, month int) {
	if year <= 0 {
		return
	}
	b.e.Set("year", itoa(year))
	if month >= 1 && month <= 12 {
		b.e.Set("month", monthMacros[month-1])
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}
