package report

import (
	"io"
	"unicode/utf8"

	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/xuri/excelize/v2"
)

// Sheet names of the workbook.
const (
	SummarySheet = "汇总"
	RankingSheet = "排名"
	CatalogSheet = "事项目录指标"
)

// Number formats. Rates are stored as fractions (0.875) so that Excel can
// compute with them, and shown as percentages.
const (
	percentFormat = "0.0%"
	daysFormat    = "0.0"
	wholeFormat   = 1 // built-in "0"
)

// WriteXLSX writes the report as an Excel workbook in Chinese: the summary
// table (汇总) with the same columns as WriteCSV, the best and bottom three
// (排名, 三优三差) and the catalog figures (事项目录指标). A figure with nothing
// to measure is an empty cell, so that Excel's averages and sums skip it
// rather than count it as zero.
func WriteXLSX(w io.Writer, r Result) error {
	f := excelize.NewFile()
	defer f.Close()
	x := &book{f: f}
	if err := x.styles(); err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SummarySheet); err != nil {
		return err
	}
	x.summary(r)
	x.newSheet(RankingSheet)
	x.ranking(r)
	x.newSheet(CatalogSheet)
	x.catalog(r)
	if x.err != nil {
		return x.err
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

// book writes cells and keeps the first error, so the layout code reads as
// a list of cells rather than a list of error checks.
type book struct {
	f   *excelize.File
	err error

	title, header, note int
	body, bold          [4]int // by kind: the style of a group's cell and of the total's
	text, boldText      int
}

func (x *book) keep(err error) {
	if x.err == nil && err != nil {
		x.err = err
	}
}

func (x *book) styles() error {
	border := []excelize.Border{
		{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1},
	}
	style := func(s *excelize.Style) int {
		id, err := x.f.NewStyle(s)
		x.keep(err)
		return id
	}
	pct, days := percentFormat, daysFormat
	x.title = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	x.note = style(&excelize.Style{Font: &excelize.Font{Color: "595959", Size: 9}})
	x.header = style(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Border:    border,
	})
	for _, bold := range []bool{false, true} {
		font := &excelize.Font{Bold: bold}
		styles := &x.body
		text := &x.text
		if bold {
			styles, text = &x.bold, &x.boldText
		}
		*text = style(&excelize.Style{Font: font, Border: border})
		styles[countKind] = style(&excelize.Style{Font: font, Border: border, NumFmt: wholeFormat})
		styles[rankKind] = style(&excelize.Style{Font: font, Border: border, NumFmt: wholeFormat,
			Alignment: &excelize.Alignment{Horizontal: "center"}})
		styles[rateKind] = style(&excelize.Style{Font: font, Border: border, CustomNumFmt: &pct})
		styles[daysKind] = style(&excelize.Style{Font: font, Border: border, CustomNumFmt: &days})
	}
	return x.err
}

func (x *book) newSheet(name string) {
	_, err := x.f.NewSheet(name)
	x.keep(err)
}

func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row) // col, row ≥ 1 here
	return name
}

func (x *book) str(sheet string, col, row int, s string, style int) {
	x.keep(x.f.SetCellStr(sheet, cell(col, row), s))
	x.keep(x.f.SetCellStyle(sheet, cell(col, row), cell(col, row), style))
}

// num writes a figure, or leaves the cell empty (but styled, so the table's
// borders stay whole) when it is undefined.
func (x *book) num(sheet string, col, row int, v value, style int) {
	if n, ok := v.number(); ok {
		if v.kind == countKind || v.kind == rankKind {
			x.keep(x.f.SetCellInt(sheet, cell(col, row), int64(v.n)))
		} else {
			x.keep(x.f.SetCellFloat(sheet, cell(col, row), n, -1, 64))
		}
	}
	x.keep(x.f.SetCellStyle(sheet, cell(col, row), cell(col, row), style))
}

func (x *book) titleRow(sheet, title string, lastCol int) {
	x.str(sheet, 1, 1, title, x.title)
	if lastCol > 1 {
		x.keep(x.f.MergeCell(sheet, cell(1, 1), cell(lastCol, 1)))
	}
	x.keep(x.f.SetRowHeight(sheet, 1, 24))
}

func (x *book) headerRow(sheet string, row int, names ...string) {
	for i, n := range names {
		x.str(sheet, i+1, row, n, x.header)
	}
}

func periodText(r Result) string {
	s := r.Options.Period.From.String() + " 至 " + r.Options.Period.To.String()
	if g := groupingText(r.Options.By); g != "" {
		s += "，" + g
	}
	return s
}

func groupingText(by string) string {
	switch by {
	case ByStation:
		return "按站点"
	case ByDepartment:
		return "按部门"
	case ByMatter:
		return "按事项"
	}
	return ""
}

