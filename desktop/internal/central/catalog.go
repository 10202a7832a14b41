package central

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/centraldesk"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/shared/catalog"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
	"github.com/bianmin/bianmin/shared/workcal"
)

// catalogScreen is the catalog administrator's editor: the matters with
// their fields, materials and workflow stages, and the working-day
// calendar. Edits change a working copy (centraldesk.Draft); 校验 checks it
// here exactly as stations will, 发布 has central check it again (dry run)
// and then publishes it as the next version, which stations fetch on their
// next sync.
type catalogScreen struct {
	u     *UI
	draft *centraldesk.Draft

	version  *widget.Label
	status   *widget.Label
	reload_  *widget.Button
	add      *widget.Button
	validate *widget.Button
	publish  *widget.Button
	problems []centraldesk.Problem
	probBox  *fyne.Container
	matters  *widget.List
	cur      int
	editor   *matterEditor
	edit     *fyne.Container
	calendar *calendarEditor
	calBox   *fyne.Container
	depts    *deptEditor
	deptBox  *fyne.Container
	tabs     *container.AppTabs
	confirm  *dialog.ConfirmDialog // the publish confirmation, while open
	dirty    bool                  // edited since loaded or published
	content  fyne.CanvasObject
}

func newCatalogScreen(u *UI) *catalogScreen {
	s := &catalogScreen{u: u, version: bold(""), status: note(""), probBox: container.NewVBox(), edit: container.NewVBox(), calBox: container.NewVBox(), deptBox: container.NewVBox(), cur: -1}
	s.reload_ = widget.NewButtonWithIcon(lang.L("Reload"), theme.ViewRefreshIcon(), func() {
		if !s.dirty {
			s.reload()
			return
		}
		dialog.ShowConfirm(lang.L("Reload"), lang.L("Discard the edits not yet published and load central's current catalog?"), func(ok bool) {
			if ok {
				s.reload()
			}
		}, u.win)
	})
	s.add = widget.NewButtonWithIcon(lang.L("Add matter"), theme.ContentAddIcon(), s.addMatter)
	s.validate = widget.NewButtonWithIcon(lang.L("Validate"), theme.ConfirmIcon(), s.check)
	s.publish = widget.NewButtonWithIcon(lang.L("Publish"), theme.UploadIcon(), s.startPublish)
	s.publish.Importance = widget.HighImportance
	s.matters = widget.NewList(func() int {
		if s.draft == nil {
			return 0
		}
		return len(s.draft.Catalog.Matters)
	}, func() fyne.CanvasObject { return widget.NewLabel("") }, func(i widget.ListItemID, o fyne.CanvasObject) {
		m := s.draft.Catalog.Matters[i]
		o.(*widget.Label).SetText(m.Name)
	})
	s.matters.OnSelected = func(i widget.ListItemID) { s.selectMatter(i) }
	split := container.NewHSplit(s.matters, container.NewVScroll(container.NewPadded(s.edit)))
	split.Offset = 0.25
	s.tabs = container.NewAppTabs(
		container.NewTabItem(lang.L("Matters"), split),
		container.NewTabItem(lang.L("Department list"), container.NewVScroll(container.NewPadded(s.deptBox))),
		container.NewTabItem(lang.L("Working-day calendar"), container.NewVScroll(container.NewPadded(s.calBox))),
	)
	// The matter editor offers the departments as they stand: rebuild it
	// when coming back from the department list.
	s.tabs.OnSelected = func(t *container.TabItem) {
		if t.Text == lang.L("Matters") && s.cur >= 0 {
			s.rebuild()
		}
	}
	bar := container.NewHBox(s.version, s.status, layoutSpacer(), s.reload_, s.add, s.validate, s.publish)
	probs := container.NewVScroll(s.probBox)
	probs.SetMinSize(fyne.NewSize(0, 90))
	s.content = container.NewBorder(bar, probs, nil, nil, s.tabs)
	return s
}

// open loads central's catalog the first time the screen shows; later
// visits keep the edits not yet published.
func (s *catalogScreen) open() {
	if s.draft == nil {
		s.reload()
	}
}

// reload fetches central's current catalog and calendar into a new draft.
func (s *catalogScreen) reload() {
	u := s.u
	client := u.client
	call(u, func(ctx context.Context) (*centralv1.GetCatalogResponse, error) {
		return client.Catalog(ctx)
	}, func(r *centralv1.GetCatalogResponse, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		d, err := centraldesk.LoadDraft(int(r.GetVersion()), r.GetCatalogJson(), r.GetCalendarJson())
		if err != nil {
			u.showError(err)
			return
		}
		s.load(d)
	})
}

func (s *catalogScreen) load(d *centraldesk.Draft) {
	s.draft, s.dirty = d, false
	s.u.setDepartments(d.Catalog.Departments)
	s.version.SetText(fmt.Sprintf(lang.L("Catalog version %d"), d.Base))
	s.status.SetText("")
	s.showProblems(nil, false)
	s.matters.UnselectAll()
	s.matters.Refresh()
	s.cur = -1
	s.edit.Objects = []fyne.CanvasObject{note(lang.L("Choose a matter on the left to edit it."))}
	s.edit.Refresh()
	s.calendar = newCalendarEditor(s)
	s.calBox.Objects = []fyne.CanvasObject{s.calendar.content}
	s.calBox.Refresh()
	s.depts = newDeptEditor(s)
	s.deptBox.Objects = []fyne.CanvasObject{s.depts.content}
	s.deptBox.Refresh()
	if len(d.Catalog.Matters) > 0 {
		s.matters.Select(0)
	}
}

