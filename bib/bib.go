// Package bib is Bibshelf's BibTeX domain: the model of a .bib file, its parser and its writer,
// author names and the LaTeX shown to users.
//
// It is pure Go: no Fyne, no SQL, no package state. Every function is safe to call from several
// goroutines at once, and parsing never panics and never exits the process.
//
// # Why bib has its own parser
//
// github.com/nickng/bibtex (v1.4.2), run over 2,492 real .bib files, calls log.Fatalf (exiting the
// whole process) on an undefined @string macro, a capitalised month macro or a year like 2000a;
// after an @preamble, or an entry with a trailing comma, it reads a line starting with % as the
// end of input and silently drops the rest of the file (15,906 entries lost over 47 files); it
// keeps only the first part of a # concatenation, strips braces from quoted values, keeps the last
// of a repeated field (BibTeX keeps the first), loses field order, drops @comment and the text
// between entries, and keeps its state in package globals. Whole-file parsing recovers 16% of that
// corpus's entries. A reference manager cannot run that on a user's file, so this package scans
// and parses BibTeX itself, in the style of go/scanner and go/parser: every problem is collected
// with its file, line and column, and parsing resumes at the next line that starts with @.
// nickng/bibtex stays in the tests only, as a differential oracle on inputs it handles correctly.
package bib

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Kind says what a top-level item of a .bib file is.
type Kind int

const (
	// KindText is free text between items: BibTeX ignores it, Bibshelf keeps it.
	KindText Kind = iota
	KindEntry
	KindString
	KindPreamble
	KindComment
	// KindBad is the source of an item that could not be parsed; it is reported as a problem and
	// kept verbatim so that nothing in the file disappears.
	KindBad
)

