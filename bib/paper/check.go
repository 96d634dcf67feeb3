package paper

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/bibshelf/bibshelf/bib"
)

// Library is what Check reads of a library: the entries of keys, looked up case-insensitively,
// those it does not have left out of the map (storage.Library.EntriesByKey).
type Library interface {
	EntriesByKey(ctx context.Context, keys []string) (map[string]*bib.Entry, error)
}

// Report is what Check finds: what bibshelf check prints, and the window shows of a paper.
type Report struct {
	Paper    string   `json:"paper"`
	Files    []string `json:"files"`     // the files read, the paper first
	BibFiles []string `json:"bib_files"` // the .bib files the paper names
	BibLaTeX bool     `json:"biblatex"`
	Library  string   `json:"library,omitempty"` // the library's file, set by the caller
	// Cited is the number of keys cited, each once; Undefined of those defined nowhere.
	Cited     int       `json:"cited"`
	Undefined int       `json:"undefined"`
	Problems  []Finding `json:"problems"`
	// InLibrary are the keys cited that the library has, as the library writes them, each once,
	// in the order first cited; with their crossref and xdata parents in Parents (those the
	// library has and InLibrary does not name).
	InLibrary []string `json:"-"`
	Parents   []string `json:"-"`
	// BibOnly are the keys cited that a .bib file the paper names defines and the library does
	// not have, in the order first cited: those FromBib can import.
	BibOnly []string `json:"-"`

	bibs  []*bib.File         // the .bib files read, in the paper's order
	inBib map[string]bibEntry // their entries by key, the first of a key
}

// Finding is one problem of a Report.
type Finding struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Kind     string `json:"kind"` // undefined, case, library-only, unused, missing-fields, missing-parent, bib-file, paper
	Key      string `json:"key,omitempty"`
	Severity string `json:"severity"` // error or warning
	Message  string `json:"message"`
}

func (r *Report) add(pos Pos, kind, key, severity, format string, args ...any) {
	r.Problems = append(r.Problems, Finding{pos.File, pos.Line, pos.Col, kind, key, severity, fmt.Sprintf(format, args...)})
}

// maxBibTotal is the most Check reads of a paper's .bib files in all: MaxBibSize, but in tests.
var maxBibTotal int64 = MaxBibSize

// size says n bytes in megabytes, or in bytes when under one.
func size(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d MB", n>>20)
}

// bibEntry is an entry of one of the paper's .bib files, with where it is.
type bibEntry struct {
	e    *bib.Entry
	pos  Pos
	file int // its file's index in Report.bibs
}

