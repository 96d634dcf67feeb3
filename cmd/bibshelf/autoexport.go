package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

const autoexportUsage = `bibshelf autoexport add [--library PATH] [--collection PATH [--no-sub] | --tag TAG | --search NAME]
                       [--dialect as-written|bibtex|biblatex] [--ascii] [--order key|library] [--notes] FILE
bibshelf autoexport list [--library PATH]
bibshelf autoexport run [--library PATH] [--overwrite] [ID...]
bibshelf autoexport diff [--library PATH] ID
bibshelf autoexport import [--library PATH] ID
bibshelf autoexport remove [--library PATH] ID...

Keeps .bib files in sync with the library: each target is a file and what it holds (the whole
library by default). The window rewrites the targets within a second of each change; import and
add rewrite those they changed; run rewrites them now. A file changed by someone else since
Bibshelf last wrote it is not overwritten: diff shows their changes by entry, import takes them
into the library, run --overwrite writes over them.`

// runAutoexport runs bibshelf autoexport VERB.
func runAutoexport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "Usage: %s\n", autoexportUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return exitOK
		}
		return exitUsage
	}
	switch verb, args := args[0], args[1:]; verb {
	case "add":
		return autoexportAdd(ctx, args, stdout, stderr)
	case "list":
		return autoexportList(ctx, args, stdout, stderr)
	case "run":
		return autoexportRun(ctx, args, stdout, stderr)
	case "diff":
		return autoexportDiff(ctx, args, stdout, stderr)
	case "import":
		return autoexportImport(ctx, args, stdout, stderr)
	case "remove":
		return autoexportRemove(ctx, args, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "bibshelf autoexport: unknown verb %q\nUsage: %s\n", verb, autoexportUsage)
		return exitUsage
	}
}

func autoexportAdd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("autoexport add", "bibshelf autoexport add [--library PATH] [--collection PATH [--no-sub] | --tag TAG | --search NAME]\n"+
		"       [--dialect as-written|bibtex|biblatex] [--ascii] [--order key|library] [--notes] FILE\n\n"+
		"Keeps FILE in sync with the whole library, or a collection, a tag or a saved search, and writes it now.", stderr)
	collection := fs.String("collection", "", "the entries of this collection (`path`: Thesis/Chapter 2) and of its sub-collections")
	noSub := fs.Bool("no-sub", false, "with --collection, leave out the entries only in its sub-collections")
	tag := fs.String("tag", "", "the entries with this `tag` or one of its child tags")
	search := fs.String("search", "", "the entries of the saved search of this `name`")
	dialect := fs.String("dialect", "as-written", "write the entries `as-written`, in bibtex's terms, or in biblatex's")
	ascii := fs.Bool("ascii", false, "write non-ASCII characters as LaTeX commands")
	order := fs.String("order", "key", "order the entries by citation `key`, or in library order (as they came in)")
	notes := fs.Bool("notes", false, "write each entry's note into its annote field")
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "bibshelf autoexport add: name one file")
		return exitUsage
	}
	t := storage.ExportTarget{Kind: storage.TargetLibrary, Path: fs.Arg(0), ASCII: *ascii, Notes: *notes}
	var err error
	if t.Dialect, err = bib.ParseDialect(*dialect); err != nil {
		fmt.Fprintf(stderr, "bibshelf autoexport add: --dialect: %v\n", err)
		return exitUsage
	}
	switch *order {
	case "key":
	case "library":
		t.LibraryOrder = true
	default:
		fmt.Fprintf(stderr, "bibshelf autoexport add: --order %q: want key or library\n", *order)
		return exitUsage
	}
	chosen := 0
	for _, s := range []string{*collection, *tag, *search} {
		if s != "" {
			chosen++
		}
	}
	if chosen > 1 || *noSub && *collection == "" {
		fmt.Fprintln(stderr, "bibshelf autoexport add: give one of --collection, --tag and --search (--no-sub goes with --collection)")
		return exitUsage
	}
	lib, ok := openLibrary(ctx, "autoexport add", *libFlag, stderr)
	if !ok {
		return exitRejected
	}
	defer lib.Close()
	switch {
	case *collection != "":
		c, err := collectionAt(ctx, lib, *collection)
		if err != nil {
			fmt.Fprintf(stderr, "bibshelf autoexport add: %v\n", err)
			return exitRejected
		}
		t.Kind, t.Collection, t.SubCollections = storage.TargetCollection, c.ID, !*noSub
	case *tag != "":
		t.Kind, t.Tag = storage.TargetTag, *tag
	case *search != "":
		t.Kind, t.Search = storage.TargetSearch, *search
	}
	if t, err = lib.AddExportTarget(ctx, t); err != nil {
		fmt.Fprintf(stderr, "bibshelf autoexport add: %v\n", err)
		return exitRejected
	}
	fmt.Fprintf(stdout, "added %d\t%s\n", t.ID, t.Path)
	sts, err := lib.RunExportTargets(ctx, storage.RunOptions{}, t.ID)
	return reportRuns(lib, sts, err, "autoexport add", stdout, stderr)
}

