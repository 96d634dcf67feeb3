package app

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/shared"
)

// TestSharedStateRefused: the state line says how many changes the server refused a member who
// may only read, until they are discarded.
func TestSharedStateRefused(t *testing.T) {
	for _, c := range []struct {
		st   shared.LiveState
		want string
	}{
		{shared.LiveState{Connected: true, Unsent: 2, Refused: make([]shared.Conflict, 2)}, "Shared: connected · 2 changes refused: you may only read (click here)"},
		{shared.LiveState{Connected: true, Unsent: 1, Refused: make([]shared.Conflict, 1)}, "Shared: connected · 1 change refused: you may only read (click here)"},
		{shared.LiveState{Connected: true, Discarded: 2}, "Shared: connected · all changes sent"},
	} {
		if got := sharedStateText(c.st, true); got != c.want {
			t.Errorf("%+v: %q, want %q", c.st, got, c.want)
		}
	}
}

// TestRefusedDialog: the changes refused are told once, in a dialog that names them and the
// role; Discard My Changes… asks to confirm with the count, and Cancel leaves them; the state
// line, clicked, shows the dialog again; the state after a discard says it in the status line.
func TestRefusedDialog(t *testing.T) {
	u, _ := newTestUI(t)
	srv, err := shared.ParseURL("postgres://cy@db.example.org/refs")
	if err != nil {
		t.Fatal(err)
	}
	refused := shared.LiveState{Connected: true, Unsent: 2, Member: "refs_cy", Refused: []shared.Conflict{
		{Kind: "entry", What: "knuth1984"}, {Kind: "tags of the entry", What: "knuth1984"}}}
	fyneDoAndWait(func() {
		u.shared.attach(srv)
		u.shared.show(refused)
	})
	var discard *widget.Button
	eventually(t, "the dialog", func() bool {
		var ok bool
		discard, ok = u.inDialog["button:"+discardButton].(*widget.Button)
		return ok
	})
	fyneDoAndWait(func() {
		text := allLabels(u.win.Canvas().Overlays().Top())
		for _, want := range []string{"role refs_cy", `the entry "knuth1984"`, `the tags of the entry "knuth1984"`} {
			if !strings.Contains(text, want) {
				t.Errorf("the dialog does not say %q: %q", want, text)
			}
		}
		test.Tap(discard)
	})
	var cancel *widget.Button
	eventually(t, "the confirmation", func() bool {
		var ok bool
		cancel, ok = u.inDialog["button:Cancel"].(*widget.Button)
		_, count := u.inDialog["button:Discard 2 changes"]
		return ok && count
	})
	fyneDoAndWait(func() {
		if text := allLabels(u.win.Canvas().Overlays().Top()); !strings.Contains(text, "Discard the 2 changes the server refused?") {
			t.Errorf("the confirmation: %q", text)
		}
		test.Tap(cancel)
	})
	eventually(t, "nothing up", func() bool { return !u.dialogOpen() })
	fyneDoAndWait(func() {
		// The same set again is not told again; the state line, clicked, tells it.
		u.shared.show(refused)
		if u.dialogOpen() {
			t.Error("the same changes refused were told twice")
		}
		u.shared.label.Tapped(nil)
		if !u.dialogOpen() {
			t.Error("the state line, clicked, did not show the changes refused")
		}
		u.shared.show(shared.LiveState{Connected: true, DiscardEnded: true, Discarded: 2})
		if got := u.status.Text; got != "Discarded 2 refused changes" {
			t.Errorf("the status line after a discard: %q", got)
		}
		// A discard that let nothing go says why, and is not left "Discarding…".
		for _, c := range []struct {
			err  error
			want string
		}{
			{fmt.Errorf("%w: nothing was discarded", shared.ErrUnreachable), "the server could not be reached"},
			{storage.ErrChangedSince, "changes were made since you chose"},
			{nil, "no refused change was left"}, // let go meanwhile: none left to drop
		} {
			u.shared.discarding = true
			u.status.SetText("Discarding 2 changes…")
			u.shared.show(shared.LiveState{Connected: true, Refused: refused.Refused, DiscardEnded: true, DiscardErr: c.err})
			if got := u.status.Text; !strings.HasPrefix(got, "Nothing discarded") || !strings.Contains(got, c.want) || u.shared.discarding {
				t.Errorf("the status line after a discard that failed (%v): %q", c.err, got)
			}
		}
	})
}
