package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
)

// rawDB opens a file with go-sqlite3 alone, as another program would: none of Open's settings,
// no migrations.
func rawDB(tb testing.TB, path, params string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite3", dsn(path)+params)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func mustExec(tb testing.TB, db *sql.DB, queries ...string) {
	tb.Helper()
	for _, q := range queries {
		if _, err := db.Exec(q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
}

// fileDigest is the digest of a file and of the files SQLite keeps beside it, which must not
// change when Bibshelf leaves a file alone.
func fileDigest(tb testing.TB, path string) string {
	tb.Helper()
	var b strings.Builder
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(&b, "%s: none\n", filepath.Base(p))
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: %x\n", filepath.Base(p), sha256.Sum256(data))
	}
	return b.String()
}

func applicationID(tb testing.TB, path string) int32 {
	tb.Helper()
	var id int32
	if err := rawDB(tb, path, "?mode=ro").QueryRow(`PRAGMA application_id`).Scan(&id); err != nil {
		tb.Fatal(err)
	}
	return id
}

// TestOpenMarksLibraries: a new path, an empty file and a SQLite file with no table yet become
// libraries marked with Bibshelf's application_id.
func TestOpenMarksLibraries(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.sqlite")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	noTables := filepath.Join(dir, "no-tables.sqlite")
	mustExec(t, rawDB(t, noTables, ""), `PRAGMA user_version = 0`, `VACUUM`)
	for _, path := range []string{filepath.Join(dir, "new", "lib.sqlite"), empty, noTables} {
		l, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open %s: %v", path, err)
		}
		if v, err := l.schemaVersion(ctx); v != latestVersion(t) || err != nil {
			t.Errorf("%s: schema version %d, %v", filepath.Base(path), v, err)
		}
		l.Close()
		if id := applicationID(t, path); id != libraryApplicationID {
			t.Errorf("%s: application_id = %#x, want %#x", filepath.Base(path), id, libraryApplicationID)
		}
	}
}

// TestOpenRecognisesUnmarkedLibrary opens a library an earlier release made, before libraries
// were marked: it is brought up to date and marked.
func TestOpenRecognisesUnmarkedLibrary(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v5.sqlite")
	old, err := open(ctx, path, 5, false)
	if err != nil {
		t.Fatal(err)
	}
	insertAsVersion1(t, old, sample(t).Entries()[0])
	old.Close()
	mustExec(t, rawDB(t, path, ""), `PRAGMA application_id = 0`)
	l := upgrade(t, old)
	if n, err := l.Count(ctx); n != 1 || err != nil {
		t.Errorf("Count = %d, %v; want 1", n, err)
	}
	l.Close()
	if id := applicationID(t, path); id != libraryApplicationID {
		t.Errorf("application_id = %#x, want %#x", id, libraryApplicationID)
	}
}

// TestOpenRefusesOtherDatabases opens SQLite files of other programs, and a text file: each is
// refused, and left byte for byte as it was (no table added, the journal mode unchanged).
func TestOpenRefusesOtherDatabases(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		setup []string // "" is a text file
		want  string
	}{
		{"tables.sqlite", []string{`CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)`, `INSERT INTO moz_places (url) VALUES ('https://example.org')`}, "moz_places"},
		{"wal.sqlite", []string{`PRAGMA journal_mode = WAL`, `CREATE TABLE notes (body TEXT)`, `INSERT INTO notes VALUES ('x')`}, "notes"},
		{"entries.sqlite", []string{`CREATE TABLE entries (id INTEGER PRIMARY KEY)`}, "entries"},
		{"app-id.sqlite", []string{`PRAGMA application_id = 1196444487`}, "0x47504b47"}, // GeoPackage's
		{"app-id-tables.sqlite", []string{`PRAGMA application_id = 1196444487`, `CREATE TABLE schema_migrations (version INTEGER)`, `CREATE TABLE entries (id INTEGER)`}, "0x47504b47"},
		{"notes.txt", nil, "not a SQLite database"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.name)
			if tt.setup == nil {
				if err := os.WriteFile(path, []byte(strings.Repeat("a text file, not a database\n", 20)), 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				db := rawDB(t, path, "")
				mustExec(t, db, tt.setup...)
				db.Close()
			}
			before := fileDigest(t, path)
			l, err := Open(ctx, path)
			if err == nil {
				l.Close()
			}
			if !errors.Is(err, ErrNotLibrary) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open = %v; want ErrNotLibrary naming the file and %q", err, tt.want)
			}
			if _, err := NeedsUpgrade(ctx, path); !errors.Is(err, ErrNotLibrary) {
				t.Errorf("NeedsUpgrade = %v; want ErrNotLibrary", err)
			}
			if after := fileDigest(t, path); after != before {
				t.Errorf("the file changed:\n%s\nwas\n%s", after, before)
			}
		})
	}
}

