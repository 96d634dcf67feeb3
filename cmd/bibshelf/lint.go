package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/lint"
	"github.com/bibshelf/bibshelf/storage"
)

const lintSynopsis = `bibshelf lint [--json] [--fix] [--biblatex] [--ascii] FILE.bib...
       bibshelf lint [--json] [--fix] [--biblatex] [--ascii] [--library [PATH]] [--query Q]

Checks .bib files, or the library (when no file is named), for missing required fields,
malformed DOIs, ISBNs and ISSNs, years and dates, page ranges written with -, unbalanced
braces, title capitals a style lowercases, keys differing only in case, "et al." in name
lists, a url that repeats the DOI, non-ASCII text (--ascii) and TeX that has no business in a
bibliography (\write18, \input, \def...). Each finding is a line
FILE:LINE:COL: SEVERITY: KEY: MESSAGE (CHECK), without FILE:LINE:COL for the library.

--fix applies the fixes that are certain (a page range's - made --, "et al." made "and
others", a DOI link made the bare DOI, with --ascii non-ASCII text made LaTeX), changing
nothing else of the file, and lists each as "fixed". --json prints one JSON object a line
instead: {"check", "severity", "file", "line", "col", "key", "field", "message", "fix",
"fixed"}, the empty ones left out.

Exit status: 1 when an error is found (or a file cannot be read or written), 0 when only
warnings are, 2 for a usage error.`

// lintFinding is a finding as --json prints it.
type lintFinding struct {
	lint.Finding
	Fixed bool `json:"fixed,omitempty"`
}

// runLint checks .bib files or the library: bibshelf lint [--json] [--fix] [--biblatex]
// [--ascii] [FILE.bib... | --library [PATH] [--query Q]].
func runLint(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("lint", lintSynopsis, stderr)
	asJSON := fs.Bool("json", false, "print each finding as a line of JSON")
	fix := fs.Bool("fix", false, "apply the fixes that are certain, and list them")
	biblatex := fs.Bool("biblatex", false, "check required fields as biblatex requires them, not BibTeX's styles")
	ascii := fs.Bool("ascii", false, "report non-ASCII text, for a BibTeX that does not read UTF-8")
	query := fs.String("query", "", "with the library: lint only the entries this `query` finds")
	args, bareLibrary := bareLibraryFlag(args)
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() > 0 && (*libFlag != "" || bareLibrary || *query != "") {
		fmt.Fprintln(stderr, "bibshelf lint: name .bib files or the library (--library, --query), not both")
		return exitUsage
	}
	out := &lintOutput{w: stdout, json: *asJSON}
	opts := lint.Options{BibLaTeX: *biblatex, ASCII: *ascii}
	failed := false
	if fs.NArg() == 0 {
		failed = !lintLibrary(ctx, *libFlag, *query, opts, *fix, out, stderr)
	}
	for _, name := range fs.Args() {
		if err := lintFile(ctx, name, opts, *fix, out); err != nil {
			fmt.Fprintf(stderr, "bibshelf lint: %v\n", err)
			failed = true
		}
	}
	if out.err != nil {
		fmt.Fprintf(stderr, "bibshelf lint: %v\n", out.err)
		failed = true
	}
	if failed || out.errors > 0 {
		return exitRejected
	}
	return exitOK
}

// bareLibraryFlag takes out of args a --library with no path after it (the last argument, or
// one followed by another option), which asks for the default library, and says whether there
// was one. A --library followed by a path stays, as every verb takes it.
func bareLibraryFlag(args []string) ([]string, bool) {
	for i, a := range args {
		if a == "--" {
			break
		}
		if (a == "--library" || a == "-library") && (i+1 == len(args) || strings.HasPrefix(args[i+1], "-")) {
			return append(args[:i:i], args[i+1:]...), true
		}
	}
	return args, false
}

