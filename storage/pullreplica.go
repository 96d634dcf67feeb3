package storage

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// Pulled says what Pull did.
type Pulled struct {
	Rows int // rows written into the replica or deleted from it
	// Held is the rows left as the replica has them: those with a change of the replica's not
	// sent yet (the sending finds the conflict), or that the replica cannot take yet (a new
	// entry whose key a new entry of the replica's has). The next Pull reads them again.
	Held int
}

// ReplicaPull writes a shared library's changes into its replica (Library.Pull): each row as
// the server has it now, or its deletion, by global id. Rows must come in the order
// ReplicaLoad takes them; a row that names one the replica does not have is held.
type ReplicaPull struct {
	// The queries asked for each row are prepared once a pull: a pull from the first revision
	// asks them of every row.
	preparedTx
	held int64 // the lowest revision held, 0 when none is
	out  Pulled
	// moving says to move aside a row of the server's whose key or name a row being written
	// has now (moveAside), and moved lists those moved, by table.
	moving bool
	moved  map[string][]int64
	// ordered says Ordered was called.
	ordered bool
}

// preparedTx runs statements in a transaction, each prepared once: what asks the same of
// every row of a pull or of a push's record asks it thousands of times, and preparing costs
// more than running (a statement that writes a table compiles the table's triggers).
type preparedTx struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

// uniqueRow says, for a table whose rows have a unique key or name, how to find the row that
// has the one of a row being written, by the values of the columns match, and which column a
// row moved aside changes.
type uniqueRow struct {
	match  []string // the columns whose values find it, in the order of where's parameters
	where  string
	column string
}

// uniqueRows are the tables whose rows have a unique key or name (the replica's, as SQLite
// compares them: keys and names in any case of ASCII letters).
var uniqueRows = map[string]uniqueRow{
	"entries":        {[]string{"key"}, `key = ? COLLATE NOCASE`, "key"},
	"tags":           {[]string{"name"}, `name = ? COLLATE NOCASE`, "name"},
	"saved_searches": {[]string{"name"}, `name = ? COLLATE NOCASE`, "name"},
	"collections":    {[]string{"parent_id", "name"}, `coalesce(parent_id, 0) = coalesce(?, 0) AND name = ? COLLATE NOCASE`, "name"},
	"attachments":    {[]string{"entry_id", "path"}, `entry_id = ? AND path = ?`, "path"},
}

// movedName is the SQL of the key or name a row moved aside has until its own version comes:
// one no key or name typed has.
const movedName = `char(1) || 'moved ' || id`

// errMovedLeft says a row moved aside kept its temporary key or name to the end of the pull.
var errMovedLeft = errors.New("a row moved aside did not get its own version")

func newPreparedTx(ctx context.Context, tx *sql.Tx) preparedTx {
	return preparedTx{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}}
}

// stmt returns the statement q prepared, or nil when it could not be (running it says why).
func (p *preparedTx) stmt(q string) *sql.Stmt {
	st, ok := p.stmts[q]
	if !ok {
		var err error
		if st, err = p.tx.PrepareContext(p.ctx, q); err != nil {
			return nil
		}
		p.stmts[q] = st
	}
	return st
}

// queryRow runs the query q, prepared once in the transaction.
func (p *preparedTx) queryRow(q string, args ...any) *sql.Row {
	if st := p.stmt(q); st != nil {
		return st.QueryRowContext(p.ctx, args...)
	}
	return p.tx.QueryRowContext(p.ctx, q, args...) // which says what failed
}

// exec runs the statement q, prepared once in the transaction.
func (p *preparedTx) exec(q string, args ...any) (sql.Result, error) {
	if st := p.stmt(q); st != nil {
		return st.ExecContext(p.ctx, args...)
	}
	return p.tx.ExecContext(p.ctx, q, args...) // which says what failed
}

// close closes the statements prepared.
func (p *preparedTx) close() {
	for _, st := range p.stmts {
		st.Close()
	}
}

