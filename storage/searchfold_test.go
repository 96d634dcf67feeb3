package storage

import (
	"context"
	"fmt"
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
