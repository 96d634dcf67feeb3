package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/google/go-cmp/cmp"
)

const sampleBib = "../../assets/sample-library.bib"

// bibshelf runs the command line in-process and returns its exit status and output.
func bibshelf(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	st := run(args, strings.NewReader(stdin), &out, &errOut)
	return st, out.String(), errOut.String()
}

func TestImportExportSearch(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	st, out, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib)
	if st != 0 || out != "imported 56, skipped 0 duplicates, merged 0, rejected 0\n" || errOut != "" {
		t.Fatalf("import: %d %q %q", st, out, errOut)
	}

	st, out, _ = bibshelf(t, "", "search", "--library", lib, "--limit", "2", "representation")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if st != 0 || len(lines) != 2 || len(strings.Split(lines[0], "\t")) != 4 {
		t.Fatalf("search: %d %q", st, out)
	}
	st, out, _ = bibshelf(t, "", "search", "--library", lib, "pointer", "networks")
	if want := "vinyals2015pointer\t2015\tVinyals\tPointer Networks\n"; st != 0 || out != want {
		t.Errorf("search: %d %q, want %q", st, out, want)
	}

	exported := filepath.Join(t.TempDir(), "out.bib")
	if st, _, errOut := bibshelf(t, "", "export", "--library", lib, "-o", exported); st != 0 {
		t.Fatalf("export: %d %s", st, errOut)
	}
	got, _ := os.ReadFile(exported)
	orig, _ := os.ReadFile(sampleBib)
	if string(got) != string(orig) {
		t.Errorf("export of an untouched import differs from the original file (%d vs %d bytes)", len(got), len(orig))
	}

	st, out, _ = bibshelf(t, "", "export", "--library", lib, "--keys", "zhang2023noisy, BARKAN2025BEE", "--by-key")
	if st != 0 || strings.Index(out, "@inproceedings{barkan2025bee,") > strings.Index(out, "@inproceedings{zhang2023noisy,") || strings.Count(out, "\n@") != 1 {
		t.Errorf("export --keys --by-key: %d\n%.300s", st, out)
	}

	st, out, _ = bibshelf(t, "", "export", "--library", lib, "--query", "pointer networks", "--format", "biblatex")
	if st != 0 || !strings.HasPrefix(out, "@inproceedings{vinyals2015pointer,\n") || !strings.Contains(out, "  date = {2015},\n") || strings.Count(out, "@") != 1 {
		t.Errorf("biblatex export: %d\n%s", st, out)
	}
}

func TestExportModes(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	src := "@Article{g,  Author = \"Kurt Gödel\", Title = \"Über {S}ätze – eine Übersicht\", Year = 1931,\n" +
		"  url = {https://example.org/Gödel_ü}}\n"
	if st, _, errOut := bibshelf(t, src, "import", "--library", lib, "-"); st != 0 {
		t.Fatal(errOut)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, src},
		{[]string{"--reformat"}, "@article{g,\n  author = {Kurt Gödel},\n  title = {Über {S}ätze – eine Übersicht},\n  year = {1931},\n  url = {https://example.org/Gödel_ü},\n}\n"},
		{[]string{"--ascii"}, "@article{g,\n  author = {Kurt G{\\\"o}del},\n  title = {{\\\"U}ber {S}{\\\"a}tze -- eine {\\\"U}bersicht},\n  year = {1931},\n  url = {https://example.org/Gödel_ü},\n}\n"},
	} {
		st, out, errOut := bibshelf(t, "", append([]string{"export", "--library", lib}, tt.args...)...)
		if st != 0 || errOut != "" {
			t.Errorf("export %v: %d %s", tt.args, st, errOut)
		}
		if diff := cmp.Diff(tt.want, out); diff != "" {
			t.Errorf("export %v (-want +got):\n%s", tt.args, diff)
		}
	}
}

