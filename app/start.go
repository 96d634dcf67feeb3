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
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/assets"
	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/shared"
)

// Options is what the command line asks of the window (bibshelf with no verb).
type Options struct {
	// Library is the library's file, or a shared library's URL (postgres://...): the window
	// then shows this computer's replica of it, made the first time, and keeps it current while
	// it is open (shared.Live). Sample fills it with the sample library when it does not
	// exist yet, so that a first start on the default library shows papers.
	Library string
	Sample  bool
	// Fallback, when set, says Library is the library shown last (StartLibrary), not one the
	// user named, and is the library the window shows when that one does not open: the
	// default library, made with the sample when it does not exist yet. The window then says
	// why the one shown last did not open, and offers to take it out of the list of libraries
	// (tellNotOpened). Without Fallback, a library that does not open stops Run.
	Fallback string
	// Size is the window's size; zero for the size it had when it was last closed (see
	// lastWindowSize).
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
	r := &running{a: a, opts: opts}
	quit := func(err error) {
		r.err = err
		a.Quit()
	}
	failed := quit
	if opts.Fallback != "" {
		// The library shown last did not open: the default library is shown in its place.
		failed = func(err error) {
			r.fallBack(err)
			if err := r.first(ctx, opts.Fallback, quit); err != nil {
				quit(err)
			}
		}
	}
	err := r.first(ctx, opts.Library, failed)
	if err != nil && opts.Fallback != "" {
		r.fallBack(err)
		err = r.first(ctx, opts.Fallback, quit)
	}
	if err != nil {
		return err
	}
	a.Run()
	if r.ui != nil {
		// Quitting (a screenshot, the system) skips the window's close, which stops this itself.
		r.ui.StopIndexing()
		r.ui.follow.stop()
		r.ui.kept.stop()
	}
	r.closeLibrary(r.lib, r.live)
	return r.err
}

// first opens library and shows it in the first window. When opening it brings the library up
// to date, or makes this computer's replica of a shared library, which can take seconds, a
// small window says so meanwhile (openSlowly), and the library's window takes its place; what
// stops that opening is given to failed, on the UI goroutine. first returns what stops the
// library from opening at once.
func (r *running) first(ctx context.Context, library string, failed func(error)) error {
	o, err := r.opener(ctx, library, nil)
	if err != nil {
		return err
	}
	if o.slow != "" {
		openSlowly(r.a, o.slow, o.open, func(l opened, err error) {
			if err != nil {
				failed(err)
				return
			}
			r.show(l)
		})
		return nil
	}
	l, err := o.open()
	if err != nil {
		return err
	}
	r.show(l)
	return nil
}

// fallBack keeps why the library shown last did not open, for the window to say once it shows
// the default library in its place (Options.Fallback), and says it on the command line too.
func (r *running) fallBack(err error) {
	r.notOpened = err
	r.opts.Warn(fmt.Errorf("the library shown last, %s, did not open: %w; the window shows %s instead",
		r.opts.Library, err, r.opts.Fallback))
}

// show shows l in the first window, and what the window has to say of its opening: a password
// the keyring did not keep, the library shown last that did not open.
func (r *running) show(l opened) {
	r.start(l)
	r.ui.Window().Show()
	if l.typed {
		r.ui.tellKeyring(l.srv.KeyringError())
	}
	if r.notOpened != nil {
		r.ui.tellNotOpened(r.opts.Library, r.notOpened)
	}
}

// opened is a library the window shows: a library file, or this computer's replica of the
// shared library at srv.
type opened struct {
	lib *storage.Library
	srv *shared.Server
	// typed says the member typed the password, or the client key's passphrase, in the window
	// that made the replica (see openSlowly), which the keyring may not have kept.
	typed bool
}

// opening is how a library is opened: open does it, and slow, when set, is what a small window
// says meanwhile (see openSlowly).
type opening struct {
	open func() (opened, error)
	slow string
}

