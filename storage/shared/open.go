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
// there is none there (Clone). It does not bring it up to date: Pull does.
func Open(ctx context.Context, srv *Server, path string) (*storage.Library, error) {
	lib, err := storage.OpenExisting(ctx, path)
	if errors.Is(err, storage.ErrNoLibrary) {
		return Clone(ctx, srv, path)
	}
	if err != nil {
		return nil, err
	}
	if _, ok, err := lib.Replica(ctx); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("%s is a library of its own, not a replica of %s", path, srv)
		}
		return nil, errors.Join(err, lib.Close())
	}
	return lib, nil
}

// lastRevision is the SQL of the shared library's last revision: that of its last write.
const lastRevision = `greatest(
	(SELECT max(rev) FROM sources), (SELECT max(rev) FROM items), (SELECT max(rev) FROM entries),
	(SELECT max(rev) FROM marks), (SELECT max(rev) FROM notes), (SELECT max(rev) FROM tags),
	(SELECT max(rev) FROM entry_tags), (SELECT max(rev) FROM collections),
	(SELECT max(rev) FROM collection_entries), (SELECT max(rev) FROM saved_searches),
	(SELECT max(rev) FROM attachments), (SELECT max(rev) FROM not_duplicates), 0)`
