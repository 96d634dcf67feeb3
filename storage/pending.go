package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
)

// ftsBulkHashSize is the pending data FTS5 gathers before it writes a segment, while a bulk
// import indexes its entries: with the default of 1 MB, indexing 100,000 entries wrote a hundred
// segments and spent a third of its time merging them.
const ftsBulkHashSize = 16 << 20

// endPending ends the pending range a bulk import opened at since: its entries are indexed for
// search in its transaction, or (IndexLater) the range is closed at the largest id for
// IndexPending.
func (im *importer) endPending(ctx context.Context, since int64) error {
	tx := im.tx
	var top int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM entries`).Scan(&top); err != nil {
		return err
	}
	if top > since && im.opts.IndexLater {
		_, err := tx.ExecContext(ctx, `UPDATE search_pending SET hi = ? WHERE lo = ? AND hi = ?`, top, since, int64(math.MaxInt64))
		return err
	}
	if top > since {
		if im.opts.Stage != nil {
			im.opts.Stage(StageSearch)
		}
		// The indexes the inserts touched at random are done with, and the search index is
		// written in order: the connection's default cache does, and leaves memory for FTS5's.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, im.cacheWas)); err != nil {
			return err
		}
	}
	// The range ends before its entries are read through entries_search, which leaves out
	// pending entries.
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_pending WHERE lo = ? AND hi = ?`, since, int64(math.MaxInt64)); err != nil {
		return err
	}
	if top > since {
		return indexRange(ctx, tx, since, top)
	}
	return nil
}

// indexRange adds the entries lo < id <= hi to the search index, in one statement, in tx.
func indexRange(ctx context.Context, tx *sql.Tx, lo, hi int64) error {
	hashSize := 1 << 20 // FTS5's default
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(v), ?) FROM entries_fts_config WHERE k = 'hashsize'`, hashSize).Scan(&hashSize); err != nil {
		return err
	}
	if hashSize < ftsBulkHashSize {
		if _, err := tx.ExecContext(ctx, `INSERT INTO entries_fts (entries_fts, rank) VALUES ('hashsize', ?)`, ftsBulkHashSize); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
		SELECT id, key, title, authors, venue, abstract, keywords, notes FROM entries_search
		WHERE id > ? AND id <= ?`, lo, hi); err != nil {
		return err
	}
	if hashSize < ftsBulkHashSize {
		if _, err := tx.ExecContext(ctx, `INSERT INTO entries_fts (entries_fts, rank) VALUES ('hashsize', ?)`, hashSize); err != nil {
			return err
		}
	}
	return nil
}

// indexChunk is the number of entries IndexPending indexes in one transaction: about 0.15 s of
// work, which another write waits for at most.
var indexChunk = 10000

