package app

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	fynestorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/assets"
	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
	"github.com/bibshelf/bibshelf/storage"
)

func TestMain(m *testing.M) {
	// Fyne's test driver runs fyne.Do functions on the calling goroutines, at the same time.
	uiLock = &sync.Mutex{}
	code := m.Run()
	removeBenchLibrary()
	os.Exit(code)
}

// newTestUI opens a real library in a temporary folder, fills it with the sample library and
// builds the window over it with Fyne's test driver.
// newUI is New for a test: the indexing for search it may start, and the reloads that follow it,
// end with the test, not while the next one draws (Fyne's fonts are shared).
func newUI(tb testing.TB, a fyne.App, lib Library) *UI {
	u := New(a, lib)
	tb.Cleanup(func() {
		u.StopIndexing()
		u.follow.stop()
		eventually(tb, "the window to settle", u.settled)
		u.kept.stop()
	})
	return u
}

func newTestUI(t *testing.T) (*UI, *storage.Library) {
	t.Helper()
	lib := sampleLibrary(t)
	return shownUI(t, lib), lib
}

// sampleLibrary opens a new library holding the sample, closed at the end of the test.
func sampleLibrary(t *testing.T) *storage.Library {
	t.Helper()
	lib, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "library.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	if _, err := lib.Import(context.Background(), bib.Parse("sample-library.bib", assets.SampleLibrary)); err != nil {
		t.Fatal(err)
	}
	return lib
}

// shownUI shows a window of the test driver over lib.
func shownUI(t *testing.T, lib Library) *UI {
	t.Helper()
	u := newUI(t, test.NewTempApp(t), lib)
	u.Window().Resize(fyne.NewSize(1280, 800))
	u.Window().Show()
	// Work the test started must reach the widgets before the library closes under it.
	t.Cleanup(func() { eventually(t, "the window to settle", u.settled) })
	return u
}

// importText imports a file's text as the window's import flows do: counted as running (the
// window does not take the library's new revision for another program's change meanwhile).
// It runs off the UI goroutine.
func importText(u *UI, name, src string) {
	fyneDoAndWait(func() { u.imports.running++ })
	defer fyneDo(func() { u.imports.running-- })
	u.imports.importText(name, src)
}

// importFrom is importText of a file opened for reading, as File › Import… does.
func importFrom(u *UI, r fyne.URIReadCloser) {
	fyneDoAndWait(func() { u.imports.running++ })
	defer fyneDo(func() { u.imports.running-- })
	u.imports.importFrom(r)
}