// changed notes an unpublished edit.
func (s *catalogScreen) changed() {
	s.dirty = true
	s.status.SetText(lang.L("edited, not yet published"))
}

func (s *catalogScreen) selectMatter(i int) {
	if s.draft == nil || i < 0 || i >= len(s.draft.Catalog.Matters) {
		return
	}
	s.cur = i
	s.draft.ClearBadPrefix("m.")
	s.editor = newMatterEditor(s, i)
	s.edit.Objects = []fyne.CanvasObject{s.editor.content}
	s.edit.Refresh()
}

// rebuild redraws the matter's editor after a change of its structure.
func (s *catalogScreen) rebuild() {
	s.matters.Refresh()
	s.selectMatter(s.cur)
}

func (s *catalogScreen) addMatter() {
	if s.draft == nil {
		return
	}
	i := s.draft.AddMatter()
	s.changed()
	s.matters.Refresh()
	s.matters.Select(i)
}

func (s *catalogScreen) removeMatter(i int) {
	dialog.ShowConfirm(lang.L("Remove matter"), fmt.Sprintf(lang.L("Remove %s from the catalog? Stations stop offering it after the next publication; open cases keep their rules."),
		s.draft.Catalog.Matters[i].Name), func(ok bool) {
		if !ok {
			return
		}
		s.draft.RemoveMatter(i)
		s.changed()
		s.matters.UnselectAll()
		s.matters.Refresh()
		s.cur = -1
		s.edit.Objects = []fyne.CanvasObject{note(lang.L("Choose a matter on the left to edit it."))}
		s.edit.Refresh()
	}, s.u.win)
}

// check validates the draft here, as catalog.Parse will at every station.
func (s *catalogScreen) check() {
	if s.draft == nil {
		return
	}
	s.showProblems(s.draft.Check(i18n.Tag()), true)
}

func (s *catalogScreen) showProblems(ps []centraldesk.Problem, checked bool) {
	s.problems = ps
	s.probBox.RemoveAll()
	switch {
	case len(ps) > 0:
		h := bold(fmt.Sprintf(lang.L("%d problems: fix them before publishing"), len(ps)))
		h.Importance = widget.DangerImportance
		s.probBox.Add(h)
		for _, p := range ps {
			text := p.Message
			if p.Field != "" && !strings.Contains(text, p.Field) {
				text += "  [" + p.Field + "]"
			}
			l := wrapped(text)
			l.Importance = widget.DangerImportance
			s.probBox.Add(l)
		}
	case checked:
		l := bold(lang.L("No problems found."))
		l.Importance = widget.SuccessImportance
		s.probBox.Add(l)
	}
	s.probBox.Refresh()
}

// startPublish validates locally, then has central validate (dry run),
// then asks before publishing.
func (s *catalogScreen) startPublish() {
	if s.draft == nil {
		return
	}
	if ps := s.draft.Check(i18n.Tag()); len(ps) > 0 {
		s.showProblems(ps, true)
		return
	}
	cat, cal, err := s.draft.Files()
	if err != nil {
		s.u.showError(err)
		return
	}
	u := s.u
	client := u.client
	s.publish.Disable()
	call(u, func(ctx context.Context) (*centralv1.PublishCatalogResponse, error) {
		return client.PublishCatalog(ctx, cat, cal, true)
	}, func(r *centralv1.PublishCatalogResponse, err error) {
		s.publish.Enable()
		if err != nil {
			u.showError(err)
			return
		}
		if ps := serverProblems(r.GetProblems()); len(ps) > 0 {
			s.showProblems(ps, true)
			return
		}
		s.showProblems(nil, true)
		s.confirm = dialog.NewConfirm(lang.L("Publish"), fmt.Sprintf(lang.L("Central found no problems. Publish it as catalog version %d? Stations fetch it on their next sync."), s.draft.Base+1),
			func(ok bool) {
				s.confirm = nil
				if ok {
					s.doPublish(cat, cal)
				}
			}, u.win)
		s.confirm.Show()
	})
}

func serverProblems(ps []*centralv1.Problem) []centraldesk.Problem {
	var out []centraldesk.Problem
	for _, p := range ps {
		m := p.GetMessageZh()
		if i18n.Tag() == i18n.English && p.GetMessageEn() != "" {
			m = p.GetMessageEn()
		}
		out = append(out, centraldesk.Problem{Field: p.GetField(), Message: m})
	}
	return out
}

func (s *catalogScreen) doPublish(cat, cal []byte) {
	u := s.u
	client := u.client
	s.publish.Disable()
	call(u, func(ctx context.Context) (*centralv1.PublishCatalogResponse, error) {
		return client.PublishCatalog(ctx, cat, cal, false)
	}, func(r *centralv1.PublishCatalogResponse, err error) {
		s.publish.Enable()
		if err != nil {
			u.showError(err)
			return
		}
		if ps := serverProblems(r.GetProblems()); len(ps) > 0 {
			s.showProblems(ps, true)
			return
		}
		s.draft.Base, s.dirty = int(r.GetVersion()), false
		s.version.SetText(fmt.Sprintf(lang.L("Catalog version %d"), s.draft.Base))
		s.status.SetText(fmt.Sprintf(lang.L("published as version %d"), s.draft.Base))
		u.info(lang.L("Published"), fmt.Sprintf(lang.L("Catalog version %d is published. Stations fetch it on their next sync."), s.draft.Base))
	})
}

