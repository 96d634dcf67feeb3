package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// tipDelay is how long the pointer rests on a title cut short before the whole title shows.
const tipDelay = 600 * time.Millisecond

// titleTip shows the whole title of a row whose Title cell cuts it short, in a box below the
// cell, once the pointer has rested on the cell for tipDelay; leaving the cell, a click, a drag
// and a scroll take it away. Fyne 2.7 has no tooltips, and its overlays (widget.PopUp) take
// every click in the window while they show, so the box is drawn in a layer of the list's own
// stack, above the table, and is made of nothing that takes clicks or the pointer: a click on
// it reaches the row below.
type titleTip struct {
	list  *entryList
	layer *fyne.Container // without a layout, as big as the table
	box   *fyne.Container
	label *widget.Label

	cell  *entryCell // the cell the pointer is on; nil when none
	shown *entryCell // the cell whose title shows; nil when none
	rest  int        // counts the pointer's moves: a timer started before the last does nothing
}

func newTitleTip(l *entryList) *titleTip {
	t := &titleTip{list: l, label: widget.NewLabel("")}
	t.label.Wrapping = fyne.TextWrapWord
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	bg.StrokeWidth = 1
	t.box = container.NewStack(bg, t.label)
	t.box.Hide()
	t.layer = container.NewWithoutLayout(t.box)
	return t
}

// hover starts the wait for the pointer to rest on cell, unless its title shows already.
func (t *titleTip) hover(c *entryCell) {
	if t.shown == c && c != nil {
		return
	}
	t.hide()
	t.cell = c
	rest := t.rest
	time.AfterFunc(tipDelay, func() {
		fyneDo(func() {
			if rest == t.rest {
				t.show()
			}
		})
	})
}

// leave forgets cell, which the pointer has left.
func (t *titleTip) leave(c *entryCell) {
	if t.cell == c {
		t.hide()
		t.cell = nil
	}
}

// changed hides the tip when cell, which shows another row now, is the one it is for.
func (t *titleTip) changed(c *entryCell) {
	if t.shown == c || t.cell == c {
		t.hide()
	}
}

// hide takes the tip away, and stops the wait for one.
func (t *titleTip) hide() {
	t.rest++
	if t.shown != nil {
		t.shown = nil
		t.box.Hide()
	}
}

// show shows the title of the cell the pointer rests on, when it is a Title cell that cuts it.
func (t *titleTip) show() {
	c, l := t.cell, t.list
	if c == nil || c.col >= len(l.cols) || l.cols[c.col].id != "title" || !c.Visible() || !c.cut() {
		return
	}
	d := fyne.CurrentApp().Driver()
	if d.CanvasForObject(c) == nil {
		return
	}
	area := l.table.Size()
	pos := d.AbsolutePositionForObject(c).Subtract(d.AbsolutePositionForObject(l.table))
	pad := theme.InnerPadding()
	t.label.SetText(c.label.Text)
	text := fyne.MeasureText(c.label.Text, theme.TextSize(), c.label.TextStyle)
	width := min(text.Width+2*pad+2, area.Width-pos.X)
	t.box.Resize(fyne.NewSize(width, 0))
	size := fyne.NewSize(width, t.label.MinSize().Height)
	below := pos.Y + c.Size().Height
	if below+size.Height > area.Height && pos.Y-size.Height >= 0 {
		below = pos.Y - size.Height // no room below the row: above it
	}
	t.box.Move(fyne.NewPos(pos.X, below))
	t.box.Resize(size)
	t.shown = c
	t.box.Show()
	t.layer.Refresh()
	t.watch(c, d.AbsolutePositionForObject(c))
}

// tipWatch is how often a tip checks that its cell is where it was.
const tipWatch = 150 * time.Millisecond

// watch hides the tip once cell has moved from at, which it does when the list scrolls: Fyne
// tells a table's cells nothing of it, nor the pointer's widget.
func (t *titleTip) watch(c *entryCell, at fyne.Position) {
	rest := t.rest
	time.AfterFunc(tipWatch, func() {
		fyneDo(func() {
			if rest != t.rest || t.shown != c {
				return
			}
			if fyne.CurrentApp().Driver().AbsolutePositionForObject(c) != at || !c.Visible() {
				t.hide()
				return
			}
			t.watch(c, at)
		})
	})
}

// cut reports whether the cell's text is wider than the cell.
func (c *entryCell) cut() bool {
	w := fyne.MeasureText(c.label.Text, theme.TextSize(), c.label.TextStyle).Width
	return w+2*theme.InnerPadding() > c.Size().Width
}

// MouseIn starts the wait for the pointer to rest on the cell.
func (c *entryCell) MouseIn(*desktop.MouseEvent) { c.list.tip.hover(c) }

// MouseMoved waits again: the pointer has not rested yet.
func (c *entryCell) MouseMoved(*desktop.MouseEvent) { c.list.tip.hover(c) }

// MouseOut takes the tip away.
func (c *entryCell) MouseOut() { c.list.tip.leave(c) }
