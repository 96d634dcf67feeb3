package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// A saved search's filter names a collection by its id, which is a library's own. A shared
// library names it by the collection's GlobalID (sharedFilter), so that it means one collection
// on every replica: ReadShared and Changes write the global id, LoadReplica and Pull the
// replica's id of it.

// A replica keeps a filter whose collection it does not have (one the pull held, whose name a
// collection of the replica's not sent yet has, which that one becomes when the push adopts it;
// or one deleted) as Collection -1, which selects nothing, as a collection that no longer exists
// does in any library, and Filter.Waiting its GlobalID, so that the filter names the collection
// once the replica has it (followCollection), and is sent as it came.

// noCollection is the id a replica's filter gives a collection it does not have.
const noCollection = -1

// localFilter returns a shared library's filter (sharedFilter's JSON) as the replica keeps it,
// its collection named by the replica's id, which local gives (false: the replica has none).
func localFilter(filter string, local func(GlobalID) (int64, bool, error)) (string, error) {
	var f sharedFilter
	if err := json.Unmarshal([]byte(filter), &f); err != nil {
		return "", err
	}
	r := f.Filter
	r.Collection, r.Waiting = 0, GlobalID{}
	if !f.Collection.IsZero() {
		id, ok, err := local(f.Collection)
		if err != nil {
			return "", err
		}
		if ok {
			r.Collection = id
		} else {
			r.Collection, r.Waiting = noCollection, f.Collection
		}
	}
	b, err := json.Marshal(r)
	return string(b), err
}

// sharedFilterOf returns the replica's filter as a shared library keeps it, its collection
// named by its GlobalID, which ids maps; a collection that no longer exists, nor waits, is
// given a GlobalID no collection has, and selects nothing there too.
func sharedFilterOf(filter string, ids map[int64]GlobalID) (string, error) {
	var r Filter
	if err := json.Unmarshal([]byte(filter), &r); err != nil {
		return "", err
	}
	f := sharedFilter{Filter: r}
	switch c := r.Collection; {
	case c == noCollection && !r.Waiting.IsZero():
		f.Collection = r.Waiting
	case c != 0:
		var ok bool
		if f.Collection, ok = ids[c]; !ok {
			f.Collection = NewGlobalID()
		}
	}
	f.Filter.Collection, f.Filter.Waiting = 0, GlobalID{}
	b, err := json.Marshal(f)
	return string(b), err
}

// followCollection makes the filters that wait for the collection g (Filter.Waiting)
// name the replica's collection id, which has that global id now: pulled, or adopted by a
// push. The caller stands the triggers aside (replica.pulling): the server's filters name it
// so already, and there is nothing to send.
func followCollection(ctx context.Context, tx *sql.Tx, g GlobalID, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE saved_searches SET filter = json_set(json_remove(filter, '$.shared_collection'), '$.collection', ?)
		WHERE json_extract(filter, '$.shared_collection') = ?`, id, g.String()); err != nil {
		return fmt.Errorf("saved searches waiting for the collection %v: %w", g, err)
	}
	return nil
}

// resendFilters lists again, to be sent, the saved searches the server has whose filter names
// the replica's collection id, which the server took as another (a push adopted it, Sent
// records it): the server's filters name the collection by the global id it had. Those of
// sending, sent by the push that adopted it, named the server's already.
func resendFilters(ctx context.Context, tx *sql.Tx, id int64, sending []Change[SharedSavedSearch]) error {
	ids := make([]any, 0, len(sending)+1)
	ids = append(ids, id)
	in := "0"
	for _, ch := range sending {
		ids = append(ids, ch.id)
		in += ", ?"
	}
	// Setting the filter to itself fires the trigger that lists the change.
	if _, err := tx.ExecContext(ctx, `UPDATE saved_searches SET filter = filter
		WHERE json_extract(filter, '$.collection') = ? AND srev > 0 AND id NOT IN (`+in+`)`, ids...); err != nil {
		return fmt.Errorf("saved searches of the collection %d: %w", id, err)
	}
	return nil
}

// Following returns r with its filter's collection named by id(collection): a push names a
// collection it adopted (which the server has under another global id) by the server's.
func (r SharedSavedSearch) Following(id func(GlobalID) GlobalID) (SharedSavedSearch, error) {
	var f sharedFilter
	if err := json.Unmarshal([]byte(r.Filter), &f); err != nil {
		return r, fmt.Errorf("saved search %q: its filter: %w", r.Name, err)
	}
	if f.Collection.IsZero() || id(f.Collection) == f.Collection {
		return r, nil
	}
	f.Collection = id(f.Collection)
	b, err := json.Marshal(f)
	if err != nil {
		return r, fmt.Errorf("saved search %q: its filter: %w", r.Name, err)
	}
	r.Filter = string(b)
	return r, nil
}
