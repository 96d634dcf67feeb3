package storage

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// maxTargetFile bounds the file a diff or an import of a target's changes reads: ten times the
// export of 100,000 entries.
const maxTargetFile = 1 << 30

// TargetDiff is the difference, entry by entry, between a target's file as it is on disk and
// what Bibshelf would write there. Keys are as the file has them (Removed: as Bibshelf would
// write them), in the order they come.
//
// An entry whose text differs is Changed when the library has not changed it since the content
// Bibshelf last wrote to the file (or found there): the difference was made in the file. It is
// ChangedBoth when the library changed it since: it may have been changed in the file too, or
// only in the library, which the entry's revision cannot tell apart (Bibshelf keeps no copy of
// what it wrote). In a file Bibshelf never wrote, or wrote with other settings that shape the
// text, every entry the library changed at all since revisions began is ChangedBoth.
type TargetDiff struct {
	Added   []string // in the file, not in what Bibshelf would write
	Changed []string // in both, with another type or other field values, changed in the file only
	// ChangedBoth are in both, with another type or other field values, and changed in the
	// library since Bibshelf last wrote the file: ImportTargetChanges keeps them as the library
	// has them.
	ChangedBoth []string
	Removed     []string // in what Bibshelf would write, not in the file
}

// IsZero reports whether the file and what Bibshelf would write hold the same entries.
func (d TargetDiff) IsZero() bool {
	return len(d.Added) == 0 && len(d.Changed) == 0 && len(d.ChangedBoth) == 0 && len(d.Removed) == 0
}

// ExportTargetDiff compares the target id's file, as it is on disk, with what a run would
// write, entry by entry (both read with bib.Parse; entries compared by type and field values,
// whatever their layout and field order), and tells the entries changed in the file from those
// the library changed since Bibshelf last wrote the file by their revisions. A missing file is
// all Removed.
func (a *AutoExporter) ExportTargetDiff(ctx context.Context, id int64) (TargetDiff, error) {
	c, err := a.compare(ctx, id)
	if err != nil {
		return TargetDiff{}, err
	}
	return c.diff, nil
}

// ExportTargetDiff is AutoExporter.ExportTargetDiff with nothing cached.
func (l *Library) ExportTargetDiff(ctx context.Context, id int64) (TargetDiff, error) {
	return NewAutoExporter(l, nil).ExportTargetDiff(ctx, id)
}

// comparison is a target's file as compare read it, beside what a run would write.
type comparison struct {
	target     ExportTarget
	disk, ours *bib.File
	// hash is the content hash (hex) of the bytes read from the file; "" when there was none.
	hash string
	diff TargetDiff
}

// compare reads the target's file and renders what a run would write, both parsed, and
// compares them.
func (a *AutoExporter) compare(ctx context.Context, id int64) (*comparison, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	recs, err := targetRecords(ctx, a.l.db, id)
	if err == nil && len(recs) == 0 {
		err = notExist("no such target")
	}
	if err != nil {
		return nil, fmt.Errorf("compare export target %d: %w", id, err)
	}
	t, fileRev := recs[0].ExportTarget, recs[0].fileRevision
	out, err := a.render(ctx, &t)
	if err != nil {
		return nil, fmt.Errorf("compare export target %d: %w", id, err)
	}
	var buf bytes.Buffer
	if err := out.writeTo(&buf); err != nil {
		return nil, fmt.Errorf("compare export target %d: %w", id, err)
	}
	text, found, err := readTargetFile(t.Path)
	if err != nil {
		return nil, fmt.Errorf("compare export target %d: %w", id, err)
	}
	c := &comparison{target: t, disk: bib.Parse(t.Path, text), ours: bib.Parse("bibshelf", buf.Bytes())}
	if found {
		h := newContentHash()
		h.Write(text)
		c.hash = hex.EncodeToString(h.Sum(nil))
	}
	c.diff = diffEntries(c.disk.Entries(), c.ours.Entries())
	if c.diff.Changed, c.diff.ChangedBoth, err = a.splitChanged(ctx, c.diff.Changed, fileRev); err != nil {
		return nil, fmt.Errorf("compare export target %d: %w", id, err)
	}
	return c, nil
}

