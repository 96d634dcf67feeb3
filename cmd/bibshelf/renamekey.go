package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/bibshelf/bibshelf/storage"
)

const renameKeySynopsis = `bibshelf rename-key [--library PATH] [--dry-run] [--in DIR]... OLD NEW

Renames the entry OLD to NEW in the library, and OLD to NEW in the .tex files of the papers the
library knows (those bibshelf check was run on) and of the folders given with --in (read
recursively): in the key arguments of cite commands only, never in comments, verbatim text,
other commands or a key that merely holds OLD. The change to the .tex files is printed as a
unified diff. A NEW that another entry has (in any case), that a paper cites already or that a
paper's .bib file defines, or that is not a valid key is refused. A paper's .bib file that defines
OLD (and that no kept .bib target writes) is named: rename the key there too.`

// runRenameKey renames a citation key in the library and in the papers' .tex files.
func runRenameKey(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("rename-key", renameKeySynopsis, stderr)
	dryRun := fs.Bool("dry-run", false, "print the diff and change nothing")
	var dirs []string
	fs.Func("in", "also rename the key in the .tex files under this `folder` (repeat for several)", func(s string) error {
		dirs = append(dirs, s)
		return nil
	})
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(stderr, "bibshelf rename-key: give the key to rename and its new name")
		fs.Usage()
		return exitUsage
	}
	old, new := fs.Arg(0), fs.Arg(1)
	lib, ok := openLibrary(ctx, "rename-key", *libFlag, stderr)
	if !ok {
		return exitRejected
	}
	defer lib.Close()
	plan, err := lib.PlanKeyRename(ctx, old, new, dirs)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf rename-key: %v\n", printable(err.Error()))
		return exitRejected
	}
	for _, s := range plan.Skipped {
		fmt.Fprintf(stderr, "bibshelf rename-key: left as it is: %s\n", printable(s))
	}
	for _, s := range plan.Notes {
		fmt.Fprintf(stderr, "bibshelf rename-key: note: %s\n", printable(s))
	}
	changes := 0
	for _, e := range plan.Edits {
		fmt.Fprint(stdout, e.Diff)
		changes += e.Changes
	}
	if *dryRun {
		fmt.Fprintf(stderr, "bibshelf rename-key: would rename %s to %s in the library and %s (--dry-run: nothing changed)\n", plan.Old, new, citationsIn(changes, len(plan.Edits)))
		return exitOK
	}
	if err := lib.RenameKey(ctx, plan); err != nil {
		if errors.Is(err, storage.ErrFileChanged) {
			fmt.Fprintf(stderr, "bibshelf rename-key: %v: nothing was changed; run it again\n", printable(err.Error()))
		} else {
			fmt.Fprintf(stderr, "bibshelf rename-key: %v\n", printable(err.Error()))
		}
		return exitRejected
	}
	fmt.Fprintf(stderr, "bibshelf rename-key: renamed %s to %s in the library and %s\n", plan.Old, new, citationsIn(changes, len(plan.Edits)))
	syncTargets(ctx, lib, "rename-key", stderr)
	return exitOK
}

// citationsIn says how many citations in how many files: "3 citations in 2 .tex files".
func citationsIn(citations, files int) string {
	c, f := "citations", "files"
	if citations == 1 {
		c = "citation"
	}
	if files == 1 {
		f = "file"
	}
	return fmt.Sprintf("%d %s in %d .tex %s", citations, c, files, f)
}
