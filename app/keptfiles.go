package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	fynestorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage"
)

// targetStore is what the window needs from the library for the .bib files it keeps in sync
// (storage's export targets).
type targetStore interface {
	AddExportTarget(ctx context.Context, t storage.ExportTarget) (storage.ExportTarget, error)
	UpdateExportTarget(ctx context.Context, t storage.ExportTarget) error
	RemoveExportTarget(ctx context.Context, id int64) error
	ExportTargets(ctx context.Context) ([]storage.ExportTarget, error)
}

// targetRunner writes the export targets' files: a storage.AutoExporter.
type targetRunner interface {
	Run(ctx context.Context) error
	Poke()
	RunTargets(ctx context.Context, opts storage.RunOptions, ids ...int64) ([]storage.TargetStatus, error)
	ExportTargetDiff(ctx context.Context, id int64) (storage.TargetDiff, error)
	ImportTargetChanges(ctx context.Context, id int64) (storage.TargetImport, storage.TargetStatus, error)
}

// newTargetRunner returns an AutoExporter of the library lib is, telling onStatus of each run
// and onError of its failures to run (see AutoExporter.OnError), or nil when lib is some other
// implementation of Library (a test's): the window then keeps no file in sync.
func newTargetRunner(lib Library, onStatus func(storage.TargetStatus), onError func(error)) targetRunner {
	for {
		switch l := lib.(type) {
		case *storage.Library:
			a := storage.NewAutoExporter(l, onStatus)
			a.OnError(onError)
			return a
		case aroundImports:
			lib = l.Library
		default:
			return nil
		}
	}
}

// finalRun bounds the last run of the targets as the window closes.
const finalRun = 30 * time.Second

// keptFiles is the window's side of auto-export: the AutoExporter that rewrites the .bib files
// kept in sync after each change, run on a goroutine of its own from the window's opening to its
// closing; the dialogs that add and edit a target; the Kept .bib Files dialog that lists them;
// and the warning beside the status line while a file could not be written.
type keptFiles struct {
	u      *UI
	runner targetRunner // nil: nothing is kept in sync (see newTargetRunner)
	cancel context.CancelFunc
	done   chan struct{} // closed when the runner's Run has returned
	once   sync.Once
	// closing drops the runner's reports once the window closes.
	closing atomic.Bool

	// The fields below are used on the UI goroutine only.
	targets []storage.ExportTarget // as last listed, with the statuses runs reported since
	warn    *widget.Button         // beside the status line while a target's last run failed
	list    *dialog.CustomDialog   // the Kept .bib Files dialog while it is open
	rows    *fyne.Container        // its rows
	names   map[string]fyne.CanvasObject
}

func newKeptFiles(u *UI) *keptFiles {
	k := &keptFiles{u: u, done: make(chan struct{})}
	k.runner = newTargetRunner(u.lib, k.onStatus, k.onError)
	k.warn = widget.NewButtonWithIcon("", theme.WarningIcon(), k.show)
	k.warn.Importance = widget.WarningImportance
	k.warn.Hide()
	return k
}

// start starts the runner, which first writes the targets the library changed for while no
// window was open, and lists the targets.
func (k *keptFiles) start() {
	if k.runner == nil {
		close(k.done)
		return
	}
	var ctx context.Context
	ctx, k.cancel = context.WithCancel(context.Background())
	go func() {
		defer close(k.done)
		k.runner.Run(ctx)
	}()
	k.relist()
}

// poke asks the runner to write what the window's last change made due, now.
func (k *keptFiles) poke() {
	if k.runner != nil {
		k.runner.Poke()
	}
}

// stop stops the runner, cancelling a run in progress (a file being replaced stays whole: the
// new content goes to a temporary file renamed over it), waits for it to return, and then runs
// once more the targets that the last changes made due, so that an edit made just before the
// window closed reaches its file. Call it once the window's changes have reached the library,
// off the UI goroutine; further calls do nothing.
func (k *keptFiles) stop() {
	k.once.Do(func() {
		k.closing.Store(true)
		if k.runner == nil {
			return
		}
		k.cancel()
		<-k.done
		ctx, cancel := context.WithTimeout(context.Background(), finalRun)
		defer cancel()
		k.runner.RunTargets(ctx, storage.RunOptions{Due: true})
	})
}

// onStatus is told of each run by the runner, on its goroutine.
func (k *keptFiles) onStatus(st storage.TargetStatus) {
	if k.closing.Load() {
		return
	}
	fyneDo(func() {
		if !k.closing.Load() {
			k.update(st)
		}
	})
}

