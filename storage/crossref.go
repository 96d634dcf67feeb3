package storage

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// The crossref order. BibTeX gives an entry the fields of the entry its crossref names only when
// that entry comes later in the database than every entry that cross-references it (btxdoc: "a
// cross-referenced entry must occur later in the database files than every entry that
// cross-references it"); otherwise it warns and the entry inherits nothing. An export in import
// order of a whole selection writes each file's entries in that file's order, which bibtex read
// as it reads the export. An export by key, or of a list of keys, would put a parent whose key
// sorts first, or that came in from another file before its children, before them: there, each
// entry that another entry of the export cross-references is written right after the last of
// those, and every other entry keeps its place. Matching is by key without regard to ASCII case,
// as bibtex matches (and as the library's keys are unique).
//
// Biber reads the whole file before it resolves crossref and xdata, and has no such rule for
// either; BibLaTeX's xdata is not BibTeX's to read. So only crossref moves entries.

// maxCrossrefDepth bounds the chains of crossrefs placed (a parent with a crossref of its own):
// beyond it, a parent is left where it comes. Cycles, which no order satisfies, are cut where
// they are found.
const maxCrossrefDepth = 32

// xrefEntry is an entry of an export as its crossref order sees it.
type xrefEntry struct {
	id       int64
	order    int64 // its place in the library's order (orderKey), read by exportCrossrefs
	key      string
	crossref string // the key its crossref field names; "" for none
}

// crossrefPlacement says where the entries that must move go: each after the entry it is written
// right after. Nil or empty when no entry moves.
type crossrefPlacement struct {
	after map[int64]int64 // a moved entry: the entry written right before it
	next  map[int64]int64 // the inverse: an entry, the moved entry written right after it
}

// placeCrossrefs returns the crossref placement of an export: entries are, in the order the
// export writes them otherwise, those of its entries that have a crossref and those whose keys
// such crossrefs name (any others are ignored).
func placeCrossrefs(entries []xrefEntry) crossrefPlacement {
	at := make(map[string]int, len(entries))
	for i, e := range entries {
		at[foldKey(e.key)] = i
	}
	children := make([][]int, len(entries))
	found := false
	for i, e := range entries {
		if e.crossref == "" {
			continue
		}
		if j, ok := at[foldKey(e.crossref)]; ok && j != i {
			children[j] = append(children[j], i)
			found = true
		}
	}
	if !found {
		return crossrefPlacement{}
	}
	// An entry's place is the entry heading its run (one that does not move) and how far after it
	// it is written; places compare as pairs.
	type place struct{ head, depth int }
	less := func(a, b place) bool { return a.head < b.head || a.head == b.head && a.depth < b.depth }
	const (
		unplaced = iota
		placing
		placed
	)
	state := make([]uint8, len(entries))
	places := make([]place, len(entries))
	p := crossrefPlacement{after: map[int64]int64{}, next: map[int64]int64{}}
	var settle func(i, level int) place
	settle = func(i, level int) place {
		if state[i] == placed {
			return places[i]
		}
		state[i] = placing
		own := place{head: i}
		if level < maxCrossrefDepth {
			last, lastAt := -1, place{}
			for _, c := range children[i] {
				if state[c] == placing {
					continue // a cycle
				}
				if cp := settle(c, level+1); last < 0 || less(lastAt, cp) {
					last, lastAt = c, cp
				}
			}
			// Each entry has one crossref: no other moved entry goes right after last.
			if last >= 0 && less(own, lastAt) {
				own = place{head: lastAt.head, depth: lastAt.depth + 1}
				p.after[entries[i].id], p.next[entries[last].id] = entries[last].id, entries[i].id
			}
		}
		state[i], places[i] = placed, own
		return own
	}
	for i := range entries {
		if len(children[i]) > 0 {
			settle(i, 0)
		}
	}
	return p
}

// foldKey returns a key as bibtex and the library's NOCASE keys compare it: ASCII capitals as
// small letters.
func foldKey(k string) string {
	for i := 0; i < len(k); i++ {
		if 'A' <= k[i] && k[i] <= 'Z' {
			return strings.Map(func(r rune) rune {
				if 'A' <= r && r <= 'Z' {
					return r + 'a' - 'A'
				}
				return r
			}, k)
		}
	}
	return k
}

