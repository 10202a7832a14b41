package notice_test

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/notice"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/workcal"
)

var issued = at("2026-02-12", "10:05")

// caseNumber matches the case numbers the tests issue.
var caseNumber = regexp.MustCompile(`编号：(XZ01|SQ01)-2026(0212|0302)-0001`)

// A reason long enough to wrap over several lines: wrapping must not lose a
// character (fpdf's own MultiCell drops the one where it breaks a line).
const longReason = "经现场核查，申请建设的地块位于永久基本农田保护范围内，依据《中华人民共和国土地管理法》第三十五条的规定，永久基本农田经依法划定后，任何单位和个人不得擅自占用或者改变其用途，故该申请不属于乡村建设规划许可的受理范围，请向县自然资源局咨询其他可行的建房选址（咨询电话 0571-6412 0000）。"

const customRemedy = "如不服本决定，可以自收到本通知书之日起六十日内向青山县人民政府申请行政复议，或者自收到本通知书之日起六个月内向青山县人民法院提起行政诉讼。"

var supplementItems = []casefile.MissingItem{
	{Material: "check_auth", Name: "家庭经济状况核对授权书", Note: "须由全体共同生活的家庭成员签字"},
	{Material: "income_pledge", Name: "家庭收入申报及承诺书"},
	{Material: "family_ids", Name: "家庭成员居民身份证、户口簿", Note: "户口簿复印件缺少本人页"},
	{Name: "申请书家庭成员情况栏", Note: "申请书第二页“家庭成员情况”栏未填写，请补填并签字"},
}

// document is one printed document of a realistic case and what its text
// must (and must not) say.
type document struct {
	name   string
	print  func() ([]byte, error)
	want   []string // phrases, in any order
	absent []string // phrases that must not appear
	inline []string // phrases that must appear in this order
	pages  int
}

