package storage

import (
	"bufio"
	"cmp"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/bibshelf/bibshelf/bib"
)

// AutoExporter keeps the library's export targets' files current. Run watches the library and
// rewrites the targets after changes; RunTargets runs them once. Either writes exactly what
// Export writes for the target's selection and options, but each entry's text is kept between
// runs, by entry id and revision (see migration 0012) and the options that shape it, and so is
// each target's selection (readSelection): after one edit, a run reads which entries the target
// selects and which changed, renders the one edited and concatenates the others' texts.
//
// A file whose content would not change is not written (its modification time stays). A file
// changed by someone else since Bibshelf last wrote it is not overwritten: the target's status
// holds a *TargetChangedError until the user overwrites it (RunOptions.Overwrite) or imports the
// changes (ImportTargetChanges). Every write goes through WriteFile.
//
// Its methods may be called from any goroutine; runs take their turn. The cache holds the text
// of every entry in some target's selection as its last run read it: about the size of the
// files.
type AutoExporter struct {
	l        *Library
	onStatus func(TargetStatus)

	onError  func(error) // see OnError
	reported string      // the error last told to onError; Run's goroutine only

	mu    sync.Mutex // one run at a time; guards what follows
	cache map[renderKey]map[int64]cachedText
	// wrote is what this process last wrote to each file, should recording it in the library
	// have failed (the library busy): the file is then still known as Bibshelf's.
	wrote map[string]fileRecord
	last  map[string]lastOutput
	// selections holds each target's selection as its last run read it, by target id.
	selections map[int64]*selection
	unheld     bool // the cache may hold texts no selection holds

	poke chan struct{}
}

// renderKey is what, beside an entry's revision, its exported text depends on.
type renderKey struct {
	dialect bib.Dialect
	ascii   bool
	notes   bool
}

type cachedText struct {
	rev      int64
	text     string // the prefix of its line, then the entry
	crossref string // the key its crossref field names, for the crossref order
	refs     int    // the selections that hold the entry (keepSelection)
}

// NewAutoExporter returns an AutoExporter of the library. onStatus, when not nil, is told of
// each target's run as it begins (Running) and as it ends, on the goroutine that runs it.
func NewAutoExporter(l *Library, onStatus func(TargetStatus)) *AutoExporter {
	return &AutoExporter{l: l, onStatus: onStatus, cache: map[renderKey]map[int64]cachedText{},
		wrote: map[string]fileRecord{}, last: map[string]lastOutput{}, selections: map[int64]*selection{}, poke: make(chan struct{}, 1)}
}

// The runner's timing: it reads the library's revision every pollEvery; once it has changed,
// it runs the targets when the revision has stayed the same for settleFor, or at the latest
// maxDelay after it saw the first change of a burst.
const (
	pollEvery = 250 * time.Millisecond
	settleFor = 250 * time.Millisecond
	maxDelay  = time.Second
)

// While a target's last run failed (but for a file someone else changed, which waits for the
// user), or the library could not be read, the runner tries again after retryFirst, then after
// twice as long each time, up to retryMax. Variables for the tests.
var (
	retryFirst = 10 * time.Second
	retryMax   = 60 * time.Second
)

// RunOptions says how targets are run.
type RunOptions struct {
	// Overwrite writes the files of targets that someone else changed.
	Overwrite bool
	// Due runs only the targets that are due: those whose last run failed, those the library
	// changed for since their last successful run (its revision rose), and those of a saved
	// search that selects by the date added (added:, Filter.AddedDays) last run on another day.
	Due bool
}

// OnError has Run tell f, on Run's goroutine, of a failure to read the library or to run the
// targets (not a target's own failure, which is in its status): with the error as it happens,
// and with nil once Run has run the targets again since. Call it before Run.
func (a *AutoExporter) OnError(f func(error)) { a.onError = f }

