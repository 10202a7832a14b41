package central

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // scans come as JPEG or PNG
	_ "image/png"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/centralapi"
	"github.com/bianmin/bianmin/desktop/internal/centraldesk"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
)

// reviewView is one case as a department reviewer works it: the applicant
// masked (full details only on request, with a reason central records),
// the materials with their scans, the current tasks and, in a parallel
// stage, each department's branch, the whole timeline, and the actions the
// reviewer may take now.
type reviewView struct {
	u      *UI
	id     string
	detail *centralapi.CaseDetail
	onBack func()

	back       *widget.Button
	body       *fyne.Container
	err        *widget.Label
	idLabel    *widget.Label
	phoneLabel *widget.Label
	unmask     *widget.Button
	reveal     *unmaskForm
	actions    map[caseflow.Action]*widget.Button
	scans      map[string]*widget.Button // attachment sha256 -> its button
	preview    *fyne.Container
	image      *canvas.Image // the scan shown inline, if any
	form       *actionForm   // the action dialog open, if any
	sent       int           // changes sent and applied (tests)
	content    fyne.CanvasObject
	loaded     func() // screenshot mode
}

func newReviewView(u *UI, id string, onBack func()) *reviewView {
	r := &reviewView{u: u, id: id, onBack: onBack, body: container.NewVBox(), err: problem(), preview: container.NewVBox()}
	r.back = widget.NewButtonWithIcon(lang.L("Back to the inbox"), theme.NavigateBackIcon(), onBack)
	r.back.Importance = widget.LowImportance
	r.content = container.NewBorder(container.NewVBox(container.NewHBox(r.back), r.err), nil, nil, nil,
		container.NewVScroll(container.NewPadded(r.body)))
	return r
}

// reload fetches the case again.
func (r *reviewView) reload() {
	u, id := r.u, r.id
	client := u.client
	call(u, func(ctx context.Context) (*centralapi.CaseDetail, error) {
		return client.Case(ctx, id)
	}, func(d *centralapi.CaseDetail, err error) {
		if err != nil {
			setProblem(r.err, msg(err))
			u.showErrorIfSession(err)
		} else {
			setProblem(r.err, "")
			r.show(d)
		}
		if r.loaded != nil {
			fn := r.loaded
			r.loaded = nil
			fn()
		}
	})
}

func (r *reviewView) show(d *centralapi.CaseDetail) {
	r.detail = d
	c := d.Case
	r.body.RemoveAll()
	r.actions = map[caseflow.Action]*widget.Button{}
	r.scans = map[string]*widget.Button{}
	r.image = nil
	r.preview.RemoveAll()
	r.body.Add(r.header(c))
	r.body.Add(r.actionBar(d))
	if len(d.Tasks) > 0 || (c.Pipeline != nil && len(c.Pipeline.Branches) > 0) {
		r.body.Add(section(lang.L("Approval steps")))
		r.body.Add(r.tasksBox(d))
	}
	r.body.Add(section(lang.L("Materials")))
	r.body.Add(r.materialsBox(c))
	r.body.Add(r.preview)
	r.body.Add(section(lang.L("Timeline")))
	r.body.Add(r.timelineBox(d))
	r.body.Refresh()
}