// TestOpenRefusesNewerLibraryUntouched: a library from a newer release is refused before anything
// is written to it, its journal mode included.
func TestOpenRefusesNewerLibraryUntouched(t *testing.T) {
	ctx := context.Background()
	path := newerLibrary(t)
	// As a newer release might leave it: in the rollback journal mode.
	db := rawDB(t, path, "")
	mustExec(t, db, `PRAGMA journal_mode = DELETE`)
	db.Close()
	before := fileDigest(t, path)
	if l, err := Open(ctx, path); !errors.Is(err, ErrNewerLibrary) {
		if err == nil {
			l.Close()
		}
		t.Fatalf("Open = %v, want ErrNewerLibrary", err)
	}
	if after := fileDigest(t, path); after != before {
		t.Errorf("the file changed:\n%s\nwas\n%s", after, before)
	}
	var mode string
	if err := rawDB(t, path, "?mode=ro").QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "delete" {
		t.Errorf("journal_mode = %q, %v; want delete", mode, err)
	}
}

// TestOpenExisting: the command line's read-only verbs open a library only where one is.
func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo.sqlite")
	if l, err := OpenExisting(ctx, missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		if err == nil {
			l.Close()
		}
		t.Errorf("OpenExisting(a missing file) = %v; want fs.ErrNotExist naming it", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenExisting made %s: %v", missing, err)
	}
	empty := filepath.Join(dir, "empty.sqlite")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if l, err := OpenExisting(ctx, empty); !errors.Is(err, ErrNoLibrary) {
		if err == nil {
			l.Close()
		}
		t.Errorf("OpenExisting(an empty file) = %v; want ErrNoLibrary", err)
	}
	if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
		t.Errorf("OpenExisting wrote to an empty file: %v, %v", fi, err)
	}
	l := mustOpen(t)
	l.Close()
	l2, err := OpenExisting(ctx, l.Path())
	if err != nil {
		t.Fatalf("OpenExisting(a library) = %v", err)
	}
	l2.Close()
}

// TestPageSize: a library Open creates, from no file or an empty one, has pages of pageSize; a
// database made before with another page size (as every library was before this version) keeps
// it, and takes a bulk import.
func TestPageSize(t *testing.T) {
	ctx := context.Background()
	pageOf := func(path string) int {
		t.Helper()
		var n int
		if err := rawDB(t, path, "?mode=ro").QueryRow(`PRAGMA page_size`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.sqlite")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "sub", "new.sqlite"), empty} {
		l, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		l.Close()
		if n := pageOf(path); n != pageSize {
			t.Errorf("%s: page size %d, want %d", filepath.Base(path), n, pageSize)
		}
	}

	old := filepath.Join(dir, "old.sqlite")
	db := rawDB(t, old, "")
	if _, err := db.Exec(`PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t (x); DROP TABLE t`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	l, err := Open(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var src strings.Builder
	for i := range 2 * bulkThreshold {
		fmt.Fprintf(&src, "@misc{k%d, title = {Title %d}}\n", i, i)
	}
	if rep, err := l.Import(ctx, bib.Parse("old.bib", []byte(src.String()))); err != nil || rep.Imported != 2*bulkThreshold {
		t.Fatalf("import: %d imported, %v", rep.Imported, err)
	}
	if n := pageOf(old); n != 4096 {
		t.Errorf("a library of 4096-byte pages has %d-byte pages after Open and an import", n)
	}
}
