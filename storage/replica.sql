-- The triggers that list a replica's changes to send in replica_changes, replica_links and
-- replica_deleted (migration 0014 says what each holds). LoadReplica makes them when it makes a
-- library a replica: a library of one's own has none, so that its imports pay nothing for them.
-- They do nothing while the server's changes are written (replica.pulling). A migration that
-- changes them must make them again only in replicas (those with a replica row), as 0017 does.
--
-- A change listed again replaces the one listed (and takes a new sequence number) by a DELETE
-- and an INSERT, never by INSERT OR REPLACE: SQLite gives a trigger's statements the conflict
-- clause of the statement that fired it, when that has one, so that under an INSERT OR IGNORE
-- (a collection's entry put in again) the REPLACE became IGNORE and the change listed before
-- (its removal) stayed, and under an upsert (a note written again) it became ABORT and the
-- edit failed.
CREATE TRIGGER entries_replica_ai AFTER INSERT ON entries
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'entry' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('entry', new.id);
END;
CREATE TRIGGER entries_replica_au AFTER UPDATE OF key, type, title, authors, first_author, year, venue, keywords,
	origin, created, modified, trashed, doi, arxiv, isbn, title_key, source_id, context ON entries
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'entry' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('entry', new.id);
END;
CREATE TRIGGER entries_replica_marks_au AFTER UPDATE OF read, starred, rating ON entries
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'marks' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('marks', new.id);
END;
CREATE TRIGGER entry_text_replica_au AFTER UPDATE OF fields, source, abstract ON entry_text
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'entry' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('entry', new.id);
END;

CREATE TRIGGER notes_replica_ai AFTER INSERT ON notes WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'note' AND id = new.entry_id;
	INSERT INTO replica_changes (kind, id) VALUES ('note', new.entry_id);
END;
CREATE TRIGGER notes_replica_au AFTER UPDATE OF body, modified ON notes WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'note' AND id = new.entry_id;
	INSERT INTO replica_changes (kind, id) VALUES ('note', new.entry_id);
END;
CREATE TRIGGER notes_replica_ad AFTER DELETE ON notes WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'note' AND id = old.entry_id;
	DELETE FROM replica_deleted WHERE kind = 'note' AND gid = (SELECT gid FROM entries WHERE id = old.entry_id);
	INSERT INTO replica_deleted (kind, gid, srev)
	SELECT 'note', gid, note_srev FROM entries WHERE id = old.entry_id AND gid IS NOT NULL AND note_srev > 0;
END;

CREATE TRIGGER entry_tags_replica_ai AFTER INSERT ON entry_tags WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_links WHERE kind = 'entry_tags' AND a = new.entry_id AND b = new.tag_id;
	INSERT INTO replica_links (kind, a, b, present) VALUES ('entry_tags', new.entry_id, new.tag_id, 1);
END;
CREATE TRIGGER entry_tags_replica_ad AFTER DELETE ON entry_tags WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_links WHERE kind = 'entry_tags' AND a = old.entry_id AND b = old.tag_id;
	INSERT INTO replica_links (kind, a, b, present) VALUES ('entry_tags', old.entry_id, old.tag_id, 0);
END;
CREATE TRIGGER collection_entries_replica_ai AFTER INSERT ON collection_entries WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_links WHERE kind = 'collection_entries' AND a = new.collection_id AND b = new.entry_id;
	INSERT INTO replica_links (kind, a, b, present) VALUES ('collection_entries', new.collection_id, new.entry_id, 1);
END;
CREATE TRIGGER collection_entries_replica_ad AFTER DELETE ON collection_entries WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_links WHERE kind = 'collection_entries' AND a = old.collection_id AND b = old.entry_id;
	INSERT INTO replica_links (kind, a, b, present) VALUES ('collection_entries', old.collection_id, old.entry_id, 0);
END;
CREATE TRIGGER not_duplicates_replica_ai AFTER INSERT ON not_duplicates WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_links WHERE kind = 'not_duplicates' AND a = new.a AND b = new.b;
	INSERT INTO replica_links (kind, a, b, present) VALUES ('not_duplicates', new.a, new.b, 1);
END;
CREATE TRIGGER not_duplicates_replica_ad AFTER DELETE ON not_duplicates WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_links WHERE kind = 'not_duplicates' AND a = old.a AND b = old.b;
	INSERT INTO replica_links (kind, a, b, present) VALUES ('not_duplicates', old.a, old.b, 0);
END;

CREATE TRIGGER sources_replica_ai AFTER INSERT ON sources WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'source' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('source', new.id);
END;
CREATE TRIGGER sources_replica_au AFTER UPDATE OF name, imported ON sources WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'source' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('source', new.id);
END;
CREATE TRIGGER items_replica_ai AFTER INSERT ON items WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'item' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('item', new.id);
END;
CREATE TRIGGER items_replica_au AFTER UPDATE OF kind, name, source, origin, source_id, expansion, context ON items
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'item' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('item', new.id);
END;
CREATE TRIGGER tags_replica_ai AFTER INSERT ON tags WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'tag' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('tag', new.id);
END;
CREATE TRIGGER tags_replica_au AFTER UPDATE OF name, colour ON tags WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'tag' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('tag', new.id);
END;
CREATE TRIGGER collections_replica_ai AFTER INSERT ON collections WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'collection' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('collection', new.id);
END;
CREATE TRIGGER collections_replica_au AFTER UPDATE OF parent_id, name, position ON collections
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'collection' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('collection', new.id);
END;
CREATE TRIGGER saved_searches_replica_ai AFTER INSERT ON saved_searches WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'saved_search' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('saved_search', new.id);
END;
CREATE TRIGGER saved_searches_replica_au AFTER UPDATE OF name, query, filter ON saved_searches
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'saved_search' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('saved_search', new.id);
END;
CREATE TRIGGER attachments_replica_ai AFTER INSERT ON attachments WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'attachment' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('attachment', new.id);
END;
CREATE TRIGGER attachments_replica_au AFTER UPDATE OF entry_id, path, added ON attachments
WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'attachment' AND id = new.id;
	INSERT INTO replica_changes (kind, id) VALUES ('attachment', new.id);
END;

-- A deleted row has nothing left to send but, when the server has it, its deletion (which the
-- server keeps as a tombstone).
CREATE TRIGGER sources_replica_ad AFTER DELETE ON sources WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'source' AND id = old.id;
	DELETE FROM replica_deleted WHERE kind = 'source' AND gid = old.gid;
	INSERT INTO replica_deleted (kind, gid, srev) SELECT 'source', old.gid, old.srev WHERE old.gid IS NOT NULL;
END;
CREATE TRIGGER items_replica_ad AFTER DELETE ON items WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'item' AND id = old.id;
	DELETE FROM replica_deleted WHERE kind = 'item' AND gid = old.gid;
	INSERT INTO replica_deleted (kind, gid, srev) SELECT 'item', old.gid, old.srev WHERE old.gid IS NOT NULL;
END;
CREATE TRIGGER entries_replica_ad AFTER DELETE ON entries WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind IN ('entry', 'marks', 'note') AND id = old.id;
	DELETE FROM replica_deleted WHERE kind = 'entry' AND gid = old.gid;
	INSERT INTO replica_deleted (kind, gid, srev) SELECT 'entry', old.gid, old.srev WHERE old.gid IS NOT NULL;
END;
CREATE TRIGGER tags_replica_ad AFTER DELETE ON tags WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'tag' AND id = old.id;
	DELETE FROM replica_deleted WHERE kind = 'tag' AND gid = old.gid;
	INSERT INTO replica_deleted (kind, gid, srev) SELECT 'tag', old.gid, old.srev WHERE old.gid IS NOT NULL;
END;
CREATE TRIGGER collections_replica_ad AFTER DELETE ON collections WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'collection' AND id = old.id;
	DELETE FROM replica_deleted WHERE kind = 'collection' AND gid = old.gid;
	INSERT INTO replica_deleted (kind, gid, srev) SELECT 'collection', old.gid, old.srev WHERE old.gid IS NOT NULL;
END;
CREATE TRIGGER saved_searches_replica_ad AFTER DELETE ON saved_searches WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'saved_search' AND id = old.id;
	DELETE FROM replica_deleted WHERE kind = 'saved_search' AND gid = old.gid;
	INSERT INTO replica_deleted (kind, gid, srev) SELECT 'saved_search', old.gid, old.srev WHERE old.gid IS NOT NULL;
END;
CREATE TRIGGER attachments_replica_ad AFTER DELETE ON attachments WHEN EXISTS (SELECT 1 FROM replica WHERE pulling = 0) BEGIN
	DELETE FROM replica_changes WHERE kind = 'attachment' AND id = old.id;
	DELETE FROM replica_deleted WHERE kind = 'attachment' AND gid = old.gid;
	INSERT INTO replica_deleted (kind, gid, srev) SELECT 'attachment', old.gid, old.srev WHERE old.gid IS NOT NULL;
END;
