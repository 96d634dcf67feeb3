package shared

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/zalando/go-keyring"

	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// keyringSession is set in the environment of this test binary when keyringTest runs it again
// inside a D-Bus session with a keyring of its own.
const keyringSession = "BIBSHELF_TEST_KEYRING_SESSION"

// keyringTest runs the test again in a process of its own, inside a new D-Bus session with a
// new, unlocked GNOME keyring (the Secret Service that the OS keyring is on Linux desktops) in a
// temporary folder, and returns false: the caller returns. In that process it returns true: the
// test goes on, with a real keyring that is no user's.
func keyringTest(t *testing.T) bool {
	t.Helper()
	if os.Getenv(keyringSession) != "" {
		return true
	}
	session, err1 := exec.LookPath("dbus-run-session")
	daemon, err2 := exec.LookPath("gnome-keyring-daemon")
	if err := errors.Join(err1, err2); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("no keyring to test with (%v): run ./dev deps --test", err)
		}
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(session, "--", "sh", "-c",
		`printf bibshelf | "$0" --unlock --components=secrets >/dev/null && exec "$@"`, daemon,
		os.Args[0], "-test.run", "^"+t.Name()+"$", "-test.v")
	cmd.Env = append(os.Environ(), keyringSession+"=1", "HOME="+dir, "XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_RUNTIME_DIR="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s in a keyring session: %v\n%s", t.Name(), err, out)
	}
	t.Logf("%s", out)
	return false
}

// TestPasswords connects as a role the server asks a password of: refused without one (the
// user is to be asked), refused with a wrong one, which is not kept; taken with the right one,
// which the OS keyring keeps, so that the next process connects without asking; asked again
// once the password changed on the server. A password file's, or the URL's, is used first.
func TestPasswords(t *testing.T) {
	if !keyringTest(t) {
		return
	}
	ctx := context.Background()
	base := pgtest.New(t)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `CREATE ROLE ann LOGIN PASSWORD 'right one' IN ROLE `+pgtest.PasswordGroup); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("user", "ann")
	u.RawQuery = q.Encode()
	annURL := u.String()
	t.Setenv("PGPASSFILE", filepath.Join(t.TempDir(), "none"))

	srv, err := ParseURL(annURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Ping(ctx); !errors.Is(err, ErrPasswordNeeded) {
		t.Fatalf("no password: %v, want ErrPasswordNeeded", err)
	}
	srv.SetPassword("wrong one")
	if err := srv.Ping(ctx); !errors.Is(err, ErrPasswordNeeded) {
		t.Fatalf("a wrong password: %v, want ErrPasswordNeeded", err)
	}
	if _, err := keyring.Get(keyringService, srv.keyringUser()); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("a refused password was kept (%v)", err)
	}
	srv.SetPassword("right one")
	if err := srv.Ping(ctx); err != nil {
		t.Fatalf("the right password: %v", err)
	}
	if err := srv.KeyringError(); err != nil {
		t.Fatal(err)
	}
	if kept, err := keyring.Get(keyringService, srv.keyringUser()); err != nil || kept != "right one" {
		t.Errorf("the keyring keeps %q (%v)", kept, err)
	}
	// The next time, as another process would: from the keyring, nobody asked.
	again, err := ParseURL(annURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Ping(ctx); err != nil {
		t.Errorf("with the keyring's password: %v", err)
	}
	// Changed on the server: asked again.
	if _, err := admin.Exec(ctx, `ALTER ROLE ann PASSWORD 'new one'`); err != nil {
		t.Fatal(err)
	}
	if err := again.Ping(ctx); !errors.Is(err, ErrPasswordNeeded) {
		t.Errorf("the keyring's password, changed on the server: %v, want ErrPasswordNeeded", err)
	}
	// A password file's comes first (pgx reads it as libpq does).
	passfile := filepath.Join(t.TempDir(), "pgpass")
	if err := os.WriteFile(passfile, []byte("*:*:*:ann:new one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGPASSFILE", passfile)
	fromFile, err := ParseURL(annURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := fromFile.Ping(ctx); err != nil {
		t.Errorf("with the password file's password: %v", err)
	}
	// A password file that holds an old password, and a keyring too: the one typed is used.
	if _, err := admin.Exec(ctx, `ALTER ROLE ann PASSWORD 'third one'`); err != nil {
		t.Fatal(err)
	}
	stale, err := ParseURL(annURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := stale.Ping(ctx); !errors.Is(err, ErrPasswordNeeded) {
		t.Fatalf("the password file's and the keyring's, both old: %v, want ErrPasswordNeeded", err)
	}
	stale.SetPassword("third one")
	for i := range 2 { // the second time with the password the server took
		if err := stale.Ping(ctx); err != nil {
			t.Fatalf("typed over an old password file's (%d): %v", i, err)
		}
	}
	if kept, err := keyring.Get(keyringService, stale.keyringUser()); err != nil || kept != "third one" {
		t.Errorf("the keyring keeps %q (%v)", kept, err)
	}
}