func (x *book) summary(r Result) {
	const sheet = SummarySheet
	last := len(columns) + 1
	x.titleRow(sheet, "便民服务效能统计（"+periodText(r)+"）", last)
	names := []string{groupHeader}
	for _, c := range columns {
		names = append(names, c.zh)
	}
	x.headerRow(sheet, 2, names...)
	x.keep(x.f.SetRowHeight(sheet, 2, 33))

	line := func(row int, name string, data Row, total bool) {
		text, styles := x.text, x.body
		if total {
			text, styles = x.boldText, x.bold
		}
		x.str(sheet, 1, row, name, text)
		for i, c := range columns {
			v := c.get(data)
			if total && v.kind == rankKind {
				v.n = 0 // the total is not ranked against anything
			}
			x.num(sheet, i+2, row, v, styles[v.kind])
		}
	}
	row := 3
	width := 12
	for _, data := range r.Rows {
		line(row, data.Label, data, false)
		width = max(width, displayWidth(data.Label)+2)
		row++
	}
	line(row, totalLabel("zh"), r.Total, true)

	x.str(sheet, 1, row+2, "说明：空白表示本期没有可统计的数据（如无办结件、无评价）；"+
		"平均办结时长以工作日计，不含挂起、退回补正的天数。生成时间："+generated(r)+"。", x.note)
	x.keep(x.f.SetColWidth(sheet, "A", "A", float64(min(width, 40))))
	lastName, _ := excelize.ColumnNumberToName(last)
	x.keep(x.f.SetColWidth(sheet, "B", lastName, 11))
	// Keep the header and the group names in view while scrolling.
	x.keep(x.f.SetPanes(sheet, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: 2, TopLeftCell: "B3", ActivePane: "bottomRight"}))
}

func (x *book) ranking(r Result) {
	const sheet = RankingSheet
	x.titleRow(sheet, "三优三差（"+periodText(r)+"）", 6)
	x.headerRow(sheet, 2, "类别", "排名", "分组", "按时办结率", "满意率", "办结量")
	row := 3
	rows := make(map[string]Row, len(r.Rows))
	for _, data := range r.Rows {
		rows[data.Key] = data
	}
	list := func(kind string, keys []string) {
		for _, k := range keys {
			data := rows[k]
			x.str(sheet, 1, row, kind, x.text)
			x.num(sheet, 2, row, value{kind: rankKind, n: data.Rank}, x.body[rankKind])
			x.str(sheet, 3, row, data.Label, x.text)
			x.num(sheet, 4, row, value{kind: rateKind, ratio: data.Figures.OnTimeRate}, x.body[rateKind])
			x.num(sheet, 5, row, value{kind: rateKind, ratio: data.Figures.Satisfaction}, x.body[rateKind])
			x.num(sheet, 6, row, value{kind: countKind, n: data.Figures.Closed}, x.body[countKind])
			row++
		}
	}
	list("三优", r.Best)
	list("三差", r.Bottom)
	switch {
	case r.Options.By == "":
		x.str(sheet, 1, row, "本报表未分组统计，没有排名。", x.note)
		row++
	case len(r.Best) == 0:
		x.str(sheet, 1, row, "本期没有办结件，没有排名。", x.note)
		row++
	}
	x.str(sheet, 1, row+1, "排名依据：先比按时办结率，再比满意率（没有评价的排在有评价的之后），再比办结量；"+
		"本期没有办结件的不参加排名。三差不与三优重复，分组少于六个时可能不足三个。", x.note)
	x.keep(x.f.SetColWidth(sheet, "A", "B", 8))
	x.keep(x.f.SetColWidth(sheet, "C", "C", 28))
	x.keep(x.f.SetColWidth(sheet, "D", "F", 12))
	x.keep(x.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}))
}

func (x *book) catalog(r Result) {
	const sheet = CatalogSheet
	c := r.Catalog
	x.titleRow(sheet, "事项目录指标", 3)
	x.headerRow(sheet, 2, "指标", "数值", "口径")
	items := []struct {
		name string
		v    value
		how  string
	}{
		{"事项数", value{kind: countKind, n: c.Matters}, "目录中的事项"},
		{"承诺提速率", value{kind: rateKind, ratio: c.PromisedSpeedUp}, "Σ(法定时限−承诺时限)÷Σ法定时限，限于有法定时限且两者单位相同的事项"},
		{"即办件比例", value{kind: rateKind, ratio: c.OnTheSpotShare}, "即办件÷全部事项"},
		{"最多跑一次率", value{kind: rateKind, ratio: c.AtMostOneVisit}, "最多跑一次的事项÷全部事项"},
		{"未计入承诺提速率的事项", value{kind: countKind, n: c.SpeedUpSkipped}, "法定时限与承诺时限单位不同（工作日与自然日）"},
	}
	for i, it := range items {
		x.str(sheet, 1, i+3, it.name, x.text)
		x.num(sheet, 2, i+3, it.v, x.body[it.v.kind])
		x.str(sheet, 3, i+3, it.how, x.text)
	}
	x.keep(x.f.SetColWidth(sheet, "A", "A", 24))
	x.keep(x.f.SetColWidth(sheet, "B", "B", 10))
	x.keep(x.f.SetColWidth(sheet, "C", "C", 60))
}

// generated is when the report was made, in China's time.
func generated(r Result) string {
	if r.Generated.IsZero() {
		return "—"
	}
	return r.Generated.In(workcal.Shanghai).Format("2006-01-02 15:04")
}

// displayWidth approximates a text's width in Excel's column units: a
// Chinese character is about two.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if utf8.RuneLen(r) > 1 {
			w += 2
		} else {
			w++
		}
	}
	return w
}
