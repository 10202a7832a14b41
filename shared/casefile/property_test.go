package casefile_test

import (
	"encoding/binary"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	cf "github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

// source is where the generator gets its choices: rapid in the property
// test, the fuzzer's bytes in FuzzApply, so both explore the same changes.
type source interface {
	intn(n int, label string) int // in [0, n)
}

type rapidSource struct{ t *rapid.T }

func (s rapidSource) intn(n int, label string) int { return rapid.IntRange(0, n-1).Draw(s.t, label) }

// byteSource reads choices from fuzz input; exhausted, it answers 0.
type byteSource struct{ b []byte }

func (s *byteSource) intn(n int, _ string) int {
	var v int
	switch {
	case len(s.b) == 0:
		return 0
	case n <= 256:
		v, s.b = int(s.b[0]), s.b[1:]
	case len(s.b) >= 2:
		v, s.b = int(binary.LittleEndian.Uint16(s.b)), s.b[2:]
	default:
		v, s.b = int(s.b[0]), s.b[1:]
	}
	return v % n
}

func pick[T any](src source, label string, xs []T) T { return xs[src.intn(len(xs), label)] }

// chance is true one time in n. An exhausted byteSource answers 0, so the
// plausible choice is always the false one.
func chance(src source, label string, n int) bool { return src.intn(n, label) == n-1 }

// actors are the people a case meets: everyone the transition table names,
// at their stations, plus strangers from another township and community.
var actors = []casefile.Actor{
	agentSQ, clerkXZ, approverXZ, headXZ, clerkXZ2, clerkZX,
	handlerCL, reviewerCL, approverCL, headCL, scheduler,
	{User: "sq2-agent", Role: cf.Agent, Level: catalog.Community, Station: "SQ02"},
	{User: "mz-handler", Role: cf.Handler, Level: catalog.Central, Department: "mz"},
}

var procedures = []catalog.Procedure{catalog.Hearing, catalog.Testing, catalog.Appraisal, catalog.ExpertReview, catalog.PublicNotice, catalog.SiteInspection}

// generator makes plausible changes for one case, numbering them and moving
// the clock forward from a day in 2025–2026.
type generator struct {
	src source
	n   int
	now time.Time
}

func newGenerator(src source) *generator {
	start := workcal.D(2025, time.January, 2)
	days := start.DaysUntil(workcal.D(2026, time.November, 30))
	g := &generator{src: src}
	g.now = start.AddDays(src.intn(days+1, "start")).Time().Add(time.Duration(8+src.intn(10, "hour")) * time.Hour)
	return g
}

func (g *generator) change(a cf.Action, by casefile.Actor) *casefile.Change {
	g.n++
	return &casefile.Change{ID: changeID(g.n), CaseID: caseID, Action: a, Actor: by, At: g.now}
}

// receive makes the first change: a matter from the demo catalog received
// where it may be, usually with everything it needs.
func (g *generator) receive() *casefile.Change {
	m := &demoCatalog.Matters[g.src.intn(len(demoCatalog.Matters), "matter")]
	levels := slices.Concat(m.Levels.Accept, m.Levels.Proxy)
	var by casefile.Actor
	switch pick(g.src, "receiver", levels) {
	case catalog.Community:
		by = agentSQ
	case catalog.Township:
		by = clerkXZ
	default:
		by = clerkZX
	}
	station := by.Station
	if station == "" {
		station = "ZX01"
	}
	ch := g.change(cf.Receive, by)
	ch.Intake = &casefile.Intake{
		Number:    cf.FormatNumber(station, workcal.DateOf(g.now), 1+g.src.intn(9999, "seq")),
		Matter:    m.Code,
		Applicant: casefile.Applicant{Name: "王秀英", IDNumber: applicantID, Phone: "13800138000"},
		Mode:      pick(g.src, "mode", append(casefile.ServiceModes(), "")),
		Materials: g.materials(m.Materials, false),
	}
	if by.Level == catalog.Community && !chance(g.src, "no proxy", 16) {
		ch.Intake.Proxy = &casefile.Proxy{AgentUser: by.User, Authorization: "授权委托书", ForwardTo: "XZ01"}
	}
	return ch
}

// materials logs each material: usually received, a deferrable one often
// deferred, now and then one missing or wrongly deferred. A supplement
// (sparse) records only some of them.
func (g *generator) materials(mats []catalog.Material, sparse bool) []casefile.MaterialRecord {
	var out []casefile.MaterialRecord
	for _, mat := range mats {
		if sparse && g.src.intn(2, "supplied") == 0 {
			continue
		}
		switch v := g.src.intn(32, "material"); {
		case v == 31:
			out = append(out, casefile.MaterialRecord{Code: mat.Code, Deferred: true})
		case v >= 28:
		case v >= 20 && mat.Necessity == catalog.Deferrable:
			out = append(out, casefile.MaterialRecord{Code: mat.Code, Deferred: true})
		default:
			out = append(out, casefile.MaterialRecord{Code: mat.Code, Received: true, Original: true, Copies: mat.Copies})
		}
	}
	return out
}

// next makes a change for c: usually one the table allows the chosen actor
// now, sometimes any action at all; its payload present or absent, right or
// wrong; and the clock moved on by a few days, rarely by a month.
func (g *generator) next(c *casefile.Case) *casefile.Change {
	// Mostly someone the table lets act now, doing what it allows; now and
	// then anyone doing anything.
	var able []casefile.Actor
	for _, a := range actors {
		if len(cf.Actions(c.Status, a.Role, a.Level)) > 0 {
			able = append(able, a)
		}
	}
	var by casefile.Actor
	var a cf.Action
	if len(able) > 0 && !chance(g.src, "anyone", 8) {
		by = pick(g.src, "actor", able)
		a = pick(g.src, "action", cf.Actions(c.Status, by.Role, by.Level))
	} else {
		by = pick(g.src, "actor", actors)
		a = pick(g.src, "action", cf.AllActions())
	}
	switch v := g.src.intn(16, "days"); {
	case v == 15:
		g.now = g.now.AddDate(0, 0, 30)
	case v < 6:
	default:
		g.now = g.now.AddDate(0, 0, g.src.intn(8, "step"))
	}
	ch := g.change(a, by)
	absent := func() bool { return chance(g.src, "absent", 5) }
	switch a {
	case cf.RequestSupplement, cf.ReturnForSupplement, cf.RejectIntake:
		if !absent() {
			ch.Notice = &casefile.Notice{}
			for range (g.src.intn(3, "items") + 1) % 3 { // 1, 2 or none
				ch.Notice.Items = append(ch.Notice.Items, casefile.MissingItem{Name: "户口簿"})
			}
			if !chance(g.src, "no reasons", 3) {
				ch.Notice.Reasons = []string{pick(g.src, "reason", []string{"材料不符合法定形式", " "})}
			}
			if !chance(g.src, "no remedies", 3) {
				ch.Notice.Remedies = []string{"可申请行政复议"}
			}
		}
	case cf.Supplement:
		if !absent() {
			var mats []catalog.Material
			if m, ok := demoCatalog.Matter(c.Matter.Code); ok {
				mats = m.Materials
			}
			if chance(g.src, "stranger", 8) {
				mats = append(mats, catalog.Material{Code: "not_a_material"})
			}
			ch.Materials = g.materials(mats, true)
		}
	case cf.Grant, cf.Refuse, cf.CloseOnSpot:
		if !absent() {
			d := &casefile.Decision{Certificate: "CERT-1"}
			if !chance(g.src, "no reasons", 3) {
				d.Reasons = []string{"不符合条件"}
			}
			if !chance(g.src, "no remedies", 3) {
				d.Remedies = []string{"可申请行政复议"}
			}
			ch.Decision = d
		}
	case cf.Suspend:
		if !absent() {
			p := pick(g.src, "procedure", procedures)
			if own := c.Matter.SpecialProcedures; len(own) > 0 && !chance(g.src, "foreign procedure", 4) {
				p = pick(g.src, "procedure", own)
			}
			ch.Suspension = &casefile.Suspension{Procedure: p, ExpectedDays: (g.src.intn(10, "expected") + 7) % 10}
		}
	case cf.Extend:
		if !absent() {
			ch.Extension = &casefile.Extension{
				Days:     pick(g.src, "ext days", []int{casefile.ExtensionDays, casefile.ExtensionDays, 5}),
				Reason:   pick(g.src, "ext reason", []string{"需补充鉴定", "", " "}),
				Approver: pick(g.src, "approver", []string{"局长", ""}),
			}
		}
	case cf.Deliver:
		if !absent() {
			ch.Delivery = &casefile.Delivery{Method: pick(g.src, "method", []casefile.DeliveryMethod{casefile.AtWindow, casefile.ByPost, casefile.Electronic, "fax"})}
		}
	case cf.Withdraw:
		ch.Note = pick(g.src, "note", []string{"申请人申请撤回", "逾期未补正", "", " "})
	case cf.Rate:
		if !absent() {
			ch.Rating = &casefile.Rating{Level: (g.src.intn(7, "rating") + 5) % 7} // 5 first, then 6, 0, 1…
		}
	case cf.Warn:
		if !absent() {
			ch.Warning = &casefile.Warning{
				Level: pick(g.src, "level", []casefile.WarningLevel{casefile.Reminder, casefile.Yellow, casefile.Red, "blue"}),
				Scope: pick(g.src, "scope", []string{"", "stage1/cl/review"}),
			}
		}
	case cf.Advance, cf.StartParallel, cf.FinishParallel:
		if !absent() {
			ch.Step = &casefile.StepInput{Stage: 1, Department: "cl", Step: pick(g.src, "step", []catalog.Step{catalog.Handle, catalog.Review, catalog.Approve}), Approve: true}
		}
	case cf.Receive:
		ch.Intake = &casefile.Intake{Number: c.Number, Matter: c.Matter.Code, Applicant: casefile.Applicant{Name: "王秀英", IDNumber: applicantID}}
	}
	switch g.src.intn(64, "shape") {
	case 63:
		ch.ID = uuid.Nil
	case 62:
		ch.CaseID = changeID(999)
	case 61:
		ch.At = time.Time{}
	case 60:
		ch.At = ch.At.AddDate(0, 0, -40) // a station clock set back
	}
	return ch
}

// tb is what the invariant checks need from testing.T and rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

// run receives a case and applies steps generated changes, checking the
// invariants after each one; it returns the changes and the case.
func run(t tb, src source, steps int) ([]*casefile.Change, *casefile.Case) {
	t.Helper()
	g := newGenerator(src)
	c := &casefile.Case{}
	var all []*casefile.Change
	successes := 0
	var last time.Time
	for i := 0; i <= steps; i++ {
		var ch *casefile.Change
		if i == 0 {
			ch = g.receive()
		} else {
			ch = g.next(c)
		}
		all = append(all, ch)
		ok := applyInvariant(t, c, ch)
		if ok {
			successes++
			last = ch.At
		}
		if i == 0 && !ok {
			return all, c // nothing received: nothing else can apply
		}
		checkCase(t, c, successes, last)
	}
	return all, c
}

// applyInvariant applies ch and checks what must hold for any change.
func applyInvariant(t tb, c *casefile.Case, ch *casefile.Change) bool {
	t.Helper()
	caseBefore, changeBefore := jsonOf(t, c), jsonOf(t, ch)
	wasClosed, version := c.IsClosed(), c.Version
	err := casefile.Apply(c, ch, env())
	if jsonOf(t, ch) != changeBefore {
		t.Fatalf("Apply(%s) changed its change:\nbefore %s\nafter  %s", ch.Action, changeBefore, jsonOf(t, ch))
	}
	if wasClosed && !c.IsClosed() {
		t.Fatalf("Apply(%s) reopened a closed case: %+v", ch.Action, c.Status)
	}
	if err != nil {
		if bmerr.As(err) == nil || bmerr.ReasonOf(err) == "" {
			t.Fatalf("Apply(%s) = %v (%T): not a *bmerr.Error with a reason", ch.Action, err, err)
		}
		if jsonOf(t, c) != caseBefore {
			t.Fatalf("failed Apply(%s) (%v) changed the case:\nbefore %s\nafter  %s", ch.Action, err, caseBefore, jsonOf(t, c))
		}
		return false
	}
	if c.Version != version+1 {
		t.Fatalf("Apply(%s): Version %d -> %d", ch.Action, version, c.Version)
	}
	return true
}

// checkCase checks what must hold for any case Apply has produced.
func checkCase(t tb, c *casefile.Case, successes int, last time.Time) {
	t.Helper()
	if c.Version != int64(successes) {
		t.Fatalf("Version %d after %d successful changes", c.Version, successes)
	}
	if successes == 0 {
		return
	}
	if !c.UpdatedAt.Equal(last) {
		t.Fatalf("UpdatedAt %v, want the last change's time %v", c.UpdatedAt, last)
	}
	s := c.Status
	if !slices.Contains(cf.States(), s.State) || s.State == cf.New {
		t.Fatalf("state %q", s.State)
	}
	stopped := s.State == cf.Suspended || s.State == cf.Returned
	if stopped != !c.StoppedOn.IsZero() {
		t.Fatalf("state %s with the clock stopped on %q", s.State, c.StoppedOn)
	}
	if (s.State == cf.Suspended) != (c.Suspension != nil) && s.State != cf.Closed {
		t.Fatalf("state %s with suspension %+v", s.State, c.Suspension)
	}
	if c.IsClosed() != !c.ClosedOn.IsZero() {
		t.Fatalf("state %s closed on %q", s.State, c.ClosedOn)
	}
	if c.IsClosed() && s.Result == cf.NoResult {
		t.Fatalf("closed with no result")
	}
	if s.State == cf.Decided && (c.Decision == nil || c.Decision.Result != s.Result || c.DecidedOn.IsZero()) {
		t.Fatalf("decided %s with decision %+v on %q", s.Result, c.Decision, c.DecidedOn)
	}
	if s.Extended != (c.Extension != nil) || s.Rated != (c.Rating != nil) {
		t.Fatalf("status %+v with extension %+v and rating %+v", s, c.Extension, c.Rating)
	}
	accepted := !c.AcceptedOn.IsZero()
	if slices.Contains([]cf.State{cf.Accepted, cf.UnderReview, cf.ParallelReview, cf.Suspended, cf.Returned, cf.Decided}, s.State) && !accepted {
		t.Fatalf("state %s but never accepted", s.State)
	}
	if accepted && c.StoppedOn.IsZero() {
		if c.DueOn.IsZero() || c.DueOn.Before(c.AcceptedOn) {
			t.Fatalf("accepted %s, clock running, due %q", c.AcceptedOn, c.DueOn)
		}
		if c.Matter.Legal != nil && (c.LegalDueOn.IsZero() || c.LegalDueOn.Before(c.AcceptedOn)) {
			t.Fatalf("accepted %s, clock running, legal due %q", c.AcceptedOn, c.LegalDueOn)
		}
	}
	if !c.StoppedOn.IsZero() && (!c.DueOn.IsZero() || !c.LegalDueOn.IsZero()) {
		t.Fatalf("clock stopped on %s, yet due %q / %q", c.StoppedOn, c.DueOn, c.LegalDueOn)
	}
}

func jsonOf(t tb, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return string(b)
}

// replay applies changes to a fresh case without checks.
func replay(changes []*casefile.Change) *casefile.Case {
	c := &casefile.Case{}
	for _, ch := range changes {
		_ = casefile.Apply(c, ch, env())
	}
	return c
}

func TestApplyProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		steps := rapid.IntRange(1, 40).Draw(t, "steps")
		changes, c := run(t, rapidSource{t}, steps)
		// Deterministic: central replaying the station's changes gets the
		// same case, byte for byte.
		if a, b := jsonOf(t, c), jsonOf(t, replay(changes)); a != b {
			t.Fatalf("replay differs:\nfirst  %s\nsecond %s", a, b)
		}
	})
}

func FuzzApply(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Add([]byte("township case, accepted, suspended and resumed"))
	for _, seed := range [][]byte{
		{7, 0x10, 0x02, 3, 9, 1, 0, 1, 1, 0, 2, 0, 3, 4, 5},
		{11, 0xff, 0x01, 0, 2, 2, 2, 2, 8, 8, 8, 8, 1, 1, 1, 1, 1, 1, 1, 1},
		{20, 0x80, 0x00, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		steps := min(len(data)/4, 24)
		changes, c := run(t, &byteSource{data}, steps)
		if a, b := jsonOf(t, c), jsonOf(t, replay(changes)); a != b {
			t.Fatalf("replay differs:\nfirst  %s\nsecond %s", a, b)
		}
	})
}
