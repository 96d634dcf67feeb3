package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fynestorage "fyne.io/fyne/v2/storage"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// A paper citing two entries of the sample library, one entry only its .bib file has (whose
// crossref parent uses an @string), and one key defined nowhere.
const (
	paperTeX = `\documentclass{article}
\begin{document}
Relative representations \cite{moschella2023relative} and OBoW \citep{gidaris2021obow}.
% \cite{commented}
Our earlier work \cite{ours2024} and a typo \cite{nowhere2020}.
\bibliographystyle{plain}
\bibliography{refs}
\end{document}
`
	paperBib = `@string{neurips = "Advances in Neural Information Processing Systems"}
@string{unused = "Never used"}
@inproceedings{ours2024,
  author = {Doe, Jane},
  title = {Our Earlier Work},
  crossref = {proc2024},
  year = 2024
}
@proceedings{proc2024,
  title = neurips,
  booktitle = neurips,
  year = 2024
}
@article{other,
  author = {Roe, R.},
  title = {Not cited},
  journal = {J},
  year = 2020
}
`
)

// writePaper writes the paper's main.tex and refs.bib in a new folder and returns main.tex.
func writePaper(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	tex := filepath.Join(dir, "main.tex")
	if err := os.WriteFile(tex, []byte(paperTeX), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "refs.bib"), []byte(paperBib), 0o644); err != nil {
		t.Fatal(err)
	}
	return tex
}

