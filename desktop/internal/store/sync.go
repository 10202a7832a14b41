package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/google/uuid"
)

// OutboxItem is one change waiting for central, ready to push.
type OutboxItem struct {
	Seq         int64 // recording order
	ChangeID    uuid.UUID
	CaseID      uuid.UUID
	Body        []byte   // protobuf bianmin.sync.v1.Change, as recorded
	Attachments []string // SHA-256 of the attachments the change references
	State       string   // pending, sent or deferred
	Attempts    int      // times central deferred it
}

// DefaultOutboxLimit is the batch Outbox returns when asked for limit <= 0:
// the most changes central accepts in one push.
const DefaultOutboxLimit = 1000

// Outbox returns up to limit changes central has not yet acknowledged
// (pending, sent or deferred), oldest first. Rejected changes have left the
// outbox, so one refused change never holds back the ones after it.
func (s *Store) Outbox(ctx context.Context, limit int) ([]OutboxItem, error) {
	if limit <= 0 {
		limit = DefaultOutboxLimit
	}
	var items []OutboxItem
	err := s.read(ctx, func(tx querier) error {
		rows, err := tx.QueryContext(ctx, `SELECT o.seq, c.id, c.case_id, c.body, c.state, o.attempts
			FROM outbox o JOIN changes c ON c.seq = o.seq ORDER BY o.seq LIMIT ?`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it OutboxItem
			var id, caseID string
			if err := rows.Scan(&it.Seq, &id, &caseID, &it.Body, &it.State, &it.Attempts); err != nil {
				return err
			}
			it.ChangeID, it.CaseID = uuid.MustParse(id), uuid.MustParse(caseID)
			items = append(items, it)
		}
		if err := rows.Err(); err != nil || len(items) == 0 {
			return err
		}
		bs, err := tx.QueryContext(ctx, `SELECT seq, sha256 FROM change_blobs WHERE seq BETWEEN ? AND ? ORDER BY seq, sha256`,
			items[0].Seq, items[len(items)-1].Seq)
		if err != nil {
			return err
		}
		defer bs.Close()
		for bs.Next() {
			var seq int64
			var sha string
			if err := bs.Scan(&seq, &sha); err != nil {
				return err
			}
			if i, ok := slices.BinarySearchFunc(items, seq, func(it OutboxItem, seq int64) int { return cmp.Compare(it.Seq, seq) }); ok {
				items[i].Attachments = append(items[i].Attachments, sha)
			}
		}
		return bs.Err()
	})
	return items, err
}

