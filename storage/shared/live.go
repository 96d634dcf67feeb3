package shared

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/bibshelf/bibshelf/storage"
)

// NotifyChannel is the channel each push that wrote something notifies, in its transaction, so
// that the notification is delivered at its commit. It carries no payload: it says only that
// something changed, and each replica listening then pulls everything past its last pull, so a
// notification missed (a connection lost, a replica closed) loses nothing.
const NotifyChannel = "bibshelf"

// How Live keeps a replica current. Its tests and benchmark shorten none of these: a
// notification, not a timer, brings another replica's change.
const (
	// liveLook is how often Live reads the replica's revision, to find the changes made to it
	// here (one row: storage.Library.Revision).
	liveLook = 50 * time.Millisecond
	// liveQuiet is how long the replica's changes are gathered before they are pushed: a burst
	// of edits (a field typed and stored, a tag added right after) goes in one push.
	liveQuiet = 150 * time.Millisecond
	// liveSafety is how often a connected Live pulls without a notification: a safety net, for
	// a server whose notifications are lost on the way (a pooler that drops them).
	liveSafety = 30 * time.Second
	// liveRetryFirst and liveRetryMost bound the wait before the next connection attempt after
	// the server could not be reached; it doubles at each failure.
	liveRetryFirst = 500 * time.Millisecond
	liveRetryMost  = 15 * time.Second
	// liveRetryUntrusted is the wait before the next connection attempt after the server's
	// certificate was not trusted (ErrUntrustedServer). Trying again soon cannot help: what
	// helps is the member's doing (another URL or root certificate, read when the library is
	// opened again, with a new Live) or the server's (its certificate renewed, or another
	// network, where the host named is the right server), which a try every few minutes finds
	// while the window stays open. At liveRetryMost the server would log a refused handshake
	// 240 times an hour.
	liveRetryUntrusted = 5 * time.Minute
	// liveLastPush bounds the push of what is left to send when Live stops.
	liveLastPush = 5 * time.Second
	// liveConnect bounds a connection attempt of the listening connection: a server whose
	// host does not answer is offline, not a window that waits for the system's timeout.
	liveConnect = 10 * time.Second
)

// ManyChanges is the number of changes from which a push is said before it ends (in
// LiveState.Sending, and by the command line): fewer are sent in a moment.
const ManyChanges = 1000

// LiveState is what Live says of the replica it keeps current.
type LiveState struct {
	// Connected says the server is reached and listened to: changes go both ways at once.
	Connected bool
	// Err is why it is not, or what failed in the last sync (nil when all went well).
	Err error
	// Unsent counts the replica's changes not on the server yet (storage.Library.Unsent).
	Unsent int
	// Sending counts the changes of a push under way, when they are many (ManyChanges or
	// more: an import's, which take a while to send); 0 otherwise.
	Sending int
	// Conflicts are the changes the last push could not send (see Pushed.Conflicts): both
	// versions are kept, this computer's in the replica and the server's on the server.
	Conflicts []Conflict
	// Refused are the changes the last push could not send because the member may only read the
	// shared library (Pushed.Refused): they wait in the replica until the member lets them go
	// (Discard). Member is the role the server knows the member as.
	Refused []Conflict
	Member  string
	// Mark marks the changes the push that reported Refused read (Pushed.Mark): Discard is
	// given it, so that it lets go of those changes and of none made since.
	Mark storage.ChangesMark
	// DiscardEnded says that a Discard ended in this state, the one that follows it: Discarded
	// counts the changes it dropped (0 when none was left to drop), or DiscardErr says why it
	// dropped none (the server out of reach, a change made since the member chose:
	// storage.ErrChangedSince). A discard that failed is not kept: the member chooses again.
	DiscardEnded bool
	Discarded    int
	DiscardErr   error
	// Renamed are the rows pushes renamed to send them (Pushed.Renamed), another member's
	// having their key or name, that the member has not read yet (storage.Library.Renames):
	// also those of the push at the last close. Each state has them until ReadRenames.
	Renamed []Renamed
	// Pulled says what the pull this state follows brought, and Took how long it took
	// (connecting, reading and writing the replica); zero in a state that follows no pull.
	Pulled storage.Pulled
	Took   time.Duration
}

