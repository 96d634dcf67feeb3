package app

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
)

// A name typed into the save dialog as a path of its own is that file; any other name is a file
// in the folder the dialog shows, as before.
func TestSaveDialogTakesTypedPaths(t *testing.T) {
	test.NewTempApp(t)
	deferFileWrites()
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home folder:", err)
	}
	shown := storage.NewFileURI(t.TempDir())
	other := filepath.Join(t.TempDir(), "paper", "refs.bib")
	for name, want := range map[string]string{
		"refs.bib":                 filepath.Join(shown.Path(), "refs.bib"),
		"paper/refs.bib":           filepath.Join(shown.Path(), "paper", "refs.bib"),
		other:                      other,
		"~/paper/refs.bib":         filepath.Join(home, "paper", "refs.bib"),
		other + "/../refs-old.bib": filepath.Join(filepath.Dir(other), "refs-old.bib"),
	} {
		got, err := storage.Child(shown, name)
		if err != nil {
			t.Errorf("%q: %v", name, err)
			continue
		}
		if got.Path() != want {
			t.Errorf("the name %q saves to %s, want %s", name, got.Path(), want)
		}
	}
}
