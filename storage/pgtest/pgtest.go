// Package pgtest gives tests a real PostgreSQL server: one throwaway cluster per test binary,
// made with initdb in a temporary folder, listening only on a Unix socket in that folder, and a
// fresh database for each test. It is for tests only: nothing else may import it.
//
// A test binary that uses it runs its tests through Main:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// and each test that needs a server asks for a database with New, which starts the cluster the
// first time. A test of TLS asks NewTLS (tls.go) for a database of a second cluster, which
// listens on 127.0.0.1 with TLS too, started the first time it is asked for. The clusters are
// stopped and their folders removed when the binary ends, when it is interrupted (SIGINT,
// SIGTERM), and, should it die otherwise (a test's timeout, SIGKILL), by a small watchdog
// process (one a cluster) that waits for the binary's end.
//
// The server's programs are Debian's (postgresql, installed by ./dev deps --test): the newest
// /usr/lib/postgresql/*/bin, else initdb and pg_ctl on the PATH. initdb and the server refuse to
// run as root: as root, they run as the postgres user, which owns the folder. Without them, New
// skips the test with a message, or fails it when CI is set.
//go:build unix

package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Superuser is the role the cluster is made with; New's databases are reached as it.
const Superuser = "postgres"

// PasswordGroup is a group role whose members the cluster asks for their password (SCRAM),
// where it trusts every other role: a test that needs a server asking for a password makes a
// role in it (CREATE ROLE ann LOGIN PASSWORD '...' IN ROLE pgtest_password). Roles are the
// cluster's, shared by the binary's tests: each test names its own.
const PasswordGroup = "pgtest_password"

// cluster is the binary's cluster on a Unix socket, which New starts.
var cluster struct {
	once sync.Once
	c    *server
	err  error
	// missing says the programs are not installed: a skip, not a failure (but in CI).
	missing bool
	mu      sync.Mutex // stops Main's and the signal handler's stop from running twice
	stopped bool
	down    atomic.Bool // Crash stopped it, and Restart has not started it again
	// secure is the binary's second cluster, which NewTLS starts: TLS over TCP (tls.go).
	secure struct {
		once sync.Once
		c    *server
		ca   *authority
		err  error
	}
}

// databases numbers New's databases.
var databases atomic.Int64

// Main runs the tests of m and stops the cluster, if one was started, before it returns the
// exit status for os.Exit.
func Main(m *testing.M) int {
	code := m.Run()
	if err := stop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// New returns the connection URL of a new, empty database of the cluster, reached as
// Superuser over the cluster's Unix socket, and drops the database when the test ends. It
// starts the cluster the first time.
func New(tb testing.TB) string {
	tb.Helper()
	cluster.once.Do(func() {
		cluster.c, cluster.err = start(nil)
	})
	ready(tb, cluster.err)
	return cluster.c.url(cluster.c.database(tb))
}

// ready fails or skips the test when its cluster could not be started.
func ready(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		if cluster.missing && os.Getenv("CI") == "" {
			tb.Skipf("PostgreSQL is not installed (%v): run ./dev deps --test", err)
		}
		tb.Fatalf("PostgreSQL test cluster: %v", err)
	}
}

// database makes a new, empty database, dropped when the test ends, and returns its name.
func (s *server) database(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), databases.Add(1))
	ctx := context.Background()
	if err := s.admin(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		// FORCE ends the connections a test left open (a pool not closed, a process killed).
		if err := s.admin(context.Background(), `DROP DATABASE `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
			tb.Errorf("drop database: %v", err)
		}
	})
	return name
}

// Crash stops the cluster at once, as a power cut or a killed postmaster would (pg_ctl stop -m
// immediate: its processes end without a checkpoint, and the next start recovers from the
// log), for a test of what a client does when its server goes away. Every database of the
// binary goes with it: a test that calls Crash must not run in parallel with other tests of
// its binary (no t.Parallel), and must call Restart before it ends, which Crash makes sure of.
func Crash(tb testing.TB) {
	tb.Helper()
	s := running(tb)
	if out, err := s.run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", filepath.Join(s.dir, "data")); err != nil {
		tb.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
	cluster.down.Store(true)
	tb.Cleanup(func() {
		if cluster.down.Load() {
			Restart(tb)
		}
	})
}

// Restart starts the cluster again after Crash, and waits until it takes connections.
func Restart(tb testing.TB) {
	tb.Helper()
	s := running(tb)
	if out, err := s.run("pg_ctl", "start", "-w", "-t", "60", "-D", filepath.Join(s.dir, "data"), "-l", filepath.Join(s.dir, "log")); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		tb.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	cluster.down.Store(false)
}

