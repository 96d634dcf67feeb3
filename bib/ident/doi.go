package ident

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// lineBreaks removes the line breaks a DOI was cut by.
var lineBreaks = strings.NewReplacer("\r", "", "\n", "")

// dois finds the DOIs of the text: 10., a registrant of four or more digits (with dotted
// subdivisions), "/" and a suffix running to white space.
func (s *scanner) dois() {
	t := s.text
	lastEnd := 0
	for i := 0; ; {
		j := strings.Index(t[i:], "10.")
		if j < 0 {
			break
		}
		start := i + j
		i = start + 3
		if start > 0 && isAlnum(t[start-1]) {
			continue
		}
		slash := doiSlash(t, start)
		if slash < 0 {
			continue
		}
		end := trimDOI(t, slash+1, doiEnd(t, slash+1))
		if end <= slash+1 {
			continue
		}
		textStart, inURL := s.doiIntro(start, lastEnd)
		value := t[start:end]
		if strings.ContainsAny(value, "\r\n") {
			value = lineBreaks.Replace(value)
		}
		if inURL {
			value = unescapeURL(value)
		} else {
			value = unescapeAngles(value)
		}
		s.add(DOI, value, 0, textStart, end)
		i, lastEnd = end, end
	}
	s.endPass()
}

// maxRegistrant bounds the length of a DOI's prefix (10.1000.10...), so that a text of
// dotted numbers is not read again from each "10." in it. Registrants have four or five
// digits, a subdivided one a few more.
const maxRegistrant = 32

// doiSlash returns the index of the "/" after the DOI prefix that starts at t[start] ("10."),
// or -1 when no prefix of four or more digits and a "/" follows.
func doiSlash(t string, start int) int {
	k := start + 3
	n := countDigits(t[k:])
	if n < 4 {
		return -1
	}
	k += n
	for k+1 < len(t) && t[k] == '.' && isDigit(t[k+1]) && k-start < maxRegistrant {
		k++
		k += countDigits(t[k:])
	}
	if k >= len(t) || t[k] != '/' {
		return -1
	}
	return k
}

// doiEnd returns where the DOI suffix that starts at t[i] ends, before trailing punctuation
// is trimmed: at white space, a double quote, a non-ASCII character that is neither a letter
// nor a digit (curly quotes, dashes, no-break spaces), or a comma or semicolon followed by
// another DOI, "doi:" or a URL. A line break right after "/" or "-" followed by more text is taken as one that
// cuts the DOI, and crossed.
func doiEnd(t string, i int) int {
	for i < len(t) {
		c := t[i]
		switch {
		case c == '\n' || c == '\r':
			next := i + 1
			if c == '\r' && next < len(t) && t[next] == '\n' {
				next++
			}
			if (t[i-1] != '/' && t[i-1] != '-') || next >= len(t) || t[next] <= ' ' {
				return i
			}
			i = next
		case c <= ' ' || c == '"' || c == 0x7f:
			return i
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(t[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return i
			}
			i += size
		case (c == ',' || c == ';') && startsDOI(t[i+1:]):
			return i
		default:
			i++
		}
	}
	return i
}

// startsDOI reports whether t starts with a DOI, "doi:" or a URL: what, after a comma or
// semicolon, begins a second identifier rather than continuing a DOI.
func startsDOI(t string) bool {
	if strings.HasPrefix(t, "10.") && doiSlash(t, 0) > 0 {
		return true
	}
	t = strings.ToLower(t[:min(len(t), 8)])
	return strings.HasPrefix(t, "doi:") || strings.HasPrefix(t, "http://") || strings.HasPrefix(t, "https://")
}

// trimDOI returns the end of the DOI t[:end] whose suffix starts at t[suffix] without trailing
// punctuation, and without a closing bracket that closes nothing opened in the suffix.
func trimDOI(t string, suffix, end int) int {
	var count *[256]int // of each byte in the suffix, counted when the first bracket is met
	for end > suffix {
		switch c := t[end-1]; c {
		case '.', ',', ';', ':', '!', '?', '\'', '"', '\n', '\r':
			end--
		case ')', ']', '}', '>':
			if count == nil {
				count = new([256]int)
				for i := suffix; i < end; i++ {
					count[t[i]]++
				}
			}
			open := byte('(')
			switch c {
			case ']':
				open = '['
			case '}':
				open = '{'
			case '>':
				open = '<'
			}
			if count[c] <= count[open] {
				return end
			}
			count[c]--
			end--
		default:
			return end
		}
	}
	return end
}

// doiIntro returns where the text of the DOI that starts at t[start] begins (at its label or
// resolver URL, or at the URL it is part of, not before lastEnd) and whether it is in a URL.
func (s *scanner) doiIntro(start, lastEnd int) (int, bool) {
	textStart := doiLabelStart(s.lower, start)
	if textStart < lastEnd {
		textStart = start
	}
	tok := start
	for tok > lastEnd && start-tok < 4096 && s.text[tok-1] > ' ' {
		tok--
	}
	before := s.lower[tok:start]
	if k := strings.LastIndex(before, "http"); k >= 0 && (strings.HasPrefix(before[k:], "http://") || strings.HasPrefix(before[k:], "https://")) {
		return min(textStart, tok+k), true
	}
	return textStart, false
}

// doiLabelStart returns where what introduces the DOI at lower[start] starts: a resolver URL,
// info:doi/, or the label "doi:" or "doi" (any case, with spacing); start if none.
func doiLabelStart(lower string, start int) int {
	if i := urlBefore(lower, start, "doi.org/"); i >= 0 {
		return i
	}
	if i := endsWith(lower, start, "info:doi/"); i >= 0 {
		return i
	}
	if i := labelBefore(lower, start, "doi", ":"); i >= 0 {
		return i
	}
	if i := labelBefore(lower, start, "doi", ""); i >= 0 {
		return i
	}
	return start
}

// unescapeAngles decodes %3C and %3E when both are there in that order, as Zotero's cleanDOI
// does outside URLs: the < and > of SICI DOIs (10.1002/...12:6%3C375::AID-CPE480%3E3.0.CO;2-M)
// often come encoded, while another % may be part of the DOI.
func unescapeAngles(s string) string {
	u := strings.ToUpper(s)
	open := strings.Index(u, "%3C")
	if open < 0 || !strings.Contains(u[open:], "%3E") {
		return s
	}
	return strings.NewReplacer("%3C", "<", "%3c", "<", "%3E", ">", "%3e", ">").Replace(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// countDigits returns how many ASCII digits s starts with.
func countDigits(s string) int {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return n
}
