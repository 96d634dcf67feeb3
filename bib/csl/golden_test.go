package csl

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
)

var update = flag.Bool("update", false, "rewrite testdata/parse.golden with what Parse gives now")

// TestParseGolden holds Parse to the entries and problems it gave when testdata/parse.golden was
// written (by the map-decoding reader that the scanner replaced): of every CSL-JSON file of the
// corpus, of each CSL item nested in those files (citation-js's test files hold them inside
// test tables), of the sample library and a synthetic one written through Write, and of the
// edge cases below. The golden file holds a SHA-256 of each input's entries and problems, as
// the corpus's records must not be copied into the repository. After a deliberate change of
// what Parse makes, look at the difference and run go test -run TestParseGolden -update.
func TestParseGolden(t *testing.T) {
	inputs := goldenInputs(t)
	var got strings.Builder
	for _, in := range inputs {
		f := Parse(in.name, in.src)
		sum := sha256.Sum256([]byte(dumpFile(f)))
		fmt.Fprintf(&got, "%s\t%d entries\t%d problems\t%x\n", in.name, len(f.Items), len(f.Problems), sum)
	}
	path := filepath.Join("testdata", "parse.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wantLines := lines(string(want))
	gotLines := lines(got.String())
	for _, l := range gotLines {
		if !slices.Contains(wantLines, l) {
			t.Errorf("Parse gives another result:\n%s\nwant one of the golden file's lines for %s", l, strings.SplitN(l, "\t", 2)[0])
		}
	}
	if len(gotLines) != len(wantLines) {
		t.Errorf("%d inputs, the golden file has %d", len(gotLines), len(wantLines))
	}
}

func lines(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }

// dumpFile writes everything Parse gives: each item and its entry's every member, and the
// problems.
func dumpFile(f *bib.File) string {
	var b strings.Builder
	for _, it := range f.Items {
		fmt.Fprintf(&b, "item kind=%d line=%d\n", it.Kind, it.Line)
		if it.Entry != nil {
			fmt.Fprintf(&b, "%+v\n", *it.Entry)
		}
	}
	for _, p := range f.Problems {
		fmt.Fprintf(&b, "problem %+v\n", p)
	}
	return b.String()
}

type goldenInput struct {
	name string
	src  []byte
}

func goldenInputs(t *testing.T) []goldenInput {
	t.Helper()
	var inputs []goldenInput
	for i, src := range edgeCases() {
		inputs = append(inputs, goldenInput{fmt.Sprintf("edge-%03d", i), []byte(src)})
	}

	sample, err := os.ReadFile(filepath.Join("..", "..", "assets", "sample-library.bib"))
	if err != nil {
		t.Fatal(err)
	}
	var written bytes.Buffer
	if err := Write(&written, bib.Parse("sample.bib", sample).Entries()); err != nil {
		t.Fatal(err)
	}
	inputs = append(inputs, goldenInput{"sample-library.json", bytes.Clone(written.Bytes())})

	var synth bytes.Buffer
	if err := bibtest.Synthetic(&synth, 3000, 7); err != nil {
		t.Fatal(err)
	}
	written.Reset()
	if err := Write(&written, bib.Parse("synth.bib", synth.Bytes()).Entries()); err != nil {
		t.Fatal(err)
	}
	inputs = append(inputs, goldenInput{"synthetic-3000.json", bytes.Clone(written.Bytes())})

	dir := bibtest.CorpusDir(t)
	var files []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".json") {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	for _, name := range files {
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, goldenInput{"corpus/" + name, src})
		if items := nestedItems(src); len(items) > 0 {
			inputs = append(inputs, goldenInput{"corpus/" + name + "#items", items})
		}
	}
	return inputs
}

