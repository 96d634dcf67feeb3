package bib

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// caseStopWords are the short words a title-case title leaves in lower case; they do not
// count when ProtectCase decides whether a title is in sentence case.
var caseStopWords = map[string]bool{
	"a": true, "an": true, "the": true, "and": true, "or": true, "but": true, "nor": true,
	"of": true, "in": true, "on": true, "at": true, "to": true, "for": true, "by": true,
	"with": true, "from": true, "as": true, "into": true, "via": true, "vs": true, "is": true,
	"are": true, "its": true,
}

// ProtectCase braces the words of a title (BibTeX text, as Escape or FromMarkup make it)
// whose case a BibTeX style must not change when it sets the title in sentence case, and
// leaves the rest to the style. It is conservative; it braces:
//
//   - a word with a capital letter after its first letter: DNA, LaTeX, iPhone, GPT-4, mRNA,
//     McDonald, COVID-19 (a word is what lies between spaces, without the punctuation at its
//     ends);
//   - in a title or subtitle in sentence case (more lower-case than capitalised words,
//     leaving out its first word and short words such as "of" and "the"; a part with fewer
//     than two such words goes by the whole title), a capitalised word that is not the first
//     of the title or of a subtitle (after ": ", ". ", "? ", "! " or " -- "): it is then a
//     proper noun (Arabidopsis, Markov, African). In a part in title case every word is
//     capitalised, and nothing tells proper nouns from the rest, so only the first rule
//     applies there.
//
// It leaves alone what is inside braces already, math ($...$), words holding a command or an
// escape (\&), words without letters, and a title with no lower-case letter at all (an
// all-caps title would otherwise be braced whole). ProtectCase(ProtectCase(t)) is
// ProtectCase(t).
func ProtectCase(title string) string {
	words := caseWords(title)
	if !strings.ContainsFunc(title, unicode.IsLower) {
		return title
	}
	// Each part of the title (the title, each subtitle) is in sentence case or in title case
	// by its own words; a part with fewer than two words that count goes by the whole title.
	type count struct{ upper, lower int }
	var parts []count
	var whole count
	for _, w := range words {
		if w.starts {
			parts = append(parts, count{})
		}
		if w.skip || w.starts || caseStopWords[strings.ToLower(w.core)] {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w.core)
		p := &parts[len(parts)-1]
		switch {
		case unicode.IsUpper(r):
			p.upper++
			whole.upper++
		case unicode.IsLower(r):
			p.lower++
			whole.lower++
		}
	}
	sentence := make([]bool, len(parts))
	for i, p := range parts {
		if p.upper+p.lower >= 2 {
			sentence[i] = p.lower > p.upper
		} else {
			sentence[i] = whole.lower > whole.upper
		}
	}
	var b strings.Builder
	last, part := 0, -1
	for _, w := range words {
		if w.starts {
			part++
		}
		if w.skip || !protect(w, sentence[part]) {
			continue
		}
		b.WriteString(title[last:w.at])
		b.WriteString("{" + w.core + "}")
		last = w.at + len(w.core)
	}
	b.WriteString(title[last:])
	return b.String()
}

func protect(w caseWord, sentence bool) bool {
	core := strings.TrimLeftFunc(w.core, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	first, size := utf8.DecodeRuneInString(core)
	if !unicode.IsLetter(first) && !unicode.IsDigit(first) {
		return false
	}
	if strings.ContainsFunc(core[size:], unicode.IsUpper) {
		return true
	}
	return sentence && !w.starts && unicode.IsUpper(first)
}

// caseWord is a word of a title at depth 0: core is the word without the punctuation at its
// ends, at its byte offset in the title.
type caseWord struct {
	core   string
	at     int
	starts bool // the first word of the title or of a subtitle
	skip   bool // inside braces or math, or holding a command: left alone
}

// caseWords splits a title into words at spaces of brace depth 0, outside math.
func caseWords(s string) []caseWord {
	var words []caseWord
	depth, math, start := 0, false, 0
	starts, afterCommand := true, false
	flush := func(end int) {
		raw := s[start:end]
		if strings.TrimSpace(raw) == "" {
			start = end + 1
			return
		}
		lead := len(raw) - len(strings.TrimLeftFunc(raw, isCasePunct))
		core := strings.TrimRightFunc(raw[lead:], isCasePunct)
		if strings.ContainsAny(core, "()[]") {
			// A bracket inside the word, as in (13)C: the word is braced with its brackets.
			lead = 0
			core = strings.TrimRight(raw, `.,:;!?"'`)
		}
		// A word after a command without its argument (\b word) may be that argument.
		skip := strings.ContainsAny(raw, `{}\$`) || core == "" || afterCommand
		afterCommand = endsInCommand(raw)
		words = append(words, caseWord{core: core, at: start + lead, starts: starts, skip: skip})
		trimmed := strings.TrimRight(raw, `"')]`)
		starts = raw == "--" || raw == "---" || raw == "—" ||
			strings.HasSuffix(trimmed, ":") || strings.HasSuffix(trimmed, "?") ||
			strings.HasSuffix(trimmed, "!") || strings.HasSuffix(trimmed, ".") && len(core) > 1
		start = end + 1
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
		case c == '{':
			depth++
		case c == '}':
			depth--
		case c == '$' && depth == 0:
			math = !math
		case c == ' ' && depth == 0 && !math:
			flush(i)
		}
	}
	flush(len(s))
	return words
}

// isCasePunct is the punctuation at the ends of a word that stays outside its braces.
func isCasePunct(r rune) bool {
	return strings.ContainsRune(".,:;!?()[]\"'`‘’“”", r)
}

// endsInCommand reports whether s ends in a control word such as \b or \emph, or in an
// accent such as \" or \~, which would take the next word as its argument.
func endsInCommand(s string) bool {
	if n := len(s); n >= 2 && s[n-2] == '\\' && strings.IndexByte("\"'`^~=.", s[n-1]) >= 0 {
		return true
	}
	i := len(s)
	for i > 0 && (s[i-1] >= 'a' && s[i-1] <= 'z' || s[i-1] >= 'A' && s[i-1] <= 'Z') {
		i--
	}
	return i < len(s) && i > 0 && s[i-1] == '\\'
}

// TitleWord is a word of a title and its byte offset in the title.
type TitleWord struct {
	Text string
	At   int
}

// InnerCapitals returns the words of a title that a BibTeX style setting it in sentence case
// lowercases although they have a capital letter after their first letter (DNA, LaTeX, iPhone,
// GPT-4, McDonald): the words ProtectCase's first rule braces, as ProtectCase splits them (at
// spaces of brace depth 0, outside math, without the punctuation at their ends, leaving out
// words holding braces or a command). A title with no lower-case letter gives none, as
// ProtectCase braces none of it.
func InnerCapitals(title string) []TitleWord {
	if !strings.ContainsFunc(title, unicode.IsLower) {
		return nil
	}
	var out []TitleWord
	for _, w := range caseWords(title) {
		if !w.skip && protect(w, false) {
			out = append(out, TitleWord{Text: w.core, At: w.at})
		}
	}
	return out
}
