package shared

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bibshelf/bibshelf/assets"
	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// liveKey is an entry of the sample the tests of Live change.
const liveKey = "vinyals2015pointer"

// sampleReplicas copies the sample library to a new shared library and makes two replicas of
// it; it returns the database's URL too.
func sampleReplicas(tb testing.TB) (u string, srv *Server, a, b *storage.Library) {
	tb.Helper()
	ctx := context.Background()
	u = pgtest.New(tb)
	srv, err := ParseURL(u)
	if err != nil {
		tb.Fatal(err)
	}
	local, err := storage.Open(ctx, filepath.Join(tb.TempDir(), "local.sqlite"))
	if err != nil {
		tb.Fatal(err)
	}
	defer local.Close()
	if _, err := local.Import(ctx, bib.Parse("sample-library.bib", assets.SampleLibrary)); err != nil {
		tb.Fatal(err)
	}
	if _, err := Copy(ctx, local, srv); err != nil {
		tb.Fatal(err)
	}
	for _, l := range []**storage.Library{&a, &b} {
		if *l, err = Clone(ctx, srv, filepath.Join(tb.TempDir(), "replica.sqlite")); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { (*l).Close() })
	}
	return u, srv, a, b
}

// watched is a Live whose states a test waits for.
type watched struct {
	*Live
	mu     sync.Mutex
	states []LiveState
	more   chan struct{} // a new state came
}

func startWatched(tb testing.TB, srv *Server, lib *storage.Library) *watched {
	w := &watched{more: make(chan struct{}, 1)}
	w.Live = StartLive(srv, lib, func(s LiveState) {
		w.mu.Lock()
		w.states = append(w.states, s)
		w.mu.Unlock()
		select {
		case w.more <- struct{}{}:
		default:
		}
	})
	tb.Cleanup(func() { w.Stop() })
	return w
}

// waitFor waits up to within for a state cond holds of, from the n-th reported on, and returns
// it with the number of states reported until it.
func (w *watched) waitFor(tb testing.TB, what string, from int, within time.Duration, cond func(LiveState) bool) (LiveState, int) {
	tb.Helper()
	deadline := time.After(within)
	for {
		w.mu.Lock()
		states := w.states
		w.mu.Unlock()
		for i := from; i < len(states); i++ {
			if cond(states[i]) {
				return states[i], i + 1
			}
		}
		if len(states) > from {
			from = len(states)
		}
		select {
		case <-w.more:
		case <-deadline:
			var last LiveState
			if len(states) > 0 {
				last = states[len(states)-1]
			}
			tb.Fatalf("%s: not within %v; the last state: %+v", what, within, last)
		}
	}
}

func connected(s LiveState) bool { return s.Connected && s.Err == nil }

// TestLiveNotified: a change another replica pushes reaches a replica kept by Live through the
// server's notification, well before the safety net's pull; a change of its own is pushed
// without being asked, and the other replica has it at its next pull.
func TestLiveNotified(t *testing.T) {
	ctx := context.Background()
	_, srv, a, b := sampleReplicas(t)
	w := startWatched(t, srv, b)
	_, n := w.waitFor(t, "connected", 0, 10*time.Second, connected)

	if err := a.SetNote(ctx, liveKey, "from a"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := Push(ctx, srv, a); err != nil {
		t.Fatal(err)
	}
	_, n = w.waitFor(t, "a's note pulled", n, 2*time.Second, func(s LiveState) bool { return s.Pulled.Rows > 0 })
	t.Logf("pushed to pulled: %v", time.Since(start))
	if note, err := b.Note(ctx, liveKey); err != nil || note != "from a" {
		t.Errorf("b's note after the notification: %q (%v)", note, err)
	}

	if err := b.SetNote(ctx, liveKey, "from b"); err != nil {
		t.Fatal(err)
	}
	// Sent without being asked: a's pulls get it. (A state that counts it waiting may not come
	// before: a sync for another cause, such as a second notification, may send it first.)
	var note string
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := Pull(ctx, srv, a); err != nil {
			t.Fatal(err)
		}
		var err error
		if note, err = a.Note(ctx, liveKey); err != nil || note == "from b" {
			break
		}
	}
	if note != "from b" {
		t.Errorf("a's note 2 s after b's: %q, want b's, sent by b's Live", note)
	}
	w.waitFor(t, "b's note sent", n, 2*time.Second, func(s LiveState) bool { return connected(s) && s.Unsent == 0 })
}

