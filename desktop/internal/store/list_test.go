package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

const restaurant = "1133112200251100150100001001" // 餐饮店开业“一件事”

func TestListCases(t *testing.T) {
	s, _ := openStore(t)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

	zhangID := residentID(t, "110105", workcal.D(1960, 3, 1), 11)
	// twinID has the same masked form as zhangID (region and last four),
	// so only the full comparison tells them apart.
	twinID := ""
	for y := 1961; twinID == ""; y++ {
		if id := residentID(t, "110105", workcal.D(y, 3, 1), 11); id[14:] == zhangID[14:] {
			twinID = id
		}
	}

	// 1: 张三, pension enrolment, closed on the spot.
	c1 := intake(t, s, pension, "张三", zhangID, at(1))
	record(t, s, c1)
	record(t, s, act(c1.CaseID, caseflow.Accept, clerk, at(2)))
	record(t, s, act(c1.CaseID, caseflow.CloseOnSpot, clerk, at(3)))
	// 2: 张三丰, pension claim, accepted.
	c2 := intake(t, s, pensionClaim, "张三丰", twinID, at(4))
	record(t, s, c2)
	record(t, s, act(c2.CaseID, caseflow.Accept, clerk, at(5)))
	// 3: 李小龙, minimum income, accepted, then central's red card.
	c3 := intake(t, s, dibao, "李小龙", residentID(t, "440305", workcal.D(1975, 11, 27), 35), at(6))
	c3a := act(c3.CaseID, caseflow.Accept, clerk, at(7))
	record(t, s, c3)
	record(t, s, c3a)
	red := warn(c3.CaseID, casefile.Red, at(30))
	if err := s.ApplyPushResults(ctx, []store.PushResult{
		{ChangeID: c3.ID, Outcome: store.Applied, CaseVersion: 1}, {ChangeID: c3a.ID, Outcome: store.Applied, CaseVersion: 2},
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyPull(ctx, []store.PulledChange{{Seq: 9, Body: body(t, red), CaseVersion: 3}},
		[]*casefile.Case{central(t, c3, c3a, red)}, 9); err != nil {
		t.Fatal(err)
	}
	// 4: a restaurant company.
	c4 := intake(t, s, restaurant, "福州好味餐饮有限公司", "", at(8))
	c4.Intake.Applicant = casefile.Applicant{Kind: casefile.Organisation, Name: "福州好味餐饮有限公司", CreditCode: "91350100M000100Y43"}
	record(t, s, c4)
	// 5: 王五, pension enrolment, received.
	c5 := intake(t, s, pension, "王五", residentID(t, "110105", workcal.D(1948, 8, 8), 17), at(9))
	record(t, s, c5)

	name := map[uuid.UUID]string{c1.CaseID: "c1", c2.CaseID: "c2", c3.CaseID: "c3", c4.CaseID: "c4", c5.CaseID: "c5"}
	list := func(f store.Filter) ([]string, int) {
		t.Helper()
		rows, total, err := s.ListCases(ctx, f)
		if err != nil {
			t.Fatalf("ListCases(%+v): %v", f, err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, name[r.ID])
		}
		return out, total
	}

	for _, c := range []struct {
		name string
		f    store.Filter
		want []string
	}{
		{"all, newest first", store.Filter{}, []string{"c3", "c5", "c4", "c2", "c1"}},
		{"substring of a matter name", store.Filter{Query: "养老保险"}, []string{"c5", "c1"}},
		{"whole name, three characters", store.Filter{Query: "张三丰"}, []string{"c2"}},
		{"two characters: name prefix", store.Filter{Query: "张三"}, []string{"c2", "c1"}},
		{"two characters: not inside a name", store.Filter{Query: "三丰"}, nil},
		{"two characters: inside a matter name", store.Filter{Query: "居保"}, []string{"c2"}},
		{"one character: surname", store.Filter{Query: "李"}, []string{"c3"}},
		{"number prefix, lower case", store.Filter{Query: "t01-20260212-000", Sort: "number"}, []string{"c1", "c2", "c3", "c4", "c5"}},
		{"number fragment", store.Filter{Query: "0003"}, []string{"c3"}},
		{"whole number, lower case", store.Filter{Query: "t01-20260212-0002"}, []string{"c2"}},
		{"short number prefix", store.Filter{Query: "T0", Sort: "number", Desc: true}, []string{"c5", "c4", "c3", "c2", "c1"}},
		{"masked ID fragment", store.Filter{Query: "440305"}, []string{"c3"}},
		{"full ID: only that person", store.Filter{Query: zhangID}, []string{"c1"}},
		{"full ID of the twin", store.Filter{Query: strings.ToLower(twinID)}, []string{"c2"}},
		{"two words", store.Filter{Query: "张三 养老保险"}, []string{"c1"}},
		{"FTS syntax is text", store.Filter{Query: `"OR" NEAR(`}, nil},
		{"state", store.Filter{States: []caseflow.State{caseflow.Accepted}}, []string{"c3", "c2"}},
		{"states", store.Filter{States: []caseflow.State{caseflow.Closed, caseflow.Received}, Sort: "received"}, []string{"c1", "c4", "c5"}},
		{"red card", store.Filter{Warning: "red"}, []string{"c3"}},
		{"any warning", store.Filter{Warning: "any"}, []string{"c3"}},
		{"no warning", store.Filter{Warning: "none", Sort: "received"}, []string{"c1", "c2", "c4", "c5"}},
		{"synced", store.Filter{SyncState: store.CaseSynced}, []string{"c3"}},
		{"pending", store.Filter{SyncState: store.CasePending, Sort: "updated", Desc: true}, []string{"c5", "c4", "c2", "c1"}},
		{"due soonest first, none last", store.Filter{Sort: "due"}, []string{"c1", "c2", "c3", "c4", "c5"}},
		{"warning, worst first", store.Filter{Sort: "warning", Desc: true, Limit: 1}, []string{"c3"}},
		{"page 2", store.Filter{Sort: "received", Limit: 2, Offset: 2}, []string{"c3", "c4"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, total := list(c.f)
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
			if c.f.Limit == 0 && total != len(c.want) {
				t.Errorf("total = %d, want %d", total, len(c.want))
			}
		})
	}
	// A search with many matches is paged by walking the sort index: the
	// same pages, in the same order.
	for _, f := range []store.Filter{
		{Query: "养老保险"}, {Query: "养老保险", Sort: "received", Desc: true}, {Query: "T01-2026", Sort: "number"},
		{Query: "110105", Sort: "due"}, {Query: "110105", Sort: "due", Limit: 1, Offset: 1}, {Query: "张三 养老保险"},
		{Query: "110105", Sort: "state"}, {Query: "110105", States: []caseflow.State{caseflow.Accepted}},
	} {
		want, wantTotal := list(f)
		restore := store.SetManyMatches(1)
		got, total := list(f)
		restore()
		if !slices.Equal(got, want) || total != wantTotal {
			t.Errorf("%+v walking the index: %v (%d), want %v (%d)", f, got, total, want, wantTotal)
		}
	}

	if _, total := list(store.Filter{Sort: "received", Limit: 2, Offset: 2}); total != 5 {
		t.Errorf("total of a page = %d, want 5", total)
	}

	// c1 closed on the spot (promised 0 days: due the day it was
	// accepted); c2 promised 15 working days, c3 25; c4 and c5 not accepted.
	rows, _, _ := s.ListCases(ctx, store.Filter{Sort: "due"})
	if rows[0].DueOn != day0 || !rows[1].DueOn.Before(rows[2].DueOn) || !rows[3].DueOn.IsZero() || !rows[4].DueOn.IsZero() {
		t.Errorf("due dates = %v %v %v %v", rows[0].DueOn, rows[1].DueOn, rows[2].DueOn, rows[3].DueOn)
	}

	// Masking: the rows never carry a full name or ID number.
	rows, _, _ = s.ListCases(ctx, store.Filter{Sort: "received"})
	want := []struct{ name, id string }{
		{"张*", "110105********" + zhangID[14:]},
		{"张**", "110105********" + twinID[14:]},
		{"李**", "440305********" + rows[2].IDMasked[14:]},
		{"福州好味餐饮有限公司", "91350100********43"},
		{"王*", rows[4].IDMasked},
	}
	for i, r := range rows {
		if r.ApplicantName != want[i].name || r.IDMasked != want[i].id {
			t.Errorf("row %d: %q %q; want %q %q", i, r.ApplicantName, r.IDMasked, want[i].name, want[i].id)
		}
		dump := fmt.Sprintf("%+v", r)
		for _, secret := range []string{zhangID, twinID, c3.Intake.Applicant.IDNumber, c5.Intake.Applicant.IDNumber, "张三丰", "李小龙"} {
			if strings.Contains(dump, secret) {
				t.Errorf("row %d shows %q in full", i, secret)
			}
		}
	}
	if r := rows[0]; r.Number != "T01-20260212-0001" || r.MatterName != "城乡居民养老保险参保登记" || r.MatterCode != pension ||
		r.State != caseflow.Closed || r.SyncState != store.CasePending || !r.UpdatedAt.Equal(at(3)) || !r.ReceivedAt.Equal(at(1)) {
		t.Errorf("row 0 = %+v", r)
	}
	if r := rows[2]; r.Warning != casefile.Red || r.State != caseflow.Accepted {
		t.Errorf("row 2 = %+v", r)
	}

	_, _, err := s.ListCases(ctx, store.Filter{Sort: "applicant_name"})
	wantCode(t, err, bmerr.Invalid, "list_sort")
	_, _, err = s.ListCases(ctx, store.Filter{Warning: "purple"})
	wantCode(t, err, bmerr.Invalid, "list_warning")

	// CaseByNumber, typed from a paper receipt.
	v, err := s.CaseByNumber(ctx, " t01-20260212-0002 ")
	if err != nil || v.Case.ID != c2.CaseID {
		t.Errorf("CaseByNumber = %+v, %v", v, err)
	}
	_, err = s.CaseByNumber(ctx, "T01-20260212-0099")
	wantCode(t, err, bmerr.NotFound, "case_unknown")
}
