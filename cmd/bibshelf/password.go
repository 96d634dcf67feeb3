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
// PGPASSWORD, the password file nor the OS keyring gives it, and the passphrase of the client
// key (sslkey), when neither the URL's sslpassword nor the keyring gives it: in a terminal, it
// asks for each (up to three times); elsewhere it says where they can come from. A server that
// cannot be reached is for the verb to handle: a replica is used as it is then.
func askPassword(ctx context.Context, verb string, srv *shared.Server, stderr io.Writer) error {
	var passwords, passphrases int // the tries of each
	for {
		err := srv.Ping(ctx)
		key := errors.Is(err, shared.ErrKeyPassphraseNeeded)
		what, prompt := "password", ""
		switch {
		case key:
			what = "passphrase"
			if passphrases == 3 || !term.IsTerminal(int(os.Stdin.Fd())) {
				return fmt.Errorf("%w: give it as sslpassword=... in the URL, or run bibshelf in a terminal to be asked for it", err)
			}
			if passphrases > 0 {
				fmt.Fprintln(stderr, "That passphrase did not open the key.")
			}
			passphrases++
			prompt = fmt.Sprintf("Passphrase of the client key file %s (kept in this computer's keyring once the server takes the connection): ", srv.KeyFile())
		case errors.Is(err, shared.ErrPasswordNeeded):
			if passwords == 3 || !term.IsTerminal(int(os.Stdin.Fd())) {
				return fmt.Errorf("%w: put it in ~/.pgpass (or the file PGPASSFILE names), or run bibshelf in a terminal to be asked for it", err)
			}
			if passwords > 0 {
				fmt.Fprintln(stderr, "The server refused that password.")
			}
			passwords++
			prompt = fmt.Sprintf("Password for %s (kept in this computer's keyring once the server takes it): ", srv)
		default:
			if kerr := srv.KeyringError(); kerr != nil {
				fmt.Fprintf(stderr, "bibshelf %s: %v (it is asked for again next time)\n", verb, kerr)
			}
			return nil
		}
		fmt.Fprint(stderr, prompt)
		typed, rerr := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(stderr)
		if rerr != nil {
			return fmt.Errorf("read the %s: %w", what, rerr)
		}
		if key {
			srv.SetKeyPassphrase(string(typed))
		} else {
			srv.SetPassword(string(typed))
		}
	}
}
