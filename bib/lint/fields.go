package lint

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/ident"
)

// doiPrefixes are what people write before a DOI in a doi field; biblatex and the styles that
// print a doi field link it themselves, so any of them makes a broken link.
var doiPrefixes = []string{"https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/",
	"doi.org/", "dx.doi.org/", "doi:", "doi"}

// doi checks that a doi field holds one DOI, bare: a link or "doi:" before it is fixed.
func (c *checker) doi(e *bib.Entry, f *bib.Field) {
	v := strings.TrimSpace(f.Value)
	if v == "" || strings.HasPrefix(v, "10/") {
		return // short DOIs (10/abcd) are DOIs, which ident does not take from running text
	}
	id, err := ident.Parse(v)
	if err != nil || id.Kind != ident.DOI {
		why := "it is not one"
		var pe *ident.ParseError
		if errors.As(err, &pe) {
			why = pe.Reason
		} else if err == nil {
			why = "it is an " + id.Kind.String()
		}
		c.add(DOI, Warning, e, f, -1, "", "doi \"%s\" is not a DOI: %s", v, why)
		return
	}
	if v == id.Value {
		return
	}
	rest := v
	for _, p := range doiPrefixes {
		if len(rest) >= len(p) && strings.EqualFold(rest[:len(p)], p) {
			rest = strings.TrimSpace(rest[len(p):])
			break
		}
	}
	if u, err := url.PathUnescape(rest); err == nil && u == id.Value && rest != v {
		fix := ""
		if open, _, close, ok := literal(f.Raw); ok {
			fix = open + id.Value + close
		}
		c.add(DOI, Warning, e, f, -1, fix, "doi holds \"%s\": the field takes the bare DOI %s, which styles link themselves", v, id.Value)
		return
	}
	c.add(DOI, Warning, e, f, -1, "", "doi \"%s\" holds other text beside the DOI %s", v, id.Value)
}

// urlIsDOI reports a url that is the DOI's link: styles print both, or biblatex the DOI's link
// and the url, which say the same.
func (c *checker) urlIsDOI(e *bib.Entry, u, doi *bib.Field) {
	v := strings.TrimSpace(u.Value)
	d, err := ident.Parse(strings.TrimSpace(doi.Value))
	if err != nil || d.Kind != ident.DOI {
		return
	}
	lower := strings.ToLower(v)
	if !strings.HasPrefix(lower, "https://doi.org/") && !strings.HasPrefix(lower, "http://doi.org/") &&
		!strings.HasPrefix(lower, "https://dx.doi.org/") && !strings.HasPrefix(lower, "http://dx.doi.org/") {
		return
	}
	id, err := ident.Parse(v)
	if err == nil && id.Kind == ident.DOI && id.Key() == d.Key() {
		c.add(URLIsDOI, Warning, e, u, -1, "", "url only repeats the DOI %s: the doi field makes that link", d.Value)
	}
}

// isbnToken is a run of digits, dashes and X that may be an ISBN.
var isbnToken = regexp.MustCompile(`[0-9][0-9Xx\x{2010}-\x{2015}-]*`)

// isbn checks each ISBN of an isbn field (a field may list the hardcover's and the paperback's)
// with ident's checksums.
func (c *checker) isbn(e *bib.Entry, f *bib.Field) {
	v := f.Value
	tokens := isbnToken.FindAllStringIndex(v, -1)
	found := false
	for _, t := range tokens {
		tok := strings.TrimRight(v[t[0]:t[1]], "-\u2010\u2011\u2012\u2013\u2014\u2015")
		digits := countISBNDigits(tok)
		if digits < 9 && len(tokens) > 1 {
			continue // a number beside the ISBNs: (v. 2), 2nd ed.
		}
		if digits < 9 {
			// Groups separated by spaces (978 0 19 953592 7): the field's digits as one.
			tok = v
		}
		found = true
		if _, err := ident.Parse("ISBN " + tok); err != nil {
			var pe *ident.ParseError
			why := err.Error()
			if errors.As(err, &pe) {
				why = pe.Reason
			}
			c.add(ISBN, Warning, e, f, rawOffset(f, t[0], tok), "", "isbn \"%s\": %s", strings.TrimSpace(tok), why)
		}
	}
	if !found && strings.TrimSpace(v) != "" {
		c.add(ISBN, Warning, e, f, -1, "", "isbn \"%s\" holds no ISBN", strings.TrimSpace(v))
	}
}

func countISBNDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' || s[i] == 'X' || s[i] == 'x' {
			n++
		}
	}
	return n
}

// issnToken is an ISSN as written: four digits, a dash (or none), three digits and a check
// digit or X.
var issnToken = regexp.MustCompile(`\b[0-9]{4}-?[0-9]{3}[0-9Xx]\b`)

// issn checks each ISSN of an issn field (the print and the electronic one) by its check digit.
func (c *checker) issn(e *bib.Entry, f *bib.Field) {
	v := f.Value
	found := issnToken.FindAllStringIndex(v, -1)
	if len(found) == 0 {
		if strings.TrimSpace(v) != "" {
			c.add(ISSN, Warning, e, f, -1, "", "issn \"%s\" holds no ISSN (NNNN-NNNC)", strings.TrimSpace(v))
		}
		return
	}
	for _, t := range found {
		tok := v[t[0]:t[1]]
		d := strings.ReplaceAll(tok, "-", "")
		if want := issnCheck(d[:7]); want != upper(d[7]) {
			c.add(ISSN, Warning, e, f, rawOffset(f, t[0], tok), "", "issn %s: checksum fails (the check digit would be %c)", tok, want)
		}
	}
}

// issnCheck returns the check digit of an ISSN's first seven digits (ISO 3297: weights 8 to 2,
// modulo 11, 10 written X).
func issnCheck(d string) byte {
	sum := 0
	for i := 0; i < 7; i++ {
		sum += int(d[i]-'0') * (8 - i)
	}
	switch c := (11 - sum%11) % 11; c {
	case 10:
		return 'X'
	default:
		return byte('0' + c)
	}
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// year checks that a year is four digits: styles sort and label by it, and biber reads a year
// that is not a number as no year.
func (c *checker) year(e *bib.Entry, f *bib.Field) {
	v := strings.TrimSpace(f.Value)
	if v == "" {
		return
	}
	if len(v) == 4 && allDigits(v) {
		return
	}
	c.add(Year, Warning, e, f, -1, "", "year \"%s\" is not a four-digit year: styles sort and label by it, and biber reads no year from it", v)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// date checks a biblatex date field (date, urldate, origdate, eventdate) against what biber
// reads: ISO 8601-2 Extended Date/Time Format levels 0 and 1.
func (c *checker) date(e *bib.Entry, f *bib.Field) {
	v := strings.TrimSpace(f.Value)
	if v == "" {
		return
	}
	if why := checkDate(v); why != "" {
		c.add(Date, Warning, e, f, -1, "", "%s \"%s\" is not a date biblatex reads: %s", f.Name, v, why)
	}
}

// pages reports a page range written with one hyphen (12-34), which styles print as a hyphen:
// the range dash is --. Only a value that is one range of two page numbers is reported (a value
// with -- in it may use - inside its page numbers, A-1--A-10), and fixed.
func (c *checker) pages(e *bib.Entry, f *bib.Field) {
	v := f.Value
	i := strings.IndexByte(v, '-')
	if i < 0 || strings.Count(v, "-") != 1 || !pageNumber(strings.TrimSpace(v[:i])) || !pageNumber(strings.TrimSpace(v[i+1:])) {
		return
	}
	fix := ""
	if open, body, close, ok := literal(f.Raw); ok && strings.Count(body, "-") == 1 {
		fix = open + strings.Replace(body, "-", "--", 1) + close
	}
	c.add(Pages, Warning, e, f, rawOffset(f, i, "-"), fix, "pages \"%s\": a page range takes -- (an en dash), not -", v)
}

// pageNumber reports whether s is a page number: letters and digits with a digit (e12, S3,
// 117), or a roman numeral (xii).
func pageNumber(s string) bool {
	if s == "" {
		return false
	}
	digit, roman := false, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
			roman = false
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			if !strings.ContainsRune("ivxlcdmIVXLCDM", rune(c)) {
				roman = false
			}
		default:
			return false
		}
	}
	return digit || roman
}

