package storage

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEntriesByKey(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, "@article{Knuth84, author = {Donald Knuth}, title = {Literate Programming}, year = 1984}\n"+
		"@book{lamport94, title = {LaTeX}}\n@misc{gone, title = {Trashed}}\n")
	if _, err := l.Trash(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	got, err := l.EntriesByKey(ctx, []string{"knuth84", "Knuth84", "lamport94", "gone", "nowhere", "knuth84"})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for asked, e := range got {
		keys[asked] = e.Key
	}
	if diff := cmp.Diff(map[string]string{"knuth84": "Knuth84", "Knuth84": "Knuth84", "lamport94": "lamport94"}, keys); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if e := got["knuth84"]; e.Get("title") != "Literate Programming" || e.Source == "" {
		t.Errorf("entry read %+v", e)
	}
}

func TestPapers(t *testing.T) {
	ctx := context.Background()
	l := mustOpen(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.tex"), filepath.Join(dir, "b", "paper.aux")
	for _, p := range []string{b, a, a} {
		if err := l.AddPaper(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	papers, err := l.Papers(ctx)
	if err != nil || len(papers) != 2 || papers[0].Path != a || papers[1].Path != b || papers[0].Checked.Before(papers[0].Added) {
		t.Fatalf("Papers = %+v, %v", papers, err)
	}
	if err := l.RemovePaper(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := l.RemovePaper(ctx, a); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("removing a paper twice: %v", err)
	}
	if papers, _ := l.Papers(ctx); len(papers) != 1 || papers[0].Path != b {
		t.Errorf("after removing: %+v", papers)
	}
	// The sidebar reads them with its counts.
	if c, err := l.Counts(ctx, 7); err != nil || len(c.Papers) != 1 || c.Papers[0].Path != b {
		t.Errorf("Counts.Papers = %+v, %v", c.Papers, err)
	}
}