// lintFile lints one .bib file and, with fix, rewrites it with the fixes applied.
func lintFile(ctx context.Context, name string, opts lint.Options, fix bool, out *lintOutput) error {
	src, err := bib.ReadFile(name)
	if err != nil {
		return err
	}
	f := bib.ParseString(name, src)
	findings := lint.File(f, opts)
	var applied []lint.Finding
	if fix {
		text, done, err := lint.FixFile(f, []byte(src), findings)
		if err != nil {
			out.report(findings, nil)
			return fmt.Errorf("fix %s: %w", name, err)
		}
		if len(done) > 0 {
			if err := storage.WriteFile(ctx, name, func(w io.Writer) error { _, err := w.Write(text); return err }); err != nil {
				out.report(findings, nil)
				return err
			}
			applied = done
		}
	}
	out.report(findings, applied)
	return nil
}

// lintLibrary lints the entries of the library the query finds and, with fix, updates those
// with fixes. It says what failed on stderr and reports whether all went well.
func lintLibrary(ctx context.Context, libFlag, query string, opts lint.Options, fix bool, out *lintOutput, stderr io.Writer) bool {
	lib, ok := openLibrary(ctx, "lint", libFlag, stderr)
	if !ok {
		return false
	}
	defer lib.Close()
	if query != "" && !indexed(ctx, lib, "lint", stderr) {
		return false
	}
	type fixed struct {
		entry   *bib.Entry
		applied []lint.Finding
	}
	var fixes []fixed
	var findings []lint.Finding
	err := lib.EachEntry(ctx, storage.Filter{}, query, func(e *bib.Entry) error {
		fs := lint.Entry(e, opts)
		for i := range fs {
			fs[i].Line, fs[i].Col = 0, 0 // in the entry's text, which the user does not see
		}
		findings = append(findings, fs...)
		if fix {
			if applied := lint.Fix(e, fs); len(applied) > 0 {
				fixes = append(fixes, fixed{e, applied})
			}
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf lint: %v\n", err)
		return false
	}
	ok = true
	var applied []lint.Finding
	for _, f := range fixes {
		if err := lib.UpdateEntry(ctx, f.entry.Key, f.entry); err != nil {
			fmt.Fprintf(stderr, "bibshelf lint: %v\n", err)
			ok = false
			continue
		}
		applied = append(applied, f.applied...)
	}
	out.report(findings, applied)
	if len(applied) > 0 {
		syncTargets(ctx, lib, "lint", stderr)
	}
	return ok
}

// lintOutput prints findings as lines of text or of JSON, and counts the errors left.
type lintOutput struct {
	w      io.Writer
	json   bool
	errors int
	err    error
}

// report prints the findings of one file or of the library: those applied as fixed, the others
// as found.
func (o *lintOutput) report(findings, applied []lint.Finding) {
	isApplied := func(f lint.Finding) bool {
		for _, a := range applied {
			if a == f {
				return true
			}
		}
		return false
	}
	for _, f := range findings {
		done := len(applied) > 0 && isApplied(f)
		if !done && f.Severity == lint.Error {
			o.errors++
		}
		if o.err != nil {
			continue
		}
		var err error
		if o.json {
			var b []byte
			if b, err = json.Marshal(lintFinding{f, done}); err == nil {
				_, err = fmt.Fprintf(o.w, "%s\n", b)
			}
		} else if done {
			_, err = fmt.Fprintln(o.w, printable(fixedLine(f)))
		} else {
			_, err = fmt.Fprintln(o.w, printable(f.String()))
		}
		if err != nil {
			o.err = fmt.Errorf("write findings: %w", err)
		}
	}
}

// fixedLine says what a fix applied: FILE:LINE:COL: fixed: KEY: FIELD = NEW (CHECK).
func fixedLine(f lint.Finding) string {
	g := f
	g.Msg = fmt.Sprintf("%s = %s (was: %s)", f.Field, f.Fix, f.Msg)
	s := g.String()
	return strings.Replace(s, f.Severity.String()+": ", "fixed: ", 1)
}
