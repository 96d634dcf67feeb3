//go:build !unix

package pgtest

import (
	"net/url"
	"os"
	"testing"
)

// Superuser is the role the cluster is made with; New's databases are reached as it.
const Superuser = "postgres"

// PasswordGroup is the group role whose members the cluster asks for their password.
const PasswordGroup = "pgtest_password"

// Main runs the tests of m.
func Main(m *testing.M) int { return m.Run() }

// New skips the test: the cluster is made on Unix systems only.
func New(tb testing.TB) string {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatal("the PostgreSQL test cluster runs on Unix systems only")
	}
	tb.Skip("the PostgreSQL test cluster runs on Unix systems only")
	return ""
}

// Crash skips the test: the cluster is made on Unix systems only.
func Crash(tb testing.TB) { New(tb) }

// Restart does nothing: there is no cluster.
func Restart(tb testing.TB) {}

// RenameDatabase skips the test: the cluster is made on Unix systems only.
func RenameDatabase(tb testing.TB, u, to string) string {
	tb.Helper()
	tb.Skip("the PostgreSQL test cluster runs on Unix systems only")
	return ""
}

// CertGroup is the group role whose members the TLS cluster takes by their client certificate.
const CertGroup = "pgtest_cert"

// CertPasswordGroup is the group role whose members the TLS cluster asks for both their client
// certificate and their password.
const CertPasswordGroup = "pgtest_cert_password"

// Host is the address the TLS cluster listens on.
const Host = "127.0.0.1"

// TLS is a database of the TLS cluster, which is made on Unix systems only.
type TLS struct {
	Port     int
	Database string
	CA       string
}

// NewTLS skips the test: the cluster is made on Unix systems only.
func NewTLS(tb testing.TB) *TLS {
	tb.Helper()
	New(tb)
	return nil
}

// URL returns "": there is no cluster.
func (d *TLS) URL(role string, params url.Values) string { return "" }

// ClientCert returns nothing: there is no cluster.
func (d *TLS) ClientCert(tb testing.TB, role, passphrase string) (cert, key string) { return "", "" }

// OtherCA returns "": there is no cluster.
func OtherCA(tb testing.TB) string { return "" }
