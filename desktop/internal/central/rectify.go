package central

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
)

// followSteps are a bad review's handling steps, in order: 核实 → 整改 → 反馈 → 回访.
var followSteps = []string{"verified", "rectified", "answered", "followed_up"}

// outcomes are a follow-up call's outcomes.
var outcomes = []string{"satisfied", "unsatisfied", "unreachable"}

func stepText(step string) string {
	switch step {
	case "verified":
		return lang.L("Verified")
	case "rectified":
		return lang.L("Rectified")
	case "answered":
		return lang.L("Answered")
	case "followed_up":
		return lang.L("Followed up by phone")
	}
	return step
}

func outcomeText(o string) string {
	switch o {
	case "satisfied":
		return lang.L("satisfied")
	case "unsatisfied":
		return lang.L("still unsatisfied")
	case "unreachable":
		return lang.L("could not be reached")
	}
	return o
}

// open reports whether a rectification still waits for its follow-up.
func open(r *centralv1.Rectification) bool { return r.GetFollowedUpOn() == "" }

// rectifyScreen lists bad reviews' rectification tasks, open ones first by
// due date, and records each step of their handling.
type rectifyScreen struct {
	u        *UI
	openOnly *widget.Check
	list     *fyne.Container
	items    []*centralv1.Rectification
	record   map[string]*widget.Button // case id -> record button
	form     *followUpForm
	content  fyne.CanvasObject
}

type followUpForm struct {
	caseID  string
	step    *widget.Select
	note    *widget.Entry
	outcome *widget.Select
	save    *widget.Button
	err     *widget.Label
	d       *dialog.CustomDialog
}

func newRectifyScreen(u *UI) *rectifyScreen {
	s := &rectifyScreen{u: u, list: container.NewVBox()}
	s.openOnly = widget.NewCheck(lang.L("Open only"), func(bool) { s.reload() })
	refresh := widget.NewButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), s.reload)
	head := container.NewHBox(bold(lang.L("Bad reviews: verify, rectify, answer, follow up")), layoutSpacer(), s.openOnly, refresh)
	s.content = container.NewBorder(container.NewVBox(head, note(lang.L("Every bad review is verified, rectified, answered and followed up by phone before its due date; named bad reviews are followed up without exception."))),
		nil, nil, nil, container.NewVScroll(s.list))
	return s
}

func (s *rectifyScreen) reload() {
	u := s.u
	client, openOnly := u.client, s.openOnly.Checked
	call(u, func(ctx context.Context) ([]*centralv1.Rectification, error) {
		return client.Rectifications(ctx, openOnly)
	}, func(items []*centralv1.Rectification, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		s.show(items)
	})
}

func (s *rectifyScreen) show(items []*centralv1.Rectification) {
	s.items = append([]*centralv1.Rectification(nil), items...)
	sort.SliceStable(s.items, func(i, j int) bool {
		a, b := s.items[i], s.items[j]
		if open(a) != open(b) {
			return open(a)
		}
		return a.GetDueOn() < b.GetDueOn()
	})
	s.record = map[string]*widget.Button{}
	s.list.RemoveAll()
	today := s.u.now().Format("2006-01-02")
	for _, r := range s.items {
		s.list.Add(s.row(r, today))
	}
	if len(s.items) == 0 {
		s.list.Add(note(lang.L("No bad reviews.")))
	}
	s.list.Refresh()
}

func (s *rectifyScreen) row(r *centralv1.Rectification, today string) fyne.CanvasObject {
	head := fmt.Sprintf("%s · %s · %s · %s", r.GetNumber(), s.u.stationName(r.GetStation()), s.u.deptName(r.GetDepartment()), ratingText(r.GetRating()))
	if r.GetNamed() {
		head += " · " + lang.L("named")
	}
	h := bold(head)
	due := widget.NewLabel(lang.L("due") + " " + orDash(r.GetDueOn()))
	if open(r) {
		if r.GetDueOn() != "" && r.GetDueOn() < today {
			due.Importance = widget.DangerImportance
			due.SetText(due.Text + " · " + lang.L("overdue"))
		} else {
			due.Importance = widget.WarningImportance
		}
	} else {
		due.Importance = widget.SuccessImportance
	}
	var steps []string
	for _, st := range followSteps {
		on := map[string]string{"verified": r.GetVerifiedOn(), "rectified": r.GetRectifiedOn(), "answered": r.GetAnsweredOn(), "followed_up": r.GetFollowedUpOn()}[st]
		mark := "○"
		if on != "" {
			mark = "✓"
		}
		steps = append(steps, fmt.Sprintf("%s %s %s", mark, stepText(st), on))
	}
	progress := widget.NewLabel(strings.Join(steps, "   "))
	lines := []fyne.CanvasObject{container.NewHBox(h, layoutSpacer(), due)}
	if c := r.GetComment(); c != "" {
		lines = append(lines, wrapped("“"+c+"”"))
	}
	lines = append(lines, progress)
	if r.GetOutcome() != "" || r.GetNote() != "" {
		lines = append(lines, note(strings.TrimSpace(outcomeText(r.GetOutcome())+" "+r.GetNote())))
	}
	id := r.GetCaseId()
	b := widget.NewButtonWithIcon(lang.L("Record a step"), theme.DocumentCreateIcon(), func() { s.startRecord(r) })
	if !open(r) {
		b.Importance = widget.LowImportance
	}
	s.record[id] = b
	return widget.NewCard("", "", container.NewBorder(nil, nil, nil, b, container.NewVBox(lines...)))
}

