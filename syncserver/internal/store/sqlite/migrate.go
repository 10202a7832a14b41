package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/syncserver/internal/store"
)

// goMigrations are the schema steps written in Go; migrate runs them in
// version order with the embedded files.
var goMigrations = []migration{
	{version: 2, name: "0002_case_docs_protobuf", run: caseDocsProtobuf},
	// 0003_central.sql creates case_departments; this fills it from the
	// documents of the cases already stored (see department.go).
	{version: 4, name: "0004_case_departments", run: caseDepartments},
}

// caseDocsProtobuf rewrites every case document from JSON to
// store.EncodeCase's protobuf, and keeps each distinct matter snapshot once
// (matter_snapshots, see matter.go): cases.doc is the document without its
// snapshot, cases.snapshot the snapshot's row. doc becomes a BLOB, and a
// STRICT table's column types are fixed, so the table is rebuilt.
//
// changes is rebuilt too, without AUTOINCREMENT, which costs a write to
// sqlite_sequence per insert: a change's row is never deleted once
// committed (only by the transaction that inserted it, see SaveApplied), so
// the next rowid, max(seq)+1, never hands out a seq anyone has seen.
func caseDocsProtobuf(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `
		CREATE TABLE matter_snapshots (
			id     INTEGER PRIMARY KEY,
			sha256 BLOB NOT NULL UNIQUE, -- of doc
			doc    BLOB NOT NULL         -- the protobuf MatterSnapshot
		) STRICT;
		CREATE TABLE cases_v2 (
			id               TEXT PRIMARY KEY,
			number           TEXT NOT NULL,
			origin_station   TEXT NOT NULL,
			handling_station TEXT NOT NULL,
			matter           TEXT NOT NULL,
			state            TEXT NOT NULL,
			version          INTEGER NOT NULL,
			updated_at       INTEGER NOT NULL,
			snapshot         INTEGER NOT NULL, -- matter_snapshots.id
			doc              BLOB NOT NULL     -- the case without its snapshot
		) STRICT;`); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, number, origin_station, handling_station, matter, state, version, updated_at, doc FROM cases ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	insCase, err := tx.PrepareContext(ctx, `INSERT INTO cases_v2 (id, number, origin_station, handling_station, matter, state, version, updated_at, snapshot, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insCase.Close()
	insMatter, err := tx.PrepareContext(ctx, qInsMatter)
	if err != nil {
		return err
	}
	defer insMatter.Close()
	snaps := map[string]int64{}
	for rows.Next() {
		var id, number, origin, handling, matter, state string
		var version, updated int64
		var js []byte
		if err := rows.Scan(&id, &number, &origin, &handling, &matter, &state, &version, &updated, &js); err != nil {
			return err
		}
		var c casefile.Case
		if err := json.Unmarshal(js, &c); err != nil {
			return fmt.Errorf("case %s: %w", id, err)
		}
		doc, err := store.EncodeCase(&c)
		if err != nil {
			return fmt.Errorf("case %s: %w", id, err)
		}
		d, err := store.SplitCase(doc)
		if err != nil {
			return fmt.Errorf("case %s: %w", id, err)
		}
		snap, ok := snaps[string(d.Matter)]
		if !ok {
			sum := sha256.Sum256(d.Matter)
			res, err := insMatter.ExecContext(ctx, sum[:], d.Matter)
			if err != nil {
				return fmt.Errorf("case %s: %w", id, err)
			}
			if snap, err = res.LastInsertId(); err != nil {
				return err
			}
			snaps[string(d.Matter)] = snap
		}
		if _, err := insCase.ExecContext(ctx, id, number, origin, handling, matter, state, version, updated, snap, d.Rest); err != nil {
			return fmt.Errorf("case %s: %w", id, err)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE cases;
		ALTER TABLE cases_v2 RENAME TO cases;
		CREATE INDEX cases_origin ON cases (origin_station, id);
		CREATE INDEX cases_handling ON cases (handling_station, id) WHERE handling_station <> origin_station;

		CREATE TABLE changes_v2 (
			seq              INTEGER PRIMARY KEY,
			id               TEXT NOT NULL UNIQUE,
			case_id          TEXT NOT NULL,
			origin_station   TEXT NOT NULL,
			handling_station TEXT NOT NULL,
			station          TEXT NOT NULL,
			case_version     INTEGER NOT NULL,
			applied_at       INTEGER NOT NULL,
			received_at      INTEGER NOT NULL,
			body             BLOB NOT NULL
		) STRICT;
		INSERT INTO changes_v2 SELECT seq, id, case_id, origin_station, handling_station, station, case_version, applied_at, received_at, body FROM changes ORDER BY seq;
		DROP TABLE changes;
		ALTER TABLE changes_v2 RENAME TO changes;
		CREATE INDEX changes_origin ON changes (origin_station, seq);
		CREATE INDEX changes_handling ON changes (handling_station, seq) WHERE handling_station <> origin_station;
		CREATE INDEX changes_case ON changes (case_id, seq);`)
	return err
}
