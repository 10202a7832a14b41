package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/audit"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
)

// centralTests are the suite's tests of store.Central and store.CentralTx.
var centralTests = []struct {
	name string
	fn   func(*testing.T, store.Store)
}{
	{"Users", testUsers},
	{"Sessions", testSessions},
	{"Audit", testAudit},
	{"AuditConcurrent", testAuditConcurrent},
	{"AuditedChanges", testAuditedChanges},
	{"Rectifications", testRectifications},
	{"DepartmentCases", testDepartmentCases},
	{"DepartmentCasesWarned", testDepartmentCasesWarned},
	{"OpenCases", testOpenCases},
	{"EachCase", testEachCase},
}

func testUsers(t *testing.T, s store.Store) {
	head := store.User{Username: "wang.rs", Name: "王主任", Role: caseflow.Head, Department: "rs",
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA", CreatedAt: t0}
	admin := store.User{Username: "admin", Name: "管理员", Role: caseflow.Admin, PasswordHash: "$argon2id$x", CreatedAt: t0.Add(time.Hour)}
	must(t, "create head", s.CreateUser(ctx, head))
	must(t, "create admin", s.CreateUser(ctx, admin))

	got, err := s.User(ctx, head.Username)
	must(t, "user", err)
	sameUser(t, "User", got, head)

	dup := head
	dup.Name = "someone else"
	wantCode(t, "duplicate user", s.CreateUser(ctx, dup), bmerr.Conflict)
	if got, _ := s.User(ctx, head.Username); got.Name != head.Name {
		t.Errorf("a duplicate replaced the user: %+v", got)
	}
	_, err = s.User(ctx, "nobody")
	wantCode(t, "unknown user", err, bmerr.NotFound)

	// Failed sign-ins are counted; a later update disables the user.
	upd := head
	upd.FailedSignIns, upd.LastFailedAt = 3, t0.Add(2*time.Hour)
	must(t, "count failures", s.UpdateUser(ctx, upd))
	upd.Disabled, upd.Role, upd.Department, upd.PasswordHash = true, caseflow.Approver, "mz", "$argon2id$new"
	upd.CreatedAt = t0.Add(99 * time.Hour) // kept as created
	must(t, "disable", s.UpdateUser(ctx, upd))
	got, err = s.User(ctx, head.Username)
	must(t, "user after update", err)
	upd.CreatedAt = head.CreatedAt
	sameUser(t, "User after update", got, upd)
	upd.FailedSignIns, upd.LastFailedAt = 0, time.Time{} // a success resets them
	must(t, "reset failures", s.UpdateUser(ctx, upd))
	if got, _ := s.User(ctx, head.Username); got.FailedSignIns != 0 || !got.LastFailedAt.IsZero() {
		t.Errorf("failures after reset: %d at %v", got.FailedSignIns, got.LastFailedAt)
	}
	wantCode(t, "update unknown user", s.UpdateUser(ctx, store.User{Username: "nobody", Name: "x"}), bmerr.NotFound)

	all, err := s.Users(ctx)
	must(t, "users", err)
	if len(all) != 2 || all[0].Username != "admin" || all[1].Username != head.Username || !all[1].Disabled {
		t.Errorf("Users = %+v, want admin then %s (disabled), in name order", all, head.Username)
	}
}

func sameUser(t *testing.T, what string, got, want store.User) {
	t.Helper()
	if got.Username != want.Username || got.Name != want.Name || got.Role != want.Role ||
		got.Department != want.Department || got.PasswordHash != want.PasswordHash || got.Disabled != want.Disabled ||
		!got.CreatedAt.Equal(want.CreatedAt) || got.FailedSignIns != want.FailedSignIns ||
		!got.LastFailedAt.Equal(want.LastFailedAt) {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

func testSessions(t *testing.T, s store.Store) {
	must(t, "user", s.CreateUser(ctx, store.User{Username: "li.mz", Name: "李", Role: caseflow.Handler,
		Department: "mz", PasswordHash: "h", CreatedAt: t0}))
	se := store.Session{TokenHash: sha(1), Username: "li.mz", CreatedAt: t0, ExpiresAt: t0.Add(8 * time.Hour)}
	must(t, "create", s.CreateSession(ctx, se))
	other := store.Session{TokenHash: sha(2), Username: "li.mz", CreatedAt: t0.Add(time.Minute), ExpiresAt: t0.Add(9 * time.Hour)}
	must(t, "create another", s.CreateSession(ctx, other))

	got, err := s.Session(ctx, se.TokenHash)
	must(t, "session", err)
	if got.TokenHash != se.TokenHash || got.Username != se.Username || !got.CreatedAt.Equal(se.CreatedAt) || !got.ExpiresAt.Equal(se.ExpiresAt) {
		t.Errorf("Session = %+v, want %+v", got, se)
	}
	wantCode(t, "same token again", s.CreateSession(ctx, se), bmerr.Conflict)
	wantCode(t, "session of an unknown user", s.CreateSession(ctx,
		store.Session{TokenHash: sha(3), Username: "nobody", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}), bmerr.NotFound)

	must(t, "delete", s.DeleteSession(ctx, se.TokenHash))
	_, err = s.Session(ctx, se.TokenHash)
	wantCode(t, "deleted session", err, bmerr.NotFound)
	must(t, "delete again", s.DeleteSession(ctx, se.TokenHash))
	if _, err := s.Session(ctx, other.TokenHash); err != nil {
		t.Errorf("the other session went with the first: %v", err)
	}
	_, err = s.Session(ctx, sha(9))
	wantCode(t, "unknown session", err, bmerr.NotFound)
}

// allAudit reads the whole trail in pages of n.
func allAudit(t *testing.T, s store.Store, n int) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	after := int64(0)
	for {
		page, err := s.AuditEntries(ctx, after, n)
		must(t, "audit entries", err)
		if len(page) > n {
			t.Fatalf("a page of %d entries, asked for %d", len(page), n)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].Seq
	}
}

// checkChain fails unless trail is entries 1..n of one unbroken chain.
func checkChain(t *testing.T, trail []audit.Entry, n int) {
	t.Helper()
	if len(trail) != n {
		t.Fatalf("the trail has %d entries, want %d", len(trail), n)
	}
	for i, e := range trail {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i+1, e.Seq)
		}
	}
	if p := audit.Verify(trail); p != nil {
		t.Fatalf("audit.Verify: %v", p)
	}
}

