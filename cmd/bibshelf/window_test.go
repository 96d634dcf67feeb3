package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/storage"
)

// TestOpenSlowly checks the window that says a library is being brought up to date: it is up
// while the opening runs, the result reaches the callback, and it closes after.
func TestOpenSlowly(t *testing.T) {
	a := test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "lib.sqlite")
	release := make(chan struct{})
	got := make(chan *storage.Library, 1)
	wait := openSlowly(a, func() (*storage.Library, error) {
		<-release
		return storage.Open(context.Background(), path)
	}, func(l *storage.Library, err error) {
		if err != nil {
			t.Error(err)
		}
		got <- l
	})
	if !shows(a, wait) || !strings.Contains(labelText(wait), "up to date") {
		t.Fatalf("while opening: windows %d, text %q", len(a.Driver().AllWindows()), labelText(wait))
	}
	close(release)
	l := <-got
	defer l.Close()
	// It closes right after the callback, which this test receives from.
	for deadline := time.Now().Add(5 * time.Second); shows(a, wait); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the waiting window is still open after the library opened")
		}
	}

	// A library that cannot be opened reaches the callback as an error.
	fail := make(chan error, 1)
	openSlowly(a, func() (*storage.Library, error) { return nil, errors.New("no") },
		func(_ *storage.Library, err error) { fail <- err })
	if err := <-fail; err == nil {
		t.Error("the error did not reach the callback")
	}
}

func shows(a fyne.App, w fyne.Window) bool {
	for _, o := range a.Driver().AllWindows() {
		if o == w {
			return true
		}
	}
	return false
}

func labelText(w fyne.Window) string {
	var text string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			text += l.Text
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, o := range c.Objects {
				walk(o)
			}
		}
	}
	walk(w.Content())
	return text
}
