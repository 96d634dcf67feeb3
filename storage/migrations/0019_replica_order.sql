-- sord is, in a replica of a shared library, the server's ord of the row (the shared library's
-- order of rows of one kind), which the replica orders its rows by; NULL for a row the server
-- has not given one yet (not sent), which comes after them by id, and in a library of one's
-- own, whose order stays that of its ids (see order.go). A replica's index of its entries in
-- that order (entries_order) is made in Go after this migration, in replicas only
-- (migrationSteps, makeReplicaOrder): a library of one's own has none, and its imports pay
-- nothing for it.
ALTER TABLE entries ADD COLUMN sord INTEGER;
ALTER TABLE items ADD COLUMN sord INTEGER;
ALTER TABLE tags ADD COLUMN sord INTEGER;
ALTER TABLE collections ADD COLUMN sord INTEGER;
ALTER TABLE attachments ADD COLUMN sord INTEGER;
-- ordered says whether the replica has every row's sord: a replica made before this migration
-- reads them from the server at its next pull.
ALTER TABLE replica ADD COLUMN ordered INTEGER NOT NULL DEFAULT 0;
-- An entry's place is part of what an export writes: a change of it raises the entry's revision,
-- as a change of its key does, so that a target kept in sync (autoexport) puts it in its place.
-- Only a replica ever changes it.
DROP TRIGGER entries_revision_au;
CREATE TRIGGER entries_revision_au AFTER UPDATE OF id, key, type, keywords, trashed, context, source_id, sord ON entries BEGIN
	UPDATE library_revision SET n = n + 1;
	UPDATE entries SET revision = (SELECT n FROM library_revision) WHERE id = new.id;
END;
