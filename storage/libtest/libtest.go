// Package libtest compares two libraries as their users see them: what every kind of export
// writes, byte for byte, and what they organise entries with. It is for tests only (of copies
// of a library: a replica, a shared library and back); nothing else may import it.
package libtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-cmp/cmp"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/formats"
	"github.com/bibshelf/bibshelf/storage"
)

// Exports are the exports Diff compares: each dialect, as written and reformatted, in the
// library's order and by key; ASCII, notes and without the tags in keywords; RIS and CSL-JSON.
func Exports() map[string]storage.ExportOptions {
	out := map[string]storage.ExportOptions{}
	for _, d := range []bib.Dialect{bib.AsWritten, bib.BibTeX, bib.BibLaTeX} {
		for _, reformat := range []bool{false, true} {
			for _, byKey := range []bool{false, true} {
				name := fmt.Sprintf("%v reformat=%v by-key=%v", d, reformat, byKey)
				out[name] = storage.ExportOptions{ByKey: byKey, WriteOptions: bib.WriteOptions{Dialect: d, Reformat: reformat}}
			}
		}
	}
	out["ascii"] = storage.ExportOptions{WriteOptions: bib.WriteOptions{ASCII: true}}
	out["notes"] = storage.ExportOptions{Notes: true}
	out["no keyword tags"] = storage.ExportOptions{NoKeywordTags: true}
	out["RIS"] = storage.ExportOptions{Format: formats.RIS}
	out["CSL-JSON by key"] = storage.ExportOptions{Format: formats.CSLJSON, ByKey: true}
	return out
}

// Diff returns how the library got differs from want, one line a difference (nil when they are
// the same): each of Exports, byte for byte; the entries in the trash; the tags, collections
// and saved searches (their collection by path, since ids are the library's own); each entry's
// tags, collections, note, flags and attachments (by path relative to the library's
// attachments folder); and what a few searches find.
func Diff(ctx context.Context, want, got *storage.Library) ([]string, error) {
	return diff(ctx, want, got, false)
}

// DiffByKey is Diff without the orders that follow the order in which rows came into a
// library: for two libraries whose rows came in another order, such as a replica with rows
// not sent yet (they come after the server's) and the server's. Two replicas that have synced
// everything are in the server's order, which Diff compares. The
// entries are in the order of their keys in every export and search, exports leave out the
// tags from keywords (whose order is the tags'), and collections and an entry's tags and
// collections are compared in the order of their names.
func DiffByKey(ctx context.Context, want, got *storage.Library) ([]string, error) {
	return diff(ctx, want, got, true)
}

func diff(ctx context.Context, want, got *storage.Library, byKey bool) ([]string, error) {
	var diffs []string
	add := func(what string, w, g any) {
		if d := cmp.Diff(w, g); d != "" {
			diffs = append(diffs, fmt.Sprintf("%s (-want +got):\n%s", what, d))
		}
	}
	exports := Exports()
	names := make([]string, 0, len(exports))
	for name := range exports {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if byKey {
			opts := exports[name]
			opts.ByKey, opts.NoKeywordTags = true, true
			exports[name] = opts
		}
		var w, g bytes.Buffer
		if _, err := want.Export(ctx, &w, exports[name]); err != nil {
			return nil, fmt.Errorf("export %s: %w", name, err)
		}
		if _, err := got.Export(ctx, &g, exports[name]); err != nil {
			return nil, fmt.Errorf("export %s: %w", name, err)
		}
		if !bytes.Equal(w.Bytes(), g.Bytes()) {
			diffs = append(diffs, fmt.Sprintf("export %s differs: %s", name, firstDifference(w.String(), g.String())))
		}
	}
	lw, err := look(ctx, want, byKey)
	if err != nil {
		return nil, err
	}
	lg, err := look(ctx, got, byKey)
	if err != nil {
		return nil, err
	}
	add("tags", lw.tags, lg.tags)
	add("collections", lw.collections, lg.collections)
	add("saved searches", lw.searches, lg.searches)
	add("trash", lw.trash, lg.trash)
	add("entries", lw.entries, lg.entries)
	add("searches", lw.found, lg.found)
	return diffs, nil
}

// firstDifference shows where two texts start to differ.
func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("at byte %d (lengths %d and %d):\nwant …%q…\ngot  …%q…", i, len(a), len(b), a[from:min(len(a), i+80)], b[from:min(len(b), i+80)])
}

