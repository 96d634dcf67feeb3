package storage

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bibshelf/bibshelf/bib"
)

// Report says what an import did with each entry of a file.
type Report struct {
	File       string
	Imported   int
	Duplicates int // skipped: the same key, or (with SkipDuplicates) the same paper, is already there
	Merged     int // merged into the entry already there (MergeDuplicates)
	Rejected   int // items that could not be parsed; each has a Problem
	// KeysGiven lists the keys made for entries that came without one.
	KeysGiven []string
	// Problems lists every rejection and warning with its file, line and entry key.
	Problems []bib.Problem
}

// Add adds another file's report to r.
func (r *Report) Add(o Report) {
	r.Imported += o.Imported
	r.Duplicates += o.Duplicates
	r.Rejected += o.Rejected
	r.Merged += o.Merged
	r.Problems = append(r.Problems, o.Problems...)
	r.KeysGiven = append(r.KeysGiven, o.KeysGiven...)
}

// storedField is the JSON form of a bib.Field in the entries.fields column.
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
	// key of one in the library is always skipped.
	Duplicates DuplicatePolicy
	// KeywordSeparators splits an entry's keywords field into tags: any of these characters
	// separates two keywords (",;" when empty). The field itself stays as written.
	KeywordSeparators string
	// NoKeywordTags leaves keywords fields alone: no tags are made from them.
	NoKeywordTags bool
	// Progress, when set, is called as the import goes, with the number of items done and the
	// total, from the importing goroutine.
	Progress func(done, total int)
}

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
// statement at its end instead of one by one (see migration 0004).
const bulkThreshold = 500

// progressEvery is how many items an import handles between two calls of its Progress.
const progressEvery = 1000

// Import adds a parsed file's entries and @string/@preamble/@comment items to the library, in
// one transaction: all of the file or none of it; cancelling ctx rolls it back. An entry whose key (case-insensitively) is
// already in the library, or earlier in the file, is skipped as a duplicate. An entry without a
// key gets one from the default key pattern.
func (l *Library) Import(ctx context.Context, f *bib.File) (Report, error) {
	return l.ImportWith(ctx, f, ImportOptions{})
}

