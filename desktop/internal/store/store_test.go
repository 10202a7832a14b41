package store_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	_ "modernc.org/sqlite" // openRaw looks inside the file
)

func TestMigrationsIdempotentOnReopen(t *testing.T) {
	s, path := openStore(t)
	ch := intake(t, s, pension, "张三", residentID(t, "110105", workcal.D(1960, 3, 1), 11), t0)
	record(t, s, ch)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s2, err := store.Open(path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		if _, err := s2.Case(ctx, ch.CaseID); err != nil {
			t.Fatalf("case lost on reopen: %v", err)
		}
		if err := s2.Close(); err != nil {
			t.Fatal(err)
		}
	}
	db := openRaw(t, path)
	var n, distinct int
	if err := db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("migrations/*.sql")
	if n != len(files) || distinct != n {
		t.Errorf("schema_migrations has %d rows (%d distinct), want one per file (%d)", n, distinct, len(files))
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	s, path := openStore(t)
	s.Close()
	db := openRaw(t, path)
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := store.Open(path)
	wantCode(t, err, bmerr.FailedPrecondition, "store_too_new")
}

func TestIdentity(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "x.db"))
	if _, ok, err := s.Identity(ctx); ok || err != nil {
		t.Fatalf("Identity before enrolment = %v, %v", ok, err)
	}
	_, err := s.NextCaseNumber(ctx, day0)
	wantCode(t, err, bmerr.FailedPrecondition, "not_enrolled")
	want := store.Identity{Station: "XQ01", StationName: "西桥社区", Level: catalog.Community, Parent: "T01",
		DeviceID: "dev", Secret: "sec", ServerURL: "https://c", PinnedCertSHA256: "ab", EnrolledAt: t0.UTC()}
	if err := s.SaveIdentity(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Identity(ctx)
	if err != nil || !ok || got != want {
		t.Fatalf("Identity = %+v, %v, %v; want %+v", got, ok, err, want)
	}
	wantCode(t, s.SaveIdentity(ctx, store.Identity{Station: "bad code", Level: catalog.Township}), bmerr.Invalid, "bad_station_code")
}

func TestCatalogCopy(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "x.db"))
	_, _, _, err := s.Catalog(ctx)
	wantCode(t, err, bmerr.NotFound, "no_catalog")

	wantCode(t, s.SaveCatalog(ctx, 1, []byte(`{"version":`), workcal.BuiltinJSON()), bmerr.Invalid, "catalog_syntax")
	wantCode(t, s.SaveCatalog(ctx, 1, catalog.DemoJSON(), []byte(`[]`)), bmerr.Invalid, "calendar_syntax")
	if _, _, _, err := s.Catalog(ctx); bmerr.CodeOf(err) != bmerr.NotFound {
		t.Fatalf("a refused catalog was stored: %v", err)
	}

	if err := s.SaveCatalog(ctx, 3, catalog.DemoJSON(), workcal.BuiltinJSON()); err != nil {
		t.Fatal(err)
	}
	// An older version arriving late is ignored.
	if err := s.SaveCatalog(ctx, 2, catalog.DemoJSON(), workcal.BuiltinJSON()); err != nil {
		t.Fatal(err)
	}
	cat, cal, v, err := s.Catalog(ctx)
	if err != nil || v != 3 || cat == nil || cal == nil {
		t.Fatalf("Catalog = %v, %v, %d, %v", cat != nil, cal != nil, v, err)
	}
	if _, ok := cat.Matter(pension); !ok {
		t.Error("demo matter missing from the stored catalog")
	}
	// The cache survives a reopen as data, not just in memory.
	path := filepath.Join(t.TempDir(), "y.db")
	s2 := mustOpen(t, path)
	if err := s2.SaveCatalog(ctx, 7, catalog.DemoJSON(), workcal.BuiltinJSON()); err != nil {
		t.Fatal(err)
	}
	s2.Close()
	s3 := mustOpen(t, path)
	if _, _, v, err := s3.Catalog(ctx); v != 7 || err != nil {
		t.Fatalf("after reopen: version %d, %v", v, err)
	}
}

