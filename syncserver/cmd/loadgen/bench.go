package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	"github.com/bianmin/bianmin/shared/fixture"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1/syncv1connect"
	"github.com/bianmin/bianmin/shared/syncapi"
	"github.com/bianmin/bianmin/shared/wire"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	_ "modernc.org/sqlite" // the "sqlite" driver, for the ceiling
)

var (
	township  = store.Station{Code: "XZ01", Name: "青山镇便民服务中心", Level: catalog.Township}
	community = store.Station{Code: "SQ01", Name: "青山镇幸福村便民服务站", Level: catalog.Community, Parent: "XZ01"}
)

// pushCases is push_10k: one township pushes set's cases in batches of
// syncapi.MaxPushBatch, as a station's sync client sends a long outbox (up
// to syncapi.StreamBatches batches per PushStream call), gzip-compressed as
// stations do.
func pushCases(ctx context.Context, cfg *config, set *pushSet) ([]metric, error) {
	return pushCasesWith(ctx, cfg, set, "push_10k", func(s *station) syncv1connect.SyncServiceClient { return s.sync })
}

// pushCasesPlain is push_10k_uncompressed: the same without compression,
// which on loopback, where client and server share the cores, shows what
// the station's gzip costs.
func pushCasesPlain(ctx context.Context, cfg *config, set *pushSet) ([]metric, error) {
	return pushCasesWith(ctx, cfg, set, "push_10k_uncompressed", func(s *station) syncv1connect.SyncServiceClient { return s.plain })
}

func pushCasesWith(ctx context.Context, cfg *config, set *pushSet, name string, client func(*station) syncv1connect.SyncServiceClient) ([]metric, error) {
	h, err := newHarness(ctx, cfg.keep)
	if err != nil {
		return nil, err
	}
	defer h.close()
	xz, err := h.addStation(ctx, township)
	if err != nil {
		return nil, err
	}
	clk := cfg.startClock(name)
	if err := xz.pushAll(ctx, client(xz), set.wire); err != nil {
		return nil, err
	}
	elapsed := clk.stop()
	if err := wantCases(ctx, xz, len(set.wire)); err != nil {
		return nil, err
	}
	return []metric{{name, float64(len(set.wire)) / elapsed.Seconds(), "cases/s"}}, nil
}

func wantCases(ctx context.Context, s *station, want int) error {
	n, err := s.caseCount(ctx)
	if err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("central holds %d cases of %s, want %d", n, s.Code, want)
	}
	return nil
}

// pushStations is push_300_stations: every station pushes its 50 cases in
// 5 pushes of 10, all stations released at once.
func pushStations(ctx context.Context, cfg *config, _ *pushSet) ([]metric, error) {
	const perStation, perPush = 50, 10
	h, err := newHarness(ctx, cfg.keep)
	if err != nil {
		return nil, err
	}
	defer h.close()
	stations := make([]*station, cfg.stations)
	work := make([][]*syncv1.Change, cfg.stations)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range stations {
		st := store.Station{Code: fmt.Sprintf("XZ%03d", i+1), Name: fmt.Sprintf("第%d乡镇便民服务中心", i+1), Level: catalog.Township}
		if stations[i], err = h.addStation(ctx, st); err != nil {
			return nil, err
		}
		work[i] = toWire(receives(r, st, ownMatter, perStation))
	}

	latencies := make([][]time.Duration, len(stations))
	errs := make([]error, len(stations))
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	for i, s := range stations {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-release
			for batch := range slices.Chunk(work[i], perPush) {
				t := time.Now()
				if errs[i] = s.push(ctx, batch); errs[i] != nil {
					return
				}
				latencies[i] = append(latencies[i], time.Since(t))
			}
		}()
	}
	ready.Wait()
	clk := cfg.startClock("push_300_stations")
	close(release)
	done.Wait()
	elapsed := clk.stop()
	for i, s := range stations {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if err := wantCases(ctx, s, perStation); err != nil {
			return nil, err
		}
	}
	all := slices.Concat(latencies...)
	slices.Sort(all)
	ms := func(q float64) float64 { return all[int(q*float64(len(all)-1))].Seconds() * 1000 }
	return []metric{
		{"push_300_stations", float64(len(stations)*perStation) / elapsed.Seconds(), "cases/s"},
		{"push_300_stations_p50", ms(0.50), "ms"},
		{"push_300_stations_p99", ms(0.99), "ms"},
	}, nil
}

