// Package csl reads and writes CSL-JSON, the bibliography format of citeproc (Pandoc, Quarto,
// Zotero, citation-js). Parse reads a CSL-JSON file into BibTeX entries and Write writes entries
// as CSL-JSON, both mapping types and variables the way Pandoc's BibTeX<->CSL conversion does
// (jgm/pandoc, src/Text/Pandoc/Citeproc/BibTeX.hs), and citation-js's BibTeX plugin where Pandoc
// has no mapping. The deliberate differences from Pandoc are listed, with their reasons, in
// testdata/KNOWN_DIFFERENCES.md.
//
// It is pure Go and imports bib only: never storage or app.
package csl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
)

// maxRecord is the largest item Parse reads (a CSL item is rarely over a few KB: an abstract is
// the longest variable); maxValue is bib's limit for one field's value, so that what Parse makes
// can be written and read back as BibTeX.
const (
	maxRecord = 4 << 20
	maxValue  = 1 << 20
)

// Detect reports whether src looks like CSL-JSON: a JSON array of objects or one object (or the
// {"items": [...]} shape) whose first keys, within the first 4 KB, include "type" or "id"
// beside CSL variables such as "title", "author" or "issued".
func Detect(src []byte) bool {
	head := src[:min(len(src), 4096)]
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 || t[0] != '[' && t[0] != '{' {
		return false
	}
	keys := 0
	for _, k := range []string{`"type"`, `"id"`, `"title"`, `"author"`, `"issued"`, `"container-title"`, `"DOI"`, `"URL"`, `"citation-key"`, `"editor"`} {
		if bytes.Contains(t, []byte(k)) {
			keys++
		}
	}
	if keys < 2 {
		return false
	}
	// The CSL variables that no BibTeX or RIS file holds in quotes followed by a colon.
	return bytes.Contains(t, []byte(`"type":`)) || bytes.Contains(t, []byte(`"type" :`)) ||
		bytes.Contains(t, []byte(`"issued"`)) || bytes.Contains(t, []byte(`"container-title"`)) ||
		bytes.Contains(t, []byte(`"id":`))
}

// parser holds what Parse needs to say where a problem is.
type parser struct {
	name string
	src  []byte
	file *bib.File
	line int // the line of offset off
	off  int
	seen map[string]bool

	// The array being read: pos is the offset in src just past its [ or its last item, first
	// says no item has been read. After a syntax error, dec reads on from pos (see fallback).
	pos     int
	first   bool
	dec     *json.Decoder
	decBase int      // the offset in src where dec starts
	members item     // the buffer of readItem
	names   []string // the buffer of bibtexNames
}

// lineAt returns the line of byte offset o, counting on from the last offset asked for (the
// offsets come in order, so the whole file is counted once).
func (p *parser) lineAt(o int) int {
	o = min(o, len(p.src))
	if o < p.off {
		p.line, p.off = 1, 0
	}
	p.line += bytes.Count(p.src[p.off:o], []byte("\n"))
	p.off = o
	return p.line
}

func (p *parser) problem(line int, sev bib.Severity, key, format string, args ...any) {
	p.file.Problems = append(p.file.Problems, bib.Problem{File: p.name, Line: line, Col: 1, Key: key, Severity: sev, Msg: fmt.Sprintf(format, args...)})
}

// Parse reads CSL-JSON: an array of items, one item, or an object whose "items" member is the
// array (as some tools write it). Each item becomes an entry (see entry) at the line where its
// object starts. A syntax error ends the reading, with a problem at its line: the items before
// it are kept. An item over 4 MB, or one that is not an object, is reported and skipped; a value
// over 1 MB is reported and left out. Parse reads the file with a Reader.
func Parse(name string, src []byte) *bib.File { return bib.ReadAll(NewReader(name, src)) }

// Reader reads a CSL-JSON file one item at a time, for files too large to hold parsed whole: the
// entries and problems it gives are those of Parse, in the same order. A file that is an array
// (what Zotero, Pandoc and citation-js write) is decoded item by item, and an entry does not keep
// the ones before it in memory; a file that is one object, an item or {"items": [...]}, is read
// whole at the first Next, as such files are small in practice. It is a bib.ItemReader. It is
// not safe for use by several goroutines at once.
type Reader struct {
	p     *parser
	base  int // the offset in src of the file's value
	state readerState
	i     int // the next item of p.file.Items to give
}

