package app

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// The window follows the changes that others make to its library: the command line (`bibshelf
// import`, `rename-key`, `lint --fix`...), another window on the same file, and any other
// program writing through Bibshelf's storage. The library's revision (storage's Revision, kept
// by the triggers of migration 0012) rises with every change to its entries, their fields,
// flags, tags, collections, notes, attachments and saved searches; the window reads it every
// followEvery, off the UI goroutine, and when it has risen without a change of the window's own,
// shows the library as it is now, as after a change of its own (afterChange): the list keeps its
// selection and scroll, the sidebar's counts follow, and the entry pane reads its entry again,
// keeping the text of the field being typed in.

// revisionReader reads a library's revision.
type revisionReader interface {
	Revision(ctx context.Context) (int64, error)
}

// followEvery is how often the window reads the library's revision.
const followEvery = 250 * time.Millisecond

// follower reads the library's revision and has the window show the changes others made.
type follower struct {
	u   *UI
	rev revisionReader
	// seen is the revision the window shows, or will once its last change is shown.
	seen   atomic.Int64
	cancel context.CancelFunc
	done   chan struct{} // closed when the goroutine has returned
	// now asks for a look at once: a shared library's sync has written to the replica.
	now  chan struct{}
	once sync.Once
}

// newFollower returns the follower of the window's library, or nil when the library has no
// revision (a test's implementation of Library).
func newFollower(u *UI) *follower {
	lib := u.lib
	for {
		switch l := lib.(type) {
		case aroundImports:
			lib = l.Library
			continue
		case revisionReader:
			return &follower{u: u, rev: l, done: make(chan struct{}), now: make(chan struct{}, 1)}
		}
		return nil
	}
}

// start reads the revision that the window's first list and sidebar show, and starts following.
// Call it before those are read.
func (f *follower) start() {
	if f == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	if r, err := f.rev.Revision(ctx); err == nil {
		f.seen.Store(r)
	}
	go f.run(ctx)
}

// stop stops following and waits for the goroutine to return. Further calls do nothing.
func (f *follower) stop() {
	if f == nil {
		return
	}
	f.once.Do(func() {
		if f.cancel != nil {
			f.cancel()
			<-f.done
		}
	})
}

// shown records that the window has shown the library after a change of its own: the revision
// is read on the work queue, after that change.
func (f *follower) shown() {
	if f == nil {
		return
	}
	f.u.work.run(func(ctx context.Context) {
		if r, err := f.rev.Revision(ctx); err == nil {
			f.seen.Store(r)
		}
	})
}

// lookNow has the follower read the revision at once rather than at its next look. It may be
// called from any goroutine.
func (f *follower) lookNow() {
	if f == nil {
		return
	}
	select {
	case f.now <- struct{}{}:
	default:
	}
}

func (f *follower) run(ctx context.Context) {
	defer close(f.done)
	tick := time.NewTicker(followEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-f.now:
		}
		// While the window's own changes run, the revision is theirs: they show the library
		// when they are done (see UI.busy, read again on the UI goroutine).
		if !f.u.work.idle() {
			continue
		}
		r, err := f.rev.Revision(ctx)
		if err != nil || r == f.seen.Load() {
			continue
		}
		fyneDo(func() {
			if ctx.Err() != nil || f.u.busy() {
				return // the next look tries again
			}
			if r == f.seen.Load() {
				return // a change of the window's own, shown since the look
			}
			f.seen.Store(r)
			f.u.afterChange(nil)
		})
	}
}

// busy reports whether the window is writing to the library: changes queued or running, imports
// and adds (which run beside the work queue). Each shows the library once it is done. Call it on
// the UI goroutine.
func (u *UI) busy() bool {
	return u.pending > 0 || !u.work.idle() || u.imports.running > 0 || u.adds.running > 0
}
