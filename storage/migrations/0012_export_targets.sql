-- Auto-export (storage/autoexport.go) keeps .bib files in step with the library. It caches each
-- entry's exported text by the entry's revision, and looks for changes by one library-wide
-- counter.
--
-- library_revision holds one row: the counter, which every change that can alter an export
-- raises (the triggers below; a bulk import raises it once for all its entries). An entry's
-- revision is the counter's value at its last change that alters its exported text: its key,
-- type, fields or source, its keywords, context or trash state, its tags (written into keywords)
-- and its note (written into annote). A revision is never given twice, so the pair (entry id,
-- revision) names one text for good: an entry deleted and another inserted under its id (SQLite
-- reuses the largest rowid) has a revision no earlier entry had. Entries stored before this
-- version keep revision 0, which no later change gives.
--
-- While an import runs, import_since holds the largest entry id before it (NULL otherwise). The
-- import gives its new entries their revision as it inserts them, and the triggers on their tags
-- and collections stand aside. It is written and cleared in the import's transaction, so no
-- other connection ever sees it set.
CREATE TABLE library_revision (n INTEGER NOT NULL, import_since INTEGER);
INSERT INTO library_revision (n) VALUES (0);

ALTER TABLE entries ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

-- An insert that gives no revision (every insert but an import's) gets a new one.
CREATE TRIGGER entries_revision_ai AFTER INSERT ON entries WHEN new.revision = 0 BEGIN
	UPDATE library_revision SET n = n + 1;
	UPDATE entries SET revision = (SELECT n FROM library_revision) WHERE id = new.id;
END;

CREATE TRIGGER entries_revision_au AFTER UPDATE OF id, key, type, keywords, trashed, context, source_id ON entries BEGIN
	UPDATE library_revision SET n = n + 1;
	UPDATE entries SET revision = (SELECT n FROM library_revision) WHERE id = new.id;
END;

CREATE TRIGGER entries_revision_ad AFTER DELETE ON entries BEGIN
	UPDATE library_revision SET n = n + 1;
END;

CREATE TRIGGER entry_text_revision_au AFTER UPDATE OF id, fields, source ON entry_text BEGIN
	UPDATE library_revision SET n = n + 1;
	UPDATE entries SET revision = (SELECT n FROM library_revision) WHERE id = new.id;
END;

CREATE TRIGGER entry_tags_revision_ai AFTER INSERT ON entry_tags
WHEN new.entry_id <= coalesce((SELECT import_since FROM library_revision), 9223372036854775807) BEGIN
	UPDATE library_revision SET n = n + 1;
	UPDATE entries SET revision = (SELECT n FROM library_revision) WHERE id = new.entry_id;
END;

CREATE TRIGGER entry_tags_revision_ad AFTER DELETE ON entry_tags BEGIN
	UPDATE library_revision SET n = n + 1;
	UPDATE entries SET revision = (SELECT n FROM library_revision) WHERE id = old.entry_id;
END;

-- A renamed tag is written under its new name in the keywords of its entries.
CREATE TRIGGER tags_revision_au AFTER UPDATE OF name ON tags BEGIN
	UPDATE library_revision SET n = n + 1;
	UPDATE entries SET revision = (SELECT n FROM library_revision)
	WHERE id IN (SELECT entry_id FROM entry_tags WHERE tag_id = new.id);
END;

CREATE TRIGGER notes_revision_ai AFTER INSERT ON notes BEGIN
	UPDATE library_revision SET n = n + 1;
	UPDATE entries SET revision = (SELECT n FROM library_revision) WHERE id = new.entry_id;
END;

CREATE TRIGGER notes_revision_au AFTER UPDATE ON notes BEGIN
	UPDATE library_revision SET n = n + 1;
	UPDATE entries SET revision = (SELECT n FROM library_revision) WHERE id IN (old.entry_id, new.entry_id);
END;

CREATE TRIGGER notes_revision_ad AFTER DELETE ON notes BEGIN
	UPDATE library_revision SET n = n + 1;
	UPDATE entries SET revision = (SELECT n FROM library_revision) WHERE id = old.entry_id;
END;

-- What changes which entries a target selects, not their text: the counter only.
CREATE TRIGGER collection_entries_revision_ai AFTER INSERT ON collection_entries
WHEN new.entry_id <= coalesce((SELECT import_since FROM library_revision), 9223372036854775807) BEGIN
	UPDATE library_revision SET n = n + 1;
END;
CREATE TRIGGER collection_entries_revision_ad AFTER DELETE ON collection_entries BEGIN
	UPDATE library_revision SET n = n + 1;
END;
-- A collection renamed changes what in:"Name" selects.
CREATE TRIGGER collections_revision_au AFTER UPDATE OF id, parent_id, name ON collections BEGIN
	UPDATE library_revision SET n = n + 1;
END;
CREATE TRIGGER collections_revision_ad AFTER DELETE ON collections BEGIN
	UPDATE library_revision SET n = n + 1;
END;
-- A saved search may select by is:read, is:unread, is:starred (Filter.Unread, Starred) and
-- has:pdf, has:attachment: these change its selection, not any entry's text. (A search by
-- added: or Filter.AddedDays selects anew each day: the runner sees the date change, no trigger.)
CREATE TRIGGER entries_flags_revision_au AFTER UPDATE OF read, starred, rating ON entries BEGIN
	UPDATE library_revision SET n = n + 1;
