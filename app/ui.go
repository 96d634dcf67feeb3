// Package app is Bibshelf's window: every line of Fyne code lives here.
//
// Each pane is a struct holding its widgets, with onX methods as callbacks, and reads the library
// through a small interface of its own (resultSource, sidebarSource, entryReader, importer,
// exporter, noteStore, attachmentStore); Library below is what the window as a whole needs, their
// union and the changes. Every library call runs off the UI goroutine and its result reaches
// widgets through fyne.Do. The package must not import database/sql or know about SQLite.
package app

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/assets"
	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/shared"
)

// Library is what the window needs from a library: what its panes read, and the changes.
type Library interface {
	Path() string // the library's file, for the window title
	Count(ctx context.Context) (int, error)
	CountMatches(ctx context.Context, f storage.Filter, query string) (int, error)
	Counts(ctx context.Context, recentDays int) (storage.Counts, error)
	SearchWith(ctx context.Context, opts storage.SearchOptions) ([]storage.Row, error)
	Entry(ctx context.Context, key string) (*bib.Entry, error)
	UpdateEntry(ctx context.Context, key string, e *bib.Entry) error
	AddEntry(ctx context.Context, e *bib.Entry, keyPattern string) (string, error)
	ImportWith(ctx context.Context, f *bib.File, opts storage.ImportOptions) (storage.Report, error)
	ImportReader(ctx context.Context, r bib.ItemReader, opts storage.ImportOptions) (storage.Report, error)
	Export(ctx context.Context, w io.Writer, opts storage.ExportOptions) (int, error)
	Tags(ctx context.Context) ([]storage.Tag, error)
	EntryTags(ctx context.Context, key string) ([]string, error)
	AddTags(ctx context.Context, keys []string, tags ...string) ([]string, error)
	RemoveTags(ctx context.Context, keys []string, tags ...string) ([]string, error)
	Collections(ctx context.Context) ([]storage.Collection, error)
	EntryCollections(ctx context.Context, key string) ([]storage.Collection, error)
	AddToCollection(ctx context.Context, id int64, keys ...string) ([]string, error)
	RemoveFromCollection(ctx context.Context, id int64, keys ...string) ([]string, error)
	EntryFlags(ctx context.Context, key string) (storage.Flags, error)
	SetRead(ctx context.Context, read bool, keys ...string) ([]string, error)
	SetStarred(ctx context.Context, starred bool, keys ...string) ([]string, error)
	SetRating(ctx context.Context, key string, rating int) (int, error)
	Trash(ctx context.Context, keys ...string) ([]string, error)
	Restore(ctx context.Context, keys ...string) ([]string, error)
	Trashed(ctx context.Context, offset, limit int) ([]storage.Row, error)
	adder
	pdfAdder
	pdfDownloader
	PendingSearch(ctx context.Context) (int, error)
	IndexPending(ctx context.Context) error
	noteStore
	attachmentStore
	organiser
	duplicateFinder
	keyRenamer
	targetStore
	EachEntry(ctx context.Context, f storage.Filter, query string, fn func(*bib.Entry) error) error
	paperSource
}

// shortcut makes a Ctrl (Cmd on macOS) shortcut, with Shift when shift is set.
func shortcut(key fyne.KeyName, shift bool) *desktop.CustomShortcut {
	m := fyne.KeyModifierShortcutDefault
	if shift {
		m |= fyne.KeyModifierShift
	}
	return &desktop.CustomShortcut{KeyName: key, Modifier: m}
}

var (
	shortcutImport     = shortcut(fyne.KeyO, false)
	shortcutExport     = shortcut(fyne.KeyE, false)
	shortcutFind       = shortcut(fyne.KeyF, false)
	shortcutPaste      = shortcut(fyne.KeyV, true)
	shortcutNew        = shortcut(fyne.KeyN, false)
	shortcutDuplicate  = shortcut(fyne.KeyD, false)
	shortcutTrash      = shortcut(fyne.KeyDelete, false)
	shortcutCopyCite   = shortcut(fyne.KeyC, false)
	shortcutCopyBibTeX = shortcut(fyne.KeyC, true)
	shortcutCopyKey    = shortcut(fyne.KeyK, false)
	shortcutUndo       = shortcut(fyne.KeyZ, false)
	shortcutRedo       = shortcut(fyne.KeyZ, true)
	shortcutPrefs      = shortcut(fyne.KeyComma, false)
	shortcutSelectAll  = shortcut(fyne.KeyA, false)
	shortcutAddTag     = shortcut(fyne.KeyT, false)
	shortcutStar       = shortcut(fyne.KeyS, true)
	shortcutRead       = shortcut(fyne.KeyR, true)
	shortcutAddByID    = shortcut(fyne.KeyI, true)
	shortcutUpdate     = shortcut(fyne.KeyL, true) // "look up"
	shortcutQuit       = shortcut(fyne.KeyQ, false)
)

// shortcutText spells a shortcut for a message.
func shortcutText(s *desktop.CustomShortcut) string {
	mod := "Ctrl+"
	if fyne.CurrentDevice() != nil && s.Modifier&fyne.KeyModifierSuper != 0 {
		mod = "Cmd+"
	}
	if s.Modifier&fyne.KeyModifierShift != 0 {
		mod = "Shift+" + mod
	}
	return mod + string(s.KeyName)
}

