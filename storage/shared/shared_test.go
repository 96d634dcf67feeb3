package shared

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/libtest"
	"github.com/bibshelf/bibshelf/storage/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// corpusFiles are the corpus's files TestCopyAndClone imports, read where they are: @string
// macros (one file's redefining another's), preambles, crossrefs, biblatex, files in other
// encodings than UTF-8.
var corpusFiles = []string{
	"beebe-tex-bibs/texbook1.bib",
	"beebe-tex-bibs/texgraph.bib",
	"bibtex-tidy/test/bibliographies/biblatex/biblatex-examples.bib",
	"bibtex-tidy/test/bibliographies/php-bibtex-parser/string-var-with-special-char.bib",
	"biber-tdata/t/tdata/encoding1.bib",
	"python-bibtexparser/tests/resources/gbk_test.bib",
}

// newLibrary opens a new library file in a temporary folder.
func newLibrary(t *testing.T, name string) *storage.Library {
	t.Helper()
	l, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// organised returns a library of the sample, some corpus files and the macros file, organised
// as libtest.Organise does.
func organised(t *testing.T) *storage.Library {
	t.Helper()
	ctx := context.Background()
	l := newLibrary(t, "local.sqlite")
	src, err := os.ReadFile("../../../shared/sample/sample-library.bib")
	if err != nil {
		t.Fatal(err)
	}
	files := []*bib.File{bib.Parse("sample-library.bib", src), bib.Parse("macros.bib", []byte(libtest.Macros))}
	dir := bibtest.CorpusDir(t)
	for _, name := range corpusFiles {
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, bib.Parse(name, src))
	}
	for _, f := range files {
		if _, err := l.Import(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := libtest.Organise(ctx, l); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestCopyAndClone copies an organised library to a new shared library and makes a replica of
// it in a new library: every export of the two is the same, byte for byte, and so is what
// organises their entries.
func TestCopyAndClone(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	local := organised(t)
	copied, err := Copy(ctx, local, srv)
	if err != nil {
		t.Fatal(err)
	}
	n, err := local.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if copied.Entries != int64(n)+1 { // and the one in the trash
		t.Errorf("copied %d entries, want %d", copied.Entries, n+1)
	}
	path := filepath.Join(t.TempDir(), "replica.sqlite")
	replica, err := Clone(ctx, srv, path)
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close()
	diffs, err := libtest.Diff(ctx, local, replica)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Error(d)
	}
	r, ok, err := replica.Replica(ctx)
	if err != nil || !ok {
		t.Fatalf("the clone is not a replica: %v", err)
	}
	if r.Library != copied.Library || r.Server != srv.String() || r.Member != pgtest.Superuser || r.Pulled == 0 {
		t.Errorf("replica %+v; want the library %v at %s, of %s", r, copied.Library, srv, pgtest.Superuser)
	}
	if n, err := replica.Unsent(ctx); n != 0 || err != nil {
		t.Errorf("a new replica has %d changes to send (%v)", n, err)
	}

	// The database holds a shared library now: a second copy is refused and changes nothing.
	other := newLibrary(t, "other.sqlite")
	if _, err := other.Import(ctx, bib.Parse("x.bib", []byte(`@misc{x, title = {X}}`))); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(ctx, other, srv); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("a copy into a database with a shared library: %v, want ErrNotEmpty", err)
	}
	// A replica is made in a new library only, and a failed one leaves no file it made.
	if _, err := Clone(ctx, srv, local.Path()); !errors.Is(err, storage.ErrNotEmpty) {
		t.Errorf("a clone into a library with entries: %v, want storage.ErrNotEmpty", err)
	}
	empty, err := ParseURL(pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(t.TempDir(), "gone.sqlite")
	if _, err := Clone(ctx, empty, gone); !errors.Is(err, ErrNoLibrary) {
		t.Errorf("a clone of an empty database: %v, want ErrNoLibrary", err)
	}
	if _, err := os.Stat(gone); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed clone left %s (%v)", gone, err)
	}
}

// TestNewerSchema: a shared library whose schema is newer than this release's is refused, as a
// newer library is, and left as it is.
func TestNewerSchema(t *testing.T) {
	ctx := context.Background()
	url := pgtest.New(t)
	srv, err := ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(ctx, newLibrary(t, "a.sqlite"), srv); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO bibshelf.schema_migrations (version, name) VALUES ($1, 'from the future')`, knownVersion()+1); err != nil {
		t.Fatal(err)
	}
	if _, err := Clone(ctx, srv, filepath.Join(t.TempDir(), "b.sqlite")); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("Clone of a newer schema: %v, want ErrNewerSchema", err)
	}
	if _, err := Copy(ctx, newLibrary(t, "c.sqlite"), srv); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("Copy to a newer schema: %v, want ErrNewerSchema", err)
	}
}

// TestURL: a password in the URL is never shown, and ~/.pgpass is read for one it lacks.
func TestURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://ann:secret@db.example.org:5433/refs?sslmode=verify-full", "postgres://ann@db.example.org:5433/refs?sslmode=verify-full"},
		{"postgresql://db.example.org/refs?user=ann&password=secret", "postgresql://db.example.org/refs?user=ann"},
		{"postgres:///refs?host=/run/postgresql", "postgres:///refs?host=/run/postgresql"},
		{"postgres://ann@db.example.org/refs?sslmode=verify-full&sslpassword=keysecret", "postgres://ann@db.example.org/refs?sslmode=verify-full"},
	} {
		srv, err := ParseURL(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if got := srv.String(); got != tc.want {
			t.Errorf("%s is shown as %s, want %s", tc.in, got, tc.want)
		}
	}
	if IsURL("library.sqlite") || IsURL("/home/ann/postgres://x") || !IsURL("postgresql://h/db") {
		t.Error("IsURL tells files from URLs wrongly")
	}
	for _, bad := range []string{"postgres://ann:secret@db.example.org:notaport/refs", "mysql://ann@h/db"} {
		if _, err := ParseURL(bad); err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseURL(%q) = %v: want an error without the password", bad, err)
		}
	}
	pgpass := filepath.Join(t.TempDir(), "pgpass")
	if err := os.WriteFile(pgpass, []byte("db.example.org:5432:refs:ann:fromfile\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGPASSFILE", pgpass)
	srv, err := ParseURL("postgres://ann@db.example.org/refs")
	if err != nil {
		t.Fatal(err)
	}
	if srv.config.Password != "fromfile" {
		t.Errorf("the password of PGPASSFILE was not read")
	}
	if strings.Contains(srv.String(), "fromfile") {
		t.Errorf("the URL shown holds the password: %s", srv)
	}
}

// TestCopyOnLockedThread copies a library from a goroutine locked to its OS thread, as the command
// line's main goroutine is (the window's driver locks it in an init): the rows must not go to
// the COPY through a coroutine made there and resumed on pgx's goroutine, which the runtime
// stops the process for.
func TestCopyOnLockedThread(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	local := organised(t)
	done := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		_, err := Copy(ctx, local, srv)
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
