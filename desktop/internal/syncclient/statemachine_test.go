package syncclient_test

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/desktop/internal/syncclient"
	"github.com/bianmin/bianmin/shared/bmerr"
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
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"pgregory.net/rapid"
)

// TestSyncStateMachine is the property-based proof: rapid draws random
// sequences of what clerks, networks and power cuts do to three stations (a
// township, its community station, which files proxy cases for it, and an
// unrelated second township) syncing with one real central process, and
// after every step the stations are checked against a simple model of what
// was recorded. Each check gets fresh stations (new codes, new devices, new
// store files) on the same central, so the checks are independent.
//
// Steps: file a case (a proxy case at the community station, sometimes with
// a scan); act on a case the station holds (any action casefile.Apply allows
// on its local copy: accept, request or register a supplement, reject the
// intake, forward, close on the spot, grant, refuse, return, suspend, resume,
// deliver, withdraw, rate), on any case or on a proxy case, where the two
// parties meet; sync, cleanly or with faults (dropped requests, lost replies,
// duplicated requests, stale pushes replayed first); have the network
// deliver an old push late; turn a station's network off or on; crash a
// station between steps, or in the middle of a sync right after its n-th
// request reached central; settle.
//
// The model knows every change a station recorded successfully (Record
// returned nil), the case it belongs to, and whether it was recorded
// concurrently with another station's change on the same proxy case (the
// recording station had not seen the other change yet, or the other station
// had not seen this one): only such "contested" changes, and changes a
// station recorded on top of a contested change it still had queued, may be
// rejected by central. After every step:
//
//   - no outbox holds a change the model does not know;
//   - every change the model has for a station is in its store, as its own,
//     queued exactly while unacknowledged (nothing lost locally);
//   - a rejected change is one the model predicted could be, refused for the
//     case's state (never for authority or form, which Record checked);
//   - a station holds only cases it is party to, and every case it filed.
//
// After a settle step (faults off, network on, every station synced until
// clean in a drawn order, and the first of the two parties of proxy cases
// once more), and at the end of every check:
//
//   - nothing is pending (outbox, sync summary and file agree), and every
//     recorded change is synced or (if contested) rejected;
//   - no client ever needed a full resync: the digests always agreed;
//   - for every station, central's copy of each of its cases (the Snapshot
//     RPC, with the station's credential) equals the station's confirmed
//     copy and its local copy, at the same version; central holds exactly the
//     cases the model says the station is party to (none lost, none
//     duplicated, none foreign), so the township holds every proxy case its
//     community filed;
//   - every case number is held by one case only at central;
//   - each case's version is the number of its changes central applied
//     (every applied change counted once, plus central's own workflow
//     follow-ups), each party's history holds every applied change, and
//     folding those changes in central's log order with casefile.Apply gives
//     central's copy exactly.
func TestSyncStateMachine(t *testing.T) {
	checks := iterations(20, 100)
	steps := 30
	if !testing.Short() {
		steps = 50
	}
	restore := rapidDefaults(t, checks, steps)
	defer restore()

	c := startCentralWith(t, []string{"--scan-interval", "0"}) // no clock-driven warnings: versions move only by what the test does
	run := &smRun{c: c, dir: t.TempDir(), admin: newAdminAPI(t, c), reasons: map[string]int{}}
	// Each station starts from a copy of an empty store with its schema in
	// place: migrating a new file for each of hundreds of stations is what
	// made the run slow under the race detector.
	run.template = filepath.Join(run.dir, "template.db")
	tpl, err := store.Open(run.template)
	if err != nil {
		t.Fatal(err)
	}
	if err := tpl.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(run.template + "-wal"); err == nil {
		t.Fatal("the template store kept a WAL after Close")
	}
	start := time.Now()
	rapid.Check(t, func(rt *rapid.T) {
		m := run.newMachine(rt)
		defer m.close()
		rt.Repeat(map[string]func(*rapid.T){
			"intake":         m.intake,
			"act":            func(rt *rapid.T) { m.act(rt, false) },
			"act_on_proxy":   func(rt *rapid.T) { m.act(rt, true) },
			"sync":           m.sync,
			"sync_faulty":    m.syncFaulty,
			"replay_stale":   m.replayStale,
			"network":        m.network,
			"crash":          m.crash,
			"crash_mid_sync": m.crashMidSync,
			"settle":         m.settleStep,
			"":               m.check,
		})
		m.settle(rt) // every check ends with everything verified
		m.checkSettled(rt)
		m.finish()
	})
	n := &run.n
	seed := flag.Lookup("rapid.seed").Value.String()
	if seed == "0" {
		seed = "random"
	}
	var reasons []string
	for r, k := range run.reasons {
		reasons = append(reasons, fmt.Sprintf("%s:%d", r, k))
	}
	slices.Sort(reasons)
	report("sync_state_machine", "checks", n.checks.Load(), "steps", n.steps.Load(), "seed", seed,
		"cases", n.cases.Load(), "changes", n.changes.Load(), "syncs", n.syncs.Load(), "failed_syncs", n.failedSyncs.Load(),
		"settles", n.settles.Load(), "faults", n.netFaults.Load()+n.lateReplays.Load()+n.midSync.Load(), "dropped_requests", n.dropped.Load(), "lost_replies", n.lostReplies.Load(),
		"duplicated_requests", n.dupRequests.Load(), "stale_replays", n.staleReplays.Load(), "late_replays", n.lateReplays.Load(), "network_off", n.netOff.Load(),
		"crashes", n.crashes.Load(), "crashes_mid_sync", n.midSync.Load(), "contested", n.contested.Load(), "rejected", n.rejected.Load(), "rejected_reasons", strings.Join(reasons, ","),
		"resyncs", n.resyncs.Load(), "lost", n.lost.Load(), "duplicated", n.duplicated.Load(), "seconds", int(time.Since(start).Seconds()))
	if n.lost.Load() != 0 || n.duplicated.Load() != 0 {
		t.Fatalf("lost %d, duplicated %d", n.lost.Load(), n.duplicated.Load())
	}
}

