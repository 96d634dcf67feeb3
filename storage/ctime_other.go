//go:build unix && !linux && !darwin

package storage

import "syscall"

// statCtime returns 0: the BSDs name the field each its own way; there the device
// and inode alone tell a file from another.
func statCtime(*syscall.Stat_t) int64 { return 0 }
