package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// This file holds what users organise their library with: tags, collections, saved searches,
// notes, attached files, read/rating/starred flags, the trash and pairs marked "not a duplicate".
// Entries are named by their citation key, case-insensitively; a key the library does not have
// is an error matching ErrNotFound (and so fs.ErrNotExist). A method given several keys changes
// all of them or, when one is missing, none.
//
// Each method that writes is one transaction. Each that only reads is one statement instead:
// the connections begin transactions IMMEDIATE, which would make a read wait for the write lock
// behind an import, where a statement in WAL mode reads its own snapshot at once.

// notExist is the error for a tag, collection, saved search or attachment the library does not
// have. It matches fs.ErrNotExist, as ErrNotFound does for entries, without its "file" wording.
type notExist string

func (e notExist) Error() string        { return string(e) }
func (e notExist) Is(target error) bool { return target == fs.ErrNotExist }

// exist is the error for a name already taken; it matches fs.ErrExist.
type exist string

func (e exist) Error() string        { return string(e) }
func (e exist) Is(target error) bool { return target == fs.ErrExist }

// entryID returns the id of the entry with the given key, in the trash or not.
func entryID(ctx context.Context, tx *sql.Tx, key string) (int64, error) {
	return scanEntryID(tx.QueryRowContext(ctx, `SELECT id FROM entries WHERE key = ?`, key), key)
}

// scanEntryID reads the id a look-up of key found, or says it found none.
func scanEntryID(row *sql.Row, key string) (int64, error) {
	var id int64
	err := row.Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%q: %w", key, ErrNotFound)
	}
	return id, err
}

