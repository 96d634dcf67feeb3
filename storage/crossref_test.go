package storage

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/google/go-cmp/cmp"
)

// The files of the crossref order's tests: papers whose crossref names proceedings whose keys
// sort first, and come first in import order, from another file. A @proceedings entry gives its
// booktitle to the entries that cross-reference it: bibtex copies fields of the same name only.
var (
	xrefProceedings = bibFile{"proceedings.bib", `@proceedings{aaai2020, title = {Proceedings of AAAI 2020},
  booktitle = {Proceedings of AAAI 2020}, year = 2020, publisher = {AAAI Press}}
@proceedings{Conf2019, title = {Conf 2019}, booktitle = {Conf 2019}, year = 2019}
`}
	xrefPapers = bibFile{"papers.bib", `@inproceedings{zhang2020, author = {Zhang, Wei}, title = {A Paper}, crossref = {AAAI2020}, pages = {1--2}}
@inproceedings{brown2020, author = {Brown, Ann}, title = {Another}, crossref = {aaai2020}}
@article{young2021, author = {Young, Tim}, title = {An Article}, journal = {J}, year = 2021}
@inproceedings{doe2019, author = {Doe, Jo}, title = {A Third}, crossref = {conf2019}}
`}
)

// citedBy returns the fields bibtex reads from a .bib text, entry by entry, for a document that
// cites keys, with the dump style made for the crossref tests' files.
func citedBy(t *testing.T, text string, keys ...string) map[string]string {
	t.Helper()
	bibtest.NeedBibtex(t)
	var texts [][]byte
	var parsed []*bib.File
	for _, f := range []bibFile{xrefProceedings, xrefPapers} {
		texts = append(texts, []byte(f.text))
		parsed = append(parsed, bib.Parse(f.name, []byte(f.text)))
	}
	dump, err := bibtest.DumpCiting([]byte(text), bibtest.DumpStyleOf(texts, parsed), keys...)
	if err != nil {
		t.Fatal(err)
	}
	return bibtest.Blocks(dump)
}

// checkInherits checks that bibtex gives, in text, each paper the fields of its proceedings,
// in a document that cites the papers only, as one citing them does.
func checkInherits(t *testing.T, text string) {
	t.Helper()
	got := citedBy(t, text, "zhang2020", "brown2020", "doe2019")
	for key, want := range map[string][]string{
		"zhang2020": {"booktitle = {Proceedings of AAAI 2020}", "year = {2020}", "publisher = {AAAI Press}"},
		"brown2020": {"booktitle = {Proceedings of AAAI 2020}", "year = {2020}"},
		"doe2019":   {"booktitle = {Conf 2019}", "year = {2019}"},
	} {
		for _, w := range want {
			if !strings.Contains(got[key], w) {
				t.Errorf("bibtex reads %s without %s:\n%s\nfrom the export:\n%s", key, w, got[key], text)
			}
		}
	}
}

// keyOrder returns the keys of the entries of a .bib text, in order.
func keyOrder(text string) []string {
	var keys []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "@") && strings.Contains(line, "{") && !strings.HasPrefix(strings.ToLower(line), "@string") {
			k := line[strings.Index(line, "{")+1:]
			keys = append(keys, strings.TrimSpace(k[:strings.IndexAny(k+",", ",")]))
		}
	}
	return keys
}

func TestExportByKeyPutsCrossrefsLast(t *testing.T) {
	l := importFiles(t, xrefProceedings, xrefPapers)
	text, _ := exportText(t, l, ExportOptions{ByKey: true})
	// By key but for the proceedings, each right after the last paper that names it.
	want := []string{"brown2020", "doe2019", "Conf2019", "young2021", "zhang2020", "aaai2020"}
	if diff := cmp.Diff(want, keyOrder(text)); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	checkInherits(t, text)

	// In import order, each file's own order stays.
	text, _ = exportText(t, l, ExportOptions{})
	want = []string{"aaai2020", "Conf2019", "zhang2020", "brown2020", "young2021", "doe2019"}
	if diff := cmp.Diff(want, keyOrder(text)); diff != "" {
		t.Errorf("import order (-want +got):\n%s", diff)
	}
}

