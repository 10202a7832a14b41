package server_test

// The scenario table: real cases driven end to end through the server's API
// over HTTP — stations push and pull with their device credentials, central
// staff sign in through AuthService and act, read inboxes, cases and figures
// with their sessions — against a real SQLite file, under a clock the test
// moves. Every expected date and figure is worked out by hand in the comments
// from the 2026 calendar (domain.md §4); "-" marks a holiday (Spring
// Festival 15–23 Feb, Qingming 4–6 Apr), "+" a make-up working day (Saturday
// 14 and 28 Feb):
//
//	February 2026            March 2026               April 2026
//	Mo Tu We Th Fr Sa Su     Mo Tu We Th Fr Sa Su     Mo Tu We Th Fr Sa Su
//	                   1                        1            1  2  3  4- 5-
//	 2  3  4  5  6  7  8      2  3  4  5  6  7  8      6- 7  8  9 10 11 12
//	 9 10 11 12 13 14+15-     9 10 11 12 13 14 15     13 14 15 16 17 18 19
//	16-17-18-19-20-21-22-    16 17 18 19 20 21 22     20 21 22 23 24 25 26
//	23-24 25 26 27 28+       23 24 25 26 27 28 29     27 28 29 30
//	                         30 31
//
// A limit of N working days ends on the N-th working day after acceptance
// (day 1 is the day after).

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
	"github.com/bianmin/bianmin/shared/gen/bianmin/central/v1/centralv1connect"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/metrics"
	"github.com/bianmin/bianmin/shared/passwd"
	"github.com/bianmin/bianmin/shared/supervise"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/report"
	"github.com/bianmin/bianmin/syncserver/internal/server"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/bianmin/bianmin/syncserver/internal/store/sqlite"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// TestScenarios is the scenario table. Each scenario gets its own database,
// server and clock, so they run in parallel.
func TestScenarios(t *testing.T) {
	t.Parallel()
	rectify7 := supervise.Defaults()
	rectify7.RectifyDays = 7 // a province's local deadline for a bad review's handling
	scenarios := []struct {
		name  string
		start time.Time
		rules *supervise.Rules
		run   func(t *testing.T, w *world)
	}{
		{"1 on-the-spot township matter", on(time.March, 3, 9, 0), nil, scenarioOnTheSpot},
		{"2 devolved matter decided offline at the township, synced later", on(time.March, 2, 9, 0), nil, scenarioDevolvedOffline},
		{"3 forwarded single-department matter", on(time.March, 2, 10, 0), nil, scenarioForwarded},
		{"4 parallel stages: all and any", on(time.March, 2, 10, 0), nil, scenarioParallel},
		{"5 supplement round trip central to station to central", on(time.March, 2, 10, 0), nil, scenarioSupplement},
		{"6 suspension and extension across the Spring Festival", on(time.February, 11, 10, 0), nil, scenarioSuspendExtend},
		{"7 refusal and withdrawal", on(time.March, 2, 10, 0), nil, scenarioRefusalWithdrawal},
		{"8a each warning once on its working day", on(time.March, 16, 10, 0), nil, scenarioWarnings},
		{"8b each warning once with two server processes", on(time.March, 16, 10, 0), nil, scenarioWarningsTwoProcesses},
		{"9 figures of a month", on(time.February, 26, 10, 0), &rectify7, scenarioFigures},
		{"10 wrong role, department or station", on(time.March, 2, 10, 0), nil, scenarioRefusals},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t, newWorld(t, sc.start, sc.rules))
		})
	}
}

// ---------------------------------------------------------------------------
// Harness

// testClock is central's clock and, through the change times they send, the
// stations' too. Only the test moves it.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// on is hh:mm of a day of 2026, China Standard Time.
func on(m time.Month, d, hh, mm int) time.Time {
	return time.Date(2026, m, d, hh, mm, 0, 0, workcal.Shanghai)
}

// date is a day of 2026.
func date(m time.Month, d int) workcal.Date { return workcal.D(2026, m, d) }

// world is one scenario's central: a server over its own SQLite file behind
// a real HTTP listener, its clock, enrolled stations and signed-in staff.
type world struct {
	*env
	ctx      context.Context
	clock    *testClock
	path     string
	rules    supervise.Rules
	auth     centralv1connect.AuthServiceClient
	stations map[string]*station
	cursors  map[string]int64
	people   map[string]*person
}

func newWorld(t *testing.T, start time.Time, rules *supervise.Rules) *world {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &testClock{now: start}
	st.Now = clk.Now // the store's own clock (applied_at of changes) is central's too
	srv := server.New(server.Config{Store: st, Now: clk.Now, Rules: rules, PollInterval: 20 * time.Millisecond})
	if err := srv.EnsureCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range []store.Station{
		{Code: "XZ01", Name: "青山镇便民服务中心", Level: catalog.Township},
		{Code: "SQ01", Name: "幸福村便民服务站", Level: catalog.Community, Parent: "XZ01"},
		{Code: "XZ02", Name: "石桥镇便民服务中心", Level: catalog.Township},
	} {
		if err := srv.CreateStation(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Config.Protocols = new(http.Protocols)
	hs.Config.Protocols.SetHTTP1(true)
	hs.Config.Protocols.SetUnencryptedHTTP2(true)
	hs.Start()
	t.Cleanup(hs.Close)
	r := supervise.Defaults()
	if rules != nil {
		r = *rules
	}
	return &world{
		env: &env{t: t, srv: srv, store: st, http: hs, cat: catalog.Demo(), rnd: rand.New(rand.NewPCG(uint64(start.Unix()), 7))},
		ctx: ctx, clock: clk, path: path, rules: r,
		auth:     centralv1connect.NewAuthServiceClient(hs.Client(), hs.URL),
		stations: map[string]*station{}, cursors: map[string]int64{}, people: map[string]*person{},
	}
}

// at moves the clock.
func (w *world) at(t time.Time) { w.clock.set(t) }

// station returns the enrolled station with code, enrolling it the first time.
func (w *world) station(code string) *station {
	if s, ok := w.stations[code]; ok {
		return s
	}
	s := w.enroll(code)
	w.stations[code] = s
	return s
}

// intake is a receive of the named matter at st, now, with every material
// handed in.
func (w *world) intake(st *station, matter string) *casefile.Change {
	st.seq++
	now := w.clock.Now()
	m := fixture.Matter(w.cat, matter)
	return fixture.Receive(w.rnd, m, fixture.Actor(st.code, st.level), caseflow.FormatNumber(st.code, workcal.DateOf(now), st.seq), now)
}

// by is a change of the case made at st now.
func (w *world) by(st *station, caseID uuid.UUID, a caseflow.Action) *casefile.Change {
	return next(caseID, a, st, w.clock.Now())
}

// push sends changes from st, with the station's clock reading now.
func (w *world) push(st *station, chs ...*casefile.Change) []*syncv1.PushResult {
	w.t.Helper()
	req := &syncv1.PushRequest{ClientTime: timestamppb.New(w.clock.Now())}
	for _, ch := range chs {
		req.Changes = append(req.Changes, wire.ChangeToWire(ch))
	}
	resp, err := st.sync.Push(w.ctx, connect.NewRequest(req))
	if err != nil {
		w.t.Fatalf("push: %v", err)
	}
	return resp.Msg.Results
}

// pushOK pushes and wants every change applied.
func (w *world) pushOK(st *station, chs ...*casefile.Change) {
	w.t.Helper()
	for i, r := range w.push(st, chs...) {
		if r.Outcome != syncv1.PushResult_OUTCOME_APPLIED {
			w.t.Fatalf("change %d (%s): %v %s: %s", i, chs[i].Action, r.Outcome, r.Reason, r.MessageEn)
		}
	}
}

// pull returns st's feed after its cursor, and moves the cursor.
func (w *world) pull(st *station) *syncv1.PullResponse {
	w.t.Helper()
	resp, err := st.sync.Pull(w.ctx, connect.NewRequest(&syncv1.PullRequest{Cursor: w.cursors[st.code]}))
	if err != nil {
		w.t.Fatalf("pull: %v", err)
	}
	w.cursors[st.code] = resp.Msg.NextCursor
	return resp.Msg
}

// kase is central's copy of a case.
func (w *world) kase(id uuid.UUID) *casefile.Case {
	w.t.Helper()
	c, err := w.store.Case(w.ctx, id)
	if err != nil {
		w.t.Fatalf("case %s: %v", id, err)
	}
	return c
}

// history returns the case's applied changes as "action by user" lines.
func (w *world) history(id uuid.UUID) []string {
	w.t.Helper()
	var out []string
	for _, ch := range w.changes(id) {
		out = append(out, ch.Action+" by "+ch.Actor.User)
	}
	return out
}

func (w *world) changes(id uuid.UUID) []*syncv1.Change {
	w.t.Helper()
	hist, err := w.store.Changes(w.ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	out := make([]*syncv1.Change, len(hist))
	for i, h := range hist {
		out[i] = &syncv1.Change{}
		if err := proto.Unmarshal(h.Body, out[i]); err != nil {
			w.t.Fatal(err)
		}
	}
	return out
}

// scan runs the warning scanner and returns how many warnings it raised.
func (w *world) scan() int {
	w.t.Helper()
	n, err := w.srv.ScanWarnings(w.ctx)
	if err != nil {
		w.t.Fatalf("scan: %v", err)
	}
	return n
}

// auditLen is how many entries the audit trail holds.
func (w *world) auditLen() int {
	w.t.Helper()
	es, err := w.store.AuditEntries(w.ctx, 0, 100_000)
	if err != nil {
		w.t.Fatal(err)
	}
	return len(es)
}

// auditedWork is how many audit entries record something other than a
// sign-in: a refused action may have signed its user in (a session ends
// after 12 hours of the test clock), but must record nothing else.
func (w *world) auditedWork() int {
	w.t.Helper()
	es, err := w.store.AuditEntries(w.ctx, 0, 100_000)
	if err != nil {
		w.t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Kind != audit.SignIn && e.Kind != audit.SignInFailed {
			n++
		}
	}
	return n
}

// dates are a case's dates as text ("" for none).
type dates struct{ Accepted, Due, Legal, Decided, Closed string }

func datesOf(c *casefile.Case) dates {
	s := func(d workcal.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	return dates{s(c.AcceptedOn), s(c.DueOn), s(c.LegalDueOn), s(c.DecidedOn), s(c.ClosedOn)}
}

func wantDates(t *testing.T, what string, c *casefile.Case, want dates) {
	t.Helper()
	if got := datesOf(c); got != want {
		t.Errorf("%s: dates\n got %+v\nwant %+v", what, got, want)
	}
}

func wantState(t *testing.T, what string, c *casefile.Case, state caseflow.State, result caseflow.Result) {
	t.Helper()
	if c.Status.State != state || c.Status.Result != result {
		t.Errorf("%s: state %s/%s, want %s/%s", what, c.Status.State, c.Status.Result, state, result)
	}
}

// fingerprint is what a refused action must leave as it was.
type fingerprint struct {
	Version int64
	State   caseflow.State
	History int
	LastSeq int64
	Audit   int
}

func (w *world) fingerprint(id uuid.UUID) fingerprint {
	w.t.Helper()
	c := w.kase(id)
	last, err := w.store.LastSeq(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	return fingerprint{Version: c.Version, State: c.Status.State, History: len(w.changes(id)), LastSeq: last, Audit: w.auditedWork()}
}

// refused wants err to carry code (and reason, when given) and the cases to
// be as they were.
func (w *world) refused(t *testing.T, what string, err error, code connect.Code, reason string, before map[uuid.UUID]fingerprint) {
	t.Helper()
	if connect.CodeOf(err) != code {
		t.Errorf("%s: %v, want %v", what, err, code)
	} else if reason != "" {
		if got := syncapi.FromConnect(err).Reason; got != reason {
			t.Errorf("%s: reason %q, want %q", what, got, reason)
		}
	}
	w.unchanged(t, what, before)
}

// unchanged wants the cases as they were.
func (w *world) unchanged(t *testing.T, what string, before map[uuid.UUID]fingerprint) {
	t.Helper()
	for id, fp := range before {
		if got := w.fingerprint(id); got != fp {
			t.Errorf("%s changed case %s: %+v, was %+v", what, id, got, fp)
		}
	}
}

// staffPassword is every test user's password; its argon2id hash is
// computed once for the package, since hashing is deliberately slow.
const staffPassword = "Bianmin-2026!"

var staffHash = sync.OnceValues(func() (string, error) { return passwd.Hash(staffPassword) })

// person is a central user's view of the API, signed in through
// AuthService; the session is renewed when the test clock passes its end.
type person struct {
	w        *world
	username string
	mu       sync.Mutex
	token    string
	expires  time.Time
	review   centralv1connect.ReviewServiceClient
	sup      centralv1connect.SupervisionServiceClient
	admin    centralv1connect.AdminServiceClient
}

// person returns the user named "dept.role" (e.g. "cl.reviewer") or
// "admin", creating them on first use.
func (w *world) person(username string) *person {
	w.t.Helper()
	if p, ok := w.people[username]; ok {
		return p
	}
	u := store.User{Username: username, Role: caseflow.Admin, Name: "管理员"}
	if dept, role, ok := strings.Cut(username, "."); ok {
		u.Department, u.Role = dept, caseflow.Role(role)
		u.Name = dept + caseflow.Role(role).Label("zh")
	}
	h, err := staffHash()
	if err != nil {
		w.t.Fatal(err)
	}
	u.PasswordHash, u.CreatedAt = h, w.clock.Now()
	if err := w.store.CreateUser(w.ctx, u); err != nil {
		w.t.Fatal(err)
	}
	p := &person{w: w, username: username}
	auth := connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			tok, err := p.session(ctx)
			if err != nil {
				return nil, err
			}
			req.Header().Set("Authorization", "Session "+tok)
			return next(ctx, req)
		}
	}))
	p.review = centralv1connect.NewReviewServiceClient(w.http.Client(), w.http.URL, auth)
	p.sup = centralv1connect.NewSupervisionServiceClient(w.http.Client(), w.http.URL, auth)
	p.admin = centralv1connect.NewAdminServiceClient(w.http.Client(), w.http.URL, auth)
	w.people[username] = p
	return p
}

// session signs in when there is no session, or the test clock has passed
// its end.
func (p *person) session(ctx context.Context) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.token != "" && p.w.clock.Now().Before(p.expires) {
		return p.token, nil
	}
	resp, err := p.w.auth.SignIn(ctx, connect.NewRequest(&centralv1.SignInRequest{Username: p.username, Password: staffPassword}))
	if err != nil {
		return "", fmt.Errorf("sign in %s: %w", p.username, err)
	}
	p.token, p.expires = resp.Msg.Token, resp.Msg.ExpiresAt.AsTime()
	return p.token, nil
}

