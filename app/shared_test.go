package app

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage/shared"
)

// TestSharedStateText: the state line of a shared library says connected or offline, and what
// waits to be sent.
func TestSharedStateText(t *testing.T) {
	offline := errors.Join(shared.ErrUnreachable, errors.New("connection refused"))
	for _, c := range []struct {
		st    shared.LiveState
		known bool
		want  string
	}{
		{shared.LiveState{}, false, "Shared: connecting…"},
		{shared.LiveState{Connected: true}, true, "Shared: connected · all changes sent"},
		{shared.LiveState{Connected: true, Unsent: 1}, true, "Shared: connected · 1 change waiting"},
		{shared.LiveState{Connected: true, Unsent: 239210, Sending: 239210}, true, "Shared: connected · sending 239,210 changes…"},
		{shared.LiveState{Err: offline, Unsent: 3}, true, "Shared: offline, trying again · 3 changes waiting"},
		{shared.LiveState{Connected: true, Unsent: 2, Conflicts: make([]shared.Conflict, 2)}, true,
			"Shared: connected · 2 conflicts (both versions kept)"},
		{shared.LiveState{Connected: true, Err: shared.ErrNewerSchema}, true, "Shared: connected, the last sync failed · all changes sent"},
		{shared.LiveState{Err: shared.ErrPasswordNeeded, Unsent: 1}, true, "Shared: the server asks for your password (click here) · 1 change waiting"},
		{shared.LiveState{Err: fmt.Errorf("connect: %w (/home/cy/cy.key)", shared.ErrKeyPassphraseNeeded)}, true,
			"Shared: your client key needs its passphrase (click here) · all changes sent"},
		{shared.LiveState{Err: fmt.Errorf("%w: %w: x509", shared.ErrUnreachable, shared.ErrUntrustedServer), Unsent: 2}, true,
			"Shared: offline, the server's certificate is not trusted · 2 changes waiting"},
	} {
		if got := sharedStateText(c.st, c.known); got != c.want {
			t.Errorf("%+v: %q, want %q", c.st, got, c.want)
		}
	}
}

// TestConnectSharedRefused: the Connect to Shared Library dialog says what is wrong with a URL
// that is not a shared library's, and stays up; the window keeps its library.
func TestConnectSharedRefused(t *testing.T) {
	u, _ := newTestUI(t)
	var opened []string
	fyneDoAndWait(func() {
		u.connect = func(library string, _ *shared.Server) { opened = append(opened, library) }
		u.onConnectShared()
	})
	var url *widget.Entry
	var connect *widget.Button
	eventually(t, "the dialog", func() bool {
		var ok1, ok2 bool
		url, ok1 = u.inDialog["shared-url"].(*widget.Entry)
		connect, ok2 = u.inDialog["button:Connect"].(*widget.Button)
		return ok1 && ok2
	})
	fyneDoAndWait(func() {
		url.SetText("https://db.example.org/refs")
		test.Tap(connect)
	})
	fyneDoAndWait(func() {
		if !u.dialogOpen() || len(opened) > 0 {
			t.Errorf("a URL that is not postgres:// was taken: dialog up %v, opened %v", u.dialogOpen(), opened)
		}
		if !strings.Contains(allLabels(u.win.Canvas().Overlays().Top()), "not a postgres:// URL") {
			t.Errorf("the dialog does not say why: %q", allLabels(u.win.Canvas().Overlays().Top()))
		}
		// A server out of reach (nothing listens on port 1) is for the window opening it to say.
		url.SetText("postgres://ann@127.0.0.1:1/refs")
		test.Tap(connect)
	})
	eventually(t, "the shared library opened", func() bool { return !u.dialogOpen() && len(opened) == 1 })
	fyneDoAndWait(func() {
		if opened[0] != "postgres://ann@127.0.0.1:1/refs" {
			t.Errorf("a shared library's URL: opened %v", opened)
		}
	})
}

// TestSharedConflictTexts: the conflicts dialog names a tag renamed on both sides with both
// names and says what each choice keeps of it; with a note it offers Keep Both. Rows renamed to
// be sent are told, with their new key or name, on the status line and in a dialog.
func TestSharedConflictTexts(t *testing.T) {
	u, _ := newTestUI(t)
	cs := []shared.Conflict{{Kind: "tag", What: "ML", Theirs: "Machine learning"}, {Kind: "note", What: "knuth1984"}}
	fyneDoAndWait(func() { u.shared.showConflicts(cs) })
	eventually(t, "the conflicts dialog", func() bool { return u.inDialog["button:Keep Both"] != nil })
	fyneDoAndWait(func() {
		text := allLabels(u.win.Canvas().Overlays().Top())
		for _, want := range []string{`the tag "ML" (named "Machine learning" on the server)`, `the note of "knuth1984"`,
			"A tag or a collection keeps one name: this computer's with Keep Mine, the server's with Take the Server's.",
			"Keep Both (notes only) keeps both texts"} {
			if !strings.Contains(text, want) {
				t.Errorf("the conflicts dialog does not say %q:\n%s", want, text)
			}
		}
		u.win.Canvas().Overlays().Top().Hide()
	})
	renamed := []shared.Renamed{{Seq: 7, Kind: "entry", Old: "knuth1984", New: "knuth1984a"}}
	fyneDoAndWait(func() {
		// The status line says it until the next action (or a look at the list) writes it.
		u.shared.tellRenamed(renamed)
		want := `the entry "knuth1984" is now "knuth1984a" (another member's entry has that key)`
		top := allLabels(u.win.Canvas().Overlays().Top())
		if !strings.Contains(top, want) || !strings.Contains(top, "cite a renamed entry by its new key") || !strings.Contains(u.status.Text, want) {
			t.Errorf("the rename told: dialog %q, status %q", top, u.status.Text)
		}
		u.win.Canvas().Overlays().Top().Hide()
		// Told once: the states that follow have it until it is read, and the state line says it.
		u.shared.tellRenamed(renamed)
		if u.win.Canvas().Overlays().Top() != nil {
			t.Errorf("the rename told again: %q", allLabels(u.win.Canvas().Overlays().Top()))
		}
		st := shared.LiveState{Connected: true, Renamed: renamed}
		if got, want := sharedStateText(st, true), "Shared: connected · all changes sent · 1 rename to keep both (click here)"; got != want {
			t.Errorf("the state line %q, want %q", got, want)
		}
	})
}

