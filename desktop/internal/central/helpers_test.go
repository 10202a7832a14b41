package central

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/bianmin/bianmin/desktop/internal/i18n"
)

// harness is the central screens on a test window, signed in at a fake
// central. Background calls run inline, so every tap is complete when it
// returns.
type harness struct {
	t      *testing.T
	f      *fakeCentral
	u      *UI
	w      fyne.Window
	opened []string
	export string
}

func inline(fn func()) { fn() }

// serverURL is the address the tests type; it reaches the fake.
const serverURL = "http://central.test:8700"

func newHarness(t *testing.T, user string) *harness {
	t.Helper()
	t.Setenv("LANG", "C.UTF-8")
	if err := i18n.Use(i18n.Chinese); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	h := &harness{t: t, f: newFakeCentral(t), export: t.TempDir()}
	h.w = test.NewTempWindow(t, nil)
	h.w.Resize(fyne.NewSize(1280, 800))
	// Every address reaches the fake, so the window shows a fixed one.
	addr := h.f.srv.Listener.Addr().String()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
	h.u = Show(fyne.CurrentApp(), h.w, Options{
		ServerURL: serverURL, HTTPClient: hc, Now: func() time.Time { return today }, Do: inline, Go: inline,
		Open: func(p string) error { h.opened = append(h.opened, p); return nil }, TempDir: t.TempDir(), ExportDir: h.export,
	})
	t.Cleanup(h.u.Close)
	if user != "" {
		h.signIn(user)
	}
	return h
}

// signIn signs in as user (every fake user's password is pass1234).
func (h *harness) signIn(user string) {
	h.t.Helper()
	s := h.u.signIn
	if s == nil {
		h.t.Fatal("not on the sign-in screen")
	}
	s.name.SetText("")
	test.Type(s.name, user)
	test.Type(s.password, "pass1234")
	test.Tap(s.submit)
	if h.u.shell == nil {
		h.t.Fatalf("sign-in as %s failed: %s", user, s.err.Text)
	}
	h.u.client.ActBackoff = time.Millisecond
}

// open opens the case with the given sequence number from the inbox.
func (h *harness) open(seq int) *reviewView {
	h.t.Helper()
	c := h.f.caseBySeq(seq)
	in := h.u.shell.inbox
	b := in.open[c.ID.String()]
	if b == nil {
		h.t.Fatalf("case %s is not in the inbox", c.Number)
	}
	test.Tap(b)
	if in.review == nil || in.review.detail == nil {
		h.t.Fatalf("case %s did not open: %s", c.Number, in.review.err.Text)
	}
	return in.review
}

func visibleText(l *widget.Label) string {
	if !l.Visible() {
		return ""
	}
	return l.Text
}
