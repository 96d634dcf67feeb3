package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/paper"
	"github.com/bibshelf/bibshelf/storage"
)

// paperSource is what the window's papers need from the library: the papers it knows, and the
// entries a paper cites (paper.Library).
type paperSource interface {
	AddPaper(ctx context.Context, path string) error
	RemovePaper(ctx context.Context, path string) error
	EntriesByKey(ctx context.Context, keys []string) (map[string]*bib.Entry, error)
}

// pollEvery is how often the files of the paper shown are looked at for changes.
const pollEvery = time.Second

// maxPaperLines is how many of a paper's problems the bar over the list shows; Show Missing
// Keys shows them all.
const maxPaperLines = 6

// paperCheck is one reading of a paper and its check against the library.
type paperCheck struct {
	path   string
	rep    *paper.Report // nil when the paper could not be read
	err    error
	stamps map[string]fileStamp // of the files read, and of the .bib files the paper names
	first  map[string]paper.Pos // where each key is first cited
}

// fileStamp is what says a file changed: its modification time and size, or that it is gone.
type fileStamp struct {
	mod    time.Time
	size   int64
	exists bool
}

func stampOf(path string) fileStamp {
	st, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{st.ModTime(), st.Size(), true}
}

// checkPaper reads the paper at path and checks it against lib, off the UI goroutine.
func checkPaper(ctx context.Context, lib paper.Library, path string) *paperCheck {
	c := &paperCheck{path: path, stamps: map[string]fileStamp{path: stampOf(path)}, first: map[string]paper.Pos{}}
	p, err := paper.Open(path)
	if err != nil {
		c.err = err
		return c
	}
	for _, cit := range p.Citations {
		if _, ok := c.first[cit.Key]; !ok {
			c.first[cit.Key] = cit.Pos
		}
	}
	for _, f := range p.Files {
		c.stamps[f] = stampOf(f)
	}
	for _, f := range p.BibFiles {
		c.stamps[f] = stampOf(f)
	}
	if c.rep, err = paper.Check(ctx, p, lib); err != nil {
		c.rep, c.err = nil, fmt.Errorf("check paper: %w", err)
	}
	return c
}

// changed reports whether a file the check read changed since.
func (c *paperCheck) changed() bool {
	for f, st := range c.stamps {
		if stampOf(f) != st {
			return true
		}
	}
	return false
}

// missing returns the problems the window shows of a paper: the keys cited that only the
// paper's .bib files define, then the keys cited that are defined nowhere (and biber's keys
// that differ in case), each where it is cited, the .bib files it names that cannot be read and
// the crossref parents that are nowhere.
func (c *paperCheck) missing() []string {
	if c.rep == nil {
		return nil
	}
	dir := filepath.Dir(c.path)
	rel := func(f string) string {
		if r, err := filepath.Rel(dir, f); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
		return f
	}
	var out []string
	for _, k := range c.rep.BibOnly {
		at := c.first[k]
		out = append(out, fmt.Sprintf("%s:%d: %q is in the paper's .bib files but not in the library", rel(at.File), at.Line, k))
	}
	for _, p := range c.rep.Problems {
		switch {
		case p.Kind == "undefined", p.Kind == "case" && p.Severity == "error", p.Kind == "bib-file", p.Kind == "missing-parent":
			out = append(out, fmt.Sprintf("%s:%d: %s", rel(p.File), p.Line, p.Message))
		}
	}
	return out
}

// summary says in one line what a check found.
func (c *paperCheck) summary() string {
	name := filepath.Base(c.path)
	if c.err != nil {
		return fmt.Sprintf("%s: %v", name, c.err)
	}
	r := c.rep
	s := fmt.Sprintf("%s cites %s: %d in the library", name, plural(r.Cited, "key", "keys"), len(r.InLibrary))
	if n := len(r.BibOnly); n > 0 {
		s += fmt.Sprintf(", %d only in its .bib files", n)
	}
	if r.Undefined > 0 {
		s += fmt.Sprintf(", %d undefined", r.Undefined)
	}
	return s
}

