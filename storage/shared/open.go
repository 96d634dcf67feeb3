package shared

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bibshelf/bibshelf/storage"
)

// ErrOtherLibrary is returned by Open for a replica of another shared library than the one
// its server holds now (the database was made anew).
var ErrOtherLibrary = errors.New("the replica is of another shared library")

// ReplicaPath returns where this computer keeps its replica of the shared library at srv: in
// the folder of the default library (storage.DefaultPath), under shared/, one file a server,
// database and role, since a replica holds its member's flags.
func ReplicaPath(srv *Server) (string, error) {
	def, err := storage.DefaultPath()
	if err != nil {
		return "", err
	}
	c := srv.config
	id := sha256.Sum256([]byte(strings.Join([]string{c.Host, strconv.Itoa(int(c.Port)), c.Database, c.User}, "\x00")))
	name := fileName(c.Database+"-"+c.User+"@"+filepath.Base(c.Host), 60) + "-" + hex.EncodeToString(id[:4]) + ".sqlite"
	return filepath.Join(filepath.Dir(def), "shared", name), nil
}

// fileName keeps the letters, digits and .-_@ of s, the rest made _, and at most n bytes.
func fileName(s string, n int) string {
	b := []byte(s)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-_@", c) >= 0) {
			b[i] = '_'
		}
	}
	return string(b[:min(len(b), n)])
}

// Open opens the replica of the shared library at srv kept at path, and makes it first when
// there is none (Clone). A replica there of another shared library is refused
// (ErrOtherLibrary). It also returns how many rows of the shared library (and of this member's
// flags) have changed since the replica was last brought up to date: changes it does not show.
func Open(ctx context.Context, srv *Server, path string) (lib *storage.Library, behind int64, err error) {
	lib, err = storage.OpenExisting(ctx, path)
	if errors.Is(err, storage.ErrNoLibrary) {
		lib, err = Clone(ctx, srv, path)
		return lib, 0, err
	}
	if err != nil {
		return nil, 0, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, lib.Close())
			lib = nil
		}
	}()
	r, ok, err := lib.Replica(ctx)
	if err != nil {
		return lib, 0, err
	}
	if !ok {
		return lib, 0, fmt.Errorf("%s is a library of its own, not a replica of %s", path, srv)
	}
	conn, err := srv.connect(ctx)
	if err != nil {
		return lib, 0, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := useSchema(ctx, conn, false); err != nil {
		return lib, 0, fmt.Errorf("open %s: %w", srv, err)
	}
	var id storage.GlobalID
	if err := conn.QueryRow(ctx, `SELECT l.id, `+changedSince+` FROM library l`, r.Pulled).Scan(gid(&id), &behind); err != nil {
		return lib, 0, fmt.Errorf("open %s: %w", srv, err)
	}
	if id != r.Library {
		return lib, 0, fmt.Errorf("%w: %s is of the shared library %v, and %s holds %v now (move the replica away to make a new one)",
			ErrOtherLibrary, path, r.Library, srv, id)
	}
	return lib, behind, nil
}

// lastRevision is the SQL of the shared library's last revision: that of its last write.
const lastRevision = `greatest(
	(SELECT max(rev) FROM sources), (SELECT max(rev) FROM items), (SELECT max(rev) FROM entries),
	(SELECT max(rev) FROM marks), (SELECT max(rev) FROM notes), (SELECT max(rev) FROM tags),
	(SELECT max(rev) FROM entry_tags), (SELECT max(rev) FROM collections),
	(SELECT max(rev) FROM collection_entries), (SELECT max(rev) FROM saved_searches),
	(SELECT max(rev) FROM attachments), (SELECT max(rev) FROM not_duplicates), 0)`

// changedSince is the SQL of the number of rows written after the revision $1, but other
// members' flags.
const changedSince = `(SELECT count(*) FROM sources WHERE rev > $1) + (SELECT count(*) FROM items WHERE rev > $1) +
	(SELECT count(*) FROM entries WHERE rev > $1) + (SELECT count(*) FROM marks WHERE rev > $1 AND member = current_user) +
	(SELECT count(*) FROM notes WHERE rev > $1) + (SELECT count(*) FROM tags WHERE rev > $1) +
	(SELECT count(*) FROM entry_tags WHERE rev > $1) + (SELECT count(*) FROM collections WHERE rev > $1) +
	(SELECT count(*) FROM collection_entries WHERE rev > $1) + (SELECT count(*) FROM saved_searches WHERE rev > $1) +
	(SELECT count(*) FROM attachments WHERE rev > $1) + (SELECT count(*) FROM not_duplicates WHERE rev > $1)`
