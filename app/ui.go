// Package app is Bibshelf's window: every line of Fyne code lives here.
//
// Each pane is a struct holding its widgets, with onX methods as callbacks. The library is reached
// through the small Library interface below; all of its calls run off the UI goroutine and their
// results reach widgets through fyne.Do. It must not import database/sql or know about SQLite.
package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/assets"
	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// Library is what the window needs from a library.
type Library interface {
	Count(ctx context.Context) (int, error)
	CountMatches(ctx context.Context, query string) (int, error)
	SearchWith(ctx context.Context, opts storage.SearchOptions) ([]storage.Row, error)
	Entry(ctx context.Context, key string) (*bib.Entry, error)
	ImportWith(ctx context.Context, f *bib.File, opts storage.ImportOptions) (storage.Report, error)
	Export(ctx context.Context, w io.Writer, opts storage.ExportOptions) (int, error)
	Tags(ctx context.Context) ([]storage.Tag, error)
	Collections(ctx context.Context) ([]storage.Collection, error)
	SavedSearches(ctx context.Context) ([]storage.SavedSearch, error)
	Trashed(ctx context.Context, offset, limit int) ([]storage.Row, error)
}

var (
	shortcutImport = desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutExport = desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutFind   = desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
)

// prefExportASCII is the preference that writes non-ASCII text as LaTeX on export, for old
// BibTeX toolchains.
const prefExportASCII = "export.ascii"

// pageSize is how many rows of a search the list holds.
const pageSize = 5000

// UI is the main window.
type UI struct {
	app fyne.App
	lib Library
	win fyne.Window

	sidebar *sidebar
	list    *entryList
	detail  *entryPane
	search  *widget.Entry
	status  *widget.Label

	// The fields below are used on the UI goroutine only.
	query          string // the search field's text
	generation     int    // of the newest reload; older results are dropped
	sideGeneration int    // of the newest sidebar refresh
	listShown      int    // the generation of the reload last shown
	sideShown      int    // the generation of the sidebar refresh last shown

	loadedOnce sync.Once
	loaded     chan struct{} // closed when the first list and sidebar have reached the widgets
}

// New builds the main window over lib. It does not show it.
func New(a fyne.App, lib Library) *UI {
	u := &UI{app: a, lib: lib, loaded: make(chan struct{})}
	a.SetIcon(assets.Icon)
	u.win = a.NewWindow("Bibshelf")
	u.win.SetIcon(assets.Icon)

	u.sidebar = newSidebar(u.onSidebar)
	u.list = newEntryList(u.onSelect, u.reload)
	u.detail = newEntryPane()
	u.search = widget.NewEntry()
	u.search.SetPlaceHolder(`Search: words, "a phrase", -word, author:, year:2019..2023, tag:, type:, is:unread…`)
	u.search.OnChanged = u.onSearch
	u.status = widget.NewLabel("Opening library…")

	toolbar := widget.NewToolbar(
		widget.NewToolbarAction(theme.FolderOpenIcon(), u.onImport),
		widget.NewToolbarAction(theme.DocumentSaveIcon(), u.onExport),
	)
	top := container.NewBorder(nil, nil, nil, toolbar, u.search)
	centre := container.NewBorder(top, u.status, nil, nil, u.list.table)
	right := container.NewHSplit(centre, u.detail.content)
	right.Offset = 0.7
	main := container.NewHSplit(u.sidebar.content, right)
	main.Offset = 0.2
	u.win.SetContent(main)
	u.win.SetMainMenu(u.menu())
	u.win.Resize(fyne.NewSize(1280, 800))
	u.reload()
	u.refreshSidebar()
	return u
}

// Window returns the main window.
func (u *UI) Window() fyne.Window { return u.win }

func (u *UI) menu() *fyne.MainMenu {
	imp := fyne.NewMenuItem("Import BibTeX…", u.onImport)
	imp.Shortcut = &shortcutImport
	exp := fyne.NewMenuItem("Export BibTeX…", u.onExport)
	exp.Shortcut = &shortcutExport
	ascii := fyne.NewMenuItem("Export Non-ASCII as LaTeX", nil)
	ascii.Checked = u.app.Preferences().Bool(prefExportASCII)
	ascii.Action = func() {
		ascii.Checked = !ascii.Checked
		u.app.Preferences().SetBool(prefExportASCII, ascii.Checked)
	}
	u.win.Canvas().AddShortcut(&shortcutImport, func(fyne.Shortcut) { u.onImport() })
	u.win.Canvas().AddShortcut(&shortcutExport, func(fyne.Shortcut) { u.onExport() })
	u.win.Canvas().AddShortcut(&shortcutFind, func(fyne.Shortcut) { u.win.Canvas().Focus(u.search) })
	return fyne.NewMainMenu(fyne.NewMenu("File", imp, exp, fyne.NewMenuItemSeparator(), ascii))
}

