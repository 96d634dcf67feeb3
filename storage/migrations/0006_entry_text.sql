-- An entry's three long values (the fields JSON, the source text and the abstract: nine tenths of
-- its bytes) move to a table of their own, one row per entry with the entry's id. The entries
-- table keeps what the list, the filters and duplicate detection read, a few hundred bytes a
-- row: making its indexes, scanning it for duplicates and setting a flag on thousands of entries
-- no longer read or rewrite those values (making the twelve indexes of 100,000 entries read
-- 110,000 pages, now a few thousand).
CREATE TABLE entry_text (
	id       INTEGER PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
	fields   TEXT NOT NULL,
	source   TEXT NOT NULL DEFAULT '',
	abstract TEXT NOT NULL DEFAULT ''
);

INSERT INTO entry_text (id, fields, source, abstract) SELECT id, fields, source, abstract FROM entries;

-- The search index's content view and triggers name the columns that move: they go first, then
-- come back reading the new table. The index itself holds the same values under the same ids
-- and stays as it is.
DROP TRIGGER entries_ai;
DROP TRIGGER entries_bd;
DROP TRIGGER entries_au;
DROP TRIGGER notes_ai;
DROP TRIGGER notes_au;
DROP TRIGGER notes_ad;
DROP VIEW entries_search;

ALTER TABLE entries DROP COLUMN fields;
ALTER TABLE entries DROP COLUMN source;
ALTER TABLE entries DROP COLUMN abstract;

-- An entry is written as its entries row, then its entry_text row in the same transaction. It is
-- in the search index exactly when it has both: the index row is added when the text row comes,
-- and the view leaves out an entry without one.
CREATE VIEW entries_search AS
	SELECT e.id, e.key, e.title, e.authors, e.venue, t.abstract, e.keywords, coalesce(n.body, '') AS notes
	FROM entries e JOIN entry_text t ON t.id = e.id LEFT JOIN notes n ON n.entry_id = e.id;

-- While a large import runs, bulk_import holds a row and it indexes its entries at its end.
CREATE TRIGGER entry_text_ai AFTER INSERT ON entry_text WHEN NOT EXISTS (SELECT 1 FROM bulk_import) BEGIN
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT id, key, title, authors, venue, abstract, keywords, notes FROM entries_search WHERE id = new.id;
END;

-- BEFORE, not AFTER: the note and the text row are deleted by ON DELETE CASCADE between the
-- entry's deletion and its AFTER triggers, and their text is needed to remove the index row.
-- FTS5 removes a row only when given the very values it indexed.
CREATE TRIGGER entries_bd BEFORE DELETE ON entries BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', id, key, title, authors, venue, abstract, keywords, notes FROM entries_search WHERE id = old.id;
END;

-- Only the indexed columns: setting flags or moving thousands of entries to the trash must not
-- rewrite their index rows. The entries row has its new values when this runs, so the old ones
-- are spelled out; the abstract is the indexed one, which this change did not touch.
CREATE TRIGGER entries_au AFTER UPDATE OF id, key, title, authors, venue, keywords ON entries BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', old.id, old.key, old.title, old.authors, old.venue, t.abstract, old.keywords,
		coalesce((SELECT body FROM notes WHERE entry_id = old.id), '')
	FROM entry_text t WHERE t.id = old.id;
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT id, key, title, authors, venue, abstract, keywords, notes FROM entries_search WHERE id = new.id;
END;

CREATE TRIGGER entry_text_au AFTER UPDATE OF id, abstract ON entry_text BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', e.id, e.key, e.title, e.authors, e.venue, old.abstract, e.keywords,
		coalesce((SELECT body FROM notes WHERE entry_id = e.id), '')
	FROM entries e WHERE e.id = old.id;
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT id, key, title, authors, venue, abstract, keywords, notes FROM entries_search WHERE id = new.id;
END;

-- The note's triggers hand FTS5 each value explicitly, as before: the view would give the note's
-- current text where the index holds another.
CREATE TRIGGER notes_ai AFTER INSERT ON notes BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', e.id, e.key, e.title, e.authors, e.venue, t.abstract, e.keywords, ''
	FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.id = new.entry_id;
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT e.id, e.key, e.title, e.authors, e.venue, t.abstract, e.keywords, new.body
	FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.id = new.entry_id;
END;

-- Written for a change of entry_id too, though the library never makes one: the old entry loses
-- the note, the new one gets it.
CREATE TRIGGER notes_au AFTER UPDATE ON notes BEGIN
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

CREATE TRIGGER notes_ad AFTER DELETE ON notes BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', e.id, e.key, e.title, e.authors, e.venue, t.abstract, e.keywords, old.body
	FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.id = old.entry_id;
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT e.id, e.key, e.title, e.authors, e.venue, t.abstract, e.keywords, ''
	FROM entries e JOIN entry_text t ON t.id = e.id WHERE e.id = old.entry_id;
END;
