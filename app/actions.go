package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// change is one undoable action on the library. do runs it (again, for redo); undo takes it back.
// Both run off the UI goroutine, one change at a time, in the order they were asked for.
type change struct {
	name string
	do   func(ctx context.Context) error
	undo func(ctx context.Context) error
	// select, when set, gives the keys to select once the change (or its redo) is done.
	selectAfter func() []string
	// selectUndone gives the keys to select once it is undone.
	selectUndone func() []string
	// failed, when set, is called on the UI goroutine when do fails the first time.
	failed func()
	// done, when set, is called on the UI goroutine when do succeeds the first time.
	done func()
	// trashes marks a change whose do or undo moves entries to the trash: emptying the trash
	// makes it impossible to take back.
	trashes bool
	// undoNote, when set, says what undo, though it worked, could not take back (a .tex file
	// edited since a key was renamed in it); "" when nothing. It is asked once undo is done.
	undoNote func() string
}

// history holds the changes made and undone, on the UI goroutine.
type history struct {
	done, undone []*change
}

// maxHistory is how many changes can be undone.
const maxHistory = 200

// perform runs a change off the UI goroutine and makes it undoable at once: the work queue runs
// changes in order, so an undo asked for before the change is written runs after it. A change
// that fails leaves the history.
func (u *UI) perform(c *change) {
	u.history.done = append(u.history.done, c)
	if len(u.history.done) > maxHistory {
		u.history.done = slices.Delete(u.history.done, 0, 1)
	}
	u.history.undone = nil
	u.runChange(c.name, c.do, func(err error) {
		if err != nil {
			u.history.done = slices.DeleteFunc(u.history.done, func(o *change) bool { return o == c })
			if c.failed != nil {
				c.failed()
			}
			return
		}
		if c.done != nil {
			c.done()
		}
		u.afterChange(c.selectAfter)
	})
}

// onUndo takes back the last change.
func (u *UI) onUndo() {
	if len(u.history.done) == 0 {
		u.status.SetText("Nothing to undo")
		return
	}
	c := u.history.done[len(u.history.done)-1]
	u.history.done = u.history.done[:len(u.history.done)-1]
	u.history.undone = append(u.history.undone, c)
	u.runChange("Undo "+c.name, c.undo, func(err error) {
		if err != nil {
			// Neither undone nor to be redone: what the library holds is unknown here.
			u.history.undone = slices.DeleteFunc(u.history.undone, func(o *change) bool { return o == c })
			return
		}
		u.status.SetText("Undone: " + c.name)
		if c.undoNote != nil {
			if note := c.undoNote(); note != "" {
				u.dialogs.show(dialog.NewInformation("Undone in Part", note, u.win))
			}
		}
		u.afterChange(c.selectUndone)
	})
}

// nothingToUndoIn says that Undo in a field found nothing typed there to undo, and how the
// library's last change is undone instead.
func (u *UI) nothingToUndoIn(field string) {
	msg := "Nothing typed in " + field + " to undo"
	if n := len(u.history.done); n > 0 {
		msg += fmt.Sprintf(". Undo outside the fields (click the list first) takes back: %s", u.history.done[n-1].name)
	}
	u.status.SetText(msg)
}

// onRedo makes the last undone change again.
func (u *UI) onRedo() {
	if len(u.history.undone) == 0 {
		u.status.SetText("Nothing to redo")
		return
	}
	c := u.history.undone[len(u.history.undone)-1]
	u.history.undone = u.history.undone[:len(u.history.undone)-1]
	u.history.done = append(u.history.done, c)
	u.runChange("Redo "+c.name, c.do, func(err error) {
		if err != nil {
			u.history.done = slices.DeleteFunc(u.history.done, func(o *change) bool { return o == c })
			return
		}
		u.status.SetText("Redone: " + c.name)
		u.afterChange(c.selectAfter)
	})
}

// run queues work on the work queue and calls done on the UI goroutine when it
// worked; a failure is shown with what was being done.
func (u *UI) run(what string, work func(ctx context.Context) error, done func()) {
	u.runChange(what, work, func(err error) {
		if err == nil {
			done()
		}
	})
}