func documents(t *testing.T) []document {
	acc := accepted(t)

	rec := receive(t, "临时救助", "2026-02-12", nil, []string{"困难情况证明材料（医疗费用票据、事故证明等）"})

	short := receive(t, "最低生活保障审核确认", "2026-02-12", nil, []string{"家庭经济状况核对授权书", "家庭收入申报及承诺书"})
	do(t, short, caseflow.RequestSupplement, clerk, "2026-02-13", func(ch *casefile.Change) {
		ch.Notice = &casefile.Notice{Items: supplementItems}
	})

	rejected := receive(t, "乡村建设规划许可证", "2026-02-12", nil, nil)
	do(t, rejected, caseflow.RejectIntake, clerk, "2026-02-12", func(ch *casefile.Change) {
		ch.Notice = &casefile.Notice{Reasons: []string{longReason, "申请人提交的宅基地批准书载明的地块与设计方案不一致。"}, Remedies: []string{customRemedy}}
	})

	granted := accepted(t)
	do(t, granted, caseflow.Grant, approver, "2026-02-25", func(ch *casefile.Change) {
		ch.Decision = &casefile.Decision{Certificate: "LS-2026-0042"}
	})

	refused := receive(t, "最低生活保障审核确认", "2026-03-02", nil, nil)
	do(t, refused, caseflow.Accept, clerk, "2026-03-02", nil)
	do(t, refused, caseflow.Refuse, approver, "2026-03-20", func(ch *casefile.Change) {
		ch.Decision = &casefile.Decision{
			Reasons:  []string{"经家庭经济状况核对，申请人家庭月人均收入高于本地最低生活保障标准。"},
			Remedies: []string{customRemedy},
		}
	})

	proxied := proxyReceive(t)

	return []document{
		{
			name:  "acceptance",
			print: func() ([]byte, error) { return notice.AcceptanceNotice(acc, station, issued) },
			want: []string{
				"受理通知书", "临时救助", "受理日期", "2026年2月12日",
				"承诺办结时限", "5个工作日", "预计办结日期", "2026年2月26日",
				"居民身份证、户口簿", "临时救助申请书", "5个工作日内补交复印件",
				"《中华人民共和国行政许可法》第三十二条", "窗口领取", station.Address, station.Phone,
			},
			inline: []string{"已收取的申请材料", "本人社会保障卡或银行卡", "容缺后补", "“本人社会保障卡或银行卡”", "为容缺后补材料，须在本机关作出决定前补交", "领取办理结果"},
			pages:  1,
		},
		{
			name:  "receipt",
			print: func() ([]byte, error) { return notice.Receipt(rec, station, issued) },
			want: []string{
				"收件凭证", "2026年2月12日09:30", "窗口办理", "临时救助",
				"不表示已受理", "收件人（签名）",
			},
			inline: []string{"临时救助申请书", "居民身份证、户口簿", "困难情况证明材料", "未提交", "本人社会保障卡或银行卡"},
			pages:  1,
		},
		{
			name:  "proxy receipt",
			print: func() ([]byte, error) { return notice.Receipt(proxied, communityStation, issued) },
			want: []string{
				"收件凭证", "农村宅基地和建房审批", "代办人", "李建国（代办员，电话139****1111）",
				"授权委托书 SQ01-2026-007", "转交受理站点", "XZ01", communityStation.Name,
			},
			absent: []string{"13900001111"},
			pages:  1,
		},
		{
			name: "one-time",
			print: func() ([]byte, error) {
				return notice.OneTimeNotice(short, nil, station, issued, notice.SupplementBy(workcal.MustDate("2026-02-27")))
			},
			want: []string{
				"一次性告知书", "最低生活保障审核确认", "一次性告知", "不会要求您提供其他材料",
				"第三十二条第一款第四项", "补正期限至2026年2月27日", "须由全体共同生活的家庭成员签字",
				"提交要求：原件1份、复印件1份（纸质）",
			},
			inline: []string{"1", "家庭经济状况核对授权书", "2", "家庭收入申报及承诺书", "3", "家庭成员居民身份证、户口簿", "4", "申请书家庭成员情况栏"},
			pages:  1,
		},
		{
			name:  "not accepted",
			print: func() ([]byte, error) { return notice.NotAcceptedNotice(rejected, nil, station, issued) },
			want: []string{
				"不予受理通知书", "乡村建设规划许可证", "决定不予受理", longReason,
				"向青山县人民政府申请行政复议", "第三十二条第一款",
			},
			inline: []string{"1.", "永久基本农田", "2.", "宅基地批准书", customRemedy},
			pages:  1,
		},
		{
			name:  "granted",
			print: func() ([]byte, error) { return notice.DecisionNotice(granted, station, at("2026-02-25", "16:00")) },
			want: []string{
				"准予决定书", "决定准予", "LS-2026-0042", "2026年2月25日", "第四十四条",
				"送达回证", "受送达人签名", "签收日期", "□窗口领取",
			},
			inline: []string{"准予决定书", "送达回证"},
			pages:  2,
		},
		{
			name:  "refused",
			print: func() ([]byte, error) { return notice.DecisionNotice(refused, station, at("2026-03-20", "16:00")) },
			want: []string{
				"不予许可决定书", "决定不予许可", "高于本地最低生活保障标准", "申请行政复议", "提起行政诉讼",
				"送达回证", "受送达人签名",
			},
			pages: 2,
		},
	}
}

func TestDocuments(t *testing.T) {
	for _, d := range documents(t) {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel() // documents are printed concurrently; -race checks the shared font metrics
			pdf, err := d.print()
			if err != nil {
				t.Fatal(err)
			}
			checkPDF(t, pdf)
			preview(t, d.name, pdf)
			pages := pdfPages(t, pdf)
			text := squeeze(strings.Join(pages, "\n"))
			for _, s := range append([]string{maskedID, name, "本文书由便民服务系统生成"}, d.want...) {
				if !strings.Contains(text, squeeze(s)) {
					t.Errorf("the text does not contain %q:\n%s", s, strings.Join(pages, "\f"))
				}
			}
			if !caseNumber.MatchString(text) {
				t.Errorf("the text does not contain the case number")
			}
			for _, s := range append([]string{fullID, fullPhone}, d.absent...) {
				if strings.Contains(text, s) {
					t.Errorf("the text shows %q unmasked", s)
				}
			}
			if at := inOrder(text, d.inline); at >= 0 {
				t.Errorf("%q is missing or out of order in:\n%s", d.inline[at], strings.Join(pages, "\f"))
			}
			if len(pages) != d.pages {
				t.Errorf("%d pages, want %d", len(pages), d.pages)
			}
			checkPageNumbers(t, pages)
		})
	}
}

