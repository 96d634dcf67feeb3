package app

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// entryPane shows the selection: one entry in tabs (Info, Notes, BibTeX, Attachments), or a
// word about several entries or none.
type entryPane struct {
	lib     entryReader
	work    *workQueue   // the reads go after every change asked for so far
	changes entryChanges // what the Info tab's edits become
	win     fyne.Window
	say     func(text string)           // the status line
	outside func(f fyne.Focusable) bool // whether a widget with the focus is not the pane's
	content fyne.CanvasObject
	message *widget.Label
	batch   *fyne.Container // what can be done to several entries at once
	tabs    *container.AppTabs
	info    *infoTab
	source  *bibtexTab
	notes   *notesPane
	files   *attachmentsPane

	entry   *bib.Entry // shown; nil when none
	gen     int        // of the newest show; older reads are dropped
	reading bool       // a read for the newest show is on its way
}

// idle reports whether the pane has shown what it was last asked to, and its tabs have written
// what they were given. Call it on the UI goroutine.
func (p *entryPane) idle() bool { return !p.reading && p.notes.idle() && p.files.idle() }

func (p *notesPane) idle() bool { return !p.dirty && !p.loading && p.queue.idle() }
func (p *attachmentsPane) idle() bool {
	return p.shownGen == p.generation && p.queue.idle()
}

// entryReader is what the entry pane reads from the library.
type entryReader interface {
	Entry(ctx context.Context, key string) (*bib.Entry, error)
	EntryTags(ctx context.Context, key string) ([]string, error)
	Tags(ctx context.Context) ([]storage.Tag, error)
	EntryCollections(ctx context.Context, key string) ([]storage.Collection, error)
	Collections(ctx context.Context) ([]storage.Collection, error)
	EntryFlags(ctx context.Context, key string) (storage.Flags, error)
}

// entryChanges is what the entry pane asks the window to change: each becomes an undoable
// change on the work queue (see actions.go).
type entryChanges interface {
	addTag(keys []string, tag string)
	removeTag(keys []string, tag string)
	addToCollection(c storage.Collection, keys ...string)
	removeFromCollection(c storage.Collection, keys ...string)
	setStarred(on bool, keys ...string)
	setRead(on bool, keys ...string)
	setRating(key string, rating int)
	saveEntryRef(ref *entryRef, old, edited *bib.Entry, what string)
	renameEverywhere(ref *entryRef, old, edited *bib.Entry, what string, files []storage.FileEdit)
	planKeyRename(old, new, what string, rename func(files []storage.FileEdit), keep func(error))
	nothingToUndoIn(field string)
}

func newEntryPane(u *UI) *entryPane {
	p := &entryPane{lib: u.lib, work: u.work, changes: u, win: u.win, say: func(text string) { u.status.SetText(text) },
		outside: func(f fyne.Focusable) bool {
			if _, menu := f.(*widget.PopUpMenu); menu { // a row's menu, shown as the row is selected
				return true
			}
			return f == fyne.Focusable(u.search) || f == fyne.Focusable(u.list.table) || f == fyne.Focusable(u.checks.list)
		},
		message: widget.NewLabel("Select an entry to see its fields.")}
	p.message.Wrapping = fyne.TextWrapWord
	p.info = newInfoTab(p)
	p.source = newBibtexTab(p)
	p.notes = newNotesPane(u.lib, u.work, func(string) { u.sidebar.refresh() })
	p.files = newAttachmentsPane(u.lib, u.work, u.win, openWithSystem(u.app), func(string) {})
	p.files.dialogs = u.dialogs
	p.files.onFolder = u.onAttachmentsFolder
	p.tabs = container.NewAppTabs(
		container.NewTabItem("Info", p.info.content),
		container.NewTabItem("Notes", p.notes.content),
		container.NewTabItem("BibTeX", p.source.content),
		container.NewTabItem("Attachments", p.files.content),
	)
	p.tabs.Hide()
	p.batch = u.newBatch()
	p.batch.Hide()
	p.content = container.NewStack(container.NewPadded(container.NewVBox(p.message, p.batch)), p.tabs)
	return p
}

// dropFocus takes the focus from a widget of the pane, which hands a field's edit over to the
// entry it was made for, before the pane shows something else: a shortcut must not reach a
// field that is no longer on screen.
func (p *entryPane) dropFocus() {
	c := p.win.Canvas()
	if f := c.Focused(); f != nil && !p.outside(f) {
		c.Unfocus()
	}
}

// shownMessage returns the message the pane shows instead of an entry; "" when it shows none.
func (p *entryPane) shownMessage() string {
	if !p.message.Visible() {
		return ""
	}
	return p.message.Text
}

