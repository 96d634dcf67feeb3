package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// Report says what an import did with each entry of a file.
type Report struct {
	File       string
	Imported   int
	Duplicates int // skipped: the same key, or (with SkipDuplicates) the same paper, is already there
	Merged     int // merged into the entry already there (MergeDuplicates)
	Rejected   int // items that could not be parsed; each has a Problem
	// Added lists the keys of the entries the import added to the library, in the order it
	// added them: not those it skipped, nor those it merged into an entry already there.
	Added []string
	// KeysGiven lists the keys made for entries that came without one.
	KeysGiven []string
	// Renamed lists the entries imported under another key than their file gave them, because
	// another paper had the key (see KeyChange).
	Renamed []KeyChange
	// Problems lists every rejection and warning with its file, line and entry key.
	Problems bib.Problems
	// Possible lists the entries imported although the library may have had them already
	// (ImportDuplicates), for the caller to offer skipping or merging them after all.
	Possible []PossibleDuplicate
}

// PossibleDuplicate is an entry an import brought in, and the entry the library had that may be
// the same paper.
type PossibleDuplicate struct {
	Key, Existing, Reason string
}

// Add adds another file's report to r.
func (r *Report) Add(o Report) {
	r.Imported += o.Imported
	r.Duplicates += o.Duplicates
	r.Rejected += o.Rejected
	r.Merged += o.Merged
	r.Problems = append(r.Problems, o.Problems...)
	r.Possible = append(r.Possible, o.Possible...)
	r.Added = append(r.Added, o.Added...)
	r.KeysGiven = append(r.KeysGiven, o.KeysGiven...)
	r.Renamed = append(r.Renamed, o.Renamed...)
}

// ImportOptions says how Import treats entries.
type ImportOptions struct {
	// KeyPattern makes the keys of entries that have none (bib.PatternJabRef when empty). Keys
	// that entries have are never changed.
	KeyPattern string
	// Duplicates says what happens to an entry that is the same paper as one in the library
	// (same ISBN, DOI or arXiv id, or the same title, year and first author). An entry with the
	// key of one in the library is skipped when bibtex reads the two alike, and otherwise, unless
	// this policy skips it, imported under a key of its own (see KeyChange).
	Duplicates DuplicatePolicy
	// keywordSeparators splits an entry's keywords field into tags: any of these characters
	// separates two keywords (",;" when empty). The field itself stays as written.
	keywordSeparators string
	// NoKeywordTags leaves keywords fields alone: no tags are made from them.
	NoKeywordTags bool
	// Collection, when not 0, is the id of a collection that the entries the import adds go
	// into, in the same transaction (the collection the window shows, say).
	Collection int64
	// Progress, when set, is called as the import goes, with the number of items done and the
	// total, from the importing goroutine. Items are entries, @string, @preamble and @comment.
	// Importing from a reader (ImportReader), the total is its Estimate until the end (never
	// below what is done); the last call gives the count.
	Progress func(done, total int)
	// Stage, when set, is told, from the importing goroutine, of each step of the import after
	// its items are read, which can take as long as reading them: StageIndexes, StageSearch,
	// StageCommit.
	Stage func(stage string)
	// IndexLater leaves a large import's entries out of the search index when it commits
	// (words do not find them yet; the list, filters and export do): the caller then runs
	// IndexPending, which indexes them in short transactions of their own. An import into a
	// library much smaller than itself leaves the list's sort indexes to IndexPending too
	// (laterIndexes, migration 0021): the list is in the same order without them, sorted a little
	// slower until IndexPending's first steps have made them. The import returns about twice as
	// soon. Imports of fewer than 500 entries, and imports that merge duplicates
	// (MergeDuplicates), index their entries anyway.
	IndexLater bool
	// Waiting, when set, makes the import wait for as long as another connection or process
	// holds the library's write lock (another import), until ctx is done, instead of failing
	// with "database is locked" after 10 s; it is called, once, when the import has waited a
	// second, so that the caller can say why nothing happens.
	Waiting func()
}