func TestExportKeysPutsCrossrefsLast(t *testing.T) {
	l := importFiles(t, xrefProceedings, xrefPapers)
	// What a paper citing zhang2020 and doe2019 exports: those and their parents.
	text, _ := exportText(t, l, ExportOptions{Keys: []string{"zhang2020", "doe2019", "aaai2020", "conf2019"}})
	want := []string{"zhang2020", "aaai2020", "doe2019", "Conf2019"}
	if diff := cmp.Diff(want, keyOrder(text)); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	got := citedBy(t, text, "zhang2020", "doe2019")
	for key, w := range map[string]string{"zhang2020": "year = {2020}", "doe2019": "booktitle = {Conf 2019}"} {
		if !strings.Contains(got[key], w) {
			t.Errorf("bibtex reads %s without %s:\n%s", key, w, got[key])
		}
	}
}

// A collection, a search or a selection of the papers alone, exported with their parents, reads
// in bibtex with what the papers inherit; the trash and entries nobody names stay out.
func TestExportCrossrefParents(t *testing.T) {
	ctx := context.Background()
	l := importFiles(t, xrefProceedings, xrefPapers)
	c, err := l.CreateCollection(ctx, nil, "Thesis")
	col := c.ID
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddToCollection(ctx, col, "zhang2020", "doe2019"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		opts ExportOptions
		want []string
	}{
		{"collection", ExportOptions{Filter: Filter{Collection: col}}, []string{"zhang2020", "aaai2020", "doe2019", "Conf2019"}},
		{"search", ExportOptions{Query: "zhang"}, []string{"zhang2020", "aaai2020"}},
		{"keys", ExportOptions{Keys: []string{"doe2019", "young2021"}}, []string{"young2021", "doe2019", "Conf2019"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := c.opts
			opts.CrossrefParents = true
			text, _ := exportText(t, l, opts)
			if diff := cmp.Diff(c.want, keyOrder(text)); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
			if c.name == "collection" {
				checkInheritsOf(t, text, "zhang2020", "doe2019")
			}
		})
	}
	// Without the option, the selection is what is written.
	text, _ := exportText(t, l, ExportOptions{Filter: Filter{Collection: col}})
	if diff := cmp.Diff([]string{"zhang2020", "doe2019"}, keyOrder(text)); diff != "" {
		t.Errorf("without parents (-want +got):\n%s", diff)
	}
	// A parent in the trash stays there.
	if _, err := l.Trash(ctx, "conf2019"); err != nil {
		t.Fatal(err)
	}
	text, _ = exportText(t, l, ExportOptions{Filter: Filter{Collection: col}, CrossrefParents: true})
	if diff := cmp.Diff([]string{"zhang2020", "aaai2020", "doe2019"}, keyOrder(text)); diff != "" {
		t.Errorf("a parent in the trash (-want +got):\n%s", diff)
	}
}

// checkInheritsOf checks that bibtex gives each of the papers keys, in text, the year of its
// proceedings.
func checkInheritsOf(t *testing.T, text string, keys ...string) {
	t.Helper()
	got := citedBy(t, text, keys...)
	for _, key := range keys {
		if !strings.Contains(got[key], "year = {20") {
			t.Errorf("bibtex reads %s without the year of its proceedings:\n%s\nfrom the export:\n%s", key, got[key], text)
		}
	}
}

func TestAutoExportPutsCrossrefsLast(t *testing.T) {
	ctx := context.Background()
	l := importFiles(t, xrefProceedings, xrefPapers)
	a := NewAutoExporter(l, nil)
	path := filepath.Join(t.TempDir(), "refs.bib")
	tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	same := func(when string) string {
		t.Helper()
		checkStatuses(t)(a.RunTargets(ctx, RunOptions{}, tg.ID))
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := exportText(t, l, ExportOptions{ByKey: true}); string(got) != want {
			t.Errorf("%s: the file differs from Export's\n%s", when, cmp.Diff(want, string(got)))
		}
		return string(got)
	}
	checkInherits(t, same("first run"))

	// An edit that takes a crossref away and one that adds one, read from the changed entries.
	e, err := l.Entry(ctx, "doe2019")
	if err != nil {
		t.Fatal(err)
	}
	e.Set("crossref", "")
	if err := l.UpdateEntry(ctx, "doe2019", e); err != nil {
		t.Fatal(err)
	}
	e, err = l.Entry(ctx, "young2021")
	if err != nil {
		t.Fatal(err)
	}
	e.Set("crossref", "conf2019")
	if err := l.UpdateEntry(ctx, "young2021", e); err != nil {
		t.Fatal(err)
	}
	text := same("after the edits")
	want := []string{"brown2020", "doe2019", "young2021", "Conf2019", "zhang2020", "aaai2020"}
	if diff := cmp.Diff(want, keyOrder(text)); diff != "" {
		t.Errorf("order after the edits (-want +got):\n%s", diff)
	}
	if got := citedBy(t, text, "young2021")["young2021"]; !strings.Contains(got, "booktitle = {Conf 2019}") {
		t.Errorf("bibtex reads young2021 without the booktitle of conf2019:\n%s", got)
	}
}

