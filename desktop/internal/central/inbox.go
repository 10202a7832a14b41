package central

import (
	"context"
	"fmt"
	"image/color"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
)

// warnings are the inbox's colour filters, in the order of the selector.
var warnings = []string{"", "reminder", "yellow", "red", "none"}

func warningText(w string) string {
	switch w {
	case "reminder":
		return lang.L("Reminder")
	case "yellow":
		return lang.L("Yellow card")
	case "red":
		return lang.L("Red card")
	case "none":
		return lang.L("No warning")
	}
	return lang.L("All")
}

// warningColor is the swatch of a warning colour.
func warningColor(w string) color.Color {
	switch w {
	case "reminder":
		return theme.Color(theme.ColorNamePrimary)
	case "yellow":
		return theme.Color(theme.ColorNameWarning)
	case "red":
		return theme.Color(theme.ColorNameError)
	}
	return theme.Color(theme.ColorNameDisabled)
}

func warningImportance(w string) widget.Importance {
	switch w {
	case "reminder":
		return widget.HighImportance
	case "yellow":
		return widget.WarningImportance
	case "red":
		return widget.DangerImportance
	}
	return widget.MediumImportance
}

// daysLeft says how long is left: "3 working days left", "due today",
// "2 working days overdue".
func daysLeft(n int32, due string) string {
	switch {
	case due == "":
		return "—"
	case n > 0:
		return fmt.Sprintf(lang.L("%d working days left"), n)
	case n == 0:
		return lang.L("due today")
	}
	return fmt.Sprintf(lang.L("%d working days overdue"), -n)
}

// inboxScreen is the department's inbox: cases waiting for one of its
// steps, soonest due first, coloured by warning, with the count of each
// colour and a filter by colour. An administrator picks the department.
type inboxScreen struct {
	u       *UI
	dept    *widget.Select
	deptIDs []string
	filter  *widget.Select
	refresh *widget.Button
	counts  map[string]*widget.Label // "reminder", "yellow", "red", "total"
	rows    *fyne.Container
	items   []*centralv1.InboxItem
	open    map[string]*widget.Button // case id -> its open button
	err     *widget.Label

	list    fyne.CanvasObject
	stack   *fyne.Container
	review  *reviewView
	content fyne.CanvasObject
	loaded  func() // screenshot mode: told when a load is done
}

func newInboxScreen(u *UI) *inboxScreen {
	s := &inboxScreen{u: u, rows: container.NewVBox(), err: problem(), counts: map[string]*widget.Label{}, open: map[string]*widget.Button{}}
	var labels []string
	for _, w := range warnings {
		labels = append(labels, warningText(w))
	}
	s.filter = widget.NewSelect(labels, nil)
	s.filter.SetSelectedIndex(0)
	s.filter.OnChanged = func(string) { s.reload() }
	s.refresh = widget.NewButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), func() { s.reload() })
	bar := container.NewHBox()
	for _, w := range []string{"reminder", "yellow", "red"} {
		sw := canvas.NewRectangle(warningColor(w))
		sw.SetMinSize(fyne.NewSize(14, 14))
		l := widget.NewLabel("")
		l.Importance = warningImportance(w)
		l.TextStyle.Bold = true
		s.counts[w] = l
		bar.Add(container.NewHBox(container.NewCenter(sw), l))
	}
	s.counts["total"] = widget.NewLabel("")
	bar.Add(s.counts["total"])
	tools := container.NewHBox(widget.NewLabel(lang.L("Filter")), s.filter)
	if u.user.IsAdmin() {
		s.dept = widget.NewSelect(nil, func(string) { s.reload() })
		s.dept.PlaceHolder = lang.L("Department")
		tools.Objects = append([]fyne.CanvasObject{widget.NewLabel(lang.L("Department")), s.dept}, tools.Objects...)
	}
	tools.Add(s.refresh)
	head := container.NewVBox(container.NewBorder(nil, nil, nil, tools, bar), s.err)
	s.list = container.NewBorder(head, nil, nil, nil, container.NewVScroll(s.rows))
	s.stack = container.NewStack(s.list)
	s.content = container.NewPadded(s.stack)
	s.setCounts(nil)
	return s
}

func (s *inboxScreen) setCounts(r *centralv1.InboxResponse) {
	s.counts["reminder"].SetText(fmt.Sprintf("%s %d", lang.L("Reminder"), r.GetReminder()))
	s.counts["yellow"].SetText(fmt.Sprintf("%s %d", lang.L("Yellow card"), r.GetYellow()))
	s.counts["red"].SetText(fmt.Sprintf("%s %d", lang.L("Red card"), r.GetRed()))
	s.counts["total"].SetText(fmt.Sprintf(lang.L("%d waiting in all"), r.GetTotal()))
}

// department is the department an administrator chose ("" otherwise).
func (s *inboxScreen) department() string {
	if s.dept == nil || s.dept.SelectedIndex() < 0 {
		return ""
	}
	return s.deptIDs[s.dept.SelectedIndex()]
}

