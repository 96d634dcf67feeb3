package storage

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/google/go-cmp/cmp"
)

// checkTargetFiles fails the test for each target whose file is not what Export writes for its
// selection and options now.
func checkTargetFiles(t *testing.T, l *Library, when string) {
	t.Helper()
	ctx := context.Background()
	targets, err := l.ExportTargets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		tx, err := l.rdb.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		opts, err := tg.exportOptions(ctx, tx)
		tx.Rollback()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := exportText(t, l, opts)
		got, err := os.ReadFile(tg.Path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s: target %d (%s): the file differs from Export's\n%s", when, tg.ID, filepath.Base(tg.Path), cmp.Diff(want, string(got)))
		}
	}
}

// checkCache fails the test unless the runner's cache holds the texts of the entries of its
// selections and no others, each counted once per selection holding it.
func checkCache(t *testing.T, a *AutoExporter, when string) {
	t.Helper()
	want := map[renderKey]map[int64]int{}
	for _, s := range a.selections {
		if want[s.key] == nil {
			want[s.key] = map[int64]int{}
		}
		for _, id := range s.ids {
			want[s.key][id]++
		}
		if len(s.ids) != len(s.entries) || !slices.IsSorted(s.ids) {
			t.Errorf("%s: a selection of %d ids, %d entries", when, len(s.ids), len(s.entries))
		}
	}
	got := map[renderKey]map[int64]int{}
	for k, c := range a.cache {
		for id, ct := range c {
			if got[k] == nil {
				got[k] = map[int64]int{}
			}
			got[k][id] = ct.refs
		}
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(renderKey{})); diff != "" {
		t.Errorf("%s: the cache's counts (-want +got):\n%s", when, diff)
	}
}

