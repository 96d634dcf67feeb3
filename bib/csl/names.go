package csl

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
)

// Name is a CSL name object.
type Name struct {
	DroppingParticle    string `json:"dropping-particle,omitempty"`
	Family              string `json:"family,omitempty"`
	Given               string `json:"given,omitempty"`
	Literal             string `json:"literal,omitempty"`
	NonDroppingParticle string `json:"non-dropping-particle,omitempty"`
	Suffix              string `json:"suffix,omitempty"`
}

// bibtexName writes a CSL name as one BibTeX name: "von Last, Jr, First", both particles in the
// von part; a literal name (or a family name alone that holds a space) braced whole, so that
// BibTeX reads it as one last name; "others" as BibTeX's "and others".
func bibtexName(n Name) string {
	clean := bib.Words
	lit, family, given := clean(n.Literal), clean(n.Family), clean(n.Given)
	if lit == "" && given == "" && n.DroppingParticle == "" && n.NonDroppingParticle == "" && n.Suffix == "" {
		lit = family
		if !strings.ContainsAny(family, " ,") && family != "" {
			return part(family)
		}
	}
	if lit != "" {
		if lit == "others" {
			return lit
		}
		return "{" + bib.Escape(lit) + "}"
	}
	var b strings.Builder
	// Room for the parts, their separators and a few braces or escapes: one allocation for the
	// name in most cases, where the Builder's growth made four.
	b.Grow(len(n.NonDroppingParticle) + len(n.DroppingParticle) + len(family) + len(given) + len(n.Suffix) + 16)
	von := clean(n.NonDroppingParticle + " " + n.DroppingParticle)
	if von != "" {
		b.WriteString(part(von))
		b.WriteByte(' ')
	}
	if family == "" {
		family = given
		given = ""
	}
	if fw := strings.Fields(family); len(fw) > 1 && !capitalised(fw[len(fw)-1]) || slices.ContainsFunc(fw, func(w string) bool { return !capitalised(w) }) && !strings.HasPrefix(family, "{") {
		// BibTeX would read a lower-case word of a family name as a von part.
		b.WriteString("{" + bib.Escape(family) + "}")
	} else {
		b.WriteString(part(family))
	}
	if s := clean(n.Suffix); s != "" {
		b.WriteString(", ")
		b.WriteString(part(s))
		b.WriteString(", ")
		b.WriteString(part(given))
	} else if given != "" {
		b.WriteString(", ")
		b.WriteString(part(given))
	}
	return b.String()
}

// part escapes one part of a name, braced when it holds a comma or an "and" that BibTeX would
// read as a separator.
func part(s string) string {
	e := bib.Escape(s)
	if strings.Contains(e, ",") || moreThanOneName(e) {
		return "{" + e + "}"
	}
	return e
}

// moreThanOneName reports whether the BibTeX name list s holds more than one name
// (bib.SplitNames), without making the list.
func moreThanOneName(s string) bool {
	n := 0
	for range bib.Names(s) {
		if n++; n > 1 {
			return true
		}
	}
	return false
}

// cslNames reads a BibTeX name list the way Pandoc's BibTeX reader does (Text.Pandoc.Citeproc.
// BibTeX, toName with the bibtex option): a name braced whole, or "others", is a literal; in
// "First von Last" the First part is the leading run of capitalised words, and in every form the
// Last part is the trailing run of capitalised words of "von Last" (or its last word), the rest
// being the von part, which Pandoc gives as dropping-particle. Parts are plain text.
func cslNames(list string) []Name {
	var names []Name
	for _, raw := range bib.SplitNames(list) {
		if n, ok := cslName(raw); ok {
			names = append(names, n)
		}
	}
	return names
}

func cslName(raw string) (Name, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "others" {
		return Name{Literal: "others"}, true
	}
	if strings.HasPrefix(raw, "{") && groupEnd(raw, 0) == len(raw) && !strings.HasPrefix(raw, `{\`) {
		return Name{Literal: bib.Plain(raw)}, true
	}
	var parts [][]string
	for _, p := range splitDepth0(raw, func(c byte) bool { return c == ',' }) {
		parts = append(parts, nameWords(spaceInitials(p)))
	}
	var first, vonlast, jr []string
	switch len(parts) {
	case 0:
		return Name{}, false
	case 1:
		fvl := parts[0]
		k := 0
		for k < len(fvl) && capitalised(fvl[k]) {
			k++
		}
		if k == len(fvl) && k > 0 {
			first, vonlast = fvl[:k-1], fvl[k-1:]
		} else {
			first, vonlast = fvl[:k], fvl[k:]
		}
	case 2:
		vonlast, first = parts[0], parts[1]
	default:
		vonlast, jr, first = parts[0], parts[1], parts[2]
	}
	k := len(vonlast)
	for k > 0 && capitalised(vonlast[k-1]) {
		k--
	}
	if k == len(vonlast) && k > 0 {
		k--
	}
	n := Name{
		Given:            plainWords(first),
		DroppingParticle: plainWords(vonlast[:k]),
		Family:           plainWords(vonlast[k:]),
		Suffix:           plainWords(jr),
	}
	return n, n != Name{}
}

func plainWords(ws []string) string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		if p := bib.Plain(w); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// capitalised is Pandoc's isCapitalized on a word: leading brace groups are passed over, digits
// too; the word is capitalised when what follows starts with an upper-case letter, or when
// nothing follows.
func capitalised(w string) bool {
	for strings.HasPrefix(w, "{") {
		w = w[groupEnd(w, 0):]
	}
	p := strings.TrimLeft(bib.Plain(w), "0123456789")
	if p == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(p)
	return unicode.IsUpper(r)
}

// nameWords splits a part of a name into words at spaces and ties (~) outside braces.
func nameWords(s string) []string {
	var out []string
	for _, w := range splitDepth0(s, func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '~' }) {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// spaceInitials writes "J.G." as "J. G.", as Pandoc does (its issue 392): a single capital letter
// and a period followed by another.
func spaceInitials(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '.' && i >= 1 && isUpperASCII(s[i-1]) && (i == 1 || !isLetterASCII(s[i-2])) &&
			i+1 < len(s) && isUpperASCII(s[i+1]) && (i+2 == len(s) || !isLetterASCII(s[i+2])) {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func isUpperASCII(c byte) bool  { return c >= 'A' && c <= 'Z' }
func isLetterASCII(c byte) bool { return isUpperASCII(c) || c >= 'a' && c <= 'z' }

// splitDepth0 splits s at the bytes sep accepts outside braces, trimming each part.
func splitDepth0(s string, sep func(byte) bool) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
		case c == '{':
			depth++
		case c == '}':
			depth--
		case depth == 0 && sep(c):
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}
