package storage

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// attachmentsDir returns l's attachments folder, failing the test when it cannot be read.
func attachmentsDir(tb testing.TB, l *Library) string {
	tb.Helper()
	dir, err := l.attachmentsDir(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

// writePDF writes a small PDF at path, making its folder, and returns path.
func writePDF(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("%PDF-1.4"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAttachmentsFolder sets a library's attachments folder elsewhere and back: the files kept
// relative to it are looked for in the folder set, those kept by an absolute path stay where
// they are, and what is not a folder is refused.
func TestAttachmentsFolder(t *testing.T) {
	ctx := context.Background()
	l := mustOpenWith(t, fourEntries)
	def, err := l.AttachmentsFolder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(l.Path()), "attachments"); def != (AttachmentsFolder{Path: want, Default: true}) {
		t.Errorf("the default folder is %+v, want %s", def, want)
	}
	write := func(path string) string { return writePDF(t, path) }
	inDefault := write(filepath.Join(def.Path, "Lovelace", "engine.pdf"))
	outside := write(filepath.Join(t.TempDir(), "elsewhere.pdf"))
	for _, p := range []string{inDefault, outside} {
		if _, err := l.AddAttachment(ctx, "alpha", p); err != nil {
			t.Fatal(err)
		}
	}

	// Another computer's copy of the folder, a synced one say, set as the folder.
	synced := filepath.Join(t.TempDir(), "Group papers")
	if err := os.MkdirAll(synced, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := l.SetAttachmentsFolder(ctx, synced); err != nil {
		t.Fatal(err)
	}
	if f, err := l.AttachmentsFolder(ctx); err != nil || f != (AttachmentsFolder{Path: synced}) {
		t.Errorf("after setting it: %+v, %v; want %s", f, err, synced)
	}
	got, err := l.Attachments(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	wantInSynced := filepath.Join(synced, "Lovelace", "engine.pdf")
	if len(got) != 2 || got[0].Path != wantInSynced || !got[0].Missing || !got[0].InFolder ||
		got[1].Path != outside || got[1].Missing || got[1].InFolder {
		t.Errorf("the folder's file not synced yet: %+v", got)
	}
	write(wantInSynced)
	got, _ = l.Attachments(ctx, "alpha")
	if got[0].Missing {
		t.Errorf("the folder's file, synced: %+v", got[0])
	}
	// A file added in the folder set is kept relative to it.
	added, err := l.AddAttachment(ctx, "beta", write(filepath.Join(synced, "babbage.pdf")))
	if err != nil || added.stored != "babbage.pdf" || !added.InFolder {
		t.Errorf("added in the folder set: %+v, %v", added, err)
	}

	for _, bad := range []string{filepath.Join(synced, "nosuch"), outside} {
		if err := l.SetAttachmentsFolder(ctx, bad); err == nil {
			t.Errorf("SetAttachmentsFolder(%s) took it", bad)
		}
	}
	if f, _ := l.AttachmentsFolder(ctx); f.Path != synced {
		t.Errorf("a refused folder changed it to %s", f.Path)
	}
	if err := l.SetAttachmentsFolder(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if f, err := l.AttachmentsFolder(ctx); err != nil || f != def {
		t.Errorf("set back: %+v, %v; want %+v", f, err, def)
	}
	got, _ = l.Attachments(ctx, "alpha")
	if got[0].Path != inDefault || got[0].Missing {
		t.Errorf("set back to the default: %+v", got[0])
	}
	checkIntegrity(t, l)
}