// inOrder returns the index of the first phrase not found after the one
// before it, or -1 when all are there in order.
func inOrder(text string, phrases []string) int {
	from := 0
	for i, p := range phrases {
		at := strings.Index(text[from:], squeeze(p))
		if at < 0 {
			return i
		}
		from += at + len(squeeze(p))
	}
	return -1
}

// checkPageNumbers wants "第 X 页 共 N 页" on every page of a document of
// several pages, and on no page of a single-page one.
func checkPageNumbers(t *testing.T, pages []string) {
	t.Helper()
	got := pageNumbers(pages)
	want := make([]string, len(pages))
	if len(pages) > 1 {
		for i := range want {
			want[i] = fmt.Sprintf("%d/%d", i+1, len(pages))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("page numbers %q, want %q", got, want)
	}
}

func TestOneTimeNoticeWithManyItems(t *testing.T) {
	c := receive(t, "最低生活保障审核确认", "2026-02-12", nil, nil)
	items := make([]casefile.MissingItem, 40)
	for i := range items {
		items[i] = casefile.MissingItem{Name: fmt.Sprintf("第%02d项补正材料", i+1), Note: "请提供加盖出具单位公章的原件，复印件须清晰完整。"}
	}
	items[7].Note = strings.Repeat("说明较长的补正要求，需要换行显示。", 12)
	do(t, c, caseflow.RequestSupplement, clerk, "2026-02-13", func(ch *casefile.Change) {
		ch.Notice = &casefile.Notice{Items: items}
	})
	pdf, err := notice.OneTimeNotice(c, c.Notice, station, issued)
	if err != nil {
		t.Fatal(err)
	}
	checkPDF(t, pdf)
	preview(t, "one-time-40", pdf)
	pages := pdfPages(t, pdf)
	if len(pages) < 3 {
		t.Fatalf("40 items fit on %d pages; want at least 3", len(pages))
	}
	checkPageNumbers(t, pages)
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.Name
	}
	text := squeeze(strings.Join(pages, "\n"))
	if at := inOrder(text, names); at >= 0 {
		t.Errorf("item %q is missing or out of order", names[at])
	}
	// The table's heading row is repeated on every page it reaches.
	for i, p := range pages[1 : len(pages)-1] {
		if !strings.Contains(squeeze(p), "序号需要补齐补正的材料或事项具体要求") {
			t.Errorf("page %d does not repeat the table heading", i+2)
		}
	}
}

func TestNotAcceptedNoticeGivesTheStandardRemedies(t *testing.T) {
	c := receive(t, "乡村建设规划许可证", "2026-02-12", nil, nil)
	pdf, err := notice.NotAcceptedNotice(c, &casefile.Notice{Reasons: []string{"申请事项不属于本机关职权范围。"}}, station, issued)
	if err != nil {
		t.Fatal(err)
	}
	checkPDF(t, pdf)
	text := squeeze(strings.Join(pdfPages(t, pdf), "\n"))
	for _, s := range []string{notice.StandardRemedy, "六十日内", "申请行政复议", "六个月内", "提起行政诉讼"} {
		if !strings.Contains(text, squeeze(s)) {
			t.Errorf("the text does not contain %q", s)
		}
	}
}

func TestDocumentsAreReproducible(t *testing.T) {
	c := accepted(t)
	a, err := notice.AcceptanceNotice(c, station, issued)
	if err != nil {
		t.Fatal(err)
	}
	b, err := notice.AcceptanceNotice(c, station, issued)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("printing the same case twice gave different bytes")
	}
}

