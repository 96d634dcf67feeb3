//go:build unix

package storage

import (
	"syscall"
	"time"
)

// processCPU returns the processor time the process has used so far, user and system, on all
// its threads.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
