package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	fynestorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage"
)

// attachmentsHarness is an attachments pane in a window, recording what it opened and which
// entries it changed.
type attachmentsHarness struct {
	p   *attachmentsPane
	win fyne.Window

	mu      sync.Mutex
	opened  []string
	changed []string
}

func newTestAttachments(t *testing.T, store attachmentStore) *attachmentsHarness {
	t.Helper()
	h := &attachmentsHarness{}
	h.win = test.NewTempWindow(t, nil)
	h.p = newAttachmentsPane(store, newWorkQueue(), h.win, h.open, h.onChanged)
	h.win.SetContent(h.p.content)
	h.win.Resize(fyne.NewSize(480, 400))
	t.Cleanup(h.p.queue.wait)
	return h
}

func (h *attachmentsHarness) open(path string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.opened = append(h.opened, path)
	return nil
}

func (h *attachmentsHarness) onChanged(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.changed = append(h.changed, key)
}

// on runs f on the UI goroutine and then waits for the library calls it started.
func (h *attachmentsHarness) on(f func()) {
	fyneDoAndWait(f)
	h.p.queue.wait()
}

// rows returns the text of each row: its file name and its second line.
func (h *attachmentsHarness) rows() []string {
	var out []string
	for _, r := range h.p.rows {
		out = append(out, r.name.Text+" | "+r.detail.Text)
	}
	return out
}

// overlayButton returns the button labelled text in the window's top overlay, as a dialog
// shows it; nil when there is none.
func overlayButton(w fyne.Window, text string) *widget.Button {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	var found *widget.Button
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, child := range c.Objects {
				walk(child)
			}
		} else if wd, ok := o.(fyne.Widget); ok {
			for _, child := range test.WidgetRenderer(wd).Objects() {
				walk(child)
			}
		}
	}
	walk(top)
	return found
}

