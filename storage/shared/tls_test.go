package shared

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/zalando/go-keyring"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// small returns a library of three entries.
func small(t *testing.T) *storage.Library {
	t.Helper()
	l := newLibrary(t, "small.sqlite")
	src := `@article{knuth1984, author = {Donald Knuth}, title = {Literate Programming}, year = 1984}
@book{lamport1994, author = {Leslie Lamport}, title = {LaTeX}, year = 1994}
@misc{turing1936, author = {Alan Turing}, title = {On Computable Numbers}, year = 1936}
`
	if _, err := l.Import(context.Background(), bib.Parse("small.bib", []byte(src))); err != nil {
		t.Fatal(err)
	}
	return l
}

// copyCloneSync copies a small library to the shared library at srv, makes a replica of it,
// tags an entry there and syncs, and checks that a second replica has the tag: every way a
// member reaches the server goes over srv's connection.
func copyCloneSync(t *testing.T, owner, member *Server) {
	t.Helper()
	ctx := context.Background()
	if _, err := Copy(ctx, small(t), owner); err != nil {
		t.Fatalf("copy: %v", err)
	}
	a, err := Clone(ctx, member, filepath.Join(t.TempDir(), "a.sqlite"))
	if err != nil {
		t.Fatalf("clone: %v", err)
	}
	defer a.Close()
	if _, err := a.AddTags(ctx, []string{"knuth1984"}, "over-tls"); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, member, a)
	b, err := Clone(ctx, member, filepath.Join(t.TempDir(), "b.sqlite"))
	if err != nil {
		t.Fatalf("second clone: %v", err)
	}
	defer b.Close()
	got, err := b.Search(ctx, "tag:over-tls", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Key != "knuth1984" {
		t.Errorf("the second replica has %v tagged over-tls, want knuth1984", got)
	}
}

// tlsServer parses the URL of db's database as role with params, and fails the test on an error.
func tlsServer(t *testing.T, db *pgtest.TLS, role string, params url.Values) *Server {
	t.Helper()
	srv, err := ParseURL(db.URL(role, params))
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestTLSVerifyFull: with sslmode=verify-full and the authority's certificate as sslrootcert,
// a library is copied, cloned and synced over TLS, and the server sees TLS.
func TestTLSVerifyFull(t *testing.T) {
	db := pgtest.NewTLS(t)
	srv := tlsServer(t, db, pgtest.Superuser, url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}})
	copyCloneSync(t, srv, srv)
	ctx := context.Background()
	conn, err := srv.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var ssl bool
	if err := conn.QueryRow(ctx, `SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&ssl); err != nil || !ssl {
		t.Errorf("TLS %v (%v)", ssl, err)
	}
}

// TestTLSRequire: sslmode=require encrypts without checking the server's certificate.
func TestTLSRequire(t *testing.T) {
	db := pgtest.NewTLS(t)
	srv := tlsServer(t, db, pgtest.Superuser, url.Values{"sslmode": {"require"}})
	copyCloneSync(t, srv, srv)
}

// TestTLSWrongAuthority: with a root certificate that did not sign the server's, no connection is
// made, and the error says it is the server's certificate that is not trusted, and by which
// file: not a password to ask for.
func TestTLSWrongAuthority(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewTLS(t)
	other := pgtest.OtherCA(t)
	srv := tlsServer(t, db, pgtest.Superuser, url.Values{"sslmode": {"verify-full"}, "sslrootcert": {other}})
	err := srv.Ping(ctx)
	if err == nil {
		t.Fatal("connected with a root certificate that did not sign the server's")
	}
	t.Logf("Ping: %v", err)
	if errors.Is(err, ErrPasswordNeeded) {
		t.Errorf("%v: is ErrPasswordNeeded", err)
	}
	if !errors.Is(err, ErrUntrustedServer) {
		t.Errorf("%v: not ErrUntrustedServer", err)
	}
	for _, want := range []string{"certificate", other} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v: does not name %q", err, want)
		}
	}
	_, err = Clone(ctx, srv, filepath.Join(t.TempDir(), "replica.sqlite"))
	if !errors.Is(err, ErrUntrustedServer) {
		t.Errorf("Clone: %v, want ErrUntrustedServer", err)
	}
}

// certMember makes a role in pgtest.CertGroup that may edit the shared library of db's
// database, which owner copied, and returns its URL's parameters: verify-full, with a client
// certificate whose key is encrypted with passphrase when there is one.
func certMember(t *testing.T, db *pgtest.TLS, owner *Server, role, passphrase string) url.Values {
	t.Helper()
	if _, err := Copy(context.Background(), small(t), owner); err != nil {
		t.Fatalf("copy: %v", err)
	}
	makeRole(t, db, owner, role, pgtest.CertGroup, "")
	cert, key := db.ClientCert(t, role, passphrase)
	return url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}, "sslcert": {cert}, "sslkey": {key}}
}

// makeRole makes a role of the cluster in group, with password when there is one, that may
// edit the shared library of db's database, and drops it when the test ends.
func makeRole(t *testing.T, db *pgtest.TLS, owner *Server, role, group, password string) {
	t.Helper()
	ctx := context.Background()
	conn, err := owner.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	login := `LOGIN`
	if password != "" {
		login += ` PASSWORD '` + strings.ReplaceAll(password, "'", "''") + `'`
	}
	if _, err := conn.Exec(ctx, `CREATE ROLE `+pgx.Identifier{role}.Sanitize()+` `+login+` IN ROLE `+
		pgx.Identifier{group}.Sanitize()+`, `+pgx.Identifier{db.Database + "_edit"}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The role is the cluster's: dropped once the test's database is (cleanups run last
		// first, and pgtest's was registered before).
		ctx := context.Background()
		conn, err := owner.connect(ctx)
		if err == nil {
			_, err = conn.Exec(ctx, `DROP ROLE IF EXISTS `+pgx.Identifier{role}.Sanitize())
			conn.Close(ctx)
		}
		if err != nil {
			t.Logf("drop role: %v", err)
		}
	})
}

