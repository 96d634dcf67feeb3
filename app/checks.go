package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/lint"
	"github.com/bibshelf/bibshelf/storage"
)

// libraryChecker is what the Check Library view reads from the library; its fixes are changes
// (UpdateEntry) made through the window's history.
type libraryChecker interface {
	Count(ctx context.Context) (int, error)
	Entry(ctx context.Context, key string) (*bib.Entry, error)
	EachEntry(ctx context.Context, f storage.Filter, query string, fn func(*bib.Entry) error) error
}

// maxShownFindings is how many findings the view lists: a library of 100,000 entries without
// journals would otherwise hold a row for each. The counts, and Fix All Certain, cover them all.
const maxShownFindings = 5000

// prefCheckBibLaTeX is the view's own BibLaTeX toggle, used when the export format is "as
// written" and so says nothing of which toolchain reads the library.
const prefCheckBibLaTeX = "check.biblatex"

// The orders the findings can be listed in.
var checkOrders = []string{"Severity", "Check", "Entry"}

// checkResult is what one run of the checks found.
type checkResult struct {
	findings        []lint.Finding // in library order, maxShownFindings at most
	errors, warns   int            // of all the findings, shown or not
	fixable         int            // findings with a certain fix
	entries         int            // entries with findings
	checked, total  int            // entries checked, of the library's
	stopped         bool           // the user stopped the run before its end
	opts            lint.Options
	took            time.Duration
	truncated, none bool
}

// checkView is the Check Library view: a panel under the list with the lint findings of the
// whole library, which the user sorts, selects (the entry is selected in the list and shown in
// the entry pane) and fixes, one or all certain fixes at once as one undoable change. It checks
// off the UI goroutine, with progress and Stop, and again after every change to the library
// while it is open. Its fields are used on the UI goroutine only.
type checkView struct {
	lib     libraryChecker
	prefs   fyne.Preferences
	show    func(f lint.Finding)               // selects the finding's entry in the list and the entry pane
	perform func(c *change)                    // makes an undoable change
	report  func(title string, lines []string) // lists what a fix changed

	content  fyne.CanvasObject
	list     *findingList
	summary  *widget.Label
	order    *widget.Select
	biblatex *widget.Check
	fix      *widget.Button
	fixAll   *widget.Button
	again    *widget.Button
	close    *widget.Button
	stop     *widget.Button
	progress *widget.ProgressBar
	running  *fyne.Container // the progress bar and Stop

	open     bool
	result   checkResult
	shown    []lint.Finding            // result.findings in the order chosen
	selected int                       // index in shown; -1 for none
	quiet    bool                      // set while the view itself selects a row
	rows     map[fyne.CanvasObject]int // the row widgets and the finding each shows, for the probe
	gen      int                       // of the newest run; older runs' results are dropped
	cancel   context.CancelFunc
	busy     bool // a run is going on
	onClose  func()
}