func TestNextCaseNumber(t *testing.T) {
	s, path := openStore(t)
	next := func(s *store.Store, d workcal.Date) string {
		t.Helper()
		n, err := s.NextCaseNumber(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	d2 := day0.AddDays(1)
	got := []string{next(s, day0), next(s, day0), next(s, d2), next(s, day0)}
	want := []string{"T01-20260212-0001", "T01-20260212-0002", "T01-20260213-0001", "T01-20260212-0003"}
	if !slices.Equal(got, want) {
		t.Fatalf("numbers = %v, want %v", got, want)
	}
	s.Close()
	s = mustOpen(t, path)
	if n := next(s, day0); n != "T01-20260212-0004" {
		t.Errorf("after reopen: %s, want T01-20260212-0004", n)
	}
	if n := next(s, d2); n != "T01-20260213-0002" {
		t.Errorf("after reopen: %s, want T01-20260213-0002", n)
	}

	// A case of this station restored from central (a reinstalled station)
	// keeps the sequence above its number.
	d3 := day0.AddDays(5)
	restored := intake(t, s, pension, "王五", residentID(t, "110105", workcal.D(1970, 1, 1), 21), t0)
	restored.Intake.Number = caseflow.FormatNumber(station, d3, 41)
	if err := s.ReplaceAll(ctx, []*casefile.Case{central(t, restored)}, 10, true); err != nil {
		t.Fatal(err)
	}
	if n := next(s, d3); n != "T01-20260217-0042" {
		t.Errorf("after restore: %s, want T01-20260217-0042", n)
	}
}

func TestRecordWritesCaseChangeAndOutboxTogether(t *testing.T) {
	s, _ := openStore(t)
	id := residentID(t, "110105", workcal.D(1960, 3, 1), 11)
	ch := intake(t, s, pension, "张三", id, t0)
	c := record(t, s, ch)
	if c.Version != 1 || c.Status.State != caseflow.Received || c.Number != "T01-20260212-0001" {
		t.Fatalf("Record returned version %d state %q number %s", c.Version, c.Status.State, c.Number)
	}
	v := caseView(t, s, ch.CaseID)
	if v.Case == nil || v.Case.Version != 1 || v.Confirmed != nil || v.SyncState != store.CasePending {
		t.Fatalf("Case = %+v", v)
	}
	if v.Case.Applicant.IDNumber != id {
		t.Errorf("the document lost the ID number")
	}
	if got := historyStates(t, s, ch.CaseID); !slices.Equal(got, []string{"receive:pending"}) {
		t.Errorf("history = %v", got)
	}
	items, err := s.Outbox(ctx, 10)
	if err != nil || len(items) != 1 {
		t.Fatalf("outbox = %v, %v", items, err)
	}
	wantBody, _ := proto.MarshalOptions{Deterministic: true}.Marshal(wire.ChangeToWire(ch))
	if it := items[0]; it.ChangeID != ch.ID || it.CaseID != ch.CaseID || !bytes.Equal(it.Body, wantBody) || it.State != store.StatePending {
		t.Errorf("outbox item = %+v", it)
	}

	// Accept, then a second accept that Apply refuses: nothing is written
	// and the error comes back as Apply gave it.
	accept := act(ch.CaseID, caseflow.Accept, clerk, t0.Add(time.Minute))
	if c := record(t, s, accept); c.Status.State != caseflow.Accepted || accept.BaseVersion != 1 {
		t.Fatalf("accept: state %q base %d", c.Status.State, accept.BaseVersion)
	}
	again := act(ch.CaseID, caseflow.Accept, clerk, t0.Add(2*time.Minute))
	_, err = s.Record(ctx, again)
	var te *caseflow.TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("second accept: %v (%T); want the TransitionError from Apply", err, err)
	}
	if got := historyStates(t, s, ch.CaseID); !slices.Equal(got, []string{"receive:pending", "accept:pending"}) {
		t.Errorf("history after refused change = %v", got)
	}
	if got := outboxIDs(t, s); !slices.Equal(got, []uuid.UUID{ch.ID, accept.ID}) {
		t.Errorf("outbox after refused change = %v", got)
	}
	if v := caseView(t, s, ch.CaseID); v.Case.Version != 2 {
		t.Errorf("case version after refused change = %d", v.Case.Version)
	}

	// Recording the same change twice is refused.
	_, err = s.Record(ctx, accept)
	wantCode(t, err, bmerr.Conflict, "change_duplicate")

	// A refused intake leaves no trace: no case, no change, no outbox entry.
	bad := intake(t, s, pension, "李四", "110105196003010012", t0) // wrong check character
	_, err = s.Record(ctx, bad)
	if bmerr.CodeOf(err) != bmerr.Invalid {
		t.Fatalf("bad ID: %v", err)
	}
	if _, err := s.Case(ctx, bad.CaseID); bmerr.CodeOf(err) != bmerr.NotFound {
		t.Errorf("refused intake left a case: %v", err)
	}
	if h, _ := s.History(ctx, bad.CaseID); len(h) != 0 {
		t.Errorf("refused intake left changes: %v", h)
	}
	if got := outboxIDs(t, s); len(got) != 2 {
		t.Errorf("outbox = %v", got)
	}
}

func TestRecordWithAttachments(t *testing.T) {
	s, _ := openStore(t)
	scan := bytes.Repeat([]byte("身份证扫描件"), 1000)
	ch := intake(t, s, pension, "张三", residentID(t, "110105", workcal.D(1960, 3, 1), 11), t0)
	att, err := s.PutBlob(ctx, []byte("户口簿"), "hukou.jpg", "image/jpeg") // stored ahead
	if err != nil {
		t.Fatal(err)
	}
	scanAtt := casefile.Attachment{SHA256: sha(scan), Name: "id.jpg", MIME: "image/jpeg", Size: int64(len(scan))}
	ch.Intake.Materials[0].Attachments = []casefile.Attachment{scanAtt}
	ch.Intake.Materials[1].Attachments = []casefile.Attachment{att}

	// Without the scan, nothing is written.
	_, err = s.Record(ctx, ch)
	wantCode(t, err, bmerr.FailedPrecondition, "attachment_missing")
	if ids := outboxIDs(t, s); len(ids) != 0 {
		t.Fatalf("outbox = %v", ids)
	}
	// A scan the change does not reference is refused.
	_, err = s.Record(ctx, ch, []byte("something else"))
	wantCode(t, err, bmerr.Invalid, "scan_unreferenced")

	if _, err := s.Record(ctx, ch, scan); err != nil {
		t.Fatal(err)
	}
	items, _ := s.Outbox(ctx, 0)
	want := []string{scanAtt.SHA256, att.SHA256}
	slices.Sort(want)
	if len(items) != 1 || !slices.Equal(items[0].Attachments, want) {
		t.Fatalf("outbox attachments = %+v, want %v", items, want)
	}
	got, err := s.ReadBlob(ctx, scanAtt.SHA256, 0, len(scan)+10)
	if err != nil || !bytes.Equal(got, scan) {
		t.Fatalf("ReadBlob = %d bytes, %v", len(got), err)
	}
	pending, err := s.PendingBlobs(ctx)
	if err != nil || len(pending) != 2 {
		t.Fatalf("PendingBlobs = %+v, %v", pending, err)
	}
}

// TestCrashSafety records a change in a child process that then kills
// itself without closing the store, and finds the change in the file.
func TestCrashSafety(t *testing.T) {
	if path := os.Getenv("BIANMIN_STORE_CRASH"); path != "" {
		s, err := store.Open(path)
		if err != nil {
			os.Exit(2)
		}
		ch := intake(t, s, pension, "张三", residentID(t, "110105", workcal.D(1960, 3, 1), 11), t0)
		if _, err := s.Record(ctx, ch); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString(ch.ID.String() + " " + ch.CaseID.String() + "\n")
		os.Stdout.Sync()
		p, _ := os.FindProcess(os.Getpid())
		p.Kill() // no Close, no deferred functions: as if the power button were held
		select {}
	}
	s, path := openStore(t)
	s.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSafety$", "-test.count=1")
	cmd.Env = append(os.Environ(), "BIANMIN_STORE_CRASH="+path)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Success() {
		t.Fatalf("child did not die: %v, output %q", err, out)
	}
	fields := strings.Fields(string(out))
	if len(fields) != 2 {
		t.Fatalf("child output %q (%v)", out, err)
	}
	changeID, caseID := uuid.MustParse(fields[0]), uuid.MustParse(fields[1])

	s = mustOpen(t, path)
	if got := outboxIDs(t, s); !slices.Equal(got, []uuid.UUID{changeID}) {
		t.Fatalf("outbox after crash = %v, want [%s]", got, changeID)
	}
	v := caseView(t, s, caseID)
	if v.Case == nil || v.Case.Number != "T01-20260212-0001" {
		t.Fatalf("case after crash = %+v", v)
	}
	if n, _ := s.NextCaseNumber(ctx, day0); n != "T01-20260212-0002" {
		t.Errorf("number after crash = %s", n)
	}
}

// TestConcurrentUse records intakes from several windows at once while
// others read the list: numbers stay unique and nothing is lost.
func TestConcurrentUse(t *testing.T) {
	s, _ := openStore(t)
	const windows, each = 4, 15
	var wg sync.WaitGroup
	numbers := make(chan string, windows*each)
	errs := make(chan error, windows*each+100)
	for w := range windows {
		wg.Go(func() {
			for i := range each {
				ch := intake(t, s, pension, "张三", residentID(t, "110105", workcal.D(1960, 3, 1), 11), t0.Add(time.Duration(w*100+i)*time.Second))
				if _, err := s.Record(ctx, ch); err != nil {
					errs <- err
					return
				}
				numbers <- ch.Intake.Number
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 20 {
				if _, _, err := s.ListCases(ctx, store.Filter{Query: "张三"}); err != nil {
					errs <- err
				}
				if _, err := s.SyncSummary(ctx); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(numbers)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for n := range numbers {
		if seen[n] {
			t.Fatalf("number %s issued twice", n)
		}
		seen[n] = true
	}
	if _, total, _ := s.ListCases(ctx, store.Filter{}); total != windows*each || len(seen) != windows*each {
		t.Errorf("%d cases, %d numbers; want %d", total, len(seen), windows*each)
	}
}
