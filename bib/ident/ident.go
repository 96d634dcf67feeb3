// Package ident finds the identifiers of papers and books in text a user pastes: DOIs, arXiv
// ids, ISBNs, PubMed ids (PMID) and PubMed Central ids (PMCID), one or many, a line each or
// anywhere in a paragraph or a reference list copied from a paper.
//
// The rules follow Zotero's extractIdentifiers and cleanDOI/cleanISBN (zotero/utilities,
// utilities.js), made stricter where Zotero guesses, because what is not an identifier must be
// reported to the user, not looked up:
//
//   - Zotero looks for one kind only (DOIs; if none, ISBNs; if none, arXiv ids; then PMIDs).
//     Find reports every kind in one text, so that a reference list mixing DOIs and arXiv ids
//     gives both, and an ISBN or an arXiv id inside a DOI (Springer's 10.1007/978-3-...,
//     10.48550/arXiv.2106.09685) is part of that DOI, not a second identifier.
//   - Zotero takes any bare number as a PMID when nothing else is found. Find takes a PMID only
//     labelled (PMID: 123) or in a PubMed URL.
//   - An ISBN-10 (ten digits with a checksum that one number in eleven passes: a phone number
//     can) is taken only on a line that says ISBN or holds nothing but identifiers and signs.
//     An ISBN-13 starts with 978 or 979 and passes its checksum anywhere. Its groups may be
//     joined by dashes or spaces (at most three in a row, one of them a dash), not by a line
//     break.
//   - An arXiv id must be one arXiv could have issued: an old-scheme archive (hep-th, math,
//     cond-mat...) and a month from 9108 to 0703; a new-scheme month from 0704, with four
//     digits after the dot until 1412 and five from 1501. Zotero takes 0706.00441; Find does not.
//   - A DOI has a registrant of four or more digits (10.1145/...). Short DOIs (10/abcd) are not
//     taken: in running text 10/12 is a date.
//
// Like Zotero, a DOI runs to the next white space; trailing punctuation (.,;:!?'") goes, and a
// closing bracket goes when the DOI has fewer opening ones, so "(see 10.1000/x)." gives
// 10.1000/x while 10.1002/(SICI)1097-4636(199706)35:4<439::AID-JBM4>3.0.CO;2-G stays whole. A
// DOI in a URL is percent-decoded; elsewhere only %3C...%3E (Zotero's rule). A DOI that a line
// break cuts right after "/" or "-" (as PDF text and LaTeX's \url break them) is joined.
//
// The package is pure Go: it neither looks identifiers up nor knows entries or the library.
package ident

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Kind is the kind of an identifier.
type Kind int

const (
	DOI   Kind = iota + 1 // a Digital Object Identifier: 10.1145/3368089.3409741
	ArXiv                 // an arXiv id: 2106.09685 or hep-th/9901001
	ISBN                  // an International Standard Book Number, 10 or 13 digits
	PMID                  // a PubMed id
	PMCID                 // a PubMed Central id: PMC1234567
)

