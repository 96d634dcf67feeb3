package app

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fynestorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/bibshelf/bibshelf/storage"
)

// selectKey selects one entry of the list by key, as a click on its row, and waits for the
// entry pane to show it.
func selectKey(t *testing.T, u *UI, key string) {
	t.Helper()
	eventually(t, key+" in the list", func() bool { return u.settled() && slices.Contains(listKeys(u), key) })
	fyneDoAndWait(func() { u.list.tap(slices.Index(listKeys(u), key), 0) })
	eventually(t, key+" in the entry pane", func() bool {
		return u.settled() && u.detail.entry != nil && u.detail.entry.Key == key
	})
}

// fieldEditor returns the Info tab's editor of a field. Call it on the UI goroutine.
func fieldEditor(u *UI, name string) *fieldEntry {
	for _, it := range u.detail.info.form.Items {
		if strings.TrimSuffix(it.Text, " *") == name {
			return it.Widget.(*fieldEntry)
		}
	}
	return nil
}

func stored(t *testing.T, lib *storage.Library, key, field string) string {
	t.Helper()
	e, err := lib.Entry(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return e.Get(field)
}

func TestEditFieldUndoRedo(t *testing.T) {
	u, lib := newTestUI(t)
	selectKey(t, u, "vinyals2015pointer")

	// Typing into the title and leaving the field stores the new title.
	fyneDoAndWait(func() {
		f := fieldEditor(u, "title")
		u.win.Canvas().Focus(f)
		f.SetText("Pointer Networks, Revisited")
		u.win.Canvas().Unfocus()
	})
	eventually(t, "the edit stored", func() bool { return u.settled() && u.detail.info.title.Text == "Pointer Networks, Revisited" })
	if got := stored(t, lib, "vinyals2015pointer", "title"); got != "Pointer Networks, Revisited" {
		t.Fatalf("stored title %q", got)
	}
	if rows := searchKeys(t, lib, "revisited"); !slices.Equal(rows, []string{"vinyals2015pointer"}) {
		t.Errorf("search for the new title finds %v", rows)
	}

	// A new field, then undo of both, newest first, then redo.
	fyneDoAndWait(func() {
		u.detail.info.newName.SetText("note")
		u.detail.info.newValue.SetText("Seminal")
		u.detail.info.addField()
	})
	eventually(t, "the note stored", func() bool { return u.settled() && fieldEditor(u, "note") != nil })
	fyneDoAndWait(u.onUndo)
	// The note's editor stays, empty, while the entry is shown: no editor moves.
	eventually(t, "the note undone", func() bool {
		return u.settled() && u.detail.entry.Field("note") == nil && fieldEditor(u, "note").Text == ""
	})
	fyneDoAndWait(u.onUndo)
	eventually(t, "the title undone", func() bool { return u.settled() && u.detail.info.title.Text == "Pointer Networks" })
	e, err := lib.Entry(context.Background(), "vinyals2015pointer")
	if err != nil {
		t.Fatal(err)
	}
	if e.Source == "" || !strings.HasPrefix(e.Source, "@inproceedings{vinyals2015pointer,") {
		t.Errorf("undo did not bring back the entry as imported; source %q", e.Source)
	}
	fyneDoAndWait(u.onRedo)
	eventually(t, "the title redone", func() bool { return u.settled() && u.detail.info.title.Text == "Pointer Networks, Revisited" })

	// Unbalanced braces are refused with a word, and nothing is stored.
	fyneDoAndWait(func() {
		f := fieldEditor(u, "pages")
		f.SetText("{2692--2700")
		f.handOver()
	})
	eventually(t, "the refusal shown", func() bool { return u.settled() && u.detail.info.problem.Visible() })
	if got := stored(t, lib, "vinyals2015pointer", "pages"); got != "2692--2700" {
		t.Errorf("pages stored as %q", got)
	}
}

func TestEditKeyTypeAndRequiredFields(t *testing.T) {
	u, lib := newTestUI(t)
	selectKey(t, u, "vinyals2015pointer")
	fyneDoAndWait(func() { u.detail.info.kind.SetSelected("book") })
	eventually(t, "the type stored", func() bool {
		return u.settled() && u.detail.entry.Type == "book" && strings.Contains(u.detail.info.missing.Text, "publisher")
	})
	var labels []string
	fyneDoAndWait(func() {
		for _, it := range u.detail.info.form.Items {
			labels = append(labels, it.Text)
		}
	})
	if !slices.Contains(labels, "publisher *") {
		t.Errorf("the missing required field has no editor: %v", labels)
	}
	fyneDoAndWait(func() {
		u.detail.info.key.SetText("Vinyals:2015")
		u.detail.info.key.handOver()
	})
	eventually(t, "the key stored", func() bool { return u.settled() && u.detail.entry.Key == "Vinyals:2015" })
	e, err := lib.Entry(context.Background(), "Vinyals:2015")
	if err != nil {
		t.Fatal(err)
	}
	// The source keeps its own layout under the new head.
	if !strings.HasPrefix(e.Source, "@book{Vinyals:2015,") || !strings.Contains(e.Source, "Pointer Networks") {
		t.Errorf("source after the rename: %q", e.Source)
	}
	// A key BibTeX cannot take is refused.
	fyneDoAndWait(func() {
		u.detail.info.key.SetText("two words")
		u.detail.info.key.handOver()
	})
	eventually(t, "the refusal", func() bool { return u.settled() && u.detail.info.problem.Visible() })
	if _, err := lib.Entry(context.Background(), "two words"); err == nil {
		t.Error("a key with a space was stored")
	}
}

func TestBibTeXTabChecksAsYouType(t *testing.T) {
	u, lib := newTestUI(t)
	selectKey(t, u, "vinyals2015pointer")
	tab := u.detail.source
	fyneDoAndWait(func() {
		test.Type(tab.text, "") // focus only
		tab.text.SetText("@inproceedings{vinyals2015pointer,\n  title = {Pointer Networks,\n  year = 2015\n}\n")
	})
	var status string
	var disabled bool
	fyneDoAndWait(func() { status, disabled = tab.status.Text, tab.save.Disabled() })
	if !disabled || !strings.Contains(status, "line ") {
		t.Errorf("broken BibTeX: save disabled %v, status %q", disabled, status)
	}
	fyneDoAndWait(func() { tab.text.SetText("@inproceedings{a, title = {A}}\n@misc{b}") })
	fyneDoAndWait(func() { status, disabled = tab.status.Text, tab.save.Disabled() })
	if !disabled || !strings.Contains(status, "2 entries") {
		t.Errorf("two entries: save disabled %v, status %q", disabled, status)
	}
	typed := "@inproceedings{vinyals2015pointer,\n  title     = {Pointer Networks},\n  author    = {Vinyals, Oriol},\n  booktitle = {NIPS},\n  year      = 2015\n}"
	fyneDoAndWait(func() { tab.text.SetText(typed) })
	fyneDoAndWait(func() { disabled = tab.save.Disabled() })
	if disabled {
		t.Fatal("valid BibTeX cannot be saved")
	}
	fyneDoAndWait(func() { test.Tap(tab.save) })
	eventually(t, "the BibTeX saved", func() bool { return u.settled() && u.detail.entry.Get("booktitle") == "NIPS" })
	var buf strings.Builder
	// The entry's tags (from the keywords the sample had) would be added back as keywords.
	if _, err := lib.Export(context.Background(), &buf, storage.ExportOptions{Keys: []string{"vinyals2015pointer"}, NoKeywordTags: true}); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(buf.String()) != typed {
		t.Errorf("exported\n%s\nwant the text as typed\n%s", buf.String(), typed)
	}
}

func TestTagsFlagsAndCollectionsFromTheInfoTab(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	col, err := lib.CreateCollection(ctx, nil, "Reading group")
	if err != nil {
		t.Fatal(err)
	}
	selectKey(t, u, "vinyals2015pointer")
	// The tag field suggests the library's tags as you type.
	fyneDoAndWait(func() { u.detail.info.tagInput.SetText("self-sup") })
	var suggested []string
	fyneDoAndWait(func() {
		for _, o := range u.detail.info.suggestions.Objects {
			if b, ok := o.(*widget.Button); ok {
				suggested = append(suggested, b.Text)
			}
		}
	})
	if len(suggested) == 0 || !strings.HasPrefix(suggested[0], "self-sup") {
		t.Errorf("suggestions for self-sup: %v", suggested)
	}
	fyneDoAndWait(func() {
		u.detail.info.tagInput.SetText("reading/2026")
		u.detail.info.tagInput.OnSubmitted("reading/2026")
	})
	fyneDoAndWait(func() { u.detail.info.starred.SetChecked(true) })
	fyneDoAndWait(func() { test.Tap(u.detail.info.rating.stars[3]) })
	fyneDoAndWait(func() { u.detail.info.addToColl.SetSelected("Reading group") })
	eventually(t, "the changes shown", func() bool {
		return u.settled() && slices.Contains(u.detail.info.d.tags, "reading/2026") && u.detail.info.d.flags.Starred &&
			u.detail.info.d.flags.Rating == 4 && len(u.detail.info.d.collections) == 1
	})
	if got := searchKeys(t, lib, "tag:reading is:starred in:\"Reading group\""); !slices.Equal(got, []string{"vinyals2015pointer"}) {
		t.Errorf("the library has %v", got)
	}
	eventually(t, "the sidebar counts the star", func() bool { return u.settled() && sideCount(u, idStarred) == 1 })
	// Undo, four times: out of the collection, rating back to none, unstarred, untagged.
	for range 4 {
		fyneDoAndWait(u.onUndo)
	}
	eventually(t, "all undone", func() bool {
		return u.settled() && !slices.Contains(u.detail.info.d.tags, "reading/2026") && !u.detail.info.d.flags.Starred &&
			u.detail.info.d.flags.Rating == 0 && len(u.detail.info.d.collections) == 0
	})
	if n, _ := lib.CountMatches(ctx, storage.Filter{}, fmt.Sprintf("in:%q", col.Name)); n != 0 {
		t.Errorf("the collection still holds %d entries", n)
	}
}

func TestMultiSelectCopyCitationAndTrash(t *testing.T) {
	u, lib := newTestUI(t)
	eventually(t, "56 rows", func() bool { return u.settled() && u.Rows() == 56 })
	keys := func() []string { var k []string; fyneDoAndWait(func() { k = listKeys(u) }); return k }()
	fyneDoAndWait(func() {
		u.list.tap(0, 0)
		u.list.tap(2, fyne.KeyModifierControl)
		u.list.tap(4, fyne.KeyModifierShortcutDefault)
	})
	fyneDoAndWait(u.onCopyCitation)
	want := `\cite{` + keys[0] + "," + keys[2] + "," + keys[4] + "}"
	if got := u.app.Clipboard().Content(); got != want {
		t.Errorf("clipboard %q, want %q", got, want)
	}
	// The command is a preference; Pandoc's form is [@a; @b].
	u.app.Preferences().SetString(prefCiteCommand, "Pandoc [@key]")
	fyneDoAndWait(func() { u.list.tap(0, 0); u.list.tap(1, fyne.KeyModifierShift) })
	fyneDoAndWait(func() { u.listShortcut(&fyne.ShortcutCopy{}) }) // Ctrl+C in the list
	if got, want := u.app.Clipboard().Content(), "[@"+keys[0]+"; @"+keys[1]+"]"; got != want {
		t.Errorf("clipboard %q, want %q", got, want)
	}

	// Delete moves the selection to the trash; undo brings it back.
	fyneDoAndWait(func() { u.list.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete}) })
	eventually(t, "two in the trash", func() bool { return u.settled() && u.Rows() == 54 && sideCount(u, idTrash) == 2 })
	if n, _ := lib.Count(context.Background()); n != 54 {
		t.Errorf("Count after trashing two = %d", n)
	}
	fyneDoAndWait(u.onUndo)
	eventually(t, "back from the trash", func() bool { return u.settled() && u.Rows() == 56 && sideCount(u, idTrash) == 0 })
}

