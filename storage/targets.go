package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/bibshelf/bibshelf/bib"
)

// TargetKind says what part of the library an export target writes.
type TargetKind string

const (
	TargetLibrary    TargetKind = "library"    // every entry not in the trash
	TargetCollection TargetKind = "collection" // a collection, with or without its sub-collections
	TargetTag        TargetKind = "tag"        // a tag, with its child tags
	TargetSearch     TargetKind = "search"     // a saved search, by name
)

// ExportTarget is a .bib file that auto-export keeps in step with part of the library (see
// AutoExporter).
type ExportTarget struct {
	ID   int64
	Kind TargetKind
	// Collection is the collection's id for TargetCollection; SubCollections takes in its
	// sub-collections' entries too.
	Collection     int64
	SubCollections bool
	Tag            string // TargetTag
	Search         string // TargetSearch: the saved search's name
	// Path is the file, made absolute when the target is added.
	Path    string
	Dialect bib.Dialect
	ASCII   bool
	// LibraryOrder writes the entries in the order they came into the library; by default they
	// are ordered by key.
	LibraryOrder bool
	// Notes writes each entry's note into its annote field.
	Notes bool
	// Status is what the last run did; AddExportTarget and UpdateExportTarget ignore it.
	Status TargetStatus
}

// TargetStatus is what a target's last run did.
type TargetStatus struct {
	ID      int64
	Path    string
	Running bool      // a run has begun (AutoExporter's callback only)
	Ran     time.Time // the last run; zero when it never ran
	Written time.Time // when the file was last written; zero when never
	Entries int       // the entries the last successful run wrote
	// Err is why the last run failed, nil when it did not: a *TargetChangedError (matching
	// ErrTargetChanged) when the file was changed by someone else.
	Err error
}

// ErrTargetChanged is matched by the error of a target whose file was changed by someone else
// since Bibshelf last wrote it (or that Bibshelf never wrote): it is not overwritten unless
// asked to (RunOptions.Overwrite).
var ErrTargetChanged = errors.New("the file was changed by someone else since Bibshelf last wrote it")

// TargetChangedError is the error of a target whose file was not written: someone else changed
// it. ExportTargetDiff shows the difference, ImportTargetChanges takes the changes into the
// library, and RunOptions.Overwrite writes over them.
type TargetChangedError struct {
	ID   int64
	Path string
	// NeverWritten says the file was there before Bibshelf wrote it at all.
	NeverWritten bool
}

func (e *TargetChangedError) Error() string {
	if e.NeverWritten {
		return fmt.Sprintf("%s exists and was not written by Bibshelf: not overwritten", e.Path)
	}
	return fmt.Sprintf("%s was changed by someone else since Bibshelf last wrote it: not overwritten", e.Path)
}

func (e *TargetChangedError) Is(target error) bool { return target == ErrTargetChanged }

// checkTargetSettings checks t's settings in tx, and makes its path absolute.
func checkTargetSettings(ctx context.Context, tx *sql.Tx, t *ExportTarget) error {
	if t.Path == "" {
		return errors.New("no file named")
	}
	abs, err := filepath.Abs(t.Path)
	if err != nil {
		return err
	}
	t.Path = abs
	if _, err := bib.ParseDialect(t.Dialect.String()); err != nil {
		return fmt.Errorf("unknown dialect %d", t.Dialect)
	}
	switch t.Kind {
	case TargetLibrary:
	case TargetCollection:
		return checkCollection(ctx, tx, t.Collection)
	case TargetTag:
		if t.Tag, err = cleanTag(t.Tag); err != nil {
			return err
		}
	case TargetSearch:
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM saved_searches WHERE name = ?`, t.Search).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return notExist(fmt.Sprintf("no saved search %q", t.Search))
		}
	default:
		return fmt.Errorf("unknown kind of target %q", t.Kind)
	}
	return nil
}

// targetValues returns the values of t's settings columns, in targetSettings' order.
func targetValues(t *ExportTarget) []any {
	return []any{string(t.Kind), t.Collection, t.SubCollections, t.Tag, t.Search, t.Path, t.Dialect.String(),
		t.ASCII, !t.LibraryOrder, t.Notes}
}

const targetSettings = "kind, collection_id, subcollections, tag, search, path, dialect, ascii, by_key, notes"

// AddExportTarget adds an export target and returns it with its id. Its file is written by the
// next run (AutoExporter, RunExportTargets). A path another target has is an error matching
// fs.ErrExist; a collection or saved search that does not exist one matching fs.ErrNotExist.
func (l *Library) AddExportTarget(ctx context.Context, t ExportTarget) (ExportTarget, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return t, fmt.Errorf("add export target: %w", err)
	}
	defer tx.Rollback()
	if err := checkTargetSettings(ctx, tx, &t); err != nil {
		return t, fmt.Errorf("add export target: %w", err)
	}
	if err := pathFree(ctx, tx, t.Path, 0); err != nil {
		return t, fmt.Errorf("add export target: %w", err)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO export_targets (`+targetSettings+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		targetValues(&t)...).Scan(&t.ID)
	if err != nil {
		return t, fmt.Errorf("add export target: %w", err)
	}
	t.Status = TargetStatus{ID: t.ID, Path: t.Path}
	return t, tx.Commit()
}

