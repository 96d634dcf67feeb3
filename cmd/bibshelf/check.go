package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/bibshelf/bibshelf/bib/paper"
	"github.com/bibshelf/bibshelf/storage"
)

const checkSynopsis = `bibshelf check [--library PATH] [--json] [--no-library] [--no-remember] PAPER

PAPER is a .tex file (the files it includes are read too), an .aux file (BibTeX's or
biblatex's), a .bcf file (biber's) or a paper's folder (its .tex file with \documentclass).
Each problem is a line FILE:LINE:COL: message:
  undefined      a key cited that is in no .bib file the paper names and not in the library
  case           a key cited that differs only in case from an entry's (biber will not find it)
  library-only   a key cited that only the library has: export it into the paper's .bib
  unused         an entry of the paper's .bib files that is never cited
  missing-fields a cited entry without a field its type requires (biblatex's rules when the
                 paper uses biblatex)
  missing-parent a cited entry whose crossref or xdata parent is nowhere
The exit status is 1 when a key is undefined, 0 otherwise. With a library, check remembers the
paper, so that bibshelf rename-key also renames the key in its .tex files (--no-remember: not).`

// runCheck checks what a paper cites against the .bib files it names and the library.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("check", checkSynopsis, stderr)
	asJSON := fs.Bool("json", false, "print the report as one JSON object (see README: Check a paper)")
	noLibrary := fs.Bool("no-library", false, "check against the paper's .bib files only")
	noRemember := fs.Bool("no-remember", false, "do not record the paper in the library")
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "bibshelf check: name one paper (a .tex, .aux or .bcf file, or a folder)")
		fs.Usage()
		return exitUsage
	}
	target := fs.Arg(0)
	p, err := paper.Open(target)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf check: %v\n", err)
		return exitRejected
	}
	var lib *storage.Library
	if !*noLibrary {
		var ok bool
		if lib, ok = openLibrary(ctx, "check", *libFlag, stderr); !ok {
			return exitRejected
		}
		defer lib.Close()
	}
	rep, err := checkPaper(ctx, p, lib)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf check: %v\n", err)
		return exitRejected
	}
	if lib != nil && !*noRemember {
		// The file read, as the window records the paper it opens: a folder is its root file.
		if err := lib.AddPaper(ctx, p.Root); err != nil {
			fmt.Fprintf(stderr, "bibshelf check: %v\n", err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = printCheck(stdout, rep)
	}
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf check: %v\n", err)
		return exitRejected
	}
	if rep.Undefined > 0 {
		return exitRejected
	}
	return exitOK
}

// checkReport is what check finds, and what check --json prints; checkProblem is one line of it.
type (
	checkReport  = paper.Report
	checkProblem = paper.Finding
)

// printCheck prints a report a line per problem, then its counts.
func printCheck(w io.Writer, r *checkReport) error {
	for _, p := range r.Problems {
		fmt.Fprintf(w, "%s:%d:%d: %s\n", p.File, p.Line, p.Col, printable(p.Message))
	}
	_, err := fmt.Fprintf(w, "%s: %s cited, %d undefined, %s\n", r.Paper, counted(r.Cited, "key", "keys"), r.Undefined, counted(len(r.Problems), "problem", "problems"))
	return err
}

// checkPaper checks a paper's citations against its .bib files and, when lib is not nil, the
// library (paper.Check).
func checkPaper(ctx context.Context, p *paper.Paper, lib *storage.Library) (*checkReport, error) {
	if lib == nil {
		return paper.Check(ctx, p, nil)
	}
	rep, err := paper.Check(ctx, p, lib)
	if err != nil {
		return nil, err
	}
	rep.Library = lib.Path()
	return rep, nil
}

// counted says "1 key", "2 keys".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