func (r *reviewView) header(c *casefile.Case) fyne.CanvasObject {
	head := title(c.Number + "  " + c.Matter.Name)
	head.Wrapping = fyne.TextWrapWord
	state := c.Status.State.Label(i18n.Tag())
	if c.Status.Result != caseflow.NoResult {
		state += " · " + c.Status.Result.Label(i18n.Tag())
	}
	line := container.NewHBox(bold(state))
	if w := string(c.TopWarning()); w != "" {
		wl := bold(warningText(w))
		wl.Importance = warningImportance(w)
		line.Add(wl)
	}
	if c.Status.Extended {
		line.Add(widget.NewLabel(lang.L("extended")))
	}
	a := c.Applicant
	name, id := ident.MaskName(a.Name), ident.MaskID(a.IDNumber)
	if a.Kind == casefile.Organisation {
		name, id = a.Name, ident.MaskCreditCode(a.CreditCode)
	}
	r.idLabel = widget.NewLabel(orDash(id))
	r.phoneLabel = widget.NewLabel(orDash(ident.MaskPhone(a.Phone)))
	r.unmask = widget.NewButtonWithIcon(lang.L("Show full details"), theme.VisibilityIcon(), r.startUnmask)
	r.unmask.Importance = widget.LowImportance
	facts := []*widget.FormItem{
		widget.NewFormItem(lang.L("Applicant"), container.NewHBox(widget.NewLabel(name), r.unmask)),
		widget.NewFormItem(lang.L("ID number"), r.idLabel),
		widget.NewFormItem(lang.L("Phone"), r.phoneLabel),
		widget.NewFormItem(lang.L("Station"), widget.NewLabel(r.u.stationName(c.OriginStation))),
		widget.NewFormItem(lang.L("Received"), widget.NewLabel(c.ReceivedAt.In(workcal.Shanghai).Format("2006-01-02 15:04"))),
		widget.NewFormItem(lang.L("Accepted"), widget.NewLabel(dateText(c.AcceptedOn))),
		widget.NewFormItem(lang.L("Due"), widget.NewLabel(dueText(c))),
	}
	if e := c.Extension; e != nil {
		facts = append(facts, widget.NewFormItem(lang.L("Extension"), wrapped(fmt.Sprintf(lang.L("%d working days · %s · approved by %s"), e.Days, e.Reason, e.Approver))))
	}
	if s := c.Suspension; s != nil {
		facts = append(facts, widget.NewFormItem(lang.L("Suspended"), wrapped(fmt.Sprintf(lang.L("%s · expected %d days"), s.Procedure.Label(i18n.Tag()), s.ExpectedDays))))
	}
	if n := c.Notice; n != nil && len(n.Items) > 0 && c.Status.State == caseflow.Returned {
		var items []string
		for _, it := range n.Items {
			items = append(items, strings.TrimSpace(it.Name+" "+it.Note))
		}
		facts = append(facts, widget.NewFormItem(lang.L("Missing"), wrapped(strings.Join(items, "；"))))
	}
	if dec := c.Decision; dec != nil {
		facts = append(facts, widget.NewFormItem(lang.L("Decision"), wrapped(dec.Result.Label(i18n.Tag())+" · "+dateText(dec.On)+" "+strings.Join(dec.Reasons, "；"))))
	}
	return container.NewVBox(head, line, widget.NewForm(facts...))
}

func dateText(d workcal.Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.String()
}

func dueText(c *casefile.Case) string {
	if c.DueOn.IsZero() {
		if !c.StoppedOn.IsZero() {
			return lang.L("clock stopped")
		}
		return "—"
	}
	text := c.DueOn.String() + " · " + lang.L("promised") + " " + c.Matter.Promised.String()
	if !c.LegalDueOn.IsZero() {
		text += " · " + lang.L("legal limit") + " " + c.LegalDueOn.String()
	}
	return text
}