// Live keeps a replica current with its shared library while a window shows it: it listens on
// its own connection for the server's notifications (NotifyChannel) and pulls at each, pushes
// the replica's own changes a moment after they are made, and, with the server out of reach,
// lets them wait and tries again, less often each time (a server whose certificate is not
// trusted, every few minutes), pushing then pulling when it is back.
// It reports each change of its state to the function given to StartLive, on its own goroutine.
type Live struct {
	srv    *Server
	lib    *storage.Library
	report func(LiveState)
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
	// settle carries the member's choice for the conflicts told (Resolve) to run's goroutine.
	settle chan settlement
	// discard carries the member's wish to let the refused changes go (Discard) to run's
	// goroutine, with the mark of the changes they chose (LiveState.Mark).
	discard chan storage.ChangesMark
	// wake ends a wait before the next connection attempt: a password was given (SetPassword).
	wake chan struct{}
	// state is the last state reported, and stuck the count of changes the last push left
	// (conflicts, pushed again only with other changes), or -1 when a change was made while the
	// last sync ran (to be pushed after it); only run's goroutine uses them.
	state LiveState
	stuck int
	// seen is the replica's revision read by the last sync just before it counted the changes
	// to send: a change made after that count moves the revision past it, and is pushed.
	seen int64
}

// StartLive starts keeping the replica lib of the shared library at srv current, until Stop.
// report receives each new state; it must not block for long.
func StartLive(srv *Server, lib *storage.Library, report func(LiveState)) *Live {
	ctx, cancel := context.WithCancel(context.Background())
	l := &Live{srv: srv, lib: lib, report: report, cancel: cancel, done: make(chan struct{}), settle: make(chan settlement, 4), discard: make(chan storage.ChangesMark, 1), wake: make(chan struct{}, 1)}
	go l.run(ctx)
	return l
}

// Stop stops listening, waits for the goroutine to return, and pushes what the replica still
// has to send (for at most a few seconds: what is left is sent at the next sync). It returns
// what that push reports. Further calls do nothing.
func (l *Live) Stop() (Pushed, error) {
	var pushed Pushed
	var err error
	l.once.Do(func() {
		l.cancel()
		<-l.done
		ctx, cancel := context.WithTimeout(context.Background(), liveLastPush)
		defer cancel()
		pushed, err = Push(ctx, l.srv, l.lib)
	})
	return pushed, err
}