// Inputs bound to the draft.

// intEntry is an entry for a whole number; text that is not one is
// reported by Check under field until corrected.
func (s *catalogScreen) intEntry(key string, field func() string, get func() int, set func(int)) *widget.Entry {
	e := widget.NewEntry()
	e.SetText(strconv.Itoa(get()))
	e.OnChanged = func(t string) {
		n, err := strconv.Atoi(strings.TrimSpace(t))
		if err != nil {
			s.draft.MarkBad(key, field(), fmt.Sprintf("%s：“%s”不是整数。", field(), t), fmt.Sprintf("%s: %q is not a whole number.", field(), t), i18n.Tag())
			return
		}
		s.draft.ClearBad(key)
		set(n)
		s.changed()
	}
	return e
}

// dateEntry is an entry for a date written YYYY-MM-DD.
func (s *catalogScreen) dateEntry(key string, field func() string, get func() workcal.Date, set func(workcal.Date)) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder("2027-01-01")
	e.SetText(dateText(get()))
	e.OnChanged = func(t string) {
		d, err := workcal.ParseDate(strings.TrimSpace(t))
		if err != nil {
			s.draft.MarkBad(key, field(), fmt.Sprintf("%s：“%s”不是日期，应形如 2027-01-01。", field(), t), fmt.Sprintf("%s: %q is not a date like 2027-01-01.", field(), t), i18n.Tag())
			return
		}
		s.draft.ClearBad(key)
		set(d)
		s.changed()
	}
	return e
}

func (s *catalogScreen) textEntry(get func() string, set func(string)) *widget.Entry {
	e := widget.NewEntry()
	e.SetText(get())
	e.OnChanged = func(t string) { set(t); s.changed() }
	return e
}

// enumSelect offers an enum's values by their labels.
func enumSelect[T ~string](s *catalogScreen, values []T, label func(T) string, get func() T, set func(T)) *widget.Select {
	var labels []string
	for _, v := range values {
		labels = append(labels, label(v))
	}
	sel := widget.NewSelect(labels, nil)
	for i, v := range values {
		if v == get() {
			sel.SetSelectedIndex(i)
		}
	}
	sel.OnChanged = func(string) {
		if i := sel.SelectedIndex(); i >= 0 {
			set(values[i])
			s.changed()
		}
	}
	return sel
}

// enumChecks offers a set of an enum's values as check boxes.
func enumChecks[T ~string](s *catalogScreen, values []T, label func(T) string, get func() []T, set func([]T)) *widget.CheckGroup {
	var labels []string
	byLabel := map[string]T{}
	for _, v := range values {
		labels = append(labels, label(v))
		byLabel[label(v)] = v
	}
	g := widget.NewCheckGroup(labels, nil)
	g.Horizontal = true
	var sel []string
	for _, v := range get() {
		sel = append(sel, label(v))
	}
	g.SetSelected(sel)
	g.OnChanged = func(chosen []string) {
		out := []T{}
		for _, v := range values { // keep the canonical order
			for _, c := range chosen {
				if byLabel[c] == v {
					out = append(out, v)
				}
			}
		}
		set(out)
		s.changed()
	}
	return g
}

func (s *catalogScreen) deptCodes() ([]string, func(string) string) {
	var codes []string
	for _, d := range s.draft.Catalog.Departments {
		codes = append(codes, d.Code)
	}
	return codes, func(c string) string { return s.u.deptName(c) }
}

func tag() string { return i18n.Tag() }

// matterEditor edits one matter in place.
type matterEditor struct {
	s   *catalogScreen
	i   int
	key string // prefix of its inputs' bad-field keys

	code, name, nameEn      *widget.Entry
	keywords                *widget.Entry // extra search words, separated by 、 or commas
	kind                    *widget.Select
	dept                    *widget.Select
	coDepts                 *widget.CheckGroup
	accept, decide, proxy   *widget.CheckGroup
	legalNone               *widget.Check
	legalN, promisedN       *widget.Entry
	legalUnit, promisedUnit *widget.Select
	handling                *widget.Select
	feeCharged              *widget.Check
	feeBasis, feeRate       *widget.Entry
	visits, depth           *widget.Entry
	procedures              *widget.CheckGroup
	materials               []*materialRow
	addMaterial, remove     *widget.Button
	stages                  []*stageEditor
	addStage, addParallel   *widget.Button
	content                 fyne.CanvasObject
}

type materialRow struct {
	code, name, nameEn, note *widget.Entry
	typ, source, necessity   *widget.Select
	form                     *widget.Select
	originals, copies        *widget.Entry
	remove                   *widget.Button
}

type stageEditor struct {
	kind     *widget.Select
	dept     *widget.Select
	steps    *widget.CheckGroup
	days     *widget.Entry
	rule     *widget.Select
	branches []*branchEditor
	addBr    *widget.Button
	remove   *widget.Button
}

type branchEditor struct {
	dept   *widget.Select
	steps  *widget.CheckGroup
	days   *widget.Entry
	remove *widget.Button
}

