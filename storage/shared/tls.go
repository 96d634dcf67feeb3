package shared

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// ErrUntrustedServer is returned when the server's certificate is not one the URL trusts: not
// signed by the authority of its sslrootcert (or, with sslrootcert=system, of the system's), or
// not for the URL's host (sslmode=verify-full). Nothing is sent to such a server; the member is
// to fix the URL or the file, not to be asked for a password.
var ErrUntrustedServer = errors.New("the server's certificate is not trusted")

// untrusted makes err, a connection's failure, ErrUntrustedServer when the server's certificate
// failed the check, naming the URL's sslmode and sslrootcert, which the member checks first.
func (s *Server) untrusted(err error) error {
	var verify *tls.CertificateVerificationError
	var authority x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	if !errors.As(err, &verify) && !errors.As(err, &authority) && !errors.As(err, &host) && !errors.As(err, &invalid) {
		return err
	}
	q := queryOf(s.url)
	mode, root := lastParam(q, "sslmode"), lastParam(q, "sslrootcert")
	if mode == "" {
		mode = "prefer"
	}
	if root == "" {
		root = "none: ~/.postgresql/root.crt when there is one, else the system's authorities"
	}
	return fmt.Errorf("%w (sslmode=%s, sslrootcert=%s): %w", ErrUntrustedServer, mode, root, err)
}
