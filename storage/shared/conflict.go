package shared

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// ServerEntry returns the entry id as the shared library at srv has it now (its key, type,
// exact source and fields), and whether it has one not deleted: the server's side of a conflict
// over an entry, which the window's merge dialog shows beside this computer's. An entry without
// a source (one read from RIS or CSL-JSON, or rewritten) has its fields.
func ServerEntry(ctx context.Context, srv *Server, id storage.GlobalID) (*bib.Entry, bool, error) {
	conn, err := srv.connect(ctx)
	if err != nil {
		return nil, false, unreachable(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := useSchema(ctx, conn, false); err != nil {
		return nil, false, fmt.Errorf("read the server's entry %v: %w", id, err)
	}
	var r storage.SharedEntry
	var rc pgtype.Text
	err = conn.QueryRow(ctx, `SELECT key, type, fields, source, context FROM entries WHERE id = $1 AND NOT deleted`, pgUUID(id)).
		Scan(&r.Key, &r.Type, &r.Fields, &r.Source, &rc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read the server's entry %v: %w", id, err)
	}
	r.Context.String, r.Context.Valid = rc.String, rc.Valid
	e, err := r.BibEntry()
	if err != nil {
		return nil, false, fmt.Errorf("read the server's entry %v: %w", id, err)
	}
	return e, true, nil
}
