package app

import (
	"image/color"
	"maps"
	"math"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// column is one column the entry list can show.
type column struct {
	id    string // preference name and storage.SearchOptions.Sort
	title string
	width float32
	value func(storage.Row) string
}

var allColumns = []column{
	// The default widths fit title to venue beside the entry pane in a 1280-wide window.
	{"title", "Title", 300, func(r storage.Row) string { return r.Title }},
	{"authors", "Authors", 150, func(r storage.Row) string { return r.Authors }},
	// The library keeps the year as written, which may hold LaTeX: {\noopsort{1986c}}1986.
	{"year", "Year", 72, func(r storage.Row) string { return bib.Plain(r.Year) }},
	{"venue", "Venue", 130, func(r storage.Row) string { return r.Venue }},
	{"key", "Key", 180, func(r storage.Row) string { return r.Key }},
	{"added", "Added", 100, func(r storage.Row) string {
		if r.Added.IsZero() {
			return ""
		}
		return r.Added.Local().Format("2006-01-02")
	}},
	{"type", "Type", 110, func(r storage.Row) string { return r.Type }},
}

// Preferences of the list: the columns shown, in order, each column's width, and the column
// it is sorted by ("-" before it when descending; none for the library's order).
const (
	prefColumns     = "list.columns"
	prefWidthPrefix = "list.width."
	prefSort        = "list.sort"
	defaultColumns  = "title,authors,year,venue,key,added"
)

// sortPref is the list.sort preference of a sort by column id, descending or not.
func sortPref(id string, desc bool) string {
	if desc && id != "" {
		return "-" + id
	}
	return id
}

// sortOf reads the list.sort preference: a column's id and whether descending; "" for a value
// that names no column.
func sortOf(pref string) (id string, desc bool) {
	id, desc = strings.CutPrefix(pref, "-")
	if !slices.ContainsFunc(allColumns, func(c column) bool { return c.id == id }) {
		return "", false
	}
	return id, desc
}

// pageRows is how many rows the list asks storage for at a time. The list holds the pages near
// what is on screen, never the whole result.
const pageRows = 200

// keepPages is how many pages the list keeps before it forgets the ones furthest from the rows
// last drawn.
const keepPages = 12

// entryList is the table of entries in the centre. It shows one search result, whose rows it
// reads a page at a time through load, and keeps its own selection of entries by key: Fyne's
// table selects one cell, a reference manager selects several entries.
type entryList struct {
	table *entryTable
	view  fyne.CanvasObject // the table under frame
	frame *canvas.Rectangle // drawn round the table while it has the focus
	prefs fyne.Preferences
	cols  []column

	gen     int // generation of the result shown; pages of other results are dropped
	total   int // rows in the result
	pages   map[int][]storage.Row
	loading map[int]bool
	// load asks for a page of result gen; its rows come back through setPage.
	load func(gen, page int)
	// loadKeys asks for the keys of rows from to to (inclusive) of result gen, to select them;
	// they come back through addSelection.
	loadKeys func(gen, from, to int)

	selected map[string]bool // keys
	anchor   int             // row a shift-click or shift-arrow extends from
	cursor   int             // row the arrows move from; -1 for none

	onSelect   func(keys []string) // the selection changed
	onSort     func()              // the sort changed
	onActivate func()              // Enter or a double click: edit
	onDelete   func()              // Delete: to the trash
	onShortcut func(fyne.Shortcut) bool
	onDrag     func()              // a drag of the selection started
	onDrop     func(fyne.Position) // it ended there (absolute)
	onMenu     func() *fyne.Menu   // a secondary click on a row: the menu of the selection
	menu       *fyne.Menu          // the menu it showed last, and where (for the probe)
	popup      *widget.PopUpMenu

	// sort is a column's id, or "" for best match first (library order without words).
	sort string
	desc bool

	headers map[int]*headerCell // by column index, as last drawn
	cells   []*entryCell        // every cell the table made, for the probe

	// widths are the columns' widths as set, by column index. The title's is fitted to what
	// the others leave (fitTitle), and is at least titleMin: its default, or what its edge was
	// dragged to.
	widths   []float32
	titleMin float32
	tip      *titleTip
}

func newEntryList(prefs fyne.Preferences) *entryList {
	l := &entryList{prefs: prefs, pages: map[int][]storage.Row{}, loading: map[int]bool{},
		selected: map[string]bool{}, cursor: -1, anchor: -1, headers: map[int]*headerCell{}}
	l.cols = chosenColumns(prefs.StringWithFallback(prefColumns, defaultColumns))
	// Sorted as it was when the window closed, as JabRef and Zotero keep it.
	l.sort, l.desc = sortOf(prefs.String(prefSort))
	t := &entryTable{list: l}
	t.Length = func() (int, int) { return l.total, len(l.cols) }
	t.CreateCell = func() fyne.CanvasObject {
		c := newEntryCell(l)
		l.cells = append(l.cells, c)
		return c
	}
	t.UpdateCell = l.updateCell
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject { return newHeaderCell(l) }
	t.UpdateHeader = l.updateHeader
	t.ExtendBaseWidget(t)
	l.table = t
	l.frame = canvas.NewRectangle(color.Transparent)
	l.frame.StrokeWidth = 2
	l.frame.Hide()
	l.tip = newTitleTip(l)
	l.view = container.NewStack(t, l.frame, l.tip.layer)
	l.applyWidths()
	return l
}

// chosenColumns reads the columns preference, ignoring names it does not know; the title is
// always shown.
func chosenColumns(pref string) []column {
	var cols []column
	for _, id := range strings.Split(pref, ",") {
		for _, c := range allColumns {
			if c.id == strings.TrimSpace(id) && !slices.ContainsFunc(cols, func(o column) bool { return o.id == c.id }) {
				cols = append(cols, c)
			}
		}
	}
	if !slices.ContainsFunc(cols, func(c column) bool { return c.id == "title" }) {
		cols = append([]column{allColumns[0]}, cols...)
	}
	return cols
}

func (l *entryList) applyWidths() {
	l.widths = make([]float32, len(l.cols))
	for i, c := range l.cols {
		l.widths[i] = max(float32(l.prefs.FloatWithFallback(prefWidthPrefix+c.id, float64(c.width))), 40)
		if c.id == "title" {
			l.titleMin = l.widths[i]
		}
		l.table.SetColumnWidth(i, l.widths[i])
	}
	l.fitTitle()
}

// fitTitle gives the Title column the width the other columns leave in the list, so that a
// wider list shows more of each title; at least titleMin, past which the list scrolls sideways.
func (l *entryList) fitTitle() {
	i := slices.IndexFunc(l.cols, func(c column) bool { return c.id == "title" })
	width := l.table.Size().Width
	if i < 0 || width <= 0 || len(l.widths) != len(l.cols) {
		return
	}
	others := float32(len(l.cols)-1) * theme.Padding() // Fyne's table puts a padding between columns
	for j, w := range l.widths {
		if j != i {
			others += w
		}
	}
	fit := max(float32(math.Floor(float64(width-others))), l.titleMin)
	if fit != l.widths[i] {
		l.widths[i] = fit
		l.table.SetColumnWidth(i, fit)
	}
}

// toggleColumn shows or hides a column and remembers the choice.
func (l *entryList) toggleColumn(id string) {
	i := slices.IndexFunc(l.cols, func(c column) bool { return c.id == id })
	switch {
	case id == "title":
		return
	case i >= 0:
		l.cols = slices.Delete(l.cols, i, i+1)
	default:
		for _, c := range allColumns {
			if c.id == id {
				l.cols = append(l.cols, c)
			}
		}
	}
	ids := make([]string, len(l.cols))
	for i, c := range l.cols {
		ids[i] = c.id
	}
	l.prefs.SetString(prefColumns, strings.Join(ids, ","))
	l.headers = map[int]*headerCell{}
	l.applyWidths()
	l.table.Refresh()
}

// saveWidths remembers the widths of the columns whose titles are on screen, after the user
// drags a column's edge (Fyne keeps the widths to itself), and fits the title to the others.
// The title's own width is remembered only when its edge was the one dragged: then it is the
// least width the title keeps.
func (l *entryList) saveWidths() {
	for i, h := range l.headers {
		w := h.Size().Width
		if i >= len(l.cols) || i >= len(l.widths) || h.col != i || w <= 0 {
			continue
		}
		if l.cols[i].id == "title" {
			if math.Abs(float64(w-l.widths[i])) < 1 {
				continue // as fitTitle left it
			}
			l.titleMin = w
		}
		l.widths[i] = w
		l.prefs.SetFloat(prefWidthPrefix+l.cols[i].id, float64(w))
	}
	l.fitTitle()
}

// setResult shows a new search result: its size and its first page. The selection keeps the
// entries it had when keep is set (the same search, after an edit), and is emptied otherwise.
func (l *entryList) setResult(gen, total int, first []storage.Row, keep bool) {
	l.gen, l.total = gen, total
	l.pages = map[int][]storage.Row{0: first}
	l.loading = map[int]bool{}
	if !keep {
		clear(l.selected)
		l.cursor, l.anchor = -1, -1
		// A new result is shown from its first row and column. Not ScrollToTop: Fyne's moves
		// the table's rows but not its scroller, which goes on showing the place scrolled to,
		// where no row is drawn any more, until the wheel scrolls it down.
		l.table.ScrollToOffset(fyne.Position{})
	} else if l.cursor >= total {
		l.cursor = total - 1
	}
	l.table.Refresh()
}

// setTotal gives result gen its length, once counted.
func (l *entryList) setTotal(gen, total int) {
	if gen != l.gen || total == l.total {
		return
	}
	l.total = total
	l.table.Refresh()
}

// setTrash shows the trash, which is read whole.
func (l *entryList) setTrash(gen int, rows []storage.Row, keep bool) {
	l.setResult(gen, len(rows), nil, keep)
	for p := 0; p*pageRows < len(rows); p++ {
		l.pages[p] = rows[p*pageRows : min((p+1)*pageRows, len(rows))]
	}
	l.table.Refresh()
}

// setPage stores a page of result gen that load asked for.
func (l *entryList) setPage(gen, page int, rows []storage.Row) {
	if gen != l.gen {
		return
	}
	delete(l.loading, page)
	l.pages[page] = rows
	if len(l.pages) > keepPages {
		l.forget(page)
	}
	l.table.Refresh()
}

// forget drops the pages furthest from the page just read, keeping the first page.
func (l *entryList) forget(near int) {
	pages := make([]int, 0, len(l.pages))
	for p := range l.pages {
		if p != 0 {
			pages = append(pages, p)
		}
	}
	dist := func(p int) int { return max(p-near, near-p) }
	slices.SortFunc(pages, func(a, b int) int { return dist(b) - dist(a) })
	for _, p := range pages[:len(l.pages)-keepPages] {
		delete(l.pages, p)
	}
}

// row returns the i-th row of the result if its page is at hand, and asks for the page if not.
func (l *entryList) row(i int) (storage.Row, bool) {
	if i < 0 || i >= l.total {
		return storage.Row{}, false
	}
	p := i / pageRows
	rows, ok := l.pages[p]
	if !ok {
		if !l.loading[p] && l.load != nil {
			l.loading[p] = true
			l.load(l.gen, p)
		}
		return storage.Row{}, false
	}
	if j := i % pageRows; j < len(rows) {
		return rows[j], true
	}
	return storage.Row{}, false
}

// rowCount returns how many rows the result has.
func (l *entryList) rowCount() int { return l.total }

// selection returns the selected keys in the order of the list, as far as its pages are at
// hand, then any others.
func (l *entryList) selection() []string {
	var keys []string
	seen := map[string]bool{}
	for _, p := range slices.Sorted(maps.Keys(l.pages)) {
		for _, r := range l.pages[p] {
			if l.selected[r.Key] && !seen[r.Key] {
				keys = append(keys, r.Key)
				seen[r.Key] = true
			}
		}
	}
	var rest []string
	for k := range l.selected {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(keys, rest...)
}

// tap selects like a desktop list: a click selects one row, Ctrl (Cmd) adds or removes one,
// Shift selects the range from the last click.
func (l *entryList) tap(row int, mods fyne.KeyModifier) {
	r, ok := l.row(row)
	if !ok {
		return
	}
	switch {
	case mods&fyne.KeyModifierShift != 0 && l.anchor >= 0:
		l.selectRange(l.anchor, row)
	case mods&(fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0:
		if l.selected[r.Key] {
			delete(l.selected, r.Key)
		} else {
			l.selected[r.Key] = true
		}
		l.anchor = row
	default:
		clear(l.selected)
		l.selected[r.Key] = true
		l.anchor = row
	}
	l.cursor = row
	l.changed()
}

// selectRange selects the rows from a to b. Rows whose pages are not at hand are asked for, and
// join the selection when they come.
func (l *entryList) selectRange(a, b int) {
	clear(l.selected)
	lo, hi := min(a, b), max(a, b)
	missing := false
	for i := lo; i <= hi; i++ {
		rows, ok := l.pages[i/pageRows]
		switch {
		case !ok:
			missing = true
			i = (i/pageRows+1)*pageRows - 1 // the next page
		case i%pageRows < len(rows):
			l.selected[rows[i%pageRows].Key] = true
		}
	}
	if missing && l.loadKeys != nil {
		l.loadKeys(l.gen, lo, hi)
	}
}

// addSelection adds keys of result gen to the selection.
func (l *entryList) addSelection(gen int, keys []string) {
	if gen != l.gen {
		return
	}
	for _, k := range keys {
		l.selected[k] = true
	}
	l.changed()
}

// selectKeys selects the given entries (after a new entry, say); rows already drawn show it.
func (l *entryList) selectKeys(keys ...string) {
	clear(l.selected)
	for _, k := range keys {
		l.selected[k] = true
	}
	l.cursor, l.anchor = -1, -1
	for i := 0; i < min(l.total, pageRows*len(l.pages)); i++ {
		if r, ok := l.pages[i/pageRows]; ok && i%pageRows < len(r) && l.selected[r[i%pageRows].Key] {
			l.cursor, l.anchor = i, i
			l.table.ScrollTo(widget.TableCellID{Row: i, Col: 0})
			break
		}
	}
	l.changed()
}

// revealSelection scrolls the list to the first selected row whose page is at hand (papers just
// added, say), when it is not in view.
func (l *entryList) revealSelection() {
	for i := 0; i < min(l.total, pageRows*len(l.pages)); i++ {
		if r, ok := l.pages[i/pageRows]; ok && i%pageRows < len(r) && l.selected[r[i%pageRows].Key] {
			l.table.ScrollTo(widget.TableCellID{Row: i, Col: 0})
			return
		}
	}
}

// selectAll selects every row whose page is at hand.
func (l *entryList) selectAll() {
	l.selectRange(0, l.total-1)
	l.changed()
}

// move moves the cursor by delta rows; with extend it grows the selection instead.
func (l *entryList) move(delta int, extend bool) {
	if l.total == 0 {
		return
	}
	next := min(max(l.cursor+delta, 0), l.total-1)
	if l.cursor < 0 {
		next = 0
	}
	if _, ok := l.row(next); !ok {
		return // its page is on its way; the next key press will find it
	}
	l.cursor = next
	l.table.ScrollTo(widget.TableCellID{Row: next, Col: 0})
	if extend && l.anchor >= 0 {
		l.selectRange(l.anchor, next)
		l.changed()
		return
	}
	l.tap(next, 0)
}

func (l *entryList) changed() {
	l.table.Refresh()
	if l.onSelect != nil {
		l.onSelect(l.selection())
	}
}

func (l *entryList) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*entryCell)
	c.row, c.col = id.Row, id.Col
	r, ok := l.row(id.Row)
	text := ""
	if ok && id.Col < len(l.cols) {
		text = l.cols[id.Col].value(r)
	}
	// An entry without a title (a @misc with a note only) names itself by its key, in italics, in
	// the Title column: its row was blank, with nothing to tell it by.
	untitled := ok && text == "" && id.Col < len(l.cols) && l.cols[id.Col].id == "title"
	if untitled {
		text = r.Key + " (no title)"
	}
	if untitled != c.label.TextStyle.Italic {
		c.label.TextStyle.Italic = untitled
		c.label.Refresh()
	}
	// Setting a label's text measures it again to truncate it, the most costly part of showing
	// a search; a table refresh often asks for the text a cell has.
	if c.label.Text != text {
		c.label.SetText(text)
		l.tip.changed(c)
	}
	fill := color.Color(color.Transparent)
	if ok && l.selected[r.Key] {
		fill = theme.Color(theme.ColorNameSelection)
	}
	if c.bg.FillColor != fill {
		c.bg.FillColor = fill
		c.bg.Refresh()
	}
}

func (l *entryList) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	h := o.(*headerCell)
	if id.Col < 0 || id.Col >= len(l.cols) {
		h.SetText("")
		h.col = -1
		return
	}
	c := l.cols[id.Col]
	h.SetText(c.title)
	switch {
	case l.sort != c.id:
		h.arrow.Hide()
	case l.desc:
		h.arrow.SetResource(theme.MenuDropDownIcon())
		h.arrow.Show()
	default:
		h.arrow.SetResource(theme.MenuDropUpIcon())
		h.arrow.Show()
	}
	h.col = id.Col
	l.headers[id.Col] = h
}

