//go:build unix

package storage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWriteFileModes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	kept := filepath.Join(dir, "kept.bib")
	if err := os.WriteFile(kept, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(kept, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(ctx, kept, writeString("new")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(kept); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("an existing file's mode became %v (%v), want 0640", fi.Mode(), err)
	}
	// New files: 0644 less the umask, which is the process's.
	for _, tt := range []struct {
		umask int
		want  fs.FileMode
	}{{0o022, 0o644}, {0o077, 0o600}, {0o002, 0o644}} {
		was := syscall.Umask(tt.umask)
		path := filepath.Join(dir, "new.bib")
		os.Remove(path)
		err := WriteFile(ctx, path, writeString("new"))
		syscall.Umask(was)
		if err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != tt.want {
			t.Errorf("umask %03o: a new file's mode is %v (%v), want %v", tt.umask, fi.Mode(), err, tt.want)
		}
	}
}

// TestWriteFileFollowsSymlinks writes through links: the file they point to gets the content,
// and the links stay.
func TestWriteFileFollowsSymlinks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "papers"), 0o755); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(dir, "papers", "refs.bib")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "refs.bib")
	chain := filepath.Join(dir, "chain.bib")
	dangling := filepath.Join(dir, "dangling.bib")
	loop := filepath.Join(dir, "loop.bib")
	for name, dest := range map[string]string{link: "papers/refs.bib", chain: "refs.bib", dangling: "papers/new.bib", loop: "loop.bib"} {
		if err := os.Symlink(dest, name); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{link, chain} {
		if err := WriteFile(ctx, path, writeString("via "+filepath.Base(path))); err != nil {
			t.Fatal(err)
		}
		if got := readString(t, real); got != "via "+filepath.Base(path) {
			t.Errorf("writing %s: the file it points to holds %q", filepath.Base(path), got)
		}
		if fi, err := os.Lstat(path); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer a link: %v, %v", filepath.Base(path), fi.Mode(), err)
		}
	}
	if err := WriteFile(ctx, dangling, writeString("made")); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, filepath.Join(dir, "papers", "new.bib")); got != "made" {
		t.Errorf("a link to nothing: the file it names holds %q", got)
	}
	if err := WriteFile(ctx, loop, writeString("x")); err == nil || !strings.Contains(err.Error(), "symbolic links") {
		t.Errorf("a link to itself: %v", err)
	}
	// A link to a library is a library.
	l := mustOpen(t)
	toLib := filepath.Join(dir, "lib.bib")
	if err := os.Symlink(l.Path(), toLib); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(ctx, toLib, writeString("x")); !errors.Is(err, ErrDatabaseFile) {
		t.Errorf("a link to a library: %v, want ErrDatabaseFile", err)
	}
	if names := dirNames(t, filepath.Join(dir, "papers")); !slices.Equal(names, []string{"new.bib", "refs.bib"}) {
		t.Errorf("papers/ holds %q", names)
	}
}

// TestWriteFileHardLinks writes one name of a file with two: both names see the new content, and
// they stay one file.
func TestWriteFileHardLinks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.bib"), filepath.Join(dir, "b.bib")
	if err := os.WriteFile(a, []byte(strings.Repeat("a long old content\n", 100)), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(a, b); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(ctx, a, writeString("short\n")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{a, b} {
		if got := readString(t, p); got != "short\n" {
			t.Errorf("%s holds %.40q", filepath.Base(p), got)
		}
	}
	fa, _ := os.Stat(a)
	fb, _ := os.Stat(b)
	if !os.SameFile(fa, fb) || linkCount(a, fa) != 2 || fa.Mode().Perm() != 0o640 {
		t.Errorf("the links are no longer one file of mode 0640: %v %v, %d links", fa.Mode(), fb.Mode(), linkCount(a, fa))
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"a.bib", "b.bib"}) {
		t.Errorf("the folder holds %q", names)
	}
}

