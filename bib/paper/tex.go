package paper

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
)

// Source is what one .tex file says about citations, read by ScanTeX without following its
// includes.
type Source struct {
	Citations []Citation
	// NociteAll holds where \nocite{*} is.
	NociteAll []Pos
	Includes  []Include
	// Bibs are the .bib files named by \bibliography (AddExt: each name without .bib gets it)
	// and \addbibresource, as written, each once, where first named; no more than one past
	// MaxBibFiles.
	Bibs     []BibName
	BibLaTeX bool
	// Root says the file has \documentclass.
	Root bool
	// Problems say where the reading was cut short: past MaxCitations, or past its bound of
	// work on arguments that never close.
	Problems []Problem
	// cut is 1 + the index in Problems of the one past MaxCitations, 0 without one.
	cut int
}

// addProblems adds a scanned file's problems to the paper's, all but the one of the file's
// citations past MaxCitations, which it returns: the paper's own count says that better.
func (r *reader) addProblems(s *Source) *Problem {
	for i, pr := range s.Problems {
		if i+1 != s.cut {
			r.p.Problems = append(r.p.Problems, pr)
		}
	}
	if s.cut == 0 {
		return nil
	}
	return &s.Problems[s.cut-1]
}

// citationsCut adds the Problem of a file's citations past MaxCitations, unless the paper's
// count told of it already.
func (r *reader) citationsCut(pr *Problem) {
	if pr != nil && !r.full {
		r.full = true
		r.p.Problems = append(r.p.Problems, *pr)
	}
}

// Include is a file a .tex file includes.
type Include struct {
	Command string // input, include, subfile, import, subimport, ...
	Name    string // as written
	// Dir is \import's folder; SubDir says it (or, for \subfile, the name) is relative to the
	// including file's folder rather than to the folder names are resolved against.
	Dir    string
	SubDir bool
	Pos    Pos
	Offset int
}

// BibName is a .bib file a .tex file names.
type BibName struct {
	Name   string
	AddExt bool
	Pos    Pos
}

// maxArg bounds an argument's length, as LaTeX stops a \cite's argument at a blank line (a
// runaway argument). An argument that does not close is scanned from its bracket to the blank
// line or the bound each time one is tried, so a file full of unclosed brackets would be read
// many times over: scanBudget bounds that work.
const maxArg = 16 << 10

// scanBudget returns how many bytes the arguments that do not close may scan in a file of n
// bytes, in all: a few times the file, far more than the few runaway arguments of a file TeX
// reads would need. Past it no argument is read, with a Problem.
func scanBudget(n int) int { return 4*n + 4*maxArg }

// citeCommands are natbib's, biblatex's, csquotes' and a few other packages' commands whose
// argument holds citation keys, each with the number of the mandatory argument that holds them
// (1 but for \volcite's and csquotes' \foreign... commands). The capitalised forms (\Citet,
// \Textcite) are found by lowering the first letter.
var citeCommands = map[string]int{
	// LaTeX, natbib
	"cite": 1, "nocite": 1, "citet": 1, "citep": 1, "citealt": 1, "citealp": 1, "citeauthor": 1,
	"citefullauthor": 1, "citeyear": 1, "citeyearpar": 1, "citenum": 1,
	// biblatex
	"parencite": 1, "footcite": 1, "footcitetext": 1, "textcite": 1, "smartcite": 1,
	"autocite": 1, "supercite": 1, "citetitle": 1, "citedate": 1, "citeurl": 1, "citeurldate": 1,
	"fullcite": 1, "footfullcite": 1, "notecite": 1, "pnotecite": 1, "fnotecite": 1, "citename": 1,
	"citefield": 1, "citelist": 1, "nocites": 1,
	"volcite": 2, "pvolcite": 2, "fvolcite": 2, "ftvolcite": 2, "svolcite": 2, "tvolcite": 2, "avolcite": 2,
	// biblatex multi-cite commands
	"cites": 1, "parencites": 1, "footcites": 1, "footcitetexts": 1, "smartcites": 1, "textcites": 1,
	"supercites": 1, "autocites": 1,
	// csquotes
	"textcquote": 1, "blockcquote": 1, "foreigntextcquote": 2, "foreignblockcquote": 2,
	"hybridblockcquote": 2,
	// apacite, harvard, chicago and others
	"citeA": 1, "citeNP": 1, "citeyearNP": 1, "shortcite": 1, "shortciteNP": 1, "citeasnoun": 1,
	"citeN": 1,
}

