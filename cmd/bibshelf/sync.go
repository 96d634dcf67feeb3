package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bibshelf/bibshelf/storage/shared"
)

// runSync syncs this computer's replica of a shared library (its changes sent, the server's
// brought), and, with --discard-refused, first lets go of the changes the server refuses a
// member who may only read, the replica becoming the server's. It exits with status 1 when a
// change of the replica's waits after it: the server out of reach, a conflict, or a change
// refused.
func runSync(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("sync", "bibshelf sync [--discard-refused] --library URL\n\n"+
		"Sends this computer's changes of the shared library at URL and brings the other members'\n"+
		"(every other verb does so too, before and after its work). A member who may only read the\n"+
		"library has their changes refused by the server; they wait in this computer's replica until\n"+
		"--discard-refused lets them go: each entry, note, tag, collection or saved search changed\n"+
		"here gets the server's version back, what was made here goes, and what was deleted here\n"+
		"comes back. The member's read, starred and rating flags are kept: the server takes them.", stderr)
	discard := fs.Bool("discard-refused", false, "let go of the changes the server refuses (a member who may only read)")
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	url := *libFlag
	if url == "" {
		url = os.Getenv("BIBSHELF_LIBRARY")
	}
	if fs.NArg() != 0 || !shared.IsURL(url) {
		fmt.Fprintf(stderr, "bibshelf sync: --library must name a shared library's postgres:// URL\n")
		fs.Usage()
		return exitUsage
	}
	srv, err := shared.ParseURL(url)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf sync: %v\n", err)
		return exitUsage
	}
	path, err := shared.ReplicaPath(srv)
	if err == nil {
		err = askPassword(ctx, "sync", srv, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf sync: %v\n", err)
		return exitRejected
	}
	lib, err := shared.Open(ctx, srv, path)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf sync: %v\n", err)
		return exitRejected
	}
	defer lib.Close()
	if *discard {
		d, err := shared.Discard(ctx, srv, lib)
		if err != nil {
			fmt.Fprintf(stderr, "bibshelf sync: %v\n", err)
			return exitRejected
		}
		fmt.Fprintf(stdout, "discarded %s not sent; the replica %s has the server's versions\n",
			countText(d.Changes, "change", "changes"), path)
	}
	saySending(ctx, "sync", srv, lib, stderr)
	synced, err := shared.Sync(ctx, srv, lib)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf sync: %v\n", err)
		switch {
		case errors.Is(err, shared.ErrUnreachable) && *discard:
			// The discard committed before: the replica is the server's, with the flags to send.
			fmt.Fprintf(stderr, "(the discard stands: the replica %s has the server's versions; its flags are sent at the next sync)\n", path)
		case errors.Is(err, shared.ErrUnreachable):
			fmt.Fprintf(stderr, "(the replica %s is as it was; its changes are sent at the next sync)\n", path)
		}
		return exitRejected
	}
	fmt.Fprintf(stdout, "sent %s, brought %s\n", countText(synced.Pushed.Sent, "change", "changes"),
		countText(synced.Pulled.Rows, "row", "rows"))
	st := exitOK
	if reportConflicts("sync", synced.Pushed, stderr) {
		st = exitRejected
	}
	reportRenamed(ctx, "sync", lib, stderr)
	// Sending is what sync is for: a change refused is its failure.
	if reportRefused(usedReplica{verb: "sync", srv: srv, path: path}, synced.Pushed, true, stderr) {
		st = exitRejected
	}
	return st
}
