package main

import (
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/assets"
	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// processStart is as close to the process's start as Go code gets: --screenshot reports the
// time from here to the first complete frame.
var processStart = time.Now()

// settleMemory is how long after the first frame the window gives the memory it no longer
// needs back to the system.
const settleMemory = time.Second

// appID must match FyneApp.toml.
const appID = "io.github.bibshelf"

func runWindow(args []string, stderr io.Writer) int {
	fs, libFlag := newFlags("bibshelf", "bibshelf [--library PATH] [--select KEY] [--tab TAB] [--screenshot OUT.png] [--size WxH] [FILE.bib...]", stderr)
	shot := fs.String("screenshot", "", "open the window, write its first complete render to this PNG `file`, and exit")
	size := fs.String("size", "1280x800", "window size `WxH` in Fyne units")
	selectKey := fs.String("select", "", "select the entry with this `key` once the library is shown")
	tab := fs.String("tab", "", "show this `tab` of the selected entry: info, notes, bibtex or attachments")
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	for _, arg := range fs.Args() {
		if ext := strings.ToLower(filepath.Ext(arg)); ext != ".bib" && ext != ".bibtex" {
			fmt.Fprintf(stderr, "bibshelf: unknown verb %q (the window takes .bib files to import)\n\n", arg)
			printUsage(stderr)
			return exitUsage
		}
	}
	w, h, ok := parseSize(*size)
	if !ok {
		fmt.Fprintf(stderr, "bibshelf: --size %q: want WIDTHxHEIGHT, such as 1280x800\n", *size)
		return exitUsage
	}
	ctx := context.Background()
	a := fyneapp.NewWithID(appID)
	status := exitOK
	// start shows the library in the window and does what the flags ask. It runs on the UI
	// goroutine (before the event loop, or inside it).
	start := func(lib *storage.Library) *app.UI {
		ui := app.New(a, windowLibrary{lib}) // its imports lower GOGC: see gc.go
		ui.Window().Resize(fyne.NewSize(w, h))
		if path := os.Getenv("BIBSHELF_PROBE"); path != "" {
			// The end-to-end tests' view of the window (see app.ServeProbe).
			if err := ui.ServeProbe(path); err != nil {
				fmt.Fprintf(stderr, "bibshelf: %v\n", err)
			}
		}
		if files := fs.Args(); len(files) > 0 {
			ui.ImportFiles(files)
		}
		reveal := func() {
			<-ui.Loaded()
			fyne.DoAndWait(func() {
				if err := ui.Reveal(*selectKey, *tab); err != nil {
					fmt.Fprintf(stderr, "bibshelf: --tab: %v\n", err)
				}
			})
		}
		if (*selectKey != "" || *tab != "") && *shot == "" {
			go reveal()
		}
		if *shot != "" {
			go func() {
				if *selectKey != "" || *tab != "" {
					reveal()
				}
				if err := screenshot(ui, *shot); err != nil {
					fmt.Fprintf(stderr, "bibshelf: %v\n", err)
					status = exitRejected
				}
				fyne.Do(a.Quit)
			}()
		}
		go func() {
			// Opening a library, drawing the first frame and loading fonts leave garbage
			// behind; return it to the system once the window is up rather than keep it.
			<-ui.Loaded()
			time.Sleep(settleMemory)
			debug.FreeOSMemory()
		}()
		return ui
	}

	var ui *app.UI
	var lib *storage.Library
	path, _, err := libraryPath(*libFlag)
	upgrade := false
	if err == nil {
		upgrade, err = storage.NeedsUpgrade(ctx, path)
	}
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf: %v\n", err)
		return exitRejected
	}
	if upgrade {
		// Opening brings the library up to date, which can take seconds: a window says so
		// meanwhile, and the library's window takes its place.
		openSlowly(a, func() (*storage.Library, error) { return openWindowLibrary(ctx, *libFlag) },
			func(l *storage.Library, err error) {
				if err != nil {
					fmt.Fprintf(stderr, "bibshelf: %v\n", err)
					status = exitRejected
					a.Quit()
					return
				}
				lib, ui = l, start(l)
				ui.Window().Show()
			})
		a.Run()
	} else {
		if lib, err = openWindowLibrary(ctx, *libFlag); err != nil {
			fmt.Fprintf(stderr, "bibshelf: %v\n", err)
			return exitRejected
		}
		ui = start(lib)
		ui.Window().ShowAndRun()
	}
	if ui != nil {
		// Quitting (a screenshot, the system) skips the window's close, which stops this itself.
		ui.StopIndexing()
	}
	if lib != nil {
		lib.Close()
	}
	return status
}

// upgradeMessage is what the window shows while a library is brought up to date.
const upgradeMessage = "Bringing the library up to date with this version of Bibshelf…\n\n" +
	"This happens once, and takes a few seconds for a large library."

// openSlowly shows a small window saying the library is being brought up to date, runs open off
// the UI goroutine, then hands its result to then on the UI goroutine and closes the small
// window.
func openSlowly(a fyne.App, open func() (*storage.Library, error), then func(*storage.Library, error)) fyne.Window {
	wait := a.NewWindow("Bibshelf")
	wait.SetContent(container.NewPadded(container.NewVBox(widget.NewLabel(upgradeMessage), widget.NewProgressBarInfinite())))
	wait.SetFixedSize(true)
	wait.CenterOnScreen()
	wait.Show()
	go func() {
		lib, err := open()
		fyne.Do(func() {
			then(lib, err)
			wait.Close()
		})
	}()
	return wait
}

// openWindowLibrary opens the window's library. When that is the default library and it does not
// exist yet, it is created with the sample library in it, so that a first start shows papers.
func openWindowLibrary(ctx context.Context, flagValue string) (*storage.Library, error) {
	path, isDefault, err := libraryPath(flagValue)
	if err != nil {
		return nil, err
	}
	_, statErr := os.Stat(path)
	fresh := errors.Is(statErr, fs.ErrNotExist)
	lib, err := storage.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if isDefault && fresh {
		if _, err := lib.Import(ctx, bib.Parse("sample-library.bib", assets.SampleLibrary)); err != nil {
			lib.Close()
			return nil, fmt.Errorf("fill new library with the sample: %w", err)
		}
	}
	return lib, nil
}

// screenshot waits for the window's first complete render and writes it as a PNG.
func screenshot(ui *app.UI, path string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	img, err := ui.CaptureSettled(ctx)
	settled := time.Since(processStart)
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	var rows int
	fyne.DoAndWait(func() { rows = ui.Rows() })
	if err := storage.WriteFile(ctx, path, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	b := img.Bounds()
	fmt.Fprintf(os.Stdout, "screenshot: %s %dx%d, %d entries listed, first complete frame %s after start%s\n",
		path, b.Dx(), b.Dy(), rows, settled.Round(time.Millisecond), memory())
	// What the window holds once it has settled, as a user's window would after a moment.
	time.Sleep(settleMemory + 500*time.Millisecond)
	fmt.Fprintf(os.Stdout, "idle %s later%s\n", settleMemory+500*time.Millisecond, memory())
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

func parseSize(s string) (float32, float32, bool) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	if !ok {
		return 0, 0, false
	}
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if err1 != nil || err2 != nil || w < 200 || h < 150 {
		return 0, 0, false
	}
	return float32(w), float32(h), true
}
