package ident

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// isbnWord is a group of digits joined by dashes ("0-19-953592-2"); an ISBN is one word or a
// few separated by single spaces ("978 0 19 953592 7").
type isbnWord struct {
	start, end int
	digits     string // its digits, and a final X
}

// isbnCandidate is an ISBN that passed its checksum, before the line it is on is looked at.
type isbnCandidate struct {
	start, end int
	digits     string // 10 or 13
}

// isbns finds ISBN-13s (978 or 979, checksum verified) anywhere, and ISBN-10s (checksum
// verified) on lines that say ISBN or hold nothing but ISBNs, leaving out the numbers inside
// identifiers found before (Springer's DOIs hold the book's ISBN).
func (s *scanner) isbns() {
	var cands []isbnCandidate
	var words []isbnWord
	t := s.text
	for i := 0; i < len(t); {
		if !isDigit(t[i]) {
			i++
			continue
		}
		if !isbnStarts(t, i) {
			i += max(1, countDigits(t[i:]))
			continue
		}
		var end int
		words, end = isbnWords(t, i, words[:0])
		for w := 0; w < len(words); {
			if c, next, ok := pickISBN(words, w); ok {
				if !s.isTaken(c.start, c.end) {
					cands = append(cands, c)
				}
				w = next
			} else {
				w++
			}
		}
		i = end
	}
	lineEnd, lineOK := -1, false // the end of the last line isbnLine was asked about, and its answer
	for k, c := range cands {
		if len(c.digits) == 10 {
			if c.start > lineEnd {
				lineOK, lineEnd = s.isbnLine(cands, k, max(lineEnd+1, 0))
			}
			if !lineOK {
				continue
			}
		}
		start := isbnLabelStart(s.lower, c.start)
		if s.isTaken(start, c.start) {
			start = c.start
		}
		s.add(ISBN, isbn13(c.digits), 0, start, c.end)
	}
	s.endPass()
}

// isbnLabelStart returns where the label of the ISBN at lower[start] starts ("ISBN",
// "ISBN-13:", "ISBN 10", "isbn13 :" and so on), or start if it has none.
func isbnLabelStart(lower string, start int) int {
	p := blanksBefore(lower, start)
	p = blanksBefore(lower, optional(lower, p, ":"))
	p = optional(lower, p, "-10", "-13", " 10", " 13", "10", "13")
	if i := endsWith(lower, p, "isbn"); i >= 0 && (i == 0 || !isAlnum(lower[i-1])) {
		return i
	}
	return start
}

// isbnStarts reports whether a number that may be an ISBN starts at t[i]: no letter or digit
// before it, and no digit and a dot or dash.
func isbnStarts(t string, i int) bool {
	if !numberStarts(t, i) {
		return false
	}
	r, size := utf8.DecodeLastRuneInString(t[:i])
	return !isHyphen(r) || i-size == 0 || !isDigit(t[i-size-1])
}

// isbnWords reads the words of digits that start at t[i] and returns them (appended to
// words) and where they end.
func isbnWords(t string, i int, words []isbnWord) ([]isbnWord, int) {
	for len(words) < 16 {
		w := isbnWord{start: i}
		var buf [16]byte // 14 digits and an X at most
		d := buf[:0]
		var next int
		var hyphen, more bool
		for {
			n := countDigits(t[i:])
			d = append(d, t[i:i+min(n, 14-min(len(d), 14))]...)
			i += n
			if i < len(t) && (t[i] == 'X' || t[i] == 'x') && (i+1 == len(t) || !isAlnum(t[i+1])) {
				d = append(d, 'X')
				i++
				break
			}
			if next, hyphen, more = isbnSeparator(t, i); !more || !hyphen {
				break
			}
			i = next
		}
		w.end = i
		if len(d) == i-w.start && isDigit(t[i-1]) {
			w.digits = t[w.start:i] // digits only: no copy
		} else {
			w.digits = string(d)
		}
		words = append(words, w)
		if i < len(t) && (isAlnum(t[i]) || t[i] == '.' && i+1 < len(t) && isDigit(t[i+1])) {
			// Part of a longer word or number: no ISBN ends here.
			words[len(words)-1].digits = ""
			return words, i
		}
		if !more || hyphen || strings.HasSuffix(w.digits, "X") {
			return words, i
		}
		i = next
	}
	return words, i
}

// isbnSeparator reads what may separate two groups of an ISBN at t[i]: one to three spaces
// and dashes, at most one of them a dash, followed by a digit (or, after a dash, a final X).
// It returns where the next group starts, whether the separator has a dash (the groups are
// one word) and whether there is one.
func isbnSeparator(t string, i int) (int, bool, bool) {
	hyphen := false
	for n := 0; n < 3 && i < len(t); n++ {
		r, size := utf8.DecodeRuneInString(t[i:])
		switch {
		case isHyphen(r) && !hyphen:
			hyphen = true
		case !isSpace(r):
			n = 3
			continue
		}
		i += size
		if i < len(t) && isDigit(t[i]) {
			return i, hyphen, true
		}
		if hyphen && i < len(t) && (t[i] == 'X' || t[i] == 'x') && (i+1 == len(t) || !isAlnum(t[i+1])) {
			return i, hyphen, true
		}
	}
	return i, false, false
}

