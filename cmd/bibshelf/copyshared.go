package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/shared"
)

// runCopyShared copies a shared library back to a new library file of one's own.
func runCopyShared(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, _ := newFlags("copy-shared", "bibshelf copy-shared URL FILE\n\n"+
		"Copies the shared library at URL (postgres://USER@HOST[:PORT]/DATABASE[?sslmode=...]) to FILE,\n"+
		"a new library of its own: every entry exactly as written, its tags, collections, saved\n"+
		"searches, notes, attachments (their paths) and the trash, and USER's read, starred and\n"+
		"rating flags. The shared library stays as it is. Attached files kept in the attachments\n"+
		"folder are looked for in the folder beside FILE (see bibshelf attachments-folder).", stderr)
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() != 2 || !shared.IsURL(fs.Arg(0)) {
		fs.Usage()
		return exitUsage
	}
	srv, err := shared.ParseURL(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf copy-shared: %v\n", err)
		return exitUsage
	}
	path := fs.Arg(1)
	if _, err := os.Stat(path); err == nil {
		fmt.Fprintf(stderr, "bibshelf copy-shared: %s exists: the copy goes into a new file\n", path)
		return exitRejected
	}
	if err := askPassword(ctx, "copy-shared", srv, stderr); err != nil {
		fmt.Fprintf(stderr, "bibshelf copy-shared: %v\n", err)
		return exitRejected
	}
	lib, err := shared.Clone(ctx, srv, path)
	if err == nil {
		err = lib.Detach(ctx)
		if err == nil {
			err = lib.IndexPending(ctx)
		}
		err = errors.Join(err, lib.Close())
		if err != nil {
			err = errors.Join(err, storage.RemoveLibrary(path))
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf copy-shared: %v\n", err)
		if errors.Is(err, context.Canceled) {
			return exitInterrupted
		}
		return exitRejected
	}
	lib, err = storage.OpenExisting(ctx, path)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf copy-shared: %v\n", err)
		return exitRejected
	}
	defer lib.Close()
	n, err := lib.Count(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf copy-shared: %v\n", err)
		return exitRejected
	}
	fmt.Fprintf(stdout, "copied %d entries from the shared library at %s to %s, a library of its own\n", n, srv, path)
	return exitOK
}
