package ui

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/desk"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
)

// intakeScreen is the clerk's main screen: find the matter, fill in the
// applicant, tick the materials, and end with one of the outcomes at the
// window (accept, close on the spot, one-time notice, not accepted, or for
// a community agent forward to the township).
type intakeScreen struct {
	u       *UI
	index   *desk.MatterIndex
	results []*catalog.Matter
	search  *widget.Entry
	list    *widget.List
	draft   *desk.Draft

	matterTitle *widget.Label
	matterInfo  *widget.Label

	kind      *widget.RadioGroup
	name      *widget.Entry
	idNumber  *widget.Entry
	idHint    *widget.Label
	phone     *widget.Entry
	phoneHint *widget.Label
	address   *widget.Entry
	orgName   *widget.Entry
	credit    *widget.Entry
	creditMsg *widget.Label
	personBox *fyne.Container
	orgBox    *fyne.Container

	proxyBox     *fyne.Container
	proxyAuth    *widget.Entry
	proxyForward *widget.Entry

	mode         *widget.Select
	materials    []*materialRow
	materialsBox *fyne.Container
	missing      *widget.Label

	buttons   map[desk.Outcome]*widget.Button
	buttonBox *fyne.Container
	err       *widget.Label
	form      *fyne.Container
	empty     fyne.CanvasObject
	right     *fyne.Container
	content   fyne.CanvasObject

	oneTime     *oneTimeDialog
	notAccepted *reasonsDialog
	result      dialog.Dialog
	last        desk.Result
}

func newIntakeScreen(u *UI) *intakeScreen {
	s := &intakeScreen{u: u, buttons: map[desk.Outcome]*widget.Button{}}
	cat, _, _, err := u.st.Catalog(ctx())
	if err != nil && bmerr.CodeOf(err) != bmerr.NotFound {
		u.showError(err)
	}
	s.index = desk.NewMatterIndex(cat, u.id.Level)

	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(lang.L("Matter name, code or pinyin initials (e.g. ylbx)"))
	s.search.OnChanged = func(q string) { s.find(q) }
	s.search.OnSubmitted = func(string) {
		if len(s.results) > 0 {
			s.choose(s.results[0])
			u.win.Canvas().Focus(s.name)
		}
	}
	s.list = widget.NewList(func() int { return len(s.results) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.Truncation = fyne.TextTruncateClip
			info := widget.NewLabel("")
			info.Importance = widget.LowImportance
			info.SizeName = theme.SizeNameCaptionText
			return container.NewVBox(name, info)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			m := s.results[i]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(m.Name)
			box.Objects[1].(*widget.Label).SetText(matterSummary(m, u.id.Level))
		})
	s.list.OnSelected = func(i widget.ListItemID) {
		if i < len(s.results) {
			s.choose(s.results[i])
		}
	}
	left := container.NewBorder(container.NewVBox(title(lang.L("Matter")), s.search), nil, nil, nil, s.list)

	s.buildForm()
	s.empty = center(note(lang.L("Choose the matter on the left: type part of its name, its code or the pinyin initials, then press Enter.")), 420)
	s.right = container.NewStack(s.empty)
	split := container.NewHSplit(left, s.right)
	split.Offset = 0.3
	s.content = split
	s.find("")
	return s
}

// matterSummary is one line under a matter's name: handling type, promised
// limit, and what this station does with it.
func matterSummary(m *catalog.Matter, level catalog.Level) string {
	parts := []string{m.Handling.Label(i18n.Tag()), lang.L("promised") + " " + limitText(m.PromisedLimit)}
	if !m.CanAccept(level) && m.CanProxy(level) {
		parts = append(parts, lang.L("proxy, forwarded to the township"))
	}
	return strings.Join(parts, " · ")
}

func (s *intakeScreen) find(q string) {
	s.results = s.index.Search(q, 50)
	s.list.UnselectAll()
	s.list.Refresh()
	s.list.ScrollToTop()
}

