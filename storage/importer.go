package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/bibshelf/bibshelf/bib"
)

// importer is one ImportWith in its transaction.
type importer struct {
	src     itemSource
	items   int // the items other than text read so far
	opts    ImportOptions
	pattern *bib.KeyPattern
	bulk    bool
	// indexesLater says the library has index_pending (Library.indexesLater).
	indexesLater bool
	tx           *sql.Tx
	// cacheWas is the connection's cache_size before a bulk import grew it.
	cacheWas int
	rep      Report
	// newDups lists, in a bulk import that keeps duplicates, each inserted entry whose duplicate
	// warning is yet to be known, with where in rep.Problems the warning goes.
	newDups []pendingDup
	// source is the import's row in sources; scope the file's macros read so far.
	source int64
	scope  macroScope
	// inFile holds the line of the first entry of the file with each key (folded: bib.FoldKey);
	// renamed the new key of such an entry imported under another; refs the entries that name
	// others by key.
	inFile  map[string]int
	renamed map[string]string
	refs    []refEntry
	// floors are where the look-ups for a free variant of each key start (see keyFloors).
	floors keyFloors
	// tentative lists the entries that read as the library's entry of their key but name other
	// entries: they are kept, under a key of their own, only if one of those is (see settleRefs).
	tentative []tentativeEntry

	// What start sets up. setDups says the import finds its duplicates after its inserts
	// (newDups); indexes are the statements that make the indexes it dropped again, triggers
	// those that make the triggers it set aside (quietTriggers); since is the largest entry id
	// before a bulk import, where its pending search range starts.
	setDups           bool
	indexes           []entryIndex
	triggers          []string
	since             int64
	insEntry, insText *sql.Stmt
	dups              *dupFinder // nil when setDups
	tagger            *keywordTagger
	now               int64 // the entries' creation time
	rev               int64 // the entries' revision (see migration 0012)
	args, textArgs    []any // insertRow's and insertText's, reused
}

// pendingDup is an entry of a bulk import whose duplicates are found after the inserts.
type pendingDup struct {
	id   int64
	key  string
	line int
	at   int // index in Report.Problems
}

// run imports the items of the import's source in its transaction: start, then each item as
// the preparing goroutine hands it over, then finish.
func (im *importer) run(ctx context.Context) (err error) {
	defer func() { err = errors.Join(err, im.closeStatements()) }()
	if err := im.start(ctx); err != nil {
		return err
	}
	prep, stop := prepareEntries(im.src, im.tagger)
	defer stop()
	// The statements of each item run under a context that is never cancelled: the driver runs
	// a statement under one that can be on a goroutine of its own, to interrupt it, which made
	// the window's and the command line's imports (both cancellable) half as slow again as an
	// import that could not be. The loop looks at ctx before each item instead.
	rowCtx := context.WithoutCancel(ctx)
	for pi := range prep {
		if err := ctx.Err(); err != nil {
			return err
		}
		if pi.p.err != nil {
			return pi.p.err
		}
		if im.opts.Progress != nil && im.items%progressEvery == 0 {
			im.opts.Progress(im.items, max(im.items, im.src.items))
		}
		im.items++
		switch it := pi.it; it.Kind {
		case bib.KindString, bib.KindPreamble, bib.KindComment:
			if err := im.addItem(rowCtx, it, fmt.Sprintf("%s:%d", im.src.name, it.Line)); err != nil {
				return err
			}
		case bib.KindEntry:
			if err := im.addEntry(rowCtx, it, pi.p); err != nil {
				return err
			}
		}
	}
	return im.finish(ctx, rowCtx)
}

