package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/bibshelf/bibshelf/storage/shared"
)

// askPassword makes sure the verb has the password the server asks for, when neither the URL,
// PGPASSWORD, the password file nor the OS keyring gives it: in a terminal, it asks for it (up to
// three times); elsewhere it says where a password can come from. A server that cannot be reached
// is for the verb to handle: a replica is used as it is then.
func askPassword(ctx context.Context, verb string, srv *shared.Server, stderr io.Writer) error {
	for tries := 0; ; tries++ {
		err := srv.Ping(ctx)
		if !errors.Is(err, shared.ErrPasswordNeeded) {
			if kerr := srv.KeyringError(); kerr != nil {
				fmt.Fprintf(stderr, "bibshelf %s: %v (it is asked for again next time)\n", verb, kerr)
			}
			return nil
		}
		fd := int(os.Stdin.Fd())
		if tries == 3 || !term.IsTerminal(fd) {
			return fmt.Errorf("%w: put it in ~/.pgpass (or the file PGPASSFILE names), or run bibshelf in a terminal to be asked for it", err)
		}
		if tries > 0 {
			fmt.Fprintln(stderr, "The server refused that password.")
		}
		fmt.Fprintf(stderr, "Password for %s (kept in this computer's keyring once the server takes it): ", srv)
		password, rerr := term.ReadPassword(fd)
		fmt.Fprintln(stderr)
		if rerr != nil {
			return fmt.Errorf("read the password: %w", rerr)
		}
		srv.SetPassword(string(password))
	}
}
