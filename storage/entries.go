package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
)

// Report says what an import did with each entry of a file.
type Report struct {
	File       string
	Imported   int
	Duplicates int // skipped: the same key, or (with SkipDuplicates) the same paper, is already there
	Merged     int // merged into the entry already there (MergeDuplicates)
	Rejected   int // items that could not be parsed; each has a Problem
	// Added lists the keys of the entries the import added to the library, in the order it
	// added them: not those it skipped, nor those it merged into an entry already there.
	Added []string
	// KeysGiven lists the keys made for entries that came without one.
	KeysGiven []string
	// Renamed lists the entries imported under another key than their file gave them, because
	// another paper had the key (see KeyChange).
	Renamed []KeyChange
	// Problems lists every rejection and warning with its file, line and entry key.
	Problems bib.Problems
	// Possible lists the entries imported although the library may have had them already
	// (ImportDuplicates), for the caller to offer skipping or merging them after all.
	Possible []PossibleDuplicate
}

// PossibleDuplicate is an entry an import brought in, and the entry the library had that may be
// the same paper.
type PossibleDuplicate struct {
	Key, Existing, Reason string
}

// Add adds another file's report to r.
func (r *Report) Add(o Report) {
	r.Imported += o.Imported
	r.Duplicates += o.Duplicates
	r.Rejected += o.Rejected
	r.Merged += o.Merged
	r.Problems = append(r.Problems, o.Problems...)
	r.Possible = append(r.Possible, o.Possible...)
	r.Added = append(r.Added, o.Added...)
	r.KeysGiven = append(r.KeysGiven, o.KeysGiven...)
	r.Renamed = append(r.Renamed, o.Renamed...)
}

// The fields column holds an entry's fields as JSON in one of two forms. The full form is a list
// of every field with its name, raw text and value, as storedField: [{"name":"title","raw":
// "{A}","value":"A"}]. The short form (from schema version 5 on), for an entry whose source
// alone parses to the same fields (every imported entry but a few broken ones), is an object
// with each field's name (for has: searches) and its value only where the source alone gives
// another one (a macro of the file's @string items): {"short":1,"fields":[{"name":"title"},
// {"name":"journal","value":"Journal of Tests"}]}. Reading such an entry parses its source
// again, a few microseconds; importing it writes a third of the bytes. An entry that is edited
// gets the full form. Being an object, the short form makes a release that predates it fail to
// read the entry rather than read it as fields without values (and Open refuses a library of a
// newer schema anyway).

// storedField is a field in the full form of the fields column.
type storedField struct {
	Name      string `json:"name"`
	Raw       string `json:"raw"`
	Value     string `json:"value"`
	Duplicate bool   `json:"dup,omitempty"`
}

// ImportOptions says how Import treats entries.
type ImportOptions struct {
	// KeyPattern makes the keys of entries that have none (bib.PatternJabRef when empty). Keys
	// that entries have are never changed.
	KeyPattern string
	// Duplicates says what happens to an entry that is the same paper as one in the library
	// (same ISBN, DOI or arXiv id, or the same title, year and first author). An entry with the
	// key of one in the library is skipped when bibtex reads the two alike, and otherwise, unless
	// this policy skips it, imported under a key of its own (see KeyChange).
	Duplicates DuplicatePolicy
	// KeywordSeparators splits an entry's keywords field into tags: any of these characters
	// separates two keywords (",;" when empty). The field itself stays as written.
	KeywordSeparators string
	// NoKeywordTags leaves keywords fields alone: no tags are made from them.
	NoKeywordTags bool
	// Collection, when not 0, is the id of a collection that the entries the import adds go
	// into, in the same transaction (the collection the window shows, say).
	Collection int64
	// Progress, when set, is called as the import goes, with the number of items done and the
	// total, from the importing goroutine. Items are entries, @string, @preamble and @comment.
	// Importing from a Reader, the total is its Estimate until the end (never below what is
	// done); the last call gives the count.
	Progress func(done, total int)
	// Stage, when set, is told, from the importing goroutine, of each step of the import after
	// its items are read, which can take as long as reading them: StageIndexes, StageSearch,
	// StageCommit.
	Stage func(stage string)
	// IndexLater leaves a large import's entries out of the search index when it commits
	// (words do not find them yet; the list, filters and export do): the caller then runs
	// IndexPending, which indexes them in short transactions of their own. The import returns
	// about twice as soon. Imports of fewer than 500 entries, and imports that merge
	// duplicates (MergeDuplicates), index their entries anyway.
	IndexLater bool
	// Waiting, when set, makes the import wait for as long as another connection or process
	// holds the library's write lock (another import), until ctx is done, instead of failing
	// with "database is locked" after 10 s; it is called, once, when the import has waited a
	// second, so that the caller can say why nothing happens.
	Waiting func()
}

// The steps of an import after its items are read, as ImportOptions.Stage names them.
const (
	StageIndexes = "making the list's indexes"
	StageSearch  = "indexing for search"
	StageCommit  = "writing the library"
)

// DuplicatePolicy is what an import does with an entry the library already has.
type DuplicatePolicy int

const (
	// ImportDuplicates imports it anyway and reports it as a possible duplicate.
	ImportDuplicates DuplicatePolicy = iota
	// SkipDuplicates leaves it out, and reports it.
	SkipDuplicates
	// MergeDuplicates merges it into the entry already there (see Merge): the new entry goes to
	// the trash, and the old one gains its fields, tags and notes.
	MergeDuplicates
)

// bulkThreshold is the number of entries from which an import indexes them for search in one
// statement at its end instead of one by one (see migration 0004) unless it merges, and, when it
// imports duplicates anyway, finds them in one pass over the identity indexes after the inserts
// instead of four look-ups per entry.
const bulkThreshold = 500

// progressEvery is how many items an import handles between two calls of its Progress.
const progressEvery = 1000

// An import of bulkThreshold entries or more gives its connection, for its transaction, a page
// cache of bulkCachePerEntry bytes per entry (at most bulkCacheMax): about what an entry adds to
// the list and identity indexes. Every insert touches those indexes at random places, and with
// the default 2 MB cache their pages were written to the WAL and read back over and over. The
// rows themselves, written once, are ten times larger than the indexes, so the transaction still
// spills its uncommitted pages into the WAL as it goes (from the first megabytes on), which is
// what TestCrashImport needs to show that a crash rolls them back.
const (
	bulkCachePerEntry = 512
	bulkCacheMax      = 64 << 20
)

