package bib

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/nickng/bibtex"
)

type fieldVal struct{ Name, Raw, Value string }

func fieldsOf(e *Entry) []fieldVal {
	var fs []fieldVal
	for _, f := range e.Fields {
		fs = append(fs, fieldVal{f.Name, f.Raw, f.Value})
	}
	return fs
}

func TestParseValues(t *testing.T) {
	src := `@String{ACM = "Association for Computing Machinery"}
@Article{Knuth:1984,
  Author = {Donald E. Knuth},
  title  = "The {\TeX}book" # { and more},
  publisher = acm,
  month = Sep,
  year  = 1984,
  note = {50% {nested {braces}} @ here},
  title = {Second title},
}
`
	f := Parse("knuth.bib", []byte(src))
	es := f.Entries()
	if len(es) != 1 {
		t.Fatalf("got %d entries, want 1; problems: %v", len(es), f.Problems)
	}
	e := es[0]
	if e.Type != "article" || e.Key != "Knuth:1984" {
		t.Errorf("type, key = %q, %q", e.Type, e.Key)
	}
	want := []fieldVal{
		{"author", "{Donald E. Knuth}", "Donald E. Knuth"},
		{"title", `"The {\TeX}book" # { and more}`, `The {\TeX}book and more`},
		{"publisher", "acm", "Association for Computing Machinery"},
		{"month", "Sep", "September"},
		{"year", "1984", "1984"},
		{"note", "{50% {nested {braces}} @ here}", "50% {nested {braces}} @ here"},
		{"title", "{Second title}", "Second title"},
	}
	if diff := cmp.Diff(want, fieldsOf(e)); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if got := e.Get("title"); got != `The {\TeX}book and more` {
		t.Errorf("Get(title) = %q: a repeated field must keep the first value", got)
	}
	if !e.Fields[6].Duplicate {
		t.Error("second title not marked Duplicate")
	}
	if len(f.Errors()) != 0 || len(f.Problems) != 1 || !strings.Contains(f.Problems[0].Msg, "repeated field") {
		t.Errorf("problems = %v, want one warning about the repeated title", f.Problems)
	}
	if e.Source != src[strings.Index(src, "@Article"):strings.LastIndex(src, "}")+1] {
		t.Errorf("Source is not the entry's exact text:\n%s", e.Source)
	}
	if p := f.Problems[0]; p.Line != 9 || p.Key != "Knuth:1984" {
		t.Errorf("problem at line %d key %q, want line 9 key Knuth:1984", p.Line, p.Key)
	}
}