func TestRefusesToPrint(t *testing.T) {
	received := receive(t, "临时救助", "2026-02-12", nil, nil)
	cases := []struct {
		name  string
		print func() ([]byte, error)
		code  bmerr.Code
	}{
		{"no case", func() ([]byte, error) { return notice.AcceptanceNotice(nil, station, issued) }, bmerr.Invalid},
		{"acceptance before acceptance", func() ([]byte, error) { return notice.AcceptanceNotice(received, station, issued) }, bmerr.FailedPrecondition},
		{"one-time notice listing nothing", func() ([]byte, error) {
			return notice.OneTimeNotice(received, &casefile.Notice{}, station, issued)
		}, bmerr.FailedPrecondition},
		{"non-acceptance without reasons", func() ([]byte, error) {
			return notice.NotAcceptedNotice(received, &casefile.Notice{Reasons: []string{" "}}, station, issued)
		}, bmerr.FailedPrecondition},
		{"decision before deciding", func() ([]byte, error) { return notice.DecisionNotice(received, station, issued) }, bmerr.FailedPrecondition},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pdf, err := tc.print()
			var be *bmerr.Error
			if !errors.As(err, &be) || be.Code != tc.code {
				t.Fatalf("got %v (%d bytes), want a %s error", err, len(pdf), tc.code)
			}
			if be.Zh == "" || be.En == "" {
				t.Errorf("error %+v lacks a message", be)
			}
		})
	}
}

func TestFilename(t *testing.T) {
	c := &casefile.Case{Number: "XZ01-20260212-0001"}
	tests := []struct{ kind, want string }{
		{notice.KindAcceptance, "受理通知书-XZ01-20260212-0001.pdf"},
		{notice.KindOneTime, "一次性告知书-XZ01-20260212-0001.pdf"},
		{"决定书/回证", "决定书_回证-XZ01-20260212-0001.pdf"},
	}
	for _, tc := range tests {
		if got := notice.Filename(tc.kind, c); got != tc.want {
			t.Errorf("Filename(%q) = %q, want %q", tc.kind, got, tc.want)
		}
	}
	if got := notice.Filename(notice.KindReceipt, nil); got != "收件凭证.pdf" {
		t.Errorf("Filename without a case = %q", got)
	}
}

func TestDecisionKind(t *testing.T) {
	tests := []struct {
		d    *casefile.Decision
		want string
	}{
		{nil, ""},
		{&casefile.Decision{Result: caseflow.Granted}, notice.KindGranted},
		{&casefile.Decision{Result: caseflow.Refused}, notice.KindRefused},
		{&casefile.Decision{Result: caseflow.Withdrawn}, ""},
	}
	for _, tc := range tests {
		if got := notice.DecisionKind(&casefile.Case{Decision: tc.d}); got != tc.want {
			t.Errorf("DecisionKind(%+v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// FuzzOneTimeNotice: whatever a clerk types into a name or a note, the
// notice prints.
func FuzzOneTimeNotice(f *testing.F) {
	f.Add("张秀英", "须由全体家庭成员签字")
	f.Add("𠮷野家", "tab\there\x00nul\r\nnew line")
	f.Add("阿卜杜·热合曼", strings.Repeat("XZ01-20260212-0001", 40))
	f.Add("", "")
	f.Add("Zhang Xiuying", "\xff\xfe invalid UTF-8")
	f.Fuzz(func(t *testing.T, who, note string) {
		c := &casefile.Case{
			Number:     "XZ01-20260212-0001",
			Matter:     casefile.MatterSnapshot{Name: "临时救助"},
			Applicant:  casefile.Applicant{Kind: casefile.Person, Name: who},
			ReceivedOn: workcal.MustDate("2026-02-12"),
		}
		n := &casefile.Notice{Items: []casefile.MissingItem{{Name: who, Note: note}, {Name: note}}}
		pdf, err := notice.OneTimeNotice(c, n, notice.Station{Name: who, Address: note}, time.Date(2026, 2, 12, 2, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		checkPDF(t, pdf)
	})
}

func ExampleFilename() {
	c := &casefile.Case{Number: "XZ01-20260212-0001"}
	fmt.Println(notice.Filename(notice.KindAcceptance, c))
	// Output: 受理通知书-XZ01-20260212-0001.pdf
}

func BenchmarkAcceptanceNotice(b *testing.B) {
	c := accepted(b)
	for b.Loop() {
		if _, err := notice.AcceptanceNotice(c, station, issued); err != nil {
			b.Fatal(err)
		}
	}
}
