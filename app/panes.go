package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// column is one column of the entry list.
type column struct {
	title string
	sort  string // storage.SearchOptions.Sort
	width float32
	value func(storage.Row) string
}

var columns = []column{
	{"Title", "title", 360, func(r storage.Row) string { return r.Title }},
	{"Authors", "authors", 170, func(r storage.Row) string { return r.Authors }},
	{"Year", "year", 64, func(r storage.Row) string { return r.Year }},
	{"Venue", "venue", 240, func(r storage.Row) string { return r.Venue }},
	{"Key", "key", 200, func(r storage.Row) string { return r.Key }},
}

// entryList is the table of entries in the centre.
type entryList struct {
	table    *widget.Table
	rows     []storage.Row
	onSelect func(key string)
	onSort   func()

	// The sort the headers show: a column's sort name, or "" for best match first (or library
	// order when there is no search).
	sort string
	desc bool
}

// headerCell is a column title that sorts the list by its column when tapped.
type headerCell struct {
	widget.Label
	onTap func()
}

func newHeaderCell() *headerCell {
	h := &headerCell{}
	h.TextStyle.Bold = true
	h.ExtendBaseWidget(h)
	return h
}

// Tapped sorts by the cell's column.
func (h *headerCell) Tapped(*fyne.PointEvent) {
	if h.onTap != nil {
		h.onTap()
	}
}

func newEntryList(onSelect func(key string), onSort func()) *entryList {
	l := &entryList{onSelect: onSelect, onSort: onSort}
	l.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(l.rows), len(columns) },
		func() fyne.CanvasObject {
			lb := widget.NewLabel("")
			lb.Truncation = fyne.TextTruncateEllipsis
			return lb
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			text := ""
			if id.Row < len(l.rows) {
				text = columns[id.Col].value(l.rows[id.Row])
			}
			o.(*widget.Label).SetText(text)
		})
	l.table.ShowHeaderColumn = false
	l.table.CreateHeader = func() fyne.CanvasObject { return newHeaderCell() }
	l.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col < 0 {
			return
		}
		h := o.(*headerCell)
		c := columns[id.Col]
		title := c.title
		if l.sort == c.sort {
			title += map[bool]string{false: " ▲", true: " ▼"}[l.desc]
		}
		h.SetText(title)
		col := id.Col
		h.onTap = func() { l.sortBy(col) }
	}
	for i, c := range columns {
		l.table.SetColumnWidth(i, c.width)
	}
	l.table.OnSelected = l.onSelected
	return l
}

// sortBy sorts by a column: ascending first, then descending on a second tap.
func (l *entryList) sortBy(col int) {
	if s := columns[col].sort; l.sort == s {
		l.desc = !l.desc
	} else {
		l.sort, l.desc = s, false
	}
	l.table.Refresh()
	l.onSort()
}

func (l *entryList) onSelected(id widget.TableCellID) {
	if id.Row >= 0 && id.Row < len(l.rows) {
		l.onSelect(l.rows[id.Row].Key)
	}
}

func (l *entryList) setRows(rows []storage.Row) {
	l.rows = rows
	l.table.UnselectAll()
	l.table.ScrollToTop()
	l.table.Refresh()
}

// entryPane shows the selected entry.
type entryPane struct {
	content fyne.CanvasObject
	title   *widget.Label
	authors *widget.Label
	fields  *widget.Form
	message *widget.Label
}

func newEntryPane() *entryPane {
	p := &entryPane{
		title:   widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		authors: widget.NewLabel(""),
		fields:  widget.NewForm(),
		message: widget.NewLabel("Select an entry to see its fields."),
	}
	p.title.Wrapping = fyne.TextWrapWord
	p.authors.Wrapping = fyne.TextWrapWord
	p.message.Wrapping = fyne.TextWrapWord
	p.content = container.NewVScroll(container.NewVBox(p.message, p.title, p.authors, p.fields))
	p.title.Hide()
	p.authors.Hide()
	return p
}

func (p *entryPane) showMessage(msg string) {
	p.message.SetText(msg)
	p.message.Show()
	p.title.Hide()
	p.authors.Hide()
	p.fields.Items = nil
	p.fields.Refresh()
}

func (p *entryPane) show(e *bib.Entry) {
	p.message.Hide()
	p.title.SetText(bib.Plain(e.Get("title")))
	p.title.Show()
	var names []string
	for _, n := range bib.SplitNames(e.Get("author")) {
		names = append(names, bib.DisplayName(n))
	}
	p.authors.SetText(strings.Join(names, "; "))
	p.authors.Show()
	items := []*widget.FormItem{
		{Text: "type", Widget: widget.NewLabel("@" + e.Type)},
		{Text: "key", Widget: selectable(e.Key)},
	}
	for _, f := range e.Fields {
		if f.Name == "title" || f.Name == "author" {
			continue
		}
		value := f.Value
		if f.Duplicate {
			value += "  (repeated field: BibTeX ignores it)"
		}
		items = append(items, &widget.FormItem{Text: f.Name, Widget: selectable(value)})
	}
	p.fields.Items = items
	p.fields.Refresh()
}

// selectable is read-only text that can be selected and copied, and wraps.
func selectable(s string) fyne.CanvasObject {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	l.Selectable = true
	return l
}
