package shared

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
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
// Proc-Type: 4,ENCRYPTED, as libpq does; Bibshelf decrypts a PKCS #8 encrypted key, pkcs8.go) is
// opened, in this order, with the URL's sslpassword (or PGSSLPASSWORD), the passphrase the
// member typed when asked (Server.SetKeyPassphrase), and the one the OS keyring keeps for the
// key's file, where a passphrase typed is kept once it opened the key and the server took the
// connection. The keyring is asked only when the key needs a passphrase the URL does not give,
// and only as a connection is made, never by ParseURL.

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
// give: the URL, to be read again with the passphrase, and the key's file; for a key encrypted
// as PKCS #8 (pkcs8), which Bibshelf decrypts, not pgx, the certificate's file too.
type lockedKey struct {
	raw, file string
	pkcs8     bool
	cert      string
	// decrypted is the PKCS #8 key decrypted last, which the next connection takes unless the
	// file or the passphrase changed.
	decrypted decryptedKey
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

// clientFile is one of the client's TLS files as libpq, and pgx, find it: the URL's parameter
// param, else the environment variable env, else the file name in the folder of the client's
// files (clientDir).
type clientFile struct {
	param, env, name string
}

// The client's key and certificate.
var (
	clientKey  = clientFile{"sslkey", "PGSSLKEY", "postgresql.key"}
	clientCert = clientFile{"sslcert", "PGSSLCERT", "postgresql.crt"}
)

// path returns the file f names for the URL u on the system goos (runtime.GOOS but in a test):
// as an absolute path, the keyring's name of a key's passphrase.
func (f clientFile) path(u *url.URL, goos string) string {
	file := lastParam(queryOf(u), f.param)
	if file == "" {
		file = os.Getenv(f.env)
	}
	if file == "" {
		if dir := clientDir(goos); dir != "" {
			file = filepath.Join(dir, f.name)
		}
	}
	if abs, err := filepath.Abs(file); err == nil && file != "" {
		file = abs
	}
	return file
}

// clientDir returns the folder of the client's certificate and key that libpq and pgx read when
// neither the URL nor the environment names them, on the system goos: ~/.postgresql, or
// %APPDATA%\postgresql on Windows; "" when the home folder (APPDATA) is not known.
func clientDir(goos string) string {
	if goos == "windows" {
		if appData := os.Getenv("APPDATA"); appData != "" {
			return filepath.Join(appData, "postgresql")
		}
		return ""
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".postgresql")
	}
	return ""
}

// keyFile returns the client key file pgx reads for the URL u: its sslkey, else PGSSLKEY, else
// postgresql.key in ~/.postgresql (%APPDATA%\postgresql on Windows); as an absolute path, the
// keyring's name of its passphrase.
func keyFile(u *url.URL) string { return clientKey.path(u, runtime.GOOS) }

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

// openKey reads the URL again, its client key opened with passphrase; a PKCS #8 encrypted key
// is decrypted here, and its certificate added to s.config, which pgx read without it.
func (s *Server) openKey(passphrase string) (*pgx.ConnConfig, error) {
	if passphrase == "" {
		return nil, errors.New("no passphrase")
	}
	if s.key.pkcs8 {
		return s.key.withCertificate(s.config, passphrase)
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

// pkcs8Encrypted reports whether the key file holds a PKCS #8 encrypted key, which pgx does not
// decrypt (it fails with "tls: failed to parse private key", which does not say why): Bibshelf
// does (parsePKCS8).
func pkcs8Encrypted(file string) bool {
	b, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	for rest := b; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return false
		}
		if block.Type == pemEncryptedKey {
			return true
		}
	}
}

// parsePKCS8 reads the URL s, whose client key file is encrypted as PKCS #8, which pgx fails
// on: pgx reads it without the client's certificate and key (sslcert and sslkey given empty,
// the last of a parameter being the one pgx reads), and the key, decrypted as the connection is
// made (unlock, withCertificate), and its certificate are added to the TLS configuration. A key
// whose encryption is not read is an error naming the file and the algorithm, before any
// passphrase is asked for. The key is locked, as a key in the legacy encryption is without its
// passphrase; the passphrase the URL gives (sslpassword, PGSSLPASSWORD), returned, is the first
// a connection tries, then the keyring's, then it is asked for. The key is not decrypted here:
// ParseURL runs on the window's goroutine too, and a key may ask for a million rounds of PBKDF2
// (0.4 s) or more.
func parsePKCS8(s string, u *url.URL, file string) (*pgx.ConnConfig, *lockedKey, string, error) {
	if _, err := readEncryptedKey(file); err != nil {
		return nil, nil, "", err
	}
	sep := "?"
	if strings.Contains(s, "?") {
		sep = "&"
	}
	config, err := pgx.ParseConfig(s + sep + "sslcert=&sslkey=")
	if err != nil {
		return nil, nil, "", err
	}
	key := &lockedKey{raw: s, file: file, pkcs8: true, cert: clientCert.path(u, runtime.GOOS)}
	passphrase := os.Getenv("PGSSLPASSWORD")
	if q := queryOf(u); q.Has("sslpassword") {
		passphrase = lastParam(q, "sslpassword")
	}
	return config, key, passphrase, nil
}

// withCertificate returns a copy of config, which pgx read without the client's certificate,
// that gives the server the certificate of k's files, its PKCS #8 encrypted key decrypted with
// passphrase: in the TLS configuration of each host and of each fallback that uses TLS (the
// one pgx made for each, its server checked as the URL says). The files are read now, so that
// a wrong passphrase is told as such, and again at each TLS handshake, as pgx reads a legacy
// key's, so that a certificate renewed in place is the one sent (the key decrypted last is
// kept: k.decrypted).
func (k *lockedKey) withCertificate(config *pgx.ConnConfig, passphrase string) (*pgx.ConnConfig, error) {
	if _, err := loadPKCS8Certificate(k.cert, k.file, passphrase, &k.decrypted); err != nil {
		return nil, err
	}
	get := func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		cert, err := loadPKCS8Certificate(k.cert, k.file, passphrase, &k.decrypted)
		if err != nil {
			return nil, err
		}
		// As crypto/tls does with Certificates, and pgx with a legacy key's: none sent when
		// the server would not take it.
		if cri != nil && cri.SupportsCertificate(&cert) != nil {
			return new(tls.Certificate), nil
		}
		return &cert, nil
	}
	c := config.Copy()
	if c.TLSConfig != nil {
		c.TLSConfig.GetClientCertificate = get
	}
	for _, f := range c.Fallbacks {
		if f.TLSConfig != nil {
			f.TLSConfig.GetClientCertificate = get
		}
	}
	return c, nil
}
