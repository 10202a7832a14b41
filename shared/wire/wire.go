// Package wire converts between the domain types of shared/casefile and the
// generated protobuf messages of bianmin.sync.v1, so that the domain never
// imports protobuf and the generated types stay at the edge (the syncthing
// toWire/fromWire habit). Both the station's sync client and central's sync
// service call it; neither builds a syncv1 message by hand.
//
// The conversion is about shape only. FromWire checks what the domain cannot
// hold (an id that is not a UUID, a date that is not a date, a timestamp out
// of range) and returns a *bmerr.Error with Code Invalid, a Reason "wire_…"
// and Field set to the proto field path, e.g. "intake.applicant.birth" or
// "stopped[2].from". Whether the change makes sense — a known action, an
// allowed role, a valid ID number — is Apply's business, not this package's.
// FromWire never panics, whatever the message holds, including nil
// sub-messages.
//
// Conventions, the same in every message:
//
//   - Dates are "YYYY-MM-DD"; the zero Date is "" and "" is the zero Date.
//   - A zero time.Time is an absent Timestamp and back. Nanoseconds are kept;
//     times come back in UTC. The domain compares times with Equal, so only
//     the location is lost, never the instant.
//   - A nil optional sub-message is a nil pointer; a nil required one (the
//     actor, the applicant, the case's status…) is the zero value.
//   - Protobuf cannot tell an empty repeated field from an absent one, so
//     FromWire returns nil for both: an empty domain slice comes back nil.
//   - Enum-like domain strings (action, role, level, state…) are copied as
//     they are; unknown values pass through for the domain to judge.
//   - Domain counts are int, wire counts int32. ToWire saturates a count
//     outside the int32 range instead of wrapping it, so an absurd count stays
//     absurd (and is refused by the domain) rather than changing sign.
//
// ToWire cannot fail, so it does not validate: a Date that is not a real day
// or a time outside years 1–9999 is sent as it is and refused by the
// receiver's FromWire, and proto.Marshal refuses a string that is not valid
// UTF-8.
package wire

