package medline

import (
	"strings"
	"unicode"

	"github.com/bibshelf/bibshelf/bib"
)

// suffixes are the generational suffixes PubMed writes after the given names (FAU "Jones,
// Robert B Jr") or the initials (AU "Jones RB Jr").
var suffixes = map[string]bool{"Jr": true, "Jr.": true, "Sr": true, "Sr.": true, "2nd": true,
	"3rd": true, "4th": true, "II": true, "III": true, "IV": true}

// fullName reads a FAU or FED value, "van Raaij, M J" or "Riegert-Johnson, Douglas L", into
// BibTeX's "Last, Jr, First" form, single-letter initials given their full stop as Zotero's
// cleanAuthor gives them.
func fullName(v string) person {
	last, given, ok := strings.Cut(v, ",")
	if !ok {
		return person{name: protect(bib.Escape(v))}
	}
	words := strings.Fields(given)
	var jr string
	if n := len(words); n > 1 && suffixes[words[n-1]] {
		jr, words = words[n-1], words[:n-1]
	} else if n == 1 && suffixes[words[0]] && words[0] != "II" && words[0] != "IV" {
		jr, words = words[0], nil
	}
	for i, w := range words {
		if r := []rune(w); len(r) == 1 && unicode.IsUpper(r[0]) {
			words[i] = w + "."
		}
	}
	return person{name: bibName(last, jr, strings.Join(words, " "))}
}

// shortName reads an AU or ED value, "Hiles ID" or "Wong Kee Song LM": the last word is the
// initials, after Zotero's reading of them, unless it is a suffix.
func shortName(v string) person {
	words := strings.Fields(v)
	var jr string
	if n := len(words); n > 2 && suffixes[words[n-1]] {
		jr, words = words[n-1], words[:n-1]
	}
	n := len(words)
	if n < 2 || !initials(words[n-1]) {
		return person{name: protect(bib.Escape(strings.Join(words, " ")))}
	}
	var given []string
	for _, r := range words[n-1] {
		given = append(given, string(r)+".")
	}
	return person{name: bibName(strings.Join(words[:n-1], " "), jr, strings.Join(given, " "))}
}

func initials(w string) bool {
	for _, r := range w {
		if !unicode.IsUpper(r) {
			return false
		}
	}
	return w != ""
}

// bibName writes a name as "Last, Jr, First", leaving out what is empty.
func bibName(last, jr, first string) string {
	parts := []string{protect(bib.Escape(last))}
	if jr != "" {
		parts = append(parts, bib.Escape(jr))
	}
	if first = strings.TrimSpace(first); first != "" || jr != "" {
		parts = append(parts, protect(bib.Escape(first)))
	}
	return strings.Join(parts, ", ")
}

// protect braces the word "and" inside a name, which BibTeX would read as the separator of two
// names.
func protect(s string) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		if strings.EqualFold(w, "and") {
			words[i] = "{" + w + "}"
		}
	}
	return strings.Join(words, " ")
}

// joinNames joins a list of names with " and ".
func joinNames(ps []person) string {
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		if p.name != "" {
			names = append(names, p.name)
		}
	}
	return strings.Join(names, " and ")
}