func TestImportReportsProblems(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	stdin := "@article{ok, title = {Fine}}\n@article{bad, title = {Unclosed\n@misc{ok, note = {same key}}\n"
	st, out, errOut := bibshelf(t, stdin, "import", "--library", lib, "-")
	if st != 1 {
		t.Errorf("exit status = %d, want 1: an entry was rejected", st)
	}
	if out != "imported 3, skipped 0 duplicates, merged 0, rejected 1; 1 imported under another key (see the warnings)\n" {
		t.Errorf("summary = %q", out)
	}
	want := `<stdin>:2:23: unbalanced braces: '{' opened here is never closed; the entry is kept with the 0 fields before the error (entry "bad")
<stdin>:3:1: warning: imported as "oka" (the entry "ok" of line 1, which bibtex reads under this key, is another paper) (entry "ok")
`
	if diff := cmp.Diff(want, errOut); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestUsage(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	for _, tt := range []struct {
		args   []string
		status int
	}{
		{[]string{"frobnicate"}, 2},
		{[]string{"import", "--library", lib}, 2},
		{[]string{"import", "--no-such-flag"}, 2},
		{[]string{"export", "--library", lib, "--format", "word"}, 2},
		{[]string{"export", "--library", lib, "extra"}, 2},
		{[]string{"import", "--library", lib, "--duplicates", "maybe", "x.bib"}, 2},
		{[]string{"search", "--library", lib}, 2},
		{[]string{"--size", "huge"}, 2},
		{[]string{"import", "--library", lib, "/no/such/file.bib"}, 1},
		{[]string{"help"}, 0},
		{[]string{"--help"}, 0},
		{[]string{"import", "--help"}, 0},
		{[]string{"export", "--help"}, 0},
		{[]string{"search", "-h"}, 0},
	} {
		if st, _, _ := bibshelf(t, "", tt.args...); st != tt.status {
			t.Errorf("bibshelf %s: exit %d, want %d", strings.Join(tt.args, " "), st, tt.status)
		}
	}
}

func TestLibraryFromEnvironment(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "env.sqlite")
	t.Setenv("BIBSHELF_LIBRARY", lib)
	if st, _, errOut := bibshelf(t, "@misc{x, title = {T}}", "import", "-"); st != 0 {
		t.Fatalf("import: %s", errOut)
	}
	if _, err := os.Stat(lib); err != nil {
		t.Errorf("BIBSHELF_LIBRARY not used: %v", err)
	}
}

// TestNoLocaleNoise runs this test binary again in the C.UTF-8 locale, as a script in a Debian
// container would run bibshelf: Fyne must not log that it cannot parse the locale (see
// internal/locale).
func TestNoLocaleNoise(t *testing.T) {
	if os.Getenv("BIBSHELF_LOCALE_CHILD") != "" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoLocaleNoise$", "-test.v")
	cmd.Env = append(os.Environ(), "BIBSHELF_LOCALE_CHILD=1", "LC_ALL=", "LC_MESSAGES=", "LANGUAGE=", "LANG=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS") || strings.Contains(string(out), "locale") {
		t.Errorf("in the C.UTF-8 locale, the program printed:\n%s", out)
	}
}

// TestImportInterrupted imports a large file with a context that Ctrl+C has cancelled: nothing
// of it is imported, it says so, and the exit status is the shell's for an interrupt.
func TestImportInterrupted(t *testing.T) {
	dir := t.TempDir()
	var src strings.Builder
	if err := bibtest.Synthetic(&src, 3000, 7); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "big.bib")
	if err := os.WriteFile(path, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dir, "lib.sqlite")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	st := runImport(ctx, []string{"--library", lib, path}, strings.NewReader(""), &out, &errOut)
	if st != exitInterrupted || !strings.Contains(errOut.String(), "big.bib: interrupted: nothing of it was imported") {
		t.Fatalf("status %d, stderr:\n%s", st, errOut.String())
	}
	if st, out, _ := bibshelf(t, "", "search", "--library", lib, "--limit", "5", ""); st != exitOK || out != "" {
		t.Errorf("after the interrupted import the library lists (status %d):\n%s", st, out)
	}
}

// TestSearchIndexesWhatTheWindowLeft opens a library whose last import was left to be indexed
// for search (the window indexes a large import after it, and may be closed first): search and
// export --query index it before they look.
func TestSearchIndexesWhatTheWindowLeft(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lib.sqlite")
	lib, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 700, 2); err != nil {
		t.Fatal(err)
	}
	entries := bib.Parse("w.bib", src.Bytes()).Entries()
	if _, err := lib.ImportWith(ctx, bib.Parse("w.bib", src.Bytes()), storage.ImportOptions{IndexLater: true}); err != nil {
		t.Fatal(err)
	}
	if n, err := lib.PendingSearch(ctx); n != 700 || err != nil {
		t.Fatalf("PendingSearch = %d, %v", n, err)
	}
	lib.Close()

	key := entries[699].Key
	q := strings.Fields(bib.Plain(entries[699].Get("title")))[0] + " key:" + key // a word needs the index
	st, out, errOut := bibshelf(t, "", "export", "--library", path, "--query", q)
	if st != exitOK || !strings.Contains(out, "{"+key+",") {
		t.Errorf("export --query %q: %d %q %s", q, st, out, errOut)
	}
	st, out, errOut = bibshelf(t, "", "search", "--library", path, "key:"+entries[3].Key)
	if st != exitOK || !strings.HasPrefix(out, entries[3].Key+"\t") {
		t.Errorf("search key:%s: %d %q %s", entries[3].Key, st, out, errOut)
	}
}