// syncMember clones the shared library at srv, tags an entry and syncs.
func syncMember(t *testing.T, srv *Server) {
	t.Helper()
	ctx := context.Background()
	lib, err := Clone(ctx, srv, filepath.Join(t.TempDir(), "replica.sqlite"))
	if err != nil {
		t.Fatalf("clone: %v", err)
	}
	defer lib.Close()
	if _, err := lib.AddTags(ctx, []string{"turing1936"}, "by-certificate"); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, srv, lib)
}

// TestTLSClientCertificate: a member the server takes by their client certificate (sslcert,
// sslkey) clones and syncs; without the certificate, the server refuses them.
func TestTLSClientCertificate(t *testing.T) {
	db := pgtest.NewTLS(t)
	owner := tlsServer(t, db, pgtest.Superuser, url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}})
	params := certMember(t, db, owner, "tls_cert_"+db.Database, "")
	syncMember(t, tlsServer(t, db, "tls_cert_"+db.Database, params))

	params.Del("sslcert")
	params.Del("sslkey")
	err := tlsServer(t, db, "tls_cert_"+db.Database, params).Ping(context.Background())
	if err == nil || errors.Is(err, ErrPasswordNeeded) {
		t.Errorf("without a certificate: %v, want a refusal", err)
	}
	t.Logf("without a certificate: %v", err)
}

// TestTLSCertificateAndPassword: a member the server asks for both a client certificate and
// a password (pg_hba's scram-sha-256 clientcert=verify-full) clones and syncs with both; with
// the certificate and no password they are asked for the password (ErrPasswordNeeded), and
// connect once they give it; without the certificate, with the password or without, the server
// refuses them, and the error says it wants a certificate, not a password.
func TestTLSCertificateAndPassword(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewTLS(t)
	owner := tlsServer(t, db, pgtest.Superuser, url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}})
	if _, err := Copy(ctx, small(t), owner); err != nil {
		t.Fatalf("copy: %v", err)
	}
	role := "tls_both_" + db.Database
	makeRole(t, db, owner, role, pgtest.CertPasswordGroup, "ann's secret")
	cert, key := db.ClientCert(t, role, "")
	// No password file, no keyring: the password is the URL's or the one typed.
	t.Setenv("PGPASSWORD", "")
	t.Setenv("PGPASSFILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	params := func(cert, key, password string) url.Values {
		p := url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}}
		if cert != "" {
			p.Set("sslcert", cert)
			p.Set("sslkey", key)
		}
		if password != "" {
			p.Set("password", password)
		}
		return p
	}

	syncMember(t, tlsServer(t, db, role, params(cert, key, "ann's secret")))

	noPassword := tlsServer(t, db, role, params(cert, key, ""))
	err := noPassword.Ping(ctx)
	if !errors.Is(err, ErrPasswordNeeded) {
		t.Fatalf("the certificate without the password: %v, want ErrPasswordNeeded", err)
	}
	t.Logf("the certificate without the password: %v", err)
	noPassword.SetPassword("ann's secret")
	if err := noPassword.Ping(ctx); err != nil {
		t.Errorf("the certificate, the password typed: %v", err)
	}

	for what, password := range map[string]string{"the password without the certificate": "ann's secret", "neither": ""} {
		err := tlsServer(t, db, role, params("", "", password)).Ping(ctx)
		if err == nil || errors.Is(err, ErrPasswordNeeded) || errors.Is(err, ErrUntrustedServer) ||
			!strings.Contains(err.Error(), "requires a valid client certificate") {
			t.Errorf("%s: %v, want the server's refusal for want of a certificate", what, err)
		}
		t.Logf("%s: %v", what, err)
	}
}