// Import adds a parsed file's entries and @string/@preamble/@comment items to the library, in
// one transaction: all of the file or none of it; cancelling ctx rolls it back. An entry whose
// key (case-insensitively) is already in the library, or earlier in the file, is skipped as a
// duplicate when bibtex reads it as that entry; another paper under a key the library has is
// imported under the key with a letter added (Report.Renamed), and the file's entries that name
// it by crossref follow it. An entry without a key gets one from the default key pattern.
func (l *Library) Import(ctx context.Context, f *bib.File) (Report, error) {
	return l.ImportWith(ctx, f, ImportOptions{})
}

// ImportWith is Import with options.
func (l *Library) ImportWith(ctx context.Context, f *bib.File, opts ImportOptions) (Report, error) {
	return l.importSource(ctx, fileSource(f), opts)
}

// ImportReader is ImportWith of the file a Reader parses, parsed as it is imported: a large
// file's entries are never all in memory at once. The Reader is read to its end, or until the
// import fails or is cancelled.
func (l *Library) ImportReader(ctx context.Context, r *bib.Reader, opts ImportOptions) (Report, error) {
	return l.importSource(ctx, readerSource(r), opts)
}

// itemSource is what an import reads its items from.
type itemSource struct {
	name string
	// next gives the items in order. An import calls it from one goroutine, not its caller's.
	next func() (bib.Item, bool)
	// items is the number of items other than text between them, and entries the number of
	// entries: exact for a parsed file, estimated for a Reader.
	items, entries int
	// problems gives the parse's problems; all of them once next has reported the end.
	problems func() bib.Problems
	// parses says that next parses as it goes: the import then calls it ahead of need, on a
	// goroutine of its own.
	parses bool
}

func fileSource(f *bib.File) itemSource {
	src := itemSource{name: f.Name, problems: func() bib.Problems { return f.Problems }}
	for i := range f.Items {
		if k := f.Items[i].Kind; k != bib.KindText {
			src.items++
			if k == bib.KindEntry {
				src.entries++
			}
		}
	}
	i := 0
	src.next = func() (bib.Item, bool) {
		if i == len(f.Items) {
			return bib.Item{}, false
		}
		i++
		return f.Items[i-1], true
	}
	return src
}

func readerSource(r *bib.Reader) itemSource {
	n := r.Estimate()
	return itemSource{name: r.Name(), next: r.Next, items: n, entries: n, problems: r.Problems, parses: true}
}

func (l *Library) importSource(ctx context.Context, src itemSource, opts ImportOptions) (Report, error) {
	rep, err := l.importWith(ctx, src, opts)
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) &&
		(errors.Is(err, sql.ErrTxDone) || strings.Contains(err.Error(), "statement is closed")) {
		// A cancelled context closes the transaction's statements under the importer, which
		// then fails with "statement is closed": say why it stopped.
		return Report{}, fmt.Errorf("import %s: %w", src.name, ctx.Err())
	}
	return rep, err
}

func (l *Library) importWith(ctx context.Context, src itemSource, opts ImportOptions) (Report, error) {
	if opts.KeyPattern == "" {
		opts.KeyPattern = bib.PatternJabRef
	}
	pattern, err := bib.ParsePattern(opts.KeyPattern)
	if err != nil {
		return Report{}, fmt.Errorf("import %s: %w", src.name, err)
	}
	large := src.entries >= bulkThreshold
	// Merging rewrites the index rows of entries the import may have added itself, so it needs
	// the index kept up to date row by row.
	bulk := large && opts.Duplicates != MergeDuplicates
	// The cache size is a setting of the connection, so the import keeps one connection from
	// the pool for the transaction and for putting the setting back after it.
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("import %s: %w", src.name, err)
	}
	defer conn.Close()
	var cacheWas int
	if large {
		defer tightenGC()()
		was, restore, err := growCache(ctx, conn, min(src.entries*bulkCachePerEntry, bulkCacheMax))
		cacheWas = was
		if err != nil {
			return Report{}, fmt.Errorf("import %s: %w", src.name, err)
		}
		defer restore()
		// A statement that fires triggers or checks foreign keys keeps a journal of the pages
		// it changes, to undo itself alone: in a temporary file, the inserts of 100,000
		// entries wrote 890 MB to it (in memory, it is a few pages at a time).
		if _, err := conn.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
			return Report{}, fmt.Errorf("import %s: %w", src.name, err)
		}
		defer conn.ExecContext(context.Background(), `PRAGMA temp_store = DEFAULT`)
	}
	if bulk && opts.IndexLater {
		// The commit would copy the whole import from the write-ahead log into the library
		// file (a second per 100,000 entries) before returning: IndexPending's first commit
		// does instead, once the caller has the import's result.
		var every int
		if err := conn.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&every); err != nil {
			return Report{}, fmt.Errorf("import %s: %w", src.name, err)
		}
		if _, err := conn.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
			return Report{}, fmt.Errorf("import %s: %w", src.name, err)
		}
		defer conn.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, every))
	}
	tx, err := beginWrite(ctx, conn, opts.Waiting)
	if err != nil {
		return Report{}, fmt.Errorf("import %s: %w", src.name, err)
	}
	defer tx.Rollback()
	if opts.Collection != 0 {
		if err := checkCollection(ctx, tx, opts.Collection); err != nil {
			return Report{}, fmt.Errorf("import %s: %w", src.name, err)
		}
	}
	var before int64 // the newest entry before the import: those after it are the import's
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM entries`).Scan(&before); err != nil {
		return Report{}, fmt.Errorf("import %s: %w", src.name, err)
	}
	im := importer{src: src, opts: opts, pattern: pattern, bulk: bulk, tx: tx, cacheWas: cacheWas,
		rep: Report{File: src.name}}
	if err := im.run(ctx); err != nil {
		return Report{}, fmt.Errorf("import %s: %w", src.name, err)
	}
	if err := im.listAdded(ctx, before); err != nil {
		return Report{}, fmt.Errorf("import %s: %w", src.name, err)
	}
	if opts.Stage != nil {
		opts.Stage(StageCommit)
	}
	if err := tx.Commit(); err != nil {
		return Report{}, fmt.Errorf("import %s: %w", src.name, err)
	}
	if opts.Progress != nil {
		opts.Progress(im.items, im.items)
	}
	return im.rep, nil
}

// bulkGCPercent is the GOGC an import of bulkThreshold entries or more runs with. The file it
// imports is in memory (its text, and the entries parsed from it, which point into the text:
// 200 MB for 100,000 entries), and with the default of 100 the heap grew to twice that before
// each collection. The import makes about 3 KB of garbage per entry, so collecting at a quarter
// above what is live costs about a dozen collections at 100,000 entries, and the heap stays
// near what the parse left.
const bulkGCPercent = 25

// gcTight counts the imports running with bulkGCPercent, so that the first sets it and the last
// puts back what was there.
var gcTight struct {
	sync.Mutex
	n   int
	was int
}

// tightenGC lowers the garbage collector's target to bulkGCPercent, unless it is lower or off,
// and returns what puts it back.
func tightenGC() (restore func()) {
	gcTight.Lock()
	defer gcTight.Unlock()
	if gcTight.n == 0 {
		gcTight.was = debug.SetGCPercent(bulkGCPercent)
		if gcTight.was < bulkGCPercent {
			debug.SetGCPercent(gcTight.was)
		}
	}
	gcTight.n++
	return func() {
		gcTight.Lock()
		defer gcTight.Unlock()
		if gcTight.n--; gcTight.n == 0 {
			// Put it back unless someone else has set it meanwhile.
			if now := debug.SetGCPercent(gcTight.was); now != bulkGCPercent && now != gcTight.was {
				debug.SetGCPercent(now)
			}
		}
	}
}

// growCache sets the page cache of conn to at least bytes, and returns the cache_size it had and
// what puts it back.
func growCache(ctx context.Context, conn *sql.Conn, bytes int) (was int, restore func(), err error) {
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&was); err != nil {
		return 0, nil, fmt.Errorf("read cache size: %w", err)
	}
	// A negative cache_size is in KiB, a positive one in pages.
	if kib := bytes >> 10; was >= 0 || kib <= -was {
		return was, func() {}, nil
	} else if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, -kib)); err != nil {
		return 0, nil, fmt.Errorf("grow cache: %w", err)
	}
	return was, func() {
		// Shrinking the cache frees its pages. A connection that cannot be put back as it was is
		// dropped from the pool rather than keep the memory.
		if _, err := conn.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA cache_size = %d`, was)); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}, nil
}

