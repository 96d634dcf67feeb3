package shared

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/storage/pgtest"
	"github.com/jackc/pgx/v5"
)

// encryptPKCS8 encrypts the PKCS #8 key der with passphrase as OpenSSL does (PBES2: PBKDF2 with
// the pseudorandom function of OID prf, 2048 iterations, then the cipher of OID enc in CBC
// mode), and returns it as PEM: a key of the kind pgx does not decrypt, made without openssl.
func encryptPKCS8(t testing.TB, der []byte, passphrase string, prf, enc asn1.ObjectIdentifier) []byte {
	t.Helper()
	return encryptPKCS8Iter(t, der, passphrase, prf, enc, 2048)
}

// encryptPKCS8Iter is encryptPKCS8 with PBKDF2's iterations (openssl pkcs8 -iter).
func encryptPKCS8Iter(t testing.TB, der []byte, passphrase string, prf, enc asn1.ObjectIdentifier, iterations int) []byte {
	t.Helper()
	c := pbes2Ciphers[enc.String()]
	salt, iv := make([]byte, 16), make([]byte, 16)
	rand.Read(salt)
	key, err := pbkdf2.Key(pbkdf2PRFs[prf.String()], passphrase, salt, iterations, c.keySize)
	if err != nil {
		t.Fatal(err)
	}
	block, err := c.block(key)
	if err != nil {
		t.Fatal(err)
	}
	iv = iv[:block.BlockSize()]
	rand.Read(iv)
	n := block.BlockSize() - len(der)%block.BlockSize()
	data := append(bytes.Clone(der), bytes.Repeat([]byte{byte(n)}, n)...)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(data, data)
	marshal := func(v any) asn1.RawValue {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return asn1.RawValue{FullBytes: b}
	}
	kdf := pbkdf2Params{Salt: salt, Iterations: iterations, PRF: pkix.AlgorithmIdentifier{Algorithm: prf, Parameters: asn1.NullRawValue}}
	if prf.Equal(oidHMACSHA1) {
		kdf.PRF = pkix.AlgorithmIdentifier{} // the default, left out as OpenSSL leaves it
	}
	params := pbes2Params{
		KeyDerivation: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: marshal(kdf)},
		Encryption:    pkix.AlgorithmIdentifier{Algorithm: enc, Parameters: marshal(iv)},
	}
	info := marshal(encryptedPrivateKeyInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: marshal(params)}, Data: data})
	return pem.EncodeToMemory(&pem.Block{Type: pemEncryptedKey, Bytes: info.FullBytes})
}

// encryptKeyFile encrypts the unencrypted key in file (pgtest.TLS.ClientCert's without a
// passphrase) as PKCS #8 with passphrase, as openssl genpkey -aes256 does (HMAC-SHA256,
// AES-256-CBC).
func encryptKeyFile(t *testing.T, file, passphrase string) {
	t.Helper()
	plain, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(plain)
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("%s: not an unencrypted PKCS #8 key", file)
	}
	if err := os.WriteFile(file, encryptPKCS8(t, block.Bytes, passphrase, oidHMACSHA256, oidAES256CBC), 0o600); err != nil {
		t.Fatal(err)
	}
}

// newKeyDER returns a new EC key as PKCS #8 DER.
func newKeyDER(t testing.TB) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// writeFile writes b into a file of the test's folder named name, readable by its owner only,
// and returns its path.
func writeFile(t testing.TB, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
)