// TestAutoExportFollowsSelectionChanges changes what targets of every kind select, and how, in
// every way the library allows, and runs them after each change as the runner does: each file
// is then what Export writes, and each run after the first read only what changed, but where
// the target's settings changed.
func TestAutoExportFollowsSelectionChanges(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	cs, err := l.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	thesis, chapter := cs[0], cs[1]
	if thesis.Name != "Thesis" || chapter.Name != "Chapter 1" {
		t.Fatalf("collections %+v", cs)
	}
	for _, ss := range []SavedSearch{{Name: "starred", Filter: Filter{Starred: true}}, {Name: "unread", Query: "is:unread"},
		{Name: "unfiled", Query: "is:unfiled"}} {
		if err := l.SaveSearch(ctx, ss); err != nil {
			t.Fatal(err)
		}
	}
	var targets []ExportTarget
	for i, tg := range []ExportTarget{
		{Kind: TargetLibrary},
		{Kind: TargetLibrary, LibraryOrder: true, Dialect: bib.BibLaTeX, Notes: true},
		{Kind: TargetCollection, Collection: thesis.ID, SubCollections: true},
		{Kind: TargetCollection, Collection: thesis.ID, Dialect: bib.BibTeX, ASCII: true},
		{Kind: TargetTag, Tag: "to-cite"},
		{Kind: TargetSearch, Search: "pointers"},
		{Kind: TargetSearch, Search: "starred"},
		{Kind: TargetSearch, Search: "unread"},
		{Kind: TargetSearch, Search: "unfiled", LibraryOrder: true},
	} {
		tg.Path = filepath.Join(dir, fmt.Sprintf("t%d.bib", i))
		if tg, err = l.AddExportTarget(ctx, tg); err != nil {
			t.Fatal(err)
		}
		targets = append(targets, tg)
	}
	rows, err := l.SearchWith(ctx, SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range rows {
		keys = append(keys, r.Key)
	}
	edit := func(key, field, value string) error {
		e, err := l.Entry(ctx, key)
		if err != nil {
			return err
		}
		e.Set(field, value)
		return l.UpdateEntry(ctx, key, e)
	}
	rename := func(old, new string) error {
		r, err := l.PlanKeyRename(ctx, old, new, nil)
		if err != nil {
			return err
		}
		return l.RenameKey(ctx, r)
	}
	setTarget := func(i int, change func(*ExportTarget)) error {
		change(&targets[i])
		return l.UpdateExportTarget(ctx, targets[i])
	}
	steps := []struct {
		name   string
		change func() error
		anew   []int // targets whose selections are read anew: their settings changed
	}{
		{"nothing, all run", func() error { return nil }, nil},
		{"an edit", func() error { return edit(keys[3], "title", "Edited Title") }, nil},
		{"an entry added", func() error {
			e := &bib.Entry{Type: "article", Key: "mmiddle2024new"}
			e.Set("title", "A New Network Paper")
			e.Set("author", "Middle, Mo")
			_, err := l.AddEntry(ctx, e, "")
			return err
		}, nil},
		{"an entry trashed", func() error { _, err := l.Trash(ctx, keys[5]); return err }, nil},
		{"it restored", func() error { _, err := l.Restore(ctx, keys[5]); return err }, nil},
		{"an entry purged", func() error {
			if _, err := l.Trash(ctx, keys[6]); err != nil {
				return err
			}
			_, err := l.EmptyTrash(ctx)
			return err
		}, nil},
		{"two entries merged", func() error { return l.Merge(ctx, keys[7], keys[8]) }, nil},
		{"a key renamed, its place changed", func() error { return rename(keys[9], "zzz-last") }, nil},
		{"a key renamed to the front", func() error { return rename(keys[12], "AAA-first") }, nil},
		{"a tag added", func() error { _, err := l.AddTags(ctx, keys[40:43], "to-cite"); return err }, nil},
		{"a tag removed", func() error { _, err := l.RemoveTags(ctx, keys[3:5], "to-cite"); return err }, nil},
		{"the tag renamed", func() error { return l.RenameTag(ctx, "to-cite", "cite-me") }, nil},
		{"added to a collection", func() error { _, err := l.AddToCollection(ctx, thesis.ID, keys[30:33]...); return err }, nil},
		{"removed from a collection", func() error { _, err := l.RemoveFromCollection(ctx, thesis.ID, keys[0:2]...); return err }, nil},
		{"added to a sub-collection", func() error { _, err := l.AddToCollection(ctx, chapter.ID, keys[44:46]...); return err }, nil},
		{"the sub-collection moved out", func() error { return l.MoveCollection(ctx, chapter.ID, 0) }, nil},
		{"starred", func() error { _, err := l.SetStarred(ctx, true, keys[20:23]...); return err }, nil},
		{"read", func() error { _, err := l.SetRead(ctx, true, keys[13:30]...); return err }, nil},
		{"unstarred, read again", func() error {
			if _, err := l.SetStarred(ctx, false, keys[21]); err != nil {
				return err
			}
			_, err := l.SetRead(ctx, false, keys[14])
			return err
		}, nil},
		{"a saved search changed", func() error { return l.SaveSearch(ctx, SavedSearch{Name: "pointers", Query: "learning"}) }, nil},
		{"a note", func() error { return l.SetNote(ctx, keys[15], "Noted.") }, nil},
		{"an import", func() error {
			_, err := l.Import(ctx, bib.Parse("more.bib", []byte("@article{bnew2025, title = {Networks Again}, author = {B, A}}\n@misc{zz2026, title = {Last}}\n")))
			return err
		}, nil},
		{"a target's order", func() error { return setTarget(0, func(t *ExportTarget) { t.LibraryOrder = true }) }, []int{0}},
		{"a target's dialect", func() error { return setTarget(1, func(t *ExportTarget) { t.Dialect = bib.BibTeX }) }, []int{1}},
		{"a target's notes", func() error { return setTarget(5, func(t *ExportTarget) { t.Notes = true }) }, []int{5}},
		{"a target's sub-collections", func() error { return setTarget(3, func(t *ExportTarget) { t.SubCollections = true }) }, nil},
		{"a target's kind", func() error {
			return setTarget(4, func(t *ExportTarget) { t.Kind, t.Collection, t.Tag = TargetCollection, chapter.ID, "" })
		}, nil},
		{"an edit and a rename at once", func() error {
			if err := edit(keys[25], "year", "1901"); err != nil {
				return err
			}
			return rename(keys[26], "mid-renamed")
		}, nil},
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{Due: true}))
	checkTargetFiles(t, l, "first run")
	checkCache(t, a, "first run")
	for _, step := range steps {
		if err := step.change(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		// Each run runs the due targets, as the runner does; the first runs them all.
		checkStatuses(t)(a.RunTargets(ctx, RunOptions{Due: step.name != steps[0].name}))
		checkTargetFiles(t, l, step.name)
		checkCache(t, a, step.name)
		for i, tg := range targets {
			// A selection read anew has no list of ids; an empty one has none either way.
			s := a.selections[tg.ID]
			got, want := s == nil || s.idList == "" && len(s.ids) > 0, slices.Contains(step.anew, i)
			if got != want {
				t.Errorf("%s: target %d read anew: %v, want %v", step.name, tg.ID, got, want)
			}
		}
	}

	// A target removed: its texts go, but those another target holds.
	if err := l.RemoveExportTarget(ctx, targets[2].ID); err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{Due: true}))
	if a.selections[targets[2].ID] != nil {
		t.Error("the removed target's selection is kept")
	}
	checkCache(t, a, "a target removed")
}

