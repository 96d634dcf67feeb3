package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// The rows of a library as a shared library keeps them: the library's own rows, column for
// column, with every row named by its GlobalID and every reference to another row by that row's
// (a zero GlobalID for none). Rev is the server's revision of the row: as the server gave it, or,
// read from a library (ReadShared), as the library last saw it (0: never). A stream of rows of
// one kind comes in the library's order (its ids' order), which a replica keeps: the order of
// entries, @string items and tags is the order exports write them in. Ord, of the rows of the
// kinds the library orders (order.go), is the server's place of the row in that order (its ord
// column), which a replica keeps; 0 when unknown (read from a library).
//
// Which rows are the library's and which a member's own is written down in "Shared libraries"
// (docs/DEVELOPMENT.md): the read, starred and rating flags are a member's (SharedMarks); the
// rest is the library's. Export targets and papers name files on one computer: they stay in
// the library they were made in.

// SharedSource is an import of a file (sources).
type SharedSource struct {
	ID       GlobalID
	Rev      int64
	Name     string
	Imported int64 // Unix milliseconds
}

// SharedItem is an @string, @preamble or @comment (items). Context is its reading context as a
// shared library writes it (@string items named by GlobalID), NULL when an earlier version left
// it unknown.
type SharedItem struct {
	ID                         GlobalID
	Rev, Ord                   int64
	Kind, Name, Source, Origin string
	SourceID                   GlobalID
	Expansion                  string
	Context                    sql.NullString
}

// SharedEntry is an entry (its entries and entry_text rows): Fields is the fields column as the
// library writes it (storage/fields.go), Source its exact text; the list's columns (Title to
// Keywords) and the duplicate finder's (DOI to TitleKey) are those the library computed.
type SharedEntry struct {
	ID                                                 GlobalID
	Rev, Ord                                           int64
	Key, Type                                          string
	Fields, Source, Abstract                           string
	Title, Authors, FirstAuthor, Year, Venue, Keywords string
	Origin                                             string
	Created, Modified                                  int64         // Unix milliseconds
	Trashed                                            sql.NullInt64 // Unix milliseconds
	DOI, ArXiv, ISBN, TitleKey                         string
	SourceID                                           GlobalID
	Context                                            sql.NullString // as SharedItem's
}

// BibEntry returns the entry the row holds, as Library.Entry reads one: its key, type, exact
// source and fields, in either form of the fields column.
func (r *SharedEntry) BibEntry() (*bib.Entry, error) {
	e := &bib.Entry{Key: r.Key, Type: r.Type, Source: r.Source}
	if err := decodeFields(e, r.Fields); err != nil {
		return nil, fmt.Errorf("entry %q: %w", r.Key, err)
	}
	// The server's context names its @string items by GlobalID.
	c, _, err := decodeContextOf[GlobalID](r.Context)
	if err != nil {
		return nil, fmt.Errorf("entry %q: %w", r.Key, err)
	}
	e.Broken, e.Prefix = c.Broken, c.Prefix
	return e, nil
}

// SharedMarks are a member's flags of an entry: those of an entry that has any.
type SharedMarks struct {
	Entry         GlobalID
	Rev           int64
	Read, Starred bool
	Rating        int
}

// SharedNote is an entry's note.
type SharedNote struct {
	Entry    GlobalID
	Rev      int64
	Body     string // Markdown
	Modified int64  // Unix milliseconds
}

// SharedTag is a tag.
type SharedTag struct {
	ID           GlobalID
	Rev, Ord     int64
	Name, Colour string
}

// SharedEntryTag gives an entry a tag.
type SharedEntryTag struct{ Entry, Tag GlobalID }

// SharedCollection is a collection: Parent is zero at the top level.
type SharedCollection struct {
	ID       GlobalID
	Rev, Ord int64
	Parent   GlobalID
	Name     string
	Position int
}

// SharedMembership puts an entry in a collection.
type SharedMembership struct{ Collection, Entry GlobalID }