func (k Kind) String() string {
	switch k {
	case KindText:
		return "text"
	case KindEntry:
		return "entry"
	case KindString:
		return "string"
	case KindPreamble:
		return "preamble"
	case KindComment:
		return "comment"
	case KindBad:
		return "bad"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Item is one top-level item of a .bib file, in source order.
type Item struct {
	Kind Kind
	// Raw is the item's exact source text. For entries, @string and @preamble it runs from the @
	// to the closing delimiter.
	Raw   string
	Line  int
	Entry *Entry // KindEntry only
	// Name and Value are the macro name and its raw value text for KindString, and the raw value
	// text (Name empty) for KindPreamble.
	Name, Value string
	// Expansion is what BibTeX makes of Value where the item stands in its file (macros expanded,
	// parts joined), for KindString and KindPreamble.
	Expansion string
	// Prefix is the text before the item's @ on its line when that holds a %, as in
	// %@BOOK{L27,: bibtex reads the item, biber reads the line as a comment. The writer keeps it.
	Prefix string
}

// Entry is a bibliography entry such as @article{key, ...}.
type Entry struct {
	Type   string // lower case: "article"
	Key    string
	Fields []Field // in source order, repeated names included (see Field.Duplicate)
	// Source is the entry's exact source text, from @ to the closing delimiter. The writer
	// copies it back byte for byte while it is set. Editing a field changes only that field's
	// text in it (see Set and Delete); an edit that cannot be made exactly there clears it.
	Source string
	Line   int
	// Standalone, set by the parser, says that Source parsed on its own gives exactly Fields:
	// no value names a macro (of an @string item, or a month, which an @string can redefine)
	// and the entry was read without a syntax error. Source then says everything Fields do.
	Standalone bool
	// Prefix is the text before the entry's @ on its line when that holds a % (see Item.Prefix).
	Prefix string
	// Broken says the entry was read with a syntax error: Fields are those before the error, as
	// BibTeX keeps them, and Source runs from the @ to where parsing resumed, the text that
	// BibTeX could not read included. Written as it is, that text would change how BibTeX reads
	// what follows it.
	Broken bool
}

// Field is one name = value pair of an entry.
type Field struct {
	Name string // lower case
	// Raw is the value exactly as written: delimiters, # and macro names included.
	Raw string
	// Value is what BibTeX makes of Raw: outer delimiters removed, macros expanded, parts joined.
	Value string
	Line  int
	// Duplicate marks a repeated field name. BibTeX uses the first value; the others are kept so
	// that nothing is lost, and reported as warnings.
	Duplicate bool
}

// Get returns the expanded value of the first field with the given (case-insensitive) name.
func (e *Entry) Get(name string) string {
	if f := e.Field(name); f != nil {
		return f.Value
	}
	return ""
}

// Field returns the first, effective field with the given (case-insensitive) name, or nil.
func (e *Entry) Field(name string) *Field {
	for i := range e.Fields {
		if !e.Fields[i].Duplicate && strings.EqualFold(e.Fields[i].Name, name) {
			return &e.Fields[i]
		}
	}
	return nil
}

// SameReading reports whether BibTeX reads a and b alike: the same entry type and, name by name,
// the same value of each field (of a repeated field, the first), whatever their order, their
// delimiters or the macros that gave the values. Their keys are not compared, nor the fields
// named in except (lower case).
func SameReading(a, b *Entry, except ...string) bool {
	if !strings.EqualFold(a.Type, b.Type) {
		return false
	}
	read := func(e *Entry) map[string]string {
		m := make(map[string]string, len(e.Fields))
		for _, f := range e.Fields {
			if n := strings.ToLower(f.Name); !f.Duplicate && !slices.Contains(except, n) {
				if _, ok := m[n]; !ok {
					m[n] = f.Value
				}
			}
		}
		return m
	}
	ma, mb := read(a), read(b)
	if len(ma) != len(mb) {
		return false
	}
	for n, v := range ma {
		if w, ok := mb[n]; !ok || w != v {
			return false
		}
	}
	return true
}

// Severity says whether a problem lost data (Error) or only needs attention (Warning).
type Severity int

const (
	Warning Severity = iota
	Error
)

// Problem is something wrong in a .bib file, with where it is.
type Problem struct {
	File     string
	Line     int
	Col      int
	Key      string // the entry's key, when known
	Severity Severity
	Msg      string
}

// Error formats the problem as "file:line:col: message (entry key)".
func (p Problem) Error() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteByte(':')
	}
	fmt.Fprintf(&b, "%d:%d: ", p.Line, p.Col)
	if p.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Msg)
	if p.Key != "" {
		fmt.Fprintf(&b, " (entry %q)", p.Key)
	}
	return b.String()
}

// Problems is a list of problems, in the manner of go/scanner's ErrorList.
type Problems []Problem

// Sort orders the problems by file, line and column, keeping the order of those at one place.
func (ps Problems) Sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}

// Errors returns the problems of severity Error, in order.
func (ps Problems) Errors() Problems {
	var out Problems
	for _, p := range ps {
		if p.Severity == Error {
			out = append(out, p)
		}
	}
	return out
}

// Error describes the first problem, and how many more there are.
func (ps Problems) Error() string {
	switch len(ps) {
	case 0:
		return "no problems"
	case 1:
		return ps[0].Error()
	}
	return fmt.Sprintf("%s (and %d more problems)", ps[0].Error(), len(ps)-1)
}

// Err returns the problems of severity Error as an error, or nil when there are none: warnings
// alone are not a failure.
func (ps Problems) Err() error {
	if errs := ps.Errors(); len(errs) > 0 {
		return errs
	}
	return nil
}

// File is a parsed .bib file: every item in source order, and every problem found.
type File struct {
	Name     string
	Items    []Item
	Problems Problems
}

// Entries returns the file's entries in source order.
func (f *File) Entries() []*Entry {
	var es []*Entry
	for i := range f.Items {
		if f.Items[i].Kind == KindEntry {
			es = append(es, f.Items[i].Entry)
		}
	}
	return es
}

// Errors returns the problems of severity Error.
func (f *File) Errors() Problems { return f.Problems.Errors() }
