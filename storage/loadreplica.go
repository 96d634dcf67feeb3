package storage

import (
	"cmp"
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"slices"
)

// replicaTriggers make a library's triggers of a replica (see replica.sql).
//
//go:embed replica.sql
var replicaTriggers string

// remakeReplicaTriggers makes a replica's triggers again as replica.sql has them now, in the
// transaction of migration 0017 (migrationSteps); a library of one's own has none to make.
func remakeReplicaTriggers(ctx context.Context, tx *sql.Tx) error {
	var replica bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM replica)`).Scan(&replica); err != nil || !replica {
		return err
	}
	if err := dropReplicaTriggers(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, replicaTriggers); err != nil {
		return fmt.Errorf("make the replica's triggers again: %w", err)
	}
	return nil
}

// dropReplicaTriggers drops the triggers that list a replica's changes (replica.sql), those of
// any version, in the transaction tx.
func dropReplicaTriggers(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name GLOB '*_replica_*'`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		names = append(names, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER `+name); err != nil {
			return err
		}
	}
	return nil
}

// ErrNotEmpty is returned by LoadReplica for a library that has rows already: a replica is made
// from a new library.
var ErrNotEmpty = errors.New("the library is not empty")

// ReplicaLoad writes a shared library's rows into a new library, which becomes its replica
// (LoadReplica). Each kind of row must come after the rows it names, in this order: sources,
// items, tags, collections (all at once), saved searches, entries, then in any order the
// entries' marks, notes, tags, collection memberships, attachments and pairs that are not
// duplicates. Rows of one kind come in the shared library's order, which the replica keeps.
type ReplicaLoad struct {
	ctx context.Context
	tx  *sql.Tx
	rev int64 // the revision (migration 0012) of the entries
	// The local ids of the rows others name, by GlobalID.
	sources, items, entries, tags, collections    map[GlobalID]int64
	insSource, insItem, insEntry, insText, insTag *sql.Stmt
	insNote, insEntryTag, insMember, insAttach    *sql.Stmt
	setMarks, insNotDup                           *sql.Stmt
}

// LoadReplica makes the library, which must be new (no entry, item, tag, collection or saved
// search, and no replica: ErrNotEmpty otherwise), the replica r of a shared library: fn writes
// the shared library's rows through the ReplicaLoad, and they are written in one transaction
// with r, which fn's error rolls back. Their search index is left to IndexPending, as a
// window's import leaves it. The new replica is Ordered: its rows' places are those fn gives.
func (l *Library) LoadReplica(ctx context.Context, r Replica, fn func(*ReplicaLoad) error) (err error) {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("make the replica: %w", err)
	}
	// A large import's settings, as the window imports: the cache its indexes need, no
	// temporary files, and no checkpoint at the commit (IndexPending's first commit makes it).
	_, restore, err := bulkSettings(ctx, conn, bulkCacheMax/bulkCachePerEntry, true)
	defer func() {
		if cerr := errors.Join(restore(), closeConn(conn)); cerr != nil && err == nil {
			err = fmt.Errorf("make the replica: %w", cerr)
		}
	}()
	if err != nil {
		return fmt.Errorf("make the replica: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("make the replica: %w", err)
	}
	defer tx.Rollback()
	if err := loadReplica(ctx, tx, r, fn); err != nil {
		return fmt.Errorf("make the replica: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("make the replica: %w", err)
	}
	l.listOrder.Store(nil) // read again: it is a replica now
	return nil
}

// loadReplica is LoadReplica in its transaction tx.
func loadReplica(ctx context.Context, tx *sql.Tx, r Replica, fn func(*ReplicaLoad) error) (err error) {
	var rows int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM entries) + (SELECT count(*) FROM items) +
		(SELECT count(*) FROM tags) + (SELECT count(*) FROM collections) + (SELECT count(*) FROM saved_searches) +
		(SELECT count(*) FROM replica)`).Scan(&rows); err != nil {
		return err
	}
	if rows > 0 {
		return ErrNotEmpty
	}
	// A replica's indexes of the list (order.go), on the table still empty. Then, as a bulk
	// import into a new library does: the entries table's indexes are made after the inserts,
	// and the search index later (IndexPending, migration 0007).
	if err := setListIndexes(ctx, tx, true); err != nil {
		return err
	}
	indexes, err := dropEntryIndexes(ctx, tx, keptIndexes)
	if err != nil {
		return fmt.Errorf("drop indexes: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_pending (lo, hi) VALUES (0, ?)`, int64(math.MaxInt64)); err != nil {
		return err
	}
	ld := &ReplicaLoad{ctx: ctx, tx: tx, sources: map[GlobalID]int64{}, items: map[GlobalID]int64{},
		entries: map[GlobalID]int64{}, tags: map[GlobalID]int64{}, collections: map[GlobalID]int64{}}
	defer func() { err = errors.Join(err, ld.close()) }()
	// All the entries get one revision, as an import's do, and the triggers on their tags and
	// collections stand aside.
	if ld.rev, err = startImportRevision(ctx, tx, 0); err != nil {
		return err
	}
	if err := ld.prepare(); err != nil {
		return err
	}
	if err := fn(ld); err != nil {
		return err
	}
	if err := endImportRevision(ctx, tx); err != nil {
		return err
	}
	for _, x := range indexes {
		if _, err := tx.ExecContext(ctx, x.def); err != nil {
			return fmt.Errorf("make index again: %w", err)
		}
	}
	// The search index is left to IndexPending, as a window's import leaves it: the entries are
	// listed at once, and found by words a moment later.
	if _, err := tx.ExecContext(ctx, `UPDATE search_pending SET hi = (SELECT max(id) FROM entries)
		WHERE lo = 0 AND hi = ? AND EXISTS (SELECT 1 FROM entries)`, int64(math.MaxInt64)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_pending WHERE lo = 0 AND hi = ?`, int64(math.MaxInt64)); err != nil {
		return err
	}
	// Last: the replica's triggers, which record its changes from here on.
	if _, err := tx.ExecContext(ctx, replicaTriggers); err != nil {
		return fmt.Errorf("make the replica's triggers: %w", err)
	}
	if _, err := tx.ExecContext(ctx, replicaOrderIndex); err != nil {
		return fmt.Errorf("make the index of the replica's order: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO replica (library, server, member, pulled, ordered) VALUES (?, ?, ?, ?, 1)`,
		r.Library.value(), r.Server, r.Member, r.Pulled); err != nil {
		return err
	}
	return nil
}

