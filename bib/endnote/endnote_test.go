package endnote

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/google/go-cmp/cmp"
)

func fields(e *bib.Entry, names ...string) map[string]string {
	m := map[string]string{"@type": e.Type, "@key": e.Key}
	for _, n := range names {
		if f := e.Field(n); f != nil {
			m[n] = f.Raw
		}
	}
	return m
}

var checked = []string{"author", "editor", "title", "journal", "booktitle", "series", "volume", "number",
	"pages", "year", "month", "publisher", "institution", "address", "issn", "isbn", "doi", "url",
	"keywords", "edition", "shorttitle"}

func parseFile(t *testing.T, path string) *bib.File {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !Detect(src) {
		t.Errorf("Detect(%s) = false", path)
	}
	f := Parse(path, src)
	if errs := f.Errors(); len(errs) > 0 {
		t.Errorf("errors: %v", errs)
	}
	return f
}

// TestFixtures reads records of Zotero's and JabRef's test suites (testdata/README.md): the
// fields are those of Zotero's expected items, written as BibTeX.
func TestFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []map[string]string
	}{
		{"testdata/jabref-EndnoteXmlImporterTestArticle.xml", []map[string]string{{
			"@type": "article", "@key": "",
			"author":  "{Ahmad, AS and Ormiston-Smith, N. and Sasieni, PD}",
			"title":   "{Trends in the lifetime risk of developing cancer in Great Britain: comparison of risk for those born from 1930 to 1960}",
			"journal": "{Br J Cancer}", "volume": "{112}", "number": "{5}", "pages": "{943--947}",
			"year": "{2015}", "month": "mar", "issn": "{1532-1827 0007-0920}", "doi": "{10.1038/bjc.2014.606}",
			"url": "{http://www.ncbi.nlm.nih.gov/pubmed/25647015}",
			"keywords": "{Age Factors; Aged; Aged, 80 and over; Female; Great Britain/epidemiology; Humans; Male;" +
				" Middle Aged; Models, Statistical; Neoplasms/*epidemiology; Risk Assessment; Risk Factors; Sex Characteristics}",
		}}},
		{"testdata/zotero-3-label.xml", []map[string]string{
			{"@type": "book", "@key": "test_item_2021", "author": "{Author, Test}", "title": "{A test item (with a citekey)}", "year": "{2021}"},
			{"@type": "book", "@key": "", "author": "{Author, Jr., Test}", "title": "{A test item (without a citekey)}", "year": "{2021}"},
		}},
		{"testdata/zotero-2-styles.xml", []map[string]string{{
			"@type": "article", "@key": "",
			"title": `{Plain \textbf{Bold} \textit{Italics} Underline \textsuperscript{Superscript} \textsubscript{Subscript}` +
				` SymbolFont CourierNew SmallerSize Size12 \textbf{\textit{\textsuperscript{TimesNewRoman-Bold-Italics-Underline-Superscript}}}}`,
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var got []map[string]string
			for _, e := range parseFile(t, tt.file).Entries() {
				got = append(got, fields(e, checked...))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTypes checks the types and the fields that depend on them in Zotero's first test case.
func TestTypes(t *testing.T) {
	var got []string
	for _, e := range parseFile(t, "testdata/zotero-1-types.xml").Entries() {
		got = append(got, fmt.Sprintf("%s %s|%s|%s|%s|%s", e.Type, e.Get("author"), e.Get("editor"),
			e.Get("booktitle"), e.Get("number"), e.Get("address")))
	}
	want := []string{
		"techreport Ahlquist, John S. and Breunig, Christian||||Cologne",
		"book Dunnett, Nigel and Kingsbury, Noël||||Portland, OR",
		"article Foderaro, Lisa W.||||",
		"book ||||Oxford and New York",
		`book Isaacson, Walter||||New York, \{NY\}`,
		"incollection Mares, Isabela|Hall, Peter A. and Soskice, David|Varieties of capitalism. The institutional foundations of comparative advantage||New York",
		"book McInnis, Maurie Dee and Nelson, Louis P.||||Charlottesville, VA",
		"patent Van Dan Elzen, Hans|||WO2011US30214|",
		"misc ||||",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

func TestJabRefFiles(t *testing.T) {
	for file, n := range map[string]int{
		"testdata/jabref-EndnoteXmlImporterTestLabelAndMultiTitle.xml": 3,
		"testdata/jabref-EndnoteXmlImporterTestReport.xml":             1,
		"testdata/jabref-EndnoteXmlImporterTest_EmptyKeywordStyle.xml": 1,
	} {
		es := parseFile(t, file).Entries()
		if len(es) != n {
			t.Errorf("%s: %d entries, want %d", file, len(es), n)
		}
	}
	e := parseFile(t, "testdata/jabref-EndnoteXmlImporterTestLabelAndMultiTitle.xml").Entries()[2]
	if got, want := e.Get("title"), `A demographic study of the south polar skua \textit{Catharacta maccormicki} at Cape Crozier`; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
}

const head = `<?xml version="1.0" encoding="UTF-8"?><xml><records>`

func TestRecords(t *testing.T) {
	tests := []struct {
		name, rec string
		want      map[string]string
	}{
		{"corporate author and editor of a chapter",
			`<ref-type name="Book Section">5</ref-type><contributors><authors><author>World Health Organization,</author><author>Doe, J</author></authors>` +
				`<secondary-authors><author>Roe, Ann and Bee</author></secondary-authors></contributors><titles><title>T &amp; 50%</title><secondary-title>Book</secondary-title></titles>`,
			map[string]string{"@type": "incollection", "@key": "", "author": "{{World Health Organization} and Doe, J.}",
				"editor": "{Roe, Ann {and} Bee}", "title": `{T \& 50\%}`, "booktitle": "{Book}"}},
		{"type by number, dates",
			`<ref-type>32</ref-type><titles><title>Th</title></titles><dates><year>2010</year><pub-dates><date>2010-11-05</date></pub-dates></dates><publisher>MIT</publisher>`,
			map[string]string{"@type": "phdthesis", "@key": "", "title": "{Th}", "year": "{2010}", "month": "nov"}},
		{"unknown type, doi prefix, brace in url",
			`<ref-type name="Nothing">99</ref-type><electronic-resource-num>https://doi.org/10.1/a</electronic-resource-num><urls><related-urls><url>http://x/{</url></related-urls></urls>`,
			map[string]string{"@type": "article", "@key": "", "doi": "{10.1/a}", "url": "{http://x/%7B}"}},
		{"label that is no key", `<ref-type name="Book">6</ref-type><label>a b</label>`,
			map[string]string{"@type": "book", "@key": ""}},
		{"HTML entity", `<titles><title>caf&eacute;</title></titles>`,
			map[string]string{"@type": "article", "@key": "", "title": "{café}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse("t.xml", []byte(head+"<record>"+tt.rec+"</record></records></xml>"))
			if errs := f.Errors(); len(errs) > 0 {
				t.Errorf("errors: %v", errs)
			}
			es := f.Entries()
			if len(es) != 1 {
				t.Fatalf("%d entries, want 1", len(es))
			}
			if diff := cmp.Diff(tt.want, fields(es[0], checked...)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	src := head + "\n<record><titles><title>One</title></titles></record>\n" +
		"<record><titles><title>Two</title></titles></record>\n" +
		"<record><titles><title>Three</titl></titles></record>\n" +
		"<record><titles><title>Four</title></titles></record></records></xml>\n"
	f := Parse("m.xml", []byte(src))
	var titles []string
	for _, e := range f.Entries() {
		titles = append(titles, e.Get("title"))
	}
	if diff := cmp.Diff([]string{"One", "Two"}, titles); diff != "" {
		t.Errorf("titles (-want +got):\n%s", diff)
	}
	if len(f.Problems) != 1 || f.Problems[0].Line != 4 || f.Problems[0].Severity != bib.Error ||
		!strings.Contains(f.Problems[0].Msg, "the record at line 4 and the rest of the file are not read") {
		t.Errorf("problems = %v", f.Problems)
	}

	f = Parse("cut.xml", []byte(head+"<record><titles><title>One</title></titles></record>\n<record><titles>"))
	if len(f.Entries()) != 1 || len(f.Errors()) != 1 || f.Problems[0].Line != 2 {
		t.Errorf("cut file: %d entries, problems %v", len(f.Entries()), f.Problems)
	}
}

func TestCaps(t *testing.T) {
	big := head + "<record><titles><title>" + strings.Repeat("x", maxValue+10) + "</title></titles>" +
		strings.Repeat("<a>", maxDepth+5) + "deep" + strings.Repeat("</a>", maxDepth+5) + "</record></records></xml>"
	f := Parse("big.xml", []byte(big))
	if len(f.Entries()) != 1 {
		t.Fatalf("%d entries", len(f.Entries()))
	}
	if n := len(f.Entries()[0].Get("title")); n != maxValue {
		t.Errorf("title of %d bytes, want %d", n, maxValue)
	}
	var msgs []string
	for _, p := range f.Problems {
		msgs = append(msgs, p.Msg)
	}
	want := []string{"title longer than 1048576 bytes: the rest of it is dropped",
		"record nests elements more than 64 deep: the deeper ones are dropped"}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestNesting: the text in each of n nested <style> elements copied the faces of all of them,
// so that 600 KB of them took 30 s and 4.5 GB; and XML's decoder keeps each open element, so
// that 15 MB of elements never closed took 600 MB. Styles past maxDepth add no face, and past
// maxNesting the file is read no further, with an error; the records before are kept.
func TestNesting(t *testing.T) {
	const n = maxNesting - 10
	styled := head + "<record><titles><title>" + strings.Repeat(`<style face="italic bold">x`, n) +
		strings.Repeat("</style>", n) + "</title></titles></record></records></xml>"
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f := Parse("styled.xml", []byte(styled))
	runtime.ReadMemStats(&after)
	if es := f.Entries(); len(es) != 1 || !strings.HasPrefix(es[0].Get("title"), `\textit{\textbf{x}}`) || len(f.Problems) != 0 {
		t.Fatalf("entries %v, problems %v", es, f.Problems)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("%d nested styles (%d bytes) allocated %d bytes", n, len(styled), alloc)
	}

	record := "<record><titles><title>T</title></titles></record>"
	deep := head + record + "<record>" + strings.Repeat("<a>", 100_000) + "</records></xml>"
	f = Parse("deep.xml", []byte(deep))
	var msgs []string
	for _, p := range f.Problems {
		msgs = append(msgs, p.Error())
	}
	want := []string{fmt.Sprintf("deep.xml:1:1: record nests elements more than %d deep: the deeper ones are dropped", maxDepth),
		fmt.Sprintf("deep.xml:1:1: malformed XML: elements nested more than %d deep: the record at line 1 and the rest of the file are not read", maxNesting)}
	if len(f.Entries()) != 1 || cmp.Diff(want, msgs) != "" {
		t.Errorf("%d entries, problems (-want +got):\n%s", len(f.Entries()), cmp.Diff(want, msgs))
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{head + "<record>", true},
		{"<xml>\n  <records>\n", true},
		{`<?xml version="1.0"?><rdf:RDF><records>`, false},
		{"PMID- 1\n", false},
		{"<xml><foo/></xml>", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := Detect([]byte(tt.src)); got != tt.want {
			t.Errorf("Detect(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}

func seeds(f *testing.F) {
	paths, _ := os.ReadDir("testdata")
	for _, p := range paths {
		if strings.HasSuffix(p.Name(), ".xml") {
			src, err := os.ReadFile("testdata/" + p.Name())
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
}

func FuzzParse(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		file := Parse("f", src)
		for _, e := range file.Entries() {
			for _, fl := range e.Fields {
				if !bib.Balanced(fl.Raw) {
					t.Fatalf("field %s = %q does not balance", fl.Name, fl.Raw)
				}
			}
			if e.Key != "" && bib.CheckKey(e.Key) != nil {
				t.Fatalf("key %q", e.Key)
			}
		}
		if len(file.Entries()) == 0 && bytes.Contains(src, []byte("</record>")) && len(file.Problems) == 0 {
			t.Fatal("a closed record and neither entry nor problem")
		}
	})
}

func FuzzDetect(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		if Detect(src) && !Detect(append(src[:len(src):len(src)], "<more/>"...)) {
			t.Fatal("Detect changed with text after the start")
		}
	})
}

// TestUTF16: EndNote XML saved as UTF-16 was taken for a BibTeX file without entries: XML's
// decoder reads no encoding that changes ASCII.
func TestUTF16(t *testing.T) {
	xml := `<?xml version="1.0" encoding="UTF-16"?>` + "\n" + `<xml><records><record><titles><title>Über</title></titles></record></records></xml>`
	for _, enc := range []encoding.Encoding{unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), unicode.UTF16(unicode.BigEndian, unicode.UseBOM)} {
		src, err := enc.NewEncoder().Bytes([]byte(xml))
		if err != nil {
			t.Fatal(err)
		}
		if !Detect(src) {
			t.Errorf("not detected: % x", src[:8])
		}
		f := Parse("u.xml", src)
		if es := f.Entries(); len(es) != 1 || es[0].Get("title") != "Über" || len(f.Problems) != 1 {
			t.Errorf("%d entries, problems %v", len(es), f.Problems)
		}
	}
}
