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

-- The triggers that fill them do nothing in a library of one's own (no replica row) and while
-- the server's changes are written (pulling). They look at the replica table once a row.
CREATE TRIGGER entries_replica_ai AFTER INSERT ON entries
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('entry', new.id);
END;
CREATE TRIGGER entries_replica_au AFTER UPDATE OF key, type, title, authors, first_author, year, venue, keywords,
	origin, created, modified, trashed, doi, arxiv, isbn, title_key, source_id, context ON entries
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('entry', new.id);
END;
CREATE TRIGGER entries_replica_marks_au AFTER UPDATE OF read, starred, rating ON entries
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('marks', new.id);
END;
CREATE TRIGGER entry_text_replica_au AFTER UPDATE OF fields, source, abstract ON entry_text
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('entry', new.id);
END;

CREATE TRIGGER notes_replica_ai AFTER INSERT ON notes WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('note', new.entry_id);
END;
CREATE TRIGGER notes_replica_au AFTER UPDATE OF body, modified ON notes WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('note', new.entry_id);
END;
CREATE TRIGGER notes_replica_ad AFTER DELETE ON notes WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'note' AND id = old.entry_id;
	INSERT OR REPLACE INTO replica_deleted (kind, gid, srev)
	SELECT 'note', gid, note_srev FROM entries WHERE id = old.entry_id AND gid IS NOT NULL AND note_srev > 0;
END;

CREATE TRIGGER entry_tags_replica_ai AFTER INSERT ON entry_tags WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_links (kind, a, b, present) VALUES ('entry_tags', new.entry_id, new.tag_id, 1);
END;
CREATE TRIGGER entry_tags_replica_ad AFTER DELETE ON entry_tags WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_links (kind, a, b, present) VALUES ('entry_tags', old.entry_id, old.tag_id, 0);
END;
CREATE TRIGGER collection_entries_replica_ai AFTER INSERT ON collection_entries WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_links (kind, a, b, present) VALUES ('collection_entries', new.collection_id, new.entry_id, 1);
END;
CREATE TRIGGER collection_entries_replica_ad AFTER DELETE ON collection_entries WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_links (kind, a, b, present) VALUES ('collection_entries', old.collection_id, old.entry_id, 0);
END;
CREATE TRIGGER not_duplicates_replica_ai AFTER INSERT ON not_duplicates WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_links (kind, a, b, present) VALUES ('not_duplicates', new.a, new.b, 1);
END;
CREATE TRIGGER not_duplicates_replica_ad AFTER DELETE ON not_duplicates WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_links (kind, a, b, present) VALUES ('not_duplicates', old.a, old.b, 0);
END;

CREATE TRIGGER sources_replica_ai AFTER INSERT ON sources WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('source', new.id);
END;
CREATE TRIGGER sources_replica_au AFTER UPDATE OF name, imported ON sources WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('source', new.id);
END;
CREATE TRIGGER items_replica_ai AFTER INSERT ON items WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('item', new.id);
END;
CREATE TRIGGER items_replica_au AFTER UPDATE OF kind, name, source, origin, source_id, expansion, context ON items
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('item', new.id);
END;
CREATE TRIGGER tags_replica_ai AFTER INSERT ON tags WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('tag', new.id);
END;
CREATE TRIGGER tags_replica_au AFTER UPDATE OF name, colour ON tags WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('tag', new.id);
END;
CREATE TRIGGER collections_replica_ai AFTER INSERT ON collections WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('collection', new.id);
END;
CREATE TRIGGER collections_replica_au AFTER UPDATE OF parent_id, name, position ON collections
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('collection', new.id);
END;
CREATE TRIGGER saved_searches_replica_ai AFTER INSERT ON saved_searches WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('saved_search', new.id);
END;
CREATE TRIGGER saved_searches_replica_au AFTER UPDATE OF name, query, filter ON saved_searches
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('saved_search', new.id);
END;
CREATE TRIGGER attachments_replica_ai AFTER INSERT ON attachments WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('attachment', new.id);
END;
CREATE TRIGGER attachments_replica_au AFTER UPDATE OF entry_id, path, added ON attachments
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	INSERT OR REPLACE INTO replica_changes (kind, id) VALUES ('attachment', new.id);
END;

-- A deleted row has nothing left to send but, when the server has it, its deletion (which the
-- server keeps as a tombstone).
CREATE TRIGGER sources_replica_ad AFTER DELETE ON sources WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'source' AND id = old.id;
	INSERT OR REPLACE INTO replica_deleted (kind, gid, srev) SELECT 'source', old.gid, old.srev WHERE old.gid IS NOT NULL;
END;
CREATE TRIGGER items_replica_ad AFTER DELETE ON items WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'item' AND id = old.id;
	INSERT OR REPLACE INTO replica_deleted (kind, gid, srev) SELECT 'item', old.gid, old.srev WHERE old.gid IS NOT NULL;
END;
CREATE TRIGGER entries_replica_ad AFTER DELETE ON entries WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind IN ('entry', 'marks', 'note') AND id = old.id;
	INSERT OR REPLACE INTO replica_deleted (kind, gid, srev) SELECT 'entry', old.gid, old.srev WHERE old.gid IS NOT NULL;
END;
CREATE TRIGGER tags_replica_ad AFTER DELETE ON tags WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'tag' AND id = old.id;
	INSERT OR REPLACE INTO replica_deleted (kind, gid, srev) SELECT 'tag', old.gid, old.srev WHERE old.gid IS NOT NULL;
END;
CREATE TRIGGER collections_replica_ad AFTER DELETE ON collections WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'collection' AND id = old.id;
	INSERT OR REPLACE INTO replica_deleted (kind, gid, srev) SELECT 'collection', old.gid, old.srev WHERE old.gid IS NOT NULL;
END;
CREATE TRIGGER saved_searches_replica_ad AFTER DELETE ON saved_searches WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'saved_search' AND id = old.id;
	INSERT OR REPLACE INTO replica_deleted (kind, gid, srev) SELECT 'saved_search', old.gid, old.srev WHERE old.gid IS NOT NULL;
END;
CREATE TRIGGER attachments_replica_ad AFTER DELETE ON attachments WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'attachment' AND id = old.id;
	INSERT OR REPLACE INTO replica_deleted (kind, gid, srev) SELECT 'attachment', old.gid, old.srev WHERE old.gid IS NOT NULL;
END;