// MarkSent records that the changes were pushed (pending or deferred →
// sent). Ids not in the outbox are ignored.
func (s *Store) MarkSent(ctx context.Context, ids []uuid.UUID) error {
	now := s.now().UnixMilli()
	return s.write(ctx, func(tx querier) error {
		for _, id := range ids {
			var seq int64
			err := tx.QueryRowContext(ctx, `UPDATE changes SET state = 'sent', updated_at = ?
				WHERE id = ? AND state IN `+unacked+` RETURNING seq`, now, id.String()).Scan(&seq)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET last_sent_at = ? WHERE seq = ?`, now, seq); err != nil {
				return err
			}
		}
		return nil
	})
}

// Outcome is how central answered one pushed change.
type Outcome int

const (
	Applied        Outcome = iota + 1 // applied now
	AlreadyApplied                    // seen before; OriginalApplied says how it ended then
	Rejected                          // refused for good
	Deferred                          // not applied yet; push again later
)

// PushResult is central's answer for one change (bianmin.sync.v1.PushResult).
type PushResult struct {
	ChangeID        uuid.UUID
	Outcome         Outcome
	OriginalApplied bool // for AlreadyApplied: the first answer was "applied" (else "rejected")
	Code, Reason    string
	MessageZh       string
	MessageEn       string
	CaseVersion     int64 // the case's version at central after the change
	ServerSeq       int64
}

// ApplyPushResults records central's answers, in one transaction:
//
//   - applied, or already applied and applied then: synced, out of the outbox;
//   - rejected, or already applied and rejected then: rejected with central's
//     code, reason and messages, out of the outbox (quarantined: it never
//     blocks the changes after it), and the case's local projection is
//     rebuilt without it;
//   - deferred: stays in the outbox with its attempts counted and central's
//     reason kept.
//
// Results for unknown changes, and a late "deferred" for a change already
// settled, are ignored.
func (s *Store) ApplyPushResults(ctx context.Context, results []PushResult) error {
	for _, r := range results {
		if r.Outcome < Applied || r.Outcome > Deferred {
			return bmerr.Newf(bmerr.Invalid, "push_outcome", "中心返回了未知的处理结果（%d）。", "central answered an unknown outcome (%d).", r.Outcome)
		}
	}
	env, err := s.env(ctx)
	if err != nil {
		return err
	}
	now := s.now().UnixMilli()
	return s.write(ctx, func(tx querier) error {
		touched := map[uuid.UUID]bool{}
		for _, r := range results {
			var seq int64
			var caseID, state, origin string
			err := tx.QueryRowContext(ctx, `SELECT seq, case_id, state, origin FROM changes WHERE id = ?`, r.ChangeID.String()).
				Scan(&seq, &caseID, &state, &origin)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if origin != "local" {
				continue
			}
			applied := r.Outcome == Applied || (r.Outcome == AlreadyApplied && r.OriginalApplied)
			switch {
			case applied:
				_, err = tx.ExecContext(ctx, `UPDATE changes SET state = 'synced', server_seq = ?, case_version = ?,
					code = '', reason = '', message_zh = '', message_en = '', note = '', updated_at = ? WHERE seq = ?`,
					nullIfZero(r.ServerSeq), nullIfZero(r.CaseVersion), now, seq)
			case r.Outcome == Deferred:
				if state != StatePending && state != StateSent && state != StateDeferred {
					continue
				}
				_, err = tx.ExecContext(ctx, `UPDATE changes SET state = 'deferred', code = ?, reason = ?, message_zh = ?,
					message_en = ?, note = '', updated_at = ? WHERE seq = ?`, r.Code, r.Reason, r.MessageZh, r.MessageEn, now, seq)
				if err == nil {
					_, err = tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?`, seq)
				}
			default: // rejected now or then
				_, err = tx.ExecContext(ctx, `UPDATE changes SET state = 'rejected', server_seq = ?, case_version = NULL,
					code = ?, reason = ?, message_zh = ?, message_en = ?, note = '', updated_at = ? WHERE seq = ?`,
					nullIfZero(r.ServerSeq), r.Code, r.Reason, r.MessageZh, r.MessageEn, now, seq)
			}
			if err != nil {
				return err
			}
			if r.Outcome != Deferred {
				if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = ?`, seq); err != nil {
					return err
				}
			}
			touched[uuid.MustParse(caseID)] = true
		}
		return reprojectAll(ctx, tx, env, touched, now)
	})
}

func reprojectAll(ctx context.Context, tx querier, env casefile.Env, ids map[uuid.UUID]bool, now int64) error {
	sorted := make([]uuid.UUID, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	slices.SortFunc(sorted, func(a, b uuid.UUID) int { return cmp.Compare(a.String(), b.String()) })
	for _, id := range sorted {
		if err := reproject(ctx, tx, env, id, now); err != nil {
			return err
		}
	}
	return nil
}

func nullIfZero(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// PulledChange is one entry of central's feed (bianmin.sync.v1.FeedEntry).
type PulledChange struct {
	Seq         int64  // position in central's log
	Body        []byte // protobuf bianmin.sync.v1.Change
	CaseVersion int64  // the case's version after the change
	AppliedAt   time.Time
}

// ApplyPull stores one page of central's feed, in one transaction. Each
// entry that is one of this station's changes marks it synced (and takes it
// out of the outbox); any other entry is stored as a remote change. Each
// case in cases is central's authoritative copy: it replaces the confirmed
// copy, and the local projection is rebuilt from it with the station's
// still unacknowledged changes re-applied in order (a change that no longer
// applies is left out and noted "conflict", but stays in the outbox: central
// will judge it). The cursor is saved in the same transaction, so a crash
// never skips or repeats a page.
//
// Push results should be applied before pulling. A change whose push reply
// was lost stays "sent"; if central's copy already contains it, it is
// re-applied on top only if Apply still accepts it, until its own feed
// entry or a repeated push settles it.
func (s *Store) ApplyPull(ctx context.Context, entries []PulledChange, cases []*casefile.Case, nextCursor int64) error {
	type decoded struct {
		PulledChange
		ch *casefile.Change
	}
	ds := make([]decoded, len(entries))
	for i, e := range entries {
		ch, err := decodeChange(e.Body)
		if err != nil {
			return err
		}
		ds[i] = decoded{e, ch}
	}
	env, err := s.env(ctx)
	if err != nil {
		return err
	}
	now := s.now().UnixMilli()
	return s.write(ctx, func(tx querier) error {
		touched := map[uuid.UUID]bool{}
		for _, d := range ds {
			if err := storeFeedEntry(ctx, tx, d.PulledChange, d.ch, now); err != nil {
				return err
			}
			touched[d.ch.CaseID] = true
		}
		for _, c := range cases {
			if err := setConfirmed(ctx, tx, c, false); err != nil {
				return err
			}
			touched[c.ID] = true
		}
		if err := reprojectAll(ctx, tx, env, touched, now); err != nil {
			return err
		}
		return setMeta(ctx, tx, "cursor", nextCursor)
	})
}

func storeFeedEntry(ctx context.Context, tx querier, e PulledChange, ch *casefile.Change, now int64) error {
	var seq int64
	var origin string
	err := tx.QueryRowContext(ctx, `SELECT seq, origin FROM changes WHERE id = ?`, ch.ID.String()).Scan(&seq, &origin)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, `INSERT INTO changes (id, case_id, action, actor_user, at, origin, state, body,
				server_seq, case_version, applied_at, recorded_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'remote', 'remote', ?, ?, ?, ?, ?, ?)`,
			ch.ID.String(), ch.CaseID.String(), string(ch.Action), ch.Actor.User, millis(ch.At), e.Body,
			nullIfZero(e.Seq), nullIfZero(e.CaseVersion), millis(e.AppliedAt), now, now)
		return err
	case err != nil:
		return err
	case origin == "local":
		// Ours, and central applied it: whatever we believed before (even a
		// rejection from a confused reply), central's log is the truth.
		if _, err := tx.ExecContext(ctx, `UPDATE changes SET state = 'synced', server_seq = ?, case_version = ?,
				applied_at = ?, code = '', reason = '', message_zh = '', message_en = '', note = '', updated_at = ?
			WHERE seq = ?`, nullIfZero(e.Seq), nullIfZero(e.CaseVersion), millis(e.AppliedAt), now, seq); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = ?`, seq)
		return err
	default:
		_, err = tx.ExecContext(ctx, `UPDATE changes SET server_seq = ?, case_version = ?, applied_at = ?, updated_at = ?
			WHERE seq = ?`, nullIfZero(e.Seq), nullIfZero(e.CaseVersion), millis(e.AppliedAt), now, seq)
		return err
	}
}

