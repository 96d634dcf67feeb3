package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/ident"
	"github.com/bibshelf/bibshelf/bib/lookup"
	"github.com/bibshelf/bibshelf/storage"
)

// runAdd adds papers by identifier: bibshelf add [--collection C] [--tag T]... [--pdf] ID... (-
// reads the identifiers from standard input, any text holding them).
func runAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("add", "bibshelf add [--library PATH] [--collection PATH] [--tag TAG]... [--email ADDRESS] [--pdf] [--link] ID|PDF... (- reads standard input)\n\n"+
		"An ID is a DOI, an arXiv id, an ISBN, a PMID (PMID: 123) or a PMCID, or a link to one;\n"+
		"a paper the library has already is not added again. A PDF is read for its paper's identifier\n"+
		"(its metadata, then its first pages), added as that identifier is, and attached to the entry;\n"+
		"a PDF that names none becomes an entry of what it says, tagged "+storage.ReviewTag+".\n"+
		"Each paper gets a line on standard output, a tab before its last part: \"added KEY ID\" or\n"+
		"\"have KEY ID\" (for a PDF, \"added KEY FILE (...)\"), and with --pdf \"pdf KEY FILE\" or \"nopdf KEY WHY\".", stderr)
	collection := fs.String("collection", "", "put the papers in this collection (`path`: Thesis/Chapter 2)")
	var tags []string
	fs.Func("tag", "give the papers this `tag` (repeat for several)", func(s string) error {
		if s = strings.TrimSpace(s); s != "" {
			tags = append(tags, s)
		}
		return nil
	})
	link := fs.Bool("link", false, "attach each PDF given where it is, rather than copy it into the library's attachments folder")
	pdf := fs.Bool("pdf", false, "download the open-access PDF of each paper (arXiv's, or one under a Creative\n"+
		"Commons licence) into the attachments folder beside the library and attach it,\n"+
		"unless a PDF is attached to it already")
	email := fs.String("email", os.Getenv("BIBSHELF_EMAIL"), "your e-mail `address`, sent to Crossref and NCBI as they ask (default $BIBSHELF_EMAIL)")
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "bibshelf add: no identifier given")
		fs.Usage()
		return exitUsage
	}
	var text strings.Builder
	var pdfs []string
	for _, a := range fs.Args() {
		if isPDF(a) {
			pdfs = append(pdfs, a)
			continue
		}
		if a == "-" {
			b, err := io.ReadAll(io.LimitReader(stdin, 16<<20))
			if err != nil {
				fmt.Fprintf(stderr, "bibshelf add: read standard input: %v\n", err)
				return exitRejected
			}
			text.Write(b)
		} else {
			text.WriteString(a)
		}
		text.WriteByte('\n')
	}
	ids := ident.Find(text.String())
	failed := false
	for _, line := range ident.Unrecognised(text.String()) {
		if _, err := ident.Parse(line); err != nil {
			fmt.Fprintf(stderr, "bibshelf add: %s\n", printable(err.Error())) // it quotes the line
		} else {
			fmt.Fprintf(stderr, "bibshelf add: %q: no DOI, arXiv id, ISBN, PMID or PMCID in it\n", printable(line))
		}
		failed = true
	}
	if len(ids) == 0 && len(pdfs) == 0 {
		return exitRejected
	}
	lib, ok := openLibrary(context.WithoutCancel(ctx), "add", *libFlag, stderr)
	if !ok {
		return exitRejected
	}
	defer lib.Close()
	opts := storage.AddOptions{KeyPattern: bib.PatternJabRef, Tags: tags}
	if *collection != "" {
		c, err := collectionAt(ctx, lib, *collection)
		if err != nil {
			fmt.Fprintf(stderr, "bibshelf add: %v\n", err)
			return exitRejected
		}
		opts.Collection = c.ID
	}
	client := &lookup.Client{Version: app.Version, Email: *email}
	if base := os.Getenv("BIBSHELF_LOOKUP_SERVER"); base != "" {
		client.UseServer(base) // tests: recorded responses
	}
	rec := &lookup.Recorder{Client: client}
	adds, err := lib.AddIdentifiers(ctx, ids, rec, opts)
	for _, a := range adds {
		switch a.Status {
		case storage.Added:
			fmt.Fprintf(stdout, "added %s\t%s\n", a.Key, a.ID)
		case storage.Existing:
			fmt.Fprintf(stdout, "have %s\t%s%s\n", a.Key, a.ID, trashed(a.Trashed))
		case storage.Failed:
			fmt.Fprintf(stderr, "bibshelf add: %s: %v\n", a.ID, a.Err)
			failed = true
		}
	}
	if *pdf && err == nil {
		var pdfFailed bool
		pdfFailed, err = downloadPDFs(ctx, lib, rec, adds, stdout, stderr)
		failed = failed || pdfFailed
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "bibshelf add: interrupted while downloading the PDFs")
			return exitInterrupted
		}
	}
	done := len(adds)
	if err == nil && len(pdfs) > 0 {
		var pdfAdds []storage.PDFAddition
		pdfAdds, err = addPDFs(ctx, lib, pdfs, client, storage.PDFOptions{AddOptions: opts, Link: *link})
		failed = reportPDFs(pdfAdds, stdout, stderr) || failed
		done += len(pdfAdds)
	}
	syncTargets(ctx, lib, "add", stderr)
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "bibshelf add: interrupted after %d of %d\n", done, len(ids)+len(pdfs))
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(stderr, "bibshelf add: %v\n", err)
		return exitRejected
	case failed:
		return exitRejected
	}
	return exitOK
}

// collectionAt returns the collection of a path written with "/" between the names.
func collectionAt(ctx context.Context, lib *storage.Library, path string) (storage.Collection, error) {
	cs, err := lib.Collections(ctx)
	if err != nil {
		return storage.Collection{}, err
	}
	for _, c := range cs {
		if strings.Join(c.Path, "/") == strings.Trim(path, "/") {
			return c, nil
		}
	}
	return storage.Collection{}, fmt.Errorf("no collection %q (bibshelf makes collections in the window)", path)
}