// SharedSavedSearch is a saved search: Filter is its Filter in JSON, with its collection named by
// GlobalID.
type SharedSavedSearch struct {
	ID                  GlobalID
	Rev                 int64
	Name, Query, Filter string
}

// SharedAttachment is a file attached to an entry: Path is relative to the attachments folder
// (each member has one of their own: a shared drive, a synced folder), with forward slashes, or
// absolute for a file that was outside it.
type SharedAttachment struct {
	ID       GlobalID
	Rev, Ord int64
	Entry    GlobalID
	Path     string
	Added    int64 // Unix milliseconds
}

// SharedNotDuplicate says that two entries are not duplicates of each other.
type SharedNotDuplicate struct{ A, B GlobalID }

// sharedContext is a reading context as a shared library keeps it.
type sharedContext = contextOf[GlobalID]

// sharedFilter is a Filter as a shared library keeps it: its collection, which shadows the
// Filter's own in JSON, named by GlobalID.
type sharedFilter struct {
	Filter
	Collection GlobalID `json:"collection,omitzero"`
}

// mapContext returns the context column col (NULL: unknown) with each @string item renamed by
// to; what names an item to does not know is an error.
func mapContext[A, B any](col sql.NullString, to func(A) (B, bool)) (sql.NullString, error) {
	if !col.Valid || col.String == "" {
		return col, nil
	}
	var c contextOf[A]
	if err := json.Unmarshal([]byte(col.String), &c); err != nil {
		return col, fmt.Errorf("read context: %w", err)
	}
	out := contextOf[B]{Undefined: c.Undefined, Months: c.Months, Broken: c.Broken, Prefix: c.Prefix}
	for _, id := range c.Strings {
		b, ok := to(id)
		if !ok {
			return col, fmt.Errorf("its context names the @string item %v, which the library does not have", id)
		}
		out.Strings = append(out.Strings, b)
	}
	return sql.NullString{String: out.encode(), Valid: true}, nil
}

// SharedSnapshot is a library's rows as a shared library keeps them, read in one read
// transaction: ReadShared gives it to its function, and its iterators may be used until that
// returns. A row the library has not shared yet is given a new GlobalID, which the snapshot
// keeps to itself: the library is only read.
type SharedSnapshot struct {
	ctx context.Context
	tx  *sql.Tx
	// The GlobalIDs of the rows that others name, by id.
	sources, items, entries, tags, collections map[int64]GlobalID
	// changed keeps only the rows replica_changes lists (Changes); batch, when set, only those
	// of these ids (Changes.EntryRows, NoteRows).
	changed bool
	batch   []int64
}

// only returns the SQL condition that keeps the rows whose id (col) replica_changes lists as
// changes of kind, or those of the batch, when the snapshot is of the changes; true otherwise.
func (s *SharedSnapshot) only(kind, col string) string {
	if !s.changed {
		return "1"
	}
	if s.batch != nil {
		ids := make([]string, len(s.batch))
		for i, id := range s.batch {
			ids[i] = strconv.FormatInt(id, 10)
		}
		return col + ` IN (` + strings.Join(ids, ", ") + `)`
	}
	return col + ` IN (SELECT id FROM replica_changes WHERE kind = '` + kind + `')`
}

// ReadShared calls fn with a snapshot of the library's rows as a shared library keeps them.
func (l *Library) ReadShared(ctx context.Context, fn func(*SharedSnapshot) error) error {
	tx, err := l.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("read the library: %w", err)
	}
	defer tx.Rollback()
	s, err := newSnapshot(ctx, tx)
	if err != nil {
		return err
	}
	return fn(s)
}

// newSnapshot returns a snapshot of the library as tx reads it.
func newSnapshot(ctx context.Context, tx *sql.Tx) (*SharedSnapshot, error) {
	s := &SharedSnapshot{ctx: ctx, tx: tx}
	var err error
	for _, m := range []struct {
		table string
		ids   *map[int64]GlobalID
	}{{"sources", &s.sources}, {"items", &s.items}, {"entries", &s.entries}, {"tags", &s.tags}, {"collections", &s.collections}} {
		if *m.ids, err = s.globalIDs(m.table); err != nil {
			return nil, fmt.Errorf("read the library: %s: %w", m.table, err)
		}
	}
	return s, nil
}

