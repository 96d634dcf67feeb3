package shared

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/bibshelf/bibshelf/storage"
)

// Pushed says what Push sent.
type Pushed struct {
	Sent int // changes the server took
	// Conflicts are the changes it did not take: the row changed on the server since the replica
	// last saw it (or a new row's key or name is another's now). They stay in the replica, to be
	// sent again once resolved; nothing of either side is lost.
	Conflicts []Conflict
	// Dropped are the replica's deletions of rows changed on the server since: the server's row
	// stays, and comes back into the replica with the next pull.
	Dropped []Conflict
	// Refused are the changes the member's role may not make (a reader's edits): they stay in
	// the replica, neither sent nor dropped. Refusal says so.
	Refused []Conflict
	Member  string // the role the server knows the replica's member as
	// Mark marks the changes the push read (storage.Changes.Mark), in its last round: Discard
	// given it lets go of the changes refused, and of none listed since.
	Mark storage.ChangesMark
	// Renamed are the replica's entries, saved searches and collections whose key or name
	// another member gave one of theirs at the same time, and sent first: the replica's took
	// the next free one (renameTaken), and were sent under it.
	Renamed []Renamed
}

// ErrReadOnly is what Pushed.Refusal's error matches: the member may only read the shared
// library, and the server refused their changes.
var ErrReadOnly = errors.New("you may only read this shared library")

// Refusal returns nil when the server refused nothing, else an error that names the member's
// role and the changes refused (the first few of them), which stay in the replica.
func (p Pushed) Refusal() error {
	if len(p.Refused) == 0 {
		return nil
	}
	const shown = 10
	names := make([]string, 0, shown)
	for _, c := range p.Refused[:min(len(p.Refused), shown)] {
		names = append(names, c.String())
	}
	more := ""
	if n := len(p.Refused) - shown; n > 0 {
		more = fmt.Sprintf(" and %d more", n)
	}
	return fmt.Errorf("%w (role %s): not sent: %s%s; they stay in this replica (the library's owner grants editing)",
		ErrReadOnly, p.Member, strings.Join(names, ", "), more)
}

// Conflict names a change the server did not take.
type Conflict struct {
	// Kind is entry, note, tag, collection, saved_search, item, source or attachment; a change
	// Refused may also be of flags, of a link (linkNames) or a deletion.
	Kind string
	ID   storage.GlobalID // the row's (a note's entry's)
	What string           // its key or name, for people (a note's entry's key)
	// Theirs is the key or name the server has for the row, when it is not What: another
	// member renamed it (a conflict over a tag's or a collection's name).
	Theirs string
}

// String names the change for people: its kind and its key or name, else its id.
func (c Conflict) String() string {
	kind := strings.ReplaceAll(c.Kind, "_", " ")
	if c.What != "" {
		return fmt.Sprintf("the %s %q", kind, c.What)
	}
	return fmt.Sprintf("the %s %v", kind, c.ID)
}