// reportRuns prints a line for each target run, the failures to stderr with what to do, and
// returns the exit status: exitRejected when one failed.
func reportRuns(lib *storage.Library, sts []storage.TargetStatus, err error, verb string, stdout, stderr io.Writer) int {
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, err)
		return exitRejected
	}
	status := exitOK
	for _, st := range sts {
		switch {
		case errors.Is(st.Err, storage.ErrTargetChanged):
			fmt.Fprintf(stderr, "bibshelf %s: target %d: %v\n%s", verb, st.ID, st.Err, conflictAdvice(lib, st.ID))
			status = exitRejected
		case st.Err != nil:
			fmt.Fprintf(stderr, "bibshelf %s: target %d: %v\n", verb, st.ID, st.Err)
			status = exitRejected
		case !st.Written.IsZero() && st.Written.Equal(st.Ran):
			fmt.Fprintf(stdout, "wrote %d\t%s\t%d entries\n", st.ID, st.Path, st.Entries)
		default:
			fmt.Fprintf(stdout, "unchanged %d\t%s\t%d entries\n", st.ID, st.Path, st.Entries)
		}
	}
	return status
}

// conflictAdvice says what to do about a target whose file someone else changed, as commands
// to run: with the library's --library unless it is the one used without it.
func conflictAdvice(lib *storage.Library, id int64) string {
	return fmt.Sprintf("  bibshelf autoexport diff%[2]s %[1]d    shows the changes, entry by entry\n"+
		"  bibshelf autoexport import%[2]s %[1]d  takes them into the library, then writes the file\n"+
		"  bibshelf autoexport run%[2]s --overwrite %[1]d  writes over them\n", id, libraryArg(lib))
}

// libraryArg is the --library option naming lib, for a command to suggest; "" for the library
// used without it.
func libraryArg(lib *storage.Library) string {
	if def, _, err := libraryPath(""); err == nil && def == lib.Path() {
		return ""
	}
	return " --library " + shellWord(lib.Path())
}

// shellWord quotes s for a POSIX shell when it holds anything but letters, digits and /._-+:,@.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:,@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func autoexportList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("autoexport list", "bibshelf autoexport list [--library PATH]\n\n"+
		"Lists the targets, a line each: ID, file, what it holds, how, and how its last run went.", stderr)
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	lib, ok := openLibrary(ctx, "autoexport list", *libFlag, stderr)
	if !ok {
		return exitRejected
	}
	defer lib.Close()
	ts, err := lib.ExportTargets(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf autoexport list: %v\n", err)
		return exitRejected
	}
	if len(ts) == 0 {
		fmt.Fprintf(stderr, "bibshelf autoexport list: %s keeps no .bib file in sync (bibshelf autoexport add%s FILE makes one)\n",
			printable(lib.Path()), libraryArg(lib))
		return exitOK
	}
	paths := map[int64]string{}
	if cs, err := lib.Collections(ctx); err == nil {
		for _, c := range cs {
			paths[c.ID] = strings.Join(c.Path, "/")
		}
	}
	for _, t := range ts {
		fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Path, targetWhat(t, paths), targetHow(t), printable(targetStatus(t.Status)))
	}
	return exitOK
}

// targetWhat says what a target holds.
func targetWhat(t storage.ExportTarget, collections map[int64]string) string {
	switch t.Kind {
	case storage.TargetCollection:
		name, ok := collections[t.Collection]
		if !ok {
			name = fmt.Sprintf("#%d (deleted)", t.Collection)
		}
		if !t.SubCollections {
			return "collection " + name + " (without sub-collections)"
		}
		return "collection " + name
	case storage.TargetTag:
		return "tag " + t.Tag
	case storage.TargetSearch:
		return "saved search " + t.Search
	}
	return "library"
}