func TestArrowsMoveTheSelection(t *testing.T) {
	u, _ := newTestUI(t)
	eventually(t, "56 rows", func() bool { return u.settled() && u.Rows() == 56 })
	keys := func() []string { var k []string; fyneDoAndWait(func() { k = listKeys(u) }); return k }()
	fyneDoAndWait(func() {
		u.list.tap(3, 0)
		u.list.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
		u.list.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
		u.list.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	})
	var sel []string
	fyneDoAndWait(func() { sel = u.list.selection() })
	if !slices.Equal(sel, []string{keys[4]}) {
		t.Errorf("after Down, Down, Up from row 3: %v, want %v", sel, keys[4])
	}
	eventually(t, "the pane follows", func() bool { return u.settled() && u.detail.entry != nil && u.detail.entry.Key == keys[4] })
}

// Pasted and new entries made while a collection is shown go into it, and are selected.
func TestPasteIntoTheViewedCollection(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	c, err := lib.CreateCollection(ctx, nil, "Drafts")
	if err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyneDoAndWait(u.sidebar.refresh)
	id := fmt.Sprintf("col:%d", c.ID)
	selectSide(t, u, id)
	showsExactly(t, u, "the empty collection", nil)
	u.app.Clipboard().SetContent("@article{pasted2026, title = {Pasted from a Web Page}, author = {Ada Lovelace}, year = 2026}")
	fyneDoAndWait(u.onPaste)
	showsExactly(t, u, "the pasted entry in the collection", []string{"pasted2026"})
	eventually(t, "the pasted entry selected", func() bool {
		return u.settled() && slices.Equal(u.list.selection(), []string{"pasted2026"}) && u.detail.entry != nil && u.detail.entry.Key == "pasted2026"
	})
	fyneDoAndWait(func() {
		if top := u.win.Canvas().Overlays().Top(); top != nil {
			u.win.Canvas().Overlays().Remove(top) // the report
		}
	})
	fyneDoAndWait(func() {
		u.addEntry(&bib.Entry{Type: "misc", Fields: []bib.Field{{Name: "title", Value: "Made here"}}}, "New entry")
	})
	eventually(t, "the new entry in the collection, selected", func() bool {
		return u.settled() && len(rowKeys(u)) == 2 && u.detail.entry != nil && u.detail.entry.Get("title") == "Made here" &&
			slices.Contains(rowKeys(u), u.detail.entry.Key)
	})
}