// TestRenamesReachableWithConflicts: the state line says "N renames to keep both (click here)"
// beside conflicts the member chose to decide later; clicked, it shows the renames too, which
// OK lets go of: it showed the conflicts at every click, and the renames, for as long as a
// conflict waited, could be neither read nor let go.
func TestRenamesReachableWithConflicts(t *testing.T) {
	u, _ := newTestUI(t)
	srv, err := shared.ParseURL("postgres://cy@db.example.org/refs")
	if err != nil {
		t.Fatal(err)
	}
	st := shared.LiveState{Connected: true, Unsent: 1, Conflicts: []shared.Conflict{{Kind: "tag", What: "ML"}},
		Renamed: []shared.Renamed{{Seq: 3, Kind: "entry", Old: "knuth1984", New: "knuth1984a"}}}
	fyneDoAndWait(func() {
		u.shared.attach(srv)
		u.shared.show(st)
		// Both dialogs are up, the conflicts' on top: Decide Later, then Remind Me Later.
		for top := u.win.Canvas().Overlays().Top(); top != nil; top = u.win.Canvas().Overlays().Top() {
			top.Hide()
		}
	})
	for click := range 3 {
		var text string
		fyneDoAndWait(func() {
			u.shared.label.Tapped(&fyne.PointEvent{})
			for top := u.win.Canvas().Overlays().Top(); top != nil; top = u.win.Canvas().Overlays().Top() {
				text += allLabels(top)
				top.Hide()
			}
		})
		if strings.Contains(text, `the entry "knuth1984" is now "knuth1984a"`) {
			return
		}
		t.Logf("click %d showed %q", click+1, text)
	}
	t.Errorf("the state line %q, clicked three times, never showed the renames", sharedStateText(st, true))
}

// TestStateLineFollowsText: the state line takes the width of each text it is given, as far as
// its row allows, longer or shorter. Its minimum width is the ellipsis's whatever its text, so
// Fyne did not place it again when its text changed: every state after the first ("Shared:
// connecting…") was cut to that one's width ("Shared: connected …").
func TestStateLineFollowsText(t *testing.T) {
	u, _ := newTestUI(t)
	srv, err := shared.ParseURL("postgres://cy@db.example.org/refs")
	if err != nil {
		t.Fatal(err)
	}
	fyneDoAndWait(func() {
		u.win.Resize(fyne.NewSize(1600, 800))
		u.shared.attach(srv)
	})
	for _, st := range []shared.LiveState{{Connected: true}, {Unsent: 3}, {Connected: true, Unsent: 1}} {
		var text, shown string
		var width, natural float32
		fyneDoAndWait(func() {
			u.shared.show(st)
			text, width, natural = u.shared.label.Text, u.shared.label.Size().Width, u.shared.label.naturalWidth()
			shown = drawnText(u.shared.label)
		})
		if width < natural-1 || width > natural+1 {
			t.Errorf("the state line %q is %v wide, its text %v", text, width, natural)
		}
		if shown != text {
			t.Errorf("the state line shows %q, its text is %q", shown, text)
		}
	}
}

// drawnText is the text o draws: its canvas.Text objects' texts, joined.
func drawnText(o fyne.CanvasObject) string {
	var b strings.Builder
	var visit func(fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *canvas.Text:
			b.WriteString(w.Text)
		case *fyne.Container:
			for _, c := range w.Objects {
				visit(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				visit(c)
			}
		}
	}
	visit(o)
	return b.String()
}

// TestConnectSharedCancelled: Cancel while the server is being asked whether it takes the
// connection lets the answer go: the window keeps its library.
func TestConnectSharedCancelled(t *testing.T) {
	u, _ := newTestUI(t)
	var opened []string
	fyneDoAndWait(func() {
		u.connect = func(library string, _ *shared.Server) { opened = append(opened, library) }
		u.onConnectShared()
	})
	var url *widget.Entry
	var connect, cancel *widget.Button
	eventually(t, "the dialog", func() bool {
		var ok1, ok2, ok3 bool
		url, ok1 = u.inDialog["shared-url"].(*widget.Entry)
		connect, ok2 = u.inDialog["button:Connect"].(*widget.Button)
		cancel, ok3 = u.inDialog["button:Cancel"].(*widget.Button)
		return ok1 && ok2 && ok3
	})
	fyneDoAndWait(func() {
		url.SetText("postgres://ann@127.0.0.1:1/refs") // nothing listens on port 1: refused at once
		test.Tap(connect)
		test.Tap(cancel) // before the server's answer, which comes on the UI goroutine
	})
	time.Sleep(time.Second)
	settle(t, u)
	fyneDoAndWait(func() {
		if len(opened) > 0 || u.dialogOpen() {
			t.Errorf("after Cancel: opened %v, a dialog up %v", opened, u.dialogOpen())
		}
	})
}
