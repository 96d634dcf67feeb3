package app

import (
	"strings"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/storage"
)

// The search field completes the tag: word being typed. These are its rules, kept apart from
// the widgets: which word is being typed, which tags it suggests, and how a tag is written so
// that the query language (storage/query.go) reads it back as that tag.

// maxTagSuggestions is the most tags the search field suggests at once.
const maxTagSuggestions = 8

// matchTags returns the names that hold typed, ignoring case: those that begin with it first,
// then those that contain it, each in the order given.
func matchTags(names []string, typed string) []string {
	typed = strings.ToLower(typed)
	var first, rest []string
	for _, name := range names {
		n := strings.ToLower(name)
		switch {
		case strings.HasPrefix(n, typed):
			first = append(first, name)
		case strings.Contains(n, typed):
			rest = append(rest, name)
		}
	}
	return append(first, rest...)
}

// tagWord is a tag: filter being typed in a query: tag:cont, -tag:ml/ or tag:"contrastive le.
type tagWord struct {
	start, end int    // the word's bytes in the query; end is the cursor
	head       string // what comes before the tag's name: "tag:", "-Tag:"
	typed      string // the name as typed so far, without its opening quote
}

// tagWordAt returns the tag: word that ends at the cursor (a byte offset in query), read as
// the query language reads words: a quote runs to its closing quote, spaces and all. A word
// whose quote is closed is complete, and so is a word followed by anything but a space.
func tagWordAt(query string, cursor int) (tagWord, bool) {
	if cursor < 0 || cursor > len(query) || cursor < len(query) && !storage.IsQuerySpace(query[cursor]) {
		return tagWord{}, false
	}
	before := query[:cursor]
	start, i := -1, 0
	for i < len(before) {
		for i < len(before) && storage.IsQuerySpace(before[i]) {
			i++
		}
		if i == len(before) {
			start = -1 // the cursor follows a space: no word is being typed
			break
		}
		start = i
		j := i
		if before[j] == '-' && j+1 < len(before) && !storage.IsQuerySpace(before[j+1]) {
			j++
		}
		k := j
		for k < len(before) && isLetterByte(before[k]) {
			k++
		}
		if k > j && k < len(before) && before[k] == ':' {
			j = k + 1
		}
		if j < len(before) && before[j] == '"' {
			if end := strings.IndexByte(before[j+1:], '"'); end >= 0 {
				i = j + 1 + end + 1
				continue
			}
			i = len(before)
			continue
		}
		for j < len(before) && !storage.IsQuerySpace(before[j]) {
			j++
		}
		i = j
	}
	if start < 0 {
		return tagWord{}, false
	}
	word := before[start:]
	head := word
	word = strings.TrimPrefix(word, "-")
	field, value, ok := strings.Cut(word, ":")
	if !ok || !strings.EqualFold(field, "tag") {
		return tagWord{}, false
	}
	head = head[:len(head)-len(value)]
	if strings.HasPrefix(value, `"`) {
		value = value[1:]
		if strings.Contains(value, `"`) {
			return tagWord{}, false // the quote is closed: the word is complete
		}
	}
	if strings.TrimSpace(value) == "" {
		return tagWord{}, false
	}
	return tagWord{start: start, end: cursor, head: head, typed: value}, true
}

// complete returns query with the word replaced by the tag name, written as the query reads it,
// followed by a space, and the cursor's place after that space, in runes as fyne's Entry counts
// its CursorColumn.
func (w tagWord) complete(query, name string) (string, int) {
	written, _ := queryTag(name)
	done := query[:w.start] + w.head + written
	rest := query[w.end:]
	if !strings.HasPrefix(rest, " ") {
		rest = " " + rest
	}
	return done + rest, utf8.RuneCountInString(done) + 1
}

// completes reports whether completing the word with name would leave it as it is: the tag is
// typed whole already.
func (w tagWord) completes(query, name string) bool {
	written, _ := queryTag(name)
	return query[w.start:w.end] == w.head+written
}

// queryTag writes a tag's name as a tag: filter's value that the query language reads as that
// tag: as it is, or quoted when it has a space. A quoted value ends at the next quote, and the
// language has no escape, so a name with a quote is written as it is when it has no space and
// does not begin with the quote (a word is quoted only by its first character); a name that
// has both cannot be written (ok false) and is not suggested.
func queryTag(name string) (written string, ok bool) {
	// A tag's name has no control characters (storage's cleanName): its only space is ' '.
	switch {
	case !strings.Contains(name, " ") && !strings.HasPrefix(name, `"`):
		return name, true
	case !strings.Contains(name, `"`):
		return `"` + name + `"`, true
	}
	return "", false
}

// isLetterByte is a letter of a filter's name, as in tag: or year:.
func isLetterByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// tagSuggestions returns the names to suggest for the word: those that match what is typed and
// that a query can write, at most maxTagSuggestions; none when the one match is typed whole.
func tagSuggestions(names []string, w tagWord, query string) []string {
	var out []string
	for _, name := range matchTags(names, w.typed) {
		if _, ok := queryTag(name); ok {
			out = append(out, name)
		}
		if len(out) == maxTagSuggestions {
			break
		}
	}
	if len(out) == 1 && w.completes(query, out[0]) {
		return nil
	}
	return out
}
