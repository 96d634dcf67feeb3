package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/storage"
)

// TestEndToEndAttachmentsFolder opens an entry whose file was attached from the attachments
// folder and is now in another folder (a member's synced copy of a group's files): the
// Attachments tab marks it as not found in the attachments folder. The real pointer and
// keyboard open Attachments Folder…, type the other folder and save: the file is found there.
func TestEndToEndAttachmentsFolder(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	ctx := context.Background()
	const key = "vinyals2015pointer"
	inFolder := filepath.Join(dir, "attachments", "papers", "pointer.pdf")
	if err := os.MkdirAll(filepath.Dir(inFolder), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(inFolder, []byte("%PDF-1.4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.lib.AddAttachment(ctx, key, inFolder); err != nil {
		t.Fatal(err)
	}
	synced := filepath.Join(dir, "Group papers")
	if err := os.MkdirAll(filepath.Join(synced, "papers"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(inFolder, filepath.Join(synced, "papers", "pointer.pdf")); err != nil {
		t.Fatal(err)
	}

	w := openWindow(t, dir, bin, lib.path, nil, "--select", key, "--tab", "attachments")
	w.steady("the file marked missing", func(s app.ProbeState) bool {
		return s.Settled && s.Entry == key && len(s.MissingFiles) == 1 &&
			strings.HasPrefix(s.MissingFiles[0], "Not found in the attachments folder: ")
	})
	w.screenshot("attachments-folder-missing.png")
	w.click("files:folder")
	w.steady("the Attachments Folder dialog", func(s app.ProbeState) bool {
		_, ok := s.Widgets["attachments-folder"]
		return s.Dialog && ok
	})
	w.click("attachments-folder")
	w.typeText(synced)
	w.screenshot("attachments-folder-dialog.png")
	w.click("button:Save")
	w.waitFor("the file found in the folder set", func(s app.ProbeState) bool {
		return !s.Dialog && len(s.Attachments) == 1 && s.Attachments[0] == filepath.Join(synced, "papers", "pointer.pdf") &&
			len(s.MissingFiles) == 0
	})
	w.screenshot("attachments-folder-found.png")
	if f, err := lib.lib.AttachmentsFolder(ctx); err != nil || f != (storage.AttachmentsFolder{Path: synced}) {
		t.Errorf("the library's attachments folder: %+v (%v), want %s", f, err, synced)
	}
}