// rapidDefaults sets rapid's number of checks and average steps (undoing its
// own division in short mode) and a fixed seed, unless they were given on
// the command line (-rapid.checks, -rapid.steps, -rapid.seed) or in RAPID_*
// variables. It returns a function restoring the previous values.
func rapidDefaults(t *testing.T, checks, steps int) func() {
	t.Helper()
	given := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { given[f.Name] = true })
	want := map[string]string{"rapid.seed": "20260302"}
	div := 1
	if testing.Short() {
		div = 5 // rapid runs a fifth of the checks in short mode…
	}
	want["rapid.checks"] = strconv.Itoa(checks * div)
	div = 1
	if testing.Short() {
		div = 2 // …and half the steps
	}
	want["rapid.steps"] = strconv.Itoa(steps * div)
	env := map[string]string{"rapid.seed": "RAPID_SEED", "rapid.checks": "RAPID_CHECKS", "rapid.steps": "RAPID_STEPS"}
	if _, ok := os.LookupEnv("BIANMIN_PROOF_ITERATIONS"); ok {
		// an explicit number of iterations wins over RAPID_CHECKS
		delete(env, "rapid.checks")
	}
	old := map[string]string{}
	for name, v := range want {
		if _, ok := os.LookupEnv(env[name]); given[name] || (env[name] != "" && ok) {
			continue
		}
		f := flag.Lookup(name)
		if f == nil {
			t.Fatalf("rapid has no flag %s", name)
		}
		old[name] = f.Value.String()
		if err := flag.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		for name, v := range old {
			flag.Set(name, v)
		}
	}
}

// smCounts are the totals over every check, printed in the PROOF line.
type smCounts struct {
	checks, steps, cases, changes, syncs, failedSyncs, settles               atomic.Int64
	netFaults, dropped, lostReplies, dupRequests, staleReplays, lateReplays  atomic.Int64
	netOff, crashes, midSync, contested, rejected, lost, duplicated, resyncs atomic.Int64
}

// smRun is what the checks share: one central, and an admin session that
// creates each check's stations.
type smRun struct {
	c        *central
	dir      string
	template string // an empty, migrated store file
	admin    *adminAPI
	seq      atomic.Int64
	n        smCounts
	reasons  map[string]int // why central rejected the contested changes it rejected
}

// adminAPI creates stations and enrollment codes through central's admin
// service, which is quicker than running the admin command for each.
type adminAPI struct {
	cl centralv1connect.AdminServiceClient
}

func newAdminAPI(t *testing.T, c *central) *adminAPI {
	t.Helper()
	pw := filepath.Join(t.TempDir(), "password")
	const password = "state-machine-admin-2026"
	if err := os.WriteFile(pw, []byte(password), 0o600); err != nil {
		t.Fatal(err)
	}
	c.admin("user", "create", "--username", "smadmin", "--name", "状态机测试管理员", "--role", "admin", "--password-file", pw)
	ctx := context.Background()
	auth := centralv1connect.NewAuthServiceClient(http.DefaultClient, c.url())
	r, err := auth.SignIn(ctx, connect.NewRequest(&centralv1.SignInRequest{Username: "smadmin", Password: password}))
	if err != nil {
		t.Fatalf("admin sign-in: %v", err)
	}
	token := r.Msg.Token
	return &adminAPI{cl: centralv1connect.NewAdminServiceClient(http.DefaultClient, c.url(), connect.WithInterceptors(
		connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				req.Header().Set("Authorization", "Session "+token)
				return next(ctx, req)
			}
		})))}
}

// station creates a station and returns a one-time enrollment code for it.
func (a *adminAPI) station(code, name string, level catalog.Level, parent string) (string, error) {
	ctx := context.Background()
	if _, err := a.cl.CreateStation(ctx, connect.NewRequest(&centralv1.CreateStationRequest{
		Station: &syncv1.Station{Code: code, Name: name, Level: string(level), Parent: parent}})); err != nil {
		return "", fmt.Errorf("create station %s: %w", code, err)
	}
	r, err := a.cl.IssueEnrollCode(ctx, connect.NewRequest(&centralv1.IssueEnrollCodeRequest{Station: code}))
	if err != nil {
		return "", fmt.Errorf("enrollment code for %s: %w", code, err)
	}
	return r.Msg.Code, nil
}

// crashTransport lets a sync die at a chosen request: that request reaches
// central, and the station "dies" before reading the reply; every later
// request fails, as nothing is left to send it.
type crashTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	left int // requests to pass before the crash; < 0: never crash
	dead bool
}

func (c *crashTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	dead, crash := c.dead, c.left == 0
	if c.left > 0 {
		c.left--
	}
	if crash {
		c.dead = true
	}
	c.mu.Unlock()
	if dead {
		return nil, errCut
	}
	resp, err := c.next.RoundTrip(req)
	if crash {
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return nil, errCut
	}
	return resp, err
}

