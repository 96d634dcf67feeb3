-- Members who may only read and members who may edit, enforced by the server's grants, not by
-- the client. Each shared library (a database) has two group roles, named after the database:
--
--   DATABASE_read   reads every row, and keeps its own flags (read, starred, rating) in marks;
--   DATABASE_edit   that, and writes every row of the library (it is a member of DATABASE_read).
--
-- A group's admin makes a member a reader or an editor with GRANT refs_read TO alice (or
-- refs_edit). A role that is neither, and is not the owner, cannot read the library at all.
-- grant_members() makes the two roles when the role that runs it may (CREATEROLE) and they are
-- missing, and grants them what they may do; it is run here, by every later migration that
-- makes a table, and by the admin after making the roles by hand (README: "Sharing a library
-- with a group"). It is idempotent.
--
-- marks holds every member's flags: row-level security lets a member see and write only their
-- own (member = current_user), a reader included. The owner, who copied the library, is not
-- held to it (an owner of a table passes its policies), and needs not be.

-- The names of the two group roles of this database.
CREATE FUNCTION reader_role() RETURNS text LANGUAGE sql STABLE AS $$
	SELECT current_database() || '_read'
$$;
CREATE FUNCTION editor_role() RETURNS text LANGUAGE sql STABLE AS $$
	SELECT current_database() || '_edit'
$$;

CREATE FUNCTION grant_members() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text := bibshelf.reader_role();
	e text := bibshelf.editor_role();
	may boolean;
	t text;
BEGIN
	IF octet_length(e) > 63 THEN
		RETURN format('the database''s name is too long for the names of its roles (%s): at most 58 bytes', e);
	END IF;
	SELECT rolcreaterole OR rolsuper INTO may FROM pg_roles WHERE rolname = current_user;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
		IF NOT may THEN
			RETURN format('the roles %I and %I are missing, and %I may not make them: a role with CREATEROLE runs '
				'CREATE ROLE %I NOLOGIN; CREATE ROLE %I NOLOGIN IN ROLE %I; then the owner SELECT bibshelf.grant_members()',
				r, e, current_user, r, e, r);
		END IF;
		EXECUTE format('CREATE ROLE %I NOLOGIN', r);
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = e) THEN
		IF NOT may THEN
			RETURN format('the role %I is missing, and %I may not make it', e, current_user);
		END IF;
		EXECUTE format('CREATE ROLE %I NOLOGIN IN ROLE %I', e, r);
	END IF;

	-- Readers: the schema, every table, the write lock and the revisions their flags take.
	EXECUTE format('GRANT USAGE ON SCHEMA bibshelf TO %I', r);
	EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA bibshelf TO %I', r);
	EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA bibshelf TO %I', r);
	EXECUTE format('GRANT USAGE ON SEQUENCE bibshelf.revision TO %I', r);
	EXECUTE format('GRANT INSERT, UPDATE ON bibshelf.marks TO %I', r);

	-- Editors: every row of the library, but not its id or its schema's version. Nothing is
	-- ever deleted (a deletion is a tombstone), so no DELETE.
	IF NOT pg_has_role(e, r, 'MEMBER') THEN -- granted by whoever made them, who may
		EXECUTE format('GRANT %I TO %I', r, e);
	END IF;
	EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA bibshelf TO %I', e);
	FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'bibshelf'
		AND tablename NOT IN ('library', 'schema_migrations') LOOP
		EXECUTE format('GRANT INSERT, UPDATE ON bibshelf.%I TO %I', t, e);
	END LOOP;
	EXECUTE format('REVOKE EXECUTE ON FUNCTION bibshelf.grant_members() FROM %I', r);
	RETURN format('readers: GRANT %I TO ROLE; editors: GRANT %I TO ROLE', r, e);
END
$$;

-- Functions are anyone's to run unless said otherwise; this one is the owner's.
REVOKE EXECUTE ON FUNCTION grant_members() FROM PUBLIC;

ALTER TABLE marks ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_marks ON marks USING (member = current_user) WITH CHECK (member = current_user);

SELECT grant_members();
