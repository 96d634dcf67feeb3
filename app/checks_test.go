package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/lint"
	"github.com/bibshelf/bibshelf/storage"
)

// checkProblems are entries with known findings: a page range with one hyphen and "et al."
// (both with a certain fix), \write18 in a note (two errors), and no journal.
const checkProblems = `@article{lawler85, author = {Lawler, Eugene L. and others}, title = {Shop scheduling},
  journal = {Operations Research}, year = {1985}, pages = {501-506}}
@article{smith2020, author = {Smith, John and et al.}, title = {A study of things},
  journal = {Journal of Things}, year = {2020}, pages = {1--10}}
@misc{evil2021, author = {Mallory, Eve}, title = {Harmless notes}, year = {2021},
  note = {\immediate\write18{rm -rf ~}}}
@article{nojournal2019, author = {Doe, Jane}, title = {Without a venue}, year = {2019}}
`

// checkedUI opens the Check Library view over the sample and checkProblems, and waits for its
// findings.
func checkedUI(t *testing.T) (*UI, *storage.Library) {
	t.Helper()
	lib := sampleLibrary(t)
	if _, err := lib.Import(context.Background(), bib.ParseString("problems.bib", checkProblems)); err != nil {
		t.Fatal(err)
	}
	u := shownUI(t, lib)
	eventually(t, "the list", func() bool { return u.settled() && u.Rows() == 60 })
	fyneDoAndWait(u.onCheckLibrary)
	eventually(t, "the findings", func() bool { return u.settled() && len(u.checks.shown) == 5 })
	return u, lib
}

// shownChecks lists the view's findings as CHECK KEY, in the order shown.
func shownChecks(u *UI) []string {
	var out []string
	fyneDoAndWait(func() {
		for _, f := range u.checks.shown {
			out = append(out, string(f.Check)+" "+f.Key)
		}
	})
	return out
}

func TestCheckLibraryView(t *testing.T) {
	u, lib := checkedUI(t)
	var summary, fixAll string
	fyneDoAndWait(func() { summary, fixAll = u.checks.summary.Text, u.checks.fixAll.Text })
	if got := summary; got != "2 errors, 3 warnings in 4 of 60 entries" {
		t.Errorf("the summary says %q", got)
	}
	if got, want := shownChecks(u), []string{"dangerous-tex evil2021", "dangerous-tex evil2021", "pages lawler85", "et-al smith2020", "missing-field nojournal2019"}; !slices.Equal(got, want) {
		t.Errorf("by severity: %v, want %v", got, want)
	}
	fyneDoAndWait(func() { u.checks.order.SetSelected("Entry") })
	if got, want := shownChecks(u), []string{"dangerous-tex evil2021", "dangerous-tex evil2021", "pages lawler85", "missing-field nojournal2019", "et-al smith2020"}; !slices.Equal(got, want) {
		t.Errorf("by entry: %v, want %v", got, want)
	}
	fyneDoAndWait(func() { u.checks.order.SetSelected("Check") })
	if got, want := shownChecks(u), []string{"missing-field nojournal2019", "pages lawler85", "et-al smith2020", "dangerous-tex evil2021", "dangerous-tex evil2021"}; !slices.Equal(got, want) {
		t.Errorf("by check: %v, want %v", got, want)
	}

	// A finding selected selects its entry; Fix mends that one value, and Undo takes it back.
	fyneDoAndWait(func() { u.checks.list.Select(1) })
	eventually(t, "lawler85 selected and shown", func() bool {
		return slices.Equal(u.list.selection(), []string{"lawler85"}) && u.detail.entry != nil && u.detail.entry.Key == "lawler85" &&
			strings.Contains(u.status.Text, `pages "501-506"`) && !u.checks.fix.Disabled()
	})
	fyneDoAndWait(func() { test.Tap(u.checks.fix) })
	eventually(t, "the fixed pages", func() bool { return u.settled() && len(u.checks.shown) == 4 })
	if got := entryField(t, lib, "lawler85", "pages"); got != "501--506" {
		t.Errorf("lawler85's pages after Fix: %q", got)
	}
	if got := entryField(t, lib, "smith2020", "author"); got != "Smith, John and et al." {
		t.Errorf("Fix changed smith2020's author too: %q", got)
	}
	fyneDoAndWait(u.onUndo)
	eventually(t, "the finding back", func() bool { return u.settled() && len(u.checks.shown) == 5 })
	if got := entryField(t, lib, "lawler85", "pages"); got != "501-506" {
		t.Errorf("lawler85's pages after Undo: %q", got)
	}

	// Fix All Certain: both certain fixes as one change, listed; one Undo takes both back.
	if got := fixAll; got != "Fix All Certain (2)" {
		t.Errorf("the button says %q", got)
	}
	fyneDoAndWait(func() { test.Tap(u.checks.fixAll) })
	eventually(t, "the fixes listed", func() bool {
		return u.settled() && len(u.checks.shown) == 3 && u.dialogOpen()
	})
	var listed string
	fyneDoAndWait(func() { listed = allText(u.inDialog["text:0"]) })
	for _, want := range []string{"lawler85: pages = {501--506} (pages)", "smith2020: author = {Smith, John and others} (et-al)"} {
		if !strings.Contains(listed, want) {
			t.Errorf("the fixes listed %q, without %q", listed, want)
		}
	}
	if a, p := entryField(t, lib, "smith2020", "author"), entryField(t, lib, "lawler85", "pages"); a != "Smith, John and others" || p != "501--506" {
		t.Errorf("after Fix All Certain: author %q, pages %q", a, p)
	}
	fyneDoAndWait(func() { u.dialogs.open[len(u.dialogs.open)-1].Hide() })
	fyneDoAndWait(u.onUndo)
	eventually(t, "the findings back", func() bool { return u.settled() && len(u.checks.shown) == 5 })
	if a, p := entryField(t, lib, "smith2020", "author"), entryField(t, lib, "lawler85", "pages"); a != "Smith, John and et al." || p != "501-506" {
		t.Errorf("after Undo: author %q, pages %q", a, p)
	}

	// An edit made elsewhere shows in the findings: the journal added, its finding goes.
	e := mustEntry(t, lib, "nojournal2019")
	if err := e.Set("journal", "Letters"); err != nil {
		t.Fatal(err)
	}
	fyneDoAndWait(func() { u.saveEntryRef(&entryRef{}, mustEntry(t, lib, "nojournal2019"), e, "Edit journal") })
	eventually(t, "the missing journal gone", func() bool { return u.settled() && len(u.checks.shown) == 4 })

	var closed bool
	fyneDoAndWait(func() { test.Tap(u.checks.close); closed = u.listArea.Objects[0] == u.list.view && !u.checks.open })
	if !closed {
		t.Error("Close left the view open")
	}
}

