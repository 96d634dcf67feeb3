package shared

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/bibshelf/bibshelf/storage"
)

// Copied says what Copy copied.
type Copied struct {
	Library storage.GlobalID // the new shared library's id
	Entries int64            // entries copied, those in the trash too
	// Members says how the group's admin makes a member a reader or an editor (the roles
	// DATABASE_read and DATABASE_edit), or what is missing for that: grant_members() in
	// migrations/0002_members.sql.
	Members string
}

// Copy copies the library lib to the server srv as a new shared library: every row of it, read
// in one snapshot and written with COPY in one transaction, so that the shared library has all
// of it or nothing. The database must hold no shared library yet (ErrNotEmpty); Copy makes the
// schema when it has none. The copying member's flags become theirs on the server.
//
// lib is only read: it stays a library of its own. Its members open the shared library by its
// URL, which makes a replica of it (Clone).
func Copy(ctx context.Context, lib *storage.Library, srv *Server) (Copied, error) {
	conn, err := srv.connect(ctx)
	if err != nil {
		return Copied{}, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := useSchema(ctx, conn, true); err != nil {
		return Copied{}, fmt.Errorf("copy to %s: %w", srv, err)
	}
	var out Copied
	err = inTx(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT lock_writes()`); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM library`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrNotEmpty
		}
		out.Library = storage.NewGlobalID()
		if _, err := tx.Exec(ctx, `INSERT INTO library (id) VALUES ($1)`, pgUUID(out.Library)); err != nil {
			return err
		}
		if err := lib.ReadShared(ctx, func(s *storage.SharedSnapshot) error {
			var err error
			out.Entries, err = copyRows(ctx, tx, s)
			return err
		}); err != nil {
			return err
		}
		// Statistics of the new rows for the planner, which would otherwise sort the entries
		// for the first replica's reading instead of reading them through their order's index.
		_, err := tx.Exec(ctx, `ANALYZE sources, items, entries, marks, notes, tags, entry_tags, collections,
			collection_entries, saved_searches, attachments, not_duplicates`)
		return err
	})
	if err != nil {
		return Copied{}, fmt.Errorf("copy %s to %s: %w", lib.Path(), srv, explainPrivilege(err))
	}
	// The member roles, made by the schema's migration when this role may make roles; again
	// here, so that a role who made them since the schema was made finds them granted.
	if err := conn.QueryRow(ctx, `SELECT grant_members()`).Scan(&out.Members); err != nil {
		out.Members = fmt.Sprintf("the member roles could not be granted (%v): the owner runs SELECT bibshelf.grant_members()", err)
	}
	return out, nil
}