// eventually waits until cond, read on the UI goroutine, holds, for up to 30 s: under the race
// detector, on a busy machine, showing an entry with a long abstract has taken 8 s (Fyne's
// word wrapping measures the text word by word).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ok bool
		fyneDoAndWait(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestListSearchAndSelect(t *testing.T) {
	u, _ := newTestUI(t)
	eventually(t, "56 rows, counted in the status line and the sidebar", func() bool {
		return u.settled() && u.Rows() == 56 && u.status.Text == "56 entries" && sideCount(u, idLibrary) == 56
	})

	// One change, not test.Type's keystroke per letter: Fyne's test driver runs fyne.Do on the
	// calling goroutine, so the results of a burst of searches can land out of order there.
	fyneDoAndWait(func() { u.search.SetText("pointer net") })
	eventually(t, "one match", func() bool {
		return u.settled() && u.Rows() == 1 && listKeys(u)[0] == "vinyals2015pointer" && strings.HasPrefix(u.status.Text, "1 of 56 entries · ")
	})

	fyneDoAndWait(func() { u.list.tap(0, 0) })
	eventually(t, "entry pane", func() bool {
		return u.detail.info.title.Text == "Pointer Networks" && u.detail.info.authors.Text == "Oriol Vinyals; Meire Fortunato; Navdeep Jaitly · 2015"
	})

	settle(t, u)
	fyneDoAndWait(func() { u.search.SetText("") })
	eventually(t, "all rows again", func() bool { return u.settled() && u.Rows() == 56 })
}

func TestEmptyLibraryExplains(t *testing.T) {
	a := test.NewTempApp(t)
	lib, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "empty.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	u := newUI(t, a, lib)
	eventually(t, "empty-library message", func() bool {
		return u.settled() && strings.Contains(u.detail.message.Text, "Import a .bib file")
	})
}

func TestImportShowsReport(t *testing.T) {
	u, lib := newTestUI(t)
	eventually(t, "56 rows", func() bool { return u.settled() && u.Rows() == 56 })
	path := filepath.Join(t.TempDir(), "new.bib")
	src := "@article{new1, title = {A new paper}, author = {Ada Lovelace}, year = 1843}\n" +
		"@article{broken, title = {Unclosed\n" +
		"@article{vinyals2015pointer, title = {Same key as the sample}}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := fynestorage.Reader(fynestorage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	importFrom(u, r)
	eventually(t, "59 rows", func() bool { return u.Rows() == 59 })
	if n, _ := lib.Count(context.Background()); n != 59 {
		t.Errorf("library has %d entries, want 59", n)
	}
	var text string
	fyneDoAndWait(func() {
		top := u.Window().Canvas().Overlays().Top()
		if top == nil {
			return
		}
		text = allText(top)
	})
	for _, want := range []string{
		"Imported 3 entries, skipped 0 duplicates, merged 0. 1 item had errors",
		"new.bib:2:26 error",
		"unbalanced braces",
		`new.bib:3:1 warning · entry "vinyals2015pointer"`,
		`imported as "vinyals2015pointera" (the library's "vinyals2015pointer" is another paper)`,
		"1 entry was imported under another key than its file gave it",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report does not show %q; it shows:\n%s", want, text)
		}
	}
	// Compare shows the two entries side by side.
	var compare *widget.Button
	fyneDoAndWait(func() {
		compare = overlayButton(u.Window(), "Compare Each With the Library's Entry…")
	})
	if compare == nil {
		t.Fatal("no Compare button")
	}
	fyneDoAndWait(func() { test.Tap(compare) })
	shown := ""
	defer func() {
		if t.Failed() {
			t.Logf("the window shows:\n%s", shown)
		}
	}()
	eventually(t, "the comparison", func() bool { // eventually runs this on the UI goroutine
		if top := u.Window().Canvas().Overlays().Top(); top != nil {
			shown = allText(top)
		}
		return strings.Contains(shown, "Two papers, one key") && strings.Contains(shown, "@inproceedings{vinyals2015pointer}") &&
			strings.Contains(shown, "@article{vinyals2015pointera}")
	})
}

// allText returns the text of every label and entry under o.
func allText(o fyne.CanvasObject) string {
	var b strings.Builder
	walk(o, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.Entry:
			b.WriteString(w.Text + "\n")
		case *widget.RichText:
			for _, s := range w.Segments {
				if t, ok := s.(*widget.TextSegment); ok {
					b.WriteString(t.Text + "\n")
				}
			}
		}
	})
	return b.String()
}

func TestExportFollowsSearchAndASCIIPreference(t *testing.T) {
	u, lib := newTestUI(t)
	eventually(t, "56 rows", func() bool { return u.settled() && u.Rows() == 56 })
	fyneDoAndWait(func() { u.search.SetText("biondi stationary") })
	eventually(t, "one match", func() bool { return u.settled() && u.Rows() == 1 })
	var opts storage.ExportOptions
	fyneDoAndWait(func() {
		u.app.Preferences().SetBool(prefExportASCII, true)
		opts = u.exportOptions()
	})
	var buf strings.Builder
	n, err := lib.Export(context.Background(), &buf, opts)
	if err != nil || n != 1 {
		t.Fatalf("export: %d, %v", n, err)
	}
	out := buf.String()
	if !strings.Contains(out, "@inproceedings{biondi2024stationary,") || !strings.Contains(out, "Niccol{\\`o}") || !isASCII(out) {
		t.Errorf("export is not the one ASCII entry:\n%s", out)
	}
}

func isASCII(s string) bool {
	for _, r := range s {
		if r > 127 {
			return false
		}
	}
	return true
}

