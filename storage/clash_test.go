package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/google/go-cmp/cmp"
)

// TestImportKeyClash imports a second file whose keys the library has, and checks what happens
// to each entry: the same entry is skipped, another paper gets a key of its own, and the
// duplicates policy decides for another entry of the same paper.
func TestImportKeyClash(t *testing.T) {
	const library = `@article{smith2019, author = {John Smith}, title = {Deep Things}, year = 2019, journal = {J}, doi = {10.1/deep}}
@article{smith2019a, author = {Jane Smith}, title = {Shallow Things}, year = 2019}
`
	for _, tc := range []struct {
		name    string
		policy  DuplicatePolicy
		file    string
		want    Report
		renamed []KeyChange
		keys    []string // the library's keys after the import
	}{
		{"the same entry, written otherwise", ImportDuplicates,
			"@Article{Smith2019,\n  Journal = \"J\", Title = {Deep Things}, DOI = {10.1/deep}, Year = {2019}, Author = {John Smith}}\n",
			Report{Duplicates: 1, Problems: []bib.Problem{{Line: 1, Key: "Smith2019", Msg: `skipped: the library's "smith2019" is the same entry (same type and fields)`}}},
			nil, []string{"smith2019", "smith2019a"}},
		{"another paper", ImportDuplicates,
			"@book{smith2019, author = {Adam Smith}, title = {Wealth}, year = 2019}\n",
			Report{Imported: 1, Problems: []bib.Problem{{Line: 1, Key: "smith2019", Msg: `imported as "smith2019b" (the library's "smith2019" is another paper)`}}},
			[]KeyChange{{Line: 1, Old: "smith2019", New: "smith2019b", Existing: "smith2019"}},
			[]string{"smith2019", "smith2019a", "smith2019b"}},
		{"the same paper, kept", ImportDuplicates,
			"@article{smith2019, author = {John Smith}, title = {Deep Things}, year = 2019, doi = {10.1/DEEP}, note = {preprint}}\n",
			Report{Imported: 1, Possible: []PossibleDuplicate{{Key: "smith2019b", Existing: "smith2019", Reason: "same DOI 10.1/deep"}},
				Problems: []bib.Problem{
					{Line: 1, Key: "smith2019", Msg: `imported as "smith2019b" (the library's "smith2019" is another entry of this paper, same DOI 10.1/deep)`},
					{Line: 1, Key: "smith2019b", Msg: `the library may have this paper as "smith2019" (same DOI 10.1/deep): imported`},
				}},
			[]KeyChange{{Line: 1, Old: "smith2019", New: "smith2019b", Existing: "smith2019"}},
			[]string{"smith2019", "smith2019a", "smith2019b"}},
		{"the same paper, skipped", SkipDuplicates,
			"@article{smith2019, author = {John Smith}, title = {Deep Things}, year = 2019, doi = {10.1/DEEP}, note = {preprint}}\n",
			Report{Duplicates: 1, Problems: []bib.Problem{{Line: 1, Key: "smith2019", Msg: `skipped: the library's "smith2019" is this paper (same DOI 10.1/deep)`}}},
			nil, []string{"smith2019", "smith2019a"}},
		{"the same paper, merged", MergeDuplicates,
			"@article{smith2019, author = {John Smith}, title = {Deep Things}, year = 2019, doi = {10.1/DEEP}, note = {preprint}}\n",
			Report{Merged: 1, Problems: []bib.Problem{
				{Line: 1, Key: "smith2019", Msg: `imported as "smith2019b" (the library's "smith2019" is another entry of this paper, same DOI 10.1/deep)`},
				{Line: 1, Key: "smith2019b", Msg: `the library has this paper as "smith2019" (same DOI 10.1/deep): merged into it`},
			}},
			[]KeyChange{{Line: 1, Old: "smith2019", New: "smith2019b", Existing: "smith2019"}},
			[]string{"smith2019", "smith2019a"}},
		{"a key repeated in the file", ImportDuplicates,
			"@misc{lee2020, title = {First}}\n@misc{LEE2020, title = {Second}}\n@misc{lee2020, title = {First}}\n",
			Report{Imported: 2, Duplicates: 1, Problems: []bib.Problem{
				{Line: 2, Key: "LEE2020", Msg: `imported as "LEE2020a" (the entry "lee2020" of line 1, which bibtex reads under this key, is another paper)`},
				{Line: 3, Key: "lee2020", Msg: `skipped: the entry "lee2020" of line 1, which bibtex reads under this key is the same entry (same type and fields)`},
			}},
			[]KeyChange{{Line: 2, Old: "LEE2020", New: "LEE2020a", Existing: "lee2020", InFile: true}},
			[]string{"smith2019", "smith2019a", "lee2020", "LEE2020a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			l := importFiles(t, bibFile{"library.bib", library})
			before := searchKeys(t, l, "")
			rep, err := l.ImportWith(ctx, bib.Parse("new.bib", []byte(tc.file)), ImportOptions{Duplicates: tc.policy})
			if err != nil {
				t.Fatal(err)
			}
			// Added lists the keys the library did not have before, in the library's order.
			var added []string
			for _, k := range tc.keys {
				if !slices.Contains(before, k) {
					added = append(added, k)
				}
			}
			tc.want.Added = added
			tc.want.File = "new.bib"
			for i := range tc.want.Problems {
				tc.want.Problems[i].File, tc.want.Problems[i].Col, tc.want.Problems[i].Severity = "new.bib", 1, bib.Warning
			}
			for i := range tc.renamed {
				tc.renamed[i].File = "new.bib"
			}
			tc.want.Renamed = tc.renamed
			if diff := cmp.Diff(tc.want, rep); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.keys, searchKeys(t, l, "")); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			// The entries already there keep their keys.
			e, err := l.Entry(ctx, "smith2019")
			if err != nil || e.Key != "smith2019" || e.Get("title") != "Deep Things" {
				t.Errorf("smith2019 = %+v, %v: it must keep its key", e, err)
			}
		})
	}
}