// importer is one ImportWith in its transaction.
type importer struct {
	src     itemSource
	items   int // the items other than text read so far
	opts    ImportOptions
	pattern *bib.KeyPattern
	bulk    bool
	tx      *sql.Tx
	// cacheWas is the connection's cache_size before a bulk import grew it.
	cacheWas int
	rep      Report
	// newDups lists, in a bulk import that keeps duplicates, each inserted entry whose duplicate
	// warning is yet to be known, with where in rep.Problems the warning goes.
	newDups []pendingDup
	// source is the import's row in sources; scope the file's macros read so far.
	source int64
	scope  macroScope
	// inFile holds the line of the first entry of the file with each key (in lower case);
	// renamed the new key of such an entry imported under another; refs the entries that name
	// others by key.
	inFile  map[string]int
	renamed map[string]string
	refs    []refEntry
	// tentative lists the entries that read as the library's entry of their key but name other
	// entries: they are kept, under a key of their own, only if one of those is (see settleRefs).
	tentative []tentativeEntry
}

// pendingDup is an entry of a bulk import whose duplicates are found after the inserts.
type pendingDup struct {
	id   int64
	key  string
	line int
	at   int // index in Report.Problems
}

func (im *importer) run(ctx context.Context) error {
	name, opts, tx, rep := im.src.name, im.opts, im.tx, &im.rep
	// A bulk import that keeps duplicates finds them all at its end (bulkDuplicates); skipping
	// one decides whether the next entries can match it, so that needs each entry's answer
	// before the next is inserted.
	setDups := im.bulk && opts.Duplicates == ImportDuplicates
	// Such an import into a library much smaller than itself makes the entries table's indexes
	// again after its inserts instead of keeping them up to date. Nothing reads them in
	// between: duplicates are looked for after the indexes are back.
	var indexes []string
	if setDups {
		var have int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries`).Scan(&have); err != nil {
			return err
		}
		if have*rebuildRatio <= im.src.entries {
			var err error
			if indexes, err = dropEntryIndexes(ctx, tx); err != nil {
				return fmt.Errorf("drop indexes: %w", err)
			}
			// The cache grown for the indexes' pages is not needed (the import takes as long
			// with 8 MB as with 64 MB).
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, min(im.cacheWas, -rebuildCache>>10))); err != nil {
				return err
			}
		}
	}
	// The fields JSON comes as bytes (see fieldsBuffers), which SQLite would store as a blob.
	insEntry, err := tx.PrepareContext(ctx, `INSERT INTO entries
		(key, type, `+rowColumns+`, origin, created, modified, `+identityColumnList+`, source_id, context)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`)
	if err != nil {
		return err
	}
	defer insEntry.Close()
	res, err := tx.ExecContext(ctx, `INSERT INTO sources (name, imported) VALUES (?, ?)`, name, time.Now().UnixMilli())
	if err != nil {
		return err
	}
	if im.source, err = res.LastInsertId(); err != nil {
		return err
	}
	im.scope, im.inFile, im.renamed = macroScope{}, map[string]int{}, map[string]string{}
	insText, err := tx.PrepareContext(ctx, `INSERT INTO entry_text (id, `+textColumns+`) VALUES (?, CAST(? AS TEXT), ?, ?)`)
	if err != nil {
		return err
	}
	defer insText.Close()
	var dups *dupFinder
	if !setDups {
		if dups, err = newDupFinder(ctx, tx); err != nil {
			return err
		}
		defer dups.close()
	}
	var tagger *keywordTagger
	if !opts.NoKeywordTags {
		if tagger, err = newKeywordTagger(ctx, tx, opts.KeywordSeparators, im.bulk); err != nil {
			return err
		}
		defer tagger.link.Close()
	}
	var since int64
	if im.bulk {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM entries`).Scan(&since); err != nil {
			return err
		}
		// The new entries are left to the end (see migration 0007).
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_pending (lo, hi) VALUES (?, ?)`, since, int64(math.MaxInt64)); err != nil {
			return err
		}
	}
	prep, stop := prepareEntries(im.src, tagger)
	defer stop()
	// The statements of each item run under a context that is never cancelled: the driver runs
	// a statement under one that can be on a goroutine of its own, to interrupt it, which made
	// the window's and the command line's imports (both cancellable) half as slow again as an
	// import that could not be. The loop looks at ctx before each item instead.
	rowCtx := context.WithoutCancel(ctx)
	now := time.Now().UnixMilli()
	args := make([]any, 0, 18)
	for pi := range prep {
		if err := ctx.Err(); err != nil {
			return err
		}
		if pi.p.err != nil {
			return pi.p.err
		}
		it, p := pi.it, pi.p
		if opts.Progress != nil && im.items%progressEvery == 0 {
			opts.Progress(im.items, max(im.items, im.src.items))
		}
		im.items++
		switch it.Kind {
		case bib.KindString, bib.KindPreamble, bib.KindComment:
			if err := im.addItem(rowCtx, it, fmt.Sprintf("%s:%d", name, it.Line)); err != nil {
				return err
			}
		case bib.KindEntry:
			e := it.Entry
			if e.Key == "" {
				if e, err = withNewKey(rowCtx, tx, e, im.pattern); err != nil {
					return err
				}
				p = prepareEntry(e, tagger)
				rep.KeysGiven = append(rep.KeysGiven, e.Key)
				rep.Problems = append(rep.Problems, bib.Problem{File: name, Line: e.Line, Col: 1, Key: e.Key,
					Severity: bib.Warning, Msg: "entry had no key: it was given one"})
			}
			var existing, reason string
			if dups != nil {
				if existing, reason, err = dups.find(rowCtx, e.Key, p.ident); err != nil {
					return err
				}
			}
			if existing != "" && opts.Duplicates == SkipDuplicates {
				p.done()
				rep.Duplicates++
				rep.Problems = append(rep.Problems, bib.Problem{File: name, Line: e.Line, Col: 1, Key: e.Key,
					Severity: bib.Warning, Msg: fmt.Sprintf("the library has this paper as %q (%s): skipped", existing, reason)})
				continue
			}
			insert := func(e *bib.Entry, p preparedEntry) (sql.Result, error) {
				args = append(append(args[:0], e.Key, e.Type), p.row[:rowValues]...)
				args = append(append(args, fmt.Sprintf("%s:%d", name, it.Line), now, now), identValues(p.ident)...)
				args = append(args, im.source, im.contextOf(e, p).encode())
				return insEntry.ExecContext(rowCtx, args...)
			}
			res, err := insert(e, p)
			if err != nil {
				p.done()
				return fmt.Errorf("entry %q: %w", e.Key, err)
			}
			first := im.inFile[strings.ToLower(e.Key)]
			if first == 0 {
				im.inFile[strings.ToLower(e.Key)] = e.Line
			}
			if n, _ := res.RowsAffected(); n == 0 {
				// The key is taken: by the same entry (skipped), or by another paper, and then
				// this one gets a key of its own.
				p.done()
				c, err := findClash(rowCtx, tx, e, p.ident, len(p.refs) > 0)
				if err != nil {
					return err
				}
				where := fmt.Sprintf("the library's %q", c.existing)
				if first > 0 {
					where = fmt.Sprintf("the entry %q of line %d, which bibtex reads under this key,", c.existing, first)
				}
				switch {
				case c.kind == sameEntry:
					if first == 0 && !strings.EqualFold(c.same, e.Key) {
						// An earlier import gave it another key: the file's entries that name
						// it name that one.
						im.renamed[strings.ToLower(e.Key)] = c.same
						rep.Renamed = append(rep.Renamed, KeyChange{File: name, Line: e.Line, Old: e.Key, New: c.same,
							Existing: c.existing, Duplicate: true})
					}
					if c.same != c.existing {
						where = fmt.Sprintf("the library's %q", c.same)
					}
					rep.Duplicates++
					rep.Problems = append(rep.Problems, bib.Problem{File: name, Line: e.Line, Col: 1, Key: e.Key,
						Severity: bib.Warning, Msg: fmt.Sprintf("skipped: %s is the same entry (same type and fields)", strings.TrimSuffix(where, ","))})
					continue
				case c.kind == samePaper && opts.Duplicates == SkipDuplicates:
					rep.Duplicates++
					rep.Problems = append(rep.Problems, bib.Problem{File: name, Line: e.Line, Col: 1, Key: e.Key,
						Severity: bib.Warning, Msg: fmt.Sprintf("skipped: %s is this paper (%s)", strings.TrimSuffix(where, ","), c.reason)})
					continue
				case c.kind == samePaper:
					existing, reason = c.existing, c.reason
				}
				old, key := e.Key, c.free
				e = e.Clone()
				e.Rename(e.Type, key)
				p = prepareEntry(e, tagger)
				if res, err = insert(e, p); err != nil {
					p.done()
					return fmt.Errorf("entry %q: %w", e.Key, err)
				}
				change := KeyChange{File: name, Line: e.Line, Old: old, New: key, Existing: c.existing, InFile: first > 0}
				if len(c.alike) > 0 && first == 0 {
					// It reads as entries of the library but for the entries it names (its
					// crossref parent, say), which may come later in the file.
					id, err := res.LastInsertId()
					if err != nil {
						return err
					}
					im.tentative = append(im.tentative, tentativeEntry{id: id, change: change, alike: c.alike, refs: p.refs, at: len(rep.Problems)})
					rep.Problems = append(rep.Problems, bib.Problem{}) // the decision's, at the file's end
					if err := im.insertText(rowCtx, insText, id, e, p); err != nil {
						return err
					}
					im.refs = append(im.refs, refEntry{id: id, keys: p.refs})
					continue
				}
				rep.Renamed = append(rep.Renamed, change)
				what := "another paper"
				if c.kind == samePaper {
					what = "another entry of this paper, " + c.reason
				}
				rep.Problems = append(rep.Problems, bib.Problem{File: name, Line: e.Line, Col: 1, Key: old,
					Severity: bib.Warning, Msg: fmt.Sprintf("imported as %q (%s is %s)", key, where, what)})
				if first == 0 {
					im.renamed[strings.ToLower(old)] = key
				}
			}
			id, err := res.LastInsertId()
			if err == nil {
				err = im.insertText(rowCtx, insText, id, e, p)
			}
			if err != nil {
				return err
			}
			if tagger != nil {
				if err := tagger.tag(rowCtx, tx, id, e, p.words, rep, name); err != nil {
					return err
				}
			}
			if len(p.refs) > 0 {
				im.refs = append(im.refs, refEntry{id: id, keys: p.refs})
			}
			switch {
			case setDups:
				im.newDups = append(im.newDups, pendingDup{id: id, key: e.Key, line: e.Line, at: len(rep.Problems)})
			case existing != "" && opts.Duplicates == MergeDuplicates:
				if err := merge(rowCtx, tx, existing, []string{e.Key}); err != nil {
					return err
				}
				rep.Merged++
				rep.Problems = append(rep.Problems, bib.Problem{File: name, Line: e.Line, Col: 1, Key: e.Key,
					Severity: bib.Warning, Msg: fmt.Sprintf("the library has this paper as %q (%s): merged into it", existing, reason)})
				continue
			case existing != "":
				rep.Problems = append(rep.Problems, bib.Problem{File: name, Line: e.Line, Col: 1, Key: e.Key,
					Severity: bib.Warning, Msg: fmt.Sprintf("the library may have this paper as %q (%s): imported", existing, reason)})
				rep.Possible = append(rep.Possible, PossibleDuplicate{Key: e.Key, Existing: existing, Reason: reason})
			}
			rep.Imported++
		}
	}
	if tagger != nil {
		if err := tagger.flush(rowCtx); err != nil {
			return err
		}
	}
	if err := im.settleRefs(rowCtx); err != nil {
		return err
	}
	if opts.Progress != nil {
		// All read: the count, before the steps that follow.
		opts.Progress(im.items, im.items)
	}
	if len(indexes) > 0 && opts.Stage != nil {
		opts.Stage(StageIndexes)
	}
	for _, def := range indexes {
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("make index again: %w", err)
		}
	}
	if setDups {
		if err := im.reportDuplicates(ctx, since); err != nil {
			return err
		}
	}
	if im.bulk {
		if err := im.endPending(ctx, since); err != nil {
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

// rebuildRatio: a bulk import drops the entries table's indexes and makes them again after its
// inserts when the library has at most 1/rebuildRatio as many entries as it brings. Making the
// twelve indexes of 100,000 entries takes 1.6 s, keeping them up to date through the inserts
// 2.6 s; making them reads every entry, those already there too.
const rebuildRatio = 4

// rebuildCache is the page cache of an import that makes the indexes again after its inserts.
const rebuildCache = 8 << 20

// dropEntryIndexes drops the indexes of the entries table, but the key's UNIQUE constraint that
// the inserts rely on, and returns the statements that make them again, in the transaction tx.
func dropEntryIndexes(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema
		WHERE type = 'index' AND tbl_name = 'entries' AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX "`+strings.ReplaceAll(name, `"`, `""`)+`"`); err != nil {
			return nil, err
		}
	}
	return defs, nil
}