func writeAttachmentFiles(t *testing.T, names ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("content of "+n), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func attachedPaths(t *testing.T, lib *storage.Library, key string) []string {
	t.Helper()
	atts, err := lib.Attachments(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range atts {
		out = append(out, a.Path)
	}
	return out
}

func TestAttachmentsAddOpenMissingRemove(t *testing.T) {
	lib := newPaneLibrary(t)
	h := newTestAttachments(t, lib)
	p := h.p
	files := writeAttachmentFiles(t, "paper.pdf", "data.csv")
	dir := filepath.Dir(files[0])

	if !p.message.Visible() || p.message.Text != attachmentsNoEntry || !p.addBtn.Disabled() {
		t.Errorf("with no entry: message %q visible=%v, add disabled=%v", p.message.Text, p.message.Visible(), p.addBtn.Disabled())
	}
	h.on(func() { p.show("alpha2020") })
	if !p.message.Visible() || p.message.Text != attachmentsEmpty || p.addBtn.Disabled() || len(p.rows) != 0 {
		t.Errorf("an entry without files: message %q visible=%v, rows %v", p.message.Text, p.message.Visible(), h.rows())
	}

	h.on(func() { p.add(files) })
	want := []string{"paper.pdf | " + dir, "data.csv | " + dir}
	if got := h.rows(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows are\n%q\nwant\n%q", got, want)
	}
	if got := attachedPaths(t, lib, "alpha2020"); strings.Join(got, " ") != strings.Join(files, " ") {
		t.Errorf("library has %q, want %q", got, files)
	}
	if p.message.Visible() || p.errors.Visible() {
		t.Errorf("message %q or error %q still shown", p.message.Text, p.errors.Text)
	}
	h.mu.Lock()
	changed := strings.Join(h.changed, " ")
	h.mu.Unlock()
	if changed != "alpha2020" {
		t.Errorf("onChanged got %q, want alpha2020", changed)
	}

	fyneDoAndWait(func() { test.Tap(p.rows[0].openBtn) })
	h.mu.Lock()
	opened := strings.Join(h.opened, " ")
	h.mu.Unlock()
	if opened != files[0] {
		t.Errorf("Open opened %q, want %q", opened, files[0])
	}

	// A file gone from the disk is marked, and cannot be opened.
	if err := os.Remove(files[1]); err != nil {
		t.Fatal(err)
	}
	h.on(func() { p.show("alpha2020") })
	if len(p.rows) != 2 {
		t.Fatalf("rows after the file went: %q", h.rows())
	}
	r := p.rows[1]
	if !strings.Contains(r.detail.Text, "File not found") || r.detail.Importance != widget.WarningImportance || !r.openBtn.Disabled() {
		t.Errorf("missing file row: %q importance=%v open disabled=%v", r.detail.Text, r.detail.Importance, r.openBtn.Disabled())
	}
	if p.rows[0].openBtn.Disabled() || strings.Contains(p.rows[0].detail.Text, "not found") {
		t.Errorf("present file row marked missing: %q", p.rows[0].detail.Text)
	}

	// Remove asks; Cancel keeps the file attached.
	fyneDoAndWait(func() { test.Tap(p.rows[0].remove) })
	var cancel, confirm *widget.Button
	var question string
	fyneDoAndWait(func() {
		cancel, confirm = overlayButton(h.win, "Cancel"), overlayButton(h.win, "Remove")
		if top := h.win.Canvas().Overlays().Top(); top != nil {
			question = allLabels(top)
		}
	})
	if cancel == nil || confirm == nil {
		t.Fatal("Remove shows no dialog with Cancel and Remove")
	}
	if !strings.Contains(question, "paper.pdf") || !strings.Contains(question, "not deleted") {
		t.Errorf("the confirmation says %q; it should name the file and say it is not deleted", question)
	}
	h.on(func() { test.Tap(cancel) })
	if got := attachedPaths(t, lib, "alpha2020"); len(got) != 2 {
		t.Errorf("Cancel removed an attachment: %q", got)
	}

	fyneDoAndWait(func() { test.Tap(p.rows[0].remove) })
	fyneDoAndWait(func() { confirm = overlayButton(h.win, "Remove") })
	if confirm == nil {
		t.Fatal("the second Remove shows no dialog")
	}
	h.on(func() { test.Tap(confirm) })
	if got := attachedPaths(t, lib, "alpha2020"); len(got) != 1 || got[0] != files[1] {
		t.Errorf("after Remove the library has %q, want only %q", got, files[1])
	}
	if got := h.rows(); len(got) != 1 || !strings.HasPrefix(got[0], "data.csv") {
		t.Errorf("after Remove the rows are %q", got)
	}
	if _, err := os.Stat(files[0]); err != nil {
		t.Errorf("removing the attachment touched the file: %v", err)
	}
}

// allLabels returns the text of every label under o.
func allLabels(o fyne.CanvasObject) string {
	var b strings.Builder
	walk(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}

func TestAttachmentsErrorsAreShown(t *testing.T) {
	lib := newPaneLibrary(t)
	h := newTestAttachments(t, lib)
	p := h.p
	files := writeAttachmentFiles(t, "ok.pdf")

	h.on(func() { p.add(files) })
	if !p.errors.Visible() || !strings.Contains(p.errors.Text, "select an entry") {
		t.Errorf("adding with no entry selected: error %q visible=%v", p.errors.Text, p.errors.Visible())
	}

	h.on(func() { p.show("beta2021") })
	if p.errors.Visible() {
		t.Errorf("showing an entry keeps the old error %q", p.errors.Text)
	}
	gone := filepath.Join(t.TempDir(), "gone.pdf")
	h.on(func() { p.add([]string{gone, files[0]}) })
	if !p.errors.Visible() || !strings.Contains(p.errors.Text, "attach gone.pdf") {
		t.Errorf("error is %q, want it to name gone.pdf", p.errors.Text)
	}
	if got := h.rows(); len(got) != 1 || !strings.HasPrefix(got[0], "ok.pdf") {
		t.Errorf("the good file was not attached beside the bad one: %q", got)
	}

	// An entry the library does not have: the list's error, not a crash.
	h.on(func() { p.show("nosuchkey") })
	if !p.errors.Visible() || !strings.Contains(p.errors.Text, "list attached files") {
		t.Errorf("error for a missing entry is %q", p.errors.Text)
	}
}

func TestAttachmentsDropAndDialog(t *testing.T) {
	lib := newPaneLibrary(t)
	h := newTestAttachments(t, lib)
	p := h.p
	files := writeAttachmentFiles(t, "dropped.pdf")
	h.on(func() { p.show("alpha2020") })
	web, _ := fynestorage.ParseURI("https://example.com/x.pdf")
	h.on(func() { p.onDropped(fyne.NewPos(0, 0), []fyne.URI{fynestorage.NewFileURI(files[0]), web}) })
	if got := attachedPaths(t, lib, "alpha2020"); len(got) != 1 || got[0] != files[0] {
		t.Errorf("drop attached %q, want the one local file", got)
	}

	fyneDoAndWait(func() { test.Tap(p.addBtn) })
	var attach *widget.Button
	fyneDoAndWait(func() { attach = overlayButton(h.win, "Attach") })
	if attach == nil {
		t.Error("Add file… opens no file dialog with Attach")
	}

	if err := openWithSystem(fyne.CurrentApp())(files[0]); err != nil {
		t.Errorf("openWithSystem: %v", err)
	}
}

// gatedAttachments holds the listing of one key until released.
type gatedAttachments struct {
	attachmentStore
	slow    string
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gatedAttachments) Attachments(ctx context.Context, key string) ([]storage.Attachment, error) {
	if key == g.slow {
		g.entered <- struct{}{}
		<-g.release
	}
	return g.attachmentStore.Attachments(ctx, key)
}

func (g *gatedAttachments) open() { g.once.Do(func() { close(g.release) }) }

func TestAttachmentsStaleListIsDropped(t *testing.T) {
	lib := newPaneLibrary(t)
	files := writeAttachmentFiles(t, "alpha.pdf", "beta.pdf")
	ctx := context.Background()
	if _, err := lib.AddAttachment(ctx, "alpha2020", files[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.AddAttachment(ctx, "beta2021", files[1]); err != nil {
		t.Fatal(err)
	}
	g := &gatedAttachments{attachmentStore: lib, slow: "alpha2020", entered: make(chan struct{}, 1), release: make(chan struct{})}
	h := newTestAttachments(t, g)
	t.Cleanup(g.open)
	p := h.p

	fyneDoAndWait(func() { p.show("alpha2020") })
	<-g.entered
	fyneDoAndWait(p.clear)
	g.open()
	p.queue.wait()
	if len(p.rows) != 0 || p.message.Text != attachmentsNoEntry || !p.addBtn.Disabled() {
		t.Errorf("a list ending after clear shows rows %q, message %q", h.rows(), p.message.Text)
	}

	h.on(func() { p.show("beta2021") })
	if got := h.rows(); len(got) != 1 || !strings.HasPrefix(got[0], "beta.pdf") {
		t.Errorf("beta2021's rows are %q", got)
	}
}
