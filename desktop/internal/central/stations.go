package central

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/workcal"
	qrcode "github.com/skip2/go-qrcode"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// stationsScreen registers stations, issues their one-time enrollment
// codes (as text and as a QR code) and revokes a lost or stolen device,
// listing what central last knew of its station's open cases.
type stationsScreen struct {
	u        *UI
	list     *fyne.Container
	stations []*centralv1.StationInfo
	issue    map[string]*widget.Button // station code -> issue-code button
	revoke   map[string]*widget.Button // device id -> revoke button

	code   *widget.Entry
	name   *widget.Entry
	level  *widget.Select
	parent *widget.Select
	create *widget.Button
	err    *widget.Label

	enroll  *enrollDialog  // the last code shown
	revoked *revokedDialog // the last revocation's open cases
	confirm *dialog.ConfirmDialog
	content fyne.CanvasObject
}

var stationLevels = []catalog.Level{catalog.Township, catalog.Community}

func newStationsScreen(u *UI) *stationsScreen {
	s := &stationsScreen{u: u, list: container.NewVBox(), code: widget.NewEntry(), name: widget.NewEntry(), err: problem()}
	s.code.SetPlaceHolder("XZ02")
	s.name.SetPlaceHolder(lang.L("e.g. 白石镇便民服务中心"))
	var levels []string
	for _, l := range stationLevels {
		levels = append(levels, l.Label(i18n.Tag()))
	}
	s.parent = widget.NewSelect(nil, nil)
	s.parent.PlaceHolder = lang.L("(township it forwards to)")
	s.level = widget.NewSelect(levels, func(string) {
		if stationLevels[max(s.level.SelectedIndex(), 0)] == catalog.Community {
			s.parent.Enable()
		} else {
			s.parent.ClearSelected()
			s.parent.Disable()
		}
	})
	s.level.SetSelectedIndex(0)
	s.create = widget.NewButtonWithIcon(lang.L("Register station"), theme.ContentAddIcon(), s.createStation)
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Station code"), s.code),
		widget.NewFormItem(lang.L("Station name"), s.name),
		widget.NewFormItem(lang.L("Level"), s.level),
		widget.NewFormItem(lang.L("Parent township"), s.parent),
	)
	add := widget.NewCard(lang.L("New station"), "", container.NewVBox(form, s.err, container.NewHBox(layoutSpacer(), s.create)))
	refresh := widget.NewButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), s.reload)
	s.content = container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(380, add.MinSize().Height), add),
		container.NewBorder(container.NewHBox(bold(lang.L("Stations")), layoutSpacer(), refresh), nil, nil, nil, container.NewVScroll(s.list)))
	return s
}

func (s *stationsScreen) reload() {
	u := s.u
	client := u.client
	call(u, func(ctx context.Context) ([]*centralv1.StationInfo, error) {
		return client.Stations(ctx)
	}, func(sts []*centralv1.StationInfo, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		s.show(sts)
	})
}

func (s *stationsScreen) show(sts []*centralv1.StationInfo) {
	s.stations = sts
	s.issue, s.revoke = map[string]*widget.Button{}, map[string]*widget.Button{}
	s.list.RemoveAll()
	var townships []string
	for _, info := range sts {
		st := info.GetStation()
		if catalog.Level(st.GetLevel()) == catalog.Township {
			townships = append(townships, st.GetCode())
		}
		s.list.Add(s.card(info))
	}
	if len(sts) == 0 {
		s.list.Add(note(lang.L("No stations registered yet.")))
	}
	s.parent.Options = townships
	s.parent.Refresh()
	s.list.Refresh()
}

func (s *stationsScreen) card(info *centralv1.StationInfo) fyne.CanvasObject {
	st := info.GetStation()
	code := st.GetCode()
	head := st.GetName() + "（" + code + "，" + caseflow.LevelLabel(catalog.Level(st.GetLevel()), i18n.Tag())
	if st.GetParent() != "" {
		head += " → " + st.GetParent()
	}
	head += "）"
	issue := widget.NewButtonWithIcon(lang.L("Enrollment code"), theme.ContentAddIcon(), func() { s.issueCode(code) })
	s.issue[code] = issue
	box := container.NewVBox(container.NewHBox(bold(head), widget.NewLabel(fmt.Sprintf(lang.L("%d open cases"), info.GetOpenCases())), layoutSpacer(), issue))
	for _, d := range info.GetDevices() {
		text := fmt.Sprintf(lang.L("%s · enrolled %s · last seen %s"), orDash(d.GetName()), when(d.GetEnrolledAt()), when(d.GetLastSeenAt()))
		l := widget.NewLabel(text)
		row := container.NewHBox(widget.NewIcon(theme.ComputerIcon()), l, layoutSpacer())
		if d.GetRevokedAt() != nil {
			rl := widget.NewLabel(lang.L("revoked") + " " + when(d.GetRevokedAt()))
			rl.Importance = widget.DangerImportance
			row.Add(rl)
		} else {
			id, name := d.GetId(), d.GetName()
			b := widget.NewButtonWithIcon(lang.L("Revoke"), theme.CancelIcon(), func() { s.askRevoke(id, name, code) })
			b.Importance = widget.DangerImportance
			s.revoke[id] = b
			row.Add(b)
		}
		box.Add(row)
	}
	if len(info.GetDevices()) == 0 {
		box.Add(note(lang.L("No device enrolled.")))
	}
	return widget.NewCard("", "", box)
}

func when(ts *timestamppb.Timestamp) string {
	if ts == nil {
		return "—"
	}
	return ts.AsTime().In(workcal.Shanghai).Format("2006-01-02 15:04")
}

