package shared

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/bibshelf/bibshelf/storage"
)

// A large import makes as many new entries, and as many links to tags, as it read: sent one
// statement (and one savepoint) each, 100,000 entries and their links took more than a minute,
// nearly all of it waiting for the server's answers. The pusher sends those in batches of
// batchRows rows a statement instead. A batch sends only what cannot go otherwise than one by
// one: rows the server takes as they are, each written as the statement of its own would have
// written it. A row that batch left (a key taken, a row the server has already) is sent by the
// statement of its own after it, which says what came of it as for any row; a batch the server
// refused whole (a reader's) is sent again one row at a time, which says which were refused.

// batchRows bounds the rows of a batch: 1,000 entries are 22,000 parameters (PostgreSQL takes
// 65,535) and about 1.3 MB of BibTeX.
const batchRows = 1000

// newRows sends rows of one table that the server has never had (revision 0), batchRows at a
// time: an insert that does nothing for a row whose id or key or name (a unique index) the
// server has, where the row's own statement (pusher.row) would update the row of the id or be
// refused for the key. inserted are the ids of the rows it inserted; the others are left to
// pusher.row.
type newRows struct {
	p        pusher
	table    string
	cols     []string // without the id, which comes first
	rows     []newRow
	inserted map[storage.GlobalID]bool
}

// newRow is a row for newRows: its change's Sent, its id, and the values of newRows.cols.
type newRow struct {
	sent *int64
	id   storage.GlobalID
	vals []any
}

func (p pusher) newRows(table string, cols []string) *newRows {
	return &newRows{p: p, table: table, cols: cols, inserted: map[storage.GlobalID]bool{}}
}

// add adds a row to send, and sends the batch once it is full.
func (n *newRows) add(sent *int64, id storage.GlobalID, vals ...any) error {
	n.rows = append(n.rows, newRow{sent: sent, id: id, vals: vals})
	if len(n.rows) < batchRows {
		return nil
	}
	return n.flush()
}

// flush sends the rows added since the last batch, in one statement in a savepoint. A statement
// the server refuses (a reader's rows) inserts none: pusher.row sends each of them.
func (n *newRows) flush() error {
	if len(n.rows) == 0 {
		return nil
	}
	width := len(n.cols) + 1
	var values strings.Builder
	args := make([]any, 0, len(n.rows)*width)
	for i, r := range n.rows {
		if i > 0 {
			values.WriteString(", ")
		}
		fmt.Fprintf(&values, "($%d%s)", len(args)+1, params(len(args)+2, len(n.cols)))
		args = append(append(args, pgUUID(r.id)), r.vals...)
	}
	rows := n.rows
	n.rows = n.rows[:0]
	query := `INSERT INTO ` + n.table + ` (id, ` + strings.Join(n.cols, ", ") + `) VALUES ` + values.String() +
		` ON CONFLICT DO NOTHING RETURNING id, rev`
	byID := make(map[storage.GlobalID]*int64, len(rows))
	for _, r := range rows {
		byID[r.id] = r.sent
	}
	var revs []idRev
	if ok, err := n.p.batch(query, args, func(r pgx.Rows) error {
		var ir idRev
		if err := r.Scan(gid(&ir.id), &ir.rev); err != nil {
			return err
		}
		revs = append(revs, ir)
		return nil
	}); err != nil || !ok {
		return err
	}
	for _, ir := range revs {
		sent := byID[ir.id]
		if sent == nil {
			return fmt.Errorf("the server inserted the %s row %v, which the push did not send", n.table, ir.id)
		}
		*sent = ir.rev
		n.inserted[ir.id] = true
		if ir.rev > 0 {
			n.p.out.Sent++
		}
	}
	return nil
}

// idRev is a row's id and the revision the server gave it.
type idRev struct {
	id  storage.GlobalID
	rev int64
}

// batch runs a statement of many rows in a savepoint, giving each row it returns to scan. It
// reports false, having rolled back to the savepoint, when the server refused the statement
// (a reader's rows, a link given twice): the rows are then for their own statements, one by
// one, which say what came of each. Any other error (the connection lost) is returned.
func (p pusher) batch(query string, args []any, scan func(pgx.Rows) error) (bool, error) {
	sp, err := p.tx.Begin(p.ctx)
	if err != nil {
		return false, err
	}
	rows, err := sp.Query(p.ctx, query, args...)
	if err == nil {
		for rows.Next() {
			if err = scan(rows); err != nil {
				break
			}
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe):
		return false, sp.Rollback(p.ctx)
	case err != nil:
		return false, errors.Join(err, sp.Rollback(p.ctx))
	}
	return true, sp.Commit(p.ctx)
}

// linkBatches sends links batchRows of a kind at a time, as pusher.link sends each: the last
// write wins, and a link to a row the server has not (deleted there) is dropped. A batch holds
// a pair once: a link given again after it waits for the next.
type linkBatches struct {
	p       pusher
	pending map[string]*linkBatch // by kind
}

