package central

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
)

// shell is the signed-in window: a header with the user, the screens the
// user's role opens as tabs. A reviewer gets the department's inbox, the
// dashboard and rectifications (all scoped to the department by central);
// an administrator also gets the catalog, stations and users.
type shell struct {
	u         *UI
	tabs      *container.AppTabs
	inbox     *inboxScreen
	dashboard *dashboardScreen
	rectify   *rectifyScreen
	catalog   *catalogScreen
	stations  *stationsScreen
	users     *usersScreen
	content   fyne.CanvasObject
	loaded    map[*container.TabItem]bool
	onSelect  map[*container.TabItem]func()
}

func newShell(u *UI) *shell {
	s := &shell{u: u, loaded: map[*container.TabItem]bool{}, onSelect: map[*container.TabItem]func(){}}
	s.tabs = container.NewAppTabs()
	add := func(label string, icon fyne.Resource, content fyne.CanvasObject, load func()) *container.TabItem {
		t := container.NewTabItemWithIcon(label, icon, content)
		s.tabs.Append(t)
		s.onSelect[t] = load
		return t
	}
	s.inbox = newInboxScreen(u)
	add(lang.L("Review inbox"), theme.MailComposeIcon(), s.inbox.content, s.inbox.reload)
	if u.user.IsAdmin() {
		s.catalog = newCatalogScreen(u)
		add(lang.L("Catalog"), theme.DocumentIcon(), s.catalog.content, s.catalog.open)
		s.stations = newStationsScreen(u)
		add(lang.L("Stations and devices"), theme.ComputerIcon(), s.stations.content, s.stations.reload)
		s.users = newUsersScreen(u)
		add(lang.L("Users"), theme.AccountIcon(), s.users.content, s.users.reload)
	}
	s.dashboard = newDashboardScreen(u)
	add(lang.L("Supervision"), theme.GridIcon(), s.dashboard.content, s.dashboard.reload)
	s.rectify = newRectifyScreen(u)
	add(lang.L("Bad reviews"), theme.WarningIcon(), s.rectify.content, s.rectify.reload)
	s.tabs.OnSelected = func(t *container.TabItem) { s.load(t) }

	who := u.user.Name
	if who == "" {
		who = u.user.Username
	}
	who += " · " + u.user.Role.Label(i18n.Tag())
	if u.user.Department != "" {
		who += " · " + u.deptName(u.user.Department)
	}
	head := bold(lang.L("Bianmin Central") + " · " + u.client.URL())
	signOut := widget.NewButtonWithIcon(lang.L("Sign out"), theme.LogoutIcon(), u.signOut)
	signOut.Importance = widget.LowImportance
	header := container.NewBorder(nil, widget.NewSeparator(), head, container.NewHBox(widget.NewLabel(who), signOut))
	s.content = container.NewBorder(header, nil, nil, nil, s.tabs)
	return s
}

// start loads the first screen (and, for screenshots, opens the one asked for).
func (s *shell) start() {
	s.load(s.tabs.Selected())
	if s.u.opt.Screenshot != "" {
		s.u.screenshot(s.u.opt.Screenshot)
	}
}

func (s *shell) load(t *container.TabItem) {
	if t == nil {
		return
	}
	if fn := s.onSelect[t]; fn != nil {
		fn()
	}
}

// selectScreen shows the tab holding content.
func (s *shell) selectScreen(content fyne.CanvasObject) {
	for _, t := range s.tabs.Items {
		if t.Content == content {
			s.tabs.Select(t)
			return
		}
	}
}
