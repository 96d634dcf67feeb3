package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/bibshelf/bibshelf/app"
)

// processStart is as close to the process's start as Go code gets: --screenshot reports the
// time from here to the first complete frame.
var processStart = time.Now()

// appID must match FyneApp.toml.
const appID = "io.github.bibshelf"

// runWindow parses the window's command line and opens the window (app.Run), which reports a
// screenshot on stdout.
func runWindow(args []string, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("bibshelf", "bibshelf [--library PATH|URL] [--select KEY] [--tab TAB] [--screenshot OUT.png] [--size WxH] [FILE.bib...]", stderr)
	shot := fs.String("screenshot", "", "open the window, write its first complete render to this PNG `file`, and exit")
	size := fs.String("size", "", "window size `WxH` in Fyne units (default: the size it had when last closed, at first 1280x800; 1280x800 for --screenshot)")
	selectKey := fs.String("select", "", "select the entry with this `key` once the library is shown")
	tab := fs.String("tab", "", "show this `tab` of the selected entry: info, notes, bibtex or attachments")
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	for _, arg := range fs.Args() {
		if ext := strings.ToLower(filepath.Ext(arg)); ext != ".bib" && ext != ".bibtex" {
			fmt.Fprintf(stderr, "bibshelf: unknown verb %q (the window takes .bib files to import)\n\n", arg)
			printUsage(stderr)
			return exitUsage
		}
	}
	if *size == "" && *shot != "" {
		*size = "1280x800" // a screenshot's size does not depend on the last window's
	}
	winSize, ok := parseSize(*size)
	if *size == "" {
		winSize, ok = fyne.Size{}, true // app.Options: the size the window had last
	}
	if !ok {
		fmt.Fprintf(stderr, "bibshelf: --size %q: want WIDTHxHEIGHT, such as 1280x800\n", *size)
		return exitUsage
	}
	path, isDefault, err := libraryPath(*libFlag)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf: %v\n", err)
		return exitRejected
	}
	a := fyneapp.NewWithID(appID)
	fallback := ""
	if isDefault {
		// Neither --library nor BIBSHELF_LIBRARY: the library shown last, when it is still
		// there, and the default library when that does not open.
		if last, ok := app.StartLibrary(a.Preferences()); ok {
			path, isDefault, fallback = last, false, path
		}
	}
	opts := app.Options{
		Library:  path,
		Fallback: fallback,
		// A first start on the default library shows the sample's papers.
		Sample:     isDefault,
		Size:       winSize,
		Import:     fs.Args(),
		Select:     *selectKey,
		Tab:        *tab,
		Screenshot: *shot,
		Started:    processStart,
		Report:     stdout,
		// The end-to-end tests' view of the window (see app.ServeProbe).
		Probe: os.Getenv("BIBSHELF_PROBE"),
		Warn:  func(err error) { fmt.Fprintf(stderr, "bibshelf: %v\n", err) },
		// The window's imports run with the import's GOGC (see gc.go).
		AroundImport: tightenGC,
	}
	if err := app.Run(a, opts); err != nil {
		fmt.Fprintf(stderr, "bibshelf: %v\n", err)
		return exitRejected
	}
	return exitOK
}

// parseSize reads --size: WIDTHxHEIGHT in Fyne units, at least 200x150.
func parseSize(s string) (fyne.Size, bool) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	if !ok {
		return fyne.Size{}, false
	}
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if err1 != nil || err2 != nil || w < 200 || h < 150 {
		return fyne.Size{}, false
	}
	return fyne.NewSize(float32(w), float32(h)), true
}
