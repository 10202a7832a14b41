package desk

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	"github.com/bianmin/bianmin/shared/workcal"
)

// SeedDemo takes in n realistic applications at the session's station, as
// a clerk would have over the last weeks (most accepted, some closed on the
// spot, some given a one-time notice), so that a demo station has cases to
// look at. It is for `make demo` and the screenshots, never for a real
// station: the applicants are invented.
func SeedDemo(ctx context.Context, s *Session, n int, seed uint64) error {
	cat, _, _, err := s.Store.Catalog(ctx)
	if err != nil {
		return err
	}
	var matters []*catalog.Matter
	for i := range cat.Matters {
		if cat.Matters[i].CanAccept(s.Identity.Level) {
			matters = append(matters, &cat.Matters[i])
		}
	}
	if len(matters) == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, 42))
	real := s.Now
	defer func() { s.Now = real }()
	end := s.now()
	day := workcal.DateOf(end).AddDays(-3 * n / 2)
	for i := range n {
		// Working hours on the days before today, oldest first.
		day = day.AddDays(1 + rng.IntN(2))
		if !day.Before(workcal.DateOf(end)) {
			day = workcal.DateOf(end)
		}
		at := day.Time().Add(8*time.Hour + 30*time.Minute + time.Duration(rng.IntN(8*3600))*time.Second)
		if at.After(end) {
			at = end.Add(-time.Duration(n-i) * time.Minute)
		}
		s.Now = func() time.Time { return at }
		m := matters[rng.IntN(len(matters))]
		d := NewDraft(m)
		d.Applicant = fixture.Person(rng)
		d.Mode = casefile.ServiceModes()[rng.IntN(3)]
		for _, mat := range m.Materials {
			d.Receive(mat.Code, true)
		}
		outcome := OutcomeAccept
		switch r := rng.IntN(10); {
		case r < 2:
			// One or two materials missing: a one-time notice.
			for _, mat := range m.Materials[:1+rng.IntN(min(2, len(m.Materials)))] {
				d.Receive(mat.Code, false)
			}
			outcome = OutcomeOneTime
		case r < 5 && m.IsOnTheSpot() && m.CanDecide(s.Identity.Level):
			outcome = OutcomeOnTheSpot
		}
		if len(d.Missing()) > 0 {
			outcome = OutcomeOneTime
		}
		if _, err := s.Submit(ctx, d, outcome, IntakeInput{Items: d.MissingItems()}); err != nil {
			return err
		}
	}
	return nil
}