func adminEntry(i int) audit.Entry {
	return audit.Entry{At: t0.Add(time.Duration(i) * time.Minute), Actor: "admin", Kind: audit.Admin,
		Subject: fmt.Sprintf("station T%02d", i), Detail: "created"}
}

func testAudit(t *testing.T, s store.Store) {
	if es, err := s.AuditEntries(ctx, 0, 10); err != nil || len(es) != 0 {
		t.Fatalf("AuditEntries of an empty trail = %v, %v", es, err)
	}
	var want []audit.Entry
	for i := range 3 {
		e := adminEntry(i)
		if i == 1 {
			// What the caller says of its place in the chain is ignored.
			e.Seq, e.Prev, e.Hash = 42, "bogus", "bogus"
		}
		must(t, "append", s.AppendAudit(ctx, e))
		want = append(want, e)
	}

	// Entries appended in a push commit with it, chained, however many.
	c := NewCase("C01", "")
	ch := ChangeFor(c)
	pushed := audit.Entry{At: t0.Add(time.Hour), Actor: "station:C01", Kind: audit.Changes,
		Detail: audit.ChangeDetail([]audit.ChangeLine{{ChangeID: ch.ID.String(), CaseID: c.ID.String(),
			Action: string(ch.Action), BodySHA256: audit.BodyHash(Body(ch))}})}
	err := s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.SaveApplied(c, AppliedFor(ch, "C01")); err != nil {
			return err
		}
		if err := tx.Audit(pushed); err != nil {
			return err
		}
		return tx.Audit(adminEntry(3))
	})
	must(t, "push with audit", err)
	want = append(want, pushed, adminEntry(3))

	// A push that fails takes its entry with it, and the chain goes on
	// from the last committed entry.
	lost := NewCase("C01", "")
	err = s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.SaveApplied(lost, AppliedFor(ChangeFor(lost), "C01")); err != nil {
			return err
		}
		if err := tx.Audit(audit.Entry{At: t0, Actor: "station:C01", Kind: audit.Changes, Subject: "lost"}); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("failed push: %v, want the abort", err)
	}
	// An entry without a time gets the store's.
	must(t, "append without a time", s.AppendAudit(ctx, audit.Entry{Actor: "scheduler", Kind: audit.Admin, Subject: "no time"}))
	want = append(want, audit.Entry{Actor: "scheduler", Kind: audit.Admin, Subject: "no time"})
	err = s.Update(ctx, func(tx store.Tx) error {
		wantCode(t, "entry without a kind", tx.Audit(audit.Entry{Actor: "admin"}), bmerr.Invalid)
		return nil
	})
	must(t, "update", err)

	for _, n := range []int{1, 2, 100} {
		trail := allAudit(t, s, n)
		checkChain(t, trail, len(want))
		for i, e := range trail {
			w := want[i]
			if e.Actor != w.Actor || e.Kind != w.Kind || e.Subject != w.Subject || e.Detail != w.Detail ||
				(!w.At.IsZero() && !e.At.Equal(w.At)) || e.At.IsZero() {
				t.Errorf("entry %d = %+v, want %+v", i+1, e, w)
			}
		}
	}
	page, err := s.AuditEntries(ctx, 2, 2)
	must(t, "page", err)
	if len(page) != 2 || page[0].Seq != 3 || page[1].Seq != 4 {
		t.Errorf("AuditEntries(2, 2) = %+v, want entries 3 and 4", page)
	}
	_, err = s.AuditEntries(ctx, 0, 0)
	wantCode(t, "page of none", err, bmerr.Invalid)
}