// TestAutoExportFollowsCrossrefParents: a parent renamed, trashed, restored and given to
// another entry moves the entries of a target by key as Export moves them.
func TestAutoExportFollowsCrossrefParents(t *testing.T) {
	ctx := context.Background()
	l := importFiles(t, xrefProceedings, xrefPapers)
	a := NewAutoExporter(l, nil)
	path := filepath.Join(t.TempDir(), "refs.bib")
	if _, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetLibrary, Path: path}); err != nil {
		t.Fatal(err)
	}
	run := func(when string) {
		t.Helper()
		checkStatuses(t)(a.RunTargets(ctx, RunOptions{Due: true}))
		checkTargetFiles(t, l, when)
		checkCache(t, a, when)
	}
	run("first run")
	r, err := l.PlanKeyRename(ctx, "aaai2020", "zaaai2020", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.RenameKey(ctx, r); err != nil {
		t.Fatal(err)
	}
	run("a parent renamed: its children name it no more")
	e, err := l.Entry(ctx, "zhang2020")
	if err != nil {
		t.Fatal(err)
	}
	e.Set("crossref", "zaaai2020")
	if err := l.UpdateEntry(ctx, "zhang2020", e); err != nil {
		t.Fatal(err)
	}
	run("a child names it again")
	if _, err := l.Trash(ctx, "Conf2019"); err != nil {
		t.Fatal(err)
	}
	run("a parent trashed")
	if _, err := l.Restore(ctx, "Conf2019"); err != nil {
		t.Fatal(err)
	}
	run("the parent restored")
	if _, err := l.Import(ctx, bib.Parse("late.bib", []byte("@inproceedings{aaa2021, title = {Early Key}, crossref = {Conf2019}}\n"))); err != nil {
		t.Fatal(err)
	}
	run("a child imported")
}

// TestAutoExportManyChanges: a change of more entries than a run reads one by one reads the
// whole selection, and comes out the same.
func TestAutoExportManyChanges(t *testing.T) {
	ctx := context.Background()
	var synth bytes.Buffer
	if err := bibtest.Synthetic(&synth, fewChanged+200, 1); err != nil {
		t.Fatal(err)
	}
	l := importFiles(t, bibFile{"synthetic.bib", synth.String()})
	a := NewAutoExporter(l, nil)
	path := filepath.Join(t.TempDir(), "refs.bib")
	tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetTag, Tag: "many", Path: path})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := l.SearchWith(ctx, SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range rows {
		keys = append(keys, r.Key)
	}
	if _, err := l.AddTags(ctx, keys[:10], "many"); err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{Due: true}))
	checkTargetFiles(t, l, "first run")
	if _, err := l.AddTags(ctx, keys[:fewChanged+100], "many"); err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{Due: true}))
	checkTargetFiles(t, l, "many tagged")
	checkCache(t, a, "many tagged")
	if s := a.selections[tg.ID]; s == nil || s.idList != "" {
		t.Error("many changes: the selection was not read anew")
	}
	if _, err := l.RemoveTags(ctx, keys[5:7], "many"); err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{Due: true}))
	checkTargetFiles(t, l, "two untagged")
	checkCache(t, a, "two untagged")
	if s := a.selections[tg.ID]; s == nil || s.idList == "" {
		t.Error("two changes: the selection was read anew")
	}
}

func TestParseIDList(t *testing.T) {
	for _, c := range []struct {
		list string
		want []int64
		bad  bool
	}{
		{"", nil, false},
		{"7", []int64{7}, false},
		{"1,2,30,400", []int64{1, 2, 30, 400}, false},
		{"1,,2", nil, true},
		{"1,x", nil, true},
	} {
		got, err := parseIDList(c.list)
		if (err != nil) != c.bad || !slices.Equal(got, c.want) {
			t.Errorf("parseIDList(%q) = %v, %v", c.list, got, err)
		}
	}
}

