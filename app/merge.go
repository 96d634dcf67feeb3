package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/ident"
	"github.com/bibshelf/bibshelf/storage"
)

// duplicateFinder is what the merge dialog needs from the library.
type duplicateFinder interface {
	FindDuplicates(ctx context.Context) ([]storage.DuplicateGroup, error)
	Merge(ctx context.Context, keep string, others ...string) error
	MergeEdited(ctx context.Context, keep string, edited *bib.Entry, others ...string) error
	MarkNotDuplicate(ctx context.Context, keyA, keyB string) error
}

// onFindDuplicates looks for duplicates in the whole library and offers them one group at a
// time.
func (u *UI) onFindDuplicates() {
	u.status.SetText("Looking for duplicates…")
	u.work.run(func(ctx context.Context) {
		groups, err := u.lib.FindDuplicates(ctx)
		fyneDo(func() {
			if err != nil {
				u.showError("Find duplicates", err)
				return
			}
			if len(groups) == 0 {
				u.status.SetText("No duplicates found")
				u.dialogs.show(dialog.NewInformation("Find Duplicates", "No two entries share a DOI, an arXiv id, an ISBN, or a title, year and first author.", u.win))
				return
			}
			u.status.SetText(plural(len(groups), "group", "groups") + " of possible duplicates")
			u.reviewDuplicates(groups, 0)
		})
	})
}

// reviewDuplicates reads the entries of group i and shows the merge dialog for them.
func (u *UI) reviewDuplicates(groups []storage.DuplicateGroup, i int) {
	u.reviewGroups("Possible duplicates", groups, i)
}

// reviewGroups shows each group in the merge dialog, headed by what the groups are.
func (u *UI) reviewGroups(heading string, groups []storage.DuplicateGroup, i int) {
	if i >= len(groups) {
		u.status.SetText("All possible duplicates reviewed")
		return
	}
	g := groups[i]
	u.work.run(func(ctx context.Context) {
		var entries []*bib.Entry
		var err error
		for _, k := range g.Keys {
			var e *bib.Entry
			if e, err = u.lib.Entry(ctx, k); err != nil {
				break
			}
			entries = append(entries, e)
		}
		fyneDo(func() {
			if err != nil {
				u.showError("Read duplicates", err)
				return
			}
			m := newMergeDialog(u, entries, g.Reasons, fmt.Sprintf("%d of %d", i+1, len(groups)))
			m.heading = heading
			m.next = func() { u.reviewGroups(heading, groups, i+1) }
			m.show()
		})
	})
}

// mergeDialog shows entries side by side: the user picks the entry to keep and, for each field
// whose values differ, the value to keep. With registry set, it is the refresh of one entry from
// its registry's record instead (refresh.go).
type mergeDialog struct {
	u       *UI
	entries []*bib.Entry
	reasons []string
	counter string
	heading string // what the entries are: "Possible duplicates"
	keep    *widget.RadioGroup
	choice  map[string]int // field name -> index of the entry whose value is kept
	fields  []string       // in order of first appearance
	next    func()
	d       *dialog.CustomDialog

	// registry names the service the second entry came from ("Crossref") when the dialog
	// refreshes the library's entry, the first, from the registry's record: a row for the
	// entry type, a choice wherever the registry has a value of its own (the library's, or
	// none, may be kept), and Update Entry in place of the key to keep, Merge and Not
	// Duplicates. "" for duplicates.
	registry string
	lookedUp ident.ID // the identifier the registry was asked for, when registry is set
	// settled, when set, makes the refresh a conflict's merge (shared.go): the first entry is
	// this computer's version, the second the shared library's server's, and settled is
	// called once the entry is updated, to send it over the server's.
	settled func()
}

// typeRow names the row of the entry type among the fields: no field name starts with @.
const typeRow = "@type"

func newMergeDialog(u *UI, entries []*bib.Entry, reasons []string, counter string) *mergeDialog {
	m := &mergeDialog{u: u, entries: entries, reasons: reasons, counter: counter, heading: "Possible duplicates", choice: map[string]int{}}
	for _, e := range entries {
		for _, f := range e.Fields {
			if !f.Duplicate && !slices.Contains(m.fields, f.Name) {
				m.fields = append(m.fields, f.Name)
			}
		}
	}
	// By default each field keeps the first entry's value, or the first one any entry has.
	for _, name := range m.fields {
		for i, e := range entries {
			if e.Field(name) != nil {
				m.choice[name] = i
				break
			}
		}
	}
	return m
}

