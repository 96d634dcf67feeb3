package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const fourEntries = `@article{alpha, author = {Ada Lovelace}, title = {Analytical Engines}, year = 1843}
@article{beta, author = {Alan Turing}, title = {Computable Numbers}, year = 1936}
@article{gamma, author = {Kurt G{\"o}del}, title = {Incompleteness}, year = 1931}
@article{delta, author = {Emmy Noether}, title = {Ideal Theory}, year = 1921}
`

// mustOpenWith opens a new library holding the entries of a .bib source.
func mustOpenWith(tb testing.TB, src string) *Library {
	tb.Helper()
	l := mustOpen(tb)
	rep, err := l.Import(context.Background(), bib.Parse("t.bib", []byte(src)))
	if err != nil || rep.Rejected != 0 {
		tb.Fatalf("import: %+v, %v", rep, err)
	}
	return l
}

// upgrade closes a library an older schema version made and opens it with today's, which must
// bring it to the latest version.
func upgrade(tb testing.TB, old *Library) *Library {
	tb.Helper()
	if err := old.Close(); err != nil {
		tb.Fatal(err)
	}
	l, err := Open(context.Background(), old.Path())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	if v, err := l.schemaVersion(context.Background()); v != latestVersion(tb) || err != nil {
		tb.Fatalf("schema version = %d, %v; want %d", v, err, latestVersion(tb))
	}
	return l
}

// latestVersion is the version of the newest embedded migration.
// migrationCount is the number of migrations, one row each in schema_migrations.
func migrationCount(tb testing.TB) int {
	tb.Helper()
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		tb.Fatalf("migrations: %v, %v", names, err)
	}
	return len(names)
}

func latestVersion(tb testing.TB) int {
	tb.Helper()
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		tb.Fatalf("migrations: %v, %v", names, err)
	}
	// The newest migration's number, not their count: numbers are given out to parts of the
	// work before they are merged, so one may be missing for a while.
	return knownVersion()
}