// showMessage shows a word instead of an entry.
func (p *entryPane) showMessage(msg string) {
	p.gen++
	p.reading = false
	p.dropFocus()
	p.notes.flush()
	p.entry = nil
	p.info.ref = nil
	p.message.SetText(msg)
	p.message.Show()
	p.batch.Hide()
	p.tabs.Hide()
	p.notes.clear()
	p.files.clear()
}

// showKeys shows the selection: one entry read off the UI goroutine, or a word about several.
func (p *entryPane) showKeys(keys []string) {
	switch len(keys) {
	case 0:
		p.showMessage("Select an entry to see its fields.")
		return
	case 1:
	default:
		p.showMessage(fmt.Sprintf("%s entries selected.\n\nCopy their citation with Edit › Copy Citation (%s), "+
			"drag them onto a collection or a tag in the sidebar, or move them to the Trash (Delete). Or:",
			thousands(len(keys)), shortcutText(shortcutCopyCite)))
		p.batch.Show()
		return
	}
	p.gen++
	gen, key, lib := p.gen, keys[0], p.lib
	version := -1
	if r := p.info.ref; r != nil && bib.SameKey(r.key, key) {
		version = r.version
	}
	p.reading = true
	// The read goes through the work queue, after every change asked for so far: it never
	// shows an entry as it was before an edit already made.
	p.work.run(func(ctx context.Context) {
		d, err := readEntryDetail(ctx, lib, key)
		fyneDo(func() {
			if gen != p.gen {
				return
			}
			if err != nil {
				p.showMessage("Could not read the entry: " + err.Error())
				return
			}
			p.show(d, version)
			p.reading = false
		})
	})
}

// entryDetail is what the Info tab shows of one entry.
type entryDetail struct {
	entry       *bib.Entry
	tags        []string
	allTags     []storage.Tag
	collections []storage.Collection // the entry's
	all         []storage.Collection // the library's
	flags       storage.Flags
}

func readEntryDetail(ctx context.Context, lib entryReader, key string) (*entryDetail, error) {
	var d entryDetail
	var err error
	if d.entry, err = lib.Entry(ctx, key); err != nil {
		return nil, err
	}
	if d.tags, err = lib.EntryTags(ctx, key); err != nil {
		return nil, err
	}
	if d.allTags, err = lib.Tags(ctx); err != nil {
		return nil, err
	}
	if d.collections, err = lib.EntryCollections(ctx, key); err != nil {
		return nil, err
	}
	if d.all, err = lib.Collections(ctx); err != nil {
		return nil, err
	}
	if d.flags, err = lib.EntryFlags(ctx, key); err != nil {
		return nil, err
	}
	return &d, nil
}

// show shows an entry read when the Info tab's edits of it were at version (-1 for another
// entry).
func (p *entryPane) show(d *entryDetail, version int) {
	same := p.entry != nil && p.entry.Key == d.entry.Key
	if !same {
		p.dropFocus()
		p.notes.flush()
	}
	p.message.Hide()
	p.batch.Hide()
	p.tabs.Show()
	p.info.show(d, version)
	p.entry = p.info.ref.entry
	p.source.show(p.entry, same)
	if !same {
		p.notes.show(d.entry.Key)
		p.files.show(d.entry.Key)
	} else {
		p.notes.reread() // another program or member may have changed the note
	}
}

// edit focuses the Info tab's first field, for Enter in the list.
func (p *entryPane) edit() {
	if p.entry == nil {
		return
	}
	p.tabs.SelectIndex(0)
	if len(p.info.fields) > 0 {
		p.win.Canvas().Focus(p.info.fields[0])
	}
}

// infoTab shows and edits an entry's type, key, flags, tags, collections and fields.
type infoTab struct {
	pane    *entryPane
	content fyne.CanvasObject

	title       *widget.Label
	authors     *widget.Label
	kind        *typeSelect
	key         *fieldEntry
	starred     *widget.Check
	read        *widget.Check
	rating      *ratingWidget
	tags        *fyne.Container
	tagInput    *widget.Entry
	suggestions *fyne.Container
	collections *fyne.Container
	addToColl   *widget.Select
	missing     *widget.Label
	form        *widget.Form
	fields      []*fieldEntry
	rows        []fieldRow // what each editor of fields edits
	labels      []string   // and its label
	newName     *widget.SelectEntry
	newValue    *widget.Entry
	problem     *widget.Label

	d        *entryDetail
	ref      *entryRef // the entry shown, with the edits made to it here
	names    []string  // the names of the fields the editors in fields are for, in order
	formBox  *fyne.Container
	updating bool // set while show fills the widgets, so that their callbacks stay quiet
}

// entryRef is the entry the Info tab shows, as its edits have made it: an edit is made to the
// newest version at once, before the library has it, so that two quick edits of one entry build
// on each other. version counts those edits; a read of the library started before the newest
// of them is older than ref's entry, and does not replace it.
type entryRef struct {
	key     string
	entry   *bib.Entry
	version int
	failed  bool // an edit was refused: the library's copy is right, not this one
}

