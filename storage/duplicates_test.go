package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/google/go-cmp/cmp"
)

// benchDir holds the libraries benchmarks build once per process; TestMain removes it.
var benchDir string

func TestMain(m *testing.M) {
	code := m.Run()
	closeWholeCorpus()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// parseEntry parses the one entry of a .bib source.
func parseEntry(tb testing.TB, src string) *bib.Entry {
	tb.Helper()
	f := bib.Parse("t.bib", []byte(src))
	if len(f.Entries()) != 1 || len(f.Errors()) != 0 {
		tb.Fatalf("parse %q: %d entries, %v", src, len(f.Entries()), f.Problems)
	}
	return f.Entries()[0]
}

// mustOpenIdent opens a new library holding the entries of a .bib source, with their identities.
func mustOpenIdent(tb testing.TB, src string) *Library {
	tb.Helper()
	l := mustOpenWith(tb, src)
	if err := l.backfillIdentity(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return l
}

func TestNormDOI(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"10.1000/abc", "10.1000/abc"},
		{"https://doi.org/10.1000/ABC", "10.1000/abc"},
		{"http://dx.doi.org/10.1000/abc", "10.1000/abc"},
		{"https://www.doi.org/10.1000/abc", "10.1000/abc"},
		{"doi.org/10.1000/abc", "10.1000/abc"},
		{"doi:10.1000/abc", "10.1000/abc"},
		{"DOI: 10.1000/abc.", "10.1000/abc"},
		{" 10.1000/abc; ", "10.1000/abc"},
		{`10.1000/a\_b`, "10.1000/a_b"},
		{"https://doi.org/10.1000/a%2Fb", "10.1000/a/b"},
		{"10.1000/abc 10.1000/def", "10.1000/abc"},
		{"10.1016/0001-8708(76)90154-X", "10.1016/0001-8708(76)90154-x"},
		{"", ""},
		{"n/a", ""},
		{"10.1000/", ""},
		{"https://example.org/10.1000/abc", ""},
	} {
		if got := normDOI(tt.in); got != tt.want {
			t.Errorf("normDOI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormArXiv(t *testing.T) {
	for _, tt := range []struct{ name, fields, want string }{
		{"eprint with archiveprefix", `eprint = {2101.00001}, archivePrefix = {arXiv}`, "2101.00001"},
		{"eprint with version", `eprint = {2101.00001v3}, archiveprefix = {arXiv}`, "2101.00001"},
		{"eprinttype", `eprint = {1409.0473}, eprinttype = {arxiv}`, "1409.0473"},
		{"eprint with prefix", `eprint = {arXiv:2101.00001v2}`, "2101.00001"},
		{"eprint of another archive", `eprint = {2101.00001}, archiveprefix = {HAL}`, ""},
		{"abs URL with version", `url = {https://arxiv.org/abs/2101.00001v2}`, "2101.00001"},
		{"pdf URL", `url = {http://arxiv.org/pdf/2101.00001v1.pdf}`, "2101.00001"},
		{"export URL", `url = {https://export.arxiv.org/abs/1506.03134}`, "1506.03134"},
		{"Google Scholar journal", `journal = {arXiv preprint arXiv:1506.03134}`, "1506.03134"},
		{"howpublished", `howpublished = {arXiv preprint arXiv:0801.1234v2}`, "0801.1234"},
		{"DBLP CoRR", `journal = {CoRR}, volume = {abs/1409.0473}`, "1409.0473"},
		{"arXiv DOI", `doi = {10.48550/arXiv.2101.00001}`, "2101.00001"},
		{"old scheme", `eprint = {hep-th/9901001}, archiveprefix = {arXiv}`, "hep-th/9901001"},
		{"old scheme URL with version", `url = {https://arxiv.org/abs/hep-th/9901001v2}`, "hep-th/9901001"},
		{"old scheme with subject class", `eprint = {math.GT/0309136}, archiveprefix = {arXiv}`, "math/0309136"},
		{"too many digits", `eprint = {2101.000012}, archiveprefix = {arXiv}`, ""},
		{"none", `url = {https://example.org/2101.00001}`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := parseEntry(t, "@misc{k, "+tt.fields+"}")
			if got := normArXiv(e); got != tt.want {
				t.Errorf("normArXiv(%s) = %q, want %q", tt.fields, got, tt.want)
			}
		})
	}
}

func TestNormISBN(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"978-0-262-03561-3", "9780262035613"},
		{"9780262035613", "9780262035613"},
		{"0-262-03561-8", "9780262035613"}, // the same book's ISBN-10
		{"0262035618", "9780262035613"},
		{"ISBN 978 0 262 03561 3", "9780262035613"},
		{"0-8044-2957-X", "9780804429573"},
		{"0-262-03561-8, 978-1-4028-9462-6", "9780262035613"},
		{"978-1-4028-9462-6; 0-262-03561-8", "9781402894626"},
		{"9781402894626 9780262035613", "9781402894626"},
		{"978-0-262-03561-3 (hardcover)", "9780262035613"},
		{"", ""},
		{"unknown", ""},
		{"12345", ""},
		{"X262035618", ""},
	} {
		if got := normISBN(tt.in); got != tt.want {
			t.Errorf("normISBN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTitleKey(t *testing.T) {
	for _, tt := range []struct{ name, fields, want string }{
		{"plain", `title = {Deep Learning}, author = {Ian Goodfellow}, year = 2016`, "deeplearning|2016|goodfellow"},
		{"LaTeX accent", `title = {Über K{\"u}chlin}, author = {K{\"u}chlin, W.}, year = 1999`, "uberkuchlin|1999|kuchlin"},
		{"Unicode accent", `title = {ÜBER Küchlin}, author = {W. Küchlin}, year = {1999}`, "uberkuchlin|1999|kuchlin"},
		{"braces, case and punctuation", `title = {{BERT}: Pre-training of {Deep} Bidirectional Transformers.}, author = {Devlin, Jacob and Chang, Ming-Wei}, year = 2019`,
			"bertpretrainingofdeepbidirectionaltransformers|2019|devlin"},
		{"special letters", `title = {{\O}resund and Stra{\ss}e}, author = {{\L}ukasz Kaiser}, year = 2020`, "oresundandstrasse|2020|kaiser"},
		{"editor and date", `title = {Handbook}, editor = {Jane Roe}, date = {2001-05}`, "handbook|2001|roe"},
		{"no author, no year", `title = {Anonymous Work}`, "anonymouswork||"},
		{"no title", `author = {Jane Roe}, year = 2001`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := parseEntry(t, "@book{k, "+tt.fields+"}")
			if got := titleKey(e); got != tt.want {
				t.Errorf("titleKey = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFoldAgreesWithKeys checks that duplicate detection and citation keys fold text alike: both
// use bib.Fold, and differ only in their own step on top (a key spells Greek letters and drops
// other scripts; the comparison text is in lower case). The comments say what each made of the
// text when it folded on its own.
func TestFoldAgreesWithKeys(t *testing.T) {
	p, err := bib.ParsePattern("[title]")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ title, key, dup string }{
		{`G{\"o}del`, "godel", "godel"},
		{"Go\u0308del", "godel", "godel"}, // the accent as a combining mark
		{"Ørsted Straße Encyclopædia", "orstedstrasseencyclopaedia", "orstedstrasseencyclopaedia"},
		{"Łukasiewicz Đorđević Þórsson", "lukasiewiczdordevicthorsson", "lukasiewiczdordevicthorsson"},
		{"Pre–training — CASE", "pretrainingcase", "pretrainingcase"},
		{"ﬁnite eﬀects", "finiteeffects", "finiteeffects"}, // duplicates kept the ligatures
		{"x² H₂O", "x2h2o", "x2h2o"},                       // duplicates dropped ² and ₂, keys ₂
		{"Ħal Far Ŋ", "halfarn", "halfarn"},                // duplicates kept ħ and ŋ
		{"Ĳssel µm", "ijsselmum", "ijsselμm"},              // duplicates kept ĳ and µ
		{"Ａlpha", "alpha", "alpha"},                        // duplicates kept full-width letters, keys dropped them
		{"άλφα", "alphalambdaphialpha", "αλφα"},            // keys dropped accented Greek
		{"Мир 2", "2", "мир2"},
	} {
		t.Run(tt.title, func(t *testing.T) {
			title := bib.Plain(tt.title)
			e := &bib.Entry{Fields: []bib.Field{{Name: "title", Value: tt.title}}}
			if got := strings.ToLower(p.Key(e)); got != tt.key {
				t.Errorf("key of %q = %q, want %q", title, got, tt.key)
			}
			if got := fold(title); got != tt.dup {
				t.Errorf("fold(%q) = %q, want %q", title, got, tt.dup)
			}
		})
	}
}

func TestIdentity(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		want      identity
	}{
		{"book", `@book{k, title = {T}, isbn = {0-262-03561-8}, doi = {https://doi.org/10.1000/X}, year = 2016, author = {A B}}`,
			identity{DOI: "10.1000/x", ISBN: "9780262035613", TitleKey: "t|2016|b"}},
		// A chapter's ISBN is its book's; a doi.org URL stands for a missing doi field.
		{"chapter", `@incollection{k, title = {T}, isbn = {0-262-03561-8}, url = {https://doi.org/10.1000/x}, year = 2016, author = {A B}}`,
			identity{DOI: "10.1000/x", TitleKey: "t|2016|b"}},
		{"other URL", `@article{k, title = {T}, url = {https://example.org/10.1000/x}, eprint = {2101.00001}, archiveprefix = {arXiv}}`,
			identity{ArXiv: "2101.00001", TitleKey: "t||"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, identify(parseEntry(t, tt.src))); diff != "" {
				t.Errorf("Identity (-want +got):\n%s", diff)
			}
		})
	}
}

// dupLibrary has, in order: two spellings of a DOI; a book's ISBN-10 and ISBN-13; an arXiv id
// from eprint and from a URL with a version; one title with a LaTeX and a Unicode accent; a
// chain joined by a DOI then a title; chapters of one book (same ISBN, not duplicates); and
// entries that share nothing.
const dupLibrary = `@article{doiA, title = {One}, author = {A. Alpha}, year = 2001, doi = {https://doi.org/10.1000/ABC}}
@article{doiB, title = {One, revised}, author = {A. Alpha}, year = 2002, doi = {10.1000/abc}}
@book{isbn10, title = {Book}, author = {B. Beta}, year = 2010, isbn = {0-262-03561-8}}
@book{isbn13, title = {The Book}, author = {B. Beta}, year = 2011, isbn = {978-0-262-03561-3}}
@misc{arxivEprint, title = {Preprint}, author = {C. Gamma}, year = 2021, eprint = {2101.00001}, archivePrefix = {arXiv}}
@inproceedings{arxivURL, title = {Paper}, author = {C. Gamma}, year = 2022, url = {https://arxiv.org/abs/2101.00001v3}}
@article{kuchlinTeX, title = {K{\"u}chlin's Method}, author = {K{\"u}chlin, Wolfgang}, year = 1990}
@article{kuchlinUTF, title = {Küchlin’s method}, author = {Wolfgang Küchlin}, year = {1990}, journal = {J}}
@article{chain1, title = {Chain}, author = {D. Delta}, year = 2005, doi = {10.2000/chain}}
@article{chain2, title = {Chained}, author = {D. Delta}, year = 2005, doi = {doi:10.2000/CHAIN}}
@article{chain3, title = {Chained}, author = {Delta, D.}, year = 2005}
@incollection{chapter1, title = {First Chapter}, author = {E. Eps}, booktitle = {B}, year = 2000, isbn = {978-1-4028-9462-6}}
@incollection{chapter2, title = {Second Chapter}, author = {F. Phi}, booktitle = {B}, year = 2000, isbn = {978-1-4028-9462-6}}
@article{alone, title = {Alone}, author = {G. Eta}, year = 2000, doi = {10.3000/alone}}
@article{alone2, title = {Alone}, author = {G. Eta}, year = 2001}
`

func TestFindDuplicates(t *testing.T) {
	ctx := context.Background()
	l := mustOpenIdent(t, dupLibrary)
	want := []DuplicateGroup{
		{Keys: []string{"doiA", "doiB"}, Reasons: []string{"same DOI 10.1000/abc"}},
		{Keys: []string{"isbn10", "isbn13"}, Reasons: []string{"same ISBN 9780262035613"}},
		{Keys: []string{"arxivEprint", "arxivURL"}, Reasons: []string{"same arXiv id 2101.00001"}},
		{Keys: []string{"kuchlinTeX", "kuchlinUTF"}, Reasons: []string{"same title, year and first author"}},
		{Keys: []string{"chain1", "chain2", "chain3"}, Reasons: []string{"same DOI 10.2000/chain", "same title, year and first author"}},
	}
	got, err := l.FindDuplicates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FindDuplicates (-want +got):\n%s", diff)
	}

	// Entries in the trash are not proposed, nor do they join others.
	if _, err := l.Trash(ctx, "doiB", "chain2"); err != nil {
		t.Fatal(err)
	}
	got, err = l.FindDuplicates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[1:4], got); diff != "" {
		t.Errorf("FindDuplicates after trashing doiB and chain2 (-want +got):\n%s", diff)
	}
}

func TestFindDuplicatesNotDuplicate(t *testing.T) {
	three := `@article{a, title = {Same}, author = {A. Alpha}, year = 2001}
@article{b, title = {Same}, author = {A. Alpha}, year = 2001}
@article{c, title = {Same}, author = {A. Alpha}, year = 2001}
@article{d, title = {Other}, author = {D. Delta}, year = 2001, doi = {10.1/d}}
@article{e, title = {Else}, author = {D. Delta}, year = 2001, doi = {10.1/d}}
@article{f, title = {Else}, author = {D. Delta}, year = 2001}
`
	title := "same title, year and first author"
	for _, tt := range []struct {
		name  string
		marks [][2]string
		want  []DuplicateGroup
	}{
		{"no marks", nil, []DuplicateGroup{
			{Keys: []string{"a", "b", "c"}, Reasons: []string{title}},
			{Keys: []string{"d", "e", "f"}, Reasons: []string{"same DOI 10.1/d", title}},
		}},
		{"a pair of a three", [][2]string{{"a", "b"}}, []DuplicateGroup{
			{Keys: []string{"a", "b", "c"}, Reasons: []string{title}}, // c still joins them
			{Keys: []string{"d", "e", "f"}, Reasons: []string{"same DOI 10.1/d", title}},
		}},
		{"two pairs of a three", [][2]string{{"a", "b"}, {"c", "a"}}, []DuplicateGroup{
			{Keys: []string{"b", "c"}, Reasons: []string{title}},
			{Keys: []string{"d", "e", "f"}, Reasons: []string{"same DOI 10.1/d", title}},
		}},
		{"the only link of a chain", [][2]string{{"E", "d"}}, []DuplicateGroup{
			{Keys: []string{"a", "b", "c"}, Reasons: []string{title}},
			{Keys: []string{"e", "f"}, Reasons: []string{title}},
		}},
		{"every pair", [][2]string{{"a", "b"}, {"b", "c"}, {"a", "c"}, {"d", "e"}, {"e", "f"}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			l := mustOpenIdent(t, three)
			for _, m := range tt.marks {
				if err := l.MarkNotDuplicate(ctx, m[0], m[1]); err != nil {
					t.Fatal(err)
				}
			}
			got, err := l.FindDuplicates(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FindDuplicates (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindDuplicatesSample(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	if err := l.backfillIdentity(ctx); err != nil {
		t.Fatal(err)
	}
	// The sample has no duplicates: each of its 56 entries has its own arXiv id and title.
	got, err := l.FindDuplicates(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("FindDuplicates = %v, %v; want none", got, err)
	}
	for _, col := range []string{"arxiv", "title_key"} {
		if n := count(t, l, `SELECT count(DISTINCT `+col+`) FROM entries WHERE `+col+` <> ''`); n != 56 {
			t.Errorf("%d distinct values of %s, want 56", n, col)
		}
	}

	// The same paper pasted again from Google Scholar, under another key.
	rep, err := l.Import(ctx, bib.Parse("scholar.bib", []byte(`@article{vinyals2015pointerScholar,
  title={Pointer networks},
  author={Vinyals, Oriol and Fortunato, Meire and Jaitly, Navdeep},
  journal={arXiv preprint arXiv:1506.03134},
  year={2015}
}`)))
	if err != nil || rep.Imported != 1 {
		t.Fatal(rep, err)
	}
	if err := l.backfillIdentity(ctx); err != nil {
		t.Fatal(err)
	}
	got, err = l.FindDuplicates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []DuplicateGroup{{
		Keys:    []string{"vinyals2015pointer", "vinyals2015pointerScholar"},
		Reasons: []string{"same arXiv id 1506.03134", "same title, year and first author"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FindDuplicates (-want +got):\n%s", diff)
	}
}

func TestFindDuplicate(t *testing.T) {
	ctx := context.Background()
	l := mustOpenIdent(t, dupLibrary)
	if _, err := l.Trash(ctx, "alone"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, src    string
		key, because string
	}{
		{"DOI in another spelling", `@article{new, title = {X}, doi = {HTTPS://DOI.ORG/10.1000/Abc}}`, "doiA", "same DOI 10.1000/abc"},
		{"ISBN before DOI", `@book{new, title = {X}, doi = {10.1000/abc}, isbn = {9780262035613}}`, "isbn10", "same ISBN 9780262035613"},
		{"DOI before arXiv id", `@misc{new, doi = {10.2000/chain}, eprint = {2101.00001v1}, archiveprefix = {arXiv}}`, "chain1", "same DOI 10.2000/chain"},
		{"arXiv id", `@misc{new, title = {X}, journal = {arXiv preprint arXiv:2101.00001v2}}`, "arxivEprint", "same arXiv id 2101.00001"},
		{"title", `@article{new, title = {KÜCHLIN'S METHOD}, author = {W. K\"uchlin}, year = 1990}`, "kuchlinTeX", "same title, year and first author"},
		{"itself", `@article{KUCHLINTEX, title = {K{\"u}chlin's Method}, author = {K{\"u}chlin, Wolfgang}, year = 1990}`, "kuchlinUTF", "same title, year and first author"},
		{"in the trash", `@article{new, doi = {10.3000/alone}}`, "", ""},
		{"another year", `@article{new, title = {Chain}, author = {D. Delta}, year = 2006}`, "", ""},
		{"nothing", `@article{new}`, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := l.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			key, because, err := findDuplicate(ctx, tx, parseEntry(t, tt.src))
			if key != tt.key || because != tt.because || err != nil {
				t.Errorf("findDuplicate = %q, %q, %v; want %q, %q", key, because, err, tt.key, tt.because)
			}
		})
	}
}

// identities returns each entry's identity columns, by key.
func identities(tb testing.TB, l *Library) map[string]identity {
	tb.Helper()
	rows, err := l.db.Query(`SELECT key, doi, arxiv, isbn, title_key FROM entries`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[string]identity{}
	for rows.Next() {
		var key string
		var id identity
		if err := rows.Scan(&key, &id.DOI, &id.ArXiv, &id.ISBN, &id.TitleKey); err != nil {
			tb.Fatal(err)
		}
		out[key] = id
	}
	return out
}

func TestBackfillAfterUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.sqlite")
	old, err := open(ctx, path, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	// More entries than a batch, so that the batches must follow one another.
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, identityBatch*2+500, 7); err != nil {
		t.Fatal(err)
	}
	files := []*bib.File{sample(t), bib.Parse("synthetic.bib", src.Bytes()),
		bib.Parse("t.bib", []byte(dupLibrary+"@misc{noIdentity, note = {nothing to compare}}\n"))}
	want := map[string]identity{}
	for _, f := range files {
		for _, e := range f.Entries() {
			insertAsVersion1(t, old, e)
			want[e.Key] = identify(e)
		}
	}
	if _, err := old.Trash(ctx, "doiA"); err != nil {
		t.Fatal(err)
	}
	l := upgrade(t, old)
	// Open has run the backfill.
	if diff := cmp.Diff(want, identities(t, l)); diff != "" {
		t.Errorf("identities after backfill (-want +got):\n%s", diff)
	}
	if n := count(t, l, `SELECT count(*) FROM entries WHERE doi = '' AND arxiv = '' AND isbn = '' AND title_key = ''`); n != 1 {
		t.Errorf("%d entries without identity after the backfill, want 1 (noIdentity)", n)
	}
	checkIntegrity(t, l)

	// Running it again, as every Open will, changes nothing.
	if err := l.backfillIdentity(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, identities(t, l)); diff != "" {
		t.Errorf("identities after a second backfill (-want +got):\n%s", diff)
	}

	groups, err := l.FindDuplicates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// doiA is in the trash, so doiB has no duplicate left; the synthetic entries have theirs.
	for _, g := range groups {
		if slices.Contains(g.Keys, "doiA") || slices.Contains(g.Keys, "doiB") {
			t.Errorf("group %v holds an entry in the trash or its only duplicate", g.Keys)
		}
	}
}

func TestIdentityValuesInInsert(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	e := parseEntry(t, `@book{k, title = {T}, author = {A B}, year = 2016, isbn = {0-262-03561-8}}`)
	res, err := l.db.Exec(`INSERT INTO entries (key, type, created, modified, `+identityColumnList+`)
		VALUES (?, ?, 0, 0, ?, ?, ?, ?)`, append([]any{e.Key, e.Type}, identityValues(e)...)...)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	if _, err := l.db.Exec(`INSERT INTO entry_text (id, fields) VALUES (?, '[]')`, id); err != nil {
		t.Fatal(err)
	}
	// The backfill leaves the row alone: its fields, empty here, would give no identity.
	if err := l.backfillIdentity(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string]identity{"k": {ISBN: "9780262035613", TitleKey: "t|2016|b"}}
	if diff := cmp.Diff(want, identities(t, l)); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}
}

func TestDuplicateQueriesUseIndexes(t *testing.T) {
	l := mustOpen(t)
	for _, c := range identColumns {
		plan := queryPlan(t, l, `SELECT `+c.name+`, group_concat(id) FROM entries
			WHERE `+c.name+` <> '' AND trashed IS NULL GROUP BY `+c.name+` HAVING count(*) > 1`)
		if !strings.Contains(plan, "COVERING INDEX entries_"+c.name) || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("grouping by %s: plan %q, want a covering index and no sort", c.name, plan)
		}
		plan = queryPlan(t, l, `SELECT key FROM entries WHERE `+c.name+` = 'x' AND `+c.name+` <> ''
			AND trashed IS NULL AND key <> 'k' ORDER BY id LIMIT 1`)
		if !strings.Contains(plan, "INDEX entries_"+c.name) || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("looking up %s: plan %q, want its index", c.name, plan)
		}
	}
	plan := queryPlan(t, l, `SELECT e.id, e.key, e.type, t.fields, t.source FROM entries e JOIN entry_text t ON t.id = e.id
		WHERE e.doi = '' AND e.arxiv = '' AND e.isbn = '' AND e.title_key = '' AND e.id > 0 ORDER BY e.id LIMIT 10`)
	if !strings.Contains(plan, "entries_identity_pending") {
		t.Errorf("backfill: plan %q, want entries_identity_pending", plan)
	}
}

// mergeLibrary is a kept entry and two others it can gain from, with conflicting values.
const mergeLibrary = `@inproceedings{keep,
  title     = {Pointer Networks},
  author    = {Vinyals, Oriol and Fortunato, Meire and Jaitly, Navdeep},
  booktitle = {NeurIPS},
  year      = {2015}
}

@article{other1,
  author  = {Oriol Vinyals and Meire Fortunato and Navdeep Jaitly},
  title   = {Pointer networks},
  journal = {arXiv preprint arXiv:1506.03134},
  year    = 2015,
  month   = jun,
  doi     = {10.48550/arXiv.1506.03134},
  custom  = {a field no list names},
}

@misc{other2,
  title  = {Pointer Networks},
  year   = {2016},
  pages  = {2692--2700},
  doi    = {10.9999/other},
  pages  = {1--9},
}

@misc{same, title = {Pointer Networks}, year = {2015}, booktitle = {NeurIPS}}
`

// exported returns the text Export writes for an entry.
func exported(tb testing.TB, l *Library, key string) string {
	tb.Helper()
	var buf bytes.Buffer
	if _, err := l.Export(context.Background(), &buf, ExportOptions{}); err != nil {
		tb.Fatal(err)
	}
	for _, e := range bib.Parse("export.bib", buf.Bytes()).Entries() {
		if e.Key == key {
			return e.Source
		}
	}
	tb.Fatalf("%q not exported", key)
	return ""
}

func TestMerge(t *testing.T) {
	ctx := context.Background()
	l := mustOpenIdent(t, mergeLibrary)
	dir := t.TempDir()
	for _, name := range []string{"keep.pdf", "other1.pdf", "shared.pdf"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("%PDF"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustDo := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustDo2 := func(_ any, err error) { t.Helper(); mustDo(err) }
	mustDo2(l.AddTags(ctx, []string{"keep"}, "ml"))
	mustDo2(l.AddTags(ctx, []string{"other1"}, "ml", "pointers"))
	mustDo2(l.AddTags(ctx, []string{"other2"}, "to read"))
	c, err := l.CreateCollection(ctx, nil, "Thesis")
	mustDo(err)
	mustDo2(l.AddToCollection(ctx, c.ID, "other2"))
	for _, a := range [][2]string{{"keep", "keep.pdf"}, {"keep", "shared.pdf"}, {"other1", "other1.pdf"}, {"other1", "shared.pdf"}} {
		_, err := l.AddAttachment(ctx, a[0], filepath.Join(dir, a[1]))
		mustDo(err)
	}
	mustDo(l.SetNote(ctx, "keep", "Kept note.\n"))
	mustDo(l.SetNote(ctx, "other1", "Read the appendix."))
	mustDo2(l.SetRead(ctx, true, "other2"))
	mustDo2(l.SetStarred(ctx, true, "other1"))
	mustDo2(l.SetRating(ctx, "keep", 2))
	mustDo2(l.SetRating(ctx, "other1", 4))
	mustDo(l.MarkNotDuplicate(ctx, "other2", "same"))

	before := map[string]*bib.Entry{}
	for _, k := range []string{"keep", "other1", "other2"} {
		e, err := l.Entry(ctx, k)
		mustDo(err)
		before[k] = e
	}

	mustDo(l.Merge(ctx, "keep", "other1", "OTHER2", "other1"))
	checkIntegrity(t, l)

	kept, err := l.Entry(ctx, "keep")
	mustDo(err)
	note, err := l.Note(ctx, "keep")
	mustDo(err)

	// Nothing is lost: each field value of the others is one of the kept entry's or is in its
	// note.
	for _, k := range []string{"other1", "other2"} {
		for _, f := range before[k].Fields {
			has := slices.ContainsFunc(kept.Fields, func(g bib.Field) bool { return g.Name == f.Name && g.Value == f.Value })
			if !has && !strings.Contains(note, "Merged from "+k+": "+f.Name+" = "+f.Raw) {
				t.Errorf("%s's %s = %s is lost", k, f.Name, f.Raw)
			}
		}
	}
	var names []string
	for _, f := range kept.Fields {
		names = append(names, f.Name+" = "+f.Raw)
	}
	wantFields := []string{
		"title = {Pointer Networks}",
		"author = {Vinyals, Oriol and Fortunato, Meire and Jaitly, Navdeep}",
		"booktitle = {NeurIPS}",
		"journal = {arXiv preprint arXiv:1506.03134}",
		"pages = {2692--2700}",
		"year = {2015}",
		"month = jun",
		"doi = {10.48550/arXiv.1506.03134}",
		"custom = {a field no list names}",
	}
	if diff := cmp.Diff(wantFields, names); diff != "" {
		t.Errorf("kept fields (-want +got):\n%s", diff)
	}
	wantNote := `Kept note.

## Merged from other1

- Merged from other1: entry type = article
- Merged from other1: author = {Oriol Vinyals and Meire Fortunato and Navdeep Jaitly}
- Merged from other1: title = {Pointer networks}

Read the appendix.

## Merged from other2

- Merged from other2: entry type = misc
- Merged from other2: year = {2016}
- Merged from other2: doi = {10.9999/other}
- Merged from other2: pages = {1--9}`
	if diff := cmp.Diff(wantNote, note); diff != "" {
		t.Errorf("kept note (-want +got):\n%s", diff)
	}

	tags, err := l.EntryTags(ctx, "keep")
	mustDo(err)
	if diff := cmp.Diff([]string{"ml", "pointers", "to read"}, tags); diff != "" {
		t.Errorf("kept tags (-want +got):\n%s", diff)
	}
	cs, err := l.EntryCollections(ctx, "keep")
	mustDo(err)
	if len(cs) != 1 || cs[0].ID != c.ID {
		t.Errorf("kept collections = %v, want Thesis", cs)
	}
	as, err := l.Attachments(ctx, "keep")
	mustDo(err)
	var files []string
	for _, a := range as {
		files = append(files, filepath.Base(a.Path))
	}
	if diff := cmp.Diff([]string{"keep.pdf", "shared.pdf", "other1.pdf"}, files); diff != "" {
		t.Errorf("kept attachments (-want +got):\n%s", diff)
	}
	flags, err := l.EntryFlags(ctx, "keep")
	mustDo(err)
	if diff := cmp.Diff(Flags{Read: true, Starred: true, Rating: 4}, flags); diff != "" {
		t.Errorf("kept flags (-want +got):\n%s", diff)
	}
	if marked, err := l.NotDuplicate(ctx, "keep", "same"); !marked || err != nil {
		t.Errorf("NotDuplicate(keep, same) = %v, %v; want the mark of other2 carried over", marked, err)
	}

	// The others are in the trash with everything they had.
	for _, k := range []string{"other1", "other2"} {
		f, err := l.EntryFlags(ctx, k)
		if err != nil || f.Trashed.IsZero() {
			t.Errorf("%s: flags %+v, %v; want it in the trash", k, f, err)
		}
		e, err := l.Entry(ctx, k)
		mustDo(err)
		if diff := cmp.Diff(before[k], e); diff != "" {
			t.Errorf("%s changed (-before +after):\n%s", k, diff)
		}
	}
	if n, err := l.Count(ctx); n != 2 || err != nil {
		t.Errorf("Count = %d, %v; want 2", n, err)
	}
	if got := searchKeys(t, l, "appendix"); !slices.Contains(got, "keep") {
		t.Errorf("search for a merged note's word = %v, want keep", got)
	}

	// The kept entry gained fields: it is written anew, and reads back as the merged entry.
	out := exported(t, l, "keep")
	if out == before["keep"].Source {
		t.Fatal("the kept entry gained fields but is exported as it was imported")
	}
	again := parseEntry(t, out)
	var againNames []string
	for _, f := range again.Fields {
		againNames = append(againNames, f.Name+" = "+f.Raw)
	}
	// The export also writes the tags the kept entry gained into its keywords.
	wantExported := slices.Insert(slices.Clone(wantFields), len(wantFields)-1, "keywords = {ml, pointers, to read}")
	if diff := cmp.Diff(wantExported, againNames); diff != "" {
		t.Errorf("exported kept entry re-parsed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(identify(again), identities(t, l)["keep"]); diff != "" {
		t.Errorf("kept identity (-want +got):\n%s", diff)
	}
}

func TestMergeGainingNothing(t *testing.T) {
	ctx := context.Background()
	l := mustOpenIdent(t, mergeLibrary)
	src := exported(t, l, "keep")
	var modified int64
	if err := l.db.QueryRow(`SELECT modified FROM entries WHERE key = 'keep'`).Scan(&modified); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	// same's fields are all the kept entry's, with the same values.
	if err := l.Merge(ctx, "keep", "same"); err != nil {
		t.Fatal(err)
	}
	if got := exported(t, l, "keep"); got != src {
		t.Errorf("kept entry exported as\n%s\nwant it byte for byte as imported:\n%s", got, src)
	}
	var after int64
	if err := l.db.QueryRow(`SELECT modified FROM entries WHERE key = 'keep'`).Scan(&after); err != nil || after != modified {
		t.Errorf("modified = %d (%v), want %d: the entry did not change", after, err, modified)
	}
	note, err := l.Note(ctx, "keep")
	if want := "## Merged from same\n\n- Merged from same: entry type = misc"; note != want || err != nil {
		t.Errorf("note = %q, %v; want %q", note, err, want)
	}
}

// TestMergeEdited: the merge dialog's merge, keep's values chosen among both entries': keep
// takes the other's pages, and its own pages, which no entry left in the library has now, go
// into its note before the other's values not kept; both or neither happen.
func TestMergeEdited(t *testing.T) {
	ctx := context.Background()
	l := mustOpenIdent(t, `@article{a, title = {Pointer Networks}, author = {Vinyals, Oriol}, journal = {Advances}, year = {2015}, pages = {2692--2700}}
@article{b, title = {Pointer Networks}, author = {Vinyals, Oriol}, journal = {NeurIPS}, year = {2015}, pages = {2692--2701}, doi = {10.1000/p}}`)
	a, err := l.Entry(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Entry(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	edited := a.Clone()
	edited.SetField(*b.Field("pages"))
	// A key another entry has: nothing happens.
	clash := edited.Clone()
	clash.Key = "b"
	if err := l.MergeEdited(ctx, "a", clash, "b"); err == nil {
		t.Fatal("MergeEdited under the other's key: no error")
	}
	if got, _ := l.Entry(ctx, "a"); got.Get("pages") != "2692--2700" {
		t.Errorf("a failed merge changed a's pages to %q", got.Get("pages"))
	}
	if err := l.MergeEdited(ctx, "a", edited, "b"); err != nil {
		t.Fatal(err)
	}
	got, err := l.Entry(ctx, "a")
	if err != nil || got.Get("pages") != "2692--2701" || got.Get("doi") != "10.1000/p" || got.Get("journal") != "Advances" {
		t.Errorf("a after the merge: %+v (%v)", got, err)
	}
	note, err := l.Note(ctx, "a")
	want := "## Replaced in a\n\n- Replaced in a: pages = {2692--2700}\n\n## Merged from b\n\n- Merged from b: journal = {NeurIPS}"
	if note != want || err != nil {
		t.Errorf("note = %q, %v; want %q", note, err, want)
	}
	if trashed, err := l.Trashed(ctx, 0, 10); err != nil || len(trashed) != 1 || trashed[0].Key != "b" {
		t.Errorf("trash: %v %v", trashed, err)
	}
}

func TestMergeErrors(t *testing.T) {
	ctx := context.Background()
	l := mustOpenIdent(t, mergeLibrary)
	if _, err := l.Trash(ctx, "same"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		keep   string
		others []string
		is     error
	}{
		{"no others", "keep", nil, nil},
		{"missing keep", "nosuch", []string{"other1"}, ErrNotFound},
		{"missing other", "keep", []string{"other1", "nosuch"}, ErrNotFound},
		{"into itself", "keep", []string{"KEEP"}, nil},
		{"into the trash", "same", []string{"keep"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := l.Merge(ctx, tt.keep, tt.others...)
			if err == nil || tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Merge = %v, want an error (%v)", err, tt.is)
			}
		})
	}
	// A failed merge changes nothing.
	if n, err := l.Count(ctx); n != 3 || err != nil {
		t.Errorf("Count = %d, %v; want 3", n, err)
	}
	if note, err := l.Note(ctx, "keep"); note != "" || err != nil {
		t.Errorf("note = %q, %v; want none", note, err)
	}
}

// dupBench is a library of 100,000 generated entries, built once per process: importing it
// takes longer than the benchmark.
var dupBench struct {
	once sync.Once
	path string
	err  error
}

func benchLibrary100k(b *testing.B) string {
	dupBench.once.Do(func() {
		ctx := context.Background()
		dir, err := os.MkdirTemp("", "bibshelf-bench-")
		if err != nil {
			dupBench.err = err
			return
		}
		benchDir = dir
		var src bytes.Buffer
		if err := bibtest.Synthetic(&src, 100_000, 1); err != nil {
			dupBench.err = err
			return
		}
		path := filepath.Join(dir, "100k.sqlite")
		l, err := Open(ctx, path)
		if err != nil {
			dupBench.err = err
			return
		}
		defer l.Close()
		start := time.Now()
		if _, err := l.Import(ctx, bib.Parse("synthetic.bib", src.Bytes())); err != nil {
			dupBench.err = err
			return
		}
		imported := time.Now()
		// Every tenth entry gets a tag, half of them a child tag, for the tag-filter benchmarks.
		rows, err := l.SearchWith(ctx, SearchOptions{})
		if err != nil {
			dupBench.err = err
			return
		}
		var parent, child []string
		for i := 0; i < len(rows); i += 10 {
			if i%20 == 0 {
				parent = append(parent, rows[i].Key)
			} else {
				child = append(child, rows[i].Key)
			}
		}
		if _, err := l.AddTags(ctx, parent, "ml"); err != nil {
			dupBench.err = err
			return
		}
		if _, err := l.AddTags(ctx, child, "ml/graphs"); err != nil {
			dupBench.err = err
			return
		}
		dupBench.err = l.backfillIdentity(ctx)
		b.Logf("import %v, backfillIdentity %v", imported.Sub(start), time.Since(imported))
		dupBench.path = path
	})
	if dupBench.err != nil {
		b.Fatal(dupBench.err)
	}
	return dupBench.path
}

func BenchmarkFindDuplicates100k(b *testing.B) {
	ctx := context.Background()
	l := openBench100k(b)
	var groups []DuplicateGroup
	var err error
	b.ReportAllocs()
	for b.Loop() {
		if groups, err = l.FindDuplicates(ctx); err != nil {
			b.Fatal(err)
		}
	}
	entries := 0
	for _, g := range groups {
		entries += len(g.Keys)
	}
	b.ReportMetric(float64(len(groups)), "groups")
	b.ReportMetric(float64(entries), "grouped-entries")
}

// foldByRunes is fold without its ASCII shortcut.
func foldByRunes(s string) string {
	var b strings.Builder
	for _, r := range bib.Fold(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Attention Is All You Need", "Gödel", "K{\\\"u}chlin", "", "ABC-123 x_y", "İstanbul ß", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := fold(s), foldByRunes(s); got != want {
			t.Fatalf("fold(%q) = %q, want %q", s, got, want)
		}
	})
}