func TestParseRecovers(t *testing.T) {
	src := `% A comment line with an address: someone@example.org
@article{good1, title = {One}}

@article{broken, title = {Two}
  year = 2001,
}

@book(good2, title = "Three", note = undefinedmacro)
@inproceedings{unclosed, title = {Four
@misc{good3}
`
	f := Parse("r.bib", []byte(src))
	var keys []string
	for _, e := range f.Entries() {
		keys = append(keys, e.Key)
	}
	// Like BibTeX, an entry whose key was read is kept with the fields before the error.
	if diff := cmp.Diff([]string{"good1", "broken", "good2", "unclosed", "good3"}, keys); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	var errs []string
	for _, p := range f.Errors() {
		errs = append(errs, p.Error())
	}
	wantErrs := []string{
		`r.bib:5:3: expected , or '}' after the value of "title"; the entry is kept with the 1 fields before the error (entry "broken")`,
		`r.bib:9:34: unbalanced braces: '{' opened here is never closed; the entry is kept with the 0 fields before the error (entry "unclosed")`,
	}
	if diff := cmp.Diff(wantErrs, errs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	var raw strings.Builder
	for _, it := range f.Items {
		raw.WriteString(it.Raw)
	}
	if raw.String() != src {
		t.Errorf("items do not add up to the source: nothing may be lost\n%s", raw.String())
	}
	if got := f.Entries()[2].Get("note"); got != "undefinedmacro" {
		t.Errorf("undefined macro value = %q, want its name", got)
	}
}

// TestParseResumesAsBibTeX checks that after a syntax error the parser goes on, as bibtex does,
// at the next @ after the error, also when a % comes before it on its line (biber-tdata's
// names.bib comments entries out that way, which bibtex still reads).
func TestParseResumesAsBibTeX(t *testing.T) {
	src := `@BOOK{L26, AUTHOR = {A}}

%@BOOK{L27,
%  AUTHOR = {Smith, Jr., Bill}
%}

%@BOOK{L28,
%  AUTHOR = {Deux et al.,, O.}
%}

@BOOK{L29, AUTHOR = {B}}
`
	f := Parse("n.bib", []byte(src))
	type entry struct {
		Key    string
		Fields int
		Broken bool
		Source string
	}
	var got []entry
	for _, e := range f.Entries() {
		got = append(got, entry{e.Key, len(e.Fields), e.Broken, e.Source})
	}
	want := []entry{
		{"L26", 1, false, "@BOOK{L26, AUTHOR = {A}}"},
		{"L27", 0, true, "@BOOK{L27,\n%  AUTHOR = {Smith, Jr., Bill}\n%}"},
		{"L28", 0, true, "@BOOK{L28,\n%  AUTHOR = {Deux et al.,, O.}\n%}"},
		{"L29", 1, false, "@BOOK{L29, AUTHOR = {B}}"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	var raw strings.Builder
	for _, it := range f.Items {
		raw.WriteString(it.Raw)
	}
	if raw.String() != src {
		t.Errorf("items do not add up to the source: nothing may be lost\n%s", raw.String())
	}
}

// TestKeyWithBrace: bibtex reads @boo{fd{},fds} as an entry with the key fd{, which \cite
// cannot take and at which biber stops reading the file: the entry is read without a key.
func TestKeyWithBrace(t *testing.T) {
	f := Parse("k.bib", []byte("@boo{fd{},fds}\n@article{ok, title = {T}}\n"))
	es := f.Entries()
	if len(es) != 2 || es[0].Key != "" || es[1].Key != "ok" {
		t.Fatalf("entries = %+v", es)
	}
	if len(f.Problems) == 0 || !strings.Contains(f.Problems[0].Msg, "has a brace") {
		t.Errorf("problems = %v", f.Problems)
	}
}

func TestMacroNames(t *testing.T) {
	for raw, want := range map[string][]string{
		`{Plain}`:                      nil,
		`"Quoted {jn}"`:                nil,
		`2001`:                         nil,
		`jn`:                           {"jn"},
		`JN # " Letters"`:              {"jn"},
		`acm # { } # tods # acm # mar`: {"acm", "tods", "mar"},
		`{unclosed`:                    nil,
		`"a" # `:                       nil,
	} {
		if got := MacroNames(raw); !slices.Equal(got, want) {
			t.Errorf("MacroNames(%q) = %q, want %q", raw, got, want)
		}
	}
	e := &Entry{Fields: []Field{{Name: "journal", Raw: "jn"}, {Name: "month", Raw: "mar # {~1}"}, {Name: "note", Raw: "JN"}}}
	if got, want := e.MacroNames(), []string{"jn", "mar"}; !slices.Equal(got, want) {
		t.Errorf("Entry.MacroNames = %q, want %q", got, want)
	}
}

func TestParseEncodings(t *testing.T) {
	entry := "@misc{k, author = {Gödel}}\r\n"
	utf16le := []byte{0xff, 0xfe}
	for _, r := range entry {
		utf16le = append(utf16le, byte(r), byte(r>>8))
	}
	latin1 := []byte(strings.ReplaceAll(entry, "ö", "\xf6"))
	for name, src := range map[string][]byte{
		"utf8":    []byte(entry),
		"utf8bom": append([]byte{0xef, 0xbb, 0xbf}, entry...),
		"utf16le": utf16le,
		"latin1":  latin1,
	} {
		t.Run(name, func(t *testing.T) {
			f := Parse(name+".bib", src)
			es := f.Entries()
			if len(es) != 1 || es[0].Get("author") != "Gödel" {
				t.Fatalf("entries = %+v, problems %v", es, f.Problems)
			}
			if warned := len(f.Problems) == 1; warned != (name == "latin1") {
				t.Errorf("problems = %v", f.Problems)
			}
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ list, first, all string }{
		{"Donald E. Knuth", "Knuth", "Knuth"},
		{"Knuth, Donald E. and Leslie Lamport", "Knuth", "Knuth, Lamport"},
		{"Ludwig van Beethoven and others", "van Beethoven", "van Beethoven, et al."},
		{"{Barnes and Noble} and Kurt G{\\\"o}del", "Barnes and Noble", "Barnes and Noble, Gödel"},
		{"de la Fontaine, Jr., Jean", "de la Fontaine", "de la Fontaine"},
		{"", "", ""},
	}
	for _, tt := range tests {
		e := &Entry{Fields: []Field{{Name: "author", Value: tt.list}}}
		if got := FirstAuthor(e); got != tt.first {
			t.Errorf("FirstAuthor(%q) = %q, want %q", tt.list, got, tt.first)
		}
		if got := Authors(e); got != tt.all {
			t.Errorf("Authors(%q) = %q, want %q", tt.list, got, tt.all)
		}
	}
}

func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"Vinyals, Oriol":              "Oriol Vinyals",
		"Oriol  Vinyals":              "Oriol Vinyals",
		"de la Fontaine, Jr., Jean":   "Jean de la Fontaine, Jr.",
		`G{\"o}del, Kurt`:             "Kurt Gödel",
		"{World Health Organization}": "World Health Organization",
	} {
		if got := DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOracle compares the parser, entry by entry, with github.com/nickng/bibtex on the sample
// library, whose entries use only braced values: no macros, no concatenation. Entries the oracle
// itself cannot read (it rejects an @ in a braced value, and takes % in a value for a comment)
// are skipped, and counted.
func TestOracle(t *testing.T) {
	src, err := os.ReadFile("../assets/sample-library.bib")
	if err != nil {
		t.Fatal(err)
	}
	ours := Parse("sample-library.bib", src)
	if len(ours.Problems) != 0 {
		t.Fatalf("problems in the sample library: %v", ours.Problems)
	}
	es := ours.Entries()
	if len(es) != 56 {
		t.Fatalf("got %d entries, want 56", len(es))
	}
	compared := 0
	for _, e := range es {
		theirs, err := bibtex.Parse(strings.NewReader(e.Source))
		if err != nil || len(theirs.Entries) != 1 {
			continue
		}
		compared++
		o := theirs.Entries[0]
		if e.Key != o.CiteName || e.Type != o.Type {
			t.Errorf("ours %s/%s, oracle %s/%s", e.Type, e.Key, o.Type, o.CiteName)
		}
		want := map[string]string{}
		for name, v := range o.Fields {
			want[strings.ToLower(name)] = v.String()
		}
		got := map[string]string{}
		for _, f := range e.Fields {
			got[f.Name] = f.Raw[1 : len(f.Raw)-1]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("entry %s (-oracle +ours):\n%s", e.Key, diff)
		}
	}
	if compared < 30 {
		t.Errorf("the oracle read only %d of 56 entries", compared)
	}
	t.Logf("compared %d of %d entries with the oracle", compared, len(es))
}

func TestFormatRoundTrip(t *testing.T) {
	src := "@article{k,\n  title = {A {B} c},\n  year = 2020,\n  month = sep,\n}"
	f := Parse("f.bib", []byte(src))
	e := f.Entries()[0]
	if Format(e) != src {
		t.Errorf("an untouched entry must come back byte for byte:\n%s", Format(e))
	}
	e.Source = ""
	e.Fields = append(e.Fields, Field{Name: "note", Value: "new"})
	want := "@article{k,\n  title = {A {B} c},\n  year = {2020},\n  month = sep,\n  note = {new},\n}"
	if got := Format(e); got != want {
		t.Errorf("canonical form:\n%s\nwant:\n%s", got, want)
	}
}

// maxParseAlloc is the most a parse of n bytes may allocate: memory in proportion to the input.
// A file that is nothing but broken items a few bytes long, each an item and a problem or two,
// takes up to 400 bytes per byte; values may expand by 4 times the input and 64 KiB (see
// roomToGrow). An expansion without limit, or a rescan of the rest of the input for each item,
// goes past this within a few kilobytes of input.
func maxParseAlloc(n int) uint64 { return 512*uint64(n) + 256<<10 }

func FuzzParse(f *testing.F) {
	f.Add([]byte("@article{k, title = {A} # \"b\" # jan, year = 2001}"))
	f.Add([]byte("@string(x = {y}) @preamble{\"\\foo\"} @comment{z} @misc{a,}"))
	f.Add([]byte("@book{k, title = {unclosed\n@misc{b}"))
	f.Add([]byte{0xff, 0xfe, '@', 0})
	f.Fuzz(func(t *testing.T, src []byte) {
		var first *File
		if alloc := allocated(func() { first = Parse("fuzz.bib", src) }); alloc > maxParseAlloc(len(src)) {
			t.Fatalf("%d bytes of input: parsing allocated %d bytes, more than %d", len(src), alloc, maxParseAlloc(len(src)))
		}
		// A Reader gives the same items and problems.
		r := NewReader("fuzz.bib", string(src))
		var items []Item
		for it, ok := r.Next(); ok; it, ok = r.Next() {
			items = append(items, it)
		}
		if d := cmp.Diff(first.Items, items, cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("Reader's items differ from Parse's:\n%s", d)
		}
		if d := cmp.Diff(first.Problems, r.Problems(), cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("Reader's problems differ from Parse's:\n%s", d)
		}
		// Nothing of the text is lost.
		text, problems := decode("fuzz.bib", src)
		var all strings.Builder
		for _, it := range first.Items {
			all.WriteString(it.Raw)
		}
		if all.String() != text {
			t.Fatalf("the items do not add up to the text:\n%q\n%q", all.String(), text)
		}
		// The table that parsing which goes back over text uses gives the same items and
		// problems as scanning.
		p := newParser("fuzz.bib", text, problems)
		p.braces = p.newBraceTable(0)
		for !p.done {
			p.step()
		}
		if d := cmp.Diff(first.Items, p.file.Items, cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("items with the brace table differ:\n%s", d)
		}
		if d := cmp.Diff(first.Problems, p.file.Problems, cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("problems with the brace table differ:\n%s", d)
		}
		// An entry marked standalone parses on its own to the same fields.
		for _, e := range first.Entries() {
			if !e.Standalone {
				continue
			}
			es := ParseString("", e.Source).Entries()
			if len(es) != 1 || len(es[0].Fields) != len(e.Fields) {
				t.Fatalf("standalone entry %q: its source alone gives %+v", e.Key, es)
			}
			for i := range e.Fields {
				a, b := e.Fields[i], es[0].Fields[i]
				a.Line, b.Line = 0, 0
				if a != b {
					t.Fatalf("standalone entry %q: field %d is %+v alone, %+v in the file", e.Key, i, b, a)
				}
			}
		}
		// Write every entry in canonical form and parse again: the entries must survive.
		var buf bytes.Buffer
		w := NewWriter(&buf)
		for _, it := range first.Items {
			switch it.Kind {
			case KindString, KindPreamble:
				w.Raw(it.Raw)
			case KindEntry:
				e := *it.Entry
				e.Source = ""
				w.Entry(&e)
			}
		}
		w.Close()
		second := Parse("again.bib", buf.Bytes())
		a, b := first.Entries(), second.Entries()
		if len(a) != len(b) {
			t.Fatalf("%d entries, %d after writing:\n%s", len(a), len(b), buf.String())
		}
		for i := range a {
			if a[i].Key != b[i].Key || !cmp.Equal(fieldValues(a[i]), fieldValues(b[i])) {
				t.Fatalf("entry %d changed:\n%+v\n%+v", i, fieldValues(a[i]), fieldValues(b[i]))
			}
		}
	})
}

func TestToBibLaTeX(t *testing.T) {
	src := `@phdthesis{t, author = {A}, school = {MIT}, year = 2019, month = sep, address = {Cambridge}}
@article{a, journal = {J}, year = {2020}, month = {March}}
@misc{m, title = {Web page}, url = {https://example.org/a_b%20c}}
@misc{arxiv, title = {P}, year = 2024, howpublished = {arXiv preprint arXiv:2405.18570}, url = {https://arxiv.org/abs/2405.18570}}
@article{odd, journal = {J}, year = {2000a}, month = {Spring}}
@book{same, title = {Nothing to map}}`
	var got []string
	for _, e := range Parse("t.bib", []byte(src)).Entries() {
		got = append(got, Format(toBibLaTeX(e)))
	}
	want := []string{
		"@thesis{t,\n  author = {A},\n  institution = {MIT},\n  date = {2019-09},\n  location = {Cambridge},\n  type = {phdthesis},\n}",
		"@article{a,\n  journaltitle = {J},\n  date = {2020-03},\n}",
		"@online{m,\n  title = {Web page},\n  url = {https://example.org/a_b%20c},\n}",
		// howpublished is not a field of @online (biber --validate-datamodel says so).
		"@misc{arxiv,\n  title = {P},\n  date = {2024},\n  howpublished = {arXiv preprint arXiv:2405.18570},\n  url = {https://arxiv.org/abs/2405.18570},\n}",
		"@article{odd,\n  journaltitle = {J},\n  year = {2000a},\n  month = {Spring},\n}",
		"@book{same, title = {Nothing to map}}",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BibLaTeX (-want +got):\n%s", diff)
	}
}

// collapseSlow is the obvious form of collapseSpace, to check the fast one against.
func collapseSlow(s string) string {
	var words []string
	word := ""
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(" \t\n\r\f\v", s[i]) >= 0 {
			if word != "" {
				words = append(words, word)
			}
			word = ""
			continue
		}
		word += s[i : i+1]
	}
	if word != "" {
		words = append(words, word)
	}
	return strings.Join(words, " ")
}

func FuzzCollapseSpace(f *testing.F) {
	for _, s := range []string{"", " ", "a b", "a  b", " a", "a ", "a\tb", "abcdefgh\nijklmnop", "abcdefghijklmnop q", "é\x01 x\v"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := collapseSlow(s)
		if got := collapseSpace(s); got != want {
			t.Errorf("collapseSpace(%q) = %q, want %q", s, got, want)
		}
		if messySpace(s) != (want != s) {
			t.Errorf("messySpace(%q) = %v", s, messySpace(s))
		}
	})
}

// TestLineEnds: a line ends at \n, \r\n or a lone \r (old Mac files), in problems, items and
// fields, and in where parsing resumes after an error.
func TestLineEnds(t *testing.T) {
	for name, nl := range map[string]string{"lf": "\n", "crlf": "\r\n", "cr": "\r", "mixed": "\r\n\r\n\n\r"} {
		lines := []string{
			"@article{a,", "  title = {T},", "  year = 2001,", "  year = 2002}", // 1-4
			"@misc{b, note = undefinedmacro}", // 5
			"@misc{c, title = {C} x}",         // 6: a syntax error
			"@misc{d, title = {D}}",           // 7
		}
		src := strings.Join(lines, nl) + nl
		if name == "mixed" {
			// \r\n, \r\n, \n, \r, then the same again.
			ends := []string{"\r\n", "\r\n", "\n", "\r"}
			var b strings.Builder
			for i, l := range lines {
				b.WriteString(l + ends[i%4])
			}
			src = b.String()
		}
		t.Run(name, func(t *testing.T) {
			f := Parse("e.bib", []byte(src))
			var got []string
			for _, p := range f.Problems {
				got = append(got, fmt.Sprintf("%d:%d %s", p.Line, p.Col, p.Key))
			}
			for _, it := range f.Items {
				if it.Kind == KindEntry {
					got = append(got, fmt.Sprintf("%s@%d", it.Entry.Key, it.Line))
					for _, fl := range it.Entry.Fields {
						got = append(got, fmt.Sprintf("%s.%s@%d", it.Entry.Key, fl.Name, fl.Line))
					}
				}
			}
			want := []string{"4:3 a", "5:17 b", "6:22 c",
				"a@1", "a.title@2", "a.year@3", "a.year@4", "b@5", "b.note@5", "c@6", "c.title@6", "d@7", "d.title@7"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseBiber: inside an entry, biber reads a % as the start of a comment, where bibtex finds
// an error and keeps the fields before it.
func TestParseBiber(t *testing.T) {
	src := []byte("@book{x,\n  author = {A}, % the first\n  title = {T} % and more\n}\n@misc{y, note = {50% off}}\n")
	bibtex, biber := Parse("x.bib", src).Entries(), ParseBiber("x.bib", src).Entries()
	if len(bibtex) != 2 || !bibtex[0].Broken || len(bibtex[0].Fields) != 1 {
		t.Fatalf("bibtex's reading: %+v", bibtex)
	}
	if len(biber) != 2 || biber[0].Broken || biber[0].Get("title") != "T" || biber[1].Get("note") != "50% off" {
		t.Fatalf("biber's reading: %+v", biber)
	}
}

func TestProblems(t *testing.T) {
	f := Parse("p.bib", []byte("@article{a, title = {x}, title = {y}}\n@article{b, title = {x\n@misc{c, note = {ok}}\n"))
	if len(f.Problems) < 2 {
		t.Fatalf("problems %v", f.Problems)
	}
	ps := slices.Clone(f.Problems)
	slices.Reverse(ps)
	ps.Sort()
	if !slices.Equal(ps, f.Problems) {
		t.Errorf("Sort gives %v, want the parse's order %v", ps, f.Problems)
	}
	if err := f.Problems.Err(); err == nil || len(f.Problems.Errors()) == 0 || !strings.Contains(err.Error(), "p.bib:2:") {
		t.Errorf("Err() = %v", err)
	}
	if err := (Problems{{Severity: Warning, Msg: "w"}}).Err(); err != nil {
		t.Errorf("warnings alone: Err() = %v, want nil", err)
	}
}