// String returns the name users know the kind by: "DOI", "arXiv", "ISBN", "PMID", "PMCID".
func (k Kind) String() string {
	switch k {
	case DOI:
		return "DOI"
	case ArXiv:
		return "arXiv"
	case ISBN:
		return "ISBN"
	case PMID:
		return "PMID"
	case PMCID:
		return "PMCID"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// ID is one identifier found in a text.
type ID struct {
	Kind Kind
	// Value is the identifier in its canonical form:
	//   - DOI: as written (DOIs ignore ASCII case, and registries show them in the case they
	//     were registered in), without resolver or "doi:" prefix, percent-decoded in a URL.
	//     Compare DOIs by Key, which folds case.
	//   - arXiv: without version, and for the old scheme without the subject class, which is
	//     not part of the id (math.GT/0309136 is math/0309136): "2106.09685", "hep-th/9901001".
	//     The archive is lower-case.
	//   - ISBN: the ISBN-13, 13 digits without dashes; an ISBN-10 is converted (978, its
	//     first nine digits, a new check digit).
	//   - PMID: the number, without leading zeros.
	//   - PMCID: "PMC" and the number.
	Value string
	// Version is the arXiv version the text named (2 for 2106.09685v2), 0 when it named none
	// and for every other kind.
	//
	// What a version means for a look-up: the id names the paper, the version one revision
	// of it. The entry Bibshelf makes describes the paper, so the look-up asks for Value
	// (arXiv answers with the latest version's metadata, which carries the journal DOI once
	// the paper is published) and duplicates are found by Value: 2106.09685v1 and
	// 2106.09685v2 are one paper. The version is kept so that a PDF download and URL give the
	// revision the user named.
	Version int
	// Text is the identifier as found, with the label or resolver URL that introduced it
	// ("https://doi.org/10.1000/x", "arXiv:2106.09685v2", "ISBN 0-19-953592-2"), without
	// trailing punctuation: text[Offset:Offset+len(Text)] == Text.
	Text string
	// Offset is the byte offset of Text in the text searched.
	Offset int
}

// Key returns the form two identifiers of a kind are compared in: the DOI in lower case (the
// form storage's duplicate detection compares), Value for the other kinds.
func (id ID) Key() string {
	if id.Kind == DOI {
		return strings.ToLower(id.Value)
	}
	return id.Value
}

// String returns the identifier in the form Parse reads back: "10.1000/x",
// "arXiv:2106.09685v2", "ISBN 9780199535927", "PMID: 123", "PMC123".
func (id ID) String() string {
	switch id.Kind {
	case ArXiv:
		if id.Version > 0 {
			return "arXiv:" + id.Value + "v" + strconv.Itoa(id.Version)
		}
		return "arXiv:" + id.Value
	case ISBN:
		return "ISBN " + id.Value
	case PMID:
		return "PMID: " + id.Value
	}
	return id.Value
}

// URL returns the page of the identifier: doi.org's resolver for a DOI, the arXiv abstract
// page (of the version named, if any), Open Library's page for an ISBN, PubMed's and PubMed
// Central's pages.
func (id ID) URL() string {
	switch id.Kind {
	case DOI:
		return "https://doi.org/" + escapeDOI(id.Value)
	case ArXiv:
		if id.Version > 0 {
			return "https://arxiv.org/abs/" + id.Value + "v" + strconv.Itoa(id.Version)
		}
		return "https://arxiv.org/abs/" + id.Value
	case ISBN:
		return "https://openlibrary.org/isbn/" + id.Value
	case PMID:
		return "https://pubmed.ncbi.nlm.nih.gov/" + id.Value + "/"
	case PMCID:
		return "https://pmc.ncbi.nlm.nih.gov/articles/" + id.Value + "/"
	}
	return ""
}

// escapeDOI percent-encodes what may not stand in a URL's path (and "?" and "#", which would
// end it), keeping "/" and the punctuation DOIs are made of.
func escapeDOI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"#%<>?[\]^`+"`{|}", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Find returns the identifiers in text in the order they appear, each once: a second mention
// of an identifier (same Kind and Key; an arXiv id with another version) is left out.
func Find(text string) []ID {
	all := findAll(text)
	type key struct {
		kind  Kind
		value string
	}
	seen := make(map[key]bool, len(all))
	out := all[:0]
	for _, id := range all {
		k := key{id.Kind, id.Key()}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, id)
	}
	return out
}

// findAll returns every identifier in text, in order, repeated ones included.
func findAll(text string) []ID {
	s := newScanner(text)
	s.dois()
	s.arxivs()
	s.pubmed()
	s.isbns()
	slices.SortFunc(s.found, func(a, b ID) int { return a.Offset - b.Offset })
	return s.found
}

// Unrecognised returns the lines of text (trimmed of white space) that are not empty and hold
// no identifier. It is meant for a paste that lists identifiers one a line, where such a line
// is one the user expected to be read: Parse of the line says why it is not. In a reference
// list or a paragraph, where one identifier stands for several lines, most lines hold none,
// and the caller should not list them.
func Unrecognised(text string) []string {
	found := findAll(text)
	var out []string
	i := 0 // the first identifier that may end in or after the current line
	for start := 0; start < len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		for i < len(found) && found[i].Offset+len(found[i].Text) <= start {
			i++
		}
		held := i < len(found) && found[i].Offset < end
		if line := strings.TrimSpace(text[start:end]); line != "" && !held {
			out = append(out, line)
		}
		start = end + 1
	}
	return out
}

// scanner holds a text being searched and what has been found in it.
type scanner struct {
	text  string
	lower string // text with ASCII letters in lower case, byte for byte
	found []ID
	// taken are the byte ranges of identifiers found by earlier passes, sorted: a later pass
	// ignores what lies inside them (the ISBN in a Springer DOI, the arXiv id in a DOI).
	taken []span
	// pass are the ranges the current pass found, added to taken when it ends.
	pass []span
}

type span struct{ start, end int }

func newScanner(text string) *scanner {
	return &scanner{text: text, lower: asciiLower(text)}
}

// asciiLower returns s with A-Z in lower case and every other byte as it is, so that byte
// offsets in it are offsets in s.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// isTaken reports whether [start, end) overlaps an identifier of an earlier pass.
func (s *scanner) isTaken(start, end int) bool {
	i, _ := slices.BinarySearchFunc(s.taken, start, func(sp span, x int) int {
		if sp.end <= x {
			return -1
		}
		return 1
	})
	return i < len(s.taken) && s.taken[i].start < end
}

// add records an identifier found at text[start:end].
func (s *scanner) add(kind Kind, value string, version, start, end int) {
	s.found = append(s.found, ID{Kind: kind, Value: value, Version: version, Text: s.text[start:end], Offset: start})
	s.pass = append(s.pass, span{start, end})
}

// endPass makes what the current pass found off limits to the next ones.
func (s *scanner) endPass() {
	s.taken = append(s.taken, s.pass...)
	s.pass = s.pass[:0]
	slices.SortFunc(s.taken, func(a, b span) int { return a.start - b.start })
}

// ParseError says why a text is not one identifier.
type ParseError struct {
	Input  string // the text given to Parse
	Reason string // why it is not an identifier, for the user: "ISBN-13 checksum fails"
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%q: %s", e.Input, e.Reason)
}

// unescapeURL decodes a DOI taken from a URL, or returns it as it is when its escapes are
// invalid or decode to white space or control characters.
func unescapeURL(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	u, err := url.PathUnescape(s)
	if err != nil || strings.IndexFunc(u, func(r rune) bool { return r <= ' ' || r == 0x7f || r == 0xfffd }) >= 0 {
		return s
	}
	return u
}

// The look-backs below find the label or URL before an identifier in the lower-case text,
// without a regular expression: backtracking over a window before each of thousands of
// identifiers took as long as the rest of Find.

// endsWith returns where suffix starts when s[:end] ends with it, or -1.
func endsWith(s string, end int, suffix string) int {
	if strings.HasSuffix(s[:end], suffix) {
		return end - len(suffix)
	}
	return -1
}

// optional returns where the first of opts that s[:end] ends with starts, or end.
func optional(s string, end int, opts ...string) int {
	for _, o := range opts {
		if i := endsWith(s, end, o); i >= 0 {
			return i
		}
	}
	return end
}

// blanksBefore returns where the spaces and tabs that end s[:end] start.
func blanksBefore(s string, end int) int {
	for end > 0 && (s[end-1] == ' ' || s[end-1] == '\t') {
		end--
	}
	return end
}

// labelBefore returns where label starts when it ends s[:end], followed by spaces (at least
// one when sep is "") or by sep and spaces, as a word of its own; or -1.
func labelBefore(s string, end int, label, sep string) int {
	p := blanksBefore(s, end)
	if sep != "" {
		p = endsWith(s, p, sep)
	} else if p == end {
		return -1
	}
	if p < 0 {
		return -1
	}
	i := endsWith(s, p, label)
	if i < 0 || i > 0 && (isAlnum(s[i-1]) || s[i-1] == '_') {
		return -1
	}
	return i
}

// urlBefore returns where the URL whose host and path s[:end] ends with starts, the host
// being one of hosts, after an optional "www." or "export." and "https://" or "http://";
// or -1.
func urlBefore(s string, end int, hosts ...string) int {
	for _, h := range hosts {
		if i := endsWith(s, end, h); i >= 0 {
			i = optional(s, i, "www.", "export.", "dx.")
			return optional(s, i, "https://", "http://")
		}
	}
	return -1
}
