package app

import (
	"context"
	"fmt"
	"image/color"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	bibstorage "github.com/bibshelf/bibshelf/storage"
)

// viewedCollection returns the id of the collection the sidebar shows, 0 when it shows none:
// what is imported or made there goes into it. Call it on the UI goroutine.
func (u *UI) viewedCollection() int64 {
	it := u.sidebar.current()
	if it.kind != kindCollection {
		return 0
	}
	return it.filter.Collection
}

// addFinished selects the papers added by identifier, and those the library had, and shows
// them. Call it on the UI goroutine.
func (u *UI) addFinished(adds []bibstorage.Addition) {
	var keys []string
	for _, a := range adds {
		if a.Key != "" {
			keys = append(keys, a.Key)
		}
	}
	u.showAdded()
	u.revealNext = true
	u.afterChange(func() []string { return keys })
}

// showAdded makes the list show entries just added, which it then selects: the search field's
// words, or a tag, a saved search, Starred or the Trash in the sidebar, would hide them, and the
// list would select what it does not show. The whole library shows them; so do a collection
// (they go into the one viewed) and a paper (what it cites is what its bar imports). Call it on
// the UI goroutine.
func (u *UI) showAdded() {
	it := u.sidebar.current()
	hides := it.kind == kindTag || it.kind == kindSaved || it.kind == kindTrash || it.kind == kindFixed && it.id == idStarred
	// Quietly: the reload after the change shows the new view with the entries selected, where
	// a reload of its own would come last and drop the selection.
	if hides {
		u.sidebar.selectQuietly(idLibrary)
	}
	if u.search.Text != "" {
		changed := u.search.OnChanged
		u.search.OnChanged = nil
		u.search.SetText("")
		u.search.OnChanged = changed
		u.results.query = ""
	}
}

// importFinished shows what an import did, and its entries: selected, in the list, and soon
// found by the search. Call it on the UI goroutine.
func (u *UI) importFinished(rep bibstorage.Report) {
	u.showReport(rep)
	u.showAdded()
	u.revealNext = true
	u.afterChange(func() []string { return selectAdded(rep) })
	u.indexForSearch()
}