// Pull writes the changes of the replica's shared library, up to its revision to, into the
// replica, in one transaction: fn gives them through the ReplicaPull. They are the server's,
// not changes to send back (replica.pulling stands the triggers aside). The replica's pulled
// revision becomes to, or the revision before the first row held, which the next Pull then
// reads again with the rest (writing a row again as it is changes nothing).
func (l *Library) Pull(ctx context.Context, to int64, fn func(*ReplicaPull) error) (Pulled, error) {
	return l.pull(ctx, to, nil, fn)
}

// pull is Pull, with first, when it is not nil, run in its transaction before fn, with the
// triggers that list changes standing aside (DiscardAndPull).
//
// A row of the server's refused for a key or name that another row of the server's has in the
// replica (two keys swapped by another member, one push at a time: each row's new key is the
// other's old one) is written after moving that other row aside, under a temporary key, until
// its own version comes, later in the same pull: the server has one row of each key. Should
// one keep its temporary key to the end (a replica that does not hold what the server sent it),
// the pull is made again without moving any, and holds such rows, as a row whose key the
// replica's own change has. fn is then called twice: it must give the same rows each time.
func (l *Library) pull(ctx context.Context, to int64, first func(*sql.Tx) error, fn func(*ReplicaPull) error) (Pulled, error) {
	pulled, err := l.pullOnce(ctx, to, first, fn, true)
	if errors.Is(err, errMovedLeft) {
		pulled, err = l.pullOnce(ctx, to, first, fn, false)
	}
	return pulled, err
}