func (m *mergeDialog) keys() []string {
	keys := make([]string, len(m.entries))
	for i, e := range m.entries {
		keys[i] = e.Key
	}
	return keys
}

// value is what entry i has in a row: a field's value, or the entry type.
func (m *mergeDialog) value(i int, name string) string {
	if name == typeRow {
		return m.entries[i].Type
	}
	if f := m.entries[i].Field(name); f != nil {
		return f.Value
	}
	return ""
}

// same reports whether two values of a row are the same: DOIs ignore case, so a registry's
// 10.7554/elife.01567 is the library's 10.7554/eLife.01567.
func (m *mergeDialog) same(name, a, b string) bool {
	if name == "doi" && m.registry != "" {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// offered reports whether a row holds a choice, and whether the value of entry i is one of
// its options. Duplicates choose among the values the entries have; a refresh chooses
// wherever the registry has a value unlike the library's, between the two, the library's
// nothing included (a value the registry lacks is no reason to drop the library's).
func (m *mergeDialog) offered(name string, values []string, i int) (choice, option bool) {
	if m.registry != "" {
		choice = values[1] != "" && !m.same(name, values[0], values[1])
		return choice, choice
	}
	for _, v := range values {
		if v != values[0] {
			choice = true
		}
	}
	return choice, choice && values[i] != ""
}

// differs reports whether any row holds a choice.
func (m *mergeDialog) differs() bool {
	for _, name := range m.fields {
		values := make([]string, len(m.entries))
		for i := range m.entries {
			values[i] = m.value(i, name)
		}
		if choice, _ := m.offered(name, values, 0); choice {
			return true
		}
	}
	return false
}

// rowsView makes the rows of the dialog: the field, then each entry's value, a check box where
// it can be chosen. It names the check boxes for the probe: "check:FIELD:I" for entry I.
func (m *mergeDialog) rowsView() (fyne.CanvasObject, map[string]fyne.CanvasObject) {
	n := len(m.entries)
	named := map[string]fyne.CanvasObject{}
	// One grid per row: a row is as tall as its own cells, and a long value (an abstract) is
	// shortened so that it cannot widen its column past the dialog.
	rows := container.NewVBox()
	head := func(s string) *widget.Label {
		l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	row := []fyne.CanvasObject{head("field")}
	for i, e := range m.entries {
		title := "@" + e.Type + "{" + e.Key + "}"
		switch {
		case m.settled != nil && i == 0:
			title = "This computer's: " + title
		case m.registry != "" && i == 0:
			title = "In the library: " + title
		case m.registry != "":
			title = "From " + m.registry
		}
		row = append(row, head(title))
	}
	rows.Add(container.NewGridWithColumns(n+1, row...))
	for _, name := range m.fields {
		label := name
		if name == typeRow {
			label = "entry type"
		}
		row = []fyne.CanvasObject{widget.NewLabel(label)}
		values := make([]string, n)
		for i := range m.entries {
			values[i] = m.value(i, name)
		}
		checks := make([]*dialogCheck, n)
		for i := range m.entries {
			text := values[i]
			if text == "" {
				text = "—"
			}
			if _, option := m.offered(name, values, i); !option {
				l := widget.NewLabel(text)
				l.Truncation = fyne.TextTruncateEllipsis
				if m.registry != "" {
					l.Truncation, l.Wrapping = fyne.TextTruncateOff, fyne.TextWrapWord
					l.SetText(shorten(text, 300))
				}
				row = append(row, l)
				continue
			}
			if m.registry == "" {
				checks[i] = newDialogCheck(m.u.dialogs, shorten(text, 40))
				row = append(row, checks[i])
			} else {
				// The whole value, wrapped, beside its check box: two values of a long
				// title may differ only at its end.
				checks[i] = newDialogCheck(m.u.dialogs, "")
				l := widget.NewLabel(shorten(text, 300))
				l.Wrapping = fyne.TextWrapWord
				row = append(row, container.NewBorder(nil, nil, container.NewVBox(checks[i]), nil, l))
			}
			named[fmt.Sprintf("check:%s:%d", name, i)] = checks[i]
		}
		m.chooseOne(name, checks)
		rows.Add(container.NewGridWithColumns(n+1, row...))
	}
	return rows, named
}

// chooseOne makes the check boxes of a row (nil where a value is not an option) choose its
// value: one of them is always checked.
func (m *mergeDialog) chooseOne(name string, checks []*dialogCheck) {
	for i, c := range checks {
		if c == nil {
			continue
		}
		c.SetChecked(m.choice[name] == i)
		c.OnChanged = func(on bool) {
			if !on {
				if m.choice[name] == i {
					c.SetChecked(true) // one value must be kept
				}
				return
			}
			m.choice[name] = i
			for j, o := range checks {
				if o != nil && j != i {
					o.SetChecked(false)
				}
			}
		}
	}
}

func (m *mergeDialog) show() {
	n := len(m.entries)
	rows, named := m.rowsView()
	var top *fyne.Container
	var buttons []fyne.CanvasObject
	var why *widget.Label
	stop := widget.NewButton("Close", func() { m.d.Hide() })
	skip := widget.NewButton("Skip", func() { m.d.Hide(); m.advance() })
	title := "Merge Duplicates"
	size := fyne.NewSize(min(float32(300+260*n), 1200), 600)
	if m.registry != "" {
		why = widget.NewLabel(m.refreshText())
		why.Wrapping = fyne.TextWrapWord
		top = container.NewVBox(why)
		update := widget.NewButton("Update Entry", m.onUpdate)
		update.Importance = widget.HighImportance
		buttons = []fyne.CanvasObject{stop, update}
		if m.next != nil {
			buttons = []fyne.CanvasObject{stop, skip, update}
		}
		title, size = "Update from Registry", fyne.NewSize(1100, 640)
		if m.settled != nil {
			title = "Merge with the Server's Version"
		}
	} else {
		m.keep = widget.NewRadioGroup(m.keys(), nil)
		m.keep.Horizontal = true
		m.keep.Required = true
		m.keep.SetSelected(m.entries[0].Key)
		why = widget.NewLabel(m.heading + " (" + m.counter + "): " + strings.Join(m.reasons, "; ") +
			". Pick the values to keep; the other entries go to the Trash, and their tags, collections, notes " +
			"and files move to the one kept. Values not kept are written into its note.")
		why.Wrapping = fyne.TextWrapWord
		top = container.NewVBox(why, widget.NewForm(widget.NewFormItem("Keep the key", m.keep)))
		mergeB := widget.NewButton("Merge", m.onMerge)
		mergeB.Importance = widget.HighImportance
		notDup := widget.NewButton("Not Duplicates", m.onNotDuplicates)
		buttons = []fyne.CanvasObject{stop, skip, notDup, mergeB}
	}
	content := container.NewBorder(top, nil, nil, nil, container.NewVScroll(rows))
	m.d = dialog.NewCustomWithoutButtons(title, content, m.u.win)
	m.d.SetButtons(buttons)
	m.d.Resize(size)
	m.u.probeDialog(append([]fyne.CanvasObject{why}, buttons...)...)
	for name, o := range named {
		m.u.inDialog[name] = o
	}
	m.u.dialogs.show(m.d)
}

// shorten cuts s to n characters, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (m *mergeDialog) advance() {
	if m.next != nil {
		m.next()
	}
}

// merged returns the entry to keep, with the chosen values, and the keys of the others.
func (m *mergeDialog) merged() (*bib.Entry, []string) {
	ki := slices.Index(m.keys(), m.keep.Selected)
	if ki < 0 {
		ki = 0
	}
	kept := m.entries[ki].Clone()
	for _, name := range m.fields {
		from := m.entries[m.choice[name]]
		f := from.Field(name)
		if f == nil || from == m.entries[ki] {
			continue
		}
		if mine := kept.Field(name); mine != nil && mine.Raw == f.Raw {
			continue
		}
		kept.SetField(*f)
	}
	var others []string
	for i, e := range m.entries {
		if i != ki {
			others = append(others, e.Key)
		}
	}
	return kept, others
}

func (m *mergeDialog) onMerge() {
	kept, others := m.merged()
	m.d.Hide()
	m.u.run("Merge", func(ctx context.Context) error {
		return m.u.lib.MergeEdited(ctx, kept.Key, kept, others...)
	}, func() {
		m.u.status.SetText(fmt.Sprintf("Merged %s into %s; the others are in the Trash", strings.Join(others, ", "), kept.Key))
		m.u.afterChange(func() []string { return []string{kept.Key} })
		m.advance()
	})
}

func (m *mergeDialog) onNotDuplicates() {
	keys := m.keys()
	m.d.Hide()
	m.u.run("Mark not duplicates", func(ctx context.Context) error {
		for i := range keys {
			for j := i + 1; j < len(keys); j++ {
				if err := m.u.lib.MarkNotDuplicate(ctx, keys[i], keys[j]); err != nil {
					return err
				}
			}
		}
		return nil
	}, func() {
		m.u.status.SetText("Marked as not duplicates: " + strings.Join(keys, ", "))
		m.advance()
	})
}
