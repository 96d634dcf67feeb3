package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage"
)

// show shows File › Kept .bib Files…: every target, what it keeps, its file and its status,
// with what can be done to it. It follows the runs while it is open.
func (k *keptFiles) show() {
	if !k.available() || k.list != nil {
		return
	}
	u := k.u
	k.rows = container.NewVBox()
	closeButton := widget.NewButton("Close", func() { k.list.Hide() })
	content := container.NewBorder(nil, container.NewCenter(closeButton), nil, nil, container.NewVScroll(k.rows))
	k.list = dialog.NewCustomWithoutButtons("Kept .bib Files", content, u.win)
	win := u.win.Canvas().Size()
	k.list.Resize(fyne.NewSize(min(820, win.Width-40), min(560, win.Height-40)))
	k.names = map[string]fyne.CanvasObject{"button:Close": closeButton}
	k.refresh()
	u.dialogs.show(k.list)
	u.inDialog = k.names
	k.list.SetOnClosed(func() { k.list, k.rows, k.names = nil, nil, nil })
	k.relist()
}

// refresh shows the targets as they are now in the Kept .bib Files dialog, when it is open.
func (k *keptFiles) refresh() {
	if k.list == nil {
		return
	}
	k.rows.RemoveAll()
	k.names = map[string]fyne.CanvasObject{"button:Close": k.names["button:Close"]}
	if len(k.targets) == 0 {
		none := widget.NewLabel("No .bib file is kept in sync. Right-click a collection, a tag, a saved search or Library in the sidebar and choose Keep a .bib in Sync…, or use File › Keep a .bib in Sync… for the row selected.")
		none.Wrapping = fyne.TextWrapWord
		k.rows.Add(none)
		k.names["text:0"] = none
	}
	now := time.Now()
	for i, t := range k.targets {
		if i > 0 {
			k.rows.Add(widget.NewSeparator())
		}
		k.rows.Add(k.row(t, now))
	}
	k.rows.Refresh()
	if n := len(k.u.dialogs.open); n > 0 && k.u.dialogs.open[n-1] == k.list {
		k.u.inDialog = k.names
	}
}

