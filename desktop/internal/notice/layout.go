package notice

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// Page geometry in millimetres: A4 portrait, body between the header and
// footer lines.
const (
	pageW    = 210.0
	pageH    = 297.0
	marginX  = 20.0
	contentW = pageW - 2*marginX
	headerY  = 11.0 // baseline band of the header line
	bodyTop  = 24.0
	bodyEnd  = pageH - 22.0
	footerY  = pageH - 17.0
	ptToMM   = 25.4 / 72
	cellPad  = 1.3 // inner padding of a table cell
)

// Type sizes in points: 小二 for titles, 小四 for body text, 五号 for tables.
const (
	titleSize   = 18.0
	headingSize = 12.5
	bodySize    = 12.0
	tableSize   = 10.5
	smallSize   = 9.0
)

// generator is the footer line on every page.
const generator = "本文书由便民服务系统生成"

type align uint8

const (
	left align = iota
	center
	right
)

// doc lays out one notice. It places every line itself (fpdf's automatic
// page break is off) so that it can keep table rows and the signature
// block whole, repeat table headings on a new page, and mix the two fonts.
type doc struct {
	pdf    *fpdf.Fpdf
	y      float64 // top of the next block on the current page
	header string  // station name, top left of every page
	number string  // case number, top right of every page
	face   face    // font currently selected in the PDF…
	size   float64 // …at this size; 0 when unknown (new page)
	bold   bool
	nsec   int // sections numbered so far
}