// running returns the cluster, which New has started.
func running(tb testing.TB) *server {
	tb.Helper()
	if cluster.c == nil {
		tb.Fatal("pgtest: no cluster: call New first")
	}
	return cluster.c
}

// server is a running cluster: its folder holds the data (data/), the server's log (log) and
// its socket.
type server struct {
	dir, bin string
	port     int
	as       *syscall.Credential // whom initdb and pg_ctl run as; nil: this process's user
	watchdog *exec.Cmd
}

// port is the one the socket is named after; only the socket listens, in a folder of its own,
// so any number does.
const port = 5432

// start makes a cluster, starts it and returns it: on a Unix socket only, or, given the
// authority that signs its certificate, with TLS on 127.0.0.1 too (tls.go).
func start(ca *authority) (s *server, err error) {
	bin, err := findPrograms()
	if err != nil {
		cluster.missing = true
		return nil, err
	}
	as, err := runAs()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(socketTemp(), "bibshelf-pgtest-")
	if err != nil {
		return nil, err
	}
	s = &server{dir: dir, bin: bin, port: port, as: as}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.remove())
		}
	}()
	if as != nil {
		if err := os.Chown(dir, int(as.Uid), int(as.Gid)); err != nil {
			return nil, err
		}
	}
	// The watchdog first: from here on, whatever ends this process ends the cluster too.
	if err := s.startWatchdog(); err != nil {
		return nil, err
	}
	signals.Do(stopOnSignal)
	data := filepath.Join(dir, "data")
	// The C locale: initdb fails on a LANG the system has no locale for, and tests compare
	// bytes, not collations.
	if out, err := s.run("initdb", "-D", data, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	// The members of PasswordGroup give their password; every other role is trusted.
	hba := filepath.Join(data, "pg_hba.conf")
	trusted, err := os.ReadFile(hba)
	if err != nil {
		return nil, err
	}
	first := "local all +" + PasswordGroup + " scram-sha-256\n"
	if ca != nil {
		first += hbaTLS
	}
	if err := os.WriteFile(hba, append([]byte(first), trusted...), 0o600); err != nil {
		return nil, err
	}
	// A throwaway cluster need not survive a crash of the machine: no fsync. It must survive a
	// crash of the server (Crash) with every commit a client was told of, as a real one does:
	// synchronous_commit stays on (without fsync, a commit only writes the log to the system).
	conf := fmt.Sprintf("\nlisten_addresses = ''\nunix_socket_directories = '%s'\nport = %d\nfsync = off\nsynchronous_commit = on\nfull_page_writes = off\n",
		strings.ReplaceAll(dir, "'", "''"), port)
	if err := appendFile(filepath.Join(data, "postgresql.conf"), conf); err != nil {
		return nil, err
	}
	if ca == nil {
		if out, err := s.run("pg_ctl", "start", "-w", "-t", "60", "-D", data, "-l", filepath.Join(dir, "log")); err != nil {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			return nil, fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, log)
		}
	} else if err := s.startTLS(ca); err != nil {
		return nil, err
	}
	if err := s.admin(context.Background(), `CREATE ROLE `+PasswordGroup+` NOLOGIN`); err != nil {
		return nil, fmt.Errorf("create role %s: %w", PasswordGroup, err)
	}
	if ca != nil {
		for _, group := range []string{CertGroup, CertPasswordGroup} {
			if err := s.admin(context.Background(), `CREATE ROLE `+group+` NOLOGIN`); err != nil {
				return nil, fmt.Errorf("create role %s: %w", group, err)
			}
		}
	}
	return s, nil
}

