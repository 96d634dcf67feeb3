package app

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// dialogStack keeps the window's open dialogs, the newest last, so that the keyboard reaches
// them: Escape closes the newest as its Cancel (or Close) button does, and Enter confirms a
// question, submits a form or closes a message, when no field has the keyboard (a field's Enter
// is its own).
type dialogStack struct {
	open []dialog.Dialog
	// enter is what Enter does in a dialog of buttons of its own (a CustomDialog): its
	// highlighted button's action.
	enter map[dialog.Dialog]func()
}

// showWithEnter shows a dialog as show does, and makes Enter do enter while it is the newest.
func (s *dialogStack) showWithEnter(d dialog.Dialog, enter func()) {
	if s != nil {
		if s.enter == nil {
			s.enter = map[dialog.Dialog]func(){}
		}
		s.enter[d] = enter
		d.SetOnClosed(func() { delete(s.enter, d) })
	}
	s.show(d)
}

// show shows a dialog and keeps it until it closes. A nil stack only shows it.
func (s *dialogStack) show(d dialog.Dialog) {
	if s != nil {
		s.open = append(s.open, d)
		d.SetOnClosed(func() { s.open = slices.DeleteFunc(s.open, func(o dialog.Dialog) bool { return o == d }) })
	}
	d.Show()
}

// typedKey handles a key that no widget took, and reports whether it was a dialog's.
func (s *dialogStack) typedKey(ev *fyne.KeyEvent) bool {
	if s == nil || len(s.open) == 0 {
		return false
	}
	top := s.open[len(s.open)-1]
	switch ev.Name {
	case fyne.KeyEscape:
		top.Hide()
		return true
	case fyne.KeyReturn, fyne.KeyEnter:
		switch d := top.(type) {
		case *dialog.ConfirmDialog:
			d.Confirm()
			return true
		case *dialog.FormDialog:
			d.Submit()
			return true
		}
		if f := s.enter[top]; f != nil {
			f()
			return true
		}
		if isMessage(top) {
			top.Hide() // its one button, OK
			return true
		}
	}
	return false
}

// isMessage reports whether d is a message with its OK button only (dialog.NewInformation,
// dialog.NewError), which Enter closes: the exported kinds of dialog are all something else.
func isMessage(d dialog.Dialog) bool {
	switch d.(type) {
	case *dialog.ConfirmDialog, *dialog.FormDialog, *dialog.CustomDialog, *dialog.FileDialog,
		*dialog.ProgressDialog, *dialog.ProgressInfiniteDialog, *dialog.ColorPickerDialog, *dialog.EntryDialog:
		return false
	}
	return true
}

// dialogEntry is a text field of a dialog: Escape in it closes the dialog, as Escape outside
// the fields does (a plain field keeps the key and does nothing with it).
type dialogEntry struct {
	widget.Entry
	stack *dialogStack
}

func newDialogEntry(stack *dialogStack) *dialogEntry {
	e := &dialogEntry{stack: stack}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey gives Escape to the dialogs; every other key is the field's.
func (e *dialogEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.stack.typedKey(ev) {
		return
	}
	e.Entry.TypedKey(ev)
}

// submits makes Enter in each of the fields submit the form dialog d, as its confirm button
// does (when what the fields hold is valid): a dialogEntry is not the *widget.Entry that Fyne's
// form gives Enter to.
func submits(d *dialog.FormDialog, fields ...*dialogEntry) {
	for _, f := range fields {
		f.OnSubmitted = func(string) { d.Submit() }
	}
}

// dialogSelect is a choice in a dialog: Escape closes the dialog and Enter confirms it while
// the choice has the focus, as they do with the focus nowhere (a plain Select keeps both keys
// and does nothing with them).
type dialogSelect struct {
	widget.Select
	stack *dialogStack
}

func newDialogSelect(stack *dialogStack, options []string) *dialogSelect {
	s := &dialogSelect{stack: stack}
	s.Options = options
	s.PlaceHolder = "(Select one)"
	s.ExtendBaseWidget(s)
	return s
}

func (s *dialogSelect) TypedKey(ev *fyne.KeyEvent) {
	if !s.stack.takesKey(ev) {
		s.Select.TypedKey(ev)
	}
}

// dialogCheck is a check box in a dialog, which gives Escape and Enter to the dialog.
type dialogCheck struct {
	widget.Check
	stack *dialogStack
}

func newDialogCheck(stack *dialogStack, label string) *dialogCheck {
	c := &dialogCheck{stack: stack}
	c.Text = label
	c.ExtendBaseWidget(c)
	return c
}

func (c *dialogCheck) TypedKey(ev *fyne.KeyEvent) {
	if !c.stack.takesKey(ev) {
		c.Check.TypedKey(ev)
	}
}

// dialogSelectEntry is a field with suggestions in a dialog, which gives Escape and Enter to
// the dialog.
type dialogSelectEntry struct {
	widget.SelectEntry
	stack *dialogStack
}

func newDialogSelectEntry(stack *dialogStack, options []string) *dialogSelectEntry {
	e := &dialogSelectEntry{stack: stack}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrapOff
	e.SetOptions(options)
	return e
}

func (e *dialogSelectEntry) TypedKey(ev *fyne.KeyEvent) {
	if !e.stack.takesKey(ev) {
		e.SelectEntry.TypedKey(ev)
	}
}

// takesKey gives Escape, Enter and Return to the dialog on top, and reports whether it took
// the key.
func (s *dialogStack) takesKey(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyEscape, fyne.KeyReturn, fyne.KeyEnter:
		return s.typedKey(ev)
	}
	return false
}
