package storage

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// ErrDatabaseFile is returned by WriteFile for a target that is a SQLite database (any Bibshelf
// library, open or not) or one of the files SQLite keeps beside one (-wal, -shm, -journal).
var ErrDatabaseFile = errors.New("it is a SQLite database, such as a Bibshelf library, which Bibshelf never writes over")

// ErrNotRegularFile is returned by WriteFile for a target that exists and is not a regular file:
// a folder, a named pipe, a device or a socket.
var ErrNotRegularFile = errors.New("not a regular file")

// WriteFile writes the file at path with what write writes to w: every file Bibshelf writes
// for the user (an export, a screenshot) goes through it. It guarantees:
//
//   - All or nothing. The content goes to a temporary file in the target's folder, which is
//     synced to disk (fsync) and renamed over the target; the folder is synced after the
//     rename where the system allows. Until the rename, the target is as it was; after it, it
//     has all of the new content, even after a crash.
//   - Symbolic links are followed: the file a link points to is written, and the link stays a
//     link. A link to nothing makes the file it names.
//   - An existing target keeps its permission bits and, as far as the process may set them, its
//     owner and group. A new file gets 0644 less the umask, as editors make files.
//   - A target with more than one hard link is written in place, so that every link sees the
//     new content: only once that content is complete and synced in the temporary file, then
//     copied over the target and synced. A crash during that copy can leave the target partly
//     written; should the copy fail, the complete new content is kept as TARGET.bibshelf-new
//     and the error says so.
//   - It never writes over a SQLite database, whether a Bibshelf library, open or not, or
//     another program's, nor over the -wal, -shm or -journal file beside one (ErrDatabaseFile);
//     nor over anything but a regular file: a folder, a named pipe, a device (ErrNotRegularFile).
//     A target the process may not write is refused as the system refuses it. Refused, nothing
//     is written.
//   - On Windows, a target another program holds open (an editor such as TeXstudio) makes the
//     rename fail for a moment: it is tried again for up to renameWait before the error says
//     which program to close.
//   - It cleans up after itself. The temporary file is removed when write fails, when ctx is
//     done (the command line cancels it on Ctrl+C, which makes w fail), and when any later step
//     fails. Its name, .NAME.bibshelf-HOST-PID-RANDOM.tmp, says which machine and process made
//     it: one that a killed process left behind is removed by the next WriteFile into the same
//     folder, on the same machine, once that process is gone.
//
// The folder must exist and be writable. On a failure the error says "write PATH: ...", and it
// matches ctx.Err() when ctx was done.
func WriteFile(ctx context.Context, path string, write func(w io.Writer) error) (err error) {
	return writeFile(ctx, path, write, nil)
}

// writeFile is WriteFile calling ready, when not nil, once the new content is complete and
// synced, right before it replaces the target's: an error from it leaves the target as it was.
func writeFile(ctx context.Context, path string, write func(w io.Writer) error, ready func() error) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	if err := ctx.Err(); err != nil {
		return err
	}
	target, old, err := checkTarget(path)
	if err != nil {
		return err
	}
	exists := old != nil
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	removeStaleTemps(dir)
	perm := fs.FileMode(0o644) // the system takes the umask off
	if exists {
		perm = 0o600 // until it has the target's
	}
	tmp, err := createTemp(dir, base, perm)
	if err != nil {
		return err
	}
	kept, closed := false, false
	defer func() {
		if !kept {
			// What failed is the error; the temporary file left behind would be another.
			if !closed {
				if cerr := tmp.Close(); cerr != nil {
					err = errors.Join(err, fmt.Errorf("close temporary file: %w", cerr))
				}
			}
			if rerr := os.Remove(tmp.Name()); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
				err = errors.Join(err, fmt.Errorf("remove temporary file: %w", rerr))
			}
		}
		temps.Lock()
		delete(temps.mine, tmp.Name())
		temps.Unlock()
	}()

	bw := bufio.NewWriterSize(ctxWriter{ctx, tmp}, 64<<10)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return err
	}
	if exists {
		keepOwner(tmp, old)
		if err := tmp.Chmod(old.Mode().Perm()); err != nil {
			return err
		}
	}
	if err := fsync(tmp); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil { // the last moment to back out
		return err
	}
	if ready != nil {
		if err := ready(); err != nil {
			return err
		}
	}
	if exists && linkCount(target, old) > 1 {
		touched, err := overwrite(target, tmp)
		if err != nil && touched {
			// The new content is complete and synced: a failure to close it changes nothing.
			cerr := tmp.Close()
			closed = true
			saved := target + ".bibshelf-new"
			if rerr := os.Rename(tmp.Name(), saved); rerr == nil {
				kept = true
				return fmt.Errorf("%w: %s may be incomplete; its new content is in %s", errors.Join(err, cerr), target, saved)
			}
		}
		return err
	}
	closed = true
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := replaceFile(tmp.Name(), target); err != nil {
		return err
	}
	kept = true
	// The file is written: a folder that cannot be synced (some file systems refuse) only
	// leaves the rename to the system's next flush, and is no failure to write it.
	syncDir(dir)
	return nil
}

