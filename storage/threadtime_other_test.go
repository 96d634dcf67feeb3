//go:build !linux

package storage

import "time"

// threadTime is 0 where a thread's CPU time is not read (see the Linux version).
func threadTime() time.Duration { return 0 }

func processTime() time.Duration { return 0 }