func (s *intakeScreen) buildForm() {
	u := s.u
	s.matterTitle = title("")
	s.matterTitle.Wrapping = fyne.TextWrapWord
	s.matterInfo = note("")

	s.kind = widget.NewRadioGroup([]string{lang.L("Person"), lang.L("Organisation")}, func(string) { s.kindChanged() })
	s.kind.Horizontal = true
	s.kind.Required = true
	s.name = widget.NewEntry()
	s.name.SetPlaceHolder(lang.L("as on the ID card"))
	s.idNumber = widget.NewEntry()
	s.idNumber.SetPlaceHolder(lang.L("18 characters"))
	s.idHint = widget.NewLabel("")
	s.idHint.Wrapping = fyne.TextWrapWord
	s.idNumber.OnChanged = func(string) { s.checkID() }
	s.phone = widget.NewEntry()
	s.phone.SetPlaceHolder(lang.L("mobile, 11 digits"))
	s.phoneHint = widget.NewLabel("")
	s.phone.OnChanged = func(string) { s.checkPhone() }
	s.address = widget.NewEntry()
	s.orgName = widget.NewEntry()
	s.credit = widget.NewEntry()
	s.credit.SetPlaceHolder(lang.L("unified social credit code, 18 characters"))
	s.creditMsg = widget.NewLabel("")
	s.creditMsg.Wrapping = fyne.TextWrapWord
	s.credit.OnChanged = func(string) { s.checkCredit() }

	next := func(e *widget.Entry, to fyne.Focusable) { e.OnSubmitted = func(string) { u.win.Canvas().Focus(to) } }
	next(s.name, s.idNumber)
	next(s.idNumber, s.phone)
	next(s.orgName, s.credit)
	next(s.credit, s.phone)
	next(s.phone, s.address)
	s.address.OnSubmitted = func(string) { s.primary() }

	s.personBox = container.NewVBox(widget.NewForm(
		widget.NewFormItem(lang.L("Name"), s.name),
		widget.NewFormItem(lang.L("Resident ID"), container.NewVBox(s.idNumber, s.idHint)),
	))
	s.orgBox = container.NewVBox(widget.NewForm(
		widget.NewFormItem(lang.L("Organisation"), s.orgName),
		widget.NewFormItem(lang.L("Credit code"), container.NewVBox(s.credit, s.creditMsg)),
	))
	contact := widget.NewForm(
		widget.NewFormItem(lang.L("Phone"), container.NewVBox(s.phone, s.phoneHint)),
		widget.NewFormItem(lang.L("Address"), s.address),
	)

	s.proxyAuth = widget.NewEntry()
	s.proxyAuth.SetPlaceHolder(lang.L("e.g. authorisation letter no. 2026-018"))
	s.proxyForward = widget.NewEntry()
	agent := widget.NewLabel(u.session.User.DisplayName)
	s.proxyForward.SetText(u.id.Parent)
	s.proxyBox = container.NewVBox(section(lang.L("Proxy application")), widget.NewForm(
		widget.NewFormItem(lang.L("Authorisation"), s.proxyAuth),
		widget.NewFormItem(lang.L("Agent"), agent),
		widget.NewFormItem(lang.L("Forward to"), s.proxyForward),
	))
	s.proxyBox.Hide()

	var modes []string
	for _, m := range casefile.ServiceModes() {
		modes = append(modes, modeLabel(m))
	}
	s.mode = widget.NewSelect(modes, nil)
	s.mode.SetSelectedIndex(0)

	s.materialsBox = container.NewVBox()
	s.missing = widget.NewLabel("")
	s.missing.Wrapping = fyne.TextWrapWord
	s.err = problem()
	s.buttonBox = container.NewHBox()

	s.kind.SetSelected(lang.L("Person"))
	s.form = container.NewVBox(
		s.matterTitle, s.matterInfo,
		section(lang.L("Applicant")), s.kind, s.personBox, s.orgBox, contact,
		s.proxyBox,
		section(lang.L("Service mode")), s.mode,
		section(lang.L("Materials")), s.materialsBox, s.missing,
	)
	s.orgBox.Hide()
}

