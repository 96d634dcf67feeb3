package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/shared"
)

// runShare copies a library to a new shared library on a PostgreSQL server.
func runShare(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("share", "bibshelf share [--library PATH] URL\n\n"+
		"Copies the library to a new shared library on a PostgreSQL server, whose database holds none\n"+
		"yet: URL is postgres://USER@HOST[:PORT]/DATABASE[?sslmode=...], a password from ~/.pgpass or\n"+
		"PGPASSFILE. The library stays as it is, a library of its own; the members open the shared\n"+
		"library with bibshelf --library URL, which makes a replica of it on their computer. The\n"+
		"database's roles DATABASE_read and DATABASE_edit, made then, are granted to the members\n"+
		"who may only read it and to those who may edit it: the server refuses a reader's edits.", stderr)
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
	if err := askPassword(ctx, "share", srv, stderr); err != nil {
		fmt.Fprintf(stderr, "bibshelf share: %v\n", err)
		return exitRejected
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
	fmt.Fprintf(stdout, "copied %d entries to the shared library %v at %s\nits members open it with: bibshelf --library '%s'\n%s\n",
		copied.Entries, copied.Library, srv, srv, copied.Members)
	return exitOK
}

// openReplica opens this computer's replica of the shared library at url for a verb, making it
// when there is none, and syncs it (its changes sent, the server's brought); when the server
// cannot be reached, the replica is used as it is, which the verb says. What the verb changes
// is sent when it is done (sendReplicas). It says what failed on stderr.
func openReplica(ctx context.Context, verb, url string, stderr io.Writer) (*storage.Library, bool) {
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
	if err := askPassword(ctx, verb, srv, stderr); err != nil {
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, err)
		return nil, false
	}
	lib, err := shared.Open(ctx, srv, path)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, err)
		return nil, false
	}
	synced, err := shared.Sync(ctx, srv, lib)
	switch {
	case errors.Is(err, shared.ErrUnreachable):
		fmt.Fprintf(stderr, "bibshelf %s: %v\n(the replica %s is used as it was at its last sync; its changes are sent at the next)\n", verb, err, path)
	case err != nil:
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, errors.Join(err, lib.Close()))
		return nil, false
	default:
		reportConflicts(verb, synced.Pushed, "", stderr)
	}
	said := ""
	if err := synced.Pushed.Refusal(); err != nil {
		said = err.Error()
	}
	replicas.Lock()
	replicas.used = append(replicas.used, usedReplica{verb: verb, srv: srv, path: path, said: said})
	replicas.Unlock()
	return lib, true
}

// usedReplica is a replica a verb opened, whose changes are sent when the verb is done.
type usedReplica struct {
	verb string
	srv  *shared.Server
	path string
	said string // the refusal of a reader's changes said when it was opened, not said again
}

// replicas are the replicas the verb running opened.
var replicas struct {
	sync.Mutex
	used []usedReplica
}

// sendReplicas sends what the verb changed in the replicas it opened, and returns exitRejected
// when a change could not be sent (the server out of reach, or a conflict: the change stays in
// the replica, sent at the next sync). It is run once the verb has closed them.
func sendReplicas(stderr io.Writer) int {
	replicas.Lock()
	used := replicas.used
	replicas.used = nil
	replicas.Unlock()
	st := exitOK
	for _, r := range used {
		ctx := context.Background()
		lib, err := shared.Open(ctx, r.srv, r.path)
		if err != nil {
			fmt.Fprintf(stderr, "bibshelf %s: %v\n", r.verb, err)
			st = exitRejected
			continue
		}
		pushed, err := shared.Push(ctx, r.srv, lib)
		if err != nil {
			fmt.Fprintf(stderr, "bibshelf %s: %v\n(the changes wait in the replica %s, and are sent at the next sync)\n", r.verb, err, r.path)
			st = exitRejected
		} else if reportConflicts(r.verb, pushed, r.said, stderr) {
			st = exitRejected
		}
		if err := lib.Close(); err != nil {
			fmt.Fprintf(stderr, "bibshelf %s: %v\n", r.verb, err)
			st = exitRejected
		}
	}
	return st
}

// reportConflicts says which changes the server did not take, and which rows it renamed to send
// them (another member's has the key or name), and reports whether there were changes not taken:
// conflicts, or changes the member's role may not make (their refusal unless it is said, the
// same said already).
func reportConflicts(verb string, p shared.Pushed, said string, stderr io.Writer) bool {
	if err := p.Refusal(); err != nil && err.Error() != said {
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, err)
	}
	for _, c := range p.Conflicts {
		fmt.Fprintf(stderr, "bibshelf %s: not sent: the %s %s was changed on the server since this replica last saw it;\n"+
			"this computer's version is kept in its replica, and the server's\n", verb, strings.ReplaceAll(c.Kind, "_", " "), conflictName(c))
	}
	for _, r := range p.Renamed {
		fmt.Fprintf(stderr, "bibshelf %s: %s; it was sent under that name, and both are kept\n", verb, r)
		for _, n := range r.Notes {
			fmt.Fprintf(stderr, "bibshelf %s: %s\n", verb, n)
		}
	}
	for _, c := range p.Dropped {
		fmt.Fprintf(stderr, "bibshelf %s: the %s %v deleted here was changed on the server since: it stays, and comes back here\n",
			verb, strings.ReplaceAll(c.Kind, "_", " "), c.ID)
	}
	return len(p.Conflicts) > 0 || len(p.Refused) > 0
}

func conflictName(c shared.Conflict) string {
	if c.What != "" {
		return fmt.Sprintf("%q", c.What)
	}
	return c.ID.String()
}
