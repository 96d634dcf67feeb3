//go:build windows

package storage

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestWriteFileRefusesReadOnlyAtOnce: a read-only file is refused up front, as access denied,
// not tried for renameWait and blamed on another program.
func TestWriteFileRefusesReadOnlyAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "refs.bib")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(path, 0o644)
	start := time.Now()
	err := WriteFile(context.Background(), path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err })
	if !errors.Is(err, fs.ErrPermission) || strings.Contains(err.Error(), "another program") || time.Since(start) > renameWait/2 {
		t.Errorf("a read-only file: %v after %v", err, time.Since(start))
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("written: %q", b)
	}
}

// holdOpen opens path as an editor such as TeXstudio does while it reads a file: shared for
// reading and writing, not for deletion, which makes Windows refuse a rename over it. The
// returned function closes it.
func holdOpen(t *testing.T, path string) (release func()) {
	t.Helper()
	name, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := syscall.CreateFile(name, syscall.GENERIC_READ, syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE,
		nil, syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { syscall.CloseHandle(h) }) }
	t.Cleanup(release)
	return release
}

// heldDir returns a new folder for a test of a held file, removed file by file when the test
// ends. The tests of a held file also run under Wine (./dev test), whose version in Debian 12
// lacks the way of deleting that t.TempDir's clean-up uses.
func heldDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "bibshelf-held-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		des, _ := os.ReadDir(dir)
		for _, de := range des {
			os.Remove(filepath.Join(dir, de.Name()))
		}
		if err := os.Remove(dir); err != nil {
			t.Logf("clean-up: %v", err)
		}
	})
	return dir
}

// leftovers lists the files of dir but name: the temporary files a write left behind.
func leftovers(t *testing.T, dir, name string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, de := range des {
		if de.Name() != name {
			left = append(left, de.Name())
		}
	}
	return left
}

// TestWriteFileWaitsForHolder: a target another program holds open is written once that
// program lets it go, within renameWait, and nothing is left behind.
func TestWriteFileWaitsForHolder(t *testing.T) {
	dir := heldDir(t)
	path := filepath.Join(dir, "refs.bib")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	release := holdOpen(t, path)
	const hold = 400 * time.Millisecond
	time.AfterFunc(hold, release)
	start := time.Now()
	err := WriteFile(context.Background(), path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err })
	took := time.Since(start)
	if err != nil {
		t.Fatalf("written while held for %v: %v", hold, err)
	}
	if took < hold/2 {
		t.Errorf("written after %v while another program held the file for %v: the rename was not refused", took, hold)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("content %q, want the new one", b)
	}
	if left := leftovers(t, dir, "refs.bib"); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestWriteFileReportsHolder: a target held open for longer than renameWait is left as it was,
// and the error says that another program keeps it open.
func TestWriteFileReportsHolder(t *testing.T) {
	dir := heldDir(t)
	path := filepath.Join(dir, "refs.bib")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	release := holdOpen(t, path)
	start := time.Now()
	err := WriteFile(context.Background(), path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err })
	took := time.Since(start)
	release()
	if err == nil || !strings.Contains(err.Error(), "another program") || !strings.Contains(err.Error(), path) {
		t.Fatalf("held open throughout: %v", err)
	}
	if took < renameWait {
		t.Errorf("gave up after %v, before renameWait (%v)", took, renameWait)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("content %q, want the old one", b)
	}
	if left := leftovers(t, dir, "refs.bib"); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}
