package notice

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
)

// Legal bases printed on the notices.
const (
	basisAcceptance  = "依据：《中华人民共和国行政许可法》第三十二条。"
	basisNotAccepted = "依据：《中华人民共和国行政许可法》第三十二条第一款。"
	basisOneTime     = "依据：《中华人民共和国行政许可法》第三十二条第一款第四项：申请材料不齐全或者不符合法定形式的，应当当场或者在五日内一次告知申请人需要补正的全部内容，逾期不告知的，自收到申请材料之日起即为受理。"
	basisReceipt     = "依据：《中华人民共和国行政许可法》第三十二条。本凭证仅证明已收到上列材料，不表示已受理。本机关将自收到申请材料之日起五日内决定是否受理；材料不齐全或者不符合法定形式的，将一次性告知需要补正的全部内容，逾期不告知的，自收到申请材料之日起即为受理。"
	basisDelivery    = "依据：《中华人民共和国行政许可法》第四十四条：行政机关作出准予行政许可的决定，应当自作出决定之日起十日内向申请人颁发、送达行政许可证件。"
)

// Receipt prints the 收件凭证 given when the window logs an application: the
// case number to quote later and every material, received or not. It may be
// reprinted at any later state; it then shows the materials as they stand.
func Receipt(c *casefile.Case, st Station, issued time.Time) ([]byte, error) {
	if c == nil {
		return nil, noCase()
	}
	d, err := begin(KindReceipt, c, st, issued)
	if err != nil {
		return nil, err
	}
	rows := append(caseRows(c), applicantRows(c)...)
	rows = append(rows,
		[]string{"服务方式", modeLabel(c.Mode)},
		[]string{"收件时间", zhTime(c.ReceivedAt)},
	)
	if p := c.Proxy; p != nil {
		rows = append(rows, []string{"代办授权", p.Authorization})
		if p.ForwardTo != "" && p.ForwardTo != c.OriginStation {
			rows = append(rows, []string{"转交受理站点", p.ForwardTo})
		}
	}
	d.fields("收件信息", rows)
	d.section("收取的申请材料")
	d.materials(c)
	d.small(basisReceipt)
	d.small("请妥善保管本凭证，凭办件编号查询办理进度、领取办理结果。")
	d.signature(st, issuedOn(issued), contact(st, "收件人（签名）：__________________"))
	return d.finish()
}

// OneTimeNotice prints the 一次性告知书: every item of n (numbered, in order)
// that the applicant must still bring or correct, with the promise that
// nothing else will be asked. n defaults to the case's latest notice.
func OneTimeNotice(c *casefile.Case, n *casefile.Notice, st Station, issued time.Time, opts ...Option) ([]byte, error) {
	if c == nil {
		return nil, noCase()
	}
	n = noticeOr(c, n)
	if len(n.Items) == 0 {
		return nil, cannotPrint(c, KindOneTime, "告知书须列明需要补齐补正的全部内容，当前没有任何条目", "it must list what is missing, and lists nothing")
	}
	o := options(opts)
	d, err := letter(KindOneTime, c, st, issued, fmt.Sprintf("%s于%s提交的“%s”申请材料（办件编号 %s）已收悉。经审查，申请材料不齐全或者不符合法定形式，现将需要补齐补正的全部内容一次性告知如下：",
		you(c), zhDate(c.ReceivedOn), c.Matter.Name, c.Number))
	if err != nil {
		return nil, err
	}
	d.section("需要补齐补正的内容")
	d.items("需要补齐补正的材料或事项", "具体要求", itemRows(c, n.Items))
	d.section("补正方式")
	d.paragraph("　　本告知书已一次性告知需要补齐补正的全部内容。除上述内容外，本机关不会要求" + you(c) + "提供其他材料。")
	bring := fmt.Sprintf("　　请%s补齐补正上述材料后，携带本告知书到%s", you(c), stationName(st))
	if st.Address != "" {
		bring += "（" + st.Address + "）"
	}
	bring += "办理"
	if !o.deadline.IsZero() {
		bring += fmt.Sprintf("，补正期限至%s", zhDate(o.deadline))
	}
	bring += "。材料补齐补正后，本机关将依法予以受理，办结时限自受理之日起计算。"
	if !o.deadline.IsZero() {
		bring += "逾期未补齐补正的，视为撤回申请，申请材料予以退回。"
	}
	d.paragraph(bring)
	d.fields("申请信息", append(caseRows(c), applicantRows(c)...))
	d.small(basisOneTime)
	d.signature(st, issuedOn(issued), contact(st, ""))
	return d.finish()
}

