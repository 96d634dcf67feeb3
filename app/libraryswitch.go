package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/shared"
)

// The Library menu's Libraries…, Open Library File… and New Library File… show another library in
// place of the one shown, as Connect to Shared Library… does (UI.connect): the window's Run opens
// it off the UI goroutine, shows its window and closes this one.

// prefLibraryFolder is where Library › Open Library File… or New Library File… last chose a file.
const prefLibraryFolder = "library.folder"

// switchBusy says that another library cannot be shown now, and returns true, while an import,
// an addition of papers or a download of PDFs runs, or a copy to a shared library: showing
// another library closes this one, and an import is one transaction; this window, closing,
// would wait for the copy and close as it ends, its report (or its error) unread.
func (u *UI) switchBusy(title string) bool {
	if u.copying {
		u.inform(title, "A copy of this library to a shared library is under way. Open another library once it has ended.", nil)
		return true
	}
	if u.imports.running == 0 && u.adds.running == 0 {
		return false
	}
	u.inform(title, "An import, an addition of papers or a download of PDFs is still running in this library. "+
		"Open another library once it is done.", nil)
	return true
}

// onLibraries shows Library › Libraries…: the libraries the window has shown, most recent first,
// the one shown now marked. A click on one shows it in place of this one; the bin beside it
// takes it out of the list (the library itself stays as it is).
func (u *UI) onLibraries() {
	if u.switchBusy("Libraries") {
		return
	}
	list := libraryList{u.app.Preferences()}
	var d dialog.Dialog
	names := map[string]fyne.CanvasObject{}
	rows := container.NewVBox()
	for _, name := range list.names() {
		icon := theme.RadioButtonIcon()
		if name == u.shown {
			icon = theme.RadioButtonCheckedIcon()
		}
		open := widget.NewButtonWithIcon(libraryTitle(name, name == u.shown), icon, func() {
			d.Hide()
			u.switchTo(name)
		})
		open.Alignment = widget.ButtonAlignLeading
		open.Importance = widget.LowImportance
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			list.remove(name)
			d.Hide()
			u.status.SetText("Took " + name + " out of the list of libraries")
			u.onLibraries()
		})
		remove.Importance = widget.LowImportance
		if name == u.shown {
			remove.Disable() // it would be put back at once
		}
		rows.Add(container.NewBorder(nil, nil, nil, remove, open))
		names["library:"+name] = open
		names["library-remove:"+name] = remove
	}
	help := widget.NewLabel("The libraries this window has shown, the latest first. Click one to show it " +
		"in place of this one; the bin takes it out of the list, and leaves the library as it is.")
	help.Wrapping = fyne.TextWrapWord
	action := func(label string, then func()) *widget.Button {
		b := widget.NewButton(label, func() {
			d.Hide()
			then()
		})
		names["button:"+label] = b
		return b
	}
	closeButton := action("Close", func() {})
	buttons := container.NewHBox(action("Open Library File…", u.onOpenLibraryFile),
		action("New Library File…", u.onNewLibraryFile),
		action("Connect to Shared Library…", u.onConnectShared), layout.NewSpacer(), closeButton)
	content := container.NewBorder(help, buttons, nil, nil, container.NewVScroll(rows))
	d = dialog.NewCustomWithoutButtons("Libraries", content, u.win)
	win := u.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(860, win.Width-40), min(520, win.Height-40)))
	u.dialogs.show(d)
	u.inDialog = names
}

// libraryTitle is a library's row in Library › Libraries…: a file's name, then its folder; a
// shared library's URL without its parameters, which name the TLS files (sslrootcert, sslcert,
// sslkey) by their whole paths and would make the row, the dialog and the bin beside it wider
// than the window.
func libraryTitle(name string, shown bool) string {
	title := "Shared: " + name
	if at, _, ok := strings.Cut(name, "?"); ok {
		title = "Shared: " + at + " ?…"
	}
	if !shared.IsURL(name) {
		short := homeShort(name)
		title = filepath.Base(short) + " — " + filepath.Dir(short)
	}
	if shown {
		title += "  (shown now)"
	}
	return title
}

// switchTo shows the library named (LibraryName) in place of this one: a library file that is
// there, or a shared library through the Connect dialog, which asks for a password when the
// server wants one. A library file that is gone is said, with the offer to take it out of the
// list. Call it on the UI goroutine.
func (u *UI) switchTo(name string) {
	if name == u.shown {
		u.status.SetText("The window shows " + name + " already")
		return
	}
	if u.connect == nil {
		u.dialogs.show(dialog.NewError(errors.New("this window cannot open another library"), u.win))
		return
	}
	if shared.IsURL(name) {
		u.connectShared(name)
		return
	}
	go func() {
		gone := libraryGone(name)
		fyneDo(func() {
			if gone {
				u.offerRemove(name)
				return
			}
			u.status.SetText("Opening " + name + "…")
			u.connect(name, nil)
		})
	}()
}

// offerRemove says that the library file named is not there any more, and offers to take it
// out of the list.
func (u *UI) offerRemove(name string) {
	u.offerRemoveSaying(name, "Library Not Found", fmt.Sprintf("The library file %s is not there any more: it was moved, renamed or "+
		"deleted. Take it out of the list? (Library › Open Library File… opens a library where it is now.)", name))
}

