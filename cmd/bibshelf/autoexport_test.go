package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/storage"
)

func TestAutoexportVerb(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib); st != 0 {
		t.Fatal(errOut)
	}
	refs := filepath.Join(dir, "refs.bib")
	st, out, errOut := bibshelf(t, "", "autoexport", "add", "--library", lib, refs)
	if st != 0 || out != "added 1\t"+refs+"\nwrote 1\t"+refs+"\t56 entries\n" || errOut != "" {
		t.Fatalf("add: %d %q %q", st, out, errOut)
	}
	// The same content as export --by-key.
	st, exported, _ := bibshelf(t, "", "export", "--library", lib, "--by-key")
	if got, _ := os.ReadFile(refs); st != 0 || string(got) != exported {
		t.Errorf("the target differs from export --by-key")
	}
	tagged := filepath.Join(dir, "tagged.bib")
	if st, _, errOut := bibshelf(t, "", "autoexport", "add", "--library", lib, "--tag", "nothing-yet", "--dialect", "biblatex", "--order", "library", "--ascii", tagged); st != 0 {
		t.Fatalf("add --tag: %s", errOut)
	}
	st, out, _ = bibshelf(t, "", "autoexport", "list", "--library", lib)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if st != 0 || len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "1\t"+refs+"\tlibrary\tas-written, UTF-8, by key\twritten ") || !strings.HasSuffix(lines[0], ", 56 entries") ||
		!strings.HasPrefix(lines[1], "2\t"+tagged+"\ttag nothing-yet\tbiblatex, ASCII, library order\twritten ") {
		t.Errorf("list: %d\n%s", st, out)
	}

	// Nothing changed: the file is left alone.
	fi, _ := os.Stat(refs)
	time.Sleep(20 * time.Millisecond)
	if st, out, _ := bibshelf(t, "", "autoexport", "run", "--library", lib, "1"); st != 0 || out != "unchanged 1\t"+refs+"\t56 entries\n" {
		t.Errorf("run: %d %q", st, out)
	}
	if fi2, _ := os.Stat(refs); !fi2.ModTime().Equal(fi.ModTime()) {
		t.Error("an unchanged file was written")
	}

	// An import brings the targets up to date.
	more := filepath.Join(dir, "more.bib")
	os.WriteFile(more, []byte("@misc{zzz2026new, title = {New}}\n"), 0o644)
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, more); st != 0 || errOut != "" {
		t.Fatalf("import: %d %s", st, errOut)
	}
	if got, _ := os.ReadFile(refs); !strings.HasSuffix(string(got), "@misc{zzz2026new, title = {New}}\n") {
		t.Errorf("the import did not rewrite the target:\n...%s", got[max(0, len(got)-200):])
	}

	// Someone else's change: not overwritten, exit 1 with what to do.
	got, _ := os.ReadFile(refs)
	os.WriteFile(refs, []byte(strings.Replace(string(got), "title = {New}", "title = {Newer}", 1)), 0o644)
	st, _, errOut = bibshelf(t, "", "autoexport", "run", "--library", lib)
	if st != 1 || !strings.Contains(errOut, "changed by someone else") || !strings.Contains(errOut, "autoexport run --library "+lib+" --overwrite 1") {
		t.Errorf("run after a change: %d %q", st, errOut)
	}
	if st, out, _ := bibshelf(t, "", "autoexport", "diff", "--library", lib, "1"); st != 0 || out != "changed zzz2026new\n" {
		t.Errorf("diff: %d %q", st, out)
	}
	if st, out, errOut := bibshelf(t, "", "autoexport", "import", "--library", lib, "1"); st != 0 || !strings.HasPrefix(out, "updated zzz2026new\n") {
		t.Errorf("import: %d %q %q", st, out, errOut)
	}
	if st, out, _ := bibshelf(t, "", "search", "--library", lib, "newer"); st != 0 || !strings.HasPrefix(out, "zzz2026new\t") {
		t.Errorf("search after the import: %d %q", st, out)
	}
	if st, out, _ := bibshelf(t, "", "autoexport", "run", "--library", lib, "--overwrite"); st != 0 || !strings.Contains(out, "unchanged 1") {
		t.Errorf("run --overwrite: %d %q", st, out)
	}

	if st, out, _ := bibshelf(t, "", "autoexport", "remove", "--library", lib, "2"); st != 0 || out != "removed 2\n" {
		t.Errorf("remove: %d %q", st, out)
	}
	if _, err := os.Stat(tagged); err != nil {
		t.Errorf("remove took the file away: %v", err)
	}
	for _, tt := range []struct {
		args   []string
		status int
	}{
		{[]string{"autoexport"}, exitUsage},
		{[]string{"autoexport", "frob"}, exitUsage},
		{[]string{"autoexport", "add", "--library", lib}, exitUsage},
		{[]string{"autoexport", "add", "--library", lib, "--tag", "a", "--search", "b", "x.bib"}, exitUsage},
		{[]string{"autoexport", "add", "--library", lib, "--dialect", "apa", "x.bib"}, exitUsage},
		{[]string{"autoexport", "add", "--library", lib, "--collection", "None", "x.bib"}, exitRejected},
		{[]string{"autoexport", "add", "--library", lib, refs}, exitRejected}, // taken
		{[]string{"autoexport", "remove", "--library", lib, "x"}, exitUsage},
		{[]string{"autoexport", "remove", "--library", lib, "99"}, exitRejected},
		{[]string{"autoexport", "run", "--library", lib, "99"}, exitRejected},
		{[]string{"autoexport", "run", "--help"}, exitOK},
	} {
		if st, _, _ := bibshelf(t, "", tt.args...); st != tt.status {
			t.Errorf("bibshelf %s: exit %d, want %d", strings.Join(tt.args, " "), st, tt.status)
		}
	}
}