// Check checks a paper's citations against its .bib files and, when lib is not nil, the
// library, which it reads once for all the keys (twice when entries only the library has name
// parents). It reads the .bib files the paper names: each a regular file of at most MaxBibSize
// bytes, and at most MaxBibSize bytes of them in all; a file it does not read is a "bib-file"
// problem where the paper names it.
func Check(ctx context.Context, p *Paper, lib Library) (*Report, error) {
	rep := &Report{Paper: p.Root, Files: p.Files, BibFiles: p.BibFiles, BibLaTeX: p.BibLaTeX, Problems: []Finding{}, inBib: map[string]bibEntry{}}
	if rep.BibFiles == nil {
		rep.BibFiles = []string{}
	}
	for _, pr := range p.Problems {
		rep.add(pr.Pos, "paper", "", "warning", "%s", pr.Msg)
	}
	// The .bib files' entries, by key and by folded key; the first of a key wins, as in BibTeX.
	inBib := rep.inBib
	folded := map[string]string{}
	var bibOrder []string
	var read int64 // bytes of .bib files read, at most maxBibTotal
	for i, path := range p.BibFiles {
		at := Pos{File: p.Root, Line: 1, Col: 1}
		if i < len(p.BibPos) {
			at = p.BibPos[i]
		}
		src, err := readString(path, min(MaxBibSize, maxBibTotal-read), ErrBibTooLarge)
		if errors.Is(err, ErrBibTooLarge) && maxBibTotal-read < MaxBibSize {
			err = fmt.Errorf("more than the %s left of the %s of .bib files read for a paper", size(maxBibTotal-read), size(maxBibTotal))
		}
		if err != nil {
			msg := err.Error()
			if errors.Is(err, fs.ErrNotExist) {
				msg = "no such file"
			}
			rep.add(at, "bib-file", "", "warning", "the paper names %s: %s", path, msg)
			continue
		}
		read += int64(len(src))
		f := bib.ParseString(path, src)
		rep.bibs = append(rep.bibs, f)
		for _, e := range f.Entries() {
			if _, ok := inBib[e.Key]; ok {
				continue
			}
			inBib[e.Key] = bibEntry{e, Pos{File: path, Line: e.Line, Col: 1}, len(rep.bibs) - 1}
			bibOrder = append(bibOrder, e.Key)
			if _, ok := folded[bib.FoldKey(e.Key)]; !ok {
				folded[bib.FoldKey(e.Key)] = e.Key
			}
		}
	}
	keys := p.Keys()
	rep.Cited = len(keys)
	inLib, err := readLibrary(ctx, lib, keys, inBib)
	if err != nil {
		return nil, err
	}
	rep.placeInLibrary(keys, inLib)
	// where gives each key's citations.
	where := map[string][]Pos{}
	for _, c := range p.Citations {
		where[c.Key] = append(where[c.Key], c.Pos)
	}
	cited := map[string]bool{}
	for _, k := range keys {
		var e *bib.Entry
		var pos Pos
		switch be, ok := inBib[k]; {
		case ok:
			e, pos = be.e, be.pos
			cited[k] = true
			if lib != nil && inLib[k] == nil {
				rep.BibOnly = append(rep.BibOnly, k)
			}
		case folded[bib.FoldKey(k)] != "":
			other := folded[bib.FoldKey(k)]
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
				rep.add(at, "undefined", k, "error", "%q is undefined: in no .bib file the paper names%s", k, notInLibrary(lib != nil))
			}
			continue
		}
		checkEntry(rep, p, e, pos, inBib, inLib, lib != nil)
		// A parent is cited with its child: BibTeX and biber read it for the child.
		for _, parent := range bib.Parents(e) {
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

// readLibrary reads the entries of the keys cited from the library, with the parents their
// .bib entries name, and then the parents of entries only the library has; nil without one.
func readLibrary(ctx context.Context, lib Library, keys []string, inBib map[string]bibEntry) (map[string]*bib.Entry, error) {
	if lib == nil {
		return nil, nil
	}
	// Parents are looked up with the keys: one read of the library for all.
	ask := slices.Clone(keys)
	for _, k := range keys {
		if be, ok := inBib[k]; ok {
			ask = append(ask, bib.Parents(be.e)...)
		}
	}
	inLib, err := lib.EntriesByKey(ctx, ask)
	if err != nil {
		return nil, err
	}
	// Parents of entries only the library has, in a second read when there are any.
	var more []string
	for _, k := range keys {
		if e, ok := inLib[k]; ok {
			for _, parent := range bib.Parents(e) {
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
	return inLib, nil
}

// placeInLibrary sets InLibrary and Parents: the cited keys the library has, and their parents.
func (r *Report) placeInLibrary(keys []string, inLib map[string]*bib.Entry) {
	seen := map[string]bool{}
	for _, k := range keys {
		if e := inLib[k]; e != nil && !seen[bib.FoldKey(e.Key)] {
			seen[bib.FoldKey(e.Key)] = true
			r.InLibrary = append(r.InLibrary, e.Key)
		}
	}
	for _, k := range keys {
		e := inLib[k]
		if e == nil {
			continue
		}
		for _, parent := range bib.Parents(e) {
			if pe := inLib[parent]; pe != nil && !seen[bib.FoldKey(pe.Key)] {
				seen[bib.FoldKey(pe.Key)] = true
				r.Parents = append(r.Parents, pe.Key)
			}
		}
	}
}

func notInLibrary(lib bool) string {
	if !lib {
		return ""
	}
	return ", and not in the library"
}

// checkEntry reports a cited entry's missing fields (those its crossref or xdata parents give,
// as bib.Inherit says for the paper's dialect, count) and parents that are nowhere.
func checkEntry(rep *Report, p *Paper, e *bib.Entry, pos Pos, inBib map[string]bibEntry, inLib map[string]*bib.Entry, lib bool) {
	d := bib.BibTeX
	if p.BibLaTeX {
		d = bib.BibLaTeX
	}
	full := e
	for _, parent := range bib.Parents(e) {
		var pe *bib.Entry
		if be, ok := inBib[parent]; ok {
			pe = be.e
		} else if le := inLib[parent]; le != nil {
			pe = le
		}
		if pe == nil {
			rep.add(pos, "missing-parent", e.Key, "warning", "%q names %q as its parent (crossref or xdata), which is in no .bib file%s", e.Key, parent, notInLibraryAnd(lib))
			continue
		}
		full = bib.Inherit(full, pe, d)
	}
	missing := bib.Missing(full)
	if p.BibLaTeX {
		missing = bib.MissingBibLaTeX(full)
	}
	if len(missing) > 0 {
		rep.add(pos, "missing-fields", e.Key, "warning", "%q (@%s) has no %s", e.Key, e.Type, strings.Join(missing, ", "))
	}
}

func notInLibraryAnd(lib bool) string {
	if !lib {
		return ""
	}
	return " and not in the library"
}

// FromBib returns, for each of the paper's .bib files that defines one of keys, a file holding
// only what importing those entries needs: the entries, their crossref and xdata parents that
// the .bib files define (in whichever of them), and the @string items they use, directly or
// through other @string items, in the order the file has them. Keys no .bib file defines are
// left out.
func (r *Report) FromBib(keys []string) []*bib.File {
	want := map[string]bool{}
	var add func(k string, depth int)
	add = func(k string, depth int) {
		be, ok := r.inBib[k]
		if !ok || want[k] || depth > MaxDepth {
			return
		}
		want[k] = true
		for _, parent := range bib.Parents(be.e) {
			add(parent, depth+1)
		}
	}
	for _, k := range keys {
		add(k, 0)
	}
	var out []*bib.File
	for i, f := range r.bibs {
		macros := map[string]bool{}
		for k := range want {
			if be := r.inBib[k]; be.file == i {
				for _, m := range be.e.MacroNames() {
					macros[m] = true
				}
			}
		}
		// Backwards, so that a macro a kept @string uses is kept too: it is defined before.
		keep := make([]bool, len(f.Items))
		n := 0
		for j := len(f.Items) - 1; j >= 0; j-- {
			it := &f.Items[j]
			switch {
			case it.Kind == bib.KindEntry && want[it.Entry.Key] && r.inBib[it.Entry.Key].e == it.Entry:
				keep[j] = true
				n++
			case it.Kind == bib.KindString && macros[strings.ToLower(it.Name)]:
				keep[j] = true
				for _, m := range bib.MacroNames(it.Value) {
					macros[m] = true
				}
			}
		}
		if n == 0 {
			continue
		}
		sub := &bib.File{Name: f.Name}
		for j := range f.Items {
			if keep[j] {
				sub.Items = append(sub.Items, f.Items[j])
			}
		}
		out = append(out, sub)
	}
	return out
}