// ImportWith is Import with options.
func (l *Library) ImportWith(ctx context.Context, f *bib.File, opts ImportOptions) (Report, error) {
	if opts.KeyPattern == "" {
		opts.KeyPattern = bib.PatternJabRef
	}
	pattern, err := bib.ParsePattern(opts.KeyPattern)
	if err != nil {
		return Report{}, fmt.Errorf("import %s: %w", f.Name, err)
	}
	rep := Report{File: f.Name, Problems: append([]bib.Problem(nil), f.Problems...)}
	rep.Rejected = len(f.Errors())
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return Report{}, fmt.Errorf("import %s: %w", f.Name, err)
	}
	defer tx.Rollback()
	insEntry, err := tx.PrepareContext(ctx, `INSERT INTO entries
		(key, type, fields, source, title, authors, first_author, year, venue, abstract, keywords, origin, created, modified, `+identityColumnList+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`)
	if err != nil {
		return Report{}, fmt.Errorf("import %s: %w", f.Name, err)
	}
	defer insEntry.Close()
	dups, err := newDupFinder(ctx, tx)
	if err != nil {
		return Report{}, fmt.Errorf("import %s: %w", f.Name, err)
	}
	defer dups.close()
	var tagger *keywordTagger
	if !opts.NoKeywordTags {
		if tagger, err = newKeywordTagger(ctx, tx, opts.KeywordSeparators); err != nil {
			return Report{}, fmt.Errorf("import %s: %w", f.Name, err)
		}
		defer tagger.link.Close()
	}
	// Merging rewrites the index rows of entries the import may have added itself, so it needs
	// the index kept up to date row by row.
	bulk := len(f.Entries()) >= bulkThreshold && opts.Duplicates != MergeDuplicates
	if bulk {
		if _, err := tx.ExecContext(ctx, `INSERT INTO bulk_import (since_id) SELECT coalesce(max(id), 0) FROM entries`); err != nil {
			return Report{}, fmt.Errorf("import %s: %w", f.Name, err)
		}
	}
	now := time.Now().UnixMilli()
	for i, it := range f.Items {
		if err := ctx.Err(); err != nil {
			return Report{}, fmt.Errorf("import %s: %w", f.Name, err)
		}
		if opts.Progress != nil && i%progressEvery == 0 {
			opts.Progress(i, len(f.Items))
		}
		origin := fmt.Sprintf("%s:%d", f.Name, it.Line)
		switch it.Kind {
		case bib.KindString, bib.KindPreamble, bib.KindComment:
			if err := addItem(ctx, tx, it, origin); err != nil {
				return Report{}, fmt.Errorf("import %s: %w", f.Name, err)
			}
		case bib.KindEntry:
			e := it.Entry
			if e.Key == "" {
				if e, err = withNewKey(ctx, tx, e, pattern); err != nil {
					return Report{}, fmt.Errorf("import %s: %w", f.Name, err)
				}
				rep.KeysGiven = append(rep.KeysGiven, e.Key)
				rep.Problems = append(rep.Problems, bib.Problem{File: f.Name, Line: e.Line, Col: 1, Key: e.Key,
					Severity: bib.Warning, Msg: "entry had no key: it was given one"})
			}
			ident := Identity(e)
			existing, reason, err := dups.find(ctx, e.Key, ident)
			if err != nil {
				return Report{}, fmt.Errorf("import %s: %w", f.Name, err)
			}
			if existing != "" && opts.Duplicates == SkipDuplicates {
				rep.Duplicates++
				rep.Problems = append(rep.Problems, bib.Problem{File: f.Name, Line: e.Line, Col: 1, Key: e.Key,
					Severity: bib.Warning, Msg: fmt.Sprintf("the library has this paper as %q (%s): skipped", existing, reason)})
				continue
			}
			row, err := entryRow(e)
			if err != nil {
				return Report{}, fmt.Errorf("import %s: entry %q: %w", f.Name, e.Key, err)
			}
			args := append([]any{e.Key, e.Type}, row...)
			args = append(args, origin, now, now)
			res, err := insEntry.ExecContext(ctx, append(args, identValues(ident)...)...)
			if err != nil {
				return Report{}, fmt.Errorf("import %s: entry %q: %w", f.Name, e.Key, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				rep.Duplicates++
				rep.Problems = append(rep.Problems, bib.Problem{File: f.Name, Line: e.Line, Col: 1, Key: e.Key,
					Severity: bib.Warning, Msg: "duplicate key: an entry with this key is already in the library; skipped"})
				continue
			}
			if tagger != nil {
				id, err := res.LastInsertId()
				if err == nil {
					err = tagger.tag(ctx, tx, id, e, &rep, f.Name)
				}
				if err != nil {
					return Report{}, fmt.Errorf("import %s: %w", f.Name, err)
				}
			}
			switch {
			case existing != "" && opts.Duplicates == MergeDuplicates:
				if err := merge(ctx, tx, existing, []string{e.Key}); err != nil {
					return Report{}, fmt.Errorf("import %s: %w", f.Name, err)
				}
				rep.Merged++
				rep.Problems = append(rep.Problems, bib.Problem{File: f.Name, Line: e.Line, Col: 1, Key: e.Key,
					Severity: bib.Warning, Msg: fmt.Sprintf("the library has this paper as %q (%s): merged into it", existing, reason)})
				continue
			case existing != "":
				rep.Problems = append(rep.Problems, bib.Problem{File: f.Name, Line: e.Line, Col: 1, Key: e.Key,
					Severity: bib.Warning, Msg: fmt.Sprintf("the library may have this paper as %q (%s): imported", existing, reason)})
			}
			rep.Imported++
		}
	}
	if bulk {
		if _, err := tx.ExecContext(ctx, `INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
			SELECT id, key, title, authors, venue, abstract, keywords, notes FROM entries_search
			WHERE id > (SELECT since_id FROM bulk_import)`); err != nil {
			return Report{}, fmt.Errorf("import %s: index for search: %w", f.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM bulk_import`); err != nil {
			return Report{}, fmt.Errorf("import %s: %w", f.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return Report{}, fmt.Errorf("import %s: %w", f.Name, err)
	}
	if opts.Progress != nil {
		opts.Progress(len(f.Items), len(f.Items))
	}
	return rep, nil
}

// keywordTagger gives just-inserted entries a tag for each of their keywords, with the tag ids
// it has seen and its statement kept from entry to entry.
type keywordTagger struct {
	seps string
	ids  map[string]int64 // by lower-case tag name
	link *sql.Stmt
}