func newMatterEditor(s *catalogScreen, i int) *matterEditor {
	e := &matterEditor{s: s, i: i, key: "m."}
	m := func() *catalog.Matter { return &s.draft.Catalog.Matters[i] }
	path := func(f string) func() string {
		return func() string { return "matters[" + m().Name + "]." + f }
	}
	lg := tag()
	e.code = s.textEntry(func() string { return m().Code }, func(v string) { m().Code = strings.TrimSpace(v) })
	e.name = s.textEntry(func() string { return m().Name }, func(v string) { m().Name = v; s.matters.RefreshItem(i) })
	e.nameEn = s.textEntry(func() string { return m().NameEn }, func(v string) { m().NameEn = v })
	e.keywords = s.textEntry(func() string { return strings.Join(m().Keywords, "、") }, func(v string) { m().Keywords = keywordList(v) })
	e.keywords.SetPlaceHolder(lang.L("e.g. 低保、救助 (separate with 、 or commas)"))
	e.kind = enumSelect(s, centraldesk.Kinds, func(k catalog.Kind) string { return k.Label(lg) }, func() catalog.Kind { return m().Kind }, func(k catalog.Kind) { m().Kind = k })
	codes, deptLabel := s.deptCodes()
	e.dept = enumSelect(s, codes, deptLabel, func() string { return m().Department }, func(d string) { m().Department = d })
	e.coDepts = enumChecks(s, codes, deptLabel, func() []string { return m().CoDepartments }, func(ds []string) { m().CoDepartments = nilIfEmpty(ds) })
	levelLabel := func(l catalog.Level) string { return l.Label(lg) }
	e.accept = enumChecks(s, centraldesk.Levels, levelLabel, func() []catalog.Level { return m().Levels.Accept }, func(v []catalog.Level) { m().Levels.Accept = v })
	e.decide = enumChecks(s, centraldesk.Levels, levelLabel, func() []catalog.Level { return m().Levels.Decide }, func(v []catalog.Level) { m().Levels.Decide = v })
	e.proxy = enumChecks(s, centraldesk.Levels, levelLabel, func() []catalog.Level { return m().Levels.Proxy }, func(v []catalog.Level) { m().Levels.Proxy = v })
	unitLabel := func(u workcal.Unit) string { return u.Label(lg) }
	legal := func() *workcal.Limit {
		if m().LegalLimit == nil {
			m().LegalLimit = &workcal.Limit{Unit: workcal.WorkingDays}
		}
		return m().LegalLimit
	}
	hadLegal := m().LegalLimit != nil
	e.legalN = s.intEntry(e.key+"legal", path("legal_limit"), func() int {
		if m().LegalLimit == nil {
			return 0
		}
		return m().LegalLimit.N
	}, func(n int) { legal().N = n })
	e.legalUnit = enumSelect(s, centraldesk.Units, unitLabel, func() workcal.Unit {
		if m().LegalLimit == nil {
			return workcal.WorkingDays
		}
		return m().LegalLimit.Unit
	}, func(u workcal.Unit) { legal().Unit = u })
	e.legalNone = widget.NewCheck(lang.L("no statutory limit"), func(none bool) {
		if none {
			m().LegalLimit = nil
			e.legalN.Disable()
			e.legalUnit.Disable()
		} else {
			l := legal()
			if n, err := strconv.Atoi(strings.TrimSpace(e.legalN.Text)); err == nil {
				l.N = n
			}
			if i := e.legalUnit.SelectedIndex(); i >= 0 {
				l.Unit = centraldesk.Units[i]
			}
			e.legalN.Enable()
			e.legalUnit.Enable()
		}
		s.changed()
	})
	if !hadLegal {
		e.legalNone.Checked = true
		e.legalN.Disable()
		e.legalUnit.Disable()
		m().LegalLimit = nil
	}
	e.promisedN = s.intEntry(e.key+"promised", path("promised_limit"), func() int { return m().PromisedLimit.N }, func(n int) { m().PromisedLimit.N = n })
	e.promisedUnit = enumSelect(s, centraldesk.Units, unitLabel, func() workcal.Unit { return m().PromisedLimit.Unit }, func(u workcal.Unit) { m().PromisedLimit.Unit = u })
	e.handling = enumSelect(s, centraldesk.Handlings, func(h catalog.HandlingType) string { return h.Label(lg) }, func() catalog.HandlingType { return m().Handling }, func(h catalog.HandlingType) { m().Handling = h })
	e.feeCharged = widget.NewCheck(lang.L("charged"), func(v bool) { m().Fee.Charged = v; s.changed() })
	e.feeCharged.Checked = m().Fee.Charged
	e.feeBasis = s.textEntry(func() string { return m().Fee.Basis }, func(v string) { m().Fee.Basis = v })
	e.feeBasis.SetPlaceHolder(lang.L("legal basis"))
	e.feeRate = s.textEntry(func() string { return m().Fee.Rate }, func(v string) { m().Fee.Rate = v })
	e.feeRate.SetPlaceHolder(lang.L("e.g. 工本费 20 元"))
	e.visits = s.intEntry(e.key+"visits", path("max_visits"), func() int { return m().MaxVisits }, func(n int) { m().MaxVisits = n })
	e.depth = s.intEntry(e.key+"depth", path("online_depth"), func() int { return m().OnlineDepth }, func(n int) { m().OnlineDepth = n })
	e.procedures = enumChecks(s, centraldesk.Procedures, func(p catalog.Procedure) string { return p.Label(lg) },
		func() []catalog.Procedure { return m().SpecialProcedures }, func(v []catalog.Procedure) { m().SpecialProcedures = nilIfEmpty(v) })
	e.remove = widget.NewButtonWithIcon(lang.L("Remove matter"), theme.DeleteIcon(), func() { s.removeMatter(i) })
	e.remove.Importance = widget.DangerImportance

	basics := widget.NewForm(
		widget.NewFormItem(lang.L("Implementation code"), e.code),
		widget.NewFormItem(lang.L("Chinese name"), e.name),
		widget.NewFormItem(lang.L("English name"), e.nameEn),
		widget.NewFormItem(lang.L("Search keywords"), e.keywords),
		widget.NewFormItem(lang.L("Kind"), e.kind),
		widget.NewFormItem(lang.L("Implementing department"), e.dept),
		widget.NewFormItem(lang.L("Co-departments"), e.coDepts),
		widget.NewFormItem(lang.L("May accept"), e.accept),
		widget.NewFormItem(lang.L("May decide"), e.decide),
		widget.NewFormItem(lang.L("May collect by proxy"), e.proxy),
		widget.NewFormItem(lang.L("Legal limit"), container.NewHBox(container.NewGridWrap(fyne.NewSize(80, e.legalN.MinSize().Height), e.legalN), e.legalUnit, e.legalNone)),
		widget.NewFormItem(lang.L("Promised limit"), container.NewHBox(container.NewGridWrap(fyne.NewSize(80, e.promisedN.MinSize().Height), e.promisedN), e.promisedUnit)),
		widget.NewFormItem(lang.L("Handling type"), e.handling),
		widget.NewFormItem(lang.L("Fee"), container.NewBorder(nil, nil, e.feeCharged, nil, container.NewGridWithColumns(2, e.feeBasis, e.feeRate))),
		widget.NewFormItem(lang.L("Visits at most (0–2)"), e.visits),
		widget.NewFormItem(lang.L("Online depth (1–4)"), e.depth),
		widget.NewFormItem(lang.L("Special procedures"), e.procedures),
	)

	mats := container.NewVBox()
	for k := range m().Materials {
		row := e.materialRow(k)
		e.materials = append(e.materials, row)
		mats.Add(row.box(k))
	}
	e.addMaterial = widget.NewButtonWithIcon(lang.L("Add material"), theme.ContentAddIcon(), func() {
		s.draft.AddMaterial(m())
		s.changed()
		s.rebuild()
	})

	stages := container.NewVBox()
	if m().Workflow != nil {
		for j := range m().Workflow.Stages {
			st := e.stageEditor(j)
			e.stages = append(e.stages, st)
			stages.Add(st.box(j, s))
		}
	}
	e.addStage = widget.NewButtonWithIcon(lang.L("Add department stage"), theme.ContentAddIcon(), func() {
		centraldesk.AddStage(m(), catalog.DepartmentStage)
		s.changed()
		s.rebuild()
	})
	e.addParallel = widget.NewButtonWithIcon(lang.L("Add parallel stage"), theme.ContentAddIcon(), func() {
		centraldesk.AddStage(m(), catalog.ParallelStage)
		s.changed()
		s.rebuild()
	})
	e.content = container.NewVBox(
		container.NewHBox(title(m().Name), layoutSpacer(), e.remove),
		basics,
		section(lang.L("Materials")), mats, container.NewHBox(e.addMaterial),
		section(lang.L("Workflow at the deciding level")), stages, container.NewHBox(e.addStage, e.addParallel),
	)
	return e
}

