package app

import (
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/storage/repository"
)

// Fyne's save dialog opens the chosen file, creating or emptying it, before it hands the writer
// over: a library chosen by mistake would be emptied before Bibshelf could refuse it, a named
// pipe would block the window until something read it, and an export that then failed would
// leave an empty file. The export only takes the writer's URI, closes it unused, and writes
// through storage.WriteFile; deferredWrites makes that writer open nothing until written to.

// fileRepository is what Fyne's repository for file: URIs does, which deferredWrites passes on.
type fileRepository interface {
	repository.AppendableRepository
	repository.DeleteAllRepository
	repository.HierarchicalRepository
	repository.ListableRepository
	repository.CopyableRepository
	repository.MovableRepository
}

// deferredWrites is Fyne's file repository with writers that open their file on the first write.
type deferredWrites struct{ fileRepository }

func (r deferredWrites) Writer(u fyne.URI) (fyne.URIWriteCloser, error) {
	return &deferredWriter{uri: u, open: r.fileRepository.Writer}, nil
}

// Child is the file a save dialog's name field names in the folder u. A name typed as a path of
// its own, /home/me/paper/refs.bib or ~/paper/refs.bib, as other programs' save dialogs take it,
// is that file: Fyne's dialog would join it to the folder it shows, and the export would fail on
// a folder that does not exist.
func (r deferredWrites) Child(u fyne.URI, name string) (fyne.URI, error) {
	if u.Scheme() == "file" {
		if rest, ok := strings.CutPrefix(name, "~"+string(filepath.Separator)); ok {
			if home, err := os.UserHomeDir(); err == nil && home != "" {
				name = filepath.Join(home, rest)
			}
		}
		if filepath.IsAbs(name) {
			return storage.NewFileURI(filepath.Clean(name)), nil
		}
	}
	return r.fileRepository.Child(u, name)
}

// deferredWriter opens its file, truncating it, on the first Write; closed unwritten, it has
// done nothing.
type deferredWriter struct {
	uri  fyne.URI
	open func(fyne.URI) (fyne.URIWriteCloser, error)
	w    fyne.URIWriteCloser
}

func (w *deferredWriter) URI() fyne.URI { return w.uri }

func (w *deferredWriter) Write(p []byte) (int, error) {
	if w.w == nil {
		f, err := w.open(w.uri)
		if err != nil {
			return 0, err
		}
		w.w = f
	}
	return w.w.Write(p)
}

func (w *deferredWriter) Close() error {
	if w.w == nil {
		return nil
	}
	return w.w.Close()
}

// deferFileWrites puts deferredWrites in place of the file repository the driver registered (a
// new app registers its own). Call it on the UI goroutine, before a save dialog shows.
func deferFileWrites() {
	r, err := repository.ForScheme("file")
	if err != nil {
		return
	}
	if _, ok := r.(deferredWrites); ok {
		return
	}
	if fr, ok := r.(fileRepository); ok {
		repository.Register("file", deferredWrites{fr})
	}
}
