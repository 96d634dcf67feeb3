package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage"
)

// sideCount returns the count a sidebar row shows; -1 when there is no such row or no count.
// Call it on the UI goroutine.
func sideCount(u *UI, id string) int {
	it, ok := u.sidebar.item(id)
	if !ok {
		return -1
	}
	return it.count
}

// settle waits until what the window last asked of the library has been shown. Fyne's test
// driver runs fyne.Do at once on the calling goroutine, so a result still being applied would
// race with whatever the test does next.
func settle(t *testing.T, u *UI) {
	t.Helper()
	eventually(t, "the window to settle", u.settled)
}

// selectSide selects a sidebar row as a click would, once it is there.
func selectSide(t *testing.T, u *UI, id string) {
	t.Helper()
	eventually(t, "sidebar row "+id, func() bool { return u.settled() && u.sidebar.selectID(id) })
}

// rowKeys returns the keys the list shows, sorted. Call it on the UI goroutine.
func rowKeys(u *UI) []string {
	keys := listKeys(u)
	slices.Sort(keys)
	return keys
}

// listKeys returns the keys the list shows, in its order, reading any page it does not hold.
// Call it on the UI goroutine.
func listKeys(u *UI) []string {
	var keys []string
	for i := range u.list.rowCount() {
		r, _ := u.list.row(i)
		keys = append(keys, r.Key)
	}
	return keys
}

