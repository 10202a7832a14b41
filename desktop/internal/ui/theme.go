package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// calmTheme is fyne's default theme in its light variant with a quiet
// government blue: a public hall is bright, and a dark screen at a window
// reads as broken. Only the colours it must change are changed.
type calmTheme struct{}

// Theme returns the app's theme (main sets it; tests keep fyne's test theme).
func Theme() fyne.Theme { return calmTheme{} }

var blue = color.NRGBA{0x1f, 0x5f, 0xa8, 0xff}

func (calmTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink, theme.ColorNameFocus:
		if n == theme.ColorNameFocus {
			return color.NRGBA{0x1f, 0x5f, 0xa8, 0x66}
		}
		return blue
	case theme.ColorNameSelection:
		return color.NRGBA{0x1f, 0x5f, 0xa8, 0x33}
	case theme.ColorNameDisabled:
		// Fyne draws low-importance labels (secondary lines, hints, "已同步")
		// in the disabled colour, #e3e3e3 in the light theme: about 1.3:1 on
		// white, unreadable at a bright window. A mid grey keeps them quiet
		// and readable (about 3.3:1), and disabled controls still look
		// disabled on their grey background.
		return color.NRGBA{0x8c, 0x8c, 0x8c, 0xff}
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

func (calmTheme) Font(s fyne.TextStyle) fyne.Resource     { return theme.DefaultTheme().Font(s) }
func (calmTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }
func (calmTheme) Size(n fyne.ThemeSizeName) float32       { return theme.DefaultTheme().Size(n) }
