// Package storetest is the conformance suite every store.Store passes: each
// subtest opens a fresh, empty store and checks one method's documented
// semantics, so the SQLite and PostgreSQL stores are interchangeable.
package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
)

// Run runs the suite. open returns a new, empty store; the suite closes it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"Stations", testStations},
		{"Enroll", testEnroll},
		{"EnrollExpired", testEnrollExpired},
		{"Devices", testDevices},
		{"SaveApplied", testSaveApplied},
		{"SaveAppliedTwice", testSaveAppliedTwice},
		{"SaveAppliedDoc", testSaveAppliedDoc},
		{"StaleCaseRefused", testStaleCaseRefused},
		{"PushShapedUpdate", testPushShapedUpdate},
		{"MatterSnapshots", testMatterSnapshots},
		{"UpdateRollsBack", testUpdateRollsBack},
		{"SaveRejected", testSaveRejected},
		{"Feed", testFeed},
		{"FeedPaging", testFeedPaging},
		{"Cases", testCases},
		{"PartyCases", testPartyCases},
		{"Changes", testChanges},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"BlobChunks", testBlobChunks},
		{"BlobVerifyFails", testBlobVerifyFails},
		{"ReadBlob", testReadBlob},
		{"BlobsComplete", testBlobsComplete},
		{"BlobVisible", testBlobVisible},
		{"Catalog", testCatalog},
	}
	tests = append(tests, centralTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

var ctx = context.Background()

func testStations(t *testing.T, s store.Store) {
	township := store.Station{Code: "T01", Name: "城关镇便民服务中心", Level: catalog.Township, CreatedAt: t0}
	community := store.Station{Code: "C01", Name: "东街社区便民服务站", Level: catalog.Community, Parent: "T01", CreatedAt: t0.Add(time.Hour)}
	must(t, "create township", s.CreateStation(ctx, township))
	must(t, "create community", s.CreateStation(ctx, community))

	got, err := s.Station(ctx, "C01")
	must(t, "get", err)
	if got.Code != community.Code || got.Name != community.Name || got.Level != community.Level ||
		got.Parent != community.Parent || !got.CreatedAt.Equal(community.CreatedAt) {
		t.Errorf("Station = %+v, want %+v", got, community)
	}

	all, err := s.Stations(ctx)
	must(t, "list", err)
	if len(all) != 2 || all[0].Code != "C01" || all[1].Code != "T01" {
		t.Errorf("Stations = %+v, want C01 and T01 in code order", all)
	}

	dup := township
	dup.Name = "another"
	wantCode(t, "duplicate station", s.CreateStation(ctx, dup), bmerr.Conflict)
	if got, _ := s.Station(ctx, "T01"); got.Name != township.Name {
		t.Errorf("duplicate replaced the station: %+v", got)
	}
	_, err = s.Station(ctx, "X99")
	wantCode(t, "unknown station", err, bmerr.NotFound)
	wantCode(t, "empty code", s.CreateStation(ctx, store.Station{Name: "x", Level: catalog.Township}), bmerr.Invalid)
}

// enrollSetup creates station T01 and an enrollment code valid for a day
// from t0, returning the code's hash.
func enrollSetup(t *testing.T, s store.Store, hash string, expires time.Time) {
	t.Helper()
	if _, err := s.Station(ctx, "T01"); bmerr.CodeOf(err) == bmerr.NotFound {
		must(t, "station", s.CreateStation(ctx, store.Station{Code: "T01", Name: "城关镇", Level: catalog.Township, CreatedAt: t0}))
	}
	must(t, "enroll code", s.CreateEnrollCode(ctx, store.EnrollCode{Hash: hash, Station: "T01", CreatedAt: t0, ExpiresAt: expires}))
}

func device(id, secret string) store.Device {
	return store.Device{ID: id, Name: "窗口1号机", SecretHash: secret}
}

func testEnroll(t *testing.T, s store.Store) {
	enrollSetup(t, s, "code-a", t0.Add(24*time.Hour))
	a := device(newID().String(), "secret-a")
	now := t0.Add(time.Hour)

	st, err := s.Enroll(ctx, "code-a", a, now)
	must(t, "enroll", err)
	if st.Code != "T01" {
		t.Errorf("enrolled at %q, want T01", st.Code)
	}
	d, err := s.Device(ctx, a.ID)
	must(t, "device", err)
	if d.Station != "T01" || d.SecretHash != "secret-a" || d.Name != a.Name || !d.EnrolledAt.Equal(now) || !d.RevokedAt.IsZero() {
		t.Errorf("Device = %+v", d)
	}

	// The same device asking again (it lost the answer) gets the same station.
	st, err = s.Enroll(ctx, "code-a", a, now.Add(time.Minute))
	must(t, "repeat enroll", err)
	if st.Code != "T01" {
		t.Errorf("repeat enrolled at %q, want T01", st.Code)
	}
	if ds, err := s.Devices(ctx, "T01"); err != nil || len(ds) != 1 {
		t.Errorf("Devices after repeat = %+v, %v; want the one device", ds, err)
	}

	_, err = s.Enroll(ctx, "code-a", device(newID().String(), "secret-b"), now)
	wantCode(t, "second device", err, bmerr.FailedPrecondition)
	_, err = s.Enroll(ctx, "code-a", device(a.ID, "other-secret"), now)
	wantCode(t, "same device, other secret", err, bmerr.FailedPrecondition)
	_, err = s.Enroll(ctx, "no-such-code", device(newID().String(), "s"), now)
	wantCode(t, "unknown code", err, bmerr.NotFound)
	_, err = s.Device(ctx, newID().String())
	wantCode(t, "unknown device", err, bmerr.NotFound)

	err = s.CreateEnrollCode(ctx, store.EnrollCode{Hash: "code-x", Station: "X99", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
	wantCode(t, "code for unknown station", err, bmerr.NotFound)
}

func testEnrollExpired(t *testing.T, s store.Store) {
	enrollSetup(t, s, "code-old", t0.Add(time.Hour))
	_, err := s.Enroll(ctx, "code-old", device(newID().String(), "s"), t0.Add(2*time.Hour))
	wantCode(t, "expired code", err, bmerr.FailedPrecondition)
	if ds, _ := s.Devices(ctx, "T01"); len(ds) != 0 {
		t.Errorf("an expired code enrolled %+v", ds)
	}
	// Before expiry it still works.
	enrollSetup(t, s, "code-new", t0.Add(time.Hour))
	_, err = s.Enroll(ctx, "code-new", device(newID().String(), "s"), t0.Add(30*time.Minute))
	must(t, "enroll before expiry", err)
}

func testDevices(t *testing.T, s store.Store) {
	enrollSetup(t, s, "code-1", t0.Add(24*time.Hour))
	enrollSetup(t, s, "code-2", t0.Add(24*time.Hour))
	a, b := device(newID().String(), "sa"), device(newID().String(), "sb")
	_, err := s.Enroll(ctx, "code-1", a, t0)
	must(t, "enroll a", err)
	_, err = s.Enroll(ctx, "code-2", b, t0)
	must(t, "enroll b", err)

	ds, err := s.Devices(ctx, "T01")
	must(t, "devices", err)
	if len(ds) != 2 {
		t.Fatalf("Devices = %+v, want 2", ds)
	}
	if ds, _ := s.Devices(ctx, "C01"); len(ds) != 0 {
		t.Errorf("Devices of another station = %+v", ds)
	}

	seen := t0.Add(2 * time.Hour)
	must(t, "touch", s.TouchDevice(ctx, a.ID, seen))
	if d, _ := s.Device(ctx, a.ID); !d.LastSeenAt.Equal(seen) {
		t.Errorf("LastSeenAt = %v, want %v", d.LastSeenAt, seen)
	}
	wantCode(t, "touch unknown", s.TouchDevice(ctx, newID().String(), seen), bmerr.NotFound)

	revoked := t0.Add(3 * time.Hour)
	must(t, "revoke", s.RevokeDevice(ctx, a.ID, revoked))
	must(t, "revoke again", s.RevokeDevice(ctx, a.ID, revoked.Add(time.Hour)))
	d, err := s.Device(ctx, a.ID)
	must(t, "device", err)
	if !d.RevokedAt.Equal(revoked) {
		t.Errorf("RevokedAt = %v, want the first revocation %v", d.RevokedAt, revoked)
	}
	if d, _ := s.Device(ctx, b.ID); !d.RevokedAt.IsZero() {
		t.Errorf("revoking a revoked b too: %+v", d)
	}
	wantCode(t, "revoke unknown", s.RevokeDevice(ctx, newID().String(), revoked), bmerr.NotFound)

	// A revoked device cannot get its station back by repeating enrollment.
	_, err = s.Enroll(ctx, "code-1", a, revoked.Add(time.Hour))
	wantCode(t, "revoked device repeats enrollment", err, bmerr.FailedPrecondition)
}

func testSaveApplied(t *testing.T, s store.Store) {
	if seq, err := s.LastSeq(ctx); err != nil || seq != 0 {
		t.Fatalf("LastSeq of an empty store = %d, %v", seq, err)
	}
	c := NewCase("C01", "T01", sha(1))
	ch := ChangeFor(c)
	var seq int64
	err := s.Update(ctx, func(tx store.Tx) error {
		got, err := tx.Outcomes([]uuid.UUID{ch.ID})
		if err != nil || len(got) != 0 {
			return fmt.Errorf("outcomes before: %v, %v", got, err)
		}
		cs, err := tx.LoadCases([]uuid.UUID{c.ID})
		if err != nil || len(cs) != 0 {
			return fmt.Errorf("load before: %v, %v", cs, err)
		}
		seq, err = tx.SaveApplied(c, AppliedFor(ch, "C01"))
		if err != nil {
			return err
		}
		// Within the transaction the write is already visible.
		got, err = tx.Outcomes([]uuid.UUID{ch.ID})
		if err != nil || !got[ch.ID].Applied {
			return fmt.Errorf("outcomes inside: %v, %v", got, err)
		}
		return nil
	})
	must(t, "update", err)
	if seq <= 0 {
		t.Errorf("seq = %d, want positive", seq)
	}

	other := newID()
	err = s.Update(ctx, func(tx store.Tx) error {
		got, err := tx.Outcomes([]uuid.UUID{ch.ID, other})
		if err != nil {
			return err
		}
		want := store.Outcome{ChangeID: ch.ID, Applied: true, CaseVersion: 1, Seq: seq}
		if len(got) != 1 || got[ch.ID] != want {
			t.Errorf("Outcomes = %+v, want only %+v", got, want)
		}
		cs, err := tx.LoadCases([]uuid.UUID{c.ID, other})
		if err != nil {
			return err
		}
		if len(cs) != 1 {
			t.Errorf("LoadCases = %v, want the one case", cs)
		} else {
			sameCase(t, "LoadCases", cs[c.ID], c)
		}
		return nil
	})
	must(t, "read back", err)

	got, err := s.Case(ctx, c.ID)
	must(t, "case", err)
	sameCase(t, "Case", got, c)
	_, err = s.Case(ctx, other)
	wantCode(t, "unknown case", err, bmerr.NotFound)
	if last, err := s.LastSeq(ctx); err != nil || last != seq {
		t.Errorf("LastSeq = %d, %v; want %d", last, err, seq)
	}

	// A second change moves the case on.
	c2 := Next(c)
	_, seq2 := save(t, s, c2)
	if seq2 <= seq {
		t.Errorf("second seq %d not after %d", seq2, seq)
	}
	got, err = s.Case(ctx, c.ID)
	must(t, "case v2", err)
	sameCase(t, "Case v2", got, c2)
}

func testSaveAppliedTwice(t *testing.T, s store.Store) {
	c := NewCase("C01", "")
	ch, seq := save(t, s, c)

	// Saving the same change id again fails Conflict, touches nothing, and
	// leaves the transaction usable for the rest of the push.
	stale := Next(c)
	stale.Applicant.Name = "王五"
	fresh := NewCase("C01", "")
	freshCh := ChangeFor(fresh)
	err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.SaveApplied(stale, AppliedFor(ch, "C01"))
		wantCode(t, "same change id", err, bmerr.Conflict)
		_, err = tx.SaveApplied(fresh, AppliedFor(freshCh, "C01"))
		return err
	})
	must(t, "update", err)
	got, err := s.Case(ctx, c.ID)
	must(t, "case", err)
	sameCase(t, "case after the refused duplicate", got, c)
	if _, err := s.Case(ctx, fresh.ID); err != nil {
		t.Errorf("the rest of the push was lost: %v", err)
	}
	hist, err := s.Changes(ctx, c.ID)
	must(t, "changes", err)
	if len(hist) != 1 || hist[0].Seq != seq {
		t.Errorf("Changes = %+v, want the one change at %d", hist, seq)
	}

	// The same id twice within one transaction also fails.
	again := NewCase("C01", "")
	againCh := ChangeFor(again)
	err = s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.SaveApplied(again, AppliedFor(againCh, "C01")); err != nil {
			return err
		}
		_, err := tx.SaveApplied(Next(again), AppliedFor(againCh, "C01"))
		wantCode(t, "same id in one transaction", err, bmerr.Conflict)
		return nil
	})
	must(t, "update 2", err)
	if got, _ := s.Case(ctx, again.ID); got == nil || got.Version != 1 {
		t.Errorf("case after in-transaction duplicate = %+v, want version 1", got)
	}
}

