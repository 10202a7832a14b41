package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
)

// day is when every change happens: a Thursday the built-in calendar covers.
var day = time.Date(2026, 2, 12, 10, 0, 0, 0, workcal.Shanghai)

const (
	ownMatter   = "最低生活保障审核确认" // 5 materials, accepted at a township
	proxyMatter = "农村宅基地和建房审批" // 5 materials, accepted only at a township: a community files it by proxy
)

var cat = catalog.Demo()

func env() casefile.Env { return casefile.Env{Catalog: cat, Calendar: workcal.Builtin()} }

// Clerks' notes as they are written at the window; with the detailed
// address they bring a receive change to about 1 KB of protobuf.
var notes = []string{
	"申请人现场提交材料，经办人已核对原件。申请人自述家庭共四口人，配偶长期患病需定期服药，两名子女均在校就读，家庭主要收入来源为务农及零星务工，月均收入约一千二百元。已告知申请人后续入户调查、民主评议及公示安排，申请人表示知悉并同意配合。联系电话已当场拨打核实，材料复印件均已由申请人签字确认。申请人另称其父亲去年去世，户口尚未注销，已告知先到派出所办理注销后补交证明。",
	"申请人由其子陪同到窗口办理，经办人已核对户口簿、身份证原件并留存复印件。申请人反映去年因病住院两次，自付医疗费用较高，家中无其他固定收入，承包地已流转。已一次性告知需补充的银行流水要求及办理时限，申请人表示理解。家庭财产状况核对授权书已签署，入户调查时间另行电话通知。申请人询问临时救助政策，已发放政策明白纸并告知可同步提出申请，申请人表示回家商量后再定。",
	"申请人现场提交全部材料，原件已核验并退还。申请人为独居老人，子女在外地务工，每月寄回生活费不固定，本人患有高血压及关节病，行动不便。经办人已协助填写申请表并逐项宣读，申请人按手印确认。已告知审核确认流程及公示期，约定由村委会协助入户调查，联系电话为其女儿手机。申请人住房为上世纪八十年代所建砖木结构平房，屋顶有漏雨情况，已提醒可咨询危房改造政策。",
}

// receives builds n receive changes of matter, numbered 1..n, at station st,
// with every material received and the applicant's address and the note
// written out in full. A community's changes of a matter it may not accept
// are proxy filings forwarded to its township.
func receives(r *rand.Rand, st store.Station, matter string, n int) []*casefile.Change {
	m := fixture.Matter(cat, matter)
	actor := fixture.Actor(st.Code, st.Level)
	out := make([]*casefile.Change, n)
	for i := range out {
		ch := fixture.Receive(r, m, actor, caseflow.FormatNumber(st.Code, workcal.DateOf(day), i+1), day)
		ch.Intake.Applicant.Address += fmt.Sprintf("（%d幢%d单元%d室，村委会向东约%d米，门前有香樟树）", 1+r.IntN(20), 1+r.IntN(4), 101+r.IntN(500), 50+r.IntN(400))
		ch.Note = notes[r.IntN(len(notes))]
		if st.Level == catalog.Community && !m.CanAccept(catalog.Community) {
			ch.Intake.Proxy = &casefile.Proxy{AgentUser: actor.User, AgentName: actor.Name, AgentPhone: fixture.Mobile(r),
				Authorization: fmt.Sprintf("授权委托书 2026-%05d", i+1), ForwardTo: st.Parent}
		}
		out[i] = ch
	}
	return out
}

func toWire(chs []*casefile.Change) []*syncv1.Change {
	out := make([]*syncv1.Change, len(chs))
	for i, ch := range chs {
		out[i] = wire.ChangeToWire(ch)
	}
	return out
}

// pushSet is the push_10k workload, and the rows of the SQLite ceiling.
type pushSet struct {
	wire    []*syncv1.Change
	rows    []row
	changes []*casefile.Change // for store_save: the changes and the cases
	cases   []*casefile.Case   // they make, as central applies them,
	// and their ids
	changeIDs, caseIDs []uuid.UUID
}

// row is what central stores per new case, for the plain-insert ceiling:
// the case id, the case document as the store keeps it in the case row
// (store.EncodeCase without the matter snapshot, which is stored once per
// matter) and the change's protobuf body. These are the same bytes a push
// writes, so the ceiling is what SQLite does with them and nothing else.
type row struct {
	id   string
	doc  []byte
	body []byte
}

// newPushSet builds n receive changes at township st, their protobuf, and,
// by applying them as central does, the cases' stored documents.
func newPushSet(st store.Station, n int) (*pushSet, error) {
	chs := receives(rand.New(rand.NewPCG(1, 2)), st, ownMatter, n)
	set := &pushSet{wire: toWire(chs), rows: make([]row, n), changes: chs, cases: make([]*casefile.Case, n),
		changeIDs: make([]uuid.UUID, n), caseIDs: make([]uuid.UUID, n)}
	var docBytes, bodyBytes int
	for i, ch := range chs {
		var c casefile.Case
		if err := casefile.Apply(&c, ch, env()); err != nil {
			return nil, fmt.Errorf("apply %s: %w", ch.Intake.Number, err)
		}
		doc, err := store.EncodeCase(&c)
		if err != nil {
			return nil, err
		}
		split, err := store.SplitCase(doc)
		if err != nil {
			return nil, err
		}
		body, err := proto.Marshal(set.wire[i])
		if err != nil {
			return nil, err
		}
		set.rows[i] = row{id: c.ID.String(), doc: split.Rest, body: body}
		set.cases[i] = &c
		set.changeIDs[i], set.caseIDs[i] = ch.ID, c.ID
		docBytes += len(set.rows[i].doc)
		bodyBytes += len(body)
	}
	fmt.Printf("# workload: %d receive changes of %s (%d materials) at township %s; average change protobuf %d bytes, stored case document %d bytes\n",
		n, ownMatter, len(fixture.Matter(cat, ownMatter).Materials), st.Code, bodyBytes/n, docBytes/n)
	return set, nil
}