// The steps of an import after its items are read, as ImportOptions.Stage names them.
const (
	StageIndexes = "making the list's indexes"
	StageSearch  = "indexing for search"
	StageCommit  = "writing the library"
)

// DuplicatePolicy is what an import does with an entry the library already has.
type DuplicatePolicy int

const (
	// ImportDuplicates imports it anyway and reports it as a possible duplicate.
	ImportDuplicates DuplicatePolicy = iota
	// SkipDuplicates leaves it out, and reports it.
	SkipDuplicates
	// MergeDuplicates merges it into the entry already there (see Merge): the new entry goes to
	// the trash, and the old one gains its fields, tags and notes.
	MergeDuplicates
)

// bulkThreshold is the number of entries from which an import indexes them for search in one
// statement at its end instead of one by one (see migration 0004) unless it merges, and, when it
// imports duplicates anyway, finds them in one pass over the identity indexes after the inserts
// instead of four look-ups per entry.
const bulkThreshold = 500

// progressEvery is how many items an import handles between two calls of its Progress.
const progressEvery = 1000

// An import of bulkThreshold entries or more gives its connection, for its transaction, a page
// cache of bulkCachePerEntry bytes per entry (at most bulkCacheMax): about what an entry adds to
// the list and identity indexes. Every insert touches those indexes at random places, and with
// the default 2 MB cache their pages were written to the WAL and read back over and over. The
// rows themselves, written once, are ten times larger than the indexes, so the transaction still
// spills its uncommitted pages into the WAL as it goes (from the first megabytes on), which is
// what TestCrashImport needs to show that a crash rolls them back.
const (
	bulkCachePerEntry = 512
	bulkCacheMax      = 64 << 20
)

// Import adds a parsed file's entries and @string/@preamble/@comment items to the library, in
// one transaction: all of the file or none of it; cancelling ctx rolls it back. An entry whose
// key (case-insensitively) is already in the library, or earlier in the file, is skipped as a
// duplicate when bibtex reads it as that entry; another paper under a key the library has is
// imported under the key with a letter added (Report.Renamed), and the file's entries that name
// it by crossref follow it. An entry without a key gets one from the default key pattern.
func (l *Library) Import(ctx context.Context, f *bib.File) (Report, error) {
	return l.ImportWith(ctx, f, ImportOptions{})
}

// ImportWith is Import with options.
func (l *Library) ImportWith(ctx context.Context, f *bib.File, opts ImportOptions) (Report, error) {
	return l.importSource(ctx, fileSource(f), opts)
}

// ImportReader is ImportWith of the file a reader reads (a bib.Reader, or the reader of another
// format), read as it is imported: a large file's entries are never all in memory at once. The
// reader is read to its end, or until the import fails or is cancelled.
func (l *Library) ImportReader(ctx context.Context, r bib.ItemReader, opts ImportOptions) (Report, error) {
	return l.importSource(ctx, readerSource(r), opts)
}

// itemSource is what an import reads its items from.
type itemSource struct {
	name string
	// next gives the items in order. An import calls it from one goroutine, not its caller's.
	next func() (bib.Item, bool)
	// items is the number of items other than text between them, and entries the number of
	// entries: exact for a parsed file, estimated for a reader.
	items, entries int
	// problems gives the parse's problems; all of them once next has reported the end.
	problems func() bib.Problems
	// parses says that next parses as it goes: the import then calls it ahead of need, on a
	// goroutine of its own.
	parses bool
}

func fileSource(f *bib.File) itemSource {
	src := itemSource{name: f.Name, problems: func() bib.Problems { return f.Problems }}
	for i := range f.Items {
		if k := f.Items[i].Kind; k != bib.KindText {
			src.items++
			if k == bib.KindEntry {
				src.entries++
			}
		}
	}
	i := 0
	src.next = func() (bib.Item, bool) {
		if i == len(f.Items) {
			return bib.Item{}, false
		}
		i++
		return f.Items[i-1], true
	}
	return src
}