func newCheckView(lib libraryChecker, prefs fyne.Preferences) *checkView {
	v := &checkView{lib: lib, prefs: prefs, selected: -1, rows: map[fyne.CanvasObject]int{}}
	v.list = &findingList{}
	v.list.Length, v.list.CreateItem, v.list.UpdateItem = func() int { return len(v.shown) }, newFindingRow, v.updateRow
	v.list.ExtendBaseWidget(v.list)
	v.list.OnSelected = v.onSelected
	v.list.OnUnselected = func(widget.ListItemID) {
		if !v.quiet {
			v.selected = -1
			v.fix.Disable()
		}
	}
	v.summary = widget.NewLabel("")
	v.summary.Truncation = fyne.TextTruncateEllipsis
	v.biblatex = widget.NewCheck("biblatex's required fields", func(on bool) {
		if v.biblatex.Disabled() {
			return
		}
		v.prefs.SetBool(prefCheckBibLaTeX, on)
		v.check()
	})
	v.fix = widget.NewButtonWithIcon("Fix", theme.ConfirmIcon(), v.onFix)
	v.fix.Disable()
	v.fixAll = widget.NewButton("Fix All Certain", v.onFixAll)
	v.fixAll.Disable()
	v.again = widget.NewButtonWithIcon("Check Again", theme.ViewRefreshIcon(), v.check)
	v.close = widget.NewButtonWithIcon("", theme.CancelIcon(), v.onCloseView)
	v.stop = widget.NewButton("Stop", v.onStop)
	v.order = widget.NewSelect(checkOrders, func(string) { v.arrange() })
	v.order.SetSelectedIndex(0)
	v.progress = widget.NewProgressBar()
	v.running = container.NewBorder(nil, nil, nil, v.stop, v.progress)
	v.running.Hide()
	title := widget.NewLabelWithStyle("Check Library", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	top := container.NewBorder(nil, nil, title, container.NewHBox(v.again, v.close), v.summary)
	tools := container.NewHBox(widget.NewLabel("Sort by"), v.order, v.biblatex, v.fix, v.fixAll)
	v.content = container.NewBorder(container.NewVBox(top, container.NewHScroll(tools), v.running), nil, nil, nil, v.list)
	return v
}

// options returns what the checks are for: biblatex's required fields when the export format
// is BibLaTeX, BibTeX's when it is BibTeX, and otherwise as the view's toggle says, which is
// then the only one that can be changed.
func (v *checkView) options() lint.Options {
	switch dialectChoice.get(v.prefs) {
	case bib.BibLaTeX:
		v.setToggle(true, false, "biblatex's required fields (the export format)")
	case bib.BibTeX:
		v.setToggle(false, false, "biblatex's required fields (not: the export format is BibTeX)")
	default:
		v.setToggle(v.prefs.Bool(prefCheckBibLaTeX), true, "biblatex's required fields")
	}
	return lint.Options{BibLaTeX: v.biblatex.Checked}
}

// setToggle shows the BibLaTeX toggle's state without running its callback's check.
func (v *checkView) setToggle(on, enabled bool, text string) {
	v.biblatex.Disable() // the callback does nothing while disabled
	v.biblatex.SetChecked(on)
	v.biblatex.Text = text
	v.biblatex.Refresh()
	if enabled {
		v.biblatex.Enable()
	}
}

// check runs the checks over the whole library off the UI goroutine, stopping a run that is
// going on. The findings shown stay until the new ones arrive.
func (v *checkView) check() {
	if !v.open {
		return
	}
	if v.cancel != nil {
		v.cancel()
	}
	v.gen++
	gen := v.gen
	ctx, cancel := context.WithCancel(context.Background())
	v.cancel = cancel
	opts := v.options()
	v.busy = true
	v.summary.SetText("Checking…")
	v.progress.SetValue(0)
	// A run that takes more than a moment shows its progress, and can be stopped.
	time.AfterFunc(slowChange, func() {
		fyneDo(func() {
			if v.busy && gen == v.gen {
				v.running.Show()
			}
		})
	})
	go func() {
		defer cancel()
		res, err := lintLibrary(ctx, v.lib, opts, func(done, total int) {
			fyneDo(func() {
				if gen == v.gen && total > 0 {
					v.progress.SetValue(float64(done) / float64(total))
				}
			})
		})
		fyneDo(func() {
			if gen != v.gen {
				return
			}
			v.busy = false
			v.running.Hide()
			if err != nil && !res.stopped {
				v.summary.SetText("The check failed: " + err.Error())
				return
			}
			v.setResult(res)
		})
	}()
}

// progressEvery is how often a run says how far it got.
const progressEvery = 100 * time.Millisecond

// lintLibrary lints every entry of the library (not the trash), as bibshelf lint --library
// does, and calls progress now and then with the entries checked so far. A run stopped through
// ctx returns what it found so far, marked stopped, with ctx's error.
func lintLibrary(ctx context.Context, lib libraryChecker, opts lint.Options, progress func(done, total int)) (checkResult, error) {
	start := time.Now()
	res := checkResult{opts: opts}
	total, err := lib.Count(ctx)
	if err != nil {
		return res, fmt.Errorf("count entries: %w", err)
	}
	res.total = total
	last := time.Now()
	err = lib.EachEntry(ctx, storage.Filter{}, "", func(e *bib.Entry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		fs := lint.Entry(e, opts)
		if len(fs) > 0 {
			res.entries++
		}
		for _, f := range fs {
			f.Line, f.Col = 0, 0 // in the entry's text, which the list does not show
			if f.Severity == lint.Error {
				res.errors++
			} else {
				res.warns++
			}
			if f.Fix != "" {
				res.fixable++
			}
			if len(res.findings) < maxShownFindings {
				res.findings = append(res.findings, f)
			} else {
				res.truncated = true
			}
		}
		res.checked++
		if time.Since(last) >= progressEvery {
			last = time.Now()
			progress(res.checked, total)
		}
		return nil
	})
	res.took = time.Since(start)
	if err != nil {
		res.stopped = ctx.Err() != nil
		return res, err
	}
	res.none = res.errors+res.warns == 0
	return res, nil
}

// setResult shows what a run found, keeping the finding selected when it is still there.
func (v *checkView) setResult(res checkResult) {
	var was *lint.Finding
	if v.selected >= 0 && v.selected < len(v.shown) {
		f := v.shown[v.selected]
		was = &f
	}
	v.result = res
	v.summary.SetText(checkSummary(res))
	v.fixAll.SetText(fmt.Sprintf("Fix All Certain (%d)", res.fixable))
	if res.fixable > 0 && !res.stopped {
		v.fixAll.Enable()
	} else {
		v.fixAll.Disable()
	}
	v.arrange()
	v.selectFinding(was)
}

// checkSummary says what a run found, in one line.
func checkSummary(res checkResult) string {
	if res.stopped {
		return fmt.Sprintf("Stopped after %s of %s entries: %s, %s so far", thousands(res.checked), thousands(res.total),
			plural(res.errors, "error", "errors"), plural(res.warns, "warning", "warnings"))
	}
	if res.none {
		return fmt.Sprintf("No problems in %s entries", thousands(res.checked))
	}
	s := fmt.Sprintf("%s, %s in %s of %s entries", plural(res.errors, "error", "errors"), plural(res.warns, "warning", "warnings"),
		thousands(res.entries), thousands(res.checked))
	if res.truncated {
		s += fmt.Sprintf(" (the first %s listed)", thousands(maxShownFindings))
	}
	return s
}

// arrange sorts the findings in the order chosen: ties keep the library's order.
func (v *checkView) arrange() {
	v.shown = slices.Clone(v.result.findings)
	var by func(a, b lint.Finding) int
	switch v.order.Selected {
	case "Check":
		by = func(a, b lint.Finding) int {
			return cmp.Compare(slices.Index(lint.Checks, a.Check), slices.Index(lint.Checks, b.Check))
		}
	case "Entry":
		by = func(a, b lint.Finding) int { return cmp.Compare(bib.FoldKey(a.Key), bib.FoldKey(b.Key)) }
	default:
		by = func(a, b lint.Finding) int { return cmp.Compare(b.Severity, a.Severity) }
	}
	slices.SortStableFunc(v.shown, by)
	v.quiet = true
	v.list.UnselectAll()
	v.quiet = false
	v.selected = -1
	v.fix.Disable()
	v.list.Refresh()
}

// selectFinding selects the row of a finding again, without selecting its entry again.
func (v *checkView) selectFinding(f *lint.Finding) {
	if f == nil {
		return
	}
	if i := slices.Index(v.shown, *f); i >= 0 {
		v.quiet = true
		v.list.Select(i)
		v.quiet = false
		v.selected = i
		v.setFixable()
	}
}

func (v *checkView) onSelected(i widget.ListItemID) {
	v.selected = i
	v.setFixable()
	if !v.quiet && i >= 0 && i < len(v.shown) {
		v.show(v.shown[i])
	}
}

func (v *checkView) setFixable() {
	if v.selected >= 0 && v.selected < len(v.shown) && v.shown[v.selected].Fix != "" {
		v.fix.Enable()
	} else {
		v.fix.Disable()
	}
}

func (v *checkView) onStop() {
	if v.cancel != nil {
		v.cancel()
	}
}

func (v *checkView) onCloseView() {
	v.onStop()
	v.open = false
	v.gen++ // a run's result comes too late now
	v.busy = false
	if v.onClose != nil {
		v.onClose()
	}
}

// idle reports whether no run is going on.
func (v *checkView) idle() bool { return !v.busy }

// onFix applies the selected finding's fix, as one change.
func (v *checkView) onFix() {
	if v.selected < 0 || v.selected >= len(v.shown) || v.shown[v.selected].Fix == "" {
		return
	}
	f := v.shown[v.selected]
	opts := v.result.opts
	fixes := &entryFixes{lib: v.lib}
	v.perform(fixes.change(fmt.Sprintf("Fix %s of %s", f.Field, f.Key), func(ctx context.Context) error {
		return fixes.one(ctx, f, opts)
	}, v.fixed(fixes)))
}

// onFixAll applies every certain fix in the library, as one change that Undo takes back
// whole, and lists what it fixed.
func (v *checkView) onFixAll() {
	opts := v.result.opts
	fixes := &entryFixes{lib: v.lib}
	v.perform(fixes.change("Fix all certain", func(ctx context.Context) error {
		return fixes.all(ctx, opts)
	}, v.fixed(fixes)))
}

// fixed lists what a fix did, once it is done.
func (v *checkView) fixed(fixes *entryFixes) func() {
	return func() {
		lines := fixedLines(fixes.applied)
		if v.report != nil && len(lines) > 0 {
			v.report(fmt.Sprintf("Fixed %s in %s", plural(len(fixes.applied), "value", "values"), rowsText(len(fixes.before))), lines)
		}
	}
}

// fixedLines says what each applied fix changed: KEY: FIELD = NEW (CHECK).
func fixedLines(applied []lint.Finding) []string {
	lines := make([]string, len(applied))
	for i, f := range applied {
		lines[i] = fmt.Sprintf("%s: %s = %s (%s)", f.Key, f.Field, f.Fix, f.Check)
	}
	return lines
}

// updater is how fixes are written: the library's UpdateEntry.
type updater interface {
	UpdateEntry(ctx context.Context, key string, e *bib.Entry) error
}

// entryFixes is the work of a fix: the entries as they were before it, and as it left them, so
// that undo and redo write them back. Its fields are used on the work queue's goroutine, and
// on the UI goroutine once the change is done.
type entryFixes struct {
	lib     libraryChecker
	before  []*bib.Entry
	after   []*bib.Entry
	applied []lint.Finding
}

// change makes the undoable change that runs find (which fills before and after) and writes
// the entries it fixed; undo writes them back as they were.
func (x *entryFixes) change(name string, find func(ctx context.Context) error, done func()) *change {
	return &change{
		name: name,
		do: func(ctx context.Context) error {
			if x.after == nil {
				if err := find(ctx); err != nil {
					return err
				}
			}
			return x.write(ctx, x.after, x.before)
		},
		undo: func(ctx context.Context) error { return x.write(ctx, x.before, x.after) },
		done: done,
	}
}

// write updates the entries to what they become; when one fails, those written are put back as
// they were (back), so that a change that failed leaves nothing half done. The putting back runs
// even when ctx is done; an entry it could not put back is named in the error, which then says
// the library is left part fixed.
func (x *entryFixes) write(ctx context.Context, to, back []*bib.Entry) error {
	lib, ok := x.lib.(updater)
	if !ok {
		return errors.New("fix entries: the library cannot be changed")
	}
	for i, e := range to {
		if err := lib.UpdateEntry(ctx, back[i].Key, e.Clone()); err != nil {
			errs := []error{fmt.Errorf("fix %s: %w", e.Key, err)}
			keep := context.WithoutCancel(ctx)
			for j := i - 1; j >= 0; j-- {
				if err := lib.UpdateEntry(keep, to[j].Key, back[j].Clone()); err != nil {
					errs = append(errs, fmt.Errorf("put back %s as it was: %w", to[j].Key, err))
				}
			}
			if len(errs) > 1 {
				errs = append(errs, errors.New("the entries it could not put back stay fixed, and Undo cannot take them back"))
			}
			return errors.Join(errs...)
		}
	}
	return nil
}

// one finds the fix of one finding in the entry as the library has it now.
func (x *entryFixes) one(ctx context.Context, f lint.Finding, opts lint.Options) error {
	e, err := x.lib.Entry(ctx, f.Key)
	if err != nil {
		return fmt.Errorf("read %s: %w", f.Key, err)
	}
	var same []lint.Finding
	for _, g := range lint.Entry(e, opts) {
		if g.Check == f.Check && g.Field == f.Field && g.Fix != "" {
			same = append(same, g)
		}
	}
	x.add(e, same)
	if len(x.applied) == 0 {
		return fmt.Errorf("fix %s of %s: the entry has changed, and has nothing of the kind to fix now", f.Field, f.Key)
	}
	return nil
}

// all finds every certain fix of the library as it is now.
func (x *entryFixes) all(ctx context.Context, opts lint.Options) error {
	err := x.lib.EachEntry(ctx, storage.Filter{}, "", func(e *bib.Entry) error {
		x.add(e, lint.Entry(e, opts))
		return nil
	})
	if err != nil {
		return fmt.Errorf("fix entries: %w", err)
	}
	if len(x.applied) == 0 {
		return errors.New("fix entries: the library has nothing to fix with certainty now")
	}
	return nil
}

// add applies the findings' fixes to e, keeping it as it was and as it becomes when one applies.
func (x *entryFixes) add(e *bib.Entry, findings []lint.Finding) {
	was := e.Clone()
	if applied := lint.Fix(e, findings); len(applied) > 0 {
		x.before = append(x.before, was)
		x.after = append(x.after, e)
		for _, f := range applied {
			f.Line, f.Col = 0, 0
			x.applied = append(x.applied, f)
		}
	}
}

// findingList is the list of findings. A click on a finding gives it the keyboard, where Undo
// and Redo (Ctrl+Z, Shift+Ctrl+Z) take back and make again the library's changes, as in the
// list of entries: a fix can be undone right after it.
type findingList struct {
	widget.List
	onShortcut func(fyne.Shortcut) bool // the window's action for a shortcut; false when it has none
}

// TypedShortcut passes a shortcut on to the window.
func (l *findingList) TypedShortcut(s fyne.Shortcut) {
	if l.onShortcut != nil {
		l.onShortcut(s)
	}
}

// findingRow is one row of the findings: the severity's icon, the check, the entry's key and
// the message.
type findingRow struct {
	icon                *widget.Icon
	check, key, message *widget.Label
}

func newFindingRow() fyne.CanvasObject {
	r := &findingRow{icon: widget.NewIcon(theme.WarningIcon()), check: widget.NewLabel(""), key: widget.NewLabel(""), message: widget.NewLabel("")}
	for _, l := range []*widget.Label{r.check, r.key, r.message} {
		l.Truncation = fyne.TextTruncateEllipsis
	}
	r.key.TextStyle.Bold = true
	return container.New(findingLayout{}, r.icon, r.check, r.key, r.message)
}

func (v *checkView) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i < 0 || i >= len(v.shown) {
		v.rows[o] = -1
		return
	}
	f := v.shown[i]
	v.rows[o] = i
	c := o.(*fyne.Container)
	icon, check, key, msg := c.Objects[0].(*widget.Icon), c.Objects[1].(*widget.Label), c.Objects[2].(*widget.Label), c.Objects[3].(*widget.Label)
	if f.Severity == lint.Error {
		icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
	} else {
		icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
	}
	check.SetText(string(f.Check))
	key.SetText(f.Key)
	text := f.Msg
	if f.Fix != "" {
		text += " · fix: " + f.Fix
	}
	msg.SetText(text)
}

