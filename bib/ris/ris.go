// Package ris reads RIS files (the "Export citation" format of publishers, databases and
// reference managers) into BibTeX entries, and writes entries as RIS.
//
// Types and tags are mapped the way Zotero's RIS translator does (zotero/translators, RIS.js,
// at commit 2814370161d05d799086825fac8d499db3a33aa3): a TY value names a Zotero item type,
// each tag a Zotero field of that type, and the item becomes BibTeX the way Zotero's BibTeX
// export (BibTeX.js) writes it. Where this package departs from them it says so at the place
// (mapping.go). Reading is as lenient as Zotero's: a missing ER, one or no space before the
// dash, a byte-order mark, CRLF or CR line ends, lines that continue the value above them,
// records without TY, and repeated tags are all read. What RIS says that BibTeX has no field
// for is kept, never dropped: a tag with no BibTeX field, and a second value of a tag whose
// field holds one value, becomes the field "ris-" plus the tag in lower case (AD becomes
// ris-ad), which Write turns back into the tag.
//
// The package imports bib only: no storage, no Fyne, no SQL.
package ris

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
)

// Limits that keep a hostile file from taking unbounded time or memory. A value longer than
// maxValue is cut there and a record with more than maxTags tags loses the rest, each with an
// Error problem; no real record comes near either.
const (
	maxValue = 1 << 20
	maxTags  = 10000
	// maxOutside is how many runs of text outside records get a warning each.
	maxOutside = 5
)

// Parse reads a RIS file into a bib.File whose Items are its records as entries, in order.
// Every record becomes an entry (a record without TY too, as Zotero reads it); every problem,
// from the text's encoding to a value cut at the size limit, is in Problems with its line.
// Parse never panics. It reads the file with a Reader.
func Parse(name string, src []byte) *bib.File { return bib.ReadAll(NewReader(name, src)) }

// Reader reads a RIS file one record at a time, for files too large to hold parsed whole: the
// entries and problems it gives are those of Parse, in the same order, and an entry does not
// keep the ones before it in memory. It is a bib.ItemReader. It is not safe for use by several
// goroutines at once.
type Reader struct {
	s    scanner
	text []byte // the whole text, decoded: the file's bytes themselves when they are UTF-8
	rest []byte // the text not read yet
	line int    // the number of the last line read
	done bool   // the end is reached and the problems are sorted
}

var _ bib.ItemReader = (*Reader)(nil)

// NewReader returns a Reader of a RIS file's bytes, which it reads, never writes, until Next
// reports the end; each line is copied as it is read. A file that is not UTF-8 is decoded whole
// at once (see Parse); records are read as Next asks for them.
func NewReader(name string, src []byte) *Reader {
	text, problems := decodeBytes(name, src)
	r := &Reader{text: text, rest: text}
	r.s = scanner{name: name, problems: problems}
	return r
}

// Next returns the next record as an entry, or false at the end of the file.
func (r *Reader) Next() (bib.Item, bool) {
	for len(r.s.items) == 0 {
		if r.done {
			return bib.Item{}, false
		}
		if len(r.rest) == 0 {
			r.s.end(r.line)
			r.s.problems.Sort()
			r.done = true
			continue
		}
		r.line++
		var l []byte
		l, r.rest = cutLine(r.rest)
		r.s.line(string(l), r.line)
	}
	it := r.s.items[0]
	r.s.items[0] = bib.Item{}
	if len(r.s.items) == 1 {
		r.s.items = r.s.items[:0] // a line makes one entry at most: the slice is reused
	} else {
		r.s.items = r.s.items[1:]
	}
	return it, true
}

// Problems returns the problems found so far; once Next has reported the end, all of them, in
// the order of their lines.
func (r *Reader) Problems() bib.Problems { return r.s.problems }

// Name returns the file name the Reader was given.
func (r *Reader) Name() string { return r.s.name }

// Estimate returns about how many records the file has: its lines that start with a TY tag
// (after blanks), which is exactly its records unless some have no TY line.
func (r *Reader) Estimate() int {
	s, n := r.text, 0
	for i := 0; ; i += 2 {
		j := bytes.Index(s[i:], []byte("TY"))
		if j < 0 {
			return n
		}
		i += j
		k := i
		for k > 0 && (s[k-1] == ' ' || s[k-1] == '\t') {
			k--
		}
		if k == 0 || s[k-1] == '\n' || s[k-1] == '\r' || string(s[:k]) == "\ufeff" {
			line, _ := cutLine(s[i:])
			if tag, _, ok := tagLine(string(line)); ok && tag == "TY" {
				n++
			}
		}
	}
}

