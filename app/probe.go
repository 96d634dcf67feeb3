package app

import (
	"bufio"
	"encoding/json"
	"fmt"
	"image/color"
	"net"
	"os"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The probe is a test mode: the window answers questions about itself on a Unix socket, so that
// an end-to-end test of the real binary knows where to click with real X input and can see what
// the click did. It changes nothing in the window.

// Rect is where a widget is in the window, in pixels: x, y, width, height.
type Rect [4]int

// Center returns the middle of r.
func (r Rect) Center() (x, y int) { return r[0] + r[2]/2, r[1] + r[3]/2 }

// ProbeState is what the probe says of the window. Widgets gives the places of the widgets in
// view by name: "search", "list", "sidebar", "pane", "status" (the status line), "side:ID" for each sidebar row (ID as in
// Sidebar), "row:KEY" for each row of the list (its first cell), "type", "key", "tag-input" and
// "field:NAME" for the Info tab's editors and "suggestion:TAG" for the tags it suggests,
// "search-suggestion:TAG" for the tags the search field suggests, "paper-import" and
// "paper-more" for the buttons of the bar over the list while a paper is selected, "column:ID" for the list's
// column titles in view, "tip" for the box that shows a title cut short and "row-menu:LABEL" for
// the items of a row's menu (a secondary click on the row) while it is shown. Focused names the
// widget with the focus the same way, or gives its Go type.
type ProbeState struct {
	Settled  bool                         `json:"settled"`  // everything asked of the library is shown
	Window   uint64                       `json:"window"`   // the X window; 0 when not known
	Size     [2]int                       `json:"size"`     // of the window's canvas, in pixels
	Focused  string                       `json:"focused"`  // the widget with the focus
	Dialog   bool                         `json:"dialog"`   // a dialog is up
	Sidebar  string                       `json:"sidebar"`  // the selected sidebar row
	Query    string                       `json:"query"`    // the search field's text the list shows
	Rows     int                          `json:"rows"`     // how many rows the list has
	Selected []string                     `json:"selected"` // the selected keys
	Entry    string                       `json:"entry"`    // the key of the entry in the pane
	Type     string                       `json:"type"`     // its type as the Type selector shows it
	Status   string                       `json:"status"`   // the status line
	Fields   map[string]string            `json:"fields"`   // the Info tab's editors' text, by field
	TagText  string                       `json:"tagText"`  // what is typed in its tag field
	Missing  string                       `json:"missing"`  // what it says the entry lacks; "" when hidden
	Message  string                       `json:"message"`  // the entry pane's message; "" when hidden
	Cells    map[string]map[string]string `json:"cells"`    // the rows in view: key, column, text
	Menu     map[string][]string          `json:"menu"`     // the main menu's items, without separators
	MenuBar  []string                     `json:"menuBar"`  // the main menu's menus, in order
	Dark     bool                         `json:"dark"`     // the window's background is dark
	// DialogText is the text of the dialog that is up, where the dialog names its labels (the
	// import report, the merge dialog), and the labels of Fyne's own dialogs (an error); its
	// buttons are in Widgets as "button:TEXT", the merge dialog's check boxes as
	// "check:FIELD:I", I the entry's column from 0, the key rename dialog's diff as "diff",
	// and Library › Libraries…'s rows as "library:NAME" and their bins as "library-remove:NAME"
	// (NAME as app.LibraryName writes it).
	DialogText string          `json:"dialogText"`
	Widgets    map[string]Rect `json:"widgets"`
	// SearchText is the search field's text and SearchCursor its cursor (in characters);
	// Suggestions are the tags it suggests, in order, and Suggested the one Enter takes.
	SearchText   string   `json:"searchText"`
	SearchCursor int      `json:"searchCursor"`
	Suggestions  []string `json:"suggestions"`
	Suggested    string   `json:"suggested"`
	// Tip is the title the list shows whole in its tip; "" when it shows none.
	Tip string `json:"tip"`
	// Tab is the entry pane's tab in view ("Info", "Attachments"...), and Attachments the
	// paths of the files its Attachments tab lists; both empty when it shows no entry.
	Tab         string   `json:"tab"`
	Attachments []string `json:"attachments"`
	// Note is the text of the Notes tab's editor while that tab is in view, in Widgets as
	// "notes-editor".
	Note string `json:"note"`
	// MissingFiles are those of Attachments the tab marks as not found, with what it says of
	// each. Its buttons are "files:add" and "files:folder" in Widgets; the Attachments Folder
	// dialog's field is "attachments-folder".
	MissingFiles []string `json:"missingFiles"`
	// Checks is the Check Library view's summary line, and Findings its findings in the order
	// it lists them (as lint.Finding.String writes them); both empty while it is closed. Its
	// list is in Widgets as "checks", its rows in view as "finding:KEY:CHECK", its buttons as
	// "checks:fix", "checks:fix-all", "checks:again", "checks:stop" and "checks:close", its
	// order as "checks:sort" and its BibLaTeX toggle as "checks:biblatex".
	Checks   string   `json:"checks"`
	Findings []string `json:"findings"`
	// Ticked names the check boxes of the dialog shown last that are ticked, as Widgets does
	// (the merge dialog's "check:FIELD:I"), sorted.
	Ticked []string `json:"ticked"`
	// Paper is the text of the bar over the list while a paper is selected: what its check
	// found, and its problems, one a line; its Import button is "paper-import" in Widgets.
	Paper string `json:"paper"`
	// KeptWarning is the text of the warning beside the status line while a .bib file kept in
	// sync could not be written, in Widgets as "kept-warning"; "" while it is hidden. The Kept
	// .bib Files dialog names its buttons "kept:ID:edit", "kept:ID:remove", "kept:ID:write",
	// and for a file changed by someone else "kept:ID:diff", "kept:ID:import" and
	// "kept:ID:overwrite" (ID the target's); the Keep a .bib in Sync dialog its Choose… button
	// "button:Choose…" and its settings "sync:sub", "sync:format", "sync:ascii", "sync:order"
	// and "sync:notes".
	KeptWarning string `json:"keptWarning"`
	// Shared is the state line of a shared library (connected or offline, the changes
	// waiting), in Widgets as "shared"; "" for a library file. The Connect to Shared Library
	// dialog names its field "shared-url" and its buttons by their text.
	Shared string `json:"shared"`
}

// isDark reports whether a colour is dark: its luma is below the middle.
func isDark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return 299*r+587*g+114*b < 1000*0x8000
}

