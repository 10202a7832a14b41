package central

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/centraldesk"
	"github.com/bianmin/bianmin/desktop/internal/chart"
	"github.com/bianmin/bianmin/shared/bmerr"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
)

// groupings are the dashboard's "group by" choices.
var groupings = []string{"station", "department", "matter"}

// column is one column of the figures table.
type column struct {
	head  string
	value func(*centralv1.Figures) string
	width float32
}

func itoa(n int32) string { return fmt.Sprint(n) }

// columns are the figures of domain §5 and §6, in the order the supervision
// office reads them.
func columns() []column {
	p := centraldesk.Percent
	return []column{
		{lang.L("Group"), func(f *centralv1.Figures) string { return f.GetLabel() }, 180},
		{lang.L("Accepted (count)"), func(f *centralv1.Figures) string { return itoa(f.GetAccepted()) }, 64},
		{lang.L("Closed (count)"), func(f *centralv1.Figures) string { return itoa(f.GetClosed()) }, 64},
		{lang.L("On-the-spot rate"), func(f *centralv1.Figures) string { return p(f.GetOnSpotRate()) }, 90},
		{lang.L("On-time rate"), func(f *centralv1.Figures) string { return p(f.GetOnTimeRate()) }, 90},
		{lang.L("Within legal limit"), func(f *centralv1.Figures) string { return p(f.GetWithinLegalRate()) }, 110},
		{lang.L("Actual speed-up"), func(f *centralv1.Figures) string { return p(f.GetActualSpeedUp()) }, 90},
		{lang.L("Average days"), func(f *centralv1.Figures) string { return centraldesk.AvgDays(f) }, 90},
		{lang.L("Rating rate"), func(f *centralv1.Figures) string { return p(f.GetRatingRate()) }, 80},
		{lang.L("Satisfaction"), func(f *centralv1.Figures) string { return p(f.GetSatisfaction()) }, 80},
		{lang.L("Bad-review rate"), func(f *centralv1.Figures) string { return p(f.GetBadRate()) }, 80},
		{lang.L("Rectification rate"), func(f *centralv1.Figures) string { return p(f.GetRectificationRate()) }, 80},
		{lang.L("Follow-up rate"), func(f *centralv1.Figures) string { return p(f.GetFollowUpRate()) }, 80},
		{lang.L("Reminders"), func(f *centralv1.Figures) string { return itoa(f.GetReminders()) }, 64},
		{lang.L("Yellow cards"), func(f *centralv1.Figures) string { return itoa(f.GetYellowCards()) }, 64},
		{lang.L("Red cards"), func(f *centralv1.Figures) string { return itoa(f.GetRedCards()) }, 64},
		{lang.L("Rank"), func(f *centralv1.Figures) string { return centraldesk.Rank(f) }, 50},
	}
}

// dashboardScreen is electronic supervision: the figures for a period and
// grouping, three charts, the month's ranking (三优三差) and an Excel
// export. A reviewer gets their department's figures only: central scopes
// them, and the screen shows what it gets.
type dashboardScreen struct {
	u      *UI
	period *widget.Select
	from   *widget.Entry
	to     *widget.Entry
	group  *widget.Select
	run    *widget.Button
	export *widget.Button
	err    *widget.Label

	cols     []column
	rows     [][]string // header, then the groups, then the total
	table    *widget.Table
	best     *widget.Label
	bottom   *widget.Label
	catalogF *widget.Label
	onTime   *chart.Chart
	volume   *chart.Chart
	warns    *chart.Chart
	exported string        // the last export's path
	saved    dialog.Dialog // the dialog that says where it went
	content  fyne.CanvasObject
	loaded   func() // screenshot mode
}