func searchKeys(t *testing.T, lib *storage.Library, query string) []string {
	t.Helper()
	rows, err := lib.Search(context.Background(), query, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range rows {
		keys = append(keys, r.Key)
	}
	slices.Sort(keys)
	return keys
}

// showsExactly waits until the list shows exactly the keys want, sorted.
func showsExactly(t *testing.T, u *UI, what string, want []string) {
	t.Helper()
	var got []string
	defer func() {
		if t.Failed() {
			t.Logf("%s: list shows %v, want %v", what, got, want)
		}
	}()
	eventually(t, what, func() bool {
		got = rowKeys(u)
		return u.settled() && slices.Equal(got, want)
	})
}

func TestSidebarTagFiltersAndCounts(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	want := searchKeys(t, lib, `tag:"contrastive learning"`)
	if len(want) < 2 {
		t.Fatalf("the sample has %d entries tagged contrastive learning; the test needs several", len(want))
	}
	id := "tag:contrastive learning"
	eventually(t, "the tag's count", func() bool { return u.settled() && sideCount(u, id) == len(want) })
	selectSide(t, u, id)
	showsExactly(t, u, "the tag's entries", want)
	eventually(t, "status", func() bool {
		return u.settled() && strings.HasPrefix(u.status.Text, fmt.Sprintf("%d of 56 entries · ", len(want)))
	})

	// A hierarchical tag: the parent "ml" is not a tag itself, yet it shows its children's
	// entries, and the children sit under it.
	if _, err := lib.AddTags(ctx, []string{"vinyals2015pointer"}, "ml/deep nets"); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.AddTags(ctx, want[:1], "ml/vision"); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyneDoAndWait(u.sidebar.refresh)
	eventually(t, "the parent tag's count", func() bool { return u.settled() && sideCount(u, "tag:ml") == 2 })
	fyneDoAndWait(func() {
		parent, _ := u.sidebar.item("tag:ml")
		child, _ := u.sidebar.item("tag:ml/deep nets")
		if parent.depth != 0 || child.depth != 1 || child.label != "deep nets" || u.sidebar.find("tag:ml") > u.sidebar.find("tag:ml/deep nets") {
			t.Errorf("tag tree: parent %+v, child %+v", parent, child)
		}
	})
	selectSide(t, u, "tag:ml/deep nets")
	showsExactly(t, u, "a tag with a space", []string{"vinyals2015pointer"})
	selectSide(t, u, "tag:ml")
	showsExactly(t, u, "a parent tag", searchKeys(t, lib, "tag:ml"))
}

func TestSidebarUnreadAndStarred(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	if _, err := lib.SetRead(ctx, true, "vinyals2015pointer", "biondi2024stationary"); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.SetStarred(ctx, true, "vinyals2015pointer"); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyneDoAndWait(u.sidebar.refresh)
	eventually(t, "counts", func() bool { return u.settled() && sideCount(u, idUnread) == 54 && sideCount(u, idStarred) == 1 })
	selectSide(t, u, idUnread)
	eventually(t, "54 of 56", func() bool {
		return u.settled() && u.Rows() == 54 && strings.HasPrefix(u.status.Text, "54 of 56 entries · ")
	})
	selectSide(t, u, idStarred)
	showsExactly(t, u, "the starred entry", []string{"vinyals2015pointer"})
	selectSide(t, u, idLibrary)
	eventually(t, "all again", func() bool { return u.settled() && u.Rows() == 56 && u.status.Text == "56 entries" })
}

func TestSidebarCollectionsAndSearchCombine(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	group, err := lib.CreateCollection(ctx, nil, "Reading group")
	if err != nil {
		t.Fatal(err)
	}
	week, err := lib.CreateCollection(ctx, []string{"Reading group"}, "Week 1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.AddToCollection(ctx, group.ID, "vinyals2015pointer", "biondi2024stationary"); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.AddToCollection(ctx, week.ID, "vinyals2015pointer", "zhang2023noisy"); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyneDoAndWait(u.sidebar.refresh)
	groupID, weekID := fmt.Sprintf("col:%d", group.ID), fmt.Sprintf("col:%d", week.ID)
	want := searchKeys(t, lib, `in:"Reading group"`)
	if len(want) != 3 {
		t.Fatalf(`in:"Reading group" finds %v`, want)
	}
	eventually(t, "collection counts, sub-collections included", func() bool {
		return u.settled() && sideCount(u, groupID) == 3 && sideCount(u, weekID) == 2
	})
	selectSide(t, u, groupID)
	showsExactly(t, u, "the collection and its sub-collection", want)

	// The search field's text must match too.
	test := searchKeys(t, lib, `in:"Reading group" pointer`)
	if len(test) != 1 {
		t.Fatalf("combined search finds %v", test)
	}
	settle(t, u)
	fyneDoAndWait(func() { u.search.SetText("pointer") })
	showsExactly(t, u, "collection AND search", test)
	eventually(t, "status", func() bool { return u.settled() && strings.HasPrefix(u.status.Text, "1 of 56 entries · ") })
	selectSide(t, u, idLibrary)
	showsExactly(t, u, "search alone", searchKeys(t, lib, "pointer"))
}

// TestSidebarCollectionsOfOneName: a collection is selected by its id, so two collections named
// Drafts under different parents show, count and export their own entries, and a name with a
// quote in it is no different.
func TestSidebarCollectionsOfOneName(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	mk := func(parent []string, name string, keys ...string) string {
		t.Helper()
		c, err := lib.CreateCollection(ctx, parent, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lib.AddToCollection(ctx, c.ID, keys...); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("col:%d", c.ID)
	}
	mk(nil, "Thesis")
	mk(nil, "Grant")
	thesis := mk([]string{"Thesis"}, "Drafts", "vinyals2015pointer")
	grant := mk([]string{"Grant"}, "Drafts", "biondi2024stationary", "zhang2023noisy")
	quoted := mk(nil, `The "good" ones`, "zhang2023noisy")
	if _, err := lib.AddTags(ctx, []string{"vinyals2015pointer"}, `say "hi"`); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyneDoAndWait(u.sidebar.refresh)
	eventually(t, "each collection's count", func() bool {
		return u.settled() && sideCount(u, thesis) == 1 && sideCount(u, grant) == 2 && sideCount(u, quoted) == 1 &&
			sideCount(u, `tag:say "hi"`) == 1
	})
	for _, tt := range []struct {
		id   string
		want []string
	}{
		{thesis, []string{"vinyals2015pointer"}},
		{grant, []string{"biondi2024stationary", "zhang2023noisy"}},
		{quoted, []string{"zhang2023noisy"}},
		{`tag:say "hi"`, []string{"vinyals2015pointer"}},
	} {
		selectSide(t, u, tt.id)
		showsExactly(t, u, tt.id, tt.want)
		var out strings.Builder
		var opts storage.ExportOptions
		fyneDoAndWait(func() { opts = u.exportOptions() })
		if n, err := lib.Export(ctx, &out, opts); err != nil || n != len(tt.want) {
			t.Errorf("%s: the export writes %d entries, %v; want %d", tt.id, n, err, len(tt.want))
		}
	}

	// A search saved while a collection is selected keeps that collection, not its name.
	selectSide(t, u, grant)
	fyneDoAndWait(func() { u.search.SetText("noisy") })
	showsExactly(t, u, "the collection and the search", []string{"zhang2023noisy"})
	var f storage.Filter
	var q string
	fyneDoAndWait(func() { f, q = u.results.search() })
	if err := lib.SaveSearch(ctx, storage.SavedSearch{Name: "Grant drafts", Query: q, Filter: f}); err != nil {
		t.Fatal(err)
	}
	fyneDoAndWait(func() { u.search.SetText("") })
	fyneDoAndWait(u.sidebar.refresh)
	selectSide(t, u, "saved:Grant drafts")
	showsExactly(t, u, "the saved search", []string{"zhang2023noisy"})
}

func TestSidebarSavedSearchAndTrash(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	if err := lib.SaveSearch(ctx, storage.SavedSearch{Name: "Old papers", Query: "year:..2019"}); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Trash(ctx, "vinyals2015pointer"); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyneDoAndWait(u.sidebar.refresh)
	want := searchKeys(t, lib, "year:..2019")
	eventually(t, "counts", func() bool {
		return u.settled() && sideCount(u, "saved:Old papers") == len(want) && sideCount(u, idTrash) == 1 && sideCount(u, idLibrary) == 55
	})
	selectSide(t, u, "saved:Old papers")
	showsExactly(t, u, "the saved search", want)
	selectSide(t, u, idTrash)
	showsExactly(t, u, "the trash", []string{"vinyals2015pointer"})
	eventually(t, "trash status", func() bool { return u.settled() && strings.HasPrefix(u.status.Text, "1 entry in the trash · ") })
}

func TestSidebarEmptyStatesAndFolding(t *testing.T) {
	u, _ := newTestUI(t)
	eventually(t, "empty collections", func() bool {
		if !u.settled() {
			return false
		}
		it, ok := u.sidebar.item("empty:" + idCollections)
		return ok && strings.HasPrefix(it.label, "No collections yet")
	})
	fyneDoAndWait(func() {
		if _, ok := u.sidebar.item("empty:" + idTags); ok {
			t.Error("the sample's keywords made no tags")
		}
		n := len(u.sidebar.shown)
		u.sidebar.selectID(idTags)
		if u.sidebar.indexShown("tag:contrastive learning") >= 0 || len(u.sidebar.shown) >= n {
			t.Error("folding Tags left its rows shown")
		}
		if u.sidebar.selected != idLibrary {
			t.Errorf("folding moved the selection to %q", u.sidebar.selected)
		}
		u.sidebar.selectID(idTags)
		if len(u.sidebar.shown) != n {
			t.Error("unfolding Tags did not bring its rows back")
		}
	})
}

func TestSidebarCtrlSelectsTagsTogether(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	if _, err := lib.AddTags(ctx, []string{"vinyals2015pointer", "zhang2023noisy"}, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.AddTags(ctx, []string{"vinyals2015pointer", "kim2023probabilistic"}, "b"); err != nil {
		t.Fatal(err)
	}
	fyneDoAndWait(u.sidebar.refresh)
	selectSide(t, u, "tag:a")
	showsExactly(t, u, "tag a", []string{"vinyals2015pointer", "zhang2023noisy"})
	ctrl := true
	fyneDoAndWait(func() { u.sidebar.ctrl = func() bool { return ctrl } })
	selectSide(t, u, "tag:b")
	showsExactly(t, u, "tags a and b", []string{"vinyals2015pointer"})
	// Ctrl on b again takes it away; a click without Ctrl selects one tag only.
	selectSide(t, u, "tag:b")
	showsExactly(t, u, "tag a again", []string{"vinyals2015pointer", "zhang2023noisy"})
	ctrl = false
	selectSide(t, u, "tag:b")
	showsExactly(t, u, "tag b alone", []string{"kim2023probabilistic", "vinyals2015pointer"})
}

// menuAction runs the item of a sidebar row's menu with that label.
func menuAction(t *testing.T, u *UI, id, label string) {
	t.Helper()
	var action func()
	fyneDoAndWait(func() {
		it, _ := u.sidebar.item(id)
		var find func(m *fyne.Menu)
		find = func(m *fyne.Menu) {
			for _, mi := range m.Items {
				if mi.Label == label {
					action = mi.Action
				}
				if mi.ChildMenu != nil {
					find(mi.ChildMenu)
				}
			}
		}
		if m := u.sideMenu(it); m != nil {
			find(m)
		}
	})
	if action == nil {
		t.Fatalf("row %s has no menu item %q", id, label)
	}
	fyneDoAndWait(action)
}

// answer types into the open dialog's entry and confirms it with the button of that label.
func answer(t *testing.T, u *UI, text, button string) {
	t.Helper()
	fyneDoAndWait(func() {
		top := u.win.Canvas().Overlays().Top()
		if top == nil {
			t.Fatal("no dialog")
		}
		var entry interface{ SetText(string) } // a dialog's own field, or a file dialog's
		var ok *widget.Button
		walk(top, func(o fyne.CanvasObject) {
			switch w := o.(type) {
			case *dialogEntry:
				entry = w
			case *widget.Entry:
				entry = w
			case *widget.Button:
				if w.Text == button {
					ok = w
				}
			}
		})
		if entry == nil || ok == nil {
			t.Fatalf("the dialog has no entry or no %q button", button)
		}
		entry.SetText(text)
		test.Tap(ok)
	})
}

func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	switch w := o.(type) {
	case *fyne.Container:
		for _, c := range w.Objects {
			walk(c, f)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(w)
		for _, c := range r.Objects() {
			walk(c, f)
		}
	}
}

func TestSidebarMenusAndDrop(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	settle(t, u)
	menuAction(t, u, idCollections, "New Collection…")
	answer(t, u, "Thesis", "Create")
	eventually(t, "the new collection", func() bool {
		cols, _ := lib.Collections(ctx)
		return u.settled() && len(cols) == 1 && cols[0].Name == "Thesis"
	})
	cols, _ := lib.Collections(ctx)
	colID := fmt.Sprintf("col:%d", cols[0].ID)
	eventually(t, "its row", func() bool { _, ok := u.sidebar.item(colID); return u.settled() && ok })

	// Dragging two selected entries onto the collection's row puts them in it.
	fyneDoAndWait(func() {
		u.list.tap(0, 0)
		u.list.tap(1, fyne.KeyModifierShift)
	})
	selectSide(t, u, idTags) // folds the long tag list, so that the collection's row is drawn
	settle(t, u)
	// Where the collection's row is drawn, once the sidebar has settled there: the new
	// collection was scrolled into view, and folding the tags lays the rows out again.
	var drop fyne.Position
	eventually(t, "the collection's row drawn", func() bool {
		drop = fyne.Position{}
		for b, i := range u.sidebar.boxes {
			if i < len(u.sidebar.shown) && u.sidebar.shown[i].id == colID {
				drop = fyne.CurrentApp().Driver().AbsolutePositionForObject(b).AddXY(5, 5)
			}
		}
		it, ok := u.sidebar.itemAt(drop)
		return !drop.IsZero() && ok && it.id == colID
	})
	fyneDoAndWait(func() { u.onDropEntries(drop) })
	eventually(t, "two entries in the collection", func() bool { return u.settled() && sideCount(u, colID) == 2 })

	// Rename the collection; a tag's rename merges it into another.
	menuAction(t, u, colID, "Rename…")
	answer(t, u, "PhD thesis", "Rename")
	eventually(t, "renamed", func() bool { c, _ := lib.Collections(ctx); return u.settled() && c[0].Name == "PhD thesis" })
	if _, err := lib.AddTags(ctx, []string{"vinyals2015pointer"}, "old"); err != nil {
		t.Fatal(err)
	}
	fyneDoAndWait(u.sidebar.refresh)
	eventually(t, "tag old", func() bool { _, ok := u.sidebar.item("tag:old"); return u.settled() && ok })
	menuAction(t, u, "tag:old", "Rename or Merge…")
	answer(t, u, "attention", "Rename")
	eventually(t, "merged", func() bool { _, ok := u.sidebar.item("tag:old"); return u.settled() && !ok })
	if got := searchKeys(t, lib, "tag:attention"); !slices.Contains(got, "vinyals2015pointer") {
		t.Errorf("tag:attention after the merge: %v", got)
	}
	menuAction(t, u, "tag:attention", "Red")
	eventually(t, "coloured", func() bool { it, _ := u.sidebar.item("tag:attention"); return u.settled() && it.colour != nil })

	// Save the search typed as a saved search.
	fyneDoAndWait(func() { u.search.SetText("pointer") })
	settle(t, u)
	menuAction(t, u, idSaved, "Save Current Search…")
	answer(t, u, "Pointers", "Save")
	eventually(t, "saved", func() bool { return u.settled() && sideCount(u, "saved:Pointers") == 1 })
}

func TestEmptyTrashAsksAndForgetsItsUndo(t *testing.T) {
	u, lib := newTestUI(t)
	selectKey(t, u, "vinyals2015pointer")
	fyneDoAndWait(u.onTrash)
	eventually(t, "one in the trash", func() bool { return u.settled() && sideCount(u, idTrash) == 1 })
	menuAction(t, u, idTrash, "Empty Trash…")
	fyneDoAndWait(func() {
		walk(u.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Yes" {
				test.Tap(b)
			}
		})
	})
	eventually(t, "the trash emptied", func() bool { return u.settled() && sideCount(u, idTrash) == 0 })
	if _, err := lib.Entry(context.Background(), "vinyals2015pointer"); err == nil {
		t.Error("the entry is still in the library")
	}
	fyneDoAndWait(u.onUndo)
	settle(t, u)
	var status string
	fyneDoAndWait(func() { status = u.status.Text })
	if status != "Nothing to undo" {
		t.Errorf("undo after emptying the trash: %q", status)
	}
}

func TestSidebarMovesACollection(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	a, err := lib.CreateCollection(ctx, nil, "Thesis")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.CreateCollection(ctx, nil, "Drafts"); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.CreateCollection(ctx, []string{"Thesis"}, "Chapter 1"); err != nil {
		t.Fatal(err)
	}
	fyneDoAndWait(u.sidebar.refresh)
	id := fmt.Sprintf("col:%d", a.ID)
	eventually(t, "the collections", func() bool { _, ok := u.sidebar.item(id); return u.settled() && ok })
	// Thesis cannot move into itself or its own chapter; it can into Drafts.
	var labels []string
	fyneDoAndWait(func() {
		c, _ := u.sidebar.collection(id)
		for _, it := range u.moveMenu(c).Items {
			labels = append(labels, it.Label)
		}
	})
	if !slices.Equal(labels, []string{"Top Level", "Drafts"}) {
		t.Errorf("Move Into offers %v", labels)
	}
	menuAction(t, u, id, "Drafts")
	eventually(t, "moved", func() bool {
		cols, _ := lib.Collections(ctx)
		for _, c := range cols {
			if c.Name == "Chapter 1" {
				return u.settled() && strings.Join(c.Path, "/") == "Drafts/Thesis/Chapter 1"
			}
		}
		return false
	})
}

// sideBox returns the row widget that shows the sidebar row id, or nil when it is not in view
// (the list keeps row widgets it does not show for later). Call it on the UI goroutine.
func sideBox(u *UI, id string) *sideRowBox {
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(u.sidebar.list).Y
	for b, i := range u.sidebar.boxes {
		if i < 0 || i >= len(u.sidebar.shown) || u.sidebar.shown[i].id != id || b.item.id != id || !b.Visible() {
			continue
		}
		if y := d.AbsolutePositionForObject(b).Y; y >= top && y+b.Size().Height <= top+u.sidebar.list.Size().Height {
			return b
		}
	}
	return nil
}

// clickSide scrolls the sidebar row id into view, as a user would, and left-clicks it as the
// desktop driver would.
func clickSide(t *testing.T, u *UI, id string) {
	t.Helper()
	eventually(t, "sidebar row "+id, func() bool { return u.settled() && u.sidebar.indexShown(id) >= 0 })
	fyneDoAndWait(func() { u.sidebar.list.ScrollTo(u.sidebar.indexShown(id)) })
	eventually(t, "sidebar row "+id+" in view", func() bool { return sideBox(u, id) != nil })
	fyneDoAndWait(func() { leftClick(t, u.win.Canvas(), sideBox(u, id)) })
}

// TestSidebarLeftClickSelects clicks each kind of sidebar row with the left button, as a user
// does: a fixed view, a tag, a section title (which folds its section) and a collection.
func TestSidebarLeftClickSelects(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	group, err := lib.CreateCollection(ctx, nil, "Reading group")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.AddToCollection(ctx, group.ID, "vinyals2015pointer", "biondi2024stationary"); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.SetStarred(ctx, true, "zhang2023noisy"); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyneDoAndWait(u.sidebar.refresh)

	clickSide(t, u, idStarred)
	showsExactly(t, u, "the starred entry", []string{"zhang2023noisy"})
	clickSide(t, u, "tag:attention")
	showsExactly(t, u, "the tag's entries", searchKeys(t, lib, "tag:attention"))

	// The Tags title folds the tags away, which brings the collections into view; the list
	// stays as it was.
	clickSide(t, u, idTags)
	eventually(t, "the tags folded", func() bool { return u.settled() && u.sidebar.indexShown("tag:attention") < 0 })
	fyneDoAndWait(func() {
		if got := u.sidebar.selected; got != "tag:attention" {
			t.Errorf("folding the tags selected %q", got)
		}
	})
	col := fmt.Sprintf("col:%d", group.ID)
	clickSide(t, u, col)
	showsExactly(t, u, "the collection's entries", []string{"biondi2024stationary", "vinyals2015pointer"})
	clickSide(t, u, idTags)
	eventually(t, "the tags back", func() bool { return u.settled() && u.sidebar.indexShown("tag:attention") >= 0 })
	clickSide(t, u, idLibrary)
	eventually(t, "the whole library", func() bool { return u.settled() && u.Rows() == 56 })
}

// A folded section stays folded in the next window.
func TestSidebarFoldingIsRemembered(t *testing.T) {
	u, lib := newTestUI(t)
	selectSide(t, u, idTags)
	eventually(t, "the tags folded", func() bool { return u.settled() && u.sidebar.folded[idTags] })
	if got := u.app.Preferences().StringList(prefFolded); !slices.Equal(got, []string{idTags}) {
		t.Errorf("the preferences keep %v folded", got)
	}
	next := newUI(t, u.app, lib)
	var folded bool
	fyneDoAndWait(func() { folded = next.sidebar.folded[idTags] && !next.sidebar.folded[idCollections] })
	if !folded {
		t.Error("the next window shows the tags unfolded, or the collections folded")
	}
	eventually(t, "the next window settled", next.settled)
}
