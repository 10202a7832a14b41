package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/google/uuid"
)

// shell is the signed-in window: a header with the station and the user,
// the four main screens as tabs, and the status bar.
type shell struct {
	u        *UI
	tabs     *container.AppTabs
	intake   *intakeScreen
	cases    *casesScreen
	inbox    *inboxScreen
	settings *settingsScreen
	status   *statusBar
	content  fyne.CanvasObject
}

// Tab indexes, in the order of the tabs (and of Ctrl+1…4).
const (
	tabIntake = iota
	tabCases
	tabInbox
	tabSettings
)

func newShell(u *UI) *shell {
	s := &shell{u: u}
	s.status = newStatusBar(u.syncNow, u.showRejected)
	s.intake = newIntakeScreen(u)
	s.cases = newCasesScreen(u)
	s.inbox = newInboxScreen(u)
	s.settings = newSettingsScreen(u)
	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("Intake"), theme.DocumentCreateIcon(), s.intake.content),
		container.NewTabItemWithIcon(lang.L("Cases"), theme.ListIcon(), s.cases.content),
		container.NewTabItemWithIcon(lang.L("Inbox"), theme.MailComposeIcon(), s.inbox.content),
		container.NewTabItemWithIcon(lang.L("Settings"), theme.SettingsIcon(), s.settings.content),
	)
	s.tabs.OnSelected = func(t *container.TabItem) {
		switch s.tabs.SelectedIndex() {
		case tabCases:
			s.cases.reload()
		case tabInbox:
			s.inbox.reload()
		}
	}
	who := widget.NewLabel(u.session.User.DisplayName + " · " + u.session.User.Role.Label(i18n.Tag()))
	station := widget.NewLabel(stationLine(u.id))
	station.TextStyle.Bold = true
	signOut := widget.NewButtonWithIcon(lang.L("Sign out"), theme.LogoutIcon(), u.signOut)
	signOut.Importance = widget.LowImportance
	header := container.NewBorder(nil, widget.NewSeparator(), station, container.NewHBox(who, signOut))
	s.content = container.NewBorder(header, s.status.content, nil, nil, s.tabs)
	s.shortcuts()
	return s
}

// shortcuts: Ctrl+1…4 switch screens, F5 syncs now.
func (s *shell) shortcuts() {
	c := s.u.win.Canvas()
	for i, key := range []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4} {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
			if s.u.shell == s {
				s.tabs.SelectIndex(i)
			}
		})
	}
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyF5 && s.u.shell == s {
			s.u.syncNow()
		}
	})
}

func (s *shell) focusStart() {
	s.u.win.Canvas().Focus(s.intake.search)
}

// refresh reloads what shows cases after new data arrived.
func (s *shell) refresh() {
	switch s.tabs.SelectedIndex() {
	case tabCases:
		s.cases.refresh()
	case tabInbox:
		s.inbox.reload()
	}
}

// openCase shows a case's detail on the cases screen.
func (s *shell) openCase(id uuid.UUID) {
	s.tabs.SelectIndex(tabCases)
	s.cases.open(id)
}
