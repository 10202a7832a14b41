// Package central is the desktop app's screens for central staff, signed in
// online: a department's inbox and case review (reviewers, approvers,
// heads), the catalog and calendar editor, stations and devices, users
// (administrators), the supervision dashboard and bad reviews'
// rectification. It receives the fyne.App and fyne.Window from the station
// app's first-run screen and never creates them.
//
// Everything here needs central: each call runs in the background and its
// result comes back on the UI goroutine (fyne.Do), so the window never
// waits for the network. What the screens do lives in centraldesk (actions
// and their required fields, the catalog draft, figures) and centralapi
// (the calls); the screens collect input and show results.
package central

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/bianmin/bianmin/shared/catalog"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/centralapi"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/shared/bmerr"
)

// PrefServer is the preference that keeps the central server's address.
const PrefServer = "central.server"

// Options configure the central screens.
type Options struct {
	// ServerURL prefills the sign-in screen; else the saved preference.
	ServerURL string
	// HTTPClient reaches central; nil means centralapi's default.
	HTTPClient *http.Client
	// Open shows a file in the system's viewer (a PDF attachment).
	Open func(path string) error
	// TempDir is where attachments are written to be opened (default: a
	// directory under the OS temp dir).
	TempDir string
	// ExportDir is where Excel exports are saved (default: the user's
	// Documents folder, else the home folder).
	ExportDir string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Do runs UI work handed back from a background job; nil means fyne.Do.
	Do func(func())
	// Go runs a background job; nil means a goroutine. Tests run jobs
	// inline, which with an inline Do makes every call synchronous.
	Go func(func())
	// OnBack returns to the station's first-run screen; nil hides the link.
	OnBack func()
	// Announce tells the command line (screenshot mode).
	Announce func(string)
	// Screenshot, for `make screenshots`: sign in with Username and
	// Password and open this screen ("central-inbox", "central-review",
	// "central-dashboard"). Username may list several users, separated by
	// commas: the inbox shots sign in as each in turn until one has cases
	// waiting.
	Screenshot         string
	Username, Password string
}

// UI is the central staff's window content.
type UI struct {
	app fyne.App
	win fyne.Window
	opt Options

	client *centralapi.Client
	user   centralapi.User
	depts  map[string]string // department code -> name, once known
	// stations are the station names sent at sign-in (code -> name).
	stations map[string]string

	jobs      sync.WaitGroup
	shotUsers []string // screenshot mode: the users still to try
	signIn    *signInScreen
	shell     *shell
}

// Show puts the central sign-in screen in the window.
func Show(a fyne.App, w fyne.Window, o Options) *UI {
	u := &UI{app: a, win: w, opt: o, depts: map[string]string{}}
	if o.Screenshot != "" {
		u.shotUsers = strings.Split(o.Username, ",")
	}
	w.SetTitle(lang.L("Bianmin Central"))
	u.showSignIn()
	return u
}

// Close waits for the background calls to finish.
func (u *UI) Close() { u.jobs.Wait() }

func (u *UI) now() time.Time {
	if u.opt.Now != nil {
		return u.opt.Now()
	}
	return time.Now()
}

func (u *UI) do(fn func()) {
	if u.opt.Do != nil {
		u.opt.Do(fn)
		return
	}
	fyne.Do(fn)
}

// call runs work in the background and hands its result to done on the UI
// goroutine.
func call[T any](u *UI, work func(ctx context.Context) (T, error), done func(T, error)) {
	u.jobs.Add(1)
	job := func() {
		defer u.jobs.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		v, err := work(ctx)
		cancel()
		u.do(func() { done(v, err) })
	}
	if u.opt.Go != nil {
		u.opt.Go(job)
		return
	}
	go job()
}

func (u *UI) setContent(o fyne.CanvasObject) { u.win.SetContent(o) }

// showError shows err in the user's language; an expired session returns
// to the sign-in screen.
func (u *UI) showError(err error) {
	if err == nil {
		return
	}
	if bmerr.CodeOf(err) == bmerr.Unauthenticated && u.shell != nil {
		u.shell = nil
		u.showSignIn()
		setProblem(u.signIn.err, msg(err))
		return
	}
	d := dialog.NewCustom(lang.L("Error"), lang.L("OK"), wrapped(msg(err)), u.win)
	d.Show()
}

// info shows a message.
func (u *UI) info(title, text string) {
	dialog.NewCustom(title, lang.L("OK"), wrapped(text), u.win).Show()
}

func msg(err error) string { return bmerr.Message(err, i18n.Tag()) }

// deptName names a department ("县民政局"), or gives its code while the
// catalog is not loaded (reviewers cannot read it).
func (u *UI) deptName(code string) string {
	if code == "" {
		return "—"
	}
	if n := u.depts[code]; n != "" {
		return n
	}
	return code
}

// stationName is "青山镇便民服务中心 (XZ01)", or the code for a station
// central did not name.
func (u *UI) stationName(code string) string {
	if code == "" {
		return "—"
	}
	if n := u.stations[code]; n != "" {
		return fmt.Sprintf(lang.L("%s (%s)"), n, code)
	}
	return code
}

// writeTemp writes an attachment to the temp directory and opens it.
func (u *UI) openFile(name string, data []byte) {
	dir := u.opt.TempDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "bianmin-central")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		u.showError(err)
		return
	}
	path := filepath.Join(dir, filepath.Base(name))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		u.showError(err)
		return
	}
	if u.opt.Open == nil {
		return
	}
	if err := u.opt.Open(path); err != nil {
		u.showError(bmerr.Newf(bmerr.Unavailable, "open_failed", "无法打开文件 %s：%v", "cannot open %s: %v", path, err))
	}
}

// exportDir is where exports go: the option, else ~/Documents (or the
// localised folder when it exists), else the home folder.
func (u *UI) exportDir() string {
	if u.opt.ExportDir != "" {
		return u.opt.ExportDir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return os.TempDir()
	}
	for _, d := range []string{"Documents", "文档"} {
		if st, err := os.Stat(filepath.Join(home, d)); err == nil && st.IsDir() {
			return filepath.Join(home, d)
		}
	}
	return home
}

// Widgets shared by the screens.

func title(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func note(text string) *widget.Label {
	l := wrapped(text)
	l.Importance = widget.LowImportance
	return l
}

func bold(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle.Bold = true
	return l
}

func problem() *widget.Label {
	l := wrapped("")
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

func setProblem(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

func section(text string) fyne.CanvasObject {
	return container.NewVBox(widget.NewSeparator(), bold(text))
}

func isSessionError(err error) bool { return bmerr.CodeOf(err) == bmerr.Unauthenticated }

// loadDepartments fetches the catalog's departments (administrators may
// read the catalog) and remembers their names.
func (u *UI) loadDepartments(done func([]catalog.Department)) {
	client := u.client
	call(u, func(ctx context.Context) (*centralv1.GetCatalogResponse, error) {
		return client.Catalog(ctx)
	}, func(r *centralv1.GetCatalogResponse, err error) {
		if err != nil {
			u.showError(err)
			done(nil)
			return
		}
		var c catalog.Catalog
		if err := json.Unmarshal(r.GetCatalogJson(), &c); err != nil {
			u.showError(err)
			done(nil)
			return
		}
		u.setDepartments(c.Departments)
		done(c.Departments)
	})
}

func (u *UI) setDepartments(ds []catalog.Department) {
	for _, d := range ds {
		name := d.Name
		if i18n.Tag() == i18n.English && d.NameEn != "" {
			name = d.NameEn
		}
		u.depts[d.Code] = name
	}
}