// runChange queues work on the work queue and calls done with its error on the UI
// goroutine; a failure is shown, and the window shows the library as it is.
func (u *UI) runChange(what string, work func(ctx context.Context) error, done func(error)) {
	u.pending++
	finished := false // on the UI goroutine
	u.work.run(func(ctx context.Context) {
		// A change that takes a while (moving 100,000 entries to the Trash: seconds) says so.
		slow := time.AfterFunc(slowChange, func() {
			fyneDo(func() {
				if !finished {
					u.status.SetText(what + "…")
				}
			})
		})
		err := work(ctx)
		slow.Stop()
		fyneDo(func() {
			finished = true
			u.pending--
			done(err)
			if err != nil {
				u.showError(what, err)
				u.afterChange(nil)
			}
		})
	})
}

// slowChange is how long a change runs before the status line says it is running.
const slowChange = 300 * time.Millisecond

func (u *UI) showError(what string, err error) {
	msg := shownError(err)
	u.status.SetText(what + " failed: " + msg)
	u.dialogs.show(dialog.NewError(fmt.Errorf("%s failed: %s", what, msg), u.win))
}

// shownError is an error's message as the window shows it.
func shownError(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, fs.ErrExist):
		// "update "old": the key "new" is taken by another entry" says the key is taken.
		for _, verb := range []string{"update ", "rename "} {
			if rest, ok := strings.CutPrefix(msg, verb); ok {
				if _, taken, ok := strings.Cut(rest, ": "); ok {
					msg = taken
				}
			}
		}
	case errors.Is(err, storage.ErrNotFound):
		msg += " (another window may have changed it)"
	}
	return msg
}

// afterChange shows the library as it is now: the list (keeping its selection, or selecting the
// given keys), the sidebar's counts and the entry pane; and has the .bib files kept in sync
// written. It follows the window's own changes, and those of others (see follower).
func (u *UI) afterChange(sel func() []string) {
	if sel != nil {
		keys := sel()
		clear(u.list.selected)
		for _, k := range keys {
			u.list.selected[k] = true
		}
	}
	u.results.reloadKeep(true)
	u.sidebar.refresh()
	u.detail.showKeys(u.list.selection())
	u.checks.check()   // when the Check Library view is open, its findings follow the library
	u.papers.recheck() // an entry it cites may have come in, or gone
	u.kept.poke()      // the files kept in sync are rewritten now, not at the runner's next look
	u.follow.shown()   // what the library is now is shown: not a change of others
}

// saveEntryRef stores an edited entry in place of old. The selection follows a new key, when
// the entry is still what is selected. When the library refuses the edit, ref is marked failed,
// so that the Info tab shows the library's copy again.
func (u *UI) saveEntryRef(ref *entryRef, old, edited *bib.Entry, what string) {
	u.perform(u.entryChange(ref, old, edited, what))
}

// entryChange is the change that stores edited in place of old (see saveEntryRef).
func (u *UI) entryChange(ref *entryRef, old, edited *bib.Entry, what string) *change {
	before, after := old.Clone(), edited.Clone()
	follow := func(from, to string) func() []string {
		return func() []string {
			sel := u.list.selection()
			if len(sel) == 1 && bib.SameKey(sel[0], from) {
				return []string{to}
			}
			return sel
		}
	}
	return &change{
		name:         what,
		do:           func(ctx context.Context) error { return u.lib.UpdateEntry(ctx, before.Key, after) },
		undo:         func(ctx context.Context) error { return u.lib.UpdateEntry(ctx, after.Key, before) },
		selectAfter:  follow(before.Key, after.Key),
		selectUndone: follow(after.Key, before.Key),
		failed:       func() { ref.failed = true },
	}
}

// onTrash moves the selection to the trash, or, in the Trash, takes it out.
func (u *UI) onTrash() {
	keys := u.list.selection()
	if len(keys) == 0 {
		u.status.SetText("Select the entries to move to the Trash first")
		return
	}
	if u.sidebar.current().kind == kindTrash {
		u.onRestore()
		return
	}
	u.trash(keys)
}

// trash moves entries to the trash; Undo brings them back, selected.
func (u *UI) trash(keys []string) {
	u.perform(bulkChange(fmt.Sprintf("Move %s to the Trash", rowsText(len(keys))), keys,
		func(ctx context.Context, keys []string) ([]string, error) { return u.lib.Trash(ctx, keys...) },
		func(ctx context.Context, keys []string) ([]string, error) { return u.lib.Restore(ctx, keys...) },
		trashing))
}

