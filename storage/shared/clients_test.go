package shared

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/libtest"
	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// The tests of this file run clients of one shared library as separate processes: the test
// binary runs itself with clientEnv set to a clientConfig, and TestSyncClient is then the client.
// Each client edits its own replica at random and syncs as it goes. What one client's edits
// leave, no other client's touch (the titles, notes and trash of the entries it owns, and its
// own tags and collections, which it gives to any entry), so that each client can say what the
// library must hold at the end (an expectation), and no conflict is expected: a conflict is a
// failure here. TestConflict tests conflicts. New entries of one key made at once by two clients
// are not one: the second to sync has its entry renamed (renameTaken), and follows the rename. Two tags and a collection are every client's,
// made by each at its start (adoptTag, adoptCollection make them one), given entries by all
// and never taken them.

// clientEnv holds a client's clientConfig, in JSON.
const clientEnv = "BIBSHELF_SYNC_CLIENT"

// clientConfig says what a client process does.
type clientConfig struct {
	URL     string // the shared library
	Replica string // the client's replica
	Expect  string // the file the client writes its expectation to
	Client  int    // which client, from 0
	Clients int    // of how many
	Entries int    // the entries the library starts with (entryKey)
	Edits   int    // random edits to make
	// SyncEvery is how often the client syncs: after one edit in SyncEvery, at random.
	SyncEvery int
	Seed      uint64
	// SyncOnly: the client only syncs its replica, once, and makes no edit.
	SyncOnly bool
}

// expectation is what a client's edits leave in the shared library.
type expectation struct {
	Titles  map[string]string          // an entry's title, by key
	Notes   map[string]string          // an entry's note, by key
	Trashed map[string]bool            // whether an entry is in the trash, by key
	Tags    map[string]map[string]bool // whether an entry has a tag, by key and tag
	Members map[string]map[string]bool // whether a collection has an entry, by name and key
	New     []string                   // the keys of the entries the client made
	Syncs   int                        // syncs made
	// Renamed counts the client's new entries whose key another client made first: a sync
	// renamed them (Pushed.Renamed), and the keys above are the new ones.
	Renamed int
}

// entryKey is the key of the library's entry i at the start.
func entryKey(i int) string { return fmt.Sprintf("e%03d", i) }

// startLibrary copies a library of n entries to a new shared library and returns its URL.
func startLibrary(t *testing.T, n int) string {
	t.Helper()
	ctx := context.Background()
	u := pgtest.New(t)
	srv, err := ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "@article{%s, title = {Entry %d}, author = {Au Thor%d}, year = %d, journal = {J}}\n", entryKey(i), i, i, 1990+i%30)
	}
	l := newLibrary(t, "start.sqlite")
	if _, err := l.Import(ctx, bib.Parse("start.bib", []byte(b.String()))); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(ctx, l, srv); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSyncClient is a client process of the tests of this file; run otherwise, it skips.
func TestSyncClient(t *testing.T) {
	env := os.Getenv(clientEnv)
	if env == "" {
		t.Skip("a client process of TestClients and the tests that kill processes")
	}
	var cfg clientConfig
	if err := json.Unmarshal([]byte(env), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := runClient(context.Background(), cfg); err != nil {
		t.Fatalf("client %d: %v", cfg.Client, err)
	}
}

// client is a client process's state.
type client struct {
	cfg    clientConfig
	srv    *Server
	lib    *storage.Library
	rng    *rand.Rand
	owned  []string // the entries whose titles, notes and trash are this client's
	all    []string // every entry it tags and puts in collections
	tags   []string
	colls  []storage.Collection
	shared storage.Collection // every client's, made by each at its start; entries are only put in
	expect expectation
}

// runClient makes the client's edits, syncing as it goes, writes its expectation, and syncs.
func runClient(ctx context.Context, cfg clientConfig) error {
	srv, err := ParseURL(cfg.URL)
	if err != nil {
		return err
	}
	lib, err := Open(ctx, srv, cfg.Replica)
	if err != nil {
		return err
	}
	defer lib.Close()
	if cfg.SyncOnly {
		_, err := Sync(ctx, srv, lib)
		return err
	}
	c := &client{cfg: cfg, srv: srv, lib: lib, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(cfg.Client))), expect: expectation{
		Titles: map[string]string{}, Notes: map[string]string{}, Trashed: map[string]bool{},
		Tags: map[string]map[string]bool{}, Members: map[string]map[string]bool{},
	}}
	for i := range cfg.Entries {
		c.all = append(c.all, entryKey(i))
		if i%cfg.Clients == cfg.Client {
			c.owned = append(c.owned, entryKey(i))
		}
	}
	for j := range 3 {
		c.tags = append(c.tags, fmt.Sprintf("c%d-tag%d", cfg.Client, j))
	}
	if _, err := lib.AddTags(ctx, nil, append(c.tags, "shared0", "shared1")...); err != nil {
		return err
	}
	for _, name := range []string{"A", "B"} {
		coll, err := lib.CreateCollection(ctx, nil, fmt.Sprintf("c%d-%s", cfg.Client, name))
		if err != nil {
			return err
		}
		c.colls = append(c.colls, coll)
		c.expect.Members[coll.Name] = map[string]bool{}
	}
	// A client that starts after another has sent it has it already.
	colls, err := lib.Collections(ctx)
	if err != nil {
		return err
	}
	if i := slices.IndexFunc(colls, func(c storage.Collection) bool { return c.Name == "shared" }); i >= 0 {
		c.shared = colls[i]
	} else if c.shared, err = lib.CreateCollection(ctx, nil, "shared"); err != nil {
		return err
	}
	c.expect.Members[c.shared.Name] = map[string]bool{}
	for i := range cfg.Edits {
		if err := c.edit(ctx, i); err != nil {
			return fmt.Errorf("edit %d: %w", i, err)
		}
		if c.rng.IntN(cfg.SyncEvery) == 0 {
			if err := c.sync(ctx); err != nil {
				return err
			}
		}
	}
	if err := writeJSON(cfg.Expect, c.expect); err != nil {
		return err
	}
	renamed := c.expect.Renamed
	if err := c.sync(ctx); err != nil || c.expect.Renamed == renamed {
		return err
	}
	return writeJSON(cfg.Expect, c.expect) // under the keys the last sync gave
}

