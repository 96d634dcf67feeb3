package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// An entry's values are written in two rows: the entries row with the columns of rowColumns, and
// the entry_text row with those of textColumns (see migration 0006).
const (
	rowColumns  = "title, authors, first_author, year, venue, keywords"
	textColumns = "fields, source, abstract"
	// rowValues is the number of values of rowColumns, which come first in an entryRow.
	rowValues = 6
)

// entryRow returns the values of an entry's rowColumns then its textColumns.
func entryRow(e *bib.Entry) []any {
	return entryValues(e, listingOf(e), string(appendFieldsJSON(nil, e.Fields)))
}

// entryValues is entryRow with the entry's listing (listingOf) and the value of the fields
// column given.
func entryValues(e *bib.Entry, l listing, fields any) []any {
	return []any{l.title, bib.Authors(e), l.firstAuthor, listYearOf(e, l.year), bib.Plain(bib.Venue(e)),
		bib.Plain(e.Get("keywords")), fields, e.Source, bib.Plain(e.Get("abstract"))}
}

// listing is what an entry's row and its identity's title key both read: its title as plain
// text, its first author's last name (bib.FirstAuthor) and its year (bib.Year). An import
// computes it once for both.
type listing struct{ title, firstAuthor, year string }

func listingOf(e *bib.Entry) listing {
	return listing{title: bib.Plain(e.Get("title")), firstAuthor: bib.FirstAuthor(e), year: bib.Year(e)}
}

// listYear is what the list's Year column holds, sorts by and the year: search matches: the
// entry's four-digit year, or the year field as LaTeX shows it when it has none (in press).
func listYear(e *bib.Entry) string { return listYearOf(e, bib.Year(e)) }

// listYearOf is listYear with the entry's bib.Year given.
func listYearOf(e *bib.Entry, year string) string {
	if year != "" {
		return year
	}
	return strings.TrimSpace(bib.Plain(e.Get("year")))
}

// insertEntry adds an entry's two rows, from row (an entryRow), with its context, and returns
// its id.
func insertEntry(ctx context.Context, tx *sql.Tx, key, typ string, row []any, c readContext, origin string, created int64) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO entries (key, type, `+rowColumns+`, origin, created, modified, context)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(append([]any{key, typ}, row[:rowValues]...), origin, created, created, c.encode())...)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO entry_text (id, `+textColumns+`) VALUES (?, ?, ?, ?)`,
		append([]any{id}, row[rowValues:]...)...)
	return id, err
}

// updateEntry writes row (an entryRow) into the entry id's two rows, with its type, key and
// modification time, and its context unless c is nil.
func updateEntry(ctx context.Context, tx *sql.Tx, id int64, key, typ string, row []any, c *readContext, modified int64) error {
	set, args := "", append(append([]any{key, typ}, row[:rowValues]...), modified)
	if c != nil {
		set, args = ", context = ?", append(args, c.encode())
	}
	if _, err := tx.ExecContext(ctx, `UPDATE entries SET key = ?, type = ?, title = ?, authors = ?, first_author = ?,
		year = ?, venue = ?, keywords = ?, modified = ?`+set+` WHERE id = ?`, append(args, id)...); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE entry_text SET fields = ?, source = ?, abstract = ? WHERE id = ?`,
		append(slices.Clip(row[rowValues:]), id)...)
	return err
}

// Entry returns the entry with the given key (case-insensitive), or ErrNotFound.
func (l *Library) Entry(ctx context.Context, key string) (*bib.Entry, error) {
	var e bib.Entry
	var fields string
	var rc sql.NullString
	err := l.db.QueryRowContext(ctx, `SELECT e.key, e.type, t.fields, t.source, e.context FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.key = ?`, key).
		Scan(&e.Key, &e.Type, &fields, &e.Source, &rc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%q: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get entry %q: %w", key, err)
	}
	if err := decodeFields(&e, fields); err != nil {
		return nil, fmt.Errorf("get entry %q: %w", key, err)
	}
	c, _, err := decodeContext(rc)
	if err != nil {
		return nil, fmt.Errorf("get entry %q: %w", key, err)
	}
	e.Broken, e.Prefix = c.Broken, c.Prefix
	return &e, nil
}

// EachEntry calls fn with each entry, not in the trash, that the filter and the query (as
// SearchOptions take them) select, in library order, as Entry reads it. The entries are read in
// one read transaction: a snapshot, which writes made meanwhile do not change, so entries to
// change are best changed after it returns. fn's entry is its own to keep or change. The first
// error fn returns stops the reading and is returned as it is.
func (l *Library) EachEntry(ctx context.Context, f Filter, query string, fn func(*bib.Entry) error) error {
	q := compile(f, query)
	if q.err != nil {
		return fmt.Errorf("read entries: %w", q.err)
	}
	tx, err := l.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	defer tx.Rollback()
	order, err := entryOrderOf(ctx, tx)
	if err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	from, where, args := q.sql()
	rows, err := tx.QueryContext(ctx, `SELECT e.key, e.type, t.fields, t.source, e.context FROM `+from+`
		JOIN entry_text t ON t.id = e.id WHERE `+where+` ORDER BY `+string(order), args...)
	if err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e bib.Entry
		var fields string
		var rc sql.NullString
		if err := rows.Scan(&e.Key, &e.Type, &fields, &e.Source, &rc); err != nil {
			return fmt.Errorf("read entries: %w", err)
		}
		if err := decodeFields(&e, fields); err != nil {
			return fmt.Errorf("read entry %q: %w", e.Key, err)
		}
		c, _, err := decodeContext(rc)
		if err != nil {
			return fmt.Errorf("read entry %q: %w", e.Key, err)
		}
		e.Broken, e.Prefix = c.Broken, c.Prefix
		if err := fn(&e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	return nil
}
