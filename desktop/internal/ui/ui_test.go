package ui

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/desk"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/desktop/internal/notice"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/desktop/internal/syncclient"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	"github.com/bianmin/bianmin/shared/passwd"
	"github.com/bianmin/bianmin/shared/workcal"
)

func TestSignInWithWrongAndRightPassword(t *testing.T) {
	h := newHarness(t, setup{enrolled: true, users: true})
	s := h.u.signIn
	if s == nil {
		t.Fatal("an enrolled station with users should start at the sign-in screen")
	}
	test.Type(s.name, "wangli")
	test.Type(s.password, "wrong-password")
	test.Tap(s.submit)
	if h.u.shell != nil {
		t.Fatal("signed in with a wrong password")
	}
	if s.err.Text != "用户名或密码不正确。" || !s.err.Visible() {
		t.Errorf("error shown: %q", s.err.Text)
	}
	if s.password.Text != "" {
		t.Error("the wrong password stays in the field")
	}
	test.AssertRendersToMarkup(t, "sign_in_wrong_password.xml", h.w.Canvas())

	test.Type(s.password, "pass1234")
	s.password.OnSubmitted(s.password.Text) // Enter submits
	if h.u.shell == nil {
		t.Fatalf("right password refused: %s", s.err.Text)
	}
	if h.u.session.User.DisplayName != "王丽" || h.u.session.User.Role != caseflow.Clerk {
		t.Errorf("session user %+v", h.u.session.User)
	}
}

func TestFirstUserIsCreatedWithAHashedPassword(t *testing.T) {
	h := newHarness(t, setup{enrolled: true})
	f := h.u.first
	if f == nil {
		t.Fatal("an enrolled station without users should ask for the first user")
	}
	test.Type(f.name, "zhaomin")
	test.Type(f.displayName, "赵敏")
	test.Type(f.password, "short")
	test.Type(f.password2, "short")
	test.Tap(f.submit)
	if !strings.Contains(f.err.Text, "至少需要 8 位") {
		t.Errorf("short password: %q", f.err.Text)
	}
	f.password.SetText("")
	f.password2.SetText("")
	test.Type(f.password, "qingshan2026")
	test.Type(f.password2, "qingshan2026")
	test.Tap(f.submit)
	if h.u.shell == nil {
		t.Fatalf("not signed in after creating the user: %s", f.err.Text)
	}
	u, err := h.st.User(context.Background(), "zhaomin")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$") || strings.Contains(u.PasswordHash, "qingshan2026") || !u.Admin {
		t.Errorf("stored user %+v", u)
	}
	if ok, _ := passwd.Verify("qingshan2026", u.PasswordHash); !ok {
		t.Error("the stored hash does not verify")
	}
}