func newInfoTab(p *entryPane) *infoTab {
	t := &infoTab{pane: p}
	// The title and the byline keep one line each, so that an edit never moves the editors
	// below them; the title's editor shows all of it.
	t.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.title.Truncation = fyne.TextTruncateEllipsis
	t.authors = widget.NewLabel("")
	t.authors.Truncation = fyne.TextTruncateEllipsis
	var types []string
	for _, et := range bib.Types() {
		types = append(types, et.Name)
	}
	t.kind = newTypeSelect(types)
	t.key = newFieldEntry(false, nil)
	t.key.nothingToUndo = func() { p.changes.nothingToUndoIn("the key") }
	t.starred = widget.NewCheck("Starred", func(on bool) {
		if !t.updating && t.ref != nil {
			p.changes.setStarred(on, t.ref.key)
		}
	})
	t.read = widget.NewCheck("Read", func(on bool) {
		if !t.updating && t.ref != nil {
			p.changes.setRead(on, t.ref.key)
		}
	})
	t.rating = newRatingWidget(func(r int) {
		if !t.updating && t.ref != nil {
			p.changes.setRating(t.ref.key, r)
		}
	})
	t.tags = container.NewHBox()
	t.tagInput = widget.NewEntry()
	t.tagInput.SetPlaceHolder("Add a tag (ml/vision for a child tag)…")
	t.tagInput.OnChanged = func(string) { t.suggest() }
	t.tagInput.OnSubmitted = func(s string) { t.addTag(s) }
	t.suggestions = container.NewHBox()
	t.collections = container.NewHBox()
	t.addToColl = widget.NewSelect(nil, t.onAddToCollection)
	t.addToColl.PlaceHolder = "Add to collection…"
	t.missing = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	t.missing.Wrapping = fyne.TextWrapWord
	t.missing.Importance = widget.WarningImportance
	t.form = widget.NewForm()
	t.formBox = container.NewStack(t.form)
	t.newName = widget.NewSelectEntry(bib.FieldOrder())
	t.newName.SetPlaceHolder("field")
	t.newValue = widget.NewEntry()
	t.newValue.SetPlaceHolder("value")
	t.newValue.OnSubmitted = func(string) { t.addField() }
	add := widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), t.addField)
	t.problem = widget.NewLabel("")
	t.problem.Wrapping = fyne.TextWrapWord
	t.problem.Importance = widget.DangerImportance
	t.problem.Hide()

	head := widget.NewForm(
		widget.NewFormItem("Type", t.kind),
		widget.NewFormItem("Key", t.key),
		widget.NewFormItem("", container.NewHBox(t.starred, t.read)),
		widget.NewFormItem("Rating", container.NewHBox(t.rating)),
		widget.NewFormItem("Tags", container.NewVBox(oneLine(t.tags), t.tagInput, oneLine(t.suggestions))),
		widget.NewFormItem("Collections", container.NewVBox(oneLine(t.collections), t.addToColl)),
	)
	newField := container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(140, t.newName.MinSize().Height), t.newName), add, t.newValue)
	// What comes and goes (a refused edit, the missing fields) is said below the fields.
	t.content = container.NewVScroll(container.NewVBox(t.title, t.authors, head, widget.NewSeparator(),
		t.formBox, t.problem, t.missing, widget.NewLabelWithStyle("Add a field", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), newField))
	return t
}

// oneLine holds a row of buttons (or a label) in one line of a button's height, whether it has
// any or not, and scrolls it sideways when it is wider than the pane: the tags suggested as one
// types, or an entry's tags and collections, never make the pane wider or move what is below.
func oneLine(row *fyne.Container) fyne.CanvasObject {
	line := canvas.NewRectangle(color.Transparent)
	line.SetMinSize(fyne.NewSize(0, widget.NewButton("Tag", nil).MinSize().Height))
	return container.NewStack(line, container.NewHScroll(row))
}

