-- What users organise their entries with: read/rating/starred flags, the trash, hierarchical tags,
-- nested collections, saved searches, a Markdown note per entry, attached files and pairs marked
-- "not a duplicate". None of it is BibTeX: Export never writes it.

ALTER TABLE entries ADD COLUMN read    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entries ADD COLUMN rating  INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5);
ALTER TABLE entries ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;
-- NULL, or when the entry went to the trash (Unix milliseconds). An entry in the trash keeps its
-- key: importing the same key again is skipped as a duplicate until the trash is emptied.
ALTER TABLE entries ADD COLUMN trashed INTEGER;

-- The list shows the entries not in the trash sorted by one column, ascending or descending. Each
-- of these indexes holds only those entries, in that column's order then the rowid's (import
-- order breaks ties), so a page of the list is read from an index with no sort step. Partial
-- rather than led by trashed: an index on trashed would make "trashed IS NULL" look selective to
-- the query planner, which then walks every entry to answer a question about a few tags.
CREATE INDEX entries_year         ON entries (year) WHERE trashed IS NULL;
CREATE INDEX entries_first_author ON entries (first_author COLLATE NOCASE) WHERE trashed IS NULL;
CREATE INDEX entries_title        ON entries (title COLLATE NOCASE) WHERE trashed IS NULL;
CREATE INDEX entries_venue        ON entries (venue COLLATE NOCASE) WHERE trashed IS NULL;
CREATE INDEX entries_created      ON entries (created) WHERE trashed IS NULL;
CREATE INDEX entries_key          ON entries (key) WHERE trashed IS NULL; -- with the column's NOCASE
-- The trash, latest first.
CREATE INDEX entries_trashed      ON entries (trashed) WHERE trashed IS NOT NULL;

-- A tag's name is its path: "ml/contrastive" is a child of "ml". Names are compared without
-- regard to (ASCII) case, like keys.
CREATE TABLE tags (
	id     INTEGER PRIMARY KEY,
	name   TEXT NOT NULL UNIQUE COLLATE NOCASE,
	colour TEXT NOT NULL DEFAULT ''
);