// TestLiveOffline: with the shared library's database out of reach (renamed, its connections
// ended), the replica says so, keeps its change and counts it; once the database is back, Live
// connects again by itself, sends the change and brings what another replica sent meanwhile.
func TestLiveOffline(t *testing.T) {
	ctx := context.Background()
	u, srv, a, b := sampleReplicas(t)
	w := startWatched(t, srv, b)
	_, n := w.waitFor(t, "connected", 0, 10*time.Second, connected)

	db := pgtest.RenameDatabase(t, u, "")
	_, n = w.waitFor(t, "offline", n, 5*time.Second, func(s LiveState) bool { return !s.Connected })
	if err := b.SetNote(ctx, liveKey, "written offline"); err != nil {
		t.Fatal(err)
	}
	off, n := w.waitFor(t, "the change counted offline", n, 5*time.Second, func(s LiveState) bool { return !s.Connected && s.Unsent > 0 })
	if !errors.Is(off.Err, ErrUnreachable) {
		t.Errorf("offline, the error %v is not ErrUnreachable", off.Err)
	}
	pgtest.RenameDatabase(t, u, db)

	e, err := a.Entry(ctx, "zhang2023noisy")
	if err != nil {
		t.Fatal(err)
	}
	e.Set("note", "while b was offline")
	if err := a.UpdateEntry(ctx, "zhang2023noisy", e); err != nil {
		t.Fatal(err)
	}
	if _, err := Push(ctx, srv, a); err != nil {
		t.Fatal(err)
	}
	// The first retry is half a second after the loss, then a second, two...: well within 10 s.
	w.waitFor(t, "back, the change sent", n, 10*time.Second, func(s LiveState) bool { return connected(s) && s.Unsent == 0 })
	if _, err := Pull(ctx, srv, a); err != nil {
		t.Fatal(err)
	}
	if note, err := a.Note(ctx, liveKey); err != nil || note != "written offline" {
		t.Errorf("a's note after b came back: %q (%v)", note, err)
	}
	if e, err := b.Entry(ctx, "zhang2023noisy"); err != nil || e.Get("note") != "while b was offline" {
		t.Errorf("b did not bring a's change when it came back: %v", err)
	}
}

// TestLiveConflict: a change of the replica's that the server refuses (another replica changed
// the note first) is reported, and stays to be sent, not pushed again until something changes;
// the member then keeps either version, or both texts in the note, and both replicas end with it.
func TestLiveConflict(t *testing.T) {
	for _, choice := range []string{"mine", "theirs", "both"} {
		t.Run(choice, func(t *testing.T) {
			ctx := context.Background()
			_, srv, a, b := sampleReplicas(t)
			if err := a.SetNote(ctx, liveKey, "a's"); err != nil {
				t.Fatal(err)
			}
			if _, err := Push(ctx, srv, a); err != nil {
				t.Fatal(err)
			}
			if err := b.SetNote(ctx, liveKey, "b's"); err != nil {
				t.Fatal(err)
			}
			w := startWatched(t, srv, b)
			s, n := w.waitFor(t, "the conflict", 0, 10*time.Second, func(s LiveState) bool { return len(s.Conflicts) > 0 })
			if c := s.Conflicts[0]; c.Kind != "note" || c.What != liveKey || s.Unsent != 1 {
				t.Errorf("conflict %+v, %d changes waiting; want the note of %s, waiting", c, s.Unsent, liveKey)
			}
			if note, _ := b.Note(ctx, liveKey); note != "b's" {
				t.Errorf("b's note was overwritten: %q", note)
			}
			// The conflict is not pushed again and again: only a change here sends it again.
			time.Sleep(8 * liveQuiet)
			w.mu.Lock()
			again := len(w.states) - n
			w.mu.Unlock()
			if again > 1 {
				t.Errorf("%d states in %v after the conflict, with nothing changed: it is pushed again and again", again, 8*liveQuiet)
			}

			want := map[string]string{"mine": "b's", "theirs": "a's"}[choice]
			if choice == "both" {
				w.KeepBoth(s.Conflicts)
				want = "b's\n\n---\n\n## The server's version (another member's, written "
			} else {
				w.Resolve(s.Conflicts, choice == "mine")
			}
			w.waitFor(t, "settled", n, 5*time.Second, func(s LiveState) bool { return connected(s) && len(s.Conflicts) == 0 && s.Unsent == 0 })
			if _, err := Pull(ctx, srv, a); err != nil {
				t.Fatal(err)
			}
			for name, l := range map[string]*storage.Library{"a": a, "b": b} {
				note, err := l.Note(ctx, liveKey)
				if ok := note == want || choice == "both" && strings.HasPrefix(note, want) && strings.HasSuffix(note, ")\n\na's"); err != nil || !ok {
					t.Errorf("%s's note: %q (%v), want %q", name, note, err, want)
				}
			}
		})
	}
}