// section is a bold heading inside a form.
func section(text string) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.TextStyle.Bold = true
	return container.NewVBox(widget.NewSeparator(), l)
}

func (s *intakeScreen) isOrg() bool { return s.kind.Selected == lang.L("Organisation") }

func (s *intakeScreen) kindChanged() {
	if s.personBox == nil || s.orgBox == nil {
		return
	}
	if s.isOrg() {
		s.personBox.Hide()
		s.orgBox.Show()
	} else {
		s.orgBox.Hide()
		s.personBox.Show()
	}
}

// choose starts (or switches) the application to matter m. What was typed
// about the applicant stays; the materials are the new matter's.
func (s *intakeScreen) choose(m *catalog.Matter) {
	u := s.u
	s.draft = desk.NewDraft(m)
	s.matterTitle.SetText(m.Name)
	info := []string{m.Kind.Label(i18n.Tag()), m.Handling.Label(i18n.Tag()), lang.L("promised") + " " + limitText(m.PromisedLimit)}
	if m.LegalLimit != nil {
		info = append(info, lang.L("legal limit")+" "+limitText(*m.LegalLimit))
	}
	if dept, ok := catalogDept(u, m.Department); ok {
		info = append(info, dept)
	}
	s.matterInfo.SetText(strings.Join(info, " · "))

	s.materials = nil
	s.materialsBox.RemoveAll()
	for _, mat := range m.Materials {
		r := newMaterialRow(s, mat)
		s.materials = append(s.materials, r)
		s.materialsBox.Add(r.content)
	}
	if u.id.Level == catalog.Community && !m.CanAccept(catalog.Community) {
		s.proxyBox.Show()
	} else {
		s.proxyBox.Hide()
	}
	s.buttons = map[desk.Outcome]*widget.Button{}
	s.buttonBox.RemoveAll()
	for i, o := range u.session.Outcomes(m) {
		o := o
		b := widget.NewButtonWithIcon(outcomeLabel(o), outcomeIcon(o), func() { s.start(o) })
		switch {
		case i == 0:
			b.Importance = widget.HighImportance
		case o == desk.OutcomeNotAccepted:
			b.Importance = widget.DangerImportance
		}
		s.buttons[o] = b
		s.buttonBox.Add(b)
	}
	clear := widget.NewButtonWithIcon(lang.L("Clear"), theme.ContentClearIcon(), s.reset)
	clear.Importance = widget.LowImportance
	s.buttonBox.Add(layoutSpacer())
	s.buttonBox.Add(clear)
	s.updateMissing()
	setProblem(s.err, "")
	bottom := container.NewVBox(widget.NewSeparator(), s.err, s.buttonBox)
	s.right.Objects = []fyne.CanvasObject{container.NewBorder(nil, bottom, nil, nil, container.NewVScroll(container.NewPadded(s.form)))}
	s.right.Refresh()
}

func catalogDept(u *UI, code string) (string, bool) {
	cat, _, _, err := u.st.Catalog(ctx())
	if err != nil {
		return "", false
	}
	d, ok := cat.Department(code)
	if !ok {
		return "", false
	}
	if i18n.Tag() == i18n.English && d.NameEn != "" {
		return d.NameEn, true
	}
	return d.Name, true
}

func outcomeLabel(o desk.Outcome) string {
	switch o {
	case desk.OutcomeAccept:
		return lang.L("Accept")
	case desk.OutcomeOnTheSpot:
		return lang.L("Close on the spot")
	case desk.OutcomeOneTime:
		return lang.L("One-time notice")
	case desk.OutcomeNotAccepted:
		return lang.L("Not accepted")
	case desk.OutcomeProxy:
		return lang.L("Forward as proxy")
	}
	return string(o)
}