func TestPasteNewAndDuplicateEntry(t *testing.T) {
	u, lib := newTestUI(t)
	eventually(t, "56 rows", func() bool { return u.settled() && u.Rows() == 56 })
	u.app.Clipboard().SetContent("@article{pasted2026, title = {Pasted from a Web Page}, author = {Ada Lovelace}, year = 2026}")
	fyneDoAndWait(u.onPaste)
	eventually(t, "57 rows", func() bool { return u.settled() && u.Rows() == 57 })
	fyneDoAndWait(func() {
		if top := u.win.Canvas().Overlays().Top(); top != nil {
			u.win.Canvas().Overlays().Remove(top) // the report
		}
	})
	// A new entry gets a key and shows its required fields to fill in.
	fyneDoAndWait(func() { u.addEntry(&bib.Entry{Type: "article"}, "New entry") })
	eventually(t, "the new entry selected", func() bool {
		return u.settled() && u.detail.entry != nil && u.detail.entry.Type == "article" && fieldEditor(u, "journal") != nil
	})
	newKey := u.detail.entry.Key
	fyneDoAndWait(u.onUndo)
	eventually(t, "the new entry in the trash", func() bool { return u.settled() && u.Rows() == 57 })
	selectKey(t, u, "pasted2026")
	fyneDoAndWait(u.onDuplicateEntry)
	eventually(t, "the copy selected", func() bool {
		return u.settled() && u.detail.entry != nil && u.detail.entry.Key == "Lovelace2026"
	})
	if got := stored(t, lib, "Lovelace2026", "title"); got != "Pasted from a Web Page" {
		t.Errorf("the copy's title %q", got)
	}
	if _, err := lib.Entry(context.Background(), newKey); err != nil {
		t.Errorf("the undone new entry %q is not kept in the trash: %v", newKey, err)
	}
}

// newSyntheticUI is newTestUI over a library of n generated entries.
func newSyntheticUI(t *testing.T, n int, seed uint64) (*UI, *storage.Library) {
	t.Helper()
	a := test.NewTempApp(t)
	lib, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "library.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	var src strings.Builder
	if err := bibtest.Synthetic(&src, n, seed); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Import(context.Background(), bib.Parse("synth.bib", []byte(src.String()))); err != nil {
		t.Fatal(err)
	}
	u := newUI(t, a, lib)
	u.Window().Resize(fyne.NewSize(1280, 800))
	u.Window().Show()
	t.Cleanup(func() { eventually(t, "the window to settle", u.settled) })
	eventually(t, fmt.Sprintf("%d rows", n), func() bool { return u.settled() && u.Rows() == n })
	return u, lib
}

func TestListPagesALargeResult(t *testing.T) {
	u, lib := newSyntheticUI(t, 2000, 1)
	var held int
	fyneDoAndWait(func() { held = len(u.list.pages) })
	if held != 1 {
		t.Errorf("the list holds %d pages after the first search, want 1", held)
	}
	// The last row is read when it is needed, not before.
	fyneDoAndWait(func() { u.list.row(1999) })
	eventually(t, "the last page", func() bool {
		r, ok := u.list.row(1999)
		return u.settled() && ok && r.Key != ""
	})
	want, err := lib.SearchWith(context.Background(), storage.SearchOptions{Offset: 1999, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	var got storage.Row
	fyneDoAndWait(func() { got, _ = u.list.row(1999) })
	if got.Key != want[0].Key {
		t.Errorf("row 1999 is %q, storage says %q", got.Key, want[0].Key)
	}
	// Reading every row keeps no more than keepPages pages.
	for i := 0; i < 2000; i += pageRows {
		fyneDoAndWait(func() { u.list.row(i) })
		eventually(t, "page read", func() bool { _, ok := u.list.row(i); return u.settled() && ok })
	}
	fyneDoAndWait(func() { held = len(u.list.pages) })
	if held > keepPages {
		t.Errorf("the list holds %d pages, more than %d", held, keepPages)
	}
}

func TestMergeDialogChoosesPerField(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	src := "@article{dupA, title = {Deep Nets}, author = {Ada Lovelace}, doi = {10.1/xyz}, year = 2020}\n" +
		"@article{dupB, title = {Deep Networks}, author = {Ada Lovelace}, doi = {10.1/XYZ}, year = 2020, pages = {1--10}}\n"
	if _, err := lib.Import(ctx, bib.Parse("dups.bib", []byte(src))); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyneDoAndWait(u.onFindDuplicates)
	eventually(t, "the merge dialog", func() bool {
		top := u.win.Canvas().Overlays().Top()
		if top == nil {
			return false
		}
		var checks []*dialogCheck
		walk(top, func(o fyne.CanvasObject) {
			if c, ok := o.(*dialogCheck); ok && c.Text == "Deep Networks" {
				checks = append(checks, c)
			}
		})
		if len(checks) != 1 {
			return false
		}
		checks[0].SetChecked(true) // keep B's title
		return true
	})
	fyneDoAndWait(func() {
		walk(u.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Merge" {
				test.Tap(b)
			}
		})
	})
	eventually(t, "merged", func() bool {
		n, _ := lib.CountMatches(ctx, storage.Filter{}, "key:dupB")
		return u.settled() && n == 0
	})
	e, err := lib.Entry(ctx, "dupA")
	if err != nil {
		t.Fatal(err)
	}
	if e.Get("title") != "Deep Networks" || e.Get("pages") != "1--10" {
		t.Errorf("kept entry: title %q, pages %q", e.Get("title"), e.Get("pages"))
	}
	note, _ := lib.Note(ctx, "dupA")
	if !strings.Contains(note, "dupB") {
		t.Errorf("the note does not say what was merged: %q", note)
	}
}

