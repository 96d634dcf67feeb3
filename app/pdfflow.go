package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"github.com/bibshelf/bibshelf/bib/pdfread"
	"github.com/bibshelf/bibshelf/storage"
)

// pdfAdder is what adding papers from PDFs needs from the library.
type pdfAdder interface {
	AddPDFs(ctx context.Context, paths []string, read storage.PDFReader, fetch storage.Fetcher, opts storage.PDFOptions) ([]storage.PDFAddition, error)
}

// pdfReaders opens the PDF reader the first time one is needed (it compiles PDFium, a few
// hundred milliseconds) and keeps it for the window's life; a reader that failed to start is
// tried again the next time.
type pdfReaders struct {
	mu sync.Mutex
	r  *pdfread.Reader
}

func (p *pdfReaders) get() (*pdfread.Reader, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.r == nil {
		r, err := NewPDFReader()
		if err != nil {
			return nil, err
		}
		p.r = r
	}
	return p.r, nil
}

// close releases the reader, once the PDF it reads is done; off the UI goroutine.
func (p *pdfReaders) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.r != nil {
		p.r.Close()
		p.r = nil
	}
}

// NewPDFReader returns the reader of PDFs the window and the command line use, with PDFium's
// compiled code kept in the user's cache folder (bibshelf/pdfium) so that it starts fast after
// the first time.
func NewPDFReader() (*pdfread.Reader, error) {
	var opts pdfread.Options
	if dir, err := os.UserCacheDir(); err == nil {
		opts.CacheDir = filepath.Join(dir, "bibshelf", "pdfium")
	}
	return pdfread.New(opts)
}

// onAddPDF lets the user choose a PDF to add as a paper: File › Add from PDF…
func (f *addFlow) onAddPDF() {
	filter := &openFilter{match: isPDFName}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			f.dialogs.show(dialog.NewError(err, f.win))
			return
		}
		if r == nil {
			return // cancelled
		}
		r.Close()
		rememberFolder(f.prefs, prefPDFFolder, r.URI())
		if filter.justListed(r.URI()) {
			// The second click of a double-click on a folder: show the folder it opened.
			f.onAddPDF()
			return
		}
		f.addPDFs([]string{r.URI().Path()})
	}, f.win)
	d.SetFilter(filter)
	d.SetConfirmText("Add")
	startIn(f.prefs, d, prefPDFFolder)
	f.dialogs.show(d)
}

// onAddPDFFolder adds the paper of every PDF in a folder (not its sub-folders): File › Add PDFs
// from Folder… (Fyne's file dialog picks one file at a time; a folder takes several).
func (f *addFlow) onAddPDFFolder() {
	chooseFolderFiles(f.win, f.dialogs, f.prefs, prefPDFFolder, "Add PDFs from Folder", isPDFName, "no PDF", f.addPDFs)
}

// isPDFName reports whether a dropped file is a PDF to add as a paper, by its name.
func isPDFName(u fyne.URI) bool { return strings.EqualFold(u.Extension(), ".pdf") }

// addPDFs reads each PDF for its paper, adds the paper and attaches the PDF, off the UI
// goroutine, with a progress dialog whose Cancel stops after the PDF being read. Call it on the
// UI goroutine.
func (f *addFlow) addPDFs(paths []string) {
	b := f.startBatch("Add from PDF", fmt.Sprintf("Reading %s…", plural(len(paths), "PDF", "PDFs")))
	opts := storage.PDFOptions{AddOptions: f.addOptions(b, "PDFs added…"), Link: pdfsChoice.get(f.prefs)}
	client := f.client()
	go func() {
		var adds []storage.PDFAddition
		r, err := f.reader.get()
		if err == nil {
			adds, err = f.pdfLib.AddPDFs(b.ctx, paths, r, client, opts)
		}
		cancelled := b.ctx.Err() != nil
		fyneDo(func() {
			b.end()
			if err != nil && !cancelled {
				f.dialogs.show(dialog.NewError(fmt.Errorf("add from PDF: %w", err), f.win))
			}
			f.reportAddedPDFs(adds, len(paths))
			var done []storage.Addition
			for _, a := range adds {
				done = append(done, a.Addition)
			}
			f.finished(done)
		})
	}()
}

// reportAddedPDFs shows what became of each PDF added as a paper.
func (f *addFlow) reportAddedPDFs(adds []storage.PDFAddition, asked int) {
	var added, review, have, failed []string
	for _, a := range adds {
		name := filepath.Base(a.Path)
		switch {
		case a.Status == storage.Failed && a.Key == "":
			failed = append(failed, name+": "+a.Err.Error())
			continue
		case a.Status == storage.Existing:
			where := ""
			if a.Trashed {
				where = ", in the Trash"
			}
			have = append(have, a.Key+"  ("+name+", "+a.ID.String()+where+")")
		case a.Review:
			why := "it names no DOI, arXiv id or ISBN"
			if a.LookupErr != nil {
				why = a.LookupErr.Error()
			}
			review = append(review, a.Key+"  ("+name+": "+why+")")
		default:
			added = append(added, a.Key+"  ("+name+", "+a.ID.String()+" from its "+a.Paper.Source.String()+")")
		}
		if a.Err != nil {
			failed = append(failed, name+": "+a.Err.Error())
		}
	}
	sum := fmt.Sprintf("Added %d, made from the PDF %d, already in the library %d, failed %d.", len(added), len(review), len(have), len(failed))
	if n := asked - len(adds); n > 0 {
		sum += fmt.Sprintf(" Cancelled: %d not read.", n)
	}
	f.showReport(batchReport{title: "Add from PDF", summary: sum, parts: []reportPart{
		{"Added, from the registries:", added},
		{"Made from what the PDF says, tagged " + storage.ReviewTag + " (check them):", review},
		{"Already in the library (the PDF is attached to it):", have},
		{"Not added, or not attached:", failed},
	}})
}
