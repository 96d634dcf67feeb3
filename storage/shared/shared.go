// Package shared keeps a Bibshelf library on a PostgreSQL server, shared by the members of a
// group or by one person's computers. Each computer works on a replica of it, an ordinary
// storage.Library (SQLite, its search index and all), which the window and the command line
// use as they use any library; this package moves rows between the replica and the server: it
// copies a library to a server (Copy), makes a new replica of a shared library (Clone), and
// holds the server's schema (migrations/) and its version.
//
// It imports storage and the pgx driver, and nothing of the window; storage never talks to a
// server. See "Shared libraries" in docs/DEVELOPMENT.md for the design, what is shared and what
// is a member's own.
package shared

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
)

// schema is the PostgreSQL schema the shared library's tables are in, every connection's
// search_path: the database may hold other programs' tables too.
const schema = "bibshelf"

// ErrNoLibrary is returned for a database that holds no shared library.
var ErrNoLibrary = errors.New("no shared library there")

// ErrNotEmpty is returned by Copy for a database that holds a shared library already.
var ErrNotEmpty = errors.New("the database holds a shared library already")

// ErrNewerSchema is returned for a shared library whose schema is newer than this release's:
// it may hold what this release would misread or lose.
var ErrNewerSchema = errors.New("the shared library was made by a newer version of Bibshelf")

// IsURL reports whether a library named on the command line, or in the preferences, is a shared
// library's URL rather than a library file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// IsKeywordString reports whether s is a libpq connection string of keyword=value pairs
// (host=db user=cy dbname=refs), which Bibshelf does not read: it takes a shared library's URL
// (postgres://...), and refuses such a string (ErrKeywordString) rather than take it for a
// library file's name. It tells by the first keyword, one libpq knows.
func IsKeywordString(s string) bool {
	key, _, ok := strings.Cut(strings.TrimSpace(s), "=")
	return ok && libpqKeywords[strings.TrimSpace(key)]
}

// ErrKeywordString is the error for a library named by a libpq connection string of
// keyword=value pairs (IsKeywordString): it is not taken for a library file's name, which
// would make an empty library of that name and keep it, password and all, in the list of
// libraries. Its message quotes nothing of the string.
var ErrKeywordString = errors.New("a library is a file or a shared library's postgres:// URL, " +
	"not a key=value connection string (host=... dbname=...): write it as a URL, " +
	"postgres://USER@HOST:PORT/DBNAME?sslmode=...")

// libpqKeywords are the keywords a libpq connection string begins with, the first of its
// pairs.
var libpqKeywords = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true, "password": true,
	"passfile": true, "service": true, "sslmode": true, "sslcert": true, "sslkey": true,
	"sslpassword": true, "sslrootcert": true, "connect_timeout": true, "application_name": true,
	"options": true, "target_session_attrs": true, "channel_binding": true,
}

// PublicURL returns a shared library's URL as it may be shown and kept (redact): without
// a password, in its user part or as a parameter, nor the passphrase of the client's TLS key,
// its parameters in one order. It reads the URL as text only: it opens no file the URL names
// (a client key, a root certificate), which ParseURL does, so that a URL whose key needs a
// passphrase, or whose files are missing for a while, still has a name.
func PublicURL(s string) (string, error) {
	if !IsURL(s) {
		return "", errors.New("shared library URL: not a postgres:// URL")
	}
	u, err := url.Parse(s)
	if err != nil {
		// url's error quotes the URL, password and all.
		return "", errors.New("shared library URL: not a URL")
	}
	c := *u
	c.RawQuery = encodeQuery(queryOf(u))
	return redact(&c), nil
}

// Server is where a shared library is: a PostgreSQL connection URL, read as libpq reads one
// (sslmode, and the PG environment variables for what it leaves out). A password the URL does
// not hold comes from ~/.pgpass or PGPASSFILE; Bibshelf never writes one down.
type Server struct {
	config *pgx.ConnConfig
	url    *url.URL

	mu sync.Mutex
	// typed is the password the user typed when asked (SetPassword), and pending says the next
	// connection is to try it; taken is the password the server took last in this process
	// (typed, or the keyring's), which each connection tries first; keyringErr says why the
	// one typed could not be kept in the keyring.
	typed, taken string
	pending      bool
	keyringErr   error
	// key is the URL and the client key's file when the key needs a passphrase the URL does not
	// give, or is a PKCS #8 key, decrypted as a connection is made (keypass.go); keyTyped and
	// keyPending are the passphrase typed (SetKeyPassphrase), keyTaken the one that opened the
	// key last in this process (first, the one the URL gives a PKCS #8 key), and keyUnsaved says
	// it was typed and is not in the keyring yet.
	key                    *lockedKey
	keyTyped, keyTaken     string
	keyPending, keyUnsaved bool
}

