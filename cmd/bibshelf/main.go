// Command bibshelf is the Bibshelf reference manager: with no verb it opens the window, and its
// verbs (import, export, search) serve scripts and Makefiles. Wiring only: the work is done in
// the bib, storage and app packages.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/formats"
	_ "github.com/bibshelf/bibshelf/cmd/bibshelf/internal/locale" // before Fyne's lang: see its doc
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/shared"
)

// Exit statuses.
const (
	exitOK       = 0
	exitRejected = 1 // some input was rejected, or an operation failed
	exitUsage    = 2
	// exitInterrupted: Ctrl+C stopped an import or an export (as shells report a command that
	// SIGINT ended).
	exitInterrupted = 130
)

const usage = `Bibshelf: a reference manager for LaTeX writers.

Usage:
  bibshelf [--library PATH|URL] [--screenshot OUT.png] [--size WxH]   open the window
  bibshelf import [--library PATH] [--duplicates import|skip|merge] FILE...   import files (- is stdin):
                  BibTeX, RIS, CSL-JSON, PubMed's MEDLINE (.nbib) or EndNote XML, as the content says
  bibshelf add [--library PATH] [--collection PATH] [--tag TAG]... ID...   add papers by DOI,
                  arXiv id, ISBN, PMID or PMCID, looked up at the registries (- is stdin)
  bibshelf export [--library PATH] [--format bibtex|biblatex|ris|csl-json] [--reformat] [--ascii]
                  [--query Q] [--keys K,...] [--by-key] [--notes] [--no-keyword-tags] [-o FILE]
  bibshelf search [--library PATH] [--limit N] [--] QUERY...
  bibshelf lint [--json] [--fix] [--biblatex] [--ascii] [FILE.bib... | --library [PATH] [--query Q]]
  bibshelf check [--library PATH] [--json] [--no-library] PAPER   a paper's citations against its .bib files and the library
  bibshelf rename-key [--library PATH] [--dry-run] [--in DIR]... OLD NEW   a key, in the library and the papers' .tex files
  bibshelf autoexport add|list|run|diff|import|remove ...   keep .bib files in sync with the library
  bibshelf share [--library PATH] URL   copy the library to a new shared library on a PostgreSQL server
  bibshelf copy-shared URL FILE   copy a shared library back to a new library file of its own
  bibshelf sync [--discard-refused] --library URL   send this computer's changes of a shared library and
                  bring the others'; --discard-refused lets go of those the server refuses a reader
  bibshelf attachments-folder [--library PATH] [--default | FOLDER]   where the attached files are on this computer
  bibshelf libraries   the libraries the window has shown, the latest first (the window opens it
                  when started without --library)

A word of search's query may start with - (-survey leaves out what matches): an argument that
is not one of search's options is part of the query, and so is every argument after --.

The library is a SQLite file; by default %s
(BIBSHELF_LIBRARY overrides it); --library may come before the verb too. A shared library is named by its URL,
postgres://USER@HOST/DATABASE (a password from ~/.pgpass or PGPASSFILE): a verb works on this
computer's replica of it, made the first time, synced before the verb and sent what it changed
after; the window shows the replica and keeps it in step with the server while it is open. Run "bibshelf VERB --help" for a verb's options.

Exit status: 0 success; 1 some input was rejected (the rest was done), or the library or the
output file was refused, or a shared library's server did not take a change (a conflict, or
the server out of reach; a change refused to a member who may only read fails the verb that
made it, and only a warning says that those refused before wait); 2 usage error; 130
interrupted (Ctrl+C).
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs the command line and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	st := runVerb(args, stdin, stdout, stderr)
	// What a verb changed in a shared library's replica goes to the server now.
	if sent := sendReplicas(stderr); st == exitOK {
		st = sent
	}
	return st
}

// verbs are the verbs runVerb runs.
var verbs = []string{"import", "export", "add", "search", "lint", "check", "rename-key", "autoexport", "share",
	"copy-shared", "attachments-folder", "libraries", "sync", "help"}

// libraryBeforeVerb reads a command line that names the library before the verb, as the
// window's does ("bibshelf --library URL search pointer"), as the verb's own option: it returns
// the verb and its arguments, the --library option first.
func libraryBeforeVerb(args []string) (verb string, rest []string, ok bool) {
	if len(args) == 0 {
		return "", nil, false
	}
	n := 0 // arguments of the option
	switch name, _, eq := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(args[0], "-"), "-"), "="); {
	case name != "library" || !strings.HasPrefix(args[0], "-"):
		return "", nil, false
	case eq:
		n = 1
	default:
		n = 2
	}
	if len(args) <= n || !slices.Contains(verbs, args[n]) {
		return "", nil, false
	}
	rest = append(slices.Clone(args[:n]), args[n+1:]...)
	return args[n], rest, true
}

// runVerb runs the verb the command line names and returns its exit status.
func runVerb(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	verb := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		verb, args = args[0], args[1:]
	} else if v, rest, ok := libraryBeforeVerb(args); ok {
		verb, args = v, rest
	}
	switch verb {
	case "":
		return runWindow(args, stdout, stderr)
	case "import":
		// Ctrl+C rolls the file being imported back and stops.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		return runImport(ctx, args, stdin, stdout, stderr)
	case "export":
		// Ctrl+C, or the system ending the process, stops the export; a file being written
		// stays as it was.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runExport(ctx, args, stdout, stderr)
	case "add":
		// Ctrl+C stops after the paper being added; those added before it stay.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		return runAdd(ctx, args, stdin, stdout, stderr)
	case "search":
		return runSearch(args, stdout, stderr)
	case "lint":
		return runLint(context.Background(), args, stdout, stderr)
	case "check":
		return runCheck(context.Background(), args, stdout, stderr)
	case "rename-key":
		return runRenameKey(context.Background(), args, stdout, stderr)
	case "autoexport":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runAutoexport(ctx, args, stdout, stderr)
	case "share":
		// Ctrl+C rolls the copy back: the server holds all of it or nothing.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runShare(ctx, args, stdout, stderr)
	case "copy-shared":
		// Ctrl+C stops the copy, which leaves no file.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runCopyShared(ctx, args, stdout, stderr)
	case "attachments-folder":
		return runAttachmentsFolder(context.Background(), args, stdout, stderr)
	case "libraries":
		return runLibraries(args, stdout, stderr)
	case "sync":
		return runSync(context.Background(), args, stdout, stderr)
	case "help":
		printUsage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "bibshelf: unknown verb %q\n\n", verb)
	printUsage(stderr)
	return exitUsage
}

func printUsage(w io.Writer) {
	def, err := storage.DefaultPath()
	if err != nil {
		def = "in the user data folder"
	}
	fmt.Fprintf(w, usage, def)
}

// newFlags returns a flag set for a verb, with the --library flag every verb has.
func newFlags(name, synopsis string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\nOptions:\n", synopsis)
		fs.PrintDefaults()
	}
	lib := fs.String("library", "", "library `file`, or a shared library's postgres:// URL (default: $BIBSHELF_LIBRARY, else the user data folder)")
	return fs, lib
}

// parseFlags parses args and returns the exit status to stop with, or -1 to go on.
func parseFlags(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	return -1
}

// libraryPath resolves the library file: the flag, else $BIBSHELF_LIBRARY, else the default.
// isDefault tells whether it is the default library.
func libraryPath(flagValue string) (path string, isDefault bool, err error) {
	if flagValue != "" {
		if shared.IsKeywordString(flagValue) {
			return "", false, fmt.Errorf("--library: %w", shared.ErrKeywordString)
		}
		return flagValue, false, nil
	}
	if env := os.Getenv("BIBSHELF_LIBRARY"); env != "" {
		if shared.IsKeywordString(env) {
			return "", false, fmt.Errorf("BIBSHELF_LIBRARY: %w", shared.ErrKeywordString)
		}
		return env, false, nil
	}
	path, err = storage.DefaultPath()
	return path, true, err
}

// openLibrary opens the library a verb works on. Only import makes one where there is none: the
// other verbs would make an empty library of a mistyped name, and read nothing from it. A shared
// library's URL opens this computer's replica of it (openReplica).
func openLibrary(ctx context.Context, verb, flagValue string, stderr io.Writer) (*storage.Library, bool) {
	path, _, err := libraryPath(flagValue)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, err)
		return nil, false
	}
	if shared.IsURL(path) {
		return openReplica(ctx, verb, path, stderr)
	}
	var lib *storage.Library
	if verb == "import" {
		lib, err = storage.Open(ctx, path)
	} else {
		lib, err = storage.OpenExisting(ctx, path)
	}
	if errors.Is(err, storage.ErrNoLibrary) {
		how := "bibshelf import FILE.bib"
		if flagValue != "" {
			how = "bibshelf import --library " + flagValue + " FILE.bib"
		}
		fmt.Fprintf(stderr, "bibshelf %s: %v\n(%s makes a library there)\n", verb, err, how)
		return nil, false
	}
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, err)
		return nil, false
	}
	return lib, true
}

// indexed adds to the search index the entries the window left out of it (it indexes a large
// import after the import, and may have been closed before it was done), so that a search
// finds every entry. It says what failed.
func indexed(ctx context.Context, lib *storage.Library, verb string, stderr io.Writer) bool {
	if err := lib.IndexPending(ctx); err != nil {
		fmt.Fprintf(stderr, "bibshelf %s: %v\n", verb, err)
		return false
	}
	return true
}

func runImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("import", "bibshelf import [--library PATH] [--duplicates import|skip|merge] [--json] FILE... (- reads standard input)", stderr)
	dups := fs.String("duplicates", "import", "what to do with a paper the library has (same DOI, ISBN, arXiv id, or title, year and first author): `import` it anyway, skip it, or merge it into the one there")
	asJSON := fs.Bool("json", false, "print the report as JSON on standard output (counts, the keys changed, every problem) instead of the summary line")
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	opts := storage.ImportOptions{}
	switch *dups {
	case "import":
	case "skip":
		opts.Duplicates = storage.SkipDuplicates
	case "merge":
		opts.Duplicates = storage.MergeDuplicates
	default:
		fmt.Fprintf(stderr, "bibshelf import: --duplicates %q: want import, skip or merge\n", *dups)
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "bibshelf import: no file named")
		fs.Usage()
		return exitUsage
	}
	// Ctrl+C interrupts the imports, not the opening (a few milliseconds).
	lib, ok := openLibrary(context.WithoutCancel(ctx), "import", *libFlag, stderr)
	if !ok {
		return exitRejected
	}
	defer lib.Close()
	// The verb is an import from start to end: it runs with the import's GOGC (see gc.go).
	defer tightenGC()()
	var total storage.Report
	failed, interrupted := false, false
	var progress *progressLine
	if f := terminal(stderr); f != nil {
		progress = &progressLine{w: f}
	}
	// Another import (of this program or the window) holding the library: wait for it.
	opts.Waiting = func() {
		if progress != nil {
			progress.clear()
		}
		fmt.Fprintln(stderr, "bibshelf import: waiting for another program to finish writing the library… (Ctrl+C stops)")
	}
	for _, name := range fs.Args() {
		name, src, err := readSource(name, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "bibshelf import: %v\n", err)
			failed = true
			continue
		}
		if progress != nil {
			showProgress(progress, name, &opts)
		}
		rep, err := importSource(ctx, lib, name, src, opts)
		if progress != nil {
			progress.clear()
		}
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "bibshelf import: %s: interrupted: nothing of it was imported\n", name)
			interrupted = true
			break
		}
		if err != nil {
			fmt.Fprintf(stderr, "bibshelf import: %v\n", err)
			failed = true
			continue
		}
		for _, p := range rep.Problems {
			fmt.Fprintln(stderr, printable(p.Error()))
		}
		total.Add(rep)
	}
	if err := printReport(stdout, total, *asJSON); err != nil {
		fmt.Fprintf(stderr, "bibshelf import: %v\n", err)
		failed = true
	}
	if interrupted {
		return exitInterrupted
	}
	syncTargets(ctx, lib, "import", stderr)
	if failed || total.Rejected > 0 {
		return exitRejected
	}
	return exitOK
}

// readSource reads a file named on the command line, "-" being standard input, and returns the
// name its problems give.
func readSource(name string, stdin io.Reader) (string, string, error) {
	if name == "-" {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return "<stdin>", "", fmt.Errorf("read standard input: %w", err)
		}
		return "<stdin>", string(b), nil
	}
	// Read as a string and parsed in place: one copy of a large file in memory, not two.
	src, err := bib.ReadFile(name)
	return name, src, err
}

// importSource imports a file's text, in the format its content has (formats.Detect), read as
// it is imported: the entries of a large file are not all in memory at once.
func importSource(ctx context.Context, lib *storage.Library, name, src string, opts storage.ImportOptions) (storage.Report, error) {
	r, _ := formats.NewReaderString(name, src)
	return lib.ImportReader(ctx, r, opts)
}

// printReport prints what the imports did: the summary line, or the report as JSON.
func printReport(w io.Writer, total storage.Report, asJSON bool) error {
	if asJSON {
		return writeReportJSON(w, total)
	}
	fmt.Fprintf(w, "imported %d, skipped %d duplicates, merged %d, rejected %d", total.Imported, total.Duplicates, total.Merged, total.Rejected)
	if n := imported(total.Renamed); n > 0 {
		fmt.Fprintf(w, "; %d imported under another key (see the warnings)", n)
	}
	_, err := fmt.Fprintln(w)
	return err
}

// imported counts the key changes of entries that were imported, not skipped as duplicates.
func imported(changes []storage.KeyChange) int {
	n := 0
	for _, c := range changes {
		if !c.Duplicate {
			n++
		}
	}
	return n
}

// reportJSON is what import --json prints: the counts, the keys of the entries added, the keys
// the library gave entries (another paper had the key, or the entry had none), and every
// problem with where it is.
type reportJSON struct {
	Imported   int           `json:"imported"`
	Duplicates int           `json:"duplicates"`
	Merged     int           `json:"merged"`
	Rejected   int           `json:"rejected"`
	Added      []string      `json:"added"`
	Keys       []keyJSON     `json:"keys"`
	KeysGiven  []string      `json:"keys_given"`
	Problems   []problemJSON `json:"problems"`
}

// keyJSON is a storage.KeyChange: an entry of file:line, with the key old, is in the library as
// new. duplicate says it was not imported, the library having the same entry under new.
type keyJSON struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Old       string `json:"old"`
	New       string `json:"new"`
	Existing  string `json:"existing"`
	InFile    bool   `json:"in_file"`
	Duplicate bool   `json:"duplicate"`
}

type problemJSON struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Key      string `json:"key,omitempty"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

