package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// contrast is the WCAG 2 contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, b, _ := c.RGBA()
		ch := func(v uint32) float64 {
			x := float64(v) / 0xffff
			if x <= 0.03928 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(b)
	}
	la, lb := lum(a), lum(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// Low-importance labels (secondary lines, hints, sync states) are drawn in
// the theme's disabled colour: it must be readable on the background and on
// an input's, yet quieter than ordinary text.
func TestLowImportanceTextIsReadable(t *testing.T) {
	th := Theme()
	v := theme.VariantLight
	low := th.Color(theme.ColorNameDisabled, v)
	for _, bg := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground} {
		if c := contrast(low, th.Color(bg, v)); c < 3 {
			t.Errorf("disabled text on %s: contrast %.2f, want at least 3", bg, c)
		}
	}
	fg := th.Color(theme.ColorNameForeground, v)
	if contrast(low, th.Color(theme.ColorNameBackground, v)) >= contrast(fg, th.Color(theme.ColorNameBackground, v)) {
		t.Error("low-importance text is as strong as ordinary text")
	}
}