// testSaveAppliedDoc: a case saved with its document already encoded
// (Applied.Doc) reads back as one the store encoded itself; a document of
// another case or version is refused and changes nothing.
func testSaveAppliedDoc(t *testing.T, s store.Store) {
	a, b := NewCase("C01", "T01", sha(1)), NewCase("C01", "")
	b.Matter.CatalogVersion++ // a snapshot the store has not seen
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, c := range []*casefile.Case{a, b} {
			doc, err := docOf(c)
			if err != nil {
				return err
			}
			ap := AppliedFor(ChangeFor(c), "C01")
			ap.Doc = doc
			if _, err := tx.SaveApplied(c, ap); err != nil {
				return err
			}
		}
		return nil
	})
	must(t, "save with documents", err)
	for _, c := range []*casefile.Case{a, b} {
		got, err := s.Case(ctx, c.ID)
		must(t, "case", err)
		sameCase(t, "case saved with its document", got, c)
	}

	next := Next(a)
	wrong := []struct {
		what string
		doc  *casefile.Case
	}{{"another case's document", b}, {"the previous version's document", a}}
	err = s.Update(ctx, func(tx store.Tx) error {
		for _, w := range wrong {
			doc, err := docOf(w.doc)
			if err != nil {
				return err
			}
			ap := AppliedFor(ChangeFor(next), "C01")
			ap.Doc = doc
			_, err = tx.SaveApplied(next, ap)
			wantCode(t, w.what, err, bmerr.Invalid)
		}
		// The transaction goes on.
		_, err := tx.SaveApplied(next, AppliedFor(ChangeFor(next), "C01"))
		return err
	})
	must(t, "update", err)
	got, err := s.Case(ctx, a.ID)
	must(t, "case", err)
	sameCase(t, "case after refused documents", got, next)
	hist, err := s.Changes(ctx, a.ID)
	must(t, "changes", err)
	if len(hist) != 2 {
		t.Errorf("%d changes recorded, want 2", len(hist))
	}
}

