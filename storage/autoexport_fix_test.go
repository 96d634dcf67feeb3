package storage

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
)

// runDue runs the due targets and returns how many ran.
func runDue(t *testing.T, a *AutoExporter) []TargetStatus {
	t.Helper()
	sts, err := a.RunTargets(context.Background(), RunOptions{Due: true})
	if err != nil {
		t.Fatal(err)
	}
	return sts
}

func TestTagTargetFollowsRenameAndFailsOnDelete(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	path := filepath.Join(dir, "cite.bib")
	tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetTag, Tag: "to-cite", Path: path})
	if err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	before, _ := os.ReadFile(path)
	if len(before) == 0 {
		t.Fatal("nothing written")
	}
	if err := l.RenameTag(ctx, "to-cite", "cite"); err != nil {
		t.Fatal(err)
	}
	sts := runDue(t, a)
	if len(sts) != 1 || sts[0].Err != nil {
		t.Fatalf("after the rename: %+v", sts)
	}
	if got, _ := l.ExportTarget(ctx, tg.ID); got.Tag != "cite" {
		t.Errorf("the target's tag after the rename: %q", got.Tag)
	}
	if after, _ := os.ReadFile(path); len(after) == 0 || strings.Count(string(after), "\n@") != strings.Count(string(before), "\n@") {
		t.Errorf("after the rename the file has %d bytes, before %d", len(after), len(before))
	}

	// A child tag's target follows its parent's rename.
	keys := []string{"vinyals2015pointer"}
	if _, err := l.AddTags(ctx, keys, "cite/ch1"); err != nil {
		t.Fatal(err)
	}
	child, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetTag, Tag: "cite/ch1", Path: filepath.Join(dir, "ch1.bib")})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.RenameTag(ctx, "CITE", "refs"); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.ExportTarget(ctx, child.ID); got.Tag != "refs/ch1" {
		t.Errorf("the child's target after the rename: %q", got.Tag)
	}

	// Deleted: the target fails and the file stays.
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	written, _ := os.ReadFile(path)
	if err := l.DeleteTag(ctx, "refs"); err != nil {
		t.Fatal(err)
	}
	sts = runDue(t, a)
	if len(sts) != 2 || !errors.Is(sts[0].Err, fs.ErrNotExist) || !strings.Contains(sts[0].Err.Error(), `the tag "refs" was deleted`) {
		t.Fatalf("after the delete: %+v", sts)
	}
	if after, _ := os.ReadFile(path); string(after) != string(written) {
		t.Errorf("the file was written after its tag was deleted: %d bytes", len(after))
	}
	// The tag made again: the target writes again.
	if _, err := l.AddTags(ctx, keys, "refs"); err != nil {
		t.Fatal(err)
	}
	if sts := runDue(t, a); len(sts) != 2 || sts[0].Err != nil {
		t.Fatalf("the tag made again: %+v", sts)
	}
}

func TestSearchTargetFollowsFlagsAndAttachments(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	for _, ss := range []SavedSearch{
		{Name: "starred", Filter: Filter{Starred: true}},
		{Name: "read", Query: "is:read"},
		{Name: "pdf", Query: "has:pdf"},
		{Name: "thesis", Query: `in:"Dissertation"`},
	} {
		if err := l.SaveSearch(ctx, ss); err != nil {
			t.Fatal(err)
		}
		if _, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetSearch, Search: ss.Name, Path: filepath.Join(dir, ss.Name+".bib")}); err != nil {
			t.Fatal(err)
		}
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	holds := func(name, key string) bool {
		b, _ := os.ReadFile(filepath.Join(dir, name+".bib"))
		return strings.Contains(string(b), "{"+key+",")
	}
	const key = "vinyals2015pointer"
	steps := []struct {
		name   string
		change func() error
		file   string
	}{
		{"starred", func() error { _, err := l.SetStarred(ctx, true, key); return err }, "starred"},
		{"read", func() error { _, err := l.SetRead(ctx, true, key); return err }, "read"},
		{"attached", func() error {
			pdf := filepath.Join(dir, "paper.pdf")
			os.WriteFile(pdf, []byte("%PDF-1.4\n"), 0o644)
			_, err := l.AddAttachment(ctx, key, pdf)
			return err
		}, "pdf"},
		{"collection renamed", func() error {
			c, err := l.CreateCollection(ctx, nil, "Thesis draft")
			if err != nil {
				return err
			}
			if _, err := l.AddToCollection(ctx, c.ID, key); err != nil {
				return err
			}
			checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
			return l.RenameCollection(ctx, c.ID, "Dissertation")
		}, "thesis"},
	}
	for _, s := range steps {
		if holds(s.file, key) {
			t.Fatalf("%s: the file holds %s before", s.name, key)
		}
		if err := s.change(); err != nil {
			t.Fatal(err)
		}
		runDue(t, a)
		if !holds(s.file, key) {
			t.Errorf("%s: the due run left %s.bib without %s", s.name, s.file, key)
		}
	}
	// Removed attachments count as well.
	atts, err := l.Attachments(ctx, key)
	if err != nil || len(atts) != 1 {
		t.Fatal(atts, err)
	}
	if err := l.RemoveAttachment(ctx, key, atts[0].ID); err != nil {
		t.Fatal(err)
	}
	runDue(t, a)
	if holds("pdf", key) {
		t.Error("the attachment removed: the due run left the entry in pdf.bib")
	}
}

