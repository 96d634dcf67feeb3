package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
)

var crashSeed = flag.Uint64("crashseed", 0, "seed of TestCrashImport's kill delays (0: a new one each run)")

// TestCrashChild's process reads these: the library to open and the .bib file to import into it.
const (
	crashLibraryEnv = "BIBSHELF_CRASH_LIBRARY"
	crashBibEnv     = "BIBSHELF_CRASH_BIB"
	// Set, the child imports as the window does: IndexLater, then IndexPending.
	crashLaterEnv = "BIBSHELF_CRASH_LATER"
)

const (
	// crashEntries sizes the imported file. The transaction outgrows SQLite's 2 MB page cache
	// after a few hundred entries and then spills its uncommitted pages into the WAL (about 50 MB
	// at this size), which is the state a crash must be able to roll back. A bigger file reaches
	// no other state; it only makes each round longer, and the rounds must fit in about a minute
	// on a busy two-core machine.
	crashEntries = 8000
	// crashRounds is how many times the child is killed at a chosen moment.
	crashRounds = 20
	// crashWindow stretches the kill points past an uninterrupted import's duration, so that some
	// kills land after the commit, during the checkpoint on close, or after the child is gone.
	crashWindow = 1.25
	// crashRetries bounds the extra rounds run when the kills did not straddle the commit.
	crashRetries = 8
)