func newDoc(title, header, number string, issued time.Time) (*doc, error) {
	metricsOnce.Do(loadMetrics)
	if metricsErr != nil {
		return nil, metricsErr
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(marginX, bodyTop, marginX)
	// Fixed dates and sorted objects: the same case printed twice gives the
	// same bytes, so an archived copy can be checked against a reprint.
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetCatalogSort(true)
	// fpdf panics on invalid UTF-8 in metadata; clean keeps it valid.
	pdf.SetTitle(clean(title+" "+number), true)
	pdf.SetAuthor(clean(header), true)
	pdf.SetCreator("便民服务系统", true)
	registerFonts(pdf)
	d := &doc{pdf: pdf, header: header, number: number}
	pdf.SetHeaderFunc(d.drawHeader)
	d.newPage()
	return d, nil
}

func (d *doc) newPage() {
	d.pdf.AddPage()
	d.size = 0 // AddPage re-selects fpdf's font behind our back
	if d.bold {
		d.pdf.SetTextRenderingMode(2) // a new page starts in fill mode
	}
	d.y = bodyTop
}

// need starts a new page unless h more millimetres fit on this one.
func (d *doc) need(h float64) {
	if d.y+h > bodyEnd {
		d.newPage()
	}
}

func (d *doc) gap(h float64) { d.y += h }

// lineHeight is the distance between the lines of running text; tables
// are set tighter.
func lineHeight(size float64) float64 { return size * ptToMM * 1.55 }

func (t table) lineHeight() float64 { return t.size * ptToMM * 1.35 }

// maxUnits is how many thousandths of an em fit in w millimetres at size.
func maxUnits(w, size float64) float64 { return w * 1000 / (size * ptToMM) }

func textWidth(s string, size float64) float64 {
	return float64(units(s)) * size * ptToMM / 1000
}

func (d *doc) use(f face, size float64) {
	if d.size != size || d.face != f {
		d.pdf.SetFont(faceNames[f], "", size)
		d.face, d.size = f, size
	}
}

// setBold draws the following text filled and outlined: the embedded fonts
// have no bold weight, and a hairline outline reads as one.
func (d *doc) setBold(on bool) {
	if on == d.bold {
		return
	}
	d.bold = on
	if on {
		d.pdf.SetLineWidth(0.25)
		d.pdf.SetTextRenderingMode(2)
		return
	}
	d.pdf.SetTextRenderingMode(0)
	d.pdf.SetLineWidth(0.2)
}

// drawLine draws one wrapped line inside the box [x, x+w] whose top is y and
// whose height is h.
func (d *doc) drawLine(x, y, w, h float64, line string, size float64, a align) {
	line = clean(line)
	switch a {
	case center:
		x += (w - textWidth(line, size)) / 2
	case right:
		x += w - textWidth(line, size)
	}
	// The baseline sits where fpdf's own cells put it.
	base := y + h/2 + 0.3*size*ptToMM
	for _, r := range runs(line) {
		d.use(r.face, size)
		d.pdf.Text(x, base, r.text)
		x += textWidth(r.text, size)
	}
}

// text writes s wrapped to width w from x, breaking pages between lines.
func (d *doc) text(x, w float64, s string, size float64, a align) {
	lh := lineHeight(size)
	for _, line := range wrap(s, maxUnits(w, size)) {
		d.need(lh)
		d.drawLine(x, d.y, w, lh, line, size, a)
		d.y += lh
	}
}

// paragraph is body text across the page. Chinese paragraphs begin with
// two full-width spaces, which the callers write.
func (d *doc) paragraph(s string) {
	d.text(marginX, contentW, s, bodySize, left)
	d.gap(1.5)
}

func (d *doc) small(s string) {
	d.text(marginX, contentW, s, smallSize, left)
	d.gap(1)
}

func (d *doc) title(s string) {
	d.setBold(true)
	d.text(marginX, contentW, s, titleSize, center)
	d.setBold(false)
	d.gap(1)
}

// subtitle is the line under the title: the document number.
func (d *doc) subtitle(s string) {
	d.text(marginX, contentW, s, bodySize, center)
	d.gap(4)
}

// section starts a numbered section (一、二、…) and keeps its heading with
// at least two lines of what follows.
func (d *doc) section(s string) {
	t := table{size: tableSize, border: true}
	d.sectionKeeping(s, 2*t.lineHeight()+2*cellPad)
}

// sectionKeeping starts a section and keeps its heading with the next keep
// millimetres, as far as a page holds them.
func (d *doc) sectionKeeping(s string, keep float64) {
	d.nsec++
	d.gap(1.5)
	head := lineHeight(headingSize) + 1
	d.need(head + min(keep, bodyEnd-bodyTop-head))
	d.setBold(true)
	d.text(marginX, contentW, zhOrdinal(d.nsec)+"、"+s, headingSize, left)
	d.setBold(false)
	d.gap(1)
}

// column is one column of a table; a zero width takes what the others leave.
type column struct {
	head  string
	width float64
	align align
}

// table is a grid of wrapped cells. A row that does not fit moves to the
// next page whole (only a row taller than a page is split), and the heading
// row is repeated on every page the table reaches.
type table struct {
	cols   []column
	head   bool // draw the column heads as a shaded first row
	border bool
	labels bool // the even columns are labels: shaded and centred
	size   float64
}

func (t table) widths() []float64 {
	ws := make([]float64, len(t.cols))
	rest, flex := contentW, 0
	for i, c := range t.cols {
		ws[i] = c.width
		rest -= c.width
		if c.width == 0 {
			flex++
		}
	}
	for i := range ws {
		if ws[i] == 0 {
			ws[i] = rest / float64(flex)
		}
	}
	return ws
}

func (d *doc) table(t table, rows [][]string) {
	heads := make([]string, len(t.cols))
	for i, c := range t.cols {
		heads[i] = c.head
	}
	var repeat []string
	if t.head {
		d.row(t, heads, true, nil)
		repeat = heads
	}
	for _, r := range rows {
		d.row(t, r, false, repeat)
	}
	d.gap(2)
}

// row draws one table row. repeat is the heading row to draw again after a
// page break (nil for none).
func (d *doc) row(t table, cells []string, isHead bool, repeat []string) {
	lh, pad := t.lineHeight(), t.pad()
	lines, n := t.wrap(cells)
	room := bodyEnd - bodyTop - 2*pad
	if repeat != nil {
		room -= 2*lh + 2*pad // the repeated heading row, if it wraps once
	}
	onEmptyPage := int(room / lh)
	for off := 0; off < n; {
		fits := int((bodyEnd - d.y - 2*pad) / lh)
		rest := n - off
		// Move the row to a new page when it would fit there whole, or when
		// nothing fits here; split only a row taller than a page.
		if rest > fits && (fits < 1 || off == 0 && rest <= onEmptyPage) {
			d.newPage()
			if repeat != nil {
				d.row(t, repeat, true, nil)
			}
			continue
		}
		k := min(rest, fits)
		d.cells(t, lines, off, k, isHead)
		off += k
	}
}

// wrap wraps each cell to its column and returns the lines and the number
// of lines of the tallest cell.
func (t table) wrap(cells []string) (lines [][]string, n int) {
	ws := t.widths()
	lines = make([][]string, len(cells))
	n = 1
	for i, s := range cells {
		lines[i] = wrap(s, maxUnits(ws[i]-2*t.hpad(), t.size))
		n = max(n, len(lines[i]))
	}
	return lines, n
}

func (t table) rowHeight(cells []string) float64 {
	_, n := t.wrap(cells)
	return float64(n)*t.lineHeight() + 2*t.pad()
}

// hpad is the space between a cell's text and its sides: a table without
// borders still keeps its columns apart.
func (t table) hpad() float64 {
	if t.border {
		return cellPad
	}
	return 1
}

func (t table) pad() float64 {
	if t.border {
		return cellPad
	}
	return 0
}

// cells draws lines [off, off+k) of every cell of a row at d.y.
func (d *doc) cells(t table, lines [][]string, off, k int, isHead bool) {
	lh, pad := t.lineHeight(), t.pad()
	h := float64(k)*lh + 2*pad
	x := marginX
	for i, w := range t.widths() {
		if t.border {
			style := "D"
			if isHead || (t.labels && i%2 == 0) {
				d.pdf.SetFillColor(238, 238, 238)
				style = "FD"
			}
			d.pdf.Rect(x, d.y, w, h, style)
			d.pdf.SetFillColor(255, 255, 255)
		}
		a := t.cols[i].align
		if isHead || (t.labels && i%2 == 0) {
			a = center
		}
		for j := off; j < off+k && j < len(lines[i]); j++ {
			d.drawLine(x+t.hpad(), d.y+pad+float64(j-off)*lh, w-2*t.hpad(), lh, lines[i][j], t.size, a)
		}
		x += w
	}
	d.y += h
}

// fields is a section holding a label: value table, with two fields to a
// row where both values are short, so that a notice's facts take half the
// height; the section is kept on one page.
func (d *doc) fields(title string, rows [][]string) {
	const label = 32.0
	pair := table{cols: []column{{width: label}, {width: contentW/2 - label}, {width: label}, {}}, border: true, labels: true, size: tableSize}
	one := formTable()
	short := func(v string) bool {
		return !strings.Contains(v, "\n") && textWidth(v, tableSize) <= contentW/2-label-2*cellPad
	}
	type planned struct {
		t     table
		cells []string
	}
	var plan []planned
	h := 0.0
	for i := 0; i < len(rows); i++ {
		p := planned{one, rows[i]}
		if i+1 < len(rows) && short(rows[i][1]) && short(rows[i+1][1]) {
			p = planned{pair, append(slices.Clone(rows[i]), rows[i+1]...)}
			i++
		}
		plan = append(plan, p)
		h += p.t.rowHeight(p.cells)
	}
	d.sectionKeeping(title, h)
	for _, p := range plan {
		d.row(p.t, p.cells, false, nil)
	}
	d.gap(2)
}

func formTable() table {
	return table{cols: []column{{width: 32}, {}}, border: true, labels: true, size: tableSize}
}

// form is a label: value table with one field to a row.
func (d *doc) form(rows [][]string) {
	t := formTable()
	for _, r := range rows {
		d.row(t, r, false, nil)
	}
	d.gap(2)
}

// numbered lists items as 1. 2. 3. with a hanging indent.
func (d *doc) numbered(items []string) {
	rows := make([][]string, len(items))
	for i, s := range items {
		rows[i] = []string{fmt.Sprintf("%d.", i+1), s}
	}
	d.table(table{cols: []column{{width: 10, align: right}, {}}, size: bodySize}, rows)
}

// signature is the block at the foot of a notice: on the right the issuer
// and the date, with room for the stamp (公章), which by custom overlaps
// both; on the left, level with them, the contact lines.
func (d *doc) signature(st Station, date string, contact []string) {
	const (
		w     = 78.0 // the issuer's column
		above = 12.0 // room for the stamp above the issuer's name
		r     = 16.0 // radius of the stamp's guide circle
	)
	lh, sh := lineHeight(bodySize), lineHeight(smallSize)
	var lines []string
	for _, c := range contact {
		lines = append(lines, wrap(c, maxUnits(contentW-w-4, smallSize))...)
	}
	d.need(4 + above + lh + r + 1)
	d.gap(4 + above)
	for i, c := range lines {
		d.drawLine(marginX, d.y+2*lh-float64(len(lines)-i)*sh, contentW-w-4, sh, c, smallSize, left)
	}
	x := pageW - marginX - w
	d.drawLine(x, d.y, w, lh, stationName(st)+"（盖章）", bodySize, center)
	d.drawLine(x, d.y+lh, w, lh, date, bodySize, center)
	// A dotted circle shows the clerk where the stamp goes.
	d.pdf.SetDrawColor(190, 190, 190)
	d.pdf.SetDashPattern([]float64{0.6, 1}, 0)
	d.pdf.Circle(x+w/2, d.y+lh, r, "D")
	d.pdf.SetDashPattern(nil, 0)
	d.pdf.SetDrawColor(0, 0, 0)
	d.y += 2*lh + 2
}

func (d *doc) drawHeader() {
	d.pdf.SetTextColor(90, 90, 90)
	h := lineHeight(smallSize)
	d.drawLine(marginX, headerY-h/2, contentW, h, d.header, smallSize, left)
	d.drawLine(marginX, headerY-h/2, contentW, h, "办件编号 "+d.number, smallSize, right)
	d.pdf.SetTextColor(0, 0, 0)
	d.pdf.SetDrawColor(120, 120, 120)
	d.pdf.SetLineWidth(0.3)
	d.pdf.Line(marginX, headerY+3, pageW-marginX, headerY+3)
	d.pdf.SetLineWidth(0.2)
	d.pdf.SetDrawColor(0, 0, 0)
}

// finish writes the footer on every page, now that the page count is known
// ("第 1 页 共 N 页" only when there is more than one), and returns the PDF.
func (d *doc) finish() ([]byte, error) {
	n := d.pdf.PageCount()
	for p := 1; p <= n; p++ {
		d.pdf.SetPage(p)
		// This page's content stream ended in whatever state its last
		// drawing left, so set everything the footer relies on.
		d.size = 0
		d.bold = false
		d.pdf.SetTextRenderingMode(0)
		d.pdf.SetFillColor(255, 255, 255)
		d.pdf.SetDrawColor(120, 120, 120)
		d.pdf.SetLineWidth(0.3)
		d.pdf.Line(marginX, footerY, pageW-marginX, footerY)
		d.pdf.SetTextColor(90, 90, 90)
		h := lineHeight(smallSize)
		d.drawLine(marginX, footerY+1, contentW, h, generator, smallSize, left)
		if n > 1 {
			d.drawLine(marginX, footerY+1, contentW, h, fmt.Sprintf("第 %d 页 共 %d 页", p, n), smallSize, right)
		}
	}
	d.pdf.SetPage(n) // fpdf counts pages from the current one when it closes
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("notice: writing the PDF: %w", err)
	}
	return buf.Bytes(), nil
}
