package lookup

import (
	"strings"
	"unicode"

	"github.com/bibshelf/bibshelf/bib"
)

// suffixes are the name suffixes BibTeX puts in the "Jr" part of "von Last, Jr, First".
var suffixes = map[string]bool{
	"jr": true, "jr.": true, "sr": true, "sr.": true,
	"ii": true, "iii": true, "iv": true, "v": false,
}

func isSuffix(w string) bool { return suffixes[strings.ToLower(strings.TrimSuffix(w, ","))] }

// personName writes a person as BibTeX reads a name: "von Last, Jr, First", each part
// escaped. A family name with lower-case particles ("van der Waals") keeps them at its front,
// where BibTeX finds its von part; a suffix found at the end of the given or the family name
// ("Jr.", "III") moves to the Jr part. With no family name the given name is braced whole,
// as BibTeX would otherwise take its last word for the family name.
func personName(given, family, suffix string) string {
	given, family, suffix = clean(given), clean(family), clean(suffix)
	if suffix == "" {
		if g, s, ok := cutSuffix(given); ok {
			given, suffix = g, s
		} else if f, s, ok := cutSuffix(family); ok && f != "" {
			family, suffix = f, s
		}
	}
	switch {
	case family == "" && given == "":
		return ""
	case family == "":
		return corporateName(given)
	}
	name := namePart(family)
	if suffix != "" {
		name += ", " + namePart(suffix)
	}
	if given != "" {
		name += ", " + namePart(given)
	} else if suffix != "" {
		name += ", "
	}
	return name
}

// cutSuffix splits a trailing suffix off a name part: "John Jr." -> "John", "Jr.".
func cutSuffix(s string) (rest, suffix string, ok bool) {
	s = strings.TrimSpace(s)
	i := strings.LastIndexAny(s, " ,")
	if i < 0 || !isSuffix(s[i+1:]) {
		return s, "", false
	}
	return strings.TrimRight(s[:i], " ,"), s[i+1:], true
}

// namePart escapes a part of a name, bracing it whole when it holds a comma or the word
// "and", which BibTeX would otherwise read as separators.
func namePart(s string) string {
	e := escapePlain(s)
	if strings.Contains(e, ",") || len(bib.SplitNames(e)) > 1 {
		return "{" + e + "}"
	}
	return e
}

// corporateName braces an institution's name whole, so that BibTeX reads it as one family
// name: {World Health Organization}.
func corporateName(s string) string {
	s = clean(s)
	if s == "" {
		return ""
	}
	return "{" + escapePlain(s) + "}"
}

// fullName splits a name written whole ("Adrian Del Maestro", "Johannes van der Waals Jr.",
// "Murray, James M.") as BibTeX does a "First von Last" name: the family name starts at the
// first lower-case word after the first (the von part: van, de, von der), else it is the
// last word; a trailing suffix goes to the Jr part. One rule goes further than BibTeX: a
// capitalised particle (De, Del, Van, Von, Di, Da, Le, La, Du, Dos, Ten, Ter) after the
// first word and before the last starts the family name too, so that "Adrian Del Maestro"
// is "Del Maestro, Adrian", where BibTeX would read family "Maestro". A compound given name
// with such a word ("Maria Del Carmen Lopez") is then split wrongly; that is rarer.
func fullName(s string) string {
	s = clean(s)
	if s == "" {
		return ""
	}
	if before, after, ok := strings.Cut(s, ","); ok {
		if r, suf, ok := cutSuffix(s); ok && !strings.Contains(r, ",") {
			return fullNameWithSuffix(r, suf)
		}
		return personName(after, before, "")
	}
	if r, suf, ok := cutSuffix(s); ok {
		return fullNameWithSuffix(r, suf)
	}
	given, family := splitFull(s)
	return personName(given, family, "")
}

func fullNameWithSuffix(s, suffix string) string {
	given, family := splitFull(s)
	return personName(given, family, suffix)
}

// particles are the capitalised particles that start a family name written whole.
var particles = map[string]bool{
	"De": true, "Del": true, "Della": true, "Van": true, "Von": true, "Di": true, "Da": true,
	"Le": true, "La": true, "Du": true, "Dos": true, "Das": true, "Ten": true, "Ter": true,
}

func splitFull(s string) (given, family string) {
	words := strings.Fields(s)
	if len(words) == 1 {
		return "", words[0]
	}
	for i := 1; i < len(words)-1; i++ {
		if r := []rune(words[i]); unicode.IsLower(r[0]) || particles[words[i]] {
			return strings.Join(words[:i], " "), strings.Join(words[i:], " ")
		}
	}
	return strings.Join(words[:len(words)-1], " "), words[len(words)-1]
}

// clean collapses a value's white space.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// joinNames joins BibTeX names with " and ", leaving out empty ones.
func joinNames(names []string) string {
	var out []string
	for _, n := range names {
		if n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, " and ")
}
