package report_test

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/metrics"
	"github.com/bianmin/bianmin/syncserver/internal/report"
	"github.com/xuri/excelize/v2"
)

// The rows are the station figures of TestComputeByStation, written out:
// XZ02 has no closed case with a statutory limit, so two rates are "—";
// XZ01's days are 28/3 = 9.3; the total's rates are over 7 closed cases.
func TestWriteCSV(t *testing.T) {
	res := compute(t, cases(t), report.Options{Period: march, By: report.ByStation})
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, res, "zh-CN"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\xEF\xBB\xBF") {
		t.Fatalf("no UTF-8 byte order mark: %q", out[:min(len(out), 10)])
	}
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(out, "\uFEFF"), "\r\n"), "\r\n")
	want := []string{
		"分组,受理量,办结量,现场办结率,按时办结率,超期率,法定时限内办结率,实际提速率,平均办结时长(工作日),评价率,满意率,差评率,整改率,回访率,预警,黄牌,红牌,排名",
		"石桥镇便民服务中心,3,2,50.0%,100.0%,0.0%,—,—,2.0,100.0%,66.7%,33.3%,0.0%,0.0%,0,0,1,1",
		"青山镇便民服务中心,5,5,40.0%,80.0%,20.0%,100.0%,33.3%,9.3,60.0%,66.7%,33.3%,100.0%,100.0%,1,1,0,2",
		"合计,8,7,42.9%,85.7%,14.3%,100.0%,33.3%,7.5,71.4%,66.7%,33.3%,50.0%,50.0%,1,1,1,",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("CSV\n got %q\nwant %q", lines, want)
	}

	buf.Reset()
	if err := report.WriteCSV(&buf, res, "en"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\uFEFFGroup,Accepted,Closed,On-the-spot rate,On-time rate,") ||
		!strings.Contains(buf.String(), "\r\nTotal,8,7,") {
		t.Errorf("English CSV:\n%s", buf.String())
	}
}

// A quiet group: nothing closed, so every rate and the rank are "—"; a name
// that looks like a formula is not run as one.
func TestWriteCSVUndefined(t *testing.T) {
	res := report.Result{
		Options: report.Options{Period: march, By: report.ByStation},
		Rows:    []report.Row{{Key: "X9", Label: "=HYPERLINK(\"x\")", Figures: metrics.Figures{Accepted: 1}}},
		Total:   report.Row{Label: "合计", Figures: metrics.Figures{Accepted: 1}},
	}
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, res, "zh"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n")
	want := `"'=HYPERLINK(""x"")",1,0,—,—,—,—,—,—,—,—,—,—,—,0,0,0,—`
	if len(lines) != 3 || lines[1] != want || lines[2] != "合计,1,0,—,—,—,—,—,—,—,—,—,—,—,0,0,0," {
		t.Errorf("CSV lines %q, want row %q", lines, want)
	}
}