// Run keeps the targets' files current until ctx is done, and then returns nil: it runs the
// due targets at once, then after each burst of changes, made in this process or another (the
// command line), within about a second, and when the date changes (for saved searches by the
// date added). While a target's run fails for another reason than someone else's change, or
// the library cannot be read, it tries again after 10 s, then after longer and longer up to a
// minute, without waiting for a change. Start it on a goroutine of its own.
func (a *AutoExporter) Run(ctx context.Context) error {
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	seen, err := a.l.Revision(ctx)
	a.report(ctx, err)
	day := localDay(time.Now())
	var retryAt time.Time // zero when nothing waits to be tried again
	backoff := retryFirst
	runDue := func() {
		if a.runDue(ctx) {
			retryAt = time.Now().Add(backoff)
			backoff = min(2*backoff, retryMax)
		} else {
			retryAt, backoff = time.Time{}, retryFirst
		}
	}
	runDue()
	var first, last time.Time // of the burst not yet run for; zero when none
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-a.poke:
			first, last = time.Now().Add(-maxDelay), time.Now().Add(-settleFor)
		}
		now := time.Now()
		rev, err := a.l.Revision(ctx)
		if err != nil {
			// A busy moment, as a rule: the next tick reads it again.
			a.report(ctx, err)
			continue
		}
		if rev != seen {
			seen, last = rev, now
			if first.IsZero() {
				first = now
			}
		}
		due := !first.IsZero() && (now.Sub(last) >= settleFor || now.Sub(first) >= maxDelay)
		if d := localDay(now); d != day {
			day, due = d, true
		}
		if due || !retryAt.IsZero() && !now.Before(retryAt) {
			first, last = time.Time{}, time.Time{}
			runDue()
		}
	}
}

// runDue runs the due targets for Run, reports a failure to run them, and says whether to try
// again: after that failure, or a target's other than a change someone else made.
func (a *AutoExporter) runDue(ctx context.Context) (again bool) {
	sts, err := a.RunTargets(ctx, RunOptions{Due: true})
	if ctx.Err() != nil {
		return false
	}
	a.report(ctx, err)
	if err != nil {
		return true
	}
	for _, st := range sts {
		if st.Err != nil && !errors.Is(st.Err, ErrTargetChanged) {
			return true
		}
	}
	return false
}

// report tells onError of err, unless it told it of the same already; nil once after errors.
func (a *AutoExporter) report(ctx context.Context, err error) {
	if a.onError == nil || ctx.Err() != nil {
		return
	}
	switch {
	case err == nil && a.reported == "":
	case err != nil && err.Error() == a.reported:
	default:
		a.reported = ""
		if err != nil {
			a.reported = err.Error()
		}
		a.onError(err)
	}
}

// localDay returns t's date in local time, as added: reads dates.
func localDay(t time.Time) string { return t.Format(time.DateOnly) }

// Poke makes Run run the due targets now rather than at its next look: after a target was
// added or changed, say.
func (a *AutoExporter) Poke() {
	select {
	case a.poke <- struct{}{}:
	default:
	}
}

// RunTargets runs the targets ids (all when none is given) once, and returns their status. Each
// target's failure is in its status; the error is for the library failing to list them.
func (a *AutoExporter) RunTargets(ctx context.Context, opts RunOptions, ids ...int64) ([]TargetStatus, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	recs, err := targetRecords(ctx, a.l.db, 0)
	if err != nil {
		return nil, fmt.Errorf("run export targets: %w", err)
	}
	rev, err := a.l.Revision(ctx)
	if err != nil {
		return nil, fmt.Errorf("run export targets: %w", err)
	}
	want := map[int64]bool{}
	for _, id := range ids {
		want[id] = true
	}
	all := len(ids) == 0
	var out []TargetStatus
	for _, r := range recs {
		switch {
		case !all && !want[r.ID]:
			continue
		case opts.Due && r.revision == rev && r.Status.Err == nil && !a.newDay(ctx, r.ExportTarget):
			// Nothing changed for it: its file and its cached texts stay as they are.
			delete(want, r.ID)
			continue
		}
		delete(want, r.ID)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		out = append(out, a.runOne(ctx, r, opts.Overwrite))
	}
	for _, id := range ids {
		if want[id] {
			delete(want, id)
			out = append(out, TargetStatus{ID: id, Err: fmt.Errorf("export target %d: %w", id, notExist("no such target"))})
		}
	}
	if all {
		a.evict(recs)
	}
	return out, nil
}

