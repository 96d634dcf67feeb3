package storage

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAddedRange(t *testing.T) {
	now := time.Date(2026, 11, 27, 15, 4, 0, 0, time.UTC)
	ms := func(y int, m time.Month, d int) int64 { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).UnixMilli() }
	for _, tt := range []struct {
		v      string
		lo, hi int64
		ok     bool
	}{
		{"today", ms(2026, 11, 27), ms(2026, 11, 28), true},
		{"7d", ms(2026, 11, 21), ms(2026, 11, 28), true},
		{"2026-11-01", ms(2026, 11, 1), ms(2026, 11, 2), true},
		{"2026-01-01..2026-06-30", ms(2026, 1, 1), ms(2026, 7, 1), true},
		{"2026-11-01..", ms(2026, 11, 1), math.MaxInt64, true},
		{"..2025-12-31", math.MinInt64, ms(2026, 1, 1), true},
		{"..", 0, 0, false},
		{"0d", 0, 0, false},
		{"soon", 0, 0, false},
		{"2026-13-01", 0, 0, false},
	} {
		lo, hi, ok := addedRange(tt.v, now)
		if ok != tt.ok || (ok && (lo != tt.lo || hi != tt.hi)) {
			t.Errorf("addedRange(%q) = %d, %d, %v; want %d, %d, %v", tt.v, lo, hi, ok, tt.lo, tt.hi, tt.ok)
		}
	}
}

