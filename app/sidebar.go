package app

import (
	"context"
	"image/color"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage"
)

// itemKind says what a sidebar row is, and so what selecting it does.
type itemKind int

const (
	kindFixed  itemKind = iota // Library, Unread, Starred: a filter
	kindTrash                  // the trash
	kindHeader                 // a section title: selecting it folds the section
	kindTag
	kindCollection
	kindSaved
	kindPaper // a LaTeX paper: the entries it cites
	kindEmpty // a section's explanation when it has nothing to show
)

// sideItem is one row of the sidebar.
type sideItem struct {
	id      string // stable across refreshes, so the selection survives them
	kind    itemKind
	section string // the header id this row is under; "" for the fixed rows
	label   string
	icon    fyne.Resource
	colour  color.Color // a tag's colour; nil when it has none
	depth   int
	count   int // -1 while unknown
	// filter and query are what selecting the row shows: a tag, a collection or a flag by
	// identity, and for a saved search the query its user typed.
	filter storage.Filter
	query  string
}

// sidebarData is what the sidebar shows, read from the library off the UI goroutine.
type sidebarData struct {
	total, unread, starred, trash int
	unfiled, recent               int
	tags                          []storage.Tag
	tagCounts                     map[string]int // parents of tags that are not tags themselves
	collections                   []storage.Collection
	collectionCounts              map[int64]int // with sub-collections, as in:"Name" counts them
	saved                         []storage.SavedSearch
	savedCounts                   []int
	papers                        []storage.Paper
}

// starIcon is drawn here because Fyne's theme has no star.
var starIcon = theme.NewThemedResource(fyne.NewStaticResource("star.svg", []byte(
	`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 17.3l6.2 3.7-1.6-7 5.4-4.7-7.2-.6L12 2 9.2 8.7 2 9.3l5.4 4.7-1.6 7z"/></svg>`)))

// recentFilter is the "Recently added" row's.
var recentFilter = storage.Filter{AddedDays: 7}

const (
	idLibrary     = "library"
	idUnread      = "unread"
	idStarred     = "starred"
	idTrash       = "trash"
	idUnfiled     = "unfiled"
	idRecent      = "recent"
	idTags        = "head:tags"
	idCollections = "head:collections"
	idSaved       = "head:saved"
	idPapers      = "head:papers"
)

// sidebar is the left pane: the library's fixed views, its tags, collections and saved searches.
type sidebar struct {
	content fyne.CanvasObject
	list    *widget.List

	items     []sideItem // every row, folded sections included
	shown     []sideItem // the rows of the open sections
	folded    map[string]bool
	selected  string  // the id of the selected row
	tall      []int   // the rows given extra height, to reset on the next rebuild
	rowHeight float32 // of a one-line row

	collections map[int64]storage.Collection // by id, as last read
	boxes       map[*sideRowBox]int          // the row widgets and the shown row each holds
	also        []string                     // tag rows selected with Ctrl besides the selected one

	lib      sidebarSource
	gen      int                // of the newest refresh
	shownGen int                // the generation of the refresh last shown
	stop     context.CancelFunc // cancels the newest refresh
	failed   func(error)        // a refresh could not read the library
	onRead   func()             // a refresh has reached the widgets, or failed

	onSelect func(sideItem)
	onMenu   func(sideItem) *fyne.Menu
	onFold   func(folded []string) // told the folded sections' ids when one folds or opens
	ctrl     func() bool           // for tests: whether Ctrl is held; nil asks the driver
	quiet    bool                  // set while the sidebar itself selects a row
	// selectNext is the id of a row to select once a refresh shows it: a paper just opened.
	selectNext string
	// showNext is the id of a row to bring into view, its section unfolded, once a refresh shows
	// it, without selecting it: a collection just made, which the list's entries may be dragged
	// onto, below the tags.
	showNext string
}

