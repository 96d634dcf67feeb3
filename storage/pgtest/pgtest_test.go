package pgtest_test

import (
	"context"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bibshelf/bibshelf/storage/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestNew: each test's database is its own and empty, and reached over the socket.
func TestNew(t *testing.T) {
	ctx := context.Background()
	a, b := pgtest.New(t), pgtest.New(t)
	if a == b {
		t.Fatalf("two tests were given the same database %s", a)
	}
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE t (x int)`); err != nil {
		t.Fatal(err)
	}
	other, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	var n int
	if err := other.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename = 't'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("a table made in one test's database is in another's")
	}
	var user, version string
	if err := conn.QueryRow(ctx, `SELECT current_user, current_setting('server_version')`).Scan(&user, &version); err != nil {
		t.Fatal(err)
	}
	if user != pgtest.Superuser {
		t.Errorf("connected as %q, want %q", user, pgtest.Superuser)
	}
	t.Logf("PostgreSQL %s", version)
}

// TestCrash: after Crash, the cluster takes no connection; after Restart, its databases are as
// they were committed.
func TestCrash(t *testing.T) {
	ctx := context.Background()
	u := pgtest.New(t)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE t (x int); INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	pgtest.Crash(t)
	if _, err := conn.Exec(ctx, `SELECT 1`); err == nil {
		t.Error("a connection made before the crash still works")
	}
	conn.Close(ctx)
	if c, err := pgx.Connect(ctx, u); err == nil {
		c.Close(ctx)
		t.Fatal("connected to a crashed cluster")
	}
	pgtest.Restart(t)
	conn, err = pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 1 {
		t.Errorf("after the restart t has %d rows (%v), want 1", n, err)
	}
}

// TestTLS: the TLS cluster takes TLS only, with a certificate the authority signed for its
// address: as a trusted role with sslmode=verify-full, as a member of CertGroup by its client
// certificate alone, as a member of PasswordGroup by its password, and not without TLS.
func TestTLS(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewTLS(t)
	admin, err := pgx.Connect(ctx, db.URL(pgtest.Superuser, url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}}))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var ssl bool
	if err := admin.QueryRow(ctx, `SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&ssl); err != nil || !ssl {
		t.Errorf("the connection's TLS: %v (%v)", ssl, err)
	}
	if _, err := admin.Exec(ctx, `CREATE ROLE tls_cy LOGIN IN ROLE `+pgtest.CertGroup); err != nil {
		t.Fatal(err)
	}
	cert, key := db.ClientCert(t, "tls_cy", "")
	cy, err := pgx.Connect(ctx, db.URL("tls_cy", url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}, "sslcert": {cert}, "sslkey": {key}}))
	if err != nil {
		t.Fatalf("by the client certificate: %v", err)
	}
	cy.Close(ctx)
	if c, err := pgx.Connect(ctx, db.URL("tls_cy", url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}})); err == nil {
		c.Close(ctx)
		t.Error("a member of the certificate group connected without a certificate")
	}
	if c, err := pgx.Connect(ctx, db.URL(pgtest.Superuser, url.Values{"sslmode": {"disable"}})); err == nil {
		c.Close(ctx)
		t.Error("connected without TLS")
	}
	// A member of PasswordGroup gives their password (SCRAM) over TLS.
	if _, err := admin.Exec(ctx, `CREATE ROLE tls_ann LOGIN PASSWORD 'ann''s' IN ROLE `+pgtest.PasswordGroup); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(ctx, `DROP ROLE tls_ann`)
	verify := url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}}
	if c, err := pgx.Connect(ctx, db.URL("tls_ann", verify)); err == nil {
		c.Close(ctx)
		t.Error("a member of the password group connected without a password")
	}
	verify.Set("password", "ann's")
	ann, err := pgx.Connect(ctx, db.URL("tls_ann", verify))
	if err != nil {
		t.Fatalf("with the password, over TLS: %v", err)
	}
	ann.Close(ctx)
}
