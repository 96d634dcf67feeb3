package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndAddByIdentifier opens File › Add by Identifier… with its shortcut, types a DOI and
// a line that holds none with the real keyboard, clicks Add, and finds the paper added from the
// registries' recorded responses (served as the registries would), selected and shown.
func TestEndToEndAddByIdentifier(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	t.Setenv("BIBSHELF_LOOKUP_SERVER", registries(t))
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, nil)
	w.steady("the window", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 })
	w.click("search")
	w.key("ctrl+shift+i")
	w.steady("the field for identifiers", func(s app.ProbeState) bool {
		_, ok := s.Widgets["button:Add"]
		return s.Dialog && ok
	})
	w.typeText("https://doi.org/10.7554/eLife.01567")
	w.key("Return")
	w.typeText("hello")
	w.waitFor("what the field holds", func(s app.ProbeState) bool {
		return strings.Contains(s.DialogText, "Found 1 DOI.") && strings.Contains(s.DialogText, `"hello": `)
	})
	w.screenshot("add-by-identifier.png")
	w.click("button:Add")
	st := w.waitFor("the paper added", func(s app.ProbeState) bool {
		return s.Settled && s.Dialog && strings.Contains(s.DialogText, "Added 1, already in the library 0, failed 0.") &&
			len(s.Selected) == 1 && s.Entry == s.Selected[0]
	})
	w.screenshot("add-by-identifier-report.png")
	e := lib.entry(t, st.Entry)
	if !strings.EqualFold(e.Get("doi"), "10.7554/eLife.01567") || e.Type != "article" {
		t.Errorf("the entry added: %s %s %q", e.Type, e.Key, e.Get("doi"))
	}
	w.key("Escape")
	w.waitFor("the report closed", func(s app.ProbeState) bool { return !s.Dialog })
}

// TestEndToEndDownloadPDF adds an arXiv paper through the real keyboard, clicks the report's
// Download PDFs, and finds arXiv's PDF (served by the test server) attached: copied into the
// attachments folder as KEY.pdf, and listed by the entry's Attachments tab.
func TestEndToEndDownloadPDF(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	t.Setenv("BIBSHELF_LOOKUP_SERVER", registries(t))
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, nil, "--tab", "attachments")
	w.steady("the window", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 })
	w.click("search")
	w.key("ctrl+shift+i")
	w.steady("the field for identifiers", func(s app.ProbeState) bool {
		_, ok := s.Widgets["button:Add"]
		return s.Dialog && ok
	})
	w.typeText("arXiv:1605.08386")
	w.waitFor("what the field holds", func(s app.ProbeState) bool { return strings.Contains(s.DialogText, "Found 1 arXiv.") })
	w.click("button:Add")
	st := w.waitFor("the paper added, its PDF offered", func(s app.ProbeState) bool {
		_, ok := s.Widgets["button:Download PDFs (1)"]
		return s.Settled && ok && strings.Contains(s.DialogText, "Added 1, already in the library 0, failed 0.") &&
			len(s.Selected) == 1 && s.Entry == s.Selected[0] && len(s.Attachments) == 0
	})
	key := st.Entry
	w.screenshot("download-pdfs-offered.png")
	w.click("button:Download PDFs (1)")
	w.waitFor("the PDF attached", func(s app.ProbeState) bool {
		return s.Settled && s.Dialog && strings.Contains(s.DialogText, "PDFs attached 1, failed 0.") &&
			len(s.Attachments) == 1 && filepath.Base(s.Attachments[0]) == key+".pdf"
	})
	w.screenshot("download-pdfs-report.png")
	w.key("Escape")
	w.waitFor("the report closed", func(s app.ProbeState) bool { return !s.Dialog && s.Entry == key })
	w.screenshot("download-pdfs-attached.png")
	atts, err := lib.lib.Attachments(context.Background(), key)
	if err != nil || len(atts) != 1 || atts[0].Path != filepath.Join(dir, "attachments", key+".pdf") {
		t.Fatalf("the attachments of %s: %+v (%v)", key, atts, err)
	}
	pdf, err := os.ReadFile(filepath.Join("..", "..", "bib", "lookup", "testdata", "paper.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(atts[0].Path); err != nil || !bytes.Equal(got, pdf) {
		t.Errorf("the PDF attached: %d bytes, %v", len(got), err)
	}
}
