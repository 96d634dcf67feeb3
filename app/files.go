package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/color"
	"io"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	bibstorage "github.com/bibshelf/bibshelf/storage"
)

func (u *UI) onImport() {
	filter := &bibFilter{}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			u.dialogs.show(dialog.NewError(err, u.win))
			return
		}
		if r == nil {
			return // cancelled
		}
		u.rememberFolder(prefImportFolder, r.URI())
		if filter.justListed(r.URI()) {
			// The second click of a double-click on a folder: show the folder it opened.
			r.Close()
			u.onImport()
			return
		}
		u.importing++
		go func() {
			defer fyneDo(func() { u.importing-- })
			u.importFrom(r)
		}()
	}, u.win)
	d.SetFilter(filter)
	u.startIn(d, prefImportFolder)
	u.dialogs.show(d)
}

// bibFilter lets the Open dialog show .bib files (and folders), and notes when it last listed
// a folder: Fyne's dialog opens a folder on the first click of a double-click on it, and gives the
// second click to the item then in the same place, which it opens when it is a file. That file
// was never chosen.
type bibFilter struct {
	mu     sync.Mutex
	dir    fyne.URI // the folder listed last
	listed time.Time
}

// Matches is called for each file of a folder as the dialog lists it.
func (f *bibFilter) Matches(file fyne.URI) bool {
	if dir, err := storage.Parent(file); err == nil {
		f.mu.Lock()
		f.dir, f.listed = dir, time.Now()
		f.mu.Unlock()
	}
	ext := strings.ToLower(file.Extension())
	return ext == ".bib" || ext == ".bibtex"
}

// justListed reports whether file is in the folder the dialog listed less than a double-click
// ago: no one double-clicks a file that fast after its folder appears, but the second click of a
// double-click on the folder comes that soon.
func (f *bibFilter) justListed(file fyne.URI) bool {
	dir, err := storage.Parent(file)
	f.mu.Lock()
	defer f.mu.Unlock()
	return err == nil && f.dir != nil && storage.EqualURI(dir, f.dir) &&
		time.Since(f.listed) < fyne.CurrentApp().Driver().DoubleTapDelay()
}

// onImportFolder imports every .bib file of a folder (Fyne's file dialog picks one file at a
// time; a folder takes several).
func (u *UI) onImportFolder() {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			u.dialogs.show(dialog.NewError(err, u.win))
			return
		}
		if dir == nil {
			return
		}
		u.app.Preferences().SetString(prefImportFolder, dir.Path())
		items, err := dir.List()
		if err != nil {
			u.dialogs.show(dialog.NewError(fmt.Errorf("list %s: %w", dir.Path(), err), u.win))
			return
		}
		var paths []string
		for _, it := range items {
			if ext := strings.ToLower(it.Extension()); (ext == ".bib" || ext == ".bibtex") && it.Scheme() == "file" {
				paths = append(paths, it.Path())
			}
		}
		if len(paths) == 0 {
			u.dialogs.show(dialog.NewInformation("Import Folder", "The folder "+dir.Path()+" holds no .bib file.", u.win))
			return
		}
		slices.Sort(paths)
		u.ImportFiles(paths)
	}, u.win)
	u.startIn(d, prefImportFolder)
	u.dialogs.show(d)
}

// folderDialog is a file dialog that can start in a folder.
type folderDialog interface{ SetLocation(fyne.ListableURI) }

// startIn opens a file dialog in the folder a preference remembers, when it still exists.
func (u *UI) startIn(d folderDialog, pref string) {
	dir := u.app.Preferences().String(pref)
	if dir == "" {
		return
	}
	if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
		d.SetLocation(l)
	}
}

func (u *UI) rememberFolder(pref string, file fyne.URI) {
	if file != nil && file.Scheme() == "file" {
		u.app.Preferences().SetString(pref, filepath.Dir(file.Path()))
	}
}

// importFrom reads, parses and imports one file; it runs off the UI goroutine.
func (u *UI) importFrom(r fyne.URIReadCloser) {
	defer r.Close()
	name := r.URI().Path()
	// Read into a builder, whose String does not copy: one copy of a large file, not two.
	var src strings.Builder
	if _, err := io.Copy(&src, r); err != nil {
		fyneDo(func() { u.dialogs.show(dialog.NewError(fmt.Errorf("read %s: %w", name, err), u.win)) })
		return
	}
	u.importText(name, src.String())
	releaseMemory(src.Len())
}