func TestLargeImportShowsProgressThenReport(t *testing.T) {
	u, lib := newTestUI(t)
	eventually(t, "56 rows", func() bool { return u.Rows() == 56 })
	var src bytes.Buffer
	keywordsChoice.set(u.app.Preferences(), keywordsAlways) // this test is not about the question
	if err := bibtest.Synthetic(&src, progressFrom+200, 5); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "large.bib")
	if err := os.WriteFile(path, src.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := fynestorage.Reader(fynestorage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	importFrom(u, r)
	n, err := lib.Count(context.Background())
	if err != nil || n != 56+progressFrom+200 {
		t.Fatalf("library has %d entries (%v), want %d", n, err, 56+progressFrom+200)
	}
	var text string
	fyneDoAndWait(func() {
		if top := u.Window().Canvas().Overlays().Top(); top != nil {
			text = allText(top)
		}
	})
	if !strings.Contains(text, fmt.Sprintf("Imported %s entries,", thousands(progressFrom+200))) {
		t.Errorf("the report is not on top after the progress dialog closed:\n%.300s", text)
	}
}

func TestHeaderSortsTheList(t *testing.T) {
	u, lib := newTestUI(t)
	eventually(t, "the window to settle", func() bool { return u.settled() && u.Rows() == 56 })
	keys := func(opts storage.SearchOptions) []string {
		rows, err := lib.SearchWith(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		var ks []string
		for _, r := range rows {
			ks = append(ks, r.Key)
		}
		return ks
	}
	shown := func() []string { return listKeys(u) }
	byTitle := keys(storage.SearchOptions{Sort: "title"})
	byTitleDesc := keys(storage.SearchOptions{Sort: "title", Desc: true})
	if byTitle[0] == byTitleDesc[0] {
		t.Fatal("the two orders start alike: the test would prove nothing")
	}
	fyneDoAndWait(func() { u.list.sortBy(0) }) // as a tap on "Title"
	eventually(t, "sorted by title", func() bool { return u.settled() && slices.Equal(shown(), byTitle) })
	fyneDoAndWait(func() { u.list.sortBy(0) })
	eventually(t, "sorted by title, descending", func() bool { return u.settled() && slices.Equal(shown(), byTitleDesc) })
	fyneDoAndWait(func() { u.list.sortBy(2) })
	byYear := keys(storage.SearchOptions{Sort: "year"})
	eventually(t, "sorted by year", func() bool { return u.settled() && slices.Equal(shown(), byYear) })
}

func TestImportSeveralFilesMakesOneReport(t *testing.T) {
	u, lib := newTestUI(t)
	settle(t, u)
	dir := t.TempDir()
	var paths []string
	for i, src := range []string{
		"@article{one1, title = {One}, year = 2001}\n@article{one2, title = {Two}, year = 2002}\n",
		"@article{two1, title = {Three}, year = 2003}\n@article{broken, title = {Unclosed\n",
	} {
		p := filepath.Join(dir, fmt.Sprintf("f%d.bib", i))
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	fyneDoAndWait(func() { u.imports.importFiles(paths) })
	eventually(t, "the report", func() bool {
		top := u.Window().Canvas().Overlays().Top()
		return u.settled() && top != nil && strings.Contains(allText(top), "Imported 4 entries, skipped 0 duplicates, merged 0. 1 item had errors")
	})
	if n, _ := lib.Count(context.Background()); n != 60 {
		t.Errorf("library has %d entries, want 60", n)
	}
}

// tapInDialog taps the button of that label in the dialog on top.
func tapInDialog(t *testing.T, u *UI, label string) {
	t.Helper()
	found := false
	fyneDoAndWait(func() {
		top := u.Window().Canvas().Overlays().Top()
		if top == nil {
			return
		}
		walk(top, func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b.Text == label && !found {
				found = true
				test.Tap(b)
			}
		})
	})
	if !found {
		t.Fatalf("no %q button in the dialog on top", label)
	}
}

func TestImportOffersToSkipOrMergePossibleDuplicates(t *testing.T) {
	const again = "@inproceedings{pointer-again, author = {Vinyals, Oriol and Fortunato, Meire and Jaitly, Navdeep}, " +
		"title = {Pointer Networks}, booktitle = {NeurIPS}, year = 2015, note = {seen twice}}\n"
	for _, choice := range []string{"Move the New Ones to the Trash", "Merge Each Into the One There"} {
		t.Run(choice, func(t *testing.T) {
			u, lib := newTestUI(t)
			settle(t, u)
			u.imports.importParsed("again.bib", bib.Parse("again.bib", []byte(again)))
			eventually(t, "57 rows", func() bool { return u.settled() && u.Rows() == 57 })
			tapInDialog(t, u, choice)
			eventually(t, "56 rows", func() bool { return u.settled() && u.Rows() == 56 && sideCount(u, idTrash) == 1 })
			e, err := lib.Entry(context.Background(), "vinyals2015pointer")
			if err != nil {
				t.Fatal(err)
			}
			if merged := e.Get("note") == "seen twice"; merged != strings.HasPrefix(choice, "Merge") {
				t.Errorf("after %q the entry there has note %q", choice, e.Get("note"))
			}
		})
	}
}

// TestSlowChangeSaysSo runs a change that takes longer than slowChange: the status line says
// what is running until it ends.
func TestSlowChangeSaysSo(t *testing.T) {
	u, _ := newTestUI(t)
	eventually(t, "56 rows", func() bool { return u.settled() && u.Rows() == 56 })
	release := make(chan struct{})
	fyneDoAndWait(func() {
		u.run("Sort the shelves", func(context.Context) error { <-release; return nil }, func() { u.status.SetText("sorted") })
	})
	eventually(t, "the running change in the status line", func() bool { return u.status.Text == "Sort the shelves…" })
	close(release)
	eventually(t, "the end of the change in the status line", func() bool { return u.status.Text == "sorted" })
	// A quick change says nothing of itself.
	fyneDoAndWait(func() {
		u.run("Dust", func(context.Context) error { return nil }, func() { u.status.SetText("dusted") })
	})
	eventually(t, "the quick change's end", func() bool { return u.status.Text == "dusted" })
	time.Sleep(2 * slowChange)
	var text string
	fyneDoAndWait(func() { text = u.status.Text })
	if text != "dusted" {
		t.Errorf("status line %q after a quick change, want %q", text, "dusted")
	}
}

// pausingLibrary is a real library whose ImportReader stops twice, each time until told to go
// on: after saying it has read part of the file, and after naming the step that follows.
type pausingLibrary struct {
	*storage.Library
	paused, resume chan struct{}
}

func (p pausingLibrary) ImportReader(ctx context.Context, r bib.ItemReader, opts storage.ImportOptions) (storage.Report, error) {
	opts.Progress(500, 1200)
	p.paused <- struct{}{}
	<-p.resume
	opts.Progress(1200, 1200)
	opts.Stage(storage.StageSearch)
	p.paused <- struct{}{}
	<-p.resume
	return p.Library.ImportReader(ctx, r, opts)
}

// TestImportProgressSteps follows the progress dialog of a large import: a bar with the count
// while the items are read, then a bar that only says work goes on (animated only then), with
// the step named.
func TestImportProgressSteps(t *testing.T) {
	a := test.NewTempApp(t)
	lib, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "library.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	pl := pausingLibrary{lib, make(chan struct{}), make(chan struct{})}
	u := newUI(t, a, pl)
	u.Window().Show()
	settle(t, u)
	var src strings.Builder
	keywordsChoice.set(u.app.Preferences(), keywordsAlways) // this test is not about the question
	if err := bibtest.Synthetic(&src, progressFrom+200, 5); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { importText(u, "large.bib", src.String()); close(done) }()
	look := func() (busy *widget.ProgressBarInfinite, bar *widget.ProgressBar, text string) {
		fyneDoAndWait(func() {
			top := u.Window().Canvas().Overlays().Top()
			if top == nil {
				return
			}
			text = allText(top)
			walk(top, func(o fyne.CanvasObject) {
				switch w := o.(type) {
				case *widget.ProgressBarInfinite:
					busy = w
				case *widget.ProgressBar:
					bar = w
				}
			})
		})
		return busy, bar, text
	}
	<-pl.paused
	busy, bar, text := look()
	if busy == nil || bar == nil {
		t.Fatalf("no progress bars in the dialog: %q", text)
	}
	var running, busyShown, barShown bool
	fyneDoAndWait(func() { running, busyShown, barShown = busy.Running(), busy.Visible(), bar.Visible() })
	if running || busyShown || !barShown || !strings.Contains(text, "500 of 1,200 items read") {
		t.Errorf("while reading: busy bar running %v, shown %v; count bar shown %v; text %q", running, busyShown, barShown, text)
	}
	pl.resume <- struct{}{}
	<-pl.paused
	_, _, text = look()
	fyneDoAndWait(func() { running, busyShown, barShown = busy.Running(), busy.Visible(), bar.Visible() })
	if !running || !busyShown || barShown || !strings.Contains(text, "All 1,200 items read; now indexing for search") {
		t.Errorf("after reading: busy bar running %v, shown %v; count bar shown %v; text %q", running, busyShown, barShown, text)
	}
	pl.resume <- struct{}{}
	<-done
	fyneDoAndWait(func() { running = busy.Running() })
	if running {
		t.Error("the busy bar still runs after the import")
	}
}

// heldIndexing is a real library whose IndexPending waits until told to go on.
type heldIndexing struct {
	*storage.Library
	held chan struct{}
}

func (h heldIndexing) IndexPending(ctx context.Context) error {
	// The indexer asks also when no entry waits (for the list's indexes an import left to
	// later): that finds nothing to do, and is not held.
	if n, err := h.Library.PendingSearch(ctx); err != nil || n == 0 {
		return h.Library.IndexPending(ctx)
	}
	select {
	case <-h.held:
	case <-ctx.Done():
		return ctx.Err()
	}
	return h.Library.IndexPending(ctx)
}

// TestIndexingAfterImport imports a file large enough to be indexed for search after its
// commit: its entries are listed at once, the status line says words do not find them yet, and
// once indexed the search shown finds them and the status says no more.
func TestIndexingAfterImport(t *testing.T) {
	a := test.NewTempApp(t)
	lib, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "library.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	h := heldIndexing{lib, make(chan struct{})}
	u := newUI(t, a, h)
	u.Window().Show()
	settle(t, u)
	var src strings.Builder
	keywordsChoice.set(u.app.Preferences(), keywordsAlways) // this test is not about the question
	if err := bibtest.Synthetic(&src, 600, 3); err != nil {
		t.Fatal(err)
	}
	first := bib.ParseString("t.bib", src.String()).Entries()[0]
	importText(u, "many.bib", src.String())
	eventually(t, "the entries listed, waiting for the index", func() bool {
		return u.settled() && u.Rows() == 600 && strings.HasSuffix(u.status.Text, " · indexing 600 new entries for search…")
	})
	fyneDoAndWait(func() { u.search.SetText("key:" + first.Key) })
	eventually(t, "a search before indexing", func() bool {
		return u.settled() && u.Rows() == 0 && strings.Contains(u.status.Text, "indexing 600 new entries")
	})
	close(h.held)
	eventually(t, "the search again once indexed", func() bool {
		return u.settled() && u.Rows() == 1 && !strings.Contains(u.status.Text, "indexing")
	})
	if n, err := lib.PendingSearch(context.Background()); n != 0 || err != nil {
		t.Errorf("PendingSearch = %d, %v", n, err)
	}
}

// dialogItem returns the tappable widget of the dialog on top that holds a label with that
// text, such as an item of a file dialog; nil when there is none. Call it on the UI goroutine.
func dialogItem(u *UI, text string) fyne.Tappable {
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	var found fyne.Tappable
	var visit func(o fyne.CanvasObject, holder fyne.Tappable)
	visit = func(o fyne.CanvasObject, holder fyne.Tappable) {
		if t, ok := o.(fyne.Tappable); ok {
			holder = t
		}
		if l, ok := o.(*widget.Label); ok && l.Text == text && holder != nil && found == nil {
			found = holder
		}
		switch w := o.(type) {
		case *fyne.Container:
			for _, c := range w.Objects {
				visit(c, holder)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				visit(c, holder)
			}
		}
	}
	visit(top, nil)
	return found
}

// TestImportDialogDoubleClickOpensAFolder double-clicks a folder in the Open dialog of Import
// BibTeX…: the dialog shows the folder, and imports nothing. Fyne's dialog opens the folder on
// the first click and gives the second to the item now in its place, the folder's first file.
func TestImportDialogDoubleClickOpensAFolder(t *testing.T) {
	u, lib := newTestUI(t)
	settle(t, u)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "inside.bib"), []byte("@misc{inside, title = {Inside}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fyneDoAndWait(func() {
		u.app.Preferences().SetString(prefImportFolder, dir)
		u.imports.onImport()
	})
	var folder fyne.Tappable
	fyneDoAndWait(func() { folder = dialogItem(u, "sub") })
	if folder == nil {
		t.Fatal("the Open dialog shows no folder sub")
	}
	// The two clicks of a double-click, on the same spot.
	fyneDoAndWait(func() { folder.Tapped(&fyne.PointEvent{}) })
	fyneDoAndWait(func() { folder.Tapped(&fyne.PointEvent{}) })
	settle(t, u)
	if n, _ := lib.Count(context.Background()); n != 56 {
		t.Errorf("a double-click on a folder imported: the library has %d entries", n)
	}
	fyneDoAndWait(func() {
		if dialogItem(u, "inside") == nil && dialogItem(u, "inside.bib") == nil {
			t.Error("the Open dialog does not show the folder double-clicked")
		}
	})
}

