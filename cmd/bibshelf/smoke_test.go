package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/bibshelf/bibshelf/storage"
)

// TestSmokeWindow opens the real window on a new default library (which it must fill with the
// sample library) and checks the --screenshot render: the right size, many colours, and rows of
// text in the entry list.
func TestSmokeWindow(t *testing.T) {
	bin := smokeBinary(t)
	dir := t.TempDir()
	shot := filepath.Join(dir, "main.png")
	log := runWindowFor(t, dir, bin, "--screenshot", shot, "--size", "1100x700")
	if !regexp.MustCompile(`screenshot: .* 1100x700, 56 entries listed`).MatchString(log) {
		t.Errorf("the window did not list the 56 sample entries")
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "bibshelf", "library.sqlite")); err != nil {
		t.Errorf("default library not created in $XDG_DATA_HOME: %v", err)
	}

	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", shot, err)
	}
	if b := img.Bounds(); b.Dx() != 1100 || b.Dy() != 700 {
		t.Errorf("screenshot is %dx%d, want 1100x700", b.Dx(), b.Dy())
	}
	n := colours(img)
	if n < 64 {
		t.Errorf("screenshot has %d colours: not a real render", n)
	}
	// The entry list is the middle of the window: count the lines of text crossing it.
	lines := textLines(img, 0.25, 0.45)
	if lines < 12 {
		t.Errorf("the entry list shows %d lines of text, want at least 12", lines)
	}
	t.Logf("%d colours, %d lines of text in the entry list", n, lines)
}

// smokeBinary builds the real binary once for the smoke tests; they need an X display, which
// ./dev test starts (Xvfb).
func smokeBinary(t *testing.T) string {
	t.Helper()
	if os.Getenv("DISPLAY") == "" || runtime.GOOS != "linux" {
		if os.Getenv("CI") != "" {
			t.Fatal("no X display: run the smoke test through ./dev test, which starts Xvfb")
		}
		t.Skip("no X display (./dev test starts Xvfb)")
	}
	smoke.once.Do(func() {
		dir, err := os.MkdirTemp("", "bibshelf-smoke-")
		if err != nil {
			smoke.err = err
			return
		}
		smoke.bin = filepath.Join(dir, "bibshelf")
		build := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", smoke.bin, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=1")
		if out, err := build.CombinedOutput(); err != nil {
			smoke.err = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if smoke.err != nil {
		t.Fatal(smoke.err)
	}
	return smoke.bin
}

var smoke struct {
	once sync.Once
	bin  string
	err  error
}

// runWindowFor runs the window with the arguments, a new user folder in dir, and returns what it
// printed; it fails the test if the run fails or a widget was changed off the UI goroutine.
func runWindowFor(t *testing.T, dir, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"BIBSHELF_LIBRARY=", "FYNE_SCALE=1", "LANG=en_US.UTF-8")
	out, err := cmd.CombinedOutput()
	log := string(out)
	t.Logf("output:\n%s", log)
	if err != nil {
		t.Fatalf("bibshelf %s: %v", strings.Join(args, " "), err)
	}
	if strings.Contains(log, "Error in Fyne call thread") {
		t.Error("a widget was changed off the UI goroutine (Error in Fyne call thread)")
	}
	return log
}

// TestSmokeEntryPane opens the window with an entry selected, on each tab of the entry pane.
func TestSmokeEntryPane(t *testing.T) {
	bin := smokeBinary(t)
	dir := t.TempDir()
	for _, tab := range []string{"info", "notes", "bibtex", "attachments"} {
		shot := filepath.Join(dir, tab+".png")
		log := runWindowFor(t, dir, bin, "--select", "vinyals2015pointer", "--tab", tab, "--screenshot", shot, "--size", "1100x700")
		if !strings.Contains(log, "56 entries listed") {
			t.Errorf("%s: the window did not list the sample", tab)
		}
	}
}

// TestSmokeWindow100k opens the window on a library of 100,000 generated entries with one of
// them selected, and reports the time to the first complete frame and the resident memory.
func TestSmokeWindow100k(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a library of 100,000 entries")
	}
	bin := smokeBinary(t)
	dir := t.TempDir()
	var src bytes.Buffer
	if err := bibtest.Synthetic(&src, 100_000, 1); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "100k.sqlite")
	lib, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := lib.Search(context.Background(), "", 99_999, 1)
	if err == nil {
		_, err = lib.Import(context.Background(), bib.Parse("synthetic.bib", src.Bytes()))
	}
	if err == nil {
		rows, err = lib.Search(context.Background(), "", 99_999, 1)
	}
	lib.Close()
	if err != nil || len(rows) != 1 {
		t.Fatalf("make the library: %v", err)
	}
	shot := filepath.Join(dir, "100k.png")
	log := runWindowFor(t, dir, bin, "--library", path, "--select", rows[0].Key, "--tab", "info", "--screenshot", shot)
	if !strings.Contains(log, "100000 entries listed") {
		t.Errorf("the window did not list the 100,000 entries")
	}
}

func colours(img image.Image) int {
	seen := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[r>>8<<16|g>>8<<8|bl>>8] = true
		}
	}
	return len(seen)
}

// textLines counts the bands of pixel rows, between the fractions x0 and x1 of the width, that
// hold pixels much lighter or darker than the band's background: lines of text.
func textLines(img image.Image, x0, x1 float64) int {
	b := img.Bounds()
	lum := func(x, y int) int {
		r, g, bl, _ := img.At(x, y).RGBA()
		return int(r>>8)*3 + int(g>>8)*6 + int(bl>>8)
	}
	lines, inText := 0, false
	for y := b.Min.Y; y < b.Max.Y; y++ {
		bg := lum(b.Min.X+int(x0*float64(b.Dx())), y)
		ink := 0
		for x := b.Min.X + int(x0*float64(b.Dx())); x < b.Min.X+int(x1*float64(b.Dx())); x++ {
			if d := lum(x, y) - bg; d > 800 || d < -800 {
				ink++
			}
		}
		text := ink >= 3
		if text && !inText {
			lines++
		}
		inText = text
	}
	return lines
}
