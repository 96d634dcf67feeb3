// Package paper reads what a LaTeX paper cites: the citation keys, where each is cited
// (file:line:col), and the .bib files the paper names, from its .tex sources, its .aux file
// (BibTeX's and biblatex's) or its .bcf file (biber's control file).
//
// Check compares what a paper cites with the .bib files it names and a library (any Library:
// entries by key), as bibshelf check and the window's papers show it.
//
// It imports bib only, does no I/O but reading the files it is given, the ones they include and
// the .bib files they name, and is bounded. It reads regular files only (never a device or a
// FIFO), each whole but never past its bound: a .tex, .aux or .bcf file larger than
// MaxFileSize, a paper's sources larger than MaxPaperSize in all, more than MaxFiles files,
// includes nested deeper than MaxDepth, more than MaxCitations citations, a .bib file larger
// than MaxBibSize or .bib files larger than that in all are refused or left out with a Problem
// naming the file. The work of reading a file's text is linear in its size.
// It never panics on bad input.
package paper

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// Bounds on what a paper may hold.
const (
	// MaxFileSize is the largest .tex, .aux or .bcf file read, in bytes. A long thesis is a
	// few hundred kilobytes of .tex and a few megabytes of .bcf.
	MaxFileSize = 16 << 20
	// MaxFiles is the most files one paper reads through \input, \include, \subfile,
	// \import and \@input.
	MaxFiles = 1000
	// MaxDepth is how deeply includes may nest.
	MaxDepth = 32
	// MaxPaperSize bounds the bytes of all the .tex (or .aux) files of one paper together.
	MaxPaperSize = 64 << 20
	// MaxCitations is the most citations one paper holds; a long thesis has a few thousand, and
	// a million would take a second and a hundred megabytes to read.
	MaxCitations = 200_000
	// MaxBibSize is the largest .bib file Check reads, and the most it reads of a paper's .bib
	// files in all, in bytes: a large library's export is tens of megabytes.
	MaxBibSize = 256 << 20
	// MaxBibFiles is the most .bib files one paper names that are read.
	MaxBibFiles = 1000
)

// ErrTooLarge is returned for a file larger than MaxFileSize.
var ErrTooLarge = fmt.Errorf("larger than %d MB, more than a paper's file holds", MaxFileSize>>20)

// ErrBibTooLarge is returned for a .bib file larger than MaxBibSize.
var ErrBibTooLarge = fmt.Errorf("larger than %d MB, more than a .bib file a paper names is read", MaxBibSize>>20)

// errNotRegular is returned for a path that names no regular file: a folder, a device, a FIFO.
var errNotRegular = errors.New("not a regular file")

// Pos is a place in a file: a 1-based line and a 1-based column counted in bytes.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Citation is one key cited once.
type Citation struct {
	Key string
	Pos Pos
	// Command is the command that cites it, without its backslash ("citep", "citation",
	// "abx@aux@cite"), or "bcf:citekey".
	Command string
	// Start and End are the byte offsets of the key in Pos.File (End exclusive).
	Start, End int
}

// Problem is something the reader could not read or follow, where it is.
type Problem struct {
	Pos Pos
	Msg string
}

func (p Problem) Error() string { return p.Pos.String() + ": " + p.Msg }

// Paper is what a paper cites.
type Paper struct {
	// Root is the file the paper was read from.
	Root string
	// Citations are in the order the files and their text hold them, includes where they
	// are included.
	Citations []Citation
	// NociteAll says the paper cites every entry (\nocite{*}), at NociteAllPos.
	NociteAll    bool
	NociteAllPos Pos
	// BibFiles are the .bib files the paper names (\bibliography, \addbibresource, \bibdata,
	// the .bcf's datasources), each once, as paths resolved against the root's folder; BibPos
	// holds where each is first named, index by index.
	BibFiles []string
	BibPos   []Pos
	// BibLaTeX says the paper uses biblatex (\usepackage{biblatex}, \addbibresource, a .bcf or
	// biblatex's .aux commands).
	BibLaTeX bool
	// Files are the files read, the root first.
	Files    []string
	Problems []Problem
}

// Keys returns the keys cited, each once, in the order first cited.
func (p *Paper) Keys() []string {
	seen := make(map[string]bool, len(p.Citations))
	var keys []string
	for _, c := range p.Citations {
		if !seen[c.Key] {
			seen[c.Key] = true
			keys = append(keys, c.Key)
		}
	}
	return keys
}

func (p *Paper) problem(pos Pos, format string, args ...any) {
	p.Problems = append(p.Problems, Problem{pos, fmt.Sprintf(format, args...)})
}

