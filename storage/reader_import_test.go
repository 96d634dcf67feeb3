package storage

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/google/go-cmp/cmp"
)

// TestImportReaderAsParsed imports the same files through a Reader (parsed as they are
// imported) and as parsed files, with each duplicate policy, below and above the bulk
// threshold: the reports, and the libraries' exports, tags and counts, must be the same.
func TestImportReaderAsParsed(t *testing.T) {
	ctx := context.Background()
	var big bytes.Buffer
	if err := bibtest.Synthetic(&big, 3*bulkThreshold, 17); err != nil {
		t.Fatal(err)
	}
	messy := "@string{j = {Journal of Tests}}\n% a comment line\n" +
		"@article{a1, title = {First}, author = {Ann Author}, journal = j, year = 2001, keywords = {x, y/z}}\n" +
		"@article{a1, title = {Same key}}\n" +
		"@book{broken, title = {unclosed\n" +
		"@misc{, title = {No key}, year = 1999}\n" +
		"@article{a2, title = {First}, author = {Ann Author}, year = 2001, month = jan}\n" +
		"@preamble{\"\\newcommand{\\x}{y}\"}\n@comment{kept}\n" +
		"@misc{dupfield, note = {one}, note = {two}}\n"
	inputs := map[string]string{
		"messy.bib": messy,
		"big.bib":   messy + big.String() + "\n@article{tail, title = {Tail}}\n",
	}
	for name, src := range inputs {
		for _, policy := range []DuplicatePolicy{ImportDuplicates, SkipDuplicates, MergeDuplicates} {
			opts := ImportOptions{Duplicates: policy}
			var progress []int
			opts.Progress = func(done, total int) {
				if done > total {
					t.Errorf("%s: progress %d of %d", name, done, total)
				}
				progress = append(progress, done)
			}
			parsed, streamed := mustOpen(t), mustOpen(t)
			want, err := parsed.ImportWith(ctx, bib.ParseString(name, src), opts)
			if err != nil {
				t.Fatal(err)
			}
			progress = nil
			got, err := streamed.ImportReader(ctx, bib.NewReader(name, src), opts)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("%s, policy %d: reports differ (-parsed +Reader):\n%s", name, policy, d)
			}
			if want.Rejected == 0 || len(want.KeysGiven) == 0 || len(want.Problems) < 4 {
				t.Errorf("%s: the test needs rejections, keys given and problems: %+v", name, want)
			}
			if len(progress) == 0 || progress[len(progress)-1] == 0 {
				t.Errorf("%s: progress %v", name, progress)
			}
			var a, b strings.Builder
			if _, err := parsed.Export(ctx, &a, ExportOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := streamed.Export(ctx, &b, ExportOptions{}); err != nil {
				t.Fatal(err)
			}
			if a.String() != b.String() {
				t.Errorf("%s, policy %d: exports differ", name, policy)
			}
			ta, _ := parsed.Tags(ctx)
			tb, _ := streamed.Tags(ctx)
			if d := cmp.Diff(ta, tb); d != "" || len(ta) == 0 {
				t.Errorf("%s: tags differ or none (-parsed +Reader):\n%s", name, d)
			}
			for _, q := range []string{"first", "journal", "tail", "is:unread"} {
				na, _ := parsed.CountMatches(ctx, Filter{}, q)
				nb, _ := streamed.CountMatches(ctx, Filter{}, q)
				if na != nb {
					t.Errorf("%s: %q finds %d parsed, %d streamed", name, q, na, nb)
				}
			}
		}
	}
}

// TestImportReaderCancel cancels an import read from a Reader: nothing of it stays.
func TestImportReaderCancel(t *testing.T) {
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 3*bulkThreshold, 5); err != nil {
		t.Fatal(err)
	}
	l := mustOpen(t)
	ctx, cancel := context.WithCancel(context.Background())
	opts := ImportOptions{Progress: func(done, total int) {
		if done >= 1000 {
			cancel()
		}
	}}
	if _, err := l.ImportReader(ctx, bib.NewReader("c.bib", src.String()), opts); err == nil || ctx.Err() == nil {
		t.Fatalf("import not cancelled: %v", err)
	}
	if n, err := l.Count(context.Background()); err != nil || n != 0 {
		t.Fatalf("%d entries after a cancelled import (%v)", n, err)
	}
}