// pickISBN returns the ISBN made of words[w] and the words after it, an ISBN-13 rather than
// an ISBN-10, and the index of the word after it.
func pickISBN(words []isbnWord, w int) (isbnCandidate, int, bool) {
	var best isbnCandidate
	next := 0
	digits := ""
	for v := w; v < len(words); v++ {
		if words[v].digits == "" {
			break
		}
		digits += words[v].digits
		if len(digits) > 13 {
			break
		}
		if len(digits) == 13 && isbnValid(digits) || len(digits) == 10 && isbnValid(digits) && best.digits == "" {
			best, next = isbnCandidate{start: words[w].start, end: words[v].end, digits: digits}, v+1
		}
	}
	return best, next, best.digits != ""
}

// isbnLine reports whether the ISBN-10 cands[k] is on a line that says "isbn" or holds
// nothing but identifiers (the ISBNs cands found on it, and those found before) and signs,
// and returns where that line ends. The line starts at or after from.
func (s *scanner) isbnLine(cands []isbnCandidate, k, from int) (bool, int) {
	c := cands[k]
	ls := from + strings.LastIndexByte(s.text[from:c.start], '\n') + 1
	le := strings.IndexByte(s.text[c.end:], '\n')
	if le < 0 {
		le = len(s.text)
	} else {
		le += c.end
	}
	if strings.Contains(s.lower[ls:le], "isbn") {
		return true, le
	}
	var spans []span
	first := k
	for first > 0 && cands[first-1].start >= ls {
		first--
	}
	for _, c := range cands[first:] {
		if c.start >= le {
			break
		}
		spans = append(spans, span{c.start, c.end})
	}
	i, _ := slices.BinarySearchFunc(s.taken, ls, func(sp span, x int) int {
		if sp.end <= x {
			return -1
		}
		return 1
	})
	for _, t := range s.taken[i:] {
		if t.start >= le {
			break
		}
		spans = append(spans, span{max(t.start, ls), min(t.end, le)})
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	at := ls
	for _, sp := range spans {
		if sp.start > at && hasAlnum(s.text[at:sp.start]) {
			return false, le
		}
		at = max(at, sp.end)
	}
	return !hasAlnum(s.text[at:le]), le
}

// isbnValid reports whether 10 digits (the last may be X) or 13 digits starting 978 or 979
// pass the ISBN checksum.
func isbnValid(d string) bool {
	switch len(d) {
	case 10:
		if strings.IndexByte(d[:9], 'X') >= 0 {
			return false
		}
		return isbn10Check(d[:9]) == d[9]
	case 13:
		if strings.IndexByte(d, 'X') >= 0 || !strings.HasPrefix(d, "978") && !strings.HasPrefix(d, "979") {
			return false
		}
		return isbn13Check(d[:12]) == d[12]
	}
	return false
}

// isbn10Check returns the check digit of the first nine digits of an ISBN-10.
func isbn10Check(d string) byte {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(d[i]-'0') * (10 - i)
	}
	switch c := (11 - sum%11) % 11; c {
	case 10:
		return 'X'
	default:
		return byte('0' + c)
	}
}

// isbn13Check returns the check digit of the first twelve digits of an ISBN-13.
func isbn13Check(d string) byte {
	sum := 0
	for i := 0; i < 12; i++ {
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += int(d[i]-'0') * w
	}
	return byte('0' + (10-sum%10)%10)
}

// isbn13 returns the ISBN-13 of a valid ISBN-10 or -13: 978, the first nine digits of an
// ISBN-10, and the check digit of those twelve.
func isbn13(d string) string {
	if len(d) == 13 {
		return d
	}
	d12 := "978" + d[:9]
	return d12 + string(isbn13Check(d12))
}

// isHyphen reports whether r is a dash an ISBN may be written with (Zotero's cleanISBN's list).
func isHyphen(r rune) bool {
	return r == '-' || r == 0xad || r >= 0x2010 && r <= 0x2015 || r == 0x2043 || r == 0x2212
}

// isSpace reports whether r is a space that may separate the groups of an ISBN: any but a
// line break (Zotero's cleanISBN takes those too, in a field that holds only ISBNs; in a paste
// a line break separates identifiers).
func isSpace(r rune) bool {
	return (unicode.IsSpace(r) || r == 0xfeff) && r != '\n' && r != '\r' && r != 0x85 && r != 0x2028 && r != 0x2029
}

// hasAlnum reports whether s holds a letter or a digit, of any script.
func hasAlnum(s string) bool {
	for _, r := range s {
		if r < utf8.RuneSelf && isAlnum(byte(r)) || r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return true
		}
	}
	return false
}
