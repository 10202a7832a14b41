package ui

import (
	"context"
	"fmt"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/desk"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/desktop/internal/syncclient"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
)

// title is a large bold heading.
func title(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// note is a wrapped, quiet explanation.
func note(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	return l
}

// problem is a label that shows an error or warning, empty when there is none.
func problem() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
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

// enrollScreen is the first run: the server address and the one-time code
// central issued for this station.
type enrollScreen struct {
	u      *UI
	server *widget.Entry
	code   *widget.Entry
	pin    *widget.Entry // SHA-256 of central's certificate, for an https central with its own certificate
	submit *widget.Button
	busy   *widget.ProgressBarInfinite
	err    *widget.Label
	done   bool
	// central opens the central staff's sign-in instead: a computer that
	// is not a station may serve central users online.
	central *widget.Button
}

func (u *UI) showEnroll() {
	e := &enrollScreen{u: u, server: widget.NewEntry(), code: widget.NewEntry(), pin: widget.NewEntry(), err: problem(), busy: widget.NewProgressBarInfinite()}
	e.pin.SetPlaceHolder(lang.L("Only for https with central's own certificate: its SHA-256 fingerprint"))
	u.enroll = e
	e.server.SetPlaceHolder("http://192.168.1.10:8700")
	e.server.SetText(u.opt.ServerURL)
	e.code.SetPlaceHolder("ABCD-EFGH-JKLM")
	e.code.SetText(u.opt.EnrollCode)
	e.server.OnSubmitted = func(string) { u.win.Canvas().Focus(e.code) }
	e.code.OnSubmitted = func(string) { e.Submit() }
	e.submit = widget.NewButtonWithIcon(lang.L("Enroll this computer"), theme.ConfirmIcon(), e.Submit)
	e.submit.Importance = widget.HighImportance
	e.busy.Hide()
	e.busy.Stop()
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Server address"), e.server),
		widget.NewFormItem(lang.L("Enrollment code"), e.code),
		widget.NewFormItem(lang.L("Certificate fingerprint"), e.pin),
	)
	e.central = widget.NewButtonWithIcon(lang.L("Central staff sign-in"), theme.AccountIcon(), u.showCentral)
	station := widget.NewCard(lang.L("This computer is a service station (enter the enrollment code)"), "", container.NewVBox(
		note(lang.L("This computer is not yet enrolled as a service station. Enter the address of the central server and the one-time enrollment code that central gave this station.")),
		form, e.err, e.busy, container.NewHBox(layoutSpacer(), e.submit),
	))
	centralCard := widget.NewCard(lang.L("Central staff sign-in"), "", container.NewVBox(
		note(lang.L("Department reviewers and central administrators sign in online with their user name and password; the cases stay at central.")),
		container.NewHBox(layoutSpacer(), e.central),
	))
	body := container.NewVBox(title(lang.L("Welcome to the Bianmin station")), station, centralCard)
	u.setContent(center(body, 600))
	u.win.Canvas().Focus(e.server)
	if u.opt.ServerURL != "" && u.opt.EnrollCode != "" {
		e.Submit()
	}
}

// Submit enrolls in the background; the next screen follows on success.
func (e *enrollScreen) Submit() {
	if e.done || e.submit.Disabled() {
		return
	}
	server, code, pin := strings.TrimSpace(e.server.Text), strings.TrimSpace(e.code.Text), strings.TrimSpace(e.pin.Text)
	if server == "" || code == "" {
		setProblem(e.err, lang.L("Enter both the server address and the enrollment code."))
		return
	}
	if !strings.Contains(server, "://") {
		server = "http://" + server
	}
	setProblem(e.err, "")
	e.submit.Disable()
	e.busy.Show()
	e.busy.Start()
	u := e.u
	name := u.opt.DeviceName
	if name == "" {
		name, _ = os.Hostname()
	}
	u.jobs.Add(1)
	go func() {
		defer u.jobs.Done()
		id, err := syncclient.Enroll(context.Background(), u.st, syncclient.EnrollOptions{ServerURL: server, Code: code, DeviceName: name, PinSHA256: pin})
		u.do(func() { e.finish(id, err) })
	}()
}

func (e *enrollScreen) finish(id store.Identity, err error) {
	e.busy.Stop()
	e.busy.Hide()
	e.submit.Enable()
	if err != nil && id.Station == "" {
		setProblem(e.err, enrollError(err))
		return
	}
	// Enrolled; a failed catalog fetch is retried by the sync client.
	e.done = true
	u := e.u
	u.id = id
	u.startSync()
	u.enroll = nil
	if err := u.afterEnrollment(0); err != nil {
		u.showError(err)
	}
}

// enrollError explains a failed enrollment: the server's own words for a
// refused code, and what to check when the server could not be reached.
func enrollError(err error) string {
	be := bmerr.As(err)
	if be != nil && be.Code == bmerr.Unavailable {
		return lang.L("Cannot reach the central server. Check the address, that this computer is on the network, and that the server is running.") +
			"\n" + be.Message(i18n.Tag())
	}
	return msg(err)
}

// userForm creates a user: the first one at first run (who may then manage
// the others), or another from the settings.
type userForm struct {
	u           *UI
	name        *widget.Entry
	displayName *widget.Entry
	role        *widget.Select
	admin       *widget.Check
	password    *widget.Entry
	password2   *widget.Entry
	submit      *widget.Button
	err         *widget.Label
	form        *fyne.Container
	roles       []caseflow.Role
	onCreated   func(store.User)
}