// SetPassword gives the password the member typed when the state said the server asks for one
// (ErrPasswordNeeded): Live connects with it at once, and the OS keyring keeps it once the server
// took it (Server.SetPassword).
func (l *Live) SetPassword(password string) {
	l.srv.SetPassword(password)
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// SetKeyPassphrase gives the passphrase of the client key that the member typed when the state
// said the key needs one (ErrKeyPassphraseNeeded): Live connects with it at once, and the OS
// keyring keeps it once the server took the connection (Server.SetKeyPassphrase).
func (l *Live) SetKeyPassphrase(passphrase string) {
	l.srv.SetKeyPassphrase(passphrase)
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// run connects, listens and syncs until ctx ends, connecting again after each loss.
func (l *Live) run(ctx context.Context) {
	defer close(l.done)
	l.state.Unsent, _ = l.lib.Unsent(ctx)
	l.state.Renamed, _ = l.lib.Renames(ctx)
	retry := liveRetryFirst
	for ctx.Err() == nil {
		err := l.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if l.state.Connected {
			retry = liveRetryFirst // a connection lost is tried again soon, as the first time
		}
		l.state.Connected = false
		l.state.Err = err
		l.say()
		wait := retry
		if errors.Is(err, ErrUntrustedServer) {
			wait = liveRetryUntrusted
		}
		// While the server is out of reach the replica's own changes are still counted.
		if !l.waitOffline(ctx, wait) {
			return
		}
		retry = min(retry*2, liveRetryMost)
	}
}

// session is one connection: it listens, syncs (push, then pull), and then syncs again at each
// notification, at each change of the replica's own, and every liveSafety. It
// returns why the connection ended.
func (l *Live) session(ctx context.Context) error {
	connecting, cancel := context.WithTimeout(ctx, liveConnect)
	conn, err := l.srv.connect(connecting)
	cancel()
	if err != nil {
		return unreachable(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{NotifyChannel}.Sanitize()); err != nil {
		return errors.Join(ErrUnreachable, err)
	}
	// The notifications arrive on a goroutine of their own, which waits on the connection and
	// ends with it.
	notified := make(chan struct{}, 1)
	lost := make(chan error, 1)
	listenCtx, stopListening := context.WithCancel(ctx)
	listening := make(chan struct{})
	go func() {
		defer close(listening)
		for {
			if _, err := conn.WaitForNotification(listenCtx); err != nil {
				lost <- err
				return
			}
			select {
			case notified <- struct{}{}:
			default: // a pull is asked for already, and reads everything
			}
		}
	}()
	defer func() { stopListening(); <-listening }()

	l.state.Connected = true
	if err := l.sync(ctx, true); err != nil {
		return err
	}
	rev := l.seen
	look := time.NewTicker(liveLook)
	defer look.Stop()
	safety := time.NewTicker(liveSafety)
	defer safety.Stop()
	var quiet <-chan time.Time // set while the replica's own changes are gathered for a push
	if l.state.Unsent != l.stuck {
		quiet = time.After(liveQuiet) // a change made while the first sync ran
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-lost:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return errors.Join(ErrUnreachable, err)
		case <-notified:
			if err := l.sync(ctx, false); err != nil {
				return err
			}
		case <-safety.C:
			if err := l.sync(ctx, false); err != nil {
				return err
			}
		case s := <-l.settle:
			if err := l.resolve(ctx, s); err != nil {
				return err
			}
			if err := l.sync(ctx, true); err != nil {
				return err
			}
		case mark := <-l.discard:
			if err := l.discardRefused(ctx, mark); err != nil {
				return err
			}
		case <-l.wake:
			// A password given (a push refused for want of it, the connection listening
			// still open): what waits is sent with it.
			if err := l.sync(ctx, true); err != nil {
				return err
			}
		case <-quiet:
			quiet = nil
			if err := l.sync(ctx, true); err != nil {
				return err
			}
		case <-look.C:
			r, err := l.lib.Revision(ctx)
			if err != nil || r == rev {
				continue
			}
			rev = r
			// The revision moved by a change here (the window's, the command line's): what
			// the syncs write is not counted (below). It is pushed once a burst of changes
			// is over.
			n, err := l.lib.Unsent(ctx)
			if err != nil {
				continue
			}
			if n != l.state.Unsent {
				l.state.Unsent = n
				l.say()
			}
			if n > 0 && quiet == nil {
				quiet = time.After(liveQuiet)
			}
			continue
		}
		// A sync ran. What it wrote is not a change of the replica's own; one made while it
		// ran is pushed after the wait.
		rev = l.seen
		if l.state.Unsent != l.stuck && quiet == nil {
			quiet = time.After(liveQuiet)
		}
	}
}

// sync pulls, after a push when push is set or the replica has changes to send other than those
// the last push left (conflicts, which only a change here sends again). A server out of reach
// ends the session (the error returned); any other failure is reported and the session goes on,
// to try again at the next occasion.
func (l *Live) sync(ctx context.Context, push bool) error {
	st := l.state
	st.Err = nil
	// What was listed before the push began: a change made while it runs (it may wait long on
	// the server) stays listed after it, and is not one the push left.
	listed, err := l.lib.Listed(ctx)
	if err != nil {
		return err
	}
	n, err := l.lib.Unsent(ctx)
	if err != nil {
		return err
	}
	if push || n != l.stuck {
		if n >= ManyChanges {
			// Said with this sync's state: no failure of the last one (an offline spell's).
			l.state.Err, l.state.Sending = nil, n
			l.say()
			l.state.Sending = 0
		}
		pushed, err := Push(ctx, l.srv, l.lib)
		switch {
		case errors.Is(err, ErrUnreachable):
			return err
		case asked(err):
			st.Err = err // sent once the member gives the password or passphrase (SetPassword wakes Live)
		case err != nil:
			st.Err = err
			l.stuck = n // tried again at the next change, not at once
		default:
			st.Conflicts, st.Refused, st.Member, st.Mark = pushed.Conflicts, pushed.Refused, pushed.Member, pushed.Mark
			if l.stuck, err = l.lib.Unsent(ctx); err != nil {
				return err
			}
		}
	}
	if st.Err == nil {
		start := time.Now()
		pulled, err := Pull(ctx, l.srv, l.lib)
		switch {
		case errors.Is(err, ErrUnreachable):
			return err
		case err != nil:
			st.Err = err
		default:
			st.Pulled, st.Took = pulled, time.Since(start)
		}
	}
	l.count(ctx, &st)
	if now, err := l.lib.Listed(ctx); err == nil && now != listed {
		l.stuck = -1 // a change made while the sync ran: session pushes it after the wait
	}
	l.state = st
	l.say()
	return nil
}

// count counts the changes to send into st after a sync, and records the revision the replica
// had just before (seen): what the sync wrote is not a change of the replica's own, and a change
// made after the count is seen by the next look.
func (l *Live) count(ctx context.Context, st *LiveState) error {
	if r, err := l.lib.Revision(ctx); err == nil {
		l.seen = r
	}
	n, err := l.lib.Unsent(ctx)
	if err != nil {
		return err
	}
	st.Unsent = n
	if st.Renamed, err = l.lib.Renames(ctx); err != nil {
		return err
	}
	return nil
}

// say reports the state, and forgets its pull, which the next state does not follow.
func (l *Live) say() {
	if l.report != nil {
		st := l.state
		st.Conflicts, st.Refused, st.Renamed = slices.Clone(st.Conflicts), slices.Clone(st.Refused), slices.Clone(st.Renamed)
		l.report(st)
	}
	l.state.Pulled, l.state.Took = storage.Pulled{}, 0
	l.state.DiscardEnded, l.state.Discarded, l.state.DiscardErr = false, 0, nil
}

// waitOffline waits d before the next connection attempt, counting the replica's own changes
// meanwhile. It reports false when ctx ended.
func (l *Live) waitOffline(ctx context.Context, d time.Duration) bool {
	until := time.NewTimer(d)
	defer until.Stop()
	look := time.NewTicker(liveLook * 4)
	defer look.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-until.C:
			return true
		case <-l.wake:
			return true
		case <-l.discard:
			l.state.DiscardEnded, l.state.DiscardErr = true, errDiscardOffline
			l.say()
		case <-look.C:
			if n, err := l.lib.Unsent(ctx); err == nil && n != l.state.Unsent {
				l.state.Unsent = n
				l.say()
			}
		}
	}
}