// blockingSearches is a library whose searches for one query wait until their context ends.
type blockingSearches struct {
	*storage.Library
	query     string
	cancelled chan error // gets the error of each blocked search's context
}

func (b *blockingSearches) SearchWith(ctx context.Context, opts storage.SearchOptions) ([]storage.Row, error) {
	if opts.Query == b.query {
		<-ctx.Done()
		b.cancelled <- ctx.Err()
		return nil, ctx.Err()
	}
	return b.Library.SearchWith(ctx, opts)
}

// A search replaced by newer typing is cancelled, not run to its end before the newer one.
func TestSupersededSearchIsCancelled(t *testing.T) {
	lib := sampleLibrary(t)
	b := &blockingSearches{Library: lib, query: "slow", cancelled: make(chan error, 1)}
	u := shownUI(t, b)
	settle(t, u)
	fyneDoAndWait(func() { u.search.SetText("slow") })
	fyneDoAndWait(func() { u.search.SetText("pointer") })
	select {
	case err := <-b.cancelled:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the superseded search ended with %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the superseded search was not cancelled")
	}
	showsExactly(t, u, "the newer search", searchKeys(t, lib, "pointer"))
}

// Enum preferences are stored by name: reordering a list of options never changes what a user
// chose. A setting stored as an index by an older release is read by the order of its time.
func TestChoicesAreStoredByName(t *testing.T) {
	p := test.NewTempApp(t).Preferences()
	dialectChoice.set(p, bib.BibLaTeX)
	if got := p.String(prefExportDialect); got != "biblatex" {
		t.Errorf("stored %q, want biblatex", got)
	}
	reordered := dialectChoice
	reordered.options = slices.Clone(dialectChoice.options)
	slices.Reverse(reordered.options)
	if got := reordered.get(p); got != bib.BibLaTeX {
		t.Errorf("after reordering the options: %v, want BibLaTeX", got)
	}
	p.RemoveValue(prefDuplicates)
	p.SetInt(prefDuplicates, 1) // an older release: the second option, Skip
	if got := duplicatesChoice.get(p); got != storage.SkipDuplicates {
		t.Errorf("a setting stored as an index: %v, want SkipDuplicates", got)
	}
	p.SetString(prefDuplicates, "no-such-option")
	if got := duplicatesChoice.get(p); got != storage.ImportDuplicates {
		t.Errorf("a name of no option: %v, want the default", got)
	}
}