// multiCite are the commands that take several citations: \cites(pre)(post)[..][..]{a}[..]{b}.
var multiCite = map[string]bool{
	"cites": true, "parencites": true, "footcites": true, "footcitetexts": true, "smartcites": true,
	"textcites": true, "supercites": true, "autocites": true, "nocites": true,
}

// verbatimEnvs are the environments whose text is not TeX to read.
var verbatimEnvs = map[string]bool{
	"verbatim": true, "verbatim*": true, "Verbatim": true, "Verbatim*": true, "BVerbatim": true,
	"LVerbatim": true, "lstlisting": true, "minted": true, "comment": true, "filecontents": true,
	"filecontents*": true, "alltt": true,
}

// citeArg returns the number of the mandatory argument of a cite command that holds the keys,
// or 0 when name is no cite command.
func citeArg(name string) int {
	if n := citeCommands[name]; n > 0 {
		return n
	}
	if name != "" && name[0] >= 'A' && name[0] <= 'Z' {
		lower := string(name[0]+'a'-'A') + name[1:]
		return citeCommands[lower]
	}
	return 0
}

func isMulti(name string) bool {
	if name != "" && name[0] >= 'A' && name[0] <= 'Z' {
		name = string(name[0]+'a'-'A') + name[1:]
	}
	return multiCite[name]
}

// scanner reads one .tex file.
type scanner struct {
	src   []byte
	i     int
	file  string
	lines lines
	out   *Source
	// budget is what is left of scanBudget; full says a Problem told of MaxCitations.
	budget int
	full   bool
	bibs   map[BibName]bool // the names in Source.Bibs, without their places
	// runaways counts the cite commands' arguments that did not close (see runaway).
	runaways int
}

// maxRunaways is how many arguments of cite commands that do not close are told, each with a
// Problem; one more Problem says that there are others.
const maxRunaways = 10

// runaway tells of the argument of the cite command name at s.i, which does not close: LaTeX
// stops at it ("Runaway argument?"), and its keys are not read. An unclosed \cite{a lost its
// key without a word.
func (s *scanner) runaway(name string) {
	if s.budget <= 0 || s.i >= len(s.src) || s.src[s.i] != '{' && s.src[s.i] != '[' && s.src[s.i] != '(' {
		return // group told that no more are read, or there is no argument
	}
	switch s.runaways++; {
	case s.runaways <= maxRunaways:
		s.out.Problems = append(s.out.Problems, Problem{s.pos(s.i),
			fmt.Sprintf("\\%s: the argument does not close before a blank line or %d KB (a runaway argument): its keys are not read", name, maxArg>>10)})
	case s.runaways == maxRunaways+1:
		s.out.Problems = append(s.out.Problems, Problem{s.pos(s.i),
			"more arguments of cite commands do not close from here on: not told"})
	}
}

func newScanner(name string, src []byte) *scanner {
	return &scanner{src: src, file: name, lines: newLines(src), out: &Source{}, budget: scanBudget(len(src))}
}

// ScanTeX reads what a .tex file's text cites, includes and names. name is the file name
// positions give. Comments, verbatim environments and \verb are left out, as TeX leaves them.
// The work is linear in len(src); at most MaxCitations citations are read.
func ScanTeX(name string, src []byte) *Source {
	s := newScanner(name, src)
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case '%':
			s.skipComment()
		case '\\':
			s.command()
		default:
			s.i++
		}
	}
	return s.out
}

func (s *scanner) pos(off int) Pos { return s.lines.pos(s.file, off) }