// IndexPending makes the list's indexes that imports left to later (index_pending, migration
// 0021), each in a transaction of its own, then adds to the search index the entries imports left
// out of it (ImportOptions.IndexLater), a chunk at a time in transactions of their own, until
// none is left or ctx is done. It is safe to run while the library is used, from several
// goroutines or processes at once: each index, and each chunk, is taken and made in one write
// transaction. A step that finds the library busy longer than the busy timeout (another import)
// waits and tries again.
func (l *Library) IndexPending(ctx context.Context) error {
	// Most calls find nothing to do: a read says so without taking the write lock.
	var pending bool
	q := `SELECT EXISTS (SELECT 1 FROM search_pending)`
	if l.indexesLater {
		q += ` OR EXISTS (SELECT 1 FROM index_pending)`
	}
	if err := l.db.QueryRowContext(ctx, q).Scan(&pending); err != nil {
		return fmt.Errorf("index for search: %w", err)
	}
	for pending {
		left, err := l.indexPendingStep(ctx)
		if isBusy(err) && ctx.Err() == nil {
			select {
			case <-time.After(busyRetry):
				continue
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		if err != nil {
			return fmt.Errorf("index for search: %w", err)
		}
		pending = left
	}
	return nil
}

// busyRetry is how long IndexPending waits before it tries a chunk again after the busy timeout.
const busyRetry = time.Second

// indexesLaterVersion is the schema version that brought index_pending.
const indexesLaterVersion = 21

// indexPendingStep makes the first of the indexes left to later, or else indexes the first chunk
// of the first pending search range, and says whether any of either is left after it.
func (l *Library) indexPendingStep(ctx context.Context) (left bool, err error) {
	if !l.indexesLater {
		return l.indexPendingChunk(ctx)
	}
	made, err := l.makePendingIndex(ctx)
	if err != nil {
		return false, fmt.Errorf("make the list's indexes: %w", err)
	}
	if made {
		return true, nil
	}
	return l.indexPendingChunk(ctx)
}

// makePendingIndex makes the first index in index_pending, and deletes its row, in a transaction
// of its own; it says whether there was one. One of the list's indexes of 100,000 entries takes
// up to a quarter of a second, which another write waits for at most.
func (l *Library) makePendingIndex(ctx context.Context) (made bool, err error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var name, def string
	err = tx.QueryRowContext(ctx, `SELECT name, sql FROM index_pending ORDER BY name LIMIT 1`).Scan(&name, &def)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := makePendingIndexNamed(ctx, tx, name, def); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// makePendingIndexes makes every index in index_pending, and empties it, in tx: an import that
// does not leave its own to later makes those an earlier one did.
func makePendingIndexes(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM index_pending ORDER BY name`)
	if err != nil {
		return err
	}
	var left []entryIndex
	for rows.Next() {
		var x entryIndex
		if err := rows.Scan(&x.name, &x.def); err != nil {
			rows.Close()
			return err
		}
		left = append(left, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, x := range left {
		if err := makePendingIndexNamed(ctx, tx, x.name, x.def); err != nil {
			return err
		}
	}
	return nil
}

// makePendingIndexNamed makes the index name, left to later, with its statement def, unless the
// library has one of that name already, and deletes its row of index_pending, in tx.
func makePendingIndexNamed(ctx context.Context, tx *sql.Tx, name, def string) error {
	var have bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?)`, name).Scan(&have); err != nil {
		return err
	}
	if !have {
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("make index %s: %w", name, err)
		}
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM index_pending WHERE name = ?`, name)
	return err
}

// indexPendingChunk indexes the first chunk of the first pending range, and says whether any is
// left after it.
func (l *Library) indexPendingChunk(ctx context.Context) (left bool, err error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var lo, hi int64
	err = tx.QueryRowContext(ctx, `SELECT lo, hi FROM search_pending ORDER BY lo LIMIT 1`).Scan(&lo, &hi)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	top := min(hi, lo+int64(indexChunk))
	// The chunk leaves the range before its entries are read through entries_search, which
	// leaves out pending entries.
	if top == hi {
		_, err = tx.ExecContext(ctx, `DELETE FROM search_pending WHERE lo = ? AND hi = ?`, lo, hi)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE search_pending SET lo = ? WHERE lo = ? AND hi = ?`, top, lo, hi)
	}
	if err != nil {
		return false, err
	}
	if err := indexRange(ctx, tx, lo, top); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	return true, nil
}

// PendingSearch returns the number of entries that are not in the search index yet (see
// IndexPending).
func (l *Library) PendingSearch(ctx context.Context) (int, error) {
	tx, err := l.rdb.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("pending search: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT lo, hi FROM search_pending ORDER BY lo`)
	if err != nil {
		return 0, fmt.Errorf("pending search: %w", err)
	}
	// Ranges can overlap: an import that starts after the last entries of a pending one were
	// deleted opens its range below the end of the other. They are merged, then counted.
	type span struct{ lo, hi int64 }
	var spans []span
	for rows.Next() {
		var s span
		if err := rows.Scan(&s.lo, &s.hi); err != nil {
			rows.Close()
			return 0, fmt.Errorf("pending search: %w", err)
		}
		if n := len(spans); n > 0 && s.lo <= spans[n-1].hi {
			spans[n-1].hi = max(spans[n-1].hi, s.hi)
		} else {
			spans = append(spans, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("pending search: %w", err)
	}
	total := 0
	for _, s := range spans {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE id > ? AND id <= ?`, s.lo, s.hi).Scan(&n); err != nil {
			return 0, fmt.Errorf("pending search: %w", err)
		}
		total += n
	}
	return total, nil
}