// paperView is the paper selected in the sidebar: the bar over the list that says what its
// check found and offers the import, the keys the list shows, and the polling of its files.
type paperView struct {
	lib  paperSource
	win  fyne.Window
	show func(d dialog.Dialog) // shows a dialog over the window

	bar      *fyne.Container
	holder   *fyne.Container // the bar and the list, laid out again when the bar changes
	probe    func(...fyne.CanvasObject)
	title    *widget.Label
	problems *widget.Label
	more     *widget.Button // Show All…
	importB  *widget.Button

	// On the UI goroutine:
	path     string      // the paper shown; "" when none is
	last     *paperCheck // its newest check shown; nil before the first
	checking bool        // a check of path runs
	gen      int         // bumped when path changes
	stop     context.CancelFunc
	kick     chan struct{} // asks the poller for a check now

	changed    func()                // the keys the list shows changed
	importBibs func(f *bib.File)     // imports entries of the paper's .bib files
	afterCheck []func(c *paperCheck) // run once, at the next check shown
}

func newPaperView(lib paperSource, win fyne.Window, show func(dialog.Dialog)) *paperView {
	p := &paperView{lib: lib, win: win, show: show}
	p.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.title.Truncation = fyne.TextTruncateEllipsis
	p.problems = widget.NewLabel("")
	p.problems.Wrapping = fyne.TextWrapWord
	p.problems.TextStyle.Monospace = true
	p.importB = widget.NewButtonWithIcon("Import from the paper's .bib files", theme.DownloadIcon(), p.onImport)
	p.importB.Importance = widget.HighImportance
	p.more = widget.NewButton("Show Missing Keys…", func() { p.showMissing(p.last) })
	p.bar = container.NewVBox(p.title, p.problems, container.NewHBox(p.importB, p.more), widget.NewSeparator())
	p.bar.Hide()
	return p
}

// keys returns what the list shows while a paper is selected: the entries it cites that the
// library has; none until its check is read.
func (p *paperView) keys() []string {
	if p.last == nil || p.last.rep == nil {
		return []string{}
	}
	return slices.Clip(p.last.rep.InLibrary)
}

// idle reports whether the paper shown, if any, has its newest check shown.
func (p *paperView) idle() bool { return !p.checking }

// showPaper shows the paper at path, or none when path is "": its check, and then a check
// every time its files change. Call it on the UI goroutine.
func (p *paperView) showPaper(path string) {
	if path == p.path {
		return
	}
	if p.stop != nil {
		p.stop()
		p.stop = nil
	}
	p.gen++
	p.path, p.last, p.afterCheck = path, nil, nil
	if path == "" {
		p.checking = false
		p.bar.Hide()
		p.relayout()
		return
	}
	p.title.SetText(filepath.Base(path) + ": reading…")
	p.problems.SetText("")
	p.problems.Hide()
	p.importB.Hide()
	p.more.Hide()
	p.bar.Show()
	p.relayout()
	ctx, cancel := context.WithCancel(context.Background())
	p.stop = cancel
	p.kick = make(chan struct{}, 1)
	p.checking = true
	go p.poll(ctx, p.gen, path, p.kick)
}

// poll checks the paper, then checks it again when one of its files changes or a check is
// asked for, until ctx is cancelled. It runs off the UI goroutine.
func (p *paperView) poll(ctx context.Context, gen int, path string, kick <-chan struct{}) {
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var last *paperCheck
	for {
		if last == nil || last.changed() {
			fyneDo(func() {
				if gen == p.gen {
					p.checking = true
				}
			})
			last = checkPaper(ctx, p.lib, path)
			if ctx.Err() != nil {
				return
			}
			c := last
			fyneDo(func() { p.shown(gen, c) })
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
			last = nil
		case <-tick.C:
		}
	}
}

