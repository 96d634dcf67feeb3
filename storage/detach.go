package storage

import (
	"context"
	"errors"
	"fmt"
)

// ErrNotReplica is returned by Detach for a library of its own.
var ErrNotReplica = errors.New("the library is not the replica of a shared library")

// sharedTables are the tables whose rows a shared library keeps by global id (migration 0014).
var sharedTables = []string{"sources", "items", "entries", "tags", "collections", "saved_searches", "attachments"}

// Detach makes a replica a library of its own, holding what it holds now, its changes not sent
// yet too: it is no longer the replica of its shared library, lists no changes to send, and its
// rows have no global id. It is how a shared library is copied back to a library file of one's
// own (bibshelf copy-shared): a new replica (storage/shared's Clone), then Detach. The server is
// not told: another replica made at the same path would be a new one.
func (l *Library) Detach(ctx context.Context) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("detach from the shared library: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM replica`).Scan(&n); err != nil {
		return fmt.Errorf("detach from the shared library: %w", err)
	}
	if n == 0 {
		return ErrNotReplica
	}
	if err := dropReplicaTriggers(ctx, tx); err != nil {
		return fmt.Errorf("detach from the shared library: %w", err)
	}
	stmts := []string{`DELETE FROM replica`, `DELETE FROM replica_changes`, `DELETE FROM replica_links`,
		`DELETE FROM replica_deleted`, `UPDATE entries SET note_srev = 0 WHERE note_srev <> 0`}
	for _, table := range sharedTables {
		stmts = append(stmts, `UPDATE `+table+` SET gid = NULL, srev = 0 WHERE gid IS NOT NULL OR srev <> 0`)
	}
	// A library of one's own is in the order of its ids (order.go), and has no index of the
	// server's: a copy made by Clone has its ids in that order already.
	stmts = append(stmts, `DROP INDEX IF EXISTS entries_order`)
	for table := range orderedTables {
		stmts = append(stmts, `UPDATE `+table+` SET sord = NULL WHERE sord IS NOT NULL`)
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("detach from the shared library: %s: %w", s, err)
		}
	}
	if err := setListIndexes(ctx, tx, false); err != nil {
		return fmt.Errorf("detach from the shared library: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("detach from the shared library: %w", err)
	}
	l.listOrder.Store(nil) // read again: it is a library of its own now
	return nil
}
