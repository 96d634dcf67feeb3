// Package formats reads a file of references in any format Bibshelf imports: BibTeX, and the
// formats of bib's sub-packages (RIS, CSL-JSON, PubMed's MEDLINE text, EndNote XML), telling the format from
// the content, as a file dropped on the window or piped to bibshelf import has no reliable name.
package formats

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"unsafe"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/csl"
	"github.com/bibshelf/bibshelf/bib/endnote"
	"github.com/bibshelf/bibshelf/bib/medline"
	"github.com/bibshelf/bibshelf/bib/ris"
)

// Format is a file format of references.
type Format int

const (
	BibTeX     Format = iota // BibTeX and BibLaTeX
	MEDLINE                  // PubMed's MEDLINE text (.nbib)
	EndNoteXML               // EndNote's XML export
	RIS                      // RIS (.ris), what publishers\' "Export citation" buttons give
	CSLJSON                  // CSL-JSON (.json), what Zotero, Pandoc and citation-js write
)

var names = map[Format]string{BibTeX: "BibTeX", MEDLINE: "MEDLINE", EndNoteXML: "EndNote XML", RIS: "RIS", CSLJSON: "CSL-JSON"}

func (f Format) String() string { return names[f] }

// format is what the package knows of one format besides BibTeX.
type format struct {
	f          Format
	extensions []string // lower case, with the dot
	detect     func([]byte) bool
	parse      func(name string, src []byte) *bib.File
	// newReader reads the format an entry at a time; nil for a format read whole (newReader
	// then gives a reader of the parsed file).
	newReader func(name string, src []byte) bib.ItemReader
}

// others are the formats besides BibTeX, in the order their detectors are asked: the XML one
// first, then the tagged text ones.
var others = []format{
	{EndNoteXML, []string{".xml"}, endnote.Detect, endnote.Parse, nil},
	{CSLJSON, []string{".json", ".csl"}, csl.Detect, csl.Parse, func(name string, src []byte) bib.ItemReader { return csl.NewReader(name, src) }},
	{MEDLINE, []string{".nbib", ".medline"}, medline.Detect, medline.Parse, nil},
	{RIS, []string{".ris"}, ris.Detect, ris.Parse, func(name string, src []byte) bib.ItemReader { return ris.NewReader(name, src) }},
}

// bibtexExtensions are the extensions of BibTeX files.
var bibtexExtensions = []string{".bib", ".bibtex"}

// Detect returns the format of a file from its content: a .bib file is BibTeX whatever it
// holds, any other is the first format whose detector knows it, and BibTeX when none does
// (BibTeX's own reader then says what it cannot read).
func Detect(name string, src []byte) Format {
	if slices.Contains(bibtexExtensions, strings.ToLower(filepath.Ext(name))) {
		return BibTeX
	}
	for _, o := range others {
		if o.detect(src) {
			return o.f
		}
	}
	return BibTeX
}

// Parse reads src, in the format Detect finds, and returns the file and its format.
func Parse(name string, src []byte) (*bib.File, Format) {
	f := Detect(name, src)
	for _, o := range others {
		if o.f == f {
			return o.parse(name, src), f
		}
	}
	return bib.Parse(name, src), BibTeX
}

// NewReader returns a reader of src, in the format Detect finds, and the format. BibTeX, RIS
// and CSL-JSON are read as the reader is asked for items, so that a large file's entries need
// not all be in memory at once; MEDLINE and EndNote XML are parsed whole first. The reader gives
// the items and problems that Parse gives.
func NewReader(name string, src []byte) (bib.ItemReader, Format) {
	f := Detect(name, src[:min(len(src), detectBytes)])
	if f == BibTeX {
		return bib.NewReader(name, string(src)), BibTeX
	}
	return newOther(name, src, f), f
}

// NewReaderString is NewReader of a file read as a string, as bib.ReadFile reads it: a BibTeX,
// RIS or CSL-JSON file is read in place, without the copy of it that NewReader makes.
func NewReaderString(name, src string) (bib.ItemReader, Format) {
	f := Detect(name, []byte(src[:min(len(src), detectBytes)]))
	switch f {
	case BibTeX:
		return bib.NewReader(name, src), BibTeX
	case RIS, CSLJSON:
		// Their readers only read the bytes they are given, never write them: they may be
		// the string's own.
		return newOther(name, unsafe.Slice(unsafe.StringData(src), len(src)), f), f
	}
	return newOther(name, []byte(src), f), f
}

// detectBytes is how much of a file NewReader gives Detect: each format's detector looks
// at the first few kilobytes.
const detectBytes = 64 << 10

// newOther returns a reader of src in f, a format other than BibTeX.
func newOther(name string, src []byte, f Format) bib.ItemReader {
	for _, o := range others {
		if o.f != f {
			continue
		}
		if o.newReader != nil {
			return o.newReader(name, src)
		}
		return &fileReader{f: o.parse(name, src)}
	}
	panic(fmt.Sprintf("formats: no reader of %v", f))
}

// fileReader gives the items of a parsed file, for the formats that have no reader of their own.
type fileReader struct {
	f *bib.File
	i int
}

func (r *fileReader) Next() (bib.Item, bool) {
	if r.i == len(r.f.Items) {
		return bib.Item{}, false
	}
	r.i++
	return r.f.Items[r.i-1], true
}

func (r *fileReader) Problems() bib.Problems { return r.f.Problems }
func (r *fileReader) Name() string           { return r.f.Name }

// Estimate is the number of items other than text between them: exact.
func (r *fileReader) Estimate() int {
	n := 0
	for _, it := range r.f.Items {
		if it.Kind != bib.KindText {
			n++
		}
	}
	return n
}

// Write writes entries in format f, one of those with a writer: RIS and CSL-JSON.
func Write(w io.Writer, f Format, entries []*bib.Entry) error {
	switch f {
	case RIS:
		return ris.Write(w, entries)
	case CSLJSON:
		return csl.Write(w, entries)
	}
	return fmt.Errorf("write %v: not a format Bibshelf writes this way", f)
}

// Extensions returns the file extensions of every format, with the dot, for an Open dialog.
func Extensions() []string {
	out := slices.Clone(bibtexExtensions)
	for _, o := range others {
		out = append(out, o.extensions...)
	}
	return out
}