// central is a change a central user makes to the case; central sets its
// actor and time from the session and its clock.
func (w *world) central(caseID uuid.UUID, a caseflow.Action) *casefile.Change {
	return &casefile.Change{ID: uuid.Must(uuid.NewV7()), CaseID: caseID, Action: a, At: w.clock.Now()}
}

// step is an advance of one workflow step.
func (w *world) step(caseID uuid.UUID, stage int, dept string, s catalog.Step, approve bool, opinion string) *casefile.Change {
	ch := w.central(caseID, caseflow.Advance)
	ch.Step = &casefile.StepInput{Stage: stage, Department: dept, Step: s, Approve: approve, Opinion: opinion}
	return ch
}

func (p *person) act(ch *casefile.Change) (*centralv1.ActResponse, error) {
	resp, err := p.review.Act(p.w.ctx, connect.NewRequest(&centralv1.ActRequest{Change: wire.ChangeToWire(ch)}))
	if err != nil {
		return nil, err
	}
	return resp.Msg, nil
}

func (p *person) mustAct(t *testing.T, ch *casefile.Change) *syncv1.Case {
	t.Helper()
	resp, err := p.act(ch)
	if err != nil {
		t.Fatalf("%s %s: %v", p.username, ch.Action, err)
	}
	return resp.Case
}

func (p *person) inbox(t *testing.T) *centralv1.InboxResponse {
	t.Helper()
	return p.inboxOf(t, &centralv1.InboxRequest{})
}

// departmentInbox is every step of the person's department, not only theirs.
func (p *person) departmentInbox(t *testing.T) *centralv1.InboxResponse {
	t.Helper()
	return p.inboxOf(t, &centralv1.InboxRequest{AllSteps: true})
}

func (p *person) inboxOf(t *testing.T, req *centralv1.InboxRequest) *centralv1.InboxResponse {
	t.Helper()
	resp, err := p.review.Inbox(p.w.ctx, connect.NewRequest(req))
	if err != nil {
		t.Fatalf("%s inbox: %v", p.username, err)
	}
	return resp.Msg
}

func (p *person) getCase(t *testing.T, id uuid.UUID) *centralv1.GetCaseResponse {
	t.Helper()
	resp, err := p.review.GetCase(p.w.ctx, connect.NewRequest(&centralv1.GetCaseRequest{CaseId: id.String()}))
	if err != nil {
		t.Fatalf("%s get case: %v", p.username, err)
	}
	return resp.Msg
}

func item(in *centralv1.InboxResponse, id uuid.UUID) *centralv1.InboxItem {
	for _, it := range in.Items {
		if it.CaseId == id.String() {
			return it
		}
	}
	return nil
}

// tasks formats GetCase's tasks: "stage/department/step due".
func tasks(ts []*centralv1.Task) []string {
	var out []string
	for _, t := range ts {
		s := fmt.Sprintf("%d/%s/%s due %s", t.Stage+1, t.Department, t.Step, t.Due)
		if t.Decides {
			s += " decides"
		}
		out = append(out, s)
	}
	return out
}

func wantStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// ---------------------------------------------------------------------------
// 1. An on-the-spot township matter.

// 城乡居民养老保险参保登记 is an on-the-spot matter (即办件: promised 0,
// legal 3 working days) that a township may decide. The clerk receives,
// accepts and closes it at the window in one visit.
func scenarioOnTheSpot(t *testing.T, w *world) {
	xz := w.station("XZ01")
	w.at(on(time.March, 3, 9, 0)) // Tuesday 3 March
	rec := w.intake(xz, "城乡居民养老保险参保登记")
	w.at(on(time.March, 3, 9, 6))
	acc := w.by(xz, rec.CaseID, caseflow.Accept)
	w.at(on(time.March, 3, 9, 12))
	done := w.by(xz, rec.CaseID, caseflow.CloseOnSpot)
	done.Decision = &casefile.Decision{Certificate: "参保登记回执 XZ01-0303-001"}
	w.pushOK(xz, rec, acc, done)

	c := w.kase(rec.CaseID)
	wantState(t, "central", c, caseflow.Closed, caseflow.Granted)
	// Accepted Tue 3 Mar. Promised 0: due the day of acceptance, 3 Mar.
	// Legal 3 working days: Wed 4 (1), Thu 5 (2), Fri 6 (3) → 6 Mar.
	// Decided and closed at the window the same day.
	wantDates(t, "on the spot", c, dates{"2026-03-03", "2026-03-03", "2026-03-06", "2026-03-03", "2026-03-03"})
	if c.Decision == nil || c.Decision.By.Station != "XZ01" || c.Decision.Certificate != "参保登记回执 XZ01-0303-001" {
		t.Errorf("decision %+v, want the township's, with its certificate", c.Decision)
	}
	// The station's confirmed copy says the same.
	p := w.pull(xz)
	if len(p.Entries) != 3 || len(p.Cases) != 1 || p.Cases[0].Status.State != string(caseflow.Closed) || p.Cases[0].ClosedOn != "2026-03-03" {
		t.Errorf("station pulled %d entries, cases %v", len(p.Entries), p.Cases)
	}
	// Central counts it as closed on the spot: 1 accepted, 1 closed, closed on
	// its acceptance day 1/1, by its promised due date 1/1, within the legal
	// limit 1/1.
	res, err := w.srv.Report(w.ctx, report.Options{Period: metrics.Month(2026, time.March)})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Total.Figures
	if f.Accepted != 1 || f.Closed != 1 || f.OnSpotRate != (metrics.Ratio{Num: 1, Den: 1}) ||
		f.OnTimeRate != (metrics.Ratio{Num: 1, Den: 1}) || f.WithinLegalRate != (metrics.Ratio{Num: 1, Den: 1}) {
		t.Errorf("figures %+v", f)
	}
	// A closed case earns no warning, even after its legal limit.
	w.at(on(time.March, 9, 8, 0))
	if n := w.scan(); n != 0 {
		t.Errorf("scan raised %d warnings on a closed case", n)
	}
}

// ---------------------------------------------------------------------------
// 2. A devolved matter decided at the township offline, synced later.

