package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bibshelf/bibshelf/bib"
)

// KeyChange is an entry an import brought in under another key than its file gave it: the
// library, or the file before it, has another paper under that key. The entry already there
// keeps its key (it may be cited in a paper); the new one gets a letter, as keys made from a
// key pattern do (smith2019 -> smith2019a).
type KeyChange struct {
	File string
	Line int
	Old  string // the key in the file
	New  string // the key in the library
	// Existing is the key of the entry that has Old, as the library spells it.
	Existing string
	// InFile says that entry came earlier in the same file: bibtex reads that one under Old.
	InFile bool
	// Duplicate says the entry was not imported: the library has the same entry (same type and
	// fields) under New, a key an earlier import gave it.
	Duplicate bool
}

// clashKind is what an entry is to the entry of the library that has its key.
type clashKind int

const (
	// otherPaper: another paper. The entry is imported under a key of its own.
	otherPaper clashKind = iota
	// sameEntry: bibtex reads the same type and fields. The entry is skipped as a duplicate.
	sameEntry
	// samePaper: another entry of the same paper (same ISBN, DOI, arXiv id, or title, year and
	// first author). The duplicates policy decides; kept, it gets a key of its own.
	samePaper
)

// clash is what an import finds in the library for an entry whose key it has.
type clash struct {
	existing string // the key of the entry that has the entry's key, as the library spells it
	kind     clashKind
	reason   string // why it is samePaper
	// same is the key of the entry that reads alike (sameEntry): the key itself, or the key an
	// earlier import gave a copy of the entry (the key with a letter added).
	same string
	// free is the key the entry gets if it is imported.
	free string
	// alike lists, for an entry that names others by key (see referenceFields), the entries that
	// read alike but for those fields: whether it is one of them depends on what the entries it
	// names turn out to be, once the whole file is in.
	alike []string
}

// maxCompared is how many of a key's variants (bib.KeyVariants: the key, then with a letter
// added) findClash compares with the entry: the key and those with one letter. Further ones are
// only looked for a free one among, through keyFloors, so that a file of n entries of one key
// costs n look-ups rather than n²/2 (1,000 entries of one key, 23 KB, took 14 s); an entry
// that reads as one of those further ones is imported again, and reported as a duplicate.
const maxCompared = 27

// keyFloors holds, for each key an import has made variants of (bib.KeyVariant), how many of
// them it found taken, from the first: the next look-up starts there. An import only adds
// keys, so what was taken stays taken; were one given up, the key made would still be free,
// only not the first free one. A nil keyFloors starts each look-up at the key itself.
type keyFloors map[string]int

// free returns the first variant of base from its floor that taken reports free, and raises
// the floor to it.
func (f keyFloors) free(base string, taken func(string) (bool, error)) (string, error) {
	for n := f[base]; ; n++ {
		k := bib.KeyVariant(base, n)
		t, err := taken(k)
		if err != nil || !t {
			if f != nil {
				f[base] = n
			}
			return k, err
		}
	}
}

// findClash looks at the entries of the library that have e's key, or that key with a letter
// added (as an earlier import of the same entry may have given it), up to the first free one,
// comparing the first maxCompared of them with e. refs says that e names other entries.
func findClash(ctx context.Context, tx *sql.Tx, e *bib.Entry, ident identity, refs bool, floors keyFloors) (clash, error) {
	var c clash
	for n := 0; ; n++ {
		if n == maxCompared && floors[e.Key] > n {
			free, err := floors.free(e.Key, func(k string) (bool, error) { return keyTaken(ctx, tx, k) })
			c.free = free
			return c, err
		}
		k := bib.KeyVariant(e.Key, n)
		var old bib.Entry
		var fields string
		var have identity
		err := tx.QueryRowContext(ctx, `SELECT e.key, e.type, t.fields, t.source, e.doi, e.arxiv, e.isbn, e.title_key
			FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.key = ?`, k).
			Scan(&old.Key, &old.Type, &fields, &old.Source, &have.DOI, &have.ArXiv, &have.ISBN, &have.TitleKey)
		if errors.Is(err, sql.ErrNoRows) {
			c.free = k
			if floors != nil && floors[e.Key] < n {
				floors[e.Key] = n
			}
			return c, nil
		}
		if err != nil {
			return c, fmt.Errorf("entry %q: %w", k, err)
		}
		if n >= maxCompared {
			continue
		}
		if err := decodeFields(&old, fields); err != nil {
			return c, fmt.Errorf("entry %q: %w", old.Key, err)
		}
		if c.existing == "" {
			c.existing = old.Key
			for _, col := range identColumns {
				if v := col.value(ident); v != "" && v == col.value(have) {
					c.kind, c.reason = samePaper, col.reason(v)
					break
				}
			}
		}
		if bib.SameReading(&old, e, referenceFields...) {
			switch {
			case refs:
				c.alike = append(c.alike, old.Key)
			case len(references(&old)) == 0:
				c.kind, c.same = sameEntry, old.Key
				return c, nil
			}
		}
	}
}

