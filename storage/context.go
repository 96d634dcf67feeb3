package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/bibshelf/bibshelf/bib"
)

// readContext is what an entry's own file said around it that BibTeX's reading of the entry
// depends on (and the same for an @string or @preamble item): kept so that an export of entries
// from many files writes each one so that it reads as it read in its file (see migration 0008).
// It is stored as JSON in the context columns, as the empty string when it is empty (most
// entries name no macro), and as NULL for what an earlier version stored.
type readContext = contextOf[int64]

// contextOf is a reading context whose @string items are named by ID: their ids in the library
// (readContext), or their global ids in a shared library (sharedContext, replica.go).
type contextOf[ID any] struct {
	// Strings are the @string items whose macros its values use, each the definition in force
	// where it stood in its file.
	Strings []ID `json:"strings,omitempty"`
	// Undefined names the macros its values use that its file had not defined where it stood:
	// BibTeX reads each as empty text (and warns).
	Undefined []string `json:"undefined,omitempty"`
	// Months names the month abbreviations its values use that its file had not redefined:
	// the bibliography style defines them.
	Months []string `json:"months,omitempty"`
	// Broken says the entry was read with a syntax error (bib.Entry.Broken).
	Broken bool `json:"broken,omitempty"`
	// Prefix is the text before its @ on its line when that held a %, which biber reads as a
	// comment (bib.Item.Prefix): exports write it too.
	Prefix string `json:"prefix,omitempty"`
}

func (c contextOf[ID]) empty() bool {
	return len(c.Strings) == 0 && len(c.Undefined) == 0 && len(c.Months) == 0 && !c.Broken && c.Prefix == ""
}

// encode returns the value of a context column.
func (c contextOf[ID]) encode() string {
	if c.empty() {
		return ""
	}
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // ids, strings and a bool always marshal
	}
	return string(b)
}

// decodeContext reads a context column of the library; legacy reports NULL, a context an
// earlier version left unknown.
func decodeContext(col sql.NullString) (c readContext, legacy bool, err error) {
	return decodeContextOf[int64](col)
}

// decodeContextOf reads a context column whose @string items are named by ID: the library's
// (decodeContext), or a shared library's (sharedContext, by GlobalID).
func decodeContextOf[ID any](col sql.NullString) (c contextOf[ID], legacy bool, err error) {
	if !col.Valid {
		return contextOf[ID]{}, true, nil
	}
	if col.String == "" {
		return contextOf[ID]{}, false, nil
	}
	if err := json.Unmarshal([]byte(col.String), &c); err != nil {
		return contextOf[ID]{}, false, fmt.Errorf("read context: %w", err)
	}
	return c, false, nil
}

// macroScope is the macros an import's file has defined so far: each name's @string item in
// the library, as the file is read in order.
type macroScope map[string]int64

// contextOf returns the context of a value or entry of the file that uses the macros names,
// where the scope stands.
func (s macroScope) contextOf(names []string) readContext {
	var c readContext
	for _, n := range names {
		switch id, ok := s[n]; {
		case ok:
			if !slices.Contains(c.Strings, id) {
				c.Strings = append(c.Strings, id)
			}
		case bib.IsMonth(n):
			c.Months = append(c.Months, n)
		default:
			c.Undefined = append(c.Undefined, n)
		}
	}
	slices.Sort(c.Strings)
	return c
}

// editedContext returns the context of an entry written in the window: an edit of an entry
// whose context was was (nil for a new entry). A macro name the entry used before keeps the
// definition it had; a name it did not use means the library's newest @string of that name,
// as a name typed in the window reads the library's macros.
func editedContext(ctx context.Context, tx *sql.Tx, e *bib.Entry, was *readContext) (readContext, error) {
	var c readContext
	c.Broken = e.Broken && e.Source != ""
	c.Prefix = e.Prefix
	names := e.MacroNames()
	if len(names) == 0 {
		return c, nil
	}
	had := map[string]int64{}
	if was != nil {
		if err := stringNames(ctx, tx, was.Strings, had); err != nil {
			return c, err
		}
	}
	for _, n := range names {
		if id, ok := had[n]; ok {
			c.Strings = append(c.Strings, id)
			continue
		}
		if was != nil && (slices.Contains(was.Undefined, n) || slices.Contains(was.Months, n)) {
			if bib.IsMonth(n) {
				c.Months = append(c.Months, n)
			} else {
				c.Undefined = append(c.Undefined, n)
			}
			continue
		}
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM items WHERE kind = 'string' AND name = ? COLLATE NOCASE
			ORDER BY id DESC LIMIT 1`, n).Scan(&id)
		switch {
		case err == nil:
			c.Strings = append(c.Strings, id)
		case !errors.Is(err, sql.ErrNoRows):
			return c, err
		case bib.IsMonth(n):
			c.Months = append(c.Months, n)
		default:
			c.Undefined = append(c.Undefined, n)
		}
	}
	slices.Sort(c.Strings)
	c.Strings = slices.Compact(c.Strings)
	return c, nil
}

// editContext returns the context of e, an edit of the entry ids[0] into which the entries
// ids[1:] may have been merged: the macro names e uses keep the definitions they had in the
// first of those entries that used them. It returns nil, to leave the context as it is, for an
// entry stored before contexts were kept.
func editContext(ctx context.Context, tx *sql.Tx, e *bib.Entry, ids []int64) (*readContext, error) {
	var was readContext
	for i, id := range ids {
		c, legacy, err := entryContext(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if legacy && i == 0 {
			return nil, nil
		}
		was.Strings = append(was.Strings, c.Strings...)
		was.Undefined = append(was.Undefined, c.Undefined...)
		was.Months = append(was.Months, c.Months...)
	}
	c, err := editedContext(ctx, tx, e, &was)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// stringNames adds the lower-case macro name of each @string item of ids to names, unless names
// has that name already.
func stringNames(ctx context.Context, tx *sql.Tx, ids []int64, names map[string]int64) error {
	for _, id := range ids {
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT lower(name) FROM items WHERE id = ?`, id).Scan(&name); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			return err
		}
		if _, ok := names[name]; !ok {
			names[name] = id
		}
	}
	return nil
}

// entryContext returns the stored context of the entry id.
func entryContext(ctx context.Context, tx *sql.Tx, id int64) (c readContext, legacy bool, err error) {
	var col sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT context FROM entries WHERE id = ?`, id).Scan(&col); err != nil {
		return c, false, err
	}
	return decodeContext(col)
}
