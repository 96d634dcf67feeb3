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
	"github.com/bibshelf/bibshelf/storage"
)

// duplicateFinder is what the merge dialog needs from the library.
type duplicateFinder interface {
	FindDuplicates(ctx context.Context) ([]storage.DuplicateGroup, error)
	Merge(ctx context.Context, keep string, others ...string) error
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
			u.status.SetText(fmt.Sprintf("%d groups of possible duplicates", len(groups)))
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
// whose values differ, the value to keep.
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
}

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

func (m *mergeDialog) show() {
	n := len(m.entries)
	m.keep = widget.NewRadioGroup(m.keys(), nil)
	m.keep.Horizontal = true
	m.keep.Required = true
	m.keep.SetSelected(m.entries[0].Key)

	// One grid per row: a row is as tall as its own cells, and a long value (an abstract) is
	// shortened so that it cannot widen its column past the dialog.
	rows := container.NewVBox()
	var row []fyne.CanvasObject
	head := func(s string) *widget.Label {
		l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	row = append(row, head("field"))
	for _, e := range m.entries {
		row = append(row, head("@"+e.Type+"{"+e.Key+"}"))
	}
	rows.Add(container.NewGridWithColumns(n+1, row...))
	for _, name := range m.fields {
		row = []fyne.CanvasObject{widget.NewLabel(name)}
		values := make([]string, n)
		differ := false
		for i, e := range m.entries {
			if f := e.Field(name); f != nil {
				values[i] = f.Value
			}
			if values[i] != values[0] {
				differ = true
			}
		}
		var checks []*dialogCheck
		for i := range m.entries {
			text := values[i]
			if text == "" {
				text = "—"
			}
			if !differ || values[i] == "" {
				l := widget.NewLabel(text)
				l.Truncation = fyne.TextTruncateEllipsis
				row = append(row, l)
				checks = append(checks, nil)
				continue
			}
			c := newDialogCheck(m.u.dialogs, shorten(text, 40))
			checks = append(checks, c)
			row = append(row, c)
		}
		if differ {
			name, checks := name, checks
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
		rows.Add(container.NewGridWithColumns(n+1, row...))
	}
	why := widget.NewLabel(m.heading + " (" + m.counter + "): " + strings.Join(m.reasons, "; ") +
		". Pick the values to keep; the other entries go to the Trash, and their tags, collections, notes " +
		"and files move to the one kept. Values not kept are written into its note.")
	why.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(why, widget.NewForm(widget.NewFormItem("Keep the key", m.keep)))
	content := container.NewBorder(top, nil, nil, nil, container.NewVScroll(rows))

	mergeB := widget.NewButton("Merge", m.onMerge)
	mergeB.Importance = widget.HighImportance
	notDup := widget.NewButton("Not Duplicates", m.onNotDuplicates)
	skip := widget.NewButton("Skip", func() { m.d.Hide(); m.advance() })
	stop := widget.NewButton("Close", func() { m.d.Hide() })
	m.d = dialog.NewCustomWithoutButtons("Merge Duplicates", content, m.u.win)
	m.d.SetButtons([]fyne.CanvasObject{stop, skip, notDup, mergeB})
	m.d.Resize(fyne.NewSize(min(float32(300+260*n), 1200), 600))
	m.u.probeDialog(why, stop, skip, notDup, mergeB)
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
	original := m.entries[slices.Index(m.keys(), kept.Key)]
	m.d.Hide()
	m.u.run("Merge", func(ctx context.Context) error {
		if kept.Source == "" || kept.Source != original.Source {
			if err := m.u.lib.UpdateEntry(ctx, original.Key, kept); err != nil {
				return err
			}
		}
		return m.u.lib.Merge(ctx, kept.Key, others...)
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
