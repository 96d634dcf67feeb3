package storage

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/bib/paper"
)

// ErrFileChanged is returned by ApplyFileEdits for a file that no longer holds what the edit
// was planned on: someone changed it since. Nothing is written then.
var ErrFileChanged = errors.New("the file changed since the edit was planned")

// maxTeXFiles bounds the .tex files a key rename reads in the folders it is given.
const maxTeXFiles = 10000

// FileEdit is a planned change of one file: it holds Old and is to hold New.
type FileEdit struct {
	Path     string
	Old, New []byte
	// Diff is the change as a unified diff; Changes the number of citations changed.
	Diff    string
	Changes int
}

// Reverse returns the edit that undoes e.
func (e FileEdit) Reverse() FileEdit {
	return FileEdit{Path: e.Path, Old: e.New, New: e.Old, Diff: paper.Diff(e.Path, e.Path, e.New, e.Old), Changes: e.Changes}
}

// KeyRename is a planned rename of a citation key: the entry and the .tex files that cite it.
type KeyRename struct {
	Old, New string
	// Entry is the library's entry as it is; Renamed as it will be (its source text kept).
	Entry, Renamed *bib.Entry
	Edits          []FileEdit
	// Skipped says which files and folders could not be read, and why.
	Skipped []string
	// Notes say what the rename leaves as it is that needs a hand: each .bib file of a paper
	// the library knows that defines Old and that no export target keeps in sync.
	Notes []string
}

// ErrSameKey is PlanKeyRename's error for a new key that is the entry's key already.
var ErrSameKey = errors.New("the entry has that key already")

// PlanKeyRename plans renaming the entry old to new: in the library, and in the key arguments of
// the cite commands of the .tex files of the papers the library knows (Papers) and of those
// under dirs (each folder read recursively, hidden folders left out, at most 10,000 .tex
// files). It changes nothing. A new key that is not valid (bib.CheckKey) or that another entry
// has, compared case-insensitively, is refused (the latter with an error matching fs.ErrExist),
// and so is a new key that one of the .bib files of a paper the library knows defines (see
// checkPapers); an old key the library does not have is ErrNotFound, a new key that is the
// entry's already ErrSameKey.
func (l *Library) PlanKeyRename(ctx context.Context, old, new string, dirs []string) (*KeyRename, error) {
	if err := bib.CheckKey(new); err != nil {
		return nil, fmt.Errorf("rename %q: %w", old, err)
	}
	e, err := l.Entry(ctx, old)
	if err != nil {
		return nil, fmt.Errorf("rename: %w", err)
	}
	if e.Key == new {
		return nil, fmt.Errorf("rename %q: %w", old, ErrSameKey)
	}
	if other, err := l.Entry(ctx, new); err == nil && other.Key != e.Key {
		return nil, fmt.Errorf("rename %q: %w", old, exist(fmt.Sprintf("the key %q is taken by the entry %q", new, other.Key)))
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("rename %q: %w", old, err)
	}
	renamed := *e
	renamed.Fields = slices.Clone(e.Fields)
	renamed.Rename(e.Type, new)
	r := &KeyRename{Old: e.Key, New: new, Entry: e, Renamed: &renamed}
	papers, err := l.Papers(ctx)
	if err != nil {
		return nil, fmt.Errorf("rename %q: %w", old, err)
	}
	if err := l.checkPapers(ctx, r, papers); err != nil {
		return nil, err
	}
	files := map[string]bool{}
	var order []string
	add := func(path string) {
		if abs, err := filepath.Abs(path); err == nil && !files[abs] {
			files[abs] = true
			order = append(order, abs)
		}
	}
	for _, p := range papers {
		paths, err := paperTeXFiles(p.Path)
		if err != nil {
			r.Skipped = append(r.Skipped, fmt.Sprintf("%s: %v", p.Path, err))
		}
		for _, f := range paths {
			add(f)
		}
	}
	for _, dir := range dirs {
		paths, err := texFilesUnder(dir, maxTeXFiles-len(order))
		if err != nil {
			r.Skipped = append(r.Skipped, fmt.Sprintf("%s: %v", dir, err))
		}
		for _, f := range paths {
			add(f)
		}
	}
	for _, path := range order {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		src, err := readTeX(path)
		if err != nil {
			r.Skipped = append(r.Skipped, err.Error())
			continue
		}
		out, changed := paper.RenameKey(path, src, r.Old, new)
		if len(changed) == 0 {
			continue
		}
		r.Edits = append(r.Edits, FileEdit{Path: path, Old: src, New: out, Diff: paper.Diff(path, path, src, out), Changes: len(changed)})
	}
	return r, nil
}

