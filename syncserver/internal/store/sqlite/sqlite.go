// Package sqlite implements store.Store on an embedded SQLite database
// (modernc.org/sqlite, pure Go), for a central that runs on one machine.
//
// Every write goes through one connection in a BEGIN IMMEDIATE transaction;
// reads use a separate pool of query-only connections that, in WAL mode, never
// wait for the writer. Several server processes may open the same file: the
// immediate transactions make them queue for SQLite's write lock instead of
// deadlocking on a read-to-write lock upgrade.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// busyTimeout is how long a connection waits for another's lock before
// SQLite reports SQLITE_BUSY. Long pushes hold the write lock for tens of
// milliseconds, so this is generous; beginWrite retries beyond it.
const busyTimeout = 10 * time.Second

// pragmas run on every connection, in this order. busy_timeout comes first so
// that the others, which may need a lock (journal_mode does, on a new file),
// wait for it rather than fail.
//
// page_size only matters on a new, empty file, and so must precede
// journal_mode (a WAL database keeps its page size); elsewhere it is a no-op.
// 16 KiB rather than 4: SQLite writes each WAL frame with its own system
// calls, and a push of 1000 cases dirties a few thousand 4 KiB pages; with
// 16 KiB pages it writes and checkpoints a quarter as many frames (measured:
// about 15% more cases/s), and attachment chunks take a quarter as many
// overflow pages. The cost is larger frames for tiny transactions.
var pragmas = []string{
	"busy_timeout = " + strconv.Itoa(int(busyTimeout/time.Millisecond)),
	"page_size = 16384",
	"journal_mode = WAL",
	"synchronous = NORMAL",
	"foreign_keys = ON",
}

// writePragmas tune the write connection only.
var writePragmas = []string{
	// KiB. A push touches thousands of index pages; with SQLite's default
	// 2 MB they are evicted and read back within the same transaction.
	"cache_size = -65536",
	// Bytes. After one huge transaction the WAL file is cut back to this
	// size when it starts over.
	"journal_size_limit = 67108864",
	// wal_autocheckpoint is set by Open: see checkpoint.go.
}

// Store is central's store on one SQLite file.
type Store struct {
	w  *sql.DB // exactly one connection: all writes, serialized
	r  *sql.DB // read pool
	wq stmts   // statements prepared on w
	rq stmts   // statements prepared on r

	matters matterCache // committed matter snapshots
	encMu   sync.Mutex
	enc     store.Encoder // for SaveApplied, under encMu
	ckpt    *checkpointer

	// Now is the clock; tests may replace it before first use.
	Now func() time.Time
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path and brings its
// schema up to date.
func Open(path string) (*Store, error) {
	return open(path, checkpointPages)
}

// open opens the store with a checkpointer that runs every ckptPages.
func open(path string, ckptPages int) (*Store, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		// The write and read pools are separate connections, so they must
		// meet in a file.
		return nil, fmt.Errorf("sqlite: open %q: a database file path is required", path)
	}
	uri := fileURI(path)
	w, err := openDB(uri+"?_txlock=immediate", append(slices.Concat(pragmas, writePragmas),
		"wal_autocheckpoint = "+strconv.Itoa(backstop*ckptPages)))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	ctx := context.Background()
	if err := checkWAL(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	if err := migrate(ctx, w, time.Now(), 0); err != nil {
		w.Close()
		return nil, err
	}

	// query_only comes last: it would refuse the journal_mode pragma on a
	// file another process is still creating.
	r, err := openDB(uri, append(slices.Clone(pragmas), "query_only = ON"))
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)

	c, err := openDB(uri, pragmas)
	if err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	c.SetMaxOpenConns(1)
	c.SetMaxIdleConns(1)
	c.SetConnMaxLifetime(0)
	c.SetConnMaxIdleTime(0)

	s := &Store{w: w, r: r, ckpt: startCheckpointer(c, ckptPages), Now: time.Now}
	s.wq.db, s.rq.db = w, r
	for _, q := range writeQueries() {
		if _, err := s.wq.get(ctx, q); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.wq.close()
	s.rq.close()
	err := errors.Join(s.r.Close(), s.w.Close())
	return errors.Join(err, s.ckpt.close())
}

func (s *Store) now() time.Time { return s.Now() }

// fileURI turns a file path into an SQLite URI, escaping the characters a
// URI gives meaning to, so that the driver's own "?_txlock" parameter can
// follow it.
func fileURI(p string) string {
	slashed := filepath.ToSlash(p)
	if filepath.VolumeName(p) != "" {
		slashed = "/" + slashed // file:/C:/dir/central.db
	}
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + r.Replace(slashed)
}

// openDB opens a pool whose connections run pragmas, in order, when made.
func openDB(dsn string, pragmas []string) (*sql.DB, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return sql.OpenDB(pragmaConnector{base, pragmas}), nil
}

// pragmaConnector runs its pragmas on each new connection. (The driver's own
// _pragma DSN parameters are applied in lexicographic order, not ours.) It
// hands back the driver's connection itself, so none of its optional
// interfaces are hidden from database/sql.
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
		return nil, errors.New("sqlite: driver connection cannot execute statements")
	}
	for _, p := range c.pragmas {
		if _, err := ex.ExecContext(ctx, "PRAGMA "+p, nil); err != nil {
			conn.Close()
			return nil, fmt.Errorf("sqlite: PRAGMA %s: %w", p, err)
		}
	}
	return conn, nil
}