// edit makes the client's edit i, one of each kind at random, and notes what it leaves.
func (c *client) edit(ctx context.Context, i int) error {
	l := c.lib
	owned := c.owned[c.rng.IntN(len(c.owned))]
	any := c.all[c.rng.IntN(len(c.all))]
	switch c.rng.IntN(7) {
	case 0, 1: // a field
		e, err := l.Entry(ctx, owned)
		if err != nil {
			return err
		}
		title := fmt.Sprintf("Client %d's edit %d", c.cfg.Client, i)
		if err := e.Set("title", title); err != nil {
			return err
		}
		c.expect.Titles[owned] = title
		return l.UpdateEntry(ctx, owned, e)
	case 2: // a tag, given or taken; or one of the tags every client gives and none takes
		tag := c.tags[c.rng.IntN(len(c.tags))]
		give := c.rng.IntN(3) > 0
		if c.rng.IntN(4) == 0 {
			tag, give = fmt.Sprintf("shared%d", c.rng.IntN(2)), true
		}
		if c.expect.Tags[any] == nil {
			c.expect.Tags[any] = map[string]bool{}
		}
		c.expect.Tags[any][tag] = give
		if give {
			_, err := l.AddTags(ctx, []string{any}, tag)
			return err
		}
		_, err := l.RemoveTags(ctx, []string{any}, tag)
		return err
	case 3: // a collection's entry, put in or taken out; or put in every client's collection
		coll := c.colls[c.rng.IntN(len(c.colls))]
		in := c.rng.IntN(3) > 0
		if c.rng.IntN(4) == 0 {
			coll, in = c.shared, true
		}
		c.expect.Members[coll.Name][any] = in
		if in {
			_, err := l.AddToCollection(ctx, coll.ID, any)
			return err
		}
		_, err := l.RemoveFromCollection(ctx, coll.ID, any)
		return err
	case 4: // a new entry, of a key another client may make at once (edits 0 to 3 make same0000)
		key := fmt.Sprintf("same%04d", i/4)
		e := &bib.Entry{Type: "misc", Key: key}
		title := fmt.Sprintf("New entry %d of client %d", i, c.cfg.Client)
		if err := e.Set("title", title); err != nil {
			return err
		}
		_, err := l.AddEntry(ctx, e, "")
		if errors.Is(err, fs.ErrExist) { // made here, or another client's brought here, already
			key = fmt.Sprintf("c%dnew%04d", c.cfg.Client, i)
			e.Rename("misc", key)
			_, err = l.AddEntry(ctx, e, "")
		}
		if err != nil {
			return err
		}
		c.owned = append(c.owned, key)
		c.all = append(c.all, key)
		c.expect.New = append(c.expect.New, key)
		c.expect.Titles[key] = title
		return nil
	case 5: // the trash, in or out
		in := !c.expect.Trashed[owned]
		c.expect.Trashed[owned] = in
		if in {
			_, err := l.Trash(ctx, owned)
			return err
		}
		_, err := l.Restore(ctx, owned)
		return err
	default: // a note
		note := fmt.Sprintf("Client %d's note %d", c.cfg.Client, i)
		c.expect.Notes[owned] = note
		return l.SetNote(ctx, owned, note)
	}
}

