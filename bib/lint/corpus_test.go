package lint

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/bibtest"
)

// TestCorpus lints every .bib file of the shared corpus (in under a second): no panic; a fix
// of nothing gives the file's bytes back; and an "unbalanced" finding only where bibtex
// complains. The parser is the oracle for every entry (an unbalanced finding is on an entry
// read with a syntax error, or one the parser said has unbalanced braces), and the real bibtex
// for a sample: each entry found unbalanced, up to 20, and the table test's, run alone through
// bibtex, must make it report an error.
func TestCorpus(t *testing.T) {
	dir := bibtest.CorpusDir(t)
	var suspects []string
	for _, rel := range bibtest.CorpusFiles(t, dir) {
		src, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		f := bib.Parse(rel, src)
		for _, opts := range []Options{{}, {BibLaTeX: true, ASCII: true}} {
			fs := File(f, opts)
			broken := map[string]*bib.Entry{}
			for _, e := range f.Entries() {
				if e.Broken {
					broken[e.Key] = e
				}
			}
			for _, fd := range fs {
				if fd.Check != Unbalanced {
					continue
				}
				if !strings.HasPrefix(fd.Msg, "unbalanced braces") && broken[fd.Key] == nil {
					t.Errorf("%s: unbalanced on an entry read without a syntax error", fd)
				}
				if e := broken[fd.Key]; e != nil && len(suspects) < 20 {
					suspects = append(suspects, e.Source)
				}
			}
		}
		text, applied, err := FixFile(f, src, nil)
		if err == nil && (!bytes.Equal(text, src) || len(applied) > 0) {
			t.Errorf("%s: FixFile with no finding changed the file", rel)
		}
	}
	suspects = append(suspects, "@inproceedings{vinyals2015pointer,\n  title = {Pointer {N}etworks,\n  year = {2015}\n}\n")
	bibtest.NeedBibtex(t)
	for _, src := range suspects {
		if out, ok := bibtexReads(t, src); ok {
			t.Errorf("bibtex reads without complaint what lint found unbalanced:\n%s\n%s", src, out)
		}
	}
}

// bibtexReads runs bibtex with the plain style on a .bib text and reports whether it read it
// without an error, with its output.
func bibtexReads(t *testing.T, src string) (string, bool) {
	t.Helper()
	dir := t.TempDir()
	aux := "\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n"
	for name, data := range map[string]string{"refs.bib": src, "doc.aux": aux} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("bibtex", "-terse", "doc")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err == nil && !strings.Contains(string(out), "error message")
}
