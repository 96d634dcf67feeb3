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
}

// ParseURL reads a shared library's URL.
func ParseURL(s string) (*Server, error) {
	if !IsURL(s) {
		return nil, fmt.Errorf("%q is not a postgres:// URL", s)
	}
	config, err := pgx.ParseConfig(s)
	if err != nil {
		// pgx's error quotes the URL without its password.
		return nil, fmt.Errorf("shared library URL: %w", err)
	}
	u, err := url.Parse(s)
	if err != nil {
		// url's error quotes the URL, password and all.
		return nil, errors.New("shared library URL: not a URL")
	}
	config.RuntimeParams["search_path"] = schema
	config.RuntimeParams["application_name"] = "bibshelf"
	return &Server{config: config, url: u}, nil
}

// String returns the URL without its password: what may be shown, logged, and kept in a
// replica or the preferences.
func (s *Server) String() string { return redact(s.url) }

// redact returns u without a password, in its user part or as a parameter, nor the passphrase
// of the client's TLS key (sslpassword).
func redact(u *url.URL) string {
	c := *u
	if c.User != nil {
		if _, has := c.User.Password(); has {
			c.User = url.User(c.User.Username())
		}
	}
	if q := c.Query(); q.Has("password") || q.Has("sslpassword") {
		q.Del("password")
		q.Del("sslpassword")
		c.RawQuery = q.Encode()
	}
	return c.String()
}
