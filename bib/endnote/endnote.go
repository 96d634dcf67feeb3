// Package endnote reads EndNote XML (the <xml><records><record>... export of EndNote, and of
// Bookends, Mendeley and Zotero) into BibTeX entries.
//
// The mapping follows Zotero's import translator for this format ("Endnote XML.js" in
// zotero/translators), written out as BibTeX:
//
//   - The type comes from ref-type's name (Journal Article, Book Section ...), else from its
//     number, else it is an article; Zotero's item types become BibTeX types (convert.go).
//   - titles/title is the title; secondary-title the journal of an article, the booktitle of a
//     chapter or a conference paper, the series of a book or report; tertiary-title the series
//     of a chapter or conference paper; periodical/full-title the journal (abbr-1 shortjournal);
//     short-title shorttitle. Style markup inside a title (<style face="italic">) becomes
//     \textit, \textbf, \underline, \textsuperscript and \textsubscript; elsewhere text is plain.
//   - contributors: authors are the author; secondary-authors the editor of an article, chapter
//     or conference paper; tertiary-authors the editor of a book; subsidiary-authors the
//     translator. A name ending in a comma ("World Health Organization,"), EndNote's mark of a
//     corporate author, is braced whole.
//   - dates/year gives the year and pub-dates/date the month (and the year when it has one);
//     pages (abbreviated ranges written out: 943-7 is 943--947), volume, number (issue when
//     there is no number), edition, num-vols (volumes), section, pub-location (address),
//     publisher (institution of a report, school of a thesis), work-type (type), language,
//     access-date (urldate), abstract, notes and research-notes (annote).
//   - isbn is the ISSN of an article (its notes such as "(Electronic)" dropped) and the ISBN of
//     anything else; electronic-resource-num is the doi (a doi: or doi.org prefix dropped);
//     urls/related-urls and web-urls give the url; keywords/keyword the keywords, joined by "; "
//     because MeSH terms hold commas; a PMC id in custom2 (or custom3, custom7) the pmcid.
//   - label is the key when bib.CheckKey accepts it (Zotero keeps it as the citation key).
//
// Reading streams the XML through encoding/xml's Decoder, one record at a time. Malformed XML
// ends the reading with a problem at its line; the entries before it are kept. The package is
// pure Go and imports only bib and golang.org/x/text.
package endnote

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"

	"github.com/bibshelf/bibshelf/bib"
)

// Caps that keep a hostile file from making one value, one record or the nesting as large as
// it likes: past them the rest is dropped with a problem.
const (
	maxValue  = 1 << 20 // bytes of one element's text
	maxValues = 10_000  // values of one record
	maxDepth  = 64      // elements nested inside a record
	maxFaces  = 8       // words of one <style> element's face
	// maxNesting is how deep elements may nest at all: past it the file is read no further, as
	// XML's decoder keeps every open element (15 MB of them took 600 MB).
	maxNesting = 1024
)

// Detect reports whether src looks like EndNote XML: its first 4 KB hold the <xml> root element
// and a <records> or <record> element.
func Detect(src []byte) bool {
	if len(src) > 4096 {
		src = src[:4096]
	}
	if u, ok := fromUTF16(src); ok {
		src = u
	}
	hasRoot := bytes.Contains(src, []byte("<xml>")) || bytes.Contains(src, []byte("<xml "))
	return hasRoot && (bytes.Contains(src, []byte("<records>")) || bytes.Contains(src, []byte("<record>")))
}

// value is the text of one element of a record, as plain text and, for titles, as BibTeX text
// with the style markup.
type value struct {
	path  string // element names below <record>, joined by "/": "titles/title"
	plain string
	latex string
	attr  string // the name attribute (of ref-type)
}

// Parse reads EndNote XML.
func Parse(name string, src []byte) *bib.File {
	f := &bib.File{Name: name}
	if u, ok := fromUTF16(src); ok {
		src = u
		f.Problems = append(f.Problems, bib.Problem{File: name, Line: 1, Col: 1, Severity: bib.Warning,
			Msg: "the file is UTF-16 (it starts with a byte-order mark): read as such"})
	}
	d := xml.NewDecoder(bytes.NewReader(src))
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charsetReader
	r := &reader{file: f, d: d}
	for {
		tok, err := d.Token()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				r.syntax(err, 0)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "record" {
			line, _ := d.InputPos()
			if !r.record(line) {
				break
			}
		}
	}
	return f
}

// charsetReader decodes an encoding other than UTF-8 that the XML declaration names. A text
// whose declaration says UTF-16 and that the decoder can read is one fromUTF16 converted (or
// ASCII mislabelled): it is read as it is.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	if strings.HasPrefix(strings.ToLower(label), "utf-16") {
		return in, nil
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, fmt.Errorf("read encoding %q: %w", label, err)
	}
	return enc.NewDecoder().Reader(in), nil
}