// probeDialog names the buttons and labels of a dialog about to be shown, for the probe. Call
// it on the UI goroutine.
func (u *UI) probeDialog(objects ...fyne.CanvasObject) {
	u.inDialog = map[string]fyne.CanvasObject{}
	for i, o := range objects {
		switch w := o.(type) {
		case *widget.Button:
			u.inDialog["button:"+w.Text] = w
		default:
			u.inDialog[fmt.Sprintf("text:%d", i)] = w
		}
	}
}

// ServeProbe answers on a Unix socket at path: each line "state" gets one line of JSON, a
// ProbeState. It returns once the socket listens; the socket lasts as long as the process.
func (u *UI) ServeProbe(path string) error {
	os.Remove(path) // left by an earlier run
	l, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go u.answerProbe(c)
		}
	}()
	return nil
}

func (u *UI) answerProbe(c net.Conn) {
	defer c.Close()
	in := bufio.NewScanner(c)
	out := json.NewEncoder(c)
	for in.Scan() {
		if in.Text() != "state" {
			fmt.Fprintf(c, "{\"error\": %q}\n", "unknown question "+in.Text())
			continue
		}
		// A window that gave its place to another (Library › Connect to Shared Library…) answers
		// for it.
		fyneDoAndWait(func() {
			for u.next != nil {
				u = u.next
			}
		})
		xid := windowID(u.win) // asks the UI goroutine itself
		var st ProbeState
		fyneDoAndWait(func() { st = u.probeState() })
		st.Window = uint64(xid)
		if err := out.Encode(st); err != nil {
			return
		}
	}
}

