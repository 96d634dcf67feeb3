package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	bibstorage "github.com/bibshelf/bibshelf/storage"
)

// exportOptions returns what an export writes now: the list's query (the sidebar's selection and
// the search), and the preferences. Call it on the UI goroutine.
func (u *UI) exportOptions() bibstorage.ExportOptions {
	var opts bibstorage.ExportOptions
	opts.Filter, opts.Query = u.results.search()
	opts.ASCII = u.app.Preferences().Bool(prefExportASCII)
	opts.Dialect = dialectChoice.get(u.app.Preferences())
	return opts
}

// exportScope is what an export writes.
type exportScope int

const (
	exportList exportScope = iota // what the list shows: the sidebar's selection and the search
	exportSelection
	exportLibrary
)

func (u *UI) onExport() { u.export(exportList) }

func (u *UI) export(scope exportScope) {
	opts := u.exportOptions()
	name := "library.bib"
	switch scope {
	case exportSelection:
		keys := u.list.selection()
		if len(keys) == 0 {
			u.dialogs.show(dialog.NewInformation("Export Selection", "Select the entries to export first.", u.win))
			return
		}
		opts.Filter, opts.Query, opts.Keys = bibstorage.Filter{}, "", keys
		name = "selection.bib"
		if len(keys) == 1 {
			name = keys[0] + ".bib"
		}
	case exportLibrary:
		opts.Filter, opts.Query = bibstorage.Filter{}, ""
	case exportList:
		if u.sidebar.current().kind == kindTrash {
			// Export takes a query, and no query names the trash: exporting here would write
			// entries that are not in it.
			u.dialogs.show(dialog.NewInformation("Export", "The trash cannot be exported. Select Library, a tag or a collection first.", u.win))
			return
		}
		if it := u.sidebar.current(); it.id != idLibrary && it.label != "" {
			name = fileName(it.label) + ".bib"
		}
	}
	u.exportTo(opts, name)
}

// fileName makes a sidebar item's name fit for a file name.
func fileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) {
			return '-'
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func (u *UI) exportTo(opts bibstorage.ExportOptions, name string) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			u.dialogs.show(dialog.NewError(err, u.win))
			return
		}
		if w == nil {
			return
		}
		rememberFolder(u.app.Preferences(), prefExportFolder, w.URI())
		go func() {
			ctx := context.Background()
			var n int
			export := func(out io.Writer) error {
				var err error
				n, err = u.lib.Export(ctx, out, opts)
				return err
			}
			var err error
			if _, ok := w.(*deferredWriter); ok && w.URI().Scheme() == "file" {
				// Nothing was opened (see deferredWrites): the file is written as every file
				// Bibshelf writes is, all or nothing, never over a library.
				w.Close()
				err = bibstorage.WriteFile(ctx, w.URI().Path(), export)
			} else {
				var buf bytes.Buffer
				if err = export(&buf); err == nil {
					_, err = w.Write(buf.Bytes())
				}
				if cerr := w.Close(); err == nil {
					err = cerr
				}
			}
			fyneDo(func() {
				if err != nil {
					u.dialogs.show(dialog.NewError(fmt.Errorf("export: %w", err), u.win))
					return
				}
				u.status.SetText(fmt.Sprintf("Exported %s to %s", rowsText(n), w.URI().Path()))
			})
		}()
	}, u.win)
	deferFileWrites()
	d.SetFileName(name)
	startIn(u.app.Preferences(), d, prefExportFolder)
	u.dialogs.show(d)
}