// releaseMemory returns the garbage of an import of size bytes to the system when the file was
// large: the file's text and what was made of it are garbage once its report is up (a 131 MB
// file left the window at 470-510 MB resident), and Go would keep them for later.
func releaseMemory(size int) {
	if size >= 8<<20 {
		debug.FreeOSMemory()
	}
}

// ImportFiles imports .bib files, one after the other, each ending with its report: the files
// dropped onto the window, or given on the command line. Call it on the UI goroutine.
func (u *UI) ImportFiles(paths []string) {
	u.importing++
	go func() {
		defer fyneDo(func() { u.importing-- })
		u.importPaths(paths)
	}()
}

// importPaths imports .bib files one after the other; it runs off the UI goroutine.
// Several files end with one report for all of them; each file is still all or nothing.
func (u *UI) importPaths(paths []string) {
	if len(paths) == 1 {
		src, err := bib.ReadFile(paths[0])
		if err != nil {
			fyneDo(func() { u.dialogs.show(dialog.NewError(fmt.Errorf("read %s: %w", paths[0], err), u.win)) })
			return
		}
		u.importText(paths[0], src)
		releaseMemory(len(src))
		return
	}
	total := bibstorage.Report{File: fmt.Sprintf("%d files", len(paths))}
	var failed []string
	size := 0
	defer func() { releaseMemory(size) }()
	for _, p := range paths {
		src, err := bib.ReadFile(p)
		size = max(size, len(src))
		var rep bibstorage.Report
		if err == nil {
			rep, err = u.importReader(p, bib.NewReader(p, src))
		}
		if errors.Is(err, context.Canceled) {
			failed = append(failed, filepath.Base(p)+": cancelled, nothing of it imported")
			break
		}
		if err != nil {
			failed = append(failed, err.Error())
			continue
		}
		total.Add(rep)
	}
	fyneDoAndWait(func() {
		u.showReport(total)
		if len(failed) > 0 {
			u.dialogs.show(dialog.NewError(errors.New(strings.Join(failed, "\n")), u.win))
		}
		u.afterChange(func() []string { return selectAdded(total) })
		u.indexForSearch()
	})
}

// importParsed imports a parsed file and shows its report; it runs off the UI goroutine.
func (u *UI) importParsed(name string, f *bib.File) {
	n := len(f.Entries())
	rep, err := u.importWithProgress(name, n, makeTags, func(ctx context.Context, opts bibstorage.ImportOptions) (bibstorage.Report, error) {
		return u.lib.ImportWith(ctx, f, opts)
	})
	u.importDone(name, rep, err)
}

// importText imports a file read as a string, parsing it as it goes, and shows its report; it
// runs off the UI goroutine.
func (u *UI) importText(name, src string) {
	tags := u.askKeywordTags(name, src)
	if tags == cancelImport {
		fyneDo(func() { u.status.SetText("Import of " + filepath.Base(name) + " cancelled: nothing was imported") })
		return
	}
	rep, err := u.importReaderWith(name, bib.NewReader(name, src), tags)
	u.importDone(name, rep, err)
}

// importReader imports the file a Reader parses, with progress; it runs off the UI goroutine.
func (u *UI) importReader(name string, r *bib.Reader) (bibstorage.Report, error) {
	return u.importReaderWith(name, r, makeTags)
}

// importReaderWith is importReader with the keywords made tags or not.
func (u *UI) importReaderWith(name string, r *bib.Reader, tags keywordTags) (bibstorage.Report, error) {
	return u.importWithProgress(name, r.Estimate(), tags, func(ctx context.Context, opts bibstorage.ImportOptions) (bibstorage.Report, error) {
		return u.lib.ImportReader(ctx, r, opts)
	})
}

