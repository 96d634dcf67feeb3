package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
)

// selection is a target's selection as its last run read it: its entries in the export's order
// but for the crossref placement, each with its text. The next run starts from it and reads
// only what the library changed since: which entries the target selects now (their ids, listed
// by SQLite in one string), which entries changed since (those whose revision rose), and the
// rows of those that changed or came into the selection. An entry whose revision has not risen
// is as it was, key, context and source included (the triggers of migration 0012 raise it on
// any change of these), so it keeps its place and its text.
type selection struct {
	key      renderKey
	byKey    bool
	revision int64   // the library's revision in the snapshot the selection was read from
	idList   string  // its ids as listSelection read them; "" when read otherwise
	ids      []int64 // its ids, ascending
	entries  []selected
}

// selected is an entry of a selection, with its text.
type selected struct {
	row
	text     string // as cachedText's: "" until taken from the cache or rendered
	crossref string // the key its crossref field names
}

// fewChanged is the most entries a run reads one by one, those that changed or came into the
// selection since the last run (and the most changed entries it lists): with more, as after a
// large import, it reads the whole selection in one pass, as a first run does.
const fewChanged = 1000

// selectionColumns are the columns of an entry e that a selection holds (row).
const selectionColumns = `e.id, e.key, e.revision, coalesce(e.source_id, 0), e.context, coalesce(e.sord, 0)`

// scanRow reads a row of selectionColumns. Its place in the library's order is orderKey's,
// worked out here from sord (0 for none, as in a library of one's own): read into the row
// itself, it costs an entry no allocation, where a sql.NullInt64 cost one.
func scanRow(rs interface{ Scan(...any) error }, r *row) error {
	if err := rs.Scan(&r.id, &r.key, &r.rev, &r.source, &r.context, &r.order); err != nil {
		return err
	}
	if r.order == 0 {
		r.order = r.id + unsentOrder
	}
	return nil
}

// readSelection reads the entries sel selects, ordered by key (byKey) or in the library's order,
// in the snapshot of tx at the library's revision: from prev, the selection's last read (nil for
// none), and what changed since, or, without prev or after many changes, in one pass over the
// selection. The entries taken from prev keep their texts; the others have none yet.
func readSelection(ctx context.Context, tx *sql.Tx, sel exportSelection, byKey bool, prev *selection, revision int64) (*selection, error) {
	next := &selection{byKey: byKey, revision: revision}
	if prev != nil && prev.byKey == byKey {
		done, err := next.update(ctx, tx, sel, prev)
		if err != nil || done {
			return next, err
		}
	}
	rows, err := scanSelection(ctx, tx, sel)
	if err != nil {
		return nil, err
	}
	next.ids = make([]int64, len(rows))
	for i, r := range rows {
		next.ids[i] = r.id
	}
	if !slices.IsSorted(next.ids) {
		slices.Sort(next.ids)
	}
	slices.SortFunc(rows, func(a, b row) int { return compareExportOrder(byKey, a.key, a.order, b.key, b.order) })
	next.entries = make([]selected, len(rows))
	for i, r := range rows {
		next.entries[i].row = r
	}
	return next, nil
}

