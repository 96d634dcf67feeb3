package main

import (
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
// prefix, Crossref's works by DOI, arXiv's query by id. Anything else is 404.
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