// pathFree returns an error matching fs.ErrExist when a target other than self writes path.
func pathFree(ctx context.Context, tx *sql.Tx, path string, self int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM export_targets WHERE path = ? AND id <> ?`, path, self).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return exist(fmt.Sprintf("another target writes %s", path))
	}
	return nil
}

// UpdateExportTarget changes the settings of the target t.ID to t's. A target given another
// path starts afresh there: a file at the new path that Bibshelf did not write is not
// overwritten.
func (l *Library) UpdateExportTarget(ctx context.Context, t ExportTarget) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("update export target %d: %w", t.ID, err)
	}
	defer tx.Rollback()
	if err := checkTargetSettings(ctx, tx, &t); err != nil {
		return fmt.Errorf("update export target %d: %w", t.ID, err)
	}
	if err := pathFree(ctx, tx, t.Path, t.ID); err != nil {
		return fmt.Errorf("update export target %d: %w", t.ID, err)
	}
	// A new path has no file Bibshelf wrote, and the settings changed make the target due.
	res, err := tx.ExecContext(ctx, `UPDATE export_targets SET (`+targetSettings+`) = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?),
		revision = -1, tag_deleted = 0,
		file_revision = CASE WHEN path = ?6 AND dialect = ?7 AND ascii = ?8 AND notes = ?10 THEN file_revision ELSE 0 END,
		written_size = CASE WHEN path = ?6 THEN written_size ELSE 0 END,
		written_hash = CASE WHEN path = ?6 THEN written_hash ELSE '' END,
		written_mtime = CASE WHEN path = ?6 THEN written_mtime ELSE 0 END
		WHERE id = ?11`, append(targetValues(&t), t.ID)...)
	if err != nil {
		return fmt.Errorf("update export target %d: %w", t.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("update export target %d: %w", t.ID, errors.Join(err, notExist("no such target")))
	}
	return tx.Commit()
}

// RemoveExportTarget removes the target id; its file stays as it is.
func (l *Library) RemoveExportTarget(ctx context.Context, id int64) error {
	res, err := l.db.ExecContext(ctx, `DELETE FROM export_targets WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("remove export target %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("remove export target %d: %w", id, errors.Join(err, notExist("no such target")))
	}
	return nil
}

// ExportTargets returns the export targets, by id, with their status.
func (l *Library) ExportTargets(ctx context.Context) ([]ExportTarget, error) {
	ts, err := exportTargets(ctx, l.db, 0)
	if err != nil {
		return nil, fmt.Errorf("list export targets: %w", err)
	}
	return ts, nil
}

// ExportTarget returns the export target id, or an error matching fs.ErrNotExist.
func (l *Library) ExportTarget(ctx context.Context, id int64) (ExportTarget, error) {
	ts, err := exportTargets(ctx, l.db, id)
	if err == nil && len(ts) == 0 {
		err = notExist("no such target")
	}
	if err != nil {
		return ExportTarget{}, fmt.Errorf("export target %d: %w", id, err)
	}
	return ts[0], nil
}

// targetRecord is what a target's row says of its file and last run, beyond ExportTarget.
type targetRecord struct {
	ExportTarget
	file     fileRecord
	pending  string // the hash of a content that was about to be written (see migration 0012)
	revision int64  // the library's revision at the last successful run
	// fileRevision is the library's revision the file's content reflects, 0 for none (see
	// migration 0012).
	fileRevision int64
}