// skipComment skips from a % to the end of its line, the newline included.
func (s *scanner) skipComment() {
	j := bytes.IndexByte(s.src[s.i:], '\n')
	if j < 0 {
		s.i = len(s.src)
		return
	}
	s.i += j + 1
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// command reads a control sequence at s.i and what it means for citations.
func (s *scanner) command() {
	start := s.i
	s.i++
	if s.i >= len(s.src) {
		return
	}
	if !isLetter(s.src[s.i]) {
		s.i++ // a control symbol: \%, \\, \{
		return
	}
	j := s.i
	for j < len(s.src) && isLetter(s.src[j]) {
		j++
	}
	name := string(s.src[s.i:j])
	s.i = j
	switch name {
	case "verb":
		s.verb()
		return
	case "begin":
		s.begin()
		return
	case "documentclass", "documentstyle":
		s.out.Root = true
		return
	case "usepackage", "RequirePackage":
		s.usepackage()
		return
	case "bibliography", "nobibliography":
		s.bibliography(true)
		return
	case "addbibresource", "addglobalbib", "addsectionbib":
		s.out.BibLaTeX = true
		s.bibliography(false)
		return
	case "input", "include", "subfile", "InputIfFileExists", "import", "subimport", "inputfrom",
		"subinputfrom", "includefrom", "subincludefrom":
		s.include(name, start)
		return
	}
	if n := citeArg(name); n > 0 {
		s.cite(name, n)
	}
}

// verb skips \verb|text| (and \verb*), which ends at its delimiter or the end of the line.
func (s *scanner) verb() {
	if s.i < len(s.src) && s.src[s.i] == '*' {
		s.i++
	}
	if s.i >= len(s.src) {
		return
	}
	delim := s.src[s.i]
	s.i++
	for s.i < len(s.src) && s.src[s.i] != delim && s.src[s.i] != '\n' {
		s.i++
	}
	if s.i < len(s.src) {
		s.i++
	}
}

// begin skips a verbatim environment to its \end.
func (s *scanner) begin() {
	s.skipSpace()
	a, b, ok := s.group('{', '}')
	if !ok {
		return
	}
	env := strings.TrimSpace(string(s.src[a:b]))
	if !verbatimEnvs[env] {
		return
	}
	end := []byte(`\end{` + env + `}`)
	if j := bytes.Index(s.src[s.i:], end); j >= 0 {
		s.i += j + len(end)
	} else {
		s.i = len(s.src)
	}
}

// skipSpace skips spaces, one line end and comments, as TeX does between a command's
// arguments; a blank line (a paragraph's end) stops it.
func (s *scanner) skipSpace() {
	newline := false
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case ' ', '\t', '\r':
			s.i++
		case '\n':
			if newline {
				return
			}
			newline = true
			s.i++
		case '%':
			s.skipComment()
		default:
			return
		}
	}
}

// group reads a group that opens at s.i with open and closes with the matching close (braces
// nest in it; a backslash escapes the next byte; comments are skipped) and returns the offsets
// of its content. It reads nothing and returns false when s.i holds no open, or the group does
// not close before a blank line or maxArg bytes, or when the scanner's budget is spent.
func (s *scanner) group(open, close byte) (start, end int, ok bool) {
	if s.i >= len(s.src) || s.src[s.i] != open || s.budget <= 0 {
		return 0, 0, false
	}
	start, end, ok, read := s.scanGroup(open, close)
	if !ok {
		s.budget -= read
		if s.budget <= 0 {
			s.out.Problems = append(s.out.Problems, Problem{s.pos(s.i),
				"too many arguments that do not close: none read from here on"})
		}
	}
	return start, end, ok
}

// scanGroup is group's scan. It returns the offsets of the group's content, or, when the group
// does not close, how many bytes it read.
func (s *scanner) scanGroup(open, close byte) (start, end int, ok bool, read int) {
	depth := 0 // of braces inside a [ ] or ( ) group, or of nested braces
	limit := min(len(s.src), s.i+maxArg)
	j := s.i + 1
	for ; j < limit; j++ {
		switch c := s.src[j]; c {
		case '\\':
			j++
		case '%':
			k := bytes.IndexByte(s.src[j:limit], '\n')
			if k < 0 {
				return 0, 0, false, limit - s.i
			}
			j += k
		case '\n':
			if k := j + 1 + spaces(s.src[j+1:limit]); k < limit && s.src[k] == '\n' {
				return 0, 0, false, k - s.i
			}
		case '{':
			depth++
		case '}':
			if close == '}' && depth == 0 {
				start, s.i = s.i+1, j+1
				return start, j, true, 0
			}
			depth--
			if depth < 0 {
				return 0, 0, false, j - s.i
			}
		default:
			if c == close && depth == 0 {
				start, s.i = s.i+1, j+1
				return start, j, true, 0
			}
		}
	}
	return 0, 0, false, min(j, len(s.src)) - s.i
}

// spaces counts the spaces, tabs and carriage returns b starts with.
func spaces(b []byte) int {
	n := 0
	for n < len(b) && (b[n] == ' ' || b[n] == '\t' || b[n] == '\r') {
		n++
	}
	return n
}

