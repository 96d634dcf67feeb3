package shared

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"os"
	"sync"
)

// A client key encrypted as PKCS #8 (-----BEGIN ENCRYPTED PRIVATE KEY-----: what openssl
// genpkey -aes256, openssl pkcs8 -topk8 and OpenSSL 3's openssl req -newkey write), which pgx
// does not decrypt (it decrypts the legacy PEM encryption only), is decrypted here, and its
// certificate given to pgx as the TLS configuration's (withCertificate). What OpenSSL writes is
// PBES2 (RFC 8018): PBKDF2 with HMAC-SHA1 or SHA-2, then AES-128, 192 or 256 in CBC mode, or
// triple DES in CBC mode (openssl req's cipher); those are read. Another scheme (scrypt, the
// PKCS #5 v1 and PKCS #12 schemes of older OpenSSL) is an error that names it and the file.

// pemEncryptedKey is the PEM type of a PKCS #8 encrypted key.
const pemEncryptedKey = "ENCRYPTED PRIVATE KEY"

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

// pbkdf2PRFs are the pseudorandom functions of PBKDF2 read, by their OID's string: HMAC with
// SHA-1 (PBKDF2's default, when none is said) or SHA-2.
var pbkdf2PRFs = map[string]func() hash.Hash{
	oidHMACSHA1.String():  sha1.New,
	"1.2.840.113549.2.8":  sha256.New224,
	"1.2.840.113549.2.9":  sha256.New,
	"1.2.840.113549.2.10": sha512.New384,
	"1.2.840.113549.2.11": sha512.New,
	"1.2.840.113549.2.12": sha512.New512_224,
	"1.2.840.113549.2.13": sha512.New512_256,
}

// pbes2Cipher is a block cipher in CBC mode that PBES2 encrypts with.
type pbes2Cipher struct {
	keySize int
	block   func(key []byte) (cipher.Block, error)
}

// pbes2Ciphers are the ciphers read, by their OID's string.
var pbes2Ciphers = map[string]pbes2Cipher{
	oidAES128CBC.String():  {16, aes.NewCipher},
	oidAES192CBC.String():  {24, aes.NewCipher},
	oidAES256CBC.String():  {32, aes.NewCipher},
	oidDESEDE3CBC.String(): {24, des.NewTripleDESCipher},
}

// algorithmNames names the algorithms of keys met in the wild that are not read, for the error.
var algorithmNames = map[string]string{
	"1.3.6.1.4.1.11591.4.11":  "scrypt",
	"1.2.840.113549.1.5.3":    "PBES1 pbeWithMD5AndDES-CBC",
	"1.2.840.113549.1.5.6":    "PBES1 pbeWithMD5AndRC2-CBC",
	"1.2.840.113549.1.5.10":   "PBES1 pbeWithSHA1AndDES-CBC",
	"1.2.840.113549.1.5.11":   "PBES1 pbeWithSHA1AndRC2-CBC",
	"1.2.840.113549.1.12.1.1": "PKCS #12 pbeWithSHAAnd128BitRC4",
	"1.2.840.113549.1.12.1.2": "PKCS #12 pbeWithSHAAnd40BitRC4",
	"1.2.840.113549.1.12.1.3": "PKCS #12 pbeWithSHAAnd3-KeyTripleDES-CBC",
	"1.2.840.113549.1.12.1.4": "PKCS #12 pbeWithSHAAnd2-KeyTripleDES-CBC",
	"1.2.840.113549.1.12.1.5": "PKCS #12 pbeWithSHAAnd128BitRC2-CBC",
	"1.2.840.113549.1.12.1.6": "PKCS #12 pbeWithSHAAnd40BitRC2-CBC",
	"1.3.14.3.2.7":            "DES-CBC",
	"1.2.840.113549.3.2":      "RC2-CBC",
	"2.16.840.1.101.3.4.1.6":  "AES-128-GCM",
	"2.16.840.1.101.3.4.1.26": "AES-192-GCM",
	"2.16.840.1.101.3.4.1.46": "AES-256-GCM",
	"1.2.410.200004.1.4":      "SEED-CBC",
}

// algorithmName names the algorithm oid in an error: by its name when it is known, else by
// its OID.
func algorithmName(oid asn1.ObjectIdentifier) string {
	if name, ok := algorithmNames[oid.String()]; ok {
		return name + " (" + oid.String() + ")"
	}
	return "the algorithm of OID " + oid.String()
}