// importDone shows what an import did; it runs off the UI goroutine.
func (u *UI) importDone(name string, rep bibstorage.Report, err error) {
	fyneDoAndWait(func() {
		if errors.Is(err, context.Canceled) {
			u.status.SetText("Import of " + filepath.Base(name) + " cancelled: nothing was imported")
			return
		}
		if err != nil {
			u.dialogs.show(dialog.NewError(err, u.win))
			return
		}
		u.showReport(rep)
		u.afterChange(func() []string { return selectAdded(rep) })
		u.indexForSearch()
	})
}

// selectAdded returns what the list selects after an import: the entries it added, when they
// are few enough to look at (a large import's report says what it did).
func selectAdded(rep bibstorage.Report) []string {
	if len(rep.Added) > maxSelectAdded {
		return nil
	}
	return rep.Added
}

// maxSelectAdded is the most entries an import selects once it is done.
const maxSelectAdded = 500

// viewedCollection returns the id of the collection the sidebar shows, 0 when it shows none:
// what is imported or made there goes into it. Call it on the UI goroutine.
func (u *UI) viewedCollection() int64 {
	it := u.sidebar.current()
	if it.kind != kindCollection {
		return 0
	}
	return it.filter.Collection
}

// progressFrom is the number of entries from which an import shows its progress, with Cancel.
const progressFrom = 1000

// importWithProgress runs an import of about n entries; a large one shows a progress dialog
// whose Cancel rolls the import back. It runs off the UI goroutine.
func (u *UI) importWithProgress(name string, n int, tags keywordTags, run func(context.Context, bibstorage.ImportOptions) (bibstorage.Report, error)) (bibstorage.Report, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var into int64
	fyneDoAndWait(func() { into = u.viewedCollection() })
	opts := bibstorage.ImportOptions{
		Collection: into,
		KeyPattern: u.app.Preferences().StringWithFallback(prefKeyPattern, bib.PatternJabRef),
		Duplicates: duplicatesChoice.get(u.app.Preferences()),
		// Keywords stay in the field either way; the user chose, when they were many.
		NoKeywordTags: tags == keepKeywords,
		// The report and the list come first; indexForSearch follows.
		IndexLater: true,
	}
	if n >= progressFrom {
		var d dialog.Dialog
		bar := widget.NewProgressBar()
		// After the items are read, the steps that follow (indexes, search index, writing) take
		// about as long again, with no count to show: a bar that only says work goes on.
		busy := widget.NewProgressBarInfinite()
		busy.Hide()
		count := widget.NewLabel("")
		count.Wrapping = fyne.TextWrapWord
		read, staged := 0, false // on the UI goroutine
		fyneDoAndWait(func() {
			msg := widget.NewLabel(fmt.Sprintf("Importing %s entries from %s…", thousands(n), filepath.Base(name)))
			d = dialog.NewCustom("Import", "Cancel", container.NewVBox(msg, bar, busy, count), u.win)
			d.SetOnClosed(cancel)
			d.Resize(fyne.NewSize(480, 0))
			u.dialogs.show(d)
			// Showing the dialog made the hidden bar's renderer, which starts its animation:
			// it would redraw the window every frame while the items are read.
			busy.Stop()
		})
		defer fyneDo(func() {
			busy.Stop()
			d.Hide()
		})
		opts.Progress = func(done, total int) {
			fyneDo(func() {
				if staged {
					return
				}
				read = done
				bar.SetValue(float64(done) / float64(max(total, 1)))
				count.SetText(fmt.Sprintf("%s of %s items read; Cancel imports nothing.", thousands(done), thousands(total)))
			})
		}
		opts.Stage = func(stage string) {
			fyneDo(func() {
				if !staged {
					staged = true
					bar.Hide()
					busy.Show()
				}
				if stage == bibstorage.StageCommit {
					// A commit under way finishes: Cancel only closes the dialog.
					count.SetText(fmt.Sprintf("All %s items read; now %s, which can no longer be cancelled.", thousands(read), stage))
				} else {
					count.SetText(fmt.Sprintf("All %s items read; now %s. Cancel imports nothing.", thousands(read), stage))
				}
			})
		}
	}
	return run(ctx, opts)
}