// show fills the tab with an entry read at version (see entryRef). The same entry shown again
// keeps what is being typed: the focused editor and the tag being typed are left alone.
func (t *infoTab) show(d *entryDetail, version int) {
	t.updating = true
	defer func() { t.updating = false }()
	same := t.ref != nil && !t.ref.failed && bib.SameKey(t.ref.key, d.entry.Key)
	switch {
	case !same:
		t.ref = &entryRef{key: d.entry.Key, entry: d.entry}
		t.tagInput.SetText("")
	case version == t.ref.version:
		t.ref.entry = d.entry
	}
	// Else edits made since the read began are not in it: ref's entry is newer.
	t.d = d
	e := t.ref.entry
	ref := t.ref
	focused := t.pane.win.Canvas().Focused()
	t.problem.Hide()
	t.title.SetText(bib.Plain(e.Get("title")))
	t.authors.SetText(byline(e))
	if _, known := bib.TypeOf(e.Type); !known && !slices.Contains(t.kind.Options, e.Type) {
		t.kind.Options = append(t.kind.Options, e.Type)
	}
	t.kind.SetSelected(e.Type)
	t.kind.OnChanged = func(typ string) { t.onType(ref, typ) }
	if !same || focused != fyne.Focusable(t.key) {
		t.key.setValue(e.Key)
	}
	t.key.commit = func(k string) { t.onKey(ref, k) }
	t.starred.SetChecked(d.flags.Starred)
	t.read.SetChecked(d.flags.Read)
	t.rating.set(d.flags.Rating)

	t.tags.Objects = nil
	for _, tag := range d.tags {
		tag := tag
		b := widget.NewButtonWithIcon(tag, theme.CancelIcon(), func() { t.pane.changes.removeTag([]string{ref.key}, tag) })
		b.Importance = widget.LowImportance
		b.IconPlacement = widget.ButtonIconTrailingText
		t.tags.Add(b)
	}
	if len(d.tags) == 0 {
		t.tags.Add(widget.NewLabel("No tags"))
	}
	t.tags.Refresh()
	t.suggest()

	t.collections.Objects = nil
	for _, c := range d.collections {
		c := c
		b := widget.NewButtonWithIcon(strings.Join(c.Path, " › "), theme.CancelIcon(), func() { t.pane.changes.removeFromCollection(c, ref.key) })
		b.Importance = widget.LowImportance
		b.IconPlacement = widget.ButtonIconTrailingText
		t.collections.Add(b)
	}
	if len(d.collections) == 0 {
		t.collections.Add(widget.NewLabel("In no collection"))
	}
	t.collections.Refresh()
	var paths []string
	for _, c := range d.all {
		paths = append(paths, strings.Join(c.Path, " › "))
	}
	t.addToColl.Options = paths
	t.addToColl.ClearSelected()
	if len(paths) == 0 {
		t.addToColl.PlaceHolder = "No collections yet"
		t.addToColl.Disable()
	} else {
		t.addToColl.PlaceHolder = "Add to collection…"
		t.addToColl.Enable()
	}

	if missing := bib.Missing(e); len(missing) > 0 {
		t.missing.SetText(fmt.Sprintf("@%s needs: %s", e.Type, strings.Join(missing, ", ")))
		t.missing.Show()
	} else {
		t.missing.Hide()
	}
	t.fillFields(ref, same, focused)
}

// byline is the line under an entry's title: its authors and its year, as text.
func byline(e *bib.Entry) string {
	var names []string
	for _, n := range bib.SplitNames(e.Get("author")) {
		names = append(names, bib.DisplayName(n))
	}
	s := strings.Join(names, "; ")
	year := bib.Plain(e.Get("year"))
	if year == "" {
		year = bib.Plain(e.Get("date"))
	}
	if year != "" && s != "" {
		s += " · "
	}
	return s + year
}

// fieldRow is one editor of the Info tab: the nth field of that name (a repeated field has
// several), or a required field the entry lacks.
type fieldRow struct {
	name string
	nth  int
}

// of returns the entry's field of the row; nil when it has none.
func (r fieldRow) of(e *bib.Entry) *bib.Field {
	n := 0
	for i := range e.Fields {
		if e.Fields[i].Name == r.name {
			if n == r.nth {
				return &e.Fields[i]
			}
			n++
		}
	}
	return nil
}

// fieldRows lists the fields an entry's Info tab edits, in order: its own, then the required
// ones it lacks.
func fieldRows(e *bib.Entry) []fieldRow {
	var rows []fieldRow
	seen := map[string]int{}
	for _, f := range e.Fields {
		rows = append(rows, fieldRow{f.Name, seen[f.Name]})
		seen[f.Name]++
	}
	et, _ := bib.TypeOf(e.Type)
	for _, group := range et.Required {
		if !slices.ContainsFunc(group, func(n string) bool { return seen[n] > 0 }) {
			rows = append(rows, fieldRow{name: group[0]})
			seen[group[0]]++
		}
	}
	return rows
}

