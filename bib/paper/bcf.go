package paper

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// bcfNS is the namespace of biber's control file.
const bcfNS = "https://sourceforge.net/projects/biblatex"

// ReadBCF reads a paper from its .bcf file, the control file biblatex writes for biber: its
// bcf:citekey elements (a key, or * for \nocite{*}) and its bcf:datasource elements of type
// file (the .bib files, resolved against the .bcf's folder, where biber runs).
func ReadBCF(path string) (*Paper, error) {
	r := newReader(path)
	src := r.read(path, Pos{File: path, Line: 1, Col: 1}, 0)
	if src == nil {
		return nil, r.rootError(path)
	}
	r.p.BibLaTeX = true
	r.bcf(path, src)
	return r.p, nil
}

// maxNesting is how deep a .bcf file's elements may nest: biblatex writes five levels, and XML's
// decoder keeps each open element (14 MB of them took 430 MB).
const maxNesting = 256

// bcf reads the elements of a .bcf file's text; an XML error, or elements nested past
// maxNesting, ends the reading with a Problem.
func (r *reader) bcf(path string, src []byte) {
	p := r.p
	ls := newLines(src)
	d := xml.NewDecoder(bytes.NewReader(src))
	d.Strict = true
	var in string // the bcf element whose text is being read: citekey or datasource
	var text strings.Builder
	var start int64
	var nocite, file bool
	depth := 0 // of the open elements
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			line, col := d.InputPos()
			p.problem(Pos{File: path, Line: line, Col: col}, "read the control file: %v", err)
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxNesting {
				line, col := d.InputPos()
				p.problem(Pos{File: path, Line: line, Col: col}, "read the control file: elements nested more than %d deep: read no further", maxNesting)
				return
			}
			if in != "" || (t.Name.Space != bcfNS && t.Name.Space != "") {
				continue
			}
			switch t.Name.Local {
			case "citekey", "datasource":
				in, start = t.Name.Local, d.InputOffset()
				text.Reset()
				nocite, file = false, true
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "nocite":
						nocite = a.Value == "1"
					case "type":
						file = a.Value == "file"
					}
				}
			}
		case xml.CharData:
			if in != "" && text.Len() < 4096 {
				text.Write(t)
			}
		case xml.EndElement:
			depth--
			if in == "" || t.Name.Local != in {
				continue
			}
			value := strings.TrimSpace(text.String())
			pos := ls.pos(path, int(start))
			switch {
			case value == "":
			case in == "datasource":
				if file && !strings.Contains(value, "://") {
					r.addBib(r.bibPath(value, false), pos)
				}
			case value == "*":
				if !p.NociteAll {
					p.NociteAll, p.NociteAllPos = true, pos
				}
			default:
				cmd := "bcf:citekey"
				if nocite {
					cmd = "bcf:citekey nocite"
				}
				r.addCitations(Citation{Key: value, Pos: pos, Command: cmd, Start: int(start), End: int(start) + len(value)})
			}
			in = ""
		}
	}
}