// view is what Diff compares of one library besides its exports.
type view struct {
	tags        []storage.Tag
	collections []collection
	searches    []savedSearch
	trash       []string
	entries     map[string]entry
	found       map[string][]string
}

type collection struct {
	Path  []string
	Count int
}

type savedSearch struct {
	Name, Query string
	Filter      storage.Filter // without its collection
	Collection  []string       // the path of the filter's collection
}

type entry struct {
	Tags        []string
	Collections [][]string
	Note        string
	Flags       storage.Flags
	Attachments []attachment
}

// attachment is an attached file; whether it is missing depends on the computer's files.
type attachment struct {
	Path  string // relative to the attachments folder when inside it
	Added int64
}

// searches are the queries whose results Diff compares.
var searches = []string{"the", "learning", "is:starred", "has:note", "year:2019..2021", "-the"}

func look(ctx context.Context, l *storage.Library, byKey bool) (view, error) {
	var v view
	var err error
	if v.tags, err = l.Tags(ctx); err != nil {
		return v, err
	}
	cs, err := l.Collections(ctx)
	if err != nil {
		return v, err
	}
	paths := map[int64][]string{}
	for _, c := range cs {
		paths[c.ID] = c.Path
		v.collections = append(v.collections, collection{Path: c.Path, Count: c.Count})
	}
	ss, err := l.SavedSearches(ctx)
	if err != nil {
		return v, err
	}
	for _, s := range ss {
		w := savedSearch{Name: s.Name, Query: s.Query, Filter: s.Filter}
		if s.Filter.Collection != 0 {
			w.Collection = paths[s.Filter.Collection] // nil: one that no longer exists
			if w.Collection == nil {
				w.Collection = []string{"(none)"}
			}
			// What a replica's filter waits for is its own (the collection it names on the
			// server): users see which collection it selects, none while it waits.
			w.Filter.Collection, w.Filter.Waiting = 0, storage.GlobalID{}
		}
		v.searches = append(v.searches, w)
	}
	trashed, err := l.Trashed(ctx, 0, 1<<30)
	if err != nil {
		return v, err
	}
	keys := []string{}
	for _, r := range trashed {
		v.trash = append(v.trash, r.Key)
		keys = append(keys, r.Key)
	}
	if err := l.EachEntry(ctx, storage.Filter{}, "", func(e *bib.Entry) error {
		keys = append(keys, e.Key)
		return nil
	}); err != nil {
		return v, err
	}
	folder, err := l.AttachmentsFolder(ctx)
	if err != nil {
		return v, err
	}
	attachments := folder.Path + string(filepath.Separator)
	v.entries = map[string]entry{}
	for _, key := range keys {
		var e entry
		if e.Tags, err = l.EntryTags(ctx, key); err != nil {
			return v, err
		}
		in, err := l.EntryCollections(ctx, key)
		if err != nil {
			return v, err
		}
		for _, c := range in {
			e.Collections = append(e.Collections, c.Path)
		}
		if e.Note, err = l.Note(ctx, key); err != nil {
			return v, err
		}
		if e.Flags, err = l.EntryFlags(ctx, key); err != nil {
			return v, err
		}
		as, err := l.Attachments(ctx, key)
		if err != nil {
			return v, err
		}
		for _, a := range as {
			e.Attachments = append(e.Attachments, attachment{Path: strings.TrimPrefix(a.Path, attachments), Added: a.Added.UnixMilli()})
		}
		v.entries[key] = e
	}
	// What imports and new replicas leave to be indexed, as the window and the command line do
	// before a search.
	if err := l.IndexPending(ctx); err != nil {
		return v, err
	}
	v.found = map[string][]string{}
	for _, q := range searches {
		rows, err := l.SearchWith(ctx, storage.SearchOptions{Query: q, Limit: 1 << 30})
		if err != nil {
			return v, fmt.Errorf("search %q: %w", q, err)
		}
		for _, r := range rows {
			v.found[q] = append(v.found[q], r.Key)
		}
		if byKey {
			slices.Sort(v.found[q])
		}
	}
	if byKey {
		slices.SortFunc(v.collections, func(a, b collection) int { return slices.Compare(a.Path, b.Path) })
		for key, e := range v.entries {
			slices.Sort(e.Tags)
			slices.SortFunc(e.Collections, slices.Compare)
			v.entries[key] = e
		}
	}
	return v, nil
}

