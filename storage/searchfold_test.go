package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
)

// TestSearchFolding pins how search folds text, which is SQLite's FTS5 unicode61 tokenizer
// with remove_diacritics 2, not bib.Fold (see docs/DEVELOPMENT.md): case and the accents of
// Latin letters go, but letters that do not decompose into a base letter and accents are not
// spelt out, and ligatures, full-width forms and accented Greek stay as they are.
func TestSearchFolding(t *testing.T) {
	tests := []struct {
		name, query string
		found       bool
	}{
		{"Müller", "muller", true},
		{"Müller", "MÜLLER", true},
		{`M{\"u}ller`, "müller", true},
		{"Mu\u0308ller", "muller", true}, // the accent as a combining mark
		{"Erdős", "erdos", true},
		{"Dvořák", "dvorak", true},
		{"Nguyễn", "nguyen", true},
		{"İstanbul", "istanbul", true},
		{"Łukasiewicz", "lukasiewicz", false}, // bib.Fold: Lukasiewicz
		{"Łukasiewicz", "łukasiewicz", true},
		{"Straße", "strasse", false},
		{"Ørsted", "orsted", false},
		{"Encyclopædia", "encyclopaedia", false},
		{"Đorđević", "dordevic", false},
		{"Þórsson", "thorsson", false},
		{"ﬁnite", "finite", false},
		{"Ａbc", "abc", false},
		{"ά", "α", false},
	}
	ctx := context.Background()
	l := mustOpen(t)
	src := ""
	for i, tt := range tests {
		src += fmt.Sprintf("@article{k%d, author = {Ann %s}, title = {Title}}\n", i, tt.name)
	}
	if _, err := l.Import(ctx, bib.ParseString("fold.bib", src)); err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		t.Run(tt.name+" "+tt.query, func(t *testing.T) {
			rows, err := l.Search(ctx, "author:"+tt.query, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, r := range rows {
				found = found || r.Key == fmt.Sprintf("k%d", i)
			}
			if found != tt.found {
				t.Errorf("search for %q finds %q: %v, want %v", tt.query, tt.name, found, tt.found)
			}
		})
	}
}

// TestTitleKeysRefoldedOnUpgrade: a library written before bib.Fold folded duplicate detection's
// title keys gets the keys a new import of the same paper gets, so that the two match.
func TestTitleKeysRefoldedOnUpgrade(t *testing.T) {
	ctx := context.Background()
	old, err := open(ctx, filepath.Join(t.TempDir(), "v10.sqlite"), 10, false)
	if err != nil {
		t.Fatal(err)
	}
	src := "@article{lig, title = {On ﬁnite groups}, author = {Ħasan, Ali}, year = 2001}\n" +
		"@article{plain, title = {On finite groups}, author = {Smith, Ann}, year = 2001}\n"
	f := bib.Parse("old.bib", []byte(src))
	if _, err := old.Import(ctx, f); err != nil {
		t.Fatal(err)
	}
	// What the folding before bib.Fold wrote: the ligature and Ħ kept as they are.
	if _, err := old.db.ExecContext(ctx, `UPDATE entries SET title_key = 'onﬁnitegroups|2001|ħasan' WHERE key = 'lig'`); err != nil {
		t.Fatal(err)
	}
	l := upgrade(t, old)
	want := map[string]string{"lig": titleKey(f.Entries()[0]), "plain": titleKey(f.Entries()[1])}
	if want["lig"] != "onfinitegroups|2001|hasan" {
		t.Fatalf("the new title key of lig is %q", want["lig"])
	}
	for key, w := range want {
		var got string
		if err := l.db.QueryRowContext(ctx, `SELECT title_key FROM entries WHERE key = ?`, key).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != w {
			t.Errorf("%s: title_key %q after the upgrade, want %q", key, got, w)
		}
	}
	// The same paper imported now is found as a duplicate of the old entry.
	rep, err := l.ImportWith(ctx, bib.Parse("new.bib", []byte("@article{lig2, title = {On ﬁnite groups}, author = {Ħasan, Ali}, year = 2001}\n")), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Possible) != 1 || rep.Possible[0].Existing != "lig" {
		t.Errorf("a new import of lig is possibly %v, want the old lig", rep.Possible)
	}
}
