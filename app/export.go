package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"github.com/bibshelf/bibshelf/bib/formats"
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

// exporter is what an export needs from the library.
type exporter interface {
	Export(ctx context.Context, w io.Writer, opts bibstorage.ExportOptions) (int, error)
}

// exportFlow writes entries to a .bib file the user chooses: what the list shows, the
// selection, or the library, through the Save dialog, off the UI goroutine, all or nothing.
type exportFlow struct {
	lib       exporter
	prefs     fyne.Preferences
	win       fyne.Window
	dialogs   *dialogStack
	work      *workQueue                      // the export runs after the changes asked for before it
	say       func(text string)               // the status line
	list      func() bibstorage.ExportOptions // what the list shows, as the preferences write it
	selection func() []string                 // the list's selected keys
	where     func() sideItem                 // the sidebar's selection
}

func (f *exportFlow) onExport() { f.export(exportList) }

func (f *exportFlow) export(scope exportScope) {
	opts := f.list()
	// A file of some of the entries takes the entries they cross-reference along, so that
	// bibtex reads it as the library does (the library's file has them anyway).
	opts.CrossrefParents = true
	name := "library.bib"
	switch scope {
	case exportSelection:
		keys := f.selection()
		if len(keys) == 0 {
			f.dialogs.show(dialog.NewInformation("Export Selection", "Select the entries to export first.", f.win))
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
		if f.where().kind == kindTrash {
			// Export takes a query, and no query names the trash: exporting here would write
			// entries that are not in it.
			f.dialogs.show(dialog.NewInformation("Export", "The trash cannot be exported. Select Library, a tag or a collection first.", f.win))
			return
		}
		if it := f.where(); it.id != idLibrary && it.label != "" {
			name = fileName(it.label) + ".bib"
		}
	}
	f.exportTo(opts, name)
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

func (f *exportFlow) exportTo(opts bibstorage.ExportOptions, name string) {
	f.exportToIn(opts, name, "")
}

// exportToIn is exportTo with the save dialog in the folder dir, when it is not "", rather than
// the one the last export chose.
func (f *exportFlow) exportToIn(opts bibstorage.ExportOptions, name, dir string) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			f.dialogs.show(dialog.NewError(err, f.win))
			return
		}
		if w == nil {
			return
		}
		rememberFolder(f.prefs, prefExportFolder, w.URI())
		opts.Format = exportFormat(w.URI().Extension())
		// On the work queue: the export writes the entries as the edits made before it left them.
		f.work.run(func(ctx context.Context) {
			var n int
			export := func(out io.Writer) error {
				var err error
				n, err = f.lib.Export(ctx, out, opts)
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
					f.dialogs.show(dialog.NewError(fmt.Errorf("export: %w", err), f.win))
					return
				}
				f.say(fmt.Sprintf("Exported %s to %s", rowsText(n), w.URI().Path()))
			})
		})
	}, f.win)
	deferFileWrites()
	d.SetFileName(name)
	startIn(f.prefs, d, prefExportFolder)
	if dir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			d.SetLocation(l)
		}
	}
	f.dialogs.show(d)
}

// exportFormat is the format an export writes to a file with the extension ext: RIS for .ris,
// CSL-JSON for .json, BibTeX for any other.
func exportFormat(ext string) formats.Format {
	switch strings.ToLower(ext) {
	case ".ris":
		return formats.RIS
	case ".json":
		return formats.CSLJSON
	}
	return formats.BibTeX
}