// showReport shows what an import did, with every problem, in text that can be copied.
func (u *UI) showReport(rep bibstorage.Report) {
	sum := widget.NewLabel(reportSummary(rep))
	sum.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(sum)
	var renamed *widget.Label
	var compare *widget.Button
	var d *dialog.CustomDialog
	if n := len(rep.Possible); n > 0 {
		// The entries were imported (the default policy); the choice comes now, with the
		// report in view.
		what := widget.NewLabel(fmt.Sprintf("%s may already be in the library (same DOI, arXiv id, ISBN, or title, year and first author). Keep both, or:", rowsText(n)))
		what.Wrapping = fyne.TextWrapWord
		skip := widget.NewButton("Move the New Ones to the Trash", func() { d.Hide(); u.skipPossible(rep.Possible) })
		merge := widget.NewButton("Merge Each Into the One There", func() { d.Hide(); u.mergePossible(rep.Possible) })
		review := widget.NewButton("Review One by One…", func() { d.Hide(); u.reviewPossible(rep.Possible) })
		top.Add(what)
		top.Add(container.NewHBox(skip, merge, review))
	}
	if pairs := renamedPairs(rep.Renamed); len(pairs) > 0 {
		// The entries already there keep their keys; the new ones' keys are what a paper that
		// cites them must change to.
		text := "1 entry was imported under another key than its file gave it: the library has another paper under that key, which keeps it. A paper that cites this entry needs its new key (see the warnings below)."
		if len(pairs) > 1 {
			text = fmt.Sprintf("%s were imported under other keys than their file gave them: the library has other papers under those keys, which keep them. A paper that cites one of these entries needs its new key (see the warnings below).", rowsText(len(pairs)))
		}
		what := widget.NewLabel(text)
		what.Wrapping = fyne.TextWrapWord
		renamed = what
		compare = widget.NewButton("Compare Each With the Library's Entry…", func() {
			d.Hide()
			u.reviewGroups("Two papers, one key: if they are the same paper after all, merge them; if not, mark them Not Duplicates", pairs, 0)
		})
		top.Add(what)
		top.Add(container.NewHBox(compare))
	}
	var content fyne.CanvasObject = top
	var problems fyne.CanvasObject
	if len(rep.Problems) > 0 {
		hint := widget.NewLabel("Click a problem to show its entry; File › Show Last Import Report brings this back.")
		hint.Importance = widget.LowImportance
		hint.Wrapping = fyne.TextWrapWord
		top.Add(hint)
		problems = problemList(rep.Problems, func(p bib.Problem) {
			key := problemEntry(rep, p)
			if key == "" {
				u.status.SetText(fmt.Sprintf("%s:%d: the problem is in no entry the library kept", filepath.Base(p.File), p.Line))
				return
			}
			d.Hide()
			u.Reveal(key, "bibtex")
			u.status.SetText(fmt.Sprintf("%s:%d: %s · File › Show Last Import Report lists the others", filepath.Base(p.File), p.Line, p.Msg))
		})
		content = container.NewBorder(top, nil, nil, nil, problems)
	}
	u.lastReport = &rep
	copyReport := widget.NewButtonWithIcon("Copy Report", theme.ContentCopyIcon(), func() {
		u.copyText(reportText(rep), "the import report")
	})
	d = dialog.NewCustomWithoutButtons("Import of "+filepath.Base(rep.File), content, u.win)
	closeButton := widget.NewButton("Close", func() { d.Hide() })
	closeButton.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{copyReport, closeButton})
	d.Resize(fyne.NewSize(900, 0))
	named := []fyne.CanvasObject{sum, copyReport, closeButton}
	if compare != nil {
		named = append(named, renamed, compare)
	}
	u.probeDialog(named...)
	if problems != nil {
		u.inDialog["problems"] = problems
	}
	u.dialogs.show(d)
}

// skipPossible moves the entries an import brought in that the library may have had to the
// trash, as if the import had skipped them; Undo brings them back.
func (u *UI) skipPossible(pairs []bibstorage.PossibleDuplicate) {
	keys := make([]string, len(pairs))
	for i, p := range pairs {
		keys[i] = p.Key
	}
	u.trash(keys)
}

// mergePossible merges each entry an import brought in into the one the library had (see
// storage's Merge: nothing is lost, the new entry goes to the trash).
func (u *UI) mergePossible(pairs []bibstorage.PossibleDuplicate) {
	u.run("Merge", func(ctx context.Context) error {
		for _, p := range pairs {
			if err := u.lib.Merge(ctx, p.Existing, p.Key); err != nil {
				return err
			}
		}
		return nil
	}, func() {
		u.status.SetText(fmt.Sprintf("Merged %s into the entries there; the new ones are in the Trash", rowsText(len(pairs))))
		u.afterChange(nil)
	})
}

// reviewPossible shows each pair in the merge dialog.
func (u *UI) reviewPossible(pairs []bibstorage.PossibleDuplicate) {
	groups := make([]bibstorage.DuplicateGroup, len(pairs))
	for i, p := range pairs {
		groups[i] = bibstorage.DuplicateGroup{Keys: []string{p.Existing, p.Key}, Reasons: []string{p.Reason}}
	}
	u.reviewDuplicates(groups, 0)
}

// renamedPairs returns, for each entry an import brought in under a key of its own, the entry
// the library had under its key and the new one, to be shown side by side.
func renamedPairs(changes []bibstorage.KeyChange) []bibstorage.DuplicateGroup {
	var groups []bibstorage.DuplicateGroup
	for _, c := range changes {
		if c.Duplicate {
			continue
		}
		groups = append(groups, bibstorage.DuplicateGroup{Keys: []string{c.Existing, c.New},
			Reasons: []string{fmt.Sprintf("%s:%d has the key %q, which the library's %q had, for another paper, now in the library as %q", filepath.Base(c.File), c.Line, c.Old, c.Existing, c.New)}})
	}
	return groups
}