func outcomeIcon(o desk.Outcome) fyne.Resource {
	switch o {
	case desk.OutcomeAccept:
		return theme.ConfirmIcon()
	case desk.OutcomeOnTheSpot:
		return theme.MediaFastForwardIcon()
	case desk.OutcomeOneTime:
		return theme.DocumentIcon()
	case desk.OutcomeNotAccepted:
		return theme.CancelIcon()
	case desk.OutcomeProxy:
		return theme.MailForwardIcon()
	}
	return nil
}

// checkID checks the resident ID as it is typed, and fully once complete,
// showing the birth date and sex it encodes.
func (s *intakeScreen) checkID() {
	text := strings.TrimSpace(s.idNumber.Text)
	switch {
	case text == "":
		s.hint(s.idHint, "", widget.MediumImportance)
	case ident.CheckPartialResidentID(text) != nil:
		s.hint(s.idHint, msg(ident.CheckPartialResidentID(text)), widget.DangerImportance)
	case utf8.RuneCountInString(strings.ReplaceAll(text, " ", "")) < 18:
		s.hint(s.idHint, fmt.Sprintf(lang.L("%d of 18 characters"), utf8.RuneCountInString(strings.ReplaceAll(text, " ", ""))), widget.LowImportance)
	default:
		id, err := ident.ParseResidentID(text, s.u.now())
		if err != nil {
			s.hint(s.idHint, msg(err), widget.DangerImportance)
			return
		}
		s.hint(s.idHint, fmt.Sprintf(lang.L("Born %s · %s"), id.Birth, id.Sex.Label(i18n.Tag())), widget.SuccessImportance)
	}
}

func (s *intakeScreen) checkPhone() {
	text := strings.TrimSpace(s.phone.Text)
	if utf8.RuneCountInString(text) < 11 {
		s.hint(s.phoneHint, "", widget.MediumImportance)
		return
	}
	if _, err := ident.ParseMobile(text); err != nil {
		s.hint(s.phoneHint, msg(err), widget.DangerImportance)
		return
	}
	s.hint(s.phoneHint, "", widget.MediumImportance)
}

// checkCredit checks a credit code once complete; a failed check character
// is a warning the clerk may go past, not a block.
func (s *intakeScreen) checkCredit() {
	text := strings.TrimSpace(s.credit.Text)
	if utf8.RuneCountInString(text) < 18 {
		s.hint(s.creditMsg, "", widget.MediumImportance)
		return
	}
	cc, err := ident.ParseCreditCode(text)
	switch {
	case err != nil:
		s.hint(s.creditMsg, msg(err), widget.DangerImportance)
	case cc.Warning != nil:
		s.hint(s.creditMsg, msg(cc.Warning), widget.WarningImportance)
	default:
		s.hint(s.creditMsg, "✓", widget.SuccessImportance)
	}
}

