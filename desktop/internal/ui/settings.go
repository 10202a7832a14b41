package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/workcal"
)

// settingsScreen: the language, this station's enrollment, sync, and for a
// user who may manage users, the station's staff.
type settingsScreen struct {
	u        *UI
	language *widget.RadioGroup
	users    *fyne.Container
	addUser  *userForm
	content  fyne.CanvasObject
}

func newSettingsScreen(u *UI) *settingsScreen {
	s := &settingsScreen{u: u}
	s.language = widget.NewRadioGroup([]string{"中文", "English"}, func(v string) {
		want := i18n.Chinese
		if v == "English" {
			want = i18n.English
		}
		if want != i18n.Current() {
			u.SetLanguage(want)
		}
	})
	s.language.Horizontal = true
	if i18n.Current() == i18n.English {
		s.language.Selected = "English"
	} else {
		s.language.Selected = "中文"
	}
	id := u.id
	parent := id.Parent
	if parent == "" {
		parent = "—"
	}
	catVersion := "—"
	if _, _, v, err := u.st.Catalog(ctx()); err == nil {
		catVersion = fmt.Sprint(v)
	}
	station := widget.NewForm(
		widget.NewFormItem(lang.L("Station"), widget.NewLabel(id.StationName)),
		widget.NewFormItem(lang.L("Station code"), widget.NewLabel(id.Station)),
		widget.NewFormItem(lang.L("Level"), widget.NewLabel(id.Level.Label(i18n.Tag()))),
		widget.NewFormItem(lang.L("Parent township"), widget.NewLabel(parent)),
		widget.NewFormItem(lang.L("Central server"), widget.NewLabel(id.ServerURL)),
		widget.NewFormItem(lang.L("Device"), widget.NewLabel(id.DeviceID)),
		widget.NewFormItem(lang.L("Enrolled"), widget.NewLabel(id.EnrolledAt.In(workcal.Shanghai).Format("2006-01-02 15:04"))),
		widget.NewFormItem(lang.L("Catalog version"), widget.NewLabel(catVersion)),
	)
	syncNow := widget.NewButtonWithIcon(lang.L("Sync now"), theme.ViewRefreshIcon(), u.syncNow)
	rejected := widget.NewButtonWithIcon(lang.L("Changes refused by central"), theme.WarningIcon(), u.showRejected)
	box := container.NewVBox(
		widget.NewCard(lang.L("Language"), "", s.language),
		widget.NewCard(lang.L("This station"), "", container.NewVBox(station, container.NewHBox(syncNow, rejected))),
	)
	if u.session.User.Admin {
		s.users = container.NewVBox()
		s.addUser = newUserForm(u, false, func(store.User) { s.listUsers() })
		s.listUsers()
		box.Add(widget.NewCard(lang.L("Users"), lang.L("Staff who may sign in at this station"), container.NewVBox(s.users, widget.NewSeparator(), s.addUser.form)))
	}
	s.content = container.NewVScroll(container.NewPadded(box))
	return s
}

func (s *settingsScreen) listUsers() {
	users, err := s.u.st.Users(ctx())
	if err != nil {
		s.u.showError(err)
		return
	}
	s.users.RemoveAll()
	for _, usr := range users {
		usr := usr
		text := fmt.Sprintf("%s (%s) · %s", usr.DisplayName, usr.Name, usr.Role.Label(i18n.Tag()))
		if usr.Admin {
			text += " · " + lang.L("manages users")
		}
		if usr.Disabled {
			text += " · " + lang.L("disabled")
		}
		row := container.NewHBox(widget.NewLabel(text), layoutSpacer())
		if usr.Name != s.u.session.User.Name {
			label := lang.L("Disable")
			if usr.Disabled {
				label = lang.L("Enable")
			}
			row.Add(widget.NewButton(label, func() {
				usr.Disabled = !usr.Disabled
				usr.PasswordHash = ""
				if err := s.u.st.UpdateUser(ctx(), usr); err != nil {
					s.u.showError(err)
				}
				s.listUsers()
			}))
		}
		s.users.Add(row)
	}
}
