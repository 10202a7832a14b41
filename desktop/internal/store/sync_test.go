package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
)

func body(t testing.TB, ch *casefile.Change) []byte {
	t.Helper()
	b, err := proto.Marshal(wire.ChangeToWire(ch))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestApplyPushResults(t *testing.T) {
	s, _ := openStore(t)
	// Two cases, their changes interleaved in the outbox.
	x1 := intake(t, s, pension, "张三", residentID(t, "110105", workcal.D(1960, 3, 1), 11), t0)
	y1 := intake(t, s, pension, "李四", residentID(t, "110105", workcal.D(1962, 5, 9), 13), t0.Add(time.Minute))
	record(t, s, x1)
	record(t, s, y1)
	x2 := act(x1.CaseID, caseflow.Accept, clerk, t0.Add(2*time.Minute))
	y2 := act(y1.CaseID, caseflow.Accept, clerk, t0.Add(3*time.Minute))
	record(t, s, x2)
	record(t, s, y2)
	x3 := act(x1.CaseID, caseflow.CloseOnSpot, clerk, t0.Add(4*time.Minute))
	y3 := act(y1.CaseID, caseflow.CloseOnSpot, clerk, t0.Add(5*time.Minute))
	record(t, s, x3)
	record(t, s, y3)
	if err := s.MarkSent(ctx, []uuid.UUID{x1.ID, y1.ID, x2.ID, y2.ID, x3.ID, y3.ID}); err != nil {
		t.Fatal(err)
	}
	if sum, _ := s.SyncSummary(ctx); sum.Sent != 6 || sum.Pending != 0 {
		t.Fatalf("summary after MarkSent = %+v", sum)
	}

	// x2 (the middle change of case x) is rejected; x3 then fails at central
	// too. Every change of case y is answered in its own right: y1 applied
	// earlier (already applied), y2 applied, y3 deferred.
	err := s.ApplyPushResults(ctx, []store.PushResult{
		{ChangeID: x1.ID, Outcome: store.Applied, CaseVersion: 1, ServerSeq: 101},
		{ChangeID: y1.ID, Outcome: store.AlreadyApplied, OriginalApplied: true, CaseVersion: 1, ServerSeq: 102},
		{ChangeID: x2.ID, Outcome: store.Rejected, Code: "failed_precondition", Reason: "materials_missing",
			MessageZh: "材料不齐，不能受理。", MessageEn: "materials are missing."},
		{ChangeID: y2.ID, Outcome: store.Applied, CaseVersion: 2, ServerSeq: 104},
		{ChangeID: y3.ID, Outcome: store.Deferred, Reason: "attachment_pending", MessageEn: "later"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// x3 is still unanswered and y3 deferred: both wait; x2 is quarantined.
	if got := outboxIDs(t, s); !slices.Equal(got, []uuid.UUID{x3.ID, y3.ID}) {
		t.Fatalf("outbox = %v, want [x3 y3]", got)
	}
	items, _ := s.Outbox(ctx, 0)
	if items[1].State != store.StateDeferred || items[1].Attempts != 1 {
		t.Errorf("deferred item = %+v", items[1])
	}
	if got := historyStates(t, s, x1.CaseID); !slices.Equal(got, []string{"receive:synced", "accept:rejected", "close_on_spot:sent:conflict"}) {
		t.Errorf("history x = %v", got)
	}
	// Case x rolled back to "received": the rejected accept is gone, and the
	// close that needed it no longer applies.
	vx := caseView(t, s, x1.CaseID)
	if vx.Case.Status.State != caseflow.Received || vx.Case.Version != 1 || vx.SyncState != store.CaseConflict {
		t.Errorf("case x = state %q version %d sync %s", vx.Case.Status.State, vx.Case.Version, vx.SyncState)
	}
	// Case y keeps its applied changes and the deferred one on top.
	vy := caseView(t, s, y1.CaseID)
	if vy.Case.Status.State != caseflow.Closed || vy.Case.Version != 3 || vy.SyncState != store.CasePending {
		t.Errorf("case y = state %q version %d sync %s", vy.Case.Status.State, vy.Case.Version, vy.SyncState)
	}
	rej, err := s.Rejected(ctx)
	if err != nil || len(rej) != 1 {
		t.Fatalf("Rejected = %v, %v", rej, err)
	}
	if r := rej[0]; r.ChangeID != x2.ID || r.Reason != "materials_missing" || r.MessageZh != "材料不齐，不能受理。" ||
		r.Code != "failed_precondition" || r.Change.Action != caseflow.Accept {
		t.Errorf("rejected row = %+v", r)
	}

	// x3 is rejected too (already applied: its first answer was a
	// rejection); y3 is deferred again, then applied.
	err = s.ApplyPushResults(ctx, []store.PushResult{
		{ChangeID: x3.ID, Outcome: store.AlreadyApplied, OriginalApplied: false, Reason: "illegal_transition"},
		{ChangeID: y3.ID, Outcome: store.Deferred},
	})
	if err != nil {
		t.Fatal(err)
	}
	if items, _ := s.Outbox(ctx, 0); len(items) != 1 || items[0].Attempts != 2 {
		t.Fatalf("outbox = %+v", items)
	}
	if err := s.ApplyPushResults(ctx, []store.PushResult{{ChangeID: y3.ID, Outcome: store.Applied, CaseVersion: 3}}); err != nil {
		t.Fatal(err)
	}
	if got := outboxIDs(t, s); len(got) != 0 {
		t.Errorf("outbox = %v, want empty", got)
	}
	if v := caseView(t, s, x1.CaseID); v.SyncState != store.CaseRejected || v.Case.Status.State != caseflow.Received {
		t.Errorf("case x = %s %s", v.SyncState, v.Case.Status.State)
	}
	if v := caseView(t, s, y1.CaseID); v.SyncState != store.CaseSynced || v.Case.Status.State != caseflow.Closed {
		t.Errorf("case y = %s %s", v.SyncState, v.Case.Status.State)
	}
	sum, err := s.SyncSummary(ctx)
	if err != nil || sum.Rejected != 2 || sum.Pending+sum.Sent+sum.Deferred != 0 {
		t.Errorf("summary = %+v, %v", sum, err)
	}
	// A late "deferred" for a settled change, and results for unknown
	// changes, change nothing.
	if err := s.ApplyPushResults(ctx, []store.PushResult{
		{ChangeID: y3.ID, Outcome: store.Deferred}, {ChangeID: uuid.New(), Outcome: store.Applied},
	}); err != nil {
		t.Fatal(err)
	}
	if got := historyStates(t, s, y1.CaseID); !slices.Equal(got, []string{"receive:synced", "accept:synced", "close_on_spot:synced"}) {
		t.Errorf("history y = %v", got)
	}
	wantCode(t, s.ApplyPushResults(ctx, []store.PushResult{{ChangeID: y3.ID}}), bmerr.Invalid, "push_outcome")
}

func TestRejectedIntake(t *testing.T) {
	s, _ := openStore(t)
	x1 := intake(t, s, pension, "张三", residentID(t, "110105", workcal.D(1960, 3, 1), 11), t0)
	record(t, s, x1)
	if err := s.ApplyPushResults(ctx, []store.PushResult{{ChangeID: x1.ID, Outcome: store.Rejected, Reason: "foreign_case"}}); err != nil {
		t.Fatal(err)
	}
	v := caseView(t, s, x1.CaseID)
	if v.Case != nil || v.SyncState != store.CaseRejected {
		t.Fatalf("rejected intake: case %+v sync %s", v.Case, v.SyncState)
	}
	// The clerk still finds it in the list, by its number.
	rows, total, err := s.ListCases(ctx, store.Filter{SyncState: store.CaseRejected})
	if err != nil || total != 1 || rows[0].Number != x1.Intake.Number || rows[0].State != caseflow.New {
		t.Fatalf("list = %+v, %d, %v", rows, total, err)
	}
	// A later change on it is refused locally: the case does not exist.
	_, err = s.Record(ctx, act(x1.CaseID, caseflow.Accept, clerk, t0.Add(time.Minute)))
	wantCode(t, err, bmerr.NotFound, "case_unknown")
}

func TestApplyPull(t *testing.T) {
	s, path := openStore(t)
	x1 := intake(t, s, pension, "张三", residentID(t, "110105", workcal.D(1960, 3, 1), 11), t0)
	record(t, s, x1)
	if err := s.MarkSent(ctx, []uuid.UUID{x1.ID}); err != nil {
		t.Fatal(err)
	}
	// The push reply was lost. Meanwhile the clerk accepts the case locally.
	x2 := act(x1.CaseID, caseflow.Accept, clerk, t0.Add(10*time.Minute))
	record(t, s, x2)

	// Central applied x1, then its scheduler warned; and a case this
	// station never touched arrives (made entirely elsewhere).
	w := warn(x1.CaseID, casefile.Yellow, t0.Add(5*time.Minute))
	other := &casefile.Change{
		ID: uuid.Must(uuid.NewV7()), CaseID: caseflow.NewCaseID(), Action: caseflow.Receive, Actor: centralClerk, At: t0,
		Intake: &casefile.Intake{
			Number: caseflow.FormatNumber("C01", day0, 7), Matter: dibao, Mode: casefile.WalkIn,
			Applicant: casefile.Applicant{Name: "王五", IDNumber: residentID(t, "110105", workcal.D(1950, 1, 2), 31)},
			Materials: materials(t, dibao),
		},
	}
	applied := t0.Add(6 * time.Minute)
	entries := []store.PulledChange{
		{Seq: 201, Body: body(t, x1), CaseVersion: 1, AppliedAt: applied},
		{Seq: 202, Body: body(t, w), CaseVersion: 2, AppliedAt: applied},
		{Seq: 203, Body: body(t, other), CaseVersion: 1, AppliedAt: applied},
	}
	xCentral := central(t, x1, w)
	oCentral := central(t, other)
	if err := s.ApplyPull(ctx, entries, []*casefile.Case{xCentral, oCentral}, 203); err != nil {
		t.Fatal(err)
	}

	if got := historyStates(t, s, x1.CaseID); !slices.Equal(got, []string{"receive:synced", "accept:pending", "warn:remote"}) {
		t.Errorf("history x = %v", got)
	}
	if got := outboxIDs(t, s); !slices.Equal(got, []uuid.UUID{x2.ID}) {
		t.Errorf("outbox = %v, want [x2]", got)
	}
	v := caseView(t, s, x1.CaseID)
	if v.Confirmed == nil || v.Confirmed.Version != 2 || v.Confirmed.TopWarning() != casefile.Yellow {
		t.Fatalf("confirmed = %+v", v.Confirmed)
	}
	// The local projection is central's copy with the pending accept on top.
	if v.Case.Version != 3 || v.Case.Status.State != caseflow.Accepted || v.Case.TopWarning() != casefile.Yellow || v.SyncState != store.CasePending {
		t.Errorf("local = version %d state %q warning %q sync %s", v.Case.Version, v.Case.Status.State, v.Case.TopWarning(), v.SyncState)
	}
	if v.Case.DueOn.IsZero() {
		t.Error("the re-projected accept has no due date")
	}
	vo := caseView(t, s, other.CaseID)
	if vo.Case == nil || vo.Case.Number != "C01-20260212-0007" || vo.SyncState != store.CaseSynced {
		t.Errorf("remote case = %+v", vo)
	}
	// With nothing of ours on top, the projection is the confirmed copy and
	// its document is not stored twice; with our accept on top, it is.
	db := openRaw(t, path)
	for id, wantNull := range map[uuid.UUID]bool{other.CaseID: true, x1.CaseID: false} {
		var null bool
		if err := db.QueryRow(`SELECT d.local_doc IS NULL FROM cases c JOIN case_docs d ON d.rid = c.rid WHERE c.id = ?`,
			id.String()).Scan(&null); err != nil || null != wantNull {
			t.Errorf("local_doc IS NULL = %v, %v; want %v", null, err, wantNull)
		}
	}
	h, _ := s.History(ctx, other.CaseID)
	if len(h) != 1 || h[0].Origin != "remote" || h[0].ServerSeq != 203 || !h[0].AppliedAt.Equal(applied) {
		t.Errorf("remote history = %+v", h)
	}
	if c, _ := s.Cursor(ctx); c != 203 {
		t.Errorf("cursor = %d", c)
	}

	// Pulling the same page again changes nothing.
	if err := s.ApplyPull(ctx, entries, []*casefile.Case{xCentral, oCentral}, 203); err != nil {
		t.Fatal(err)
	}
	if got := historyStates(t, s, x1.CaseID); len(got) != 3 {
		t.Errorf("history after repeat = %v", got)
	}

	// An older copy arriving late does not replace the newer one.
	if err := s.ApplyPull(ctx, nil, []*casefile.Case{central(t, x1)}, 203); err != nil {
		t.Fatal(err)
	}
	if v := caseView(t, s, x1.CaseID); v.Confirmed.Version != 2 {
		t.Errorf("confirmed went back to version %d", v.Confirmed.Version)
	}
}

func TestApplyPullConflict(t *testing.T) {
	s, _ := openStore(t)
	x1 := intake(t, s, pension, "张三", residentID(t, "110105", workcal.D(1960, 3, 1), 11), t0)
	record(t, s, x1)
	if err := s.ApplyPushResults(ctx, []store.PushResult{{ChangeID: x1.ID, Outcome: store.Applied, CaseVersion: 1, ServerSeq: 1}}); err != nil {
		t.Fatal(err)
	}
	x2 := act(x1.CaseID, caseflow.Accept, clerk, t0.Add(10*time.Minute))
	record(t, s, x2)

	// Meanwhile central's window withdrew the case: the pending accept no
	// longer applies. It leaves the projection but stays in the outbox.
	wd := act(x1.CaseID, caseflow.Withdraw, centralClerk, t0.Add(5*time.Minute))
	wd.Note = "申请人撤回"
	if err := s.ApplyPull(ctx, []store.PulledChange{{Seq: 2, Body: body(t, wd), CaseVersion: 2}},
		[]*casefile.Case{central(t, x1, wd)}, 2); err != nil {
		t.Fatal(err)
	}
	v := caseView(t, s, x1.CaseID)
	if v.Case.Status.State != caseflow.Closed || v.Case.Version != 2 || v.SyncState != store.CaseConflict {
		t.Errorf("local = state %q version %d sync %s", v.Case.Status.State, v.Case.Version, v.SyncState)
	}
	if got := outboxIDs(t, s); !slices.Equal(got, []uuid.UUID{x2.ID}) {
		t.Errorf("outbox = %v", got)
	}
	h, _ := s.History(ctx, x1.CaseID)
	if h[1].Note != "conflict" || h[1].State != store.StatePending || h[1].Reason == "" || h[1].MessageZh == "" {
		t.Errorf("conflicted change = %+v", h[1])
	}
	if sum, _ := s.SyncSummary(ctx); sum.Conflicts != 1 || sum.Pending != 1 {
		t.Errorf("summary = %+v", sum)
	}
	// Central judges it: rejected. The case is central's.
	if err := s.ApplyPushResults(ctx, []store.PushResult{{ChangeID: x2.ID, Outcome: store.Rejected, Reason: "illegal_transition"}}); err != nil {
		t.Fatal(err)
	}
	if v := caseView(t, s, x1.CaseID); v.SyncState != store.CaseRejected || v.Case.Status.Result != caseflow.Withdrawn {
		t.Errorf("after rejection: %s %+v", v.SyncState, v.Case.Status)
	}
}

func TestDigest(t *testing.T) {
	s, _ := openStore(t)
	d, n, err := s.Digest(ctx)
	empty := sha256.Sum256(nil)
	if err != nil || n != 0 || d != hex.EncodeToString(empty[:]) {
		t.Fatalf("empty digest = %s, %d, %v", d, n, err)
	}
	a := intake(t, s, pension, "张三", residentID(t, "110105", workcal.D(1960, 3, 1), 11), t0)
	b := intake(t, s, pension, "李四", residentID(t, "110105", workcal.D(1961, 3, 1), 13), t0)
	a.CaseID = uuid.MustParse("F0E1D2C3-0000-7000-8000-000000000001") // upper-case input: the form is lower-case
	b.CaseID = uuid.MustParse("0a1b2c3d-0000-7000-8000-000000000002")
	ca, cb := central(t, a), central(t, b, warn(b.CaseID, casefile.Red, t0))
	// A case only recorded locally is not part of the digest.
	record(t, s, intake(t, s, pension, "王五", residentID(t, "110105", workcal.D(1962, 3, 1), 15), t0))
	if err := s.ApplyPull(ctx, nil, []*casefile.Case{ca, cb}, 5); err != nil {
		t.Fatal(err)
	}
	lines := "0a1b2c3d-0000-7000-8000-000000000002:2\n" + "f0e1d2c3-0000-7000-8000-000000000001:1\n"
	want := sha256.Sum256([]byte(lines))
	d, n, err = s.Digest(ctx)
	if err != nil || n != 2 || d != hex.EncodeToString(want[:]) {
		t.Errorf("digest = %s, %d, %v; want %x, 2", d, n, err, want)
	}
}

func TestReplaceAll(t *testing.T) {
	s, _ := openStore(t)
	mk := func(name string, seq int) *casefile.Change {
		return intake(t, s, pension, name, residentID(t, "110105", workcal.D(1960, 3, 1), seq), t0)
	}
	keep, gone, busy, local := mk("甲一", 11), mk("乙二", 13), mk("丙三", 15), mk("丁四", 17)
	if err := s.ApplyPull(ctx, nil, []*casefile.Case{central(t, keep), central(t, gone), central(t, busy)}, 10); err != nil {
		t.Fatal(err)
	}
	// busy has a change of ours waiting; local was never confirmed.
	record(t, s, act(busy.CaseID, caseflow.Accept, clerk, t0.Add(time.Hour)))
	record(t, s, local)

	// The snapshot: keep (now warned by central), in two pages; gone and
	// busy are not in it.
	keepNew := central(t, keep, warn(keep.CaseID, casefile.Reminder, t0.Add(time.Hour)))
	extra := mk("戊五", 19)
	if err := s.ReplaceAll(ctx, []*casefile.Case{keepNew}, 0, false); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Cursor(ctx); c != 10 {
		t.Errorf("cursor moved before the final page: %d", c)
	}
	if _, err := s.Case(ctx, gone.CaseID); err != nil {
		t.Errorf("a case went before the final page: %v", err)
	}
	if err := s.ReplaceAll(ctx, []*casefile.Case{central(t, extra)}, 99, true); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Cursor(ctx); c != 99 {
		t.Errorf("cursor = %d, want 99", c)
	}
	if v := caseView(t, s, keep.CaseID); v.Confirmed.Version != 2 || v.Case.TopWarning() != casefile.Reminder {
		t.Errorf("keep = %+v", v)
	}
	if _, err := s.Case(ctx, gone.CaseID); bmerr.CodeOf(err) != bmerr.NotFound {
		t.Errorf("gone is still here: %v", err)
	}
	if v := caseView(t, s, busy.CaseID); v.Case.Status.State != caseflow.Accepted || v.Confirmed == nil {
		t.Errorf("busy = %+v", v)
	}
	if v := caseView(t, s, local.CaseID); v.Case == nil || v.Confirmed != nil {
		t.Errorf("local = %+v", v)
	}
	if v := caseView(t, s, extra.CaseID); v.Case == nil || v.SyncState != store.CaseSynced {
		t.Errorf("extra = %+v", v)
	}
	_, n, _ := s.Digest(ctx)
	if n != 3 { // keep, busy, extra
		t.Errorf("digest count = %d, want 3", n)
	}
	// A second resync starts from a clean slate: busy's change settled,
	// busy is not in the snapshot, so now it goes.
	items, _ := s.Outbox(ctx, 0)
	var res []store.PushResult
	for _, it := range items {
		res = append(res, store.PushResult{ChangeID: it.ChangeID, Outcome: store.Rejected})
	}
	if err := s.ApplyPushResults(ctx, res); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceAll(ctx, []*casefile.Case{keepNew, central(t, extra)}, 100, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Case(ctx, busy.CaseID); bmerr.CodeOf(err) != bmerr.NotFound {
		t.Errorf("busy is still here: %v", err)
	}
	if h, _ := s.History(ctx, busy.CaseID); len(h) != 1 {
		t.Errorf("busy's history was not kept: %v", h)
	}
}

func TestSetLastSync(t *testing.T) {
	s, _ := openStore(t)
	push, pull := t0.Add(time.Hour).UTC(), t0.Add(2*time.Hour).UTC()
	if err := s.SetLastSync(ctx, push, pull); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLastSync(ctx, time.Time{}, pull.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	sum, err := s.SyncSummary(ctx)
	if err != nil || !sum.LastPush.Equal(push) || !sum.LastPull.Equal(pull.Add(time.Minute)) {
		t.Errorf("summary = %+v, %v", sum, err)
	}
}
