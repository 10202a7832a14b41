package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
	"github.com/bianmin/bianmin/shared/gen/bianmin/central/v1/centralv1connect"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1/syncv1connect"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/cli"
	"github.com/bianmin/bianmin/syncserver/internal/report"
	"github.com/bianmin/bianmin/syncserver/internal/server"
	"github.com/bianmin/bianmin/syncserver/internal/store/sqlite"
	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"
	_ "modernc.org/sqlite" // database/sql driver "sqlite", to tamper with the file
)

// run runs one syncserver command and returns what it printed.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := cli.Main(context.Background(), args, &out, &errOut)
	return out.String() + errOut.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := run(t, args...)
	if err != nil {
		t.Fatalf("syncserver %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// flowDB is a database made through the command line and a real flow: the
// CLI creates a station and a central user and issues an enrollment code;
// a server on the same file enrolls the station, which receives, accepts and
// forwards a 残疾人证核发 case; the user signs in, handles it and unmasks the
// applicant. It returns the file and the ids of the case's changes.
type flowDB struct {
	path    string
	changes []uuid.UUID // receive, accept, forward, advance
}

// when is the flow's clock: Monday 2 March 2026, 10:00 in Beijing.
var when = time.Date(2026, 3, 2, 10, 0, 0, 0, workcal.Shanghai)

func makeFlow(t *testing.T) flowDB {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "central.db")
	pw := filepath.Join(dir, "password")
	if err := os.WriteFile(pw, []byte("Bianmin-2026!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, "station", "create", "--db", db, "--code", "XZ01", "--name", "青山镇便民服务中心", "--level", "township"); !strings.Contains(out, "station XZ01 created") {
		t.Fatalf("station create: %q", out)
	}
	if out := mustRun(t, "user", "create", "--db", db, "--username", "cl.handler", "--name", "刘洋", "--role", "handler",
		"--department", "cl", "--password-file", pw); !strings.Contains(out, "user cl.handler created") {
		t.Fatalf("user create: %q", out)
	}
	if out := mustRun(t, "user", "list", "--db", db); !strings.Contains(out, "cl.handler") || !strings.Contains(out, "刘洋") {
		t.Fatalf("user list: %q", out)
	}
	code := strings.TrimSpace(mustRun(t, "enroll-code", "--db", db, "--station", "XZ01"))

	// A server on the same file, with a fixed clock.
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := func() time.Time { return when }
	st.Now = now
	srv := server.New(server.Config{Store: st, Now: now})
	ctx := context.Background()
	if err := srv.EnsureCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()

	device, secret := uuid.NewString(), strings.Repeat("s", 43)
	if _, err := syncv1connect.NewEnrollmentServiceClient(hs.Client(), hs.URL).Enroll(ctx, connect.NewRequest(&syncv1.EnrollRequest{
		Code: code, DeviceId: device, Secret: secret, DeviceName: "窗口一号机"})); err != nil {
		t.Fatalf("enroll with the CLI's code: %v", err)
	}
	bearer := connect.WithInterceptors(header("Bearer " + syncapi.Credential(device, secret)))
	station := syncv1connect.NewSyncServiceClient(hs.Client(), hs.URL, bearer)
	actor := fixture.Actor("XZ01", catalog.Township)
	rnd := rand.New(rand.NewPCG(3, 4))
	rec := fixture.Receive(rnd, fixture.Matter(catalog.Demo(), "残疾人证核发"), actor, caseflow.FormatNumber("XZ01", workcal.DateOf(when), 1), when)
	acc := fixture.Next(&casefile.Case{ID: rec.CaseID, Version: 1}, caseflow.Accept, actor, when)
	fwd := fixture.Next(&casefile.Case{ID: rec.CaseID, Version: 2}, caseflow.Forward, actor, when)
	req := &syncv1.PushRequest{}
	for _, ch := range []*casefile.Change{rec, acc, fwd} {
		req.Changes = append(req.Changes, wire.ChangeToWire(ch))
	}
	resp, err := station.Push(ctx, connect.NewRequest(req))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resp.Msg.Results {
		if r.Outcome != syncv1.PushResult_OUTCOME_APPLIED {
			t.Fatalf("push: %v %s", r.Outcome, r.MessageEn)
		}
	}

	signIn, err := centralv1connect.NewAuthServiceClient(hs.Client(), hs.URL).SignIn(ctx, connect.NewRequest(&centralv1.SignInRequest{Username: "cl.handler", Password: "Bianmin-2026!"}))
	if err != nil {
		t.Fatalf("sign in as the CLI's user: %v", err)
	}
	review := centralv1connect.NewReviewServiceClient(hs.Client(), hs.URL, connect.WithInterceptors(header("Session "+signIn.Msg.Token)))
	adv := &casefile.Change{ID: uuid.Must(uuid.NewV7()), CaseID: rec.CaseID, Action: caseflow.Advance, At: when,
		Step: &casefile.StepInput{Stage: 0, Department: "cl", Step: catalog.Handle, Approve: true, Opinion: "材料齐全"}}
	if _, err := review.Act(ctx, connect.NewRequest(&centralv1.ActRequest{Change: wire.ChangeToWire(adv)})); err != nil {
		t.Fatalf("act: %v", err)
	}
	if _, err := review.Unmask(ctx, connect.NewRequest(&centralv1.UnmaskRequest{CaseId: rec.CaseID.String(), Reason: "核对身份"})); err != nil {
		t.Fatalf("unmask: %v", err)
	}
	return flowDB{path: db, changes: []uuid.UUID{rec.ID, acc.ID, fwd.ID, adv.ID}}
}

func header(value string) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", value)
			return next(ctx, req)
		}
	}
}