// encryptedPrivateKeyInfo is PKCS #8's EncryptedPrivateKeyInfo (RFC 5208).
type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

// pbes2Params are PBES2's parameters (RFC 8018, A.4).
type pbes2Params struct {
	KeyDerivation pkix.AlgorithmIdentifier
	Encryption    pkix.AlgorithmIdentifier
}

// pbkdf2Params are PBKDF2's parameters (RFC 8018, A.2): a salt given in the structure (the
// otherSource of the CHOICE is not met in practice, and fails to parse), the iteration count,
// the key's length when it is said, the pseudorandom function unless it is the default
// HMAC-SHA1.
type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// pbkdf2MaxIterations bounds PBKDF2's iteration count that a key is decrypted with: a key file
// saying more is refused, not computed for hours (within a TLS handshake, at each connection).
// OpenSSL writes 2048 by default; the most advised for PBKDF2 (OWASP: 1,300,000 with HMAC-SHA1,
// 600,000 with SHA-256) takes under a second, and ten million up to about 8 s (PERFORMANCE.md).
const pbkdf2MaxIterations = 10_000_000

// errWrongPassphrase is the error of a passphrase that does not decrypt the key: the same text
// as pgx's for a key in the legacy encryption.
var errWrongPassphrase = errors.New("unable to decrypt key: x509: decryption password incorrect")

// encryptedKey is a client key file encrypted as PKCS #8 with PBES2, read and its scheme
// checked, not decrypted yet.
type encryptedKey struct {
	file string
	// block is the PEM block's bytes: the key as it is in the file.
	block      []byte
	data, salt []byte
	iterations int
	prf        func() hash.Hash
	cipher     pbes2Cipher
	iv         []byte
}

// readEncryptedKey reads the PKCS #8 encrypted key in file (its first ENCRYPTED PRIVATE KEY
// block), and checks that it is encrypted in a way decrypt reads: an error names the file and
// the algorithm that is not.
func readEncryptedKey(file string) (*encryptedKey, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("unable to read sslkey: %w", err)
	}
	var block *pem.Block
	for rest := b; ; {
		block, rest = pem.Decode(rest)
		if block == nil || block.Type == pemEncryptedKey {
			break
		}
	}
	if block == nil {
		return nil, fmt.Errorf("the client key %s holds no %s block", file, pemEncryptedKey)
	}
	bad := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("the client key %s is not a PKCS #8 encrypted key: %s: %w", file, what, err)
		}
		return fmt.Errorf("the client key %s is not a PKCS #8 encrypted key: %s", file, what)
	}
	unread := func(what string) error {
		return fmt.Errorf("the client key %s is encrypted with %s, which Bibshelf does not decrypt "+
			"(it reads PBES2 with PBKDF2 and AES-CBC or triple DES, what OpenSSL writes): write it anew with "+
			"openssl pkey -in %s -aes256 -out NEW.key, and name NEW.key as sslkey", file, what, file)
	}
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(block.Bytes, &info); err != nil || len(rest) > 0 {
		return nil, bad("its structure", err)
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, unread(algorithmName(info.Algorithm.Algorithm))
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, bad("its PBES2 parameters", err)
	}
	if !params.KeyDerivation.Algorithm.Equal(oidPBKDF2) {
		return nil, unread("PBES2 with the key derivation " + algorithmName(params.KeyDerivation.Algorithm))
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(params.KeyDerivation.Parameters.FullBytes, &kdf); err != nil {
		return nil, bad("its PBKDF2 parameters", err)
	}
	k := &encryptedKey{file: file, block: block.Bytes, data: info.Data, salt: kdf.Salt, iterations: kdf.Iterations}
	prf := kdf.PRF.Algorithm.String()
	if len(kdf.PRF.Algorithm) == 0 {
		prf = oidHMACSHA1.String()
	}
	if k.prf = pbkdf2PRFs[prf]; k.prf == nil {
		return nil, unread("PBKDF2 with the pseudorandom function " + algorithmName(kdf.PRF.Algorithm))
	}
	var ok bool
	if k.cipher, ok = pbes2Ciphers[params.Encryption.Algorithm.String()]; !ok {
		return nil, unread("PBES2 with the cipher " + algorithmName(params.Encryption.Algorithm))
	}
	if _, err := asn1.Unmarshal(params.Encryption.Parameters.FullBytes, &k.iv); err != nil {
		return nil, bad("its cipher's IV", err)
	}
	switch {
	case kdf.KeyLength != 0 && kdf.KeyLength != k.cipher.keySize:
		return nil, bad(fmt.Sprintf("a key of %d bytes for a cipher of %d", kdf.KeyLength, k.cipher.keySize), nil)
	case k.iterations < 1:
		return nil, bad("no PBKDF2 iterations", nil)
	case k.iterations > pbkdf2MaxIterations:
		return nil, fmt.Errorf("the client key %s says PBKDF2 is to run %d iterations, more than the %d "+
			"Bibshelf runs (OpenSSL writes 2048): write it anew with openssl pkey -in %s -aes256 -out NEW.key, "+
			"and name NEW.key as sslkey", file, k.iterations, pbkdf2MaxIterations, file)
	case len(k.data) == 0:
		return nil, bad("nothing encrypted", nil)
	}
	return k, nil
}