// fileRecord is a file as Bibshelf last wrote it.
type fileRecord struct {
	size  int64
	hash  string // newContentHash, in hex; "" when Bibshelf never wrote it
	mtime int64  // Unix nanoseconds
	// id tells the file from another of the same size and modification time (fileIdentity):
	// known to the process that wrote or read the file, not kept in the library; zero when
	// unknown.
	id fileID
}

// exportTargets reads the target id, or all of them when id is 0.
func exportTargets(ctx context.Context, q querier, id int64) ([]ExportTarget, error) {
	recs, err := targetRecords(ctx, q, id)
	out := make([]ExportTarget, len(recs))
	for i, r := range recs {
		out[i] = r.ExportTarget
	}
	return out, err
}

func targetRecords(ctx context.Context, q querier, id int64) ([]targetRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, `+targetSettings+`, written_size, written_hash, written_mtime,
		pending_hash, written, ran, revision, file_revision, entries, error, conflict FROM export_targets WHERE ?1 = 0 OR id = ?1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []targetRecord
	for rows.Next() {
		var r targetRecord
		t := &r.ExportTarget
		var kind, dialect, errText string
		var byKey, conflict bool
		var written, ran int64
		if err := rows.Scan(&t.ID, &kind, &t.Collection, &t.SubCollections, &t.Tag, &t.Search, &t.Path, &dialect,
			&t.ASCII, &byKey, &t.Notes, &r.file.size, &r.file.hash, &r.file.mtime, &r.pending, &written, &ran, &r.revision, &r.fileRevision,
			&t.Status.Entries, &errText, &conflict); err != nil {
			return nil, err
		}
		t.Kind, t.LibraryOrder = TargetKind(kind), !byKey
		if t.Dialect, err = bib.ParseDialect(dialect); err != nil {
			return nil, err
		}
		t.Status.ID, t.Status.Path = t.ID, t.Path
		if ran > 0 {
			t.Status.Ran = time.UnixMilli(ran)
		}
		if written > 0 {
			t.Status.Written = time.UnixMilli(written)
		}
		switch {
		case conflict:
			t.Status.Err = &TargetChangedError{ID: t.ID, Path: t.Path, NeverWritten: r.file.hash == ""}
		case errText != "":
			t.Status.Err = errors.New(errText)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// exportOptions returns the options of an Export that writes what t writes, the saved search's
// filter and query read in tx.
func (t *ExportTarget) exportOptions(ctx context.Context, tx *sql.Tx) (ExportOptions, error) {
	opts := ExportOptions{ByKey: !t.LibraryOrder, Notes: t.Notes,
		WriteOptions: bib.WriteOptions{Dialect: t.Dialect, ASCII: t.ASCII}}
	switch t.Kind {
	case TargetCollection:
		if err := checkCollection(ctx, tx, t.Collection); err != nil {
			return opts, err
		}
		opts.Filter.Collection, opts.NoSubCollections = t.Collection, !t.SubCollections
	case TargetTag:
		var gone bool
		err := tx.QueryRowContext(ctx, `SELECT tag_deleted AND NOT EXISTS (SELECT 1 FROM tags WHERE `+inTagTree("name", "?")+`)
			FROM export_targets WHERE id = ?`, append(tagArgs(t.Tag), t.ID)...).Scan(&gone)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return opts, err
		}
		if gone {
			return opts, notExist(fmt.Sprintf("the tag %q was deleted: give the target another tag, or remove it", t.Tag))
		}
		opts.Filter.Tags = []string{t.Tag}
	case TargetSearch:
		var filter string
		err := tx.QueryRowContext(ctx, `SELECT query, filter FROM saved_searches WHERE name = ?`, t.Search).Scan(&opts.Query, &filter)
		if errors.Is(err, sql.ErrNoRows) {
			return opts, notExist(fmt.Sprintf("no saved search %q", t.Search))
		}
		if err != nil {
			return opts, err
		}
		if err := json.Unmarshal([]byte(filter), &opts.Filter); err != nil {
			return opts, fmt.Errorf("saved search %q: its filter: %w", t.Search, err)
		}
	}
	return opts, nil
}
