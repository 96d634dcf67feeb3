package main

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bibshelf/bibshelf/app"
)

// readerURL makes a login role that may only read the shared library at u (a member of its
// DATABASE_read role) and returns u as that role. The test cluster trusts it on its socket.
func readerURL(t *testing.T, u string) string {
	t.Helper()
	ctx := context.Background()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	db := strings.TrimPrefix(p.Path, "/")
	admin, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	role := db + "_reader"
	if _, err := admin.Exec(ctx, `CREATE ROLE `+pgx.Identifier{role}.Sanitize()+` LOGIN IN ROLE `+pgx.Identifier{db + "_read"}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	q.Set("user", role)
	p.RawQuery = q.Encode()
	return p.String()
}

// TestEndToEndSharedDiscard: a member who may only read edits an entry in the window, with the
// real pointer and keyboard; the server refuses it, which a dialog and the state line say. The
// member discards it, confirming the count, and the entry has the server's version again, the
// state line all sent.
func TestEndToEndSharedDiscard(t *testing.T) {
	needXdotool(t)
	bin := smokeBinary(t)
	dir := t.TempDir()
	s := newSharedE2E(t, dir)
	server, err := s.other.Entry(context.Background(), "vinyals2015pointer")
	if err != nil {
		t.Fatal(err)
	}
	pages := server.Get("pages")
	w := openWindow(t, dir, bin, readerURL(t, s.url), nil)
	w.steady("the shared library, connected", func(s app.ProbeState) bool {
		return s.Settled && s.Window != 0 && s.Rows > 0 && strings.HasPrefix(s.Shared, "Shared: connected · all changes sent")
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
	w.typeText("1--2")
	w.key("Return")
	st := w.steady("the edit refused", func(s app.ProbeState) bool {
		_, ok := s.Widgets["button:Discard My Changes…"]
		return s.Dialog && ok && strings.Contains(s.Shared, "1 change refused: you may only read")
	})
	if !strings.Contains(st.DialogText, `the entry "vinyals2015pointer"`) || !strings.Contains(st.DialogText, "_reader") {
		t.Errorf("the dialog of the refused edit: %q", st.DialogText)
	}
	w.screenshot("shared-refused.png")
	// A narrow window keeps its width with the long state line, cut with an ellipsis: it
	// widened itself to the line's whole text.
	w.xdo("windowsize", strconv.FormatUint(st.Window, 10), "790", "700")
	w.steady("the window 790 wide", func(s app.ProbeState) bool { return s.Size[0] == 790 && s.Dialog })
	w.screenshot("shared-refused-narrow.png")
	w.xdo("windowsize", strconv.FormatUint(st.Window, 10), "1280", "800")
	w.steady("the window 1280 wide", func(s app.ProbeState) bool { return s.Size[0] == 1280 && s.Dialog })
	w.click("button:Discard My Changes…")
	st = w.steady("the discard confirmed", func(s app.ProbeState) bool {
		_, ok := s.Widgets["button:Discard 1 change"]
		return s.Dialog && ok
	})
	if !strings.Contains(st.DialogText, "Discard the 1 change the server refused?") {
		t.Errorf("the confirmation: %q", st.DialogText)
	}
	w.screenshot("shared-discard.png")
	w.click("button:Discard 1 change")
	w.steady("the server's version back", func(s app.ProbeState) bool {
		return !s.Dialog && s.Fields["pages"] == pages && strings.HasPrefix(s.Shared, "Shared: connected · all changes sent") &&
			s.Status == "Discarded 1 refused change"
	})
	w.screenshot("shared-discarded.png")
}