// tasksBox lists the steps waiting now and, in a parallel stage, every
// department's branch with its progress and sub-deadline.
func (r *reviewView) tasksBox(d *centralapi.CaseDetail) fyne.CanvasObject {
	box := container.NewVBox()
	c := d.Case
	for _, t := range d.Tasks {
		text := fmt.Sprintf("%s · %s", r.u.deptName(t.Department), t.Step.Label(i18n.Tag()))
		if t.Parallel {
			text += lang.L(" (parallel)")
		}
		if t.Decides {
			text += lang.L(" · decides")
		}
		text += " · " + lang.L("due") + " " + dateText(t.Due)
		l := widget.NewLabel(text)
		if t.Department == r.u.user.Department {
			l.TextStyle.Bold = true
		}
		box.Add(l)
	}
	if c.Pipeline == nil || len(c.Pipeline.Branches) == 0 || c.Matter.Workflow == nil || c.Pipeline.Stage >= len(c.Matter.Workflow.Stages) {
		return box
	}
	st := c.Matter.Workflow.Stages[c.Pipeline.Stage]
	box.Add(bold(fmt.Sprintf(lang.L("Parallel approval (%s), lead %s"), st.Rule.Label(i18n.Tag()), r.u.deptName(st.Department))))
	grid := container.NewGridWithColumns(4, bold(lang.L("Department")), bold(lang.L("Progress")), bold(lang.L("Sub-deadline")), bold(lang.L("Opinion")))
	for i, b := range c.Pipeline.Branches {
		var def catalog.Branch
		if i < len(st.Branches) {
			def = st.Branches[i]
		}
		progress := ""
		switch {
		case b.Done && b.Agree:
			progress = lang.L("agreed") + " " + dateText(b.DoneOn)
		case b.Done:
			progress = lang.L("disagreed") + " " + dateText(b.DoneOn)
		case b.Step < len(def.Steps):
			progress = fmt.Sprintf(lang.L("at %s (%d/%d)"), def.Steps[b.Step].Label(i18n.Tag()), b.Step+1, len(def.Steps))
		}
		due := fmt.Sprintf(lang.L("%d working days"), def.Days)
		for _, t := range d.Tasks {
			if t.Department == b.Department && !t.Due.IsZero() {
				due = t.Due.String()
			}
		}
		pl := widget.NewLabel(progress)
		if b.Done && !b.Agree {
			pl.Importance = widget.DangerImportance
		} else if b.Done {
			pl.Importance = widget.SuccessImportance
		}
		grid.Add(widget.NewLabel(r.u.deptName(b.Department)))
		grid.Add(pl)
		grid.Add(widget.NewLabel(due))
		grid.Add(wrapped(orDash(b.Opinion)))
	}
	box.Add(grid)
	return box
}

// materialsBox is the checklist: every material the matter asks for, what
// the window recorded, and the scans to look at.
func (r *reviewView) materialsBox(c *casefile.Case) fyne.CanvasObject {
	box := container.NewVBox()
	recs := map[string]casefile.MaterialRecord{}
	for _, rec := range c.Materials {
		recs[rec.Code] = rec
	}
	mats := c.Matter.Materials
	if len(mats) == 0 { // an old snapshot without the list: what was recorded
		for _, rec := range c.Materials {
			mats = append(mats, catalog.Material{Code: rec.Code, Name: rec.Code})
		}
	}
	for _, m := range mats {
		rec := recs[m.Code]
		var state string
		imp := widget.MediumImportance
		switch {
		case rec.Received:
			state, imp = "✓ "+lang.L("received"), widget.SuccessImportance
			if rec.Original {
				state += lang.L(", original seen")
			}
			if rec.Copies > 0 {
				state += fmt.Sprintf(lang.L(", %d copies"), rec.Copies)
			}
		case rec.Deferred:
			state, imp = lang.L("to be supplied later"), widget.WarningImportance
		case m.Necessity == catalog.Optional:
			state, imp = lang.L("not received"), widget.LowImportance
		default:
			state, imp = "✗ "+lang.L("not received"), widget.DangerImportance
		}
		st := widget.NewLabel(state)
		st.Importance = imp
		row := container.NewHBox(widget.NewLabel(m.Name), widget.NewLabel("（"+m.Necessity.Label(i18n.Tag())+"）"), st)
		for _, a := range rec.Attachments {
			a := a
			b := widget.NewButtonWithIcon(a.Name, theme.FileIcon(), func() { r.openScan(a) })
			b.Importance = widget.LowImportance
			r.scans[a.SHA256] = b
			row.Add(b)
		}
		box.Add(row)
	}
	if len(mats) == 0 {
		box.Add(note(lang.L("No materials recorded.")))
	}
	return box
}