// targetHow says how a target writes its entries.
func targetHow(t storage.ExportTarget) string {
	how := []string{t.Dialect.String(), "UTF-8", "by key"}
	if t.ASCII {
		how[1] = "ASCII"
	}
	if t.LibraryOrder {
		how[2] = "library order"
	}
	if t.Notes {
		how = append(how, "notes")
	}
	return strings.Join(how, ", ")
}

// targetStatus says how a target's last run went.
func targetStatus(st storage.TargetStatus) string {
	const when = "2006-01-02 15:04"
	var s string
	switch {
	case st.Ran.IsZero():
		return "never run"
	case st.Written.IsZero():
		s = fmt.Sprintf("never written, ran %s", st.Ran.Format(when))
	default:
		s = fmt.Sprintf("written %s, %d entries", st.Written.Format(when), st.Entries)
	}
	if errors.Is(st.Err, storage.ErrTargetChanged) {
		return s + "; not written since: someone else changed it (bibshelf autoexport diff|import|run --overwrite " + strconv.FormatInt(st.ID, 10) + ")"
	}
	if st.Err != nil {
		return s + "; error: " + st.Err.Error()
	}
	return s
}

// targetIDs reads the target ids among a verb's arguments.
func targetIDs(args []string, verb string, stderr io.Writer) ([]int64, bool) {
	var ids []int64
	for _, a := range args {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			fmt.Fprintf(stderr, "bibshelf %s: %q is no target id (bibshelf autoexport list lists them)\n", verb, printable(a))
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

func autoexportRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("autoexport run", "bibshelf autoexport run [--library PATH] [--overwrite] [ID...]\n\n"+
		"Writes the targets' files now (all of them when no ID is given); a file that would not change\n"+
		"is left as it is. Exit status 1 when a file was changed by someone else, or could not be written.", stderr)
	overwrite := fs.Bool("overwrite", false, "write over files that someone else changed since Bibshelf last wrote them")
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	ids, ok := targetIDs(fs.Args(), "autoexport run", stderr)
	if !ok {
		return exitUsage
	}
	lib, ok := openLibrary(ctx, "autoexport run", *libFlag, stderr)
	if !ok {
		return exitRejected
	}
	defer lib.Close()
	sts, err := lib.RunExportTargets(ctx, storage.RunOptions{Overwrite: *overwrite}, ids...)
	return reportRuns(lib, sts, err, "autoexport run", stdout, stderr)
}

// oneTarget opens the library for a verb that takes one target id.
func oneTarget(ctx context.Context, verb string, args []string, synopsis string, stderr io.Writer) (*storage.Library, int64, int) {
	fs, libFlag := newFlags(verb, synopsis, stderr)
	if st := parseFlags(fs, args); st >= 0 {
		return nil, 0, st
	}
	ids, ok := targetIDs(fs.Args(), verb, stderr)
	if !ok || len(ids) != 1 {
		if ok {
			fmt.Fprintf(stderr, "bibshelf %s: name one target id\n", verb)
		}
		return nil, 0, exitUsage
	}
	lib, ok := openLibrary(ctx, verb, *libFlag, stderr)
	if !ok {
		return nil, 0, exitRejected
	}
	return lib, ids[0], -1
}

func autoexportDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	lib, id, st := oneTarget(ctx, "autoexport diff", args, "bibshelf autoexport diff [--library PATH] ID\n\n"+
		"Compares the target's file as it is with what Bibshelf would write, entry by entry: a line each,\n"+
		"\"added KEY\" (only the file has it), \"changed KEY\" (changed in the file), \"changed-both KEY\"\n"+
		"(changed in the library since Bibshelf last wrote the file, and maybe in the file too: import\n"+
		"keeps the library's) or \"removed KEY\" (only the library has it).", stderr)
	if st >= 0 {
		return st
	}
	defer lib.Close()
	d, err := lib.ExportTargetDiff(ctx, id)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf autoexport diff: %v\n", err)
		return exitRejected
	}
	for _, l := range []struct {
		what string
		keys []string
	}{{"added", d.Added}, {"changed", d.Changed}, {"changed-both", d.ChangedBoth}, {"removed", d.Removed}} {
		for _, k := range l.keys {
			fmt.Fprintf(stdout, "%s %s\n", l.what, printable(k))
		}
	}
	return exitOK
}

func autoexportImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	lib, id, st := oneTarget(ctx, "autoexport import", args, "bibshelf autoexport import [--library PATH] ID\n\n"+
		"Takes into the library what someone else changed in the target's file (the entries changed\n"+
		"replace the library's, new ones are imported into the target's collection or with its tag;\n"+
		"removed ones stay in the library), then writes the file. Entries the library changed too since\n"+
		"Bibshelf last wrote the file (\"changed-both\" in diff) are kept as the library has them, a\n"+
		"\"kept KEY\" line each, and the file is then left as it is, for you to decide: the exit status\n"+
		"is 1. A file written in another dialect, in ASCII or with notes is refused: its text is a\n"+
		"conversion.", stderr)
	if st >= 0 {
		return st
	}
	defer lib.Close()
	ti, run, err := lib.ImportTargetChanges(ctx, id)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf autoexport import: %v\n", err)
		return exitRejected
	}
	for _, k := range ti.Updated {
		fmt.Fprintf(stdout, "updated %s\n", printable(k))
	}
	for _, k := range ti.Report.Added {
		fmt.Fprintf(stdout, "imported %s\n", printable(k))
	}
	for _, k := range ti.Joined {
		fmt.Fprintf(stdout, "joined %s\n", printable(k))
	}
	for _, p := range ti.Report.Problems {
		fmt.Fprintln(stderr, printable(p.Error()))
	}
	if len(ti.Outside) > 0 {
		fmt.Fprintf(stderr, "bibshelf autoexport import: the target's saved search does not select %s: they are in the library, not in the file\n",
			printable(strings.Join(ti.Outside, ", ")))
	}
	if len(ti.Kept) > 0 {
		for _, k := range ti.Kept {
			fmt.Fprintf(stdout, "kept %s\n", printable(k))
		}
		fmt.Fprintf(stderr, "bibshelf autoexport import: kept %s as the library has them: the library changed them since Bibshelf last wrote %s "+
			"(or never wrote it), so the file's version may be the older one. The file was left as it is:\n"+
			"  edit them in the library to take what you want of the file's, or\n"+
			"  bibshelf autoexport run%s --overwrite %d  writes the library's entries over the file\n",
			printable(strings.Join(ti.Kept, ", ")), printable(run.Path), libraryArg(lib), id)
		return exitRejected
	}
	return reportRuns(lib, []storage.TargetStatus{run}, nil, "autoexport import", stdout, stderr)
}

func autoexportRemove(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("autoexport remove", "bibshelf autoexport remove [--library PATH] ID...\n\n"+
		"Stops keeping the targets' files in sync; the files stay as they are.", stderr)
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	ids, ok := targetIDs(fs.Args(), "autoexport remove", stderr)
	if !ok || len(ids) == 0 {
		if ok {
			fmt.Fprintln(stderr, "bibshelf autoexport remove: name a target id")
		}
		return exitUsage
	}
	lib, ok := openLibrary(ctx, "autoexport remove", *libFlag, stderr)
	if !ok {
		return exitRejected
	}
	defer lib.Close()
	status := exitOK
	for _, id := range ids {
		if err := lib.RemoveExportTarget(ctx, id); err != nil {
			fmt.Fprintf(stderr, "bibshelf autoexport remove: %v\n", err)
			status = exitRejected
			continue
		}
		fmt.Fprintf(stdout, "removed %d\n", id)
	}
	return status
}

// syncTargets rewrites, after a verb changed the library, the export targets the change made
// due, so that .bib files kept in sync stay current for those who work on the command line too.
// What goes wrong is said on stderr but leaves the verb's exit status alone: its own work is
// done. A cancelled ctx (Ctrl+C) skips it.
func syncTargets(ctx context.Context, lib *storage.Library, verb string, stderr io.Writer) {
	if ctx.Err() != nil {
		return
	}
	sts, err := lib.RunExportTargets(ctx, storage.RunOptions{Due: true})
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf %s: keeping .bib files in sync: %v\n", verb, err)
		return
	}
	for _, st := range sts {
		switch {
		case errors.Is(st.Err, storage.ErrTargetChanged):
			fmt.Fprintf(stderr, "bibshelf %s: %v\n%s", verb, st.Err, conflictAdvice(lib, st.ID))
		case st.Err != nil:
			fmt.Fprintf(stderr, "bibshelf %s: keeping %s in sync: %v\n", verb, st.Path, st.Err)
		}
	}
}