// TestPKCS8Decrypt: a PKCS #8 encrypted key is decrypted with its passphrase, whichever PBKDF2
// function and cipher OpenSSL wrote it with (AES-128, 192 and 256, triple DES, HMAC-SHA1 and
// SHA-2); a wrong passphrase is errWrongPassphrase; a scheme not read is refused by ParseURL
// with an error naming it and the file. testdata/pkcs8-encrypted.* were written by OpenSSL 3's
// openssl req -x509 -newkey ec (PBES2, HMAC-SHA256, DES-EDE3-CBC), passphrase "secret".
func TestPKCS8Decrypt(t *testing.T) {
	der := newKeyDER(t)
	for _, c := range []struct {
		name     string
		prf, enc asn1.ObjectIdentifier
	}{
		{"aes-128-cbc, hmacWithSHA1", oidHMACSHA1, oidAES128CBC},
		{"aes-192-cbc, hmacWithSHA256", oidHMACSHA256, oidAES192CBC},
		{"aes-256-cbc, hmacWithSHA256", oidHMACSHA256, oidAES256CBC},
		{"aes-256-cbc, hmacWithSHA512", oidHMACSHA512, oidAES256CBC},
		{"des-ede3-cbc, hmacWithSHA256", oidHMACSHA256, oidDESEDE3CBC},
	} {
		file := writeFile(t, "key.pem", encryptPKCS8(t, der, "open sesame", c.prf, c.enc))
		if !pkcs8Encrypted(file) {
			t.Errorf("%s: not seen as PKCS #8 encrypted", c.name)
		}
		k, err := readEncryptedKey(file)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got, err := k.decrypt("open sesame"); err != nil || !bytes.Equal(got, der) {
			t.Errorf("%s: decrypted %x (%v), want %x", c.name, got, err, der)
		}
		if _, err := k.decrypt("open sesam"); !errors.Is(err, errWrongPassphrase) {
			t.Errorf("%s, a wrong passphrase: %v", c.name, err)
		}
	}

	// What OpenSSL wrote.
	if _, err := loadPKCS8Certificate("testdata/pkcs8-encrypted.crt", "testdata/pkcs8-encrypted.key", "secret", nil); err != nil {
		t.Errorf("testdata/pkcs8-encrypted.key: %v", err)
	}
	if _, err := loadPKCS8Certificate("testdata/pkcs8-encrypted.crt", "testdata/pkcs8-encrypted.key", "Secret", nil); !errors.Is(err, errWrongPassphrase) {
		t.Errorf("testdata/pkcs8-encrypted.key, a wrong passphrase: %v", err)
	}
	// The key of another certificate.
	other := writeFile(t, "other.key", encryptPKCS8(t, der, "secret", oidHMACSHA256, oidAES256CBC))
	if _, err := loadPKCS8Certificate("testdata/pkcs8-encrypted.crt", other, "secret", nil); err == nil || errors.Is(err, errWrongPassphrase) {
		t.Errorf("another certificate's key: %v", err)
	}

	// The key decrypted last is taken again for the same file and passphrase only: a wrong
	// passphrase is wrong still, and a key written anew is read anew.
	var last decryptedKey
	b, err := os.ReadFile("testdata/pkcs8-encrypted.key")
	if err != nil {
		t.Fatal(err)
	}
	copied := writeFile(t, "copied.key", b)
	for i, c := range []struct {
		passphrase string
		ok         bool
	}{{"secret", true}, {"secret", true}, {"Secret", false}, {"secret", true}} {
		if _, err := loadPKCS8Certificate("testdata/pkcs8-encrypted.crt", copied, c.passphrase, &last); (err == nil) != c.ok {
			t.Errorf("load %d with the last key kept, passphrase %q: %v", i, c.passphrase, err)
		}
	}
	if err := os.WriteFile(copied, encryptPKCS8(t, der, "secret", oidHMACSHA256, oidAES256CBC), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadPKCS8Certificate("testdata/pkcs8-encrypted.crt", copied, "secret", &last); err == nil {
		t.Error("a key written anew, of another certificate: the one decrypted before was taken")
	}

	// A scheme not read: scrypt (openssl pkcs8 -topk8 -scrypt), and PBES2 with a cipher that is
	// not (AES-256-GCM's OID in place of AES-256-CBC's).
	pemKey := encryptPKCS8(t, der, "secret", oidHMACSHA256, oidAES256CBC)
	block, _ := pem.Decode(pemKey)
	for what, swap := range map[string][2]asn1.ObjectIdentifier{
		"scrypt":      {oidPBKDF2, {1, 3, 6, 1, 4, 1, 11591, 4, 11}},
		"AES-256-GCM": {oidAES256CBC, {2, 16, 840, 1, 101, 3, 4, 1, 46}},
	} {
		from, _ := asn1.Marshal(swap[0])
		to, _ := asn1.Marshal(swap[1])
		if len(from) != len(to) {
			t.Fatalf("%s: OIDs of different lengths", what)
		}
		b := bytes.Replace(block.Bytes, from, to, 1)
		file := writeFile(t, "unread.key", pem.EncodeToMemory(&pem.Block{Type: pemEncryptedKey, Bytes: b}))
		cert := writeFile(t, "unread.crt", nil)
		_, err := ParseURL("postgres://cy@db.example.org/refs?sslmode=require&sslcert=" + cert + "&sslkey=" + file + "&sslpassword=secret")
		if err == nil || !strings.Contains(err.Error(), what) || !strings.Contains(err.Error(), file) || strings.Contains(err.Error(), "secret") {
			t.Errorf("a key encrypted with %s: %v", what, err)
		}
		t.Logf("%s: %v", what, err)
	}
}

// TestPKCS8OpenSSL: keys OpenSSL encrypts as PKCS #8 with AES (openssl pkcs8 -topk8 -v2, as
// openssl genpkey -aes256 does) are decrypted. It runs where openssl is on the PATH (./dev deps
// --test does not install it; TestPKCS8Decrypt reads one it wrote).
func TestPKCS8OpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("no openssl")
	}
	der := newKeyDER(t)
	plain := writeFile(t, "plain.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	for _, args := range [][]string{
		{"-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"},
		{"-v2", "aes-192-cbc"},
		{"-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA512"},
	} {
		out := filepath.Join(t.TempDir(), "enc.key")
		cmd := exec.Command(openssl, append([]string{"pkcs8", "-topk8", "-in", plain, "-out", out, "-passout", "pass:open sesame"}, args...)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, b)
		}
		k, err := readEncryptedKey(out)
		if err != nil {
			t.Errorf("%v: %v", args, err)
			continue
		}
		if got, err := k.decrypt("open sesame"); err != nil || !bytes.Equal(got, der) {
			t.Errorf("%v: decrypted %x (%v), want %x", args, got, err, der)
		}
	}
}