// globalIDs returns the GlobalID of each row of table, by id.
func (s *SharedSnapshot) globalIDs(table string) (map[int64]GlobalID, error) {
	rows, err := s.tx.QueryContext(s.ctx, `SELECT id, gid FROM `+table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[int64]GlobalID{}
	for rows.Next() {
		var id int64
		var gid []byte
		if err := rows.Scan(&id, &gid); err != nil {
			return nil, err
		}
		if ids[id], err = globalIDOf(gid); err != nil {
			return nil, err
		}
	}
	return ids, rows.Err()
}

// globalIDOf returns the row's GlobalID from its gid column: a new one when it has none.
func globalIDOf(gid []byte) (GlobalID, error) {
	if gid == nil {
		return NewGlobalID(), nil
	}
	return scanGlobalID(gid)
}

// ref returns the GlobalID of the row id of a map (0: none, the zero GlobalID).
func ref(ids map[int64]GlobalID, what string, id sql.NullInt64) (GlobalID, error) {
	if !id.Valid || id.Int64 == 0 {
		return GlobalID{}, nil
	}
	g, ok := ids[id.Int64]
	if !ok {
		return g, fmt.Errorf("it names %s %d, which the library does not have", what, id.Int64)
	}
	return g, nil
}

// lookup is a map's look-up as a function, for mapContext.
func lookup[K comparable, V any](m map[K]V) func(K) (V, bool) {
	return func(k K) (V, bool) { v, ok := m[k]; return v, ok }
}

// eachRow runs query in the snapshot and yields each row as scan reads it; the first error
// ends it.
func eachRow[T any](s *SharedSnapshot, what, query string, scan func(*sql.Rows) (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		rows, err := s.tx.QueryContext(s.ctx, query)
		if err != nil {
			yield(zero, fmt.Errorf("read %s: %w", what, err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				yield(zero, fmt.Errorf("read %s: %w", what, err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(zero, fmt.Errorf("read %s: %w", what, err))
		}
	}
}

// Sources yields the library's imports of files.
func (s *SharedSnapshot) Sources() iter.Seq2[SharedSource, error] {
	return eachRow(s, "sources", `SELECT id, name, imported, srev FROM sources WHERE `+s.only("source", "id")+` ORDER BY id`, func(rows *sql.Rows) (SharedSource, error) {
		var r SharedSource
		var id int64
		if err := rows.Scan(&id, &r.Name, &r.Imported, &r.Rev); err != nil {
			return r, err
		}
		r.ID = s.sources[id]
		return r, nil
	})
}

// Items yields the library's @string, @preamble and @comment items.
func (s *SharedSnapshot) Items() iter.Seq2[SharedItem, error] {
	return eachRow(s, "items", `SELECT id, kind, name, source, origin, source_id, expansion, context, srev FROM items WHERE `+s.only("item", "id")+` ORDER BY id`, func(rows *sql.Rows) (SharedItem, error) {
		var r SharedItem
		var id int64
		var source sql.NullInt64
		if err := rows.Scan(&id, &r.Kind, &r.Name, &r.Source, &r.Origin, &source, &r.Expansion, &r.Context, &r.Rev); err != nil {
			return r, err
		}
		r.ID = s.items[id]
		var err error
		if r.SourceID, err = ref(s.sources, "source", source); err != nil {
			return r, fmt.Errorf("item %d: %w", id, err)
		}
		if r.Context, err = mapContext(r.Context, lookup(s.items)); err != nil {
			return r, fmt.Errorf("item %d: %w", id, err)
		}
		return r, nil
	})
}

// Entries yields the library's entries, those in the trash too.
func (s *SharedSnapshot) Entries() iter.Seq2[SharedEntry, error] {
	return eachRow(s, "entries", `SELECT e.id, e.key, e.type, t.fields, t.source, t.abstract, e.title, e.authors,
		e.first_author, e.year, e.venue, e.keywords, e.origin, e.created, e.modified, e.trashed, e.doi, e.arxiv,
		e.isbn, e.title_key, e.source_id, e.context, e.srev
		FROM entries e JOIN entry_text t ON t.id = e.id WHERE `+s.only("entry", "e.id")+` ORDER BY e.id`, func(rows *sql.Rows) (SharedEntry, error) {
		var r SharedEntry
		var id int64
		var source sql.NullInt64
		if err := rows.Scan(&id, &r.Key, &r.Type, &r.Fields, &r.Source, &r.Abstract, &r.Title, &r.Authors,
			&r.FirstAuthor, &r.Year, &r.Venue, &r.Keywords, &r.Origin, &r.Created, &r.Modified, &r.Trashed, &r.DOI, &r.ArXiv,
			&r.ISBN, &r.TitleKey, &source, &r.Context, &r.Rev); err != nil {
			return r, err
		}
		r.ID = s.entries[id]
		var err error
		if r.SourceID, err = ref(s.sources, "source", source); err != nil {
			return r, fmt.Errorf("entry %q: %w", r.Key, err)
		}
		if r.Context, err = mapContext(r.Context, lookup(s.items)); err != nil {
			return r, fmt.Errorf("entry %q: %w", r.Key, err)
		}
		return r, nil
	})
}

// Marks yields the flags of the entries that have any (of a snapshot of changes: of those whose
// flags changed).
func (s *SharedSnapshot) Marks() iter.Seq2[SharedMarks, error] {
	where := "read OR starred OR rating <> 0"
	if s.changed {
		where = s.only("marks", "id")
	}
	return eachRow(s, "flags", `SELECT id, read, starred, rating FROM entries WHERE `+where+` ORDER BY id`, func(rows *sql.Rows) (SharedMarks, error) {
		var r SharedMarks
		var id int64
		if err := rows.Scan(&id, &r.Read, &r.Starred, &r.Rating); err != nil {
			return r, err
		}
		r.Entry = s.entries[id]
		return r, nil
	})
}

// Notes yields the entries' notes.
func (s *SharedSnapshot) Notes() iter.Seq2[SharedNote, error] {
	return eachRow(s, "notes", `SELECT n.entry_id, n.body, n.modified, e.note_srev FROM notes n JOIN entries e ON e.id = n.entry_id
		WHERE `+s.only("note", "n.entry_id")+` ORDER BY n.entry_id`, func(rows *sql.Rows) (SharedNote, error) {
		var r SharedNote
		var id sql.NullInt64
		if err := rows.Scan(&id, &r.Body, &r.Modified, &r.Rev); err != nil {
			return r, err
		}
		var err error
		if r.Entry, err = ref(s.entries, "entry", id); err != nil {
			return r, fmt.Errorf("note: %w", err)
		}
		return r, nil
	})
}

// Tags yields the library's tags.
func (s *SharedSnapshot) Tags() iter.Seq2[SharedTag, error] {
	return eachRow(s, "tags", `SELECT id, name, colour, srev FROM tags WHERE `+s.only("tag", "id")+` ORDER BY id`, func(rows *sql.Rows) (SharedTag, error) {
		var r SharedTag
		var id int64
		if err := rows.Scan(&id, &r.Name, &r.Colour, &r.Rev); err != nil {
			return r, err
		}
		r.ID = s.tags[id]
		return r, nil
	})
}

// EntryTags yields which entry has which tag.
func (s *SharedSnapshot) EntryTags() iter.Seq2[SharedEntryTag, error] {
	return eachRow(s, "entry tags", `SELECT entry_id, tag_id FROM entry_tags ORDER BY entry_id, tag_id`, func(rows *sql.Rows) (SharedEntryTag, error) {
		var r SharedEntryTag
		var entry, tag sql.NullInt64
		if err := rows.Scan(&entry, &tag); err != nil {
			return r, err
		}
		var err error
		if r.Entry, err = ref(s.entries, "entry", entry); err != nil {
			return r, err
		}
		if r.Tag, err = ref(s.tags, "tag", tag); err != nil {
			return r, err
		}
		return r, nil
	})
}

// Collections yields the library's collections.
func (s *SharedSnapshot) Collections() iter.Seq2[SharedCollection, error] {
	return eachRow(s, "collections", `SELECT id, parent_id, name, position, srev FROM collections WHERE `+s.only("collection", "id")+` ORDER BY id`, func(rows *sql.Rows) (SharedCollection, error) {
		var r SharedCollection
		var id int64
		var parent sql.NullInt64
		if err := rows.Scan(&id, &parent, &r.Name, &r.Position, &r.Rev); err != nil {
			return r, err
		}
		r.ID = s.collections[id]
		var err error
		if r.Parent, err = ref(s.collections, "collection", parent); err != nil {
			return r, fmt.Errorf("collection %q: %w", r.Name, err)
		}
		return r, nil
	})
}

// Memberships yields which entry is in which collection.
func (s *SharedSnapshot) Memberships() iter.Seq2[SharedMembership, error] {
	return eachRow(s, "collection entries", `SELECT collection_id, entry_id FROM collection_entries ORDER BY collection_id, entry_id`, func(rows *sql.Rows) (SharedMembership, error) {
		var r SharedMembership
		var coll, entry sql.NullInt64
		if err := rows.Scan(&coll, &entry); err != nil {
			return r, err
		}
		var err error
		if r.Collection, err = ref(s.collections, "collection", coll); err != nil {
			return r, err
		}
		if r.Entry, err = ref(s.entries, "entry", entry); err != nil {
			return r, err
		}
		return r, nil
	})
}

// SavedSearches yields the library's saved searches, each filter's collection named by its
// GlobalID (sharedFilterOf).
func (s *SharedSnapshot) SavedSearches() iter.Seq2[SharedSavedSearch, error] {
	return eachRow(s, "saved searches", `SELECT name, query, filter, gid, srev FROM saved_searches WHERE `+s.only("saved_search", "id")+` ORDER BY id`, func(rows *sql.Rows) (SharedSavedSearch, error) {
		var r SharedSavedSearch
		var gid []byte
		if err := rows.Scan(&r.Name, &r.Query, &r.Filter, &gid, &r.Rev); err != nil {
			return r, err
		}
		var err error
		if r.ID, err = globalIDOf(gid); err != nil {
			return r, err
		}
		if r.Filter, err = sharedFilterOf(r.Filter, s.collections); err != nil {
			return r, fmt.Errorf("saved search %q: its filter: %w", r.Name, err)
		}
		return r, nil
	})
}

// Attachments yields the files attached to entries.
func (s *SharedSnapshot) Attachments() iter.Seq2[SharedAttachment, error] {
	return eachRow(s, "attachments", `SELECT entry_id, path, added, gid, srev FROM attachments WHERE `+s.only("attachment", "id")+` ORDER BY id`, func(rows *sql.Rows) (SharedAttachment, error) {
		var r SharedAttachment
		var entry sql.NullInt64
		var gid []byte
		if err := rows.Scan(&entry, &r.Path, &r.Added, &gid, &r.Rev); err != nil {
			return r, err
		}
		var err error
		if r.ID, err = globalIDOf(gid); err != nil {
			return r, err
		}
		if r.Entry, err = ref(s.entries, "entry", entry); err != nil {
			return r, fmt.Errorf("attachment %s: %w", r.Path, err)
		}
		return r, nil
	})
}

// NotDuplicates yields the pairs of entries marked as not duplicates.
func (s *SharedSnapshot) NotDuplicates() iter.Seq2[SharedNotDuplicate, error] {
	return eachRow(s, "pairs not duplicates", `SELECT a, b FROM not_duplicates ORDER BY a, b`, func(rows *sql.Rows) (SharedNotDuplicate, error) {
		var r SharedNotDuplicate
		var a, b sql.NullInt64
		if err := rows.Scan(&a, &b); err != nil {
			return r, err
		}
		var err error
		if r.A, err = ref(s.entries, "entry", a); err != nil {
			return r, err
		}
		if r.B, err = ref(s.entries, "entry", b); err != nil {
			return r, err
		}
		return r, nil
	})
}