// prepare prepares the load's statements.
func (ld *ReplicaLoad) prepare() error {
	for _, s := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&ld.insSource, `INSERT INTO sources (name, imported, gid, srev) VALUES (?, ?, ?, ?)`},
		{&ld.insItem, `INSERT INTO items (kind, name, source, origin, source_id, expansion, context, gid, srev, sord)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&ld.insEntry, `INSERT INTO entries (key, type, ` + rowColumns + `, origin, created, modified, trashed,
			` + identityColumnList + `, source_id, context, revision, gid, srev, sord)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&ld.insText, `INSERT INTO entry_text (id, ` + textColumns + `) VALUES (?, ?, ?, ?)`},
		{&ld.insTag, `INSERT INTO tags (name, colour, gid, srev, sord) VALUES (?, ?, ?, ?, ?)`},
		{&ld.insNote, `INSERT INTO notes (entry_id, body, modified) VALUES (?, ?, ?)`},
		{&ld.insEntryTag, `INSERT INTO entry_tags (entry_id, tag_id) VALUES (?, ?)`},
		{&ld.insMember, `INSERT INTO collection_entries (collection_id, entry_id) VALUES (?, ?)`},
		{&ld.insAttach, `INSERT INTO attachments (entry_id, path, added, gid, srev, sord) VALUES (?, ?, ?, ?, ?, ?)`},
		{&ld.setMarks, `UPDATE entries SET read = ?, starred = ?, rating = ? WHERE id = ?`},
		{&ld.insNotDup, `INSERT INTO not_duplicates (a, b) VALUES (?, ?)`},
	} {
		var err error
		if *s.stmt, err = ld.tx.PrepareContext(ld.ctx, s.query); err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
	}
	return nil
}

func (ld *ReplicaLoad) close() error {
	var errs []error
	for _, s := range []*sql.Stmt{ld.insSource, ld.insItem, ld.insEntry, ld.insText, ld.insTag, ld.insNote,
		ld.insEntryTag, ld.insMember, ld.insAttach, ld.setMarks, ld.insNotDup} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}

