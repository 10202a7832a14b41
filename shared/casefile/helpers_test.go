package casefile_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	cf "github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

// Demo catalog matters the flows use, by name; codeOf finds their codes so a
// renumbered demo catalog does not silently test another matter.
const (
	sbCard      = "社保卡申领/补换"     // on the spot, accepted and decided at the township
	pensionReg  = "城乡居民养老保险参保登记" // on the spot, legal limit 3 working days
	relief      = "临时救助"         // promised 5 wd, no legal limit, decided at township or central
	disability  = "残疾人证核发"       // forwarded: accepted at the township, decided at central (cl); 公示
	homestead   = "农村宅基地和建房审批"   // accepted at the township, proxied by a community, decided at central
	dibao       = "最低生活保障审核确认"   // promised 25 wd, legal 30 wd; bank card 容缺后补
	destitute   = "特困人员认定"       // promised and legal 15 wd, decided at the township; 公示
	buildPermit = "乡村建设规划许可证"    // promised 10 wd, legal 20 wd, decided at the township
)

var (
	agentSQ     = casefile.Actor{User: "sq-agent", Name: "社区代办员", Role: cf.Agent, Level: catalog.Community, Station: "SQ01"}
	clerkXZ     = casefile.Actor{User: "xz-clerk", Name: "综合窗口", Role: cf.Clerk, Level: catalog.Township, Station: "XZ01"}
	approverXZ  = casefile.Actor{User: "xz-approver", Role: cf.Approver, Level: catalog.Township, Station: "XZ01"}
	headXZ      = casefile.Actor{User: "xz-head", Role: cf.Head, Level: catalog.Township, Station: "XZ01"}
	clerkXZ2    = casefile.Actor{User: "xz2-clerk", Role: cf.Clerk, Level: catalog.Township, Station: "XZ02"}
	clerkZX     = casefile.Actor{User: "zx-clerk", Role: cf.Clerk, Level: catalog.Central}
	handlerCL   = casefile.Actor{User: "cl-handler", Role: cf.Handler, Level: catalog.Central, Department: "cl"}
	reviewerCL  = casefile.Actor{User: "cl-reviewer", Role: cf.Reviewer, Level: catalog.Central, Department: "cl"}
	approverCL  = casefile.Actor{User: "cl-approver", Role: cf.Approver, Level: catalog.Central, Department: "cl"}
	headCL      = casefile.Actor{User: "cl-head", Role: cf.Head, Level: catalog.Central, Department: "cl"}
	scheduler   = casefile.Actor{User: "scheduler", Role: cf.System, Level: catalog.Central}
	demoCatalog = catalog.Demo()
	calendar    = workcal.Builtin()
)

// caseID is the one case every flow works on (each flow has its own Case).
var caseID = uuid.MustParse("0199a000-0000-7000-8000-000000000001")

// applicant is a resident whose ID passes its check: born 31 Dec 1949, female.
const applicantID = "11010519491231002X"

func env() casefile.Env { return casefile.Env{Catalog: demoCatalog, Calendar: calendar} }

func codeOf(t testing.TB, name string) string {
	t.Helper()
	for _, m := range demoCatalog.Matters {
		if m.Name == name {
			return m.Code
		}
	}
	t.Fatalf("the demo catalog has no matter %q", name)
	return ""
}

func matterOf(t testing.TB, name string) *catalog.Matter {
	t.Helper()
	m, _ := demoCatalog.Matter(codeOf(t, name))
	return m
}

// day parses a date; "" is the zero Date.
func day(s string) workcal.Date {
	if s == "" {
		return workcal.Date{}
	}
	return workcal.MustDate(s)
}

// at is 10:00 in China on the given day.
func at(s string) time.Time { return day(s).Time().Add(10 * time.Hour) }