// ReadRenames forgets the renames rs of a state (LiveState.Renamed), which the member has read:
// the states that follow have them no more. It writes the replica: call it off the UI goroutine.
func (l *Live) ReadRenames(rs []Renamed) error {
	return l.lib.ForgetRenames(context.Background(), rs)
}

// settlement is a member's choice for conflicts: to keep the replica's versions (mine) or the
// server's, or for notes both texts in one (both).
type settlement struct {
	conflicts  []Conflict
	mine, both bool
}

// Resolve settles conflicts Live reported: with mine, this replica's versions are sent again and
// replace the server's; without, the server's replace the replica's and its changes of those
// rows are dropped. It is done on Live's goroutine, with a sync after, once the server is
// reached; the states that follow say what came of it.
func (l *Live) Resolve(conflicts []Conflict, mine bool) {
	l.settleWith(settlement{conflicts: slices.Clone(conflicts), mine: mine})
}

// KeepBoth settles the conflicts over notes among conflicts by keeping both texts: the note
// becomes this replica's text, then the server's under a rule and a heading (BothNotes), sent
// over the server's. Other conflicts are left as they are. It is done as Resolve's choice is.
func (l *Live) KeepBoth(conflicts []Conflict) {
	var notes []Conflict
	for _, c := range conflicts {
		if c.Kind == "note" {
			notes = append(notes, c)
		}
	}
	l.settleWith(settlement{conflicts: notes, mine: true, both: true})
}

func (l *Live) settleWith(s settlement) {
	select {
	case l.settle <- s:
	case <-l.done:
	}
}

