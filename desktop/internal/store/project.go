package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
)

// Sync states of a change.
const (
	StatePending  = "pending"  // recorded here, not yet pushed
	StateSent     = "sent"     // pushed, no answer yet
	StateSynced   = "synced"   // central applied it
	StateRejected = "rejected" // central refused it for good; out of the outbox
	StateDeferred = "deferred" // central said retry later; still in the outbox
	StateRemote   = "remote"   // made elsewhere; came from central's feed
)

// Sync states of a case (CaseView.SyncState, CaseRow.SyncState).
const (
	CaseSynced   = "synced"   // nothing of ours waits for central
	CasePending  = "pending"  // changes of ours wait in the outbox
	CaseConflict = "conflict" // a change of ours waiting in the outbox no longer applies to central's newer copy
	CaseRejected = "rejected" // central rejected our latest change and nothing of ours was applied since
)

// unacked is the SQL list of states whose changes are still in the outbox.
const unacked = `('pending', 'sent', 'deferred')`

// localDocExpr selects the document of the local projection (see case_docs):
// NULL when nothing applies, else the local document or, when that is not
// stored, the confirmed copy it equals. It needs cases as c, case_docs as d.
const localDocExpr = `CASE WHEN c.local_version = 0 THEN NULL ELSE COALESCE(d.local_doc, d.confirmed_doc) END`

// noDue is the due_on value of a case without a due date; it sorts last.
const noDue = "9999-12-31"

var warningRank = map[casefile.WarningLevel]int{casefile.Reminder: 1, casefile.Yellow: 2, casefile.Red: 3}

func encodeCase(c *casefile.Case) ([]byte, error) { return json.Marshal(c) }

func decodeCase(b []byte) (*casefile.Case, error) {
	var c casefile.Case
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, bmerr.Newf(bmerr.Internal, "case_doc", "本机保存的办件数据已损坏：%v", "a stored case document is damaged: %v", err)
	}
	return &c, nil
}

// encodeChange is the body stored and later pushed: the protobuf form of ch,
// deterministic so the same change always gives the same bytes.
func encodeChange(ch *casefile.Change) ([]byte, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(wire.ChangeToWire(ch))
	if err != nil {
		return nil, bmerr.Newf(bmerr.Invalid, "change_encode", "变更记录无法保存：%v", "the change cannot be encoded: %v", err)
	}
	return b, nil
}

func decodeChange(body []byte) (*casefile.Change, error) {
	var w syncv1.Change
	if err := proto.Unmarshal(body, &w); err != nil {
		return nil, bmerr.Newf(bmerr.Invalid, "change_decode", "变更记录无法读取：%v", "a change record cannot be decoded: %v", err)
	}
	return wire.ChangeFromWire(&w)
}

// listCols are the cases columns derived from the local projection.
type listCols struct {
	number, matterCode, matterName      string
	applicantName, nameMasked, idMasked string
	state, dueOn, warning               string
	warningRank                         int
	receivedAt, updatedAt, version      int64
}

func colsOf(c *casefile.Case) listCols {
	l := listCols{
		number: c.Number, matterCode: c.Matter.Code, matterName: c.Matter.Name,
		applicantName: c.Applicant.Name,
		state:         string(c.Status.State), dueOn: noDue,
		warning: string(c.TopWarning()), warningRank: warningRank[c.TopWarning()],
		receivedAt: millis(c.ReceivedAt), updatedAt: millis(c.UpdatedAt), version: c.Version,
	}
	if !c.DueOn.IsZero() {
		l.dueOn = c.DueOn.String()
	}
	// A person's name and ID number are personal information: lists show
	// them masked. An organisation's name is public, but the credit code of
	// a sole trader points at a person, so it is masked too.
	if c.Applicant.Kind == casefile.Organisation {
		l.nameMasked, l.idMasked = c.Applicant.Name, ident.MaskCreditCode(c.Applicant.CreditCode)
	} else {
		l.nameMasked, l.idMasked = ident.MaskName(c.Applicant.Name), ident.MaskID(c.Applicant.IDNumber)
	}
	return l
}

