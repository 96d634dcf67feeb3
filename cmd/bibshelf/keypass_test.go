//go:build linux

package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sys/unix"

	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// TestKeyPassphraseNeeded opens a shared library over TLS as a member the server takes by their
// client certificate, whose key is encrypted: without the passphrase and without a terminal,
// the verb names the key's file and says where a passphrase can come from, and fails; with
// sslpassword in the URL it works; in a terminal it asks for it, naming the file, again after a
// wrong one. (The OS keyring that keeps it is storage/shared's TestKeyPassphrase.)
func TestKeyPassphraseNeeded(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Setenv("PGSSLPASSWORD", "")
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib); st != 0 {
		t.Fatal(errOut)
	}
	db := pgtest.NewTLS(t)
	verify := url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}}
	if st, _, errOut := bibshelf(t, "", "share", "--library", lib, db.URL(pgtest.Superuser, verify)); st != 0 {
		t.Fatal(errOut)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, db.URL(pgtest.Superuser, verify))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	role := "cli_" + db.Database
	if _, err := admin.Exec(ctx, `CREATE ROLE `+pgx.Identifier{role}.Sanitize()+` LOGIN IN ROLE `+pgtest.CertGroup+`, `+
		pgx.Identifier{db.Database + "_edit"}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropRole(t, db, role) })
	cert, key := db.ClientCert(t, role, "open sesame")
	params := url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}, "sslcert": {cert}, "sslkey": {key}}
	member := db.URL(role, params)

	st, out, errOut := bibshelf(t, "", "search", "--library", member, "pointer", "networks")
	if st != exitRejected || out != "" || !strings.Contains(errOut, "the client key needs its passphrase") ||
		!strings.Contains(errOut, key) || !strings.Contains(errOut, "sslpassword=") {
		t.Errorf("without the passphrase: %d %q %q", st, out, errOut)
	}
	params.Set("sslpassword", "open sesame")
	st, out, errOut = bibshelf(t, "", "search", "--library", db.URL(role, params), "pointer", "networks")
	if st != exitOK || !strings.HasPrefix(out, "vinyals2015pointer\t") {
		t.Errorf("with sslpassword: %d %q %q", st, out, errOut)
	}

	// In a terminal: asked, a wrong one first.
	terminal := openTerminal(t, "wrong one\nopen sesame\n")
	stdin := os.Stdin
	os.Stdin = terminal
	defer func() { os.Stdin = stdin }()
	st, out, errOut = bibshelf(t, "", "search", "--library", member, "pointer", "networks")
	os.Stdin = stdin
	if st != exitOK || !strings.HasPrefix(out, "vinyals2015pointer\t") {
		t.Errorf("in a terminal: %d %q %q", st, out, errOut)
	}
	if !strings.Contains(errOut, "Passphrase of the client key file "+key) || !strings.Contains(errOut, "That passphrase did not open the key.") {
		t.Errorf("in a terminal, what is asked: %q", errOut)
	}
}

// openTerminal opens a new pseudo-terminal, writes typed into it as if typed at its keyboard,
// and returns its terminal side, which a test makes os.Stdin.
func openTerminal(t *testing.T, typed string) *os.File {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	term, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term.Close() })
	if _, err := master.WriteString(typed); err != nil {
		t.Fatal(err)
	}
	return term
}

// dropRole drops a role of db's cluster, the cluster's and not the test's database's.
func dropRole(t *testing.T, db *pgtest.TLS, role string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.URL(pgtest.Superuser, url.Values{"sslmode": {"require"}}))
	if err == nil {
		_, err = conn.Exec(ctx, `DROP ROLE IF EXISTS `+pgx.Identifier{role}.Sanitize())
		conn.Close(ctx)
	}
	if err != nil {
		t.Logf("drop role: %v", err)
	}
}