// The township XZ01 is offline from Mon 2 Mar to Tue 24 Mar. It works as
// usual: every change is applied at once to its own copy (casefile.Apply,
// as the desk does) with its own clock, and queued. It decides 乡村建设规划许可证
// itself (下放: the township accepts and decides; legal 20, promised 10
// working days) and accepts 特困人员认定 (township-decided; legal = promised
// = 15 working days), which it has not finished when the line comes back.
func scenarioDevolvedOffline(t *testing.T, w *world) {
	xz := w.station("XZ01")
	cur, err := w.store.CurrentCatalog(w.ctx) // what the station synced before the line went down
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Parse(cur.CatalogJSON)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := workcal.Parse(cur.CalendarJSON)
	if err != nil {
		t.Fatal(err)
	}
	local := map[uuid.UUID]*casefile.Case{}
	var outbox []*casefile.Change
	record := func(at time.Time, ch *casefile.Change) {
		t.Helper()
		ch.At = at
		c := local[ch.CaseID]
		if c == nil {
			c = &casefile.Case{}
			local[ch.CaseID] = c
		}
		if err := casefile.Apply(c, ch, casefile.Env{Catalog: cat, Calendar: cal}); err != nil {
			t.Fatalf("at the station: %s: %v", ch.Action, err)
		}
		outbox = append(outbox, ch)
	}
	w.at(on(time.March, 2, 9, 0))
	permit := w.intake(xz, "乡村建设规划许可证")
	record(on(time.March, 2, 9, 0), permit)
	record(on(time.March, 2, 9, 30), w.by(xz, permit.CaseID, caseflow.Accept))
	w.at(on(time.March, 3, 10, 0))
	destitute := w.intake(xz, "特困人员认定")
	record(on(time.March, 3, 10, 0), destitute)
	record(on(time.March, 3, 10, 20), w.by(xz, destitute.CaseID, caseflow.Accept))
	grant := w.by(xz, permit.CaseID, caseflow.Grant)
	grant.Decision = &casefile.Decision{Certificate: "乡字第 2026-0012 号"}
	record(on(time.March, 5, 15, 0), grant)
	deliver := w.by(xz, permit.CaseID, caseflow.Deliver)
	deliver.Delivery = &casefile.Delivery{Method: casefile.AtWindow}
	record(on(time.March, 6, 10, 0), deliver)

	// Wed 25 Mar 08:30 the line is back: one push carries all six changes.
	pushedAt := on(time.March, 25, 8, 30)
	w.at(pushedAt)
	w.pushOK(xz, outbox...)

	// 乡村建设规划许可证, accepted Mon 2 Mar: promised 10 working days → 3–6
	// Mar (1–4), 9–13 (5–9), Mon 16 (10) → 16 Mar; legal 20 → 17–20 (11–14),
	// 23–27 (15–19), Mon 30 (20) → 30 Mar. Granted Thu 5 Mar, delivered and
	// closed Fri 6 Mar.
	// 特困人员认定, accepted Tue 3 Mar: 15 working days → 4–6 (1–3), 9–13
	// (4–8), 16–20 (9–13), 23 (14), Tue 24 (15) → 24 Mar, promised and legal.
	for _, k := range []struct {
		id    uuid.UUID
		want  dates
		state caseflow.State
		res   caseflow.Result
	}{
		{permit.CaseID, dates{"2026-03-02", "2026-03-16", "2026-03-30", "2026-03-05", "2026-03-06"}, caseflow.Closed, caseflow.Granted},
		{destitute.CaseID, dates{"2026-03-03", "2026-03-24", "2026-03-24", "", ""}, caseflow.Accepted, caseflow.NoResult},
	} {
		c := w.kase(k.id)
		wantDates(t, "central "+c.Matter.Name, c, k.want)
		wantDates(t, "station "+c.Matter.Name, local[k.id], k.want) // the station computed the same, offline
		wantState(t, c.Matter.Name, c, k.state, k.res)
		if c.Version != local[k.id].Version {
			t.Errorf("%s: central version %d, station %d", c.Matter.Name, c.Version, local[k.id].Version)
		}
	}
	if d := w.kase(permit.CaseID).Decision; d == nil || d.By.Station != "XZ01" || d.By.Level != catalog.Township {
		t.Errorf("the permit's decision %+v, want the township's", d)
	}
	// Central keeps both clocks: the station's time of each change and its
	// own time of receipt.
	hist, err := w.store.Changes(w.ctx, permit.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if ch := w.changes(permit.CaseID)[3]; ch.Action != string(caseflow.Deliver) || !ch.At.AsTime().Equal(on(time.March, 6, 10, 0)) || !hist[3].AppliedAt.Equal(pushedAt) {
		t.Errorf("delivery: %s at %v, applied %v", ch.Action, ch.At.AsTime(), hist[3].AppliedAt)
	}

	// Central supervises what it learns late. Its first scan after the push
	// (25 Mar) finds 特困人员认定 past its promised and legal due date (24 Mar):
	// a yellow and a red card at once (no reminder: that day has passed). The
	// closed permit earns nothing.
	if n := w.scan(); n != 2 {
		t.Fatalf("scan raised %d warnings, want 2", n)
	}
	var got []string
	for _, wn := range w.kase(destitute.CaseID).Warnings {
		got = append(got, fmt.Sprintf("%s due %s raised %s", wn.Level, wn.Due, wn.Raised))
	}
	wantStrings(t, "warnings", got, []string{"red due 2026-03-24 raised 2026-03-25", "yellow due 2026-03-24 raised 2026-03-25"})
	// The red card escalates it to the head of 民政, the implementing
	// department, though central has no task on it: due 24 Mar, one working
	// day overdue on 25 Mar.
	it := item(w.person("mz.head").inbox(t), destitute.CaseID)
	if it == nil || !it.Escalated || it.Warning != "red" || it.Step != "" || it.Due != "2026-03-24" || it.DaysLeft != -1 || it.State != "accepted" {
		t.Errorf("民政 head's inbox item %+v", it)
	}
	// The cards sync to the township with everything else it pushed.
	p := w.pull(xz)
	var actions []string
	for _, e := range p.Entries {
		actions = append(actions, e.Change.Action)
	}
	wantStrings(t, "the township's feed", actions, []string{"receive", "accept", "receive", "accept", "grant", "deliver", "warn", "warn"})
	// The month's figures for XZ01: 2 accepted, 1 closed, on time 1/1 (4
	// working days used of 10: 3, 4, 5, 6 Mar), within the legal limit 1/1,
	// one yellow and one red card raised in March.
	res, err := w.srv.Report(w.ctx, report.Options{Period: metrics.Month(2026, time.March), By: report.ByStation})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0].Key != "XZ01" {
		t.Fatalf("rows %+v", res.Rows)
	}
	r := res.Rows[0]
	if f := r.Figures; f.Accepted != 2 || f.Closed != 1 || f.OnTimeRate != (metrics.Ratio{Num: 1, Den: 1}) ||
		f.WithinLegalRate != (metrics.Ratio{Num: 1, Den: 1}) || f.AvgDays != (metrics.Average{Sum: 4, N: 1}) || r.Yellow != 1 || r.Red != 1 || r.Reminders != 0 {
		t.Errorf("XZ01 figures %+v, cards %d/%d/%d", f, r.Reminders, r.Yellow, r.Red)
	}
}

// ---------------------------------------------------------------------------
// 3. A forwarded single-department matter.

// 残疾人证核发 is accepted at the township and decided at central by 残联 (cl):
// 承办 → 审核 → 审批, one stage of 10 working days; legal = promised = 10.
func scenarioForwarded(t *testing.T, w *world) {
	xz := w.station("XZ01")
	handler, reviewer, approver := w.person("cl.handler"), w.person("cl.reviewer"), w.person("cl.approver")

	w.at(on(time.March, 2, 10, 0)) // Monday 2 March
	rec := w.intake(xz, "残疾人证核发")
	id := rec.CaseID
	w.pushOK(xz, rec, w.by(xz, id, caseflow.Accept), w.by(xz, id, caseflow.Forward))
	// Accepted Mon 2 Mar; 10 working days: 3–6 Mar (1–4), 9–13 (5–9), Mon 16 (10).
	c := w.kase(id)
	wantState(t, "forwarded", c, caseflow.UnderReview, caseflow.NoResult)
	wantDates(t, "forwarded", c, dates{"2026-03-02", "2026-03-16", "2026-03-16", "", ""})

	// Tue 3 Mar: the handler's inbox holds the handle step, due 16 Mar (the
	// stage started 2 Mar + 10 working days), 9 working days left (4, 5, 6,
	// 9, 10, 11, 12, 13, 16), applicant's name masked.
	w.at(on(time.March, 3, 9, 0))
	it := item(handler.inbox(t), id)
	if it == nil || it.Step != "handle" || it.Due != "2026-03-16" || it.DaysLeft != 9 || it.Decides || it.Station != "XZ01" ||
		it.Applicant != ident.MaskName(rec.Intake.Applicant.Name) {
		t.Fatalf("handler's inbox item %+v", it)
	}
	handler.mustAct(t, w.step(id, 0, "cl", catalog.Handle, true, "材料齐全，初审通过"))
	// It leaves the handler's own inbox and stays in the department's, at
	// the next step.
	if it := item(handler.inbox(t), id); it != nil {
		t.Errorf("after the handle step, the handler's own inbox still holds %+v", it)
	}
	if it := item(handler.departmentInbox(t), id); it == nil || it.Step != "review" {
		t.Errorf("after the handle step, the department's inbox item is %+v", it)
	}

	// Wed 4 Mar: the reviewer's turn, 8 working days left.
	w.at(on(time.March, 4, 9, 0))
	if it := item(reviewer.inbox(t), id); it == nil || it.Step != "review" || it.DaysLeft != 8 {
		t.Fatalf("reviewer's inbox item %+v", it)
	}
	reviewer.mustAct(t, w.step(id, 0, "cl", catalog.Review, true, "审核同意"))

	// Thu 5 Mar: the approve step decides the case.
	w.at(on(time.March, 5, 15, 0))
	if it := item(approver.inbox(t), id); it == nil || it.Step != "approve" || !it.Decides {
		t.Fatalf("approver's inbox item %+v", it)
	}
	g := w.central(id, caseflow.Grant)
	g.Decision = &casefile.Decision{Certificate: "残疾人证 33112219700101123X42"}
	if got := approver.mustAct(t, g); got.Status.State != string(caseflow.Decided) || got.DecidedOn != "2026-03-05" {
		t.Fatalf("after the grant: %s decided %s", got.Status.State, got.DecidedOn)
	}
	// The app retries under the same change id after a lost reply: the same
	// answer, applied once.
	before := w.fingerprint(id)
	if again, err := approver.act(g); err != nil || !again.AlreadyApplied || again.Case.Version != before.Version {
		t.Errorf("a retried grant: %v, %v", again, err)
	}
	w.unchanged(t, "a retried grant", map[uuid.UUID]fingerprint{id: before})

	// Fri 6 Mar: the township pulls the decision and hands the certificate over.
	w.at(on(time.March, 6, 9, 0))
	p := w.pull(xz)
	last := p.Entries[len(p.Entries)-1].Change
	if last.Action != string(caseflow.Grant) || last.Actor.User != "cl.approver" || last.Decision.GetCertificate() != "残疾人证 33112219700101123X42" {
		t.Fatalf("the township pulled %s by %s", last.Action, last.Actor.User)
	}
	if len(p.Cases) != 1 || p.Cases[0].Status.State != string(caseflow.Decided) {
		t.Fatalf("the township's copy: %v", p.Cases)
	}
	w.at(on(time.March, 6, 10, 0))
	del := w.by(xz, id, caseflow.Deliver)
	del.Delivery = &casefile.Delivery{Method: casefile.AtWindow}
	w.pushOK(xz, del)
	c = w.kase(id)
	wantState(t, "delivered", c, caseflow.Closed, caseflow.Granted)
	wantDates(t, "delivered", c, dates{"2026-03-02", "2026-03-16", "2026-03-16", "2026-03-05", "2026-03-06"})
	wantStrings(t, "history", w.history(id), []string{
		"receive by u-XZ01", "accept by u-XZ01", "forward by u-XZ01",
		"advance by cl.handler", "advance by cl.reviewer", "grant by cl.approver", "deliver by u-XZ01",
	})
}