// sortBy sorts by a column: ascending first, then descending on a second tap.
func (l *entryList) sortBy(col int) {
	if col < 0 || col >= len(l.cols) {
		return
	}
	if id := l.cols[col].id; l.sort == id {
		l.desc = !l.desc
	} else {
		l.sort, l.desc = id, false
	}
	l.prefs.SetString(prefSort, sortPref(l.sort, l.desc))
	l.table.Refresh()
	if l.onSort != nil {
		l.onSort()
	}
}

// columnMenu offers the columns to show.
func (l *entryList) columnMenu() *fyne.Menu {
	var items []*fyne.MenuItem
	for _, c := range allColumns {
		id := c.id
		it := fyne.NewMenuItem(c.title, func() { l.toggleColumn(id) })
		it.Checked = slices.ContainsFunc(l.cols, func(o column) bool { return o.id == id })
		it.Disabled = id == "title"
		items = append(items, it)
	}
	return fyne.NewMenu("Columns", items...)
}

// entryTable is Fyne's table with the list's keyboard: arrows move the selection (with Shift they
// extend it), Enter edits, Delete moves to the trash.
type entryTable struct {
	widget.Table
	list *entryList
}

// TypedKey handles the list's keys. The others do nothing: the table's own (Space, the arrows
// left and right) would select or mark a cell of its own, which looks like a selection the list
// does not have.
func (t *entryTable) TypedKey(ev *fyne.KeyEvent) {
	l := t.list
	shift := false
	if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok {
		shift = d.CurrentKeyModifiers()&fyne.KeyModifierShift != 0
	}
	switch ev.Name {
	case fyne.KeyDown:
		l.move(1, shift)
	case fyne.KeyUp:
		l.move(-1, shift)
	case fyne.KeyPageDown:
		l.move(20, shift)
	case fyne.KeyPageUp:
		l.move(-20, shift)
	case fyne.KeyHome:
		l.move(-l.total, shift)
	case fyne.KeyEnd:
		l.move(l.total, shift)
	case fyne.KeyReturn, fyne.KeyEnter:
		if l.onActivate != nil {
			l.onActivate()
		}
	case fyne.KeyDelete, fyne.KeyBackspace:
		if l.onDelete != nil {
			l.onDelete()
		}
	}
}

