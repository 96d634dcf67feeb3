package shared

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/bibshelf/bibshelf/storage"
)

// Clone makes a new replica of the shared library at srv in the library file at path, and
// returns it open: the first sync of a computer. It reads the shared library in one snapshot
// (a read-only transaction) and writes it into the replica in one transaction
// (storage.LoadReplica), with this member's flags. A file at path must be a new library (or
// none: Clone makes it, and removes it again when it fails).
func Clone(ctx context.Context, srv *Server, path string) (_ *storage.Library, err error) {
	conn, err := srv.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := useSchema(ctx, conn, false); err != nil {
		return nil, fmt.Errorf("open %s: %w", srv, err)
	}
	_, statErr := os.Stat(path)
	made := errors.Is(statErr, fs.ErrNotExist)
	lib, err := storage.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err == nil {
			return
		}
		err = errors.Join(err, lib.Close())
		if made {
			err = errors.Join(err, storage.RemoveLibrary(path))
		}
	}()
	tx, err := beginTx(ctx, conn, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", srv, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	r := storage.Replica{Server: srv.String()}
	err = tx.QueryRow(ctx, `SELECT l.id, current_user, `+lastRevision+` FROM library l`).
		Scan(gid(&r.Library), &r.Member, &r.Pulled)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNoLibrary
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", srv, err)
	}
	if err := lib.LoadReplica(ctx, r, func(ld *storage.ReplicaLoad) error { return pull(ctx, tx, ld) }); err != nil {
		return nil, fmt.Errorf("make a replica of %s in %s: %w", srv, path, err)
	}
	return lib, nil
}

// pull reads every row of the shared library, but the deleted, and gives it to ld, in the
// order it takes them.
func pull(ctx context.Context, tx pgx.Tx, ld *storage.ReplicaLoad) error {
	if err := stream(ctx, tx, `SELECT id, rev, name, imported FROM sources WHERE NOT deleted ORDER BY ord`, nil,
		func(rows pgx.Rows, r *storage.SharedSource) error {
			return rows.Scan(gid(&r.ID), &r.Rev, &r.Name, &r.Imported)
		}, byValue(ld.AddSource)); err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	if err := stream(ctx, tx, `SELECT id, rev, ord, kind, name, source, origin, source_id, expansion, context FROM items
		WHERE NOT deleted ORDER BY ord`, nil,
		func(rows pgx.Rows, r *storage.SharedItem) error {
			var source pgtype.UUID
			var rc pgtype.Text
			if err := rows.Scan(gid(&r.ID), &r.Rev, &r.Ord, &r.Kind, &r.Name, &r.Source, &r.Origin, &source, &r.Expansion, &rc); err != nil {
				return err
			}
			r.SourceID, r.Context.String, r.Context.Valid = source.Bytes, rc.String, rc.Valid
			return nil
		}, byValue(ld.AddItem)); err != nil {
		return fmt.Errorf("items: %w", err)
	}
	if err := stream(ctx, tx, `SELECT id, rev, ord, name, colour FROM tags WHERE NOT deleted ORDER BY ord`, nil,
		func(rows pgx.Rows, r *storage.SharedTag) error {
			return rows.Scan(gid(&r.ID), &r.Rev, &r.Ord, &r.Name, &r.Colour)
		}, byValue(ld.AddTag)); err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	var cs []storage.SharedCollection
	if err := stream(ctx, tx, `SELECT id, rev, ord, parent_id, name, position FROM collections WHERE NOT deleted ORDER BY ord`, nil,
		func(rows pgx.Rows, r *storage.SharedCollection) error {
			var parent pgtype.UUID
			if err := rows.Scan(gid(&r.ID), &r.Rev, &r.Ord, &parent, &r.Name, &r.Position); err != nil {
				return err
			}
			r.Parent = parent.Bytes
			return nil
		}, func(r *storage.SharedCollection) error { cs = append(cs, *r); return nil }); err != nil {
		return fmt.Errorf("collections: %w", err)
	}
	if err := ld.AddCollections(cs); err != nil {
		return err
	}
	if err := stream(ctx, tx, `SELECT id, rev, name, query, filter FROM saved_searches WHERE NOT deleted ORDER BY ord`, nil,
		func(rows pgx.Rows, r *storage.SharedSavedSearch) error {
			return rows.Scan(gid(&r.ID), &r.Rev, &r.Name, &r.Query, &r.Filter)
		}, byValue(ld.AddSavedSearch)); err != nil {
		return fmt.Errorf("saved searches: %w", err)
	}
	if err := stream(ctx, tx, `SELECT id, rev, ord, key, type, fields, source, abstract, title, authors, first_author, year, venue,
		keywords, origin, created, modified, trashed, doi, arxiv, isbn, title_key, source_id, context
		FROM entries WHERE NOT deleted ORDER BY ord`, nil,
		func(rows pgx.Rows, e *storage.SharedEntry) error { return scanEntry(rows, e, nil) }, ld.AddEntry); err != nil {
		return fmt.Errorf("entries: %w", err)
	}
	if err := stream(ctx, tx, `SELECT m.entry_id, m.rev, m.read, m.starred, m.rating FROM marks m
		JOIN entries e ON e.id = m.entry_id AND NOT e.deleted WHERE m.member = current_user`, nil,
		func(rows pgx.Rows, r *storage.SharedMarks) error {
			return rows.Scan(gid(&r.Entry), &r.Rev, &r.Read, &r.Starred, &r.Rating)
		}, byValue(ld.SetMarks)); err != nil {
		return fmt.Errorf("flags: %w", err)
	}
	if err := stream(ctx, tx, `SELECT entry_id, rev, body, modified FROM notes WHERE NOT deleted`, nil,
		func(rows pgx.Rows, r *storage.SharedNote) error {
			return rows.Scan(gid(&r.Entry), &r.Rev, &r.Body, &r.Modified)
		}, byValue(ld.AddNote)); err != nil {
		return fmt.Errorf("notes: %w", err)
	}
	if err := stream(ctx, tx, `SELECT entry_id, tag_id FROM entry_tags WHERE NOT deleted`, nil,
		func(rows pgx.Rows, r *storage.SharedEntryTag) error {
			return rows.Scan(gid(&r.Entry), gid(&r.Tag))
		}, byValue(ld.AddEntryTag)); err != nil {
		return fmt.Errorf("entry tags: %w", err)
	}
	if err := stream(ctx, tx, `SELECT collection_id, entry_id FROM collection_entries WHERE NOT deleted`, nil,
		func(rows pgx.Rows, r *storage.SharedMembership) error {
			return rows.Scan(gid(&r.Collection), gid(&r.Entry))
		}, byValue(ld.AddMembership)); err != nil {
		return fmt.Errorf("collection entries: %w", err)
	}
	if err := stream(ctx, tx, `SELECT id, rev, ord, entry_id, path, added FROM attachments WHERE NOT deleted ORDER BY ord`, nil,
		func(rows pgx.Rows, r *storage.SharedAttachment) error {
			return rows.Scan(gid(&r.ID), &r.Rev, &r.Ord, gid(&r.Entry), &r.Path, &r.Added)
		}, byValue(ld.AddAttachment)); err != nil {
		return fmt.Errorf("attachments: %w", err)
	}
	if err := stream(ctx, tx, `SELECT a, b FROM not_duplicates WHERE NOT deleted`, nil,
		func(rows pgx.Rows, r *storage.SharedNotDuplicate) error {
			return rows.Scan(gid(&r.A), gid(&r.B))
		}, byValue(ld.AddNotDuplicate)); err != nil {
		return fmt.Errorf("pairs not duplicates: %w", err)
	}
	return nil
}

