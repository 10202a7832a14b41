package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

const (
	station = "T01"
	// 城乡居民养老保险参保登记: on the spot; ID card, household register and
	// form required.
	pension = "11331122002501001D2000001001"
	// 城乡居保待遇申领: forwarded to central; the bank card may follow later.
	pensionClaim = "11331122002501001D0500002001"
	// 最低生活保障审核确认: promised-time, decided at the township.
	dibao = "1133112200250300320500001001"
)

var (
	ctx   = context.Background()
	clerk = casefile.Actor{User: "clerk1", Name: "窗口一", Role: caseflow.Clerk, Level: catalog.Township, Station: station}
	// scheduler is central's system actor, which raises warnings.
	scheduler    = casefile.Actor{User: "scheduler", Role: caseflow.System, Level: catalog.Central}
	centralClerk = casefile.Actor{User: "c-clerk", Role: caseflow.Clerk, Level: catalog.Central}
	// day0 is a Thursday; 13 Feb 2026 is a working day.
	day0 = workcal.D(2026, time.February, 12)
	t0   = time.Date(2026, time.February, 12, 9, 30, 0, 0, workcal.Shanghai)
)

// openStore opens a store in a fresh temporary directory, enrolled as
// township station T01, with the demo catalog and the built-in calendar.
func openStore(t testing.TB) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "station.db")
	s := mustOpen(t, path)
	if err := s.SaveIdentity(ctx, store.Identity{
		Station: station, StationName: "城关镇便民服务中心", Level: catalog.Township, DeviceID: uuid.NewString(),
		Secret: "s3cret", ServerURL: "https://central.example", EnrolledAt: t0,
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCatalog(ctx, 1, catalog.DemoJSON(), workcal.BuiltinJSON()); err != nil {
		t.Fatal(err)
	}
	return s, path
}

func mustOpen(t testing.TB, path string) *store.Store {
	t.Helper()
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// residentID returns a valid resident ID number: region, birth date and
// sequence, with the check character computed.
func residentID(t testing.TB, region string, birth workcal.Date, seq int) string {
	t.Helper()
	first17 := fmt.Sprintf("%s%04d%02d%02d%03d", region, birth.Year, int(birth.Month), birth.Day, seq)
	c, err := ident.ResidentIDCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

// materials records every required material as received and every
// deferrable one as to be supplied later, so the case can be accepted.
func materials(t testing.TB, code string) []casefile.MaterialRecord {
	t.Helper()
	m, ok := catalog.Demo().Matter(code)
	if !ok {
		t.Fatalf("no matter %s", code)
	}
	var out []casefile.MaterialRecord
	for _, mat := range m.Materials {
		switch mat.Necessity {
		case catalog.Required:
			out = append(out, casefile.MaterialRecord{Code: mat.Code, Received: true, Original: true, Copies: 1})
		case catalog.Deferrable:
			out = append(out, casefile.MaterialRecord{Code: mat.Code, Deferred: true})
		}
	}
	return out
}

// intake builds a receive change for a new case with the next number.
func intake(t testing.TB, s *store.Store, matter, name, id string, at time.Time) *casefile.Change {
	t.Helper()
	number, err := s.NextCaseNumber(ctx, workcal.DateOf(at))
	if err != nil {
		t.Fatal(err)
	}
	return &casefile.Change{
		ID: uuid.Must(uuid.NewV7()), CaseID: caseflow.NewCaseID(), Action: caseflow.Receive, Actor: clerk, At: at,
		Intake: &casefile.Intake{
			Number: number, Matter: matter, Mode: casefile.WalkIn,
			Applicant: casefile.Applicant{Kind: casefile.Person, Name: name, IDNumber: id, Phone: "13800138000"},
			Materials: materials(t, matter),
		},
	}
}

// act builds a change without payload on an existing case.
func act(caseID uuid.UUID, a caseflow.Action, by casefile.Actor, at time.Time) *casefile.Change {
	return &casefile.Change{ID: uuid.Must(uuid.NewV7()), CaseID: caseID, Action: a, Actor: by, At: at}
}

func warn(caseID uuid.UUID, level casefile.WarningLevel, at time.Time) *casefile.Change {
	ch := act(caseID, caseflow.Warn, scheduler, at)
	ch.Warning = &casefile.Warning{Level: level, Reason: "即将超期"}
	return ch
}

func record(t testing.TB, s *store.Store, ch *casefile.Change) *casefile.Case {
	t.Helper()
	c, err := s.Record(ctx, ch)
	if err != nil {
		t.Fatalf("Record %s: %v", ch.Action, err)
	}
	return c
}

// central replays changes the way central would, giving its authoritative copy.
func central(t testing.TB, changes ...*casefile.Change) *casefile.Case {
	t.Helper()
	c := &casefile.Case{}
	env := casefile.Env{Catalog: catalog.Demo(), Calendar: workcal.Builtin()}
	for _, ch := range changes {
		if err := casefile.Apply(c, ch, env); err != nil {
			t.Fatalf("central Apply %s: %v", ch.Action, err)
		}
	}
	return c
}

func caseView(t testing.TB, s *store.Store, id uuid.UUID) store.CaseView {
	t.Helper()
	v, err := s.Case(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func outboxIDs(t testing.TB, s *store.Store) []uuid.UUID {
	t.Helper()
	items, err := s.Outbox(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	for _, it := range items {
		ids = append(ids, it.ChangeID)
	}
	return ids
}

func historyStates(t testing.TB, s *store.Store, caseID uuid.UUID) []string {
	t.Helper()
	rows, err := s.History(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		st := string(r.Action) + ":" + r.State
		if r.Note != "" {
			st += ":" + r.Note
		}
		out = append(out, st)
	}
	return out
}

func wantCode(t testing.TB, err error, code bmerr.Code, reason string) {
	t.Helper()
	if bmerr.CodeOf(err) != code || (reason != "" && bmerr.ReasonOf(err) != reason) {
		t.Fatalf("error = %v (code %q, reason %q); want code %q reason %q", err, bmerr.CodeOf(err), bmerr.ReasonOf(err), code, reason)
	}
}

// openRaw opens the store's file directly, to look at what is on disk.
func openRaw(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
