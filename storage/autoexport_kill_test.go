package storage

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
)

// TestAutoExportKillChild's process reads these: the library and the target it rewrites.
const (
	killLibraryEnv = "BIBSHELF_KILL_LIBRARY"
	killTargetEnv  = "BIBSHELF_KILL_TARGET"
)

// TestAutoExportKillChild is the process TestAutoExportKill kills: it rewrites a target in a
// loop, switching its dialect each time, so that every run writes the whole file anew.
func TestAutoExportKillChild(t *testing.T) {
	libPath, target := os.Getenv(killLibraryEnv), os.Getenv(killTargetEnv)
	if libPath == "" || target == "" {
		t.Skip("a helper process of TestAutoExportKill")
	}
	ctx := context.Background()
	id, err := strconv.ParseInt(target, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(ctx, libPath)
	if err != nil {
		t.Fatal(err)
	}
	a := NewAutoExporter(l, nil)
	for i := 0; ; i++ {
		tg, err := l.ExportTarget(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		tg.Dialect = []bib.Dialect{bib.AsWritten, bib.BibLaTeX}[i%2]
		if err := l.UpdateExportTarget(ctx, tg); err != nil {
			t.Fatal(err)
		}
		sts, err := a.RunTargets(ctx, RunOptions{}, id)
		if err != nil || sts[0].Err != nil {
			t.Fatal(sts, err)
		}
	}
}

// TestAutoExportKill kills, with SIGKILL at random moments, a process that rewrites a large
// target over and over: the file must always hold exactly one of the two contents it is
// written with, never a mix of them nor a part of one.
func TestAutoExportKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a process thirty times")
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}
	ctx := context.Background()
	dir := t.TempDir()
	libPath := filepath.Join(dir, "lib.sqlite")
	l, err := Open(ctx, libPath)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 5000, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Import(ctx, bib.Parse("synthetic.bib", src.Bytes())); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "refs.bib")
	tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	var valid [2]string
	for i, d := range []bib.Dialect{bib.AsWritten, bib.BibLaTeX} {
		valid[i], _ = exportText(t, l, ExportOptions{ByKey: true, WriteOptions: bib.WriteOptions{Dialect: d}})
	}
	if valid[0] == valid[1] || len(valid[0]) < 1<<20 {
		t.Fatalf("the two contents: %d and %d bytes", len(valid[0]), len(valid[1]))
	}
	if sts, err := l.RunExportTargets(ctx, RunOptions{}, tg.ID); err != nil || sts[0].Err != nil {
		t.Fatal(sts, err)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	seen := map[int]int{}
	const rounds = 30
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAutoExportKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), killLibraryEnv+"="+libPath, killTargetEnv+"="+fmt.Sprint(tg.ID))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The child opens the library in some tens of milliseconds, then writes the file every
		// few tens: kills land before, during and between writes.
		time.Sleep(time.Duration(100+rng.IntN(900)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("round %d: the child ended before the kill: %v\n%s", round, err, out.String())
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		switch string(got) {
		case valid[0]:
			seen[0]++
		case valid[1]:
			seen[1]++
		default:
			t.Fatalf("round %d: the file holds neither content (%d bytes; %d and %d expected)", round, len(got), len(valid[0]), len(valid[1]))
		}
	}
	t.Logf("%d rounds: as written %d times, BibLaTeX %d times", rounds, seen[0], seen[1])
	// What the killed processes left is cleaned up by the next write into the folder.
	tgNow, err := l.ExportTarget(ctx, tg.ID)
	if err != nil {
		t.Fatal(err)
	}
	tgNow.Dialect = bib.BibTeX
	if err := l.UpdateExportTarget(ctx, tgNow); err != nil {
		t.Fatal(err)
	}
	if sts, err := l.RunExportTargets(ctx, RunOptions{}, tg.ID); err != nil || sts[0].Err != nil {
		t.Fatal(sts, err)
	}
	// A killed child's process id may already be another process's on a busy machine: its file
	// is then rightly kept, as that of a process that may still be writing. That process may
	// have ended since the write looked: the next write's clean-up removes the file then.
	left, _ := filepath.Glob(filepath.Join(dir, ".refs.bib"+tempMark+"*"))
	if len(left) > 0 {
		removeStaleTemps(dir)
		left, _ = filepath.Glob(filepath.Join(dir, ".refs.bib"+tempMark+"*"))
	}
	for _, name := range left {
		if _, pid, ok := parseTemp(filepath.Base(name)); ok && processAlive(pid) {
			t.Logf("kept: %s (its process id is in use again)", name)
			continue
		}
		t.Errorf("temporary file left: %s", name)
	}
}
