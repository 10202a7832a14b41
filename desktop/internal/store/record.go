package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"slices"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
)

// Record applies a clerk's action to the local copy of its case and keeps
// it for central, all in one transaction: it loads the case's local
// projection (a zero Case for a receive), runs casefile.Apply with the
// stored catalog and calendar, and on success writes the new projection, the
// change (state pending, body = protobuf of wire.ChangeToWire, the bytes the
// push sends) and its outbox entry. If Apply refuses the change, its error is
// returned unchanged and nothing is written. Record sets ch.BaseVersion to
// the local version the change was applied to.
//
// scans are attachment contents that the change references (by SHA-256, in
// its materials): they are stored in the same transaction as the change, so
// a scan and the change that needs it are committed together. Every
// attachment the change references must be among scans or already stored
// (PutBlob); otherwise nothing is written.
//
// Record returns the new local projection of the case, a copy the caller
// may keep.
func (s *Store) Record(ctx context.Context, ch *casefile.Change, scans ...[]byte) (*casefile.Case, error) {
	if ch == nil {
		return nil, bmerr.New(bmerr.Invalid, "change_missing", "没有要保存的变更记录。", "there is no change to record.")
	}
	env, err := s.env(ctx)
	if err != nil {
		return nil, err
	}
	var doc []byte
	err = s.write(ctx, func(tx querier) error {
		var dup int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM changes WHERE id = ?`, ch.ID.String()).Scan(&dup); err != nil {
			return err
		}
		if dup > 0 {
			return bmerr.Newf(bmerr.Conflict, "change_duplicate", "变更记录 %s 已经保存过。", "change %s has already been recorded.", ch.ID)
		}
		c, err := localCase(ctx, tx, ch.CaseID.String())
		if err != nil {
			return err
		}
		ch.BaseVersion = c.Version
		if err := casefile.Apply(c, ch, env); err != nil {
			return err
		}
		refs := attachmentsOf(ch)
		if err := s.putScans(ctx, tx, refs, scans); err != nil {
			return err
		}
		if err := requireBlobs(ctx, tx, refs); err != nil {
			return err
		}
		body, err := encodeChange(ch)
		if err != nil {
			return err
		}
		now := s.now().UnixMilli()
		var seq int64
		err = tx.QueryRowContext(ctx, `INSERT INTO changes (id, case_id, action, actor_user, at, origin, state, body,
				recorded_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'local', 'pending', ?, ?, ?) RETURNING seq`,
			ch.ID.String(), ch.CaseID.String(), string(ch.Action), ch.Actor.User, millis(ch.At), body, now, now).Scan(&seq)
		if err != nil {
			return err
		}
		for _, a := range refs {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO change_blobs (seq, sha256) VALUES (?, ?)`, seq, a.SHA256); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (seq) VALUES (?)`, seq); err != nil {
			return err
		}
		st, err := caseSyncState(ctx, tx, ch.CaseID)
		if err != nil {
			return err
		}
		if _, err := writeLocal(ctx, tx, ch.CaseID, c, st, false); err != nil {
			return err
		}
		doc, err = encodeCase(c)
		return err
	})
	if err != nil {
		return nil, err
	}
	// A fresh copy: the projection shares slices with the cached catalog.
	return decodeCase(doc)
}

// localCase loads the local projection of a case, or a zero Case when there
// is none (a new case, or an intake that was rejected).
func localCase(ctx context.Context, tx querier, id string) (*casefile.Case, error) {
	var doc []byte
	err := tx.QueryRowContext(ctx, `SELECT `+localDocExpr+` FROM cases c JOIN case_docs d ON d.rid = c.rid WHERE c.id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && doc == nil) {
		return &casefile.Case{}, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeCase(doc)
}

// attachmentsOf lists the attachments a change references, once each, in
// the order they appear.
func attachmentsOf(ch *casefile.Change) []casefile.Attachment {
	var out []casefile.Attachment
	add := func(recs []casefile.MaterialRecord) {
		for _, r := range recs {
			for _, a := range r.Attachments {
				if !slices.ContainsFunc(out, func(b casefile.Attachment) bool { return b.SHA256 == a.SHA256 }) {
					out = append(out, a)
				}
			}
		}
	}
	if ch.Intake != nil {
		add(ch.Intake.Materials)
	}
	add(ch.Materials)
	return out
}

// putScans stores the scans handed to Record. Each must be one of the
// change's attachments, with the size the attachment declares.
func (s *Store) putScans(ctx context.Context, tx querier, refs []casefile.Attachment, scans [][]byte) error {
	for _, data := range scans {
		sum := sha256.Sum256(data)
		sha := hex.EncodeToString(sum[:])
		i := slices.IndexFunc(refs, func(a casefile.Attachment) bool { return a.SHA256 == sha })
		if i < 0 {
			return bmerr.New(bmerr.Invalid, "scan_unreferenced",
				"有一份扫描件没有登记在任何材料下。", "a scan was handed in that no material of the change refers to.")
		}
		if refs[i].Size != int64(len(data)) {
			return bmerr.Newf(bmerr.Invalid, "scan_size",
				"扫描件“%s”的大小与登记的不符。", "the size of scan %q does not match the attachment.", refs[i].Name)
		}
		if err := checkBlobSize(len(data)); err != nil {
			return err
		}
		if err := insertBlob(ctx, tx, sha, data, refs[i].Name, refs[i].MIME, s.now().UnixMilli()); err != nil {
			return err
		}
	}
	return nil
}

// requireBlobs fails unless every attachment is stored: a change whose scan
// is missing could never be uploaded, and central would defer it forever.
func requireBlobs(ctx context.Context, tx querier, refs []casefile.Attachment) error {
	for _, a := range refs {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM blobs WHERE sha256 = ?`, a.SHA256).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return bmerr.Newf(bmerr.FailedPrecondition, "attachment_missing",
				"附件“%s”尚未保存到本机，请重新扫描。", "attachment %q is not stored on this computer; scan it again.", a.Name)
		}
	}
	return nil
}
