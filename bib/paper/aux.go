package paper

import (
	"bytes"
	"path/filepath"
	"strings"
)

// ReadAux reads a paper from its .aux file and the .aux files it inputs (\@input, as \include
// writes them), each once: \citation{a,b} (BibTeX's), \abx@aux@cite{key} and
// \abx@aux@cite{refsection}{key} (biblatex's, before and since 3.8), \bibdata{a,b} and
// \abx@aux@nociteall. biblatex names the .bib files in the .bcf file beside its .aux, not in the
// .aux: they are read from there.
func ReadAux(path string) (*Paper, error) {
	r := newReader(path)
	if !r.aux(path, Pos{File: path, Line: 1, Col: 1}, 0) {
		return nil, r.rootError(path)
	}
	if bcf := strings.TrimSuffix(path, filepath.Ext(path)) + ".bcf"; r.p.BibLaTeX && len(r.p.BibFiles) == 0 && exists(bcf) {
		if src := r.read(bcf, Pos{File: path, Line: 1, Col: 1}, 1); src != nil {
			cites := r.p.Citations
			r.bcf(bcf, src)
			r.p.Citations = cites // the .aux's, with their places in it
		}
	}
	return r.p, nil
}

func (r *reader) aux(path string, from Pos, depth int) bool {
	src := r.read(path, from, depth)
	if src == nil {
		return false
	}
	s := newScanner(path, src)
	p := r.p
	for s.i < len(s.src) {
		if s.src[s.i] != '\\' {
			s.i++
			continue
		}
		start := s.i
		s.i++
		j := s.i
		// In an .aux file @ is a letter.
		for j < len(s.src) && (isLetter(s.src[j]) || s.src[j] == '@') {
			j++
		}
		name := string(s.src[s.i:j])
		if j == s.i {
			j++
		}
		s.i = j
		switch name {
		case "citation":
			s.auxKeys(name, true)
		case "abx@aux@cite":
			p.BibLaTeX = true
			a, b, ok := s.group('{', '}')
			if !ok {
				continue
			}
			// Since biblatex 3.8 the first argument is the refsection, the second the key.
			if s.i < len(s.src) && s.src[s.i] == '{' && isNumber(s.src[a:b]) {
				s.auxKeys(name, false)
			} else {
				s.addKeys(name, a, b, false)
			}
		case "abx@aux@nociteall":
			p.BibLaTeX = true
			s.out.NociteAll = append(s.out.NociteAll, s.pos(start))
		case "bibdata":
			if a, b, ok := s.group('{', '}'); ok {
				for _, n := range strings.Split(string(s.src[a:b]), ",") {
					if n = strings.TrimSpace(n); n != "" {
						r.addBib(r.bibPath(n, true), s.pos(a))
					}
				}
			}
		case "@input":
			if a, b, ok := s.group('{', '}'); ok {
				// \@input names are relative to the folder TeX ran in, the root's.
				if name := strings.TrimSpace(string(s.src[a:b])); name != "" {
					s.out.Includes = append(s.out.Includes, Include{Command: "@input", Name: name, Pos: s.pos(start), Offset: start})
				}
			}
		}
	}
	if len(s.out.NociteAll) > 0 && !p.NociteAll {
		p.NociteAll, p.NociteAllPos = true, s.out.NociteAll[0]
	}
	cut := r.addProblems(s.out)
	cites := s.out.Citations
	for _, inc := range s.out.Includes {
		n := 0
		for n < len(cites) && cites[n].Start < inc.Offset {
			n++
		}
		r.addCitations(cites[:n]...)
		cites = cites[n:]
		name := inc.Name
		if !filepath.IsAbs(name) {
			name = filepath.Join(r.dir, name)
		}
		r.aux(name, inc.Pos, depth+1)
	}
	r.addCitations(cites...)
	r.citationsCut(cut)
	return true
}

// auxKeys reads the braced keys at s.i.
func (s *scanner) auxKeys(cmd string, split bool) {
	if a, b, ok := s.group('{', '}'); ok {
		s.addKeys(cmd, a, b, split)
	}
}

// addKeys adds the keys of src[a:b], split on commas when split; * is \nocite{*}.
func (s *scanner) addKeys(cmd string, a, b int, split bool) {
	for a <= b {
		end := b
		if split {
			if k := bytes.IndexByte(s.src[a:b], ','); k >= 0 {
				end = a + k
			}
		}
		ka, kb := a, end
		for ka < kb && isSpace(s.src[ka]) {
			ka++
		}
		for kb > ka && isSpace(s.src[kb-1]) {
			kb--
		}
		if s.full && (kb-ka != 1 || s.src[ka] != '*') {
			// past MaxCitations: only \nocite{*} still counts
		} else if key := string(s.src[ka:kb]); key == "*" {
			s.out.NociteAll = append(s.out.NociteAll, s.pos(ka))
		} else if key != "" {
			s.cite1(Citation{Key: key, Pos: s.pos(ka), Command: cmd, Start: ka, End: kb})
		}
		a = end + 1
	}
}

func isNumber(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