func writeReportJSON(w io.Writer, rep storage.Report) error {
	out := reportJSON{Imported: rep.Imported, Duplicates: rep.Duplicates, Merged: rep.Merged, Rejected: rep.Rejected,
		Added: append([]string{}, rep.Added...), Keys: []keyJSON{}, KeysGiven: append([]string{}, rep.KeysGiven...), Problems: []problemJSON{}}
	for _, c := range rep.Renamed {
		out.Keys = append(out.Keys, keyJSON(c))
	}
	for _, p := range rep.Problems {
		sev := "warning"
		if p.Severity == bib.Error {
			sev = "error"
		}
		out.Problems = append(out.Problems, problemJSON{p.File, p.Line, p.Col, p.Key, sev, p.Msg})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// terminal returns w as a file when it is a terminal, for progress lines that a script reading
// it would not want; nil otherwise.
func terminal(w io.Writer) *os.File {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return f
}

// progressLine is one line of a terminal, rewritten in place with a carriage return and padded
// with spaces over what it held before (escape codes need Windows' console to be set up first).
type progressLine struct {
	w    io.Writer
	last int
}

func (p *progressLine) show(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", max(0, p.last-len(line))))
	p.last = len(line)
}

// clear blanks the line.
func (p *progressLine) clear() {
	fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.last))
	p.last = 0
}