// Escape closes the dialog on top as its Cancel button does, and Enter answers a question with
// its confirm button, when no field has the keyboard.
func TestDialogKeys(t *testing.T) {
	u, lib := newTestUI(t)
	ctx := context.Background()
	if _, err := lib.Trash(ctx, "vinyals2015pointer"); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	key := func(name fyne.KeyName) {
		fyneDoAndWait(func() { u.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: name}) })
	}
	fyneDoAndWait(u.onEmptyTrash)
	eventually(t, "the question", func() bool { return u.dialogOpen() })
	key(fyne.KeyEscape)
	eventually(t, "the question gone", func() bool { return !u.dialogOpen() })
	if rows, _ := lib.Trashed(ctx, 0, -1); len(rows) != 1 {
		t.Fatalf("Escape emptied the trash: %d left", len(rows))
	}
	fyneDoAndWait(u.onEmptyTrash)
	eventually(t, "the question", func() bool { return u.dialogOpen() })
	key(fyne.KeyReturn)
	eventually(t, "the trash emptied", func() bool {
		rows, _ := lib.Trashed(ctx, 0, -1)
		return u.settled() && !u.dialogOpen() && len(rows) == 0
	})
}

// Enter closes a message (an error, say) as its OK button does, and leaves a dialog with
// buttons of its own alone.
func TestEnterClosesMessage(t *testing.T) {
	u, _ := newTestUI(t)
	settle(t, u)
	key := func(name fyne.KeyName) {
		fyneDoAndWait(func() { u.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: name}) })
	}
	for _, d := range []dialog.Dialog{
		dialog.NewError(errors.New("export: write refs.bib: no such file or directory"), u.win),
		dialog.NewInformation("Export Selection", "Select the entries to export first.", u.win),
	} {
		fyneDoAndWait(func() { u.dialogs.show(d) })
		eventually(t, "the message", func() bool { return u.dialogOpen() })
		key(fyne.KeyReturn)
		eventually(t, "the message gone", func() bool { return !u.dialogOpen() })
	}
	var custom *dialog.CustomDialog
	fyneDoAndWait(func() {
		custom = dialog.NewCustomWithoutButtons("Choose", widget.NewLabel("Pick one of the buttons."), u.win)
		u.dialogs.show(custom)
	})
	key(fyne.KeyReturn)
	fyneDoAndWait(func() {})
	if !u.dialogOpen() {
		t.Error("Enter closed a dialog of buttons of its own")
	}
	fyneDoAndWait(custom.Hide)
}