// appendTo adds text at the end of the file at path.
func appendTo(t *testing.T, path, text string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, text...), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestImportTargetChangesKeepsAChangeMadeMeanwhile(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	path := filepath.Join(dir, "refs.bib")
	tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	appendTo(t, path, "\n@misc{first2026, title = {First}}\n")
	const second = "\n@misc{second2026, title = {Saved while the first was taken in}}\n"
	afterTargetImport = func() { appendTo(t, path, second) }
	defer func() { afterTargetImport = nil }()
	_, _, err = a.ImportTargetChanges(ctx, tg.ID)
	var ce *TargetChangedError
	if !errors.As(err, &ce) || ce.ID != tg.ID {
		t.Fatalf("a change saved during the import: %v", err)
	}
	afterTargetImport = nil
	sts := runDue(t, a)
	if len(sts) != 1 || !errors.Is(sts[0].Err, ErrTargetChanged) {
		t.Errorf("the next run: %+v", sts)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "second2026") {
		t.Fatal("the change saved during the import was overwritten")
	}
	// Taken in again, it is the library's.
	if ti, st, err := a.ImportTargetChanges(ctx, tg.ID); err != nil || st.Err != nil || len(ti.Report.Added) != 1 {
		t.Fatalf("again: %+v %v %v", ti, st.Err, err)
	}
	if _, err := l.Entry(ctx, "second2026"); err != nil {
		t.Error(err)
	}
}

func TestImportTargetChangesKeepsAddedEntriesInTheTarget(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	cols, err := l.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var thesis int64
	for _, c := range cols {
		if c.Name == "Thesis" {
			thesis = c.ID
		}
	}
	coll, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetCollection, Collection: thesis, SubCollections: true, Path: filepath.Join(dir, "thesis.bib")})
	if err != nil {
		t.Fatal(err)
	}
	tag, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetTag, Tag: "to-cite", Path: filepath.Join(dir, "cite.bib")})
	if err != nil {
		t.Fatal(err)
	}
	search, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetSearch, Search: "pointers", Path: filepath.Join(dir, "pointers.bib")})
	if err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	// An entry the library has outside the collection, as it is: joined.
	outsider, err := l.Entry(ctx, "zhang2023noisy")
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	if err := bib.NewWriter(&text).Entry(outsider); err != nil {
		t.Fatal(err)
	}
	appendTo(t, coll.Path, "\n@article{new2024, title = {New in the thesis}, year = 2024}\n\n"+text.String())
	appendTo(t, tag.Path, "\n@article{cite2024, title = {New to cite}, year = 2024}\n")
	appendTo(t, search.Path, "\n@article{net2024, title = {A network}, year = 2024}\n@article{off2024, title = {Off the search}, year = 2024}\n")
	for _, c := range []struct {
		tg      ExportTarget
		keys    []string
		outside []string
	}{
		{coll, []string{"new2024", "zhang2023noisy"}, nil},
		{tag, []string{"cite2024"}, nil},
		{search, []string{"net2024"}, []string{"off2024"}},
	} {
		ti, st, err := a.ImportTargetChanges(ctx, c.tg.ID)
		if err != nil || st.Err != nil {
			t.Fatalf("%s: %v %v", c.tg.Path, err, st.Err)
		}
		if !slicesEqual(ti.Outside, c.outside) {
			t.Errorf("%s: outside %v, want %v", c.tg.Path, ti.Outside, c.outside)
		}
		b, _ := os.ReadFile(c.tg.Path)
		for _, k := range c.keys {
			if !strings.Contains(string(b), "{"+k+",") {
				t.Errorf("%s lost %s after the import", c.tg.Path, k)
			}
		}
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

func TestImportTargetChangesRefusesConvertedAndClashes(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	for i, tg := range []ExportTarget{{Dialect: bib.BibLaTeX}, {ASCII: true}, {Notes: true}} {
		tg.Kind, tg.Path = TargetLibrary, filepath.Join(dir, "c"+string(rune('0'+i))+".bib")
		tg, err := l.AddExportTarget(ctx, tg)
		if err != nil {
			t.Fatal(err)
		}
		checkStatuses(t)(a.RunTargets(ctx, RunOptions{}, tg.ID))
		appendTo(t, tg.Path, "\n@misc{conv2026, title = {X}}\n")
		before, _ := os.ReadFile(tg.Path)
		if _, _, err := a.ImportTargetChanges(ctx, tg.ID); !errors.Is(err, ErrConvertedTarget) || !strings.Contains(err.Error(), "overwrite") {
			t.Errorf("%+v: %v", tg, err)
		}
		if after, _ := os.ReadFile(tg.Path); string(after) != string(before) {
			t.Error("the file was written")
		}
	}
	if _, err := l.Entry(ctx, "conv2026"); !errors.Is(err, ErrNotFound) {
		t.Errorf("imported from a converted file: %v", err)
	}

	// A key the library gives another entry outside the target: nothing is taken.
	tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetSearch, Search: "pointers", Path: filepath.Join(dir, "p.bib")})
	if err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}, tg.ID))
	appendTo(t, tg.Path, "\n@misc{zhang2023noisy, title = {Not the library's}}\n@misc{fresh2026, title = {Fresh}}\n")
	if _, _, err := a.ImportTargetChanges(ctx, tg.ID); !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), "zhang2023noisy") {
		t.Errorf("a clash: %v", err)
	}
	if _, err := l.Entry(ctx, "fresh2026"); !errors.Is(err, ErrNotFound) {
		t.Errorf("imported despite the clash: %v", err)
	}
}

