package central

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/centralapi"
	"github.com/bianmin/bianmin/desktop/internal/centraldesk"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
)

// usersScreen manages central's users: create one with a role, department
// and first password; change a role or department; disable; reset a
// password. Central hashes the passwords; the app never stores them.
type usersScreen struct {
	u     *UI
	list  *fyne.Container
	users []*centralv1.UserInfo
	depts []catalog.Department

	username  *widget.Entry
	name      *widget.Entry
	role      *widget.Select
	dept      *widget.Select
	password  *widget.Entry
	password2 *widget.Entry
	create    *widget.Button
	err       *widget.Label

	edit    map[string]*widget.Button // username -> buttons
	toggle  map[string]*widget.Button
	reset   map[string]*widget.Button
	editing *userEdit
	content fyne.CanvasObject
}

// userEdit is the open edit or reset dialog.
type userEdit struct {
	username  string
	name      *widget.Entry
	role      *widget.Select
	dept      *widget.Select
	password  *widget.Entry
	password2 *widget.Entry
	save      *widget.Button
	err       *widget.Label
	d         *dialog.CustomDialog
}

// MinPassword is the shortest password the app lets an admin set (central
// checks it too).
const MinPassword = 8

func roleLabels() []string {
	var out []string
	for _, r := range centraldesk.CentralRoles {
		out = append(out, r.Label(i18n.Tag()))
	}
	return out
}

func newUsersScreen(u *UI) *usersScreen {
	s := &usersScreen{u: u, list: container.NewVBox(), username: widget.NewEntry(), name: widget.NewEntry(),
		password: widget.NewPasswordEntry(), password2: widget.NewPasswordEntry(), err: problem()}
	s.username.SetPlaceHolder(lang.L("e.g. wangli"))
	s.name.SetPlaceHolder(lang.L("e.g. 王丽"))
	s.password.SetPlaceHolder(lang.L("at least 8 characters"))
	s.role = widget.NewSelect(roleLabels(), nil)
	s.role.SetSelectedIndex(0)
	s.dept = widget.NewSelect(nil, nil)
	s.dept.PlaceHolder = lang.L("Department")
	s.create = widget.NewButtonWithIcon(lang.L("Add user"), theme.ContentAddIcon(), s.createUser)
	form := widget.NewForm(
		widget.NewFormItem(lang.L("User name"), s.username),
		widget.NewFormItem(lang.L("Full name"), s.name),
		widget.NewFormItem(lang.L("Role"), s.role),
		widget.NewFormItem(lang.L("Department"), s.dept),
		widget.NewFormItem(lang.L("Password"), s.password),
		widget.NewFormItem(lang.L("Password again"), s.password2),
	)
	add := widget.NewCard(lang.L("New user"), "", container.NewVBox(form, s.err, container.NewHBox(layoutSpacer(), s.create)))
	refresh := widget.NewButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), s.reload)
	s.content = container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(400, add.MinSize().Height), add),
		container.NewBorder(container.NewHBox(bold(lang.L("Central users")), layoutSpacer(), refresh), nil, nil, nil, container.NewVScroll(s.list)))
	return s
}

func (s *usersScreen) reload() {
	u := s.u
	if len(s.depts) == 0 {
		u.loadDepartments(func(ds []catalog.Department) {
			s.depts = ds
			s.dept.Options = s.deptNames()
			s.dept.Refresh()
			if len(ds) > 0 {
				s.fetch()
			}
		})
		return
	}
	s.fetch()
}

func (s *usersScreen) deptNames() []string {
	var out []string
	for _, d := range s.depts {
		out = append(out, s.u.deptName(d.Code))
	}
	return out
}

func (s *usersScreen) deptCode(sel *widget.Select) string {
	if i := sel.SelectedIndex(); i >= 0 && i < len(s.depts) {
		return s.depts[i].Code
	}
	return ""
}