// TestPaperCheck: a paper's check says which cited entries the library has, which only its .bib
// file defines (imported with their parents and the @strings they use, and nothing else), and
// which key is defined nowhere, where it is cited; an export of what it cites has the parents
// and the @strings too.
func TestPaperCheck(t *testing.T) {
	ctx := context.Background()
	lib := sampleLibrary(t)
	tex := writePaper(t)
	c := checkPaper(ctx, lib, tex)
	if c.err != nil {
		t.Fatal(c.err)
	}
	if want := []string{"moschella2023relative", "gidaris2021obow"}; !slices.Equal(c.rep.InLibrary, want) {
		t.Errorf("in the library: %v, want %v", c.rep.InLibrary, want)
	}
	if want := []string{"ours2024"}; !slices.Equal(c.rep.BibOnly, want) {
		t.Errorf("only in the .bib file: %v, want %v", c.rep.BibOnly, want)
	}
	want := []string{
		`main.tex:5: "ours2024" is in the paper's .bib files but not in the library`,
		`main.tex:5: "nowhere2020" is undefined: in no .bib file the paper names, and not in the library`,
	}
	if got := c.missing(); !slices.Equal(got, want) {
		t.Errorf("missing:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(c.summary(), "main.tex cites 4 keys: 2 in the library, 1 only in its .bib files, 1 undefined") {
		t.Errorf("summary %q", c.summary())
	}

	files := c.rep.FromBib(c.rep.BibOnly)
	if len(files) != 1 {
		t.Fatalf("FromBib gave %d files", len(files))
	}
	var kept []string
	for _, it := range files[0].Items {
		switch it.Kind {
		case bib.KindEntry:
			kept = append(kept, it.Entry.Key)
		case bib.KindString:
			kept = append(kept, "@string "+it.Name)
		}
	}
	if want := []string{"@string neurips", "ours2024", "proc2024"}; !slices.Equal(kept, want) {
		t.Errorf("FromBib keeps %v, want %v", kept, want)
	}
	if _, err := lib.Import(ctx, files[0]); err != nil {
		t.Fatal(err)
	}
	c = checkPaper(ctx, lib, tex)
	if len(c.rep.BibOnly) != 0 || !slices.Contains(c.rep.InLibrary, "ours2024") || !slices.Equal(c.rep.Parents, []string{"proc2024"}) {
		t.Errorf("after the import: in the library %v, parents %v, only in the .bib %v", c.rep.InLibrary, c.rep.Parents, c.rep.BibOnly)
	}
	var out bytes.Buffer
	n, err := lib.Export(ctx, &out, storage.ExportOptions{Keys: exportKeys(c.rep)})
	if err != nil || n != 4 {
		t.Fatalf("export wrote %d, %v", n, err)
	}
	f := bib.Parse("cited.bib", out.Bytes())
	var keys []string
	for _, e := range f.Entries() {
		keys = append(keys, e.Key)
	}
	slices.Sort(keys)
	if want := []string{"gidaris2021obow", "moschella2023relative", "ours2024", "proc2024"}; !slices.Equal(keys, want) {
		t.Errorf("exported %v, want %v", keys, want)
	}
	if len(f.Errors()) > 0 || !strings.Contains(out.String(), `@string{neurips = "Advances in Neural Information Processing Systems"}`) || strings.Contains(out.String(), "unused") {
		t.Errorf("the export's @strings are not the ones needed (%v):\n%s", f.Errors(), out.String())
	}
}

// TestPaperInWindow: a paper opened is selected in the sidebar and lists the entries it cites;
// Import brings in the one only its .bib file has; an edit of the .tex file on disk is followed;
// removing the paper is undone.
func TestPaperInWindow(t *testing.T) {
	u, _ := newTestUI(t)
	t.Cleanup(func() { fyneDoAndWait(func() { u.papers.showPaper("") }) })
	tex := writePaper(t)
	settle(t, u)
	fyneDoAndWait(func() { u.openPapers([]string{tex}) })
	eventually(t, "the paper selected, its two entries listed", func() bool {
		return u.settled() && u.sidebar.selected == paperID(tex) && slices.Equal(rowKeys(u), []string{"gidaris2021obow", "moschella2023relative"})
	})
	fyneDoAndWait(func() {
		if !strings.Contains(u.papers.problems.Text, `main.tex:5: "nowhere2020" is undefined`) || !u.papers.importB.Visible() {
			t.Errorf("the bar shows %q, import shown %v", u.papers.problems.Text, u.papers.importB.Visible())
		}
		u.papers.onImport()
	})
	eventually(t, "the import, and the list with it", func() bool {
		return u.settled() && slices.Equal(rowKeys(u), []string{"gidaris2021obow", "moschella2023relative", "ours2024"}) && !u.papers.importB.Visible()
	})

	// The paper cites one more entry: the list follows within the polling's second.
	src := strings.Replace(paperTeX, "Our earlier work", `Noisy labels \cite{zhang2023noisy}. Our earlier work`, 1)
	time.Sleep(10 * time.Millisecond) // a later modification time, on coarse clocks too
	if err := os.WriteFile(tex, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the list after the edit", func() bool {
		return u.settled() && slices.Equal(rowKeys(u), []string{"gidaris2021obow", "moschella2023relative", "ours2024", "zhang2023noisy"})
	})

	fyneDoAndWait(func() { u.removePaper(tex) })
	eventually(t, "the paper removed", func() bool {
		_, ok := u.sidebar.item(paperID(tex))
		return u.settled() && !ok && u.sidebar.selected == idLibrary && !u.papers.bar.Visible()
	})
	fyneDoAndWait(u.onUndo)
	eventually(t, "the paper back", func() bool {
		_, ok := u.sidebar.item(paperID(tex))
		return u.settled() && ok
	})
}

// TestPaperDropped: a .tex file dropped on the window is opened as a paper, not attached.
func TestPaperDropped(t *testing.T) {
	u, _ := newTestUI(t)
	t.Cleanup(func() { fyneDoAndWait(func() { u.papers.showPaper("") }) })
	tex := writePaper(t)
	settle(t, u)
	fyneDoAndWait(func() { u.onDropped(fyne.NewPos(10, 10), []fyne.URI{fynestorage.NewFileURI(tex)}) })
	eventually(t, "the dropped paper selected", func() bool {
		return u.settled() && u.sidebar.selected == paperID(tex) && len(rowKeys(u)) == 2
	})
}
