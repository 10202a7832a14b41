// Package ui is the station app's window: first-run enrollment, sign-in,
// and the main screens (收件 intake, 案件 cases, 待办 inbox, 设置 settings)
// above a status bar that shows sync as it happens. It receives the
// fyne.App and fyne.Window from main and never creates them; what the
// screens do lives in the desk package, and every label goes through
// fyne's lang.L (see the i18n package), so the same screens run in Chinese
// (the default) and English.
//
// Work on the station's own disk (recording a change, printing a notice)
// runs on the UI goroutine: it takes milliseconds. Anything that needs the
// network (enrollment, sync) runs in the background, and its results come
// back through fyne.Do, so typing never waits for central.
package ui

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/central"
	"github.com/bianmin/bianmin/desktop/internal/desk"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/desktop/internal/syncclient"
	"github.com/bianmin/bianmin/shared/bmerr"
)

// Syncer is the part of the sync client the window drives.
type Syncer interface {
	Run(ctx context.Context) error
	Kick()
	SyncNow(ctx context.Context) error
	Status() syncclient.Status
}

// Options configure the window.
type Options struct {
	Store *store.Store
	// ServerURL and EnrollCode prefill the first-run screen; with both set
	// the app enrolls at once (first-run automation for `make demo`).
	ServerURL  string
	EnrollCode string
	DeviceName string
	// SignInName prefills the sign-in screen.
	SignInName string
	// NewSyncer makes the sync client once the station is enrolled; nil
	// means syncclient.New. Tests pass a fake.
	NewSyncer func(ctx context.Context, cfg syncclient.Config) (Syncer, error)
	// Open shows a file in the system's viewer; nil opens it through
	// fyne's OpenURL with a file:// URL.
	Open func(path string) error
	// PrintDir is where PDFs are written to be opened (default: a
	// directory under the OS temp dir).
	PrintDir string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Do runs UI work handed back from a background goroutine; nil means
	// fyne.Do. Tests pass a queue they drain on the test goroutine.
	Do func(func())
	// OnLanguage is told when the clerk switches language (to save it).
	OnLanguage func(lang string)

	// DemoUser creates the user "demo" (password "demo1234") when the
	// station has no user yet, and tells Announce so.
	DemoUser bool
	Announce func(string)
	// Screenshot, for `make screenshots`: sign in as the demo user and
	// open this screen ("intake", "cases", "detail", "inbox", "status",
	// "settings"). SeedDemo takes in that many demo applications first
	// when the station has no cases.
	Screenshot string
	SeedDemo   int

	// Central configures the central staff's screens, offered on the
	// first-run screen of a computer that is not enrolled as a station;
	// StartCentral opens their sign-in at once (screenshots, or an install
	// that served central users before).
	Central      central.Options
	StartCentral bool
}

// The demo user `make demo` signs in with.
const (
	DemoUserName     = "demo"
	DemoUserPassword = "demo1234"
)

// UI is the station app's window.
type UI struct {
	app fyne.App
	win fyne.Window
	opt Options
	st  *store.Store

	id      store.Identity
	session *desk.Session

	syncer     Syncer
	stopSync   context.CancelFunc
	syncStatus syncclient.Status

	jobs sync.WaitGroup // background jobs (enrollment, sync now)
	loop sync.WaitGroup // the sync client's Run

	// The screen showing; only one is non-nil at a time, except that the
	// shell keeps its parts.
	enroll *enrollScreen
	first  *userForm
	signIn *signInScreen
	shell  *shell
	// central is the central staff's window content, on a computer that
	// is not a station.
	central *central.UI
}

// New shows the first screen the station needs: enrollment on a fresh
// install, then the first user, then sign-in.
func New(a fyne.App, w fyne.Window, o Options) (*UI, error) {
	if o.Store == nil {
		return nil, fmt.Errorf("ui: no store")
	}
	if i18n.Current() == "" {
		if err := i18n.Use(i18n.Default); err != nil {
			return nil, err
		}
	}
	u := &UI{app: a, win: w, opt: o, st: o.Store}
	w.SetTitle(lang.L("Bianmin Station"))
	if err := u.start(); err != nil {
		return nil, err
	}
	return u, nil
}