// openScan shows an image scan inline under the checklist; anything else
// (a PDF) is written to a temporary file and opened in the system viewer.
func (r *reviewView) openScan(a casefile.Attachment) {
	u, caseID := r.u, r.id
	client := u.client
	call(u, func(ctx context.Context) ([]byte, error) {
		return client.ReadAttachment(ctx, caseID, a.SHA256)
	}, func(data []byte, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		if strings.HasPrefix(a.MIME, "image/") || a.MIME == "" {
			if img, _, err := image.Decode(bytes.NewReader(data)); err == nil {
				r.image = canvas.NewImageFromImage(img)
				r.image.FillMode = canvas.ImageFillContain
				r.image.SetMinSize(fyne.NewSize(560, 420))
				closeBtn := widget.NewButtonWithIcon(lang.L("Close"), theme.CancelIcon(), func() {
					r.image = nil
					r.preview.RemoveAll()
					r.preview.Refresh()
				})
				closeBtn.Importance = widget.LowImportance
				r.preview.Objects = []fyne.CanvasObject{container.NewHBox(bold(a.Name), closeBtn), r.image}
				r.preview.Refresh()
				return
			}
		}
		sha := a.SHA256
		if len(sha) > 12 {
			sha = sha[:12]
		}
		u.openFile(sha+"-"+a.Name, data)
	})
}

// timelineBox is the case's whole history: who did what when, with the
// opinions, reasons and notices each change carried.
func (r *reviewView) timelineBox(d *centralapi.CaseDetail) fyne.CanvasObject {
	box := container.NewVBox()
	for _, h := range d.History {
		ch := h.Change
		at := widget.NewLabel(ch.At.In(workcal.Shanghai).Format("2006-01-02 15:04"))
		action := bold(ch.Action.Label(i18n.Tag()))
		if ch.Action == caseflow.Advance && ch.Step != nil {
			verdict := lang.L("agree")
			if !ch.Step.Approve {
				verdict = lang.L("disagree")
			}
			action.SetText(ch.Step.Step.Label(i18n.Tag()) + " · " + verdict)
		}
		rows := []fyne.CanvasObject{container.NewHBox(at, action, widget.NewLabel(actorText(r.u, ch.Actor)))}
		if text := changeDetail(ch); text != "" {
			l := wrapped(text)
			l.SizeName = theme.SizeNameCaptionText
			rows = append(rows, container.NewBorder(nil, nil, widget.NewLabel("   "), nil, l))
		}
		box.Add(container.NewVBox(rows...))
	}
	if len(d.History) == 0 {
		box.Add(note(lang.L("No changes recorded.")))
	}
	return box
}

// actorText is "王丽 · 审核人 · 县民政局" or "李娜 · 窗口人员 · XZ01".
func actorText(u *UI, a casefile.Actor) string {
	name := a.Name
	if name == "" {
		name = a.User
	}
	parts := []string{name, a.Role.Label(i18n.Tag())}
	switch {
	case a.Department != "":
		parts = append(parts, u.deptName(a.Department))
	case a.Station != "":
		parts = append(parts, u.stationName(a.Station))
	}
	return strings.Join(parts, " · ")
}

