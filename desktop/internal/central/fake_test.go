package central

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/desktop/internal/centraldesk"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
	"github.com/bianmin/bianmin/shared/gen/bianmin/central/v1/centralv1connect"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// fakeCentral is an in-memory stand-in for central's staff API, for these
// unit tests only: it serves the generated Connect handlers over httptest,
// checks sessions, and runs review actions through the real casefile.Apply,
// so the cases move exactly as they would at central. The end-to-end test
// (e2e_test.go) runs the real syncserver instead.
type fakeCentral struct {
	centralv1connect.UnimplementedAuthServiceHandler
	centralv1connect.UnimplementedReviewServiceHandler
	centralv1connect.UnimplementedSupervisionServiceHandler
	centralv1connect.UnimplementedAdminServiceHandler

	mu       sync.Mutex
	srv      *httptest.Server
	now      time.Time
	cat      *catalog.Catalog
	cal      *workcal.Calendar
	users    map[string]*fakeUser
	sessions map[string]string
	cases    map[string]*casefile.Case
	order    []string
	history  map[string][]*centralv1.HistoryEntry
	applied  map[string]bool
	seq      int64
	blobs    map[string][]byte

	// What the app sent.
	acts        []*casefile.Change // every Act request, retries included
	actFailures int                // fail this many Act calls with UNAVAILABLE first
	unmasks     []string
	extra       []caseflow.Action // actions offered beyond what the state machine allows

	figures   map[string]*centralv1.FiguresResponse
	series    *centralv1.SeriesResponse
	exports   int
	rects     []*centralv1.Rectification
	followUps []*centralv1.RecordFollowUpRequest

	stations  []*centralv1.StationInfo
	created   []*syncv1.Station
	revoked   []string
	openCases map[string][]*centralv1.OpenCase
	saved     []*centralv1.SaveUserRequest
	resets    []*centralv1.ResetPasswordRequest

	catalogJSON  []byte
	calendarJSON []byte
	version      int32
	published    []*centralv1.PublishCatalogRequest
}

type fakeUser struct {
	password string
	user     *centralv1.User
	disabled bool
	created  time.Time
}

// today is the fake's clock: Tuesday 24 Feb 2026, 10:00 in China.
var today = time.Date(2026, 2, 24, 10, 0, 0, 0, workcal.Shanghai)

// demo matters the fake's cases use.
const (
	certMatter  = "残疾人证核发"     // cl: handle → review → approve, public notice
	housingPlot = "农村宅基地和建房审批" // parallel zr + nn (all), then zr approves
)

