// Package locale makes Fyne read the C.UTF-8 locale (Debian's default where none is chosen, in
// containers and CI) as English. Fyne's lang package, in its init, takes "C" out of "C.UTF-8",
// fails to parse it as a language and logs three lines of "Fyne error: Error parsing user
// locale C" on standard error: every command of bibshelf, in every script, would print them.
// It reads $LANGUAGE first unless the locale is exactly C or POSIX, so this package sets
// LANGUAGE=en when the locale is C or POSIX with an encoding or modifier and LANGUAGE is unset:
// what gettext programs show in that locale anyway.
//
// It must be initialised before fyne.io/fyne/v2/lang. Go initialises, of the packages whose
// imports are ready, the first by import path: this one imports only os and strings, as
// github.com/jeandeaual/go-locale (which fyne's lang package waits for) does, and its path
// comes before that one's.
package locale

import (
	"os"
	"strings"
)

func init() {
	loc := ""
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = os.Getenv(name); loc != "" {
			break
		}
	}
	base, _, _ := strings.Cut(loc, ".")
	base, _, _ = strings.Cut(base, "@")
	if (base == "C" || base == "POSIX") && loc != base && os.Getenv("LANGUAGE") == "" {
		os.Setenv("LANGUAGE", "en")
	}
}
