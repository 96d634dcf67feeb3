package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/storage"
)

// registries serves the registries' recorded responses of bib/lookup/testdata (their sources
// are in its README) the way the real services are asked: doi.org's agency look-up by DOI
// prefix, Crossref's works by DOI, arXiv's query by id. arXiv's PDFs (which the client asks of
// the server's /arxiv, as UseServer says) are testdata/paper.pdf, except astro-ph/0601001v1's,
// which is 404. Anything else is 404.
func registries(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "bib", "lookup", "testdata")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var file string
		switch p := r.URL.Path; {
		case strings.HasPrefix(p, "/doi/ra/"):
			prefix, _, _ := strings.Cut(strings.TrimPrefix(p, "/doi/ra/"), "/")
			file = "ra-" + prefix + ".json"
		case strings.HasPrefix(p, "/crossref/works/"):
			file = "crossref-" + strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(p, "/crossref/works/")), "/", "-") + ".json"
		case p == "/arxiv/query":
			file = "arxiv-" + strings.ReplaceAll(r.URL.Query().Get("id_list"), "/", "-") + ".xml"
		case strings.HasPrefix(p, "/arxiv/pdf/") && p != "/arxiv/pdf/astro-ph/0601001v1":
			file = "paper.pdf"
			w.Header().Set("Content-Type", "application/pdf")
		}
		b, err := os.ReadFile(filepath.Join(dir, file))
		if file == "" || err != nil {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestAdd: bibshelf add looks each identifier up, adds the papers with the key pattern's keys,
// into the collection and with the tags asked for, says which it could not find and which text
// held no identifier (exit 1), and does not add a paper the library has.
func TestAdd(t *testing.T) {
	t.Setenv("BIBSHELF_LOOKUP_SERVER", registries(t))
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib); st != 0 {
		t.Fatal(errOut)
	}
	l, err := storage.Open(context.Background(), lib)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.CreateCollection(context.Background(), nil, "Inbox"); err != nil {
		t.Fatal(err)
	}
	l.Close()
	stdin := "See https://doi.org/10.7554/eLife.01567 and arXiv:1605.08386v1.\nhello there\n10.9999/missing\n"
	st, out, errOut := bibshelf(t, stdin, "add", "--library", lib, "--collection", "Inbox", "--tag", "to read", "-")
	if st != exitRejected {
		t.Errorf("exit %d, want %d", st, exitRejected)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "added ") || !strings.HasSuffix(lines[0], "\t10.7554/eLife.01567") ||
		!strings.HasPrefix(lines[1], "added ") || !strings.Contains(lines[1], "arXiv:1605.08386") {
		t.Errorf("stdout:\n%s", out)
	}
	if !strings.Contains(errOut, `"hello there": `) || !strings.Contains(errOut, "10.9999/missing: ") {
		t.Errorf("stderr:\n%s", errOut)
	}
	key := strings.Fields(lines[0])[1]

	l, err = storage.Open(context.Background(), lib)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	e, err := l.Entry(context.Background(), key)
	if err != nil || e.Type != "article" || !strings.EqualFold(e.Get("doi"), "10.7554/eLife.01567") || e.Get("journal") == "" {
		t.Errorf("the entry added for the DOI: %+v (%v)", e, err)
	}
	tags, _ := l.EntryTags(context.Background(), key)
	cols, _ := l.EntryCollections(context.Background(), key)
	if !slices.Equal(tags, []string{"to read"}) || len(cols) != 1 || cols[0].Name != "Inbox" {
		t.Errorf("%s has the tags %v and is in %v", key, tags, cols)
	}

	// Again: the library has it.
	st, out, errOut = bibshelf(t, "", "add", "--library", lib, "doi:10.7554/ELIFE.01567")
	if st != exitOK || out != "have "+key+"\t10.7554/ELIFE.01567\n" {
		t.Errorf("the same DOI again: %d %q %q", st, out, errOut)
	}
	if n, _ := l.Count(context.Background()); n != 58 {
		t.Errorf("the library has %d entries, want 58", n)
	}
}

// TestAddPDF: bibshelf add --pdf attaches arXiv's PDF, copied into the attachments folder; it
// says which papers have no open-access PDF or have one attached already, and which download
// failed (exit 1), for a paper the library had as for one added. A run that asks arXiv twice
// waits arXiv's 3 seconds between the two.
func TestAddOpenAccessPDF(t *testing.T) {
	t.Setenv("BIBSHELF_LOOKUP_SERVER", registries(t))
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.sqlite")
	if l, err := storage.Open(context.Background(), lib); err != nil {
		t.Fatal(err)
	} else {
		l.Close()
	}
	st, out, errOut := bibshelf(t, "", "add", "--library", lib, "astro-ph/0601001")
	if st != exitOK {
		t.Fatalf("add without --pdf: %d %q %q", st, out, errOut)
	}
	key := func(line string) string { return strings.Fields(line)[1] }
	old := key(out)

	st, out, errOut = bibshelf(t, "", "add", "--library", lib, "--pdf", "arXiv:1605.08386", "10.1371/journal.ppat.1008184")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if st != exitOK || len(lines) != 4 || errOut != "" {
		t.Fatalf("add --pdf: %d\n%s\n%s", st, out, errOut)
	}
	arxiv, plos := key(lines[0]), key(lines[1])
	attachments := filepath.Join(dir, "attachments")
	for i, want := range []string{
		"added " + arxiv + "\tarXiv:1605.08386",
		"added " + plos + "\t10.1371/journal.ppat.1008184",
		"pdf " + arxiv + "\t" + filepath.Join(attachments, arxiv+".pdf"),
		// PLOS's licence is CC BY, but Crossref lists no PDF of it.
		"nopdf " + plos + "\tno open-access PDF",
	} {
		if lines[i] != want {
			t.Errorf("line %d: got %q, want %q", i+1, lines[i], want)
		}
	}
	pdf, err := os.ReadFile(filepath.Join("..", "..", "bib", "lookup", "testdata", "paper.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(attachments, arxiv+".pdf")); err != nil || !bytes.Equal(got, pdf) {
		t.Errorf("the PDF attached: %d bytes, %v", len(got), err)
	}

	// Again: the PDF is there. The paper the library had is looked up for its PDF, whose
	// download fails.
	st, out, errOut = bibshelf(t, "", "add", "--library", lib, "--pdf", "arXiv:1605.08386", "astro-ph/0601001")
	want := "have " + arxiv + "\tarXiv:1605.08386\nhave " + old + "\tarXiv:astro-ph/0601001\nnopdf " + arxiv + "\ta PDF is attached already\n"
	if st != exitRejected || out != want {
		t.Errorf("add --pdf again: %d\n%s\nwant\n%s", st, out, want)
	}
	if want := "bibshelf add: " + old + ": download PDF https://arxiv.org/pdf/astro-ph/0601001v1: not found (HTTP 404)\n"; errOut != want {
		t.Errorf("stderr: %q, want %q", errOut, want)
	}

	l, err := storage.Open(context.Background(), lib)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for k, want := range map[string]int{arxiv: 1, plos: 0, old: 0} {
		if atts, err := l.Attachments(context.Background(), k); err != nil || len(atts) != want {
			t.Errorf("%s has the attachments %v (%v), want %d", k, atts, err, want)
		}
	}
	if names, _ := os.ReadDir(attachments); len(names) != 1 {
		t.Errorf("the attachments folder holds %v", names)
	}
}

// TestVersion: the version the registries are told is FyneApp.toml's.
func TestVersion(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `Version = "`+app.Version+`"`) {
		t.Errorf("FyneApp.toml does not give the version %s", app.Version)
	}
}