func (s *intakeScreen) hint(l *widget.Label, text string, imp widget.Importance) {
	l.Importance = imp
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// updateMissing says what the case still lacks to be accepted.
func (s *intakeScreen) updateMissing() {
	if s.draft == nil {
		return
	}
	missing := s.draft.Missing()
	if len(missing) == 0 {
		s.missing.Importance = widget.SuccessImportance
		s.missing.SetText(lang.L("Materials complete: the case can be accepted."))
		return
	}
	names := make([]string, len(missing))
	for i, m := range missing {
		names[i] = m.Name
	}
	s.missing.Importance = widget.WarningImportance
	s.missing.SetText(fmt.Sprintf(lang.L("Still missing (%d): %s"), len(missing), strings.Join(names, lang.L(", "))))
}

// applicant collects the applicant from the form into the draft.
func (s *intakeScreen) applicant() casefile.Applicant {
	a := casefile.Applicant{Kind: casefile.Person, Name: strings.TrimSpace(s.name.Text), IDNumber: strings.TrimSpace(s.idNumber.Text),
		Phone: strings.TrimSpace(s.phone.Text), Address: strings.TrimSpace(s.address.Text)}
	if s.isOrg() {
		a = casefile.Applicant{Kind: casefile.Organisation, Name: strings.TrimSpace(s.orgName.Text), CreditCode: strings.TrimSpace(s.credit.Text),
			Phone: a.Phone, Address: a.Address}
	}
	return a
}

func (s *intakeScreen) collect() {
	s.draft.Applicant = s.applicant()
	s.draft.Mode = casefile.ServiceModes()[max(s.mode.SelectedIndex(), 0)]
	if s.u.id.Level == catalog.Community && s.proxyBox.Visible() {
		p := s.u.session.ProxyDefaults()
		p.Authorization = strings.TrimSpace(s.proxyAuth.Text)
		p.ForwardTo = strings.TrimSpace(s.proxyForward.Text)
		s.draft.Proxy = p
	} else {
		s.draft.Proxy = nil
	}
}

// primary runs the first outcome (accept, or forward for an agent): what
// Enter in the last field does.
func (s *intakeScreen) primary() {
	if s.draft == nil {
		return
	}
	if os := s.u.session.Outcomes(s.draft.Matter); len(os) > 0 {
		s.start(os[0])
	}
}

// start runs an outcome; those that need more input open their dialog first.
func (s *intakeScreen) start(o desk.Outcome) {
	if s.draft == nil {
		return
	}
	s.collect()
	if _, err := desk.CheckApplicant(s.draft.Applicant, s.u.now()); err != nil {
		setProblem(s.err, msg(err))
		return
	}
	switch o {
	case desk.OutcomeOneTime:
		s.oneTime = newOneTimeDialog(s.u, s.draft.MissingItems(), func(items []casefile.MissingItem) error {
			return s.submit(o, desk.IntakeInput{Items: items})
		})
		return
	case desk.OutcomeNotAccepted:
		s.notAccepted = newReasonsDialog(s.u, lang.L("Not accepted"), lang.L("Record not accepted"), func(reasons, remedies []string) error {
			return s.submit(o, desk.IntakeInput{Reasons: reasons, Remedies: remedies})
		})
		return
	}
	if err := s.submit(o, desk.IntakeInput{}); err != nil {
		setProblem(s.err, msg(err))
	}
}

// submit records the outcome, opens the notice and starts a fresh form. An
// error that left nothing recorded is returned for the form to show; once
// the case exists the result is shown whatever else failed (printing).
func (s *intakeScreen) submit(o desk.Outcome, in desk.IntakeInput) error {
	s.collect()
	res, err := s.u.session.Submit(ctx(), s.draft, o, in)
	s.last = res
	if err != nil && res.Case == nil {
		return err
	}
	setProblem(s.err, "")
	if err != nil {
		s.u.showError(err)
	}
	if len(res.PDF) > 0 {
		s.u.openFile(res.Document.Filename, res.PDF)
	}
	s.showResult(o, res)
	s.reset()
	return nil
}

func (s *intakeScreen) showResult(o desk.Outcome, res desk.Result) {
	c := res.Case
	lines := []string{fmt.Sprintf(lang.L("Case number: %s"), c.Number)}
	switch o {
	case desk.OutcomeAccept:
		lines = append(lines, fmt.Sprintf(lang.L("Accepted on %s; due by %s (%s)."), c.AcceptedOn, date(c.DueOn), limitText(c.Matter.Promised)))
		if _, cal, _, err := s.u.st.Catalog(ctx()); err == nil && cal != nil {
			for _, y := range uncoveredYears(cal, c.AcceptedOn, c.DueOn) {
				lines = append(lines, "⚠ "+fmt.Sprintf(lang.L("This station's working-day calendar has no holiday schedule for %d yet, so the due date counts Monday to Friday only; once central publishes the %d calendar, the case's next step recomputes it."), y, y))
			}
		}
	case desk.OutcomeOnTheSpot:
		lines = append(lines, lang.L("Accepted and closed on the spot."))
	case desk.OutcomeOneTime:
		lines = append(lines, fmt.Sprintf(lang.L("One-time notice given, listing %d items."), len(c.Notice.Items)))
	case desk.OutcomeNotAccepted:
		lines = append(lines, lang.L("Not accepted; the notice gives the reasons and the remedies."))
	case desk.OutcomeProxy:
		lines = append(lines, fmt.Sprintf(lang.L("Received as proxy and forwarded to %s."), c.HandlingStation))
	}
	if res.Document.Kind != "" {
		lines = append(lines, fmt.Sprintf(lang.L("%s printed and kept with the case."), docKind(res.Document.Kind)))
	}
	body := widget.NewLabel(strings.Join(lines, "\n"))
	body.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	reprint := widget.NewButtonWithIcon(lang.L("Open the notice again"), theme.DocumentPrintIcon(), func() {
		if len(res.PDF) > 0 {
			s.u.openFile(res.Document.Filename, res.PDF)
		}
	})
	view := widget.NewButtonWithIcon(lang.L("Show the case"), theme.ListIcon(), func() {
		d.Hide()
		s.u.shell.openCase(c.ID)
	})
	next := widget.NewButtonWithIcon(lang.L("Next applicant"), theme.ConfirmIcon(), func() { d.Hide(); s.u.win.Canvas().Focus(s.search) })
	next.Importance = widget.HighImportance
	d = dialog.NewCustomWithoutButtons(outcomeLabel(o), body, s.u.win)
	btns := []fyne.CanvasObject{view, next}
	if len(res.PDF) > 0 {
		btns = []fyne.CanvasObject{reprint, view, next}
	}
	d.SetButtons(btns)
	d.Show()
	s.result = d
	s.u.win.Canvas().Focus(nil)
}

// uncoveredYears lists the years between from and to (both included) for
// which cal holds no holiday schedule: there its working days are just
// Monday to Friday. Zero dates give none.
func uncoveredYears(cal *workcal.Calendar, from, to workcal.Date) []int {
	if from.IsZero() || to.IsZero() {
		return nil
	}
	var out []int
	for y := from.Year; y <= to.Year; y++ {
		if !cal.Covers(workcal.D(y, 1, 1)) {
			out = append(out, y)
		}
	}
	return out
}

// reset clears the form for the next applicant.
func (s *intakeScreen) reset() {
	for _, e := range []*widget.Entry{s.name, s.idNumber, s.phone, s.address, s.orgName, s.credit, s.proxyAuth} {
		e.SetText("")
	}
	s.proxyForward.SetText(s.u.id.Parent)
	s.mode.SetSelectedIndex(0)
	s.kind.SetSelected(lang.L("Person"))
	s.search.SetText("")
	s.draft = nil
	s.right.Objects = []fyne.CanvasObject{s.empty}
	s.right.Refresh()
}

// materialRow is one catalog material in the checklist.
type materialRow struct {
	s        *intakeScreen
	mat      catalog.Material
	received *widget.Check
	original *widget.Check
	copies   *widget.Entry
	deferred *widget.Check
	attach   *widget.Button
	files    *widget.Label
	content  fyne.CanvasObject
}

func newMaterialRow(s *intakeScreen, mat catalog.Material) *materialRow {
	r := &materialRow{s: s, mat: mat}
	r.received = widget.NewCheck(mat.Name, func(on bool) {
		s.draft.Receive(mat.Code, on)
		r.sync()
	})
	tag := widget.NewLabel(mat.Necessity.Label(i18n.Tag()))
	tag.SizeName = theme.SizeNameCaptionText
	switch mat.Necessity {
	case catalog.Required:
		tag.Importance = widget.HighImportance
	case catalog.Deferrable:
		tag.Importance = widget.WarningImportance
	default:
		tag.Importance = widget.LowImportance
	}
	r.original = widget.NewCheck(lang.L("original seen"), func(on bool) {
		if rec := s.draft.Material(mat.Code); rec != nil {
			rec.Original = on
		}
	})
	r.copies = widget.NewEntry()
	r.copies.OnChanged = func(t string) {
		n, err := strconv.Atoi(strings.TrimSpace(t))
		if rec := s.draft.Material(mat.Code); rec != nil && err == nil && n >= 0 {
			rec.Copies = n
		}
	}
	items := []fyne.CanvasObject{r.original, widget.NewLabel(lang.L("copies")), container.NewGridWrap(fyne.NewSize(56, r.copies.MinSize().Height), r.copies)}
	if mat.Necessity == catalog.Deferrable {
		r.deferred = widget.NewCheck(lang.L("supply later"), func(on bool) {
			if err := s.draft.Defer(mat.Code, on); err != nil {
				setProblem(s.err, msg(err))
			}
			r.sync()
		})
		items = append(items, r.deferred)
	}
	r.attach = widget.NewButtonWithIcon(lang.L("Attach scan"), theme.FileImageIcon(), r.pick)
	r.attach.Importance = widget.LowImportance
	r.files = widget.NewLabel("")
	r.files.Truncation = fyne.TextTruncateClip
	items = append(items, r.attach)
	head := container.NewHBox(r.received, tag)
	r.content = container.NewVBox(head, container.NewBorder(nil, nil, container.NewHBox(append([]fyne.CanvasObject{widget.NewLabel("    ")}, items...)...), nil, r.files))
	r.sync()
	return r
}

// sync shows the draft's record of the material.
func (r *materialRow) sync() {
	rec := r.s.draft.Material(r.mat.Code)
	if rec == nil {
		return
	}
	r.received.Checked = rec.Received
	r.received.Refresh()
	r.original.Checked = rec.Original
	r.original.Refresh()
	if rec.Received {
		r.original.Enable()
		r.copies.Enable()
	} else {
		r.original.Disable()
		r.copies.Disable()
	}
	r.copies.SetText(strconv.Itoa(rec.Copies))
	if r.deferred != nil {
		r.deferred.Checked = rec.Deferred
		r.deferred.Refresh()
	}
	var names []string
	for _, a := range rec.Attachments {
		names = append(names, a.Name)
	}
	r.files.SetText(strings.Join(names, lang.L(", ")))
	r.s.updateMissing()
}

// pick opens a file dialog for a scan.
func (r *materialRow) pick() {
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			r.s.u.showError(err)
			return
		}
		if rc == nil {
			return
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, desk.MaxScanSize+1))
		if err != nil {
			r.s.u.showError(err)
			return
		}
		r.attachData(rc.URI().Name(), data)
	}, r.s.u.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".jpg", ".jpeg", ".png", ".pdf", ".tif", ".tiff", ".bmp", ".JPG", ".JPEG", ".PNG", ".PDF"}))
	fd.Resize(fyne.NewSize(800, 560))
	fd.Show()
}

