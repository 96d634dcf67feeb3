package app

import (
	"context"
	"fmt"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib/ident"
	"github.com/bibshelf/bibshelf/bib/lookup"
	"github.com/bibshelf/bibshelf/storage"
)

// Version is Bibshelf's version, which the registries are told (FyneApp.toml's).
const Version = "0.1.0"

// adder is what adding papers by identifier needs from the library.
type adder interface {
	AddIdentifiers(ctx context.Context, ids []ident.ID, fetch storage.Fetcher, opts storage.AddOptions) ([]storage.Addition, error)
}

// addFlow adds papers by identifier: File › Add by Identifier…, a field where identifiers are
// pasted or typed (one or many, or any text holding them), what was found in it shown as it is
// typed, the look-ups off the UI goroutine with progress and Cancel, and a report.
type addFlow struct {
	lib      adder
	prefs    fyne.Preferences
	win      fyne.Window
	dialogs  *dialogStack
	probe    func(named ...fyne.CanvasObject) // names a dialog's widgets for the probe
	say      func(text string)                // the status line
	into     func() int64                     // the collection papers go into; 0 for none
	finished func(adds []storage.Addition)    // the papers are in: select them, reload
	pdfLib   pdfAdder                         // adds papers from PDFs (pdfflow.go)
	reader   pdfReaders                       // reads PDFs; started when first needed
	pdfs     pdfDownloader                    // downloads the papers' PDFs (pdfdownload.go)
	attached func(keys []string)              // PDFs were attached to these entries
	compare  func(targets []refreshTarget)    // compares papers the library had with their registries' records
	running  int                              // additions and downloads running; on the UI goroutine
}

// client is the registries' client, as the preferences and the environment set it:
// BIBSHELF_LOOKUP_SERVER points it at one server (the end-to-end test's recorded responses).
func (f *addFlow) client() *lookup.Client {
	c := &lookup.Client{Version: Version, Email: f.prefs.String(prefEmail)}
	if base := os.Getenv("BIBSHELF_LOOKUP_SERVER"); base != "" {
		c.UseServer(base)
	}
	return c
}

// onAdd shows the field for identifiers, holding text when given (a link pasted in the window).
func (f *addFlow) onAdd(text string) {
	field := newDialogEntry(f.dialogs)
	field.MultiLine = true
	field.Wrapping = fyne.TextWrapWord
	field.SetPlaceHolder("DOIs, arXiv ids, ISBNs, PMIDs (PMID: 123) or links to them, one a line, or a reference list")
	field.SetMinRowsVisible(5)
	found := widget.NewLabel("")
	found.Wrapping = fyne.TextWrapWord
	var ids []ident.ID
	var d *dialog.CustomDialog
	add := widget.NewButton("Add", func() {
		if len(ids) > 0 {
			d.Hide()
			f.add(ids)
		}
	})
	add.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	show := func(s string) {
		ids = ident.Find(s)
		found.SetText(foundText(ids, ident.Unrecognised(s)))
		if len(ids) == 0 {
			add.Disable()
		} else {
			add.Enable()
		}
	}
	field.OnChanged = show
	field.SetText(text)
	show(text)
	d = dialog.NewCustomWithoutButtons("Add by Identifier", container.NewVBox(field, found), f.win)
	d.SetButtons([]fyne.CanvasObject{cancel, add})
	d.Resize(fyne.NewSize(640, 0))
	f.probe(found, cancel, add)
	f.dialogs.show(d)
	if c := f.win.Canvas(); c != nil {
		c.Focus(field)
	}
}

// foundText says what the field holds: the identifiers found, by kind, and the lines with none.
func foundText(ids []ident.ID, unrecognised []string) string {
	if len(ids) == 0 && len(unrecognised) == 0 {
		return "Paste or type identifiers above."
	}
	count := map[ident.Kind]int{}
	var kinds []ident.Kind
	for _, id := range ids {
		if count[id.Kind] == 0 {
			kinds = append(kinds, id.Kind)
		}
		count[id.Kind]++
	}
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%d %s", count[k], k))
	}
	s := "No identifier found."
	if len(parts) > 0 {
		s = "Found " + strings.Join(parts, ", ") + "."
	}
	for i, line := range unrecognised {
		if i == 3 {
			s += fmt.Sprintf("\n…and %d more lines with none", len(unrecognised)-3)
			break
		}
		if _, err := ident.Parse(line); err != nil {
			s += "\n" + shorten(err.Error(), 100) // it quotes the line
		} else {
			s += fmt.Sprintf("\n%q: no identifier in it", shorten(line, 60))
		}
	}
	return s
}

// add looks the identifiers up and adds the papers, off the UI goroutine, with a progress
// dialog whose Cancel stops after the paper being added. Call it on the UI goroutine.
func (f *addFlow) add(ids []ident.ID) {
	b := f.startBatch("Add by Identifier", fmt.Sprintf("Looking up %s…", plural(len(ids), "identifier", "identifiers")))
	opts := f.addOptions(b, "looked up…")
	rec := &lookup.Recorder{Client: f.client()}
	go func() {
		adds, err := f.lib.AddIdentifiers(b.ctx, ids, rec, opts)
		cancelled := b.ctx.Err() != nil
		fyneDo(func() {
			b.end()
			if err != nil && !cancelled {
				f.dialogs.show(dialog.NewError(fmt.Errorf("add by identifier: %w", err), f.win))
			}
			f.report(adds, len(ids), openAccessPDFs(adds, rec))
			f.finished(adds)
		})
	}()
}

// report shows what became of each identifier, and offers the PDFs there are to download.
func (f *addFlow) report(adds []storage.Addition, asked int, pdfs pdfOffer) {
	var added, have, failed []string
	for _, a := range adds {
		switch a.Status {
		case storage.Added:
			added = append(added, a.Key+"  ("+a.ID.String()+")")
		case storage.Existing:
			where := ""
			if a.Trashed {
				where = ", in the Trash"
			}
			have = append(have, a.Key+"  ("+a.ID.String()+where+")")
		case storage.Failed:
			failed = append(failed, a.ID.String()+": "+a.Err.Error())
		}
	}
	sum := fmt.Sprintf("Added %d, already in the library %d, failed %d.", len(added), len(have), len(failed))
	if n := asked - len(adds); n > 0 {
		sum += fmt.Sprintf(" Cancelled: %d not looked up.", n)
	}
	f.showReport(batchReport{
		title:   "Add by Identifier",
		summary: sum,
		parts:   []reportPart{{"Added:", added}, {"Already in the library:", have}, {"Not added:", failed}},
		below:   func(hide func()) []fyne.CanvasObject { return f.compareButtons(adds, hide) },
		beside:  func(hide func()) []fyne.CanvasObject { return f.downloadButtons(pdfs, hide) },
	})
}
