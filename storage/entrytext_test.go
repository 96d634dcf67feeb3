package storage

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/google/go-cmp/cmp"
)

// TestMigrateToEntryText opens a library as schema version 5 left it (the long values in the
// entries table, a note, an entry in the trash) with today's release: every entry reads back as
// it was, exports byte for byte as a library made today does, and the search index, kept as it
// was, still finds abstracts and notes and follows later changes. It is long because each check
// reads the one library the migration made, in order.
func TestMigrateToEntryText(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v5.sqlite")
	old, err := open(ctx, path, 5, false)
	if err != nil {
		t.Fatal(err)
	}
	f := sample(t)
	for _, e := range f.Entries() {
		insertAsVersion1(t, old, e)
	}
	if err := old.SetNote(ctx, "vinyals2015pointer", "read with quokkas"); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Trash(ctx, "zhang2023noisy"); err != nil {
		t.Fatal(err)
	}
	pagesBefore := count(t, old, `PRAGMA page_count`)
	l := upgrade(t, old)
	// The long values were copied and the columns dropped: without a VACUUM the file keeps the
	// old pages and adds the copy (320 pages here). The later migrations' tables and indexes
	// take a page each at least (34 here: 15 of them migration 0014's, 6 those of 0015 and 0016,
	// 1 that of 0018, 1 that of 0021, on top of the tenth).
	const laterPages = 23
	if pages := count(t, l, `PRAGMA page_count`); pages > pagesBefore+pagesBefore/10+laterPages {
		t.Errorf("the upgraded library has %d pages, %d before", pages, pagesBefore)
	}
	checkIntegrity(t, l)
	for _, col := range []string{"fields", "source", "abstract"} {
		if n := count(t, l, `SELECT count(*) FROM pragma_table_info('entries') WHERE name = ?`, col); n != 0 {
			t.Errorf("entries still has the column %s", col)
		}
	}
	withAbstract := 0
	for _, want := range f.Entries() {
		got, err := l.Entry(ctx, want.Key)
		if err != nil {
			t.Fatal(err)
		}
		if got.Source != want.Source {
			t.Errorf("%s: source changed", want.Key)
		}
		if d := fieldsDiff(want.Fields, got.Fields); d != "" {
			t.Errorf("%s: fields changed: %s", want.Key, d)
		}
		if want.Get("abstract") != "" {
			withAbstract++
		}
	}
	if withAbstract == 0 {
		t.Fatal("the sample has no abstracts")
	}
	// zhang2023noisy is in the trash, and has an abstract.
	if got := len(searchKeys(t, l, "has:abstract")); got != withAbstract-1 {
		t.Errorf("has:abstract finds %d entries, want %d", got, withAbstract-1)
	}
	if diff := cmp.Diff([]string{"vinyals2015pointer"}, searchKeys(t, l, "quokkas")); diff != "" {
		t.Errorf("note search after migration (-want +got):\n%s", diff)
	}
	if keys := searchKeys(t, l, "has:doi"); len(keys) == 0 {
		t.Error("has:doi finds nothing")
	}

	// The export is the one of a library that imported the sample today.
	fresh := mustOpen(t)
	if _, err := fresh.Import(ctx, f); err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Trash(ctx, "zhang2023noisy"); err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if _, err := l.Export(ctx, &a, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Export(ctx, &b, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("export after migration differs from a new library's:\n%s", cmp.Diff(b.String(), a.String()))
	}

	// Later changes reach the index: an abstract rewritten, a note changed, the trash emptied.
	e, err := l.Entry(ctx, "vinyals2015pointer")
	if err != nil {
		t.Fatal(err)
	}
	oldWord := strings.Fields(bib.Plain(e.Get("abstract")))[3]
	e.Set("abstract", "Wombats everywhere.")
	if err := l.UpdateEntry(ctx, e.Key, e); err != nil {
		t.Fatal(err)
	}
	if err := l.SetNote(ctx, e.Key, "read with numbats"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.EmptyTrash(ctx); err != nil {
		t.Fatal(err)
	}
	checkIntegrity(t, l)
	for q, want := range map[string][]string{
		"wombats": {"vinyals2015pointer"}, "numbats": {"vinyals2015pointer"}, "quokkas": nil,
		"key:zhang2023noisy": nil,
	} {
		if diff := cmp.Diff(want, searchKeys(t, l, q)); diff != "" {
			t.Errorf("search %q after changes (-want +got):\n%s", q, diff)
		}
	}
	for _, k := range searchKeys(t, l, oldWord) {
		if k == "vinyals2015pointer" {
			t.Errorf("search %q still finds the entry whose abstract lost the word", oldWord)
		}
	}
	if n := count(t, l, `SELECT count(*) FROM entry_text WHERE id NOT IN (SELECT id FROM entries)`); n != 0 {
		t.Errorf("%d text rows outlive their entry", n)
	}
}

func TestNeedsUpgrade(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if got, err := NeedsUpgrade(ctx, filepath.Join(dir, "missing.sqlite")); got || err != nil {
		t.Errorf("NeedsUpgrade(a missing file) = %v, %v; want false", got, err)
	}
	old, err := open(ctx, filepath.Join(dir, "v5.sqlite"), 5, false)
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	if got, err := NeedsUpgrade(ctx, old.Path()); !got || err != nil {
		t.Errorf("NeedsUpgrade(a version 5 library) = %v, %v; want true", got, err)
	}
	l, err := Open(ctx, old.Path())
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if got, err := NeedsUpgrade(ctx, old.Path()); got || err != nil {
		t.Errorf("NeedsUpgrade(an upgraded library) = %v, %v; want false", got, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.sqlite")); err == nil {
		t.Error("NeedsUpgrade made a file")
	}
	// What Open would refuse is an error naming the file.
	bad := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(bad, []byte("not a library, but long enough to look like a file of some kind\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NeedsUpgrade(ctx, bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("NeedsUpgrade(a text file) = %v; want an error naming it", err)
	}
}
