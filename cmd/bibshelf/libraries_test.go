package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLibrariesVerb: bibshelf libraries prints the window's list of libraries from its
// preferences, the latest first, each once, and a shared library without its password.
func TestLibrariesVerb(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	if st, out, _ := bibshelf(t, "", "libraries"); st != exitOK || out != "" {
		t.Errorf("with no preferences: exit %d, output %q", st, out)
	}
	prefs := filepath.Join(config, "fyne", appID)
	if err := os.MkdirAll(prefs, 0o755); err != nil {
		t.Fatal(err)
	}
	// As the window writes them, and as a hand might edit them.
	json := `{"libraries.recent": ["/home/ann/refs/library.sqlite", "postgres://ann:secret@db.example.org/refs",
		"/home/ann/refs/../refs/library.sqlite", "/home/ann/old.sqlite"]}`
	if err := os.WriteFile(filepath.Join(prefs, "preferences.json"), []byte(json), 0o644); err != nil {
		t.Fatal(err)
	}
	st, out, errOut := bibshelf(t, "", "libraries")
	want := "/home/ann/refs/library.sqlite\npostgres://ann@db.example.org/refs\n/home/ann/old.sqlite\n"
	if diff := cmp.Diff(want, out); st != exitOK || diff != "" {
		t.Errorf("bibshelf libraries: exit %d, %s; output (-want +got):\n%s", st, errOut, diff)
	}
	if st, _, _ := bibshelf(t, "", "libraries", "extra"); st != exitUsage {
		t.Errorf("bibshelf libraries extra: exit %d, want %d", st, exitUsage)
	}
}