// residentID returns a valid ID number for the birth date and sequence.
func residentID(t testing.TB, birth string, seq int) string {
	t.Helper()
	b := day(birth)
	first17 := fmt.Sprintf("331122%04d%02d%02d%03d", b.Year, int(b.Month), b.Day, seq)
	c, err := ident.ResidentIDCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

// allReceived logs every material of the matter as received.
func allReceived(m *catalog.Matter) []casefile.MaterialRecord {
	out := make([]casefile.MaterialRecord, 0, len(m.Materials))
	for _, mat := range m.Materials {
		out = append(out, casefile.MaterialRecord{Code: mat.Code, Received: true, Original: mat.Originals > 0, Copies: mat.Copies})
	}
	return out
}

// without drops the named material codes from recs.
func without(recs []casefile.MaterialRecord, codes ...string) []casefile.MaterialRecord {
	return slices.DeleteFunc(slices.Clone(recs), func(r casefile.MaterialRecord) bool { return slices.Contains(codes, r.Code) })
}

// receive is a receive change for the named matter with every material
// handed in; edit adjusts the intake.
func receive(t testing.TB, by casefile.Actor, number, matter, on string, edit ...func(*casefile.Intake)) *casefile.Change {
	t.Helper()
	in := &casefile.Intake{
		Number:    number,
		Matter:    codeOf(t, matter),
		Applicant: casefile.Applicant{Kind: casefile.Person, Name: "王秀英", IDNumber: applicantID, Phone: "13800138000"},
		Mode:      casefile.WalkIn,
		Materials: allReceived(matterOf(t, matter)),
	}
	for _, e := range edit {
		e(in)
	}
	return &casefile.Change{Action: cf.Receive, Actor: by, At: at(on), Intake: in}
}

// do is a change of action by an actor on a day; edit adds its payload.
func do(a cf.Action, by casefile.Actor, on string, edit ...func(*casefile.Change)) *casefile.Change {
	ch := &casefile.Change{Action: a, Actor: by, At: at(on)}
	for _, e := range edit {
		e(ch)
	}
	return ch
}

func withNotice(items, reasons, remedies int) func(*casefile.Change) {
	return func(ch *casefile.Change) {
		n := &casefile.Notice{}
		for i := range items {
			n.Items = append(n.Items, casefile.MissingItem{Name: fmt.Sprintf("缺少材料%d", i+1), Note: "请补交原件"})
		}
		for i := range reasons {
			n.Reasons = append(n.Reasons, fmt.Sprintf("理由%d", i+1))
		}
		for i := range remedies {
			n.Remedies = append(n.Remedies, fmt.Sprintf("可于六十日内申请行政复议（%d）", i+1))
		}
		ch.Notice = n
	}
}

func withDecision(d casefile.Decision) func(*casefile.Change) {
	return func(ch *casefile.Change) { ch.Decision = &d }
}

func withMaterials(recs ...casefile.MaterialRecord) func(*casefile.Change) {
	return func(ch *casefile.Change) { ch.Materials = recs }
}

func withSuspension(p catalog.Procedure, days int) func(*casefile.Change) {
	return func(ch *casefile.Change) {
		ch.Suspension = &casefile.Suspension{Procedure: p, ExpectedDays: days, Note: "村内公示"}
	}
}

func withExtension(days int, reason, approver string) func(*casefile.Change) {
	return func(ch *casefile.Change) {
		ch.Extension = &casefile.Extension{Days: days, Reason: reason, Approver: approver}
	}
}

func withDelivery(m casefile.DeliveryMethod) func(*casefile.Change) {
	return func(ch *casefile.Change) { ch.Delivery = &casefile.Delivery{Method: m, Note: "申请人本人领取"} }
}

func withRating(level int) func(*casefile.Change) {
	return func(ch *casefile.Change) { ch.Rating = &casefile.Rating{Level: level, Comment: "办事方便"} }
}

func withWarning(level casefile.WarningLevel, scope string) func(*casefile.Change) {
	return func(ch *casefile.Change) {
		ch.Warning = &casefile.Warning{Level: level, Scope: scope, Reason: "即将超期"}
	}
}

func withStep(stage int, dept string, step catalog.Step) func(*casefile.Change) {
	return func(ch *casefile.Change) {
		ch.Step = &casefile.StepInput{Stage: stage, Department: dept, Step: step, Approve: true, Opinion: "同意"}
	}
}

func withNote(note string) func(*casefile.Change) {
	return func(ch *casefile.Change) { ch.Note = note }
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// changeID numbers the changes of a test deterministically.
func changeID(n int) uuid.UUID {
	return uuid.MustParse(fmt.Sprintf("0199a000-0000-7000-9000-%012d", n))
}

// applyChecked applies ch to c the way every test does, and checks the
// invariants that hold for any change: the change itself is left alone, a
// failure leaves the case byte for byte as it was and is a *bmerr.Error, and
// a success adds exactly one to Version.
func applyChecked(t testing.TB, c *casefile.Case, ch *casefile.Change, e casefile.Env) error {
	t.Helper()
	caseBefore, changeBefore, version := mustJSON(t, c), mustJSON(t, ch), c.Version
	err := casefile.Apply(c, ch, e)
	if got := mustJSON(t, ch); got != changeBefore {
		t.Fatalf("Apply(%s) changed its change:\nbefore %s\nafter  %s", ch.Action, changeBefore, got)
	}
	if err != nil {
		if bmerr.As(err) == nil {
			t.Fatalf("Apply(%s) = %v (%T), not a *bmerr.Error", ch.Action, err, err)
		}
		if got := mustJSON(t, c); got != caseBefore {
			t.Fatalf("failed Apply(%s) (%v) changed the case:\nbefore %s\nafter  %s", ch.Action, err, caseBefore, got)
		}
		return err
	}
	if c.Version != version+1 {
		t.Fatalf("Apply(%s): Version %d -> %d, want +1", ch.Action, version, c.Version)
	}
	return nil
}

// wantErr checks err's code and reason, and that the message names what it
// should (each of contains, in Chinese).
func wantErr(t testing.TB, err error, code bmerr.Code, reason string, contains ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s/%s", code, reason)
	}
	if bmerr.CodeOf(err) != code || bmerr.ReasonOf(err) != reason {
		t.Fatalf("got %s/%s (%v), want %s/%s", bmerr.CodeOf(err), bmerr.ReasonOf(err), err, code, reason)
	}
	zh := bmerr.Message(err, "zh")
	for _, s := range contains {
		if !strings.Contains(zh, s) {
			t.Errorf("message %q does not mention %q", zh, s)
		}
	}
}

// received returns a case after a successful receive of ch.
func received(t testing.TB, ch *casefile.Change) *casefile.Case {
	t.Helper()
	ch.ID, ch.CaseID = changeID(0), caseID
	c := &casefile.Case{}
	if err := applyChecked(t, c, ch, env()); err != nil {
		t.Fatalf("receive: %v", err)
	}
	return c
}