// pullOnce is pull, moving rows aside when moving is set.
func (l *Library) pullOnce(ctx context.Context, to int64, first func(*sql.Tx) error, fn func(*ReplicaPull) error, moving bool) (Pulled, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return Pulled{}, fmt.Errorf("pull: %w", err)
	}
	defer tx.Rollback()
	var had int64
	if err := tx.QueryRowContext(ctx, `UPDATE replica SET pulling = 1 RETURNING pulled`).Scan(&had); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = errors.New("the library is not a replica")
		}
		return Pulled{}, fmt.Errorf("pull: %w", err)
	}
	if first != nil {
		if err := first(tx); err != nil {
			return Pulled{}, fmt.Errorf("pull: %w", err)
		}
		had = 0
	}
	p := &ReplicaPull{preparedTx: newPreparedTx(ctx, tx), moving: moving, moved: map[string][]int64{}}
	defer p.close()
	if err := fn(p); err != nil {
		return Pulled{}, fmt.Errorf("pull: %w", err)
	}
	if err := p.movedBack(); err != nil {
		return Pulled{}, fmt.Errorf("pull: %w", err)
	}
	pulled := to
	if p.held > 0 {
		pulled = min(pulled, p.held-1)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE replica SET pulling = 0, pulled = ?, ordered = ordered OR ?`, max(pulled, had), p.ordered); err != nil {
		return Pulled{}, fmt.Errorf("pull: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Pulled{}, fmt.Errorf("pull: %w", err)
	}
	return p.out, nil
}

// hold leaves a row of revision rev as the replica has it.
func (p *ReplicaPull) hold(rev int64) {
	if p.held == 0 || rev < p.held {
		p.held = rev
	}
	p.out.Held++
}

// local returns the local id of the row g of table, and false when the replica has none.
func (p *ReplicaPull) local(table string, g GlobalID) (int64, bool, error) {
	var id int64
	err := p.queryRow(`SELECT id FROM `+table+` WHERE gid = ?`, g.value()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// refs returns the local ids of the rows gs of table (nil for a zero GlobalID), and false when
// the replica lacks one.
func (p *ReplicaPull) refs(table string, gs ...GlobalID) ([]any, bool, error) {
	out := make([]any, len(gs))
	for i, g := range gs {
		if g.IsZero() {
			continue
		}
		id, ok, err := p.local(table, g)
		if err != nil || !ok {
			return nil, false, err
		}
		out[i] = id
	}
	return out, true, nil
}

// unsent reports whether the replica has a change of one of kinds to the row id not sent yet.
func (p *ReplicaPull) unsent(id int64, kinds ...string) (bool, error) {
	for _, kind := range kinds {
		var n int
		if err := p.queryRow(`SELECT count(*) FROM replica_changes WHERE kind = ? AND id = ?`, kind, id).Scan(&n); err != nil {
			return false, err
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// moveAside moves aside the row of table that has the key or name of the row id (0 for a row
// not in the replica yet) that is being written with the values vals of cols, when it is a row
// of the server's with no change of the replica's to send (its kinds in replica_changes): its
// own version, which the server has under another key or name, comes later in the pull. It
// reports whether it moved one.
func (p *ReplicaPull) moveAside(table string, kinds []string, id int64, cols []string, vals []any) (bool, error) {
	u, ok := uniqueRows[table]
	if !ok || !p.moving {
		return false, nil
	}
	args := make([]any, 0, len(u.match)+1)
	for _, m := range u.match {
		i := slices.Index(cols, m)
		if i < 0 {
			return false, nil
		}
		args = append(args, vals[i])
	}
	var other int64
	err := p.queryRow(`SELECT id FROM `+table+` WHERE `+u.where+` AND id <> ? AND gid IS NOT NULL AND srev > 0`,
		append(args, id)...).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if changed, err := p.unsent(other, kinds...); err != nil || changed {
		return false, err
	}
	if _, err := p.tx.ExecContext(p.ctx, `UPDATE `+table+` SET `+u.column+` = `+movedName+` WHERE id = ?`, other); err != nil {
		return false, err
	}
	p.moved[table] = append(p.moved[table], other)
	return true, nil
}

// movedBack returns errMovedLeft when a row moved aside did not get its own version.
func (p *ReplicaPull) movedBack() error {
	for table, ids := range p.moved {
		column := uniqueRows[table].column
		for _, id := range ids {
			var n int
			if err := p.queryRow(`SELECT count(*) FROM `+table+` WHERE id = ? AND `+column+` = `+movedName, id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("%w (%s %d)", errMovedLeft, table, id)
			}
		}
	}
	return nil
}

// isConstraint reports whether err is a UNIQUE (or other) constraint's refusal.
func isConstraint(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint
}

// put writes the row g of table (whose changes are kind in replica_changes) as the server has
// it at revision rev: deleted, or with the values vals of cols, updated or inserted with its
// gid and srev. A row the replica has changed since is held, and so is one a constraint
// refuses (a key the replica has given another new row). ord is the server's ord of a row of a
// table the library orders (order.go; 0 for the others), which the row keeps as sord, a row the
// replica sent itself too. It returns the row's local id, 0 when it was deleted or held.
func (p *ReplicaPull) put(table string, kinds []string, g GlobalID, rev int64, deleted bool, ord int64, cols []string, vals []any) (int64, error) {
	var id, srev int64
	err := p.queryRow(`SELECT id, srev FROM `+table+` WHERE gid = ?`, g.value()).Scan(&id, &srev)
	ok := err == nil
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	if err != nil {
		return 0, err
	}
	// place gives the row the replica has its place, which the server never changes: one the
	// replica sent learns it, a held one keeps it among the rows written around it.
	place := func() error {
		if !ok || ord == 0 || deleted {
			return nil
		}
		_, err := p.tx.ExecContext(p.ctx, `UPDATE `+table+` SET sord = ? WHERE id = ? AND sord IS NOT ?`, ord, id, ord)
		return err
	}
	if ok && srev == rev && !deleted {
		// The replica has this revision: it sent it itself, and learns its place now.
		return 0, place()
	}
	if ord != 0 {
		cols, vals = append(cols[:len(cols):len(cols)], "sord"), append(vals[:len(vals):len(vals)], ord)
	}
	if ok {
		if changed, err := p.unsent(id, kinds...); err != nil || changed {
			if changed {
				p.hold(rev)
				err = place()
			}
			return 0, err
		}
	}
	switch {
	case deleted && !ok:
		return 0, nil
	case deleted:
		_, err = p.tx.ExecContext(p.ctx, `DELETE FROM `+table+` WHERE id = ?`, id)
		if err == nil {
			p.out.Rows++
		}
		return 0, err
	}
	write := func() (int64, error) {
		if ok {
			_, err := p.tx.ExecContext(p.ctx, `UPDATE `+table+` SET `+strings.Join(cols, " = ?, ")+` = ?, srev = ? WHERE id = ?`,
				append(vals, rev, id)...)
			return id, err
		}
		res, err := p.tx.ExecContext(p.ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`, gid, srev) VALUES (?`+
			strings.Repeat(", ?", len(cols)+1)+`)`, append(vals, g.value(), rev)...)
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	}
	id, err = write()
	if isConstraint(err) {
		// Taken by a row of the server's whose own version comes later, it is moved aside.
		moved, merr := p.moveAside(table, kinds, id, cols, vals)
		if merr != nil {
			return 0, merr
		}
		if moved {
			id, err = write()
		}
	}
	if isConstraint(err) {
		p.hold(rev)
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	p.out.Rows++
	return id, nil
}

// orderedTables are the tables whose rows the library orders (order.go): their rows keep the
// server's ord.
var orderedTables = map[string]bool{"items": true, "entries": true, "tags": true, "collections": true, "attachments": true}

// PutOrd gives the row g of table (items, entries, tags, collections or attachments) the
// server's place ord in the library's order, for a replica made before migration 0019, which
// did not keep it (Replica.Ordered); a row the replica does not have is passed over.
func (p *ReplicaPull) PutOrd(table string, g GlobalID, ord int64) error {
	if !orderedTables[table] {
		return fmt.Errorf("the rows of %s have no order", table)
	}
	_, err := p.tx.ExecContext(p.ctx, `UPDATE `+table+` SET sord = ?1 WHERE gid = ?2 AND sord IS NOT ?1`, ord, g.value())
	return err
}

// Ordered records, when the pull commits, that every row the replica has from the server has
// its place (PutOrd).
func (p *ReplicaPull) Ordered() { p.ordered = true }

// localItems maps the global ids of @string items to the replica's, for mapContext.
func (p *ReplicaPull) localItems(g GlobalID) (int64, bool) {
	id, ok, err := p.local("items", g)
	return id, ok && err == nil
}

// PutSource writes an import of a file, or its deletion.
func (p *ReplicaPull) PutSource(r SharedSource, deleted bool) error {
	_, err := p.put("sources", []string{"source"}, r.ID, r.Rev, deleted, 0, []string{"name", "imported"}, []any{r.Name, r.Imported})
	if err != nil {
		return fmt.Errorf("source %v: %w", r.ID, err)
	}
	return nil
}

// PutItem writes an @string, @preamble or @comment, or its deletion.
func (p *ReplicaPull) PutItem(r SharedItem, deleted bool) error {
	var source []any
	c := r.Context
	if !deleted {
		var ok bool
		var err error
		if source, ok, err = p.refs("sources", r.SourceID); err != nil || !ok {
			if !ok {
				p.hold(r.Rev)
			}
			return err
		}
		if c, err = mapContext(r.Context, p.localItems); err != nil {
			p.hold(r.Rev) // it names an item the replica does not have
			return nil
		}
	} else {
		source = []any{nil}
	}
	_, err := p.put("items", []string{"item"}, r.ID, r.Rev, deleted, r.Ord, []string{"kind", "name", "source", "origin", "source_id", "expansion", "context"},
		[]any{r.Kind, r.Name, r.Source, r.Origin, source[0], r.Expansion, c})
	if err != nil {
		return fmt.Errorf("item %v: %w", r.ID, err)
	}
	return nil
}

// PutTag writes a tag, or its deletion.
func (p *ReplicaPull) PutTag(r SharedTag, deleted bool) error {
	if _, err := p.put("tags", []string{"tag"}, r.ID, r.Rev, deleted, r.Ord, []string{"name", "colour"}, []any{r.Name, r.Colour}); err != nil {
		return fmt.Errorf("tag %q: %w", r.Name, err)
	}
	return nil
}

// PulledCollection is a collection as Pull takes it: as the server has it, or deleted.
type PulledCollection struct {
	SharedCollection
	Deleted bool
}

// PutCollections writes the collections that changed, all at once: a parent the replica does
// not have yet is written before its children.
func (p *ReplicaPull) PutCollections(cs []PulledCollection) error {
	in := map[GlobalID]PulledCollection{}
	for _, c := range cs {
		in[c.ID] = c
	}
	depth := func(c PulledCollection) int {
		d := 0
		for q, ok := c, true; ok && !q.Parent.IsZero() && d <= len(cs); q, ok = in[q.Parent] {
			d++
		}
		return d
	}
	order := slices.Clone(cs)
	slices.SortStableFunc(order, func(a, b PulledCollection) int { return cmp.Compare(depth(a), depth(b)) })
	for _, c := range order {
		parent := []any{nil}
		if !c.Deleted {
			var ok bool
			var err error
			if parent, ok, err = p.refs("collections", c.Parent); err != nil {
				return fmt.Errorf("collection %q: %w", c.Name, err)
			} else if !ok {
				p.hold(c.Rev)
				continue
			}
		}
		id, err := p.put("collections", []string{"collection"}, c.ID, c.Rev, c.Deleted, c.Ord, []string{"parent_id", "name", "position"},
			[]any{parent[0], c.Name, c.Position})
		if err == nil && id != 0 {
			err = followCollection(p.ctx, p.tx, c.ID, id)
		}
		if err != nil {
			return fmt.Errorf("collection %q: %w", c.Name, err)
		}
	}
	return nil
}

// PutSavedSearch writes a saved search, or its deletion. A filter's collection the replica
// does not have waits for it (Filter.Waiting).
func (p *ReplicaPull) PutSavedSearch(r SharedSavedSearch, deleted bool) error {
	filter := "{}"
	if !deleted {
		var err error
		if filter, err = localFilter(r.Filter, func(g GlobalID) (int64, bool, error) { return p.local("collections", g) }); err != nil {
			return fmt.Errorf("saved search %q: its filter: %w", r.Name, err)
		}
	}
	if _, err := p.put("saved_searches", []string{"saved_search"}, r.ID, r.Rev, deleted, 0, []string{"name", "query", "filter"},
		[]any{r.Name, r.Query, filter}); err != nil {
		return fmt.Errorf("saved search %q: %w", r.Name, err)
	}
	return nil
}

// entryKinds are the changes of an entry that its deletion on the server would lose (its links
// go with it, as the server's do).
var entryKinds = []string{"entry", "note"}

// PutEntry writes an entry, or its deletion. An entry the replica changed since (its rows, or,
// for a deletion, its note) is held.
func (p *ReplicaPull) PutEntry(r *SharedEntry, deleted bool) error {
	kinds := entryKinds[:1]
	var source []any
	c := r.Context
	if deleted {
		kinds, source = entryKinds, []any{nil}
	} else {
		var ok bool
		var err error
		if source, ok, err = p.refs("sources", r.SourceID); err != nil || !ok {
			if !ok {
				p.hold(r.Rev)
			}
			return err
		}
		if c, err = mapContext(r.Context, p.localItems); err != nil {
			p.hold(r.Rev)
			return nil
		}
	}
	id, err := p.put("entries", kinds, r.ID, r.Rev, deleted, r.Ord, []string{"key", "type", "title", "authors", "first_author", "year",
		"venue", "keywords", "origin", "created", "modified", "trashed", "doi", "arxiv", "isbn", "title_key", "source_id", "context"},
		[]any{r.Key, r.Type, r.Title, r.Authors, r.FirstAuthor, r.Year, r.Venue, r.Keywords, r.Origin, r.Created, r.Modified,
			r.Trashed, r.DOI, r.ArXiv, r.ISBN, r.TitleKey, source[0], c})
	if err == nil && id != 0 {
		_, err = p.tx.ExecContext(p.ctx, `INSERT INTO entry_text (id, fields, source, abstract) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET fields = excluded.fields, source = excluded.source, abstract = excluded.abstract
			WHERE (fields, source, abstract) IS NOT (excluded.fields, excluded.source, excluded.abstract)`,
			id, r.Fields, r.Source, r.Abstract)
	}
	if err != nil {
		return fmt.Errorf("entry %q: %w", r.Key, err)
	}
	return nil
}

// PutMarks writes this member's flags of an entry.
func (p *ReplicaPull) PutMarks(r SharedMarks) error {
	id, ok, err := p.local("entries", r.Entry)
	if err == nil && ok {
		var changed bool
		if changed, err = p.unsent(id, "marks"); changed {
			p.hold(r.Rev)
			return nil
		}
	} else if err == nil {
		p.hold(r.Rev)
		return nil
	}
	if err == nil {
		// Only a change: the flags' revision trigger would fire for the same values too.
		_, err = p.tx.ExecContext(p.ctx, `UPDATE entries SET read = ?1, starred = ?2, rating = ?3
			WHERE id = ?4 AND (read, starred, rating) IS NOT (?1, ?2, ?3)`, r.Read, r.Starred, r.Rating, id)
	}
	if err != nil {
		return fmt.Errorf("flags: %w", err)
	}
	p.out.Rows++
	return nil
}

// PutNote writes an entry's note, or its deletion.
func (p *ReplicaPull) PutNote(r SharedNote, deleted bool) error {
	id, ok, err := p.local("entries", r.Entry)
	if err != nil {
		return fmt.Errorf("note: %w", err)
	}
	if !ok {
		if !deleted {
			p.hold(r.Rev)
		}
		return nil
	}
	if changed, err := p.unsent(id, "note"); err != nil || changed {
		if changed {
			p.hold(r.Rev)
		}
		return err
	}
	if deleted {
		_, err = p.tx.ExecContext(p.ctx, `DELETE FROM notes WHERE entry_id = ?`, id)
	} else {
		_, err = p.tx.ExecContext(p.ctx, `INSERT INTO notes (entry_id, body, modified) VALUES (?, ?, ?)
			ON CONFLICT (entry_id) DO UPDATE SET body = excluded.body, modified = excluded.modified
			WHERE (body, modified) IS NOT (excluded.body, excluded.modified)`, id, r.Body, r.Modified)
	}
	if err == nil {
		_, err = p.tx.ExecContext(p.ctx, `UPDATE entries SET note_srev = ? WHERE id = ?`, r.Rev, id)
	}
	if err != nil {
		return fmt.Errorf("note: %w", err)
	}
	p.out.Rows++
	return nil
}

// link writes or deletes a row of the link table kind (insert and delete, each with the local
// ids of two rows of tables), unless the replica added or removed that link itself and has not
// sent it yet.
func (p *ReplicaPull) link(insert, delete string, tables [2]string, gs [2]GlobalID, kind string, rev int64, deleted bool) error {
	ids, ok, err := p.refs(tables[0], gs[0])
	if err == nil && ok {
		var more []any
		if more, ok, err = p.refs(tables[1], gs[1]); ok {
			ids = append(ids, more...)
		}
	}
	if err != nil || !ok {
		if !ok && !deleted {
			p.hold(rev)
		}
		return err
	}
	if kind == "not_duplicates" && ids[0].(int64) > ids[1].(int64) { // the smaller id first
		ids[0], ids[1] = ids[1], ids[0]
	}
	var n int
	if err := p.queryRow(`SELECT count(*) FROM replica_links WHERE kind = ? AND a = ? AND b = ?`,
		kind, ids[0], ids[1]).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		p.hold(rev)
		return nil
	}
	// A link written as it is changes nothing: it is not written again (an INSERT or DELETE
	// costs the compiling of the table's triggers, a pull from the first revision many).
	var has bool
	if err := p.queryRow(`SELECT EXISTS (SELECT 1 FROM `+kind+` WHERE `+linkColumnNames[kind]+`)`, ids...).Scan(&has); err != nil {
		return err
	}
	if has != deleted {
		return nil
	}
	query := insert
	if deleted {
		query = delete
	}
	if _, err := p.tx.ExecContext(p.ctx, query, ids...); err != nil {
		return err
	}
	p.out.Rows++
	return nil
}

// linkColumnNames are the conditions on the two columns of each link table, for its two local ids.
var linkColumnNames = map[string]string{"entry_tags": "entry_id = ? AND tag_id = ?",
	"collection_entries": "collection_id = ? AND entry_id = ?", "not_duplicates": "a = ? AND b = ?"}

// PutEntryTag gives an entry a tag, or takes it away.
func (p *ReplicaPull) PutEntryTag(r SharedEntryTag, rev int64, deleted bool) error {
	if err := p.link(`INSERT OR IGNORE INTO entry_tags (entry_id, tag_id) VALUES (?, ?)`, `DELETE FROM entry_tags WHERE entry_id = ? AND tag_id = ?`,
		[2]string{"entries", "tags"}, [2]GlobalID{r.Entry, r.Tag}, "entry_tags", rev, deleted); err != nil {
		return fmt.Errorf("entry tag: %w", err)
	}
	return nil
}

// PutMembership puts an entry in a collection, or takes it out.
func (p *ReplicaPull) PutMembership(r SharedMembership, rev int64, deleted bool) error {
	if err := p.link(`INSERT OR IGNORE INTO collection_entries (collection_id, entry_id) VALUES (?, ?)`,
		`DELETE FROM collection_entries WHERE collection_id = ? AND entry_id = ?`,
		[2]string{"collections", "entries"}, [2]GlobalID{r.Collection, r.Entry}, "collection_entries", rev, deleted); err != nil {
		return fmt.Errorf("collection entry: %w", err)
	}
	return nil
}

// PutNotDuplicate marks two entries as not duplicates, or takes the mark away.
func (p *ReplicaPull) PutNotDuplicate(r SharedNotDuplicate, rev int64, deleted bool) error {
	if err := p.link(`INSERT OR IGNORE INTO not_duplicates (a, b) VALUES (?, ?)`, `DELETE FROM not_duplicates WHERE a = ? AND b = ?`,
		[2]string{"entries", "entries"}, [2]GlobalID{r.A, r.B}, "not_duplicates", rev, deleted); err != nil {
		return fmt.Errorf("pair not duplicates: %w", err)
	}
	return nil
}

// PutAttachment writes a file attached to an entry, or its deletion.
func (p *ReplicaPull) PutAttachment(r SharedAttachment, deleted bool) error {
	entry := []any{nil}
	if !deleted {
		var ok bool
		var err error
		if entry, ok, err = p.refs("entries", r.Entry); err != nil || !ok {
			if !ok {
				p.hold(r.Rev)
			}
			return err
		}
	}
	if _, err := p.put("attachments", []string{"attachment"}, r.ID, r.Rev, deleted, r.Ord, []string{"entry_id", "path", "added"},
		[]any{entry[0], r.Path, r.Added}); err != nil {
		return fmt.Errorf("attachment %s: %w", r.Path, err)
	}
	return nil
}