func (s *stationsScreen) createStation() {
	code, name := strings.ToUpper(strings.TrimSpace(s.code.Text)), strings.TrimSpace(s.name.Text)
	if err := caseflow.ValidStationCode(code); err != nil {
		setProblem(s.err, msg(err))
		return
	}
	if name == "" {
		setProblem(s.err, lang.L("Enter the station's name."))
		return
	}
	level := stationLevels[max(s.level.SelectedIndex(), 0)]
	parent := ""
	if level == catalog.Community {
		if parent = s.parent.Selected; parent == "" {
			setProblem(s.err, lang.L("Choose the township a community station forwards to."))
			return
		}
	}
	setProblem(s.err, "")
	u := s.u
	client := u.client
	st := &syncv1.Station{Code: code, Name: name, Level: string(level), Parent: parent}
	call(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, client.CreateStation(ctx, st)
	}, func(_ struct{}, err error) {
		if err != nil {
			setProblem(s.err, msg(err))
			return
		}
		s.code.SetText("")
		s.name.SetText("")
		s.reload()
	})
}

// enrollDialog shows a one-time code once: as text to type and as a QR code.
type enrollDialog struct {
	station string
	code    *widget.Label
	qr      *canvas.Image
	payload string
	d       dialog.Dialog
}

// EnrollPayload is what the QR code holds: the server and the code, so a
// station app (or a phone) can read both at once.
func EnrollPayload(server, code string) string {
	v := url.Values{"server": {server}, "code": {code}}
	return "bianmin://enroll?" + v.Encode()
}

func (s *stationsScreen) issueCode(station string) {
	u := s.u
	client := u.client
	call(u, func(ctx context.Context) (*centralv1.IssueEnrollCodeResponse, error) {
		return client.IssueEnrollCode(ctx, station)
	}, func(r *centralv1.IssueEnrollCodeResponse, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		server := r.GetServerUrl()
		if server == "" {
			server = client.URL()
		}
		e := &enrollDialog{station: station, payload: EnrollPayload(server, r.GetCode())}
		e.code = widget.NewLabel(r.GetCode())
		e.code.TextStyle = fyne.TextStyle{Monospace: true}
		e.code.SizeName = theme.SizeNameHeadingText
		e.code.Selectable = true
		png, err := qrcode.New(e.payload, qrcode.Medium)
		if err != nil {
			u.showError(bmerr.Newf(bmerr.Internal, "qr", "无法生成二维码：%v", "cannot make the QR code: %v", err))
			return
		}
		e.qr = canvas.NewImageFromImage(png.Image(256))
		e.qr.FillMode = canvas.ImageFillContain
		e.qr.SetMinSize(fyne.NewSize(220, 220))
		body := container.NewVBox(
			note(fmt.Sprintf(lang.L("One-time enrollment code for station %s. It is shown only now: enter it (or scan it) on the station's computer at first run."), station)),
			container.NewCenter(e.code),
			container.NewCenter(e.qr),
			widget.NewForm(
				widget.NewFormItem(lang.L("Server address"), widget.NewLabel(server)),
				widget.NewFormItem(lang.L("Valid until"), widget.NewLabel(when(r.GetExpiresAt()))),
			),
		)
		s.enroll = e
		e.d = dialog.NewCustom(lang.L("Enrollment code"), lang.L("Close"), body, u.win)
		e.d.Resize(fyne.NewSize(520, 620))
		e.d.Show()
		s.reload()
	})
}

// revokedDialog lists the open cases of a station whose device was revoked.
type revokedDialog struct {
	station string
	cases   []*centralv1.OpenCase
	rows    *fyne.Container
	d       dialog.Dialog
}

func (s *stationsScreen) askRevoke(deviceID, name, station string) {
	s.confirm = dialog.NewConfirm(lang.L("Revoke device"),
		fmt.Sprintf(lang.L("Revoke device %s of station %s? Its every later call is refused; the station needs a new enrollment code to work with central again."), orDash(name), station),
		func(ok bool) {
			s.confirm = nil
			if ok {
				s.doRevoke(deviceID)
			}
		}, s.u.win)
	s.confirm.Show()
}

func (s *stationsScreen) doRevoke(deviceID string) {
	u := s.u
	client := u.client
	call(u, func(ctx context.Context) (*centralv1.RevokeDeviceResponse, error) {
		return client.RevokeDevice(ctx, deviceID)
	}, func(r *centralv1.RevokeDeviceResponse, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		rd := &revokedDialog{station: r.GetStation(), cases: r.GetOpenCases(), rows: container.NewVBox()}
		for _, c := range rd.cases {
			rd.rows.Add(widget.NewLabel(fmt.Sprintf("%s · %s · %s · v%d · %s", c.GetNumber(), c.GetMatterName(),
				caseflow.State(c.GetState()).Label(i18n.Tag()), c.GetVersion(), when(c.GetUpdatedAt()))))
		}
		if len(rd.cases) == 0 {
			rd.rows.Add(note(lang.L("Central knows of no open case at this station.")))
		}
		scroll := container.NewVScroll(rd.rows)
		scroll.SetMinSize(fyne.NewSize(640, 260))
		body := container.NewVBox(
			note(fmt.Sprintf(lang.L("The device is revoked. What central last knew of station %s's open cases, for follow-up (changes made on the lost device after its last sync are not here):"), rd.station)),
			scroll)
		s.revoked = rd
		rd.d = dialog.NewCustom(lang.L("Open cases to follow up"), lang.L("Close"), body, u.win)
		rd.d.Resize(fyne.NewSize(720, 460))
		rd.d.Show()
		s.reload()
	})
}
