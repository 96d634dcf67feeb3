package storage

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/google/go-cmp/cmp"
)

// bibFile is a .bib file a test imports.
type bibFile struct{ name, text string }

// importFiles imports files, in order, into a new library.
func importFiles(t *testing.T, files ...bibFile) *Library {
	t.Helper()
	l := mustOpen(t)
	for _, f := range files {
		if _, err := l.Import(context.Background(), bib.Parse(f.name, []byte(f.text))); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// exportText exports with opts and returns the text and the warnings.
func exportText(t *testing.T, l *Library, opts ExportOptions) (string, []string) {
	t.Helper()
	var buf bytes.Buffer
	var warned []string
	opts.Warn = func(key, msg string) { warned = append(warned, key+": "+msg) }
	if _, err := l.Export(context.Background(), &buf, opts); err != nil {
		t.Fatal(err)
	}
	return buf.String(), warned
}

// readBy returns the fields bibtex reads from a .bib text, entry by entry (see bibtest.Blocks),
// with the dump style made for the texts of files and of the export.
func readBy(t *testing.T, text string, files []bibFile) map[string]string {
	t.Helper()
	bibtest.NeedBibtex(t)
	var texts [][]byte
	var parsed []*bib.File
	for _, f := range files {
		texts = append(texts, []byte(f.text))
		parsed = append(parsed, bib.Parse(f.name, []byte(f.text)))
	}
	bst := bibtest.DumpStyleOf(append(texts, []byte(text)), parsed)
	dump, err := bibtest.Dump([]byte(text), bst)
	if err != nil {
		t.Fatal(err)
	}
	return bibtest.Blocks(dump)
}

// TestExportReadsAsEachFile imports files whose @string macros clash, and checks that bibtex
// reads every entry of the export as it reads the entry in its own file.
func TestExportReadsAsEachFile(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []bibFile
	}{
		{"two files, one macro name, two values", []bibFile{
			{"A.bib", "@string{jn = \"Journal A\"}\n@article{a1, journal = jn, title = {A1}}\n@article{a2, journal = jn # \" Letters\"}\n"},
			{"B.bib", "@string{jn = \"Journal B\"}\n@article{b1, journal = jn, title = {B1}}\n"},
		}},
		{"a file that redefines a macro half way", []bibFile{
			{"A.bib", "@string{pub = {First}}\n@book{a1, publisher = pub}\n@string{pub = {Second}}\n@book{a2, publisher = pub}\n"},
		}},
		{"macros defined with macros", []bibFile{
			{"A.bib", "@string{acm = \"ACM\"}\n@string{tods = acm # \" Trans. Database Syst.\"}\n@article{a1, journal = tods}\n@string{acm = \"Association\"}\n@article{a2, journal = tods # \" / \" # acm}\n"},
			{"B.bib", "@string{tods = \"TODS\"}\n@string{acm = \"A.C.M.\"}\n@article{b1, journal = tods # acm}\n"},
		}},
		{"a macro one file leaves undefined and another defines", []bibFile{
			{"A.bib", "@string{ed = {Edited}}\n@book{a1, note = ed}\n"},
			{"B.bib", "@book{b1, note = ed # {!}}\n"},
		}},
		{"a month one file redefines", []bibFile{
			{"A.bib", "@string{mar = {march}}\n@article{a1, month = mar, year = 2020}\n"},
			{"B.bib", "@article{b1, month = mar, year = 2021}\n@article{b2, month = mar # {~1}}\n"},
		}},
		{"a broken entry before another file's entries", []bibFile{
			{"A.bib", "@article{a1, title = {A1}\n@article{a2, title = {A2}}\n"},
			{"B.bib", "@article{b1, title = {B1}}\n@article{b2, title = {B2}}\n"},
		}},
		{"an entry broken by an unclosed brace", []bibFile{
			{"A.bib", "@article{a1, author = {X}, title = {A1\n"},
			{"B.bib", "@article{b1, title = {B1}}\n"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := importFiles(t, tc.files...)
			want := map[string]string{}
			for _, f := range tc.files {
				for k, v := range readBy(t, f.text, tc.files) {
					want[k] = v
				}
			}
			for _, reformat := range []bool{false, true} {
				text, _ := exportText(t, l, ExportOptions{WriteOptions: bib.WriteOptions{Reformat: reformat}})
				got := readBy(t, text, tc.files)
				// The library may hold entries bibtex did not read from a file (the parser
				// goes on after a syntax error where bibtex gives up): those are not compared.
				for k := range got {
					if _, ok := want[k]; !ok {
						delete(got, k)
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("reformat %v: bibtex reads (-files +export):\n%s\nexport:\n%s", reformat, diff, text)
				}
			}
		})
	}
}

// TestExportHoldsWhatItsEntriesNeed checks that an export holds the @string and @preamble items
// of its entries' files that they need, and nothing of other files.
func TestExportHoldsWhatItsEntriesNeed(t *testing.T) {
	l := importFiles(t,
		bibFile{"texbook.bib", "@preamble{\"\\input bibnames.sty\"}\n@string{tub = \"TUGboat\"}\n@string{unused = \"Unused\"}\n@article{knuth, journal = tub, title = {T}}\n"},
		bibFile{"mine.bib", "@preamble{\"\\newcommand{\\noopsort}[1]{}\"}\n@string{jml = {J. Mach. Learn.}}\n@article{mine, journal = jml, year = {{\\noopsort{a}}2020}}\n@article{plain, title = {Plain}}\n"},
	)
	for _, tc := range []struct {
		name string
		opts ExportOptions
		want string
	}{
		{"one entry", ExportOptions{Keys: []string{"mine"}}, `@preamble{"\newcommand{\noopsort}[1]{}"}

@string{jml = {J. Mach. Learn.}}

@article{mine, journal = jml, year = {{\noopsort{a}}2020}}
`},
		{"an entry without macros", ExportOptions{Keys: []string{"plain"}}, `@preamble{"\newcommand{\noopsort}[1]{}"}

@article{plain, title = {Plain}}
`},
		{"the library", ExportOptions{}, `@preamble{"\input bibnames.sty"}

@string{tub = "TUGboat"}

@preamble{"\newcommand{\noopsort}[1]{}"}

@string{jml = {J. Mach. Learn.}}

@article{knuth, journal = tub, title = {T}}

@article{mine, journal = jml, year = {{\noopsort{a}}2020}}

@article{plain, title = {Plain}}
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, warned := exportText(t, l, tc.opts)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("export (-want +got):\n%s", diff)
			}
			if len(warned) > 0 {
				t.Errorf("warnings: %q", warned)
			}
		})
	}
}

// TestExportBrokenForBiber checks an entry that bibtex reads with an error, at a % comment
// inside it, which biber reads whole: the BibLaTeX export writes what biber reads, the others
// what bibtex reads; each with a warning. Where biber's reading names a macro that bibtex's does
// not, whose definition the export does not have, the BibLaTeX export writes bibtex's reading.
func TestExportBrokenForBiber(t *testing.T) {
	l := importFiles(t, bibFile{"x.bib", "@book{gxd1,\n  author = {A}, % picks one\n  title = {T}\n}\n\n" +
		"@string{pub = {P}}\n@book{m, author = {A}, % one\n publisher = pub}\n"})
	for _, tc := range []struct {
		name, want string
		warnings   []string
	}{
		{"as written", "@book{gxd1,\n  author = {A},\n}\n\n@book{m,\n  author = {A},\n}\n", []string{
			"gxd1: was read with a syntax error: written with the 1 fields read before it",
			"m: was read with a syntax error: written with the 1 fields read before it"}},
		{"biblatex", "@book{gxd1,\n  author = {A},\n  title = {T},\n}\n\n@book{m,\n  author = {A},\n}\n", []string{
			"gxd1: was read with a syntax error by bibtex (a % comment inside it): written with the 2 fields biber reads",
			"m: was read with a syntax error: written with the 1 fields read before it"}},
	} {
		opts := ExportOptions{}
		if tc.name == "biblatex" {
			opts.Dialect = bib.BibLaTeX
		}
		got, warned := exportText(t, l, opts)
		if got != tc.want || !slices.Equal(warned, tc.warnings) {
			t.Errorf("%s: got %q, warnings %q", tc.name, got, warned)
		}
	}
}

// TestExportDefinesAgain checks the text of an export whose files give a macro two values: the
// second value is defined again right before the entry that needs it, and the first again after.
func TestExportDefinesAgain(t *testing.T) {
	l := importFiles(t,
		bibFile{"A.bib", "@string{jn = \"Journal A\"}\n\n@article{a1, journal = jn}\n"},
		bibFile{"B.bib", "@string{jn = \"Journal B\"}\n\n@article{b1, journal = jn}\n"},
		bibFile{"C.bib", "@string{jn = {Journal A}}\n@article{c1, journal = jn}\n@article{c2, journal = undefinedhere}\n"},
	)
	got, _ := exportText(t, l, ExportOptions{})
	want := `@string{jn = "Journal A"}

@article{a1, journal = jn}

@string{jn = "Journal B"}

@article{b1, journal = jn}

@string{jn = {Journal A}}

@article{c1, journal = jn}

@article{c2, journal = undefinedhere}
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("export (-want +got):\n%s", diff)
	}
	// A file that is exported alone comes back as it was, @string items at the top.
	got, _ = exportText(t, l, ExportOptions{Keys: []string{"b1"}})
	if want := "@string{jn = \"Journal B\"}\n\n@article{b1, journal = jn}\n"; got != want {
		t.Errorf("export of b1 = %q, want %q", got, want)
	}
}

// TestEditKeepsMacros checks that an entry edited in the window keeps reading its macros as
// its file defined them, and that a macro name typed into a new entry reads the library's.
func TestEditKeepsMacros(t *testing.T) {
	ctx := context.Background()
	l := importFiles(t,
		bibFile{"A.bib", "@string{jn = \"Journal A\"}\n@article{a1, journal = jn, title = {A1}}\n"},
		bibFile{"B.bib", "@string{jn = \"Journal B\"}\n@article{b1, journal = jn, title = {B1}}\n"},
	)
	e, err := l.Entry(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Set("title", "Edited"); err != nil {
		t.Fatal(err)
	}
	if err := l.UpdateEntry(ctx, "a1", e); err != nil {
		t.Fatal(err)
	}
	n := &bib.Entry{Type: "article", Key: "new", Fields: []bib.Field{{Name: "journal", Raw: "jn", Value: "jn"}}}
	if _, err := l.AddEntry(ctx, n, ""); err != nil {
		t.Fatal(err)
	}
	text, _ := exportText(t, l, ExportOptions{})
	got := readBy(t, text, nil)
	for key, journal := range map[string]string{"a1": "Journal A", "b1": "Journal B", "new": "Journal B"} {
		if !strings.Contains(got[key], "journal = {"+journal+"}") {
			t.Errorf("%s reads %q, want journal %q; export:\n%s", key, got[key], journal, text)
		}
	}
}

// TestMigrateToSources opens a library as schema version 7 left it, with a @string and a
// @preamble kept library-wide, with today's release: its entries export as before (after every
// such item), and the entries of a file imported afterwards that gives the macro another value
// read their own.
func TestMigrateToSources(t *testing.T) {
	ctx := context.Background()
	old, err := open(ctx, filepath.Join(t.TempDir(), "v7.sqlite"), 7, false)
	if err != nil {
		t.Fatal(err)
	}
	oldFile := bibFile{"old.bib", "@preamble{\"\\def\\old{}\"}\n@string{jn = \"Old Journal\"}\n@article{old1, journal = jn, title = {Old}}\n"}
	for _, it := range bib.Parse(oldFile.name, []byte(oldFile.text)).Items {
		switch it.Kind {
		case bib.KindString, bib.KindPreamble:
			if _, err := old.db.Exec(`INSERT INTO items (kind, name, source, origin) VALUES (?, ?, ?, 'old.bib:1')`,
				it.Kind.String(), it.Name, it.Raw); err != nil {
				t.Fatal(err)
			}
		case bib.KindEntry:
			row := entryRow(it.Entry)
			res, err := old.db.Exec(`INSERT INTO entries (key, type, `+rowColumns+`, origin, created, modified)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'old.bib:3', 0, 0)`, append([]any{it.Entry.Key, it.Entry.Type}, row[:rowValues]...)...)
			if err != nil {
				t.Fatal(err)
			}
			id, _ := res.LastInsertId()
			if _, err := old.db.Exec(`INSERT INTO entry_text (id, `+textColumns+`) VALUES (?, ?, ?, ?)`,
				append([]any{id}, row[rowValues:]...)...); err != nil {
				t.Fatal(err)
			}
		}
	}
	l := upgrade(t, old)
	checkIntegrity(t, l)
	text, _ := exportText(t, l, ExportOptions{})
	if want := "@string{jn = \"Old Journal\"}\n\n@preamble{\"\\def\\old{}\"}\n\n@article{old1, journal = jn, title = {Old}}\n"; text != want {
		t.Errorf("export after the upgrade = %q, want %q", text, want)
	}
	newFile := bibFile{"new.bib", "@string{jn = \"New Journal\"}\n@article{new1, journal = jn}\n"}
	if _, err := l.Import(ctx, bib.Parse(newFile.name, []byte(newFile.text))); err != nil {
		t.Fatal(err)
	}
	text, _ = exportText(t, l, ExportOptions{})
	got := readBy(t, text, []bibFile{oldFile, newFile})
	for key, journal := range map[string]string{"old1": "Old Journal", "new1": "New Journal"} {
		if !strings.Contains(got[key], "journal = {"+journal+"}") {
			t.Errorf("%s reads %q, want journal %q; export:\n%s", key, got[key], journal, text)
		}
	}
	// The new file's entry alone has only its own @string.
	text, _ = exportText(t, l, ExportOptions{Keys: []string{"new1"}})
	if want := "@string{jn = \"New Journal\"}\n\n@article{new1, journal = jn}\n"; text != want {
		t.Errorf("export of new1 = %q, want %q", text, want)
	}
}

// TestCrossrefAcrossFiles checks what TestWholeCorpusLibrary lists as a known difference: an
// entry whose crossref names a key its own file lacks (bibtex reads a bad cross reference)
// inherits, in an export of a library that also holds a file with that key, from that entry,
// as bibtex does when both files are given to it (\bibliography{papers,proceedings}).
func TestCrossrefAcrossFiles(t *testing.T) {
	papers := bibFile{"papers.bib", "@inproceedings{p1, title = {A Paper}, crossref = {conf2001}}\n"}
	proceedings := bibFile{"proceedings.bib", "@proceedings{conf2001, title = {Conference}, booktitle = {Conference}, year = 2001}\n"}
	l := importFiles(t, papers, proceedings)
	text, _ := exportText(t, l, ExportOptions{})
	got := readBy(t, text, []bibFile{papers, proceedings})
	both := readBy(t, papers.text+"\n"+proceedings.text, []bibFile{papers, proceedings})
	if got["p1"] != both["p1"] || !strings.Contains(got["p1"], "year = {2001}") {
		t.Errorf("p1 reads %q from the export, %q from both files together", got["p1"], both["p1"])
	}
}
