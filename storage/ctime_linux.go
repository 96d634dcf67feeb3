package storage

import "syscall"

// statCtime returns when the inode st describes last changed, in Unix nanoseconds.
func statCtime(st *syscall.Stat_t) int64 { return st.Ctim.Nano() }
