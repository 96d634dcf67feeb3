package shared

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestURLSemicolonPassword: a password or key passphrase with a ';' in the URL's parameters,
// which pgx reads as part of the value, is not shown by String nor kept by PublicURL: Go's
// url.Values drops such a pair, and redact then left the query, secret and all, as it was.
func TestURLSemicolonPassword(t *testing.T) {
	for _, param := range []string{"password", "sslpassword"} {
		u := "postgres://cy@db.example.org/refs?sslmode=disable&" + param + "=se;cret"
		srv, err := ParseURL(u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if strings.Contains(srv.String(), "cret") {
			t.Errorf("String shows the %s: %s", param, srv)
		}
		name, err := PublicURL(u)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(name, "cret") {
			t.Errorf("PublicURL keeps the %s: %s", param, name)
		}
	}
}

// TestURLPlusInPath: a '+' in a file's path in the URL's parameters is read by pgx (as by libpq)
// as itself, not as a space: PublicURL keeps the file it names, and KeyFile, the keyring's name
// of the key's passphrase, is the file pgx opens.
func TestURLPlusInPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c++")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cert, key := filepath.Join(dir, "cy.crt"), filepath.Join(dir, "cy.key")
	writeEncryptedKey(t, cert, key, "open sesame")
	u := "postgres://cy@db.example.org/refs?sslmode=require&sslcert=" + cert + "&sslkey=" + key
	name, err := PublicURL(u)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(name, "c%2B%2B") && !strings.Contains(name, "c++") {
		t.Errorf("PublicURL %s: the folder c++ is named as another", name)
	}
	t.Setenv("PGSSLPASSWORD", "")
	srv, err := ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	if srv.KeyFile() != key {
		t.Errorf("KeyFile %q, want %q, the file pgx opens", srv.KeyFile(), key)
	}
}

// writeEncryptedKey writes a self-signed certificate and its key, encrypted with passphrase in
// the legacy PEM way pgx decrypts.
func writeEncryptedKey(t *testing.T, certFile, keyFile, passphrase string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cy"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	block, err := x509.EncryptPEMBlock(rand.Reader, "PRIVATE KEY", keyDER, []byte(passphrase), x509.PEMCipherAES256) //nolint:staticcheck
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
}
