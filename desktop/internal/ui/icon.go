package ui

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:generate go run ./icongen -o icon.png,../../Icon.png

//go:embed icon.png
var iconPNG []byte

// appIcon is the app's icon: 便 on a blue rounded square.
var appIcon = fyne.NewStaticResource("icon.png", iconPNG)

// Icon returns the app's icon, for the window and the launcher.
func Icon() fyne.Resource { return appIcon }
