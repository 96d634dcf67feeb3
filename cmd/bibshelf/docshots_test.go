package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/assets"
	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// TestDocScreenshots makes the screenshots in docs/screenshots that show a library through
// --screenshot: run with BIBSHELF_DOC_SHOTS naming the folder to write them to (see
// docs/DEVELOPMENT.md, "Screenshots"). It is skipped otherwise: it checks nothing.
func TestDocScreenshots(t *testing.T) {
	out := os.Getenv("BIBSHELF_DOC_SHOTS")
	if out == "" {
		t.Skip("BIBSHELF_DOC_SHOTS is not set")
	}
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.sqlite")
	docLibrary(t, lib)
	report := filepath.Join(dir, "new-papers.bib")
	// A broken entry, a key the library has for another paper, and a paper it may have.
	src := "@article{broken2024, title = {A Title} year = {2024}}\n\n" +
		"@article{vinyals2015pointer, title = {Pointers Elsewhere}, author = {Doe, Jane}, year = 2021, journal = {Letters}}\n\n" +
		"@inproceedings{pointer-again, title = {Pointer Networks}, author = {Vinyals, Oriol and Fortunato, Meire and Jaitly, Navdeep}, year = 2015, booktitle = {Advances in Neural Information Processing Systems}}\n"
	if err := os.WriteFile(report, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	light := map[string]any{"view.appearance": "light"}
	// Dark, with the tags folded: the collections and the saved search in view.
	dark := map[string]any{"view.appearance": "dark", "sidebar.folded": []string{"head:tags"}}
	for _, s := range []struct {
		name  string
		prefs map[string]any
		args  []string
	}{
		{"main-light.png", light, nil},
		{"main-dark.png", dark, nil},
		{"editor.png", light, []string{"--select", "vinyals2015pointer", "--tab", "info"}},
		{"notes.png", dark, []string{"--select", "vinyals2015pointer", "--tab", "notes"}},
		{"import-report.png", light, []string{report}}, // last: it imports
	} {
		prefs := filepath.Join(dir, "config", "fyne", appID)
		if err := os.MkdirAll(prefs, 0o755); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(s.prefs)
		if err := os.WriteFile(filepath.Join(prefs, "preferences.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"--library", lib, "--size", "1280x800", "--screenshot", filepath.Join(out, s.name)}, s.args...)
		runWindowFor(t, dir, bin, args...)
	}
}

// docLibrary makes the library of the README's screenshots: the sample, two collections (one
// inside another), a saved search and a note.
func docLibrary(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	l, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Import(ctx, bib.Parse("sample-library.bib", assets.SampleLibrary)); err != nil {
		t.Fatal(err)
	}
	reading, err := l.CreateCollection(ctx, nil, "Reading group")
	if err == nil {
		_, err = l.AddToCollection(ctx, reading.ID, "vinyals2015pointer", "biondi2024stationary", "zhang2023noisy")
	}
	if err == nil {
		var thesis storage.Collection
		if _, err = l.CreateCollection(ctx, nil, "Thesis"); err == nil {
			thesis, err = l.CreateCollection(ctx, []string{"Thesis"}, "Related work")
		}
		if err == nil {
			_, err = l.AddToCollection(ctx, thesis.ID, "vinyals2015pointer", "ozair2019wasserstein")
		}
	}
	if err == nil {
		err = l.SaveSearch(ctx, storage.SavedSearch{Name: "Contrastive, since 2020", Query: "contrastive year:2020.."})
	}
	if err == nil {
		_, err = l.SetStarred(ctx, true, "zhang2023noisy", "vinyals2015pointer")
	}
	if err == nil {
		err = l.SetNote(ctx, "vinyals2015pointer", "# Pointer Networks\n\n"+
			"- Output tokens **point** at input positions: the output vocabulary grows with the input.\n"+
			"- Trained on convex hulls, Delaunay triangulations and small *TSP* instances.\n\n"+
			"Cite for the attention-as-pointer idea in chapter 2.")
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestDocScreenshotsLibraries makes docs/screenshots/libraries.png, File › Libraries… in a
// user's home folder (a library file shown, a shared library, two other files), opened with the
// real keyboard: run with BIBSHELF_DOC_SHOTS, as TestDocScreenshots.
func TestDocScreenshotsLibraries(t *testing.T) {
	out := os.Getenv("BIBSHELF_DOC_SHOTS")
	if out == "" {
		t.Skip("BIBSHELF_DOC_SHOTS is not set")
	}
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	home := filepath.Join(dir, "home", "ann")
	t.Setenv("HOME", home) // the list shows ~ for it
	t.Setenv("BIBSHELF_E2E_SHOTS", out)
	refs := filepath.Join(home, "thesis", "refs.sqlite")
	docLibrary(t, refs)
	reading := filepath.Join(home, "Documents", "reading-group.sqlite")
	def := filepath.Join(home, ".local", "share", "bibshelf", "library.sqlite")
	for _, p := range []string{reading, def} {
		lib, err := storage.Open(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		lib.Close()
	}
	prefs := filepath.Join(dir, "config", "fyne", appID)
	if err := os.MkdirAll(prefs, 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"view.appearance": "light", "libraries.recent": []string{refs,
		"postgres://ann@db.example.org/refs?sslmode=verify-full", reading, def}})
	if err := os.WriteFile(filepath.Join(prefs, "preferences.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	w := startWindow(t, dir, bin, "--size", "1280x800") // the library shown last: refs.sqlite
	w.waitFor("the library", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 && s.Rows > 0 })
	w.click("search")
	w.menu("Library", "Libraries…")
	w.steady("the list", func(s app.ProbeState) bool { _, ok := s.Widgets["library:"+refs]; return s.Dialog && ok })
	w.screenshot("libraries.png")
}
