package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// A change the server refused (a conflict: the row changed there since the replica last saw it)
// stays listed to be sent, and the pull holds the server's version of the row back. Which of the
// two is kept is the member's choice: DropChange takes the server's, SetSeen keeps the replica's.

// seenColumns are the table and column of the server's revision a replica last saw of a row,
// by the kind of its change (replica_changes.kind, as a push names its conflicts).
var seenColumns = map[string][2]string{
	"entry": {"entries", "srev"}, "note": {"entries", "note_srev"}, "source": {"sources", "srev"}, "item": {"items", "srev"},
	"tag": {"tags", "srev"}, "collection": {"collections", "srev"}, "saved_search": {"saved_searches", "srev"},
	"attachment": {"attachments", "srev"},
}

// DropChange takes the row of that kind and global id off the changes to send, so that the next
// pull writes the server's version over the replica's: a conflict settled for the server. A row
// the replica does not have is no error.
func (l *Library) DropChange(ctx context.Context, kind string, id GlobalID) error {
	t, ok := seenColumns[kind]
	if !ok {
		return fmt.Errorf("drop the change of a %s: not a kind of row a replica sends", kind)
	}
	if _, err := l.db.ExecContext(ctx, `DELETE FROM replica_changes WHERE kind = ? AND id = (SELECT id FROM `+t[0]+` WHERE gid = ?)`,
		kind, id.value()); err != nil {
		return fmt.Errorf("drop the change of the %s %v: %w", kind, id, err)
	}
	return nil
}

// SetSeen records rev as the server's revision of the row of that kind and global id that the
// replica last saw, so that its change, sent again, replaces the server's version: a conflict
// settled for the replica. It changes nothing else of the row, and lists nothing to send.
func (l *Library) SetSeen(ctx context.Context, kind string, id GlobalID, rev int64) error {
	t, ok := seenColumns[kind]
	if !ok {
		return fmt.Errorf("keep the %s: not a kind of row a replica sends", kind)
	}
	res, err := l.db.ExecContext(ctx, `UPDATE `+t[0]+` SET `+t[1]+` = ? WHERE gid = ?`, rev, id.value())
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = sql.ErrNoRows
		}
	}
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = errors.New("the replica has no such row")
		}
		return fmt.Errorf("keep the %s %v: %w", kind, id, err)
	}
	return nil
}

// SharedName returns the key of the entry, or the name of the saved search, tag or collection,
// of that kind and global id in the replica: what a conflict over the row is named by here. A
// row the replica does not have is an error matching fs.ErrNotExist.
func (l *Library) SharedName(ctx context.Context, kind string, id GlobalID) (string, error) {
	col := map[string]string{"entry": "key", "note": "key", "saved_search": "name", "tag": "name", "collection": "name"}[kind]
	t := seenColumns[kind]
	if col == "" {
		return "", fmt.Errorf("the name of a %s: not a kind of row a replica names", kind)
	}
	var name string
	err := l.db.QueryRowContext(ctx, `SELECT `+col+` FROM `+t[0]+` WHERE gid = ?`, id.value()).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		err = notExist("the replica has no such row")
	}
	if err != nil {
		return "", fmt.Errorf("the %s %v: %w", kind, id, err)
	}
	return name, nil
}

// LocalID returns the replica's id of the row of that kind and global id: what the library's
// methods that take an id (RenameCollection) name it by. A row the replica does not have is an
// error matching fs.ErrNotExist.
func (l *Library) LocalID(ctx context.Context, kind string, id GlobalID) (int64, error) {
	t, ok := seenColumns[kind]
	if !ok {
		return 0, fmt.Errorf("the id of a %s: not a kind of row a replica sends", kind)
	}
	var local int64
	err := l.db.QueryRowContext(ctx, `SELECT id FROM `+t[0]+` WHERE gid = ?`, id.value()).Scan(&local)
	if errors.Is(err, sql.ErrNoRows) {
		err = notExist("the replica has no such row")
	}
	if err != nil {
		return 0, fmt.Errorf("the %s %v: %w", kind, id, err)
	}
	return local, nil
}

// CollectionParent returns the global id of the parent of the replica's collection id, zero for
// one at the top level (or whose parent was never shared): the siblings whose names a shared
// library compares its name with. A collection the replica does not have is an error matching
// fs.ErrNotExist.
func (l *Library) CollectionParent(ctx context.Context, id GlobalID) (GlobalID, error) {
	var parent []byte
	err := l.db.QueryRowContext(ctx, `SELECT p.gid FROM collections c LEFT JOIN collections p ON p.id = c.parent_id WHERE c.gid = ?`,
		id.value()).Scan(&parent)
	if errors.Is(err, sql.ErrNoRows) {
		err = notExist("the replica has no such row")
	}
	var g GlobalID
	if err == nil && parent != nil {
		g, err = scanGlobalID(parent)
	}
	if err != nil {
		return GlobalID{}, fmt.Errorf("the parent of the collection %v: %w", id, err)
	}
	return g, nil
}
