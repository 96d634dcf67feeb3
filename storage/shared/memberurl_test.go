package shared

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestMemberURL: the URL a member opens the shared library by names the member's role, and
// not the owner's, however the owner's URL names it (before the host, or as the user
// parameter, which pgx and libpq read over it), and never holds a password nor the client key's
// passphrase.
func TestMemberURL(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"postgres://cy@db.example.org/refs?sslmode=require", "postgres://ROLE@db.example.org/refs?sslmode=require"},
		{"postgres://cy:s3cret@db.example.org:5433/refs", "postgres://ROLE@db.example.org:5433/refs"},
		{"postgres://cy@db.example.org/refs?password=s3cret&sslmode=require", "postgres://ROLE@db.example.org/refs?sslmode=require"},
		{"postgres://db.example.org/refs?user=cy&sslmode=require", "postgres://ROLE@db.example.org/refs?sslmode=require"},
		{"postgres://cy@db.example.org/refs?user=cy&password=s3cret", "postgres://ROLE@db.example.org/refs"},
		{"postgresql://cy:s3cret@db.example.org/refs?sslpassword=s3cret&user=cy&application_name=x", "postgresql://ROLE@db.example.org/refs?application_name=x"},
	} {
		srv, err := ParseURL(c.url)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		got := srv.MemberURL(AnyMember)
		if got != c.want {
			t.Errorf("MemberURL of %s: %s, want %s", c.url, got, c.want)
		}
		if strings.Contains(got, "s3cret") {
			t.Errorf("MemberURL of %s shows the password: %s", c.url, got)
		}
		config, err := pgx.ParseConfig(got)
		if err != nil {
			t.Fatalf("%s does not read: %v", got, err)
		}
		if config.User != AnyMember {
			t.Errorf("%s opens as %s, not as the member's role", got, config.User)
		}
	}
}
