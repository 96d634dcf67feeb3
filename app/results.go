package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bibshelf/bibshelf/storage"
)

// resultSource is what the list of results reads from the library.
type resultSource interface {
	Count(ctx context.Context) (int, error)
	CountMatches(ctx context.Context, f storage.Filter, query string) (int, error)
	SearchWith(ctx context.Context, opts storage.SearchOptions) ([]storage.Row, error)
	Trashed(ctx context.Context, offset, limit int) ([]storage.Row, error)
}

// results runs the search whose rows the list shows, off the UI goroutine: the sidebar's
// selection and the search field's text, its first page, then its count, then the pages and
// keys the list asks for as it scrolls and selects. A newer search cancels the one running, and
// results that come too late are dropped. Its fields are used on the UI goroutine only.
type results struct {
	lib   resultSource
	list  *entryList
	where func() sideItem     // the sidebar's selection
	say   func(text string)   // the status line
	note  func() string       // what the status line adds (indexing for search)
	shown func(r shownResult) // a result has reached the list, or failed to

	query        string                // the search field's text
	generation   int                   // of the newest reload; older results are dropped
	listShown    int                   // the generation of the reload last shown
	pagesPending int                   // pages and keys asked for and not yet shown
	shownSearch  storage.SearchOptions // the search whose result the list shows
	// said is what the status line said of the last search: its first page's length, the
	// library's, and the count of its matches when the first page was full.
	said       struct{ matches, total, count int }
	searching  bool               // a reload is running
	stopSearch context.CancelFunc // cancels the running reload's search
	counting   int                // counts of results on their way
	stopCount  context.CancelFunc // cancels the newest count of results
	again      bool               // another reload was asked for while it ran
	againKeep  bool               // and all those asked to keep the selection
}

// shownResult is what a reload showed, for the entry pane's message.
type shownResult struct {
	err            error
	keep           bool // the selection was kept
	trash          bool // the list shows the trash
	matches, total int  // rows found (of the first page at most), entries in the library
}

func newResults(lib resultSource, list *entryList) *results {
	r := &results{lib: lib, list: list, againKeep: true}
	list.load = r.loadPage
	list.loadKeys = r.loadKeys
	list.onSort = r.reload
	return r
}

// idle reports whether the newest search, its count and every page asked for have been shown.
func (r *results) idle() bool {
	return !r.searching && r.counting == 0 && r.pagesPending == 0 && r.listShown == r.generation
}

// setQuery searches for the search field's new text.
func (r *results) setQuery(q string) {
	r.query = q
	r.reload()
}

// search returns what the list shows: the sidebar's selection, as a filter and for a saved
// search its query, and the search field's text, all of which must match.
func (r *results) search() (storage.Filter, string) {
	it := r.where()
	return it.filter, strings.TrimSpace(it.query + " " + r.query)
}

// reload runs the current search off the UI goroutine and shows its first page; the selection
// is emptied.
func (r *results) reload() { r.reloadKeep(false) }