// TestBothNotes: two texts of a note kept in one, the server's under a rule and a heading; one
// side empty or both alike keep one text.
func TestBothNotes(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 40, 0, 0, time.Local)
	for _, c := range []struct{ mine, theirs, want string }{
		{"Mine.\n", "Theirs.", "Mine.\n\n---\n\n## The server's version (another member's, written 6 December 2026 10:40)\n\nTheirs."},
		{"Same", "Same\n", "Same"},
		{"", "Theirs", "Theirs"},
		{"Mine", " ", "Mine"},
	} {
		if got := BothNotes(c.mine, c.theirs, at); got != c.want {
			t.Errorf("BothNotes(%q, %q) = %q, want %q", c.mine, c.theirs, got, c.want)
		}
	}
}

// BenchmarkLiveEditToVisible is one edit made on one computer until it is in another's replica:
// replica A changes a note and pushes it; the server notifies replica B's Live, which pulls it.
// It reports the median and the slowest of the time from the edit to B's pull done
// (visible-ms-median, visible-ms-max), and of B's pull itself (pull-ms-median: connecting,
// reading and writing the replica, the part a window's replica update waits for). The window
// shows the pull at its follower's next look (app/follow.go) or at once, when Live reports it.
func BenchmarkLiveEditToVisible(b *testing.B) {
	ctx := context.Background()
	_, srv, ra, rb := sampleReplicas(b)
	pulled := make(chan LiveState, 16)
	ready := make(chan struct{}, 1)
	live := StartLive(srv, rb, func(s LiveState) {
		if s.Connected && s.Err == nil {
			select {
			case ready <- struct{}{}:
			default:
			}
		}
		if s.Pulled.Rows > 0 {
			pulled <- s
		}
	})
	defer live.Stop()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		b.Fatal("B never connected")
	}
	var visible, pull []time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if err := ra.SetNote(ctx, liveKey, fmt.Sprintf("edit %d", i)); err != nil {
			b.Fatal(err)
		}
		if _, err := Push(ctx, srv, ra); err != nil {
			b.Fatal(err)
		}
		select {
		case s := <-pulled:
			visible = append(visible, time.Since(start))
			pull = append(pull, s.Took)
		case <-time.After(5 * time.Second):
			b.Fatalf("edit %d never reached B", i)
		}
		b.StopTimer()
		if note, err := rb.Note(ctx, liveKey); err != nil || note != fmt.Sprintf("edit %d", i) {
			b.Fatalf("B's note %q (%v), want edit %d", note, err, i)
		}
		// A pulls its own push too, with no notification awaited, as its window would.
		if _, err := Pull(ctx, srv, ra); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	ms := func(ds []time.Duration, at float64) float64 {
		ds = slices.Clone(ds)
		slices.Sort(ds)
		return float64(ds[int(at*float64(len(ds)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(ms(visible, 0.5), "visible-ms-median")
	b.ReportMetric(ms(visible, 1), "visible-ms-max")
	b.ReportMetric(ms(pull, 0.5), "pull-ms-median")
}

// TestLiveSendsChangeMadeDuringPush: a change made while Live's push is under way (here held at
// the server's write lock, as another member's push or a slow network holds it) stays listed
// after the push; it is not one the push left (a conflict, sent again only with another change),
// and Live pushes it after the wait, long before the safety sync.
func TestLiveSendsChangeMadeDuringPush(t *testing.T) {
	ctx := context.Background()
	u := smallShared(t)
	editor := newMember(t, u, "editor", "edit")
	e := cloneTo(t, editor, t.TempDir(), "editor.sqlite")
	w := startWatched(t, editor, e)
	_, n := w.waitFor(t, "connected", 0, 5*time.Second, connected)

	// Another writer holds the write lock, as a member's long push does.
	owner, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	tx, err := owner.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(1114202707)`); err != nil {
		t.Fatal(err)
	}
	retitle := func(key, title string) {
		t.Helper()
		entry, err := e.Entry(ctx, key)
		if err == nil {
			err = entry.Set("title", title)
		}
		if err == nil {
			err = e.UpdateEntry(ctx, key, entry)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	watch, err := pgx.Connect(ctx, u) // outside tx: pg_stat_activity is read once a transaction
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close(ctx)
	retitle("alpha", "Alpha, first edit")
	// Wait until Live's push of it waits for the lock.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var waiting int
		if err := watch.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'`,
			database(t, u)+"_editor").Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Live's push never waited for the write lock")
		}
	}
	retitle("beta", "Beta, edited while the push ran")
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// Well within liveSafety: each look, quiet wait and notification has had many turns.
	st, _ := w.waitFor(t, "every change sent", n, 10*time.Second, func(s LiveState) bool { return s.Unsent == 0 && s.Err == nil })
	t.Logf("%+v", st)
}

// TestLiveRenamesUntilRead: an entry renamed by a push with no window to tell (Live.Stop's, at
// the close) is in the states of the next Live on the replica, until the member has read it
// (ReadRenames).
func TestLiveRenamesUntilRead(t *testing.T) {
	ctx := context.Background()
	_, srv, a, b := sampleReplicas(t)
	for _, l := range []*storage.Library{a, b} {
		if _, err := l.AddEntry(ctx, bib.ParseString("new.bib", "@misc{clash, title = {"+l.Path()+"}}").Entries()[0], ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Push(ctx, srv, a); err != nil {
		t.Fatal(err)
	}
	// As Live.Stop pushes at a window's close, when no one is there to be told.
	pushed, err := Push(ctx, srv, b)
	if err != nil || len(pushed.Renamed) != 1 || pushed.Renamed[0].New != "clasha" {
		t.Fatalf("the push at the close renamed %+v (%v), want clash to clasha", pushed.Renamed, err)
	}
	w := startWatched(t, srv, b)
	s, n := w.waitFor(t, "the rename told", 0, 10*time.Second, connected)
	if !reflect.DeepEqual(s.Renamed, pushed.Renamed) {
		t.Fatalf("the next Live's state has the renames %+v, want %+v", s.Renamed, pushed.Renamed)
	}
	if err := w.ReadRenames(s.Renamed); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddTags(ctx, []string{"clasha"}, "read"); err != nil { // a change, for a new state
		t.Fatal(err)
	}
	w.waitFor(t, "the rename read", n, 10*time.Second, func(s LiveState) bool { return connected(s) && s.Unsent == 0 && len(s.Renamed) == 0 })
}

// TestLiveSaysSending: a push of many changes (an import's) is said before it ends, with their
// number, so that the window can say what it waits for; the state after it has none sending.
func TestLiveSaysSending(t *testing.T) {
	ctx := context.Background()
	_, srv, _, b := sampleReplicas(t)
	w := startWatched(t, srv, b)
	_, n := w.waitFor(t, "connected", 0, 10*time.Second, connected)
	if _, err := b.Import(ctx, manyEntries("many", ManyChanges)); err != nil {
		t.Fatal(err)
	}
	st, n := w.waitFor(t, "the push said", n, 10*time.Second, func(s LiveState) bool { return s.Sending > 0 })
	if st.Sending < ManyChanges || !connected(st) {
		t.Errorf("sending %d changes, connected %v (%v); want %d or more, connected", st.Sending, st.Connected, st.Err, ManyChanges)
	}
	w.waitFor(t, "all sent", n, 30*time.Second, func(s LiveState) bool { return connected(s) && s.Unsent == 0 && s.Sending == 0 })
}
