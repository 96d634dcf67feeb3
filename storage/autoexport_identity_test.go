//go:build linux || darwin

package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestAutoExportSeesChangesThatKeepSizeAndTime: a file of the size and modification time
// Bibshelf gave the target's, renamed over it, or written into it with its time set back, is
// someone else's change, though its size and time say nothing: the run after an edit leaves it
// alone and says so.
func TestAutoExportSeesChangesThatKeepSizeAndTime(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	path := filepath.Join(dir, "refs.bib")
	if _, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path}); err != nil {
		t.Fatal(err)
	}
	const key = "vinyals2015pointer"
	for i, c := range []struct {
		name string
		put  func(theirs []byte, fi os.FileInfo) error
	}{
		{"renamed over it", func(theirs []byte, fi os.FileInfo) error {
			tmp := filepath.Join(dir, "theirs.bib")
			if err := os.WriteFile(tmp, theirs, 0o644); err != nil {
				return err
			}
			if err := os.Chtimes(tmp, fi.ModTime(), fi.ModTime()); err != nil {
				return err
			}
			return os.Rename(tmp, path)
		}},
		{"written into it, its time set back", func(theirs []byte, fi os.FileInfo) error {
			if err := os.WriteFile(path, theirs, 0o644); err != nil {
				return err
			}
			return os.Chtimes(path, fi.ModTime(), fi.ModTime())
		}},
	} {
		// Bibshelf's file, as it wrote it.
		checkStatuses(t)(a.RunTargets(ctx, RunOptions{Overwrite: true}))
		ours, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		theirs := bytes.Replace(ours, []byte("Pointer Networks"), []byte("Pointer NetworkZ"), 1)
		if bytes.Equal(theirs, ours) {
			t.Fatal("no title to change")
		}
		if err := c.put(theirs, fi); err != nil {
			t.Fatal(err)
		}
		if now, err := os.Stat(path); err != nil || now.Size() != fi.Size() || !now.ModTime().Equal(fi.ModTime()) {
			t.Fatalf("%s: the file's size and time changed: %v", c.name, err)
		}
		e, err := l.Entry(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		e.Set("note", string(rune('a'+i)))
		if err := l.UpdateEntry(ctx, key, e); err != nil {
			t.Fatal(err)
		}
		sts, err := a.RunTargets(ctx, RunOptions{Due: true})
		if err != nil || len(sts) != 1 || !errors.Is(sts[0].Err, ErrTargetChanged) {
			t.Errorf("%s: the run after an edit: %+v, %v", c.name, sts, err)
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, theirs) {
			t.Errorf("%s: their file was overwritten", c.name)
		}
	}
}
