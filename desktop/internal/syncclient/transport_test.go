package syncclient_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"google.golang.org/protobuf/proto"
)

// faultyTransport sits between the sync client and a real server and does
// what a bad network does: requests that never arrive, replies that are
// lost after the server acted, requests delivered twice, and stale requests
// replayed out of order. Down makes every request fail.
type faultyTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	rnd  *rand.Rand
	// probabilities, each per request
	dropRequest, dropReply, duplicate, replayOld float64
	old                                          map[string][][]byte // earlier push bodies by path, for replays
	down                                         atomic.Bool

	// chunk records UploadChunk offsets the server answered, and hook may
	// rewrite or fail a chunk request (return a non-nil error to cut).
	chunkMu  sync.Mutex
	acked    []int64
	sent     []int64
	hook     func(req *syncv1.UploadChunkRequest) (cut bool, forward bool)
	counts   map[string]int
	countsMu sync.Mutex
}

var errCut = errors.New("test transport: connection cut")

func newFaulty(seed uint64) *faultyTransport {
	return &faultyTransport{next: http.DefaultTransport, rnd: rand.New(rand.NewPCG(seed, 99)), counts: map[string]int{}, old: map[string][][]byte{}}
}

func (f *faultyTransport) client() *http.Client { return &http.Client{Transport: f} }

func (f *faultyTransport) roll(p float64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rnd.Float64() < p
}

func (f *faultyTransport) count(what string) {
	f.countsMu.Lock()
	f.counts[what]++
	f.countsMu.Unlock()
}

func (f *faultyTransport) send(req *http.Request, body []byte) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return f.next.RoundTrip(r)
}

func (f *faultyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if f.down.Load() {
		return nil, errCut
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body.Close()
	path := req.URL.Path
	if strings.HasSuffix(path, "/UploadChunk") {
		return f.chunk(req, body)
	}
	if f.roll(f.dropRequest) {
		f.count("request dropped")
		return nil, errCut
	}
	if strings.HasSuffix(path, "/PushStream") {
		f.count("stream pushes")
	}
	if strings.HasSuffix(path, "/Push") || strings.HasSuffix(path, "/PushStream") {
		f.mu.Lock()
		var old []byte
		if seen := f.old[path]; len(seen) > 0 && f.rnd.Float64() < f.replayOld {
			old = seen[f.rnd.IntN(len(seen))]
		}
		f.old[path] = append(f.old[path], body)
		f.mu.Unlock()
		if old != nil { // a stale push arrives first, out of order
			f.count("stale push replayed")
			if resp, err := f.send(req, old); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	}
	if f.roll(f.duplicate) {
		f.count("request duplicated")
		if resp, err := f.send(req, body); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	resp, err := f.send(req, body)
	if err != nil {
		return nil, err
	}
	if f.roll(f.dropReply) {
		f.count("reply lost")
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errCut
	}
	return resp, nil
}

// chunk passes an upload chunk through the hook, recording what was sent
// and what the server acknowledged.
func (f *faultyTransport) chunk(req *http.Request, body []byte) (*http.Response, error) {
	msg := &syncv1.UploadChunkRequest{}
	if err := proto.Unmarshal(body, msg); err != nil {
		return nil, err
	}
	cut, forward := false, true
	if f.hook != nil {
		cut, forward = f.hook(msg)
		if b, err := proto.Marshal(msg); err == nil {
			body = b
		}
	}
	f.chunkMu.Lock()
	if forward {
		f.sent = append(f.sent, msg.Offset)
	}
	f.chunkMu.Unlock()
	if !forward {
		return nil, errCut
	}
	resp, err := f.send(req, body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		f.chunkMu.Lock()
		f.acked = append(f.acked, msg.Offset)
		f.chunkMu.Unlock()
	}
	if cut {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errCut
	}
	return resp, nil
}
