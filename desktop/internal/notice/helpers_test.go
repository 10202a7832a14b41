package notice_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/notice"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

var (
	demo     = catalog.Demo()
	calendar = workcal.Builtin()
	station  = notice.Station{Code: "XZ01", Name: "青山镇便民服务中心", Phone: "0571-6412 3456", Address: "青山镇人民路 18 号便民服务中心一楼综合窗口"}
	clerk    = fixture.Actor("XZ01", catalog.Township)
	approver = casefile.Actor{User: "xz-approver", Name: "审批人", Role: caseflow.Approver, Level: catalog.Township, Station: "XZ01"}
)

// The applicant: a resident ID that passes its check, born 31 Dec 1949.
const (
	fullID      = "11010519491231002X"
	maskedID    = "110105********002X"
	fullPhone   = "13812345678"
	maskedPhone = "138****5678"
	name        = "张秀英"
)

func applicant() casefile.Applicant {
	return casefile.Applicant{Kind: casefile.Person, Name: name, IDNumber: fullID, Phone: fullPhone, Address: "青山镇幸福村3组12号"}
}

func env() casefile.Env { return casefile.Env{Catalog: demo, Calendar: calendar} }

// at is a time of day in China on the given date.
func at(day, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+clock, workcal.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// receive returns a case of the named demo matter received at the XZ01
// window on day: every material handed in except those named in deferred
// (容缺后补) and missing (not handed in).
func receive(t testing.TB, matter, day string, deferred, missing []string) *casefile.Case {
	t.Helper()
	m := fixture.Matter(demo, matter)
	number := caseflow.FormatNumber("XZ01", workcal.MustDate(day), 1)
	ch := fixture.Receive(rand.New(rand.NewPCG(1, 2)), m, clerk, number, at(day, "09:30"))
	ch.Intake.Applicant = applicant()
	for i := range ch.Intake.Materials {
		r := &ch.Intake.Materials[i]
		switch mat, _ := m.Material(r.Code); {
		case contains(deferred, mat.Name):
			*r = casefile.MaterialRecord{Code: r.Code, Deferred: true}
		case contains(missing, mat.Name):
			*r = casefile.MaterialRecord{Code: r.Code}
		}
	}
	var c casefile.Case
	apply(t, &c, ch)
	return &c
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

var communityStation = notice.Station{Code: "SQ01", Name: "青山镇幸福村便民服务站", Phone: "0571-6412 7788", Address: "幸福村村委会一楼"}

// proxyReceive is 农村宅基地和建房审批 collected by the community agent of
// SQ01 for the resident, to be forwarded to the township XZ01 (帮办代办).
func proxyReceive(t testing.TB) *casefile.Case {
	t.Helper()
	m := fixture.Matter(demo, "农村宅基地和建房审批")
	agent := fixture.Actor("SQ01", catalog.Community)
	ch := fixture.Receive(rand.New(rand.NewPCG(3, 4)), m, agent, caseflow.FormatNumber("SQ01", workcal.MustDate("2026-02-12"), 1), at("2026-02-12", "09:30"))
	ch.Intake.Applicant = applicant()
	ch.Intake.Proxy = &casefile.Proxy{AgentUser: agent.User, AgentName: "李建国", AgentPhone: "13900001111", Authorization: "授权委托书 SQ01-2026-007", ForwardTo: "XZ01"}
	var c casefile.Case
	apply(t, &c, ch)
	return &c
}

// do applies action to c by actor at 10:00 on day; edit fills in the payload.
func do(t testing.TB, c *casefile.Case, action caseflow.Action, actor casefile.Actor, day string, edit func(*casefile.Change)) {
	t.Helper()
	ch := &casefile.Change{ID: uuid.Must(uuid.NewV7()), CaseID: c.ID, Action: action, Actor: actor, At: at(day, "10:00"), BaseVersion: c.Version}
	if edit != nil {
		edit(ch)
	}
	apply(t, c, ch)
}

func apply(t testing.TB, c *casefile.Case, ch *casefile.Change) {
	t.Helper()
	if err := casefile.Apply(c, ch, env()); err != nil {
		t.Fatalf("%s: %v", ch.Action, err)
	}
}

// accepted is 临时救助 accepted on Thursday 12 Feb 2026 with the bank card
// deferred: due Thursday 26 Feb, the worked example of the domain reference.
func accepted(t testing.TB) *casefile.Case {
	c := receive(t, "临时救助", "2026-02-12", []string{"本人社会保障卡或银行卡"}, nil)
	do(t, c, caseflow.Accept, clerk, "2026-02-12", nil)
	return c
}

// checkPDF checks the bytes are one complete PDF file.
func checkPDF(t *testing.T, pdf []byte) {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("does not start with %%PDF-: %q", pdf[:min(len(pdf), 16)])
	}
	if !bytes.HasSuffix(bytes.TrimRight(pdf, "\r\n"), []byte("%%EOF")) {
		t.Errorf("does not end with %%%%EOF: %q", pdf[max(0, len(pdf)-16):])
	}
}

// pdfPages extracts the text of each page with pdftotext -layout, or skips
// the test when poppler-utils is not installed.
func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not found (install poppler-utils): skipping the checks on the printed text")
	}
	path := filepath.Join(t.TempDir(), "notice.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(string(out), "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	return pages
}

// squeeze removes all white space, so that a phrase is found whatever
// spacing the text extraction put between its runs.
func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

var pageNumber = regexp.MustCompile(`第\s*(\d+)\s*页\s*共\s*(\d+)\s*页`)

// pageNumbers returns each page's "第 X 页 共 N 页" as "X/N" ("" where absent).
func pageNumbers(pages []string) []string {
	out := make([]string, len(pages))
	for i, p := range pages {
		if m := pageNumber.FindStringSubmatch(p); m != nil {
			out[i] = m[1] + "/" + m[2]
		}
	}
	return out
}

// preview writes pdf to $NOTICE_PREVIEW/<name>.pdf when that is set, so the
// documents can be rendered and looked at:
//
//	NOTICE_PREVIEW=/tmp/notice-preview go test -run TestDocuments ./desktop/internal/notice/
//	cd /tmp/notice-preview && for f in *.pdf; do pdftoppm -r 60 -png "$f" "${f%.pdf}"; done
func preview(t *testing.T, name string, pdf []byte) {
	dir := os.Getenv("NOTICE_PREVIEW")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
}