// showProgress makes opts report an import of name on the line p.
func showProgress(p *progressLine, name string, opts *storage.ImportOptions) {
	read := 0
	opts.Progress = func(done, total int) {
		read = done
		p.show("%s: %d of about %d items read", filepath.Base(name), done, total)
	}
	opts.Stage = func(stage string) {
		p.show("%s: %d items read; %s", filepath.Base(name), read, stage)
	}
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("export", "bibshelf export [--library PATH] [--format bibtex|biblatex|ris|csl-json] [--reformat] [--ascii] [--query Q] [--keys K,...] [--by-key] [--notes] [--no-keyword-tags] [-o FILE]", stderr)
	format := fs.String("format", "", "map fields and entry types to `bibtex` or biblatex (default: each entry as written), or write RIS (ris) or CSL-JSON (csl-json) instead of BibTeX")
	reformat := fs.Bool("reformat", false, "write every entry in the canonical form, not as it was written")
	ascii := fs.Bool("ascii", false, "write non-ASCII characters as LaTeX (é as {\\'e}), except in url, doi, eprint and file")
	query := fs.String("query", "", "export only the entries matching this search `query` (tag:NAME, in:\"COLLECTION\", ...)")
	keys := fs.String("keys", "", "export only the entries with these comma-separated `keys`")
	byKey := fs.Bool("by-key", false, "order the entries by key instead of the order they were imported in")
	notes := fs.Bool("notes", false, "write each entry's note into its annote field")
	noKeywordTags := fs.Bool("no-keyword-tags", false, "leave keywords fields as they are, without the tags they do not name")
	out := fs.String("o", "", "write to `file` instead of standard output")
	if st := parseFlags(fs, args); st >= 0 {
		return st
	}
	other := formats.BibTeX // another format to write, when not BibTeX
	opts := storage.ExportOptions{
		WriteOptions: bib.WriteOptions{Reformat: *reformat, ASCII: *ascii},
		Warn:         func(key, msg string) { fmt.Fprintf(stderr, "bibshelf export: %s: %s\n", key, msg) },
	}
	switch *format {
	case "":
	case bib.BibTeX.String(), bib.BibLaTeX.String():
		opts.Dialect, _ = bib.ParseDialect(*format)
	case "ris":
		other = formats.RIS
	case "csl-json", "csljson":
		other = formats.CSLJSON
	default:
		fmt.Fprintf(stderr, "bibshelf export: unknown format %q (want bibtex, biblatex, ris or csl-json)\n", *format)
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bibshelf export: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	opts.Query, opts.ByKey, opts.Notes, opts.NoKeywordTags = *query, *byKey, *notes, *noKeywordTags
	for _, k := range strings.Split(*keys, ",") {
		if k = strings.TrimSpace(k); k != "" {
			opts.Keys = append(opts.Keys, k)
		}
	}
	lib, ok := openLibrary(context.WithoutCancel(ctx), "export", *libFlag, stderr)
	if !ok {
		return exitRejected
	}
	defer lib.Close()
	if opts.Query != "" && !indexed(ctx, lib, "export", stderr) {
		return exitRejected
	}
	opts.Format = other
	export := func(w io.Writer) error {
		_, err := lib.Export(ctx, w, opts)
		return err
	}
	var err error
	if *out == "" {
		err = export(stdout)
	} else {
		// All or nothing, through links, keeping the file's mode; never over a library.
		err = storage.WriteFile(ctx, *out, export)
	}
	if ctx.Err() != nil {
		if *out != "" {
			fmt.Fprintf(stderr, "bibshelf export: interrupted: %s was not written\n", *out)
		} else {
			fmt.Fprintln(stderr, "bibshelf export: interrupted")
		}
		return exitInterrupted
	}
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf export: %v\n", err)
		return exitRejected
	}
	return exitOK
}

