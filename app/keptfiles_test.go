package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// editNote changes an entry's note field through the window's change path, as the entry
// pane's editors do, and returns when the change was asked for.
func editNote(t *testing.T, u *UI, lib *storage.Library, key, note string) time.Time {
	t.Helper()
	old, err := lib.Entry(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	edited := old.Clone()
	if err := edited.Set("note", note); err != nil {
		t.Fatal(err)
	}
	asked := time.Now()
	fyneDoAndWait(func() { u.saveEntryRef(&entryRef{key: key, entry: old}, old, edited, "Edit note") })
	return asked
}

// fileHolds waits until the file holds text, at most within.
func fileHolds(t *testing.T, path, text string, within time.Duration) string {
	t.Helper()
	var got []byte
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got, _ = os.ReadFile(path); strings.Contains(string(got), text) {
			return string(got)
		}
	}
	t.Fatalf("%s does not hold %q within %v; it holds:\n%s", path, text, within, got)
	return ""
}

// TestKeepBibInSync keeps a collection's .bib in sync from its context menu: the file is
// written at once, an edit made in the window rewrites it within two seconds, a change made to
// it by someone else stops the rewriting and shows in Kept .bib Files, and Overwrite there
// writes over it.
func TestKeepBibInSync(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	dir := t.TempDir()
	u.app.Preferences().SetString(prefExportFolder, dir)
	c, err := lib.CreateCollection(ctx, nil, "Thesis")
	if err == nil {
		_, err = lib.AddToCollection(ctx, c.ID, "vinyals2015pointer", "biondi2024stationary")
	}
	if err != nil {
		t.Fatal(err)
	}
	row := "col:" + strconv.FormatInt(c.ID, 10)
	fyneDoAndWait(u.sidebar.refresh)
	eventually(t, "the collection in the sidebar", func() bool { _, ok := u.sidebar.item(row); return ok && u.settled() })

	menuAction(t, u, row, "Keep a .bib in Sync…")
	answer(t, u, "thesis.bib", "Save")
	path := filepath.Join(dir, "thesis.bib")
	eventually(t, "the settings", func() bool {
		text := dialogText(u)
		return strings.Contains(text, "Collection Thesis") && strings.Contains(text, path)
	})
	var sub bool
	fyneDoAndWait(func() {
		sub = u.inDialog["sync:sub"].(*dialogCheck).Checked
		u.dialogs.typedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Keep in Sync
	})
	if !sub {
		t.Error("With its sub-collections is not checked at first")
	}
	text := fileHolds(t, path, "@", 5*time.Second)
	eventually(t, "the file written once", func() bool { return u.settled() && strings.HasPrefix(u.status.Text, "Wrote thesis.bib (2 entries)") })
	if n := len(bib.ParseString(path, text).Entries()); n != 2 {
		t.Fatalf("the file holds %d entries:\n%s", n, text)
	}

	asked := editNote(t, u, lib, "vinyals2015pointer", "Read for chapter two")
	fileHolds(t, path, "Read for chapter two", 2*time.Second)
	t.Logf("rewritten %v after the edit", time.Since(asked).Round(time.Millisecond))

	// Someone else's change: not overwritten by the next edit.
	theirs := fileHolds(t, path, "Read for chapter two", time.Second) + "\n@misc{theirs, title = {Their Entry}}\n"
	if err := os.WriteFile(path, []byte(theirs), 0o644); err != nil {
		t.Fatal(err)
	}
	editNote(t, u, lib, "vinyals2015pointer", "Read again")
	eventually(t, "the conflict shown", func() bool {
		return u.kept.warn.Visible() && u.kept.warn.Text == "thesis.bib not written"
	})
	if got, _ := os.ReadFile(path); string(got) != theirs {
		t.Fatalf("their change was overwritten:\n%s", got)
	}
	fyneDoAndWait(func() { test.Tap(u.kept.warn) })
	eventually(t, "the conflict in Kept .bib Files", func() bool {
		return strings.Contains(dialogText(u), "Changed by someone else since: not overwritten.")
	})
	var targets []storage.ExportTarget
	fyneDoAndWait(func() { targets = u.kept.targets })
	if len(targets) != 1 || !errors.Is(targets[0].Status.Err, storage.ErrTargetChanged) {
		t.Fatalf("the window lists %+v", targets)
	}
	overwrite := "kept:" + strconv.FormatInt(targets[0].ID, 10) + ":overwrite"
	fyneDoAndWait(func() {
		for _, name := range []string{"diff", "import", "overwrite"} {
			if _, ok := u.inDialog["kept:"+strconv.FormatInt(targets[0].ID, 10)+":"+name]; !ok {
				t.Errorf("no %s button for the conflict", name)
			}
		}
		test.Tap(u.inDialog[overwrite].(*widget.Button))
	})
	fyneDoAndWait(func() { u.dialogs.typedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) }) // the confirmation
	got := fileHolds(t, path, "Read again", 5*time.Second)
	if strings.Contains(got, "theirs") {
		t.Errorf("Overwrite left their entry:\n%s", got)
	}
	eventually(t, "the conflict resolved", func() bool {
		_, shown := u.inDialog[overwrite]
		return !u.kept.warn.Visible() && !shown && strings.Contains(dialogText(u), "Written just now, 2 entries")
	})
}

