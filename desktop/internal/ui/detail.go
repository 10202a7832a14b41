package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/desk"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

// detailView is one case: its header, the actions this user may take, the
// whole timeline with each change's sync state (and central's reason for
// any rejection), the materials with their scans, and the notices printed.
type detailView struct {
	u    *UI
	id   uuid.UUID
	view store.CaseView
	c    *casefile.Case // what is shown: the local projection, else central's copy

	back     *widget.Button
	showID   *widget.Button
	idLabel  *widget.Label
	actions  map[caseflow.Action]*widget.Button
	timeline *fyne.Container
	history  []store.ChangeRow
	form     *actionForm // the action dialog open, if any
	body     *fyne.Container
	content  fyne.CanvasObject
	onBack   func()
}

func newDetailView(u *UI, id uuid.UUID, onBack func()) (*detailView, error) {
	d := &detailView{u: u, id: id, onBack: onBack, body: container.NewVBox()}
	d.back = widget.NewButtonWithIcon(lang.L("Back to the list"), theme.NavigateBackIcon(), onBack)
	d.back.Importance = widget.LowImportance
	d.content = container.NewBorder(container.NewHBox(d.back), nil, nil, nil, container.NewVScroll(container.NewPadded(d.body)))
	if err := d.load(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *detailView) reload() {
	if err := d.load(); err != nil {
		d.u.showError(err)
	}
}

func (d *detailView) load() error {
	v, err := d.u.st.Case(ctx(), d.id)
	if err != nil {
		return err
	}
	hist, err := d.u.st.History(ctx(), d.id)
	if err != nil {
		return err
	}
	docs, err := d.u.st.Documents(ctx(), d.id)
	if err != nil {
		return err
	}
	d.view, d.history = v, hist
	d.c = v.Case
	if d.c == nil {
		d.c = v.Confirmed
	}
	d.body.RemoveAll()
	d.actions = map[caseflow.Action]*widget.Button{}
	if d.c == nil {
		// A rejected intake: nothing applies; the timeline says why.
		d.body.Add(title(d.numberFromHistory()))
		d.body.Add(note(lang.L("Central refused to record this case; see the timeline for the reason. Take the application in again if it is still needed.")))
	} else {
		d.body.Add(d.header())
		if acts := d.actionBar(); acts != nil {
			d.body.Add(acts)
		}
	}
	d.body.Add(section(lang.L("Timeline")))
	d.timeline = d.timelineBox()
	d.body.Add(d.timeline)
	if d.c != nil {
		d.body.Add(section(lang.L("Materials")))
		d.body.Add(d.materialsBox())
	}
	d.body.Add(section(lang.L("Notices")))
	d.body.Add(d.documentsBox(docs))
	d.body.Refresh()
	return nil
}

func (d *detailView) numberFromHistory() string {
	for _, r := range d.history {
		if r.Change != nil && r.Change.Intake != nil {
			return r.Change.Intake.Number
		}
	}
	return d.id.String()
}

func (d *detailView) header() fyne.CanvasObject {
	c := d.c
	head := title(c.Number + "  " + c.Matter.Name)
	head.Wrapping = fyne.TextWrapWord
	state := stateLabel(c.Status.State)
	if c.Status.Result != caseflow.NoResult {
		state += "（" + c.Status.Result.Label(i18n.Tag()) + "）"
	}
	stateL := widget.NewLabel(state)
	stateL.TextStyle.Bold = true
	line := container.NewHBox(stateL)
	if w := c.TopWarning(); w != "" {
		wl := widget.NewLabel(warningLabel(w))
		wl.Importance = warningImportance(w)
		wl.TextStyle.Bold = true
		line.Add(wl)
	}
	sync := widget.NewLabel(caseSyncLabel(d.view.SyncState))
	if d.view.SyncState == store.CaseRejected || d.view.SyncState == store.CaseConflict {
		sync.Importance = widget.DangerImportance
	} else {
		sync.Importance = widget.LowImportance
	}
	line.Add(sync)

	a := c.Applicant
	masked, maskedID := ident.MaskName(a.Name), ident.MaskID(a.IDNumber)
	if a.Kind == casefile.Organisation {
		masked, maskedID = a.Name, ident.MaskCreditCode(a.CreditCode)
	}
	d.idLabel = widget.NewLabel(maskedID)
	d.showID = widget.NewButtonWithIcon(lang.L("Show full ID (recorded)"), theme.VisibilityIcon(), d.revealID)
	d.showID.Importance = widget.LowImportance
	facts := []*widget.FormItem{
		widget.NewFormItem(lang.L("Applicant"), widget.NewLabel(masked)),
		widget.NewFormItem(lang.L("ID number"), container.NewHBox(d.idLabel, d.showID)),
	}
	if a.Phone != "" {
		facts = append(facts, widget.NewFormItem(lang.L("Phone"), widget.NewLabel(ident.MaskPhone(a.Phone))))
	}
	facts = append(facts,
		widget.NewFormItem(lang.L("Received"), widget.NewLabel(c.ReceivedAt.In(workcal.Shanghai).Format("2006-01-02 15:04")+" · "+modeLabel(c.Mode))),
		widget.NewFormItem(lang.L("Accepted"), widget.NewLabel(date(c.AcceptedOn))),
		widget.NewFormItem(lang.L("Due"), widget.NewLabel(dueText(c))),
	)
	if p := c.Proxy; p != nil {
		facts = append(facts, widget.NewFormItem(lang.L("Proxy"), widget.NewLabel(fmt.Sprintf(lang.L("agent %s · authorisation: %s · forwarded to %s"), p.AgentName, p.Authorization, p.ForwardTo))))
	}
	if c.Suspension != nil {
		facts = append(facts, widget.NewFormItem(lang.L("Suspended"), widget.NewLabel(fmt.Sprintf("%s · %d", c.Suspension.Procedure.Label(i18n.Tag()), c.Suspension.ExpectedDays))))
	}
	if dec := c.Decision; dec != nil {
		text := dec.Result.Label(i18n.Tag()) + " · " + date(dec.On)
		if dec.Certificate != "" {
			text += " · " + dec.Certificate
		}
		facts = append(facts, widget.NewFormItem(lang.L("Decision"), widget.NewLabel(text)))
	}
	if c.Rating != nil {
		facts = append(facts, widget.NewFormItem(lang.L("Rating"), widget.NewLabel(ratingLabel(c.Rating.Level))))
	}
	return container.NewVBox(head, line, widget.NewForm(facts...))
}

func dueText(c *casefile.Case) string {
	if c.DueOn.IsZero() {
		if !c.StoppedOn.IsZero() {
			return lang.L("clock stopped")
		}
		return "—"
	}
	text := c.DueOn.String() + " · " + lang.L("promised") + " " + limitText(c.Matter.Promised)
	if c.Matter.Promised.N == 0 {
		text = c.DueOn.String() + " · " + lang.L("on the spot")
	}
	if !c.LegalDueOn.IsZero() {
		text += " · " + lang.L("legal limit") + " " + c.LegalDueOn.String()
	}
	return text
}

// revealID shows the full ID number; the view is recorded in the audit trail.
func (d *detailView) revealID() {
	full, err := d.u.session.ShowFullID(ctx(), d.c)
	if err != nil {
		d.u.showError(err)
		return
	}
	d.idLabel.SetText(full)
	d.showID.Disable()
}

func (d *detailView) actionBar() fyne.CanvasObject {
	acts := d.u.session.CaseActions(d.c)
	if len(acts) == 0 {
		return nil
	}
	box := container.NewHBox()
	for _, a := range acts {
		a := a
		b := widget.NewButton(a.Label(i18n.Tag()), func() { d.start(a) })
		switch a {
		case caseflow.Accept, caseflow.Grant, caseflow.Deliver, caseflow.CloseOnSpot:
			b.Importance = widget.HighImportance
		case caseflow.RejectIntake, caseflow.Refuse, caseflow.Withdraw:
			b.Importance = widget.DangerImportance
		}
		d.actions[a] = b
		box.Add(b)
	}
	return container.NewHScroll(box)
}

// timelineBox lists every change, the station's and central's, with who,
// when, what, and where it stands with central.
func (d *detailView) timelineBox() *fyne.Container {
	box := container.NewVBox()
	for _, r := range d.history {
		box.Add(d.timelineRow(r))
	}
	if len(d.history) == 0 {
		box.Add(note(lang.L("No changes recorded.")))
	}
	return box
}

func (d *detailView) timelineRow(r store.ChangeRow) fyne.CanvasObject {
	at := widget.NewLabel(r.At.In(workcal.Shanghai).Format("2006-01-02 15:04"))
	action := widget.NewLabel(r.Action.Label(i18n.Tag()))
	action.TextStyle.Bold = true
	who := widget.NewLabel(actorText(r))
	where := lang.L("this station")
	if r.Origin == "remote" {
		where = lang.L("central")
	}
	state := widget.NewLabel(where + " · " + changeSyncLabel(r.State))
	state.Importance = changeSyncImportance(r.State)
	line := container.NewHBox(at, action, who, layoutSpacer(), state)
	rows := []fyne.CanvasObject{line}
	if text := changeDetail(r.Change); text != "" {
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		l.SizeName = theme.SizeNameCaptionText
		rows = append(rows, indent(l))
	}
	switch {
	case r.State == store.StateRejected:
		why := widget.NewLabel(lang.L("Central's reason: ") + rejectionText(r))
		why.Wrapping = fyne.TextWrapWord
		why.Importance = widget.DangerImportance
		rows = append(rows, indent(why))
	case r.Note == "conflict" || r.State == store.StateDeferred:
		why := widget.NewLabel(rejectionText(r))
		why.Wrapping = fyne.TextWrapWord
		why.Importance = widget.WarningImportance
		rows = append(rows, indent(why))
	}
	return container.NewVBox(rows...)
}

func indent(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(nil, nil, widget.NewLabel("   "), nil, o)
}

// actorText is "王丽 · 窗口人员（乡镇）· XZ01".
func actorText(r store.ChangeRow) string {
	if r.Change == nil {
		return r.ActorUser
	}
	a := r.Change.Actor
	name := a.Name
	if name == "" {
		name = a.User
	}
	parts := []string{name, a.Role.Label(i18n.Tag())}
	if a.Station != "" {
		parts = append(parts, a.Station)
	} else if a.Level == catalog.Central {
		parts = append(parts, a.Level.Label(i18n.Tag()))
	}
	return strings.Join(parts, " · ")
}

// changeDetail summarises a change's payload in a line.
func changeDetail(ch *casefile.Change) string {
	if ch == nil {
		return ""
	}
	var parts []string
	if n := ch.Notice; n != nil {
		for i, it := range n.Items {
			parts = append(parts, fmt.Sprintf("%d. %s %s", i+1, it.Name, it.Note))
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
		parts = append(parts, s.Procedure.Label(i18n.Tag()))
	}
	if e := ch.Extension; e != nil {
		parts = append(parts, e.Reason)
	}
	if dl := ch.Delivery; dl != nil {
		parts = append(parts, deliveryLabel(dl.Method))
	}
	if r := ch.Rating; r != nil {
		parts = append(parts, ratingLabel(r.Level))
	}
	if w := ch.Warning; w != nil {
		parts = append(parts, warningLabel(w.Level)+" "+w.Reason)
	}
	if s := ch.Step; s != nil {
		parts = append(parts, s.Department+" "+s.Step.Label(i18n.Tag())+" "+s.Opinion)
	}
	if len(ch.Materials) > 0 {
		parts = append(parts, fmt.Sprintf(lang.L("%d materials handed in"), len(ch.Materials)))
	}
	if ch.Note != "" {
		parts = append(parts, ch.Note)
	}
	return strings.Join(parts, "\n")
}

func deliveryLabel(m casefile.DeliveryMethod) string {
	switch m {
	case casefile.AtWindow:
		return lang.L("Collected at the window")
	case casefile.ByPost:
		return lang.L("By post")
	case casefile.Electronic:
		return lang.L("Electronic delivery")
	}
	return string(m)
}

func ratingLabel(level int) string {
	labels := []string{"", lang.L("Very dissatisfied"), lang.L("Dissatisfied"), lang.L("Fairly satisfied"), lang.L("Satisfied"), lang.L("Very satisfied")}
	if level < 1 || level > 5 {
		return strconv.Itoa(level)
	}
	return fmt.Sprintf("%d · %s", level, labels[level])
}

// materialsBox lists each material as received, with its scans to open.
func (d *detailView) materialsBox() fyne.CanvasObject {
	box := container.NewVBox()
	for _, r := range d.c.Materials {
		mat, _ := d.c.Matter.Matter().Material(r.Code)
		name := r.Code
		if mat != nil {
			name = mat.Name
		}
		var state string
		imp := widget.MediumImportance
		switch {
		case r.Received:
			state = lang.L("received")
			if r.Original {
				state += lang.L(", original seen")
			}
			if r.Copies > 0 {
				state += fmt.Sprintf(lang.L(", %d copies"), r.Copies)
			}
			imp = widget.SuccessImportance
		case r.Deferred:
			state, imp = lang.L("to be supplied later"), widget.WarningImportance
		default:
			state = lang.L("not received")
			if mat != nil && mat.Necessity != catalog.Optional {
				imp = widget.DangerImportance
			} else {
				imp = widget.LowImportance
			}
		}
		st := widget.NewLabel(state)
		st.Importance = imp
		row := container.NewHBox(widget.NewLabel(name), st)
		for _, a := range r.Attachments {
			a := a
			b := widget.NewButtonWithIcon(a.Name, theme.FileIcon(), func() { d.openScan(a) })
			b.Importance = widget.LowImportance
			row.Add(b)
		}
		box.Add(row)
	}
	return box
}

func (d *detailView) openScan(a casefile.Attachment) {
	data, err := d.u.st.ReadBlob(ctx(), a.SHA256, 0, int(a.Size))
	if err != nil {
		d.u.showError(err)
		return
	}
	d.u.openFile(a.SHA256[:12]+"-"+a.Name, data)
}

// documentsBox lists the notices kept with the case (open to reprint) and
// offers to print the ones the case's state allows.
func (d *detailView) documentsBox(docs []store.Document) fyne.CanvasObject {
	box := container.NewVBox()
	for _, doc := range docs {
		doc := doc
		open := widget.NewButtonWithIcon(lang.L("Open"), theme.DocumentPrintIcon(), func() {
			data, err := d.u.st.DocumentData(ctx(), doc.ID)
			if err != nil {
				d.u.showError(err)
				return
			}
			d.u.openFile(doc.Filename, data)
		})
		open.Importance = widget.LowImportance
		box.Add(container.NewHBox(widget.NewLabel(docKind(doc.Kind)), widget.NewLabel(doc.CreatedAt.In(workcal.Shanghai).Format("2006-01-02 15:04")+" · "+doc.CreatedBy), open))
	}
	if len(docs) == 0 {
		box.Add(note(lang.L("No notices printed yet.")))
	}
	if d.c != nil {
		printRow := container.NewHBox(widget.NewLabel(lang.L("Print:")))
		for _, kind := range desk.Printable(d.c) {
			kind := kind
			printRow.Add(widget.NewButton(docKind(kind), func() {
				doc, pdf, err := d.u.session.Print(ctx(), kind, d.c, uuid.Nil)
				if err != nil {
					d.u.showError(err)
					return
				}
				d.u.openFile(doc.Filename, pdf)
				d.reload()
			}))
		}
		box.Add(printRow)
	}
	return box
}

// act records an action and shows the case as it now stands.
func (d *detailView) act(a caseflow.Action, fill func(*casefile.Change)) error {
	res, err := d.u.session.Act(ctx(), d.id, a, fill)
	if err != nil && res.Case == nil {
		return err
	}
	if err != nil {
		d.u.showError(err)
	}
	if len(res.PDF) > 0 {
		d.u.openFile(res.Document.Filename, res.PDF)
	}
	d.reload()
	return nil
}

// start opens the dialog an action needs, or records it at once.
func (d *detailView) start(a caseflow.Action) {
	c := d.c
	switch a {
	case caseflow.RequestSupplement, caseflow.ReturnForSupplement:
		var items []casefile.MissingItem
		for _, m := range casefile.MissingForAcceptance(c.Matter.Matter(), c.Materials) {
			items = append(items, casefile.MissingItem{Material: m.Code, Name: m.Name})
		}
		newOneTimeDialog(d.u, items, func(items []casefile.MissingItem) error {
			return d.act(a, func(ch *casefile.Change) { ch.Notice = &casefile.Notice{Items: items} })
		})
	case caseflow.RejectIntake:
		newReasonsDialog(d.u, a.Label(i18n.Tag()), a.Label(i18n.Tag()), func(reasons, remedies []string) error {
			return d.act(a, func(ch *casefile.Change) { ch.Notice = &casefile.Notice{Reasons: reasons, Remedies: remedies} })
		})
	case caseflow.Refuse:
		newReasonsDialog(d.u, a.Label(i18n.Tag()), a.Label(i18n.Tag()), func(reasons, remedies []string) error {
			return d.act(a, func(ch *casefile.Change) { ch.Decision = &casefile.Decision{Reasons: reasons, Remedies: remedies} })
		})
	case caseflow.Grant, caseflow.CloseOnSpot:
		cert := widget.NewEntry()
		cert.SetPlaceHolder(lang.L("certificate or document number, if any"))
		d.form = newActionForm(d.u, a, []*widget.FormItem{widget.NewFormItem(lang.L("Certificate no."), cert)}, func() error {
			return d.act(a, func(ch *casefile.Change) { ch.Decision = &casefile.Decision{Certificate: strings.TrimSpace(cert.Text)} })
		})
	case caseflow.Supplement:
		var checks []*widget.Check
		var codes []string
		box := container.NewVBox()
		for _, r := range c.Materials {
			if r.Received {
				continue
			}
			mat, _ := c.Matter.Matter().Material(r.Code)
			name := r.Code
			if mat != nil {
				name = mat.Name
			}
			ch := widget.NewCheck(name, nil)
			checks, codes = append(checks, ch), append(codes, r.Code)
			box.Add(ch)
		}
		d.form = newActionForm(d.u, a, []*widget.FormItem{widget.NewFormItem(lang.L("Handed in"), box)}, func() error {
			var recs []casefile.MaterialRecord
			for i, ch := range checks {
				if ch.Checked {
					rec := casefile.MaterialRecord{Code: codes[i], Received: true}
					if mat, ok := c.Matter.Matter().Material(codes[i]); ok {
						rec.Original, rec.Copies = mat.Originals > 0, mat.Copies
					}
					recs = append(recs, rec)
				}
			}
			return d.act(a, func(ch *casefile.Change) { ch.Materials = recs })
		})
	case caseflow.Suspend:
		var labels []string
		for _, p := range c.Matter.SpecialProcedures {
			labels = append(labels, p.Label(i18n.Tag()))
		}
		proc := widget.NewSelect(labels, nil)
		if len(labels) > 0 {
			proc.SetSelectedIndex(0)
		}
		days := widget.NewEntry()
		days.SetPlaceHolder(lang.L("days, told to the applicant"))
		text := widget.NewEntry()
		d.form = newActionForm(d.u, a, []*widget.FormItem{
			widget.NewFormItem(lang.L("Special procedure"), proc),
			widget.NewFormItem(lang.L("Expected days"), days),
			widget.NewFormItem(lang.L("Note"), text),
		}, func() error {
			n, _ := strconv.Atoi(strings.TrimSpace(days.Text))
			var p catalog.Procedure
			if i := proc.SelectedIndex(); i >= 0 {
				p = c.Matter.SpecialProcedures[i]
			}
			return d.act(a, func(ch *casefile.Change) {
				ch.Suspension = &casefile.Suspension{Procedure: p, ExpectedDays: n, Note: strings.TrimSpace(text.Text)}
			})
		})
	case caseflow.Extend:
		reason := widget.NewEntry()
		approver := widget.NewEntry()
		approver.SetText(d.u.session.User.DisplayName)
		d.form = newActionForm(d.u, a, []*widget.FormItem{
			widget.NewFormItem(lang.L("Reason"), reason),
			widget.NewFormItem(lang.L("Approved by"), approver),
			widget.NewFormItem(lang.L("Extension"), widget.NewLabel(fmt.Sprintf(lang.L("%d working days"), casefile.ExtensionDays))),
		}, func() error {
			return d.act(a, func(ch *casefile.Change) {
				ch.Extension = &casefile.Extension{Days: casefile.ExtensionDays, Reason: strings.TrimSpace(reason.Text), Approver: strings.TrimSpace(approver.Text)}
			})
		})
	case caseflow.Deliver:
		methods := []casefile.DeliveryMethod{casefile.AtWindow, casefile.ByPost, casefile.Electronic}
		var labels []string
		for _, m := range methods {
			labels = append(labels, deliveryLabel(m))
		}
		method := widget.NewRadioGroup(labels, nil)
		method.SetSelected(labels[0])
		text := widget.NewEntry()
		text.SetPlaceHolder(lang.L("e.g. tracking number"))
		d.form = newActionForm(d.u, a, []*widget.FormItem{
			widget.NewFormItem(lang.L("Method"), method),
			widget.NewFormItem(lang.L("Note"), text),
		}, func() error {
			var m casefile.DeliveryMethod
			for i, l := range labels {
				if l == method.Selected {
					m = methods[i]
				}
			}
			return d.act(a, func(ch *casefile.Change) {
				ch.Delivery = &casefile.Delivery{Method: m, Note: strings.TrimSpace(text.Text)}
			})
		})
	case caseflow.Withdraw:
		reason := widget.NewEntry()
		reason.SetPlaceHolder(lang.L("e.g. the applicant withdrew; not supplemented in time"))
		d.form = newActionForm(d.u, a, []*widget.FormItem{widget.NewFormItem(lang.L("Reason"), reason)}, func() error {
			return d.act(a, func(ch *casefile.Change) { ch.Note = strings.TrimSpace(reason.Text) })
		})
	case caseflow.Rate:
		var labels []string
		for l := 5; l >= 1; l-- {
			labels = append(labels, ratingLabel(l))
		}
		level := widget.NewRadioGroup(labels, nil)
		comment := widget.NewEntry()
		named := widget.NewCheck(lang.L("The applicant gave their name"), nil)
		d.form = newActionForm(d.u, a, []*widget.FormItem{
			widget.NewFormItem(lang.L("Rating"), level),
			widget.NewFormItem(lang.L("Comment"), comment),
			widget.NewFormItem("", named),
		}, func() error {
			n := 0
			for i, l := range labels {
				if l == level.Selected {
					n = 5 - i
				}
			}
			return d.act(a, func(ch *casefile.Change) {
				ch.Rating = &casefile.Rating{Level: n, Comment: strings.TrimSpace(comment.Text), Named: named.Checked}
			})
		})
	default: // accept, forward, resume: nothing to ask but a note
		text := widget.NewEntry()
		d.form = newActionForm(d.u, a, []*widget.FormItem{widget.NewFormItem(lang.L("Note"), text)}, func() error {
			return d.act(a, func(ch *casefile.Change) { ch.Note = strings.TrimSpace(text.Text) })
		})
	}
}

// actionForm is the dialog of one case action: its fields, an error line
// and the button that records it.
type actionForm struct {
	confirm *widget.Button
	err     *widget.Label
	d       *dialog.CustomDialog
}

func newActionForm(u *UI, a caseflow.Action, items []*widget.FormItem, submit func() error) *actionForm {
	f := &actionForm{err: problem()}
	f.confirm = widget.NewButtonWithIcon(a.Label(i18n.Tag()), theme.ConfirmIcon(), func() {
		if err := submit(); err != nil {
			setProblem(f.err, msg(err))
			return
		}
		f.d.Hide()
	})
	f.confirm.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { f.d.Hide() })
	form := widget.NewForm(items...)
	form.SubmitText = ""
	body := container.NewVBox(form, f.err)
	f.d = dialog.NewCustomWithoutButtons(a.Label(i18n.Tag()), body, u.win)
	f.d.SetButtons([]fyne.CanvasObject{cancel, f.confirm})
	f.d.Resize(fyne.NewSize(560, body.MinSize().Height+160))
	f.d.Show()
	for _, it := range items {
		if e, ok := it.Widget.(*widget.Entry); ok {
			e.OnSubmitted = func(string) { f.confirm.OnTapped() }
			u.win.Canvas().Focus(e)
			break
		}
	}
	return f
}
