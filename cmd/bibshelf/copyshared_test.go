package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// TestCopyShared copies a library to a shared library and back: the copy is a library of its
// own whose export is the library's, byte for byte, and which a verb uses without a server.
func TestCopyShared(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib); st != 0 {
		t.Fatal(errOut)
	}
	if st, _, errOut := bibshelf(t, "", "search", "--library", lib, "pointer"); st != 0 {
		t.Fatal(errOut)
	}
	url := pgtest.New(t)
	if st, _, errOut := bibshelf(t, "", "share", "--library", lib, url); st != 0 {
		t.Fatal(errOut)
	}
	back := filepath.Join(dir, "back.sqlite")
	st, out, errOut := bibshelf(t, "", "copy-shared", url, back)
	if st != exitOK || !strings.HasPrefix(out, "copied 56 entries from the shared library at ") || errOut != "" {
		t.Fatalf("copy-shared: %d %q %q", st, out, errOut)
	}
	for _, args := range [][]string{{}, {"--format", "biblatex", "--notes"}} {
		_, want, _ := bibshelf(t, "", append([]string{"export", "--library", lib}, args...)...)
		st, got, errOut := bibshelf(t, "", append([]string{"export", "--library", back}, args...)...)
		if st != exitOK || got != want || errOut != "" {
			t.Errorf("export %v of the copy: %d, %d bytes, %q; want the library's %d bytes", args, st, len(got), errOut, len(want))
		}
	}
	// Found by its words (its search index made), and a library of its own: no server asked.
	if st, out, errOut := bibshelf(t, "", "search", "--library", back, "pointer", "networks"); st != exitOK || !strings.HasPrefix(out, "vinyals2015pointer\t") || errOut != "" {
		t.Errorf("search of the copy: %d %q %q", st, out, errOut)
	}
	// Never over a file.
	if st, _, errOut := bibshelf(t, "", "copy-shared", url, back); st != exitRejected || !strings.Contains(errOut, "exists") {
		t.Errorf("copy-shared onto a file: %d %q", st, errOut)
	}
	// A database without a shared library: no file left.
	empty := filepath.Join(dir, "empty.sqlite")
	if st, _, errOut := bibshelf(t, "", "copy-shared", pgtest.New(t), empty); st != exitRejected || errOut == "" {
		t.Errorf("copy-shared of an empty database: %d %q", st, errOut)
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Errorf("a failed copy left %s (%v)", empty, err)
	}
	if st, _, _ := bibshelf(t, "", "copy-shared", lib, back+"2"); st != exitUsage {
		t.Errorf("copy-shared of a library file: %d, want a usage error", st)
	}
}
