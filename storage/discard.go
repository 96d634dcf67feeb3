package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// A member who may only read a shared library has their edits refused by its server: they stay
// listed to be sent, and the replica keeps them, until the member lets them go. DiscardAndPull
// lets them go, and makes the replica the server's again: every row they touched is written as
// the server has it, by a pull from the first revision.

// discardNew are the tables of the rows a replica made that the server may never have had
// (srev 0), by the kind of their change, in an order that deletes a row before those it names
// (an entry before its import, an @string before its import).
var discardNew = [][2]string{{"entry", "entries"}, {"attachment", "attachments"}, {"item", "items"}, {"source", "sources"},
	{"tag", "tags"}, {"collection", "collections"}, {"saved_search", "saved_searches"}}

// ErrChangedSince is what DiscardAndPull returns when the replica has had a change listed since
// the mark it was given (other than a flag's, which it keeps): a change the member made after
// they chose to discard, which they did not choose to let go. Nothing is discarded; the member
// is asked again.
var ErrChangedSince = errors.New("changes were made on this computer since the discard was asked for: nothing was discarded")

// ErrDiscardHeld is what DiscardAndPull returns when the pull could not write the server's
// version over every row whose change it dropped: the replica would not be the server's, with
// nothing left to send. Nothing is discarded.
var ErrDiscardHeld = errors.New("the server's versions could not all be written over this computer's changes: nothing was discarded")

// ChangesMark marks the changes a replica had listed to send at a moment (Changes.Mark): each
// is the last seq of its list then. A change listed after has a seq past its list's mark, even
// one listed again over one waiting.
type ChangesMark struct{ Changes, Links, Deleted int64 }

// markIn reads the mark of the changes listed now, by q (the database, or a transaction).
func markIn(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (ChangesMark, error) {
	var m ChangesMark
	err := q.QueryRowContext(ctx, `SELECT
		coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'replica_changes'), 0),
		coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'replica_links'), 0),
		coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'replica_deleted'), 0)`).Scan(&m.Changes, &m.Links, &m.Deleted)
	return m, err
}

// DiscardAndPull drops every change the replica has to send but the member's flags (which the
// server takes from a reader), and writes the shared library's rows, which fn gives through the
// ReplicaPull from the first revision up to to, over the replica's, in one transaction: an
// entry edited here becomes the server's again, one made here goes, one deleted here comes
// back, with its note, tags, collections and attachments. mark, unless nil (the command line,
// which asks nothing first), marks the changes the member chose to let go (Changes.Mark of the
// push that reported them refused): when a change but a flag's was listed since, nothing is
// dropped (ErrChangedSince). The rows whose changes are dropped take temporary keys and names
// first, so that the server's land even where the member swapped two of them; a row the pull
// could not write the server's version over leaves the replica as it was (ErrDiscardHeld). It
// returns the number of changes dropped and what the pull wrote. A row the replica made is
// deleted whether or not the server has it under its id (a push whose commit the replica did not
// learn of): the pull brings it back if it does. Reading every row of the server costs what a
// first sync does, which only a member's choice runs.
func (l *Library) DiscardAndPull(ctx context.Context, to int64, mark *ChangesMark, fn func(*ReplicaPull) error) (int, Pulled, error) {
	var dropped int
	pulled, err := l.pull(ctx, to, func(tx *sql.Tx) error {
		if mark != nil {
			if err := listedSince(ctx, tx, *mark); err != nil {
				return err
			}
		}
		var err error
		dropped, err = discardChanges(ctx, tx)
		return err
	}, func(p *ReplicaPull) error {
		if err := fn(p); err != nil {
			return err
		}
		return discardWritten(ctx, p.tx)
	})
	if err != nil {
		return 0, Pulled{}, fmt.Errorf("discard the changes not sent: %w", err)
	}
	return dropped, pulled, nil
}

// discardUnique are the tables whose rows have a unique key or name, with the SQL that gives
// such a row a temporary one of its own (by its id), which no key or name typed has.
var discardUnique = [][2]string{{"entries", "key = char(1) || 'discarded ' || id"}, {"tags", "name = char(1) || 'discarded ' || id"},
	{"collections", "name = char(1) || 'discarded ' || id"}, {"saved_searches", "name = char(1) || 'discarded ' || id"},
	{"attachments", "path = char(1) || 'discarded ' || id"}}

// discardWritten checks, at the end of a discard's pull in tx, that the server's version was
// written over each row whose change was dropped (none is still marked srev -1).
func discardWritten(ctx context.Context, tx *sql.Tx) error {
	for _, k := range discardNew {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+k[1]+` WHERE srev = -1`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w (%d %s)", ErrDiscardHeld, n, k[1])
		}
	}
	return nil
}

