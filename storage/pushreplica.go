package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strings"
)

// Change is a change of a replica to send: a row as it is now (Rev is the server revision the
// replica last saw of it, 0 for a row the server never had), a link added or removed, or a
// deletion. The sender sets Sent to the revision the server gave it, and leaves it 0 when the
// server did not take it (a conflict): it then stays to be sent.
type Change[T any] struct {
	Row  T
	Sent int64
	// Adopted is set by the sender when the server has the row under another global id: a tag,
	// or a collection in the same parent, of the same name made on another replica, which is
	// the same one. The replica's row then takes that id.
	Adopted GlobalID
	seq     int64 // its row in replica_changes, replica_links or replica_deleted
	id      int64 // the local row's id (the entry's, of flags and a note)
}

// SharedLink is a link added or removed: Kind is its table, entry_tags (A the entry, B the tag),
// collection_entries (A the collection, B the entry) or not_duplicates (two entries).
type SharedLink struct {
	Kind    string
	A, B    GlobalID
	Present bool
}

// SharedDeletion is a row deleted, of kind source, item, entry, tag, collection, saved_search,
// attachment or note (ID is then the entry's), with the revision the replica last saw of it.
type SharedDeletion struct {
	Kind string
	ID   GlobalID
	Rev  int64
}

// RowRef names the row of a change whose whole row is read apart (Changes.EntryRows, NoteRows):
// its global id (a note's, its entry's), the server revision the replica last saw of it, and,
// an entry's, its key.
type RowRef struct {
	ID  GlobalID
	Rev int64
	Key string
}

// Changes are a replica's changes not sent yet, as a shared library keeps rows (Library.Changes),
// each kind in the order a server takes them. The changes of entries and notes, whose rows may
// be large and many (an import's entries are), hold only a RowRef each; EntryRows and NoteRows
// read their whole rows, a batch at a time, while the read that gave them is open. The rows of
// the other kinds are small (names, paths, flags, links), and whole.
type Changes struct {
	Sources       []Change[SharedSource]
	Items         []Change[SharedItem]
	Tags          []Change[SharedTag]
	Collections   []Change[SharedCollection]
	SavedSearches []Change[SharedSavedSearch]
	Entries       []Change[RowRef]
	Attachments   []Change[SharedAttachment]
	Marks         []Change[SharedMarks]
	Notes         []Change[RowRef]
	Links         []Change[SharedLink]
	Deleted       []Change[SharedDeletion]
	// Mark marks the changes listed when these were read, in the same read (Library.Mark): one
	// listed after has a seq past it.
	Mark ChangesMark
	// snap is the read that gave them, while Library.Changes's send runs; nil after.
	snap *SharedSnapshot
}

// Len returns the number of changes.
func (c *Changes) Len() int {
	return len(c.Sources) + len(c.Items) + len(c.Tags) + len(c.Collections) + len(c.SavedSearches) + len(c.Entries) +
		len(c.Attachments) + len(c.Marks) + len(c.Notes) + len(c.Links) + len(c.Deleted)
}

// EntryRows returns the whole rows of the entries of changes (of c.Entries), in their order, as
// the read that gave c has them, under the context Changes was given. It may be called only
// from the send function Changes called with c. A push reads them a batch at a time, so that it
// holds a batch of entries, not every entry it sends.
func (c *Changes) EntryRows(changes []*Change[RowRef]) ([]SharedEntry, error) {
	return rowsOf(c, changes, "entries", (*SharedSnapshot).Entries, func(r SharedEntry) GlobalID { return r.ID })
}

// NoteRows returns the whole rows of the notes of changes (of c.Notes), as EntryRows does the
// entries'.
func (c *Changes) NoteRows(changes []*Change[RowRef]) ([]SharedNote, error) {
	return rowsOf(c, changes, "notes", (*SharedSnapshot).Notes, func(r SharedNote) GlobalID { return r.Entry })
}

