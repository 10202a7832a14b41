package central

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/centralapi"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/shared/bmerr"
)

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }

// signInScreen signs a central user in at central: online only, since the
// password is checked there.
type signInScreen struct {
	u        *UI
	server   *widget.Entry
	name     *widget.Entry
	password *widget.Entry
	submit   *widget.Button
	back     *widget.Button
	busy     *widget.ProgressBarInfinite
	err      *widget.Label
}

func (u *UI) showSignIn() {
	s := &signInScreen{u: u, server: widget.NewEntry(), name: widget.NewEntry(), password: widget.NewPasswordEntry(),
		err: problem(), busy: widget.NewProgressBarInfinite()}
	u.signIn = s
	server := u.opt.ServerURL
	if server == "" && u.app != nil {
		server = u.app.Preferences().String(PrefServer)
	}
	s.server.SetPlaceHolder("http://192.168.1.10:8700")
	s.server.SetText(server)
	s.name.SetPlaceHolder(lang.L("e.g. wangli"))
	s.server.OnSubmitted = func(string) { u.win.Canvas().Focus(s.name) }
	s.name.OnSubmitted = func(string) { u.win.Canvas().Focus(s.password) }
	s.password.OnSubmitted = func(string) { s.Submit() }
	s.submit = widget.NewButtonWithIcon(lang.L("Sign in"), theme.LoginIcon(), s.Submit)
	s.submit.Importance = widget.HighImportance
	s.busy.Hide()
	s.busy.Stop()
	buttons := container.NewHBox(layoutSpacer(), s.submit)
	if u.opt.OnBack != nil {
		s.back = widget.NewButtonWithIcon(lang.L("This computer is a service station"), theme.NavigateBackIcon(), u.opt.OnBack)
		s.back.Importance = widget.LowImportance
		buttons = container.NewHBox(s.back, layoutSpacer(), s.submit)
	}
	body := container.NewVBox(
		title(lang.L("Central staff sign-in")),
		note(lang.L("For department reviewers, approvers, heads and central administrators. Signing in needs the central server: the password is checked there.")),
		widget.NewForm(
			widget.NewFormItem(lang.L("Server address"), s.server),
			widget.NewFormItem(lang.L("User name"), s.name),
			widget.NewFormItem(lang.L("Password"), s.password),
		),
		s.err, s.busy, buttons,
	)
	u.setContent(container.NewCenter(container.NewGridWrap(fyne.NewSize(560, body.MinSize().Height), body)))
	if s.server.Text == "" {
		u.win.Canvas().Focus(s.server)
	} else {
		u.win.Canvas().Focus(s.name)
	}
	if u.opt.Screenshot != "" && len(u.shotUsers) > 0 && u.shotUsers[0] != "" {
		s.name.SetText(strings.TrimSpace(u.shotUsers[0]))
		s.password.SetText(u.opt.Password)
		s.Submit()
	}
}

// Submit signs in in the background; the main screens follow on success.
func (s *signInScreen) Submit() {
	if s.submit.Disabled() {
		return
	}
	u := s.u
	base, err := centralapi.NormalizeURL(s.server.Text)
	if err != nil {
		setProblem(s.err, msg(err))
		return
	}
	if strings.TrimSpace(s.name.Text) == "" || s.password.Text == "" {
		setProblem(s.err, lang.L("Enter your user name and password."))
		return
	}
	if u.client == nil || u.client.URL() != base {
		u.client, err = centralapi.New(base, u.opt.HTTPClient)
		if err != nil {
			setProblem(s.err, msg(err))
			return
		}
	}
	setProblem(s.err, "")
	s.submit.Disable()
	s.busy.Show()
	s.busy.Start()
	client, name, password := u.client, s.name.Text, s.password.Text
	call(u, func(ctx context.Context) (centralapi.User, error) {
		return client.SignIn(ctx, name, password)
	}, func(user centralapi.User, err error) {
		s.finish(base, user, err)
	})
}

func (s *signInScreen) finish(base string, user centralapi.User, err error) {
	u := s.u
	s.busy.Stop()
	s.busy.Hide()
	s.submit.Enable()
	if err == nil && !user.Reviews() && !user.IsAdmin() {
		client := u.client
		call(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, client.SignOut(ctx) }, func(struct{}, error) {})
		err = bmerr.New(bmerr.PermissionDenied, "not_central_user", "此账号不是县级中心人员，不能登录中心端。", "this account is not a central staff account.")
	}
	if err != nil {
		s.password.SetText("")
		setProblem(s.err, signInError(err))
		if u.opt.Screenshot != "" && u.opt.Announce != nil {
			u.opt.Announce("screenshot unavailable: " + bmerr.Message(err, "en"))
		}
		return
	}
	if u.app != nil && u.opt.Screenshot == "" {
		u.app.Preferences().SetString(PrefServer, base)
	}
	u.user = user
	dir := u.client.Directory()
	u.setDepartments(dir.Departments)
	u.stations = dir.Stations
	u.signIn = nil
	u.shell = newShell(u)
	u.setContent(u.shell.content)
	u.shell.start()
}

// signInError explains a failed sign-in: the server's words, and what to
// check when it could not be reached.
func signInError(err error) string {
	be := bmerr.As(err)
	if be != nil && be.Code == bmerr.Unavailable && be.Reason == "network" {
		return lang.L("Cannot reach the central server. Check the address, that this computer is on the network, and that the server is running.") +
			"\n" + be.Message(i18n.Tag())
	}
	return msg(err)
}

// signOut closes the session and returns to the sign-in screen.
func (u *UI) signOut() {
	client := u.client
	u.shell = nil
	u.user = centralapi.User{}
	if client != nil {
		call(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, client.SignOut(ctx) }, func(struct{}, error) {})
	}
	u.showSignIn()
}
