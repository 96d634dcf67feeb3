package csl

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"
)

// The reader does not decode an item into a map[string]any, as encoding/json would: a scanner
// checks the item's JSON and notes where each member's value is, and the variables Parse maps
// are then read from those bytes, only their strings allocated. The scanner accepts exactly what
// encoding/json accepts (its nesting limit included), so that every file is read as before; the
// messages of syntax errors are still encoding/json's (see parser.fallback).

// kind is the JSON type of a value; absent is a member the item does not have.
type kind byte

const (
	absent kind = iota
	null
	falseValue
	trueValue
	number
	stringValue
	array
	object
)

// value is one JSON value, as its bytes: a string's with its quotes.
type value struct {
	kind kind
	b    []byte
	esc  bool // a string with a backslash escape or a byte over 0x7f
}

// maxDepth is the deepest nesting of arrays and objects encoding/json reads.
const maxDepth = 10000

// scanner checks and skips JSON values in b from i.
type scanner struct {
	b     []byte
	i     int
	depth int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value reads the value at s.i, white space before it passed over, and reports whether it is
// valid JSON. It leaves s.i just past the value.
func (s *scanner) value() (value, bool) {
	s.ws()
	if s.i >= len(s.b) {
		return value{}, false
	}
	start := s.i
	var v value
	ok := false
	switch c := s.b[s.i]; {
	case c == '"':
		v.kind = stringValue
		v.esc, ok = s.str()
	case c == '{':
		v.kind = object
		ok = s.object()
	case c == '[':
		v.kind = array
		ok = s.array()
	case c == 't':
		v.kind, ok = trueValue, s.literal("true")
	case c == 'f':
		v.kind, ok = falseValue, s.literal("false")
	case c == 'n':
		v.kind, ok = null, s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		v.kind, ok = number, s.number()
	}
	v.b = s.b[start:s.i]
	return v, ok
}

func (s *scanner) literal(word string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		return false
	}
	s.i += len(word)
	return true
}

// number reads a number as JSON writes it: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() bool {
	b := s.b
	if b[s.i] == '-' {
		s.i++
	}
	if s.i >= len(b) {
		return false
	}
	switch {
	case b[s.i] == '0':
		s.i++
	case b[s.i] >= '1' && b[s.i] <= '9':
		s.digits()
	default:
		return false
	}
	if s.i < len(b) && b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return false
		}
	}
	if s.i < len(b) && (b[s.i] == 'e' || b[s.i] == 'E') {
		s.i++
		if s.i < len(b) && (b[s.i] == '+' || b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}

func (s *scanner) digits() int {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

// str reads a string, and reports whether it needs decoding (an escape or a non-ASCII byte)
// and whether it is valid.
func (s *scanner) str() (esc, ok bool) {
	b := s.b
	s.i++ // the opening quote
	for s.i < len(b) {
		if s.i+8 <= len(b) && plain8(binary.LittleEndian.Uint64(b[s.i:])) {
			s.i += 8
			continue
		}
		c := b[s.i]
		switch {
		case c == '"':
			s.i++
			return esc, true
		case c == '\\':
			esc = true
			if s.i+1 >= len(b) {
				return esc, false
			}
			switch b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(b) {
					return esc, false
				}
				for _, h := range b[s.i+2 : s.i+6] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return esc, false
					}
				}
				s.i += 6
			default:
				return esc, false
			}
		case c < 0x20:
			return esc, false
		default:
			if c >= utf8.RuneSelf {
				esc = true
			}
			s.i++
		}
	}
	return esc, false
}

// plain8 reports whether the eight bytes of x are all ASCII that a string's body holds as it is:
// no quote, backslash or control character (tested a word at a time, as in "Bit Twiddling
// Hacks": a byte b < n sets its high bit in (x - n·0x01…) &^ x).
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(y uint64) uint64 { return (y - ones) &^ y & highs }
	return (zero(x^('"'*ones)) | zero(x^('\\'*ones)) | (x-0x20*ones)&^x&highs | x&highs) == 0
}