// newDay reports whether t is a saved search's target that selects by the date added and last
// ran on another day than today: what it selects may have changed with no change to the library.
func (a *AutoExporter) newDay(ctx context.Context, t ExportTarget) bool {
	if t.Kind != TargetSearch || localDay(t.Status.Ran) == localDay(time.Now()) {
		return false
	}
	var query, filter string
	err := a.l.db.QueryRowContext(ctx, `SELECT query, filter FROM saved_searches WHERE name = ?`, t.Search).Scan(&query, &filter)
	if err != nil {
		return true // the run says what is wrong
	}
	var f Filter
	if err := json.Unmarshal([]byte(filter), &f); err != nil || f.AddedDays != 0 {
		return true
	}
	for _, tok := range tokenize(query) {
		if tok.field == "added" {
			return true
		}
	}
	return false
}

// evict forgets the selections of targets that are no more (recs are all the targets), and the
// texts no selection holds: those rendered by a run that failed.
func (a *AutoExporter) evict(recs []targetRecord) {
	exist := map[int64]bool{}
	for _, r := range recs {
		exist[r.ID] = true
	}
	for id := range a.selections {
		if !exist[id] {
			a.dropSelection(id)
		}
	}
	for k, c := range a.cache {
		if a.unheld {
			maps.DeleteFunc(c, func(_ int64, t cachedText) bool { return t.refs <= 0 })
		}
		if len(c) == 0 {
			delete(a.cache, k)
		}
	}
	a.unheld = false
}

func keyOf(t *ExportTarget) renderKey {
	return renderKey{dialect: t.Dialect, ascii: t.ASCII, notes: t.Notes}
}

// runOne runs one target, records what it did in the library and returns its status.
func (a *AutoExporter) runOne(ctx context.Context, r targetRecord, overwrite bool) TargetStatus {
	st := r.Status
	st.Err, st.Running = nil, true
	if a.onStatus != nil {
		a.onStatus(st)
	}
	st.Running = false
	st.Ran = time.Now()
	out, err := a.render(ctx, &r.ExportTarget)
	var wrote *fileRecord
	written := false
	if err == nil {
		wrote, written, err = a.settle(ctx, r, out, overwrite)
	}
	if err == nil {
		st.Entries = out.n
		if written {
			st.Written = st.Ran
		}
	}
	st.Err = err
	if rerr := a.record(ctx, r, st, out, wrote); rerr != nil && st.Err == nil {
		st.Err = rerr
	}
	if a.onStatus != nil {
		a.onStatus(st)
	}
	return st
}

// rendered is what a target's file is to hold.
type rendered struct {
	revision int64    // the library's, in the snapshot it was read from
	pieces   []string // its items, written by a bib.Writer
	n        int      // its entries
	// hash and size are the file's, once known (sum): "" and 0 until then.
	hash string
	size int64
}

// sum computes the hash and size of the file r is to be.
func (r *rendered) sum() {
	if r.hash != "" {
		return
	}
	hw := &hashWriter{h: newContentHash()}
	r.writeTo(hw) // hashWriter never fails
	r.hash, r.size = hex.EncodeToString(hw.h.Sum(nil)), hw.n
}

// samePieces reports whether a and b are the same text. Pieces taken from the cache are the
// same strings, compared without reading their bytes.
func samePieces(a, b []string) bool {
	return slices.Equal(a, b)
}

// writeTo writes the pieces to w as Export writes them.
func (r *rendered) writeTo(w io.Writer) error {
	bw := bib.NewWriter(w)
	for _, p := range r.pieces {
		if err := bw.Raw(p); err != nil {
			return err
		}
	}
	return bw.Close()
}