// testAuditConcurrent: appenders on several goroutines, on their own and
// inside pushes, build one chain with no gaps.
func testAuditConcurrent(t *testing.T, s store.Store) {
	const workers, each = 4, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				var err error
				if w%2 == 0 {
					err = s.AppendAudit(ctx, adminEntry(w*each+i))
				} else {
					err = s.Update(ctx, func(tx store.Tx) error {
						c := NewCase("C01", "")
						if _, err := tx.SaveApplied(c, AppliedFor(ChangeFor(c), "C01")); err != nil {
							return err
						}
						return tx.Audit(adminEntry(w*each + i))
					})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("append: %v", err)
	}
	trail := allAudit(t, s, 1000)
	checkChain(t, trail, workers*each)
	seen := map[string]bool{}
	for _, e := range trail {
		if seen[e.Subject] {
			t.Errorf("%s recorded twice", e.Subject)
		}
		seen[e.Subject] = true
	}
}

func testAuditedChanges(t *testing.T, s store.Store) {
	want := map[uuid.UUID]string{}
	var order []uuid.UUID
	record := func(ch *casefile.Change, body []byte) {
		want[ch.ID] = audit.BodyHash(body)
		order = append(order, ch.ID)
	}
	for i := range 3 {
		c := NewCase("C01", "")
		ch, _ := save(t, s, c)
		record(ch, Body(ch))
		if i == 1 {
			ch, _ = save(t, s, Next(c))
			record(ch, Body(ch))
		}
	}
	// A change stored without a body, and a rejection, which is not applied.
	c := NewCase("C02", "")
	ch := ChangeFor(c)
	err := s.Update(ctx, func(tx store.Tx) error {
		a := AppliedFor(ch, "C02")
		a.Body = nil
		if _, err := tx.SaveApplied(c, a); err != nil {
			return err
		}
		return tx.SaveRejected(store.Rejected{ChangeID: newID(), CaseID: c.ID, Station: "C02", Code: string(bmerr.Invalid),
			Reason: "x", MessageZh: "错", MessageEn: "wrong", Body: []byte("rejected"), ReceivedAt: t0})
	})
	must(t, "update", err)
	record(ch, nil)

	var got []uuid.UUID
	err = s.AuditedChanges(ctx, func(id uuid.UUID, sum string) error {
		got = append(got, id)
		if w, ok := want[id]; !ok {
			t.Errorf("AuditedChanges gave %s, which is not an applied change", id)
		} else if sum != w {
			t.Errorf("change %s: body SHA-256 %s, want %s", id, sum, w)
		}
		return nil
	})
	must(t, "audited changes", err)
	if !slices.Equal(got, order) {
		t.Errorf("AuditedChanges = %v, want %v (log order)", got, order)
	}
	calls := 0
	err = s.AuditedChanges(ctx, func(uuid.UUID, string) error { calls++; return errAbort })
	if !errors.Is(err, errAbort) || calls != 1 {
		t.Errorf("AuditedChanges with a failing fn = %v after %d calls, want fn's error after 1", err, calls)
	}
}