// keywordList splits what the admin typed into search words: separated by
// 、 or commas (full- or half-width) or spaces, blanks and repeats dropped.
func keywordList(v string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(v, func(r rune) bool {
		return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' || unicode.IsSpace(r)
	}) {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

func (e *matterEditor) materialRow(k int) *materialRow {
	s, i := e.s, e.i
	mat := func() *catalog.Material { return &s.draft.Catalog.Matters[i].Materials[k] }
	field := func(f string) func() string {
		return func() string {
			m := s.draft.Catalog.Matters[i]
			return "matters[" + m.Name + "].materials[" + mat().Name + "]." + f
		}
	}
	lg := tag()
	key := fmt.Sprintf("%smat%d.", e.key, k)
	r := &materialRow{
		code:   s.textEntry(func() string { return mat().Code }, func(v string) { mat().Code = strings.TrimSpace(v) }),
		name:   s.textEntry(func() string { return mat().Name }, func(v string) { mat().Name = v }),
		nameEn: s.textEntry(func() string { return mat().NameEn }, func(v string) { mat().NameEn = v }),
		note:   s.textEntry(func() string { return mat().Note }, func(v string) { mat().Note = v }),
		typ: enumSelect(s, centraldesk.MatTypes, func(t catalog.MaterialType) string { return t.Label(lg) },
			func() catalog.MaterialType { return mat().Type }, func(t catalog.MaterialType) { mat().Type = t }),
		source: enumSelect(s, centraldesk.Sources, func(t catalog.Source) string { return t.Label(lg) },
			func() catalog.Source { return mat().Source }, func(t catalog.Source) { mat().Source = t }),
		necessity: enumSelect(s, centraldesk.Necessities, func(t catalog.Necessity) string { return t.Label(lg) },
			func() catalog.Necessity { return mat().Necessity }, func(t catalog.Necessity) { mat().Necessity = t }),
		form: enumSelect(s, centraldesk.MatForms, func(t catalog.MaterialForm) string { return t.Label(lg) },
			func() catalog.MaterialForm { return mat().Form }, func(t catalog.MaterialForm) { mat().Form = t }),
		originals: s.intEntry(key+"originals", field("originals"), func() int { return mat().Originals }, func(n int) { mat().Originals = n }),
		copies:    s.intEntry(key+"copies", field("copies"), func() int { return mat().Copies }, func(n int) { mat().Copies = n }),
	}
	r.name.SetPlaceHolder(lang.L("Chinese name"))
	r.nameEn.SetPlaceHolder(lang.L("English name"))
	r.code.SetPlaceHolder(lang.L("Code"))
	r.note.SetPlaceHolder(lang.L("Note"))
	r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		centraldesk.RemoveMaterial(&s.draft.Catalog.Matters[i], k)
		s.changed()
		s.rebuild()
	})
	r.remove.Importance = widget.LowImportance
	return r
}