func TestColumnChoiceIsRemembered(t *testing.T) {
	u, _ := newTestUI(t)
	settle(t, u)
	fyneDoAndWait(func() {
		u.list.toggleColumn("type")
		u.list.toggleColumn("venue")
		u.list.toggleColumn("title") // always shown
	})
	if got := u.app.Preferences().String(prefColumns); got != "title,authors,year,key,added,type" {
		t.Errorf("columns preference %q", got)
	}
	// A new window over the same preferences shows the same columns.
	fyneDoAndWait(func() {
		l := newEntryList(u.app.Preferences())
		var ids []string
		for _, c := range l.cols {
			ids = append(ids, c.id)
		}
		if got := strings.Join(ids, ","); got != "title,authors,year,key,added,type" {
			t.Errorf("a new list shows %s", got)
		}
	})
	// The type column shows each row's type, the added column today's date.
	fyneDoAndWait(func() {
		r, _ := u.list.row(0)
		if v := u.list.cols[4].value(r); v != time.Now().Format("2006-01-02") {
			t.Errorf("added column shows %q", v)
		}
	})
	fyneDoAndWait(func() {
		r, _ := u.list.row(0)
		if v := u.list.cols[5].value(r); v == "" || v != r.Type {
			t.Errorf("type column shows %q for %+v", v, r)
		}
	})
}

// shownEditors returns the field editors on screen in the Info tab, by field name: the names
// the tab built its form for, paired in order with the editors the form draws. Call it on the
// UI goroutine.
func shownEditors(u *UI) map[string]*fieldEntry {
	out := map[string]*fieldEntry{}
	form, ok := u.detail.info.formBox.Objects[0].(*widget.Form)
	if !ok {
		return out
	}
	var editors []*fieldEntry
	walk(form, func(o fyne.CanvasObject) {
		if w, ok := o.(*fieldEntry); ok {
			editors = append(editors, w)
		}
	})
	for i, e := range editors {
		if i < len(u.detail.info.names) {
			out[u.detail.info.names[i]] = e
		}
	}
	return out
}

func TestInfoTabFollowsTheSelection(t *testing.T) {
	u, lib := newTestUI(t)
	selectKey(t, u, "vinyals2015pointer")
	selectKey(t, u, "zhang2023noisy")
	zhang, err := lib.Entry(context.Background(), "zhang2023noisy")
	if err != nil {
		t.Fatal(err)
	}
	var title, year string
	fyneDoAndWait(func() {
		ed := shownEditors(u)
		if ed["title"] != nil && ed["year"] != nil {
			title, year = ed["title"].Text, ed["year"].Text
		}
	})
	if title != zhang.Get("title") || year != zhang.Get("year") {
		t.Fatalf("the Info tab shows title %q, year %q; zhang2023noisy has %q, %q", title, year, zhang.Get("title"), zhang.Get("year"))
	}

	// An edit typed into the title, then a click on another row: the edit goes to the entry it
	// was typed for, and the selection stays on the row clicked.
	fyneDoAndWait(func() {
		f := shownEditors(u)["title"]
		u.win.Canvas().Focus(f)
		f.SetText("Edited while selected")
	})
	var other int
	fyneDoAndWait(func() { other = slices.Index(listKeys(u), "vinyals2015pointer") })
	fyneDoAndWait(func() {
		u.win.Canvas().Focus(u.list.table) // as entryCell.Tapped does
		u.list.tap(other, 0)
	})
	eventually(t, "the other entry shown", func() bool {
		return u.settled() && u.detail.entry != nil && u.detail.entry.Key == "vinyals2015pointer" &&
			slices.Equal(u.list.selection(), []string{"vinyals2015pointer"})
	})
	if got := stored(t, lib, "zhang2023noisy", "title"); got != "Edited while selected" {
		t.Errorf("zhang2023noisy's title is %q", got)
	}
	if got := stored(t, lib, "vinyals2015pointer", "title"); got != "Pointer Networks" {
		t.Errorf("vinyals2015pointer's title is %q", got)
	}
}

// Two edits made one right after the other, before the first is stored, both count.
func TestQuickEditsBuildOnEachOther(t *testing.T) {
	u, lib := newTestUI(t)
	selectKey(t, u, "vinyals2015pointer")
	fyneDoAndWait(func() {
		ed := shownEditors(u)
		ed["title"].SetText("Pointer Networks II")
		ed["title"].handOver()
		ed["pages"].SetText("1--10")
		ed["pages"].handOver()
		ed["volume"].SetText("")
		ed["volume"].handOver()
	})
	settle(t, u)
	e, err := lib.Entry(context.Background(), "vinyals2015pointer")
	if err != nil {
		t.Fatal(err)
	}
	if e.Get("title") != "Pointer Networks II" || e.Get("pages") != "1--10" || e.Field("volume") != nil {
		t.Errorf("after three quick edits: title %q, pages %q, volume %v", e.Get("title"), e.Get("pages"), e.Field("volume"))
	}
	// Undo three times, at once: back to the entry as imported.
	fyneDoAndWait(func() { u.onUndo(); u.onUndo(); u.onUndo() })
	settle(t, u)
	e, _ = lib.Entry(context.Background(), "vinyals2015pointer")
	if e.Get("title") != "Pointer Networks" || e.Get("pages") != "2692--2700" || e.Get("volume") != "28" || e.Source == "" {
		t.Errorf("after three undos: title %q, pages %q, volume %q, source kept %v", e.Get("title"), e.Get("pages"), e.Get("volume"), e.Source != "")
	}
}

// Undo pressed before the change it undoes has reached the library undoes that change.
func TestUndoRightAway(t *testing.T) {
	u, lib := newTestUI(t)
	selectKey(t, u, "vinyals2015pointer")
	fyneDoAndWait(func() {
		u.setStarred(true, "vinyals2015pointer")
		u.onTrash()
		u.onUndo()
	})
	settle(t, u)
	ctx := context.Background()
	f, err := lib.EntryFlags(ctx, "vinyals2015pointer")
	if err != nil {
		t.Fatal(err)
	}
	if !f.Trashed.IsZero() || !f.Starred {
		t.Errorf("after star, trash, undo: trashed %v, starred %v; want back from the trash, still starred", !f.Trashed.IsZero(), f.Starred)
	}
}

