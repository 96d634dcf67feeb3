package storage

import (
	"syscall"
	"time"
)

// threadTime is the CPU time of the calling thread (RUSAGE_THREAD), user and system.
func threadTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1, &ru); err != nil { // 1: RUSAGE_THREAD
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
