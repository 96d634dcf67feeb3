package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/ident"
	"github.com/bibshelf/bibshelf/bib/lookup"
	"github.com/bibshelf/bibshelf/storage"
)

// Update from Registry: an entry's fields beside its registry's record, in the merge dialog's
// refresh mode, for the selected entry (Entry › Update from Registry…) and for the papers Add
// by Identifier found in the library already (its report's Compare with Registry…), as JabRef's
// "Get bibliographic data from DOI" does.

// refreshTarget is an entry to update from its registry, and the identifier to ask for first:
// the one pasted in Add by Identifier (a PMID of a paper the library has under its DOI), or
// none, for the entry's own.
type refreshTarget struct {
	key string
	id  ident.ID
}

// onUpdateFromRegistry compares the selected entry with its registry's record.
func (u *UI) onUpdateFromRegistry() {
	keys := u.list.selection()
	if len(keys) != 1 {
		u.status.SetText("Select one entry to update it from its registry")
		return
	}
	u.updateFromRegistry([]refreshTarget{{key: keys[0]}}, 0)
}

// updateFromRegistry reads target i, looks it up and shows what its registry has; the next
// target follows once the user has answered. Call it on the UI goroutine.
func (u *UI) updateFromRegistry(targets []refreshTarget, i int) {
	if i >= len(targets) {
		return
	}
	t := targets[i]
	var next func()
	if i+1 < len(targets) {
		next = func() { u.updateFromRegistry(targets, i+1) }
	}
	counter := ""
	if len(targets) > 1 {
		counter = fmt.Sprintf("%d of %d", i+1, len(targets))
	}
	u.pending++
	// On the work queue: the entry as the changes asked for before have left it.
	u.work.run(func(ctx context.Context) {
		e, err := u.lib.Entry(ctx, t.key)
		fyneDo(func() {
			u.pending--
			if err != nil {
				// The next entries are still compared, once this one's error is closed.
				d := dialog.NewError(fmt.Errorf("update %s from its registry: %w", t.key, err), u.win)
				if next != nil {
					d.SetOnClosed(next)
				}
				u.dialogs.show(d)
				return
			}
			ids := storage.Identifiers(e)
			if t.id.Kind != 0 {
				ids = slices.DeleteFunc(ids, func(o ident.ID) bool { return o.Kind == t.id.Kind && o.Key() == t.id.Key() })
				ids = slices.Insert(ids, 0, t.id)
			}
			if len(ids) == 0 {
				u.inform("Update from Registry", fmt.Sprintf("%s has no DOI, arXiv id (eprint with archiveprefix arXiv) or ISBN to look up. "+
					"Add one in the Info tab, then try again.", e.Key), next)
				return
			}
			u.lookUpForUpdate(e, ids, counter, next)
		})
	})
}

// inform shows a message; then, when set, runs next.
func (u *UI) inform(title, text string, next func()) {
	d := dialog.NewInformation(title, text, u.win)
	if next != nil {
		d.SetOnClosed(next)
	}
	u.dialogs.show(d)
}

