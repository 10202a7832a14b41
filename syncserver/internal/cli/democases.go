package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/server"
	"github.com/bianmin/bianmin/syncserver/internal/store"
)

// demoCaseStation is the demo station whose sample cases wait at central:
// 石桥镇, where no demo app is enrolled, so the station app started by
// `make demo` (at 青山镇) issues its own case numbers undisturbed.
const demoCaseStation = "XZ02"

// demoCases are the matters of the sample cases and how many working days
// ago each was accepted and forwarded: some fresh, some near their due
// date, some past it, so that every demo department's inbox has work in
// every warning colour once the scanner has run.
var demoCases = []struct {
	matter string
	ago    int
}{
	{"残疾人证核发", 1}, {"残疾人证核发", 8},
	{"残疾人两项补贴", 2}, {"残疾人两项补贴", 12},
	{"高龄津贴", 3}, {"高龄津贴", 18},
	{"城乡居保待遇申领", 2}, {"城乡居保待遇申领", 14},
	{"城乡居保丧葬补助", 25},
	{"农村宅基地和建房审批", 4}, {"农村宅基地和建房审批", 16},
}

// seedDemoCases has the demo station XZ02 take in, accept and forward the
// sample cases, through the same push path as a real station; once only.
func seedDemoCases(ctx context.Context, srv *server.Server, st store.Store, now time.Time) (int, error) {
	have, err := st.PartyVersions(ctx, demoCaseStation)
	if err != nil {
		return 0, err
	}
	if len(have) > 0 {
		return 0, nil
	}
	cur, err := st.CurrentCatalog(ctx)
	if err != nil {
		return 0, err
	}
	cat, err := catalog.Parse(cur.CatalogJSON)
	if err != nil {
		return 0, err
	}
	cal, err := workcal.Parse(cur.CalendarJSON)
	if err != nil {
		return 0, err
	}
	byName := map[string]*catalog.Matter{}
	for i := range cat.Matters {
		byName[cat.Matters[i].Name] = &cat.Matters[i]
	}
	actor := fixture.Actor(demoCaseStation, catalog.Township)
	actor.Name = "石桥镇窗口"
	r := rand.New(rand.NewPCG(2026, 11))
	seq := map[workcal.Date]int{}
	var changes []*casefile.Change
	n := 0
	for _, dc := range demoCases {
		m := byName[dc.matter]
		if m == nil {
			continue // a catalog that replaced the demo's
		}
		n++
		day := cal.AddWorkdays(workcal.DateOf(now), -dc.ago)
		seq[day]++
		at := day.Time().Add(9*time.Hour + time.Duration(seq[day])*17*time.Minute)
		rec := fixture.Receive(r, m, actor, caseflow.FormatNumber(demoCaseStation, day, seq[day]), at)
		var c casefile.Case
		env := casefile.Env{Catalog: cat, Calendar: cal}
		if err := casefile.Apply(&c, rec, env); err != nil {
			return 0, fmt.Errorf("demo case %s: %w", dc.matter, err)
		}
		changes = append(changes, rec)
		for i, a := range []caseflow.Action{caseflow.Accept, caseflow.Forward} {
			ch := fixture.Next(&c, a, actor, at.Add(time.Duration(i+1)*5*time.Minute))
			if err := casefile.Apply(&c, ch, env); err != nil {
				return 0, fmt.Errorf("demo case %s: %s: %w", dc.matter, a, err)
			}
			changes = append(changes, ch)
		}
	}
	if n == 0 {
		return 0, nil
	}
	res, err := srv.PushAs(ctx, demoCaseStation, changes)
	if err != nil {
		return 0, err
	}
	for i, r := range res {
		if r.Outcome != syncv1.PushResult_OUTCOME_APPLIED {
			return 0, bmerr.Newf(bmerr.Internal, "demo_cases", "演示案件未能写入：%s", "a demo case was not applied: %s", fmt.Sprint(changes[i].Action, " ", r.Reason, " ", r.MessageEn))
		}
	}
	return n, nil
}
