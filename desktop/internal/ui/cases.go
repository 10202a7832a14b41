package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

// pageSize is the number of cases a page of the list shows.
const pageSize = 50

// casesScreen is the case list: search, filters and sorting over the
// station's cases, one page at a time (store.ListCases never loads them
// all: 200,000 cases list as fast as 200), names and ID numbers masked.
type casesScreen struct {
	u       *UI
	today   workcal.Date // of the last reload, for overdue cases
	search  *widget.Entry
	state   *widget.Select
	warning *widget.Select
	syncSel *widget.Select
	sort    *widget.Select
	desc    *widget.Check
	table   *widget.Table
	count   *widget.Label
	prev    *widget.Button
	next    *widget.Button
	err     *widget.Label

	rows   []store.CaseRow
	total  int
	page   int
	filter store.Filter
	took   time.Duration

	list    fyne.CanvasObject
	stack   *fyne.Container
	detail  *detailView
	content fyne.CanvasObject
}

var (
	stateFilters   = append([]caseflow.State{""}, caseflow.States()[1:]...)
	warningFilters = []string{"", "any", "reminder", "yellow", "red", "none"}
	syncFilters    = []string{"", store.CasePending, store.CaseRejected, store.CaseConflict, store.CaseSynced}
	sortKeys       = []string{"", "received", "number", "due", "warning", "state"}
)

func newCasesScreen(u *UI) *casesScreen {
	s := &casesScreen{u: u, search: widget.NewEntry(), count: widget.NewLabel(""), err: problem()}
	s.search.SetPlaceHolder(lang.L("Search: name, masked or full ID number, case number, matter"))
	s.search.OnChanged = func(string) { s.page = 0; s.reload() }
	s.search.OnSubmitted = func(string) {
		if len(s.rows) == 1 {
			s.open(s.rows[0].ID)
		}
	}
	var states []string
	for _, st := range stateFilters {
		if st == "" {
			states = append(states, lang.L("All states"))
		} else {
			states = append(states, stateLabel(st))
		}
	}
	s.state = widget.NewSelect(states, func(string) { s.page = 0; s.reload() })
	s.warning = widget.NewSelect([]string{lang.L("All warnings"), lang.L("Any warning"), lang.L("Reminder"), lang.L("Yellow card"), lang.L("Red card"), lang.L("No warning")},
		func(string) { s.page = 0; s.reload() })
	s.syncSel = widget.NewSelect([]string{lang.L("All sync states"), lang.L("Waiting to sync"), lang.L("Rejected"), lang.L("Conflict"), lang.L("Synced")},
		func(string) { s.page = 0; s.reload() })
	s.sort = widget.NewSelect([]string{lang.L("Latest update first"), lang.L("By date received"), lang.L("By case number"), lang.L("By due date"), lang.L("By warning"), lang.L("By state")},
		func(string) { s.page = 0; s.reload() })
	s.desc = widget.NewCheck(lang.L("Descending"), func(bool) { s.page = 0; s.reload() })
	for _, sel := range []*widget.Select{s.state, s.warning, s.syncSel, s.sort} {
		sel.SetSelectedIndex(0)
	}

	s.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(s.rows), len(caseColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateClip
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			if id.Row >= len(s.rows) {
				l.SetText("")
				return
			}
			text, imp := caseColumns[id.Col].value(s.rows[id.Row], s.today)
			l.Importance = imp
			l.SetText(text)
		})
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle.Bold = true
		return l
	}
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(caseColumns[id.Col].title())
		}
	}
	for i, c := range caseColumns {
		s.table.SetColumnWidth(i, c.width)
	}
	s.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(s.rows) {
			s.table.UnselectAll()
			s.open(s.rows[id.Row].ID)
		}
	}
	s.prev = widget.NewButtonWithIcon(lang.L("Previous page"), theme.NavigateBackIcon(), func() {
		if s.page > 0 {
			s.page--
			s.reload()
		}
	})
	s.next = widget.NewButtonWithIcon(lang.L("Next page"), theme.NavigateNextIcon(), func() {
		if (s.page+1)*pageSize < s.total {
			s.page++
			s.reload()
		}
	})
	s.next.IconPlacement = widget.ButtonIconTrailingText
	filters := container.NewHBox(s.state, s.warning, s.syncSel, s.sort, s.desc)
	top := container.NewVBox(s.search, filters, s.err)
	bottom := container.NewHBox(s.count, layoutSpacer(), s.prev, s.next)
	s.list = container.NewBorder(top, bottom, nil, nil, s.table)
	s.stack = container.NewStack(s.list)
	s.content = s.stack
	return s
}

// caseColumn is one column of the list.
type caseColumn struct {
	title func() string
	width float32
	value func(r store.CaseRow, today workcal.Date) (string, widget.Importance)
}