// ParseURL reads a shared library's URL.
func ParseURL(s string) (*Server, error) {
	if !IsURL(s) {
		return nil, fmt.Errorf("%q is not a postgres:// URL", s)
	}
	u, err := url.Parse(s)
	if err != nil {
		// url's error quotes the URL, password and all.
		return nil, errors.New("shared library URL: not a URL")
	}
	var key *lockedKey
	var given string // a PKCS #8 key's passphrase the URL gives, tried first (parsePKCS8)
	config, locked, err := parseConfig(s, "")
	if err != nil && locked {
		// The client key needs a passphrase the URL does not give: asked for, or read from the
		// keyring, as the connection is made (keypass.go).
		config, key, err = parseLocked(s, u)
	} else if file := keyFile(u); err != nil && pkcs8Encrypted(file) {
		// Encrypted as PKCS #8, which pgx does not decrypt: Bibshelf does (pkcs8.go).
		config, key, given, err = parsePKCS8(s, u, file)
	}
	if err != nil {
		// pgx's error quotes the URL without its password.
		return nil, fmt.Errorf("shared library URL: %w", err)
	}
	config.RuntimeParams["search_path"] = schema
	config.RuntimeParams["application_name"] = "bibshelf"
	return &Server{config: config, url: u, key: key, keyTaken: given}, nil
}

// String returns the URL without its password: what may be shown, logged, and kept in a
// replica.
func (s *Server) String() string { return redact(s.url) }

// MemberURL returns the URL, without its password, by which a member whose role is member opens
// the shared library at s: the same server, database and parameters, the role replaced. A user
// parameter is left out: pgx and libpq read it over the role before the host, so that the URL
// would open as the owner.
func (s *Server) MemberURL(member string) string {
	u := *s.url
	u.User = url.User(member)
	if q := queryOf(&u); q.Has("user") {
		q.Del("user")
		u.RawQuery = encodeQuery(q)
	}
	return redact(&u)
}

// AnyMember is the role MemberURL is given to say "each member's own role" to people.
const AnyMember = "ROLE"

// redact returns u without a password, in its user part or as a parameter, nor the passphrase
// of the client's TLS key (sslpassword): the one rule of what of a URL may be shown and kept
// (Server.String, PublicURL).
func redact(u *url.URL) string {
	c := *u
	if c.User != nil {
		if _, has := c.User.Password(); has {
			c.User = url.User(c.User.Username())
		}
	}
	if q := queryOf(&c); q.Has("password") || q.Has("sslpassword") {
		q.Del("password")
		q.Del("sslpassword")
		c.RawQuery = encodeQuery(q)
	}
	return c.String()
}

// queryOf returns the parameters of u as libpq and pgx read them: split at '&' only (url.Values
// drops a pair with a ';', which redact would then leave in the URL, password and all), and
// with a '+' read as itself, not as a space (url.Values would name another file). A pair that
// does not decode is left out: pgx refuses such a URL.
func queryOf(u *url.URL) url.Values {
	q := url.Values{}
	for pair := range strings.SplitSeq(u.RawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.PathUnescape(k)
		value, err2 := url.PathUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		q.Add(key, value)
	}
	return q
}

// lastParam returns the last value of the parameter name of q, the one pgx reads, or "".
func lastParam(q url.Values, name string) string {
	if v := q[name]; len(v) > 0 {
		return v[len(v)-1]
	}
	return ""
}

// encodeQuery writes a URL's parameters, sorted, with a space as %20: libpq and pgx read a '+'
// as itself, so a file's path with a space (sslkey=/Users/cy/My Keys/cy.key), written with '+'
// as url.Values.Encode writes it, would name another file. A '+' of a value is written %2B.
func encodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}
