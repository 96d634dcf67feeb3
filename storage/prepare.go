package storage

import (
	"fmt"
	"sync"

	"github.com/bibshelf/bibshelf/bib"
)

// preparedEntry is what an import makes of an entry without the database.
type preparedEntry struct {
	row    []any // entryRow, with the fields JSON as bytes in js
	js     *[]byte
	ident  identity
	words  []keyword
	macros []string // the macro names its values use
	refs   []string // the keys its reference fields name (see references)
	err    error    // the preparing goroutine failed: the import stops with this
}

// fieldsBuffers holds the buffers of the fields JSON of entries being imported. The JSON is the
// largest value of a row and the driver copies it: reusing its buffer halves the garbage of an
// import, and so its collections.
var fieldsBuffers = sync.Pool{New: func() any { return new([]byte) }}

func prepareEntry(e *bib.Entry, tagger *keywordTagger) preparedEntry {
	l := listingOf(e)
	p := preparedEntry{ident: identifyListed(e, l), js: fieldsBuffers.Get().(*[]byte)}
	if alone := sourceFields(e); alone != nil {
		*p.js = appendShortFieldsJSON((*p.js)[:0], e.Fields, alone)
	} else {
		*p.js = appendFieldsJSON((*p.js)[:0], e.Fields)
	}
	p.row = entryValues(e, l, *p.js)
	if !e.Standalone {
		p.macros = e.MacroNames()
	}
	p.refs = references(e)
	if tagger != nil {
		p.words = tagger.words(e)
	}
	return p
}

// done gives back p's buffer, once the row is written.
func (p *preparedEntry) done() {
	if p.js != nil {
		fieldsBuffers.Put(p.js)
		p.js = nil
	}
}

// preparedItem is an item of an import, with what prepareEntry made of it if it is an entry.
type preparedItem struct {
	it bib.Item
	p  preparedEntry
}

// prepareEntries reads the items an import keeps (all but the text between them) and prepares
// its entries, in order, on another goroutine: the Go side of an import (the parse, when the
// source is a Reader, then plain text, identity, JSON) runs while SQLite inserts the entries
// before. An entry without a key is left to the caller: its row depends on the key it gets. The
// channel is closed at the end of the items; stop ends the goroutine and waits for it.
func prepareEntries(src itemSource, tagger *keywordTagger) (<-chan preparedItem, func()) {
	out := make(chan preparedItem, 64)
	quit := make(chan struct{})
	done := make(chan struct{})
	next, nextDone := src.next, func() {}
	if src.parses {
		next, nextDone = readAhead(src.next, quit)
	}
	go func() {
		defer close(done)
		defer func() {
			// A panic here would end the process, past any recover of the importer's caller:
			// hand it to the import as an error instead.
			if r := recover(); r != nil {
				select {
				case out <- preparedItem{p: preparedEntry{err: fmt.Errorf("prepare entry: %v", r)}}:
				case <-quit:
				}
			}
			close(out)
		}()
		for {
			it, ok := next()
			if !ok {
				return
			}
			pi := preparedItem{it: it}
			switch it.Kind {
			case bib.KindText, bib.KindBad:
				continue
			case bib.KindEntry:
				if it.Entry.Key != "" {
					pi.p = prepareEntry(it.Entry, tagger)
				}
			}
			select {
			case out <- pi:
			case <-quit:
				return
			}
		}
	}()
	return out, func() {
		close(quit)
		<-done
		nextDone()
	}
}

// readAheadItems is how many items readAhead reads ahead of their use.
const readAheadItems = 256

// readAhead calls next on a goroutine of its own, which stops when next reports the end or quit
// is closed: a Reader parses the file while the entries before are prepared. It returns what
// gives the items in order (panicking with a panic of next), and what waits for the goroutine.
// The text between items is left out.
func readAhead(next func() (bib.Item, bool), quit <-chan struct{}) (func() (bib.Item, bool), func()) {
	type result struct {
		it    bib.Item
		panic any
	}
	ch := make(chan result, readAheadItems)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(ch)
		defer func() {
			if r := recover(); r != nil {
				select {
				case ch <- result{panic: r}:
				case <-quit:
				}
			}
		}()
		for {
			it, ok := next()
			if !ok {
				return
			}
			if it.Kind == bib.KindText {
				continue
			}
			select {
			case ch <- result{it: it}:
			case <-quit:
				return
			}
		}
	}()
	return func() (bib.Item, bool) {
			r, ok := <-ch
			if r.panic != nil {
				panic(r.panic)
			}
			return r.it, ok
		}, func() {
			<-done
		}
}
