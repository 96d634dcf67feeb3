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

// processTime returns the CPU time of the whole process so far, every thread's (its garbage
// collector's, SQLite's, the other goroutines').
func processTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