// splitChanged splits the keys of changed entries into those the library did not change since
// its revision fileRev, which the file's content reflects (0: none), and the others (both). The
// revisions are read after the render: an entry changed in between reads as changed in the
// library, which keeps it as the library has it.
func (a *AutoExporter) splitChanged(ctx context.Context, keys []string, fileRev int64) (file, both []string, err error) {
	if len(keys) == 0 {
		return nil, nil, nil
	}
	tx, err := a.l.rdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `SELECT revision FROM entries WHERE key = ?`)
	if err != nil {
		return nil, nil, err
	}
	defer stmt.Close()
	for _, k := range keys {
		var rev int64
		if err := stmt.QueryRowContext(ctx, k).Scan(&rev); err != nil {
			return nil, nil, fmt.Errorf("read the revision of %q: %w", k, err)
		}
		if fileRev > 0 && rev <= fileRev {
			file = append(file, k)
		} else {
			both = append(both, k)
		}
	}
	return file, both, nil
}

// readTargetFile reads a target's file, at most maxTargetFile bytes; a missing one reads empty,
// and found false.
func readTargetFile(path string) (text []byte, found bool, err error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	text, err = io.ReadAll(io.LimitReader(f, maxTargetFile+1))
	if err != nil {
		return nil, false, err
	}
	if len(text) > maxTargetFile {
		return nil, false, fmt.Errorf("%s is larger than %d MB", path, maxTargetFile>>20)
	}
	return text, true, nil
}

// diffEntries compares the entries of the file on disk with ours, by key without regard to
// case (the first entry of a key counts, as in BibTeX).
func diffEntries(disk, ours []*bib.Entry) TargetDiff {
	mine := map[string]*bib.Entry{}
	for _, e := range ours {
		if k := bib.FoldKey(e.Key); mine[k] == nil {
			mine[k] = e
		}
	}
	var d TargetDiff
	seen := map[string]bool{}
	for _, e := range disk {
		k := bib.FoldKey(e.Key)
		if seen[k] {
			continue
		}
		seen[k] = true
		switch m := mine[k]; {
		case m == nil:
			d.Added = append(d.Added, e.Key)
		case !sameContent(e, m):
			d.Changed = append(d.Changed, e.Key)
		}
	}
	for _, e := range ours {
		if k := bib.FoldKey(e.Key); !seen[k] {
			seen[k] = true
			d.Removed = append(d.Removed, e.Key)
		}
	}
	return d
}

// sameContent reports whether a and b have the same type and the same values of the same fields.
func sameContent(a, b *bib.Entry) bool {
	return strings.EqualFold(a.Type, b.Type) && slices.Equal(fieldValues(a), fieldValues(b))
}

// fieldValues returns the entry's effective fields as name=value, sorted.
func fieldValues(e *bib.Entry) []string {
	var out []string
	for _, f := range e.Fields {
		if !f.Duplicate {
			out = append(out, strings.ToLower(f.Name)+"="+f.Value)
		}
	}
	slices.Sort(out)
	return out
}

// TargetImport is what ImportTargetChanges did.
type TargetImport struct {
	Updated []string // the library's entries given the file's version
	// Kept lists the entries that differ in the file which the library changed too since
	// Bibshelf last wrote it (TargetDiff.ChangedBoth): they stay as the library has them, and the
	// file is left as it is, for the user to decide (edit them, or overwrite the file).
	Kept   []string
	Report Report // the import of the entries only the file has
	// Joined lists the entries the file added that the library had already, the same, outside
	// the target's collection or tag: they were put into it.
	Joined []string
	// Outside lists the entries taken into the library (updated, imported or joined) that the
	// target's saved search does not select: they are in the library, but the file written
	// after the import does not hold them.
	Outside []string
}

// ErrConvertedTarget is matched by ImportTargetChanges' error for a target whose file is a
// converted form of the library's entries: another dialect, ASCII, or notes in annote.
var ErrConvertedTarget = errors.New("the file is a converted form of the library's entries")