// An import whose keywords would make many new tags asks first, with their count: Keep Them
// as Keywords Only imports the entries without the tags, Cancel Import imports nothing.
func TestImportAsksBeforeManyTags(t *testing.T) {
	u, lib := newTestUI(t)
	settle(t, u)
	var src strings.Builder
	for i := range 30 {
		fmt.Fprintf(&src, "@misc{kw%d, title = {Keyworded %d}, keywords = {word%d, shared}}\n", i, i, i)
	}
	tapAnswer := func(label string) {
		t.Helper()
		eventually(t, "the question", func() bool {
			_, ok := u.inDialog["button:"+label].(*widget.Button)
			msg, _ := u.inDialog["text:0"].(*widget.Label)
			return ok && msg != nil && u.dialogOpen() && strings.Contains(msg.Text, "31 words that are not tags yet")
		})
		fyneDoAndWait(func() { test.Tap(u.inDialog["button:"+label].(*widget.Button)) })
	}
	done := make(chan struct{})
	go func() { importText(u, "keywords.bib", src.String()); close(done) }()
	tapAnswer("Cancel Import")
	<-done
	if n, _ := lib.Count(context.Background()); n != 56 {
		t.Fatalf("Cancel Import imported: %d entries", n)
	}
	done = make(chan struct{})
	go func() { importText(u, "keywords.bib", src.String()); close(done) }()
	tapAnswer("Keep Them as Keywords Only")
	<-done
	settle(t, u)
	if n, _ := lib.Count(context.Background()); n != 86 {
		t.Errorf("%d entries after the import, want 86", n)
	}
	if tags, _ := lib.EntryTags(context.Background(), "kw1"); len(tags) != 0 {
		t.Errorf("kw1 has the tags %v; the keywords were to stay keywords only", tags)
	}
}

