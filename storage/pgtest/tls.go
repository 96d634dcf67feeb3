//go:build unix

package pgtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// CertGroup is a group role whose members the TLS cluster (NewTLS) takes by their client
// certificate alone (pg_hba's cert method: the certificate, signed by the cluster's authority,
// names the role as its common name): a test makes a role in it (CREATE ROLE cy LOGIN IN ROLE
// pgtest_cert) and gives it a certificate (TLS.ClientCert).
const CertGroup = "pgtest_cert"

// CertPasswordGroup is a group role whose members the TLS cluster asks for both their client
// certificate, which must name the role as its common name, and their password (SCRAM):
// pg_hba's scram-sha-256 with clientcert=verify-full. A test makes a role in it with a password
// (CREATE ROLE cy LOGIN PASSWORD '...' IN ROLE pgtest_cert_password) and gives it a certificate
// (TLS.ClientCert).
const CertPasswordGroup = "pgtest_cert_password"

// Host is the address the TLS cluster listens on, and that its certificate names.
const Host = "127.0.0.1"

// hbaTLS is what the TLS cluster takes over TCP, before the lines for its socket: only TLS;
// CertGroup's members by their certificate, CertPasswordGroup's by their certificate and their
// password, PasswordGroup's by their password, every other role trusted; initdb's lines that
// trust TCP without TLS come after, and are never reached.
const hbaTLS = "hostssl all +" + CertGroup + " " + Host + "/32 cert\n" +
	"hostssl all +" + CertPasswordGroup + " " + Host + "/32 scram-sha-256 clientcert=verify-full\n" +
	"hostssl all +" + PasswordGroup + " " + Host + "/32 scram-sha-256\n" +
	"hostssl all all " + Host + "/32 trust\n" +
	"hostnossl all all all reject\n"

// TLS is a new, empty database of the binary's TLS cluster, which listens on Host, at a port
// free when it started, with a certificate for Host signed by an authority made for the binary
// (its certificate at CA), and asks clients for theirs.
type TLS struct {
	Port     int
	Database string
	// CA is the file of the authority's certificate (PEM): the sslrootcert that trusts the
	// server.
	CA string
	ca *authority
}

// NewTLS returns a new, empty database of the binary's TLS cluster, which it starts the first
// time (a second cluster, beside New's: the tests that do not need TLS do not wait for it), and
// drops the database when the test ends. Its socket takes the superuser without a password, as
// New's cluster's does; over TCP it takes only TLS (hbaTLS).
func NewTLS(tb testing.TB) *TLS {
	tb.Helper()
	sec := &cluster.secure
	sec.once.Do(func() {
		sec.ca, sec.err = newAuthority("Bibshelf test authority")
		if sec.err == nil {
			sec.c, sec.err = start(sec.ca)
		}
	})
	ready(tb, sec.err)
	return &TLS{Port: sec.c.port, Database: sec.c.database(tb), CA: filepath.Join(sec.c.dir, "ca.crt"), ca: sec.ca}
}

// URL returns the database's URL over TCP as role, with the parameters params (sslmode,
// sslrootcert, sslcert, sslkey, …), a space written %20: libpq and pgx read a '+' as itself.
func (d *TLS) URL(role string, params url.Values) string {
	q := url.Values{}
	for k, v := range params {
		q[k] = v
	}
	u := url.URL{Scheme: "postgres", User: url.User(role), Host: net.JoinHostPort(Host, strconv.Itoa(d.Port)),
		Path: "/" + d.Database, RawQuery: strings.ReplaceAll(q.Encode(), "+", "%20")}
	return u.String()
}

// ClientCert writes a client certificate for role, signed by the cluster's authority, and its
// key, into a temporary folder of the test, and returns their paths. Without a passphrase the
// key is PKCS #8, unencrypted; with one, it is encrypted with it in the legacy PEM way
// (Proc-Type: 4,ENCRYPTED, AES-256), the one pgx decrypts (sslpassword).
func (d *TLS) ClientCert(tb testing.TB, role, passphrase string) (cert, key string) {
	tb.Helper()
	dir := tb.TempDir()
	cert, key = filepath.Join(dir, role+".crt"), filepath.Join(dir, role+".key")
	if err := d.ca.issue(cert, key, role, nil, passphrase); err != nil {
		tb.Fatal(err)
	}
	return cert, key
}

