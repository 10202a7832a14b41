package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/google/uuid"
)

// Digest summarises the confirmed copies for comparison with central's
// Digest RPC: the hex SHA-256 over the lines "case_id:confirmed_version\n",
// one per case with a confirmed copy, sorted by the case id's 36-character
// lower-case text form; count is the number of lines. Cases central has not
// confirmed yet (an intake still in the outbox) are not part of it. Equal
// digests mean the station holds central's latest version of every case.
func (s *Store) Digest(ctx context.Context) (digest string, count int64, err error) {
	h := sha256.New()
	err = s.read(ctx, func(tx querier) error {
		// id is stored in the same lower-case form, so ORDER BY id (bytewise)
		// is the order the definition asks for.
		rows, err := tx.QueryContext(ctx, `SELECT id, confirmed_version FROM cases
			WHERE confirmed_version IS NOT NULL ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		var line []byte
		for rows.Next() {
			var id string
			var v int64
			if err := rows.Scan(&id, &v); err != nil {
				return err
			}
			line = append(append(append(line[:0], id...), ':'), strconv.FormatInt(v, 10)...)
			h.Write(append(line, '\n'))
			count++
		}
		return rows.Err()
	})
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), count, nil
}

// ReplaceAll stores one page of a full resync (central's Snapshot, after a
// digest mismatch), in one transaction per page. Each case replaces the
// confirmed copy, whatever version was held, and the local projection is
// rebuilt from it with the station's unacknowledged changes on top, as in
// ApplyPull.
//
// The ids of the pages are remembered until the final page. Then every case
// that has a confirmed copy but was in no page is no longer the station's
// (or central lost it): it is deleted, with its list row and documents,
// unless changes of ours for it still wait in the outbox, in which case it
// is kept as it is until central has judged them. Its change history is
// kept. The cursor is saved with the final page only: until then, a pull
// would continue from a position the snapshot does not yet reflect.
//
// A resync interrupted before its final page leaves its remembered ids; the
// next resync then deletes no case that either snapshot contained, which
// errs on the side of keeping data.
func (s *Store) ReplaceAll(ctx context.Context, cases []*casefile.Case, cursor int64, final bool) error {
	env, err := s.env(ctx)
	if err != nil {
		return err
	}
	now := s.now().UnixMilli()
	return s.write(ctx, func(tx querier) error {
		touched := map[uuid.UUID]bool{}
		for _, c := range cases {
			if err := setConfirmed(ctx, tx, c, true); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO resync_seen (id) VALUES (?)`, c.ID.String()); err != nil {
				return err
			}
			touched[c.ID] = true
		}
		if err := reprojectAll(ctx, tx, env, touched, now); err != nil {
			return err
		}
		if !final {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cases WHERE confirmed_version IS NOT NULL
			AND id NOT IN (SELECT id FROM resync_seen)
			AND NOT EXISTS (SELECT 1 FROM changes ch JOIN outbox o ON o.seq = ch.seq WHERE ch.case_id = cases.id)`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM resync_seen`); err != nil {
			return err
		}
		return setMeta(ctx, tx, "cursor", cursor)
	})
}