// Preferences, kept by Fyne per user.
const (
	// prefExportASCII writes non-ASCII text as LaTeX on export, for old BibTeX toolchains.
	prefExportASCII   = "export.ascii"
	prefExportDialect = "export.dialect" // dialectChoice
	prefExportFolder  = "export.folder"
	prefImportFolder  = "import.folder"
	prefDuplicates    = "import.duplicates" // duplicatesChoice
	prefKeyPattern    = "keys.pattern"
	prefEmail         = "lookup.email" // sent to Crossref and NCBI, which ask for a contact
	prefKeepPDFs      = "pdf.keep"
	prefPDFFolder     = "pdf.folder" // where Add from PDF… last found a PDF     // PDFs added as papers: "copy" (the default) or "link"
	prefCiteCommand   = "cite.command"
	prefFontScale     = "view.scale"
	prefAppearance    = "view.appearance" // appearanceChoice
	prefFolded        = "sidebar.folded"  // the ids of the sidebar's folded sections
	prefKeywordTags   = "import.keywords" // keywordsChoice
)

// firstPage is how many rows a search reads at once; the list reads the rest as it scrolls.
const firstPage = pageRows

// UI is the main window.
type UI struct {
	app fyne.App
	lib Library
	win fyne.Window

	// inDialog names the widgets of the dialog shown last for the probe (see ServeProbe):
	// buttons by their text, and the labels whose text it reports.
	inDialog map[string]fyne.CanvasObject

	sidebar  *sidebar
	list     *entryList
	results  *results
	imports  *importFlow
	adds     *addFlow
	exports  *exportFlow
	papers   *paperView
	detail   *entryPane
	checks   *checkView      // the Check Library view, under the list while it is open
	kept     *keptFiles      // the .bib files kept in sync
	follow   *follower       // shows the changes others make to the library; nil: none are
	shared   *sharedView     // the state line of a shared library, hidden for a library file
	listArea *fyne.Container // holds the list, or the list above the Check Library view
	search   *searchField
	dialogs  *dialogStack
	status   *statusLine

	// The fields below are used on the UI goroutine only.
	pending      int // changes queued on the work queue and not yet shown
	indexingLeft int // entries being indexed for search (searchIndexer)
	history      history
	lastReport   *storage.Report // of the newest import, for File › Show Last Import Report
	asciiItem    *fyne.MenuItem
	// copyItem is Library › Copy to Shared Library…, which a replica's window leaves out
	// (sharedView.attach): libraryMenu holds it.
	copyItem    *fyne.MenuItem
	libraryMenu *fyne.Menu

	work    *workQueue // every call that writes to the library, and the reads that must follow them
	indexer *searchIndexer

	// connect, when set, has another library shown in place of this one (File › Connect to
	// Shared Library…): the window's Run opens it, shows its window and closes this one, and
	// next is then that window's UI (the probe answers for it), onClosed what closes this
	// window's library once its last change is written. On the UI goroutine.
	connect func(library string, srv *shared.Server)
	// copyTo, when set, copies the library shown to a new shared library on the server
	// (shared.Copy, which reads the library file itself): Library › Copy to Shared Library….
	// Off the UI goroutine.
	copyTo func(ctx context.Context, srv *shared.Server) (shared.Copied, error)
	// copying says a copy to a shared library is under way: another waits for its end.
	copying  bool
	next     *UI
	onClosed func()
	// shown is the library the window shows, as Library › Libraries… names it (LibraryName).
	shown string

	// revealNext asks the next result of the list to scroll to the selection: papers just
	// added or imported. On the UI goroutine.
	revealNext bool
	loadedOnce sync.Once
	loaded     chan struct{} // closed when the first list and sidebar have reached the widgets
}