// cutLine returns the first line of text, without its end (\n, \r\n or \r), and the text after
// it.
func cutLine(text []byte) (line, rest []byte) {
	i := bytes.IndexAny(text, "\r\n")
	if i < 0 {
		return text, nil
	}
	line = text[:i]
	if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
		i++
	}
	return line, text[i+1:]
}

// Detect reports whether src looks like RIS: among its first non-blank lines (at most five,
// as Zotero's detectImport allows, within the first 4 KiB) is a line "TY  - ", with zero to
// two spaces before the dash. A UTF-8 or UTF-16 byte-order mark is skipped.
func Detect(src []byte) bool {
	if len(src) > 4096 {
		src = src[:4096]
	}
	if len(src) >= 2 && (src[0] == 0xff && src[1] == 0xfe || src[0] == 0xfe && src[1] == 0xff) {
		text, _ := decode("", src)
		src = []byte(text)
	}
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	seen := 0
	for len(src) > 0 && seen < 5 {
		i := bytes.IndexAny(src, "\r\n")
		line := src
		if i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = nil
		}
		line = bytes.TrimLeft(line, " \t\ufeff")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		seen++
		if tag, _, ok := tagLine(string(line)); ok && tag == "TY" {
			return true
		}
	}
	return false
}

// tagLine splits a line "XX  - value" into its tag and value. The tag is a capital letter and
// a capital letter or digit, as RIS.js's pattern has it; any number of spaces or tabs may stand
// before the dash (Zotero allows one or two), and the dash is followed by a space or ends the
// line, so that "A1-antagonist" in a continued abstract is not a tag.
func tagLine(line string) (tag, value string, ok bool) {
	if len(line) < 3 || !isUpper(line[0]) || !(isUpper(line[1]) || line[1] >= '0' && line[1] <= '9') {
		return "", "", false
	}
	i := 2
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i == len(line) || line[i] != '-' {
		return "", "", false
	}
	i++
	if i < len(line) && line[i] != ' ' && line[i] != '\t' {
		return "", "", false
	}
	return line[:2], strings.TrimSpace(line[i:]), true
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// tagValue is one tag of a record with its value, continuation lines joined.
type tagValue struct {
	tag, value string
	line       int
}

// record is the tags of one record, in order.
type record struct {
	line int // of its first tag
	tags []tagValue
}

// scanner reads the lines of a RIS text, one at a time, into records and hands each to the
// mapping.
type scanner struct {
	name     string
	items    []bib.Item // the entries made and not yet given out
	records  int        // the entries made
	problems bib.Problems
	rec      *record
	// The value being read: its first line's text, or the builder once a line continues it.
	cur      *tagValue
	more     strings.Builder
	multi    bool
	cut      bool // the current value reached maxValue
	dropped  bool // the current record reached maxTags
	outside  int  // runs of text outside records
	inText   bool // the previous line was such text
	noER     int  // records ended by a TY or the end of the file instead of ER
	noERLine int
	spare    []tagValue // the tags of the last record, for the next one to reuse
}

func (s *scanner) problem(line int, sev bib.Severity, format string, args ...any) {
	s.problems = append(s.problems, bib.Problem{File: s.name, Line: line, Col: 1, Severity: sev,
		Msg: fmt.Sprintf(format, args...)})
}

// end finishes the text, whose last line was line: the record not ended, and the warnings
// about the whole file.
func (s *scanner) end(line int) {
	s.endValue()
	if s.rec != nil {
		s.missingER(s.rec.line)
		s.emit()
	}
	if s.noER > 0 {
		s.problem(s.noERLine, bib.Warning, "%d record(s) end without an ER line, the first here; each was read up to the next TY or the end of the file", s.noER)
	}
	if s.outside > maxOutside {
		s.problem(line, bib.Warning, "%d more runs of text outside records were ignored", s.outside-maxOutside)
	}
	if s.records == 0 && line > 0 {
		s.problem(1, bib.Warning, "no RIS record: no line has a tag such as \"TY  - JOUR\"")
	}
}

func (s *scanner) line(l string, n int) {
	if strings.Contains(l, "\u2028") || strings.Contains(l, "\u2029") {
		// Zotero's RIS.js: some services break lines with LINE SEPARATOR; it is a space.
		l = strings.NewReplacer("\u2028", " ", "\u2029", " ").Replace(l)
	}
	tag, value, ok := tagLine(l)
	if !ok {
		// A TY indented by spaces still starts a record, as Zotero's detectImport finds it.
		if t := strings.TrimLeft(l, " \t\ufeff"); len(t) < len(l) && strings.HasPrefix(t, "TY") {
			tag, value, ok = tagLine(t)
			ok = ok && tag == "TY"
		}
	}
	if !ok {
		if s.cur != nil {
			s.continueValue(l)
			return
		}
		if t := strings.Trim(l, " \t\ufeff"); t != "" && !s.inText {
			if s.outside++; s.outside <= maxOutside {
				s.problem(n, bib.Warning, "text outside a record ignored: %q", clip(t))
			}
		}
		s.inText = strings.Trim(l, " \t\ufeff") != ""
		return
	}
	s.inText = false
	s.endValue()
	switch tag {
	case "TY":
		if s.rec != nil {
			s.missingER(s.rec.line)
			s.emit()
		}
		s.newRecord(n)
	case "ER":
		if s.rec != nil {
			s.emit()
		}
		return
	}
	if s.rec == nil {
		s.newRecord(n)
	}
	if len(s.rec.tags) >= maxTags {
		if !s.dropped {
			s.dropped = true
			s.problem(n, bib.Error, "the record has more than %d tags: %s and the tags after it are dropped", maxTags, tag)
		}
		return
	}
	s.rec.tags = append(s.rec.tags, tagValue{tag: tag, value: value, line: n})
	s.cur = &s.rec.tags[len(s.rec.tags)-1]
	if len(value) > maxValue {
		s.cur.value = value[:maxValue]
		s.cutValue(n)
	}
}

func (s *scanner) newRecord(line int) {
	s.rec = &record{line: line, tags: s.spare[:0]}
}

func (s *scanner) missingER(line int) {
	if s.noER++; s.noER == 1 {
		s.noERLine = line
	}
}

// continueValue adds a line that is not a tag to the value being read, as RIS.js does: after a
// newline for the tags whose values are lists (KW, L1 to L4), after a space otherwise. A blank
// line adds nothing.
func (s *scanner) continueValue(l string) {
	l = strings.Trim(l, " \t\ufeff")
	if l == "" || s.cut {
		return
	}
	if !s.multi {
		s.more.Reset()
		s.more.WriteString(s.cur.value)
		s.multi = true
	}
	if s.more.Len() > 0 {
		switch s.cur.tag {
		case "KW", "L1", "L2", "L3", "L4":
			s.more.WriteByte('\n')
		default:
			s.more.WriteByte(' ')
		}
	}
	if s.more.Len()+len(l) > maxValue {
		l = l[:max(0, maxValue-s.more.Len())]
		s.cutValue(s.cur.line)
	}
	s.more.WriteString(l)
}

func (s *scanner) cutValue(line int) {
	s.cut = true
	s.problem(line, bib.Error, "the value of %s is longer than %d bytes: cut there", s.cur.tag, maxValue)
}

// endValue finishes the value being read.
func (s *scanner) endValue() {
	if s.cur != nil && s.multi {
		s.cur.value = strings.Clone(s.more.String())
	}
	s.cur, s.multi, s.cut = nil, false, false
}

// emit turns the record read into an entry.
func (s *scanner) emit() {
	s.endValue()
	e, problems := mapRecord(s.rec)
	for _, p := range problems {
		p.File = s.name
		if p.Col == 0 {
			p.Col = 1
		}
		s.problems = append(s.problems, p)
	}
	s.items = append(s.items, bib.Item{Kind: bib.KindEntry, Line: s.rec.line, Entry: e})
	s.records++
	s.spare = s.rec.tags
	s.rec, s.dropped = nil, false
}

// clip shortens text quoted in a problem.
func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	i := 60
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return strings.Clone(s[:i]) + "…"
}
