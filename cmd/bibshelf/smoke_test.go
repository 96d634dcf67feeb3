package main

import (
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestSmokeWindow builds the real binary, opens its window on a new default library (which it
// must fill with the sample library) and checks the --screenshot render: the right size, many
// colours, and rows of text in the entry list. It needs an X display: ./dev test starts Xvfb.
func TestSmokeWindow(t *testing.T) {
	if os.Getenv("DISPLAY") == "" || runtime.GOOS != "linux" {
		if os.Getenv("CI") != "" {
			t.Fatal("no X display: run the smoke test through ./dev test, which starts Xvfb")
		}
		t.Skip("no X display (./dev test starts Xvfb)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bibshelf")
	build := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	shot := filepath.Join(dir, "main.png")
	cmd := exec.Command(bin, "--screenshot", shot, "--size", "1100x700")
	cmd.Env = append(os.Environ(),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"BIBSHELF_LIBRARY=", "FYNE_SCALE=1", "LANG=en_US.UTF-8")
	out, err := cmd.CombinedOutput()
	log := string(out)
	t.Logf("output:\n%s", log)
	if err != nil {
		t.Fatalf("bibshelf --screenshot: %v", err)
	}
	if strings.Contains(log, "Error in Fyne call thread") {
		t.Error("a widget was changed off the UI goroutine (Error in Fyne call thread)")
	}
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