func (r *materialRow) box(k int) fyne.CanvasObject {
	small := func(o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(70, o.MinSize().Height), o)
	}
	first := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel(fmt.Sprintf("%d.", k+1)), container.NewGridWrap(fyne.NewSize(90, r.code.MinSize().Height), r.code)), r.remove,
		container.NewGridWithColumns(2, r.name, r.nameEn))
	second := container.NewHBox(r.necessity, r.typ, r.source, r.form,
		widget.NewLabel(lang.L("originals")), small(r.originals), widget.NewLabel(lang.L("copies")), small(r.copies))
	return container.NewVBox(first, container.NewBorder(nil, nil, second, nil, r.note), widget.NewSeparator())
}

func (e *matterEditor) stageEditor(j int) *stageEditor {
	s, i := e.s, e.i
	st := func() *catalog.Stage { return &s.draft.Catalog.Matters[i].Workflow.Stages[j] }
	field := func(f string) func() string {
		return func() string {
			return fmt.Sprintf("matters[%s].workflow.stages[%d].%s", s.draft.Catalog.Matters[i].Name, j, f)
		}
	}
	lg := tag()
	codes, deptLabel := s.deptCodes()
	stepLabel := func(x catalog.Step) string { return x.Label(lg) }
	ed := &stageEditor{}
	ed.kind = enumSelect(s, centraldesk.StageKinds, func(k catalog.StageKind) string { return k.Label(lg) }, func() catalog.StageKind { return st().Kind },
		func(k catalog.StageKind) {
			if st().Kind == k {
				return
			}
			st().Kind = k
			if k == catalog.ParallelStage {
				st().Steps, st().Days, st().Rule = nil, 0, catalog.AllAgree
				if len(st().Branches) == 0 {
					centraldesk.AddBranch(st(), st().Department)
				}
			} else {
				st().Branches, st().Rule = nil, ""
				st().Steps = []catalog.Step{catalog.Handle, catalog.Review, catalog.Approve}
			}
			s.rebuild()
		})
	ed.dept = enumSelect(s, codes, deptLabel, func() string { return st().Department }, func(d string) { st().Department = d })
	ed.remove = widget.NewButtonWithIcon(lang.L("Remove stage"), theme.DeleteIcon(), func() {
		centraldesk.RemoveStage(&s.draft.Catalog.Matters[i], j)
		s.changed()
		s.rebuild()
	})
	ed.remove.Importance = widget.LowImportance
	if st().Kind != catalog.ParallelStage {
		ed.steps = enumChecks(s, centraldesk.Steps, stepLabel, func() []catalog.Step { return st().Steps }, func(v []catalog.Step) { st().Steps = nilIfEmpty(v) })
		ed.days = s.intEntry(fmt.Sprintf("%sst%d.days", e.key, j), field("days"), func() int { return st().Days }, func(n int) { st().Days = n })
		return ed
	}
	ed.rule = enumSelect(s, centraldesk.Rules, func(r catalog.CompletionRule) string { return r.Label(lg) }, func() catalog.CompletionRule { return st().Rule },
		func(r catalog.CompletionRule) { st().Rule = r })
	for k := range st().Branches {
		k := k
		br := func() *catalog.Branch { return &st().Branches[k] }
		b := &branchEditor{
			dept: enumSelect(s, codes, deptLabel, func() string { return br().Department }, func(d string) { br().Department = d }),
			steps: enumChecks(s, centraldesk.Steps, stepLabel, func() []catalog.Step { return br().Steps },
				func(v []catalog.Step) { br().Steps = v }),
			days: s.intEntry(fmt.Sprintf("%sst%d.br%d.days", e.key, j, k), field(fmt.Sprintf("branches[%d].days", k)),
				func() int { return br().Days }, func(n int) { br().Days = n }),
		}
		b.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			centraldesk.RemoveBranch(st(), k)
			s.changed()
			s.rebuild()
		})
		b.remove.Importance = widget.LowImportance
		ed.branches = append(ed.branches, b)
	}
	ed.addBr = widget.NewButtonWithIcon(lang.L("Add department"), theme.ContentAddIcon(), func() {
		centraldesk.AddBranch(st(), "")
		s.changed()
		s.rebuild()
	})
	return ed
}