// sync syncs the client's replica; a conflict is an error, since no two clients change one row.
func (c *client) sync(ctx context.Context) error {
	s, err := Sync(ctx, c.srv, c.lib)
	if err != nil {
		return err
	}
	c.expect.Syncs++
	if len(s.Pushed.Conflicts) > 0 || len(s.Pushed.Dropped) > 0 || s.Pulled.Held > 0 {
		return fmt.Errorf("sync %d: %+v", c.expect.Syncs, s)
	}
	for _, r := range s.Pushed.Renamed {
		if r.Kind != "entry" || !strings.HasPrefix(r.Old, "same") {
			return fmt.Errorf("sync %d renamed %+v, not a new entry of a key another client may make", c.expect.Syncs, r)
		}
		c.rename(r.Old, r.New)
	}
	return nil
}

// rename follows a new entry of the client's whose key another client made first, and that
// the sync renamed: the client's lists and expectation name it by its new key.
func (c *client) rename(old, new string) {
	c.expect.Renamed++
	for _, keys := range [][]string{c.owned, c.all, c.expect.New} {
		if i := slices.Index(keys, old); i >= 0 {
			keys[i] = new
		}
	}
	if v, ok := c.expect.Titles[old]; ok {
		delete(c.expect.Titles, old)
		c.expect.Titles[new] = v
	}
	if v, ok := c.expect.Notes[old]; ok {
		delete(c.expect.Notes, old)
		c.expect.Notes[new] = v
	}
	if v, ok := c.expect.Trashed[old]; ok {
		delete(c.expect.Trashed, old)
		c.expect.Trashed[new] = v
	}
	if v, ok := c.expect.Tags[old]; ok {
		delete(c.expect.Tags, old)
		c.expect.Tags[new] = v
	}
	for _, keys := range c.expect.Members {
		if v, ok := keys[old]; ok {
			delete(keys, old)
			keys[new] = v
		}
	}
}

// writeJSON writes v to path, whole or not at all.
func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path+".tmp", b, 0o644); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

// clientCmd returns the command of a client process.
func clientCmd(t *testing.T, cfg clientConfig) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSyncClient$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), clientEnv+"="+string(b))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd, &out
}

// clientEdits is the number of edits each client makes in TestClients: 1,000, or 250 with
// -short or the race detector, which makes the client processes three times slower (./dev
// test runs storage's tests with it, in CI: 1,000 took 35 s there, 250 take about 12).
func clientEdits() int {
	if testing.Short() || raceEnabled {
		return 250
	}
	return 1000
}

// TestClients: two, then three client processes, each with its own replica, make random edits
// at once and sync as they go. Then each syncs until nothing is left to send or bring: every
// replica is the same as a new one of the server's (every export byte for byte, in library
// order too, tags, collections, notes, flags, trash), every client's edits are there, and the
// server has each entry once.
func TestClients(t *testing.T) {
	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprintf("%d clients", n), func(t *testing.T) {
			const entries = 30
			u := startLibrary(t, entries)
			dir := t.TempDir()
			cfgs := make([]clientConfig, n)
			cmds := make([]*exec.Cmd, n)
			outs := make([]*bytes.Buffer, n)
			start := time.Now()
			for i := range n {
				cfgs[i] = clientConfig{URL: u, Replica: filepath.Join(dir, fmt.Sprintf("client%d.sqlite", i)),
					Expect: filepath.Join(dir, fmt.Sprintf("client%d.json", i)), Client: i, Clients: n, Entries: entries,
					Edits: clientEdits(), SyncEvery: 10, Seed: uint64(time.Now().UnixNano())}
				cmds[i], outs[i] = clientCmd(t, cfgs[i])
				if err := cmds[i].Start(); err != nil {
					t.Fatal(err)
				}
			}
			for i, cmd := range cmds {
				if err := cmd.Wait(); err != nil {
					t.Fatalf("client %d (seed %d): %v\n%s", i, cfgs[i].Seed, err, outs[i])
				}
			}
			t.Logf("%d clients made %d edits each in %v", n, clientEdits(), time.Since(start).Round(time.Millisecond))
			checkClients(t, u, cfgs)
		})
	}
}