// copyRows copies the snapshot's rows into the tables of tx and returns the number of entries.
func copyRows(ctx context.Context, tx pgx.Tx, s *storage.SharedSnapshot) (entries int64, err error) {
	if _, err := copyTable(ctx, tx, "sources", []string{"id", "name", "imported"}, s.Sources(),
		func(r *storage.SharedSource) []any { return []any{pgUUID(r.ID), r.Name, r.Imported} }); err != nil {
		return 0, err
	}
	if _, err := copyTable(ctx, tx, "items", []string{"id", "kind", "name", "source", "origin", "source_id", "expansion", "context"}, s.Items(),
		func(r *storage.SharedItem) []any {
			return []any{pgUUID(r.ID), r.Kind, r.Name, r.Source, r.Origin, pgUUID(r.SourceID), r.Expansion, pgText(r.Context)}
		}); err != nil {
		return 0, err
	}
	if _, err := copyTable(ctx, tx, "tags", []string{"id", "name", "colour"}, s.Tags(),
		func(r *storage.SharedTag) []any { return []any{pgUUID(r.ID), r.Name, r.Colour} }); err != nil {
		return 0, err
	}
	if _, err := copyTable(ctx, tx, "collections", []string{"id", "parent_id", "name", "position"}, s.Collections(),
		func(r *storage.SharedCollection) []any {
			return []any{pgUUID(r.ID), pgUUID(r.Parent), r.Name, r.Position}
		}); err != nil {
		return 0, err
	}
	if _, err := copyTable(ctx, tx, "saved_searches", []string{"id", "name", "query", "filter"}, s.SavedSearches(),
		func(r *storage.SharedSavedSearch) []any { return []any{pgUUID(r.ID), r.Name, r.Query, r.Filter} }); err != nil {
		return 0, err
	}
	if entries, err = copyTable(ctx, tx, "entries", []string{"id", "key", "type", "fields", "source", "abstract", "title",
		"authors", "first_author", "year", "venue", "keywords", "origin", "created", "modified", "trashed", "doi", "arxiv",
		"isbn", "title_key", "source_id", "context"}, s.Entries(),
		func(r *storage.SharedEntry) []any {
			return []any{pgUUID(r.ID), r.Key, r.Type, r.Fields, r.Source, r.Abstract, r.Title, r.Authors, r.FirstAuthor, r.Year,
				r.Venue, r.Keywords, r.Origin, r.Created, r.Modified, pgInt8(r.Trashed), r.DOI, r.ArXiv, r.ISBN, r.TitleKey,
				pgUUID(r.SourceID), pgText(r.Context)}
		}); err != nil {
		return 0, err
	}
	if _, err := copyTable(ctx, tx, "marks", []string{"entry_id", "read", "starred", "rating"}, s.Marks(),
		func(r *storage.SharedMarks) []any { return []any{pgUUID(r.Entry), r.Read, r.Starred, r.Rating} }); err != nil {
		return 0, err
	}
	if _, err := copyTable(ctx, tx, "notes", []string{"entry_id", "body", "modified"}, s.Notes(),
		func(r *storage.SharedNote) []any { return []any{pgUUID(r.Entry), r.Body, r.Modified} }); err != nil {
		return 0, err
	}
	if _, err := copyTable(ctx, tx, "entry_tags", []string{"entry_id", "tag_id"}, s.EntryTags(),
		func(r *storage.SharedEntryTag) []any { return []any{pgUUID(r.Entry), pgUUID(r.Tag)} }); err != nil {
		return 0, err
	}
	if _, err := copyTable(ctx, tx, "collection_entries", []string{"collection_id", "entry_id"}, s.Memberships(),
		func(r *storage.SharedMembership) []any { return []any{pgUUID(r.Collection), pgUUID(r.Entry)} }); err != nil {
		return 0, err
	}
	if _, err := copyTable(ctx, tx, "attachments", []string{"id", "entry_id", "path", "added"}, s.Attachments(),
		func(r *storage.SharedAttachment) []any { return []any{pgUUID(r.ID), pgUUID(r.Entry), r.Path, r.Added} }); err != nil {
		return 0, err
	}
	if _, err := copyTable(ctx, tx, "not_duplicates", []string{"a", "b"}, s.NotDuplicates(),
		func(r *storage.SharedNotDuplicate) []any {
			a, b := r.A, r.B
			if bytes.Compare(a[:], b[:]) > 0 { // the server orders a pair by UUID
				a, b = b, a
			}
			return []any{pgUUID(a), pgUUID(b)}
		}); err != nil {
		return 0, err
	}
	return entries, nil
}

// copyTable copies the rows into table with COPY, each row's values for columns given by
// values, and returns how many it copied. The rows are read on a goroutine of their own, ahead
// of the COPY, which takes them from a channel on pgx's goroutine: not through iter.Pull2, whose
// coroutine may be resumed only from a goroutine locked to its thread as the one that made it
// was, and the command line's main goroutine is locked to the main thread (the window's driver
// needs it), where pgx's is not.
func copyTable[T any](ctx context.Context, tx pgx.Tx, table string, columns []string, rows iter.Seq2[T, error], values func(*T) []any) (int64, error) {
	type row struct {
		values []any
		err    error
	}
	ch := make(chan row, 256)
	reading, stop := context.WithCancel(ctx)
	go func() {
		defer close(ch)
		for r, err := range rows {
			next := row{err: err}
			if err == nil {
				next.values = values(&r)
			}
			select {
			case ch <- next:
			case <-reading.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		stop()
		for range ch { // the reading goroutine ends, and its rows are closed, before the next table's
		}
	}()
	n, err := tx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromFunc(func() ([]any, error) {
		r, ok := <-ch
		if !ok {
			return nil, nil
		}
		return r.values, r.err
	}))
	if err != nil {
		return n, fmt.Errorf("copy %s: %w", table, err)
	}
	return n, nil
}

// pgUUID is a GlobalID as a uuid value, NULL for the zero GlobalID.
func pgUUID(g storage.GlobalID) pgtype.UUID { return pgtype.UUID{Bytes: g, Valid: !g.IsZero()} }

func pgText(s sql.NullString) pgtype.Text { return pgtype.Text{String: s.String, Valid: s.Valid} }

func pgInt8(n sql.NullInt64) pgtype.Int8 { return pgtype.Int8{Int64: n.Int64, Valid: n.Valid} }