// TestKeepBibInSyncOffersOverwrite: a file that was there before is not written over, and the
// dialog that says so writes over it when asked.
func TestKeepBibInSyncOffersOverwrite(t *testing.T) {
	u, _ := newTestUI(t)
	dir := t.TempDir()
	u.app.Preferences().SetString(prefExportFolder, dir)
	path := filepath.Join(dir, "library.bib")
	if err := os.WriteFile(path, []byte("@misc{old, title = {Old}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyneDoAndWait(u.kept.keepSelected) // the Library row is selected
	saveAs(t, u, "library.bib")        // Fyne's own question: Yes
	eventually(t, "the settings", func() bool { return strings.Contains(dialogText(u), "The whole library") })
	fyneDoAndWait(func() { u.dialogs.typedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) })
	eventually(t, "the offer to overwrite", func() bool {
		return strings.Contains(dialogText(u), "library.bib exists and was not written by Bibshelf")
	})
	if got, _ := os.ReadFile(path); string(got) != "@misc{old, title = {Old}}\n" {
		t.Fatalf("the file was written over before asking:\n%s", got)
	}
	tapInDialog(t, u, "Overwrite")
	got := fileHolds(t, path, "vinyals2015pointer", 5*time.Second)
	if n := len(bib.ParseString(path, got).Entries()); n != 56 {
		t.Errorf("the file holds %d entries", n)
	}
}

func TestTargetStatusText(t *testing.T) {
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, time.Local)
	for _, c := range []struct {
		st   storage.TargetStatus
		want string
	}{
		{storage.TargetStatus{}, "Not written yet"},
		{storage.TargetStatus{Running: true}, "Writing…"},
		{storage.TargetStatus{Ran: now, Written: now.Add(-5 * time.Minute), Entries: 57}, "Written 5 minutes ago, 57 entries"},
		{storage.TargetStatus{Ran: now, Written: now.Add(-3 * time.Hour), Entries: 1}, "Written at 12:30, 1 entry"},
		{storage.TargetStatus{Ran: now, Written: now.AddDate(0, 0, -2), Entries: 1}, "Written 2026-03-02 15:30, 1 entry"},
		{storage.TargetStatus{Ran: now, Err: &storage.TargetChangedError{NeverWritten: true}},
			"Never written. The file was there before Bibshelf wrote it: not overwritten."},
		{storage.TargetStatus{Ran: now, Written: now, Entries: 2, Err: &storage.TargetChangedError{}},
			"Written just now, 2 entries. Changed by someone else since: not overwritten."},
		{storage.TargetStatus{Ran: now, Err: errors.New("disk full")}, "Never written. Could not write it: disk full"},
		{storage.TargetStatus{Ran: now, Entries: 3}, "Up to date (checked just now), 3 entries"},
	} {
		if got := targetStatusText(c.st, now); got != c.want {
			t.Errorf("targetStatusText(%+v) = %q, want %q", c.st, got, c.want)
		}
	}
}

// TestClosingWritesTheLastChange: stopping the runner, as the window does when it closes, runs
// the targets that a change not yet written made due, and waits for it.
func TestClosingWritesTheLastChange(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "all.bib")
	if _, err := lib.AddExportTarget(ctx, storage.ExportTarget{Kind: storage.TargetLibrary, Path: path}); err != nil {
		t.Fatal(err)
	}
	fyneDoAndWait(u.kept.poke)
	fileHolds(t, path, "vinyals2015pointer", 5*time.Second)
	e, err := lib.Entry(ctx, "vinyals2015pointer")
	if err == nil {
		err = e.Set("note", "Written as the window closed")
	}
	if err == nil {
		err = lib.UpdateEntry(ctx, e.Key, e)
	}
	if err != nil {
		t.Fatal(err)
	}
	u.kept.stop()
	if got, _ := os.ReadFile(path); !strings.Contains(string(got), "Written as the window closed") {
		t.Errorf("the file after closing:\n%s", got)
	}
	u.kept.stop() // once only
}

// TestKeptDiffText: Show Differences tells entries changed in the file from those the library
// changed too, and the import's result names the entries it kept as the library has them.
func TestKeptDiffText(t *testing.T) {
	got := targetDiffText("refs.bib", storage.TargetDiff{Changed: []string{"liu2023cascaded"}, ChangedBoth: []string{"kusupati2022matryoshka"}})
	want := "Changed in refs.bib: 1 entry\n    liu2023cascaded\n\n" +
		"Changed in the library since Bibshelf last wrote refs.bib, maybe there too (Import Their Changes keeps the library's): 1 entry\n    kusupati2022matryoshka"
	if got != want {
		t.Errorf("differences:\n%s\nwant:\n%s", got, want)
	}
	msg := importKeptText("refs.bib", storage.TargetImport{Updated: []string{"liu2023cascaded"}, Kept: []string{"kusupati2022matryoshka"}})
	for _, s := range []string{"1 entry changed, 0 new", "Kept as the library has them: kusupati2022matryoshka.", "refs.bib was left as it is", "Overwrite refs.bib"} {
		if !strings.Contains(msg, s) {
			t.Errorf("the import's result lacks %q:\n%s", s, msg)
		}
	}
}