func TestStatusBarStates(t *testing.T) {
	h := newHarness(t, setup{enrolled: true, users: true})
	h.signIn()
	bar := h.u.shell.status
	now := thursday
	for _, tc := range []struct {
		name   string
		status syncclient.Status
		check  func()
	}{
		{"status_offline.xml", syncclient.Status{Pending: 3, NextTry: now.Add(90 * time.Second), LastError: bmerr.New(bmerr.Unavailable, "network", "无法连接中心服务器：dial tcp 127.0.0.1:8700: connection refused", "cannot reach the central server")}, func() {
			if !strings.Contains(bar.online.Text, "离线") || !strings.Contains(bar.online.Text, "无法连接中心") ||
				!strings.HasSuffix(bar.online.Text, "将于 10:01:30 重试。") || bar.pending.Text != "待同步 3" {
				t.Errorf("offline: %q %q", bar.online.Text, bar.pending.Text)
			}
			if bar.progBox.Visible() || bar.rejected.Visible() || bar.lastSync.Text != "上次同步 尚未同步" {
				t.Errorf("offline: progress %v rejected %v last %q", bar.progress.Visible(), bar.rejected.Visible(), bar.lastSync.Text)
			}
		}},
		{"status_refused.xml", syncclient.Status{Pending: 1, LastError: bmerr.New(bmerr.Unauthenticated, "device_revoked", "本机的注册已被中心注销，请联系中心重新注册。", "this device's enrollment was revoked")}, func() {
			if bar.online.Text != "○ 离线：本机的注册已被中心注销，请联系中心重新注册。" {
				t.Errorf("refused: %q", bar.online.Text)
			}
		}},
		{"status_online.xml", syncclient.Status{Online: true, Rejected: 2, LastSync: now.Add(-5 * time.Minute)}, func() {
			if !strings.Contains(bar.online.Text, "在线") || bar.rejected.Text != "被退回 2" || !bar.rejected.Visible() || bar.lastSync.Text != "上次同步 今天 09:55" {
				t.Errorf("online: %q %q %q", bar.online.Text, bar.rejected.Text, bar.lastSync.Text)
			}
		}},
		{"status_syncing.xml", syncclient.Status{Online: true, Syncing: true, Phase: "upload", Pending: 12, ItemsDone: 3, ItemsTotal: 12, BytesDone: 3 << 20, BytesTotal: 8 << 20}, func() {
			if !bar.progBox.Visible() || bar.detail.Text != "正在上传附件 · 3/12 项 · 3.0 MB/8.0 MB" || bar.progress.Value != 3.0/8 || !bar.syncNow.Disabled() {
				t.Errorf("syncing: %v %q %v", bar.progress.Visible(), bar.detail.Text, bar.progress.Value)
			}
			if bar.clock.Visible() {
				t.Errorf("clock warning shown without a skew: %q", bar.clock.Text)
			}
		}},
		// Central reports the station clock 2 h 10 min slow: due dates would
		// come out a day early near midnight, so the bar says so until fixed.
		{"status_clock.xml", syncclient.Status{Online: true, ClockSkew: -(2*time.Hour + 10*time.Minute)}, func() {
			if !bar.clock.Visible() || bar.clock.Text != "⚠ 本机时钟比中心慢 130 分钟，期限按本机日期计算，请校准系统时间。" {
				t.Errorf("clock: visible %v %q", bar.clock.Visible(), bar.clock.Text)
			}
		}},
	} {
		h.sync.set(tc.status) // through OnStatus and fyne.Do, as the client reports
		tc.check()
		test.AssertObjectRendersToMarkup(t, tc.name, bar.content)
	}
}

func TestPinyinMatterSearch(t *testing.T) {
	h := newHarness(t, setup{enrolled: true, users: true})
	h.signIn()
	in := h.u.shell.intake
	for _, tc := range []struct{ q, first string }{
		{"ylbx", "城乡居民养老保险参保登记"},
		{"db", "最低生活保障审核确认"},
		{"残疾", "残疾人两项补贴"},
		{"sbk", "社保卡申领/补换"},
	} {
		in.search.SetText("")
		test.Type(in.search, tc.q)
		if len(in.results) == 0 || in.results[0].Name != tc.first {
			t.Errorf("%q: first result %v", tc.q, names(in.results))
		}
	}
	in.search.SetText("")
	test.Type(in.search, "ylbx")
	test.AssertObjectRendersToMarkup(t, "matter_search_ylbx.xml", in.list)
}

func names(ms []*catalog.Matter) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}

// chooseMatter types q into the search and presses Enter.
func (h *harness) chooseMatter(q string) *intakeScreen {
	h.t.Helper()
	in := h.u.shell.intake
	in.search.SetText("")
	test.Type(in.search, q)
	in.search.OnSubmitted(in.search.Text)
	if in.draft == nil {
		h.t.Fatalf("no matter for %q", q)
	}
	return in
}

func (in *intakeScreen) row(code string) *materialRow {
	for _, r := range in.materials {
		if r.mat.Code == code {
			return r
		}
	}
	return nil
}