// findPrograms returns the folder of initdb, pg_ctl and postgres: the newest of Debian's
// /usr/lib/postgresql/VERSION/bin, else that of initdb on the PATH.
func findPrograms() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(dir string) int {
		v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
		return v
	}
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, dir := range dirs {
		if isProgram(filepath.Join(dir, "initdb")) && isProgram(filepath.Join(dir, "pg_ctl")) {
			return dir, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no initdb in /usr/lib/postgresql/*/bin or on the PATH")
}

func isProgram(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// socketTemp returns the folder for the cluster's folder: the system's temporary folder, or /tmp
// when that is so deep that the socket's path would pass the 107 bytes a Unix socket's may have.
func socketTemp() string {
	if d := os.TempDir(); len(d) <= 60 {
		return d
	}
	return "/tmp"
}

// run runs one of the server's programs as the cluster's user and returns its output.
func (s *server) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C", "HOME="+s.dir)
	setUser(cmd, s.as)
	return cmd.CombinedOutput()
}

// watchdogScript waits for the process $1 to end, then stops the cluster in $2 (SIGQUIT: at
// once) and removes the folder. Main and the signal handler do both first when they can; this
// is for the ends they do not see.
const watchdogScript = `while kill -0 "$1" 2>/dev/null; do sleep 1; done
pid=$(head -n 1 "$2/data/postmaster.pid" 2>/dev/null) && kill -QUIT "$pid" 2>/dev/null
i=0
while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
rm -rf "$2"`

// startWatchdog starts the watchdog, in a session of its own, so that the Ctrl+C that stops
// the tests does not stop it.
func (s *server) startWatchdog() error {
	s.watchdog = exec.Command("/bin/sh", "-c", watchdogScript, "pgtest-watchdog", strconv.Itoa(os.Getpid()), s.dir)
	s.watchdog.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := s.watchdog.Start(); err != nil {
		return fmt.Errorf("start the watchdog: %w", err)
	}
	return nil
}

// signals makes stopOnSignal run once, for the first cluster started.
var signals sync.Once

// stopOnSignal stops the clusters when the binary is interrupted, then ends the binary as the
// signal would have.
func stopOnSignal() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-ch
		if err := stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		}
		code := 130
		if sig == syscall.SIGTERM {
			code = 143
		}
		os.Exit(code)
	}()
}

// stop stops the clusters that were started, and removes their folders; only the first call
// does.
func stop() error {
	cluster.mu.Lock()
	defer cluster.mu.Unlock()
	if cluster.stopped {
		return nil
	}
	cluster.stopped = true
	var errs []error
	for _, s := range []*server{cluster.c, cluster.secure.c} {
		if s == nil {
			continue
		}
		if out, err := s.run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", filepath.Join(s.dir, "data")); err != nil {
			errs = append(errs, fmt.Errorf("pg_ctl stop: %w\n%s", err, out))
		}
		errs = append(errs, s.remove())
	}
	return errors.Join(errs...)
}

// remove removes the cluster's folder, and ends the watchdog, which has nothing left to do.
func (s *server) remove() error {
	if s.watchdog != nil && s.watchdog.Process != nil {
		_ = s.watchdog.Process.Kill()
		_ = s.watchdog.Wait()
	}
	if err := os.RemoveAll(s.dir); err != nil {
		return fmt.Errorf("remove the cluster: %w", err)
	}
	return nil
}

// url returns the connection URL of the database name.
func (s *server) url(name string) string {
	q := url.Values{"host": {s.dir}, "port": {strconv.Itoa(s.port)}, "user": {Superuser}, "sslmode": {"disable"}}
	return (&url.URL{Scheme: "postgres", Path: "/" + name, RawQuery: q.Encode()}).String()
}

// admin runs a statement in the cluster's postgres database.
func (s *server) admin(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.url("postgres"))
	if err != nil {
		return err
	}
	_, err = conn.Exec(ctx, sql)
	return errors.Join(err, conn.Close(ctx))
}

// runAs returns whom initdb and the server must run as: the postgres user when this process is
// root (they refuse root), nil otherwise.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, the server runs as the postgres user: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user postgres: %w", err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user postgres: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

// setUser makes cmd run as the user as (nil: this process's).
func setUser(cmd *exec.Cmd, as *syscall.Credential) {
	if as != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: as}
	}
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	return errors.Join(err, f.Close())
}

// RenameDatabase puts the database of u, a URL New gave, out of reach: renamed, with its
// connections ended (to == ""); or gives it back its name (to: what the first call returned).
// It returns the name the database has now. The test gives it back before it ends: New drops
// the database by its name.
func RenameDatabase(tb testing.TB, u, to string) string {
	tb.Helper()
	ctx := context.Background()
	p, err := url.Parse(u)
	if err != nil {
		tb.Fatal(err)
	}
	name := strings.TrimPrefix(p.Path, "/")
	from, want := name, name+"_away"
	if to != "" {
		from, want = to, name
	}
	p.Path = "/postgres"
	conn, err := pgx.Connect(ctx, p.String())
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	// A client's new connection may come between the two: try again.
	for i := 0; ; i++ {
		if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, from); err != nil {
			tb.Fatal(err)
		}
		_, err := conn.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, pgx.Identifier{from}.Sanitize(), pgx.Identifier{want}.Sanitize()))
		if err == nil {
			return want
		}
		if i == 20 {
			tb.Fatalf("rename %s: %v", from, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