// listedSince returns ErrChangedSince when tx has a change listed past mark other than a flag's.
func listedSince(ctx context.Context, tx *sql.Tx, mark ChangesMark) error {
	n, err := discardableSince(ctx, tx, mark)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%w (%d)", ErrChangedSince, n)
	}
	return nil
}

// Discardable returns the number of changes a discard would drop (DiscardAndPull): those listed
// to send but the member's flags. With none, a discard has nothing to do.
func (l *Library) Discardable(ctx context.Context) (int, error) {
	n, err := discardableSince(ctx, l.db, ChangesMark{})
	if err != nil {
		return 0, fmt.Errorf("count the changes to discard: %w", err)
	}
	return n, nil
}

// discardableSince counts, by q (the database, or a transaction), the changes listed to send
// past mark but the flags', which a discard drops.
func discardableSince(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, mark ChangesMark) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM replica_changes WHERE kind <> 'marks' AND seq > ?) +
		(SELECT count(*) FROM replica_links WHERE seq > ?) + (SELECT count(*) FROM replica_deleted WHERE seq > ?)`,
		mark.Changes, mark.Links, mark.Deleted).Scan(&n)
	return n, err
}

// discardChanges drops the replica's changes to send but its flags, in tx, which writes with
// the triggers standing aside: the rows it made are deleted, a note written or a link added here
// is taken away, and the rows it changed are marked as never seen (srev -1) so that the pull
// that follows writes the server's version over each. It returns the number of changes dropped.
func discardChanges(ctx context.Context, tx *sql.Tx) (int, error) {
	// The rows made here are deleted before the pull writes the server's versions of the rows
	// kept, which might name one of them until then: the references are checked at the commit.
	if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return 0, err
	}
	n, err := discardableSince(ctx, tx, ChangesMark{})
	if err != nil {
		return 0, err
	}
	stmts := make([]string, 0, 2*len(discardNew)+8)
	for _, k := range discardNew {
		changed := `id IN (SELECT id FROM replica_changes WHERE kind = '` + k[0] + `')`
		stmts = append(stmts, `DELETE FROM `+k[1]+` WHERE srev = 0 AND `+changed, `UPDATE `+k[1]+` SET srev = -1 WHERE `+changed)
	}
	// The rows the pull will write over give up their keys and names first: a key the member
	// moved from one entry to another is free when the server's version of the first lands.
	for _, u := range discardUnique {
		stmts = append(stmts, `UPDATE `+u[0]+` SET `+u[1]+` WHERE srev = -1`)
	}
	stmts = append(stmts,
		// A note is written whole by each pull of it: the server's comes back, if it has one.
		`DELETE FROM notes WHERE entry_id IN (SELECT id FROM replica_changes WHERE kind = 'note')`,
		// A link added here goes; one the server has comes back with the pull, as one removed here does.
		`DELETE FROM entry_tags WHERE (entry_id, tag_id) IN (SELECT a, b FROM replica_links WHERE kind = 'entry_tags' AND present)`,
		`DELETE FROM collection_entries WHERE (collection_id, entry_id) IN
			(SELECT a, b FROM replica_links WHERE kind = 'collection_entries' AND present)`,
		`DELETE FROM not_duplicates WHERE (a, b) IN (SELECT a, b FROM replica_links WHERE kind = 'not_duplicates' AND present)`,
		`DELETE FROM replica_changes WHERE kind <> 'marks' OR id NOT IN (SELECT id FROM entries)`,
		`DELETE FROM replica_links`,
		// A row deleted here is one the replica no longer has: the pull inserts it again.
		`DELETE FROM replica_deleted`,
	)
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, err
		}
	}
	return n, nil
}
