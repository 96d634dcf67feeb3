package app

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage/shared"
)

// The first time a computer opens a shared library (bibshelf --library URL), its replica is made
// before any window on a library exists. When the server asks for a password that neither the
// URL, the password file nor the keyring gives, a small window of its own asks for it, as the
// Connect dialog does; the replica is then made with it, and the keyring keeps it once the
// server took it. Cancel leaves the library unopened, and Run says so.

// errNoPassword is what Run returns when the member would not give the password the server
// asks for before this computer's replica of a shared library is made.
var errNoPassword = errors.New("the shared library was not opened: its server asks for a password, and none was given")

// The titles of the window that asks for the password (askFirstPassword), the first time and
// after the server refused the one typed; and for the client key's passphrase.
const (
	firstPasswordTitle   = "Password — Bibshelf"
	againPasswordTitle   = "Password Not Taken — Bibshelf"
	firstPassphraseTitle = "Key Passphrase — Bibshelf"
	againPassphraseTitle = "Key Passphrase Not Taken — Bibshelf"
)

// errNoPassphrase is what Run returns when the member would not give the passphrase of the
// client key before this computer's replica of a shared library is made.
var errNoPassphrase = errors.New("the shared library was not opened: its client key needs a passphrase, and none was given")

// askFirstPassword shows, in the small window w that says the replica is being made, a form
// that asks for the password of srv's role, which the server asks for before this computer's
// replica can be made, or for the passphrase of its client key (kind); again says the one typed
// before was not taken. done runs on the UI goroutine: with true once it is given
// (srv.SetPassword, srv.SetKeyPassphrase), with false when the member cancels (Cancel, Escape,
// or the window closed). The window stays: one window, shown and closed once, as when nothing
// is asked for.
func askFirstPassword(w fyne.Window, srv *shared.Server, kind secret, again bool, done func(given bool)) {
	finished := false
	finish := func(given bool) {
		if finished {
			return
		}
		finished = true
		w.SetCloseIntercept(nil)
		done(given)
	}
	password := newPasswordField(func() { finish(false) })
	password.SetPlaceHolder(kind.title())
	give := func() {
		if password.Text == "" {
			return
		}
		kind.give(srv, password.Text)
		finish(true)
	}
	password.OnSubmitted = func(string) { give() }
	text := widget.NewLabel(kind.text(srv))
	text.Wrapping = fyne.TextWrapWord
	heading := widget.NewLabelWithStyle("Opening "+srv.String(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.Wrapping = fyne.TextWrapBreak // a URL has no spaces to wrap at
	body := container.NewVBox(heading, text)
	if again {
		refused := widget.NewLabel(kind.refused())
		refused.Importance = widget.DangerImportance
		body.Add(refused)
	}
	body.Add(password)
	connect := widget.NewButton("Connect", give)
	connect.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { finish(false) })
	switch {
	case kind == keyPassphrase && again:
		w.SetTitle(againPassphraseTitle)
	case kind == keyPassphrase:
		w.SetTitle(firstPassphraseTitle)
	case again:
		w.SetTitle(againPasswordTitle)
	default:
		w.SetTitle(firstPasswordTitle)
	}
	w.SetContent(container.NewPadded(container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), cancel, connect), nil, nil, body)))
	w.SetCloseIntercept(func() { finish(false) })
	w.Resize(fyne.NewSize(560, 300))
	w.CenterOnScreen()
	w.Canvas().Focus(password)
}

// passwordField is a field whose text is hidden as it is typed, and in which Escape cancels.
type passwordField struct {
	widget.Entry
	onEscape func()
}

func newPasswordField(onEscape func()) *passwordField {
	e := &passwordField{onEscape: onEscape}
	e.Password = true
	e.ExtendBaseWidget(e)
	e.SetPlaceHolder("Password")
	return e
}

// TypedKey makes Escape cancel; every other key is the field's.
func (e *passwordField) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(ev)
}

// tellKeyring says, once the window shows the shared library, that the password typed could not
// be kept in the keyring (err, from shared.Server.KeyringError): it is asked for again next
// time.
func (u *UI) tellKeyring(err error) {
	if err == nil {
		return
	}
	text := widget.NewLabel(fmt.Sprintf("The server took the connection, but this computer's keyring could not keep it: the password "+
		"or key passphrase typed (%v). It is used while this window is open, and asked for again the next time. "+
		"(A password in ~/.pgpass, or a passphrase given as sslpassword= in the URL, is used without asking.)", err))
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom("Password Not Kept", "OK", text, u.win)
	d.Resize(fyne.NewSize(520, 240))
	u.probeDialog(text)
	u.dialogs.show(d)
}