// TestPKCS8EncryptedKey: a member whose client key is encrypted as PKCS #8 (which pgx does not
// decrypt) clones and syncs over TLS, the key opened with the URL's sslpassword, its files read
// again at each connection; with a wrong
// one, or none, the member is asked for it (ErrKeyPassphraseNeeded, naming the key's file), a
// wrong one typed asks again, and the right one connects.
func TestPKCS8EncryptedKey(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewTLS(t)
	owner := tlsServer(t, db, pgtest.Superuser, url.Values{"sslmode": {"verify-full"}, "sslrootcert": {db.CA}})
	role := "tls_pkcs8_" + db.Database
	params := certMember(t, db, owner, role, "")
	key := params.Get("sslkey")
	encryptKeyFile(t, key, "open sesame")
	t.Setenv("PGSSLPASSWORD", "")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus")) // no keyring

	params.Set("sslpassword", "open sesame")
	srv := tlsServer(t, db, role, params)
	syncMember(t, srv)

	// The files are read at each connection, as pgx reads a legacy key's: another role's
	// certificate written over them is the one sent (and refused), the member's again taken.
	cert := params.Get("sslcert")
	mine := [2][]byte{}
	for i, f := range []string{cert, key} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		mine[i] = b
	}
	otherCert, otherKey := db.ClientCert(t, "someone_else", "")
	encryptKeyFile(t, otherKey, "open sesame")
	for from, to := range map[string]string{otherCert: cert, otherKey: key} {
		b, err := os.ReadFile(from)
		if err == nil {
			err = os.WriteFile(to, b, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Ping(ctx); err == nil {
		t.Error("another role's certificate written over the member's: still connected")
	} else {
		t.Logf("another role's certificate: %v", err)
	}
	for i, f := range []string{cert, key} {
		if err := os.WriteFile(f, mine[i], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Ping(ctx); err != nil {
		t.Errorf("the member's certificate written back: %v", err)
	}

	for what, p := range map[string]string{"a wrong sslpassword": "wrong", "no sslpassword": ""} {
		if p == "" {
			params.Del("sslpassword")
		} else {
			params.Set("sslpassword", p)
		}
		srv := tlsServer(t, db, role, params)
		if srv.KeyFile() != key {
			t.Errorf("%s: KeyFile %q, want %q", what, srv.KeyFile(), key)
		}
		err := srv.Ping(ctx)
		if !errors.Is(err, ErrKeyPassphraseNeeded) || errors.Is(err, ErrPasswordNeeded) || !strings.Contains(err.Error(), key) {
			t.Fatalf("%s: %v, want ErrKeyPassphraseNeeded naming %s", what, err, key)
		}
		srv.SetKeyPassphrase("wrong one")
		err = srv.Ping(ctx)
		if !errors.Is(err, ErrKeyPassphraseNeeded) || !strings.Contains(err.Error(), "that passphrase did not open it") ||
			strings.Contains(err.Error(), "wrong one") {
			t.Fatalf("%s, a wrong one typed: %v", what, err)
		}
		t.Logf("%s, a wrong one typed: %v", what, err)
		srv.SetKeyPassphrase("open sesame")
		if err := srv.Ping(ctx); err != nil {
			t.Errorf("%s, the right one typed: %v", what, err)
		}
	}
}

// BenchmarkPKCS8Decrypt: what decrypting a PKCS #8 key costs, by PBKDF2's iterations: OpenSSL's
// default (2048) and openssl pkcs8 -iter 1000000; and a connection's load of a key decrypted
// before (decryptedKey: the file read and compared).
func BenchmarkPKCS8Decrypt(b *testing.B) {
	der := newKeyDER(b)
	for _, iterations := range []int{2048, 1_000_000} {
		file := writeFile(b, "key.pem", encryptPKCS8Iter(b, der, "secret", oidHMACSHA256, oidAES256CBC, iterations))
		k, err := readEncryptedKey(file)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("iterations=%d", iterations), func(b *testing.B) {
			for b.Loop() {
				if _, err := k.decrypt("secret"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("iterations=%d/kept", iterations), func(b *testing.B) {
			var last decryptedKey
			if _, err := last.decrypt(k, "secret"); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				k, err := readEncryptedKey(file)
				if err == nil {
					_, err = last.decrypt(k, "secret")
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// withIterations returns the PKCS #8 encrypted key pemKey (encryptPKCS8's) with PBKDF2's
// iteration count said to be n, the rest as it was: a key no one could have written.
func withIterations(t *testing.T, pemKey []byte, n int) []byte {
	t.Helper()
	block, _ := pem.Decode(pemKey)
	var info encryptedPrivateKeyInfo
	var params pbes2Params
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(block.Bytes, &info); err != nil {
		t.Fatal(err)
	}
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		t.Fatal(err)
	}
	if _, err := asn1.Unmarshal(params.KeyDerivation.Parameters.FullBytes, &kdf); err != nil {
		t.Fatal(err)
	}
	marshal := func(v any) asn1.RawValue {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return asn1.RawValue{FullBytes: b}
	}
	kdf.Iterations = n
	params.KeyDerivation.Parameters = marshal(kdf)
	info.Algorithm.Parameters = marshal(params)
	return pem.EncodeToMemory(&pem.Block{Type: pemEncryptedKey, Bytes: marshal(info).FullBytes})
}

// TestPKCS8Hostile: a key file no one could have written is an error naming the file, found at
// once: PBKDF2's iteration count beyond any a key is written with (which would have each
// connection compute for hours, within the TLS handshake), and any byte of the key changed or
// cut off (an error, never a panic).
func TestPKCS8Hostile(t *testing.T) {
	der := newKeyDER(t)
	pemKey := encryptPKCS8(t, der, "secret", oidHMACSHA256, oidAES256CBC)
	for _, n := range []int{pbkdf2MaxIterations + 1, 1 << 40, math.MaxInt64} {
		file := writeFile(t, "many.key", withIterations(t, pemKey, n))
		start := time.Now()
		_, err := readEncryptedKey(file)
		if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), "iterations") {
			t.Errorf("%d iterations: %v", n, err)
		}
		cert := writeFile(t, "many.crt", nil)
		_, err = ParseURL("postgres://cy@db.example.org/refs?sslmode=require&sslcert=" + cert + "&sslkey=" + file + "&sslpassword=secret")
		if err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseURL, %d iterations: %v", n, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%d iterations: refused in %v", n, d)
		}
	}
	// As many as the bound: read (not decrypted here, which would take seconds).
	if _, err := readEncryptedKey(writeFile(t, "most.key", withIterations(t, pemKey, pbkdf2MaxIterations))); err != nil {
		t.Errorf("%d iterations: %v", pbkdf2MaxIterations, err)
	}

	// Few iterations, that each decryption be quick.
	block, _ := pem.Decode(encryptPKCS8Iter(t, der, "secret", oidHMACSHA256, oidAES256CBC, 16))
	file := filepath.Join(t.TempDir(), "bad.key")
	try := func(what string, b []byte) {
		t.Helper()
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s: panic %v", what, r)
			}
		}()
		if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: pemEncryptedKey, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		k, err := readEncryptedKey(file)
		if err != nil {
			return
		}
		if got, err := k.decrypt("secret"); err == nil && !bytes.Equal(got, der) {
			// A changed byte of the data's first blocks decrypts to a key still well formed
			// only by chance; whatever it gives must be a key.
			if _, perr := x509.ParsePKCS8PrivateKey(got); perr != nil {
				t.Errorf("%s: decrypted to what is not a key: %v", what, perr)
			}
		}
	}
	for i := range block.Bytes {
		for _, v := range []byte{0x00, 0x80, 0xff, block.Bytes[i] ^ 1} {
			b := bytes.Clone(block.Bytes)
			b[i] = v
			try(fmt.Sprintf("byte %d set to %#x", i, v), b)
		}
		try(fmt.Sprintf("cut at %d", i), block.Bytes[:i])
	}
}

// TestPKCS8TLSConfig: the configuration of a URL whose client key is encrypted as PKCS #8 is,
// for each host and each fallback, the one pgx makes for the same URL with the key unencrypted
// (the server's name, the authorities, how the server is checked: verify-full, verify-ca,
// require, prefer, allow), but that it sends the certificate the PKCS #8 key opens.
func TestPKCS8TLSConfig(t *testing.T) {
	t.Setenv("PGSSLPASSWORD", "")
	k, err := readEncryptedKey("testdata/pkcs8-encrypted.key")
	if err != nil {
		t.Fatal(err)
	}
	der, err := k.decrypt("secret")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := filepath.Abs("testdata/pkcs8-encrypted.crt")
	if err != nil {
		t.Fatal(err)
	}
	encrypted, err := filepath.Abs("testdata/pkcs8-encrypted.key")
	if err != nil {
		t.Fatal(err)
	}
	plain := writeFile(t, "plain.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	want, err := loadPKCS8Certificate(cert, encrypted, "secret", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"verify-full", "verify-ca", "require", "prefer", "allow"} {
		for _, root := range []string{"", "&sslrootcert=" + cert} {
			base := "postgres://cy@db1.example.org,127.0.0.1,db2.example.org/refs?sslmode=" + mode + root + "&sslcert=" + cert
			if mode == "verify-full" && root == "" {
				root = "&sslrootcert=system"
				base += root
			}
			srv, err := ParseURL(base + "&sslkey=" + encrypted + "&sslpassword=secret")
			if err != nil {
				t.Fatalf("%s%s: %v", mode, root, err)
			}
			ref, err := ParseURL(base + "&sslkey=" + plain)
			if err != nil {
				t.Fatalf("%s%s, the key unencrypted: %v", mode, root, err)
			}
			// The key is decrypted as a connection is made (unlock), not by ParseURL, which the
			// window runs on its goroutine.
			if srv.key == nil || srv.key.decrypted.der != nil {
				t.Fatalf("%s%s: ParseURL decrypted the key", mode, root)
			}
			got, err := srv.unlock()
			if err != nil {
				t.Fatalf("%s%s: unlock: %v", mode, root, err)
			}
			exp := ref.config
			type tlsOf struct {
				host string
				cfg  *tls.Config
			}
			list := func(c *pgx.ConnConfig) []tlsOf {
				l := []tlsOf{{c.Host, c.TLSConfig}}
				for _, f := range c.Fallbacks {
					l = append(l, tlsOf{f.Host, f.TLSConfig})
				}
				return l
			}
			g, e := list(got), list(exp)
			if len(e) < 3 {
				t.Fatalf("%s%s: pgx makes %d configurations for three hosts", mode, root, len(e))
			}
			if len(g) != len(e) {
				t.Fatalf("%s%s: %d configurations, pgx makes %d", mode, root, len(g), len(e))
			}
			for i := range g {
				what := fmt.Sprintf("%s%s, host %s", mode, root, e[i].host)
				if g[i].host != e[i].host || (g[i].cfg == nil) != (e[i].cfg == nil) {
					t.Errorf("%s: host %s TLS %v, pgx's TLS %v", what, g[i].host, g[i].cfg != nil, e[i].cfg != nil)
					continue
				}
				gc, ec := g[i].cfg, e[i].cfg
				if gc == nil {
					continue
				}
				if gc.ServerName != ec.ServerName || gc.InsecureSkipVerify != ec.InsecureSkipVerify ||
					(gc.VerifyPeerCertificate == nil) != (ec.VerifyPeerCertificate == nil) ||
					(gc.RootCAs == nil) != (ec.RootCAs == nil) || (gc.RootCAs != nil && !gc.RootCAs.Equal(ec.RootCAs)) ||
					!slices.Equal(gc.NextProtos, ec.NextProtos) || gc.Certificates != nil {
					t.Errorf("%s: ServerName %q skip %v verify %v roots %v, pgx's %q %v %v %v", what,
						gc.ServerName, gc.InsecureSkipVerify, gc.VerifyPeerCertificate != nil, gc.RootCAs != nil,
						ec.ServerName, ec.InsecureSkipVerify, ec.VerifyPeerCertificate != nil, ec.RootCAs != nil)
				}
				if gc.GetClientCertificate == nil {
					t.Errorf("%s: no client certificate", what)
					continue
				}
				c, err := gc.GetClientCertificate(nil)
				if err != nil || len(c.Certificate) == 0 || !bytes.Equal(c.Certificate[0], want.Certificate[0]) {
					t.Errorf("%s: the client certificate: %v", what, err)
				}
			}
		}
	}
}
