package app

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib/lookup"
	"github.com/bibshelf/bibshelf/storage"
)

// Downloading the open-access PDFs of the papers Add by Identifier added: its report offers
// "Download PDFs (N)" when the registries gave N PDFs that may be kept (lookup.Result's
// OpenAccess), which downloads them with progress and Cancel, copied into the attachments
// folder and attached, and says what became of each.

// pdfDownloader is what downloading PDFs needs from the library.
type pdfDownloader interface {
	DownloadPDF(ctx context.Context, key, url string, d storage.Downloader, progress func(done, total int64)) (storage.Attachment, error)
}

// pdfOffer is the PDFs the papers added have: each entry's key and its PDF's address, and the
// client to download them with.
type pdfOffer struct {
	client *lookup.Client
	keys   []string
	urls   []string
}

// openAccessPDFs is the offer of the open-access PDFs of the papers added, as rec found them.
func openAccessPDFs(adds []storage.Addition, rec *lookup.Recorder) pdfOffer {
	o := pdfOffer{client: rec.Client}
	for _, a := range adds {
		if r := rec.Result(a.ID); a.Status == storage.Added && r.OpenAccess() {
			o.keys = append(o.keys, a.Key)
			o.urls = append(o.urls, r.PDF)
		}
	}
	return o
}

// downloadButtons offers, in Add by Identifier's report, Download PDFs (N) when there are PDFs
// to download: it closes the report with hide and downloads them.
func (f *addFlow) downloadButtons(pdfs pdfOffer, hide func()) []fyne.CanvasObject {
	if len(pdfs.keys) == 0 {
		return nil
	}
	download := widget.NewButton(fmt.Sprintf("Download PDFs (%d)", len(pdfs.keys)), func() {
		hide()
		f.downloadPDFs(pdfs)
	})
	return []fyne.CanvasObject{download}
}

// downloadPDFs downloads and attaches the PDFs one after the other, off the UI goroutine, with
// a progress dialog whose Cancel stops the download running (nothing of it is kept). Call it on
// the UI goroutine.
func (f *addFlow) downloadPDFs(pdfs pdfOffer) {
	n := len(pdfs.keys)
	b := f.startBatch("Download PDFs", fmt.Sprintf("0 of %d downloaded…", n))
	go func() {
		var attached, failed []string
		var keys []string
		for i, key := range pdfs.keys {
			if b.ctx.Err() != nil {
				break
			}
			shown := -1 // the bar's per mille last shown: at most a thousand updates a PDF
			att, err := f.pdfs.DownloadPDF(b.ctx, key, pdfs.urls[i], pdfs.client, func(done, total int64) {
				part := 0.0
				if total > 0 {
					part = float64(done) / float64(total)
				}
				if pm := int((float64(i) + part) / float64(n) * 1000); pm != shown {
					shown = pm
					b.show(float64(pm)/1000, "")
				}
			})
			switch {
			case err != nil && b.ctx.Err() != nil:
			case err != nil:
				failed = append(failed, key+": "+err.Error())
			default:
				attached = append(attached, key+"  ("+filepath.Base(att.Path)+")")
				keys = append(keys, key)
			}
			b.show(float64(i+1)/float64(n), fmt.Sprintf("%d of %d downloaded…", len(attached)+len(failed), n))
		}
		fyneDo(func() {
			b.end()
			f.attached(keys)
			f.reportPDFs(attached, failed, n)
		})
	}()
}

// reportPDFs says which PDFs were attached and which not, and why.
func (f *addFlow) reportPDFs(attached, failed []string, asked int) {
	sum := fmt.Sprintf("PDFs attached %d, failed %d.", len(attached), len(failed))
	if left := asked - len(attached) - len(failed); left > 0 {
		sum += fmt.Sprintf(" Cancelled: %d not downloaded.", left)
	}
	f.showReport(batchReport{title: "Download PDFs", summary: sum,
		parts: []reportPart{{"Attached:", attached}, {"Not attached:", failed}}})
}

// pdfsAttached lists the files of the entry shown again, when PDFs were attached to it. Call it
// on the UI goroutine.
func (u *UI) pdfsAttached(keys []string) {
	if p := u.detail.files; p.key != "" && slices.Contains(keys, p.key) {
		p.reload(nil)
	}
}