// start prepares the import's statements and its row in sources, and, in a bulk import, opens
// its pending search range and drops the indexes it makes again at the end (see rebuildRatio).
func (im *importer) start(ctx context.Context) error {
	tx := im.tx
	// A bulk import that keeps duplicates finds them all at its end (bulkDuplicates); skipping
	// one decides whether the next entries can match it, so that needs each entry's answer
	// before the next is inserted.
	im.setDups = im.bulk && im.opts.Duplicates == ImportDuplicates
	// Such an import into a library much smaller than itself makes the entries table's indexes
	// again after its inserts instead of keeping them up to date. Nothing reads them in
	// between: duplicates are looked for after the indexes are back.
	if im.setDups {
		var have int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries`).Scan(&have); err != nil {
			return fmt.Errorf("count entries: %w", err)
		}
		if have*rebuildRatio <= im.src.entries {
			var err error
			if im.indexes, err = dropEntryIndexes(ctx, tx, importKept); err != nil {
				return fmt.Errorf("drop indexes: %w", err)
			}
			// The cache grown for the indexes' pages is not needed (the import takes as long
			// with 8 MB as with 64 MB).
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, min(im.cacheWas, -rebuildCache>>10))); err != nil {
				return fmt.Errorf("shrink cache: %w", err)
			}
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO sources (name, imported) VALUES (?, ?)`, im.src.name, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("add source: %w", err)
	}
	if im.source, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("add source: %w", err)
	}
	im.now = time.Now().UnixMilli()
	// The fields JSON comes as bytes (see fieldsBuffers), which SQLite would store as a blob.
	// What every entry of the import has alike (its creation time, source and revision) is
	// written into the statement, as numbers, rather than bound for each entry: a bound value
	// is a call into SQLite (0.17 µs) per entry. The entries get the import's revision (0: a
	// library of a schema before revisions, in tests).
	revCol, revVal := "", ""
	if im.rev != 0 {
		revCol, revVal = ", revision", fmt.Sprintf(", %d", im.rev)
	}
	if im.insEntry, err = tx.PrepareContext(ctx, fmt.Sprintf(`INSERT INTO entries
		(key, type, `+rowColumns+`, origin, created, modified, `+identityColumnList+`, source_id, context`+revCol+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, %d, %d, ?, ?, ?, ?, %d, ?`+revVal+`) ON CONFLICT (key) DO NOTHING`,
		im.now, im.now, im.source)); err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	im.scope, im.inFile, im.renamed, im.floors = macroScope{}, map[string]int{}, map[string]string{}, keyFloors{}
	if im.insText, err = tx.PrepareContext(ctx, `INSERT INTO entry_text (id, `+textColumns+`) VALUES (?, CAST(? AS TEXT), ?, ?)`); err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	if !im.setDups {
		if im.dups, err = newDupFinder(ctx, tx); err != nil {
			return err
		}
	}
	if !im.opts.NoKeywordTags {
		if im.tagger, err = newKeywordTagger(ctx, tx, im.opts.keywordSeparators, im.bulk); err != nil {
			return fmt.Errorf("prepare tags: %w", err)
		}
	}
	if im.bulk {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM entries`).Scan(&im.since); err != nil {
			return fmt.Errorf("read last entry: %w", err)
		}
		// The new entries are left to the end (see migration 0007).
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_pending (lo, hi) VALUES (?, ?)`, im.since, int64(math.MaxInt64)); err != nil {
			return fmt.Errorf("open pending search range: %w", err)
		}
		if im.triggers, err = dropQuietTriggers(ctx, tx, im.rev != 0); err != nil {
			return fmt.Errorf("set triggers aside: %w", err)
		}
	}
	return nil
}

// closeStatements closes what start prepared.
func (im *importer) closeStatements() error {
	var errs []error
	if im.insEntry != nil {
		errs = append(errs, im.insEntry.Close())
	}
	if im.insText != nil {
		errs = append(errs, im.insText.Close())
	}
	if im.dups != nil {
		im.dups.close()
	}
	if im.tagger != nil {
		errs = append(errs, im.tagger.link.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close statements: %w", err)
	}
	return nil
}

// addEntry imports an entry of the file, prepared as p (but for an entry without a key):
// skipped, or inserted under its key or one of its own, with its tags, and merged into its
// duplicate or reported with it as the options say.
func (im *importer) addEntry(ctx context.Context, it bib.Item, p preparedEntry) error {
	name, opts, rep := im.src.name, im.opts, &im.rep
	e := it.Entry
	if e.Key == "" {
		var err error
		if e, err = withNewKey(ctx, im.tx, e, im.pattern, im.floors); err != nil {
			return err
		}
		p = prepareEntry(e, im.tagger)
		rep.KeysGiven = append(rep.KeysGiven, e.Key)
		rep.Problems = append(rep.Problems, bib.Problem{File: name, Line: e.Line, Col: 1, Key: e.Key,
			Severity: bib.Warning, Msg: "entry had no key: it was given one"})
	}
	var existing, reason string
	if im.dups != nil {
		var err error
		if existing, reason, err = im.dups.find(ctx, e.Key, p.ident); err != nil {
			return err
		}
	}
	if existing != "" && opts.Duplicates == SkipDuplicates {
		p.done()
		rep.Duplicates++
		rep.Problems = append(rep.Problems, bib.Problem{File: name, Line: e.Line, Col: 1, Key: e.Key,
			Severity: bib.Warning, Msg: fmt.Sprintf("the library has this paper as %q (%s): skipped", existing, reason)})
		return nil
	}
	res, err := im.insertRow(ctx, e, p, it.Line)
	if err != nil {
		p.done()
		return err
	}
	first := im.inFile[bib.FoldKey(e.Key)]
	if first == 0 {
		im.inFile[bib.FoldKey(e.Key)] = e.Line
	}
	n, err := res.RowsAffected()
	if err != nil {
		p.done()
		return fmt.Errorf("entry %q: %w", e.Key, err)
	}
	if n == 0 {
		// The key is taken: by the same entry (skipped), or by another paper, and then this
		// one gets a key of its own.
		p.done()
		r, err := im.keyTaken(ctx, it, e, p, first)
		if err != nil || r == nil {
			return err
		}
		e, p, res = r.e, r.p, r.res
		if r.existing != "" {
			existing, reason = r.existing, r.reason
		}
	}
	id, err := res.LastInsertId()
	if err == nil {
		err = im.insertText(ctx, id, e, p)
	}
	if err != nil {
		return err
	}
	if im.tagger != nil {
		if err := im.tagger.tag(ctx, im.tx, id, e, p.words, rep, name); err != nil {
			return err
		}
	}
	if len(p.refs) > 0 {
		im.refs = append(im.refs, refEntry{id: id, keys: p.refs})
	}
	return im.settleDuplicate(ctx, e, id, existing, reason)
}

// insertRow inserts the entries row of e, prepared as p, from the file's line; its key may be
// taken, and then the result says it affected no row.
func (im *importer) insertRow(ctx context.Context, e *bib.Entry, p preparedEntry, line int) (sql.Result, error) {
	im.args = append(append(im.args[:0], e.Key, e.Type), p.row[:rowValues]...)
	im.args = appendIdentValues(append(im.args, fmt.Sprintf("%s:%d", im.src.name, line)), p.ident)
	im.args = append(im.args, im.contextOf(e, p).encode())
	res, err := im.insEntry.ExecContext(ctx, im.args...)
	if err != nil {
		return nil, fmt.Errorf("entry %q: %w", e.Key, err)
	}
	return res, nil
}

// renamedEntry is an entry whose key the library has, inserted under a key of its own: e and p
// are the renamed entry and what prepareEntry made of it, res its insert's result; existing and
// reason name the entry it is a duplicate of, if it is one.
type renamedEntry struct {
	e                *bib.Entry
	p                preparedEntry
	res              sql.Result
	existing, reason string
}

// keyTaken handles an entry of the file whose key the library has (or the file had earlier,
// first being that entry's line): one that reads as the entry of that key is skipped, or kept
// for later (tentative); another paper, or another entry of the same paper, is inserted under
// a key of its own, and returned for the rest of the import to finish. A nil result says the
// entry is done with.
func (im *importer) keyTaken(ctx context.Context, it bib.Item, e *bib.Entry, p preparedEntry, first int) (*renamedEntry, error) {
	name, opts, rep := im.src.name, im.opts, &im.rep
	c, err := findClash(ctx, im.tx, e, p.ident, len(p.refs) > 0, im.floors)
	if err != nil {
		return nil, err
	}
	where := fmt.Sprintf("the library's %q", c.existing)
	if first > 0 {
		where = fmt.Sprintf("the entry %q of line %d, which bibtex reads under this key,", c.existing, first)
	}
	var r renamedEntry
	switch {
	case c.kind == sameEntry:
		if first == 0 && !bib.SameKey(c.same, e.Key) {
			// An earlier import gave it another key: the file's entries that name it name
			// that one.
			im.renamed[bib.FoldKey(e.Key)] = c.same
			rep.Renamed = append(rep.Renamed, KeyChange{File: name, Line: e.Line, Old: e.Key, New: c.same,
				Existing: c.existing, Duplicate: true})
		}
		if c.same != c.existing {
			where = fmt.Sprintf("the library's %q", c.same)
		}
		rep.Duplicates++
		rep.Problems = append(rep.Problems, bib.Problem{File: name, Line: e.Line, Col: 1, Key: e.Key,
			Severity: bib.Warning, Msg: fmt.Sprintf("skipped: %s is the same entry (same type and fields)", strings.TrimSuffix(where, ","))})
		return nil, nil
	case c.kind == samePaper && opts.Duplicates == SkipDuplicates:
		rep.Duplicates++
		rep.Problems = append(rep.Problems, bib.Problem{File: name, Line: e.Line, Col: 1, Key: e.Key,
			Severity: bib.Warning, Msg: fmt.Sprintf("skipped: %s is this paper (%s)", strings.TrimSuffix(where, ","), c.reason)})
		return nil, nil
	case c.kind == samePaper:
		r.existing, r.reason = c.existing, c.reason
	}
	old, key := e.Key, c.free
	e = e.Clone()
	e.Rename(e.Type, key)
	p = prepareEntry(e, im.tagger)
	res, err := im.insertRow(ctx, e, p, it.Line)
	if err != nil {
		p.done()
		return nil, err
	}
	change := KeyChange{File: name, Line: e.Line, Old: old, New: key, Existing: c.existing, InFile: first > 0}
	if len(c.alike) > 0 && first == 0 {
		// It reads as entries of the library but for the entries it names (its crossref
		// parent, say), which may come later in the file.
		id, err := res.LastInsertId()
		if err != nil {
			return nil, fmt.Errorf("entry %q: %w", e.Key, err)
		}
		im.tentative = append(im.tentative, tentativeEntry{id: id, change: change, alike: c.alike, refs: p.refs, at: len(rep.Problems)})
		rep.Problems = append(rep.Problems, bib.Problem{}) // the decision's, at the file's end
		if err := im.insertText(ctx, id, e, p); err != nil {
			return nil, err
		}
		im.refs = append(im.refs, refEntry{id: id, keys: p.refs})
		return nil, nil
	}
	rep.Renamed = append(rep.Renamed, change)
	what := "another paper"
	if c.kind == samePaper {
		what = "another entry of this paper, " + c.reason
	}
	rep.Problems = append(rep.Problems, bib.Problem{File: name, Line: e.Line, Col: 1, Key: old,
		Severity: bib.Warning, Msg: fmt.Sprintf("imported as %q (%s is %s)", key, where, what)})
	if first == 0 {
		im.renamed[bib.FoldKey(old)] = key
	}
	r.e, r.p, r.res = e, p, res
	return &r, nil
}

// settleDuplicate does what the options say with an entry just added, the id, that may be the
// paper of the library's entry existing: counts it imported, merges it into that entry, or
// leaves its warning to the end of a bulk import (setDups).
func (im *importer) settleDuplicate(ctx context.Context, e *bib.Entry, id int64, existing, reason string) error {
	name, rep := im.src.name, &im.rep
	switch {
	case im.setDups:
		im.newDups = append(im.newDups, pendingDup{id: id, key: e.Key, line: e.Line, at: len(rep.Problems)})
	case existing != "" && im.opts.Duplicates == MergeDuplicates:
		if err := merge(ctx, im.tx, existing, []string{e.Key}, nil); err != nil {
			return err
		}
		rep.Merged++
		rep.Problems = append(rep.Problems, bib.Problem{File: name, Line: e.Line, Col: 1, Key: e.Key,
			Severity: bib.Warning, Msg: fmt.Sprintf("the library has this paper as %q (%s): merged into it", existing, reason)})
		return nil
	case existing != "":
		rep.Problems = append(rep.Problems, bib.Problem{File: name, Line: e.Line, Col: 1, Key: e.Key,
			Severity: bib.Warning, Msg: fmt.Sprintf("the library may have this paper as %q (%s): imported", existing, reason)})
		rep.Possible = append(rep.Possible, PossibleDuplicate{Key: e.Key, Existing: existing, Reason: reason})
	}
	rep.Imported++
	return nil
}

// finish does what waits for the end of the items: the batched tags, the entries that name
// others, the indexes dropped at the start, a bulk import's duplicates and search index, and the
// report's problems in order.
func (im *importer) finish(ctx, rowCtx context.Context) error {
	rep := &im.rep
	if im.tagger != nil {
		if err := im.tagger.flush(rowCtx); err != nil {
			return err
		}
	}
	if err := im.settleRefs(rowCtx); err != nil {
		return err
	}
	if im.opts.Progress != nil {
		// All read: the count, before the steps that follow.
		im.opts.Progress(im.items, im.items)
	}
	if len(im.indexes) > 0 && im.opts.Stage != nil {
		im.opts.Stage(StageIndexes)
	}
	if err := im.makeIndexes(ctx); err != nil {
		return err
	}
	for _, def := range im.triggers {
		if _, err := im.tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("make trigger again: %w", err)
		}
	}
	if im.setDups {
		if err := im.reportDuplicates(ctx, im.since); err != nil {
			return err
		}
	}
	if im.bulk {
		if err := im.endPending(ctx, im.since); err != nil {
			return fmt.Errorf("index for search: %w", err)
		}
	}
	// The parse's problems come first, as the file's.
	parsed := im.src.problems()
	rep.Rejected += len(parsed.Errors())
	rep.Problems = append(slices.Clip(parsed), rep.Problems...)
	// A key is a piece of the file's text: a copy lets the report outlive the text, which can
	// be 100 MB.
	for i := range rep.Problems {
		rep.Problems[i].Key = strings.Clone(rep.Problems[i].Key)
	}
	for i := range rep.Possible {
		rep.Possible[i].Key = strings.Clone(rep.Possible[i].Key)
	}
	for i := range rep.Renamed {
		rep.Renamed[i].Old = strings.Clone(rep.Renamed[i].Old)
	}
	return nil
}

// makeIndexes makes again the indexes the import dropped at its start. An import that leaves its
// entries' search index to later (IndexLater) leaves the list's indexes to later too
// (laterIndexes, migration 0021): the statements that make them go into index_pending, for
// IndexPending. Any other import makes, beside its own, those an earlier import left there.
func (im *importer) makeIndexes(ctx context.Context) error {
	if !im.indexesLater {
		for _, x := range im.indexes {
			if _, err := im.tx.ExecContext(ctx, x.def); err != nil {
				return fmt.Errorf("make index again: %w", err)
			}
		}
		return nil
	}
	later, err := im.searchLater(ctx)
	if err != nil {
		return fmt.Errorf("make index again: %w", err)
	}
	if !later {
		if err := makePendingIndexes(ctx, im.tx); err != nil {
			return fmt.Errorf("make index again: %w", err)
		}
	}
	for _, x := range im.indexes {
		if later && laterIndexes[x.name] {
			if _, err := im.tx.ExecContext(ctx, `INSERT OR REPLACE INTO index_pending (name, sql) VALUES (?, ?)`, x.name, x.def); err != nil {
				return fmt.Errorf("leave index %s to later: %w", x.name, err)
			}
			continue
		}
		if _, err := im.tx.ExecContext(ctx, x.def); err != nil {
			return fmt.Errorf("make index again: %w", err)
		}
	}
	return nil
}

// searchLater says whether the import leaves entries out of the search index when it commits
// (see endPending): a bulk import with IndexLater that added entries.
func (im *importer) searchLater(ctx context.Context) (bool, error) {
	if !im.bulk || !im.opts.IndexLater {
		return false, nil
	}
	var top int64
	if err := im.tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM entries`).Scan(&top); err != nil {
		return false, err
	}
	return top > im.since, nil
}

