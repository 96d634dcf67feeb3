package app

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/go-cmp/cmp"

	"github.com/bibshelf/bibshelf/storage/shared"
)

// TestLibraryName: one library is one name, however it is written; a shared library's name
// holds no password.
func TestLibraryName(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, tc := range []struct{ in, want string }{
		{filepath.Join(dir, "a.sqlite"), filepath.Join(dir, "a.sqlite")},
		{filepath.Join(dir, "x", "..", "a.sqlite"), filepath.Join(dir, "a.sqlite")},
		{dir + "//a.sqlite", filepath.Join(dir, "a.sqlite")},
		{"a.sqlite", filepath.Join(dir, "a.sqlite")},
		{"postgres://ann@db.example.org/refs", "postgres://ann@db.example.org/refs"},
		{"postgres://ann:secret@db.example.org/refs", "postgres://ann@db.example.org/refs"},
		{"postgres://db.example.org/refs?user=ann&password=secret", "postgres://db.example.org/refs?user=ann"},
		{"postgres://ann@db.example.org/refs?sslmode=require&connect_timeout=5", "postgres://ann@db.example.org/refs?connect_timeout=5&sslmode=require"},
	} {
		got, err := LibraryName(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("LibraryName(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "  ", "postgres://ann:secret@db.example.org:notaport/refs",
		"host=db user=ann password=secret dbname=refs", " dbname = refs password=secret"} {
		if got, err := LibraryName(bad); err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("LibraryName(%q) = %q, %v; want an error without the password", bad, got, err)
		}
	}
}

// TestLibraryNameKeyPassphrase: a shared library reached with a client certificate whose key
// has a passphrase (sslpassword) is named in the list without the passphrase, and that name
// reads back, though the key does not open without it (pgx reads the key as it parses a URL:
// the list's names are read as text). Likewise a URL whose root certificate is missing for a
// while stays in the list. Either is remembered, and kept as the list changes.
func TestLibraryNameKeyPassphrase(t *testing.T) {
	dir := t.TempDir()
	cert, key := clientCert(t, dir, "key-secret")
	url := "postgres://cy@db.example.org/refs?sslmode=require&sslcert=" + cert + "&sslkey=" + key + "&sslpassword=key-secret"
	name, err := LibraryName(url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LibraryName(name); err != nil {
		t.Errorf("the list's name of the library, %s, does not read back: %v", name, err)
	}
	a := test.NewTempApp(t)
	if _, err := (libraryList{a.Preferences()}).add(url); err != nil {
		t.Fatal(err)
	}
	if got := RememberedLibraries(a.Preferences()); len(got) != 1 || strings.Contains(got[0], "key-secret") {
		t.Errorf("the libraries remembered after showing %s: %q", name, got)
	}
	missing := "postgres://cy@db.example.org/other?sslmode=verify-full&sslrootcert=" + filepath.Join(dir, "gone.crt")
	if _, err := (libraryList{a.Preferences()}).add(missing); err != nil {
		t.Fatal(err)
	}
	if _, err := (libraryList{a.Preferences()}).add(filepath.Join(dir, "a.sqlite")); err != nil {
		t.Fatal(err)
	}
	if got := RememberedLibraries(a.Preferences()); len(got) != 3 {
		t.Errorf("after a URL whose root certificate is missing, then a file, the list holds %q", got)
	}
}

// clientCert writes a self-signed certificate and its key, encrypted with passphrase, to dir.
func clientCert(t *testing.T, dir, passphrase string) (certPath, keyPath string) {
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
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 libpq's and pgx's encrypted keys are this legacy PEM encryption
	block, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", kder, []byte(passphrase), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, "cy.crt"), filepath.Join(dir, "cy.key")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath
}

// TestLibraryList: the latest first, each library once, at most maxLibraries, and no password
// in the preferences as they are written to their file.
func TestLibraryList(t *testing.T) {
	a := test.NewTempApp(t)
	dir := t.TempDir()
	l := libraryList{a.Preferences()}
	file := func(i int) string { return filepath.Join(dir, fmt.Sprintf("lib%d.sqlite", i)) }
	for _, s := range []string{file(1), "postgres://ann:secret@db.example.org/refs", file(2),
		filepath.Join(dir, ".", "lib1.sqlite"), "postgres://ann@db.example.org/refs?password=secret2&sslpassword=secret3"} {
		if _, err := l.add(s); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"postgres://ann@db.example.org/refs", file(1), file(2)}
	if diff := cmp.Diff(want, l.names()); diff != "" {
		t.Errorf("the list (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, RememberedLibraries(a.Preferences())); diff != "" {
		t.Errorf("RememberedLibraries (-want +got):\n%s", diff)
	}
	if saved := preferencesFile(t, a.Preferences()); strings.Contains(saved, "secret") {
		t.Errorf("a password reached the preferences:\n%s", saved)
	}

	// The oldest goes beyond maxLibraries.
	for i := 3; i < 3+maxLibraries; i++ {
		if _, err := l.add(file(i)); err != nil {
			t.Fatal(err)
		}
	}
	got := l.names()
	if len(got) != maxLibraries || got[0] != file(2+maxLibraries) || got[maxLibraries-1] != file(3) {
		t.Errorf("after %d more the list is %v", maxLibraries, got)
	}

	l.remove(file(5))
	l.remove(file(99)) // not there: nothing changes
	got = l.names()
	if len(got) != maxLibraries-1 || strings.Contains(strings.Join(got, "\n"), file(5)) {
		t.Errorf("after removing %s the list is %v", file(5), got)
	}

	// What the file holds is read as the list names it: a path in two spellings once, a
	// password left out, a URL that does not read left out.
	a.Preferences().SetStringList(prefLibraries, []string{file(1), dir + "/./lib1.sqlite",
		"postgres://bob:pw@h/db", "postgres://x:y@h:notaport/db"})
	if diff := cmp.Diff([]string{file(1), "postgres://bob@h/db"}, l.names()); diff != "" {
		t.Errorf("the list read from the file (-want +got):\n%s", diff)
	}
}

// preferencesFile is what Fyne writes to the preferences file for p: the JSON of its values.
func preferencesFile(t *testing.T, p fyne.Preferences) string {
	t.Helper()
	r, ok := p.(interface{ ReadValues(func(map[string]any)) })
	if !ok {
		t.Fatalf("the test app's preferences (%T) do not give their values", p)
	}
	var b []byte
	var err error
	r.ReadValues(func(v map[string]any) { b, err = json.Marshal(v) })
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStartLibrary: a start without --library shows the library shown last when it is still
// there, a shared one when this computer has its replica; else the default.
func TestStartLibrary(t *testing.T) {
	a := test.NewTempApp(t)
	dir := t.TempDir()
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data")) // where replicas are made
	p := a.Preferences()
	l := libraryList{p}
	if got, ok := StartLibrary(p); ok {
		t.Errorf("with no library shown yet StartLibrary = %q", got)
	}
	there := filepath.Join(dir, "there.sqlite")
	if err := os.WriteFile(there, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l.add(there)
	if got, ok := StartLibrary(p); !ok || got != there {
		t.Errorf("StartLibrary = %q, %v; want %s", got, ok, there)
	}
	l.add(filepath.Join(dir, "gone.sqlite"))
	if got, ok := StartLibrary(p); ok {
		t.Errorf("with the last library gone StartLibrary = %q, want the default", got)
	}

	url := "postgres://ann@db.example.org/refs"
	l.add(url)
	if got, ok := StartLibrary(p); ok {
		t.Errorf("with no replica of the shared library StartLibrary = %q, want the default", got)
	}
	srv, err := shared.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	replica, err := shared.ReplicaPath(srv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(replica), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(replica, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, ok := StartLibrary(p); !ok || got != url {
		t.Errorf("with the replica there StartLibrary = %q, %v; want %s", got, ok, url)
	}
	// A URL that does not open now is given to the window, which says why and shows the
	// default library (Options.Fallback).
	noCert := "postgres://ann@db.example.org/refs?sslmode=verify-full&sslrootcert=" + filepath.Join(dir, "gone.crt")
	l.add(noCert)
	if got, ok := StartLibrary(p); !ok || !strings.Contains(got, "gone.crt") {
		t.Errorf("with a URL whose root certificate is missing StartLibrary = %q, %v; want it", got, ok)
	}
}

// TestLibrariesDialog: Library › Libraries… marks the library shown, switches to another one
// clicked, offers to take a library file that is gone out of the list, and its bin takes one
// out.
func TestLibrariesDialog(t *testing.T) {
	u, lib := newTestUI(t)
	// The window's first reads are done before the test clicks, which it does under uiLock, as
	// the driver's events come one at a time.
	eventually(t, "the window settled", u.settled)
	dir := t.TempDir()
	other := filepath.Join(dir, "other.sqlite")
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(dir, "gone.sqlite")
	list := libraryList{u.app.Preferences()}
	for _, l := range []string{gone, other, lib.Path()} {
		if _, err := list.add(l); err != nil {
			t.Fatal(err)
		}
	}
	u.shown = lib.Path()
	switched := make(chan string, 1)
	u.connect = func(library string, srv *shared.Server) { switched <- library }
	c := u.Window().Canvas()

	fyneDoAndWait(u.onLibraries)
	for _, name := range []string{lib.Path(), other, gone} {
		if _, ok := u.inDialog["library:"+name]; !ok {
			t.Fatalf("the dialog has no row for %s: %v", name, u.inDialog)
		}
	}
	if b := u.inDialog["library-remove:"+lib.Path()].(*widget.Button); !b.Disabled() {
		t.Error("the bin of the library shown is enabled")
	}
	if b := u.inDialog["library:"+lib.Path()].(*widget.Button); !strings.Contains(b.Text, "(shown now)") {
		t.Errorf("the library shown reads %q", b.Text)
	}
	fyneDoAndWait(func() { leftClick(t, c, u.inDialog["library:"+other]) })
	select {
	case got := <-switched:
		if got != other {
			t.Errorf("the click switched to %s, want %s", got, other)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the click on a library switched to nothing")
	}

	fyneDoAndWait(u.onLibraries)
	fyneDoAndWait(func() { leftClick(t, c, u.inDialog["library:"+gone]) })
	eventually(t, "the library gone said", func() bool { _, ok := u.inDialog["button:Remove from List"]; return ok })
	fyneDoAndWait(func() { leftClick(t, c, u.inDialog["button:Remove from List"]) })
	if diff := cmp.Diff([]string{lib.Path(), other}, list.names()); diff != "" {
		t.Errorf("after Remove from List (-want +got):\n%s", diff)
	}
	select {
	case got := <-switched:
		t.Errorf("a library gone was opened: %s", got)
	default:
	}

	fyneDoAndWait(u.onLibraries)
	fyneDoAndWait(func() { leftClick(t, c, u.inDialog["library-remove:"+other]) })
	if diff := cmp.Diff([]string{lib.Path()}, list.names()); diff != "" {
		t.Errorf("after the bin (-want +got):\n%s", diff)
	}
}
