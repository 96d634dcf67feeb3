package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// paneWidths lays out the window's three panes: the sidebar and the entry pane get the widths
// they need (paneStart), and the list between them everything else, so that a wider window
// widens the list and its titles, not the panes beside it. A divider moved by hand keeps the
// width it gave its pane from then on. Fyne's splits share by proportion (Offset); the layout
// sets their offsets for each new width of the window.
type paneWidths struct {
	outer *container.Split // the sidebar | the rest
	inner *container.Split // the list | the entry pane

	width              float32 // laid out last; 0 before the first layout
	outerSet, innerSet float64 // the offsets set last: a divider dragged since changed its own
	sideKept, paneKept bool    // the divider was dragged: keep the width it gave
}

// keepPaneWidths returns the window's content: outer, the sidebar beside inner, which holds the
// list and the entry pane.
func keepPaneWidths(outer, inner *container.Split) fyne.CanvasObject {
	return container.New(&paneWidths{outer: outer, inner: inner}, outer)
}

// paneStart returns the widths of the sidebar and of the entry pane in a window of that width:
// enough for the sidebar's names and the entry's fields, and little more.
func paneStart(width float32) (side, pane float32) {
	side = min(max(0.17*width, 180), 240)
	pane = min(max(0.35*(width-side), 300), 400)
	return side, pane
}

func (p *paneWidths) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if size.Width != p.width && size.Width > 0 {
		p.sideKept = p.sideKept || p.width > 0 && p.outer.Offset != p.outerSet
		p.paneKept = p.paneKept || p.width > 0 && p.inner.Offset != p.innerSet
		side, pane := paneStart(size.Width)
		if p.sideKept {
			side = p.outer.Leading.Size().Width
		}
		if p.paneKept {
			pane = p.inner.Trailing.Size().Width
		}
		divider := 2 * theme.Padding() // as Fyne's split draws it
		p.outer.Offset = share(side, size.Width-divider)
		p.inner.Offset = 1 - share(pane, size.Width-side-2*divider)
		p.outerSet, p.innerSet = p.outer.Offset, p.inner.Offset
		p.width = size.Width
	}
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
}

func (p *paneWidths) MinSize(objs []fyne.CanvasObject) fyne.Size { return objs[0].MinSize() }

// share returns part's share of whole, between 0 and 1.
func share(part, whole float32) float64 {
	if whole <= 0 {
		return 0.5
	}
	return float64(min(max(part/whole, 0), 1))
}