// attachData attaches a scan after checking its content and size.
func (r *materialRow) attachData(name string, data []byte) {
	if _, err := r.s.draft.AttachScan(r.mat.Code, name, data); err != nil {
		r.s.u.showError(err)
		return
	}
	r.sync()
}

// oneTimeDialog edits the one-time notice: every missing item, prefilled,
// with what is asked for each; items may be added and removed.
type oneTimeDialog struct {
	u       *UI
	names   []*widget.Entry
	notes   []*widget.Entry
	box     *fyne.Container
	add     *widget.Button
	confirm *widget.Button
	err     *widget.Label
	d       *dialog.CustomDialog
}

func newOneTimeDialog(u *UI, items []casefile.MissingItem, submit func([]casefile.MissingItem) error) *oneTimeDialog {
	o := &oneTimeDialog{u: u, box: container.NewVBox(), err: problem()}
	for _, it := range items {
		o.addItem(it.Name, it.Note)
	}
	if len(items) == 0 {
		o.addItem("", "")
	}
	o.add = widget.NewButtonWithIcon(lang.L("Add an item"), theme.ContentAddIcon(), func() { o.addItem("", "") })
	o.confirm = widget.NewButtonWithIcon(lang.L("Give the one-time notice"), theme.DocumentPrintIcon(), func() {
		if err := submit(o.Items()); err != nil {
			setProblem(o.err, msg(err))
			return
		}
		o.d.Hide()
	})
	o.confirm.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { o.d.Hide() })
	intro := note(lang.L("List everything the applicant must still bring or correct: the notice promises that nothing else will be asked."))
	body := container.NewBorder(intro, container.NewVBox(o.err, o.add), nil, nil, container.NewVScroll(o.box))
	o.d = dialog.NewCustomWithoutButtons(lang.L("One-time notice"), body, u.win)
	o.d.SetButtons([]fyne.CanvasObject{cancel, o.confirm})
	o.d.Resize(fyne.NewSize(760, 520))
	o.d.Show()
	return o
}