// New builds the main window over lib. It does not show it.
func New(a fyne.App, lib Library) *UI {
	u := &UI{app: a, lib: lib, loaded: make(chan struct{}), work: newWorkQueue(), indexer: newSearchIndexer()}
	a.SetIcon(assets.Icon)
	// Quitting other than by File › Quit (the session ending, say) skips the window's close: the
	// indexing for search must not go on into a library being closed, nor show anything once
	// the app has stopped.
	a.Lifecycle().SetOnStopped(u.indexer.cancel)
	applyScale(a)
	u.win = a.NewWindow(windowTitle(lib.Path()))
	u.dialogs = &dialogStack{}
	u.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) { u.dialogs.typedKey(ev) })
	u.win.SetIcon(assets.Icon)

	u.sidebar = newSidebar(u.onSidebar)
	u.sidebar.lib = lib
	u.sidebar.failed = func(err error) { u.status.SetText("Could not read the sidebar: " + err.Error()) }
	u.sidebar.onRead = u.markLoaded
	// Sections folded stay folded in the next window.
	u.sidebar.fold(a.Preferences().StringList(prefFolded))
	u.sidebar.onFold = func(ids []string) { a.Preferences().SetStringList(prefFolded, ids) }
	u.list = newEntryList(a.Preferences())
	u.results = newResults(lib, u.list)
	u.papers = newPaperView(lib, u.win, func(d dialog.Dialog) { u.dialogs.show(d) })
	u.papers.changed = u.results.reload
	u.papers.probe = u.probeDialog
	u.results.where = u.where
	u.results.say = func(text string) { u.status.SetText(text) }
	u.results.note = u.indexingNote
	u.results.shown = u.onResult
	u.list.onSelect = func(keys []string) { u.detail.showKeys(keys) }
	u.list.onActivate = func() { u.detail.edit() }
	u.list.onDelete = u.onTrash
	u.list.onShortcut = u.listShortcut
	u.list.onDrag = func() {
		u.status.SetText(fmt.Sprintf("Drop %s on a collection, a tag, Starred or the Trash", rowsText(len(u.list.selection()))))
	}
	u.list.onDrop = u.onDropEntries
	u.list.onMenu = u.rowMenu
	u.sidebar.onMenu = u.sideMenu
	u.detail = newEntryPane(u)
	u.imports = &importFlow{lib: lib, prefs: a.Preferences(), win: u.win, dialogs: u.dialogs, probe: u.probeDialog,
		say: func(text string) { u.status.SetText(text) }, into: u.viewedCollection, finished: u.importFinished}
	u.adds = &addFlow{lib: lib, pdfLib: lib, prefs: a.Preferences(), win: u.win, dialogs: u.dialogs, probe: u.probeDialog,
		say: func(text string) { u.status.SetText(text) }, into: u.viewedCollection, finished: u.addFinished,
		pdfs: lib, attached: u.pdfsAttached}
	u.imports.identifiers = u.adds.onAdd
	u.adds.compare = func(targets []refreshTarget) { u.updateFromRegistry(targets, 0) }
	u.exports = &exportFlow{lib: lib, prefs: a.Preferences(), win: u.win, dialogs: u.dialogs, work: u.work,
		say: func(text string) { u.status.SetText(text) }, list: u.exportOptions, selection: u.list.selection, where: u.sidebar.current}
	u.search = newSearchField(u.toResults)
	u.search.tags = u.sidebar.tagNames
	u.search.SetPlaceHolder(`Search: words, "phrase", -word, author:, year:2019.., tag:…`)
	u.search.OnChanged = u.results.setQuery
	u.status = newStatusLine("Opening library…")
	u.kept = newKeptFiles(u)

	toolbar := widget.NewToolbar(
		widget.NewToolbarAction(theme.ContentAddIcon(), u.onNewEntry),
		widget.NewToolbarAction(theme.SearchIcon(), func() { u.adds.onAdd("") }),
		widget.NewToolbarAction(theme.FolderOpenIcon(), u.imports.onImport),
		widget.NewToolbarAction(theme.ContentPasteIcon(), u.onPaste),
		widget.NewToolbarAction(theme.DocumentSaveIcon(), u.exports.onExport),
		widget.NewToolbarSeparator(),
		widget.NewToolbarAction(theme.ContentCopyIcon(), u.onCopyCitation),
		widget.NewToolbarAction(theme.DeleteIcon(), u.onTrash),
	)
	u.checks = u.newChecks()
	u.listArea = container.NewStack(u.list.view)
	u.papers.importBibs = func(f *bib.File) {
		u.imports.running++
		go func() {
			defer fyneDo(func() { u.imports.running-- })
			u.imports.importParsed(f.Name, f)
		}()
	}
	// The paper's bar goes after the list in the container, so that Tab goes from the search
	// field to the list still.
	u.papers.holder = container.NewBorder(u.papers.bar, nil, nil, nil, u.listArea)
	// The warning stays beside the status line while a kept .bib file could not be written:
	// the status line itself says the list's count again after each reload.
	u.shared = newSharedView(u)
	statusRow := container.New(statusRowLayout{}, u.status, u.shared.label, u.kept.warn)
	u.shared.label.row, u.status.row = statusRow, statusRow
	centre := container.New(listLayout{}, u.search, u.papers.holder, toolbar, statusRow)
	right := container.NewHSplit(u.search.withSuggestions(centre), u.detail.content)
	main := container.NewHSplit(u.sidebar.content, right)
	u.win.SetContent(keepPaneWidths(main, right))
	u.win.SetMainMenu(u.menu())
	u.win.SetOnDropped(u.onDropped)
	u.win.SetCloseIntercept(u.onClose)
	u.win.Resize(fyne.NewSize(1280, 800))
	u.follow = newFollower(u)
	u.follow.start()
	u.results.reload()
	u.sidebar.refresh()
	// What an earlier session left to index for search (it was closed, or stopped, first).
	u.indexForSearch()
	u.kept.start()
	return u
}

// onSearchHelp shows what the search field understands.
func (u *UI) onSearchHelp() {
	text := widget.NewLabelWithStyle(storage.QuerySyntax, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	var d *dialog.CustomDialog
	close := widget.NewButton("Close", func() { d.Hide() })
	u.probeDialog(close)
	d = dialog.NewCustomWithoutButtons("Search Syntax", container.NewBorder(nil, container.NewCenter(close), nil, nil, container.NewScroll(text)), u.win)
	// As wide as the text, when the window allows.
	win := u.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(text.MinSize().Width+4*theme.Padding()+40, win.Width-40), min(text.MinSize().Height+160, win.Height-40)))
	u.dialogs.show(d)
}