// scanSelection reads the entries sel selects. It reads them in one pass over the entries table
// and leaves ordering them to the caller: reading them through the key's index, as Export does,
// looks up each entry's row at random, and took 0.5 s of 100,000 entries where this takes a
// fifth of it.
func scanSelection(ctx context.Context, tx *sql.Tx, sel exportSelection) ([]row, error) {
	rs, err := tx.QueryContext(ctx, `SELECT `+selectionColumns+` FROM `+sel.from+` WHERE `+sel.where, sel.args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var rows []row
	for rs.Next() {
		var r row
		if err := scanRow(rs, &r); err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, rs.Err()
}

// update makes s prev with what changed since: the entries that left the selection taken out,
// those that changed or came into it read and put in their places. done is false, s unchanged,
// when more than fewChanged entries are to be read: the whole selection is read then.
func (s *selection) update(ctx context.Context, tx *sql.Tx, sel exportSelection, prev *selection) (done bool, err error) {
	ids, list, err := listSelection(ctx, tx, sel, prev)
	if err != nil {
		return false, err
	}
	changed, err := changedSince(ctx, tx, prev.revision, fewChanged)
	if err != nil || changed == nil {
		return false, err
	}
	removed, added := diffIDs(prev.ids, ids)
	// To read: the entries that came in, and those that changed and are still in.
	fetch := added
	for _, id := range changed {
		if _, in := slices.BinarySearch(ids, id); in {
			fetch = append(fetch, id)
		}
	}
	if len(fetch) > fewChanged {
		return false, nil
	}
	slices.Sort(fetch)
	fetch = slices.Compact(fetch) // an entry that came in may have changed too
	fresh, err := readRows(ctx, tx, fetch)
	if err != nil {
		return false, err
	}
	s.ids, s.idList = ids, list
	s.entries = spliceEntries(prev.entries, removed, fresh, s.byKey)
	return true, nil
}

// listSelection returns the ids of the entries sel selects, ascending, and the list SQLite gave
// of them: one string, which costs no more than a pass over an index, where reading them as rows
// took most of a run after one edit. A list as prev's is prev's ids, without parsing it.
func listSelection(ctx context.Context, tx *sql.Tx, sel exportSelection, prev *selection) (ids []int64, list string, err error) {
	var col sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT group_concat(e.id) FROM `+sel.from+` WHERE `+sel.where, sel.args...).Scan(&col); err != nil {
		return nil, "", err
	}
	if list = col.String; list == prev.idList && list != "" {
		return prev.ids, list, nil
	}
	if ids, err = parseIDList(list); err != nil {
		return nil, "", err
	}
	if !slices.IsSorted(ids) {
		slices.Sort(ids)
	}
	return ids, list, nil
}

// parseIDList parses a list of ids separated by commas, as group_concat makes it.
func parseIDList(list string) ([]int64, error) {
	if list == "" {
		return nil, nil
	}
	n := 1
	for i := 0; i < len(list); i++ {
		if list[i] == ',' {
			n++
		}
	}
	ids := make([]int64, 0, n)
	for start := 0; start <= len(list); {
		end := start
		for end < len(list) && list[end] != ',' {
			end++
		}
		id, err := strconv.ParseInt(list[start:end], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("list of the selection's ids: %w", err)
		}
		ids = append(ids, id)
		start = end + 1
	}
	return ids, nil
}

// changedSinceQuery reads the ids of the entries changed since a revision through the index
// entries_revision (migration 0015), not the whole table. They come in the index's order: with
// ORDER BY id, SQLite reads the table in its order instead, to spare itself the sort.
const changedSinceQuery = `SELECT id FROM entries WHERE revision > ?`

// changedSince returns the ids, ascending, of the entries whose revision is above rev: every
// entry changed since the library's revision was rev, or added. It is nil, not empty, when
// there are more than most: the caller reads everything then.
func changedSince(ctx context.Context, tx *sql.Tx, rev int64, most int) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, changedSinceQuery, rev)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		if len(ids) == most {
			return nil, nil
		}
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}

// diffIDs returns the ids of a not in b and those of b not in a; both ascending.
func diffIDs(a, b []int64) (gone, come []int64) {
	if len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0]) {
		return nil, nil
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			i, j = i+1, j+1
		case a[i] < b[j]:
			gone = append(gone, a[i])
			i++
		default:
			come = append(come, b[j])
			j++
		}
	}
	gone = append(gone, a[i:]...)
	come = append(come, b[j:]...)
	return gone, come
}

// readRows reads the rows of the entries ids, one by one.
func readRows(ctx context.Context, tx *sql.Tx, ids []int64) ([]row, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	stmt, err := tx.PrepareContext(ctx, `SELECT `+selectionColumns+` FROM entries e WHERE e.id = ?`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	rows := make([]row, len(ids))
	for i, id := range ids {
		if err := scanRow(stmt.QueryRowContext(ctx, id), &rows[i]); err != nil {
			return nil, fmt.Errorf("entry %d: %w", id, err)
		}
	}
	return rows, nil
}

// spliceEntries returns the entries of a selection, in the export's order, from those of its
// last read (last, in that order): those removed and those read anew (fresh) taken out, fresh put
// in their places (without their texts). With nothing to take out or put in, it is last. It
// copies last in runs between the places that change, a few as a rule: a copy of each entry on
// its own took a tenth of a run after one edit.
func spliceEntries(last []selected, removed []int64, fresh []row, byKey bool) []selected {
	if len(removed) == 0 && len(fresh) == 0 {
		return last
	}
	// Where the entries to take out are, looked for in a sorted list of their ids, without a
	// map's look-up for each entry.
	drop := slices.Clone(removed)
	for _, r := range fresh {
		drop = append(drop, r.id)
	}
	slices.Sort(drop)
	lo, hi := drop[0], drop[len(drop)-1]
	var dropAt []int
	for i := range last {
		if id := last[i].id; lo <= id && id <= hi {
			if _, found := slices.BinarySearch(drop, id); found {
				dropAt = append(dropAt, i)
			}
		}
	}
	// Where the entries read anew go: before the first entry of last that comes after them. An
	// entry taken out there changes nothing: the others keep their order.
	order := func(a, b row) int { return compareExportOrder(byKey, a.key, a.order, b.key, b.order) }
	slices.SortFunc(fresh, order)
	putAt := make([]int, len(fresh))
	for k, r := range fresh {
		putAt[k], _ = slices.BinarySearchFunc(last, r, func(e selected, r row) int {
			if order(e.row, r) < 0 {
				return -1
			}
			return 1
		})
	}
	out := make([]selected, 0, len(last)-len(removed)+len(fresh))
	from := 0 // last[from:] is yet to be copied
	for len(dropAt) > 0 || len(fresh) > 0 {
		if len(fresh) > 0 && (len(dropAt) == 0 || putAt[0] <= dropAt[0]) {
			out = append(out, last[from:putAt[0]]...)
			out = append(out, selected{row: fresh[0]})
			from, fresh, putAt = putAt[0], fresh[1:], putAt[1:]
			continue
		}
		out = append(out, last[from:dropAt[0]]...)
		from, dropAt = dropAt[0]+1, dropAt[1:]
	}
	return append(out, last[from:]...)
}