func (ed *stageEditor) box(j int, s *catalogScreen) fyne.CanvasObject {
	head := container.NewHBox(bold(fmt.Sprintf(lang.L("Stage %d"), j+1)), ed.kind, layoutSpacer(), ed.remove)
	if ed.rule == nil {
		form := widget.NewForm(
			widget.NewFormItem(lang.L("Department"), ed.dept),
			widget.NewFormItem(lang.L("Steps"), ed.steps),
			widget.NewFormItem(lang.L("Sub-deadline (working days, 0: none)"), ed.days),
		)
		return widget.NewCard("", "", container.NewVBox(head, form))
	}
	rows := container.NewVBox()
	for _, b := range ed.branches {
		rows.Add(container.NewHBox(b.dept, b.steps, widget.NewLabel(lang.L("working days")), container.NewGridWrap(fyne.NewSize(60, b.days.MinSize().Height), b.days), b.remove))
	}
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Lead department"), ed.dept),
		widget.NewFormItem(lang.L("Completion rule"), ed.rule),
		widget.NewFormItem(lang.L("Departments"), container.NewVBox(rows, container.NewHBox(ed.addBr))),
	)
	return widget.NewCard("", "", container.NewVBox(head, form))
}

// calendarEditor edits the working-day calendar: each year's holidays and
// make-up working days, and adds next year's schedule when the State
// Council publishes it.
type calendarEditor struct {
	s        *catalogScreen
	missing  *widget.Label // next year's schedule is missing
	years    *widget.Select
	year     int // index into the draft's years
	addYear  *widget.Button
	remove   *widget.Button
	source   *widget.Entry
	holidays []*holidayRow
	workdays []*widget.Entry
	addHol   *widget.Button
	addWork  *widget.Button
	body     *fyne.Container
	content  fyne.CanvasObject
}

type holidayRow struct {
	name, from, to *widget.Entry
	remove         *widget.Button
}

func newCalendarEditor(s *catalogScreen) *calendarEditor {
	c := &calendarEditor{s: s, body: container.NewVBox(), year: -1}
	c.years = widget.NewSelect(nil, func(string) {
		if i := c.years.SelectedIndex(); i >= 0 && i != c.year {
			c.year = i
			c.build()
		}
	})
	c.addYear = widget.NewButtonWithIcon(lang.L("Add next year"), theme.ContentAddIcon(), func() {
		i := s.draft.AddNextYear(s.u.now())
		s.changed()
		c.refreshYears()
		c.years.SetSelectedIndex(i)
	})
	c.remove = widget.NewButtonWithIcon(lang.L("Remove year"), theme.DeleteIcon(), func() {
		if c.year < 0 {
			return
		}
		s.draft.RemoveYear(c.year)
		s.changed()
		c.year = -1
		c.refreshYears()
		if len(s.draft.Calendar.Years) > 0 {
			c.years.SetSelectedIndex(len(s.draft.Calendar.Years) - 1)
		} else {
			c.build()
		}
	})
	c.remove.Importance = widget.LowImportance
	c.missing = widget.NewLabel("")
	c.missing.Wrapping = fyne.TextWrapWord
	c.missing.Importance = widget.WarningImportance
	c.content = container.NewVBox(
		note(lang.L("Working days are Monday to Friday, minus public holidays, plus make-up working days on weekends. Add next year's schedule when the State Council publishes it (each November); stations receive it with the catalog.")),
		c.missing,
		container.NewHBox(widget.NewLabel(lang.L("Year")), c.years, c.addYear, c.remove),
		c.body,
	)
	c.refreshYears()
	if n := len(s.draft.Calendar.Years); n > 0 {
		c.years.SetSelectedIndex(n - 1)
	}
	return c
}

func (c *calendarEditor) refreshYears() {
	c.warnMissing()
	var opts []string
	for _, y := range c.s.draft.Calendar.Years {
		opts = append(opts, strconv.Itoa(y.Year))
	}
	c.years.Options = opts
	c.years.ClearSelected()
	c.years.Refresh()
}

// warnMissing says, from October on, that next year has no schedule yet:
// due dates running into it count Monday to Friday only, at central and at
// every station, until it is published.
func (c *calendarEditor) warnMissing() {
	now := c.s.u.now().In(workcal.Shanghai)
	next := now.Year() + 1
	have := slices.ContainsFunc(c.s.draft.Calendar.Years, func(y workcal.Year) bool { return y.Year == next })
	if now.Month() < time.October || have {
		c.missing.Hide()
		return
	}
	c.missing.SetText("⚠ " + fmt.Sprintf(lang.L("No holiday schedule for %d yet: due dates that run into %d count Monday to Friday only, here and at every station. Add it (Add next year) and publish as soon as the State Council's notice is out."), next, next))
	c.missing.Show()
}

