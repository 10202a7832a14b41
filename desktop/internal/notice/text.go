package notice

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/go-pdf/fpdf"
)

// The fonts travel inside the binary: a station PC may have no Chinese font
// at all, and a PDF that relies on the viewer's fonts prints boxes there.
// See fonts/README.md for where they come from and their licences.
var (
	//go:embed fonts/DroidSansFallbackFull.ttf
	cjkTTF []byte
	//go:embed fonts/DejaVuSans.ttf
	latinTTF []byte
)

// face is one of the two embedded fonts. Droid Sans Fallback has no Latin
// letters or digits, nor “” — … □, so every line is drawn as runs, each in
// the face that has its glyphs.
type face uint8

const (
	cjkFace face = iota
	latinFace
)

var faceNames = [...]string{cjkFace: "droidsansfallback", latinFace: "dejavusans"}

// registerFonts gives each document its own copy of the font files: fpdf
// writes into the bytes it is given while it subsets a font, so two
// documents made at once from the shared embedded bytes race (the race
// detector caught it in the parallel notice tests).
func registerFonts(pdf *fpdf.Fpdf) {
	pdf.AddUTF8FontFromBytes(faceNames[cjkFace], "", bytes.Clone(cjkTTF))
	pdf.AddUTF8FontFromBytes(faceNames[latinFace], "", bytes.Clone(latinTTF))
}

// The face each character is drawn in and its advance width in thousandths
// of an em, indexed by rune (the fonts cover only the Basic Multilingual
// Plane, and clean maps everything else to □). fpdf parses a font again for
// every document and keeps the result to itself, and measuring through a
// document would switch its font for every run; so the fonts are read once
// per process and the tables shared by every document and goroutine.
var (
	metricsOnce sync.Once
	faceOf      []face
	advance     []uint16
	metricsErr  error
)

func loadMetrics() {
	cjk, err := coverage(cjkTTF)
	if err != nil {
		metricsErr = fmt.Errorf("notice: embedded font %s: %w", faceNames[cjkFace], err)
		return
	}
	latin, err := coverage(latinTTF)
	if err != nil {
		metricsErr = fmt.Errorf("notice: embedded font %s: %w", faceNames[latinFace], err)
		return
	}
	// Latin first below U+2000, Chinese first above, so that Chinese
	// punctuation keeps its full-width form; otherwise whichever has it.
	faceOf = make([]face, 0x10000)
	for r := range faceOf {
		switch {
		case r < 0x2000 && latin[r], !cjk[r] && latin[r]:
			faceOf[r] = latinFace
		default:
			faceOf[r] = cjkFace
		}
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	registerFonts(pdf)
	advance = make([]uint16, 0x10000)
	var buf [utf8.UTFMax]byte
	for _, f := range []face{latinFace, cjkFace} {
		pdf.SetFont(faceNames[f], "", 10)
		for r := rune(0); r < 0x10000; r++ {
			if faceOf[r] == f {
				n := utf8.EncodeRune(buf[:], r)
				advance[r] = uint16(pdf.GetStringSymbolWidth(string(buf[:n])))
			}
		}
	}
	if err := pdf.Error(); err != nil {
		metricsErr = fmt.Errorf("notice: embedded fonts: %w", err)
	}
}

// fontOf is the face r is drawn in; r must be what clean leaves.
func fontOf(r rune) face { return faceOf[r] }

// units is the advance width of s in thousandths of an em.
func units(s string) int {
	w := 0
	for _, r := range s {
		w += width(r)
	}
	return w
}

func width(r rune) int {
	if r < 0 || int(r) >= len(advance) {
		r = '□' // what clean turns it into
	}
	return int(advance[r])
}

// clean makes s printable with the embedded fonts: tabs become spaces, other
// control characters go, and characters outside the Basic Multilingual Plane
// (which fpdf cannot subset) become □, so that a rare character in a name
// marks its place instead of failing the whole document.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case r == '\n':
			return r
		case r < 0x20 || r == 0x7f:
			return -1
		case r > 0xffff || r == utf8.RuneError || (r >= 0xd800 && r <= 0xdfff):
			return '□'
		}
		return r
	}, s)
}

// Line-breaking rules for Chinese text (禁则): these never start a line…
const noBreakBefore = "，。、；：？！）》」』”’】〕〉…—,.;:?!)]}%·"

// …and these never end one.
const noBreakAfter = "（《「『“‘【〔〈([{"

// canBreak reports whether a line may break between prev and cur. Chinese
// breaks between any two characters; Latin text (case numbers, ID numbers,
// words) only at spaces, so "XZ01-20260212-0001" is never split.
func canBreak(prev, cur rune) bool {
	switch {
	case cur == ' ':
		return false
	case prev == ' ':
		return true
	case strings.ContainsRune(noBreakBefore, cur), strings.ContainsRune(noBreakAfter, prev):
		return false
	}
	return fontOf(prev) == cjkFace || fontOf(cur) == cjkFace
}

// wrap breaks s into lines no wider than max thousandths of an em. fpdf's own
// MultiCell and SplitText treat a Chinese character like a space when they
// break a line and drop it, and cannot mix two fonts in one line, hence this.
func wrap(s string, max float64) []string {
	var lines []string
	for _, para := range strings.Split(clean(s), "\n") {
		rs := []rune(para)
		if len(rs) == 0 {
			lines = append(lines, "")
			continue
		}
		for start := 0; start < len(rs); {
			end, next := fit(rs, start, max)
			lines = append(lines, strings.TrimRight(string(rs[start:end]), " "))
			start = next
		}
	}
	return lines
}

// fit returns where the line starting at rs[start] ends and where the next
// line starts (after the spaces the break swallows). Spaces may hang past
// the margin; a word wider than the line is cut where it overflows.
func fit(rs []rune, start int, max float64) (end, next int) {
	w, brk := 0, -1
	for i := start; i < len(rs); i++ {
		if i > start && canBreak(rs[i-1], rs[i]) {
			brk = i
		}
		w += width(rs[i])
		if rs[i] != ' ' && float64(w) > max && i > start {
			end = i
			if brk > start {
				end = brk
			}
			next = end
			for next < len(rs) && rs[next] == ' ' {
				next++
			}
			return end, next
		}
	}
	return len(rs), len(rs)
}

// run is a stretch of a line drawn in one face.
type run struct {
	face face
	text string
}

func runs(line string) []run {
	var out []run
	start, cur := 0, cjkFace
	for i, r := range line {
		f := fontOf(r)
		if i > 0 && f != cur {
			out = append(out, run{cur, line[start:i]})
			start = i
		}
		cur = f
	}
	if start < len(line) {
		out = append(out, run{cur, line[start:]})
	}
	return out
}

// zhDate writes a date the way Chinese documents do: 2026年2月12日.
func zhDate(d workcal.Date) string {
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

// zhTime is zhDate with the time of day, in China's zone: 2026年2月12日 09:30.
func zhTime(t time.Time) string {
	t = t.In(workcal.Shanghai)
	return zhDate(workcal.DateOf(t)) + t.Format(" 15:04")
}

// zhOrdinal numbers sections 一、二、三… (up to 十九, more than any notice has).
func zhOrdinal(n int) string {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return digits[n]
	case n == 10:
		return "十"
	default:
		return "十" + digits[n%10]
	}
}
