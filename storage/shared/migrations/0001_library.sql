-- A shared library on a PostgreSQL server: the rows of a Bibshelf library (storage/sharedrows.go
-- says what each holds), in the schema bibshelf, which every connection of Bibshelf's has as its
-- search_path. See "Shared libraries" in docs/DEVELOPMENT.md.
--
-- Every row is named by a UUID that is the same in every replica; a row that refers to another
-- names it so. Every write gives the row it writes a revision, rev, taken from one sequence, so
-- that a replica asks for everything past the last revision it saw. A deletion is a tombstone:
-- the row stays, with deleted true, so that the replicas learn of it the same way. ord keeps the
-- library's order of rows of one kind (the order of their ids in the library they came from),
-- which exports follow.
--
-- Writes are serialized: each writing transaction takes lock_writes() (the trigger that stamps
-- a row's revision takes it too), so that a transaction that commits later has later revisions.
-- A replica that has seen every revision up to N then never misses one below N.

-- The shared library's id, which its replicas record: one row.
CREATE TABLE library (
	one     boolean PRIMARY KEY DEFAULT true CHECK (one),
	id      uuid NOT NULL,
	created timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE revision AS bigint;
CREATE SEQUENCE ord AS bigint;

-- The write lock, held to the end of the transaction: an advisory lock of this database.
CREATE FUNCTION lock_writes() RETURNS void LANGUAGE sql AS $$
	SELECT pg_advisory_xact_lock(1114202707) -- "BibS"
$$;

-- Gives a row written its revision, under the write lock.
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM bibshelf.lock_writes();
	NEW.rev := nextval('bibshelf.revision');
	RETURN NEW;
END
$$;

-- Names compared as the library compares them (SQLite's NOCASE): ASCII letters without regard to
-- case, every other character as it is.
CREATE FUNCTION fold(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT translate(s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
$$;

CREATE TABLE sources (
	id       uuid PRIMARY KEY,
	rev      bigint NOT NULL,
	ord      bigint NOT NULL DEFAULT nextval('ord') UNIQUE,
	deleted  boolean NOT NULL DEFAULT false,
	name     text NOT NULL,
	imported bigint NOT NULL -- Unix milliseconds
);

CREATE TABLE items (
	id        uuid PRIMARY KEY,
	rev       bigint NOT NULL,
	ord       bigint NOT NULL DEFAULT nextval('ord') UNIQUE,
	deleted   boolean NOT NULL DEFAULT false,
	kind      text NOT NULL CHECK (kind IN ('string', 'preamble', 'comment')),
	name      text NOT NULL,
	source    text NOT NULL,
	origin    text NOT NULL,
	source_id uuid REFERENCES sources DEFERRABLE INITIALLY DEFERRED,
	expansion text NOT NULL,
	context   text -- JSON, its @string items by UUID; NULL: unknown (an old library's)
);

CREATE TABLE entries (
	id           uuid PRIMARY KEY,
	rev          bigint NOT NULL,
	ord          bigint NOT NULL DEFAULT nextval('ord') UNIQUE,
	deleted      boolean NOT NULL DEFAULT false,
	key          text NOT NULL,
	type         text NOT NULL,
	fields       text NOT NULL, -- the library's fields column (storage/fields.go)
	source       text NOT NULL, -- the exact BibTeX
	abstract     text NOT NULL,
	title        text NOT NULL,
	authors      text NOT NULL,
	first_author text NOT NULL,
	year         text NOT NULL,
	venue        text NOT NULL,
	keywords     text NOT NULL,
	origin       text NOT NULL,
	created      bigint NOT NULL, -- Unix milliseconds
	modified     bigint NOT NULL,
	trashed      bigint,          -- when it went to the trash; NULL: it is not there
	doi          text NOT NULL,
	arxiv        text NOT NULL,
	isbn         text NOT NULL,
	title_key    text NOT NULL,
	source_id    uuid REFERENCES sources DEFERRABLE INITIALLY DEFERRED,
	context      text
);
-- Keys are unique as the library's are; a deleted entry's key is free again.
CREATE UNIQUE INDEX entries_key ON entries (fold(key)) WHERE NOT deleted;

-- A member's own flags of an entry: the member is the server role (current_user).
CREATE TABLE marks (
	entry_id uuid NOT NULL REFERENCES entries DEFERRABLE INITIALLY DEFERRED,
	member   text NOT NULL DEFAULT current_user,
	rev      bigint NOT NULL,
	read     boolean NOT NULL DEFAULT false,
	starred  boolean NOT NULL DEFAULT false,
	rating   smallint NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
	PRIMARY KEY (entry_id, member)
);

CREATE TABLE notes (
	entry_id uuid PRIMARY KEY REFERENCES entries DEFERRABLE INITIALLY DEFERRED,
	rev      bigint NOT NULL,
	deleted  boolean NOT NULL DEFAULT false,
	body     text NOT NULL, -- Markdown
	modified bigint NOT NULL
);

CREATE TABLE tags (
	id      uuid PRIMARY KEY,
	rev     bigint NOT NULL,
	ord     bigint NOT NULL DEFAULT nextval('ord') UNIQUE,
	deleted boolean NOT NULL DEFAULT false,
	name    text NOT NULL,
	colour  text NOT NULL
);
CREATE UNIQUE INDEX tags_name ON tags (fold(name)) WHERE NOT deleted;

CREATE TABLE entry_tags (
	entry_id uuid NOT NULL REFERENCES entries DEFERRABLE INITIALLY DEFERRED,
	tag_id   uuid NOT NULL REFERENCES tags DEFERRABLE INITIALLY DEFERRED,
	rev      bigint NOT NULL,
	deleted  boolean NOT NULL DEFAULT false,
	PRIMARY KEY (entry_id, tag_id)
);

CREATE TABLE collections (
	id        uuid PRIMARY KEY,
	rev       bigint NOT NULL,
	ord       bigint NOT NULL DEFAULT nextval('ord') UNIQUE,
	deleted   boolean NOT NULL DEFAULT false,
	parent_id uuid REFERENCES collections DEFERRABLE INITIALLY DEFERRED, -- NULL at the top
	name      text NOT NULL,
	position  integer NOT NULL
);
CREATE UNIQUE INDEX collections_sibling_name ON collections
	(coalesce(parent_id, '00000000-0000-0000-0000-000000000000'), fold(name)) WHERE NOT deleted;

CREATE TABLE collection_entries (
	collection_id uuid NOT NULL REFERENCES collections DEFERRABLE INITIALLY DEFERRED,
	entry_id      uuid NOT NULL REFERENCES entries DEFERRABLE INITIALLY DEFERRED,
	rev           bigint NOT NULL,
	deleted       boolean NOT NULL DEFAULT false,
	PRIMARY KEY (collection_id, entry_id)
);

CREATE TABLE saved_searches (
	id      uuid PRIMARY KEY,
	rev     bigint NOT NULL,
	ord     bigint NOT NULL DEFAULT nextval('ord') UNIQUE,
	deleted boolean NOT NULL DEFAULT false,
	name    text NOT NULL,
	query   text NOT NULL,
	filter  text NOT NULL -- JSON, its collection by UUID
);
CREATE UNIQUE INDEX saved_searches_name ON saved_searches (fold(name)) WHERE NOT deleted;

-- path is relative to the attachments folder, which each member has (a shared drive, a synced
-- folder), or absolute for a file that was outside it.
CREATE TABLE attachments (
	id       uuid PRIMARY KEY,
	rev      bigint NOT NULL,
	ord      bigint NOT NULL DEFAULT nextval('ord') UNIQUE,
	deleted  boolean NOT NULL DEFAULT false,
	entry_id uuid NOT NULL REFERENCES entries DEFERRABLE INITIALLY DEFERRED,
	path     text NOT NULL,
	added    bigint NOT NULL
);
CREATE UNIQUE INDEX attachments_path ON attachments (entry_id, path) WHERE NOT deleted;

CREATE TABLE not_duplicates (
	a       uuid NOT NULL REFERENCES entries DEFERRABLE INITIALLY DEFERRED,
	b       uuid NOT NULL REFERENCES entries DEFERRABLE INITIALLY DEFERRED,
	rev     bigint NOT NULL,
	deleted boolean NOT NULL DEFAULT false,
	PRIMARY KEY (a, b),
	CHECK (a < b)
);

-- Every table is stamped, and read past a revision through an index.
CREATE TRIGGER sources_stamp BEFORE INSERT OR UPDATE ON sources FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE TRIGGER items_stamp BEFORE INSERT OR UPDATE ON items FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE TRIGGER entries_stamp BEFORE INSERT OR UPDATE ON entries FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE TRIGGER marks_stamp BEFORE INSERT OR UPDATE ON marks FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE TRIGGER notes_stamp BEFORE INSERT OR UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE TRIGGER tags_stamp BEFORE INSERT OR UPDATE ON tags FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE TRIGGER entry_tags_stamp BEFORE INSERT OR UPDATE ON entry_tags FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE TRIGGER collections_stamp BEFORE INSERT OR UPDATE ON collections FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE TRIGGER collection_entries_stamp BEFORE INSERT OR UPDATE ON collection_entries FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE TRIGGER saved_searches_stamp BEFORE INSERT OR UPDATE ON saved_searches FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE TRIGGER attachments_stamp BEFORE INSERT OR UPDATE ON attachments FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE TRIGGER not_duplicates_stamp BEFORE INSERT OR UPDATE ON not_duplicates FOR EACH ROW EXECUTE FUNCTION stamp();

CREATE INDEX sources_rev ON sources (rev);
CREATE INDEX items_rev ON items (rev);
CREATE INDEX entries_rev ON entries (rev);
CREATE INDEX marks_rev ON marks (rev);
CREATE INDEX notes_rev ON notes (rev);
CREATE INDEX tags_rev ON tags (rev);
CREATE INDEX entry_tags_rev ON entry_tags (rev);
CREATE INDEX collections_rev ON collections (rev);
CREATE INDEX collection_entries_rev ON collection_entries (rev);
CREATE INDEX saved_searches_rev ON saved_searches (rev);
CREATE INDEX attachments_rev ON attachments (rev);
CREATE INDEX not_duplicates_rev ON not_duplicates (rev);
-- The references a tombstone follows (below) and the link tables' second columns.
CREATE INDEX items_source ON items (source_id);
CREATE INDEX entries_source ON entries (source_id);
CREATE INDEX entry_tags_tag ON entry_tags (tag_id);
CREATE INDEX collections_parent ON collections (parent_id);
CREATE INDEX collection_entries_entry ON collection_entries (entry_id);
CREATE INDEX attachments_entry ON attachments (entry_id);
CREATE INDEX not_duplicates_b ON not_duplicates (b);

-- A deleted row takes what hangs on it with it, as the library's ON DELETE CASCADE does: an
-- entry its note, tags, memberships, attachments and pairs; a tag its links; a collection its
-- children (through this trigger again) and memberships.
CREATE FUNCTION entries_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE bibshelf.notes SET deleted = true WHERE entry_id = NEW.id AND NOT deleted;
	UPDATE bibshelf.entry_tags SET deleted = true WHERE entry_id = NEW.id AND NOT deleted;
	UPDATE bibshelf.collection_entries SET deleted = true WHERE entry_id = NEW.id AND NOT deleted;
	UPDATE bibshelf.attachments SET deleted = true WHERE entry_id = NEW.id AND NOT deleted;
	UPDATE bibshelf.not_duplicates SET deleted = true WHERE (a = NEW.id OR b = NEW.id) AND NOT deleted;
	RETURN NULL;
END
$$;
CREATE TRIGGER entries_deleted AFTER UPDATE OF deleted ON entries FOR EACH ROW
	WHEN (NEW.deleted AND NOT OLD.deleted) EXECUTE FUNCTION entries_deleted();

CREATE FUNCTION tags_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE bibshelf.entry_tags SET deleted = true WHERE tag_id = NEW.id AND NOT deleted;
	RETURN NULL;
END
$$;
CREATE TRIGGER tags_deleted AFTER UPDATE OF deleted ON tags FOR EACH ROW
	WHEN (NEW.deleted AND NOT OLD.deleted) EXECUTE FUNCTION tags_deleted();

CREATE FUNCTION collections_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE bibshelf.collections SET deleted = true WHERE parent_id = NEW.id AND NOT deleted;
	UPDATE bibshelf.collection_entries SET deleted = true WHERE collection_id = NEW.id AND NOT deleted;
	RETURN NULL;
END
$$;
CREATE TRIGGER collections_deleted AFTER UPDATE OF deleted ON collections FOR EACH ROW
	WHEN (NEW.deleted AND NOT OLD.deleted) EXECUTE FUNCTION collections_deleted();
