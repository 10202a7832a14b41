package main

import (
	"net/url"
	"path/filepath"

	"fyne.io/fyne/v2"
)

// openInViewer shows a file (a notice PDF, a scan) in the system's viewer:
// fyne's OpenURL with a file:// URL runs xdg-open, open or the Windows shell.
func openInViewer(a fyne.App, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	p := filepath.ToSlash(abs)
	if len(p) > 1 && p[1] == ':' {
		p = "/" + p // file:///C:/Users/...
	}
	return a.OpenURL(&url.URL{Scheme: "file", Path: p})
}
