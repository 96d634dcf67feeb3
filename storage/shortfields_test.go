package storage

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
)

// TestShortFields imports entries in the short form of the fields column and checks what is
// stored, what reads back, and that has: finds fields in both forms.
func TestShortFields(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	src := "@string{j = {Journal of Tests}}\n" +
		"@article{macro, title = {With a macro}, journal = j, month = jan, doi = {10.1/x}}\n" +
		"@article{plain, title = {Plain}, url = {https://example.org}, note = {one}, note = {two}}\n" +
		"@article{edited, title = {Edited later}, doi = {10.1/y}}\n"
	f := bib.ParseString("s.bib", src)
	if _, err := l.Import(ctx, f); err != nil {
		t.Fatal(err)
	}
	column := func(key string) string {
		var js string
		if err := l.db.QueryRow(`SELECT t.fields FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.key = ?`, key).Scan(&js); err != nil {
			t.Fatal(err)
		}
		return js
	}
	if got, want := column("macro"), `{"short":1,"fields":[{"name":"title"},{"name":"journal","value":"Journal of Tests"},{"name":"month"},{"name":"doi"}]}`; got != want {
		t.Errorf("fields column of macro:\n got %s\nwant %s", got, want)
	}
	for _, e := range f.Entries() {
		got, err := l.Entry(ctx, e.Key)
		if err != nil {
			t.Fatal(err)
		}
		if d := fieldsDiff(e.Fields, got.Fields); d != "" {
			t.Errorf("%s: %s", e.Key, d)
		}
	}
	// An edited entry gets the full form; has: reads both.
	e, err := l.Entry(ctx, "edited")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Set("year", "2020"); err != nil {
		t.Fatal(err)
	}
	if err := l.UpdateEntry(ctx, "edited", e); err != nil {
		t.Fatal(err)
	}
	if js := column("edited"); !strings.HasPrefix(js, `[{"name":"title",`) {
		t.Errorf("an edited entry's fields column is %s, want the full form", js)
	}
	for q, want := range map[string]int{"has:doi": 2, "has:url": 1, "has:keywords": 0} {
		if n, err := l.CountMatches(ctx, Filter{}, q); err != nil || n != want {
			t.Errorf("%s finds %d (%v), want %d", q, n, err, want)
		}
	}
}

// TestShortFieldsParsedDifferently reads an entry whose stored field list no longer matches
// what its source parses to, as it would after a change to the parser: the source decides the
// fields, a stored value goes to the field of its name, and nothing fails.
func TestShortFieldsParsedDifferently(t *testing.T) {
	e := bib.Entry{Key: "k", Source: "@article{k, note = {added}, journal = j, title = {T}}"}
	js := `{"short":1,"fields":[{"name":"journal","value":"Journal"},{"name":"title"}]}`
	if err := decodeFields(&e, js); err != nil {
		t.Fatal(err)
	}
	want := []bib.Field{{Name: "note", Raw: "{added}", Value: "added"}, {Name: "journal", Raw: "j", Value: "Journal"}, {Name: "title", Raw: "{T}", Value: "T"}}
	if d := fieldsDiff(want, e.Fields); d != "" {
		t.Error(d)
	}
}

// newerLibrary makes a library whose schema is one version newer than this release's, and
// returns its path.
func newerLibrary(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "newer.sqlite")
	l, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.db.Exec(`INSERT INTO schema_migrations (version, name, applied) VALUES (?, 'from the future', 0)`, latestVersion(t)+1); err != nil {
		t.Fatal(err)
	}
	l.Close()
	return path
}

// TestOpenRefusesNewerLibrary opens a library whose schema is newer than this release's.
func TestOpenRefusesNewerLibrary(t *testing.T) {
	ctx := context.Background()
	path := newerLibrary(t)
	if l, err := Open(ctx, path); !errors.Is(err, ErrNewerLibrary) {
		if err == nil {
			l.Close()
		}
		t.Fatalf("Open of a newer library: %v, want ErrNewerLibrary", err)
	}
}
