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
ALTER TABLE notes          ADD COLUMN srev INTEGER NOT NULL DEFAULT 0;

-- Partial: a library of one's own has no gid, and its imports keep no index of them.
CREATE UNIQUE INDEX sources_gid        ON sources (gid)        WHERE gid IS NOT NULL;
CREATE UNIQUE INDEX items_gid          ON items (gid)          WHERE gid IS NOT NULL;
CREATE UNIQUE INDEX entries_gid        ON entries (gid)        WHERE gid IS NOT NULL;
CREATE UNIQUE INDEX tags_gid           ON tags (gid)           WHERE gid IS NOT NULL;
CREATE UNIQUE INDEX collections_gid    ON collections (gid)    WHERE gid IS NOT NULL;
CREATE UNIQUE INDEX saved_searches_gid ON saved_searches (gid) WHERE gid IS NOT NULL;
CREATE UNIQUE INDEX attachments_gid    ON attachments (gid)    WHERE gid IS NOT NULL;

-- The replica's changes the server has not been sent yet, one row a thing to send, by kind and
-- the local id of its row: 'entry' (its rows entries and entry_text, and its trash state),
-- 'marks' (the entry's personal flags), 'note', 'tags' and 'collections' (the entry's tag list
-- and the collections it is in), 'not_duplicates' (the pairs whose smaller id it is), and
-- 'source', 'item', 'tag', 'collection', 'saved_search', 'attachment' (those rows). What is to
-- be sent is read from the row as it is then; a row gone since was deleted.
CREATE TABLE replica_changes (
	kind TEXT NOT NULL,
	id   INTEGER NOT NULL,
	PRIMARY KEY (kind, id)
) WITHOUT ROWID;

-- The rows the server has (those with a gid) that the replica deleted, to be sent as deletions.
CREATE TABLE replica_deleted (
	kind TEXT NOT NULL,
	gid  BLOB NOT NULL,
	PRIMARY KEY (kind, gid)
) WITHOUT ROWID;

-- The triggers that fill them do nothing in a library of one's own (no replica row) and while
-- the server's changes are written (pulling). They look at the replica table once a row.
CREATE TRIGGER entries_replica_ai AFTER INSERT ON entries
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('entry', new.id);
END;
CREATE TRIGGER entries_replica_au AFTER UPDATE OF key, type, title, authors, first_author, year, venue, keywords,
	origin, created, modified, trashed, doi, arxiv, isbn, title_key, source_id, context ON entries
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('entry', new.id);
END;
CREATE TRIGGER entries_replica_marks_au AFTER UPDATE OF read, starred, rating ON entries
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('marks', new.id);
END;
CREATE TRIGGER entry_text_replica_au AFTER UPDATE OF fields, source, abstract ON entry_text
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('entry', new.id);
END;

CREATE TRIGGER notes_replica_ai AFTER INSERT ON notes WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('note', new.entry_id);
END;
CREATE TRIGGER notes_replica_au AFTER UPDATE OF body, modified ON notes WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('note', new.entry_id);
END;
CREATE TRIGGER notes_replica_ad AFTER DELETE ON notes WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('note', old.entry_id);
END;

CREATE TRIGGER entry_tags_replica_ai AFTER INSERT ON entry_tags WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('tags', new.entry_id);
END;
CREATE TRIGGER entry_tags_replica_ad AFTER DELETE ON entry_tags WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('tags', old.entry_id);
END;
CREATE TRIGGER collection_entries_replica_ai AFTER INSERT ON collection_entries WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('collections', new.entry_id);
END;
CREATE TRIGGER collection_entries_replica_ad AFTER DELETE ON collection_entries WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('collections', old.entry_id);
END;
CREATE TRIGGER not_duplicates_replica_ai AFTER INSERT ON not_duplicates WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('not_duplicates', new.a);
END;
CREATE TRIGGER not_duplicates_replica_ad AFTER DELETE ON not_duplicates WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('not_duplicates', old.a);
END;

CREATE TRIGGER sources_replica_ai AFTER INSERT ON sources WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('source', new.id);
END;
CREATE TRIGGER sources_replica_au AFTER UPDATE OF name, imported ON sources WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('source', new.id);
END;
CREATE TRIGGER items_replica_ai AFTER INSERT ON items WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('item', new.id);
END;
CREATE TRIGGER items_replica_au AFTER UPDATE OF kind, name, source, origin, source_id, expansion, context ON items
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('item', new.id);
END;
CREATE TRIGGER tags_replica_ai AFTER INSERT ON tags WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('tag', new.id);
END;
CREATE TRIGGER tags_replica_au AFTER UPDATE OF name, colour ON tags WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('tag', new.id);
END;
CREATE TRIGGER collections_replica_ai AFTER INSERT ON collections WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('collection', new.id);
END;
CREATE TRIGGER collections_replica_au AFTER UPDATE OF parent_id, name, position ON collections
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('collection', new.id);
END;
CREATE TRIGGER saved_searches_replica_ai AFTER INSERT ON saved_searches WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('saved_search', new.id);
END;
CREATE TRIGGER saved_searches_replica_au AFTER UPDATE OF name, query, filter ON saved_searches
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('saved_search', new.id);
END;
CREATE TRIGGER attachments_replica_ai AFTER INSERT ON attachments WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('attachment', new.id);
END;
CREATE TRIGGER attachments_replica_au AFTER UPDATE OF entry_id, path, added ON attachments
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_changes VALUES ('attachment', new.id);
END;

-- A deleted row the server has is a deletion to send (the server keeps it as a tombstone).
CREATE TRIGGER sources_replica_ad AFTER DELETE ON sources WHEN old.gid IS NOT NULL AND EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_deleted VALUES ('source', old.gid);
END;
CREATE TRIGGER items_replica_ad AFTER DELETE ON items WHEN old.gid IS NOT NULL AND EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_deleted VALUES ('item', old.gid);
END;
CREATE TRIGGER entries_replica_ad AFTER DELETE ON entries WHEN old.gid IS NOT NULL AND EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_deleted VALUES ('entry', old.gid);
END;
CREATE TRIGGER tags_replica_ad AFTER DELETE ON tags WHEN old.gid IS NOT NULL AND EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_deleted VALUES ('tag', old.gid);
END;
CREATE TRIGGER collections_replica_ad AFTER DELETE ON collections WHEN old.gid IS NOT NULL AND EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_deleted VALUES ('collection', old.gid);
END;
CREATE TRIGGER saved_searches_replica_ad AFTER DELETE ON saved_searches WHEN old.gid IS NOT NULL AND EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_deleted VALUES ('saved_search', old.gid);
END;
CREATE TRIGGER attachments_replica_ad AFTER DELETE ON attachments WHEN old.gid IS NOT NULL AND EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR IGNORE INTO replica_deleted VALUES ('attachment', old.gid);
END;