func testRectifications(t *testing.T, s store.Store) {
	day := workcal.MustDate
	mk := func(opened string) store.Rectification {
		return store.Rectification{CaseID: newID(), Number: "T01-20260302-0001", Station: "T01", Department: "mz",
			Rating: 1, Comment: "态度差", Named: true, OpenedOn: day(opened), DueOn: day(opened).AddDays(10)}
	}
	a, b, done := mk("2026-03-02"), mk("2026-03-01"), mk("2026-02-20")
	done.VerifiedOn, done.RectifiedOn, done.AnsweredOn, done.FollowedUpOn = day("2026-02-21"), day("2026-02-24"), day("2026-02-25"), day("2026-02-27")
	done.Outcome, done.Note = "satisfied", "回访满意"
	for _, r := range []store.Rectification{a, b} {
		must(t, "save", s.SaveRectification(ctx, r))
	}
	must(t, "save in a push", s.Update(ctx, func(tx store.Tx) error { return tx.SaveRectification(done) }))
	lost := mk("2026-03-03")
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.SaveRectification(lost); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("failed update: %v", err)
	}

	got, err := s.Rectification(ctx, done.CaseID)
	must(t, "rectification", err)
	if got != done {
		t.Errorf("Rectification = %+v, want %+v", got, done)
	}
	_, err = s.Rectification(ctx, lost.CaseID)
	wantCode(t, "rectification of a failed update", err, bmerr.NotFound)

	list := func(openOnly bool, want ...store.Rectification) {
		t.Helper()
		got, err := s.Rectifications(ctx, openOnly)
		must(t, "rectifications", err)
		if !slices.Equal(got, want) {
			t.Errorf("Rectifications(open only %v) = %+v, want %+v", openOnly, got, want)
		}
	}
	list(true, b, a)
	list(false, done, b, a)

	// Saving again replaces: a is followed up, and leaves the open ones.
	a.VerifiedOn, a.FollowedUpOn, a.Outcome = day("2026-03-03"), day("2026-03-10"), "unreachable"
	must(t, "update", s.SaveRectification(ctx, a))
	list(true, b)
	list(false, done, b, a)
	if got, _ := s.Rectification(ctx, a.CaseID); got != a {
		t.Errorf("Rectification after replacing = %+v, want %+v", got, a)
	}
	wantCode(t, "rectification without a case", s.SaveRectification(ctx, store.Rectification{}), bmerr.Invalid)
}

// moved returns the next version of c at pipeline p in state st.
func moved(c *casefile.Case, st caseflow.State, p casefile.Pipeline) *casefile.Case {
	n := Next(c)
	n.Status = caseflow.Status{State: st}
	p.Branches = slices.Clone(p.Branches)
	n.Pipeline = &p
	return n
}

// wantDept checks DepartmentCases(dept) against want, in order.
func wantDept(t *testing.T, s store.Store, dept string, want ...*casefile.Case) {
	t.Helper()
	got, err := s.DepartmentCases(ctx, dept, 100)
	must(t, "department cases "+dept, err)
	if !slices.Equal(caseIDs(got), caseIDs(want)) {
		t.Errorf("DepartmentCases(%s) = %v, want %v", dept, caseIDs(got), caseIDs(want))
		return
	}
	for i := range got {
		sameCase(t, "DepartmentCases("+dept+")", got[i], want[i])
	}
}