// Open reads the paper at path: a .tex file (and the files it includes), an .aux file (and the
// .aux files it inputs), a .bcf file, or a folder, in which it reads the root .tex file (the
// one with \documentclass), else the .bcf, else the .aux file. Problems in the files read are
// in the Paper; the error is for a path that cannot be read at all.
func Open(path string) (*Paper, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read paper: %w", err)
	}
	if st.IsDir() {
		if path, err = FindRoot(path); err != nil {
			return nil, err
		}
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".aux":
		return ReadAux(path)
	case ".bcf":
		return ReadBCF(path)
	}
	return ReadTeX(path)
}

// FindRoot returns the file a folder's paper is read from: its root .tex file (the one with
// \documentclass, preferring one that has an .aux or .bcf beside it, then main.tex), else a
// .bcf file, else an .aux file.
func FindRoot(dir string) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("read paper: %w", err)
	}
	var roots, bcfs, auxs []string
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		name := e.Name()
		path := filepath.Join(dir, name)
		switch strings.ToLower(filepath.Ext(name)) {
		case ".tex":
			if isRoot(path) {
				roots = append(roots, path)
			}
		case ".bcf":
			bcfs = append(bcfs, path)
		case ".aux":
			auxs = append(auxs, path)
		}
	}
	if len(roots) > 1 {
		// The root that was compiled has an .aux beside it.
		var built []string
		for _, r := range roots {
			stem := strings.TrimSuffix(r, filepath.Ext(r))
			if exists(stem+".aux") || exists(stem+".bcf") {
				built = append(built, r)
			}
		}
		if len(built) > 0 {
			roots = built
		}
	}
	switch {
	case len(roots) == 1:
		return roots[0], nil
	case len(roots) > 1:
		for _, r := range roots {
			if strings.EqualFold(filepath.Base(r), "main.tex") {
				return r, nil
			}
		}
		names := make([]string, len(roots))
		for i, r := range roots {
			names[i] = filepath.Base(r)
		}
		return "", fmt.Errorf("read paper %s: several .tex files have \\documentclass (%s): name the one to check", dir, strings.Join(names, ", "))
	case len(bcfs) > 0:
		return bcfs[0], nil
	case len(auxs) > 0:
		return auxs[0], nil
	}
	return "", fmt.Errorf("read paper %s: no .tex file with \\documentclass, no .aux and no .bcf file in it", dir)
}

// isRoot reports whether a .tex file has \documentclass (or \documentstyle) outside comments in
// its first 64 KB, where a preamble starts.
func isRoot(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 64<<10))
	for line := range bytes.Lines(b) {
		if i := commentStart(line); i >= 0 {
			line = line[:i]
		}
		if bytes.Contains(line, []byte(`\documentclass`)) || bytes.Contains(line, []byte(`\documentstyle`)) {
			return true
		}
	}
	return false
}

// commentStart returns the index of the % that starts a comment on line, or -1.
func commentStart(line []byte) int {
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '%':
			return i
		}
	}
	return -1
}

func exists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// ReadBib reads a .bib file a paper names: a regular file of at most MaxBibSize bytes, else an
// error (matching ErrBibTooLarge for a larger one). It is read into a string, which
// bib.ParseString parses in place.
func ReadBib(path string) (string, error) {
	s, err := readString(path, MaxBibSize, ErrBibTooLarge)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return s, nil
}

// openRegular opens a regular file of at most max bytes; tooLarge is the error for a larger
// one. It returns the file and its size. A FIFO is refused without waiting for a writer: it is
// opened without blocking, which changes nothing for a regular file.
func openRegular(path string, max int64, tooLarge error) (*os.File, int64, error) {
	if st, err := os.Stat(path); err != nil {
		return nil, 0, err
	} else if !st.Mode().IsRegular() {
		return nil, 0, errNotRegular
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, errNotRegular
	}
	if st.Size() > max {
		f.Close()
		return nil, 0, tooLarge
	}
	return f, st.Size(), nil
}

// readFile reads a regular file of at most max bytes; tooLarge is the error for a larger one.
func readFile(path string, max int64, tooLarge error) ([]byte, error) {
	f, size, err := openRegular(path, max, tooLarge)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// A file that grows while it is read is cut at the bound, not read on.
	var b bytes.Buffer
	b.Grow(int(size) + bytes.MinRead) // ReadFrom reads on into MinRead bytes to find the end
	if _, err := b.ReadFrom(io.LimitReader(f, max+1)); err != nil {
		return nil, err
	}
	if int64(b.Len()) > max {
		return nil, tooLarge
	}
	return b.Bytes(), nil
}

// readString is readFile into a string.
func readString(path string, max int64, tooLarge error) (string, error) {
	f, size, err := openRegular(path, max, tooLarge)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	b.Grow(int(size) + 1)
	if _, err := io.Copy(&b, io.LimitReader(f, max+1)); err != nil {
		return "", err
	}
	if int64(b.Len()) > max {
		return "", tooLarge
	}
	return b.String(), nil
}

