package syncclient

import (
	"context"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/casefile"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/wire"
	"google.golang.org/protobuf/proto"
	"time"
)

// pull fetches the station's feed from its cursor until central has nothing
// more, storing each page (entries, authoritative case copies and the new
// cursor) in one local transaction, so a crash mid-pull resumes from the last
// stored page. wait > 0 long-polls the first request.
func (c *Client) pull(ctx context.Context, wait time.Duration) (int, error) {
	n := 0
	for {
		cursor, err := c.st.Cursor(ctx)
		if err != nil {
			return n, err
		}
		resp, err := c.sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{Cursor: cursor, Limit: 1000, WaitMs: wait.Milliseconds()}))
		if err != nil {
			return n, err
		}
		wait = 0
		m := resp.Msg
		if len(m.Entries) > 0 {
			c.update(func(s *Status) { s.Phase = "pull"; s.ItemsTotal += len(m.Entries) })
			if err := c.storePage(ctx, m.Entries, m.Cases, m.NextCursor); err != nil {
				return n, err
			}
			n += len(m.Entries)
			c.update(func(s *Status) { s.ItemsDone += len(m.Entries) })
		}
		if err := c.refreshCatalog(ctx, int(m.CatalogVersion)); err != nil {
			return n, err
		}
		if !m.More {
			return n, nil
		}
	}
}

func (c *Client) storePage(ctx context.Context, entries []*syncv1.FeedEntry, wcases []*syncv1.Case, next int64) error {
	pulled := make([]store.PulledChange, 0, len(entries))
	for _, e := range entries {
		body, err := proto.Marshal(e.Change)
		if err != nil {
			return err
		}
		pulled = append(pulled, store.PulledChange{Seq: e.Seq, Body: body, CaseVersion: e.CaseVersion, AppliedAt: e.AppliedAt.AsTime()})
	}
	cases := make([]*casefile.Case, 0, len(wcases))
	ids := make([]string, 0, len(wcases))
	for _, w := range wcases {
		cs, err := wire.CaseFromWire(w)
		if err != nil {
			return err
		}
		cases = append(cases, cs)
		ids = append(ids, cs.ID.String())
	}
	if err := c.st.ApplyPull(ctx, pulled, cases, next); err != nil {
		return err
	}
	if c.cfg.OnData != nil && len(ids) > 0 {
		c.cfg.OnData(ids)
	}
	return nil
}

// refreshCatalog fetches the catalog when central has a newer version.
func (c *Client) refreshCatalog(ctx context.Context, latest int) error {
	_, _, have, err := c.st.Catalog(ctx)
	if err != nil && latest == 0 {
		return nil
	}
	if err == nil && have >= latest {
		return nil
	}
	resp, err := c.cat.GetCatalog(ctx, connect.NewRequest(&syncv1.GetCatalogRequest{KnownVersion: int32(have)}))
	if err != nil {
		return err
	}
	if !resp.Msg.Changed {
		return nil
	}
	c.log.Info("catalog updated", "version", resp.Msg.Version)
	return c.st.SaveCatalog(ctx, int(resp.Msg.Version), resp.Msg.CatalogJson, resp.Msg.CalendarJson)
}

// reconcile compares a digest of (case id, version) with central's. If
// central's feed has moved on it pulls first; if the digests still differ it
// resyncs every case from a snapshot.
func (c *Client) reconcile(ctx context.Context) error {
	for range 3 {
		cursor, err := c.st.Cursor(ctx)
		if err != nil {
			return err
		}
		local, _, err := c.st.Digest(ctx)
		if err != nil {
			return err
		}
		resp, err := c.sync.Digest(ctx, connect.NewRequest(&syncv1.DigestRequest{Cursor: cursor}))
		if err != nil {
			return err
		}
		if resp.Msg.Behind {
			if _, err := c.pull(ctx, 0); err != nil {
				return err
			}
			continue
		}
		if resp.Msg.Digest == local {
			return nil
		}
		c.log.Warn("digest mismatch: full resync", "local", local, "central", resp.Msg.Digest, "central_cases", resp.Msg.CaseCount)
		return c.Resync(ctx)
	}
	return nil
}

// Resync replaces every confirmed case copy with central's, page by page,
// then pulls what changed meanwhile. Local changes not yet acknowledged are
// kept and re-applied on top.
func (c *Client) Resync(ctx context.Context) error {
	c.update(func(s *Status) { s.Phase = "resync"; s.Resyncs++ })
	token := ""
	for {
		resp, err := c.sync.Snapshot(ctx, connect.NewRequest(&syncv1.SnapshotRequest{PageToken: token, PageSize: 500}))
		if err != nil {
			return err
		}
		cases := make([]*casefile.Case, 0, len(resp.Msg.Cases))
		for _, w := range resp.Msg.Cases {
			cs, err := wire.CaseFromWire(w)
			if err != nil {
				return err
			}
			cases = append(cases, cs)
		}
		final := resp.Msg.NextPageToken == ""
		if err := c.st.ReplaceAll(ctx, cases, resp.Msg.Cursor, final); err != nil {
			return err
		}
		if final {
			break
		}
		token = resp.Msg.NextPageToken
	}
	_, err := c.pull(ctx, 0)
	return err
}
