package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// setField changes one field of the library's entry key, as the window's editor does.
func setLibraryField(t *testing.T, l *Library, key, name, value string) {
	t.Helper()
	ctx := context.Background()
	e, err := l.Entry(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Set(name, value); err != nil {
		t.Fatal(err)
	}
	if err := l.UpdateEntry(ctx, key, e); err != nil {
		t.Fatal(err)
	}
}

// editFile replaces, in the entry key of the file at path, the field name's value by value.
func editFile(t *testing.T, path, key, name, value string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?s)(@\w+\{` + regexp.QuoteMeta(key) + `,.*?\n\s*` + name + `\s*=\s*)\{[^}]*\}`)
	if !re.Match(b) {
		t.Fatalf("no %s in %s of %s", name, key, path)
	}
	b = re.ReplaceAll(b, []byte("${1}{"+value+"}"))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func libraryField(t *testing.T, l *Library, key, name string) string {
	t.Helper()
	e, err := l.Entry(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return e.Get(name)
}

// TestImportTargetChangesKeepsLibraryEdits is the case of a file edited by hand while the
// library changed another entry: the import takes the file's edit and keeps the library's.
func TestImportTargetChangesKeepsLibraryEdits(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	path := filepath.Join(dir, "refs.bib")
	tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	editFile(t, path, "liu2023cascaded", "volume", "278")
	setLibraryField(t, l, "kusupati2022matryoshka", "year", "2023")
	sts, err := a.RunTargets(ctx, RunOptions{})
	if err != nil || !errors.Is(sts[0].Err, ErrTargetChanged) {
		t.Fatalf("run after both edits: %+v %v", sts, err)
	}
	d, err := a.ExportTargetDiff(ctx, tg.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := TargetDiff{Changed: []string{"liu2023cascaded"}, ChangedBoth: []string{"kusupati2022matryoshka"}}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}
	// Nothing cached: the command line's way.
	ti, st, err := l.ImportTargetChanges(ctx, tg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(TargetImport{Updated: []string{"liu2023cascaded"}, Kept: []string{"kusupati2022matryoshka"}}, ti); diff != "" {
		t.Errorf("import (-want +got):\n%s", diff)
	}
	if got := libraryField(t, l, "kusupati2022matryoshka", "year"); got != "2023" {
		t.Errorf("the library's edit was undone: year %s", got)
	}
	if got := libraryField(t, l, "liu2023cascaded", "volume"); got != "278" {
		t.Errorf("the file's edit was not taken: volume %s", got)
	}
	// The file keeps its version of the entry kept, for the user to decide.
	if !errors.Is(st.Err, ErrTargetChanged) {
		t.Errorf("status after an import that kept entries: %+v", st)
	}
	if d, err := a.ExportTargetDiff(ctx, tg.ID); err != nil || !cmp.Equal(d, TargetDiff{ChangedBoth: []string{"kusupati2022matryoshka"}}) {
		t.Errorf("diff after the import: %+v %v", d, err)
	}
	// Overwriting writes the library's version; then nothing differs.
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{Overwrite: true}))
	if d, err := a.ExportTargetDiff(ctx, tg.ID); err != nil || !d.IsZero() {
		t.Errorf("diff after overwriting: %+v %v", d, err)
	}
}

// TestImportTargetChangesBothEdited: an entry edited in the file and in the library keeps the
// library's version; once the library takes the file's by hand, the file is Bibshelf's again.
func TestImportTargetChangesBothEdited(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	path := filepath.Join(dir, "refs.bib")
	tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	editFile(t, path, "kusupati2022matryoshka", "volume", "36")
	setLibraryField(t, l, "kusupati2022matryoshka", "year", "2023")
	d, err := a.ExportTargetDiff(ctx, tg.ID)
	if err != nil || !cmp.Equal(d, TargetDiff{ChangedBoth: []string{"kusupati2022matryoshka"}}) {
		t.Errorf("diff: %+v %v", d, err)
	}
	ti, _, err := a.ImportTargetChanges(ctx, tg.ID)
	if err != nil || len(ti.Updated) != 0 || !cmp.Equal(ti.Kept, []string{"kusupati2022matryoshka"}) {
		t.Errorf("import: %+v %v", ti, err)
	}
	if libraryField(t, l, "kusupati2022matryoshka", "year") != "2023" || libraryField(t, l, "kusupati2022matryoshka", "volume") != "35" {
		t.Errorf("the library's entry changed")
	}
	if b, _ := os.ReadFile(path); !regexp.MustCompile(`volume\s*=\s*\{36\}`).Match(b) {
		t.Errorf("the file's version was written over")
	}
	// The user merges in the window: the file then holds the library's entries, and is adopted.
	setLibraryField(t, l, "kusupati2022matryoshka", "year", "2022")
	setLibraryField(t, l, "kusupati2022matryoshka", "volume", "36")
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	if d, err := a.ExportTargetDiff(ctx, tg.ID); err != nil || !d.IsZero() {
		t.Errorf("diff after merging: %+v %v", d, err)
	}
}

// TestImportTargetChangesNeverWritten: a target pointed at an old export, which Bibshelf never
// wrote, takes in no changed entry: each may be an older version of the library's.
func TestImportTargetChangesNeverWritten(t *testing.T) {
	ctx := context.Background()
	l, _, dir := autoFixture(t)
	path := filepath.Join(dir, "old.bib")
	var old bytes.Buffer
	if _, err := l.Export(ctx, &old, ExportOptions{ByKey: true}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, old.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	setLibraryField(t, l, "kusupati2022matryoshka", "year", "2023")
	editFile(t, path, "liu2023cascaded", "volume", "278")
	tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	sts, err := l.RunExportTargets(ctx, RunOptions{})
	var ce *TargetChangedError
	if err != nil || !errors.As(sts[0].Err, &ce) || !ce.NeverWritten {
		t.Fatalf("run: %+v %v", sts, err)
	}
	d, err := l.ExportTargetDiff(ctx, tg.ID)
	if err != nil || len(d.Changed) != 0 || !cmp.Equal(d.ChangedBoth, []string{"kusupati2022matryoshka", "liu2023cascaded"}) {
		t.Errorf("diff: %+v %v", d, err)
	}
	ti, _, err := l.ImportTargetChanges(ctx, tg.ID)
	if err != nil || len(ti.Updated) != 0 || len(ti.Kept) != 2 {
		t.Errorf("import: %+v %v", ti, err)
	}
	if libraryField(t, l, "kusupati2022matryoshka", "year") != "2023" || libraryField(t, l, "liu2023cascaded", "volume") != "277" {
		t.Errorf("the library's entries changed")
	}
}

// TestTargetSettingsForgetFileRevision: a target given another dialect no longer counts its
// file as the library's text of any revision.
func TestTargetSettingsForgetFileRevision(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	path := filepath.Join(dir, "refs.bib")
	tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	fileRev := func() (n int64) {
		t.Helper()
		if err := l.db.QueryRowContext(ctx, `SELECT file_revision FROM export_targets WHERE id = ?`, tg.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if fileRev() == 0 {
		t.Fatal("no file revision recorded after a write")
	}
	tg.LibraryOrder = true
	if err := l.UpdateExportTarget(ctx, tg); err != nil || fileRev() == 0 {
		t.Errorf("the order changed: file revision %d %v", fileRev(), err)
	}
	tg.Notes = true
	if err := l.UpdateExportTarget(ctx, tg); err != nil || fileRev() != 0 {
		t.Errorf("notes changed: file revision %d %v", fileRev(), err)
	}
}
