package main

import (
	"flag"
	"fmt"
	"io"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/bibshelf/bibshelf/app"
)

// runLibraries prints the libraries the window has shown, one a line, the latest first: the
// window started without --library (nor BIBSHELF_LIBRARY) shows the first, when it is still
// there. They are read from the window's preferences, where a shared library is kept without
// its password.
func runLibraries(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("libraries", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: bibshelf libraries\n\nPrints the libraries the window has shown, the latest first: library files by their path, shared libraries by their URL.")
	}
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bibshelf libraries: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	for _, name := range app.RememberedLibraries(fyneapp.NewWithID(appID).Preferences()) {
		fmt.Fprintln(stdout, name)
	}
	return exitOK
}