func readerSource(r bib.ItemReader) itemSource {
	n := r.Estimate()
	return itemSource{name: r.Name(), next: r.Next, items: n, entries: n, problems: r.Problems, parses: true}
}

func (l *Library) importSource(ctx context.Context, src itemSource, opts ImportOptions) (Report, error) {
	rep, err := l.importWith(ctx, src, opts)
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) &&
		(errors.Is(err, sql.ErrTxDone) || strings.Contains(err.Error(), "statement is closed")) {
		// A cancelled context closes the transaction's statements under the importer, which
		// then fails with "statement is closed": say why it stopped.
		return Report{}, fmt.Errorf("import %s: %w", src.name, ctx.Err())
	}
	return rep, err
}

func (l *Library) importWith(ctx context.Context, src itemSource, opts ImportOptions) (rep Report, err error) {
	if opts.KeyPattern == "" {
		opts.KeyPattern = bib.PatternJabRef
	}
	pattern, err := bib.ParsePattern(opts.KeyPattern)
	if err != nil {
		return Report{}, fmt.Errorf("import %s: %w", src.name, err)
	}
	large := src.entries >= bulkThreshold
	// Merging rewrites the index rows of entries the import may have added itself, so it needs
	// the index kept up to date row by row.
	bulk := large && opts.Duplicates != MergeDuplicates
	// The cache size is a setting of the connection, so the import keeps one connection from
	// the pool for the transaction and for putting the setting back after it.
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("import %s: %w", src.name, err)
	}
	restore := func() error { return nil }
	defer func() {
		// After the commit the import is in the library, and a setting that could not be put
		// back has cost only its connection (putBack drops it): that is no failure of the
		// import, whose report must reach the user. Before it, it joins the import's error.
		if cerr := errors.Join(restore(), closeConn(conn)); cerr != nil && err != nil {
			err = errors.Join(err, fmt.Errorf("import %s: %w", src.name, cerr))
		}
	}()
	var cacheWas int
	if large {
		cacheWas, restore, err = bulkSettings(ctx, conn, src.entries, bulk && opts.IndexLater)
		if err != nil {
			return Report{}, fmt.Errorf("import %s: %w", src.name, err)
		}
	}
	tx, err := beginWrite(ctx, conn, opts.Waiting)
	if err != nil {
		return Report{}, fmt.Errorf("import %s: %w", src.name, err)
	}
	defer tx.Rollback()
	if opts.Collection != 0 {
		if err := checkCollection(ctx, tx, opts.Collection); err != nil {
			return Report{}, fmt.Errorf("import %s: %w", src.name, err)
		}
	}
	var before int64 // the newest entry before the import: those after it are the import's
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM entries`).Scan(&before); err != nil {
		return Report{}, fmt.Errorf("import %s: %w", src.name, err)
	}
	var rev int64
	if l.revisions {
		if rev, err = startImportRevision(ctx, tx, before); err != nil {
			return Report{}, fmt.Errorf("import %s: %w", src.name, err)
		}
	}
	im := importer{src: src, opts: opts, pattern: pattern, bulk: bulk, indexesLater: l.indexesLater, tx: tx,
		cacheWas: cacheWas, rep: Report{File: src.name}, rev: rev}
	if err := im.run(ctx); err != nil {
		return Report{}, fmt.Errorf("import %s: %w", src.name, err)
	}
	if err := im.listAdded(ctx, before); err != nil {
		return Report{}, fmt.Errorf("import %s: %w", src.name, err)
	}
	if l.revisions {
		if err := endImportRevision(ctx, tx); err != nil {
			return Report{}, fmt.Errorf("import %s: %w", src.name, err)
		}
	}
	if opts.Stage != nil {
		opts.Stage(StageCommit)
	}
	if err := tx.Commit(); err != nil {
		return Report{}, fmt.Errorf("import %s: %w", src.name, err)
	}
	if opts.Progress != nil {
		opts.Progress(im.items, im.items)
	}
	return im.rep, nil
}

// bulkSettings gives conn, for an import of entries (bulkThreshold or more), a larger page cache
// and statement journals in memory, and, with noCheckpoint, no automatic checkpoint. It returns
// the cache_size the connection had, and what puts back every setting it changed, even when it
// failed part way.
func bulkSettings(ctx context.Context, conn *sql.Conn, entries int, noCheckpoint bool) (cacheWas int, restore func() error, err error) {
	var undo []func() error
	restore = func() error {
		var errs []error
		for i := len(undo) - 1; i >= 0; i-- {
			errs = append(errs, undo[i]())
		}
		return errors.Join(errs...)
	}
	cacheWas, putCache, err := growCache(ctx, conn, min(entries*bulkCachePerEntry, bulkCacheMax))
	if err != nil {
		return 0, restore, err
	}
	undo = append(undo, putCache)
	// A statement that fires triggers or checks foreign keys keeps a journal of the pages it
	// changes, to undo itself alone: in a temporary file, the inserts of 100,000 entries wrote
	// 890 MB to it (in memory, it is a few pages at a time).
	if _, err := conn.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
		return cacheWas, restore, fmt.Errorf("keep temporary tables in memory: %w", err)
	}
	undo = append(undo, func() error { return putBack(conn, "temp_store", `PRAGMA temp_store = DEFAULT`) })
	if noCheckpoint {
		// The commit would copy the whole import from the write-ahead log into the library
		// file (a second per 100,000 entries) before returning: IndexPending's first commit
		// does instead, once the caller has the import's result.
		var every int
		if err := conn.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&every); err != nil {
			return cacheWas, restore, fmt.Errorf("read wal_autocheckpoint: %w", err)
		}
		if _, err := conn.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
			return cacheWas, restore, fmt.Errorf("turn automatic checkpoints off: %w", err)
		}
		undo = append(undo, func() error {
			return putBack(conn, "wal_autocheckpoint", fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, every))
		})
	}
	return cacheWas, restore, nil
}

// putBack runs stmt, which puts a setting of conn back as it was. A connection that cannot be
// put back is dropped from the pool rather than keep the setting (or the memory), and the error
// says which setting failed. A connection dropped already has no settings left to put back.
func putBack(conn *sql.Conn, setting, stmt string) error {
	_, err := conn.ExecContext(context.Background(), stmt)
	if err == nil || errors.Is(err, sql.ErrConnDone) {
		return nil
	}
	// Raw returns what its function returns: driver.ErrBadConn, which closes the connection.
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	return fmt.Errorf("put back %s: %w", setting, err)
}

// closeConn gives conn back to the pool; one that putBack dropped is closed already.
func closeConn(conn *sql.Conn) error {
	if err := conn.Close(); err != nil && !errors.Is(err, sql.ErrConnDone) {
		return fmt.Errorf("close connection: %w", err)
	}
	return nil
}

// growCache sets the page cache of conn to at least bytes, and returns the cache_size it had and
// what puts it back (putBack): shrinking the cache frees its pages.
func growCache(ctx context.Context, conn *sql.Conn, bytes int) (was int, restore func() error, err error) {
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&was); err != nil {
		return 0, nil, fmt.Errorf("read cache size: %w", err)
	}
	// A negative cache_size is in KiB, a positive one in pages.
	if kib := bytes >> 10; was >= 0 || kib <= -was {
		return was, func() error { return nil }, nil
	} else if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, -kib)); err != nil {
		return 0, nil, fmt.Errorf("grow cache: %w", err)
	}
	return was, func() error {
		return putBack(conn, "cache_size", fmt.Sprintf(`PRAGMA cache_size = %d`, was))
	}, nil
}
