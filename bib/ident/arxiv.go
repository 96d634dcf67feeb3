package ident

import (
	"strconv"
	"strings"
)

// arxivArchives are the archives of arXiv's first scheme (archive/YYMMNNN, 1991 to March
// 2007), from arXiv's "Understanding the arXiv identifier" page.
var arxivArchives = map[string]bool{
	"acc-phys": true, "adap-org": true, "alg-geom": true, "ao-sci": true, "astro-ph": true,
	"atom-ph": true, "bayes-an": true, "chao-dyn": true, "chem-ph": true, "cmp-lg": true,
	"comp-gas": true, "cond-mat": true, "cs": true, "dg-ga": true, "funct-an": true,
	"gr-qc": true, "hep-ex": true, "hep-lat": true, "hep-ph": true, "hep-th": true,
	"math": true, "math-ph": true, "mtrl-th": true, "nlin": true, "nucl-ex": true,
	"nucl-th": true, "patt-sol": true, "physics": true, "plasm-ph": true, "q-alg": true,
	"q-bio": true, "quant-ph": true, "solv-int": true, "supr-con": true,
}

// arxivs finds arXiv ids of both schemes that are not part of a DOI found before.
func (s *scanner) arxivs() {
	s.arxivNew()
	s.endPass()
	s.arxivOld()
	s.endPass()
}

// arxivNew finds ids of the scheme arXiv uses since April 2007: YYMM.NNNN until December
// 2014, YYMM.NNNNN since January 2015, each with an optional version vN.
func (s *scanner) arxivNew() {
	t := s.text
	for i := 0; ; {
		j := strings.IndexByte(t[i:], '.')
		if j < 0 {
			break
		}
		dot := i + j
		i = dot + 1
		start := dot - 4
		if start < 0 || countDigits(t[start:dot]) != 4 || !numberStarts(t, start) {
			continue
		}
		n := countDigits(t[dot+1:])
		if !arxivNewNumber(t[start:dot], n) {
			continue
		}
		end, version, ok := arxivVersion(t, dot+1+n)
		if !ok || s.isTaken(start, end) {
			continue
		}
		s.addArXiv(t[start:dot+1+n], version, start, end)
		i = end
	}
}

// arxivNewNumber reports whether yymm and n digits after the dot make a new-scheme id arXiv
// could have issued.
func arxivNewNumber(yymm string, n int) bool {
	ym, _ := strconv.Atoi(yymm)
	m := ym % 100
	return m >= 1 && m <= 12 && ym >= 704 && (n == 4 && ym <= 1412 || n == 5 && ym >= 1501)
}

// arxivOld finds ids of the first scheme: archive/YYMMNNN, the archive possibly followed by a
// subject class (math.GT/0309136), with an optional version.
func (s *scanner) arxivOld() {
	t := s.text
	for i := 0; ; {
		j := strings.IndexByte(t[i:], '/')
		if j < 0 {
			break
		}
		slash := i + j
		i = slash + 1
		if countDigits(t[slash+1:]) != 7 || !arxivOldNumber(t[slash+1:slash+5]) {
			continue
		}
		start := slash
		for start > 0 && start > slash-32 && (isAlnum(t[start-1]) && !isDigit(t[start-1]) || t[start-1] == '-' || t[start-1] == '.') {
			start--
		}
		archive, ok := arxivArchive(s.lower[start:slash])
		if !ok || start > 0 && isAlnum(t[start-1]) {
			continue
		}
		end, version, ok := arxivVersion(t, slash+8)
		if !ok || s.isTaken(start, end) {
			continue
		}
		s.addArXiv(archive+"/"+t[slash+1:slash+8], version, start, end)
		i = end
	}
}

// arxivOldNumber reports whether yymm is a month of arXiv's first scheme, August 1991 to March
// 2007.
func arxivOldNumber(yymm string) bool {
	ym, _ := strconv.Atoi(yymm)
	m := ym % 100
	return m >= 1 && m <= 12 && (ym >= 9108 || ym <= 703)
}

// arxivArchive returns the archive of the lower-case name before the "/" of an old-scheme id,
// which may carry a subject class after a dot (math.gt), and whether it is one.
func arxivArchive(name string) (string, bool) {
	archive, class, dotted := strings.Cut(name, ".")
	if !arxivArchives[archive] {
		return "", false
	}
	if dotted && (class == "" || strings.Trim(class, "abcdefghijklmnopqrstuvwxyz-") != "") {
		return "", false
	}
	return archive, true
}

// arxivVersion reads the version that may follow an id ending at t[end] and returns where
// the id ends with it, the version (0 if none) and whether the id ends there: a letter, a
// digit, or a dot and a digit after it mean it is part of something longer.
func arxivVersion(t string, end int) (int, int, bool) {
	version := 0
	if end+1 < len(t) && t[end] == 'v' && t[end+1] >= '1' && t[end+1] <= '9' {
		n := countDigits(t[end+1:])
		if n > 4 {
			return 0, 0, false
		}
		version, _ = strconv.Atoi(t[end+1 : end+1+n])
		end += 1 + n
	}
	if end < len(t) && (isAlnum(t[end]) || t[end] == '.' && end+1 < len(t) && isDigit(t[end+1])) {
		return 0, 0, false
	}
	return end, version, true
}

// addArXiv records an arXiv id found at t[start:end], its text taking in the label or URL
// before it and the ".pdf" after an id in a pdf URL.
func (s *scanner) addArXiv(value string, version, start, end int) {
	textStart := arxivLabelStart(s.lower, start)
	if s.isTaken(textStart, start) {
		textStart = start
	}
	if strings.HasSuffix(s.lower[textStart:start], "/pdf/") && strings.HasPrefix(s.lower[end:], ".pdf") {
		end += len(".pdf")
	}
	s.add(ArXiv, value, version, textStart, end)
}

// arxivLabelStart returns where what introduces the arXiv id at lower[start] starts: an abs,
// pdf or html URL of arxiv.org (or export.arxiv.org), or the label "arXiv:" or "arXiv " (any
// case); start if none.
func arxivLabelStart(lower string, start int) int {
	if i := urlBefore(lower, start, "arxiv.org/abs/", "arxiv.org/pdf/", "arxiv.org/html/"); i >= 0 {
		return i
	}
	if i := labelBefore(lower, start, "arxiv", ":"); i >= 0 {
		return i
	}
	if i := labelBefore(lower, start, "arxiv", ""); i >= 0 {
		return i
	}
	return start
}

// numberStarts reports whether a number starts at t[i]: no letter or digit before it, and no
// digit and dot or dash (which would make it part of a longer number).
func numberStarts(t string, i int) bool {
	if i == 0 {
		return true
	}
	c := t[i-1]
	if isAlnum(c) {
		return false
	}
	if (c == '.' || c == '-') && i >= 2 && isDigit(t[i-2]) {
		return false
	}
	return true
}
