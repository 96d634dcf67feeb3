//go:build unix

package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestExportOutputFile exports with -o through a symbolic link, onto a file of mode 0640, onto
// one of two hard links, and onto a named pipe.
func TestExportOutputFile(t *testing.T) {
	lib := newLibrary(t)
	sample, err := os.ReadFile(sampleBib)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "paper"), 0o755); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(dir, "paper", "refs.bib")
	if err := os.WriteFile(real, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(real, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "refs.bib")
	if err := os.Symlink("paper/refs.bib", link); err != nil {
		t.Fatal(err)
	}
	twin := filepath.Join(dir, "twin.bib")
	if err := os.Link(real, twin); err != nil {
		t.Fatal(err)
	}
	if st, _, errOut := bibshelf(t, "", "export", "--library", lib, "-o", link); st != exitOK {
		t.Fatalf("export -o a link: %d %s", st, errOut)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link is now %v (%v)", fi.Mode(), err)
	}
	for _, p := range []string{real, twin} {
		if got, _ := os.ReadFile(p); string(got) != string(sample) {
			t.Errorf("%s does not hold the export (%d bytes)", filepath.Base(p), len(got))
		}
	}
	if fi, err := os.Stat(real); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("the file's mode is now %v (%v), want 0640", fi.Mode(), err)
	}

	fifo := filepath.Join(dir, "pipe.bib")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	go func() {
		st, _, errOut := bibshelf(t, "", "export", "--library", lib, "-o", fifo)
		done <- st == exitRejected && strings.Contains(errOut, "not a regular file: it is a named pipe")
		if st != exitRejected {
			t.Errorf("export -o a pipe: %d %s", st, errOut)
		}
	}()
	select {
	case ok := <-done:
		if !ok {
			t.Error("export -o a pipe: not refused as one")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("export -o a pipe blocks")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the pipe is now %v (%v)", fi.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 {
		t.Errorf("the folder holds %d files, want 4 (paper, refs.bib, twin.bib, pipe.bib)", len(entries))
	}
}
