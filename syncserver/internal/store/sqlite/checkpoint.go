package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
)

// Checkpoints. In WAL mode a commit appends pages to the WAL, and a
// checkpoint copies them back into the database file and syncs it. By
// default SQLite checkpoints inside the COMMIT that takes the WAL past 1000
// pages, so one push in every few waits for the copy and two fsyncs. Here a
// goroutine does it instead, on a connection of its own: a PASSIVE
// checkpoint runs alongside writers and readers, and once it has copied the
// whole WAL the next transaction writes it over from the start.
//
// The checkpointer runs when this Store's commits have written
// checkpointPages pages since its last run, and within checkpointInterval of
// any write. Under a steady stream of pushes, though, a commit may land
// while it copies, so that the WAL is never all copied at the start of a
// transaction and grows on. For that the write connection keeps SQLite's own
// checkpoint in COMMIT, at backstop times checkpointPages of WAL: by then
// the checkpointer has copied nearly all of it, so that checkpoint has
// little left to do, and the WAL starts over after it. Close runs a
// TRUNCATE checkpoint; journal_size_limit cuts a WAL grown by one huge
// transaction back when it starts over.
//
// Several processes sharing the file each checkpoint after their own
// writes; SQLite runs one checkpoint at a time (a PASSIVE one that finds
// another running returns at once), and correctness never depends on who
// checkpoints or when.
const (
	checkpointPages    = 1000
	checkpointInterval = time.Second
	backstop           = 4
	// closeTimeout bounds how long Close waits for other connections
	// (another process's) to let the TRUNCATE checkpoint through.
	closeTimeout = time.Second
)

type checkpointer struct {
	db        *sql.DB // one connection, for checkpoints only
	threshold int64
	pages     atomic.Int64 // written to the WAL by this Store since the last run
	kick      chan struct{}
	stop      chan struct{}
	stopped   sync.WaitGroup
	closed    sync.Once
	closeErr  error
	runs      atomic.Int64 // checkpoints done, for tests
}

func startCheckpointer(db *sql.DB, pages int) *checkpointer {
	c := &checkpointer{db: db, threshold: int64(pages), kick: make(chan struct{}, 1), stop: make(chan struct{})}
	c.stopped.Add(1)
	go c.loop()
	return c
}

// wrote records that a commit on conn wrote its pages to the WAL, waking the
// checkpointer once enough have been.
func (c *checkpointer) wrote(conn *sql.Conn) {
	n := 0
	err := conn.Raw(func(dc any) error {
		if st, ok := dc.(sqlite.DBStatus); ok {
			var err error
			n, _, err = st.Status(sqlite.DBStatusCacheWrite, true)
			return err
		}
		return nil
	})
	if err != nil || n <= 0 {
		n = 1 // unknown: at least let the next tick run
	}
	if c.pages.Add(int64(n)) >= c.threshold {
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
}

func (c *checkpointer) loop() {
	defer c.stopped.Done()
	tick := time.NewTicker(checkpointInterval)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		case <-tick.C:
			if c.pages.Load() == 0 {
				continue
			}
		}
		c.checkpoint()
	}
}

// checkpoint runs a PASSIVE checkpoint. What it could not copy (a reader
// still needed it) counts toward the next run.
func (c *checkpointer) checkpoint() {
	written := c.pages.Swap(0)
	var busy, log, done int
	err := c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done)
	c.runs.Add(1)
	switch {
	case err != nil:
		c.pages.Add(max(written, 1))
	case log > done:
		c.pages.Add(int64(log - done))
	}
}

// close stops the checkpointer and truncates the WAL, as far as other
// processes using the file let it.
func (c *checkpointer) close() error {
	c.closed.Do(func() {
		close(c.stop)
		c.stopped.Wait()
		ctx := context.Background()
		if _, err := c.db.ExecContext(ctx, "PRAGMA busy_timeout = "+strconv.FormatInt(closeTimeout.Milliseconds(), 10)); err == nil {
			var busy, log, done int
			_ = c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &log, &done)
		}
		c.closeErr = c.db.Close()
	})
	return c.closeErr
}