// The window's size when it was last closed, which the next start without --size takes, as
// JabRef and Zotero keep theirs.
const (
	prefWindowWidth  = "window.width"
	prefWindowHeight = "window.height"
)

// keepWindowSize notes the size of a window that closes.
func keepWindowSize(p fyne.Preferences, s fyne.Size) {
	if s.Width >= minWindowWidth && s.Height >= minWindowHeight {
		p.SetFloat(prefWindowWidth, float64(s.Width))
		p.SetFloat(prefWindowHeight, float64(s.Height))
	}
}

// lastWindowSize is the size a window had when it was last closed; 1280x800 before the first.
func lastWindowSize(p fyne.Preferences) fyne.Size {
	w, h := p.FloatWithFallback(prefWindowWidth, 1280), p.FloatWithFallback(prefWindowHeight, 800)
	return fyne.NewSize(max(float32(w), minWindowWidth), max(float32(h), minWindowHeight))
}

// The smallest window size kept, as --size takes it.
const (
	minWindowWidth  = 200
	minWindowHeight = 150
)

// windowTitle names the library a window shows: its file, the home folder written ~.
func windowTitle(path string) string {
	if path == "" {
		return "Bibshelf"
	}
	path = homeShort(path)
	return filepath.Base(path) + " (" + filepath.Dir(path) + ") — Bibshelf"
}

// homeShort is path as it is shown: a path inside the home folder starts with ~.
func homeShort(path string) string {
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		if rel, err := filepath.Rel(home, path); err == nil && !strings.HasPrefix(rel, "..") && !filepath.IsAbs(rel) {
			return filepath.Join("~", rel)
		}
	}
	return path
}

// toResults moves the focus from the search field to the list, on its first row, selected
// unless the list's selection is already among the results.
func (u *UI) toResults() {
	if u.list.total == 0 {
		return
	}
	u.win.Canvas().Focus(u.list.table)
	if u.list.cursor < 0 || len(u.list.selection()) == 0 {
		u.list.move(-u.list.total, false)
	}
}

// listLayout places the search field, with the toolbar at its right, above the list, and the
// status line below it. Its objects are the search field, the list, the toolbar and the status
// line: the order in which Tab moves the focus, so that Tab in the search field goes to the list.
type listLayout struct{}

func (listLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	search, list, tools, status := objs[0], objs[1], objs[2], objs[3]
	pad := theme.Padding()
	toolsWidth := tools.MinSize().Width
	top := max(search.MinSize().Height, tools.MinSize().Height)
	search.Move(fyne.NewPos(0, 0))
	search.Resize(fyne.NewSize(size.Width-toolsWidth-pad, top))
	tools.Move(fyne.NewPos(size.Width-toolsWidth, 0))
	tools.Resize(fyne.NewSize(toolsWidth, top))
	bottom := status.MinSize().Height
	status.Move(fyne.NewPos(0, size.Height-bottom))
	status.Resize(fyne.NewSize(size.Width, bottom))
	list.Move(fyne.NewPos(0, top+pad))
	list.Resize(fyne.NewSize(size.Width, size.Height-top-bottom-2*pad))
}

func (listLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	search, list, tools, status := objs[0].MinSize(), objs[1].MinSize(), objs[2].MinSize(), objs[3].MinSize()
	pad := theme.Padding()
	return fyne.NewSize(max(search.Width+pad+tools.Width, list.Width, status.Width),
		max(search.Height, tools.Height)+pad+list.Height+pad+status.Height)
}

// statusLine is the status line under the list: a label whose row is laid out again when its
// text changes, since the room of the state line beside it depends on its text.
type statusLine struct {
	widget.Label
	row *fyne.Container // the status row (statusRowLayout)
}

func newStatusLine(text string) *statusLine {
	l := &statusLine{}
	l.Text, l.Truncation = text, fyne.TextTruncateEllipsis
	l.ExtendBaseWidget(l)
	return l
}

// SetText shows text, and places the state line beside it again.
func (l *statusLine) SetText(text string) {
	if text == l.Text {
		return
	}
	l.Label.SetText(text)
	if l.row != nil {
		l.row.Refresh()
	}
}

// textWidth is the width a label takes to show its whole text, rounded up to a pixel (Fyne's
// ellipsis measures its room in whole pixels, rounded down).
func textWidth(l *widget.Label) float32 {
	text := fyne.MeasureText(l.Text, theme.TextSize(), l.TextStyle)
	return float32(math.Ceil(float64(text.Width))) + 2*theme.InnerPadding()
}

// statusRowLayout places the status line at the left of the status row, and at its right the
// shared library's state line and the warning of a kept file: the state line as wide as its
// text when the row allows beside the status line's, else as wide as the status line's text
// leaves it, and at least stateShare of the row (or its text's width), cut with an ellipsis
// (clicked, it still shows what it names). Its minimum width is that of the ellipses: a long state line
// ("1 change refused: you may only read (click here)") no longer widens the window, nor
// squeezes the sidebar and the list, as the row's Border layout did, which took its whole text.
// Its objects are the status line, the state line and the warning.
type statusRowLayout struct{}

// stateShare is the share of the status row the state line keeps when both texts do not fit.
const stateShare = 0.6