// testStaleCaseRefused: saving a copy of a case no newer than the stored one
// fails Conflict and records nothing, even without LoadCases (the version
// guard), and leaves the transaction usable for the rest of the push.
func testStaleCaseRefused(t *testing.T, s store.Store) {
	c := NewCase("C01", "T01", sha(1))
	save(t, s, c)
	save(t, s, Next(c))
	last, err := s.LastSeq(ctx)
	must(t, "last seq", err)
	stale := Next(c) // version 2 again
	stale.Applicant.Name = "王五"
	stale.Materials = []casefile.MaterialRecord{{Code: "ID", Attachments: []casefile.Attachment{{SHA256: sha(2)}}}}
	stale.Matter.CatalogVersion = 9 // a snapshot the store has not seen
	staleCh := ChangeFor(stale)
	fresh := NewCase("C01", "")
	err = s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.SaveApplied(stale, AppliedFor(staleCh, "C01"))
		wantCode(t, "stale save", err, bmerr.Conflict)
		_, err = tx.SaveApplied(fresh, AppliedFor(ChangeFor(fresh), "C01"))
		return err
	})
	must(t, "update", err)
	got, err := s.Case(ctx, c.ID)
	must(t, "case", err)
	sameCase(t, "case after a stale save", got, Next(c))
	if hist, _ := s.Changes(ctx, c.ID); len(hist) != 2 {
		t.Errorf("%d changes recorded, want 2", len(hist))
	}
	if now, _ := s.LastSeq(ctx); now <= last {
		t.Errorf("LastSeq = %d, want the fresh case's change after %d", now, last)
	}
	if es, _ := s.Feed(ctx, "T01", last, 10); len(es) != 0 {
		t.Errorf("Feed(T01) after the stale save = %v, want nothing", feedIDs(es))
	}
	if ok, _ := s.BlobVisible(ctx, "C01", sha(2)); ok {
		t.Error("an attachment of the stale copy is visible")
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		got, err := tx.Outcomes([]uuid.UUID{staleCh.ID})
		if err == nil && len(got) != 0 {
			t.Errorf("Outcomes of the refused change = %+v", got)
		}
		return err
	})
	must(t, "outcomes", err)
}

