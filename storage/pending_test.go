package storage

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/google/go-cmp/cmp"
)

// TestIndexLater imports a file with IndexLater into one library and without it into another,
// changes the new entries in both before the first is indexed (an abstract rewritten, notes
// added, changed and removed, the last entries deleted and a new entry taking one of their ids),
// then runs IndexPending: the two search indexes must then answer alike, and the first must be
// consistent with its content (FTS5's integrity-check), however the chunks fell. The changes
// are made alike to both libraries, in one function, so that the two stay comparable.
func TestIndexLater(t *testing.T) {
	ctx := context.Background()
	defer func(was int) { indexChunk = was }(indexChunk)
	indexChunk = 170 // several chunks, the last one short

	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 3*bulkThreshold, 5); err != nil {
		t.Fatal(err)
	}
	f := bib.Parse("later.bib", src.Bytes())
	entries := f.Entries()
	var words []string
	for _, e := range entries[:40] {
		if w := strings.Fields(bib.Plain(e.Get("title"))); len(w) > 0 {
			words = append(words, w[0])
		}
	}

	setUp := func(later bool) *Library {
		l := mustOpen(t)
		if _, err := l.Import(ctx, bib.ParseString("before.bib", "@article{before1, title = {Quokka habits}}\n")); err != nil {
			t.Fatal(err)
		}
		rep, err := l.ImportWith(ctx, f, ImportOptions{IndexLater: later})
		if err != nil || rep.Imported != len(entries) {
			t.Fatalf("import: %+v, %v", rep.Imported, err)
		}
		if later {
			if n, err := l.PendingSearch(ctx); n != len(entries) || err != nil {
				t.Fatalf("PendingSearch = %d, %v; want %d", n, err, len(entries))
			}
			if got := searchKeys(t, l, "quokka"); !cmp.Equal(got, []string{"before1"}) {
				t.Errorf("an entry indexed before: search finds %v", got)
			}
			if got := searchKeys(t, l, words[0]); len(got) > 0 {
				t.Errorf("search %q finds %v before the entries are indexed", words[0], got)
			}
			if got, err := l.Count(ctx); got != len(entries)+1 || err != nil {
				t.Errorf("Count = %d, %v before indexing", got, err)
			}
		}
		e, err := l.Entry(ctx, entries[10].Key)
		if err != nil {
			t.Fatal(err)
		}
		e.Set("abstract", "Numbats in the wild.")
		e.Set("title", "A study of bandicoots")
		if err := l.UpdateEntry(ctx, e.Key, e); err != nil {
			t.Fatal(err)
		}
		for _, n := range []struct{ key, body string }{
			{entries[20].Key, "wombat notes"}, {entries[30].Key, "first"}, {entries[30].Key, "second bilby"},
			{entries[40].Key, "gone soon"}, {entries[40].Key, ""},
		} {
			if err := l.SetNote(ctx, n.key, n.body); err != nil {
				t.Fatal(err)
			}
		}
		last := entries[len(entries)-2:]
		if _, err := l.Trash(ctx, last[0].Key, last[1].Key); err != nil {
			t.Fatal(err)
		}
		if _, err := l.EmptyTrash(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := l.AddEntry(ctx, parseEntry(t, `@article{added, title = {Echidna tracks}}`), ""); err != nil {
			t.Fatal(err)
		}
		return l
	}
	now, later := setUp(false), setUp(true)
	if n, err := now.PendingSearch(ctx); n != 0 || err != nil {
		t.Fatalf("without IndexLater: PendingSearch = %d, %v", n, err)
	}
	if n, err := later.PendingSearch(ctx); n == 0 || err != nil {
		t.Fatalf("PendingSearch = %d, %v before IndexPending; want the entries", n, err)
	}
	// The index and its content agree while entries wait, too.
	checkIntegrity(t, later)
	if err := later.IndexPending(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := later.PendingSearch(ctx); n != 0 || err != nil {
		t.Fatalf("PendingSearch = %d, %v after IndexPending", n, err)
	}
	if n := count(t, later, `SELECT count(*) FROM search_pending`); n != 0 {
		t.Errorf("%d pending ranges left", n)
	}
	checkIntegrity(t, later)
	checkIntegrity(t, now)
	queries := append([]string{"numbats", "bandicoots", "wombat", "bilby", "first", "gone", "echidna",
		"quokka", "key:" + entries[len(entries)-1].Key, "has:notes"}, words...)
	for _, q := range queries {
		if diff := cmp.Diff(searchKeys(t, now, q), searchKeys(t, later, q)); diff != "" {
			t.Errorf("search %q (-indexed at import +indexed later):\n%s", q, diff)
		}
	}
	if got := searchKeys(t, later, "echidna"); !cmp.Equal(got, []string{"added"}) {
		t.Errorf("search echidna = %v, want the added entry", got)
	}
}

// TestIndexPendingTogether runs IndexPending from two libraries open on one file (two processes)
// and a third goroutine at once: each chunk is indexed once.
func TestIndexPendingTogether(t *testing.T) {
	ctx := context.Background()
	defer func(was int) { indexChunk = was }(indexChunk)
	indexChunk = 100
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 2*bulkThreshold, 9); err != nil {
		t.Fatal(err)
	}
	a := mustOpen(t)
	if _, err := a.ImportWith(ctx, bib.Parse("t.bib", src.Bytes()), ImportOptions{IndexLater: true}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, a.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, l := range []*Library{a, b, a} {
		wg.Go(func() { errs[i] = l.IndexPending(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkIntegrity(t, a)
	if n, err := a.PendingSearch(ctx); n != 0 || err != nil {
		t.Fatalf("PendingSearch = %d, %v", n, err)
	}
	if n := count(t, a, `SELECT count(*) FROM entries_fts_docsize`); n != 2*bulkThreshold {
		t.Errorf("the search index has %d rows, want %d", n, 2*bulkThreshold)
	}
}

// TestPendingRangesOverlap imports with IndexLater, deletes the newest entries of that import and
// imports again: the second range starts inside the first. The count is of entries, once each,
// and indexing leaves every entry indexed once.
func TestPendingRangesOverlap(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	var a, b bytes.Buffer
	if err := bibtest.Synthetic(&a, 600, 21); err != nil {
		t.Fatal(err)
	}
	if err := bibtest.Synthetic(&b, 600, 22); err != nil {
		t.Fatal(err)
	}
	first := bib.Parse("a.bib", a.Bytes())
	if _, err := l.ImportWith(ctx, first, ImportOptions{IndexLater: true}); err != nil {
		t.Fatal(err)
	}
	var last []string
	for _, e := range first.Entries()[300:] {
		last = append(last, e.Key)
	}
	if _, err := l.Trash(ctx, last...); err != nil {
		t.Fatal(err)
	}
	if _, err := l.EmptyTrash(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := l.ImportWith(ctx, bib.Parse("b.bib", b.Bytes()), ImportOptions{IndexLater: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, l, `SELECT count(*) FROM search_pending`); n != 2 {
		t.Fatalf("%d pending ranges, want 2", n)
	}
	want := 300 + rep.Imported
	if n, err := l.PendingSearch(ctx); n != want || err != nil {
		t.Errorf("PendingSearch = %d, %v; want %d", n, err, want)
	}
	checkIntegrity(t, l)
	if err := l.IndexPending(ctx); err != nil {
		t.Fatal(err)
	}
	checkIntegrity(t, l)
	if n := count(t, l, `SELECT count(*) FROM entries_fts_docsize`); n != want {
		t.Errorf("the search index has %d rows, want %d", n, want)
	}
}

// TestListIndexesLater imports with IndexLater: the list's sort indexes are left to IndexPending
// (laterIndexes, index_pending), the identity indexes the import's duplicates are found by are
// made before its commit, and after IndexPending the library has the indexes of one imported
// without IndexLater. An import that does not leave its own to later makes those left to later.
func TestListIndexesLater(t *testing.T) {
	ctx := context.Background()
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 2*bulkThreshold, 13); err != nil {
		t.Fatal(err)
	}
	f := bib.Parse("t.bib", src.Bytes())
	indexes := func(l *Library) []string {
		t.Helper()
		rows, err := l.db.QueryContext(ctx, `SELECT name || ': ' || sql FROM sqlite_schema
			WHERE type = 'index' AND tbl_name = 'entries' AND sql IS NOT NULL ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	now := mustOpen(t)
	if _, err := now.ImportWith(ctx, f, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	want := indexes(now)
	if n := count(t, now, `SELECT count(*) FROM index_pending`); n != 0 {
		t.Fatalf("an import without IndexLater left %d indexes to later", n)
	}

	later := mustOpen(t)
	rep, err := later.ImportWith(ctx, f, ImportOptions{IndexLater: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Possible) == 0 {
		t.Error("no possible duplicates reported: the synthetic file has some")
	}
	if n := count(t, later, `SELECT count(*) FROM index_pending`); n != len(laterIndexes) {
		t.Errorf("%d indexes left to later, want %d", n, len(laterIndexes))
	}
	for _, s := range indexes(later) {
		if name, _, _ := strings.Cut(s, ":"); laterIndexes[name] {
			t.Errorf("%s made before IndexPending", name)
		}
	}
	// Ordered by title without its index, the list is the same.
	order := func(l *Library) []string {
		t.Helper()
		rows, err := l.db.QueryContext(ctx, `SELECT key FROM entries WHERE trashed IS NULL ORDER BY title COLLATE NOCASE, id LIMIT 50`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			out = append(out, k)
		}
		return out
	}
	if diff := cmp.Diff(order(now), order(later)); diff != "" {
		t.Errorf("order by title without its index (-with +without):\n%s", diff)
	}
	if err := later.IndexPending(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, indexes(later)); diff != "" {
		t.Errorf("indexes after IndexPending (-without IndexLater +with):\n%s", diff)
	}
	if n := count(t, later, `SELECT count(*) FROM index_pending`); n != 0 {
		t.Errorf("%d indexes still left to later after IndexPending", n)
	}
	checkIntegrity(t, later)

	// Left to later again, then a small import makes them in its transaction.
	var more bytes.Buffer
	if err := bibtest.Synthetic(&more, 2*bulkThreshold, 14); err != nil {
		t.Fatal(err)
	}
	again := mustOpen(t)
	if _, err := again.ImportWith(ctx, bib.Parse("more.bib", more.Bytes()), ImportOptions{IndexLater: true}); err != nil {
		t.Fatal(err)
	}
	small := bib.Parse("small.bib", []byte("@article{small1, title = {A small one}, year = 2020}\n"))
	if _, err := again.ImportWith(ctx, small, ImportOptions{IndexLater: true}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, again, `SELECT count(*) FROM index_pending`); n != 0 {
		t.Errorf("%d indexes still left to later after a small import", n)
	}
	if diff := cmp.Diff(want, indexes(again)); diff != "" {
		t.Errorf("indexes after a small import (-want +got):\n%s", diff)
	}
}
