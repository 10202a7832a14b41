// Package desk is what the station's window does, without any window: take
// in an application (a Draft) and record its outcome, act on a case, print
// and keep its notices. Every action is one casefile.Change recorded with
// store.Record (case, change and outbox in one transaction) and followed by
// a kick of the sync client, so central hears of it as soon as it can and
// the clerk never waits for the network. The ui package only collects input
// and shows results; tests drive this package directly too.
package desk

import (
	"context"
	"strings"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/notice"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/google/uuid"
)

// Session is one signed-in user at this station.
type Session struct {
	Store    *store.Store
	Identity store.Identity
	User     store.User
	// Kick asks the sync client to push soon; nil when there is none.
	Kick func()
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Station heads the notices; Code and Name default to the identity's.
	Station notice.Station
}

func (s *Session) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Session) kick() {
	if s.Kick != nil {
		s.Kick()
	}
}

// Level is the station's level: township or community.
func (s *Session) Level() catalog.Level { return s.Identity.Level }

// Actor is who the session's changes are by.
func (s *Session) Actor() casefile.Actor {
	return casefile.Actor{User: s.User.Name, Name: s.User.DisplayName, Role: s.User.Role, Level: s.Identity.Level, Station: s.Identity.Station}
}

func (s *Session) station() notice.Station {
	st := s.Station
	if st.Code == "" {
		st.Code = s.Identity.Station
	}
	if st.Name == "" {
		st.Name = s.Identity.StationName
	}
	return st
}

// RolesFor lists the roles a user may have at a station of level: a
// community station has agents (代办员); a township has window clerks and,
// for the matters devolved to it, approvers and the head who approves
// extensions.
func RolesFor(level catalog.Level) []caseflow.Role {
	if level == catalog.Community {
		return []caseflow.Role{caseflow.Agent}
	}
	return []caseflow.Role{caseflow.Clerk, caseflow.Approver, caseflow.Head}
}

// newChange starts a change of action on case id by the session's user.
func (s *Session) newChange(id uuid.UUID, action caseflow.Action, at time.Time) *casefile.Change {
	return &casefile.Change{ID: uuid.Must(uuid.NewV7()), CaseID: id, Action: action, Actor: s.Actor(), At: at}
}

