package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	fynestorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage"
)

// attachmentStore is what the attachments tab needs from the library.
type attachmentStore interface {
	Attachments(ctx context.Context, key string) ([]storage.Attachment, error)
	AddAttachment(ctx context.Context, key, path string) (storage.Attachment, error)
	RemoveAttachment(ctx context.Context, key string, id int64) error
	AttachmentsFolder(ctx context.Context) (storage.AttachmentsFolder, error)
	SetAttachmentsFolder(ctx context.Context, dir string) error
}

const (
	attachmentsEmpty   = "No files attached. Add one with Add file…, or drop a file onto this pane."
	attachmentsNoEntry = "Select an entry to see the files attached to it."
)

// openWithSystem returns a function that opens a file with the system's viewer for its type.
func openWithSystem(a fyne.App) func(path string) error {
	return func(path string) error {
		u, err := url.Parse(fynestorage.NewFileURI(path).String())
		if err != nil {
			return fmt.Errorf("open %s: %w", path, err)
		}
		if err := a.OpenURL(u); err != nil {
			return fmt.Errorf("open %s: %w", path, err)
		}
		return nil
	}
}

// attachmentsPane is the Attachments tab: the files attached to the selected entry, to open, add
// and remove. A file added here is linked where it is, and a file removed stays on disk (PDFs
// added as papers, or downloaded, are copied into the attachments folder by the library).
type attachmentsPane struct {
	content   fyne.CanvasObject
	store     attachmentStore
	win       fyne.Window
	open      func(path string) error
	onChanged func(key string)
	dialogs   *dialogStack // the window's; nil in tests that build the pane alone

	addBtn  *widget.Button
	// folderBtn shows the attachments folder, to set it (onFolder, the window's dialog).
	folderBtn *widget.Button
	onFolder  func()
	errors    *widget.Label // what went wrong last; hidden when nothing did
	message *widget.Label // the empty state, or no entry selected
	list    *fyne.Container
	rows    []*attachmentRow
	queue   *workQueue // the window's, shared with every library call

	// The fields below are used on the UI goroutine only.
	key        string // the entry shown; "" when none
	generation int    // of the newest request to list key's files; older lists are dropped
	shownGen   int    // the generation whose list is shown
}

// attachmentRow shows one attachment, with its buttons.
type attachmentRow struct {
	pane    *attachmentsPane
	att     storage.Attachment
	content fyne.CanvasObject
	name    *widget.Label
	detail  *widget.Label // the folder, or that the file is missing
	openBtn *widget.Button
	remove  *widget.Button
}

func newAttachmentsPane(store attachmentStore, queue *workQueue, win fyne.Window, open func(path string) error, onChanged func(key string)) *attachmentsPane {
	p := &attachmentsPane{store: store, queue: queue, win: win, open: open, onChanged: onChanged}
	p.addBtn = widget.NewButtonWithIcon("Add file…", theme.ContentAddIcon(), p.onAdd)
	p.folderBtn = widget.NewButtonWithIcon("Attachments Folder…", theme.FolderIcon(), func() {
		if p.onFolder != nil {
			p.onFolder()
		}
	})
	p.errors = widget.NewLabel("")
	p.errors.Importance = widget.DangerImportance
	p.errors.Wrapping = fyne.TextWrapWord
	p.errors.Hide()
	p.message = widget.NewLabel("")
	p.message.Wrapping = fyne.TextWrapWord
	p.list = container.NewVBox()
	top := container.NewVBox(container.NewHBox(p.addBtn, p.folderBtn), p.errors)
	p.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(container.NewVBox(p.message, p.list)))
	p.clear()
	return p
}

// show lists the files attached to the entry key, read off the UI goroutine.
func (p *attachmentsPane) show(key string) {
	if key == "" {
		p.clear()
		return
	}
	if key != p.key {
		p.setRows(nil)
		p.showError(nil)
		p.message.Hide()
	}
	p.key = key
	p.addBtn.Enable()
	p.reload(nil)
}

// clear leaves no entry selected: a message, nothing to add to.
func (p *attachmentsPane) clear() {
	p.generation++
	p.shownGen = p.generation
	p.key = ""
	p.setRows(nil)
	p.showError(nil)
	p.addBtn.Disable()
	p.message.SetText(attachmentsNoEntry)
	p.message.Show()
}

// reload runs change, when there is one, and then lists the files of the entry shown, both off
// the UI goroutine. What went wrong is shown with the list.
func (p *attachmentsPane) reload(change func(ctx context.Context) (changed bool, err error)) {
	p.generation++
	gen, key := p.generation, p.key
	p.queue.run(func(ctx context.Context) {
		var changed bool
		var cerr error
		if change != nil {
			changed, cerr = change(ctx)
		}
		atts, err := p.store.Attachments(ctx, key)
		if err != nil {
			err = fmt.Errorf("list attached files: %w", err)
		}
		fyneDo(func() {
			if changed && p.onChanged != nil {
				p.onChanged(key)
			}
			if gen != p.generation {
				if cerr != nil {
					// The change was the user's: say it failed even though another entry
					// is shown by now.
					p.showError(fmt.Errorf("%s: %w", key, cerr))
				}
				return
			}
			p.showError(errors.Join(cerr, err))
			if err == nil {
				p.setRows(atts)
			}
			p.shownGen = gen
		})
	})
}

