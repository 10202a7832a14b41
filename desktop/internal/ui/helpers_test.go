package ui

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/bianmin/bianmin/desktop/internal/desk"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
	"github.com/bianmin/bianmin/desktop/internal/store"
	"github.com/bianmin/bianmin/desktop/internal/syncclient"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/ident"
	"github.com/bianmin/bianmin/shared/passwd"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/google/uuid"
)

func init() {
	// Sign-in tests hash passwords often; the parameters are read back from
	// each hash, so cheap ones exercise the same code.
	passwd.Default = passwd.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// thursday is 12 Feb 2026 10:00 in China, the worked example of domain.md §4.
var thursday = time.Date(2026, 2, 12, 10, 0, 0, 0, workcal.Shanghai)

// fakeSyncer stands in for the sync client: tests set its status.
type fakeSyncer struct {
	mu     sync.Mutex
	status syncclient.Status
	kicks  int
	cfg    syncclient.Config
}

func (f *fakeSyncer) Run(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
func (f *fakeSyncer) Kick()                         { f.mu.Lock(); f.kicks++; f.mu.Unlock() }
func (f *fakeSyncer) SyncNow(context.Context) error { return nil }
func (f *fakeSyncer) Status() syncclient.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

// set reports a status the way the real client does.
func (f *fakeSyncer) set(s syncclient.Status) {
	f.mu.Lock()
	f.status = s
	f.mu.Unlock()
	f.cfg.OnStatus(s)
}

func (f *fakeSyncer) kicked() int { f.mu.Lock(); defer f.mu.Unlock(); return f.kicks }

// harness is a station app on a test window.
type harness struct {
	t      *testing.T
	u      *UI
	w      fyne.Window
	st     *store.Store
	sync   *fakeSyncer
	opened []string // files the app asked the system to open
}

type setup struct {
	level    catalog.Level
	enrolled bool
	users    bool
}

func newHarness(t *testing.T, s setup) *harness {
	t.Helper()
	t.Setenv("LANG", "C.UTF-8")
	if err := i18n.Use(i18n.Chinese); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	st, err := store.Open(filepath.Join(t.TempDir(), "station.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &harness{t: t, st: st, sync: &fakeSyncer{}}
	if s.level == "" {
		s.level = catalog.Township
	}
	if s.enrolled {
		enroll(t, st, s.level)
	}
	if s.users {
		if _, err := desk.CreateUser(context.Background(), st, s.level, desk.NewUser{Name: "wangli", DisplayName: "王丽",
			Role: desk.DefaultRole(s.level), Admin: true, Password: "pass1234", Password2: "pass1234"}); err != nil {
			t.Fatal(err)
		}
	}
	h.w = test.NewTempWindow(t, nil)
	h.w.Resize(fyne.NewSize(1280, 800))
	u, err := New(fyne.CurrentApp(), h.w, Options{
		Store: st, PrintDir: t.TempDir(), Now: func() time.Time { return thursday },
		NewSyncer: func(_ context.Context, cfg syncclient.Config) (Syncer, error) { h.sync.cfg = cfg; return h.sync, nil },
		Open:      func(p string) error { h.opened = append(h.opened, p); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	h.u = u
	return h
}

func enroll(t testing.TB, st *store.Store, level catalog.Level) store.Identity {
	t.Helper()
	id := store.Identity{Station: "XZ01", StationName: "青山镇便民服务中心", Level: level, DeviceID: uuid.NewString(),
		Secret: "secret", ServerURL: "http://127.0.0.1:8700", EnrolledAt: thursday}
	if level == catalog.Community {
		id.Station, id.StationName, id.Parent = "SQ01", "青山镇幸福村便民服务站", "XZ01"
	}
	ctx := context.Background()
	if err := st.SaveIdentity(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveCatalog(ctx, 1, catalog.DemoJSON(), workcal.BuiltinJSON()); err != nil {
		t.Fatal(err)
	}
	return id
}

// signIn signs in as the harness's user.
func (h *harness) signIn() {
	h.t.Helper()
	if h.u.signIn == nil {
		h.t.Fatal("not on the sign-in screen")
	}
	test.Type(h.u.signIn.name, "wangli")
	test.Type(h.u.signIn.password, "pass1234")
	test.Tap(h.u.signIn.submit)
	if h.u.shell == nil {
		h.t.Fatalf("sign-in failed: %s", h.u.signIn.err.Text)
	}
}

var _ = caseflow.Accept

func identCheckChar(first17 string) (byte, error) { return ident.ResidentIDCheckChar(first17) }

type syncclientConfig = syncclient.Config

func authDefault() passwd.Params  { return passwd.Default }
func restoreAuth(p passwd.Params) { passwd.Default = p }
func useProductionAuth() {
	passwd.Default = passwd.Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}
}
