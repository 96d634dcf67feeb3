package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// TestOpenSlowly checks the window that says a library is being brought up to date: it is up
// while the opening runs, the result reaches the callback, and it closes after.
func TestOpenSlowly(t *testing.T) {
	a := test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "lib.sqlite")
	release := make(chan struct{})
	got := make(chan *storage.Library, 1)
	wait := openSlowly(a, upgradeMessage, func() (opened, error) {
		<-release
		lib, err := storage.Open(context.Background(), path)
		return opened{lib: lib}, err
	}, func(l opened, err error) {
		if err != nil {
			t.Error(err)
		}
		got <- l.lib
	})
	if !windowOpen(a, wait) || !strings.Contains(allLabels(wait.Content()), "up to date") {
		t.Fatalf("while opening: windows %d, text %q", len(a.Driver().AllWindows()), allLabels(wait.Content()))
	}
	close(release)
	l := <-got
	defer l.Close()
	// It closes right after the callback, which this test receives from.
	for deadline := time.Now().Add(5 * time.Second); windowOpen(a, wait); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the waiting window is still open after the library opened")
		}
	}

	// A library that cannot be opened reaches the callback as an error.
	fail := make(chan error, 1)
	openSlowly(a, upgradeMessage, func() (opened, error) { return opened{}, errors.New("no") },
		func(_ opened, err error) { fail <- err })
	if err := <-fail; err == nil {
		t.Error("the error did not reach the callback")
	}
}

func windowOpen(a fyne.App, w fyne.Window) bool {
	for _, o := range a.Driver().AllWindows() {
		if o == w {
			return true
		}
	}
	return false
}

// TestOpenLibrarySample checks the first start: a library asked to have the sample gets it when
// it is new, and only then.
func TestOpenLibrarySample(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	count := func(path string, sample bool) int {
		t.Helper()
		lib, err := openLibrary(ctx, path, sample)
		if err != nil {
			t.Fatal(err)
		}
		defer lib.Close()
		n, err := lib.Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	withSample := filepath.Join(dir, "default.sqlite")
	if n := count(withSample, true); n == 0 {
		t.Error("a new library asked to have the sample is empty")
	}
	// A library there before, even an empty one, is left as it is.
	existing := filepath.Join(dir, "existing.sqlite")
	lib, err := storage.Open(ctx, existing)
	if err != nil {
		t.Fatal(err)
	}
	lib.Close()
	if n := count(existing, true); n != 0 {
		t.Errorf("an existing library got the sample: %d entries", n)
	}
	if n := count(filepath.Join(dir, "other.sqlite"), false); n != 0 {
		t.Errorf("a new library not asked to have the sample has %d entries", n)
	}
}

// TestAroundImport: Options.AroundImport is called as each of the window's imports starts, and
// what it returns as the import ends.
func TestAroundImport(t *testing.T) {
	ctx := context.Background()
	var events []string
	lib := sampleLibrary(t)
	if _, ok := (Options{}).library(lib).(*storage.Library); !ok {
		t.Error("without AroundImport the window does not read the library itself")
	}
	l := Options{AroundImport: func() func() {
		events = append(events, "start")
		return func() { events = append(events, "end") }
	}}.library(lib)
	if _, err := l.ImportWith(ctx, bib.Parse("x.bib", []byte("@misc{x1, title = {X}}")), storage.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.ImportReader(ctx, bib.NewReader("y.bib", "@misc{y1, title = {Y}}"), storage.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(events, " "); got != "start end start end" {
		t.Errorf("AroundImport's calls: %s; want start end start end", got)
	}
	if n, err := l.Count(ctx); err != nil || n < 2 {
		t.Errorf("Count = %d, %v after the imports", n, err)
	}
}