// rowsOf reads the whole rows of changes (of one kind, what) from c's read, with read
// restricted to their local ids, and returns them in the order of changes; id names a row.
func rowsOf[T any](c *Changes, changes []*Change[RowRef], what string, read func(*SharedSnapshot) iter.Seq2[T, error], id func(T) GlobalID) ([]T, error) {
	s := c.snap
	if s == nil {
		return nil, fmt.Errorf("read the %s to send: the read of the changes has ended", what)
	}
	s.batch = make([]int64, len(changes))
	for i, ch := range changes {
		s.batch[i] = ch.id
	}
	defer func() { s.batch = nil }()
	byID := make(map[GlobalID]T, len(changes))
	for r, err := range read(s) {
		if err != nil {
			return nil, fmt.Errorf("read the %s to send: %w", what, err)
		}
		byID[id(r)] = r
	}
	out := make([]T, len(changes))
	for i, ch := range changes {
		r, ok := byID[ch.Row.ID]
		if !ok {
			return nil, fmt.Errorf("read the %s to send: the replica has no row %d", what, ch.id)
		}
		out[i] = r
	}
	return out, nil
}

// changeTables are the tables of the kinds of replica_changes.
var changeTables = map[string]string{"source": "sources", "item": "items", "entry": "entries", "marks": "entries",
	"note": "entries", "tag": "tags", "collection": "collections", "saved_search": "saved_searches", "attachment": "attachments"}

// linkTables are the tables of the two rows a link of each kind joins.
var linkTables = map[string][2]string{"entry_tags": {"entries", "tags"}, "collection_entries": {"collections", "entries"},
	"not_duplicates": {"entries", "entries"}}

// changesTries bounds the reads of Changes that find a row made since its write gave the new
// rows their global ids (each try gives them theirs).
const changesTries = 10

// Changes reads the replica's changes not sent yet and calls send with them (send may be nil),
// then returns them, for Sent to record what the server took. A row never sent is given its
// global id first, written into the replica at once in a write transaction of its own, so that a
// send that fails half way sends it under the same id again; what can no longer be sent (a
// change or link of a row deleted since) is dropped.
//
// The changes are then read in one read transaction, which stays open while send runs: the
// whole rows of the entries and notes (EntryRows, NoteRows) are read from it a batch at a time,
// so that a push of 100,000 entries holds a batch of them, not all, and what it sends is the
// replica as it was at one moment, the rows beside the seq of each change. The read holds no
// lock: the replica is in WAL mode, so the window writes meanwhile, and a change made then has
// a seq past the one read, which Sent leaves to be sent. (SQLite cannot checkpoint the WAL past
// an open read, so the WAL file grows with what is written during a long push; the checkpoints
// after it let it be written over from its start.) A new row made between the two transactions,
// which has no global id in the read, makes it start again.
func (l *Library) Changes(ctx context.Context, send func(*Changes) error) (*Changes, error) {
	for try := 1; ; try++ {
		if err := l.prepareChanges(ctx); err != nil {
			return nil, fmt.Errorf("read the changes to send: %w", err)
		}
		c, err := l.readChanges(ctx, send)
		if !errors.Is(err, errNewRows) {
			return c, err
		}
		if try == changesTries {
			return nil, fmt.Errorf("read the changes to send: new rows were made during each of %d reads", try)
		}
	}
}

// errNewRows says that the read of the changes found a new row without its global id.
var errNewRows = errors.New("a new row has no global id yet")

