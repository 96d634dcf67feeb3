package pdfmeta

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
)

// The XMP metadata of a PDF is RDF/XML. What it can say about the paper, by namespace:
//   - PRISM (prism:doi, prism:url, prism:isbn; hyperxmp writes prism:doi from \hypersetup's
//     pdfdoi, publishers write it beside Crossmark's),
//   - Dublin Core (dc:identifier, as "doi:10...", "info:doi/10..." or a doi.org URL; dc:title;
//     dc:creator),
//   - Adobe's pdfx (pdfx:doi, pdfx:DOI: custom info keys that Acrobat mirrors into XMP),
//   - Crossref's Crossmark (crossmark:DOI).
// A property may be an element (<prism:doi>10...</prism:doi>), an element holding an rdf:Alt,
// rdf:Bag or rdf:Seq of rdf:li, or an attribute of rdf:Description.

const (
	nsDC   = "http://purl.org/dc/elements/1.1/"
	nsRDF  = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsXML  = "http://www.w3.org/XML/1998/namespace"
	maxXMP = 1 << 20 // a larger packet is read no further
	// maxDepth is how deep the elements of a packet are read: XMP nests a property's value a
	// few levels down (rdf:RDF, rdf:Description, the property, rdf:Seq, rdf:li); a packet
	// nested deeper is read no further, so that a hostile one costs no more than a plain one.
	maxDepth = 32
)

// xmpFacts is what an XMP packet says about the paper.
type xmpFacts struct {
	ids      []string // values that may hold an identifier, in the order of idProperty
	title    string   // dc:title (the x-default language, else the first)
	creators []string // dc:creator
}

// idProperty ranks a property that can hold an identifier: 0 when it cannot, lower first.
func idProperty(n xml.Name) int {
	local := strings.ToLower(n.Local)
	switch {
	case strings.Contains(n.Space, "prismstandard.org") && local == "doi":
		return 1
	case strings.Contains(n.Space, "crossref.org/crossmark") && local == "doi":
		return 1
	case strings.Contains(n.Space, "ns.adobe.com/pdfx") && local == "doi":
		return 2
	case n.Space == nsDC && local == "identifier":
		return 3
	case strings.Contains(n.Space, "prismstandard.org") && (local == "url" || local == "isbn"):
		return 4
	case strings.Contains(n.Space, "ns.adobe.com/pdfx") && (local == "arxiv" || local == "isbn"):
		return 4
	}
	return 0
}

// parseXMP reads what an XMP packet says; a packet that is not well-formed gives what was read
// before the fault.
func parseXMP(packet []byte) xmpFacts {
	var f xmpFacts
	if len(packet) == 0 {
		return f
	}
	if len(packet) > maxXMP {
		packet = packet[:maxXMP]
	}
	d := xml.NewDecoder(bytes.NewReader(packet))
	d.Strict = false
	var (
		ranked  [5][]string
		desc    int      // the level of the rdf:Description the decoder is in; 0 outside one
		prop    xml.Name // the property element the text is in
		depth   int      // of prop; 0 outside any
		lang    string   // of the rdf:li the text is in
		text    strings.Builder
		titles  = map[string]string{}
		firstTl string
	)
	for level := 0; ; {
		tok, err := d.Token()
		if err == io.EOF || err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			level++
			if level > maxDepth {
				return f.finish(ranked, titles, firstTl)
			}
			if t.Name.Space == nsRDF && t.Name.Local == "Description" && depth == 0 {
				desc = level
				for _, a := range t.Attr {
					if r := idProperty(a.Name); r > 0 {
						ranked[r] = append(ranked[r], a.Value)
					}
				}
				continue
			}
			if depth == 0 && desc > 0 && level == desc+1 {
				prop, depth = t.Name, level
				lang = ""
				text.Reset()
				continue
			}
			if t.Name.Space == nsRDF && t.Name.Local == "li" {
				text.Reset()
				lang = ""
				for _, a := range t.Attr {
					if a.Name.Space == nsXML && a.Name.Local == "lang" {
						lang = a.Value
					}
				}
			}
		case xml.CharData:
			if depth > 0 && text.Len() < 64<<10 {
				text.Write(t)
			}
		case xml.EndElement:
			if depth > 0 && (level == depth || t.Name.Space == nsRDF && t.Name.Local == "li") {
				v := clean(text.String())
				text.Reset()
				if v != "" {
					switch r := idProperty(prop); {
					case r > 0:
						ranked[r] = append(ranked[r], v)
					case prop.Space == nsDC && prop.Local == "title":
						if firstTl == "" {
							firstTl = v
						}
						titles[lang] = v
					case prop.Space == nsDC && prop.Local == "creator":
						f.creators = append(f.creators, v)
					}
				}
			}
			if level == depth {
				depth = 0
			}
			if level == desc {
				desc = 0
			}
			level--
		}
	}
	return f.finish(ranked, titles, firstTl)
}

// finish puts together what was read: the identifiers in rank order, and the title in the
// default language, else the first.
func (f xmpFacts) finish(ranked [5][]string, titles map[string]string, first string) xmpFacts {
	for _, r := range ranked {
		f.ids = append(f.ids, r...)
	}
	f.title = titles["x-default"]
	if f.title == "" {
		f.title = first
	}
	return f
}