func (statusRowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	status, state, warn := objs[0].(*statusLine), objs[1].(*stateLine), objs[2]
	pad := theme.Padding()
	x := size.Width
	if warn.Visible() {
		w := warn.MinSize().Width
		x -= w
		warn.Move(fyne.NewPos(x, 0))
		warn.Resize(fyne.NewSize(w, size.Height))
		x -= pad
	}
	if state.Visible() {
		w := max(min(state.naturalWidth(), max(x-pad-textWidth(&status.Label), size.Width*stateShare)), state.MinSize().Width)
		x -= w
		state.Move(fyne.NewPos(x, 0))
		state.Resize(fyne.NewSize(w, size.Height))
		x -= pad
	}
	status.Move(fyne.NewPos(0, 0))
	status.Resize(fyne.NewSize(max(x, 0), size.Height))
}

func (statusRowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		if o.Visible() {
			m := o.MinSize()
			s = fyne.NewSize(s.Width+m.Width+theme.Padding(), max(s.Height, m.Height))
		}
	}
	return s
}

// Window returns the main window.
func (u *UI) Window() fyne.Window { return u.win }

// menuItem makes a menu item with a shortcut, which also works when the menu bar is not shown
// (as in the test driver). While a dialog is open its action does nothing: a shortcut would
// otherwise open a second dialog over the first, or act behind it.
func (u *UI) menuItem(label string, sc *desktop.CustomShortcut, action func()) *fyne.MenuItem {
	return u.item(label, sc, func() {
		if !u.dialogOpen() {
			action()
		}
	})
}

// textItem is menuItem for an action whose shortcut a text field also uses (Ctrl+C, Ctrl+Z,
// Ctrl+A): the main menu sees such a shortcut first, so it is passed on to the text field that
// has the focus, in a dialog too.
//
// With no widget focused (after a click on the window's background, or once a dialog closed),
// Fyne types its own shortcut (Undo, not Ctrl+Z) to the window, which no menu item's shortcut
// matches: the window takes that one for the item too.
func (u *UI) textItem(label string, sc *desktop.CustomShortcut, text fyne.Shortcut, action func()) *fyne.MenuItem {
	u.win.Canvas().AddShortcut(text, func(fyne.Shortcut) {
		if !u.dialogOpen() {
			action()
		}
	})
	return u.item(label, sc, func() {
		if f, ok := u.win.Canvas().Focused().(fyne.Shortcutable); ok {
			if _, isList := f.(*entryTable); !isList {
				f.TypedShortcut(text)
				return
			}
		}
		if !u.dialogOpen() {
			action()
		}
	})
}

func (u *UI) item(label string, sc *desktop.CustomShortcut, action func()) *fyne.MenuItem {
	it := fyne.NewMenuItem(label, action)
	if sc != nil {
		it.Shortcut = sc
		u.win.Canvas().AddShortcut(sc, func(fyne.Shortcut) { action() })
	}
	return it
}

// quitItem is File › Quit, with Ctrl+Q as JabRef's and Zotero's have it: the window closes as
// its close button closes it (saving, and asking first while an import runs). Fyne's own Quit,
// which it adds when the menu has none, has no shortcut on Linux and Windows.
func (u *UI) quitItem() *fyne.MenuItem {
	it := u.item("Quit", shortcutQuit, u.onClose)
	it.IsQuit = true
	return it
}

// dialogOpen reports whether a dialog is on top of the window.
func (u *UI) dialogOpen() bool {
	top, ok := u.win.Canvas().Overlays().Top().(*widget.PopUp)
	return ok && top.Visible()
}