// TestProblemEntry: a problem of an import opens the entry it is in, under the key the library
// gave it when the file's key was another paper's.
func TestProblemEntry(t *testing.T) {
	rep := storage.Report{Renamed: []storage.KeyChange{
		{File: "a.bib", Line: 10, Old: "x", New: "xa", Existing: "x", InFile: true},
		{File: "a.bib", Line: 20, Old: "x", New: "xb", Existing: "x", InFile: true},
		{File: "b.bib", Line: 5, Old: "y", New: "y", Existing: "y", Duplicate: true},
	}}
	for _, tt := range []struct {
		p    bib.Problem
		want string
	}{
		{bib.Problem{File: "a.bib", Line: 3, Key: "x"}, "x"},      // the first x kept its key
		{bib.Problem{File: "a.bib", Line: 12, Key: "x"}, "xa"},    // in the second
		{bib.Problem{File: "a.bib", Line: 25, Key: "x"}, "xb"},    // in the third
		{bib.Problem{File: "other.bib", Line: 25, Key: "x"}, "x"}, // another file's x
		{bib.Problem{File: "a.bib", Line: 1}, ""},                 // in no entry
		{bib.Problem{File: "b.bib", Line: 6, Key: "y"}, "y"},
	} {
		if got := problemEntry(rep, tt.p); got != tt.want {
			t.Errorf("problemEntry(%s:%d %q) = %q, want %q", tt.p.File, tt.p.Line, tt.p.Key, got, tt.want)
		}
	}
}

// TestSelectAdded: an import selects the entries it added, up to maxSelectAdded; a larger one
// leaves the selection to its report.
func TestSelectAdded(t *testing.T) {
	keys := func(n int) []string {
		k := make([]string, n)
		for i := range k {
			k[i] = fmt.Sprintf("k%d", i)
		}
		return k
	}
	if got := selectAdded(storage.Report{Added: keys(maxSelectAdded)}); len(got) != maxSelectAdded {
		t.Errorf("%d added: %d selected, want all", maxSelectAdded, len(got))
	}
	if got := selectAdded(storage.Report{Added: keys(maxSelectAdded + 1)}); got != nil {
		t.Errorf("%d added: %d selected, want none", maxSelectAdded+1, len(got))
	}
}

// TestImportMEDLINE: the window imports PubMed's MEDLINE text as such, whatever the file's name,
// through the same report as BibTeX.
func TestImportMEDLINE(t *testing.T) {
	u, lib := newTestUI(t)
	src, err := os.ReadFile(filepath.Join("..", "bib", "medline", "testdata", "zotero-3-doi.nbib"))
	if err != nil {
		t.Fatal(err)
	}
	keywordsChoice.set(u.app.Preferences(), keywordsNever)
	settle(t, u)
	before := u.Rows()
	importText(u, "pubmed-download.txt", string(src))
	eventually(t, "the entry listed", func() bool { return u.settled() && u.Rows() == before+1 })
	var rep *storage.Report
	fyneDoAndWait(func() { rep = u.lastReport })
	if rep == nil || rep.Imported != 1 || len(rep.Added) != 1 {
		t.Fatalf("report %+v", rep)
	}
	e, err := lib.Entry(context.Background(), rep.Added[0])
	if err != nil || e.Get("doi") == "" || e.Get("pmid") == "" {
		t.Errorf("the entry %v has no doi or pmid (%v)", e, err)
	}
}

