-- The triggers of a replica list a change again by a DELETE and an INSERT instead of INSERT OR
-- REPLACE, which the conflict clause of the statement that fires them overrode (replica.sql
-- says how a change was lost so). They are made again in Go after this migration, in the same
-- transaction, in replicas only (migrationSteps, remakeReplicaTriggers): a library of one's own
-- has none.
SELECT 1;