func newFakeCentral(t *testing.T) *fakeCentral {
	t.Helper()
	f := &fakeCentral{now: today, cat: catalog.Demo(), cal: workcal.Builtin(), users: map[string]*fakeUser{}, sessions: map[string]string{},
		cases: map[string]*casefile.Case{}, history: map[string][]*centralv1.HistoryEntry{}, applied: map[string]bool{}, blobs: map[string][]byte{},
		figures: map[string]*centralv1.FiguresResponse{}, openCases: map[string][]*centralv1.OpenCase{},
		catalogJSON: catalog.DemoJSON(), calendarJSON: workcal.BuiltinJSON(), version: 3}
	for _, u := range []struct{ name, role, dept, display string }{
		{"admin", "admin", "", "系统管理员"},
		{"cl-handler", "handler", "cl", "陈承办"},
		{"cl-reviewer", "reviewer", "cl", "刘审核"},
		{"cl-approver", "approver", "cl", "周审批"},
		{"cl-head", "head", "cl", "吴局长"},
		{"nn-handler", "handler", "nn", "农承办"},
		{"clerk", "clerk", "", "窗口人员"}, // a station role: refused by the app
	} {
		f.users[u.name] = &fakeUser{password: "pass1234", user: &centralv1.User{Username: u.name, Name: u.display, Role: u.role, Department: u.dept}, created: today}
	}
	f.stations = []*centralv1.StationInfo{
		{Station: &syncv1.Station{Code: "XZ01", Name: "青山镇便民服务中心", Level: "township"}, OpenCases: 12, Devices: []*centralv1.Device{
			{Id: "0194f3c0-0000-7000-8000-000000000001", Name: "窗口一号机", EnrolledAt: timestamppb.New(today.AddDate(0, -1, 0)), LastSeenAt: timestamppb.New(today.Add(-time.Hour))}}},
		{Station: &syncv1.Station{Code: "SQ01", Name: "青山镇幸福村便民服务站", Level: "community", Parent: "XZ01"}, OpenCases: 3},
	}
	f.openCases["0194f3c0-0000-7000-8000-000000000001"] = []*centralv1.OpenCase{
		{CaseId: uuid.NewString(), Number: "XZ01-20260212-0003", MatterName: "最低生活保障审核确认", State: "accepted", Version: 2, UpdatedAt: timestamppb.New(today.AddDate(0, 0, -3))},
		{CaseId: uuid.NewString(), Number: "XZ01-20260213-0001", MatterName: "残疾人证核发", State: "under_review", Version: 4, UpdatedAt: timestamppb.New(today.AddDate(0, 0, -2))},
	}
	f.seedCases(t)
	f.seedFigures()
	f.rects = []*centralv1.Rectification{
		{CaseId: "c-closed", Number: "XZ01-20260203-0002", Station: "XZ01", Department: "mz", Rating: 2, Comment: "等了很久", OpenedOn: "2026-02-05", DueOn: "2026-02-12",
			VerifiedOn: "2026-02-06", RectifiedOn: "2026-02-09", AnsweredOn: "2026-02-10", FollowedUpOn: "2026-02-11", Outcome: "satisfied", Note: "已电话回访"},
		{CaseId: "c-open-late", Number: "XZ01-20260210-0004", Station: "XZ01", Department: "cl", Rating: 1, Comment: "态度不好", Named: true, OpenedOn: "2026-02-11", DueOn: "2026-02-20"},
		{CaseId: "c-open", Number: "SQ01-20260216-0001", Station: "SQ01", Department: "mz", Rating: 2, OpenedOn: "2026-02-23", DueOn: "2026-03-04", VerifiedOn: "2026-02-24"},
	}

	mux := http.NewServeMux()
	mux.Handle(centralv1connect.NewAuthServiceHandler(f))
	mux.Handle(centralv1connect.NewReviewServiceHandler(f))
	mux.Handle(centralv1connect.NewSupervisionServiceHandler(f))
	mux.Handle(centralv1connect.NewAdminServiceHandler(f))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// scan is a small PNG, the kind of scan a window attaches.
func scan() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 40, 30))
	for x := 0; x < 40; x++ {
		for y := 0; y < 30; y++ {
			img.Set(x, y, color.NRGBA{uint8(6 * x), uint8(8 * y), 200, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

func (f *fakeCentral) blob(data []byte) string {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	f.blobs[h] = data
	return h
}

var (
	township = casefile.Actor{User: "liqing", Name: "李青", Role: caseflow.Clerk, Level: catalog.Township, Station: "XZ01"}
	system   = casefile.Actor{User: "system", Role: caseflow.System, Level: catalog.Central}
)

func central(user, name string, role caseflow.Role, dept string) casefile.Actor {
	return casefile.Actor{User: user, Name: name, Role: role, Level: catalog.Central, Department: dept}
}

// apply runs a change at central, with the follow-ups the pipeline takes by itself.
func (f *fakeCentral) apply(c *casefile.Case, ch *casefile.Change) error {
	if err := casefile.Apply(c, ch, casefile.Env{Catalog: f.cat, Calendar: f.cal}); err != nil {
		return err
	}
	f.seq++
	f.history[c.ID.String()] = append(f.history[c.ID.String()], &centralv1.HistoryEntry{Seq: f.seq, Change: wire.ChangeToWire(ch),
		AppliedAt: timestamppb.New(ch.At), CaseVersion: c.Version})
	f.applied[ch.ID.String()] = true
	for _, fu := range c.FollowUps() {
		next := fixture.Next(c, fu.Action, system, ch.At)
		next.Decision = fu.Decision
		if err := f.apply(c, next); err != nil {
			return err
		}
	}
	return nil
}

// newCase takes a case in at the township on day and forwards it to central.
func (f *fakeCentral) newCase(t *testing.T, matter string, seq int, day time.Time, attach bool) *casefile.Case {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(seq), 7))
	m := fixture.Matter(f.cat, matter)
	rc := fixture.Receive(r, m, township, caseflow.FormatNumber("XZ01", workcal.DateOf(day), seq), day)
	if attach {
		rc.Intake.Materials[0].Attachments = []casefile.Attachment{{SHA256: f.blob(scan()), Name: "身份证.png", MIME: "image/png", Size: int64(len(scan()))}}
		pdf := []byte("%PDF-1.4\n% a scanned form\n")
		rc.Intake.Materials[1].Attachments = []casefile.Attachment{{SHA256: f.blob(pdf), Name: "申请表.pdf", MIME: "application/pdf", Size: int64(len(pdf))}}
	}
	c := &casefile.Case{ID: rc.CaseID}
	for _, ch := range []*casefile.Change{rc, fixture.Next(c, caseflow.Accept, township, day.Add(time.Minute))} {
		if err := f.apply(c, ch); err != nil {
			t.Fatalf("%s: %v", ch.Action, err)
		}
	}
	if err := f.apply(c, fixture.Next(c, caseflow.Forward, township, day.Add(2*time.Minute))); err != nil {
		t.Fatalf("forward: %v", err)
	}
	f.cases[c.ID.String()] = c
	f.order = append(f.order, c.ID.String())
	return c
}

func (f *fakeCentral) step(t *testing.T, c *casefile.Case, by casefile.Actor, agree bool, opinion string, at time.Time) {
	t.Helper()
	tasks := f.tasksOf(c, by.Department)
	if len(tasks) == 0 {
		t.Fatalf("no task for %s", by.Department)
	}
	ch := fixture.Next(c, caseflow.Advance, by, at)
	ch.Step = &casefile.StepInput{Stage: tasks[0].Stage, Department: tasks[0].Department, Step: tasks[0].Step, Approve: agree, Opinion: opinion}
	if err := f.apply(c, ch); err != nil {
		t.Fatalf("advance: %v", err)
	}
}

func (f *fakeCentral) warn(t *testing.T, c *casefile.Case, level casefile.WarningLevel, at time.Time) {
	t.Helper()
	ch := fixture.Next(c, caseflow.Warn, system, at)
	ch.Warning = &casefile.Warning{Level: level, Reason: "supervision", Due: c.DueOn}
	if err := f.apply(c, ch); err != nil {
		t.Fatalf("warn: %v", err)
	}
}

// The cases: four 残疾人证核发 forwarded to 残联 on different days, one
// of them with scans (each with a different warning), one already at its
// approve step, one suspended for 公示, and a housing plot in its parallel
// stage where 自然资源 has agreed and 农业农村 has not yet.
func (f *fakeCentral) seedCases(t *testing.T) {
	d := func(day int) time.Time { return time.Date(2026, 2, day, 9, 30, 0, 0, workcal.Shanghai) }
	a := f.newCase(t, certMatter, 1, d(2), true) // oldest: red
	f.warn(t, a, casefile.Red, d(20))
	b := f.newCase(t, certMatter, 2, d(5), false)
	f.warn(t, b, casefile.Yellow, d(21))
	c := f.newCase(t, certMatter, 3, d(10), false)
	f.warn(t, c, casefile.Reminder, d(23))
	f.newCase(t, certMatter, 4, d(12), false) // no warning
	ready := f.newCase(t, certMatter, 5, d(13), false)
	f.step(t, ready, central("cl-handler", "陈承办", caseflow.Handler, "cl"), true, "材料齐全。", d(24))
	f.step(t, ready, central("cl-reviewer", "刘审核", caseflow.Reviewer, "cl"), true, "符合条件。", d(24))
	sus := f.newCase(t, certMatter, 6, d(11), false)
	ch := fixture.Next(sus, caseflow.Suspend, central("cl-handler", "陈承办", caseflow.Handler, "cl"), d(24))
	ch.Suspension = &casefile.Suspension{Procedure: catalog.PublicNotice, ExpectedDays: 5}
	if err := f.apply(sus, ch); err != nil {
		t.Fatal(err)
	}
	plot := f.newCase(t, housingPlot, 7, d(9), false)
	f.step(t, plot, central("zr-handler", "张承办", caseflow.Handler, "zr"), true, "", d(24))
	f.step(t, plot, central("zr-reviewer", "赵审核", caseflow.Reviewer, "zr"), true, "用地符合规划。", d(24))
}

// caseBySeq returns a copy of the seeded case with that sequence in its number.
func (f *fakeCentral) caseBySeq(seq int) *casefile.Case {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range f.order {
		if strings.HasSuffix(f.cases[id].Number, fmt.Sprintf("-%04d", seq)) {
			cp := *f.cases[id] // Apply replaces what changes, never mutates it in place
			return &cp
		}
	}
	return nil
}

func ratio(num, den int32) *centralv1.Ratio { return &centralv1.Ratio{Num: num, Den: den} }

func (f *fakeCentral) seedFigures() {
	f.figures["station"] = &centralv1.FiguresResponse{
		Groups: []*centralv1.Figures{
			{Key: "XZ01", Label: "青山镇便民服务中心", Accepted: 40, Closed: 32, OnSpotRate: ratio(20, 32), OnTimeRate: ratio(30, 32), WithinLegalRate: ratio(32, 32),
				ActualSpeedUp: ratio(120, 300), AvgDaysX100: 512, AvgDaysN: 12, RatingRate: ratio(20, 32), Satisfaction: ratio(19, 20), BadRate: ratio(1, 20),
				RectificationRate: ratio(1, 1), FollowUpRate: ratio(1, 1), Reminders: 3, YellowCards: 1, Rank: 1},
			{Key: "SQ01", Label: "青山镇幸福村便民服务站", Accepted: 6, Closed: 0, OnSpotRate: ratio(0, 0), OnTimeRate: ratio(0, 0), WithinLegalRate: ratio(0, 0),
				ActualSpeedUp: ratio(0, 0), RatingRate: ratio(0, 0), Satisfaction: ratio(0, 0), BadRate: ratio(0, 0), RectificationRate: ratio(0, 0), FollowUpRate: ratio(0, 0), Rank: 2},
		},
		Total: &centralv1.Figures{Key: "", Label: "合计", Accepted: 46, Closed: 32, OnSpotRate: ratio(20, 32), OnTimeRate: ratio(30, 32), WithinLegalRate: ratio(32, 32),
			ActualSpeedUp: ratio(120, 300), AvgDaysX100: 512, AvgDaysN: 12, RatingRate: ratio(20, 32), Satisfaction: ratio(19, 20), BadRate: ratio(1, 20),
			RectificationRate: ratio(1, 1), FollowUpRate: ratio(1, 1), Reminders: 3, YellowCards: 1},
		Best: []string{"XZ01"}, Bottom: []string{"SQ01"},
		PromisedSpeedUp: ratio(95, 180), OnTheSpotShare: ratio(11, 26), AtMostOneVisit: ratio(24, 26),
	}
	f.figures["department"] = &centralv1.FiguresResponse{Groups: []*centralv1.Figures{
		{Key: "cl", Label: "县残疾人联合会", OnTimeRate: ratio(9, 10), Rank: 2},
		{Key: "mz", Label: "县民政局", OnTimeRate: ratio(19, 20), Rank: 1},
		{Key: "zr", Label: "县自然资源局", OnTimeRate: ratio(3, 5), Rank: 3},
		{Key: "nn", Label: "县农业农村局", OnTimeRate: ratio(0, 0)},
	}, Total: &centralv1.Figures{Label: "合计", OnTimeRate: ratio(31, 35)}, Best: []string{"mz", "cl", "zr"}}
	f.series = &centralv1.SeriesResponse{
		Accepted: []*centralv1.Point{{Key: "XZ01", Day: "2026-02-02", Count: 5}, {Key: "XZ01", Day: "2026-02-03", Count: 7}, {Key: "SQ01", Day: "2026-02-03", Count: 2},
			{Key: "XZ01", Day: "2026-02-10", Count: 4}, {Key: "SQ01", Day: "2026-02-12", Count: 3}},
		Warnings:     []*centralv1.Point{{Key: "reminder", Day: "2026-02-20", Count: 2}, {Key: "yellow", Day: "2026-02-21", Count: 1}, {Key: "red", Day: "2026-02-20", Count: 1}},
		StationNames: map[string]string{"XZ01": "青山镇便民服务中心", "SQ01": "幸福村便民服务站"},
	}
}

// Auth.

func (f *fakeCentral) session(h http.Header) (*fakeUser, error) {
	tok, ok := strings.CutPrefix(h.Get("Authorization"), "Session ")
	f.mu.Lock()
	defer f.mu.Unlock()
	if name := f.sessions[tok]; ok && name != "" {
		return f.users[name], nil
	}
	return nil, syncapi.ToConnect(bmerr.New(bmerr.Unauthenticated, "session", "登录已失效，请重新登录。", "your session has expired; sign in again."))
}

func (f *fakeCentral) admin(h http.Header) error {
	u, err := f.session(h)
	if err != nil {
		return err
	}
	if u.user.Role != "admin" {
		return syncapi.ToConnect(bmerr.New(bmerr.PermissionDenied, "admin_only", "只有管理员可以这样做。", "only an administrator may do this."))
	}
	return nil
}

func (f *fakeCentral) SignIn(_ context.Context, req *connect.Request[centralv1.SignInRequest]) (*connect.Response[centralv1.SignInResponse], error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[req.Msg.Username]
	if u == nil || u.password != req.Msg.Password || u.disabled {
		return nil, syncapi.ToConnect(bmerr.New(bmerr.Unauthenticated, "sign_in_failed", "用户名或密码不正确。", "wrong user name or password."))
	}
	tok := uuid.NewString()
	f.sessions[tok] = req.Msg.Username
	resp := &centralv1.SignInResponse{Token: tok, ExpiresAt: timestamppb.New(f.now.Add(8 * time.Hour)), User: u.user}
	for _, d := range f.cat.Departments {
		resp.Departments = append(resp.Departments, &centralv1.Named{Code: d.Code, Name: d.Name, NameEn: d.NameEn})
	}
	for _, s := range f.stations {
		resp.Stations = append(resp.Stations, &centralv1.Named{Code: s.GetStation().GetCode(), Name: s.GetStation().GetName()})
	}
	return connect.NewResponse(resp), nil
}

func (f *fakeCentral) SignOut(_ context.Context, req *connect.Request[centralv1.SignOutRequest]) (*connect.Response[centralv1.SignOutResponse], error) {
	tok, _ := strings.CutPrefix(req.Header().Get("Authorization"), "Session ")
	f.mu.Lock()
	delete(f.sessions, tok)
	f.mu.Unlock()
	return connect.NewResponse(&centralv1.SignOutResponse{}), nil
}

// Review.

func (f *fakeCentral) tasksOf(c *casefile.Case, dept string) []casefile.Task {
	var out []casefile.Task
	for _, t := range c.Tasks(f.cal) {
		if dept == "" || t.Department == dept {
			out = append(out, t)
		}
	}
	return out
}

// waitingFor reports whether the case waits for dept: a task now, or a
// stopped case of the department's matter.
func (f *fakeCentral) waitingFor(c *casefile.Case, dept string) bool {
	if len(f.tasksOf(c, dept)) > 0 {
		return true
	}
	return c.Status.State == caseflow.Suspended && c.Matter.Department == dept
}

func (f *fakeCentral) Inbox(_ context.Context, req *connect.Request[centralv1.InboxRequest]) (*connect.Response[centralv1.InboxResponse], error) {
	u, err := f.session(req.Header())
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	dept := u.user.Department
	if u.user.Role == "admin" {
		dept = req.Msg.Department
	}
	res := &centralv1.InboxResponse{}
	day := workcal.DateOf(f.now)
	for _, id := range f.order {
		c := f.cases[id]
		if !f.waitingFor(c, dept) {
			continue
		}
		w := string(c.TopWarning())
		switch w {
		case "reminder":
			res.Reminder++
		case "yellow":
			res.Yellow++
		case "red":
			res.Red++
		}
		res.Total++
		if req.Msg.Warning != "" && req.Msg.Warning != w && !(req.Msg.Warning == "none" && w == "") {
			continue
		}
		it := &centralv1.InboxItem{CaseId: id, Number: c.Number, Matter: c.Matter.Code, MatterName: c.Matter.Name, Applicant: ident.MaskName(c.Applicant.Name),
			CaseDue: c.DueOn.String(), LegalDue: dateText(c.LegalDueOn), Warning: w, State: string(c.Status.State), Station: c.OriginStation}
		it.Due = c.DueOn.String()
		if ts := f.tasksOf(c, dept); len(ts) > 0 {
			it.Step, it.Parallel, it.Decides = string(ts[0].Step), ts[0].Parallel, ts[0].Decides
			if !ts[0].Due.IsZero() {
				it.Due = ts[0].Due.String()
			}
		}
		if c.DueOn.IsZero() {
			it.Due, it.CaseDue = "", ""
		}
		if it.Due != "" {
			due, _ := workcal.ParseDate(it.Due)
			it.DaysLeft = int32(f.cal.WorkdaysBetween(day, due))
		}
		res.Items = append(res.Items, it)
	}
	slices.SortFunc(res.Items, func(a, b *centralv1.InboxItem) int { return strings.Compare(a.Due, b.Due) })
	return connect.NewResponse(res), nil
}

// actionsFor is what the user may do on c: what the state machine allows
// the role at central, where the workflow gives the department a task.
func (f *fakeCentral) actionsFor(c *casefile.Case, u *centralv1.User) []string {
	role := caseflow.Role(u.Role)
	tasks := f.tasksOf(c, u.Department)
	var out []string
	for _, a := range centraldesk.ReviewActions {
		if !caseflow.Allowed(c.Status.State, a, role, catalog.Central) && !slices.Contains(f.extra, a) {
			continue
		}
		switch a {
		case caseflow.Advance:
			if len(tasks) == 0 || tasks[0].Decides || casefile.StepRole(tasks[0].Step) != role {
				continue
			}
		case caseflow.Grant:
			if len(tasks) == 0 || !tasks[0].Decides {
				continue
			}
		case caseflow.Refuse:
			if len(tasks) == 0 || tasks[0].Step != catalog.Approve {
				continue
			}
		case caseflow.ReturnForSupplement:
			if len(tasks) == 0 {
				continue
			}
		case caseflow.Suspend:
			if len(c.Matter.SpecialProcedures) == 0 || c.Matter.Department != u.Department {
				continue
			}
		case caseflow.Resume, caseflow.Extend:
			if c.Matter.Department != u.Department {
				continue
			}
		}
		out = append(out, string(a))
	}
	return out
}

func masked(c *casefile.Case) *casefile.Case {
	cp := *c
	cp.Applicant.IDNumber = ident.MaskID(c.Applicant.IDNumber)
	cp.Applicant.Phone = ident.MaskPhone(c.Applicant.Phone)
	return &cp
}

func (f *fakeCentral) GetCase(_ context.Context, req *connect.Request[centralv1.GetCaseRequest]) (*connect.Response[centralv1.GetCaseResponse], error) {
	u, err := f.session(req.Header())
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.cases[req.Msg.CaseId]
	if c == nil {
		return nil, syncapi.ToConnect(bmerr.New(bmerr.NotFound, "case_unknown", "找不到该案件。", "no such case."))
	}
	res := &centralv1.GetCaseResponse{Case: wire.CaseToWire(masked(c)), History: f.history[req.Msg.CaseId], Actions: f.actionsFor(c, u.user)}
	for _, t := range c.Tasks(f.cal) {
		res.Tasks = append(res.Tasks, &centralv1.Task{Stage: int32(t.Stage), Department: t.Department, Step: string(t.Step), Parallel: t.Parallel, Decides: t.Decides, Due: dateText(t.Due)})
	}
	for _, tk := range res.Tasks {
		if tk.Due == "—" {
			tk.Due = ""
		}
	}
	return connect.NewResponse(res), nil
}

func (f *fakeCentral) Unmask(_ context.Context, req *connect.Request[centralv1.UnmaskRequest]) (*connect.Response[centralv1.UnmaskResponse], error) {
	if _, err := f.session(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if strings.TrimSpace(req.Msg.Reason) == "" {
		return nil, syncapi.ToConnect(bmerr.New(bmerr.Invalid, "reason", "须写明理由。", "a reason is required."))
	}
	f.unmasks = append(f.unmasks, req.Msg.Reason)
	c := f.cases[req.Msg.CaseId]
	return connect.NewResponse(&centralv1.UnmaskResponse{IdNumber: c.Applicant.IDNumber, Phone: c.Applicant.Phone}), nil
}

func (f *fakeCentral) Act(_ context.Context, req *connect.Request[centralv1.ActRequest]) (*connect.Response[centralv1.ActResponse], error) {
	u, err := f.session(req.Header())
	if err != nil {
		return nil, err
	}
	ch, err := wire.ChangeFromWire(req.Msg.Change)
	if err != nil {
		return nil, syncapi.ToConnect(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.acts = append(f.acts, ch)
	if f.actFailures > 0 {
		f.actFailures--
		return nil, connect.NewError(connect.CodeUnavailable, fmt.Errorf("briefly unavailable"))
	}
	c := f.cases[ch.CaseID.String()]
	if c == nil {
		return nil, syncapi.ToConnect(bmerr.New(bmerr.NotFound, "case_unknown", "找不到该案件。", "no such case."))
	}
	if f.applied[ch.ID.String()] {
		return connect.NewResponse(&centralv1.ActResponse{Case: wire.CaseToWire(masked(c)), AlreadyApplied: true}), nil
	}
	// Central sets the actor and the time.
	ch.Actor = casefile.Actor{User: u.user.Username, Name: u.user.Name, Role: caseflow.Role(u.user.Role), Level: catalog.Central, Department: u.user.Department}
	ch.At = f.now
	if err := f.apply(c, ch); err != nil {
		return nil, syncapi.ToConnect(err)
	}
	return connect.NewResponse(&centralv1.ActResponse{Case: wire.CaseToWire(masked(c))}), nil
}

func (f *fakeCentral) ReadAttachment(_ context.Context, req *connect.Request[centralv1.ReadAttachmentRequest]) (*connect.Response[centralv1.ReadAttachmentResponse], error) {
	if _, err := f.session(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	data, ok := f.blobs[req.Msg.Sha256]
	if !ok {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("no such attachment"))
	}
	off := min(int(req.Msg.Offset), len(data))
	end := min(off+int(req.Msg.Limit), len(data))
	return connect.NewResponse(&centralv1.ReadAttachmentResponse{Data: data[off:end], Size: int64(len(data)), Eof: end == len(data)}), nil
}

// Supervision.

func (f *fakeCentral) Figures(_ context.Context, req *connect.Request[centralv1.FiguresRequest]) (*connect.Response[centralv1.FiguresResponse], error) {
	if _, err := f.session(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	res, ok := f.figures[req.Msg.GroupBy]
	if !ok {
		res = f.figures["station"]
	}
	return connect.NewResponse(res), nil
}

func (f *fakeCentral) ExportFigures(_ context.Context, req *connect.Request[centralv1.ExportFiguresRequest]) (*connect.Response[centralv1.ExportFiguresResponse], error) {
	if _, err := f.session(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.exports++
	f.mu.Unlock()
	name := fmt.Sprintf("办件统计_%s_%s.xlsx", req.Msg.Figures.From, req.Msg.Figures.To)
	return connect.NewResponse(&centralv1.ExportFiguresResponse{Xlsx: []byte("PK\x03\x04 fake workbook"), Filename: name}), nil
}

func (f *fakeCentral) Series(_ context.Context, req *connect.Request[centralv1.SeriesRequest]) (*connect.Response[centralv1.SeriesResponse], error) {
	if _, err := f.session(req.Header()); err != nil {
		return nil, err
	}
	return connect.NewResponse(f.series), nil
}

func (f *fakeCentral) Rectifications(_ context.Context, req *connect.Request[centralv1.RectificationsRequest]) (*connect.Response[centralv1.RectificationsResponse], error) {
	if _, err := f.session(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*centralv1.Rectification
	for _, r := range f.rects {
		if !req.Msg.OpenOnly || r.FollowedUpOn == "" {
			out = append(out, r)
		}
	}
	return connect.NewResponse(&centralv1.RectificationsResponse{Items: out}), nil
}

func (f *fakeCentral) RecordFollowUp(_ context.Context, req *connect.Request[centralv1.RecordFollowUpRequest]) (*connect.Response[centralv1.RecordFollowUpResponse], error) {
	if _, err := f.session(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.followUps = append(f.followUps, req.Msg)
	for _, r := range f.rects {
		if r.CaseId == req.Msg.CaseId {
			day := workcal.DateOf(f.now).String()
			switch req.Msg.Step {
			case "verified":
				r.VerifiedOn = day
			case "rectified":
				r.RectifiedOn = day
			case "answered":
				r.AnsweredOn = day
			case "followed_up":
				r.FollowedUpOn, r.Outcome = day, req.Msg.Outcome
			}
			r.Note = req.Msg.Note
			return connect.NewResponse(&centralv1.RecordFollowUpResponse{Item: r}), nil
		}
	}
	return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("no such rectification"))
}

// Admin.

func (f *fakeCentral) ListStations(_ context.Context, req *connect.Request[centralv1.ListStationsRequest]) (*connect.Response[centralv1.ListStationsResponse], error) {
	if err := f.admin(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return connect.NewResponse(&centralv1.ListStationsResponse{Stations: f.stations}), nil
}

func (f *fakeCentral) CreateStation(_ context.Context, req *connect.Request[centralv1.CreateStationRequest]) (*connect.Response[centralv1.CreateStationResponse], error) {
	if err := f.admin(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.stations {
		if s.Station.Code == req.Msg.Station.Code {
			return nil, syncapi.ToConnect(bmerr.New(bmerr.Conflict, "station_exists", "站点编码已存在。", "the station code is taken."))
		}
	}
	f.created = append(f.created, req.Msg.Station)
	f.stations = append(f.stations, &centralv1.StationInfo{Station: req.Msg.Station})
	return connect.NewResponse(&centralv1.CreateStationResponse{}), nil
}

func (f *fakeCentral) IssueEnrollCode(_ context.Context, req *connect.Request[centralv1.IssueEnrollCodeRequest]) (*connect.Response[centralv1.IssueEnrollCodeResponse], error) {
	if err := f.admin(req.Header()); err != nil {
		return nil, err
	}
	return connect.NewResponse(&centralv1.IssueEnrollCodeResponse{Code: "K7QM-4TXR-9PWD", ExpiresAt: timestamppb.New(f.now.Add(168 * time.Hour)), ServerUrl: "http://192.168.1.10:8700"}), nil
}

func (f *fakeCentral) RevokeDevice(_ context.Context, req *connect.Request[centralv1.RevokeDeviceRequest]) (*connect.Response[centralv1.RevokeDeviceResponse], error) {
	if err := f.admin(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revoked = append(f.revoked, req.Msg.DeviceId)
	for _, s := range f.stations {
		for _, d := range s.Devices {
			if d.Id == req.Msg.DeviceId {
				d.RevokedAt = timestamppb.New(f.now)
				return connect.NewResponse(&centralv1.RevokeDeviceResponse{Station: s.Station.Code, OpenCases: f.openCases[d.Id]}), nil
			}
		}
	}
	return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("no such device"))
}

func (f *fakeCentral) ListUsers(_ context.Context, req *connect.Request[centralv1.ListUsersRequest]) (*connect.Response[centralv1.ListUsersResponse], error) {
	if err := f.admin(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for n, u := range f.users {
		if u.user.Role != "clerk" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	res := &centralv1.ListUsersResponse{}
	for _, n := range names {
		u := f.users[n]
		res.Users = append(res.Users, &centralv1.UserInfo{User: u.user, Disabled: u.disabled, CreatedAt: timestamppb.New(u.created)})
	}
	return connect.NewResponse(res), nil
}

func (f *fakeCentral) SaveUser(_ context.Context, req *connect.Request[centralv1.SaveUserRequest]) (*connect.Response[centralv1.SaveUserResponse], error) {
	if err := f.admin(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saved = append(f.saved, req.Msg)
	name := req.Msg.User.Username
	u := f.users[name]
	switch {
	case req.Msg.Create && u != nil:
		return nil, syncapi.ToConnect(bmerr.New(bmerr.Conflict, "user_exists", "用户名已被占用。", "the user name is taken."))
	case req.Msg.Create:
		u = &fakeUser{password: req.Msg.Password, created: f.now}
		f.users[name] = u
	case u == nil:
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("no such user"))
	}
	u.user, u.disabled = req.Msg.User, req.Msg.Disabled
	return connect.NewResponse(&centralv1.SaveUserResponse{User: &centralv1.UserInfo{User: u.user, Disabled: u.disabled}}), nil
}

func (f *fakeCentral) ResetPassword(_ context.Context, req *connect.Request[centralv1.ResetPasswordRequest]) (*connect.Response[centralv1.ResetPasswordResponse], error) {
	if err := f.admin(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resets = append(f.resets, req.Msg)
	f.users[req.Msg.Username].password = req.Msg.Password
	return connect.NewResponse(&centralv1.ResetPasswordResponse{}), nil
}

func (f *fakeCentral) GetCatalog(_ context.Context, req *connect.Request[centralv1.GetCatalogRequest]) (*connect.Response[centralv1.GetCatalogResponse], error) {
	if err := f.admin(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return connect.NewResponse(&centralv1.GetCatalogResponse{Version: f.version, CatalogJson: f.catalogJSON, CalendarJson: f.calendarJSON, PublishedAt: timestamppb.New(f.now)}), nil
}

func (f *fakeCentral) PublishCatalog(_ context.Context, req *connect.Request[centralv1.PublishCatalogRequest]) (*connect.Response[centralv1.PublishCatalogResponse], error) {
	if err := f.admin(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.published = append(f.published, req.Msg)
	d, err := centraldesk.LoadDraft(int(f.version), req.Msg.CatalogJson, req.Msg.CalendarJson)
	if err != nil {
		return nil, syncapi.ToConnect(err)
	}
	d.Base = int(f.version) // Check numbers it as the next version, as central would
	res := &centralv1.PublishCatalogResponse{}
	for _, p := range d.Check("zh") {
		res.Problems = append(res.Problems, &centralv1.Problem{Field: p.Field, MessageZh: p.Message})
	}
	if len(res.Problems) > 0 || req.Msg.DryRun {
		return connect.NewResponse(res), nil
	}
	f.version++
	f.catalogJSON, f.calendarJSON = req.Msg.CatalogJson, req.Msg.CalendarJson
	res.Version = f.version
	return connect.NewResponse(res), nil
}

// changes returns the acts received, safely.
func (f *fakeCentral) received() []*casefile.Change {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.acts)
}

// seenByFake is a copy of what the app sent, taken under the fake's lock:
// the race detector cannot see the HTTP round trip as synchronisation.
type seenByFake struct {
	unmasks   []string
	followUps []*centralv1.RecordFollowUpRequest
	published []*centralv1.PublishCatalogRequest
	saved     []*centralv1.SaveUserRequest
	resets    []*centralv1.ResetPasswordRequest
	created   []*syncv1.Station
	revoked   []string
}

func (f *fakeCentral) seen() seenByFake {
	f.mu.Lock()
	defer f.mu.Unlock()
	return seenByFake{unmasks: slices.Clone(f.unmasks), followUps: slices.Clone(f.followUps), published: slices.Clone(f.published),
		saved: slices.Clone(f.saved), resets: slices.Clone(f.resets), created: slices.Clone(f.created), revoked: slices.Clone(f.revoked)}
}

// set changes the fake's behaviour under its lock.
func (f *fakeCentral) set(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}
