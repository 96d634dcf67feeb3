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

// TestLibraryShownLastBrokenFallsBack: the library shown last is now a file that does not open
// (here one that is not a library; a library of a newer release or one without read permission
// does the same). A start without --library, as a desktop launcher starts the window, shows the
// default library instead and says why, every time; the same file given with --library still
// stops the window.
func TestLibraryShownLastBrokenFallsBack(t *testing.T) {
	bin := smokeBinary(t)
	dir := t.TempDir()
	config, data := filepath.Join(dir, "config"), filepath.Join(dir, "data")
	broken := filepath.Join(dir, "refs.sqlite")
	if err := os.WriteFile(broken, []byte("not a library, or a library a newer Bibshelf wrote\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prefs := filepath.Join(config, "fyne", appID)
	if err := os.MkdirAll(prefs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(prefs, "preferences.json"), []byte(`{"libraries.recent": ["`+broken+`"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	start := func(args ...string) (int, string) {
		cmd := exec.Command(bin, append([]string{"--screenshot", filepath.Join(dir, "shot.png"), "--size", "800x600"}, args...)...)
		cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+config, "XDG_DATA_HOME="+data, "BIBSHELF_LIBRARY=")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
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
	for i := 1; i <= 2; i++ {
		st, out := start()
		if st != exitOK || !strings.Contains(out, "the library shown last, "+broken+", did not open") {
			t.Errorf("start %d without --library: exit %d, want 0 and why the library shown last did not open:\n%s", i, st, out)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "bibshelf", "library.sqlite")); err != nil {
		t.Errorf("the default library was not shown in its place: %v", err)
	}
	if st, out := start("--library", broken); st != exitRejected || strings.Contains(out, "shown last") {
		t.Errorf("--library %s: exit %d, want %d:\n%s", broken, st, exitRejected, out)
	}
}

// TestLibraryKeywordStringRefused: a libpq key=value connection string given as the library,
// to the window or to a verb, is refused with the URL form to use, and never taken for a file's
// name: no file is made of it, and its password is neither printed nor kept.
func TestLibraryKeywordStringRefused(t *testing.T) {
	bib, err := filepath.Abs(sampleBib)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	conn := "host=db user=cy password=secret dbname=refs"
	for _, args := range [][]string{{"--library", conn}, {"search", "--library", conn, "x"}, {"import", "--library", conn, bib}} {
		st, out, errOut := bibshelf(t, "", args...)
		if st == exitOK || !strings.Contains(errOut, "postgres://") || strings.Contains(out+errOut, "secret") {
			t.Errorf("bibshelf %q: exit %d, %q %q; want refused with the URL form, without the password", args, st, out, errOut)
		}
	}
	t.Setenv("BIBSHELF_LIBRARY", conn)
	if st, _, errOut := bibshelf(t, "", "search", "x"); st == exitOK || !strings.Contains(errOut, "BIBSHELF_LIBRARY") {
		t.Errorf("BIBSHELF_LIBRARY as a key=value string: exit %d, %q", st, errOut)
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("files made of the connection string: %v", entries)
	}
}