// ftsBulkHashSize is the pending data FTS5 gathers before it writes a segment, while a bulk
// import indexes its entries: with the default of 1 MB, indexing 100,000 entries wrote a hundred
// segments and spent a third of its time merging them.
const ftsBulkHashSize = 16 << 20

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

// endPending ends the pending range a bulk import opened at since: its entries are indexed for
// search in its transaction, or (IndexLater) the range is closed at the largest id for
// IndexPending.
func (im *importer) endPending(ctx context.Context, since int64) error {
	tx := im.tx
	var top int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM entries`).Scan(&top); err != nil {
		return err
	}
	if top > since && im.opts.IndexLater {
		_, err := tx.ExecContext(ctx, `UPDATE search_pending SET hi = ? WHERE lo = ? AND hi = ?`, top, since, int64(math.MaxInt64))
		return err
	}
	if top > since {
		if im.opts.Stage != nil {
			im.opts.Stage(StageSearch)
		}
		// The indexes the inserts touched at random are done with, and the search index is
		// written in order: the connection's default cache does, and leaves memory for FTS5's.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, im.cacheWas)); err != nil {
			return err
		}
	}
	// The range ends before its entries are read through entries_search, which leaves out
	// pending entries.
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_pending WHERE lo = ? AND hi = ?`, since, int64(math.MaxInt64)); err != nil {
		return err
	}
	if top > since {
		return indexRange(ctx, tx, since, top)
	}
	return nil
}