// cite reads a cite command's arguments after its name: optional arguments in [ ] (and, for
// the multi-cite commands, the global notes in ( )), the keys in the mandatory argument
// number keyArg, and for the multi-cite commands the citations that follow.
func (s *scanner) cite(name string, keyArg int) {
	if s.i < len(s.src) && s.src[s.i] == '*' {
		s.i++
	}
	multi := isMulti(name)
	if multi {
		for range 2 {
			s.skipSpace()
			if _, _, ok := s.group('(', ')'); !ok {
				break
			}
		}
	}
	for {
		mandatory := 0
		for {
			s.skipSpace()
			if s.i >= len(s.src) {
				return
			}
			if s.src[s.i] == '[' {
				if _, _, ok := s.group('[', ']'); !ok {
					s.runaway(name)
					return
				}
				continue
			}
			a, b, ok := s.group('{', '}')
			if !ok {
				s.runaway(name)
				return
			}
			mandatory++
			if mandatory == keyArg {
				s.keys(name, a, b)
				break
			}
		}
		if !multi {
			return
		}
		// Another citation of the list follows only when [ or { comes next.
		save := s.i
		s.skipSpace()
		if s.i >= len(s.src) || s.src[s.i] != '[' && s.src[s.i] != '{' {
			s.i = save
			return
		}
	}
}

// keys reads the keys of src[a:b]: split on commas, white space and comments around them left
// out. A key holding a backslash, a brace or a # (a macro's parameter) is not a key.
func (s *scanner) keys(cmd string, a, b int) {
	cmd = strings.TrimSuffix(cmd, "*")
	j := a
	for j <= b {
		// The next key runs from j to a comma or b, less spaces and comments.
		for j < b && (isSpace(s.src[j]) || s.src[j] == '%') {
			if s.src[j] == '%' {
				for j < b && s.src[j] != '\n' {
					j++
				}
				continue
			}
			j++
		}
		start := j
		for j < b && s.src[j] != ',' && s.src[j] != '%' && !isSpace(s.src[j]) {
			j++
		}
		end := j
		for j < b && s.src[j] != ',' {
			if s.src[j] == '%' {
				for j < b && s.src[j] != '\n' {
					j++
				}
				continue
			}
			if !isSpace(s.src[j]) {
				end = -1 // a key with a space inside it: not one key
			}
			j++
		}
		j++ // the comma
		if end <= start {
			continue
		}
		if s.full && (end-start != 1 || s.src[start] != '*') {
			continue // past MaxCitations: only \nocite{*} still counts
		}
		key := string(s.src[start:end])
		if strings.ContainsAny(key, `\{}#`) {
			continue
		}
		if key == "*" {
			if cmd == "nocite" || cmd == "nocites" {
				s.out.NociteAll = append(s.out.NociteAll, s.pos(start))
			}
			continue
		}
		s.cite1(Citation{Key: key, Pos: s.pos(start), Command: cmd, Start: start, End: end})
	}
}