// opener returns how the library named on the command line or in the Connect dialog opens: a
// library file (made with the sample when opts.Sample says so), or a shared library's URL,
// whose replica on this computer is made the first time (shared.Open).
func (r *running) opener(ctx context.Context, library string, srv *shared.Server) (opening, error) {
	if !shared.IsURL(library) {
		upgrade, err := storage.NeedsUpgrade(ctx, library)
		if err != nil {
			return opening{}, err
		}
		o := opening{open: func() (opened, error) {
			lib, err := openLibrary(ctx, library, r.opts.sample(library))
			return opened{lib: lib}, err
		}}
		if upgrade {
			o.slow = upgradeMessage
		}
		return o, nil
	}
	if srv == nil {
		var err error
		if srv, err = shared.ParseURL(library); err != nil {
			return opening{}, err
		}
	}
	path, err := shared.ReplicaPath(srv)
	if err != nil {
		return opening{}, err
	}
	_, statErr := os.Stat(path)
	o := opening{open: func() (opened, error) {
		lib, err := shared.Open(ctx, srv, path)
		if err != nil && statErr != nil {
			err = fmt.Errorf("this computer has no copy of the shared library yet, and cannot make one: %w", err)
		}
		return opened{lib: lib, srv: srv}, err
	}}
	if statErr != nil {
		o.slow = fmt.Sprintf(cloneMessage, srv)
	} else if upgrade, err := storage.NeedsUpgrade(ctx, path); err != nil {
		return opening{}, err
	} else if upgrade {
		o.slow = upgradeMessage
	}
	return o, nil
}

// sample reports whether the library file named is made with the sample library when it does
// not exist yet: the default library, given as Library with Sample, or as Fallback.
func (o Options) sample(library string) bool {
	return o.Sample && library == o.Library || o.Fallback != "" && library == o.Fallback
}

// cloneMessage is what the window shows while this computer's replica of a shared library is
// made.
const cloneMessage = "Making this computer's copy of the shared library\n%s…\n\n" +
	"This happens once, and takes a few seconds for a large library."

// running is a window Run has opened.
type running struct {
	a    fyne.App
	opts Options
	lib  *storage.Library
	ui   *UI
	// live keeps lib current when it is the replica of a shared library; nil otherwise.
	live *shared.Live
	// err is what Run returns: set on the UI goroutine, or before the app is asked to quit.
	err error
	// notOpened is why the library shown last (Options.Fallback) did not open, when it did not.
	notOpened error
}

