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
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				if rerr := os.Remove(p); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
					err = errors.Join(err, rerr)
				}
			}
		}
	}()
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", srv, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	r := storage.Replica{Server: srv.String()}
	err = tx.QueryRow(ctx, `SELECT l.id, current_user, greatest(
		(SELECT max(rev) FROM sources), (SELECT max(rev) FROM items), (SELECT max(rev) FROM entries),
		(SELECT max(rev) FROM marks), (SELECT max(rev) FROM notes), (SELECT max(rev) FROM tags),
		(SELECT max(rev) FROM entry_tags), (SELECT max(rev) FROM collections),
		(SELECT max(rev) FROM collection_entries), (SELECT max(rev) FROM saved_searches),
		(SELECT max(rev) FROM attachments), (SELECT max(rev) FROM not_duplicates), 0) FROM library l`).
		Scan((*[16]byte)(&r.Library), &r.Member, &r.Pulled)
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
	if err := each(ctx, tx, `SELECT id, rev, name, imported FROM sources WHERE NOT deleted ORDER BY ord`,
		func(rows pgx.Rows) error {
			var r storage.SharedSource
			if err := rows.Scan(gid(&r.ID), &r.Rev, &r.Name, &r.Imported); err != nil {
				return err
			}
			return ld.AddSource(r)
		}); err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	if err := each(ctx, tx, `SELECT id, rev, kind, name, source, origin, source_id, expansion, context FROM items
		WHERE NOT deleted ORDER BY ord`,
		func(rows pgx.Rows) error {
			var r storage.SharedItem
			var source pgtype.UUID
			var rc pgtype.Text
			if err := rows.Scan(gid(&r.ID), &r.Rev, &r.Kind, &r.Name, &r.Source, &r.Origin, &source, &r.Expansion, &rc); err != nil {
				return err
			}
			r.SourceID, r.Context.String, r.Context.Valid = source.Bytes, rc.String, rc.Valid
			return ld.AddItem(r)
		}); err != nil {
		return fmt.Errorf("items: %w", err)
	}
	if err := each(ctx, tx, `SELECT id, rev, name, colour FROM tags WHERE NOT deleted ORDER BY ord`,
		func(rows pgx.Rows) error {
			var r storage.SharedTag
			if err := rows.Scan(gid(&r.ID), &r.Rev, &r.Name, &r.Colour); err != nil {
				return err
			}
			return ld.AddTag(r)
		}); err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	var cs []storage.SharedCollection
	if err := each(ctx, tx, `SELECT id, rev, parent_id, name, position FROM collections WHERE NOT deleted ORDER BY ord`,
		func(rows pgx.Rows) error {
			var r storage.SharedCollection
			var parent pgtype.UUID
			if err := rows.Scan(gid(&r.ID), &r.Rev, &parent, &r.Name, &r.Position); err != nil {
				return err
			}
			r.Parent = parent.Bytes
			cs = append(cs, r)
			return nil
		}); err != nil {
		return fmt.Errorf("collections: %w", err)
	}
	if err := ld.AddCollections(cs); err != nil {
		return err
	}
	if err := each(ctx, tx, `SELECT id, rev, name, query, filter FROM saved_searches WHERE NOT deleted ORDER BY ord`,
		func(rows pgx.Rows) error {
			var r storage.SharedSavedSearch
			if err := rows.Scan(gid(&r.ID), &r.Rev, &r.Name, &r.Query, &r.Filter); err != nil {
				return err
			}
			return ld.AddSavedSearch(r)
		}); err != nil {
		return fmt.Errorf("saved searches: %w", err)
	}
	var e storage.SharedEntry
	if err := each(ctx, tx, `SELECT id, rev, key, type, fields, source, abstract, title, authors, first_author, year, venue,
		keywords, origin, created, modified, trashed, doi, arxiv, isbn, title_key, source_id, context
		FROM entries WHERE NOT deleted ORDER BY ord`,
		func(rows pgx.Rows) error {
			var source pgtype.UUID
			var trashed pgtype.Int8
			var rc pgtype.Text
			if err := rows.Scan(gid(&e.ID), &e.Rev, &e.Key, &e.Type, &e.Fields, &e.Source, &e.Abstract, &e.Title, &e.Authors,
				&e.FirstAuthor, &e.Year, &e.Venue, &e.Keywords, &e.Origin, &e.Created, &e.Modified, &trashed, &e.DOI, &e.ArXiv,
				&e.ISBN, &e.TitleKey, &source, &rc); err != nil {
				return err
			}
			e.SourceID, e.Trashed.Int64, e.Trashed.Valid = source.Bytes, trashed.Int64, trashed.Valid
			e.Context.String, e.Context.Valid = rc.String, rc.Valid
			return ld.AddEntry(&e)
		}); err != nil {
		return fmt.Errorf("entries: %w", err)
	}
	if err := each(ctx, tx, `SELECT m.entry_id, m.rev, m.read, m.starred, m.rating FROM marks m
		JOIN entries e ON e.id = m.entry_id AND NOT e.deleted WHERE m.member = current_user`,
		func(rows pgx.Rows) error {
			var r storage.SharedMarks
			if err := rows.Scan(gid(&r.Entry), &r.Rev, &r.Read, &r.Starred, &r.Rating); err != nil {
				return err
			}
			return ld.SetMarks(r)
		}); err != nil {
		return fmt.Errorf("flags: %w", err)
	}
	if err := each(ctx, tx, `SELECT entry_id, rev, body, modified FROM notes WHERE NOT deleted`,
		func(rows pgx.Rows) error {
			var r storage.SharedNote
			if err := rows.Scan(gid(&r.Entry), &r.Rev, &r.Body, &r.Modified); err != nil {
				return err
			}
			return ld.AddNote(r)
		}); err != nil {
		return fmt.Errorf("notes: %w", err)
	}
	if err := each(ctx, tx, `SELECT entry_id, tag_id FROM entry_tags WHERE NOT deleted`,
		func(rows pgx.Rows) error {
			var r storage.SharedEntryTag
			if err := rows.Scan(gid(&r.Entry), gid(&r.Tag)); err != nil {
				return err
			}
			return ld.AddEntryTag(r)
		}); err != nil {
		return fmt.Errorf("entry tags: %w", err)
	}
	if err := each(ctx, tx, `SELECT collection_id, entry_id FROM collection_entries WHERE NOT deleted`,
		func(rows pgx.Rows) error {
			var r storage.SharedMembership
			if err := rows.Scan(gid(&r.Collection), gid(&r.Entry)); err != nil {
				return err
			}
			return ld.AddMembership(r)
		}); err != nil {
		return fmt.Errorf("collection entries: %w", err)
	}
	if err := each(ctx, tx, `SELECT id, rev, entry_id, path, added FROM attachments WHERE NOT deleted ORDER BY ord`,
		func(rows pgx.Rows) error {
			var r storage.SharedAttachment
			if err := rows.Scan(gid(&r.ID), &r.Rev, gid(&r.Entry), &r.Path, &r.Added); err != nil {
				return err
			}
			return ld.AddAttachment(r)
		}); err != nil {
		return fmt.Errorf("attachments: %w", err)
	}
	if err := each(ctx, tx, `SELECT a, b FROM not_duplicates WHERE NOT deleted`,
		func(rows pgx.Rows) error {
			var r storage.SharedNotDuplicate
			if err := rows.Scan(gid(&r.A), gid(&r.B)); err != nil {
				return err
			}
			return ld.AddNotDuplicate(r)
		}); err != nil {
		return fmt.Errorf("pairs not duplicates: %w", err)
	}
	return nil
}

// each runs query in tx and calls fn with each row.
func each(ctx context.Context, tx pgx.Tx, query string, fn func(pgx.Rows) error) error {
	rows, err := tx.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// gid is where a uuid column is scanned into a GlobalID.
func gid(g *storage.GlobalID) *[16]byte { return (*[16]byte)(g) }