func testDepartmentCases(t *testing.T, s store.Store) {
	c := WorkflowCase()
	save(t, s, c)
	save(t, s, NewCase("T01", "")) // no workflow, no task
	waiting := WorkflowCase()
	waiting.Status = caseflow.Status{State: caseflow.Accepted} // not forwarded yet: no task
	waiting.Pipeline = nil
	save(t, s, waiting)
	wantDept(t, s, "rs", c)
	// mz and cl implement the matter, but the case is not warned.
	wantDept(t, s, "mz")
	wantDept(t, s, "cl")

	// rs finishes its stage: the parallel stage starts (saved without
	// loading the case first).
	start := workcal.MustDate("2026-03-05")
	c2 := moved(c, caseflow.UnderReview, casefile.Pipeline{Stage: 1, Started: start})
	save(t, s, c2)
	wantDept(t, s, "rs")
	wantDept(t, s, "mz") // the parallel stage has not started its branches
	c3 := moved(c2, caseflow.ParallelReview, casefile.Pipeline{Stage: 1, Started: start,
		Branches: []casefile.BranchState{{Department: "mz"}, {Department: "cl"}}})
	save(t, s, c3)
	wantDept(t, s, "rs")
	wantDept(t, s, "mz", c3)
	wantDept(t, s, "cl", c3)

	// cl's branch is done (the case loaded first, as a push does): only mz
	// has work left.
	c4 := moved(c3, caseflow.ParallelReview, casefile.Pipeline{Stage: 1, Started: start,
		Branches: []casefile.BranchState{{Department: "mz", Step: 1}, {Department: "cl", Step: 1, Done: true, Agree: true}}})
	err := s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.LoadCases([]uuid.UUID{c.ID}); err != nil {
			return err
		}
		_, err := tx.SaveApplied(c4, AppliedFor(ChangeFor(c4), "T01"))
		return err
	})
	must(t, "update", err)
	wantDept(t, s, "mz", c4)
	wantDept(t, s, "cl")

	// Suspended, the case has no tasks; resumed, it has them again.
	c5 := moved(c4, caseflow.Suspended, *c4.Pipeline)
	save(t, s, c5)
	wantDept(t, s, "mz")
	c6 := moved(c5, caseflow.ParallelReview, *c5.Pipeline)
	save(t, s, c6)
	wantDept(t, s, "mz", c6)

	// Decided: no tasks left anywhere.
	c7 := moved(c6, caseflow.Decided, casefile.Pipeline{Stage: 2, Started: start})
	save(t, s, c7)
	for _, d := range []string{"rs", "mz", "cl"} {
		wantDept(t, s, d)
	}

	// Several cases: most recently updated first, at most limit. The
	// updates go back in time, so that id order is not the answer.
	var want []*casefile.Case
	for i := range 5 {
		n := WorkflowCase()
		n.UpdatedAt = t0.Add(-time.Duration(i) * time.Hour)
		save(t, s, n)
		want = append(want, n)
	}
	rollback := WorkflowCase() // a failed push's case has no rows either
	err = s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.SaveApplied(rollback, AppliedFor(ChangeFor(rollback), "T01")); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("failed update: %v", err)
	}
	wantDept(t, s, "rs", want...)
	got, err := s.DepartmentCases(ctx, "rs", 2)
	must(t, "limited", err)
	if !slices.Equal(caseIDs(got), caseIDs(want[:2])) {
		t.Errorf("DepartmentCases(rs, 2) = %v, want %v", caseIDs(got), caseIDs(want[:2]))
	}
	_, err = s.DepartmentCases(ctx, "rs", 0)
	wantCode(t, "limit 0", err, bmerr.Invalid)
}

// testDepartmentCasesWarned: an open case with a warning is its matter's
// departments' until it closes.
func testDepartmentCasesWarned(t *testing.T, s store.Store) {
	yellow := []casefile.Warning{{Level: casefile.Yellow, Reason: "overdue", Raised: workcal.MustDate("2026-03-10")}}

	w := NewCase("T01", "") // civil_affairs's, not forwarded
	w.Matter.CoDepartments = []string{"finance"}
	save(t, s, w)
	quiet := NewCase("T01", "")
	save(t, s, quiet)
	wantDept(t, s, "civil_affairs")

	w2 := Next(w)
	w2.Status = caseflow.Status{State: caseflow.Accepted}
	w2.Warnings = yellow
	save(t, s, w2)
	wantDept(t, s, "civil_affairs", w2)
	wantDept(t, s, "finance", w2)

	// A forwarded case warned: the workflow's departments see it too, rs
	// as well for its task.
	f := WorkflowCase()
	f.Warnings = yellow
	f.UpdatedAt = t0.Add(time.Hour)
	save(t, s, f)
	wantDept(t, s, "rs", f)
	wantDept(t, s, "mz", f)
	wantDept(t, s, "cl", f)
	wantDept(t, s, "civil_affairs", w2)

	// Still warned, a new version: still listed, as it is now.
	w3 := Next(w2)
	w3.Warnings = append(slices.Clone(yellow), casefile.Warning{Level: casefile.Red, Raised: workcal.MustDate("2026-03-12")})
	save(t, s, w3)
	wantDept(t, s, "civil_affairs", w3)

	// Closed: no longer.
	w4 := Next(w3)
	w4.Status = caseflow.Status{State: caseflow.Closed, Result: caseflow.Granted}
	save(t, s, w4)
	wantDept(t, s, "civil_affairs")
	wantDept(t, s, "finance")
	f2 := moved(f, caseflow.Closed, *f.Pipeline)
	f2.Status.Result = caseflow.Withdrawn
	save(t, s, f2)
	for _, d := range []string{"rs", "mz", "cl"} {
		wantDept(t, s, d)
	}
}

