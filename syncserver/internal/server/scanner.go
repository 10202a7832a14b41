package server

import (
	"context"
	"time"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/supervise"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
)

// ScanWarnings raises, as of central's clock, every supervision warning the
// rules call for that a case does not carry yet. Each warning is a change
// by the scheduler whose id is derived from the case, level and scope, so
// it is raised once however often the scan runs, and however many server
// processes scan the same database at once. It returns how many it raised.
func (s *Server) ScanWarnings(ctx context.Context) (int, error) {
	env, err := s.Env(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	today := workcal.DateOf(now)
	raised := 0
	after := uuid.Nil
	for {
		cases, err := s.store.OpenCases(ctx, after, 500)
		if err != nil {
			return raised, err
		}
		if len(cases) == 0 {
			return raised, nil
		}
		after = cases[len(cases)-1].ID
		var due []*casefile.Case
		for _, c := range cases {
			if len(supervise.Missing(c, env.calendar, today, s.rules)) > 0 {
				due = append(due, c)
			}
		}
		if len(due) == 0 {
			continue
		}
		var touched []string
		err = s.store.Update(ctx, func(tx store.Tx) error {
			touched = touched[:0]
			ids := make([]uuid.UUID, len(due))
			for i, c := range due {
				ids[i] = c.ID
			}
			fresh, err := tx.LoadCases(ids) // the copies as of this transaction
			if err != nil {
				return err
			}
			var lines []audit.ChangeLine
			for _, id := range ids {
				c := fresh[id]
				if c == nil {
					continue
				}
				for _, w := range supervise.Missing(c, env.calendar, today, s.rules) {
					ch := &casefile.Change{
						ID: SystemChangeID("warn", c.ID.String(), string(w.Level), w.Scope), CaseID: c.ID,
						Action: caseflow.Warn, Actor: Scheduler, At: now, BaseVersion: c.Version, Warning: &w,
					}
					line, err := s.applySystem(tx, c, ch, env, now)
					if err != nil {
						return err
					}
					if line != nil {
						raised++
						lines = append(lines, *line)
						touched = append(touched, c.Parties()...)
					}
				}
			}
			if len(lines) == 0 {
				return nil
			}
			return tx.Audit(audit.Entry{At: now, Actor: Scheduler.User, Kind: audit.Changes, Subject: "supervision scan", Detail: audit.ChangeDetail(lines)})
		})
		if err != nil {
			return raised, err
		}
		s.notify.notify(touched...)
	}
}

// RunScanner scans every interval until ctx ends.
func (s *Server) RunScanner(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.ScanWarnings(ctx); err != nil {
			s.log.Error("supervision scan failed", "err", err)
		} else if n > 0 {
			s.log.Info("supervision warnings raised", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