// recheck checks the paper shown again now: the library changed. Call it on the UI goroutine.
func (p *paperView) recheck() {
	if p.path == "" {
		return
	}
	p.checking = true
	select {
	case p.kick <- struct{}{}:
	default: // one is asked for already
	}
}

// shown shows a check of the paper, unless another paper is shown by now.
func (p *paperView) shown(gen int, c *paperCheck) {
	if gen != p.gen {
		return
	}
	p.checking = len(p.kick) > 0
	before := p.keys()
	p.last = c
	p.title.SetText(c.summary())
	lines := c.missing()
	if len(lines) > maxPaperLines {
		lines = append(lines[:maxPaperLines:maxPaperLines], fmt.Sprintf("… and %d more", len(c.missing())-maxPaperLines))
	}
	p.problems.SetText(strings.Join(lines, "\n"))
	p.problems.Hidden = len(lines) == 0
	p.more.Hidden = len(lines) == 0
	if c.rep != nil && len(c.rep.BibOnly) > 0 {
		p.importB.SetText(fmt.Sprintf("Import %d from the paper's .bib files", len(c.rep.BibOnly)))
		p.importB.Show()
	} else {
		p.importB.Hide()
	}
	p.relayout()
	if !slices.Equal(before, p.keys()) || c.err != nil && len(before) > 0 {
		p.changed()
	}
	for _, f := range p.afterCheck {
		f(c)
	}
	p.afterCheck = nil
}

// relayout lays the bar and the list out again: the bar's height changed.
func (p *paperView) relayout() {
	p.bar.Refresh()
	if p.holder != nil {
		p.holder.Refresh()
	}
}

// whenChecked runs f with the check of the paper shown: at once when it is read, or at the
// next check shown.
func (p *paperView) whenChecked(f func(c *paperCheck)) {
	if p.last != nil && !p.checking {
		f(p.last)
		return
	}
	p.afterCheck = append(p.afterCheck, f)
}

// onImport imports the entries the paper cites that only its .bib files define, with their
// crossref parents and the @strings they use, as one file.
func (p *paperView) onImport() {
	if p.last == nil || p.last.rep == nil || len(p.last.rep.BibOnly) == 0 {
		return
	}
	rep := p.last.rep
	files := rep.FromBib(rep.BibOnly)
	if len(files) == 0 {
		return
	}
	// BibTeX reads a paper's .bib files as one, in order: so does the import.
	all := &bib.File{Name: files[0].Name}
	for _, f := range files {
		all.Items = append(all.Items, f.Items...)
	}
	p.importBibs(all)
}

// showMissing shows every key a check found missing, with where it is cited, in text that can
// be selected and copied.
func (p *paperView) showMissing(c *paperCheck) {
	if c == nil {
		return
	}
	lines := c.missing()
	text := "The library has every key this paper cites."
	if c.err != nil {
		text = c.err.Error()
	} else if len(lines) > 0 {
		text = strings.Join(lines, "\n")
	}
	body := widget.NewLabel(text)
	body.TextStyle.Monospace = true
	body.Wrapping = fyne.TextWrapWord
	body.Selectable = true
	if p.probe != nil {
		p.probe(body)
	}
	d := dialog.NewCustom("Missing Keys: "+filepath.Base(c.path), "Close", container.NewVScroll(body), p.win)
	size := p.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(760, size.Width-40), min(420, size.Height-40)))
	p.show(d)
}

// isPaperName reports whether a file is a LaTeX paper the window checks: a .tex, .aux or .bcf
// file.
func isPaperName(u fyne.URI) bool {
	switch strings.ToLower(u.Extension()) {
	case ".tex", ".aux", ".bcf":
		return true
	}
	return false
}

// paperID is the sidebar's id of the paper at path.
func paperID(path string) string { return "paper:" + path }

// paperPath returns the path of a paper's sidebar row.
func paperPath(it sideItem) (string, bool) {
	if it.kind != kindPaper {
		return "", false
	}
	return strings.TrimPrefix(it.id, "paper:"), true
}

