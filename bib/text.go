package bib

import (
	"iter"
	"slices"
	"strings"
	"unicode"
)

// SplitNames splits a BibTeX name list on "and" at brace depth 0, as BibTeX does.
func SplitNames(s string) []string {
	return slices.Collect(Names(s))
}

// Names gives the names of a BibTeX name list one by one, as SplitNames returns them, without
// making a slice: for those who need only the first name, or to know whether there are two.
func Names(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		depth, start := 0, 0
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '{':
				depth++
			case '}':
				depth--
			}
			if depth == 0 && i > start && isSpace(s[i]) && i+4 < len(s) &&
				strings.EqualFold(s[i+1:i+4], "and") && isSpace(s[i+4]) {
				if !yield(strings.TrimSpace(s[start:i])) {
					return
				}
				start = i + 4
				i += 3
			}
		}
		if last := strings.TrimSpace(s[start:]); last != "" {
			yield(last)
		}
	}
}

// lastName returns the "von Last" part of one BibTeX name: the text before the first comma in
// "von Last, First" and "von Last, Jr, First"; in "First von Last", the words from the first
// lower-case one on, or the last word.
func lastName(name string) string {
	// The parts at commas are only counted to two, without making their list: most names
	// written "von Last, First" end here.
	first, n := "", 0
	for w := range depth0Parts(name, func(c byte) bool { return c == ',' }) {
		if n++; n == 1 {
			first = w
		} else {
			return strings.TrimSpace(first)
		}
	}
	words := splitDepth0(name, isSpace)
	if len(words) == 0 {
		return ""
	}
	for i, w := range words[:len(words)-1] {
		if w != "" && w[0] != '{' && w[0] != '\\' && unicode.IsLower(rune(w[0])) {
			return strings.Join(words[i:], " ")
		}
	}
	return words[len(words)-1]
}

func splitDepth0(s string, sep func(byte) bool) []string {
	return slices.Collect(depth0Parts(s, sep))
}

// depth0Parts gives the parts of s between the bytes sep is true of at brace depth 0, leaving
// out the empty ones: splitDepth0's parts one by one, without making their list.
func depth0Parts(s string, sep func(byte) bool) iter.Seq[string] {
	return func(yield func(string) bool) {
		depth, start := 0, 0
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == '{':
				depth++
			case c == '}':
				depth--
			case depth == 0 && sep(c):
				if i > start && !yield(s[start:i]) {
					return
				}
				start = i + 1
			}
		}
		if start < len(s) {
			yield(s[start:])
		}
	}
}

// DisplayName returns one BibTeX name in reading order, as plain text: "Vinyals, Oriol" and
// "Oriol Vinyals" both give "Oriol Vinyals"; "Fontaine, Jr., Jean de la" gives
// "Jean de la Fontaine, Jr.".
func DisplayName(name string) string {
	parts := splitDepth0(name, func(c byte) bool { return c == ',' })
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return Plain(strings.Join(strings.Fields(parts[0]), " "))
	case 2:
		return Plain(strings.TrimSpace(parts[1] + " " + parts[0]))
	}
	return Plain(strings.TrimSpace(strings.Join(parts[2:], ", ")+" "+parts[0]) + ", " + parts[1])
}

// Authors returns an entry's authors for display: "Vinyals, Fortunato, Jaitly", or the editors
// when it has no authors, with "et al." for "and others".
func Authors(e *Entry) string {
	list := e.Get("author")
	if list == "" {
		list = e.Get("editor")
	}
	var lasts []string
	for n := range Names(list) {
		if strings.EqualFold(n, "others") {
			lasts = append(lasts, "et al.")
			continue
		}
		lasts = append(lasts, Plain(lastName(n)))
	}
	return strings.Join(lasts, ", ")
}

// FirstAuthor returns the last name of the entry's first author (or editor), for display.
func FirstAuthor(e *Entry) string {
	list := e.Get("author")
	if list == "" {
		list = e.Get("editor")
	}
	for n := range Names(list) {
		return Plain(lastName(n))
	}
	return ""
}

// Year returns an entry's year as four digits: the first run of exactly four digits in the year
// field as LaTeX shows it (c. 2019, 2019a, {\noopsort{a}}2019), else in the date field
// (2019-05-01, 2019/2020); "" when neither has one. It is the one reading of a year that
// citation keys, duplicate detection, the list's Year column and the year: search share.
func Year(e *Entry) string {
	for _, field := range []string{"year", "date"} {
		for _, run := range keyDigitRuns(Plain(e.Get(field))) {
			if len(run) == 4 {
				return run
			}
		}
	}
	return ""
}

// Venue returns where an entry appeared, as written: the first of journal, journaltitle,
// booktitle, publisher, howpublished, school and institution that is not blank. It is the one
// reading that the list's Venue column, its venue: search and the citation key's [venue] share.
func Venue(e *Entry) string {
	return firstField(e, "journal", "journaltitle", "booktitle", "publisher", "howpublished", "school", "institution")
}

// firstField returns the value of the first of the fields that is not blank.
func firstField(e *Entry, names ...string) string {
	for _, name := range names {
		if v := e.Get(name); strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// defaultKeywordSeparators are the characters that separate the words of a keywords field, as
// BibTeX tools write it (BibDesk, JabRef and biblatex use commas; some files use semicolons).
const defaultKeywordSeparators = ",;"

// SplitKeywords splits a keywords field, as plain text, at any of seps (defaultKeywordSeparators
// when empty) into its words, trimmed, leaving out empty ones.
func SplitKeywords(keywords, seps string) []string {
	if seps == "" {
		seps = defaultKeywordSeparators
	}
	var out []string
	for _, w := range strings.FieldsFunc(keywords, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}
