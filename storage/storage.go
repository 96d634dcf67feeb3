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
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"github.com/bibshelf/bibshelf/bib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNewerLibrary is returned by Open for a library whose schema is newer than this release's:
// it may hold data this release would misread. Open leaves such a library as it is.
var ErrNewerLibrary = errors.New("the library was made by a newer version of Bibshelf")

// ErrNotLibrary is returned by Open for a file that is not a Bibshelf library: another
// program's SQLite database, or not a SQLite database at all. Open leaves it as it is: no table
// is added and its journal mode is not changed.
var ErrNotLibrary = errors.New("not a Bibshelf library")

// ErrNoLibrary is returned by OpenExisting for a path where there is no library yet: no file
// (the error then also matches fs.ErrNotExist), or an empty one.
var ErrNoLibrary = errors.New("no library")

// ErrNotFound is returned when an entry does not exist; it matches fs.ErrNotExist.
var ErrNotFound error = notFound{}

// notFound is ErrNotFound: "no such entry", not fs.ErrNotExist's "file does not exist", which
// would send a user looking for a file.
type notFound struct{}

func (notFound) Error() string        { return "no such entry in the library" }
func (notFound) Is(target error) bool { return target == fs.ErrNotExist }

// libraryApplicationID marks a SQLite file as a Bibshelf library: Open sets it with PRAGMA
// application_id (the 32-bit big-endian integer at offset 68 of the file's header), and opens no
// other SQLite database. It is "BibS" in ASCII.
const libraryApplicationID = 0x42696253

// busyTimeout is how long a statement waits for another connection's write lock before it fails
// with "database is locked".
const busyTimeout = 10 * time.Second

// Library is an open library file.
type Library struct {
	db   *sql.DB // writes, and reads that need no snapshot
	rdb  *sql.DB // read-only transactions
	path string
	// revisions says the schema has migration 0012's revisions, which imports give: always but
	// in tests that open a library as an older release left it.
	revisions bool
	// indexesLater says the schema has migration 0021's index_pending, where an import may leave
	// the list's indexes to later: always but in tests that open a library as an older release
	// left it.
	indexesLater bool
	// listOrder is the entryOrder of the list's pages (SearchWith), read once (order.go).
	listOrder atomic.Pointer[entryOrder]
}

