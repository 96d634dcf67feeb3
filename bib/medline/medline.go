// Package medline reads PubMed's MEDLINE text format (.nbib, .txt: what PubMed's "Send to >
// Citation manager" writes, and ERIC's .nbib) into BibTeX entries.
//
// The mapping follows Zotero's import translator for this format (MEDLINEnbib.js in
// zotero/translators), written out as BibTeX fields:
//
//   - TI title; JT journal (TA shortjournal, and journal when there is no JT); VI volume; IP
//     number; PG pages, abbreviated ranges written out (475-82 is 475--482); EN edition; LA
//     language; PL address; PB publisher; BTI the booktitle of a chapter and the title of a book;
//     CI copyright; AB abstract, its section labels (BACKGROUND: ...) kept in the text.
//   - FAU and FED are the authors and editors, AU and ED only when a record has no full names;
//     CN, a collective author, is braced whole in its place among the authors (Zotero drops it).
//   - PMID is the pmid field and PMC the pmcid field, as JabRef names them. Zotero keeps both in
//     its extra field; biblatex's eprinttype = pubmed is not used, because an entry has one
//     eprint and an arXiv preprint that PubMed also lists needs it for arXiv.
//   - The DOI comes from AID or LID values marked [doi] (and from an AID doi.org link, as ERIC
//     writes them); LID values that are links become the url. A LID marked [pii] gives the pages
//     when there is no PG, as in Zotero, but only when it is an article number (1042, e1042):
//     a publisher item identifier such as S1080-6032(22)00139-9 is not a page.
//   - IS values are ISSNs (their "(Electronic)", "(Print)" and "(Linking)" notes dropped, each
//     number once) or ISBNs; MH, OT and KW terms are the keywords, joined by "; " because MeSH
//     terms hold commas (Crystallography, X-Ray).
//   - DP gives year and month (the first month of a range such as 2019 Mar-Apr; a season gives
//     only the year). The day is not kept, as Zotero's BibTeX export does not keep it.
//   - PT gives the type: the last publication type that names one wins (Book, Book Chapter,
//     Journal Article, Case Reports, Technical Report, Dissertation ...); a report type is a
//     fallback, and article is the default, as in Zotero. A thesis takes its school from SO; a
//     report its institution from JT.
//
// An entry's key is left empty: PMID is an accession number, not a citation key, and the
// library's key pattern makes one. The package is pure Go and imports only bib.
package medline

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
	"golang.org/x/text/encoding/unicode"
)

// maxValue caps one tag's value (continuation lines included) and maxLines the lines of one
// record: past them the rest is dropped with an error, so that a hostile file cannot make one
// field or one record as large as it likes.
const (
	maxValue = 1 << 20
	maxLines = 100_000
)

// Detect reports whether src looks like MEDLINE text: within its first few non-blank lines (of
// the first 4 KB) a line starts with the PMID tag, or with ERIC's "OWN - ERIC", as Zotero's
// detector asks.
func Detect(src []byte) bool {
	if len(src) > 4096 {
		src = src[:4096]
	}
	if u, ok := fromUTF16(src); ok {
		src = u
	}
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	seen := 0
	for len(src) > 0 && seen < 5 {
		var line []byte
		line, src, _ = bytes.Cut(src, []byte("\n"))
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if pmidLine.Match(line) || bytes.Contains(line, []byte("OWN - ERIC")) {
			return true
		}
		seen++
	}
	return false
}

var (
	pmidLine = regexp.MustCompile(`^PMID {0,2}- `)
	// tagLine is a line that starts a tag: up to four capitals or digits, padded with spaces,
	// then "-". PubMed pads to four and writes "- "; Zotero accepts any padding.
	tagLine = regexp.MustCompile(`^([A-Z0-9]{1,5}) *-(?: |$)`)
)

// field is one tag and its value, continuation lines joined by spaces.
type field struct {
	tag, value string
	line       int
}