// onError is told by the runner, on its goroutine, that it could not read the library or run
// the targets (it tries again), and with nil once it could again: the status line says so.
func (k *keptFiles) onError(err error) {
	if k.closing.Load() {
		return
	}
	fyneDo(func() {
		switch {
		case k.closing.Load():
		case err != nil:
			k.u.status.SetText("Could not keep the .bib files in sync: " + shownError(err) + " (trying again)")
		default:
			k.u.status.SetText("The .bib files are kept in sync again")
		}
	})
}

// update takes a run's status in: the status line says what it did, the warning and the Kept
// .bib Files dialog show it.
func (k *keptFiles) update(st storage.TargetStatus) {
	i := k.index(st.ID)
	if i < 0 {
		k.relist() // a target added since the window listed them
		return
	}
	t := &k.targets[i]
	prev := t.Status
	if st.Running {
		t.Status.Running = true // what the last run did still holds until this one ends
	} else {
		t.Status = st
		k.say(*t, prev)
	}
	k.showWarning()
	k.refresh()
}

func (k *keptFiles) index(id int64) int {
	for i, t := range k.targets {
		if t.ID == id {
			return i
		}
	}
	return -1
}

// say tells in the status line what a run did: an error the first time it happens, with what
// resolves it, or the file written.
func (k *keptFiles) say(t storage.ExportTarget, prev storage.TargetStatus) {
	st, name := t.Status, filepath.Base(t.Path)
	switch {
	case errors.Is(st.Err, storage.ErrTargetChanged):
		if !errors.Is(prev.Err, storage.ErrTargetChanged) {
			k.u.status.SetText(name + " was changed by someone else: not overwritten. File › Kept .bib Files… shows the changes and resolves them")
		}
	case st.Err != nil:
		if prev.Err == nil || prev.Err.Error() != st.Err.Error() {
			k.u.status.SetText("Could not write " + name + ": " + shownError(st.Err) + " (File › Kept .bib Files…)")
		}
	case !st.Written.IsZero() && st.Written.Equal(st.Ran):
		k.u.status.SetText(fmt.Sprintf("Wrote %s (%s)", name, rowsText(st.Entries)))
	}
}

// showWarning shows the warning beside the status line while a target's last run failed.
func (k *keptFiles) showWarning() {
	var failed []storage.ExportTarget
	for _, t := range k.targets {
		if t.Status.Err != nil {
			failed = append(failed, t)
		}
	}
	switch len(failed) {
	case 0:
		k.warn.Hide()
		return
	case 1:
		k.warn.SetText(filepath.Base(failed[0].Path) + " not written")
	default:
		k.warn.SetText(fmt.Sprintf("%d kept .bib files not written", len(failed)))
	}
	k.warn.Show()
}

// relist reads the targets again, after the work asked for so far.
func (k *keptFiles) relist() {
	k.u.work.run(func(ctx context.Context) {
		ts, err := k.u.lib.ExportTargets(ctx)
		fyneDo(func() {
			if err != nil {
				k.u.status.SetText("Could not list the kept .bib files: " + err.Error())
				return
			}
			for i, t := range ts {
				if j := k.index(t.ID); j >= 0 && k.targets[j].Status.Running {
					ts[i].Status.Running = true
				}
			}
			k.targets = ts
			k.showWarning()
			k.refresh()
		})
	})
}

// available says, when nothing can be kept in sync, so, and reports whether it can.
func (k *keptFiles) available() bool {
	if k.runner == nil {
		k.u.dialogs.show(dialog.NewInformation("Keep a .bib in Sync", "This library cannot keep .bib files in sync.", k.u.win))
	}
	return k.runner != nil
}

// keepInSync asks for a file to keep in sync with what a sidebar row shows (the whole library
// for rows other than a collection, a tag or a saved search), then for how, and writes it.
func (k *keptFiles) keepInSync(it sideItem) {
	if !k.available() {
		return
	}
	p := k.u.app.Preferences()
	t := storage.ExportTarget{Kind: storage.TargetLibrary, SubCollections: true,
		Dialect: dialectChoice.get(p), ASCII: p.Bool(prefExportASCII)}
	name := "library.bib"
	switch it.kind {
	case kindCollection:
		c, ok := k.u.sidebar.collection(it.id)
		if !ok {
			return
		}
		t.Kind, t.Collection, name = storage.TargetCollection, c.ID, fileName(c.Name)+".bib"
	case kindTag:
		t.Kind, t.Tag = storage.TargetTag, strings.TrimPrefix(it.id, "tag:")
		name = fileName(t.Tag) + ".bib"
	case kindSaved:
		t.Kind, t.Search = storage.TargetSearch, strings.TrimPrefix(it.id, "saved:")
		name = fileName(t.Search) + ".bib"
	}
	k.chooseFile(name, "", func(path string) {
		t.Path = path
		k.settings(t, true)
	})
}

