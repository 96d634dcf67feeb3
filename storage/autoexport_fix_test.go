package storage

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runDue runs the due targets and returns how many ran.
func runDue(t *testing.T, a *AutoExporter) []TargetStatus {
	t.Helper()
	sts, err := a.RunTargets(context.Background(), RunOptions{Due: true})
	if err != nil {
		t.Fatal(err)
	}
	return sts
}

func TestTagTargetFollowsRenameAndFailsOnDelete(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	path := filepath.Join(dir, "cite.bib")
	tg, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetTag, Tag: "to-cite", Path: path})
	if err != nil {
		t.Fatal(err)
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	before, _ := os.ReadFile(path)
	if len(before) == 0 {
		t.Fatal("nothing written")
	}
	if err := l.RenameTag(ctx, "to-cite", "cite"); err != nil {
		t.Fatal(err)
	}
	sts := runDue(t, a)
	if len(sts) != 1 || sts[0].Err != nil {
		t.Fatalf("after the rename: %+v", sts)
	}
	if got, _ := l.ExportTarget(ctx, tg.ID); got.Tag != "cite" {
		t.Errorf("the target's tag after the rename: %q", got.Tag)
	}
	if after, _ := os.ReadFile(path); len(after) == 0 || strings.Count(string(after), "\n@") != strings.Count(string(before), "\n@") {
		t.Errorf("after the rename the file has %d bytes, before %d", len(after), len(before))
	}

	// A child tag's target follows its parent's rename.
	keys := []string{"vinyals2015pointer"}
	if _, err := l.AddTags(ctx, keys, "cite/ch1"); err != nil {
		t.Fatal(err)
	}
	child, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetTag, Tag: "cite/ch1", Path: filepath.Join(dir, "ch1.bib")})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.RenameTag(ctx, "CITE", "refs"); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.ExportTarget(ctx, child.ID); got.Tag != "refs/ch1" {
		t.Errorf("the child's target after the rename: %q", got.Tag)
	}

	// Deleted: the target fails and the file stays.
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	written, _ := os.ReadFile(path)
	if err := l.DeleteTag(ctx, "refs"); err != nil {
		t.Fatal(err)
	}
	sts = runDue(t, a)
	if len(sts) != 2 || !errors.Is(sts[0].Err, fs.ErrNotExist) || !strings.Contains(sts[0].Err.Error(), `the tag "refs" was deleted`) {
		t.Fatalf("after the delete: %+v", sts)
	}
	if after, _ := os.ReadFile(path); string(after) != string(written) {
		t.Errorf("the file was written after its tag was deleted: %d bytes", len(after))
	}
	// The tag made again: the target writes again.
	if _, err := l.AddTags(ctx, keys, "refs"); err != nil {
		t.Fatal(err)
	}
	if sts := runDue(t, a); len(sts) != 2 || sts[0].Err != nil {
		t.Fatalf("the tag made again: %+v", sts)
	}
}

func TestSearchTargetFollowsFlagsAndAttachments(t *testing.T) {
	ctx := context.Background()
	l, a, dir := autoFixture(t)
	for _, ss := range []SavedSearch{
		{Name: "starred", Filter: Filter{Starred: true}},
		{Name: "read", Query: "is:read"},
		{Name: "pdf", Query: "has:pdf"},
		{Name: "thesis", Query: `in:"Dissertation"`},
	} {
		if err := l.SaveSearch(ctx, ss); err != nil {
			t.Fatal(err)
		}
		if _, err := l.AddExportTarget(ctx, ExportTarget{Kind: TargetSearch, Search: ss.Name, Path: filepath.Join(dir, ss.Name+".bib")}); err != nil {
			t.Fatal(err)
		}
	}
	checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
	holds := func(name, key string) bool {
		b, _ := os.ReadFile(filepath.Join(dir, name+".bib"))
		return strings.Contains(string(b), "{"+key+",")
	}
	const key = "vinyals2015pointer"
	steps := []struct {
		name   string
		change func() error
		file   string
	}{
		{"starred", func() error { _, err := l.SetStarred(ctx, true, key); return err }, "starred"},
		{"read", func() error { _, err := l.SetRead(ctx, true, key); return err }, "read"},
		{"attached", func() error {
			pdf := filepath.Join(dir, "paper.pdf")
			os.WriteFile(pdf, []byte("%PDF-1.4\n"), 0o644)
			_, err := l.AddAttachment(ctx, key, pdf)
			return err
		}, "pdf"},
		{"collection renamed", func() error {
			c, err := l.CreateCollection(ctx, nil, "Thesis draft")
			if err != nil {
				return err
			}
			if _, err := l.AddToCollection(ctx, c.ID, key); err != nil {
				return err
			}
			checkStatuses(t)(a.RunTargets(ctx, RunOptions{}))
			return l.RenameCollection(ctx, c.ID, "Dissertation")
		}, "thesis"},
	}
	for _, s := range steps {
		if holds(s.file, key) {
			t.Fatalf("%s: the file holds %s before", s.name, key)
		}
		if err := s.change(); err != nil {
			t.Fatal(err)
		}
		runDue(t, a)
		if !holds(s.file, key) {
			t.Errorf("%s: the due run left %s.bib without %s", s.name, s.file, key)
		}
	}
	// Removed attachments count as well.
	atts, err := l.Attachments(ctx, key)
	if err != nil || len(atts) != 1 {
		t.Fatal(atts, err)
	}
	if err := l.RemoveAttachment(ctx, key, atts[0].ID); err != nil {
		t.Fatal(err)
	}
	runDue(t, a)
	if holds("pdf", key) {
		t.Error("the attachment removed: the due run left the entry in pdf.bib")
	}
}
