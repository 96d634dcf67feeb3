package main

import (
	"runtime/debug"
	"testing"
)

// TestTightenGC: imports that overlap lower GOGC once, the last puts back what was there, and a
// lower setting is left alone.
func TestTightenGC(t *testing.T) {
	was := debug.SetGCPercent(100)
	defer debug.SetGCPercent(was)
	first := tightenGC()
	second := tightenGC()
	if got := debug.SetGCPercent(-1); got != importGCPercent {
		t.Errorf("GOGC during two imports = %d, want %d", got, importGCPercent)
	}
	debug.SetGCPercent(importGCPercent)
	first()
	if got := debug.SetGCPercent(importGCPercent); got != importGCPercent {
		t.Errorf("GOGC after the first of two imports = %d, want %d", got, importGCPercent)
	}
	second()
	if got := debug.SetGCPercent(10); got != 100 {
		t.Errorf("GOGC after both imports = %d, want 100", got)
	}
	restore := tightenGC()
	if got := debug.SetGCPercent(10); got != 10 {
		t.Errorf("GOGC during an import with GOGC=10 = %d, want 10 left alone", got)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 10 {
		t.Errorf("GOGC after an import with GOGC=10 = %d, want 10", got)
	}
}
