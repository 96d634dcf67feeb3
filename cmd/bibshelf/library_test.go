package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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

// syncBuffer is a bytes.Buffer that a verb running on another goroutine may write to while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestHoldLockChild is the other program of TestAnotherWriter: it holds the library's write lock,
// as an import does, until its standard input is closed.
func TestHoldLockChild(t *testing.T) {
	path := os.Getenv("BIBSHELF_HOLD_LOCK")
	if path == "" {
		t.Skip("a helper process of TestAnotherWriter")
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_txlock=immediate&_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE entries SET title = 'changing' WHERE key = 'vinyals2015pointer'`); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("holding the write lock\n")
	io.Copy(io.Discard, os.Stdin)
	tx.Rollback()
}

// holdLock starts a process that holds the library's write lock, and returns what ends it.
func holdLock(t *testing.T, lib string) (release func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldLockChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "BIBSHELF_HOLD_LOCK="+lib)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			stdin.Close()
			cmd.Wait()
		})
	}
	t.Cleanup(release)
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if lines.Text() == "holding the write lock" {
			go io.Copy(io.Discard, stdout)
			return release
		}
	}
	t.Fatal("the other process did not take the lock")
	return nil
}

// TestAnotherWriter runs the verbs while another process holds the library's write lock: search
// and export do not wait for it; import waits as long as it takes, saying so, and Ctrl+C stops
// it.
func TestAnotherWriter(t *testing.T) {
	lib := newLibrary(t)
	release := holdLock(t, lib)

	start := time.Now()
	if st, out, errOut := bibshelf(t, "", "search", "--library", lib, "pointer", "networks"); st != exitOK || !strings.HasPrefix(out, "vinyals2015pointer\t") {
		t.Errorf("search: %d %q %q", st, out, errOut)
	}
	if st, out, errOut := bibshelf(t, "", "export", "--library", lib, "--query", "pointer networks"); st != exitOK || !strings.Contains(out, "{vinyals2015pointer,") {
		t.Errorf("export: %d %.100q %q", st, out, errOut)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("search and export took %s: they waited for the writer", took)
	}

	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runImport(context.Background(), []string{"--library", lib, "-"}, strings.NewReader("@misc{waited, title = {Waited}}"), &stdout, &stderr)
	}()
	waitFor(t, &stderr, "waiting for another program to finish writing the library")
	// Longer than the busy timeout would be a slow test: the import must still be waiting
	// after a few more tries.
	time.Sleep(time.Second)
	select {
	case st := <-done:
		t.Fatalf("the import ended (%d) while the other program wrote: %s", st, stderr.String())
	default:
	}
	release()
	if st := <-done; st != exitOK || stdout.String() != "imported 1, skipped 0 duplicates, merged 0, rejected 0\n" {
		t.Errorf("import after the wait: %d %q %q", st, stdout.String(), stderr.String())
	}

	holdLock(t, lib)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr2 syncBuffer
	go func() {
		done <- runImport(ctx, []string{"--library", lib, "-"}, strings.NewReader("@misc{stopped, title = {S}}"), io.Discard, &stderr2)
	}()
	waitFor(t, &stderr2, "waiting for another program")
	cancel() // Ctrl+C
	select {
	case st := <-done:
		if st != exitInterrupted || !strings.Contains(stderr2.String(), "interrupted: nothing of it was imported") {
			t.Errorf("Ctrl+C while waiting: %d %q", st, stderr2.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Ctrl+C did not stop the waiting import")
	}
}

// waitFor waits until a verb's output holds text.
func waitFor(t *testing.T, out *syncBuffer, text string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in:\n%s", text, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