// lines maps byte offsets of a text to lines and columns.
type lines []int // the offset at which each line starts

func newLines(src []byte) lines {
	ls := lines{0}
	for i, c := range src {
		if c == '\n' {
			ls = append(ls, i+1)
		}
	}
	return ls
}

func (ls lines) pos(file string, off int) Pos {
	i := sort.Search(len(ls), func(i int) bool { return ls[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return Pos{File: file, Line: i + 1, Col: off - ls[i] + 1}
}

// reader is the state of one paper's reading: the files seen, for cycles and MaxFiles, the
// bytes read, for MaxPaperSize, and the .bib files named, each once.
type reader struct {
	p     *Paper
	seen  map[string]bool
	dir   string // the root's folder, which TeX, BibTeX and biber resolve names against
	bytes int64  // of the files read
	bibs  map[string]bool
	// full says a Problem told of MaxCitations (or MaxBibFiles) already.
	full, bibsFull bool
}

func newReader(root string) *reader {
	return &reader{p: &Paper{Root: root}, seen: map[string]bool{}, dir: filepath.Dir(root), bibs: map[string]bool{}}
}

// addBib adds a .bib file the paper names at pos, once; past MaxBibFiles with a Problem.
func (r *reader) addBib(path string, pos Pos) {
	if r.bibs[path] {
		return
	}
	if len(r.p.BibFiles) >= MaxBibFiles {
		if !r.bibsFull {
			r.bibsFull = true
			r.p.problem(pos, "more than %d .bib files named: %s and those after it not read", MaxBibFiles, path)
		}
		return
	}
	r.bibs[path] = true
	r.p.BibFiles = append(r.p.BibFiles, path)
	r.p.BibPos = append(r.p.BibPos, pos)
}

// addCitations adds citations to the paper's, up to MaxCitations; past it with a Problem.
func (r *reader) addCitations(cs ...Citation) {
	if room := MaxCitations - len(r.p.Citations); len(cs) > room {
		if !r.full {
			r.full = true
			r.p.problem(cs[max(room, 0)].Pos, "more than %d citations: those from here on left out", MaxCitations)
		}
		cs = cs[:max(room, 0)]
	}
	r.p.Citations = append(r.p.Citations, cs...)
}

// read reads a file once: it returns nil, with a Problem at from, for a file read already (a
// cycle or a second include), one too many or too large or missing.
func (r *reader) read(path string, from Pos, depth int) []byte {
	key := filepath.Clean(path)
	if abs, err := filepath.Abs(key); err == nil {
		key = abs
	}
	if r.seen[key] {
		if depth > 0 {
			r.p.problem(from, "%s is included again: read once", path)
		}
		return nil
	}
	if depth > MaxDepth {
		r.p.problem(from, "%s: includes nested more than %d deep: not read", path, MaxDepth)
		return nil
	}
	if len(r.seen) >= MaxFiles {
		r.p.problem(from, "%s: more than %d files included: not read", path, MaxFiles)
		return nil
	}
	r.seen[key] = true
	left := MaxPaperSize - r.bytes
	if left <= 0 {
		r.p.problem(from, "%s: the paper's files hold more than %d MB: not read", path, MaxPaperSize>>20)
		return nil
	}
	errLeft := fmt.Errorf("more than the %d MB left of the %d MB a paper's files may hold in all", left>>20, MaxPaperSize>>20)
	limit, tooLarge := int64(MaxFileSize), ErrTooLarge
	if left < limit {
		limit, tooLarge = left, errLeft
	}
	b, err := readFile(path, limit, tooLarge)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			r.p.problem(from, "%s: no such file", path)
		} else {
			r.p.problem(from, "read %s: %v", path, err)
		}
		return nil
	}
	r.bytes += int64(len(b))
	r.p.Files = append(r.p.Files, path)
	return b
}

// rootError turns a root that could not be read into the error Open returns.
func (r *reader) rootError(path string) error {
	if len(r.p.Problems) > 0 {
		return fmt.Errorf("read paper: %s", r.p.Problems[0].Msg)
	}
	return fmt.Errorf("read paper %s: unreadable", path)
}

// bibPath resolves a .bib file named by a paper against its root's folder, adding .bib when the
// name has no extension (BibTeX's \bibdata{refs} reads refs.bib).
func (r *reader) bibPath(name string, addExt bool) string {
	name = strings.TrimSpace(name)
	if addExt && !strings.EqualFold(filepath.Ext(name), ".bib") {
		name += ".bib"
	}
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	return filepath.Join(r.dir, name)
}
