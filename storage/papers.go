package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/bibshelf/bibshelf/bib"
)

// Paper is a LaTeX paper the library knows: a .tex, .aux or .bcf file or a paper's folder.
type Paper struct {
	Path string // absolute
	// Added and Checked are when it was first and last recorded.
	Added, Checked time.Time
}

// AddPaper records a paper the library knows, or the time it was checked again. path is made
// absolute.
func (l *Library) AddPaper(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("add paper: %w", err)
	}
	now := time.Now().UnixMilli()
	if _, err := l.db.ExecContext(ctx, `INSERT INTO papers (path, added, checked) VALUES (?, ?, ?)
		ON CONFLICT (path) DO UPDATE SET checked = excluded.checked`, abs, now, now); err != nil {
		return fmt.Errorf("add paper %s: %w", abs, err)
	}
	return nil
}

// Papers returns the papers the library knows, by path.
func (l *Library) Papers(ctx context.Context) ([]Paper, error) {
	return papers(ctx, l.rdb)
}

func papers(ctx context.Context, q querier) ([]Paper, error) {
	rows, err := q.QueryContext(ctx, `SELECT path, added, checked FROM papers ORDER BY path`)
	if err != nil {
		return nil, fmt.Errorf("list papers: %w", err)
	}
	defer rows.Close()
	var out []Paper
	for rows.Next() {
		var p Paper
		var added, checked int64
		if err := rows.Scan(&p.Path, &added, &checked); err != nil {
			return nil, fmt.Errorf("list papers: %w", err)
		}
		p.Added, p.Checked = time.UnixMilli(added), time.UnixMilli(checked)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list papers: %w", err)
	}
	return out, nil
}

// RemovePaper forgets a paper; one the library does not know is an error matching
// fs.ErrNotExist.
func (l *Library) RemovePaper(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("remove paper: %w", err)
	}
	res, err := l.db.ExecContext(ctx, `DELETE FROM papers WHERE path = ?`, abs)
	if err != nil {
		return fmt.Errorf("remove paper %s: %w", abs, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("remove paper %s: the library does not know it: %w", abs, fs.ErrNotExist)
	}
	return nil
}

// EntriesByKey returns the entries of the given keys, looked up case-insensitively as BibTeX
// does, in one read transaction, leaving out those in the trash (as Export does). The map is
// keyed by the key as asked; the entry has its key as the library writes it. Keys the library
// does not have are not in the map.
func (l *Library) EntriesByKey(ctx context.Context, keys []string) (map[string]*bib.Entry, error) {
	tx, err := l.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `SELECT e.key, e.type, t.fields, t.source, e.context
		FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.key = ? AND e.trashed IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	defer st.Close()
	out := make(map[string]*bib.Entry, len(keys))
	for _, k := range keys {
		if _, ok := out[k]; ok {
			continue
		}
		var e bib.Entry
		var fields string
		var rc sql.NullString
		err := st.QueryRowContext(ctx, k).Scan(&e.Key, &e.Type, &fields, &e.Source, &rc)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read entry %q: %w", k, err)
		}
		if err := decodeFields(&e, fields); err != nil {
			return nil, fmt.Errorf("read entry %q: %w", k, err)
		}
		c, _, err := decodeContext(rc)
		if err != nil {
			return nil, fmt.Errorf("read entry %q: %w", k, err)
		}
		e.Broken, e.Prefix = c.Broken, c.Prefix
		out[k] = &e
	}
	return out, nil
}
