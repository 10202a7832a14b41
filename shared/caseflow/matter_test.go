package caseflow_test

import (
	"strings"
	"testing"

	"github.com/bianmin/bianmin/shared/bmerr"
	cf "github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
)

const (
	C = catalog.Community
	T = catalog.Township
	K = catalog.Central // county
)

func matter(name string, h catalog.HandlingType, accept, decide, proxy []catalog.Level) *catalog.Matter {
	return &catalog.Matter{Code: "M-" + name, Name: name, NameEn: "en " + name, Handling: h,
		Levels: catalog.Levels{Accept: accept, Decide: decide, Proxy: proxy}}
}

func lv(ls ...catalog.Level) []catalog.Level { return ls }

var (
	// 城乡居民养老保险参保登记: township or station, decided at central, on the spot.
	pension = matter("城乡居民养老保险参保登记", catalog.OnTheSpot, lv(T, K), lv(K), lv(C))
	// 社保卡申领: devolved to the township, on the spot.
	card = matter("社保卡申领", catalog.OnTheSpot, lv(T), lv(T, K), lv(C))
	// 特困人员认定: accepted and decided at the township, promised-time.
	destitute = matter("特困人员认定", catalog.Promised, lv(T), lv(T), nil)
	// 居住登记: the community station itself accepts and decides.
	residence = matter("居住登记", catalog.OnTheSpot, lv(C), lv(C), nil)
	// 居住证申领: station collects, central police accept and decide.
	permit = matter("居住证申领", catalog.Forwarded, lv(K), lv(K), lv(C, T))
)

func TestCheckMatter(t *testing.T) {
	for _, tc := range []struct {
		name   string
		m      *catalog.Matter
		action cf.Action
		level  catalog.Level
		reason string // "" for allowed
	}{
		{"receive where accepted", pension, cf.Receive, T, ""},
		{"receive by proxy", pension, cf.Receive, C, ""},
		{"receive nowhere listed", destitute, cf.Receive, C, "matter_level"},
		{"accept at township", pension, cf.Accept, T, ""},
		{"community may not accept", pension, cf.Accept, C, "matter_level"},
		{"community accepts its own matter", residence, cf.Accept, C, ""},
		{"close on spot where decided", card, cf.CloseOnSpot, T, ""},
		{"close on spot, not decided here", pension, cf.CloseOnSpot, T, "matter_level"},
		{"close on spot, promised-time matter", destitute, cf.CloseOnSpot, T, "not_on_the_spot"},
		{"grant devolved", destitute, cf.Grant, T, ""},
		{"grant not devolved", pension, cf.Grant, T, "matter_level"},
		{"refuse at central", pension, cf.Refuse, K, ""},
		{"return at central, decided at township", destitute, cf.ReturnForSupplement, K, "matter_level"},
		{"suspend devolved", destitute, cf.Suspend, T, ""},
		{"resume not devolved", pension, cf.Resume, T, "matter_level"},
		{"extend at township", destitute, cf.Extend, T, ""},
		{"extend at central, decided at township", destitute, cf.Extend, K, "matter_level"},
		{"forward from township", pension, cf.Forward, T, ""},
		{"forward from central's window into review", permit, cf.Forward, K, ""},
		{"forward what the township decides", card, cf.Forward, T, "matter_level"},
		{"forward what central does not decide", destitute, cf.Forward, T, "matter_level"},
		{"forward at central, not decided there", residence, cf.Forward, K, "matter_level"},
		{"other actions not checked", destitute, cf.Deliver, C, ""},
		{"withdraw not checked", permit, cf.Withdraw, C, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := cf.CheckMatter(tc.m, tc.action, tc.level)
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if bmerr.ReasonOf(err) != tc.reason {
				t.Fatalf("error %v (reason %q), want reason %q", err, bmerr.ReasonOf(err), tc.reason)
			}
			wantCode := bmerr.PermissionDenied
			if tc.reason == "not_on_the_spot" {
				wantCode = bmerr.FailedPrecondition
			}
			if bmerr.CodeOf(err) != wantCode {
				t.Errorf("code %s, want %s", bmerr.CodeOf(err), wantCode)
			}
			zh := bmerr.Message(err, "zh")
			if !strings.Contains(zh, "“"+tc.m.Name+"”") {
				t.Errorf("message %q does not name the matter", zh)
			}
			if tc.reason == "matter_level" && !strings.Contains(zh, cf.LevelLabel(tc.level, "zh")) {
				t.Errorf("message %q does not name the level", zh)
			}
			if en := bmerr.Message(err, "en"); !strings.Contains(en, tc.m.NameEn) {
				t.Errorf("English message %q does not name the matter", en)
			}
		})
	}
	if err := cf.CheckMatter(card, cf.Accept, C); bmerr.Message(err, "zh") != "事项“社保卡申领”不能在村/社区受理。" {
		t.Errorf("message: %q", bmerr.Message(err, "zh"))
	}
	if err := cf.CheckMatter(nil, cf.Accept, T); bmerr.CodeOf(err) != bmerr.Internal {
		t.Errorf("nil matter: %v", err)
	}
}

func TestRouteFor(t *testing.T) {
	for _, tc := range []struct {
		name   string
		m      *catalog.Matter
		origin catalog.Level
		want   cf.Route
	}{
		{"station case climbs to the township", pension, C, cf.Route{AcceptAt: T, DecideAt: K}},
		{"township accepts, central decides", pension, T, cf.Route{AcceptAt: T, DecideAt: K}},
		{"devolved: township decides", card, C, cf.Route{AcceptAt: T, DecideAt: T}},
		{"lowest deciding level wins", card, T, cf.Route{AcceptAt: T, DecideAt: T}},
		{"community's own matter", residence, C, cf.Route{AcceptAt: C, DecideAt: C}},
		{"station case skips the township", permit, C, cf.Route{AcceptAt: K, DecideAt: K}},
		{"township case goes to central", permit, T, cf.Route{AcceptAt: K, DecideAt: K}},
		{"decide below acceptance is ignored", matter("x", catalog.Promised, lv(K), lv(T), nil), T, cf.Route{AcceptAt: K, DecideAt: K}},
		{"nobody above accepts: central", residence, T, cf.Route{AcceptAt: K, DecideAt: K}},
		{"no levels at all: central", matter("y", catalog.Promised, nil, nil, nil), C, cf.Route{AcceptAt: K, DecideAt: K}},
		{"unknown origin: central", card, "province", cf.Route{AcceptAt: K, DecideAt: K}},
		{"nil matter: central", nil, C, cf.Route{AcceptAt: K, DecideAt: K}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cf.RouteFor(tc.m, tc.origin); got != tc.want {
				t.Errorf("RouteFor = %+v, want %+v", got, tc.want)
			}
		})
	}
}