// build shows the chosen year's holidays and make-up days.
func (c *calendarEditor) build() {
	s := c.s
	s.draft.ClearBadPrefix("cal.")
	c.holidays, c.workdays = nil, nil
	c.body.RemoveAll()
	if c.year < 0 || c.year >= len(s.draft.Calendar.Years) {
		c.body.Refresh()
		return
	}
	yi := c.year
	yr := func() *workcal.Year { return &s.draft.Calendar.Years[yi] }
	label := func(f string) func() string {
		return func() string { return fmt.Sprintf("calendar.years[%d].%s", yr().Year, f) }
	}
	c.source = s.textEntry(func() string { return yr().Source }, func(v string) { yr().Source = v })
	c.source.SetPlaceHolder(lang.L("the notice it is taken from"))
	hols := container.NewVBox()
	for k := range yr().Holidays {
		k := k
		h := func() *workcal.Holiday { return &yr().Holidays[k] }
		row := &holidayRow{
			name: s.textEntry(func() string { return h().Name }, func(v string) { h().Name = v }),
			from: s.dateEntry(fmt.Sprintf("cal.h%d.from", k), label(fmt.Sprintf("holidays[%d].from", k)), func() workcal.Date { return h().From }, func(d workcal.Date) { h().From = d }),
			to:   s.dateEntry(fmt.Sprintf("cal.h%d.to", k), label(fmt.Sprintf("holidays[%d].to", k)), func() workcal.Date { return h().To }, func(d workcal.Date) { h().To = d }),
		}
		row.name.SetPlaceHolder(lang.L("e.g. 春节"))
		row.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			y := yr()
			y.Holidays = append(y.Holidays[:k:k], y.Holidays[k+1:]...)
			s.changed()
			c.build()
		})
		row.remove.Importance = widget.LowImportance
		c.holidays = append(c.holidays, row)
		hols.Add(container.NewBorder(nil, nil, nil, row.remove, container.NewGridWithColumns(3, row.name, row.from, row.to)))
	}
	works := container.NewGridWithColumns(4)
	for k := range yr().Workdays {
		k := k
		e := s.dateEntry(fmt.Sprintf("cal.w%d", k), label(fmt.Sprintf("workdays[%d]", k)), func() workcal.Date { return yr().Workdays[k] }, func(d workcal.Date) { yr().Workdays[k] = d })
		rm := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			y := yr()
			y.Workdays = append(y.Workdays[:k:k], y.Workdays[k+1:]...)
			s.changed()
			c.build()
		})
		rm.Importance = widget.LowImportance
		c.workdays = append(c.workdays, e)
		works.Add(container.NewBorder(nil, nil, nil, rm, e))
	}
	c.addHol = widget.NewButtonWithIcon(lang.L("Add holiday"), theme.ContentAddIcon(), func() {
		s.draft.AddHoliday(yi)
		s.changed()
		c.build()
	})
	c.addWork = widget.NewButtonWithIcon(lang.L("Add make-up working day"), theme.ContentAddIcon(), func() {
		s.draft.AddWorkday(yi)
		s.changed()
		c.build()
	})
	c.body.Add(widget.NewForm(widget.NewFormItem(lang.L("Source"), c.source)))
	c.body.Add(section(lang.L("Public holidays (name, first day, last day)")))
	c.body.Add(hols)
	c.body.Add(container.NewHBox(c.addHol))
	c.body.Add(section(lang.L("Make-up working days (weekends worked)")))
	c.body.Add(works)
	c.body.Add(container.NewHBox(c.addWork))
	c.body.Refresh()
}

// deptEditor edits the catalog's departments: code, Chinese and English
// name. Matters, workflow stages and central users name a department by
// its code; 校验 lists every matter whose department no longer exists.
type deptEditor struct {
	s       *catalogScreen
	rows    *fyne.Container
	add     *widget.Button
	entries [][3]*widget.Entry // code, name, English name of each row
	removes []*widget.Button
	content fyne.CanvasObject
}

func newDeptEditor(s *catalogScreen) *deptEditor {
	e := &deptEditor{s: s, rows: container.NewVBox()}
	e.add = widget.NewButtonWithIcon(lang.L("Add department"), theme.ContentAddIcon(), func() {
		s.draft.AddDepartment()
		s.changed()
		e.build()
		s.u.win.Canvas().Focus(e.entries[len(e.entries)-1][0])
	})
	e.content = container.NewVBox(
		note(lang.L("The departments that handle matters and review cases. Matters, workflow stages and central users name a department by its code: change or remove a code only together with them (Validate lists the matters left without one).")),
		e.rows, container.NewHBox(e.add))
	e.build()
	return e
}

func (e *deptEditor) build() {
	s := e.s
	e.rows.RemoveAll()
	e.entries, e.removes = nil, nil
	e.rows.Add(container.NewGridWithColumns(4, bold(lang.L("Code")), bold(lang.L("Department name")), bold(lang.L("English name")), widget.NewLabel("")))
	for i := range s.draft.Catalog.Departments {
		d := func() *catalog.Department { return &s.draft.Catalog.Departments[i] }
		named := func() { s.u.setDepartments(s.draft.Catalog.Departments) }
		code := s.textEntry(func() string { return d().Code }, func(v string) { d().Code = strings.TrimSpace(v); named() })
		code.SetPlaceHolder("mz")
		name := s.textEntry(func() string { return d().Name }, func(v string) { d().Name = v; named() })
		name.SetPlaceHolder("县民政局")
		nameEn := s.textEntry(func() string { return d().NameEn }, func(v string) { d().NameEn = v; named() })
		remove := widget.NewButtonWithIcon(lang.L("Remove department"), theme.DeleteIcon(), func() {
			s.draft.RemoveDepartment(i)
			s.changed()
			e.build()
		})
		remove.Importance = widget.LowImportance
		e.entries = append(e.entries, [3]*widget.Entry{code, name, nameEn})
		e.removes = append(e.removes, remove)
		e.rows.Add(container.NewGridWithColumns(4, code, name, nameEn, container.NewHBox(remove)))
	}
	e.rows.Refresh()
}