// Close stops the background sync.
func (u *UI) Close() {
	if u.central != nil {
		u.central.Close()
	}
	u.jobs.Wait()
	if u.stopSync != nil {
		u.stopSync()
	}
	u.loop.Wait()
}

// do hands UI work from a background goroutine to the UI goroutine.
func (u *UI) do(fn func()) {
	if u.opt.Do != nil {
		u.opt.Do(fn)
		return
	}
	fyne.Do(fn)
}

func (u *UI) now() time.Time {
	if u.opt.Now != nil {
		return u.opt.Now()
	}
	return time.Now()
}

func ctx() context.Context { return context.Background() }

// start shows the screen for the state the station is in.
func (u *UI) start() error {
	id, ok, err := u.st.Identity(ctx())
	if err != nil {
		return err
	}
	if !ok {
		if u.opt.StartCentral {
			u.showCentral()
			return nil
		}
		u.showEnroll()
		return nil
	}
	u.id = id
	users, err := u.st.Users(ctx())
	if err != nil {
		return err
	}
	u.startSync()
	return u.afterEnrollment(len(users))
}

// afterEnrollment shows the first-user form, or the sign-in screen once the
// station has users (creating the demo user first when asked to).
func (u *UI) afterEnrollment(users int) error {
	if users == 0 && u.opt.DemoUser {
		_, err := desk.CreateUser(ctx(), u.st, u.id.Level, desk.NewUser{Name: DemoUserName, DisplayName: demoDisplayName(),
			Role: desk.DefaultRole(u.id.Level), Admin: true, Password: DemoUserPassword, Password2: DemoUserPassword})
		if err != nil {
			return err
		}
		users = 1
		if u.opt.Announce != nil {
			u.opt.Announce("demo user created: sign in as \"" + DemoUserName + "\" with password \"" + DemoUserPassword + "\"")
		}
		if u.opt.SignInName == "" {
			u.opt.SignInName = DemoUserName
		}
	}
	if users == 0 {
		u.showFirstUser()
		return nil
	}
	u.showSignIn()
	if u.opt.Screenshot != "" {
		u.signIn.name.SetText(DemoUserName)
		u.signIn.password.SetText(DemoUserPassword)
		u.signIn.Submit()
		if u.shell != nil {
			u.screenshot(u.opt.Screenshot)
		}
	}
	return nil
}

func demoDisplayName() string { return "演示经办人" }

// startSync starts the sync client in the background once the station is
// enrolled; it runs while the app is open, signed in or not, so the outbox
// drains even at the sign-in screen.
func (u *UI) startSync() {
	if u.syncer != nil {
		return
	}
	mk := u.opt.NewSyncer
	if mk == nil {
		mk = func(ctx context.Context, cfg syncclient.Config) (Syncer, error) { return syncclient.New(ctx, cfg) }
	}
	s, err := mk(ctx(), syncclient.Config{
		Store:    u.st,
		OnStatus: func(s syncclient.Status) { u.do(func() { u.setSyncStatus(s) }) },
		OnData:   func([]string) { u.do(u.dataChanged) },
	})
	if err != nil {
		u.showError(err)
		return
	}
	if s == nil {
		return
	}
	u.syncer = s
	c, cancel := context.WithCancel(context.Background())
	u.stopSync = cancel
	u.loop.Add(1)
	go func() {
		defer u.loop.Done()
		s.Run(c)
	}()
}

func (u *UI) kick() {
	if u.syncer != nil {
		u.syncer.Kick()
	}
}

// syncNow runs a full cycle in the background; the status bar follows it.
func (u *UI) syncNow() {
	if u.syncer == nil {
		return
	}
	u.jobs.Add(1)
	go func() {
		defer u.jobs.Done()
		u.syncer.SyncNow(context.Background())
	}()
}

func (u *UI) setSyncStatus(s syncclient.Status) {
	u.syncStatus = s
	if u.shell != nil {
		u.shell.status.Show(s, u.now())
	}
}

// dataChanged refreshes what shows cases after central's news arrived.
func (u *UI) dataChanged() {
	if u.shell != nil {
		u.shell.refresh()
	}
}

func (u *UI) setContent(o fyne.CanvasObject) {
	u.win.SetContent(o)
}