// cite1 adds a citation to the file's, up to MaxCitations; past it with a Problem.
func (s *scanner) cite1(c Citation) {
	if len(s.out.Citations) < MaxCitations {
		s.out.Citations = append(s.out.Citations, c)
		return
	}
	if !s.full {
		s.full = true
		s.out.Problems = append(s.out.Problems, Problem{c.Pos, fmt.Sprintf("more than %d citations: those from here on left out", MaxCitations)})
		s.out.cut = len(s.out.Problems)
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// usepackage notes biblatex among the packages a \usepackage loads.
func (s *scanner) usepackage() {
	s.skipSpace()
	if s.i < len(s.src) && s.src[s.i] == '[' {
		if _, _, ok := s.group('[', ']'); !ok {
			return
		}
		s.skipSpace()
	}
	a, b, ok := s.group('{', '}')
	if !ok {
		return
	}
	for _, p := range strings.Split(string(s.src[a:b]), ",") {
		if strings.TrimSpace(p) == "biblatex" {
			s.out.BibLaTeX = true
		}
	}
}

// bibliography reads the .bib files of \bibliography{a,b} (addExt) or \addbibresource[opts]{x.bib}.
func (s *scanner) bibliography(addExt bool) {
	s.skipSpace()
	remote := false
	if s.i < len(s.src) && s.src[s.i] == '[' {
		a, b, ok := s.group('[', ']')
		if !ok {
			return
		}
		remote = strings.Contains(strings.ReplaceAll(string(s.src[a:b]), " ", ""), "location=remote")
		s.skipSpace()
	}
	a, b, ok := s.group('{', '}')
	if !ok || remote {
		return
	}
	names := []string{string(s.src[a:b])}
	if addExt {
		names = strings.Split(names[0], ",")
	}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || strings.ContainsAny(n, `\#{}`) || strings.Contains(n, "://") {
			continue
		}
		// Each name once, and no more than one past MaxBibFiles (the reader says so).
		if s.bibs[BibName{Name: n, AddExt: addExt}] || len(s.out.Bibs) > MaxBibFiles {
			continue
		}
		if s.bibs == nil {
			s.bibs = map[BibName]bool{}
		}
		s.bibs[BibName{Name: n, AddExt: addExt}] = true
		s.out.Bibs = append(s.out.Bibs, BibName{Name: n, AddExt: addExt, Pos: s.pos(a)})
	}
}

// include reads the file names of \input{f} (or \input f), \include, \subfile,
// \InputIfFileExists, and the import package's \import{dir}{f} and its kin.
func (s *scanner) include(cmd string, start int) {
	s.skipSpace()
	inc := Include{Command: cmd, Pos: s.pos(start), Offset: start}
	switch cmd {
	case "import", "subimport", "inputfrom", "subinputfrom", "includefrom", "subincludefrom":
		if s.i < len(s.src) && s.src[s.i] == '*' {
			s.i++
			s.skipSpace()
		}
		a, b, ok := s.group('{', '}')
		if !ok {
			return
		}
		inc.Dir = strings.TrimSpace(string(s.src[a:b]))
		inc.SubDir = strings.HasPrefix(cmd, "sub")
		s.skipSpace()
	case "subfile":
		inc.SubDir = true
	}
	if a, b, ok := s.group('{', '}'); ok {
		inc.Name = strings.TrimSpace(string(s.src[a:b]))
	} else if cmd == "input" {
		// TeX's own syntax: \input name, up to a space or the end of the line.
		j := s.i
		for j < len(s.src) && !isSpace(s.src[j]) && s.src[j] != '%' && s.src[j] != '\\' && s.src[j] != '}' && s.src[j] != '{' {
			j++
		}
		inc.Name = string(s.src[s.i:j])
		s.i = j
	}
	if inc.Name == "" || strings.ContainsAny(inc.Name+inc.Dir, `\#{}`) {
		return
	}
	s.out.Includes = append(s.out.Includes, inc)
}

// ReadTeX reads a paper from its root .tex file and the files it includes, each once.
func ReadTeX(path string) (*Paper, error) {
	r := newReader(path)
	if !r.tex(path, r.dir, Pos{File: path, Line: 1, Col: 1}, 0) {
		return nil, r.rootError(path)
	}
	return r.p, nil
}

// tex reads one .tex file and, where it includes them, the files it includes. base is the folder
// its \input names are resolved against.
func (r *reader) tex(path, base string, from Pos, depth int) bool {
	src := r.read(path, from, depth)
	if src == nil {
		return false
	}
	sc := ScanTeX(path, src)
	p := r.p
	p.BibLaTeX = p.BibLaTeX || sc.BibLaTeX
	cut := r.addProblems(sc)
	for _, b := range sc.Bibs {
		if r.bibsFull {
			break
		}
		r.addBib(r.bibPath(b.Name, b.AddExt), b.Pos)
	}
	if len(sc.NociteAll) > 0 && !p.NociteAll {
		p.NociteAll, p.NociteAllPos = true, sc.NociteAll[0]
	}
	cites := sc.Citations
	for _, inc := range sc.Includes {
		n := 0
		for n < len(cites) && cites[n].Start < inc.Offset {
			n++
		}
		r.addCitations(cites[:n]...)
		cites = cites[n:]
		dir := base
		if inc.SubDir {
			dir = filepath.Dir(path)
		}
		if inc.Dir != "" {
			if filepath.IsAbs(inc.Dir) {
				dir = inc.Dir
			} else {
				dir = filepath.Join(dir, inc.Dir)
			}
		}
		name := texName(dir, inc.Name)
		nextBase := base
		if inc.Dir != "" {
			nextBase = dir // the import package resolves the file's own inputs in its folder
		}
		r.tex(name, nextBase, inc.Pos, depth+1)
	}
	r.addCitations(cites...)
	r.citationsCut(cut)
	return true
}

// texName resolves an included file's name as LaTeX does: name.tex first, then name as given.
func texName(dir, name string) string {
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	if strings.EqualFold(filepath.Ext(name), ".tex") {
		return name
	}
	if exists(name+".tex") || !exists(name) {
		return name + ".tex"
	}
	return name
}
