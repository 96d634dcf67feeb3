package app

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	fynestorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage"
)

// onAttachmentsFolder shows the library's attachments folder on this computer, read off the UI
// goroutine, in a dialog that sets it: typed, chosen, or emptied for the default. Saved, the
// Attachments tab lists its files again, looked for in the folder set.
func (u *UI) onAttachmentsFolder() {
	u.work.run(func(ctx context.Context) {
		folder, err := u.lib.AttachmentsFolder(ctx)
		fyneDo(func() {
			if err != nil {
				u.dialogs.show(dialog.NewError(err, u.win))
				return
			}
			u.attachmentsFolderDialog(folder)
		})
	})
}

// attachmentsFolderDialog is the dialog of onAttachmentsFolder, showing folder.
func (u *UI) attachmentsFolderDialog(folder storage.AttachmentsFolder) {
	about := widget.NewLabel("Files attached from inside this folder are kept by their place in it, and looked for " +
		"there. In a shared library, set it to where the group's files are on this computer: a shared drive, " +
		"a synced folder. Leave it empty for the default.")
	about.Wrapping = fyne.TextWrapWord
	path := widget.NewEntry()
	path.SetPlaceHolder(folder.Path)
	if !folder.Default {
		path.SetText(folder.Path)
	}
	choose := widget.NewButton("Choose…", func() {
		d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			if err != nil {
				u.dialogs.show(dialog.NewError(err, u.win))
				return
			}
			if l == nil {
				return
			}
			if l.Scheme() != "file" {
				u.dialogs.show(dialog.NewError(fmt.Errorf("%s is not a folder on this computer", l), u.win))
				return
			}
			path.SetText(l.Path())
		}, u.win)
		if l, err := fynestorage.ListerForURI(fynestorage.NewFileURI(folder.Path)); err == nil {
			d.SetLocation(l)
		}
		u.dialogs.show(d)
	})
	items := []*widget.FormItem{
		widget.NewFormItem("", about),
		widget.NewFormItem("Folder", container.NewBorder(nil, nil, nil, choose, path)),
	}
	d := dialog.NewForm("Attachments Folder", "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		dir := path.Text
		u.work.run(func(ctx context.Context) {
			err := u.lib.SetAttachmentsFolder(ctx, dir)
			fyneDo(func() {
				if err != nil {
					u.dialogs.show(dialog.NewError(err, u.win))
					return
				}
				if files := u.detail.files; files.key != "" {
					files.reload(nil)
				}
			})
		})
	}, u.win)
	d.Resize(fyne.NewSize(min(640, u.win.Canvas().Size().Width-40), 0))
	u.inDialog = map[string]fyne.CanvasObject{"button:Choose…": choose, "attachments-folder": path, "text:0": about}
	u.dialogs.show(d)
}