// checkWAL fails if the file could not be put in WAL mode (a network file
// system, say): without it readers block the writer and the read pool is moot.
func checkWAL(ctx context.Context, db *sql.DB) error {
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("sqlite: journal mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("sqlite: journal mode is %q, not WAL", mode)
	}
	return nil
}

// migration is one step of the schema: an embedded file,
// migrations/NNNN_name.sql, or a step written in Go (goMigrations), for
// one that must rewrite rows SQL cannot.
type migration struct {
	version int
	name    string
	sql     string
	run     func(ctx context.Context, tx *sql.Tx) error
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
			return nil, fmt.Errorf("sqlite: migration %s: name must be NNNN_name.sql", base)
		}
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(base, ".sql"), sql: string(b)})
	}
	ms = append(ms, goMigrations...)
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("sqlite: migrations %s and %s share a version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// migrate applies the migrations the database lacks, in order, in one
// immediate transaction, so that two processes opening a new file at once
// apply them once.
// upTo, if positive, stops at that version (for tests of a migration).
func migrate(ctx context.Context, db *sql.DB, now time.Time, upTo int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if upTo > 0 {
		ms = slices.DeleteFunc(ms, func(m migration) bool { return m.version > upTo })
	}
	tx, err := beginWrite(ctx, db)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if latest := ms[len(ms)-1].version; have > latest {
		return fmt.Errorf("sqlite: the database's schema version %d is newer than this program's %d", have, latest)
	}
	for _, m := range ms {
		if m.version <= have {
			continue
		}
		if m.sql != "" {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
			}
		}
		if m.run != nil {
			if err := m.run(ctx, tx); err != nil {
				return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, now.UnixNano()); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
		}
	}
	return tx.Commit()
}

// beginWrite starts an immediate transaction on the write pool. SQLite's
// busy handler already waits busyTimeout for the write lock; a few retries
// on top cover a peer process holding it for longer (a big catalog import).
// Only BEGIN is retried: once a transaction holds the write lock, nothing in
// it can meet SQLITE_BUSY, so no caller's work is ever run twice.
func beginWrite(ctx context.Context, db interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}) (*sql.Tx, error) {
	const attempts = 4
	for i := 1; ; i++ {
		tx, err := db.BeginTx(ctx, nil)
		if err == nil || !isBusy(err) || i == attempts {
			return tx, err
		}
		t := time.NewTimer(time.Duration(i) * 50 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// begin takes the write connection and starts an immediate transaction on
// it. The caller rolls back or commits tx, tells the checkpointer of a
// commit (s.ckpt.wrote), and closes conn.
func (s *Store) begin(ctx context.Context) (*sql.Conn, *sql.Tx, error) {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: begin: %w", err)
	}
	tx, err := beginWrite(ctx, conn)
	if err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("sqlite: begin: %w", err)
	}
	return conn, tx, nil
}

// write runs fn in an immediate transaction and commits it if fn succeeds.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	conn, tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	s.ckpt.wrote(conn)
	return nil
}

func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

func isBusy(err error) bool {
	c := sqliteCode(err) & 0xff
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// isDuplicate reports a UNIQUE or PRIMARY KEY violation.
func isDuplicate(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// stmts caches prepared statements of one pool by query text. (Never call
// get on the write pool while a transaction holds its one connection.)
// database/sql
// prepares each again, lazily, on every connection of the pool it is used on,
// and Tx.StmtContext reuses the one prepared on the transaction's connection.
type stmts struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (c *stmts) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sqlite: prepare: %w", err)
	}
	if c.m == nil {
		c.m = make(map[string]*sql.Stmt)
	}
	c.m[query] = st
	return st, nil
}

// cached returns query's statement if it has been prepared, else nil.
func (c *stmts) cached(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

func (c *stmts) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// inChunk is the most ids one IN (...) list carries.
const inChunk = 500

// inSizes are the lengths of IN lists that get a prepared statement; a list
// is padded (with its first id, which changes nothing) up to the next size,
// so a handful of statements serves every batch.
var inSizes = [...]int{1, 2, 4, 8, 16, 32, 64, 128, 256, inChunk}

func inSize(n int) int {
	for _, s := range inSizes {
		if n <= s {
			return s
		}
	}
	return inChunk
}

var (
	inQueryMu sync.Mutex
	inQueries = map[[2]any]string{}
)

// inQuery expands each "(?*)" in tmpl to a list of n parameters. They are
// anonymous: the driver looks up the name of every numbered parameter it
// binds, which for a list of 500 is a quadratic scan.
func inQuery(tmpl string, n int) string {
	key := [2]any{tmpl, n}
	inQueryMu.Lock()
	defer inQueryMu.Unlock()
	if q, ok := inQueries[key]; ok {
		return q
	}
	list := "(?" + strings.Repeat(",?", n-1) + ")"
	q := strings.ReplaceAll(tmpl, "(?*)", list)
	inQueries[key] = q
	return q
}

// inArgs fills args (reused between chunks) with keys padded to size, once
// for each IN list of tmpl.
func inArgs(args []any, tmpl string, keys []string, size int) []any {
	args = args[:0]
	for range strings.Count(tmpl, "(?*)") {
		for _, k := range keys {
			args = append(args, k)
		}
		for range size - len(keys) {
			args = append(args, keys[0])
		}
	}
	return args
}

// nanos stores t; the zero time is NULL.
func nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func timeOf(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

func timeAt(n int64) time.Time { return time.Unix(0, n).UTC() }

func invalid(reason, zh, en string, args ...any) error {
	return bmerr.Newf(bmerr.Invalid, reason, zh, en, args...)
}
