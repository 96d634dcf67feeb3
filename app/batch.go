package app

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// batch is work of the add flow done off the UI goroutine (look-ups, PDFs read, PDFs
// downloaded): a progress dialog, a bar and a line of text, whose Cancel cancels ctx, and the
// flow's count of work running, which closing the window asks about.
type batch struct {
	f    *addFlow
	ctx  context.Context
	stop context.CancelFunc
	d    *dialog.CustomDialog
	bar  *widget.ProgressBar
	msg  *widget.Label
}

// startBatch shows the progress dialog. Call it on the UI goroutine.
func (f *addFlow) startBatch(title, text string) *batch {
	b := &batch{f: f, bar: widget.NewProgressBar(), msg: widget.NewLabel(text)}
	b.ctx, b.stop = context.WithCancel(context.Background())
	b.d = dialog.NewCustom(title, "Cancel", container.NewVBox(b.msg, b.bar), f.win)
	b.d.SetOnClosed(b.stop)
	b.d.Resize(fyne.NewSize(420, 0))
	f.probe(b.msg)
	f.dialogs.show(b.d)
	f.running++
	return b
}

// show sets the bar to a fraction and, unless text is "", the line to text; from any goroutine.
func (b *batch) show(fraction float64, text string) {
	fyneDo(func() {
		b.bar.SetValue(fraction)
		if text != "" {
			b.msg.SetText(text)
		}
	})
}

// end closes the dialog and releases the context. Call it on the UI goroutine.
func (b *batch) end() {
	b.f.running--
	b.d.Hide()
	b.stop()
}

// addOptions are the options papers are added with: the key pattern of the preferences, the
// collection the window shows, and progress shown in b's dialog as "N of M " + what.
func (f *addFlow) addOptions(b *batch, what string) storage.AddOptions {
	return storage.AddOptions{
		KeyPattern: f.prefs.StringWithFallback(prefKeyPattern, bib.PatternJabRef),
		Collection: f.into(),
		Progress: func(done, total int) {
			b.show(float64(done)/float64(total), fmt.Sprintf("%d of %d %s", done, total, what))
		},
	}
}
