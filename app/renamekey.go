package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// keyRenamer plans renaming a key in the library and in the .tex files of the papers it knows.
type keyRenamer interface {
	PlanKeyRename(ctx context.Context, old, new string, dirs []string) (*storage.KeyRename, error)
}

// The choices of the rename dialog.
const (
	renameEverywhere  = "Rename in Library and .tex Files"
	renameLibraryOnly = "Rename in Library Only"
)

// maxDiffLines bounds the lines of diff the rename dialog shows; the rest is counted.
const maxDiffLines = 400

// planKeyRename plans renaming the entry old to new, on the work queue, and then, on the UI
// goroutine: when no .tex file of the papers the library knows cites old, calls rename(nil) at
// once (and shows the plan's notes, when it has any); when some do, asks, showing the change, and calls rename with the file edits (to rename
// in the .tex files too), rename(nil) (in the library only), or keep(nil) (cancelled). A rename
// the library refuses (new taken by another entry) is shown, and keep gets the error. Call it
// on the UI goroutine.
func (u *UI) planKeyRename(old, new, what string, rename func(files []storage.FileEdit), keep func(error)) {
	u.pending++
	u.work.run(func(ctx context.Context) {
		plan, err := u.lib.PlanKeyRename(ctx, old, new, nil)
		fyneDo(func() {
			u.pending--
			switch {
			case err != nil:
				u.showError(what, err)
				keep(err)
			case len(plan.Edits) == 0:
				rename(nil)
				if len(plan.Notes) > 0 {
					u.dialogs.show(dialog.NewInformation("Rename "+plan.Old+" to "+plan.New, strings.Join(plan.Notes, "\n"), u.win))
				}
			default:
				u.askKeyRename(plan, rename, keep)
			}
		})
	})
}

// askKeyRename shows the change a key rename makes to the .tex files, and asks whether to make
// it, to rename in the library only, or to cancel.
func (u *UI) askKeyRename(plan *storage.KeyRename, rename func(files []storage.FileEdit), keep func(error)) {
	citations := 0
	for _, e := range plan.Edits {
		citations += e.Changes
	}
	text := fmt.Sprintf("%s is cited %s of the papers the library knows. Rename it to %s there too? The change:",
		plan.Old, citationsIn(citations, len(plan.Edits)), plan.New)
	if len(plan.Skipped) > 0 {
		text += "\n(Not read, so left as they are: " + strings.Join(plan.Skipped, "; ") + ")"
	}
	if len(plan.Notes) > 0 {
		text += "\nNote: " + strings.Join(plan.Notes, "; ")
	}
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	diff := container.NewScroll(diffText(plan.Edits))
	size := u.win.Canvas().Size()
	width := min(900, size.Width-80)
	diff.SetMinSize(fyne.NewSize(width-40, min(360, size.Height-300)))

	var d *dialog.CustomDialog
	answered := false
	answer := func(f func()) func() {
		return func() {
			if !answered {
				answered = true
				f()
			}
			d.Hide()
		}
	}
	cancel := widget.NewButton("Cancel", answer(func() { keep(nil) }))
	only := widget.NewButton(renameLibraryOnly, answer(func() { rename(nil) }))
	both := widget.NewButtonWithIcon(renameEverywhere, theme.ConfirmIcon(), answer(func() { rename(plan.Edits) }))
	both.Importance = widget.HighImportance
	d = dialog.NewCustomWithoutButtons("Rename "+plan.Old+" to "+plan.New, container.NewBorder(msg, nil, nil, nil, diff), u.win)
	d.SetButtons([]fyne.CanvasObject{cancel, only, both})
	d.SetOnClosed(func() { // Escape
		if !answered {
			answered = true
			keep(nil)
		}
	})
	d.Resize(fyne.NewSize(width, 0))
	u.probeDialog(msg, cancel, only, both)
	u.inDialog["diff"] = diff
	u.dialogs.showWithEnter(d, both.OnTapped)
	// The key field behind the dialog has the keyboard after Enter committed it: Enter now is
	// the dialog's.
	u.win.Canvas().Unfocus()
}

// diffText shows the files' diffs, each under its path, monospaced: removed lines in the error
// colour, added ones in the success colour. It shows at most maxDiffLines lines, and says how
// many more there are.
func diffText(edits []storage.FileEdit) *widget.RichText {
	var segs []widget.RichTextSegment
	line := func(s string, colour fyne.ThemeColorName) {
		style := widget.RichTextStyleCodeBlock
		style.ColorName = colour
		segs = append(segs, &widget.TextSegment{Text: s, Style: style})
	}
	shown, more := 0, 0
	for _, e := range edits {
		head := widget.RichTextStyleStrong
		head.Inline = false
		segs = append(segs, &widget.TextSegment{Text: fmt.Sprintf("%s (%s)", e.Path, citationsText(e.Changes)), Style: head})
		for _, l := range strings.Split(strings.TrimSuffix(e.Diff, "\n"), "\n") {
			if strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ ") {
				continue // the path is said above
			}
			if shown >= maxDiffLines {
				more++
				continue
			}
			shown++
			switch {
			case strings.HasPrefix(l, "-"):
				line(l, theme.ColorNameError)
			case strings.HasPrefix(l, "+"):
				line(l, theme.ColorNameSuccess)
			case strings.HasPrefix(l, "@@"):
				line(l, theme.ColorNamePlaceHolder)
			default:
				line(l, theme.ColorNameForeground)
			}
		}
	}
	if more > 0 {
		segs = append(segs, &widget.TextSegment{Text: fmt.Sprintf("(%d more lines of diff not shown)", more), Style: widget.RichTextStyleParagraph})
	}
	t := widget.NewRichText(segs...)
	t.Wrapping = fyne.TextWrapOff
	return t
}