// reader reads the records of one file.
type reader struct {
	file *bib.File
	d    *xml.Decoder
}

func (r *reader) problem(line int, sev bib.Severity, format string, args ...any) {
	r.file.Problems = append(r.file.Problems, bib.Problem{File: r.file.Name, Line: line, Col: 1,
		Severity: sev, Msg: fmt.Sprintf(format, args...)})
}

// syntax reports malformed XML; record is the line of the record it cut short, or 0.
func (r *reader) syntax(err error, record int) {
	line, _ := r.d.InputPos()
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		line = se.Line
	}
	msg := strings.TrimPrefix(err.Error(), fmt.Sprintf("XML syntax error on line %d: ", line))
	if record > 0 {
		r.problem(line, bib.Error, "malformed XML: %s: the record at line %d and the rest of the file are not read", msg, record)
		return
	}
	r.problem(line, bib.Error, "malformed XML: %s: the rest of the file is not read", msg)
}

// record reads one <record> element, its start tag read, into an entry. It returns false when
// the XML is malformed and reading must stop.
func (r *reader) record(line int) bool {
	var (
		values []value
		stack  []string   // element names below <record>
		faces  [][]string // faces of the open <style> elements
		text   []segment  // text of the innermost open element
		size   int
		attr   string
		capped bool
		// deepFaces counts the open <style> elements past maxDepth, which add no face.
		deepFaces int
	)
	for {
		tok, err := r.d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = errors.New("unexpected end of file inside <record>")
			}
			r.syntax(err, line)
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack)+len(faces)+deepFaces >= maxNesting {
				r.syntax(fmt.Errorf("elements nested more than %d deep", maxNesting), line)
				return false
			}
			if t.Name.Local == "style" {
				// <style> elements nested deeper than maxDepth add no face: the text in them
				// gets those of the others, which each of its pieces would otherwise copy.
				if len(faces) >= maxDepth {
					deepFaces++
					continue
				}
				fs := strings.Fields(attrValue(t, "face"))
				faces = append(faces, fs[:min(len(fs), maxFaces)])
				continue
			}
			if len(stack) >= maxDepth {
				if !capped {
					r.problem(line, bib.Error, "record nests elements more than %d deep: the deeper ones are dropped", maxDepth)
					capped = true
				}
			}
			stack = append(stack, t.Name.Local)
			text, size = text[:0], 0
			if t.Name.Local == "ref-type" {
				attr = attrValue(t, "name")
			}
		case xml.EndElement:
			if t.Name.Local == "style" && deepFaces > 0 {
				deepFaces--
				continue
			}
			if t.Name.Local == "style" && len(faces) > 0 {
				faces = faces[:len(faces)-1]
				continue
			}
			if len(stack) == 0 { // </record>
				e, probs := convert(r.file.Name, line, values)
				r.file.Items = append(r.file.Items, bib.Item{Kind: bib.KindEntry, Line: line, Entry: e})
				r.file.Problems = append(r.file.Problems, probs...)
				return true
			}
			if len(text) > 0 && len(stack) <= maxDepth {
				if len(values) < maxValues {
					v := value{path: strings.Join(stack, "/"), plain: plainOf(text), latex: latexOf(text)}
					if stack[len(stack)-1] == "ref-type" {
						v.attr = attr
					}
					values = append(values, v)
				} else if len(values) == maxValues {
					r.problem(line, bib.Error, "record has more than %d values: the rest are dropped", maxValues)
					values = append(values, value{})
				}
			}
			stack, text, size = stack[:len(stack)-1], text[:0], 0
		case xml.CharData:
			if len(stack) == 0 || len(stack) > maxDepth {
				continue
			}
			if size > maxValue {
				continue
			}
			if size+len(t) > maxValue {
				r.problem(line, bib.Error, "%s longer than %d bytes: the rest of it is dropped", stack[len(stack)-1], maxValue)
				t = xml.CharData(strings.ToValidUTF8(string(t[:maxValue-size]), ""))
				size = maxValue + 1
			} else {
				size += len(t)
			}
			var face []string
			for _, fs := range faces {
				face = append(face, fs...)
			}
			text = append(text, segment{text: string(t), faces: face})
		}
	}
}

func attrValue(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// fromUTF16 converts text that starts with a UTF-16 byte-order mark to UTF-8, and reports
// whether it did: XML's decoder reads only encodings that keep ASCII as it is, so that EndNote
// XML in UTF-16 was taken for a BibTeX file without entries.
func fromUTF16(src []byte) ([]byte, bool) {
	if len(src) < 2 || !(src[0] == 0xff && src[1] == 0xfe || src[0] == 0xfe && src[1] == 0xff) {
		return src, false
	}
	out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(src)
	return out, err == nil // it fails only without the mark, which is there
}
