-- A large import indexes its new entries for search in one statement at its end, several times
-- faster than the insert trigger row by row. While it runs, bulk_import holds one row (the
-- largest entry id before the import) and the trigger stands aside. The row is written and
-- removed inside the import's transaction, so no other connection ever sees it.
CREATE TABLE bulk_import (since_id INTEGER NOT NULL);

DROP TRIGGER entries_ai;
CREATE TRIGGER entries_ai AFTER INSERT ON entries WHEN NOT EXISTS (SELECT 1 FROM bulk_import) BEGIN
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	VALUES (new.id, new.key, new.title, new.authors, new.venue, new.abstract, new.keywords,
		coalesce((SELECT body FROM notes WHERE entry_id = new.id), ''));
END;
