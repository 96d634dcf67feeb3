package pgtest_test

import (
	"context"
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
