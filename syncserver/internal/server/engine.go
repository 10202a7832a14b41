package server

import (
	"fmt"
	"time"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
)

// Scheduler is the actor of central's own changes: follow-ups of the
// workflow and supervision warnings.
var Scheduler = casefile.Actor{User: "scheduler", Name: "电子监察与流程引擎", Role: caseflow.System, Level: catalog.Central}

// systemSpace names the deterministic ids of central's own changes.
var systemSpace = uuid.MustParse("6f3b2a4e-5d1c-4b7a-9e2f-0c8d1a7b3e55")

// SystemChangeID derives the id of a change central makes because of
// something else (a follow-up of change trigger, a warning on a case) from
// what caused it, so that doing it twice — a retried transaction, or two
// server processes scanning the same database — yields the same id, which
// the log records once.
func SystemChangeID(parts ...string) uuid.UUID {
	name := ""
	for _, p := range parts {
		name += p + "\x00"
	}
	return uuid.NewSHA1(systemSpace, []byte(name))
}

// followUps applies, in the caller's transaction, what the workflow does by
// itself after a change to c: open a parallel stage, close it by its rule,
// decide the case when the last stage resolves. c is updated in place; the
// audit lines of the changes made are returned.
func (s *Server) followUps(tx store.Tx, c *casefile.Case, trigger uuid.UUID, env *catalogEnv, now time.Time) ([]audit.ChangeLine, error) {
	var lines []audit.ChangeLine
	for i := 0; ; i++ {
		fus := c.FollowUps()
		if len(fus) == 0 {
			return lines, nil
		}
		if i == 8 {
			return nil, fmt.Errorf("engine: case %s: follow-ups do not settle", c.ID)
		}
		fu := fus[0]
		ch := &casefile.Change{
			ID: SystemChangeID(trigger.String(), string(fu.Action), fmt.Sprint(i)), CaseID: c.ID,
			Action: fu.Action, Actor: Scheduler, At: now, BaseVersion: c.Version, Decision: fu.Decision,
		}
		line, err := s.applySystem(tx, c, ch, env, now)
		if err != nil {
			return nil, fmt.Errorf("engine: case %s: %s: %w", c.ID, fu.Action, err)
		}
		if line != nil {
			lines = append(lines, *line)
		}
	}
}

// applySystem applies and records one of central's own changes on c (updated
// in place) and returns its audit line. A change whose id is already
// recorded is skipped (nil line).
func (s *Server) applySystem(tx store.Tx, c *casefile.Case, ch *casefile.Change, env *catalogEnv, now time.Time) (*audit.ChangeLine, error) {
	seen, err := tx.Outcomes([]uuid.UUID{ch.ID})
	if err != nil {
		return nil, err
	}
	if _, ok := seen[ch.ID]; ok {
		return nil, nil
	}
	next := *c
	if err := casefile.Apply(&next, ch, casefile.Env{Catalog: env.catalog, Calendar: env.calendar}); err != nil {
		return nil, err
	}
	body, err := proto.Marshal(wire.ChangeToWire(ch))
	if err != nil {
		return nil, err
	}
	if _, err := tx.SaveApplied(&next, store.Applied{Change: ch, Body: body, ReceivedAt: now}); err != nil {
		return nil, err
	}
	*c = next
	return changeLine(ch, body), nil
}

func changeLine(ch *casefile.Change, body []byte) *audit.ChangeLine {
	return &audit.ChangeLine{ChangeID: ch.ID.String(), CaseID: ch.CaseID.String(), Action: string(ch.Action), BodySHA256: audit.BodyHash(body)}
}
