package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
)

// t0 is a fixed instant the tests build times from.
var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// NewCase returns a hand-made case at version 1, received at origin and
// handled at handling ("" for the origin itself), whose first material
// carries the given attachments.
func NewCase(origin, handling string, attachments ...string) *casefile.Case {
	if handling == "" {
		handling = origin
	}
	c := &casefile.Case{
		ID:     newID(),
		Number: origin + "-20260302-0001",
		Matter: casefile.MatterSnapshot{
			Code: "M-LOWINCOME", Name: "最低生活保障审核", NameEn: "Minimum living allowance",
			CatalogVersion: 3, Department: "civil_affairs",
			Levels:   catalog.Levels{Accept: []catalog.Level{catalog.Community, catalog.Township}, Decide: []catalog.Level{catalog.Township}},
			Handling: catalog.Promised,
		},
		OriginStation:   origin,
		OriginLevel:     catalog.Community,
		HandlingStation: handling,
		Applicant:       casefile.Applicant{Kind: casefile.Person, Name: "张三", Phone: "13800000000"},
		Mode:            casefile.WalkIn,
		Materials: []casefile.MaterialRecord{
			{Code: "ID", Received: true, Original: true, Copies: 1},
		},
		Status:     caseflow.Status{State: caseflow.Received},
		ReceivedAt: t0,
		Version:    1,
		UpdatedAt:  t0,
	}
	if handling != origin {
		c.Proxy = &casefile.Proxy{AgentUser: "agent1", AgentName: "李四", Authorization: "委托书-001", ForwardTo: handling}
	}
	for i, sha := range attachments {
		c.Materials[0].Attachments = append(c.Materials[0].Attachments,
			casefile.Attachment{SHA256: sha, Name: fmt.Sprintf("scan%d.pdf", i), MIME: "application/pdf", Size: 1000})
	}
	return c
}

// Next returns a copy of c one version later, as a change would leave it.
func Next(c *casefile.Case) *casefile.Case {
	n := *c
	n.Materials = slices.Clone(c.Materials)
	n.Version++
	n.UpdatedAt = c.UpdatedAt.Add(time.Minute)
	return &n
}

// ChangeFor returns a change that turned c into its current version.
func ChangeFor(c *casefile.Case) *casefile.Change {
	return &casefile.Change{
		ID:          newID(),
		CaseID:      c.ID,
		Action:      caseflow.Receive,
		Actor:       casefile.Actor{User: "clerk1", Role: caseflow.Clerk, Level: c.OriginLevel, Station: c.OriginStation},
		At:          c.UpdatedAt,
		BaseVersion: c.Version - 1,
	}
}

// Body is the wire encoding the tests store with a change.
func Body(ch *casefile.Change) []byte {
	b, err := json.Marshal(ch)
	if err != nil {
		panic(err)
	}
	return b
}

// AppliedFor is the Applied record of change ch pushed by station.
func AppliedFor(ch *casefile.Change, station string) store.Applied {
	return store.Applied{Change: ch, Body: Body(ch), Station: station, ReceivedAt: t0}
}

// save records c with a fresh change in its own Update and returns the
// change and its seq.
func save(t *testing.T, s store.Store, c *casefile.Case) (*casefile.Change, int64) {
	t.Helper()
	ch := ChangeFor(c)
	var seq int64
	err := s.Update(context.Background(), func(tx store.Tx) error {
		var err error
		seq, err = tx.SaveApplied(c, AppliedFor(ch, c.OriginStation))
		return err
	})
	if err != nil {
		t.Fatalf("save case %s v%d: %v", c.ID, c.Version, err)
	}
	return ch, seq
}

func wantCode(t *testing.T, what string, err error, code bmerr.Code) {
	t.Helper()
	if got := bmerr.CodeOf(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
	if code != "" {
		e := bmerr.As(err)
		if e.Zh == "" || e.En == "" {
			t.Errorf("%s: error %+v lacks a message in both languages", what, e)
		}
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// sameCase compares cases by their JSON, the form both sides exchange.
func sameCase(t *testing.T, what string, got, want *casefile.Case) {
	t.Helper()
	g, err := json.Marshal(got)
	must(t, what, err)
	w, err := json.Marshal(want)
	must(t, what, err)
	if string(g) != string(w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func caseIDs(cs []*casefile.Case) []uuid.UUID {
	out := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func feedIDs(es []store.FeedEntry) []uuid.UUID {
	out := make([]uuid.UUID, len(es))
	for i, e := range es {
		out[i] = e.ChangeID
	}
	return out
}

func sortedIDs(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	return out
}

func sha(i int) string { return fmt.Sprintf("%064x", i) }

// WorkflowCase returns a case forwarded to central: its matter, implemented
// by mz with cl, goes through rs (handle, review) and then mz and cl in
// parallel; it stands at rs's first step.
func WorkflowCase() *casefile.Case {
	c := NewCase("T01", "")
	c.Matter.Code, c.Matter.Department, c.Matter.CoDepartments = "M-ALLOWANCE", "mz", []string{"cl"}
	c.Matter.Workflow = &catalog.Workflow{Stages: []catalog.Stage{
		{Kind: catalog.DepartmentStage, Department: "rs", Steps: []catalog.Step{catalog.Handle, catalog.Review}, Days: 5},
		{Kind: catalog.ParallelStage, Department: "mz", Rule: catalog.AllAgree, Branches: []catalog.Branch{
			{Department: "mz", Steps: []catalog.Step{catalog.Handle, catalog.Approve}, Days: 7},
			{Department: "cl", Steps: []catalog.Step{catalog.Handle}, Days: 7},
		}},
	}}
	c.Status = caseflow.Status{State: caseflow.UnderReview}
	c.AcceptedOn = workcal.MustDate("2026-03-02")
	c.Pipeline = &casefile.Pipeline{Started: workcal.MustDate("2026-03-02")}
	return c
}

// docOf is c's document as Applied.Doc takes it.
func docOf(c *casefile.Case) (*store.CaseDoc, error) {
	doc, err := store.EncodeCase(c)
	if err != nil {
		return nil, err
	}
	d, err := store.SplitCase(doc)
	return &d, err
}
