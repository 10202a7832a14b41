package syncclient

import (
	"context"
	"slices"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/store"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// streamBatches is how many batches one round of push sends. A round of
// more than one batch goes in one PushStream call, so that a long outbox
// keeps the link busy instead of idling a round trip between batches, and
// central decodes the next batch while it writes this one.
const streamBatches = syncapi.StreamBatches

// push sends the outbox, oldest first, a round of up to streamBatches
// batches at a time, until it is empty or a round makes no progress
// (everything left is deferred by central). Attachments a round refers to
// are uploaded before it. A round is marked "sent" before the call and
// acknowledged only from central's answer, so a crash or a lost reply at any
// point just sends it again, and central answers the original outcome.
func (c *Client) push(ctx context.Context) error {
	sum, err := c.st.SyncSummary(ctx)
	if err != nil {
		return err
	}
	total := sum.Pending + sum.Sent + sum.Deferred
	if total == 0 {
		return nil
	}
	c.update(func(s *Status) { s.ItemsTotal += total })
	_, cal, _, err := c.st.Catalog(ctx)
	if err != nil {
		return err
	}
	var lastTried []uuid.UUID
	for {
		items, err := c.st.Outbox(ctx, c.cfg.BatchSize*streamBatches)
		if err != nil || len(items) == 0 {
			return err
		}
		ids := make([]uuid.UUID, len(items))
		for i, it := range items {
			ids[i] = it.ChangeID
		}
		if slices.Equal(ids, lastTried) {
			return nil // all deferred: nothing more to do until central has the attachments
		}
		lastTried = ids
		if err := c.uploadFor(ctx, items); err != nil {
			return err
		}
		c.update(func(s *Status) { s.Phase = "push" })
		var reqs []*syncv1.PushRequest
		sentAt, digest := timestamppb.New(c.now()), cal.Digest()
		for batch := range slices.Chunk(items, c.cfg.BatchSize) {
			req := &syncv1.PushRequest{ClientTime: sentAt, CalendarDigest: digest}
			for _, it := range batch {
				w := &syncv1.Change{}
				if err := proto.Unmarshal(it.Body, w); err != nil {
					return err
				}
				req.Changes = append(req.Changes, w)
			}
			reqs = append(reqs, req)
		}
		if err := c.st.MarkSent(ctx, ids); err != nil {
			return err
		}
		resp, err := syncapi.SendRound(ctx, c.sync, reqs)
		if err != nil {
			return err
		}
		results := make([]store.PushResult, 0, len(resp.Results))
		done := 0
		for _, r := range resp.Results {
			id, err := uuid.Parse(r.ChangeId)
			if err != nil {
				continue
			}
			pr := store.PushResult{ChangeID: id, Code: r.Code, Reason: r.Reason, MessageZh: r.MessageZh, MessageEn: r.MessageEn,
				CaseVersion: r.CaseVersion, ServerSeq: r.ServerSeq}
			switch r.Outcome {
			case syncv1.PushResult_OUTCOME_APPLIED:
				pr.Outcome = store.Applied
			case syncv1.PushResult_OUTCOME_ALREADY_APPLIED:
				pr.Outcome = store.AlreadyApplied
				pr.OriginalApplied = r.OriginalOutcome == syncv1.PushResult_OUTCOME_APPLIED
			case syncv1.PushResult_OUTCOME_REJECTED:
				pr.Outcome = store.Rejected
				c.log.Warn("change rejected by central", "change", r.ChangeId, "reason", r.Reason, "message", r.MessageEn)
			default:
				pr.Outcome = store.Deferred
			}
			if pr.Outcome != store.Deferred {
				done++
			}
			results = append(results, pr)
		}
		if err := c.st.ApplyPushResults(ctx, results); err != nil {
			return err
		}
		skew := time.Duration(resp.ClockSkewSeconds) * time.Second
		c.update(func(s *Status) { s.ItemsDone += done; s.ClockSkew = skew })
		if len(items) < c.cfg.BatchSize*streamBatches && done == len(items) {
			return nil
		}
	}
}