// TestWriteFileRefusesIrregular: a named pipe, a device and a folder are refused at once (opening
// a pipe to write would wait for a reader), and stay what they were.
func TestWriteFileRefusesIrregular(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.bib")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	toFifo := filepath.Join(dir, "link.bib")
	if err := os.Symlink("pipe.bib", toFifo); err != nil {
		t.Fatal(err)
	}
	for path, kind := range map[string]string{fifo: "named pipe", toFifo: "named pipe", "/dev/null": "character device", dir: "folder"} {
		done := make(chan error, 1)
		go func() { done <- WriteFile(ctx, path, writeString("x")) }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegularFile) || !strings.Contains(err.Error(), kind) {
				t.Errorf("WriteFile(%s) = %v; want ErrNotRegularFile saying %q", path, err, kind)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("WriteFile(%s) blocks", path)
		}
	}
	// Named as SQLite's -wal beside the pipe: WriteFile looks whether the pipe is a database,
	// without opening it to read, which would wait for a writer.
	done := make(chan error, 1)
	go func() { done <- WriteFile(ctx, fifo+"-wal", writeString("x")) }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("WriteFile(beside a pipe) = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WriteFile(beside a pipe) blocks")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the pipe is now %v (%v)", fi.Mode(), err)
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("/dev/null is now %v (%v)", fi.Mode(), err)
	}
}

func TestWriteFileRefusesReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may write any file")
	}
	path := filepath.Join(t.TempDir(), "frozen.bib")
	if err := os.WriteFile(path, []byte("old"), 0o444); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(context.Background(), path, writeString("new")); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("WriteFile(a read-only file) = %v; want fs.ErrPermission", err)
	}
	if got := readString(t, path); got != "old" {
		t.Errorf("the file holds %q", got)
	}
}

// TestWriteFileChild is the process TestWriteFileInterrupted stops: it writes to the target
// slowly, for ever, and stops on Ctrl+C (SIGINT) as the command line does.
func TestWriteFileChild(t *testing.T) {
	target := os.Getenv("BIBSHELF_WRITEFILE_TARGET")
	if target == "" {
		t.Skip("a helper process of TestWriteFileInterrupted")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := WriteFile(ctx, target, func(w io.Writer) error {
		for {
			if _, err := io.WriteString(w, strings.Repeat("@misc{x, title = {An entry}}\n", 3000)); err != nil {
				return err
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
	// The parent reads this.
	os.Stdout.WriteString("WriteFile: " + err.Error() + "\n")
}

// TestWriteFileInterrupted stops a process in the middle of a WriteFile: with Ctrl+C, it removes
// its temporary file itself; killed, it leaves it, and the next WriteFile into the folder
// removes it. The target is never touched.
func TestWriteFileInterrupted(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "refs.bib")
	if err := os.WriteFile(target, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// start runs the child and returns once its temporary file is there and growing.
	start := func() (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestWriteFileChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "BIBSHELF_WRITEFILE_TARGET="+target)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if temps := tempsIn(t, dir); len(temps) == 1 {
				if fi, err := os.Stat(filepath.Join(dir, temps[0])); err == nil && fi.Size() > 64<<10 {
					return cmd, &out
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child made no temporary file:\n%s", out.String())
		return nil, nil
	}

	cmd, out := start()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after Ctrl+C: %v\n%s", err, out)
	}
	if !strings.Contains(out.String(), "WriteFile: write "+target+": context canceled") {
		t.Errorf("after Ctrl+C the child said:\n%s", out)
	}
	if temps := tempsIn(t, dir); len(temps) != 0 {
		t.Errorf("after Ctrl+C the folder holds %q", temps)
	}

	cmd, _ = start()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if temps := tempsIn(t, dir); len(temps) != 1 || !strings.Contains(temps[0], "-"+strconv.Itoa(cmd.Process.Pid)+"-") {
		t.Fatalf("a killed writer left %q, want its temporary file, named with its pid", temps)
	}
	if got := readString(t, target); got != "old\n" {
		t.Errorf("the target holds %.40q", got)
	}
	if err := WriteFile(context.Background(), filepath.Join(dir, "other.bib"), writeString("x")); err != nil {
		t.Fatal(err)
	}
	if temps := tempsIn(t, dir); len(temps) != 0 {
		t.Errorf("the next write left %q", temps)
	}
}

func tempsIn(tb testing.TB, dir string) []string {
	var temps []string
	for _, name := range dirNames(tb, dir) {
		if _, _, ok := parseTemp(name); ok {
			temps = append(temps, name)
		}
	}
	return temps
}