// Replicate makes the new library to the replica r of the library from, through the rows a
// shared library keeps (ReadShared, LoadReplica), as a copy to a server and a first sync from
// it would, without the server.
func Replicate(ctx context.Context, from, to *storage.Library, r storage.Replica) error {
	return from.ReadShared(ctx, func(s *storage.SharedSnapshot) error {
		return to.LoadReplica(ctx, r, func(ld *storage.ReplicaLoad) error {
			if err := each(s.Sources(), ld.AddSource); err != nil {
				return err
			}
			if err := each(s.Items(), ld.AddItem); err != nil {
				return err
			}
			if err := each(s.Tags(), ld.AddTag); err != nil {
				return err
			}
			var cs []storage.SharedCollection
			if err := each(s.Collections(), func(c storage.SharedCollection) error { cs = append(cs, c); return nil }); err != nil {
				return err
			}
			if err := ld.AddCollections(cs); err != nil {
				return err
			}
			if err := each(s.SavedSearches(), ld.AddSavedSearch); err != nil {
				return err
			}
			if err := each(s.Entries(), func(e storage.SharedEntry) error { return ld.AddEntry(&e) }); err != nil {
				return err
			}
			if err := each(s.Marks(), ld.SetMarks); err != nil {
				return err
			}
			if err := each(s.Notes(), ld.AddNote); err != nil {
				return err
			}
			if err := each(s.EntryTags(), ld.AddEntryTag); err != nil {
				return err
			}
			if err := each(s.Memberships(), ld.AddMembership); err != nil {
				return err
			}
			if err := each(s.Attachments(), ld.AddAttachment); err != nil {
				return err
			}
			return each(s.NotDuplicates(), ld.AddNotDuplicate)
		})
	})
}