// probeView measures widgets in the window's pixels, and names them.
type probeView struct {
	c     fyne.Canvas
	d     fyne.Driver
	st    *ProbeState
	named map[fyne.CanvasObject]string // the widgets named so far, for the focus
}

// rect returns where o is.
func (v *probeView) rect(o fyne.CanvasObject) Rect {
	p, s := v.d.AbsolutePositionForObject(o), o.Size()
	x, y := v.c.PixelCoordinateForPosition(p)
	x2, y2 := v.c.PixelCoordinateForPosition(p.Add(fyne.NewPos(s.Width, s.Height)))
	return Rect{x, y, x2 - x, y2 - y}
}

// in reports whether the middle of o is inside area: rows scrolled out of view, and the row
// widgets a list keeps for later, are not.
func (v *probeView) in(o fyne.CanvasObject, area Rect) bool {
	if !o.Visible() {
		return false
	}
	x, y := v.rect(o).Center()
	return x >= area[0] && y >= area[1] && x < area[0]+area[2] && y < area[1]+area[3]
}

// put names o and gives its place, when it is inside area.
func (v *probeView) put(name string, o fyne.CanvasObject, area Rect) {
	v.named[o] = name
	if v.in(o, area) {
		v.st.Widgets[name] = v.rect(o)
	}
}

// probeState describes the window. Call it on the UI goroutine.
func (u *UI) probeState() ProbeState {
	c := u.win.Canvas()
	w, h := c.PixelCoordinateForPosition(fyne.NewPos(c.Size().Width, c.Size().Height))
	st := ProbeState{
		Settled:  u.settled(),
		Size:     [2]int{w, h},
		Dialog:   u.dialogOpen(),
		Sidebar:  u.sidebar.selected,
		Query:    u.results.query,
		Rows:     u.list.rowCount(),
		Selected: u.list.selection(),
		Status:   u.status.Text,
		Message:  u.detail.shownMessage(),
		Fields:   map[string]string{},
		Cells:    map[string]map[string]string{},
		Menu:     map[string][]string{},
		Widgets:  map[string]Rect{},
		Dark:     isDark(u.app.Settings().Theme().Color(theme.ColorNameBackground, u.app.Settings().ThemeVariant())),
	}
	v := &probeView{c: c, d: fyne.CurrentApp().Driver(), st: &st, named: map[fyne.CanvasObject]string{
		u.search: "search", u.list.table: "list", u.sidebar.list: "sidebar", u.status: "status",
	}}
	for o, name := range v.named {
		st.Widgets[name] = v.rect(o)
	}
	st.Widgets["pane"] = v.rect(u.detail.content)
	u.probeSearch(v)
	u.probeSidebar(v)
	u.probePaper(v)
	u.probeList(v)
	u.probeEntry(v)
	if u.checks.open {
		u.checks.probe(v)
	}
	if w := u.kept.warn; w.Visible() {
		st.KeptWarning = w.Text
		st.Widgets["kept-warning"] = v.rect(w)
	}
	if l := u.shared.label; l.Visible() {
		st.Shared = l.Text
		st.Widgets["shared"] = v.rect(l)
	}
	if st.Dialog {
		u.probeOpenDialog(v)
	}
	if f := c.Focused(); f != nil {
		if name, ok := v.named[f.(fyne.CanvasObject)]; ok {
			st.Focused = name
		} else {
			st.Focused = fmt.Sprintf("%T", f)
		}
	}
	for _, m := range u.win.MainMenu().Items {
		st.MenuBar = append(st.MenuBar, m.Label)
		for _, it := range m.Items {
			if !it.IsSeparator {
				st.Menu[m.Label] = append(st.Menu[m.Label], it.Label)
			}
		}
	}
	return st
}

