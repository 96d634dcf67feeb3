-- A large import may leave its entries out of the search index when it commits, and index them
-- afterwards in short transactions of their own (Library.IndexPending): the entries are in the
-- library, listed and exported at once, and found by words a moment later. Each row here is a
-- range of entry ids lo < id <= hi not yet in the index; an import in progress holds one up to
-- the largest id there is. The triggers leave the entries of a range alone: FTS5 must not be
-- told to remove a row it does not hold, nor be given twice a row the indexing will add.
CREATE TABLE search_pending (
	lo INTEGER NOT NULL,
	hi INTEGER NOT NULL,
	CHECK (lo < hi)
);

-- bulk_import was the same thing for the length of one transaction.
DROP TRIGGER entry_text_ai;
DROP TABLE bulk_import;

-- The index's content leaves the pending entries out too, so that the index and its content
-- agree at all times (FTS5's integrity-check compares them). Indexing a range therefore ends
-- the range first, then reads its entries here, in one transaction.
DROP VIEW entries_search;
CREATE VIEW entries_search AS
	SELECT e.id, e.key, e.title, e.authors, e.venue, t.abstract, e.keywords, coalesce(n.body, '') AS notes
	FROM entries e JOIN entry_text t ON t.id = e.id LEFT JOIN notes n ON n.entry_id = e.id
	WHERE NOT EXISTS (SELECT 1 FROM search_pending p WHERE e.id > p.lo AND e.id <= p.hi);

CREATE TRIGGER entry_text_ai AFTER INSERT ON entry_text
WHEN NOT EXISTS (SELECT 1 FROM search_pending WHERE new.id > lo AND new.id <= hi) BEGIN
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT id, key, title, authors, venue, abstract, keywords, notes FROM entries_search WHERE id = new.id;
END;

DROP TRIGGER entries_bd;
CREATE TRIGGER entries_bd BEFORE DELETE ON entries
WHEN NOT EXISTS (SELECT 1 FROM search_pending WHERE old.id > lo AND old.id <= hi) BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', id, key, title, authors, venue, abstract, keywords, notes FROM entries_search WHERE id = old.id;
END;

-- The library never changes an entry's id: old.id is new.id.
DROP TRIGGER entries_au;
CREATE TRIGGER entries_au AFTER UPDATE OF id, key, title, authors, venue, keywords ON entries
WHEN NOT EXISTS (SELECT 1 FROM search_pending WHERE old.id > lo AND old.id <= hi) BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', old.id, old.key, old.title, old.authors, old.venue, t.abstract, old.keywords,
		coalesce((SELECT body FROM notes WHERE entry_id = old.id), '')
	FROM entry_text t WHERE t.id = old.id;
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT id, key, title, authors, venue, abstract, keywords, notes FROM entries_search WHERE id = new.id;
END;

DROP TRIGGER entry_text_au;
CREATE TRIGGER entry_text_au AFTER UPDATE OF id, abstract ON entry_text
WHEN NOT EXISTS (SELECT 1 FROM search_pending WHERE old.id > lo AND old.id <= hi) BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', e.id, e.key, e.title, e.authors, e.venue, old.abstract, e.keywords,
		coalesce((SELECT body FROM notes WHERE entry_id = e.id), '')
	FROM entries e WHERE e.id = old.id;
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT id, key, title, authors, venue, abstract, keywords, notes FROM entries_search WHERE id = new.id;
END;

-- A note's entry_id never changes either.
DROP TRIGGER notes_ai;
CREATE TRIGGER notes_ai AFTER INSERT ON notes
WHEN NOT EXISTS (SELECT 1 FROM search_pending WHERE new.entry_id > lo AND new.entry_id <= hi) BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', e.id, e.key, e.title, e.authors, e.venue, t.abstract, e.keywords, ''
	FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.id = new.entry_id;
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT e.id, e.key, e.title, e.authors, e.venue, t.abstract, e.keywords, new.body
	FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.id = new.entry_id;
END;

DROP TRIGGER notes_au;
CREATE TRIGGER notes_au AFTER UPDATE ON notes
WHEN NOT EXISTS (SELECT 1 FROM search_pending WHERE old.entry_id > lo AND old.entry_id <= hi) BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', e.id, e.key, e.title, e.authors, e.venue, t.abstract, e.keywords, old.body
	FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.id = old.entry_id;
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT e.id, e.key, e.title, e.authors, e.venue, t.abstract, e.keywords, ''
	FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.id = old.entry_id;
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', e.id, e.key, e.title, e.authors, e.venue, t.abstract, e.keywords, ''
	FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.id = new.entry_id;
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT e.id, e.key, e.title, e.authors, e.venue, t.abstract, e.keywords, new.body
	FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.id = new.entry_id;
END;

DROP TRIGGER notes_ad;
CREATE TRIGGER notes_ad AFTER DELETE ON notes
WHEN NOT EXISTS (SELECT 1 FROM search_pending WHERE old.entry_id > lo AND old.entry_id <= hi) BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', e.id, e.key, e.title, e.authors, e.venue, t.abstract, e.keywords, old.body
	FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.id = old.entry_id;
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT e.id, e.key, e.title, e.authors, e.venue, t.abstract, e.keywords, ''
	FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.id = old.entry_id;
END;
