-- PostgreSQL's text holds no NUL byte, and a library keeps one as its file had it. From this
-- version on, every text value of the library's rows is written with its byte 0x01 twice and
-- its NUL bytes as 0x01 0x02, and read back so (storage/shared/text.go). A release before this
-- version could send no NUL, and would read an escaped value as it is written: it refuses a
-- shared library at this version (ErrNewerSchema).
--
-- The 0x01 bytes a release before wrote are written twice here, so that they read as they were
-- sent. Their rows keep their revisions: each holds the text it held, which every replica has
-- already, and a replica's change of one made meanwhile is sent as it would have been (with a
-- new revision, it was a conflict with nobody's change). The write lock is taken, as a writing
-- transaction does. A member's role (marks.member, current_user) is the server's, not the
-- library's: it stays.
DO $$
DECLARE
	t record;
BEGIN
	PERFORM lock_writes();
	FOR t IN
		SELECT col.table_name,
			string_agg(format('%1$I = replace(%1$I, chr(1), chr(1) || chr(1))', col.column_name), ', ') AS doubled,
			string_agg(format('strpos(%I, chr(1)) > 0', col.column_name), ' OR ') AS holds
		FROM information_schema.columns col
		JOIN information_schema.tables tb USING (table_schema, table_name)
		WHERE col.table_schema = 'bibshelf' AND tb.table_type = 'BASE TABLE' AND col.data_type = 'text'
			AND col.table_name <> 'schema_migrations'
			AND NOT (col.table_name = 'marks' AND col.column_name = 'member')
		GROUP BY col.table_name
	LOOP
		-- Every table of the library is stamped by its trigger <table>_stamp (0001).
		EXECUTE format('ALTER TABLE %I DISABLE TRIGGER %I', t.table_name, t.table_name || '_stamp');
		EXECUTE format('UPDATE %I SET %s WHERE %s', t.table_name, t.doubled, t.holds);
		EXECUTE format('ALTER TABLE %I ENABLE TRIGGER %I', t.table_name, t.table_name || '_stamp');
	END LOOP;
END
$$;
