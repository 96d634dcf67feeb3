package shared

import (
	"bytes"
	"context"
	"testing"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
	"github.com/bibshelf/bibshelf/storage/pgtest"
)

// TestOrderOfHeldRow: an entry the replica sent, whose place the pull after the push would
// write, and which another member and this one both edited meanwhile, is held by that pull; it
// keeps its place in the server's order all the same (the server's ord of a row never changes),
// before an entry another member made after it.
func TestOrderOfHeldRow(t *testing.T) {
	ctx := context.Background()
	srv, err := ParseURL(pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	base := newLibrary(t, "base.sqlite")
	if _, err := base.Import(ctx, bib.Parse("base.bib", []byte("@article{first, title = {First}}\n"))); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(ctx, base, srv); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a, b := cloneTo(t, srv, dir, "a.sqlite"), cloneTo(t, srv, dir, "b.sqlite")
	if _, err := a.AddEntry(ctx, bib.ParseString("mine.bib", "@article{mine, title = {Mine}}").Entries()[0], ""); err != nil {
		t.Fatal(err)
	}
	if _, err := Push(ctx, srv, a); err != nil { // the pull after it does not come yet
		t.Fatal(err)
	}
	if _, err := Pull(ctx, srv, b); err != nil {
		t.Fatal(err)
	}
	edit := func(l *storage.Library, field, value string) {
		t.Helper()
		e, err := l.Entry(ctx, "mine")
		if err != nil {
			t.Fatal(err)
		}
		e.Set(field, value)
		if err := l.UpdateEntry(ctx, "mine", e); err != nil {
			t.Fatal(err)
		}
	}
	edit(b, "title", "Mine, as B has it")
	if _, err := b.AddEntry(ctx, bib.ParseString("later.bib", "@article{later, title = {Later}}").Entries()[0], ""); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, srv, b)
	edit(a, "year", "2001")
	pulled, err := Pull(ctx, srv, a)
	if err != nil {
		t.Fatal(err)
	}
	if pulled.Held == 0 {
		t.Fatalf("the pull held nothing: %+v", pulled)
	}
	var out bytes.Buffer
	if _, err := a.Export(ctx, &out, storage.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if i, j := bytes.Index(out.Bytes(), []byte("{mine,")), bytes.Index(out.Bytes(), []byte("{later,")); i < 0 || j < 0 || j < i {
		t.Errorf("mine, made and sent before later, is not before it:\n%s", out.String())
	}
}
