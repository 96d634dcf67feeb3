-- replica_renamed numbers its renames with AUTOINCREMENT: without it SQLite gave a rename the
-- seq of the last one deleted (one the member read, or one renamed again), and the window, which
-- tells a rename whose seq is past the last it told, never told it.
CREATE TABLE replica_renamed_seq (
	seq   INTEGER PRIMARY KEY AUTOINCREMENT,
	kind  TEXT NOT NULL,
	gid   BLOB,
	old   TEXT NOT NULL,
	new   TEXT NOT NULL,
	notes TEXT NOT NULL DEFAULT ''
);
INSERT INTO replica_renamed_seq (seq, kind, gid, old, new, notes) SELECT seq, kind, gid, old, new, notes FROM replica_renamed;
DROP TABLE replica_renamed;
ALTER TABLE replica_renamed_seq RENAME TO replica_renamed;