// checkClients opens the replicas of the clients of cfgs, syncs them until they are quiet, and
// checks that each is the same as a new replica of the server's, and that the server holds what
// every client's expectation says.
func checkClients(t *testing.T, u string, cfgs []clientConfig) {
	t.Helper()
	ctx := context.Background()
	srv, err := ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	libs := make([]*storage.Library, len(cfgs))
	for i, cfg := range cfgs {
		if libs[i], err = Open(ctx, srv, cfg.Replica); err != nil {
			t.Fatalf("client %d's replica: %v", i, err)
		}
		defer libs[i].Close()
	}
	for round := 0; ; round++ {
		quiet := true
		for i, l := range libs {
			s, err := Sync(ctx, srv, l)
			if err != nil {
				t.Fatalf("client %d's last syncs: %v", i, err)
			}
			if len(s.Pushed.Conflicts) > 0 || len(s.Pushed.Dropped) > 0 || s.Pulled.Held > 0 {
				t.Fatalf("client %d's last syncs: %+v", i, s)
			}
			if s.Pushed.Sent > 0 || s.Pulled.Rows > 0 {
				quiet = false
			}
		}
		if quiet {
			break
		}
		if round == 5 {
			t.Fatal("the replicas are not quiet after 5 rounds of syncs")
		}
	}
	want, err := Clone(ctx, srv, filepath.Join(t.TempDir(), "server.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	for i, l := range libs {
		if n, err := l.Unsent(ctx); err != nil || n != 0 {
			t.Errorf("client %d has %d changes left to send (%v)", i, n, err)
		}
		// The rows made at once on two replicas are in the server's order in each, the exports
		// in library order too.
		diffs, err := libtest.Diff(ctx, want, l)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range diffs {
			t.Errorf("client %d's replica differs from the server's: %s", i, d)
		}
	}
	entries, renamed := int64(cfgs[0].Entries), 0
	for _, cfg := range cfgs {
		b, err := os.ReadFile(cfg.Expect)
		if err != nil {
			t.Fatal(err)
		}
		var e expectation
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		entries += int64(len(e.New))
		renamed += e.Renamed
		checkExpectation(t, want, cfg.Client, e)
	}
	t.Logf("%d new entries renamed, their key made by another client first", renamed)
	if n := serverEntries(t, srv); n != entries {
		t.Errorf("the server has %d entries, want %d: the start's and the clients' new ones, each once", n, entries)
	}
}

// serverEntries returns the number of entries of the shared library, in the trash or not.
func serverEntries(t *testing.T, srv *Server) int64 {
	t.Helper()
	ctx := context.Background()
	conn, err := srv.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM entries WHERE NOT deleted`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkExpectation checks that lib holds what the client's edits left.
func checkExpectation(t *testing.T, lib *storage.Library, client int, e expectation) {
	t.Helper()
	ctx := context.Background()
	lost := func(format string, args ...any) {
		t.Errorf("client %d's edit is lost: "+format, append([]any{client}, args...)...)
	}
	for key, title := range e.Titles {
		got, err := lib.Entry(ctx, key)
		if err != nil {
			lost("%s: %v", key, err)
			continue
		}
		if g := got.Get("title"); g != title {
			lost("%s's title is %q, want %q", key, g, title)
		}
	}
	for key, note := range e.Notes {
		if got, err := lib.Note(ctx, key); err != nil || got != note {
			lost("%s's note is %q (%v), want %q", key, got, err, note)
		}
	}
	for key, trashed := range e.Trashed {
		f, err := lib.EntryFlags(ctx, key)
		if err != nil || f.Trashed.IsZero() == trashed {
			lost("%s is in the trash: %v (%v), want %v", key, !f.Trashed.IsZero(), err, trashed)
		}
	}
	for key, tags := range e.Tags {
		got, err := lib.EntryTags(ctx, key)
		if err != nil {
			lost("the tags of %s: %v", key, err)
		}
		for tag, has := range tags {
			if slices.Contains(got, tag) != has {
				lost("%s has the tag %s: %v, want %v", key, tag, !has, has)
			}
		}
	}
	colls, err := lib.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, keys := range e.Members {
		i := slices.IndexFunc(colls, func(c storage.Collection) bool { return c.Name == name })
		if i < 0 {
			lost("no collection %s", name)
			continue
		}
		for key, in := range keys {
			cs, err := lib.EntryCollections(ctx, key)
			if err != nil {
				lost("the collections of %s: %v", key, err)
				continue
			}
			if got := slices.ContainsFunc(cs, func(c storage.Collection) bool { return c.Name == name }); got != in {
				lost("%s is in %s: %v, want %v", key, name, got, in)
			}
		}
	}
	for _, key := range e.New {
		if _, err := lib.Entry(ctx, key); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				lost("the new entry %s is not there", key)
			} else {
				t.Error(err)
			}
		}
	}
}