// probeSearch describes the search field and its suggestions.
func (u *UI) probeSearch(v *probeView) {
	st := v.st
	st.SearchText, st.SearchCursor = u.search.Text, u.search.CursorColumn
	if box := u.search.box; box.Visible() {
		st.Suggestions = slices.Clone(box.names)
		st.Suggested = box.names[box.current]
		for i, name := range box.names {
			st.Widgets["search-suggestion:"+name] = v.rect(box.rows[i])
		}
	}
}

// probeSidebar gives the places of the sidebar's rows in view.
func (u *UI) probeSidebar(v *probeView) {
	if len(u.sidebar.also) > 0 {
		v.st.Sidebar += "+" + strings.Join(u.sidebar.also, "+")
	}
	side := v.st.Widgets["sidebar"]
	for b, i := range u.sidebar.boxes {
		if i >= 0 && i < len(u.sidebar.shown) && b.item.id == u.sidebar.shown[i].id && v.in(b, side) {
			v.st.Widgets["side:"+b.item.id] = v.rect(b)
		}
	}
}

// probePaper describes the bar of the paper selected.
func (u *UI) probePaper(v *probeView) {
	p := u.papers
	if !p.bar.Visible() {
		return
	}
	v.st.Paper = p.title.Text
	if p.problems.Visible() {
		v.st.Paper += "\n" + p.problems.Text
	}
	whole := Rect{0, 0, v.st.Size[0], v.st.Size[1]}
	v.put("paper-import", p.importB, whole)
	v.put("paper-more", p.more, whole)
}

// probeList describes the list's rows and column headers in view, and the title tip.
func (u *UI) probeList(v *probeView) {
	st := v.st
	list := st.Widgets["list"]
	for _, cell := range u.list.cells {
		r, ok := u.list.row(cell.row)
		if !ok || cell.col >= len(u.list.cols) || !v.in(cell, list) {
			continue
		}
		if st.Cells[r.Key] == nil {
			st.Cells[r.Key] = map[string]string{}
		}
		st.Cells[r.Key][u.list.cols[cell.col].id] = cell.label.Text
		if cell.col == 0 {
			st.Widgets["row:"+r.Key] = v.rect(cell)
		}
	}
	for i, h := range u.list.headers {
		if h.col == i && i < len(u.list.cols) && v.in(h, list) {
			st.Widgets["column:"+u.list.cols[i].id] = v.rect(h)
		}
	}
	if tip := u.list.tip; tip.box.Visible() {
		st.Tip = tip.label.Text
		st.Widgets["tip"] = v.rect(tip.box)
	}
	// The menu of a row: its items are Fyne's, in the order of the menu's.
	if p, m := u.list.popup, u.list.menu; p != nil && p.Visible() && len(p.Items) == len(m.Items) {
		for i, it := range m.Items {
			if !it.IsSeparator {
				st.Widgets["row-menu:"+it.Label] = v.rect(p.Items[i])
			}
		}
	}
}

