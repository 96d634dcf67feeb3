-- replica_renamed keeps what a replica's pushes renamed to keep both of two rows, until the
-- member has read it: an entry, a saved search or a collection of this computer's that another
-- member gave the same key or name at the same time, and sent first, was renamed and sent under
-- the next free key or name (storage/shared's renameTaken). The window says so as soon as it
-- happens, and again until the member dismisses it; a rename in the last push before the window
-- closed is said when it opens next. A library of one's own has none. notes are the lines that
-- say what the rename left as it was, one a line. seq is AUTOINCREMENT: each rename's is past
-- every one before, also those read and forgotten, by which the window tells a rename it has not
-- told (a plain INTEGER PRIMARY KEY gives the seq of the last row deleted again).
CREATE TABLE replica_renamed (
	seq   INTEGER PRIMARY KEY AUTOINCREMENT,
	kind  TEXT NOT NULL,
	gid   BLOB,
	old   TEXT NOT NULL,
	new   TEXT NOT NULL,
	notes TEXT NOT NULL DEFAULT ''
);
