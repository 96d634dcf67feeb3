package shared

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/zalando/go-keyring"
)

// A client key encrypted with a passphrase (sslkey; pgx decrypts the legacy PEM encryption,
// Proc-Type: 4,ENCRYPTED, as libpq does) is opened, in this order, with the URL's sslpassword
// (or PGSSLPASSWORD), the passphrase the member typed when asked (Server.SetKeyPassphrase), and
// the one the OS keyring keeps for the key's file, where a passphrase typed is kept once it
// opened the key and the server took the connection. The keyring is asked only when the key
// needs a passphrase the URL does not give, and only as a connection is made, never by ParseURL.

// ErrKeyPassphraseNeeded is returned when the client key (sslkey) is encrypted and neither the
// URL, the passphrase typed, nor the keyring gives the passphrase that opens it: the member is to
// be asked for it (Server.KeyFile names the file; SetKeyPassphrase), and the call made again.
var ErrKeyPassphraseNeeded = errors.New("the client key needs its passphrase")

// keyKeyringService names the passphrases of client keys in the OS keyring, each by the key
// file's absolute path.
const keyKeyringService = "Bibshelf client key"

// asked reports whether err says the member is to be asked for something: a password or the
// passphrase of the client key.
func asked(err error) bool {
	return errors.Is(err, ErrPasswordNeeded) || errors.Is(err, ErrKeyPassphraseNeeded)
}

// lockedKey is what ParseURL keeps of a URL whose client key needs a passphrase it does not
// give: the URL, to be read again with the passphrase, and the key's file.
type lockedKey struct {
	raw, file string
}

// parseLocked reads the URL s, whose client key pgx could not open for want of a passphrase,
// for what it names (host, port, database, role: ReplicaPath, the keyring's names) without
// reading the key; the connection reads it again with the passphrase (unlock).
func parseLocked(s string, u *url.URL) (*pgx.ConnConfig, *lockedKey, error) {
	sep := "?"
	if strings.Contains(s, "?") {
		sep = "&"
	}
	// The last of a parameter is the one pgx reads; sslcertmode=disable reads no client
	// certificate.
	config, err := pgx.ParseConfig(s + sep + "sslcertmode=disable")
	if err != nil {
		return nil, nil, err
	}
	return config, &lockedKey{raw: s, file: keyFile(u)}, nil
}

// keyFile returns the client key file pgx reads for the URL u, as libpq does: its sslkey, else
// PGSSLKEY, else postgresql.key in ~/.postgresql (%APPDATA%\postgresql on Windows); as an
// absolute path, the keyring's name of its passphrase.
func keyFile(u *url.URL) string {
	file := lastParam(queryOf(u), "sslkey")
	if file == "" {
		file = os.Getenv("PGSSLKEY")
	}
	if file == "" {
		dir := ".postgresql"
		home, err := os.UserHomeDir()
		if runtime.GOOS == "windows" {
			dir, home, err = "postgresql", os.Getenv("APPDATA"), nil
		}
		if err == nil && home != "" {
			file = filepath.Join(home, dir, "postgresql.key")
		}
	}
	if abs, err := filepath.Abs(file); err == nil && file != "" {
		file = abs
	}
	return file
}

// parseConfig reads the URL s as pgx does, and reports whether the client key it names needs a
// passphrase that it does not give (or gives wrong).
func parseConfig(s, passphrase string) (config *pgx.ConnConfig, locked bool, err error) {
	config, err = pgx.ParseConfigWithOptions(s, pgx.ParseConfigOptions{ParseConfigOptions: pgconn.ParseConfigOptions{
		GetSSLPassword: func(context.Context) string {
			locked = true
			return passphrase
		},
	}})
	return config, locked, err
}

// KeyFile returns the client key file whose passphrase the URL does not give, or "": what the
// member is asked the passphrase of when a connection returns ErrKeyPassphraseNeeded.
func (s *Server) KeyFile() string {
	if s.key == nil {
		return ""
	}
	return s.key.file
}

// SetKeyPassphrase gives the passphrase of the client key that the member typed when asked: the
// next connection opens the key with it, and once the server has taken that connection it is
// kept in the OS keyring for the next time.
func (s *Server) SetKeyPassphrase(passphrase string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keyTyped, s.keyPending = passphrase, true
}

// unlock returns the configuration a connection starts from: s.config, or, when the client key
// needs a passphrase the URL does not give, the URL read again with the one typed last (not
// tried yet), else the one that opened it last in this process, else the keyring's. A
// passphrase typed that opens the key is used from then on, and kept in the keyring once the
// server took a connection (kept).
func (s *Server) unlock() (*pgx.ConnConfig, error) {
	if s.key == nil {
		return s.config, nil
	}
	s.mu.Lock()
	typed, pending, taken := s.keyTyped, s.keyPending, s.keyTaken
	s.keyPending = false
	s.mu.Unlock()
	if pending {
		config, err := s.openKey(typed)
		if err != nil {
			return nil, fmt.Errorf("connect to %s: %w (%s): that passphrase did not open it: %w", s, ErrKeyPassphraseNeeded, s.key.file, err)
		}
		s.mu.Lock()
		s.keyTaken, s.keyUnsaved = typed, true
		s.mu.Unlock()
		return config, nil
	}
	if taken != "" {
		if config, err := s.openKey(taken); err == nil {
			return config, nil
		}
	}
	kept, kerr := keyring.Get(keyKeyringService, s.key.file)
	if kerr != nil {
		// None kept (or no keyring on this computer).
		return nil, fmt.Errorf("connect to %s: %w (%s)", s, ErrKeyPassphraseNeeded, s.key.file)
	}
	config, err := s.openKey(kept)
	if err != nil {
		// The key was encrypted anew since.
		return nil, fmt.Errorf("connect to %s: %w (%s): the keyring's did not open it: %w", s, ErrKeyPassphraseNeeded, s.key.file, err)
	}
	s.mu.Lock()
	s.keyTaken = kept
	s.mu.Unlock()
	return config, nil
}

// openKey reads the URL again, its client key opened with passphrase.
func (s *Server) openKey(passphrase string) (*pgx.ConnConfig, error) {
	if passphrase == "" {
		return nil, errors.New("no passphrase")
	}
	config, _, err := parseConfig(s.key.raw, passphrase)
	if err != nil {
		// pgx's error quotes the URL without its passwords.
		return nil, err
	}
	for k, v := range s.config.RuntimeParams { // search_path, application_name
		config.RuntimeParams[k] = v
	}
	return config, nil
}

// kept keeps the passphrase typed in the keyring, once the server took a connection made with
// it.
func (s *Server) kept() {
	s.mu.Lock()
	unsaved, passphrase := s.keyUnsaved, s.keyTaken
	s.keyUnsaved = false
	s.mu.Unlock()
	if !unsaved {
		return
	}
	err := keyring.Set(keyKeyringService, s.key.file, passphrase)
	s.mu.Lock()
	s.keyringErr = err
	s.mu.Unlock()
}

// pkcs8Encrypted reports whether the key file begins as a PKCS #8 encrypted key, which pgx does
// not decrypt (it fails with "tls: failed to parse private key", which does not say why).
func pkcs8Encrypted(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64)
	n, _ := io.ReadFull(f, head)
	return bytes.HasPrefix(bytes.TrimSpace(head[:n]), []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
}