// Option changes what a notice says beyond what the case records.
type Option func(*notePrefs)

type notePrefs struct{ deadline workcal.Date }

// SupplementBy prints a deadline on a one-time notice: the date by which the
// applicant should bring what it lists. Without it the notice names none.
func SupplementBy(day workcal.Date) Option {
	return func(p *notePrefs) { p.deadline = day }
}

func options(opts []Option) notePrefs {
	var p notePrefs
	for _, o := range opts {
		o(&p)
	}
	return p
}

// AcceptanceNotice prints the 受理通知书: when the case was accepted, the
// promised limit and the due date it gives, the materials taken in, the
// materials accepted for later supply (容缺后补), and how to collect the
// result.
func AcceptanceNotice(c *casefile.Case, st Station, issued time.Time) ([]byte, error) {
	if c == nil {
		return nil, noCase()
	}
	if c.AcceptedOn.IsZero() {
		return nil, cannotPrint(c, KindAcceptance, "案件尚未受理", "it has not been accepted")
	}
	deferred := deferredItems(c)
	state := "齐全、符合法定形式"
	if len(deferred) > 0 {
		state = fmt.Sprintf("符合受理条件（其中 %d 项按容缺受理，须在作出决定前补交）", len(deferred))
	}
	d, err := letter(KindAcceptance, c, st, issued, fmt.Sprintf("%s于%s提交的“%s”申请材料已收悉。经审查，申请事项属于本机关职权范围，申请材料%s，根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。",
		you(c), zhDate(c.ReceivedOn), c.Matter.Name, state))
	if err != nil {
		return nil, err
	}

	rows := append(caseRows(c), applicantRows(c)...)
	rows = append(rows,
		[]string{"受理日期", zhDate(c.AcceptedOn)},
		[]string{"承诺办结时限", limitText(c.Matter.Promised)},
		[]string{"预计办结日期", dueText(c.DueOn)},
	)
	if l := c.Matter.Legal; l != nil {
		legal := limitText(*l)
		if !c.LegalDueOn.IsZero() {
			legal += "，法定办结期限至" + zhDate(c.LegalDueOn)
		}
		rows = append(rows, []string{"法定办结时限", legal})
	}
	if len(c.Matter.SpecialProcedures) > 0 {
		names := make([]string, len(c.Matter.SpecialProcedures))
		for i, p := range c.Matter.SpecialProcedures {
			names[i] = p.Label("zh")
		}
		rows = append(rows, []string{"特别程序", strings.Join(names, "、") + "。所需时间不计入办结时限，如需启动将另行告知预计时间。"})
	}
	d.fields("受理信息", rows)
	d.section("已收取的申请材料")
	d.materials(c)
	if len(deferred) > 0 {
		names := make([]string, len(deferred))
		for i, it := range deferred {
			names[i] = "“" + it.Name + "”"
			if it.Note != "" {
				names[i] += "（" + strings.TrimPrefix(it.Note, "容缺后补：") + "）"
			}
		}
		d.paragraph("　　其中" + strings.Join(names, "、") + "为容缺后补材料，须在本机关作出决定前补交；未补交的，将影响办理结果。")
	}
	d.section("领取办理结果")
	collect := fmt.Sprintf("　　办理结果可自预计办结日期起，凭本通知书和有效身份证件到%s", stationName(st))
	if st.Address != "" {
		collect += "（" + st.Address + "）"
	}
	collect += "窗口领取，也可申请邮寄送达或电子送达。委托他人领取的，受托人须持委托书和本人身份证件。"
	if p := c.Proxy; p != nil && p.AgentName != "" {
		collect += "本件由代办员" + p.AgentName + "代办，办理结果也可由代办员代为领取并转交。"
	}
	d.paragraph(collect)
	d.small(basisAcceptance)
	d.signature(st, issuedOn(issued), contact(st, ""))
	return d.finish()
}

