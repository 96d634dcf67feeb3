package pdfmeta

import (
	"slices"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib/ident"
)

// The XMP packets below have the shapes producers write: hyperxmp (LaTeX's \hypersetup{pdfdoi=})
// writes prism:doi as an element; Elsevier's and Springer's PDFs carry Crossmark's
// crossmark:DOI and prism:doi as attributes of rdf:Description with dc:identifier as
// "doi:10..."; Acrobat mirrors a custom /doi info key into pdfx:doi.
const (
	xmpHyperxmp = `<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
    <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <dc:title>
        <rdf:Alt>
          <rdf:li xml:lang="en">An English title</rdf:li>
          <rdf:li xml:lang="x-default">Attention Is All You Need</rdf:li>
        </rdf:Alt>
      </dc:title>
      <dc:creator>
        <rdf:Seq>
          <rdf:li>Ashish Vaswani</rdf:li>
          <rdf:li>Noam Shazeer</rdf:li>
        </rdf:Seq>
      </dc:creator>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:prism="http://prismstandard.org/namespaces/basic/3.0/">
      <prism:doi>10.5555/3295222.3295349</prism:doi>
    </rdf:Description>
  </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`
	xmpCrossmark = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:crossmark="http://crossref.org/crossmark/1.0/" xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/"
  crossmark:MajorVersionDate="2019-01-30" crossmark:DOI="10.1016/j.cell.2019.01.001" prism:doi="10.1016/j.cell.2019.01.001"/>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:identifier>doi:10.1016/j.cell.2019.01.001</dc:identifier>
  <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Cell Atlas of the Human Fovea</rdf:li></rdf:Alt></dc:title>
</rdf:Description></rdf:RDF></x:xmpmeta>`
	xmpPdfx = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfx="http://ns.adobe.com/pdfx/1.3/"><pdfx:doi>10.1109/5.771073</pdfx:doi></rdf:Description>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Microsoft Word - paper3.docx</rdf:li></rdf:Alt></dc:title></rdf:Description>
</rdf:RDF></x:xmpmeta>`
)

func TestIdentify(t *testing.T) {
	tests := []struct {
		name    string
		doc     Document
		id      string // ident.ID.String of the identifier found, "" for none
		source  Source
		page    int
		title   string
		authors []string
	}{
		{name: "hyperxmp", doc: Document{XMP: []byte(xmpHyperxmp), Info: map[string]string{"Title": "Other"}},
			id: "10.5555/3295222.3295349", source: FromXMP, title: "Attention Is All You Need", authors: []string{"Ashish Vaswani", "Noam Shazeer"}},
		{name: "crossmark attributes", doc: Document{XMP: []byte(xmpCrossmark)},
			id: "10.1016/j.cell.2019.01.001", source: FromXMP, title: "Cell Atlas of the Human Fovea"},
		{name: "pdfx and a file name for a title", doc: Document{XMP: []byte(xmpPdfx), Info: map[string]string{"Title": "Microsoft Word - paper3.docx", "Author": "Jane Doe; John Smith"},
			Pages: []Page{{Text: "x", Largest: "Noise Reduction in Wireless Sensors"}}},
			id: "10.1109/5.771073", source: FromXMP, title: "Noise Reduction in Wireless Sensors", authors: []string{"Jane Doe", "John Smith"}},
		{name: "info doi key", doc: Document{Info: map[string]string{"doi": "10.1145/3368089.3409741", "Title": "Detecting Flaky Tests", "Author": "A. Author, B. Author, C. Author"}},
			id: "10.1145/3368089.3409741", source: FromInfo, title: "Detecting Flaky Tests", authors: []string{"A. Author", "B. Author", "C. Author"}},
		{name: "Elsevier subject", doc: Document{Info: map[string]string{"Subject": "Cell, 176 (2019) 1-12. doi:10.1016/j.cell.2019.01.001"}},
			id: "10.1016/j.cell.2019.01.001", source: FromInfo},
		{name: "info ISBN-10 under its key", doc: Document{Info: map[string]string{"ISBN": "0-19-953592-2"}},
			id: "ISBN 9780199535927", source: FromInfo},
		{name: "a DOI in the title is not the paper's", doc: Document{Info: map[string]string{"Title": "Comment on 10.1000/182 and more"}, Pages: []Page{{Text: "Nothing here."}}},
			title: "Comment on 10.1000/182 and more"},
		{name: "arXiv stamp", doc: Document{Pages: []Page{{Text: "arXiv:2106.09685v2 [cs.CL] 16 Oct 2021\nLoRA: Low-Rank Adaptation", Largest: "LoRA: Low-Rank Adaptation of Large Language Models"}}},
			id: "arXiv:2106.09685v2", source: FromText, page: 1, title: "LoRA: Low-Rank Adaptation of Large Language Models"},
		{name: "DOI on page one", doc: Document{Pages: []Page{{Text: "Journal of Things 12 (2020)\nhttps://doi.org/10.1016/j.jot.2020.01.002\nAbstract..."}}},
			id: "10.1016/j.jot.2020.01.002", source: FromText, page: 1},
		{name: "ISBN on the copyright page", doc: Document{Pages: []Page{{Text: "A Book", Largest: "A Book Title Here"}, {Text: "Copyright 2009\nISBN 978-0-262-03384-8"}}},
			id: "ISBN 9780262033848", source: FromText, page: 2, title: "A Book Title Here"},
		{name: "a reference list is passed over", doc: Document{Pages: []Page{
			{Text: "A paper without its DOI", Largest: "A Paper Without Its DOI"},
			{Text: "References\n[1] doi:10.1000/a1\n[2] doi:10.1000/a2\n[3] doi:10.1000/a3\n[4] doi:10.1000/a4"},
			{Text: "Appendix, doi 10.5281/zenodo.123456"},
		}}, id: "10.5281/zenodo.123456", source: FromText, page: 3, title: "A Paper Without Its DOI"},
		{name: "nothing at all", doc: Document{Info: map[string]string{"Title": "main.dvi", "Author": ""}, Pages: []Page{{Text: "draft", Largest: "draft"}}}},
		{name: "empty", doc: Document{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Identify(tc.doc)
			got := ""
			if p.ID.Kind != 0 {
				got = p.ID.String()
			}
			if got != tc.id || p.Source != tc.source && tc.id != "" || p.Page != tc.page {
				t.Errorf("identifier %q from %v page %d, want %q from %v page %d", got, p.Source, p.Page, tc.id, tc.source, tc.page)
			}
			if p.Title != tc.title {
				t.Errorf("title %q, want %q", p.Title, tc.title)
			}
			if !slices.Equal(p.Authors, tc.authors) {
				t.Errorf("authors %q, want %q", p.Authors, tc.authors)
			}
		})
	}
}