// testPushShapedUpdate: an Update shaped like a push (Outcomes and
// LoadCases first, then many saves), which a store may write in batches
// (the SQLite store queues rows and writes dozens per INSERT): every save's
// seq is the one its change reads back with, in save order; the
// transaction reads its own writes at any point; a second change of a case
// saved earlier in the transaction, a stale copy and a repeated change id
// behave as they do one Update at a time; and nothing is lost past a batch
// boundary.
func testPushShapedUpdate(t *testing.T, s store.Store) {
	const n = 150 // more than one batch, and not a multiple of one
	old := NewCase("C01", "")
	save(t, s, old)
	cases := make([]*casefile.Case, n)
	changes := make([]*casefile.Change, n)
	var ids []uuid.UUID // of every change the push saves, as a push asks
	for i := range cases {
		cases[i] = NewCase("C01", "", sha(i%3))
		changes[i] = ChangeFor(cases[i])
		ids = append(ids, changes[i].ID)
	}
	// Every 40th case also gets a second change and a stale copy.
	type more struct {
		next, stale     *casefile.Case
		nextCh, staleCh *casefile.Change
	}
	moreOf := map[int]more{}
	for i := 7; i < n; i += 40 {
		m := more{next: Next(cases[i]), stale: Next(cases[i])}
		m.stale.Applicant.Name = "王五"
		m.nextCh, m.staleCh = ChangeFor(m.next), ChangeFor(m.stale)
		moreOf[i] = m
		ids = append(ids, m.nextCh.ID, m.staleCh.ID)
	}
	oldNext, extra, last := Next(old), NewCase("C01", ""), Next(cases[1])
	oldNextCh, extraCh, lastCh := ChangeFor(oldNext), ChangeFor(extra), ChangeFor(last)
	ids = append(ids, oldNextCh.ID, extraCh.ID, lastCh.ID)
	var seqs []int64
	var applied []uuid.UUID // change ids in save order
	nexts := []*casefile.Case{oldNext, last}
	err := s.Update(ctx, func(tx store.Tx) error {
		if got, err := tx.Outcomes(ids); err != nil || len(got) != 0 {
			return fmt.Errorf("outcomes: %v, %v", got, err)
		}
		if got, err := tx.LoadCases(append(caseIDs(cases), old.ID)); err != nil || len(got) != 1 {
			return fmt.Errorf("load: %d cases, %v", len(got), err)
		}
		saveOne := func(c *casefile.Case, ch *casefile.Change) error {
			seq, err := tx.SaveApplied(c, AppliedFor(ch, "C01"))
			if err != nil {
				return err
			}
			if len(seqs) > 0 && seq <= seqs[len(seqs)-1] {
				t.Errorf("seq %d after %d", seq, seqs[len(seqs)-1])
			}
			seqs, applied = append(seqs, seq), append(applied, ch.ID)
			return nil
		}
		for i := range cases {
			if err := saveOne(cases[i], changes[i]); err != nil {
				return err
			}
			m, ok := moreOf[i]
			if !ok {
				continue
			}
			// A second change of a case saved in this transaction, a stale
			// copy, a repeated change id: each as one at a time.
			if err := saveOne(m.next, m.nextCh); err != nil {
				return err
			}
			nexts = append(nexts, m.next)
			_, err := tx.SaveApplied(m.stale, AppliedFor(m.staleCh, "C01"))
			wantCode(t, "stale copy within the push", err, bmerr.Conflict)
			_, err = tx.SaveApplied(Next(m.next), AppliedFor(changes[i], "C01"))
			wantCode(t, "repeated change id within the push", err, bmerr.Conflict)
		}
		if err := saveOne(oldNext, oldNextCh); err != nil {
			return err
		}
		// The transaction reads its own writes.
		got, err := tx.LoadCases([]uuid.UUID{cases[7].ID, cases[n-1].ID})
		if err != nil {
			return err
		}
		if got[cases[7].ID] == nil || got[cases[7].ID].Version != 2 || got[cases[n-1].ID] == nil {
			t.Errorf("LoadCases inside the push = %v", got)
		}
		outs, err := tx.Outcomes(applied)
		if err != nil {
			return err
		}
		for i, id := range applied {
			if o := outs[id]; !o.Applied || o.Seq != seqs[i] {
				t.Errorf("Outcome of save %d inside the push = %+v, want seq %d", i, o, seqs[i])
			}
		}
		// More saves after the reads: a case the transaction has not
		// loaded, and one more change, left for the commit to write.
		if err := saveOne(extra, extraCh); err != nil {
			return err
		}
		return saveOne(last, lastCh)
	})
	must(t, "update", err)

	es, err := s.Feed(ctx, "C01", 0, 10*n)
	must(t, "feed", err)
	es = es[1:] // the old case's first change
	if len(es) != len(applied) {
		t.Fatalf("feed holds %d changes, want %d", len(es), len(applied))
	}
	for i, e := range es {
		if e.ChangeID != applied[i] || e.Seq != seqs[i] {
			t.Errorf("feed entry %d = %s at %d, want %s at %d", i, e.ChangeID, e.Seq, applied[i], seqs[i])
		}
	}
	if last, err := s.LastSeq(ctx); err != nil || last != seqs[len(seqs)-1] {
		t.Errorf("LastSeq = %d, %v; want %d", last, err, seqs[len(seqs)-1])
	}
	for _, c := range cases[n-3:] {
		got, err := s.Case(ctx, c.ID)
		must(t, "case", err)
		sameCase(t, "case of the push", got, c)
	}
	for _, c := range nexts {
		got, err := s.Case(ctx, c.ID)
		must(t, "case", err)
		sameCase(t, "case moved on within the push", got, c)
	}
	if ok, err := s.BlobVisible(ctx, "C01", sha(2)); err != nil || !ok {
		t.Errorf("an attachment of the push is not visible: %v", err)
	}
}

// testMatterSnapshots: every case keeps the snapshot it was saved with,
// however many cases share it and whichever changes in a transaction that
// rolls back.
func testMatterSnapshots(t *testing.T, s store.Store) {
	snapshot := func(c *casefile.Case, version int, legal bool) *casefile.Case {
		c.Matter.CatalogVersion = version
		c.Matter.Materials = []catalog.Material{{Code: "ID", Name: "身份证", Necessity: catalog.Required, Originals: version}}
		if legal {
			c.Matter.Legal = &workcal.Limit{N: 20, Unit: workcal.WorkingDays}
		}
		return c
	}
	var cases []*casefile.Case
	for i := range 6 {
		cases = append(cases, snapshot(NewCase("C01", ""), 10+i%3, i%2 == 0))
	}
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, c := range cases {
			if _, err := tx.SaveApplied(c, AppliedFor(ChangeFor(c), "C01")); err != nil {
				return err
			}
		}
		return nil
	})
	must(t, "save", err)

	// A transaction that saves cases with new snapshots and rolls back,
	// then others with other new snapshots, then the first again.
	lost := snapshot(NewCase("C01", ""), 20, false)
	err = s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.SaveApplied(lost, AppliedFor(ChangeFor(lost), "C01")); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("update: %v, want the abort", err)
	}
	for _, v := range []int{21, 20} {
		c := snapshot(NewCase("C01", ""), v, false)
		save(t, s, c)
		cases = append(cases, c)
	}
	// A new version of a case with a snapshot of its own.
	next := snapshot(Next(cases[0]), 22, true)
	save(t, s, next)
	cases[0] = next

	ids := caseIDs(cases)
	got, err := s.Cases(ctx, ids)
	must(t, "cases", err)
	if len(got) != len(cases) {
		t.Fatalf("Cases = %d cases, want %d", len(got), len(cases))
	}
	for i, c := range cases {
		sameCase(t, fmt.Sprintf("case %d", i), got[i], c)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		loaded, err := tx.LoadCases(ids)
		if err != nil {
			return err
		}
		for i, c := range cases {
			sameCase(t, fmt.Sprintf("loaded case %d", i), loaded[c.ID], c)
		}
		return nil
	})
	must(t, "load", err)
	// Two cases read together do not share their snapshot's memory.
	got[1].Matter.Materials[0].Name = "changed"
	again, err := s.Case(ctx, cases[1].ID)
	must(t, "case", err)
	sameCase(t, "case after changing another copy", again, cases[1])
}

var errAbort = errors.New("abort the push")