// Push sends the replica's changes not sent yet to its shared library, in one transaction under
// the write lock: a new row is inserted, a changed one updated on the condition that the server
// still has the revision the replica last saw of it (optimistic concurrency), a link added or
// removed, a deletion made a tombstone on the same condition. What the server took is then
// recorded in the replica (storage.Library.Sent). An entry, a saved search or a collection the
// server refused for a key or name another row has there now (another member gave one of theirs
// the same at once) is renamed in the replica (renameTaken: the entry's key gets a letter, as an
// import's clashing key does) and sent again: Pushed.Renamed says so.
func Push(ctx context.Context, srv *Server, lib *storage.Library) (Pushed, error) {
	r, ok, err := lib.Replica(ctx)
	if err != nil {
		return Pushed{}, err
	}
	if !ok {
		return Pushed{}, fmt.Errorf("%s is a library of its own, not a replica of %s", lib.Path(), srv)
	}
	if n, err := lib.Unsent(ctx); err != nil || n == 0 {
		return Pushed{}, err
	}
	conn, err := srv.connect(ctx)
	if err != nil {
		return Pushed{}, unreachable(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := useSchema(ctx, conn, false); err != nil {
		return Pushed{}, fmt.Errorf("push to %s: %w", srv, lost(conn, err))
	}
	out := Pushed{Member: r.Member}
	// Each round sends what the replica has to send then, and renames what it found taken; a
	// name taken again meanwhile (another member's push between the two) is renamed again, a
	// few times at most. The last round says what stays: each sends every change left again.
	for round := 0; ; round++ {
		var taken []Conflict
		once := Pushed{Member: r.Member}
		entries, err := pushOnce(ctx, conn, srv, lib, r, &once, &taken)
		if err != nil {
			return Pushed{}, err
		}
		out.Sent += once.Sent
		out.Dropped = append(out.Dropped, once.Dropped...)
		out.Conflicts, out.Refused, out.Mark = once.Conflicts, once.Refused, once.Mark
		if len(taken) == 0 {
			return out, nil
		}
		var renamed []Renamed
		if round < maxRenameRounds {
			before := map[storage.GlobalID]string{}
			for _, r := range out.Renamed {
				before[r.ID] = r.Old
			}
			var err error
			renamed, taken, err = renameTaken(ctx, conn, lib, taken, entries, before)
			// Kept until the member has read them: the window says them again until then, also
			// those of the push at its close, at the next open. Those made before an error too:
			// the replica has them, and the next push sends them with nothing taken to say so.
			if nerr := lib.NoteRenames(ctx, renamed); nerr != nil {
				return Pushed{}, fmt.Errorf("push to %s: %w", srv, errors.Join(lost(conn, err), nerr))
			}
			if err != nil {
				return Pushed{}, fmt.Errorf("push to %s: %w", srv, lost(conn, err))
			}
		}
		out.Renamed = joinRenamed(out.Renamed, renamed)
		if len(renamed) == 0 {
			out.Conflicts = append(out.Conflicts, taken...)
			return out, nil
		}
	}
}

// joinRenamed adds the renames of a round to those of the rounds before: a row renamed again
// (its new name taken meanwhile too) is told once, from its first name to its last.
func joinRenamed(out, round []Renamed) []Renamed {
	for _, r := range round {
		i := slices.IndexFunc(out, func(o Renamed) bool { return o.ID == r.ID })
		if i < 0 {
			out = append(out, r)
			continue
		}
		out[i].New, out[i].Seq = r.New, r.Seq
		out[i].Notes = append(out[i].Notes, r.Notes...)
	}
	return out
}

// maxRenameRounds bounds the pushes again after renaming rows whose key or name was taken.
const maxRenameRounds = 3

// pushOnce sends the changes the replica has now, in one transaction on conn, adding what came
// of it to out; taken receives the rows of the kinds renamable whose key or name another row has
// on the server, which out does not count as conflicts. It returns the ids of the entries whose
// changes it read, sent or not: those renameTaken has follow a key it renames.
//
// The transaction is sent inside the replica's read of the changes (storage.Library.Changes),
// which stays open until the server has committed it or given up: the entries and notes are
// read from it a batch at a time as they are sent, so that a push holds a batch of them and the
// little that names each change (its seq, row, revision), not every row it sends. The window
// writes to the replica meanwhile; what it changes then is sent by the next push.
func pushOnce(ctx context.Context, conn *pgx.Conn, srv *Server, lib *storage.Library, r storage.Replica, out *Pushed, taken *[]Conflict) ([]storage.GlobalID, error) {
	var entries []storage.GlobalID
	var sendErr error
	c, err := lib.Changes(ctx, func(c *storage.Changes) error {
		if c.Len() == 0 {
			return nil
		}
		out.Mark = c.Mark
		entries = make([]storage.GlobalID, len(c.Entries))
		for i, e := range c.Entries {
			entries[i] = e.Row.ID
		}
		sent := out.Sent
		sendErr = inTx(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT lock_writes()`); err != nil {
				return err
			}
			var id storage.GlobalID
			if err := tx.QueryRow(ctx, `SELECT id FROM library`).Scan(gid(&id)); err != nil {
				return err
			}
			if id != r.Library {
				return fmt.Errorf("%w: %s is of the shared library %v, and %s holds %v now", ErrOtherLibrary, lib.Path(), r.Library, srv, id)
			}
			p := pusher{ctx: ctx, tx: tx, lib: lib, out: out, taken: taken, waiting: map[storage.GlobalID]bool{}, adopted: map[storage.GlobalID]storage.GlobalID{}}
			if err := p.push(c); err != nil || out.Sent == sent {
				return err
			}
			// The replicas listening (Live) learn that something changed as this commits, and pull.
			_, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, NotifyChannel)
			return err
		})
		return sendErr
	})
	switch {
	case sendErr != nil:
		return nil, fmt.Errorf("push to %s: %w", srv, explainPrivilege(lost(conn, sendErr)))
	case err != nil || c.Len() == 0:
		return nil, err
	}
	return entries, lib.Sent(ctx, c)
}

// pusher sends changes in one transaction.
type pusher struct {
	ctx context.Context
	tx  pgx.Tx
	lib *storage.Library // the replica
	out *Pushed
	// taken receives the rows of the kinds renamable refused for a key or name another row
	// has (renameTaken renames them).
	taken *[]Conflict
	// waiting are the rows renameTaken is to rename before they are sent: what hangs on them
	// (an entry's attachments, flags, note and links) waits with them.
	waiting map[storage.GlobalID]bool
	// adopted are the ids of the tags, collections, saved searches and attachments the
	// server has under other ids (adoptTag, mergeTag, adoptCollection, adoptSavedSearch,
	// adoptAttachment): what is sent after them names those.
	adopted map[storage.GlobalID]storage.GlobalID
}

// push sends every change of c, each kind after those it may name.
func (p pusher) push(c *storage.Changes) error {
	for i := range c.Sources {
		r := &c.Sources[i].Row
		if err := p.row(&c.Sources[i].Sent, "source", r.ID, r.Name, r.Rev, "sources", []string{"name", "imported"}, r.Name, r.Imported); err != nil {
			return err
		}
	}
	for i := range c.Items {
		r := &c.Items[i].Row
		if err := p.row(&c.Items[i].Sent, "item", r.ID, r.Name, r.Rev, "items",
			[]string{"kind", "name", "source", "origin", "source_id", "expansion", "context"},
			r.Kind, r.Name, r.Source, r.Origin, pgUUID(r.SourceID), r.Expansion, pgText(r.Context)); err != nil {
			return err
		}
	}
	for i := range c.Tags {
		r := &c.Tags[i].Row
		if adopted, err := p.adoptTag(&c.Tags[i]); err != nil {
			return err
		} else if adopted {
			continue
		}
		if merged, err := p.mergeTag(&c.Tags[i]); err != nil {
			return err
		} else if merged {
			continue
		}
		if err := p.row(&c.Tags[i].Sent, "tag", r.ID, r.Name, r.Rev, "tags", []string{"name", "colour"}, r.Name, r.Colour); err != nil {
			return err
		}
	}
	// New collections the server has already, first: a child names its parent by the id the
	// server has (one adopted may be the parent of another, in any order of the two).
	adopted := make([]bool, len(c.Collections))
	for more := true; more; {
		more = false
		for i := range c.Collections {
			if adopted[i] {
				continue
			}
			ok, err := p.adoptCollection(&c.Collections[i])
			if err != nil {
				return err
			}
			adopted[i], more = ok, more || ok
		}
	}
	// The others, each after its parent when that is sent too: a child of one refused for its
	// name (which renameTaken renames) waits with it.
	index := make(map[storage.GlobalID]int, len(c.Collections))
	for i := range c.Collections {
		index[c.Collections[i].Row.ID] = i
	}
	done := adopted
	for more := true; more; {
		more = false
		for i := range c.Collections {
			r := &c.Collections[i].Row
			if j, ok := index[r.Parent]; done[i] || ok && !done[j] {
				continue
			}
			done[i], more = true, true
			if p.waiting[r.Parent] {
				p.waiting[r.ID] = true
				continue
			}
			if err := p.row(&c.Collections[i].Sent, "collection", r.ID, r.Name, r.Rev, "collections", []string{"parent_id", "name", "position"},
				pgUUID(p.id(r.Parent)), r.Name, r.Position); err != nil {
				return err
			}
		}
	}
	for i := range c.SavedSearches {
		// A filter names a collection adopted above by the server's id.
		var err error
		if c.SavedSearches[i].Row, err = c.SavedSearches[i].Row.Following(p.id); err != nil {
			return err
		}
		r := &c.SavedSearches[i].Row
		if adopted, err := p.adoptSavedSearch(&c.SavedSearches[i]); err != nil {
			return err
		} else if adopted {
			continue
		}
		if err := p.row(&c.SavedSearches[i].Sent, "saved_search", r.ID, r.Name, r.Rev, "saved_searches", []string{"name", "query", "filter"},
			r.Name, r.Query, r.Filter); err != nil {
			return err
		}
	}
	// New entries (an import's) in batches first: the key of one the server takes at once is
	// no other's in the replica, so no change of another entry before it could have taken it.
	// Those it does not take are sent one by one, in their order. Their rows are read from the
	// replica a batch at a time (eachRow).
	var fresh, rest []*storage.Change[storage.RowRef]
	for i := range c.Entries {
		if c.Entries[i].Row.Rev == 0 {
			fresh = append(fresh, &c.Entries[i])
		}
	}
	newEntries := p.newRows("entries", entryColumns)
	if err := eachRow(fresh, c.EntryRows, func(ch *storage.Change[storage.RowRef], r *storage.SharedEntry) error {
		return newEntries.add(&ch.Sent, r.ID, entryValues(r)...)
	}); err != nil {
		return err
	}
	if err := newEntries.flush(); err != nil {
		return err
	}
	for i := range c.Entries {
		if !newEntries.inserted[c.Entries[i].Row.ID] {
			rest = append(rest, &c.Entries[i])
		}
	}
	if err := eachRow(rest, c.EntryRows, func(ch *storage.Change[storage.RowRef], r *storage.SharedEntry) error {
		return p.row(&ch.Sent, "entry", r.ID, r.Key, r.Rev, "entries", entryColumns, entryValues(r)...)
	}); err != nil {
		return err
	}
	for i := range c.Attachments {
		r := &c.Attachments[i].Row
		if p.waiting[r.Entry] {
			continue
		}
		if adopted, err := p.adoptAttachment(&c.Attachments[i]); err != nil {
			return err
		} else if adopted {
			continue
		}
		if err := p.row(&c.Attachments[i].Sent, "attachment", r.ID, r.Path, r.Rev, "attachments", []string{"entry_id", "path", "added"},
			pgUUID(r.Entry), r.Path, r.Added); err != nil {
			return err
		}
	}
	for i := range c.Marks {
		r := &c.Marks[i].Row
		if p.waiting[r.Entry] {
			continue
		}
		// A member's own flags: the last write wins. An entry deleted on the server keeps none.
		if refused, err := p.returning(&c.Marks[i].Sent, `INSERT INTO marks (entry_id, read, starred, rating)
			SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM entries WHERE id = $1 AND NOT deleted)
			ON CONFLICT (entry_id, member) DO UPDATE SET read = excluded.read, starred = excluded.starred, rating = excluded.rating
			RETURNING rev`, pgUUID(r.Entry), r.Read, r.Starred, r.Rating); err != nil {
			return err
		} else if refused {
			p.refuse("flags", r.Entry, p.name("entries", r.Entry))
		} else if c.Marks[i].Sent == 0 {
			c.Marks[i].Sent = -1 // nothing to keep them for
		}
	}
	var notes []*storage.Change[storage.RowRef]
	for i := range c.Notes {
		if !p.waiting[c.Notes[i].Row.ID] {
			notes = append(notes, &c.Notes[i])
		}
	}
	if err := eachRow(notes, c.NoteRows, func(ch *storage.Change[storage.RowRef], r *storage.SharedNote) error {
		// A note the replica never saw on the server (Rev 0) may replace only a deleted one; one
		// the server has as it is sent it took already (row says when).
		if refused, err := p.returning(&ch.Sent, `INSERT INTO notes (entry_id, body, modified) VALUES ($1, $2, $3)
			ON CONFLICT (entry_id) DO UPDATE SET body = excluded.body, modified = excluded.modified, deleted = false
			WHERE notes.rev = $4 OR notes.deleted AND $4 = 0 OR NOT notes.deleted AND notes.body = $2 AND notes.modified = $3
			RETURNING rev`, pgUUID(r.Entry), r.Body, r.Modified, r.Rev); err != nil {
			return err
		} else if refused {
			p.refuse("note", r.Entry, p.name("entries", r.Entry))
		} else if ch.Sent == 0 {
			p.conflict("note", r.Entry, p.name("entries", r.Entry))
		}
		return nil
	}); err != nil {
		return err
	}
	links := p.linkBatches()
	for i := range c.Links {
		if l := c.Links[i].Row; p.waiting[l.A] || p.waiting[l.B] {
			continue
		}
		if err := links.add(&c.Links[i]); err != nil {
			return err
		}
	}
	if err := links.flush(); err != nil {
		return err
	}
	for i := range c.Deleted {
		if err := p.delete(&c.Deleted[i]); err != nil {
			return err
		}
	}
	return nil
}

// eachRow calls fn with each change of changes and its whole row, which read reads from the
// replica (storage.Changes.EntryRows, NoteRows) batchRows at a time: a push holds one batch of
// rows, not every row it sends.
func eachRow[T any](changes []*storage.Change[storage.RowRef], read func([]*storage.Change[storage.RowRef]) ([]T, error), fn func(*storage.Change[storage.RowRef], *T) error) error {
	for len(changes) > 0 {
		batch := changes[:min(len(changes), batchRows)]
		rows, err := read(batch)
		if err != nil {
			return err
		}
		for i, ch := range batch {
			if err := fn(ch, &rows[i]); err != nil {
				return err
			}
		}
		changes = changes[len(batch):]
	}
	return nil
}

// entryColumns are the columns of an entry a replica sends.
var entryColumns = []string{"key", "type", "fields", "source", "abstract", "title", "authors", "first_author", "year", "venue",
	"keywords", "origin", "created", "modified", "trashed", "doi", "arxiv", "isbn", "title_key", "source_id", "context"}

// entryValues are the values of entryColumns of the entry r.
func entryValues(r *storage.SharedEntry) []any {
	return []any{r.Key, r.Type, r.Fields, r.Source, r.Abstract, r.Title, r.Authors, r.FirstAuthor, r.Year, r.Venue, r.Keywords,
		r.Origin, r.Created, r.Modified, pgInt8(r.Trashed), r.DOI, r.ArXiv, r.ISBN, r.TitleKey, pgUUID(r.SourceID), pgText(r.Context)}
}

// row sends a row of table (of kind, named what for people) with the values vals of cols: an
// insert of a row the server never had (rev 0), else an update on the condition that its
// revision is still rev. It sets sent to the revision the server gave the row, or records a
// conflict.
func (p pusher) row(sent *int64, kind string, id storage.GlobalID, what string, rev int64, table string, cols []string, vals ...any) error {
	args := append([]any{pgUUID(id)}, vals...)
	var query string
	if rev == 0 {
		// The id is new: the server has a row of it only when the replica sent it before and
		// did not learn that it was taken (a push cut short after its commit).
		set := make([]string, len(cols))
		for i, c := range cols {
			set[i] = c + " = excluded." + c
		}
		query = `INSERT INTO ` + table + ` (id, ` + strings.Join(cols, ", ") + `) VALUES ($1` + params(2, len(cols)) + `)
			ON CONFLICT (id) DO UPDATE SET ` + strings.Join(set, ", ") + ` RETURNING rev`
	} else {
		// A server that has the row as it is sent took it already: a push whose commit the
		// replica did not learn of (it was killed, or lost the connection, before it recorded
		// it) sends it again, which is not a conflict with itself.
		set, same := make([]string, len(cols)), make([]string, len(cols))
		for i, c := range cols {
			set[i] = fmt.Sprintf("%s = $%d", c, i+2)
			same[i] = fmt.Sprintf("%s IS NOT DISTINCT FROM $%d", c, i+2)
		}
		query = `UPDATE ` + table + ` SET ` + strings.Join(set, ", ") + fmt.Sprintf(` WHERE id = $1 AND NOT deleted AND (rev = $%d OR %s) RETURNING rev`,
			len(cols)+2, strings.Join(same, " AND "))
		args = append(args, rev)
	}
	switch w, err := p.write(sent, query, args...); {
	case err != nil:
		return err
	case w == refusedRow:
		p.refuse(kind, id, what)
	case w == takenName && renamable[kind]:
		*p.taken = append(*p.taken, Conflict{Kind: kind, ID: id, What: what})
		p.waiting[id] = true
	case *sent == 0:
		p.conflict(kind, id, what)
		// A tag's or a collection's name, or an entry's key, changed on both sides: the server's
		// is said beside this replica's.
		if theirs := p.name(table, id); theirs != what && len(p.out.Conflicts) > 0 {
			p.out.Conflicts[len(p.out.Conflicts)-1].Theirs = theirs
		}
	}
	return nil
}

// renamable are the kinds of rows that renameTaken renames when the server refuses them for a
// key or name another row has: entries, saved searches, and collections renamed or moved to a
// sibling's name. (New tags, and new collections in one parent, of one name are one: adoptTag,
// adoptCollection; a tag renamed to another's name is merged into it: mergeTag.)
var renamable = map[string]bool{"entry": true, "saved_search": true, "collection": true}

// params returns ", $from, ..., $(from+n-1)".
func params(from, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, ", $%d", from+i)
	}
	return b.String()
}

// returning runs a statement that returns the revision of the row it wrote, in a savepoint:
// sent is that revision, or 0 when it wrote none or a unique constraint refused the row (a key
// or name another row has now). refused says that the member's role may not write it.
func (p pusher) returning(sent *int64, query string, args ...any) (refused bool, err error) {
	w, err := p.write(sent, query, args...)
	return w == refusedRow, err
}

// written says what came of a statement write ran.
type written int

const (
	wrote      written = iota // the row was written, or there was none to write (sent says)
	takenName                 // a unique constraint refused it: a key or name another row has
	refusedRow                // the member's role may not write it
)

// write runs a statement that returns the revision of the row it wrote, in a savepoint, as
// returning does, and says what came of it.
func (p pusher) write(sent *int64, query string, args ...any) (written, error) {
	sp, err := p.tx.Begin(p.ctx)
	if err != nil {
		return wrote, err
	}
	err = sp.QueryRow(p.ctx, query, args...).Scan(sent)
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		*sent = 0
	case errors.As(err, &pe) && pe.Code == "23505": // unique_violation
		*sent = 0
		return takenName, sp.Rollback(p.ctx)
	case errors.As(err, &pe) && pe.Code == "42501": // insufficient_privilege: a reader's edit
		*sent = 0
		return refusedRow, sp.Rollback(p.ctx)
	case err != nil:
		return wrote, errors.Join(err, sp.Rollback(p.ctx))
	}
	if *sent > 0 {
		p.out.Sent++
	}
	return wrote, sp.Commit(p.ctx)
}

func (p pusher) conflict(kind string, id storage.GlobalID, what string) {
	p.out.Conflicts = append(p.out.Conflicts, Conflict{Kind: kind, ID: id, What: what})
}

// refuse records a change the member's role may not make: it stays in the replica.
func (p pusher) refuse(kind string, id storage.GlobalID, what string) {
	p.out.Refused = append(p.out.Refused, Conflict{Kind: kind, ID: id, What: what})
}

// nameColumns are the columns that name a row of each table for people.
var nameColumns = map[string]string{"entries": "key", "tags": "name", "collections": "name", "saved_searches": "name",
	"sources": "name", "items": "name", "attachments": "path", "notes": "(SELECT key FROM entries WHERE id = entry_id)"}

// name returns the key or name the server has for the row id of table, for a refusal's
// message, or "" when it has none (a row never sent).
func (p pusher) name(table string, id storage.GlobalID) string {
	col, idCol := nameColumns[table], "id"
	if table == "notes" {
		idCol = "entry_id"
	}
	var name string
	if col == "" || p.tx.QueryRow(p.ctx, `SELECT `+col+` FROM `+table+` WHERE `+idCol+` = $1`, pgUUID(id)).Scan(&name) != nil {
		return ""
	}
	return name
}

// linkColumns are the columns of the two rows each kind of link joins.
var linkColumns = map[string][2]string{"entry_tags": {"entry_id", "tag_id"}, "collection_entries": {"collection_id", "entry_id"},
	"not_duplicates": {"a", "b"}}

// linkTargets are the tables of the two rows each kind of link joins.
var linkTargets = map[string][2]string{"entry_tags": {"entries", "tags"}, "collection_entries": {"collections", "entries"},
	"not_duplicates": {"entries", "entries"}}

// adoptTag makes a new tag of the replica's the one the server has of the same name (ASCII
// letters in any case), made on another replica since this one last pulled: a tag is its
// name, and two members who tag with one name at once mean one tag. The server's tag takes
// this replica's spelling and colour, the last write winning as it does for links, and the
// replica's tag takes the server's id (Change.Adopted). It reports whether there was one.
func (p pusher) adoptTag(ch *storage.Change[storage.SharedTag]) (bool, error) {
	r := &ch.Row
	return p.adopt("tag", r.Rev, r.ID, &ch.Sent, &ch.Adopted, `UPDATE tags SET name = $2, colour = $3
		WHERE fold(name) = fold($2) AND NOT deleted AND id <> $1 RETURNING id, rev`, pgUUID(r.ID), r.Name, r.Colour)
}

// mergeTag merges a tag the replica renamed into the one the server has of the new name (ASCII
// letters in any case), made or renamed so on another replica since this one last pulled, as
// storage.Library.RenameTag merges a tag renamed to another's name: the server's tag gains the
// renamed one's entries, and the renamed one becomes a tombstone. The server's tag takes this
// replica's spelling and colour, as adoptTag's does, and the replica's tag its id. It reports
// whether it merged: not when the tag is new, its name is no other's, or it changed on the
// server since (a conflict, which row reports). A replica that has the other tag already (under
// another name, renamed on the server since) makes its two one as it records the push
// (storage.Library.Sent).
func (p pusher) mergeTag(ch *storage.Change[storage.SharedTag]) (bool, error) {
	r := &ch.Row
	if r.Rev == 0 {
		return false, nil
	}
	sp, err := p.tx.Begin(p.ctx)
	if err != nil {
		return false, err
	}
	var other storage.GlobalID
	merge := func() error {
		err := sp.QueryRow(p.ctx, `SELECT id FROM tags WHERE fold(name) = fold($2) AND NOT deleted AND id <> $1
			AND EXISTS (SELECT 1 FROM tags WHERE id = $1 AND rev = $3 AND NOT deleted)`, pgUUID(r.ID), r.Name, r.Rev).Scan(gid(&other))
		if err != nil {
			return err
		}
		if _, err := sp.Exec(p.ctx, `INSERT INTO entry_tags (entry_id, tag_id, deleted)
			SELECT entry_id, $2, false FROM entry_tags WHERE tag_id = $1 AND NOT deleted
			ON CONFLICT (entry_id, tag_id) DO UPDATE SET deleted = false`, pgUUID(r.ID), pgUUID(other)); err != nil {
			return err
		}
		if _, err := sp.Exec(p.ctx, `UPDATE tags SET deleted = true WHERE id = $1`, pgUUID(r.ID)); err != nil {
			return err
		}
		return sp.QueryRow(p.ctx, `UPDATE tags SET name = $2, colour = $3 WHERE id = $1 RETURNING rev`,
			pgUUID(other), r.Name, r.Colour).Scan(&ch.Sent)
	}
	err = merge()
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows), errors.As(err, &pe) && pe.Code == "42501": // none, or a reader's: row says
		ch.Sent = 0
		return false, sp.Rollback(p.ctx)
	case err != nil:
		return false, errors.Join(err, sp.Rollback(p.ctx))
	}
	ch.Adopted, p.adopted[r.ID] = other, other
	p.out.Sent++
	return true, sp.Commit(p.ctx)
}

// adoptCollection makes a new collection of the replica's the one the server has of the same
// name in the same parent, as adoptTag does a tag: two members who make a collection of one
// name at once mean one, and keep the entries each put in it.
func (p pusher) adoptCollection(ch *storage.Change[storage.SharedCollection]) (bool, error) {
	r := &ch.Row
	return p.adopt("collection", r.Rev, r.ID, &ch.Sent, &ch.Adopted, `UPDATE collections SET name = $3, position = $4
		WHERE coalesce(parent_id, '00000000-0000-0000-0000-000000000000') = coalesce($2::uuid, '00000000-0000-0000-0000-000000000000')
			AND fold(name) = fold($3) AND NOT deleted AND id <> $1 RETURNING id, rev`,
		pgUUID(r.ID), pgUUID(p.id(r.Parent)), r.Name, r.Position)
}

// adoptSavedSearch makes a new saved search of the replica's the one the server has of the same
// name (ASCII letters in any case) and the same search (query and filter): two members who save
// one search under one name at once mean one. One of the name that searches otherwise is
// another search: the server refuses it, and renameTaken gives it a name of its own.
func (p pusher) adoptSavedSearch(ch *storage.Change[storage.SharedSavedSearch]) (bool, error) {
	r := &ch.Row
	return p.adopt("saved_search", r.Rev, r.ID, &ch.Sent, &ch.Adopted, `UPDATE saved_searches SET name = $2
		WHERE fold(name) = fold($2) AND query = $3 AND filter = $4 AND NOT deleted AND id <> $1 RETURNING id, rev`,
		pgUUID(r.ID), r.Name, r.Query, r.Filter)
}

// adoptAttachment makes a new attachment of the replica's the one the server has of the same
// path to the same entry: two members who attach one file at once attach it once. The server's
// takes this replica's time of adding, the last write winning as for a tag's colour.
func (p pusher) adoptAttachment(ch *storage.Change[storage.SharedAttachment]) (bool, error) {
	r := &ch.Row
	return p.adopt("attachment", r.Rev, r.ID, &ch.Sent, &ch.Adopted, `UPDATE attachments SET added = $4
		WHERE entry_id = $2 AND path = $3 AND NOT deleted AND id <> $1 RETURNING id, rev`,
		pgUUID(r.ID), pgUUID(r.Entry), r.Path, r.Added)
}

// adopt runs query, which updates the row of the server's that a new row id of the replica's
// (rev 0, of kind) is and returns its id and revision, in a savepoint. It sets sent and adopted,
// and reports whether there was such a row. A row the replica has already (under another name,
// renamed on the server since it last pulled) is not adopted unless the replica makes the two
// one (storage.MergesAdopted): the server refuses the new row for its name, and renameTaken
// gives it another.
func (p pusher) adopt(kind string, rev int64, id storage.GlobalID, sent *int64, adopted *storage.GlobalID, query string, args ...any) (bool, error) {
	if rev != 0 {
		return false, nil
	}
	sp, err := p.tx.Begin(p.ctx)
	if err != nil {
		return false, err
	}
	var server storage.GlobalID
	err = sp.QueryRow(p.ctx, query, args...).Scan(gid(&server), sent)
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows), errors.As(err, &pe) && pe.Code == "42501": // none, or a reader's: row refuses it
		*sent = 0
		return false, sp.Rollback(p.ctx)
	case err != nil:
		return false, errors.Join(err, sp.Rollback(p.ctx))
	}
	if !storage.MergesAdopted(kind) {
		_, err := p.lib.LocalID(p.ctx, kind, server)
		switch {
		case err == nil:
			*sent = 0
			return false, sp.Rollback(p.ctx)
		case !errors.Is(err, fs.ErrNotExist):
			return false, errors.Join(err, sp.Rollback(p.ctx))
		}
	}
	*adopted, p.adopted[id] = server, server
	p.out.Sent++
	return true, sp.Commit(p.ctx)
}

// id returns the id the server has for the replica's row id: another when it was adopted.
func (p pusher) id(id storage.GlobalID) storage.GlobalID {
	if server, ok := p.adopted[id]; ok {
		return server
	}
	return id
}

// linkNames name each kind of link for people, with the row its first column names.
var linkNames = map[string]string{"entry_tags": "tags of the entry", "collection_entries": "entries of the collection",
	"not_duplicates": "pairs not duplicates of the entry"}

// link adds or removes a link: the last write wins. A link to a row deleted on the server is
// dropped: the row took its links with it.
func (p pusher) link(ch *storage.Change[storage.SharedLink]) error {
	l := ch.Row
	cols, targets := linkColumns[l.Kind], linkTargets[l.Kind]
	if cols[0] == "" {
		return fmt.Errorf("a link of the unknown kind %q", l.Kind)
	}
	pair := p.pair(l)
	a, b := pair[0], pair[1]
	refused, err := p.returning(&ch.Sent, `INSERT INTO `+l.Kind+` (`+cols[0]+`, `+cols[1]+`, deleted)
		SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM `+targets[0]+` WHERE id = $1 AND NOT deleted)
			AND EXISTS (SELECT 1 FROM `+targets[1]+` WHERE id = $2 AND NOT deleted)
		ON CONFLICT (`+cols[0]+`, `+cols[1]+`) DO UPDATE SET deleted = excluded.deleted RETURNING rev`,
		pgUUID(a), pgUUID(b), !l.Present)
	if err != nil {
		return err
	}
	if refused {
		p.refuse(linkNames[l.Kind], a, p.name(targets[0], a))
	} else if ch.Sent == 0 {
		ch.Sent = -1 // dropped
	}
	return nil
}

// deleteTables are the tables of the kinds of deletions, and their id columns.
var deleteTables = map[string][2]string{"source": {"sources", "id"}, "item": {"items", "id"}, "entry": {"entries", "id"},
	"tag": {"tags", "id"}, "collection": {"collections", "id"}, "saved_search": {"saved_searches", "id"},
	"attachment": {"attachments", "id"}, "note": {"notes", "entry_id"}}

// delete makes a row deleted in the replica a tombstone, on the condition that the server still
// has the revision the replica last saw of it; a row changed on the server since stays there
// (Pushed.Dropped), and one deleted there already needs nothing more.
func (p pusher) delete(ch *storage.Change[storage.SharedDeletion]) error {
	d := ch.Row
	t, ok := deleteTables[d.Kind]
	if !ok {
		return fmt.Errorf("a deletion of the unknown kind %q", d.Kind)
	}
	refused, err := p.returning(&ch.Sent, `UPDATE `+t[0]+` SET deleted = true WHERE `+t[1]+` = $1 AND rev = $2 AND NOT deleted RETURNING rev`,
		pgUUID(d.ID), d.Rev)
	if err != nil {
		return err
	}
	if refused {
		p.refuse("deletion of the "+d.Kind, d.ID, p.name(deleteTables[d.Kind][0], d.ID))
	} else if ch.Sent == 0 {
		ch.Sent = -1 // done either way: it is deleted there already, or the server's change wins
		var deleted bool
		if err := p.tx.QueryRow(p.ctx, `SELECT deleted FROM `+t[0]+` WHERE `+t[1]+` = $1`, pgUUID(d.ID)).Scan(&deleted); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		} else if err == nil && !deleted {
			p.out.Dropped = append(p.out.Dropped, Conflict{Kind: d.Kind, ID: d.ID})
		}
	}
	return nil
}