// decrypt decrypts the key with passphrase and returns it as PKCS #8 DER; errWrongPassphrase
// when the passphrase is not the one (the padding or the structure decrypted is wrong).
func (k *encryptedKey) decrypt(passphrase string) ([]byte, error) {
	key, err := pbkdf2.Key(k.prf, passphrase, k.salt, k.iterations, k.cipher.keySize)
	if err != nil {
		return nil, fmt.Errorf("the client key %s: PBKDF2: %w", k.file, err)
	}
	block, err := k.cipher.block(key)
	if err != nil {
		return nil, err
	}
	size := block.BlockSize()
	if len(k.iv) != size || len(k.data)%size != 0 {
		return nil, fmt.Errorf("the client key %s is not a PKCS #8 encrypted key: its IV or its length is not of its cipher's blocks", k.file)
	}
	plain := make([]byte, len(k.data))
	cipher.NewCBCDecrypter(block, k.iv).CryptBlocks(plain, k.data)
	// PKCS #7 padding: n bytes of n, 1 to a block's size. A wrong key leaves such an end
	// once in a few hundred; the structure below fails then.
	n := int(plain[len(plain)-1])
	if n == 0 || n > size || !bytes.Equal(plain[len(plain)-n:], bytes.Repeat([]byte{byte(n)}, n)) {
		return nil, errWrongPassphrase
	}
	der := plain[:len(plain)-n]
	if _, err := x509.ParsePKCS8PrivateKey(der); err != nil {
		return nil, errWrongPassphrase
	}
	return der, nil
}

// decryptedKey keeps the PKCS #8 key decrypted last, with the encrypted block and the
// passphrase it came from: each connection reads the key's file again (a key written anew is
// read anew, as pgx reads a legacy one), but does not run PBKDF2 again for the same block and
// passphrase (OpenSSL's 2048 iterations take a millisecond, a key written with openssl -iter
// 1000000 about half a second, at each push's and each pull's connection).
type decryptedKey struct {
	mu         sync.Mutex
	block      []byte
	passphrase string
	der        []byte
}

// loadPKCS8Certificate reads the client certificate in certFile and the PKCS #8 encrypted key
// in keyFile, decrypted with passphrase (or taken from last, when it decrypted the same block
// with it last; last may be nil), as pgx reads a certificate and its key (the certificate's
// file may hold the chain after it; the key must be the certificate's).
func loadPKCS8Certificate(certFile, keyFile, passphrase string, last *decryptedKey) (tls.Certificate, error) {
	k, err := readEncryptedKey(keyFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	der, err := last.decrypt(k, passphrase)
	if err != nil {
		return tls.Certificate{}, err
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("unable to read cert: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("unable to load cert %s with the key %s: %w", certFile, keyFile, err)
	}
	return cert, nil
}

// decrypt returns k decrypted with passphrase: the key d keeps when it is of the same block and
// passphrase, else k.decrypt's, which d keeps then. A nil d keeps nothing.
func (d *decryptedKey) decrypt(k *encryptedKey, passphrase string) ([]byte, error) {
	if d == nil {
		return k.decrypt(passphrase)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.der != nil && d.passphrase == passphrase && bytes.Equal(d.block, k.block) {
		return d.der, nil
	}
	der, err := k.decrypt(passphrase)
	if err != nil {
		return nil, err
	}
	d.block, d.passphrase, d.der = k.block, passphrase, der
	return der, nil
}