// row is a target's part of the Kept .bib Files dialog.
func (k *keptFiles) row(t storage.ExportTarget, now time.Time) fyne.CanvasObject {
	id := fmt.Sprintf("kept:%d:", t.ID)
	title := widget.NewLabelWithStyle(k.describe(t), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	path := widget.NewLabel(t.Path)
	path.Wrapping = fyne.TextWrapBreak
	state := widget.NewLabel(targetStatusText(t.Status, now))
	state.Wrapping = fyne.TextWrapWord
	if t.Status.Err != nil {
		state.Importance = widget.DangerImportance
	}
	button := func(name, label string, action func()) *widget.Button {
		b := widget.NewButton(label, action)
		k.names[id+name] = b
		return b
	}
	tt := t
	name := filepath.Base(t.Path)
	buttons := container.NewHBox(
		button("edit", "Edit…", func() { k.settings(tt, false) }),
		button("remove", "Remove", func() { k.remove(tt.ID, name) }),
		button("write", "Write Now", func() { k.writeNow(tt.ID, name) }),
	)
	n := len(k.names)
	k.names[fmt.Sprintf("text:%d", n)] = title
	k.names[fmt.Sprintf("text:%d", n+1)] = path
	k.names[fmt.Sprintf("text:%d", n+2)] = state
	row := container.NewVBox(title, path, state, buttons)
	if errors.Is(t.Status.Err, storage.ErrTargetChanged) {
		overwrite := button("overwrite", "Overwrite", func() { k.confirmOverwrite(tt.ID, name) })
		overwrite.Importance = widget.DangerImportance
		row.Add(container.NewHBox(
			button("diff", "Show Differences", func() { k.showDiff(tt.ID, name) }),
			button("import", "Import Their Changes", func() { k.importChanges(tt.ID, name) }),
			overwrite,
		))
	}
	return row
}

// remove stops keeping a file in sync; the file stays.
func (k *keptFiles) remove(id int64, name string) {
	k.u.run("Stop keeping "+name+" in sync", func(ctx context.Context) error {
		return k.u.lib.RemoveExportTarget(ctx, id)
	}, func() {
		k.u.status.SetText("Stopped keeping " + name + " in sync (the file stays as it is)")
		k.relist()
	})
}

// writeNow runs a target now; its status shows what the run did.
func (k *keptFiles) writeNow(id int64, name string) {
	k.u.run("Write "+name, func(ctx context.Context) error {
		_, err := k.runner.RunTargets(ctx, storage.RunOptions{}, id)
		return err
	}, func() {})
}

// confirmOverwrite asks before writing over someone else's changes.
func (k *keptFiles) confirmOverwrite(id int64, name string) {
	k.u.probeDialog() // the list's buttons are not this dialog's
	k.u.dialogs.show(dialog.NewConfirm("Overwrite "+name,
		"Write the library's entries over "+name+"? The changes made to it since Bibshelf last wrote it are lost (Show Differences lists them).",
		func(ok bool) {
			if ok {
				k.overwrite(id, name)
			}
		}, k.u.win))
}

// maxDiffKeys bounds the keys the differences dialog lists of each kind.
const maxDiffKeys = 500

// showDiff shows the entries someone else added to, changed in and removed from a file.
func (k *keptFiles) showDiff(id int64, name string) {
	var d storage.TargetDiff
	k.u.run("Compare "+name, func(ctx context.Context) (err error) {
		d, err = k.runner.ExportTargetDiff(ctx, id)
		return err
	}, func() {
		text := widget.NewLabel(targetDiffText(name, d))
		text.Wrapping = fyne.TextWrapWord
		closeButton := widget.NewButton("Close", nil)
		dd := dialog.NewCustomWithoutButtons("Differences in "+name,
			container.NewBorder(nil, container.NewCenter(closeButton), nil, nil, container.NewVScroll(text)), k.u.win)
		closeButton.OnTapped = dd.Hide
		win := k.u.win.Canvas().Size()
		dd.Resize(fyne.NewSize(min(560, win.Width-40), min(480, win.Height-40)))
		k.u.probeDialog(text, closeButton)
		k.u.dialogs.show(dd)
	})
}

// targetDiffText is what the differences dialog says of d, the differences of the file name.
func targetDiffText(name string, d storage.TargetDiff) string {
	var b strings.Builder
	if d.IsZero() {
		b.WriteString(name + " holds the same entries as the library, laid out otherwise.")
	}
	for _, part := range []struct {
		what string
		keys []string
	}{
		{"In " + name + ", not in the library (added there)", d.Added},
		{"Changed in " + name, d.Changed},
		{"Changed in the library since Bibshelf last wrote " + name + ", maybe there too (Import Their Changes keeps the library's)", d.ChangedBoth},
		{"In the library, not in " + name + " (removed there)", d.Removed},
	} {
		if len(part.keys) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s: %s\n", part.what, rowsText(len(part.keys)))
		for i, key := range part.keys {
			if i == maxDiffKeys {
				fmt.Fprintf(&b, "    … and %d more\n", len(part.keys)-i)
				break
			}
			b.WriteString("    " + key + "\n")
		}
		b.WriteString("\n")
	}
	return strings.TrimSpace(b.String())
}

// importChanges takes, after asking, the changes someone else made to a file into the library,
// then writes the file.
func (k *keptFiles) importChanges(id int64, name string) {
	k.u.probeDialog()
	k.u.dialogs.show(dialog.NewConfirm("Import Changes from "+name,
		"Take the changes made to "+name+" into the library? Each entry changed there replaces the library's, and entries added there are imported into what the file holds; entries removed there stay in the library, and so do entries the library changed too since Bibshelf last wrote "+name+". Undo does not take this back. Then "+name+" is written again, unless entries were kept.",
		func(ok bool) {
			if !ok {
				return
			}
			var ti storage.TargetImport
			var st storage.TargetStatus
			k.u.run("Import changes from "+name, func(ctx context.Context) (err error) {
				ti, st, err = k.runner.ImportTargetChanges(ctx, id)
				return err
			}, func() {
				k.u.afterChange(nil)
				k.relist()
				if len(ti.Kept) > 0 {
					k.u.dialogs.show(dialog.NewInformation("Imported Changes from "+name, importKeptText(name, ti), k.u.win))
					return
				}
				if st.Err != nil {
					k.ran(st)
					return
				}
				msg := fmt.Sprintf("Took the changes to %s into the library (%s changed, %d new) and wrote it again",
					name, plural(len(ti.Updated), "entry", "entries"), len(ti.Report.Added)+len(ti.Joined))
				if len(ti.Outside) > 0 {
					msg += fmt.Sprintf("; its saved search leaves out %s, which are in the library but not in the file",
						strings.Join(ti.Outside, ", "))
				}
				k.u.status.SetText(msg)
			})
		}, k.u.win))
}

// importKeptText says what an import of the changes to the file name did when it kept entries
// as the library has them, and left the file as it is.
func importKeptText(name string, ti storage.TargetImport) string {
	kept := ti.Kept
	more := ""
	if len(kept) > maxDiffKeys {
		kept, more = kept[:maxDiffKeys], fmt.Sprintf(" and %d more", len(kept)-maxDiffKeys)
	}
	msg := fmt.Sprintf("Took the changes to %s into the library: %s changed, %d new.\n\n"+
		"Kept as the library has them: %s%s. The library changed them since Bibshelf last wrote %s (or it never wrote it), "+
		"so the file's version may be the older one; %s was left as it is. Edit them here to take what you want of the file's, "+
		"or Overwrite %s with the library's entries.",
		name, plural(len(ti.Updated), "entry", "entries"), len(ti.Report.Added)+len(ti.Joined), strings.Join(kept, ", "), more, name, name, name)
	if len(ti.Outside) > 0 {
		msg += fmt.Sprintf("\n\nIts saved search leaves out %s, which are in the library but not in the file.", strings.Join(ti.Outside, ", "))
	}
	return msg
}