// TestCrashChild is the process TestCrashImport kills: it imports a file the way the command line
// does (indexed for search in the import's transaction), or the way the window does.
func TestCrashChild(t *testing.T) {
	libPath, bibPath := os.Getenv(crashLibraryEnv), os.Getenv(crashBibEnv)
	if libPath == "" || bibPath == "" {
		t.Skip("a helper process of TestCrashImport")
	}
	ctx := context.Background()
	l, err := Open(ctx, libPath)
	if err != nil {
		t.Fatal(err)
	}
	// As the command line imports a file: parsed as it is imported.
	src, err := bib.ReadFile(bibPath)
	if err != nil {
		t.Fatal(err)
	}
	later := os.Getenv(crashLaterEnv) != ""
	if later {
		// Chunks of a thousand: a kill can leave part of the range indexed.
		indexChunk = 1000
	}
	if _, err := l.ImportReader(ctx, bib.NewReader(filepath.Base(bibPath), src), ImportOptions{IndexLater: later}); err != nil {
		t.Fatal(err)
	}
	if later {
		if err := l.IndexPending(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCrashImport kills a process with SIGKILL at random moments while it imports a large file:
// the library must come out undamaged, with all of that file or none of it. One function, as
// the kills, the checks after each and the figures reported at the end share their counts.
func TestCrashImport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an import to completion or to a kill some twenty times")
	}
	if runtime.GOOS == "windows" {
		// Kill is TerminateProcess there, and its exit status does not tell a killed child from
		// one that failed.
		t.Skip("needs SIGKILL")
	}
	ctx := context.Background()
	dir := t.TempDir()

	size := crashFileSize()
	var big bytes.Buffer
	if err := bibtest.Synthetic(&big, size, 1); err != nil {
		t.Fatal(err)
	}
	bigPath := filepath.Join(dir, "big.bib")
	if err := os.WriteFile(bigPath, big.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	bigEntries := bib.Parse("big.bib", big.Bytes()).Entries()
	if len(bigEntries) != size {
		t.Fatalf("the synthetic file parses to %d entries, want %d", len(bigEntries), size)
	}

	// Every round starts from a copy of the same library, so "none of the import" has one exact
	// meaning.
	basePath := filepath.Join(dir, "base.sqlite")
	l, err := Open(ctx, basePath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Import(ctx, sample(t)); err != nil {
		t.Fatal(err)
	}
	cs := crashState{bibPath: bigPath}
	if cs.base, err = l.Count(ctx); err != nil {
		t.Fatal(err)
	}
	cs.baseDigest = crashDigest(t, l, cs.base)
	cs.schema = entrySchema(t, l)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if cs.baseFile, err = os.ReadFile(basePath); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(basePath + "-wal"); err == nil {
		t.Fatal("closing the base library left its WAL: copying the main file alone would lose data")
	}
	cs.imported, cs.lastKey = crashNewKeys(sample(t).Entries(), bigEntries)

	// The uninterrupted run says how long an import takes here, start to exit, and checks that it
	// commits exactly the entries expected.
	full := cs.round(t, dir, 0, 2*time.Minute)
	if full.killed || !full.committed {
		t.Fatalf("the uninterrupted import did not finish within %v", 2*time.Minute)
	}
	took := full.took

	seed := *crashSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("uninterrupted import of %d entries: %v", size, took.Round(time.Millisecond))
	t.Logf("seed %d: -crashseed=%d replays the kill points, as shares of an import's duration", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	// Kill points are shares of an import's duration: one in each of crashRounds equal slices of
	// [0, crashWindow), so that even twenty rounds cover all of it, in random order, so that a
	// change in the machine's load during the test does not fall on one end only.
	points := make([]float64, crashRounds)
	for i := range points {
		points[i] = (float64(i) + rng.Float64()) * crashWindow / crashRounds
	}
	rng.Shuffle(len(points), func(i, j int) { points[i], points[j] = points[j], points[i] })

	// A round counts as "before the commit" only when the kill left uncommitted pages in the WAL:
	// a kill before the import wrote anything proves nothing about rolling back.
	var committed, torn, untouched, rounds int
	run := func(delay time.Duration, note string) {
		rounds++
		r := cs.round(t, dir, rounds, delay)
		switch {
		case r.committed:
			committed++
		case r.walBytes > 0:
			torn++
		default:
			untouched++
		}
		t.Logf("round %2d%s: %s", rounds, note, r)
		if !r.killed {
			// The load of a shared machine drifts: follow the latest import that ran to its end.
			took = r.took
		}
	}
	for _, p := range points {
		run(time.Duration(p*float64(took)), "")
	}
	late := float64(crashWindow)
	for range crashRetries {
		if committed > 0 && torn > 0 {
			break
		}
		const note = " (extra: the kills had not straddled the commit)"
		if committed == 0 {
			// The child has become slower than it was: aim later each time.
			late *= 1.5
			run(time.Duration((1+rng.Float64())/2*late*float64(took)), note)
		} else {
			// Every kill came before the first write or after the commit: aim inside the latest
			// import that ran to its end.
			run(time.Duration(rng.Float64()*float64(took)), note)
		}
	}
	t.Logf("import committed in %d rounds, rolled back from the WAL in %d, killed before it wrote anything in %d",
		committed, torn, untouched)
	if committed == 0 || torn == 0 {
		t.Errorf("the kills never landed on both sides of the commit (committed %d, rolled back %d): "+
			"the test proved nothing", committed, torn)
	}
}

// crashFileSize returns the number of entries to import. The race detector doubles the time an
// import takes and has nothing to watch in this test (the child imports on one goroutine, the
// parent waits), so under it the file is halved to keep the test's length.
func crashFileSize() int {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" && s.Value == "true" {
				return crashEntries / 2
			}
		}
	}
	return crashEntries
}

// crashState is what every round of TestCrashImport starts from and checks against.
type crashState struct {
	bibPath    string
	baseFile   []byte // the library file before the import
	base       int    // entries in it
	baseDigest [sha256.Size]byte
	imported   int      // entries the import adds
	lastKey    string   // of the last entry the import inserts
	schema     []string // entrySchema of the library before the import
}

// crashRound is how one round ended.
type crashRound struct {
	delay     time.Duration // before the kill
	took      time.Duration // from start to the child's end
	killed    bool          // false when the child had finished before the kill
	committed bool          // the library holds the import
	walBytes  int64         // left in the WAL by the child
	pending   int           // entries the child had left to index for search
}

func (r crashRound) String() string {
	at := fmt.Sprintf("kill at %7v", r.delay.Round(time.Millisecond))
	wal := fmt.Sprintf("%.1f MB WAL", float64(r.walBytes)/(1<<20))
	switch {
	case !r.killed:
		return fmt.Sprintf("%s: the child had finished (%v); import committed", at, r.took.Round(time.Millisecond))
	case r.committed && r.walBytes == 0:
		return fmt.Sprintf("%s: killed after the commit and the checkpoint; import kept", at)
	case r.committed && r.pending > 0:
		return fmt.Sprintf("%s: killed after the commit, %d entries not yet indexed for search; import kept (%s)", at, r.pending, wal)
	case r.committed:
		return fmt.Sprintf("%s: killed after the commit; import kept (%s)", at, wal)
	case r.walBytes > 0:
		return fmt.Sprintf("%s: killed inside the import; rolled back (%s of uncommitted pages)", at, wal)
	}
	return fmt.Sprintf("%s: killed before the import wrote anything; library unchanged", at)
}

// round runs the child on a fresh copy of the base library, kills it after delay unless it has
// finished, and checks what it left.
func (cs *crashState) round(t *testing.T, dir string, n int, delay time.Duration) crashRound {
	t.Helper()
	libPath := filepath.Join(dir, fmt.Sprintf("round%02d.sqlite", n))
	if err := os.WriteFile(libPath, cs.baseFile, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashLibraryEnv+"="+libPath, crashBibEnv+"="+cs.bibPath)
	if n%2 == 1 {
		cmd.Env = append(cmd.Env, crashLaterEnv+"=1")
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(delay)
	var err error
	select {
	case err = <-done:
	case <-timer.C:
		cmd.Process.Kill() // fails only when the child has just exited, which Wait reports
		err = <-done
	}
	timer.Stop()
	r := crashRound{delay: delay, took: time.Since(start), killed: !cmd.ProcessState.Exited()}
	if !r.killed && !cmd.ProcessState.Success() {
		t.Fatalf("round %d: the child failed: %v\n%s", n, err, out.Bytes())
	}
	if fi, err := os.Stat(libPath + "-wal"); err == nil {
		r.walBytes = fi.Size()
	}
	r.committed, r.pending = cs.check(t, n, libPath)
	if !r.killed && !r.committed {
		t.Fatalf("round %d: the child finished but the library does not hold the import", n)
	}
	os.Remove(libPath) // the rounds' libraries would add up to a gigabyte
	return r
}

// check opens a library a child left, fails the test unless it is sound and holds all of the
// import or none of it, and reports which.
func (cs *crashState) check(t *testing.T, n int, path string) (committed bool, pending int) {
	t.Helper()
	ctx := context.Background()
	l, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("round %d: reopen: %v", n, err)
	}
	defer l.Close()

	rows, err := l.db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		t.Fatalf("round %d: integrity_check: %v", n, err)
	}
	var msgs []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("round %d: integrity_check: %v", n, err)
	}
	if !slices.Equal(msgs, []string{"ok"}) {
		t.Fatalf("round %d: integrity_check:\n%s", n, strings.Join(msgs, "\n"))
	}
	rows, err = l.db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatalf("round %d: foreign_key_check: %v", n, err)
	}
	fkViolation := rows.Next()
	rows.Close()
	if fkViolation {
		t.Fatalf("round %d: foreign_key_check reports violations", n)
	}
	// Without rank 1, FTS5 checks only that its index is well formed, not that it agrees with the
	// entries table it indexes: an index missing every row passes.
	const ftsCheck = `INSERT INTO entries_fts(entries_fts, rank) VALUES('integrity-check', 1)`
	if _, err := l.db.ExecContext(ctx, ftsCheck); err != nil {
		t.Fatalf("round %d: the full-text index does not match the entries: %v", n, err)
	}
	// A child importing as the window does may have been killed before it had indexed its
	// entries for search: what is left is indexed as the window's next start does.
	if pending, err = l.PendingSearch(ctx); err != nil {
		t.Fatalf("round %d: %v", n, err)
	}
	if err := l.IndexPending(ctx); err != nil {
		t.Fatalf("round %d: index what was left: %v", n, err)
	}
	if _, err := l.db.ExecContext(ctx, ftsCheck); err != nil {
		t.Fatalf("round %d: after IndexPending, the full-text index does not match the entries: %v", n, err)
	}

	// A bulk import drops the entries table's indexes and its quiet triggers and makes them
	// again, in its transaction.
	if got := entrySchema(t, l); !slices.Equal(got, cs.schema) {
		t.Fatalf("round %d: the entries table's indexes and triggers are %v, want %v", n, got, cs.schema)
	}
	count, err := l.Count(ctx)
	if err != nil {
		t.Fatalf("round %d: %v", n, err)
	}
	switch count {
	case cs.base:
	case cs.base + cs.imported:
		committed = true
	default:
		t.Fatalf("round %d: %d entries, want %d (none of the import) or %d (all of it)",
			n, count, cs.base, cs.base+cs.imported)
	}
	if crashDigest(t, l, cs.base) != cs.baseDigest {
		t.Fatalf("round %d: the entries that were in the library before the import have changed", n)
	}
	if keys := crashSearch(t, l, "pointer networks"); !slices.Contains(keys, "vinyals2015pointer") {
		t.Fatalf("round %d: search no longer finds an entry of the base library: %v", n, keys)
	}
	if found := slices.Contains(crashSearch(t, l, cs.lastKey), cs.lastKey); found != committed {
		t.Fatalf("round %d: search finds the import's last entry: %v; the import committed: %v",
			n, found, committed)
	}
	// A lock or a transaction the child left behind would show here.
	probe := bib.Parse("probe.bib", []byte("@misc{crash-probe, title = {After the crash}}"))
	if rep, err := l.Import(ctx, probe); err != nil || rep.Imported != 1 {
		t.Fatalf("round %d: the library takes no new entry: %+v, %v", n, rep, err)
	}
	return committed, pending
}