// ---------------------------------------------------------------------------
// 4. Parallel stages with the rules "all" and "any".

// 残疾人两项补贴: a parallel stage of 民政 (mz) and 残联 (cl), each 承办 → 审核
// in 7 working days, rule "all"; then 民政 approves in 5 working days;
// promised 15 working days, no statutory limit.
//
// 临时救助 has a parallel stage of 民政 and the township office (xz), each
// 承办 → 审批 (5 and 3 working days), rule "any"; promised 5 working days.
// The demo catalog lets the township decide it (乡/县), and a matter the
// station may decide itself cannot be forwarded (caseflow.CheckMatter), so
// the township would never send it to central. The county publishes a
// catalog where it is decided at central only — as a county does when it
// takes a decision back up — and new cases follow that version.
func scenarioParallel(t *testing.T, w *world) {
	cat := catalog.Demo()
	for i := range cat.Matters {
		if cat.Matters[i].Name == "临时救助" {
			cat.Matters[i].Levels.Decide = []catalog.Level{catalog.Central}
		}
	}
	data, err := cat.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if v, err := w.srv.PublishCatalog(w.ctx, data, workcal.BuiltinJSON()); err != nil || v != 2 {
		t.Fatalf("publish: version %d, %v", v, err)
	}
	xz := w.station("XZ01")
	mzH, mzR, mzA := w.person("mz.handler"), w.person("mz.reviewer"), w.person("mz.approver")
	clH, clR := w.person("cl.handler"), w.person("cl.reviewer")
	xzH, xzA := w.person("xz.handler"), w.person("xz.approver")

	w.at(on(time.March, 2, 10, 0)) // Monday 2 March
	forward := func(matter string) uuid.UUID {
		rec := w.intake(xz, matter)
		w.pushOK(xz, rec, w.by(xz, rec.CaseID, caseflow.Accept), w.by(xz, rec.CaseID, caseflow.Forward))
		return rec.CaseID
	}
	all, allRefused, anyOne := forward("残疾人两项补贴"), forward("残疾人两项补贴"), forward("临时救助")
	if v := w.kase(anyOne).Matter.CatalogVersion; v != 2 {
		t.Fatalf("临时救助 case snapshot of catalog version %d, want 2", v)
	}
	// The forward opens the parallel stage at once (the engine's
	// start_parallel). 两项补贴: each branch due 7 working days after 2 Mar:
	// 3, 4, 5, 6, 9, 10, 11 → 11 Mar; the case due 15 → 23 Mar. 临时救助:
	// 民政 5 → 3, 4, 5, 6, 9 → 9 Mar; the township office 3 → 5 Mar; the
	// case 5 → 9 Mar.
	wantStrings(t, "两项补贴 tasks", tasks(mzH.getCase(t, all).Tasks), []string{"1/mz/handle due 2026-03-11", "1/cl/handle due 2026-03-11"})
	wantStrings(t, "临时救助 tasks", tasks(mzH.getCase(t, anyOne).Tasks), []string{"1/mz/handle due 2026-03-09", "1/xz/handle due 2026-03-05"})
	wantDates(t, "两项补贴", w.kase(all), dates{"2026-03-02", "2026-03-23", "", "", ""})
	wantDates(t, "临时救助", w.kase(anyOne), dates{"2026-03-02", "2026-03-09", "", "", ""})
	for _, id := range []uuid.UUID{all, allRefused, anyOne} {
		wantState(t, "forwarded", w.kase(id), caseflow.ParallelReview, caseflow.NoResult)
	}

	// Tue 3 Mar: every branch's handler.
	w.at(on(time.March, 3, 9, 0))
	mzH.mustAct(t, w.step(all, 0, "mz", catalog.Handle, true, "家庭经济状况核对通过"))
	clH.mustAct(t, w.step(all, 0, "cl", catalog.Handle, true, "残疾等级核实"))
	clH.mustAct(t, w.step(allRefused, 0, "cl", catalog.Handle, true, "残疾等级待核"))
	mzH.mustAct(t, w.step(anyOne, 0, "mz", catalog.Handle, true, "走访核实"))
	xzH.mustAct(t, w.step(anyOne, 0, "xz", catalog.Handle, true, "入户调查"))

	// Wed 4 Mar: 民政 finishes its branch of 两项补贴; the stage waits for
	// 残联. The township office refuses 临时救助; under "any" one refusal
	// decides nothing while another branch may still agree.
	w.at(on(time.March, 4, 9, 0))
	mzR.mustAct(t, w.step(all, 0, "mz", catalog.Review, true, "同意"))
	xzA.mustAct(t, w.step(anyOne, 0, "xz", catalog.Approve, false, "申请人家庭存款超过救助标准"))
	for _, id := range []uuid.UUID{all, anyOne} {
		wantState(t, "one branch done", w.kase(id), caseflow.ParallelReview, caseflow.NoResult)
	}
	wantStrings(t, "两项补贴 tasks after 民政", tasks(mzH.getCase(t, all).Tasks), []string{"1/cl/review due 2026-03-11"})

	// Thu 5 Mar.
	w.at(on(time.March, 5, 9, 0))
	// 残联 agrees: "all" agree, the engine closes the stage (finish_parallel)
	// and 民政's approve stage opens, due 5 working days after 5 Mar: 6, 9,
	// 10, 11, 12 → 12 Mar; it decides the case.
	clR.mustAct(t, w.step(all, 0, "cl", catalog.Review, true, "同意"))
	c := w.kase(all)
	wantState(t, "stage 1 done", c, caseflow.UnderReview, caseflow.NoResult)
	wantStrings(t, "两项补贴 tasks after the stage", tasks(mzA.getCase(t, all).Tasks), []string{"2/mz/approve due 2026-03-12 decides"})
	// 残联 disagrees on the other 两项补贴 case: under "all" one refusal
	// refuses at once, without waiting for 民政, with 残联's opinion as the
	// reason and the standard remedies.
	clR.mustAct(t, w.step(allRefused, 0, "cl", catalog.Review, false, "残疾等级不符合护理补贴条件"))
	c = w.kase(allRefused)
	wantState(t, "all, one refusal", c, caseflow.Decided, caseflow.Refused)
	if d := c.Decision; d == nil || !slices.Equal(d.Reasons, []string{"cl：残疾等级不符合护理补贴条件"}) ||
		!slices.Equal(d.Remedies, []string{casefile.StandardRemedies}) || d.By.Role != caseflow.System || d.On != date(time.March, 5) {
		t.Errorf("refusal %+v", d)
	}
	// 民政 agrees on 临时救助: under "any" one approval grants, whatever the
	// township office said; the case is decided on 5 Mar.
	mzA.mustAct(t, w.step(anyOne, 0, "mz", catalog.Approve, true, "情况属实，同意救助"))
	c = w.kase(anyOne)
	wantState(t, "any, one approval", c, caseflow.Decided, caseflow.Granted)
	if d := c.Decision; d == nil || !slices.Equal(d.Reasons, []string{"mz：情况属实，同意救助"}) || d.By.Role != caseflow.System {
		t.Errorf("grant %+v", d)
	}
	// 民政's approver grants 两项补贴.
	mzA.mustAct(t, w.central(all, caseflow.Grant))
	c = w.kase(all)
	wantState(t, "all, granted", c, caseflow.Decided, caseflow.Granted)
	wantDates(t, "两项补贴 decided", c, dates{"2026-03-02", "2026-03-23", "", "2026-03-05", ""})

	wantStrings(t, "两项补贴 history", w.history(all), []string{
		"receive by u-XZ01", "accept by u-XZ01", "forward by u-XZ01", "start_parallel by scheduler",
		"advance by mz.handler", "advance by cl.handler", "advance by mz.reviewer", "advance by cl.reviewer",
		"finish_parallel by scheduler", "grant by mz.approver",
	})
	wantStrings(t, "refused 两项补贴 history", w.history(allRefused), []string{
		"receive by u-XZ01", "accept by u-XZ01", "forward by u-XZ01", "start_parallel by scheduler",
		"advance by cl.handler", "advance by cl.reviewer", "refuse by scheduler",
	})
	wantStrings(t, "临时救助 history", w.history(anyOne), []string{
		"receive by u-XZ01", "accept by u-XZ01", "forward by u-XZ01", "start_parallel by scheduler",
		"advance by mz.handler", "advance by xz.handler", "advance by xz.approver", "advance by mz.approver",
		"grant by scheduler",
	})
	// The decisions flow back to the township.
	decided := 0
	for _, pc := range w.pull(xz).Cases {
		if pc.Status.State == string(caseflow.Decided) {
			decided++
		}
	}
	if decided != 3 {
		t.Errorf("the township sees %d decided cases, want 3", decided)
	}
}

// ---------------------------------------------------------------------------
// 5. A supplement round trip: central → station → central.

