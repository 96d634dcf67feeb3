package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/shared"
)

// runShare copies a library to a new shared library on a PostgreSQL server.
func runShare(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("share", "bibshelf share [--library PATH] URL\n\n"+
		"Copies the library to a new shared library on a PostgreSQL server, whose database holds none\n"+
		"yet: URL is postgres://USER@HOST[:PORT]/DATABASE[?sslmode=...], a password from ~/.pgpass or\n"+
		"PGPASSFILE. The library stays as it is, a library of its own; the members open the shared\n"+
		"library with bibshelf --library URL, which makes a replica of it on their computer.", stderr)
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() != 1 || !shared.IsURL(fs.Arg(0)) {
		fs.Usage()
		return exitUsage
	}
	srv, err := shared.ParseURL(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf share: %v\n", err)
		return exitUsage
	}
	lib, ok := openLibrary(ctx, "share", *libFlag, stderr)
	if !ok {
		return exitRejected
	}
	defer lib.Close()
	copied, err := shared.Copy(ctx, lib, srv)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf share: %v\n", err)
		if errors.Is(err, context.Canceled) {
			return exitInterrupted
		}
		return exitRejected
	}
	fmt.Fprintf(stdout, "copied %d entries to the shared library %v at %s\nits members open it with: bibshelf --library '%s'\n",
		copied.Entries, copied.Library, srv, srv)
	return exitOK
}

// changesLibrary lists the verbs that change the library they open: a shared library's replica
// does not send its changes to the server yet, so they are refused one.
var changesLibrary = map[string]bool{"import": true, "add": true, "rename-key": true, "lint --fix": true, "autoexport import": true}

// openReplica opens this computer's replica of the shared library at url for a verb, making it
// when there is none, and brings it up to date; when the server cannot be reached, the replica
// is used as it is, which the verb says. It says what failed on stderr.
func openReplica(ctx context.Context, verb, url string, stderr io.Writer) (*storage.Library, bool) {
	if changesLibrary[verb] {
		fmt.Fprintf(stderr, "bibshelf %s: %s is a shared library, and this version does not send changes to one yet:\n"+
			"make them in a library of your own, and copy it to a new shared library with bibshelf share\n", verb, url)
		return nil, false
	}
	srv, err := shared.ParseURL(url)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, err)
		return nil, false
	}
	path, err := shared.ReplicaPath(srv)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, err)
		return nil, false
	}
	lib, err := shared.Open(ctx, srv, path)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, err)
		return nil, false
	}
	pulled, err := shared.Pull(ctx, srv, lib)
	switch {
	case errors.Is(err, shared.ErrUnreachable):
		fmt.Fprintf(stderr, "bibshelf %s: %v\n(the replica %s is read as it was at its last sync)\n", verb, err, path)
	case err != nil:
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, errors.Join(err, lib.Close()))
		return nil, false
	case pulled.Held > 0:
		fmt.Fprintf(stderr, "bibshelf %s: %d changes of the shared library wait for the replica's own to be sent\n", verb, pulled.Held)
	}
	return lib, true
}
