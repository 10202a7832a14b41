package central

// screenshot opens a central screen in a state worth showing, for `make
// screenshots`, and announces when it has loaded.
func (u *UI) screenshot(screen string) {
	s := u.shell
	ready := func() {
		if u.opt.Announce != nil {
			u.opt.Announce("screenshot ready: " + screen)
		}
	}
	// An empty inbox makes a poor picture: try the next user, if any.
	nextUser := func() bool {
		if len(s.inbox.items) > 0 || len(u.shotUsers) < 2 {
			return false
		}
		u.shotUsers = u.shotUsers[1:]
		u.signOut()
		return true
	}
	switch screen {
	case "central-inbox":
		s.inbox.loaded = func() {
			if !nextUser() {
				ready()
			}
		}
		s.inbox.reload()
	case "central-review":
		s.inbox.loaded = func() {
			if nextUser() {
				return
			}
			if len(s.inbox.items) == 0 {
				ready()
				return
			}
			s.inbox.openCase(s.inbox.items[0].GetCaseId())
			s.inbox.review.loaded = ready
		}
		s.inbox.reload()
	case "central-dashboard":
		s.selectScreen(s.dashboard.content)
		s.dashboard.loaded = ready
		s.dashboard.reload()
	default:
		ready()
	}
}