// crashSearch returns the keys of the entries a search finds.
func crashSearch(t *testing.T, l *Library, query string) []string {
	t.Helper()
	rows, err := l.Search(context.Background(), query, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.Key
	}
	return keys
}

// crashDigest hashes the first n entries in import order, everything stored about them.
func crashDigest(t *testing.T, l *Library, n int) [sha256.Size]byte {
	t.Helper()
	rows, err := l.db.Query(`SELECT e.id, e.key, e.type, t.fields, t.source, e.title, e.authors, e.first_author, e.year,
		e.venue, t.abstract, e.keywords, e.origin, e.created, e.modified
		FROM entries e LEFT JOIN entry_text t ON t.id = e.id ORDER BY e.id LIMIT ?`, n)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	h := sha256.New()
	vals := make([]any, 15)
	for i := range vals {
		vals[i] = new(string)
	}
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			fmt.Fprintf(h, "%q\x00", *v.(*string))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return [sha256.Size]byte(h.Sum(nil))
}

// crashNewKeys counts the entries of add that Import keeps after those of have (the others repeat
// a key, ignoring case), and returns the key of the last one that has a key.
func crashNewKeys(have, add []*bib.Entry) (n int, last string) {
	seen := make(map[string][]*bib.Entry)
	for _, e := range have {
		seen[strings.ToLower(e.Key)] = append(seen[strings.ToLower(e.Key)], e)
	}
	for _, e := range add {
		k := strings.ToLower(e.Key)
		switch {
		case e.Key == "":
			n++ // it gets a new key
		case slices.ContainsFunc(seen[k], func(o *bib.Entry) bool { return bib.SameReading(o, e) }):
			// A duplicate: skipped.
		case len(seen[k]) > 0:
			n++ // another paper under a taken key: it gets a key of its own
			seen[k] = append(seen[k], e)
		default:
			seen[k] = append(seen[k], e)
			n++
			last = e.Key
		}
	}
	return n, last
}
