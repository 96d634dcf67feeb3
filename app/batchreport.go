package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// reportPart is a heading and the lines under it in a report.
type reportPart struct {
	head  string
	lines []string
}

// batchReport says what a batch of additions or downloads did: a summary, said on the status
// line too, the parts that have lines, and what can be done next.
type batchReport struct {
	title   string
	summary string
	parts   []reportPart
	// below gives buttons shown under the parts (Compare with Registry…), and beside gives
	// buttons shown before Close (Download PDFs); hide closes the report.
	below, beside func(hide func()) []fyne.CanvasObject
}

// showReport shows a report in a dialog as tall as what it lists, up to a height that keeps it
// on the screen.
func (f *addFlow) showReport(r batchReport) {
	f.say(r.summary)
	summary := widget.NewLabel(r.summary)
	summary.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(summary)
	lines := 1
	for _, part := range r.parts {
		if len(part.lines) == 0 {
			continue
		}
		l := widget.NewLabel(part.head + "\n" + strings.Join(part.lines, "\n"))
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
		lines += 1 + len(part.lines)
	}
	var d *dialog.CustomDialog
	hide := func() { d.Hide() }
	var below, beside []fyne.CanvasObject
	if r.below != nil {
		below = r.below(hide)
	}
	if len(below) > 0 {
		box.Add(container.NewHBox(below...))
		lines += 2
	}
	if r.beside != nil {
		beside = r.beside(hide)
	}
	scroll := container.NewVScroll(box)
	scroll.SetMinSize(fyne.NewSize(600, float32(min(lines, 16))*24+24))
	closeButton := widget.NewButton("Close", hide)
	closeButton.Importance = widget.HighImportance
	buttons := append(beside, closeButton)
	d = dialog.NewCustomWithoutButtons(r.title, scroll, f.win)
	d.SetButtons(buttons)
	d.Resize(fyne.NewSize(640, 0))
	f.probe(append(append([]fyne.CanvasObject{summary}, buttons...), below...)...)
	f.dialogs.show(d)
}
