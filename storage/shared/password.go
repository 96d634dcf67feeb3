package shared

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/zalando/go-keyring"
)

// A password comes, in this order, from the URL, PGPASSWORD, the password file (~/.pgpass or
// PGPASSFILE; pgx reads all three, as libpq does), the password the user typed when asked
// (Server.SetPassword), and the OS keyring (the Secret Service on Linux, the Keychain on macOS,
// the Credential Manager on Windows), where a password typed is kept once the server took it.
// Bibshelf never writes one into its own files. The keyring is asked only when the server asks
// for a password that the first three did not give: a server that trusts its members, or a
// password file, never needs it.

// ErrPasswordNeeded is returned when the server asks for a password and none was given, or
// refused the one given: the user is to be asked for it (SetPassword), and the call made again.
var ErrPasswordNeeded = errors.New("the server asks for a password")

// keyringService names Bibshelf's passwords in the OS keyring.
const keyringService = "Bibshelf shared library"

// keyringUser names the password of srv's role on its server in the OS keyring.
func (s *Server) keyringUser() string {
	c := s.config
	return c.User + "@" + net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port)))
}

// Role returns the server role the URL connects as: the member, whose password the server may ask
// for.
func (s *Server) Role() string { return s.config.User }

// SetPassword gives the password the user typed when asked: the next connection uses it, and once
// the server has taken it, it is kept in the OS keyring for the next time.
func (s *Server) SetPassword(password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.typed, s.pending = password, true
}

// Ping connects to the server and leaves: ErrPasswordNeeded says to ask for the password,
// ErrUnreachable that the server cannot be reached.
func (s *Server) Ping(ctx context.Context) error {
	conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// connect opens a connection to the server: with the password the member typed last
// (SetPassword), when there is one not tried yet; else with the one the server took last in
// this process; else with the URL's, the environment's or the password file's; and when the
// server refuses those, with the one the keyring keeps. ErrPasswordNeeded says the member is to
// be asked. A password typed that the server takes goes into the keyring, and each connection
// after uses it first, so that the server does not see a refused login before each.
//
// A client key that needs a passphrase the URL does not give is opened first (unlock);
// ErrKeyPassphraseNeeded says the member is to be asked for it.
func (s *Server) connect(ctx context.Context) (*pgx.Conn, error) {
	base, err := s.unlock()
	if err != nil {
		return nil, err
	}
	conn, err := s.connectPassword(ctx, base)
	if err != nil {
		return nil, s.untrusted(err)
	}
	if s.key != nil {
		s.kept()
	}
	return conn, nil
}

// connectPassword is connect from the configuration base, its client key opened, but for what
// the error says of the server's certificate.
func (s *Server) connectPassword(ctx context.Context, base *pgx.ConnConfig) (*pgx.Conn, error) {
	s.mu.Lock()
	typed, pending, taken := s.typed, s.pending, s.taken
	s.pending = false
	s.mu.Unlock()
	switch {
	case pending:
		conn, err := s.connectWith(ctx, base, typed)
		if err == nil {
			kerr := keyring.Set(keyringService, s.keyringUser(), typed)
			s.mu.Lock()
			// Not kept, the one typed is used while this process runs, and asked for again
			// the next time.
			s.keyringErr = kerr
			s.mu.Unlock()
			return conn, nil
		}
		if passwordRefused(err) {
			return nil, fmt.Errorf("connect to %s: %w: %w", s, ErrPasswordNeeded, err)
		}
		return nil, fmt.Errorf("connect to %s: %w", s, err)
	case taken != "":
		conn, err := s.connectWith(ctx, base, taken)
		if err == nil || !passwordRefused(err) {
			if err != nil {
				err = fmt.Errorf("connect to %s: %w", s, err)
			}
			return conn, err
		}
		// Changed on the server since: the others are tried.
		s.mu.Lock()
		if s.taken == taken {
			s.taken = ""
		}
		s.mu.Unlock()
	}
	conn, err := pgx.ConnectConfig(ctx, base)
	if err == nil {
		return conn, nil
	}
	if !passwordRefused(err) {
		return nil, fmt.Errorf("connect to %s: %w", s, err)
	}
	kept, kerr := keyring.Get(keyringService, s.keyringUser())
	if kerr != nil || kept == base.Password {
		// None kept (or no keyring on this computer), or the one just refused.
		return nil, fmt.Errorf("connect to %s: %w: %w", s, ErrPasswordNeeded, err)
	}
	conn, err = s.connectWith(ctx, base, kept)
	if err != nil {
		if passwordRefused(err) {
			return nil, fmt.Errorf("connect to %s: %w: %w", s, ErrPasswordNeeded, err)
		}
		return nil, fmt.Errorf("connect to %s: %w", s, err)
	}
	return conn, nil
}

// connectWith connects from base with password, and records it as the one the server took last.
func (s *Server) connectWith(ctx context.Context, base *pgx.ConnConfig, password string) (*pgx.Conn, error) {
	config := base.Copy()
	config.Password = password
	conn, err := pgx.ConnectConfig(ctx, config)
	if err == nil {
		s.mu.Lock()
		s.taken = password
		s.mu.Unlock()
	}
	return conn, err
}

// KeyringError returns why the password typed could not be kept in the OS keyring, or nil.
func (s *Server) KeyringError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyringErr
}

// passwordRefused reports whether a connection failed on the password: none was given where the
// server asks for one, or it was wrong.
func passwordRefused(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "28P01" // invalid_password
}