// entrySchema lists the indexes of the entries table and the triggers of the entries and
// entry_text tables (which a bulk import drops and makes again) with their definitions.
func entrySchema(t *testing.T, l *Library) []string {
	t.Helper()
	rows, err := l.db.Query(`SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_schema
		WHERE (type = 'index' AND tbl_name = 'entries') OR (type = 'trigger' AND tbl_name IN ('entries', 'entry_text'))
		ORDER BY type, name`)
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

// TestBulkImportRebuildsIndexes imports a large file into a new library, which drops the entries
// table's indexes and the quiet triggers for the inserts and makes them again: they must all be
// back, as they were, and the indexes in use.
func TestBulkImportRebuildsIndexes(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	before := entrySchema(t, l)
	if len(before) < 10+len(quietTriggers) {
		t.Fatalf("only %d indexes and triggers: %v", len(before), before)
	}
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 3*bulkThreshold, 23); err != nil {
		t.Fatal(err)
	}
	rep, err := l.ImportReader(ctx, bib.NewReader("big.bib", src.String()), ImportOptions{})
	if err != nil || rep.Imported != 3*bulkThreshold {
		t.Fatalf("import: %d imported, %v", rep.Imported, err)
	}
	if d := cmp.Diff(before, entrySchema(t, l)); d != "" {
		t.Fatalf("indexes and triggers after the import (-before +after):\n%s", d)
	}
	var plan strings.Builder
	rows, err := l.db.Query(`EXPLAIN QUERY PLAN SELECT key FROM entries WHERE trashed IS NULL ORDER BY title COLLATE NOCASE LIMIT 10`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(detail + "\n")
	}
	rows.Close()
	if !strings.Contains(plan.String(), "entries_title") {
		t.Errorf("sorting by title does not use its index:\n%s", plan.String())
	}
	var ok string
	if err := l.db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %s %v", ok, err)
	}
	// The entries have the import's revision, which is the library's; an entry added after
	// the import gets one of its own, from the trigger made again.
	var revs, rev, libRev int64
	if err := l.db.QueryRow(`SELECT count(DISTINCT revision), max(revision) FROM entries`).Scan(&revs, &rev); err != nil {
		t.Fatal(err)
	}
	if err := l.db.QueryRow(`SELECT n FROM library_revision`).Scan(&libRev); err != nil {
		t.Fatal(err)
	}
	if revs != 1 || rev == 0 || rev != libRev {
		t.Errorf("after the import: %d revisions among the entries, the largest %d; the library's %d", revs, rev, libRev)
	}
	key, err := l.AddEntry(ctx, &bib.Entry{Type: "misc", Key: "after", Fields: []bib.Field{{Name: "title", Raw: "{Zyzzyva}", Value: "Zyzzyva"}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	var added int64
	if err := l.db.QueryRow(`SELECT revision FROM entries WHERE key = ?`, key).Scan(&added); err != nil {
		t.Fatal(err)
	}
	if added <= rev {
		t.Errorf("an entry added after the import has revision %d, the import's entries %d", added, rev)
	}
	if found, err := l.SearchWith(ctx, SearchOptions{Query: "zyzzyva"}); err != nil || len(found) != 1 {
		t.Errorf("an entry added after the import: %d found by its title (%v)", len(found), err)
	}
}

// TestQuietTriggers checks that a bulk import into a library of this version sets aside every
// trigger on inserts into entries and entry_text: a migration that changes when one fires, or
// adds another, makes bulk imports fire it for each entry again (which is correct, and slower),
// and must say here whether the import's rows can fire it.
func TestQuietTriggers(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	insertTriggers := `SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name IN ('entries', 'entry_text')
		AND sql LIKE '% INSERT ON %' ORDER BY name`
	var all []string
	rows, err := tx.QueryContext(ctx, insertTriggers)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		all = append(all, name)
	}
	rows.Close()
	defs, err := dropQuietTriggers(ctx, tx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != len(all) || len(defs) != len(quietTriggers) {
		t.Fatalf("a bulk import sets aside %d triggers of the %d on inserts (%v); quietTriggers lists %d", len(defs), len(all), all, len(quietTriggers))
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	// An import that gives no revision leaves the revision's trigger, which then fires.
	tx, err = l.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	defs, err = dropQuietTriggers(ctx, tx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, def := range defs {
		if strings.Contains(def, "entries_revision_ai") {
			t.Errorf("set aside for an import that gives no revision: %s", def)
		}
	}
}

// TestImportStages imports a large file into a new library: after its items are read, the
// import names each step that follows, in order, and the count it gave last is exact.
func TestImportStages(t *testing.T) {
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 3*bulkThreshold, 29); err != nil {
		t.Fatal(err)
	}
	var events []string
	opts := ImportOptions{
		Progress: func(done, total int) { events = append(events, fmt.Sprintf("%d/%d", done, total)) },
		Stage:    func(stage string) { events = append(events, stage) },
	}
	l := mustOpen(t)
	if _, err := l.ImportReader(context.Background(), bib.NewReader("s.bib", src.String()), opts); err != nil {
		t.Fatal(err)
	}
	n := fmt.Sprintf("%d/%d", 3*bulkThreshold, 3*bulkThreshold)
	tail := []string{n, StageIndexes, StageSearch, StageCommit, n}
	if len(events) < len(tail) || !slices.Equal(events[len(events)-len(tail):], tail) {
		t.Errorf("the import's last events are %q, want %q", events[max(0, len(events)-len(tail)):], tail)
	}
}