// checkPapers refuses the rename r (with an error matching fs.ErrExist) when one of a paper's
// .bib files defines r.New, compared as BibTeX compares keys (a key that is r.Old in another
// case is the entry renamed): after the rename two works would share the key. A paper that
// cites r.New already, with nothing defining it, is noted: the rename gives those citations
// their entry. It adds to r.Notes each .bib file of the papers that defines r.Old and that no export target
// keeps in sync: it still defines the old key, so the citations renamed are undefined until it
// is renamed there too. Papers and .bib files that cannot be read are left out here.
func (l *Library) checkPapers(ctx context.Context, r *KeyRename, papers []Paper) error {
	if len(papers) == 0 {
		return nil
	}
	targets, err := l.ExportTargets(ctx)
	if err != nil {
		return fmt.Errorf("rename %q: %w", r.Old, err)
	}
	kept := map[string]bool{}
	for _, t := range targets {
		kept[filepath.Clean(t.Path)] = true
	}
	other := func(k string) bool { return bib.SameKey(k, r.New) && !bib.SameKey(k, r.Old) }
	read := map[string]bool{}
	for _, pp := range papers {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := paper.Open(pp.Path)
		if err != nil {
			continue
		}
		// A citation of the new key that nothing defines is the reason for many a rename (the
		// key cited before the paper came into the library): it is the renamed entry's now.
		for _, c := range p.Citations {
			if other(c.Key) {
				r.Notes = append(r.Notes, fmt.Sprintf("%s: the paper %s cites %q already: that citation is this entry's from now on", c.Pos, pp.Path, c.Key))
				break
			}
		}
		for _, path := range p.BibFiles {
			if abs, err := filepath.Abs(path); err == nil {
				path = abs
			}
			if read[path] {
				continue
			}
			read[path] = true
			src, err := paper.ReadBib(path)
			if err != nil {
				continue
			}
			for _, e := range bib.ParseString(path, src).Entries() {
				switch {
				case other(e.Key):
					return fmt.Errorf("rename %q: %w", r.Old, exist(fmt.Sprintf("%s:%d: %q is defined in the .bib file of the paper %s", path, e.Line, e.Key, pp.Path)))
				case bib.SameKey(e.Key, r.Old) && !kept[path]:
					r.Notes = append(r.Notes, fmt.Sprintf("%s:%d still defines %q: rename it there too, or the citations renamed to %q are undefined", path, e.Line, e.Key, r.New))
				}
			}
		}
	}
	return nil
}

// paperTeXFiles returns the .tex files of a paper the library knows: a .tex file and those it
// includes, or for a folder, an .aux or a .bcf file, those of the root .tex file of its folder.
func paperTeXFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	root := path
	if st.IsDir() || !strings.EqualFold(filepath.Ext(path), ".tex") {
		dir := path
		if !st.IsDir() {
			dir = filepath.Dir(path)
		}
		if root, err = paper.FindRoot(dir); err != nil {
			return nil, err
		}
		if !strings.EqualFold(filepath.Ext(root), ".tex") {
			return nil, nil // an .aux or .bcf alone: no source to rename in
		}
	}
	p, err := paper.ReadTeX(root)
	if err != nil {
		return nil, err
	}
	return p.Files, nil
}

// texFilesUnder returns the .tex files under dir, leaving out hidden folders, at most max.
func texFilesUnder(dir string, max int) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && strings.EqualFold(filepath.Ext(path), ".tex") {
			if len(out) >= max {
				return fmt.Errorf("more than %d .tex files: the rest left as they are", maxTeXFiles)
			}
			out = append(out, path)
		}
		return nil
	})
	return out, err
}