func runSearch(args []string, stdout, stderr io.Writer) int {
	fs, libFlag := newFlags("search", "bibshelf search [--library PATH] [--limit N] [--] QUERY...\n\n"+
		"A word of the query may start with - (-survey leaves out what matches): an argument that is\n"+
		"not one of the options below is part of the query, and so is every argument after --.\n\n"+
		"The query:\n\n"+storage.QuerySyntax, stderr)
	limit := fs.Int("limit", 100, "print at most `n` hits")
	flags, query := splitQuery(fs, args)
	if st := parseFlags(fs, flags); st >= 0 {
		return st
	}
	if len(query) == 0 || *limit < 0 {
		fs.Usage()
		return exitUsage
	}
	ctx := context.Background()
	lib, ok := openLibrary(ctx, "search", *libFlag, stderr)
	if !ok {
		return exitRejected
	}
	defer lib.Close()
	if !indexed(ctx, lib, "search", stderr) {
		return exitRejected
	}
	rows, err := lib.Search(ctx, strings.Join(query, " "), 0, *limit)
	if err != nil {
		fmt.Fprintf(stderr, "bibshelf search: %v\n", err)
		return exitRejected
	}
	for _, r := range rows {
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", printable(r.Key), printable(r.Year), printable(r.FirstAuthor), printable(r.Title))
	}
	return exitOK
}

// splitQuery splits search's arguments into its options (of fs, and -h) and the words of its
// query: an argument that is not an option is a word, -survey too, and so is every argument
// after --. Options and words may come in any order.
func splitQuery(fs *flag.FlagSet, args []string) (flags, query []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return flags, append(query, args[i+1:]...)
		}
		name, _, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		f := fs.Lookup(name)
		if !strings.HasPrefix(a, "-") || f == nil && name != "h" && name != "help" {
			query = append(query, a)
			continue
		}
		flags = append(flags, a)
		if f != nil && !hasValue && i+1 < len(args) {
			// Search's options all take a value (-h is not in fs).
			flags = append(flags, args[i+1])
			i++
		}
	}
	return flags, query
}

// printable makes text from the library safe to print on a terminal, in one line and one
// column of tab-separated output: white space becomes a space, and a control character (an
// escape sequence's ESC, a bell) or a direction override becomes U+FFFD.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, "\ufffd"))
}
