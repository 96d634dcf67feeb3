package shared

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/bibshelf/bibshelf/storage"
)

// ServerEntry returns the exact source of the entry id as the shared library at srv has it now,
// and whether it has one not deleted: the server's side of a conflict over an entry, which the
// window's merge dialog shows beside this computer's.
func ServerEntry(ctx context.Context, srv *Server, id storage.GlobalID) (string, bool, error) {
	conn, err := srv.connect(ctx)
	if err != nil {
		return "", false, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := useSchema(ctx, conn, false); err != nil {
		return "", false, fmt.Errorf("read the server's entry %v: %w", id, err)
	}
	var source string
	err = conn.QueryRow(ctx, `SELECT source FROM entries WHERE id = $1 AND NOT deleted`, pgUUID(id)).Scan(&source)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read the server's entry %v: %w", id, err)
	}
	return source, true, nil
}