func (u *UI) onSearch(q string) {
	u.query = q
	u.reload()
}

func (u *UI) onSidebar(sideItem) { u.reload() }

// listQuery returns the query of the list: the sidebar's selection and the search field's text,
// both of which must match. Call it on the UI goroutine.
func (u *UI) listQuery() string {
	return strings.TrimSpace(u.sidebar.current().query + " " + u.query)
}

// reload runs the current search off the UI goroutine and shows its result.
func (u *UI) reload() {
	u.generation++
	gen, query := u.generation, u.listQuery()
	search := storage.SearchOptions{Query: query, Sort: u.list.sort, Desc: u.list.desc, Limit: pageSize}
	trash := u.sidebar.current().kind == kindTrash
	go func() {
		ctx := context.Background()
		start := time.Now()
		var rows []storage.Row
		var matches int
		var err error
		if trash {
			rows, err = u.lib.Trashed(ctx, 0, pageSize)
			matches = len(rows)
			if err == nil && matches == pageSize {
				matches, err = countTrash(ctx, u.lib)
			}
		} else {
			rows, err = u.lib.SearchWith(ctx, search)
			matches = len(rows)
			if err == nil && matches == pageSize {
				matches, err = u.lib.CountMatches(ctx, query)
			}
		}
		took := time.Since(start)
		total, cerr := u.lib.Count(ctx)
		if err == nil {
			err = cerr
		}
		fyne.Do(func() {
			if gen != u.generation {
				return // a newer search is on its way
			}
			if err != nil {
				u.status.SetText("Search failed: " + err.Error())
			} else {
				u.list.setRows(rows)
				if trash {
					u.status.SetText(trashStatusText(matches, u.query, took))
				} else {
					u.status.SetText(statusText(matches, total, query, took))
				}
				if total == 0 && !trash {
					u.detail.showMessage("The library is empty.\n\nImport a .bib file with File › Import BibTeX… (Ctrl+O).")
				}
			}
			u.listShown = gen
			u.markLoaded()
		})
	}()
}

// refreshSidebar reads the sidebar's counts, tags, collections and saved searches off the UI
// goroutine and shows them.
func (u *UI) refreshSidebar() {
	u.sideGeneration++
	gen := u.sideGeneration
	go func() {
		d, err := readSidebar(context.Background(), u.lib)
		fyne.Do(func() {
			if gen != u.sideGeneration {
				return
			}
			if err != nil {
				u.status.SetText("Could not read the sidebar: " + err.Error())
			} else {
				u.sidebar.set(d)
			}
			u.sideShown = gen
			u.markLoaded()
		})
	}()
}

// markLoaded closes loaded once the list and the sidebar have both been shown, so that a
// screenshot never catches one without the other. Call it on the UI goroutine.
func (u *UI) markLoaded() {
	if u.listShown > 0 && u.sideShown > 0 {
		u.loadedOnce.Do(func() { close(u.loaded) })
	}
}

func trashStatusText(n int, search string, took time.Duration) string {
	s := fmt.Sprintf("%s entries in the trash · %s", thousands(n), took.Round(time.Millisecond))
	if strings.TrimSpace(search) != "" {
		s += " (the search does not look in the trash)"
	}
	return s
}

func statusText(matches, total int, query string, took time.Duration) string {
	if query == "" {
		return fmt.Sprintf("%s entries", thousands(total))
	}
	return fmt.Sprintf("%s of %s entries · %s", thousands(matches), thousands(total), took.Round(time.Millisecond))
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func (u *UI) onSelect(key string) {
	go func() {
		e, err := u.lib.Entry(context.Background(), key)
		fyne.Do(func() {
			if err != nil {
				u.detail.showMessage("Could not read the entry: " + err.Error())
				return
			}
			u.detail.show(e)
		})
	}()
}

// Loaded is closed once the first list of entries has reached the window.
func (u *UI) Loaded() <-chan struct{} { return u.loaded }

// settled reports whether the newest reload and sidebar refresh have both been shown. Call it
// on the UI goroutine.
func (u *UI) settled() bool {
	return u.listShown == u.generation && u.sideShown == u.sideGeneration
}

// Rows returns how many entries the list holds. Call it on the UI goroutine.
func (u *UI) Rows() int { return len(u.list.rows) }