// RemoveLibrary removes the library file at path with the write-ahead log and shared-memory
// files SQLite keeps beside it: what a step that made a new library and then failed leaves. A
// file that is not there is no error. The library must be closed.
func RemoveLibrary(path string) error {
	var errs []error
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Open opens the library at path, creating the file and its folder when missing, and brings its
// schema up to date. A file that is not a library is refused with ErrNotLibrary, a library from a
// newer release with ErrNewerLibrary; both are left as they are.
//
// Opening an up-to-date library only reads it: it never waits for another connection or process
// that is writing to the library. Only an upgrade, a library's first opening by a release that
// marks libraries (libraryApplicationID) and a new library write to it.
func Open(ctx context.Context, path string) (*Library, error) {
	return open(ctx, path, math.MaxInt, false)
}

// OpenExisting is Open for a library that must already be there: where there is none (no file,
// or an empty one), it returns ErrNoLibrary and creates nothing.
func OpenExisting(ctx context.Context, path string) (*Library, error) {
	return open(ctx, path, math.MaxInt, true)
}

// open is Open stopping at schema version upTo, so that tests can make a library as an older
// release left it.
func open(ctx context.Context, path string, upTo int, mustExist bool) (*Library, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	// What the file is, read before any connection that could write to it (the DSN below
	// switches every connection to WAL).
	st, err := inspect(ctx, abs)
	if err == nil && st.fresh && mustExist {
		if !st.exists {
			err = fmt.Errorf("%w: %w", ErrNoLibrary, fs.ErrNotExist)
		} else {
			err = fmt.Errorf("%w: the file holds none yet", ErrNoLibrary)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open library %s: %w", abs, err)
	}
	if !st.exists {
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return nil, fmt.Errorf("open library: %w", err)
		}
	}
	if st.blank {
		if err := startDatabase(ctx, abs); err != nil {
			return nil, fmt.Errorf("open library %s: %w", abs, err)
		}
	}
	// These options are per connection, so they go in the DSN for every connection of the pool.
	// _txlock=immediate takes the write lock at BEGIN: two processes never deadlock on upgrade.
	timeout := busyTimeout.Milliseconds()
	db, err := sql.Open("sqlite3", fmt.Sprintf("%s?_foreign_keys=on&_journal_mode=WAL&_busy_timeout=%d&_txlock=immediate&_synchronous=NORMAL", dsn(abs), timeout))
	if err != nil {
		return nil, fmt.Errorf("open library %s: %w", abs, err)
	}
	// Read transactions go through a second pool that begins them deferred: in WAL mode they then
	// read a snapshot without waiting for a writer, which an immediate BEGIN would.
	rdb, err := sql.Open("sqlite3", fmt.Sprintf("%s?_foreign_keys=on&_busy_timeout=%d&_txlock=deferred&_query_only=true", dsn(abs), timeout))
	if err != nil {
		return nil, fmt.Errorf("open library %s: %w", abs, errors.Join(err, db.Close()))
	}
	l := &Library{db: db, rdb: rdb, path: abs, revisions: upTo >= revisionsVersion,
		indexesLater: upTo >= indexesLaterVersion}
	if err := l.update(ctx, st, upTo); err != nil {
		return nil, fmt.Errorf("open library %s: %w", abs, errors.Join(err, l.Close()))
	}
	return l, nil
}

// pageSize is the page size of the libraries Open creates. SQLite's default of 4 KiB fits one
// entry's entry_text row (2.4 KB on average, with its source and abstract) in a page with little
// room for another, and a bulk import writes each page to the write-ahead log, reads the entries
// table's pages back from it to make its indexes, and reads every page of its transaction again
// when it commits (to sum the log's checksums anew): a page four times as large makes each of
// those a quarter as many calls. A library keeps the page size it was made with: in WAL mode
// SQLite cannot change it.
const pageSize = 16384

// startDatabase makes the file abs, which holds no database yet, a database of pageSize in WAL
// mode, which fixes its page size. Should another process have made it a database meanwhile,
// that one keeps the page size it has.
func startDatabase(ctx context.Context, abs string) error {
	db, err := sql.Open("sqlite3", fmt.Sprintf("%s?_busy_timeout=%d", dsn(abs), busyTimeout.Milliseconds()))
	if err != nil {
		return err
	}
	defer db.Close()
	// One connection: the page size is a setting of the connection until the file has one.
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA page_size = %d`, pageSize)); err != nil {
		return fmt.Errorf("set the page size: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA journal_mode = WAL`); err != nil {
		return fmt.Errorf("set the journal mode: %w", err)
	}
	return nil
}

// update does what inspect found to be done, each step only when it has something to do, so
// that opening an up-to-date library takes no write lock.
func (l *Library) update(ctx context.Context, st fileState, upTo int) error {
	if !st.marked {
		if err := l.mark(ctx); err != nil {
			return err
		}
	}
	if st.fresh || st.version < min(upTo, knownVersion()) {
		had, err := l.migrate(ctx, upTo)
		if err != nil {
			return err
		}
		if had > 0 && had < 6 && upTo >= 6 {
			// Migration 6 moved nine tenths of every entry's bytes to another table, but
			// dropping columns leaves the entries table's pages as they were, half empty, and
			// the file larger by the copy (444 -> 725 MB at 100,000 entries). VACUUM rewrites
			// it packed (432 MB, 1.9 s at that size), once. Should another process keep the
			// library busy, the library is as correct, only larger: that failure is no
			// failure to open it. Any other is.
			if _, err := l.db.ExecContext(ctx, `VACUUM`); err != nil && !isBusy(err) {
				return fmt.Errorf("vacuum: %w", err)
			}
		}
	}
	// The identity columns came with version 3; the backfill reads the entry_text table of
	// version 6.
	if upTo >= 6 {
		if err := l.backfillIdentity(ctx); err != nil {
			return err
		}
	}
	return nil
}

