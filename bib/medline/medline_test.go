package medline

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/google/go-cmp/cmp"
)

// fields returns the entry's type and the raw value of each of its fields named in names.
func fields(e *bib.Entry, names ...string) map[string]string {
	m := map[string]string{"@type": e.Type}
	for _, n := range names {
		if f := e.Field(n); f != nil {
			m[n] = f.Raw
		}
	}
	return m
}

func parseFile(t *testing.T, path string) *bib.File {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !Detect(src) {
		t.Errorf("Detect(%s) = false", path)
	}
	return Parse(path, src)
}

var checked = []string{"author", "editor", "title", "booktitle", "journal", "shortjournal", "volume",
	"number", "pages", "year", "month", "publisher", "address", "institution", "school", "issn",
	"isbn", "doi", "url", "pmid", "pmcid", "language"}

// TestFixtures reads records of Zotero's and JabRef's test suites (testdata/README.md) and
// checks the fields Zotero's translator gives them, written as BibTeX.
func TestFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []map[string]string
	}{
		{"testdata/zotero-1-article-and-chapter.nbib", []map[string]string{{
			"@type":        "article",
			"author":       "{van Raaij, M. J. and Abrahams, J. P. and Leslie, A. G. and Walker, J. E.}",
			"title":        "{The structure of bovine F1-ATPase complexed with the antibiotic inhibitor aurovertin B.}",
			"journal":      "{Proceedings of the National Academy of Sciences of the United States of America}",
			"shortjournal": "{Proc Natl Acad Sci U S A}",
			"volume":       "{93}", "number": "{14}", "pages": "{6913--6917}",
			"year": "{1996}", "month": "jul", "issn": "{0027-8424}",
			"pmid": "{8692918}", "pmcid": "{PMC38908}", "language": "{eng}",
		}, {
			"@type": "incollection",
			"author": "{Riegert-Johnson, Douglas and Gleeson, Ferga C. and Westra, Wytske and Hefferon, Timothy" +
				" and Wong Kee Song, Louis M. and Spurck, Lauren and Boardman, Lisa A.}",
			"editor":    "{Riegert-Johnson, Douglas L. and Boardman, Lisa A. and Hefferon, Timothy and Roberts, Maegan}",
			"title":     "{Peutz-Jeghers Syndrome}",
			"booktitle": "{Cancer Syndromes}",
			"publisher": "{National Center for Biotechnology Information (US)}",
			"address":   "{Bethesda (MD)}",
			"year":      "{2009}", "pmid": "{21249755}", "language": "{eng}",
		}}},
		{"testdata/zotero-3-doi.nbib", []map[string]string{{
			"@type":   "article",
			"author":  "{Fujiwara, T.}",
			"title":   "{Effectiveness of public health practices against shaken baby syndrome/abusive head trauma in Japan.}",
			"journal": "{Public health}", "shortjournal": "{Public Health}",
			"volume": "{129}", "number": "{5}", "pages": "{475--482}", "year": "{2015}", "month": "may",
			"issn": "{1476-5616 0033-3506}", "doi": "{10.1016/j.puhe.2015.01.018}",
			"pmid": "{25744111}", "language": "{eng}",
		}}},
		{"testdata/zotero-5-pmc.nbib", []map[string]string{{
			"@type": "article",
			"author": "{Bith-Melander, Pollie and Ratliff, Jack and Poisson, Chelsey and Jindal, Charulata" +
				" and Ming Choi, Yuk and Efird, Jimmy T.}",
			"title": "{Slow Burns: A Qualitative Study of Burn Pit and Toxic Exposures Among Military Veterans" +
				" Serving in Afghanistan, Iraq and Throughout the Middle East.}",
			"journal":      "{Annals of psychiatry and clinical neuroscience}",
			"shortjournal": "{Ann Psychiatry Clin Neurosci}",
			"volume":       "{4}", "number": "{1}", "pages": "{1042}", "year": "{2021}", "issn": "{2641-9157}",
			"pmid": "{35128459}", "pmcid": "{PMC8816568}", "language": "{eng}",
		}}},
		{"testdata/zotero-8-case-report.nbib", []map[string]string{{
			"@type":   "article",
			"author":  "{Manoubi, Syrine Azza and Shimi, Maha and Gharbaoui, Meriem and Allouche, Mohamed}",
			"title":   "{Lichtenberg Figures: How a Cutaneous Sign Can Solve Suspicious Death Cases.}",
			"journal": "{Wilderness \\& environmental medicine}", "shortjournal": "{Wilderness Environ Med}",
			"year": "{2022}", "month": "oct", "issn": "{1545-1534 1080-6032}",
			"doi": "{10.1016/j.wem.2022.07.008}", "pmid": "{36216673}", "language": "{eng}",
		}}},
		{"testdata/jabref-complete-entry.nbib", []map[string]string{{
			"@type":  "article",
			"author": "{Long, Vicky and Marland, Hilary}",
			"title": "{From danger and motherhood to health and beauty: health advice for the factory girl" +
				" in early twentieth-century Britain.}",
			"journal": "{20 century British history}", "shortjournal": "{20 Century Br Hist}",
			"volume": "{20}", "number": "{4}", "pages": "{454--481}", "year": "{2009}",
			"issn": "{0955-2359}", "pmid": "{20481061}", "pmcid": "{PMC4513071}", "language": "{eng}",
		}}},
		{"testdata/zotero-7-eric-thesis-book.nbib", []map[string]string{{
			"@type": "phdthesis", "author": "{Leipzig, Jeremy}", "title": "{Tests of Robustness in Peer Review}",
			"year": "{2021}", "school": "{Drexel University}", "isbn": "{9798209887621}",
			"url": "{http://eric.ed.gov/?id=ED620611}", "language": "{English}",
		}, {
			"@type": "book", "author": "{Test, David W.}",
			"title": "{Evidence-Based Instructional Strategies for Transition. Brookes Transition to Adulthood Series}",
			"year":  "{2012}", "publisher": "{Brookes Publishing Company}", "isbn": "{9781598571929}",
			"url": "{http://eric.ed.gov/?id=ED529121}",
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := parseFile(t, tt.file)
			if errs := f.Errors(); len(errs) > 0 {
				t.Errorf("errors: %v", errs)
			}
			es := f.Entries()
			var got []map[string]string
			for _, e := range es {
				if e.Key != "" {
					t.Errorf("entry at line %d has key %q, want none", e.Line, e.Key)
				}
				got = append(got, fields(e, checked...))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

// TestERIC checks Zotero's types for ERIC records: EJ numbers stay journal articles though
// their type says report; an ED report is a report with its publisher as institution.
func TestERIC(t *testing.T) {
	f := parseFile(t, "testdata/zotero-4-eric.nbib")
	var got []map[string]string
	for _, e := range f.Entries() {
		got = append(got, fields(e, "journal", "institution", "doi", "pages"))
	}
	want := []map[string]string{
		{"@type": "article", "journal": "{Journal of Applied Testing Technology}", "pages": "{12--24}"},
		{"@type": "article", "journal": "{Language Testing in Asia}", "doi": "{10.1186/s40468-019-0086-7}"},
		{"@type": "techreport", "institution": "{ACT, Inc.}"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

// TestAbstractSections checks that a structured abstract keeps its section labels, and the
// keywords their MeSH commas.
func TestAbstractSections(t *testing.T) {
	e := parseFile(t, "testdata/zotero-3-doi.nbib").Entries()[0]
	ab := e.Get("abstract")
	for _, label := range []string{"OBJECTIVES: Previous", "STUDY DESIGN: Cross-sectional", "METHODS: The",
		"RESULTS: Crying", "CONCLUSIONS: The impact"} {
		if !strings.Contains(ab, label) {
			t.Errorf("abstract lacks %q: %s", label, ab)
		}
	}
	e = parseFile(t, "testdata/zotero-1-article-and-chapter.nbib").Entries()[0]
	if kw := e.Get("keywords"); !strings.Contains(kw, "; Crystallography, X-Ray; ") {
		t.Errorf("keywords = %q", kw)
	}
}

func TestRecords(t *testing.T) {
	tests := []struct {
		name, src string
		want      map[string]string
	}{
		{"suffix and initials", "PMID- 1\nFAU - Jones, Robert B Jr\nFAU - Smith, J\nTI  - T.\n",
			map[string]string{"@type": "article", "author": "{Jones, Jr, Robert B. and Smith, J.}", "title": "{T.}", "pmid": "{1}"}},
		{"collective name in its place", "PMID- 2\nFAU - Doe, Jane\nCN  - World Health Organization\nFAU - Roe, R\n",
			map[string]string{"@type": "article", "author": "{Doe, Jane and {World Health Organization} and Roe, R.}", "pmid": "{2}"}},
		{"short names when no full ones", "PMID- 3\nAU  - van Raaij MJ\nAU  - Jones RB Jr\nAU  - et al.\n",
			map[string]string{"@type": "article", "author": "{van Raaij, M. J. and Jones, Jr, R. B.}", "pmid": "{3}"}},
		{"and in a name", "PMID- 4\nCN  - Research and Development Group\n",
			map[string]string{"@type": "article", "author": "{{Research and Development Group}}", "pmid": "{4}"}},
		{"season", "PMID- 5\nDP  - 2019 Spring\n", map[string]string{"@type": "article", "year": "{2019}", "pmid": "{5}"}},
		{"month range", "PMID- 6\nDP  - 2019 Mar-Apr\n", map[string]string{"@type": "article", "year": "{2019}", "month": "mar", "pmid": "{6}"}},
		{"day", "PMID- 7\nDP  - 2019 Mar 15\n", map[string]string{"@type": "article", "year": "{2019}", "month": "mar", "pmid": "{7}"}},
		{"doi from AID, pii not pages", "PMID- 8\nAID - S0033-3506(15)00037-2 [pii]\nLID - S0033-3506(15)00037-2 [pii]\nAID - 10.1/x{y [doi]\n",
			map[string]string{"@type": "article", "doi": "{10.1/x%7By}", "pmid": "{8}"}},
		{"article number", "PMID- 9\nLID - e1042 [pii]\nLID - 10.1/y [doi]\n",
			map[string]string{"@type": "article", "pages": "{e1042}", "doi": "{10.1/y}", "pmid": "{9}"}},
		{"pages", "PMID- 10\nPG  - 1021-4, 1027\n", map[string]string{"@type": "article", "pages": "{1021--1024, 1027}", "pmid": "{10}"}},
		{"review and book", "PMID- 11\nPT  - Review\nPT  - Book\nTI  - B\nPL  - Bethesda\n",
			map[string]string{"@type": "book", "title": "{B}", "address": "{Bethesda}", "pmid": "{11}"}},
		{"escapes", "PMID- 12\nTI  - 100% of {x} & y_z\nJT  - A & B\n",
			map[string]string{"@type": "article", "title": `{100\% of \{x\} \& y\_z}`, "journal": `{A \& B}`, "pmid": "{12}"}},
		{"ISSN and ISBN in IS", "PMID- 13\nIS  - 1476-5616 (Electronic)\nIS  - 978-0-306-40615-7 (Print)\nIS  - 1476-5616 (Linking)\n",
			map[string]string{"@type": "article", "issn": "{1476-5616}", "isbn": "{9780306406157}", "pmid": "{13}"}},
		{"CRLF and continuation", "PMID- 14\r\nTI  - A long\r\n      title\r\n",
			map[string]string{"@type": "article", "title": "{A long title}", "pmid": "{14}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse("t.nbib", []byte(tt.src))
			es := f.Entries()
			if len(es) != 1 {
				t.Fatalf("%d entries, want 1; problems %v", len(es), f.Problems)
			}
			if diff := cmp.Diff(tt.want, fields(es[0], append(checked, "pages")...)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProblems(t *testing.T) {
	long := "PMID- 1\nAB  - x\n" + strings.Repeat("      "+strings.Repeat("y", 1000)+"\n", 1100) + "TI  - kept\n\nPMID- 2\n"
	tests := []struct {
		name, src string
		entries   int
		want      []string
	}{
		{"stray text", "Some header\nPMID- 1\nTI  - A\n\nPMID- 2\n", 2, []string{"t:1:1: warning: text before the first MEDLINE tag is skipped"}},
		{"long value", long, 2, []string{"t:1050:1: AB value longer than 1048576 bytes: the rest of it is dropped"}},
		// A value on its tag's line alone was not cut: 100 MB of it made 2 GB and a 100 MB key.
		{"long line", "PMID- 1\nAB  - " + strings.Repeat("y", 1<<20+10) + "\n      more\nTI  - kept\n\nPMID- 2\n", 2,
			[]string{"t:2:1: AB value longer than 1048576 bytes: the rest of it is dropped"}},
		{"invalid UTF-8", "PMID- 1\nTI  - caf\xe9\n", 1, []string{"t:1:1: warning: the file is not valid UTF-8: invalid bytes read as U+FFFD"}},
		{"no title", "\n\nPMID- 1\n", 1, []string{"t:3:1: warning: record has no title (TI)"}},
		{"empty", "", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse("t", []byte(tt.src))
			if n := len(f.Entries()); n != tt.entries {
				t.Errorf("%d entries, want %d", n, tt.entries)
			}
			for _, e := range f.Entries() {
				if a := e.Get("abstract"); len(a) > maxValue {
					t.Errorf("an abstract of %d bytes", len(a))
				}
			}
			var got []string
			for _, p := range f.Problems {
				if !strings.Contains(p.Msg, "no title") || tt.name == "no title" {
					got = append(got, p.Error())
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"PMID- 8692918\nOWN - NLM\n", true},
		{"\ufeff\n\nPMID- 1\n", true},
		{"OWN - ERIC\nTI  - x\n", true},
		{"TY  - JOUR\nTI  - x\nER  - \n", false},
		{"@article{x, title={PMID- 1}}", false},
		{"a\nb\nc\nd\ne\nf\nPMID- 1\n", false},
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
		if strings.HasSuffix(p.Name(), ".nbib") {
			src, err := os.ReadFile("testdata/" + p.Name())
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	f.Add([]byte("PMID- 1\nFAU - , \nCN  - }{\nDP  - 2019 Dec-2020 Jan\nPG  - 9-1\n"))
}

// anyTagLine finds a line of a MEDLINE tag anywhere in a file.
var anyTagLine = regexp.MustCompile(`(?m)^[A-Z0-9]{1,5} *-(?: |$)`)

func FuzzParse(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		file := Parse("f", src)
		for _, e := range file.Entries() {
			if e.Line < 1 {
				t.Fatalf("entry line %d", e.Line)
			}
			for _, fl := range e.Fields {
				if !bib.Balanced(fl.Raw) {
					t.Fatalf("field %s = %q does not balance", fl.Name, fl.Raw)
				}
			}
		}
		if anyTagLine.Match(src) && len(file.Entries()) == 0 {
			t.Fatal("a tag line and no entry")
		}
	})
}

func FuzzDetect(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		if Detect(src) && !Detect(append(src[:len(src):len(src)], "\n\nmore"...)) {
			t.Fatal("Detect changed with text after the start")
		}
	})
}

// TestUTF16: a file saved as UTF-16 was taken for a BibTeX file without entries.
func TestUTF16(t *testing.T) {
	for _, enc := range []encoding.Encoding{unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), unicode.UTF16(unicode.BigEndian, unicode.UseBOM)} {
		src, err := enc.NewEncoder().Bytes([]byte("PMID- 1\nTI  - Über alles\n\nPMID- 2\nTI  - B\n"))
		if err != nil {
			t.Fatal(err)
		}
		if !Detect(src) {
			t.Errorf("not detected: % x", src[:8])
		}
		f := Parse("u.nbib", src)
		if es := f.Entries(); len(es) != 2 || es[0].Get("title") != "Über alles" ||
			len(f.Problems) == 0 || f.Problems[0].Msg != "the file is UTF-16 (it starts with a byte-order mark): read as such" {
			t.Errorf("%d entries, problems %v", len(es), f.Problems)
		}
	}
}