// streamSince is stream of a query of the rows written after the revision since ($1).
func streamSince[T any](ctx context.Context, tx pgx.Tx, query string, since int64, scan func(pgx.Rows, *T) error, add func(*T) error) error {
	return stream(ctx, tx, query, []any{since}, scan, add)
}

// byValue is a ReplicaLoad method that takes a row by value, as stream's add.
func byValue[T any](add func(T) error) func(*T) error {
	return func(r *T) error { return add(*r) }
}

// stream runs query with args in tx and gives each row, as scan reads it, to add. The rows are read on a
// goroutine of their own while add writes the ones before into the replica: the server's work
// and the transfer overlap the replica's.
func stream[T any](ctx context.Context, tx pgx.Tx, query string, args []any, scan func(pgx.Rows, *T) error, add func(*T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []T, streamBatches)
	read := make(chan error, 1)
	go func() {
		defer close(batches)
		read <- func() error {
			rows, err := tx.Query(ctx, query, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			batch := make([]T, 0, streamBatch)
			for rows.Next() {
				batch = batch[:len(batch)+1]
				if err := scan(rows, &batch[len(batch)-1]); err != nil {
					return err
				}
				if len(batch) == streamBatch {
					select {
					case batches <- batch:
					case <-ctx.Done():
						return ctx.Err()
					}
					batch = make([]T, 0, streamBatch)
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
			if len(batch) > 0 {
				select {
				case batches <- batch:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		}()
	}()
	for batch := range batches {
		for i := range batch {
			if err := add(&batch[i]); err != nil {
				cancel()
				for range batches { // until the reader has stopped with the query
				}
				return err
			}
		}
	}
	return <-read
}

// The rows of a stream go from the reader to the writer in batches of streamBatch, at most
// streamBatches of them on the way.
const (
	streamBatch   = 256
	streamBatches = 8
)

// gid is where a uuid column is scanned into a GlobalID.
func gid(g *storage.GlobalID) *[16]byte { return (*[16]byte)(g) }
