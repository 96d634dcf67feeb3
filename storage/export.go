package storage

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/formats"
)

// ExportOptions says what Export writes, and how.
type ExportOptions struct {
	// Filter and Query keep only the entries matching both (see SearchOptions); all when empty.
	Filter Filter
	Query  string
	// Keys, when set, keeps only the entries with these keys (case-insensitive), in the crossref
	// order (see ByKey).
	Keys []string
	// CrossrefParents also writes the entries that the selected ones name in a crossref field,
	// and those that these name in turn, in the crossref order: a collection's or a selection's
	// file then reads in bibtex as the library does. Without them bibtex reports a bad cross
	// reference, and the entries lack the journal, year or book title they inherit.
	CrossrefParents bool
	// ByKey orders the entries by key instead of the order they came into the library. Then, as
	// with Keys, an entry that another written entry cross-references (crossref) goes right after
	// the last of those, where bibtex finds it (crossref.go); the others keep their order.
	ByKey bool
	// Notes writes each entry's note into its annote field (replacing one it has), for styles
	// that print annotations. Only that field's text changes in the entry's source.
	Notes bool
	// NoSubCollections, with Filter.Collection, keeps only the entries in that collection
	// itself, not those only in its sub-collections.
	NoSubCollections bool
	// NoKeywordTags leaves keywords fields as they are. Otherwise an entry with a tag its keywords
	// field does not name gets the tag added there: only that field's text changes.
	// Keywords are never taken out: a keyword whose tag was removed stays in the field.
	NoKeywordTags bool
	bib.WriteOptions
	// Warn, when set, is told of each entry that could not be written exactly as asked, such as
	// characters ASCII output cannot express.
	Warn func(key, msg string)
	// Format, when not BibTeX, writes the entries in another format (formats.Write: RIS,
	// CSL-JSON) instead: their BibTeX as written, read back with its @string values, is what
	// that format's writer is given. WriteOptions then do not apply.
	Format formats.Format
}