// showReport shows what an import did, with every problem, in text that can be copied.
func (u *UI) showReport(rep bibstorage.Report) {
	sum := widget.NewLabel(reportSummary(rep))
	sum.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(sum)
	var renamed *widget.Label
	var compare *widget.Button
	var d *dialog.CustomDialog
	if n := len(rep.Possible); n > 0 {
		// The entries were imported (the default policy); the choice comes now, with the
		// report in view.
		what := widget.NewLabel(fmt.Sprintf("%s may already be in the library (same DOI, arXiv id, ISBN, or title, year and first author). Keep both, or:", rowsText(n)))
		what.Wrapping = fyne.TextWrapWord
		skip := widget.NewButton("Move the New Ones to the Trash", func() { d.Hide(); u.skipPossible(rep.Possible) })
		merge := widget.NewButton("Merge Each Into the One There", func() { d.Hide(); u.mergePossible(rep.Possible) })
		review := widget.NewButton("Review One by One…", func() { d.Hide(); u.reviewPossible(rep.Possible) })
		top.Add(what)
		top.Add(container.NewHBox(skip, merge, review))
	}
	if pairs := renamedPairs(rep.Renamed); len(pairs) > 0 {
		// The entries already there keep their keys; the new ones' keys are what a paper that
		// cites them must change to.
		text := "1 entry was imported under another key than its file gave it: the library has another paper under that key, which keeps it. A paper that cites this entry needs its new key (see the warnings below)."
		if len(pairs) > 1 {
			text = fmt.Sprintf("%s were imported under other keys than their file gave them: the library has other papers under those keys, which keep them. A paper that cites one of these entries needs its new key (see the warnings below).", rowsText(len(pairs)))
		}
		what := widget.NewLabel(text)
		what.Wrapping = fyne.TextWrapWord
		renamed = what
		compare = widget.NewButton("Compare Each With the Library's Entry…", func() {
			d.Hide()
			u.reviewGroups("Two papers, one key: if they are the same paper after all, merge them; if not, mark them Not Duplicates", pairs, 0)
		})
		top.Add(what)
		top.Add(container.NewHBox(compare))
	}
	var content fyne.CanvasObject = top
	var problems fyne.CanvasObject
	if len(rep.Problems) > 0 {
		hint := widget.NewLabel("Click a problem to show its entry; File › Show Last Import Report brings this back.")
		hint.Importance = widget.LowImportance
		hint.Wrapping = fyne.TextWrapWord
		top.Add(hint)
		problems = problemList(rep.Problems, func(p bib.Problem) {
			key := problemEntry(rep, p)
			if key == "" {
				u.status.SetText(fmt.Sprintf("%s:%d: the problem is in no entry the library kept", filepath.Base(p.File), p.Line))
				return
			}
			d.Hide()
			u.Reveal(key, "bibtex")
			u.status.SetText(fmt.Sprintf("%s:%d: %s · File › Show Last Import Report lists the others", filepath.Base(p.File), p.Line, p.Msg))
		})
		content = container.NewBorder(top, nil, nil, nil, problems)
	}
	u.lastReport = &rep
	copyReport := widget.NewButtonWithIcon("Copy Report", theme.ContentCopyIcon(), func() {
		u.copyText(reportText(rep), "the import report")
	})
	d = dialog.NewCustomWithoutButtons("Import of "+filepath.Base(rep.File), content, u.win)
	closeButton := widget.NewButton("Close", func() { d.Hide() })
	closeButton.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{copyReport, closeButton})
	d.Resize(fyne.NewSize(900, 0))
	named := []fyne.CanvasObject{sum, copyReport, closeButton}
	if compare != nil {
		named = append(named, renamed, compare)
	}
	u.probeDialog(named...)
	if problems != nil {
		u.inDialog["problems"] = problems
	}
	u.dialogs.show(d)
}

// skipPossible moves the entries an import brought in that the library may have had to the
// trash, as if the import had skipped them; Undo brings them back.
func (u *UI) skipPossible(pairs []bibstorage.PossibleDuplicate) {
	keys := make([]string, len(pairs))
	for i, p := range pairs {
		keys[i] = p.Key
	}
	u.trash(keys)
}

// mergePossible merges each entry an import brought in into the one the library had (see
// storage's Merge: nothing is lost, the new entry goes to the trash).
func (u *UI) mergePossible(pairs []bibstorage.PossibleDuplicate) {
	u.run("Merge", func(ctx context.Context) error {
		for _, p := range pairs {
			if err := u.lib.Merge(ctx, p.Existing, p.Key); err != nil {
				return err
			}
		}
		return nil
	}, func() {
		u.status.SetText(fmt.Sprintf("Merged %s into the entries there; the new ones are in the Trash", rowsText(len(pairs))))
		u.afterChange(nil)
	})
}