func scenarioSupplement(t *testing.T, w *world) {
	xz := w.station("XZ01")
	handler := w.person("cl.handler")
	w.at(on(time.March, 2, 10, 0)) // Monday 2 March
	rec := w.intake(xz, "残疾人证核发")
	id := rec.CaseID
	w.pushOK(xz, rec, w.by(xz, id, caseflow.Accept), w.by(xz, id, caseflow.Forward))
	// Accepted 2 Mar, due 16 Mar (10 working days, see scenario 3).
	wantDates(t, "forwarded", w.kase(id), dates{"2026-03-02", "2026-03-16", "2026-03-16", "", ""})

	// Tue 3 Mar 10:00: the handler returns it with one notice listing
	// everything missing. The clock stops: no due date while it is out.
	w.at(on(time.March, 3, 10, 0))
	ret := w.central(id, caseflow.ReturnForSupplement)
	ret.Notice = &casefile.Notice{Items: []casefile.MissingItem{
		{Material: "photos", Name: "近期二寸免冠白底彩色照片", Note: "所交为生活照，须白底证件照 3 张"},
		{Material: "assessment", Name: "残疾评定表", Note: "缺少评残医疗机构盖章"},
	}}
	handler.mustAct(t, ret)
	c := w.kase(id)
	wantState(t, "returned", c, caseflow.Returned, caseflow.NoResult)
	if c.StoppedOn != date(time.March, 3) {
		t.Errorf("stopped on %s, want 2026-03-03", c.StoppedOn)
	}
	wantDates(t, "returned", c, dates{"2026-03-02", "", "", "", ""})

	// The township pulls the notice: both items, as the handler wrote them.
	w.at(on(time.March, 3, 16, 0))
	p := w.pull(xz)
	last := p.Entries[len(p.Entries)-1].Change
	if last.Action != string(caseflow.ReturnForSupplement) || len(last.Notice.GetItems()) != 2 ||
		last.Notice.Items[0].Material != "photos" || last.Notice.Items[1].Note != "缺少评残医疗机构盖章" {
		t.Fatalf("the township pulled %s with notice %v", last.Action, last.Notice)
	}
	if p.Cases[0].Status.State != string(caseflow.Returned) {
		t.Fatalf("the township's copy is %s", p.Cases[0].Status.State)
	}

	// Mon 9 Mar 09:30: the applicant brings both; the clerk records the
	// supplement and it goes back to central.
	w.at(on(time.March, 9, 9, 30))
	sup := w.by(xz, id, caseflow.Supplement)
	sup.Materials = []casefile.MaterialRecord{
		{Code: "photos", Received: true, Original: true},
		{Code: "assessment", Received: true, Original: true},
	}
	w.pushOK(xz, sup)
	// Back under review where it was. The clock stood still for the working
	// days in (3 Mar, 9 Mar]: Wed 4, Thu 5, Fri 6, Mon 9 = 4 (7–8 Mar is a
	// weekend). Due = 10 + 4 = 14 working days after 2 Mar: 16 Mar is the
	// 10th, 17 (11), 18 (12), 19 (13), Fri 20 (14) → 20 Mar, promised and
	// legal.
	c = w.kase(id)
	wantState(t, "supplemented", c, caseflow.UnderReview, caseflow.NoResult)
	wantDates(t, "supplemented", c, dates{"2026-03-02", "2026-03-20", "2026-03-20", "", ""})
	if !slices.Equal(c.Stopped, []workcal.Span{{From: date(time.March, 3), To: date(time.March, 9)}}) {
		t.Errorf("stopped %v", c.Stopped)
	}
	// The handler's task moves the same way: due 20 Mar, 9 working days
	// left from 9 Mar (10–13, 16–20).
	if it := item(handler.inbox(t), id); it == nil || it.Step != "handle" || it.Due != "2026-03-20" || it.DaysLeft != 9 {
		t.Errorf("handler's inbox item %+v", it)
	}
}

// ---------------------------------------------------------------------------
// 6. A suspension and an extension across the 2026 Spring Festival.

func scenarioSuspendExtend(t *testing.T, w *world) {
	xz := w.station("XZ01")
	handler, head := w.person("cl.handler"), w.person("cl.head")
	w.at(on(time.February, 11, 10, 0)) // Wednesday 11 February
	rec := w.intake(xz, "残疾人证核发")
	id := rec.CaseID
	w.pushOK(xz, rec, w.by(xz, id, caseflow.Accept), w.by(xz, id, caseflow.Forward))
	// 10 working days after Wed 11 Feb: Thu 12 (1), Fri 13 (2), Sat 14
	// make-up (3), 15–23 holiday, Tue 24 (4), 25 (5), 26 (6), 27 (7), Sat
	// 28 make-up (8), Mon 2 Mar (9), Tue 3 Mar (10) → 3 Mar.
	wantDates(t, "accepted", w.kase(id), dates{"2026-02-11", "2026-03-03", "2026-03-03", "", ""})

	// Fri 13 Feb: the handler suspends for the 公示 (public notice); the
	// clock stops.
	w.at(on(time.February, 13, 11, 0))
	sus := w.central(id, caseflow.Suspend)
	sus.Suspension = &casefile.Suspension{Procedure: catalog.PublicNotice, ExpectedDays: 7, Note: "残疾等级公示"}
	handler.mustAct(t, sus)
	c := w.kase(id)
	wantState(t, "suspended", c, caseflow.Suspended, caseflow.NoResult)
	wantDates(t, "suspended", c, dates{"2026-02-11", "", "", "", ""})

	// Wed 25 Feb: the notice period is over; the handler resumes. Stopped:
	// the working days in (13 Feb, 25 Feb] = Sat 14 (make-up), Tue 24, Wed 25
	// = 3 (15–23 Feb are holidays and count for nothing). Due = 13 working
	// days after 11 Feb: 3 Mar (10), 4 (11), 5 (12), Fri 6 (13) → 6 Mar.
	w.at(on(time.February, 25, 9, 0))
	handler.mustAct(t, w.central(id, caseflow.Resume))
	c = w.kase(id)
	wantState(t, "resumed", c, caseflow.UnderReview, caseflow.NoResult)
	wantDates(t, "resumed", c, dates{"2026-02-11", "2026-03-06", "2026-03-06", "", ""})

	// Thu 26 Feb: a handler may not extend; the head does, once, by 10
	// working days: 6 Mar + 10 → 9–13 (1–5), 16–20 (6–10) → Fri 20 Mar.
	w.at(on(time.February, 26, 10, 0))
	ext := func() *casefile.Change {
		ch := w.central(id, caseflow.Extend)
		ch.Extension = &casefile.Extension{Days: casefile.ExtensionDays, Reason: "需补充调取既往病历", Approver: "残联分管领导"}
		return ch
	}
	before := map[uuid.UUID]fingerprint{id: w.fingerprint(id)}
	_, err := handler.act(ext())
	w.refused(t, "a handler extending", err, connect.CodePermissionDenied, "role_not_allowed", before)
	head.mustAct(t, ext())
	c = w.kase(id)
	wantDates(t, "extended", c, dates{"2026-02-11", "2026-03-20", "2026-03-20", "", ""})
	if !c.Status.Extended || c.Extension == nil || c.Extension.Approver != "残联分管领导" {
		t.Errorf("extension %+v", c.Extension)
	}
	before = map[uuid.UUID]fingerprint{id: w.fingerprint(id)}
	_, err = head.act(ext())
	w.refused(t, "a second extension", err, connect.CodeFailedPrecondition, "already_extended", before)
}

// ---------------------------------------------------------------------------
// 7. Refusal; withdrawal at the applicant's request.

func scenarioRefusalWithdrawal(t *testing.T, w *world) {
	xz := w.station("XZ01")
	handler, reviewer, approver := w.person("cl.handler"), w.person("cl.reviewer"), w.person("cl.approver")
	w.at(on(time.March, 2, 10, 0))
	forward := func() uuid.UUID {
		rec := w.intake(xz, "残疾人证核发")
		w.pushOK(xz, rec, w.by(xz, rec.CaseID, caseflow.Accept), w.by(xz, rec.CaseID, caseflow.Forward))
		return rec.CaseID
	}
	refused, withdrawn := forward(), forward()

	w.at(on(time.March, 3, 9, 0))
	handler.mustAct(t, w.step(refused, 0, "cl", catalog.Handle, true, "已初审"))
	handler.mustAct(t, w.step(withdrawn, 0, "cl", catalog.Handle, true, "已初审"))

	w.at(on(time.March, 4, 9, 0))
	in := reviewer.inbox(t)
	if item(in, refused) == nil || item(in, withdrawn) == nil || in.Total != 2 {
		t.Fatalf("reviewer's inbox: %d items", in.Total)
	}
	reviewer.mustAct(t, w.step(refused, 0, "cl", catalog.Review, false, "评残结论与申请等级不符"))

	// Wed 4 Mar 11:00: the applicant of the other case asks the township to
	// withdraw. A withdrawal without a reason is refused and changes nothing.
	w.at(on(time.March, 4, 11, 0))
	before := map[uuid.UUID]fingerprint{withdrawn: w.fingerprint(withdrawn)}
	r := w.push(xz, w.by(xz, withdrawn, caseflow.Withdraw))[0]
	if r.Outcome != syncv1.PushResult_OUTCOME_REJECTED || r.Reason != "withdraw_reason" || r.Code != "invalid_argument" {
		t.Errorf("withdrawal without a reason: %v %s %s", r.Outcome, r.Reason, r.Code)
	}
	w.unchanged(t, "withdrawal without a reason", before)
	wd := w.by(xz, withdrawn, caseflow.Withdraw)
	wd.Note = "申请人申请撤回"
	w.pushOK(xz, wd)
	c := w.kase(withdrawn)
	wantState(t, "withdrawn", c, caseflow.Closed, caseflow.Withdrawn)
	wantDates(t, "withdrawn", c, dates{"2026-03-02", "2026-03-16", "2026-03-16", "", "2026-03-04"})
	// It leaves the department's inbox (where the other case now waits for
	// the approver), and nobody can work on it any more.
	if in := reviewer.departmentInbox(t); in.Total != 1 || item(in, withdrawn) != nil || item(in, refused).GetStep() != "approve" {
		t.Errorf("the department's inbox after the withdrawal: %v", in.Items)
	}
	before = map[uuid.UUID]fingerprint{withdrawn: w.fingerprint(withdrawn)}
	_, err := reviewer.act(w.step(withdrawn, 0, "cl", catalog.Review, true, ""))
	w.refused(t, "reviewing a withdrawn case", err, connect.CodeFailedPrecondition, "illegal_transition", before)

	// Thu 5 Mar: the approver refuses. Without reasons, or with reasons but
	// not the applicant's remedies, Act fails and nothing changes.
	w.at(on(time.March, 5, 10, 0))
	refuse := func(d *casefile.Decision) *casefile.Change {
		ch := w.central(refused, caseflow.Refuse)
		ch.Decision = d
		return ch
	}
	reasons := []string{"经评残，申请人残疾等级未达到办证标准（《残疾人残疾分类和分级》GB/T 26341-2010）。"}
	for name, d := range map[string]*casefile.Decision{
		"no decision":            nil,
		"no reasons or remedies": {},
		"reasons, no remedies":   {Reasons: reasons},
		"remedies, no reasons":   {Remedies: []string{casefile.StandardRemedies}},
		"blank reasons":          {Reasons: []string{"  "}, Remedies: []string{casefile.StandardRemedies}},
	} {
		before := map[uuid.UUID]fingerprint{refused: w.fingerprint(refused)}
		_, err := approver.act(refuse(d))
		w.refused(t, "refusal with "+name, err, connect.CodeInvalidArgument, "reasons_required", before)
	}
	approver.mustAct(t, refuse(&casefile.Decision{Reasons: reasons, Remedies: []string{casefile.StandardRemedies}}))
	c = w.kase(refused)
	wantState(t, "refused", c, caseflow.Decided, caseflow.Refused)
	if c.Decision == nil || !slices.Equal(c.Decision.Reasons, reasons) || c.Decision.By.User != "cl.approver" {
		t.Errorf("decision %+v", c.Decision)
	}

	// Fri 6 Mar: the township pulls the refusal and posts the notice.
	w.at(on(time.March, 6, 10, 0))
	var got *syncv1.Change
	for _, e := range w.pull(xz).Entries {
		if e.Change.Action == string(caseflow.Refuse) {
			got = e.Change
		}
	}
	if got == nil || !slices.Equal(got.Decision.GetReasons(), reasons) || !slices.Equal(got.Decision.GetRemedies(), []string{casefile.StandardRemedies}) {
		t.Fatalf("the township pulled %v", got)
	}
	del := w.by(xz, refused, caseflow.Deliver)
	del.Delivery = &casefile.Delivery{Method: casefile.ByPost, Note: "EMS 1234567890"}
	w.pushOK(xz, del)
	c = w.kase(refused)
	wantState(t, "refusal delivered", c, caseflow.Closed, caseflow.Refused)
	wantDates(t, "refusal delivered", c, dates{"2026-03-02", "2026-03-16", "2026-03-16", "2026-03-05", "2026-03-06"})
}