func entryField(t *testing.T, lib *storage.Library, key, field string) string {
	t.Helper()
	return mustEntry(t, lib, key).Get(field)
}

func mustEntry(t *testing.T, lib *storage.Library, key string) *bib.Entry {
	t.Helper()
	e, err := lib.Entry(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestCheckLibraryBibLaTeX: biblatex's required fields follow the export format when it names
// one, and the view's toggle (remembered) when it is "as written".
func TestCheckLibraryBibLaTeX(t *testing.T) {
	u, _ := checkedUI(t)
	p := u.app.Preferences()
	for _, c := range []struct {
		dialect          bib.Dialect
		toggle           bool
		biblatex, enable bool
	}{
		{bib.AsWritten, false, false, true},
		{bib.AsWritten, true, true, true},
		{bib.BibLaTeX, false, true, false},
		{bib.BibTeX, true, false, false},
	} {
		dialectChoice.set(p, c.dialect)
		p.SetBool(prefCheckBibLaTeX, c.toggle)
		var opts lint.Options
		var enabled bool
		fyneDoAndWait(func() { opts = u.checks.options(); enabled = !u.checks.biblatex.Disabled() })
		if opts.BibLaTeX != c.biblatex || enabled != c.enable {
			t.Errorf("dialect %v, toggle %v: BibLaTeX %v, toggle enabled %v; want %v, %v", c.dialect, c.toggle, opts.BibLaTeX, enabled, c.biblatex, c.enable)
		}
	}
	// The toggle, clicked, checks again as biblatex reads the entries, and is remembered.
	dialectChoice.set(p, bib.AsWritten)
	p.SetBool(prefCheckBibLaTeX, false)
	fyneDoAndWait(u.checks.check)
	eventually(t, "BibTeX's findings", func() bool { return u.settled() && !u.checks.result.opts.BibLaTeX })
	fyneDoAndWait(func() { test.Tap(u.checks.biblatex) })
	eventually(t, "biblatex's findings", func() bool { return u.settled() && u.checks.result.opts.BibLaTeX })
	if !p.Bool(prefCheckBibLaTeX) {
		t.Error("the toggle was not remembered")
	}
}

// manyEntries is a library of n entries without a journal, for lintLibrary alone.
type manyEntries struct{ n int }

func (m manyEntries) Count(context.Context) (int, error) { return m.n, nil }
func (m manyEntries) Entry(context.Context, string) (*bib.Entry, error) {
	return nil, storage.ErrNotFound
}
func (m manyEntries) EachEntry(ctx context.Context, _ storage.Filter, _ string, fn func(*bib.Entry) error) error {
	for i := range m.n {
		if err := fn(&bib.Entry{Type: "article", Key: fmt.Sprint("e", i), Fields: []bib.Field{{Name: "title", Raw: "{T}", Value: "T"}, {Name: "author", Raw: "{A}", Value: "A"}, {Name: "year", Raw: "{2020}", Value: "2020"}}}); err != nil {
			return err
		}
	}
	return nil
}

func TestLintLibraryBoundsAndStops(t *testing.T) {
	res, err := lintLibrary(context.Background(), manyEntries{maxShownFindings + 10}, lint.Options{}, func(int, int) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.findings) != maxShownFindings || !res.truncated || res.warns != maxShownFindings+10 || res.entries != maxShownFindings+10 {
		t.Errorf("%d findings listed, truncated %v, %d warnings in %d entries", len(res.findings), res.truncated, res.warns, res.entries)
	}
	if s := checkSummary(res); !strings.Contains(s, "(the first 5,000 listed)") {
		t.Errorf("the summary says %q", s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err = lintLibrary(ctx, manyEntries{10}, lint.Options{}, func(int, int) {})
	if !errors.Is(err, context.Canceled) || !res.stopped || res.checked != 0 {
		t.Errorf("stopped at once: %v, stopped %v, %d checked", err, res.stopped, res.checked)
	}
	if s := checkSummary(res); !strings.HasPrefix(s, "Stopped after 0 of 10 entries") {
		t.Errorf("the summary says %q", s)
	}
}

// failingUpdates is a library whose UpdateEntry fails for the keys in fail, recording the
// updates that succeed.
type failingUpdates struct {
	manyEntries
	fail    map[string]bool
	written []string
}

func (f *failingUpdates) UpdateEntry(_ context.Context, key string, e *bib.Entry) error {
	if f.fail[key] {
		return fmt.Errorf("update %s: disk full", key)
	}
	f.written = append(f.written, key+"="+e.Get("pages"))
	return nil
}

// TestFixWriteRollbackErrors checks that a fix that fails puts back the entries it wrote, and
// that an entry it could not put back is named in the error rather than dropped.
func TestFixWriteRollbackErrors(t *testing.T) {
	entry := func(key, pages string) *bib.Entry {
		return &bib.Entry{Type: "misc", Key: key, Fields: []bib.Field{{Name: "pages", Raw: "{" + pages + "}", Value: pages}}}
	}
	before := []*bib.Entry{entry("a", "1-2"), entry("b", "3-4"), entry("c", "5-6")}
	after := []*bib.Entry{entry("a", "1--2"), entry("b", "3--4"), entry("c", "5--6")}

	// c fails: a and b are put back.
	lib := &failingUpdates{fail: map[string]bool{"c": true}}
	x := &entryFixes{lib: lib, before: before, after: after}
	err := x.write(context.Background(), after, before)
	if err == nil || strings.Contains(err.Error(), "put back") {
		t.Errorf("error = %v, want only the failed fix", err)
	}
	if want := []string{"a=1--2", "b=3--4", "b=3-4", "a=1-2"}; !slices.Equal(lib.written, want) {
		t.Errorf("written %v, want %v", lib.written, want)
	}

	// c fails, and so does putting b back (its fix was written): b is named, a is put back, and
	// the error says the library is left part fixed.
	lib = &failingUpdates{fail: map[string]bool{"c": true}}
	failB := &failBAfterWrite{failingUpdates: lib}
	x = &entryFixes{lib: failB, before: before, after: after}
	err = x.write(context.Background(), after, before)
	if err == nil || !strings.Contains(err.Error(), "fix c: update c: disk full") ||
		!strings.Contains(err.Error(), "put back b as it was: update b: disk full") ||
		!strings.Contains(err.Error(), "stay fixed") || strings.Contains(err.Error(), "put back a") {
		t.Errorf("error = %v", err)
	}
	if want := []string{"a=1--2", "b=3--4", "a=1-2"}; !slices.Equal(lib.written, want) {
		t.Errorf("written %v, want %v", lib.written, want)
	}
}

// failBAfterWrite fails every update of b after the first.
type failBAfterWrite struct {
	*failingUpdates
	wroteB bool
}

func (f *failBAfterWrite) UpdateEntry(ctx context.Context, key string, e *bib.Entry) error {
	if key == "b" {
		if f.wroteB {
			return fmt.Errorf("update %s: disk full", key)
		}
		f.wroteB = true
	}
	return f.failingUpdates.UpdateEntry(ctx, key, e)
}