// laterIndexes are the indexes of the entries table that only order the list (by year, first
// author, title, venue, key): an import that leaves its search index to later (IndexLater) leaves
// them to later too, since nothing it does after its inserts reads them, and a query ordered by
// one is as right without it, only slower. The identity indexes (DOI, arXiv id, ISBN, title key)
// are not among them: the import's duplicates are looked for through them before its commit.
// Making these five again took 0.62 s of the 0.83 s the nine took at 100,000 entries.
var laterIndexes = map[string]bool{"entries_year": true, "entries_first_author": true, "entries_title": true,
	"entries_venue": true, "entries_key": true}

// rebuildRatio: a bulk import drops the entries table's indexes and makes them again after its
// inserts when the library has at most 1/rebuildRatio as many entries as it brings. Making the
// twelve indexes of 100,000 entries takes 1.6 s, keeping them up to date through the inserts
// 2.6 s; making them reads every entry, those already there too.
const rebuildRatio = 4

// rebuildCache is the page cache of an import that makes the indexes again after its inserts.
const rebuildCache = 8 << 20

// keptIndexes are the indexes of the entries table that a bulk import keeps up to date through
// its inserts rather than make again after them, which reads the whole table once for each: its
// entries go into them at one place, or hardly at all. entries_created orders entries by creation
// time, and an import's entries all have the time it started, so they go in one after the other,
// in the order of their ids; entries_identity_pending is by id, and holds the entries without an
// identity, which an import gives each entry as it inserts it; entries_trashed holds the
// entries in the trash, where an import puts none; entries_revision is by revision, and an
// import's entries all take one above every entry's (or 0, in a library before revisions, in
// tests), so they go in at its end.
var keptIndexes = map[string]bool{"entries_created": true, "entries_identity_pending": true, "entries_trashed": true, "entries_revision": true}

