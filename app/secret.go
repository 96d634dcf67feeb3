package app

import (
	"errors"

	"github.com/bibshelf/bibshelf/storage/shared"
)

// secret is what a shared library's connection asks the member for when nothing gave it: the
// password of their role, or the passphrase of their client key. The window asks for either in
// one shape (the password dialog, the Connect dialog's field, the first opening's form), worded
// by its kind.
type secret int

const (
	noSecret       secret = iota
	passwordSecret        // the server asks for the role's password (shared.ErrPasswordNeeded)
	keyPassphrase         // the client key needs its passphrase (shared.ErrKeyPassphraseNeeded)
)

// secretAsked returns what err, a connection's failure, says to ask for, or noSecret.
func secretAsked(err error) secret {
	switch {
	case errors.Is(err, shared.ErrKeyPassphraseNeeded):
		return keyPassphrase
	case errors.Is(err, shared.ErrPasswordNeeded):
		return passwordSecret
	}
	return noSecret
}

// title names the secret in a dialog's title.
func (k secret) title() string {
	if k == keyPassphrase {
		return "Key Passphrase"
	}
	return "Password"
}

// text says whose secret the connection to srv asks for, and what becomes of it.
func (k secret) text(srv *shared.Server) string {
	if k == keyPassphrase {
		return "The client key file " + srv.KeyFile() + " is encrypted: type its passphrase. Once it opens the key " +
			"and the server takes the connection, this computer's keyring keeps it, and it is not asked for again. " +
			"(A passphrase given as sslpassword= in the URL is used without asking.)"
	}
	return passwordText(srv)
}

// refused says that the secret typed was not taken.
func (k secret) refused() string {
	if k == keyPassphrase {
		return "That passphrase did not open the client key."
	}
	return "The server did not take that password."
}

// give hands the secret typed to srv, for its next connection.
func (k secret) give(srv *shared.Server, typed string) {
	if k == keyPassphrase {
		srv.SetKeyPassphrase(typed)
		return
	}
	srv.SetPassword(typed)
}

// giveLive hands the secret typed to l, which connects with it at once.
func (k secret) giveLive(l *shared.Live, typed string) {
	if k == keyPassphrase {
		l.SetKeyPassphrase(typed)
		return
	}
	l.SetPassword(typed)
}