// ImportTargetChanges takes into the library the changes someone else made to the target id's
// file: each entry only the file changed (TargetDiff.Changed) replaces the library's of its key
// (UpdateEntry), and the entries only the file has (Added) are imported, with the file's
// @string and @preamble items, into the target's collection or with its tag, so that the file
// written next still holds them. An added entry the library has already, the same, outside the
// target, is put into its collection or given its tag (Joined); an added entry under the key of
// another entry of the library refuses the whole import, before any change, as the import
// would rename it. A saved search's target may not select every entry taken in: those are
// listed (Outside). Entries the file left out (Removed) stay in the library. Entries the library
// changed too since Bibshelf last wrote the file (TargetDiff.ChangedBoth; in a file it never
// wrote, every entry changed since revisions began) stay as the library has them (Kept): the
// file's version does not replace a change made in the library.
//
// A target written in another dialect than as written, in ASCII or with notes in annote is
// refused (ErrConvertedTarget): its text is a conversion, which would replace the library's.
//
// The file counts as Bibshelf's then only if it is still as it was read: a change saved to it
// in the meantime makes the error a *TargetChangedError, and is not overwritten. Then the
// target is run: it writes the library's version of the file, which now has the changes. It
// takes several transactions: should one fail, the changes taken before it stay, and the target
// is left as it was. When entries were Kept, the file is left as it is, still changed by
// someone else, and not run: it holds the file's version of those entries, which the user may
// still want; the status returned is the target's as it stands.
func (a *AutoExporter) ImportTargetChanges(ctx context.Context, id int64) (TargetImport, TargetStatus, error) {
	var ti TargetImport
	fail := func(err error) (TargetImport, TargetStatus, error) {
		return ti, TargetStatus{}, fmt.Errorf("import the changes of export target %d: %w", id, err)
	}
	t, err := a.l.ExportTarget(ctx, id)
	if err != nil {
		return fail(err)
	}
	if why := converted(t); why != "" {
		return fail(fmt.Errorf("%w (%s), which would replace the library's text of the entries: "+
			"overwrite the file with the library's entries, or make the changes in the library", ErrConvertedTarget, why))
	}
	c, err := a.compare(ctx, id)
	if err != nil {
		return ti, TargetStatus{}, err
	}
	t = c.target
	d := c.diff
	ti.Kept = d.ChangedBoth
	byKey := map[string]*bib.Entry{}
	for _, e := range c.disk.Entries() {
		if k := bib.FoldKey(e.Key); byKey[k] == nil {
			byKey[k] = e
		}
	}
	added, joined, err := a.sortAdded(ctx, d.Added, byKey)
	if err != nil {
		return fail(err)
	}
	for _, k := range d.Changed {
		if err := a.l.UpdateEntry(ctx, k, byKey[bib.FoldKey(k)]); err != nil {
			return fail(err)
		}
		ti.Updated = append(ti.Updated, k)
	}
	if len(added) > 0 {
		opts := ImportOptions{}
		if t.Kind == TargetCollection {
			opts.Collection = t.Collection
		}
		if ti.Report, err = a.l.ImportReader(ctx, addedItems(c.disk, added), opts); err != nil {
			return fail(err)
		}
	}
	if err := a.join(ctx, t, joined, ti.Report.Added); err != nil {
		return fail(err)
	}
	ti.Joined = joined
	taken := slices.Concat(ti.Updated, ti.Report.Added, joined)
	if ti.Outside, err = a.outside(ctx, t, taken); err != nil {
		return fail(err)
	}
	if len(ti.Kept) > 0 {
		t, err := a.l.ExportTarget(ctx, id)
		if err != nil {
			return fail(err)
		}
		return ti, t.Status, nil
	}
	if afterTargetImport != nil {
		afterTargetImport()
	}
	if err := a.adopt(ctx, id, c.hash); err != nil {
		return ti, TargetStatus{}, err
	}
	sts, err := a.RunTargets(ctx, RunOptions{}, id)
	if err != nil || len(sts) == 0 {
		return ti, TargetStatus{}, err
	}
	return ti, sts[0], nil
}

// afterTargetImport, when set (by tests), is called after ImportTargetChanges took the file's
// changes, before the file becomes Bibshelf's.
var afterTargetImport func()

// converted says why the target's file is a converted form of its entries, "" when it is not.
func converted(t ExportTarget) string {
	var why []string
	if t.Dialect != bib.AsWritten {
		why = append(why, "written as "+t.Dialect.String())
	}
	if t.ASCII {
		why = append(why, "in ASCII")
	}
	if t.Notes {
		why = append(why, "with the notes in annote")
	}
	return strings.Join(why, ", ")
}

