package main

import (
	"runtime/debug"
	"sync"
)

// importGCPercent is the GOGC the process runs an import with: the import verb from its start
// to its end, the window while one of its imports runs (app.Options.AroundImport). The file
// being imported is in memory (its text, 131 MB for 100,000 entries, and, parsed whole, the
// entries that point into it: 200 MB), and with the default of 100 the heap grew to twice that
// before each collection. An import makes about 3 KB of garbage per entry, so collecting at a
// quarter above what is live costs about a dozen collections at 100,000 entries, and the heap
// stays near what the parse left. The garbage collector's target is the process's to set, not
// the storage package's: this is the one place that sets it.
const importGCPercent = 25

// gcTight counts the imports running with importGCPercent, so that the first sets it and the
// last puts back what was there.
var gcTight struct {
	sync.Mutex
	n   int
	was int
}

// tightenGC lowers the garbage collector's target to importGCPercent, unless it is lower or
// off, and returns what puts it back.
func tightenGC() (restore func()) {
	gcTight.Lock()
	defer gcTight.Unlock()
	if gcTight.n == 0 {
		gcTight.was = debug.SetGCPercent(importGCPercent)
		if gcTight.was < importGCPercent {
			debug.SetGCPercent(gcTight.was)
		}
	}
	gcTight.n++
	return func() {
		gcTight.Lock()
		defer gcTight.Unlock()
		if gcTight.n--; gcTight.n == 0 {
			// Put it back unless someone else has set it meanwhile.
			if now := debug.SetGCPercent(gcTight.was); now != importGCPercent && now != gcTight.was {
				debug.SetGCPercent(now)
			}
		}
	}
}
