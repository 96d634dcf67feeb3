//go:build windows

package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// processAlive reports whether a process with this id runs on this machine.
func processAlive(pid int) bool {
	const queryLimitedInformation = 0x1000 // PROCESS_QUERY_LIMITED_INFORMATION
	h, err := syscall.OpenProcess(queryLimitedInformation, false, uint32(pid))
	if err != nil {
		// ERROR_INVALID_PARAMETER: no such process. Anything else (access denied): one runs.
		return !errors.Is(err, syscall.Errno(87))
	}
	defer syscall.CloseHandle(h)
	var code uint32
	if err := syscall.GetExitCodeProcess(h, &code); err != nil {
		return true
	}
	const stillActive = 259
	return code == stillActive
}

// linkCount returns the number of hard links of the file at path.
func linkCount(path string, _ fs.FileInfo) uint64 {
	f, err := os.Open(path)
	if err != nil {
		return 1
	}
	defer f.Close()
	var info syscall.ByHandleFileInformation
	if err := syscall.GetFileInformationByHandle(syscall.Handle(f.Fd()), &info); err != nil {
		return 1
	}
	return uint64(info.NumberOfLinks)
}

// keepOwner does nothing: a file made on Windows inherits its folder's permissions.
func keepOwner(*os.File, fs.FileInfo) {}

// syncDir does nothing: Windows cannot sync a folder, and its renames are journalled.
func syncDir(string) {}

// renameWait is how long replaceFile tries a rename that another program's open file refuses.
const renameWait = 2 * time.Second

// heldOpen reports whether err is Windows refusing a file that another program holds open:
// access denied (which MoveFileEx returns for a target open without FILE_SHARE_DELETE), a
// sharing or a lock violation.
func heldOpen(err error) bool {
	return errors.Is(err, syscall.Errno(5)) || sharedOpen(err)
}

// sharedOpen reports whether err, from opening a file, is a sharing or a lock violation: another
// program holds it open. Access denied is not: opening a file for writing, that is a read-only
// file or one the user may not write, and is refused as such (checkTarget).
func sharedOpen(err error) bool {
	return errors.Is(err, syscall.Errno(32)) || errors.Is(err, syscall.Errno(33))
}

// replaceFile renames tmp over target. While another program holds target open (TeXstudio does
// while it reads a .bib), Windows refuses the rename: it is tried again, a little later each
// time, for up to renameWait, and the error then says so.
func replaceFile(tmp, target string) error {
	deadline := time.Now().Add(renameWait)
	wait := 10 * time.Millisecond
	for {
		err := os.Rename(tmp, target)
		if err == nil || !heldOpen(err) {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w (another program, an editor perhaps, keeps the file open: close it and try again)", err)
		}
		time.Sleep(wait)
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// fileID would tell a file from another beside its size and modification time: Windows' stat
// does not say what, so it is never known there.
type fileID struct{}

// fileIdentity returns the zero fileID: unknown.
func fileIdentity(fs.FileInfo) fileID { return fileID{} }
