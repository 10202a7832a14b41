package sqlite

import (
	"context"
	"time"
)

// Pragmas are the pragmas of the store's write connection, for the
// benchmark that measures the plain-INSERT ceiling on the same settings.
var Pragmas = append(append([]string(nil), pragmas...), writePragmas...)

// Migrations is the number of schema migrations a new file gets.
func Migrations() int {
	ms, err := migrations()
	if err != nil {
		panic(err)
	}
	return len(ms)
}

// CreateAt makes a database file at path with the schema of the given
// version, as an older program would have left it.
func CreateAt(path string, version int) error {
	db, err := openDB(fileURI(path)+"?_txlock=immediate", Pragmas)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return migrate(context.Background(), db, time.Now(), version)
}

// CheckpointRuns is how many checkpoints s's checkpointer has run.
func CheckpointRuns(s *Store) int64 { return s.ckpt.runs.Load() }

// OpenCheckpointing opens a store whose checkpointer runs every pages.
func OpenCheckpointing(path string, pages int) (*Store, error) { return open(path, pages) }

// Backstop is how many times the checkpointer's pages SQLite lets the WAL
// grow before checkpointing in COMMIT.
const Backstop = backstop

// Queries whose plans the tests check.
const (
	QOpenCases       = qOpenCases
	QDepartmentCases = qDepartmentCases
)

// QueryPlan returns the details of EXPLAIN QUERY PLAN of query on s's read
// pool, one line each.
func QueryPlan(s *Store, query string, args ...any) ([]string, error) {
	rows, err := s.r.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		out = append(out, detail)
	}
	return out, rows.Err()
}
