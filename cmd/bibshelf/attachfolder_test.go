package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// TestAttachmentsFolderVerb shows, sets and resets a library's attachments folder, and a shared
// library's replica's, which is the member's own.
func TestAttachmentsFolderVerb(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	lib := filepath.Join(t.TempDir(), "lib.sqlite")
	if st, _, errOut := bibshelf(t, "", "import", "--library", lib, sampleBib); st != 0 {
		t.Fatal(errOut)
	}
	def := filepath.Join(filepath.Dir(lib), "attachments") + " (the default)\n"
	if st, out, errOut := bibshelf(t, "", "attachments-folder", "--library", lib); st != exitOK || out != def || errOut != "" {
		t.Errorf("shown: %d %q %q, want %q", st, out, errOut, def)
	}
	synced := t.TempDir()
	if st, out, errOut := bibshelf(t, "", "attachments-folder", "--library", lib, synced); st != exitOK || out != synced+"\n" || errOut != "" {
		t.Errorf("set: %d %q %q", st, out, errOut)
	}
	notFolder := filepath.Join(synced, "notes.txt")
	if err := os.WriteFile(notFolder, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{notFolder, filepath.Join(synced, "nosuch")} {
		if st, _, errOut := bibshelf(t, "", "attachments-folder", "--library", lib, bad); st != exitRejected || !strings.Contains(errOut, bad) {
			t.Errorf("set to %s: %d %q", bad, st, errOut)
		}
	}
	if _, out, _ := bibshelf(t, "", "attachments-folder", "--library", lib); out != synced+"\n" {
		t.Errorf("after the refusals: %q", out)
	}
	if st, out, _ := bibshelf(t, "", "attachments-folder", "--library", lib, "--default", synced); st != exitUsage || out != "" {
		t.Errorf("--default with a folder: %d %q", st, out)
	}
	if st, out, errOut := bibshelf(t, "", "attachments-folder", "--library", lib, "--default"); st != exitOK || out != def || errOut != "" {
		t.Errorf("--default: %d %q %q, want %q", st, out, errOut, def)
	}

	// A replica's folder is set on this computer and sent nowhere: a second computer's replica
	// has the default.
	url := pgtest.New(t)
	if st, _, errOut := bibshelf(t, "", "share", "--library", lib, url); st != 0 {
		t.Fatal(errOut)
	}
	if st, out, errOut := bibshelf(t, "", "attachments-folder", "--library", url, synced); st != exitOK || out != synced+"\n" || errOut != "" {
		t.Errorf("set in a replica: %d %q %q", st, out, errOut)
	}
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	if st, out, errOut := bibshelf(t, "", "attachments-folder", "--library", url); st != exitOK || !strings.HasSuffix(out, "-attachments (the default)\n") || errOut != "" {
		t.Errorf("another computer's replica: %d %q %q", st, out, errOut)
	}
}
