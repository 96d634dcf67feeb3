package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// leftClick clicks the middle of o as the desktop driver does: the click goes to the deepest
// object under the pointer that takes a tap of any kind (or the focus, or mouse buttons), and
// only a Tappable one acts on it. test.Tap calls Tapped on whatever it is given, and
// test.TapCanvas looks for a Tappable object only: neither finds out that a widget taking only
// secondary taps swallows left clicks. Call it on the UI goroutine; it reports what took the
// click, or fails the test when that does nothing with a left click.
func leftClick(t *testing.T, c fyne.Canvas, o fyne.CanvasObject) fyne.CanvasObject {
	t.Helper()
	d := fyne.CurrentApp().Driver()
	pos := d.AbsolutePositionForObject(o).Add(fyne.NewPos(o.Size().Width/2, o.Size().Height/2))
	target, at := objectAt(c, pos)
	tap, ok := target.(fyne.Tappable)
	if !ok {
		t.Fatalf("a click on %T at %v goes to %T, which does nothing with a left click", o, pos, target)
		return target
	}
	tap.Tapped(&fyne.PointEvent{Position: at, AbsolutePosition: pos})
	return target
}

// objectAt returns the object of the canvas the desktop driver gives a click at pos to, and the
// position inside it: the last, deepest visible object there that takes taps, the focus or mouse
// buttons, in the dialog on top if there is one.
func objectAt(c fyne.Canvas, pos fyne.Position) (found fyne.CanvasObject, at fyne.Position) {
	takesClicks := func(o fyne.CanvasObject) bool {
		switch o.(type) {
		case fyne.Tappable, fyne.SecondaryTappable, fyne.DoubleTappable, fyne.Focusable, desktop.Mouseable:
			return true
		}
		return false
	}
	var visit func(o fyne.CanvasObject, origin fyne.Position)
	visit = func(o fyne.CanvasObject, origin fyne.Position) {
		if o == nil || !o.Visible() {
			return
		}
		p := origin.Add(o.Position())
		s := o.Size()
		if pos.X < p.X || pos.Y < p.Y || pos.X >= p.X+s.Width || pos.Y >= p.Y+s.Height {
			return
		}
		if takesClicks(o) {
			found, at = o, pos.Subtract(p)
		}
		var children []fyne.CanvasObject
		switch w := o.(type) {
		case *fyne.Container:
			children = w.Objects
		case fyne.Widget:
			children = test.WidgetRenderer(w).Objects()
		}
		for _, ch := range children {
			visit(ch, p)
		}
	}
	if top := c.Overlays().Top(); top != nil {
		visit(top, fyne.Position{})
	} else {
		visit(c.Content(), fyne.Position{})
	}
	return found, at
}

// layOut lays the window out again from the top, as the desktop driver does before it draws a
// frame in which an object's least size changed; Fyne's test canvas does not. Call it on the UI
// goroutine.
func layOut(u *UI) {
	var visit func(o fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch w := o.(type) {
		case *fyne.Container:
			if w.Layout != nil {
				w.Layout.Layout(w.Objects, w.Size())
			}
			for _, c := range w.Objects {
				visit(c)
			}
		case fyne.Widget:
			r := test.WidgetRenderer(w)
			r.Layout(w.Size())
			for _, c := range r.Objects() {
				visit(c)
			}
		}
	}
	visit(u.win.Canvas().Content())
}
