package shared

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/libtest"
	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// TestOrderAcrossReplicas: two replicas make rows of every kind the library orders at once
// (an import with a @string and a @preamble, entries, tags given to a shared entry, a
// collection at the top, a saved search, an attachment of the shared entry), then sync, in both
// orders: both have the server's order, the same as a new replica's, and their whole-library
// exports in library order are byte for byte the same.
func TestOrderAcrossReplicas(t *testing.T) {
	for _, first := range []string{"a", "b"} {
		t.Run(first+" first", func(t *testing.T) {
			ctx := context.Background()
			srv, err := ParseURL(pgtest.New(t))
			if err != nil {
				t.Fatal(err)
			}
			base := newLibrary(t, "base.sqlite")
			if _, err := base.Import(ctx, bib.Parse("base.bib", []byte("@string{jnl = {Journal}}\n"+
				"@article{base, title = {Base}, journal = jnl, keywords = {one}}\n"))); err != nil {
				t.Fatal(err)
			}
			if _, err := Copy(ctx, base, srv); err != nil {
				t.Fatal(err)
			}
			replicas := map[string]*storage.Library{}
			targets := map[string]string{} // each replica's file kept in sync in library order
			exporters := map[string]*storage.AutoExporter{}
			for _, name := range []string{"a", "b"} {
				l, err := Clone(ctx, srv, filepath.Join(t.TempDir(), name+".sqlite"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { l.Close() })
				replicas[name] = l
				targets[name] = filepath.Join(t.TempDir(), name+".bib")
				if _, err := l.AddExportTarget(ctx, storage.ExportTarget{Kind: storage.TargetLibrary, Path: targets[name], LibraryOrder: true}); err != nil {
					t.Fatal(err)
				}
				exporters[name] = storage.NewAutoExporter(l, nil)
				runTargets(t, exporters[name])
				makeRows(t, l, name)
				runTargets(t, exporters[name])
			}
			second := map[string]string{"a": "b", "b": "a"}[first]
			syncOnce(t, srv, replicas[first])
			syncOnce(t, srv, replicas[second])
			syncOnce(t, srv, replicas[first])
			a, b := replicas["a"], replicas["b"]
			var ea, eb bytes.Buffer
			if _, err := a.Export(ctx, &ea, storage.ExportOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Export(ctx, &eb, storage.ExportOptions{}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ea.Bytes(), eb.Bytes()) {
				t.Errorf("the replicas' exports differ:\n%s\n---\n%s", ea.String(), eb.String())
			}
			// A target kept in sync, read again from what it read before, is the export too.
			for name := range replicas {
				runTargets(t, exporters[name])
				if b, err := os.ReadFile(targets[name]); err != nil || !bytes.Equal(b, ea.Bytes()) {
					t.Errorf("%s's target kept in sync is not its export (%v):\n%s", name, err, b)
				}
			}
			// The server's order: the rows of the replica that synced first, then the other's.
			var want bytes.Buffer
			fmt.Fprintf(&want, "keywords = {one, tag %s, tag %s}", first, second)
			if !bytes.Contains(ea.Bytes(), want.Bytes()) {
				t.Errorf("the shared entry's keywords are not %s:\n%s", want.String(), ea.String())
			}
			if i, j := bytes.Index(ea.Bytes(), []byte("{"+first+"1,")), bytes.Index(ea.Bytes(), []byte("{"+second+"1,")); i < 0 || j < i {
				t.Errorf("%s1 is not before %s1:\n%s", first, second, ea.String())
			}
			if diffs, err := libtest.Diff(ctx, a, b); err != nil || len(diffs) > 0 {
				t.Errorf("the replicas differ: %v %v", diffs, err)
			}
			c, err := Clone(ctx, srv, filepath.Join(t.TempDir(), "c.sqlite"))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if diffs, err := libtest.Diff(ctx, c, a); err != nil || len(diffs) > 0 {
				t.Errorf("a replica differs from a new one: %v %v", diffs, err)
			}

			// The second, as a replica made before it kept the places (migration 0019), is in the
			// order of its ids, the other's rows after its own, until its next pull reads them.
			l := replicas[second]
			forget(t, l)
			var before, after bytes.Buffer
			if _, err := l.Export(ctx, &before, storage.ExportOptions{}); err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(before.Bytes(), ea.Bytes()) {
				t.Error("the replica without its places is in the server's order still")
			}
			if _, err := Pull(ctx, srv, l); err != nil {
				t.Fatal(err)
			}
			if _, err := l.Export(ctx, &after, storage.ExportOptions{}); err != nil {
				t.Fatal(err)
			}
			if r, _, err := l.Replica(ctx); err != nil || !r.Ordered || !bytes.Equal(after.Bytes(), ea.Bytes()) {
				t.Errorf("after a pull, the replica is ordered %v (%v), its export:\n%s", r.Ordered, err, after.String())
			}
		})
	}
}

// forget makes the replica l as a replica made before migration 0019 is: no row has its place,
// and the next pull is to read them (replica.ordered), through a connection of its own.
func forget(t *testing.T, l *storage.Library) {
	t.Helper()
	db, err := sql.Open("sqlite3", l.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{`UPDATE replica SET ordered = 0`, `UPDATE entries SET sord = NULL`, `UPDATE items SET sord = NULL`,
		`UPDATE tags SET sord = NULL`, `UPDATE collections SET sord = NULL`, `UPDATE attachments SET sord = NULL`} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

// runTargets runs a replica's export targets, and fails the test on a failure. The exporter
// keeps what each run read, which the next starts from.
func runTargets(t *testing.T, a *storage.AutoExporter) {
	t.Helper()
	st, err := a.RunTargets(context.Background(), storage.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Err != nil {
			t.Fatalf("export target %s: %v", s.Path, s.Err)
		}
	}
}

// makeRows makes, in the replica l, rows of every kind the library orders, named after name.
func makeRows(t *testing.T, l *storage.Library, name string) {
	t.Helper()
	ctx := context.Background()
	src := fmt.Sprintf("@string{pub%[1]s = {Publisher %[1]s}}\n@preamble{\"\\newcommand{\\by%[1]s}{}\"}\n"+
		"@book{%[1]s1, title = {First of %[1]s}, publisher = pub%[1]s, keywords = {mine %[1]s}}\n"+
		"@book{%[1]s2, title = {Second of %[1]s}, publisher = pub%[1]s}\n", name)
	if _, err := l.Import(ctx, bib.Parse(name+".bib", []byte(src))); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddTags(ctx, []string{"base", name + "1"}, "tag "+name); err != nil {
		t.Fatal(err)
	}
	coll, err := l.CreateCollection(ctx, nil, "Collection "+name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddToCollection(ctx, coll.ID, "base", name+"2"); err != nil {
		t.Fatal(err)
	}
	if err := l.SaveSearch(ctx, storage.SavedSearch{Name: "Search " + name, Query: name}); err != nil {
		t.Fatal(err)
	}
	folder, err := l.AttachmentsFolder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(folder.Path, name+".pdf")
	if err := os.MkdirAll(folder.Path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddAttachment(ctx, "base", pdf); err != nil {
		t.Fatal(err)
	}
}

// TestTiesAcrossReplicas: entries alike in the column a list is sorted by (the year, the title,
// a search's rank, the moment they went to the trash) come in the library's order, the same in
// every replica; by local ids, each replica listed its own rows first.
func TestTiesAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	base := newLibrary(t, "base.sqlite")
	if _, err := Copy(ctx, base, srv); err != nil {
		t.Fatal(err)
	}
	var replicas []*storage.Library
	for _, name := range []string{"a", "b"} {
		l, err := Clone(ctx, srv, filepath.Join(t.TempDir(), name+".sqlite"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		var src bytes.Buffer
		for i := range 3 {
			fmt.Fprintf(&src, "@article{%s%d, title = {Same title}, author = {Same, Author}, year = 2020, journal = {J}}\n", name, i)
		}
		if _, err := l.Import(ctx, bib.Parse(name+".bib", src.Bytes())); err != nil {
			t.Fatal(err)
		}
		replicas = append(replicas, l)
	}
	a, b := replicas[0], replicas[1]
	syncOnce(t, srv, a)
	syncOnce(t, srv, b)
	syncOnce(t, srv, a)
	keys := func(rows []storage.Row, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, r := range rows {
			s = append(s, r.Key)
		}
		return fmt.Sprint(s)
	}
	for _, opts := range []storage.SearchOptions{
		{Sort: "year"}, {Sort: "year", Desc: true}, {Sort: "title"}, {Sort: "authors", Desc: true},
		{Query: "same"}, {Query: "same", Sort: "venue"}, {Sort: "year", Offset: 2, Limit: 2},
	} {
		ka, kb := keys(a.SearchWith(ctx, opts)), keys(b.SearchWith(ctx, opts))
		if ka != kb {
			t.Errorf("query %q sort %q desc %v offset %d: a lists %s, b lists %s", opts.Query, opts.Sort, opts.Desc, opts.Offset, ka, kb)
		}
	}
	if got := keys(a.SearchWith(ctx, storage.SearchOptions{Sort: "year"})); got != "[a0 a1 a2 b0 b1 b2]" {
		t.Errorf("ties by year are not in the server's order: %s", got)
	}
	// Trashed in one call, in one millisecond; the other replica has the same moment.
	if _, err := a.Trash(ctx, "a0", "a1", "b0", "b1"); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, srv, a)
	syncOnce(t, srv, b)
	ka, kb := keys(a.Trashed(ctx, 0, 10)), keys(b.Trashed(ctx, 0, 10))
	if ka != kb || ka != "[b1 b0 a1 a0]" {
		t.Errorf("the trash: a lists %s, b lists %s", ka, kb)
	}
}
