package storage

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
)

// TestReplicaOrderMigration: migration 0019 brings a library file of version 18, a replica and
// a library of one's own, up to date: the replica gets the index of its order and reads the
// server's places at its next pull (Replica.Ordered), after which its exports, its list and
// EachEntry follow them; the library of one's own keeps the order of its ids, without the index.
func TestReplicaOrderMigration(t *testing.T) {
	ctx := context.Background()
	src := "@article{alpha, title = {Alpha}}\n@article{beta, title = {Beta}}\n@article{gamma, title = {Gamma}}\n"
	libs := map[string]*Library{}
	for _, name := range []string{"own", "replica"} {
		old, err := open(ctx, filepath.Join(t.TempDir(), name+".sqlite"), 18, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := old.Import(ctx, bib.Parse(name+".bib", []byte(src))); err != nil {
			t.Fatal(err)
		}
		if name == "replica" {
			// A replica of version 18, as a clone made it: every entry with its global id.
			if _, err := old.db.ExecContext(ctx, `UPDATE entries SET gid = randomblob(16), srev = 1`); err != nil {
				t.Fatal(err)
			}
			if _, err := old.db.ExecContext(ctx, `INSERT INTO replica (library, server, member, pulled) VALUES (randomblob(16), 'postgres://x/refs', 'x', 1)`); err != nil {
				t.Fatal(err)
			}
		}
		libs[name] = upgrade(t, old)
	}
	own, replica := libs["own"], libs["replica"]
	index := func(l *Library) (n int) {
		if err := l.db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'entries_order'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if index(own) != 0 || index(replica) != 1 {
		t.Errorf("entries_order: %d in a library of its own, %d in the replica; want 0 and 1", index(own), index(replica))
	}
	if r, _, err := replica.Replica(ctx); err != nil || r.Ordered {
		t.Errorf("a replica of version 18 is ordered (%v)", err)
	}

	// The server's places: gamma first, alpha last.
	gids := map[string]GlobalID{}
	for _, key := range []string{"alpha", "beta", "gamma"} {
		var b []byte
		if err := replica.db.QueryRow(`SELECT gid FROM entries WHERE key = ?`, key).Scan(&b); err != nil {
			t.Fatal(err)
		}
		gids[key], _ = scanGlobalID(b)
	}
	if _, err := replica.Pull(ctx, 1, func(p *ReplicaPull) error {
		for key, ord := range map[string]int64{"gamma": 10, "beta": 20, "alpha": 30} {
			if err := p.PutOrd("entries", gids[key], ord); err != nil {
				return err
			}
		}
		p.Ordered()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if r, _, err := replica.Replica(ctx); err != nil || !r.Ordered {
		t.Errorf("the replica is not ordered after the pull that gave the places (%v)", err)
	}

	keyRE := regexp.MustCompile(`@article\{(\w+),`)
	order := func(l *Library) (exported, listed, each []string) {
		var buf bytes.Buffer
		if _, err := l.Export(ctx, &buf, ExportOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(buf.String(), -1) {
			exported = append(exported, m[1])
		}
		rows, err := l.SearchWith(ctx, SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			listed = append(listed, r.Key)
		}
		if err := l.EachEntry(ctx, Filter{}, "", func(e *bib.Entry) error { each = append(each, e.Key); return nil }); err != nil {
			t.Fatal(err)
		}
		return exported, listed, each
	}
	for name, want := range map[string][]string{"own": {"alpha", "beta", "gamma"}, "replica": {"gamma", "beta", "alpha"}} {
		exported, listed, each := order(libs[name])
		for what, got := range map[string][]string{"export": exported, "list": listed, "EachEntry": each} {
			if !slices.Equal(got, want) {
				t.Errorf("%s: %s in the order %v, want %v", name, what, got, want)
			}
		}
	}

	// The replica's list reads its index, and a library of one's own its table, in order.
	plan := func(l *Library) string {
		o, err := entryOrderOf(ctx, l.db)
		if err != nil {
			t.Fatal(err)
		}
		return queryPlan(t, l, `SELECT e.key FROM entries e WHERE e.trashed IS NULL ORDER BY `+string(o)+`, e.id LIMIT 10`)
	}
	if p := plan(replica); !regexp.MustCompile(`USING INDEX entries_order`).MatchString(p) || regexp.MustCompile(`TEMP B-TREE`).MatchString(p) {
		t.Errorf("the replica's list in order: %s", p)
	}
	if p := plan(own); regexp.MustCompile(`TEMP B-TREE`).MatchString(p) {
		t.Errorf("a library of its own's list in order: %s", p)
	}
}

// TestReplicaListIndexes: a replica's list sorted by a column reads that column's index for
// its ties too (listIndexes): a replica made by LoadReplica, and one of version 19 brought up
// to date by migration 0020. A library of one's own, and a replica detached, keep the indexes
// of migration 0002, which order ties by id.
func TestReplicaListIndexes(t *testing.T) {
	ctx := context.Background()
	libs := map[string]*Library{}
	for _, name := range []string{"own", "replica 19"} {
		old, err := open(ctx, filepath.Join(t.TempDir(), name+".sqlite"), 19, false)
		if err != nil {
			t.Fatal(err)
		}
		if name == "replica 19" {
			if _, err := old.db.ExecContext(ctx, `INSERT INTO replica (library, server, member, pulled, ordered) VALUES (randomblob(16), 'postgres://x/refs', 'x', 1, 1)`); err != nil {
				t.Fatal(err)
			}
		}
		libs[name] = upgrade(t, old)
	}
	for _, name := range []string{"loaded", "detached", "imported later"} {
		l, err := Open(ctx, filepath.Join(t.TempDir(), name+".sqlite"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		if err := l.LoadReplica(ctx, Replica{Library: NewGlobalID(), Server: "postgres://x/refs", Member: "x"},
			func(*ReplicaLoad) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if name == "detached" {
			if err := l.Detach(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if name == "imported later" {
			// An import that leaves the list's indexes to later (index_pending) leaves the
			// replica's: IndexPending makes them as they were.
			var src bytes.Buffer
			for i := range bulkThreshold {
				fmt.Fprintf(&src, "@article{k%d, title = {T%d}, year = %d}\n", i, i, 2000+i%5)
			}
			if _, err := l.ImportWith(ctx, bib.Parse("k.bib", src.Bytes()), ImportOptions{IndexLater: true}); err != nil {
				t.Fatal(err)
			}
			if n := count(t, l, `SELECT count(*) FROM index_pending`); n == 0 {
				t.Fatal("the import left no index to later")
			}
			if err := l.IndexPending(ctx); err != nil {
				t.Fatal(err)
			}
		}
		libs[name] = l
	}
	for name, l := range libs {
		o, err := entryOrderOf(ctx, l.db)
		if err != nil {
			t.Fatal(err)
		}
		if want := name != "own" && name != "detached"; (o != "e.id") != want {
			t.Fatalf("%s: the library's order is %s", name, o)
		}
		for _, ix := range listIndexes {
			col := sortColumns[map[string]string{"entries_year": "year", "entries_first_author": "authors",
				"entries_title": "title", "entries_venue": "venue", "entries_created": "added"}[ix.name]]
			plan := queryPlan(t, l, `SELECT e.key FROM entries e WHERE e.trashed IS NULL
				ORDER BY `+col+` DESC, `+string(o)+` DESC LIMIT 10 OFFSET 50`)
			if !strings.Contains(plan, "USING INDEX "+ix.name) || strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("%s: the list by %s reads:\n%s", name, col, plan)
			}
		}
	}
}