// keepRows returns the rows shown before, in their places, then the new ones: while the same
// entry is shown, an emptied field keeps its (empty) editor and a new one comes last, so that no
// editor moves under the pointer.
func keepRows(shown, rows []fieldRow) []fieldRow {
	out := slices.Clone(shown)
	for _, r := range rows {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// fillFields makes an editor for each field, and an empty one for each required field missing.
// The same entry shown again keeps its editors where they were, with their new values, except
// for the one being typed in.
func (t *infoTab) fillFields(ref *entryRef, same bool, focused fyne.Focusable) {
	e := ref.entry
	rows := fieldRows(e)
	if same {
		rows = keepRows(t.rows, rows)
	}
	labels := make([]string, len(rows))
	for i, r := range rows {
		labels[i] = r.name
		if bib.IsRequired(e.Type, r.name) {
			labels[i] += " *"
		}
		if f := r.of(e); f != nil && f.Duplicate {
			labels[i] += " (repeat)"
		}
	}
	kept := map[fieldRow]*fieldEntry{}
	if same {
		for i, r := range t.rows {
			kept[r] = t.fields[i]
		}
	}
	rebuild := !same || !slices.Equal(rows, t.rows) || !slices.Equal(labels, t.labels)
	var items []*widget.FormItem
	fields := make([]*fieldEntry, len(rows))
	for i, r := range rows {
		fe := kept[r]
		if fe == nil {
			fe = newFieldEntry(slices.Contains(multiLineFields, r.name), nil)
			name := r.name
			fe.nothingToUndo = func() { t.pane.changes.nothingToUndoIn(name) }
		}
		fe.commit = t.fieldCommit(ref, r.name)
		fields[i] = fe
		items = append(items, widget.NewFormItem(labels[i], fe))
		f := r.of(e)
		if fyne.Focusable(fe) == focused && fe.Text != fe.value {
			continue // being typed in
		}
		if f == nil {
			fe.setValue("")
			fe.SetPlaceHolder(map[bool]string{true: "required"}[bib.IsRequired(e.Type, r.name)])
		} else {
			fe.setValue(editText(*f))
		}
		if f != nil && f.Duplicate {
			fe.Disable()
		} else {
			fe.Enable()
		}
	}
	t.fields, t.rows, t.labels = fields, rows, labels
	t.names = make([]string, len(rows))
	for i, r := range rows {
		t.names[i] = r.name
	}
	if rebuild {
		// A new form: Fyne's form keeps the widgets of its first rows.
		t.form = widget.NewForm(items...)
		t.formBox.Objects = []fyne.CanvasObject{t.form}
		t.formBox.Refresh()
	}
}

func (t *infoTab) fieldCommit(ref *entryRef, name string) func(string) {
	return func(v string) { t.onField(ref, name, v) }
}

// multiLineFields get an editor of several lines.
var multiLineFields = []string{"title", "abstract", "note", "annote", "annotation", "comment", "file"}

// editText is the text a field is edited as: the value inside its braces or quotes when it is
// one such group, and the BibTeX text as written otherwise (a macro, a number, a # join).
func editText(f bib.Field) string {
	r := strings.TrimSpace(f.Raw)
	if len(r) >= 2 && (r[0] == '{' && r[len(r)-1] == '}' || r[0] == '"' && r[len(r)-1] == '"') {
		inner := r[1 : len(r)-1]
		if r[0] == '"' || bib.Balanced(inner) && groupEnd(r) == len(r)-1 {
			return inner
		}
	}
	return r
}

// groupEnd returns the index of the brace that closes the one at s[0].
func groupEnd(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// fail says why an edit was refused, below the fields and in the status line (the field may be
// far above).
func (t *infoTab) fail(err error) {
	t.problem.SetText(err.Error())
	t.problem.Show()
	t.pane.say(err.Error())
}

// onField stores an edited field of the entry ref: an emptied field is removed.
func (t *infoTab) onField(ref *entryRef, name, value string) {
	e := ref.entry.Clone()
	if strings.TrimSpace(value) == "" {
		if !e.Delete(name) {
			return
		}
	} else {
		if f := e.Field(name); f != nil && editText(*f) == value {
			return
		}
		if err := e.Set(name, value); err != nil {
			t.fail(fmt.Errorf("%s: the braces do not balance, so BibTeX could not read it; not saved", name))
			return
		}
	}
	t.edit(ref, e, "Edit "+name)
}

// edit makes e the newest version of the entry ref, and stores it.
func (t *infoTab) edit(ref *entryRef, e *bib.Entry, what string) {
	t.editFiles(ref, e, what, nil)
}

// editFiles is edit, and when files are given, makes those .tex file edits in the same change
// (a key renamed in the papers too).
func (t *infoTab) editFiles(ref *entryRef, e *bib.Entry, what string, files []storage.FileEdit) {
	old := ref.entry
	ref.entry, ref.key = e, e.Key
	ref.version++
	if len(files) > 0 {
		t.pane.changes.renameEverywhere(ref, old, e, what, files)
		return
	}
	t.pane.changes.saveEntryRef(ref, old, e, what)
}

// renameKey renames the entry ref to key with apply, after asking whether to rename it in the
// .tex files of the papers the library knows too, when they cite it (planKeyRename): apply gets
// the file edits to make, none for the library only. keep is called when the rename is
// cancelled or refused; an entry whose key changed again in the meantime is left alone.
func (t *infoTab) renameKey(ref *entryRef, key, what string, apply func(files []storage.FileEdit), keep func(error)) {
	old := ref.entry.Key
	t.pane.changes.planKeyRename(old, key, what, func(files []storage.FileEdit) {
		if ref.entry.Key != old {
			keep(nil)
			return
		}
		apply(files)
	}, keep)
}

func (t *infoTab) onKey(ref *entryRef, key string) {
	if key == ref.entry.Key {
		return
	}
	keep := func(err error) {
		if err != nil {
			t.fail(errors.New(shownError(err)))
		}
		if ref == t.ref {
			t.key.setValue(ref.entry.Key)
		}
	}
	if err := bib.CheckKey(key); err != nil {
		keep(err)
		return
	}
	t.renameKey(ref, key, "Change key", func(files []storage.FileEdit) {
		e := ref.entry.Clone()
		e.Rename(e.Type, key)
		t.editFiles(ref, e, "Change key", files)
	}, keep)
}

func (t *infoTab) onType(ref *entryRef, typ string) {
	if t.updating || typ == "" || typ == ref.entry.Type {
		return
	}
	e := ref.entry.Clone()
	e.Rename(typ, e.Key)
	t.edit(ref, e, "Change type")
}

func (t *infoTab) addField() {
	name := strings.ToLower(strings.TrimSpace(t.newName.Text))
	value := t.newValue.Text
	if t.ref == nil || name == "" || strings.TrimSpace(value) == "" {
		t.fail(fmt.Errorf("a new field needs a name and a value"))
		return
	}
	if err := bib.CheckType(name); err != nil {
		t.fail(fmt.Errorf("field name %q: only letters, digits and - _ : . are allowed", name))
		return
	}
	t.newName.SetText("")
	t.newValue.SetText("")
	t.onField(t.ref, name, value)
}

// suggest shows the library's tags that start with (or contain) what is typed.
// Its line says what it is for while it suggests nothing.
func (t *infoTab) suggest() {
	t.suggestions.Objects = nil
	typed := strings.ToLower(strings.TrimSpace(t.tagInput.Text))
	hint := func(s string) {
		l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		l.Importance = widget.LowImportance
		t.suggestions.Add(l)
		t.suggestions.Refresh()
	}
	if t.d == nil || typed == "" {
		hint("The library's tags that match show here")
		return
	}
	var names []string
	for _, tag := range t.d.allTags {
		if !slices.Contains(t.d.tags, tag.Name) {
			names = append(names, tag.Name)
		}
	}
	matches := matchTags(names, typed)
	for _, name := range matches[:min(len(matches), 6)] {
		name := name
		b := widget.NewButton(name, func() { t.addTag(name) })
		b.Importance = widget.LowImportance
		t.suggestions.Add(b)
	}
	if len(t.suggestions.Objects) == 0 {
		hint("No tag of the library matches: Enter adds a new one")
		return
	}
	t.suggestions.Refresh()
}

func (t *infoTab) addTag(name string) {
	name = strings.TrimSpace(name)
	if t.ref == nil || name == "" {
		return
	}
	t.tagInput.SetText("")
	t.pane.changes.addTag([]string{t.ref.key}, name)
}

func (t *infoTab) onAddToCollection(path string) {
	if t.updating || t.d == nil || path == "" {
		return
	}
	for _, c := range t.d.all {
		if strings.Join(c.Path, " › ") == path {
			t.pane.changes.addToCollection(c, t.ref.key)
		}
	}
}

// typeSelect chooses an entry's type from its menu only. Fyne's select changes its choice with
// the arrows left and right, and Tab lands on it: a type changed by a key pressed in passing.
type typeSelect struct {
	widget.Select
}

func newTypeSelect(types []string) *typeSelect {
	s := &typeSelect{}
	s.Options = types
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey opens the menu with Space and the arrows up and down, as Fyne's select does, and
// ignores the arrows left and right.
func (s *typeSelect) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyLeft, fyne.KeyRight:
	default:
		s.Select.TypedKey(ev)
	}
}

// ratingWidget shows a rating of 0 to 5 as stars; tapping the n-th star rates n, tapping the
// star of the rating given clears it.
type ratingWidget struct {
	widget.BaseWidget
	stars    []*starButton
	rating   int
	onChange func(int)
}

func newRatingWidget(onChange func(int)) *ratingWidget {
	r := &ratingWidget{onChange: onChange}
	for i := 1; i <= 5; i++ {
		s := &starButton{n: i, parent: r, icon: widget.NewIcon(starOutlineIcon)}
		s.ExtendBaseWidget(s)
		r.stars = append(r.stars, s)
	}
	r.ExtendBaseWidget(r)
	return r
}

func (r *ratingWidget) CreateRenderer() fyne.WidgetRenderer {
	objs := make([]fyne.CanvasObject, len(r.stars))
	for i, s := range r.stars {
		objs[i] = s
	}
	return widget.NewSimpleRenderer(container.NewHBox(objs...))
}

// set shows a rating without calling onChange.
func (r *ratingWidget) set(n int) {
	r.rating = min(max(n, 0), 5)
	for i, s := range r.stars {
		if i < r.rating {
			s.icon.SetResource(starIcon)
		} else {
			s.icon.SetResource(starOutlineIcon)
		}
	}
}

func (r *ratingWidget) tap(n int) {
	if n == r.rating {
		n = 0
	}
	r.set(n)
	if r.onChange != nil {
		r.onChange(n)
	}
}

// starButton is one star of a ratingWidget.
type starButton struct {
	widget.BaseWidget
	n      int
	parent *ratingWidget
	icon   *widget.Icon
}

func (s *starButton) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(s.icon) }

func (s *starButton) MinSize() fyne.Size { return fyne.NewSquareSize(theme.IconInlineSize() * 1.2) }

// Tapped rates the entry with this star's number.
func (s *starButton) Tapped(*fyne.PointEvent) { s.parent.tap(s.n) }

// starOutlineIcon is an unfilled star, for the ratings not reached.
var starOutlineIcon = theme.NewThemedResource(fyne.NewStaticResource("star-outline.svg", []byte(
	`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 17.3l6.2 3.7-1.6-7 5.4-4.7-7.2-.6L12 2 9.2 8.7 2 9.3l5.4 4.7-1.6 7z" fill="none" stroke="#000" stroke-width="1.6"/></svg>`)))

// fieldEntry edits one value and hands it over when Enter is pressed (in a one-line editor) or
// when the focus leaves it, as desktop forms do. Undo and Redo in it (Ctrl+Z, or the Edit menu
// while it has the focus) act on what was typed in it since its value was last shown or handed
// over, and nothing else: the library's changes are undone outside the fields.
type fieldEntry struct {
	widget.Entry
	value  string // as last shown or handed over
	commit func(string)
	// nothingToUndo, when set, is called when Undo finds nothing typed to undo.
	nothingToUndo func()
}

func newFieldEntry(multi bool, commit func(string)) *fieldEntry {
	e := &fieldEntry{commit: commit}
	e.MultiLine = multi
	if multi {
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(3)
	}
	e.ExtendBaseWidget(e)
	e.OnSubmitted = func(string) { e.handOver() }
	return e
}

// setValue shows v as the field's value. The text is set only when it differs: setting it
// moves the cursor and forgets what can be undone.
func (e *fieldEntry) setValue(v string) {
	e.value = v
	if e.Text != v {
		e.SetText(v)
	}
}

func (e *fieldEntry) handOver() {
	if e.Text == e.value || e.commit == nil {
		return
	}
	e.value = e.Text
	// What was typed is the value now: Undo must not take it apart afterwards, or it would
	// make a value that was never shown (the empty text that typing over a selection passes
	// through, say) and store it when the field loses the focus.
	e.SetText(e.Text)
	e.commit(e.Text)
}

// TypedShortcut undoes and redoes typing only; the other shortcuts go to the text field.
func (e *fieldEntry) TypedShortcut(s fyne.Shortcut) {
	switch s.(type) {
	case *fyne.ShortcutUndo:
		if !e.step(e.Entry.Undo) && e.nothingToUndo != nil {
			e.nothingToUndo()
		}
	case *fyne.ShortcutRedo:
		e.step(e.Entry.Redo)
	default:
		e.Entry.TypedShortcut(s)
	}
}

// step undoes or redoes one step of typing, and reports whether the text changed. A step never
// ends on an empty text unless the value is empty: typing over the whole text passes through
// one, and the field would be removed if it lost the focus there.
func (e *fieldEntry) step(do func()) bool {
	before := e.Text
	for {
		last := e.Text
		do()
		if e.Text == last || e.Text != "" || e.value == "" {
			break
		}
	}
	if e.Text == "" && e.value != "" {
		e.SetText(before)
	}
	return e.Text != before
}

// TypedKey: Escape puts back the value as last shown or handed over, dropping what was typed
// since, and keeps the focus; every other key is the text field's.
func (e *fieldEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		if e.Text != e.value {
			e.SetText(e.value)
		}
		return
	}
	e.Entry.TypedKey(ev)
}

