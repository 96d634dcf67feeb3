package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

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
	var keys []string
	for _, r := range u.list.rows {
		keys = append(keys, r.Key)
	}
	slices.Sort(keys)
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
	if err := lib.AddTags(ctx, []string{"vinyals2015pointer"}, "ml/deep nets"); err != nil {
		t.Fatal(err)
	}
	if err := lib.AddTags(ctx, want[:1], "ml/vision"); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyne.DoAndWait(u.refreshSidebar)
	eventually(t, "the parent tag's count", func() bool { return u.settled() && sideCount(u, "tag:ml") == 2 })
	fyne.DoAndWait(func() {
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
	if err := lib.SetRead(ctx, true, "vinyals2015pointer", "biondi2024stationary"); err != nil {
		t.Fatal(err)
	}
	if err := lib.SetStarred(ctx, true, "vinyals2015pointer"); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyne.DoAndWait(u.refreshSidebar)
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
	if err := lib.AddToCollection(ctx, group.ID, "vinyals2015pointer", "biondi2024stationary"); err != nil {
		t.Fatal(err)
	}
	if err := lib.AddToCollection(ctx, week.ID, "vinyals2015pointer", "zhang2023noisy"); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyne.DoAndWait(u.refreshSidebar)
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
	fyne.DoAndWait(func() { u.search.SetText("pointer") })
	showsExactly(t, u, "collection AND search", test)
	eventually(t, "status", func() bool { return u.settled() && strings.HasPrefix(u.status.Text, "1 of 56 entries · ") })
	selectSide(t, u, idLibrary)
	showsExactly(t, u, "search alone", searchKeys(t, lib, "pointer"))
}

func TestSidebarSavedSearchAndTrash(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	if err := lib.SaveSearch(ctx, "Old papers", "year:..2019"); err != nil {
		t.Fatal(err)
	}
	if err := lib.Trash(ctx, "vinyals2015pointer"); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyne.DoAndWait(u.refreshSidebar)
	want := searchKeys(t, lib, "year:..2019")
	eventually(t, "counts", func() bool {
		return u.settled() && sideCount(u, "saved:Old papers") == len(want) && sideCount(u, idTrash) == 1 && sideCount(u, idLibrary) == 55
	})
	selectSide(t, u, "saved:Old papers")
	showsExactly(t, u, "the saved search", want)
	selectSide(t, u, idTrash)
	showsExactly(t, u, "the trash", []string{"vinyals2015pointer"})
	eventually(t, "trash status", func() bool { return u.settled() && strings.HasPrefix(u.status.Text, "1 entries in the trash · ") })
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
	fyne.DoAndWait(func() {
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
