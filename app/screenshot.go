package app

import (
	"context"
	"fmt"
	"image/png"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/bibshelf/bibshelf/storage"
)

// screenshot waits for the window's first complete render, writes it as a PNG to path, and
// reports to w its size, the rows listed, the time from started to that render, and the
// memory the process holds then and once it has settled. It must not run on the UI goroutine.
func screenshot(u *UI, path string, started time.Time, w io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	img, err := u.CaptureSettled(ctx)
	settled := time.Since(started)
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	var rows int
	fyneDoAndWait(func() { rows = u.Rows() })
	if err := storage.WriteFile(ctx, path, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	b := img.Bounds()
	fmt.Fprintf(w, "screenshot: %s %dx%d, %d entries listed, first complete frame %s after start%s\n",
		path, b.Dx(), b.Dy(), rows, settled.Round(time.Millisecond), memory())
	// What the window holds once it has settled, as a user's window would after a moment.
	time.Sleep(settleMemory + 500*time.Millisecond)
	fmt.Fprintf(w, "idle %s later%s\n", settleMemory+500*time.Millisecond, memory())
	return nil
}

// memory reports the process's resident memory now and at its peak, where the system says
// (Linux's /proc); "" elsewhere.
func memory() string {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return ""
	}
	var rss, peak string
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			rss = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			peak = strings.TrimSpace(v)
		}
	}
	if rss == "" {
		return ""
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return fmt.Sprintf(", resident memory %s (peak %s; Go heap in use %d MB, Go total %d MB)", rss, peak, m.HeapInuse>>20, m.Sys>>20)
}
