package syncapi_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/syncapi"
)

func TestErrorsRoundTrip(t *testing.T) {
	e := bmerr.New(bmerr.FailedPrecondition, "illegal_transition", "案件已办结，不能再受理。", "the case is closed.")
	wireErr := syncapi.ToConnect(fmt.Errorf("push: %w", e))
	if connect.CodeOf(wireErr) != connect.CodeFailedPrecondition {
		t.Fatalf("code %v", connect.CodeOf(wireErr))
	}
	back := syncapi.FromConnect(wireErr)
	if back.Code != bmerr.FailedPrecondition || back.Reason != "illegal_transition" || back.Zh != e.Zh || back.En != "the case is closed." {
		t.Fatalf("round trip: %+v", back)
	}
	// Internals never reach the caller; a caller that left is not a fault.
	if got := syncapi.ToConnect(errors.New("disk /var/lib/x full")); connect.CodeOf(got) != connect.CodeInternal || got.Error() == "disk /var/lib/x full" {
		t.Fatalf("internal error leaked: %v", got)
	}
	if got := syncapi.ToConnect(fmt.Errorf("pull: %w", context.Canceled)); connect.CodeOf(got) != connect.CodeCanceled {
		t.Fatalf("canceled mapped to %v", connect.CodeOf(got))
	}
	// A network failure reads as unavailable, in both languages.
	if net := syncapi.FromConnect(errors.New("dial tcp: refused")); net.Code != bmerr.Unavailable || net.Zh == "" {
		t.Fatalf("network: %+v", net)
	}
}

func TestDigest(t *testing.T) {
	// The lines sorted by id, whatever the input order: the SHA-256 of
	// "a:2\nb:10\n" (printf 'a:2\nb:10\n' | sha256sum).
	const want = "a9a0a54429e064e436d52a59555dcb2cb02fafc43bff56c7751a92afccf9d7f6"
	a := syncapi.Digest([]syncapi.VersionLine{{ID: "b", Version: 10}, {ID: "a", Version: 2}})
	b := syncapi.Digest([]syncapi.VersionLine{{ID: "a", Version: 2}, {ID: "b", Version: 10}})
	if a != want || b != want {
		t.Fatalf("digest %s / %s, want %s", a, b, want)
	}
	if c := syncapi.Digest([]syncapi.VersionLine{{ID: "a", Version: 3}, {ID: "b", Version: 10}}); c == a {
		t.Fatal("a version change does not change the digest")
	}
}