// changeDetail summarises a change's payload.
func changeDetail(ch *casefile.Change) string {
	var parts []string
	if s := ch.Step; s != nil && s.Opinion != "" {
		parts = append(parts, lang.L("Opinion: ")+s.Opinion)
	}
	if n := ch.Notice; n != nil {
		for i, it := range n.Items {
			parts = append(parts, strings.TrimSpace(fmt.Sprintf("%d. %s %s", i+1, it.Name, it.Note)))
		}
		parts = append(parts, n.Reasons...)
	}
	if dec := ch.Decision; dec != nil {
		parts = append(parts, dec.Reasons...)
		if dec.Certificate != "" {
			parts = append(parts, dec.Certificate)
		}
	}
	if s := ch.Suspension; s != nil {
		parts = append(parts, fmt.Sprintf(lang.L("%s · expected %d days"), s.Procedure.Label(i18n.Tag()), s.ExpectedDays))
	}
	if e := ch.Extension; e != nil {
		parts = append(parts, fmt.Sprintf(lang.L("%d working days · %s · approved by %s"), e.Days, e.Reason, e.Approver))
	}
	if w := ch.Warning; w != nil {
		parts = append(parts, warningText(string(w.Level))+" "+w.Reason)
	}
	if ch.Note != "" {
		parts = append(parts, ch.Note)
	}
	return strings.Join(parts, "\n")
}

// actionBar offers what central says the user may do now.
func (r *reviewView) actionBar(d *centralapi.CaseDetail) fyne.CanvasObject {
	box := container.NewHBox()
	for _, a := range centraldesk.ReviewActions {
		if !slices.Contains(d.Actions, a) {
			continue
		}
		a := a
		label := a.Label(i18n.Tag())
		if a == caseflow.Advance {
			if t, ok := d.Task(r.u.user.Department); ok {
				label = fmt.Sprintf(lang.L("Finish %s"), t.Step.Label(i18n.Tag()))
			}
		}
		b := widget.NewButton(label, func() { r.start(a) })
		switch a {
		case caseflow.Advance, caseflow.Grant:
			b.Importance = widget.HighImportance
		case caseflow.Refuse, caseflow.Withdraw:
			b.Importance = widget.DangerImportance
		}
		r.actions[a] = b
		box.Add(b)
	}
	if len(box.Objects) == 0 {
		return note(lang.L("Nothing for you to do on this case now."))
	}
	return container.NewHScroll(box)
}

// unmaskForm asks why the full details are needed before asking central.
type unmaskForm struct {
	reason  *widget.Entry
	confirm *widget.Button
	err     *widget.Label
	d       *dialog.CustomDialog
}

func (r *reviewView) startUnmask() {
	u := r.u
	f := &unmaskForm{reason: widget.NewEntry(), err: problem()}
	r.reveal = f
	f.reason.SetPlaceHolder(lang.L("e.g. checking the applicant's identity by phone"))
	f.confirm = widget.NewButtonWithIcon(lang.L("View"), theme.VisibilityIcon(), func() {
		reason := strings.TrimSpace(f.reason.Text)
		if reason == "" {
			setProblem(f.err, lang.L("Enter why you need the full details: the reason is recorded in the audit trail with your name."))
			return
		}
		client, id := u.client, r.id
		call(u, func(ctx context.Context) (centralapi.Unmasked, error) {
			return client.Unmask(ctx, id, reason)
		}, func(full centralapi.Unmasked, err error) {
			if err != nil {
				setProblem(f.err, msg(err))
				return
			}
			f.d.Hide()
			if full.CreditCode != "" && full.IDNumber == "" {
				r.idLabel.SetText(full.CreditCode)
			} else {
				r.idLabel.SetText(orDash(full.IDNumber))
			}
			r.phoneLabel.SetText(orDash(full.Phone))
			r.unmask.Disable()
		})
	})
	f.confirm.Importance = widget.HighImportance
	f.reason.OnSubmitted = func(string) { f.confirm.OnTapped() }
	body := container.NewVBox(note(lang.L("The full ID number and phone are shown only for a reason, which central records in the audit trail with your name.")),
		widget.NewForm(widget.NewFormItem(lang.L("Reason"), f.reason)), f.err)
	f.d = dialog.NewCustomWithoutButtons(lang.L("Show full details"), body, u.win)
	f.d.SetButtons([]fyne.CanvasObject{widget.NewButton(lang.L("Cancel"), func() { f.d.Hide() }), f.confirm})
	f.d.Resize(fyne.NewSize(520, body.MinSize().Height+140))
	f.d.Show()
	u.win.Canvas().Focus(f.reason)
}

