package caseflow_test

import (
	"errors"
	"testing"

	"github.com/bianmin/bianmin/shared/bmerr"
	cf "github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
)

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{
		"XQ01-20260212-0001", "ZX-20250105-12345", "XQ01-20260230-0001",
		"XQ01-20260212-01234", "xq-20260212-0001", "", "---", "A1-00000101-0001",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		station, day, seq, err := cf.ParseNumber(s)
		if err != nil {
			if bmerr.CodeOf(err) != bmerr.Invalid {
				t.Fatalf("ParseNumber(%q): %v is not Invalid", s, err)
			}
			return
		}
		if got := cf.FormatNumber(station, day, seq); got != s {
			t.Fatalf("ParseNumber(%q) then FormatNumber = %q", s, got)
		}
		if err := cf.ValidStationCode(station); err != nil {
			t.Fatalf("ParseNumber(%q) accepted station %q: %v", s, station, err)
		}
	})
}

func FuzzTransition(f *testing.F) {
	f.Add("accepted", "forward", "clerk", "township", "", "", false, false)
	f.Add("suspended", "resume", "head", "central", "under_review", "", true, false)
	f.Add("returned", "supplement", "agent", "community", "closed", "", false, false)
	f.Add("closed", "rate", "clerk", "central", "", "not_accepted", false, true)
	f.Add("", "receive", "admin", "central", "", "", false, false)
	f.Add("decided", "deliver", "system", "province", "x", "refused", false, false)
	f.Fuzz(func(t *testing.T, state, action, role, level, prior, result string, extended, rated bool) {
		in := cf.Status{State: cf.State(state), Prior: cf.State(prior), Result: cf.Result(result), Extended: extended, Rated: rated}
		out, err := cf.Transition(in, cf.Action(action), cf.Role(role), catalog.Level(level))
		if err != nil {
			var te *cf.TransitionError
			if !errors.As(err, &te) || bmerr.As(err) == nil {
				t.Fatalf("error %v (%T) is not a *TransitionError wrapping *bmerr.Error", err, err)
			}
			if out != in {
				t.Fatalf("status changed on failure: %+v -> %+v", in, out)
			}
			if bmerr.Message(err, "zh") == "" || bmerr.Message(err, "en") == "" {
				t.Fatalf("empty message for %+v", bmerr.As(err))
			}
			return
		}
		if !cf.Allowed(in.State, cf.Action(action), cf.Role(role), catalog.Level(level)) {
			t.Fatalf("Transition(%+v, %s, %s@%s) succeeded but Allowed is false", in, action, role, level)
		}
		known := false
		for _, s := range cf.States() {
			known = known || s == out.State
		}
		if !known || out.State == cf.New {
			t.Fatalf("Transition(%+v, %s) led to state %q", in, action, out.State)
		}
	})
}
