package app

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestProbeDescribesTheWindow asks the probe for the window's state over its socket.
func TestProbeDescribesTheWindow(t *testing.T) {
	u, lib := newTestUI(t)
	pdf := filepath.Join(t.TempDir(), "pointer.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.AddAttachment(context.Background(), "vinyals2015pointer", pdf); err != nil {
		t.Fatal(err)
	}
	selectKey(t, u, "vinyals2015pointer")
	var first string
	var year string
	fyneDoAndWait(func() {
		r, _ := u.list.row(0)
		first, year = r.Key, r.Year
		u.win.Canvas().Focus(u.list.table)
	})
	path := filepath.Join(t.TempDir(), "probe")
	if err := u.ServeProbe(path); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("state\n")); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(c).ReadBytes('\n')
	if err != nil {
		t.Fatal(err)
	}
	var st ProbeState
	if err := json.Unmarshal(line, &st); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	if !st.Settled || st.Rows != 56 || st.Entry != "vinyals2015pointer" || st.Sidebar != idLibrary || st.Focused != "list" {
		t.Errorf("state: settled %v, %d rows, entry %q, sidebar %q, focus %q", st.Settled, st.Rows, st.Entry, st.Sidebar, st.Focused)
	}
	for _, name := range []string{"search", "list", "pane", "side:library", "side:head:tags", "row:" + first, "type", "key", "field:title"} {
		if r, ok := st.Widgets[name]; !ok || r[2] <= 0 || r[3] <= 0 {
			t.Errorf("widget %s: %v, %v", name, r, ok)
		}
	}
	if got := st.Cells[first]["year"]; got != year {
		t.Errorf("the year cell of %s says %q, want %q", first, got, year)
	}
	if st.Fields["pages"] != "2692--2700" || st.Type != "inproceedings" {
		t.Errorf("fields %v, type %q", st.Fields, st.Type)
	}
	if st.Tab != "Info" || !slices.Equal(st.Attachments, []string{pdf}) {
		t.Errorf("tab %q, attachments %v", st.Tab, st.Attachments)
	}
	if len(st.Menu["File"]) == 0 || st.Menu["Edit"][0] != "Undo" {
		t.Errorf("menu %v", st.Menu)
	}
}
