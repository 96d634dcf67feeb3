package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage/shared"
)

// libraryItems returns the labels of the window's Library menu.
func libraryItems(u *UI) []string {
	var labels []string
	for _, it := range u.libraryMenu.Items {
		labels = append(labels, it.Label)
	}
	return labels
}

// TestCopySharedMenu: Library › Copy to Shared Library… is in the menu of a library of one's
// own, and left out once the window shows a replica.
func TestCopySharedMenu(t *testing.T) {
	u, _ := newTestUI(t)
	srv, err := shared.ParseURL("postgres://cy@db.example.org/refs")
	if err != nil {
		t.Fatal(err)
	}
	fyneDoAndWait(func() {
		if got := strings.Join(libraryItems(u), "|"); !strings.Contains(got, "Connect to Shared Library…|Copy to Shared Library…") {
			t.Errorf("a library of its own: the Library menu is %s", got)
		}
		u.shared.attach(srv)
		if got := strings.Join(libraryItems(u), "|"); strings.Contains(got, "Copy to Shared Library") {
			t.Errorf("a replica: the Library menu is %s", got)
		}
	})
}

// TestCopySharedUnreachable: a server out of reach is said in an error dialog, and nothing is
// copied.
func TestCopySharedUnreachable(t *testing.T) {
	u, _ := newTestUI(t)
	copied := 0
	fyneDoAndWait(func() {
		u.copyTo = func(context.Context, *shared.Server) (shared.Copied, error) {
			copied++
			return shared.Copied{}, nil
		}
		u.onCopyShared()
	})
	var url *widget.Entry
	var copyButton *widget.Button
	eventually(t, "the dialog", func() bool {
		var ok1, ok2 bool
		url, ok1 = u.inDialog["shared-url"].(*widget.Entry)
		copyButton, ok2 = u.inDialog["button:Copy"].(*widget.Button)
		return ok1 && ok2
	})
	fyneDoAndWait(func() {
		url.SetText("https://db.example.org/refs")
		test.Tap(copyButton)
		if !strings.Contains(allLabels(u.win.Canvas().Overlays().Top()), "not a postgres:// URL") {
			t.Errorf("the dialog does not say why: %q", allLabels(u.win.Canvas().Overlays().Top()))
		}
		url.SetText("postgres://ann@127.0.0.1:1/refs") // nothing listens on port 1
		test.Tap(copyButton)
	})
	var text string
	eventually(t, "the error", func() bool {
		text = allLabels(u.win.Canvas().Overlays().Top())
		return strings.Contains(text, "could not be reached")
	})
	if copied != 0 || !strings.Contains(text, "Nothing was copied") {
		t.Errorf("copied %d times; the error says %q", copied, text)
	}
}

// TestCopySharedCancelled: Cancel while the server is being asked whether it takes the
// connection lets the answer go: no copy is made (nor an error said) for a dialog the member
// closed.
func TestCopySharedCancelled(t *testing.T) {
	u, _ := newTestUI(t)
	copied := 0
	fyneDoAndWait(func() {
		u.copyTo = func(context.Context, *shared.Server) (shared.Copied, error) {
			copied++
			return shared.Copied{}, nil
		}
		u.onCopyShared()
	})
	var url *widget.Entry
	var copyButton, cancelButton *widget.Button
	eventually(t, "the dialog", func() bool {
		var ok1, ok2, ok3 bool
		url, ok1 = u.inDialog["shared-url"].(*widget.Entry)
		copyButton, ok2 = u.inDialog["button:Copy"].(*widget.Button)
		cancelButton, ok3 = u.inDialog["button:Cancel"].(*widget.Button)
		return ok1 && ok2 && ok3
	})
	fyneDoAndWait(func() {
		url.SetText("postgres://ann@127.0.0.1:1/refs") // nothing listens on port 1
		test.Tap(copyButton)
		test.Tap(cancelButton) // before the server's answer, which comes on the UI goroutine
	})
	eventually(t, "the server's answer", u.work.idle)
	settle(t, u)
	fyneDoAndWait(func() {
		if top := u.win.Canvas().Overlays().Top(); top != nil {
			t.Errorf("a dialog after Cancel: %q", allLabels(top))
		}
		if strings.Contains(u.status.Text, "copied") || u.copying {
			t.Errorf("the status line after Cancel: %q (copying %v)", u.status.Text, u.copying)
		}
	})
	if copied != 0 {
		t.Errorf("copied %d times after Cancel", copied)
	}
}

// TestCopySharedEnterTwice: Enter pressed twice in the URL field before the server answers
// (the Copy button is disabled, the field is not) asks once: one error said here, and with a
// server that answers, one copy.
func TestCopySharedEnterTwice(t *testing.T) {
	u, _ := newTestUI(t)
	fyneDoAndWait(func() {
		u.copyTo = func(context.Context, *shared.Server) (shared.Copied, error) { return shared.Copied{}, nil }
		u.onCopyShared()
	})
	var url *widget.Entry
	eventually(t, "the dialog", func() bool {
		var ok bool
		url, ok = u.inDialog["shared-url"].(*widget.Entry)
		return ok
	})
	fyneDoAndWait(func() {
		url.SetText("postgres://ann@127.0.0.1:1/refs") // nothing listens on port 1
		url.OnSubmitted(url.Text)
		url.OnSubmitted(url.Text)
	})
	eventually(t, "the server's answers", u.work.idle)
	settle(t, u)
	fyneDoAndWait(func() {
		if n := len(u.dialogs.open); n != 1 {
			t.Errorf("%d dialogs open, want the one error", n)
		}
	})
}

// TestCopySharedSwitchBusy: while a copy to a shared library runs, the window does not show
// another library (it would close this window as the copy ends, its report unread): it says so.
func TestCopySharedSwitchBusy(t *testing.T) {
	u, _ := newTestUI(t)
	fyneDoAndWait(func() {
		u.copying = true
		u.onLibraries()
		if text := allLabels(u.win.Canvas().Overlays().Top()); !strings.Contains(text, "A copy of this library to a shared library is under way") {
			t.Errorf("Libraries… during a copy shows %q", text)
		}
	})
}
