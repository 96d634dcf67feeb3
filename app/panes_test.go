package app

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// TestPaneWidths resizes the three panes' layout: the list takes what the sidebar and the entry
// pane leave, and a divider moved by hand keeps the width it gave.
func TestPaneWidths(t *testing.T) {
	test.NewTempApp(t)
	side, list, pane := canvas.NewRectangle(color.Black), canvas.NewRectangle(color.Black), canvas.NewRectangle(color.Black)
	inner := container.NewHSplit(list, pane)
	outer := container.NewHSplit(side, inner)
	content := keepPaneWidths(outer, inner)
	near := func(what string, got, want float32) {
		t.Helper()
		if math.Abs(float64(got-want)) > 1 {
			t.Errorf("%s is %.1f wide, want %.1f", what, got, want)
		}
	}
	divider := 2 * theme.Padding()
	for _, width := range []float32{1024, 1280, 1920, 1024} {
		content.Resize(fyne.NewSize(width, 700))
		s, p := paneStart(width)
		near("the sidebar", side.Size().Width, s)
		near("the entry pane", pane.Size().Width, p)
		near("the list", list.Size().Width, width-s-p-2*divider)
	}
	if s, p := paneStart(1024); s > 200 || p > 320 || 1024-s-p < 500 {
		t.Errorf("at 1024 the sidebar has %.0f and the entry pane %.0f: the list is cramped", s, p)
	}
	if s, p := paneStart(1920); 1920-s-p < 1200 {
		t.Errorf("at 1920 the sidebar has %.0f and the entry pane %.0f: the list gets too little", s, p)
	}

	// The entry pane's divider dragged 100 to the left: the pane keeps its width after.
	_, p := paneStart(1024)
	inner.SetOffset(inner.Offset - 100/float64(inner.Size().Width-divider))
	near("the dragged entry pane", pane.Size().Width, p+100)
	content.Resize(fyne.NewSize(1500, 700))
	near("the dragged entry pane after a resize", pane.Size().Width, p+100)
	s, _ := paneStart(1500)
	near("the sidebar after a resize", side.Size().Width, s)
}

// TestTitleFillsList: the Title column takes the width the other columns leave, and no less
// than its own.
func TestTitleFillsList(t *testing.T) {
	u, _ := newTestUI(t)
	l := u.list
	for _, width := range []float32{1920, 1024, 1600} {
		var title, others, table float32
		fyneDoAndWait(func() {
			u.win.Resize(fyne.NewSize(width, 800))
			table = l.table.Size().Width
			title = l.widths[0]
			for _, w := range l.widths[1:] {
				others += w + theme.Padding()
			}
		})
		if l.cols[0].id != "title" {
			t.Fatalf("the first column is %s", l.cols[0].id)
		}
		want := max(float32(math.Floor(float64(table-others))), allColumns[0].width)
		if title != want {
			t.Errorf("in a %.0f-wide window the list is %.0f wide and its title %.0f, want %.0f", width, table, title, want)
		}
		if width == 1920 && title <= allColumns[0].width {
			t.Errorf("in a 1920-wide window the title has only %.0f", title)
		}
	}
}