// reloadKeep reloads the list; with keep, the selection stays (after an edit, say). While a
// search runs, the reloads asked for meanwhile make one more search when it ends, for the
// newest text: typing never queues a search per keystroke, and never waits for one.
func (r *results) reloadKeep(keep bool) {
	if r.searching {
		// The running search's result is stale: stop it, and search again when it has ended.
		r.again = true
		r.againKeep = r.againKeep && keep
		r.stopSearch()
		return
	}
	if r.stopCount != nil {
		r.stopCount() // the count of a result that is about to be replaced
		r.stopCount = nil
	}
	r.searching = true
	ctx, cancel := context.WithCancel(context.Background())
	r.stopSearch = cancel
	r.generation++
	filter, query := r.search()
	gen := r.generation
	search := storage.SearchOptions{Filter: filter, Query: query, Sort: r.list.sort, Desc: r.list.desc, Limit: firstPage}
	trash := r.where().kind == kindTrash
	go func() {
		defer cancel()
		start := time.Now()
		var rows []storage.Row
		var matches int
		var err error
		if trash {
			rows, err = r.lib.Trashed(ctx, 0, -1) // the trash is small, and has no count
			matches = len(rows)
		} else {
			rows, err = r.lib.SearchWith(ctx, search)
			matches = len(rows)
		}
		took := time.Since(start)
		total, cerr := r.lib.Count(ctx)
		if err == nil {
			err = cerr
		}
		fyneDo(func() {
			r.searching = false
			if r.again {
				// The text changed while this ran: its result is stale already.
				r.again = false
				k := r.againKeep
				r.againKeep = true
				r.reloadKeep(k)
				return
			}
			if gen != r.generation {
				return // a newer search is on its way
			}
			if err != nil {
				r.say("Search failed: " + err.Error())
			} else if trash {
				r.list.setTrash(gen, rows, keep)
				r.say(trashStatusText(matches, r.query, took))
			} else {
				// The same search again after a change, whose counts are those said last, says
				// nothing: the status line keeps what an action said there (a file written, a
				// change undone) rather than the same count again.
				again := keep && search.Equal(r.shownSearch) && matches == r.said.matches && total == r.said.total
				r.said.matches, r.said.total = matches, total
				say := r.say
				if again {
					say = func(string) {}
				}
				shown := matches
				if keep && matches == firstPage && search.Equal(r.shownSearch) {
					// The same search after an edit: its length is still about right, and
					// keeps the selection and the scroll where they are until it is counted.
					shown = max(matches, r.list.total)
				}
				r.shownSearch = search
				r.list.setResult(gen, shown, rows, keep)
				if matches == firstPage {
					// The first page is on screen; how many more there are can follow.
					say(statusText(-1, total, true, took) + r.note())
					r.countMatches(gen, filter, query, total, took, again)
				} else {
					say(statusText(matches, total, query != "" || !filter.IsZero(), took) + r.note())
				}
			}
			r.listShown = gen
			r.shown(shownResult{err: err, keep: keep, trash: trash, matches: matches, total: total})
		})
	}()
}

// countMatches counts the result of reload gen off the UI goroutine, and gives the list its
// length when the count arrives.
func (r *results) countMatches(gen int, filter storage.Filter, query string, total int, took time.Duration, again bool) {
	r.counting++
	ctx, cancel := context.WithCancel(context.Background())
	r.stopCount = cancel
	go func() {
		defer cancel()
		start := time.Now()
		n, err := r.lib.CountMatches(ctx, filter, query)
		took += time.Since(start)
		fyneDo(func() {
			r.counting--
			if gen != r.generation {
				return
			}
			if err != nil {
				r.say("Count failed: " + err.Error())
				return
			}
			r.list.setTotal(gen, n)
			if again && n == r.said.count {
				return // the count said last, after the same search (see reloadKeep)
			}
			r.said.count = n
			r.say(statusText(n, total, query != "" || !filter.IsZero(), took) + r.note())
		})
	}()
}

// shows reports whether the list shows the result of the newest search (its first page at
// least). Call it on the UI goroutine.
func (r *results) shows() bool { return !r.searching && r.listShown == r.generation }

// loadKeys reads the keys of rows from to to of the list's result, for a selection that
// reaches beyond the pages the list holds.
func (r *results) loadKeys(gen, from, to int) {
	search := r.shownSearch
	search.Offset, search.Limit = from, to-from+1
	trash := r.where().kind == kindTrash
	if trash {
		return // the trash is read whole: every row is at hand
	}
	r.pagesPending++
	r.say("Selecting…")
	go func() {
		rows, err := r.lib.SearchWith(context.Background(), search)
		keys := make([]string, len(rows))
		for i, row := range rows {
			keys[i] = row.Key
		}
		fyneDo(func() {
			r.pagesPending--
			if err != nil {
				r.say("Could not select: " + err.Error())
				return
			}
			r.list.addSelection(gen, keys)
			r.say(fmt.Sprintf("%s selected", rowsText(len(r.list.selected))))
		})
	}()
}

// loadPage reads one page of the list's result off the UI goroutine.
func (r *results) loadPage(gen, page int) {
	search := r.shownSearch // the search of the result shown, even when the text has changed since
	search.Offset, search.Limit = page*pageRows, pageRows
	r.pagesPending++
	go func() {
		rows, err := r.lib.SearchWith(context.Background(), search)
		fyneDo(func() {
			r.pagesPending--
			if err != nil {
				r.say("Could not read the list: " + err.Error())
				return
			}
			r.list.setPage(gen, page, rows)
		})
	}()
}