CREATE TABLE entry_tags (
	entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
	tag_id   INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
	PRIMARY KEY (entry_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX entry_tags_tag ON entry_tags (tag_id);

-- Collections nest through parent_id (NULL at the top); position orders siblings.
CREATE TABLE collections (
	id        INTEGER PRIMARY KEY,
	parent_id INTEGER REFERENCES collections (id) ON DELETE CASCADE,
	name      TEXT NOT NULL,
	position  INTEGER NOT NULL DEFAULT 0
);
-- UNIQUE treats NULLs as distinct, so top-level collections are made comparable through 0.
CREATE UNIQUE INDEX collections_sibling_name ON collections (coalesce(parent_id, 0), name COLLATE NOCASE);
CREATE INDEX collections_parent ON collections (parent_id);

CREATE TABLE collection_entries (
	collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
	entry_id      INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
	PRIMARY KEY (collection_id, entry_id)
) WITHOUT ROWID;
CREATE INDEX collection_entries_entry ON collection_entries (entry_id);

CREATE TABLE saved_searches (
	id    INTEGER PRIMARY KEY,
	name  TEXT NOT NULL UNIQUE COLLATE NOCASE,
	query TEXT NOT NULL
);

CREATE TABLE notes (
	entry_id INTEGER PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
	body     TEXT NOT NULL,  -- Markdown
	modified INTEGER NOT NULL -- Unix milliseconds
);

-- path is relative to the library's attachments folder, with forward slashes, when the file is
-- inside it, so that a library moved with its folder keeps its links; absolute otherwise.
CREATE TABLE attachments (
	id       INTEGER PRIMARY KEY,
	entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
	path     TEXT NOT NULL,
	added    INTEGER NOT NULL, -- Unix milliseconds
	UNIQUE (entry_id, path)
);

-- Pairs the user has said are not duplicates, so that duplicate detection stops proposing them.
CREATE TABLE not_duplicates (
	a INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
	b INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
	PRIMARY KEY (a, b),
	CHECK (a < b)
) WITHOUT ROWID;
CREATE INDEX not_duplicates_b ON not_duplicates (b);

-- The full-text index now covers the note too. It stays an external-content table (the text is
-- not stored twice) over a view that joins each entry with its note. FTS5 removes a row only when
-- given the very values it indexed, so every trigger below hands it the old values exactly.
DROP TRIGGER entries_ai;
DROP TRIGGER entries_ad;
DROP TRIGGER entries_au;
DROP TABLE entries_fts;

CREATE VIEW entries_search AS
	SELECT e.id, e.key, e.title, e.authors, e.venue, e.abstract, e.keywords, coalesce(n.body, '') AS notes
	FROM entries e LEFT JOIN notes n ON n.entry_id = e.id;

CREATE VIRTUAL TABLE entries_fts USING fts5(
	key, title, authors, venue, abstract, keywords, notes,
	content = 'entries_search', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2'
);

-- A new id is never one a note still refers to (notes go with their entry), but reading the note
-- keeps the row equal to the view's whatever happens.
CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	VALUES (new.id, new.key, new.title, new.authors, new.venue, new.abstract, new.keywords,
		coalesce((SELECT body FROM notes WHERE entry_id = new.id), ''));
END;

-- BEFORE, not AFTER: the note is deleted by ON DELETE CASCADE between the entry's deletion and
-- its AFTER triggers, and its text is needed to remove the row. notes_ad then finds no entry and
-- does nothing.
CREATE TRIGGER entries_bd BEFORE DELETE ON entries BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	VALUES ('delete', old.id, old.key, old.title, old.authors, old.venue, old.abstract, old.keywords,
		coalesce((SELECT body FROM notes WHERE entry_id = old.id), ''));
END;

-- Only the indexed columns: setting flags or moving thousands of entries to the trash must not
-- rewrite their index rows.
CREATE TRIGGER entries_au AFTER UPDATE OF id, key, title, authors, venue, abstract, keywords ON entries BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	VALUES ('delete', old.id, old.key, old.title, old.authors, old.venue, old.abstract, old.keywords,
		coalesce((SELECT body FROM notes WHERE entry_id = old.id), ''));
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	VALUES (new.id, new.key, new.title, new.authors, new.venue, new.abstract, new.keywords,
		coalesce((SELECT body FROM notes WHERE entry_id = new.id), ''));
END;

CREATE TRIGGER notes_ai AFTER INSERT ON notes BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', id, key, title, authors, venue, abstract, keywords, '' FROM entries WHERE id = new.entry_id;
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT id, key, title, authors, venue, abstract, keywords, new.body FROM entries WHERE id = new.entry_id;
END;

-- Written for a change of entry_id too, though the library never makes one: the old entry loses
-- the note, the new one gets it.
CREATE TRIGGER notes_au AFTER UPDATE ON notes BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', id, key, title, authors, venue, abstract, keywords, old.body FROM entries WHERE id = old.entry_id;
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT id, key, title, authors, venue, abstract, keywords, '' FROM entries WHERE id = old.entry_id;
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', id, key, title, authors, venue, abstract, keywords, '' FROM entries WHERE id = new.entry_id;
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT id, key, title, authors, venue, abstract, keywords, new.body FROM entries WHERE id = new.entry_id;
END;

CREATE TRIGGER notes_ad AFTER DELETE ON notes BEGIN
	INSERT INTO entries_fts (entries_fts, rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT 'delete', id, key, title, authors, venue, abstract, keywords, old.body FROM entries WHERE id = old.entry_id;
	INSERT INTO entries_fts (rowid, key, title, authors, venue, abstract, keywords, notes)
	SELECT id, key, title, authors, venue, abstract, keywords, '' FROM entries WHERE id = old.entry_id;
END;

INSERT INTO entries_fts (entries_fts) VALUES ('rebuild');