func entryIDs(ctx context.Context, tx *sql.Tx, keys []string) ([]int64, error) {
	// Prepared once: a selection of the whole library is 100,000 keys.
	st, err := tx.PrepareContext(ctx, `SELECT id FROM entries WHERE key = ?`)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ids := make([]int64, 0, len(keys))
	for _, k := range keys {
		id, err := scanEntryID(st.QueryRowContext(ctx, k), k)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// execEach runs a statement once per entry id, with args before the id, and marks in changed
// (as long as ids) the ids whose run changed a row: those an undo must change back.
func execEach(ctx context.Context, tx *sql.Tx, query string, ids []int64, changed []bool, args ...any) error {
	st, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer st.Close()
	for i, id := range ids {
		res, err := st.ExecContext(ctx, append(args, id)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n > 0 {
			changed[i] = true
		}
	}
	return nil
}

// changedKeys returns the keys whose entries changed, in the order of keys, each once.
func changedKeys(keys []string, changed []bool) []string {
	var out []string
	seen := map[string]bool{}
	for i, k := range keys {
		if changed[i] && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// cleanName trims a name and refuses an empty one, or one with control characters: they cannot be
// typed, and the tag code relies on their absence.
func cleanName(what, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", fmt.Errorf("a %s needs a name", what)
	}
	if strings.ContainsFunc(name, unicode.IsControl) {
		return "", fmt.Errorf("%s name %q has control characters", what, name)
	}
	return name, nil
}

// Tag is a tag with the number of entries, not in the trash, that have it or one of its children.
type Tag struct {
	Name, Colour string
	Count        int
}

// cleanTag trims each part of a tag's path, so that "ml / rl" is "ml/rl", and refuses empty
// parts.
func cleanTag(name string) (string, error) {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
		if parts[i] == "" {
			if strings.TrimSpace(name) == "" {
				return "", errors.New("a tag needs a name")
			}
			return "", fmt.Errorf("tag %q has an empty part: the parts of a tag are separated by single slashes", name)
		}
	}
	return cleanName("tag", strings.Join(parts, "/"))
}

// inTagTree is the condition that the tag name in col is the tag named by the SQL expression
// name, or one of its children. The range is "name/" < col < "name0" ('0' follows '/'),
// compared with the column's NOCASE collation, so the unique index on tags.name serves it and
// LIKE's wildcards need no escaping.
func inTagTree(col, name string) string {
	return "(" + col + " = " + name + " OR (" + col + " > " + name + " || '/' AND " + col + " < " + name + " || '0'))"
}

// tagArgs are the arguments of inTagTree(col, "?").
func tagArgs(name string) []any { return []any{name, name, name} }

// tagOrder orders tag names part by part, ignoring case, so that children follow their parent:
// "ml", "ml/rl", "ml-old" and not "ml", "ml-old", "ml/rl".
func tagOrder(a, b string) int {
	ka := strings.ToLower(strings.ReplaceAll(a, "/", "\x00"))
	kb := strings.ToLower(strings.ReplaceAll(b, "/", "\x00"))
	if c := strings.Compare(ka, kb); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// Tags returns every tag, children after their parent.
func (l *Library) Tags(ctx context.Context) ([]Tag, error) { return tags(ctx, l.db) }

// tags is Tags, read through q.
func tags(ctx context.Context, q querier) ([]Tag, error) {
	// The LEFT JOINs fix the join order: from each tag to the tags of its tree (through the
	// index on name), to their links, to the entries. Driven from the entries instead, as the
	// planner may choose, the query reads every link once per tag.
	rows, err := q.QueryContext(ctx, `SELECT t.name, t.colour, count(DISTINCT e.id)
		FROM tags t
		LEFT JOIN tags c ON `+inTagTree("c.name", "t.name")+`
		LEFT JOIN entry_tags et ON et.tag_id = c.id
		LEFT JOIN entries e ON e.id = et.entry_id AND e.trashed IS NULL
		GROUP BY t.id`)
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	defer rows.Close()
	var tags []Tag
	for rows.Next() {
		var t Tag
		if err := rows.Scan(&t.Name, &t.Colour, &t.Count); err != nil {
			return nil, fmt.Errorf("list tags: %w", err)
		}
		tags = append(tags, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	slices.SortFunc(tags, func(a, b Tag) int { return tagOrder(a.Name, b.Name) })
	return tags, nil
}

// AddTags gives each entry each tag, creating the tags that do not exist, in one transaction. A
// tag that exists in another case is used as it is written. With no keys, it only creates the
// tags. It returns the keys of the entries that gained a tag: with one tag, those its undo
// (RemoveTags) must take it from.
func (l *Library) AddTags(ctx context.Context, keys []string, tags ...string) ([]string, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("add tags: %w", err)
	}
	defer tx.Rollback()
	ids, err := entryIDs(ctx, tx, keys)
	if err != nil {
		return nil, fmt.Errorf("add tags: %w", err)
	}
	changed := make([]bool, len(ids))
	for _, name := range tags {
		if _, err := addTag(ctx, tx, name, ids, changed); err != nil {
			return nil, fmt.Errorf("add tags: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("add tags: %w", err)
	}
	return changedKeys(keys, changed), nil
}

// addTag gives the entries ids the tag name, creating it when it does not exist, marks in
// changed those that did not have it, and returns the name as the library writes it.
func addTag(ctx context.Context, tx *sql.Tx, name string, ids []int64, changed []bool) (string, error) {
	name, err := cleanTag(name)
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO NOTHING`, name); err != nil {
		return "", fmt.Errorf("add tag %q: %w", name, err)
	}
	tagID, err := tagID(ctx, tx, name)
	if err != nil {
		return "", err
	}
	if err := execEach(ctx, tx, `INSERT OR IGNORE INTO entry_tags (tag_id, entry_id) VALUES (?, ?)`, ids, changed, tagID); err != nil {
		return "", fmt.Errorf("add tag %q: %w", name, err)
	}
	return name, nil
}

func tagID(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM tags WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notExist(fmt.Sprintf("no tag %q", name))
	}
	return id, err
}

// RemoveTags takes each tag, exactly (not its children), from each entry, in one transaction.
// The tags stay in the library, with their colour, even when no entry has them any more;
// DeleteTag removes them. It returns the keys of the entries that lost a tag: with one tag,
// those its undo (AddTags) must give it back to.
func (l *Library) RemoveTags(ctx context.Context, keys []string, tags ...string) ([]string, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("remove tags: %w", err)
	}
	defer tx.Rollback()
	ids, err := entryIDs(ctx, tx, keys)
	if err != nil {
		return nil, fmt.Errorf("remove tags: %w", err)
	}
	changed := make([]bool, len(ids))
	for _, name := range tags {
		name, err := cleanTag(name)
		if err != nil {
			return nil, fmt.Errorf("remove tags: %w", err)
		}
		tagID, err := tagID(ctx, tx, name)
		if err != nil {
			return nil, fmt.Errorf("remove tags: %w", err)
		}
		if err := execEach(ctx, tx, `DELETE FROM entry_tags WHERE tag_id = ? AND entry_id = ?`, ids, changed, tagID); err != nil {
			return nil, fmt.Errorf("remove tag %q: %w", name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("remove tags: %w", err)
	}
	return changedKeys(keys, changed), nil
}

// EntryTags returns the tags of an entry, children after their parent.
func (l *Library) EntryTags(ctx context.Context, key string) ([]string, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT t.name FROM entries e
		LEFT JOIN entry_tags et ON et.entry_id = e.id LEFT JOIN tags t ON t.id = et.tag_id
		WHERE e.key = ?`, key)
	if err != nil {
		return nil, fmt.Errorf("get tags of %q: %w", key, err)
	}
	defer rows.Close()
	found := false
	var names []string
	for rows.Next() {
		found = true
		var name sql.NullString
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("get tags of %q: %w", key, err)
		}
		if name.Valid {
			names = append(names, name.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get tags of %q: %w", key, err)
	}
	if !found {
		return nil, fmt.Errorf("get tags: %q: %w", key, ErrNotFound)
	}
	slices.SortFunc(names, tagOrder)
	return names, nil
}

// RenameTag renames a tag and its children: renaming "ml" to "learning" makes "ml/rl"
// "learning/rl". A new name that is already a tag merges the two: its entries keep it and gain
// those of the renamed tag, and it keeps its colour unless it has none. Renaming to another case
// of the same name changes the case.
func (l *Library) RenameTag(ctx context.Context, old, new string) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("rename tag: %w", err)
	}
	defer tx.Rollback()
	if old, err = cleanTag(old); err != nil {
		return fmt.Errorf("rename tag: %w", err)
	}
	if new, err = cleanTag(new); err != nil {
		return fmt.Errorf("rename tag %q: %w", old, err)
	}
	type tag struct {
		id           int64
		name, colour string
		target       string
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, name, colour FROM tags WHERE `+inTagTree("name", "?"), tagArgs(old)...)
	if err != nil {
		return fmt.Errorf("rename tag %q: %w", old, err)
	}
	var moved []tag
	for rows.Next() {
		var t tag
		if err := rows.Scan(&t.id, &t.name, &t.colour); err != nil {
			rows.Close()
			return fmt.Errorf("rename tag %q: %w", old, err)
		}
		// NOCASE folds ASCII letters only, so the matched prefix has old's length in bytes.
		t.target = new + t.name[len(old):]
		moved = append(moved, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rename tag %q: %w", old, err)
	}
	if len(moved) == 0 {
		return fmt.Errorf("rename tag: %w", notExist(fmt.Sprintf("no tag %q", old)))
	}
	if err := renameTargetTags(ctx, tx, old, new); err != nil {
		return fmt.Errorf("rename tag %q: %w", old, err)
	}
	// First every renamed tag takes a name no tag can have (control characters are refused), so
	// that a target name still held by another renamed tag, as when "a/b" becomes "a" and "a/b/b"
	// becomes "a/b", is free by the time it is wanted: only tags outside the renamed tree are
	// merged into.
	for _, t := range moved {
		if _, err := tx.ExecContext(ctx, `UPDATE tags SET name = ? WHERE id = ?`, "\x01"+strconv.FormatInt(t.id, 10), t.id); err != nil {
			return fmt.Errorf("rename tag %q: %w", t.name, err)
		}
	}
	for _, t := range moved {
		var into int64
		var colour string
		err := tx.QueryRowContext(ctx, `SELECT id, colour FROM tags WHERE name = ?`, t.target).Scan(&into, &colour)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := tx.ExecContext(ctx, `UPDATE tags SET name = ? WHERE id = ?`, t.target, t.id); err != nil {
				return fmt.Errorf("rename tag %q: %w", t.name, err)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("rename tag %q: %w", t.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO entry_tags (entry_id, tag_id)
			SELECT entry_id, ? FROM entry_tags WHERE tag_id = ?`, into, t.id); err != nil {
			return fmt.Errorf("merge tag %q into %q: %w", t.name, t.target, err)
		}
		if colour == "" && t.colour != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE tags SET colour = ? WHERE id = ?`, t.colour, into); err != nil {
				return fmt.Errorf("merge tag %q into %q: %w", t.name, t.target, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tags WHERE id = ?`, t.id); err != nil {
			return fmt.Errorf("merge tag %q into %q: %w", t.name, t.target, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("rename tag %q: %w", old, err)
	}
	return nil
}

// renameTargetTags gives the export targets on the tag old, or on one of its children, the
// tag's new name (new, and the child's under it), so that they keep writing the same entries.
func renameTargetTags(ctx context.Context, tx *sql.Tx, old, new string) error {
	return forTargetTags(ctx, tx, old, func(tag string) string { return new + tag[len(old):] })
}

// forTargetTags gives each tag target on the tag name or one of its children the tag rename
// returns for its own; "" marks the tag deleted instead (see migration 0012).
func forTargetTags(ctx context.Context, tx *sql.Tx, name string, rename func(tag string) string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, tag FROM export_targets WHERE kind = 'tag'`)
	if err != nil {
		return fmt.Errorf("list tag targets: %w", err)
	}
	type change struct {
		id  int64
		tag string
	}
	var changes []change
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.id, &c.tag); err != nil {
			rows.Close()
			return fmt.Errorf("list tag targets: %w", err)
		}
		// Tags match without regard to ASCII case, as the tags table's NOCASE does: the
		// matched prefix has name's length in bytes.
		if len(c.tag) >= len(name) && strings.EqualFold(c.tag[:len(name)], name) &&
			(len(c.tag) == len(name) || c.tag[len(name)] == '/') {
			changes = append(changes, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list tag targets: %w", err)
	}
	for _, c := range changes {
		q, args := `UPDATE export_targets SET tag = ? WHERE id = ?`, []any{rename(c.tag), c.id}
		if args[0] == "" {
			q, args = `UPDATE export_targets SET tag_deleted = 1 WHERE id = ?`, args[1:]
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("update export target %d: %w", c.id, err)
		}
	}
	return nil
}

// SetTagColour sets a tag's colour: "#rrggbb", or "" for none.
func (l *Library) SetTagColour(ctx context.Context, name, colour string) error {
	colour = strings.ToLower(strings.TrimSpace(colour))
	if !validColour(colour) {
		return fmt.Errorf("set tag colour: %q is not a colour: want #rrggbb, or nothing", colour)
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set tag colour: %w", err)
	}
	defer tx.Rollback()
	if name, err = cleanTag(name); err != nil {
		return fmt.Errorf("set tag colour: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE tags SET colour = ? WHERE name = ?`, colour, name)
	if err != nil {
		return fmt.Errorf("set tag colour: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("set tag colour: %w", err)
	} else if n == 0 {
		return fmt.Errorf("set tag colour: %w", notExist(fmt.Sprintf("no tag %q", name)))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set tag colour: %w", err)
	}
	return nil
}

func validColour(c string) bool {
	if c == "" {
		return true
	}
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	for _, r := range c[1:] {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

// DeleteTag deletes a tag and its children, as the tag tree shows them, from the library. The
// entries stay; they only lose the tags.
func (l *Library) DeleteTag(ctx context.Context, name string) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete tag: %w", err)
	}
	defer tx.Rollback()
	if name, err = cleanTag(name); err != nil {
		return fmt.Errorf("delete tag: %w", err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM tags WHERE `+inTagTree("name", "?"), tagArgs(name)...)
	if err != nil {
		return fmt.Errorf("delete tag %q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete tag: %w", err)
	} else if n == 0 {
		return fmt.Errorf("delete tag: %w", notExist(fmt.Sprintf("no tag %q", name)))
	}
	// A target on the tag fails from now on rather than write an empty file.
	if err := forTargetTags(ctx, tx, name, func(string) string { return "" }); err != nil {
		return fmt.Errorf("delete tag %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete tag %q: %w", name, err)
	}
	return nil
}

// Collection is a folder of entries. Collections nest; an entry can be in any number of them.
// A collection's name may contain "/": collections are named by their ID, or by their Path as a
// list of names, never by a slash-separated string.
type Collection struct {
	ID       int64
	ParentID int64    // 0 at the top level
	Name     string   // unique among its siblings, ignoring case
	Path     []string // the names from the top level down to this one's
	Count    int      // entries in it (not in its children), not counting the trash
}

// errNoCollection is the error for a collection id the library does not have.
func errNoCollection(id int64) error { return notExist(fmt.Sprintf("no collection %d", id)) }

// collections returns every collection, each followed by its children in their order (the order
// they were created or moved in). With a key, it returns only the collections that entry is in,
// or ErrNotFound.
func collections(ctx context.Context, db querier, key string) ([]Collection, error) {
	// With a key, the entry is joined to every collection in the same statement, so that a
	// missing entry (no row) is told from one in no collection (one row of NULLs).
	q := `SELECT c.id, coalesce(c.parent_id, 0), c.name,
		(SELECT count(*) FROM collection_entries ce JOIN entries e ON e.id = ce.entry_id
			WHERE ce.collection_id = c.id AND e.trashed IS NULL), 1
		FROM collections c ORDER BY c.position, ` + orderKey("c.")
	var args []any
	if key != "" {
		q = `SELECT c.id, coalesce(c.parent_id, 0), c.name,
			(SELECT count(*) FROM collection_entries ce JOIN entries e ON e.id = ce.entry_id
				WHERE ce.collection_id = c.id AND e.trashed IS NULL),
			EXISTS (SELECT 1 FROM collection_entries m WHERE m.collection_id = c.id AND m.entry_id = x.id)
			FROM (SELECT id FROM entries WHERE key = ?) x LEFT JOIN collections c ON true
			ORDER BY c.position, ` + orderKey("c.")
		args = append(args, key)
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := false
	in := map[int64]bool{}
	children := map[int64][]Collection{}
	for rows.Next() {
		found = true
		var id sql.NullInt64
		var parent, count sql.NullInt64
		var name sql.NullString
		var member bool
		if err := rows.Scan(&id, &parent, &name, &count, &member); err != nil {
			return nil, err
		}
		if !id.Valid {
			continue
		}
		c := Collection{ID: id.Int64, ParentID: parent.Int64, Name: name.String, Count: int(count.Int64)}
		in[c.ID] = member
		children[c.ParentID] = append(children[c.ParentID], c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if key != "" && !found {
		return nil, fmt.Errorf("%q: %w", key, ErrNotFound)
	}
	var out []Collection
	var walk func(parent int64, path []string)
	walk = func(parent int64, path []string) {
		for _, c := range children[parent] {
			c.Path = append(slices.Clip(path), c.Name)
			if in[c.ID] {
				out = append(out, c)
			}
			walk(c.ID, c.Path)
		}
	}
	walk(0, nil)
	return out, nil
}

// collectionByPath returns the id of the collection at path (0 for the empty path, the top).
func collectionByPath(ctx context.Context, tx *sql.Tx, path []string) (int64, error) {
	var id int64
	for i, name := range path {
		err := tx.QueryRowContext(ctx, `SELECT id FROM collections WHERE coalesce(parent_id, 0) = ? AND name = ? COLLATE NOCASE`,
			id, strings.TrimSpace(name)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, notExist(fmt.Sprintf("no collection %q", strings.Join(path[:i+1], " > ")))
		}
		if err != nil {
			return 0, err
		}
	}
	return id, nil
}

// collectionPath returns the names from the top level down to the collection's.
func collectionPath(ctx context.Context, tx *sql.Tx, id int64) ([]string, error) {
	var path []string
	for id != 0 {
		var name string
		var parent int64
		err := tx.QueryRowContext(ctx, `SELECT name, coalesce(parent_id, 0) FROM collections WHERE id = ?`, id).Scan(&name, &parent)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errNoCollection(id)
		}
		if err != nil {
			return nil, err
		}
		path = append(path, name)
		id = parent
	}
	slices.Reverse(path)
	return path, nil
}

// checkSiblingName refuses a name a sibling under parent (0: the top level) already has, other
// than the collection self.
func checkSiblingName(ctx context.Context, tx *sql.Tx, parent, self int64, name string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM collections
		WHERE coalesce(parent_id, 0) = ? AND name = ? COLLATE NOCASE AND id <> ?`, parent, name, self).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return exist(fmt.Sprintf("there is a collection %q there already", name))
	}
	return nil
}

// nextPosition returns the position after the last child of parent.
func nextPosition(ctx context.Context, tx *sql.Tx, parent int64) (int, error) {
	var p int
	err := tx.QueryRowContext(ctx, `SELECT coalesce(max(position) + 1, 0) FROM collections WHERE coalesce(parent_id, 0) = ?`, parent).Scan(&p)
	return p, err
}

// nullID is an id for a nullable column: 0 is NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateCollection creates a collection called name, last among the children of the collection
// at parentPath (at the top level when parentPath is empty).
func (l *Library) CreateCollection(ctx context.Context, parentPath []string, name string) (Collection, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return Collection{}, fmt.Errorf("create collection: %w", err)
	}
	defer tx.Rollback()
	if name, err = cleanName("collection", name); err != nil {
		return Collection{}, fmt.Errorf("create collection: %w", err)
	}
	parent, err := collectionByPath(ctx, tx, parentPath)
	if err != nil {
		return Collection{}, fmt.Errorf("create collection %q: %w", name, err)
	}
	if err := checkSiblingName(ctx, tx, parent, 0, name); err != nil {
		return Collection{}, fmt.Errorf("create collection: %w", err)
	}
	pos, err := nextPosition(ctx, tx, parent)
	if err != nil {
		return Collection{}, fmt.Errorf("create collection %q: %w", name, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO collections (parent_id, name, position) VALUES (?, ?, ?)`, nullID(parent), name, pos)
	if err != nil {
		return Collection{}, fmt.Errorf("create collection %q: %w", name, err)
	}
	c := Collection{ParentID: parent, Name: name}
	if c.ID, err = res.LastInsertId(); err != nil {
		return Collection{}, fmt.Errorf("create collection %q: %w", name, err)
	}
	if c.Path, err = collectionPath(ctx, tx, c.ID); err != nil {
		return Collection{}, fmt.Errorf("create collection %q: %w", name, err)
	}
	return c, tx.Commit()
}

// Collections returns every collection, each followed by its children (depth first), with its
// parent's id, its path and its count of entries.
func (l *Library) Collections(ctx context.Context) ([]Collection, error) {
	cs, err := collections(ctx, l.db, "")
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	return cs, nil
}

// RenameCollection renames a collection; a sibling may not have the new name already.
func (l *Library) RenameCollection(ctx context.Context, id int64, name string) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("rename collection: %w", err)
	}
	defer tx.Rollback()
	if name, err = cleanName("collection", name); err != nil {
		return fmt.Errorf("rename collection: %w", err)
	}
	var parent int64
	err = tx.QueryRowContext(ctx, `SELECT coalesce(parent_id, 0) FROM collections WHERE id = ?`, id).Scan(&parent)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("rename collection: %w", errNoCollection(id))
	}
	if err != nil {
		return fmt.Errorf("rename collection %d: %w", id, err)
	}
	if err := checkSiblingName(ctx, tx, parent, id, name); err != nil {
		return fmt.Errorf("rename collection: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE collections SET name = ? WHERE id = ?`, name, id); err != nil {
		return fmt.Errorf("rename collection %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("rename collection %d: %w", id, err)
	}
	return nil
}

// MoveCollection makes a collection, with its children, the last child of parent (0: the top
// level). A collection cannot move into itself or into one of its children.
func (l *Library) MoveCollection(ctx context.Context, id, parent int64) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("move collection: %w", err)
	}
	defer tx.Rollback()
	var name string
	var oldParent int64
	err = tx.QueryRowContext(ctx, `SELECT name, coalesce(parent_id, 0) FROM collections WHERE id = ?`, id).Scan(&name, &oldParent)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("move collection: %w", errNoCollection(id))
	}
	if err != nil {
		return fmt.Errorf("move collection %d: %w", id, err)
	}
	if parent == oldParent {
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("move collection %d: %w", id, err)
		}
		return nil
	}
	if parent != 0 {
		if err := checkCollection(ctx, tx, parent); err != nil {
			return fmt.Errorf("move collection %q: %w", name, err)
		}
		// The new parent's ancestors, itself included: the collection must not be one of them.
		var n int
		err := tx.QueryRowContext(ctx, `WITH RECURSIVE up(id, parent) AS (
				SELECT id, parent_id FROM collections WHERE id = ?
				UNION SELECT c.id, c.parent_id FROM collections c JOIN up ON c.id = up.parent)
			SELECT count(*) FROM up WHERE id = ?`, parent, id).Scan(&n)
		if err != nil {
			return fmt.Errorf("move collection %q: %w", name, err)
		}
		if n > 0 {
			return fmt.Errorf("move collection %q: a collection cannot go inside itself or one of its children", name)
		}
	}
	if err := checkSiblingName(ctx, tx, parent, id, name); err != nil {
		return fmt.Errorf("move collection: %w", err)
	}
	pos, err := nextPosition(ctx, tx, parent)
	if err != nil {
		return fmt.Errorf("move collection %q: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE collections SET parent_id = ?, position = ? WHERE id = ?`, nullID(parent), pos, id); err != nil {
		return fmt.Errorf("move collection %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("move collection %q: %w", name, err)
	}
	return nil
}

// DeleteCollection deletes a collection and its children. Their entries stay in the library.
func (l *Library) DeleteCollection(ctx context.Context, id int64) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete collection: %w", err)
	}
	defer tx.Rollback()
	// Its children, and every collection's memberships, go by ON DELETE CASCADE.
	res, err := tx.ExecContext(ctx, `DELETE FROM collections WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete collection %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete collection: %w", err)
	} else if n == 0 {
		return fmt.Errorf("delete collection: %w", errNoCollection(id))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete collection %d: %w", id, err)
	}
	return nil
}

func checkCollection(ctx context.Context, tx *sql.Tx, id int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM collections WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errNoCollection(id)
	}
	return nil
}

// AddToCollection puts entries in a collection, in one transaction; those already in it stay as
// they are. It returns the keys of the entries it put in: those its undo takes out.
func (l *Library) AddToCollection(ctx context.Context, id int64, keys ...string) ([]string, error) {
	return l.collectionEach(ctx, "add to collection", `INSERT OR IGNORE INTO collection_entries (collection_id, entry_id) VALUES (?, ?)`, id, keys)
}

// RemoveFromCollection takes entries out of a collection (not out of its children, nor out of
// the library), in one transaction. It returns the keys of the entries it took out: those its
// undo puts back.
func (l *Library) RemoveFromCollection(ctx context.Context, id int64, keys ...string) ([]string, error) {
	return l.collectionEach(ctx, "remove from collection", `DELETE FROM collection_entries WHERE collection_id = ? AND entry_id = ?`, id, keys)
}

// collectionEach runs query, taking the collection id and an entry id, for each entry, in one
// transaction, and returns the keys of the entries it changed; verb names the change in errors.
func (l *Library) collectionEach(ctx context.Context, verb, query string, id int64, keys []string) ([]string, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", verb, err)
	}
	defer tx.Rollback()
	if err := checkCollection(ctx, tx, id); err != nil {
		return nil, fmt.Errorf("%s: %w", verb, err)
	}
	ids, err := entryIDs(ctx, tx, keys)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", verb, err)
	}
	changed := make([]bool, len(ids))
	if err := execEach(ctx, tx, query, ids, changed, id); err != nil {
		return nil, fmt.Errorf("%s %d: %w", verb, id, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("%s: %w", verb, err)
	}
	return changedKeys(keys, changed), nil
}

// EntryCollections returns the collections an entry is in, in the order of Collections.
func (l *Library) EntryCollections(ctx context.Context, key string) ([]Collection, error) {
	cs, err := collections(ctx, l.db, key)
	if err != nil {
		return nil, fmt.Errorf("get collections: %w", err)
	}
	return cs, nil
}

// SavedSearch is a filter and a query kept under a name, shown as a smart collection.
type SavedSearch struct {
	Name   string
	Query  string // as the user typed it
	Filter Filter // what was selected in the sidebar when it was saved
}

// SaveSearch keeps a search under its name, replacing a saved search of that name.
func (l *Library) SaveSearch(ctx context.Context, ss SavedSearch) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save search: %w", err)
	}
	defer tx.Rollback()
	name, err := cleanName("saved search", ss.Name)
	if err != nil {
		return fmt.Errorf("save search: %w", err)
	}
	filter, err := json.Marshal(ss.Filter)
	if err != nil {
		return fmt.Errorf("save search %q: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO saved_searches (name, query, filter) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET name = excluded.name, query = excluded.query, filter = excluded.filter`,
		name, ss.Query, string(filter)); err != nil {
		return fmt.Errorf("save search %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save search %q: %w", name, err)
	}
	return nil
}

// SavedSearches returns the saved searches by name.
func (l *Library) SavedSearches(ctx context.Context) ([]SavedSearch, error) {
	return savedSearches(ctx, l.db)
}

// savedSearches is SavedSearches, read through q.
func savedSearches(ctx context.Context, q querier) ([]SavedSearch, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, query, filter FROM saved_searches ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list saved searches: %w", err)
	}
	defer rows.Close()
	var out []SavedSearch
	for rows.Next() {
		var s SavedSearch
		var filter string
		if err := rows.Scan(&s.Name, &s.Query, &filter); err != nil {
			return nil, fmt.Errorf("list saved searches: %w", err)
		}
		if err := json.Unmarshal([]byte(filter), &s.Filter); err != nil {
			return nil, fmt.Errorf("saved search %q: its filter: %w", s.Name, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list saved searches: %w", err)
	}
	return out, nil
}

// RenameSavedSearch gives the saved search old the name new. A name another saved search has
// (compared as tag names are, ASCII letters in any case) is an error matching fs.ErrExist, and
// a saved search the library does not have one matching fs.ErrNotExist.
func (l *Library) RenameSavedSearch(ctx context.Context, old, new string) error {
	name, err := cleanName("saved search", new)
	if err != nil {
		return fmt.Errorf("rename saved search %q: %w", old, err)
	}
	res, err := l.db.ExecContext(ctx, `UPDATE saved_searches SET name = ? WHERE name = ?`, name, strings.TrimSpace(old))
	if isConstraint(err) {
		return fmt.Errorf("rename saved search %q: %w", old, exist(fmt.Sprintf("there is a saved search %q already", name)))
	}
	if err != nil {
		return fmt.Errorf("rename saved search %q: %w", old, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("rename saved search %q: %w", old, err)
	} else if n == 0 {
		return fmt.Errorf("rename saved search: %w", notExist(fmt.Sprintf("no saved search %q", old)))
	}
	return nil
}

// DeleteSavedSearch deletes the saved search of that name.
func (l *Library) DeleteSavedSearch(ctx context.Context, name string) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete saved search: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM saved_searches WHERE name = ?`, strings.TrimSpace(name))
	if err != nil {
		return fmt.Errorf("delete saved search %q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete saved search: %w", err)
	} else if n == 0 {
		return fmt.Errorf("delete saved search: %w", notExist(fmt.Sprintf("no saved search %q", name)))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete saved search %q: %w", name, err)
	}
	return nil
}

// SetNote sets the Markdown note of an entry; a note of nothing but spaces deletes it. Search
// finds an entry by the words of its note.
func (l *Library) SetNote(ctx context.Context, key, markdown string) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set note: %w", err)
	}
	defer tx.Rollback()
	id, err := entryID(ctx, tx, key)
	if err != nil {
		return fmt.Errorf("set note: %w", err)
	}
	if strings.TrimSpace(markdown) == "" {
		_, err = tx.ExecContext(ctx, `DELETE FROM notes WHERE entry_id = ?`, id)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO notes (entry_id, body, modified) VALUES (?, ?, ?)
			ON CONFLICT (entry_id) DO UPDATE SET body = excluded.body, modified = excluded.modified`,
			id, markdown, time.Now().UnixMilli())
	}
	if err != nil {
		return fmt.Errorf("set note of %q: %w", key, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set note of %q: %w", key, err)
	}
	return nil
}

// Note returns the Markdown note of an entry, empty when it has none.
func (l *Library) Note(ctx context.Context, key string) (string, error) {
	var body string
	err := l.db.QueryRowContext(ctx, `SELECT coalesce(n.body, '') FROM entries e
		LEFT JOIN notes n ON n.entry_id = e.id WHERE e.key = ?`, key).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("get note: %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("get note of %q: %w", key, err)
	}
	return body, nil
}

// Attachment is a file attached to an entry.
type Attachment struct {
	ID int64
	// Path is the file's absolute path, resolved against the attachments folder when stored is
	// relative.
	Path string
	// stored is the path as the library keeps it: relative to the attachments folder, with
	// forward slashes, for a file inside it; absolute otherwise.
	stored  string
	Added   time.Time
	Missing bool // the file cannot be found at Path
	// InFolder says the library keeps the file by its path in the attachments folder: when it
	// is missing, the folder may be elsewhere on this computer (AttachmentsFolder).
	InFolder bool
}

// storedPath returns how the library keeps the absolute path abs: relative to the attachments
// folder dir when the file is inside it, so that the library and that folder can move together.
func storedPath(dir, abs string) string {
	if rel, ok := inside(dir, abs); ok {
		return filepath.ToSlash(rel)
	}
	// The same folder reached through a symbolic link, as /var is /private/var on macOS.
	rdir, err1 := filepath.EvalSymlinks(dir)
	rabs, err2 := filepath.EvalSymlinks(abs)
	if err1 == nil && err2 == nil {
		if rel, ok := inside(rdir, rabs); ok {
			return filepath.ToSlash(rel)
		}
	}
	return abs
}

// inside returns path relative to dir when it is below dir.
func inside(dir, path string) (string, bool) {
	rel, err := filepath.Rel(dir, path)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return rel, true
}

// attachment fills in an attachment's absolute path, in the attachments folder dir when it is
// kept relative to it; Missing is left for the caller, who checks
// the files outside the transaction.
func attachment(dir string, id int64, stored string, added int64) Attachment {
	a := Attachment{ID: id, stored: stored, Path: stored, Added: time.UnixMilli(added)}
	if !filepath.IsAbs(stored) {
		a.Path = filepath.Join(dir, filepath.FromSlash(stored))
		a.InFolder = true
	}
	return a
}

// AddAttachment attaches an existing file to an entry and returns the attachment. Attaching the
// same file again returns the attachment there is. The file is linked, not copied.
func (l *Library) AddAttachment(ctx context.Context, key, path string) (Attachment, error) {
	if path == "" {
		return Attachment{}, errors.New("add attachment: no file named")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Attachment{}, fmt.Errorf("add attachment: %w", err)
	}
	if _, err := os.Stat(abs); err != nil {
		return Attachment{}, fmt.Errorf("add attachment: %w", err)
	}
	dir, err := l.attachmentsDir(ctx)
	if err != nil {
		return Attachment{}, fmt.Errorf("add attachment: %w", err)
	}
	stored := storedPath(dir, abs)
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return Attachment{}, fmt.Errorf("add attachment: %w", err)
	}
	defer tx.Rollback()
	id, err := entryID(ctx, tx, key)
	if err != nil {
		return Attachment{}, fmt.Errorf("add attachment: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO attachments (entry_id, path, added) VALUES (?, ?, ?)
		ON CONFLICT (entry_id, path) DO NOTHING`, id, stored, time.Now().UnixMilli()); err != nil {
		return Attachment{}, fmt.Errorf("add attachment %s to %q: %w", abs, key, err)
	}
	var aid, added int64
	if err := tx.QueryRowContext(ctx, `SELECT id, added FROM attachments WHERE entry_id = ? AND path = ?`, id, stored).Scan(&aid, &added); err != nil {
		return Attachment{}, fmt.Errorf("add attachment %s to %q: %w", abs, key, err)
	}
	if err := tx.Commit(); err != nil {
		return Attachment{}, fmt.Errorf("add attachment %s to %q: %w", abs, key, err)
	}
	return attachment(dir, aid, stored, added), nil
}

// Attachments returns the files attached to an entry, in the order they were attached.
func (l *Library) Attachments(ctx context.Context, key string) ([]Attachment, error) {
	dir, err := l.attachmentsDir(ctx)
	if err != nil {
		return nil, fmt.Errorf("get attachments of %q: %w", key, err)
	}
	rows, err := l.db.QueryContext(ctx, `SELECT a.id, a.path, a.added FROM entries e
		LEFT JOIN attachments a ON a.entry_id = e.id WHERE e.key = ? ORDER BY `+orderKey("a."), key)
	if err != nil {
		return nil, fmt.Errorf("get attachments of %q: %w", key, err)
	}
	defer rows.Close()
	found := false
	var out []Attachment
	for rows.Next() {
		found = true
		var id, added sql.NullInt64
		var stored sql.NullString
		if err := rows.Scan(&id, &stored, &added); err != nil {
			return nil, fmt.Errorf("get attachments of %q: %w", key, err)
		}
		if id.Valid {
			out = append(out, attachment(dir, id.Int64, stored.String, added.Int64))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get attachments of %q: %w", key, err)
	}
	if !found {
		return nil, fmt.Errorf("get attachments: %q: %w", key, ErrNotFound)
	}
	for i := range out {
		_, err := os.Stat(out[i].Path)
		out[i].Missing = err != nil
	}
	return out, nil
}

// RemoveAttachment detaches a file from an entry. The file itself is left alone.
func (l *Library) RemoveAttachment(ctx context.Context, key string, id int64) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("remove attachment: %w", err)
	}
	defer tx.Rollback()
	eid, err := entryID(ctx, tx, key)
	if err != nil {
		return fmt.Errorf("remove attachment: %w", err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM attachments WHERE id = ? AND entry_id = ?`, id, eid)
	if err != nil {
		return fmt.Errorf("remove attachment %d of %q: %w", id, key, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("remove attachment: %w", err)
	} else if n == 0 {
		return fmt.Errorf("remove attachment: %w", notExist(fmt.Sprintf("%q has no attachment %d", key, id)))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("remove attachment %d of %q: %w", id, key, err)
	}
	return nil
}

// Flags are what the user has marked an entry with.
type Flags struct {
	Read, Starred bool
	Rating        int       // 0 (none) to 5
	Trashed       time.Time // when it went to the trash; zero when it is not there
}

// EntryFlags returns an entry's flags.
func (l *Library) EntryFlags(ctx context.Context, key string) (Flags, error) {
	var f Flags
	var trashed sql.NullInt64
	err := l.db.QueryRowContext(ctx, `SELECT read, starred, rating, trashed FROM entries WHERE key = ?`, key).
		Scan(&f.Read, &f.Starred, &f.Rating, &trashed)
	if errors.Is(err, sql.ErrNoRows) {
		return Flags{}, fmt.Errorf("get flags: %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return Flags{}, fmt.Errorf("get flags of %q: %w", key, err)
	}
	if trashed.Valid {
		f.Trashed = time.UnixMilli(trashed.Int64)
	}
	return f, nil
}

// setEach sets a column of entries to a value, in one transaction, and returns the keys of the
// entries whose value it changed; verb names the change in errors. query takes the value as ?1
// and the entry's id as ?2, and changes no row whose column has the value already.
func (l *Library) setEach(ctx context.Context, verb, query string, value any, keys []string) (done []string, err error) {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", verb, err)
	}
	restore := func() error { return nil }
	defer func() {
		// As after an import (importWith): once committed, the change is made, and a setting
		// not put back has cost only its connection.
		if cerr := errors.Join(restore(), closeConn(conn)); cerr != nil && err != nil {
			err = errors.Join(err, fmt.Errorf("%s: %w", verb, cerr))
		}
	}()
	if len(keys) >= bulkThreshold {
		// Moving many entries to the trash or out of it moves each in the list's seven
		// indexes, at random places: with the default 2 MB cache their pages went to the
		// write-ahead log and back over and over.
		_, putCache, err := growCache(ctx, conn, min(len(keys)*bulkCachePerEntry, bulkCacheMax))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", verb, err)
		}
		restore = putCache
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", verb, err)
	}
	defer tx.Rollback()
	ids, err := entryIDs(ctx, tx, keys)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", verb, err)
	}
	changed := make([]bool, len(ids))
	if err := execEach(ctx, tx, query, ids, changed, value); err != nil {
		return nil, fmt.Errorf("%s: %w", verb, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("%s: %w", verb, err)
	}
	return changedKeys(keys, changed), nil
}

// SetRead marks entries read or unread, in one transaction. It returns the keys of the entries it
// changed: those its undo changes back.
func (l *Library) SetRead(ctx context.Context, read bool, keys ...string) ([]string, error) {
	return l.setEach(ctx, "set read", `UPDATE entries SET read = ?1 WHERE id = ?2 AND read IS NOT ?1`, read, keys)
}

// SetStarred stars entries or takes their star away, in one transaction. It returns the keys of
// the entries it changed: those its undo changes back.
func (l *Library) SetStarred(ctx context.Context, starred bool, keys ...string) ([]string, error) {
	return l.setEach(ctx, "set starred", `UPDATE entries SET starred = ?1 WHERE id = ?2 AND starred IS NOT ?1`, starred, keys)
}

// SetRating rates an entry from 1 to 5 stars, or 0 for no rating, and returns the rating it had.
func (l *Library) SetRating(ctx context.Context, key string, rating int) (int, error) {
	if rating < 0 || rating > 5 {
		return 0, fmt.Errorf("set rating of %q: %d is not a rating: want 0 to 5", key, rating)
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("set rating of %q: %w", key, err)
	}
	defer tx.Rollback()
	var old int
	err = tx.QueryRowContext(ctx, `SELECT rating FROM entries WHERE key = ?`, key).Scan(&old)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("set rating: %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("set rating of %q: %w", key, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE entries SET rating = ? WHERE key = ?`, rating, key); err != nil {
		return 0, fmt.Errorf("set rating of %q: %w", key, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("set rating of %q: %w", key, err)
	}
	return old, nil
}

// Trash moves entries to the trash, in one transaction: Count, Search, Export and the tag counts
// leave them out, but they keep their key, tags, collections, note and attachments until the
// trash is emptied. An entry already in the trash keeps the time it went there. It returns the
// keys of the entries it moved: those its undo (Restore) takes out again.
func (l *Library) Trash(ctx context.Context, keys ...string) ([]string, error) {
	return l.setEach(ctx, "move to trash", `UPDATE entries SET trashed = ?1 WHERE id = ?2 AND trashed IS NULL`,
		time.Now().UnixMilli(), keys)
}

// Restore takes entries out of the trash, in one transaction, and returns the keys of those it
// took out.
func (l *Library) Restore(ctx context.Context, keys ...string) ([]string, error) {
	return l.setEach(ctx, "restore", `UPDATE entries SET trashed = NULL WHERE id = ?2 AND trashed IS NOT ?1`, nil, keys)
}

// Trashed returns a page of the entries in the trash, the last trashed first, and those trashed in
// the same millisecond last in the library's order first (the same in every replica).
func (l *Library) Trashed(ctx context.Context, offset, limit int) ([]Row, error) {
	order, err := l.pageOrder(ctx)
	if err != nil {
		return nil, fmt.Errorf("list trash: %w", err)
	}
	rows, err := l.db.QueryContext(ctx, `SELECT e.key, e.type, e.title, e.authors, e.first_author, e.year, e.venue, e.created
		FROM entries e WHERE e.trashed IS NOT NULL ORDER BY e.trashed DESC, `+string(order)+` DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("list trash: %w", err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		var added int64
		if err := rows.Scan(&r.Key, &r.Type, &r.Title, &r.Authors, &r.FirstAuthor, &r.Year, &r.Venue, &added); err != nil {
			return nil, fmt.Errorf("list trash: %w", err)
		}
		r.Added = time.UnixMilli(added)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list trash: %w", err)
	}
	return out, nil
}

// EmptyTrash deletes the entries in the trash, with their tags, collection memberships, notes,
// attachment links and not-duplicate marks (attached files stay on disk), and returns how many
// there were. It is the only way entries leave the library.
func (l *Library) EmptyTrash(ctx context.Context) (int, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("empty trash: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM entries WHERE trashed IS NOT NULL`)
	if err != nil {
		return 0, fmt.Errorf("empty trash: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("empty trash: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("empty trash: %w", err)
	}
	return int(n), nil
}

// notDuplicatePair returns the ids of two entries, smaller first, as not_duplicates keeps them.
func notDuplicatePair(ctx context.Context, tx *sql.Tx, keyA, keyB string) (int64, int64, error) {
	ids, err := entryIDs(ctx, tx, []string{keyA, keyB})
	if err != nil {
		return 0, 0, err
	}
	return min(ids[0], ids[1]), max(ids[0], ids[1]), nil
}

// MarkNotDuplicate records that two entries are not duplicates of each other, in either order,
// so that duplicate detection stops proposing them.
func (l *Library) MarkNotDuplicate(ctx context.Context, keyA, keyB string) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mark not duplicates: %w", err)
	}
	defer tx.Rollback()
	a, b, err := notDuplicatePair(ctx, tx, keyA, keyB)
	if err != nil {
		return fmt.Errorf("mark not duplicates: %w", err)
	}
	if a == b {
		return fmt.Errorf("mark not duplicates: %q and %q are the same entry", keyA, keyB)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO not_duplicates (a, b) VALUES (?, ?)`, a, b); err != nil {
		return fmt.Errorf("mark %q and %q not duplicates: %w", keyA, keyB, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mark %q and %q not duplicates: %w", keyA, keyB, err)
	}
	return nil
}

// NotDuplicate reports whether two entries were marked as not duplicates, in either order.
func (l *Library) NotDuplicate(ctx context.Context, keyA, keyB string) (bool, error) {
	var marked bool
	err := l.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM not_duplicates
			WHERE a = min(x.id, y.id) AND b = max(x.id, y.id))
		FROM entries x, entries y WHERE x.key = ? AND y.key = ?`, keyA, keyB).Scan(&marked)
	if errors.Is(err, sql.ErrNoRows) {
		missing := keyA
		if _, err := l.Entry(ctx, keyA); err == nil {
			missing = keyB
		}
		return false, fmt.Errorf("get not duplicates: %q: %w", missing, ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("get not duplicates of %q and %q: %w", keyA, keyB, err)
	}
	return marked, nil
}
