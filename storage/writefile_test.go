package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeString is a write function for WriteFile.
func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// dirNames lists a folder.
func dirNames(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func readString(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestWriteFileReplaces(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "refs.bib")
	if err := WriteFile(ctx, path, writeString("new file\n")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(ctx, path, writeString("second version\n")); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, path); got != "second version\n" {
		t.Errorf("content = %q", got)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"refs.bib"}) {
		t.Errorf("the folder holds %q, want only refs.bib", names)
	}
}

// TestWriteFileRefusesDatabases writes onto an open library, its -wal and -shm files, a closed
// library and another program's database: each is refused and left as it was.
func TestWriteFileRefusesDatabases(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if _, err := l.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	closed := mustOpen(t)
	closed.Close()
	other := filepath.Join(t.TempDir(), "places.sqlite")
	mustExec(t, rawDB(t, other, ""), `CREATE TABLE moz_places (url TEXT)`)
	for _, path := range []string{l.Path(), l.Path() + "-wal", l.Path() + "-shm", closed.Path(), other} {
		before := fileDigest(t, path)
		called := false
		err := WriteFile(ctx, path, func(w io.Writer) error { called = true; return nil })
		if !errors.Is(err, ErrDatabaseFile) || !strings.Contains(err.Error(), path) {
			t.Errorf("WriteFile(%s) = %v; want ErrDatabaseFile naming it", filepath.Base(path), err)
		}
		if called {
			t.Errorf("WriteFile(%s) called write", filepath.Base(path))
		}
		if after := fileDigest(t, path); after != before {
			t.Errorf("%s changed", filepath.Base(path))
		}
	}
	if n, err := l.Count(ctx); n != 56 || err != nil {
		t.Errorf("the library counts %d, %v", n, err)
	}
	// A new file beside a database, named as SQLite's own files are.
	if err := WriteFile(ctx, closed.Path()+"-journal", writeString("x")); !errors.Is(err, ErrDatabaseFile) {
		t.Errorf("WriteFile(a new -journal beside a library) = %v; want ErrDatabaseFile", err)
	}
}

// TestWriteFileCleansUp: a write that fails, and one whose context is cancelled half way, leave
// the target as it was and no temporary file.
func TestWriteFileCleansUp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "refs.bib")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("the export failed")
	err := WriteFile(context.Background(), path, func(w io.Writer) error {
		w.Write([]byte(strings.Repeat("half of it\n", 20000)))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("WriteFile = %v, want the write's error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = WriteFile(ctx, path, func(w io.Writer) error {
		if _, err := w.Write([]byte(strings.Repeat("half of it\n", 20000))); err != nil {
			return err
		}
		cancel() // Ctrl+C
		_, err := w.Write([]byte(strings.Repeat("the rest\n", 20000)))
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("WriteFile cancelled = %v, want context.Canceled", err)
	}
	if got := readString(t, path); got != "old\n" {
		t.Errorf("the target holds %.40q", got)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"refs.bib"}) {
		t.Errorf("the folder holds %q, want only refs.bib", names)
	}
}

// TestWriteFileRemovesStaleTemps puts temporary files in a folder as processes of this machine
// and another would leave them: the next WriteFile there removes those whose process is gone,
// and only those.
func TestWriteFileRemovesStaleTemps(t *testing.T) {
	// A process that has ended: this test binary, run for nothing.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	gone := cmd.Process.Pid
	dir := t.TempDir()
	temp := func(target, host string, pid int) string {
		return fmt.Sprintf(".%s%s%s-%d-0badcafe.tmp", target, tempMark, host, pid)
	}
	stale := []string{temp("a.bib", hostTag(), gone), temp("b.bib", hostTag(), os.Getpid())}
	kept := []string{
		temp("c.bib", hostTag(), os.Getppid()),   // its process runs
		temp("d.bib", "0000beef", gone),          // another machine's
		".notes.tmp", "e.bib.bibshelf-1-2-3.tmp", // not ours
	}
	for _, name := range append(slices.Clone(stale), kept...) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteFile(context.Background(), filepath.Join(dir, "refs.bib"), writeString("x")); err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(kept), "refs.bib")
	slices.Sort(want)
	if got := dirNames(t, dir); !slices.Equal(got, want) {
		t.Errorf("the folder holds\n%q\nwant\n%q", got, want)
	}
}

func TestParseTemp(t *testing.T) {
	for _, tt := range []struct {
		name string
		host string
		pid  int
		ok   bool
	}{
		{".refs.bib.bibshelf-0123abcd-4242-89abcdef.tmp", "0123abcd", 4242, true},
		{".my.bibshelf-x.bib.bibshelf-0123abcd-7-00000000.tmp", "0123abcd", 7, true},
		{"refs.bib.bibshelf-0123abcd-4242-89abcdef.tmp", "", 0, false},
		{".refs.bib.bibshelf-0123abcd-0-89abcdef.tmp", "", 0, false},
		{".refs.bib.bibshelf-0123abcd-x-89abcdef.tmp", "", 0, false},
		{".refs.bib.bibshelf-0123abcd-4242.tmp", "", 0, false},
		{".refs.bib.tmp", "", 0, false},
	} {
		host, pid, ok := parseTemp(tt.name)
		if host != tt.host || pid != tt.pid || ok != tt.ok {
			t.Errorf("parseTemp(%q) = %q, %d, %v; want %q, %d, %v", tt.name, host, pid, ok, tt.host, tt.pid, tt.ok)
		}
	}
}
