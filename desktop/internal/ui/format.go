package ui

import (
	"fmt"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/desktop/internal/notice"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/workcal"
)

// modeLabel names a service mode.
func modeLabel(m casefile.ServiceMode) string {
	switch m {
	case casefile.WalkIn:
		return lang.L("Walk-in")
	case casefile.Appointment:
		return lang.L("Appointment")
	case casefile.DoorToDoor:
		return lang.L("Door-to-door")
	case casefile.ExtendedHours:
		return lang.L("Extended hours")
	case casefile.GreenChannel:
		return lang.L("Green channel")
	}
	return string(m)
}

// warningLabel names a supervision warning ("" for none).
func warningLabel(w casefile.WarningLevel) string {
	switch w {
	case casefile.Reminder:
		return lang.L("Reminder")
	case casefile.Yellow:
		return lang.L("Yellow card")
	case casefile.Red:
		return lang.L("Red card")
	}
	return ""
}

func warningImportance(w casefile.WarningLevel) widget.Importance {
	switch w {
	case casefile.Red:
		return widget.DangerImportance
	case casefile.Yellow, casefile.Reminder:
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

// caseSyncLabel names a case's sync state.
func caseSyncLabel(s string) string {
	switch s {
	case store.CaseSynced:
		return lang.L("Synced")
	case store.CasePending:
		return lang.L("Waiting to sync")
	case store.CaseConflict:
		return lang.L("Conflict")
	case store.CaseRejected:
		return lang.L("Rejected")
	}
	return s
}

// changeSyncLabel names a change's sync state.
func changeSyncLabel(s string) string {
	switch s {
	case store.StatePending:
		return lang.L("not yet sent")
	case store.StateSent:
		return lang.L("sent, awaiting reply")
	case store.StateSynced:
		return lang.L("synced")
	case store.StateRejected:
		return lang.L("rejected by central")
	case store.StateDeferred:
		return lang.L("deferred by central")
	case store.StateRemote:
		return lang.L("from central")
	}
	return s
}

func changeSyncImportance(s string) widget.Importance {
	switch s {
	case store.StateRejected:
		return widget.DangerImportance
	case store.StatePending, store.StateSent, store.StateDeferred:
		return widget.WarningImportance
	case store.StateSynced:
		return widget.SuccessImportance
	}
	return widget.MediumImportance
}

func stateLabel(s caseflow.State) string { return s.Label(i18n.Tag()) }

func date(d workcal.Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.String()
}

// limitText is "25 working days" / "on the spot".
func limitText(l workcal.Limit) string {
	if l.N == 0 {
		return lang.L("on the spot")
	}
	return fmt.Sprintf("%d %s", l.N, l.Unit.Label(i18n.Tag()))
}

// docKind names a notice kind (the notice package's Chinese title) in the
// UI language.
func docKind(kind string) string {
	if i18n.Tag() == i18n.Chinese {
		return kind
	}
	switch kind {
	case notice.KindReceipt:
		return lang.L("Receipt")
	case notice.KindOneTime:
		return lang.L("One-time notice")
	case notice.KindAcceptance:
		return lang.L("Acceptance notice")
	case notice.KindNotAccepted:
		return lang.L("Notice of non-acceptance")
	case notice.KindGranted:
		return lang.L("Decision to grant")
	case notice.KindRefused:
		return lang.L("Decision to refuse")
	}
	return kind
}