// checkIntegrity fails the test when the full-text index does not hold exactly what the entries
// and notes say (rank 1 makes FTS5 compare the index with the content, not only with itself), or
// when a row refers to one that is gone.
func checkIntegrity(tb testing.TB, l *Library) {
	tb.Helper()
	if _, err := l.db.Exec(`INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		tb.Fatalf("full-text index: %v", err)
	}
	// From schema version 6 on, every entry has its entry_text row (and foreign_key_check
	// below finds a text row without its entry).
	var missing int
	if err := l.db.QueryRow(`SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'entry_text')
		THEN (SELECT count(*) FROM entries WHERE id NOT IN (SELECT id FROM entry_text)) ELSE 0 END`).Scan(&missing); err != nil {
		tb.Fatal(err)
	}
	if missing > 0 {
		tb.Fatalf("%d entries have no entry_text row", missing)
	}
	rows, err := l.db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		tb.Fatal("foreign_key_check finds rows that refer to missing ones")
	}
}

func searchKeys(tb testing.TB, l *Library, query string) []string {
	tb.Helper()
	rows, err := l.Search(context.Background(), query, 0, 1000)
	if err != nil {
		tb.Fatalf("Search(%q): %v", query, err)
	}
	var keys []string
	for _, r := range rows {
		keys = append(keys, r.Key)
	}
	return keys
}

func count(tb testing.TB, l *Library, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := l.db.QueryRow(query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.sqlite")
	old, err := open(ctx, path, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := old.schemaVersion(ctx); v != 1 || err != nil {
		t.Fatalf("schema version = %d, %v; want 1", v, err)
	}
	if n := count(t, old, `SELECT count(*) FROM sqlite_schema WHERE name = 'tags'`); n != 0 {
		t.Fatal("a version 1 library has no tags table")
	}
	for _, e := range sample(t).Entries() {
		insertAsVersion1(t, old, e)
	}
	l := upgrade(t, old)
	if n, err := l.Count(ctx); n != 56 || err != nil {
		t.Fatalf("Count = %d, %v; want 56", n, err)
	}
	checkIntegrity(t, l)
	if n := count(t, l, `SELECT count(*) FROM entries WHERE read = 0 AND rating = 0 AND starred = 0 AND trashed IS NULL`); n != 56 {
		t.Errorf("%d entries have the new columns' defaults, want 56", n)
	}
	if diff := cmp.Diff([]string{"vinyals2015pointer"}, searchKeys(t, l, "pointer networks")); diff != "" {
		t.Errorf("search after migration (-want +got):\n%s", diff)
	}
	if err := l.SetNote(ctx, "vinyals2015pointer", "read with quokkas"); err != nil {
		t.Fatal(err)
	}
	checkIntegrity(t, l)
	if diff := cmp.Diff([]string{"vinyals2015pointer"}, searchKeys(t, l, "quokkas")); diff != "" {
		t.Errorf("note search after migration (-want +got):\n%s", diff)
	}
}

// TestListOrdersUseIndexes checks that the entry list, sorted by any of its columns either way,
// reads an index in order instead of sorting the whole library for each page.
func TestListOrdersUseIndexes(t *testing.T) {
	l := mustOpen(t)
	for _, order := range []string{
		"e.id", "e.title COLLATE NOCASE", "e.first_author COLLATE NOCASE", "e.year",
		"e.venue COLLATE NOCASE", "e.key COLLATE NOCASE", "e.created",
	} {
		for _, dir := range []string{"", " DESC"} {
			q := `SELECT e.key FROM entries e WHERE e.trashed IS NULL ORDER BY ` + order + dir + `, e.id` + dir + ` LIMIT 100 OFFSET 5000`
			if plan := queryPlan(t, l, q); strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("ORDER BY %s%s sorts:\n%s", order, dir, plan)
			}
		}
	}
	q := `SELECT key FROM entries WHERE trashed IS NOT NULL ORDER BY trashed DESC, id DESC LIMIT 100`
	if plan := queryPlan(t, l, q); strings.Contains(plan, "TEMP B-TREE") || !strings.Contains(plan, "INDEX") {
		t.Errorf("the trash list does not use an index:\n%s", plan)
	}
}

func queryPlan(t *testing.T, l *Library, q string) string {
	t.Helper()
	rows, err := l.db.Query(`EXPLAIN QUERY PLAN ` + q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	return b.String()
}

func tagNames(tags []Tag) []string {
	var names []string
	for _, t := range tags {
		names = append(names, t.Name)
	}
	return names
}

// TestTags takes one library through tags added, listed, coloured, removed and deleted: a story
// whose steps build on the ones before, hence its length.
func TestTags(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, fourEntries)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(errOf(l.AddTags(ctx, []string{"alpha", "BETA"}, "ml/contrastive", "ml")))
	must(errOf(l.AddTags(ctx, []string{"gamma"}, " ML / rl ")))
	must(errOf(l.AddTags(ctx, []string{"delta"}, "ml-old", "ml zoo")))
	must(errOf(l.AddTags(ctx, []string{"alpha"}, "ml"))) // again: no second row
	must(errOf(l.AddTags(ctx, nil, "unused")))
	checkIntegrity(t, l)

	tags, err := l.Tags(ctx)
	must(err)
	want := []Tag{
		{Name: "ml", Count: 3}, // alpha and beta, and gamma through ML/rl
		{Name: "ml/contrastive", Count: 2},
		{Name: "ML/rl", Count: 1},
		{Name: "ml zoo", Count: 1},
		{Name: "ml-old", Count: 1},
		{Name: "unused", Count: 0},
	}
	if diff := cmp.Diff(want, tags); diff != "" {
		t.Errorf("Tags (-want +got):\n%s", diff)
	}
	got, err := l.EntryTags(ctx, "ALPHA")
	must(err)
	if diff := cmp.Diff([]string{"ml", "ml/contrastive"}, got); diff != "" {
		t.Errorf("EntryTags (-want +got):\n%s", diff)
	}

	must(errOf(l.Trash(ctx, "beta")))
	tags, err = l.Tags(ctx)
	must(err)
	if tags[0].Count != 2 || tags[1].Count != 1 {
		t.Errorf("with beta in the trash: %+v; want ml 2, ml/contrastive 1", tags[:2])
	}
	must(errOf(l.Restore(ctx, "beta")))

	for _, bad := range []string{"", "  ", "a//b", "/a", "a/", "a/ /b", "a\tb"} {
		if _, err := l.AddTags(ctx, []string{"alpha"}, bad); err == nil {
			t.Errorf("AddTags(%q) = nil, want an error", bad)
		}
	}
	if _, err := l.AddTags(ctx, []string{"alpha", "nosuch"}, "new"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("AddTags(nosuch) = %v, want fs.ErrNotExist", err)
	}
	if _, err := l.AddTags(ctx, []string{"alpha"}, "fine", "a//b"); err == nil {
		t.Error("AddTags(fine, a//b) = nil, want an error")
	}
	tags, err = l.Tags(ctx)
	must(err)
	if diff := cmp.Diff([]string{"ml", "ml/contrastive", "ML/rl", "ml zoo", "ml-old", "unused"}, tagNames(tags)); diff != "" {
		t.Errorf("a failed AddTags must change nothing (-want +got):\n%s", diff)
	}

	must(errOf(l.RemoveTags(ctx, []string{"alpha"}, "ML")))
	got, err = l.EntryTags(ctx, "alpha")
	must(err)
	if diff := cmp.Diff([]string{"ml/contrastive"}, got); diff != "" {
		t.Errorf("after RemoveTags (-want +got):\n%s", diff)
	}
	if _, err := l.RemoveTags(ctx, []string{"alpha"}, "nosuch"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RemoveTags(unknown tag) = %v, want fs.ErrNotExist", err)
	}
	if _, err := l.RemoveTags(ctx, []string{"nosuch"}, "ml"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RemoveTags(unknown key) = %v, want ErrNotFound", err)
	}
	if _, err := l.EntryTags(ctx, "nosuch"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("EntryTags(unknown key) = %v, want fs.ErrNotExist", err)
	}

	must(l.SetTagColour(ctx, "ML", "#FF8800"))
	for _, bad := range []string{"red", "#fff", "#12345g", "ff8800"} {
		if err := l.SetTagColour(ctx, "ml", bad); err == nil {
			t.Errorf("SetTagColour(%q) = nil, want an error", bad)
		}
	}
	if err := l.SetTagColour(ctx, "nosuch", "#000000"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("SetTagColour(unknown) = %v, want fs.ErrNotExist", err)
	}
	tags, err = l.Tags(ctx)
	must(err)
	if tags[0].Colour != "#ff8800" {
		t.Errorf("colour = %q, want #ff8800", tags[0].Colour)
	}

	// Deleting ml takes its children, not ml-old or ml zoo, and no entry.
	must(l.DeleteTag(ctx, "ml"))
	tags, err = l.Tags(ctx)
	must(err)
	if diff := cmp.Diff([]string{"ml zoo", "ml-old", "unused"}, tagNames(tags)); diff != "" {
		t.Errorf("after DeleteTag (-want +got):\n%s", diff)
	}
	if n, _ := l.Count(ctx); n != 4 {
		t.Errorf("Count = %d after DeleteTag, want 4", n)
	}
	if n := count(t, l, `SELECT count(*) FROM entry_tags`); n != 2 {
		t.Errorf("%d entry_tags rows, want 2 (delta's)", n)
	}
	if err := l.DeleteTag(ctx, "ml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("DeleteTag(gone) = %v, want fs.ErrNotExist", err)
	}
	checkIntegrity(t, l)
}

// TestRenameTag is a table of renames (and merges) with the tags before and after; the table
// makes its length.
func TestRenameTag(t *testing.T) {
	for _, tt := range []struct {
		name     string
		before   map[string][]string // entry key: tags
		colours  map[string]string
		old, new string
		after    map[string][]string
		tags     []Tag // when set, what Tags returns after
		err      error // when set, the error wanted; any error when errAny
		errAny   bool
	}{
		{
			name:   "plain",
			before: map[string][]string{"alpha": {"a"}},
			old:    "a", new: "b",
			after: map[string][]string{"alpha": {"b"}},
		},
		{
			name:   "children follow, lookalikes stay",
			before: map[string][]string{"alpha": {"ml", "ml/rl"}, "beta": {"ml/rl/deep"}, "gamma": {"mlx", "ml-x"}},
			old:    "ML", new: "learning",
			after: map[string][]string{"alpha": {"learning", "learning/rl"}, "beta": {"learning/rl/deep"}, "gamma": {"ml-x", "mlx"}},
		},
		{
			name:    "merge with overlapping entries",
			before:  map[string][]string{"alpha": {"old", "new"}, "beta": {"old"}, "gamma": {"new"}},
			colours: map[string]string{"old": "#ff0000"},
			old:     "old", new: "new",
			after: map[string][]string{"alpha": {"new"}, "beta": {"new"}, "gamma": {"new"}},
			tags:  []Tag{{Name: "new", Colour: "#ff0000", Count: 3}},
		},
		{
			name:    "merge keeps the target's colour",
			before:  map[string][]string{"alpha": {"old"}, "beta": {"new"}},
			colours: map[string]string{"old": "#ff0000", "new": "#00ff00"},
			old:     "old", new: "new",
			after: map[string][]string{"alpha": {"new"}, "beta": {"new"}},
			tags:  []Tag{{Name: "new", Colour: "#00ff00", Count: 2}},
		},
		{
			name:   "merge of children",
			before: map[string][]string{"alpha": {"a/x", "b/x"}, "beta": {"a/y", "b"}},
			old:    "a", new: "b",
			after: map[string][]string{"alpha": {"b/x"}, "beta": {"b", "b/y"}},
		},
		{
			name:   "up into the parent",
			before: map[string][]string{"alpha": {"a/b"}, "beta": {"a/b/b"}, "gamma": {"a"}},
			old:    "a/b", new: "a",
			after: map[string][]string{"alpha": {"a"}, "beta": {"a/b"}, "gamma": {"a"}},
		},
		{
			name:   "down into a child",
			before: map[string][]string{"alpha": {"a"}, "beta": {"a/x"}, "gamma": {"a/b"}},
			old:    "a", new: "a/b",
			after: map[string][]string{"alpha": {"a/b"}, "beta": {"a/b/x"}, "gamma": {"a/b/b"}},
		},
		{
			name:   "case only",
			before: map[string][]string{"alpha": {"ML", "ML/RL"}},
			old:    "ml", new: "Ml",
			after: map[string][]string{"alpha": {"Ml", "Ml/RL"}},
		},
		{
			name:   "unknown tag",
			before: map[string][]string{"alpha": {"a"}},
			old:    "b", new: "c",
			after: map[string][]string{"alpha": {"a"}},
			err:   fs.ErrNotExist,
		},
		{
			name:   "bad new name",
			before: map[string][]string{"alpha": {"a"}},
			old:    "a", new: "b//c",
			after:  map[string][]string{"alpha": {"a"}},
			errAny: true,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			l := mustOpenWith(t, fourEntries)
			links := 0
			for key, tags := range tt.before {
				if _, err := l.AddTags(ctx, []string{key}, tags...); err != nil {
					t.Fatal(err)
				}
			}
			for tag, c := range tt.colours {
				if err := l.SetTagColour(ctx, tag, c); err != nil {
					t.Fatal(err)
				}
			}
			err := l.RenameTag(ctx, tt.old, tt.new)
			switch {
			case tt.errAny && err == nil:
				t.Fatalf("RenameTag = nil, want an error")
			case tt.err != nil && !errors.Is(err, tt.err):
				t.Fatalf("RenameTag = %v, want %v", err, tt.err)
			case tt.err == nil && !tt.errAny && err != nil:
				t.Fatalf("RenameTag: %v", err)
			}
			got := map[string][]string{}
			for key := range tt.before {
				tags, err := l.EntryTags(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				got[key] = tags
			}
			if diff := cmp.Diff(tt.after, got); diff != "" {
				t.Errorf("tags after (-want +got):\n%s", diff)
			}
			for _, tags := range tt.after {
				links += len(tags)
			}
			if n := count(t, l, `SELECT count(*) FROM entry_tags`); n != links {
				t.Errorf("%d entry_tags rows, want %d", n, links)
			}
			if tt.tags != nil {
				tags, err := l.Tags(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.tags, tags); diff != "" {
					t.Errorf("Tags (-want +got):\n%s", diff)
				}
			}
			if n := count(t, l, `SELECT count(*) FROM tags WHERE name GLOB '*[`+"\x01"+`]*'`); n != 0 {
				t.Errorf("%d tags kept a temporary name", n)
			}
		})
	}
}

func collectionSummary(cs []Collection) []string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s (%d)", strings.Join(c.Path, " > "), c.Count))
	}
	return out
}

// TestCollections takes one library through collections made, nested, renamed, moved, filled,
// emptied and deleted: a story whose steps build on the ones before, hence its length.
func TestCollections(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, fourEntries)
	create := func(parent []string, name string) Collection {
		t.Helper()
		c, err := l.CreateCollection(ctx, parent, name)
		if err != nil {
			t.Fatalf("CreateCollection(%q, %q): %v", parent, name, err)
		}
		return c
	}
	reading := create(nil, "Reading")
	thesis := create(nil, " Thesis ")
	ch1 := create([]string{"thesis"}, "Chapter 1")
	ch2 := create([]string{"Thesis"}, "Chapter 2")
	slash := create(nil, "ML/RL papers") // a slash is part of the name
	deep := create([]string{"Thesis", "chapter 1"}, "Figures")
	if diff := cmp.Diff(Collection{ID: deep.ID, ParentID: ch1.ID, Name: "Figures", Path: []string{"Thesis", "Chapter 1", "Figures"}}, deep); diff != "" {
		t.Errorf("CreateCollection (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		parent []string
		name   string
		err    error
	}{
		{nil, "reading", fs.ErrExist},
		{[]string{"Thesis"}, "CHAPTER 1", fs.ErrExist},
		{[]string{"Nowhere"}, "x", fs.ErrNotExist},
		{[]string{"Thesis", "Nowhere"}, "x", fs.ErrNotExist},
		{nil, "  ", nil},
		{nil, "a\nb", nil},
	} {
		_, err := l.CreateCollection(ctx, tt.parent, tt.name)
		if err == nil || tt.err != nil && !errors.Is(err, tt.err) {
			t.Errorf("CreateCollection(%q, %q) = %v, want %v", tt.parent, tt.name, err, tt.err)
		}
	}
	// The same name in another parent is fine.
	create([]string{"Reading"}, "Chapter 1")

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(errOf(l.AddToCollection(ctx, thesis.ID, "alpha", "beta")))
	must(errOf(l.AddToCollection(ctx, thesis.ID, "ALPHA"))) // again: nothing changes
	must(errOf(l.AddToCollection(ctx, ch1.ID, "alpha", "gamma")))
	must(errOf(l.Trash(ctx, "gamma")))
	if _, err := l.AddToCollection(ctx, ch2.ID, "delta", "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("AddToCollection(nosuch) = %v, want ErrNotFound", err)
	}
	if _, err := l.AddToCollection(ctx, 9999, "delta"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("AddToCollection(no collection) = %v, want fs.ErrNotExist", err)
	}
	cs, err := l.Collections(ctx)
	must(err)
	want := []string{
		"Reading (0)", "Reading > Chapter 1 (0)",
		"Thesis (2)", "Thesis > Chapter 1 (1)", "Thesis > Chapter 1 > Figures (0)", "Thesis > Chapter 2 (0)",
		"ML/RL papers (0)",
	}
	if diff := cmp.Diff(want, collectionSummary(cs)); diff != "" {
		t.Errorf("Collections (-want +got):\n%s", diff)
	}
	in, err := l.EntryCollections(ctx, "alpha")
	must(err)
	if diff := cmp.Diff([]string{"Thesis (2)", "Thesis > Chapter 1 (1)"}, collectionSummary(in)); diff != "" {
		t.Errorf("EntryCollections (-want +got):\n%s", diff)
	}
	if _, err := l.EntryCollections(ctx, "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("EntryCollections(nosuch) = %v", err)
	}

	if err := l.RenameCollection(ctx, ch1.ID, "chapter 2"); !errors.Is(err, fs.ErrExist) {
		t.Errorf("RenameCollection to a sibling's name = %v, want fs.ErrExist", err)
	}
	must(l.RenameCollection(ctx, ch1.ID, "Introduction"))
	must(l.RenameCollection(ctx, ch1.ID, "INTRODUCTION")) // its own name in another case
	if err := l.RenameCollection(ctx, 9999, "x"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RenameCollection(no collection) = %v", err)
	}

	for _, tt := range []struct {
		id, parent int64
		err        error // any error when nil
	}{
		{thesis.ID, thesis.ID, nil},
		{thesis.ID, ch1.ID, nil},
		{thesis.ID, deep.ID, nil},
		{ch1.ID, 9999, fs.ErrNotExist},
		{9999, 0, fs.ErrNotExist},
	} {
		err := l.MoveCollection(ctx, tt.id, tt.parent)
		if err == nil || tt.err != nil && !errors.Is(err, tt.err) {
			t.Errorf("MoveCollection(%d, %d) = %v, want %v", tt.id, tt.parent, err, tt.err)
		}
	}
	must(l.RenameCollection(ctx, slash.ID, "Chapter 2"))
	if err := l.MoveCollection(ctx, slash.ID, thesis.ID); !errors.Is(err, fs.ErrExist) {
		t.Errorf("MoveCollection next to a namesake = %v, want fs.ErrExist", err)
	}
	if err := l.MoveCollection(ctx, ch2.ID, 0); !errors.Is(err, fs.ErrExist) {
		t.Errorf("MoveCollection next to a namesake at the top = %v, want fs.ErrExist", err)
	}
	must(l.MoveCollection(ctx, ch1.ID, reading.ID))
	must(l.MoveCollection(ctx, ch2.ID, slash.ID))
	must(l.MoveCollection(ctx, thesis.ID, 0)) // where it is: it keeps its place
	must(errOf(l.RemoveFromCollection(ctx, thesis.ID, "beta")))
	if _, err := l.RemoveFromCollection(ctx, thesis.ID, "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RemoveFromCollection(nosuch) = %v", err)
	}
	cs, err = l.Collections(ctx)
	must(err)
	want = []string{
		"Reading (0)", "Reading > Chapter 1 (0)", "Reading > INTRODUCTION (1)", "Reading > INTRODUCTION > Figures (0)",
		"Thesis (1)",
		"Chapter 2 (0)", "Chapter 2 > Chapter 2 (0)",
	}
	if diff := cmp.Diff(want, collectionSummary(cs)); diff != "" {
		t.Errorf("Collections after moves (-want +got):\n%s", diff)
	}

	// Deleting Reading deletes its children and their memberships, never an entry.
	must(l.DeleteCollection(ctx, reading.ID))
	cs, err = l.Collections(ctx)
	must(err)
	if diff := cmp.Diff([]string{"Thesis (1)", "Chapter 2 (0)", "Chapter 2 > Chapter 2 (0)"}, collectionSummary(cs)); diff != "" {
		t.Errorf("Collections after delete (-want +got):\n%s", diff)
	}
	if n := count(t, l, `SELECT count(*) FROM collection_entries`); n != 1 {
		t.Errorf("%d collection_entries rows, want 1", n)
	}
	if n := count(t, l, `SELECT count(*) FROM entries`); n != 4 {
		t.Errorf("%d entries, want 4", n)
	}
	if err := l.DeleteCollection(ctx, reading.ID); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("DeleteCollection(gone) = %v", err)
	}
	checkIntegrity(t, l)
}

func TestSavedSearches(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	for _, s := range []SavedSearch{{Name: "unread", Query: "is:unread"}, {Name: "Graphs", Query: "graph"},
		{Name: "UNREAD", Query: "is:unread tag:ml"}, {Name: "Drafts", Query: "graph", Filter: Filter{Collection: 3, Tags: []string{`a "b"`}}}} {
		if err := l.SaveSearch(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := l.SavedSearches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []SavedSearch{{Name: "Drafts", Query: "graph", Filter: Filter{Collection: 3, Tags: []string{`a "b"`}}},
		{Name: "Graphs", Query: "graph"}, {Name: "UNREAD", Query: "is:unread tag:ml"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SavedSearches (-want +got):\n%s", diff)
	}
	if err := l.SaveSearch(ctx, SavedSearch{Name: " ", Query: "x"}); err == nil {
		t.Error("SaveSearch with no name = nil, want an error")
	}
	if err := l.DeleteSavedSearch(ctx, "graphs"); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteSavedSearch(ctx, "graphs"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("DeleteSavedSearch(gone) = %v, want fs.ErrNotExist", err)
	}
	if got, _ := l.SavedSearches(ctx); len(got) != 2 {
		t.Errorf("SavedSearches = %v, want two", got)
	}
}

func TestNotes(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, fourEntries)
	step := func(name string, f func() error, query string, want []string) {
		t.Helper()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkIntegrity(t, l)
		if diff := cmp.Diff(want, searchKeys(t, l, query), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
			t.Errorf("%s: Search(%q) (-want +got):\n%s", name, query, diff)
		}
	}
	step("set", func() error { return l.SetNote(ctx, "ALPHA", "# Reading\n\nCompare with the *Jacquard* loom.") }, "jacquard", []string{"alpha"})
	step("words of the entry still count", func() error { return nil }, "jacquard lovelace", []string{"alpha"})
	step("replace", func() error { return l.SetNote(ctx, "alpha", "Babbage's mill") }, "jacquard", nil)
	step("the new note", func() error { return nil }, "babbage mill", []string{"alpha"})
	step("a second note", func() error { return l.SetNote(ctx, "gamma", "mill of Gödel") }, "mill", []string{"alpha", "gamma"})
	step("update an entry with a note", func() error {
		_, err := l.db.Exec(`UPDATE entries SET title = 'Unvollständigkeit' WHERE key = 'gamma'`)
		return err
	}, "unvollstandigkeit mill", []string{"gamma"})
	step("delete", func() error { return l.SetNote(ctx, "alpha", " \n ") }, "babbage", nil)

	if note, err := l.Note(ctx, "alpha"); note != "" || err != nil {
		t.Errorf("Note after delete = %q, %v; want none", note, err)
	}
	if note, err := l.Note(ctx, "Gamma"); note != "mill of Gödel" || err != nil {
		t.Errorf("Note = %q, %v", note, err)
	}
	if err := l.SetNote(ctx, "nosuch", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetNote(nosuch) = %v, want ErrNotFound", err)
	}
	if _, err := l.Note(ctx, "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Note(nosuch) = %v, want ErrNotFound", err)
	}

	// An entry with a note leaves the index whole when it is deleted.
	step("trash", func() error { return errOf(l.Trash(ctx, "gamma")) }, "mill", nil)
	step("empty trash", func() error { _, err := l.EmptyTrash(ctx); return err }, "mill", nil)
	if n := count(t, l, `SELECT count(*) FROM notes`); n != 0 {
		t.Errorf("%d notes left, want 0", n)
	}
	step("import the key again", func() error {
		_, err := l.Import(ctx, bib.Parse("again.bib", []byte(`@misc{gamma, title = {Mill}}`)))
		return err
	}, "mill", []string{"gamma"})
}

func TestAttachments(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, fourEntries)
	write := func(path string) string { return writePDF(t, path) }
	inside := write(filepath.Join(attachmentsDir(t, l), "Lovelace", "notes on the engine.pdf"))
	outside := write(filepath.Join(t.TempDir(), "elsewhere.pdf"))
	// A path that only looks inside: the folder's name is a prefix of its parent's.
	lookalike := write(filepath.Join(attachmentsDir(t, l)+"-old", "x.pdf"))

	a1, err := l.AddAttachment(ctx, "alpha", inside)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := l.AddAttachment(ctx, "ALPHA", outside)
	if err != nil {
		t.Fatal(err)
	}
	a3, err := l.AddAttachment(ctx, "alpha", filepath.Join(attachmentsDir(t, l), "Lovelace", "..", "..", filepath.Base(attachmentsDir(t, l))+"-old", "x.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := l.AddAttachment(ctx, "alpha", inside)
	if err != nil || again.ID != a1.ID {
		t.Errorf("attaching the same file again = %+v, %v; want attachment %d", again, err, a1.ID)
	}
	got, err := l.Attachments(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	want := []Attachment{
		{ID: a1.ID, Path: inside, stored: "Lovelace/notes on the engine.pdf", InFolder: true},
		{ID: a2.ID, Path: outside, stored: outside},
		{ID: a3.ID, Path: lookalike, stored: lookalike},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(Attachment{}), cmpopts.IgnoreFields(Attachment{}, "Added")); diff != "" {
		t.Errorf("Attachments (-want +got):\n%s", diff)
	}
	if got[0].Added.IsZero() {
		t.Error("Added is not set")
	}

	if err := os.Remove(outside); err != nil {
		t.Fatal(err)
	}
	got, _ = l.Attachments(ctx, "alpha")
	if got[0].Missing || !got[1].Missing {
		t.Errorf("Missing = %v, %v; want false, true", got[0].Missing, got[1].Missing)
	}
	if _, err := l.AddAttachment(ctx, "alpha", outside); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("AddAttachment(missing file) = %v, want fs.ErrNotExist", err)
	}
	if _, err := l.AddAttachment(ctx, "nosuch", inside); !errors.Is(err, ErrNotFound) {
		t.Errorf("AddAttachment(nosuch) = %v, want ErrNotFound", err)
	}
	if _, err := l.Attachments(ctx, "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Attachments(nosuch) = %v, want ErrNotFound", err)
	}
	if err := l.RemoveAttachment(ctx, "beta", a2.ID); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RemoveAttachment(another entry's) = %v, want fs.ErrNotExist", err)
	}
	if err := l.RemoveAttachment(ctx, "alpha", a2.ID); err != nil {
		t.Fatal(err)
	}
	if err := l.RemoveAttachment(ctx, "alpha", a2.ID); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RemoveAttachment(gone) = %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(inside); err != nil {
		t.Fatalf("the file itself must stay: %v", err)
	}

	// The library moves to another folder with its attachments: the link inside still works.
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(t.TempDir(), "moved")
	copyTree(t, filepath.Dir(l.Path()), moved)
	m, err := Open(ctx, filepath.Join(moved, filepath.Base(l.Path())))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	got, err = m.Attachments(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	wantPath := filepath.Join(moved, "attachments", "Lovelace", "notes on the engine.pdf")
	if len(got) != 2 || got[0].Path != wantPath || got[0].Missing {
		t.Errorf("after the move: %+v; want %s, not missing", got, wantPath)
	}
}

// copyTree copies the files of a folder; the library must be closed.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(dst)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFlags(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, fourEntries)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(errOf(l.SetRead(ctx, true, "alpha", "BETA")))
	must(errOf(l.SetRead(ctx, false, "beta")))
	must(errOf(l.SetStarred(ctx, true, "gamma")))
	must(errOf(l.SetRating(ctx, "alpha", 5)))
	must(errOf(l.SetRating(ctx, "delta", 1)))
	must(errOf(l.SetRating(ctx, "delta", 0)))
	for _, r := range []int{-1, 6, 100} {
		if _, err := l.SetRating(ctx, "alpha", r); err == nil {
			t.Errorf("SetRating(%d) = nil, want an error", r)
		}
	}
	if _, err := l.SetRating(ctx, "nosuch", 3); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetRating(nosuch) = %v, want ErrNotFound", err)
	}
	if _, err := l.SetRead(ctx, true, "delta", "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetRead(nosuch) = %v, want ErrNotFound", err)
	}
	if _, err := l.SetStarred(ctx, true, "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetStarred(nosuch) = %v, want ErrNotFound", err)
	}
	if _, err := l.db.Exec(`UPDATE entries SET rating = 6 WHERE key = 'alpha'`); err == nil {
		t.Error("the schema accepts a rating of 6")
	}
	got := map[string]Flags{}
	for _, k := range []string{"alpha", "beta", "gamma", "delta"} {
		f, err := l.EntryFlags(ctx, k)
		must(err)
		got[k] = f
	}
	want := map[string]Flags{
		"alpha": {Read: true, Rating: 5},
		"beta":  {},
		"gamma": {Starred: true},
		"delta": {}, // the failed SetRead changed nothing
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flags (-want +got):\n%s", diff)
	}
	if _, err := l.EntryFlags(ctx, "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("EntryFlags(nosuch) = %v", err)
	}
	checkIntegrity(t, l)
}

// TestTrash takes one library through entries trashed, restored and emptied from the trash, and
// what each step leaves of their tags, collections, notes, attachments and exports: a story
// whose steps build on the ones before, hence its length.
func TestTrash(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, fourEntries)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	export := func() []string {
		t.Helper()
		var buf bytes.Buffer
		if _, err := l.Export(ctx, &buf, ExportOptions{}); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, e := range bib.Parse("x.bib", buf.Bytes()).Entries() {
			keys = append(keys, e.Key)
		}
		return keys
	}
	visible := func(name string, want []string) {
		t.Helper()
		checkIntegrity(t, l)
		if diff := cmp.Diff(want, searchKeys(t, l, "")); diff != "" {
			t.Errorf("%s: Search (-want +got):\n%s", name, diff)
		}
		if diff := cmp.Diff(want, export()); diff != "" {
			t.Errorf("%s: Export (-want +got):\n%s", name, diff)
		}
		if n, err := l.Count(ctx); n != len(want) || err != nil {
			t.Errorf("%s: Count = %d, %v; want %d", name, n, err, len(want))
		}
	}

	if _, err := l.Trash(ctx, "alpha", "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Trash(nosuch) = %v, want ErrNotFound", err)
	}
	visible("a failed Trash", []string{"alpha", "beta", "gamma", "delta"})

	must(errOf(l.Trash(ctx, "beta")))
	must(errOf(l.Trash(ctx, "GAMMA")))
	visible("trashed", []string{"alpha", "delta"})
	if keys := searchKeys(t, l, "turing"); keys != nil {
		t.Errorf("Search(turing) = %v: beta is in the trash", keys)
	}
	var buf bytes.Buffer
	if n, err := l.Export(ctx, &buf, ExportOptions{Query: "turing"}); n != 0 || err != nil {
		t.Errorf("Export(turing) = %d, %v; want 0", n, err)
	}
	rows, err := l.Trashed(ctx, 0, 10)
	must(err)
	if len(rows) != 2 || rows[0].Key != "gamma" || rows[1].Key != "beta" {
		t.Errorf("Trashed = %+v; want gamma, beta", rows)
	}
	if rows, _ := l.Trashed(ctx, 1, 10); len(rows) != 1 || rows[0].Key != "beta" {
		t.Errorf("Trashed from 1 = %+v; want beta", rows)
	}
	if f, _ := l.EntryFlags(ctx, "beta"); f.Trashed.IsZero() {
		t.Error("beta has no trash time")
	}
	if _, err := l.Entry(ctx, "beta"); err != nil {
		t.Errorf("Entry(trashed) = %v: an entry in the trash can still be shown", err)
	}

	// A key in the trash is taken: importing the entry again is skipped as a duplicate.
	rep, err := l.Import(ctx, bib.Parse("again.bib", []byte(`@Article{BETA, title = "Computable Numbers", author = {Alan Turing}, year = {1936}}`)))
	if err != nil || rep.Imported != 0 || rep.Duplicates != 1 {
		t.Errorf("import of a trashed entry = %+v, %v; want 1 duplicate", rep, err)
	}

	must(errOf(l.Restore(ctx, "beta")))
	visible("restored", []string{"alpha", "beta", "delta"})
	if diff := cmp.Diff([]string{"beta"}, searchKeys(t, l, "turing")); diff != "" {
		t.Errorf("Search(turing) after restore (-want +got):\n%s", diff)
	}

	// gamma, still in the trash, takes everything attached to it when the trash is emptied.
	must(errOf(l.AddTags(ctx, []string{"gamma", "alpha"}, "logic")))
	must(l.SetNote(ctx, "gamma", "incompleteness notes"))
	c, err := l.CreateCollection(ctx, nil, "Logic")
	must(err)
	must(errOf(l.AddToCollection(ctx, c.ID, "gamma", "alpha")))
	must(l.MarkNotDuplicate(ctx, "gamma", "alpha"))
	file := filepath.Join(t.TempDir(), "g.pdf")
	must(os.WriteFile(file, nil, 0o644))
	_, err = l.AddAttachment(ctx, "gamma", file)
	must(err)
	var gammaID int64
	must(l.db.QueryRow(`SELECT id FROM entries WHERE key = 'gamma'`).Scan(&gammaID))

	n, err := l.EmptyTrash(ctx)
	if n != 1 || err != nil {
		t.Fatalf("EmptyTrash = %d, %v; want 1", n, err)
	}
	visible("emptied", []string{"alpha", "beta", "delta"})
	for _, table := range []string{"entry_tags WHERE entry_id", "notes WHERE entry_id", "attachments WHERE entry_id",
		"collection_entries WHERE entry_id", "not_duplicates WHERE a = ?1 OR b"} {
		if n := count(t, l, `SELECT count(*) FROM `+table+` = ?1`, gammaID); n != 0 {
			t.Errorf("%s: %d rows of the deleted entry are left", table, n)
		}
	}
	tags, err := l.Tags(ctx)
	must(err)
	if diff := cmp.Diff([]Tag{{Name: "logic", Count: 1}}, tags); diff != "" {
		t.Errorf("Tags after EmptyTrash (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(file); err != nil {
		t.Errorf("the attached file must stay: %v", err)
	}
	if _, err := l.Entry(ctx, "gamma"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Entry(gamma) = %v after EmptyTrash, want ErrNotFound", err)
	}
	if n, err := l.EmptyTrash(ctx); n != 0 || err != nil {
		t.Errorf("EmptyTrash of an empty trash = %d, %v", n, err)
	}
	rep, err = l.Import(ctx, bib.Parse("again.bib", []byte(`@misc{gamma, title = {Back}}`)))
	if err != nil || rep.Imported != 1 {
		t.Errorf("import of a deleted key = %+v, %v; want it imported", rep, err)
	}
	checkIntegrity(t, l)
}

func TestNotDuplicate(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, fourEntries)
	if err := l.MarkNotDuplicate(ctx, "gamma", "Alpha"); err != nil {
		t.Fatal(err)
	}
	if err := l.MarkNotDuplicate(ctx, "alpha", "gamma"); err != nil {
		t.Fatalf("marking again: %v", err)
	}
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"alpha", "gamma", true},
		{"GAMMA", "alpha", true},
		{"alpha", "beta", false},
		{"alpha", "alpha", false},
	} {
		got, err := l.NotDuplicate(ctx, tt.a, tt.b)
		if got != tt.want || err != nil {
			t.Errorf("NotDuplicate(%s, %s) = %v, %v; want %v", tt.a, tt.b, got, err, tt.want)
		}
	}
	if n := count(t, l, `SELECT count(*) FROM not_duplicates`); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
	if err := l.MarkNotDuplicate(ctx, "alpha", "ALPHA"); err == nil {
		t.Error("MarkNotDuplicate(alpha, ALPHA) = nil, want an error")
	}
	if err := l.MarkNotDuplicate(ctx, "alpha", "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkNotDuplicate(nosuch) = %v, want ErrNotFound", err)
	}
	if _, err := l.NotDuplicate(ctx, "nosuch", "alpha"); !errors.Is(err, ErrNotFound) {
		t.Errorf("NotDuplicate(nosuch) = %v, want ErrNotFound", err)
	}
}

// TestReadsDoNotWaitForWriters reads while another connection holds the write lock, as an import
// does for seconds: the reads must answer from their snapshot at once.
func TestReadsDoNotWaitForWriters(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, fourEntries)
	if _, err := l.AddTags(ctx, []string{"alpha"}, "ml"); err != nil {
		t.Fatal(err)
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE entries SET title = 'changing' WHERE key = 'beta'`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	for name, read := range map[string]func() error{
		"Tags":             func() error { _, err := l.Tags(ctx); return err },
		"EntryTags":        func() error { _, err := l.EntryTags(ctx, "alpha"); return err },
		"Collections":      func() error { _, err := l.Collections(ctx); return err },
		"EntryCollections": func() error { _, err := l.EntryCollections(ctx, "alpha"); return err },
		"SavedSearches":    func() error { _, err := l.SavedSearches(ctx); return err },
		"Note":             func() error { _, err := l.Note(ctx, "alpha"); return err },
		"Attachments":      func() error { _, err := l.Attachments(ctx, "alpha"); return err },
		"EntryFlags":       func() error { _, err := l.EntryFlags(ctx, "alpha"); return err },
		"Trashed":          func() error { _, err := l.Trashed(ctx, 0, 10); return err },
		"NotDuplicate":     func() error { _, err := l.NotDuplicate(ctx, "alpha", "beta"); return err },
	} {
		start := time.Now()
		if err := read(); err != nil || time.Since(start) > time.Second {
			t.Errorf("%s took %v with a writer busy: %v", name, time.Since(start), err)
		}
	}
}

// insertAsVersion1 adds an entry with only the columns of schema version 1, as a library made
// by an earlier release holds it: Import writes today's columns.
func insertAsVersion1(tb testing.TB, l *Library, e *bib.Entry) {
	tb.Helper()
	row := entryRow(e)
	if _, err := l.db.Exec(`INSERT INTO entries (key, type, `+rowColumns+`, `+textColumns+`, origin, created, modified)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, 0)`,
		append([]any{e.Key, e.Type}, row...)...); err != nil {
		tb.Fatalf("insert %q: %v", e.Key, err)
	}
}

// errOf is the error of a call that also returns a value the test does not need.
func errOf[T any](_ T, err error) error { return err }
