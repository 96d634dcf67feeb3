-- Entries keep everything the BibTeX engine parsed: the fields in order (JSON), and the entry's
-- exact source text, so that an entry not edited since import is exported byte for byte. The
-- title/authors/year/venue columns are plain Unicode copies for the list and for search.
CREATE TABLE entries (
	id           INTEGER PRIMARY KEY,
	key          TEXT NOT NULL UNIQUE COLLATE NOCASE,
	type         TEXT NOT NULL,
	fields       TEXT NOT NULL,
	source       TEXT NOT NULL DEFAULT '',
	title        TEXT NOT NULL DEFAULT '',
	authors      TEXT NOT NULL DEFAULT '',
	first_author TEXT NOT NULL DEFAULT '',
	year         TEXT NOT NULL DEFAULT '',
	venue        TEXT NOT NULL DEFAULT '',
	abstract     TEXT NOT NULL DEFAULT '',
	keywords     TEXT NOT NULL DEFAULT '',
	origin       TEXT NOT NULL DEFAULT '', -- file:line it was imported from
	created      INTEGER NOT NULL,         -- Unix milliseconds
	modified     INTEGER NOT NULL
);

-- Library-wide @string, @preamble and @comment items, in import order.
CREATE TABLE items (
	id     INTEGER PRIMARY KEY,
	kind   TEXT NOT NULL CHECK (kind IN ('string', 'preamble', 'comment')),
	name   TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL,
	origin TEXT NOT NULL DEFAULT ''
);

CREATE VIRTUAL TABLE entries_fts USING fts5(
	key, title, authors, venue, abstract, keywords,
	content = 'entries', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords)
	VALUES (new.id, new.key, new.title, new.authors, new.venue, new.abstract, new.keywords);
END;

CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords)
	VALUES ('delete', old.id, old.key, old.title, old.authors, old.venue, old.abstract, old.keywords);
END;

CREATE TRIGGER entries_au AFTER UPDATE ON entries BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords)
	VALUES ('delete', old.id, old.key, old.title, old.authors, old.venue, old.abstract, old.keywords);
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords)
	VALUES (new.id, new.key, new.title, new.authors, new.venue, new.abstract, new.keywords);
END;