func newKeywordTagger(ctx context.Context, tx *sql.Tx, seps string) (*keywordTagger, error) {
	if seps == "" {
		seps = ",;"
	}
	link, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO entry_tags (tag_id, entry_id) VALUES (?, ?)`)
	if err != nil {
		return nil, err
	}
	return &keywordTagger{seps: seps, ids: map[string]int64{}, link: link}, nil
}

// tag gives the entry with the given id its keywords as tags. A keyword that cannot be a tag (one
// with an empty part between slashes, say) is reported and stays in the field only.
func (k *keywordTagger) tag(ctx context.Context, tx *sql.Tx, id int64, e *bib.Entry, rep *Report, file string) error {
	kw := e.Get("keywords")
	if kw == "" {
		return nil
	}
	for _, word := range strings.FieldsFunc(bib.Plain(kw), func(r rune) bool { return strings.ContainsRune(k.seps, r) }) {
		name, err := cleanTag(word)
		if strings.TrimSpace(word) == "" {
			continue
		}
		if err != nil {
			rep.Problems = append(rep.Problems, bib.Problem{File: file, Line: e.Line, Col: 1, Key: e.Key,
				Severity: bib.Warning, Msg: fmt.Sprintf("keyword %q is not made a tag: %v", strings.TrimSpace(word), err)})
			continue
		}
		tid, ok := k.ids[strings.ToLower(name)]
		if !ok {
			if _, err := addTag(ctx, tx, name, []int64{id}); err != nil {
				return err
			}
			if tid, err = tagID(ctx, tx, name); err != nil {
				return err
			}
			k.ids[strings.ToLower(name)] = tid
			continue
		}
		if _, err := k.link.ExecContext(ctx, tid, id); err != nil {
			return fmt.Errorf("tag %q: %w", e.Key, err)
		}
	}
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
	for _, k := range strings.FieldsFunc(keywords, func(r rune) bool { return r == ',' || r == ';' }) {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
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

// addItem stores an @string, @preamble or @comment unless the very same text is already there.
func addItem(ctx context.Context, tx *sql.Tx, it bib.Item, origin string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM items WHERE source = ?`, it.Raw).Scan(&n); err != nil || n > 0 {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO items (kind, name, source, origin) VALUES (?, ?, ?, ?)`,
		it.Kind.String(), it.Name, it.Raw, origin)
	return err
}

// entryRow returns the values of an entry's columns from fields to keywords.
func entryRow(e *bib.Entry) ([]any, error) {
	fs := make([]storedField, len(e.Fields))
	for i, f := range e.Fields {
		fs[i] = storedField{Name: f.Name, Raw: f.Raw, Value: f.Value, Duplicate: f.Duplicate}
	}
	js, err := json.Marshal(fs)
	if err != nil {
		return nil, err
	}
	venue := e.Get("journal")
	for _, name := range []string{"journaltitle", "booktitle", "publisher", "howpublished", "school", "institution"} {
		if venue != "" {
			break
		}
		venue = e.Get(name)
	}
	year := e.Get("year")
	if year == "" && len(e.Get("date")) >= 4 {
		year = e.Get("date")[:4]
	}
	return []any{string(js), e.Source, bib.Plain(e.Get("title")), bib.Authors(e), bib.FirstAuthor(e),
		year, bib.Plain(venue), bib.Plain(e.Get("abstract")), bib.Plain(e.Get("keywords"))}, nil
}

// Row is an entry as the list and the search command show it.
type Row struct {
	Key, Type, Title, Authors, FirstAuthor, Year, Venue string
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
	err := l.db.QueryRowContext(ctx, `SELECT key, type, fields, source FROM entries WHERE key = ?`, key).
		Scan(&e.Key, &e.Type, &fields, &e.Source)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%q: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get entry %q: %w", key, err)
	}
	if err := decodeFields(&e, fields); err != nil {
		return nil, fmt.Errorf("get entry %q: %w", key, err)
	}
	return &e, nil
}

func decodeFields(e *bib.Entry, js string) error {
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

// ExportOptions says what Export writes, and how.
type ExportOptions struct {
	// Query keeps only the entries matching this search (tag:x and in:"collection" select a tag
	// or a collection); all when empty.
	Query string
	// Keys, when set, keeps only the entries with these keys (case-insensitive).
	Keys []string
	// ByKey orders the entries by key instead of the order they came into the library.
	ByKey bool
	// Notes writes each entry's note into its annote field (replacing one it has), for styles
	// that print annotations. Entries with a note are then written in the canonical form.
	Notes bool
	// NoKeywordTags leaves keywords fields as they are. Otherwise an entry with a tag its keywords
	// field does not name gets the tag added there, and is written in the canonical form.
	// Keywords are never taken out: a keyword whose tag was removed stays in the field.
	NoKeywordTags bool
	bib.WriteOptions
	// Warn, when set, is told of each entry that could not be written exactly as asked, such as
	// characters ASCII output cannot express.
	Warn func(key, msg string)
}

// Export writes the library's @preamble and @string items, then its entries in import order,
// leaving out those in the trash.
// Entries not edited since import come back byte for byte, unless BibLaTeX output changes them.
// It returns the number of entries written.
func (l *Library) Export(ctx context.Context, w io.Writer, opts ExportOptions) (int, error) {
	tx, err := l.rdb.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback()
	buf := bufio.NewWriterSize(w, 256<<10)
	bw := bib.NewWriter(buf)
	items, err := tx.QueryContext(ctx, `SELECT source FROM items WHERE kind IN ('preamble', 'string') ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	for items.Next() {
		var src string
		if err := items.Scan(&src); err != nil {
			items.Close()
			return 0, fmt.Errorf("export: %w", err)
		}
		if err := bw.Raw(src); err != nil {
			items.Close()
			return 0, fmt.Errorf("export: %w", err)
		}
	}
	items.Close()
	if err := items.Err(); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	from, where, args := compileQuery(opts.Query).sql()
	if len(opts.Keys) > 0 {
		// json_each takes the list as one parameter, however long it is.
		keys, err := json.Marshal(opts.Keys)
		if err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
		where += ` AND e.key IN (SELECT value FROM json_each(?))`
		args = append(args, string(keys))
	}
	order := "e.id"
	if opts.ByKey {
		order = "e.key COLLATE NOCASE, e.id"
	}
	// An entry written as it was imported needs only its source: its fields are read only for
	// entries that were edited, or when the options change what is written.
	asWritten := opts.WriteOptions == (bib.WriteOptions{}) && !opts.Notes
	fieldsCol := "e.fields"
	if asWritten {
		fieldsCol = "CASE WHEN e.source = '' THEN e.fields ELSE '' END"
	}
	noteCol := "''"
	if opts.Notes {
		noteCol = "coalesce((SELECT body FROM notes WHERE entry_id = e.id), '')"
	}
	var tagsOf map[int64]string
	if !opts.NoKeywordTags {
		if tagsOf, err = entryTagLists(ctx, tx); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.key, e.type, `+fieldsCol+`, e.source, `+noteCol+`, e.keywords
		FROM `+from+` WHERE `+where+` ORDER BY `+order, args...)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var e bib.Entry
		var fields string
		var id int64
		var note, keywords string
		if err := rows.Scan(&id, &e.Key, &e.Type, &fields, &e.Source, &note, &keywords); err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		newKeywords, retag := keywordsFor(keywords, tagsOf[id])
		if retag && fields == "" {
			if err := tx.QueryRowContext(ctx, `SELECT fields FROM entries WHERE key = ?`, e.Key).Scan(&fields); err != nil {
				return n, fmt.Errorf("export %q: %w", e.Key, err)
			}
		}
		if !asWritten || e.Source == "" || retag {
			if err := decodeFields(&e, fields); err != nil {
				return n, fmt.Errorf("export %q: %w", e.Key, err)
			}
		}
		if retag {
			if err := e.Set("keywords", newKeywords); err != nil && opts.Warn != nil {
				opts.Warn(e.Key, "tags not written as keywords: "+err.Error())
			}
		}
		if note = strings.TrimSpace(note); note != "" {
			if err := e.Set("annote", note); err != nil && opts.Warn != nil {
				opts.Warn(e.Key, "note not written as annote: "+err.Error())
			}
		}
		out, left := bib.Prepare(&e, opts.WriteOptions)
		if len(left) > 0 && opts.Warn != nil {
			opts.Warn(e.Key, fmt.Sprintf("no LaTeX form for %q: written as it is", string(left)))
		}
		if err := bw.Entry(out); err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	if err := bw.Close(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, buf.Flush()
}
