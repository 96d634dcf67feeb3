package shared

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The server's schema is made and brought up to date by these migrations, each in a transaction
// of its own and recorded in schema_migrations, as a library's are (storage/migrations). A
// release refuses a shared library whose schema is newer than it knows (ErrNewerSchema).
//
//go:embed migrations/*.sql
var migrations embed.FS

// migration is one of the embedded migrations.
type migration struct {
	version int
	name    string
}

// allMigrations returns the embedded migrations in order.
func allMigrations() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for _, name := range names {
		var v int
		if _, err := fmt.Sscanf(path.Base(name), "%04d_", &v); err != nil {
			return nil, fmt.Errorf("migration %s: its name must start with a 4-digit version", name)
		}
		out = append(out, migration{v, name})
	}
	return out, nil
}

// knownVersion is the newest schema version this release knows.
func knownVersion() int {
	ms, err := allMigrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// schemaVersion returns the version of the server's schema: 0 when the database has none.
func schemaVersion(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, schema+".schema_migrations").Scan(&exists); err != nil {
		return 0, err
	}
	if !exists {
		return 0, nil
	}
	var v int
	err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// ErrNoAccess is returned to a role that was granted neither reading nor editing the shared
// library (migrations/0002_members.sql).
var ErrNoAccess = errors.New("no access to this shared library")

// checkAccess returns ErrNoAccess, naming the roles to be granted, when the connection's role
// may not use the schema the shared library is in; a database without one passes.
func checkAccess(ctx context.Context, conn *pgx.Conn) error {
	var ok bool
	var role, db string
	if err := conn.QueryRow(ctx, `SELECT n IS NULL OR has_schema_privilege(n, 'USAGE'), current_user, current_database()
		FROM to_regnamespace($1) n`, schema).Scan(&ok, &role, &db); err != nil {
		return fmt.Errorf("read the role's privileges: %w", err)
	}
	if !ok {
		return fmt.Errorf("%w (role %s): the library's owner makes it a reader with GRANT %s TO %s, or an editor with GRANT %s TO %s",
			ErrNoAccess, role, pgx.Identifier{db + "_read"}.Sanitize(), pgx.Identifier{role}.Sanitize(),
			pgx.Identifier{db + "_edit"}.Sanitize(), pgx.Identifier{role}.Sanitize())
	}
	return nil
}

// checkSchema returns ErrNewerSchema for a schema newer than this release's.
func checkSchema(version int) error {
	if know := knownVersion(); version > know {
		return fmt.Errorf("%w (its schema is version %d; this one knows up to %d): use that version", ErrNewerSchema, version, know)
	}
	return nil
}

// useSchema makes sure the server's schema is this release's: it makes it (with create) or
// brings it up to date when it is older, and refuses one that is newer. A database without
// the schema is ErrNoLibrary unless create.
func useSchema(ctx context.Context, conn *pgx.Conn, create bool) error {
	if err := checkAccess(ctx, conn); err != nil {
		return err
	}
	v, err := schemaVersion(ctx, conn)
	if err != nil {
		return fmt.Errorf("read the schema's version: %w", err)
	}
	if err := checkSchema(v); err != nil {
		return err
	}
	if v == 0 && !create {
		return ErrNoLibrary
	}
	if v == knownVersion() {
		return nil
	}
	if err := migrate(ctx, conn); err != nil {
		if v > 0 && wantsPrivilege(err) {
			// A member's role: the library stays as it is, for the releases that know it.
			return fmt.Errorf("bring the shared library's schema up to date, from version %d to %d: %w (its owner does, by opening "+
				"it with this release; until then, a release that knows version %d opens it)", v, knownVersion(), err, v)
		}
		return fmt.Errorf("bring the shared library's schema up to date: %w", explainPrivilege(err))
	}
	return nil
}

// migrate applies each migration the server's schema has not had yet.
func migrate(ctx context.Context, conn *pgx.Conn) error {
	if err := inTx(ctx, conn, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+schema+`;
			CREATE TABLE IF NOT EXISTS schema_migrations (
				version integer PRIMARY KEY,
				name    text NOT NULL,
				applied timestamptz NOT NULL DEFAULT now())`)
		return err
	}); err != nil {
		return err
	}
	ms, err := allMigrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := inTx(ctx, conn, func(tx pgx.Tx) error { return migrateOne(ctx, tx, m) }); err != nil {
			return fmt.Errorf("migration %s: %w", path.Base(m.name), err)
		}
	}
	return nil
}

// migrateOne applies the migration m in tx, unless the schema has it: two clients that bring
// one schema up to date at once take turns (the table lock) and the second finds it done.
func migrateOne(ctx context.Context, tx pgx.Tx, m migration) error {
	if _, err := tx.Exec(ctx, `LOCK TABLE schema_migrations IN EXCLUSIVE MODE`); err != nil {
		return err
	}
	v, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if err := checkSchema(v); err != nil || v >= m.version {
		return err
	}
	body, err := migrations.ReadFile(m.name)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, string(body)); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, path.Base(m.name))
	return err
}

// inTx runs fn in a transaction of conn (a serverTx), committed when fn returns nil.
func inTx(ctx context.Context, conn *pgx.Conn, fn func(pgx.Tx) error) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := fn(serverTx{tx}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// explainPrivilege adds to a refusal of the server for want of a privilege what is to be done.
func explainPrivilege(err error) error {
	if wantsPrivilege(err) {
		return fmt.Errorf("%w (the shared library's owner, or a role that may create in the database, must do this)", err)
	}
	return err
}

// wantsPrivilege reports whether the server refused err for want of a privilege.
func wantsPrivilege(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42501" // insufficient_privilege
}