// nestedItems returns the objects nested anywhere in a JSON file that have a "type" string, as
// one array, each written by encoding/json (keys sorted), in the order a depth-first walk meets
// them with each object's keys in order.
func nestedItems(src []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	var items []any
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if _, ok := x["type"].(string); ok {
				items = append(items, x)
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(x[k])
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	if len(items) == 0 {
		return nil
	}
	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if enc.Encode(items) != nil {
		return nil
	}
	w.Flush()
	return out.Bytes()
}

// edgeCases are CSL-JSON files made to reach each way Parse reads a value: variables of every
// JSON type, names and dates in each of their forms, markup, the limits, and broken files.
func edgeCases() []string {
	big := strings.Repeat("x", maxValue+1)
	huge := strings.Repeat("y", maxRecord)
	deep := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	cases := []string{
		// Every JSON type for text, raw, name, date and shared variables.
		`[{"id":"a1","type":"article-journal","title":5,"volume":5,"issue":3.0,"page":12,"edition":1e3,"note":true,"annote":false,"abstract":null,"number-of-pages":-0,"version":12345678901234567890}]`,
		`[{"id":"a2","type":"book","title":["a"],"note":{"x":1},"DOI":10.1,"URL":{"u":"v"},"ISBN":978,"author":null,"editor":"WHO","translator":5,"issued":null,"accessed":2001}]`,
		`[{"id":"a3","type":"chapter","editor":null,"title":"T","container-title":"Book <i>B</i>","publisher":"P","genre":"G"}]`,
		`[{"id":"a4","type":"chapter","title":"T","container-title":"Book"}]`,
		`[{"id":"a5","type":"thesis","genre":"Master's thesis","publisher":"Uni"},{"id":"a6","type":"thesis","genre":"PhD thesis","publisher":"Uni"},{"id":"a7","type":"thesis","genre":"mathesis"},{"id":"a8","type":"thesis","genre":"Habilitation"},{"id":"a9","type":"thesis","genre":5}]`,
		`[{"id":"b1","type":"report","publisher":"Inst","genre":"Working paper","number":"7","issue":"2","collection-number":"9"},{"id":"b2","type":"article","genre":"letter"},{"id":"b3","type":"misc-unknown","genre":"x"}]`,
		`[{"id":"b4","type":"article-magazine","issue":"4","collection-number":"1"},{"id":"b5","type":"article-newspaper","issue":"","number":"","collection-number":"3"},{"id":"b6","type":"article-","number":5}]`,
		`[{"id":"c1","title":"Deep nets: a survey","title-short":"Deep nets","shortTitle":"Deep","journalAbbreviation":"J","container-title-short":"JJ"},{"id":"c2","title":"Same","title-short":"Same","journalAbbreviation":"J"},{"id":"c3","title":5,"title-short":"5","container-title-short":null,"journalAbbreviation":"K"}]`,
		`[{"id":"d1","page":"97-111","page-first":"97"},{"id":"d2","page-first":"12"},{"id":"d3","page":null,"page-first":"5"},{"id":"d4","page":"1–2, 5—7, 9--10, -3-"},{"id":"d5","page":" 4 - 6 "}]`,
		// Ids and keys.
		`[{"id":12,"type":"book"},{"id":"has space"},{"citation-key":"ck","id":"other"},{"citation-key":"","id":"idk"},{"citation-key":7},{"id":true},{"id":"ck"},{"id":null,"citation-key":null},{"id":""},{"id":"x{y"}]`,
		`[{"id":"dup","title":"a","title":"b","author":[{"family":"A"}],"author":[{"family":"B"}]}]`,
		`[{"ti\u0074le":"escaped key","\u0069d":"esc","type":"boo\u006b"}]`,
		// Strings: escapes, surrogates, invalid UTF-8, controls, spacing.
		"[{\"id\":\"s1\",\"title\":\"caf\\u00e9 \\ud83d\\ude00 \\ud800 lone \\udc00 \\\"q\\\" \\/ \\\\ \\b\\f\\n\\r\\t end\",\"note\":\"bad \xff\xfe bytes \xc3\",\"abstract\":\"  lots   of\\n\\tspace\\u00a0nbsp\\u2003em  \",\"URL\":\"http://x/{a\",\"DOI\":\" 10.1/{b} \"}]",
		"[{\"id\":\"s2\",\"title\":\"nul \\u0000 char\",\"publisher-place\":\"\\u0085next\\u3000ideo\"}]",
		// Names.
		`[{"id":"n1","author":[{"family":"Müller","given":"Anna"},{"family":"Berg","non-dropping-particle":"van der","given":"Jan"},{"literal":"World Health Organization"},{"family":"others"},{"literal":"others"},5,"str",null,[],{"family":"de la Cruz"},{"family":"Smith","given":"John","suffix":"Jr."},{"given":"Plato"},{"family":"A, B"},{"family":"Tom and Jerry","given":"X"},{"family":7,"given":true},{"dropping-particle":"d'","family":"Alembert","given":"Jean"},{}]}]`,
		`[{"id":"n2","author":"  ","editor":"World  Health","container-author":[{"family":"von Neumann"}],"director":[{"family":"Lucas","given":"G.","family":"Kubrick"}]}]`,
		// Dates.
		`[{"id":"t1","issued":{"date-parts":[[2001,3,2],[2002,5]]},"accessed":{"date-parts":[["2020","02","29"]]},"event-date":{"date-parts":[[1999]]},"original-date":{"literal":"circa 1900"}}]`,
		`[{"id":"t2","issued":{"date-parts":[[2001,22]]}},{"id":"t3","issued":{"date-parts":[[2001]],"season":3}},{"id":"t4","issued":{"date-parts":[[2001]],"season":"Winter"}},{"id":"t5","issued":{"date-parts":[[2001]],"season":"5"}},{"id":"t6","issued":{"date-parts":[[2001]],"circa":"1"}},{"id":"t7","issued":{"date-parts":[[2001]],"circa":0}},{"id":"t8","issued":{"date-parts":[[2001]],"circa":"false"}},{"id":"t9","issued":{"date-parts":[[2001]],"circa":true}}]`,
		`[{"id":"u1","issued":{"date-parts":[[2001,13]]}},{"id":"u2","issued":{"date-parts":[["x"]]}},{"id":"u3","issued":{"date-parts":[[]]}},{"id":"u4","issued":{"date-parts":[[2001,2,32]]}},{"id":"u5","issued":{"date-parts":[[2001,1],[2002],[2003]]}},{"id":"u6","issued":{"date-parts":"2001"}},{"id":"u7","issued":{"date-parts":[2001]}},{"id":"u8","issued":{"date-parts":[[2001.5]]}},{"id":"u9","issued":{"date-parts":[[" 2001 ","+3"]]}},{"id":"v1","issued":{"date-parts":[[-44,3,15]]}},{"id":"v2","issued":{"date-parts":[[123456]]}},{"id":"v3","issued":{"date-parts":[[2e3]]}}]`,
		`[{"id":"w1","issued":"2001-03"},{"id":"w2","issued":{"raw":"2001~"}},{"id":"w3","issued":{"raw":"2001-03/2002-05","circa":true}},{"id":"w4","issued":{"raw":"Spring 2001"}},{"id":"w5","issued":{"literal":" Forthcoming "}},{"id":"w6","issued":{"raw":" ","literal":"L"}},{"id":"w7","issued":{}},{"id":"w8","issued":"  "},{"id":"w9","issued":"2001-21"},{"id":"x1","issued":"-0044-03-15"},{"id":"x2","issued":"2001?%"},{"id":"x3","issued":{"raw":5,"literal":6}},{"id":"x4","accessed":"n.d."},{"id":"x5","issued":{"date-parts":[[2001]],"raw":"1999"}}]`,
		// Markup.
		`[{"id":"r1","title":"<i>Homo sapiens</i> in H<sub>2</sub>O &amp; <b>x</b><sup>2</sup> <span style=\"font-variant:small-caps;\">Sc</span> <span class='nocase'>iPhone</span> <em>e</em> &#38; &#x26; &#0; &#xZZ; &#12345678901; a < b > c","container-title":"unclosed <i>it","note":"50% $5 #1 a_b {c} }d{ \\cmd ~ ^"}]`,
		// Unknown variables of every type.
		`[{"id":"k1","medium":"CD","dimensions":5,"archive":{"a":[1,2,{"b":null}]},"zeta":[],"alpha":true,"custom":null,"source":"s","scale":"1:100"}]`,
		// Limits.
		`[{"id":"big","title":"` + big + `","abstract":"` + big + `","DOI":"` + big + `"}]`,
		`[{"id":"huge","note":"` + huge + `"},{"id":"after"}]`,
		// Shapes.
		`{"id":"one","type":"book","title":"One"}`,
		`{"items":[{"id":"i1"},3,"s",[1],null,true,{"id":"i2"}]}`,
		`{"items":3,"id":"x"}`,
		`{"items":[]}`,
		`{"title":"\"items\"","items":[{"id":"q"}]}`,
		`{}`, `[]`, `[ ]`, "\ufeff\n [{\"id\":\"bom\"}]", `[1,"a<b>&",[null,{"z":1}],{"y":2},-1.5e3,null,false]`,
		"[\n  {\"id\":\"l1\"},\n\n  {\"id\":\"l2\"}\r\n,\t{\"id\":\"l3\"}\n]\n trailing junk",
		// Broken files.
		`[{"a":1} {"b":2}]`, `[{"a":1},]`, `[{"a":1}}`, `[{"a":01}]`, "[{\"a\":\"\x01\"}]", `[{"a":"\q"}]`,
		`[{"a":tru}]`, `[{"a":1.}]`, `[{"a":-}]`, `[{"a":1e}]`, `[{"a" 1}]`, `[{"a":1,}]`, `[{1:2}]`,
		`[,{"a":1}]`, `[{"a":1},,{"b":2}]`, `[{"id":"ok"},{"a":[1,]}]`, `[{"a":{"b":1,}}]`, `[{"a":"x`, `[{"a":`, `[`, `[ `,
		`[{"id":"before"},` + deep + `]`, `[{"id":"deep","x":` + deep + `}]`,
		`{"id":"x",}`, `{"items":[{"id":"a"},]}`, `{"items":[{"id":"a"}`, `{"a":1} {"b":2}`, `{"a":1} x`, `{`, `{"items":[{"id":"a"}]`,
		`[{"id":"z1"}]]`, `[{"id":"z2"}]{}`, `[{"id":"z3"}`, `[{"id":"z4"} `, `[{"id":"z5"},`, `[{"id":"z6"}, `,
		`[{"id":"e1","n":1E+2,"m":-0.0e-0,"o":0.5}]`, `[{"a":+1}]`, `[{"a":.5}]`, `[{"a":0x1}]`, `[{"a":NaN}]`, `[{"a":"\u12G4"}]`, `[{"a":nul}]`, `[{"a":true1}]`,
		"[{\"a\":\"tab\there\"}]", "[\n{\"id\":\"m1\"},\n{\"id\":\"m2\",\n\"x\": oops}\n]", "[\n{\"id\":\"m1\"}\n\n{\"id\":\"m2\"}\n]",
		"{\n\"items\": [\n{\"id\":\"m1\"},\n\n{\"id\":\"m2\",\n\"x\": ]}\n]}", "[\n{\"id\":\"m1\"},\n\n{\"id\":\"m2\",\n\"x\": \"unterminated\n}]", "[{\"a\":\"x\"}\x00]", "x", "  ", "\ufeff",
		// The deepest nesting encoding/json reads, and one more; bytes right after an item.
		`[{"x":` + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + `}]`,
		`[{"x":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + `}]`,
		`[{"id":"a"}5]`, `[{"00000":""}.`, `{"items":[{"id":"a"}5]}`,
	}
	return cases
}
