package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
)

// The library's order of rows of one kind (entries, @string and @preamble items, tags,
// collections among siblings of one position, an entry's attachments) is the order exports,
// the list by default, an entry's keywords and the macro planner follow. In a library of one's
// own it is the order of the rows' ids, the order they came in. In a replica of a shared library
// it is the server's (its ord column, which the replica keeps as sord: Clone and Pull write it,
// and the pull after a push writes it for the rows the replica sent), then, after them, the rows
// the server has not given one yet, by id: a row sent later gets an ord after every row the
// server has, so once every replica has synced, every replica has the server's order, whichever
// replica made which row first. Ids alone would not do: each replica gives its own new rows
// their ids before those of the rows it pulls, which another replica made at the same time.

// orderKey is the SQL of a row's place in the library's order, for the table of alias a ("" or
// "e."): sord, or, for a row without one, its id after every ord a server gives (a sequence
// from 1, far below 2^62). In a library of one's own it is the id's order.
func orderKey(a string) string {
	return "coalesce(" + a + "sord, " + a + "id + " + strconv.FormatInt(unsentOrder, 10) + ")"
}

// unsentOrder is added to the id of a row without a server's ord to make its place (orderKey).
const unsentOrder = 1 << 62

// entryOrder is the SQL that orders the entries e in the library's order: by id in a library of
// one's own, which reads the table in its order; by orderKey in a replica, whose index
// entries_order (makeReplicaOrder) it reads.
type entryOrder string

// entryOrderOf returns the library's entryOrder, read through q (a transaction or the database).
func entryOrderOf(ctx context.Context, q rowQuerier) (entryOrder, error) {
	replica, err := isReplica(ctx, q)
	if err != nil || !replica {
		return "e.id", err
	}
	return entryOrder(orderKey("e.")), nil
}

// pageOrder is entryOrderOf for the list's pages, read once for the Library: a look at the
// replica table for each page cost a library of one's own 14 allocations and tens of
// microseconds on a page of 0.3 ms. A library becomes a replica only when it is new
// (LoadReplica) and stops being one only by Detach, and both forget it; another process's
// Library of the same file learns of it when it opens the file again, and meanwhile lists the
// entries in an order that is still theirs (of their ids, or of their places without the index).
func (l *Library) pageOrder(ctx context.Context) (entryOrder, error) {
	if o := l.listOrder.Load(); o != nil {
		return *o, nil
	}
	o, err := entryOrderOf(ctx, l.db)
	if err != nil {
		return "", err
	}
	l.listOrder.Store(&o)
	return o, nil
}

// isReplica reports whether the library is a replica of a shared library.
func isReplica(ctx context.Context, q rowQuerier) (bool, error) {
	var replica bool
	if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM replica)`).Scan(&replica); err != nil {
		return false, fmt.Errorf("read whether the library is a replica: %w", err)
	}
	return replica, nil
}

// replicaOrderIndex is a replica's index of its entries in the library's order (orderKey).
const replicaOrderIndex = `CREATE INDEX IF NOT EXISTS entries_order ON entries (coalesce(sord, id + 4611686018427387904))`

// makeReplicaOrder makes the index of a replica's entries in the library's order, in the
// transaction of migration 0019 (migrationSteps); a library of one's own gets none.
func makeReplicaOrder(ctx context.Context, tx *sql.Tx) error {
	replica, err := isReplica(ctx, tx)
	if err != nil || !replica {
		return err
	}
	if _, err := tx.ExecContext(ctx, replicaOrderIndex); err != nil {
		return fmt.Errorf("make the index of the replica's order: %w", err)
	}
	return nil
}

// listIndexes are the indexes of the list's sort columns (sortColumns, but the key's, which is
// unique), as migration 0002 made them. In a replica, each holds the library's order after its
// column (orderKey), which decides the ties the same way in every replica (SearchWith): with
// the column alone, SQLite sorted each run of ties itself, and a page of the list by year far
// from its start took 120–150 ms instead of 1.6 ms at 100,000 entries. A library of one's own
// orders ties by id, which every index holds already: its indexes stay as they were.
var listIndexes = []struct{ name, column string }{
	{"entries_year", "year"},
	{"entries_first_author", "first_author COLLATE NOCASE"},
	{"entries_title", "title COLLATE NOCASE"},
	{"entries_venue", "venue COLLATE NOCASE"},
	{"entries_created", "created"},
}

// setListIndexes makes the listIndexes those of a replica, or of a library of one's own, in the
// transaction tx: each is made again, which reads the whole entries table.
func setListIndexes(ctx context.Context, tx *sql.Tx, replica bool) error {
	for _, ix := range listIndexes {
		cols := ix.column
		if replica {
			cols += ", " + orderKey("")
		}
		for _, s := range []string{`DROP INDEX IF EXISTS ` + ix.name,
			`CREATE INDEX ` + ix.name + ` ON entries (` + cols + `) WHERE trashed IS NULL`} {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("make the list's index %s: %w", ix.name, err)
			}
		}
	}
	return nil
}

// makeReplicaListIndexes gives a replica the listIndexes of a replica, in the transaction of
// migration 0020 (migrationSteps); a library of one's own keeps its own.
func makeReplicaListIndexes(ctx context.Context, tx *sql.Tx) error {
	replica, err := isReplica(ctx, tx)
	if err != nil || !replica {
		return err
	}
	return setListIndexes(ctx, tx, true)
}

// ordValue is a server's ord as the sord column holds it: NULL for 0, unknown.
func ordValue(ord int64) any {
	if ord == 0 {
		return nil
	}
	return ord
}