func testUpdateRollsBack(t *testing.T, s store.Store) {
	kept := NewCase("C01", "", sha(7))
	keptCh, keptSeq := save(t, s, kept)

	lost := NewCase("C01", "T01", sha(8))
	lostCh := ChangeFor(lost)
	rejectedID := newID()
	err := s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.SaveApplied(lost, AppliedFor(lostCh, "C01")); err != nil {
			return err
		}
		if _, err := tx.SaveApplied(Next(kept), AppliedFor(ChangeFor(Next(kept)), "C01")); err != nil {
			return err
		}
		if err := tx.SaveRejected(store.Rejected{ChangeID: rejectedID, CaseID: lost.ID, Station: "C01",
			Code: string(bmerr.Invalid), Reason: "x", MessageZh: "错", MessageEn: "wrong", ReceivedAt: t0}); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Update = %v, want fn's error", err)
	}

	_, err = s.Case(ctx, lost.ID)
	wantCode(t, "case of a failed update", err, bmerr.NotFound)
	got, err := s.Case(ctx, kept.ID)
	must(t, "kept case", err)
	sameCase(t, "case changed by a failed update", got, kept)
	if last, _ := s.LastSeq(ctx); last != keptSeq {
		t.Errorf("LastSeq = %d, want %d", last, keptSeq)
	}
	if es, _ := s.Feed(ctx, "C01", 0, 100); !slices.Equal(feedIDs(es), []uuid.UUID{keptCh.ID}) {
		t.Errorf("Feed(C01) = %v, want only %v", feedIDs(es), keptCh.ID)
	}
	if es, _ := s.Feed(ctx, "T01", 0, 100); len(es) != 0 {
		t.Errorf("Feed(T01) = %v, want nothing", feedIDs(es))
	}
	if ok, _ := s.BlobVisible(ctx, "T01", sha(8)); ok {
		t.Error("an attachment of a failed update is visible")
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		got, err := tx.Outcomes([]uuid.UUID{lostCh.ID, rejectedID})
		if err != nil {
			return err
		}
		if len(got) != 0 {
			t.Errorf("Outcomes of a failed update = %+v", got)
		}
		return nil
	})
	must(t, "outcomes", err)
}

func testSaveRejected(t *testing.T, s store.Store) {
	r := store.Rejected{
		ChangeID: newID(), CaseID: newID(), Station: "C01",
		Code: string(bmerr.FailedPrecondition), Reason: "case_closed",
		MessageZh: "办件已办结，不能再修改。", MessageEn: "The case is closed and cannot be changed.",
		Body: []byte(`{"id":"x"}`), ReceivedAt: t0,
	}
	must(t, "reject", s.Update(ctx, func(tx store.Tx) error { return tx.SaveRejected(r) }))

	c := NewCase("C01", "")
	applied, _ := save(t, s, c)

	err := s.Update(ctx, func(tx store.Tx) error {
		got, err := tx.Outcomes([]uuid.UUID{r.ChangeID, applied.ID})
		if err != nil {
			return err
		}
		want := store.Outcome{ChangeID: r.ChangeID, Applied: false, Code: r.Code, Reason: r.Reason,
			MessageZh: r.MessageZh, MessageEn: r.MessageEn}
		if got[r.ChangeID] != want {
			t.Errorf("Outcome of the rejection = %+v, want %+v", got[r.ChangeID], want)
		}
		if !got[applied.ID].Applied {
			t.Errorf("Outcome of the applied change = %+v", got[applied.ID])
		}

		// An id is recorded once, whichever way it went.
		wantCode(t, "reject twice", tx.SaveRejected(r), bmerr.Conflict)
		wantCode(t, "reject an applied change", tx.SaveRejected(store.Rejected{
			ChangeID: applied.ID, CaseID: c.ID, Code: "invalid", Reason: "x", MessageZh: "x", MessageEn: "x"}), bmerr.Conflict)
		next := Next(c)
		ch := ChangeFor(next)
		ch.ID = r.ChangeID
		ch.CaseID = c.ID
		_, err = tx.SaveApplied(next, AppliedFor(ch, "C01"))
		wantCode(t, "apply a rejected change", err, bmerr.Conflict)
		return nil
	})
	must(t, "update", err)
	if got, _ := s.Case(ctx, c.ID); got == nil || got.Version != 1 {
		t.Errorf("case = %+v, want it untouched at version 1", got)
	}
	// A rejection is not in the log.
	if es, _ := s.Feed(ctx, "C01", 0, 100); len(es) != 1 || es[0].ChangeID != applied.ID {
		t.Errorf("Feed = %v, want only the applied change", feedIDs(es))
	}
}

// feedWorld records, in this order: a case at community C01, a proxy case
// filed at C01 for township T01, a case at T01, a case at community C02, and
// a second change to the proxy case. It returns the change ids in order.
func feedWorld(t *testing.T, s store.Store) (local, proxy, township, other, proxy2 *casefile.Change, proxyCase *casefile.Case) {
	c1 := NewCase("C01", "")
	p := NewCase("C01", "T01")
	tc := NewCase("T01", "")
	c2 := NewCase("C02", "")
	local, _ = save(t, s, c1)
	proxy, _ = save(t, s, p)
	township, _ = save(t, s, tc)
	other, _ = save(t, s, c2)
	p2 := Next(p)
	proxy2, _ = save(t, s, p2)
	return local, proxy, township, other, proxy2, p2
}

func testFeed(t *testing.T, s store.Store) {
	local, proxy, township, other, proxy2, p := feedWorld(t, s)
	for _, tc := range []struct {
		station string
		want    []uuid.UUID
	}{
		{"C01", []uuid.UUID{local.ID, proxy.ID, proxy2.ID}},
		{"T01", []uuid.UUID{proxy.ID, township.ID, proxy2.ID}},
		{"C02", []uuid.UUID{other.ID}},
		{"C03", nil},
	} {
		es, err := s.Feed(ctx, tc.station, 0, 100)
		must(t, "feed "+tc.station, err)
		if !slices.Equal(feedIDs(es), tc.want) {
			t.Errorf("Feed(%s) = %v, want %v", tc.station, feedIDs(es), tc.want)
		}
		for i := 1; i < len(es); i++ {
			if es[i].Seq <= es[i-1].Seq {
				t.Errorf("Feed(%s) out of order: %d after %d", tc.station, es[i].Seq, es[i-1].Seq)
			}
		}
	}

	es, err := s.Feed(ctx, "T01", 0, 100)
	must(t, "feed", err)
	if len(es) != 3 {
		t.Fatalf("Feed(T01) has %d entries, want 3", len(es))
	}
	e := es[2]
	if e.CaseID != p.ID || e.CaseVersion != 2 || !bytes.Equal(e.Body, Body(proxy2)) || e.AppliedAt.IsZero() {
		t.Errorf("FeedEntry = %+v, want case %s version 2 with its body", e, p.ID)
	}

	// Limit and cursor.
	page, err := s.Feed(ctx, "T01", 0, 2)
	must(t, "page 1", err)
	if !slices.Equal(feedIDs(page), []uuid.UUID{proxy.ID, township.ID}) {
		t.Fatalf("page 1 = %v", feedIDs(page))
	}
	page, err = s.Feed(ctx, "T01", page[1].Seq, 2)
	must(t, "page 2", err)
	if !slices.Equal(feedIDs(page), []uuid.UUID{proxy2.ID}) {
		t.Fatalf("page 2 = %v", feedIDs(page))
	}
	page, err = s.Feed(ctx, "T01", page[0].Seq, 2)
	must(t, "page 3", err)
	if len(page) != 0 {
		t.Errorf("page past the end = %v", feedIDs(page))
	}
}

