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
	fmt.Fprintf(stdout, "copied %d entries to the shared library %v at %s\nits members open it with: bibshelf --library '%s' (%s: each member's own role)\n%s\n",
		copied.Entries, copied.Library, srv, srv.MemberURL(shared.AnyMember), shared.AnyMember, copied.Members)
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
	saySending(ctx, verb, srv, lib, stderr)
	synced, err := shared.Sync(ctx, srv, lib)
	switch {
	case errors.Is(err, shared.ErrUnreachable):
		fmt.Fprintf(stderr, "bibshelf %s: %v\n(the replica %s is used as it was at its last sync; its changes are sent at the next)\n", verb, err, path)
	case err != nil:
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, errors.Join(err, lib.Close()))
		return nil, false
	default:
		reportConflicts(verb, synced.Pushed, stderr)
		reportRenamed(ctx, verb, lib, stderr)
	}
	// What the verb changes is told apart from the changes refused before it (sendReplicas).
	listed, err := lib.Listed(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, errors.Join(err, lib.Close()))
		return nil, false
	}
	replicas.Lock()
	replicas.used = append(replicas.used, usedReplica{verb: verb, srv: srv, path: path, listed: listed})
	replicas.Unlock()
	return lib, true
}

// usedReplica is a replica a verb opened, whose changes are sent when the verb is done.
type usedReplica struct {
	verb string
	srv  *shared.Server
	path string
	// listed is the replica's count of changes listed to send once it was synced
	// (storage.Library.Listed): more when the verb is done says the verb changed it.
	listed int64
}

// replicas are the replicas the verb running opened.
var replicas struct {
	sync.Mutex
	used []usedReplica
}

// sendReplicas sends what the verb changed in the replicas it opened, and returns exitRejected
// when a change could not be sent: a conflict (the change stays in the replica, sent at the next
// sync), the server out of reach when the verb changed the replica (the changes of a verb that
// changed nothing are older than it, and only said), or a change the server refused a member
// who may only read, when the verb changed the replica (reportRefused). It is run once the verb
// has closed them.
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
		listed, err := lib.Listed(ctx)
		var pushed shared.Pushed
		if err == nil {
			saySending(ctx, r.verb, r.srv, lib, stderr)
			pushed, err = shared.Push(ctx, r.srv, lib)
		}
		own := listed != r.listed
		if err != nil {
			fmt.Fprintf(stderr, "bibshelf %s: %v\n(the changes wait in the replica %s, and are sent at the next sync)\n", r.verb, err, r.path)
			// Out of reach, a verb that changed nothing did its work: the changes that wait
			// are older than it.
			if own || !errors.Is(err, shared.ErrUnreachable) {
				st = exitRejected
			}
		} else {
			if reportConflicts(r.verb, pushed, stderr) {
				st = exitRejected
			}
			reportRenamed(ctx, r.verb, lib, stderr)
			if reportRefused(r, pushed, own, stderr) {
				st = exitRejected
			}
		}
		if err := lib.Close(); err != nil {
			fmt.Fprintf(stderr, "bibshelf %s: %v\n", r.verb, err)
			st = exitRejected
		}
	}
	return st
}

// saySending says, before a push of many changes (shared.ManyChanges or more: an import's, which
// take a while to send), how many go to the server. Interrupted, the push sends none of them,
// and they wait in the replica for the next.
func saySending(ctx context.Context, verb string, srv *shared.Server, lib *storage.Library, stderr io.Writer) {
	if n, err := lib.Unsent(ctx); err == nil && n >= shared.ManyChanges {
		fmt.Fprintf(stderr, "bibshelf %s: sending %s to %s…\n", verb, countText(n, "change", "changes"), srv)
	}
}

// reportConflicts says which changes the server did not take for a conflict, and reports
// whether there were conflicts (the rows renamed to send them are reportRenamed's, the changes
// the member's role may not make reportRefused's).
func reportConflicts(verb string, p shared.Pushed, stderr io.Writer) bool {
	for _, c := range p.Conflicts {
		fmt.Fprintf(stderr, "bibshelf %s: not sent: the %s %s was changed on the server since this replica last saw it;\n"+
			"this computer's version is kept in its replica, and the server's\n", verb, strings.ReplaceAll(c.Kind, "_", " "), conflictName(c))
	}
	for _, c := range p.Dropped {
		fmt.Fprintf(stderr, "bibshelf %s: the %s %v deleted here was changed on the server since: it stays, and comes back here\n",
			verb, strings.ReplaceAll(c.Kind, "_", " "), c.ID)
	}
	return len(p.Conflicts) > 0
}

// reportRenamed says which rows of the replica lib were renamed to be sent, another member's
// having their key or name, that the member has not been told of: those of the verb's push, and
// those of a window's last push at its close. Told here, the window does not say them again.
func reportRenamed(ctx context.Context, verb string, lib *storage.Library, stderr io.Writer) {
	rs, err := lib.Renames(ctx)
	if err == nil {
		err = lib.ForgetRenames(ctx, rs)
	}
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, err)
	}
	for _, r := range rs {
		fmt.Fprintf(stderr, "bibshelf %s: %s; it was sent under that name, and both are kept\n", verb, r)
		for _, n := range r.Notes {
			fmt.Fprintf(stderr, "bibshelf %s: %s\n", verb, n)
		}
	}
}

// reportRefused says what the server refused the member of the replica r, who may only read,
// and reports whether the verb failed for it: when the verb changed the replica (own), its
// change was refused, which the refusal says with the role; else the changes refused wait from
// before, which a warning counts, saying how to let them go, and the verb did what it was asked.
func reportRefused(r usedReplica, p shared.Pushed, own bool, stderr io.Writer) bool {
	err := p.Refusal()
	switch {
	case err == nil:
		return false
	case own:
		fmt.Fprintf(stderr, "bibshelf %s: %v\n%s", r.verb, err, discardHint(r.srv))
		return true
	}
	fmt.Fprintf(stderr, "bibshelf %s: warning: not sent, refused by the server: %s made before in this computer's replica (%v, role %s)\n%s",
		r.verb, countText(len(p.Refused), "change", "changes"), shared.ErrReadOnly, p.Member, discardHint(r.srv))
	return false
}

// discardHint says how to let go of the changes the server at srv refuses.
func discardHint(srv *shared.Server) string {
	return fmt.Sprintf("(bibshelf sync --discard-refused --library '%s' discards them, giving this computer the server's versions)\n", srv)
}

// countText is n and the noun, singular for one.
func countText(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func conflictName(c shared.Conflict) string {
	if c.What != "" {
		return fmt.Sprintf("%q", c.What)
	}
	return c.ID.String()
}
