package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	bibstorage "github.com/bibshelf/bibshelf/storage"
)

func (u *UI) onImport() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			dialog.ShowError(err, u.win)
			return
		}
		if r == nil {
			return // cancelled
		}
		go u.importFrom(r)
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".bib", ".bibtex"}))
	d.Show()
}

// importFrom reads, parses and imports one file; it runs off the UI goroutine.
func (u *UI) importFrom(r fyne.URIReadCloser) {
	defer r.Close()
	name := r.URI().Path()
	src, err := io.ReadAll(r)
	if err != nil {
		fyne.Do(func() { dialog.ShowError(fmt.Errorf("read %s: %w", name, err), u.win) })
		return
	}
	rep, err := u.importWithProgress(name, bib.Parse(name, src))
	fyne.Do(func() {
		if errors.Is(err, context.Canceled) {
			u.status.SetText("Import of " + filepath.Base(name) + " cancelled: nothing was imported")
			return
		}
		if err != nil {
			dialog.ShowError(err, u.win)
			return
		}
		u.showReport(rep)
		u.reload()
		u.refreshSidebar()
	})
}

// progressFrom is the number of entries from which an import shows its progress, with Cancel.
const progressFrom = 1000

// importWithProgress imports a parsed file; a large one shows a progress dialog whose Cancel
// rolls the import back. It runs off the UI goroutine.
func (u *UI) importWithProgress(name string, f *bib.File) (bibstorage.Report, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var opts bibstorage.ImportOptions
	if n := len(f.Entries()); n >= progressFrom {
		var d dialog.Dialog
		bar := widget.NewProgressBar()
		fyne.DoAndWait(func() {
			msg := widget.NewLabel(fmt.Sprintf("Importing %s entries from %s…", thousands(n), filepath.Base(name)))
			d = dialog.NewCustom("Import", "Cancel", container.NewVBox(msg, bar), u.win)
			d.SetOnClosed(cancel)
			d.Resize(fyne.NewSize(480, 0))
			d.Show()
		})
		defer fyne.Do(d.Hide)
		opts.Progress = func(done, total int) {
			fyne.Do(func() { bar.SetValue(float64(done) / float64(max(total, 1))) })
		}
	}
	return u.lib.ImportWith(ctx, f, opts)
}

// showReport shows what an import did, with every problem, in text that can be copied.
func (u *UI) showReport(rep bibstorage.Report) {
	summary := fmt.Sprintf("Imported %d, skipped %d duplicates, rejected %d.", rep.Imported, rep.Duplicates, rep.Rejected)
	if rep.Merged > 0 {
		summary = fmt.Sprintf("Imported %d, skipped %d duplicates, merged %d, rejected %d.", rep.Imported, rep.Duplicates, rep.Merged, rep.Rejected)
	}
	var content fyne.CanvasObject = widget.NewLabel(summary)
	if len(rep.Problems) > 0 {
		var b strings.Builder
		for _, p := range rep.Problems {
			b.WriteString(p.Error())
			b.WriteByte('\n')
		}
		details := widget.NewMultiLineEntry()
		details.SetText(b.String())
		details.Wrapping = fyne.TextWrapOff
		details.SetMinRowsVisible(8)
		content = container.NewBorder(widget.NewLabel(summary), nil, nil, nil, details)
	}
	d := dialog.NewCustom("Import of "+rep.File, "Close", content, u.win)
	d.Resize(fyne.NewSize(720, 0))
	d.Show()
}

// exportOptions returns what an export writes now: the list's query (the sidebar's selection and
// the search), and the preferences. Call it on the UI goroutine.
func (u *UI) exportOptions() bibstorage.ExportOptions {
	opts := bibstorage.ExportOptions{Query: u.listQuery()}
	opts.ASCII = u.app.Preferences().Bool(prefExportASCII)
	return opts
}

func (u *UI) onExport() {
	if u.sidebar.current().kind == kindTrash {
		// Export takes a query, and no query names the trash: exporting here would write
		// entries that are not in it.
		dialog.ShowInformation("Export", "The trash cannot be exported. Select Library, a tag or a collection first.", u.win)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(err, u.win)
			return
		}
		if w == nil {
			return
		}
		opts := u.exportOptions()
		go func() {
			var buf bytes.Buffer
			n, err := u.lib.Export(context.Background(), &buf, opts)
			if err == nil {
				_, err = w.Write(buf.Bytes())
			}
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			fyne.Do(func() {
				if err != nil {
					dialog.ShowError(fmt.Errorf("export: %w", err), u.win)
					return
				}
				u.status.SetText(fmt.Sprintf("Exported %d entries to %s", n, w.URI().Path()))
			})
		}()
	}, u.win)
	d.SetFileName("library.bib")
	d.Show()
}
