package storage

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
)

// Filter selects entries by what the window names by identity rather than by typed text: a
// collection by its id, tags by their names, the read and starred flags. Searches, counts and
// exports take one beside the query the user typed, and an entry must match both. The zero
// Filter selects every entry not in the trash.
//
// A Filter never goes through the query language, so a collection is the one with that id (not
// every collection of its name) and a tag or collection name may hold any character.
type Filter struct {
	// Collection keeps the entries in the collection with this id or in one of its
	// sub-collections; 0 keeps all. A collection that no longer exists keeps none.
	Collection int64 `json:"collection,omitempty"`
	// Tags keeps the entries that have every one of these tags, each or one of its children
	// (ml keeps an entry tagged ml/contrastive).
	Tags    []string `json:"tags,omitempty"`
	Unread  bool     `json:"unread,omitempty"`
	Starred bool     `json:"starred,omitempty"`
	Unfiled bool     `json:"unfiled,omitempty"` // in no collection
	// AddedDays keeps the entries added in the last AddedDays days, today included; 0 keeps all.
	AddedDays int `json:"added_days,omitempty"`
	// Keys, when not nil, keeps the entries with these keys (case-insensitive): a paper's
	// citations. An empty list that is not nil keeps none.
	Keys []string `json:"keys,omitempty"`
	// Waiting, in a replica of a shared library, is the GlobalID of the collection the filter
	// names on the server, which the replica does not have yet (Collection is then -1, which
	// keeps none; see sharedfilter.go): kept with the filter, so that saved again it still names
	// that collection once the replica has it.
	Waiting GlobalID `json:"shared_collection,omitzero"`
}

// IsZero reports whether f selects every entry.
func (f Filter) IsZero() bool {
	return f.Collection == 0 && len(f.Tags) == 0 && !f.Unread && !f.Starred && !f.Unfiled && f.AddedDays == 0 && f.Keys == nil
}

// Equal reports whether f and g select the same entries by the same rules.
func (f Filter) Equal(g Filter) bool {
	return f.Collection == g.Collection && f.Waiting == g.Waiting && slices.Equal(f.Tags, g.Tags) && f.Unread == g.Unread &&
		f.Starred == g.Starred && f.Unfiled == g.Unfiled && f.AddedDays == g.AddedDays &&
		(f.Keys == nil) == (g.Keys == nil) && slices.Equal(f.Keys, g.Keys)
}

// conds returns f's SQL conditions on the entries row e, and their arguments in order.
func (f Filter) conds(now time.Time) (conds []string, args []any) {
	if f.Collection != 0 {
		conds = append(conds, inCollectionTree("?"))
		args = append(args, f.Collection)
	}
	for _, t := range f.Tags {
		conds = append(conds, hasTag())
		args = append(args, tagArgs(t)...)
	}
	if f.Unread {
		conds = append(conds, unreadCond)
	}
	if f.Starred {
		conds = append(conds, starredCond)
	}
	if f.Unfiled {
		conds = append(conds, unfiledCond)
	}
	if f.AddedDays > 0 {
		lo, hi, _ := addedRange(strconv.Itoa(f.AddedDays)+"d", now)
		conds = append(conds, addedCond)
		args = append(args, lo, hi)
	}
	if f.Keys != nil {
		// json_each takes the list as one parameter, however long it is; the key column's
		// collation makes IN case-insensitive.
		keys, _ := json.Marshal(f.Keys) // a []string always marshals
		conds = append(conds, keysCond)
		args = append(args, string(keys))
	}
	return conds, args
}

// The conditions on the entries row e that both the query language's filters and Filter use:
// one definition of each.
const (
	unreadCond  = "e.read = 0"
	starredCond = "e.starred = 1"
	unfiledCond = "e.id NOT IN (SELECT entry_id FROM collection_entries)"
	addedCond   = "e.created >= ? AND e.created < ?"
	keysCond    = "e.key IN (SELECT value FROM json_each(?))"
)

// hasTag is the condition, taking tagArgs(name), that entry e has the tag or one of its children.
func hasTag() string {
	return `e.id IN (SELECT et.entry_id FROM entry_tags et JOIN tags t ON t.id = et.tag_id WHERE ` +
		inTagTree("t.name", "?") + `)`
}

// inCollectionTree is the condition that entry e is in one of the collections the SQL
// expression roots selects (their ids), or in one of their sub-collections.
func inCollectionTree(roots string) string {
	return `e.id IN (WITH RECURSIVE sub(id) AS (
			SELECT id FROM collections WHERE id IN (` + roots + `)
			UNION SELECT c.id FROM collections c JOIN sub ON c.parent_id = sub.id)
		SELECT ce.entry_id FROM collection_entries ce JOIN sub ON ce.collection_id = sub.id)`
}
