package desk_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/desk"
	"github.com/bianmin/bianmin/desktop/internal/notice"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	"github.com/bianmin/bianmin/shared/passwd"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

var ctx = context.Background()

func init() {
	passwd.Default = passwd.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// thursday is 12 Feb 2026, the worked example of domain.md §4.
var thursday = time.Date(2026, 2, 12, 10, 0, 0, 0, workcal.Shanghai)

func session(t *testing.T, level catalog.Level) *desk.Session {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	id := store.Identity{Station: "XZ01", StationName: "青山镇便民服务中心", Level: level, DeviceID: uuid.NewString(), Secret: "s", ServerURL: "http://x"}
	if level == catalog.Community {
		id.Station, id.StationName, id.Parent = "SQ01", "幸福村便民服务站", "XZ01"
	}
	if err := st.SaveIdentity(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveCatalog(ctx, 1, catalog.DemoJSON(), workcal.BuiltinJSON()); err != nil {
		t.Fatal(err)
	}
	u, err := desk.CreateUser(ctx, st, level, desk.NewUser{Name: "wl", DisplayName: "王丽", Role: desk.DefaultRole(level), Admin: true, Password: "pass1234", Password2: "pass1234"})
	if err != nil {
		t.Fatal(err)
	}
	kicks := 0
	return &desk.Session{Store: st, Identity: id, User: u, Now: func() time.Time { return thursday }, Kick: func() { kicks++ }}
}

func TestMatterSearch(t *testing.T) {
	ix := desk.NewMatterIndex(catalog.Demo(), catalog.Township)
	for _, tc := range []struct{ q, want string }{
		{"ylbx", "城乡居民养老保险参保登记"},
		{"养老保险", "城乡居民养老保险参保登记"},
		{"低保", "最低生活保障审核确认"},
		{"db", "最低生活保障审核确认"},
		{"sbk", "社保卡申领/补换"},
		{"11331122002501001D2000001001", "城乡居民养老保险参保登记"},
		{"残疾证", "残疾人证核发"},
	} {
		got := ix.Search(tc.q, 5)
		if len(got) == 0 || got[0].Name != tc.want {
			names := []string{}
			for _, m := range got {
				names = append(names, m.Name)
			}
			t.Errorf("Search(%q) = %v, want %s first", tc.q, names, tc.want)
		}
	}
	if desk.Initials("城乡居民养老保险参保登记") != "cxjmylbxcbdj" {
		t.Errorf("initials %q", desk.Initials("城乡居民养老保险参保登记"))
	}
	// A community station sees what it may accept or collect, not 低保.
	if got := desk.NewMatterIndex(catalog.Demo(), catalog.Community).Search("低保", 5); len(got) != 0 {
		t.Errorf("community finds 低保: %v", got[0].Name)
	}
}

func TestCheckScan(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	pdf := []byte("%PDF-1.4\n%âãÏÓ\n")
	for _, tc := range []struct {
		name   string
		data   []byte
		mime   string
		reason string
	}{
		{"id.png", png, "image/png", ""},
		{"form.pdf", pdf, "application/pdf", ""},
		{"photo.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "image/jpeg", ""},
		{"scan.tif", []byte("II*\x00\x08\x00\x00\x00"), "image/tiff", ""},
		{"fake.pdf", []byte("MZ\x90\x00 this is an exe"), "", "scan_type"},
		{"notes.jpg", []byte("just some text"), "", "scan_type"},
		{"empty.png", nil, "", "scan_empty"},
		{"huge.pdf", append(pdf, bytes.Repeat([]byte{0}, desk.MaxScanSize)...), "", "scan_too_large"},
	} {
		mime, err := desk.CheckScan(tc.name, tc.data)
		if mime != tc.mime || bmerr.ReasonOf(err) != tc.reason {
			t.Errorf("%s: %q, %v; want %q, %q", tc.name, mime, err, tc.mime, tc.reason)
		}
	}
}

func person() casefile.Applicant {
	return casefile.Applicant{Kind: casefile.Person, Name: "张秀英", IDNumber: "11010519491231002X", Phone: "13812345678"}
}

func TestAcceptComputesTheDueDateOffline(t *testing.T) {
	s := session(t, catalog.Township)
	m := fixture.Matter(catalog.Demo(), "最低生活保障审核确认") // promised 25 working days
	d := desk.NewDraft(m)
	d.Applicant = person()
	for _, mat := range m.Materials {
		if mat.Necessity == catalog.Deferrable {
			if err := d.Defer(mat.Code, true); err != nil {
				t.Fatal(err)
			}
		} else {
			d.Receive(mat.Code, true)
		}
	}
	if _, err := d.AttachScan("application", "申请书.pdf", []byte("%PDF-1.4\nscan")); err != nil {
		t.Fatal(err)
	}
	res, err := s.Submit(ctx, d, desk.OutcomeAccept, desk.IntakeInput{})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Case
	if c.Status.State != caseflow.Accepted || c.AcceptedOn != workcal.DateOf(thursday) {
		t.Fatalf("state %s accepted %s", c.Status.State, c.AcceptedOn)
	}
	want := workcal.Builtin().Due(workcal.DateOf(thursday), m.PromisedLimit, nil, 0)
	if c.DueOn != want || c.DueOn.IsZero() {
		t.Errorf("due %s, want %s", c.DueOn, want)
	}
	if res.Document.Kind != notice.KindAcceptance || !bytes.HasPrefix(res.PDF, []byte("%PDF")) {
		t.Errorf("document %+v", res.Document)
	}
	docs, _ := s.Store.Documents(ctx, c.ID)
	if len(docs) != 1 {
		t.Errorf("%d documents kept", len(docs))
	}
	sum, _ := s.Store.SyncSummary(ctx)
	if sum.Pending != 2 {
		t.Errorf("%d changes pending, want receive and accept", sum.Pending)
	}
}

func TestAcceptRefusedWhileMaterialsMissing(t *testing.T) {
	s := session(t, catalog.Township)
	d := desk.NewDraft(fixture.Matter(catalog.Demo(), "城乡居民养老保险参保登记"))
	d.Applicant = person()
	d.Receive("id_card", true)
	_, err := s.Submit(ctx, d, desk.OutcomeAccept, desk.IntakeInput{})
	if bmerr.ReasonOf(err) != "materials_missing" {
		t.Fatalf("err %v", err)
	}
	if rows, n, _ := s.Store.ListCases(ctx, store.Filter{}); n != 0 {
		t.Errorf("a refused intake left %d cases: %v", n, rows)
	}
	items := d.MissingItems()
	names := []string{}
	for _, it := range items {
		names = append(names, it.Name)
	}
	if !slices.Equal(names, []string{"居民户口簿", "城乡居民基本养老保险参保登记表"}) {
		t.Errorf("missing %v", names)
	}
	res, err := s.Submit(ctx, d, desk.OutcomeOneTime, desk.IntakeInput{Items: items})
	if err != nil {
		t.Fatal(err)
	}
	if res.Case.Status.State != caseflow.SupplementPending || len(res.Case.Notice.Items) != 2 || res.Document.Kind != notice.KindOneTime {
		t.Errorf("case %s notice %+v doc %s", res.Case.Status.State, res.Case.Notice, res.Document.Kind)
	}
}

func TestOutcomesByLevel(t *testing.T) {
	cat := catalog.Demo()
	town, comm := session(t, catalog.Township), session(t, catalog.Community)
	for _, tc := range []struct {
		s      *desk.Session
		matter string
		want   []desk.Outcome
	}{
		{town, "城乡居民养老保险参保登记", []desk.Outcome{desk.OutcomeAccept, desk.OutcomeOnTheSpot, desk.OutcomeOneTime, desk.OutcomeNotAccepted}},
		{town, "最低生活保障审核确认", []desk.Outcome{desk.OutcomeAccept, desk.OutcomeOneTime, desk.OutcomeNotAccepted}},
		{comm, "农村宅基地和建房审批", []desk.Outcome{desk.OutcomeProxy, desk.OutcomeOneTime}},
		{comm, "居住登记", []desk.Outcome{desk.OutcomeAccept, desk.OutcomeOnTheSpot, desk.OutcomeOneTime, desk.OutcomeNotAccepted}},
	} {
		if got := tc.s.Outcomes(fixture.Matter(cat, tc.matter)); !slices.Equal(got, tc.want) {
			t.Errorf("%s at %s: %v, want %v", tc.matter, tc.s.Identity.Level, got, tc.want)
		}
	}
}

func TestCommunityForwardsAProxyCase(t *testing.T) {
	s := session(t, catalog.Community)
	m := fixture.Matter(catalog.Demo(), "农村宅基地和建房审批")
	d := desk.NewDraft(m)
	d.Applicant = person()
	for _, mat := range m.Materials {
		d.Receive(mat.Code, true)
	}
	d.Proxy = s.ProxyDefaults()
	if _, err := s.Submit(ctx, d, desk.OutcomeProxy, desk.IntakeInput{}); bmerr.ReasonOf(err) != "proxy_authorization" {
		t.Fatalf("no authorisation: %v", err)
	}
	d.Proxy.Authorization = "授权委托书 2026-018"
	res, err := s.Submit(ctx, d, desk.OutcomeProxy, desk.IntakeInput{})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Case
	if c.HandlingStation != "XZ01" || c.Proxy == nil || c.Proxy.AgentName != "王丽" || res.Document.Kind != notice.KindReceipt {
		t.Errorf("handling %s proxy %+v doc %s", c.HandlingStation, c.Proxy, res.Document.Kind)
	}
	if acts := s.CaseActions(c); slices.Contains(acts, caseflow.Accept) {
		t.Errorf("the agent may accept a forwarded case: %v", acts)
	}
}

func TestSignIn(t *testing.T) {
	s := session(t, catalog.Township)
	if _, err := desk.SignIn(ctx, s.Store, "wl", "wrong-pass"); err != desk.ErrSignIn {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := desk.SignIn(ctx, s.Store, "nobody", "pass1234"); err != desk.ErrSignIn {
		t.Errorf("unknown user: %v", err)
	}
	u, err := desk.SignIn(ctx, s.Store, " wl ", "pass1234")
	if err != nil || u.DisplayName != "王丽" || u.Role != caseflow.Clerk {
		t.Errorf("right password: %+v %v", u, err)
	}
	if _, err := desk.CreateUser(ctx, s.Store, catalog.Township, desk.NewUser{Name: "a", DisplayName: "甲", Role: caseflow.Agent, Password: "pass1234", Password2: "pass1234"}); bmerr.ReasonOf(err) != "user_role" {
		t.Errorf("an agent at a township: %v", err)
	}
	if _, err := desk.CreateUser(ctx, s.Store, catalog.Township, desk.NewUser{Name: "b", DisplayName: "乙", Role: caseflow.Clerk, Password: "pass1234", Password2: "pass12345"}); bmerr.ReasonOf(err) != "password_mismatch" {
		t.Errorf("mismatch: %v", err)
	}
}

func TestShowFullIDIsAudited(t *testing.T) {
	s := session(t, catalog.Township)
	m := fixture.Matter(catalog.Demo(), "城乡居民养老保险参保登记")
	d := desk.NewDraft(m)
	d.Applicant = person()
	for _, mat := range m.Materials {
		d.Receive(mat.Code, true)
	}
	res, err := s.Submit(ctx, d, desk.OutcomeOnTheSpot, desk.IntakeInput{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Case.Status.State != caseflow.Closed || res.Document.Kind != notice.KindGranted {
		t.Fatalf("on the spot: %s %s", res.Case.Status.State, res.Document.Kind)
	}
	full, err := s.ShowFullID(ctx, res.Case)
	if err != nil || full != "11010519491231002X" {
		t.Fatal(full, err)
	}
	log, _ := s.Store.AuditLog(ctx, res.Case.ID)
	if len(log) != 1 || log[0].User != "wl" || log[0].Action != "show_full_id" {
		t.Errorf("audit %+v", log)
	}
	r, err := s.Act(ctx, res.Case.ID, caseflow.Rate, func(ch *casefile.Change) { ch.Rating = &casefile.Rating{Level: 5} })
	if err != nil || r.Case.Rating == nil {
		t.Errorf("rate: %v", err)
	}
}

func TestSeedDemo(t *testing.T) {
	s := session(t, catalog.Township)
	if err := desk.SeedDemo(ctx, s, 12, 1); err != nil {
		t.Fatal(err)
	}
	rows, n, err := s.Store.ListCases(ctx, store.Filter{Sort: "received"})
	if err != nil || n != 12 {
		t.Fatalf("%d cases, %v", n, err)
	}
	if !rows[0].ReceivedAt.Before(rows[11].ReceivedAt) || rows[11].ReceivedAt.After(thursday) {
		t.Errorf("received from %v to %v", rows[0].ReceivedAt, rows[11].ReceivedAt)
	}
	if got := s.Now(); !got.Equal(thursday) {
		t.Errorf("the session's clock was not restored: %v", got)
	}
}