// writeLocal stores c as the local projection of case id and returns its rid.
// A projection with nothing applied (version 0: a rejected intake, or one
// that no longer applies) keeps the row and its list columns, so the clerk
// still finds the case, but clears its state and document. When c is the
// confirmed copy itself (sameAsConfirmed), its document is not stored again.
func writeLocal(ctx context.Context, tx querier, id uuid.UUID, c *casefile.Case, syncState string, sameAsConfirmed bool) (int64, error) {
	if c.Version == 0 {
		var rid int64
		err := tx.QueryRowContext(ctx, `UPDATE cases SET state = '', local_version = 0, sync_state = ? WHERE id = ? RETURNING rid`,
			syncState, id.String()).Scan(&rid)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		_, err = tx.ExecContext(ctx, `UPDATE case_docs SET local_doc = NULL WHERE rid = ?`, rid)
		return rid, err
	}
	var doc []byte
	if !sameAsConfirmed {
		var err error
		if doc, err = encodeCase(c); err != nil {
			return 0, err
		}
	}
	l := colsOf(c)
	var rid int64
	err := tx.QueryRowContext(ctx, `INSERT INTO cases (id, number, matter_code, matter_name, applicant_name, name_masked,
			id_masked, state, due_on, warning, warning_rank, sync_state, received_at, updated_at, local_version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET number = excluded.number, matter_code = excluded.matter_code,
			matter_name = excluded.matter_name, applicant_name = excluded.applicant_name,
			name_masked = excluded.name_masked, id_masked = excluded.id_masked, state = excluded.state,
			due_on = excluded.due_on, warning = excluded.warning, warning_rank = excluded.warning_rank,
			sync_state = excluded.sync_state, received_at = excluded.received_at,
			updated_at = excluded.updated_at, local_version = excluded.local_version
		RETURNING rid`,
		id.String(), l.number, l.matterCode, l.matterName, l.applicantName, l.nameMasked, l.idMasked, l.state,
		l.dueOn, l.warning, l.warningRank, syncState, l.receivedAt, l.updatedAt, l.version).Scan(&rid)
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO case_docs (rid, local_doc) VALUES (?, ?)
		ON CONFLICT (rid) DO UPDATE SET local_doc = excluded.local_doc`, rid, doc)
	return rid, err
}

// setConfirmed stores c as central's authoritative copy. Unless force is
// set, a copy older than the one held is ignored: the feed never goes
// backwards, but a slow reply could arrive after a newer one.
func setConfirmed(ctx context.Context, tx querier, c *casefile.Case, force bool) error {
	if c == nil || c.ID == uuid.Nil {
		return bmerr.New(bmerr.Invalid, "case_id", "中心发来的办件缺少编号。", "a case from central has no id.")
	}
	doc, err := encodeCase(c)
	if err != nil {
		return err
	}
	var rid int64
	var held sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT rid, confirmed_version FROM cases WHERE id = ?`, c.ID.String()).Scan(&rid, &held)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		l := colsOf(c)
		err = tx.QueryRowContext(ctx, `INSERT INTO cases (id, number, matter_code, matter_name, applicant_name,
				name_masked, id_masked, state, due_on, warning, warning_rank, received_at, updated_at,
				local_version, confirmed_version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?) RETURNING rid`,
			c.ID.String(), l.number, l.matterCode, l.matterName, l.applicantName, l.nameMasked, l.idMasked,
			l.state, l.dueOn, l.warning, l.warningRank, l.receivedAt, l.updatedAt, c.Version).Scan(&rid)
		if err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if !force && held.Valid && held.Int64 > c.Version {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET confirmed_version = ? WHERE rid = ?`, c.Version, rid); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO case_docs (rid, confirmed_doc) VALUES (?, ?)
		ON CONFLICT (rid) DO UPDATE SET confirmed_doc = excluded.confirmed_doc`, rid, doc)
	return err
}