// testFeedPaging pages through a feed whose entries come from both party
// roles, interleaved, with every page size.
func testFeedPaging(t *testing.T, s store.Store) {
	var want []uuid.UUID
	for i := range 12 {
		var c *casefile.Case
		switch i % 3 {
		case 0:
			c = NewCase("T01", "") // T01 as origin
		case 1:
			c = NewCase(fmt.Sprintf("C%02d", i), "T01") // T01 as handling
		default:
			c = NewCase("C99", "") // not T01's
		}
		ch, _ := save(t, s, c)
		if i%3 != 2 {
			want = append(want, ch.ID)
		}
	}
	for limit := 1; limit <= len(want)+1; limit++ {
		var got []uuid.UUID
		after := int64(0)
		for pages := 0; ; pages++ {
			es, err := s.Feed(ctx, "T01", after, limit)
			must(t, "feed", err)
			if len(es) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(es))
			}
			if len(es) == 0 || pages > len(want) {
				break
			}
			got = append(got, feedIDs(es)...)
			after = es[len(es)-1].Seq
		}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: paged feed = %v, want %v", limit, got, want)
		}
	}
}

func testCases(t *testing.T, s store.Store) {
	a, b := NewCase("C01", ""), NewCase("T01", "")
	save(t, s, a)
	save(t, s, b)
	missing := newID()
	cs, err := s.Cases(ctx, []uuid.UUID{b.ID, missing, a.ID})
	must(t, "cases", err)
	got := sortedIDs(caseIDs(cs))
	if want := sortedIDs([]uuid.UUID{a.ID, b.ID}); !slices.Equal(got, want) {
		t.Errorf("Cases = %v, want %v", got, want)
	}
	for _, c := range cs {
		if c.ID == a.ID {
			sameCase(t, "Cases", c, a)
		}
	}
	if cs, err := s.Cases(ctx, nil); err != nil || len(cs) != 0 {
		t.Errorf("Cases(nil) = %v, %v", cs, err)
	}

	// Many ids: more than one batch of any reasonable size.
	var ids []uuid.UUID
	err = s.Update(ctx, func(tx store.Tx) error {
		for range 1200 {
			c := NewCase("C05", "")
			ids = append(ids, c.ID)
			if _, err := tx.SaveApplied(c, AppliedFor(ChangeFor(c), "C05")); err != nil {
				return err
			}
		}
		loaded, err := tx.LoadCases(ids)
		if err != nil {
			return err
		}
		if len(loaded) != len(ids) {
			t.Errorf("LoadCases of %d ids = %d cases", len(ids), len(loaded))
		}
		return nil
	})
	must(t, "bulk", err)
	cs, err = s.Cases(ctx, append(slices.Clone(ids), missing))
	must(t, "bulk cases", err)
	if len(cs) != len(ids) {
		t.Errorf("Cases of %d ids = %d cases", len(ids), len(cs))
	}
}

func testPartyCases(t *testing.T, s store.Store) {
	var want []uuid.UUID
	for i := range 10 {
		var c *casefile.Case
		switch i % 3 {
		case 0:
			c = NewCase("T01", "")
		case 1:
			c = NewCase("C01", "T01")
		default:
			c = NewCase("C02", "")
		}
		save(t, s, c)
		if i%3 != 2 {
			want = append(want, c.ID)
		}
		if i == 4 {
			save(t, s, Next(c)) // version 2
		}
	}
	want = sortedIDs(want)

	for limit := 1; limit <= len(want)+1; limit++ {
		var got []uuid.UUID
		after := uuid.Nil
		for pages := 0; pages <= len(want); pages++ {
			cs, err := s.PartyCases(ctx, "T01", after, limit)
			must(t, "party cases", err)
			if len(cs) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(cs))
			}
			if len(cs) == 0 {
				break
			}
			got = append(got, caseIDs(cs)...)
			after = cs[len(cs)-1].ID
		}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: PartyCases = %v, want %v", limit, got, want)
		}
	}

	vs, err := s.PartyVersions(ctx, "T01")
	must(t, "party versions", err)
	var gotIDs []uuid.UUID
	for _, v := range vs {
		gotIDs = append(gotIDs, v.ID)
		wantV := int64(1)
		if c, _ := s.Case(ctx, v.ID); c != nil {
			wantV = c.Version
		}
		if v.Version != wantV {
			t.Errorf("PartyVersions: %s at %d, want %d", v.ID, v.Version, wantV)
		}
	}
	if !slices.Equal(gotIDs, want) {
		t.Errorf("PartyVersions ids = %v, want %v", gotIDs, want)
	}
	if vs, _ := s.PartyVersions(ctx, "C09"); len(vs) != 0 {
		t.Errorf("PartyVersions of a station with no cases = %v", vs)
	}
	// A proxy case is also its origin's.
	cs, err := s.PartyCases(ctx, "C01", uuid.Nil, 100)
	must(t, "origin's party cases", err)
	if len(cs) != 3 {
		t.Errorf("C01 PartyCases = %d cases, want 3", len(cs))
	}
}

func testChanges(t *testing.T, s store.Store) {
	c := NewCase("C01", "T01")
	var want []uuid.UUID
	var seqs []int64
	for v := 1; v <= 4; v++ {
		ch, seq := save(t, s, c)
		want = append(want, ch.ID)
		seqs = append(seqs, seq)
		save(t, s, NewCase("C02", "")) // noise between
		c = Next(c)
	}
	hist, err := s.Changes(ctx, newID())
	must(t, "changes of an unknown case", err)
	if len(hist) != 0 {
		t.Errorf("Changes of an unknown case = %v", hist)
	}
	hist, err = s.Changes(ctx, c.ID)
	must(t, "changes", err)
	if !slices.Equal(feedIDs(hist), want) {
		t.Fatalf("Changes = %v, want %v", feedIDs(hist), want)
	}
	for i, e := range hist {
		if e.Seq != seqs[i] || e.CaseVersion != int64(i+1) || e.CaseID != c.ID {
			t.Errorf("Changes[%d] = seq %d v%d, want seq %d v%d", i, e.Seq, e.CaseVersion, seqs[i], i+1)
		}
	}
	last, err := s.LastSeq(ctx)
	must(t, "last seq", err)
	if last <= seqs[len(seqs)-1] {
		t.Errorf("LastSeq = %d, want beyond %d", last, seqs[len(seqs)-1])
	}
}