var _ bib.ItemReader = (*Reader)(nil)

type readerState int

const (
	beforeArray readerState = iota // the file is an array: its [ is not read yet
	inArray                        // the items of the array are being read
	anObject                       // the file is one object, not read yet
	readAll                        // the end of the file, or of what can be read of it
)

// NewReader returns a Reader of a CSL-JSON file's bytes, which it reads, never writes.
func NewReader(name string, src []byte) *Reader {
	p := &parser{name: name, src: src, file: &bib.File{Name: name}, line: 1, seen: map[string]bool{}}
	r := &Reader{p: p, state: readAll}
	body := bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	start := len(src) - len(body)
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	start += len(body) - len(trimmed)
	if len(trimmed) == 0 {
		p.problem(1, bib.Error, "", "no CSL-JSON: the file is empty")
		return r
	}
	if !utf8.Valid(trimmed) {
		p.problem(1, bib.Warning, "", "the file is not valid UTF-8: invalid bytes are read as U+FFFD")
	}
	r.base = start
	switch trimmed[0] {
	case '[':
		r.state = beforeArray
	case '{':
		r.state = anObject
	default:
		p.problem(p.lineAt(start), bib.Error, "", "no CSL-JSON: the file starts with %q, not [ or {", clipRune(trimmed))
	}
	return r
}

// Next returns the next item as an entry, or false at the end of the file (or at a syntax
// error).
func (r *Reader) Next() (bib.Item, bool) {
	p := r.p
	for r.i >= len(p.file.Items) {
		clear(p.file.Items)
		p.file.Items, r.i = p.file.Items[:0], 0
		switch r.state {
		case beforeArray:
			r.state = inArray
			p.openArray(r.base)
		case inArray:
			if !p.arrayItem() {
				r.state = readAll
			}
		case anObject:
			p.object(r.base)
			r.state = readAll
		case readAll:
			return bib.Item{}, false
		}
	}
	it := p.file.Items[r.i]
	r.i++
	return it, true
}

// Problems returns the problems found so far; once Next has reported the end, all of them.
func (r *Reader) Problems() bib.Problems { return r.p.file.Problems }

// Name returns the file name the Reader was given.
func (r *Reader) Name() string { return r.p.name }

// Estimate returns about how many items the file has, from one pass over its bytes: the objects
// directly inside the top-level array, or inside an array that is a member of the top-level
// object (one for a file that is one item, unless a member holds objects in an array). Most of a
// CSL-JSON file is strings, whose bodies it passes over with bytes.IndexByte.
func (r *Reader) Estimate() int {
	var stack []byte // the open arrays and objects, as their first byte, up to a depth of 3
	depth, n := 0, 0
	src := r.p.src
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"':
			i = stringEnd(src, i+1)
		case '[', '{':
			if c == '{' && (depth == 1 && stack[0] == '[' || depth == 2 && stack[0] == '{' && stack[1] == '[') {
				n++
			}
			if depth < 3 {
				stack = append(stack, c)
			}
			depth++
		case ']', '}':
			if depth > 0 {
				depth--
			}
			if depth < len(stack) {
				stack = stack[:depth]
			}
		}
	}
	if n == 0 && len(stack) == 0 && r.state == anObject {
		return 1
	}
	return n
}

// stringEnd returns the offset of the quote that ends the string whose body starts at offset i
// of b (a quote after an odd number of backslashes is in the body), or len(b) when none does.
func stringEnd(b []byte, i int) int {
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return len(b)
		}
		q := i + j
		k := q
		for k > i && b[k-1] == '\\' {
			k--
		}
		if (q-k)%2 == 0 {
			return q
		}
		i = q + 1
	}
}

func clipRune(b []byte) string {
	r, _ := utf8.DecodeRune(b)
	return string(r)
}

// array reads the items of the array whose [ is at offset at.
func (p *parser) array(at int) {
	p.openArray(at)
	for p.arrayItem() {
	}
}