var caseColumns = []caseColumn{
	{func() string { return lang.L("Case number") }, 190, func(r store.CaseRow, _ workcal.Date) (string, widget.Importance) {
		return r.Number, widget.MediumImportance
	}},
	{func() string { return lang.L("Matter") }, 230, func(r store.CaseRow, _ workcal.Date) (string, widget.Importance) {
		return r.MatterName, widget.MediumImportance
	}},
	{func() string { return lang.L("Applicant") }, 90, func(r store.CaseRow, _ workcal.Date) (string, widget.Importance) {
		return r.ApplicantName, widget.MediumImportance
	}},
	{func() string { return lang.L("ID number") }, 180, func(r store.CaseRow, _ workcal.Date) (string, widget.Importance) {
		return r.IDMasked, widget.MediumImportance
	}},
	{func() string { return lang.L("State") }, 110, func(r store.CaseRow, _ workcal.Date) (string, widget.Importance) {
		if r.State == "" {
			return lang.L("not recorded"), widget.DangerImportance
		}
		return stateLabel(r.State), widget.MediumImportance
	}},
	{func() string { return lang.L("Due") }, 150, func(r store.CaseRow, today workcal.Date) (string, widget.Importance) {
		if overdue(r, today) {
			return date(r.DueOn) + " " + lang.L("overdue"), widget.DangerImportance
		}
		return date(r.DueOn), widget.MediumImportance
	}},
	{func() string { return lang.L("Warning") }, 80, func(r store.CaseRow, _ workcal.Date) (string, widget.Importance) {
		return warningLabel(r.Warning), warningImportance(r.Warning)
	}},
	{func() string { return lang.L("Sync") }, 100, func(r store.CaseRow, _ workcal.Date) (string, widget.Importance) {
		imp := widget.LowImportance
		switch r.SyncState {
		case store.CaseRejected, store.CaseConflict:
			imp = widget.DangerImportance
		case store.CasePending:
			imp = widget.WarningImportance
		}
		return caseSyncLabel(r.SyncState), imp
	}},
}

// overdue reports a case whose clock runs past its due date: the station
// sees it offline, before central's warning arrives.
func overdue(r store.CaseRow, today workcal.Date) bool {
	switch r.State {
	case caseflow.Accepted, caseflow.UnderReview, caseflow.ParallelReview:
		return !r.DueOn.IsZero() && r.DueOn.Before(today)
	}
	return false
}

// currentFilter is the filter the controls describe.
func (s *casesScreen) currentFilter() store.Filter {
	f := store.Filter{Query: s.search.Text, Limit: pageSize, Offset: s.page * pageSize}
	if i := s.state.SelectedIndex(); i > 0 {
		f.States = []caseflow.State{stateFilters[i]}
	}
	if i := s.warning.SelectedIndex(); i > 0 {
		f.Warning = warningFilters[i]
	}
	if i := s.syncSel.SelectedIndex(); i > 0 {
		f.SyncState = syncFilters[i]
	}
	if i := s.sort.SelectedIndex(); i > 0 {
		f.Sort, f.Desc = sortKeys[i], s.desc.Checked
	}
	return f
}

// reload fetches the page the controls describe.
func (s *casesScreen) reload() {
	if s.table == nil || s.desc == nil {
		return // still being built
	}
	s.filter = s.currentFilter()
	s.today = workcal.DateOf(s.u.now())
	began := time.Now()
	rows, total, err := s.u.st.ListCases(ctx(), s.filter)
	s.took = time.Since(began)
	if err != nil {
		setProblem(s.err, msg(err))
		return
	}
	setProblem(s.err, "")
	s.rows, s.total = rows, total
	pages := max(1, (total+pageSize-1)/pageSize)
	s.count.SetText(fmt.Sprintf(lang.L("%d cases · page %d of %d"), total, s.page+1, pages))
	if s.page > 0 {
		s.prev.Enable()
	} else {
		s.prev.Disable()
	}
	if (s.page+1)*pageSize < total {
		s.next.Enable()
	} else {
		s.next.Disable()
	}
	s.table.Refresh()
	s.table.ScrollToTop()
}

// refresh reloads the list, or the case shown.
func (s *casesScreen) refresh() {
	if s.detail != nil {
		s.detail.reload()
		return
	}
	s.reload()
}

// open shows a case's detail in place of the list.
func (s *casesScreen) open(id uuid.UUID) {
	d, err := newDetailView(s.u, id, s.back)
	if err != nil {
		s.u.showError(err)
		return
	}
	s.detail = d
	s.stack.Objects = []fyne.CanvasObject{d.content}
	s.stack.Refresh()
}

// back returns to the list.
func (s *casesScreen) back() {
	s.detail = nil
	s.stack.Objects = []fyne.CanvasObject{s.list}
	s.stack.Refresh()
	s.reload()
	s.u.win.Canvas().Focus(s.search)
}
