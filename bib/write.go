package bib

import (
	"io"
	"strings"
)

// Format returns an entry as BibTeX. An entry that still has its Source (it has not been edited
// since it was parsed) comes back byte for byte; any other entry gets the canonical form:
//
//	@type{key,
//	  name = value,
//	}
//
// with fields in their order and each value as written (Raw), or braced when it has no Raw.
func Format(e *Entry) string {
	if e.Source != "" {
		return e.Source
	}
	var b strings.Builder
	b.WriteString("@")
	b.WriteString(e.Type)
	b.WriteString("{")
	b.WriteString(e.Key)
	b.WriteString(",\n")
	for _, f := range e.Fields {
		raw := f.Raw
		if raw == "" {
			raw = "{" + f.Value + "}"
		}
		b.WriteString("  ")
		b.WriteString(f.Name)
		b.WriteString(" = ")
		b.WriteString(raw)
		b.WriteString(",\n")
	}
	b.WriteString("}")
	return b.String()
}

// Writer writes items to a .bib file, one blank line between them.
type Writer struct {
	w   io.Writer
	n   int
	err error
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Raw writes an item's source text (an @string, @preamble or @comment) as it is.
func (w *Writer) Raw(s string) error { return w.write(s) }

// Entry writes an entry with Format.
func (w *Writer) Entry(e *Entry) error { return w.write(Format(e)) }

func (w *Writer) write(s string) error {
	if w.err != nil {
		return w.err
	}
	if w.n > 0 {
		s = "\n\n" + s
	}
	w.n++
	_, w.err = io.WriteString(w.w, s)
	return w.err
}

// Close ends the file with a newline.
func (w *Writer) Close() error {
	if w.err == nil && w.n > 0 {
		_, w.err = io.WriteString(w.w, "\n")
	}
	return w.err
}

// WriteOptions says how WriteFile writes entries.
type WriteOptions struct {
	// Reformat writes every entry afresh from the parsed model, in the canonical form, instead of
	// copying the source of entries that were not edited.
	Reformat bool
}

// WriteFile writes a parsed file's items in their order: entries, @string, @preamble and
// @comment items, and the text of items that could not be parsed (so that nothing is lost).
// Free text between items, which BibTeX ignores, is left out.
func WriteFile(w io.Writer, f *File, opts WriteOptions) error {
	bw := NewWriter(w)
	for _, it := range f.Items {
		switch it.Kind {
		case KindText:
		case KindEntry:
			e := it.Entry
			if opts.Reformat {
				c := *e
				c.Source = ""
				e = &c
			}
			bw.Entry(e)
		default:
			bw.Raw(it.Raw)
		}
	}
	return bw.Close()
}