// ---------------------------------------------------------------------------
// 8. Each warning raised once, on the expected working day.

// 农村宅基地和建房审批, accepted at the township on Mon 16 Mar and forwarded:
// a parallel stage of 自然资源 (zr) and 农业农村 (nn), each 承办 → 审核 in 10
// working days, then 自然资源 approves; promised 15, legal 20 working days.
// Nobody at central acts.
//
//   - Promised due: 15 working days after 16 Mar: 17–20 (1–4), 23–27 (5–9),
//     30, 31 (10, 11), 1–3 Apr (12–14), 4–6 Apr Qingming, Tue 7 Apr (15).
//   - Legal due: 8, 9, 10 (16–18), 13 (19), Tue 14 Apr (20).
//   - Each branch's sub-deadline: 10 working days after the stage opened on
//     16 Mar → Mon 30 Mar.
//
// So, with the default rules (reminder 1 working day ahead):
//
//   - Tue 31 Mar: a step yellow card for each branch's handle step;
//   - Fri 3 Apr: the reminder, on the working day before 7 Apr (4–6 Apr
//     are holidays, so not Mon 6 Apr);
//   - Wed 8 Apr: the yellow card, the day after the promised due date;
//   - Wed 15 Apr: the red card, the day after the legal due date.
var expectedWarnings = map[workcal.Date][]string{
	date(time.March, 31): {"yellow stage1/nn/handle", "yellow stage1/zr/handle"},
	date(time.April, 3):  {"reminder "},
	date(time.April, 8):  {"yellow "},
	date(time.April, 15): {"red "},
}

const warningsInAll = 5

func warningKeys(ws []casefile.Warning, raised workcal.Date) []string {
	var out []string
	for _, w := range ws {
		if raised.IsZero() || w.Raised == raised {
			out = append(out, string(w.Level)+" "+w.Scope)
		}
	}
	sort.Strings(out)
	return out
}

func (w *world) forwardHousing(st *station) uuid.UUID {
	rec := w.intake(st, "农村宅基地和建房审批")
	w.pushOK(st, rec, w.by(st, rec.CaseID, caseflow.Accept), w.by(st, rec.CaseID, caseflow.Forward))
	return rec.CaseID
}

func scenarioWarnings(t *testing.T, w *world) {
	xz := w.station("XZ01")
	w.at(on(time.March, 16, 10, 0))
	id := w.forwardHousing(xz)
	wantDates(t, "forwarded", w.kase(id), dates{"2026-03-16", "2026-04-07", "2026-04-14", "", ""})
	head := w.person("zr.head")

	for d := date(time.March, 16); !d.After(date(time.April, 20)); d = d.AddDays(1) {
		w.at(d.Time().Add(8 * time.Hour))
		want := expectedWarnings[d]
		if n := w.scan(); n != len(want) {
			t.Errorf("%s: scan raised %d warnings, want %d %q", d, n, len(want), want)
		}
		if got := warningKeys(w.kase(id).Warnings, d); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%s: raised %q, want %q", d, got, want)
		}
		if n := w.scan(); n != 0 { // the same day again: nothing new
			t.Errorf("%s: a second scan raised %d", d, n)
		}
		if d == date(time.April, 15) {
			// A red card puts the case in the implementing department's
			// head's inbox (rule: escalate red).
			in := head.inbox(t)
			if it := item(in, id); it == nil || !it.Escalated || it.Warning != "red" || in.Red != 1 {
				t.Errorf("head's inbox item %+v (red %d)", it, in.Red)
			}
		}
	}
	c := w.kase(id)
	if len(c.Warnings) != warningsInAll {
		t.Errorf("the case carries %d warnings, want %d", len(c.Warnings), warningsInAll)
	}
	// Each is one change in the history, by the scheduler, and syncs to the
	// township.
	warns := 0
	for _, ch := range w.changes(id) {
		if ch.Action == string(caseflow.Warn) {
			warns++
			if ch.Actor.Role != string(caseflow.System) {
				t.Errorf("warning by %s", ch.Actor.Role)
			}
		}
	}
	if warns != warningsInAll {
		t.Errorf("%d warn changes in the history, want %d", warns, warningsInAll)
	}
	pulled := 0
	for _, e := range w.pull(xz).Entries {
		if e.Change.Action == string(caseflow.Warn) {
			pulled++
		}
	}
	if pulled != warningsInAll {
		t.Errorf("the township pulled %d warnings, want %d", pulled, warningsInAll)
	}
}