func each[T any](seq iter.Seq2[T, error], fn func(T) error) error {
	for v, err := range seq {
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// Macros is a .bib file whose entries read through @string macros, one of them defined twice,
// with a preamble and a comment: what a library keeps as items and reading contexts.
const Macros = `@preamble{"\newcommand{\noopsort}[1]{}"}
@string{jgr = "Journal of Geophysical Research"}
@string{ieee = "IEEE"}
@comment{kept as it is}
@article{macro1, author = "A. Author", title = "One", journal = jgr, year = 2001, month = jan}
@string{jgr = "J. Geophys. Res."}
@article{macro2, author = "B. Author", title = "Two", journal = jgr # " (Letters)", publisher = ieee,
  year = 2002, note = undefinedmacro}
`

// Organise gives the library, which must hold at least ten entries, something of everything
// users organise entries with: tags (a child tag, a colour), nested collections (one moved
// under a later one), saved searches (one whose collection was deleted since), notes, flags, an
// entry in the trash, an edited entry, attachments inside the attachments folder and outside
// it, and two entries marked as not duplicates.
func Organise(ctx context.Context, l *storage.Library) error {
	var keys []string
	if err := l.EachEntry(ctx, storage.Filter{}, "", func(e *bib.Entry) error {
		keys = append(keys, e.Key)
		return nil
	}); err != nil {
		return err
	}
	if len(keys) < 10 {
		return fmt.Errorf("organise: %d entries, want 10 or more", len(keys))
	}
	steps := []func() error{
		func() error { _, err := l.AddTags(ctx, keys[0:3], "ml"); return err },
		func() error { _, err := l.AddTags(ctx, keys[2:5], "ml/graphs", "reading"); return err },
		func() error { return l.SetTagColour(ctx, "ml", "#ff0000") },
		func() error { return l.SetNote(ctx, keys[0], "# Why\n\nSome *Markdown*, and a word: zebra.") },
		func() error { return l.SetNote(ctx, keys[4], "another note") },
		func() error { _, err := l.SetRead(ctx, true, keys[0:3]...); return err },
		func() error { _, err := l.SetStarred(ctx, true, keys[1], keys[5]); return err },
		func() error { _, err := l.SetRating(ctx, keys[2], 4); return err },
		func() error { _, err := l.Trash(ctx, keys[6]); return err },
		func() error { return l.MarkNotDuplicate(ctx, keys[8], keys[7]) },
		func() error {
			e, err := l.Entry(ctx, keys[9])
			if err == nil {
				err = e.Set("note", "edited {after} the import")
			}
			if err == nil {
				err = l.UpdateEntry(ctx, keys[9], e)
			}
			return err
		},
		func() error {
			thesis, err := l.CreateCollection(ctx, nil, "Thesis")
			if err != nil {
				return err
			}
			ch1, err := l.CreateCollection(ctx, []string{"Thesis"}, "Chapter 1")
			if err != nil {
				return err
			}
			later, err := l.CreateCollection(ctx, nil, "Later")
			if err != nil {
				return err
			}
			if err := l.MoveCollection(ctx, thesis.ID, later.ID); err != nil {
				return err
			}
			gone, err := l.CreateCollection(ctx, nil, "Gone")
			if err != nil {
				return err
			}
			if _, err := l.AddToCollection(ctx, ch1.ID, keys[0], keys[1], keys[6]); err != nil {
				return err
			}
			if _, err := l.AddToCollection(ctx, later.ID, keys[3]); err != nil {
				return err
			}
			for _, s := range []storage.SavedSearch{
				{Name: "thesis ml", Query: "learning", Filter: storage.Filter{Collection: thesis.ID, Tags: []string{"ml"}}},
				{Name: "starred", Filter: storage.Filter{Starred: true}},
				{Name: "gone", Query: "x", Filter: storage.Filter{Collection: gone.ID}},
			} {
				if err := l.SaveSearch(ctx, s); err != nil {
					return err
				}
			}
			return l.DeleteCollection(ctx, gone.ID)
		},
		func() error {
			folder, err := l.AttachmentsFolder(ctx)
			if err != nil {
				return err
			}
			dir := filepath.Join(folder.Path, "papers")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			inside, outside := filepath.Join(dir, "one.pdf"), filepath.Join(filepath.Dir(l.Path()), "outside.pdf")
			for _, p := range []string{inside, outside} {
				if err := os.WriteFile(p, []byte("%PDF-1.4\n"), 0o644); err != nil {
					return err
				}
			}
			if _, err := l.AddAttachment(ctx, keys[0], inside); err != nil {
				return err
			}
			_, err = l.AddAttachment(ctx, keys[1], outside)
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("organise: step %d: %w", i+1, err)
		}
	}
	return nil
}

// Pull gives the replica to, as changes of revision rev, every row of the library from and the
// deletion of every row to has that from has not, by global id, through Library.Pull: as a
// pull from a server that holds from would, without the server. Rows of from without a global
// id get new ones, another each time: from is best a replica, whose rows have theirs.
func Pull(ctx context.Context, from, to *storage.Library, rev int64) (storage.Pulled, error) {
	var want, have rows
	if err := from.ReadShared(ctx, want.read); err != nil {
		return storage.Pulled{}, err
	}
	if err := to.ReadShared(ctx, have.read); err != nil {
		return storage.Pulled{}, err
	}
	return to.Pull(ctx, rev, func(p *storage.ReplicaPull) error {
		for _, r := range want.sources {
			r.Rev = rev
			if err := p.PutSource(r, false); err != nil {
				return err
			}
		}
		for _, r := range want.items {
			r.Rev = rev
			if err := p.PutItem(r, false); err != nil {
				return err
			}
		}
		for _, r := range want.tags {
			r.Rev = rev
			if err := p.PutTag(r, false); err != nil {
				return err
			}
		}
		for _, r := range gone(have.tags, want.tags, func(r storage.SharedTag) storage.GlobalID { return r.ID }) {
			if err := p.PutTag(storage.SharedTag{ID: r.ID, Rev: rev}, true); err != nil {
				return err
			}
		}
		var cs []storage.PulledCollection
		for _, r := range want.collections {
			r.Rev = rev
			cs = append(cs, storage.PulledCollection{SharedCollection: r})
		}
		for _, r := range gone(have.collections, want.collections, func(r storage.SharedCollection) storage.GlobalID { return r.ID }) {
			cs = append(cs, storage.PulledCollection{SharedCollection: storage.SharedCollection{ID: r.ID, Rev: rev}, Deleted: true})
		}
		if err := p.PutCollections(cs); err != nil {
			return err
		}
		for _, r := range want.searches {
			r.Rev = rev
			if err := p.PutSavedSearch(r, false); err != nil {
				return err
			}
		}
		for _, r := range gone(have.searches, want.searches, func(r storage.SharedSavedSearch) storage.GlobalID { return r.ID }) {
			if err := p.PutSavedSearch(storage.SharedSavedSearch{ID: r.ID, Rev: rev}, true); err != nil {
				return err
			}
		}
		for _, r := range want.entries {
			r.Rev = rev
			if err := p.PutEntry(&r, false); err != nil {
				return err
			}
		}
		for _, r := range gone(have.entries, want.entries, func(r storage.SharedEntry) storage.GlobalID { return r.ID }) {
			if err := p.PutEntry(&storage.SharedEntry{ID: r.ID, Rev: rev}, true); err != nil {
				return err
			}
		}
		for _, r := range want.marks {
			r.Rev = rev
			if err := p.PutMarks(r); err != nil {
				return err
			}
		}
		for _, r := range gone(have.marks, want.marks, func(r storage.SharedMarks) storage.GlobalID { return r.Entry }) {
			if err := p.PutMarks(storage.SharedMarks{Entry: r.Entry, Rev: rev}); err != nil {
				return err
			}
		}
		for _, r := range want.notes {
			r.Rev = rev
			if err := p.PutNote(r, false); err != nil {
				return err
			}
		}
		for _, r := range gone(have.notes, want.notes, func(r storage.SharedNote) storage.GlobalID { return r.Entry }) {
			if err := p.PutNote(storage.SharedNote{Entry: r.Entry, Rev: rev}, true); err != nil {
				return err
			}
		}
		for _, r := range want.entryTags {
			if err := p.PutEntryTag(r, rev, false); err != nil {
				return err
			}
		}
		for _, r := range gone(have.entryTags, want.entryTags, func(r storage.SharedEntryTag) storage.SharedEntryTag { return r }) {
			if err := p.PutEntryTag(r, rev, true); err != nil {
				return err
			}
		}
		for _, r := range want.members {
			if err := p.PutMembership(r, rev, false); err != nil {
				return err
			}
		}
		for _, r := range gone(have.members, want.members, func(r storage.SharedMembership) storage.SharedMembership { return r }) {
			if err := p.PutMembership(r, rev, true); err != nil {
				return err
			}
		}
		for _, r := range want.attachments {
			r.Rev = rev
			if err := p.PutAttachment(r, false); err != nil {
				return err
			}
		}
		for _, r := range gone(have.attachments, want.attachments, func(r storage.SharedAttachment) storage.GlobalID { return r.ID }) {
			if err := p.PutAttachment(storage.SharedAttachment{ID: r.ID, Rev: rev}, true); err != nil {
				return err
			}
		}
		for _, r := range want.notDups {
			if err := p.PutNotDuplicate(r, rev, false); err != nil {
				return err
			}
		}
		for _, r := range gone(have.notDups, want.notDups, func(r storage.SharedNotDuplicate) storage.SharedNotDuplicate { return r }) {
			if err := p.PutNotDuplicate(r, rev, true); err != nil {
				return err
			}
		}
		// Sources and items last: what names them is gone by now.
		for _, r := range gone(have.items, want.items, func(r storage.SharedItem) storage.GlobalID { return r.ID }) {
			if err := p.PutItem(storage.SharedItem{ID: r.ID, Rev: rev}, true); err != nil {
				return err
			}
		}
		for _, r := range gone(have.sources, want.sources, func(r storage.SharedSource) storage.GlobalID { return r.ID }) {
			if err := p.PutSource(storage.SharedSource{ID: r.ID, Rev: rev}, true); err != nil {
				return err
			}
		}
		return nil
	})
}

// rows are the rows of a library's snapshot.
type rows struct {
	sources     []storage.SharedSource
	items       []storage.SharedItem
	tags        []storage.SharedTag
	collections []storage.SharedCollection
	searches    []storage.SharedSavedSearch
	entries     []storage.SharedEntry
	marks       []storage.SharedMarks
	notes       []storage.SharedNote
	entryTags   []storage.SharedEntryTag
	members     []storage.SharedMembership
	attachments []storage.SharedAttachment
	notDups     []storage.SharedNotDuplicate
}

func (r *rows) read(s *storage.SharedSnapshot) error {
	return errors.Join(
		collect(s.Sources(), &r.sources), collect(s.Items(), &r.items), collect(s.Tags(), &r.tags),
		collect(s.Collections(), &r.collections), collect(s.SavedSearches(), &r.searches), collect(s.Entries(), &r.entries),
		collect(s.Marks(), &r.marks), collect(s.Notes(), &r.notes), collect(s.EntryTags(), &r.entryTags),
		collect(s.Memberships(), &r.members), collect(s.Attachments(), &r.attachments), collect(s.NotDuplicates(), &r.notDups))
}

func collect[T any](seq iter.Seq2[T, error], out *[]T) error {
	return each(seq, func(v T) error { *out = append(*out, v); return nil })
}

// gone returns the rows of have whose key is not that of a row of want.
func gone[T any, K comparable](have, want []T, key func(T) K) []T {
	in := map[K]bool{}
	for _, r := range want {
		in[key(r)] = true
	}
	var out []T
	for _, r := range have {
		if !in[key(r)] {
			out = append(out, r)
		}
	}
	return out
}

// Change changes a library organised by Organise in every way users change one: an entry
// edited, notes written and deleted, tags added, removed, renamed and deleted, flags set, an
// entry deleted and one restored, a collection made, renamed and moved and its entries changed,
// saved searches made and deleted, attachments added and removed, a pair marked not duplicates
// and a file imported.
func Change(ctx context.Context, l *storage.Library) error {
	var keys []string
	if err := l.EachEntry(ctx, storage.Filter{}, "", func(e *bib.Entry) error {
		keys = append(keys, e.Key)
		return nil
	}); err != nil {
		return err
	}
	colls, err := l.Collections(ctx)
	if err != nil {
		return err
	}
	byName := map[string]storage.Collection{}
	for _, c := range colls {
		byName[c.Name] = c
	}
	dir := filepath.Dir(l.Path())
	pdf := filepath.Join(dir, "attachments", "new.pdf")
	if err := os.MkdirAll(filepath.Dir(pdf), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(pdf, []byte("%PDF"), 0o644); err != nil {
		return err
	}
	as, err := l.Attachments(ctx, keys[0])
	if err != nil || len(as) == 0 {
		return fmt.Errorf("change: attachments of %s: %v %v", keys[0], as, err)
	}
	steps := []func() error{
		func() error {
			e, err := l.Entry(ctx, keys[3])
			if err == nil {
				err = e.Set("title", "A {New} Title")
			}
			if err == nil {
				err = l.UpdateEntry(ctx, keys[3], e)
			}
			return err
		},
		func() error { return l.SetNote(ctx, keys[3], "new note") },
		func() error { return l.SetNote(ctx, keys[4], "") },
		func() error { _, err := l.AddTags(ctx, keys[10:14], "fresh/tag"); return err },
		func() error { _, err := l.RemoveTags(ctx, keys[0:1], "ml"); return err },
		func() error { return l.RenameTag(ctx, "reading", "to read") },
		func() error { return l.DeleteTag(ctx, "ml/graphs") },
		func() error { _, err := l.SetStarred(ctx, false, keys[1]); return err },
		func() error { _, err := l.SetRead(ctx, true, keys[12]); return err },
		func() error { _, err := l.SetRating(ctx, keys[13], 2); return err },
		func() error { _, err := l.Trash(ctx, keys[15]); return err },
		func() error { _, err := l.EmptyTrash(ctx); return err },
		func() error { _, err := l.Restore(ctx, keys[6]); return err },
		func() error {
			c, err := l.CreateCollection(ctx, []string{"Later", "Thesis"}, "Chapter 2")
			if err == nil {
				_, err = l.AddToCollection(ctx, c.ID, keys[20], keys[21])
			}
			return err
		},
		func() error { _, err := l.RemoveFromCollection(ctx, byName["Chapter 1"].ID, keys[1]); return err },
		func() error { return l.RenameCollection(ctx, byName["Later"].ID, "Much later") },
		func() error { return l.MoveCollection(ctx, byName["Thesis"].ID, 0) },
		func() error { return l.SaveSearch(ctx, storage.SavedSearch{Name: "new", Query: "title:new"}) },
		func() error { return l.DeleteSavedSearch(ctx, "starred") },
		func() error { _, err := l.AddAttachment(ctx, keys[5], pdf); return err },
		func() error { return l.RemoveAttachment(ctx, keys[0], as[0].ID) },
		func() error { return l.MarkNotDuplicate(ctx, keys[22], keys[23]) },
		func() error {
			_, err := l.Import(ctx, bib.Parse("more.bib", []byte(`@string{jgr = "Journal of Great Results"}
@article{more1, author = "C. Author", title = "Three", journal = jgr, year = 2003, keywords = {fresh}}
`)))
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("change: step %d: %w", i+1, err)
		}
	}
	return nil
}
