package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// A library may be the replica of a shared library that a PostgreSQL server keeps (migration
// 0014): storage/shared copies a library to a server (ReadShared), makes a new replica of a
// shared library (LoadReplica), and, later, sends the changes replica_changes lists and brings
// the server's. This package knows only the replica's side: it never talks to a server.

// GlobalID names a row of a shared library: a random UUID (version 4), the same in every
// replica of it. The zero GlobalID names nothing.
type GlobalID [16]byte

// NewGlobalID returns a new random GlobalID.
func NewGlobalID() GlobalID {
	var g GlobalID
	rand.Read(g[:]) // never fails (crypto/rand)
	g[6] = g[6]&0x0f | 0x40
	g[8] = g[8]&0x3f | 0x80
	return g
}

// IsZero reports whether g names nothing.
func (g GlobalID) IsZero() bool { return g == GlobalID{} }

// String returns g in the canonical form of a UUID: 8-4-4-4-12 lower-case hex digits.
func (g GlobalID) String() string {
	b, _ := g.MarshalText()
	return string(b)
}

// MarshalText writes g as String does: a shared library's JSON values name rows so.
func (g GlobalID) MarshalText() ([]byte, error) {
	b := make([]byte, 36)
	hex.Encode(b[0:8], g[0:4])
	hex.Encode(b[9:13], g[4:6])
	hex.Encode(b[14:18], g[6:8])
	hex.Encode(b[19:23], g[8:10])
	hex.Encode(b[24:36], g[10:16])
	b[8], b[13], b[18], b[23] = '-', '-', '-', '-'
	return b, nil
}

// UnmarshalText reads the canonical form of a UUID.
func (g *GlobalID) UnmarshalText(b []byte) error {
	p, err := ParseGlobalID(string(b))
	if err != nil {
		return err
	}
	*g = p
	return nil
}

// ParseGlobalID reads the canonical form of a UUID.
func ParseGlobalID(s string) (GlobalID, error) {
	var g GlobalID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return g, fmt.Errorf("%q is not a UUID", s)
	}
	hexs := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(g[:], []byte(hexs)); err != nil {
		return GlobalID{}, fmt.Errorf("%q is not a UUID", s)
	}
	return g, nil
}

// value is g as a gid column holds it: 16 bytes, or NULL for the zero GlobalID.
func (g GlobalID) value() any {
	if g.IsZero() {
		return nil
	}
	return g[:]
}

// scanGlobalID reads a gid column's value (nil for NULL) into g.
func scanGlobalID(b []byte) (GlobalID, error) {
	var g GlobalID
	switch len(b) {
	case 0:
		return g, nil
	case len(g):
		copy(g[:], b)
		return g, nil
	}
	return g, fmt.Errorf("a global id of %d bytes", len(b))
}

// Replica says which shared library a library is the replica of.
type Replica struct {
	Library GlobalID // the shared library's id, which its server keeps
	// Server is where the shared library is: its connection URL, without a password.
	Server string
	// Member is the server role whose personal rows (the read, starred and rating flags) the
	// replica holds.
	Member string
	// Pulled is the server revision up to which the replica has every change of the server.
	Pulled int64
	// Ordered says whether the replica has the server's place (ord) of every row it has from
	// the server: false in a replica made before migration 0019, until a pull gives them
	// (ReplicaPull.PutOrd, Ordered).
	Ordered bool
}

// Replica returns what the library is a replica of, and false for a library of one's own.
func (l *Library) Replica(ctx context.Context) (Replica, bool, error) {
	var r Replica
	var lib []byte
	err := l.db.QueryRowContext(ctx, `SELECT library, server, member, pulled, ordered FROM replica`).Scan(&lib, &r.Server, &r.Member, &r.Pulled, &r.Ordered)
	if errors.Is(err, sql.ErrNoRows) {
		return Replica{}, false, nil
	}
	if err == nil {
		r.Library, err = scanGlobalID(lib)
	}
	if err != nil {
		return Replica{}, false, fmt.Errorf("read the replica's shared library: %w", err)
	}
	return r, true, nil
}

