package app

import (
	"context"
	"fmt"
	"sync"
)

// searchIndexer adds to the search index the entries a large import left out of it
// (storage.ImportOptions.IndexLater): the import's report and its entries in the list come
// first, the words that find them a few seconds later. One run at a time, off the UI
// goroutine; a run asked for during one makes one more after it.
type searchIndexer struct {
	mu      sync.Mutex
	ended   *sync.Cond // on mu: broadcast when a run ends
	running bool
	again   bool
	ctx     context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup
}

func newSearchIndexer() *searchIndexer {
	x := &searchIndexer{}
	x.ended = sync.NewCond(&x.mu)
	x.ctx, x.stop = context.WithCancel(context.Background())
	return x
}

// indexForSearch indexes what the library has left to index, if anything (after an import, and
// at start for what an earlier session left), and says so in the status line meanwhile.
func (u *UI) indexForSearch() {
	x := u.indexer
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.ctx.Err() != nil {
		return // the window is closing
	}
	if x.running {
		x.again = true
		return
	}
	x.running = true
	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		indexed := 0
		var err error
		for {
			var n int
			if n, err = u.lib.PendingSearch(x.ctx); err == nil && n > 0 {
				fyneDo(func() {
					// Once the app has quit, fyne.Do runs a function at once, on the caller's
					// goroutine (those still queued then are dropped).
					if x.ctx.Err() != nil {
						return
					}
					u.indexingLeft = n
					u.results.reloadKeep(true) // its status says so
				})
			}
			// With no entry to index, the list's indexes an import left to later may still be
			// to make (its entries deleted since): IndexPending makes them, and finds nothing
			// to do, at the cost of a read, when nothing is pending.
			if err == nil {
				if err = u.lib.IndexPending(x.ctx); err == nil {
					indexed += n
				}
			}
			x.mu.Lock()
			if err != nil || !x.again || x.ctx.Err() != nil {
				x.running = false
				x.ended.Broadcast()
				x.mu.Unlock()
				break
			}
			x.again = false
			x.mu.Unlock()
		}
		if x.ctx.Err() != nil || (indexed == 0 && err == nil) {
			return
		}
		fyneDo(func() {
			if x.ctx.Err() != nil {
				return
			}
			u.indexingLeft = 0
			if err != nil {
				// The entries stay pending: the next import or start tries again.
				u.status.SetText("Indexing for search failed: " + err.Error())
				return
			}
			// The search shown may now find more.
			u.results.reloadKeep(true)
		})
	}()
}

// cancel ends a run of the indexer without waiting for it; no run starts after it.
func (x *searchIndexer) cancel() {
	x.mu.Lock()
	x.stop()
	x.mu.Unlock()
}

// wait returns once no run is going on. It must not be called on the UI goroutine.
func (x *searchIndexer) wait() {
	x.mu.Lock()
	for x.running {
		x.ended.Wait()
	}
	x.mu.Unlock()
}

// StopIndexing ends a run of the indexing for search and waits for it; what is left is indexed
// at the next start. It must not be called on the UI goroutine.
func (u *UI) StopIndexing() {
	u.indexer.cancel()
	u.indexer.wg.Wait()
}

// indexingNote is what the status line adds while entries wait to be indexed for search. Call
// it on the UI goroutine.
func (u *UI) indexingNote() string {
	if u.indexingLeft == 0 {
		return ""
	}
	return fmt.Sprintf(" · indexing %s new entries for search…", thousands(u.indexingLeft))
}