// readTeX reads a .tex file of at most paper.MaxFileSize bytes.
func readTeX(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, paper.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > paper.MaxFileSize {
		return nil, fmt.Errorf("read %s: %w", path, paper.ErrTooLarge)
	}
	return b, nil
}

// ApplyFileEdits writes each file's New text, each through WriteFile, after checking that every
// file still holds its Old text: a file changed since is refused with ErrFileChanged, and then
// nothing is written. Applying the edits' Reverse undoes them. Should a write fail, the files
// written before it are restored and the error says which failed.
func ApplyFileEdits(ctx context.Context, edits []FileEdit) error {
	for _, e := range edits {
		now, err := readTeX(e.Path)
		if err != nil {
			return fmt.Errorf("edit %s: %w", e.Path, err)
		}
		if !bytes.Equal(now, e.Old) {
			return fmt.Errorf("edit %s: %w", e.Path, ErrFileChanged)
		}
	}
	for i, e := range edits {
		if err := writeBytes(ctx, e.Path, e.New); err != nil {
			for _, done := range slices.Backward(edits[:i]) {
				if rerr := writeBytes(context.WithoutCancel(ctx), done.Path, done.Old); rerr != nil {
					err = errors.Join(err, fmt.Errorf("restore %s: %w", done.Path, rerr))
				}
			}
			return err
		}
	}
	return nil
}

func writeBytes(ctx context.Context, path string, b []byte) error {
	return WriteFile(ctx, path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// RenameKey carries out a planned rename: the entry in the library (UpdateEntry with the renamed
// entry), then the .tex files (ApplyFileEdits). A file changed since the plan is refused before
// the library is changed; should writing the files fail, the entry gets its old key back.
func (l *Library) RenameKey(ctx context.Context, r *KeyRename) error {
	for _, e := range r.Edits {
		now, err := readTeX(e.Path)
		if err != nil {
			return fmt.Errorf("rename %q: %w", r.Old, err)
		}
		if !bytes.Equal(now, e.Old) {
			return fmt.Errorf("rename %q: %s: %w", r.Old, e.Path, ErrFileChanged)
		}
	}
	if err := l.UpdateEntry(ctx, r.Old, r.Renamed); err != nil {
		return fmt.Errorf("rename: %w", err)
	}
	if err := ApplyFileEdits(ctx, r.Edits); err != nil {
		if rerr := l.UpdateEntry(context.WithoutCancel(ctx), r.New, r.Entry); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return fmt.Errorf("rename %q: %w", r.Old, err)
	}
	return nil
}

// FollowKeyRename makes each entry of among (by global id, in a replica) whose reference fields
// (crossref, xref, xdata, related, entryset) name the key old name new instead, in its source
// as in its fields, as an import follows the keys it renames (renameReferences), and returns
// their keys. A shared library's replica that renamed an entry's key, another member's entry
// having it (see storage/shared), follows with the entries it changed itself: those that named
// the entry renamed. An id the replica does not have is left out.
func (l *Library) FollowKeyRename(ctx context.Context, old, new string, among []GlobalID) ([]string, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("follow the rename of %q: %w", old, err)
	}
	defer tx.Rollback()
	renamed := map[string]string{bib.FoldKey(old): new}
	now := time.Now().UnixMilli()
	var keys []string
	for _, g := range among {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM entries WHERE gid = ?`, g.value()).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("follow the rename of %q: %w", old, err)
		}
		e, err := entryByID(ctx, tx, id)
		if err != nil {
			return nil, fmt.Errorf("follow the rename of %q: %w", old, err)
		}
		changed, err := renameReferences(e, renamed)
		if err != nil {
			return nil, fmt.Errorf("follow the rename of %q: entry %q: %w", old, e.Key, err)
		}
		if !changed {
			continue
		}
		if err := updateEntry(ctx, tx, id, e.Key, e.Type, entryRow(e), nil, now); err != nil {
			return nil, fmt.Errorf("follow the rename of %q: entry %q: %w", old, e.Key, err)
		}
		keys = append(keys, e.Key)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("follow the rename of %q: %w", old, err)
	}
	return keys, nil
}