// pullFeed is pull_50k: a community files 25,000 proxy cases for its
// township, which accepts each (untimed); then the township catches up from
// cursor 0, decoding every entry and case as a station would.
func pullFeed(ctx context.Context, cfg *config, _ *pushSet) ([]metric, error) {
	const cases, limit = 25_000, syncapi.MaxPullLimit
	h, err := newHarness(ctx, cfg.keep)
	if err != nil {
		return nil, err
	}
	defer h.close()
	xz, err := h.addStation(ctx, township)
	if err != nil {
		return nil, err
	}
	sq, err := h.addStation(ctx, community)
	if err != nil {
		return nil, err
	}
	recs := receives(rand.New(rand.NewPCG(5, 6)), community, proxyMatter, cases)
	accepts := make([]*casefile.Change, cases)
	for i, rec := range recs {
		var c casefile.Case
		if err := casefile.Apply(&c, rec, env()); err != nil {
			return nil, err
		}
		accepts[i] = fixture.Next(&c, caseflow.Accept, fixture.Actor(township.Code, township.Level), day)
	}
	if err := sq.pushAll(ctx, sq.sync, toWire(recs)); err != nil {
		return nil, err
	}
	if err := xz.pushAll(ctx, xz.sync, toWire(accepts)); err != nil {
		return nil, err
	}

	clk := cfg.startClock("pull_50k")
	var entries int
	seen := map[string]bool{}
	for cursor, more := int64(0), true; more; {
		resp, err := xz.sync.Pull(ctx, connect.NewRequest(&syncv1.PullRequest{Cursor: cursor, Limit: limit}))
		if err != nil {
			return nil, fmt.Errorf("pull from %d: %w", cursor, err)
		}
		for _, e := range resp.Msg.Entries {
			if _, err := wire.ChangeFromWire(e.Change); err != nil {
				return nil, fmt.Errorf("entry %d: %w", e.Seq, err)
			}
		}
		for _, w := range resp.Msg.Cases {
			c, err := wire.CaseFromWire(w)
			if err != nil {
				return nil, fmt.Errorf("case %s: %w", w.Id, err)
			}
			seen[c.ID.String()] = true
		}
		entries += len(resp.Msg.Entries)
		cursor, more = resp.Msg.NextCursor, resp.Msg.More
	}
	elapsed := clk.stop()
	if entries != 2*cases || len(seen) != cases {
		return nil, fmt.Errorf("the township pulled %d entries of %d cases, want %d of %d", entries, len(seen), 2*cases, cases)
	}
	return []metric{{"pull_50k", float64(entries) / elapsed.Seconds(), "changes/s"}}, nil
}

// attachments is attach_200x500k: one station uploads 200 distinct random
// blobs of 500,000 bytes, one after another, in syncapi.ChunkSize chunks.
func attachments(ctx context.Context, cfg *config, _ *pushSet) ([]metric, error) {
	const blobs, size = 200, 500_000
	h, err := newHarness(ctx, cfg.keep)
	if err != nil {
		return nil, err
	}
	defer h.close()
	xz, err := h.addStation(ctx, township)
	if err != nil {
		return nil, err
	}
	// Every request, with the blob's and each chunk's SHA-256, is built
	// before the clock starts.
	r := rand.NewChaCha8([32]byte{7})
	shas := make([]string, blobs)
	var reqs []*syncv1.UploadChunkRequest
	for i := range shas {
		data := make([]byte, size)
		r.Read(data)
		sum := sha256.Sum256(data)
		shas[i] = hex.EncodeToString(sum[:])
		for off := 0; off < size; off += syncapi.ChunkSize {
			part := data[off:min(off+syncapi.ChunkSize, size)]
			cs := sha256.Sum256(part)
			reqs = append(reqs, &syncv1.UploadChunkRequest{Sha256: shas[i], Size: size, Offset: int64(off), Data: part, ChunkSha256: hex.EncodeToString(cs[:])})
		}
	}

	clk := cfg.startClock("attach_200x500k")
	for _, req := range reqs {
		if _, err := xz.attach.UploadChunk(ctx, connect.NewRequest(req)); err != nil {
			return nil, fmt.Errorf("upload %s at %d: %w", req.Sha256, req.Offset, err)
		}
	}
	elapsed := clk.stop()
	for _, sha := range shas {
		st, err := xz.attach.StatAttachment(ctx, connect.NewRequest(&syncv1.StatAttachmentRequest{Sha256: sha}))
		if err != nil {
			return nil, err
		}
		if !st.Msg.Complete || st.Msg.Received != size {
			return nil, fmt.Errorf("attachment %s: %d of %d bytes, complete=%v", sha, st.Msg.Received, size, st.Msg.Complete)
		}
	}
	return []metric{{"attach_200x500k", blobs * size / 1e6 / elapsed.Seconds(), "MB/s"}}, nil
}

