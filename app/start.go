package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/assets"
	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// Options is what the command line asks of the window (bibshelf with no verb).
type Options struct {
	// Library is the library's file. Sample fills it with the sample library when it does not
	// exist yet, so that a first start on the default library shows papers.
	Library string
	Sample  bool
	// Size is the window's size.
	Size fyne.Size
	// Import names .bib files to import into the library once the window is up.
	Import []string
	// Select is the key of an entry to select, and Tab the tab of the entry pane to show, once
	// the library is shown (bibshelf --select and --tab; see UI.Reveal).
	Select, Tab string
	// Screenshot, when set, makes the window write its first complete render to this PNG file,
	// report on it to Report, and quit.
	Screenshot string
	// Started is when the program started: the screenshot's report counts the time to the first
	// complete frame from it.
	Started time.Time
	// Report receives the screenshot's report.
	Report io.Writer
	// Probe, when set, is the socket where the window answers the end-to-end tests (see
	// UI.ServeProbe).
	Probe string
	// Warn receives what went wrong without stopping the window.
	Warn func(error)
	// AroundImport, when set, is called as each import the window runs starts, and what it
	// returns as that import ends: the program's runtime settings for an import (its GOGC)
	// go there, as the window and the library leave the process's settings alone.
	AroundImport func() (end func())
}

// settleMemory is how long after the first frame the window gives the memory it no longer
// needs back to the system.
const settleMemory = time.Second

// Run opens the library in a window of a and does what opts asks, until the window is closed,
// the system quits the app, or the screenshot is written. When the library needs bringing up
// to date first, a small window says so meanwhile. Run returns what stopped the library from
// opening or the screenshot from being written.
func Run(a fyne.App, opts Options) error {
	if opts.Warn == nil {
		opts.Warn = func(error) {}
	}
	if opts.Report == nil {
		opts.Report = io.Discard
	}
	if opts.Started.IsZero() {
		opts.Started = time.Now()
	}
	ctx := context.Background()
	upgrade, err := storage.NeedsUpgrade(ctx, opts.Library)
	if err != nil {
		return err
	}
	r := &running{a: a, opts: opts}
	if upgrade {
		// Opening brings the library up to date, which can take seconds: a window says so
		// meanwhile, and the library's window takes its place.
		openSlowly(a, func() (*storage.Library, error) { return openLibrary(ctx, opts.Library, opts.Sample) },
			func(lib *storage.Library, err error) {
				if err != nil {
					r.err = err
					a.Quit()
					return
				}
				r.start(lib)
				r.ui.Window().Show()
			})
		a.Run()
	} else {
		lib, err := openLibrary(ctx, opts.Library, opts.Sample)
		if err != nil {
			return err
		}
		r.start(lib)
		r.ui.Window().ShowAndRun()
	}
	if r.ui != nil {
		// Quitting (a screenshot, the system) skips the window's close, which stops this itself.
		r.ui.StopIndexing()
		r.ui.follow.stop()
		r.ui.kept.stop()
	}
	if r.lib != nil {
		r.lib.Close()
	}
	return r.err
}

// running is a window Run has opened.
type running struct {
	a    fyne.App
	opts Options
	lib  *storage.Library
	ui   *UI
	// err is what Run returns: set on the UI goroutine, or before the app is asked to quit.
	err error
}

// start shows lib in the window and does what the options ask. It runs on the UI goroutine
// (before the event loop, or inside it).
func (r *running) start(lib *storage.Library) {
	opts := r.opts
	r.lib = lib
	r.ui = New(r.a, opts.library(lib))
	ui := r.ui
	ui.Window().Resize(opts.Size)
	if opts.Probe != "" {
		if err := ui.ServeProbe(opts.Probe); err != nil {
			opts.Warn(err)
		}
	}
	if len(opts.Import) > 0 {
		ui.imports.importFiles(opts.Import)
	}
	reveal := opts.Select != "" || opts.Tab != ""
	if reveal && opts.Screenshot == "" {
		go r.reveal()
	}
	if opts.Screenshot != "" {
		go func() {
			if reveal {
				r.reveal()
			}
			if err := screenshot(ui, opts.Screenshot, opts.Started, opts.Report); err != nil {
				r.err = err
			}
			fyneDo(r.a.Quit)
		}()
	}
	go func() {
		// Opening a library, drawing the first frame and loading fonts leave garbage behind;
		// return it to the system once the window is up rather than keep it.
		<-ui.Loaded()
		time.Sleep(settleMemory)
		debug.FreeOSMemory()
	}()
}

// library is lib as the window reads it: its imports inside AroundImport, when set.
func (o Options) library(lib *storage.Library) Library {
	if o.AroundImport == nil {
		return lib
	}
	return aroundImports{Library: lib, around: o.AroundImport}
}

// aroundImports is a library whose imports call around as they start and what it returns as
// they end (Options.AroundImport).
type aroundImports struct {
	Library
	around func() (end func())
}

func (l aroundImports) ImportWith(ctx context.Context, f *bib.File, opts storage.ImportOptions) (storage.Report, error) {
	defer l.around()()
	return l.Library.ImportWith(ctx, f, opts)
}

func (l aroundImports) ImportReader(ctx context.Context, r bib.ItemReader, opts storage.ImportOptions) (storage.Report, error) {
	defer l.around()()
	return l.Library.ImportReader(ctx, r, opts)
}

// reveal selects the entry and shows the tab the options name, once the library is shown. It
// must not run on the UI goroutine.
func (r *running) reveal() {
	<-r.ui.Loaded()
	fyneDoAndWait(func() {
		if err := r.ui.Reveal(r.opts.Select, r.opts.Tab); err != nil {
			r.opts.Warn(fmt.Errorf("--tab: %w", err))
		}
	})
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
		fyneDo(func() {
			then(lib, err)
			wait.Close()
		})
	}()
	return wait
}

// openLibrary opens the library at path. When sample is set and there is no library there yet,
// it is created with the sample library in it.
func openLibrary(ctx context.Context, path string, sample bool) (*storage.Library, error) {
	_, statErr := os.Stat(path)
	fresh := errors.Is(statErr, fs.ErrNotExist)
	lib, err := storage.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if sample && fresh {
		if _, err := lib.Import(ctx, bib.Parse("sample-library.bib", assets.SampleLibrary)); err != nil {
			lib.Close()
			return nil, fmt.Errorf("fill new library with the sample: %w", err)
		}
	}
	return lib, nil
}
