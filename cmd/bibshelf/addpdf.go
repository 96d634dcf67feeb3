package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/bib/lookup"
	"github.com/bibshelf/bibshelf/bib/pdfmeta"
	"github.com/bibshelf/bibshelf/storage"
)

// isPDF reports whether an argument of bibshelf add names a PDF file: a regular file named
// .pdf, or one that starts as a PDF does, whatever its name.
func isPDF(arg string) bool {
	if arg == "-" {
		return false
	}
	if st, err := os.Stat(arg); err != nil || !st.Mode().IsRegular() {
		return false
	}
	return strings.EqualFold(filepath.Ext(arg), ".pdf") || fileStartsPDF(arg)
}

func fileStartsPDF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, pdfmeta.HeaderWindow)
	n, _ := io.ReadFull(f, head)
	return pdfmeta.LooksLikePDF(head[:n])
}

// addPDFs adds the papers of PDFs, each read by the program's PDF reader.
func addPDFs(ctx context.Context, lib *storage.Library, paths []string, client *lookup.Client, opts storage.PDFOptions) ([]storage.PDFAddition, error) {
	r, err := app.NewPDFReader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return lib.AddPDFs(ctx, paths, r, client, opts)
}

// reportPDFs prints what became of each PDF, and reports whether any failed.
func reportPDFs(adds []storage.PDFAddition, stdout, stderr io.Writer) (failed bool) {
	for _, a := range adds {
		name := printable(a.Path)
		switch {
		case a.Status == storage.Failed && a.Key == "":
			fmt.Fprintf(stderr, "bibshelf add: %s: %v\n", name, a.Err)
			failed = true
			continue
		case a.Status == storage.Existing:
			fmt.Fprintf(stdout, "have %s\t%s (%s)%s\n", a.Key, name, a.ID, trashed(a.Trashed))
		case a.Review:
			why := "it names no DOI, arXiv id or ISBN"
			switch {
			case a.LookupErr != nil && a.ID.Value != "":
				why = fmt.Sprintf("%s: %v", a.ID, a.LookupErr)
			case a.LookupErr != nil: // the PDF could not be read: there is no identifier to name
				why = a.LookupErr.Error()
			}
			fmt.Fprintf(stdout, "added %s\t%s (made from the PDF, tagged %s: %s)\n", a.Key, name, storage.ReviewTag, printable(why))
		default:
			fmt.Fprintf(stdout, "added %s\t%s (%s)\n", a.Key, name, a.ID)
		}
		if a.Err != nil {
			fmt.Fprintf(stderr, "bibshelf add: %s: %v\n", name, a.Err)
			failed = true
		}
	}
	return failed
}

func trashed(t bool) string {
	if t {
		return " (in the Trash)"
	}
	return ""
}