func (c *crashTransport) arm(n int) {
	c.mu.Lock()
	c.left, c.dead = n, false
	c.mu.Unlock()
}

func (c *crashTransport) crashed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dead
}

// Station roles in a check.
const (
	township  = iota // T: files its own cases, decides devolved matters, handles C's proxy cases
	community        // C: files proxy cases for T, and cases it may accept itself
	other            // U: a second township, which must never see T's or C's cases
)

var roleNames = []string{"township", "community", "other"}

// smStation is one station of a check: its store file, the store and sync
// client of the current "process", and the network it sits behind.
type smStation struct {
	role  int
	code  string
	level catalog.Level
	path  string
	st    *store.Store
	cl    *syncclient.Client
	net   *faultyTransport // the network: it outlives crashes (stale pushes and all)
	crash *crashTransport  // the process's own connection: replaced at each restart
	k     *clerk
	dead  []*store.Store // stores of crashed "processes", never closed until the check ends
	raw   *sql.DB        // the test's own read-only view of the file, for the checks
}

// rawChange is one change row as the file holds it.
type rawChange struct {
	caseID        uuid.UUID
	origin, state string
	code, reason  string
	msg           string
	queued        bool // has an outbox entry
	body          []byte
	serverSeq     int64 // position in central's log, once known
}

