package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
)

// Draft is an application being taken in at the window, before anything is
// recorded: the matter, the applicant, the proxy details, the service mode,
// one record per catalog material and the scans attached so far.
type Draft struct {
	Matter    *catalog.Matter
	Applicant casefile.Applicant
	Proxy     *casefile.Proxy
	Mode      casefile.ServiceMode
	Materials []casefile.MaterialRecord // one per catalog material, in catalog order
	scans     map[string][]byte
}

// NewDraft starts an application for m: nothing received yet, walk-in.
func NewDraft(m *catalog.Matter) *Draft {
	d := &Draft{Matter: m, Mode: casefile.WalkIn, Applicant: casefile.Applicant{Kind: casefile.Person}, scans: map[string][]byte{}}
	for _, mat := range m.Materials {
		d.Materials = append(d.Materials, casefile.MaterialRecord{Code: mat.Code})
	}
	return d
}

// Material returns the record of material code (nil if the matter has none).
func (d *Draft) Material(code string) *casefile.MaterialRecord {
	for i := range d.Materials {
		if d.Materials[i].Code == code {
			return &d.Materials[i]
		}
	}
	return nil
}

// Receive marks material code received: the original seen when the catalog
// asks for one and the copies it asks for, or unmarks it. Unmarking also
// clears 容缺后补.
func (d *Draft) Receive(code string, received bool) {
	r := d.Material(code)
	mat, ok := d.Matter.Material(code)
	if r == nil || !ok {
		return
	}
	r.Received = received
	if received {
		r.Deferred = false
		r.Original = mat.Originals > 0
		r.Copies = mat.Copies
	} else {
		r.Original, r.Copies = false, 0
	}
}

// Defer marks a deferrable material to be supplied later (容缺后补).
func (d *Draft) Defer(code string, deferred bool) error {
	r := d.Material(code)
	mat, ok := d.Matter.Material(code)
	if r == nil || !ok {
		return nil
	}
	if deferred && mat.Necessity != catalog.Deferrable {
		return bmerr.Newf(bmerr.Invalid, "material_not_deferrable", "“%s”不是容缺后补材料，不能后补。", "%q cannot be supplied later.", mat.Name)
	}
	r.Deferred = deferred
	if deferred {
		r.Received, r.Original, r.Copies = false, false, 0
	}
	return nil
}

// AttachScan checks a scan by its content and size and attaches it to
// material code (which counts as received).
func (d *Draft) AttachScan(code, name string, data []byte) (casefile.Attachment, error) {
	mime, err := CheckScan(name, data)
	if err != nil {
		return casefile.Attachment{}, err
	}
	r := d.Material(code)
	if r == nil {
		return casefile.Attachment{}, bmerr.Newf(bmerr.Invalid, "material_unknown", "材料“%s”不属于本事项。", "material %q is not one of this matter's.", code)
	}
	sum := sha256.Sum256(data)
	a := casefile.Attachment{SHA256: hex.EncodeToString(sum[:]), Name: baseName(name), MIME: mime, Size: int64(len(data))}
	if slices.ContainsFunc(r.Attachments, func(x casefile.Attachment) bool { return x.SHA256 == a.SHA256 }) {
		return a, nil
	}
	r.Attachments = append(r.Attachments, a)
	if !r.Received {
		d.Receive(code, true)
	}
	d.scans[a.SHA256] = data
	return a, nil
}