// Parse reads MEDLINE text. Records are separated by blank lines; a line indented by spaces
// continues the value of the tag before it. Text before the first tag is reported and skipped.
func Parse(name string, src []byte) *bib.File {
	f := &bib.File{Name: name}
	if u, ok := fromUTF16(src); ok {
		src = u
		f.Problems = append(f.Problems, bib.Problem{File: name, Line: 1, Col: 1, Severity: bib.Warning,
			Msg: "the file is UTF-16 (it starts with a byte-order mark): read as such"})
	}
	text := string(bytes.TrimPrefix(src, []byte("\ufeff")))
	if !utf8.ValidString(text) {
		f.Problems = append(f.Problems, bib.Problem{File: name, Line: 1, Col: 1, Severity: bib.Warning,
			Msg: "the file is not valid UTF-8: invalid bytes read as U+FFFD"})
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	p := &parser{file: f}
	lineNo := 0
	for len(text) > 0 {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		lineNo++
		p.line(strings.TrimSuffix(line, "\r"), lineNo)
	}
	p.flush()
	return f
}

// parser gathers the fields of the record being read.
type parser struct {
	file    *bib.File
	fields  []field
	lines   int  // lines of the current record
	cut     bool // the current record was cut at maxLines
	stray   bool // stray text before the first tag was reported
	dropped bool // the current value was cut at maxValue
	// value gathers the value of the last field, its continuation lines joined by spaces:
	// appending to a string would copy the value for each line.
	value strings.Builder
}

func (p *parser) problem(line int, sev bib.Severity, format string, args ...any) {
	p.file.Problems = append(p.file.Problems, bib.Problem{File: p.file.Name, Line: line, Col: 1,
		Severity: sev, Msg: fmt.Sprintf(format, args...)})
}

// line takes one line of the file.
func (p *parser) line(line string, n int) {
	if strings.TrimSpace(line) == "" {
		p.flush()
		return
	}
	if len(p.fields) > 0 {
		p.lines++
		if p.lines > maxLines {
			if !p.cut {
				p.problem(n, bib.Error, "record has more than %d lines: the rest of it is dropped", maxLines)
				p.cut = true
			}
			return
		}
	}
	if m := tagLine.FindStringSubmatch(line); m != nil {
		p.endValue()
		p.fields = append(p.fields, field{tag: m[1], line: n})
		p.dropped = false
		v := strings.TrimSpace(line[len(m[0]):])
		if len(v) > maxValue {
			p.problem(n, bib.Error, "%s value longer than %d bytes: the rest of it is dropped", m[1], maxValue)
			v, p.dropped = strings.ToValidUTF8(v[:maxValue], ""), true
		}
		p.value.WriteString(v)
		return
	}
	if len(p.fields) == 0 {
		if !p.stray {
			p.problem(n, bib.Warning, "text before the first MEDLINE tag is skipped")
			p.stray = true
		}
		return
	}
	last := &p.fields[len(p.fields)-1]
	more := strings.TrimSpace(line)
	if p.value.Len()+1+len(more) > maxValue {
		if !p.dropped {
			p.problem(n, bib.Error, "%s value longer than %d bytes: the rest of it is dropped", last.tag, maxValue)
			p.dropped = true
		}
		return
	}
	if p.value.Len() > 0 {
		p.value.WriteByte(' ')
	}
	p.value.WriteString(more)
}

// endValue gives the last field the value gathered in p.value.
func (p *parser) endValue() {
	if len(p.fields) > 0 && p.value.Len() > 0 {
		p.fields[len(p.fields)-1].value = p.value.String()
	}
	p.value.Reset()
}

// flush makes an entry of the record read so far, if any.
func (p *parser) flush() {
	p.endValue()
	if len(p.fields) > 0 {
		e, probs := convert(p.file.Name, p.fields)
		p.file.Items = append(p.file.Items, bib.Item{Kind: bib.KindEntry, Line: e.Line, Entry: e})
		p.file.Problems = append(p.file.Problems, probs...)
	}
	p.fields, p.lines, p.cut, p.stray, p.dropped = nil, 0, false, false, false
}

// fromUTF16 converts text that starts with a UTF-16 byte-order mark to UTF-8 (Windows programs
// save text so), and reports whether it did: read as bytes it held no tag, and its records
// were taken for a BibTeX file without entries.
func fromUTF16(src []byte) ([]byte, bool) {
	if len(src) < 2 || !(src[0] == 0xff && src[1] == 0xfe || src[0] == 0xfe && src[1] == 0xff) {
		return src, false
	}
	out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(src)
	return out, err == nil // it fails only without the mark, which is there
}
