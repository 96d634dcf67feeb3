package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/storage"
)

// TestEndToEndDropPDF drops PDFs onto the real window as a file manager does, through the XDND
// protocol (testdata/xdnd-drop.c): one dropped on the list, while an entry is shown, is read,
// added as a paper from the registries' recorded answers, copied into the library's attachments
// folder, selected and scrolled into view; one dropped on the entry pane is attached to the entry it shows
// (chosen with a real click, then again with Home), and adds no paper.
func TestEndToEndDropPDF(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	drop := dragSource(t)
	t.Setenv("BIBSHELF_LOOKUP_SERVER", registries(t))
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	ctx := context.Background()
	w := openWindow(t, dir, bin, lib.path, nil)
	st := w.steady("the library listed", func(s app.ProbeState) bool { return s.Settled && s.Rows == 57 && s.Window != 0 })
	shown := topRow(st)
	w.click("row:" + shown)
	w.waitFor(shown+" shown", func(s app.ProbeState) bool { return s.Settled && s.Entry == shown })
	elife := testPaper(t, "p10-elife-doi.pdf", "Sankar et al 2014.pdf")
	w.drop(drop, "list", elife)
	st = w.waitFor("the report of the PDF added", func(s app.ProbeState) bool {
		return s.Settled && s.Dialog && strings.Contains(s.DialogText, "Added 1, made from the PDF 0, already in the library 0, failed 0.") &&
			s.Rows == 58 && len(s.Selected) == 1 && s.Entry == s.Selected[0]
	})
	w.screenshot("drop-pdf-report.png")
	key := st.Entry
	if e := lib.entry(t, key); !strings.HasPrefix(key, "Sankar2014") || !strings.EqualFold(e.Get("doi"), "10.7554/eLife.01567") {
		t.Errorf("the paper added and selected: %s, DOI %q", key, e.Get("doi"))
	}
	atts, err := lib.lib.Attachments(ctx, key)
	want := filepath.Join(dir, "attachments", key+".pdf")
	if err != nil || len(atts) != 1 || atts[0].Path != want {
		t.Errorf("%s's attachments: %+v, %v; want the PDF copied to %s", key, atts, err, want)
	} else if _, err := os.Stat(want); err != nil {
		t.Error(err)
	}
	if atts, err := lib.lib.Attachments(ctx, shown); err != nil || len(atts) != 0 {
		t.Errorf("%s, shown while the PDF was dropped on the list, has the attachments %+v, %v", shown, atts, err)
	}
	w.click("button:Close")
	w.waitFor("the report closed, and the paper added in view", func(s app.ProbeState) bool {
		_, inView := s.Widgets["row:"+key]
		return !s.Dialog && inView
	})

	// Dropped on the entry pane, the PDF is attached to the entry shown.
	w.key("Home") // the list's first row again: the entry shown before
	w.steady(shown+" shown", func(s app.ProbeState) bool {
		return s.Settled && s.Entry == shown && slices.Equal(s.Selected, []string{shown})
	})
	scan := testPaper(t, "p7-no-metadata.pdf", "scan0042.pdf")
	w.drop(drop, "pane", scan)
	w.waitFor("the PDF attached", func(s app.ProbeState) bool {
		return s.Settled && !s.Dialog && s.Entry == shown && s.Tab == "Attachments" && slices.Equal(s.Attachments, []string{scan})
	})
	w.screenshot("drop-pdf-attached.png")
	if atts, err := lib.lib.Attachments(ctx, shown); err != nil || len(atts) != 1 || atts[0].Path != scan {
		t.Errorf("%s's attachments: %+v, %v; want %s", shown, atts, err, scan)
	}
	if n, err := lib.lib.Count(ctx); err != nil || n != 58 {
		t.Errorf("the library has %d entries, %v; the PDF dropped on the pane must add none", n, err)
	}
	if keys := lib.keys(t, "tag:"+storage.ReviewTag); len(keys) != 0 {
		t.Errorf("entries made from a PDF: %v", keys)
	}
}