// The whole window flow: find the matter, type a valid person, tick the
// materials (one 容缺后补), accept: the case is in the store with the due
// date counted offline, the acceptance notice is kept and opened.
func TestIntakeToAcceptanceNotice(t *testing.T) {
	h := newHarness(t, setup{enrolled: true, users: true})
	h.signIn()
	in := h.chooseMatter("db") // 最低生活保障审核确认: promised 25 working days
	if in.draft.Matter.Name != "最低生活保障审核确认" {
		t.Fatalf("chose %s", in.draft.Matter.Name)
	}
	test.Type(in.name, "张秀英")
	test.Type(in.idNumber, "1101051949")
	if in.idHint.Text != "已输入 10/18 位" {
		t.Errorf("partial id hint %q", in.idHint.Text)
	}
	test.Type(in.idNumber, "1231002X")
	if in.idHint.Text != "出生日期 1949-12-31 · 女" || in.idHint.Importance != widget.SuccessImportance {
		t.Errorf("id hint %q", in.idHint.Text)
	}
	test.Type(in.phone, "13812345678")
	test.Type(in.address, "青山镇幸福村3组12号")
	for _, r := range in.materials {
		if r.mat.Necessity == catalog.Deferrable {
			test.Tap(r.deferred)
		} else {
			test.Tap(r.received)
		}
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 100)...)
	in.row("application").attachData("/home/clerk/扫描/申请书.png", png)
	if in.row("application").files.Text != "申请书.png" {
		t.Errorf("attachment label %q", in.row("application").files.Text)
	}
	if in.missing.Text != "材料齐全，可以受理。" {
		t.Errorf("missing: %q", in.missing.Text)
	}
	test.AssertRendersToMarkup(t, "intake_filled.xml", h.w.Canvas())

	in.address.OnSubmitted(in.address.Text) // Enter in the last field accepts
	if in.err.Visible() {
		t.Fatalf("accept failed: %s", in.err.Text)
	}
	c := in.last.Case
	if c == nil || c.Status.State != caseflow.Accepted {
		t.Fatalf("case %+v", c)
	}
	v, err := h.st.CaseByNumber(context.Background(), c.Number)
	if err != nil {
		t.Fatal(err)
	}
	m := fixture.Matter(catalog.Demo(), "最低生活保障审核确认")
	want := workcal.Builtin().Due(workcal.DateOf(thursday), m.PromisedLimit, nil, 0)
	if v.Case.DueOn != want || v.Case.AcceptedOn != workcal.DateOf(thursday) || v.SyncState != store.CasePending {
		t.Errorf("stored case due %s (want %s) accepted %s sync %s", v.Case.DueOn, want, v.Case.AcceptedOn, v.SyncState)
	}
	if a := v.Case.Applicant; a.Name != "张秀英" || a.Birth != workcal.D(1949, 12, 31) || a.Sex != "female" {
		t.Errorf("applicant %+v", a)
	}
	if atts := v.Case.Materials[0].Attachments; len(atts) != 1 || atts[0].MIME != "image/png" {
		t.Errorf("scan %+v", atts)
	}
	docs, _ := h.st.Documents(context.Background(), c.ID)
	if len(docs) != 1 || docs[0].Kind != notice.KindAcceptance || docs[0].CreatedBy != "wangli" {
		t.Fatalf("documents %+v", docs)
	}
	if len(h.opened) != 1 || !strings.HasSuffix(h.opened[0], notice.Filename(notice.KindAcceptance, v.Case)) {
		t.Fatalf("opened %v", h.opened)
	}
	pdf, err := os.ReadFile(h.opened[0])
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("the opened notice is not a PDF: %v", err)
	}
	if h.sync.kicked() == 0 {
		t.Error("the sync client was not told about the new case")
	}
	if !strings.Contains(in.resultText(), "预计办结日期 "+want.String()) {
		t.Errorf("result says %q", in.resultText())
	}
	if in.draft != nil || in.name.Text != "" {
		t.Error("the form was not cleared for the next applicant")
	}
}

