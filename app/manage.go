package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage"
)

// organiser is what the sidebar's menus need from the library: the tags, collections and saved
// searches themselves, rather than the entries in them.
type organiser interface {
	RenameTag(ctx context.Context, old, new string) error
	SetTagColour(ctx context.Context, name, colour string) error
	DeleteTag(ctx context.Context, name string) error
	CreateCollection(ctx context.Context, parentPath []string, name string) (storage.Collection, error)
	RenameCollection(ctx context.Context, id int64, name string) error
	MoveCollection(ctx context.Context, id, parent int64) error
	DeleteCollection(ctx context.Context, id int64) error
	SaveSearch(ctx context.Context, ss storage.SavedSearch) error
	DeleteSavedSearch(ctx context.Context, name string) error
	EmptyTrash(ctx context.Context) (int, error)
}

// tagColours are the colours a tag's menu offers.
var tagColours = []struct{ name, hex string }{
	{"Red", "#e5484d"}, {"Orange", "#f76b15"}, {"Yellow", "#ffc53d"}, {"Green", "#30a46c"},
	{"Blue", "#0090ff"}, {"Purple", "#8e4ec6"}, {"Grey", "#8b8d98"},
}

// sideMenu returns the context menu of a sidebar row, or nil when it has none.
func (u *UI) sideMenu(it sideItem) *fyne.Menu {
	switch it.kind {
	case kindTag:
		name := strings.TrimPrefix(it.id, "tag:")
		var colours []*fyne.MenuItem
		for _, c := range tagColours {
			hex := c.hex
			colours = append(colours, fyne.NewMenuItem(c.name, func() {
				u.organise("Colour tag", func(ctx context.Context) error { return u.lib.SetTagColour(ctx, name, hex) })
			}))
		}
		colours = append(colours, fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem("No Colour", func() {
				u.organise("Colour tag", func(ctx context.Context) error { return u.lib.SetTagColour(ctx, name, "") })
			}))
		colour := fyne.NewMenuItem("Colour", nil)
		colour.ChildMenu = fyne.NewMenu("", colours...)
		return fyne.NewMenu("",
			fyne.NewMenuItem("Rename or Merge…", func() { u.onRenameTag(name) }),
			colour,
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem("Keep a .bib in Sync…", func() { u.kept.keepInSync(it) }),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem("Delete Tag…", func() { u.onDeleteTag(name) }),
		)
	case kindCollection:
		c, ok := u.sidebar.collection(it.id)
		if !ok {
			return nil
		}
		move := fyne.NewMenuItem("Move Into", nil)
		move.ChildMenu = u.moveMenu(c)
		return fyne.NewMenu("",
			fyne.NewMenuItem("New Sub-collection…", func() { u.onNewCollection(c.Path) }),
			fyne.NewMenuItem("Rename…", func() { u.onRenameCollection(c) }),
			move,
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem("Keep a .bib in Sync…", func() { u.kept.keepInSync(it) }),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem("Delete Collection…", func() { u.onDeleteCollection(c) }),
		)
	case kindSaved:
		name := strings.TrimPrefix(it.id, "saved:")
		return fyne.NewMenu("",
			fyne.NewMenuItem("Keep a .bib in Sync…", func() { u.kept.keepInSync(it) }),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem("Delete Saved Search", func() {
				u.organise("Delete saved search", func(ctx context.Context) error { return u.lib.DeleteSavedSearch(ctx, name) })
			}))
	case kindFixed:
		if it.id != idLibrary {
			return nil
		}
		return fyne.NewMenu("",
			fyne.NewMenuItem("Keep a .bib in Sync…", func() { u.kept.keepInSync(it) }),
			fyne.NewMenuItem("Kept .bib Files…", u.kept.show))
	case kindTrash:
		return fyne.NewMenu("", fyne.NewMenuItem("Empty Trash…", u.onEmptyTrash))
	case kindPaper:
		path, _ := paperPath(it)
		return u.paperMenu(path)
	case kindHeader:
		switch it.id {
		case idCollections:
			return fyne.NewMenu("", fyne.NewMenuItem("New Collection…", func() { u.onNewCollection(nil) }))
		case idSaved:
			return fyne.NewMenu("", fyne.NewMenuItem("Save Current Search…", u.onSaveSearch))
		case idPapers:
			return fyne.NewMenu("", fyne.NewMenuItem("Open Paper…", u.onOpenPaper))
		}
	}
	return nil
}

