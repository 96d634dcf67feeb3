package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bibshelf/bibshelf/app"
	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/pgtest"
	"github.com/bibshelf/bibshelf/storage/shared"
)

// sharedE2E is a shared library made of the end-to-end test's library, and another computer's
// replica of it, which the test changes and reads while the window shows the library.
type sharedE2E struct {
	url   string
	srv   *shared.Server
	other *storage.Library
}

func newSharedE2E(t *testing.T, dir string) *sharedE2E {
	t.Helper()
	ctx := context.Background()
	lib, _ := e2eLibrary(t, filepath.Join(dir, "library.sqlite"))
	u := pgtest.New(t)
	srv, err := shared.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shared.Copy(ctx, lib.lib, srv); err != nil {
		t.Fatal(err)
	}
	other, err := shared.Clone(ctx, srv, filepath.Join(dir, "other.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return &sharedE2E{url: u, srv: srv, other: other}
}

// change sets a field of an entry in the other replica and sends it.
func (s *sharedE2E) change(t *testing.T, key, field, value string) {
	t.Helper()
	ctx := context.Background()
	e, err := s.other.Entry(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	e.Set(field, value)
	if err := s.other.UpdateEntry(ctx, key, e); err != nil {
		t.Fatal(err)
	}
	if pushed, err := shared.Push(ctx, s.srv, s.other); err != nil || len(pushed.Conflicts) > 0 {
		t.Fatalf("push: %+v %v", pushed, err)
	}
}

// waitField pulls into the other replica until its entry has that value in a field.
func (s *sharedE2E) waitField(t *testing.T, key, field, value string) {
	t.Helper()
	ctx := context.Background()
	var got string
	for deadline := time.Now().Add(e2eWait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, err := shared.Pull(ctx, s.srv, s.other); err != nil {
			t.Fatal(err)
		}
		e, err := s.other.Entry(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if got = e.Get(field); got == value {
			return
		}
	}
	t.Fatalf("%s's %s on the server is %q, want %q", key, field, got, value)
}

// TestEndToEndSharedLibrary opens the window on a shared library's URL: it makes this
// computer's replica and says it is connected. Another computer's change appears in the entry
// pane without a click; a field typed in the window reaches the other computer, and the command
// line's export (a third replica, in a process of its own) has it too. With the database out of
// reach the window says it is offline and counts the change made meanwhile, which is sent when
// the database is back.
func TestEndToEndSharedLibrary(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	s := newSharedE2E(t, dir)
	w := openWindow(t, dir, bin, s.url, nil)
	w.steady("the shared library, connected", func(s app.ProbeState) bool {
		return s.Settled && s.Window != 0 && s.Rows > 0 && strings.HasPrefix(s.Shared, "Shared: connected · all changes sent")
	})
	w.screenshot("shared-connected.png")

	w.click("search")
	w.typeText("pointer")
	w.waitFor("the entry listed", func(s app.ProbeState) bool { return s.Settled && s.Cells["vinyals2015pointer"] != nil })
	w.click("row:vinyals2015pointer")
	w.steady("the entry in the pane", func(s app.ProbeState) bool {
		_, ok := s.Widgets["field:pages"]
		return s.Settled && s.Entry == "vinyals2015pointer" && ok
	})

	// Another computer's change, through the server's notification.
	start := time.Now()
	s.change(t, "vinyals2015pointer", "title", "Pointer Networks, from Another Computer")
	w.waitFor("the other computer's title in the pane", func(s app.ProbeState) bool {
		return s.Fields["title"] == "Pointer Networks, from Another Computer"
	})
	t.Logf("another computer's change shown after %v", time.Since(start).Round(time.Millisecond))

	// The window's change, to the other computer and the command line.
	w.click("field:pages")
	w.key("ctrl+a")
	w.typeText("7--9")
	w.key("Return")
	s.waitField(t, "vinyals2015pointer", "pages", "7--9")
	w.waitFor("all sent", func(s app.ProbeState) bool {
		return strings.HasPrefix(s.Shared, "Shared: connected · all changes sent")
	})
	export := runOther(t, bin, filepath.Join(dir, "cli"), "export", "--library", s.url, "--keys", "vinyals2015pointer")
	if !strings.Contains(export, "7--9") || !strings.Contains(export, "from Another Computer") {
		t.Errorf("the command line's export of the shared library:\n%s", export)
	}

	// Offline, and back.
	db := pgtest.RenameDatabase(t, s.url, "")
	w.waitFor("offline", func(s app.ProbeState) bool { return strings.HasPrefix(s.Shared, "Shared: offline") })
	w.click("field:pages")
	w.key("ctrl+a")
	w.typeText("10--12")
	w.key("Return")
	w.waitFor("the change waiting", func(s app.ProbeState) bool {
		return strings.HasPrefix(s.Shared, "Shared: offline") && strings.Contains(s.Shared, "1 change waiting")
	})
	w.screenshot("shared-offline.png")
	pgtest.RenameDatabase(t, s.url, db)
	s.waitField(t, "vinyals2015pointer", "pages", "10--12")
	w.waitFor("back, all sent", func(s app.ProbeState) bool {
		return strings.HasPrefix(s.Shared, "Shared: connected · all changes sent")
	})

	// A conflict: while the window is offline, another computer changes the entry the window
	// changes too; the window is told, keeps its version, and the two are merged in the merge
	// dialog, whose result goes over the server's.
	db = pgtest.RenameDatabase(t, s.url, "")
	w.waitFor("offline again", func(s app.ProbeState) bool { return strings.HasPrefix(s.Shared, "Shared: offline") })
	w.click("field:pages")
	w.key("ctrl+a")
	w.typeText("13--15")
	w.key("Return")
	w.waitFor("the change waiting", func(s app.ProbeState) bool { return strings.Contains(s.Shared, "1 change waiting") })
	away, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	away.Path = "/" + db
	srv := s.srv
	if s.srv, err = shared.ParseURL(away.String()); err != nil {
		t.Fatal(err)
	}
	s.change(t, "vinyals2015pointer", "pages", "99")
	s.change(t, "vinyals2015pointer", "volume", "29")
	s.srv = srv
	pgtest.RenameDatabase(t, s.url, db)
	st := w.waitFor("the conflict told", func(s app.ProbeState) bool {
		return s.Dialog && strings.Contains(s.DialogText, `"vinyals2015pointer"`) && strings.Contains(s.Shared, "1 conflict (both versions kept)")
	})
	if !strings.Contains(st.DialogText, "Both versions are kept") || st.Fields["pages"] != "13--15" {
		t.Errorf("the conflict: dialog %q, the pages field %q", st.DialogText, st.Fields["pages"])
	}
	w.screenshot("shared-conflict.png")
	// The two versions merged: the window's pages, the server's volume.
	w.click("button:Merge Entries…")
	w.waitFor("the merge dialog", func(s app.ProbeState) bool {
		_, ok := s.Widgets["check:volume:1"]
		_, update := s.Widgets["button:Update Entry"]
		return ok && update && strings.Contains(s.DialogText, "Another member changed vinyals2015pointer")
	})
	w.screenshot("shared-merge.png")
	w.click("check:volume:1")
	w.click("button:Update Entry")
	s.waitField(t, "vinyals2015pointer", "volume", "29")
	s.waitField(t, "vinyals2015pointer", "pages", "13--15")
	w.waitFor("merged, all sent", func(s app.ProbeState) bool {
		return !s.Dialog && strings.HasPrefix(s.Shared, "Shared: connected · all changes sent") &&
			s.Fields["pages"] == "13--15" && s.Fields["volume"] == "29"
	})
}

// TestEndToEndConnectShared: File › Connect to Shared Library… on a window of a library file
// shows the shared library in its place, with its state. The list of libraries in the
// preferences file has both, the URL without the password typed in it.
func TestEndToEndConnectShared(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	s := newSharedE2E(t, dir)
	if _, err := s.other.Import(context.Background(), bib.ParseString("only-shared.bib", "@misc{onlyshared, title = {Only in the Shared Library}}\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := shared.Push(context.Background(), s.srv, s.other); err != nil {
		t.Fatal(err)
	}
	w := openWindow(t, dir, bin, filepath.Join(dir, "own.sqlite"), nil)
	w.steady("the library file", func(s app.ProbeState) bool { return s.Settled && s.Window != 0 && s.Shared == "" })
	w.click("search") // the keyboard goes to the window under the pointer
	w.menu("Library", "Connect to Shared Library…")
	w.waitFor("the dialog", func(s app.ProbeState) bool { _, ok := s.Widgets["shared-url"]; return s.Dialog && ok })
	w.click("shared-url")
	w.typeText(s.url + "&password=hunter2") // the server trusts this role: the password is not asked for
	w.key("Return")
	w.steady("the shared library, connected", func(s app.ProbeState) bool {
		return s.Settled && s.Window != 0 && strings.HasPrefix(s.Shared, "Shared: connected")
	})
	w.click("search")
	w.typeText("only shared")
	w.waitFor("the shared library's entry", func(s app.ProbeState) bool { return s.Settled && s.Cells["onlyshared"] != nil })
	waitLibraries(t, dir, s.srv.String(), filepath.Join(dir, "own.sqlite"))
	if prefs, err := os.ReadFile(filepath.Join(dir, "config", "fyne", appID, "preferences.json")); err != nil || strings.Contains(string(prefs), "hunter2") {
		t.Errorf("the preferences file holds the password, or was not read (%v):\n%s", err, prefs)
	}

	// Back to the library file through File › Libraries…, and to the shared library again,
	// through the Connect dialog, which has nothing to ask here.
	w.click("search")
	w.menu("Library", "Libraries…")
	w.click("library:" + filepath.Join(dir, "own.sqlite"))
	w.steady("the library file again", func(s app.ProbeState) bool {
		return s.Settled && !s.Dialog && s.Window != 0 && s.Shared == "" && s.Rows == 0
	})
	w.click("search")
	w.menu("Library", "Libraries…")
	w.click("library:" + s.srv.String())
	w.steady("the shared library again", func(s app.ProbeState) bool {
		return s.Settled && !s.Dialog && s.Window != 0 && strings.HasPrefix(s.Shared, "Shared: connected") && s.Rows > 0
	})
}

// TestEndToEndSharedOffline: with the server out of reach, the window opens the shared library
// from this computer's replica (made by the command line before), says it is offline, and takes
// an edit, which waits; once the server is back the window connects by itself and sends it.
func TestEndToEndSharedOffline(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	s := newSharedE2E(t, dir)
	// The window's user folder (see openWindow) gets its replica from the command line.
	runOther(t, bin, filepath.Join(dir, "data"), "search", "--library", s.url, "pointer")
	db := pgtest.RenameDatabase(t, s.url, "")
	// Offline, the window imports many entries (given as it opens): once the server is back,
	// the state line says it sends them.
	var many strings.Builder
	for i := range 3 * shared.ManyChanges {
		fmt.Fprintf(&many, "@misc{offline%04d, title = {Made offline %d}}\n", i, i)
	}
	manyFile := filepath.Join(dir, "many.bib")
	if err := os.WriteFile(manyFile, []byte(many.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	w := openWindow(t, dir, bin, s.url, nil, manyFile)
	w.waitFor("the import's report", func(s app.ProbeState) bool { return s.Dialog && s.Settled && s.Window != 0 })
	w.key("Escape")
	w.steady("the replica, offline", func(s app.ProbeState) bool {
		return !s.Dialog && s.Settled && s.Window != 0 && s.Rows > 0 && strings.HasPrefix(s.Shared, "Shared: offline")
	})
	w.click("search")
	w.typeText("pointer")
	w.waitFor("the entry listed", func(s app.ProbeState) bool { return s.Settled && s.Cells["vinyals2015pointer"] != nil })
	w.click("row:vinyals2015pointer")
	w.steady("the entry in the pane", func(s app.ProbeState) bool {
		_, ok := s.Widgets["field:pages"]
		return s.Settled && s.Entry == "vinyals2015pointer" && ok
	})
	w.click("field:pages")
	w.key("ctrl+a")
	w.typeText("21--23")
	w.key("Return")
	waiting := w.waitFor("the change waiting", func(s app.ProbeState) bool {
		return strings.HasPrefix(s.Shared, "Shared: offline") && strings.Contains(s.Shared, "changes waiting")
	})
	pgtest.RenameDatabase(t, s.url, db)
	w.waitFor("the changes sending", func(s app.ProbeState) bool {
		return strings.HasPrefix(s.Shared, "Shared: connected · sending ") && strings.HasSuffix(s.Shared, " changes…")
	})
	t.Logf("%s, then sending", waiting.Shared)
	s.waitField(t, "vinyals2015pointer", "pages", "21--23")
	w.waitFor("connected, all sent", func(s app.ProbeState) bool {
		return strings.HasPrefix(s.Shared, "Shared: connected · all changes sent")
	})
}

// runOther runs the binary with a user folder of its own (another computer) and returns its
// output.
func runOther(t *testing.T, bin, home string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(cmd.Environ(), "XDG_DATA_HOME="+home, "XDG_CONFIG_HOME="+home, "BIBSHELF_LIBRARY=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bibshelf %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

// TestEndToEndSharedNoteBoth: the window's replica and another computer's write one entry's note
// at once; the window, sending its note second, is told of the conflict, and Keep Both, clicked,
// keeps both texts in the note, this computer's first, which the server and the other computer
// then have. Both also add an entry of one key: the window's is renamed, and it says so until the
// member clicks OK.
func TestEndToEndSharedNoteBoth(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	s := newSharedE2E(t, dir)
	ctx := context.Background()
	const key = "vinyals2015pointer"
	// The window's user folder (see openWindow) gets its replica from the command line, and its
	// note before the window opens; the other computer's note is on the server first.
	runOther(t, bin, filepath.Join(dir, "data"), "search", "--library", s.url, "pointer")
	replicas, err := filepath.Glob(filepath.Join(dir, "data", "*", "shared", "*.sqlite"))
	if err != nil || len(replicas) != 1 {
		t.Fatalf("the window's replica: %v %v", replicas, err)
	}
	mine, err := shared.Open(ctx, s.srv, replicas[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := mine.SetNote(ctx, key, "Read with the seminar."); err != nil {
		t.Fatal(err)
	}
	clash := func(l *storage.Library, title string) {
		t.Helper()
		if _, err := l.AddEntry(ctx, bib.ParseString("new.bib", "@misc{clash, title = {"+title+"}}").Entries()[0], ""); err != nil {
			t.Fatal(err)
		}
	}
	clash(mine, "Mine")
	if err := mine.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.other.SetNote(ctx, key, "Cited in chapter 2."); err != nil {
		t.Fatal(err)
	}
	clash(s.other, "Theirs")
	if pushed, err := shared.Push(ctx, s.srv, s.other); err != nil || len(pushed.Conflicts) > 0 {
		t.Fatalf("push: %+v %v", pushed, err)
	}

	w := openWindow(t, dir, bin, s.url, nil)
	st := w.waitFor("the conflict told", func(s app.ProbeState) bool {
		_, both := s.Widgets["button:Keep Both"]
		return s.Dialog && both && strings.Contains(s.DialogText, `the note of "`+key+`"`) &&
			strings.Contains(s.Shared, "1 conflict (both versions kept)")
	})
	if !strings.Contains(st.DialogText, "Keep Both (notes only) keeps both texts") {
		t.Errorf("the conflict dialog: %q", st.DialogText)
	}
	w.screenshot("shared-note-conflict.png")
	w.click("button:Keep Both")
	// Under it, the rename told (its text: TestSharedConflictTexts).
	w.waitFor("the rename told", func(s app.ProbeState) bool {
		_, ok := s.Widgets["button:OK"]
		return s.Dialog && ok
	})
	w.screenshot("shared-renamed.png")
	// Remind Me Later leaves it in the state line, which, clicked, says it again; OK lets it go.
	w.click("button:Remind Me Later")
	w.waitFor("the rename in the state line", func(s app.ProbeState) bool {
		return !s.Dialog && strings.HasPrefix(s.Shared, "Shared: connected · all changes sent · 1 rename to keep both (click here)")
	})
	w.click("shared")
	w.waitFor("the rename told again", func(s app.ProbeState) bool {
		_, ok := s.Widgets["button:OK"]
		return s.Dialog && ok && strings.Contains(s.DialogText, `"clash" is now "clasha"`)
	})
	w.click("button:OK")
	w.waitFor("settled, all sent", func(s app.ProbeState) bool {
		return !s.Dialog && s.Shared == "Shared: connected · all changes sent"
	})
	var note string
	for deadline := time.Now().Add(e2eWait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, err := shared.Pull(ctx, s.srv, s.other); err != nil {
			t.Fatal(err)
		}
		if note, err = s.other.Note(ctx, key); err != nil {
			t.Fatal(err)
		}
		if note != "Cited in chapter 2." {
			break
		}
	}
	if !strings.HasPrefix(note, "Read with the seminar.\n\n---\n\n## The server's version (another member's, written ") ||
		!strings.HasSuffix(note, ")\n\nCited in chapter 2.") {
		t.Errorf("the note on the server: %q, want both texts", note)
	}
	for k, title := range map[string]string{"clash": "Theirs", "clasha": "Mine"} {
		if e, err := s.other.Entry(ctx, k); err != nil || e.Get("title") != title {
			t.Errorf("the server's %s: %v, want the one titled %s", k, err, title)
		}
	}
}