// keepSelected is File › Keep a .bib in Sync…: for the sidebar's selected row.
func (k *keptFiles) keepSelected() {
	it, _ := k.u.sidebar.item(k.u.sidebar.selected)
	k.keepInSync(it)
}

// chooseFile asks for a file through the Save dialog, as an export does, starting in dir
// (the folder of the last export when ""), and hands its path to then.
func (k *keptFiles) chooseFile(name, dir string, then func(path string)) {
	u := k.u
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			u.dialogs.show(dialog.NewError(err, u.win))
			return
		}
		if w == nil {
			return
		}
		w.Close() // unused, and unopened (see deferFileWrites): the runner writes the file
		if w.URI().Scheme() != "file" {
			u.dialogs.show(dialog.NewError(fmt.Errorf("%s is not a file on this computer", w.URI()), u.win))
			return
		}
		rememberFolder(u.app.Preferences(), prefExportFolder, w.URI())
		then(w.URI().Path())
	}, u.win)
	deferFileWrites()
	d.SetFileName(name)
	if l, err := fynestorage.ListerForURI(fynestorage.NewFileURI(dir)); dir != "" && err == nil {
		d.SetLocation(l)
	} else {
		startIn(u.app.Preferences(), d, prefExportFolder)
	}
	u.dialogs.show(d)
}

// orders are the orders a target writes its entries in, as the settings offer them.
var orders = []string{"By citation key", "In library order (as the entries came in)"}

// settings shows a target's settings, to add it (isNew) or change it.
func (k *keptFiles) settings(t storage.ExportTarget, isNew bool) {
	u := k.u
	what := widget.NewLabel(k.describe(t))
	path := widget.NewLabel(t.Path)
	path.Wrapping = fyne.TextWrapBreak
	choose := widget.NewButton("Choose…", func() {
		k.chooseFile(filepath.Base(t.Path), filepath.Dir(t.Path), func(p string) {
			t.Path = p
			path.SetText(p)
		})
	})
	sub := newDialogCheck(u.dialogs, "With its sub-collections")
	sub.SetChecked(t.SubCollections)
	format := newDialogSelect(u.dialogs, dialectChoice.labels())
	format.SetSelectedIndex(dialectChoice.index(t.Dialect))
	ascii := newDialogCheck(u.dialogs, "Write non-ASCII characters as LaTeX (é as {\\'e})")
	ascii.SetChecked(t.ASCII)
	order := newDialogSelect(u.dialogs, orders)
	order.SetSelectedIndex(0)
	if t.LibraryOrder {
		order.SetSelectedIndex(1)
	}
	notes := newDialogCheck(u.dialogs, "Write each entry's note as its annote field")
	notes.SetChecked(t.Notes)
	items := []*widget.FormItem{
		widget.NewFormItem("Keeps", what),
		widget.NewFormItem("File", container.NewBorder(nil, nil, nil, choose, path)),
	}
	if t.Kind == storage.TargetCollection {
		items = append(items, widget.NewFormItem("", sub))
	}
	items = append(items,
		widget.NewFormItem("Format", format),
		widget.NewFormItem("", ascii),
		widget.NewFormItem("Order", order),
		widget.NewFormItem("", notes),
	)
	title, confirm := "Keep a .bib in Sync", "Keep in Sync"
	if !isNew {
		title, confirm = "Kept .bib File", "Save"
	}
	d := dialog.NewForm(title, confirm, "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		t.SubCollections = sub.Checked
		t.Dialect = dialectChoice.options[max(format.SelectedIndex(), 0)].value
		t.ASCII, t.LibraryOrder, t.Notes = ascii.Checked, order.SelectedIndex() == 1, notes.Checked
		k.save(t, isNew)
	}, u.win)
	d.Resize(fyne.NewSize(min(640, u.win.Canvas().Size().Width-40), 0))
	u.inDialog = map[string]fyne.CanvasObject{"button:Choose…": choose, "sync:sub": sub, "sync:format": format,
		"sync:ascii": ascii, "sync:order": order, "sync:notes": notes, "text:0": what, "text:1": path}
	u.dialogs.show(d)
}

