//go:build !unix

package pgtest

import (
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
