package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/app"
)

// TestEndToEndNoteFollows shows an entry's Notes tab while another program writes the entry's
// note to the library, as a shared library's sync writes another member's note to the replica:
// the tab shows the new note, without another click. Then a note typed with the real keyboard
// is saved and stays, and the other program's next note replaces it in the tab.
func TestEndToEndNoteFollows(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	ctx := context.Background()
	const key = "zhang2023noisy"
	w := openWindow(t, dir, bin, lib.path, nil, "--select", key, "--tab", "notes")
	w.steady("the Notes tab", func(s app.ProbeState) bool {
		_, ok := s.Widgets["notes-editor"]
		return s.Settled && s.Entry == key && s.Tab == "Notes" && ok && s.Note == ""
	})

	if err := lib.lib.SetNote(ctx, key, "Another member's note."); err != nil {
		t.Fatal(err)
	}
	w.waitFor("the other program's note in the tab", func(s app.ProbeState) bool { return s.Note == "Another member's note." })

	w.click("notes-editor")
	w.key("ctrl+End")
	w.typeText(" Mine too.")
	const mine = "Another member's note. Mine too."
	w.waitFor("the note typed", func(s app.ProbeState) bool { return s.Note == mine })
	waitNote(t, lib, key, mine)
	w.steady("the note saved and kept", func(s app.ProbeState) bool { return s.Settled && s.Note == mine })

	if err := lib.lib.SetNote(ctx, key, "Rewritten elsewhere."); err != nil {
		t.Fatal(err)
	}
	w.waitFor("the next note in the tab", func(s app.ProbeState) bool { return s.Note == "Rewritten elsewhere." })
}

// waitNote waits until the library's note of key is want.
func waitNote(t *testing.T, lib *e2eTestLibrary, key, want string) {
	t.Helper()
	var got string
	for deadline := time.Now().Add(e2eWait); time.Now().Before(deadline); time.Sleep(e2ePoll) {
		var err error
		if got, err = lib.lib.Note(context.Background(), key); err != nil {
			t.Fatal(err)
		}
		if got == want {
			return
		}
	}
	t.Fatalf("the library's note of %s is %q, want %q", key, got, want)
}