// save adds the target or stores its new settings, and writes its file at once.
func (k *keptFiles) save(t storage.ExportTarget, isNew bool) {
	name := filepath.Base(t.Path)
	var st storage.TargetStatus
	what := "Keep " + name + " in sync"
	if !isNew {
		what = "Change how " + name + " is kept"
	}
	k.u.run(what, func(ctx context.Context) error {
		var err error
		if isNew {
			t, err = k.u.lib.AddExportTarget(ctx, t)
		} else {
			err = k.u.lib.UpdateExportTarget(ctx, t)
		}
		if err != nil {
			return err
		}
		sts, err := k.runner.RunTargets(ctx, storage.RunOptions{}, t.ID)
		if len(sts) > 0 {
			st = sts[0]
		}
		return err
	}, func() {
		k.relist()
		k.ran(st)
	})
}

// ran says what a run the user asked for did: a file that was there and was not Bibshelf's is
// offered to be overwritten, another failure is shown.
func (k *keptFiles) ran(st storage.TargetStatus) {
	name := filepath.Base(st.Path)
	var changed *storage.TargetChangedError
	switch {
	case errors.As(st.Err, &changed):
		why := name + " was changed by someone else since Bibshelf last wrote it, so it was not overwritten."
		if changed.NeverWritten {
			why = name + " exists and was not written by Bibshelf, so it was not overwritten."
		}
		msg := widget.NewLabel(why + "\n\nOverwrite it with the entries Bibshelf keeps there? File › Kept .bib Files… shows the differences, and can take the file's changes into the library instead.")
		msg.Wrapping = fyne.TextWrapWord
		d := dialog.NewCustomConfirm("File Not Written", "Overwrite", "Leave It", msg, func(ok bool) {
			if ok {
				k.overwrite(st.ID, name)
			}
		}, k.u.win)
		d.Resize(fyne.NewSize(480, 0))
		k.u.inDialog = map[string]fyne.CanvasObject{"text:0": msg}
		k.u.dialogs.show(d)
	case st.Err != nil:
		k.u.showError("Write "+name, st.Err)
	case !st.Written.IsZero() && st.Written.Equal(st.Ran):
		k.u.status.SetText(fmt.Sprintf("Wrote %s (%s); it is kept in sync", name, rowsText(st.Entries)))
	default:
		k.u.status.SetText(fmt.Sprintf("%s holds the %s already; it is kept in sync", name, rowsText(st.Entries)))
	}
}

// overwrite writes the target's file over the changes someone else made to it.
func (k *keptFiles) overwrite(id int64, name string) {
	k.u.run("Overwrite "+name, func(ctx context.Context) error {
		_, err := k.runner.RunTargets(ctx, storage.RunOptions{Overwrite: true}, id)
		return err
	}, func() {})
}

// describe says what a target keeps.
func (k *keptFiles) describe(t storage.ExportTarget) string {
	switch t.Kind {
	case storage.TargetCollection:
		c, ok := k.u.sidebar.collections[t.Collection]
		if !ok {
			return "A deleted collection"
		}
		s := "Collection " + strings.Join(c.Path, " › ")
		if !t.SubCollections {
			s += " (without its sub-collections)"
		}
		return s
	case storage.TargetTag:
		return "Tag " + t.Tag
	case storage.TargetSearch:
		return "Saved search " + t.Search
	}
	return "The whole library"
}

// targetStatusText says how a target's last run went, as of now.
func targetStatusText(st storage.TargetStatus, now time.Time) string {
	if st.Running {
		return "Writing…"
	}
	var s string
	switch {
	case st.Ran.IsZero():
		s = "Not written yet"
	case st.Written.IsZero() && st.Err == nil:
		s = fmt.Sprintf("Up to date (checked %s), %s", when(st.Ran, now), rowsText(st.Entries))
	case st.Written.IsZero():
		s = "Never written"
	default:
		s = fmt.Sprintf("Written %s, %s", when(st.Written, now), rowsText(st.Entries))
	}
	var changed *storage.TargetChangedError
	switch {
	case errors.As(st.Err, &changed) && changed.NeverWritten:
		return s + ". The file was there before Bibshelf wrote it: not overwritten."
	case errors.Is(st.Err, storage.ErrTargetChanged):
		return s + ". Changed by someone else since: not overwritten."
	case st.Err != nil:
		return s + ". Could not write it: " + shownError(st.Err)
	}
	return s
}

// when says when something happened: how long ago within the hour, the time within the day,
// else the date.
func when(t, now time.Time) string {
	switch d := now.Sub(t); {
	case d < time.Minute:
		return "just now"
	case d < 2*time.Minute:
		return "a minute ago"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d/time.Minute))
	case d < 24*time.Hour && t.Day() == now.Day():
		return "at " + t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}
