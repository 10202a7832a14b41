package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
)

// inboxMax is how many cases each inbox section lists; the count says how
// many there are in all.
const inboxMax = 20

// inboxScreen is what needs this station: cases waiting for the applicant's
// supplement (one-time notices given here or by central), decisions to
// deliver, cases with warnings, and at a township the proxy cases villages
// forwarded for acceptance.
type inboxScreen struct {
	u        *UI
	sections []*inboxSection
	box      *fyne.Container
	content  fyne.CanvasObject
}

type inboxSection struct {
	heading string
	explain string
	filter  store.Filter
	keep    func(store.CaseRow) bool // nil keeps every row
	title   *widget.Label
	rows    *fyne.Container
	count   int
}

func newInboxScreen(u *UI) *inboxScreen {
	s := &inboxScreen{u: u, box: container.NewVBox()}
	s.sections = []*inboxSection{
		{heading: lang.L("Waiting for supplement"), explain: lang.L("A one-time notice was given; accept or record the supplement when the applicant returns."),
			filter: store.Filter{States: []caseflow.State{caseflow.SupplementPending, caseflow.Returned}, Sort: "updated"}},
		{heading: lang.L("Decisions to deliver"), explain: lang.L("Decided: hand over the result within 10 days (art. 44) and record how."),
			filter: store.Filter{States: []caseflow.State{caseflow.Decided}, Sort: "updated"}},
		{heading: lang.L("Warnings"), explain: lang.L("Central's supervision: reminders before the due date, yellow and red cards after it."),
			filter: store.Filter{Warning: "any", States: []caseflow.State{caseflow.Received, caseflow.SupplementPending, caseflow.Accepted,
				caseflow.UnderReview, caseflow.ParallelReview, caseflow.Suspended, caseflow.Returned, caseflow.Decided}, Sort: "warning", Desc: true}},
	}
	if u.id.Level == catalog.Township {
		own := u.id.Station + "-"
		s.sections = append(s.sections, &inboxSection{heading: lang.L("Proxy cases to accept"),
			explain: lang.L("Collected by a village or community agent and forwarded here: accept them, or give a one-time notice."),
			filter:  store.Filter{States: []caseflow.State{caseflow.Received}, Sort: "received", Limit: 200},
			keep:    func(r store.CaseRow) bool { return !strings.HasPrefix(r.Number, own) }})
	}
	for _, sec := range s.sections {
		sec.title = widget.NewLabel("")
		sec.title.TextStyle.Bold = true
		sec.rows = container.NewVBox()
		card := widget.NewCard("", "", container.NewVBox(sec.title, note(sec.explain), sec.rows))
		s.box.Add(card)
	}
	s.content = container.NewVScroll(container.NewPadded(s.box))
	return s
}

// reload fetches every section.
func (s *inboxScreen) reload() {
	for _, sec := range s.sections {
		f := sec.filter
		if f.Limit == 0 {
			f.Limit = inboxMax
		}
		rows, total, err := s.u.st.ListCases(ctx(), f)
		if err != nil {
			s.u.showError(err)
			return
		}
		if sec.keep != nil {
			var kept []store.CaseRow
			for _, r := range rows {
				if sec.keep(r) {
					kept = append(kept, r)
				}
			}
			rows, total = kept, len(kept)
		}
		sec.count = total
		sec.title.SetText(fmt.Sprintf("%s (%d)", sec.heading, total))
		sec.rows.RemoveAll()
		for i, r := range rows {
			if i == inboxMax {
				break
			}
			r := r
			text := r.Number + "  " + r.MatterName + "  " + r.ApplicantName + "  " + stateLabel(r.State)
			if w := warningLabel(r.Warning); w != "" {
				text += "  " + w
			}
			if !r.DueOn.IsZero() {
				text += "  " + lang.L("due") + " " + r.DueOn.String()
			}
			b := widget.NewButton(text, func() { s.u.shell.openCase(r.ID) })
			b.Alignment = widget.ButtonAlignLeading
			b.Importance = widget.LowImportance
			if r.Warning != "" {
				b.Importance = warningImportance(r.Warning)
			}
			sec.rows.Add(b)
		}
		if total == 0 {
			sec.rows.Add(note(lang.L("Nothing here.")))
		}
	}
}
