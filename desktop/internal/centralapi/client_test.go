package centralapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bianmin/bianmin/desktop/internal/centralapi"
	"github.com/bianmin/bianmin/shared/bmerr"
)

func TestNormalizeURL(t *testing.T) {
	for in, want := range map[string]string{
		"192.168.1.10:8700":         "http://192.168.1.10:8700",
		" https://central.gov.cn/ ": "https://central.gov.cn",
		"":                          "",
		"ftp://x":                   "",
	} {
		got, err := centralapi.NormalizeURL(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
}

// A server without the central API (an older syncserver) gets a message
// that says so, not a raw 404.
func TestServerWithoutTheCentralAPI(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	c, err := centralapi.New(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SignIn(t.Context(), "wangli", "pass1234")
	if bmerr.ReasonOf(err) != centralapi.ReasonUnimplemented || bmerr.CodeOf(err) != bmerr.Unavailable {
		t.Fatalf("got %v", err)
	}
	if c.SignedIn() {
		t.Error("signed in")
	}
}

func TestSignInNeedsBothFieldsAndAServer(t *testing.T) {
	c, err := centralapi.New("127.0.0.1:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(t.Context(), " ", "x"); bmerr.ReasonOf(err) != "credentials_missing" {
		t.Errorf("blank name: %v", err)
	}
	if _, err := c.SignIn(t.Context(), "wangli", "pass1234"); bmerr.CodeOf(err) != bmerr.Unavailable || bmerr.ReasonOf(err) != "network" {
		t.Errorf("no server: %v", err)
	}
	if _, err := c.Unmask(t.Context(), "id", " "); bmerr.ReasonOf(err) != "unmask_reason" {
		t.Errorf("unmask without a reason: %v", err)
	}
}
