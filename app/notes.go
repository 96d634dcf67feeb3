package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// noteStore is what the notes tab needs from the library.
type noteStore interface {
	Note(ctx context.Context, key string) (string, error)
	SetNote(ctx context.Context, key, markdown string) error
}

// saveDelay is how long the notes tab waits after the last keystroke before it saves: long enough
// not to write on every letter, short enough that little is lost if the program dies.
const saveDelay = 600 * time.Millisecond

// notesPlaceholder tells a newcomer the note is Markdown, and which Markdown the preview shows.
const notesPlaceholder = "Notes in Markdown: **bold**, *italic*, - lists, # headings"

// notesPane is the Notes tab: the selected entry's Markdown note, edited and previewed. Edits are
// saved a moment after the typing stops, and at once when the selection changes (flush).
type notesPane struct {
	content fyne.CanvasObject
	store   noteStore
	onSaved func(key string)

	editor   *widget.Entry
	preview  *widget.RichText
	editing  fyne.CanvasObject // the editor, shown in Edit mode
	viewing  fyne.CanvasObject // the preview, shown in Preview mode
	editBtn  *widget.Button
	viewBtn  *widget.Button
	status   *widget.Label
	body     fyne.CanvasObject // everything but message
	message  *widget.Label     // when no entry is selected
	queue    *workQueue        // the window's, shared with every library call
	debounce *time.Timer       // held on queue while armed, so that wait covers it

	// The fields below are used on the UI goroutine only.
	key        string // the entry shown; "" when none
	generation int    // of the newest show; older loads are dropped
	loading    bool   // the note is being read: the editor is disabled and not saved
	setting    bool   // the editor's text is being set by the pane, not typed
	dirty      bool   // the editor holds text not yet handed to a save
}

func newNotesPane(store noteStore, queue *workQueue, onSaved func(key string)) *notesPane {
	p := &notesPane{store: store, queue: queue, onSaved: onSaved}
	p.editor = widget.NewMultiLineEntry()
	p.editor.Wrapping = fyne.TextWrapWord
	p.editor.SetPlaceHolder(notesPlaceholder)
	p.editor.OnChanged = p.onChanged
	// One timer, re-armed, and never a new one: the timer's goroutine reads the field.
	p.debounce = time.AfterFunc(time.Hour, p.onDebounce)
	p.debounce.Stop()
	p.preview = widget.NewRichText()
	p.preview.Wrapping = fyne.TextWrapWord
	p.editing = p.editor
	p.viewing = container.NewVScroll(p.preview)
	p.editBtn = widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), p.onEdit)
	p.viewBtn = widget.NewButtonWithIcon("Preview", theme.VisibilityIcon(), p.onPreview)
	p.status = widget.NewLabel("")
	p.status.Importance = widget.LowImportance
	p.status.Truncation = fyne.TextTruncateEllipsis
	// The status takes the room left by the buttons, so that a long error is cut, not the
	// buttons pushed out of the pane.
	bar := container.NewBorder(nil, nil, container.NewHBox(p.editBtn, p.viewBtn), nil, p.status)
	p.body = container.NewBorder(bar, nil, nil, nil, container.NewStack(p.editing, p.viewing))
	p.message = widget.NewLabel("")
	p.message.Wrapping = fyne.TextWrapWord
	p.content = container.NewStack(container.NewVBox(p.message, layout.NewSpacer()), p.body)
	p.clear()
	return p
}

// show shows the note of the entry key, read off the UI goroutine. A pending edit of the entry
// shown before is saved first.
func (p *notesPane) show(key string) {
	if key == "" {
		p.clear()
		return
	}
	if key == p.key && !p.loading && !p.editor.Disabled() {
		return // reading it again could only lose what is being typed (see reread)
	}
	save := p.takeEdit()
	p.generation++
	gen := p.generation
	p.key, p.loading = key, true
	p.message.Hide()
	p.body.Show()
	p.setEditor("")
	p.editor.Disable()
	p.status.SetText("")
	// The library is called last: under Fyne's test driver its results reach the widgets on
	// the goroutine that calls it, at once, and must not meet this function still at work.
	if save != nil {
		p.queue.run(save)
	}
	p.queue.run(func(ctx context.Context) {
		note, err := p.store.Note(ctx, key)
		fyneDo(func() { p.loaded(gen, note, err) })
	})
}

// reread reads the note shown again, for a change another program or another member of a
// shared library made to it while it is shown: the library's note replaces the editor's text
// when it differs and nothing typed waits to be saved, both when asked and when it arrives, so
// that what is being typed is never lost. A save asked for before is on the queue ahead of the
// read, which then finds the text saved.
func (p *notesPane) reread() {
	if p.key == "" || p.loading || p.dirty || p.editor.Disabled() {
		return
	}
	gen, key := p.generation, p.key
	p.queue.run(func(ctx context.Context) {
		note, err := p.store.Note(ctx, key)
		fyneDo(func() {
			if err != nil || gen != p.generation || p.loading || p.dirty || note == p.editor.Text {
				return
			}
			p.setEditor(note)
			p.setMode(p.viewing.Visible() && strings.TrimSpace(note) != "")
		})
	})
}