// reproject rebuilds the local projection of case id: central's confirmed
// copy (or nothing), then the changes central applied after that copy was
// taken (synced or remote with a higher case version, in central's order),
// then the station's changes still in the outbox, in recording order, each
// through casefile.Apply. An outbox change that no longer applies is left
// out of the projection but stays in the outbox for central to judge; it is
// marked with the note "conflict" and the reason Apply gave, which is
// cleared again once it applies.
func reproject(ctx context.Context, tx querier, env casefile.Env, id uuid.UUID, now int64) error {
	var confDoc []byte
	var confVer sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT d.confirmed_doc, c.confirmed_version
		FROM cases c LEFT JOIN case_docs d ON d.rid = c.rid WHERE c.id = ?`, id.String()).Scan(&confDoc, &confVer)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	c := &casefile.Case{}
	if confDoc != nil {
		if c, err = decodeCase(confDoc); err != nil {
			return err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT seq, state, body, note FROM changes
		WHERE case_id = ? AND (state IN `+unacked+` OR (state IN ('synced', 'remote') AND case_version > ?))
		ORDER BY state IN `+unacked+`, case_version, seq`, id.String(), confVer.Int64)
	if err != nil {
		return err
	}
	type outcome struct {
		seq  int64
		note string
		err  error
	}
	var notes []outcome
	applied := 0
	for rows.Next() {
		var seq int64
		var state, note string
		var body []byte
		if err := rows.Scan(&seq, &state, &body, &note); err != nil {
			rows.Close()
			return err
		}
		ch, err := decodeChange(body)
		if err == nil {
			err = casefile.Apply(c, ch, env)
		}
		if err == nil {
			applied++
		}
		if state == StateSynced || state == StateRemote {
			continue // central's log: if it fails here our copy is behind; nothing to mark
		}
		if err != nil {
			notes = append(notes, outcome{seq, "conflict", err})
		} else if note == "conflict" {
			notes = append(notes, outcome{seq, "", nil})
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range notes {
		code, reason, zh, en := explain(n.err)
		if _, err := tx.ExecContext(ctx, `UPDATE changes SET note = ?, code = ?, reason = ?, message_zh = ?, message_en = ?,
			updated_at = ? WHERE seq = ?`, n.note, code, reason, zh, en, now, n.seq); err != nil {
			return err
		}
	}
	st, err := caseSyncState(ctx, tx, id)
	if err != nil {
		return err
	}
	_, err = writeLocal(ctx, tx, id, c, st, confDoc != nil && applied == 0)
	return err
}

// explain splits an error into the columns a change row keeps.
func explain(err error) (code, reason, zh, en string) {
	if err == nil {
		return "", "", "", ""
	}
	if e := bmerr.As(err); e != nil {
		return string(e.Code), e.Reason, e.Zh, e.En
	}
	return string(bmerr.Internal), "", err.Error(), err.Error()
}

// caseSyncState summarises the sync state of a case's changes: conflict or
// pending while anything of ours waits in the outbox; rejected when our
// latest acknowledged change was rejected; synced otherwise.
func caseSyncState(ctx context.Context, tx querier, id uuid.UUID) (string, error) {
	var conflict, waiting, lastRejected, lastSynced int64
	err := tx.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(state IN `+unacked+` AND note = 'conflict'), 0),
			COALESCE(SUM(state IN `+unacked+`), 0),
			COALESCE(MAX(CASE WHEN state = 'rejected' THEN seq END), 0),
			COALESCE(MAX(CASE WHEN state = 'synced' THEN seq END), 0)
		FROM changes WHERE case_id = ?`, id.String()).Scan(&conflict, &waiting, &lastRejected, &lastSynced)
	switch {
	case err != nil:
		return "", err
	case conflict > 0:
		return CaseConflict, nil
	case waiting > 0:
		return CasePending, nil
	case lastRejected > lastSynced:
		return CaseRejected, nil
	}
	return CaseSynced, nil
}