// onRestore takes the selection out of the trash.
func (u *UI) onRestore() {
	keys := u.list.selection()
	if len(keys) == 0 || u.sidebar.current().kind != kindTrash {
		u.status.SetText("Select entries in the Trash to restore them")
		return
	}
	u.perform(bulkChange(fmt.Sprintf("Restore %s", rowsText(len(keys))), keys,
		func(ctx context.Context, keys []string) ([]string, error) { return u.lib.Restore(ctx, keys...) },
		func(ctx context.Context, keys []string) ([]string, error) { return u.lib.Trash(ctx, keys...) },
		trashing))
}

// trashing marks a bulk change that moves entries to the trash or out of it: the list is left
// with no selection, and undo selects the entries again.
func trashing(c *change, changed *[]string) {
	c.trashes = true
	c.selectAfter = func() []string { return nil }
	c.selectUndone = func() []string { return *changed }
}

// bulkEdit changes some entries in one storage call, one transaction, and returns the keys of
// those it changed.
type bulkEdit func(ctx context.Context, keys []string) ([]string, error)

// bulkChange makes the change of keys that do makes, whose undo runs back on exactly the entries
// do changed (those that already had a tag keep it, say); more, when set, adjusts the change,
// given the keys do changed.
func bulkChange(name string, keys []string, do, back bulkEdit, more ...func(c *change, changed *[]string)) *change {
	var changed []string
	c := &change{
		name: name,
		do: func(ctx context.Context) (err error) {
			changed, err = do(ctx, keys)
			return err
		},
		undo: func(ctx context.Context) error {
			if len(changed) == 0 {
				return nil
			}
			_, err := back(ctx, changed)
			return err
		},
	}
	for _, f := range more {
		f(c, &changed)
	}
	return c
}

func (u *UI) addTag(keys []string, tag string) {
	u.perform(bulkChange("Add tag "+tag, keys,
		func(ctx context.Context, keys []string) ([]string, error) { return u.lib.AddTags(ctx, keys, tag) },
		func(ctx context.Context, keys []string) ([]string, error) { return u.lib.RemoveTags(ctx, keys, tag) }))
}

func (u *UI) removeTag(keys []string, tag string) {
	u.perform(bulkChange("Remove tag "+tag, keys,
		func(ctx context.Context, keys []string) ([]string, error) { return u.lib.RemoveTags(ctx, keys, tag) },
		func(ctx context.Context, keys []string) ([]string, error) { return u.lib.AddTags(ctx, keys, tag) }))
}

func (u *UI) addToCollection(c storage.Collection, keys ...string) {
	u.perform(bulkChange("Add to "+c.Name, keys,
		func(ctx context.Context, keys []string) ([]string, error) {
			return u.lib.AddToCollection(ctx, c.ID, keys...)
		},
		func(ctx context.Context, keys []string) ([]string, error) {
			return u.lib.RemoveFromCollection(ctx, c.ID, keys...)
		}))
}

func (u *UI) removeFromCollection(c storage.Collection, keys ...string) {
	u.perform(bulkChange("Remove from "+c.Name, keys,
		func(ctx context.Context, keys []string) ([]string, error) {
			return u.lib.RemoveFromCollection(ctx, c.ID, keys...)
		},
		func(ctx context.Context, keys []string) ([]string, error) {
			return u.lib.AddToCollection(ctx, c.ID, keys...)
		}))
}

func (u *UI) setStarred(on bool, keys ...string) {
	u.perform(bulkChange(map[bool]string{true: "Star", false: "Unstar"}[on], keys,
		func(ctx context.Context, keys []string) ([]string, error) { return u.lib.SetStarred(ctx, on, keys...) },
		func(ctx context.Context, keys []string) ([]string, error) { return u.lib.SetStarred(ctx, !on, keys...) }))
}

func (u *UI) setRead(on bool, keys ...string) {
	u.perform(bulkChange(map[bool]string{true: "Mark as read", false: "Mark as unread"}[on], keys,
		func(ctx context.Context, keys []string) ([]string, error) { return u.lib.SetRead(ctx, on, keys...) },
		func(ctx context.Context, keys []string) ([]string, error) { return u.lib.SetRead(ctx, !on, keys...) }))
}

func (u *UI) setRating(key string, rating int) {
	var old int
	u.perform(&change{
		name: "Rate",
		do: func(ctx context.Context) (err error) {
			old, err = u.lib.SetRating(ctx, key, rating)
			return err
		},
		undo: func(ctx context.Context) error {
			_, err := u.lib.SetRating(ctx, key, old)
			return err
		},
	})
}

