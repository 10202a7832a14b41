package ui

import (
	"slices"

	"github.com/bianmin/bianmin/desktop/internal/desk"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/caseflow"
)

// screenshot opens a screen in a state worth showing, for `make
// screenshots`: the real app, driven by its own code instead of by
// synthetic clicks, which a screenshot script cannot aim reliably.
func (u *UI) screenshot(screen string) {
	if n := u.opt.SeedDemo; n > 0 {
		if _, total, err := u.st.ListCases(ctx(), store.Filter{Limit: 1}); err == nil && total == 0 {
			if err := desk.SeedDemo(ctx(), u.session, n, 7); err != nil {
				u.showError(err)
			}
		}
	}
	s := u.shell
	switch screen {
	case "intake":
		s.tabs.SelectIndex(tabIntake)
		in := s.intake
		in.search.SetText("ylbx")
		if len(in.results) > 0 {
			in.choose(in.results[0])
		}
		in.name.SetText("张秀英")
		in.idNumber.SetText("11010519491231002X")
		in.phone.SetText("13812345678")
		in.address.SetText("青山镇幸福村3组12号")
		if in.draft != nil && len(in.materials) > 1 {
			in.materials[0].received.SetChecked(true)
			in.materials[1].received.SetChecked(true)
		}
		u.win.Canvas().Focus(in.address)
	case "cases":
		s.tabs.SelectIndex(tabCases)
	case "detail":
		s.tabs.SelectIndex(tabCases)
		// A case with a one-time notice: its timeline says the most.
		f := store.Filter{Limit: 1, Sort: "received", Desc: true, States: []caseflow.State{caseflow.SupplementPending}}
		rows, _, err := u.st.ListCases(ctx(), f)
		if err == nil && len(rows) == 0 {
			f.States = nil
			rows, _, err = u.st.ListCases(ctx(), f)
		}
		if err == nil && len(rows) > 0 {
			s.openCase(rows[0].ID)
		}
	case "inbox":
		s.tabs.SelectIndex(tabInbox)
	case "settings":
		s.tabs.SelectIndex(tabSettings)
	case "status":
		// Offline work: one more application taken in while central is
		// away waits in the outbox; the status bar says why.
		if err := desk.SeedDemo(ctx(), u.session, 1, uint64(u.now().UnixNano())); err != nil {
			u.showError(err)
		}
		s.tabs.SelectIndex(tabCases)
		s.cases.sort.SetSelectedIndex(1)
		s.cases.desc.SetChecked(true)
	case "rejected":
		s.tabs.SelectIndex(tabCases)
		u.showRejected()
	case "forward":
		// Not a picture: forwards the accepted cases central decides, so
		// that the central staff's screenshots have an inbox to show.
		rows, _, err := u.st.ListCases(ctx(), store.Filter{Limit: 200, States: []caseflow.State{caseflow.Accepted}})
		if err != nil {
			u.showError(err)
		}
		for _, r := range rows {
			v, err := u.st.Case(ctx(), r.ID)
			if err != nil || v.Case == nil || !slices.Contains(u.session.CaseActions(v.Case), caseflow.Forward) {
				continue
			}
			if _, err := u.session.Act(ctx(), r.ID, caseflow.Forward, nil); err != nil {
				u.showError(err)
			}
		}
		u.syncNow()
		s.tabs.SelectIndex(tabCases)
	}
	if u.opt.Announce != nil {
		u.opt.Announce("screenshot ready: " + screen)
	}
}
