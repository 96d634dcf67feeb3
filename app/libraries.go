package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"

	"github.com/bibshelf/bibshelf/storage/shared"
)

// The window remembers the libraries it has shown, library files and shared libraries, most
// recent first, in the preferences: Library › Libraries… lists them to switch between, a start
// without --library opens the first (StartLibrary), and `bibshelf libraries` prints them. A
// shared library is kept as its URL without a password (shared.PublicURL): a password is
// never written to the preferences.

// prefLibraries is the libraries the window has shown, most recent first (libraryList).
const prefLibraries = "libraries.recent"

// maxLibraries is how many libraries the list keeps: the oldest goes when one more is shown.
const maxLibraries = 10

// LibraryName is how the list names a library, so that one library is one row however it was
// named: a library file by its absolute, clean path; a shared library by its URL without a
// password, its parameters in one order (shared.PublicURL). A URL is read as text only: the
// files it names (a client key that needs a passphrase, a root certificate) are read when the
// library opens, not to name it. It returns an error for a URL that does not parse, a libpq
// key=value connection string (which may hold a password, and is not a file's name), or a path
// that has no absolute form.
func LibraryName(library string) (string, error) {
	if shared.IsURL(library) {
		return shared.PublicURL(library)
	}
	if shared.IsKeywordString(library) {
		return "", shared.ErrKeywordString
	}
	if strings.TrimSpace(library) == "" {
		return "", errors.New("no library named")
	}
	abs, err := filepath.Abs(library)
	if err != nil {
		return "", fmt.Errorf("library %s: %w", library, err)
	}
	return abs, nil
}

// libraryList is the list of libraries kept in the preferences.
type libraryList struct{ prefs fyne.Preferences }

// names returns the libraries, most recent first, each named once (LibraryName): a name written
// by hand in the preferences file that does not read is left out.
func (l libraryList) names() []string {
	var out []string
	for _, s := range l.prefs.StringList(prefLibraries) {
		name, err := LibraryName(s)
		if err == nil && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// add puts the library first, and leaves out the oldest beyond maxLibraries. It returns the
// library's name.
func (l libraryList) add(library string) (string, error) {
	name, err := LibraryName(library)
	if err != nil {
		return "", err
	}
	names := slices.DeleteFunc(l.names(), func(s string) bool { return s == name })
	names = slices.Insert(names, 0, name)
	l.prefs.SetStringList(prefLibraries, names[:min(len(names), maxLibraries)])
	return name, nil
}

// remove takes the library named out of the list.
func (l libraryList) remove(name string) {
	names := l.names()
	if kept := slices.DeleteFunc(slices.Clone(names), func(s string) bool { return s == name }); len(kept) != len(names) {
		l.prefs.SetStringList(prefLibraries, kept)
	}
}

// RememberedLibraries returns the libraries the window has shown, most recent first, as
// LibraryName names them: what `bibshelf libraries` prints.
func RememberedLibraries(p fyne.Preferences) []string {
	return libraryList{p}.names()
}

// StartLibrary returns the library a window opened without --library shows: the one shown
// last, when it can still be opened without making anything. That is a library file still
// there, or a shared library whose replica this computer has (it opens offline). ok is false
// when there is none such: the window then shows the default library. A library returned may
// still fail to open (not a library, a newer release's, unreadable; a shared library's URL that
// does not parse now, as a certificate or key file it names is missing): the window then shows
// the default library, and says why (Options.Fallback). A client key that needs a passphrase
// the URL does not give (the list keeps no sslpassword) does not stop it: the URL parses, the
// replica opens, and the window asks for the passphrase when it connects, or the keyring gives
// it.
func StartLibrary(p fyne.Preferences) (library string, ok bool) {
	names := RememberedLibraries(p)
	if len(names) == 0 {
		return "", false
	}
	last := names[0]
	path := last
	if shared.IsURL(last) {
		srv, err := shared.ParseURL(last)
		if err != nil {
			// A URL kept in the list that does not open now (a certificate or key file
			// missing): the window says why, and shows the default.
			return last, true
		}
		if path, err = shared.ReplicaPath(srv); err != nil {
			return "", false
		}
	}
	if _, err := os.Stat(path); err != nil {
		return "", false
	}
	return last, true
}

// rememberShown puts the library the window shows first in the list, when keep says so, and
// returns its name. A screenshot's run (--screenshot, which benchmarks and the documentation's
// pictures use) is not a user's choice of library, and leaves the list as it is.
func rememberShown(p fyne.Preferences, o opened, keep bool) string {
	library := o.lib.Path()
	if o.srv != nil {
		library = o.srv.String()
	}
	name, err := LibraryName(library)
	if err != nil {
		return library
	}
	if keep {
		libraryList{p}.add(name)
	}
	return name
}

// libraryGone reports whether the library file named is not there any more (moved or deleted).
// A shared library is never gone here: its server says.
func libraryGone(name string) bool {
	if shared.IsURL(name) {
		return false
	}
	_, err := os.Stat(name)
	return errors.Is(err, fs.ErrNotExist)
}
