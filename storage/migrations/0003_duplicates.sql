-- What duplicate detection compares entries by, computed in Go from the fields (see
-- duplicates.go): the DOI, the arXiv id and the ISBN, normalised, and a key of the folded title,
-- the year and the first author's last name. Empty when the entry has none. SQL cannot compute
-- them, so rows that predate this migration are filled in by backfillIdentity after it.
ALTER TABLE entries ADD COLUMN doi       TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN arxiv     TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN isbn      TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN title_key TEXT NOT NULL DEFAULT '';

-- Finding duplicates groups the entries not in the trash by each column, and an import looks a
-- value up: both read only these indexes, which hold only entries that have the value. trashed is
-- always NULL in them, but without it SQLite does not see that an index covers a query that
-- repeats the index's condition, and reads every row's record (abstract and all) from the table.
CREATE INDEX entries_doi       ON entries (doi, trashed)       WHERE doi <> '' AND trashed IS NULL;
CREATE INDEX entries_arxiv     ON entries (arxiv, trashed)     WHERE arxiv <> '' AND trashed IS NULL;
CREATE INDEX entries_isbn      ON entries (isbn, trashed)      WHERE isbn <> '' AND trashed IS NULL;
CREATE INDEX entries_title_key ON entries (title_key, trashed) WHERE title_key <> '' AND trashed IS NULL;

-- The entries whose identity may not have been computed yet: every row right after this
-- migration, then only rows added without it and the few entries that have none (no title, no
-- identifier). backfillIdentity runs at every Open, so it must find them without reading the
-- whole table.
CREATE INDEX entries_identity_pending ON entries (id)
	WHERE doi = '' AND arxiv = '' AND isbn = '' AND title_key = '';