// sortAdded splits the keys the file added into those to import and those the library has
// already with the file's content (joined). A key the library has for another entry is an
// error, which names them all.
func (a *AutoExporter) sortAdded(ctx context.Context, keys []string, byKey map[string]*bib.Entry) (added, joined []string, err error) {
	var clashes []string
	for _, k := range keys {
		e, err := a.l.Entry(ctx, k)
		switch {
		case errors.Is(err, ErrNotFound):
			added = append(added, k)
		case err != nil:
			return nil, nil, err
		case sameContent(e, byKey[bib.FoldKey(k)]):
			joined = append(joined, e.Key)
		default:
			clashes = append(clashes, k)
		}
	}
	if len(clashes) > 0 {
		return nil, nil, exist(fmt.Sprintf("the file adds entries under keys the library gives other entries, which this target does not write: %s; "+
			"give them other keys in the file, or overwrite it", strings.Join(clashes, ", ")))
	}
	return added, joined, nil
}

// join puts the entries joined, and those imported (added; into a collection already by the
// import), into the target's selection: its collection or its tag.
func (a *AutoExporter) join(ctx context.Context, t ExportTarget, joined, added []string) error {
	switch t.Kind {
	case TargetCollection:
		if len(joined) > 0 {
			if _, err := a.l.AddToCollection(ctx, t.Collection, joined...); err != nil {
				return err
			}
		}
	case TargetTag:
		if keys := slices.Concat(joined, added); len(keys) > 0 {
			if _, err := a.l.AddTags(ctx, keys, t.Tag); err != nil {
				return err
			}
		}
	}
	return nil
}

// outside returns the keys that the target does not select.
func (a *AutoExporter) outside(ctx context.Context, t ExportTarget, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	tx, err := a.l.rdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	opts, err := t.exportOptions(ctx, tx)
	if err != nil {
		return nil, err
	}
	opts.Filter.Keys = keys
	sel, err := selectExport(ctx, tx, opts)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT e.key FROM `+sel.from+` WHERE `+sel.where, sel.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	in := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		in[bib.FoldKey(k)] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	for _, k := range keys {
		if !in[bib.FoldKey(k)] {
			out = append(out, k)
		}
	}
	return out, nil
}

// ImportTargetChanges is AutoExporter.ImportTargetChanges with nothing cached.
func (l *Library) ImportTargetChanges(ctx context.Context, id int64) (TargetImport, TargetStatus, error) {
	return NewAutoExporter(l, nil).ImportTargetChanges(ctx, id)
}

// addedItems returns a reader of the file's @string and @preamble items and of its entries
// with the keys added, in the file's order.
func addedItems(f *bib.File, added []string) bib.ItemReader {
	want := map[string]bool{}
	for _, k := range added {
		want[bib.FoldKey(k)] = true
	}
	var text strings.Builder
	for _, it := range f.Items {
		switch {
		case it.Kind == bib.KindString || it.Kind == bib.KindPreamble:
		case it.Kind == bib.KindEntry && want[bib.FoldKey(it.Entry.Key)]:
			delete(want, bib.FoldKey(it.Entry.Key)) // the first of a key, as in BibTeX
		default:
			continue
		}
		text.WriteString(it.Raw)
		text.WriteString("\n\n")
	}
	return bib.NewReader(f.Name, text.String())
}

// adopt records the target's file as Bibshelf's, if it is still as compare read it: its content
// hash was hash ("" for no file). A file changed since is a *TargetChangedError.
func (a *AutoExporter) adopt(ctx context.Context, id int64, hash string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	recs, err := targetRecords(ctx, a.l.db, id)
	if err == nil && len(recs) == 0 {
		err = notExist("no such target")
	}
	if err != nil {
		return fmt.Errorf("export target %d: %w", id, err)
	}
	r := recs[0]
	r.file = fileRecord{}
	delete(a.wrote, r.Path)
	delete(a.last, r.Path)
	disk, err := a.onDisk(r)
	if err != nil {
		return err
	}
	if disk == nil && hash != "" || disk != nil && disk.hash != hash {
		changed := &TargetChangedError{ID: id, Path: r.Path}
		return fmt.Errorf("import the changes of export target %d: %w (while its changes were taken in: take them in again)", id, changed)
	}
	if disk == nil {
		return nil
	}
	a.wrote[r.Path] = *disk
	_, err = a.l.db.ExecContext(ctx, `UPDATE export_targets SET written_size = ?, written_hash = ?, written_mtime = ?, pending_hash = '',
		error = '', conflict = 0 WHERE id = ?`, disk.size, disk.hash, disk.mtime, id)
	if err != nil {
		return fmt.Errorf("export target %d: %w", id, err)
	}
	return nil
}