// TestTLSEncryptedKey: a client key encrypted with a passphrase is decrypted with the URL's
// sslpassword; a wrong one is an error that names the key's file.
func TestTLSEncryptedKey(t *testing.T) {
	db := pgtest.NewTLS(t)
	owner := tlsServer(t, db, pgtest.Superuser, url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}})
	role := "tls_key_" + db.Database
	params := certMember(t, db, owner, role, "open sesame")
	params.Set("sslpassword", "open sesame")
	srv := tlsServer(t, db, role, params)
	if strings.Contains(srv.String(), "sesame") {
		t.Errorf("the URL shown has the passphrase: %s", srv)
	}
	syncMember(t, srv)

	// A wrong one in the URL: the key is locked, as without one, and the member is asked.
	params.Set("sslpassword", "wrong")
	wrong, err := ParseURL(db.URL(role, params))
	if err != nil {
		t.Fatal(err)
	}
	err = wrong.Ping(context.Background())
	if !errors.Is(err, ErrKeyPassphraseNeeded) || errors.Is(err, ErrPasswordNeeded) {
		t.Fatalf("a wrong passphrase: %v, want ErrKeyPassphraseNeeded", err)
	}
	t.Logf("a wrong passphrase: %v", err)
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error quotes the passphrase: %v", err)
	}

	// The key and certificate libpq and pgx read when the URL names none: ~/.postgresql's.
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.Mkdir(filepath.Join(home, ".postgresql"), 0o700); err != nil {
		t.Fatal(err)
	}
	for from, to := range map[string]string{params.Get("sslcert"): "postgresql.crt", params.Get("sslkey"): "postgresql.key"} {
		b, err := os.ReadFile(from)
		if err == nil {
			err = os.WriteFile(filepath.Join(home, ".postgresql", to), b, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	byDefault, err := ParseURL(db.URL(role, url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}}))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, ".postgresql", "postgresql.key"); byDefault.KeyFile() != want {
		t.Errorf("KeyFile %q, want %q", byDefault.KeyFile(), want)
	}
	if err := byDefault.Ping(context.Background()); !errors.Is(err, ErrKeyPassphraseNeeded) {
		t.Fatalf("~/.postgresql's key: %v, want ErrKeyPassphraseNeeded", err)
	}
	byDefault.SetKeyPassphrase("open sesame")
	if err := byDefault.Ping(context.Background()); err != nil {
		t.Errorf("~/.postgresql's key, its passphrase typed: %v", err)
	}
}

// TestKeyPassphrase: a client key encrypted with a passphrase that the URL does not give, in
// the legacy PEM encryption (pgx decrypts it) or as PKCS #8 (Bibshelf does), is read for what
// the URL names (ParseURL does not fail, so a library kept without sslpassword opens); a
// connection says the member is to be asked (ErrKeyPassphraseNeeded, KeyFile names the key); a
// wrong passphrase typed is not kept; the right one connects, and the OS keyring keeps it under
// the key's file, so that the next process connects without asking.
func TestKeyPassphrase(t *testing.T) {
	if !keyringTest(t) {
		return
	}
	t.Run("legacy PEM", func(t *testing.T) { testKeyPassphrase(t, false) })
	t.Run("PKCS #8", func(t *testing.T) { testKeyPassphrase(t, true) })
}

