package syncclient_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/desktop/internal/syncclient"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1/syncv1connect"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/shared/workcal"
)

// serverBin is the real syncserver binary, built once for the package.
var serverBin string

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		os.Exit(runChild(role))
	}
	dir, err := os.MkdirTemp("", "bianmin-syncclient-test")
	if err != nil {
		panic(err)
	}
	serverBin = filepath.Join(dir, "syncserver")
	root, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		panic(err)
	}
	build := exec.Command("go", "build", "-o", serverBin, "./syncserver")
	build.Dir = filepath.Dir(strings.TrimSpace(string(root)))
	if out, err := build.CombinedOutput(); err != nil {
		panic(fmt.Sprintf("building syncserver: %v\n%s", err, out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// central is a syncserver process on a SQLite file, restartable on its port.
type central struct {
	t      *testing.T
	db     string
	addr   string
	env    []string
	args   []string // extra serve flags (e.g. --tls-cert, --scan-interval)
	scheme string   // "http" unless args make it serve TLS
	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{}
}

func startCentral(t *testing.T, env ...string) *central {
	t.Helper()
	return startCentralWith(t, nil, env...)
}

// startCentralWith starts central with extra serve flags; with --tls-cert it
// serves https.
func startCentralWith(t *testing.T, args []string, env ...string) *central {
	t.Helper()
	dir := t.TempDir()
	c := &central{t: t, db: filepath.Join(dir, "central.db"), env: env, args: args, scheme: "http"}
	if slices.Contains(args, "--tls-cert") {
		c.scheme = "https"
	}
	c.admin("station", "create", "--code", "XZ01", "--name", "青山镇便民服务中心", "--level", "township")
	c.admin("station", "create", "--code", "SQ01", "--name", "幸福村便民服务站", "--level", "community", "--parent", "XZ01")
	c.start("127.0.0.1:0")
	t.Cleanup(c.stop)
	return c
}

func (c *central) admin(args ...string) string {
	c.t.Helper()
	cmd := exec.Command(serverBin, args...)
	cmd.Env = append(os.Environ(), "BIANMIN_DB="+c.db)
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.t.Fatalf("syncserver %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// start runs the server on addr and waits until it answers.
func (c *central) start(addr string) {
	c.t.Helper()
	addrFile := filepath.Join(filepath.Dir(c.db), fmt.Sprintf("addr-%d", time.Now().UnixNano()))
	cmd := exec.Command(serverBin, append([]string{"serve", "--db", c.db, "--addr", addr, "--addr-file", addrFile, "--log-level", "error"}, c.args...)...)
	cmd.Env = append(append(os.Environ(), "BIANMIN_DB="+c.db), c.env...)
	cmd.Stdout, cmd.Stderr = nil, os.Stderr
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	c.mu.Lock()
	c.cmd, c.done = cmd, done
	c.mu.Unlock()
	for deadline := time.Now().Add(20 * time.Second); ; {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			c.addr = string(b)
			if conn, err := net.Dial("tcp", c.addr); err == nil {
				conn.Close()
				return
			}
		}
		select {
		case <-done:
			// The port may still be held by the process just killed: retry.
			if time.Now().After(deadline) {
				c.t.Fatalf("syncserver exited at start")
			}
			time.Sleep(100 * time.Millisecond)
			c.start(addr)
			return
		default:
		}
		if time.Now().After(deadline) {
			c.t.Fatal("syncserver did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether the server process is running.
func (c *central) alive() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

func (c *central) kill() {
	c.mu.Lock()
	cmd, done := c.cmd, c.done
	c.mu.Unlock()
	if cmd != nil && cmd.Process != nil {
		cmd.Process.Kill()
		<-done
	}
}

func (c *central) stop() { c.kill() }

func (c *central) url() string { return c.scheme + "://" + c.addr }

// enroll makes a new station store enrolled at central as station code.
func (c *central) enroll(t *testing.T, code string, hc *http.Client) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), code+".db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	otp := c.admin("enroll-code", "--station", code)
	if _, err := syncclient.Enroll(context.Background(), st, syncclient.EnrollOptions{ServerURL: c.url(), Code: otp, DeviceName: "test", HTTPClient: hc}); err != nil {
		t.Fatalf("enroll %s: %v", code, err)
	}
	return st, path
}

func newClient(t *testing.T, st *store.Store, hc *http.Client) *syncclient.Client {
	t.Helper()
	cl, err := syncclient.New(context.Background(), syncclient.Config{Store: st, HTTPClient: hc, MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second, PullWait: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// clerk records realistic work at a station, as the app would.
type clerk struct {
	st    *store.Store
	id    store.Identity
	cat   *catalog.Catalog
	rnd   *rand.Rand
	now   time.Time
	tick  time.Duration
	scans bool
}

func newClerk(st *store.Store, seed uint64) (*clerk, error) {
	ctx := context.Background()
	id, _, err := st.Identity(ctx)
	if err != nil {
		return nil, err
	}
	cat, _, _, err := st.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	return &clerk{st: st, id: id, cat: cat, rnd: rand.New(rand.NewPCG(seed, 7)), now: time.Date(2026, 3, 2, 9, 0, 0, 0, workcal.Shanghai), tick: time.Minute}, nil
}

func mustClerk(t *testing.T, st *store.Store, seed uint64) *clerk {
	t.Helper()
	k, err := newClerk(st, seed)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (k *clerk) actor() casefile.Actor { return fixture.Actor(k.id.Station, k.id.Level) }

func (k *clerk) at() time.Time { k.now = k.now.Add(k.tick); return k.now }

// intake receives a case (a proxy case at a community station) and, where
// the station may, accepts it. With scans, the first material carries a
// 300 KB scan.
func (k *clerk) intake(ctx context.Context, matter string) (*casefile.Case, error) {
	m := fixture.Matter(k.cat, matter)
	at := k.at()
	number, err := k.st.NextCaseNumber(ctx, workcal.DateOf(at))
	if err != nil {
		return nil, err
	}
	ch := fixture.Receive(k.rnd, m, k.actor(), number, at)
	if k.id.Level == catalog.Community && !m.CanAccept(catalog.Community) {
		ch.Intake.Proxy = &casefile.Proxy{AgentUser: "agent", AgentName: "代办员", Authorization: "授权委托书", ForwardTo: k.id.Parent}
	}
	var scans [][]byte
	if k.scans {
		scan := make([]byte, 300_000)
		for i := range scan {
			scan[i] = byte(k.rnd.Uint32())
		}
		att, err := k.st.PutBlob(ctx, scan, "身份证.jpg", "image/jpeg")
		if err != nil {
			return nil, err
		}
		ch.Intake.Materials[0].Attachments = []casefile.Attachment{att}
		scans = append(scans, scan)
	}
	c, err := k.st.Record(ctx, ch, scans...)
	if err != nil {
		return nil, err
	}
	if m.CanAccept(k.id.Level) {
		return k.st.Record(ctx, fixture.Next(c, caseflow.Accept, k.actor(), k.at()))
	}
	return c, nil
}

// tb is what the helpers below need of a test: a *testing.T, or the
// *rapid.T of a property-based test.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}

// centralView reads what central holds for a station, with its credential.
func centralView(t tb, c *central, st *store.Store) map[string]*casefile.Case {
	t.Helper()
	ctx := context.Background()
	id, _, err := st.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cl := syncv1connect.NewSyncServiceClient(http.DefaultClient, c.url(), connect.WithInterceptors(
		connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				req.Header().Set("Authorization", "Bearer "+syncapi.Credential(id.DeviceID, id.Secret))
				return next(ctx, req)
			}
		})))
	out := map[string]*casefile.Case{}
	token := ""
	for {
		r, err := cl.Snapshot(ctx, connect.NewRequest(&syncv1.SnapshotRequest{PageToken: token, PageSize: 1000}))
		if err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		for _, w := range r.Msg.Cases {
			cs, err := wire.CaseFromWire(w)
			if err != nil {
				t.Fatal(err)
			}
			out[cs.ID.String()] = cs
		}
		if token = r.Msg.NextPageToken; token == "" {
			return out
		}
	}
}

// localCases returns every case the station holds with its local copy.
func localCases(t tb, st *store.Store) map[string]store.CaseView {
	t.Helper()
	ctx := context.Background()
	// The list gives at most 1000 rows a page (the long kill test makes
	// about 2000 cases): page through it, in a stable order.
	var rows []store.CaseRow
	total := 0
	for {
		page, n, err := st.ListCases(ctx, store.Filter{Sort: "number", Limit: 1000, Offset: len(rows)})
		if err != nil {
			t.Fatal(err)
		}
		rows, total = append(rows, page...), n
		if len(page) == 0 || len(rows) >= total {
			break
		}
	}
	if total != len(rows) {
		t.Fatalf("list: %d rows of %d", len(rows), total)
	}
	out := map[string]store.CaseView{}
	for _, r := range rows {
		v, err := st.Case(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[r.ID.String()] = v
	}
	return out
}

// tally compares a station with central after a full sync: a case the
// station holds that central lacks (or holds at another version) is lost;
// a case central holds that the station does not, or a case number central
// holds twice, is duplicated.
type tally struct{ local, central, lost, duplicated int }

func compare(t *testing.T, c *central, st *store.Store) tally {
	t.Helper()
	loc := localCases(t, st)
	cen := centralView(t, c, st)
	var n tally
	n.local, n.central = len(loc), len(cen)
	for id, v := range loc {
		cc, ok := cen[id]
		if !ok || v.Case == nil || v.Confirmed == nil || cc.Version != v.Case.Version || cc.Version != v.Confirmed.Version {
			n.lost++
			if n.lost <= 3 {
				t.Logf("lost: %s local=%v central=%v", id, v.Case != nil, ok)
			}
		}
	}
	numbers := map[string]int{}
	for id, cc := range cen {
		numbers[cc.Number]++
		if _, ok := loc[id]; !ok {
			n.duplicated++
		}
	}
	for num, k := range numbers {
		if k > 1 {
			n.duplicated += k - 1
			t.Logf("number %s held %d times", num, k)
		}
	}
	return n
}

// syncUntilClean runs SyncNow until a cycle succeeds with nothing pending.
func syncUntilClean(t *testing.T, cl *syncclient.Client) {
	t.Helper()
	ctx := context.Background()
	var err error
	for range 50 {
		if err = cl.SyncNow(ctx); err == nil && cl.Status().Pending == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("sync never came clean: %v (status %+v)", err, cl.Status())
}

// report prints a proof's counts where CI logs show them.
func report(name string, kv ...any) {
	var b strings.Builder
	fmt.Fprintf(&b, "PROOF %s", name)
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, " %v=%v", kv[i], kv[i+1])
	}
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(w, b.String())
	w.Flush()
}