// fsync syncs a file, or a folder, to disk: every sync WriteFile makes. A variable, so that a
// benchmark can tell the disk's time from the rest of a write.
var fsync = (*os.File).Sync

// ctxWriter fails once ctx is done.
type ctxWriter struct {
	ctx context.Context
	f   *os.File
}

func (w ctxWriter) Write(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	return w.f.Write(p)
}

// checkTarget returns the file a write to path writes (path with its links followed) and, if it
// exists, its FileInfo, after checking that WriteFile may replace it: a regular file, no
// database, and one the user may write.
func checkTarget(path string) (target string, old fs.FileInfo, err error) {
	target, err = followLinks(path)
	if err != nil {
		return "", nil, err
	}
	old, err = os.Stat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return target, nil, refuseDatabase(target, false)
	}
	if err != nil {
		return "", nil, err
	}
	if kind := irregular(old.Mode()); kind != "" {
		return "", nil, fmt.Errorf("%w: it is %s", ErrNotRegularFile, kind)
	}
	if err := refuseDatabase(target, true); err != nil {
		return "", nil, err
	}
	// As the shell's > would, refuse a file the user may not write, though the folder would
	// let a rename replace it.
	// A file another program holds open (Windows: a sharing violation) is no refusal: the
	// rename waits for it. A read-only one is, whatever else the system says of it.
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil && (old.Mode().Perm()&0o222 == 0 || !sharedOpen(err)) {
		return "", nil, err
	}
	if err == nil {
		if err := f.Close(); err != nil {
			return "", nil, err
		}
	}
	return target, old, nil
}

// followLinks follows the symbolic links path leads through, to the file they name, which may
// not exist. A relative link is taken from the link's folder as the system does, without
// cleaning ".." out of the path first.
func followLinks(path string) (string, error) {
	for range 40 {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) || err == nil && fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dir, _ := filepath.Split(path)
			dest = dir + dest
		}
		path = dest
	}
	return "", fmt.Errorf("too many symbolic links from %s", path)
}