// showError shows err in the clerk's language.
func (u *UI) showError(err error) {
	if err == nil {
		return
	}
	d := dialog.NewCustom(lang.L("Error"), lang.L("OK"), errorText(err), u.win)
	d.Show()
}

// errorText is a wrapped label with the error's message in the UI language.
func errorText(err error) *widget.Label {
	l := widget.NewLabel(bmerr.Message(err, i18n.Tag()))
	l.Wrapping = fyne.TextWrapWord
	return l
}

// msg returns err's message in the UI language ("" for nil).
func msg(err error) string { return bmerr.Message(err, i18n.Tag()) }

// openFile writes data to the print directory and opens it in the
// system's viewer.
func (u *UI) openFile(name string, data []byte) {
	dir := u.opt.PrintDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "bianmin-print")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		u.showError(err)
		return
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		u.showError(err)
		return
	}
	open := u.opt.Open
	if open == nil {
		open = func(p string) error {
			abs, err := filepath.Abs(p)
			if err != nil {
				return err
			}
			return u.app.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)})
		}
	}
	if err := open(path); err != nil {
		u.showError(bmerr.Newf(bmerr.Unavailable, "open_failed", "无法打开文件 %s：%v", "cannot open %s: %v", path, err))
	}
}

// signedIn builds the main window for user.
func (u *UI) signedIn(user store.User) {
	u.session = &desk.Session{Store: u.st, Identity: u.id, User: user, Kick: u.kick, Now: u.opt.Now}
	u.enroll, u.first, u.signIn = nil, nil, nil
	u.shell = newShell(u)
	u.setContent(u.shell.content)
	u.shell.status.Show(u.currentStatus(), u.now())
	u.shell.focusStart()
}

func (u *UI) currentStatus() syncclient.Status {
	if u.syncer != nil {
		return u.syncer.Status()
	}
	return u.syncStatus
}

// signOut returns to the sign-in screen.
func (u *UI) signOut() {
	u.session, u.shell = nil, nil
	u.showSignIn()
}

// SetLanguage switches the language and rebuilds the screen showing.
func (u *UI) SetLanguage(language string) {
	if err := i18n.Use(language); err != nil {
		u.showError(err)
		return
	}
	if u.opt.OnLanguage != nil {
		u.opt.OnLanguage(i18n.Current())
	}
	u.win.SetTitle(lang.L("Bianmin Station"))
	if u.shell != nil {
		tab := u.shell.tabs.SelectedIndex()
		u.shell = newShell(u)
		u.setContent(u.shell.content)
		u.shell.tabs.SelectIndex(tab)
		u.shell.status.Show(u.currentStatus(), u.now())
		return
	}
	u.start()
}

// center puts a form of a comfortable width in the middle of the window.
func center(o fyne.CanvasObject, width float32) fyne.CanvasObject {
	return container.NewCenter(container.New(widthLayout(width), o))
}

// widthLayout gives its objects a fixed width and their own height.
type widthLayout float32

func (w widthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(float32(w), h)
}

func (w widthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(fyne.NewSize(size.Width, max(size.Height, o.MinSize().Height)))
		o.Move(fyne.NewPos(0, 0))
	}
}

// showCentral hands the window to the central staff's screens. Only a
// computer without a station identity offers them: a station's users sign
// in against the station's own store and hold no central session, and
// central refuses a device credential on its staff API anyway.
func (u *UI) showCentral() {
	if u.id.Station != "" {
		return
	}
	u.enroll = nil
	o := u.opt.Central
	if o.Open == nil {
		o.Open = u.opt.Open
	}
	if o.Do == nil {
		o.Do = u.opt.Do
	}
	if o.Now == nil {
		o.Now = u.opt.Now
	}
	if o.Announce == nil {
		o.Announce = u.opt.Announce
	}
	o.OnBack = u.leaveCentral
	u.central = central.Show(u.app, u.win, o)
}

// leaveCentral goes back from the central sign-in to enrolling this
// computer as a station.
func (u *UI) leaveCentral() {
	if u.central != nil {
		u.central.Close()
		u.central = nil
	}
	u.win.SetTitle(lang.L("Bianmin Station"))
	u.showEnroll()
}