// onToggleStar stars the selected entries, or unstars them when all of them are starred;
// onToggleRead does the same for read.
func (u *UI) onToggleStar() {
	u.toggleFlag(func(f storage.Flags) bool { return f.Starred }, u.setStarred)
}

func (u *UI) onToggleRead() {
	u.toggleFlag(func(f storage.Flags) bool { return f.Read }, u.setRead)
}

func (u *UI) toggleFlag(has func(storage.Flags) bool, set func(bool, ...string)) {
	keys := u.list.selection()
	if len(keys) == 0 {
		u.status.SetText("Select the entries first")
		return
	}
	u.pending++
	// On the work queue: a second press reads the flags the first one wrote.
	u.work.run(func(ctx context.Context) {
		all := true
		for _, k := range keys {
			f, err := u.lib.EntryFlags(ctx, k)
			if err != nil {
				fyneDo(func() { u.pending--; u.showError("Read flags", err) })
				return
			}
			all = all && has(f)
		}
		fyneDo(func() { u.pending--; set(!all, keys...) })
	})
}

// onAddTag asks for a tag and gives it to the selected entries.
func (u *UI) onAddTag() {
	keys := u.list.selection()
	if len(keys) == 0 {
		u.status.SetText("Select the entries to tag first")
		return
	}
	u.ask("Add Tag", fmt.Sprintf("Tag for %s", rowsText(len(keys))), "", "Add", func(tag string) { u.addTag(keys, tag) })
}

// addEntry adds a new entry, made in the window, selected, and in the collection the sidebar
// shows; undo moves it to the trash, redo brings it back.
func (u *UI) addEntry(e *bib.Entry, what string) {
	var key string
	into := u.viewedCollection() // a new entry goes into the collection it is made in
	u.perform(&change{
		name: what,
		do: func(ctx context.Context) (err error) {
			if key != "" {
				_, err := u.lib.Restore(ctx, key)
				return err
			}
			key, err = u.lib.AddEntry(ctx, e, u.app.Preferences().StringWithFallback(prefKeyPattern, bib.PatternJabRef))
			if err == nil && into != 0 {
				_, err = u.lib.AddToCollection(ctx, into, key)
			}
			return err
		},
		undo: func(ctx context.Context) error {
			_, err := u.lib.Trash(ctx, key)
			return err
		},
		selectAfter: func() []string { return []string{key} },
		trashes:     true,
	})
}

// The placeholders of the New Entry dialog's fields, which name them.
const (
	newEntryAuthors = "Knuth, Donald E. and Lamport, Leslie"
	newEntryTitle   = "Title"
	newEntryYear    = "Year"
)

// onNewEntry asks for a type, the authors, the title and the year, and adds the entry: the key
// pattern makes its key of them, as an import does for an entry without one. The pane then
// shows the other fields its type needs, to fill in.
func (u *UI) onNewEntry() {
	var names []string
	for _, t := range bib.Types() {
		names = append(names, t.Name)
	}
	sel := newDialogSelect(u.dialogs, names)
	sel.SetSelected("article")
	balanced := func(s string) error {
		if !bib.Balanced(s) {
			return errors.New("the braces do not balance")
		}
		return nil
	}
	field := func(placeholder string) *dialogEntry {
		e := newDialogEntry(u.dialogs)
		e.SetPlaceHolder(placeholder)
		e.Validator = balanced
		return e
	}
	author, title, year := field(newEntryAuthors), field(newEntryTitle), field(newEntryYear)
	title.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("a new entry needs a title")
		}
		return balanced(s)
	}
	items := []*widget.FormItem{
		widget.NewFormItem("Type", sel),
		widget.NewFormItem("Authors", author),
		widget.NewFormItem("Title", title),
		widget.NewFormItem("Year", year),
	}
	d := dialog.NewForm("New Entry", "Create", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		e := &bib.Entry{Type: sel.Selected}
		for _, f := range []struct {
			name string
			in   *dialogEntry
		}{{"author", author}, {"title", title}, {"year", year}} {
			if v := strings.TrimSpace(f.in.Text); v != "" {
				if err := e.Set(f.name, v); err != nil {
					u.showError("New entry", err)
					return
				}
			}
		}
		// Back to the full library, or the new entry may be outside what the list shows; a
		// collection shown stays, as the new entry goes into it.
		u.search.SetText("")
		if u.viewedCollection() == 0 {
			u.sidebar.selectID(idLibrary)
		}
		u.addEntry(e, "New entry")
		u.detail.tabs.SelectIndex(0)
	}, u.win)
	submits(d, author, title, year)
	d.Resize(fyne.NewSize(560, 0))
	u.dialogs.show(d)
	u.win.Canvas().Focus(author)
}

