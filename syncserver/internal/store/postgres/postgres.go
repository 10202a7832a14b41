// Package postgres implements store.Store on PostgreSQL (pgx, pgxpool), for a
// region that outgrows one machine: several server processes share one
// database, and reads scale with it.
//
// # One writer at a time, readers never wait
//
// A station pulls the log after the last seq it has seen, so a seq must
// never become visible after a higher one has: commits must happen in seq
// order. A sequence does not give that (it hands out values in the order
// transactions ask, and a push that drew 7 can commit after one that drew
// 8, which a station may have pulled already). So every Update, and every
// other write that appends to the log or to the audit trail, begins by
// taking one transaction-scoped advisory lock, the writer lock, and holds
// it until its transaction ends, after the commit is visible. Under it the
// writer numbers its changes on from the last seq committed (see
// tx.nextSeq) and appends to the audit trail after its last entry. The next
// writer gets the lock only after that commit, and reads the log from a
// statement that starts later: a reader that sees a seq has seen every
// lower one, so a feed cursor never skips an entry, and the audit trail is
// one unbroken chain whichever process appends.
//
// This is the single-writer model of the SQLite store (BEGIN IMMEDIATE on
// one write connection), held across processes by the database instead of
// a file lock. Reads take no lock: each query runs on its own MVCC snapshot
// and never waits for a writer; and a process's Updates queue in Go before
// they take a connection, so that writers waiting for the lock never hold
// the pool's connections the readers need. Writes that touch neither the log nor the
// trail (stations, enrollment, devices, users, sessions, attachments, the
// catalog) do not take the writer lock; each locks just the rows it decides
// on (SELECT … FOR UPDATE, or the table for a catalog), so they run
// alongside pushes. Since the lock serialises pushes, the store spends as
// few round trips as it can while holding it: see tx for how a push's saves
// are sent in batches.
//
// Updates run at READ COMMITTED, which matters: each statement sees every
// transaction committed before it started, so the statements after the lock
// see the writer before. (At REPEATABLE READ the snapshot would be the lock
// statement's, taken before the wait.)
//
// The lock's key is a constant class and the hash of the schema the tables
// live in (current_schema()), so two deployments in different schemas of
// one database do not queue behind each other; an operator can take the
// same lock in psql to hold writers off:
//
//	SELECT pg_advisory_xact_lock(1651141998, hashtext(current_schema()));
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// The advisory locks the store takes: a class (the ASCII of "bjmn" and
// "bjmm") and the hash of the schema (see the package doc).
const (
	qLockWriter  = `SELECT pg_advisory_xact_lock(1651141998, hashtext(current_schema()))`
	qLockMigrate = `SELECT pg_advisory_xact_lock(1651141997, hashtext(current_schema()))`
)

// Store is central's store on a PostgreSQL database.
type Store struct {
	pool   *pgxpool.Pool
	writer chan struct{} // one Update of this process at a time (see Update)

	matters matterCache // committed matter snapshots
	encMu   sync.Mutex
	enc     store.Encoder // for SaveApplied, under encMu

	// Now is the clock; tests may replace it before first use.
	Now func() time.Time
}

var _ store.Store = (*Store)(nil)

// Open connects to the database named by dsn (a postgres:// URL or a
// keyword/value string; pool_max_conns and search_path may be given in it)
// and brings its schema up to date. The tables live in the first schema of
// the search path, which must exist.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := migrate(ctx, pool, time.Now(), 0); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool, writer: make(chan struct{}, 1), Now: time.Now}, nil
}

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

func (s *Store) now() time.Time { return s.Now() }

// migration is one embedded file, migrations/NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("postgres: migration %s: name must be NNNN_name.sql", base)
		}
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(base, ".sql"), sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("postgres: migrations %s and %s share a version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// migrate applies the migrations the schema lacks, in order, in one
// transaction that first takes the migration lock: two servers starting at
// once on a new database queue, and the second finds the work done.
// PostgreSQL's DDL is transactional, so a failed step leaves nothing behind.
// upTo, if positive, stops at that version (for tests of a migration).
func migrate(ctx context.Context, pool *pgxpool.Pool, now time.Time, upTo int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if upTo > 0 {
		ms = slices.DeleteFunc(ms, func(m migration) bool { return m.version > upTo })
	}
	return inTx(ctx, pool, func(tx pgx.Tx) error {
		// hashtext(NULL) is NULL, and the lock function ignores a NULL key
		// without taking any lock: refuse a search path with no schema.
		var schema *string
		if err := tx.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		if schema == nil {
			return errors.New("postgres: no schema of the search_path exists; create it first")
		}
		if _, err := tx.Exec(ctx, qLockMigrate); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at bigint NOT NULL
		)`); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		var have int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		if latest := ms[len(ms)-1].version; have > latest {
			return fmt.Errorf("postgres: the database's schema version %d is newer than this program's %d", have, latest)
		}
		for _, m := range ms {
			if m.version <= have {
				continue
			}
			// No arguments: pgx sends the file as one simple query, which
			// may hold many statements.
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("postgres: migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, now.UnixNano()); err != nil {
				return fmt.Errorf("postgres: migration %s: %w", m.name, err)
			}
		}
		return nil
	})
}

// beginner starts transactions: the pool, or a connection.
type beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// inTx runs fn in a READ COMMITTED transaction and commits it if fn
// succeeds.
func inTx(ctx context.Context, db beginner, fn func(pgx.Tx) error) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	// Roll back even if ctx has ended, so the connection goes back clean.
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// write runs fn in a transaction of its own (without the writer lock: see
// the package doc for which writes need it).
func (s *Store) write(ctx context.Context, fn func(pgx.Tx) error) error {
	return inTx(ctx, s.pool, fn)
}

// SQLSTATEs the store tells apart.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

func sqlState(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// isDuplicate reports a UNIQUE or PRIMARY KEY violation.
func isDuplicate(err error) bool { return sqlState(err) == uniqueViolation }

// nanos stores t; the zero time is NULL.
func nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// timeOf reads a nullable time column.
func timeOf(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return timeAt(*n)
}

func timeAt(n int64) time.Time { return time.Unix(0, n).UTC() }

func invalid(reason, zh, en string, args ...any) error {
	return bmerr.Newf(bmerr.Invalid, reason, zh, en, args...)
}

func pageLimit(limit int) error {
	if limit <= 0 {
		return invalid("page_limit", "每页条数必须大于零。", "The page size must be positive.")
	}
	return nil
}