func TestAutoExportFileUpToDateIsNotWritten(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	path := filepath.Join(dir, "refs.bib")
	tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	// A copy of the file, made by someone else, found by a fresh target and runner.
	b, _ := os.ReadFile(path)
	copyPath := filepath.Join(dir, "copy.bib")
	if err := os.WriteFile(copyPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	os.Chtimes(copyPath, old, old)
	if err := l.RemoveExportTarget(ctx, tg.ID); err != nil {
		t.Fatal(err)
	}
	cp, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: copyPath})
	if err != nil {
		t.Fatal(err)
	}
	sts, err := NewAutoExporter(l, nil).RunTargets(ctx, RunOptions{}, cp.ID)
	if err != nil || len(sts) != 1 || sts[0].Err != nil {
		t.Fatal(sts, err)
	}
	if !sts[0].Written.IsZero() {
		t.Errorf("a file holding the content already counts as written at %v", sts[0].Written)
	}
	if fi, _ := os.Stat(copyPath); !fi.ModTime().Equal(old) {
		t.Error("the file was written")
	}
	// It is Bibshelf's now: a change to the library writes it.
	if _, err := l.AddTags(ctx, []string{"vinyals2015pointer"}, "new-tag"); err != nil {
		t.Fatal(err)
	}
	if sts, err := NewAutoExporter(l, nil).RunTargets(ctx, RunOptions{Due: true}); err != nil || len(sts) != 1 || sts[0].Err != nil || sts[0].Written.IsZero() {
		t.Errorf("after a change: %+v %v", sts, err)
	}
}

func TestAutoExporterRetriesAFailedWrite(t *testing.T) {
	defer func(first, most time.Duration) { retryFirst, retryMax = first, most }(retryFirst, retryMax)
	retryFirst, retryMax = 50*time.Millisecond, 200*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, a, dir := autoFixture(t)
	folder := filepath.Join(dir, "not yet")
	path := filepath.Join(folder, "refs.bib")
	if _, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ts, err := l.ExportTargets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ts[0].Status.Err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first run did not fail")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The folder made, with no change to the library: the write is tried again.
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(path); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the failed write was not tried again")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAutoExporterReportsItsErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, a, _ := autoFixture(t)
	errs := make(chan error, 100)
	a.OnError(func(err error) { errs <- err })
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	time.Sleep(100 * time.Millisecond)
	l.Close()
	select {
	case err := <-errs:
		if err == nil {
			t.Error("told of nil first")
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the library closed: no error told")
	}
	time.Sleep(600 * time.Millisecond)
	if n := len(errs); n > 1 {
		t.Errorf("the same error told %d more times", n)
	}
}

func TestSearchByDateAddedIsDueOnANewDay(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	for _, ss := range []SavedSearch{{Name: "recent", Query: "added:7d"}, {Name: "week", Filter: Filter{AddedDays: 7}}} {
		if err := l.SaveSearch(ctx, ss); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	for _, name := range []string{"recent", "week", "pointers"} {
		tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetSearch, Search: name, Path: filepath.Join(dir, name+".bib")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tg.ID)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	if sts := runDue(t, a); len(sts) != 0 {
		t.Fatalf("due at once: %+v", sts)
	}
	yesterday := time.Now().AddDate(0, 0, -1).UnixMilli()
	if _, err := l.db.Exec(`UPDATE export_targets SET ran = ?`, yesterday); err != nil {
		t.Fatal(err)
	}
	sts := runDue(t, a)
	if len(sts) != 2 || sts[0].ID != ids[0] || sts[1].ID != ids[1] {
		t.Errorf("due on a new day: %+v", sts)
	}
}