// actionForm is the dialog of one review action: the fields it requires,
// an error line and the button that sends it.
type actionForm struct {
	action      caseflow.Action
	agree       *widget.RadioGroup
	opinion     *widget.Entry
	certificate *widget.Entry
	reasons     *widget.Entry
	remedies    *widget.Entry
	missing     *widget.Entry
	procedure   *widget.Select
	days        *widget.Entry
	reason      *widget.Entry
	approver    *widget.Entry
	note        *widget.Entry
	confirm     *widget.Button
	err         *widget.Label
	d           *dialog.CustomDialog
}

func multiline(placeholder string) *widget.Entry {
	e := widget.NewMultiLineEntry()
	e.SetPlaceHolder(placeholder)
	e.SetMinRowsVisible(3)
	e.Wrapping = fyne.TextWrapWord
	return e
}

// start opens the dialog of action a.
func (r *reviewView) start(a caseflow.Action) {
	u, d := r.u, r.detail
	c := d.Case
	f := &actionForm{action: a, err: problem()}
	var items []*widget.FormItem
	switch a {
	case caseflow.Advance:
		t, _ := d.Task(u.user.Department)
		f.agree = widget.NewRadioGroup([]string{lang.L("Agree"), lang.L("Disagree")}, nil)
		f.agree.Horizontal = true
		f.agree.SetSelected(lang.L("Agree"))
		f.opinion = multiline(lang.L("your opinion; required when you disagree"))
		items = append(items,
			widget.NewFormItem(lang.L("Step"), widget.NewLabel(fmt.Sprintf("%s · %s", u.deptName(t.Department), t.Step.Label(i18n.Tag())))),
			widget.NewFormItem(lang.L("Conclusion"), f.agree),
			widget.NewFormItem(lang.L("Opinion"), f.opinion))
	case caseflow.Grant:
		f.certificate = widget.NewEntry()
		f.certificate.SetPlaceHolder(lang.L("certificate or document number, if any"))
		items = append(items, widget.NewFormItem(lang.L("Certificate no."), f.certificate))
	case caseflow.Refuse:
		f.reasons = multiline(lang.L("one reason per line"))
		f.remedies = multiline("")
		f.remedies.SetText(casefile.StandardRemedies)
		items = append(items, widget.NewFormItem(lang.L("Reasons"), f.reasons), widget.NewFormItem(lang.L("Remedies"), f.remedies))
	case caseflow.ReturnForSupplement:
		f.missing = multiline(lang.L("one item per line: material, then what is wrong"))
		var lines []string
		for _, it := range centraldesk.MissingFromCase(c) {
			lines = append(lines, strings.TrimSpace(it.Name+"："+it.Note))
		}
		f.missing.SetText(strings.TrimSuffix(strings.Join(lines, "\n"), "："))
		items = append(items, widget.NewFormItem(lang.L("Everything missing"), f.missing))
	case caseflow.Suspend:
		var labels []string
		for _, p := range c.Matter.SpecialProcedures {
			labels = append(labels, p.Label(i18n.Tag()))
		}
		f.procedure = widget.NewSelect(labels, nil)
		if len(labels) > 0 {
			f.procedure.SetSelectedIndex(0)
		}
		f.days = widget.NewEntry()
		f.days.SetPlaceHolder(lang.L("days, told to the applicant"))
		f.note = widget.NewEntry()
		items = append(items, widget.NewFormItem(lang.L("Special procedure"), f.procedure),
			widget.NewFormItem(lang.L("Expected days"), f.days), widget.NewFormItem(lang.L("Note"), f.note))
	case caseflow.Resume:
		f.note = widget.NewEntry()
		items = append(items, widget.NewFormItem(lang.L("Note"), f.note))
	case caseflow.Extend:
		f.reason = widget.NewEntry()
		f.approver = widget.NewEntry()
		f.approver.SetText(u.user.Name)
		items = append(items, widget.NewFormItem(lang.L("Reason"), f.reason), widget.NewFormItem(lang.L("Approved by"), f.approver),
			widget.NewFormItem(lang.L("Extension"), widget.NewLabel(fmt.Sprintf(lang.L("%d working days"), casefile.ExtensionDays))))
	case caseflow.Withdraw:
		f.reason = widget.NewEntry()
		f.reason.SetPlaceHolder(lang.L("e.g. the applicant asked to withdraw"))
		items = append(items, widget.NewFormItem(lang.L("Reason"), f.reason))
	}
	r.form = f
	f.confirm = widget.NewButtonWithIcon(a.Label(i18n.Tag()), theme.ConfirmIcon(), func() { r.submit(f) })
	f.confirm.Importance = widget.HighImportance
	form := widget.NewForm(items...)
	body := container.NewVBox(form, f.err)
	f.d = dialog.NewCustomWithoutButtons(a.Label(i18n.Tag())+" · "+c.Number, body, u.win)
	f.d.SetButtons([]fyne.CanvasObject{widget.NewButton(lang.L("Cancel"), func() { f.d.Hide() }), f.confirm})
	f.d.Resize(fyne.NewSize(620, body.MinSize().Height+160))
	f.d.Show()
}