func newUserForm(u *UI, first bool, onCreated func(store.User)) *userForm {
	f := &userForm{u: u, name: widget.NewEntry(), displayName: widget.NewEntry(), password: widget.NewPasswordEntry(),
		password2: widget.NewPasswordEntry(), err: problem(), onCreated: onCreated, admin: widget.NewCheck(lang.L("May manage users"), nil)}
	f.roles = desk.RolesFor(u.id.Level)
	var labels []string
	for _, r := range f.roles {
		labels = append(labels, r.Label(i18n.Tag()))
	}
	f.role = widget.NewSelect(labels, nil)
	f.role.SetSelectedIndex(0)
	f.name.SetPlaceHolder(lang.L("e.g. wangli"))
	f.displayName.SetPlaceHolder(lang.L("e.g. 王丽"))
	f.password.SetPlaceHolder(lang.L("at least 8 characters"))
	f.name.OnSubmitted = func(string) { u.win.Canvas().Focus(f.displayName) }
	f.displayName.OnSubmitted = func(string) { u.win.Canvas().Focus(f.password) }
	f.password.OnSubmitted = func(string) { u.win.Canvas().Focus(f.password2) }
	f.password2.OnSubmitted = func(string) { f.Submit() }
	label := lang.L("Add user")
	if first {
		label = lang.L("Create user and continue")
	}
	f.submit = widget.NewButtonWithIcon(label, theme.ConfirmIcon(), f.Submit)
	f.submit.Importance = widget.HighImportance
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Sign-in name"), f.name),
		widget.NewFormItem(lang.L("Full name"), f.displayName),
	}
	if !first {
		items = append(items, widget.NewFormItem(lang.L("Role"), f.role), widget.NewFormItem("", f.admin))
	}
	items = append(items,
		widget.NewFormItem(lang.L("Password"), f.password),
		widget.NewFormItem(lang.L("Password again"), f.password2),
	)
	f.form = container.NewVBox(widget.NewForm(items...), f.err, container.NewHBox(layoutSpacer(), f.submit))
	return f
}

// Submit creates the user.
func (f *userForm) Submit() {
	role := f.roles[max(f.role.SelectedIndex(), 0)]
	admin := f.admin.Checked
	if f.onCreated != nil && f.u.first == f {
		admin = true // the first user manages the others
	}
	user, err := desk.CreateUser(ctx(), f.u.st, f.u.id.Level, desk.NewUser{
		Name: f.name.Text, DisplayName: f.displayName.Text, Role: role, Admin: admin,
		Password: f.password.Text, Password2: f.password2.Text,
	})
	if err != nil {
		setProblem(f.err, msg(err))
		return
	}
	setProblem(f.err, "")
	f.password.SetText("")
	f.password2.SetText("")
	if f.onCreated != nil {
		f.onCreated(user)
	}
}

func (u *UI) showFirstUser() {
	f := newUserForm(u, true, nil)
	f.onCreated = func(user store.User) { u.first = nil; u.signedIn(user) }
	u.first = f
	level := caseflow.LevelLabel(u.id.Level, i18n.Tag())
	body := container.NewVBox(
		title(lang.L("Create the first user")),
		note(stationLine(u.id)+"\n"+fmt.Sprintf(lang.L("The first user signs in with this name and password, works as %s, and can add the station's other staff in the settings."),
			desk.DefaultRole(u.id.Level).Label(i18n.Tag())+" ("+level+")")),
		f.form,
	)
	u.setContent(center(body, 560))
	u.win.Canvas().Focus(f.name)
}

// stationLine names the station: "青山镇便民服务中心（XZ01，乡镇）".
func stationLine(id store.Identity) string {
	if i18n.Tag() == i18n.Chinese {
		return id.StationName + "（" + id.Station + "，" + caseflow.LevelLabel(id.Level, i18n.Tag()) + "）"
	}
	return id.StationName + " (" + id.Station + ", " + caseflow.LevelLabel(id.Level, i18n.Tag()) + ")"
}

// signInScreen checks the password against the station's own store: it
// works offline.
type signInScreen struct {
	u        *UI
	name     *widget.Entry
	password *widget.Entry
	submit   *widget.Button
	err      *widget.Label
}

func (u *UI) showSignIn() {
	s := &signInScreen{u: u, name: widget.NewEntry(), password: widget.NewPasswordEntry(), err: problem()}
	u.signIn = s
	s.name.SetText(u.opt.SignInName)
	s.name.OnSubmitted = func(string) { u.win.Canvas().Focus(s.password) }
	s.password.OnSubmitted = func(string) { s.Submit() }
	s.submit = widget.NewButtonWithIcon(lang.L("Sign in"), theme.LoginIcon(), s.Submit)
	s.submit.Importance = widget.HighImportance
	logo := canvas.NewImageFromResource(appIcon)
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSize(72, 72))
	body := container.NewVBox(
		container.NewCenter(logo),
		container.NewCenter(title(lang.L("Bianmin Station"))),
		container.NewCenter(widget.NewLabel(stationLine(u.id))),
		widget.NewForm(
			widget.NewFormItem(lang.L("Sign-in name"), s.name),
			widget.NewFormItem(lang.L("Password"), s.password),
		),
		s.err,
		container.NewHBox(layoutSpacer(), s.submit),
	)
	u.setContent(center(body, 440))
	if s.name.Text == "" {
		u.win.Canvas().Focus(s.name)
	} else {
		u.win.Canvas().Focus(s.password)
	}
}

// Submit signs in.
func (s *signInScreen) Submit() {
	user, err := desk.SignIn(ctx(), s.u.st, s.name.Text, s.password.Text)
	if err != nil {
		s.password.SetText("")
		setProblem(s.err, msg(err))
		s.u.win.Canvas().Focus(s.password)
		return
	}
	s.u.signedIn(user)
}