// indexRange adds the entries lo < id <= hi to the search index, in one statement, in tx.
func indexRange(ctx context.Context, tx *sql.Tx, lo, hi int64) error {
	hashSize := 1 << 20 // FTS5's default
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(v), ?) FROM entries_fts_config WHERE k = 'hashsize'`, hashSize).Scan(&hashSize); err != nil {
		return err
	}
	if hashSize < ftsBulkHashSize {
		if _, err := tx.ExecContext(ctx, `INSERT INTO entries_fts (entries_fts, rank) VALUES ('hashsize', ?)`, ftsBulkHashSize); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
		SELECT id, key, title, authors, venue, abstract, keywords, notes FROM entries_search
		WHERE id > ? AND id <= ?`, lo, hi); err != nil {
		return err
	}
	if hashSize < ftsBulkHashSize {
		if _, err := tx.ExecContext(ctx, `INSERT INTO entries_fts (entries_fts, rank) VALUES ('hashsize', ?)`, hashSize); err != nil {
			return err
		}
	}
	return nil
}

// indexChunk is the number of entries IndexPending indexes in one transaction: about 0.15 s of
// work, which another write waits for at most.
var indexChunk = 10000

// IndexPending adds to the search index the entries imports left out of it (ImportOptions.
// IndexLater), a chunk at a time in transactions of their own, until none is left or ctx is
// done. It is safe to run while the library is used, from several goroutines or processes at
// once: each chunk is taken and indexed in one write transaction. A chunk that finds the library
// busy longer than the busy timeout (another import) waits and tries again.
func (l *Library) IndexPending(ctx context.Context) error {
	// Most calls find nothing to do: a read says so without taking the write lock.
	var pending bool
	if err := l.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_pending)`).Scan(&pending); err != nil {
		return fmt.Errorf("index for search: %w", err)
	}
	for pending {
		left, err := l.indexPendingChunk(ctx)
		if isBusy(err) && ctx.Err() == nil {
			select {
			case <-time.After(busyRetry):
				continue
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		if err != nil {
			return fmt.Errorf("index for search: %w", err)
		}
		pending = left
	}
	return nil
}

// busyRetry is how long IndexPending waits before it tries a chunk again after the busy timeout.
const busyRetry = time.Second

// indexPendingChunk indexes the first chunk of the first pending range, and says whether any is
// left after it.
func (l *Library) indexPendingChunk(ctx context.Context) (left bool, err error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var lo, hi int64
	err = tx.QueryRowContext(ctx, `SELECT lo, hi FROM search_pending ORDER BY lo LIMIT 1`).Scan(&lo, &hi)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	top := min(hi, lo+int64(indexChunk))
	// The chunk leaves the range before its entries are read through entries_search, which
	// leaves out pending entries.
	if top == hi {
		_, err = tx.ExecContext(ctx, `DELETE FROM search_pending WHERE lo = ? AND hi = ?`, lo, hi)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE search_pending SET lo = ? WHERE lo = ? AND hi = ?`, top, lo, hi)
	}
	if err != nil {
		return false, err
	}
	if err := indexRange(ctx, tx, lo, top); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	return true, nil
}