// lookUpForUpdate looks the entry up off the UI goroutine, with a Cancel that leaves it as it
// is, and shows the merge dialog of the entry and the registry's record, or why there is none.
func (u *UI) lookUpForUpdate(e *bib.Entry, ids []ident.ID, counter string, next func()) {
	ctx, stop := context.WithCancel(context.Background())
	msg := widget.NewLabel(fmt.Sprintf("Looking up %s %s for %s…", ids[0].Kind, ids[0].Value, e.Key))
	msg.Wrapping = fyne.TextWrapWord
	progress := dialog.NewCustom("Update from Registry", "Cancel", container.NewVBox(msg, widget.NewProgressBarInfinite()), u.win)
	progress.SetOnClosed(stop)
	progress.Resize(fyne.NewSize(460, 0))
	u.probeDialog(msg)
	u.dialogs.show(progress)
	client := u.adds.client()
	go func() {
		r, id, err := lookUpFirst(ctx, client, ids)
		cancelled := ctx.Err() != nil
		stop()
		fyneDo(func() {
			progress.Hide()
			switch {
			case cancelled:
				u.status.SetText("Update from registry cancelled: " + e.Key + " is as it was")
			case err != nil:
				u.status.SetText("Could not look up " + e.Key + ": " + err.Error())
				u.inform("Update from Registry Failed", fmt.Sprintf("Could not look up %s: %v.\n\n%s\n\nNothing was changed.",
					e.Key, err, lookupHint(err)), next)
			default:
				m := newRefreshDialog(u, e, r, id)
				m.counter, m.next = counter, next
				if !m.differs() {
					u.inform("Update from Registry", fmt.Sprintf("The entry %s already has the registry's values (%s, %s %s): nothing to update.",
						e.Key, r.Source, id.Kind, id.Value), next)
					return
				}
				m.show()
			}
		})
	}()
}

// lookUpFirst looks the identifiers up in order until a registry knows one (an entry's DOI may
// be unknown where its arXiv id is known); another failure ends it. It returns the identifier
// the record is of, or the one that failed.
func lookUpFirst(ctx context.Context, c *lookup.Client, ids []ident.ID) (*lookup.Result, ident.ID, error) {
	var first error
	for _, id := range ids {
		r, err := c.Lookup(ctx, id)
		if err == nil {
			return r, id, nil
		}
		if !errors.Is(err, lookup.ErrNotFound) {
			return nil, id, err
		}
		if first == nil {
			first = err
		}
	}
	return nil, ids[0], first
}

// lookupHint says what a failed look-up means for the user.
func lookupHint(err error) string {
	switch {
	case errors.Is(err, lookup.ErrNotFound):
		return "The registry does not know this identifier: check it in the entry's fields."
	case errors.Is(err, lookup.ErrOffline):
		return "No connection to the registry could be made: check that the computer is online."
	case errors.Is(err, lookup.ErrTimeout):
		return "The registry did not answer in time: try again later."
	case errors.Is(err, lookup.ErrRateLimited):
		return "The registry asks for fewer requests: try again in a minute."
	case errors.Is(err, lookup.ErrServer):
		return "The registry failed to answer: try again later."
	}
	return "The registry's answer could not be read."
}

// newRefreshDialog makes the merge dialog that updates the library's entry e from the
// registry's record r of id.
//
// What is ticked at first is what JabRef's merge dialog picks (FieldRowViewModel's
// selectNonEmptyValue): the library's value wherever it has one, the registry's where only the
// registry has one. A value in the library is often one the user made right (a brace-protected
// name, a corrected page range, the journal's usual abbreviation), and the registry's is not
// better for being newer, so replacing it takes a tick; a field only the registry has fills a
// gap, which is what asking the registry is for, so it is added unless its "—" is ticked. The
// registry's record is read in the entry's dialect: a BibLaTeX entry is offered journaltitle
// and date, not a journal and a year to set beside them.
func newRefreshDialog(u *UI, e *bib.Entry, r *lookup.Result, id ident.ID) *mergeDialog {
	reg := r.Entry
	if bib.SpeaksBibLaTeX(e) {
		// In the entry's terms: journaltitle and date, not journal and year beside them.
		reg, _ = bib.Prepare(reg, bib.WriteOptions{Dialect: bib.BibLaTeX})
	}
	m := newMergeDialog(u, []*bib.Entry{e, reg}, nil, "")
	m.registry, m.lookedUp = r.Source, id
	m.fields = slices.Insert(m.fields, 0, typeRow)
	m.choice[typeRow] = 0
	return m
}