// reviewPossible shows each pair in the merge dialog.
func (u *UI) reviewPossible(pairs []bibstorage.PossibleDuplicate) {
	groups := make([]bibstorage.DuplicateGroup, len(pairs))
	for i, p := range pairs {
		groups[i] = bibstorage.DuplicateGroup{Keys: []string{p.Existing, p.Key}, Reasons: []string{p.Reason}}
	}
	u.reviewDuplicates(groups, 0)
}

// renamedPairs returns, for each entry an import brought in under a key of its own, the entry
// the library had under its key and the new one, to be shown side by side.
func renamedPairs(changes []bibstorage.KeyChange) []bibstorage.DuplicateGroup {
	var groups []bibstorage.DuplicateGroup
	for _, c := range changes {
		if c.Duplicate {
			continue
		}
		groups = append(groups, bibstorage.DuplicateGroup{Keys: []string{c.Existing, c.New},
			Reasons: []string{fmt.Sprintf("%s:%d has the key %q, which the library's %q had, for another paper, now in the library as %q", filepath.Base(c.File), c.Line, c.Old, c.Existing, c.New)}})
	}
	return groups
}

// onLastReport shows the report of the newest import again.
func (u *UI) onLastReport() {
	if u.lastReport == nil {
		u.dialogs.show(dialog.NewInformation("Import Report", "Nothing has been imported since the window opened.", u.win))
		return
	}
	u.showReport(*u.lastReport)
}

// problemEntry returns the key in the library of the entry a problem of an import is in: the
// key its file gave it, or the one it was imported under when the library had another paper
// under that key. It is "" when the problem is in no entry (text between entries, an entry
// whose key could not be read).
func problemEntry(rep bibstorage.Report, p bib.Problem) string {
	if p.Key == "" {
		return ""
	}
	// The entry that starts last before the problem's line, among those of the file that had
	// the key: an earlier one of the same key kept it.
	key, from := p.Key, 0
	for _, c := range rep.Renamed {
		if c.Old == p.Key && c.File == p.File && c.Line <= p.Line && c.Line > from {
			key, from = c.New, c.Line
		}
	}
	return key
}

// problemList lists an import's problems, two lines each (where, then what), in a list that
// makes rows only for the problems in view: an import of 100,000 entries can have thousands of
// problems, and a text field holding them all took half a minute to lay out. Copy Report copies
// all of it. Clicking a problem calls open with it.
func problemList(problems []bib.Problem, open func(bib.Problem)) fyne.CanvasObject {
	list := widget.NewList(func() int { return len(problems) },
		func() fyne.CanvasObject {
			where, what := widget.NewLabel(""), widget.NewLabel("")
			where.TextStyle.Bold = true
			// Not selectable: a row is reused for another problem as the list scrolls, and a
			// selection would stay on it. Copy Report copies every problem.
			where.Truncation = fyne.TextTruncateEllipsis
			what.Truncation = fyne.TextTruncateEllipsis
			return container.New(layout.NewCustomPaddedVBoxLayout(0), where, what)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := problems[i]
			lines := o.(*fyne.Container).Objects
			where, what := lines[0].(*widget.Label), lines[1].(*widget.Label)
			loc := fmt.Sprintf("%s:%d:%d", filepath.Base(p.File), p.Line, p.Col)
			if p.Severity == bib.Warning {
				loc += " warning"
				where.Importance = widget.WarningImportance
			} else {
				loc += " error"
				where.Importance = widget.DangerImportance
			}
			if p.Key != "" {
				loc += fmt.Sprintf(" · entry %q", p.Key)
			}
			where.SetText(loc)
			what.SetText(p.Msg)
		})
	list.OnSelected = func(i widget.ListItemID) {
		list.UnselectAll()
		open(problems[i])
	}
	// Up to four problems in view, however many there are.
	row := list.CreateItem().MinSize().Height + theme.Padding()
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(0, row*float32(min(len(problems), 4))))
	return container.NewStack(room, list)
}