// loaded shows a note read by show, unless another entry was shown since.
func (p *notesPane) loaded(gen int, note string, err error) {
	if gen != p.generation {
		return
	}
	p.loading = false
	if err != nil {
		p.status.SetText(fmt.Sprintf("Could not read the note: %v", err))
		p.setEditor("")
		p.setMode(false)
		// Not enabled: what would be typed here could overwrite a note that could not be read.
		return
	}
	p.editor.Enable()
	p.setEditor(note)
	p.setMode(strings.TrimSpace(note) != "")
}

// clear leaves no entry selected: a message, nothing to edit. A pending edit is saved first.
func (p *notesPane) clear() {
	save := p.takeEdit()
	p.generation++
	p.key, p.loading = "", false
	p.setEditor("")
	p.message.SetText("Select an entry to write a note about it.")
	p.message.Show()
	p.body.Hide()
	if save != nil {
		p.queue.run(save)
	}
}

// flush saves a pending edit now, off the UI goroutine. Call it before the selection changes.
func (p *notesPane) flush() { p.save() }

func (p *notesPane) setEditor(text string) {
	p.setting = true
	p.editor.SetText(text)
	p.setting = false
	p.dirty = false
}

// setMode shows the preview, rendered from the editor, or the editor.
func (p *notesPane) setMode(preview bool) {
	if preview {
		text := p.editor.Text
		if strings.TrimSpace(text) == "" {
			text = "*No note yet. Write one with Edit.*"
		}
		p.preview.ParseMarkdown(text)
		p.editing.Hide()
		p.viewing.Show()
		p.viewBtn.Importance, p.editBtn.Importance = widget.HighImportance, widget.MediumImportance
	} else {
		p.viewing.Hide()
		p.editing.Show()
		p.viewBtn.Importance, p.editBtn.Importance = widget.MediumImportance, widget.HighImportance
	}
	p.viewBtn.Refresh()
	p.editBtn.Refresh()
}

func (p *notesPane) onEdit() {
	p.setMode(false)
	if c := fyne.CurrentApp().Driver().CanvasForObject(p.editor); c != nil && !p.editor.Disabled() {
		c.Focus(p.editor)
	}
}

// onPreview also saves: leaving the editor is a natural end of an edit.
func (p *notesPane) onPreview() {
	p.setMode(true)
	p.save()
}

func (p *notesPane) onChanged(string) {
	if p.setting || p.key == "" || p.loading {
		return
	}
	p.dirty = true
	p.status.SetText("Edited")
	p.stopDebounce()
	p.queue.hold()
	p.debounce.Reset(saveDelay)
}

// onDebounce runs on the timer's goroutine once the typing has stopped. It waits for the save
// to be queued before it stops counting as pending, so that wait never sees a gap between them.
func (p *notesPane) onDebounce() {
	defer p.queue.release()
	fyneDoAndWait(p.save)
}

// stopDebounce disarms the save timer; a timer already fired finishes on its own.
func (p *notesPane) stopDebounce() {
	if p.debounce.Stop() {
		p.queue.release()
	}
}

// save hands the editor's text to the library when it has changed.
func (p *notesPane) save() {
	if job := p.takeEdit(); job != nil {
		p.queue.run(job)
	}
}

// takeEdit returns the job that saves the editor's text, or nil when there is nothing new to
// save, and counts the text as saved from now on.
func (p *notesPane) takeEdit() func(ctx context.Context) {
	p.stopDebounce()
	if !p.dirty || p.key == "" {
		return nil
	}
	p.dirty = false
	key, text := p.key, p.editor.Text
	if strings.TrimSpace(text) == "" {
		text = "" // the library deletes a blank note; say so plainly
	}
	p.status.SetText("Saving…")
	return func(ctx context.Context) {
		err := p.store.SetNote(ctx, key, text)
		fyneDo(func() { p.saved(key, err) })
	}
}

// saved reports a save. A failure is shown even when another entry is shown by now: the text
// is in no other place.
func (p *notesPane) saved(key string, err error) {
	if err != nil {
		msg := fmt.Sprintf("Could not save the note: %v", err)
		if key != p.key {
			msg = fmt.Sprintf("Could not save the note of %s: %v", key, err)
		} else {
			p.dirty = true // the next edit, or flush, tries again
		}
		p.status.SetText(msg)
		return
	}
	if key == p.key && !p.dirty && !p.loading {
		p.status.SetText("Saved")
	}
	if p.onSaved != nil {
		p.onSaved(key)
	}
}
