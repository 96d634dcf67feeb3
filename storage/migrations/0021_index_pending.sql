-- A large import that leaves its entries' search index to later (IndexLater) leaves the list's
-- sort indexes of the entries table to later too: it drops them before its inserts, as every
-- bulk import does, and instead of making them again before its commit, writes here the
-- statement that makes each one. Library.IndexPending makes them, each in a short transaction of
-- its own that also deletes its row, before it indexes the pending entries for search; any
-- import that does not leave them to later makes those listed here in its own transaction. A
-- query ordered by one of them is as right without it, only slower (a scan and a sort). A
-- migration that changes one of these indexes changes its row here too.
CREATE TABLE index_pending (
	name TEXT PRIMARY KEY,
	sql  TEXT NOT NULL
) WITHOUT ROWID;
