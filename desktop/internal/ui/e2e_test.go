package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1/syncv1connect"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/shared/wire"
)

// serverBin is the real syncserver, built once for the package's tests.
var serverBin string

func TestMain(m *testing.M) {
	os.Setenv("LANG", "C.UTF-8")
	dir, err := os.MkdirTemp("", "bianmin-ui-test")
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

// demoServer runs `syncserver serve --demo` on a free port and returns its
// URL and the demo stations' enrollment codes.
func demoServer(t *testing.T) (string, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	addrFile, codesFile := filepath.Join(dir, "addr"), filepath.Join(dir, "codes.json")
	cmd := exec.Command(serverBin, "serve", "--db", filepath.Join(dir, "central.db"), "--addr", "127.0.0.1:0",
		"--addr-file", addrFile, "--demo", "--demo-codes", codesFile, "--log-level", "error")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			if c, err := net.Dial("tcp", string(b)); err == nil {
				c.Close()
				var codes []struct{ Station, Code string }
				data, err := os.ReadFile(codesFile)
				if err != nil || json.Unmarshal(data, &codes) != nil {
					t.Fatalf("demo codes: %v", err)
				}
				out := map[string]string{}
				for _, c := range codes {
					out[c.Station] = c.Code
				}
				return "http://" + string(b), out
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("syncserver did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pump runs the UI work the background goroutines handed back, on the test
// goroutine, until done reports true.
func pump(t *testing.T, queue chan func(), what string, done func() bool) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for !done() {
		select {
		case fn := <-queue:
			fn()
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// End to end: a fresh station enrolls through the first-run screen against a
// real syncserver, creates its first user, takes in and accepts a case at
// the window, syncs in the background, and central holds the case.
func TestEndToEndIntakeReachesCentral(t *testing.T) {
	url, codes := demoServer(t)
	if err := i18n.Use(i18n.Chinese); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	st, err := store.Open(filepath.Join(t.TempDir(), "station.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	queue := make(chan func(), 1024)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1280, 800))
	u, err := New(fyne.CurrentApp(), w, Options{Store: st, PrintDir: t.TempDir(), Open: func(string) error { return nil },
		Do: func(fn func()) { queue <- fn }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		// Close stops the sync loop; its last status reports queue up
		// meanwhile and are dropped.
		go func() {
			for range queue {
			}
		}()
		u.Close()
	}()

	e := u.enroll
	if e == nil {
		t.Fatal("a fresh station should start at enrollment")
	}
	test.Type(e.server, "127.0.0.1:1") // nothing listens there
	test.Type(e.code, codes["XZ01"])
	test.Tap(e.submit)
	pump(t, queue, "the unreachable-server message", func() bool { return e.err.Visible() })
	if !strings.Contains(e.err.Text, "无法连接中心服务器") {
		t.Errorf("unreachable server: %q", e.err.Text)
	}
	e.server.SetText(url)
	e.code.SetText("AAAA-BBBB-CCCC")
	test.Tap(e.submit)
	pump(t, queue, "the unknown-code message", func() bool { return e.err.Visible() && !strings.Contains(e.err.Text, "无法连接") })
	if !strings.Contains(e.err.Text, "注册码无效") {
		t.Errorf("unknown code: %q", e.err.Text)
	}
	e.code.SetText(codes["XZ01"])
	test.Tap(e.submit)
	pump(t, queue, "enrollment", func() bool { return u.first != nil })

	f := u.first
	test.Type(f.name, "wangli")
	test.Type(f.displayName, "王丽")
	test.Type(f.password, "qingshan2026")
	test.Type(f.password2, "qingshan2026")
	test.Tap(f.submit)
	if u.shell == nil {
		t.Fatalf("first user: %s", f.err.Text)
	}

	in := u.shell.intake
	test.Type(in.search, "ylbx")
	in.search.OnSubmitted(in.search.Text)
	test.Type(in.name, "张秀英")
	test.Type(in.idNumber, "11010519491231002X")
	test.Type(in.phone, "13812345678")
	for _, r := range in.materials {
		test.Tap(r.received)
	}
	test.Tap(in.buttons["accept"])
	c := in.last.Case
	if c == nil || c.Status.State != caseflow.Accepted {
		t.Fatalf("accept: %q", in.err.Text)
	}

	pump(t, queue, "the case to sync", func() bool {
		s := u.syncer.Status()
		return s.Online && s.Pending == 0 && !s.LastSync.IsZero()
	})
	pump(t, queue, "the status bar", func() bool { return strings.Contains(u.shell.status.pending.Text, "待同步 0") })

	held := centralCases(t, url, st)
	got, ok := held[c.ID.String()]
	if !ok {
		t.Fatalf("central does not hold case %s (holds %d)", c.Number, len(held))
	}
	if got.Number != c.Number || got.Status.State != caseflow.Accepted || got.DueOn != c.DueOn || got.Version != c.Version {
		t.Errorf("central holds %s %s due %s v%d; station %s %s due %s v%d",
			got.Number, got.Status.State, got.DueOn, got.Version, c.Number, c.Status.State, c.DueOn, c.Version)
	}
	v, err := st.Case(context.Background(), c.ID)
	if err != nil || v.SyncState != store.CaseSynced || v.Confirmed == nil {
		t.Errorf("station copy: %v %+v", err, v.SyncState)
	}
}

// centralCases reads what central holds for the station, with its credential.
func centralCases(t *testing.T, url string, st *store.Store) map[string]*casefile.Case {
	t.Helper()
	id, _, err := st.Identity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cl := syncv1connect.NewSyncServiceClient(http.DefaultClient, url, connect.WithInterceptors(
		connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				req.Header().Set("Authorization", "Bearer "+syncapi.Credential(id.DeviceID, id.Secret))
				return next(ctx, req)
			}
		})))
	out := map[string]*casefile.Case{}
	token := ""
	for {
		r, err := cl.Snapshot(context.Background(), connect.NewRequest(&syncv1.SnapshotRequest{PageToken: token, PageSize: 1000}))
		if err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		for _, w := range r.Msg.Cases {
			c, err := wire.CaseFromWire(w)
			if err != nil {
				t.Fatal(err)
			}
			out[c.ID.String()] = c
		}
		if token = r.Msg.NextPageToken; token == "" {
			return out
		}
	}
}