// reload fetches the inbox (an administrator's first load also fetches
// the departments to choose from).
func (s *inboxScreen) reload() {
	u := s.u
	if s.dept != nil && len(s.deptIDs) == 0 {
		u.loadDepartments(func(ds []catalog.Department) {
			var names []string
			for _, d := range ds {
				s.deptIDs = append(s.deptIDs, d.Code)
				names = append(names, d.Name)
			}
			s.dept.Options = names
			if len(names) > 0 {
				s.dept.SetSelectedIndex(0) // reloads
				return
			}
			s.fetch()
		})
		return
	}
	s.fetch()
}

func (s *inboxScreen) fetch() {
	u := s.u
	dept, w := s.department(), warnings[max(s.filter.SelectedIndex(), 0)]
	client := u.client
	call(u, func(ctx context.Context) (*centralv1.InboxResponse, error) {
		return client.Inbox(ctx, dept, w)
	}, func(r *centralv1.InboxResponse, err error) {
		if err != nil {
			setProblem(s.err, msg(err))
			s.show(nil)
			u.showErrorIfSession(err)
		} else {
			setProblem(s.err, "")
			s.show(r)
		}
		if s.loaded != nil {
			fn := s.loaded
			s.loaded = nil
			fn()
		}
	})
}

// show lists the items soonest due first (central sorts them too; a case
// without a due date goes last).
func (s *inboxScreen) show(r *centralv1.InboxResponse) {
	s.setCounts(r)
	s.items = append([]*centralv1.InboxItem(nil), r.GetItems()...)
	sort.SliceStable(s.items, func(i, j int) bool {
		a, b := s.items[i].GetDue(), s.items[j].GetDue()
		if (a == "") != (b == "") {
			return a != ""
		}
		return a < b
	})
	s.rows.RemoveAll()
	s.open = map[string]*widget.Button{}
	for _, it := range s.items {
		s.rows.Add(s.row(it))
	}
	if len(s.items) == 0 {
		s.rows.Add(note(lang.L("Nothing waiting for the department.")))
	}
	s.rows.Refresh()
}

func (s *inboxScreen) row(it *centralv1.InboxItem) fyne.CanvasObject {
	w := it.GetWarning()
	sw := canvas.NewRectangle(warningColor(w))
	sw.SetMinSize(fyne.NewSize(8, 36))
	parts := []string{it.GetApplicant()}
	if it.GetStep() != "" {
		step := catalog.Step(it.GetStep()).Label(i18n.Tag())
		if it.GetParallel() {
			step += lang.L(" (parallel)")
		}
		if it.GetDecides() {
			step += lang.L(" · decides")
		}
		parts = append(parts, step)
	}
	parts = append(parts, caseflow.State(it.GetState()).Label(i18n.Tag()), s.u.stationName(it.GetStation()))
	first := bold(it.GetNumber() + "  " + it.GetMatterName())
	second := widget.NewLabel(strings.Join(parts, " · "))
	second.Importance = widget.LowImportance
	due := widget.NewLabel(lang.L("due") + " " + orDash(it.GetDue()))
	left := widget.NewLabel(daysLeft(it.GetDaysLeft(), it.GetDue()))
	left.Importance = warningImportance(w)
	if w != "" {
		left.TextStyle.Bold = true
	}
	right := container.NewHBox(container.NewVBox(due, left))
	if w != "" {
		wl := widget.NewLabel(warningText(w))
		wl.Importance = warningImportance(w)
		wl.TextStyle.Bold = true
		right.Objects = append([]fyne.CanvasObject{wl}, right.Objects...)
	}
	if it.GetEscalated() {
		esc := widget.NewLabel(lang.L("escalated"))
		esc.Importance = widget.DangerImportance
		right.Objects = append([]fyne.CanvasObject{esc}, right.Objects...)
	}
	id := it.GetCaseId()
	open := widget.NewButtonWithIcon(lang.L("Review"), theme.NavigateNextIcon(), func() { s.openCase(id) })
	s.open[id] = open
	right.Add(open)
	return container.NewVBox(container.NewBorder(nil, nil, sw, right, container.NewVBox(first, second)), widget.NewSeparator())
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// openCase shows a case's review in place of the list.
func (s *inboxScreen) openCase(id string) {
	s.review = newReviewView(s.u, id, s.closeCase)
	s.stack.Objects = []fyne.CanvasObject{s.review.content}
	s.stack.Refresh()
	s.review.reload()
}

func (s *inboxScreen) closeCase() {
	s.review = nil
	s.stack.Objects = []fyne.CanvasObject{s.list}
	s.stack.Refresh()
	s.reload()
}

// showErrorIfSession returns to sign-in when the session has expired;
// other errors are already shown in place.
func (u *UI) showErrorIfSession(err error) {
	if isSessionError(err) {
		u.showError(err)
	}
}
