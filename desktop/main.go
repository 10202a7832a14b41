// Command bianmin is the station app (便民服务站): a township convenience
// centre's or a village station's desktop, working offline and syncing
// with central when it can. On a computer not enrolled as a station, the
// first-run screen also signs central staff in online (县级中心人员登录):
// department reviewers, heads and central administrators.
//
//	bianmin [--data DIR] [--server URL --enroll-code CODE] [--demo-user] [--lang zh|en]
//
// This is the only package that imports fyne.io/fyne/v2/app: it creates the
// app and the window and hands them to the ui package, which needs neither
// cgo nor a display in its tests.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"
	"github.com/bianmin/bianmin/desktop/internal/central"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/desktop/internal/ui"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := flag.NewFlagSet("bianmin", flag.ContinueOnError)
	data := fs.String("data", defaultDataDir(), "directory for this station's data (its database)")
	server := fs.String("server", "", "central server address, e.g. http://192.168.1.10:8700 (first run)")
	code := fs.String("enroll-code", "", "one-time enrollment code from central; with --server, enrolls at once (first run)")
	demoUser := fs.Bool("demo-user", false, `create the user "demo" (password "demo1234") if the station has no user yet`)
	language := fs.String("lang", "", "language: zh (default) or en; remembered from the settings otherwise")
	// For `make screenshots`: open a screen after signing in as the demo user.
	shot := fs.String("screenshot-mode", "", "")
	seed := fs.Int("seed-demo", 0, "")
	// Also for `make screenshots`: the central staff's screens.
	centralServer := fs.String("central-server", "", "")
	centralUser := fs.String("central-user", "", "")
	centralPassword := fs.String("central-password", "", "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := os.MkdirAll(*data, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "bianmin:", err)
		return 1
	}
	st, err := store.Open(filepath.Join(*data, "station.db"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bianmin:", err)
		return 1
	}
	defer st.Close()

	a := app.NewWithID("cn.bianmin.station")
	a.SetIcon(ui.Icon())
	a.Settings().SetTheme(ui.Theme())
	prefs := a.Preferences()
	chosen := *language
	if chosen == "" {
		chosen = prefs.StringWithFallback("language", i18n.Default)
	}
	if err := i18n.Use(chosen); err != nil {
		fmt.Fprintln(os.Stderr, "bianmin:", err)
		return 1
	}
	w := a.NewWindow(lang.L("Bianmin Station"))
	w.SetIcon(ui.Icon())
	w.Resize(fyne.NewSize(1280, 800))
	w.SetMaster()
	stationShot, centralShot := *shot, ""
	if strings.HasPrefix(*shot, "central-") {
		stationShot, centralShot = "", *shot
	}
	open := func(path string) error {
		if *shot != "" {
			return nil // screenshots: no viewer windows on top
		}
		return openInViewer(a, path)
	}
	u, err := ui.New(a, w, ui.Options{
		Store: st, ServerURL: *server, EnrollCode: *code, DemoUser: *demoUser || stationShot != "",
		Announce:   func(s string) { fmt.Println(s) },
		OnLanguage: func(l string) { prefs.SetString("language", l) },
		Screenshot: stationShot, SeedDemo: *seed,
		PrintDir: filepath.Join(*data, "print"),
		Open:     open,
		// A computer that is not a station and served central staff
		// before opens their sign-in, with the server it remembers.
		StartCentral: centralShot != "" || (*server == "" && prefs.String(central.PrefServer) != ""),
		Central: central.Options{
			ServerURL: *centralServer, Screenshot: centralShot,
			Username: *centralUser, Password: *centralPassword,
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bianmin:", err)
		return 1
	}
	w.ShowAndRun()
	u.Close()
	return 0
}

// defaultDataDir is the OS user config directory's Bianmin folder
// (~/.config/Bianmin, %AppData%\Bianmin).
func defaultDataDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "Bianmin"
	}
	return filepath.Join(dir, "Bianmin")
}
