package shared

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/bibshelf/bibshelf/bib"
	"github.com/bibshelf/bibshelf/storage"
)

// ServerEntry returns the entry id as the shared library at srv has it now (its key, type,
// exact source and fields), and whether it has one not deleted: the server's side of a conflict
// over an entry, which the window's merge dialog shows beside this computer's. An entry without
// a source (one read from RIS or CSL-JSON, or rewritten) has its fields.
func ServerEntry(ctx context.Context, srv *Server, id storage.GlobalID) (*bib.Entry, bool, error) {
	conn, err := srv.connect(ctx)
	if err != nil {
		return nil, false, unreachable(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := useSchema(ctx, conn, false); err != nil {
		return nil, false, fmt.Errorf("read the server's entry %v: %w", id, err)
	}
	var r storage.SharedEntry
	var rc pgtype.Text
	err = queryRow(ctx, conn, `SELECT key, type, fields, source, context FROM entries WHERE id = $1 AND NOT deleted`, pgUUID(id)).
		Scan(&r.Key, &r.Type, &r.Fields, &r.Source, &rc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read the server's entry %v: %w", id, err)
	}
	r.Context.String, r.Context.Valid = rc.String, rc.Valid
	e, err := r.BibEntry()
	if err != nil {
		return nil, false, fmt.Errorf("read the server's entry %v: %w", id, err)
	}
	return e, true, nil
}

// Renamed is a row of the replica's renamed to keep both of two rows (storage.SharedRename):
// Push notes each in the replica, where it stays until the member has read it.
type Renamed = storage.SharedRename

// renameTaken renames in the replica each entry and saved search the server refused for a key
// or name another row has there now (another member made one of the same at once and sent it
// first), so that both are kept. The server's row keeps its key, as the entry of the library
// does when an import brings another paper under its key (storage.KeyChange); the replica's
// entry takes the next key bib.UniqueKey gives that neither the server nor the replica has,
// and is renamed as a member renames a key (storage.Library.RenameKey: the .tex files of the
// papers the library knows follow, and the entries of changed, the replica's own changes, whose
// crossref, xdata and the like named it: storage.Library.FollowKeyRename). A saved search, and a collection renamed or moved to the
// name of a sibling's, takes "Name (2)", "Name (3)", ... numbered from its name in before when a
// round of the same push renamed it already (it keeps one number, not "Name (2) (2)"). It
// returns what it renamed, and the rows it could not, which stay conflicts; with an error, what
// it renamed before it, which the replica has under the new names and the member is to be told of.
func renameTaken(ctx context.Context, conn *pgx.Conn, lib *storage.Library, taken []Conflict, changed []storage.GlobalID, before map[storage.GlobalID]string) (renamed []Renamed, stay []Conflict, err error) {
	for _, c := range taken {
		old, err := lib.SharedName(ctx, c.Kind, c.ID)
		if errors.Is(err, fs.ErrNotExist) {
			continue // gone from the replica since: its deletion is sent next
		}
		if err != nil {
			return renamed, nil, err
		}
		base, ok := before[c.ID]
		if !ok {
			base = old
		}
		var r *Renamed
		switch c.Kind {
		case "entry":
			r, err = renameEntry(ctx, conn, lib, old, base, changed)
		case "saved_search":
			r, err = renameSavedSearch(ctx, conn, lib, old, base)
		case "collection":
			r, err = renameCollection(ctx, conn, lib, c.ID, old, base)
		}
		if err != nil {
			return renamed, nil, err
		}
		if r == nil {
			stay = append(stay, c)
			continue
		}
		r.Kind, r.ID = c.Kind, c.ID
		renamed = append(renamed, *r)
	}
	return renamed, stay, nil
}

// serverHas reports whether a row of table not deleted has name in column col, compared as the
// server's unique indexes compare (fold).
func serverHas(ctx context.Context, conn *pgx.Conn, table, col, name string) (bool, error) {
	var has bool
	err := queryRow(ctx, conn, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE fold(`+col+`) = fold($1) AND NOT deleted)`, name).Scan(&has)
	return has, err
}

// renameEntry gives the replica's entry old the first key after base (old, or its key before this
// push renamed it) of bib.KeyVariants (the keys bib.UniqueKey tries, as an import's clashing key
// does: smith2020a, smith2020b, ...) that the server has for no entry and that the replica may rename it to (storage.Library.PlanKeyRename),
// and renames it; the entries of changed that named it by its old key (crossref, xdata ...) name
// it by the new. The other entries of the replica that name the old key came from the server,
// and mean the server's entry of it. It returns nil when the replica refuses the rename for
// another reason than a key taken, and the entry stays a conflict.
func renameEntry(ctx context.Context, conn *pgx.Conn, lib *storage.Library, old, base string, changed []storage.GlobalID) (*Renamed, error) {
	for k := range bib.KeyVariants(base) {
		if bib.SameKey(k, base) {
			continue // the server's entry has it
		}
		if has, err := serverHas(ctx, conn, "entries", "key", k); err != nil {
			return nil, err
		} else if has {
			continue
		}
		plan, err := lib.PlanKeyRename(ctx, old, k, nil)
		switch {
		case errors.Is(err, fs.ErrExist):
			continue
		case err != nil:
			return nil, nil
		}
		if err := lib.RenameKey(ctx, plan); err != nil {
			return nil, err
		}
		followed, err := lib.FollowKeyRename(ctx, plan.Old, plan.New, changed)
		if err != nil {
			return nil, err
		}
		notes := plan.Notes
		for _, k := range followed {
			notes = append(notes, fmt.Sprintf("the entry %q names it by %q now", k, plan.New))
		}
		return &Renamed{Old: plan.Old, New: plan.New, Notes: notes}, nil
	}
	panic("unreachable: KeyVariants never ends")
}

// numbered yields the names a saved search or a collection of name takes when another of the
// name is there: "name (2)", "name (3)", ... up to "name (999)".
func numbered(name string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for n := 2; n < 1000; n++ {
			if !yield(fmt.Sprintf("%s (%d)", name, n)) {
				return
			}
		}
	}
}

// renameSavedSearch gives the replica's saved search old the first of numbered's names of base
// (its name before this push renamed it, else old) that neither the server nor the replica has,
// and renames it.
func renameSavedSearch(ctx context.Context, conn *pgx.Conn, lib *storage.Library, old, base string) (*Renamed, error) {
	for name := range numbered(base) {
		if has, err := serverHas(ctx, conn, "saved_searches", "name", name); err != nil {
			return nil, err
		} else if has {
			continue
		}
		err := lib.RenameSavedSearch(ctx, old, name)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &Renamed{Old: old, New: name}, nil
	}
	return nil, nil
}

// renameCollection gives the replica's collection id, of the name old, the first of numbered's
// names of base (its name before this push renamed it, else old) that no sibling of it has,
// neither on the server nor in the replica. Checked on the replica alone, a name another member
// gave a sibling on the server that this replica has not pulled yet was taken, refused again, and
// numbered again from the name given ("Reading (2) (2)").
func renameCollection(ctx context.Context, conn *pgx.Conn, lib *storage.Library, id storage.GlobalID, old, base string) (*Renamed, error) {
	local, err := lib.LocalID(ctx, "collection", id)
	if err != nil {
		return nil, err
	}
	parent, err := lib.CollectionParent(ctx, id)
	if err != nil {
		return nil, err
	}
	for name := range numbered(base) {
		var taken bool
		if err := queryRow(ctx, conn, `SELECT EXISTS (SELECT 1 FROM collections WHERE id <> $1 AND NOT deleted
			AND coalesce(parent_id, '00000000-0000-0000-0000-000000000000') = coalesce($2::uuid, '00000000-0000-0000-0000-000000000000')
			AND fold(name) = fold($3))`, pgUUID(id), pgUUID(parent), name).Scan(&taken); err != nil {
			return nil, err
		}
		if taken {
			continue
		}
		err := lib.RenameCollection(ctx, local, name)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &Renamed{Old: old, New: name}, nil
	}
	return nil, nil
}