// tellNotOpened says that the library shown last, named, did not open at this start (err), so
// the window shows the default library in its place (Options.Fallback), and offers to take it
// out of the list of libraries.
func (u *UI) tellNotOpened(name string, err error) {
	u.offerRemoveSaying(name, "Library Not Opened", fmt.Sprintf("The library shown last, %s, did not open: %v.\n\n"+
		"This window shows the default library instead. Take %s out of the list of libraries? "+
		"(Kept, Library › Libraries… lists it, to try again once it is mended.)", name, err, name))
}

// offerRemoveSaying shows message in a dialog titled title, with the offer to take the library
// named out of the list.
func (u *UI) offerRemoveSaying(name, title, message string) {
	text := widget.NewLabel(message)
	text.Wrapping = fyne.TextWrapWord
	var d dialog.Dialog
	keep := widget.NewButton("Keep in List", func() { d.Hide() })
	remove := widget.NewButton("Remove from List", func() {
		d.Hide()
		libraryList{u.app.Preferences()}.remove(name)
		u.status.SetText("Took " + name + " out of the list of libraries")
	})
	remove.Importance = widget.HighImportance
	u.probeDialog(keep, remove, text)
	d = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil,
		container.NewHBox(layout.NewSpacer(), keep, remove), nil, nil, text), u.win)
	d.Resize(fyne.NewSize(560, 260))
	u.dialogs.show(d)
}

// isLibraryName reports whether a file's name is one a library file has: .sqlite, .sqlite3 or
// .db.
func isLibraryName(u fyne.URI) bool {
	switch strings.ToLower(u.Extension()) {
	case ".sqlite", ".sqlite3", ".db":
		return true
	}
	return false
}

// onOpenLibraryFile lets the user choose a library file to show in place of this one: File ›
// Open Library File… A file that is not a Bibshelf library is said, and the window stays (as it
// does when the opening fails for another reason, which the opening says).
func (u *UI) onOpenLibraryFile() {
	if u.switchBusy("Open Library File") {
		return
	}
	prefs := u.app.Preferences()
	filter := &openFilter{match: isLibraryName}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			u.dialogs.show(dialog.NewError(err, u.win))
			return
		}
		if r == nil {
			return // cancelled
		}
		r.Close()
		rememberFolder(prefs, prefLibraryFolder, r.URI())
		if filter.justListed(r.URI()) {
			u.onOpenLibraryFile() // a double-click on a folder: show the folder it opened
			return
		}
		name, err := LibraryName(r.URI().Path())
		if err != nil {
			u.dialogs.show(dialog.NewError(err, u.win))
			return
		}
		go func() {
			// Only the file's header is read: the opening says what else fails.
			_, err := storage.NeedsUpgrade(context.Background(), name)
			fyneDo(func() {
				if errors.Is(err, storage.ErrNotLibrary) {
					u.dialogs.show(dialog.NewError(fmt.Errorf("%s is not a Bibshelf library, and is left as it is. "+
						"File › Import… reads the references of a BibTeX, RIS or other file into a library", name), u.win))
					return
				}
				u.switchTo(name)
			})
		}()
	}, u.win)
	d.SetFilter(filter)
	d.SetConfirmText("Open")
	startIn(prefs, d, prefLibraryFolder)
	u.probeDialog()
	u.dialogs.show(d)
}

// onNewLibraryFile lets the user choose where to make a new, empty library, and shows it in
// place of this one: Library › New Library File… A file already there is left as it is.
func (u *UI) onNewLibraryFile() {
	if u.switchBusy("New Library File") {
		return
	}
	prefs := u.app.Preferences()
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			u.dialogs.show(dialog.NewError(err, u.win))
			return
		}
		if w == nil {
			return // cancelled
		}
		w.Close()
		if _, deferred := w.(*deferredWriter); !deferred || w.URI().Scheme() != "file" {
			// Fyne opened the file already: whatever was there is not for a library.
			u.dialogs.show(dialog.NewError(fmt.Errorf("a library cannot be made at %s", w.URI()), u.win))
			return
		}
		rememberFolder(prefs, prefLibraryFolder, w.URI())
		path := w.URI().Path()
		if filepath.Ext(path) == "" {
			path += ".sqlite"
		}
		name, err := LibraryName(path)
		if err != nil {
			u.dialogs.show(dialog.NewError(err, u.win))
			return
		}
		go func() {
			_, statErr := os.Stat(name)
			fyneDo(func() {
				switch {
				case statErr == nil:
					u.dialogs.show(dialog.NewError(fmt.Errorf("there is a file at %s already, which is left as it is. "+
						"Library › Open Library File… opens a library", name), u.win))
				case !errors.Is(statErr, fs.ErrNotExist):
					u.dialogs.show(dialog.NewError(fmt.Errorf("new library: %w", statErr), u.win))
				case u.connect == nil:
					u.dialogs.show(dialog.NewError(errors.New("this window cannot open another library"), u.win))
				default:
					u.status.SetText("Making " + name + "…")
					u.connect(name, nil)
				}
			})
		}()
	}, u.win)
	deferFileWrites() // the dialog opens nothing: a file chosen by mistake stays as it is
	d.SetFileName("library.sqlite")
	startIn(prefs, d, prefLibraryFolder)
	u.probeDialog()
	u.dialogs.show(d)
}