// TestCloseWhileImporting: closing the window while an import runs asks first, as closing
// leaves nothing of the import; the window stays open until the answer.
func TestCloseWhileImporting(t *testing.T) {
	u, _ := newTestUI(t)
	settle(t, u)
	var asked bool
	fyneDoAndWait(func() {
		u.imports.running++
		u.onClose()
		asked = u.dialogOpen()
	})
	if !asked {
		t.Fatal("closing while importing asked nothing")
	}
	fyneDoAndWait(func() {
		u.dialogs.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) // No: the window stays
		u.imports.running--
	})
	if st := u.status.Text; st == "Saving…" {
		t.Error("the window began to close after No")
	}
}

// TestIndexingListIndexesLeft: a library whose import left the list's indexes to later, and
// whose entries waiting for the search index were deleted since, gets those indexes when the
// window opens, though no entry waits for the search index.
func TestIndexingListIndexesLeft(t *testing.T) {
	ctx := context.Background()
	a := test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "library.sqlite")
	lib, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	var src strings.Builder
	if err := bibtest.Synthetic(&src, 600, 3); err != nil {
		t.Fatal(err)
	}
	var keys []string
	f := bib.ParseString("t.bib", src.String())
	for _, e := range f.Entries() {
		keys = append(keys, e.Key)
	}
	if _, err := lib.ImportWith(ctx, f, storage.ImportOptions{IndexLater: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Trash(ctx, keys...); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.EmptyTrash(ctx); err != nil {
		t.Fatal(err)
	}
	left := func() (n int) {
		db, err := sql.Open("sqlite3", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.QueryRow(`SELECT count(*) FROM index_pending`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n, err := lib.PendingSearch(ctx); n != 0 || err != nil || left() == 0 {
		t.Fatalf("before the window: %d entries pending (%v), %d indexes", n, err, left())
	}
	u := newUI(t, a, lib)
	u.Window().Show()
	settle(t, u)
	eventually(t, "the list's indexes made", func() bool { return left() == 0 })
}

// TestStateLineLong: a long state line of a shared library does not widen the window (its
// minimum width), takes its whole text when the row has room, and is cut with an ellipsis, the
// status line keeping the rest of the row, when it has not.
func TestStateLineLong(t *testing.T) {
	a := test.NewTempApp(t)
	lib, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "library.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	u := newUI(t, a, lib)
	u.Window().Show()
	settle(t, u)
	var before, after fyne.Size
	long := "Shared: connected · 1 change refused: you may only read (click here) · 3 conflicts (both versions kept)"
	fyneDoAndWait(func() {
		before = u.win.Content().MinSize()
		u.shared.label.SetText(long)
		u.shared.label.Show()
		after = u.win.Content().MinSize()
	})
	if after.Width > before.Width+60 {
		t.Errorf("the window's minimum width went from %v to %v with a long state line", before.Width, after.Width)
	}
	// The state line takes what the status line's text leaves, and keeps stateShare of the row
	// beside a long one; a new status text places it again.
	for _, status := range []string{"57 entries", "Moved 2 entries to the Trash: Edit › Undo (Ctrl+Z) brings them back, selected as they were"} {
		for _, width := range []float32{1600, 1200, 900} {
			var state, shown fyne.Size
			var natural, need float32
			fyneDoAndWait(func() {
				u.status.SetText(status)
				u.win.Resize(fyne.NewSize(width, 800))
				u.win.Content().Refresh()
				state, shown, natural, need = u.shared.label.Size(), u.status.Size(), u.shared.label.naturalWidth(), textWidth(&u.status.Label)
			})
			row := state.Width + theme.Padding() + shown.Width
			want := min(natural, max(row-theme.Padding()-need, row*stateShare))
			if state.Width < want-1 || state.Width > want+1 {
				t.Errorf("at %v beside %q: the state line is %v wide and the status %v; want the state line %v (its text %v, the status's %v)",
					width, status, state.Width, shown.Width, want, natural, need)
			}
		}
	}
}