// NotAcceptedNotice prints the 不予受理通知书: the numbered reasons and the
// applicant's remedies (复议/诉讼), the standard sentence when n gives none.
// n defaults to the case's latest notice.
func NotAcceptedNotice(c *casefile.Case, n *casefile.Notice, st Station, issued time.Time) ([]byte, error) {
	if c == nil {
		return nil, noCase()
	}
	n = noticeOr(c, n)
	if len(nonBlank(n.Reasons)) == 0 {
		return nil, cannotPrint(c, KindNotAccepted, "不予受理须书面说明理由", "a refusal to accept must give its reasons in writing")
	}
	d, err := letter(KindNotAccepted, c, st, issued, fmt.Sprintf("%s于%s提出的“%s”申请（办件编号 %s），经审查，本机关决定不予受理，理由如下：",
		you(c), zhDate(c.ReceivedOn), c.Matter.Name, c.Number))
	if err != nil {
		return nil, err
	}
	d.numbered(nonBlank(n.Reasons))
	d.remedies(n.Remedies)
	d.fields("申请信息", append(caseRows(c), applicantRows(c)...))
	d.small(basisNotAccepted)
	d.signature(st, issuedOn(issued), contact(st, ""))
	return d.finish()
}

// DecisionNotice prints the decision (准予决定书 or 不予许可决定书, with the
// reasons and remedies of a refusal) and, on its own page so the office can
// file it, the proof of delivery (送达回证) the applicant signs.
func DecisionNotice(c *casefile.Case, st Station, issued time.Time) ([]byte, error) {
	if c == nil {
		return nil, noCase()
	}
	kind := DecisionKind(c)
	if kind == "" {
		return nil, cannotPrint(c, "决定书", "案件尚未作出准予或不予许可的决定", "it has no decision to grant or refuse")
	}
	dec := c.Decision
	opening := fmt.Sprintf("%s于%s提出的“%s”申请（办件编号 %s）", you(c), zhDate(c.ReceivedOn), c.Matter.Name, c.Number)
	if !c.AcceptedOn.IsZero() {
		opening += "，本机关已于" + zhDate(c.AcceptedOn) + "受理"
	}
	granted := dec.Result == caseflow.Granted
	if granted {
		opening += "。经审查，该申请符合法定条件和标准，本机关决定准予。"
	} else {
		opening += "。经审查，本机关决定不予许可，理由如下："
	}
	d, err := letter(kind, c, st, issued, opening)
	if err != nil {
		return nil, err
	}
	if granted && dec.Certificate != "" {
		d.paragraph("　　证件（文书）编号：" + dec.Certificate + "。")
	}
	if !granted {
		d.numbered(nonBlank(dec.Reasons))
		d.remedies(dec.Remedies)
	}
	rows := append(caseRows(c), applicantRows(c)...)
	rows = append(rows,
		[]string{"决定结果", dec.Result.Label("zh")},
		[]string{"决定日期", zhDate(dec.On)},
	)
	if dec.Certificate != "" {
		rows = append(rows, []string{"证件编号", dec.Certificate})
	}
	d.fields("决定信息", rows)
	if granted {
		d.small(basisDelivery)
	}
	d.signature(st, issuedOn(issued), contact(st, ""))

	d.newPage()
	d.title("送达回证")
	d.subtitle("编号：" + c.Number)
	d.form([][]string{
		{"送达文书", kind + "（编号 " + c.Number + "）"},
		{"送达机关", stationName(st)},
		{"受送达人", c.Applicant.Name},
		{"送达方式", deliveryMethod(c.Delivery)},
		{"送达地点", deliveryPlace(c, st)},
		{"受送达人签名", "\n\n\n签收日期：　　　　年　　月　　日"},
		{"送达人签名", "\n\n送达日期：　　　　年　　月　　日"},
		{"备注", deliveryNote(c.Delivery) + "\n"},
	})
	d.small("说明：受送达人应当在本回证上签名并注明签收日期；受送达人拒绝签收的，送达人应当在备注栏注明情况并签名。本回证由送达机关存档。")
	return d.finish()
}