// probeEntry describes the entry the pane shows and its Info tab's editors.
func (u *UI) probeEntry(v *probeView) {
	e := u.detail.entry
	if e == nil || !u.detail.tabs.Visible() {
		return
	}
	st, info := v.st, u.detail.info
	st.Entry, st.Type = e.Key, info.kind.Selected
	if tab := u.detail.tabs.Selected(); tab != nil {
		st.Tab = tab.Text
		if tab.Content == u.detail.notes.content {
			st.Note = u.detail.notes.editor.Text
		}
	}
	for _, r := range u.detail.files.rows {
		st.Attachments = append(st.Attachments, r.att.Path)
		if r.att.Missing {
			st.MissingFiles = append(st.MissingFiles, r.detail.Text)
		}
	}
	pane := st.Widgets["pane"]
	v.put("files:add", u.detail.files.addBtn, pane)
	v.put("files:folder", u.detail.files.folderBtn, pane)
	v.put("type", info.kind, pane)
	v.put("key", info.key, pane)
	v.put("tag-input", info.tagInput, pane)
	v.put("notes-editor", u.detail.notes.editor, pane)
	st.TagText = info.tagInput.Text
	if info.missing.Visible() {
		st.Missing = info.missing.Text
	}
	for _, o := range info.suggestions.Objects {
		if b, ok := o.(*widget.Button); ok {
			v.put("suggestion:"+b.Text, b, pane)
		}
	}
	for i, fe := range info.fields {
		st.Fields[info.names[i]] = fe.Text
		v.put("field:"+info.names[i], fe, pane)
	}
}

// probeOpenDialog describes the dialog shown last: its labels' text, and where its named
// widgets are.
func (u *UI) probeOpenDialog(v *probeView) {
	var texts []string
	for name, o := range u.inDialog {
		if l, ok := o.(*widget.Label); ok && strings.HasPrefix(name, "text:") {
			texts = append(texts, l.Text)
		} else if c, ok := o.(*dialogCheck); ok && o.Visible() {
			// A check box takes a click on its box and its text only, not on the rest of
			// the room it is given.
			r := v.rect(o)
			_, h := v.c.PixelCoordinateForPosition(fyne.NewPos(0, c.MinSize().Height))
			w, _ := v.c.PixelCoordinateForPosition(fyne.NewPos(c.MinSize().Width, 0))
			v.st.Widgets[name] = Rect{r[0], r[1] + (r[3]-h)/2, min(w, r[2]), min(h, r[3])}
		} else if o.Visible() {
			v.st.Widgets[name] = v.rect(o)
		}
		if c, ok := o.(*dialogCheck); ok && c.Checked {
			v.st.Ticked = append(v.st.Ticked, name)
		}
	}
	slices.Sort(v.st.Ticked)
	// Fyne's own dialogs (the file dialogs, an error) name no widgets: their buttons are found
	// by text, and their labels' text is the dialog's.
	top := u.win.Canvas().Overlays().Top()
	if top != nil {
		for _, t := range labelTexts(top) {
			if !slices.Contains(texts, t) {
				texts = append(texts, t)
			}
		}
	}
	slices.Sort(texts)
	v.st.DialogText = strings.Join(texts, "\n")
	if top != nil {
		v.putButtons(top)
	}
}

// labelTexts returns the text of the labels in o, inside containers, pop-ups and scrolls.
func labelTexts(o fyne.CanvasObject) []string {
	switch w := o.(type) {
	case *widget.Label:
		if w.Visible() && w.Text != "" {
			return []string{w.Text}
		}
	case *fyne.Container:
		var texts []string
		for _, c := range w.Objects {
			texts = append(texts, labelTexts(c)...)
		}
		return texts
	case *widget.PopUp:
		return labelTexts(w.Content)
	case *container.Scroll:
		return labelTexts(w.Content)
	}
	return nil
}

// putButtons gives the places of the buttons in o, by their text ("button:Open"), where no
// widget has that name yet. It looks inside containers, pop-ups and scrolls.
func (v *probeView) putButtons(o fyne.CanvasObject) {
	switch w := o.(type) {
	case *widget.Button:
		if _, ok := v.st.Widgets["button:"+w.Text]; !ok && w.Visible() && w.Text != "" {
			v.st.Widgets["button:"+w.Text] = v.rect(w)
		}
	case *fyne.Container:
		for _, c := range w.Objects {
			v.putButtons(c)
		}
	case *widget.PopUp:
		v.putButtons(w.Content)
	case *container.Scroll:
		v.putButtons(w.Content)
	}
}