END;
CREATE TRIGGER attachments_revision_ai AFTER INSERT ON attachments
WHEN new.entry_id <= coalesce((SELECT import_since FROM library_revision), 9223372036854775807) BEGIN
	UPDATE library_revision SET n = n + 1;
END;
CREATE TRIGGER attachments_revision_au AFTER UPDATE OF entry_id, path ON attachments BEGIN
	UPDATE library_revision SET n = n + 1;
END;
CREATE TRIGGER attachments_revision_ad AFTER DELETE ON attachments BEGIN
	UPDATE library_revision SET n = n + 1;
END;
CREATE TRIGGER saved_searches_revision_ai AFTER INSERT ON saved_searches BEGIN
	UPDATE library_revision SET n = n + 1;
END;
CREATE TRIGGER saved_searches_revision_au AFTER UPDATE ON saved_searches BEGIN
	UPDATE library_revision SET n = n + 1;
END;
CREATE TRIGGER saved_searches_revision_ad AFTER DELETE ON saved_searches BEGIN
	UPDATE library_revision SET n = n + 1;
END;
-- @string and @preamble items come with imports, which raise the counter anyway.
CREATE TRIGGER items_revision_ai AFTER INSERT ON items WHEN (SELECT import_since FROM library_revision) IS NULL BEGIN
	UPDATE library_revision SET n = n + 1;
END;
CREATE TRIGGER items_revision_au AFTER UPDATE ON items BEGIN
	UPDATE library_revision SET n = n + 1;
END;
CREATE TRIGGER items_revision_ad AFTER DELETE ON items BEGIN
	UPDATE library_revision SET n = n + 1;
END;

-- An export target: a .bib file kept in step with part of the library.
--
-- What it writes: kind 'library' (every entry not in the trash), 'collection' (collection_id,
-- with its sub-collections when subcollections is 1), 'tag' (tag, with its child tags) or
-- 'search' (the saved search named search). A collection deleted, or a saved search, makes the
-- target fail rather than write an empty file; so does its tag deleted (tag_deleted, which
-- DeleteTag sets, until the tag exists again or the target is given another). A tag renamed
-- renames the target's tag with it (RenameTag).
--
-- The written_* columns describe the file as Bibshelf last wrote it (size, CRC-64 in hex,
-- modification time in Unix nanoseconds): a file that differs from them was changed by someone
-- else and is not overwritten. pending_hash is the hash of a content about to replace the file's
-- (recorded before the rename, cleared after): a process killed between the two has left a file
-- that is still Bibshelf's. ran is the last run (Unix milliseconds), written the last time
-- the file was written, revision the library_revision a run last succeeded at, entries how many
-- entries it wrote, error why the last run failed ('' when it did not), conflict 1 when that was
-- a change made by someone else.
--
-- file_revision is the library_revision the file's content reflects: the revision of the
-- snapshot the last successful run rendered, which it wrote, or found the file held already. An
-- entry whose revision is no later than it has not changed in the library since, so a
-- difference between its text in the file and the library's was made in the file
-- (ExportTargetDiff). 0 when Bibshelf never wrote the file (no run writes at 0: adding the target
-- raises the counter), and again once the target is given another path or other settings that
-- shape the entries' text (dialect, ascii, notes): the file's text is then not what the library
-- wrote at any revision.
CREATE TABLE export_targets (
	id             INTEGER PRIMARY KEY,
	kind           TEXT NOT NULL CHECK (kind IN ('library', 'collection', 'tag', 'search')),
	collection_id  INTEGER NOT NULL DEFAULT 0,
	subcollections INTEGER NOT NULL DEFAULT 1,
	tag            TEXT NOT NULL DEFAULT '',
	search         TEXT NOT NULL DEFAULT '',
	path           TEXT NOT NULL, -- one target a path (AddExportTarget checks)
	dialect        TEXT NOT NULL DEFAULT 'as-written' CHECK (dialect IN ('as-written', 'bibtex', 'biblatex')),
	ascii          INTEGER NOT NULL DEFAULT 0,
	by_key         INTEGER NOT NULL DEFAULT 1,
	notes          INTEGER NOT NULL DEFAULT 0,
	written_size   INTEGER NOT NULL DEFAULT 0,
	written_hash   TEXT NOT NULL DEFAULT '',
	written_mtime  INTEGER NOT NULL DEFAULT 0,
	pending_hash   TEXT NOT NULL DEFAULT '',
	written        INTEGER NOT NULL DEFAULT 0,
	ran            INTEGER NOT NULL DEFAULT 0,
	revision       INTEGER NOT NULL DEFAULT -1,
	file_revision  INTEGER NOT NULL DEFAULT 0,
	entries        INTEGER NOT NULL DEFAULT 0,
	error          TEXT NOT NULL DEFAULT '',
	conflict       INTEGER NOT NULL DEFAULT 0,
	tag_deleted    INTEGER NOT NULL DEFAULT 0
);

-- A target added or its settings changed is something for a runner to do; its status columns,
-- which the runner writes, are not.
CREATE TRIGGER export_targets_revision_ai AFTER INSERT ON export_targets BEGIN
	UPDATE library_revision SET n = n + 1;
END;
CREATE TRIGGER export_targets_revision_au AFTER UPDATE OF kind, collection_id, subcollections, tag, search, path,
	dialect, ascii, by_key, notes, tag_deleted ON export_targets BEGIN
	UPDATE library_revision SET n = n + 1;
END;