// Cursor is the feed position to pull from next (0 before the first pull).
func (s *Store) Cursor(ctx context.Context) (int64, error) {
	var c int64
	err := s.read(ctx, func(tx querier) error {
		var err error
		c, err = metaInt(ctx, tx, "cursor")
		return err
	})
	return c, err
}

// Summary is the sync status bar: how many of the station's changes are in
// each state, and when the station last reached central.
type Summary struct {
	Pending, Sent, Deferred, Rejected int
	Conflicts                         int // outbox changes that no longer apply locally
	LastPush, LastPull                time.Time
	Cursor                            int64
}

// SyncSummary returns the sync status.
func (s *Store) SyncSummary(ctx context.Context) (Summary, error) {
	var sum Summary
	err := s.read(ctx, func(tx querier) error {
		rows, err := tx.QueryContext(ctx, `SELECT state, COUNT(*), COALESCE(SUM(note = 'conflict'), 0) FROM changes
			WHERE state IN ('pending', 'sent', 'deferred', 'rejected') GROUP BY state`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var state string
			var n, conflicts int
			if err := rows.Scan(&state, &n, &conflicts); err != nil {
				return err
			}
			switch state {
			case StatePending:
				sum.Pending = n
			case StateSent:
				sum.Sent = n
			case StateDeferred:
				sum.Deferred = n
			case StateRejected:
				sum.Rejected = n
				conflicts = 0
			}
			sum.Conflicts += conflicts
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var push, pull int64
		if push, err = metaInt(ctx, tx, "last_push"); err != nil {
			return err
		}
		if pull, err = metaInt(ctx, tx, "last_pull"); err != nil {
			return err
		}
		sum.LastPush, sum.LastPull = fromMillis(push), fromMillis(pull)
		sum.Cursor, err = metaInt(ctx, tx, "cursor")
		return err
	})
	return sum, err
}

// SetLastSync records when a push and a pull last succeeded; a zero time
// leaves that one unchanged.
func (s *Store) SetLastSync(ctx context.Context, lastPush, lastPull time.Time) error {
	return s.write(ctx, func(tx querier) error {
		if !lastPush.IsZero() {
			if err := setMeta(ctx, tx, "last_push", lastPush.UnixMilli()); err != nil {
				return err
			}
		}
		if !lastPull.IsZero() {
			return setMeta(ctx, tx, "last_pull", lastPull.UnixMilli())
		}
		return nil
	})
}

func setMeta(ctx context.Context, tx querier, key string, v int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, v)
	return err
}

func metaInt(ctx context.Context, tx querier, key string) (int64, error) {
	var v int64
	err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}