// TestImportJSON checks that import --json lists, for scripts, the keys the library gave entries
// whose keys other papers had.
func TestImportJSON(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.bib"), filepath.Join(dir, "b.bib")
	os.WriteFile(a, []byte("@article{smith2019, title = {One}}\n"), 0o644)
	os.WriteFile(b, []byte("@article{smith2019, title = {One}}\n\n@book{smith2019x, title = {X}}\n@book{Smith2019, title = {Two}}\n"), 0o644)
	st, out, _ := bibshelf(t, "", "import", "--library", lib, "--json", a, b)
	if st != 0 {
		t.Fatalf("exit status = %d", st)
	}
	var rep struct {
		Imported, Duplicates int
		Added                []string
		Keys                 []map[string]any
		Problems             []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := []map[string]any{{"file": b, "line": 4.0, "old": "Smith2019", "new": "Smith2019a", "existing": "smith2019", "in_file": true, "duplicate": false}}
	if rep.Imported != 3 || rep.Duplicates != 1 || !cmp.Equal(want, rep.Keys) {
		t.Errorf("report = %+v; want 3 imported, 1 duplicate, keys %v", rep, want)
	}
	if !cmp.Equal(rep.Added, []string{"smith2019", "smith2019x", "Smith2019a"}) {
		t.Errorf("added = %v", rep.Added)
	}
	if len(rep.Problems) != 2 || rep.Problems[1]["severity"] != "warning" || rep.Problems[1]["line"] != 4.0 {
		t.Errorf("problems = %v", rep.Problems)
	}
}

// TestImportNoEntries: a file with no BibTeX entries said "imported 0" and exited 0. The parse's
// error is in the import's report, which the window shows too, and import exits 1. A .bib file
// is read as BibTeX whatever it holds, so RIS in it is such a file; a .ris file is read as RIS.
func TestImportNoEntries(t *testing.T) {
	dir := t.TempDir()
	src := "TY  - JOUR\nTI  - A title\nAU  - Gödel, Kurt\nER  - \n"
	misnamed, ris := filepath.Join(dir, "refs.bib"), filepath.Join(dir, "refs.ris")
	for _, p := range []string{misnamed, ris} {
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lib := filepath.Join(dir, "lib.sqlite")
	st, out, errOut := bibshelf(t, "", "import", "--library", lib, misnamed)
	if st != exitRejected || out != "imported 0, skipped 0 duplicates, merged 0, rejected 1\n" ||
		errOut != misnamed+":1:1: no BibTeX entries: the file looks like RIS (TY  - lines), which is imported as RIS when its name does not end in .bib\n" {
		t.Errorf("import of RIS in a .bib file: status %d, %q, %q", st, out, errOut)
	}
	st, out, errOut = bibshelf(t, "", "import", "--library", lib, ris)
	if st != exitOK || out != "imported 1, skipped 0 duplicates, merged 0, rejected 0\n" {
		t.Errorf("import of a RIS file: status %d, %q, %q", st, out, errOut)
	}
	st, out, errOut = bibshelf(t, "Nothing here.\n", "import", "--library", lib, "-")
	if st != exitRejected || !strings.HasPrefix(errOut, "<stdin>:1:1: no BibTeX entries: ") {
		t.Errorf("import of text: status %d, %q, %q", st, out, errOut)
	}
	// The window imports through the same report.
	l, err := storage.Open(context.Background(), lib)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rep, err := l.ImportReader(context.Background(), bib.NewReader(misnamed, src), storage.ImportOptions{})
	if err != nil || rep.Rejected != 1 || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Msg, "RIS") {
		t.Errorf("report %+v, %v", rep, err)
	}
}

// TestImportUnseenKey: an entry whose key has a control character is imported with a key made
// for it, as an entry without a key is, and both steps are reported.
func TestImportUnseenKey(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	st, out, errOut := bibshelf(t, "@misc{a\x00b,\n  author = {Kurt Gödel}, year = 1931, title = {T}}\n", "import", "--library", lib, "-")
	want := "<stdin>:1:7: warning: citation key \"a\\x00b\" has a character that can be neither typed nor cited: the entry is read as having no key\n" +
		"<stdin>:1:1: warning: entry had no key: it was given one (entry \"Godel1931\")\n"
	if st != exitOK || out != "imported 1, skipped 0 duplicates, merged 0, rejected 0\n" || errOut != want {
		t.Errorf("status %d, %q\n%s", st, out, errOut)
	}
	if st, out, _ := bibshelf(t, "", "search", "--library", lib, "key:godel1931"); st != exitOK || !strings.HasPrefix(out, "Godel1931\t1931\t") {
		t.Errorf("search: %d %q", st, out)
	}
}

// TestSearchDashQuery: a query that starts with - (an exclusion, in the query language) was
// taken for an unknown option. Search takes an argument that is not one of its options as part
// of the query, and every argument after --.
func TestSearchDashQuery(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib); st != exitOK {
		t.Fatal(errOut)
	}
	const hit = "vinyals2015pointer\t2015\tVinyals\tPointer Networks\n"
	for _, tt := range []struct {
		args   []string
		status int
		out    string
	}{
		{[]string{"--library", lib, "-wasserstein", "pointer", "networks"}, exitOK, hit},
		{[]string{"-wasserstein", "--library", lib, "pointer", "-tag:old", "networks"}, exitOK, hit},
		{[]string{"--library=" + lib, "-year:2019", "--limit", "1", "pointer"}, exitOK, hit},
		{[]string{"--library", lib, "--", "-wasserstein", "pointer", "--limit", "networks"}, exitOK, hit},
		{[]string{"--library", lib, "-pointer", "pointer"}, exitOK, ""},
		{[]string{"--library", lib, "--limit"}, exitUsage, ""},
		{[]string{"--library", lib, "--"}, exitUsage, ""},
		{[]string{"--library", lib, "-h"}, exitOK, ""},
	} {
		st, out, errOut := bibshelf(t, "", append([]string{"search"}, tt.args...)...)
		if st != tt.status || out != tt.out {
			t.Errorf("search %q: status %d, %q, want %d, %q\n%s", tt.args, st, out, tt.status, tt.out, errOut)
		}
	}
}