// Resize fits the Title column to the list's new width.
func (t *entryTable) Resize(size fyne.Size) {
	t.Table.Resize(size)
	t.list.fitTitle()
}

// Tapped takes the focus. The cells select rows; a click that reaches the table itself (between
// two rows) must not select a cell of its own.
func (t *entryTable) Tapped(*fyne.PointEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(t); c != nil {
		c.Focus(t)
	}
}

// TypedShortcut gives Copy, Undo and the like to the window's actions.
func (t *entryTable) TypedShortcut(s fyne.Shortcut) {
	if t.list.onShortcut != nil {
		t.list.onShortcut(s)
	}
}

// FocusGained frames the list, which shows that the arrows and Enter now act on it. Fyne's
// focused-cell marker stays off: it marks one cell, as if it were selected.
func (t *entryTable) FocusGained() {
	f := t.list.frame
	f.StrokeColor = theme.Color(theme.ColorNamePrimary)
	f.Show()
	f.Refresh()
}

// FocusLost takes the frame away.
func (t *entryTable) FocusLost() {
	t.list.frame.Hide()
	t.Table.FocusLost()
}

// DragEnd remembers the widths after a column's edge was dragged.
func (t *entryTable) DragEnd() {
	t.Table.DragEnd()
	t.list.saveWidths()
}