func (u *UI) menu() *fyne.MainMenu {
	ascii := fyne.NewMenuItem("Export Non-ASCII as LaTeX", nil)
	ascii.Checked = u.app.Preferences().Bool(prefExportASCII)
	ascii.Action = func() {
		ascii.Checked = !ascii.Checked
		u.app.Preferences().SetBool(prefExportASCII, ascii.Checked)
	}
	u.asciiItem = ascii
	clip := u.app.Clipboard()
	acts := u.selectionActions()
	file := fyne.NewMenu("File",
		u.menuItem("New Entry…", shortcutNew, u.onNewEntry),
		fyne.NewMenuItemSeparator(),
		u.menuItem("Add by Identifier…", shortcutAddByID, func() { u.adds.onAdd("") }),
		u.menuItem("Add from PDF…", nil, u.adds.onAddPDF),
		u.menuItem("Add PDFs from Folder…", nil, u.adds.onAddPDFFolder),
		u.menuItem("Import…", shortcutImport, u.imports.onImport),
		u.menuItem("Import Folder…", nil, u.imports.onImportFolder),
		u.menuItem("Open Paper…", nil, u.onOpenPaper),
		u.menuItem("Paste References", shortcutPaste, u.onPaste),
		u.menuItem("Show Last Import Report", nil, u.onLastReport),
		fyne.NewMenuItemSeparator(),
		u.menuItem("Export List…", shortcutExport, u.exports.onExport),
		u.actionItem(acts.exportSelection),
		u.menuItem("Export Library…", nil, func() { u.exports.export(exportLibrary) }),
		ascii,
		fyne.NewMenuItemSeparator(),
		u.menuItem("Keep a .bib in Sync…", nil, u.kept.keepSelected),
		u.menuItem("Kept .bib Files…", nil, u.kept.show),
		fyne.NewMenuItemSeparator(),
		u.menuItem("Preferences…", shortcutPrefs, u.onPreferences),
		fyne.NewMenuItemSeparator(),
		u.quitItem(),
	)
	// The library as a whole: which one the window shows, and what organises it.
	u.copyItem = u.menuItem("Copy to Shared Library…", nil, u.onCopyShared)
	library := fyne.NewMenu("Library",
		u.menuItem("Libraries…", nil, u.onLibraries),
		u.menuItem("Open Library File…", nil, u.onOpenLibraryFile),
		u.menuItem("New Library File…", nil, u.onNewLibraryFile),
		u.menuItem("Connect to Shared Library…", nil, u.onConnectShared),
		u.copyItem,
		fyne.NewMenuItemSeparator(),
		u.menuItem("New Collection…", nil, func() { u.onNewCollection(nil) }),
		u.menuItem("Save Search…", nil, u.onSaveSearch),
		fyne.NewMenuItemSeparator(),
		u.menuItem("Find Duplicates…", nil, u.onFindDuplicates),
		u.menuItem("Check Library", nil, u.onCheckLibrary),
	)
	u.libraryMenu = library
	edit := fyne.NewMenu("Edit",
		u.textItem("Undo", shortcutUndo, &fyne.ShortcutUndo{}, u.onUndo),
		u.textItem("Redo", shortcutRedo, &fyne.ShortcutRedo{}, u.onRedo),
		fyne.NewMenuItemSeparator(),
		u.textItem(acts.copyCite.label, acts.copyCite.sc, &fyne.ShortcutCopy{Clipboard: clip}, acts.copyCite.do),
		u.actionItem(acts.copyBibTeX),
		u.actionItem(acts.copyKey),
		fyne.NewMenuItemSeparator(),
		u.textItem("Select All", shortcutSelectAll, &fyne.ShortcutSelectAll{}, u.list.selectAll),
		u.actionItem(acts.duplicate),
		u.actionItem(acts.trash),
		u.actionItem(acts.restore),
		u.menuItem("Empty Trash…", nil, u.onEmptyTrash),
	)
	entry := fyne.NewMenu("Entry",
		u.actionItem(acts.addTag),
		u.actionItem(acts.star),
		u.actionItem(acts.read),
		fyne.NewMenuItemSeparator(),
		u.menuItem(acts.edit.label+" (Enter in the list)", nil, acts.edit.do),
		u.actionItem(acts.update),
	)
	view := fyne.NewMenu("View",
		u.menuItem("Find", shortcutFind, func() { u.win.Canvas().Focus(u.search) }),
		fyne.NewMenuItem("Columns", nil),
	)
	view.Items[1].ChildMenu = u.list.columnMenu()
	help := fyne.NewMenu("Help",
		u.menuItem("Search Syntax", nil, u.onSearchHelp),
	)
	return fyne.NewMainMenu(file, library, edit, entry, view, help)
}

// action is something the window does to the selected entries, which the main menu and a
// row's menu both offer: its label and shortcut are defined once (selectionActions).
type action struct {
	label string
	sc    *desktop.CustomShortcut // nil for none
	do    func()
}

// selectionActions are the actions on the selected entries.
type selectionActions struct {
	edit, copyCite, copyBibTeX, copyKey, addTag, star, read, update, exportSelection, duplicate, trash, restore action
}

func (u *UI) selectionActions() selectionActions {
	return selectionActions{
		edit:            action{"Edit Fields", nil, func() { u.detail.edit() }},
		copyCite:        action{"Copy Citation", shortcutCopyCite, u.onCopyCitation},
		copyBibTeX:      action{"Copy BibTeX", shortcutCopyBibTeX, u.onCopyBibTeX},
		copyKey:         action{"Copy Key", shortcutCopyKey, u.onCopyKey},
		addTag:          action{"Add Tag…", shortcutAddTag, u.onAddTag},
		star:            action{"Star or Unstar", shortcutStar, u.onToggleStar},
		read:            action{"Mark Read or Unread", shortcutRead, u.onToggleRead},
		update:          action{"Update from Registry…", shortcutUpdate, u.onUpdateFromRegistry},
		exportSelection: action{"Export Selection…", nil, func() { u.exports.export(exportSelection) }},
		duplicate:       action{"Duplicate Entry", shortcutDuplicate, u.onDuplicateEntry},
		trash:           action{"Move to Trash", shortcutTrash, u.onTrash},
		restore:         action{"Restore from Trash", nil, u.onRestore},
	}
}

// actionItem is the main menu's item of a: its shortcut works (menuItem).
func (u *UI) actionItem(a action) *fyne.MenuItem { return u.menuItem(a.label, a.sc, a.do) }

// shownItem is a row menu's item of a: its shortcut is shown, the main menu's item making it
// work.
func (a action) shownItem() *fyne.MenuItem {
	it := fyne.NewMenuItem(a.label, a.do)
	if a.sc != nil {
		it.Shortcut = a.sc
	}
	return it
}

