package chart_test

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/bianmin/bianmin/desktop/internal/chart"
)

func objectsOf[T any](t *testing.T, c fyne.Widget) []T {
	t.Helper()
	var out []T
	for _, o := range test.TempWidgetRenderer(t, c).Objects() {
		if v, ok := o.(T); ok && o.Visible() {
			out = append(out, v)
		}
	}
	return out
}

func TestBarsScaleToTheirMaximum(t *testing.T) {
	test.NewTempApp(t)
	c := chart.NewBars("按时办结率", []string{"民政", "残联", "自然资源"}, []float64{100, 50, 0}, theme.Color(theme.ColorNamePrimary),
		func(v float64) string { return fmt.Sprintf("%.0f%%", v) })
	c.Max = 100
	c.Resize(fyne.NewSize(400, 240))
	bars := objectsOf[*canvas.Rectangle](t, c)
	if len(bars) != 3 {
		t.Fatalf("%d bars", len(bars))
	}
	full, half, none := bars[0].Size().Height, bars[1].Size().Height, bars[2].Size().Height
	if none != 0 || full <= 0 || half < full/2-1 || half > full/2+1 {
		t.Errorf("bar heights %v %v %v", full, half, none)
	}
	if bars[0].Position().Y+full != bars[1].Position().Y+half {
		t.Error("bars do not stand on one axis")
	}
	test.AssertObjectRendersToMarkup(t, "bars.xml", c)
}

func TestLinesOverDaysWithALegend(t *testing.T) {
	test.NewTempApp(t)
	days := []string{"02-01", "02-02", "02-03", "02-04"}
	c := chart.NewLines("各站点每日受理量", days, []chart.Series{
		{Name: "青山镇", Color: theme.Color(theme.ColorNamePrimary), Values: []float64{1, 4, 2, 0}},
		{Name: "幸福村", Color: theme.Color(theme.ColorNameSuccess), Values: []float64{0, 1, 0, 3}},
	})
	c.Resize(fyne.NewSize(400, 240))
	if n := len(objectsOf[*canvas.Line](t, c)); n != 2+2*3 { // two axes, three segments per series
		t.Errorf("%d lines", n)
	}
	if n := len(objectsOf[*canvas.Circle](t, c)); n != 8 {
		t.Errorf("%d points", n)
	}
	test.AssertObjectRendersToMarkup(t, "lines.xml", c)
}

func TestEmptyChartSaysSo(t *testing.T) {
	test.NewTempApp(t)
	c := chart.NewLines("每日预警", []string{"02-01"}, []chart.Series{{Name: "红牌", Values: []float64{0}}})
	c.Empty = "期间内没有预警。"
	c.Resize(fyne.NewSize(300, 200))
	var texts []string
	for _, tx := range objectsOf[*canvas.Text](t, c) {
		texts = append(texts, tx.Text)
	}
	found := false
	for _, s := range texts {
		found = found || s == "期间内没有预警。"
	}
	if !found {
		t.Errorf("texts %v", texts)
	}
}

// A bar is a category: in a narrow chart every bar keeps its label,
// shortened to its slot, instead of every other one being dropped as dates
// on a line chart are.
func TestBarLabelsAreShortenedNotDropped(t *testing.T) {
	test.NewTempApp(t)
	labels := []string{"县民政局", "县人力资源和社会保障局", "县医疗保障局"}
	c := chart.NewBars("按时办结率", labels, []float64{100, 100, 100}, theme.Color(theme.ColorNamePrimary), nil)
	c.Resize(fyne.NewSize(300, 200))
	var texts []*canvas.Text
	for _, x := range objectsOf[*canvas.Text](t, c) {
		if strings.HasPrefix(x.Text, "县") { // the categories, not the axis values
			texts = append(texts, x)
		}
	}
	if len(texts) != 3 {
		t.Fatalf("%d category labels shown, want 3", len(texts))
	}
	if texts[0].Text != "县民政局" || texts[1].Text == labels[1] || []rune(texts[1].Text)[len([]rune(texts[1].Text))-1] != '…' {
		t.Errorf("labels %q %q %q", texts[0].Text, texts[1].Text, texts[2].Text)
	}
	for i := 1; i < len(texts); i++ {
		if texts[i-1].Position().X+texts[i-1].Size().Width > texts[i].Position().X {
			t.Errorf("labels %d and %d overlap", i-1, i)
		}
	}
}