// entryCell is one cell of the list: its text over the selection's colour.
type entryCell struct {
	widget.BaseWidget
	list  *entryList
	row   int
	col   int
	bg    *canvas.Rectangle
	label *widget.Label

	dragging bool
	dragTo   fyne.Position
	// pressed is the modifier keys held when the button went down, and whether one did: the
	// click's Tapped comes only when no second click followed, a double-click's time later,
	// when Shift or Ctrl may be let go already.
	pressed    fyne.KeyModifier
	hasPressed bool
}

func newEntryCell(l *entryList) *entryCell {
	c := &entryCell{list: l, bg: canvas.NewRectangle(color.Transparent), label: widget.NewLabel("")}
	c.label.Truncation = fyne.TextTruncateEllipsis
	c.ExtendBaseWidget(c)
	return c
}

func (c *entryCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(c.bg, c.label))
}

// MouseDown notes the modifier keys held as the button goes down, for Tapped.
func (c *entryCell) MouseDown(e *desktop.MouseEvent) {
	c.pressed, c.hasPressed = e.Modifier, true
}

func (c *entryCell) MouseUp(*desktop.MouseEvent) {}

// Tapped selects the cell's row, with Ctrl and Shift as they were held when the button went
// down (as the keyboard has them now, for a tap that had no button).
func (c *entryCell) Tapped(*fyne.PointEvent) {
	c.list.tip.hide()
	var mods fyne.KeyModifier
	if c.hasPressed {
		mods, c.hasPressed = c.pressed, false
	} else if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok {
		mods = d.CurrentKeyModifiers()
	}
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c.list.table); cv != nil {
		cv.Focus(c.list.table)
	}
	c.list.tap(c.row, mods)
}