// rowMenu is the menu a secondary click on a row of the list shows: what the Edit and Entry
// menus do to the selection, in the Trash its restoring.
func (u *UI) rowMenu() *fyne.Menu {
	acts := u.selectionActions()
	trash := acts.trash
	if u.sidebar.current().kind == kindTrash {
		trash = acts.restore
	}
	return fyne.NewMenu("",
		acts.edit.shownItem(),
		fyne.NewMenuItemSeparator(),
		acts.copyCite.shownItem(),
		acts.copyBibTeX.shownItem(),
		acts.copyKey.shownItem(),
		fyne.NewMenuItemSeparator(),
		acts.addTag.shownItem(),
		acts.star.shownItem(),
		acts.read.shownItem(),
		u.addToCollectionItem(),
		acts.update.shownItem(),
		fyne.NewMenuItemSeparator(),
		acts.exportSelection.shownItem(),
		acts.duplicate.shownItem(),
		trash.shownItem(),
	)
}

// addToCollectionItem is the row menu's Add to Collection, whose menu lists the sidebar's
// collections, nested ones by their path.
func (u *UI) addToCollectionItem() *fyne.MenuItem {
	var colls []*fyne.MenuItem
	for _, it := range u.sidebar.items {
		if c, ok := u.sidebar.collection(it.id); ok && it.kind == kindCollection {
			colls = append(colls, fyne.NewMenuItem(strings.Join(c.Path, " › "), func() { u.addToCollection(c, u.list.selection()...) }))
		}
	}
	add := fyne.NewMenuItem("Add to Collection", nil)
	if len(colls) == 0 {
		add.Disabled = true
	} else {
		add.ChildMenu = fyne.NewMenu("", colls...)
	}
	return add
}

// listShortcut runs the window's action for a shortcut typed in the list.
func (u *UI) listShortcut(s fyne.Shortcut) bool {
	switch s.(type) {
	case *fyne.ShortcutCopy:
		u.onCopyCitation()
	case *fyne.ShortcutUndo:
		u.onUndo()
	case *fyne.ShortcutRedo:
		u.onRedo()
	case *fyne.ShortcutSelectAll:
		u.list.selectAll()
	default:
		return false
	}
	return true
}

// onClose saves what is being edited (the field with the focus, the note) and closes the window
// once every change has reached the library; while an import runs it asks first.
func (u *UI) onClose() {
	if u.imports.running > 0 || u.adds.running > 0 {
		// An import is one transaction: closing now leaves nothing of it. Say so first.
		u.dialogs.show(dialog.NewConfirm("Close While Importing?",
			"An import, an addition of papers or a download of PDFs is still running. Closing now leaves the file being imported out of the library (papers already added, and PDFs already attached, stay).",
			func(ok bool) {
				if ok {
					u.close()
				}
			}, u.win))
		return
	}
	u.close()
}

// close saves and closes (see onClose).
func (u *UI) close() {
	u.win.Canvas().Unfocus() // a field editor hands its value over when it loses the focus
	keepWindowSize(u.app.Preferences(), u.win.Canvas().Size())
	u.detail.notes.flush()
	u.papers.showPaper("") // its files are looked at no more
	u.status.SetText("Saving…")
	go func() {
		u.StopIndexing() // what is left is indexed at the next start
		u.follow.stop()
		u.Wait()
		u.kept.stop() // the last changes written to the files kept in sync
		u.adds.reader.close()
		if u.onClosed != nil {
			u.onClosed()
		}
		fyneDo(u.win.Close)
	}()
}

// Wait returns once the changes asked for so far have reached the library, and the entries
// imported so far are indexed for search. It must not be called on the UI goroutine.
func (u *UI) Wait() {
	u.work.wait()
	u.indexer.wait()
}

// onDropped imports dropped files of references (.bib, .nbib...: formats.Extensions), opens
// dropped papers (.tex, .aux, .bcf) and attaches other files to the selected entry.
func (u *UI) onDropped(at fyne.Position, uris []fyne.URI) {
	var bibs, pdfs, papers, files []string
	onEntry := u.overEntryPane(at)
	for _, uri := range uris {
		if uri.Scheme() != "file" {
			continue
		}
		switch {
		case isPaperName(uri) && !onEntry:
			papers = append(papers, uri.Path())
		case importable(uri):
			bibs = append(bibs, uri.Path())
		case isPDFName(uri) && !onEntry:
			pdfs = append(pdfs, uri.Path())
		default:
			files = append(files, uri.Path())
		}
	}
	if len(bibs) > 0 {
		u.imports.importFiles(bibs)
	}
	if len(pdfs) > 0 {
		u.adds.addPDFs(pdfs)
	}
	if len(papers) > 0 {
		u.openPapers(papers)
	}
	if len(files) > 0 {
		if u.detail.entry == nil || len(u.list.selection()) != 1 {
			u.dialogs.show(dialog.NewInformation("Attach files", "Select one entry, then drop files onto the window to attach them to it.", u.win))
			return
		}
		u.detail.tabs.SelectIndex(3)
		u.detail.files.add(files)
	}
}

// overEntryPane reports whether a point of the window (a drop) is on the entry pane while it
// shows one entry: PDFs dropped there are attached to that entry, as other files are; dropped
// anywhere else they are added as papers.
func (u *UI) overEntryPane(at fyne.Position) bool {
	if u.detail.entry == nil || len(u.list.selection()) != 1 {
		return false
	}
	d := u.app.Driver()
	o := u.detail.content
	pos, size := d.AbsolutePositionForObject(o), o.Size()
	return at.X >= pos.X && at.Y >= pos.Y && at.X < pos.X+size.Width && at.Y < pos.Y+size.Height
}

