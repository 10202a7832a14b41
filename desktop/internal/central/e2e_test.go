package central

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/bianmin/bianmin/desktop/internal/centralapi"
	"github.com/bianmin/bianmin/desktop/internal/desk"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/desktop/internal/syncclient"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/passwd"
	"github.com/google/uuid"
)

var (
	serverOnce sync.Once
	serverBin  string
	serverErr  error
)

// buildServer builds the real syncserver once for the package's tests, as
// syncclient's harness does.
func buildServer(t *testing.T) string {
	t.Helper()
	serverOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bianmin-central-test")
		if err != nil {
			serverErr = err
			return
		}
		serverBin = filepath.Join(dir, "syncserver")
		root, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			serverErr = err
			return
		}
		build := exec.Command("go", "build", "-o", serverBin, "./syncserver")
		build.Dir = filepath.Dir(strings.TrimSpace(string(root)))
		if out, err := build.CombinedOutput(); err != nil {
			serverErr = fmt.Errorf("building syncserver: %v\n%s", err, out)
		}
	})
	if serverErr != nil {
		t.Fatal(serverErr)
	}
	return serverBin
}

// realCentral is a syncserver process on a fresh database.
type realCentral struct {
	t   *testing.T
	bin string
	db  string
	url string
}

func (c *realCentral) cli(args ...string) (string, error) {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = append(os.Environ(), "BIANMIN_DB="+c.db)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func (c *realCentral) must(args ...string) string {
	c.t.Helper()
	out, err := c.cli(args...)
	if err != nil {
		c.t.Fatalf("syncserver %v: %v\n%s", args, err, out)
	}
	return out
}

func (c *realCentral) serve() {
	t := c.t
	addrFile := filepath.Join(filepath.Dir(c.db), "addr")
	cmd := exec.Command(c.bin, "serve", "--db", c.db, "--addr", "127.0.0.1:0", "--addr-file", addrFile, "--log-level", "error")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); ; {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			if conn, err := net.Dial("tcp", string(b)); err == nil {
				conn.Close()
				c.url = "http://" + string(b)
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("syncserver did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// End to end against the real syncserver: a township station takes in and
// accepts a case offline and syncs it up; a 民政 handler and approver, each
// signed in through these screens, finish the handle step and grant it;
// the station pulls the decision and delivers the result, and central
// holds the case closed.
//
// The central staff API and `syncserver user create` are being written
// alongside these screens; until they land the test says so and skips.
func TestEndToEndReviewerGrantsAStationsCase(t *testing.T) {
	c := &realCentral{t: t, bin: buildServer(t), db: filepath.Join(t.TempDir(), "central.db")}
	c.must("station", "create", "--code", "XZ01", "--name", "青山镇便民服务中心", "--level", "township")
	c.serve()

	// The station: enrolled while online, then takes the case in offline
	// (no sync client runs yet) and accepts and forwards it.
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "station.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	id, err := syncclient.Enroll(ctx, st, syncclient.EnrollOptions{ServerURL: c.url, Code: c.must("enroll-code", "--station", "XZ01"), DeviceName: "e2e"})
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	old := passwd.Default
	passwd.Default = passwd.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	t.Cleanup(func() { passwd.Default = old })
	clerk, err := desk.CreateUser(ctx, st, id.Level, desk.NewUser{Name: "liqing", DisplayName: "李青", Role: caseflow.Clerk, Password: "qingshan2026", Password2: "qingshan2026"})
	if err != nil {
		t.Fatal(err)
	}
	session := &desk.Session{Store: st, Identity: id, User: clerk}
	cat, _, _, err := st.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var matter *catalog.Matter
	for i := range cat.Matters {
		if cat.Matters[i].Name == "高龄津贴" { // 乡→县民政: handle, then approve
			matter = &cat.Matters[i]
		}
	}
	if matter == nil {
		t.Fatal("the station's catalog has no 高龄津贴")
	}
	d := desk.NewDraft(matter)
	d.Applicant = casefile.Applicant{Kind: casefile.Person, Name: "张秀英", IDNumber: "11010519491231002X", Phone: "13812345678", Address: "青山镇幸福村3组12号"}
	for _, m := range matter.Materials {
		d.Receive(m.Code, true)
	}
	res, err := session.Submit(ctx, d, desk.OutcomeAccept, desk.IntakeInput{})
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	caseID := res.Case.ID
	if _, err := session.Act(ctx, caseID, caseflow.Forward, nil); err != nil {
		t.Fatalf("forward: %v", err)
	}
	sc, err := syncclient.New(ctx, syncclient.Config{Store: st, MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second, PullWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	syncUntil(t, sc, st, caseID, "the forwarded case to reach central", func(v store.CaseView) bool {
		return v.SyncState == store.CaseSynced && v.Confirmed != nil && v.Confirmed.Status.State == caseflow.UnderReview
	})

	// Central: the reviewers exist and central serves the staff API.
	pwFile := filepath.Join(t.TempDir(), "password")
	const password = "mz-review-2026"
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, role string }{{"mz-handler", "handler"}, {"mz-approver", "approver"}} {
		out, err := c.cli("user", "create", "--username", u.name, "--role", u.role, "--department", "mz", "--password-file", pwFile)
		if err != nil && strings.Contains(out, "unknown command") {
			t.Skipf("syncserver has no `user create` command yet (%s); the rest of this test runs once it lands", lastLine(out))
		}
		if err != nil {
			t.Fatalf("user create %s: %v\n%s", u.name, err, out)
		}
	}
	probe, err := centralapi.New(c.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := probe.SignIn(t.Context(), "mz-handler", password); bmerr.ReasonOf(err) == centralapi.ReasonUnimplemented {
		t.Skip("syncserver does not serve the central staff API (bianmin.central.v1) yet: it answers Unimplemented; the rest of this test runs once it lands")
	} else if err != nil {
		t.Fatalf("sign-in probe: %v", err)
	}

	// Central: the handler and the approver, through the screens.
	if err := i18n.Use(i18n.Chinese); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1280, 800))
	h := &harness{t: t, w: w}
	h.u = Show(fyne.CurrentApp(), w, Options{ServerURL: c.url, Do: inline, Go: inline, TempDir: t.TempDir(), ExportDir: t.TempDir()})
	t.Cleanup(h.u.Close)
	review := func(user string, action caseflow.Action, fill func(*actionForm)) {
		t.Helper()
		s := h.u.signIn
		s.name.SetText(user)
		s.password.SetText(password)
		test.Tap(s.submit)
		if h.u.shell == nil {
			t.Fatalf("%s cannot sign in: %s", user, s.err.Text)
		}
		in := h.u.shell.inbox
		open := in.open[caseID.String()]
		if open == nil {
			t.Fatalf("%s's inbox does not list the case (%d items; %s)", user, len(in.items), in.err.Text)
		}
		test.Tap(open)
		r := in.review
		b := r.actions[action]
		if b == nil {
			t.Fatalf("%s is not offered %s (actions %v; %s)", user, action, r.detail.Actions, r.err.Text)
		}
		test.Tap(b)
		if fill != nil {
			fill(r.form)
		}
		f := r.form
		test.Tap(f.confirm)
		if r.sent != 1 {
			t.Fatalf("%s %s: %s", user, action, f.err.Text)
		}
		h.u.signOut()
	}
	review("mz-handler", caseflow.Advance, func(f *actionForm) { test.Type(f.opinion, "经核实，申请人年满八十周岁。") })
	review("mz-approver", caseflow.Grant, nil)

	// The station receives the decision and delivers the result.
	syncUntil(t, sc, st, caseID, "the decision to reach the station", func(v store.CaseView) bool {
		return v.Confirmed != nil && v.Confirmed.Status.State == caseflow.Decided && v.Confirmed.Status.Result == caseflow.Granted
	})
	if _, err := session.Act(ctx, caseID, caseflow.Deliver, func(ch *casefile.Change) {
		ch.Delivery = &casefile.Delivery{Method: casefile.AtWindow}
	}); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	syncUntil(t, sc, st, caseID, "the delivery to reach central", func(v store.CaseView) bool {
		return v.SyncState == store.CaseSynced && v.Confirmed != nil && v.Confirmed.Status.State == caseflow.Closed
	})
}

// syncUntil runs sync cycles until the station's copy of the case passes ok.
func syncUntil(t *testing.T, sc *syncclient.Client, st *store.Store, id uuid.UUID, what string, ok func(store.CaseView) bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := sc.SyncNow(context.Background())
		v, verr := st.Case(context.Background(), id)
		if verr == nil && ok(v) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (last sync error %v, case %+v)", what, err, v.SyncState)
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			time.Sleep(200 * time.Millisecond)
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
