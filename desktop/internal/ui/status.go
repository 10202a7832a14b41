package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/desktop/internal/syncclient"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/workcal"
)

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }

// statusBar is the strip at the bottom of the main window: whether central
// can be reached (and why not), how many changes wait, how many central
// refused, when the last sync succeeded, progress while a sync runs, and a
// button to sync now.
type statusBar struct {
	online   *widget.Label
	pending  *widget.Label
	rejected *widget.Button
	lastSync *widget.Label
	progress *widget.ProgressBar
	progBox  *fyne.Container // holds the progress bar at a fixed width
	detail   *widget.Label   // phase, items and bytes of the running sync
	clock    *widget.Label   // the station clock is off central's
	syncNow  *widget.Button
	content  *fyne.Container

	onRejected func()
}

func newStatusBar(onSyncNow, onRejected func()) *statusBar {
	b := &statusBar{
		online: widget.NewLabel(""), pending: widget.NewLabel(""), lastSync: widget.NewLabel(""),
		progress: widget.NewProgressBar(), detail: widget.NewLabel(""), clock: widget.NewLabel(""), onRejected: onRejected,
	}
	b.clock.Importance = widget.DangerImportance
	b.clock.Hide()
	b.online.Truncation = fyne.TextTruncateClip
	b.rejected = widget.NewButtonWithIcon("", theme.WarningIcon(), func() {
		if b.onRejected != nil {
			b.onRejected()
		}
	})
	b.rejected.Importance = widget.DangerImportance
	b.syncNow = widget.NewButtonWithIcon(lang.L("Sync now"), theme.ViewRefreshIcon(), onSyncNow)
	b.progress.TextFormatter = func() string { return "" }
	b.progBox = container.NewGridWrap(fyne.NewSize(140, b.progress.MinSize().Height), b.progress)
	right := container.NewHBox(b.clock, b.pending, b.rejected, b.lastSync, b.progBox, b.detail, b.syncNow)
	b.content = container.NewBorder(widget.NewSeparator(), nil, nil, right, b.online)
	return b
}

// Show displays s; now is used to say "today" for the last sync.
func (b *statusBar) Show(s syncclient.Status, now time.Time) {
	switch {
	case s.Online:
		b.online.SetText("● " + lang.L("Online"))
		b.online.Importance = widget.SuccessImportance
	case s.LastError != nil && s.LastError.Code == bmerr.Unavailable:
		// The network's own words (dial tcp …) help nobody at the window.
		b.online.SetText("○ " + lang.L("Offline") + lang.L(": ") + lang.L("cannot reach central. Work is saved here and is sent when the connection is back.") + retry(s.NextTry, now))
		b.online.Importance = widget.WarningImportance
	case s.LastError != nil:
		b.online.SetText("○ " + lang.L("Offline") + lang.L(": ") + oneLine(s.LastError.Message(i18n.Tag())) + retry(s.NextTry, now))
		b.online.Importance = widget.WarningImportance
	default:
		b.online.SetText("○ " + lang.L("Connecting to central…"))
		b.online.Importance = widget.MediumImportance
	}
	b.online.Refresh()
	b.pending.SetText(fmt.Sprintf(lang.L("%d waiting to sync"), s.Pending))
	if s.Rejected > 0 {
		b.rejected.SetText(fmt.Sprintf(lang.L("%d rejected"), s.Rejected))
		b.rejected.Show()
	} else {
		b.rejected.Hide()
	}
	b.lastSync.SetText(lang.L("Last sync") + " " + when(s.LastSync, now))
	if t := skewText(s.ClockSkew); t != "" {
		b.clock.SetText(t)
		b.clock.Show()
	} else {
		b.clock.Hide()
	}
	if s.Syncing {
		b.syncNow.Disable()
		b.progBox.Show()
		b.detail.Show()
		b.progress.SetValue(fraction(s))
		b.detail.SetText(progressText(s))
	} else {
		b.syncNow.Enable()
		b.progBox.Hide()
		b.detail.Hide()
	}
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}

func fraction(s syncclient.Status) float64 {
	switch {
	case s.BytesTotal > 0:
		return float64(s.BytesDone) / float64(s.BytesTotal)
	case s.ItemsTotal > 0:
		return float64(s.ItemsDone) / float64(s.ItemsTotal)
	}
	return 0
}

// retry says when an offline client tries again, if it is waiting.
func retry(next, now time.Time) string {
	if next.IsZero() || !next.After(now) {
		return ""
	}
	// The English starts with a space; Chinese runs on after "。".
	return fmt.Sprintf(lang.L("Next try at %s."), next.In(workcal.Shanghai).Format("15:04:05"))
}