import (
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

// ChangeToWire returns the wire form of c; nil for a nil c.
func ChangeToWire(c *casefile.Change) *syncv1.Change {
	if c == nil {
		return nil
	}
	w := &syncv1.Change{
		Id:          c.ID.String(),
		CaseId:      c.CaseID.String(),
		Action:      string(c.Action),
		Actor:       actorToWire(&c.Actor),
		At:          timeToWire(c.At),
		BaseVersion: c.BaseVersion,
		Materials:   messagesToWire(c.Materials, materialToWire),
		Note:        c.Note,
	}
	if c.Intake != nil {
		w.Intake = intakeToWire(c.Intake)
	}
	if c.Notice != nil {
		w.Notice = noticeToWire(c.Notice)
	}
	if c.Decision != nil {
		w.Decision = decisionToWire(c.Decision)
	}
	if c.Suspension != nil {
		w.Suspension = suspensionToWire(c.Suspension)
	}
	if c.Extension != nil {
		w.Extension = extensionToWire(c.Extension)
	}
	if c.Delivery != nil {
		w.Delivery = deliveryToWire(c.Delivery)
	}
	if c.Rating != nil {
		w.Rating = ratingToWire(c.Rating)
	}
	if c.Warning != nil {
		w.Warning = warningToWire(c.Warning)
	}
	if c.Step != nil {
		w.Step = stepToWire(c.Step)
	}
	return w
}

// ChangeFromWire returns the domain form of w. A nil w, a malformed id or
// case_id, a malformed date or an invalid timestamp is a *bmerr.Error with
// Code Invalid.
func ChangeFromWire(w *syncv1.Change) (*casefile.Change, error) {
	if w == nil {
		return nil, missing("change", "办件变更")
	}
	c := &casefile.Change{
		Action:      caseflow.Action(w.GetAction()),
		Actor:       actorFromWire(w.GetActor()),
		BaseVersion: w.GetBaseVersion(),
		Materials:   messagesFromWire(w.GetMaterials(), materialFromWire),
		Note:        w.GetNote(),
	}
	var err error
	if c.ID, err = uuidFromWire("id", w.GetId()); err != nil {
		return nil, err
	}
	if c.CaseID, err = uuidFromWire("case_id", w.GetCaseId()); err != nil {
		return nil, err
	}
	if c.At, err = timeFromWire("at", w.GetAt()); err != nil {
		return nil, err
	}
	if x := w.GetIntake(); x != nil {
		if c.Intake, err = intakeFromWire(x); err != nil {
			return nil, within("intake", err)
		}
	}
	if x := w.GetNotice(); x != nil {
		c.Notice = noticeFromWire(x)
	}
	if x := w.GetDecision(); x != nil {
		if c.Decision, err = decisionFromWire(x); err != nil {
			return nil, within("decision", err)
		}
	}
	if x := w.GetSuspension(); x != nil {
		c.Suspension = suspensionFromWire(x)
	}
	if x := w.GetExtension(); x != nil {
		c.Extension = extensionFromWire(x)
	}
	if x := w.GetDelivery(); x != nil {
		if c.Delivery, err = deliveryFromWire(x); err != nil {
			return nil, within("delivery", err)
		}
	}
	if x := w.GetRating(); x != nil {
		if c.Rating, err = ratingFromWire(x); err != nil {
			return nil, within("rating", err)
		}
	}
	if x := w.GetWarning(); x != nil {
		v, err := warningFromWire(x)
		if err != nil {
			return nil, within("warning", err)
		}
		c.Warning = &v
	}
	if x := w.GetStep(); x != nil {
		v := stepFromWire(x)
		c.Step = &v
	}
	return c, nil
}

// CaseToWire returns the wire form of c; nil for a nil c.
func CaseToWire(c *casefile.Case) *syncv1.Case {
	if c == nil {
		return nil
	}
	w := &syncv1.Case{
		Id:              c.ID.String(),
		Number:          c.Number,
		Matter:          matterToWire(&c.Matter),
		OriginStation:   c.OriginStation,
		OriginLevel:     string(c.OriginLevel),
		HandlingStation: c.HandlingStation,
		Route:           &syncv1.Route{AcceptAt: string(c.Route.AcceptAt), DecideAt: string(c.Route.DecideAt)},
		Applicant:       applicantToWire(&c.Applicant),
		Mode:            string(c.Mode),
		Materials:       messagesToWire(c.Materials, materialToWire),
		Status:          statusToWire(&c.Status),
		ReceivedAt:      timeToWire(c.ReceivedAt),
		ReceivedOn:      dateToWire(c.ReceivedOn),
		AcceptedOn:      dateToWire(c.AcceptedOn),
		DueOn:           dateToWire(c.DueOn),
		LegalDueOn:      dateToWire(c.LegalDueOn),
		DecidedOn:       dateToWire(c.DecidedOn),
		ClosedOn:        dateToWire(c.ClosedOn),
		Stopped:         messagesToWire(c.Stopped, spanToWire),
		StoppedOn:       dateToWire(c.StoppedOn),
		Warnings:        messagesToWire(c.Warnings, warningToWire),
		Steps:           messagesToWire(c.Steps, stepToWire),
		Version:         c.Version,
		UpdatedAt:       timeToWire(c.UpdatedAt),
	}
	if c.Proxy != nil {
		w.Proxy = proxyToWire(c.Proxy)
	}
	if c.Suspension != nil {
		w.Suspension = suspensionToWire(c.Suspension)
	}
	if c.Extension != nil {
		w.Extension = extensionToWire(c.Extension)
	}
	if c.Notice != nil {
		w.Notice = noticeToWire(c.Notice)
	}
	if c.Decision != nil {
		w.Decision = decisionToWire(c.Decision)
	}
	if c.Delivery != nil {
		w.Delivery = deliveryToWire(c.Delivery)
	}
	if c.Rating != nil {
		w.Rating = ratingToWire(c.Rating)
	}
	if c.Pipeline != nil {
		w.Pipeline = pipelineToWire(c.Pipeline)
	}
	return w
}

// CaseFromWire returns the domain form of w. A nil w, a malformed id, a
// malformed date or an invalid timestamp is a *bmerr.Error with Code Invalid.
func CaseFromWire(w *syncv1.Case) (*casefile.Case, error) {
	if w == nil {
		return nil, missing("case", "办件")
	}
	c := &casefile.Case{
		Number:          w.GetNumber(),
		Matter:          matterFromWire(w.GetMatter()),
		OriginStation:   w.GetOriginStation(),
		OriginLevel:     catalog.Level(w.GetOriginLevel()),
		HandlingStation: w.GetHandlingStation(),
		Route: caseflow.Route{
			AcceptAt: catalog.Level(w.GetRoute().GetAcceptAt()),
			DecideAt: catalog.Level(w.GetRoute().GetDecideAt()),
		},
		Mode:      casefile.ServiceMode(w.GetMode()),
		Materials: messagesFromWire(w.GetMaterials(), materialFromWire),
		Status:    statusFromWire(w.GetStatus()),
		Steps:     messagesFromWire(w.GetSteps(), stepFromWire),
		Version:   w.GetVersion(),
	}
	var err error
	if c.ID, err = uuidFromWire("id", w.GetId()); err != nil {
		return nil, err
	}
	if c.Applicant, err = applicantFromWire(w.GetApplicant()); err != nil {
		return nil, within("applicant", err)
	}
	if x := w.GetProxy(); x != nil {
		c.Proxy = proxyFromWire(x)
	}
	if c.ReceivedAt, err = timeFromWire("received_at", w.GetReceivedAt()); err != nil {
		return nil, err
	}
	if c.UpdatedAt, err = timeFromWire("updated_at", w.GetUpdatedAt()); err != nil {
		return nil, err
	}
	dates := []struct {
		field string
		wire  string
		to    *workcal.Date
	}{
		{"received_on", w.GetReceivedOn(), &c.ReceivedOn},
		{"accepted_on", w.GetAcceptedOn(), &c.AcceptedOn},
		{"due_on", w.GetDueOn(), &c.DueOn},
		{"legal_due_on", w.GetLegalDueOn(), &c.LegalDueOn},
		{"decided_on", w.GetDecidedOn(), &c.DecidedOn},
		{"closed_on", w.GetClosedOn(), &c.ClosedOn},
		{"stopped_on", w.GetStoppedOn(), &c.StoppedOn},
	}
	for _, d := range dates {
		if *d.to, err = dateFromWire(d.field, d.wire); err != nil {
			return nil, err
		}
	}
	if c.Stopped, err = messagesFromWireErr("stopped", w.GetStopped(), spanFromWire); err != nil {
		return nil, err
	}
	if x := w.GetSuspension(); x != nil {
		c.Suspension = suspensionFromWire(x)
	}
	if x := w.GetExtension(); x != nil {
		c.Extension = extensionFromWire(x)
	}
	if x := w.GetNotice(); x != nil {
		c.Notice = noticeFromWire(x)
	}
	if x := w.GetDecision(); x != nil {
		if c.Decision, err = decisionFromWire(x); err != nil {
			return nil, within("decision", err)
		}
	}
	if x := w.GetDelivery(); x != nil {
		if c.Delivery, err = deliveryFromWire(x); err != nil {
			return nil, within("delivery", err)
		}
	}
	if x := w.GetRating(); x != nil {
		if c.Rating, err = ratingFromWire(x); err != nil {
			return nil, within("rating", err)
		}
	}
	if c.Warnings, err = messagesFromWireErr("warnings", w.GetWarnings(), warningFromWire); err != nil {
		return nil, err
	}
	if x := w.GetPipeline(); x != nil {
		if c.Pipeline, err = pipelineFromWire(x); err != nil {
			return nil, within("pipeline", err)
		}
	}
	return c, nil
}

func uuidFromWire(field, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.UUID{}, bmerr.Newf(bmerr.Invalid, "wire_uuid",
			"同步数据中的编号“%s”不是有效的 UUID，无法识别这条记录。",
			"the synced data has an id %q that is not a valid UUID, so the record cannot be identified.",
			clip(s)).WithField(field)
	}
	return id, nil
}

// missing reports a nil top-level message: a caller bug or an empty request.
// Newf formats both languages with the same arguments, hence %[1]s and %[2]s.
func missing(field, zh string) error {
	return bmerr.Newf(bmerr.Invalid, "wire_missing",
		"没有收到%[1]s的同步数据。",
		"no %[2]s was received in the synced data.", zh, field).WithField(field)
}
