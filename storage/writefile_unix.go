//go:build unix

package storage

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// processAlive reports whether a process with this id runs on this machine (one of another
// user's counts).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// linkCount returns the number of hard links of the file fi describes.
func linkCount(_ string, fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// keepOwner gives f the owner and group of the file old describes, as far as the process may:
// anyone may give a file a group they are in; only root may give it another owner.
func keepOwner(f *os.File, old fs.FileInfo) {
	want, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	now, err := f.Stat()
	if err != nil {
		return
	}
	if have, ok := now.Sys().(*syscall.Stat_t); ok && have.Uid == want.Uid && have.Gid == want.Gid {
		return
	}
	// Either may be refused (another owner, a group the user is not in): the file then keeps
	// what the process may give it, as cp -p does.
	if f.Chown(int(want.Uid), int(want.Gid)) != nil {
		_ = f.Chown(-1, int(want.Gid))
	}
}

// syncDir syncs a folder, so that a rename in it outlives a crash. It is best effort, after the
// rename that wrote the file: some file systems refuse to sync a folder, and the rename then
// waits for the system's next flush.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = fsync(d)
		_ = d.Close() // opened to read: closing it loses nothing
	}
}

// replaceFile renames tmp over target.
func replaceFile(tmp, target string) error { return os.Rename(tmp, target) }

// heldOpen reports whether err says that another program holds the file open: never on Unix,
// where an open file can be replaced.
func heldOpen(error) bool { return false }

// sharedOpen reports whether err, from opening a file, says that another program holds it open:
// never on Unix.
func sharedOpen(error) bool { return false }

// fileID tells a file from another beside its size and modification time: the device and
// inode it is, and when its inode last changed (ctime: any write, rename or change of its
// modification time sets it, and no program can set it back). Zero when unknown.
type fileID struct {
	dev, ino uint64
	ctime    int64 // Unix nanoseconds; 0 where the system's stat does not say (statCtime)
}

// fileIdentity returns the identity of the file fi describes.
func fileIdentity(fi fs.FileInfo) fileID {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino), ctime: statCtime(st)}
}
