package syncclient

import (
	"context"
	"slices"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/desktop/internal/store"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// push sends the outbox, oldest first, until it is empty or no batch makes
// progress (everything left is deferred by central). Attachments a batch
// refers to are uploaded before the batch. A batch is marked "sent" before
// the call and acknowledged only from central's answer, so a crash or a lost
// reply at any point just sends it again, and central answers the original
// outcome.
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
		items, err := c.st.Outbox(ctx, c.cfg.BatchSize)
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
		req := &syncv1.PushRequest{ClientTime: timestamppb.New(c.now()), CalendarDigest: cal.Digest()}
		for _, it := range items {
			w := &syncv1.Change{}
			if err := proto.Unmarshal(it.Body, w); err != nil {
				return err
			}
			req.Changes = append(req.Changes, w)
		}
		if err := c.st.MarkSent(ctx, ids); err != nil {
			return err
		}
		resp, err := c.sync.Push(ctx, connect.NewRequest(req))
		if err != nil {
			return err
		}
		results := make([]store.PushResult, 0, len(resp.Msg.Results))
		done := 0
		for _, r := range resp.Msg.Results {
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
		skew := time.Duration(resp.Msg.ClockSkewSeconds) * time.Second
		c.update(func(s *Status) { s.ItemsDone += done; s.ClockSkew = skew })
		if len(items) < c.cfg.BatchSize && done == len(items) {
			return nil
		}
	}
}