// importKept are the indexes an import keeps: keptIndexes, and entries_gid, which holds the
// entries with a global id (migration 0014), and an import gives none (a replica's new entries
// get theirs when they are sent): made again, it would read the whole table for nothing.
// LoadReplica, whose entries all have one, makes it again after its inserts. A replica's
// entries_order (order.go) is kept too: an import's entries, without an ord, go in at its end.
var importKept = func() map[string]bool {
	m := map[string]bool{"entries_gid": true, "entries_order": true}
	for name := range keptIndexes {
		m[name] = true
	}
	return m
}()

// entryIndex is an index of the entries table by its name, and the statement that makes it.
type entryIndex struct{ name, def string }

// dropEntryIndexes drops the indexes of the entries table, but the key's UNIQUE constraint that
// the inserts rely on and those kept, and returns them with the statements that make them again,
// in the transaction tx.
func dropEntryIndexes(ctx context.Context, tx *sql.Tx, kept map[string]bool) ([]entryIndex, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema
		WHERE type = 'index' AND tbl_name = 'entries' AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var dropped []entryIndex
	for rows.Next() {
		var x entryIndex
		if err := rows.Scan(&x.name, &x.def); err != nil {
			rows.Close()
			return nil, err
		}
		if !kept[x.name] {
			dropped = append(dropped, x)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, x := range dropped {
		if _, err := tx.ExecContext(ctx, `DROP INDEX `+quoteName(x.name)); err != nil {
			return nil, err
		}
	}
	return dropped, nil
}

// quoteName quotes an SQL identifier.
func quoteName(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// quietTriggers are the triggers on inserts into the entries and entry_text tables that do
// nothing for the rows of a bulk import, by the head of their definition (up to BEGIN, white
// space as one space): entries_revision_ai fires for an entry inserted without a revision, and
// a bulk import gives its entries the revision it took at its start (revisionGiven, see
// startImportRevision); entry_text_ai fires for an entry outside every pending search range, and
// a bulk import's entries are inside the range it opened before its first insert. A bulk import
// drops them before its inserts and makes them again after them, in its transaction, so that no
// other connection sees them gone: a statement that fires a trigger keeps a journal of the pages
// it changes, to undo itself alone, and runs the trigger's WHEN for each row. A trigger whose
// head is not this one (a later migration changed when it fires) is left where it is.
var quietTriggers = []struct {
	name, head    string
	revisionGiven bool
}{
	{"entries_revision_ai", "CREATE TRIGGER entries_revision_ai AFTER INSERT ON entries WHEN new.revision = 0", true},
	{"entry_text_ai", "CREATE TRIGGER entry_text_ai AFTER INSERT ON entry_text " +
		"WHEN NOT EXISTS (SELECT 1 FROM search_pending WHERE new.id > lo AND new.id <= hi)", false},
}

// dropQuietTriggers drops the quietTriggers the library has, in the transaction tx, but those
// that fire for entries without a revision when the import gives none (revisionGiven false), and
// returns the statements that make them again.
func dropQuietTriggers(ctx context.Context, tx *sql.Tx, revisionGiven bool) ([]string, error) {
	var defs []string
	for _, q := range quietTriggers {
		if q.revisionGiven && !revisionGiven {
			continue
		}
		var def string
		err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?`, q.name).Scan(&def)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if head, _, ok := strings.Cut(def, " BEGIN"); !ok || strings.Join(strings.Fields(head), " ") != q.head {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER "`+q.name+`"`); err != nil {
			return nil, err
		}
		defs = append(defs, def)
	}
	return defs, nil
}

// listAdded fills the report's Added with the entries added after the entry before (a merged
// one went to the trash), and puts them into opts.Collection when it is set.
func (im *importer) listAdded(ctx context.Context, before int64) error {
	if im.opts.Collection != 0 {
		if _, err := im.tx.ExecContext(ctx, `INSERT OR IGNORE INTO collection_entries (collection_id, entry_id)
			SELECT ?, id FROM entries WHERE id > ? AND trashed IS NULL`, im.opts.Collection, before); err != nil {
			return fmt.Errorf("add to collection %d: %w", im.opts.Collection, err)
		}
	}
	rows, err := im.tx.QueryContext(ctx, `SELECT key FROM entries WHERE id > ? AND trashed IS NULL ORDER BY id`, before)
	if err != nil {
		return fmt.Errorf("list the entries added: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return fmt.Errorf("list the entries added: %w", err)
		}
		im.rep.Added = append(im.rep.Added, k)
	}
	return rows.Err()
}

// reportDuplicates adds the warnings of a bulk import's entries that may be duplicates, each
// where the look-up before its insert would have put it: the entries added since the id since
// are in the table, so each one's oldest match is the oldest entry sharing its value.
func (im *importer) reportDuplicates(ctx context.Context, since int64) error {
	hits, err := bulkDuplicates(ctx, im.tx, since)
	if err != nil || len(hits) == 0 {
		return err
	}
	old := im.rep.Problems
	out := make([]bib.Problem, 0, len(old)+len(hits))
	next := 0
	for _, d := range im.newDups {
		h, ok := hits[d.id]
		if !ok {
			continue
		}
		out = append(out, old[next:d.at]...)
		next = d.at
		out = append(out, bib.Problem{File: im.src.name, Line: d.line, Col: 1, Key: d.key, Severity: bib.Warning,
			Msg: fmt.Sprintf("the library may have this paper as %q (%s): imported", h.key, h.reason)})
		im.rep.Possible = append(im.rep.Possible, PossibleDuplicate{Key: d.key, Existing: h.key, Reason: h.reason})
	}
	im.rep.Problems = append(out, old[next:]...)
	return nil
}

// withNewKey returns a copy of an entry with a key made from the pattern and free in the library,
// looked for from the floors of the keys made before (nil for none).
// The copy has no source: the source it came with has no key in it.
func withNewKey(ctx context.Context, tx *sql.Tx, e *bib.Entry, pattern *bib.KeyPattern, floors keyFloors) (*bib.Entry, error) {
	key, err := floors.free(pattern.Key(e), func(k string) (bool, error) { return keyTaken(ctx, tx, k) })
	if err != nil {
		return nil, fmt.Errorf("make a key: %w", err)
	}
	c := *e
	c.Key, c.Source = key, ""
	return &c, nil
}

// keyTaken reports whether the library has an entry of the key k.
func keyTaken(ctx context.Context, tx *sql.Tx, k string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE key = ?`, k).Scan(&n)
	return n > 0, err
}

// contextOf returns the reading context of an entry of the import's file, where the file's
// macros stand.
func (im *importer) contextOf(e *bib.Entry, p preparedEntry) readContext {
	var c readContext
	if !e.Standalone {
		c = im.scope.contextOf(p.macros)
		c.Broken = e.Broken && e.Source != ""
	}
	c.Prefix = e.Prefix
	return c
}

// insertText writes the entry_text row of the entry id, just inserted, and gives back p's buffer.
func (im *importer) insertText(ctx context.Context, id int64, e *bib.Entry, p preparedEntry) error {
	defer p.done()
	im.textArgs = append(append(im.textArgs[:0], id), p.row[rowValues:]...)
	if _, err := im.insText.ExecContext(ctx, im.textArgs...); err != nil {
		return fmt.Errorf("entry %q: %w", e.Key, err)
	}
	return nil
}

// addItem stores an @string, @preamble or @comment of the import's file, with its context, and
// brings a macro into the file's scope.
func (im *importer) addItem(ctx context.Context, it bib.Item, origin string) error {
	var c readContext
	if it.Kind != bib.KindComment {
		c = im.scope.contextOf(bib.MacroNames(it.Value))
	}
	c.Prefix = it.Prefix
	res, err := im.tx.ExecContext(ctx, `INSERT INTO items (kind, name, source, origin, source_id, expansion, context)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, it.Kind.String(), it.Name, it.Raw, origin, im.source, it.Expansion, c.encode())
	if err != nil {
		return err
	}
	if it.Kind == bib.KindString {
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		im.scope[strings.ToLower(it.Name)] = id
	}
	return nil
}
