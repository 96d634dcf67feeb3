package storage

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
)

// The fields column holds an entry's fields as JSON in one of two forms. The full form is a list
// of every field with its name, raw text and value, as storedField: [{"name":"title","raw":
// "{A}","value":"A"}]. The short form (from schema version 5 on), for an entry whose source
// alone parses to the same fields (every imported entry but a few broken ones), is an object
// with each field's name (for has: searches) and its value only where the source alone gives
// another one (a macro of the file's @string items): {"short":1,"fields":[{"name":"title"},
// {"name":"journal","value":"Journal of Tests"}]}. Reading such an entry parses its source
// again, a few microseconds; importing it writes a third of the bytes. An entry that is edited
// gets the full form. Being an object, the short form makes a release that predates it fail to
// read the entry rather than read it as fields without values (and Open refuses a library of a
// newer schema anyway).

// From schema version 16 on, a field of the full form whose raw text is its value in braces,
// as every field of an entry read from RIS or CSL-JSON has it, leaves "raw" out: the value is
// written once, not twice (a quarter of what such an import writes). Releases before 16 refuse
// a library of version 16, and so never read the form without raw as a field whose raw text is
// empty.

// storedField is a field in the full form of the fields column. Raw is nil when the raw text is
// the value in braces.
type storedField struct {
	Name      string  `json:"name"`
	Raw       *string `json:"raw,omitempty"`
	Value     string  `json:"value"`
	Duplicate bool    `json:"dup,omitempty"`
}

// bracedValue reports whether f's raw text is its value in braces: the full form then leaves
// the raw text out.
func bracedValue(f *bib.Field) bool {
	return len(f.Raw) == len(f.Value)+2 && f.Raw[0] == '{' && f.Raw[len(f.Raw)-1] == '}' && f.Raw[1:len(f.Raw)-1] == f.Value
}

// appendFieldsJSON appends the JSON of fields as []storedField (Raw nil for a braced value),
// byte for byte what json.Marshal makes of it: encoding/json, through reflection and a buffer copied into the result, took a
// tenth of an import.
func appendFieldsJSON(b []byte, fields []bib.Field) []byte {
	n := 2
	for i := range fields {
		f := &fields[i]
		n += len(`{"name":"","raw":"","value":"","dup":true},`) + len(f.Name) + len(f.Raw) + len(f.Value)
	}
	b = slices.Grow(b, n)
	b = append(b, '[')
	for i := range fields {
		f := &fields[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(append(b, `{"name":`...), f.Name)
		if !bracedValue(f) {
			b = appendJSONString(append(b, `,"raw":`...), f.Raw)
		}
		b = appendJSONString(append(b, `,"value":`...), f.Value)
		if f.Duplicate {
			b = append(b, `,"dup":true`...)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// sourceFields returns the fields e's source gives when it is parsed on its own, if they have
// e's names and raw values (the values may differ, by macros): then the short form of the
// fields column can hold e. It returns nil otherwise.
func sourceFields(e *bib.Entry) []bib.Field {
	if e.Source == "" {
		return nil
	}
	if e.Standalone {
		// The parser vouches for it (bib tests that, on every corpus file and in FuzzParse):
		// no need to parse the source again.
		return e.Fields
	}
	es := bib.ParseString("", e.Source).Entries()
	if len(es) != 1 || es[0].Key != e.Key || es[0].Type != e.Type || len(es[0].Fields) != len(e.Fields) {
		return nil
	}
	alone := es[0].Fields
	for i := range alone {
		a, f := &alone[i], &e.Fields[i]
		if a.Name != f.Name || a.Raw != f.Raw || a.Duplicate != f.Duplicate {
			return nil
		}
	}
	if alone == nil {
		alone = []bib.Field{}
	}
	return alone
}

// appendShortFieldsJSON appends the short form of the fields column: fields' names, and their
// values where they differ from those of alone, the fields their source gives on its own.
func appendShortFieldsJSON(b []byte, fields, alone []bib.Field) []byte {
	b = append(b, `{"short":1,"fields":[`...)
	for i := range fields {
		f := &fields[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(append(b, `{"name":`...), f.Name)
		if f.Value != alone[i].Value {
			b = appendJSONString(append(b, `,"value":`...), f.Value)
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendJSONString appends s as encoding/json writes it: HTML-escaped, invalid UTF-8 as U+FFFD,
// and U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, `\b`...)
			case '\f':
				b = append(b, `\f`...)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}

// decodeFields sets e's fields from the fields column js, in either form; for the short form, e
// must have its source.
func decodeFields(e *bib.Entry, js string) error {
	if strings.HasPrefix(js, "{") {
		var short struct {
			Fields []struct {
				Name  string  `json:"name"`
				Value *string `json:"value"`
			} `json:"fields"`
		}
		if err := json.Unmarshal([]byte(js), &short); err != nil {
			return err
		}
		var fields []bib.Field
		if es := bib.ParseString("", e.Source).Entries(); len(es) == 1 {
			fields = es[0].Fields
		}
		for i := range fields {
			fields[i].Line = 0 // not kept in the full form either
		}
		// A field keeps the value stored for it. Were the parser ever to read a source other than
		// it did at import, the source, which is what is exported, would still say what the
		// fields are: a stored value then goes to the field of its name, in order.
		used := make([]bool, len(fields))
		for i, f := range short.Fields {
			if f.Value == nil {
				continue
			}
			j := -1
			if i < len(fields) && fields[i].Name == f.Name {
				j = i
			} else {
				for k := range fields {
					if !used[k] && fields[k].Name == f.Name {
						j = k
						break
					}
				}
			}
			if j >= 0 {
				fields[j].Value, used[j] = *f.Value, true
			}
		}
		e.Fields = fields
		return nil
	}
	var fs []storedField
	if err := json.Unmarshal([]byte(js), &fs); err != nil {
		return err
	}
	e.Fields = make([]bib.Field, len(fs))
	for i, f := range fs {
		raw := "{" + f.Value + "}"
		if f.Raw != nil {
			raw = *f.Raw
		}
		e.Fields[i] = bib.Field{Name: f.Name, Raw: raw, Value: f.Value, Duplicate: f.Duplicate}
	}
	return nil
}