// AcceptsTab reports false, also for a field of several lines: Tab moves to the next field and
// hands the value over, as in a one-line field. Fyne's multi-line entry takes Tab as text, which
// put a tab character into a title and kept the focus where it was.
func (e *fieldEntry) AcceptsTab() bool { return false }

// FocusLost hands the value over.
func (e *fieldEntry) FocusLost() {
	e.Entry.FocusLost()
	e.handOver()
}

// bibtexTab edits the entry as BibTeX text, checked as it is typed; it is saved only when it
// reads as exactly one entry without errors.
type bibtexTab struct {
	pane    *entryPane
	content fyne.CanvasObject
	text    *widget.Entry
	status  *widget.Label
	save    *widget.Button
	revert  *widget.Button

	entry  *bib.Entry // as shown
	parsed *bib.Entry // the text's entry when it can be saved
}

func newBibtexTab(p *entryPane) *bibtexTab {
	t := &bibtexTab{pane: p}
	t.text = widget.NewMultiLineEntry()
	t.text.TextStyle.Monospace = true
	t.text.Wrapping = fyne.TextWrapOff
	t.text.OnChanged = t.check
	t.status = widget.NewLabel("")
	t.status.Wrapping = fyne.TextWrapWord
	t.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), t.onSave)
	t.save.Importance = widget.HighImportance
	t.revert = widget.NewButtonWithIcon("Revert", theme.ContentUndoIcon(), func() { t.show(t.entry, false) })
	bar := container.NewHBox(t.save, t.revert, layout.NewSpacer())
	t.content = container.NewBorder(nil, container.NewVBox(t.status, bar), nil, nil, t.text)
	return t
}