func (u *UI) onSidebar(it sideItem) {
	path, _ := paperPath(it)
	u.papers.showPaper(path)
	u.results.reload()
}

// where returns the sidebar's selection as the list shows it: a paper's row selects the
// entries it cites that the library has.
func (u *UI) where() sideItem {
	it := u.sidebar.current()
	if it.kind == kindPaper {
		it.filter.Keys = u.papers.keys()
	}
	return it
}

// onResult shows in the entry pane what a new result of the list means: nothing selected any
// more, an empty library, or a search that found nothing. Call it on the UI goroutine.
func (u *UI) onResult(r shownResult) {
	defer func() { u.revealNext = false }()
	if r.err == nil {
		if !r.keep {
			u.detail.showKeys(nil)
		}
		if u.revealNext && r.keep {
			u.list.revealSelection()
		}
		switch {
		case r.trash:
		case r.total == 0:
			u.detail.showMessage("The library is empty.\n\nImport a .bib file (or RIS, CSL-JSON, PubMed .nbib, EndNote XML) with File › Import… (" +
				shortcutText(shortcutImport) + "), paste BibTeX or RIS with " + shortcutText(shortcutPaste) +
				", add papers by DOI or arXiv id with File › Add by Identifier… (" + shortcutText(shortcutAddByID) +
				"), drop .bib files or papers' PDFs onto the window, or make a new entry with " + shortcutText(shortcutNew) + ".")
		case r.matches == 0:
			u.detail.showMessage(nothingMatches(u.sidebar.current(), u.results.query))
		}
	}
	u.markLoaded()
}

// markLoaded closes loaded once the list and the sidebar have both been shown, so that a
// screenshot never catches one without the other. Call it on the UI goroutine.
func (u *UI) markLoaded() {
	if u.results.listShown > 0 && u.sidebar.shownGen > 0 {
		u.loadedOnce.Do(func() { close(u.loaded) })
	}
}

func trashStatusText(n int, search string, took time.Duration) string {
	s := fmt.Sprintf("%s in the trash · %s", rowsText(n), took.Round(time.Millisecond))
	if strings.TrimSpace(search) != "" {
		s += " (the search does not look in the trash)"
	}
	return s
}

// nothingMatches says that a search found nothing, and where it looked: in the sidebar's
// selection, which an entry must be in too.
func nothingMatches(where sideItem, query string) string {
	if where.id == idLibrary || where.label == "" {
		return fmt.Sprintf("Nothing in the library matches %q.\n\nFewer words find more; Help › Search Syntax lists what the search understands.", query)
	}
	if where.kind == kindPaper {
		if query == "" {
			return fmt.Sprintf("The library has none of the entries %s cites.", where.label)
		}
		return fmt.Sprintf("Nothing %s cites matches %q: the search looks only there.\n\nSelect Library in the sidebar to search everything.", where.label, query)
	}
	name := where.label
	if kind := map[itemKind]string{kindTag: "the tag", kindCollection: "the collection", kindSaved: "the saved search"}[where.kind]; kind != "" {
		name = kind + " " + name
	}
	if query == "" {
		return fmt.Sprintf("Nothing is in %s.", name)
	}
	return fmt.Sprintf("Nothing in %s matches %q: the search looks only there.\n\nSelect Library in the sidebar to search everything.", name, query)
}

// statusText says how many entries match a filter or query (filtered), or how many the
// library has; matches is -1 while they are being counted.
func statusText(matches, total int, filtered bool, took time.Duration) string {
	if matches < 0 {
		return fmt.Sprintf("%s+ of %s entries · counting…", thousands(firstPage), thousands(total))
	}
	if !filtered {
		return plural(total, "entry", "entries")
	}
	return fmt.Sprintf("%s of %s · %s", thousands(matches), plural(total, "entry", "entries"), took.Round(time.Millisecond))
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Tabs of the entry pane, for Reveal.
var tabNames = []string{"info", "notes", "bibtex", "attachments"}

// Reveal selects an entry and shows one tab of the entry pane ("info", "notes", "bibtex" or
// "attachments"), as bibshelf --select does. Call it on the UI goroutine.
func (u *UI) Reveal(key, tab string) error {
	i := slices.Index(tabNames, strings.ToLower(tab))
	if tab != "" && i < 0 {
		return fmt.Errorf("no tab %q: want one of %s", tab, strings.Join(tabNames, ", "))
	}
	u.list.selectKeys(key)
	if i >= 0 {
		u.detail.tabs.SelectIndex(i)
	}
	return nil
}

// Loaded is closed once the first list of entries has reached the window.
func (u *UI) Loaded() <-chan struct{} { return u.loaded }

// settled reports whether the newest reload and sidebar refresh have both been shown. Call it
// on the UI goroutine.
func (u *UI) settled() bool {
	return u.results.idle() && u.imports.running == 0 && u.adds.running == 0 && u.sidebar.idle() && u.pending == 0 && u.detail.idle() && u.checks.idle() && u.papers.idle()
}

// Rows returns how many entries the list shows. Call it on the UI goroutine.
func (u *UI) Rows() int { return u.list.rowCount() }
