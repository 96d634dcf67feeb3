package app

import (
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// searchField is the search entry. Down, and Enter, hand the focus to the list of results with
// the cursor on its first row (selected, so that the entry pane shows it), as in a mail
// program's search: the results are one key away, not eight presses of Tab.
//
// While a tag: word is typed it suggests the library's tags below it (suggestionBox): then Down
// and Up move in the suggestions, Enter takes one and Escape closes them.
type searchField struct {
	widget.Entry
	toResults func()          // moves the focus to the list's first row
	tags      func() []string // the library's tags, as the sidebar last read them
	box       *suggestionBox
	word      tagWord // the word the suggestions shown would complete
}

func newSearchField(toResults func()) *searchField {
	s := &searchField{toResults: toResults}
	s.ExtendBaseWidget(s)
	s.OnSubmitted = func(string) { s.toResults() }
	s.box = newSuggestionBox(s)
	return s
}

// TypedKey hands Down to the list, and clears the search on Escape; every other key is the
// entry's. While tags are suggested, Down, Up, Enter and Escape are theirs.
func (s *searchField) TypedKey(ev *fyne.KeyEvent) {
	if s.box.Visible() {
		switch ev.Name {
		case fyne.KeyDown:
			s.box.move(1)
			return
		case fyne.KeyUp:
			s.box.move(-1)
			return
		case fyne.KeyReturn, fyne.KeyEnter:
			s.box.take(s.box.current)
			return
		case fyne.KeyEscape:
			s.box.close()
			return
		}
	}
	switch ev.Name {
	case fyne.KeyDown:
		s.toResults()
		return
	case fyne.KeyEscape:
		// With no suggestions open, Escape clears the search, as Zotero's and JabRef's do: the
		// list shows the sidebar's selection whole again.
		if s.Text != "" {
			s.SetText("")
		}
		return
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyTab:
		// Not an edit: the suggestions closed stay closed, and Enter hands over to the list.
		s.Entry.TypedKey(ev)
		return
	}
	s.Entry.TypedKey(ev)
	s.suggest()
}

// TypedRune types, and suggests the tags that match the word typed.
func (s *searchField) TypedRune(r rune) {
	s.Entry.TypedRune(r)
	s.suggest()
}

// TypedShortcut pastes, cuts and undoes, and suggests for the text that leaves.
func (s *searchField) TypedShortcut(sc fyne.Shortcut) {
	s.Entry.TypedShortcut(sc)
	s.suggest()
}

// MouseUp places the cursor, which may leave the word suggestions were for.
func (s *searchField) MouseUp(ev *desktop.MouseEvent) {
	s.Entry.MouseUp(ev)
	s.suggest()
}

// SetText sets the text, and closes the suggestions, which were for what was typed before.
func (s *searchField) SetText(text string) {
	s.Entry.SetText(text)
	s.box.close()
}

// FocusLost closes the suggestions.
func (s *searchField) FocusLost() {
	s.box.close()
	s.Entry.FocusLost()
}

// suggest shows the tags for the tag: word that ends at the cursor, or closes the suggestions
// when there is no such word or no tag matches it.
func (s *searchField) suggest() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(s); c != nil && c.Focused() != s {
		s.box.close() // typed into from elsewhere, or the focus has left
		return
	}
	cursor := byteOffset(s.Text, s.CursorColumn)
	w, ok := tagWordAt(s.Text, cursor)
	if !ok || s.tags == nil {
		s.box.close()
		return
	}
	names := tagSuggestions(s.tags(), w, s.Text)
	if len(names) == 0 {
		s.box.close()
		return
	}
	s.word = w
	s.box.show(names)
}

// complete replaces the word with the tag, and puts the cursor after it, ready for the next word.
func (s *searchField) complete(name string) {
	text, cursor := s.word.complete(s.Text, name)
	s.SetText(text)
	s.CursorColumn = cursor
	s.Refresh()
	if c := fyne.CurrentApp().Driver().CanvasForObject(s); c != nil && c.Focused() != s {
		c.Focus(s)
	}
}

// byteOffset returns the byte offset of the n-th rune of a one-line text.
func byteOffset(text string, n int) int {
	i := 0
	for ; n > 0 && i < len(text); n-- {
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	return i
}
