package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLibrariesVerb: bibshelf libraries prints the window's list of libraries from its
// preferences, the latest first, each once, and a shared library without its password.
func TestLibrariesVerb(t *testing.T) {
	if args := os.Getenv("BIBSHELF_LIBRARIES_CHILD"); args != "" {
		// The verb reads the preferences through a Fyne app, whose watchers of the
		// preferences' folder would outlive it in this process and make the folder again as
		// the test removes it: it runs in a process of its own.
		os.Exit(run(strings.Fields(args), strings.NewReader(""), os.Stdout, os.Stderr))
	}
	config := t.TempDir()
	libraries := func(args string) (int, string) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestLibrariesVerb$")
		cmd.Env = append(os.Environ(), "BIBSHELF_LIBRARIES_CHILD="+args, "XDG_CONFIG_HOME="+config)
		var out bytes.Buffer
		cmd.Stdout = &out
		err := cmd.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), out.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, out.String()
	}
	if st, out := libraries("libraries"); st != exitOK || out != "" {
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
	st, out := libraries("libraries")
	want := "/home/ann/refs/library.sqlite\npostgres://ann@db.example.org/refs\n/home/ann/old.sqlite\n"
	if diff := cmp.Diff(want, out); st != exitOK || diff != "" {
		t.Errorf("bibshelf libraries: exit %d; output (-want +got):\n%s", st, diff)
	}
	if st, _ := libraries("libraries extra"); st != exitUsage {
		t.Errorf("bibshelf libraries extra: exit %d, want %d", st, exitUsage)
	}
}