// prefPaperFolder is where File › Open Paper… last found a paper.
const prefPaperFolder = "paper.folder"

// onOpenPaper lets the user choose a paper to check against the library: File › Open Paper…
func (u *UI) onOpenPaper() {
	filter := &openFilter{match: isPaperName}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			u.dialogs.show(dialog.NewError(err, u.win))
			return
		}
		if r == nil {
			return // cancelled
		}
		r.Close()
		rememberFolder(u.app.Preferences(), prefPaperFolder, r.URI())
		if filter.justListed(r.URI()) {
			u.onOpenPaper() // a double-click on a folder: show the folder it opened
			return
		}
		u.openPapers([]string{r.URI().Path()})
	}, u.win)
	d.SetFilter(filter)
	d.SetConfirmText("Open")
	startIn(u.app.Preferences(), d, prefPaperFolder)
	u.dialogs.show(d)
}

// openPapers adds papers to the library's and selects the last in the sidebar. Call it on the
// UI goroutine.
func (u *UI) openPapers(paths []string) {
	var abs []string
	for _, p := range paths {
		if a, err := filepath.Abs(p); err == nil {
			abs = append(abs, a)
		}
	}
	if len(abs) == 0 {
		return
	}
	u.run("Open paper", func(ctx context.Context) error {
		for _, p := range abs {
			if err := u.lib.AddPaper(ctx, p); err != nil {
				return err
			}
		}
		return nil
	}, func() {
		u.status.SetText("Opened " + filepath.Base(abs[len(abs)-1]))
		u.sidebar.selectNext = paperID(abs[len(abs)-1])
		u.sidebar.refresh()
	})
}

// removePaper forgets a paper, undoably (its files stay where they are).
func (u *UI) removePaper(path string) {
	u.perform(&change{
		name: "Remove paper " + filepath.Base(path),
		do:   func(ctx context.Context) error { return u.lib.RemovePaper(ctx, path) },
		undo: func(ctx context.Context) error { return u.lib.AddPaper(ctx, path) },
	})
}

// paperMenu is a paper's context menu in the sidebar.
func (u *UI) paperMenu(path string) *fyne.Menu {
	return fyne.NewMenu("",
		fyne.NewMenuItem("Show Missing Keys", func() { u.withPaper(path, u.papers.showMissing) }),
		fyne.NewMenuItem("Export Only What This Paper Cites…", func() { u.withPaper(path, u.exportPaper) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Remove Paper", func() { u.removePaper(path) }),
	)
}

// withPaper selects a paper in the sidebar and runs f with its check once it is read.
func (u *UI) withPaper(path string, f func(c *paperCheck)) {
	if u.sidebar.selected != paperID(path) {
		u.sidebar.selectID(paperID(path))
	}
	u.papers.whenChecked(f)
}

// exportPaper writes the entries a paper cites that the library has, with their crossref and
// xdata parents (and so the @strings they use, as every export does), to a file the user
// chooses: the .bib a journal submission wants.
func (u *UI) exportPaper(c *paperCheck) {
	if c.rep == nil || len(c.rep.InLibrary) == 0 {
		msg := "The library has none of the entries this paper cites."
		if c.err != nil {
			msg = c.err.Error()
		}
		u.dialogs.show(dialog.NewInformation("Export Only What This Paper Cites", msg, u.win))
		return
	}
	opts := u.exportOptions()
	opts.Filter, opts.Query = storage.Filter{}, ""
	opts.Keys = exportKeys(c.rep)
	name := strings.TrimSuffix(filepath.Base(c.path), filepath.Ext(c.path)) + "-cited.bib"
	u.exports.exportToIn(opts, name, filepath.Dir(c.path)) // beside the paper
}

// exportKeys returns the keys an export of what a paper cites writes: the cited entries the
// library has, and their crossref and xdata parents, which Export does not add by itself (it
// adds the @strings the entries use).
func exportKeys(rep *paper.Report) []string {
	return append(slices.Clone(rep.InLibrary), rep.Parents...)
}