// start shows lib in the window and does what the options ask. It runs on the UI goroutine
// (before the event loop, or inside it).
func (r *running) start(o opened) {
	opts := r.opts
	first := r.ui == nil
	lib := o.lib
	r.lib = lib
	r.ui = New(r.a, opts.library(lib))
	ui := r.ui
	ui.connect = r.connect
	ui.copyTo = func(ctx context.Context, srv *shared.Server) (shared.Copied, error) {
		return shared.Copy(ctx, lib, srv)
	}
	ui.shown = rememberShown(r.a.Preferences(), o, opts.Screenshot == "")
	size := opts.Size
	if size.IsZero() {
		size = lastWindowSize(r.a.Preferences())
	}
	ui.Window().Resize(size)
	r.live = nil
	if o.srv != nil {
		r.share(o.srv, lib)
	}
	if !first {
		return // what the command line asks is for the first window
	}
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

// openSlowly shows a small window saying message (the library is being brought up to date, or
// made), runs open off
// the UI goroutine, then hands its result to then on the UI goroutine and closes the small
// window. When open fails for want of a password the server of a shared library asks for (this
// computer's first replica of it), the small window asks for it, and open runs again with it
// (askFirstPassword); a member who cancels has then given errNoPassword.
func openSlowly(a fyne.App, message string, open func() (opened, error), then func(opened, error)) fyne.Window {
	wait := a.NewWindow("Bibshelf")
	working := container.NewPadded(container.NewVBox(widget.NewLabel(message), widget.NewProgressBarInfinite()))
	wait.SetContent(working)
	wait.SetFixedSize(true)
	wait.CenterOnScreen()
	wait.Show()
	typed := false
	last := noSecret // what was typed last: asked for again, the form says it was not taken
	var try func()
	try = func() {
		go func() {
			lib, err := open()
			fyneDo(func() {
				if kind := secretAsked(err); kind != noSecret && lib.srv != nil {
					srv := lib.srv
					askFirstPassword(wait, srv, kind, kind == last, func(given bool) {
						if given {
							typed, last = true, kind
							wait.SetTitle("Bibshelf")
							wait.SetContent(working)
							try()
							return
						}
						wait.Hide()
						if kind == keyPassphrase {
							then(opened{}, fmt.Errorf("%w (%s: the client key file %s)", errNoPassphrase, srv, srv.KeyFile()))
						} else {
							then(opened{}, fmt.Errorf("%w (%s asks for the password of %s)", errNoPassword, srv, srv.Role()))
						}
						wait.Close()
					})
					return
				}
				lib.typed = typed
				if err != nil {
					// Hidden before the app may quit (then): a window closed as the driver stops
					// could be sent a mouse move after its destruction, which crashed GLFW.
					wait.Hide()
				}
				then(lib, err)
				wait.Close()
			})
		}()
	}
	try()
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

// share starts keeping lib, the replica of the shared library at srv, current while the window
// shows it, and has the window show its state.
func (r *running) share(srv *shared.Server, lib *storage.Library) {
	ui := r.ui
	ui.shared.attach(srv)
	r.live = shared.StartLive(srv, lib, func(st shared.LiveState) {
		if st.Pulled.Rows > 0 {
			ui.follow.lookNow() // the other members' changes shown now, not at the next look
		}
		fyneDo(func() { ui.shared.show(st) })
	})
	ui.shared.live = r.live
}

// connect shows the library named (a shared library's URL, from File › Connect to Shared
// Library…) in a new window in place of the one shown: it opens it off the UI goroutine, shows
// its window, and closes the other as a user's close does (what is being edited saved), whose
// library is closed, and its changes sent, once its last change is written. A library that does
// not open is said in the window shown, which stays. srv is the shared library's server, with
// the password the member gave, when the dialog asked for one. Call it on the UI goroutine.
func (r *running) connect(library string, srv *shared.Server) {
	old := r.ui
	// What the error says of the library: a URL without its password.
	name := library
	if srv != nil {
		name = srv.String()
	} else if shared.IsURL(library) {
		// As text only: ParseURL would read (and decrypt) the client key, here on the UI goroutine.
		name = "the shared library"
		if s, err := shared.PublicURL(library); err == nil {
			name = s
		}
	}
	fail := func(err error) {
		old.status.SetText("")
		old.dialogs.show(dialog.NewError(fmt.Errorf("open %s: %w", name, err), old.win))
	}
	then := func(l opened, err error) {
		if err != nil {
			fail(err)
			return
		}
		if r.ui != old {
			// Another switch came first; this library is not shown.
			r.closeLibrary(l.lib, nil)
			return
		}
		lib, live := r.lib, r.live
		r.start(l)
		old.next = r.ui
		old.onClosed = func() { r.closeLibrary(lib, live) }
		r.ui.Window().Show()
		if l.srv != nil {
			// A password typed in the dialog that the keyring could not keep, as at a start.
			r.ui.tellKeyring(l.srv.KeyringError())
		}
		old.close()
	}
	// Off the UI goroutine: opener reads the library's header (storage.NeedsUpgrade), and the
	// opening the rest.
	go func() {
		o, err := r.opener(context.Background(), library, srv)
		if err == nil && o.slow == "" {
			l, err := o.open()
			fyneDo(func() { then(l, err) })
			return
		}
		fyneDo(func() {
			if err != nil {
				fail(err)
				return
			}
			openSlowly(r.a, o.slow, o.open, then)
		})
	}()
}

// closeLibrary stops keeping lib current, when it is a replica (its changes sent then, as far
// as the server can be reached), and closes it. What fails is reported to Options.Warn.
func (r *running) closeLibrary(lib *storage.Library, live *shared.Live) {
	if live != nil {
		if _, err := live.Stop(); err != nil && !errors.Is(err, shared.ErrUnreachable) {
			r.opts.Warn(err)
		}
	}
	if lib != nil {
		if err := lib.Close(); err != nil {
			r.opts.Warn(err)
		}
	}
}
