package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// TestTitleTip rests the pointer on a title the list cuts short: the whole title shows after a
// moment, and a click on the cell takes it away and selects the row.
func TestTitleTip(t *testing.T) {
	u, _ := newTestUI(t)
	l := u.list
	var cell *entryCell
	eventually(t, "a title cut short", func() bool {
		for _, c := range l.cells {
			if c.col == 0 && c.label.Text != "" && c.Visible() && c.cut() {
				cell = c
				return true
			}
		}
		return false
	})
	fyneDoAndWait(func() { cell.MouseIn(&desktop.MouseEvent{}) })
	eventually(t, "the tip", func() bool { return l.tip.box.Visible() })
	var tip, title string
	fyneDoAndWait(func() {
		tip, title = l.tip.label.Text, cell.label.Text
		cell.MouseMoved(&desktop.MouseEvent{}) // the pointer moves on the cell: the tip stays
	})
	if tip != title {
		t.Errorf("the tip shows %q, the cell %q", tip, title)
	}
	fyneDoAndWait(func() { cell.Tapped(&fyne.PointEvent{}) })
	var shown bool
	var selected []string
	fyneDoAndWait(func() { shown, selected = l.tip.box.Visible(), l.selection() })
	if shown || len(selected) != 1 {
		t.Errorf("after a click the tip shows: %v, the selection is %v", shown, selected)
	}

	// A title that fits has no tip.
	fyneDoAndWait(func() {
		cell.label.Text = "Short"
		cell.MouseIn(&desktop.MouseEvent{})
	})
	fyneDoAndWait(func() { l.tip.show() })
	fyneDoAndWait(func() { shown = l.tip.box.Visible(); cell.MouseOut() })
	if shown {
		t.Error("a title that fits shows a tip")
	}
}