// referenceFields are the fields in which an entry names other entries of its file by key:
// BibTeX's crossref, and BibLaTeX's xref, and its lists xdata, related and entryset. That is
// wider than bib.Parents (the entries whose fields an entry reads): here every entry named must
// stay with the entry that names it, and each field's list is kept apart for followRenamed.
var referenceFields = []string{"crossref", "xref", "xdata", "related", "entryset"}

// references returns the keys, folded (bib.FoldKey), that e's reference fields name.
func references(e *bib.Entry) []string {
	var keys []string
	for _, name := range referenceFields {
		// SplitSeq, not Split: most entries have none of these fields, and Split makes a slice
		// for each empty one (five per entry of an import).
		for k := range strings.SplitSeq(e.Get(name), ",") {
			if k = strings.TrimSpace(k); k != "" {
				keys = append(keys, bib.FoldKey(k))
			}
		}
	}
	return keys
}

// referenceLists returns the keys each of e's reference fields names, folded, one field
// after another (an empty string ends each), a key through renamed when it has it.
func referenceLists(e *bib.Entry, renamed map[string]string) []string {
	var out []string
	for _, name := range referenceFields {
		for _, k := range strings.Split(e.Get(name), ",") {
			k = bib.FoldKey(strings.TrimSpace(k))
			if to, ok := renamed[k]; ok {
				k = bib.FoldKey(to)
			}
			if k != "" {
				out = append(out, k)
			}
		}
		out = append(out, "")
	}
	return out
}

// refEntry is an entry of an import that names other entries.
type refEntry struct {
	id   int64
	keys []string
}

// tentativeEntry is an entry of an import that reads as entries of the library (clash.alike)
// but for the entries it names: whether it is one of them is decided once the whole file is in
// (see settleRefs). Until then it is in the library under a key of its own.
type tentativeEntry struct {
	id     int64
	change KeyChange
	alike  []string
	refs   []string
	at     int // its problem's index in the report
}

// settleRefs ends what an import does with keys that other papers had.
//
// A tentative entry is dropped as a duplicate when one of the entries it reads alike names the
// same entries, once the keys this import renamed are followed; it is kept otherwise. Either
// way the file's entries that name its key then name the entry it is. Entries are decided after
// those they name, so that a chain of crossrefs settles from its end.
//
// Then every entry of the import that names a key the import renamed names the new key, in its
// source as in its fields: the file's first entry with a key is the one bibtex reads for it.
func (im *importer) settleRefs(ctx context.Context) error {
	undecided := map[string]bool{}
	for _, t := range im.tentative {
		undecided[bib.FoldKey(t.change.Old)] = true
	}
	dropped := map[int64]bool{}
	decide := func(t *tentativeEntry) error {
		delete(undecided, bib.FoldKey(t.change.Old))
		e, err := entryByID(ctx, im.tx, t.id)
		if err != nil {
			return err
		}
		mine := referenceLists(e, im.renamed)
		c := t.change
		p := bib.Problem{File: c.File, Line: c.Line, Col: 1, Key: c.Old, Severity: bib.Warning}
		for _, k := range t.alike {
			other, err := entryByKey(ctx, im.tx, k)
			if err != nil {
				return err
			}
			if !slices.Equal(mine, referenceLists(other, nil)) {
				continue
			}
			if _, err := im.tx.ExecContext(ctx, `DELETE FROM entries WHERE id = ?`, t.id); err != nil {
				return fmt.Errorf("entry %q: %w", c.Old, err)
			}
			dropped[t.id] = true
			im.rep.Duplicates++
			p.Msg = fmt.Sprintf("skipped: the library's %q is the same entry (same type and fields)", other.Key)
			im.rep.Problems[t.at] = p
			if !bib.SameKey(other.Key, c.Old) {
				im.renamed[bib.FoldKey(c.Old)] = other.Key
				im.rep.Renamed = append(im.rep.Renamed, KeyChange{File: c.File, Line: c.Line, Old: c.Old, New: other.Key,
					Existing: c.Existing, Duplicate: true})
			}
			return nil
		}
		im.rep.Imported++
		im.rep.Renamed = append(im.rep.Renamed, c)
		im.renamed[bib.FoldKey(c.Old)] = c.New
		p.Msg = fmt.Sprintf("imported as %q (the library's %q has the same fields, but names other entries than this file's)", c.New, c.Existing)
		im.rep.Problems[t.at] = p
		return nil
	}
	waits := func(t *tentativeEntry) bool {
		return slices.ContainsFunc(t.refs, func(k string) bool { return undecided[k] && k != bib.FoldKey(t.change.Old) })
	}
	for progress := true; progress; {
		progress = false
		for i := range im.tentative {
			t := &im.tentative[i]
			if !undecided[bib.FoldKey(t.change.Old)] || waits(t) {
				continue
			}
			if err := decide(t); err != nil {
				return err
			}
			progress = true
		}
	}
	for i := range im.tentative { // entries that name each other: decided in file order
		if t := &im.tentative[i]; undecided[bib.FoldKey(t.change.Old)] {
			if err := decide(t); err != nil {
				return err
			}
		}
	}
	return im.followRenamed(ctx, dropped)
}