func TestDiffIDs(t *testing.T) {
	gone, come := diffIDs([]int64{1, 2, 4, 7, 9}, []int64{2, 3, 4, 9, 10, 11})
	if !slices.Equal(gone, []int64{1, 7}) || !slices.Equal(come, []int64{3, 10, 11}) {
		t.Errorf("gone %v, come %v", gone, come)
	}
	same := []int64{1, 2}
	if gone, come := diffIDs(same, same); gone != nil || come != nil {
		t.Errorf("same: gone %v, come %v", gone, come)
	}
}

// TestSpliceEntries compares spliceEntries with sorting the entries it is to hold, on random
// selections: entries taken out, changed (their keys too, and their places in the library's
// order, as a replica's entry takes the server's) and come in.
func TestSpliceEntries(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	key := func() string { return fmt.Sprintf("%c%d", "aBcD"[rng.IntN(4)], rng.IntN(50)) }
	for round := range 500 {
		byKey := round%2 == 0
		order := func(a, b row) int { return compareExportOrder(byKey, a.key, a.order, b.key, b.order) }
		// Places are unique, as ids and a server's ords are: a random one, or the id's.
		places := rng.Perm(200)
		place := func(id int64) int64 {
			if rng.IntN(2) == 0 {
				return id + unsentOrder
			}
			p := places[0]
			places = places[1:]
			return int64(p)
		}
		want := map[int64]row{}
		var last []selected
		n := int64(rng.IntN(30))
		for id := int64(1); id <= n; id++ {
			r := row{id: id, key: key(), order: place(id)}
			last = append(last, selected{row: r, text: "old"})
			want[id] = r
		}
		slices.SortFunc(last, func(a, b selected) int { return order(a.row, b.row) })
		var removed []int64
		var fresh []row
		for _, e := range last {
			switch rng.IntN(5) {
			case 0:
				removed = append(removed, e.id)
				delete(want, e.id)
			case 1:
				r := row{id: e.id, key: key(), order: e.order}
				if rng.IntN(2) == 0 {
					r.order = place(e.id)
				}
				fresh = append(fresh, r)
				want[e.id] = r
			}
		}
		slices.Sort(removed)
		for id := int64(100); id < int64(100+rng.IntN(4)); id++ {
			r := row{id: id, key: key(), order: place(id)}
			fresh = append(fresh, r)
			want[id] = r
		}
		var wantRows []row
		for _, r := range want {
			wantRows = append(wantRows, r)
		}
		slices.SortFunc(wantRows, order)
		var got []row
		for _, e := range spliceEntries(last, removed, slices.Clone(fresh), byKey) {
			if (e.text == "") != slices.ContainsFunc(fresh, func(r row) bool { return r.id == e.id }) {
				t.Fatalf("round %d: entry %d has text %q", round, e.id, e.text)
			}
			got = append(got, e.row)
		}
		if diff := cmp.Diff(wantRows, got, cmp.AllowUnexported(row{})); diff != "" {
			t.Fatalf("round %d (-want +got):\n%s", round, diff)
		}
	}
}

// TestChangedSinceUsesIndex checks that a run after a few edits finds them through the index
// on the revision, after an import (whose entries all take one revision) and after edits: the
// table is not read whole.
func TestChangedSinceUsesIndex(t *testing.T) {
	ctx := context.Background()
	var synth bytes.Buffer
	if err := bibtest.Synthetic(&synth, 300, 1); err != nil {
		t.Fatal(err)
	}
	l := importFiles(t, bibFile{"synthetic.bib", synth.String()})
	rev, err := l.Revision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := l.SearchWith(ctx, SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddTags(ctx, []string{rows[0].Key, rows[1].Key}, "read"); err != nil {
		t.Fatal(err)
	}
	plan := queryPlan(t, l, strings.Replace(changedSinceQuery, "?", strconv.FormatInt(rev, 10), 1))
	if !strings.Contains(plan, "entries_revision") {
		t.Errorf("changedSince does not use entries_revision:\n%s", plan)
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	ids, err := changedSince(ctx, tx, rev, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 {
		t.Errorf("changed since the import: %v, want the two tagged entries", ids)
	}
}
