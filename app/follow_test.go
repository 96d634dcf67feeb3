package app

import (
	"context"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// TestWindowFollowsOtherWriters: what another program writes to the library (here a second
// connection to the same file, as the command line has) reaches the window without a click: a
// new entry in the list and the sidebar's count, a tag in the sidebar, the shown entry's new
// title in the pane; and the field being typed in keeps its text.
func TestWindowFollowsOtherWriters(t *testing.T) {
	u, lib := newTestUI(t)
	selectKey(t, u, "vinyals2015pointer")
	other, err := storage.Open(context.Background(), lib.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()

	src := "@article{okoro2021,\n  author = {Okoro, Ada},\n  title = {Followed from Elsewhere},\n  journal = {J},\n  year = 2021,\n}\n"
	if rep, err := other.Import(ctx, bib.ParseString("other.bib", src)); err != nil || len(rep.Added) != 1 {
		t.Fatal(rep, err)
	}
	eventually(t, "the new entry in the list and the sidebar", func() bool {
		return u.settled() && u.Rows() == 57 && sideCount(u, idLibrary) == 57
	})
	if _, err := other.AddTags(ctx, []string{"okoro2021"}, "followed"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new tag in the sidebar", func() bool {
		return u.settled() && sideCount(u, "tag:followed") == 1
	})

	// The user types in the note field of the entry shown while another program changes its
	// title: the pane shows the new title, the typing stays.
	fyneDoAndWait(func() {
		u.detail.info.newName.SetText("note")
		u.detail.info.newValue.SetText("first")
		u.detail.info.addField()
	})
	eventually(t, "the note stored", func() bool { return u.settled() && fieldEditor(u, "note") != nil })
	fyneDoAndWait(func() {
		f := fieldEditor(u, "note")
		u.win.Canvas().Focus(f)
		f.SetText("being typed")
	})
	e, err := other.Entry(ctx, "vinyals2015pointer")
	if err != nil {
		t.Fatal(err)
	}
	e.Set("title", "Pointer Networks, Changed Elsewhere")
	if err := other.UpdateEntry(ctx, "vinyals2015pointer", e); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new title in the pane", func() bool {
		return u.settled() && u.detail.info.title.Text == "Pointer Networks, Changed Elsewhere"
	})
	var typed string
	fyneDoAndWait(func() { typed = fieldEditor(u, "note").Text })
	if typed != "being typed" {
		t.Errorf("the field being typed in shows %q", typed)
	}
	fyneDoAndWait(func() { u.win.Canvas().Unfocus() })
	eventually(t, "the typing stored", func() bool { return u.settled() })
	if got := stored(t, lib, "vinyals2015pointer", "note"); got != "being typed" {
		t.Errorf("note stored %q", got)
	}
	if got := stored(t, lib, "vinyals2015pointer", "title"); got != "Pointer Networks, Changed Elsewhere" {
		t.Errorf("the other program's title became %q", got)
	}
}

// TestWindowNotFollowingItself: the window's own changes do not make it read the library again
// as if another program had made them.
func TestWindowNotFollowingItself(t *testing.T) {
	u, _ := newTestUI(t)
	selectKey(t, u, "vinyals2015pointer")
	reads := 0
	fyneDoAndWait(func() {
		prev := u.results.shown
		u.results.shown = func(r shownResult) { reads++; prev(r) }
	})
	fyneDoAndWait(func() {
		f := fieldEditor(u, "title")
		u.win.Canvas().Focus(f)
		f.SetText("Pointer Networks, Once")
		u.win.Canvas().Unfocus()
	})
	eventually(t, "the edit shown", func() bool { return u.settled() && u.detail.info.title.Text == "Pointer Networks, Once" })
	time.Sleep(4 * followEvery)
	settle(t, u)
	if reads != 1 {
		t.Errorf("the list was read %d times after one edit, want once", reads)
	}
}