// testConcurrentUpdates has several goroutines each load, advance and save
// the same case many times. None may be lost: the case ends at the sum of
// all their changes, each recorded once, versions and seqs strictly rising.
func testConcurrentUpdates(t *testing.T, s store.Store) {
	const workers, each = 6, 15
	c := NewCase("C01", "T01")
	save(t, s, c)

	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range each {
				err := s.Update(ctx, func(tx store.Tx) error {
					cs, err := tx.LoadCases([]uuid.UUID{c.ID})
					if err != nil {
						return err
					}
					next := Next(cs[c.ID])
					_, err = tx.SaveApplied(next, AppliedFor(ChangeFor(next), "C01"))
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent update: %v", err)
	}

	got, err := s.Case(ctx, c.ID)
	must(t, "case", err)
	if want := int64(1 + workers*each); got.Version != want {
		t.Errorf("Version = %d, want %d", got.Version, want)
	}
	hist, err := s.Changes(ctx, c.ID)
	must(t, "changes", err)
	if len(hist) != 1+workers*each {
		t.Fatalf("%d changes recorded, want %d", len(hist), 1+workers*each)
	}
	seen := map[uuid.UUID]bool{}
	for i, e := range hist {
		if e.CaseVersion != int64(i+1) {
			t.Errorf("change %d at version %d", i, e.CaseVersion)
		}
		if i > 0 && e.Seq <= hist[i-1].Seq {
			t.Errorf("seq %d after %d", e.Seq, hist[i-1].Seq)
		}
		if seen[e.ChangeID] {
			t.Errorf("change %s recorded twice", e.ChangeID)
		}
		seen[e.ChangeID] = true
	}
}

// blobData returns n deterministic bytes and their SHA-256.
func blobData(n int) ([]byte, string) {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:])
}

// checkSHA is a verify function that hashes the reader.
func checkSHA(want string) func(store.Reader) error {
	return func(r store.Reader) error {
		h := sha256.New()
		if _, err := io.Copy(h, r); err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			return bmerr.Newf(bmerr.Invalid, "blob_hash", "附件内容与标识不符。", "The attachment does not match its id (%s).", got)
		}
		return nil
	}
}

// putAll uploads data in chunks of n bytes.
func putAll(t *testing.T, s store.Store, sha string, data []byte, n int) store.Blob {
	t.Helper()
	var b store.Blob
	for off := 0; off < len(data); off += n {
		var err error
		b, err = s.PutChunk(ctx, sha, int64(len(data)), int64(off), data[off:min(off+n, len(data))], checkSHA(sha))
		must(t, fmt.Sprintf("chunk at %d", off), err)
	}
	return b
}

func testBlobChunks(t *testing.T, s store.Store) {
	data, sum := blobData(10_000)
	size := int64(len(data))
	_, err := s.BlobStat(ctx, sum)
	wantCode(t, "stat of an unknown blob", err, bmerr.NotFound)

	verified := 0
	verify := func(r store.Reader) error { verified++; return checkSHA(sum)(r) }

	b, err := s.PutChunk(ctx, sum, size, 0, data[:4000], verify)
	must(t, "chunk 1", err)
	if b.Received != 4000 || b.Complete || b.Size != size || b.SHA256 != sum {
		t.Errorf("after chunk 1: %+v", b)
	}
	// A repeat of a chunk already held is acknowledged and not written again.
	b, err = s.PutChunk(ctx, sum, size, 0, data[:4000], verify)
	must(t, "repeated chunk", err)
	if b.Received != 4000 {
		t.Errorf("after a repeated chunk: %+v", b)
	}
	// A chunk beyond what is held leaves a gap.
	_, err = s.PutChunk(ctx, sum, size, 8000, data[8000:], verify)
	wantCode(t, "gap", err, bmerr.Invalid)
	// A chunk past the declared size, or a different size, is refused.
	_, err = s.PutChunk(ctx, sum, size, 4000, make([]byte, 7000), verify)
	wantCode(t, "beyond size", err, bmerr.Invalid)
	_, err = s.PutChunk(ctx, sum, size+1, 4000, data[4000:8000], verify)
	wantCode(t, "other size", err, bmerr.Invalid)

	b, err = s.PutChunk(ctx, sum, size, 4000, data[4000:8000], verify)
	must(t, "chunk 2", err)
	if b.Received != 8000 || b.Complete || verified != 0 {
		t.Errorf("after chunk 2: %+v, verified %d times", b, verified)
	}
	b, err = s.PutChunk(ctx, sum, size, 8000, data[8000:], verify)
	must(t, "last chunk", err)
	if b.Received != size || !b.Complete || verified != 1 {
		t.Errorf("after the last chunk: %+v, verified %d times", b, verified)
	}
	st, err := s.BlobStat(ctx, sum)
	must(t, "stat", err)
	if st != b {
		t.Errorf("BlobStat = %+v, want %+v", st, b)
	}
	// Any chunk of a complete blob is acknowledged.
	b, err = s.PutChunk(ctx, sum, size, 4000, data[4000:8000], verify)
	must(t, "chunk of a complete blob", err)
	if !b.Complete || verified != 1 {
		t.Errorf("after a late chunk: %+v, verified %d times", b, verified)
	}
	got, err := s.ReadBlob(ctx, sum, 0, len(data))
	must(t, "read", err)
	if !bytes.Equal(got, data) {
		t.Errorf("ReadBlob returned %d bytes that differ from the upload", len(got))
	}

	// An empty attachment is complete on its one, empty chunk.
	_, empty := blobData(0)
	b, err = s.PutChunk(ctx, empty, 0, 0, nil, checkSHA(empty))
	must(t, "empty blob", err)
	if !b.Complete {
		t.Errorf("empty blob: %+v", b)
	}
	_, err = s.PutChunk(ctx, "not-a-sha", 1, 0, []byte{1}, nil)
	wantCode(t, "malformed sha", err, bmerr.Invalid)
}