// openArray starts reading the array whose [ is at offset at.
func (p *parser) openArray(at int) {
	p.pos, p.first, p.dec = at+1, true, nil
}

// arrayItem reads the next item of the array, or its ], and reports whether it read an item
// (which may have been skipped, with a problem). It reads as encoding/json's Decoder does, with
// More and Decode: the items are separated by commas, anything after the ] is not read.
func (p *parser) arrayItem() bool {
	if p.dec != nil {
		return p.decoderItem()
	}
	s := scanner{b: p.src, i: p.pos}
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		return false
	}
	if !p.first {
		if s.i >= len(s.b) || s.b[s.i] != ',' {
			return p.fallback()
		}
		s.i++
		s.ws()
	}
	at := s.i
	v, ok := s.value()
	if !ok {
		return p.fallback()
	}
	p.pos, p.first = s.i, false
	p.item(v, s.i-at, p.lineAt(at))
	return true
}

// fallback reads the rest of the array with encoding/json's Decoder, from where the scanner
// found a syntax error, so that the problem says what encoding/json says of it. The Decoder is
// put in the state it would be in there: after the [, or after an item ({} standing for it,
// as the Decoder reads an object to its } without looking at the byte after it).
func (p *parser) fallback() bool {
	prefix := "[{}"
	if p.first {
		prefix = "["
	}
	p.dec = json.NewDecoder(io.MultiReader(strings.NewReader(prefix), bytes.NewReader(p.src[p.pos:])))
	p.decBase = p.pos - len(prefix)
	var skip json.RawMessage
	if _, err := p.dec.Token(); err != nil || !p.first && p.dec.Decode(&skip) != nil {
		panic("csl: the fallback decoder cannot read its own prefix")
	}
	return p.decoderItem()
}

// decoderItem is arrayItem with the Decoder.
func (p *parser) decoderItem() bool {
	dec, base := p.dec, p.decBase
	if !dec.More() {
		if _, err := dec.Token(); err != nil {
			p.syntax(err, base+int(dec.InputOffset()))
		}
		return false
	}
	at := base + int(dec.InputOffset())
	for at < len(p.src) && (p.src[at] == ',' || p.src[at] == ' ' || p.src[at] == '\n' || p.src[at] == '\r' || p.src[at] == '\t') {
		at++
	}
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		p.syntax(err, at)
		return false
	}
	p.rawItem(raw, base+int(dec.InputOffset())-at, p.lineAt(at))
	return true
}

// rawItem is item of a value encoding/json has read.
func (p *parser) rawItem(raw []byte, size, line int) {
	s := scanner{b: raw}
	v, ok := s.value()
	if !ok {
		// Not reached: the scanner reads what encoding/json reads.
		p.problem(line, bib.Error, "", "item skipped: it could not be read")
		return
	}
	p.item(v, size, line)
}

// object reads a file that is one object, at offset base: an item, or {"items": [...]}.
func (p *parser) object(base int) {
	dec := json.NewDecoder(bytes.NewReader(p.src[base:]))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		p.syntax(err, base)
		return
	}
	var probe struct {
		Items json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(raw, &probe); err == nil && len(probe.Items) > 0 && probe.Items[0] == '[' {
		off := bytes.Index(raw, []byte(`"items"`))
		off += bytes.IndexByte(raw[off:], '[')
		p.array(base + off)
		return
	}
	p.rawItem(raw, len(raw), p.lineAt(base))
}

func (p *parser) syntax(err error, at int) {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		at = min(len(p.src), at)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		p.problem(p.lineAt(len(p.src)), bib.Error, "", "read CSL-JSON: the file ends inside an item: the items before it are kept")
		return
	}
	p.problem(p.lineAt(at), bib.Error, "", "read CSL-JSON: %v: the items before it are kept", err)
}