// irregular says what a file that is not a regular file is, for an error; "" for a regular
// file.
func irregular(mode fs.FileMode) string {
	switch {
	case mode.IsRegular():
		return ""
	case mode.IsDir():
		return "a folder"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// refuseDatabase returns ErrDatabaseFile when target is a SQLite database or a file SQLite
// keeps beside one.
func refuseDatabase(target string, exists bool) error {
	if exists {
		if db, err := isDatabase(target); err != nil && !errors.Is(err, fs.ErrPermission) {
			return err
		} else if db {
			return ErrDatabaseFile
		}
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if main, ok := strings.CutSuffix(target, suffix); ok {
			// A main file that cannot be read is not known to be a database: the write goes on.
			if db, _ := isDatabase(main); db {
				return fmt.Errorf("%w (it belongs to %s)", ErrDatabaseFile, main)
			}
		}
	}
	return nil
}

// isDatabase reports whether the file at path starts as a SQLite database or its write-ahead
// log does. Only a regular file is read: opening a named pipe to read waits for a writer.
func isDatabase(path string) (bool, error) {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		if errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
		return false, err
	}
	head, err := readHeader(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	magic := binary.BigEndian.Uint32(head)
	return strings.HasPrefix(string(head), sqliteHeader) || magic == 0x377f0682 || magic == 0x377f0683, nil
}

// tempMark is in the name of every temporary file WriteFile makes:
// .NAME.bibshelf-HOST-PID-RANDOM.tmp.
const tempMark = ".bibshelf-"

// temps are the temporary files this process is writing, which removeStaleTemps must leave
// alone though their process is alive.
var temps = struct {
	sync.Mutex
	mine map[string]bool
}{mine: map[string]bool{}}

// hostTag names this machine in temporary files, so that a folder shared with another machine
// (a network drive) keeps the files of that machine's processes, which this one cannot see.
var hostTag = sync.OnceValue(func() string {
	host, _ := os.Hostname() // without a name, the tag of "": files of this machine still match
	return fmt.Sprintf("%08x", crc32.ChecksumIEEE([]byte(host)))
})

// createTemp makes a new temporary file for base in dir.
func createTemp(dir, base string, perm fs.FileMode) (*os.File, error) {
	// A long name leaves room for the rest within the usual 255 bytes.
	if len(base) > 100 {
		base = strings.ToValidUTF8(base[:100], "")
	}
	for range 100 {
		name := filepath.Join(dir, fmt.Sprintf(".%s%s%s-%d-%08x.tmp", base, tempMark, hostTag(), os.Getpid(), rand.Uint32()))
		temps.Lock()
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if err == nil {
			temps.mine[name] = true
		}
		temps.Unlock()
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("make a temporary file in %s: too many tries", dir)
}

// parseTemp returns the host tag and process id in the name of a temporary file of WriteFile's.
func parseTemp(name string) (host string, pid int, ok bool) {
	rest, ok := strings.CutSuffix(name, ".tmp")
	if !ok || !strings.HasPrefix(name, ".") {
		return "", 0, false
	}
	i := strings.LastIndex(rest, tempMark)
	if i < 1 {
		return "", 0, false
	}
	parts := strings.Split(rest[i+len(tempMark):], "-")
	if len(parts) != 3 {
		return "", 0, false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 {
		return "", 0, false
	}
	return parts[0], pid, true
}

// removeStaleTemps removes the temporary files that processes of this machine which are gone
// (killed, or crashed) left in dir. It is housekeeping for the write that calls it, which does
// not fail for it: a folder it cannot list, or a file it cannot remove, is left for the next.
func removeStaleTemps(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		host, pid, ok := parseTemp(e.Name())
		if !ok || host != hostTag() || !e.Type().IsRegular() {
			continue
		}
		name := filepath.Join(dir, e.Name())
		if pid == os.Getpid() {
			// An earlier process with this id (after a restart), unless this one writes it.
			temps.Lock()
			mine := temps.mine[name]
			temps.Unlock()
			if mine {
				continue
			}
		} else if processAlive(pid) {
			continue
		}
		os.Remove(name)
	}
}

// overwrite copies the complete, synced content of tmp over target, in place, and syncs it.
// touched says whether target may have been changed, which a failure to open it rules out.
func overwrite(target string, tmp *os.File) (touched bool, err error) {
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return false, err
	}
	out, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		return false, err
	}
	// Truncated at the end, not first: the target never looks empty in the meantime.
	n, err := io.Copy(out, tmp)
	if err == nil {
		err = out.Truncate(n)
	}
	if err == nil {
		err = fsync(out)
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return true, err
}
