package storage

import (
	"bytes"
	"context"
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
type TargetDiff struct {
	Added   []string // in the file, not in what Bibshelf would write
	Changed []string // in both, with another type or other field values
	Removed []string // in what Bibshelf would write, not in the file
}

// IsZero reports whether the file and what Bibshelf would write hold the same entries.
func (d TargetDiff) IsZero() bool {
	return len(d.Added) == 0 && len(d.Changed) == 0 && len(d.Removed) == 0
}

// ExportTargetDiff compares the target id's file, as it is on disk, with what a run would
// write, entry by entry (both read with bib.Parse; entries compared by type and field values,
// whatever their layout and field order). A missing file is all Removed.
func (a *AutoExporter) ExportTargetDiff(ctx context.Context, id int64) (TargetDiff, error) {
	disk, ours, err := a.compare(ctx, id)
	if err != nil {
		return TargetDiff{}, err
	}
	return diffEntries(disk.Entries(), ours.Entries()), nil
}

// ExportTargetDiff is AutoExporter.ExportTargetDiff with nothing cached.
func (l *Library) ExportTargetDiff(ctx context.Context, id int64) (TargetDiff, error) {
	return NewAutoExporter(l, nil).ExportTargetDiff(ctx, id)
}

// compare reads the target's file and renders what a run would write, both parsed.
func (a *AutoExporter) compare(ctx context.Context, id int64) (disk, ours *bib.File, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	recs, err := targetRecords(ctx, a.l.db, id)
	if err == nil && len(recs) == 0 {
		err = notExist("no such target")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("compare export target %d: %w", id, err)
	}
	t := recs[0].ExportTarget
	out, err := a.render(ctx, &t)
	if err != nil {
		return nil, nil, fmt.Errorf("compare export target %d: %w", id, err)
	}
	var buf bytes.Buffer
	if err := out.writeTo(&buf); err != nil {
		return nil, nil, fmt.Errorf("compare export target %d: %w", id, err)
	}
	text, err := readTargetFile(t.Path)
	if err != nil {
		return nil, nil, fmt.Errorf("compare export target %d: %w", id, err)
	}
	return bib.Parse(t.Path, text), bib.Parse("bibshelf", buf.Bytes()), nil
}

// readTargetFile reads a target's file, at most maxTargetFile bytes; a missing one reads empty.
func readTargetFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, maxTargetFile+1))
	if err != nil {
		return nil, err
	}
	if len(text) > maxTargetFile {
		return nil, fmt.Errorf("%s is larger than %d MB", path, maxTargetFile>>20)
	}
	return text, nil
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
	Report  Report   // the import of the entries only the file has
}

// ImportTargetChanges takes into the library the changes someone else made to the target id's
// file: each entry the file changed (TargetDiff.Changed) replaces the library's of its key
// (UpdateEntry), and the entries only the file has (Added) are imported, with the file's
// @string and @preamble items. Entries the file left out (Removed) stay in the library. The
// file as it is then counts as Bibshelf's, and the target is run: it writes the library's
// version of the file, which now has the changes. It takes several transactions: should one
// fail, the changes taken before it stay, and the target is left as it was.
func (a *AutoExporter) ImportTargetChanges(ctx context.Context, id int64) (TargetImport, TargetStatus, error) {
	disk, ours, err := a.compare(ctx, id)
	if err != nil {
		return TargetImport{}, TargetStatus{}, err
	}
	d := diffEntries(disk.Entries(), ours.Entries())
	byKey := map[string]*bib.Entry{}
	for _, e := range disk.Entries() {
		if k := bib.FoldKey(e.Key); byKey[k] == nil {
			byKey[k] = e
		}
	}
	var ti TargetImport
	for _, k := range d.Changed {
		if err := a.l.UpdateEntry(ctx, k, byKey[bib.FoldKey(k)]); err != nil {
			return ti, TargetStatus{}, fmt.Errorf("import the changes of export target %d: %w", id, err)
		}
		ti.Updated = append(ti.Updated, k)
	}
	if len(d.Added) > 0 {
		if ti.Report, err = a.l.ImportReader(ctx, addedItems(disk, d.Added), ImportOptions{}); err != nil {
			return ti, TargetStatus{}, fmt.Errorf("import the changes of export target %d: %w", id, err)
		}
	}
	if err := a.adopt(ctx, id); err != nil {
		return ti, TargetStatus{}, err
	}
	sts, err := a.RunTargets(ctx, RunOptions{}, id)
	if err != nil || len(sts) == 0 {
		return ti, TargetStatus{}, err
	}
	return ti, sts[0], nil
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

// adopt records the target's file as it is now as Bibshelf's.
func (a *AutoExporter) adopt(ctx context.Context, id int64) error {
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
	if err != nil || disk == nil {
		return err
	}
	a.wrote[r.Path] = *disk
	_, err = a.l.db.ExecContext(ctx, `UPDATE export_targets SET written_size = ?, written_hash = ?, written_mtime = ?, pending_hash = '',
		error = '', conflict = 0 WHERE id = ?`, disk.size, disk.hash, disk.mtime, id)
	if err != nil {
		return fmt.Errorf("export target %d: %w", id, err)
	}
	return nil
}