// PendingSearch returns the number of entries that are not in the search index yet (see
// IndexPending).
func (l *Library) PendingSearch(ctx context.Context) (int, error) {
	tx, err := l.rdb.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("pending search: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT lo, hi FROM search_pending ORDER BY lo`)
	if err != nil {
		return 0, fmt.Errorf("pending search: %w", err)
	}
	// Ranges can overlap: an import that starts after the last entries of a pending one were
	// deleted opens its range below the end of the other. They are merged, then counted.
	type span struct{ lo, hi int64 }
	var spans []span
	for rows.Next() {
		var s span
		if err := rows.Scan(&s.lo, &s.hi); err != nil {
			rows.Close()
			return 0, fmt.Errorf("pending search: %w", err)
		}
		if n := len(spans); n > 0 && s.lo <= spans[n-1].hi {
			spans[n-1].hi = max(spans[n-1].hi, s.hi)
		} else {
			spans = append(spans, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("pending search: %w", err)
	}
	total := 0
	for _, s := range spans {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE id > ? AND id <= ?`, s.lo, s.hi).Scan(&n); err != nil {
			return 0, fmt.Errorf("pending search: %w", err)
		}
		total += n
	}
	return total, nil
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

// preparedEntry is what an import makes of an entry without the database.
type preparedEntry struct {
	row    []any // entryRow, with the fields JSON as bytes in js
	js     *[]byte
	ident  Ident
	words  []keyword
	macros []string // the macro names its values use
	refs   []string // the keys its reference fields name (see references)
	err    error    // the preparing goroutine failed: the import stops with this
}

// fieldsBuffers holds the buffers of the fields JSON of entries being imported. The JSON is the
// largest value of a row and the driver copies it: reusing its buffer halves the garbage of an
// import, and so its collections.
var fieldsBuffers = sync.Pool{New: func() any { return new([]byte) }}

func prepareEntry(e *bib.Entry, tagger *keywordTagger) preparedEntry {
	p := preparedEntry{ident: Identity(e), js: fieldsBuffers.Get().(*[]byte)}
	if alone := sourceFields(e); alone != nil {
		*p.js = appendShortFieldsJSON((*p.js)[:0], e.Fields, alone)
	} else {
		*p.js = appendFieldsJSON((*p.js)[:0], e.Fields)
	}
	p.row = entryValues(e, *p.js)
	if !e.Standalone {
		p.macros = e.MacroNames()
	}
	p.refs = references(e)
	if tagger != nil {
		p.words = tagger.words(e)
	}
	return p
}

// done gives back p's buffer, once the row is written.
func (p *preparedEntry) done() {
	if p.js != nil {
		fieldsBuffers.Put(p.js)
		p.js = nil
	}
}

// preparedItem is an item of an import, with what prepareEntry made of it if it is an entry.
type preparedItem struct {
	it bib.Item
	p  preparedEntry
}

// prepareEntries reads the items an import keeps (all but the text between them) and prepares
// its entries, in order, on another goroutine: the Go side of an import (the parse, when the
// source is a Reader, then plain text, identity, JSON) runs while SQLite inserts the entries
// before. An entry without a key is left to the caller: its row depends on the key it gets. The
// channel is closed at the end of the items; stop ends the goroutine and waits for it.
func prepareEntries(src itemSource, tagger *keywordTagger) (<-chan preparedItem, func()) {
	out := make(chan preparedItem, 64)
	quit := make(chan struct{})
	done := make(chan struct{})
	next, nextDone := src.next, func() {}
	if src.parses {
		next, nextDone = readAhead(src.next, quit)
	}
	go func() {
		defer close(done)
		defer func() {
			// A panic here would end the process, past any recover of the importer's caller:
			// hand it to the import as an error instead.
			if r := recover(); r != nil {
				select {
				case out <- preparedItem{p: preparedEntry{err: fmt.Errorf("prepare entry: %v", r)}}:
				case <-quit:
				}
			}
			close(out)
		}()
		for {
			it, ok := next()
			if !ok {
				return
			}
			pi := preparedItem{it: it}
			switch it.Kind {
			case bib.KindText, bib.KindBad:
				continue
			case bib.KindEntry:
				if it.Entry.Key != "" {
					pi.p = prepareEntry(it.Entry, tagger)
				}
			}
			select {
			case out <- pi:
			case <-quit:
				return
			}
		}
	}()
	return out, func() {
		close(quit)
		<-done
		nextDone()
	}
}

// readAheadItems is how many items readAhead reads ahead of their use.
const readAheadItems = 256

// readAhead calls next on a goroutine of its own, which stops when next reports the end or quit
// is closed: a Reader parses the file while the entries before are prepared. It returns what
// gives the items in order (panicking with a panic of next), and what waits for the goroutine.
// The text between items is left out.
func readAhead(next func() (bib.Item, bool), quit <-chan struct{}) (func() (bib.Item, bool), func()) {
	type result struct {
		it    bib.Item
		panic any
	}
	ch := make(chan result, readAheadItems)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(ch)
		defer func() {
			if r := recover(); r != nil {
				select {
				case ch <- result{panic: r}:
				case <-quit:
				}
			}
		}()
		for {
			it, ok := next()
			if !ok {
				return
			}
			if it.Kind == bib.KindText {
				continue
			}
			select {
			case ch <- result{it: it}:
			case <-quit:
				return
			}
		}
	}()
	return func() (bib.Item, bool) {
			r, ok := <-ch
			if r.panic != nil {
				panic(r.panic)
			}
			return r.it, ok
		}, func() {
			<-done
		}
}

// keywordTagger gives just-inserted entries a tag for each of their keywords, with the tag ids
// it has seen and its statement kept from entry to entry.
type keywordTagger struct {
	seps string
	ids  map[string]int64 // by lower-case tag name
	link *sql.Stmt
	// batch, in a bulk import, collects links to tags that exist as [tag id, entry id] JSON
	// pairs, written by flush in one statement per tagBatch: one statement per link took a
	// twentieth of the import. Nil otherwise: merging reads the links of the entry just added.
	batch []byte
	n     int
}

// tagBatch is how many links a bulk import's keywordTagger writes per statement.
const tagBatch = 20000

func newKeywordTagger(ctx context.Context, tx *sql.Tx, seps string, batch bool) (*keywordTagger, error) {
	q := `INSERT OR IGNORE INTO entry_tags (tag_id, entry_id) VALUES (?, ?)`
	if batch {
		q = `INSERT OR IGNORE INTO entry_tags (tag_id, entry_id)
			SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)`
	}
	link, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	k := &keywordTagger{seps: seps, ids: map[string]int64{}, link: link}
	if batch {
		k.batch = []byte{'['}
	}
	return k, nil
}

// keyword is one keyword of an entry: the tag it makes, or why it makes none.
type keyword struct {
	word, name string
	err        error
}

// words splits an entry's keywords field into tag names. It does not touch k's state, so that
// entries can be prepared on another goroutine.
func (k *keywordTagger) words(e *bib.Entry) []keyword {
	kw := e.Get("keywords")
	if kw == "" {
		return nil
	}
	var out []keyword
	for _, word := range bib.SplitKeywords(bib.Plain(kw), k.seps) {
		name, err := cleanTag(word)
		out = append(out, keyword{word: word, name: name, err: err})
	}
	return out
}

// tag gives the entry with the given id its keywords (from words) as tags. A keyword that
// cannot be a tag (one with an empty part between slashes, say) is reported and stays in the
// field only.
func (k *keywordTagger) tag(ctx context.Context, tx *sql.Tx, id int64, e *bib.Entry, words []keyword, rep *Report, file string) error {
	for _, w := range words {
		if w.err != nil {
			rep.Problems = append(rep.Problems, bib.Problem{File: file, Line: e.Line, Col: 1, Key: e.Key,
				Severity: bib.Warning, Msg: fmt.Sprintf("keyword %q is not made a tag: %v", w.word, w.err)})
			continue
		}
		tid, ok := k.ids[strings.ToLower(w.name)]
		if !ok {
			if _, err := addTag(ctx, tx, w.name, []int64{id}, make([]bool, 1)); err != nil {
				return err
			}
			tid, err := tagID(ctx, tx, w.name)
			if err != nil {
				return err
			}
			k.ids[strings.ToLower(w.name)] = tid
			continue
		}
		if k.batch == nil {
			if _, err := k.link.ExecContext(ctx, tid, id); err != nil {
				return fmt.Errorf("tag %q: %w", e.Key, err)
			}
			continue
		}
		if k.n > 0 {
			k.batch = append(k.batch, ',')
		}
		k.batch = append(strconv.AppendInt(append(strconv.AppendInt(append(k.batch, '['), tid, 10), ','), id, 10), ']')
		if k.n++; k.n >= tagBatch {
			if err := k.flush(ctx); err != nil {
				return fmt.Errorf("tag %q: %w", e.Key, err)
			}
		}
	}
	return nil
}

// flush writes the links batched so far.
func (k *keywordTagger) flush(ctx context.Context) error {
	if k.n == 0 {
		return nil
	}
	if _, err := k.link.ExecContext(ctx, string(append(k.batch, ']'))); err != nil {
		return fmt.Errorf("link tags: %w", err)
	}
	k.batch, k.n = k.batch[:1], 0
	return nil
}

// entryTagLists returns each tagged entry's tags, separated by U+001F, by entry id.
func entryTagLists(ctx context.Context, tx *sql.Tx) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT et.entry_id, group_concat(t.name, char(31))
		FROM entry_tags et JOIN tags t ON t.id = et.tag_id GROUP BY et.entry_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[int64]string{}
	for rows.Next() {
		var id int64
		var tags string
		if err := rows.Scan(&id, &tags); err != nil {
			return nil, err
		}
		m[id] = tags
	}
	return m, rows.Err()
}

// keywordsFor returns an entry's keywords field with the tags it does not name added, and
// whether any was: keywords is the field as plain text, split as import splits it; tags are
// separated by U+001F.
func keywordsFor(keywords, tags string) (string, bool) {
	if tags == "" {
		return "", false
	}
	var out []string
	named := map[string]bool{}
	for _, k := range bib.SplitKeywords(keywords, "") {
		out = append(out, k)
		if name, err := cleanTag(k); err == nil {
			named[strings.ToLower(name)] = true
		}
	}
	changed := false
	for _, t := range strings.Split(tags, "\x1f") {
		if !named[strings.ToLower(t)] {
			out = append(out, t)
			changed = true
		}
	}
	return strings.Join(out, ", "), changed
}

// withNewKey returns a copy of an entry with a key made from the pattern and free in the library.
// The copy has no source: the source it came with has no key in it.
func withNewKey(ctx context.Context, tx *sql.Tx, e *bib.Entry, pattern *bib.KeyPattern) (*bib.Entry, error) {
	var qerr error
	key := bib.UniqueKey(pattern.Key(e), func(k string) bool {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE key = ?`, k).Scan(&n); err != nil {
			qerr = err
			return false
		}
		return n > 0
	})
	if qerr != nil {
		return nil, fmt.Errorf("make a key: %w", qerr)
	}
	c := *e
	c.Key, c.Source = key, ""
	return &c, nil
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
func (im *importer) insertText(ctx context.Context, insText *sql.Stmt, id int64, e *bib.Entry, p preparedEntry) error {
	defer p.done()
	args := append(append(make([]any, 0, 4), id), p.row[rowValues:]...)
	if _, err := insText.ExecContext(ctx, args...); err != nil {
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

// An entry's values are written in two rows: the entries row with the columns of rowColumns, and
// the entry_text row with those of textColumns (see migration 0006).
const (
	rowColumns  = "title, authors, first_author, year, venue, keywords"
	textColumns = "fields, source, abstract"
	// rowValues is the number of values of rowColumns, which come first in an entryRow.
	rowValues = 6
)

// entryRow returns the values of an entry's rowColumns then its textColumns.
func entryRow(e *bib.Entry) []any {
	return entryValues(e, string(appendFieldsJSON(nil, e.Fields)))
}

// entryValues is entryRow with the value of the fields column given.
func entryValues(e *bib.Entry, fields any) []any {
	return []any{bib.Plain(e.Get("title")), bib.Authors(e), bib.FirstAuthor(e), listYear(e), bib.Plain(bib.Venue(e)),
		bib.Plain(e.Get("keywords")), fields, e.Source, bib.Plain(e.Get("abstract"))}
}

// listYear is what the list's Year column holds, sorts by and the year: search matches: the
// entry's four-digit year, or the year field as LaTeX shows it when it has none (in press).
func listYear(e *bib.Entry) string {
	if y := bib.Year(e); y != "" {
		return y
	}
	return strings.TrimSpace(bib.Plain(e.Get("year")))
}

// insertEntry adds an entry's two rows, from row (an entryRow), with its context, and returns
// its id.
func insertEntry(ctx context.Context, tx *sql.Tx, key, typ string, row []any, c readContext, origin string, created int64) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO entries (key, type, `+rowColumns+`, origin, created, modified, context)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(append([]any{key, typ}, row[:rowValues]...), origin, created, created, c.encode())...)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO entry_text (id, `+textColumns+`) VALUES (?, ?, ?, ?)`,
		append([]any{id}, row[rowValues:]...)...)
	return id, err
}

// updateEntry writes row (an entryRow) into the entry id's two rows, with its type, key and
// modification time, and its context unless c is nil.
func updateEntry(ctx context.Context, tx *sql.Tx, id int64, key, typ string, row []any, c *readContext, modified int64) error {
	set, args := "", append(append([]any{key, typ}, row[:rowValues]...), modified)
	if c != nil {
		set, args = ", context = ?", append(args, c.encode())
	}
	if _, err := tx.ExecContext(ctx, `UPDATE entries SET key = ?, type = ?, title = ?, authors = ?, first_author = ?,
		year = ?, venue = ?, keywords = ?, modified = ?`+set+` WHERE id = ?`, append(args, id)...); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE entry_text SET fields = ?, source = ?, abstract = ? WHERE id = ?`,
		append(slices.Clip(row[rowValues:]), id)...)
	return err
}

