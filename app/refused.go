package app

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/shared"
)

// A member who may only read a shared library has the edits they make refused by its server
// (shared.LiveState.Refused). The window says so once for each set, in a dialog that names them
// and offers to let them go; the state line says so until then, and, clicked, shows the dialog
// again. Letting them go (shared.Live.Discard) gives this computer the server's versions back.

// discardButton is the refused changes dialog's action that lets them go.
const discardButton = "Discard My Changes…"

// tellRefused says once which changes the server refused the member, who may only read.
func (s *sharedView) tellRefused(st shared.LiveState) {
	var names []string
	for _, c := range st.Refused {
		names = append(names, conflictText(c))
	}
	said := strings.Join(names, "\n")
	if said == s.saidRefused {
		return
	}
	s.saidRefused = said
	if len(st.Refused) > 0 {
		s.showRefused(st)
	}
}

// showRefused shows the dialog that names the changes the server refused and offers to discard
// them.
func (s *sharedView) showRefused(st shared.LiveState) {
	const shown = 12
	var names []string
	for _, c := range st.Refused[:min(len(st.Refused), shown)] {
		names = append(names, conflictText(c))
	}
	if n := len(st.Refused) - shown; n > 0 {
		names = append(names, fmt.Sprintf("and %d more", n))
	}
	text := fmt.Sprintf("You may only read this shared library (role %s), so its server did not take these "+
		"changes made on this computer:\n\n• %s\n\nThey stay in this computer's copy, where only you see them. "+
		"Discard My Changes gives this computer the server's versions back; Keep Them leaves them as they are "+
		"(the state line, clicked, shows this again). The library's owner can let you edit it.",
		st.Member, strings.Join(names, "\n• "))
	var d dialog.Dialog
	keep := widget.NewButton("Keep Them", func() { d.Hide() })
	discard := widget.NewButton(discardButton, func() {
		d.Hide()
		s.confirmDiscard(st)
	})
	d = s.choose("Changes Not Sent", text, fyne.NewSize(600, 360), keep, discard)
}

// confirmDiscard asks whether to discard the changes refused in st, and has Live do it: those
// changes and no other (st.Mark), so that one made after the member chose is not let go with
// them. A click while a discard is under way asks for nothing more.
func (s *sharedView) confirmDiscard(st shared.LiveState) {
	changes := plural(len(st.Refused), "change", "changes")
	text := fmt.Sprintf("Discard the %s the server refused? Each entry, note, tag, collection or saved search "+
		"changed on this computer gets the server's version back, what was made here goes, and what was deleted here "+
		"comes back. Your read, starred and rating flags stay: the server keeps them for you. This cannot be undone.", changes)
	var d dialog.Dialog
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	discard := widget.NewButton("Discard "+changes, func() {
		d.Hide()
		if s.live == nil || s.discarding {
			return
		}
		s.discarding = true
		s.u.status.SetText("Discarding " + changes + "…")
		// Off the UI goroutine: Live lets them go between its syncs.
		go s.live.Discard(st.Mark)
	})
	discard.Importance = widget.DangerImportance
	d = s.choose("Discard My Changes", text, fyne.NewSize(520, 280), cancel, discard)
}

// discarded says in the status line what the last discard let go (the entries show the
// server's versions), or why it let nothing go: the member chooses again, from the state line.
func (s *sharedView) discarded(st shared.LiveState) {
	s.discarding = false
	switch {
	case st.DiscardErr == nil && st.Discarded == 0:
		s.u.status.SetText("Nothing discarded: no refused change was left")
	case st.DiscardErr == nil:
		s.u.status.SetText("Discarded " + plural(st.Discarded, "refused change", "refused changes"))
	case errors.Is(st.DiscardErr, shared.ErrUnreachable):
		s.u.status.SetText("Nothing discarded: the server could not be reached. Discard again once connected")
	case errors.Is(st.DiscardErr, storage.ErrChangedSince):
		s.u.status.SetText("Nothing discarded: changes were made since you chose. Discard again from the state line")
	default:
		s.u.status.SetText("Nothing discarded: " + st.DiscardErr.Error())
	}
}
