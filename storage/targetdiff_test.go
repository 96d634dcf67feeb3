package storage

import (
	"slices"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
)

// TestDiffEntriesKeyCase checks that the file's entries meet ours by key with the ASCII letters
// folded only, as BibTeX and the library's NOCASE keys do: Smith2020 is smith2020, but Ärzte2020
// and ärzte2020 are two entries, as the library keeps them.
func TestDiffEntriesKeyCase(t *testing.T) {
	misc := func(key, title string) *bib.Entry {
		return &bib.Entry{Type: "misc", Key: key, Fields: []bib.Field{{Name: "title", Raw: "{" + title + "}", Value: title}}}
	}
	disk := []*bib.Entry{misc("Smith2020", "T"), misc("ärzte2020", "U")}
	ours := []*bib.Entry{misc("smith2020", "T"), misc("Ärzte2020", "U")}
	d := diffEntries(disk, ours)
	if !slices.Equal(d.Added, []string{"ärzte2020"}) || !slices.Equal(d.Removed, []string{"Ärzte2020"}) || len(d.Changed) != 0 {
		t.Errorf("added %v, removed %v, changed %v", d.Added, d.Removed, d.Changed)
	}
}