// begin opens a document: the title and, under it, the case number.
func begin(kind string, c *casefile.Case, st Station, issued time.Time) (*doc, error) {
	d, err := newDoc(kind, stationName(st), c.Number, issued)
	if err != nil {
		return nil, err
	}
	d.title(kind)
	d.subtitle("编号：" + c.Number)
	return d, nil
}

// letter opens a notice addressed to the applicant: the title, the case
// number, the salutation with the applicant's name in full, and the opening
// paragraph.
func letter(kind string, c *casefile.Case, st Station, issued time.Time, opening string) (*doc, error) {
	d, err := begin(kind, c, st, issued)
	if err != nil {
		return nil, err
	}
	d.paragraph(c.Applicant.Name + "：")
	d.paragraph("　　" + opening)
	return d, nil
}

// noticeOr is n, or else the case's latest notice, or else an empty one.
func noticeOr(c *casefile.Case, n *casefile.Notice) *casefile.Notice {
	switch {
	case n != nil:
		return n
	case c.Notice != nil:
		return c.Notice
	}
	return &casefile.Notice{}
}

// remedies prints the applicant's remedies after a refusal.
func (d *doc) remedies(rs []string) {
	for _, r := range remedies(rs) {
		d.paragraph("　　" + r)
	}
}

// you is how a notice addresses the applicant.
func you(c *casefile.Case) string {
	if c.Applicant.Kind == casefile.Organisation {
		return "贵单位"
	}
	return "您"
}

func caseRows(c *casefile.Case) [][]string {
	return [][]string{{"办件编号", c.Number}, {"申请事项", c.Matter.Name}}
}

// applicantRows describes the applicant with every identifier masked.
func applicantRows(c *casefile.Case) [][]string {
	a := c.Applicant
	var rows [][]string
	if a.Kind == casefile.Organisation {
		rows = append(rows, []string{"申请单位", a.Name})
		if a.CreditCode != "" {
			rows = append(rows, []string{"统一社会信用代码", ident.MaskCreditCode(a.CreditCode)})
		}
	} else {
		rows = append(rows, []string{"申请人", a.Name})
		if a.IDNumber != "" {
			rows = append(rows, []string{"居民身份证号码", ident.MaskID(a.IDNumber)})
		}
	}
	if a.Phone != "" {
		rows = append(rows, []string{"联系电话", ident.MaskPhone(a.Phone)})
	}
	if p := c.Proxy; p != nil && p.AgentName != "" {
		agent := p.AgentName + "（代办员）"
		if p.AgentPhone != "" {
			agent = p.AgentName + "（代办员，电话 " + ident.MaskPhone(p.AgentPhone) + "）"
		}
		rows = append(rows, []string{"代办人", agent})
	}
	return rows
}

// contact lists the station's phone and address for the signature block,
// after an optional first line (e.g. a signature line for the clerk).
func contact(st Station, first string) []string {
	var lines []string
	if first != "" {
		lines = append(lines, first)
	}
	if st.Phone != "" {
		lines = append(lines, "联系电话："+st.Phone)
	}
	if st.Address != "" {
		lines = append(lines, "办理地址："+st.Address)
	}
	return lines
}

func limitText(l workcal.Limit) string {
	if l.N == 0 {
		return "即办（受理当日办结）"
	}
	return l.String()
}

func dueText(d workcal.Date) string {
	if d.IsZero() {
		return "计时暂停中，恢复计时后另行告知"
	}
	return zhDate(d)
}

func material(c *casefile.Case, code string) (catalog.Material, bool) {
	for _, m := range c.Matter.Materials {
		if m.Code == code {
			return m, true
		}
	}
	return catalog.Material{}, false
}

