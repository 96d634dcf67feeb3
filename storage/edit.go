package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/bibshelf/bibshelf/bib"
)

// UpdateEntry replaces the entry with the given key by e, which may have another key, type and
// fields. An e that still has the source it was parsed from (an edit in BibTeX form) is exported
// as that text; one changed with bib.Entry.Set has none and is exported in the canonical form.
// The entry keeps its tags, collections, notes, attachments, flags and creation time. A new key
// taken by another entry is an error matching fs.ErrExist.
func (l *Library) UpdateEntry(ctx context.Context, key string, e *bib.Entry) error {
	if err := checkEntry(e); err != nil {
		return fmt.Errorf("update %q: %w", key, err)
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("update %q: %w", key, err)
	}
	defer tx.Rollback()
	if err := updateEntryIn(ctx, tx, key, e); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("update %q: %w", key, err)
	}
	return nil
}

// updateEntryIn is UpdateEntry in tx.
func updateEntryIn(ctx context.Context, tx *sql.Tx, key string, e *bib.Entry) error {
	id, err := entryID(ctx, tx, key)
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	if other, err := entryID(ctx, tx, e.Key); err == nil && other != id {
		return fmt.Errorf("update %q: %w", key, exist(fmt.Sprintf("the key %q is taken by another entry", e.Key)))
	}
	c, err := editContext(ctx, tx, e, []int64{id})
	if err != nil {
		return fmt.Errorf("update %q: %w", key, err)
	}
	if err := updateEntry(ctx, tx, id, e.Key, e.Type, entryRow(e), c, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("update %q: %w", key, err)
	}
	// The identity is what duplicate detection compares: a changed DOI or title must count.
	if err := setIdentity(ctx, tx, id, e); err != nil {
		return fmt.Errorf("update %q: %w", key, err)
	}
	return nil
}

// AddEntry adds one new entry, made in the window rather than imported, and returns its key. An
// entry without a key gets one from the key pattern (bib.PatternJabRef when empty); a key the
// library has is an error matching fs.ErrExist.
func (l *Library) AddEntry(ctx context.Context, e *bib.Entry, keyPattern string) (string, error) {
	if keyPattern == "" {
		keyPattern = bib.PatternJabRef
	}
	pattern, err := bib.ParsePattern(keyPattern)
	if err != nil {
		return "", fmt.Errorf("add entry: %w", err)
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("add entry: %w", err)
	}
	defer tx.Rollback()
	if e.Key == "" {
		if e, err = withNewKey(ctx, tx, e, pattern, nil); err != nil {
			return "", fmt.Errorf("add entry: %w", err)
		}
	}
	if err := checkEntry(e); err != nil {
		return "", fmt.Errorf("add entry: %w", err)
	}
	if _, err := entryID(ctx, tx, e.Key); err == nil {
		return "", fmt.Errorf("add entry: %w", exist(fmt.Sprintf("the key %q is taken by another entry", e.Key)))
	}
	c, err := editedContext(ctx, tx, e, nil)
	if err != nil {
		return "", fmt.Errorf("add entry: %w", err)
	}
	id, err := insertEntry(ctx, tx, e.Key, e.Type, entryRow(e), c, "", time.Now().UnixMilli())
	if err != nil {
		return "", fmt.Errorf("add entry %q: %w", e.Key, err)
	}
	if err := setIdentity(ctx, tx, id, e); err != nil {
		return "", fmt.Errorf("add entry: %w", err)
	}
	return e.Key, tx.Commit()
}

// checkEntry refuses what BibTeX could not read back: a bad key or type, a field without a name
// or with unbalanced braces.
func checkEntry(e *bib.Entry) error {
	if err := bib.CheckKey(e.Key); err != nil {
		return err
	}
	if err := bib.CheckType(e.Type); err != nil {
		return err
	}
	for _, f := range e.Fields {
		if strings.TrimSpace(f.Name) == "" {
			return fmt.Errorf("a field has no name")
		}
		if !bib.Balanced(f.Raw) {
			return fmt.Errorf("field %s: %w", f.Name, bib.ErrUnbalanced)
		}
	}
	return nil
}
