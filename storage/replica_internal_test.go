package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bibshelf/bibshelf/bib"
)

// replicaChanges returns the kinds of change a replica lists to send: rows, links and
// deletions, with their counts.
func replicaChanges(tb testing.TB, l *Library) (changed, links, deleted map[string]int) {
	tb.Helper()
	changed, links, deleted = map[string]int{}, map[string]int{}, map[string]int{}
	for table, m := range map[string]map[string]int{"replica_changes": changed, "replica_links": links, "replica_deleted": deleted} {
		rows, err := l.db.Query(`SELECT kind, count(*) FROM ` + table + ` GROUP BY kind`)
		if err != nil {
			tb.Fatal(err)
		}
		for rows.Next() {
			var kind string
			var n int
			if err := rows.Scan(&kind, &n); err != nil {
				tb.Fatal(err)
			}
			m[kind] = n
		}
		rows.Close()
	}
	return changed, links, deleted
}

// markSent makes a replica's rows as they are after a sync: every row has a global id and a server
// revision, and nothing is left to send.
func markSent(tb testing.TB, l *Library) {
	tb.Helper()
	for _, table := range []string{"sources", "items", "entries", "tags", "collections", "saved_searches", "attachments"} {
		if _, err := l.db.Exec(`UPDATE ` + table + ` SET gid = randomblob(16), srev = 1 WHERE gid IS NULL`); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := l.db.Exec(`UPDATE entries SET note_srev = 1 WHERE note_srev = 0 AND id IN (SELECT entry_id FROM notes)`); err != nil {
		tb.Fatal(err)
	}
	if _, err := l.db.Exec(`DELETE FROM replica_changes; DELETE FROM replica_links; DELETE FROM replica_deleted`); err != nil {
		tb.Fatal(err)
	}
}

// TestReplicaChanges: each change made to a replica is listed to be sent, by kind, and a
// deletion of a row the server has by its global id; a library of one's own lists nothing, nor
// does a replica while the server's changes are written into it.
func TestReplicaChanges(t *testing.T) {
	ctx := context.Background()
	own := mustOpen(t)
	replica := mustOpen(t)
	if err := replica.LoadReplica(ctx, Replica{Library: NewGlobalID(), Server: "postgres:///refs", Member: "me"},
		func(*ReplicaLoad) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for _, l := range []*Library{own, replica} {
		if _, err := l.Import(ctx, sample(t)); err != nil {
			t.Fatal(err)
		}
	}
	changed, links, _ := replicaChanges(t, replica)
	var entries, tagRows, entryTags int
	replica.db.QueryRow(`SELECT count(*) FROM entries`).Scan(&entries)
	replica.db.QueryRow(`SELECT count(*) FROM tags`).Scan(&tagRows)
	replica.db.QueryRow(`SELECT count(*) FROM entry_tags`).Scan(&entryTags)
	if d := cmp.Diff(map[string]int{"entry": entries, "tag": tagRows, "source": 1}, changed); d != "" {
		t.Errorf("an import's changes (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]int{"entry_tags": entryTags}, links); d != "" {
		t.Errorf("an import's links (-want +got):\n%s", d)
	}

	var keys []string
	rows, _ := replica.SearchWith(ctx, SearchOptions{Limit: 3})
	for _, r := range rows {
		keys = append(keys, r.Key)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "paper.pdf")
	if err := os.WriteFile(file, []byte("%PDF"), 0o644); err != nil {
		t.Fatal(err)
	}
	var coll Collection
	var tagsOf2 int
	replica.db.QueryRow(`SELECT count(*) FROM entry_tags WHERE entry_id = (SELECT id FROM entries WHERE key = ?)`, keys[2]).Scan(&tagsOf2)
	for _, tc := range []struct {
		name                    string
		do                      func(l *Library) error
		changed, links, deleted map[string]int
	}{
		{"note", func(l *Library) error { return l.SetNote(ctx, keys[0], "a note") }, map[string]int{"note": 1}, nil, nil},
		{"note deleted", func(l *Library) error { return l.SetNote(ctx, keys[0], "") }, nil, nil, map[string]int{"note": 1}},
		{"note made and deleted", func(l *Library) error {
			if err := l.SetNote(ctx, keys[1], "gone soon"); err != nil {
				return err
			}
			return l.SetNote(ctx, keys[1], "")
		}, nil, nil, nil}, // the server never had it
		{"new tag", func(l *Library) error { _, err := l.AddTags(ctx, keys[:2], "brand new"); return err },
			map[string]int{"tag": 1}, map[string]int{"entry_tags": 2}, nil},
		{"tag renamed", func(l *Library) error { return l.RenameTag(ctx, "brand new", "renamed") }, map[string]int{"tag": 1}, nil, nil},
		{"tag colour", func(l *Library) error { return l.SetTagColour(ctx, "renamed", "#00ff00") }, map[string]int{"tag": 1}, nil, nil},
		{"tag deleted", func(l *Library) error { return l.DeleteTag(ctx, "renamed") }, nil, map[string]int{"entry_tags": 2}, map[string]int{"tag": 1}},
		{"flags", func(l *Library) error {
			if _, err := l.SetStarred(ctx, true, keys...); err != nil {
				return err
			}
			_, err := l.SetRating(ctx, keys[0], 3)
			return err
		}, map[string]int{"marks": 3}, nil, nil},
		{"edit", func(l *Library) error {
			e, err := l.Entry(ctx, keys[1])
			if err == nil {
				err = e.Set("note", "edited")
			}
			if err == nil {
				err = l.UpdateEntry(ctx, keys[1], e)
			}
			return err
		}, map[string]int{"entry": 1}, nil, nil},
		{"collection", func(l *Library) error {
			var err error
			if coll, err = l.CreateCollection(ctx, nil, "Reading"); err != nil {
				return err
			}
			_, err = l.AddToCollection(ctx, coll.ID, keys...)
			return err
		}, map[string]int{"collection": 1}, map[string]int{"collection_entries": 3}, nil},
		{"collection renamed", func(l *Library) error { return l.RenameCollection(ctx, coll.ID, "Read") }, map[string]int{"collection": 1}, nil, nil},
		{"saved search", func(l *Library) error { return l.SaveSearch(ctx, SavedSearch{Name: "mine", Query: "x"}) },
			map[string]int{"saved_search": 1}, nil, nil},
		{"saved search deleted", func(l *Library) error { return l.DeleteSavedSearch(ctx, "mine") }, nil, nil, map[string]int{"saved_search": 1}},
		{"attachment", func(l *Library) error { _, err := l.AddAttachment(ctx, keys[2], file); return err },
			map[string]int{"attachment": 1}, nil, nil},
		{"not duplicates", func(l *Library) error { return l.MarkNotDuplicate(ctx, keys[2], keys[1]) },
			nil, map[string]int{"not_duplicates": 1}, nil},
		{"trash", func(l *Library) error { _, err := l.Trash(ctx, keys[2]); return err }, map[string]int{"entry": 1}, nil, nil},
		{"trash emptied", func(l *Library) error { _, err := l.EmptyTrash(ctx); return err },
			nil, map[string]int{"entry_tags": tagsOf2, "collection_entries": 1, "not_duplicates": 1}, map[string]int{"entry": 1, "attachment": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			markSent(t, replica)
			for _, l := range []*Library{own, replica} {
				if err := tc.do(l); err != nil {
					t.Fatal(err)
				}
			}
			changed, links, deleted := replicaChanges(t, replica)
			if d := cmp.Diff(tc.changed, changed, cmpEmpty); d != "" {
				t.Errorf("changes to send (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.links, links, cmpEmpty); d != "" {
				t.Errorf("links to send (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.deleted, deleted, cmpEmpty); d != "" {
				t.Errorf("deletions to send (-want +got):\n%s", d)
			}
			n, err := replica.Unsent(ctx)
			if err != nil || n != sum(tc.changed)+sum(tc.links)+sum(tc.deleted) {
				t.Errorf("Unsent() = %d, %v", n, err)
			}
			if n, err := own.Unsent(ctx); n != 0 || err != nil {
				t.Errorf("a library of one's own has %d changes to send (%v)", n, err)
			}
		})
	}

	// The server's changes, written while pulling, are not sent back.
	markSent(t, replica)
	if _, err := replica.db.Exec(`UPDATE replica SET pulling = 1`); err != nil {
		t.Fatal(err)
	}
	if err := replica.SetNote(ctx, keys[0], "from the server"); err != nil {
		t.Fatal(err)
	}
	if _, err := replica.Trash(ctx, keys[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := replica.EmptyTrash(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := replica.Unsent(ctx); n != 0 || err != nil {
		t.Errorf("%d changes written while pulling are to be sent (%v)", n, err)
	}
}

// cmpEmpty makes a nil map equal to an empty one.
var cmpEmpty = cmp.Transformer("nonNil", func(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
})

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestReplicaChangedAgain: a row or link changed again is listed as it is last. The statement
// that changes it may have a conflict clause of its own, which SQLite gives the triggers'
// statements too: a note written again (an upsert) failed, and an entry put back in a collection
// (INSERT OR IGNORE) stayed listed as taken out, which the server then took.
func TestReplicaChangedAgain(t *testing.T) {
	ctx := context.Background()
	replica := mustOpen(t)
	if err := replica.LoadReplica(ctx, Replica{Library: NewGlobalID(), Server: "postgres:///refs", Member: "me"},
		func(*ReplicaLoad) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := replica.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	markSent(t, replica)
	rows, err := replica.SearchWith(ctx, SearchOptions{Limit: 1})
	if err != nil || len(rows) == 0 {
		t.Fatal(err)
	}
	key := rows[0].Key
	for _, note := range []string{"first", "second", "third"} {
		if err := replica.SetNote(ctx, key, note); err != nil {
			t.Fatalf("the note written again: %v", err)
		}
	}
	coll, err := replica.CreateCollection(ctx, nil, "Reading")
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() ([]string, error){
		func() ([]string, error) { return replica.AddToCollection(ctx, coll.ID, key) },
		func() ([]string, error) { return replica.RemoveFromCollection(ctx, coll.ID, key) },
		func() ([]string, error) { return replica.AddToCollection(ctx, coll.ID, key) },
		func() ([]string, error) { return replica.AddTags(ctx, []string{key}, "again") },
		func() ([]string, error) { return replica.RemoveTags(ctx, []string{key}, "again") },
		func() ([]string, error) { return replica.AddTags(ctx, []string{key}, "again") },
	} {
		if _, err := step(); err != nil {
			t.Fatal(err)
		}
	}
	var notes []SharedNote
	c, err := replica.Changes(ctx, func(c *Changes) error {
		var each []*Change[RowRef]
		for i := range c.Notes {
			each = append(each, &c.Notes[i])
		}
		var err error
		notes, err = c.NoteRows(each)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || notes[0].Body != "third" {
		t.Errorf("notes to send: %+v, want the last", notes)
	}
	present := map[string]bool{}
	for _, l := range c.Links {
		present[l.Row.Kind] = l.Row.Present
	}
	if d := cmp.Diff(map[string]bool{"collection_entries": true, "entry_tags": true}, present); d != "" {
		t.Errorf("links to send, present (-want +got):\n%s", d)
	}

	// Migration 0017's step makes the triggers again in a replica, and none in a library of
	// one's own.
	count := func(l *Library) (n int) {
		l.db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name GLOB '*_replica_*'`).Scan(&n)
		return n
	}
	own := mustOpen(t)
	for _, l := range []*Library{replica, own} {
		before := count(l)
		tx, err := l.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := remakeReplicaTriggers(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if after := count(l); after != before {
			t.Errorf("triggers of a replica: %d before the step, %d after", before, after)
		}
	}
	if count(replica) == 0 || count(own) != 0 {
		t.Errorf("%d triggers in the replica, %d in a library of its own", count(replica), count(own))
	}
}

// TestFilterFollowsAdoptedCollection: a saved search the server has, whose filter names a new
// collection of the replica's that a later push adopted (the server had another of its name,
// and the replica's took that one's global id), is listed to be sent again, naming the server's
// id; a saved search sent by that push, which named the server's id already, is not.
func TestFilterFollowsAdoptedCollection(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if err := l.LoadReplica(ctx, Replica{Library: NewGlobalID(), Server: "postgres:///refs", Member: "me"},
		func(*ReplicaLoad) error { return nil }); err != nil {
		t.Fatal(err)
	}
	c, err := l.CreateCollection(ctx, nil, "Reading")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.SaveSearch(ctx, SavedSearch{Name: "Sent before", Filter: Filter{Collection: c.ID}}); err != nil {
		t.Fatal(err)
	}
	// The first push sends the saved search, and not the collection (it waits, its name taken).
	ch, err := l.Changes(ctx, nil)
	if err != nil || len(ch.Collections) != 1 || len(ch.SavedSearches) != 1 {
		t.Fatalf("changes: %+v, %v", ch, err)
	}
	ch.SavedSearches[0].Sent = 5
	if err := l.Sent(ctx, ch); err != nil {
		t.Fatal(err)
	}
	// The next adopts it, and sends a second saved search of it.
	if err := l.SaveSearch(ctx, SavedSearch{Name: "Sent with it", Filter: Filter{Collection: c.ID}}); err != nil {
		t.Fatal(err)
	}
	if ch, err = l.Changes(ctx, nil); err != nil || len(ch.Collections) != 1 || len(ch.SavedSearches) != 1 {
		t.Fatalf("changes: %+v, %v", ch, err)
	}
	server := NewGlobalID()
	ch.Collections[0].Sent, ch.Collections[0].Adopted = 6, server
	ch.SavedSearches[0].Sent = 7
	if err := l.Sent(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if ch, err = l.Changes(ctx, nil); err != nil || ch.Len() != 1 || len(ch.SavedSearches) != 1 {
		t.Fatalf("changes after the adoption: %+v, %v; want the saved search sent before", ch, err)
	}
	want := `{"collection":"` + server.String() + `"}`
	if ss := ch.SavedSearches[0].Row; ss.Name != "Sent before" || ss.Filter != want {
		t.Errorf("sent again: %+v, want %q naming the server's collection %s", ss, "Sent before", want)
	}
}

// TestChangesReadWhileWritten: Changes runs its send in one read of the replica, which the
// window's writes do not wait for (the library is in WAL mode): an entry edited and one imported
// while a push sends are not in what it reads (EntryRows gives the entries as they were when
// the read began, a batch at a time), and stay to be sent once Sent has recorded the rest.
func TestChangesReadWhileWritten(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if err := l.LoadReplica(ctx, Replica{Library: NewGlobalID(), Server: "postgres:///refs", Member: "me"},
		func(*ReplicaLoad) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Import(ctx, bib.Parse("a.bib", []byte(`@article{a, title={First}} @article{b, title={Second}}`))); err != nil {
		t.Fatal(err)
	}
	titles := func(rows []SharedEntry) (out []string) {
		for _, r := range rows {
			out = append(out, r.Key+": "+r.Title)
		}
		return out
	}
	var during []string
	c, err := l.Changes(ctx, func(c *Changes) error {
		// Well past what a write waits for another to end: it must not wait for the read.
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		e, err := l.Entry(wctx, "a")
		if err == nil {
			err = e.Set("title", "Edited meanwhile")
		}
		if err == nil {
			err = l.UpdateEntry(wctx, "a", e)
		}
		if err == nil {
			_, err = l.Import(wctx, bib.Parse("c.bib", []byte(`@article{c, title={Made meanwhile}}`)))
		}
		if err != nil {
			return fmt.Errorf("write while the changes are read: %w", err)
		}
		for i := range c.Entries {
			rows, err := c.EntryRows([]*Change[RowRef]{&c.Entries[i]})
			if err != nil {
				return err
			}
			during = append(during, titles(rows)...)
			c.Entries[i].Sent = 1
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"a: First", "b: Second"}, during); d != "" {
		t.Errorf("entries read while written (-want +got):\n%s", d)
	}
	if _, err := c.EntryRows([]*Change[RowRef]{&c.Entries[0]}); err == nil {
		t.Error("EntryRows read after the read ended")
	}
	if err := l.Sent(ctx, c); err != nil {
		t.Fatal(err)
	}
	var left []string
	if _, err := l.Changes(ctx, func(c *Changes) error {
		refs := make([]*Change[RowRef], len(c.Entries))
		for i := range c.Entries {
			refs[i] = &c.Entries[i]
		}
		rows, err := c.EntryRows(refs)
		left = titles(rows)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"a: Edited meanwhile", "c: Made meanwhile"}, left); d != "" {
		t.Errorf("entries left to send (-want +got):\n%s", d)
	}
}

// TestChangesNewRowMeanwhile: an entry made after Changes gave the new rows their global ids,
// and before its read began, has none in the read: the read says so (errNewRows) rather than
// send it under an id the replica does not keep, and Changes starts again, which gives it its own.
func TestChangesNewRowMeanwhile(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	if err := l.LoadReplica(ctx, Replica{Library: NewGlobalID(), Server: "postgres:///refs", Member: "me"},
		func(*ReplicaLoad) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Import(ctx, bib.Parse("a.bib", []byte(`@article{a, title={First}}`))); err != nil {
		t.Fatal(err)
	}
	if err := l.prepareChanges(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Import(ctx, bib.Parse("b.bib", []byte(`@article{b, title={Made meanwhile}}`))); err != nil {
		t.Fatal(err)
	}
	if _, err := l.readChanges(ctx, nil); !errors.Is(err, errNewRows) {
		t.Fatalf("read with a new row without its global id: %v, want errNewRows", err)
	}
	c, err := l.Changes(ctx, nil)
	if err != nil || len(c.Entries) != 2 {
		t.Fatalf("changes: %+v, %v; want the two entries", c, err)
	}
	for _, ch := range c.Entries {
		if _, err := l.LocalID(ctx, "entry", ch.Row.ID); err != nil {
			t.Errorf("the entry %q is sent as %v, which the replica does not keep: %v", ch.Row.Key, ch.Row.ID, err)
		}
	}
}