// render reads, in one snapshot of the library, what the target's file is to hold: Export's
// plan of the target's selection, and each entry's text from the target's last run, from the
// cache, or rendered anew. A run after one edit reads the selection's ids, the entries changed
// since the last run and that one entry's rows (readSelection), and renders that entry.
func (a *AutoExporter) render(ctx context.Context, t *ExportTarget) (*rendered, error) {
	out, err := a.renderSelection(ctx, t)
	if err != nil {
		// What the target selects is unknown: its texts are kept no longer than others'. Texts
		// rendered before the failure are held by no selection.
		a.dropSelection(t.ID)
		a.unheld = true
	}
	return out, err
}

// renderSelection is render but for what a failure leaves.
func (a *AutoExporter) renderSelection(ctx context.Context, t *ExportTarget) (*rendered, error) {
	tx, err := a.l.rdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback()
	out := &rendered{}
	// The first read starts the snapshot: the revision is that of everything read after it.
	if err := tx.QueryRowContext(ctx, `SELECT n FROM library_revision`).Scan(&out.revision); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	opts, err := t.exportOptions(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	sel, err := selectExport(ctx, tx, opts)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	key := keyOf(t)
	prev := a.selections[t.ID]
	if prev != nil && prev.key != key {
		a.dropSelection(t.ID)
		prev = nil
	}
	next, err := readSelection(ctx, tx, sel, opts.ByKey, prev, out.revision)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	next.key = key
	c := a.cache[key]
	if c == nil {
		c = map[int64]cachedText{}
		a.cache[key] = c
	}
	// The entries without a text (read anew) take it from the cache at their revision; the
	// others are rendered below.
	var missing []int
	var missingIDs []int64
	for i := range next.entries {
		e := &next.entries[i]
		if e.text != "" {
			continue
		}
		if ct, ok := c[e.id]; ok && ct.rev == e.rev {
			e.text, e.crossref = ct.text, ct.crossref
			continue
		}
		missing, missingIDs = append(missing, i), append(missingIDs, e.id)
	}
	// The crossrefs of the entries not cached at their revision are read whatever the order:
	// the cache is shared with targets of other orders.
	crossrefs, err := crossrefsOf(ctx, tx, missingIDs)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	for _, i := range missing {
		next.entries[i].crossref = crossrefs[next.entries[i].id]
	}
	entries, moved := next.entries, false
	if crossrefOrdered(opts) {
		entries, moved = placeEntries(entries)
	}
	plan, err := planSelection(ctx, tx, entries)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if err := a.renderMissing(ctx, tx, plan, opts, c, next.entries, missing); err != nil {
		return nil, err
	}
	if moved && len(missing) > 0 {
		// The placed copy was made before the texts of those rendered.
		for i := range entries {
			if entries[i].text == "" {
				entries[i].text = c[entries[i].id].text
			}
		}
	}
	out.pieces = make([]string, 0, len(plan.head)+len(entries)+len(plan.before))
	out.pieces = append(out.pieces, plan.head...)
	for i := range entries {
		if len(plan.before) > 0 {
			out.pieces = append(out.pieces, plan.before[entries[i].id]...)
		}
		out.pieces = append(out.pieces, entries[i].text)
	}
	out.n = len(entries)
	a.keepSelection(t.ID, c, prev, next)
	return out, nil
}

// keepSelection makes next the selection of the target in place of prev (nil for none), the
// cache c holding the texts of its entries: each text in c counts the selections that hold its
// entry, and goes when none does.
func (a *AutoExporter) keepSelection(target int64, c map[int64]cachedText, prev, next *selection) {
	var gone, come []int64
	if prev == nil {
		come = next.ids
	} else {
		gone, come = diffIDs(prev.ids, next.ids)
	}
	for _, id := range come {
		ct := c[id]
		ct.refs++
		c[id] = ct
	}
	release(c, gone)
	a.selections[target] = next
}

// dropSelection forgets the target's selection: its texts stay cached as long as another
// selection holds them.
func (a *AutoExporter) dropSelection(id int64) {
	s := a.selections[id]
	if s == nil {
		return
	}
	delete(a.selections, id)
	if c := a.cache[s.key]; c != nil {
		release(c, s.ids)
	}
}

// release counts the texts of the entries ids in c once less, and forgets those no selection
// holds any more.
func release(c map[int64]cachedText, ids []int64) {
	for _, id := range ids {
		ct, ok := c[id]
		if !ok {
			continue
		}
		if ct.refs--; ct.refs <= 0 {
			delete(c, id)
		} else {
			c[id] = ct
		}
	}
}

// crossrefsOf returns the keys the crossref fields of the entries ids name, by entry id (those
// without one left out). Only the entries whose fields column names a crossref field are
// decoded. A few entries are read one by one; for more, every entry's text is looked at, in one
// pass, and the result holds other entries too: with the list of ids, the pass at 100,000
// entries took 0.32 s against 0.23 s.
func crossrefsOf(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	add := func(rows *sql.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var id int64
			var fields, source string
			if err := rows.Scan(&id, &fields, &source); err != nil {
				return err
			}
			k, err := crossrefOf(fields, source)
			if err != nil {
				return err
			}
			if k != "" {
				out[id] = k
			}
		}
		return rows.Err()
	}
	const query = `SELECT id, fields, source FROM entry_text WHERE fields LIKE ?`
	if len(ids) > 1000 {
		rows, err := tx.QueryContext(ctx, query, crossrefFieldLike)
		if err != nil {
			return nil, err
		}
		return out, add(rows)
	}
	for _, id := range ids {
		rows, err := tx.QueryContext(ctx, query+` AND id = ?`, crossrefFieldLike, id)
		if err != nil {
			return nil, err
		}
		if err := add(rows); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// placeEntries returns entries, in the order of the export otherwise, in the crossref order:
// the entries themselves when none moves, a copy otherwise (moved). It runs after each edit: the
// entries without a crossref cost no allocation.
func placeEntries(entries []selected) (placed []selected, moved bool) {
	var kids []int // the entries with a crossref, in order
	named := map[string]bool{}
	for i := range entries {
		if k := entries[i].crossref; k != "" {
			kids = append(kids, i)
			named[foldKey(k)] = true
		}
	}
	if len(kids) == 0 {
		return entries, false
	}
	var xs []xrefEntry
	for i := range entries {
		e := &entries[i]
		if len(kids) > 0 && kids[0] == i {
			xs = append(xs, xrefEntry{id: e.id, key: e.key, crossref: e.crossref})
			kids = kids[1:]
		} else if namedKey(named, e.key) {
			xs = append(xs, xrefEntry{id: e.id, key: e.key})
		}
	}
	p := placeCrossrefs(xs)
	if len(p.after) == 0 {
		return entries, false
	}
	out := make([]selected, 0, len(entries))
	q := newPlacer(p, func(e selected) error {
		out = append(out, e)
		return nil
	})
	for _, e := range entries {
		q.add(e.id, e) // never fails
	}
	q.flush()
	return out, true
}

// namedKey reports whether named holds foldKey(k), without making the folded key (for a key of
// up to 64 bytes).
func namedKey(named map[string]bool, k string) bool {
	var buf [64]byte
	if len(k) > len(buf) {
		return named[foldKey(k)]
	}
	b := buf[:len(k)]
	for i := 0; i < len(k); i++ {
		c := k[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return named[string(b)]
}

// planSelection returns Export's plan of entries, those of a selection in the order they are
// written.
func planSelection(ctx context.Context, tx *sql.Tx, entries []selected) (*exportPlan, error) {
	plan := newExportPlan()
	var needers []needer
	legacy := false
	sources := map[int64]bool{}
	last := int64(-1)
	for i := range entries {
		r := &entries[i].row
		if r.source != last {
			// Consecutive entries come from one file, as a rule: one look-up for them all.
			sources[r.source], last = true, r.source
		}
		if r.context.Valid && r.context.String == "" {
			continue // most entries: they need nothing
		}
		n := needer{id: r.id, key: r.key}
		if err := plan.addContext(&n, r.context); err != nil {
			return nil, err
		}
		legacy = legacy || n.legacy
		needers = append(needers, n)
	}
	if err := plan.finish(ctx, tx, needers, sources, legacy); err != nil {
		return nil, err
	}
	return plan, nil
}

// row is an entry of a selection, as readSelection reads it.
type row struct {
	id, rev, source int64
	order           int64 // its place in the library's order (orderKey)
	key             string
	context         sql.NullString
}

// compareNoCase compares two strings as SQLite's NOCASE collation does: byte by byte with the
// ASCII capitals taken as small letters, then by length.
func compareNoCase(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(len(a), len(b))
}

// renderMissing renders the entries missing (indexes in entries), read in tx, into the cache
// c and into entries.
func (a *AutoExporter) renderMissing(ctx context.Context, tx *sql.Tx, plan *exportPlan, opts ExportOptions,
	c map[int64]cachedText, entries []selected, missing []int) error {
	if len(missing) == 0 {
		return nil
	}
	at := make(map[int64]int, len(missing))
	ids := make([]int64, len(missing))
	for k, i := range missing {
		at[entries[i].id], ids[k] = i, entries[i].id
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	tagsOf, err := entryTagListsOf(ctx, tx, string(list), len(missing) < len(entries)/4)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fieldsCol, noteCol, asWritten := entryColumns(opts)
	query := `SELECT e.id, e.key, e.type, ` + fieldsCol + `, t.source, ` + noteCol + `, e.keywords
		FROM entries e JOIN entry_text t ON t.id = e.id WHERE `
	x := exporter{tx: tx, plan: plan, opts: opts, tagsOf: tagsOf, asWritten: asWritten}
	r := entryRenderer{x: &x, c: c, entries: entries, at: at}
	// A few entries are read one by one: SQLite reads the whole table for a list of ids.
	if len(missing) <= 1000 {
		for _, id := range ids {
			if err := r.render(ctx, query+`e.id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	}
	return r.render(ctx, query+`e.id IN (SELECT value FROM json_each(?))`, string(list))
}

// entryRenderer renders entries of a selection into the cache and the selection.
type entryRenderer struct {
	x       *exporter
	c       map[int64]cachedText
	entries []selected
	at      map[int64]int // where each entry to render is in entries, by id
}

// render renders the entries query reads (as Export's main query does).
func (r *entryRenderer) render(ctx context.Context, query string, args ...any) error {
	rows, err := r.x.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e bib.Entry
		var id int64
		var fields, note, keywords string
		if err := rows.Scan(&id, &e.Key, &e.Type, &fields, &e.Source, &note, &keywords); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		prefix, text, err := r.x.render(ctx, id, &e, fields, note, keywords)
		if err != nil {
			return err
		}
		s := &r.entries[r.at[id]]
		s.text = prefix + text
		// The count of selections holding it stays: the entry is the same, its text new.
		ct := r.c[id]
		ct.rev, ct.text, ct.crossref = s.rev, s.text, s.crossref
		r.c[id] = ct
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// entryTagListsOf is entryTagLists for the entries of the JSON list ids, or, when few is false,
// for all (one pass over the tags is quicker than a look-up per entry for most of them).
func entryTagListsOf(ctx context.Context, tx *sql.Tx, ids string, few bool) (map[int64]string, error) {
	if !few {
		return entryTagLists(ctx, tx)
	}
	return tagLists(ctx, tx, "et.entry_id IN (SELECT value FROM json_each(?))", ids)
}

// hashWriter hashes what is written to it, and counts it.
type hashWriter struct {
	h hash.Hash
	n int64
}

func (w *hashWriter) Write(p []byte) (int, error) {
	w.h.Write(p) // never fails
	w.n += int64(len(p))
	return len(p), nil
}

// WriteString hashes s without copying it: converting the file's 50 MB (at 100,000 entries) to
// byte slices took as long as hashing them. The hash only reads what it is given.
func (w *hashWriter) WriteString(s string) (int, error) {
	return w.Write(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// settle writes out to the target's file unless it holds that already, or someone else changed
// it and overwrite is false. It returns the file to record as Bibshelf's, nil when the record
// stands, and whether it wrote it: a file found holding out already, which Bibshelf did not
// write last, is recorded unwritten, its modification time as it was.
//
// What was written last to the file is known (lastOutput): a file as Bibshelf left it, with
// other pieces to hold now, is written at once, hashed as it is written, and one with the same
// pieces is left alone; both without hashing the text beforehand, which took half of a run after
// one edit at 100,000 entries.
func (a *AutoExporter) settle(ctx context.Context, r targetRecord, out *rendered, overwrite bool) (rec *fileRecord, written bool, err error) {
	disk, err := a.onDisk(r)
	if err != nil {
		return nil, false, err
	}
	prev, known := a.last[r.Path]
	known = known && disk != nil && disk.hash == prev.hash
	switch {
	case disk == nil: // no file: written
	case known && samePieces(prev.pieces, out.pieces):
		out.hash, out.size = prev.hash, prev.size
		return nil, false, nil
	case known && a.ours(r, disk): // other content than the file's: written
	default:
		out.sum()
		if disk.hash == out.hash {
			// It holds the content already. A file Bibshelf did not write, or not last, becomes
			// its own: recorded as written, with its modification time as it is.
			a.last[r.Path] = lastOutput{pieces: out.pieces, hash: out.hash, size: out.size}
			if disk.hash != r.file.hash {
				return disk, false, nil
			}
			return nil, false, nil
		}
		if !overwrite && !a.ours(r, disk) {
			return nil, false, &TargetChangedError{ID: r.ID, Path: r.Path, NeverWritten: r.file.hash == "" && a.wrote[r.Path].hash == ""}
		}
	}
	hw := &hashWriter{h: newContentHash()}
	err = writeFile(ctx, r.Path, func(w io.Writer) error {
		// The text is hashed in the chunks it is written in, while they are in the processor's
		// cache: hashing each piece (an entry's text, a kilobyte or so) as it went took 9-18 ms
		// more of the processor for a file of 131 MB (docs/PERFORMANCE.md). Chunks larger than
		// WriteFile's buffer go through it uncopied.
		bw := bufio.NewWriterSize(teeWriter{w: w, h: hw}, 256<<10)
		if err := out.writeTo(bw); err != nil {
			return err
		}
		return bw.Flush()
	}, func() error {
		// Should the process die after the rename, before record, the file is still its own.
		_, err := a.l.db.ExecContext(ctx, `UPDATE export_targets SET pending_hash = ? WHERE id = ?`,
			hex.EncodeToString(hw.h.Sum(nil)), r.ID)
		return err
	})
	if err != nil {
		delete(a.last, r.Path)
		return nil, false, err
	}
	out.hash, out.size = hex.EncodeToString(hw.h.Sum(nil)), hw.n
	fi, err := os.Stat(r.Path)
	if err != nil {
		return nil, false, fmt.Errorf("export: %w", err)
	}
	rec = &fileRecord{size: out.size, hash: out.hash, mtime: fi.ModTime().UnixNano(), id: fileIdentity(fi)}
	a.wrote[r.Path] = *rec
	a.last[r.Path] = lastOutput{pieces: out.pieces, hash: out.hash, size: out.size}
	return rec, true, nil
}

// lastOutput is what an AutoExporter last wrote to a file, or found it held.
type lastOutput struct {
	pieces []string
	hash   string
	size   int64
}

// teeWriter writes to w and hashes what it wrote.
type teeWriter struct {
	w io.Writer
	h *hashWriter
}

func (t teeWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	t.h.Write(p[:n])
	return n, err
}

// ours reports whether the file disk describes is as Bibshelf last wrote it.
func (a *AutoExporter) ours(r targetRecord, disk *fileRecord) bool {
	for _, h := range []string{r.file.hash, r.pending, a.wrote[r.Path].hash} {
		if h != "" && disk.hash == h {
			return true
		}
	}
	return false
}

// onDisk describes the target's file as it is, nil when there is none. Its content is read
// only when its size or modification time differ from what Bibshelf last wrote, or, for a file
// this process wrote or read, its identity (fileIdentity): another file renamed over it, or its
// content changed and its modification time set back, is hashed.
func (a *AutoExporter) onDisk(r targetRecord) (*fileRecord, error) {
	fi, err := os.Stat(r.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("export: %s: %w", r.Path, ErrNotRegularFile)
	}
	now, mine := fileIdentity(fi), a.wrote[r.Path]
	for _, known := range []fileRecord{mine, r.file} {
		switch {
		case known.hash == "" || known.size != fi.Size() || known.mtime != fi.ModTime().UnixNano():
		case known.id != (fileID{}) && known.id != now:
			// Another file, or the same changed, though its size and time are as they were.
		case known.id == (fileID{}) && mine.id != (fileID{}) && known.hash == mine.hash && known.mtime == mine.mtime:
			// The library's record of what this process wrote: the identity above said no.
		default:
			return &known, nil
		}
	}
	sum, err := hashFile(r.Path)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return &fileRecord{size: fi.Size(), hash: sum, mtime: fi.ModTime().UnixNano(), id: now}, nil
}

// newContentHash returns the hash files are compared by, beside their size: CRC-32C
// (Castagnoli). It tells a file Bibshelf wrote from one changed since, which needs no defence
// against a forged collision (whoever can write the file can write anything), and the processor
// computes it: 5.1 GB/s against CRC-64's 1.1 GB/s and SHA-256's 0.23 GB/s on this two-core
// machine, busy (docs/PERFORMANCE.md). The file of 100,000 entries is hashed as it is written
// after each edit.
func newContentHash() hash.Hash { return crc32.New(castagnoli) }

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// hashFile returns the content hash of the file at path, in hex.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := newContentHash()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// record writes the target's status into the library: what was written (wrote, nil when
// nothing was) and, after a success, the revision it is current with: the file then holds what
// the library rendered at that revision (written, or found so), which file_revision records.
func (a *AutoExporter) record(ctx context.Context, r targetRecord, st TargetStatus, out *rendered, wrote *fileRecord) error {
	var errText string
	conflict := errors.Is(st.Err, ErrTargetChanged)
	if st.Err != nil {
		errText = st.Err.Error()
	}
	set, args := `ran = ?, error = ?, conflict = ?`, []any{st.Ran.UnixMilli(), errText, conflict}
	if st.Err == nil {
		set += `, revision = ?, file_revision = ?, entries = ?`
		args = append(args, out.revision, out.revision, out.n)
	}
	if wrote != nil {
		set += `, written_size = ?, written_hash = ?, written_mtime = ?, pending_hash = ''`
		args = append(args, wrote.size, wrote.hash, wrote.mtime)
		if !st.Written.IsZero() {
			set += `, written = ?`
			args = append(args, st.Written.UnixMilli())
		}
	}
	if _, err := a.l.db.ExecContext(ctx, `UPDATE export_targets SET `+set+` WHERE id = ?`, append(args, r.ID)...); err != nil {
		return fmt.Errorf("record the status of export target %d: %w", r.ID, err)
	}
	return nil
}

// RunExportTargets runs the targets ids (all when none is given) once, as an AutoExporter's
// RunTargets does, with nothing cached: the command line's way.
func (l *Library) RunExportTargets(ctx context.Context, opts RunOptions, ids ...int64) ([]TargetStatus, error) {
	return NewAutoExporter(l, nil).RunTargets(ctx, opts, ids...)
}