func (s *usersScreen) fetch() {
	u := s.u
	client := u.client
	call(u, func(ctx context.Context) ([]*centralv1.UserInfo, error) {
		return client.Users(ctx)
	}, func(us []*centralv1.UserInfo, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		s.show(us)
	})
}

func (s *usersScreen) show(us []*centralv1.UserInfo) {
	s.users = us
	s.edit, s.toggle, s.reset = map[string]*widget.Button{}, map[string]*widget.Button{}, map[string]*widget.Button{}
	s.list.RemoveAll()
	for _, info := range us {
		info := info
		usr := info.GetUser()
		text := fmt.Sprintf("%s（%s）· %s", usr.GetName(), usr.GetUsername(), caseflow.Role(usr.GetRole()).Label(i18n.Tag()))
		if usr.GetDepartment() != "" {
			text += " · " + s.u.deptName(usr.GetDepartment())
		}
		l := widget.NewLabel(text)
		if info.GetDisabled() {
			l.Importance = widget.LowImportance
			l.SetText(text + " · " + lang.L("disabled"))
		}
		name := usr.GetUsername()
		edit := widget.NewButtonWithIcon(lang.L("Edit"), theme.DocumentCreateIcon(), func() { s.startEdit(info) })
		label := lang.L("Disable")
		if info.GetDisabled() {
			label = lang.L("Enable")
		}
		toggle := widget.NewButton(label, func() { s.setDisabled(info, !info.GetDisabled()) })
		reset := widget.NewButtonWithIcon(lang.L("Reset password"), theme.ViewRefreshIcon(), func() { s.startReset(name) })
		for _, b := range []*widget.Button{edit, toggle, reset} {
			b.Importance = widget.LowImportance
		}
		if name == s.u.user.Username {
			toggle.Disable() // an admin cannot lock themselves out
		}
		s.edit[name], s.toggle[name], s.reset[name] = edit, toggle, reset
		s.list.Add(container.NewHBox(l, layoutSpacer(), edit, toggle, reset))
	}
	if len(us) == 0 {
		s.list.Add(note(lang.L("No central users yet.")))
	}
	s.list.Refresh()
}

func (s *usersScreen) userFrom(username, name string, role, dept *widget.Select) (centralapi.User, string) {
	r := centraldesk.CentralRoles[max(role.SelectedIndex(), 0)]
	usr := centralapi.User{Username: strings.TrimSpace(username), Name: strings.TrimSpace(name), Role: r, Department: s.deptCode(dept)}
	switch {
	case usr.Username == "":
		return usr, lang.L("Enter the user name they sign in with.")
	case usr.Name == "":
		return usr, lang.L("Enter the user's full name.")
	case r == caseflow.Admin:
		usr.Department = ""
	case usr.Department == "":
		return usr, lang.L("Choose the department the user works in.")
	}
	return usr, ""
}

func checkPassword(p1, p2 string) string {
	switch {
	case len([]rune(p1)) < MinPassword:
		return fmt.Sprintf(lang.L("The password needs at least %d characters."), MinPassword)
	case p1 != p2:
		return lang.L("The two passwords differ.")
	}
	return ""
}

func (s *usersScreen) createUser() {
	usr, problem := s.userFrom(s.username.Text, s.name.Text, s.role, s.dept)
	if problem == "" {
		problem = checkPassword(s.password.Text, s.password2.Text)
	}
	if problem != "" {
		setProblem(s.err, problem)
		return
	}
	setProblem(s.err, "")
	u := s.u
	client, password := u.client, s.password.Text
	call(u, func(ctx context.Context) (*centralv1.UserInfo, error) {
		return client.SaveUser(ctx, usr, false, password, true)
	}, func(_ *centralv1.UserInfo, err error) {
		if err != nil {
			setProblem(s.err, msg(err))
			return
		}
		for _, e := range []*widget.Entry{s.username, s.name, s.password, s.password2} {
			e.SetText("")
		}
		s.fetch()
	})
}