// TestEndToEndDropPDFLinked chooses, in Preferences with the real pointer and keyboard, that
// PDFs added as papers are linked where they are, and drops a PDF on the list: its paper is
// added with the PDF attached at its own path, and nothing is copied into the library's folder.
func TestEndToEndDropPDFLinked(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	drop := dragSource(t)
	t.Setenv("BIBSHELF_LOOKUP_SERVER", registries(t))
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	w := openWindow(t, dir, bin, lib.path, nil)
	w.steady("the window", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 })
	w.click("search")
	w.key("ctrl+comma")
	w.steady("the preferences", func(s app.ProbeState) bool {
		_, ok := s.Widgets["select:PDFs added as papers"]
		return s.Dialog && ok
	})
	w.click("select:PDFs added as papers")
	w.key("Down", "Down", "Return") // the menu opens with no item focused: the second, Linked
	w.screenshot("prefs-pdfs-linked.png")
	w.waitFor("the choice focused", func(s app.ProbeState) bool { return s.Dialog && strings.Contains(s.Focused, "Select") })
	w.key("Return")
	w.waitFor("the preferences saved", func(s app.ProbeState) bool { return !s.Dialog })

	elife := testPaper(t, "p10-elife-doi.pdf", "sankar.pdf")
	w.drop(drop, "list", elife)
	st := w.waitFor("the report of the PDF added", func(s app.ProbeState) bool {
		return s.Settled && s.Dialog && strings.Contains(s.DialogText, "Added 1,") && len(s.Selected) == 1
	})
	key := st.Selected[0]
	atts, err := lib.lib.Attachments(context.Background(), key)
	if err != nil || len(atts) != 1 || atts[0].Path != elife {
		t.Errorf("%s's attachments: %+v, %v; want the PDF linked at %s", key, atts, err, elife)
	}
	if _, err := os.Stat(filepath.Join(dir, "attachments")); !os.IsNotExist(err) {
		t.Errorf("an attachments folder was made for a linked PDF: %v", err)
	}
}

// topRow returns the key of the list's first row in view.
func topRow(st app.ProbeState) string {
	var key string
	for k := range st.Cells {
		if r, ok := st.Widgets["row:"+k]; ok && (key == "" || r[1] < st.Widgets["row:"+key][1]) {
			key = k
		}
	}
	return key
}

// drop drops files onto the middle of the widget of that name with the drag source.
func (w *e2eWindow) drop(source, name string, paths ...string) {
	w.t.Helper()
	st := w.waitFor(name+" in view", func(s app.ProbeState) bool { _, ok := s.Widgets[name]; return ok })
	x, y := st.Widgets[name].Center()
	args := []string{strconv.FormatUint(st.Window, 10), strconv.Itoa(x), strconv.Itoa(y)}
	for _, p := range paths {
		args = append(args, (&url.URL{Scheme: "file", Path: p}).String())
	}
	if out, err := exec.Command(source, args...).CombinedOutput(); err != nil {
		w.t.Fatalf("xdnd-drop %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// dragSource builds testdata/xdnd-drop.c, the XDND drag source, once; it skips the test when
// there is no C compiler, or fails it on CI.
func dragSource(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("gcc is missing: ./dev deps installs it")
		}
		t.Skip("gcc is missing (./dev deps installs it)")
	}
	xdnd.once.Do(func() {
		dir, err := os.MkdirTemp("", "bibshelf-xdnd-")
		if err != nil {
			xdnd.err = err
			return
		}
		xdnd.bin = filepath.Join(dir, "xdnd-drop")
		out, err := exec.Command("gcc", "-O2", "-Wall", "-o", xdnd.bin, filepath.Join("testdata", "xdnd-drop.c"), "-lX11").CombinedOutput()
		if err != nil {
			xdnd.err = fmt.Errorf("build xdnd-drop: %v\n%s", err, out)
		}
	})
	if xdnd.err != nil {
		t.Fatal(xdnd.err)
	}
	return xdnd.bin
}

var xdnd struct {
	once sync.Once
	bin  string
	err  error
}