// scan reads every change and every case id from the station's file in one
// snapshot, with the test's own connection: one query per step instead of
// one per case, and a view that does not go through the store's code.
func (s *smStation) scan(t *rapid.T) (map[uuid.UUID]rawChange, map[uuid.UUID]bool) {
	tx, err := s.raw.BeginTx(ctxBG, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctxBG, `SELECT c.id, c.case_id, c.origin, c.state, c.code, c.reason, c.message_en, o.seq IS NOT NULL, c.body,
			COALESCE(c.server_seq, 0)
		FROM changes c LEFT JOIN outbox o ON o.seq = c.seq`)
	if err != nil {
		t.Fatal(err)
	}
	changes := map[uuid.UUID]rawChange{}
	for rows.Next() {
		var id, caseID string
		var r rawChange
		if err := rows.Scan(&id, &caseID, &r.origin, &r.state, &r.code, &r.reason, &r.msg, &r.queued, &r.body, &r.serverSeq); err != nil {
			t.Fatal(err)
		}
		r.caseID = uuid.MustParse(caseID)
		changes[uuid.MustParse(id)] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows, err = tx.QueryContext(ctxBG, `SELECT id FROM cases`)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[uuid.UUID]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		cases[uuid.MustParse(id)] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return changes, cases
}

// mChange is a change the model knows a station recorded.
type mChange struct {
	id      uuid.UUID
	caseID  uuid.UUID
	station int
	action  caseflow.Action
	// contested: recorded while another station's change on the same case
	// was unknown to this station, or unknown to the other station, or on
	// top of a contested change still queued here. Only these may be rejected.
	contested bool
}

// mCase is a case the model knows: who filed it, who else handles it.
type mCase struct {
	id       uuid.UUID
	number   string
	origin   int
	handling int // == origin unless it is a proxy case
	changes  []*mChange
}

func (c *mCase) party(role int) bool { return c.origin == role || c.handling == role }

type machine struct {
	run      *smRun
	stations []*smStation
	cases    map[uuid.UUID]*mCase
	order    []*mCase // in filing order
	changes  map[uuid.UUID]*mChange
	clock    time.Time
	steps    int
	rejected map[uuid.UUID]string // changes central rejected (each a contested one), with the reason
	resyncs  int                  // full resyncs after a digest mismatch, by clients that crashed since
	touched  map[int]bool         // stations whose store the last step may have changed
}

var ctxBG = context.Background()

func (r *smRun) newMachine(t *rapid.T) *machine {
	m := &machine{run: r, cases: map[uuid.UUID]*mCase{}, changes: map[uuid.UUID]*mChange{}, rejected: map[uuid.UUID]string{}, touched: map[int]bool{township: true, community: true, other: true},
		clock: time.Date(2026, 3, 2, 9, 0, 0, 0, workcal.Shanghai)}
	n := r.seq.Add(1)
	codes := []string{fmt.Sprintf("T%d", n), fmt.Sprintf("C%d", n), fmt.Sprintf("U%d", n)}
	levels := []catalog.Level{catalog.Township, catalog.Community, catalog.Township}
	parents := []string{"", codes[township], ""}
	for role := range 3 {
		otp, err := r.admin.station(codes[role], "状态机"+roleNames[role]+codes[role], levels[role], parents[role])
		if err != nil {
			t.Fatal(err)
		}
		s := &smStation{role: role, code: codes[role], level: levels[role], path: filepath.Join(r.dir, codes[role]+".db")}
		tpl, err := os.ReadFile(r.template)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(s.path, tpl, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := store.Open(s.path)
		if err != nil {
			t.Fatal(err)
		}
		s.st = st
		if s.raw, err = sql.Open("sqlite", s.path+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)"); err != nil {
			t.Fatal(err)
		}
		m.stations = append(m.stations, s)
		if _, err := syncclient.Enroll(ctxBG, st, syncclient.EnrollOptions{ServerURL: r.c.url(), Code: otp, DeviceName: codes[role]}); err != nil {
			t.Fatalf("enroll %s: %v", codes[role], err)
		}
		s.net = newFaulty(rapid.Uint64().Draw(t, "net_seed_"+roleNames[role]))
		k, err := newClerk(st, rapid.Uint64().Draw(t, "clerk_seed_"+roleNames[role]))
		if err != nil {
			t.Fatal(err)
		}
		s.k = k
		m.startProcess(t, s)
	}
	r.n.checks.Add(1)
	return m
}

// startProcess makes the station's client, as the app does when it starts.
func (m *machine) startProcess(t *rapid.T, s *smStation) {
	s.crash = &crashTransport{next: s.net, left: -1}
	// Batches of 2: a round of several goes by PushStream.
	cl, err := syncclient.New(ctxBG, syncclient.Config{Store: s.st, HTTPClient: &http.Client{Transport: s.crash},
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	s.cl = cl
}

// restart is a crash: the client and the store are dropped as they are (no
// Close, nothing flushed by hand) and the store is opened again from its
// file, so only what the store committed survives.
func (m *machine) restart(t *rapid.T, s *smStation) {
	m.resyncs += s.cl.Status().Resyncs
	s.dead = append(s.dead, s.st)
	st, err := store.Open(s.path)
	if err != nil {
		t.Fatalf("%s: reopen after crash: %v", s.code, err)
	}
	s.st, s.k.st = st, st
	m.startProcess(t, s)
	m.run.n.crashes.Add(1)
}

func (m *machine) close() {
	for _, s := range m.stations {
		if s.raw != nil {
			s.raw.Close()
		}
		for _, st := range s.dead {
			st.Close()
		}
		if s.st != nil {
			s.st.Close()
		}
	}
}

// finish adds the check's counts to the run's.
func (m *machine) finish() {
	n := &m.run.n
	for _, s := range m.stations {
		s.net.countsMu.Lock()
		d, l, u, r := s.net.counts["request dropped"], s.net.counts["reply lost"], s.net.counts["request duplicated"], s.net.counts["stale push replayed"]
		s.net.countsMu.Unlock()
		n.dropped.Add(int64(d))
		n.lostReplies.Add(int64(l))
		n.dupRequests.Add(int64(u))
		n.staleReplays.Add(int64(r))
		n.netFaults.Add(int64(d + l + u + r))
	}
	for _, s := range m.stations {
		m.resyncs += s.cl.Status().Resyncs
	}
	n.resyncs.Add(int64(m.resyncs))
	n.steps.Add(int64(m.steps))
	n.cases.Add(int64(len(m.cases)))
	n.changes.Add(int64(len(m.changes)))
	n.rejected.Add(int64(len(m.rejected)))
	for _, reason := range m.rejected {
		m.run.reasons[reason]++
	}
	for _, ch := range m.changes {
		if ch.contested {
			n.contested.Add(1)
		}
	}
}

func (m *machine) at() time.Time {
	m.clock = m.clock.Add(time.Minute)
	return m.clock
}

// station draws the station a step acts on (and marks it for checking).
func (m *machine) station(t *rapid.T, roles ...int) *smStation {
	if len(roles) == 0 {
		roles = []int{township, community, other}
	}
	s := m.stations[rapid.SampledFrom(roles).Draw(t, "station")]
	m.touched[s.role] = true
	return s
}

// matters each level files: devolved and on-the-spot matters a township
// decides, one it forwards to central, the community's proxy matter and
// two it accepts itself (one closed on the spot, one forwarded).
var smMatters = map[catalog.Level][]string{
	catalog.Township:  {dibao, "社保卡申领/补换", zhaijidi},
	catalog.Community: {zhaijidi, zhaijidi, "居住登记", "居住证申领"},
}

// intake files a new case at a station; at the community station a matter
// it may not accept becomes a proxy case for its township.
func (m *machine) intake(t *rapid.T) {
	m.doIntake(t, m.station(t))
}

func (m *machine) doIntake(t *rapid.T, s *smStation) {
	m.steps++
	name := rapid.SampledFrom(smMatters[s.level]).Draw(t, "matter")
	mat := fixture.Matter(s.k.cat, name)
	at := m.at()
	number, err := s.st.NextCaseNumber(ctxBG, workcal.DateOf(at))
	if err != nil {
		t.Fatal(err)
	}
	ch := fixture.Receive(s.k.rnd, mat, s.k.actor(), number, at)
	handling := s.role
	if s.level == catalog.Community && !mat.CanAccept(catalog.Community) {
		ch.Intake.Proxy = &casefile.Proxy{AgentUser: "agent", AgentName: "代办员", Authorization: "授权委托书", ForwardTo: s.k.id.Parent}
		handling = township
	}
	var scans [][]byte
	if rapid.IntRange(0, 3).Draw(t, "scan") == 0 { // a small scan now and then: uploads under faults too
		scan := make([]byte, 20_000+rapid.IntRange(0, 300_000).Draw(t, "scan_size"))
		for i := range scan {
			scan[i] = byte(s.k.rnd.Uint32())
		}
		att, err := s.st.PutBlob(ctxBG, scan, "身份证.jpg", "image/jpeg")
		if err != nil {
			t.Fatal(err)
		}
		ch.Intake.Materials[0].Attachments = []casefile.Attachment{att}
		scans = append(scans, scan)
	}
	if _, err := s.st.Record(ctxBG, ch, scans...); err != nil {
		t.Fatalf("%s: intake of %s refused: %v", s.code, name, err)
	}
	mc := &mCase{id: ch.CaseID, number: number, origin: s.role, handling: handling}
	m.cases[mc.id] = mc
	m.order = append(m.order, mc)
	m.addChange(mc, &mChange{id: ch.ID, caseID: ch.CaseID, station: s.role, action: ch.Action})
}

func (m *machine) addChange(mc *mCase, ch *mChange) {
	mc.changes = append(mc.changes, ch)
	m.changes[ch.id] = ch
}

// followUps are the station actions the test draws from; each gets the
// payload its action needs.
var followUps = []caseflow.Action{
	caseflow.Accept, caseflow.RequestSupplement, caseflow.Supplement, caseflow.RejectIntake, caseflow.Forward,
	caseflow.CloseOnSpot, caseflow.Grant, caseflow.Refuse, caseflow.ReturnForSupplement, caseflow.Suspend,
	caseflow.Resume, caseflow.Deliver, caseflow.Withdraw, caseflow.Rate,
}

func followUp(c *casefile.Case, a caseflow.Action, actor casefile.Actor, at time.Time) *casefile.Change {
	ch := fixture.Next(c, a, actor, at)
	mat := c.Matter.Materials[0]
	switch a {
	case caseflow.RequestSupplement, caseflow.ReturnForSupplement:
		ch.Notice = &casefile.Notice{Items: []casefile.MissingItem{{Material: mat.Code, Name: mat.Name, Note: "复印件不清晰，请补交"}}}
	case caseflow.Supplement:
		ch.Materials = []casefile.MaterialRecord{{Code: mat.Code, Received: true, Original: mat.Originals > 0, Copies: mat.Copies}}
	case caseflow.RejectIntake:
		ch.Notice = &casefile.Notice{Reasons: []string{"申请事项不属于本机关职权范围"}, Remedies: []string{"可依法申请行政复议或提起行政诉讼"}}
	case caseflow.Refuse:
		ch.Decision = &casefile.Decision{Reasons: []string{"家庭收入超过当地最低生活保障标准"}, Remedies: []string{"可依法申请行政复议或提起行政诉讼"}}
	case caseflow.Suspend:
		if len(c.Matter.SpecialProcedures) > 0 {
			ch.Suspension = &casefile.Suspension{Procedure: c.Matter.SpecialProcedures[0], ExpectedDays: 7}
		}
	case caseflow.Deliver:
		ch.Delivery = &casefile.Delivery{Method: casefile.AtWindow}
	case caseflow.Withdraw:
		ch.Note = "申请人申请撤回"
	case caseflow.Rate:
		ch.Rating = &casefile.Rating{Level: 5}
	}
	return ch
}

// act records a follow-up on a case the station holds: one of the actions
// casefile.Apply accepts on the station's local copy right now (the same
// check Record makes). With proxy, only proxy cases (and only the township
// and the community station, the two parties) are drawn from.
func (m *machine) act(t *rapid.T, proxy bool) {
	var s *smStation
	if proxy {
		s = m.station(t, township, community)
	} else {
		s = m.station(t)
	}
	rows, _, err := s.st.ListCases(ctxBG, store.Filter{Sort: "number", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	cat, cal, _, err := s.st.Catalog(ctxBG)
	if err != nil {
		t.Fatal(err)
	}
	env := casefile.Env{Catalog: cat, Calendar: cal}
	at := m.at()
	type option struct {
		c  *casefile.Case
		ch *casefile.Change
	}
	// A drawn case, or the next one (in number order) that has something to
	// do: every action casefile.Apply accepts on the local copy is an option.
	var options []option
	first := 0
	if len(rows) > 0 {
		first = rapid.IntRange(0, len(rows)-1).Draw(t, "case")
	}
	for i := range rows {
		v, err := s.st.Case(ctxBG, rows[(first+i)%len(rows)].ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Case == nil || (proxy && v.Case.HandlingStation == v.Case.OriginStation) {
			continue
		}
		for _, a := range followUps {
			ch := followUp(v.Case, a, s.k.actor(), at)
			dry := *v.Case
			if casefile.Apply(&dry, ch, env) == nil {
				options = append(options, option{v.Case, ch})
			}
		}
		if len(options) > 0 {
			break
		}
	}
	if len(options) == 0 {
		// Nothing to do on what this station holds: file a case instead, so
		// that the step is never wasted (rapid ends a run that skips often).
		if proxy {
			s = m.stations[community]
			m.touched[community] = true
		}
		m.doIntake(t, s)
		return
	}
	m.steps++
	pick := options[rapid.IntRange(0, len(options)-1).Draw(t, "action")]
	ch := pick.ch
	mc := m.cases[ch.CaseID]
	if mc == nil {
		t.Fatalf("%s holds case %s (%s), which no station of this check filed", s.code, pick.c.Number, ch.CaseID)
	}
	before, err := s.st.Outbox(ctxBG, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.st.Record(ctxBG, ch); err != nil {
		t.Fatalf("%s: Record refused %s on %s, which Apply accepted on the same copy: %v", s.code, ch.Action, pick.c.Number, err)
	}
	mch := &mChange{id: ch.ID, caseID: ch.CaseID, station: s.role, action: ch.Action}
	// Concurrency: another station's change on this case that this station
	// has not seen, in either direction, makes both contested.
	hist, err := s.st.History(ctxBG, ch.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	known := map[uuid.UUID]bool{}
	for _, h := range hist {
		known[h.ChangeID] = true
	}
	for _, o := range mc.changes {
		if o.station != s.role && !known[o.id] {
			o.contested, mch.contested = true, true
		}
	}
	// Built on a contested change of this station that central has not
	// answered yet: it stands or falls with it.
	for _, it := range before {
		if o := m.changes[it.ChangeID]; o != nil && o.caseID == ch.CaseID && o.contested {
			mch.contested = true
		}
	}
	m.addChange(mc, mch)
}

// sync runs one sync cycle at a station. Without faults, and with the
// network on, it must succeed.
func (m *machine) sync(t *rapid.T) { m.doSync(t, false) }

// syncFaulty runs one sync cycle at a station with faults drawn for it:
// dropped requests, lost replies, duplicated requests and stale pushes
// replayed out of order.
func (m *machine) syncFaulty(t *rapid.T) { m.doSync(t, true) }

func (m *machine) doSync(t *rapid.T, faults bool) {
	m.steps++
	s := m.station(t)
	if faults {
		s.net.mu.Lock()
		s.net.dropRequest = rapid.SampledFrom([]float64{0, 0.1, 0.3}).Draw(t, "drop_request")
		s.net.dropReply = rapid.SampledFrom([]float64{0, 0.2, 0.5}).Draw(t, "drop_reply")
		s.net.duplicate = rapid.SampledFrom([]float64{0, 0.2, 0.5}).Draw(t, "duplicate")
		s.net.replayOld = rapid.SampledFrom([]float64{0, 0.3, 0.7}).Draw(t, "replay_old")
		if s.net.dropRequest+s.net.dropReply+s.net.duplicate+s.net.replayOld == 0 {
			s.net.dropReply = 0.5
		}
		s.net.mu.Unlock()
	}
	// Under faults the station tries again, as its backoff loop would, up to
	// three times.
	for range 3 {
		err := s.cl.SyncNow(ctxBG)
		m.run.n.syncs.Add(1)
		if err == nil {
			break
		}
		m.run.n.failedSyncs.Add(1)
		if !faults && !s.net.down.Load() {
			t.Fatalf("%s: a sync without faults failed: %v", s.code, err)
		}
		if !faults {
			break
		}
	}
	m.quiet(s)
}

func (m *machine) quiet(s *smStation) {
	s.net.mu.Lock()
	s.net.dropRequest, s.net.dropReply, s.net.duplicate, s.net.replayOld = 0, 0, 0, 0
	s.net.mu.Unlock()
}

// replayStale has the network deliver, late and out of band, a push a
// station sent earlier (with the station's credential, as the original
// carried it). Nobody reads the answer. Central must answer it from its
// record of each change and change nothing.
func (m *machine) replayStale(t *rapid.T) {
	m.steps++
	s := m.station(t)
	s.net.mu.Lock()
	// Unary pushes only: a stream that failed part way reached central
	// only in part, and its late replay may rightly apply the rest.
	old := slices.Clone(s.net.old[syncv1connect.SyncServicePushProcedure])
	s.net.mu.Unlock()
	if len(old) == 0 {
		return
	}
	body := old[rapid.IntRange(0, len(old)-1).Draw(t, "stale_push")]
	req, err := http.NewRequest(http.MethodPost, m.run.c.url()+syncv1connect.SyncServicePushProcedure, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/proto")
	req.Header.Set("Connect-Protocol-Version", "1")
	req.Header.Set("Authorization", "Bearer "+syncapi.Credential(s.k.id.DeviceID, s.k.id.Secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: a stale push replayed late: HTTP %d %s", s.code, resp.StatusCode, data)
	}
	var r syncv1.PushResponse
	if err := proto.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	for _, res := range r.Results {
		if res.Outcome == syncv1.PushResult_OUTCOME_APPLIED {
			// Every replayed body reached central before (dropped requests
			// are not kept for replay), so nothing in it is new.
			t.Fatalf("%s: a stale push applied change %s again", s.code, res.ChangeId)
		}
	}
	m.run.n.lateReplays.Add(1)
}

// network turns a station's network off or on.
func (m *machine) network(t *rapid.T) {
	m.steps++
	s := m.station(t)
	down := !s.net.down.Load()
	s.net.down.Store(down)
	if down {
		m.run.n.netOff.Add(1)
	}
}

// crash kills a station between two actions.
func (m *machine) crash(t *rapid.T) {
	m.steps++
	m.restart(t, m.station(t))
}

// crashMidSync kills a station in the middle of a sync, right after its
// n-th request reached central and before the reply was read.
func (m *machine) crashMidSync(t *rapid.T) {
	m.steps++
	s := m.station(t)
	s.crash.arm(rapid.IntRange(0, 8).Draw(t, "crash_after_requests"))
	_ = s.cl.SyncNow(ctxBG)
	m.run.n.syncs.Add(1)
	if s.crash.crashed() {
		m.run.n.midSync.Add(1)
		m.restart(t, s)
		return
	}
	s.crash.arm(-1) // the sync ended before the chosen request
}

func (m *machine) settleStep(t *rapid.T) {
	m.steps++
	m.settle(t)
	m.checkSettled(t)
}

// settle turns faults off, the network on, and syncs every station until
// nothing is pending, in a drawn order; then the first of the township and
// its community station syncs again, to pull what the second pushed after
// its turn. (The second township shares no case with them.)
func (m *machine) settle(t *rapid.T) {
	m.run.n.settles.Add(1)
	for _, s := range m.stations {
		m.touched[s.role] = true
		m.quiet(s)
		s.net.down.Store(false)
		s.crash.arm(-1)
	}
	order := rapid.Permutation([]int{township, community, other}).Draw(t, "settle_order")
	for _, i := range order {
		if i != other {
			order = append(order, i) // the first of the two parties goes again
			break
		}
	}
	for _, i := range order {
		s := m.stations[i]
		var err error
		for range 5 {
			err = s.cl.SyncNow(ctxBG)
			m.run.n.syncs.Add(1)
			if err == nil && s.cl.Status().Pending == 0 {
				break
			}
		}
		if err != nil || s.cl.Status().Pending != 0 {
			t.Fatalf("%s: never synced clean without faults: %v (status %+v)", s.code, err, s.cl.Status())
		}
	}
}

// check holds after every step. It reads the station's file directly (one
// snapshot of every change and case); checkSettled also checks the store's
// own Outbox and SyncSummary. A step changes one station's store (a settle
// all of them), and only that station can break an invariant, so only the
// stations the step touched are read again.
func (m *machine) check(t *rapid.T) {
	for _, s := range m.stations {
		if !m.touched[s.role] {
			continue
		}
		delete(m.touched, s.role)
		rows, held := s.scan(t)
		for id, r := range rows {
			if r.queued && (m.changes[id] == nil || m.changes[id].station != s.role) {
				t.Fatalf("%s: the outbox holds change %s (case %s), which the model does not know for this station", s.code, id, r.caseID)
			}
			if r.origin == "local" && (m.changes[id] == nil || m.changes[id].station != s.role) {
				t.Fatalf("%s: holds change %s as its own, which it never recorded", s.code, id)
			}
		}
		// Every change the station recorded is in its store, as its own,
		// queued exactly while central has not acknowledged it.
		for _, mc := range m.order {
			for _, ch := range mc.changes {
				if ch.station != s.role {
					continue
				}
				r, ok := rows[ch.id]
				if !ok || r.origin != "local" || r.caseID != ch.caseID {
					t.Fatalf("%s: lost its own %s change %s on case %s (found %v, origin %q)", s.code, ch.action, ch.id, mc.number, ok, r.origin)
				}
				unacked := r.state == store.StatePending || r.state == store.StateSent || r.state == store.StateDeferred
				if unacked != r.queued {
					t.Fatalf("%s: change %s is %s but queued=%v", s.code, ch.id, r.state, r.queued)
				}
				if r.state == store.StateRejected && !ch.contested {
					t.Fatalf("%s: central rejected %s on case %s (%s: %s), which no other station contested", s.code, ch.action, mc.number, r.reason, r.msg)
				}
				// A conflict is refused for the case's state, never for the
				// station's authority or the change's form: those Record
				// checked already, with the same Apply.
				if r.state == store.StateRejected && r.code != string(bmerr.FailedPrecondition) && r.code != string(bmerr.Conflict) {
					t.Fatalf("%s: central rejected %s on case %s with %s/%s: %s", s.code, ch.action, mc.number, r.code, r.reason, r.msg)
				}
			}
		}
		// The station holds only cases it is party to, and every case it filed.
		for id := range held {
			if mc := m.cases[id]; mc == nil || !mc.party(s.role) {
				t.Fatalf("%s holds case %s, which it is not party to", s.code, id)
			}
		}
		for _, mc := range m.order {
			if mc.origin == s.role && !held[mc.id] {
				t.Fatalf("%s lost case %s it filed", s.code, mc.number)
			}
		}
	}
}

// checkSettled holds after a settle step.
func (m *machine) checkSettled(t *rapid.T) {
	n := &m.run.n
	state := map[uuid.UUID]string{} // each recorded change's state at its station
	files := make([]map[uuid.UUID]rawChange, len(m.stations))
	for i, s := range m.stations {
		if st := s.cl.Status(); st.Pending != 0 {
			t.Fatalf("%s: %d changes pending after settling", s.code, st.Pending)
		}
		// Faults, crashes and conflicts never make the digests differ: a
		// full resync would mean the incremental sync lost its way.
		if r := s.cl.Status().Resyncs; r != 0 || m.resyncs != 0 {
			t.Fatalf("%s: %d full resyncs after a digest mismatch (%d before its last restart)", s.code, r, m.resyncs)
		}
		files[i], _ = s.scan(t)
		for id, r := range files[i] {
			if r.origin == "local" {
				state[id] = r.state
			}
			if r.queued {
				t.Fatalf("%s: change %s still queued after settling", s.code, id)
			}
		}
		out, err := s.st.Outbox(ctxBG, 1000)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := s.st.SyncSummary(ctxBG)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 0 || sum.Pending+sum.Sent+sum.Deferred != 0 {
			t.Fatalf("%s: after settling, outbox %d, summary %+v", s.code, len(out), sum)
		}
	}
	for id, ch := range m.changes {
		switch state[id] {
		case store.StateSynced:
		case store.StateRejected:
			if !ch.contested {
				t.Fatalf("uncontested change %s (%s) rejected", id, ch.action)
			}
		default:
			t.Fatalf("change %s (%s) of %s is %q after settling", id, ch.action, m.stations[ch.station].code, state[id])
		}
	}

	numbers := map[string]uuid.UUID{}
	seen := map[uuid.UUID]*casefile.Case{}
	for _, s := range m.stations {
		loc := localCases(t, s.st)
		cen := centralView(t, m.run.c, s.st)
		for _, mc := range m.order {
			if !mc.party(s.role) {
				continue
			}
			id := mc.id.String()
			v, okL := loc[id]
			cc, okC := cen[id]
			if !okC || !okL || v.Case == nil || v.Confirmed == nil {
				n.lost.Add(1)
				t.Fatalf("%s: case %s: local %v (copy %v, confirmed %v), at central %v", s.code, mc.number, okL, okL && v.Case != nil, okL && v.Confirmed != nil, okC)
			}
			if cc.Version != v.Confirmed.Version || cc.Version != v.Case.Version {
				n.lost.Add(1)
				t.Fatalf("%s: case %s at central v%d, confirmed v%d, local v%d", s.code, mc.number, cc.Version, v.Confirmed.Version, v.Case.Version)
			}
			w := wire.CaseToWire(cc)
			if !proto.Equal(w, wire.CaseToWire(v.Confirmed)) || !proto.Equal(w, wire.CaseToWire(v.Case)) {
				t.Fatalf("%s: case %s: central's copy, the confirmed copy and the local copy differ:\ncentral   %v\nconfirmed %v\nlocal     %v",
					s.code, mc.number, w, wire.CaseToWire(v.Confirmed), wire.CaseToWire(v.Case))
			}
			if o, ok := seen[mc.id]; ok && !proto.Equal(wire.CaseToWire(o), w) {
				t.Fatalf("case %s: central shows its two parties different copies", mc.number)
			}
			seen[mc.id] = cc
			// Exactly once: the version counts every change central applied
			// (each recorded change not rejected, and central's own
			// follow-ups), and the party's history holds them all.
			inHist := map[uuid.UUID]bool{}
			system := 0
			var log []rawChange // what central applied, as this party knows it
			for id, r := range files[s.role] {
				if r.caseID != mc.id {
					continue
				}
				inHist[id] = true
				if r.origin == "remote" || r.state == store.StateSynced {
					log = append(log, r)
				}
				if r.origin == "remote" {
					w := &syncv1.Change{}
					if err := proto.Unmarshal(r.body, w); err != nil {
						t.Fatal(err)
					}
					if w.GetActor().GetLevel() == string(catalog.Central) {
						system++
					}
				}
			}
			// Central's copy is exactly the fold of the changes it applied,
			// in its log's order, by the one Apply every side runs.
			slices.SortFunc(log, func(a, b rawChange) int { return cmp.Compare(a.serverSeq, b.serverSeq) })
			cat, cal, _, err := s.st.Catalog(ctxBG) // the catalog is never republished here: central's too
			if err != nil {
				t.Fatal(err)
			}
			fold := &casefile.Case{}
			for _, r := range log {
				w := &syncv1.Change{}
				if err := proto.Unmarshal(r.body, w); err != nil {
					t.Fatal(err)
				}
				ch, err := wire.ChangeFromWire(w)
				if err != nil {
					t.Fatal(err)
				}
				if r.serverSeq == 0 {
					t.Fatalf("%s: case %s: applied change %s has no place in central's log", s.code, mc.number, ch.ID)
				}
				if err := casefile.Apply(fold, ch, casefile.Env{Catalog: cat, Calendar: cal}); err != nil {
					t.Fatalf("%s: case %s: central's log does not fold: %s at %d: %v", s.code, mc.number, ch.Action, r.serverSeq, err)
				}
			}
			if !proto.Equal(wire.CaseToWire(fold), w) {
				t.Fatalf("%s: case %s: central's copy is not the fold of its log:\ncentral %v\nfold    %v", s.code, mc.number, w, wire.CaseToWire(fold))
			}
			applied := 0
			for _, ch := range mc.changes {
				if state[ch.id] == store.StateSynced {
					applied++
					if !inHist[ch.id] {
						t.Fatalf("%s: case %s: applied %s change %s of %s missing from the history", s.code, mc.number, ch.action, ch.id, m.stations[ch.station].code)
					}
				}
			}
			if cc.Version != int64(applied+system) {
				if cc.Version > int64(applied+system) {
					n.duplicated.Add(1)
				} else {
					n.lost.Add(1)
				}
				t.Fatalf("%s: case %s at v%d, but %d station changes and %d of central's were applied", s.code, mc.number, cc.Version, applied, system)
			}
		}
		for id, cc := range cen {
			mc := m.cases[uuid.MustParse(id)]
			if mc == nil || !mc.party(s.role) {
				n.duplicated.Add(1)
				t.Fatalf("%s: central holds case %s for it, which the model does not know for this station", s.code, cc.Number)
			}
			if other, ok := numbers[cc.Number]; ok && other != cc.ID {
				n.duplicated.Add(1)
				t.Fatalf("case number %s is held by two cases at central", cc.Number)
			}
			numbers[cc.Number] = cc.ID
		}
		if len(loc) != len(cen) {
			t.Fatalf("%s: %d cases locally, %d at central", s.code, len(loc), len(cen))
		}
	}
	for id, ch := range m.changes {
		if state[id] == store.StateRejected {
			m.rejected[id] = files[ch.station][id].reason
		}
	}
}