// onDuplicateEntry adds a copy of the selected entry under a new key.
func (u *UI) onDuplicateEntry() {
	e := u.detail.entry
	if e == nil || len(u.list.selection()) != 1 {
		u.status.SetText("Select one entry to duplicate it")
		return
	}
	c := e.Clone()
	c.Key, c.Source = "", ""
	u.addEntry(c, "Duplicate entry")
}

// citeCommands are the citation commands Copy Citation can write; Pandoc's is [@a; @b].
var citeCommands = []string{`\cite`, `\citep`, `\citet`, `\parencite`, `\textcite`, `\autocite`, `\footcite`, "Pandoc [@key]"}

// citation writes the keys as the command cites them.
func citation(command string, keys []string) string {
	if strings.HasPrefix(command, "Pandoc") {
		return "[@" + strings.Join(keys, "; @") + "]"
	}
	if command == "" {
		command = `\cite`
	}
	return command + "{" + strings.Join(keys, ",") + "}"
}

func (u *UI) copyText(s, what string) {
	u.app.Clipboard().SetContent(s)
	u.status.SetText("Copied " + what)
}

func (u *UI) onCopyCitation() {
	keys := u.list.selection()
	if len(keys) == 0 {
		u.status.SetText("Select the entries to cite first")
		return
	}
	u.copyText(citation(u.app.Preferences().StringWithFallback(prefCiteCommand, `\cite`), keys), citation(u.app.Preferences().StringWithFallback(prefCiteCommand, `\cite`), keys))
}

func (u *UI) onCopyKey() {
	keys := u.list.selection()
	if len(keys) == 0 {
		u.status.SetText("Select an entry first")
		return
	}
	what := "the key"
	if len(keys) > 1 {
		what = fmt.Sprintf("%d keys", len(keys))
	}
	u.copyText(strings.Join(keys, ","), what)
}

// onCopyBibTeX copies the selection as BibTeX, as an export would write it.
func (u *UI) onCopyBibTeX() {
	keys := u.list.selection()
	if len(keys) == 0 {
		u.status.SetText("Select the entries to copy first")
		return
	}
	opts := u.exportOptions()
	opts.Keys = keys
	u.work.run(func(ctx context.Context) {
		var b strings.Builder
		_, err := u.lib.Export(ctx, &b, opts)
		fyneDo(func() {
			if err != nil {
				u.showError("Copy BibTeX", err)
				return
			}
			u.copyText(b.String(), fmt.Sprintf("%s as BibTeX", rowsText(len(keys))))
		})
	})
}

// onPaste imports the references on the clipboard (importFlow.paste).
func (u *UI) onPaste() { u.imports.paste(u.app.Clipboard().Content()) }

// newBatch makes the actions on several selected entries: a tag for all of them, a star, read.
func (u *UI) newBatch() *fyne.Container {
	tag := widget.NewEntry()
	tag.SetPlaceHolder("A tag for all of them…")
	addTag := func() {
		if name := strings.TrimSpace(tag.Text); name != "" {
			u.addTag(u.list.selection(), name)
			tag.SetText("")
		}
	}
	tag.OnSubmitted = func(string) { addTag() }
	return container.NewVBox(
		container.NewBorder(nil, nil, nil, widget.NewButtonWithIcon("Tag", theme.ContentAddIcon(), addTag), tag),
		container.NewGridWithColumns(2,
			widget.NewButtonWithIcon("Star", starIcon, func() { u.setStarred(true, u.list.selection()...) }),
			widget.NewButton("Unstar", func() { u.setStarred(false, u.list.selection()...) }),
			widget.NewButtonWithIcon("Mark Read", theme.VisibilityIcon(), func() { u.setRead(true, u.list.selection()...) }),
			widget.NewButtonWithIcon("Mark Unread", theme.VisibilityOffIcon(), func() { u.setRead(false, u.list.selection()...) }),
			widget.NewButtonWithIcon("Copy Citation", theme.ContentCopyIcon(), u.onCopyCitation),
			widget.NewButtonWithIcon("Move to Trash", theme.DeleteIcon(), u.onTrash),
		),
	)
}