// item adds the entry of one item's JSON value v, of size bytes.
func (p *parser) item(v value, size, line int) {
	if size > maxRecord {
		p.problem(line, bib.Error, "", "item of %d bytes skipped: the limit is %d", size, maxRecord)
		return
	}
	if v.kind != object {
		var x any
		d := json.NewDecoder(bytes.NewReader(v.b))
		d.UseNumber()
		_ = d.Decode(&x)
		b, _ := json.Marshal(x)
		p.problem(line, bib.Error, "", "item skipped: a CSL item is a JSON object, not %s", clip(string(b)))
		return
	}
	m := readItem(v, p.members)
	p.members = m
	e, unknown, big := p.entry(m)
	e.Line = line
	if e.Key != "" {
		if p.seen[e.Key] {
			p.problem(line, bib.Warning, e.Key, "id %q is used by an earlier item: this one gets a key of its own", e.Key)
			e.Key = ""
		} else {
			p.seen[e.Key] = true
		}
	} else if id := idOf(m); id != "" {
		p.problem(line, bib.Warning, "", "id %q is not a BibTeX key: the entry gets one from the key pattern", clip(id))
	}
	for _, v := range big {
		p.problem(line, bib.Error, e.Key, "%s left out: its value is over %d bytes", v, maxValue)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		p.problem(line, bib.Warning, e.Key, "CSL variables with no BibTeX field, not kept: %s", strings.Join(unknown, ", "))
	}
	p.file.Items = append(p.file.Items, bib.Item{Kind: bib.KindEntry, Line: line, Entry: e})
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func idOf(m item) string {
	for _, k := range []string{"citation-key", "id"} {
		switch v := m.get(k); v.kind {
		case stringValue:
			if s := v.str(); s != "" {
				return s
			}
		case number:
			return string(v.b)
		}
	}
	return ""
}

// bibType is the BibTeX type of each CSL type: Pandoc's BibTeX writer (writeBibtexString) for the
// types BibTeX has, its biblatex choice for the others, misc for the rest.
var bibType = map[string]string{
	"article": "article", "article-magazine": "article", "article-newspaper": "article",
	"article-journal": "article", "book": "book", "pamphlet": "booklet", "paper-conference": "inproceedings",
	"report": "techreport", "speech": "unpublished", "manuscript": "unpublished",
	"dataset": "dataset", "webpage": "online", "post-weblog": "online", "patent": "patent",
	"graphic": "artwork", "song": "music", "legal_case": "jurisdiction", "legislation": "legislation",
	"treaty": "legal", "personal_communication": "letter", "motion_picture": "movie", "review": "review",
	"entry-encyclopedia": "inreference", "software": "software",
}

// entry makes a BibTeX entry of a CSL item; it returns the variables it has no field for and those
// left out for their size.
func (p *parser) entry(m item) (e *bib.Entry, unknown, big []string) {
	ctype := m.get("type").str()
	// The fields are about as many as the variables (issued makes up to three).
	e = &bib.Entry{Type: "misc", Fields: make([]bib.Field, 0, len(m)+3)}
	if t, ok := bibType[ctype]; ok {
		e.Type = t
	}
	switch ctype {
	case "chapter":
		e.Type = "inbook"
		if m.get("editor").kind != absent {
			e.Type = "incollection"
		}
	case "thesis":
		e.Type = "phdthesis"
		if g := m.get("genre").str(); strings.Contains(strings.ToLower(g), "master") || strings.EqualFold(g, "mathesis") {
			e.Type = "mastersthesis"
		}
	}
	if id := idOf(m); bib.CheckKey(id) == nil {
		e.Key = id
	}
	set := func(field, value string) {
		if len(value) > maxValue {
			big = append(big, field)
			return
		}
		if value != "" {
			_ = e.Set(field, value) // the values made here are balanced
		}
	}
	for _, mb := range m {
		if !p.variable(e, mb.key, m, set) {
			unknown = append(unknown, mb.key)
		}
	}
	if sub := strings.TrimPrefix(ctype, "article-"); ctype != "" && (sub == "magazine" || sub == "newspaper") {
		set("entrysubtype", sub)
	}
	if len(e.Fields) == 0 {
		e.Fields = nil // as an entry that Set was never called on
	}
	return e, unknown, big
}

// textOf returns a variable's value as text: strings as they are, numbers as written.
func textOf(v value) string {
	switch v.kind {
	case stringValue:
		return v.str()
	case number:
		return string(v.b)
	case trueValue:
		return "true"
	}
	return ""
}
