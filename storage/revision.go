package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// Revisions (migration 0012) let auto-export cache each entry's exported text and notice
// changes: the library's revision rises with every change that can alter an export, and an
// entry's revision is the library's at the last change to what it exports as. The triggers of
// the migration keep both; an import gives all its entries one revision, which it takes at its
// start, so that its inserts run no trigger.

// revisionsVersion is the schema version that brought revisions.
const revisionsVersion = 12

// Revision returns the library's revision: it has risen when something that can alter an
// export has changed since it was read, in this process or another. It reads one row without
// waiting for a writer, so that a runner may ask often.
func (l *Library) Revision(ctx context.Context) (int64, error) {
	var n int64
	if err := l.rdb.QueryRowContext(ctx, `SELECT n FROM library_revision`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read the library's revision: %w", err)
	}
	return n, nil
}

// startImportRevision raises the library's revision for an import in tx, whose entries will
// have ids above since, and returns the revision its entries get. Until endImportRevision, the
// triggers leave the tags and collections of those entries alone: their revision is new.
func startImportRevision(ctx context.Context, tx *sql.Tx, since int64) (int64, error) {
	var rev int64
	if err := tx.QueryRowContext(ctx, `UPDATE library_revision SET n = n + 1, import_since = ? RETURNING n`, since).Scan(&rev); err != nil {
		return 0, fmt.Errorf("raise the revision: %w", err)
	}
	return rev, nil
}

// endImportRevision ends what startImportRevision began, before the import commits.
func endImportRevision(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE library_revision SET import_since = NULL`); err != nil {
		return fmt.Errorf("end the import's revision: %w", err)
	}
	return nil
}