// Unsent returns the number of changes of a replica that its server has not been sent yet: the
// rows and deletions it will send. A library of one's own has none.
func (l *Library) Unsent(ctx context.Context) (int, error) {
	var n int
	if err := l.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM replica_changes) + (SELECT count(*) FROM replica_links) +
		(SELECT count(*) FROM replica_deleted)`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count the changes to send: %w", err)
	}
	return n, nil
}

// Listed returns the number of changes ever listed to send in a replica: it grows with each
// change made to the replica (not with the server's changes a pull writes), and never falls, so
// that two readings say whether a change was made between them, even one listed again over
// one waiting. A library of one's own has 0.
func (l *Library) Listed(ctx context.Context) (int64, error) {
	var n int64
	if err := l.db.QueryRowContext(ctx, `SELECT coalesce(sum(seq), 0) FROM sqlite_sequence
		WHERE name IN ('replica_changes', 'replica_links', 'replica_deleted')`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count the changes listed to send: %w", err)
	}
	return n, nil
}

// SharedRename is a row of a replica's that another member gave the same key or name at the
// same time, and sent first: the replica's took the next free one, and was sent under it, so
// that both are kept. The replica keeps it (NoteRenames) until the member has read it
// (ForgetRenames).
type SharedRename struct {
	// Seq orders the renames the replica keeps, and names one to forget; 0 until noted.
	Seq      int64
	Kind     string // entry, saved_search or collection
	ID       GlobalID
	Old, New string // its key or name before and after
	// Notes say what the rename of an entry's key left as it is (KeyRename.Notes: a .bib file
	// of a paper that still defines the old key), and which entries of the replica's name it
	// by the new key (crossref, xdata ...).
	Notes []string
}

// String says what was renamed, for people.
func (r SharedRename) String() string {
	if r.Kind == "entry" {
		return fmt.Sprintf("the entry %q is now %q (another member's entry has that key)", r.Old, r.New)
	}
	return fmt.Sprintf("the %s %q is now %q (another member's has that name)", strings.ReplaceAll(r.Kind, "_", " "), r.Old, r.New)
}

// NoteRenames keeps rs in the replica until the member has read them, and sets their Seq. A row
// of rs the replica keeps a rename of already is kept as one rename, from its first name to its
// new one.
func (l *Library) NoteRenames(ctx context.Context, rs []SharedRename) error {
	if len(rs) == 0 {
		return nil
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("keep the renames to keep both: %w", err)
	}
	defer tx.Rollback()
	for i := range rs {
		r := &rs[i]
		// A row renamed again before the member read the first (its new name taken in turn)
		// is one rename, from its first name to its last, with a new Seq: told again.
		old, notes := r.Old, strings.Join(r.Notes, "\n")
		var was, wasNotes string
		err := tx.QueryRowContext(ctx, `DELETE FROM replica_renamed WHERE kind = ? AND gid = ? RETURNING old, notes`,
			r.Kind, r.ID.value()).Scan(&was, &wasNotes)
		switch {
		case err == nil:
			old, notes = was, strings.Trim(wasNotes+"\n"+notes, "\n")
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("keep the rename of %q: %w", r.Old, err)
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO replica_renamed (kind, gid, old, new, notes) VALUES (?, ?, ?, ?, ?)
			RETURNING seq`, r.Kind, r.ID.value(), old, r.New, notes).Scan(&r.Seq); err != nil {
			return fmt.Errorf("keep the rename of %q: %w", r.Old, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("keep the renames to keep both: %w", err)
	}
	return nil
}

// Renames returns the renames the replica keeps that the member has not read, oldest first.
func (l *Library) Renames(ctx context.Context) ([]SharedRename, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT seq, kind, gid, old, new, notes FROM replica_renamed ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read the renames to keep both: %w", err)
	}
	defer rows.Close()
	var rs []SharedRename
	for rows.Next() {
		var r SharedRename
		var gid []byte
		var notes string
		if err := rows.Scan(&r.Seq, &r.Kind, &gid, &r.Old, &r.New, &notes); err != nil {
			return nil, fmt.Errorf("read the renames to keep both: %w", err)
		}
		if r.ID, err = scanGlobalID(gid); err != nil {
			return nil, fmt.Errorf("read the renames to keep both: %w", err)
		}
		if notes != "" {
			r.Notes = strings.Split(notes, "\n")
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the renames to keep both: %w", err)
	}
	return rs, nil
}

// ForgetRenames forgets the renames rs, which the member has read: Renames returns them no more.
func (l *Library) ForgetRenames(ctx context.Context, rs []SharedRename) error {
	if len(rs) == 0 {
		return nil
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("forget the renames to keep both: %w", err)
	}
	defer tx.Rollback()
	for _, r := range rs {
		if _, err := tx.ExecContext(ctx, `DELETE FROM replica_renamed WHERE seq = ?`, r.Seq); err != nil {
			return fmt.Errorf("forget the rename of %q: %w", r.Old, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("forget the renames to keep both: %w", err)
	}
	return nil
}
