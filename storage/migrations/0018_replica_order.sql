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
