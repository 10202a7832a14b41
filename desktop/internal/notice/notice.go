// Package notice prints the documents a clerk hands the applicant at the
// window: the receipt (收件凭证), the one-time notice of what is missing
// (一次性告知书), the notice of acceptance (受理通知书) or of non-acceptance
// (不予受理通知书), and the decision with its proof of delivery (送达回证).
//
// Each is a self-contained A4 PDF with its fonts embedded, so it prints the
// same on a station PC with no Chinese fonts and no network. Printouts leave
// the office, so identifiers are masked as everywhere else outside an
// audited view (resident ID 110105********1234, phone 138****5678); the
// applicant's name is printed in full, because the notice is addressed to
// them and they sign for it.
package notice

import (
	"fmt"
	"strings"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/workcal"
)

// Station is the office that issues the notice: its name heads every page
// and signs the notice, and its phone and address tell the applicant where
// to come back to.
type Station struct {
	Code    string // station code (站点代码), e.g. XZ01; residents read the name instead
	Name    string // e.g. 青山镇便民服务中心
	Phone   string
	Address string
}

// The kinds of document, as their titles read and as Filename names them.
const (
	KindReceipt     = "收件凭证"
	KindOneTime     = "一次性告知书"
	KindAcceptance  = "受理通知书"
	KindNotAccepted = "不予受理通知书"
	KindGranted     = "准予决定书"   // DecisionNotice for a granted case
	KindRefused     = "不予许可决定书" // DecisionNotice for a refused case
)

// DecisionKind returns the kind DecisionNotice prints for c (KindGranted or
// KindRefused), or "" when c has no decision.
func DecisionKind(c *casefile.Case) string {
	if c == nil || c.Decision == nil {
		return ""
	}
	switch c.Decision.Result {
	case caseflow.Granted:
		return KindGranted
	case caseflow.Refused:
		return KindRefused
	}
	return ""
}

// Filename names the PDF of a document of kind for c, e.g.
// "受理通知书-XZ01-20260212-0001.pdf". Characters that Windows does not
// allow in file names are replaced, so the name can be saved as it is.
func Filename(kind string, c *casefile.Case) string {
	name := kind
	if c != nil && c.Number != "" {
		name += "-" + c.Number
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`<>:"/\|?*`, r) {
			return '_'
		}
		return r
	}, name) + ".pdf"
}

// StandardRemedy is the remedies sentence printed when a refusal or a
// non-acceptance does not give its own (行政复议法 art. 20: 60 days;
// 行政诉讼法 art. 46: six months).
const StandardRemedy = "如不服本决定，可以自收到本文书之日起六十日内依法申请行政复议，或者自收到本文书之日起六个月内依法向人民法院提起行政诉讼。"

func remedies(rs []string) []string {
	var out []string
	for _, r := range rs {
		if strings.TrimSpace(r) != "" {
			out = append(out, strings.TrimSpace(r))
		}
	}
	if len(out) == 0 {
		return []string{StandardRemedy}
	}
	return out
}

func stationName(st Station) string {
	if strings.TrimSpace(st.Name) == "" {
		return "便民服务中心"
	}
	return st.Name
}

func issuedOn(t time.Time) string { return zhDate(workcal.DateOf(t)) }

func noCase() error {
	return bmerr.New(bmerr.Invalid, "notice_no_case", "没有指定要打印文书的案件。", "no case was given to print a notice for.")
}

func cannotPrint(c *casefile.Case, kind, why, whyEn string) error {
	return bmerr.New(bmerr.FailedPrecondition, "notice_not_printable",
		fmt.Sprintf("案件 %s 不能打印%s：%s。", c.Number, kind, why),
		fmt.Sprintf("case %s: cannot print the %s: %s.", c.Number, kind, whyEn))
}