func TestWriteXLSX(t *testing.T) {
	res := compute(t, cases(t), report.Options{Period: march, By: report.ByStation})
	var buf bytes.Buffer
	if err := report.WriteXLSX(&buf, res); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{"汇总", "排名", "事项目录指标"}; !slices.Equal(got, want) {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	get := func(sheet, cell string, raw bool) string {
		t.Helper()
		v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: raw})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	format := func(sheet, cell string) string {
		t.Helper()
		id, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if s.CustomNumFmt == nil {
			return strconv.Itoa(s.NumFmt)
		}
		return *s.CustomNumFmt
	}

	if title := get("汇总", "A1", false); !strings.Contains(title, "2026-03-01 至 2026-03-31") || !strings.Contains(title, "按站点") {
		t.Errorf("title %q does not give the period and grouping", title)
	}
	for cell, want := range map[string]string{"A2": "分组", "B2": "受理量", "E2": "按时办结率", "I2": "平均办结时长(工作日)", "R2": "排名"} {
		if got := get("汇总", cell, false); got != want {
			t.Errorf("header %s = %q, want %q", cell, got, want)
		}
	}
	// Row 3 is XZ02 (ranked first), row 4 XZ01, row 5 the total.
	cells := []struct{ cell, raw, shown, format string }{
		{"A3", "石桥镇便民服务中心", "石桥镇便民服务中心", "0"},
		{"B3", "3", "3", "1"},
		{"E4", "0.8", "80.0%", "0.0%"},            // XZ01 on time: 4/5, a number Excel can compute with
		{"G3", "", "", "0.0%"},                    // XZ02 has no closed case with a statutory limit
		{"I4", "9.333333333333334", "9.3", "0.0"}, // XZ01's days: 28/3
		{"R4", "2", "2", "1"},
		{"A5", "合计", "合计", "0"},
		{"E5", "0.8571428571428571", "85.7%", "0.0%"},
		{"R5", "", "", "1"}, // the total has no rank
	}
	for _, c := range cells {
		if got := get("汇总", c.cell, true); !sameValue(got, c.raw) {
			t.Errorf("%s raw value %q, want %q", c.cell, got, c.raw)
		}
		if got := get("汇总", c.cell, false); got != c.shown {
			t.Errorf("%s shows %q, want %q", c.cell, got, c.shown)
		}
		if got := format("汇总", c.cell); got != c.format {
			t.Errorf("%s number format %q, want %q", c.cell, got, c.format)
		}
	}
	panes, err := f.GetPanes("汇总")
	if err != nil || !panes.Freeze || panes.YSplit != 2 || panes.XSplit != 1 {
		t.Errorf("summary panes %+v (%v), want the header and names frozen", panes, err)
	}
	if w, _ := f.GetColWidth("汇总", "A"); w < 20 {
		t.Errorf("name column width %v is too narrow for the station names", w)
	}

	for cell, want := range map[string]string{
		"A2": "类别", "A3": "三优", "B3": "1", "C3": "石桥镇便民服务中心", "D3": "100.0%",
		"A4": "三优", "B4": "2", "C4": "青山镇便民服务中心", "D4": "80.0%", "F4": "5",
	} {
		if got := get("排名", cell, false); got != want {
			t.Errorf("ranking %s = %q, want %q", cell, got, want)
		}
	}

	for cell, want := range map[string]string{"A3": "事项数", "A4": "承诺提速率", "A5": "即办件比例", "A6": "最多跑一次率"} {
		if got := get("事项目录指标", cell, false); got != want {
			t.Errorf("catalog %s = %q, want %q", cell, got, want)
		}
	}
	speedUp, _ := res.Catalog.PromisedSpeedUp.Value()
	if got := get("事项目录指标", "B4", true); !sameValue(got, strconv.FormatFloat(speedUp, 'g', -1, 64)) || format("事项目录指标", "B4") != "0.0%" {
		t.Errorf("承诺提速率 cell = %v, want %v as a percentage", got, speedUp)
	}
}

// sameValue compares cell values, numbers to the 15 significant digits
// Excel keeps (excelize reads them back rounded so).
func sameValue(got, want string) bool {
	g, errG := strconv.ParseFloat(got, 64)
	w, errW := strconv.ParseFloat(want, 64)
	if errG != nil || errW != nil {
		return got == want
	}
	return math.Abs(g-w) <= 1e-14*math.Abs(w)
}

// Without grouping the workbook still has its three sheets, and the ranking
// sheet says why it is empty.
func TestWriteXLSXTotalOnly(t *testing.T) {
	res := compute(t, cases(t), report.Options{Period: march})
	var buf bytes.Buffer
	if err := report.WriteXLSX(&buf, res); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("汇总", "A3"); v != "合计" {
		t.Errorf("first data row %q, want the total", v)
	}
	if v, _ := f.GetCellValue("排名", "A3"); !strings.Contains(v, "没有排名") {
		t.Errorf("ranking sheet says %q", v)
	}
}