func TestPlausibleTitle(t *testing.T) {
	for title, want := range map[string]bool{
		"Attention Is All You Need":              true,
		"Bioinformatics":                         true,
		"Zur Elektrodynamik bewegter Körper":     true,
		"draft":                                  false,
		"paper_v2":                               false,
		"C:\\Users\\me\\thesis":                  false,
		"Microsoft Word - Manuscript_final.docx": false,
		"untitled":                               false,
		"main.pdf":                               false,
		"12 34":                                  false,
		"":                                       false,
		strings.Repeat("long ", 200):             false,
	} {
		if got := plausibleTitle(clean(title)); got != want {
			t.Errorf("plausibleTitle(%q) = %v, want %v", title, got, want)
		}
	}
}

func TestParseXMPBroken(t *testing.T) {
	// A packet cut short gives what was read before the cut.
	f := parseXMP([]byte(xmpHyperxmp[:strings.Index(xmpHyperxmp, "Noam")]))
	if f.title != "Attention Is All You Need" || !slices.Equal(f.creators, []string{"Ashish Vaswani"}) {
		t.Errorf("cut packet: title %q, creators %q", f.title, f.creators)
	}
	for _, junk := range []string{"", "<", "not xml at all", "<a><b></a>", strings.Repeat("<rdf:li>", 100000)} {
		parseXMP([]byte(junk))
	}
}

func FuzzIdentify(f *testing.F) {
	for _, s := range []string{xmpHyperxmp, xmpCrossmark, xmpPdfx, "arXiv:2106.09685v2 [cs.CL]"} {
		f.Add([]byte(s), s, s)
	}
	f.Fuzz(func(t *testing.T, xmp []byte, info, text string) {
		p := Identify(Document{XMP: xmp, Info: map[string]string{"Title": info, "Author": info, "Subject": info}, Pages: []Page{{Text: text, Largest: text}}})
		if p.ID.Kind != 0 && p.ID.Kind != ident.DOI && p.ID.Kind != ident.ArXiv && p.ID.Kind != ident.ISBN {
			t.Errorf("identifier of kind %v", p.ID.Kind)
		}
	})
}

// TestParseXMPDeep: a packet nested far deeper than XMP nests costs what a plain one does, and
// what was read before the depth is kept.
func TestParseXMPDeep(t *testing.T) {
	deep := strings.Replace(xmpHyperxmp, "<prism:doi>", strings.Repeat("<a>", 200000)+"<prism:doi>", 1)
	allocs := testing.AllocsPerRun(1, func() {
		f := parseXMP([]byte(deep))
		if f.title != "Attention Is All You Need" {
			t.Errorf("title %q", f.title)
		}
	})
	if allocs > 5000 {
		t.Errorf("%.0f allocations for a deep packet", allocs)
	}
}