// organise changes the library's tags, collections or saved searches off the UI goroutine. Such
// changes are not undone with Undo: a rename can merge two tags, which no rename takes apart.
func (u *UI) organise(what string, work func(ctx context.Context) error) {
	u.run(what, work, func() {
		u.status.SetText(what + ": done")
		u.afterChange(nil)
	})
}

// ask shows a dialog asking for one line of text.
func (u *UI) ask(title, label, value, confirm string, done func(string)) {
	in := newDialogEntry(u.dialogs)
	in.SetText(value)
	d := dialog.NewForm(title, confirm, "Cancel", []*widget.FormItem{widget.NewFormItem(label, in)}, func(ok bool) {
		if ok && strings.TrimSpace(in.Text) != "" {
			done(strings.TrimSpace(in.Text))
		}
	}, u.win)
	submits(d, in)
	d.Resize(fyne.NewSize(420, 0))
	u.dialogs.show(d)
	u.win.Canvas().Focus(in)
}

func (u *UI) onRenameTag(name string) {
	u.ask("Rename Tag", "New name", name, "Rename", func(to string) {
		u.organise("Rename tag "+name, func(ctx context.Context) error { return u.lib.RenameTag(ctx, name, to) })
	})
}

func (u *UI) onDeleteTag(name string) {
	u.dialogs.show(dialog.NewConfirm("Delete Tag",
		fmt.Sprintf("Delete the tag %q and its children? The entries stay in the library.", name),
		func(ok bool) {
			if ok {
				u.organise("Delete tag "+name, func(ctx context.Context) error { return u.lib.DeleteTag(ctx, name) })
			}
		}, u.win))
}

func (u *UI) onNewCollection(parent []string) {
	title := "New Collection"
	if len(parent) > 0 {
		title = "New Collection in " + strings.Join(parent, " › ")
	}
	u.ask(title, "Name", "", "Create", func(name string) {
		what := "New collection " + name
		var made storage.Collection // read on the UI goroutine once the work is done
		u.run(what, func(ctx context.Context) error {
			var err error
			made, err = u.lib.CreateCollection(ctx, parent, name)
			return err
		}, func() {
			u.status.SetText(what + ": done")
			// In view, below however many tags, for the entries to be dragged onto it.
			u.sidebar.showNext = "col:" + strconv.FormatInt(made.ID, 10)
			u.afterChange(nil)
		})
	})
}

func (u *UI) onRenameCollection(c storage.Collection) {
	u.ask("Rename Collection", "New name", c.Name, "Rename", func(name string) {
		u.organise("Rename collection "+c.Name, func(ctx context.Context) error { return u.lib.RenameCollection(ctx, c.ID, name) })
	})
}

// moveMenu offers the places a collection can move to: the top level, or any collection that
// is not itself or one of its sub-collections.
func (u *UI) moveMenu(c storage.Collection) *fyne.Menu {
	items := []*fyne.MenuItem{fyne.NewMenuItem("Top Level", func() {
		u.organise("Move collection "+c.Name, func(ctx context.Context) error { return u.lib.MoveCollection(ctx, c.ID, 0) })
	})}
	items[0].Disabled = c.ParentID == 0
	var ids []int64
	for id := range u.sidebar.collections {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		o := u.sidebar.collections[id]
		inside := len(o.Path) >= len(c.Path) && slices.Equal(o.Path[:len(c.Path)], c.Path)
		if inside || o.ID == c.ParentID {
			continue
		}
		items = append(items, fyne.NewMenuItem(strings.Join(o.Path, " › "), func() {
			u.organise("Move collection "+c.Name, func(ctx context.Context) error { return u.lib.MoveCollection(ctx, c.ID, o.ID) })
		}))
	}
	return fyne.NewMenu("", items...)
}