// RemoveScan takes a scan off material code.
func (d *Draft) RemoveScan(code, sha string) {
	if r := d.Material(code); r != nil {
		r.Attachments = slices.DeleteFunc(r.Attachments, func(a casefile.Attachment) bool { return a.SHA256 == sha })
	}
	delete(d.scans, sha)
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// Missing lists the materials that stop the case being accepted now:
// exactly what a one-time notice must list.
func (d *Draft) Missing() []catalog.Material {
	return casefile.MissingForAcceptance(d.Matter, d.Materials)
}

// MissingItems prefills a one-time notice with every missing material and
// what is asked for it.
func (d *Draft) MissingItems() []casefile.MissingItem {
	var out []casefile.MissingItem
	for _, m := range d.Missing() {
		out = append(out, casefile.MissingItem{Material: m.Code, Name: m.Name, Note: missingNote(m)})
	}
	return out
}

func missingNote(m catalog.Material) string {
	var parts []string
	if m.Originals > 0 {
		parts = append(parts, "原件")
	}
	if m.Copies > 0 {
		parts = append(parts, "复印件 "+itoa(m.Copies)+" 份")
	}
	note := "请提供"
	if len(parts) > 0 {
		note += strings.Join(parts, "及")
	}
	if m.Note != "" {
		note += "；" + m.Note
	}
	return note
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// Outcome is what the window does with an application.
type Outcome string

const (
	OutcomeAccept      Outcome = "accept"       // 受理
	OutcomeOnTheSpot   Outcome = "on_the_spot"  // 即办办结
	OutcomeOneTime     Outcome = "one_time"     // 一次性告知
	OutcomeNotAccepted Outcome = "not_accepted" // 不予受理
	OutcomeProxy       Outcome = "proxy"        // 代办转交
)

// Outcomes lists what this station may do with an application for m, in
// the order of the buttons. A station that may accept the matter accepts it
// (and closes it at once when it is an on-the-spot matter it also decides)
// or refuses to accept it; a community station collects what it may not
// accept and forwards it to its township (代办转交). Every station may give a
// one-time notice of what is missing.
func (s *Session) Outcomes(m *catalog.Matter) []Outcome {
	if m == nil {
		return nil
	}
	level := s.Identity.Level
	var out []Outcome
	if m.CanAccept(level) {
		out = append(out, OutcomeAccept)
		if m.IsOnTheSpot() && m.CanDecide(level) {
			out = append(out, OutcomeOnTheSpot)
		}
	} else if level == catalog.Community && m.CanProxy(level) {
		out = append(out, OutcomeProxy)
	}
	out = append(out, OutcomeOneTime)
	if m.CanAccept(level) && caseflow.Allowed(caseflow.Received, caseflow.RejectIntake, s.User.Role, level) {
		out = append(out, OutcomeNotAccepted)
	}
	return out
}

// ProxyDefaults returns the proxy details a community agent's application
// starts with: the agent is the signed-in user, forwarding to the parent
// township.
func (s *Session) ProxyDefaults() *casefile.Proxy {
	return &casefile.Proxy{AgentUser: s.User.Name, AgentName: s.User.DisplayName, ForwardTo: s.Identity.Parent}
}

// CheckApplicant checks the applicant as Apply will, so the window can say
// what is wrong before anything is recorded. A credit code that fails its
// check is returned as warning, not as an error.
func CheckApplicant(a casefile.Applicant, now time.Time) (warning, err error) {
	if strings.TrimSpace(a.Name) == "" {
		return nil, bmerr.New(bmerr.Invalid, "applicant_name", "请填写申请人姓名或单位名称。", "enter the applicant's name.").WithField("applicant.name")
	}
	switch a.Kind {
	case casefile.Organisation:
		cc, err := ident.ParseCreditCode(a.CreditCode)
		if err != nil {
			return nil, err
		}
		if cc.Warning != nil {
			warning = cc.Warning
		}
	default:
		if _, err := ident.ParseResidentID(a.IDNumber, now); err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(a.Phone) != "" {
		if _, err := ident.ParseMobile(a.Phone); err != nil {
			return nil, err
		}
	}
	return warning, nil
}

// IntakeInput is what an outcome needs besides the draft.
type IntakeInput struct {
	Items    []casefile.MissingItem // one-time notice: every missing item
	Reasons  []string               // not accepted: the reasons
	Remedies []string               // not accepted: the remedies (default: the standard sentence)
	Note     string
}

// Submit records the draft with the outcome: the receive change and then
// the outcome's own (accept; accept and close on the spot; request a
// supplement; not accept), each through store.Record, and prints the notice
// the applicant takes away. Everything the outcome needs is checked before
// the first change is recorded, so a refusal leaves nothing behind but a
// case number that is never reused.
func (s *Session) Submit(ctx context.Context, d *Draft, o Outcome, in IntakeInput) (Result, error) {
	if d == nil || d.Matter == nil {
		return Result{}, bmerr.New(bmerr.Invalid, "matter_missing", "请先选择办理事项。", "choose the matter first.").WithField("matter")
	}
	now := s.now()
	if _, err := CheckApplicant(d.Applicant, now); err != nil {
		return Result{}, err
	}
	if !slices.Contains(s.Outcomes(d.Matter), o) {
		return Result{}, bmerr.Newf(bmerr.PermissionDenied, "outcome_not_allowed", "本站不能对“%s”执行此操作。", "this station cannot do that with %q.", d.Matter.Name)
	}
	var notice *casefile.Notice
	switch o {
	case OutcomeAccept, OutcomeOnTheSpot:
		if missing := d.Missing(); len(missing) > 0 {
			names := make([]string, len(missing))
			for i, m := range missing {
				names[i] = m.Name
			}
			return Result{}, bmerr.Newf(bmerr.FailedPrecondition, "materials_missing",
				"材料不齐，不能受理：%s。请出具一次性告知书，或将可后补的材料标为容缺后补。",
				"materials are missing, so the case cannot be accepted: %s. Give a one-time notice, or mark what may follow later as deferred.",
				strings.Join(names, "、"))
		}
	case OutcomeOneTime:
		items := slices.DeleteFunc(slices.Clone(in.Items), func(it casefile.MissingItem) bool { return strings.TrimSpace(it.Name) == "" })
		if len(items) == 0 {
			return Result{}, bmerr.New(bmerr.Invalid, "notice_items", "一次性告知书须列明全部缺少或需补正的材料。", "a one-time notice must list everything that is missing.").WithField("notice.items")
		}
		notice = &casefile.Notice{Items: items}
	case OutcomeNotAccepted:
		reasons := nonBlank(in.Reasons)
		if len(reasons) == 0 {
			return Result{}, bmerr.New(bmerr.Invalid, "reasons_required", "不予受理须写明理由。", "a refusal to accept needs written reasons.").WithField("notice.reasons")
		}
		remedies := nonBlank(in.Remedies)
		if len(remedies) == 0 {
			remedies = []string{StandardRemedy}
		}
		notice = &casefile.Notice{Reasons: reasons, Remedies: remedies}
	case OutcomeProxy:
		if d.Proxy == nil || strings.TrimSpace(d.Proxy.Authorization) == "" {
			return Result{}, bmerr.New(bmerr.Invalid, "proxy_authorization", "代办须有申请人的授权委托，请填写授权方式（如授权委托书编号）。",
				"a proxy application needs the applicant's authorisation; enter how it was given.").WithField("proxy.authorization")
		}
	}

	number, err := s.Store.NextCaseNumber(ctx, workcal.DateOf(now))
	if err != nil {
		return Result{}, err
	}
	in2 := &casefile.Intake{Number: number, Matter: d.Matter.Code, Applicant: d.Applicant, Mode: d.Mode, Materials: slices.Clone(d.Materials)}
	if s.Identity.Level == catalog.Community && d.Proxy != nil {
		p := *d.Proxy
		in2.Proxy = &p
	}
	recv := s.newChange(newCaseID(), caseflow.Receive, now)
	recv.Intake, recv.Note = in2, in.Note
	var scans [][]byte
	for _, r := range d.Materials {
		for _, a := range r.Attachments {
			if data, ok := d.scans[a.SHA256]; ok {
				scans = append(scans, data)
				delete(d.scans, a.SHA256) // once, even if two materials share it
			}
		}
	}
	c, err := s.Store.Record(ctx, recv, scans...)
	if err != nil {
		return Result{}, err
	}
	res := Result{Case: c, Change: recv}
	next := func(action caseflow.Action, fill func(*casefile.Change)) error {
		now = now.Add(time.Millisecond) // keeps the changes in order by time too
		ch := s.newChange(c.ID, action, now)
		if fill != nil {
			fill(ch)
		}
		c2, err := s.Store.Record(ctx, ch)
		if err != nil {
			return err
		}
		c, res.Case, res.Change = c2, c2, ch
		return nil
	}
	switch o {
	case OutcomeAccept:
		err = next(caseflow.Accept, nil)
	case OutcomeOnTheSpot:
		if err = next(caseflow.Accept, nil); err == nil {
			err = next(caseflow.CloseOnSpot, nil)
		}
	case OutcomeOneTime:
		err = next(caseflow.RequestSupplement, func(ch *casefile.Change) { ch.Notice = notice })
	case OutcomeNotAccepted:
		err = next(caseflow.RejectIntake, func(ch *casefile.Change) { ch.Notice = notice })
	}
	s.kick()
	if err != nil {
		return res, err
	}
	res.Document, res.PDF, err = s.Print(ctx, DocumentFor(res.Change.Action, c), c, res.Change.ID)
	return res, err
}

var newCaseID = caseflow.NewCaseID