// The same cases and days with two server processes — two server.New over
// two sqlite.Open of the same file — scanning at the same moment each day:
// each warning is still raised exactly once.
func scenarioWarningsTwoProcesses(t *testing.T, w *world) {
	other, err := sqlite.Open(w.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.Now = w.clock.Now
	second := server.New(server.Config{Store: other, Now: w.clock.Now})
	servers := []*server.Server{w.srv, second}

	w.at(on(time.March, 16, 10, 0))
	xz, xz2 := w.station("XZ01"), w.station("XZ02")
	ids := []uuid.UUID{w.forwardHousing(xz), w.forwardHousing(xz), w.forwardHousing(xz2)}

	for d := date(time.March, 16); !d.After(date(time.April, 20)); d = d.AddDays(1) {
		w.at(d.Time().Add(8 * time.Hour))
		for round := range 2 { // the second round finds nothing left to raise
			var wg sync.WaitGroup
			raised := make([]int, len(servers))
			errs := make([]error, len(servers))
			for i, s := range servers {
				wg.Go(func() { raised[i], errs[i] = s.ScanWarnings(w.ctx) })
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatalf("%s: scan: %v", d, err)
				}
			}
			want := len(ids) * len(expectedWarnings[d])
			if round == 1 {
				want = 0
			}
			if raised[0]+raised[1] != want {
				t.Errorf("%s round %d: the two processes raised %d + %d, want %d in all", d, round, raised[0], raised[1], want)
			}
		}
	}
	for _, id := range ids {
		var got []string
		for _, ch := range w.changes(id) {
			if ch.Action == string(caseflow.Warn) {
				got = append(got, ch.Warning.Level+" "+ch.Warning.Scope)
			}
		}
		sort.Strings(got)
		wantStrings(t, "warn changes of "+id.String(), got, []string{"red ", "reminder ", "yellow ", "yellow stage1/nn/handle", "yellow stage1/zr/handle"})
		if n := len(w.kase(id).Warnings); n != warningsInAll {
			t.Errorf("case %s carries %d warnings", id, n)
		}
	}
	// Both processes appended to one audit chain, which still verifies.
	es, err := w.store.AuditEntries(w.ctx, 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	if p := audit.Verify(es); p != nil {
		t.Errorf("audit trail: %v", p)
	}
}

// ---------------------------------------------------------------------------
// 9. Figures of a month, and a bad review's follow-up.

// Seven cases at two townships, closed or not in March 2026 (rectification
// deadline configured to 7 working days):
//
//	case  station  dept  matter (P / L)                 accepted  closed        A   on time  in legal  rating
//	C0    XZ01     zr    乡村建设规划许可证 (10 / 20)       26 Feb    3 Mar granted  4   yes      yes       —
//	C1    XZ01     rs    养老保险参保登记 (0 / 3, 即办)      2 Mar     2 Mar on spot  0   yes      yes       5
//	C2    XZ01     zr    乡村建设规划许可证 (10 / 20)       2 Mar     6 Mar granted  4   yes      yes       2 (named, 30 Mar)
//	C3    XZ02     zr    乡村建设规划许可证 (10 / 20)       2 Mar     31 Mar granted 21  no       no        4
//	C4    XZ02     mz    特困人员认定 (15 / 15)            3 Mar     open          —   —        —         —
//	C5    XZ02     yb    医保参保登记 (0 / —, 即办)         4 Mar     4 Mar on spot  0   yes      —         —
//	C6    XZ01     rs    社保卡申领 (0 / —, 即办)           10 Mar    10 Mar on spot 0   yes      —         3
//
// A (working days used): C0 27 Feb, Sat 28 Feb (make-up), 2, 3 Mar = 4; C2 3,
// 4, 5, 6 Mar = 4; C3 3–6, 9–13, 16–20, 23–27, 30, 31 Mar = 21 (> P 10, > L 20).
func scenarioFigures(t *testing.T, w *world) {
	xz, xz2 := w.station("XZ01"), w.station("XZ02")
	admin, zr := w.person("admin"), w.person("zr.handler")
	receiveAccept := func(st *station, matter string) uuid.UUID {
		rec := w.intake(st, matter)
		w.pushOK(st, rec, w.by(st, rec.CaseID, caseflow.Accept))
		return rec.CaseID
	}
	onTheSpot := func(st *station, matter string) uuid.UUID {
		id := receiveAccept(st, matter)
		w.pushOK(st, w.by(st, id, caseflow.CloseOnSpot))
		return id
	}
	grant := func(st *station, id uuid.UUID) { w.pushOK(st, w.by(st, id, caseflow.Grant)) }
	deliver := func(st *station, id uuid.UUID) {
		ch := w.by(st, id, caseflow.Deliver)
		ch.Delivery = &casefile.Delivery{Method: casefile.AtWindow}
		w.pushOK(st, ch)
	}
	rate := func(st *station, id uuid.UUID, level int, named bool, comment string) {
		ch := w.by(st, id, caseflow.Rate)
		ch.Rating = &casefile.Rating{Level: level, Named: named, Comment: comment}
		w.pushOK(st, ch)
	}

	w.at(on(time.February, 26, 10, 0))
	c0 := receiveAccept(xz, "乡村建设规划许可证")
	w.at(on(time.March, 2, 9, 0))
	c1 := onTheSpot(xz, "城乡居民养老保险参保登记")
	rate(xz, c1, 5, false, "")
	w.at(on(time.March, 2, 10, 0))
	c2 := receiveAccept(xz, "乡村建设规划许可证")
	w.at(on(time.March, 2, 11, 0))
	c3 := receiveAccept(xz2, "乡村建设规划许可证")
	w.at(on(time.March, 3, 9, 0))
	grant(xz, c0)
	w.at(on(time.March, 3, 10, 0))
	deliver(xz, c0)
	c4 := receiveAccept(xz2, "特困人员认定")
	w.at(on(time.March, 4, 10, 0))
	onTheSpot(xz2, "城乡居民医保参保登记") // C5
	w.at(on(time.March, 5, 15, 0))
	grant(xz, c2)
	w.at(on(time.March, 6, 10, 0))
	deliver(xz, c2)
	w.at(on(time.March, 10, 10, 0))
	c6 := onTheSpot(xz, "社保卡申领/补换")
	rate(xz, c6, 3, false, "")
	w.at(on(time.March, 30, 9, 0))
	grant(xz2, c3)
	// Mon 30 Mar: C2's applicant, long after closure, leaves a named bad
	// review (level 2) at the township. It opens a rectification due 7
	// working days later: 31 Mar (1), 1–3 Apr (2–4), 4–6 Apr Qingming, 7
	// (5), 8 (6), Thu 9 Apr (7).
	w.at(on(time.March, 30, 14, 0))
	rate(xz, c2, 2, true, "窗口让我跑了两次才说清缺什么材料")
	w.at(on(time.March, 31, 10, 0))
	deliver(xz2, c3)
	rate(xz2, c3, 4, false, "")
	wantState(t, "C4 at the end of March", w.kase(c4), caseflow.Accepted, caseflow.NoResult)

	w.at(on(time.April, 1, 9, 0))
	rs, err := admin.sup.Rectifications(w.ctx, connect.NewRequest(&centralv1.RectificationsRequest{OpenOnly: true}))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Msg.Items) != 1 {
		t.Fatalf("%d open rectifications, want 1", len(rs.Msg.Items))
	}
	if r := rs.Msg.Items[0]; r.CaseId != c2.String() || r.Rating != 2 || !r.Named || r.Station != "XZ01" || r.Department != "zr" ||
		r.OpenedOn != "2026-03-30" || r.DueOn != "2026-04-09" {
		t.Errorf("rectification %+v", r)
	}

	march := &centralv1.FiguresRequest{From: "2026-03-01", To: "2026-03-31"}
	figures := func(by string) *centralv1.FiguresResponse {
		t.Helper()
		req := proto.Clone(march).(*centralv1.FiguresRequest)
		req.GroupBy = by
		resp, err := admin.sup.Figures(w.ctx, connect.NewRequest(req))
		if err != nil {
			t.Fatal(err)
		}
		return resp.Msg
	}
	// Before the follow-up. Rates as num/den; "—" figures are 0/0.
	//
	// Total: accepted in March C1–C6 = 6 (C0 was accepted in February);
	// closed C0, C1, C2, C3, C5, C6 = 6; on the spot C1, C5, C6 = 3/6; on
	// time all but C3 = 5/6; within the legal limit, of the 4 with one (C0,
	// C1, C2, C3), all but C3 = 3/4; rated C1, C2, C3, C6 = 4/6; the 4
	// ratings in March (5, 2, 4, 3): satisfied (3–5) 3/4, bad 1/4; the bad
	// one not yet rectified 0/1 nor followed up 0/1. Average days over
	// closed promised-time cases (C0, C2, C3): (4 + 4 + 21) / 3 = 9.66 →
	// 966 hundredths; actual speed-up over them (L = 20 each): (16 + 16 − 1)
	// / 60 = 31/60.
	//
	// XZ01 (C0, C1, C2, C6): accepted 3, closed 4, on the spot 2/4, on time
	// 4/4, legal 3/3, rated 3/4, ratings 5, 2, 3: satisfied 2/3, bad 1/3,
	// rectified 0/1, followed up 0/1. Ranked 1st (on time 100 %).
	// XZ02 (C3, C4, C5): accepted 3, closed 2, on the spot 1/2, on time 1/2,
	// legal 0/1, rated 1/2, rating 4: satisfied 1/1, bad 0/1, no bad review
	// 0/0. Ranked 2nd.
	//
	// By department: rs (C1, C6): 2, 2, 2/2, 2/2, 1/1, 2/2, 2/2, 0/2.
	// zr (C0, C2, C3): 2, 3, 0/3, 2/3, 2/3, 2/3, ratings 2, 4: 1/2, 1/2,
	// 0/1, 0/1. mz (C4): accepted 1, nothing closed. yb (C5): 1, 1, 1/1,
	// 1/1, 0/0, 0/1, no ratings.
	type r = [2]int32
	want := map[string]figs{
		"":     {6, 6, r{3, 6}, r{5, 6}, r{3, 4}, r{4, 6}, r{3, 4}, r{1, 4}, r{0, 1}, r{0, 1}, 0},
		"XZ01": {3, 4, r{2, 4}, r{4, 4}, r{3, 3}, r{3, 4}, r{2, 3}, r{1, 3}, r{0, 1}, r{0, 1}, 1},
		"XZ02": {3, 2, r{1, 2}, r{1, 2}, r{0, 1}, r{1, 2}, r{1, 1}, r{0, 1}, r{0, 0}, r{0, 0}, 2},
		"rs":   {2, 2, r{2, 2}, r{2, 2}, r{1, 1}, r{2, 2}, r{2, 2}, r{0, 2}, r{0, 0}, r{0, 0}, 1},
		"zr":   {2, 3, r{0, 3}, r{2, 3}, r{2, 3}, r{2, 3}, r{1, 2}, r{1, 2}, r{0, 1}, r{0, 1}, 3},
		"mz":   {1, 0, r{0, 0}, r{0, 0}, r{0, 0}, r{0, 0}, r{0, 0}, r{0, 0}, r{0, 0}, r{0, 0}, 0},
		"yb":   {1, 1, r{1, 1}, r{1, 1}, r{0, 0}, r{0, 1}, r{0, 0}, r{0, 0}, r{0, 0}, r{0, 0}, 2},
	}
	// Department ranks, by on-time rate, then satisfaction (a group without
	// ratings below any with), then closed count: rs 2/2 = 100 % with
	// ratings; yb 1/1 = 100 % without ratings; zr 2/3. mz closed nothing and
	// is not ranked.
	check := func(when string, resp *centralv1.FiguresResponse, keys ...string) {
		t.Helper()
		if got := figsOf(resp.Total); got != want[""] {
			t.Errorf("%s: total\n got %+v\nwant %+v", when, got, want[""])
		}
		var gotKeys []string
		for _, g := range resp.Groups {
			gotKeys = append(gotKeys, g.Key)
			if got := figsOf(g); got != want[g.Key] {
				t.Errorf("%s: %s\n got %+v\nwant %+v", when, g.Key, got, want[g.Key])
			}
		}
		sort.Strings(gotKeys)
		wantStrings(t, when+": groups", gotKeys, keys)
	}
	byStation := figures("station")
	check("before, by station", byStation, "XZ01", "XZ02")
	if byStation.Total.AvgDaysX100 != 966 || byStation.Total.AvgDaysN != 3 || byStation.Total.ActualSpeedUp.Num != 31 || byStation.Total.ActualSpeedUp.Den != 60 {
		t.Errorf("average days ×100 %d over %d, actual speed-up %v", byStation.Total.AvgDaysX100, byStation.Total.AvgDaysN, byStation.Total.ActualSpeedUp)
	}
	check("before, by department", figures("department"), "mz", "rs", "yb", "zr")

	// 自然资源 handles the bad review: verified, rectified and answered on
	// Wed 1 Apr, followed up by phone on Thu 2 Apr — before its due date (9
	// Apr), so in time.
	follow := func(step, outcome, note string) (*centralv1.RecordFollowUpResponse, error) {
		resp, err := zr.sup.RecordFollowUp(w.ctx, connect.NewRequest(&centralv1.RecordFollowUpRequest{CaseId: c2.String(), Step: step, Outcome: outcome, Note: note}))
		if err != nil {
			return nil, err
		}
		return resp.Msg, nil
	}
	if _, err := follow("verified", "", " "); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("a follow-up step without a note: %v", err)
	}
	// Another department may not record it.
	if _, err := w.person("mz.handler").sup.RecordFollowUp(w.ctx, connect.NewRequest(&centralv1.RecordFollowUpRequest{
		CaseId: c2.String(), Step: "verified", Note: "代为核实"})); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("another department recording the follow-up: %v", err)
	}
	for _, s := range []string{"verified", "rectified", "answered"} {
		if _, err := follow(s, "", "已核实：窗口未一次性告知，已对经办人批评教育并整改"); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	w.at(on(time.April, 2, 10, 0))
	got, err := follow("followed_up", "satisfied", "电话回访，申请人表示满意")
	if err != nil {
		t.Fatal(err)
	}
	if it := got.Item; it.VerifiedOn != "2026-04-01" || it.RectifiedOn != "2026-04-01" || it.AnsweredOn != "2026-04-01" ||
		it.FollowedUpOn != "2026-04-02" || it.Outcome != "satisfied" {
		t.Errorf("rectification after the follow-up %+v", it)
	}
	// Rectified 1/1 and followed up in time 1/1, in the total, XZ01 and zr.
	for _, k := range []string{"", "XZ01", "zr"} {
		f := want[k]
		f.Rectified, f.FollowedUp = r{1, 1}, r{1, 1}
		want[k] = f
	}
	check("after, by station", figures("station"), "XZ01", "XZ02")
	check("after, by department", figures("department"), "mz", "rs", "yb", "zr")
}

// figs are the figures a scenario checks, rates as [num, den].
type figs struct {
	Accepted, Closed                             int32
	OnSpot, OnTime, Legal, Rated, Satisfied, Bad [2]int32
	Rectified, FollowedUp                        [2]int32
	Rank                                         int32
}

func figsOf(f *centralv1.Figures) figs {
	r := func(x *centralv1.Ratio) [2]int32 { return [2]int32{x.GetNum(), x.GetDen()} }
	return figs{f.Accepted, f.Closed, r(f.OnSpotRate), r(f.OnTimeRate), r(f.WithinLegalRate), r(f.RatingRate),
		r(f.Satisfaction), r(f.BadRate), r(f.RectificationRate), r(f.FollowUpRate), f.Rank}
}

// ---------------------------------------------------------------------------
// 10. Every action by a wrong role, department or station is refused and
// changes nothing.