// followRenamed makes every entry of the import that names a key the import renamed name the
// new key, in its source as in its fields; dropped are the entries settleRefs dropped.
func (im *importer) followRenamed(ctx context.Context, dropped map[int64]bool) error {
	if len(im.renamed) == 0 {
		return nil
	}
	now := time.Now().UnixMilli()
	for _, r := range im.refs {
		if dropped[r.id] || !slices.ContainsFunc(r.keys, func(k string) bool { _, ok := im.renamed[k]; return ok }) {
			continue
		}
		e, err := entryByID(ctx, im.tx, r.id)
		if err != nil {
			return err
		}
		changed, err := renameReferences(e, im.renamed)
		if err != nil {
			return fmt.Errorf("entry %q: %w", e.Key, err)
		}
		if !changed {
			continue
		}
		if err := updateEntry(ctx, im.tx, r.id, e.Key, e.Type, entryRow(e), nil, now); err != nil {
			return fmt.Errorf("entry %q: %w", e.Key, err)
		}
	}
	return nil
}

// renameReferences makes e's reference fields name the new keys of renamed (by old key in lower
// case), and says whether it changed any.
func renameReferences(e *bib.Entry, renamed map[string]string) (bool, error) {
	changed := false
	for _, name := range referenceFields {
		f := e.Field(name)
		if f == nil {
			continue
		}
		// Only the keys change: the separators and spaces stay as written.
		parts := strings.Split(f.Value, ",")
		hit := false
		for i, part := range parts {
			k := strings.TrimSpace(part)
			if to, ok := renamed[bib.FoldKey(k)]; ok && k != "" {
				lead := part[:strings.Index(part, k)]
				parts[i], hit = lead+to+part[len(lead)+len(k):], true
			}
		}
		if !hit {
			continue
		}
		raw := "{" + strings.Join(parts, ",") + "}"
		if strings.HasPrefix(f.Raw, `"`) {
			raw = `"` + strings.Join(parts, ",") + `"`
		}
		if err := e.SetRaw(name, raw); err != nil {
			return false, err
		}
		changed = true
	}
	return changed, nil
}

// entryByID reads the entry id in tx.
func entryByID(ctx context.Context, tx *sql.Tx, id int64) (*bib.Entry, error) {
	var e bib.Entry
	var fields string
	if err := tx.QueryRowContext(ctx, `SELECT e.key, e.type, t.fields, t.source FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.id = ?`, id).
		Scan(&e.Key, &e.Type, &fields, &e.Source); err != nil {
		return nil, fmt.Errorf("entry %d: %w", id, err)
	}
	if err := decodeFields(&e, fields); err != nil {
		return nil, fmt.Errorf("entry %q: %w", e.Key, err)
	}
	return &e, nil
}

// entryByKey reads the entry with a key (case-insensitive) in tx.
func entryByKey(ctx context.Context, tx *sql.Tx, key string) (*bib.Entry, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM entries WHERE key = ?`, key).Scan(&id); err != nil {
		return nil, fmt.Errorf("entry %q: %w", key, err)
	}
	return entryByID(ctx, tx, id)
}