func (u *UI) onDeleteCollection(c storage.Collection) {
	u.dialogs.show(dialog.NewConfirm("Delete Collection",
		fmt.Sprintf("Delete the collection %q and its sub-collections? Their entries stay in the library.", c.Name),
		func(ok bool) {
			if ok {
				u.organise("Delete collection "+c.Name, func(ctx context.Context) error { return u.lib.DeleteCollection(ctx, c.ID) })
			}
		}, u.win))
}

// onEmptyTrash deletes the entries in the trash for good, after asking: the one change that
// cannot be undone.
func (u *UI) onEmptyTrash() {
	u.dialogs.show(dialog.NewConfirm("Empty Trash",
		"Delete the entries in the Trash for good, with their notes and attachment links? This cannot be undone. (The attached files stay on disk.)",
		func(ok bool) {
			if !ok {
				return
			}
			var n int
			u.run("Empty trash", func(ctx context.Context) (err error) {
				n, err = u.lib.EmptyTrash(ctx)
				return err
			}, func() {
				// Undoing a move to the trash of entries that are gone would fail.
				u.history.done = slices.DeleteFunc(u.history.done, func(c *change) bool { return c.trashes })
				u.history.undone = nil
				u.status.SetText(fmt.Sprintf("Deleted %s for good", rowsText(n)))
				u.afterChange(func() []string { return nil })
			})
		}, u.win))
}

// onSaveSearch keeps what the list shows (the sidebar's selection and the search) under a name.
func (u *UI) onSaveSearch() {
	f, q := u.results.search()
	if q == "" && f.IsZero() || u.sidebar.current().kind == kindTrash {
		u.dialogs.show(dialog.NewInformation("Save Search", "Type a search first: a saved search keeps a query, such as tag:ml year:2020.., under a name.", u.win))
		return
	}
	u.ask("Save Search", "Name", u.results.query, "Save", func(name string) {
		ss := storage.SavedSearch{Name: name, Query: q, Filter: f}
		u.organise("Save search "+name, func(ctx context.Context) error { return u.lib.SaveSearch(ctx, ss) })
	})
}

// onDropEntries adds the selected entries to the collection or tag under the pointer, or moves
// them to the trash, at the end of a drag from the list.
func (u *UI) onDropEntries(abs fyne.Position) {
	it, ok := u.sidebar.itemAt(abs)
	keys := u.list.selection()
	if !ok || len(keys) == 0 {
		u.status.SetText("")
		return
	}
	// The status line said where to drop; now it says what the drop did (a failure says so
	// instead). The list's count stays the same, so its reload does not say it again.
	n := rowsText(len(keys))
	switch it.kind {
	case kindCollection:
		if c, ok := u.sidebar.collection(it.id); ok {
			u.status.SetText(fmt.Sprintf("%s added to %s", n, c.Name))
			u.addToCollection(c, keys...)
		}
	case kindTag:
		tag := strings.TrimPrefix(it.id, "tag:")
		u.status.SetText(fmt.Sprintf("%s tagged %s", n, tag))
		u.addTag(keys, tag)
	case kindTrash:
		u.status.SetText("")
		u.onTrash()
	case kindFixed:
		switch it.id {
		case idStarred:
			u.status.SetText(n + " starred")
			u.setStarred(true, keys...)
		case idUnread:
			u.status.SetText(n + " marked unread")
			u.setRead(false, keys...)
		default:
			u.status.SetText("")
		}
	default:
		u.status.SetText("")
	}
}

// collectionID reads the id of a collection row.
func collectionID(id string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(id, "col:"), 10, 64)
	return n, err == nil && strings.HasPrefix(id, "col:")
}