// citationsText is "1 citation" or "N citations".
func citationsText(n int) string {
	if n == 1 {
		return "1 citation"
	}
	return fmt.Sprintf("%d citations", n)
}

// citationsIn says how many times in how many files: "3 times in 2 .tex files".
func citationsIn(citations, files int) string {
	times := fmt.Sprintf("%d times", citations)
	switch citations {
	case 1:
		times = "once"
	case 2:
		times = "twice"
	}
	if files == 1 {
		return times + " in 1 .tex file"
	}
	return fmt.Sprintf("%s in %d .tex files", times, files)
}

// renameEverywhere stores edited, the entry ref under a new key, in place of old, as
// saveEntryRef does, and makes the .tex file edits, in one change: Undo puts the old key back
// and the files as they were, Redo does both again.
func (u *UI) renameEverywhere(ref *entryRef, old, edited *bib.Entry, what string, files []storage.FileEdit) {
	c := u.entryChange(ref, old, edited, what)
	r := &keyRenameChange{lib: u.lib, before: old.Clone(), after: edited.Clone(), todo: files}
	c.do, c.undo, c.undoNote = r.do, r.undo, r.note
	u.perform(c)
}

// keyRenameChange is a key renamed in the library and in .tex files, undoably. A file edited by
// someone else after the rename is left as it is by Undo, which still puts the library's key
// back and says which files it left (note).
type keyRenameChange struct {
	lib interface {
		UpdateEntry(context.Context, string, *bib.Entry) error
	}
	before, after *bib.Entry
	todo          []storage.FileEdit // the file edits do makes
	made          []storage.FileEdit // the file edits do made, which undo takes back

	mu   sync.Mutex
	left []string // the files the last undo left, and why
}

// do makes the file edits (all or none: storage.ApplyFileEdits), then renames the entry; should
// the library refuse, the files are put back.
func (r *keyRenameChange) do(ctx context.Context) error {
	if err := storage.ApplyFileEdits(ctx, r.todo); err != nil {
		if errors.Is(err, storage.ErrFileChanged) {
			return fmt.Errorf("rename %q: %w: nothing was changed; rename it again to see the change", r.before.Key, err)
		}
		return fmt.Errorf("rename %q in the .tex files: %w", r.before.Key, err)
	}
	if err := r.lib.UpdateEntry(ctx, r.before.Key, r.after); err != nil {
		back := make([]storage.FileEdit, len(r.todo))
		for i, e := range r.todo {
			back[i] = e.Reverse()
		}
		if rerr := storage.ApplyFileEdits(context.WithoutCancel(ctx), back); rerr != nil {
			err = errors.Join(err, fmt.Errorf("put back the .tex files: %w", rerr))
		}
		return err
	}
	r.made, r.todo = r.todo, nil
	return nil
}

// undo puts the old key back in the library, then each file as it was, file by file: a file
// changed since the rename is left as it is (and redo leaves it too).
func (r *keyRenameChange) undo(ctx context.Context) error {
	if err := r.lib.UpdateEntry(ctx, r.after.Key, r.before); err != nil {
		return err
	}
	var left []string
	for _, e := range r.made {
		if err := storage.ApplyFileEdits(ctx, []storage.FileEdit{e.Reverse()}); err != nil {
			if errors.Is(err, storage.ErrFileChanged) {
				left = append(left, e.Path+" (changed since the rename)")
			} else {
				left = append(left, err.Error())
			}
			continue
		}
		r.todo = append(r.todo, e)
	}
	r.made = nil
	r.mu.Lock()
	r.left = left
	r.mu.Unlock()
	return nil
}

// note says what the last undo left undone: "" when it took everything back.
func (r *keyRenameChange) note() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.left) == 0 {
		return ""
	}
	what := "this .tex file: it is left as it is"
	if len(r.left) > 1 {
		what = "these .tex files: they are left as they are"
	}
	return fmt.Sprintf("The library has the key %s again, but Undo could not put back %s.\n%s\nWhere %s is still cited there, put %s back by hand.",
		r.before.Key, what, strings.Join(r.left, "\n"), r.after.Key, r.before.Key)
}
