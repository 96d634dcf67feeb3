package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage/shared"
)

// serverForm is the dialog of Library › Connect to Shared Library… and Copy to Shared Library…:
// the server's URL, what is wrong with it, and the password (or the client key's passphrase)
// asked for when the server asks for one. What the member types is handed to the server, which
// keeps it in the keyring once it takes the connection (shared.Server.SetPassword), where the
// window opening the library finds it.
type serverForm struct {
	u        *UI
	url      *widget.Entry
	problem  *widget.Label
	password *widget.Entry // hidden until the server asks
	asking   secret        // what password asks for
	// srv is the URL read last, from the text from: kept while the text is, so that a
	// passphrase that opened the key is kept while the password is asked for next.
	srv  *shared.Server
	from string
	d    dialog.Dialog
	// closed says the dialog was closed (Cancel, Escape, or the answer to an earlier tap or
	// Enter, which hides it): the server's answer to a tap made before is let go, as the member
	// no longer asks, or asked twice.
	closed bool
}

func newServerForm(u *UI, text string) *serverForm {
	f := &serverForm{u: u, url: widget.NewEntry(), problem: widget.NewLabel(""), password: newPasswordEntry()}
	f.url.SetPlaceHolder("postgres://user@host/database?sslmode=require")
	f.url.SetText(text)
	f.problem.Wrapping = fyne.TextWrapWord
	f.problem.Importance = widget.DangerImportance
	f.problem.Hide()
	f.password.Hide()
	return f
}

// show shows the form as a dialog titled title with help under its fields, and returns its
// button labelled action, which does act, as Enter in a field does.
func (f *serverForm) show(title, help, action string, act func()) *widget.Button {
	u := f.u
	f.url.OnSubmitted = func(string) { act() }
	f.password.OnSubmitted = func(string) { act() }
	ok := widget.NewButton(action, act)
	ok.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { f.d.Hide() })
	helpLabel := widget.NewLabel(help)
	helpLabel.Wrapping = fyne.TextWrapWord
	u.probeDialog(ok, cancel, helpLabel)
	u.inDialog["shared-url"] = f.url
	u.inDialog["shared-password"] = f.password
	body := container.NewVBox(f.url, f.problem, f.password, helpLabel)
	f.d = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), cancel, ok), nil, nil, body), u.win)
	f.d.Resize(fyne.NewSize(560, 300))
	f.d.SetOnClosed(func() { f.closed = true })
	u.dialogs.show(f.d)
	u.win.Canvas().Focus(f.url)
	return ok
}

// say shows text under the URL field: what is wrong, or what is asked for.
func (f *serverForm) say(text string) {
	f.problem.SetText(text)
	f.problem.Show()
}

// server returns the server the URL field names and the URL as typed, the secret typed handed
// to it when one was asked for. A URL that does not read is said under the field, and nil
// returned.
func (f *serverForm) server() (*shared.Server, string) {
	target := strings.TrimSpace(f.url.Text)
	if f.srv == nil || target != f.from {
		s, err := shared.ParseURL(target)
		if err != nil {
			f.say(err.Error())
			return nil, ""
		}
		f.srv, f.from = s, target
	}
	if f.password.Visible() {
		f.asking.give(f.srv, f.password.Text)
	}
	return f.srv, target
}

// asked shows the field for the secret that err, the answer of the server srv, says it asks
// for, and reports whether it asked: asked again for the one just typed, it says that one was
// not taken. Call it on the UI goroutine.
func (f *serverForm) asked(srv *shared.Server, err error) bool {
	kind := secretAsked(err)
	if kind == noSecret {
		return false
	}
	if f.password.Visible() && kind == f.asking {
		f.say(kind.refused())
	} else {
		f.say(kind.text(srv))
	}
	f.asking = kind
	f.password.SetText("")
	f.password.SetPlaceHolder(kind.title())
	f.password.Show()
	f.d.Resize(fyne.NewSize(560, 520))
	f.u.win.Canvas().Focus(f.password)
	return true
}