// linkBatch is the links of one kind waiting to be sent, by the pair the server orders.
type linkBatch struct {
	changes []*storage.Change[storage.SharedLink]
	pairs   map[[2]storage.GlobalID]int // the index in changes of each pair
}

func (p pusher) linkBatches() *linkBatches {
	return &linkBatches{p: p, pending: map[string]*linkBatch{}}
}

// add adds a link to send; it sends the links of its kind first when they are a full batch or
// hold its pair.
func (lb *linkBatches) add(ch *storage.Change[storage.SharedLink]) error {
	kind := ch.Row.Kind
	if _, ok := linkColumns[kind]; !ok {
		return fmt.Errorf("a link of the unknown kind %q", kind)
	}
	b := lb.pending[kind]
	if b == nil {
		b = &linkBatch{pairs: map[[2]storage.GlobalID]int{}}
		lb.pending[kind] = b
	}
	pair := lb.p.pair(ch.Row)
	if _, twice := b.pairs[pair]; twice || len(b.changes) == batchRows {
		if err := lb.send(kind, b); err != nil {
			return err
		}
	}
	b.pairs[pair] = len(b.changes)
	b.changes = append(b.changes, ch)
	return nil
}

// flush sends every link added and not sent yet.
func (lb *linkBatches) flush() error {
	for _, kind := range []string{"entry_tags", "collection_entries", "not_duplicates"} {
		if b := lb.pending[kind]; b != nil {
			if err := lb.send(kind, b); err != nil {
				return err
			}
		}
	}
	return nil
}

// send sends the batch b of links of kind in one statement, and empties it. A statement the
// server refuses is sent again one link at a time (pusher.link), which says what came of each.
func (lb *linkBatches) send(kind string, b *linkBatch) error {
	if len(b.changes) == 0 {
		return nil
	}
	changes := b.changes
	b.changes, b.pairs = nil, map[[2]storage.GlobalID]int{}
	cols, targets := linkColumns[kind], linkTargets[kind]
	var values strings.Builder
	args := make([]any, 0, 3*len(changes))
	for i, ch := range changes {
		if i > 0 {
			values.WriteString(", ")
		}
		if i == 0 {
			fmt.Fprintf(&values, "($%d::uuid, $%d::uuid, $%d::boolean)", len(args)+1, len(args)+2, len(args)+3)
		} else {
			fmt.Fprintf(&values, "($%d, $%d, $%d)", len(args)+1, len(args)+2, len(args)+3)
		}
		pair := lb.p.pair(ch.Row)
		args = append(args, pgUUID(pair[0]), pgUUID(pair[1]), !ch.Row.Present)
	}
	query := `INSERT INTO ` + kind + ` (` + cols[0] + `, ` + cols[1] + `, deleted)
		SELECT v.a, v.b, v.d FROM (VALUES ` + values.String() + `) AS v (a, b, d)
		WHERE EXISTS (SELECT 1 FROM ` + targets[0] + ` WHERE id = v.a AND NOT deleted)
			AND EXISTS (SELECT 1 FROM ` + targets[1] + ` WHERE id = v.b AND NOT deleted)
		ON CONFLICT (` + cols[0] + `, ` + cols[1] + `) DO UPDATE SET deleted = excluded.deleted
		RETURNING ` + cols[0] + `, ` + cols[1] + `, rev`
	index := make(map[[2]storage.GlobalID]int, len(changes))
	for i, ch := range changes {
		index[lb.p.pair(ch.Row)] = i
	}
	revs := make([]int64, len(changes))
	ok, err := lb.p.batch(query, args, func(r pgx.Rows) error {
		var pair [2]storage.GlobalID
		var rev int64
		if err := r.Scan(gid(&pair[0]), gid(&pair[1]), &rev); err != nil {
			return err
		}
		i, ok := index[pair]
		if !ok {
			return fmt.Errorf("the server wrote the %s link %v, which the push did not send", kind, pair)
		}
		revs[i] = rev
		return nil
	})
	if err != nil {
		return err
	}
	for i, ch := range changes {
		if !ok {
			if err := lb.p.link(ch); err != nil {
				return err
			}
			continue
		}
		ch.Sent = revs[i]
		if ch.Sent > 0 {
			lb.p.out.Sent++
		} else {
			ch.Sent = -1 // dropped, as link drops it
		}
	}
	return nil
}

// pair returns the two ids a link joins as the server has them: adopted rows by the server's
// ids, a pair of entries not duplicates in the order of their UUIDs.
func (p pusher) pair(l storage.SharedLink) [2]storage.GlobalID {
	a, b := p.id(l.A), p.id(l.B)
	if l.Kind == "not_duplicates" && string(a[:]) > string(b[:]) {
		a, b = b, a
	}
	return [2]storage.GlobalID{a, b}
}