// prepareChanges drops what names a row that is gone and gives the new rows their global ids, in
// one transaction.
func (l *Library) prepareChanges(ctx context.Context) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// What names a row that is gone has nothing to send (a deletion is in replica_deleted).
	for kind, table := range changeTables {
		idCol := "id"
		if kind == "note" {
			table, idCol = "notes", "entry_id"
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM replica_changes WHERE kind = ? AND id NOT IN (SELECT `+idCol+` FROM `+table+`)`, kind); err != nil {
			return err
		}
	}
	for kind, tables := range linkTables {
		if _, err := tx.ExecContext(ctx, `DELETE FROM replica_links WHERE kind = ?
			AND (a NOT IN (SELECT id FROM `+tables[0]+`) OR b NOT IN (SELECT id FROM `+tables[1]+`))`, kind); err != nil {
			return err
		}
	}
	// New rows get their global ids (an import's: as many as it read, one statement prepared
	// once for each table).
	p := newPreparedTx(ctx, tx)
	defer p.close()
	for kind, table := range changeTables {
		ids, err := newRowIDs(ctx, tx, kind, table)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := p.exec(`UPDATE `+table+` SET gid = ? WHERE id = ?`, NewGlobalID().value(), id); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// newRowIDs returns the ids of the rows of table whose changes of kind are listed and which have
// no global id yet.
func newRowIDs(ctx context.Context, tx *sql.Tx, kind, table string) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM `+table+` WHERE gid IS NULL AND id IN (SELECT id FROM replica_changes WHERE kind = ?)`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// readChanges reads the changes in one read transaction and calls send with them before it
// ends; errNewRows when a row listed has no global id (made since prepareChanges).
func (l *Library) readChanges(ctx context.Context, send func(*Changes) error) (*Changes, error) {
	tx, err := l.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read the changes to send: %w", err)
	}
	defer tx.Rollback()
	c, err := changes(ctx, tx)
	if err == nil {
		c.Mark, err = markIn(ctx, tx)
	}
	if err != nil {
		return nil, fmt.Errorf("read the changes to send: %w", err)
	}
	if send != nil {
		err = send(c)
	}
	c.snap = nil
	return c, err
}

// outboxRow is a row of replica_changes, with the global id of the row it names.
type outboxRow struct{ seq, id int64 }

func changes(ctx context.Context, tx *sql.Tx) (*Changes, error) {
	for kind, table := range changeTables {
		if ids, err := newRowIDs(ctx, tx, kind, table); err != nil || len(ids) > 0 {
			return nil, errors.Join(err, errNewRows)
		}
	}
	s, err := newSnapshot(ctx, tx)
	if err != nil {
		return nil, err
	}
	s.changed = true
	outbox := map[string]map[GlobalID]outboxRow{}
	for kind, table := range changeTables {
		if kind == "entry" || kind == "note" {
			continue // light (lightEntries, lightNotes)
		}
		rows, err := tx.QueryContext(ctx, `SELECT c.seq, c.id, t.gid FROM replica_changes c JOIN `+table+` t ON t.id = c.id WHERE c.kind = ?`, kind)
		if err != nil {
			return nil, err
		}
		m := map[GlobalID]outboxRow{}
		for rows.Next() {
			var r outboxRow
			var gid []byte
			if err := rows.Scan(&r.seq, &r.id, &gid); err != nil {
				rows.Close()
				return nil, err
			}
			g, err := scanGlobalID(gid)
			if err != nil {
				rows.Close()
				return nil, err
			}
			m[g] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		outbox[kind] = m
	}
	c := &Changes{snap: s}
	if err := errors.Join(
		wrap(s.Sources(), outbox["source"], func(r SharedSource) GlobalID { return r.ID }, &c.Sources),
		wrap(s.Items(), outbox["item"], func(r SharedItem) GlobalID { return r.ID }, &c.Items),
		wrap(s.Tags(), outbox["tag"], func(r SharedTag) GlobalID { return r.ID }, &c.Tags),
		wrap(s.Collections(), outbox["collection"], func(r SharedCollection) GlobalID { return r.ID }, &c.Collections),
		wrap(s.SavedSearches(), outbox["saved_search"], func(r SharedSavedSearch) GlobalID { return r.ID }, &c.SavedSearches),
		light(s, `SELECT c.seq, c.id, e.key, e.srev FROM replica_changes c JOIN entries e ON e.id = c.id
			WHERE c.kind = 'entry' ORDER BY e.id`, func(rows *sql.Rows, ch *Change[RowRef]) error {
			if err := rows.Scan(&ch.seq, &ch.id, &ch.Row.Key, &ch.Row.Rev); err != nil {
				return err
			}
			ch.Row.ID = s.entries[ch.id]
			return nil
		}, &c.Entries),
		wrap(s.Attachments(), outbox["attachment"], func(r SharedAttachment) GlobalID { return r.ID }, &c.Attachments),
		wrap(s.Marks(), outbox["marks"], func(r SharedMarks) GlobalID { return r.Entry }, &c.Marks),
		light(s, `SELECT c.seq, c.id, e.note_srev FROM replica_changes c JOIN notes n ON n.entry_id = c.id
			JOIN entries e ON e.id = c.id WHERE c.kind = 'note' ORDER BY c.id`, func(rows *sql.Rows, ch *Change[RowRef]) error {
			if err := rows.Scan(&ch.seq, &ch.id, &ch.Row.Rev); err != nil {
				return err
			}
			ch.Row.ID = s.entries[ch.id]
			return nil
		}, &c.Notes),
	); err != nil {
		return nil, err
	}
	if c.Links, err = links(ctx, tx, s); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT seq, kind, gid, srev FROM replica_deleted ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d Change[SharedDeletion]
		var gid []byte
		if err := rows.Scan(&d.seq, &d.Row.Kind, &gid, &d.Row.Rev); err != nil {
			return nil, err
		}
		if d.Row.ID, err = scanGlobalID(gid); err != nil {
			return nil, err
		}
		c.Deleted = append(c.Deleted, d)
	}
	return c, rows.Err()
}

// wrap adds each row of seq to out as a change, with its row in the outbox.
func wrap[T any](seq iter.Seq2[T, error], outbox map[GlobalID]outboxRow, id func(T) GlobalID, out *[]Change[T]) error {
	for r, err := range seq {
		if err != nil {
			return err
		}
		o := outbox[id(r)]
		*out = append(*out, Change[T]{Row: r, seq: o.seq, id: o.id})
	}
	return nil
}

// light adds the changes query reads to out, each as scan reads its row: the change's seq and
// local id, and its RowRef (rowsOf reads the whole row).
func light(s *SharedSnapshot, query string, scan func(*sql.Rows, *Change[RowRef]) error, out *[]Change[RowRef]) error {
	rows, err := s.tx.QueryContext(s.ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ch Change[RowRef]
		if err := scan(rows, &ch); err != nil {
			return err
		}
		*out = append(*out, ch)
	}
	return rows.Err()
}

// links returns the links added and removed. A link of a row deleted since prepareChanges
// dropped those it found is left out, to be dropped by the next.
func links(ctx context.Context, tx *sql.Tx, s *SharedSnapshot) ([]Change[SharedLink], error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq, kind, a, b, present FROM replica_links ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Change[SharedLink]
	for rows.Next() {
		var c Change[SharedLink]
		var a, b int64
		if err := rows.Scan(&c.seq, &c.Row.Kind, &a, &b, &c.Row.Present); err != nil {
			return nil, err
		}
		tables := linkTables[c.Row.Kind]
		var okA, okB bool
		c.Row.A, okA = s.ids(tables[0])[a]
		c.Row.B, okB = s.ids(tables[1])[b]
		if okA && okB {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// ids returns the snapshot's global ids of the rows of table, by id.
func (s *SharedSnapshot) ids(table string) map[int64]GlobalID {
	switch table {
	case "entries":
		return s.entries
	case "tags":
		return s.tags
	case "collections":
		return s.collections
	}
	return nil
}

// Sent records what the server took of c (those changes whose Sent is set): each row's server
// revision becomes the one the server gave it, and the change is no longer to be sent, unless
// the replica changed the row again since Changes read it.
func (l *Library) Sent(ctx context.Context, c *Changes) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record the changes sent: %w", err)
	}
	defer tx.Rollback()
	// A large import sends as many rows as it read: each statement is prepared once.
	p := newPreparedTx(ctx, tx)
	defer p.close()
	if err := errors.Join(
		sent(&p, c.Sources, "sources", "srev"), sent(&p, c.Items, "items", "srev"), sent(&p, c.Tags, "tags", "srev"),
		sent(&p, c.Collections, "collections", "srev"), sent(&p, c.SavedSearches, "saved_searches", "srev"),
		sent(&p, c.Entries, "entries", "srev"), sent(&p, c.Attachments, "attachments", "srev"),
		sent(&p, c.Marks, "", ""), sent(&p, c.Notes, "entries", "note_srev"),
	); err != nil {
		return fmt.Errorf("record the changes sent: %w", err)
	}
	if err := followAdopted(ctx, tx, c); err != nil {
		return fmt.Errorf("record the changes sent: %w", err)
	}
	for _, ch := range c.Links {
		if ch.Sent != 0 {
			if _, err := p.exec(`DELETE FROM replica_links WHERE seq = ?`, ch.seq); err != nil {
				return fmt.Errorf("record the changes sent: %w", err)
			}
		}
	}
	for _, ch := range c.Deleted {
		if ch.Sent != 0 {
			if _, err := p.exec(`DELETE FROM replica_deleted WHERE seq = ?`, ch.seq); err != nil {
				return fmt.Errorf("record the changes sent: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record the changes sent: %w", err)
	}
	return nil
}

// followAdopted keeps the saved searches' filters on the collections of c that the server took
// as others (Change.Adopted), which have the server's global ids now: one that waited for that
// id names the collection (followCollection), and one the server has that names the
// collection by the id it had is listed to be sent again (resendFilters).
func followAdopted(ctx context.Context, tx *sql.Tx, c *Changes) error {
	for _, ch := range c.Collections {
		if ch.Sent == 0 || ch.Adopted.IsZero() {
			continue
		}
		// Before the filters that waited for the server's id name the collection: those name it
		// on the server already, and would be listed for nothing.
		if err := resendFilters(ctx, tx, ch.id, c.SavedSearches); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE replica SET pulling = 1`); err != nil {
			return err
		}
		if err := followCollection(ctx, tx, ch.Adopted, ch.id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE replica SET pulling = 0`); err != nil {
			return err
		}
	}
	return nil
}

// mergedColumns are the columns of a row of each kind that adopted copies into the row the
// replica has of the server's id, and mergedLinks the statement that gives that row the links
// of the adopted one (its id first, then the adopted one's).
var (
	mergedColumns = map[string][]string{"tags": {"name", "colour"}, "saved_searches": {"name", "query", "filter"}}
	mergedLinks   = map[string]string{"tags": `UPDATE OR IGNORE entry_tags SET tag_id = ? WHERE tag_id = ?`}
)

// MergesAdopted reports whether Sent makes a new row of that kind, which the server took as a
// row the replica has already (under another name), one with that row (see adopted): tags and
// saved searches. A sender adopts no row of another kind as one the replica has.
func MergesAdopted(kind string) bool {
	_, ok := mergedColumns[changeTables[kind]]
	return ok
}

// adopted records that the server took the replica's row id of table as its row server (a tag,
// collection, saved search or attachment of the same name made or named so on another replica):
// the row takes the server's id and revision rev. When the replica has that row already, under
// another name (renamed on the server since the replica last pulled: the push named the row by
// its new name), the two are one: that row takes the adopted one's values and links, as the
// server has them now, and the adopted one goes, written as a pull writes (nothing to send).
// This is done for tags and saved searches; for another kind it is an error.
func adopted(ctx context.Context, tx *sql.Tx, table, col string, id int64, server GlobalID, rev int64) error {
	var have int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM `+table+` WHERE gid = ? AND id <> ?`, server.value(), id).Scan(&have)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = tx.ExecContext(ctx, `UPDATE `+table+` SET gid = ?, `+col+` = ? WHERE id = ?`, server.value(), rev, id)
		return err
	}
	cols := mergedColumns[table]
	if err != nil || cols == nil {
		return errors.Join(err, fmt.Errorf("the replica has the %s row %v that it sent a row of its own as", table, server))
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := tx.QueryRowContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table+` WHERE id = ?`, id).Scan(ptrs...); err != nil {
		return err
	}
	stmts := []struct {
		query string
		args  []any
	}{
		{`UPDATE replica SET pulling = 1`, nil},
		{mergedLinks[table], []any{have, id}},
		{`DELETE FROM ` + table + ` WHERE id = ?`, []any{id}},
		{`UPDATE ` + table + ` SET ` + strings.Join(cols, " = ?, ") + ` = ?, ` + col + ` = ? WHERE id = ?`, append(vals, rev, have)},
		{`UPDATE replica SET pulling = 0`, nil},
	}
	for _, st := range stmts {
		if st.query == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, st.query, st.args...); err != nil {
			return err
		}
	}
	return nil
}

// sent records the changes of rows of table (none for flags) that the server took: col holds
// the server's revision.
func sent[T any](p *preparedTx, changes []Change[T], table, col string) error {
	for _, ch := range changes {
		if ch.Sent == 0 {
			continue
		}
		switch {
		case table != "" && !ch.Adopted.IsZero():
			if err := adopted(p.ctx, p.tx, table, col, ch.id, ch.Adopted, ch.Sent); err != nil {
				return err
			}
		case table != "":
			if _, err := p.exec(`UPDATE `+table+` SET `+col+` = ? WHERE id = ?`, ch.Sent, ch.id); err != nil {
				return err
			}
		}
		if _, err := p.exec(`DELETE FROM replica_changes WHERE seq = ?`, ch.seq); err != nil {
			return err
		}
	}
	return nil
}