// refreshText says what the refresh dialog shows and does.
func (m *mergeDialog) refreshText() string {
	counter := ""
	if m.counter != "" {
		counter = " (" + m.counter + ")"
	}
	if m.settled != nil {
		return fmt.Sprintf("Another member changed %s on the shared library's server since this computer last synced%s. "+
			"Tick the value each field is to have: this computer's values stay unless you tick the server's. "+
			"Update Entry keeps the result here and sends it over the server's version.", m.entries[0].Key, counter)
	}
	return fmt.Sprintf("Update %s from %s (%s %s)%s. Tick the value each field is to have: the library's values stay "+
		"unless you tick %s's, and what only %s has is added unless you tick — beside it. "+
		"The key stays as it is, and Edit › Undo takes the update back.",
		m.entries[0].Key, m.registry, m.lookedUp.Kind, m.lookedUp.Value, counter, m.registry, m.registry)
}

// refreshed returns the library's entry with the registry's values that are ticked, and the
// names of the rows it changed. A value replaced keeps its place in the entry's source, every
// other byte of which stays as written (bib.Entry.SetRaw); a field added, or a value that is a
// macro (month = feb), changes the source as an edit in the Info tab does: only that field's
// line, where it can (bib.Entry.SetField).
func (m *mergeDialog) refreshed() (*bib.Entry, []string) {
	e, reg := m.entries[0].Clone(), m.entries[1]
	var changed []string
	for _, name := range m.fields {
		if m.choice[name] != 1 {
			continue
		}
		if name == typeRow {
			if reg.Type != e.Type {
				e.Rename(reg.Type, e.Key)
				changed = append(changed, "entry type")
			}
			continue
		}
		f := reg.Field(name)
		if f == nil || m.same(name, m.value(0, name), f.Value) {
			continue
		}
		if e.Field(name) == nil || e.SetRaw(name, f.Raw) != nil {
			e.SetField(bib.Field{Name: name, Raw: f.Raw, Value: f.Value})
		}
		changed = append(changed, name)
	}
	return e, changed
}

// onUpdate writes the values ticked into the library's entry, as an edit: Undo takes it back,
// the entry's source whole.
func (m *mergeDialog) onUpdate() {
	before := m.entries[0]
	after, changed := m.refreshed()
	m.d.Hide()
	if m.settled != nil {
		// This computer's version is sent over the server's. Live may send it before the
		// update below is written or after: either way the server ends with the update, sent
		// then as any change.
		defer m.settled()
	}
	if len(changed) == 0 {
		m.u.status.SetText(fmt.Sprintf("%s is as it was: none of %s's values was ticked", before.Key, m.registry))
		m.advance()
		return
	}
	m.u.perform(&change{
		name: fmt.Sprintf("Update %s from %s", before.Key, m.registry),
		do:   func(ctx context.Context) error { return m.u.lib.UpdateEntry(ctx, before.Key, after) },
		undo: func(ctx context.Context) error { return m.u.lib.UpdateEntry(ctx, after.Key, before) },
	})
	m.u.status.SetText(fmt.Sprintf("Updated %s from %s: %s", before.Key, m.registry, strings.Join(changed, ", ")))
	m.advance()
}

// compareButtons offers, in Add by Identifier's report, the button that compares the papers the
// library had with their registries' records, one after another; nothing when the library had
// none of them.
func (f *addFlow) compareButtons(adds []storage.Addition, closeReport func()) []fyne.CanvasObject {
	var targets []refreshTarget
	for _, a := range adds {
		if a.Status == storage.Existing && !slices.ContainsFunc(targets, func(t refreshTarget) bool { return t.key == a.Key }) {
			targets = append(targets, refreshTarget{key: a.Key, id: a.ID})
		}
	}
	if len(targets) == 0 || f.compare == nil {
		return nil
	}
	label := "Compare with Registry…"
	if len(targets) > 1 {
		label = "Compare Each with Registry…"
	}
	b := widget.NewButton(label, func() {
		closeReport()
		f.compare(targets)
	})
	return []fyne.CanvasObject{b}
}