func testKeyPassphrase(t *testing.T, pkcs8 bool) {
	ctx := context.Background()
	db := pgtest.NewTLS(t)
	owner := tlsServer(t, db, pgtest.Superuser, url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}})
	role := "tls_pass_" + db.Database
	var params url.Values
	if pkcs8 {
		params = certMember(t, db, owner, role, "")
		encryptKeyFile(t, params.Get("sslkey"), "open sesame")
	} else {
		params = certMember(t, db, owner, role, "open sesame")
	}
	memberURL := db.URL(role, params)
	t.Setenv("PGSSLPASSWORD", "")

	srv, err := ParseURL(memberURL)
	if err != nil {
		t.Fatalf("a URL without the key's passphrase: %v", err)
	}
	if srv.KeyFile() != params.Get("sslkey") {
		t.Errorf("KeyFile %q, want %q", srv.KeyFile(), params.Get("sslkey"))
	}
	path, err := ReplicaPath(srv)
	if err != nil || !strings.Contains(path, role) {
		t.Errorf("ReplicaPath %q (%v): not the member's", path, err)
	}
	err = srv.Ping(ctx)
	if !errors.Is(err, ErrKeyPassphraseNeeded) || errors.Is(err, ErrPasswordNeeded) {
		t.Fatalf("no passphrase: %v, want ErrKeyPassphraseNeeded", err)
	}
	if !strings.Contains(err.Error(), srv.KeyFile()) {
		t.Errorf("%v: does not name the key's file", err)
	}
	srv.SetKeyPassphrase("wrong one")
	if err := srv.Ping(ctx); !errors.Is(err, ErrKeyPassphraseNeeded) {
		t.Fatalf("a wrong passphrase: %v, want ErrKeyPassphraseNeeded", err)
	}
	if _, err := keyring.Get(keyKeyringService, srv.KeyFile()); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("a wrong passphrase was kept (%v)", err)
	}
	srv.SetKeyPassphrase("open sesame")
	syncMember(t, srv)
	if err := srv.KeyringError(); err != nil {
		t.Fatal(err)
	}
	if kept, err := keyring.Get(keyKeyringService, srv.KeyFile()); err != nil || kept != "open sesame" {
		t.Errorf("the keyring keeps %q (%v)", kept, err)
	}
	// The next time, as another process would: from the keyring, nobody asked.
	again, err := ParseURL(memberURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Ping(ctx); err != nil {
		t.Errorf("with the keyring's passphrase: %v", err)
	}
}

// TestPublicURLSpaces: a URL whose files' paths hold a space, written %20, is named with the
// space as %20, which pgx reads as the same file; url.Values would write '+', which libpq and
// pgx read as itself.
func TestPublicURLSpaces(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "My Keys")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ca, err := os.ReadFile(pgtest.OtherCA(t))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root ca.crt")
	if err := os.WriteFile(root, ca, 0o644); err != nil {
		t.Fatal(err)
	}
	u := "postgres://cy@db.example.org/refs?sslmode=verify-full&sslrootcert=" + strings.ReplaceAll(root, " ", "%20") + "&password=a+b"
	name, err := PublicURL(u)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(name, "+") || strings.Contains(name, "a%20b") {
		t.Errorf("PublicURL %s: a '+' for a space, or the password", name)
	}
	srv, err := ParseURL(name)
	if err != nil {
		t.Fatalf("the name %s does not read back: %v", name, err)
	}
	if srv.String() != name {
		t.Errorf("String %s, want %s", srv, name)
	}
}

