package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

const paneTestBib = `@article{alpha2020, title = {Alpha}, author = {Ann Smith}, journal = {J}, year = 2020}
@article{beta2021, title = {Beta}, author = {Bob Jones}, journal = {J}, year = 2021}
`

// newPaneLibrary opens a real library in a temporary folder holding the entries alpha2020 and
// beta2021, with a test app to build panes in.
func newPaneLibrary(t *testing.T) *storage.Library {
	t.Helper()
	test.NewTempApp(t)
	ctx := context.Background()
	lib, err := storage.Open(ctx, filepath.Join(t.TempDir(), "library.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	if _, err := lib.Import(ctx, bib.Parse("panes.bib", []byte(paneTestBib))); err != nil {
		t.Fatal(err)
	}
	return lib
}

// newTestNotes builds a notes pane in a window. Its saves and loads are waited for before the
// library closes.
func newTestNotes(t *testing.T, store noteStore) (*notesPane, *savedKeys) {
	t.Helper()
	saved := &savedKeys{}
	p := newNotesPane(store, newWorkQueue(), saved.add)
	w := test.NewTempWindow(t, p.content)
	w.Resize(fyne.NewSize(420, 360))
	t.Cleanup(func() {
		fyneDoAndWait(p.flush)
		p.queue.wait()
	})
	return p, saved
}

// savedKeys records the keys onSaved was called with.
type savedKeys struct {
	mu   sync.Mutex
	keys []string
}

func (s *savedKeys) add(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, key)
}

func (s *savedKeys) get() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.keys...)
}

// on runs f on the UI goroutine and then waits for the library calls it started, and the
// widget changes they make, so that the test reads the widgets after them.
func (p *notesPane) on(f func()) {
	fyneDoAndWait(f)
	p.queue.wait()
}

