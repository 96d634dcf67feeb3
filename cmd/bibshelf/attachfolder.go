package main

import (
	"context"
	"fmt"
	"io"
)

// runAttachmentsFolder shows, sets or resets the library's attachments folder on this computer.
func runAttachmentsFolder(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("attachments-folder", "bibshelf attachments-folder [--library PATH] [--default | FOLDER]\n\n"+
		"Shows the folder the library's attached files are kept in on this computer, or sets it to\n"+
		"FOLDER, or back to the default (--default). The files attached from inside the folder are kept\n"+
		"by their path in it, and looked for in the folder set: each member of a shared library sets\n"+
		"the folder where the group's files are on their computer (a shared drive, a synced folder).\n"+
		"The folder is this computer's alone: it is not sent to a shared library's server.", stderr)
	reset := fs.Bool("default", false, "set the folder back to the default, beside the library file")
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() > 1 || *reset && fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	lib, ok := openLibrary(ctx, "attachments-folder", *libFlag, stderr)
	if !ok {
		return exitRejected
	}
	defer lib.Close()
	if *reset || fs.NArg() == 1 {
		if err := lib.SetAttachmentsFolder(ctx, fs.Arg(0)); err != nil {
			fmt.Fprintf(stderr, "bibshelf attachments-folder: %v\n", err)
			return exitRejected
		}
	}
	folder, err := lib.AttachmentsFolder(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf attachments-folder: %v\n", err)
		return exitRejected
	}
	if folder.Default {
		fmt.Fprintf(stdout, "%s (the default)\n", folder.Path)
	} else {
		fmt.Fprintln(stdout, folder.Path)
	}
	return exitOK
}