// A change of many entries is one transaction: when one of them is gone by the time it runs,
// none changes, and nothing is left for undo to miss. Undo of a change that went through takes
// back exactly what it changed.
func TestBulkChangesAreWhole(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	flags := func() (starred, read []string) {
		t.Helper()
		for _, k := range []string{"vinyals2015pointer", "biondi2024stationary", "zhang2023noisy"} {
			f, err := lib.EntryFlags(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			if f.Starred {
				starred = append(starred, k)
			}
			if f.Read {
				read = append(read, k)
			}
		}
		return starred, read
	}
	settle(t, u)
	if _, err := lib.SetStarred(ctx, true, "zhang2023noisy"); err != nil {
		t.Fatal(err)
	}
	// A key that is not in the library, last: before, the entries ahead of it were starred one
	// by one, and stayed starred when the change failed and left the history.
	fyneDoAndWait(func() { u.setStarred(true, "vinyals2015pointer", "biondi2024stationary", "no-such-key") })
	settle(t, u)
	if starred, _ := flags(); !slices.Equal(starred, []string{"zhang2023noisy"}) {
		t.Errorf("after a failed star of three entries: starred %v, want only the one starred before", starred)
	}
	fyneDoAndWait(func() { u.setRead(true, "biondi2024stationary", "no-such-key") })
	settle(t, u)
	if _, read := flags(); len(read) != 0 {
		t.Errorf("after a failed mark as read: read %v, want none", read)
	}
	fyneDoAndWait(func() { u.setStarred(true, "vinyals2015pointer", "zhang2023noisy") })
	settle(t, u)
	fyneDoAndWait(u.onUndo)
	settle(t, u)
	if starred, _ := flags(); !slices.Equal(starred, []string{"zhang2023noisy"}) {
		t.Errorf("after star and undo: starred %v, want the entry starred before still starred", starred)
	}
	// Tags and collections alike.
	if _, err := lib.AddTags(ctx, []string{"zhang2023noisy"}, "kept"); err != nil {
		t.Fatal(err)
	}
	fyneDoAndWait(func() { u.addTag([]string{"vinyals2015pointer", "zhang2023noisy", "no-such-key"}, "kept") })
	settle(t, u)
	if got := searchKeys(t, lib, "tag:kept"); !slices.Equal(got, []string{"zhang2023noisy"}) {
		t.Errorf("after a failed tag: tagged %v", got)
	}
	fyneDoAndWait(func() { u.addTag([]string{"vinyals2015pointer", "zhang2023noisy"}, "kept") })
	settle(t, u)
	fyneDoAndWait(u.onUndo)
	settle(t, u)
	if got := searchKeys(t, lib, "tag:kept"); !slices.Equal(got, []string{"zhang2023noisy"}) {
		t.Errorf("after tag and undo: tagged %v, want the entry tagged before", got)
	}
}

func TestSelectAllReachesUnreadPages(t *testing.T) {
	u, _ := newSyntheticUI(t, 1000, 2)
	fyneDoAndWait(u.list.selectAll)
	eventually(t, "all selected", func() bool { return u.settled() && len(u.list.selection()) == 1000 })
	// An edit of a row far down keeps the list's length and the cursor where they were.
	fyneDoAndWait(func() { u.list.tap(0, 0) })
	fyneDoAndWait(func() { u.list.row(700) })
	eventually(t, "row 700", func() bool { _, ok := u.list.row(700); return u.settled() && ok })
	fyneDoAndWait(func() { u.list.tap(700, 0) })
	settle(t, u)
	fyneDoAndWait(func() { u.setStarred(true, u.list.selection()...) })
	eventually(t, "starred", func() bool { return u.settled() && sideCount(u, idStarred) == 1 })
	var total, cursor int
	fyneDoAndWait(func() { total, cursor = u.list.total, u.list.cursor })
	if total != 1000 || cursor != 700 {
		t.Errorf("after an edit: %d rows, cursor at %d; want 1000 and 700", total, cursor)
	}
}

func TestColumnWidthsAreRemembered(t *testing.T) {
	u, _ := newTestUI(t)
	settle(t, u)
	fyneDoAndWait(func() {
		// As a drag of the Title column's edge leaves it: the header cell resized, then DragEnd.
		h := u.list.headers[0]
		if h == nil {
			t.Fatal("no header cell drawn for the title")
		}
		u.list.table.SetColumnWidth(0, 420)
		h.Resize(fyne.NewSize(420, h.Size().Height))
		u.list.table.DragEnd()
	})
	if got := u.app.Preferences().Float(prefWidthPrefix + "title"); got != 420 {
		t.Errorf("title width preference %v, want 420", got)
	}
}

func TestBatchActionsOnSeveralEntries(t *testing.T) {
	u, lib := newTestUI(t)
	settle(t, u)
	fyneDoAndWait(func() { u.list.tap(0, 0); u.list.tap(2, fyne.KeyModifierShift) })
	eventually(t, "three selected", func() bool { return u.settled() && u.detail.batch.Visible() })
	keys := func() []string { var k []string; fyneDoAndWait(func() { k = u.list.selection() }); return k }()
	fyneDoAndWait(func() {
		walk(u.detail.batch, func(o fyne.CanvasObject) {
			if e, ok := o.(*widget.Entry); ok {
				e.SetText("to read")
				e.OnSubmitted(e.Text)
			}
		})
	})
	tapBatch := func(label string) {
		fyneDoAndWait(func() {
			walk(u.detail.batch, func(o fyne.CanvasObject) {
				if b, ok := o.(*widget.Button); ok && b.Text == label {
					test.Tap(b)
				}
			})
		})
	}
	tapBatch("Star")
	eventually(t, "tagged and starred", func() bool { return u.settled() && sideCount(u, idStarred) == 3 })
	if got := searchKeys(t, lib, `tag:"to read" is:starred`); len(got) != 3 || !slices.Equal(rowKeysOf(got), rowKeysOf(keys)) {
		t.Errorf("tagged and starred: %v, selected %v", got, keys)
	}
	fyneDoAndWait(func() { u.onUndo(); u.onUndo() })
	eventually(t, "undone", func() bool { return u.settled() && sideCount(u, idStarred) == 0 })
	if got := searchKeys(t, lib, `tag:"to read"`); len(got) != 0 {
		t.Errorf("still tagged after undo: %v", got)
	}
}

func rowKeysOf(keys []string) []string {
	k := slices.Clone(keys)
	slices.Sort(k)
	return k
}

// Undoing "add to collection" takes out only the entries the change put in.
func TestUndoAddToCollectionKeepsWhatWasThere(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	c, err := lib.CreateCollection(ctx, nil, "Reading")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.AddToCollection(ctx, c.ID, "vinyals2015pointer"); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyneDoAndWait(func() { u.addToCollection(c, "vinyals2015pointer", "zhang2023noisy") })
	settle(t, u)
	if got := searchKeys(t, lib, `in:"Reading"`); len(got) != 2 {
		t.Fatalf("after adding: %v", got)
	}
	fyneDoAndWait(u.onUndo)
	settle(t, u)
	if got := searchKeys(t, lib, `in:"Reading"`); !slices.Equal(got, []string{"vinyals2015pointer"}) {
		t.Errorf("after undo the collection holds %v, want the entry it had", got)
	}
}

// Files dropped onto the window: .bib files are imported; a PDF dropped on the entry pane is
// attached to the entry it shows, and one dropped anywhere else is added as a paper (read by
// PDFium: this one names no identifier, so its entry is made of what it says, for review).
func TestDropOntoTheWindow(t *testing.T) {
	u, lib := newTestUI(t)
	dir := t.TempDir()
	bibPath := filepath.Join(dir, "dropped.bib")
	pdf := filepath.Join(dir, "paper.pdf")
	if err := os.WriteFile(bibPath, []byte("@misc{dropped1, title = {Dropped}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pdf, []byte("%PDF-1.4"), 0o644); err != nil {
		t.Fatal(err)
	}
	selectKey(t, u, "vinyals2015pointer")
	var onPane fyne.Position
	fyneDoAndWait(func() {
		o := u.detail.content
		onPane = fyne.CurrentApp().Driver().AbsolutePositionForObject(o).Add(fyne.NewPos(o.Size().Width/2, o.Size().Height/2))
		u.onDropped(fyne.NewPos(10, 10), []fyne.URI{fynestorage.NewFileURI(bibPath)})
		u.onDropped(onPane, []fyne.URI{fynestorage.NewFileURI(pdf)})
	})
	eventually(t, "the import", func() bool { return u.settled() && u.Rows() == 57 })
	eventually(t, "the attachment", func() bool {
		as, err := lib.Attachments(context.Background(), "vinyals2015pointer")
		return err == nil && len(as) == 1 && as[0].Path == pdf
	})

	paper, err := os.ReadFile(filepath.Join("..", "bib", "pdfread", "testdata", "papers", "p7-no-metadata.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	scan := filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(scan, paper, 0o644); err != nil {
		t.Fatal(err)
	}
	fyneDoAndWait(func() { u.onDropped(fyne.NewPos(10, 10), []fyne.URI{fynestorage.NewFileURI(scan)}) })
	eventually(t, "the paper added from its PDF", func() bool { return u.settled() && u.Rows() == 58 })
	keys := searchKeys(t, lib, "tag:"+storage.ReviewTag)
	if len(keys) != 1 {
		t.Fatalf("entries for review: %v", keys)
	}
	e, err := lib.Entry(context.Background(), keys[0])
	as, _ := lib.Attachments(context.Background(), keys[0])
	if err != nil || e.Get("title") != "A Study of Untitled Files" || len(as) != 1 || filepath.Base(as[0].Path) != keys[0]+".pdf" {
		t.Errorf("added from the PDF: %v %+v %+v", err, e, as)
	}
}

func TestEntryMenuTogglesStarAndRead(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	if _, err := lib.SetStarred(ctx, true, "vinyals2015pointer"); err != nil {
		t.Fatal(err)
	}
	selectKey(t, u, "vinyals2015pointer")
	var other int
	fyneDoAndWait(func() { other = slices.Index(listKeys(u), "zhang2023noisy") })
	fyneDoAndWait(func() { u.list.tap(other, fyne.KeyModifierControl) })
	settle(t, u)
	// One of the two is starred: the toggle stars both; again, it unstars both.
	fyneDoAndWait(u.onToggleStar)
	eventually(t, "both starred", func() bool { return u.settled() && sideCount(u, idStarred) == 2 })
	fyneDoAndWait(u.onToggleStar)
	eventually(t, "none starred", func() bool { return u.settled() && sideCount(u, idStarred) == 0 })
	fyneDoAndWait(u.onToggleRead)
	eventually(t, "both read", func() bool { return u.settled() && sideCount(u, idUnread) == 54 })
}

func TestRestoreEnterAndFind(t *testing.T) {
	u, lib := newTestUI(t)
	selectKey(t, u, "vinyals2015pointer")
	// Enter in the list edits: the first field of the Info tab gets the focus.
	fyneDoAndWait(func() { u.list.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) })
	var focused fyne.Focusable
	fyneDoAndWait(func() { focused = u.win.Canvas().Focused() })
	if fe, ok := focused.(*fieldEntry); !ok || fe.Text != "Pointer Networks" {
		t.Errorf("Enter focused %T, want the title's editor", focused)
	}
	// Ctrl+F, typed on the window, focuses the search field.
	fyneDoAndWait(func() {
		if sc, ok := u.win.Canvas().(fyne.Shortcutable); ok {
			sc.TypedShortcut(shortcutFind)
		}
	})
	fyneDoAndWait(func() { focused = u.win.Canvas().Focused() })
	if focused != fyne.Focusable(u.search) {
		t.Errorf("Ctrl+F focused %T, want the search field", focused)
	}
	// Trash, then Restore from the Trash's list.
	fyneDoAndWait(u.onTrash)
	eventually(t, "in the trash", func() bool { return u.settled() && sideCount(u, idTrash) == 1 })
	selectSide(t, u, idTrash)
	eventually(t, "the trash listed", func() bool { return u.settled() && u.Rows() == 1 })
	fyneDoAndWait(func() { u.list.tap(0, 0) })
	fyneDoAndWait(u.onRestore)
	eventually(t, "restored", func() bool { return u.settled() && sideCount(u, idTrash) == 0 && u.Rows() == 0 })
	if f, err := lib.EntryFlags(context.Background(), "vinyals2015pointer"); err != nil || !f.Trashed.IsZero() {
		t.Errorf("after Restore: %+v, %v", f, err)
	}
}

// A shortcut typed while a dialog is open does not open another behind or over it.
func TestShortcutsWaitForTheDialog(t *testing.T) {
	u, _ := newTestUI(t)
	settle(t, u)
	fyneDoAndWait(u.onPreferences)
	count := func() int { var n int; fyneDoAndWait(func() { n = len(u.win.Canvas().Overlays().List()) }); return n }
	if n := count(); n != 1 {
		t.Fatalf("%d overlays after Preferences, want 1", n)
	}
	fyneDoAndWait(func() { u.win.Canvas().(fyne.Shortcutable).TypedShortcut(shortcutNew) })
	if n := count(); n != 1 {
		t.Errorf("Ctrl+N over Preferences: %d overlays, want 1", n)
	}
	tapInDialog(t, u, "Cancel")
	fyneDoAndWait(func() { u.win.Canvas().(fyne.Shortcutable).TypedShortcut(shortcutNew) })
	tapInDialog(t, u, "Create") // fails unless the New Entry dialog is on top
}

// TestYearShownAsText imports a year written with LaTeX, a sort key for BibTeX's styles: the
// list's Year column and the entry pane show the year as text.
func TestYearShownAsText(t *testing.T) {
	u, lib := newTestUI(t)
	src := `@book{knuth86, author = {Donald E. Knuth}, title = {The {\TeX}book}, year = {{\noopsort{1986c}}1986}, publisher = {Addison-Wesley}}`
	if _, err := lib.Import(context.Background(), bib.ParseString("extra.bib", src)); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyneDoAndWait(u.results.reload)
	selectKey(t, u, "knuth86")
	var year, line string
	fyneDoAndWait(func() {
		r, _ := u.list.row(slices.Index(listKeys(u), "knuth86"))
		for _, c := range u.list.cols {
			if c.id == "year" {
				year = c.value(r)
			}
		}
		line = u.detail.info.authors.Text
	})
	if year != "1986" {
		t.Errorf("the Year column shows %q, want 1986", year)
	}
	if want := "Donald E. Knuth · 1986"; line != want {
		t.Errorf("the entry pane's second line is %q, want %q", line, want)
	}
}

// editorTops returns where the Info tab's editors start, by field name, and where its tag input
// starts. Call it on the UI goroutine.
func editorTops(u *UI) map[string]float32 {
	layOut(u)
	d := fyne.CurrentApp().Driver()
	tops := map[string]float32{"(tag input)": d.AbsolutePositionForObject(u.detail.info.tagInput).Y}
	for i, fe := range u.detail.info.fields {
		tops[u.detail.info.names[i]] = d.AbsolutePositionForObject(fe).Y
	}
	return tops
}

// TestInfoTabStaysPut edits an entry in ways that change what the Info tab says above its
// fields (the authors, the missing fields, a refused edit, its first tag) and empties a field:
// no editor moves, so that the next click lands where the user aimed it.
func TestInfoTabStaysPut(t *testing.T) {
	u, lib := newTestUI(t)
	src := `@book{knuth86, author = {Donald E. Knuth}, title = {The {\TeX}book}, year = 1986, publisher = {Addison-Wesley}, note = {Volume A}}`
	if _, err := lib.Import(context.Background(), bib.ParseString("extra.bib", src)); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyneDoAndWait(u.results.reload)
	selectKey(t, u, "knuth86")
	var before map[string]float32
	fyneDoAndWait(func() { before = editorTops(u) })
	stays := func(what string) {
		t.Helper()
		var after map[string]float32
		fyneDoAndWait(func() { after = editorTops(u) })
		for name, y := range before {
			if after[name] != y {
				t.Errorf("after %s, the %s editor is at %v, not %v", what, name, after[name], y)
			}
		}
	}
	edit := func(field, value string) {
		t.Helper()
		fyneDoAndWait(func() {
			f := fieldEditor(u, field)
			f.SetText(value)
			f.handOver()
		})
		settle(t, u)
	}

	edit("publisher", "")
	eventually(t, "publisher missing", func() bool { return u.settled() && stored(t, lib, "knuth86", "publisher") == "" })
	stays("emptying a required field")
	edit("author", "")
	stays("emptying the authors")
	edit("note", "")
	stays("emptying a field")
	edit("year", "{1986")
	eventually(t, "the refusal", func() bool { return u.settled() && u.detail.info.problem.Visible() })
	stays("a refused edit")
	fyneDoAndWait(func() { u.detail.info.addTag("classics") })
	eventually(t, "the tag", func() bool { return u.settled() && slices.Contains(u.detail.info.d.tags, "classics") })
	stays("the first tag")
}

// TestTagSuggestionsKeepThePaneWidth types into the tag field: the suggestions of the library's
// tags take one line that scrolls, and the entry pane does not grow wider or taller.
func TestTagSuggestionsKeepThePaneWidth(t *testing.T) {
	u, _ := newTestUI(t)
	selectKey(t, u, "vinyals2015pointer")
	var before, after fyne.Size
	var fieldY, fieldYAfter float32
	d := fyne.CurrentApp().Driver()
	fyneDoAndWait(func() {
		before = u.detail.content.MinSize()
		fieldY = d.AbsolutePositionForObject(u.detail.info.fields[0]).Y
	})
	fyneDoAndWait(func() { test.Type(u.detail.info.tagInput, "le") })
	fyneDoAndWait(func() {
		layOut(u)
		after = u.detail.content.MinSize()
		fieldYAfter = d.AbsolutePositionForObject(u.detail.info.fields[0]).Y
		if n := len(u.detail.info.suggestions.Objects); n < 4 {
			t.Errorf("%d tags suggested for %q; the test wants several", n, "le")
		}
	})
	if after.Width > before.Width {
		t.Errorf("the entry pane's least width grew from %v to %v as tags were suggested", before.Width, after.Width)
	}
	if fieldYAfter != fieldY {
		t.Errorf("the suggestions moved the first field from %v to %v", fieldY, fieldYAfter)
	}
}

// menuItem returns the main menu's item of that label. Call it on the UI goroutine.
func mainMenuItem(t *testing.T, u *UI, menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, m := range u.win.MainMenu().Items {
		for _, it := range m.Items {
			if m.Label == menu && it.Label == label {
				return it
			}
		}
	}
	t.Fatalf("no %s › %s in the main menu", menu, label)
	return nil
}

// TestUndoInAFieldUndoesTyping presses Undo in a field of the Info tab, as the desktop driver
// hands Ctrl+Z to the focused widget, and through Edit › Undo: it undoes what was typed there
// since the field was last stored, nothing more, and never leaves the field empty to be stored
// when it loses the focus.
func TestUndoInAFieldUndoesTyping(t *testing.T) {
	u, lib := newTestUI(t)
	selectKey(t, u, "vinyals2015pointer")
	c := u.win.Canvas()
	pages := func() *fieldEntry { return fieldEditor(u, "pages") }
	ctrlZ := func() { c.Focused().(fyne.Shortcutable).TypedShortcut(&fyne.ShortcutUndo{}) }
	retype := func(text string) {
		c.Focus(pages())
		pages().TypedShortcut(&fyne.ShortcutSelectAll{})
		test.Type(pages(), text)
	}

	// Typed over, stored with Enter, then Undo in the field: what was stored stays.
	fyneDoAndWait(func() {
		retype("1--9")
		pages().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	settle(t, u)
	fyneDoAndWait(ctrlZ)
	fyneDoAndWait(mainMenuItem(t, u, "Edit", "Undo").Action)
	fyneDoAndWait(func() {
		if got := pages().Text; got != "1--9" {
			t.Errorf("after Undo in the field, it shows %q, want 1--9", got)
		}
		if want := "Nothing typed in pages to undo. Undo outside the fields (click the list first) takes back: Edit pages"; u.status.Text != want {
			t.Errorf("status %q, want %q", u.status.Text, want)
		}
		c.Unfocus()
	})
	settle(t, u)
	if got := stored(t, lib, "vinyals2015pointer", "pages"); got != "1--9" {
		t.Errorf("after Undo in the field and leaving it, pages is %q, want 1--9", got)
	}

	// Typing not stored yet is undone, over the empty text that replacing a selection passes
	// through, back to what is stored.
	fyneDoAndWait(func() {
		retype("x")
		ctrlZ()
		if got := pages().Text; got != "1--9" {
			t.Errorf("undoing typing over the whole text gives %q, want 1--9", got)
		}
		test.Type(pages(), "0")
		ctrlZ()
		if got := pages().Text; got != "1--9" {
			t.Errorf("undoing a typed 0 gives %q, want 1--9", got)
		}
		c.Unfocus()
	})
	settle(t, u)
	if got := stored(t, lib, "vinyals2015pointer", "pages"); got != "1--9" {
		t.Errorf("after undoing the typing, pages is %q, want 1--9", got)
	}
}

// TestKeyboardFocus follows the focus as Tab moves it from the search field: it reaches the
// list next, which shows that it has it; keys there never select a cell of Fyne's table behind
// the list's own selection; and the arrows on the Type selector do not change the type.
func TestKeyboardFocus(t *testing.T) {
	u, lib := newTestUI(t)
	settle(t, u)
	c := u.win.Canvas()
	tableSelected := false
	fyneDoAndWait(func() {
		u.list.table.OnSelected = func(widget.TableCellID) { tableSelected = true }
		c.Focus(u.search)
		c.FocusNext()
		if f := c.Focused(); f != fyne.Focusable(u.list.table) {
			t.Errorf("Tab from the search field went to %T, not the list", f)
		}
		if !u.list.frame.Visible() {
			t.Error("the list does not show that it has the focus")
		}
		// Space and a click between rows must not select a cell of the table while the
		// list has nothing selected.
		u.list.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
		u.list.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
		u.list.table.Tapped(&fyne.PointEvent{Position: fyne.NewPos(20, 60)})
		if tableSelected {
			t.Error("the table selected a cell of its own")
		}
		c.FocusPrevious()
		if u.list.frame.Visible() {
			t.Error("the list still shows the focus after losing it")
		}
	})

	selectKey(t, u, "vinyals2015pointer")
	fyneDoAndWait(func() {
		c.Focus(u.detail.info.kind)
		for _, k := range []fyne.KeyName{fyne.KeyRight, fyne.KeyRight, fyne.KeyLeft} {
			u.detail.info.kind.TypedKey(&fyne.KeyEvent{Name: k})
		}
	})
	settle(t, u)
	e, err := lib.Entry(context.Background(), "vinyals2015pointer")
	if err != nil {
		t.Fatal(err)
	}
	if e.Type != "inproceedings" {
		t.Errorf("arrow keys on the Type selector made the entry @%s", e.Type)
	}
}

// dialogEntries returns the text fields of the dialog on top by their placeholder. Call it on
// the UI goroutine.
func dialogEntries(u *UI) map[string]*dialogEntry {
	out := map[string]*dialogEntry{}
	if top := u.win.Canvas().Overlays().Top(); top != nil {
		walk(top, func(o fyne.CanvasObject) {
			if e, ok := o.(*dialogEntry); ok {
				out[e.PlaceHolder] = e
			}
		})
	}
	return out
}

// TestNewEntryKeyFromPattern makes an entry with File › New Entry…: the dialog asks for the
// authors, the title and the year, and the key pattern makes the key of them.
func TestNewEntryKeyFromPattern(t *testing.T) {
	u, lib := newTestUI(t)
	settle(t, u)
	fyneDoAndWait(u.onNewEntry)
	fyneDoAndWait(func() {
		fields := dialogEntries(u)
		author, title, year := fields[newEntryAuthors], fields[newEntryTitle], fields[newEntryYear]
		if author == nil || title == nil || year == nil {
			t.Fatalf("the New Entry dialog asks for %v", slices.Collect(maps.Keys(fields)))
		}
		if f := u.win.Canvas().Focused(); f != fyne.Focusable(author) {
			t.Errorf("the dialog opens with the focus on %T, not the authors", f)
		}
		test.Type(author, "Knuth, Donald E.")
		test.Type(title, "The {\\TeX}book")
		test.Type(year, "1986")
		year.OnSubmitted(year.Text) // Enter
	})
	eventually(t, "the new entry selected", func() bool {
		return u.settled() && u.detail.entry != nil && u.detail.entry.Key == "Knuth1986"
	})
	e, err := lib.Entry(context.Background(), "Knuth1986")
	if err != nil {
		t.Fatal(err)
	}
	if e.Type != "article" || e.Get("author") != "Knuth, Donald E." || e.Get("title") != "The {\\TeX}book" || e.Get("year") != "1986" {
		t.Errorf("new entry @%s: author %q, title %q, year %q", e.Type, e.Get("author"), e.Get("title"), e.Get("year"))
	}
}

// TestPasteRIS: a RIS record copied from a publisher's page pastes as an entry, as BibTeX does.
func TestPasteRIS(t *testing.T) {
	u, lib := newTestUI(t)
	eventually(t, "56 rows", func() bool { return u.settled() && u.Rows() == 56 })
	u.app.Clipboard().SetContent("TY  - JOUR\r\nTI  - Pasted from a Publisher\r\nAU  - Lovelace, Ada\r\nPY  - 2026\r\nJO  - Notes\r\nDO  - 10.1000/pasted\r\nER  - \r\n")
	fyneDoAndWait(u.onPaste)
	eventually(t, "57 rows, the new entry selected", func() bool {
		return u.settled() && u.Rows() == 57 && u.detail.entry != nil && u.detail.entry.Get("doi") == "10.1000/pasted"
	})
	e, err := lib.Entry(context.Background(), u.detail.entry.Key)
	if err != nil || e.Type != "article" || e.Get("title") != "Pasted from a Publisher" {
		t.Errorf("the pasted entry is %+v (%v)", e, err)
	}
}
