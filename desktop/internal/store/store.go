// Package store is a station's local database: one SQLite file that holds
// everything the desktop app needs to work for days without central.
//
// What it keeps:
//
//   - the device's enrolment (Identity) and the newest catalog and calendar
//     central published (SaveCatalog, Catalog);
//   - every case the station is party to, twice: central's authoritative
//     copy (the confirmed copy) and the local projection, which is the
//     confirmed copy with the station's unacknowledged changes re-applied on
//     top by casefile.Apply, the same function central runs;
//   - every change record: the station's own, with their sync state (pending,
//     sent, synced, rejected, deferred), and central's feed (remote);
//   - the outbox: the station's changes central has not yet acknowledged, in
//     recording order;
//   - scans (attachments), content-addressed, with how far each upload got;
//   - the per-day case-number sequence, the pull cursor and sync times.
//
// Every operation that changes more than one of these runs in one
// transaction on a single write connection: a clerk's action is recorded with
// its case, change and outbox entry together or not at all, and a crash at
// any moment leaves the file consistent. Reads use a separate pool and see a
// consistent snapshot (WAL), so the case list stays responsive while a sync
// writes.
//
// Personal data (PIPL): full resident ID numbers, phone numbers and
// addresses are only inside the case documents, the change bodies and the
// scans; no column or index holds them, and lists carry masked names and ID
// numbers only. The applicant's full name is kept in cases.applicant_name
// and in the search index, so that a clerk can find a case by name. The file
// is not encrypted: disk encryption (BitLocker) or an encrypting SQLite
// build is what protects a stolen disk; see the package's design notes in
// the project report.
//
// The Store is safe for concurrent use.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/workcal"
	"modernc.org/sqlite"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// busyTimeout is how long a statement waits for a lock another process (a
// backup tool, a second copy of the app) holds before failing.
const busyTimeout = 5000 // milliseconds

// readers is the size of the read pool: the UI's list, a detail view and the
// sync client's reads at the same time.
const readers = 4

// Store is the station's local database. Open it once per process.
type Store struct {
	w   *sql.DB // exactly one connection: writes are serialised in Go, never by SQLITE_BUSY
	r   *sql.DB // read pool
	now func() time.Time

	mu      sync.RWMutex // guards the parsed catalog below
	loaded  bool
	cat     *catalog.Catalog
	cal     *workcal.Calendar
	version int
}

// Open opens (creating if needed) the store at path and brings its schema up
// to date. The path is a plain file name; "?" is not allowed in it because
// the driver reads connection options after it.
func Open(path string) (*Store, error) {
	if path == "" || strings.Contains(path, "?") {
		return nil, bmerr.Newf(bmerr.Invalid, "store_path",
			"本机数据库路径“%s”无效。", "the local database path %q is not valid.", path)
	}
	// Pragmas in this order: busy_timeout first, so that switching to WAL
	// waits for a lock rather than failing; WAL so readers never block the
	// writer; synchronous=NORMAL, which in WAL mode cannot corrupt the file
	// and loses at most the last transactions on power loss (not on a crash
	// of the app); foreign keys, which SQLite leaves off by default.
	common := []string{
		"busy_timeout = " + strconv.Itoa(busyTimeout),
		"journal_mode = WAL",
		"synchronous = NORMAL",
		"foreign_keys = ON",
	}
	w, err := openDB(path+"?_txlock=immediate", append(slices.Clone(common),
		// Statement journals (every statement that fires a trigger has one)
		// and the pages of a large sync transaction stay in memory instead
		// of spilling to temporary files and the WAL before the commit.
		"temp_store = MEMORY",
		"cache_size = -32768",
		// A large sync transaction grows the WAL; give the disk back after
		// the checkpoint instead of keeping the file at its largest size.
		"journal_size_limit = 67108864",
	))
	if err != nil {
		return nil, err
	}
	// One write connection: SQLite allows one writer at a time anyway, and a
	// single connection makes every BEGIN IMMEDIATE wait its turn in Go
	// instead of failing with "database is locked".
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &Store{w: w, now: time.Now}
	ctx := context.Background()
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, dbErr(err)
	}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	r, err := openDB(path, append(slices.Clone(common),
		"cache_size = -65536", // 64 MiB per reader, allocated as used: the list table and indexes of 200,000 cases fit
		"temp_store = MEMORY",
		"query_only = ON", // a read connection can never write, whatever a bug asks
	))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxIdleTime(0)
	s.r = r
	return s, nil
}

// Close closes the database. Everything committed is already on disk; Close
// only checkpoints the WAL and releases the file.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

func openDB(dsn string, pragmas []string) (*sql.DB, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, dbErr(err)
	}
	return sql.OpenDB(pragmaConnector{Connector: base, pragmas: pragmas}), nil
}