// DoubleTapped selects the row and edits it.
func (c *entryCell) DoubleTapped(*fyne.PointEvent) {
	c.hasPressed = false
	if !c.list.selected[c.key()] {
		c.list.tap(c.row, 0)
	}
	if c.list.onActivate != nil {
		c.list.onActivate()
	}
}

// TappedSecondary shows the menu of the selection, as a file manager does: a row not selected
// is selected first, alone; on a row of the selection it acts on all of it.
func (c *entryCell) TappedSecondary(e *fyne.PointEvent) {
	c.hasPressed = false // the right button's: a later tap had a button of its own
	c.list.tip.hide()
	if c.row < 0 || c.row >= c.list.rowCount() || c.list.onMenu == nil {
		return
	}
	cv := fyne.CurrentApp().Driver().CanvasForObject(c.list.table)
	if cv == nil {
		return
	}
	cv.Focus(c.list.table)
	if !c.list.selected[c.key()] {
		c.list.tap(c.row, 0)
	}
	if m := c.list.onMenu(); m != nil {
		c.list.menu, c.list.popup = m, widget.NewPopUpMenu(m, cv)
		c.list.popup.ShowAtPosition(e.AbsolutePosition)
	}
}

// Dragged drags the selection (the row first selected when it was not), to drop it on the
// sidebar.
func (c *entryCell) Dragged(e *fyne.DragEvent) {
	if !c.dragging {
		c.dragging = true
		c.list.tip.hide()
		if !c.list.selected[c.key()] {
			c.list.tap(c.row, 0)
		}
		if c.list.onDrag != nil {
			c.list.onDrag()
		}
	}
	c.dragTo = e.AbsolutePosition
}