// materials is the table of every material the window logged: counts of
// originals seen and copies taken, and whether it was received, deferred
// (容缺后补) or not handed in.
func (d *doc) materials(c *casefile.Case) {
	rows := make([][]string, 0, len(c.Materials))
	for i, r := range c.Materials {
		m, ok := material(c, r.Code)
		name := m.Name
		if !ok {
			name = r.Code
		}
		originals, copies, status := "—", "—", "未提交"
		switch {
		case r.Received:
			status = "已收取"
			if r.Original {
				originals = strconv.Itoa(max(m.Originals, 1))
			}
			if r.Copies > 0 {
				copies = strconv.Itoa(r.Copies)
			}
		case r.Deferred:
			status = "容缺后补"
		case m.Necessity == catalog.Optional:
			status = "未提交（非必要）"
		}
		rows = append(rows, []string{strconv.Itoa(i + 1), name, originals, copies, status})
	}
	d.table(table{
		cols: []column{
			{head: "序号", width: 12, align: center},
			{head: "材料名称"},
			{head: "原件（份）", width: 22, align: center},
			{head: "复印件（份）", width: 26, align: center},
			{head: "收取情况", width: 28, align: center},
		},
		head: true, border: true, size: tableSize,
	}, rows)
}

// deferredItems lists the materials accepted for later supply, with the
// catalog's note on them.
func deferredItems(c *casefile.Case) []casefile.MissingItem {
	var items []casefile.MissingItem
	for _, r := range c.Materials {
		if r.Deferred && !r.Received {
			m, _ := material(c, r.Code)
			items = append(items, casefile.MissingItem{Material: r.Code, Name: m.Name, Note: m.Note})
		}
	}
	return items
}

// itemRows numbers items and adds to each note what the catalog asks of the
// material (originals, copies, paper or electronic).
func itemRows(c *casefile.Case, items []casefile.MissingItem) [][]string {
	rows := make([][]string, len(items))
	for i, it := range items {
		req := strings.TrimSpace(it.Note)
		if m, ok := material(c, it.Material); ok {
			if spec := specOf(m); spec != "" {
				if req != "" {
					req += "\n"
				}
				req += "提交要求：" + spec
			}
		}
		rows[i] = []string{strconv.Itoa(i + 1), it.Name, req}
	}
	return rows
}

func specOf(m catalog.Material) string {
	var parts []string
	if m.Originals > 0 {
		parts = append(parts, fmt.Sprintf("原件 %d 份", m.Originals))
	}
	if m.Copies > 0 {
		parts = append(parts, fmt.Sprintf("复印件 %d 份", m.Copies))
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, "、")
	if m.Form != "" {
		s += "（" + m.Form.Label("zh") + "）"
	}
	return s
}

// items is the numbered table of a one-time notice.
func (d *doc) items(nameHead, noteHead string, rows [][]string) {
	d.table(table{
		cols: []column{
			{head: "序号", width: 12, align: center},
			{head: nameHead, width: 64},
			{head: noteHead},
		},
		head: true, border: true, size: tableSize,
	}, rows)
}

func nonBlank(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

var modeLabels = map[casefile.ServiceMode]string{
	casefile.WalkIn:        "窗口办理",
	casefile.Appointment:   "预约办理",
	casefile.DoorToDoor:    "上门办理",
	casefile.ExtendedHours: "延时办理",
	casefile.GreenChannel:  "绿色通道",
}

func modeLabel(m casefile.ServiceMode) string {
	if l, ok := modeLabels[m]; ok {
		return l
	}
	return string(m)
}

var deliveryLabels = map[casefile.DeliveryMethod]string{
	casefile.AtWindow:   "窗口领取",
	casefile.ByPost:     "邮寄",
	casefile.Electronic: "电子送达",
}

// deliveryMethod names how the result was delivered, or offers the choices
// to tick when it has not been delivered yet.
func deliveryMethod(dl *casefile.Delivery) string {
	if dl != nil {
		if l, ok := deliveryLabels[dl.Method]; ok {
			return l
		}
	}
	return "□ 窗口领取　　□ 邮寄　　□ 电子送达"
}

func deliveryPlace(c *casefile.Case, st Station) string {
	if dl := c.Delivery; dl != nil && dl.Method == casefile.ByPost {
		return "邮寄至申请人登记的地址"
	}
	if dl := c.Delivery; dl != nil && dl.Method == casefile.Electronic {
		return "电子送达"
	}
	place := stationName(st)
	if st.Address != "" {
		place += "（" + st.Address + "）"
	}
	return place
}

func deliveryNote(dl *casefile.Delivery) string {
	if dl == nil {
		return ""
	}
	note := dl.Note
	if !dl.On.IsZero() {
		note = strings.TrimSpace("已于" + zhDate(dl.On) + "送达。" + note)
	}
	return note
}
