package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// suggestionBox is the search field's pop-up of tags. It is drawn in the window's content,
// over the list, rather than as one of Fyne's overlays (widget.PopUp): an overlay takes the
// keyboard from the field, and every click in the window, while it shows, and typing must go
// on in the field. withSuggestions places it under the field.
type suggestionBox struct {
	widget.BaseWidget
	field   *searchField
	names   []string // the tags suggested, in order
	current int      // the index of the one Enter takes
	rows    []*suggestionRow
	list    *fyne.Container
	bg      *canvas.Rectangle
	parent  fyne.CanvasObject // the container withSuggestions made
}

func newSuggestionBox(field *searchField) *suggestionBox {
	b := &suggestionBox{field: field, list: container.NewVBox()}
	b.bg = canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	b.bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	b.bg.StrokeWidth = 1
	for i := range maxTagSuggestions {
		r := newSuggestionRow(b, i)
		b.rows = append(b.rows, r)
		b.list.Add(r)
	}
	b.ExtendBaseWidget(b)
	b.Hide()
	return b
}

func (b *suggestionBox) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(b.bg, b.list))
}

// show suggests names, the first one current.
func (b *suggestionBox) show(names []string) {
	b.names, b.current = names, 0
	for i, r := range b.rows {
		if i < len(names) {
			r.label.SetText(names[i])
			r.Show()
		} else {
			r.Hide()
		}
	}
	b.mark()
	b.place()
	b.Show()
}

// close hides the suggestions; the field keeps its text and the focus.
func (b *suggestionBox) close() {
	if b.Visible() {
		b.Hide()
	}
	b.names = nil
}

// move makes the next (delta 1) or the previous (-1) suggestion current.
func (b *suggestionBox) move(delta int) {
	b.current = min(max(b.current+delta, 0), len(b.names)-1)
	b.mark()
}

// take completes the field's word with the i-th suggestion.
func (b *suggestionBox) take(i int) {
	if i < 0 || i >= len(b.names) {
		return
	}
	name := b.names[i]
	b.close()
	b.field.complete(name)
}

// mark colours the current suggestion.
func (b *suggestionBox) mark() {
	for i, r := range b.rows {
		fill := theme.Color(theme.ColorNameOverlayBackground)
		if i == b.current {
			fill = theme.Color(theme.ColorNameSelection)
		}
		if r.bg.FillColor != fill {
			r.bg.FillColor = fill
			r.bg.Refresh()
		}
	}
}

// place sizes the box for its rows, as wide as the field, under the field. Its parent is the
// container withSuggestions made, whose first object holds the field.
func (b *suggestionBox) place() {
	d := fyne.CurrentApp().Driver()
	field := b.field
	pos := fyne.NewPos(0, field.Size().Height)
	if b.parent != nil && d.CanvasForObject(field) != nil {
		pos = pos.Add(d.AbsolutePositionForObject(field).Subtract(d.AbsolutePositionForObject(b.parent)))
	}
	h := float32(0)
	for _, r := range b.rows[:len(b.names)] {
		h += r.MinSize().Height
	}
	b.Move(pos)
	b.Resize(fyne.NewSize(max(field.Size().Width, 240), h))
}

// Suggestion boxes are focusable only so that a click on one does not take the focus from the
// search field: Fyne's window unfocuses the focused widget on a click unless something
// focusable is under the pointer. The focus itself goes straight back to the field.

// FocusGained hands the focus back to the search field.
func (b *suggestionBox) FocusGained() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(b.field); c != nil {
		c.Focus(b.field)
	}
}

// FocusLost does nothing.
func (b *suggestionBox) FocusLost() {}

// TypedRune does nothing: the box never keeps the focus.
func (b *suggestionBox) TypedRune(rune) {}

// TypedKey does nothing: the box never keeps the focus.
func (b *suggestionBox) TypedKey(*fyne.KeyEvent) {}

// suggestionRow is one tag of the suggestions: a click takes it, the pointer makes it current.
type suggestionRow struct {
	widget.BaseWidget
	box   *suggestionBox
	i     int
	bg    *canvas.Rectangle
	label *widget.Label
}

func newSuggestionRow(b *suggestionBox, i int) *suggestionRow {
	r := &suggestionRow{box: b, i: i, bg: canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground)), label: widget.NewLabel("")}
	r.label.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

func (r *suggestionRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(r.bg, r.label))
}

// Tapped takes the row's tag.
func (r *suggestionRow) Tapped(*fyne.PointEvent) { r.box.take(r.i) }

// MouseIn makes the row current.
func (r *suggestionRow) MouseIn(*desktop.MouseEvent) {
	r.box.current = r.i
	r.box.mark()
}

// MouseMoved keeps the row current.
func (r *suggestionRow) MouseMoved(*desktop.MouseEvent) {}

// MouseOut leaves the row current until another is.
func (r *suggestionRow) MouseOut() {}

// withSuggestions returns content, which holds the search field, with the field's suggestions
// drawn over it.
func (s *searchField) withSuggestions(content fyne.CanvasObject) fyne.CanvasObject {
	c := container.New(suggestionsLayout{s.box}, content, s.box)
	s.box.parent = c
	return c
}

// suggestionsLayout gives its first object the whole size, and places the suggestions under
// the search field when they show.
type suggestionsLayout struct{ box *suggestionBox }

func (l suggestionsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
	if l.box.Visible() {
		l.box.place()
	}
}

func (l suggestionsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size { return objs[0].MinSize() }
