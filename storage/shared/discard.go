package shared

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/bibshelf/bibshelf/storage"
)

// ErrMayEdit is what Discard returns for a member the server lets edit the shared library: it
// refuses none of their changes, which are sent (or are conflicts, settled otherwise), and none
// is discarded.
var ErrMayEdit = errors.New("you may edit this shared library: the server refuses none of your changes, and none was discarded")

// Discarded says what Discard did.
type Discarded struct {
	Changes int            // the changes dropped from the replica
	Pulled  storage.Pulled // what the pull after wrote: the server's versions
}

// Discard lets go of the changes the server refused a member who may only read the shared
// library (Pushed.Refused, which wait in the replica until then): every change of the replica
// lib to send but the member's flags, which the server takes, is dropped, and every row of the
// shared library at srv is read from its first revision and written into the replica over what
// the member changed, in one transaction of the replica's (storage.Library.DiscardAndPull). The
// replica is then the server's: an entry edited here has the server's text, one made here is
// gone, one deleted here is back, and two keys swapped here are the server's again. A member who
// may edit is refused (ErrMayEdit), before anything is dropped; so is a discard whose pull could
// not write the server's version over each row (storage.ErrDiscardHeld). A replica with no
// change to drop is left as it is, and the server's rows are not read.
func Discard(ctx context.Context, srv *Server, lib *storage.Library) (Discarded, error) {
	return DiscardMarked(ctx, srv, lib, nil)
}

// DiscardMarked is Discard of the changes listed at mark (Pushed.Mark of the push that reported
// them refused), which the member chose to let go: when a change but a flag's was listed since (made after they chose),
// nothing is dropped and it returns storage.ErrChangedSince. A nil mark lets go of every change.
func DiscardMarked(ctx context.Context, srv *Server, lib *storage.Library, mark *storage.ChangesMark) (Discarded, error) {
	var out Discarded
	err := inSnapshot(ctx, srv, lib, "discard the changes refused by", func(tx pgx.Tx, r storage.Replica, to int64) error {
		var edits bool
		if err := tx.QueryRow(ctx, `SELECT has_table_privilege('entries', 'UPDATE')`).Scan(&edits); err != nil {
			return err
		}
		if edits {
			return fmt.Errorf("%w (role %s)", ErrMayEdit, r.Member)
		}
		// Nothing to let go: the server's rows are not read (a discard reads every one).
		if n, err := lib.Discardable(ctx); err != nil || n == 0 {
			return err
		}
		var err error
		out.Changes, out.Pulled, err = lib.DiscardAndPull(ctx, to, mark, func(p *storage.ReplicaPull) error {
			// Every row, so every row's place too.
			if err := pullSince(ctx, tx, p, 0); err != nil {
				return err
			}
			p.Ordered()
			return nil
		})
		return err
	})
	if err != nil {
		return Discarded{}, err
	}
	return out, nil
}
