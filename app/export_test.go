package app

import (
	"context"
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib/formats"
	"github.com/bibshelf/bibshelf/storage"
)

// saveAs answers the open save dialog with a file name, and confirms writing over the file.
func saveAs(t *testing.T, u *UI, name string) {
	t.Helper()
	answer(t, u, name, "Save")
	eventually(t, "the question whether to write over "+name, func() bool {
		var yes *widget.Button
		if top := u.win.Canvas().Overlays().Top(); top != nil {
			walk(top, func(o fyne.CanvasObject) {
				if b, ok := o.(*widget.Button); ok && b.Text == "Yes" {
					yes = b
				}
			})
		}
		if yes != nil {
			test.Tap(yes)
		}
		return yes != nil
	})
}

// dialogText is the text of the labels in the dialog on top of the window.
func dialogText(u *UI) string {
	var b strings.Builder
	if top := u.win.Canvas().Overlays().Top(); top != nil {
		walk(top, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok {
				b.WriteString(l.Text + "\n")
			}
		})
	}
	return b.String()
}

func digest(t *testing.T, path string) [sha256.Size]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

// TestExportDialog exports through the save dialog as a user does: onto the library file itself,
// which is refused and left as it was (Fyne's dialog used to empty it before the export even
// began), then through a symbolic link onto a .bib of mode 0640, which stays a link to a file of
// that mode.
func TestExportDialog(t *testing.T) {
	u, lib := newTestUI(t)
	dir := filepath.Dir(lib.Path())
	u.app.Preferences().SetString(prefExportFolder, dir)
	settle(t, u)

	before := digest(t, lib.Path())
	fyneDoAndWait(func() { u.exports.export(exportLibrary) })
	saveAs(t, u, filepath.Base(lib.Path()))
	eventually(t, "the export refused", func() bool {
		return strings.Contains(dialogText(u), "SQLite database")
	})
	if digest(t, lib.Path()) != before {
		t.Error("the library file changed")
	}
	if n, err := lib.Count(context.Background()); n != 56 || err != nil {
		t.Errorf("the library counts %d, %v", n, err)
	}
	fyneDoAndWait(func() { u.win.Canvas().Overlays().Remove(u.win.Canvas().Overlays().Top()) })

	if err := os.Mkdir(filepath.Join(dir, "paper"), 0o755); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(dir, "paper", "refs.bib")
	if err := os.WriteFile(real, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(real, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "refs.bib")
	if err := os.Symlink(filepath.Join("paper", "refs.bib"), link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	fyneDoAndWait(func() { u.exports.export(exportLibrary) })
	saveAs(t, u, "refs.bib")
	eventually(t, "the export", func() bool { return strings.HasPrefix(u.status.Text, "Exported 56 entries to ") })
	got, err := os.ReadFile(real)
	if err != nil || strings.Count(string(got), "\n@") < 50 {
		t.Errorf("the file the link points to holds %.60q (%v)", got, err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link is now %v (%v)", fi.Mode(), err)
	}
	if fi, err := os.Stat(real); err != nil || (os.PathSeparator == '/' && fi.Mode().Perm() != 0o640) {
		t.Errorf("the file's mode is now %v (%v)", fi.Mode(), err)
	}
	if l, err := storage.OpenExisting(context.Background(), lib.Path()); err != nil {
		t.Errorf("the library no longer opens: %v", err)
	} else {
		l.Close()
	}
}

// TestExportFormat: the Save dialog's file name chooses the format.
func TestExportFormat(t *testing.T) {
	for ext, want := range map[string]formats.Format{".bib": formats.BibTeX, "": formats.BibTeX, ".RIS": formats.RIS, ".json": formats.CSLJSON, ".txt": formats.BibTeX} {
		if got := exportFormat(ext); got != want {
			t.Errorf("exportFormat(%q) = %v, want %v", ext, got, want)
		}
	}
}
