-- A replica's indexes of the list's sort columns hold the library's order after the column, which
-- decides ties the same way in every replica (order.go, listIndexes). They are made in Go after
-- this migration, in replicas only (migrationSteps, makeReplicaListIndexes): a library of one's
-- own keeps those of migration 0002, whose ties go by id.
SELECT 1;