func storedNote(t *testing.T, lib *storage.Library, key string) string {
	t.Helper()
	n, err := lib.Note(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// hasHeading reports whether rt shows a heading with the given text.
func hasHeading(rt *widget.RichText, text string) bool {
	for _, s := range rt.Segments {
		if ts, ok := s.(*widget.TextSegment); ok && ts.Style == widget.RichTextStyleHeading && ts.Text == text {
			return true
		}
	}
	return false
}

func TestNotesEditFlushAndPreview(t *testing.T) {
	lib := newPaneLibrary(t)
	p, saved := newTestNotes(t, lib)

	p.on(func() { p.show("alpha2020") })
	if p.editor.Disabled() || p.editor.Text != "" || !p.editing.Visible() || p.viewing.Visible() {
		t.Fatalf("an empty note opens in the editor, enabled: disabled=%v text=%q editing=%v", p.editor.Disabled(), p.editor.Text, p.editing.Visible())
	}
	if p.editor.PlaceHolder != notesPlaceholder || !strings.Contains(p.editor.PlaceHolder, "Markdown") {
		t.Errorf("placeholder %q does not say the note is Markdown", p.editor.PlaceHolder)
	}

	const text = "# Reading notes\n\nThe *main* result is **strong**.\n\n- one\n- two"
	fyneDoAndWait(func() {
		test.Type(p.editor, "# Reading notes")
		p.editor.Append(strings.TrimPrefix(text, "# Reading notes"))
	})
	if p.status.Text != "Edited" {
		t.Errorf("status after typing is %q, want Edited", p.status.Text)
	}
	p.on(p.flush)
	if got := storedNote(t, lib, "alpha2020"); got != text {
		t.Errorf("library note after flush is %q, want %q", got, text)
	}
	if p.status.Text != "Saved" {
		t.Errorf("status after the save is %q, want Saved", p.status.Text)
	}
	if got := saved.get(); len(got) != 1 || got[0] != "alpha2020" {
		t.Errorf("onSaved got %v, want [alpha2020]", got)
	}

	p.on(func() { test.Tap(p.viewBtn) })
	if !p.viewing.Visible() || p.editing.Visible() {
		t.Error("Preview does not show the preview")
	}
	if !hasHeading(p.preview, "Reading notes") {
		t.Errorf("the preview has no heading \"Reading notes\": %#v", p.preview.Segments)
	}

	// Shown again, a note with text opens in the preview.
	p.on(p.clear)
	p.on(func() { p.show("alpha2020") })
	if !p.viewing.Visible() || p.editor.Text != text || !hasHeading(p.preview, "Reading notes") {
		t.Errorf("a saved note does not open in the preview: viewing=%v text=%q", p.viewing.Visible(), p.editor.Text)
	}
}

func TestNotesDebounceAndSaveOnSelectionChange(t *testing.T) {
	lib := newPaneLibrary(t)
	p, _ := newTestNotes(t, lib)
	p.on(func() { p.show("alpha2020") })

	fyneDoAndWait(func() { test.Type(p.editor, "typed") })
	if got := storedNote(t, lib, "alpha2020"); got != "" {
		t.Errorf("saved at once, before the typing stopped: %q", got)
	}
	p.queue.wait() // the debounce timer counts as pending until its save has run
	if got := storedNote(t, lib, "alpha2020"); got != "typed" {
		t.Errorf("after the debounce the note is %q, want typed", got)
	}
	if p.status.Text != "Saved" {
		t.Errorf("status is %q, want Saved", p.status.Text)
	}

	// A pending edit goes to the library when another entry is shown, and not to that entry.
	fyneDoAndWait(func() { test.Type(p.editor, " more") })
	p.on(func() { p.show("beta2021") })
	if got := storedNote(t, lib, "alpha2020"); got != "typed more" {
		t.Errorf("after switching entries the note is %q, want %q", got, "typed more")
	}
	if got := storedNote(t, lib, "beta2021"); got != "" || p.editor.Text != "" {
		t.Errorf("the other entry has the note %q and the editor %q, want nothing", got, p.editor.Text)
	}

	// Emptied, the note is deleted: the library has "" again.
	p.on(func() { p.show("alpha2020") })
	p.on(func() {
		p.onEdit()
		p.editor.SetText("")
		p.flush()
	})
	if got := storedNote(t, lib, "alpha2020"); got != "" {
		t.Errorf("an emptied note is %q, want it gone", got)
	}
	if keys := paneSearchKeys(t, lib, "typed"); keys != "" {
		t.Errorf("search still finds the emptied note: %q", keys)
	}
}

func paneSearchKeys(t *testing.T, lib *storage.Library, q string) string {
	t.Helper()
	rows, err := lib.Search(context.Background(), q, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range rows {
		keys = append(keys, r.Key)
	}
	return strings.Join(keys, " ")
}

// gatedNotes holds Note for one key until released, so that a test can select another entry
// while it is being read.
type gatedNotes struct {
	noteStore
	slow     string
	entered  chan struct{} // receives when Note(slow) starts
	release  chan struct{}
	once     *sync.Once
	failSave error
}

func newGatedNotes(t *testing.T, store noteStore, slow string) *gatedNotes {
	g := &gatedNotes{noteStore: store, slow: slow, entered: make(chan struct{}, 1)}
	g.rearm()
	t.Cleanup(g.open) // before the pane's cleanup waits for the reads, as cleanups run last first
	return g
}

func (g *gatedNotes) open() { g.once.Do(func() { close(g.release) }) }

// rearm holds the next read again. Call it when no read is waiting.
func (g *gatedNotes) rearm() {
	g.release, g.once = make(chan struct{}), &sync.Once{}
}

func (g *gatedNotes) Note(ctx context.Context, key string) (string, error) {
	if key == g.slow {
		g.entered <- struct{}{}
		<-g.release
	}
	return g.noteStore.Note(ctx, key)
}

func (g *gatedNotes) SetNote(ctx context.Context, key, markdown string) error {
	if g.failSave != nil {
		return g.failSave
	}
	return g.noteStore.SetNote(ctx, key, markdown)
}

func TestNotesStaleLoadIsDropped(t *testing.T) {
	lib := newPaneLibrary(t)
	ctx := context.Background()
	if err := lib.SetNote(ctx, "alpha2020", "# Alpha's note"); err != nil {
		t.Fatal(err)
	}
	if err := lib.SetNote(ctx, "beta2021", "# Beta's note"); err != nil {
		t.Fatal(err)
	}
	g := newGatedNotes(t, lib, "alpha2020")
	p, _ := newTestNotes(t, g)

	fyneDoAndWait(func() { p.show("alpha2020") })
	<-g.entered
	fyneDoAndWait(func() { p.show("beta2021") })
	if !p.editor.Disabled() {
		t.Error("the editor can be typed in while the note is read")
	}
	g.open()
	p.queue.wait()
	if p.key != "beta2021" || p.editor.Text != "# Beta's note" || !hasHeading(p.preview, "Beta's note") {
		t.Errorf("after the slow read of alpha2020 ended, the pane shows %q: %q", p.key, p.editor.Text)
	}

	// The same for a read that ends after the selection was cleared.
	g.rearm()
	fyneDoAndWait(func() { p.show("alpha2020") })
	<-g.entered
	fyneDoAndWait(p.clear)
	g.open()
	p.queue.wait()
	if p.body.Visible() || !p.message.Visible() || p.editor.Text != "" {
		t.Errorf("a read ending after clear shows the note: body=%v text=%q", p.body.Visible(), p.editor.Text)
	}
	if !strings.Contains(p.message.Text, "Select an entry") {
		t.Errorf("cleared pane says %q", p.message.Text)
	}
}

func TestNotesSaveErrorIsShown(t *testing.T) {
	lib := newPaneLibrary(t)
	g := newGatedNotes(t, lib, "")
	g.failSave = errors.New("disk full")
	p, saved := newTestNotes(t, g)
	p.on(func() { p.show("alpha2020") })
	p.on(func() {
		test.Type(p.editor, "lost?")
		p.flush()
	})
	if !strings.Contains(p.status.Text, "Could not save the note: disk full") {
		t.Errorf("status is %q, want the error", p.status.Text)
	}
	if len(saved.get()) != 0 {
		t.Errorf("onSaved was called for a failed save: %v", saved.get())
	}
	// The edit is kept as pending, so that the next flush tries again.
	g.failSave = nil
	p.on(p.flush)
	if got := storedNote(t, lib, "alpha2020"); got != "lost?" {
		t.Errorf("the retried save wrote %q", got)
	}
}