// TestAutoExportPutsCrossrefsLastFirstRun runs a target of more entries than the AutoExporter
// reads crossrefs of one by one: its file is still Export's.
func TestAutoExportPutsCrossrefsLastFirstRun(t *testing.T) {
	ctx := context.Background()
	var synth bytes.Buffer
	if err := bibtest.Synthetic(&synth, 1200, 1); err != nil {
		t.Fatal(err)
	}
	l := importFiles(t, xrefProceedings, bibFile{"synthetic.bib", synth.String()}, xrefPapers)
	path := filepath.Join(t.TempDir(), "refs.bib")
	tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(NewAutoExporter(l, nil).RunTargets(ctx, RunOptions{}, tg.ID))
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := exportText(t, l, ExportOptions{ByKey: true})
	if string(got) != want {
		t.Errorf("the file differs from Export's\n%s", cmp.Diff(want, string(got)))
	}
	if i, j := strings.Index(want, "{zhang2020,"), strings.Index(want, "{aaai2020,"); i < 0 || j < i {
		t.Errorf("aaai2020 at %d, before zhang2020 at %d", j, i)
	}
}

func TestPlaceCrossrefs(t *testing.T) {
	for _, tt := range []struct {
		name    string
		entries []xrefEntry // id i+1 for entries[i]
		want    []int64     // ids, in the order written
	}{
		{"none", []xrefEntry{{key: "a"}, {key: "b"}}, []int64{1, 2}},
		{"parent first", []xrefEntry{{key: "p"}, {key: "c", crossref: "P"}}, []int64{2, 1}},
		{"parent already last", []xrefEntry{{key: "c", crossref: "p"}, {key: "x"}, {key: "p"}}, []int64{1, 2, 3}},
		{"after the last child", []xrefEntry{{key: "p"}, {key: "c1", crossref: "p"}, {key: "x"}, {key: "c2", crossref: "p"}, {key: "y"}},
			[]int64{2, 3, 4, 1, 5}},
		{"nested", []xrefEntry{{key: "g"}, {key: "p", crossref: "g"}, {key: "c", crossref: "p"}, {key: "x"}},
			[]int64{3, 2, 1, 4}},
		{"nested, grandparent's other child last", []xrefEntry{{key: "g"}, {key: "p", crossref: "g"}, {key: "c", crossref: "p"}, {key: "d", crossref: "g"}},
			[]int64{3, 2, 4, 1}},
		{"cycle", []xrefEntry{{key: "a", crossref: "b"}, {key: "b", crossref: "a"}, {key: "x"}}, []int64{2, 1, 3}},
		{"self", []xrefEntry{{key: "a", crossref: "a"}, {key: "x"}}, []int64{1, 2}},
		{"unknown parent", []xrefEntry{{key: "a", crossref: "zz"}, {key: "x"}}, []int64{1, 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.entries {
				tt.entries[i].id = int64(i + 1)
			}
			var got []int64
			q := newPlacer(placeCrossrefs(tt.entries), func(id int64) error {
				got = append(got, id)
				return nil
			})
			for _, e := range tt.entries {
				q.add(e.id, e.id)
			}
			if len(q.held) > 0 {
				t.Errorf("held at the end: %v", q.held)
			}
			q.flush()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
	// A chain longer than maxCrossrefDepth is placed as far as the bound, every entry written once.
	var chain []xrefEntry
	for i := 0; i < 3*maxCrossrefDepth; i++ {
		e := xrefEntry{id: int64(i + 1), key: "k" + strings.Repeat("x", i)}
		if i > 0 {
			e.crossref = chain[i-1].key // each parent before its child
		}
		chain = append(chain, e)
	}
	seen := map[int64]bool{}
	q := newPlacer(placeCrossrefs(chain), func(id int64) error {
		seen[id] = true
		return nil
	})
	for _, e := range chain {
		q.add(e.id, e.id)
	}
	if len(q.held) > 0 {
		t.Errorf("a chain: held at the end: %v", q.held)
	}
	q.flush()
	if len(seen) != len(chain) {
		t.Errorf("wrote %d of %d entries", len(seen), len(chain))
	}
}