// pragmaConnector runs the pragmas on every new connection, in the order
// given. (The driver's own _pragma list sorts its entries, which would put
// foreign_keys before journal_mode.)
type pragmaConnector struct {
	driver.Connector
	pragmas []string
}

func (c pragmaConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	ex, ok := conn.(driver.ExecerContext)
	if !ok {
		conn.Close()
		return nil, errors.New("store: the sqlite driver cannot execute statements directly")
	}
	for _, p := range c.pragmas {
		if _, err := ex.ExecContext(ctx, "PRAGMA "+p, nil); err != nil {
			conn.Close()
			return nil, fmt.Errorf("PRAGMA %s: %w", p, err)
		}
	}
	return conn, nil
}

// migration is one embedded schema file, "NNNN_name.sql".
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
	var out []migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("store: migration %s is not named NNNN_name.sql", base)
		}
		body, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, sql: string(body)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("store: two migrations numbered %d", out[i].version)
		}
	}
	return out, nil
}

// migrate applies the migrations the file lacks, in order, in one
// transaction: the schema is either wholly at the program's version or
// unchanged. A file written by a newer program is refused rather than
// misread.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx querier) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at INTEGER NOT NULL
		) STRICT`); err != nil {
			return err
		}
		var have int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
			return err
		}
		if len(ms) > 0 && have > ms[len(ms)-1].version {
			return bmerr.Newf(bmerr.FailedPrecondition, "store_too_new",
				"本机数据库由更新版本的程序创建（结构版本 %d），请升级本程序。",
				"the local database was written by a newer version of the program (schema %d); upgrade this program.", have)
		}
		for _, m := range ms {
			if m.version <= have {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("store: migration %s: %w", m.name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, s.now().UnixMilli()); err != nil {
				return err
			}
		}
		return nil
	})
}

// write runs fn in a transaction on the write connection (BEGIN IMMEDIATE)
// and commits it if fn returns nil. fn's error is returned unchanged; a
// failure of the database itself becomes a bmerr.
func (s *Store) write(ctx context.Context, fn func(tx querier) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(err)
	}
	if err := fn(&writeTx{Tx: tx}); err != nil {
		tx.Rollback()
		return dbErr(err)
	}
	return dbErr(tx.Commit())
}

// read runs fn in a read transaction, so that everything it reads comes
// from one snapshot of the file.
func (s *Store) read(ctx context.Context, fn func(tx querier) error) error {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(err)
	}
	defer tx.Rollback()
	return dbErr(fn(tx))
}

// querier is what the helpers run statements on: a read transaction or a
// writeTx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// writeTx is a write transaction that prepares each distinct statement once
// and reuses it for the rest of the transaction. A sync page re-projects
// hundreds of cases with the same dozen statements; parsing them again for
// each case took a third of the time.
type writeTx struct {
	*sql.Tx
	stmts map[string]*sql.Stmt
}

func (t *writeTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.Tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = st // closed by database/sql when the transaction ends
	return st, nil
}

func (t *writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (t *writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if _, err := t.stmt(ctx, query); err != nil {
		return t.Tx.QueryRowContext(ctx, query, args...) // reports the same error through the Row
	}
	return t.stmts[query].QueryRowContext(ctx, args...)
}

// SQLite primary result codes the store reacts to.
const (
	sqliteBusy   = 5
	sqliteLocked = 6
	sqliteFull   = 13
)

// dbErr turns a failure of the database into a bmerr a clerk can read.
// Domain errors, context cancellation and sql.ErrNoRows (which callers turn
// into their own NotFound) pass through unchanged.
func dbErr(err error) error {
	if err == nil || bmerr.As(err) != nil || errors.Is(err, sql.ErrNoRows) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqliteBusy, sqliteLocked:
			return bmerr.New(bmerr.Unavailable, "store_busy",
				"本机数据库正被其他程序占用，请稍后再试。", "the local database is in use by another program; try again shortly.")
		case sqliteFull:
			return bmerr.New(bmerr.ResourceExhausted, "disk_full",
				"磁盘空间已满，无法保存。请清理磁盘后重试。", "the disk is full, so nothing can be saved; free some space and try again.")
		}
	}
	return bmerr.Newf(bmerr.Internal, "store_failed",
		"本机数据库读写失败，请联系技术支持：%v", "the local database failed: %v", err)
}

func notFound(reason, zh, en string, args ...any) error {
	return bmerr.Newf(bmerr.NotFound, reason, zh, en, args...)
}

// millis and fromMillis store instants as Unix milliseconds; the zero time
// is stored as 0 and read back as the zero time.
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