// input reads the dialog's fields.
func (f *actionForm) input(c *casefile.Case) centraldesk.ActInput {
	var in centraldesk.ActInput
	text := func(e *widget.Entry) string {
		if e == nil {
			return ""
		}
		return e.Text
	}
	if f.agree != nil {
		in.Agree = f.agree.Selected == lang.L("Agree")
	}
	in.Opinion, in.Certificate, in.Reason, in.Approver, in.Note = text(f.opinion), text(f.certificate), text(f.reason), text(f.approver), text(f.note)
	in.Reasons, in.Remedies = strings.Split(text(f.reasons), "\n"), strings.Split(text(f.remedies), "\n")
	for _, line := range strings.Split(text(f.missing), "\n") {
		name, rest, _ := strings.Cut(strings.TrimSpace(line), "：")
		if strings.TrimSpace(name) == "" {
			continue
		}
		it := casefile.MissingItem{Name: strings.TrimSpace(name), Note: strings.TrimSpace(rest)}
		for _, m := range c.Matter.Materials {
			if m.Name == it.Name {
				it.Material = m.Code
			}
		}
		in.Missing = append(in.Missing, it)
	}
	if f.procedure != nil && f.procedure.SelectedIndex() >= 0 {
		in.Procedure = c.Matter.SpecialProcedures[f.procedure.SelectedIndex()]
	}
	if f.days != nil {
		in.ExpectedDays, _ = strconv.Atoi(strings.TrimSpace(f.days.Text))
	}
	return in
}

// submit checks the required fields, then sends the change (the client
// retries it under the same id when the network fails).
func (r *reviewView) submit(f *actionForm) {
	u := r.u
	ch, err := centraldesk.BuildChange(r.detail, u.user, f.action, f.input(r.detail.Case), u.now())
	if err != nil {
		setProblem(f.err, msg(err))
		return
	}
	setProblem(f.err, "")
	f.confirm.Disable()
	client := u.client
	call(u, func(ctx context.Context) (*casefile.Case, error) {
		c, _, err := client.Act(ctx, ch)
		return c, err
	}, func(_ *casefile.Case, err error) {
		f.confirm.Enable()
		if err != nil {
			setProblem(f.err, msg(err))
			u.showErrorIfSession(err)
			return
		}
		r.sent++
		f.d.Hide()
		if r.form == f {
			r.form = nil
		}
		r.reload()
	})
}