// TestImportKeyClashFollowsCrossref imports a file whose proceedings entry has a key the library
// gives another paper: its papers, which name it by crossref before it comes, follow it to its
// new key, with the rest of their text as written.
func TestImportKeyClashFollowsCrossref(t *testing.T) {
	ctx := context.Background()
	l := importFiles(t,
		bibFile{"a.bib", "@inproceedings{p1, title = {Old Paper}, crossref = {conf}}\n@proceedings{conf, title = {Conference A}, year = 2001}\n"},
	)
	b := "@inproceedings{p1, title = {Old Paper}, crossref = {conf}}\n" +
		"@inproceedings{p2,\n  title   = {New Paper},\n  CrossRef = \"Conf\",\n}\n" +
		"@proceedings{conf, title = {Conference B}, year = 2002}\n"
	rep, err := l.Import(ctx, bib.Parse("b.bib", []byte(b)))
	if err != nil {
		t.Fatal(err)
	}
	// p1 reads as the library's p1 by its fields, but names this file's conf, which is another
	// paper than the library's: it is kept, and follows conf.
	want := []KeyChange{
		{File: "b.bib", Line: 6, Old: "conf", New: "confa", Existing: "conf"},
		{File: "b.bib", Line: 1, Old: "p1", New: "p1a", Existing: "p1"},
	}
	if diff := cmp.Diff(want, rep.Renamed); diff != "" {
		t.Errorf("renamed (-want +got):\n%s", diff)
	}
	if rep.Imported != 3 || rep.Duplicates != 0 {
		t.Errorf("report = %+v; want 3 imported", rep)
	}
	for key, source := range map[string]string{
		"p1a": "@inproceedings{p1a, title = {Old Paper}, crossref = {confa}}",
		"p2":  "@inproceedings{p2,\n  title   = {New Paper},\n  CrossRef = \"confa\",\n}",
		"p1":  "@inproceedings{p1, title = {Old Paper}, crossref = {conf}}",
	} {
		e, err := l.Entry(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if e.Source != source {
			t.Errorf("%s's source = %q, want %q", key, e.Source, source)
		}
	}
	// bibtex reads the export as it reads each file.
	text, _ := exportText(t, l, ExportOptions{})
	got := readBy(t, text, []bibFile{{"b.bib", b}})
	if !strings.Contains(got["p2"], "year = {2002}") || !strings.Contains(got["p1"], "year = {2001}") || !strings.Contains(got["p1a"], "year = {2002}") {
		t.Errorf("crossrefs resolve to the wrong proceedings:\n%v\nexport:\n%s", got, text)
	}

	// A file whose entries are all in the library already, crossref and all, adds nothing; the
	// report says under which keys the library has them.
	again, err := l.Import(ctx, bib.Parse("b2.bib", []byte(b)))
	if err != nil {
		t.Fatal(err)
	}
	if again.Imported != 0 || again.Duplicates != 3 {
		t.Errorf("importing b.bib again = %+v; want 3 duplicates", again)
	}
	want = []KeyChange{
		{File: "b2.bib", Line: 6, Old: "conf", New: "confa", Existing: "conf", Duplicate: true},
		{File: "b2.bib", Line: 1, Old: "p1", New: "p1a", Existing: "p1", Duplicate: true},
	}
	if diff := cmp.Diff(want, again.Renamed); diff != "" {
		t.Errorf("importing b.bib again: renamed (-want +got):\n%s", diff)
	}
}

// TestManyEntriesOfOneKey: each entry of a key the library had looked at every variant of the
// key (the key with a, b, ... aa ... added) up to the first free one, and so did each entry
// given a key by the pattern, so that 1,000 entries of one key (23 KB) took 14 s and 5,000 RIS
// records of one title over a minute. The variants past the first maxCompared are looked
// through once an import; an entry that reads as one of those is imported again, with a
// warning.
func TestManyEntriesOfOneKey(t *testing.T) {
	taken, lookups := map[string]bool{}, 0
	floors := keyFloors{}
	for range 100 {
		k, err := floors.free("k", func(k string) (bool, error) { lookups++; return taken[k], nil })
		if err != nil {
			t.Fatal(err)
		}
		taken[k] = true
	}
	if len(taken) != 100 || lookups > 2*100 {
		t.Errorf("%d keys made with %d look-ups", len(taken), lookups)
	}

	const n = 60
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "@misc{k, title = {T%d}}\n", i)
	}
	for range n {
		b.WriteString("@misc{, title = {Same}}\n")
	}
	ctx := context.Background()
	l := importFiles(t, bibFile{"one.bib", b.String()})
	keys := searchKeys(t, l, "")
	want := []string{"k", "ka", "kz", "kaa", "kbg", "Same", "Samea", "Samebg"}
	for _, k := range want {
		if !slices.Contains(keys, k) {
			t.Errorf("no key %q among %d", k, len(keys))
		}
	}
	if len(keys) != 2*n {
		t.Fatalf("%d keys, want %d", len(keys), 2*n)
	}
	rep, err := l.Import(ctx, bib.Parse("one.bib", []byte(b.String())))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Duplicates != maxCompared || rep.Imported != 2*n-maxCompared {
		t.Errorf("again: %d skipped, %d imported; want %d and %d", rep.Duplicates, rep.Imported, maxCompared, 2*n-maxCompared)
	}
}