// TestLiveTLS: a Live whose server's certificate is not trusted is offline, and its state says
// why (ErrUntrustedServer), and it does not try again within seconds (liveRetryUntrusted); one whose client key needs a passphrase says so
// (ErrKeyPassphraseNeeded, not offline), and connects once the member gives it.
func TestLiveTLS(t *testing.T) {
	db := pgtest.NewTLS(t)
	owner := tlsServer(t, db, pgtest.Superuser, url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}})
	role := "tls_live_" + db.Database
	params := certMember(t, db, owner, role, "open sesame")
	t.Setenv("PGSSLPASSWORD", "")
	// No keyring: the passphrase is asked for.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	params.Set("sslpassword", "open sesame")
	lib, err := Clone(context.Background(), tlsServer(t, db, role, params), filepath.Join(t.TempDir(), "replica.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()

	params.Set("sslrootcert", pgtest.OtherCA(t))
	w := startWatched(t, tlsServer(t, db, role, params), lib)
	_, n := w.waitFor(t, "the certificate not trusted", 0, 10*time.Second, func(s LiveState) bool {
		return !s.Connected && errors.Is(s.Err, ErrUntrustedServer) && errors.Is(s.Err, ErrUnreachable)
	})
	// Each attempt that fails says a state: an untrusted server is not tried again within
	// seconds, as one out of reach is (after 0.5 s, then 1 s more), but after minutes.
	time.Sleep(2 * time.Second)
	w.mu.Lock()
	after := w.states[n:]
	w.mu.Unlock()
	if len(after) > 0 {
		t.Errorf("tried again %d times within 2 s: %+v", len(after), after)
	}
	w.Stop()

	params.Set("sslrootcert", db.CA)
	params.Del("sslpassword")
	w = startWatched(t, tlsServer(t, db, role, params), lib)
	_, n = w.waitFor(t, "the passphrase asked for", 0, 10*time.Second, func(s LiveState) bool {
		return !s.Connected && errors.Is(s.Err, ErrKeyPassphraseNeeded) && !errors.Is(s.Err, ErrUnreachable)
	})
	w.SetKeyPassphrase("open sesame")
	w.waitFor(t, "connected", n, 10*time.Second, func(s LiveState) bool { return s.Connected && s.Err == nil })
}

// TestClientFiles: the client's key and certificate are, as libpq and pgx find them, the URL's
// sslkey and sslcert, else PGSSLKEY and PGSSLCERT, else postgresql.key and postgresql.crt in
// %APPDATA%\postgresql on Windows (none without APPDATA) and in ~/.postgresql elsewhere; each
// as an absolute path (the keyring's name of a key's passphrase). The system is the function's
// parameter, so that Windows's choice is tested here too.
func TestClientFiles(t *testing.T) {
	home, appData, elsewhere := t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	t.Setenv("APPDATA", appData)
	t.Setenv("PGSSLKEY", "")
	t.Setenv("PGSSLCERT", "")
	bare, err := url.Parse("postgres://cy@db.example.org/refs?sslmode=verify-full")
	if err != nil {
		t.Fatal(err)
	}
	named, err := url.Parse("postgres://cy@db.example.org/refs?sslmode=verify-full&sslkey=" +
		filepath.Join(elsewhere, "cy%20key.pem") + "&sslcert=" + filepath.Join(elsewhere, "cy.pem"))
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, u *url.URL, goos, key, cert string) {
		t.Helper()
		if got := clientKey.path(u, goos); got != key {
			t.Errorf("%s on %s: the key %q, want %q", what, goos, got, key)
		}
		if got := clientCert.path(u, goos); got != cert {
			t.Errorf("%s on %s: the certificate %q, want %q", what, goos, got, cert)
		}
	}
	windows := filepath.Join(appData, "postgresql")
	unix := filepath.Join(home, ".postgresql")
	check("none named", bare, "windows", filepath.Join(windows, "postgresql.key"), filepath.Join(windows, "postgresql.crt"))
	check("none named", bare, "linux", filepath.Join(unix, "postgresql.key"), filepath.Join(unix, "postgresql.crt"))
	check("none named", bare, "darwin", filepath.Join(unix, "postgresql.key"), filepath.Join(unix, "postgresql.crt"))
	for _, goos := range []string{"windows", "linux"} {
		check("the URL's", named, goos, filepath.Join(elsewhere, "cy key.pem"), filepath.Join(elsewhere, "cy.pem"))
	}
	if got := keyFile(bare); got != clientKey.path(bare, runtime.GOOS) {
		t.Errorf("keyFile %q, not this system's", got)
	}

	t.Setenv("PGSSLKEY", filepath.Join(elsewhere, "env.key"))
	t.Setenv("PGSSLCERT", filepath.Join(elsewhere, "env.crt"))
	for _, goos := range []string{"windows", "linux"} {
		check("the environment's", bare, goos, filepath.Join(elsewhere, "env.key"), filepath.Join(elsewhere, "env.crt"))
		check("the URL's over the environment's", named, goos, filepath.Join(elsewhere, "cy key.pem"), filepath.Join(elsewhere, "cy.pem"))
	}

	t.Setenv("PGSSLKEY", "")
	t.Setenv("PGSSLCERT", "")
	t.Setenv("APPDATA", "")
	check("none named, no APPDATA", bare, "windows", "", "")
}
