package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/ident"
)

// recordedRegistries serves the registries' recorded responses of bib/lookup's tests (see its
// testdata/README.md) as the registries would, for BIBSHELF_LOOKUP_SERVER; anything else is 404.
func recordedRegistries(t *testing.T) {
	t.Helper()
	dir := filepath.Join("..", "bib", "lookup", "testdata")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var file string
		switch p := r.URL.Path; {
		case strings.HasPrefix(p, "/doi/ra/"):
			prefix, _, _ := strings.Cut(strings.TrimPrefix(p, "/doi/ra/"), "/")
			file = "ra-" + prefix + ".json"
		case strings.HasPrefix(p, "/crossref/works/"):
			file = "crossref-" + strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(p, "/crossref/works/")), "/", "-") + ".json"
		}
		b, err := os.ReadFile(filepath.Join(dir, file))
		if file == "" || err != nil {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	t.Setenv("BIBSHELF_LOOKUP_SERVER", srv.URL)
}

// An entry of the paper the recorded responses know, with an old title, no journal, and a
// source whose spacing an update must keep.
const staleEntry = "@article{sankar2014,\n" +
	"  author   = {Sankar, Martial and Nieminen, Kaisa and Ragni, Laura and Xenarios, Ioannis and Hardtke, Christian S},\n" +
	"  title    =   {Quantitative histology of hypocotyls},\n" +
	"  year     = 2014,\n" +
	"  doi      = {10.7554/eLife.01567},\n" +
	"}"

// refreshDialogUp waits for the refresh dialog and returns its named widgets.
func refreshDialogUp(t *testing.T, u *UI) map[string]fyne.CanvasObject {
	t.Helper()
	var named map[string]fyne.CanvasObject
	eventually(t, "the refresh dialog", func() bool {
		named = u.inDialog
		_, ok := named["button:Update Entry"]
		return ok && u.dialogOpen()
	})
	return named
}

// TestUpdateFromRegistry: the registry's title, ticked, replaces the library's in place, the
// rest of the entry's source as written; what only the registry has is added unless its "—" is
// ticked; Undo brings the entry back byte for byte.
func TestUpdateFromRegistry(t *testing.T) {
	recordedRegistries(t)
	u, lib := newTestUI(t)
	ctx := context.Background()
	if rep, err := lib.Import(ctx, bib.ParseString("stale.bib", staleEntry)); err != nil || len(rep.Added) != 1 {
		t.Fatal(rep, err)
	}
	before, err := lib.Entry(ctx, "sankar2014")
	if err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyneDoAndWait(func() { u.list.selectKeys("sankar2014") })
	settle(t, u)

	// Only the title, the rest as it was: the source keeps every other byte.
	fyneDoAndWait(u.onUpdateFromRegistry)
	named := refreshDialogUp(t, u)
	if _, ok := named["check:author:0"]; ok {
		t.Error("the author, the same in both, is offered as a choice")
	}
	if _, ok := named["check:doi:1"]; ok {
		t.Error("the DOI, which differs only in case, is offered as a choice")
	}
	for _, name := range []string{"check:title:0", "check:title:1", "check:journal:0", "check:journal:1", "check:abstract:1"} {
		if _, ok := named[name]; !ok {
			t.Errorf("no %s in the dialog", name)
		}
	}
	fyneDoAndWait(func() {
		if c := named["check:title:0"].(*dialogCheck); !c.Checked {
			t.Error("the library's title is not ticked at first")
		}
		if c := named["check:journal:1"].(*dialogCheck); !c.Checked {
			t.Error("the registry's journal, which the library lacks, is not ticked at first")
		}
		for name, o := range named {
			if c, ok := o.(*dialogCheck); ok && strings.HasSuffix(name, ":0") {
				test.Tap(c)
			}
		}
		test.Tap(named["check:title:1"].(*dialogCheck))
		test.Tap(named["button:Update Entry"].(*widget.Button))
	})
	want := strings.Replace(before.Source, "Quantitative histology of hypocotyls",
		"Automated quantitative histology reveals vascular morphodynamics during {Arabidopsis} hypocotyl secondary growth", 1)
	var after *bib.Entry
	eventually(t, "the title updated", func() bool {
		after, _ = lib.Entry(ctx, "sankar2014")
		return u.settled() && after.Source == want
	})
	if after.Get("journal") != "" || after.Type != "article" {
		t.Errorf("after the update: %s, journal %q", after.Type, after.Get("journal"))
	}
	fyneDoAndWait(u.onUndo)
	eventually(t, "the update undone", func() bool {
		e, _ := lib.Entry(ctx, "sankar2014")
		return u.settled() && e.Source == before.Source
	})

	// By default: the library's values, and what only the registry has; the title is ticked.
	fyneDoAndWait(u.onUpdateFromRegistry)
	named = refreshDialogUp(t, u)
	fyneDoAndWait(func() {
		test.Tap(named["check:title:1"].(*dialogCheck))
		test.Tap(named["button:Update Entry"].(*widget.Button))
	})
	eventually(t, "the journal added", func() bool {
		after, _ = lib.Entry(ctx, "sankar2014")
		return u.settled() && after.Get("journal") == "eLife"
	})
	if !strings.HasPrefix(after.Get("title"), "Automated") {
		t.Errorf("title %q", after.Get("title"))
	}
	for _, name := range []string{"author", "year", "doi"} {
		if after.Get(name) != before.Get(name) {
			t.Errorf("%s changed from %q to %q", name, before.Get(name), after.Get(name))
		}
	}
	if after.Get("volume") != "3" || after.Get("pages") != "e01567" || after.Field("month") == nil || after.Field("month").Raw != "feb" {
		t.Errorf("the registry's fields not added: volume %q, pages %q, month %v", after.Get("volume"), after.Get("pages"), after.Field("month"))
	}

	// Now nothing differs: the user is told so.
	fyneDoAndWait(u.onUpdateFromRegistry)
	eventually(t, "nothing to update", func() bool {
		top := u.win.Canvas().Overlays().Top()
		return top != nil && strings.Contains(allText(top), "already has the registry's values")
	})
}