// fillListYears rewrites the year column of the entries written before migration 0010 whose
// year it reads otherwise now: those whose column is not four digits already. It runs in the
// migration's transaction (migrationSteps).
func fillListYears(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.year, t.fields, t.source FROM entries e JOIN entry_text t ON t.id = e.id
		WHERE e.year NOT GLOB '[0-9][0-9][0-9][0-9]'`)
	if err != nil {
		return fmt.Errorf("fill in years: %w", err)
	}
	type change struct {
		id   int64
		year string
	}
	var changes []change
	for rows.Next() {
		var id int64
		var year, fields string
		var e bib.Entry
		if err := rows.Scan(&id, &year, &fields, &e.Source); err != nil {
			rows.Close()
			return fmt.Errorf("fill in years: %w", err)
		}
		if err := decodeFields(&e, fields); err != nil {
			rows.Close()
			return fmt.Errorf("fill in years: entry %d: %w", id, err)
		}
		if y := listYear(&e); y != year {
			changes = append(changes, change{id, y})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("fill in years: %w", err)
	}
	for _, c := range changes {
		if _, err := tx.ExecContext(ctx, `UPDATE entries SET year = ? WHERE id = ?`, c.year, c.id); err != nil {
			return fmt.Errorf("fill in years: %w", err)
		}
	}
	return nil
}

// migrationSteps are the parts of migrations that SQL cannot do, run in Go after the
// migration's SQL, in its transaction: a library has the version only with them done.
var migrationSteps = map[int]func(ctx context.Context, tx *sql.Tx) error{
	10: fillListYears,
	11: refoldTitleKeys,
	17: remakeReplicaTriggers,
	19: makeReplicaOrder,
	20: makeReplicaListIndexes,
}

// mark sets the library's application_id.
func (l *Library) mark(ctx context.Context) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mark the library: %w", err)
	}
	defer tx.Rollback()
	var id int32
	if err := tx.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&id); err != nil {
		return fmt.Errorf("mark the library: %w", err)
	}
	if id == libraryApplicationID {
		return nil
	}
	if id != 0 { // another program made it its own since inspect looked
		return fmt.Errorf("%w: a SQLite database of another program (application_id %#08x)", ErrNotLibrary, uint32(id))
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id = %d`, libraryApplicationID)); err != nil {
		return fmt.Errorf("mark the library: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mark the library: %w", err)
	}
	return nil
}

// fileState is what a read-only look at a file says about it.
type fileState struct {
	exists bool // the file exists (it may be empty)
	// fresh: no file, an empty one, or a SQLite database without a table (or with only an
	// empty schema_migrations, as a first Open interrupted early leaves it). Open makes it a
	// library.
	fresh   bool
	blank   bool // no file, or an empty one: no database yet, and so no page size
	marked  bool // its application_id is libraryApplicationID
	version int  // the newest migration recorded in it
}

// inspect looks at the file at abs through a read-only connection with none of Open's settings:
// it changes nothing, not even the journal mode. It returns ErrNotLibrary for a file Open must
// not touch, and ErrNewerLibrary for a library from a newer release.
//
// A library is a SQLite database marked with libraryApplicationID, or one a release made before
// libraries were marked: application_id 0, and the tables schema_migrations and entries.
func inspect(ctx context.Context, abs string) (st fileState, err error) {
	fi, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return fileState{fresh: true, blank: true}, nil
	}
	if err != nil {
		return fileState{}, err
	}
	st = fileState{exists: true}
	if !fi.Mode().IsRegular() {
		return st, fmt.Errorf("%w: not a regular file", ErrNotLibrary)
	}
	if fi.Size() == 0 {
		st.fresh, st.blank = true, true
		return st, nil
	}
	head, err := readHeader(abs)
	if err != nil {
		return st, err
	}
	if !strings.HasPrefix(string(head), sqliteHeader) {
		return st, fmt.Errorf("%w: not a SQLite database", ErrNotLibrary)
	}
	params := "mode=ro"
	if _, err := os.Lstat(abs + "-wal"); errors.Is(err, fs.ErrNotExist) && head[18] == 2 &&
		binary.BigEndian.Uint32(head[68:]) != libraryApplicationID {
		// Reading a database in WAL mode makes its -wal and -shm files. Without a -wal
		// file, no one has it open and the file holds all of it: read it as it is, so that a
		// database Bibshelf refuses is left exactly as it was.
		params += "&immutable=1"
	}
	db, err := sql.Open("sqlite3", fmt.Sprintf("%s?%s&_busy_timeout=%d", dsn(abs), params, busyTimeout.Milliseconds()))
	if err != nil {
		return st, err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	// One connection, so that the reads below see one state of the file.
	conn, err := db.Conn(ctx)
	if err != nil {
		return st, err
	}
	defer func() { err = errors.Join(err, conn.Close()) }()
	var id int32
	if err := conn.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&id); err != nil {
		return st, err
	}
	st.marked = id == libraryApplicationID
	rows, err := conn.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return st, err
	}
	var tables []string
	has := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return st, err
		}
		tables = append(tables, name)
		has[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	if has["schema_migrations"] {
		if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&st.version); err != nil {
			return st, err
		}
	}
	switch {
	case id != 0 && !st.marked:
		return st, fmt.Errorf("%w: a SQLite database of another program (application_id %#08x)", ErrNotLibrary, uint32(id))
	case len(tables) == 0 || len(tables) == 1 && has["schema_migrations"] && st.version == 0:
		st.fresh = true
	case !st.marked && !(has["schema_migrations"] && has["entries"]):
		if len(tables) > 6 {
			tables = append(tables[:6], "…")
		}
		return st, fmt.Errorf("%w: a SQLite database of another program (its tables: %s)", ErrNotLibrary, strings.Join(tables, ", "))
	}
	if know := knownVersion(); st.version > know {
		return st, fmt.Errorf("%w (its schema is version %d; this one knows up to %d): open it with that version", ErrNewerLibrary, st.version, know)
	}
	return st, nil
}

