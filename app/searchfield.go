package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// searchField is the search entry. Down, and Enter, hand the focus to the list of results with
// the cursor on its first row (selected, so that the entry pane shows it), as in a mail
// program's search: the results are one key away, not eight presses of Tab.
type searchField struct {
	widget.Entry
	toResults func() // moves the focus to the list's first row
}

func newSearchField(toResults func()) *searchField {
	s := &searchField{toResults: toResults}
	s.ExtendBaseWidget(s)
	s.OnSubmitted = func(string) { s.toResults() }
	return s
}

// TypedKey hands Down to the list; every other key is the entry's.
func (s *searchField) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyDown {
		s.toResults()
		return
	}
	s.Entry.TypedKey(ev)
}