func (s *scanner) object() bool {
	if s.depth++; s.depth > maxDepth {
		return false
	}
	s.i++ // {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		s.depth--
		return true
	}
	for {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return false
		}
		if _, ok := s.str(); !ok {
			return false
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		if _, ok := s.value(); !ok {
			return false
		}
		s.ws()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.ws()
		case '}':
			s.i++
			s.depth--
			return true
		default:
			return false
		}
	}
}

func (s *scanner) array() bool {
	if s.depth++; s.depth > maxDepth {
		return false
	}
	s.i++ // [
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		s.depth--
		return true
	}
	for {
		if _, ok := s.value(); !ok {
			return false
		}
		s.ws()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return true
		default:
			return false
		}
	}
}

// The readers below walk values that the scanner has found valid.

// members calls f with each member of the object v, in order.
func members(v value, f func(key []byte, esc bool, m value)) {
	s := scanner{b: v.b, i: 1}
	s.ws()
	for s.i < len(s.b) && s.b[s.i] == '"' {
		start := s.i
		esc, _ := s.str()
		key := s.b[start:s.i]
		s.ws()
		s.i++ // :
		m, _ := s.value()
		f(key, esc, m)
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			s.ws()
		}
	}
}

// elements calls f with each element of the array v, in order.
func elements(v value, f func(e value)) {
	s := scanner{b: v.b, i: 1}
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		return
	}
	for s.i < len(s.b) {
		e, ok := s.value()
		if !ok {
			return
		}
		f(e)
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ',' {
			return
		}
		s.i++
	}
}

// decode returns a string's text as encoding/json gives it: escapes read, and each byte that
// is not part of valid UTF-8 read as U+FFFD.
func decode(b []byte, esc bool) string {
	if len(b) < 2 {
		return ""
	}
	if in := b[1 : len(b)-1]; !esc || bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
		return string(in)
	}
	var s string
	_ = json.Unmarshal(b, &s) // the scanner has found b valid
	return s
}

// keyOf returns a member's name as a string, the names of the variables Parse reads, and of the
// members of the names and dates it reads, without an allocation.
func keyOf(b []byte, esc bool) string {
	if !esc {
		if k, ok := knownKey[string(b[1:len(b)-1])]; ok {
			return k
		}
	}
	return decode(b, esc)
}

var knownKey = func() map[string]string {
	m := map[string]string{}
	for _, fields := range []map[string]string{textField, rawField, nameField, dateField} {
		for k := range fields {
			m[k] = k
		}
	}
	for k := range ignored {
		m[k] = k
	}
	// The members of a name (bibtexNames) and of a date (readDate).
	for _, k := range []string{"family", "given", "literal", "dropping-particle", "non-dropping-particle", "suffix",
		"date-parts", "season", "circa", "raw"} {
		m[k] = k
	}
	return m
}()

// str returns a string value's text, or "" for any other value.
func (v value) str() string {
	if v.kind != stringValue {
		return ""
	}
	return decode(v.b, v.esc)
}

// member is one variable of an item.
type member struct {
	key string
	v   value
}

// item is a CSL item's variables, sorted by name, each name once: a name given twice has the
// value given last, as encoding/json decodes it into a map.
type item []member

func readItem(v value, buf item) item {
	it := buf[:0]
	members(v, func(key []byte, esc bool, m value) {
		it = append(it, member{keyOf(key, esc), m})
	})
	slices.SortStableFunc(it, func(a, b member) int { return strings.Compare(a.key, b.key) })
	out := it[:0]
	for i, m := range it {
		if i+1 < len(it) && it[i+1].key == m.key {
			continue
		}
		out = append(out, m)
	}
	return out
}

// get returns the value of variable k, or a value of kind absent.
func (it item) get(k string) value {
	i, ok := slices.BinarySearchFunc(it, k, func(m member, k string) int { return strings.Compare(m.key, k) })
	if !ok {
		return value{}
	}
	return it[i].v
}

// present reports whether the item has variable k with a value other than null, as a map's
// value compared with nil.
func (it item) present(k string) bool { return it.get(k).kind > null }
