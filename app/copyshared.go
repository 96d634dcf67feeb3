package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage/shared"
)

// Library › Copy to Shared Library… is the window's bibshelf share: it copies the library shown,
// a library of one's own, to a new shared library on a PostgreSQL server (shared.Copy), and
// offers to open it.

// copyHelp is what the Copy to Shared Library dialog says under its field.
const copyHelp = "The PostgreSQL URL of an empty database: postgres://USER@HOST[:PORT]/DATABASE, " +
	"with ?sslmode=require (or verify-full&sslrootcert=FILE) for a server across a network. A password is " +
	"read from ~/.pgpass or the file PGPASSFILE names, or asked for and then kept in this computer's keyring. " +
	"Every entry, tag, collection, saved search, note, attachment and the trash is copied in one go; this " +
	"library stays as it is, a library of its own. The members open the shared library by its URL, each as their own role."

// leaveOutCopy takes Library › Copy to Shared Library… out of the menu: the window shows a
// replica, which is a shared library already.
func (u *UI) leaveOutCopy() {
	if u.libraryMenu == nil {
		return
	}
	u.libraryMenu.Items = slices.DeleteFunc(u.libraryMenu.Items, func(it *fyne.MenuItem) bool { return it == u.copyItem })
	if m := u.win.MainMenu(); m != nil {
		m.Refresh()
	}
}

// onCopyShared asks for the URL of an empty database and copies the library there, off the UI
// goroutine: the server is asked first whether it wants a password (asked for in the dialog, as
// Connect to Shared Library… does), then the copy runs while the status line says so.
func (u *UI) onCopyShared() {
	if u.shared.srv != nil || u.copyTo == nil {
		return // a replica (the menu leaves the item out), or a window without its library file
	}
	if u.copying {
		u.status.SetText("A copy to a shared library is under way: copy again once it has ended")
		return
	}
	f := newServerForm(u, "")
	var ok *widget.Button
	copyTo := func() {
		srv, target := f.server()
		if srv == nil {
			return
		}
		ok.Disable()
		copyTo := u.copyTo
		u.work.hold() // the window's close waits for the copy, which reads the library
		go func() {
			defer u.work.release()
			ctx, cancel := context.WithTimeout(context.Background(), connectWait)
			err := srv.Ping(ctx)
			cancel()
			if err == nil {
				// The copy starts only if the dialog is still open: Cancel while the server
				// was asked means no copy.
				start := false
				fyneDoAndWait(func() {
					if f.closed {
						return
					}
					start = true
					f.d.Hide()
					u.copying = true
					u.status.SetText("Copying the library to a new shared library at " + srv.String() + "…")
				})
				if !start {
					return
				}
				var copied shared.Copied
				copied, err = copyTo(context.Background(), srv)
				fyneDo(func() { u.copiedShared(target, srv, copied, err) })
				return
			}
			fyneDo(func() {
				if f.closed {
					return // cancelled: nothing to say
				}
				ok.Enable()
				if f.asked(srv, err) {
					return
				}
				f.d.Hide()
				u.copiedShared(target, srv, shared.Copied{}, notConnected{err})
			})
		}()
	}
	ok = f.show("Copy to Shared Library", copyHelp, "Copy", copyTo)
}

// copiedShared says how the copy of the library to the server srv, at the URL target, ended: an
// error, said plainly, or what was copied and how the members open it, with a button that opens
// it here. Call it on the UI goroutine.
func (u *UI) copiedShared(target string, srv *shared.Server, copied shared.Copied, err error) {
	u.copying = false
	if err != nil {
		u.status.SetText("Not copied to " + srv.String())
		u.dialogs.show(dialog.NewError(copyError(srv, err), u.win))
		return
	}
	u.status.SetText(fmt.Sprintf("Copied %s to the shared library at %s", entriesText(copied.Entries), srv))
	u.tellKeyring(srv.KeyringError())
	text := widget.NewLabel(copiedText(srv, copied))
	text.Wrapping = fyne.TextWrapWord
	var d dialog.Dialog
	open := widget.NewButton("Open Shared Library", func() {
		d.Hide()
		if u.connect != nil && !u.switchBusy("Open Shared Library") {
			u.openShared(target, srv)
		}
	})
	open.Importance = widget.HighImportance
	if u.connect == nil {
		open.Disable()
	}
	closeButton := widget.NewButton("Close", func() { d.Hide() })
	u.probeDialog(open, closeButton, text)
	d = dialog.NewCustomWithoutButtons("Copied to Shared Library",
		container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), closeButton, open), nil, nil, text), u.win)
	d.Resize(fyne.NewSize(600, 320))
	u.dialogs.show(d)
}

// copiedText says what Copy copied to the server srv and how the members open it, as bibshelf
// share prints it.
func copiedText(srv *shared.Server, copied shared.Copied) string {
	return fmt.Sprintf("Copied %s to the shared library %v at %s.\n\n"+
		"Its members open it with Library › Connect to Shared Library… and this URL, %s being each member's own role, or with:\n"+
		"bibshelf --library '%s'\n\n%s\n\nThis library stays as it is, a library of its own.",
		entriesText(copied.Entries), copied.Library, srv, shared.AnyMember, srv.MemberURL(shared.AnyMember), copied.Members)
}

// notConnected is the failure of the connection before the copy: the server out of reach, or
// refusing the role or the database.
type notConnected struct{ error }

func (e notConnected) Unwrap() error { return e.error }

// copyError says why the copy to the server srv failed, and what to do about it.
func copyError(srv *shared.Server, err error) error {
	switch {
	case errors.Is(err, shared.ErrNotEmpty):
		return fmt.Errorf("nothing was copied: %w (%s), and a copy goes into a database that holds none. "+
			"Library › Connect to Shared Library… opens the one there", shared.ErrNotEmpty, srv)
	case errors.As(err, new(notConnected)), errors.Is(err, shared.ErrUnreachable):
		return fmt.Errorf("nothing was copied: the server at %s could not be reached, or did not take the connection. "+
			"Check the URL (host, port, database, role) and the network, and copy again (%w)", srv, err)
	}
	return fmt.Errorf("nothing was copied: the server at %s refused the copy (%w)", srv, err)
}

// entriesText counts the entries copied for people.
func entriesText(n int64) string { return rowsText(int(n)) }