func TestAutoexportImportRefusesConverted(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib); st != 0 {
		t.Fatal(errOut)
	}
	refs := filepath.Join(dir, "refs.bib")
	if st, _, errOut := bibshelf(t, "", "autoexport", "add", "--library", lib, "--dialect", "biblatex", refs); st != 0 {
		t.Fatal(errOut)
	}
	b, _ := os.ReadFile(refs)
	os.WriteFile(refs, append(b, "\n@misc{theirs2026, title = {Theirs}}\n"...), 0o644)
	st, _, errOut := bibshelf(t, "", "autoexport", "import", "--library", lib, "1")
	if st != 1 || !strings.Contains(errOut, "converted form") || !strings.Contains(errOut, "written as biblatex") || !strings.Contains(errOut, "overwrite") {
		t.Errorf("import of a converted file: %d %q", st, errOut)
	}
	if st, out, _ := bibshelf(t, "", "search", "--library", lib, "theirs"); st != 0 || out != "" {
		t.Errorf("imported: %d %q", st, out)
	}
}

// TestAutoexportImportKeepsLibraryEdits: an entry changed in the library since the file was
// written is "changed-both" in diff, and import keeps it as the library has it, says so, and
// leaves the file as it is.
func TestAutoexportImportKeepsLibraryEdits(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib); st != 0 {
		t.Fatal(errOut)
	}
	refs := filepath.Join(dir, "refs.bib")
	if st, _, errOut := bibshelf(t, "", "autoexport", "add", "--library", lib, refs); st != 0 {
		t.Fatal(errOut)
	}
	got, _ := os.ReadFile(refs)
	text := regexp.MustCompile(`(?s)(@article\{liu2023cascaded,.*?volume\s*=\s*)\{277\}`).ReplaceAllString(string(got), "${1}{278}")
	if text == string(got) {
		t.Fatal("no volume to edit")
	}
	os.WriteFile(refs, []byte(text), 0o644)
	l, err := storage.Open(ctx, lib)
	if err != nil {
		t.Fatal(err)
	}
	e, err := l.Entry(ctx, "kusupati2022matryoshka")
	if err == nil {
		e.Set("year", "2023")
		err = l.UpdateEntry(ctx, e.Key, e)
	}
	l.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st, out, _ := bibshelf(t, "", "autoexport", "diff", "--library", lib, "1"); st != 0 ||
		out != "changed liu2023cascaded\nchanged-both kusupati2022matryoshka\n" {
		t.Errorf("diff: %d %q", st, out)
	}
	st, out, errOut := bibshelf(t, "", "autoexport", "import", "--library", lib, "1")
	if st != 1 || out != "updated liu2023cascaded\nkept kusupati2022matryoshka\n" ||
		!strings.Contains(errOut, "kept kusupati2022matryoshka as the library has them") || !strings.Contains(errOut, "run --library "+lib+" --overwrite 1") {
		t.Errorf("import: %d %q %q", st, out, errOut)
	}
	if after, _ := os.ReadFile(refs); string(after) != text {
		t.Error("the file was written over")
	}
	if st, out, _ := bibshelf(t, "", "search", "--library", lib, "year:2023 matryoshka"); st != 0 || !strings.HasPrefix(out, "kusupati2022matryoshka\t") {
		t.Errorf("the library's edit: %d %q", st, out)
	}
}