// TestUpdateFromRegistryFails: an identifier the registry does not know, and an entry with
// none, are said to be so; the entry stays as it was.
func TestUpdateFromRegistryFails(t *testing.T) {
	recordedRegistries(t)
	u, lib := newTestUI(t)
	ctx := context.Background()
	src := "@article{unknown1, title = {T}, doi = {10.7554/eLife.99999}}\n@article{none1, title = {No identifier}}\n"
	if _, err := lib.Import(ctx, bib.ParseString("u.bib", src)); err != nil {
		t.Fatal(err)
	}
	before, _ := lib.Entry(ctx, "unknown1")
	for _, tc := range []struct{ key, says string }{
		{"unknown1", "does not know this identifier"},
		{"none1", "has no DOI, arXiv id"},
	} {
		settle(t, u)
		fyneDoAndWait(func() { u.list.selectKeys(tc.key) })
		settle(t, u)
		fyneDoAndWait(u.onUpdateFromRegistry)
		eventually(t, tc.says, func() bool {
			top := u.win.Canvas().Overlays().Top()
			return top != nil && strings.Contains(allText(top), tc.says)
		})
		fyneDoAndWait(func() { u.win.Canvas().Overlays().Top().Hide() })
	}
	if e, _ := lib.Entry(ctx, "unknown1"); e.Source != before.Source {
		t.Errorf("the entry changed:\n%s", e.Source)
	}
}

// TestAddReportComparesWithRegistry: Add by Identifier's report offers to compare a paper the
// library had with its registry's record, in the refresh dialog.
func TestAddReportComparesWithRegistry(t *testing.T) {
	recordedRegistries(t)
	u, lib := newTestUI(t)
	ctx := context.Background()
	if _, err := lib.Import(ctx, bib.ParseString("stale.bib", staleEntry)); err != nil {
		t.Fatal(err)
	}
	settle(t, u)
	fyneDoAndWait(func() { u.adds.add(ident.Find("https://doi.org/10.7554/eLife.01567")) })
	var compare *widget.Button
	eventually(t, "the report", func() bool {
		b, ok := u.inDialog["button:Compare with Registry…"].(*widget.Button)
		compare = b
		return ok && u.dialogOpen() && u.settled()
	})
	fyneDoAndWait(func() { test.Tap(compare) })
	named := refreshDialogUp(t, u)
	if _, ok := named["check:title:1"]; !ok {
		t.Error("the refresh dialog does not offer the registry's title")
	}
}

// TestUpdateFromRegistryBibLaTeX: an entry written in BibLaTeX's terms is offered the
// registry's record in them: its journaltitle and date are compared with the registry's, and no
// journal, year or month is added beside them.
func TestUpdateFromRegistryBibLaTeX(t *testing.T) {
	recordedRegistries(t)
	u, lib := newTestUI(t)
	ctx := context.Background()
	src := "@article{sankar2014b,\n  author = {Sankar, Martial and Nieminen, Kaisa and Ragni, Laura and Xenarios, Ioannis and Hardtke, Christian S},\n" +
		"  title = {Quantitative histology of hypocotyls},\n  journaltitle = {eLife},\n  date = {2013-12},\n  doi = {10.7554/eLife.01567},\n}"
	if rep, err := lib.Import(ctx, bib.ParseString("biblatex.bib", src)); err != nil || len(rep.Added) != 1 {
		t.Fatal(rep, err)
	}
	settle(t, u)
	fyneDoAndWait(func() { u.list.selectKeys("sankar2014b") })
	settle(t, u)
	fyneDoAndWait(u.onUpdateFromRegistry)
	named := refreshDialogUp(t, u)
	for _, name := range []string{"check:journal:1", "check:year:1", "check:month:1"} {
		if _, ok := named[name]; ok {
			t.Errorf("%s offered beside the entry's BibLaTeX fields", name)
		}
	}
	if _, ok := named["check:date:1"]; !ok {
		t.Error("the registry's date is not offered against the entry's")
	}
	fyneDoAndWait(func() { test.Tap(named["button:Update Entry"].(*widget.Button)) })
	eventually(t, "the update made", func() bool {
		e, _ := lib.Entry(ctx, "sankar2014b")
		return u.settled() && e.Get("volume") == "3"
	})
	e, _ := lib.Entry(ctx, "sankar2014b")
	for _, name := range []string{"journal", "year", "month"} {
		if e.Field(name) != nil {
			t.Errorf("%s added beside the BibLaTeX fields:\n%s", name, e.Source)
		}
	}
	if e.Get("date") != "2013-12" || e.Get("journaltitle") != "eLife" {
		t.Errorf("the library's values changed:\n%s", e.Source)
	}
}