// resultText is the text of the result dialog.
func (in *intakeScreen) resultText() string {
	var out []string
	for _, o := range test.LaidOutObjects(in.u.win.Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	}
	return strings.Join(out, "\n")
}

// Missing materials: the one-time notice lists every one of them, with the
// clerk's notes, and is printed and kept.
func TestOneTimeNoticeListsEveryMissingItem(t *testing.T) {
	h := newHarness(t, setup{enrolled: true, users: true})
	h.signIn()
	in := h.chooseMatter("ylbx") // 城乡居民养老保险参保登记: three required materials
	test.Type(in.name, "李建国")
	test.Type(in.idNumber, "11010519491231002X")
	test.Tap(in.row("id_card").received)
	if !strings.HasPrefix(in.missing.Text, "尚缺 2 项：居民户口簿、城乡居民基本养老保险参保登记表") {
		t.Errorf("missing %q", in.missing.Text)
	}
	test.Tap(in.buttons[desk.OutcomeAccept])
	if !strings.Contains(in.err.Text, "材料不齐，不能受理") {
		t.Errorf("accept with missing materials: %q", in.err.Text)
	}
	test.Tap(in.buttons[desk.OutcomeOneTime])
	d := in.oneTime
	if d == nil || len(d.names) != 2 || d.names[0].Text != "居民户口簿" || d.names[1].Text != "城乡居民基本养老保险参保登记表" {
		t.Fatalf("prefilled items: %+v", d)
	}
	d.notes[0].SetText("")
	test.Type(d.notes[0], "原件及复印件 1 份（户主页和本人页）")
	test.Tap(d.add)
	test.Type(d.names[2], "联系电话")
	test.Type(d.notes[2], "请提供本人手机号码")
	test.AssertRendersToMarkup(t, "one_time_notice_dialog.xml", h.w.Canvas())
	test.Tap(d.confirm)

	c := in.last.Case
	if c == nil || c.Status.State != caseflow.SupplementPending {
		t.Fatalf("case %+v err %q", c, in.err.Text)
	}
	var got []string
	for _, it := range c.Notice.Items {
		got = append(got, it.Name+"|"+it.Note)
	}
	want := []string{"居民户口簿|原件及复印件 1 份（户主页和本人页）", "城乡居民基本养老保险参保登记表|请提供原件", "联系电话|请提供本人手机号码"}
	if !slices.Equal(got, want) {
		t.Errorf("notice items\n got %q\nwant %q", got, want)
	}
	docs, _ := h.st.Documents(context.Background(), c.ID)
	if len(docs) != 1 || docs[0].Kind != notice.KindOneTime || len(h.opened) != 1 {
		t.Errorf("documents %+v opened %v", docs, h.opened)
	}
	sum, _ := h.st.SyncSummary(context.Background())
	if sum.Pending != 2 {
		t.Errorf("%d changes waiting, want receive and request_supplement", sum.Pending)
	}
}

