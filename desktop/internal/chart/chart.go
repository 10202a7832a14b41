// Package chart is a small chart widget drawn with Fyne's canvas
// primitives (rectangles, lines, text): bars for one figure per category
// (on-time rate per department) and lines for counts over days (cases per
// station, warnings per colour). It carries no chart library: the
// dashboard needs three plain charts, and primitives render the same in the
// headless test driver, so tests compare their markup.
package chart

import (
	"fmt"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Kind is how the values are drawn.
type Kind int

const (
	Bars  Kind = iota // one bar per label for each series, side by side
	Lines             // one line per series across the labels
)

// Series is one named row of values, one per label.
type Series struct {
	Name   string
	Color  color.Color
	Values []float64
}

// Chart is the widget. Change its fields and call Refresh.
type Chart struct {
	widget.BaseWidget
	Kind   Kind
	Title  string
	Labels []string
	Series []Series
	// Max is the top of the value axis; 0 scales to the largest value.
	Max float64
	// Format writes a value (bar tops, the axis); nil prints integers.
	Format func(float64) string
	// Empty is shown when there is nothing to draw.
	Empty string
}

// NewBars returns a bar chart of one series.
func NewBars(title string, labels []string, values []float64, c color.Color, format func(float64) string) *Chart {
	ch := &Chart{Kind: Bars, Title: title, Labels: labels, Series: []Series{{Color: c, Values: values}}, Format: format}
	ch.ExtendBaseWidget(ch)
	return ch
}

// NewLines returns a line chart of several series over the labels.
func NewLines(title string, labels []string, series []Series) *Chart {
	ch := &Chart{Kind: Lines, Title: title, Labels: labels, Series: series}
	ch.ExtendBaseWidget(ch)
	return ch
}

func (c *Chart) format(v float64) string {
	if c.Format != nil {
		return c.Format(v)
	}
	return fmt.Sprintf("%.0f", v)
}

func (c *Chart) top() float64 {
	if c.Max > 0 {
		return c.Max
	}
	m := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			m = math.Max(m, v)
		}
	}
	if m <= 0 {
		return 1
	}
	return m
}

// CreateRenderer builds the chart's objects.
func (c *Chart) CreateRenderer() fyne.WidgetRenderer {
	r := &renderer{c: c}
	r.build()
	return r
}

type renderer struct {
	c      *Chart
	title  *canvas.Text
	empty  *canvas.Text
	axisX  *canvas.Line
	axisY  *canvas.Line
	topL   *canvas.Text
	zeroL  *canvas.Text
	bars   []*canvas.Rectangle // series-major: bars[s*len(labels)+i]
	values []*canvas.Text      // bar value labels
	lines  []*canvas.Line      // segments of each series
	dots   []*canvas.Circle
	xlabel []*canvas.Text
	legend []fyne.CanvasObject
	objs   []fyne.CanvasObject
}

func text(s string, size float32, c fyne.ThemeColorName) *canvas.Text {
	t := canvas.NewText(s, theme.Color(c))
	t.TextSize = size
	return t
}

func (r *renderer) build() {
	c := r.c
	small := theme.CaptionTextSize()
	r.title = text(c.Title, theme.TextSize(), theme.ColorNameForeground)
	r.title.TextStyle.Bold = true
	r.axisX = canvas.NewLine(theme.Color(theme.ColorNameDisabled))
	r.axisY = canvas.NewLine(theme.Color(theme.ColorNameDisabled))
	r.topL = text(c.format(c.top()), small, theme.ColorNamePlaceHolder)
	r.zeroL = text(c.format(0), small, theme.ColorNamePlaceHolder)
	r.empty = text(c.Empty, theme.TextSize(), theme.ColorNamePlaceHolder)
	r.bars, r.values, r.lines, r.dots, r.xlabel, r.legend = nil, nil, nil, nil, nil, nil
	r.objs = []fyne.CanvasObject{r.title, r.axisX, r.axisY, r.topL, r.zeroL}
	if !r.hasData() {
		r.objs = append(r.objs, r.empty)
		return
	}
	n := len(c.Labels)
	for _, s := range c.Series {
		switch c.Kind {
		case Bars:
			for i := 0; i < n; i++ {
				b := canvas.NewRectangle(s.Color)
				r.bars = append(r.bars, b)
				r.objs = append(r.objs, b)
				if len(c.Series) == 1 {
					v := text(c.format(value(s, i)), small, theme.ColorNameForeground)
					r.values = append(r.values, v)
					r.objs = append(r.objs, v)
				}
			}
		case Lines:
			for i := 0; i < n; i++ {
				if i > 0 {
					l := canvas.NewLine(s.Color)
					l.StrokeWidth = 2
					r.lines = append(r.lines, l)
					r.objs = append(r.objs, l)
				}
				d := canvas.NewCircle(s.Color)
				r.dots = append(r.dots, d)
				r.objs = append(r.objs, d)
			}
		}
	}
	for _, l := range c.Labels {
		t := text(l, small, theme.ColorNameForeground)
		r.xlabel = append(r.xlabel, t)
		r.objs = append(r.objs, t)
	}
	if len(c.Series) > 1 {
		for _, s := range c.Series {
			sw := canvas.NewRectangle(s.Color)
			name := text(s.Name, small, theme.ColorNameForeground)
			r.legend = append(r.legend, sw, name)
			r.objs = append(r.objs, sw, name)
		}
	}
}

func value(s Series, i int) float64 {
	if i < len(s.Values) {
		return s.Values[i]
	}
	return 0
}