// Export writes the entries opts selects, in import order (or by key, with crossref parents after
// their children: see ByKey), leaving out those in the trash, so that each reads in BibTeX as it
// read in the file it came from:
//
//   - first the @preamble items of the files the entries came from (each text once), and the
//     @string items the entries use, each as its file defined it where the entry stood;
//   - then the entries. Where an entry needs another value of a macro than the one written last
//     (two files giving one name two values, or a file that redefined it), the @string item it
//     needs is written again right before it. A macro the entry's file had not defined, but
//     another entry's file has, is defined as empty text, which is what BibTeX read;
//   - an entry not edited since import comes back byte for byte, unless the options change it;
//     one that was read with a syntax error is written from the fields read before the error,
//     with a warning, since its text would change how BibTeX reads the entries after it.
//
// It returns the number of entries written.
func (l *Library) Export(ctx context.Context, w io.Writer, opts ExportOptions) (int, error) {
	if opts.Format != formats.BibTeX {
		return l.exportAs(ctx, w, opts)
	}
	tx, err := l.rdb.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback()
	sel, err := selectExport(ctx, tx, opts)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	parents := false
	// The whole library has every parent already: no need to look for them.
	if opts.CrossrefParents && !(opts.Filter.IsZero() && opts.Query == "" && len(opts.Keys) == 0) {
		if sel, parents, err = withCrossrefParents(ctx, tx, sel); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	}
	from, where, order, args := sel.from, sel.where, sel.order, sel.args
	var place crossrefPlacement
	if crossrefOrdered(opts) || parents {
		if place, err = exportCrossrefs(ctx, tx, sel, opts.ByKey); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	}
	plan, err := planExport(ctx, tx, sel, place)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	if opts.Warn != nil {
		for _, w := range plan.warnings {
			opts.Warn(w.key, w.msg)
		}
	}
	buf := bufio.NewWriterSize(w, 256<<10)
	bw := bib.NewWriter(buf)
	for _, text := range plan.head {
		if err := bw.Raw(text); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	}
	fieldsCol, noteCol, asWritten := entryColumns(opts)
	var tagsOf map[int64]string
	if !opts.NoKeywordTags {
		if tagsOf, err = entryTagLists(ctx, tx); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.key, e.type, `+fieldsCol+`, t.source, `+noteCol+`, e.keywords
		FROM `+from+` JOIN entry_text t ON t.id = e.id WHERE `+where+` ORDER BY `+order, args...)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer rows.Close()
	x := exporter{tx: tx, bw: bw, plan: plan, opts: opts, tagsOf: tagsOf, asWritten: asWritten}
	n := 0
	q := newPlacer(place, func(r exportRow) error {
		if err := x.write(ctx, r.id, &r.e, r.fields, r.note, r.keywords); err != nil {
			return err
		}
		n++
		return nil
	})
	for rows.Next() {
		var r exportRow
		if err := rows.Scan(&r.id, &r.e.Key, &r.e.Type, &r.fields, &r.e.Source, &r.note, &r.keywords); err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		if err := q.add(r.id, r); err != nil {
			return n, err
		}
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	if err := q.flush(); err != nil {
		return n, err
	}
	if err := bw.Close(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	if err := buf.Flush(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, nil
}

// exportRow is an entry as Export's main query reads it.
type exportRow struct {
	id                     int64
	e                      bib.Entry
	fields, note, keywords string
}

// exportSelection is the SQL of the entries an export writes: FROM from WHERE where ORDER BY
// order, with args, naming the entries e.
type exportSelection struct {
	from, where, order string
	args               []any
}

// selectExport returns the selection of the entries opts selects, in the library's order (read
// through db) or by key.
func selectExport(ctx context.Context, db rowQuerier, opts ExportOptions) (exportSelection, error) {
	q := compile(opts.Filter, opts.Query)
	if q.err != nil {
		return exportSelection{}, q.err
	}
	from, where, args := q.sql()
	if len(opts.Keys) > 0 {
		// json_each takes the list as one parameter, however long it is.
		keys, err := json.Marshal(opts.Keys)
		if err != nil {
			return exportSelection{}, err
		}
		where += ` AND e.key IN (SELECT value FROM json_each(?))`
		args = append(args, string(keys))
	}
	if opts.NoSubCollections && opts.Filter.Collection != 0 {
		where += ` AND e.id IN (SELECT entry_id FROM collection_entries WHERE collection_id = ?)`
		args = append(args, opts.Filter.Collection)
	}
	// Keys are unique without regard to case: the id never decides, but says what would.
	order := entryOrder("e.key COLLATE NOCASE, e.id")
	if !opts.ByKey {
		var err error
		if order, err = entryOrderOf(ctx, db); err != nil {
			return exportSelection{}, err
		}
	}
	return exportSelection{from: from, where: where, order: string(order), args: args}, nil
}

// entryColumns returns the SQL of the fields and note columns an export with opts reads for an
// entry e with its entry_text row t, and whether it writes entries as they were imported.
func entryColumns(opts ExportOptions) (fieldsCol, noteCol string, asWritten bool) {
	// An entry written as it was imported needs only its source: its fields are read only for
	// entries that were edited, or when the options change what is written.
	asWritten = opts.WriteOptions == (bib.WriteOptions{}) && !opts.Notes
	fieldsCol = "t.fields"
	if asWritten {
		fieldsCol = "CASE WHEN t.source = '' THEN t.fields ELSE '' END"
	}
	noteCol = "''"
	if opts.Notes {
		noteCol = "coalesce((SELECT body FROM notes WHERE entry_id = e.id), '')"
	}
	return fieldsCol, noteCol, asWritten
}

// exporter writes the entries of one Export.
type exporter struct {
	tx        *sql.Tx
	bw        *bib.Writer
	plan      *exportPlan
	opts      ExportOptions
	tagsOf    map[int64]string // each entry's tags, separated by U+001F, by entry id
	asWritten bool             // the options write entries as they were imported
}

// write writes the entry id, as read from its rows: e with its key, type and source, fields
// its fields column ("" when the export had no need of it), its note and its keywords column;
// the @string items it needs written again go before it.
func (x *exporter) write(ctx context.Context, id int64, e *bib.Entry, fields, note, keywords string) error {
	for _, text := range x.plan.before[id] {
		if err := x.bw.Raw(text); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	prefix, text, err := x.render(ctx, id, e, fields, note, keywords)
	if err != nil {
		return err
	}
	if err := x.bw.RawAfter(prefix, text); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// render returns the text of the entry id, as write writes it after the @string items before
// it: the prefix of its line, then the entry. What it returns depends on the entry's rows (its
// revision says when they change) and the export's options only.
func (x *exporter) render(ctx context.Context, id int64, e *bib.Entry, fields, note, keywords string) (prefix, text string, err error) {
	newKeywords, retag := keywordsFor(keywords, x.tagsOf[id])
	note = strings.TrimSpace(note)
	broken := x.plan.broken[id] && e.Source != ""
	inline := x.plan.inline[id]
	if (retag || broken || inline != nil) && fields == "" {
		if err := x.tx.QueryRowContext(ctx, `SELECT fields FROM entry_text WHERE id = ?`, id).Scan(&fields); err != nil {
			return "", "", fmt.Errorf("export %q: %w", e.Key, err)
		}
	}
	if !x.asWritten || e.Source == "" || retag || broken || inline != nil {
		if err := decodeFields(e, fields); err != nil {
			return "", "", fmt.Errorf("export %q: %w", e.Key, err)
		}
	}
	if broken {
		// Its text would swallow, or spoil, the entries written after it.
		if b := biberReading(e, x.opts.Dialect); b != nil {
			if x.opts.Warn != nil {
				x.opts.Warn(e.Key, fmt.Sprintf("was read with a syntax error by bibtex (a %% comment inside it): written with the %d fields biber reads", len(b.Fields)))
			}
			e.Fields = b.Fields
		} else if x.opts.Warn != nil {
			x.opts.Warn(e.Key, fmt.Sprintf("was read with a syntax error: written with the %d fields read before it", len(e.Fields)))
		}
		e.Source, e.Standalone = "", false
	}
	if inline != nil {
		inlineMacros(e, inline)
	}
	if retag {
		if err := setExported(e, "keywords", newKeywords); err != nil && x.opts.Warn != nil {
			x.opts.Warn(e.Key, "tags not written as keywords: "+err.Error())
		}
	}
	if note != "" {
		if err := setExported(e, "annote", note); err != nil && x.opts.Warn != nil {
			x.opts.Warn(e.Key, "note not written as annote: "+err.Error())
		}
	}
	out, left := bib.Prepare(e, x.opts.WriteOptions)
	prefix = out.Prefix
	if p := x.plan.prefix[id]; p != "" {
		prefix = p
	}
	if len(left) > 0 && x.opts.Warn != nil {
		x.opts.Warn(e.Key, fmt.Sprintf("no LaTeX form for %q: written as it is", string(left)))
	}
	return prefix, bib.Format(out), nil
}

// exportPlan is what an export writes besides its entries.
type exportPlan struct {
	// head is written before the first entry: @string and @preamble items.
	head []string
	// before holds the @string items written right before an entry, by entry id.
	before map[int64][]string
	// broken holds the entries read with a syntax error.
	broken map[int64]bool
	// inline holds, by entry id, the month macros its file redefined: the fields that use them
	// are written with their values.
	inline map[int64][]string
	// prefix holds, by entry id, the text before its @ on its line that had a % (readContext).
	prefix   map[int64]string
	warnings []planWarning
}

type planWarning struct{ key, msg string }

// needer is an entry or a @preamble of an export, with the reading context it needs.
type needer struct {
	id, source int64
	order      int64 // a @preamble's place in the library's order (orderKey)
	key        string
	c          readContext
	legacy     bool
	none       bool // it needs nothing: read only to be placed (readContexts)
}

// planExport plans the export of the entries sel selects, in its order but for the crossref
// placement place: it reads their contexts, and the @string and @preamble items they need.
func planExport(ctx context.Context, tx *sql.Tx, sel exportSelection, place crossrefPlacement) (*exportPlan, error) {
	plan := newExportPlan()
	entries, legacy, err := plan.readContexts(ctx, tx, sel, place)
	if err != nil {
		return nil, err
	}
	sources, err := exportSources(ctx, tx, sel.from, sel.where, sel.args)
	if err != nil {
		return nil, err
	}
	if err := plan.finish(ctx, tx, entries, sources, legacy); err != nil {
		return nil, err
	}
	return plan, nil
}

func newExportPlan() *exportPlan {
	return &exportPlan{before: map[int64][]string{}, broken: map[int64]bool{}, inline: map[int64][]string{},
		prefix: map[int64]string{}}
}

// finish plans the @string and @preamble items of an export whose entries that need a context
// are entries, in order, from the files sources; legacy says whether any of them was stored
// before contexts were kept.
func (plan *exportPlan) finish(ctx context.Context, tx *sql.Tx, entries []needer, sources map[int64]bool, legacy bool) error {
	preambles, texts, err := exportPreambles(ctx, tx, sources, legacy)
	if err != nil {
		return err
	}
	return plan.macros(ctx, tx, entries, preambles, texts, legacy)
}

// readContexts reads the contexts of the entries the export of sel selects that need one, in
// its order but for the crossref placement place, and notes those read with a syntax error and
// those with a prefix. legacy says whether any was stored before contexts were kept.
func (plan *exportPlan) readContexts(ctx context.Context, tx *sql.Tx, sel exportSelection, place crossrefPlacement) (entries []needer, legacy bool, err error) {
	// Most entries need nothing (their context is empty): only the others are read, then the
	// files the entries came from, for their preambles. Reading every entry's row here made an
	// export of 100,000 entries a third slower. The entries the placement names are read too,
	// those that need nothing only to be placed.
	need, args := `(e.context IS NULL OR e.context <> '')`, sel.args
	if moved := place.ids(); len(moved) > 0 {
		list, err := json.Marshal(moved)
		if err != nil {
			return nil, false, err
		}
		need = `(e.context IS NULL OR e.context <> '' OR e.id IN (SELECT value FROM json_each(?)))`
		args = append(slices.Clip(args), string(list))
	}
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.key, e.context FROM `+sel.from+` WHERE `+sel.where+`
		AND `+need+` ORDER BY `+sel.order, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	q := newPlacer(place, func(n needer) error {
		legacy = legacy || n.legacy
		entries = append(entries, n)
		return nil
	})
	for rows.Next() {
		var n needer
		var col sql.NullString
		if err := rows.Scan(&n.id, &n.key, &col); err != nil {
			return nil, false, err
		}
		if col.Valid && col.String == "" {
			n.none = true // placed only
		} else if err := plan.addContext(&n, col); err != nil {
			return nil, false, err
		}
		q.add(n.id, n) // never fails
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	q.flush()
	entries = slices.DeleteFunc(entries, func(n needer) bool { return n.none })
	return entries, legacy, nil
}

// addContext decodes the context col of the entry n into it, and notes whether the entry was
// read with a syntax error and the prefix of its line.
func (plan *exportPlan) addContext(n *needer, col sql.NullString) error {
	var err error
	if n.c, n.legacy, err = decodeContext(col); err != nil {
		return fmt.Errorf("entry %q: %w", n.key, err)
	}
	if n.c.Broken {
		plan.broken[n.id] = true
	}
	if n.c.Prefix != "" {
		plan.prefix[n.id] = n.c.Prefix
	}
	return nil
}

// exportSources returns the files (sources rows; 0 for none) the selected entries came from.
func exportSources(ctx context.Context, tx *sql.Tx, from, where string, args []any) (map[int64]bool, error) {
	sources := map[int64]bool{}
	srows, err := tx.QueryContext(ctx, `SELECT DISTINCT coalesce(e.source_id, 0) FROM `+from+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	for srows.Next() {
		var id int64
		if err := srows.Scan(&id); err != nil {
			srows.Close()
			return nil, err
		}
		sources[id] = true
	}
	srows.Close()
	if err := srows.Err(); err != nil {
		return nil, err
	}
	return sources, nil
}

// exportPreambles returns the @preamble items of the files sources, each text once, in the
// order they came, with their texts; with legacy, those stored before contexts were kept too.
func exportPreambles(ctx context.Context, tx *sql.Tx, sources map[int64]bool, legacy bool) (preambles []needer, texts []string, err error) {
	seen := map[string]bool{}
	prows, err := tx.QueryContext(ctx, `SELECT id, `+orderKey("")+`, coalesce(source_id, 0), source, context FROM items
		WHERE kind = 'preamble' ORDER BY 2`)
	if err != nil {
		return nil, nil, err
	}
	for prows.Next() {
		var n needer
		var text string
		var col sql.NullString
		if err := prows.Scan(&n.id, &n.order, &n.source, &text, &col); err != nil {
			prows.Close()
			return nil, nil, err
		}
		if n.c, n.legacy, err = decodeContext(col); err != nil {
			prows.Close()
			return nil, nil, err
		}
		if seen[text] || !(n.legacy && legacy || !n.legacy && n.source != 0 && sources[n.source]) {
			continue
		}
		seen[text] = true
		preambles = append(preambles, n)
		texts = append(texts, n.c.Prefix+text)
	}
	prows.Close()
	if err := prows.Err(); err != nil {
		return nil, nil, err
	}
	return preambles, texts, nil
}

// macros plans the @string items of the export: those written at its head, with its preambles
// (texts), and those written again before an entry.
func (plan *exportPlan) macros(ctx context.Context, tx *sql.Tx, entries, preambles []needer, texts []string, legacy bool) (err error) {
	m := newMacroPlanner(ctx, tx)
	defer func() { err = errors.Join(err, m.close()) }()
	// A needed @string stored before contexts were kept has unknown dependencies: the export
	// then starts, as earlier versions did, with every such item.
	for _, n := range append(preambles, entries...) {
		ids, err := m.closure(n.c.Strings)
		if err != nil {
			return err
		}
		for _, id := range ids {
			legacy = legacy || m.defs[id].legacy
		}
	}
	if legacy {
		if err := m.legacyHead(); err != nil {
			return err
		}
	}
	for i, n := range preambles {
		if err := m.need(i, n.c); err != nil {
			return err
		}
	}
	for i, n := range entries {
		// A month the entry's file redefined is written as its value in the entry instead: an
		// export cannot give a month back to the style once it has redefined it.
		months := n.c.Strings[:0:0]
		for _, id := range n.c.Strings {
			d, err := m.def(id)
			if err != nil {
				return err
			}
			if bib.IsMonth(d.name) {
				plan.inline[n.id] = append(plan.inline[n.id], d.name)
			} else {
				months = append(months, id)
			}
		}
		n.c.Strings = months
		if err := m.need(len(preambles)+i, n.c); err != nil {
			return err
		}
		for _, mo := range n.c.Months {
			if e := m.by[mo]; e != nil {
				plan.warnings = append(plan.warnings, planWarning{n.key, fmt.Sprintf(
					"its file left the month %s to the bibliography style, but another entry's file redefines it, and the export must too: this entry reads that definition", mo)})
			}
		}
	}
	// The head holds the hoisted definitions and the preambles, in the order they were imported
	// (each one's definitions come before it), each preamble after the definitions that could
	// not go to the top for it.
	type headItem struct {
		order int64 // orderKey
		texts []string
	}
	var head []headItem
	for _, n := range preambles {
		head = append(head, headItem{order: n.order})
	}
	for _, e := range m.emitted {
		switch {
		case e.hoisted:
			head = append(head, headItem{order: e.def.order, texts: []string{e.text()}})
		case e.at < len(preambles):
			head[e.at].texts = append(head[e.at].texts, e.text())
		default:
			id := entries[e.at-len(preambles)].id
			plan.before[id] = append(plan.before[id], e.text())
		}
	}
	for i := range preambles {
		head[i].texts = append(head[i].texts, texts[i])
	}
	slices.SortStableFunc(head, func(a, b headItem) int { return cmp.Compare(a.order, b.order) })
	for _, e := range m.legacy {
		plan.head = append(plan.head, e.text())
	}
	for _, h := range head {
		plan.head = append(plan.head, h.texts...)
	}
	return nil
}

// inlineMacros writes each field of e that uses one of the macros names as its value, in braces,
// which BibTeX reads as the value the macros gave.
func inlineMacros(e *bib.Entry, names []string) {
	for i := range e.Fields {
		f := &e.Fields[i]
		for _, n := range bib.MacroNames(f.Raw) {
			if slices.Contains(names, n) {
				f.Raw = "{" + f.Value + "}"
				e.Source, e.Standalone = "", false
				break
			}
		}
	}
}

// setExported is e.Set for a field an export adds (keywords from tags, annote from the note):
// like any edit, it changes only that field's text in the entry's source, so that tagging an
// entry shows as one line in a kept .bib. An entry that cannot take the value is left as it was.
func setExported(e *bib.Entry, name, value string) error {
	c := e.Clone()
	if err := c.Set(name, value); err != nil {
		return err
	}
	*e = *c
	return nil
}

// biberReading returns a broken entry as biber reads its text, for the BibLaTeX format, when
// biber reads it whole where bibtex stops (at a % comment inside it): the fields bibtex read,
// and more, naming no macro those do not. Otherwise nil.
func biberReading(e *bib.Entry, d bib.Dialect) *bib.Entry {
	if d != bib.BibLaTeX {
		return nil
	}
	f := bib.ParseBiber("", []byte(e.Source))
	entries := f.Entries()
	if len(entries) != 1 || entries[0].Broken || entries[0].Key != e.Key || len(f.Errors()) > 0 {
		return nil
	}
	b := entries[0]
	if len(b.Fields) <= len(e.Fields) {
		return nil
	}
	for i, f := range e.Fields {
		if b.Fields[i].Name != f.Name || b.Fields[i].Raw != f.Raw {
			return nil // not the fields bibtex read, and then more
		}
	}
	known := map[string]bool{}
	for _, m := range e.MacroNames() {
		known[strings.ToLower(m)] = true
	}
	for _, m := range b.MacroNames() {
		if !known[strings.ToLower(m)] {
			return nil
		}
	}
	return b
}

// entryTagLists returns each tagged entry's tags, separated by U+001F, by entry id.
func entryTagLists(ctx context.Context, tx *sql.Tx) (map[int64]string, error) {
	return tagLists(ctx, tx, "")
}

// tagLists returns the tags of the tagged entries that where (a condition on et.entry_id, with
// args; all when "") selects, separated by U+001F, by entry id.
func tagLists(ctx context.Context, tx *sql.Tx, where string, args ...any) (map[int64]string, error) {
	if where != "" {
		where = "WHERE " + where
	}
	// Each entry's tags in the library's order: in a library of one's own, the order of the
	// tags' ids, in which the join reads them (the entry_tags key); in a replica, the server's.
	query := `SELECT et.entry_id, group_concat(t.name, char(31))
		FROM entry_tags et JOIN tags t ON t.id = et.tag_id ` + where + ` GROUP BY et.entry_id`
	replica, err := isReplica(ctx, tx)
	if err != nil {
		return nil, err
	}
	if replica {
		query = `SELECT et.entry_id, group_concat(t.name, char(31) ORDER BY ` + orderKey("t.") + `)
			FROM entry_tags et JOIN tags t ON t.id = et.tag_id ` + where + ` GROUP BY et.entry_id`
	}
	rows, err := tx.QueryContext(ctx, query, args...)
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

// exportAs is Export in another format than BibTeX (ExportOptions.Format).
func (l *Library) exportAs(ctx context.Context, w io.Writer, opts ExportOptions) (int, error) {
	format := opts.Format
	opts.Format, opts.WriteOptions = formats.BibTeX, bib.WriteOptions{}
	var buf bytes.Buffer
	if _, err := l.Export(ctx, &buf, opts); err != nil {
		return 0, err
	}
	entries := bib.Parse("export", buf.Bytes()).Entries()
	if err := formats.Write(w, format, entries); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	return len(entries), nil
}