// appendFieldsJSON appends the JSON of fields as []storedField, byte for byte what json.Marshal
// makes of it: encoding/json, through reflection and a buffer copied into the result, took a
// tenth of an import.
func appendFieldsJSON(b []byte, fields []bib.Field) []byte {
	n := 2
	for i := range fields {
		f := &fields[i]
		n += len(`{"name":"","raw":"","value":"","dup":true},`) + len(f.Name) + len(f.Raw) + len(f.Value)
	}
	b = slices.Grow(b, n)
	b = append(b, '[')
	for i := range fields {
		f := &fields[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(append(b, `{"name":`...), f.Name)
		b = appendJSONString(append(b, `,"raw":`...), f.Raw)
		b = appendJSONString(append(b, `,"value":`...), f.Value)
		if f.Duplicate {
			b = append(b, `,"dup":true`...)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// sourceFields returns the fields e's source gives when it is parsed on its own, if they have
// e's names and raw values (the values may differ, by macros): then the short form of the
// fields column can hold e. It returns nil otherwise.
func sourceFields(e *bib.Entry) []bib.Field {
	if e.Source == "" {
		return nil
	}
	if e.Standalone {
		// The parser vouches for it (bib tests that, on every corpus file and in FuzzParse):
		// no need to parse the source again.
		return e.Fields
	}
	es := bib.ParseString("", e.Source).Entries()
	if len(es) != 1 || es[0].Key != e.Key || es[0].Type != e.Type || len(es[0].Fields) != len(e.Fields) {
		return nil
	}
	alone := es[0].Fields
	for i := range alone {
		a, f := &alone[i], &e.Fields[i]
		if a.Name != f.Name || a.Raw != f.Raw || a.Duplicate != f.Duplicate {
			return nil
		}
	}
	if alone == nil {
		alone = []bib.Field{}
	}
	return alone
}

// appendShortFieldsJSON appends the short form of the fields column: fields' names, and their
// values where they differ from those of alone, the fields their source gives on its own.
func appendShortFieldsJSON(b []byte, fields, alone []bib.Field) []byte {
	b = append(b, `{"short":1,"fields":[`...)
	for i := range fields {
		f := &fields[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(append(b, `{"name":`...), f.Name)
		if f.Value != alone[i].Value {
			b = appendJSONString(append(b, `,"value":`...), f.Value)
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendJSONString appends s as encoding/json writes it: HTML-escaped, invalid UTF-8 as U+FFFD,
// and U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, `\b`...)
			case '\f':
				b = append(b, `\f`...)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}

// Row is an entry as the list and the search command show it.
type Row struct {
	Key, Type, Title, Authors, FirstAuthor, Year, Venue string
	Added                                               time.Time // when it came into the library
}

// Search returns up to limit entries matching a query in the query language (see query.go),
// from offset on, best matches first; an empty query lists the library in import order. Entries
// in the trash are left out. Any text is a valid query.
func (l *Library) Search(ctx context.Context, query string, offset, limit int) ([]Row, error) {
	return l.SearchWith(ctx, SearchOptions{Query: query, Offset: offset, Limit: limit})
}

// Entry returns the entry with the given key (case-insensitive), or ErrNotFound.
func (l *Library) Entry(ctx context.Context, key string) (*bib.Entry, error) {
	var e bib.Entry
	var fields string
	var rc sql.NullString
	err := l.db.QueryRowContext(ctx, `SELECT e.key, e.type, t.fields, t.source, e.context FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.key = ?`, key).
		Scan(&e.Key, &e.Type, &fields, &e.Source, &rc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%q: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get entry %q: %w", key, err)
	}
	if err := decodeFields(&e, fields); err != nil {
		return nil, fmt.Errorf("get entry %q: %w", key, err)
	}
	c, _, err := decodeContext(rc)
	if err != nil {
		return nil, fmt.Errorf("get entry %q: %w", key, err)
	}
	e.Broken, e.Prefix = c.Broken, c.Prefix
	return &e, nil
}

// decodeFields sets e's fields from the fields column js, in either form; for the short form, e
// must have its source.
func decodeFields(e *bib.Entry, js string) error {
	if strings.HasPrefix(js, "{") {
		var short struct {
			Fields []struct {
				Name  string  `json:"name"`
				Value *string `json:"value"`
			} `json:"fields"`
		}
		if err := json.Unmarshal([]byte(js), &short); err != nil {
			return err
		}
		var fields []bib.Field
		if es := bib.ParseString("", e.Source).Entries(); len(es) == 1 {
			fields = es[0].Fields
		}
		for i := range fields {
			fields[i].Line = 0 // not kept in the full form either
		}
		// A field keeps the value stored for it. Were the parser ever to read a source other than
		// it did at import, the source, which is what is exported, would still say what the
		// fields are: a stored value then goes to the field of its name, in order.
		used := make([]bool, len(fields))
		for i, f := range short.Fields {
			if f.Value == nil {
				continue
			}
			j := -1
			if i < len(fields) && fields[i].Name == f.Name {
				j = i
			} else {
				for k := range fields {
					if !used[k] && fields[k].Name == f.Name {
						j = k
						break
					}
				}
			}
			if j >= 0 {
				fields[j].Value, used[j] = *f.Value, true
			}
		}
		e.Fields = fields
		return nil
	}
	var fs []storedField
	if err := json.Unmarshal([]byte(js), &fs); err != nil {
		return err
	}
	e.Fields = make([]bib.Field, len(fs))
	for i, f := range fs {
		e.Fields[i] = bib.Field{Name: f.Name, Raw: f.Raw, Value: f.Value, Duplicate: f.Duplicate}
	}
	return nil
}