// resolve carries out a settlement: for the server's versions, the replica's changes are
// dropped (the pull after writes the server's); for the replica's, it records the server's
// revision of each row as seen, so that the push after replaces it, a note kept both ways
// written first as both texts. A key or name another row has on the server is no conflict told:
// Push renames or merges the row itself (renameTaken, mergeTag, the adopt functions).
func (l *Live) resolve(ctx context.Context, s settlement) error {
	if !s.mine {
		for _, c := range s.conflicts {
			if err := l.lib.DropChange(ctx, c.Kind, c.ID); err != nil {
				return err
			}
		}
		return nil
	}
	conn, err := l.srv.connect(ctx)
	if err != nil {
		return unreachable(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := useSchema(ctx, conn, false); err != nil {
		return err
	}
	for _, c := range s.conflicts {
		t, ok := deleteTables[c.Kind]
		if !ok {
			continue
		}
		var rev int64
		var body pgtype.Text
		var modified pgtype.Int8
		query := `SELECT rev, NULL::text, NULL::bigint FROM ` + t[0] + ` WHERE ` + t[1] + ` = $1`
		if c.Kind == "note" {
			query = `SELECT rev, CASE WHEN deleted THEN NULL ELSE body END, modified FROM notes WHERE entry_id = $1`
		}
		err := queryRow(ctx, conn, query, pgUUID(c.ID)).Scan(&rev, &body, &modified)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err == nil && s.both && body.Valid {
			err = l.keepBothNotes(ctx, c, body.String, time.UnixMilli(modified.Int64))
		}
		if err == nil {
			err = l.lib.SetSeen(ctx, c.Kind, c.ID, rev)
		}
		if err != nil {
			return fmt.Errorf("keep this computer's %s %q: %w", c.Kind, c.What, err)
		}
	}
	return nil
}

// errDiscardOffline is LiveState.DiscardErr for a discard asked for while the server is out of
// reach: it is not kept for the next connection, when the member may have made changes they did
// not choose to let go; they choose again.
var errDiscardOffline = fmt.Errorf("%w: nothing was discarded", ErrUnreachable)

// Discard lets go of the changes the server refused (LiveState.Refused of the state whose Mark
// is mark): the replica's changes but the member's flags are dropped and the server's versions
// written over them (see the function Discard), unless a change was made since that state. It is
// done on Live's goroutine, between its syncs, if the server is reached; the state that follows
// has no changes refused and says how many went (Discarded), or says why none went (DiscardErr).
// A discard asked for while another waits is the same wish, and is not asked twice.
func (l *Live) Discard(mark storage.ChangesMark) {
	select {
	case l.discard <- mark:
	case <-l.done:
	default: // one waits already
	}
}

// discardRefused carries out Discard. A server out of reach ends the session (the error
// returned), and the wish is not kept; any failure is reported in DiscardErr.
func (l *Live) discardRefused(ctx context.Context, mark storage.ChangesMark) error {
	st := l.state
	st.Err = nil
	start := time.Now()
	d, err := DiscardMarked(ctx, l.srv, l.lib, &mark)
	st.DiscardEnded = true
	switch {
	case errors.Is(err, ErrUnreachable):
		l.state.DiscardEnded, l.state.DiscardErr = true, errDiscardOffline
		return err
	case errors.Is(err, storage.ErrChangedSince):
		st.DiscardErr = err // the changes made since are pushed, and refused, after
	case err != nil:
		st.Err, st.DiscardErr = err, err
	default:
		st.Refused, st.Discarded, st.Pulled, st.Took = nil, d.Changes, d.Pulled, time.Since(start)
	}
	if cerr := l.count(ctx, &st); cerr != nil {
		// The session ends; the state said next still tells the window the discard ended.
		l.state = st
		return cerr
	}
	if err == nil {
		l.stuck = 0 // the flags kept, if any wait, are pushed after
	} else if errors.Is(err, storage.ErrChangedSince) {
		l.stuck = -1
	}
	l.state = st
	l.say()
	return nil
}

// keepBothNotes writes the replica's note of the entry c names as its text and then the
// server's, theirs, written at modified.
func (l *Live) keepBothNotes(ctx context.Context, c Conflict, theirs string, modified time.Time) error {
	key, err := l.lib.SharedName(ctx, "note", c.ID)
	if err != nil {
		return err
	}
	mine, err := l.lib.Note(ctx, key)
	if err != nil {
		return err
	}
	return l.lib.SetNote(ctx, key, BothNotes(mine, theirs, modified))
}

// BothNotes is a note that keeps two texts of it, written at once on two computers: this
// computer's first, as it is, then a Markdown rule and a heading that says the other is the
// server's and when it was written (this computer's local time), then the server's. A text
// empty on either side (a note deleted) is the other alone; two alike are one.
func BothNotes(mine, theirs string, modified time.Time) string {
	m, t := strings.TrimSpace(mine), strings.TrimSpace(theirs)
	switch {
	case m == t || t == "":
		return mine
	case m == "":
		return theirs
	}
	return strings.TrimRight(mine, "\n") + "\n\n---\n\n## The server's version (another member's, written " +
		modified.Local().Format("2 January 2006 15:04") + ")\n\n" + strings.TrimLeft(theirs, "\n")
}
