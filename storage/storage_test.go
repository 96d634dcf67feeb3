package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/google/go-cmp/cmp"
)

// mustOpen opens a new library file in a temporary folder.
func mustOpen(tb testing.TB) *Library {
	tb.Helper()
	l, err := Open(context.Background(), filepath.Join(tb.TempDir(), "sub dir", "lib #1.sqlite"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

func sample(tb testing.TB) *bib.File {
	tb.Helper()
	src, err := os.ReadFile("../assets/sample-library.bib")
	if err != nil {
		tb.Fatal(err)
	}
	return bib.Parse("sample-library.bib", src)
}

func TestOpenMigratesOnce(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	latest := latestVersion(t)
	v, err := l.schemaVersion(ctx)
	if err != nil || v != latest {
		t.Fatalf("schema version = %d, %v; want %d", v, err, latest)
	}
	path := l.Path()
	l.Close()
	l2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer l2.Close()
	var n int
	if err := l2.db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != migrationCount(t) {
		t.Errorf("schema_migrations has %d rows (%v), want %d", n, err, migrationCount(t))
	}
	var mode string
	if err := l2.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
}

func TestImportSearchExport(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	rep, err := l.Import(ctx, sample(t))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 56 || rep.Duplicates != 0 || rep.Rejected != 0 {
		t.Fatalf("report = %+v, want 56 imported", rep)
	}
	if n, err := l.Count(ctx); n != 56 || err != nil {
		t.Fatalf("Count = %d, %v", n, err)
	}

	// Importing again skips every entry as a duplicate and adds nothing.
	rep, err = l.Import(ctx, sample(t))
	if err != nil || rep.Imported != 0 || rep.Duplicates != 56 || len(rep.Problems) != 56 {
		t.Fatalf("second import = %+v, %v; want 56 duplicates", rep, err)
	}

	rows, err := l.Search(ctx, "", 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{{Key: "zhang2023noisy", Type: "inproceedings", Year: "2023", FirstAuthor: "Zhang"}}
	got := []Row{{Key: rows[0].Key, Type: rows[0].Type, Year: rows[0].Year, FirstAuthor: rows[0].FirstAuthor}}
	if diff := cmp.Diff(want, got); diff != "" || len(rows) != 3 {
		t.Errorf("first row (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		query string
		keys  []string
	}{
		{"pointer networks", []string{"vinyals2015pointer"}},
		{"vinyals", []string{"vinyals2015pointer"}},
		{"VINYAL", []string{"vinyals2015pointer"}}, // prefix, any case
		{"", nil},
	} {
		rows, err := l.Search(ctx, tt.query, 0, 100)
		if err != nil {
			t.Errorf("Search(%q): %v", tt.query, err)
			continue
		}
		if tt.query == "" {
			if len(rows) != 56 {
				t.Errorf("empty query: %d rows, want 56", len(rows))
			}
			continue
		}
		var keys []string
		for _, r := range rows {
			keys = append(keys, r.Key)
		}
		if diff := cmp.Diff(tt.keys, keys); diff != "" {
			t.Errorf("Search(%q) (-want +got):\n%s", tt.query, diff)
		}
	}

	for _, q := range []string{`"`, `*`, `AND(`, `NEAR`, `a OR`, `"unbalanced`, strings.Repeat("word ", 2000)} {
		if _, err := l.Search(ctx, q, 0, 10); err != nil {
			t.Errorf("Search(%.20q) = %v: any text is a valid query", q, err)
		}
	}

	var buf bytes.Buffer
	n, err := l.Export(ctx, &buf, ExportOptions{})
	if err != nil || n != 56 {
		t.Fatalf("Export = %d, %v", n, err)
	}
	again := bib.Parse("export.bib", buf.Bytes())
	if len(again.Problems) != 0 || len(again.Entries()) != 56 {
		t.Fatalf("exported file: %d entries, problems %v", len(again.Entries()), again.Problems)
	}
	for i, e := range sample(t).Entries() {
		if again.Entries()[i].Source != e.Source {
			t.Errorf("entry %s is not byte for byte", e.Key)
		}
	}

	if _, err := l.Entry(ctx, "NO-SUCH-KEY"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Entry(missing) error = %v, want fs.ErrNotExist", err)
	}
	e, err := l.Entry(ctx, "VINYALS2015POINTER")
	if err != nil || e.Get("title") != "Pointer Networks" {
		t.Errorf("Entry = %+v, %v", e, err)
	}
}

func TestSearchFoldsAccentsAndLaTeX(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	f := bib.Parse("g.bib", []byte(`@article{g1, author = {Kurt G{\"o}del}, title = {{\"U}ber formal unentscheidbare S{\"a}tze}}
@article{g2, author = {Kurt Gödel}, title = {Second}}`))
	if _, err := l.Import(ctx, f); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"godel", "Gödel", `G{\"o}del`, "GODEL"} {
		rows, err := l.Search(ctx, q, 0, 10)
		if err != nil || len(rows) != 2 {
			t.Errorf("Search(%q) = %d rows, %v; want 2", q, len(rows), err)
		}
	}
	if rows, _ := l.Search(ctx, "uber satze", 0, 10); len(rows) != 1 || rows[0].Title != "Über formal unentscheidbare Sätze" {
		t.Errorf("Search(uber satze) = %+v", rows)
	}
}

func TestImportKeepsStringsAndReportsRejects(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	src := `@preamble{"\newcommand{\noopsort}[1]{}"}
@string{jml = {Journal of Machine Learning}}
@article{a, journal = jml, title = {A}}
@article{b, title = {B}
@article{c, title = {C}}
@article{A, title = {same key, other case}}
`
	rep, err := l.Import(ctx, bib.Parse("m.bib", []byte(src)))
	if err != nil {
		t.Fatal(err)
	}
	// b is broken, but BibTeX reads it with its title, so it is kept as written. A is another
	// paper with a's key (bibtex reads a): it is kept under a key of its own.
	if rep.Imported != 4 || rep.Rejected != 1 || rep.Duplicates != 0 {
		t.Errorf("report = %+v; want 4 imported, 1 rejected, no duplicate", rep)
	}
	if want := []KeyChange{{File: "m.bib", Line: 6, Old: "A", New: "Aa", Existing: "a", InFile: true}}; !cmp.Equal(want, rep.Renamed) {
		t.Errorf("renamed = %+v, want %+v", rep.Renamed, want)
	}
	// b's text, written as it is, would make bibtex read c as part of b: it is written from the
	// fields read before the error, with a warning.
	var buf bytes.Buffer
	var warned []string
	warn := func(key, msg string) { warned = append(warned, key+": "+msg) }
	if _, err := l.Export(ctx, &buf, ExportOptions{Warn: warn}); err != nil {
		t.Fatal(err)
	}
	want := `@preamble{"\newcommand{\noopsort}[1]{}"}

@string{jml = {Journal of Machine Learning}}

@article{a, journal = jml, title = {A}}

@article{b,
  title = {B},
}

@article{c, title = {C}}

@article{Aa, title = {same key, other case}}
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("export (-want +got):\n%s", diff)
	}
	if want := []string{"b: was read with a syntax error: written with the 1 fields read before it"}; !slices.Equal(warned, want) {
		t.Errorf("warnings = %q, want %q", warned, want)
	}
	if rows, _ := l.Search(ctx, "machine learning", 0, 10); len(rows) != 1 || rows[0].Venue != "Journal of Machine Learning" {
		t.Errorf("venue search = %+v: macros must be expanded for search", rows)
	}
}

func TestImportGivesKeysToEntriesWithout(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	src := `@article{knuth1984, author = {Donald E. Knuth}, title = {Literate Programming}, year = 1984}
@article{, author = {Donald E. Knuth}, title = {Literate Programming, again}, year = 1984}
@book{, author = {G{\"o}del, Kurt}, title = {Collected Works}, year = 1986}
@book{, author = {Kurt Gödel}, title = {Collected Works II}, year = 1986}`
	rep, err := l.Import(ctx, bib.Parse("k.bib", []byte(src)))
	if err != nil || rep.Imported != 4 {
		t.Fatalf("report = %+v, %v", rep, err)
	}
	rows, err := l.Search(ctx, "", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range rows {
		keys = append(keys, r.Key)
	}
	// The existing key never changes; the new entries get the next free suffix.
	if diff := cmp.Diff([]string{"knuth1984", "Knuth1984a", "Godel1986", "Godel1986a"}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	e, err := l.Entry(ctx, "godel1986")
	if err != nil {
		t.Fatal(err)
	}
	if f := bib.Format(e); !strings.HasPrefix(f, "@book{Godel1986,\n") {
		t.Errorf("the exported entry must carry its new key:\n%s", f)
	}
}

// TestTwoWriters imports from two connections at once: SQLite's lock and the busy timeout must
// serialise them without losing a write.
func TestTwoWriters(t *testing.T) {
	ctx := context.Background()
	a := mustOpen(t)
	b, err := Open(ctx, a.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var wg sync.WaitGroup
	for i, l := range []*Library{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				src := strings.NewReplacer("K", string(rune('a'+i)), "N", string(rune('a'+j))).Replace("@misc{K-N, title = {t}}")
				if _, err := l.Import(ctx, bib.Parse("w.bib", []byte(src))); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if n, err := a.Count(ctx); n != 40 || err != nil {
		t.Errorf("Count = %d, %v; want 40", n, err)
	}
}

// TestBibtexRoundTrip runs the real bibtex program on the sample library and on its export
// through a library: the .bbl files must be identical.
func TestBibtexRoundTrip(t *testing.T) {
	if _, err := exec.LookPath("bibtex"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("bibtex not installed: run ./dev deps")
		}
		t.Skip("bibtex not installed: run ./dev deps")
	}
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := l.Export(ctx, &buf, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile("../assets/sample-library.bib")
	if err != nil {
		t.Fatal(err)
	}
	for _, style := range []string{"plain", "alpha"} {
		a, b := runBibtex(t, orig, style), runBibtex(t, buf.Bytes(), style)
		if strings.Count(a, `\bibitem`) != 56 {
			t.Fatalf("%s: original gives %d bibitems", style, strings.Count(a, `\bibitem`))
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("%s .bbl differs (-original +exported):\n%s", style, diff)
		}
	}
}

func runBibtex(t *testing.T, bibSrc []byte, style string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "refs.bib"), bibSrc, 0o644); err != nil {
		t.Fatal(err)
	}
	aux := "\\citation{*}\n\\bibstyle{" + style + "}\n\\bibdata{refs}\n"
	if err := os.WriteFile(filepath.Join(dir, "doc.aux"), []byte(aux), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bibtex", "-terse", "doc")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bibtex: %v\n%s", err, out)
	}
	bbl, err := os.ReadFile(filepath.Join(dir, "doc.bbl"))
	if err != nil {
		t.Fatal(err)
	}
	return string(bbl)
}

// TestExportDoesNotWaitForImport exports while another connection holds the write lock: the
// export reads a snapshot instead of waiting.
func TestExportDoesNotWaitForImport(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	tx, err := l.db.BeginTx(ctx, nil) // immediate: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE entries SET title = 'changing' WHERE key = 'vinyals2015pointer'`); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var buf bytes.Buffer
	n, err := l.Export(ctx2, &buf, ExportOptions{})
	if err != nil || n != 56 {
		t.Fatalf("export during a write: %d, %v", n, err)
	}
	if strings.Contains(buf.String(), "changing") {
		t.Error("the export saw an uncommitted change")
	}
}

// TestBulkImport imports a file large enough for the bulk path, into a library that already
// has entries and a note: the search index must agree with the table afterwards, and small
// imports must still be indexed by the trigger.
func TestBulkImport(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	if err := l.SetNote(ctx, "vinyals2015pointer", "kept through the bulk import: quokka"); err != nil {
		t.Fatal(err)
	}
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 3*bulkThreshold, 7); err != nil {
		t.Fatal(err)
	}
	var calls [][2]int
	rep, err := l.ImportWith(ctx, bib.Parse("bulk.bib", src.Bytes()), ImportOptions{
		Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) },
	})
	if err != nil || rep.Imported+rep.Duplicates != 3*bulkThreshold {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	if len(calls) < 2 || calls[len(calls)-1][0] != calls[len(calls)-1][1] {
		t.Errorf("progress calls %v: want several, ending with done == total", calls)
	}
	checkSearchIndex(t, l)
	var pending int
	if err := l.db.QueryRow(`SELECT count(*) FROM search_pending`).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("search_pending has %d rows (%v) after the import", pending, err)
	}
	for _, q := range []string{"quokka", "pointer networks"} {
		if rows, err := l.Search(ctx, q, 0, 10); err != nil || len(rows) != 1 || rows[0].Key != "vinyals2015pointer" {
			t.Errorf("Search(%q) = %v, %v", q, rows, err)
		}
	}
	// An entry of the bulk file is found by a word of its title.
	first := bib.Parse("bulk.bib", src.Bytes()).Entries()[0]
	rows, err := l.Search(ctx, "key:"+first.Key, 0, 10)
	if err != nil || len(rows) != 1 {
		t.Errorf("Search(key:%s) = %v, %v", first.Key, rows, err)
	}
	// A small import goes through the trigger.
	if _, err := l.Import(ctx, bib.Parse("one.bib", []byte("@misc{wombat1, title = {Wombats}}"))); err != nil {
		t.Fatal(err)
	}
	if rows, _ := l.Search(ctx, "wombats", 0, 10); len(rows) != 1 {
		t.Errorf("a small import is not searchable: %v", rows)
	}
	checkSearchIndex(t, l)
}

func TestImportCancelled(t *testing.T) {
	l := mustOpen(t)
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 3000, 3); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, err := l.ImportWith(ctx, bib.Parse("c.bib", src.Bytes()), ImportOptions{
		Progress: func(done, total int) {
			if done >= 1000 {
				cancel()
			}
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("import error = %v, want context.Canceled", err)
	}
	if n, err := l.Count(context.Background()); n != 0 || err != nil {
		t.Errorf("after a cancelled import the library has %d entries (%v), want none", n, err)
	}
	checkSearchIndex(t, l)
}

// checkSearchIndex fails the test unless the FTS5 index agrees with the entries table (the
// rank = 1 form compares the two; the plain integrity-check does not).
func checkSearchIndex(t *testing.T, l *Library) {
	t.Helper()
	if _, err := l.db.Exec(`INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Errorf("search index: %v", err)
	}
}

func TestImportDuplicatePolicies(t *testing.T) {
	ctx := context.Background()
	// The same paper as the sample's vinyals2015pointer, as Google Scholar exports it.
	scholar := `@inproceedings{vinyals2015pointernets,
  title={Pointer networks},
  author={Vinyals, Oriol and Fortunato, Meire and Jaitly, Navdeep},
  booktitle={Advances in Neural Information Processing Systems},
  pages={2692--2700},
  year={2015}
}`
	for _, tt := range []struct {
		policy   DuplicatePolicy
		imported int
		skipped  int
		merged   int
		count    int
		msg      string
	}{
		{ImportDuplicates, 1, 0, 0, 57, `may have this paper as "vinyals2015pointer" (same title, year and first author): imported`},
		{SkipDuplicates, 0, 1, 0, 56, `has this paper as "vinyals2015pointer" (same title, year and first author): skipped`},
		{MergeDuplicates, 0, 0, 1, 56, `has this paper as "vinyals2015pointer" (same title, year and first author): merged into it`},
	} {
		l := mustOpen(t)
		if _, err := l.Import(ctx, sample(t)); err != nil {
			t.Fatal(err)
		}
		rep, err := l.ImportWith(ctx, bib.Parse("scholar.bib", []byte(scholar)), ImportOptions{Duplicates: tt.policy})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Imported != tt.imported || rep.Duplicates != tt.skipped || rep.Merged != tt.merged ||
			len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Msg, tt.msg) {
			t.Errorf("policy %d: report %+v", tt.policy, rep)
		}
		if tt.policy == ImportDuplicates && (len(rep.Possible) != 1 || rep.Possible[0].Existing != "vinyals2015pointer" || rep.Possible[0].Key != rep.Problems[0].Key) {
			t.Errorf("possible duplicates: %+v", rep.Possible)
		}
		if n, _ := l.Count(ctx); n != tt.count {
			t.Errorf("policy %d: %d entries, want %d", tt.policy, n, tt.count)
		}
		if tt.policy == MergeDuplicates {
			e, err := l.Entry(ctx, "vinyals2015pointer")
			if err != nil || e.Get("pages") != "2692--2700" {
				t.Errorf("merged entry did not gain the pages: %v %v", e, err)
			}
		}
		checkSearchIndex(t, l)
	}
}

func TestExportSelections(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddTags(ctx, []string{"zhang2023noisy", "vinyals2015pointer"}, "reading"); err != nil {
		t.Fatal(err)
	}
	c, err := l.CreateCollection(ctx, nil, "Thesis")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddToCollection(ctx, c.ID, "ozair2019wasserstein", "barkan2025bee"); err != nil {
		t.Fatal(err)
	}
	keysOf := func(opts ExportOptions) []string {
		t.Helper()
		var buf bytes.Buffer
		if _, err := l.Export(ctx, &buf, opts); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, e := range bib.Parse("x.bib", buf.Bytes()).Entries() {
			keys = append(keys, e.Key)
		}
		return keys
	}
	for _, tt := range []struct {
		opts ExportOptions
		want []string
	}{
		{ExportOptions{Query: "tag:reading"}, []string{"zhang2023noisy", "vinyals2015pointer"}},
		{ExportOptions{Query: "tag:reading", ByKey: true}, []string{"vinyals2015pointer", "zhang2023noisy"}},
		{ExportOptions{Query: `in:"thesis"`}, []string{"ozair2019wasserstein", "barkan2025bee"}},
		{ExportOptions{Keys: []string{"BARKAN2025BEE", "kim2023probabilistic", "no-such-key"}}, []string{"kim2023probabilistic", "barkan2025bee"}},
		{ExportOptions{Keys: []string{"barkan2025bee", "kim2023probabilistic"}, Query: "bee"}, []string{"barkan2025bee"}},
	} {
		if diff := cmp.Diff(tt.want, keysOf(tt.opts)); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tt.opts, diff)
		}
	}
}

func TestImportMakesTagsOfKeywords(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	src := `@article{a, title = {A}, keywords = {Machine learning; graphs, ml/contrastive , , a//b}}
@article{b, title = {B}, keywords = {graphs}}`
	rep, err := l.Import(ctx, bib.Parse("k.bib", []byte(src)))
	if err != nil {
		t.Fatal(err)
	}
	tags, err := l.EntryTags(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"graphs", "Machine learning", "ml/contrastive"}, tags); diff != "" {
		t.Errorf("tags of a (-want +got):\n%s", diff)
	}
	if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Msg, `keyword "a//b" is not made a tag`) {
		t.Errorf("problems = %v", rep.Problems)
	}
	if rows, _ := l.Search(ctx, "tag:graphs", 0, 10); len(rows) != 2 {
		t.Errorf("tag:graphs finds %d entries, want 2", len(rows))
	}
	// The field stays as written.
	var buf bytes.Buffer
	if _, err := l.Export(ctx, &buf, ExportOptions{}); err != nil || !strings.Contains(buf.String(), "keywords = {Machine learning; graphs, ml/contrastive , , a//b}") {
		t.Errorf("export changed the keywords field: %v\n%s", err, buf.String())
	}
	l2 := mustOpen(t)
	if _, err := l2.ImportWith(ctx, bib.Parse("k.bib", []byte(src)), ImportOptions{NoKeywordTags: true}); err != nil {
		t.Fatal(err)
	}
	if tags, _ := l2.Tags(ctx); len(tags) != 0 {
		t.Errorf("NoKeywordTags made tags %v", tags)
	}
}

func TestExportNotesAsAnnote(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	if err := l.SetNote(ctx, "vinyals2015pointer", "Read *twice*; 50% of it is appendix.\n"); err != nil {
		t.Fatal(err)
	}
	if err := l.SetNote(ctx, "zhang2023noisy", "An unbalanced } brace"); err != nil {
		t.Fatal(err)
	}
	var warned []string
	var buf bytes.Buffer
	if _, err := l.Export(ctx, &buf, ExportOptions{Keys: []string{"vinyals2015pointer", "zhang2023noisy", "ozair2019wasserstein"},
		Notes: true, Warn: func(key, msg string) { warned = append(warned, key) }}); err != nil {
		t.Fatal(err)
	}
	es := bib.Parse("x.bib", buf.Bytes()).Entries()
	if len(es) != 3 {
		t.Fatalf("%d entries", len(es))
	}
	byKey := map[string]*bib.Entry{}
	for _, e := range es {
		byKey[e.Key] = e
	}
	if got := byKey["vinyals2015pointer"].Get("annote"); got != "Read *twice*; 50% of it is appendix." {
		t.Errorf("annote = %q", got)
	}
	if byKey["ozair2019wasserstein"].Field("annote") != nil || byKey["zhang2023noisy"].Field("annote") != nil {
		t.Error("annote written for an entry without a (writable) note")
	}
	if diff := cmp.Diff([]string{"zhang2023noisy"}, warned); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	orig := map[string]string{}
	for _, e := range sample(t).Entries() {
		orig[e.Key] = e.Source
	}
	if byKey["ozair2019wasserstein"].Source != orig["ozair2019wasserstein"] {
		t.Error("an entry without a note must still be written as it was")
	}
}

// TestTwoProcesses runs two processes that each import 150 entries into one library, one
// transaction per entry, at the same time: none of the 300 writes may be lost.
func TestTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two processes")
	}
	path := filepath.Join(t.TempDir(), "shared.sqlite")
	l, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for _, who := range []string{"a", "b"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestWriterChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "BIBSHELF_WRITER_LIBRARY="+path, "BIBSHELF_WRITER_NAME="+who)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, &out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer %d: %v\n%s", i, err, outs[i])
		}
	}
	if n, err := l.Count(context.Background()); n != 300 || err != nil {
		t.Errorf("Count = %d, %v; want 300", n, err)
	}
	checkSearchIndex(t, l)
}

// TestWriterChild is one of TestTwoProcesses's writers.
func TestWriterChild(t *testing.T) {
	path, who := os.Getenv("BIBSHELF_WRITER_LIBRARY"), os.Getenv("BIBSHELF_WRITER_NAME")
	if path == "" {
		t.Skip("a helper process of TestTwoProcesses")
	}
	ctx := context.Background()
	l, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range 150 {
		src := fmt.Sprintf("@misc{%s%d, title = {Entry %d written by %s}}", who, i, i, who)
		if rep, err := l.Import(ctx, bib.Parse(who+".bib", []byte(src))); err != nil || rep.Imported != 1 {
			t.Fatalf("import %d: %+v, %v", i, rep, err)
		}
	}
}

func TestExportWritesTagsAsKeywords(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	src := "@article{a, title = {A}, keywords = {graphs; ml, a//b}}\n\n@article{b, title = {B}, keywords = {graphs}}"
	if _, err := l.Import(ctx, bib.Parse("k.bib", []byte(src))); err != nil {
		t.Fatal(err)
	}
	export := func(opts ExportOptions) string {
		var buf bytes.Buffer
		if _, err := l.Export(ctx, &buf, opts); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	if got := export(ExportOptions{}); got != src+"\n" {
		t.Errorf("tags unchanged, yet the export differs:\n%s", got)
	}
	if _, err := l.RemoveTags(ctx, []string{"a"}, "ml"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddTags(ctx, []string{"a"}, "reading/now"); err != nil {
		t.Fatal(err)
	}
	got := export(ExportOptions{})
	// A removed tag stays a keyword; an added one joins them.
	// Only the keywords' text changes in the entry.
	want := "@article{a, title = {A}, keywords = {graphs, ml, a//b, reading/now}}\n\n@article{b, title = {B}, keywords = {graphs}}\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("export after a tag change (-want +got):\n%s", diff)
	}
	if got := export(ExportOptions{NoKeywordTags: true}); got != src+"\n" {
		t.Errorf("NoKeywordTags changed the export:\n%s", got)
	}
}