// show shows an entry as BibTeX. Shown again (same), text being edited stays.
func (t *bibtexTab) show(e *bib.Entry, same bool) {
	dirty := same && t.entry != nil && t.text.Text != bib.Format(t.entry)
	t.entry = e
	if !dirty {
		t.text.SetText(bib.Format(e))
	}
	t.check(t.text.Text)
}

// check parses the text and says what is wrong with it, line by line.
func (t *bibtexTab) check(text string) {
	t.parsed = nil
	if t.entry == nil {
		return
	}
	f := bib.Parse("entry", []byte(text))
	var msgs []string
	for _, pr := range f.Problems {
		msgs = append(msgs, fmt.Sprintf("line %d: %s", pr.Line, pr.Msg))
	}
	entries := f.Entries()
	bad := len(f.Errors()) > 0
	for _, it := range f.Items {
		switch it.Kind {
		case bib.KindEntry, bib.KindText:
		default:
			bad = true
			msgs = append(msgs, fmt.Sprintf("line %d: only one entry can be here, not @%s", it.Line, it.Kind))
		}
	}
	switch {
	case len(entries) == 0:
		bad = true
		msgs = append(msgs, "no entry: the text must be one @type{key, name = {value}, …}")
	case len(entries) > 1:
		bad = true
		msgs = append(msgs, fmt.Sprintf("%d entries: this tab edits one (import the others with File › Paste References)", len(entries)))
	default:
		if err := bib.CheckKey(entries[0].Key); err != nil {
			bad = true
			msgs = append(msgs, fmt.Sprintf("line %d: %v", entries[0].Line, err))
		}
	}
	changed := text != bib.Format(t.entry)
	switch {
	case bad:
		t.status.Importance = widget.DangerImportance
		t.status.SetText(strings.Join(msgs, "\n"))
	case len(msgs) > 0:
		t.parsed = entries[0]
		t.status.Importance = widget.WarningImportance
		t.status.SetText(strings.Join(msgs, "\n"))
	case changed:
		t.parsed = entries[0]
		t.status.Importance = widget.MediumImportance
		t.status.SetText("Valid BibTeX: Save stores it as written.")
	default:
		t.status.Importance = widget.MediumImportance
		t.status.SetText("The entry as stored. An export can add its tags to keywords, or rewrite it for BibLaTeX or ASCII, as Preferences say.")
	}
	t.status.Refresh()
	if t.parsed != nil && changed {
		t.save.Enable()
	} else {
		t.save.Disable()
	}
	if changed {
		t.revert.Enable()
	} else {
		t.revert.Disable()
	}
}

func (t *bibtexTab) onSave() {
	ref := t.pane.info.ref
	if t.parsed == nil || t.entry == nil || ref == nil {
		return
	}
	parsed := t.parsed
	save := func(files []storage.FileEdit) {
		t.text.SetText(parsed.Source) // what is saved, so that the tab is not left dirty
		t.pane.info.editFiles(ref, parsed, "Edit as BibTeX", files)
		t.entry = parsed
		t.check(t.text.Text)
	}
	if parsed.Key == ref.entry.Key {
		save(nil)
		return
	}
	// A new key: the text stays as typed until the rename is chosen; cancelled or refused, it
	// stays, to be changed.
	t.save.Disable()
	t.pane.info.renameKey(ref, parsed.Key, "Edit as BibTeX", save, func(error) { t.check(t.text.Text) })
}