// OtherCA writes the certificate of an authority that signed nothing of the cluster's into a
// temporary folder of the test, and returns its path: an sslrootcert that does not trust the
// server.
func OtherCA(tb testing.TB) string {
	tb.Helper()
	other, err := newAuthority("Some other authority")
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "other-ca.crt")
	if err := os.WriteFile(path, other.certPEM, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// authority is a certificate authority made for the test binary: it signs the server's
// certificate and the clients'.
type authority struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

// newAuthority makes an authority named name.
func newAuthority(name string) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &authority{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

var serialMax = new(big.Int).Lsh(big.NewInt(1), 62)

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, serialMax)
	return n
}

// issue writes a certificate signed by a, for a server at ips (a client: none) or a client
// named name, and its key, readable by its owner only (0600, as the server and libpq demand of
// a key), encrypted with passphrase when there is one.
func (a *authority) issue(certFile, keyFile, name string, ips []net.IP, passphrase string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	usage := x509.ExtKeyUsageClientAuth
	if ips != nil {
		usage = x509.ExtKeyUsageServerAuth
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	block := &pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}
	if passphrase != "" {
		// Deprecated for its weak key derivation, it is the encryption pgx reads (libpq reads
		// it too).
		//lint:ignore SA1019 the one encryption of a key pgx decrypts
		block, err = x509.EncryptPEMBlock(rand.Reader, "PRIVATE KEY", keyDER, []byte(passphrase), x509.PEMCipherAES256) //nolint:staticcheck
		if err != nil {
			return err
		}
	}
	return errors.Join(
		os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644),
		os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600))
}

// startTLS writes the server's certificate, its key and the authority's certificate into the
// data folder, and the authority's beside it for the clients (TLS.CA), owned by the cluster's user (the server refuses a key others may read), sets
// ssl on and a TCP listener on Host, and starts the server: at a port free a moment before,
// which another program may take meanwhile, so it tries another a few times.
func (s *server) startTLS(ca *authority) error {
	data := filepath.Join(s.dir, "data")
	files := []string{filepath.Join(data, "server.crt"), filepath.Join(data, "server.key"), filepath.Join(data, "ca.crt")}
	if err := ca.issue(files[0], files[1], Host, []net.IP{net.ParseIP(Host)}, ""); err != nil {
		return err
	}
	for _, f := range []string{files[2], filepath.Join(s.dir, "ca.crt")} {
		if err := os.WriteFile(f, ca.certPEM, 0o644); err != nil {
			return err
		}
	}
	if s.as != nil {
		for _, f := range files {
			if err := os.Chown(f, int(s.as.Uid), int(s.as.Gid)); err != nil {
				return err
			}
		}
	}
	conf := fmt.Sprintf("\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nssl_ca_file = 'ca.crt'\nlisten_addresses = '%s'\n", Host)
	if err := appendFile(filepath.Join(data, "postgresql.conf"), conf); err != nil {
		return err
	}
	var errs []error
	for range 5 {
		port, err := freePort()
		if err != nil {
			return err
		}
		// The last line of a setting is the one the server reads; the socket takes the port's
		// number too.
		if err := appendFile(filepath.Join(data, "postgresql.conf"), fmt.Sprintf("port = %d\n", port)); err != nil {
			return err
		}
		out, err := s.run("pg_ctl", "start", "-w", "-t", "60", "-D", data, "-l", filepath.Join(s.dir, "log"))
		if err == nil {
			s.port = port
			return nil
		}
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		errs = append(errs, fmt.Errorf("pg_ctl start at port %d: %w\n%s\n%s", port, err, out, log))
	}
	return errors.Join(errs...)
}

// freePort returns a TCP port of Host that is free now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(Host, "0"))
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}