// TestSearchOutputSafe: search printed titles and authors as they were, escape sequences and
// all, onto the terminal. Control characters and direction overrides come out as U+FFFD, white
// space as a space.
func TestSearchOutputSafe(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	src := "@misc{evil, author = {Mallory\x07 \x1b]0;owned\x07}, year = {20\x1b[2J25}, " +
		"title = {Red \x1b[31mtext\x1b[0m,\ttab and \u202eright to left\u2066 \u0085next}}\n"
	if st, _, errOut := bibshelf(t, src, "import", "--library", lib, "-"); st != exitOK {
		t.Fatal(errOut)
	}
	st, out, _ := bibshelf(t, "", "search", "--library", lib, "key:evil")
	want := "evil\t20\ufffd[2J25\t\ufffd]0;owned\ufffd\tRed \ufffd[31mtext\ufffd[0m, tab and \ufffdright to left\ufffd \ufffdnext\n"
	if st != exitOK || out != want {
		t.Errorf("status %d\n got %q\nwant %q", st, out, want)
	}
}

// TestImportOtherFormats: import reads PubMed's MEDLINE text from standard input and an EndNote
// XML file by its content, whatever the name says.
func TestImportOtherFormats(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	nbib, err := os.ReadFile(filepath.Join("..", "..", "bib", "medline", "testdata", "zotero-3-doi.nbib"))
	if err != nil {
		t.Fatal(err)
	}
	st, out, errOut := bibshelf(t, string(nbib), "import", "--library", lib, "--json", "-")
	var rep struct{ Imported int }
	if err := json.Unmarshal([]byte(out), &rep); st != 0 || err != nil || rep.Imported != 1 {
		t.Fatalf("import of MEDLINE text: status %d, %s, %q", st, out, errOut)
	}
	xmls, _ := filepath.Glob(filepath.Join("..", "..", "bib", "endnote", "testdata", "*.xml"))
	if len(xmls) == 0 {
		t.Fatal("no EndNote XML test file")
	}
	renamed := filepath.Join(t.TempDir(), "export.txt")
	src, err := os.ReadFile(xmls[0])
	if err == nil {
		err = os.WriteFile(renamed, src, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	st, out, errOut = bibshelf(t, "", "import", "--library", lib, "--json", renamed)
	if err := json.Unmarshal([]byte(out), &rep); st != 0 || err != nil || rep.Imported == 0 {
		t.Fatalf("import of EndNote XML: status %d, %s, %q", st, out, errOut)
	}
	l, err := storage.Open(context.Background(), lib)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rows, err := l.Search(context.Background(), "has:doi", 0, 10)
	if err != nil || len(rows) == 0 {
		t.Errorf("no entry with a DOI after the imports: %v, %v", rows, err)
	}
}

// TestExportOtherFormats: export writes RIS and CSL-JSON, and import reads them back as the
// same entries.
func TestExportOtherFormats(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.sqlite")
	src := "@string{nips = {Advances in Neural Information Processing Systems}}\n" +
		"@inproceedings{vinyals2015pointer, title = {Pointer Networks}, author = {Vinyals, Oriol and Fortunato, Meire}, booktitle = nips, year = 2015, pages = {2692--2700}}\n"
	in := filepath.Join(dir, "in.bib")
	if err := os.WriteFile(in, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, in); st != 0 {
		t.Fatalf("import: %d %s", st, errOut)
	}
	for _, tt := range []struct{ format, file, want string }{
		{"ris", "out.ris", "T2  - Advances in Neural Information Processing Systems"},
		{"csl-json", "out.json", `"container-title": "Advances in Neural Information Processing Systems"`},
	} {
		out := filepath.Join(dir, tt.file)
		if st, _, errOut := bibshelf(t, "", "export", "--library", lib, "--format", tt.format, "-o", out); st != 0 {
			t.Fatalf("export --format %s: %d %s", tt.format, st, errOut)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), tt.want) {
			t.Errorf("export --format %s wrote\n%s\nwithout %s", tt.format, b, tt.want)
		}
		again := filepath.Join(dir, tt.format+".sqlite")
		st, outText, errOut := bibshelf(t, "", "import", "--library", again, "--json", out)
		var rep struct{ Imported int }
		if err := json.Unmarshal([]byte(outText), &rep); st != 0 || err != nil || rep.Imported != 1 {
			t.Fatalf("import of the %s export: %d %s %s", tt.format, st, outText, errOut)
		}
		l, err := storage.Open(context.Background(), again)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := l.Search(context.Background(), "pointer", 0, 10)
		l.Close()
		if err != nil || len(rows) != 1 || rows[0].Year != "2015" {
			t.Errorf("the %s export read back: %+v, %v", tt.format, rows, err)
		}
	}
}

// TestLibraryBeforeVerb names the library before the verb, as the window's command line does:
// the verb takes it as its own --library.
func TestLibraryBeforeVerb(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	if st, out, errOut := bibshelf(t, "", "--library", lib, "import", sampleBib); st != exitOK || !strings.HasPrefix(out, "imported 56,") {
		t.Fatalf("--library LIB import: %d %q %q", st, out, errOut)
	}
	if st, out, errOut := bibshelf(t, "", "--library="+lib, "search", "--limit", "1", "pointer"); st != exitOK || !strings.Contains(out, "vinyals2015pointer") {
		t.Errorf("--library=LIB search: %d %q %q", st, out, errOut)
	}
	if st, out, errOut := bibshelf(t, "", "-library", lib, "export", "--keys", "vinyals2015pointer"); st != exitOK || !strings.HasPrefix(out, "@inproceedings{vinyals2015pointer,") {
		t.Errorf("-library LIB export: %d %q %q", st, out, errOut)
	}
	// A verb that takes no library says so; a word that is no verb is still a file for the window.
	if st, _, errOut := bibshelf(t, "", "--library", lib, "libraries"); st != exitUsage || !strings.Contains(errOut, "-library") {
		t.Errorf("--library LIB libraries: %d %q", st, errOut)
	}
	if st, _, errOut := bibshelf(t, "", "--library", lib, "serach", "x"); st != exitUsage || !strings.Contains(errOut, `unknown verb "serach"`) {
		t.Errorf("--library LIB serach: %d %q", st, errOut)
	}
}

// TestVerbsKnown: every verb libraryBeforeVerb knows, runVerb runs.
func TestVerbsKnown(t *testing.T) {
	for _, v := range verbs {
		if _, _, errOut := bibshelf(t, "", v, "--help"); strings.Contains(errOut, "unknown verb") {
			t.Errorf("%s: %s", v, errOut)
		}
	}
}