func testOpenCases(t *testing.T, s store.Store) {
	var open []uuid.UUID
	var closing []*casefile.Case
	for i := range 9 {
		c := NewCase("C01", "")
		save(t, s, c)
		switch i % 3 {
		case 0:
			closed := Next(c)
			closed.Status = caseflow.Status{State: caseflow.Closed, Result: caseflow.Granted}
			save(t, s, closed)
		case 1:
			open = append(open, c.ID)
			closing = append(closing, c)
		default:
			open = append(open, c.ID)
		}
	}
	page := func(want []uuid.UUID) {
		t.Helper()
		want = sortedIDs(want)
		for limit := 1; limit <= len(want)+1; limit++ {
			var got []uuid.UUID
			after := uuid.Nil
			for pages := 0; pages <= len(want); pages++ {
				cs, err := s.OpenCases(ctx, after, limit)
				must(t, "open cases", err)
				if len(cs) > limit {
					t.Fatalf("limit %d: a page of %d", limit, len(cs))
				}
				if len(cs) == 0 {
					break
				}
				for _, c := range cs {
					if c.IsClosed() {
						t.Errorf("OpenCases gave closed case %s", c.ID)
					}
				}
				got = append(got, caseIDs(cs)...)
				after = cs[len(cs)-1].ID
			}
			if !slices.Equal(got, want) {
				t.Errorf("limit %d: OpenCases = %v, want %v", limit, got, want)
			}
		}
	}
	page(open)

	// A case that closes leaves; one that moves on stays, as it is now.
	c := closing[0]
	closed := Next(c)
	closed.Status = caseflow.Status{State: caseflow.Closed, Result: caseflow.Withdrawn}
	save(t, s, closed)
	open = slices.DeleteFunc(open, func(id uuid.UUID) bool { return id == c.ID })
	moved := Next(closing[1])
	moved.Status = caseflow.Status{State: caseflow.Accepted}
	save(t, s, moved)
	page(open)
	cs, err := s.OpenCases(ctx, uuid.Nil, 100)
	must(t, "open cases", err)
	for _, got := range cs {
		if got.ID == moved.ID {
			sameCase(t, "open case after a change", got, moved)
		}
	}
	_, err = s.OpenCases(ctx, uuid.Nil, 0)
	wantCode(t, "limit 0", err, bmerr.Invalid)
}

func testEachCase(t *testing.T, s store.Store) {
	must(t, "each case of an empty store", s.EachCase(ctx, func(c *casefile.Case) error {
		t.Errorf("EachCase of an empty store gave %s", c.ID)
		return nil
	}))
	// More than a page of any reasonable size, some at a later version.
	want := map[uuid.UUID]*casefile.Case{}
	err := s.Update(ctx, func(tx store.Tx) error {
		for i := range 700 {
			c := NewCase(fmt.Sprintf("C%02d", i%5), "")
			if i%7 == 0 {
				c.Matter.CatalogVersion = 4
			}
			if _, err := tx.SaveApplied(c, AppliedFor(ChangeFor(c), c.OriginStation)); err != nil {
				return err
			}
			if i%100 == 0 {
				c = Next(c)
				if _, err := tx.SaveApplied(c, AppliedFor(ChangeFor(c), c.OriginStation)); err != nil {
					return err
				}
			}
			want[c.ID] = c
		}
		return nil
	})
	must(t, "save", err)
	var got []uuid.UUID
	err = s.EachCase(ctx, func(c *casefile.Case) error {
		got = append(got, c.ID)
		if w, ok := want[c.ID]; !ok {
			t.Errorf("EachCase gave unknown case %s", c.ID)
		} else if c.Version != w.Version || c.Matter.CatalogVersion != w.Matter.CatalogVersion {
			t.Errorf("EachCase gave %s at version %d (catalog %d), want %d (catalog %d)",
				c.ID, c.Version, c.Matter.CatalogVersion, w.Version, w.Matter.CatalogVersion)
		}
		return nil
	})
	must(t, "each case", err)
	var ids []uuid.UUID
	for id := range want {
		ids = append(ids, id)
	}
	if want := sortedIDs(ids); !slices.Equal(got, want) {
		t.Errorf("EachCase visited %d cases, want each of %d once, in id order", len(got), len(want))
	}

	calls := 0
	err = s.EachCase(ctx, func(*casefile.Case) error { calls++; return errAbort })
	if !errors.Is(err, errAbort) || calls != 1 {
		t.Errorf("EachCase with a failing fn = %v after %d calls, want fn's error after 1", err, calls)
	}
}
