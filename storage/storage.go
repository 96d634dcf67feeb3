// Package storage keeps a Bibshelf library in one SQLite file: entries with their exact BibTeX
// source, library-wide @string/@preamble items, a full-text index for search, and what users
// organise entries with (tags, collections, notes, attachments, flags, the trash).
//
// It imports bib for the domain types and must not import Fyne. Every exported method is one
// transaction. The driver is github.com/mattn/go-sqlite3, which must be built with CGO_ENABLED=1
// and the sqlite_fts5 build tag: without the tag, Open fails with "no such module: fts5".
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNewerLibrary is returned by Open for a library whose schema is newer than this release's:
// it may hold data this release would misread.
var ErrNewerLibrary = errors.New("the library was made by a newer version of Bibshelf")

// ErrNotFound is returned when an entry does not exist; it matches fs.ErrNotExist.
var ErrNotFound = fmt.Errorf("entry %w", fs.ErrNotExist)

// Library is an open library file.
type Library struct {
	db   *sql.DB // writes, and reads that need no snapshot
	rdb  *sql.DB // read-only transactions
	path string
}

// Open opens the library at path, creating the file and its folder when missing, and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*Library, error) {
	return open(ctx, path, math.MaxInt)
}

// open is Open stopping at schema version upTo, so that tests can make a library as an older
// release left it.
func open(ctx context.Context, path string, upTo int) (*Library, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	// These options are per connection, so they go in the DSN for every connection of the pool.
	// _txlock=immediate takes the write lock at BEGIN: two processes never deadlock on upgrade.
	db, err := sql.Open("sqlite3", dsn(abs)+"?_foreign_keys=on&_journal_mode=WAL&_busy_timeout=10000&_txlock=immediate&_synchronous=NORMAL")
	if err != nil {
		return nil, fmt.Errorf("open library %s: %w", abs, err)
	}
	// Read transactions go through a second pool that begins them deferred: in WAL mode they then
	// read a snapshot without waiting for a writer, which an immediate BEGIN would.
	rdb, err := sql.Open("sqlite3", dsn(abs)+"?_foreign_keys=on&_busy_timeout=10000&_txlock=deferred&_query_only=true")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open library %s: %w", abs, err)
	}
	l := &Library{db: db, rdb: rdb, path: abs}
	had, err := l.migrate(ctx, upTo)
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("open library %s: %w", abs, err)
	}
	if had > 0 && had < 6 && upTo >= 6 {
		// Migration 6 moved nine tenths of every entry's bytes to another table, but dropping
		// columns leaves the entries table's pages as they were, half empty, and the file
		// larger by the copy (444 -> 725 MB at 100,000 entries). VACUUM rewrites it packed
		// (432 MB, 1.9 s at that size), once. Should it fail (another process keeping the
		// library busy), the library is as correct, only larger.
		l.db.ExecContext(ctx, `VACUUM`)
	}
	// The identity columns came with version 3; the backfill reads the entry_text table of
	// version 6.
	if upTo >= 6 {
		if err := l.backfillIdentity(ctx); err != nil {
			l.Close()
			return nil, fmt.Errorf("open library %s: %w", abs, err)
		}
	}
	return l, nil
}

// NeedsUpgrade reports whether the library at path exists with a schema older than this
// release's, which Open brings up to date: seconds for a large library the first time (see
// migration 0006), which the window says before it opens it. It only reads the file.
func NeedsUpgrade(ctx context.Context, path string) (bool, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false, fmt.Errorf("open library: %w", err)
	}
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	behind, err := needsUpgrade(ctx, abs)
	if err != nil {
		return false, fmt.Errorf("open library %s: %w", abs, err)
	}
	return behind, nil
}

func needsUpgrade(ctx context.Context, abs string) (bool, error) {
	db, err := sql.Open("sqlite3", dsn(abs)+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return false, err
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'schema_migrations')`).Scan(&exists); err != nil || !exists {
		return false, err // an empty file is made a library at once
	}
	var have int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return false, err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return false, err
	}
	return have > 0 && have < len(names), nil
}

// dsn turns a file path into the file: URI SQLite expects, escaping what a URI must.
func dsn(abs string) string {
	p := filepath.ToSlash(abs)
	if runtime.GOOS == "windows" && !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x -> /C:/x
	}
	return "file:" + (&url.URL{Path: p}).EscapedPath()
}

// Close closes the library.
func (l *Library) Close() error {
	rerr := l.rdb.Close()
	if err := l.db.Close(); err != nil {
		return err
	}
	return rerr
}

// Path returns the library file's absolute path.
func (l *Library) Path() string { return l.path }

// AttachmentsDir returns the folder attached files are stored relative to: "attachments" next to
// the library file. It need not exist.
func (l *Library) AttachmentsDir() string { return filepath.Join(filepath.Dir(l.path), "attachments") }

// SchemaVersion returns the number of the newest migration applied.
func (l *Library) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := l.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// migrate applies, in order, each embedded migration up to version upTo not yet recorded, each in
// its own transaction, and returns the version the library had.
func (l *Library) migrate(ctx context.Context, upTo int) (had int, err error) {
	if _, err := l.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL)`); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return 0, err
	}
	sort.Strings(names)
	var have, know int
	if err := l.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return 0, err
	}
	if len(names) > 0 {
		fmt.Sscanf(filepath.Base(names[len(names)-1]), "%04d_", &know)
	}
	if have > know {
		return have, fmt.Errorf("%w (its schema is version %d; this one knows up to %d): open it with that version", ErrNewerLibrary, have, know)
	}
	for _, name := range names {
		var version int
		if _, err := fmt.Sscanf(filepath.Base(name), "%04d_", &version); err != nil {
			return have, fmt.Errorf("migration %s: name must start with a 4-digit version", name)
		}
		if version > upTo {
			break
		}
		if err := l.migrateOne(ctx, version, name); err != nil {
			return have, err
		}
	}
	return have, nil
}

func (l *Library) migrateOne(ctx context.Context, version int, name string) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		if strings.Contains(err.Error(), "no such module: fts5") {
			err = fmt.Errorf("%w (this binary was built without -tags sqlite_fts5)", err)
		}
		return fmt.Errorf("migration %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`,
		version, filepath.Base(name), time.Now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}

// Count returns the number of entries in the library, not counting those in the trash.
func (l *Library) Count(ctx context.Context) (int, error) {
	var n int
	if err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE trashed IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count entries: %w", err)
	}
	return n, nil
}

// isBusy reports whether err is SQLite's "database is locked": another connection or process
// held the write lock for longer than the busy timeout.
func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrBusy
}
