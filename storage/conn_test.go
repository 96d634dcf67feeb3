package storage

import (
	"context"
	"strings"
	"testing"
)

// TestPutBackDropsConnection: a setting of a connection that cannot be put back (an import's
// page cache, say) is an error, and the connection leaves the pool rather than keep the setting.
func TestPutBackDropsConnection(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	conn, err := l.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const grown = -12345
	was, restore, err := growCache(ctx, conn, -grown<<10)
	if err != nil {
		t.Fatal(err)
	}
	if err := restore(); err != nil {
		t.Fatalf("put the cache back: %v", err)
	}
	var now int
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&now); err != nil || now != was {
		t.Fatalf("cache_size after it was put back = %d, %v; want %d", now, err, was)
	}

	if _, _, err := growCache(ctx, conn, -grown<<10); err != nil {
		t.Fatal(err)
	}
	err = putBack(conn, "cache_size", `PRAGMA cache_size = (`)
	if err == nil || !strings.Contains(err.Error(), "put back cache_size") {
		t.Fatalf("putBack of a failing statement = %v, want an error that names the setting", err)
	}
	if err := putBack(conn, "temp_store", `PRAGMA temp_store = DEFAULT`); err != nil {
		t.Errorf("putBack on the dropped connection = %v, want nil: it has no settings left", err)
	}
	if err := closeConn(conn); err != nil {
		t.Errorf("close the dropped connection: %v", err)
	}
	// Every connection the pool gives now has its own cache.
	var conns []interface{ Close() error }
	for range 3 {
		c, err := l.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var n int
		if err := c.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == grown {
			t.Errorf("a connection of the pool kept cache_size %d", n)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}
