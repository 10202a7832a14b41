package audit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/bianmin/bianmin/syncserver/internal/audit"
)

func trail(n int) []audit.Entry {
	var out []audit.Entry
	prev := audit.Genesis
	t0 := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		e := audit.Entry{Seq: int64(i), At: t0.Add(time.Duration(i) * time.Minute), Actor: "admin", Kind: audit.Admin,
			Subject: fmt.Sprintf("station XZ%02d", i), Detail: "created"}
		audit.Seal(&e, prev)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func TestVerify(t *testing.T) {
	if p := audit.Verify(trail(6)); p != nil {
		t.Fatalf("intact trail: %v", p)
	}
	cases := []struct {
		name   string
		tamper func([]audit.Entry) []audit.Entry
		seq    int64
		what   string
	}{
		{"edited", func(es []audit.Entry) []audit.Entry { es[2].Detail = "deleted"; return es }, 3, "edited"},
		{"edited and resealed", func(es []audit.Entry) []audit.Entry {
			es[2].Detail = "deleted"
			audit.Seal(&es[2], es[2].Prev) // the next entry still names the old hash
			return es
		}, 4, "deleted"},
		{"deleted", func(es []audit.Entry) []audit.Entry { return append(es[:3:3], es[4:]...) }, 5, "deleted"},
		{"last deleted", func(es []audit.Entry) []audit.Entry { return es[:5] }, 0, ""},
		{"reordered", func(es []audit.Entry) []audit.Entry {
			es[2], es[3] = es[3], es[2]
			return es
		}, 4, "reordered"},
		// A store keyed by Seq: the rows keep their numbers and exchange
		// everything else.
		{"contents swapped in place", func(es []audit.Entry) []audit.Entry {
			es[2], es[3] = es[3], es[2]
			es[2].Seq, es[3].Seq = 3, 4
			return es
		}, 3, "reordered"},
		{"contents rotated in place", func(es []audit.Entry) []audit.Entry {
			es[1], es[2], es[3] = es[2], es[3], es[1]
			es[1].Seq, es[2].Seq, es[3].Seq = 2, 3, 4
			return es
		}, 2, "reordered"},
		{"contents copied over another entry", func(es []audit.Entry) []audit.Entry {
			es[2] = es[3]
			es[2].Seq = 3
			return es
		}, 3, "edited"},
		{"renumbered after a deletion", func(es []audit.Entry) []audit.Entry {
			es = append(es[:1:1], es[2:]...)
			for i := range es {
				es[i].Seq = int64(i + 1)
			}
			return es
		}, 2, "edited"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := audit.Verify(tc.tamper(trail(6)))
			if tc.what == "" {
				if p != nil {
					t.Fatalf("got %v, want none (a truncated tail is only seen against the count kept elsewhere)", p)
				}
				return
			}
			if p == nil || p.Seq != tc.seq || p.What != tc.what {
				t.Fatalf("got %v, want entry %d %s", p, tc.seq, tc.what)
			}
		})
	}
}

func TestChangeDetailRoundTrip(t *testing.T) {
	lines := []audit.ChangeLine{{"c1", "k1", "accept", audit.BodyHash([]byte("a"))}, {"c2", "k1", "forward", audit.BodyHash([]byte("b"))}}
	got := audit.ParseChangeDetail(audit.ChangeDetail(lines))
	if len(got) != 2 || got[1] != lines[1] {
		t.Fatalf("%v", got)
	}
}