func (s *usersScreen) setDisabled(info *centralv1.UserInfo, disabled bool) {
	usr := info.GetUser()
	u := s.u
	client := u.client
	cu := centralapi.User{Username: usr.GetUsername(), Name: usr.GetName(), Role: caseflow.Role(usr.GetRole()), Department: usr.GetDepartment()}
	call(u, func(ctx context.Context) (*centralv1.UserInfo, error) {
		return client.SaveUser(ctx, cu, disabled, "", false)
	}, func(_ *centralv1.UserInfo, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		s.fetch()
	})
}

func (s *usersScreen) startEdit(info *centralv1.UserInfo) {
	usr := info.GetUser()
	e := &userEdit{username: usr.GetUsername(), name: widget.NewEntry(), err: problem()}
	e.name.SetText(usr.GetName())
	e.role = widget.NewSelect(roleLabels(), nil)
	for i, r := range centraldesk.CentralRoles {
		if string(r) == usr.GetRole() {
			e.role.SetSelectedIndex(i)
		}
	}
	e.dept = widget.NewSelect(s.deptNames(), nil)
	for i, d := range s.depts {
		if d.Code == usr.GetDepartment() {
			e.dept.SetSelectedIndex(i)
		}
	}
	disabled := info.GetDisabled()
	e.save = widget.NewButtonWithIcon(lang.L("Save"), theme.ConfirmIcon(), func() {
		cu, problem := s.userFrom(e.username, e.name.Text, e.role, e.dept)
		if problem != "" {
			setProblem(e.err, problem)
			return
		}
		u := s.u
		client := u.client
		call(u, func(ctx context.Context) (*centralv1.UserInfo, error) {
			return client.SaveUser(ctx, cu, disabled, "", false)
		}, func(_ *centralv1.UserInfo, err error) {
			if err != nil {
				setProblem(e.err, msg(err))
				return
			}
			e.d.Hide()
			s.fetch()
		})
	})
	e.save.Importance = widget.HighImportance
	body := container.NewVBox(widget.NewForm(
		widget.NewFormItem(lang.L("User name"), widget.NewLabel(e.username)),
		widget.NewFormItem(lang.L("Full name"), e.name),
		widget.NewFormItem(lang.L("Role"), e.role),
		widget.NewFormItem(lang.L("Department"), e.dept),
	), e.err)
	s.showEdit(e, lang.L("Edit user"), body)
}

func (s *usersScreen) startReset(username string) {
	e := &userEdit{username: username, password: widget.NewPasswordEntry(), password2: widget.NewPasswordEntry(), err: problem()}
	e.save = widget.NewButtonWithIcon(lang.L("Set password"), theme.ConfirmIcon(), func() {
		if problem := checkPassword(e.password.Text, e.password2.Text); problem != "" {
			setProblem(e.err, problem)
			return
		}
		u := s.u
		client, password := u.client, e.password.Text
		call(u, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, client.ResetPassword(ctx, username, password)
		}, func(_ struct{}, err error) {
			if err != nil {
				setProblem(e.err, msg(err))
				return
			}
			e.d.Hide()
			u.info(lang.L("Reset password"), fmt.Sprintf(lang.L("The password of %s is changed. Tell them in person."), username))
		})
	})
	e.save.Importance = widget.HighImportance
	body := container.NewVBox(widget.NewForm(
		widget.NewFormItem(lang.L("User name"), widget.NewLabel(username)),
		widget.NewFormItem(lang.L("New password"), e.password),
		widget.NewFormItem(lang.L("Password again"), e.password2),
	), e.err)
	s.showEdit(e, lang.L("Reset password"), body)
}

func (s *usersScreen) showEdit(e *userEdit, titleText string, body fyne.CanvasObject) {
	s.editing = e
	e.d = dialog.NewCustomWithoutButtons(titleText, body, s.u.win)
	e.d.SetButtons([]fyne.CanvasObject{widget.NewButton(lang.L("Cancel"), func() { e.d.Hide() }), e.save})
	e.d.Resize(fyne.NewSize(480, body.MinSize().Height+140))
	e.d.Show()
}
