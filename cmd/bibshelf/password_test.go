package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// TestPasswordNeeded opens a shared library as a member whose password the server asks for:
// without a terminal to ask in and with no password file, the verb says where a password can
// come from, and fails; with a password file, it works. (Asking in a terminal, and the OS
// keyring, are storage/shared's TestPasswords.)
func TestPasswordNeeded(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib); st != 0 {
		t.Fatal(errOut)
	}
	base := pgtest.New(t)
	if st, _, errOut := bibshelf(t, "", "share", "--library", lib, base); st != 0 {
		t.Fatal(errOut)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for _, sql := range []string{`CREATE ROLE bea LOGIN PASSWORD 'bea''s' IN ROLE ` + pgtest.PasswordGroup,
		`GRANT USAGE ON SCHEMA bibshelf TO bea`, `GRANT ALL ON ALL TABLES IN SCHEMA bibshelf TO bea`,
		`GRANT ALL ON ALL SEQUENCES IN SCHEMA bibshelf TO bea`, `GRANT ALL ON ALL FUNCTIONS IN SCHEMA bibshelf TO bea`} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("user", "bea")
	u.RawQuery = q.Encode()
	t.Setenv("PGPASSFILE", filepath.Join(t.TempDir(), "none"))
	st, out, errOut := bibshelf(t, "", "search", "--library", u.String(), "pointer", "networks")
	if st != exitRejected || out != "" || !strings.Contains(errOut, "the server asks for a password") || !strings.Contains(errOut, "~/.pgpass") {
		t.Errorf("without a password: %d %q %q", st, out, errOut)
	}
	passfile := filepath.Join(t.TempDir(), "pgpass")
	if err := os.WriteFile(passfile, []byte("*:*:*:bea:bea's\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGPASSFILE", passfile)
	st, out, errOut = bibshelf(t, "", "search", "--library", u.String(), "pointer", "networks")
	if st != exitOK || !strings.HasPrefix(out, "vinyals2015pointer\t") || errOut != "" {
		t.Errorf("with a password file: %d %q %q", st, out, errOut)
	}
}