func (o *oneTimeDialog) addItem(name, noteText string) {
	n, t := widget.NewEntry(), widget.NewEntry()
	n.SetText(name)
	n.SetPlaceHolder(lang.L("material or requirement"))
	t.SetText(noteText)
	t.SetPlaceHolder(lang.L("what exactly is needed"))
	o.names, o.notes = append(o.names, n), append(o.notes, t)
	o.box.Add(container.NewGridWithColumns(2, n, t))
}

// Items returns the items as typed, without empty ones.
func (o *oneTimeDialog) Items() []casefile.MissingItem {
	var out []casefile.MissingItem
	for i := range o.names {
		if name := strings.TrimSpace(o.names[i].Text); name != "" {
			out = append(out, casefile.MissingItem{Name: name, Note: strings.TrimSpace(o.notes[i].Text)})
		}
	}
	return out
}

// reasonsDialog collects the written reasons and the remedies a refusal
// must give (不予受理, 不予许可).
type reasonsDialog struct {
	err      *widget.Label
	reasons  *widget.Entry
	remedies *widget.Entry
	confirm  *widget.Button
	d        *dialog.CustomDialog
}

func newReasonsDialog(u *UI, heading, action string, submit func(reasons, remedies []string) error) *reasonsDialog {
	r := &reasonsDialog{reasons: widget.NewMultiLineEntry(), remedies: widget.NewMultiLineEntry(), err: problem()}
	r.reasons.SetPlaceHolder(lang.L("one reason per line"))
	r.reasons.SetMinRowsVisible(4)
	r.reasons.Wrapping = fyne.TextWrapWord
	r.remedies.SetText(desk.StandardRemedy)
	r.remedies.SetMinRowsVisible(3)
	r.remedies.Wrapping = fyne.TextWrapWord
	r.confirm = widget.NewButtonWithIcon(action, theme.DocumentPrintIcon(), func() {
		if err := submit(desk.Lines(r.reasons.Text), desk.Lines(r.remedies.Text)); err != nil {
			setProblem(r.err, msg(err))
			return
		}
		r.d.Hide()
	})
	r.confirm.Importance = widget.DangerImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { r.d.Hide() })
	body := container.NewVBox(widget.NewForm(
		widget.NewFormItem(lang.L("Reasons"), r.reasons),
		widget.NewFormItem(lang.L("Remedies"), r.remedies),
	), r.err)
	r.d = dialog.NewCustomWithoutButtons(heading, body, u.win)
	r.d.SetButtons([]fyne.CanvasObject{cancel, r.confirm})
	r.d.Resize(fyne.NewSize(720, 420))
	r.d.Show()
	u.win.Canvas().Focus(r.reasons)
	return r
}