// sqliteHeader starts every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// readHeader returns the first 100 bytes of the file at path: a SQLite database's header, which
// starts with sqliteHeader, says at byte 18 whether it is in WAL mode (2), and holds the
// application_id at offset 68. A shorter file gives zeros.
func readHeader(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, 100)
	if _, err := io.ReadFull(f, head); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, errors.Join(err, f.Close())
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return head, nil
}

// knownVersion is the newest schema version this release knows: that of its last migration.
func knownVersion() int {
	// Glob's only error is ErrBadPattern, which this pattern is not.
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	know := 0
	for _, name := range names {
		var v int
		if _, err := fmt.Sscanf(filepath.Base(name), "%04d_", &v); err == nil {
			know = max(know, v)
		}
	}
	return know
}

// NeedsUpgrade reports whether the library at path exists with a schema older than this
// release's, which Open brings up to date: seconds for a large library the first time (see
// migration 0006), which the window says before it opens it. It only reads the file, and
// returns the error Open would for a file that is not a library, or one from a newer release.
func NeedsUpgrade(ctx context.Context, path string) (bool, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false, fmt.Errorf("open library: %w", err)
	}
	st, err := inspect(ctx, abs)
	if err != nil {
		return false, fmt.Errorf("open library %s: %w", abs, err)
	}
	// A new library is made at once.
	return !st.fresh && st.version > 0 && st.version < knownVersion(), nil
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
	return errors.Join(l.rdb.Close(), l.db.Close())
}

// Path returns the library file's absolute path.
func (l *Library) Path() string { return l.path }

// schemaVersion returns the number of the newest migration applied.
func (l *Library) schemaVersion(ctx context.Context) (int, error) {
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
	var have int
	if err := l.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return 0, err
	}
	// inspect checked this before; another process may have upgraded the library since.
	if know := knownVersion(); have > know {
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
	if step := migrationSteps[version]; step != nil {
		if err := step(ctx, tx); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`,
		version, filepath.Base(name), time.Now().UnixMilli()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	return nil
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

// The steps of beginWrite's wait: the first is silent, as a short transaction of another
// connection often holds the lock that long; the others are short, so that a cancelled ctx ends
// the wait soon (SQLite's wait for a lock does not see an interrupt).
const (
	waitQuietly = time.Second
	waitStep    = 250 * time.Millisecond
)

// beginWrite begins a write transaction on conn. With waiting nil, it waits for another writer
// for the busy timeout and then fails with "database is locked". Otherwise it waits as long as
// it takes, until ctx is done, and calls waiting once when it has waited waitQuietly.
func beginWrite(ctx context.Context, conn *sql.Conn, waiting func()) (*sql.Tx, error) {
	if waiting == nil {
		return conn.BeginTx(ctx, nil)
	}
	setTimeout := func(ctx context.Context, ex interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}, d time.Duration) error {
		_, err := ex.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, d.Milliseconds()))
		return err
	}
	step := waitQuietly
	for {
		if err := setTimeout(ctx, conn, step); err != nil {
			return nil, err
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err == nil {
			// The transaction's own statements wait as any other's do.
			if err := setTimeout(ctx, tx, busyTimeout); err != nil {
				return nil, errors.Join(err, tx.Rollback())
			}
			return tx, nil
		}
		if !isBusy(err) || ctx.Err() != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return nil, errors.Join(err, setTimeout(context.WithoutCancel(ctx), conn, busyTimeout))
		}
		if step == waitQuietly {
			waiting()
			step = waitStep
		}
	}
}
