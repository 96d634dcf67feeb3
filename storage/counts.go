package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Counts is what a library's sidebar shows, read at one moment: how many entries each view
// holds, not counting the trash (but Trash).
type Counts struct {
	Total, Unread, Starred, Unfiled, Recent, Trash int
	// Tags are the tags, children after their parent, each counting the entries that have it or
	// one of its children; TagParents counts the parents of tags that are not tags themselves
	// (ml for ml/vision), by name.
	Tags       []Tag
	TagParents map[string]int
	// Collections are the collections in tree order; InCollections counts, by id, the entries
	// of each with those of its sub-collections, as Filter.Collection selects them.
	Collections   []Collection
	InCollections map[int64]int
	// Saved are the saved searches by name, and SavedCounts their matches, in that order.
	Saved       []SavedSearch
	SavedCounts []int
	// Papers are the LaTeX papers the library knows, by path.
	Papers []Paper
}

// Counts reads everything a sidebar counts, in one read transaction, with Recent counting the
// entries added in the last recentDays days.
func (l *Library) Counts(ctx context.Context, recentDays int) (Counts, error) {
	tx, err := l.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Counts{}, fmt.Errorf("count: %w", err)
	}
	defer tx.Rollback()
	c := Counts{TagParents: map[string]int{}, InCollections: map[int64]int{}}
	if err := c.read(ctx, tx, recentDays); err != nil {
		return Counts{}, fmt.Errorf("count: %w", err)
	}
	return c, nil
}

func (c *Counts) read(ctx context.Context, tx *sql.Tx, recentDays int) error {
	for _, n := range []struct {
		to *int
		f  Filter
	}{{&c.Total, Filter{}}, {&c.Unread, Filter{Unread: true}}, {&c.Starred, Filter{Starred: true}},
		{&c.Unfiled, Filter{Unfiled: true}}, {&c.Recent, Filter{AddedDays: recentDays}}} {
		var err error
		if *n.to, err = countMatches(ctx, tx, n.f, ""); err != nil {
			return err
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE trashed IS NOT NULL`).Scan(&c.Trash); err != nil {
		return err
	}
	var err error
	if c.Tags, err = tags(ctx, tx); err != nil {
		return err
	}
	for _, p := range tagParents(c.Tags) {
		if c.TagParents[p], err = countMatches(ctx, tx, Filter{Tags: []string{p}}, ""); err != nil {
			return err
		}
	}
	if c.Collections, err = collections(ctx, tx, ""); err != nil {
		return err
	}
	if err := c.readCollectionTotals(ctx, tx); err != nil {
		return err
	}
	if c.Saved, err = savedSearches(ctx, tx); err != nil {
		return err
	}
	for _, ss := range c.Saved {
		n, err := countMatches(ctx, tx, ss.Filter, ss.Query)
		if err != nil {
			return fmt.Errorf("saved search %q: %w", ss.Name, err)
		}
		c.SavedCounts = append(c.SavedCounts, n)
	}
	c.Papers, err = papers(ctx, tx)
	return err
}

// readCollectionTotals counts every collection's entries with its sub-collections' in one
// statement: each collection is paired with itself and everything under it.
func (c *Counts) readCollectionTotals(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `WITH RECURSIVE tree(root, id) AS (
			SELECT id, id FROM collections
			UNION ALL SELECT t.root, c.id FROM collections c JOIN tree t ON c.parent_id = t.id)
		SELECT t.root, count(DISTINCT ce.entry_id) FROM tree t
		JOIN collection_entries ce ON ce.collection_id = t.id
		JOIN entries e ON e.id = ce.entry_id AND e.trashed IS NULL
		GROUP BY t.root`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		c.InCollections[id] = n
	}
	return rows.Err()
}

// tagParents returns the parents of tags that are not tags themselves.
func tagParents(tags []Tag) []string {
	have := map[string]bool{}
	for _, t := range tags {
		have[strings.ToLower(t.Name)] = true
	}
	var out []string
	for _, t := range tags {
		parts := strings.Split(t.Name, "/")
		for i := 1; i < len(parts); i++ {
			p := strings.Join(parts[:i], "/")
			if !have[strings.ToLower(p)] {
				have[strings.ToLower(p)] = true
				out = append(out, p)
			}
		}
	}
	return out
}
