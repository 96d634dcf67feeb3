-- PostgreSQL's text holds no NUL byte, and a library keeps one as its file had it. From this
-- version on, every text value of the library's rows is written with its byte 0x01 twice and
-- its NUL bytes as 0x01 0x02, and read back so (storage/shared/text.go). A release before this
-- version could send no NUL, and would read an escaped value as it is written: it refuses a
-- shared library at this version (ErrNewerSchema).
--
-- The 0x01 bytes a release before wrote are written twice here, so that they read as they were
-- sent; their rows get new revisions, and the replicas read them again (the same text). A
-- member's role (marks.member, current_user) is the server's, not the library's: it stays.
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT col.table_name, col.column_name
		FROM information_schema.columns col
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE col.table_schema = 'bibshelf' AND t.table_type = 'BASE TABLE' AND col.data_type = 'text'
			AND col.table_name <> 'schema_migrations'
			AND NOT (col.table_name = 'marks' AND col.column_name = 'member')
	LOOP
		EXECUTE format('UPDATE %I SET %I = replace(%I, chr(1), chr(1) || chr(1)) WHERE strpos(%I, chr(1)) > 0',
			c.table_name, c.column_name, c.column_name, c.column_name);
	END LOOP;
END
$$;
