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