func testBlobVerifyFails(t *testing.T, s store.Store) {
	data, sum := blobData(3000)
	bad := slices.Clone(data)
	bad[2500] ^= 0xff
	var readAll []byte
	verify := func(r store.Reader) error {
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, r); err != nil {
			return err
		}
		readAll = buf.Bytes()
		return checkSHA(sum)(bytes.NewReader(readAll))
	}
	_, err := s.PutChunk(ctx, sum, 3000, 0, bad[:2000], verify)
	must(t, "chunk 1", err)
	_, err = s.PutChunk(ctx, sum, 3000, 2000, bad[2000:], verify)
	wantCode(t, "corrupt blob", err, bmerr.Invalid)
	if bmerr.ReasonOf(err) != "blob_hash" {
		t.Errorf("PutChunk returned %v, want verify's own error", err)
	}
	if !bytes.Equal(readAll, bad) {
		t.Errorf("verify read %d bytes, not the %d uploaded in order", len(readAll), len(bad))
	}
	b, err := s.BlobStat(ctx, sum)
	must(t, "stat", err)
	if b.Received != 0 || b.Complete {
		t.Errorf("after a failed verify: %+v, want nothing held", b)
	}
	_, err = s.ReadBlob(ctx, sum, 0, 10)
	if err == nil {
		t.Error("ReadBlob of a discarded blob succeeded")
	}
	// The upload starts again from 0 and succeeds.
	b = putAll(t, s, sum, data, 1000)
	if !b.Complete {
		t.Errorf("re-upload: %+v", b)
	}
	got, err := s.ReadBlob(ctx, sum, 0, 3000)
	must(t, "read", err)
	if !bytes.Equal(got, data) {
		t.Error("re-uploaded blob reads back wrong")
	}
}

func testReadBlob(t *testing.T, s store.Store) {
	data, sum := blobData(10_000)
	putAll(t, s, sum, data, 3000) // chunks at 0, 3000, 6000, 9000
	for _, tc := range []struct {
		offset int64
		limit  int
	}{
		{0, 10_000}, {0, 20_000}, {0, 1}, {0, 3000}, {2999, 2}, {3000, 3000},
		{100, 9000}, {5999, 3002}, {9000, 1000}, {9999, 100}, {10_000, 100}, {4500, 0},
	} {
		got, err := s.ReadBlob(ctx, sum, tc.offset, tc.limit)
		must(t, fmt.Sprintf("read %d+%d", tc.offset, tc.limit), err)
		want := data[tc.offset:min(tc.offset+int64(tc.limit), int64(len(data)))]
		if !bytes.Equal(got, want) {
			t.Errorf("ReadBlob(%d, %d) = %d bytes, want %d matching bytes", tc.offset, tc.limit, len(got), len(want))
		}
	}
	_, err := s.ReadBlob(ctx, sum, 10_001, 1)
	wantCode(t, "offset beyond the end", err, bmerr.Invalid)
	_, err = s.ReadBlob(ctx, sha(99), 0, 1)
	wantCode(t, "unknown blob", err, bmerr.NotFound)

	part, psum := blobData(500)
	_, err = s.PutChunk(ctx, psum, 500, 0, part[:100], checkSHA(psum))
	must(t, "partial", err)
	_, err = s.ReadBlob(ctx, psum, 0, 100)
	wantCode(t, "incomplete blob", err, bmerr.FailedPrecondition)
}

func testBlobsComplete(t *testing.T, s store.Store) {
	full, fsum := blobData(100)
	putAll(t, s, fsum, full, 100)
	part, psum := blobData(200)
	_, err := s.PutChunk(ctx, psum, 200, 0, part[:50], checkSHA(psum))
	must(t, "partial", err)
	err = s.Update(ctx, func(tx store.Tx) error {
		got, err := tx.BlobsComplete([]string{fsum, psum, sha(5)})
		if err != nil {
			return err
		}
		if !got[fsum] || got[psum] || got[sha(5)] {
			t.Errorf("BlobsComplete = %v, want only %s", got, fsum)
		}
		return nil
	})
	must(t, "update", err)
}

func testBlobVisible(t *testing.T, s store.Store) {
	c := NewCase("C01", "T01", sha(1), sha(2))
	save(t, s, c)
	save(t, s, NewCase("C02", "", sha(3)))
	for _, tc := range []struct {
		station, sha string
		want         bool
	}{
		{"C01", sha(1), true}, {"T01", sha(2), true}, {"C02", sha(1), false},
		{"C02", sha(3), true}, {"C01", sha(3), false}, {"C01", sha(9), false},
	} {
		got, err := s.BlobVisible(ctx, tc.station, tc.sha)
		must(t, "visible", err)
		if got != tc.want {
			t.Errorf("BlobVisible(%s, …%s) = %v, want %v", tc.station, tc.sha[60:], got, tc.want)
		}
	}

	// An attachment removed from the case is no longer visible through it;
	// one added becomes visible — whether or not the case was loaded first.
	next := Next(c)
	next.Materials = []casefile.MaterialRecord{{Code: "ID", Received: true,
		Attachments: []casefile.Attachment{{SHA256: sha(2)}, {SHA256: sha(4)}}}}
	save(t, s, next)
	next2 := Next(next)
	err := s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.LoadCases([]uuid.UUID{c.ID}); err != nil {
			return err
		}
		next2.Materials = append(slices.Clone(next2.Materials),
			casefile.MaterialRecord{Code: "HOUSEHOLD", Attachments: []casefile.Attachment{{SHA256: sha(5)}}})
		_, err := tx.SaveApplied(next2, AppliedFor(ChangeFor(next2), "C01"))
		return err
	})
	must(t, "update", err)
	for sum, want := range map[string]bool{sha(1): false, sha(2): true, sha(4): true, sha(5): true} {
		for _, st := range []string{"C01", "T01"} {
			if got, _ := s.BlobVisible(ctx, st, sum); got != want {
				t.Errorf("after edits, BlobVisible(%s, …%s) = %v, want %v", st, sum[60:], got, want)
			}
		}
	}
}

func testCatalog(t *testing.T, s store.Store) {
	_, err := s.CurrentCatalog(ctx)
	wantCode(t, "no catalog", err, bmerr.NotFound)

	v1 := store.Catalog{Version: 1, CatalogJSON: []byte(`{"matters":[]}`), CalendarJSON: []byte(`{"year":2026}`), PublishedAt: t0}
	v2 := store.Catalog{Version: 2, CatalogJSON: []byte(`{"matters":[1]}`), CalendarJSON: []byte(`{"year":2026,"x":1}`), PublishedAt: t0.Add(time.Hour)}
	must(t, "publish 1", s.PublishCatalog(ctx, v1))
	must(t, "publish 2", s.PublishCatalog(ctx, v2))
	got, err := s.CurrentCatalog(ctx)
	must(t, "current", err)
	if got.Version != 2 || string(got.CatalogJSON) != string(v2.CatalogJSON) ||
		string(got.CalendarJSON) != string(v2.CalendarJSON) || !got.PublishedAt.Equal(v2.PublishedAt) {
		t.Errorf("CurrentCatalog = %+v, want %+v", got, v2)
	}
	wantCode(t, "republish", s.PublishCatalog(ctx, v2), bmerr.Conflict)
	wantCode(t, "older version", s.PublishCatalog(ctx, v1), bmerr.Conflict)
}