// copyDB copies a closed database (and its WAL, if one is left) into a
// fresh directory.
func copyDB(t *testing.T, from string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), "central.db")
	for _, suffix := range []string{"", "-wal"} {
		data, err := os.ReadFile(from + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to+suffix, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

// tamper runs SQL statements on the file, as someone with the file and a
// SQLite shell would.
func tamper(t *testing.T, db string, stmts ...string) {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range stmts {
		res, err := conn.Exec(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if n, _ := res.RowsAffected(); n == 0 && !strings.HasPrefix(s, "CREATE") {
			t.Fatalf("%s changed nothing", s)
		}
	}
}

// auditRows returns the trail's kinds by seq.
func auditRows(t *testing.T, db string) map[int64]string {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(`SELECT seq, kind FROM audit_log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var seq int64
		var kind string
		if err := rows.Scan(&seq, &kind); err != nil {
			t.Fatal(err)
		}
		out[seq] = kind
	}
	return out
}

// firstOf is the seq of the first audit entry of kind.
func firstOf(t *testing.T, rows map[int64]string, kind string) int64 {
	t.Helper()
	for seq := int64(1); seq <= int64(len(rows)); seq++ {
		if rows[seq] == kind {
			return seq
		}
	}
	t.Fatalf("no audit entry of kind %s in %v", kind, rows)
	return 0
}

func TestAuditVerify(t *testing.T) {
	t.Parallel()
	flow := makeFlow(t)
	// The station and the user created, the enrollment code issued, the
	// catalog published, the device enrolled, the push, the sign-in, the act
	// and the unmask: 9 entries, committing to 4 changes.
	out := mustRun(t, "audit", "verify", "--db", flow.path)
	if !strings.HasPrefix(out, "OK: 9 audit entries chained, 4 case changes committed to") {
		t.Fatalf("audit verify on an intact trail: %q", out)
	}
	rows := auditRows(t, flow.path)
	push, signIn := firstOf(t, rows, "changes"), firstOf(t, rows, "sign_in")
	if push < 2 || signIn < push || int(signIn) >= len(rows) {
		t.Fatalf("unexpected trail layout %v", rows)
	}

	cases := []struct {
		name string
		sql  []string
		want string // the first bad entry, as verify names it
	}{
		{"an entry's detail edited", []string{
			fmt.Sprintf(`UPDATE audit_log SET detail = replace(detail, 'forward', 'refuse') WHERE seq = %d`, push),
		}, fmt.Sprintf("FAIL: audit entry %d edited", push)},
		// Deleting the sign-in breaks the link from the entry after it.
		{"an entry deleted", []string{
			fmt.Sprintf(`DELETE FROM audit_log WHERE seq = %d`, signIn),
		}, fmt.Sprintf("FAIL: audit entry %d deleted", signIn+1)},
		// Two entries' contents swapped in place: each row keeps its seq (the
		// table's key), so the trail reads them in the other order.
		{"two entries swapped", []string{
			`CREATE TEMP TABLE a AS SELECT * FROM audit_log WHERE seq IN (2, 3)`,
			`UPDATE audit_log SET (at, actor, kind, subject, prev, hash, detail) =
				(SELECT at, actor, kind, subject, prev, hash, detail FROM a WHERE a.seq = 5 - audit_log.seq) WHERE seq IN (2, 3)`,
		}, "FAIL: audit entry 2 reordered"},
		// A change's stored body edited: the trail itself still chains, but
		// the change no longer matches the hash its push entry recorded.
		{"a change's body edited", []string{
			fmt.Sprintf(`UPDATE changes SET body = CAST(body || x'00' AS BLOB) WHERE id = '%s'`, flow.changes[1]),
		}, fmt.Sprintf("FAIL: change %s was edited after it was audited", flow.changes[1])},
		{"a change added behind the trail's back", []string{
			fmt.Sprintf(`INSERT INTO changes (id, case_id, origin_station, handling_station, station, case_version, applied_at, received_at, body)
				SELECT '%s', case_id, origin_station, handling_station, station, 99, applied_at, received_at, body FROM changes WHERE id = '%s'`,
				uuid.Must(uuid.NewV7()), flow.changes[0]),
		}, "was never audited"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := copyDB(t, flow.path)
			tamper(t, db, tc.sql...)
			out, err := run(t, "audit", "verify", "--db", db)
			if err == nil || cli.ExitCode(err) != 1 {
				t.Fatalf("verify of a tampered trail: err %v, output %q", err, out)
			}
			if !strings.Contains(out, tc.want) {
				t.Fatalf("verify said %q, want it to name %q", out, tc.want)
			}
		})
	}
}

func TestReportFiles(t *testing.T) {
	t.Parallel()
	flow := makeFlow(t)
	dir := t.TempDir()
	csvPath, xlsxPath := filepath.Join(dir, "figures.csv"), filepath.Join(dir, "figures.xlsx")
	out := mustRun(t, "report", "--db", flow.path, "--month", "2026-03", "--csv", csvPath, "--xlsx", xlsxPath)
	if !strings.Contains(out, "受理量") {
		t.Fatalf("report printed %q", out)
	}

	// The CSV: a header and the station's row. XZ01 accepted the one case
	// in March and closed none.
	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][0] != "分组" || recs[0][1] != "受理量" || recs[0][2] != "办结量" {
		t.Fatalf("CSV %q", recs)
	}
	if recs[1][0] != "青山镇便民服务中心" || recs[1][1] != "1" || recs[1][2] != "0" || recs[2][0] != "合计" || recs[2][1] != "1" {
		t.Errorf("CSV rows %q", recs[1:])
	}

	// The workbook opens and holds the same summary.
	f, err := excelize.OpenFile(xlsxPath)
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(report.SummarySheet)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if len(r) > 1 && r[0] == "青山镇便民服务中心" {
			found = r[1] == "1"
		}
	}
	if !found {
		t.Errorf("the workbook's summary has no row for XZ01 with 1 accepted: %q", rows)
	}
}

// `serve --demo` leaves sample cases from 石桥镇 (XZ02) in the departments'
// inboxes, accepted and forwarded through the push path; a second start on
// the same file adds none.
func TestDemoSeedsSampleCasesOnce(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "central.db")
	var outs []string
	for range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		addrFile := filepath.Join(t.TempDir(), "addr")
		done := make(chan error, 1)
		var out bytes.Buffer
		go func() {
			done <- cli.Main(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--addr-file", addrFile,
				"--demo", "--scan-interval", "0", "--log-level", "error"}, &out, &out)
		}()
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if _, err := os.Stat(addrFile); err == nil {
				break
			}
			select {
			case err := <-done:
				t.Fatalf("serve --demo stopped: %v\n%s", err, out.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatal("serve --demo did not start listening")
			}
		}
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("serve: %v", err)
		}
		outs = append(outs, out.String())
	}
	if !strings.Contains(outs[0], "11 sample cases from XZ02") || strings.Contains(outs[1], "sample cases") {
		t.Fatalf("first start:\n%s\nsecond start:\n%s", outs[0], outs[1])
	}

	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	vs, err := st.PartyVersions(ctx, "XZ02")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 11 {
		t.Fatalf("XZ02 has %d cases at central, want 11", len(vs))
	}
	parallel := 0
	for _, v := range vs {
		c, err := st.Case(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.OriginStation != "XZ02" || c.AcceptedOn.IsZero() || c.DueOn.IsZero() ||
			(c.Status.State != caseflow.UnderReview && c.Status.State != caseflow.ParallelReview) {
			t.Errorf("sample case %s %s: origin %s state %s accepted %s due %s", c.Number, c.Matter.Name, c.OriginStation, c.Status.State, c.AcceptedOn, c.DueOn)
		}
		if c.Status.State == caseflow.ParallelReview {
			parallel++
		}
	}
	if parallel == 0 {
		t.Error("no sample case is in a parallel stage")
	}
}
