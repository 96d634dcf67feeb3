package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
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
		if err := lib.AddPaper(ctx, target); err != nil {
			fmt.Fprintf(stderr, "bibshelf check: %v\n", err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.print(stdout)
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

// checkReport is what check finds, and what check --json prints.
type checkReport struct {
	Paper    string   `json:"paper"`
	Files    []string `json:"files"`     // the files read, the paper first
	BibFiles []string `json:"bib_files"` // the .bib files the paper names
	BibLaTeX bool     `json:"biblatex"`
	Library  string   `json:"library,omitempty"`
	// Cited is the number of keys cited, each once; Undefined of those defined nowhere.
	Cited     int            `json:"cited"`
	Undefined int            `json:"undefined"`
	Problems  []checkProblem `json:"problems"`
}

// checkProblem is one line of the report.
type checkProblem struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Kind     string `json:"kind"` // undefined, case, library-only, unused, missing-fields, missing-parent, bib-file, paper
	Key      string `json:"key,omitempty"`
	Severity string `json:"severity"` // error or warning
	Message  string `json:"message"`
}

func (r *checkReport) add(pos paper.Pos, kind, key, severity, format string, args ...any) {
	r.Problems = append(r.Problems, checkProblem{pos.File, pos.Line, pos.Col, kind, key, severity, fmt.Sprintf(format, args...)})
}

func (r *checkReport) print(w io.Writer) error {
	for _, p := range r.Problems {
		fmt.Fprintf(w, "%s:%d:%d: %s\n", p.File, p.Line, p.Col, printable(p.Message))
	}
	_, err := fmt.Fprintf(w, "%s: %d keys cited, %d undefined, %d problems\n", r.Paper, r.Cited, r.Undefined, len(r.Problems))
	return err
}

// bibEntry is an entry of one of the paper's .bib files, with where it is.
type bibEntry struct {
	e   *bib.Entry
	pos paper.Pos
}

// checkPaper checks a paper's citations against its .bib files and, when lib is not nil, the
// library, which it reads once for all the keys.
func checkPaper(ctx context.Context, p *paper.Paper, lib *storage.Library) (*checkReport, error) {
	rep := &checkReport{Paper: p.Root, Files: p.Files, BibFiles: p.BibFiles, BibLaTeX: p.BibLaTeX, Problems: []checkProblem{}}
	if rep.BibFiles == nil {
		rep.BibFiles = []string{}
	}
	for _, pr := range p.Problems {
		rep.add(pr.Pos, "paper", "", "warning", "%s", pr.Msg)
	}
	rootPos := paper.Pos{File: p.Root, Line: 1, Col: 1}
	// The .bib files' entries, by key and by folded key; the first of a key wins, as in BibTeX.
	inBib := map[string]bibEntry{}
	folded := map[string]string{}
	var bibOrder []string
	for _, path := range p.BibFiles {
		src, err := bib.ReadFile(path)
		if err != nil {
			msg := err.Error()
			if errors.Is(err, fs.ErrNotExist) {
				msg = "no such file"
			}
			rep.add(rootPos, "bib-file", "", "warning", "the paper names %s: %s", path, msg)
			continue
		}
		for _, e := range bib.ParseString(path, src).Entries() {
			if _, ok := inBib[e.Key]; ok {
				continue
			}
			inBib[e.Key] = bibEntry{e, paper.Pos{File: path, Line: e.Line, Col: 1}}
			bibOrder = append(bibOrder, e.Key)
			if _, ok := folded[strings.ToLower(e.Key)]; !ok {
				folded[strings.ToLower(e.Key)] = e.Key
			}
		}
	}
	keys := p.Keys()
	rep.Cited = len(keys)
	var inLib map[string]*bib.Entry
	if lib != nil {
		rep.Library = lib.Path()
		// Parents are looked up with the keys: one read of the library for all.
		ask := slices.Clone(keys)
		for _, k := range keys {
			if be, ok := inBib[k]; ok {
				ask = append(ask, parents(be.e)...)
			}
		}
		var err error
		if inLib, err = lib.EntriesByKey(ctx, ask); err != nil {
			return nil, err
		}
		// Parents of entries only the library has, in a second read when there are any.
		var more []string
		for _, k := range keys {
			if e, ok := inLib[k]; ok {
				for _, parent := range parents(e) {
					if _, ok := inLib[parent]; !ok {
						more = append(more, parent)
					}
				}
			}
		}
		if len(more) > 0 {
			extra, err := lib.EntriesByKey(ctx, more)
			if err != nil {
				return nil, err
			}
			for k, e := range extra {
				inLib[k] = e
			}
		}
	}
	// where gives each key's citations.
	where := map[string][]paper.Pos{}
	for _, c := range p.Citations {
		where[c.Key] = append(where[c.Key], c.Pos)
	}
	cited := map[string]bool{}
	for _, k := range keys {
		var e *bib.Entry
		var pos paper.Pos
		switch be, ok := inBib[k]; {
		case ok:
			e, pos = be.e, be.pos
			cited[k] = true
		case folded[strings.ToLower(k)] != "":
			other := folded[strings.ToLower(k)]
			cited[other] = true
			sev := "warning"
			if p.BibLaTeX {
				sev = "error" // biber matches keys exactly: the citation is undefined
				rep.Undefined++
			}
			for _, at := range where[k] {
				rep.add(at, "case", k, sev, "%q differs only in case from the entry %q of %s", k, other, inBib[other].pos.File)
			}
			continue
		case inLib[k] != nil:
			e, pos = inLib[k], where[k][0]
			if e.Key != k {
				for _, at := range where[k] {
					rep.add(at, "case", k, "warning", "%q differs only in case from the library's entry %q", k, e.Key)
				}
			}
			for _, at := range where[k] {
				rep.add(at, "library-only", k, "warning", "%q is in the library but in no .bib file the paper names", k)
			}
		default:
			rep.Undefined++
			for _, at := range where[k] {
				rep.add(at, "undefined", k, "error", "%q is undefined: in no .bib file the paper names%s", k, notInLibrary(lib))
			}
			continue
		}
		checkEntry(rep, p, e, pos, inBib, inLib)
		// A parent is cited with its child: BibTeX and biber read it for the child.
		for _, parent := range parents(e) {
			cited[parent] = true
		}
	}
	if !p.NociteAll {
		for _, k := range bibOrder {
			if !cited[k] {
				rep.add(inBib[k].pos, "unused", k, "warning", "%q is never cited", k)
			}
		}
	}
	return rep, nil
}

func notInLibrary(lib *storage.Library) string {
	if lib == nil {
		return ""
	}
	return ", and not in the library"
}

// checkEntry reports a cited entry's missing fields (those its crossref or xdata parents give
// count) and parents that are nowhere.
func checkEntry(rep *checkReport, p *paper.Paper, e *bib.Entry, pos paper.Pos, inBib map[string]bibEntry, inLib map[string]*bib.Entry) {
	full := e
	for _, parent := range parents(e) {
		var pe *bib.Entry
		if be, ok := inBib[parent]; ok {
			pe = be.e
		} else if le := inLib[parent]; le != nil {
			pe = le
		}
		if pe == nil {
			rep.add(pos, "missing-parent", e.Key, "warning", "%q names %q as its parent (crossref or xdata), which is in no .bib file%s", e.Key, parent, notInLibraryMap(inLib))
			continue
		}
		if full == e {
			full = &bib.Entry{Type: e.Type, Key: e.Key, Fields: slices.Clone(e.Fields)}
		}
		for _, f := range pe.Fields {
			if full.Field(f.Name) == nil {
				full.Fields = append(full.Fields, f)
			}
		}
		// Biber gives a child the parent's title as its booktitle; BibTeX only fields of the
		// same name (and warns of an empty booktitle).
		if p.BibLaTeX && full.Field("booktitle") == nil && pe.Get("title") != "" {
			full.Fields = append(full.Fields, bib.Field{Name: "booktitle", Value: pe.Get("title")})
		}
	}
	missing := bib.Missing(full)
	if p.BibLaTeX {
		missing = bib.MissingBibLaTeX(full)
	}
	if len(missing) > 0 {
		rep.add(pos, "missing-fields", e.Key, "warning", "%q (@%s) has no %s", e.Key, e.Type, strings.Join(missing, ", "))
	}
}

func notInLibraryMap(inLib map[string]*bib.Entry) string {
	if inLib == nil {
		return ""
	}
	return " and not in the library"
}

// parents returns the keys of an entry's crossref and xdata parents.
func parents(e *bib.Entry) []string {
	var out []string
	for _, name := range []string{"crossref", "xdata"} {
		for _, k := range strings.Split(e.Get(name), ",") {
			if k = strings.TrimSpace(k); k != "" {
				out = append(out, k)
			}
		}
	}
	return out
}