func scenarioRefusals(t *testing.T, w *world) {
	xz, xz2 := w.station("XZ01"), w.station("XZ02")
	clH, clHead, mzH, mzR, admin := w.person("cl.handler"), w.person("cl.head"), w.person("mz.handler"), w.person("mz.reviewer"), w.person("admin")
	for _, p := range []*person{clH, clHead, mzH, mzR, admin} { // sign in first: sign-ins are audited too
		if _, err := p.session(w.ctx); err != nil {
			t.Fatal(err)
		}
	}
	w.at(on(time.March, 2, 10, 0))
	certRec := w.intake(xz, "残疾人证核发") // 残联 only
	cert := certRec.CaseID
	w.pushOK(xz, certRec, w.by(xz, cert, caseflow.Accept), w.by(xz, cert, caseflow.Forward))
	allowanceRec := w.intake(xz, "残疾人两项补贴") // 民政 + 残联 in parallel
	allowance := allowanceRec.CaseID
	w.pushOK(xz, allowanceRec, w.by(xz, allowance, caseflow.Accept), w.by(xz, allowance, caseflow.Forward))
	w.at(on(time.March, 2, 11, 0))

	deviceToken := syncapi.Credential(xz.deviceID, xz.secret)
	withHeader := func(value string) centralv1connect.ReviewServiceClient {
		return centralv1connect.NewReviewServiceClient(w.http.Client(), w.http.URL, connect.WithInterceptors(connect.UnaryInterceptorFunc(
			func(next connect.UnaryFunc) connect.UnaryFunc {
				return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
					if value != "" {
						req.Header().Set("Authorization", value)
					}
					return next(ctx, req)
				}
			})))
	}
	actErr := func(p *person, ch *casefile.Change) error { _, err := p.act(ch); return err }
	// A push is answered per change: a rejection is the change's outcome,
	// not the call's error; rejected turns it into the error it stands for.
	rejected := func(st *station, ch *casefile.Change) error {
		r := w.push(st, ch)[0]
		if r.Outcome != syncv1.PushResult_OUTCOME_REJECTED {
			return nil
		}
		ce := connect.NewError(codeNamed(r.Code), fmt.Errorf("%s", r.MessageEn))
		ce.Meta().Set(syncapi.HeaderReason, r.Reason)
		return ce
	}

	steps := []struct {
		name   string
		before func() // work that must succeed before this attempt
		call   func() error
		code   connect.Code
		reason string
	}{
		{"a handler granting", nil, func() error {
			return actErr(clH, w.central(cert, caseflow.Grant))
		}, connect.CodePermissionDenied, "role_not_allowed"},
		{"a handler skipping to the review step", nil, func() error {
			return actErr(clH, w.step(cert, 0, "cl", catalog.Review, true, ""))
		}, connect.CodeFailedPrecondition, "wrong_step"},
		{"a reviewer doing the handler's step", nil, func() error {
			return actErr(mzR, w.step(allowance, 0, "mz", catalog.Handle, true, ""))
		}, connect.CodePermissionDenied, "wrong_role"},
		{"another department's reviewer advancing (民政 on 残联's remaining branch)", func() {
			mzH.mustAct(t, w.step(allowance, 0, "mz", catalog.Handle, true, "核对通过"))
			mzR.mustAct(t, w.step(allowance, 0, "mz", catalog.Review, true, "同意"))
		}, func() error {
			return actErr(mzR, w.step(allowance, 0, "cl", catalog.Handle, true, ""))
		}, connect.CodePermissionDenied, "not_your_task"},
		{"another department's reviewer advancing a case it does not work on", nil, func() error {
			return actErr(mzR, w.step(cert, 0, "cl", catalog.Handle, true, ""))
		}, connect.CodeNotFound, "case_unknown"},
		{"a reviewer opening another department's case", nil, func() error {
			_, err := mzR.review.GetCase(w.ctx, connect.NewRequest(&centralv1.GetCaseRequest{CaseId: cert.String()}))
			return err
		}, connect.CodeNotFound, "case_unknown"},
		{"a reviewer unmasking another department's applicant", nil, func() error {
			_, err := mzR.review.Unmask(w.ctx, connect.NewRequest(&centralv1.UnmaskRequest{CaseId: cert.String(), Reason: "核对"}))
			return err
		}, connect.CodeNotFound, "case_unknown"},
		{"a reviewer reading another department's inbox", nil, func() error {
			_, err := mzR.review.Inbox(w.ctx, connect.NewRequest(&centralv1.InboxRequest{Department: "cl"}))
			return err
		}, connect.CodePermissionDenied, "other_department"},
		{"a head of another department extending", nil, func() error {
			ch := w.central(allowance, caseflow.Extend)
			ch.Extension = &casefile.Extension{Days: casefile.ExtensionDays, Reason: "需核查", Approver: "残联负责人"}
			return actErr(clHead, ch)
		}, connect.CodePermissionDenied, "not_your_task"},
		{"an admin acting", nil, func() error {
			return actErr(admin, w.step(cert, 0, "cl", catalog.Handle, true, ""))
		}, connect.CodePermissionDenied, "admin_no_case_actions"},
		{"a non-admin listing users", nil, func() error {
			_, err := mzR.admin.ListUsers(w.ctx, connect.NewRequest(&centralv1.ListUsersRequest{}))
			return err
		}, connect.CodePermissionDenied, ""},
		{"a non-admin creating a user", nil, func() error {
			_, err := clH.admin.SaveUser(w.ctx, connect.NewRequest(&centralv1.SaveUserRequest{Create: true, Password: "Another-pass-1",
				User: &centralv1.User{Username: "cl.approver2", Name: "冒名", Role: "approver", Department: "cl"}}))
			return err
		}, connect.CodePermissionDenied, ""},
		{"a non-admin publishing a catalog", nil, func() error {
			_, err := clH.admin.PublishCatalog(w.ctx, connect.NewRequest(&centralv1.PublishCatalogRequest{CatalogJson: catalog.DemoJSON(), CalendarJson: workcal.BuiltinJSON()}))
			return err
		}, connect.CodePermissionDenied, ""},
		{"a station's device credential calling ReviewService", nil, func() error {
			_, err := withHeader("Bearer "+deviceToken).GetCase(w.ctx, connect.NewRequest(&centralv1.GetCaseRequest{CaseId: cert.String()}))
			return err
		}, connect.CodeUnauthenticated, "no_session"},
		{"a station's device credential passed off as a session", nil, func() error {
			_, err := withHeader("Session "+deviceToken).Act(w.ctx, connect.NewRequest(&centralv1.ActRequest{Change: wire.ChangeToWire(w.step(cert, 0, "cl", catalog.Handle, true, ""))}))
			return err
		}, connect.CodeUnauthenticated, "no_session"},
		{"no session at all", nil, func() error {
			_, err := withHeader("").Inbox(w.ctx, connect.NewRequest(&centralv1.InboxRequest{}))
			return err
		}, connect.CodeUnauthenticated, "no_session"},
		{"a station pushing a change to another station's case", nil, func() error {
			ch := w.by(xz2, cert, caseflow.Withdraw)
			ch.Note = "申请人撤回"
			return rejected(xz2, ch)
		}, connect.CodePermissionDenied, "foreign_case"},
		{"a township deciding a case under central review", nil, func() error {
			return rejected(xz, w.by(xz, cert, caseflow.Grant))
		}, connect.CodePermissionDenied, "role_not_allowed"},
		{"a station claiming to be central's scheduler", nil, func() error {
			ch := w.by(xz, cert, caseflow.Warn)
			ch.Actor.Role = caseflow.System
			ch.Warning = &casefile.Warning{Level: casefile.Red}
			return rejected(xz, ch)
		}, connect.CodePermissionDenied, "role_not_allowed"},
		{"unmasking without a reason", nil, func() error {
			_, err := clH.review.Unmask(w.ctx, connect.NewRequest(&centralv1.UnmaskRequest{CaseId: cert.String(), Reason: "  "}))
			return err
		}, connect.CodeInvalidArgument, "unmask_reason"},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		before := map[uuid.UUID]fingerprint{cert: w.fingerprint(cert), allowance: w.fingerprint(allowance)}
		users := len(mustUsers(t, w))
		w.refused(t, s.name, s.call(), s.code, s.reason, before)
		if n := len(mustUsers(t, w)); n != users {
			t.Errorf("%s: %d users, was %d", s.name, n, users)
		}
	}

	// GetCase shows the applicant masked, in the case and in its history;
	// Unmask with a reason shows the full ID and phone and is audited.
	full := certRec.Intake.Applicant
	got := clH.getCase(t, cert)
	a := got.Case.Applicant
	if a.IdNumber != ident.MaskID(full.IDNumber) || a.IdNumber == full.IDNumber || !strings.Contains(a.IdNumber, "********") ||
		a.Phone != ident.MaskPhone(full.Phone) || a.Phone == full.Phone {
		t.Errorf("GetCase applicant %s %s, want masked %s %s", a.IdNumber, a.Phone, ident.MaskID(full.IDNumber), ident.MaskPhone(full.Phone))
	}
	if h := got.History[0].Change.Intake.Applicant; h.IdNumber != ident.MaskID(full.IDNumber) || h.Phone != ident.MaskPhone(full.Phone) {
		t.Errorf("history applicant %s %s, want masked", h.IdNumber, h.Phone)
	}
	auditBefore := w.auditLen()
	const why = "申请人来电查询进度，核对身份"
	un, err := clH.review.Unmask(w.ctx, connect.NewRequest(&centralv1.UnmaskRequest{CaseId: cert.String(), Reason: why}))
	if err != nil {
		t.Fatal(err)
	}
	if un.Msg.IdNumber != full.IDNumber || un.Msg.Phone != full.Phone {
		t.Errorf("unmasked %s %s, want %s %s", un.Msg.IdNumber, un.Msg.Phone, full.IDNumber, full.Phone)
	}
	es, err := w.store.AuditEntries(w.ctx, int64(auditBefore), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Kind != audit.Unmask || es[0].Actor != "cl.handler" || es[0].Subject != cert.String() || es[0].Detail != why {
		t.Errorf("audit after unmask: %+v", es)
	}
	if strings.Contains(es[0].Detail+es[0].Subject, full.IDNumber) {
		t.Error("the audit trail holds the full ID number")
	}
}

func mustUsers(t *testing.T, w *world) []store.User {
	t.Helper()
	us, err := w.store.Users(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return us
}

// codeNamed is the Connect code a push result names.
func codeNamed(name string) connect.Code {
	for c := connect.CodeCanceled; c <= connect.CodeUnauthenticated; c++ {
		if c.String() == name {
			return c
		}
	}
	return connect.CodeUnknown
}

// A reviewer's sign-in names every department and station, so the app can
// show 县人力资源和社会保障局 and 青山镇便民服务中心 instead of rs and XZ01
// without the catalog, which only administrators read.
func TestSignInNamesDepartmentsAndStations(t *testing.T) {
	w := newWorld(t, on(time.March, 2, 9, 0), nil)
	p := w.person("rs.handler")
	resp, err := w.auth.SignIn(w.ctx, connect.NewRequest(&centralv1.SignInRequest{Username: p.username, Password: staffPassword}))
	if err != nil {
		t.Fatal(err)
	}
	names := func(ns []*centralv1.Named) map[string]string {
		m := map[string]string{}
		for _, n := range ns {
			m[n.Code] = n.Name
		}
		return m
	}
	depts, stations := names(resp.Msg.Departments), names(resp.Msg.Stations)
	if len(depts) != len(catalog.Demo().Departments) || depts["rs"] != "县人力资源和社会保障局" {
		t.Errorf("departments %v", depts)
	}
	if len(stations) != 3 || stations["XZ01"] != "青山镇便民服务中心" || stations["SQ01"] != "幸福村便民服务站" {
		t.Errorf("stations %v", stations)
	}
}