func (r *renderer) hasData() bool {
	if len(r.c.Labels) == 0 {
		return false
	}
	for _, s := range r.c.Series {
		for _, v := range s.Values {
			if v != 0 {
				return true
			}
		}
	}
	return false
}

func (r *renderer) Destroy()                     {}
func (r *renderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *renderer) MinSize() fyne.Size {
	return fyne.NewSize(320, 200)
}

func (r *renderer) Refresh() {
	r.build()
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

// Layout places the plot: the title on top, the legend under it, the value
// axis on the left, labels under the axis (thinned when they would crowd).
func (r *renderer) Layout(size fyne.Size) {
	c := r.c
	pad := theme.Padding()
	small := theme.CaptionTextSize()
	r.title.Move(fyne.NewPos(pad, 0))
	r.title.Resize(r.title.MinSize())
	y := r.title.MinSize().Height + pad
	if len(r.legend) > 0 {
		x := pad
		for i := 0; i < len(r.legend); i += 2 {
			sw, name := r.legend[i], r.legend[i+1]
			sw.Resize(fyne.NewSize(small, small))
			sw.Move(fyne.NewPos(x, y+2))
			x += small + pad/2
			name.Resize(name.MinSize())
			name.Move(fyne.NewPos(x, y))
			x += name.MinSize().Width + 2*pad
			if x > size.Width-60 && i+2 < len(r.legend) {
				x, y = pad, y+name.MinSize().Height
			}
		}
		y += small + 2*pad
	}
	axisW := max(r.topL.MinSize().Width, r.zeroL.MinSize().Width) + pad
	left, right := axisW+pad, size.Width-pad
	bottom := size.Height - small - 2*pad
	top := y + small/2
	if bottom-top < 20 {
		top = bottom - 20
	}
	r.axisY.Position1, r.axisY.Position2 = fyne.NewPos(left, top), fyne.NewPos(left, bottom)
	r.axisX.Position1, r.axisX.Position2 = fyne.NewPos(left, bottom), fyne.NewPos(right, bottom)
	r.topL.Move(fyne.NewPos(pad, top-small/2))
	r.topL.Resize(r.topL.MinSize())
	r.zeroL.Move(fyne.NewPos(pad, bottom-small))
	r.zeroL.Resize(r.zeroL.MinSize())
	r.empty.Resize(r.empty.MinSize())
	r.empty.Move(fyne.NewPos(left+pad, (top+bottom)/2-r.empty.MinSize().Height/2))
	n := len(c.Labels)
	if n == 0 || !r.hasData() {
		return
	}
	plotH := bottom - top
	topV := c.top()
	slot := (right - left) / float32(n)
	yOf := func(v float64) float32 {
		f := float32(math.Min(math.Max(v/topV, 0), 1))
		return bottom - f*plotH
	}
	switch c.Kind {
	case Bars:
		ns := float32(len(c.Series))
		bw := max(slot*0.7/ns, 1)
		for si, s := range c.Series {
			for i := 0; i < n; i++ {
				b := r.bars[si*n+i]
				x := left + slot*float32(i) + slot*0.15 + bw*float32(si)
				yTop := yOf(value(s, i))
				b.Move(fyne.NewPos(x, yTop))
				b.Resize(fyne.NewSize(bw, bottom-yTop))
				if len(r.values) > 0 {
					v := r.values[i]
					v.Resize(v.MinSize())
					v.Move(fyne.NewPos(x+bw/2-v.MinSize().Width/2, yTop-v.MinSize().Height))
				}
			}
		}
	case Lines:
		li, di := 0, 0
		for _, s := range c.Series {
			var prev fyne.Position
			for i := 0; i < n; i++ {
				p := fyne.NewPos(left+slot*float32(i)+slot/2, yOf(value(s, i)))
				if i > 0 {
					l := r.lines[li]
					l.Position1, l.Position2 = prev, p
					li++
				}
				d := r.dots[di]
				d.Move(fyne.NewPos(p.X-2.5, p.Y-2.5))
				d.Resize(fyne.NewSize(5, 5))
				di++
				prev = p
			}
		}
	}
	if c.Kind == Bars {
		// Each bar is a category (a department, a station): every one
		// keeps its label, shortened with "…" to its slot when too wide.
		for i, t := range r.xlabel {
			t.Text = fit(c.Labels[i], t.TextSize, t.TextStyle, slot-pad)
			t.Show()
			t.Resize(t.MinSize())
			t.Move(fyne.NewPos(left+slot*float32(i)+slot/2-t.MinSize().Width/2, bottom+pad/2))
		}
		return
	}
	// Thin the labels (dates) so that they never overlap.
	widest := float32(0)
	for _, t := range r.xlabel {
		widest = max(widest, t.MinSize().Width)
	}
	every := 1
	for slot*float32(every) < widest+pad && every < n {
		every++
	}
	for i, t := range r.xlabel {
		if i%every != 0 {
			t.Hide()
			continue
		}
		t.Show()
		t.Resize(t.MinSize())
		t.Move(fyne.NewPos(left+slot*float32(i)+slot/2-t.MinSize().Width/2, bottom+pad/2))
	}
}

// fit returns text, or its longest prefix with "…" that is at most width
// wide.
func fit(text string, size float32, style fyne.TextStyle, width float32) string {
	if fyne.MeasureText(text, size, style).Width <= width {
		return text
	}
	rs := []rune(text)
	for n := len(rs) - 1; n > 0; n-- {
		if t := string(rs[:n]) + "…"; fyne.MeasureText(t, size, style).Width <= width {
			return t
		}
	}
	return "…"
}