func newDashboardScreen(u *UI) *dashboardScreen {
	s := &dashboardScreen{u: u, from: widget.NewEntry(), to: widget.NewEntry(), err: problem(), cols: columns(),
		best: wrapped(""), bottom: wrapped(""), catalogF: note("")}
	s.period = widget.NewSelect([]string{lang.L("This month"), lang.L("Last month"), lang.L("Custom dates")}, func(string) { s.periodChanged() })
	s.group = widget.NewSelect([]string{lang.L("By station"), lang.L("By department"), lang.L("By matter")}, nil)
	s.group.SetSelectedIndex(0)
	s.from.SetPlaceHolder("2026-01-01")
	s.to.SetPlaceHolder("2026-01-31")
	s.period.SetSelectedIndex(0)
	s.run = widget.NewButtonWithIcon(lang.L("Show"), theme.SearchIcon(), s.reload)
	s.run.Importance = widget.HighImportance
	s.export = widget.NewButtonWithIcon(lang.L("Export to Excel"), theme.DownloadIcon(), s.exportXLSX)
	s.best.Importance = widget.SuccessImportance
	s.bottom.Importance = widget.DangerImportance
	s.rows = [][]string{s.header()}
	s.table = widget.NewTable(func() (int, int) { return len(s.rows), len(s.cols) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.TextStyle.Bold = id.Row == 0 || id.Row == len(s.rows)-1 && len(s.rows) > 1
			l.Truncation = fyne.TextTruncateEllipsis
			l.Text = s.rows[id.Row][id.Col]
			l.Refresh()
		})
	for i, c := range s.cols {
		s.table.SetColumnWidth(i, c.width)
	}
	s.onTime = chart.NewBars(lang.L("On-time rate by department"), nil, nil, warningColor("reminder"), func(v float64) string { return fmt.Sprintf("%.0f%%", v) })
	s.onTime.Max = 100
	s.onTime.Empty = lang.L("No cases closed in the period.")
	s.volume = chart.NewLines(lang.L("Cases accepted per station per day"), nil, nil)
	s.volume.Empty = lang.L("No cases accepted in the period.")
	s.warns = chart.NewLines(lang.L("Warnings per day by colour"), nil, nil)
	s.warns.Empty = lang.L("No warnings in the period.")

	date := func(e *widget.Entry) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(120, e.MinSize().Height), e)
	}
	tools := container.NewHBox(widget.NewLabel(lang.L("Period")), s.period, date(s.from), widget.NewLabel("—"), date(s.to),
		widget.NewLabel(lang.L("Group")), s.group, s.run, layoutSpacer(), s.export)
	table := container.NewVScroll(s.table)
	table.SetMinSize(fyne.NewSize(0, 220))
	ranking := widget.NewCard(lang.L("Ranking of the period (三优三差)"), "", container.NewVBox(s.best, s.bottom, s.catalogF))
	charts := container.NewGridWithColumns(3, s.onTime, s.volume, s.warns)
	s.content = container.NewBorder(container.NewVBox(tools, s.err), nil, nil, nil,
		container.NewVScroll(container.NewVBox(table, ranking, container.NewGridWrap(fyne.NewSize(1200, 260), charts))))
	return s
}

func (s *dashboardScreen) header() []string {
	var out []string
	for _, c := range s.cols {
		out = append(out, c.head)
	}
	return out
}

func (s *dashboardScreen) periodChanged() {
	now := s.u.now()
	var p centraldesk.Period
	switch s.period.SelectedIndex() {
	case 0:
		p = centraldesk.ThisMonth(now)
	case 1:
		p = centraldesk.LastMonth(now)
	default:
		s.from.Enable()
		s.to.Enable()
		return
	}
	s.from.SetText(p.From.String())
	s.to.SetText(p.To.String())
	s.from.Disable()
	s.to.Disable()
}

func (s *dashboardScreen) request() (centraldesk.Period, string, error) {
	p, err := centraldesk.ParsePeriod(strings.TrimSpace(s.from.Text), strings.TrimSpace(s.to.Text))
	return p, groupings[max(s.group.SelectedIndex(), 0)], err
}

type dashboardData struct {
	figures *centralv1.FiguresResponse
	depts   *centralv1.FiguresResponse
	series  *centralv1.SeriesResponse
}

// reload fetches the figures, the department figures for the on-time
// chart and the series, in one background job.
func (s *dashboardScreen) reload() {
	p, group, err := s.request()
	if err != nil {
		setProblem(s.err, msg(err))
		return
	}
	setProblem(s.err, "")
	u := s.u
	client := u.client
	from, to := p.Strings()
	call(u, func(ctx context.Context) (dashboardData, error) {
		var d dashboardData
		var err error
		if d.figures, err = client.Figures(ctx, from, to, group); err != nil {
			return d, err
		}
		d.depts = d.figures
		if group != "department" {
			if d.depts, err = client.Figures(ctx, from, to, "department"); err != nil {
				return d, err
			}
		}
		d.series, err = client.Series(ctx, from, to)
		return d, err
	}, func(d dashboardData, err error) {
		if err != nil {
			setProblem(s.err, msg(err))
			u.showErrorIfSession(err)
		} else {
			s.show(p, d)
		}
		if s.loaded != nil {
			fn := s.loaded
			s.loaded = nil
			fn()
		}
	})
}

