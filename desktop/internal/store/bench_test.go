package store_test

import (
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

// BenchmarkRecordIntake measures one intake: Apply, the case, the change and
// its outbox entry in one transaction, committed.
func BenchmarkRecordIntake(b *testing.B) {
	s, _ := openStore(b)
	id := residentID(b, "110105", workcal.D(1960, 3, 1), 11)
	mats := materials(b, pension)
	seq := 0
	for b.Loop() {
		seq++
		ch := &casefile.Change{
			ID: uuid.Must(uuid.NewV7()), CaseID: caseflow.NewCaseID(), Action: caseflow.Receive, Actor: clerk, At: t0,
			Intake: &casefile.Intake{
				Number: caseflow.FormatNumber(station, day0, seq), Matter: pension, Mode: casefile.WalkIn,
				Applicant: casefile.Applicant{Kind: casefile.Person, Name: "张三", IDNumber: id},
				Materials: mats,
			},
		}
		if _, err := s.Record(ctx, ch); err != nil {
			b.Fatal(err)
		}
	}
}

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	given    = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红梅建国建华志强永海春燕晓东文辉国庆小龙德明")
	regions  = []string{"110105", "350102", "350103", "350121", "440305", "330106", "510107", "420111"}
)

// synthCases builds n confirmed cases of station T01 spread over two years,
// in the states, warnings and matters a busy township has.
func synthCases(b testing.TB, n int) ([]*casefile.Case, []string) {
	b.Helper()
	cat, cal := catalog.Demo(), workcal.Builtin()
	env := casefile.Env{Catalog: cat, Calendar: cal}
	var templates []*casefile.Case
	for _, m := range cat.Matters {
		ch := &casefile.Change{
			ID: uuid.Must(uuid.NewV7()), CaseID: uuid.Must(uuid.NewV7()), Action: caseflow.Receive, Actor: clerk, At: t0,
			Intake: &casefile.Intake{
				Number: caseflow.FormatNumber(station, day0, 1), Matter: m.Code, Mode: casefile.WalkIn,
				Applicant: casefile.Applicant{Name: "模板", IDNumber: residentID(b, "110105", workcal.D(1960, 3, 1), 11)},
				Materials: materials(b, m.Code),
			},
		}
		c := &casefile.Case{}
		if casefile.Apply(c, ch, env) == nil {
			templates = append(templates, c)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	states := []caseflow.State{caseflow.Received, caseflow.Accepted, caseflow.Accepted, caseflow.UnderReview,
		caseflow.Closed, caseflow.Closed, caseflow.Closed, caseflow.SupplementPending}
	start := workcal.D(2025, time.January, 2)
	perDay := map[workcal.Date]int{}
	out := make([]*casefile.Case, n)
	ids := make([]string, n)
	for i := range out {
		c := *templates[rng.IntN(len(templates))]
		day := start.AddDays(rng.IntN(700))
		perDay[day]++
		c.ID = uuid.Must(uuid.NewV7())
		c.Number = caseflow.FormatNumber(station, day, perDay[day])
		name := string(surnames[rng.IntN(len(surnames))]) + string(given[rng.IntN(len(given))])
		if rng.IntN(2) == 0 {
			name += string(given[rng.IntN(len(given))])
		}
		ids[i] = residentID(b, regions[rng.IntN(len(regions))],
			workcal.D(1930+rng.IntN(75), time.Month(1+rng.IntN(12)), 1+rng.IntN(28)), rng.IntN(1000))
		c.Applicant = casefile.Applicant{Kind: casefile.Person, Name: name, IDNumber: ids[i]}
		c.ReceivedAt = day.Time().Add(9*time.Hour + time.Duration(rng.IntN(8*3600))*time.Second)
		c.ReceivedOn = day
		c.UpdatedAt = c.ReceivedAt.Add(time.Duration(rng.IntN(30*24)) * time.Hour)
		c.Status = caseflow.Status{State: states[rng.IntN(len(states))]}
		c.Version = int64(1 + rng.IntN(6))
		if c.Status.State != caseflow.Received && c.Status.State != caseflow.SupplementPending {
			c.AcceptedOn = day
			c.DueOn = cal.Due(day, c.Matter.Promised, nil, 0)
		}
		c.Warnings = nil
		switch r := rng.IntN(100); {
		case r < 2:
			c.Warnings = []casefile.Warning{{Level: casefile.Red}}
		case r < 7:
			c.Warnings = []casefile.Warning{{Level: casefile.Yellow}}
		}
		out[i] = &c
	}
	return out, ids
}

// BenchmarkListCases200k measures the case list over 200,000 cases: the
// first page, each kind of search, filters, sorts and a deep page.
func BenchmarkListCases200k(b *testing.B) {
	s, path := openStore(b)
	cases, ids := synthCases(b, 200_000)
	began := time.Now()
	if err := store.BulkLoad(s, cases); err != nil {
		b.Fatal(err)
	}
	sizes := map[string]int64{}
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(path + suffix); err == nil {
			sizes[suffix] = fi.Size()
		}
	}
	b.Logf("loaded %d cases in %v; file %d MB, WAL %d MB", len(cases), time.Since(began).Round(time.Millisecond),
		sizes[""]>>20, sizes["-wal"]>>20)
	someName := cases[4321].Applicant.Name
	for _, q := range []struct {
		name string
		f    store.Filter
	}{
		{"first_page", store.Filter{}},
		{"matter_substring_4", store.Filter{Query: "养老保险"}},
		{"name_3", store.Filter{Query: string([]rune(someName + "伟伟")[:3])}},
		{"number_day", store.Filter{Query: "20250612"}},
		{"surname_1", store.Filter{Query: "李"}},
		{"matter_2", store.Filter{Query: "居保"}},
		{"id_region_masked", store.Filter{Query: "350102"}},
		{"full_id", store.Filter{Query: ids[12345]}},
		{"accepted_by_due", store.Filter{States: []caseflow.State{caseflow.Accepted}, Sort: "due"}},
		{"red_cards", store.Filter{Warning: "red"}},
		{"search2_and_state", store.Filter{Query: "医保", States: []caseflow.State{caseflow.Closed}, Sort: "received", Desc: true}},
		{"search4_and_state", store.Filter{Query: "养老保险", States: []caseflow.State{caseflow.Closed}, Sort: "received", Desc: true}},
		{"pending_sync", store.Filter{SyncState: store.CasePending}},
		{"deep_page", store.Filter{Sort: "number", Offset: 100_000}},
	} {
		b.Run(q.name, func(b *testing.B) {
			var total int
			for b.Loop() {
				rows, n, err := s.ListCases(ctx, q.f)
				if err != nil {
					b.Fatal(err)
				}
				if n > 0 && len(rows) == 0 {
					b.Fatalf("%d matches, no rows", n)
				}
				total = n
			}
			b.ReportMetric(float64(total), "matches")
		})
	}
}