// crossrefOrdered reports whether an export with opts writes its entries in the crossref order:
// by key, or a list of keys.
func crossrefOrdered(opts ExportOptions) bool {
	return opts.ByKey || len(opts.Keys) > 0
}

// compareExportOrder compares two entries, by key and place in the library's order (orderKey),
// as an export orders them otherwise: by key (byKey, as SQLite's NOCASE collation does; keys are
// unique so) or in the library's order.
func compareExportOrder(byKey bool, aKey string, aOrder int64, bKey string, bOrder int64) int {
	if byKey {
		if c := compareNoCase(aKey, bKey); c != 0 {
			return c
		}
	}
	return cmp.Compare(aOrder, bOrder)
}

// crossrefFieldLike is a LIKE pattern the fields column of an entry with a crossref field
// matches, in either of its forms (fields.go): LIKE ignores ASCII case, as field names do.
const crossrefFieldLike = `%"name":"crossref"%`

// crossrefOf returns the key the crossref field of an entry names, from its fields column and
// source; "" when it has none.
func crossrefOf(fields, source string) (string, error) {
	e := bib.Entry{Source: source}
	if err := decodeFields(&e, fields); err != nil {
		return "", err
	}
	return strings.TrimSpace(e.Get("crossref")), nil
}

// exportCrossrefs returns the crossref placement of the export of sel, ordered otherwise by key
// (byKey) or in the library's order. It reads the fields of the entries with a crossref field,
// found by a look at their fields column, and the keys of those they name.
func exportCrossrefs(ctx context.Context, tx *sql.Tx, sel exportSelection, byKey bool) (crossrefPlacement, error) {
	rows, err := tx.QueryContext(ctx, `SELECT e.id, `+orderKey("e.")+`, e.key, t.fields, t.source FROM `+sel.from+
		` JOIN entry_text t ON t.id = e.id WHERE `+sel.where+` AND t.fields LIKE ?`, append(slices.Clip(sel.args), crossrefFieldLike)...)
	if err != nil {
		return crossrefPlacement{}, err
	}
	var entries []xrefEntry
	var named []string
	for rows.Next() {
		var x xrefEntry
		var fields, source string
		if err := rows.Scan(&x.id, &x.order, &x.key, &fields, &source); err != nil {
			rows.Close()
			return crossrefPlacement{}, err
		}
		if x.crossref, err = crossrefOf(fields, source); err != nil {
			rows.Close()
			return crossrefPlacement{}, err
		}
		if x.crossref != "" {
			entries = append(entries, x)
			named = append(named, x.crossref)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(entries) == 0 {
		return crossrefPlacement{}, err
	}
	list, err := json.Marshal(named)
	if err != nil {
		return crossrefPlacement{}, err
	}
	// The key column's NOCASE collation makes IN match keys as bibtex does.
	prows, err := tx.QueryContext(ctx, `SELECT e.id, `+orderKey("e.")+`, e.key FROM `+sel.from+` WHERE `+sel.where+
		` AND e.key IN (SELECT value FROM json_each(?))`, append(slices.Clip(sel.args), string(list))...)
	if err != nil {
		return crossrefPlacement{}, err
	}
	seen := map[int64]bool{}
	for _, x := range entries {
		seen[x.id] = true
	}
	for prows.Next() {
		var x xrefEntry
		if err := prows.Scan(&x.id, &x.order, &x.key); err != nil {
			prows.Close()
			return crossrefPlacement{}, err
		}
		if !seen[x.id] {
			entries = append(entries, x)
		}
	}
	prows.Close()
	if err := prows.Err(); err != nil {
		return crossrefPlacement{}, err
	}
	slices.SortFunc(entries, func(a, b xrefEntry) int { return compareExportOrder(byKey, a.key, a.order, b.key, b.order) })
	return placeCrossrefs(entries), nil
}

// ids returns the entries p moves and those they go after.
func (p crossrefPlacement) ids() []int64 {
	var ids []int64
	for id, to := range p.after {
		ids = append(ids, id, to)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// placer writes the entries of an export in the crossref order p, given them in the order the
// export writes them otherwise: it holds an entry that moves until the entry it goes after is
// written. Such an entry always comes before that one (it goes later than it came), so nothing
// stays held but for an inconsistent placement, which flush writes out at the end.
type placer[T any] struct {
	p    crossrefPlacement
	held map[int64]T
	emit func(T) error
}

func newPlacer[T any](p crossrefPlacement, emit func(T) error) *placer[T] {
	return &placer[T]{p: p, held: map[int64]T{}, emit: emit}
}

// add takes the next entry, id with v, in the order otherwise.
func (q *placer[T]) add(id int64, v T) error {
	if _, moved := q.p.after[id]; moved {
		q.held[id] = v
		return nil
	}
	if err := q.emit(v); err != nil {
		return err
	}
	for id, ok := q.p.next[id]; ok; id, ok = q.p.next[id] {
		v, held := q.held[id]
		if !held {
			break
		}
		delete(q.held, id)
		if err := q.emit(v); err != nil {
			return err
		}
	}
	return nil
}

// flush writes what is still held, by id.
func (q *placer[T]) flush() error {
	ids := make([]int64, 0, len(q.held))
	for id := range q.held {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := q.emit(q.held[id]); err != nil {
			return err
		}
	}
	clear(q.held)
	return nil
}

// withCrossrefParents returns sel with the entries outside the trash that its entries name in a
// crossref field, and those that these name, to maxCrossrefDepth; and whether it added any. The
// selection it returns is by entry id, so that a search's words do not leave the parents out.
func withCrossrefParents(ctx context.Context, tx *sql.Tx, sel exportSelection) (exportSelection, bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT t.fields, t.source FROM `+sel.from+` JOIN entry_text t ON t.id = e.id WHERE `+
		sel.where+` AND t.fields LIKE ?`, append(slices.Clip(sel.args), crossrefFieldLike)...)
	if err != nil {
		return sel, false, err
	}
	named, err := crossrefsIn(rows)
	if err != nil {
		return sel, false, err
	}
	asked := map[string]bool{}
	var added []int64
	for depth := 0; len(named) > 0 && depth < maxCrossrefDepth; depth++ {
		var keys []string
		for _, k := range named {
			if f := foldKey(k); !asked[f] {
				asked[f] = true
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			break
		}
		list, err := json.Marshal(keys)
		if err != nil {
			return sel, false, err
		}
		// The key column's NOCASE collation makes IN match keys as bibtex does.
		rows, err := tx.QueryContext(ctx, `SELECT e.id, t.fields, t.source FROM entries e JOIN entry_text t ON t.id = e.id
			WHERE e.trashed IS NULL AND e.key IN (SELECT value FROM json_each(?))
			AND e.id NOT IN (SELECT e.id FROM `+sel.from+` WHERE `+sel.where+`)`, append([]any{string(list)}, sel.args...)...)
		if err != nil {
			return sel, false, err
		}
		named = named[:0]
		for rows.Next() {
			var id int64
			var fields, source string
			if err := rows.Scan(&id, &fields, &source); err != nil {
				rows.Close()
				return sel, false, err
			}
			added = append(added, id)
			k, err := crossrefOf(fields, source)
			if err != nil {
				rows.Close()
				return sel, false, err
			}
			if k != "" {
				named = append(named, k)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return sel, false, err
		}
	}
	if len(added) == 0 {
		return sel, false, nil
	}
	ids, err := json.Marshal(added)
	if err != nil {
		return sel, false, err
	}
	return exportSelection{
		from: "entries e",
		where: `e.trashed IS NULL AND (e.id IN (SELECT e.id FROM ` + sel.from + ` WHERE ` + sel.where +
			`) OR e.id IN (SELECT value FROM json_each(?)))`,
		order: sel.order,
		args:  append(slices.Clip(sel.args), string(ids)),
	}, true, nil
}

// crossrefsIn returns the keys that the crossref fields of rows of fields and source name, and
// closes rows.
func crossrefsIn(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var named []string
	for rows.Next() {
		var fields, source string
		if err := rows.Scan(&fields, &source); err != nil {
			return nil, err
		}
		k, err := crossrefOf(fields, source)
		if err != nil {
			return nil, err
		}
		if k != "" {
			named = append(named, k)
		}
	}
	return named, rows.Err()
}