// insert runs stmt and returns the new row's id.
func (ld *ReplicaLoad) insert(stmt *sql.Stmt, args ...any) (int64, error) {
	res, err := stmt.ExecContext(ld.ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// local returns the local id of the row g of a map (NULL for the zero GlobalID).
func local(ids map[GlobalID]int64, what string, g GlobalID) (any, error) {
	if g.IsZero() {
		return nil, nil
	}
	id, ok := ids[g]
	if !ok {
		return nil, fmt.Errorf("it names %s %v, which the shared library does not have", what, g)
	}
	return id, nil
}

// localID is local for a row that must name one.
func localID(ids map[GlobalID]int64, what string, g GlobalID) (int64, error) {
	id, ok := ids[g]
	if !ok {
		return 0, fmt.Errorf("it names %s %v, which the shared library does not have", what, g)
	}
	return id, nil
}

// AddSource adds an import of a file.
func (ld *ReplicaLoad) AddSource(r SharedSource) error {
	id, err := ld.insert(ld.insSource, r.Name, r.Imported, r.ID.value(), r.Rev)
	if err != nil {
		return fmt.Errorf("source %v: %w", r.ID, err)
	}
	ld.sources[r.ID] = id
	return nil
}

// AddItem adds an @string, @preamble or @comment.
func (ld *ReplicaLoad) AddItem(r SharedItem) error {
	source, err := local(ld.sources, "source", r.SourceID)
	if err != nil {
		return fmt.Errorf("item %v: %w", r.ID, err)
	}
	c, err := mapContext(r.Context, lookup(ld.items))
	if err != nil {
		return fmt.Errorf("item %v: %w", r.ID, err)
	}
	id, err := ld.insert(ld.insItem, r.Kind, r.Name, r.Source, r.Origin, source, r.Expansion, c, r.ID.value(), r.Rev, ordValue(r.Ord))
	if err != nil {
		return fmt.Errorf("item %v: %w", r.ID, err)
	}
	ld.items[r.ID] = id
	return nil
}

// AddTag adds a tag.
func (ld *ReplicaLoad) AddTag(r SharedTag) error {
	id, err := ld.insert(ld.insTag, r.Name, r.Colour, r.ID.value(), r.Rev, ordValue(r.Ord))
	if err != nil {
		return fmt.Errorf("tag %q: %w", r.Name, err)
	}
	ld.tags[r.ID] = id
	return nil
}

// AddCollections adds the collections, all of them at once: a collection's parent may come
// after it in the shared library's order, which their ids keep.
func (ld *ReplicaLoad) AddCollections(cs []SharedCollection) error {
	base, parents := len(ld.collections), map[GlobalID]GlobalID{}
	for i, c := range cs {
		ld.collections[c.ID] = int64(base + i + 1)
		parents[c.ID] = c.Parent
	}
	// Parents first: the index of sibling names reads parent_id.
	depth := func(c SharedCollection) int {
		d := 0
		for p := c.Parent; !p.IsZero() && d <= len(cs); p = parents[p] {
			d++
		}
		return d
	}
	order := slices.Clone(cs)
	slices.SortStableFunc(order, func(a, b SharedCollection) int { return cmp.Compare(depth(a), depth(b)) })
	for _, c := range order {
		parent, err := local(ld.collections, "collection", c.Parent)
		if err == nil && depth(c) > len(cs) {
			err = errors.New("it is its own ancestor")
		}
		if err == nil {
			_, err = ld.tx.ExecContext(ld.ctx, `INSERT INTO collections (id, parent_id, name, position, gid, srev, sord) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				ld.collections[c.ID], parent, c.Name, c.Position, c.ID.value(), c.Rev, ordValue(c.Ord))
		}
		if err != nil {
			return fmt.Errorf("collection %q: %w", c.Name, err)
		}
	}
	return nil
}

// AddSavedSearch adds a saved search. A filter's collection the shared library does not have
// (deleted) selects nothing, as one deleted does, and waits for it (Filter.Waiting).
func (ld *ReplicaLoad) AddSavedSearch(r SharedSavedSearch) error {
	filter, err := localFilter(r.Filter, func(g GlobalID) (int64, bool, error) {
		id, ok := ld.collections[g]
		return id, ok, nil
	})
	if err != nil {
		return fmt.Errorf("saved search %q: its filter: %w", r.Name, err)
	}
	if _, err := ld.tx.ExecContext(ld.ctx, `INSERT INTO saved_searches (name, query, filter, gid, srev) VALUES (?, ?, ?, ?, ?)`,
		r.Name, r.Query, filter, r.ID.value(), r.Rev); err != nil {
		return fmt.Errorf("saved search %q: %w", r.Name, err)
	}
	return nil
}

// AddEntry adds an entry.
func (ld *ReplicaLoad) AddEntry(r *SharedEntry) error {
	source, err := local(ld.sources, "source", r.SourceID)
	if err != nil {
		return fmt.Errorf("entry %q: %w", r.Key, err)
	}
	c, err := mapContext(r.Context, lookup(ld.items))
	if err != nil {
		return fmt.Errorf("entry %q: %w", r.Key, err)
	}
	id, err := ld.insert(ld.insEntry, r.Key, r.Type, r.Title, r.Authors, r.FirstAuthor, r.Year, r.Venue, r.Keywords,
		r.Origin, r.Created, r.Modified, r.Trashed, r.DOI, r.ArXiv, r.ISBN, r.TitleKey, source, c, ld.rev, r.ID.value(), r.Rev, ordValue(r.Ord))
	if err == nil {
		_, err = ld.insText.ExecContext(ld.ctx, id, r.Fields, r.Source, r.Abstract)
	}
	if err != nil {
		return fmt.Errorf("entry %q: %w", r.Key, err)
	}
	ld.entries[r.ID] = id
	return nil
}

// SetMarks sets an entry's flags.
func (ld *ReplicaLoad) SetMarks(r SharedMarks) error {
	id, err := localID(ld.entries, "entry", r.Entry)
	if err == nil {
		_, err = ld.setMarks.ExecContext(ld.ctx, r.Read, r.Starred, r.Rating, id)
	}
	if err != nil {
		return fmt.Errorf("flags: %w", err)
	}
	return nil
}

// AddNote adds an entry's note.
func (ld *ReplicaLoad) AddNote(r SharedNote) error {
	id, err := localID(ld.entries, "entry", r.Entry)
	if err == nil {
		_, err = ld.insNote.ExecContext(ld.ctx, id, r.Body, r.Modified)
	}
	if err == nil {
		_, err = ld.tx.ExecContext(ld.ctx, `UPDATE entries SET note_srev = ? WHERE id = ?`, r.Rev, id)
	}
	if err != nil {
		return fmt.Errorf("note: %w", err)
	}
	return nil
}

// AddEntryTag gives an entry a tag.
func (ld *ReplicaLoad) AddEntryTag(r SharedEntryTag) error {
	entry, err := localID(ld.entries, "entry", r.Entry)
	if err != nil {
		return fmt.Errorf("entry tag: %w", err)
	}
	tag, err := localID(ld.tags, "tag", r.Tag)
	if err == nil {
		_, err = ld.insEntryTag.ExecContext(ld.ctx, entry, tag)
	}
	if err != nil {
		return fmt.Errorf("entry tag: %w", err)
	}
	return nil
}

// AddMembership puts an entry in a collection.
func (ld *ReplicaLoad) AddMembership(r SharedMembership) error {
	coll, err := localID(ld.collections, "collection", r.Collection)
	if err != nil {
		return fmt.Errorf("collection entry: %w", err)
	}
	entry, err := localID(ld.entries, "entry", r.Entry)
	if err == nil {
		_, err = ld.insMember.ExecContext(ld.ctx, coll, entry)
	}
	if err != nil {
		return fmt.Errorf("collection entry: %w", err)
	}
	return nil
}

// AddAttachment adds a file attached to an entry.
func (ld *ReplicaLoad) AddAttachment(r SharedAttachment) error {
	entry, err := localID(ld.entries, "entry", r.Entry)
	if err == nil {
		_, err = ld.insAttach.ExecContext(ld.ctx, entry, r.Path, r.Added, r.ID.value(), r.Rev, ordValue(r.Ord))
	}
	if err != nil {
		return fmt.Errorf("attachment %s: %w", r.Path, err)
	}
	return nil
}

// AddNotDuplicate marks two entries as not duplicates.
func (ld *ReplicaLoad) AddNotDuplicate(r SharedNotDuplicate) error {
	a, err := localID(ld.entries, "entry", r.A)
	if err != nil {
		return fmt.Errorf("pair not duplicates: %w", err)
	}
	b, err := localID(ld.entries, "entry", r.B)
	if err == nil {
		_, err = ld.insNotDup.ExecContext(ld.ctx, min(a, b), max(a, b))
	}
	if err != nil {
		return fmt.Errorf("pair not duplicates: %w", err)
	}
	return nil
}