func (s *dashboardScreen) show(p centraldesk.Period, d dashboardData) {
	s.rows = [][]string{s.header()}
	add := func(f *centralv1.Figures) {
		var row []string
		for _, c := range s.cols {
			row = append(row, c.value(f))
		}
		s.rows = append(s.rows, row)
	}
	for _, g := range d.figures.GetGroups() {
		add(g)
	}
	if t := d.figures.GetTotal(); t != nil {
		if t.GetLabel() == "" {
			t.Label = lang.L("Total")
		}
		add(t)
	}
	s.table.Refresh()
	best, bottom := centraldesk.Labels(d.figures, d.figures.GetBest()), centraldesk.Labels(d.figures, d.figures.GetBottom())
	s.best.SetText(lang.L("Best: ") + orDash(strings.Join(best, "、")))
	s.bottom.SetText(lang.L("Bottom three: ") + orDash(strings.Join(bottom, "、")))
	s.catalogF.SetText(fmt.Sprintf(lang.L("Catalog: promised speed-up %s · on-the-spot matters %s · at most one visit %s"),
		centraldesk.Percent(d.figures.GetPromisedSpeedUp()), centraldesk.Percent(d.figures.GetOnTheSpotShare()), centraldesk.Percent(d.figures.GetAtMostOneVisit())))

	var labels []string
	var values []float64
	for _, g := range d.depts.GetGroups() {
		if f, ok := centraldesk.Fraction(g.GetOnTimeRate()); ok {
			labels = append(labels, g.GetLabel())
			values = append(values, 100*f)
		}
	}
	s.onTime.Labels, s.onTime.Series = labels, []chart.Series{{Color: warningColor("reminder"), Values: values}}
	s.onTime.Refresh()

	days := shortDays(p.Days())
	grid := centraldesk.GridOf(d.series.GetAccepted(), p)
	palette := []fyne.ThemeColorName{theme.ColorNamePrimary, theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNameError,
		theme.ColorNameForeground, theme.ColorNamePlaceHolder}
	var lines []chart.Series
	for i, k := range grid.Keys {
		name := d.series.GetStationNames()[k]
		if name == "" {
			name = k
		}
		lines = append(lines, chart.Series{Name: name, Color: theme.Color(palette[i%len(palette)]), Values: grid.Values[k]})
	}
	s.volume.Labels, s.volume.Series = days, lines
	s.volume.Refresh()

	wgrid := centraldesk.GridOf(d.series.GetWarnings(), p, "reminder", "yellow", "red")
	var wl []chart.Series
	for _, k := range []string{"reminder", "yellow", "red"} {
		vals := wgrid.Values[k]
		if vals == nil {
			vals = make([]float64, len(days))
		}
		wl = append(wl, chart.Series{Name: warningText(k), Color: warningColor(k), Values: vals})
	}
	s.warns.Labels, s.warns.Series = days, wl
	s.warns.Refresh()
}

// shortDays turns "2026-02-12" into "02-12" for the charts' axes.
func shortDays(days []string) []string {
	out := make([]string, len(days))
	for i, d := range days {
		out[i] = d[min(5, len(d)):]
	}
	return out
}

// exportXLSX has central write the figures as a workbook and saves it in
// the user's Documents folder under central's file name.
func (s *dashboardScreen) exportXLSX() {
	p, group, err := s.request()
	if err != nil {
		setProblem(s.err, msg(err))
		return
	}
	u := s.u
	client := u.client
	from, to := p.Strings()
	s.export.Disable()
	type file struct {
		data []byte
		name string
	}
	call(u, func(ctx context.Context) (file, error) {
		data, name, err := client.ExportFigures(ctx, from, to, group)
		return file{data, name}, err
	}, func(f file, err error) {
		s.export.Enable()
		if err != nil {
			u.showError(err)
			return
		}
		name := filepath.Base(f.name)
		if name == "" || name == "." || name == "/" {
			name = fmt.Sprintf("figures-%s-%s.xlsx", from, to)
		}
		dir := u.exportDir()
		err = os.MkdirAll(dir, 0o700)
		var path string
		if err == nil {
			path, err = writeNew(dir, name, f.data)
		}
		if err != nil {
			u.showError(err)
			return
		}
		s.exported = path
		s.saved = s.exportedDialog(path)
		s.saved.Show()
	})
}

// exportedDialog says where the workbook went and offers to open it.
func (s *dashboardScreen) exportedDialog(path string) dialog.Dialog {
	u := s.u
	text := wrapped(fmt.Sprintf(lang.L("The figures are saved as %s"), path))
	if u.opt.Open == nil {
		return dialog.NewCustom(lang.L("Exported"), lang.L("OK"), text, u.win)
	}
	d := dialog.NewCustomConfirm(lang.L("Exported"), lang.L("Open"), lang.L("Close"), text, func(open bool) {
		if !open {
			return
		}
		if err := u.opt.Open(path); err != nil {
			u.showError(bmerr.Newf(bmerr.Unavailable, "open_failed", "无法打开文件 %s：%v", "cannot open %s: %v", path, err))
		}
	}, u.win)
	return d
}

// writeNew writes data to dir/name, or, when that file exists (an earlier
// export of the same period), to "name (2)", "name (3)"… : an export never
// overwrites a workbook someone may have annotated.
func writeNew(dir, name string, data []byte) (string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for n := 1; n < 1000; n++ {
		p := filepath.Join(dir, name)
		if n > 1 {
			p = filepath.Join(dir, fmt.Sprintf("%s (%d)%s", stem, n, ext))
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			os.Remove(p)
			return "", err
		}
		if err := f.Close(); err != nil {
			os.Remove(p)
			return "", err
		}
		return p, nil
	}
	return "", bmerr.Newf(bmerr.Invalid, "export_name", "%s 中已有太多同名文件。", "%s holds too many files of that name.", dir)
}
