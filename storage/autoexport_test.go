package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/google/go-cmp/cmp"
)

// entryRevision returns the revision of the entry key.
func entryRevision(t *testing.T, l *Library, key string) int64 {
	t.Helper()
	var rev int64
	if err := l.db.QueryRow(`SELECT revision FROM entries WHERE key = ?`, key).Scan(&rev); err != nil {
		t.Fatal(err)
	}
	return rev
}

func TestRevisions(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	const key = "vinyals2015pointer"
	libRev := func() int64 {
		n, err := l.Revision(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	imported := entryRevision(t, l, key)
	if imported == 0 || libRev() < imported {
		t.Fatalf("after the import: entry %d, library %d", imported, libRev())
	}
	// Each change of what the entry exports as gives it a revision of its own, the library's.
	changes := []struct {
		name  string
		do    func() error
		alter bool // the entry's text
	}{
		{"read flag", func() error { _, err := l.SetRead(ctx, true, key); return err }, false},
		{"tag", func() error { _, err := l.AddTags(ctx, []string{key}, "ml/seq"); return err }, true},
		{"tag renamed", func() error { return l.RenameTag(ctx, "ml/seq", "ml/sequence") }, true},
		{"note", func() error { return l.SetNote(ctx, key, "read it") }, true},
		{"edit", func() error {
			e, err := l.Entry(ctx, key)
			if err == nil {
				e.Set("note", "edited")
				err = l.UpdateEntry(ctx, key, e)
			}
			return err
		}, true},
		{"trash", func() error { _, err := l.Trash(ctx, key); return err }, true},
		{"restore", func() error { _, err := l.Restore(ctx, key); return err }, true},
	}
	seen := map[int64]bool{imported: true}
	for _, c := range changes {
		before, beforeLib := entryRevision(t, l, key), libRev()
		if err := c.do(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		after := entryRevision(t, l, key)
		switch {
		case c.alter && (after == before || seen[after] || after != libRev()):
			t.Errorf("%s: revision %d -> %d (library %d)", c.name, before, after, libRev())
		case !c.alter && after != before:
			t.Errorf("%s: revision %d -> %d, want unchanged", c.name, before, after)
		}
		if c.alter && libRev() <= beforeLib {
			t.Errorf("%s: library revision %d -> %d", c.name, beforeLib, libRev())
		}
		seen[after] = true
	}
	// The largest id deleted, then given again: the new entry's revision is new.
	var lastID int64
	var lastKey string
	if err := l.db.QueryRow(`SELECT id, key FROM entries ORDER BY id DESC LIMIT 1`).Scan(&lastID, &lastKey); err != nil {
		t.Fatal(err)
	}
	oldRev := entryRevision(t, l, lastKey)
	if _, err := l.Trash(ctx, lastKey); err != nil {
		t.Fatal(err)
	}
	if _, err := l.EmptyTrash(ctx); err != nil {
		t.Fatal(err)
	}
	e := &bib.Entry{Type: "misc", Key: "reborn"}
	e.Set("title", "Another")
	if _, err := l.AddEntry(ctx, e, ""); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := l.db.QueryRow(`SELECT id FROM entries WHERE key = 'reborn'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if rev := entryRevision(t, l, "reborn"); id != lastID || rev <= oldRev {
		t.Errorf("re-used id %d (was %d): revision %d, the deleted entry's %d", id, lastID, rev, oldRev)
	}
}

// autoFixture is a library with tags, collections, a note and a saved search, and an
// AutoExporter of it.
func autoFixture(t *testing.T) (*Library, *AutoExporter, string) {
	t.Helper()
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	rows, err := l.SearchWith(ctx, SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range rows {
		keys = append(keys, r.Key)
	}
	thesis, err := l.CreateCollection(ctx, nil, "Thesis")
	if err != nil {
		t.Fatal(err)
	}
	chapter, err := l.CreateCollection(ctx, []string{"Thesis"}, "Chapter 1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddToCollection(ctx, thesis.ID, keys[:10]...); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddToCollection(ctx, chapter.ID, keys[5:20]...); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddTags(ctx, keys[3:30], "to-cite"); err != nil {
		t.Fatal(err)
	}
	if err := l.SetNote(ctx, keys[4], "A note with é."); err != nil {
		t.Fatal(err)
	}
	if err := l.SaveSearch(ctx, SavedSearch{Name: "pointers", Query: "network"}); err != nil {
		t.Fatal(err)
	}
	return l, NewAutoExporter(l, nil), t.TempDir()
}

// checkStatuses returns what fails the test on a run's error or a target's.
func checkStatuses(t *testing.T) func(sts []TargetStatus, err error) {
	return func(sts []TargetStatus, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range sts {
			if st.Err != nil {
				t.Fatalf("target %d: %v", st.ID, st.Err)
			}
		}
	}
}

func TestAutoExportWritesWhatExportWrites(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	cs, err := l.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	thesis := cs[0].ID
	targets := []ExportTarget{
		{Kind: TargetLibrary},
		{Kind: TargetLibrary, LibraryOrder: true, Dialect: bib.BibLaTeX, ASCII: true, Notes: true},
		{Kind: TargetCollection, Collection: thesis, SubCollections: true, Dialect: bib.BibTeX},
		{Kind: TargetCollection, Collection: thesis},
		{Kind: TargetTag, Tag: "to-cite", Notes: true},
		{Kind: TargetSearch, Search: "pointers"},
	}
	for i := range targets {
		targets[i].Path = filepath.Join(dir, string(rune('a'+i))+".bib")
		if targets[i], err = l.AddExportTarget(ctx, targets[i]); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string) {
		t.Helper()
		for _, tg := range targets {
			tx, err := l.rdb.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			opts, err := tg.exportOptions(ctx, tx)
			tx.Rollback()
			if err != nil {
				t.Fatal(err)
			}
			want, _ := exportText(t, l, opts)
			got, err := os.ReadFile(tg.Path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				t.Errorf("%s: target %+v: the file differs from Export's\n%s", when, tg, cmp.Diff(want, string(got)))
			}
		}
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	check("first run")

	// Sub-collections: in one target, not in the other.
	a1, _ := os.ReadFile(targets[2].Path)
	a2, _ := os.ReadFile(targets[3].Path)
	if n1, n2 := bytes.Count(a1, []byte("\n@")), bytes.Count(a2, []byte("\n@")); n1 <= n2 {
		t.Errorf("with sub-collections %d entries, without %d", n1, n2)
	}

	// One edit: the files it touches change, the others keep their modification time.
	old := map[string]time.Time{}
	oldText := map[string]string{}
	for _, tg := range targets {
		fi, _ := os.Stat(tg.Path)
		old[tg.Path] = fi.ModTime()
		b, _ := os.ReadFile(tg.Path)
		oldText[tg.Path] = string(b)
	}
	time.Sleep(20 * time.Millisecond)
	e, err := l.Entry(ctx, "vinyals2015pointer")
	if err != nil {
		t.Fatal(err)
	}
	e.Set("title", "Pointer Networks, edited")
	if err := l.UpdateEntry(ctx, e.Key, e); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddTags(ctx, []string{"zhang2023noisy"}, "fresh"); err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{Due: true}))
	check("after an edit")
	same := 0
	for _, tg := range targets {
		b, _ := os.ReadFile(tg.Path)
		fi, _ := os.Stat(tg.Path)
		switch {
		case string(b) == oldText[tg.Path]:
			same++
			if !fi.ModTime().Equal(old[tg.Path]) {
				t.Errorf("%s: rewritten with the same content", tg.Path)
			}
		case fi.ModTime().Equal(old[tg.Path]):
			t.Errorf("%s: new content, the old modification time", tg.Path)
		}
	}
	if same == 0 || same == len(targets) {
		t.Errorf("%d of %d files unchanged: the test shows nothing", same, len(targets))
	}
	got, err := l.ExportTargets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st := got[0].Status; st.Entries != 56 || st.Written.IsZero() || st.Ran.IsZero() || st.Err != nil {
		t.Errorf("status %+v", st)
	}

	// A fresh runner (nothing cached, another process) writes the same bytes.
	for _, tg := range targets {
		os.Remove(tg.Path)
	}
	checkStatuses(t)(l.RunExportTargets(ctx, RunOptions{}))
	check("a fresh runner")
}

func TestAutoExportConflict(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	path := filepath.Join(dir, "refs.bib")
	// A file that is there before: not Bibshelf's.
	if err := os.WriteFile(path, []byte("% mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	sts, err := a.RunTargets(ctx, RunOptions{})
	var ce *TargetChangedError
	if err != nil || !errors.As(sts[0].Err, &ce) || !ce.NeverWritten || !errors.Is(sts[0].Err, ErrTargetChanged) {
		t.Fatalf("a file not Bibshelf's: %+v, %v", sts, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "% mine\n" {
		t.Fatal("overwritten")
	}
	if ts, _ := l.ExportTargets(ctx); !errors.Is(ts[0].Status.Err, ErrTargetChanged) {
		t.Errorf("the status read back: %v", ts[0].Status.Err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{Overwrite: true}))

	// Someone edits an entry, adds one and removes one.
	b, _ := os.ReadFile(path)
	text := strings.Replace(string(b), "Pointer Networks", "Pointer Networks Revisited", 1)
	i := strings.Index(text, "@inproceedings{zhang2023noisy,")
	j := strings.Index(text[i+1:], "\n@") + i + 2
	text = text[:i] + text[j:] + "\n@misc{theirs2026, title = {Their Own Entry}, year = 2026}\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	sts, err = a.RunTargets(ctx, RunOptions{})
	if err != nil || !errors.As(sts[0].Err, &ce) || ce.NeverWritten {
		t.Fatalf("a file changed: %+v, %v", sts, err)
	}
	d, err := a.ExportTargetDiff(ctx, tg.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := TargetDiff{Added: []string{"theirs2026"}, Changed: []string{"vinyals2015pointer"}, Removed: []string{"zhang2023noisy"}}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}
	ti, st, err := a.ImportTargetChanges(ctx, tg.ID)
	if err != nil || st.Err != nil {
		t.Fatal(err, st.Err)
	}
	if ti.Report.Imported != 1 || len(ti.Updated) != 1 {
		t.Errorf("import: %+v", ti)
	}
	if e, err := l.Entry(ctx, "vinyals2015pointer"); err != nil || e.Get("title") != "Pointer Networks Revisited" {
		t.Errorf("the library's entry: %v %v", e, err)
	}
	b, _ = os.ReadFile(path)
	if !strings.Contains(string(b), "theirs2026") || !strings.Contains(string(b), "zhang2023noisy") {
		t.Errorf("the file after the import holds not the library's entries")
	}
	if d, err := a.ExportTargetDiff(ctx, tg.ID); err != nil || !d.IsZero() {
		t.Errorf("diff after: %+v %v", d, err)
	}
}

func TestEditKeepsExportedKey(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	path := filepath.Join(dir, "refs.bib")
	if _, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path}); err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	const key = "vinyals2015pointer"
	e, err := l.Entry(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	e.Set("author", "Somebody Else")
	e.Set("year", "1999")
	e.Set("title", "Another Title Altogether")
	if err := l.UpdateEntry(ctx, key, e); err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{Due: true}))
	if got, err := l.Entry(ctx, key); err != nil || got.Key != key {
		t.Fatalf("the entry after the edit: %v, %v", got, err)
	}
	b, _ := os.ReadFile(path)
	es := bib.Parse(path, b).Entries()
	found := false
	for _, e := range es {
		if e.Key == key {
			found = e.Get("year") == "1999"
		}
	}
	if !found {
		t.Errorf("the file has no %s of 1999", key)
	}
}

func TestAutoExporterFollowsChanges(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	l, a, dir := autoFixture(t)
	var mu sync.Mutex
	var seen []TargetStatus
	a.onStatus = func(st TargetStatus) {
		mu.Lock()
		seen = append(seen, st)
		mu.Unlock()
	}
	path := filepath.Join(dir, "refs.bib")
	if _, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	waitFor := func(what string, ok func(string) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if b, err := os.ReadFile(path); err == nil && ok(string(b)) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("%s: not written within 5 s", what)
	}
	waitFor("the first run", func(s string) bool { return strings.Contains(s, "vinyals2015pointer") })
	// Another process's change: a second connection to the library file.
	other, err := Open(ctx, l.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	start := time.Now()
	if _, err := other.Trash(ctx, "vinyals2015pointer"); err != nil {
		t.Fatal(err)
	}
	waitFor("after a change", func(s string) bool { return !strings.Contains(s, "vinyals2015pointer") })
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("rewritten after %v", took)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 4 || !seen[0].Running || seen[1].Running || seen[1].Entries != 56 {
		t.Errorf("statuses: %+v", seen)
	}
}

// TestCompareNoCase holds compareNoCase to SQLite's NOCASE order, on keys where it differs from
// the bytes' order.
func TestCompareNoCase(t *testing.T) {
	l := mustOpen(t)
	keys := []string{"a_b", "aB", "ab", "AB_", "Zeta", "alpha", "Émile", "émile", "a", "A1", "a-b", "[x]", "`y", "{z", "~", "Z"}
	for _, a := range keys {
		for _, b := range keys {
			var want int
			if err := l.db.QueryRow(`SELECT CASE WHEN ?1 < ?2 COLLATE NOCASE THEN -1 WHEN ?1 = ?2 COLLATE NOCASE THEN 0 ELSE 1 END`, a, b).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if got := compareNoCase(a, b); got != want {
				t.Errorf("compareNoCase(%q, %q) = %d, SQLite says %d", a, b, got, want)
			}
		}
	}
}

// TestAutoExportMacros: entries that need @string items, preambles, a month their file
// redefined, a prefix and a syntax error come out of a target, before and after an edit, as
// Export writes them.
func TestAutoExportMacros(t *testing.T) {
	ctx := context.Background()
	l := importFiles(t,
		bibFile{"A.bib", "@preamble{\"\\providecommand{\\noop}[1]{}\"}\n@string{jn = \"Journal A\"}\n@article{Zed, journal = jn, title = {A1}}\n" +
			"@string{jn = \"Journal A2\"}\n@article{a2, journal = jn # \" Letters\", month = jan}\n@string{jan = \"Janvier\"}\n@article{a3, month = jan}\n"},
		bibFile{"B.bib", "@string{jn = \"Journal B\"}\n%@article{b1, journal = jn, title = {B1}}\n@article{b_2, title = {Broken % here\n}\n@article{B3, title = {B3}}\n"},
	)
	a := NewAutoExporter(l, nil)
	dir := t.TempDir()
	var targets []ExportTarget
	for i, tg := range []ExportTarget{{}, {LibraryOrder: true}, {Dialect: bib.BibLaTeX}, {ASCII: true, Dialect: bib.BibTeX}} {
		tg.Kind, tg.Path = TargetLibrary, filepath.Join(dir, string(rune('a'+i))+".bib")
		tg, err := l.AddExportTarget(ctx, tg)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, tg)
	}
	check := func(when string) {
		t.Helper()
		for _, tg := range targets {
			want, _ := exportText(t, l, ExportOptions{ByKey: !tg.LibraryOrder, WriteOptions: bib.WriteOptions{Dialect: tg.Dialect, ASCII: tg.ASCII}})
			got, _ := os.ReadFile(tg.Path)
			if string(got) != want {
				t.Errorf("%s: %+v:\n%s", when, tg, cmp.Diff(want, string(got)))
			}
		}
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	check("first")
	e, err := l.Entry(ctx, "a2")
	if err != nil {
		t.Fatal(err)
	}
	e.Set("title", "Edited")
	if err := l.UpdateEntry(ctx, "a2", e); err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{Due: true}))
	check("after an edit")
}