func ratingText(level int32) string {
	labels := map[int32]string{1: lang.L("Very dissatisfied"), 2: lang.L("Dissatisfied"), 3: lang.L("Fairly satisfied"), 4: lang.L("Satisfied"), 5: lang.L("Very satisfied")}
	return fmt.Sprintf("%d · %s", level, labels[level])
}

// startRecord opens the dialog of the next step (any step may be recorded
// again: central overwrites it).
func (s *rectifyScreen) startRecord(r *centralv1.Rectification) {
	f := &followUpForm{caseID: r.GetCaseId(), note: widget.NewMultiLineEntry(), err: problem()}
	var steps []string
	for _, st := range followSteps {
		steps = append(steps, stepText(st))
	}
	var outs []string
	for _, o := range outcomes {
		outs = append(outs, outcomeText(o))
	}
	f.outcome = widget.NewSelect(outs, nil)
	f.outcome.Disable()
	f.step = widget.NewSelect(steps, func(string) {
		if followSteps[max(f.step.SelectedIndex(), 0)] == "followed_up" {
			f.outcome.Enable()
		} else {
			f.outcome.ClearSelected()
			f.outcome.Disable()
		}
	})
	next := 0
	for i, on := range []string{r.GetVerifiedOn(), r.GetRectifiedOn(), r.GetAnsweredOn(), r.GetFollowedUpOn()} {
		if on != "" {
			next = min(i+1, len(followSteps)-1)
		}
	}
	f.step.SetSelectedIndex(next)
	f.note.SetPlaceHolder(lang.L("what was found, done or said"))
	f.note.SetMinRowsVisible(3)
	f.save = widget.NewButtonWithIcon(lang.L("Record"), theme.ConfirmIcon(), func() { s.submit(f) })
	f.save.Importance = widget.HighImportance
	body := container.NewVBox(widget.NewForm(
		widget.NewFormItem(lang.L("Step"), f.step),
		widget.NewFormItem(lang.L("Note"), f.note),
		widget.NewFormItem(lang.L("Outcome"), f.outcome),
	), f.err)
	s.form = f
	f.d = dialog.NewCustomWithoutButtons(lang.L("Record a step")+" · "+r.GetNumber(), body, s.u.win)
	f.d.SetButtons([]fyne.CanvasObject{widget.NewButton(lang.L("Cancel"), func() { f.d.Hide() }), f.save})
	f.d.Resize(fyne.NewSize(520, body.MinSize().Height+140))
	f.d.Show()
}

func (s *rectifyScreen) submit(f *followUpForm) {
	step := followSteps[max(f.step.SelectedIndex(), 0)]
	note := strings.TrimSpace(f.note.Text)
	outcome := ""
	if i := f.outcome.SelectedIndex(); i >= 0 {
		outcome = outcomes[i]
	}
	switch {
	case note == "":
		setProblem(f.err, lang.L("Write a note: what was found, done or said."))
		return
	case step == "followed_up" && outcome == "":
		setProblem(f.err, lang.L("Choose the outcome of the follow-up call."))
		return
	}
	setProblem(f.err, "")
	u := s.u
	client := u.client
	call(u, func(ctx context.Context) (*centralv1.Rectification, error) {
		return client.RecordFollowUp(ctx, f.caseID, step, note, outcome)
	}, func(_ *centralv1.Rectification, err error) {
		if err != nil {
			setProblem(f.err, msg(err))
			return
		}
		f.d.Hide()
		s.reload()
	})
}