// findingLayout places a finding's icon, check, key and message in columns of fixed widths,
// the message taking what is left.
type findingLayout struct{}

// The widths of the check and key columns.
const (
	findingCheckWidth = 130
	findingKeyWidth   = 160
)

func (findingLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	icon := theme.IconInlineSize()
	x := theme.Padding()
	objs[0].Resize(fyne.NewSquareSize(icon))
	objs[0].Move(fyne.NewPos(x, (size.Height-icon)/2))
	x += icon
	for i, w := range []float32{findingCheckWidth, findingKeyWidth, max(size.Width-x-findingCheckWidth-findingKeyWidth, 0)} {
		objs[i+1].Move(fyne.NewPos(x, 0))
		objs[i+1].Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (findingLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(theme.Padding()+theme.IconInlineSize()+findingCheckWidth+findingKeyWidth+60, objs[1].MinSize().Height)
}

// newChecks makes the Check Library view of the window.
func (u *UI) newChecks() *checkView {
	v := newCheckView(u.lib, u.app.Preferences())
	v.show = u.showFindingEntry
	v.perform = u.perform
	v.report = u.showFixed
	v.list.onShortcut = func(s fyne.Shortcut) bool {
		switch s.(type) {
		case *fyne.ShortcutUndo:
			u.onUndo()
		case *fyne.ShortcutRedo:
			u.onRedo()
		default:
			return false
		}
		return true
	}
	v.onClose = func() {
		u.listArea.Objects = []fyne.CanvasObject{u.list.view}
		u.listArea.Refresh()
	}
	return v
}

// onCheckLibrary opens the Check Library view under the list, or checks again when it is open.
func (u *UI) onCheckLibrary() {
	if !u.checks.open {
		u.checks.open = true
		split := container.NewVSplit(u.list.view, u.checks.content)
		split.Offset = 0.45
		u.listArea.Objects = []fyne.CanvasObject{split}
		u.listArea.Refresh()
	}
	u.checks.check()
}

// showFindingEntry selects a finding's entry in the list, and shows its fields in the entry
// pane, where it can be mended; the status line says the finding whole.
func (u *UI) showFindingEntry(f lint.Finding) {
	u.list.selectKeys(f.Key)
	u.detail.tabs.SelectIndex(0)
	u.status.SetText(f.String())
	// The list of findings keeps the keyboard (Fyne's list cannot give it to a list extended,
	// as this one is): the arrows move in it, and Ctrl+Z undoes a fix.
	u.win.Canvas().Focus(u.checks.list)
}

// showFixed lists what a fix changed.
func (u *UI) showFixed(title string, lines []string) {
	text := widget.NewLabel(strings.Join(lines, "\n"))
	var d *dialog.CustomDialog
	closeButton := widget.NewButton("Close", func() { d.Hide() })
	closeButton.Importance = widget.HighImportance
	note := widget.NewLabel("Edit › Undo (Ctrl+Z, outside the fields) takes every one of them back.")
	content := container.NewBorder(note, nil, nil, nil, container.NewScroll(text))
	d = dialog.NewCustomWithoutButtons(title, content, u.win)
	d.SetButtons([]fyne.CanvasObject{closeButton})
	win := u.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(max(text.MinSize().Width+60, 560), win.Width-40), min(text.MinSize().Height+200, win.Height-80)))
	u.probeDialog(text, closeButton)
	// The field last edited keeps the keyboard through a click on a button, and Ctrl+Z there
	// is the field's: closed, the dialog leaves the keyboard with the findings, where it is
	// the window's Undo the note speaks of.
	d.SetOnClosed(func() {
		if u.checks != nil && u.checks.open {
			u.win.Canvas().Focus(u.checks.list)
		}
	})
	u.dialogs.show(d)
}

// probe describes the view for the probe: its summary, the findings in the order shown, and
// where its rows in view and its buttons are.
func (v *checkView) probe(pv *probeView) {
	st := pv.st
	st.Checks = v.summary.Text
	for _, f := range v.shown {
		st.Findings = append(st.Findings, f.String())
	}
	pv.put("checks", v.list, Rect{0, 0, st.Size[0], st.Size[1]})
	list := pv.rect(v.list)
	for o, i := range v.rows {
		if i >= 0 && i < len(v.shown) && pv.in(o, list) {
			f := v.shown[i]
			st.Widgets["finding:"+f.Key+":"+string(f.Check)] = pv.rect(o)
		}
	}
	whole := Rect{0, 0, st.Size[0], st.Size[1]}
	for name, o := range map[string]fyne.CanvasObject{"checks:fix": v.fix, "checks:fix-all": v.fixAll, "checks:again": v.again,
		"checks:close": v.close, "checks:stop": v.stop, "checks:sort": v.order, "checks:biblatex": v.biblatex} {
		pv.put(name, o, whole)
	}
}