// skewText warns that the station clock differs from central's by more
// than syncapi.ClockSkewSeconds (central reports nothing smaller): due
// dates are computed from this machine's date, so it must be put right.
func skewText(skew time.Duration) string {
	minutes := int(skew.Abs().Round(time.Minute) / time.Minute)
	switch {
	case skew == 0:
		return ""
	case skew > 0:
		return "⚠ " + fmt.Sprintf(lang.L("This computer's clock is %d min ahead of central: set the time right, due dates follow it."), minutes)
	}
	return "⚠ " + fmt.Sprintf(lang.L("This computer's clock is %d min behind central: set the time right, due dates follow it."), minutes)
}

// phases names what a running sync is doing.
var phases = map[string]string{"upload": "Uploading attachments", "push": "Sending changes", "pull": "Receiving news", "resync": "Full resync"}

func progressText(s syncclient.Status) string {
	var parts []string
	if p, ok := phases[s.Phase]; ok {
		parts = append(parts, lang.L(p))
	}
	if s.ItemsTotal > 0 {
		parts = append(parts, fmt.Sprintf(lang.L("%d/%d items"), s.ItemsDone, s.ItemsTotal))
	}
	if s.BytesTotal > 0 {
		parts = append(parts, fmt.Sprintf("%s/%s", size(s.BytesDone), size(s.BytesTotal)))
	}
	if len(parts) == 0 {
		return lang.L("Syncing…")
	}
	return strings.Join(parts, " · ")
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// when formats an instant for people: "14:32" today, else "2026-02-12 14:32".
func when(t, now time.Time) string {
	if t.IsZero() {
		return lang.L("never")
	}
	lt := t.In(workcal.Shanghai)
	if workcal.DateOf(t) == workcal.DateOf(now) {
		return lang.L("today") + " " + lt.Format("15:04")
	}
	return lt.Format("2006-01-02 15:04")
}

// showRejected lists the changes central refused, each with central's
// reason, in the clerk's language; a tap opens the case.
func (u *UI) showRejected() {
	rows, err := u.st.Rejected(ctx())
	if err != nil {
		u.showError(err)
		return
	}
	var d dialog.Dialog
	list := rejectedList(rows, u.caseNumber, func(r store.ChangeRow) {
		if d != nil {
			d.Hide()
		}
		if u.shell != nil {
			u.shell.openCase(r.CaseID)
		}
	})
	body := fyne.CanvasObject(list)
	if len(rows) == 0 {
		body = widget.NewLabel(lang.L("Central has refused none of this station's changes."))
	}
	intro := note(lang.L("Central refused these changes. They are kept here and left out of the cases; correct the case and record the action again if it is still needed."))
	c := container.NewBorder(intro, nil, nil, nil, body)
	d = dialog.NewCustom(lang.L("Changes refused by central"), lang.L("Close"), c, u.win)
	d.Resize(fyne.NewSize(760, 480))
	d.Show()
}

// rejectedList shows each refused change: case number, action, time and
// central's message.
func rejectedList(rows []store.ChangeRow, number func(store.ChangeRow) string, open func(store.ChangeRow)) *widget.List {
	l := widget.NewList(func() int { return len(rows) },
		func() fyne.CanvasObject {
			head := widget.NewLabel("")
			head.TextStyle.Bold = true
			why := widget.NewLabel("")
			why.Wrapping = fyne.TextWrapWord
			why.Importance = widget.DangerImportance
			return container.NewVBox(head, why)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := rows[i]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(number(r) + "  " + r.Action.Label(i18n.Tag()) + "  " + r.At.In(workcal.Shanghai).Format("2006-01-02 15:04"))
			box.Objects[1].(*widget.Label).SetText(rejectionText(r))
		})
	l.OnSelected = func(i widget.ListItemID) { open(rows[i]) }
	return l
}

// rejectionText is central's reason for refusing a change, in the UI language.
func rejectionText(r store.ChangeRow) string {
	m := r.MessageZh
	if i18n.Tag() == i18n.English || m == "" {
		m = r.MessageEn
	}
	if m == "" {
		m = r.Reason
	}
	return m
}

// caseNumber is the case number of a change's case, for lists of changes.
func (u *UI) caseNumber(r store.ChangeRow) string {
	if r.Change != nil && r.Change.Intake != nil {
		return r.Change.Intake.Number
	}
	if v, err := u.st.Case(ctx(), r.CaseID); err == nil {
		if v.Case != nil {
			return v.Case.Number
		}
		if v.Confirmed != nil {
			return v.Confirmed.Number
		}
	}
	return r.CaseID.String()[:8]
}