// A change central rejected shows in the case's timeline with central's
// Chinese reason, and the status bar's rejected list names it too.
func TestRejectedChangeShownInCaseDetail(t *testing.T) {
	h := newHarness(t, setup{enrolled: true, users: true})
	h.signIn()
	ctx := context.Background()
	m := fixture.Matter(catalog.Demo(), "最低生活保障审核确认")
	d := desk.NewDraft(m)
	d.Applicant = casefile.Applicant{Kind: casefile.Person, Name: "王桂英", IDNumber: "11010519491231002X"}
	for _, mat := range m.Materials {
		if mat.Necessity == catalog.Deferrable {
			d.Defer(mat.Code, true)
		} else {
			d.Receive(mat.Code, true)
		}
	}
	res, err := h.u.session.Submit(ctx, d, desk.OutcomeAccept, desk.IntakeInput{})
	if err != nil {
		t.Fatal(err)
	}
	hist, _ := h.st.History(ctx, res.Case.ID)
	reason := "该申请人已有在办的最低生活保障申请（XZ01-20260105-0003），不能重复受理。"
	err = h.st.ApplyPushResults(ctx, []store.PushResult{
		{ChangeID: hist[0].ChangeID, Outcome: store.Applied, CaseVersion: 1, ServerSeq: 10},
		{ChangeID: hist[1].ChangeID, Outcome: store.Rejected, Code: "conflict", Reason: "duplicate_application", MessageZh: reason, MessageEn: "duplicate application"},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.u.shell.openCase(res.Case.ID)
	dv := h.u.shell.cases.detail
	if dv == nil {
		t.Fatal("no detail view")
	}
	if dv.c.Status.State != caseflow.Received || dv.view.SyncState != store.CaseRejected {
		t.Errorf("case %s sync %s", dv.c.Status.State, dv.view.SyncState)
	}
	var texts []string
	for _, o := range test.LaidOutObjects(dv.timeline) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"收件", "本站 · 已同步", "受理", "本站 · 被中心退回", "中心退回原因：" + reason} {
		if !strings.Contains(all, want) {
			t.Errorf("timeline lacks %q:\n%s", want, all)
		}
	}
	test.AssertObjectRendersToMarkup(t, "detail_rejected_timeline.xml", dv.timeline)
	// The clerk may accept again: the rejected accept is out of the case.
	if dv.actions[caseflow.Accept] == nil {
		t.Errorf("actions %v", dv.actions)
	}
	h.sync.set(syncclient.Status{Online: true, Rejected: 1})
	test.Tap(h.u.shell.status.rejected)
	if !strings.Contains(overlayText(h.w), reason) {
		t.Errorf("rejected list lacks the reason:\n%s", overlayText(h.w))
	}
}

func overlayText(w fyne.Window) string {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var out []string
	for _, o := range test.LaidOutObjects(top) {
		switch l := o.(type) {
		case *widget.Label:
			out = append(out, l.Text)
		case *widget.RichText:
			out = append(out, l.String())
		}
	}
	// List rows are created lazily; read them from the list's data too.
	return strings.Join(out, "\n")
}

func TestCaseListSearchesAndMasks(t *testing.T) {
	h := newHarness(t, setup{enrolled: true, users: true})
	h.signIn()
	ctx := context.Background()
	for _, p := range []struct{ name, id string }{{"张秀英", "11010519491231002X"}, {"李建国", "110105196003010011"}} {
		m := fixture.Matter(catalog.Demo(), "城乡居民养老保险参保登记")
		d := desk.NewDraft(m)
		id := p.id
		if c, _ := identCheck(id); c != "" {
			id = c
		}
		d.Applicant = casefile.Applicant{Kind: casefile.Person, Name: p.name, IDNumber: id}
		for _, mat := range m.Materials {
			d.Receive(mat.Code, true)
		}
		if _, err := h.u.session.Submit(ctx, d, desk.OutcomeOnTheSpot, desk.IntakeInput{}); err != nil {
			t.Fatal(err)
		}
	}
	h.u.shell.tabs.SelectIndex(tabCases)
	cs := h.u.shell.cases
	if cs.total != 2 || cs.count.Text != "共 2 件 · 第 1/1 页" {
		t.Fatalf("list: %d %q", cs.total, cs.count.Text)
	}
	test.Type(cs.search, "张秀英")
	if cs.total != 1 || cs.rows[0].ApplicantName != "张**" || cs.rows[0].IDMasked != "110105********002X" {
		t.Errorf("search by name: %d %+v", cs.total, cs.rows)
	}
	cs.search.SetText("11010519491231002X") // a full ID finds the person, shown masked
	if cs.total != 1 || cs.rows[0].IDMasked != "110105********002X" {
		t.Errorf("search by full id: %d", cs.total)
	}
	cs.search.SetText("")
	cs.state.SetSelectedIndex(slices.Index(stateFilters, caseflow.Closed))
	if cs.total != 2 {
		t.Errorf("closed filter: %d", cs.total)
	}
	test.AssertObjectRendersToMarkup(t, "case_list.xml", cs.content)
	cs.search.OnSubmitted("")
}

// identCheck completes a 17-digit prefix with its check character when the
// given number's is wrong (test data convenience).
func identCheck(id string) (string, error) {
	c, err := identCheckChar(id[:17])
	if err != nil {
		return "", err
	}
	if id[17] == c {
		return "", nil
	}
	return id[:17] + string(c), nil
}

func TestCommunityAgentForwardsAProxyApplication(t *testing.T) {
	h := newHarness(t, setup{enrolled: true, users: true, level: catalog.Community})
	h.signIn()
	in := h.chooseMatter("宅基地")
	if !in.proxyBox.Visible() || in.proxyForward.Text != "XZ01" {
		t.Fatalf("proxy section: visible %v forward %q", in.proxyBox.Visible(), in.proxyForward.Text)
	}
	if in.buttons[desk.OutcomeAccept] != nil || in.buttons[desk.OutcomeProxy] == nil {
		t.Fatalf("buttons %v", in.buttons)
	}
	test.Type(in.name, "陈德明")
	test.Type(in.idNumber, "11010519491231002X")
	for _, r := range in.materials {
		test.Tap(r.received)
	}
	test.Tap(in.buttons[desk.OutcomeProxy])
	if !strings.Contains(in.err.Text, "授权委托") {
		t.Errorf("no authorisation: %q", in.err.Text)
	}
	test.Type(in.proxyAuth, "授权委托书 2026-018")
	test.Tap(in.buttons[desk.OutcomeProxy])
	c := in.last.Case
	if c == nil || c.HandlingStation != "XZ01" || c.Proxy.AgentName != "王丽" || c.Proxy.Authorization != "授权委托书 2026-018" {
		t.Fatalf("case %+v err %q", c, in.err.Text)
	}
	if c.Mode != casefile.WalkIn || len(h.opened) != 1 || !strings.Contains(h.opened[0], notice.KindReceipt) {
		t.Errorf("mode %s opened %v", c.Mode, h.opened)
	}
}

func TestIDCheckedAsTyped(t *testing.T) {
	h := newHarness(t, setup{enrolled: true, users: true})
	h.signIn()
	in := h.chooseMatter("ylbx")
	test.Type(in.idNumber, "1101051949133")
	if in.idHint.Importance != widget.DangerImportance || !strings.Contains(in.idHint.Text, "出生月份") {
		t.Errorf("month 13: %q", in.idHint.Text)
	}
	in.idNumber.SetText("110105194912310021")
	if !strings.Contains(in.idHint.Text, "校验码应为 X") {
		t.Errorf("checksum: %q", in.idHint.Text)
	}
	in.kind.SetSelected("单位")
	if in.personBox.Visible() || !in.orgBox.Visible() {
		t.Error("organisation fields not shown")
	}
	test.Type(in.credit, "91350100M000100Y42")
	if in.creditMsg.Importance != widget.WarningImportance || !strings.Contains(in.creditMsg.Text, "校验不通过") {
		t.Errorf("credit code warning: %q", in.creditMsg.Text)
	}
	test.Type(in.orgName, "青山镇农机专业合作社")
	warning, err := desk.CheckApplicant(in.applicant(), thursday)
	if err != nil || warning == nil {
		t.Errorf("a checksum warning must not block: %v %v", warning, err)
	}
}

func TestAttachScanChecksContent(t *testing.T) {
	h := newHarness(t, setup{enrolled: true, users: true})
	h.signIn()
	in := h.chooseMatter("ylbx")
	r := in.row("id_card")
	r.attachData("身份证.jpg", []byte("MZ\x90\x00 not a picture"))
	if r.files.Text != "" || !strings.Contains(overlayText(h.w), "不是图片或 PDF") {
		t.Errorf("an executable renamed .jpg was attached: %q / %q", r.files.Text, overlayText(h.w))
	}
	r.attachData("身份证.pdf", []byte("%PDF-1.7\n1 0 obj"))
	if r.files.Text != "身份证.pdf" || !r.received.Checked {
		t.Errorf("pdf: %q received %v", r.files.Text, r.received.Checked)
	}
}

func TestLanguageSwitchRebuildsInEnglish(t *testing.T) {
	h := newHarness(t, setup{enrolled: true, users: true})
	t.Cleanup(func() { i18n.Use(i18n.Chinese) })
	h.signIn()
	if h.u.shell.tabs.Items[0].Text != "收件" {
		t.Fatalf("tab %q", h.u.shell.tabs.Items[0].Text)
	}
	h.u.shell.tabs.SelectIndex(tabSettings)
	h.u.shell.settings.language.SetSelected("English")
	if got := h.u.shell.tabs.Items[0].Text; got != "Intake" {
		t.Errorf("after switching: tab %q", got)
	}
	if h.u.shell.tabs.SelectedIndex() != tabSettings {
		t.Error("the settings tab was not kept")
	}
	if h.u.shell.status.syncNow.Text != "Sync now" {
		t.Errorf("status bar %q", h.u.shell.status.syncNow.Text)
	}
}

func TestCaseActionsRecordAndKick(t *testing.T) {
	h := newHarness(t, setup{enrolled: true, users: true})
	h.signIn()
	ctx := context.Background()
	m := fixture.Matter(catalog.Demo(), "特困人员认定") // decided at the township
	d := desk.NewDraft(m)
	d.Applicant = casefile.Applicant{Kind: casefile.Person, Name: "周福贵", IDNumber: "11010519491231002X"}
	for _, mat := range m.Materials {
		d.Receive(mat.Code, true)
	}
	res, err := h.u.session.Submit(ctx, d, desk.OutcomeAccept, desk.IntakeInput{})
	if err != nil {
		t.Fatal(err)
	}
	h.u.shell.openCase(res.Case.ID)
	dv := h.u.shell.cases.detail
	if dv.actions[caseflow.Grant] == nil || dv.actions[caseflow.Refuse] == nil {
		t.Fatalf("a township clerk should decide a devolved matter: %v", dv.actions)
	}
	test.Tap(dv.actions[caseflow.Grant])
	test.Tap(dv.form.confirm)
	dv = h.u.shell.cases.detail
	if dv.c.Status.State != caseflow.Decided || dv.actions[caseflow.Deliver] == nil {
		t.Fatalf("after grant: %s %v", dv.c.Status.State, dv.actions)
	}
	test.Tap(dv.actions[caseflow.Deliver])
	test.Tap(dv.form.confirm)
	dv = h.u.shell.cases.detail
	if dv.c.Status.State != caseflow.Closed || dv.c.Delivery.Method != casefile.AtWindow || dv.actions[caseflow.Rate] == nil {
		t.Fatalf("after deliver: %s", dv.c.Status.State)
	}
	test.Tap(dv.actions[caseflow.Rate])
	test.Tap(dv.form.confirm)
	if !dv.form.err.Visible() {
		t.Error("a rating without a level was accepted")
	}
	dv.start(caseflow.Rate) // a fresh dialog
	for _, o := range test.LaidOutObjects(h.w.Canvas().Overlays().Top()) {
		if rg, ok := o.(*widget.RadioGroup); ok {
			rg.SetSelected(rg.Options[0])
		}
	}
	test.Tap(dv.form.confirm)
	dv = h.u.shell.cases.detail
	if dv.c.Rating == nil || dv.c.Rating.Level != 5 {
		t.Errorf("rating %+v", dv.c.Rating)
	}
	docs, _ := h.st.Documents(ctx, res.Case.ID)
	kinds := []string{}
	for _, doc := range docs {
		kinds = append(kinds, doc.Kind)
	}
	if !slices.Equal(kinds, []string{notice.KindAcceptance, notice.KindGranted}) {
		t.Errorf("documents %v", kinds)
	}
	test.Tap(dv.showID)
	if dv.idLabel.Text != "11010519491231002X" {
		t.Errorf("full id %q", dv.idLabel.Text)
	}
	if log, _ := h.st.AuditLog(ctx, res.Case.ID); len(log) != 1 {
		t.Errorf("the full-ID view was not audited: %v", log)
	}
	if h.sync.kicked() < 4 {
		t.Errorf("kicked %d times", h.sync.kicked())
	}
}

// A case is flagged overdue in the list only while its clock runs past its
// due date: not on the due date itself, not once decided, and not while
// the clock is stopped (suspended, returned for supplement).
func TestOverdueInCaseList(t *testing.T) {
	today := workcal.D(2026, 11, 27)
	for _, tc := range []struct {
		state caseflow.State
		due   workcal.Date
		want  bool
	}{
		{caseflow.Accepted, workcal.D(2026, 11, 26), true},
		{caseflow.UnderReview, workcal.D(2026, 11, 5), true},
		{caseflow.ParallelReview, workcal.D(2026, 11, 26), true},
		{caseflow.Accepted, today, false},
		{caseflow.Accepted, workcal.D(2026, 11, 30), false},
		{caseflow.Accepted, workcal.Date{}, false},
		{caseflow.Suspended, workcal.D(2026, 11, 5), false},
		{caseflow.Returned, workcal.D(2026, 11, 5), false},
		{caseflow.Decided, workcal.D(2026, 11, 5), false},
		{caseflow.Closed, workcal.D(2026, 11, 5), false},
	} {
		r := store.CaseRow{State: tc.state, DueOn: tc.due}
		if got := overdue(r, today); got != tc.want {
			t.Errorf("%s due %s: overdue %v, want %v", tc.state, tc.due, got, tc.want)
		}
		text, imp := caseColumns[slices.IndexFunc(caseColumns, func(c caseColumn) bool { return c.title() == "到期日" })].value(r, today)
		if tc.want && (imp != widget.DangerImportance || !strings.HasSuffix(text, "已超期")) {
			t.Errorf("%s due %s: shown %q (importance %v)", tc.state, tc.due, text, imp)
		}
	}
}

// A due date in a year the station's calendar has no holiday schedule for
// (2027, before central publishes it) is counted Monday to Friday only:
// the acceptance dialog says so.
func TestAcceptanceWarnsOfAnUncoveredYear(t *testing.T) {
	cal := workcal.Builtin() // 2025 and 2026
	if got := uncoveredYears(cal, workcal.D(2026, 12, 21), workcal.D(2027, 1, 25)); !slices.Equal(got, []int{2027}) {
		t.Errorf("uncovered years %v, want [2027]", got)
	}
	if got := uncoveredYears(cal, workcal.D(2026, 2, 12), workcal.D(2026, 3, 19)); got != nil {
		t.Errorf("uncovered years within 2026: %v", got)
	}
	if got := uncoveredYears(cal, workcal.D(2026, 2, 12), workcal.Date{}); got != nil {
		t.Errorf("no due date: %v", got)
	}

	h := newHarness(t, setup{enrolled: true, users: true})
	h.signIn()
	m := fixture.Matter(catalog.Demo(), "最低生活保障审核确认")
	c := &casefile.Case{Number: "XZ01-20261221-0001", AcceptedOn: workcal.D(2026, 12, 21), DueOn: workcal.D(2027, 1, 25),
		Matter: casefile.MatterSnapshot{Code: m.Code, Name: m.Name, Promised: m.PromisedLimit}}
	h.u.shell.intake.showResult(desk.OutcomeAccept, desk.Result{Case: c})
	if text := overlayText(h.w); !strings.Contains(text, "本机工作日历尚无 2027 年的节假日安排") {
		t.Errorf("acceptance dialog:\n%s", text)
	}
}