// caps reports the words of a title with a capital after their first letter, outside braces:
// a style that sets titles in sentence case (plain, alpha, most journal styles) lowercases them.
// Bracing is no certain fix (a title-case word after a hyphen, a name the style may lowercase
// on purpose), so none is given.
func (c *checker) caps(e *bib.Entry, f *bib.Field) {
	if !innerCapital(f.Value) {
		return // most titles: no word to split and look at
	}
	for _, w := range bib.InnerCapitals(f.Value) {
		for _, part := range splitHyphens(w) {
			c.add(UnprotectedCaps, Warning, e, f, rawOffset(f, part.At, part.Text), "",
				"title: styles that set titles in sentence case lowercase \"%s\": write {%s} to keep its capitals", part.Text, part.Text)
		}
	}
}

// innerCapital reports whether s may have a word with a capital after its first letter: an
// ASCII capital after a letter or digit, or any character beyond ASCII.
func innerCapital(s string) bool {
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c >= 'A' && c <= 'Z' && (isLetterDigit(s[i-1]) || s[i-1] >= utf8.RuneSelf) {
			return true
		}
	}
	return false
}

func isLetterDigit(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// splitHyphens returns the parts of a word, between hyphens and slashes, that have a capital
// after their first letter: none of Non-Linear, GPT of GPT-4.
func splitHyphens(w bib.TitleWord) []bib.TitleWord {
	if !strings.ContainsAny(w.Text, "-/") {
		return []bib.TitleWord{w}
	}
	var out []bib.TitleWord
	at := 0
	for _, p := range strings.FieldsFunc(w.Text, func(r rune) bool { return r == '-' || r == '/' }) {
		at += strings.Index(w.Text[at:], p)
		if _, size := utf8.DecodeRuneInString(p); strings.ContainsFunc(p[size:], isUpper) {
			out = append(out, bib.TitleWord{Text: p, At: w.At + at})
		}
		at += len(p)
	}
	return out
}

func isUpper(r rune) bool { return unicode.IsUpper(r) }

// etAlRE matches "et al." written at the end of a name list, with what joins it to the names.
// It leaves out "et al." inside braces, which are one name as written ({Ball et al.}).
var etAlRE = regexp.MustCompile(`(?i)(?:[\s~]+and)?[\s~,]+et[\s~]*\.?[\s~]*al(?:ii|ia)?\.?[\s~]*$`)

// etAl reports "et al." written out in a name list: BibTeX reads it as a person named "al."
// with first names "et", and biblatex likewise; "and others" is the list's way of saying it.
func (c *checker) etAl(e *bib.Entry, f *bib.Field) {
	tail := f.Value[max(0, len(f.Value)-12):]
	if indexFold(tail, "al") < 0 {
		return // the expression would read the whole list to find nothing
	}
	m := etAlRE.FindStringIndex(f.Value)
	if m == nil {
		return
	}
	fix := ""
	if open, body, close, ok := literal(f.Raw); ok && body == f.Value {
		fix = open + body[:m[0]] + " and others" + close
	}
	match := f.Value[m[0]:m[1]]
	et := strings.Index(strings.ToLower(match), "et")
	c.add(EtAl, Warning, e, f, rawOffset(f, m[0]+et, match[et:]), fix,
		"%s: \"%s\" is read as a name: write \"and others\"", f.Name, strings.TrimSpace(match[et:]))
}

// nonASCII reports the first non-ASCII character of a text field, for a BibTeX that reads
// bytes: export --ascii writes such text as LaTeX, and so does the fix.
func (c *checker) nonASCII(e *bib.Entry, f *bib.Field) {
	if bib.IsVerbatim(f.Name) || isASCII(f.Raw) {
		return
	}
	i := 0
	for i < len(f.Raw) && f.Raw[i] < utf8.RuneSelf {
		i++
	}
	r, _ := utf8.DecodeRuneInString(f.Raw[i:])
	fix := ""
	if _, _, _, ok := literal(f.Raw); ok {
		if latex, left := bib.ToLaTeXReport(f.Raw); len(left) == 0 {
			fix = latex
		}
	}
	c.add(NonASCII, Warning, e, f, i, fix, "%s has non-ASCII text (\"%c\"), which a BibTeX without UTF-8 misreads", f.Name, r)
}