// reportSummary says what an import did in one sentence.
func reportSummary(rep bibstorage.Report) string {
	s := fmt.Sprintf("Imported %s, skipped %s, merged %d.", rowsText(rep.Imported),
		plural(rep.Duplicates, "duplicate", "duplicates"), rep.Merged)
	if rep.Rejected > 0 {
		s += fmt.Sprintf(" %s had errors, listed below: text that could not be read is left out, and an "+
			"entry whose key was read is kept with the fields before its error, as bibtex keeps it.",
			plural(rep.Rejected, "item", "items"))
	}
	return s
}

// plural counts things: "1 duplicate", "2 duplicates".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// reportText is an import report as plain text.
func reportText(rep bibstorage.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Import of %s: %s\n", rep.File, reportSummary(rep))
	for _, p := range rep.Problems {
		b.WriteString(p.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

// exportOptions returns what an export writes now: the list's query (the sidebar's selection and
// the search), and the preferences. Call it on the UI goroutine.
func (u *UI) exportOptions() bibstorage.ExportOptions {
	var opts bibstorage.ExportOptions
	opts.Filter, opts.Query = u.results.search()
	opts.ASCII = u.app.Preferences().Bool(prefExportASCII)
	opts.Dialect = dialectChoice.get(u.app.Preferences())
	return opts
}

// exportScope is what an export writes.
type exportScope int

const (
	exportList exportScope = iota // what the list shows: the sidebar's selection and the search
	exportSelection
	exportLibrary
)

func (u *UI) onExport() { u.export(exportList) }

func (u *UI) export(scope exportScope) {
	opts := u.exportOptions()
	name := "library.bib"
	switch scope {
	case exportSelection:
		keys := u.list.selection()
		if len(keys) == 0 {
			u.dialogs.show(dialog.NewInformation("Export Selection", "Select the entries to export first.", u.win))
			return
		}
		opts.Filter, opts.Query, opts.Keys = bibstorage.Filter{}, "", keys
		name = "selection.bib"
		if len(keys) == 1 {
			name = keys[0] + ".bib"
		}
	case exportLibrary:
		opts.Filter, opts.Query = bibstorage.Filter{}, ""
	case exportList:
		if u.sidebar.current().kind == kindTrash {
			// Export takes a query, and no query names the trash: exporting here would write
			// entries that are not in it.
			u.dialogs.show(dialog.NewInformation("Export", "The trash cannot be exported. Select Library, a tag or a collection first.", u.win))
			return
		}
		if it := u.sidebar.current(); it.id != idLibrary && it.label != "" {
			name = fileName(it.label) + ".bib"
		}
	}
	u.exportTo(opts, name)
}

// fileName makes a sidebar item's name fit for a file name.
func fileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) {
			return '-'
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func (u *UI) exportTo(opts bibstorage.ExportOptions, name string) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			u.dialogs.show(dialog.NewError(err, u.win))
			return
		}
		if w == nil {
			return
		}
		u.rememberFolder(prefExportFolder, w.URI())
		go func() {
			ctx := context.Background()
			var n int
			export := func(out io.Writer) error {
				var err error
				n, err = u.lib.Export(ctx, out, opts)
				return err
			}
			var err error
			if _, ok := w.(*deferredWriter); ok && w.URI().Scheme() == "file" {
				// Nothing was opened (see deferredWrites): the file is written as every file
				// Bibshelf writes is, all or nothing, never over a library.
				w.Close()
				err = bibstorage.WriteFile(ctx, w.URI().Path(), export)
			} else {
				var buf bytes.Buffer
				if err = export(&buf); err == nil {
					_, err = w.Write(buf.Bytes())
				}
				if cerr := w.Close(); err == nil {
					err = cerr
				}
			}
			fyneDo(func() {
				if err != nil {
					u.dialogs.show(dialog.NewError(fmt.Errorf("export: %w", err), u.win))
					return
				}
				u.status.SetText(fmt.Sprintf("Exported %s to %s", rowsText(n), w.URI().Path()))
			})
		}()
	}, u.win)
	deferFileWrites()
	d.SetFileName(name)
	u.startIn(d, prefExportFolder)
	u.dialogs.show(d)
}
