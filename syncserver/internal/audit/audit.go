// Package audit is central's tamper-evident trail: every sign-in, every view
// of unmasked personal data, every admin action and every change to every
// case is an entry that commits, by SHA-256, to the entry before it. Editing,
// deleting or reordering any entry breaks the chain at that point, and
// Verify names the first entry that no longer fits.
//
// Case changes are audited a batch at a time: the entry of a push lists each
// change's id with the SHA-256 of its stored body, so a change edited in the
// log afterwards no longer matches the trail either.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kinds of entries.
const (
	SignIn       = "sign_in"        // a central user signed in (Detail: ok / failed)
	SignInFailed = "sign_in_failed" // a failed attempt
	Unmask       = "unmask"         // full personal data shown (Subject: case id; Detail: reason)
	Admin        = "admin"          // an admin action (Subject: what; Detail: how)
	Changes      = "changes"        // case changes applied (Detail: lines "change_id case_id action sha256")
	Enroll       = "enroll"         // a device enrolled
)

// Entry is one line of the trail.
type Entry struct {
	Seq     int64     // position, from 1, no gaps
	At      time.Time // central's clock
	Actor   string    // user name, "station:XZ01", or "scheduler"
	Kind    string
	Subject string
	Detail  string
	Prev    string // Hash of the entry before ("" for the first)
	Hash    string // SHA-256 over Prev and this entry's fields
}

// Genesis is the Prev of the first entry.
const Genesis = ""

// Seal sets e.Prev and e.Hash so that e follows prev.
func Seal(e *Entry, prev string) {
	e.Prev = prev
	e.Hash = Hash(*e)
}

// Hash is the SHA-256 over the entry's fields and Prev, each length-prefixed
// so that no two different entries encode alike. Times count in UTC
// nanoseconds: the hash does not depend on a machine's zone.
func Hash(e Entry) string {
	h := sha256.New()
	for _, f := range []string{
		strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.At.UTC().UnixNano(), 10),
		e.Actor, e.Kind, e.Subject, e.Detail, e.Prev,
	} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Problem is the first entry that does not fit the chain.
type Problem struct {
	Seq  int64
	What string // "edited", "deleted", "reordered" or "change_edited"
	Why  string
}

func (p *Problem) Error() string { return fmt.Sprintf("audit entry %d %s: %s", p.Seq, p.What, p.Why) }

// Verify checks a whole trail, in stored order, and returns the first
// problem, or nil when every entry fits:
//   - edited: an entry's hash does not match its own contents;
//   - reordered: an entry follows the wrong entry, one found later in the
//     trail; or, where the store keys entries by Seq so that rows cannot
//     change places, an entry holds another position's unaltered contents
//     while its own are stored elsewhere (contents swapped or rotated);
//   - deleted: an entry's predecessor is missing (a gap in the sequence, or a
//     predecessor hash found nowhere).
func Verify(entries []Entry) *Problem {
	position := map[string]int{} // hash -> index in stored order
	for i, e := range entries {
		position[e.Hash] = i
	}
	prev, want := Genesis, int64(1)
	for i, e := range entries {
		if Hash(e) != e.Hash {
			if from, ok := movedHere(entries, i); ok {
				return &Problem{Seq: e.Seq, What: "reordered", Why: fmt.Sprintf("it holds the contents of entry %d, and its own are stored elsewhere", from)}
			}
			return &Problem{Seq: e.Seq, What: "edited", Why: "its contents no longer match its hash"}
		}
		if e.Prev != prev {
			if j, ok := position[e.Prev]; ok && j > i {
				return &Problem{Seq: e.Seq, What: "reordered", Why: fmt.Sprintf("it follows entry %d, which is stored after it", entries[j].Seq)}
			}
			return &Problem{Seq: e.Seq, What: "deleted", Why: "the entry it follows is missing"}
		}
		if e.Seq != want {
			return &Problem{Seq: e.Seq, What: "deleted", Why: fmt.Sprintf("entries %d to %d are missing", want, e.Seq-1)}
		}
		prev, want = e.Hash, e.Seq+1
	}
	return nil
}

// movedHere reports whether entries[i], which does not match its hash, is
// the unaltered contents of the entry numbered from, stored at position
// entries[i].Seq, while the contents that belong at entries[i].Seq are
// found, unaltered, at another position: entries that kept their numbers
// but exchanged their contents. Contents that belong nowhere else (an edit,
// or a renumbering after a deletion) are not a reordering.
func movedHere(entries []Entry, i int) (from int64, ok bool) {
	e := entries[i]
	for j, o := range entries {
		if j == i || o.Seq == e.Seq {
			continue
		}
		moved := e
		moved.Seq = o.Seq
		if Hash(moved) == e.Hash {
			from = o.Seq
			break
		}
	}
	if from == 0 {
		return 0, false
	}
	for j, o := range entries {
		if j == i {
			continue
		}
		own := o
		own.Seq = e.Seq
		if Hash(own) == o.Hash {
			return from, true
		}
	}
	return 0, false
}

// ChangeLine is one case change as a Changes entry records it.
type ChangeLine struct {
	ChangeID, CaseID, Action, BodySHA256 string
}

// ChangeDetail formats the Detail of a Changes entry.
func ChangeDetail(lines []ChangeLine) string {
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%s %s %s %s\n", l.ChangeID, l.CaseID, l.Action, l.BodySHA256)
	}
	return b.String()
}

// ParseChangeDetail reads a Changes entry's Detail.
func ParseChangeDetail(detail string) []ChangeLine {
	var out []ChangeLine
	for _, line := range strings.Split(strings.TrimSpace(detail), "\n") {
		f := strings.Fields(line)
		if len(f) == 4 {
			out = append(out, ChangeLine{ChangeID: f[0], CaseID: f[1], Action: f[2], BodySHA256: f[3]})
		}
	}
	return out
}

// BodyHash is the SHA-256 of a stored change body, as Changes entries record it.
func BodyHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
