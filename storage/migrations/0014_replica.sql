-- A library can be the replica of a shared library that a PostgreSQL server keeps (see
-- storage/shared and "Shared libraries" in docs/DEVELOPMENT.md): the window and the command line
-- read and write the replica as any library, and the sync engine sends its changes to the server
-- and brings the server's into it.
--
-- replica holds one row in a replica and none in a library of one's own: the shared library's
-- id, its server (the connection URL without a password), the server role whose personal rows
-- (the read, starred and rating flags) the replica holds, and pulled, the server revision up to
-- which the replica has every change. pulling is 1 while the sync engine writes the server's
-- changes into the replica, which are not changes to send back: the triggers below stand aside.
CREATE TABLE replica (
	library BLOB NOT NULL,
	server  TEXT NOT NULL,
	member  TEXT NOT NULL,
	pulled  INTEGER NOT NULL DEFAULT 0,
	pulling INTEGER NOT NULL DEFAULT 0
);

-- Every row the server shares has a global id, a UUID (16 bytes) that is the same in every
-- replica, and srev, the server's revision of the row as this replica last saw it (the edit it
-- sends is refused when the server's has moved on since: optimistic concurrency). NULL and 0 in
-- a library of one's own, and in a replica for a row not sent yet. A note is named by its entry.
ALTER TABLE sources        ADD COLUMN gid BLOB;
ALTER TABLE items          ADD COLUMN gid BLOB;
ALTER TABLE entries        ADD COLUMN gid BLOB;
ALTER TABLE tags           ADD COLUMN gid BLOB;
ALTER TABLE collections    ADD COLUMN gid BLOB;
ALTER TABLE saved_searches ADD COLUMN gid BLOB;
ALTER TABLE attachments    ADD COLUMN gid BLOB;
ALTER TABLE sources        ADD COLUMN srev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items          ADD COLUMN srev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entries        ADD COLUMN srev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tags           ADD COLUMN srev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE collections    ADD COLUMN srev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE saved_searches ADD COLUMN srev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attachments    ADD COLUMN srev INTEGER NOT NULL DEFAULT 0;
-- A note's is kept in its entry's row: the triggers on notes rewrite the search index and the
-- entry's revision at any change to a note's row.
ALTER TABLE entries        ADD COLUMN note_srev INTEGER NOT NULL DEFAULT 0;

-- Partial: a library of one's own has no gid, and its imports keep no index of them.
CREATE UNIQUE INDEX sources_gid        ON sources (gid)        WHERE gid IS NOT NULL;
CREATE UNIQUE INDEX items_gid          ON items (gid)          WHERE gid IS NOT NULL;
CREATE UNIQUE INDEX entries_gid        ON entries (gid)        WHERE gid IS NOT NULL;
CREATE UNIQUE INDEX tags_gid           ON tags (gid)           WHERE gid IS NOT NULL;
CREATE UNIQUE INDEX collections_gid    ON collections (gid)    WHERE gid IS NOT NULL;
CREATE UNIQUE INDEX saved_searches_gid ON saved_searches (gid) WHERE gid IS NOT NULL;
CREATE UNIQUE INDEX attachments_gid    ON attachments (gid)    WHERE gid IS NOT NULL;

-- The replica's changes the server has not been sent yet. A push reads them, sends them, and
-- then removes the rows it read by seq: a row changed again meanwhile has a new seq (INSERT OR
-- REPLACE, AUTOINCREMENT) and stays to be sent.
--
-- replica_changes: a row to send as it is then, by kind and local id: 'entry' (its rows entries
-- and entry_text, and its trash state), 'marks' (the entry's personal flags), 'note' (by its
-- entry's id), and 'source', 'item', 'tag', 'collection', 'saved_search', 'attachment'. A row
-- gone since was deleted (replica_deleted).
CREATE TABLE replica_changes (
	seq  INTEGER PRIMARY KEY AUTOINCREMENT,
	kind TEXT NOT NULL,
	id   INTEGER NOT NULL,
	UNIQUE (kind, id)
);

-- replica_links: a link added (present 1) or removed (0), by the local ids of the two rows as
-- its table has them: 'entry_tags' (entry, tag), 'collection_entries' (collection, entry),
-- 'not_duplicates' (a, b). Each link is its own change: two members who tag one entry at once
-- both keep their tag.
CREATE TABLE replica_links (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	kind    TEXT NOT NULL,
	a       INTEGER NOT NULL,
	b       INTEGER NOT NULL,
	present INTEGER NOT NULL,
	UNIQUE (kind, a, b)
);

-- replica_deleted: the rows the server has (those with a gid) that the replica deleted, with
-- the server revision the replica last saw of each: a deletion is sent on that condition too.
CREATE TABLE replica_deleted (
	seq  INTEGER PRIMARY KEY AUTOINCREMENT,
	kind TEXT NOT NULL,
	gid  BLOB NOT NULL,
	srev INTEGER NOT NULL,
	UNIQUE (kind, gid)
);

-- The triggers that fill them are made when a library becomes a replica (replica.sql, which
-- LoadReplica runs): a library of one's own has none, and its imports pay nothing for them.