func newSidebar(onSelect func(sideItem)) *sidebar {
	s := &sidebar{folded: map[string]bool{}, selected: idLibrary, onSelect: onSelect,
		collections: map[int64]storage.Collection{}, boxes: map[*sideRowBox]int{}}
	s.list = widget.NewList(func() int { return len(s.shown) }, func() fyne.CanvasObject { return newSideRow(s) }, s.updateRow)
	s.list.HideSeparators = true
	s.list.OnSelected = s.onSelected
	s.rowHeight = newSideRow(s).MinSize().Height
	title := widget.NewLabelWithStyle("BIBSHELF", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.content = container.NewBorder(title, nil, nil, nil, s.list)
	s.set(nil)
	return s
}

// set rebuilds the rows from data; nil means not read yet, so counts and sections stay blank
// rather than claiming the library has no tags.
func (s *sidebar) set(d *sidebarData) {
	count := func(n int) int {
		if d == nil {
			return -1
		}
		return n
	}
	var total, unread, starred, unfiled, recent, trash int
	if d != nil {
		total, unread, starred, unfiled, recent, trash = d.total, d.unread, d.starred, d.unfiled, d.recent, d.trash
	}
	items := []sideItem{
		{id: idLibrary, kind: kindFixed, label: "Library", icon: theme.StorageIcon(), count: count(total)},
		{id: idUnread, kind: kindFixed, label: "Unread", icon: theme.VisibilityOffIcon(), count: count(unread), filter: storage.Filter{Unread: true}},
		{id: idStarred, kind: kindFixed, label: "Starred", icon: starIcon, count: count(starred), filter: storage.Filter{Starred: true}},
		{id: idUnfiled, kind: kindFixed, label: "Unfiled", icon: theme.FileIcon(), count: count(unfiled), filter: storage.Filter{Unfiled: true}},
		{id: idRecent, kind: kindFixed, label: "Recently added", icon: theme.HistoryIcon(), count: count(recent), filter: recentFilter},
		{id: idTrash, kind: kindTrash, label: "Trash", icon: theme.DeleteIcon(), count: count(trash)},
	}
	items = append(items, sideItem{id: idTags, kind: kindHeader, label: "Tags", count: -1})
	if d != nil {
		items = append(items, tagItems(d)...)
		if len(d.tags) == 0 {
			items = append(items, emptyItem(idTags, "No tags yet — a keywords field becomes tags on import."))
		}
	}
	items = append(items, sideItem{id: idCollections, kind: kindHeader, label: "Collections", count: -1})
	if d != nil {
		clear(s.collections)
		for _, c := range d.collections {
			s.collections[c.ID] = c
			items = append(items, sideItem{
				id: "col:" + strconv.FormatInt(c.ID, 10), kind: kindCollection, section: idCollections,
				label: c.Name, icon: theme.FolderIcon(), depth: len(c.Path) - 1,
				count: d.collectionCounts[c.ID], filter: storage.Filter{Collection: c.ID},
			})
		}
		if len(d.collections) == 0 {
			items = append(items, emptyItem(idCollections, "No collections yet — collections gather entries by hand, and nest."))
		}
	}
	items = append(items, sideItem{id: idSaved, kind: kindHeader, label: "Saved searches", count: -1})
	if d != nil {
		for i, ss := range d.saved {
			items = append(items, sideItem{
				id: "saved:" + ss.Name, kind: kindSaved, section: idSaved,
				label: ss.Name, icon: theme.SearchIcon(), count: d.savedCounts[i], filter: ss.Filter, query: ss.Query,
			})
		}
		if len(d.saved) == 0 {
			items = append(items, emptyItem(idSaved, "No saved searches yet — a saved search keeps a query under a name."))
		}
	}
	items = append(items, sideItem{id: idPapers, kind: kindHeader, label: "Papers", count: -1})
	if d != nil {
		items = append(items, paperItems(d.papers)...)
		if len(d.papers) == 0 {
			items = append(items, emptyItem(idPapers, "No papers yet — File › Open Paper… or drop a .tex, .aux or .bcf file to check what it cites."))
		}
	}
	s.items = items
	s.also = slices.DeleteFunc(s.also, func(id string) bool { return s.find(id) < 0 })
	if next := s.selectNext; d != nil && next != "" && s.find(next) >= 0 {
		s.selectNext = ""
		it := s.items[s.find(next)]
		s.folded[it.section] = false
		s.rebuild()
		s.selectID(next)
		return
	}
	if next := s.showNext; d != nil && next != "" && s.find(next) >= 0 {
		s.showNext = ""
		s.folded[s.items[s.find(next)].section] = false
		s.rebuild()
		s.list.ScrollTo(s.indexShown(next))
	} else {
		s.rebuild()
	}
	if d != nil && s.find(s.selected) < 0 {
		// The selected tag, collection or search is gone: fall back to the whole library.
		s.selected = idLibrary
		s.onSelect(s.items[0])
	}
}

// tagItems lists the tags as a tree. A tag "a/b" whose parent "a" is not itself a tag still
// shows under an "a" row, so that every level can be selected.
func tagItems(d *sidebarData) []sideItem {
	var out []sideItem
	seen := map[string]bool{}
	for _, t := range d.tags {
		parts := strings.Split(t.Name, "/")
		for i := range parts {
			name := strings.Join(parts[:i+1], "/")
			if seen[strings.ToLower(name)] {
				continue
			}
			seen[strings.ToLower(name)] = true
			it := sideItem{
				id: "tag:" + name, kind: kindTag, section: idTags, label: parts[i], depth: i,
				filter: storage.Filter{Tags: []string{name}},
			}
			if name == t.Name {
				it.count, it.colour = t.Count, parseColour(t.Colour)
			} else {
				it.count = d.tagCounts[name]
			}
			out = append(out, it)
		}
	}
	return out
}

// tagNames returns the names of the tags as last read, in the sidebar's order: each tag, and
// each parent ("a" of "a/b") whether or not it is a tag itself, as its rows show them.
func (s *sidebar) tagNames() []string {
	var names []string
	for _, it := range s.items {
		if it.kind == kindTag {
			names = append(names, it.filter.Tags[0])
		}
	}
	return names
}

// paperItems lists the papers, each named by its file and the folder it is in (papers are
// often all main.tex).
func paperItems(papers []storage.Paper) []sideItem {
	var out []sideItem
	for _, p := range papers {
		out = append(out, sideItem{
			id: paperID(p.Path), kind: kindPaper, section: idPapers, icon: theme.DocumentIcon(), count: -1,
			label: filepath.Base(filepath.Dir(p.Path)) + "/" + filepath.Base(p.Path),
		})
	}
	return out
}

func emptyItem(section, text string) sideItem {
	return sideItem{id: "empty:" + section, kind: kindEmpty, section: section, label: text, count: -1}
}

// parseColour reads a tag colour, "#rrggbb"; nil when it is not one.
func parseColour(s string) color.Color {
	if len(s) != 7 || s[0] != '#' {
		return nil
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return nil
	}
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// foldedSections returns the ids of the folded sections, sorted.
func (s *sidebar) foldedSections() []string {
	var out []string
	for id, f := range s.folded {
		if f {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// fold folds the sections with these ids, as a window before this one left them.
func (s *sidebar) fold(ids []string) {
	for _, id := range ids {
		if id == idTags || id == idCollections || id == idSaved || id == idPapers {
			s.folded[id] = true
		}
	}
	s.rebuild()
}

// rebuild recomputes the shown rows after the items or the folding changed.
func (s *sidebar) rebuild() {
	s.shown = s.shown[:0]
	for _, it := range s.items {
		if it.section == "" || !s.folded[it.section] {
			s.shown = append(s.shown, it)
		}
	}
	// Heights are kept by row number, so rows that were tall go back to one line first.
	for _, i := range s.tall {
		s.list.SetItemHeight(i, s.rowHeight)
	}
	s.tall = s.tall[:0]
	for i, it := range s.shown {
		if it.kind == kindEmpty {
			s.list.SetItemHeight(i, 3*s.rowHeight)
			s.tall = append(s.tall, i)
		}
	}
	s.list.Refresh()
	// Selecting scrolls the selected row into view; the rows stay where they are instead, under
	// the pointer that folded a section or in the place the user scrolled to.
	offset := s.list.GetScrollOffset()
	if i := s.indexShown(s.selected); i >= 0 && len(s.also) == 0 {
		s.quiet = true
		s.list.Select(i)
		s.quiet = false
	} else {
		s.list.UnselectAll()
	}
	s.list.ScrollToOffset(offset)
}

func (s *sidebar) find(id string) int {
	for i, it := range s.items {
		if it.id == id {
			return i
		}
	}
	return -1
}

func (s *sidebar) indexShown(id string) int {
	for i, it := range s.shown {
		if it.id == id {
			return i
		}
	}
	return -1
}

// item returns the row with that id, for the window and the tests.
func (s *sidebar) item(id string) (sideItem, bool) {
	if i := s.find(id); i >= 0 {
		return s.items[i], true
	}
	return sideItem{}, false
}

// current returns the selected row. Tags selected together with Ctrl make one row whose filter
// asks for all of them.
func (s *sidebar) current() sideItem {
	it, _ := s.item(s.selected)
	for _, id := range s.also {
		if o, ok := s.item(id); ok {
			it.filter.Tags = append(slices.Clip(it.filter.Tags), o.filter.Tags...)
			it.label += " + " + o.label
		}
	}
	return it
}

// collection returns the collection of a row.
func (s *sidebar) collection(id string) (storage.Collection, bool) {
	n, ok := collectionID(id)
	if !ok {
		return storage.Collection{}, false
	}
	c, ok := s.collections[n]
	return c, ok
}

// itemAt returns the row under an absolute position in the window.
func (s *sidebar) itemAt(abs fyne.Position) (sideItem, bool) {
	d := fyne.CurrentApp().Driver()
	for b, i := range s.boxes {
		if i < 0 || i >= len(s.shown) || !b.Visible() {
			continue
		}
		p, size := d.AbsolutePositionForObject(b), b.Size()
		if abs.X >= p.X && abs.X < p.X+size.Width && abs.Y >= p.Y && abs.Y < p.Y+size.Height {
			return s.shown[i], true
		}
	}
	return sideItem{}, false
}

func (s *sidebar) onSelected(i widget.ListItemID) {
	if s.quiet || i < 0 || i >= len(s.shown) {
		return
	}
	it := s.shown[i]
	switch it.kind {
	case kindHeader:
		s.folded[it.id] = !s.folded[it.id]
		if s.onFold != nil {
			s.onFold(s.foldedSections())
		}
		s.rebuild()
		return
	case kindEmpty:
		s.rebuild() // puts the selection back where it was
		return
	}
	if it.kind == kindTag && s.ctrlHeld() {
		if cur, ok := s.item(s.selected); ok && cur.kind == kindTag && it.id != s.selected {
			// Ctrl adds a tag to the selected ones (or takes it away): entries must have all.
			if i := slices.Index(s.also, it.id); i >= 0 {
				s.also = slices.Delete(s.also, i, i+1)
			} else {
				s.also = append(s.also, it.id)
			}
			// No row is the list's selection while several tags are: their names are bold, and a
			// click on any of them, the first included, selects it alone.
			s.quiet = true
			if len(s.also) > 0 {
				s.list.UnselectAll()
			} else {
				s.list.Select(s.indexShown(s.selected))
			}
			s.quiet = false
			s.list.Refresh()
			s.onSelect(s.current())
			return
		}
	}
	if it.id == s.selected && len(s.also) == 0 {
		return
	}
	s.also = nil
	s.selected = it.id
	s.list.Refresh()
	s.onSelect(it)
}

// ctrlHeld reports whether Ctrl (Cmd on macOS) is held down.
func (s *sidebar) ctrlHeld() bool {
	if s.ctrl != nil {
		return s.ctrl()
	}
	d, ok := fyne.CurrentApp().Driver().(desktop.Driver)
	return ok && d.CurrentKeyModifiers()&(fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0
}

// selectQuietly selects the row with that id, alone, without telling onSelect: for a caller
// that reloads the list itself, keeping its selection.
func (s *sidebar) selectQuietly(id string) {
	i := s.indexShown(id)
	if i < 0 {
		return
	}
	s.quiet = true
	s.list.Select(i)
	s.quiet = false
	s.selected, s.also = id, nil
	s.list.Refresh()
}

// selectID selects the row with that id, as a click on it would.
func (s *sidebar) selectID(id string) bool {
	i := s.indexShown(id)
	if i < 0 {
		return false
	}
	s.list.Select(i)
	return true
}

// sideRow is the widgets of one row; the list reuses them for any item.
type sideRow struct {
	indent *canvas.Rectangle
	icon   *widget.Icon
	swatch *canvas.Rectangle
	name   *widget.Label
	count  *widget.Label
	hint   *widget.Label
}

const swatchSize = 10

func newSideRow(s *sidebar) fyne.CanvasObject {
	r := &sideRow{
		indent: canvas.NewRectangle(color.Transparent),
		icon:   widget.NewIcon(nil),
		swatch: canvas.NewRectangle(color.Transparent),
		name:   widget.NewLabel(""),
		count:  widget.NewLabel(""),
		hint:   widget.NewLabel(""),
	}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.hint.Wrapping = fyne.TextWrapWord
	r.hint.TextStyle.Italic = true
	r.swatch.SetMinSize(fyne.NewSquareSize(swatchSize))
	r.swatch.CornerRadius = swatchSize / 2
	iconSize := theme.IconInlineSize()
	sizer := canvas.NewRectangle(color.Transparent)
	sizer.SetMinSize(fyne.NewSquareSize(iconSize))
	left := container.NewHBox(r.indent, container.NewStack(sizer, r.icon, container.NewCenter(r.swatch)))
	b := &sideRowBox{sidebar: s, row: r, content: container.NewBorder(nil, nil, left, r.count, container.NewStack(r.name, r.hint))}
	b.ExtendBaseWidget(b)
	return b
}

// sideRowBox carries its row's widgets, so that updateRow need not dig through containers.
type sideRowBox struct {
	widget.BaseWidget
	sidebar *sidebar
	row     *sideRow
	content *fyne.Container
	item    sideItem // the row it shows now
}

// Tapped selects the row. The list's own item would, but the desktop driver gives a click to
// the deepest object under the pointer that takes taps of any kind, which is this box: it takes
// secondary taps for its menu.
func (b *sideRowBox) Tapped(*fyne.PointEvent) {
	if i, ok := b.sidebar.boxes[b]; ok && i >= 0 && i < len(b.sidebar.shown) {
		b.sidebar.list.Select(i)
	}
}

// TappedSecondary shows the row's menu: rename, colour, delete, new collection…
func (b *sideRowBox) TappedSecondary(e *fyne.PointEvent) {
	if b.sidebar.onMenu == nil {
		return
	}
	if m := b.sidebar.onMenu(b.item); m != nil {
		if cv := fyne.CurrentApp().Driver().CanvasForObject(b); cv != nil {
			widget.ShowPopUpMenuAtPosition(m, cv, e.AbsolutePosition)
		}
	}
}

func (b *sideRowBox) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(b.content) }

func (s *sidebar) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i < 0 || i >= len(s.shown) {
		return
	}
	box := o.(*sideRowBox)
	it, r := s.shown[i], box.row
	box.item = it
	s.boxes[box] = i
	r.indent.SetMinSize(fyne.NewSize(float32(it.depth)*theme.IconInlineSize(), 0))
	if it.kind == kindEmpty {
		r.name.Hide()
		r.count.Hide()
		r.icon.Hide()
		r.swatch.Hide()
		r.hint.SetText(it.label)
		r.hint.Show()
		o.(*sideRowBox).content.Refresh()
		return
	}
	r.hint.Hide()
	r.name.Show()
	r.name.TextStyle.Bold = it.kind == kindHeader || slices.Contains(s.also, it.id) || len(s.also) > 0 && it.id == s.selected
	r.name.SetText(it.label)
	icon := it.icon
	if it.kind == kindHeader {
		icon = theme.MenuDropDownIcon()
		if s.folded[it.id] {
			icon = theme.MenuExpandIcon()
		}
	}
	if it.colour != nil {
		r.swatch.FillColor = it.colour
		r.swatch.Show()
		r.swatch.Refresh()
	} else {
		r.swatch.Hide()
	}
	r.icon.SetResource(icon)
	r.icon.Show()
	if it.count >= 0 {
		r.count.SetText(thousands(it.count))
		r.count.Show()
	} else {
		r.count.Hide()
	}
	o.(*sideRowBox).content.Refresh()
}

// sidebarSource is what the sidebar reads from the library.
type sidebarSource interface {
	Counts(ctx context.Context, recentDays int) (storage.Counts, error)
}

// refresh reads the sidebar's counts, tags, collections and saved searches off the UI
// goroutine and shows them; a newer refresh cancels the one running. Call it on the UI
// goroutine.
func (s *sidebar) refresh() {
	s.gen++
	gen := s.gen
	if s.stop != nil {
		s.stop() // its result would not be shown
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	go func() {
		defer cancel()
		d, err := readSidebar(ctx, s.lib)
		fyneDo(func() {
			if gen != s.gen {
				return
			}
			if err != nil {
				s.failed(err)
			} else {
				s.set(d)
			}
			s.shownGen = gen
			s.onRead()
		})
	}()
}

// idle reports whether the newest refresh has been shown. Call it on the UI goroutine.
func (s *sidebar) idle() bool { return s.shownGen == s.gen }

// readSidebar reads everything the sidebar counts, in one read of the library. It runs off the
// UI goroutine.
func readSidebar(ctx context.Context, lib sidebarSource) (*sidebarData, error) {
	c, err := lib.Counts(ctx, recentFilter.AddedDays)
	if err != nil {
		return nil, err
	}
	return &sidebarData{
		total: c.Total, unread: c.Unread, starred: c.Starred, trash: c.Trash, unfiled: c.Unfiled, recent: c.Recent,
		tags: c.Tags, tagCounts: c.TagParents, collections: c.Collections, collectionCounts: c.InCollections,
		saved: c.Saved, savedCounts: c.SavedCounts, papers: c.Papers,
	}, nil
}
