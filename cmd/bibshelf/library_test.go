package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/bibshelf/bibshelf/storage"
)

// newLibrary makes a library holding the sample, through the command line.
func newLibrary(t *testing.T) string {
	t.Helper()
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib); st != exitOK {
		t.Fatalf("import: %d %s", st, errOut)
	}
	return lib
}

// countEntries opens a library and counts its entries.
func countEntries(t *testing.T, lib string) int {
	t.Helper()
	l, err := storage.Open(context.Background(), lib)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	n, err := l.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestExportRefusesLibrary: export -o naming the library (or a SQLite file beside it) writes
// nothing, says why, and exits 1; the library is intact.
func TestExportRefusesLibrary(t *testing.T) {
	lib := newLibrary(t)
	for _, target := range []string{lib, lib + "-wal"} {
		st, out, errOut := bibshelf(t, "", "export", "--library", lib, "-o", target)
		if st != exitRejected || out != "" || !strings.Contains(errOut, "SQLite database") || !strings.Contains(errOut, target) {
			t.Errorf("export -o %s: %d %q %q", filepath.Base(target), st, out, errOut)
		}
	}
	if n := countEntries(t, lib); n != 56 {
		t.Errorf("the library holds %d entries, want 56", n)
	}
}

// TestReadOnlyVerbsNeedLibrary: export and search refuse a library that is not there instead of
// making an empty one, and say so; import still makes one.
func TestReadOnlyVerbsNeedLibrary(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.sqlite")
	out := filepath.Join(dir, "out.bib")
	for _, args := range [][]string{
		{"export", "--library", typo},
		{"export", "--library", typo, "-o", out},
		{"search", "--library", typo, "graph"},
	} {
		st, stdout, errOut := bibshelf(t, "", args...)
		if st != exitRejected || stdout != "" || !strings.Contains(errOut, "no library") || !strings.Contains(errOut, typo) ||
			!strings.Contains(errOut, "bibshelf import --library "+typo) {
			t.Errorf("bibshelf %s: %d %q %q", strings.Join(args, " "), st, stdout, errOut)
		}
	}
	t.Setenv("BIBSHELF_LIBRARY", typo)
	if st, _, errOut := bibshelf(t, "", "search", "graph"); st != exitRejected || !strings.Contains(errOut, typo) {
		t.Errorf("search in $BIBSHELF_LIBRARY: %d %q", st, errOut)
	}
	for _, p := range []string{typo, out} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was made", filepath.Base(p))
		}
	}
	if st, _, errOut := bibshelf(t, "@misc{x, title = {T}}", "import", "-"); st != exitOK {
		t.Errorf("import into a new library: %d %s", st, errOut)
	}
	if st, out, _ := bibshelf(t, "", "search", "key:x"); st != exitOK || !strings.HasPrefix(out, "x\t") {
		t.Errorf("search after the import: %d %q", st, out)
	}
}

// TestExportRefusesOtherDatabase: a SQLite file of another program is not a library, and stays
// as it was.
func TestExportRefusesOtherDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "places.sqlite")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE moz_places (url TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	for _, args := range [][]string{{"export", "--library", path}, {"search", "--library", path, "x"}, {"import", "--library", path, sampleBib}} {
		if st, _, errOut := bibshelf(t, "", args...); st != exitRejected || !strings.Contains(errOut, "not a Bibshelf library") {
			t.Errorf("bibshelf %s: %d %q", args[0], st, errOut)
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the database changed")
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Error("the database was switched to WAL")
	}
}

// TestExportInterrupted: Ctrl+C during an export leaves the file as it was, no temporary file,
// and exits 130.
func TestExportInterrupted(t *testing.T) {
	lib := newLibrary(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "refs.bib")
	if err := os.WriteFile(out, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	st := runExport(ctx, []string{"--library", lib, "-o", out}, &stdout, &stderr)
	if st != exitInterrupted || !strings.Contains(stderr.String(), "interrupted: "+out+" was not written") {
		t.Errorf("export: %d %q", st, stderr.String())
	}
	if got, _ := os.ReadFile(out); string(got) != "old\n" {
		t.Errorf("the file holds %.40q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d files", len(entries))
	}
}