// Act records one action on an existing case. fill sets the action's
// payload (notice, decision, delivery…); it may be nil. The notice that goes
// with the action, if any, is printed and kept with the case.
func (s *Session) Act(ctx context.Context, caseID uuid.UUID, action caseflow.Action, fill func(*casefile.Change)) (Result, error) {
	ch := s.newChange(caseID, action, s.now())
	if fill != nil {
		fill(ch)
	}
	c, err := s.Store.Record(ctx, ch)
	if err != nil {
		return Result{}, err
	}
	s.kick()
	res := Result{Case: c, Change: ch}
	if kind := DocumentFor(action, c); kind != "" {
		res.Document, res.PDF, err = s.Print(ctx, kind, c, ch.ID)
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// Result is what an action left: the case as it now stands, the last change
// recorded and the notice printed for it (zero when none).
type Result struct {
	Case     *casefile.Case
	Change   *casefile.Change
	Document store.Document
	PDF      []byte
}

// DocumentFor names the notice an action hands the applicant ("" if none).
func DocumentFor(action caseflow.Action, c *casefile.Case) string {
	switch action {
	case caseflow.Accept:
		return notice.KindAcceptance
	case caseflow.RequestSupplement, caseflow.ReturnForSupplement:
		return notice.KindOneTime
	case caseflow.RejectIntake:
		return notice.KindNotAccepted
	case caseflow.Grant, caseflow.Refuse, caseflow.CloseOnSpot:
		return notice.DecisionKind(c)
	case caseflow.Receive:
		return notice.KindReceipt
	}
	return ""
}

// Print renders the notice of kind for c as it stands and keeps it with the
// case. changeID names the change it was printed for (uuid.Nil for a
// reprint the clerk asked for).
func (s *Session) Print(ctx context.Context, kind string, c *casefile.Case, changeID uuid.UUID) (store.Document, []byte, error) {
	issued := s.now()
	var pdf []byte
	var err error
	switch kind {
	case notice.KindAcceptance:
		pdf, err = notice.AcceptanceNotice(c, s.station(), issued)
	case notice.KindOneTime:
		pdf, err = notice.OneTimeNotice(c, nil, s.station(), issued)
	case notice.KindNotAccepted:
		pdf, err = notice.NotAcceptedNotice(c, nil, s.station(), issued)
	case notice.KindReceipt:
		pdf, err = notice.Receipt(c, s.station(), issued)
	case notice.KindGranted, notice.KindRefused:
		pdf, err = notice.DecisionNotice(c, s.station(), issued)
	default:
		return store.Document{}, nil, bmerr.Newf(bmerr.Invalid, "document_kind", "不能打印“%s”。", "cannot print %q.", kind)
	}
	if err != nil {
		return store.Document{}, nil, err
	}
	doc, err := s.Store.SaveDocument(ctx, store.Document{
		CaseID: c.ID, Kind: kind, Filename: notice.Filename(kind, c), ChangeID: changeID,
		CreatedBy: s.User.Name, CreatedAt: issued,
	}, pdf)
	return doc, pdf, err
}

// Printable lists the notices that can be printed for c as it stands now.
func Printable(c *casefile.Case) []string {
	if c == nil {
		return nil
	}
	kinds := []string{notice.KindReceipt}
	if !c.AcceptedOn.IsZero() && c.Status.Result != caseflow.NotAccepted {
		kinds = append(kinds, notice.KindAcceptance)
	}
	if c.Notice != nil && len(c.Notice.Items) > 0 {
		kinds = append(kinds, notice.KindOneTime)
	}
	if c.Status.Result == caseflow.NotAccepted && c.Notice != nil && len(c.Notice.Reasons) > 0 {
		kinds = append(kinds, notice.KindNotAccepted)
	}
	if k := notice.DecisionKind(c); k != "" {
		kinds = append(kinds, k)
	}
	return kinds
}

// ShowFullID returns the applicant's full ID number (or credit code) and
// records in the audit trail that this user looked at it.
func (s *Session) ShowFullID(ctx context.Context, c *casefile.Case) (string, error) {
	full := c.Applicant.IDNumber
	if c.Applicant.Kind == casefile.Organisation {
		full = c.Applicant.CreditCode
	}
	if err := s.Store.Audit(ctx, store.AuditEntry{User: s.User.Name, Action: "show_full_id", CaseID: c.ID, Detail: c.Number}); err != nil {
		return "", err
	}
	return full, nil
}

// CaseActions lists the actions this user may take on c now, in the order
// of their buttons: what the state machine allows the role at the station's
// level, what the matter allows that level, minus what only central does
// and what the origin station of a forwarded proxy case may no longer do.
func (s *Session) CaseActions(c *casefile.Case) []caseflow.Action {
	if c == nil {
		return nil
	}
	m := c.Matter.Matter()
	var out []caseflow.Action
	for _, a := range caseflow.Actions(c.Status, s.User.Role, s.Identity.Level) {
		switch a {
		case caseflow.Receive, caseflow.Advance, caseflow.StartParallel, caseflow.FinishParallel, caseflow.Warn:
			continue
		}
		if caseflow.CheckMatter(m, a, s.Identity.Level) != nil {
			continue
		}
		if a == caseflow.Suspend && len(c.Matter.SpecialProcedures) == 0 {
			continue // nothing to suspend for: the matter names no special procedure
		}
		if c.HandlingStation != c.OriginStation && s.Identity.Station == c.OriginStation {
			switch a {
			case caseflow.Accept, caseflow.RejectIntake, caseflow.CloseOnSpot, caseflow.Grant, caseflow.Refuse,
				caseflow.Forward, caseflow.Suspend, caseflow.Resume, caseflow.ReturnForSupplement, caseflow.Extend:
				continue
			case caseflow.RequestSupplement:
				if c.Status.State != caseflow.Received {
					continue
				}
			}
		}
		out = append(out, a)
	}
	return out
}

// nonBlank trims the lines and drops the empty ones.
func nonBlank(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Lines splits text typed in a multi-line field into its non-empty lines.
func Lines(text string) []string { return nonBlank(strings.Split(text, "\n")) }

// StandardRemedy is the remedies sentence a refusal gives when the clerk
// writes none (行政复议 within 60 days, 行政诉讼 within six months).
const StandardRemedy = notice.StandardRemedy
