package storage

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bibshelf/bibshelf/bib"
)

const yearEntries = `@book{circa, title = {Circa}, year = {c. 2019}}
@book{sorted, title = {Sorted}, year = {{\noopsort{a}}2019}}
@book{dated, title = {Dated}, date = {2019-05-01}}
@book{lettered, title = {Lettered}, year = {2019a}}
@book{press, title = {Pressing}, year = {in press}}
@book{other, title = {Other}, year = {2020}}
`

// TestYearIsReadOnce: the year: search, the list's Year column, citation keys and duplicate
// detection read a year the same way (bib.Year): c. 2019 is 2019 for all of them.
func TestYearIsReadOnce(t *testing.T) {
	check := func(t *testing.T, l *Library) {
		t.Helper()
		if diff := cmp.Diff([]string{"circa", "sorted", "dated", "lettered"}, searchKeys(t, l, "year:2019")); diff != "" {
			t.Errorf("year:2019 (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"circa", "sorted", "dated", "lettered", "other"}, searchKeys(t, l, "year:2019..2020")); diff != "" {
			t.Errorf("year:2019..2020 (-want +got):\n%s", diff)
		}
		rows, err := l.SearchWith(context.Background(), SearchOptions{Query: "pressing"})
		if err != nil || len(rows) != 1 || rows[0].Year != "in press" {
			t.Errorf("an entry without a four-digit year: %+v, %v; want its year field in the column", rows, err)
		}
	}
	t.Run("imported", func(t *testing.T) { check(t, mustOpenWith(t, yearEntries)) })
	t.Run("upgraded", func(t *testing.T) {
		// A library of schema 9 holds the year field as written; opening it with this release
		// rewrites the column.
		ctx := context.Background()
		old, err := open(ctx, filepath.Join(t.TempDir(), "old.sqlite"), 9, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := old.Import(ctx, bib.Parse("t.bib", []byte(yearEntries))); err != nil {
			t.Fatal(err)
		}
		if _, err := old.db.ExecContext(ctx, `UPDATE entries SET year = 'c. 2019' WHERE key = 'circa'`); err != nil {
			t.Fatal(err)
		}
		check(t, upgrade(t, old))
	})
	f := bib.Parse("t.bib", []byte(yearEntries))
	for i, want := range []string{"2019", "2019", "2019", "2019", "", "2020"} {
		e := f.Entries()[i]
		if got := bib.Year(e); got != want {
			t.Errorf("bib.Year(%s) = %q, want %q", e.Key, got, want)
		}
	}
	a, b := f.Entries()[0], bib.Parse("u.bib", []byte(`@book{x, title = {Circa}, year = 2019}`)).Entries()[0]
	if identify(a).TitleKey != identify(b).TitleKey {
		t.Errorf("duplicate detection reads c. 2019 and 2019 apart: %q, %q", identify(a).TitleKey, identify(b).TitleKey)
	}
}