// onLastReport shows the report of the newest import again.
func (u *UI) onLastReport() {
	if u.lastReport == nil {
		u.dialogs.show(dialog.NewInformation("Import Report", "Nothing has been imported since the window opened.", u.win))
		return
	}
	// Without its offers about possible duplicates: they may have been taken already, and
	// merging twice would merge a note twice.
	rep := *u.lastReport
	rep.Possible = nil
	u.showReport(rep)
}

// problemEntry returns the key in the library of the entry a problem of an import is in: the
// key its file gave it, or the one it was imported under when the library had another paper
// under that key. It is "" when the problem is in no entry (text between entries, an entry
// whose key could not be read).
func problemEntry(rep bibstorage.Report, p bib.Problem) string {
	if p.Key == "" {
		return ""
	}
	// The entry that starts last before the problem's line, among those of the file that had
	// the key: an earlier one of the same key kept it.
	key, from := p.Key, 0
	for _, c := range rep.Renamed {
		if c.Old == p.Key && c.File == p.File && c.Line <= p.Line && c.Line > from {
			key, from = c.New, c.Line
		}
	}
	return key
}

// problemList lists an import's problems, two lines each (where, then what), in a list that
// makes rows only for the problems in view: an import of 100,000 entries can have thousands of
// problems, and a text field holding them all took half a minute to lay out. Copy Report copies
// all of it. Clicking a problem calls open with it.
func problemList(problems []bib.Problem, open func(bib.Problem)) fyne.CanvasObject {
	list := widget.NewList(func() int { return len(problems) },
		func() fyne.CanvasObject {
			where, what := widget.NewLabel(""), widget.NewLabel("")
			where.TextStyle.Bold = true
			// Not selectable: a row is reused for another problem as the list scrolls, and a
			// selection would stay on it. Copy Report copies every problem.
			where.Truncation = fyne.TextTruncateEllipsis
			what.Truncation = fyne.TextTruncateEllipsis
			return container.New(layout.NewCustomPaddedVBoxLayout(0), where, what)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := problems[i]
			lines := o.(*fyne.Container).Objects
			where, what := lines[0].(*widget.Label), lines[1].(*widget.Label)
			loc := fmt.Sprintf("%s:%d:%d", filepath.Base(p.File), p.Line, p.Col)
			if p.Severity == bib.Warning {
				loc += " warning"
				where.Importance = widget.WarningImportance
			} else {
				loc += " error"
				where.Importance = widget.DangerImportance
			}
			if p.Key != "" {
				loc += fmt.Sprintf(" · entry %q", p.Key)
			}
			where.SetText(loc)
			what.SetText(p.Msg)
		})
	list.OnSelected = func(i widget.ListItemID) {
		list.UnselectAll()
		open(problems[i])
	}
	// Up to four problems in view, however many there are.
	row := list.CreateItem().MinSize().Height + theme.Padding()
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(0, row*float32(min(len(problems), 4))))
	return container.NewStack(room, list)
}

// reportSummary says what an import did in one sentence.
func reportSummary(rep bibstorage.Report) string {
	s := fmt.Sprintf("Imported %s, skipped %s, merged %d.", rowsText(rep.Imported),
		plural(rep.Duplicates, "duplicate", "duplicates"), rep.Merged)
	if rep.Rejected > 0 {
		s += fmt.Sprintf(" %s had errors, listed below: text that could not be read is left out, and an "+
			"entry whose key was read is kept with the fields before its error, as bibtex keeps it.",
			plural(rep.Rejected, "item", "items"))
	}
	return s
}

// plural counts things: "1 duplicate", "2 duplicates".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// reportText is an import report as plain text.
func reportText(rep bibstorage.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Import of %s: %s\n", rep.File, reportSummary(rep))
	for _, p := range rep.Problems {
		b.WriteString(p.Error())
		b.WriteByte('\n')
	}
	return b.String()
}
