package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// SearchOptions says which entries a search returns, in which order.
type SearchOptions struct {
	Filter Filter // what the window selects by identity (a collection, tags, flags)
	Query  string // what the user typed, in the query language (see query.go); may be empty
	// Sort is the list column to sort by: "title", "authors", "year", "venue", "key" or "added";
	// empty sorts by relevance when the query has words, else in library order.
	Sort   string
	Desc   bool
	Offset int
	Limit  int
}

// Equal reports whether two searches ask for the same rows in the same order. (Filter holds a
// slice: SearchOptions cannot be compared with ==.)
func (o SearchOptions) Equal(p SearchOptions) bool {
	return o.Filter.Equal(p.Filter) && o.Query == p.Query && o.Sort == p.Sort && o.Desc == p.Desc &&
		o.Offset == p.Offset && o.Limit == p.Limit
}

// sortColumns maps Sort to SQL. Rows alike in it (and in a search's rank) come in the library's
// order (entryOrder), which makes the order total and paging stable, and the same in every
// replica of a shared library: by local ids, replicas would order ties each its own way.
var sortColumns = map[string]string{
	"title":   "e.title COLLATE NOCASE",
	"authors": "e.first_author COLLATE NOCASE",
	"year":    "e.year",
	"venue":   "e.venue COLLATE NOCASE",
	"key":     "e.key COLLATE NOCASE",
	"added":   "e.created",
}

// SearchWith returns one page of the entries matching a query, not in the trash.
func (l *Library) SearchWith(ctx context.Context, opts SearchOptions) ([]Row, error) {
	q := compile(opts.Filter, opts.Query)
	if q.err != nil {
		return nil, fmt.Errorf("search: %w", q.err)
	}
	from, where, args := q.sql()
	// The library's order: the whole order when no column is chosen, else what decides ties.
	libOrder, err := l.pageOrder(ctx)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	var order string
	if col, ok := sortColumns[opts.Sort]; ok {
		order = col
		if q.match != "" {
			var n int
			if err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM entries_fts WHERE entries_fts MATCH ? LIMIT ?)`,
				q.match, sortedScanMatches).Scan(&n); err != nil {
				return nil, fmt.Errorf("search %q: %w", opts.Query, err)
			}
			if n >= sortedScanMatches {
				from, where, args = q.sqlInOrder()
			}
		}
	} else if q.match != "" {
		order = "bm25(entries_fts, 5, 10, 5, 2, 1, 3, 1)"
	} else {
		order = string(libOrder)
	}
	dir := ""
	if opts.Desc {
		dir = " DESC"
	}
	ties := ", " + string(libOrder) + dir
	if order == string(libOrder) {
		ties = ""
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var rows *sql.Rows
	if q.match != "" && len(q.where) == 0 && opts.Sort == "" && !opts.Desc && limit > 0 {
		// Words only, best first: rank the index's matches and read only a page's rows, instead
		// of reading every matching row to sort them. The page is taken from enough of the best
		// matches to make up for those in the trash.
		var trashed int
		if err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE trashed IS NOT NULL`).Scan(&trashed); err != nil {
			return nil, fmt.Errorf("search %q: %w", opts.Query, err)
		}
		rows, err = l.db.QueryContext(ctx, `SELECT e.key, e.type, e.title, e.authors, e.first_author, e.year, e.venue, e.created
			FROM (SELECT rowid, bm25(entries_fts, 5, 10, 5, 2, 1, 3, 1) AS score FROM entries_fts
				WHERE entries_fts MATCH ? ORDER BY score LIMIT ?) f
			JOIN entries e ON e.id = f.rowid WHERE e.trashed IS NULL
			ORDER BY f.score`+dir+ties+` LIMIT ? OFFSET ?`,
			q.match, max(opts.Offset, 0)+limit+trashed, limit, max(opts.Offset, 0))
	} else {
		rows, err = l.db.QueryContext(ctx, `SELECT e.key, e.type, e.title, e.authors, e.first_author, e.year, e.venue, e.created
			FROM `+from+` WHERE `+where+` ORDER BY `+order+dir+ties+` LIMIT ? OFFSET ?`,
			append(args, limit, max(opts.Offset, 0))...)
	}
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", opts.Query, err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		var added int64
		if err := rows.Scan(&r.Key, &r.Type, &r.Title, &r.Authors, &r.FirstAuthor, &r.Year, &r.Venue, &added); err != nil {
			return nil, fmt.Errorf("search %q: %w", opts.Query, err)
		}
		r.Added = time.UnixMilli(added)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search %q: %w", opts.Query, err)
	}
	return out, nil
}

// CountMatches returns how many entries, not in the trash, match a filter and a query.
func (l *Library) CountMatches(ctx context.Context, f Filter, query string) (int, error) {
	return countMatches(ctx, l.db, f, query)
}

// rowQuerier is what countMatches reads through: a pool or a transaction.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// countMatches is CountMatches, read through q.
func countMatches(ctx context.Context, q rowQuerier, f Filter, query string) (int, error) {
	c := compile(f, query)
	if c.err != nil {
		return 0, fmt.Errorf("count: %w", c.err)
	}
	from, where, args := c.sql()
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+from+` WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %q: %w", query, err)
	}
	return n, nil
}

// sql returns the FROM and WHERE clauses of a compiled query over entries e (and the FTS
// index f when the query has words), and their arguments in order.
func (c compiled) sql() (from, where string, args []any) {
	from = "entries e"
	conds := []string{"e.trashed IS NULL"}
	if c.match != "" {
		from = "entries_fts f JOIN entries e ON e.id = f.rowid"
		conds = append(conds, "entries_fts MATCH ?")
		args = append(args, c.match)
	}
	conds = append(conds, c.where...)
	args = append(args, c.args...)
	return from, strings.Join(conds, " AND "), args
}

// sortedScanMatches is the number of matches from which a sorted search walks the list index
// (sqlInOrder) rather than read and sort the rows of the matches: about 3 ms' worth of rows at
// 100,000 entries, while the walk then meets a match every hundred entries or so.
const sortedScanMatches = 1000

// sqlInOrder is sql for a page in the order of a list column: SQLite walks that column's index
// from the page's start and keeps the entries the words match, a set of ids it gathers from the
// search index first. Joined to the index's matches instead, it reads the row of every match, a
// quarter of the library for "network", to sort them (55 ms by year at 100,000 entries, against
// 5 ms). The + keeps the id test from being used to look the rows up. Words that match few
// entries are left to the join: the walk would go through the whole index (8 ms at 100,000)
// where the join reads a handful of rows.
func (c compiled) sqlInOrder() (from, where string, args []any) {
	conds := append([]string{"e.trashed IS NULL", "+e.id IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)"}, c.where...)
	return "entries e", strings.Join(conds, " AND "), append([]any{c.match}, c.args...)
}

// Row is an entry as the list and the search command show it.
type Row struct {
	Key, Type, Title, Authors, FirstAuthor, Year, Venue string
	Added                                               time.Time // when it came into the library
}

// Search returns up to limit entries matching a query in the query language (see query.go),
// from offset on, best matches first; an empty query lists the library in import order. Entries
// in the trash are left out. Any text is a valid query.
func (l *Library) Search(ctx context.Context, query string, offset, limit int) ([]Row, error) {
	return l.SearchWith(ctx, SearchOptions{Query: query, Offset: offset, Limit: limit})
}