// storeSave is store_save: the same cases saved through central's store
// (tx.SaveApplied, what a push does once a change is decided) on a fresh
// file, 1000 per transaction: the schema's own cost (three rows per case,
// their indexes, the side tables), with no network, no decoding and no
// state machine. push_vs_store is how close a push comes to it.
func storeSave(ctx context.Context, cfg *config, set *pushSet) ([]metric, error) {
	h, err := newHarness(ctx, cfg.keep)
	if err != nil {
		return nil, err
	}
	defer h.close()
	now := time.Now()
	clk := cfg.startClock("store_save")
	for start := 0; start < len(set.cases); start += syncapi.MaxPushBatch {
		end := min(start+syncapi.MaxPushBatch, len(set.cases))
		err := h.store.Update(ctx, func(tx store.Tx) error {
			// What a push asks first: whether the changes were seen and
			// what the cases are.
			if _, err := tx.Outcomes(set.changeIDs[start:end]); err != nil {
				return err
			}
			if _, err := tx.LoadCases(set.caseIDs[start:end]); err != nil {
				return err
			}
			for i := start; i < end; i++ {
				if _, err := tx.SaveApplied(set.cases[i], store.Applied{Change: set.changes[i], Body: set.rows[i].body,
					Station: township.Code, ReceivedAt: now}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	elapsed := clk.stop()
	vs, err := h.store.PartyVersions(ctx, township.Code)
	if err != nil || len(vs) != len(set.cases) {
		return nil, fmt.Errorf("store holds %d cases (%v), want %d", len(vs), err, len(set.cases))
	}
	return []metric{{"store_save", float64(len(set.cases)) / elapsed.Seconds(), "cases/s"}}, nil
}

// ceilingPragmas are the central store's own settings: what the ceiling
// changes is the schema and the work per row, not the engine's tuning.
var ceilingPragmas = []string{"page_size = 16384", "journal_mode = WAL", "synchronous = NORMAL", "cache_size = -65536"}

// sqliteCeiling is sqlite_ceiling: set's rows as plain batched INSERTs into
// one table of a new file, 500 per transaction, one prepared statement.
func sqliteCeiling(_ context.Context, cfg *config, set *pushSet) ([]metric, error) {
	const perTx = 500
	dir, err := os.MkdirTemp("", "bianmin-loadgen-")
	if err != nil {
		return nil, err
	}
	if cfg.keep {
		defer fmt.Printf("# kept %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "plain.db"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, p := range ceilingPragmas {
		if _, err := db.Exec("PRAGMA " + p); err != nil {
			return nil, err
		}
	}
	if _, err := db.Exec(`CREATE TABLE plain (id TEXT PRIMARY KEY, doc BLOB NOT NULL, body BLOB NOT NULL) STRICT`); err != nil {
		return nil, err
	}
	ins, err := db.Prepare(`INSERT INTO plain (id, doc, body) VALUES (?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	defer ins.Close()

	clk := cfg.startClock("sqlite_ceiling")
	for batch := range slices.Chunk(set.rows, perTx) {
		tx, err := db.Begin()
		if err != nil {
			return nil, err
		}
		st := tx.Stmt(ins)
		for _, r := range batch {
			if _, err := st.Exec(r.id, r.doc, r.body); err != nil {
				tx.Rollback()
				return nil, err
			}
		}
		if err := tx.Commit(); err != nil {
			return nil, err
		}
	}
	elapsed := clk.stop()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM plain`).Scan(&n); err != nil || n != len(set.rows) {
		return nil, fmt.Errorf("plain table holds %d rows (%v), want %d", n, err, len(set.rows))
	}
	return []metric{{"sqlite_ceiling", float64(len(set.rows)) / elapsed.Seconds(), "rows/s"}}, nil
}