func TestCompileQuery(t *testing.T) {
	tests := []struct {
		q     string
		match string
		where []string
		args  []any
	}{
		{q: "", match: ""},
		{q: "graph neural", match: `"graph"* AND "neural"*`},
		{q: `"graph neural" nets`, match: `"graph neural" AND "nets"*`},
		{q: "graph OR tree nets", match: `("graph"* OR "tree"*) AND "nets"*`},
		{q: "OR graph OR", match: `"graph"*`},
		{q: "author:lecun title:conv", match: `authors : "lecun"* AND title : "conv"*`},
		{q: `G{\"o}del`, match: `"Gödel"*`},
		{q: "state-of-the-art", match: `"state of the art"*`},
		{q: "-survey deep", match: `"deep"*`,
			where: []string{"e.id NOT IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)"}, args: []any{`"survey"*`}},
		{q: "year:2019", where: []string{"e.year = ?"}, args: []any{"2019"}},
		{q: "year:2023..2019", where: []string{"e.year GLOB '[0-9][0-9][0-9][0-9]*' AND CAST(substr(e.year, 1, 4) AS INTEGER) BETWEEN ? AND ?"}, args: []any{2019, 2023}},
		{q: "year:..2000", where: []string{"e.year GLOB '[0-9][0-9][0-9][0-9]*' AND CAST(substr(e.year, 1, 4) AS INTEGER) BETWEEN ? AND ?"}, args: []any{0, 2000}},
		{q: "-type:Misc", where: []string{"NOT (e.type = ?)"}, args: []any{"misc"}},
		{q: "year:soon", match: `"year soon"*`},
		{q: "foo:bar", match: `"foo bar"*`},
		{q: `title:"unclosed phrase`, match: `title : "unclosed phrase"`},
		{q: `"`, match: ""},
		{q: `AND( NEAR * "`, match: `"AND"* AND "NEAR"*`},
		{q: "- -", match: ""},
		{q: "n", match: `"n"`},
		{q: "ai ml", match: `"ai" AND "ml"`},
		{q: "neu", match: `"neu"*`},
		{q: "neural n", match: `"neural"* AND "n"`},
		{q: "-s", match: "", where: []string{"e.id NOT IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)"}, args: []any{`"s"`}},
		{q: "état", match: `"état"*`},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			c := compileQuery(tt.q)
			if c.match != tt.match {
				t.Errorf("match = %q, want %q", c.match, tt.match)
			}
			for i := range c.where {
				c.where[i] = strings.Join(strings.Fields(c.where[i]), " ")
			}
			if diff := cmp.Diff(tt.where, c.where); diff != "" {
				t.Errorf("where (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.args, c.args); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSearchLanguage runs the query language against a real library holding the sample, with
// tags, collections, notes, flags, an attachment and an entry in the trash. Its table of
// queries makes its length.
func TestSearchLanguage(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(errOf(l.AddTags(ctx, []string{"vinyals2015pointer"}, "ml/seq2seq")))
	must(errOf(l.AddTags(ctx, []string{"zhang2023noisy"}, "ml")))
	must(errOf(l.AddTags(ctx, []string{"garrido2023selfsupervised"}, "mlops")))
	group, err := l.CreateCollection(ctx, nil, "Reading group")
	must(err)
	week1, err := l.CreateCollection(ctx, []string{"Reading group"}, "Week 1")
	must(err)
	must(errOf(l.AddToCollection(ctx, group.ID, "ozair2019wasserstein")))
	must(errOf(l.AddToCollection(ctx, week1.ID, "barkan2025bee")))
	must(l.SetNote(ctx, "kim2023probabilistic", "Read for the *imputation* seminar; compare with zebrafish data."))
	must(errOf(l.SetRead(ctx, true, "vinyals2015pointer", "zhang2023noisy")))
	must(errOf(l.SetStarred(ctx, true, "zhang2023noisy")))
	pdf := filepath.Join(attachmentsDir(t, l), "pointer.pdf")
	must(os.MkdirAll(attachmentsDir(t, l), 0o755))
	must(os.WriteFile(pdf, []byte("%PDF-1.4"), 0o644))
	_, err = l.AddAttachment(ctx, "vinyals2015pointer", pdf)
	must(err)
	must(errOf(l.Trash(ctx, "gidaris2021obow")))

	keys := func(q string) []string {
		t.Helper()
		rows, err := l.SearchWith(ctx, SearchOptions{Query: q, Sort: "key"})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		n, err := l.CountMatches(ctx, Filter{}, q)
		if err != nil || n != len(rows) {
			t.Fatalf("CountMatches(%q) = %d, %v; the search gave %d", q, n, err, len(rows))
		}
		out := []string{}
		for _, r := range rows {
			out = append(out, r.Key)
		}
		return out
	}
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"tag:ml", []string{"vinyals2015pointer", "zhang2023noisy"}}, // children, not mlops
		{"tag:ml/seq2seq", []string{"vinyals2015pointer"}},
		{`tag:"contrastive"`, []string{}},                                         // quoted: that tag only
		{"tag:contrast", []string{}},                                              // a whole word
		{`in:"reading group"`, []string{"barkan2025bee", "ozair2019wasserstein"}}, // with its sub-collection
		{`in:"Week 1"`, []string{"barkan2025bee"}},
		{"zebrafish", []string{"kim2023probabilistic"}}, // words of notes
		{"notes:imputation", []string{"kim2023probabilistic"}},
		{"has:notes", []string{"kim2023probabilistic"}},
		{"has:pdf", []string{"vinyals2015pointer"}},
		{"is:starred", []string{"zhang2023noisy"}},
		{"pointer networks", []string{"vinyals2015pointer"}},
		{`"pointer networks"`, []string{"vinyals2015pointer"}},
		{`"networks pointer"`, []string{}},
		{"author:vinyals", []string{"vinyals2015pointer"}},
		{"title:vinyals", []string{}},
		{"year:2015", []string{"vinyals2015pointer"}},
		{"year:..2017 type:inproceedings", []string{"vinyals2015pointer", "wang2017transitive"}},
		{"year:2015..2017", []string{"vinyals2015pointer", "wang2017transitive"}},
		{"pointer OR wasserstein", []string{"ozair2019wasserstein", "vinyals2015pointer"}},
		{"is:read -is:starred", []string{"vinyals2015pointer"}},
		{"tag:ml -pointer", []string{"zhang2023noisy"}},
		{"key:vinyals", []string{"vinyals2015pointer"}},
		{"obow", []string{}}, // in the trash
		{"is:unfiled -is:unread -is:starred", []string{"vinyals2015pointer"}},
		{"-is:unfiled", []string{"barkan2025bee", "ozair2019wasserstein"}},
		{"added:1d -is:unread", []string{"vinyals2015pointer", "zhang2023noisy"}},
		{"added:..2001-01-01", []string{}},
	} {
		if diff := cmp.Diff(tt.want, keys(tt.q)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.q, diff)
		}
	}
	// An unquoted word finds the tags it is the first word of.
	if want := keys(`tag:"contrastive learning"`); len(want) < 2 || !slices.Equal(keys("tag:contrastive"), want) {
		t.Errorf(`tag:contrastive finds %v; tag:"contrastive learning" %v`, keys("tag:contrastive"), want)
	}
	if n := len(keys("is:unread")); n != 53 {
		t.Errorf("is:unread: %d entries, want 53 (56, less 2 read, less 1 in the trash)", n)
	}
	hostile := []string{`"`, `*`, `AND(`, `NEAR`, `a OR`, `OR`, `"unbalanced`, `-`, `tag:`, `in:"`, `year:1..x`,
		`title:"`, `'; DROP TABLE entries; --`, `NEAR(a b, 2)`, `a:b:c`, `{`, `\`, strings.Repeat("word ", 2000)}
	for _, q := range hostile {
		if _, err := l.SearchWith(ctx, SearchOptions{Query: q, Limit: 10}); err != nil {
			t.Errorf("Search(%.30q) = %v: any text is a valid query", q, err)
		}
	}
	// Pages of a ranked search, with an entry in the trash among the matches, add up to the
	// whole result in the same order.
	must(errOf(l.Trash(ctx, "zhang2023noisy")))
	whole, err := l.SearchWith(ctx, SearchOptions{Query: "learning"})
	must(err)
	var paged []Row
	for off := 0; ; off += 4 {
		rows, err := l.SearchWith(ctx, SearchOptions{Query: "learning", Offset: off, Limit: 4})
		must(err)
		paged = append(paged, rows...)
		if len(rows) < 4 {
			break
		}
	}
	if len(whole) < 10 || !cmp.Equal(whole, paged) {
		t.Errorf("ranked pages (%d rows) differ from the whole result (%d rows)", len(paged), len(whole))
	}
	must(errOf(l.Restore(ctx, "zhang2023noisy")))

	// Sorting by each column, both ways, pages without gaps or repeats.
	for col := range sortColumns {
		for _, desc := range []bool{false, true} {
			var all []string
			for off := 0; ; off += 10 {
				rows, err := l.SearchWith(ctx, SearchOptions{Sort: col, Desc: desc, Offset: off, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rows {
					all = append(all, r.Key)
				}
				if len(rows) < 10 {
					break
				}
			}
			if len(all) != 55 || len(slices.Compact(slices.Sorted(slices.Values(all)))) != 55 {
				t.Errorf("sort %s desc=%v: %d rows over the pages", col, desc, len(all))
			}
		}
	}
}

// TestSearchManyTerms: a query of 1,000 terms made SQLite refuse it ("Expression tree is too
// large"): each filter and excluded word was one more condition in a chain of ANDs. Words and
// excluded words are not limited now, a filter repeated is one, and more than maxFilters
// different filters are refused with ErrTooManyFilters.
func TestSearchManyTerms(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	repeat := func(n int, term func(i int) string) string {
		terms := make([]string, n)
		for i := range terms {
			terms[i] = term(i)
		}
		return strings.Join(terms, " ")
	}
	// Different filters, each true of vinyals2015pointer.
	filters := func(i int) string {
		if fixed := []string{"type:inproceedings", "-has:pdf", "is:unread", "added:1d"}; i < len(fixed) {
			return fixed[i]
		}
		kinds := []string{"-tag:x%d", `-in:"c%d"`, "year:..%d", "-year:%d", "-type:t%d"}
		return fmt.Sprintf(kinds[i%len(kinds)], 2020+i)
	}
	for _, tt := range []struct {
		name string
		q    string
		err  bool
	}{
		{"words", "pointer " + repeat(5000, func(int) string { return "networks" }), false},
		{"excluded words", "pointer " + repeat(5000, func(i int) string { return fmt.Sprintf("-zz%d", i) }), false},
		{"or", "pointer " + repeat(5000, func(i int) string { return fmt.Sprintf("zz%d OR", i) }) + " networks", false},
		{"column words", "pointer " + repeat(5000, func(i int) string { return "-title:zz" }), false},
		{"a filter repeated", "pointer " + repeat(5000, func(int) string { return "year:2015" }), false},
		{"filters", "pointer " + repeat(maxFilters, filters), false},
		{"collections", "pointer " + repeat(maxFilters, func(i int) string { return fmt.Sprintf(`-in:"c%d"`, i) }), false},
		{"too many filters", "pointer " + repeat(maxFilters+1, filters), true},
		{"far too many", "pointer " + repeat(5000, filters), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			if !tt.err {
				want = []string{"vinyals2015pointer"}
			}
			for _, sort := range []string{"", "year"} {
				rows, err := l.SearchWith(ctx, SearchOptions{Query: tt.q, Sort: sort, Limit: 10})
				if errors.Is(err, ErrTooManyFilters) != tt.err || err != nil && !tt.err {
					t.Fatalf("sort %q: %v", sort, err)
				}
				var keys []string
				for _, r := range rows {
					keys = append(keys, r.Key)
				}
				if diff := cmp.Diff(want, keys); diff != "" {
					t.Errorf("sort %q (-want +got):\n%s", sort, diff)
				}
			}
			if n, err := l.CountMatches(ctx, Filter{}, tt.q); errors.Is(err, ErrTooManyFilters) != tt.err || n != len(want) {
				t.Errorf("CountMatches = %d, %v", n, err)
			}
			if rows, err := l.Search(ctx, tt.q, 0, 10); errors.Is(err, ErrTooManyFilters) != tt.err || len(rows) != len(want) {
				t.Errorf("Search = %d rows, %v", len(rows), err)
			}
			var out strings.Builder
			if n, err := l.Export(ctx, &out, ExportOptions{Query: tt.q}); errors.Is(err, ErrTooManyFilters) != tt.err || n != len(want) {
				t.Errorf("Export = %d, %v", n, err)
			}
		})
	}
}