// DragEnd drops the selection where the pointer is.
func (c *entryCell) DragEnd() {
	if c.dragging && c.list.onDrop != nil {
		c.list.onDrop(c.dragTo)
	}
	c.dragging = false
}

func (c *entryCell) key() string {
	r, _ := c.list.row(c.row)
	return r.Key
}

// headerCell is a column title, with an arrow when the list is sorted by it: a tap sorts by the
// column, a secondary tap offers the columns. The arrow is an icon because the theme's font has
// no arrow characters, and a fallback font costs megabytes.
type headerCell struct {
	widget.BaseWidget
	label *widget.Label
	arrow *widget.Icon
	list  *entryList
	col   int
}

func newHeaderCell(l *entryList) *headerCell {
	h := &headerCell{list: l, col: -1, label: widget.NewLabel(""), arrow: widget.NewIcon(nil)}
	h.label.TextStyle.Bold = true
	h.label.Truncation = fyne.TextTruncateEllipsis
	h.arrow.Hide()
	h.ExtendBaseWidget(h)
	return h
}

func (h *headerCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, h.arrow, h.label))
}

// SetText sets the column's title.
func (h *headerCell) SetText(s string) { h.label.SetText(s) }

// Tapped sorts by the cell's column.
func (h *headerCell) Tapped(*fyne.PointEvent) { h.list.sortBy(h.col) }

// TappedSecondary offers the choice of columns.
func (h *headerCell) TappedSecondary(e *fyne.PointEvent) {
	if cv := fyne.CurrentApp().Driver().CanvasForObject(h); cv != nil {
		widget.ShowPopUpMenuAtPosition(h.list.columnMenu(), cv, e.AbsolutePosition)
	}
}

// rowsText is how the status line counts rows.
func rowsText(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return thousands(n) + " entries"
}