// add attaches files to the entry shown, off the UI goroutine. Call it on the UI goroutine, as
// the file dialog and a drop onto the window do.
func (p *attachmentsPane) add(paths []string) {
	if p.key == "" {
		p.showError(errors.New("select an entry to attach files to it"))
		return
	}
	key := p.key
	p.reload(func(ctx context.Context) (bool, error) {
		var errs []error
		added := false
		for _, path := range paths {
			if _, err := p.store.AddAttachment(ctx, key, path); err != nil {
				errs = append(errs, fmt.Errorf("attach %s: %w", filepath.Base(path), err))
				continue
			}
			added = true
		}
		return added, errors.Join(errs...)
	})
}

// onDropped attaches the files dropped onto the window; the window's SetOnDropped can call it.
func (p *attachmentsPane) onDropped(_ fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) > 0 {
		p.add(paths)
	}
}

func (p *attachmentsPane) onAdd() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			p.showError(fmt.Errorf("choose a file: %w", err))
			return
		}
		if r == nil {
			return // cancelled
		}
		// The library links the file by its path; the reader the dialog opened is not needed.
		r.Close()
		p.add([]string{r.URI().Path()})
	}, p.win)
	d.SetConfirmText("Attach")
	p.dialogs.show(d)
}

// remove detaches an attachment after asking; the file stays where it is.
func (p *attachmentsPane) remove(a storage.Attachment) {
	key := p.key
	msg := fmt.Sprintf("Remove %s from this entry's files?\n\nThe file itself is not deleted.", filepath.Base(a.Path))
	d := dialog.NewConfirm("Remove attachment", msg, func(ok bool) {
		if !ok || key != p.key {
			return
		}
		p.reload(func(ctx context.Context) (bool, error) {
			if err := p.store.RemoveAttachment(ctx, key, a.ID); err != nil {
				return false, fmt.Errorf("remove %s: %w", filepath.Base(a.Path), err)
			}
			return true, nil
		})
	}, p.win)
	d.SetConfirmText("Remove")
	d.SetDismissText("Cancel")
	p.dialogs.show(d)
}

func (p *attachmentsPane) showError(err error) {
	if err == nil {
		p.errors.SetText("")
		p.errors.Hide()
	} else {
		p.errors.SetText(err.Error())
		p.errors.Show()
	}
	// The label's height changes that of the bar above the list, which only a new layout of
	// the pane gives it.
	p.content.Refresh()
}

// setRows shows atts, or the empty state when an entry has none.
func (p *attachmentsPane) setRows(atts []storage.Attachment) {
	p.rows = p.rows[:0]
	objs := make([]fyne.CanvasObject, 0, len(atts))
	for _, a := range atts {
		r := p.newRow(a)
		p.rows = append(p.rows, r)
		objs = append(objs, r.content)
	}
	p.list.Objects = objs
	p.list.Refresh()
	if len(atts) == 0 && p.key != "" {
		p.message.SetText(attachmentsEmpty)
		p.message.Show()
	} else if p.key != "" {
		p.message.Hide()
	}
}

func (p *attachmentsPane) newRow(a storage.Attachment) *attachmentRow {
	r := &attachmentRow{pane: p, att: a}
	r.name = widget.NewLabelWithStyle(filepath.Base(a.Path), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.detail = widget.NewLabel(filepath.Dir(a.Path))
	r.detail.Truncation = fyne.TextTruncateEllipsis
	icon := widget.NewIcon(theme.FileIcon())
	r.openBtn = widget.NewButtonWithIcon("Open", theme.FolderOpenIcon(), r.onOpen)
	r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), r.onRemove)
	if a.Missing {
		icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
		if a.InFolder {
			// Kept by its place in the attachments folder, which may be elsewhere on this
			// computer (another member's shared drive, say).
			r.detail.SetText("Not found in the attachments folder: " + filepath.Dir(a.Path))
		} else {
			r.detail.SetText("File not found: " + filepath.Dir(a.Path))
		}
		r.detail.Importance = widget.WarningImportance
		r.openBtn.Disable()
	} else {
		r.detail.Importance = widget.LowImportance
	}
	// The labels sit close together: two padded labels would make a row as tall as three.
	text := container.New(&tightVBox{}, r.name, r.detail)
	buttons := container.NewHBox(r.openBtn, r.remove)
	// Centred, the buttons keep their own height rather than that of two lines of text.
	r.content = container.NewBorder(nil, nil, container.NewCenter(icon), container.NewCenter(buttons), text)
	return r
}

func (r *attachmentRow) onOpen() {
	if err := r.pane.open(r.att.Path); err != nil {
		r.pane.showError(err)
	}
}

func (r *attachmentRow) onRemove() { r.pane.remove(r.att) }

// tightVBox stacks objects with less than a label's padding between them, and centres them
// vertically.
type tightVBox struct{}

func (*tightVBox) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height
	}
	return s.SubtractWidthHeight(0, tightOverlap()*float32(max(len(objs)-1, 0)))
}

// tightOverlap is how far each object overlaps the one above: most of a label's padding.
func tightOverlap() float32 { return theme.Padding() * 2 }

func (l *tightVBox) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := (size.Height - l.MinSize(objs).Height) / 2
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h - tightOverlap()
	}
}
