package main

import (
	"context"
	"fmt"
	"io"

	"github.com/bibshelf/bibshelf/bib/ident"
	"github.com/bibshelf/bibshelf/bib/lookup"
	"github.com/bibshelf/bibshelf/storage"
)

// downloadPDFs attaches the open-access PDF (lookup.Result.OpenAccess) of each paper added, and
// of each the library had with no PDF attached (looked up again for its PDF's address when it
// was found before the look-up), copied into the attachments folder. Each paper gets a line on
// stdout, "pdf KEY\tPATH" or "nopdf KEY\twhy not", or its error on stderr. It returns whether
// one failed, and the context's error when it was cancelled.
func downloadPDFs(ctx context.Context, lib *storage.Library, rec *lookup.Recorder, adds []storage.Addition, stdout, stderr io.Writer) (failed bool, err error) {
	fail := func(key string, err error) {
		fmt.Fprintf(stderr, "bibshelf add: %s: %v\n", key, err)
		failed = true
	}
	for _, a := range adds {
		if a.Status == storage.Failed {
			continue
		}
		if err := ctx.Err(); err != nil {
			return failed, err
		}
		if a.Trashed {
			fmt.Fprintf(stdout, "nopdf %s\tin the Trash\n", a.Key)
			continue
		}
		has, err := lib.HasPDF(ctx, a.Key)
		if err != nil {
			fail(a.Key, err)
			continue
		}
		if has {
			fmt.Fprintf(stdout, "nopdf %s\ta PDF is attached already\n", a.Key)
			continue
		}
		r := rec.Result(a.ID)
		if r == nil && (a.ID.Kind == ident.DOI || a.ID.Kind == ident.ArXiv) {
			// The library had the paper: it was not looked up.
			if r, err = rec.Client.Lookup(ctx, a.ID); err != nil {
				if ctx.Err() != nil {
					return failed, ctx.Err()
				}
				fail(a.Key, err)
				continue
			}
		}
		if !r.OpenAccess() {
			fmt.Fprintf(stdout, "nopdf %s\tno open-access PDF\n", a.Key)
			continue
		}
		att, err := lib.DownloadPDF(ctx, a.Key, r.PDF, rec.Client, nil)
		if err != nil {
			if ctx.Err() != nil {
				return failed, ctx.Err()
			}
			fail(a.Key, err)
			continue
		}
		fmt.Fprintf(stdout, "pdf %s\t%s\n", a.Key, att.Path)
	}
	return failed, nil
}
