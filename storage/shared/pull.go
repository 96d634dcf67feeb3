package shared

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/bibshelf/bibshelf/storage"
)

// ErrUnreachable is returned when the server cannot be reached: the replica can be used as it
// is, offline.
var ErrUnreachable = errors.New("the shared library's server cannot be reached")

// unreachable says that a connection failed for want of the server, but for want of a password
// (ErrPasswordNeeded) or of the client key's passphrase (ErrKeyPassphraseNeeded), which the user
// is to be asked for: the replica is used as it is meanwhile in either case.
func unreachable(err error) error {
	if asked(err) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnreachable, err)
}

// lost makes err ErrUnreachable when the connection ended with it: the server went away (it
// crashed or was stopped, or the network failed) in the middle of the work, which it then
// undid whole, and the replica is used as it is until it is back.
func lost(conn *pgx.Conn, err error) error {
	if err != nil && conn.IsClosed() && !errors.Is(err, ErrUnreachable) {
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	return err
}

// Pull brings the replica lib up to date with its shared library at srv: every row written on
// the server since the replica's last pull (storage.Replica.Pulled), read in one snapshot and
// written into the replica in one transaction (storage.Library.Pull). A row the replica has
// changed and not sent yet is left as the replica has it (Pulled.Held). A replica of another
// shared library than the server holds is refused (ErrOtherLibrary).
func Pull(ctx context.Context, srv *Server, lib *storage.Library) (storage.Pulled, error) {
	var pulled storage.Pulled
	err := inSnapshot(ctx, srv, lib, "pull from", func(tx pgx.Tx, r storage.Replica, to int64) (err error) {
		if to <= r.Pulled && r.Ordered {
			return nil
		}
		pulled, err = lib.Pull(ctx, to, func(p *storage.ReplicaPull) error {
			if err := pullSince(ctx, tx, p, r.Pulled); err != nil || r.Ordered {
				return err
			}
			return pullOrds(ctx, tx, p)
		})
		return err
	})
	return pulled, err
}

// inSnapshot runs fn with a read-only snapshot of the shared library at srv, of which lib is a
// replica (r says what it has), and the server's last revision to. A replica of another shared
// library is refused (ErrOtherLibrary). Its errors say what was done (doing) and where.
func inSnapshot(ctx context.Context, srv *Server, lib *storage.Library, doing string, fn func(tx pgx.Tx, r storage.Replica, to int64) error) error {
	r, ok, err := lib.Replica(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s is a library of its own, not a replica of %s", lib.Path(), srv)
	}
	conn, err := srv.connect(ctx)
	if err != nil {
		return unreachable(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := useSchema(ctx, conn, false); err != nil {
		return fmt.Errorf("%s %s: %w", doing, srv, lost(conn, err))
	}
	tx, err := beginTx(ctx, conn, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("%s %s: %w", doing, srv, lost(conn, err))
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var id storage.GlobalID
	var to int64
	if err := tx.QueryRow(ctx, `SELECT l.id, `+lastRevision+` FROM library l`).Scan(gid(&id), &to); err != nil {
		return fmt.Errorf("%s %s: %w", doing, srv, lost(conn, err))
	}
	if id != r.Library {
		return fmt.Errorf("%w: %s is of the shared library %v, and %s holds %v now (move the replica away to make a new one)",
			ErrOtherLibrary, lib.Path(), r.Library, srv, id)
	}
	if err := fn(tx, r, to); err != nil {
		return fmt.Errorf("%s %s: %w", doing, srv, lost(conn, err))
	}
	return nil
}

// orderedTables are the tables of the rows whose place in the library's order a replica keeps.
var orderedTables = []string{"items", "tags", "collections", "entries", "attachments"}

// pullOrds gives p the place (ord) of every row of the tables the library orders, for a
// replica made before it kept them (storage.Replica.Ordered), and records that it has them.
func pullOrds(ctx context.Context, tx pgx.Tx, p *storage.ReplicaPull) error {
	type ord struct {
		id  storage.GlobalID
		ord int64
	}
	for _, table := range orderedTables {
		if err := stream(ctx, tx, `SELECT id, ord FROM `+table+` WHERE NOT deleted`, nil,
			func(rows pgx.Rows, o *ord) error { return rows.Scan(gid(&o.id), &o.ord) },
			func(o *ord) error { return p.PutOrd(table, o.id, o.ord) }); err != nil {
			return fmt.Errorf("the order of %s: %w", table, err)
		}
	}
	p.Ordered()
	return nil
}

// deletable is a row as the server has it, and whether it is a tombstone.
type deletable[T any] struct {
	row     T
	deleted bool
}

// pullSince reads every row of the shared library written after the revision since, the
// tombstones too, and gives it to p, in the order it takes them.
func pullSince(ctx context.Context, tx pgx.Tx, p *storage.ReplicaPull, since int64) error {
	if err := streamSince(ctx, tx, `SELECT id, rev, deleted, name, imported FROM sources WHERE rev > $1 ORDER BY ord`, since,
		func(rows pgx.Rows, d *deletable[storage.SharedSource]) error {
			r := &d.row
			return rows.Scan(gid(&r.ID), &r.Rev, &d.deleted, &r.Name, &r.Imported)
		}, func(d *deletable[storage.SharedSource]) error { return p.PutSource(d.row, d.deleted) }); err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	if err := streamSince(ctx, tx, `SELECT id, rev, ord, deleted, kind, name, source, origin, source_id, expansion, context FROM items
		WHERE rev > $1 ORDER BY ord`, since,
		func(rows pgx.Rows, d *deletable[storage.SharedItem]) error {
			r := &d.row
			var source pgtype.UUID
			var rc pgtype.Text
			if err := rows.Scan(gid(&r.ID), &r.Rev, &r.Ord, &d.deleted, &r.Kind, &r.Name, &r.Source, &r.Origin, &source, &r.Expansion, &rc); err != nil {
				return err
			}
			r.SourceID, r.Context.String, r.Context.Valid = source.Bytes, rc.String, rc.Valid
			return nil
		}, func(d *deletable[storage.SharedItem]) error { return p.PutItem(d.row, d.deleted) }); err != nil {
		return fmt.Errorf("items: %w", err)
	}
	if err := streamSince(ctx, tx, `SELECT id, rev, ord, deleted, name, colour FROM tags WHERE rev > $1 ORDER BY ord`, since,
		func(rows pgx.Rows, d *deletable[storage.SharedTag]) error {
			r := &d.row
			return rows.Scan(gid(&r.ID), &r.Rev, &r.Ord, &d.deleted, &r.Name, &r.Colour)
		}, func(d *deletable[storage.SharedTag]) error { return p.PutTag(d.row, d.deleted) }); err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	var cs []storage.PulledCollection
	if err := streamSince(ctx, tx, `SELECT id, rev, ord, deleted, parent_id, name, position FROM collections WHERE rev > $1 ORDER BY ord`, since,
		func(rows pgx.Rows, c *storage.PulledCollection) error {
			var parent pgtype.UUID
			if err := rows.Scan(gid(&c.ID), &c.Rev, &c.Ord, &c.Deleted, &parent, &c.Name, &c.Position); err != nil {
				return err
			}
			c.Parent = parent.Bytes
			return nil
		}, func(c *storage.PulledCollection) error { cs = append(cs, *c); return nil }); err != nil {
		return fmt.Errorf("collections: %w", err)
	}
	if err := p.PutCollections(cs); err != nil {
		return err
	}
	if err := streamSince(ctx, tx, `SELECT id, rev, deleted, name, query, filter FROM saved_searches WHERE rev > $1 ORDER BY ord`, since,
		func(rows pgx.Rows, d *deletable[storage.SharedSavedSearch]) error {
			r := &d.row
			return rows.Scan(gid(&r.ID), &r.Rev, &d.deleted, &r.Name, &r.Query, &r.Filter)
		}, func(d *deletable[storage.SharedSavedSearch]) error { return p.PutSavedSearch(d.row, d.deleted) }); err != nil {
		return fmt.Errorf("saved searches: %w", err)
	}
	if err := streamSince(ctx, tx, `SELECT id, rev, ord, deleted, key, type, fields, source, abstract, title, authors, first_author,
		year, venue, keywords, origin, created, modified, trashed, doi, arxiv, isbn, title_key, source_id, context
		FROM entries WHERE rev > $1 ORDER BY ord`, since,
		func(rows pgx.Rows, d *deletable[storage.SharedEntry]) error {
			return scanEntry(rows, &d.row, &d.deleted)
		}, func(d *deletable[storage.SharedEntry]) error { return p.PutEntry(&d.row, d.deleted) }); err != nil {
		return fmt.Errorf("entries: %w", err)
	}
	if err := streamSince(ctx, tx, `SELECT entry_id, rev, read, starred, rating FROM marks WHERE rev > $1 AND member = current_user`, since,
		func(rows pgx.Rows, r *storage.SharedMarks) error {
			return rows.Scan(gid(&r.Entry), &r.Rev, &r.Read, &r.Starred, &r.Rating)
		}, func(r *storage.SharedMarks) error { return p.PutMarks(*r) }); err != nil {
		return fmt.Errorf("flags: %w", err)
	}
	if err := streamSince(ctx, tx, `SELECT entry_id, rev, deleted, body, modified FROM notes WHERE rev > $1`, since,
		func(rows pgx.Rows, d *deletable[storage.SharedNote]) error {
			r := &d.row
			return rows.Scan(gid(&r.Entry), &r.Rev, &d.deleted, &r.Body, &r.Modified)
		}, func(d *deletable[storage.SharedNote]) error { return p.PutNote(d.row, d.deleted) }); err != nil {
		return fmt.Errorf("notes: %w", err)
	}
	type link[T any] struct {
		deletable[T]
		rev int64
	}
	if err := streamSince(ctx, tx, `SELECT entry_id, tag_id, rev, deleted FROM entry_tags WHERE rev > $1`, since,
		func(rows pgx.Rows, l *link[storage.SharedEntryTag]) error {
			return rows.Scan(gid(&l.row.Entry), gid(&l.row.Tag), &l.rev, &l.deleted)
		}, func(l *link[storage.SharedEntryTag]) error { return p.PutEntryTag(l.row, l.rev, l.deleted) }); err != nil {
		return fmt.Errorf("entry tags: %w", err)
	}
	if err := streamSince(ctx, tx, `SELECT collection_id, entry_id, rev, deleted FROM collection_entries WHERE rev > $1`, since,
		func(rows pgx.Rows, l *link[storage.SharedMembership]) error {
			return rows.Scan(gid(&l.row.Collection), gid(&l.row.Entry), &l.rev, &l.deleted)
		}, func(l *link[storage.SharedMembership]) error { return p.PutMembership(l.row, l.rev, l.deleted) }); err != nil {
		return fmt.Errorf("collection entries: %w", err)
	}
	if err := streamSince(ctx, tx, `SELECT id, rev, ord, deleted, entry_id, path, added FROM attachments WHERE rev > $1 ORDER BY ord`, since,
		func(rows pgx.Rows, d *deletable[storage.SharedAttachment]) error {
			r := &d.row
			return rows.Scan(gid(&r.ID), &r.Rev, &r.Ord, &d.deleted, gid(&r.Entry), &r.Path, &r.Added)
		}, func(d *deletable[storage.SharedAttachment]) error { return p.PutAttachment(d.row, d.deleted) }); err != nil {
		return fmt.Errorf("attachments: %w", err)
	}
	if err := streamSince(ctx, tx, `SELECT a, b, rev, deleted FROM not_duplicates WHERE rev > $1`, since,
		func(rows pgx.Rows, l *link[storage.SharedNotDuplicate]) error {
			return rows.Scan(gid(&l.row.A), gid(&l.row.B), &l.rev, &l.deleted)
		}, func(l *link[storage.SharedNotDuplicate]) error { return p.PutNotDuplicate(l.row, l.rev, l.deleted) }); err != nil {
		return fmt.Errorf("pairs not duplicates: %w", err)
	}
	return nil
}

// scanEntry reads an entries row, with its deleted column when deleted is not nil, in the
// order of the queries of Clone and Pull.
func scanEntry(rows pgx.Rows, e *storage.SharedEntry, deleted *bool) error {
	var source pgtype.UUID
	var trashed pgtype.Int8
	var rc pgtype.Text
	dest := []any{gid(&e.ID), &e.Rev, &e.Ord}
	if deleted != nil {
		dest = append(dest, deleted)
	}
	dest = append(dest, &e.Key, &e.Type, &e.Fields, &e.Source, &e.Abstract, &e.Title, &e.Authors, &e.FirstAuthor, &e.Year,
		&e.Venue, &e.Keywords, &e.Origin, &e.Created, &e.Modified, &trashed, &e.DOI, &e.ArXiv, &e.ISBN, &e.TitleKey, &source, &rc)
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	e.SourceID, e.Trashed.Int64, e.Trashed.Valid = source.Bytes, trashed.Int64, trashed.Valid
	e.Context.String, e.Context.Valid = rc.String, rc.Valid
	return nil
}

// Synced says what Sync did.
type Synced struct {
	Pushed Pushed
	Pulled storage.Pulled
}

// Sync sends the replica's changes to its shared library (Push), then brings the server's
// (Pull).
func Sync(ctx context.Context, srv *Server, lib *storage.Library) (Synced, error) {
	var s Synced
	var err error
	if s.Pushed, err = Push(ctx, srv, lib); err != nil {
		return s, err
	}
	s.Pulled, err = Pull(ctx, srv, lib)
	return s, err
}
